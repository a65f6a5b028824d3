//! Request encoding: path segments, parameter text, query styles, JSON and form bodies, server URLs.

use std::borrow::Cow;

use super::body::Body;
use super::error::Error;

/// Characters left as they are in a path segment: RFC 3986 unreserved.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Encodes a path parameter as exactly one segment: `/`, `?`, `#` and `%` are escaped.
///
/// `.` and `..` are refused: URL parsers treat them (even percent-encoded) as "this" and
/// "parent" directory, so no encoding keeps them inside their segment. So is an empty value:
/// `/ctas/{id}` with `""` would be `/ctas/`, another resource (the collection).
pub fn path_segment(value: &str) -> Result<String, Error> {
    if value.is_empty() {
        return Err(Error::Encode(
            "an empty value cannot be sent as a path parameter".to_owned(),
        ));
    }
    server_path_segment(value)
}

/// Like [`path_segment`], but an empty value is allowed: a server URL's path variable may
/// default to nothing.
fn server_path_segment(value: &str) -> Result<String, Error> {
    if value == "."
        || value == ".."
        || value.eq_ignore_ascii_case("%2e")
        || value.eq_ignore_ascii_case("%2e%2e")
    {
        return Err(Error::Encode(format!(
            "`{value}` cannot be sent as a path parameter"
        )));
    }
    // Through `Cow`, which borrows when nothing needs encoding: no formatting machinery.
    Ok(Cow::from(percent_encoding::utf8_percent_encode(value, SEGMENT)).into_owned())
}

/// A parameter value as text: strings as they are, other scalars as JSON, lists comma-joined.
pub fn param_text<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    let json = serde_json::to_value(value).map_err(|e| Error::Encode(e.to_string()))?;
    Ok(match json {
        serde_json::Value::String(s) => s,
        serde_json::Value::Array(items) => {
            items.iter().map(scalar_text).collect::<Vec<_>>().join(",")
        }
        other => scalar_text(&other),
    })
}

fn scalar_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// How a query parameter is written (OpenAPI `style` and `explode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryStyle {
    /// `form`, exploded (the default): `ids=1&ids=2`; objects as `key=value` pairs.
    Form,
    /// `form`, not exploded: `ids=1,2`; objects as `name=key,value,key,value`.
    FormJoined,
    /// `spaceDelimited`: `ids=1%202`.
    SpaceDelimited,
    /// `pipeDelimited`: `ids=1|2`.
    PipeDelimited,
    /// `deepObject`: `filter[status]=open&filter[owner][id]=7`.
    DeepObject,
}

/// A parameter's value as [`query_pairs`] takes it: anything serializable, in the default
/// style (lists repeat the name, scalars appear once), or [`Styled`].
///
/// A trait object, so that one non-generic function assembles every operation's query.
pub trait QueryValue {
    /// The value as JSON, which the style then spells as pairs.
    ///
    /// # Errors
    ///
    /// When the value does not serialize.
    fn to_json(&self) -> Result<serde_json::Value, serde_json::Error>;

    /// How the value is spelled.
    fn style(&self) -> QueryStyle {
        QueryStyle::Form
    }
}

impl<T: serde::Serialize + ?Sized> QueryValue for T {
    fn to_json(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::to_value(self)
    }
}

/// A parameter value with its declared style (`pipeDelimited`, `deepObject`, ...).
#[derive(Debug)]
pub struct Styled<'a, T: ?Sized>(pub &'a T, pub QueryStyle);

impl<T: serde::Serialize + ?Sized> QueryValue for Styled<'_, T> {
    fn to_json(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::to_value(self.0)
    }

    fn style(&self) -> QueryStyle {
        self.1
    }
}

/// The query pairs of an operation's parameters, in order; an absent (`None`) value adds none.
///
/// # Errors
///
/// [`Error::Encode`] when a value does not serialize.
pub fn query_pairs(
    params: &[(&'static str, &dyn QueryValue)],
) -> Result<Vec<(Cow<'static, str>, String)>, Error> {
    let mut query = Vec::with_capacity(params.len());
    for (name, value) in params {
        let json = value.to_json().map_err(|e| Error::Encode(e.to_string()))?;
        push_value(&mut query, Cow::Borrowed(*name), json, value.style());
    }
    Ok(query)
}

/// Pairs for one named value in `style` (the rules of [`query_pairs`]).
fn push_value(
    query: &mut Vec<(Cow<'static, str>, String)>,
    name: Cow<'static, str>,
    value: serde_json::Value,
    style: QueryStyle,
) {
    let joined = |separator: &str, parts: Vec<String>| parts.join(separator);
    match (style, value) {
        (_, serde_json::Value::Null) => {}
        (QueryStyle::DeepObject, value) => push_deep(query, name.into_owned(), &value),
        (QueryStyle::Form, serde_json::Value::Array(items)) => {
            query.extend(items.iter().map(|item| (name.clone(), scalar_text(item))))
        }
        (QueryStyle::Form, serde_json::Value::Object(fields)) => query.extend(
            fields
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(key, v)| (Cow::Owned(key.clone()), scalar_text(v))),
        ),
        (style, serde_json::Value::Array(items)) => {
            let separator = match style {
                QueryStyle::SpaceDelimited => " ",
                QueryStyle::PipeDelimited => "|",
                _ => ",",
            };
            let parts = items.iter().map(scalar_text).collect();
            query.push((name, joined(separator, parts)));
        }
        (_, serde_json::Value::Object(fields)) => {
            let parts = fields
                .iter()
                .filter(|(_, v)| !v.is_null())
                .flat_map(|(key, v)| [key.clone(), scalar_text(v)])
                .collect();
            query.push((name, joined(",", parts)));
        }
        (_, scalar) => query.push((name, scalar_text(&scalar))),
    }
}

/// `name[key][inner]=value` pairs for `deepObject`; list items repeat their name.
fn push_deep(
    query: &mut Vec<(Cow<'static, str>, String)>,
    name: String,
    value: &serde_json::Value,
) {
    match value {
        serde_json::Value::Null => {}
        serde_json::Value::Object(fields) => {
            for (key, field) in fields {
                push_deep(query, format!("{name}[{key}]"), field);
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                query.push((Cow::Owned(name.clone()), scalar_text(item)));
            }
        }
        scalar => query.push((Cow::Owned(name), scalar_text(scalar))),
    }
}

/// How one property of a form body is written when the media type's `encoding` object says
/// otherwise than `style: form`, exploded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormField {
    /// The `style` (and `explode`) given, as for a query parameter.
    Style(QueryStyle),
    /// `contentType: application/json`: the value as one JSON text.
    Json,
}

/// Serialises an `application/x-www-form-urlencoded` body: each property as a query parameter
/// of style `form` with `explode` (OpenAPI's default for form bodies), so a list repeats its
/// name (`PhoneNumbers=1&PhoneNumbers=2`), an object property spreads into its own pairs, and
/// absent (`null`) properties are left out; `fields` lists the properties the spec's `encoding`
/// object writes otherwise (`deepObject`, `explode: false`, delimited, JSON).
pub fn form_body<T: serde::Serialize + ?Sized>(
    value: &T,
    content_type: &'static str,
    fields: &[(&str, FormField)],
) -> Result<Option<(Body, Cow<'static, str>)>, Error> {
    // Through JSON text, so the properties keep the order the type declares them in.
    let json = serde_json::to_vec(value).map_err(|e| Error::Encode(format!("form body: {e}")))?;
    // A form declared `type: string` is given already encoded (`a=1&b=2`): sent as it is.
    if json.first() == Some(&b'"') {
        let text: String =
            serde_json::from_slice(&json).map_err(|e| Error::Encode(format!("form body: {e}")))?;
        return Ok(Some((Body::from(text), Cow::Borrowed(content_type))));
    }
    let properties = serde::Deserializer::deserialize_map(
        &mut serde_json::Deserializer::from_slice(&json),
        PropertiesVisitor,
    )
    .map_err(|_| Error::Encode("form body: the value is not an object of properties".to_owned()))?;
    let mut pairs = Vec::with_capacity(properties.len());
    for (name, property) in properties {
        let field = fields.iter().find(|(field, _)| *field == name);
        match field.map(|(_, how)| *how) {
            Some(FormField::Json) if !property.is_null() => {
                let text = property.to_string();
                pairs.push((Cow::Owned(name), text));
            }
            Some(FormField::Json) => {}
            Some(FormField::Style(style)) => {
                push_value(&mut pairs, Cow::Owned(name), property, style)
            }
            None => push_value(&mut pairs, Cow::Owned(name), property, QueryStyle::Form),
        }
    }
    serde_urlencoded::to_string(&pairs)
        .map(|body| Some((Body::from(body), Cow::Borrowed(content_type))))
        .map_err(|e| Error::Encode(format!("form body: {e}")))
}

/// Reads an object's properties in document order.
struct PropertiesVisitor;

impl<'de> serde::de::Visitor<'de> for PropertiesVisitor {
    type Value = Vec<(String, serde_json::Value)>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut properties = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(entry) = map.next_entry()? {
            properties.push(entry);
        }
        Ok(properties)
    }
}

/// Serialises a JSON body.
pub fn json_body<T: serde::Serialize + ?Sized>(
    value: &T,
) -> Result<Option<(Body, Cow<'static, str>)>, Error> {
    serde_json::to_vec(value)
        .map(|body| Some((Body::from(body), Cow::Borrowed("application/json"))))
        .map_err(|e| Error::Encode(e.to_string()))
}

/// Expands `https://{domain}.example.com/v1`, refusing values that could change the host or path structure.
pub fn expand_server_url(template: &str, variables: &[(&str, &str)]) -> Result<String, Error> {
    let authority_end = template.find("://").map_or(0, |s| s + 3);
    let authority_end = template[authority_end..]
        .find('/')
        .map_or(template.len(), |i| authority_end + i);
    let mut url = String::with_capacity(template.len() + 32);
    let mut rest = template;
    let mut offset = 0;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        url.push_str(&rest[..open]);
        let name = &rest[open + 1..close];
        let value = variables
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| *v);
        if offset + open < authority_end {
            let valid = !value.is_empty()
                && value
                    .split('.')
                    .all(|label| !label.is_empty() && label.len() <= 63)
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == ':');
            if !valid {
                return Err(Error::Config(format!(
                    "server variable `{name}` must be a host name part (letters, digits, `-`, `.`), got `{}`",
                    value.escape_debug()
                )));
            }
            url.push_str(value);
        } else {
            url.push_str(&server_path_segment(value)?);
        }
        offset += close + 1;
        rest = &rest[close + 1..];
    }
    url.push_str(rest);
    Ok(url)
}

/// A request builder's optional query parameters, from one line each: the struct holding their
/// values, its `pairs` (the query, in the listed order) and the builder's setters. Written once
/// here rather than a field, an initializer, an eight-line setter and a query entry per
/// parameter in every builder: large APIs have thousands of such filters.
///
/// `query_setters!(Builder, field: Values, into(name: String, "wire"), value(limit: i64,
/// "limit"; "Its doc."), value(ids: Vec<i64>, "ids", PipeDelimited), ...)`:
/// `Builder` (which has a `field: Values` initialized to `Values::default()`) gets a setter per
/// parameter. `into` setters take `impl Into<T>`, `value` ones `T`. A parameter may name its
/// [`QueryStyle`] (the default is `Form`), then, after `;`, its doc from the spec. The names
/// `Error` and `runtime::...` resolve where the macro is called: the generated `builder` module,
/// which imports them.
///
/// Invoked by its bare name, as `serde_struct!` is.
#[doc(hidden)]
#[macro_export]
macro_rules! query_setters {
    (
        $builder:ident,
        $holder:ident: $values:ident,
        $($kind:ident($name:ident: $ty:ty, $wire:literal $(, $style:ident)? $(; $doc:literal)?)),* $(,)?
    ) => {
        #[derive(Debug, Default)]
        struct $values {
            $($name: Option<$ty>,)*
        }

        impl $values {
            fn pairs(&self) -> Result<Vec<(std::borrow::Cow<'static, str>, String)>, Error> {
                runtime::query_pairs(&[$(($wire, query_setters!(@value (&self.$name) $($style)?))),*])
            }
        }

        impl $builder<'_> {
            $(
                $(#[doc = $doc] #[doc = ""])?
                #[doc = concat!("Sets the optional query parameter `", $wire, "`.")]
                pub fn $name(mut self, value: query_setters!(@taken $kind $ty)) -> Self {
                    self.$holder.$name = Some(query_setters!(@store $kind value));
                    self
                }
            )*
        }
    };
    (@value ($($value:tt)*)) => { $($value)* };
    (@value ($($value:tt)*) $style:ident) => {
        &runtime::Styled($($value)*, runtime::QueryStyle::$style)
    };
    (@taken into $ty:ty) => { impl Into<$ty> };
    (@taken value $ty:ty) => { $ty };
    (@store into $value:ident) => { $value.into() };
    (@store value $value:ident) => { $value };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query<T: serde::Serialize>(value: &T, style: QueryStyle) -> Vec<(String, String)> {
        query_pairs(&[("p", &Styled(value, style))])
            .expect("encodes")
            .into_iter()
            .map(|(name, value)| (name.into_owned(), value))
            .collect()
    }

    /// Object properties come out in map order, which depends on serde_json's features.
    fn sorted(mut pairs: Vec<(String, String)>) -> Vec<(String, String)> {
        pairs.sort();
        pairs
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn query_styles_follow_the_openapi_rules() {
        let list = ["a", "b"];
        let object = serde_json::json!({"status": "open", "owner": {"id": 7}, "none": null});
        assert_eq!(
            query(&list, QueryStyle::Form),
            pairs(&[("p", "a"), ("p", "b")])
        );
        assert_eq!(query(&list, QueryStyle::FormJoined), pairs(&[("p", "a,b")]));
        assert_eq!(
            query(&list, QueryStyle::SpaceDelimited),
            pairs(&[("p", "a b")])
        );
        assert_eq!(
            query(&list, QueryStyle::PipeDelimited),
            pairs(&[("p", "a|b")])
        );
        assert_eq!(
            sorted(query(&object, QueryStyle::DeepObject)),
            pairs(&[("p[owner][id]", "7"), ("p[status]", "open")])
        );
        assert_eq!(
            sorted(query(&object, QueryStyle::Form)),
            pairs(&[("owner", "{\"id\":7}"), ("status", "open")])
        );
        assert_eq!(
            query(
                &serde_json::json!({"a": 1, "b": "x"}),
                QueryStyle::FormJoined
            ),
            pairs(&[("p", "a,1,b,x")])
        );
        assert_eq!(query(&5, QueryStyle::DeepObject), pairs(&[("p", "5")]));
        assert!(query(&Option::<u8>::None, QueryStyle::Form).is_empty());
    }

    #[test]
    fn path_segments_stay_one_segment_and_dot_segments_are_refused() {
        assert_eq!(path_segment("a/b?c#d%e").unwrap(), "a%2Fb%3Fc%23d%25e");
        assert_eq!(
            path_segment("Ünïcode ~._-").unwrap(),
            "%C3%9Cn%C3%AFcode%20~._-"
        );
        for refused in [".", "..", "%2e", "%2E%2e", ""] {
            assert!(
                matches!(path_segment(refused), Err(Error::Encode(_))),
                "{refused}"
            );
        }
    }

    #[test]
    fn server_variables_cannot_change_the_host_structure() {
        let template = "https://{domain}.example.com/{version}";
        assert_eq!(
            expand_server_url(template, &[("domain", "acme"), ("version", "v1")]).unwrap(),
            "https://acme.example.com/v1"
        );
        for bad in ["evil.com/x", "a@b", "", "a..b"] {
            assert!(
                matches!(
                    expand_server_url(template, &[("domain", bad), ("version", "v1")]),
                    Err(Error::Config(_))
                ),
                "{bad}"
            );
        }
        // In the path, a value is one encoded segment, and may be empty.
        assert_eq!(
            expand_server_url("https://h.example/{base}", &[("base", "")]).unwrap(),
            "https://h.example/"
        );
        assert_eq!(
            expand_server_url(template, &[("domain", "acme"), ("version", "a/b")]).unwrap(),
            "https://acme.example.com/a%2Fb"
        );
    }

    #[test]
    fn parameter_text_joins_lists_and_keeps_strings_bare() {
        assert_eq!(param_text("x y").unwrap(), "x y");
        assert_eq!(param_text(&[1, 2]).unwrap(), "1,2");
        assert_eq!(param_text(&true).unwrap(), "true");
    }

    #[test]
    fn bodies_carry_their_content_type() {
        let (bytes, content_type) = json_body(&serde_json::json!({"a": 1})).unwrap().unwrap();
        let bytes = bytes.as_bytes().cloned().unwrap();
        assert_eq!(
            (&bytes[..], content_type.as_ref()),
            (&b"{\"a\":1}"[..], "application/json")
        );
        #[derive(serde::Serialize)]
        struct Form {
            x: &'static str,
            name: &'static str,
        }
        let form = Form {
            name: "a b",
            x: "&",
        };
        let (bytes, content_type) = form_body(&form, "application/x-www-form-urlencoded", &[])
            .unwrap()
            .unwrap();
        let bytes = bytes.as_bytes().cloned().unwrap();
        assert_eq!(&bytes[..], b"x=%26&name=a+b");
        assert_eq!(content_type, "application/x-www-form-urlencoded");
        // Lists repeat their name; absent properties are left out.
        let form = serde_json::json!({"To": "+1", "PhoneNumbers": ["+2", "+3"], "Note": null});
        let (bytes, _) = form_body(&form, "application/x-www-form-urlencoded", &[])
            .unwrap()
            .unwrap();
        let bytes = bytes.as_bytes().cloned().unwrap();
        let text = std::str::from_utf8(&bytes).unwrap();
        let mut pairs: Vec<&str> = text.split('&').collect();
        pairs.sort_unstable();
        assert_eq!(pairs, ["PhoneNumbers=%2B2", "PhoneNumbers=%2B3", "To=%2B1"]);
        assert!(matches!(
            form_body(&[1, 2], "x", &[]),
            Err(Error::Encode(_))
        ));
        // A form the spec types as a string is already encoded.
        let (bytes, content_type) = form_body(
            "instructions=Put+the+garlic",
            "application/x-www-form-urlencoded",
            &[],
        )
        .unwrap()
        .unwrap();
        let bytes = bytes.as_bytes().cloned().unwrap();
        assert_eq!(&bytes[..], b"instructions=Put+the+garlic");
        assert_eq!(content_type, "application/x-www-form-urlencoded");
    }

    #[test]
    fn form_bodies_follow_the_encoding_object() {
        // Structs, not `json!`: the order of a `serde_json` map depends on a feature some other
        // crate may turn on. Nested keys are written in name order here, as either way.
        #[derive(serde::Serialize)]
        struct Owner {
            id: i32,
        }
        #[derive(serde::Serialize)]
        struct Filter {
            owner: Owner,
            status: &'static str,
        }
        #[derive(serde::Serialize)]
        struct Meta {
            k: Vec<Option<i32>>,
        }
        #[derive(serde::Serialize)]
        struct Spread {
            a: i32,
            b: &'static str,
        }
        #[derive(serde::Serialize)]
        struct Form {
            plain: Vec<&'static str>,
            joined: Vec<i32>,
            piped: Vec<&'static str>,
            filter: Filter,
            meta: Meta,
            spread: Spread,
            gone: Option<i32>,
        }
        let form = Form {
            plain: vec!["a", "b"],
            joined: vec![1, 2],
            piped: vec!["x", "y"],
            filter: Filter {
                owner: Owner { id: 7 },
                status: "open",
            },
            meta: Meta {
                k: vec![Some(1), None],
            },
            spread: Spread { a: 1, b: "c" },
            gone: None,
        };
        let fields = [
            ("joined", FormField::Style(QueryStyle::FormJoined)),
            ("piped", FormField::Style(QueryStyle::PipeDelimited)),
            ("filter", FormField::Style(QueryStyle::DeepObject)),
            ("meta", FormField::Json),
            ("gone", FormField::Json),
        ];
        let (bytes, _) = form_body(&form, "application/x-www-form-urlencoded", &fields)
            .unwrap()
            .unwrap();
        let bytes = bytes.as_bytes().cloned().unwrap();
        assert_eq!(
            std::str::from_utf8(&bytes).unwrap(),
            "plain=a&plain=b&joined=1%2C2&piped=x%7Cy\
             &filter%5Bowner%5D%5Bid%5D=7&filter%5Bstatus%5D=open\
             &meta=%7B%22k%22%3A%5B1%2Cnull%5D%7D&a=1&b=c"
        );
    }
}
