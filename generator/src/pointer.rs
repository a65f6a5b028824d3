//! JSON pointers (RFC 6901) into the spec: escaping, joining, canonical spelling and lookup.
//!
//! Both the loader (`spec`) and lowering (`ir`) locate things by pointer; this module is the
//! one place that knows the syntax, so neither depends on the other for it.

use serde_json::Value;

/// Escapes one JSON-pointer reference token (RFC 6901: `~` → `~0`, `/` → `~1`).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Appends `token` to `pointer` as one escaped reference token.
pub fn pointer_join(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape_token(token))
}

/// Decodes one JSON-pointer reference token (`~1` → `/`, `~0` → `~`, percent-escapes).
pub fn unescape_token(token: &str) -> String {
    let token = token.replace("~1", "/").replace("~0", "~");
    percent_decode(&token)
}

fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = text
                .get(index + 1..index + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(byte) = hex {
                out.push(byte);
                index += 3;
                continue;
            }
        }
        out.push(bytes[index]);
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A local pointer in one canonical spelling (tokens unescaped, then re-escaped), so that
/// `#/a%20b` and `#/a b` name the same node.
pub fn normalize_pointer(reference: &str) -> String {
    let Some(path) = reference.strip_prefix('#') else {
        return reference.to_owned();
    };
    let mut out = String::from("#");
    for token in path.split('/').skip(1) {
        out.push('/');
        out.push_str(&escape_token(&unescape_token(token)));
    }
    out
}

/// Where the node at `pointer` really is: the pointer itself, or, when the node there is a local
/// `$ref` (a `requestBodies` or `responses` component, say), the pointer it leads to.
pub fn follow_refs(root: &Value, pointer: &str) -> String {
    let mut pointer = pointer.to_owned();
    // A bounded walk: a `$ref` cycle ends here, at some pointer of the cycle.
    for _ in 0..32 {
        let next = lookup_pointer(root, &pointer)
            .and_then(|node| node.get("$ref"))
            .and_then(Value::as_str)
            .filter(|reference| reference.starts_with('#'));
        match next {
            Some(reference) => pointer = reference.to_owned(),
            None => break,
        }
    }
    pointer
}

/// Follows a local `#/a/b` pointer in the raw document.
pub fn lookup_pointer<'v>(root: &'v Value, reference: &str) -> Option<&'v Value> {
    let path = reference.strip_prefix('#')?;
    if path.is_empty() {
        return Some(root);
    }
    let mut node = root;
    for token in path.strip_prefix('/')?.split('/') {
        let token = unescape_token(token);
        node = match node {
            Value::Object(map) => map.get(&token)?,
            Value::Array(items) => items.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_escape_and_unescape() {
        assert_eq!(escape_token("a/b~c"), "a~1b~0c");
        assert_eq!(unescape_token("a~1b~0c"), "a/b~c");
        assert_eq!(
            pointer_join("#/paths", "/ctas/{id}"),
            "#/paths/~1ctas~1{id}"
        );
    }

    #[test]
    fn spellings_of_one_node_normalise_alike() {
        assert_eq!(normalize_pointer("#/a%20b/c"), normalize_pointer("#/a b/c"));
        assert_eq!(normalize_pointer("other.yaml#/x"), "other.yaml#/x");
    }

    #[test]
    fn lookup_follows_objects_and_arrays() {
        let root = serde_json::json!({"a/b": {"list": [1, {"x": true}]}});
        assert_eq!(
            lookup_pointer(&root, "#/a~1b/list/1/x"),
            Some(&Value::Bool(true))
        );
        assert_eq!(lookup_pointer(&root, "#"), Some(&root));
        assert_eq!(lookup_pointer(&root, "#/a~1b/list/7"), None);
        assert_eq!(lookup_pointer(&root, "#/missing"), None);
    }
}
