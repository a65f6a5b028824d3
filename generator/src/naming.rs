//! Rust identifiers from spec names: word splitting, casing (via `heck`), keyword escaping, de-duplication.

use std::collections::HashSet;

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

/// Words that cannot be plain identifiers (strict and reserved keywords of every edition).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Type names that would shadow prelude items or names the generated code relies on.
const RESERVED_TYPE_NAMES: &[&str] = &[
    "Self",
    "Option",
    "Result",
    "String",
    "Vec",
    "Box",
    "Value",
    "Map",
    "Default",
    "Some",
    "None",
    "Ok",
    "Err",
    "Client",
    "ClientBuilder",
    "From",
    "Into",
    "Clone",
    "Copy",
    "Debug",
    "Eq",
    "PartialEq",
    "Ord",
    "PartialOrd",
    "Hash",
    "Send",
    "Sync",
    "Sized",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "Iterator",
    "IntoIterator",
    "ToString",
    "ToOwned",
    "AsRef",
    "AsMut",
    "Serialize",
    "Deserialize",
    "Unpin",
];

/// Splits a spec name into words.
///
/// Separators are any non-alphanumeric characters; case changes start new words, and an
/// acronym followed by a plural `s` stays one word (`searchCTAs` → `search`, `CTAs`),
/// which `heck` alone splits into `CT` + `As`.
pub fn split_words(name: &str) -> Vec<String> {
    let name = fold_diacritics(name);
    let mut words = Vec::new();
    for chunk in name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|c| !c.is_empty())
    {
        let chars: Vec<char> = chunk.chars().collect();
        let mut current = String::new();
        let mut index = 0;
        while index < chars.len() {
            let c = chars[index];
            let previous = index.checked_sub(1).map(|i| chars[i]);
            let next = chars.get(index + 1).copied();
            let boundary = match previous {
                None => false,
                Some(p) if p.is_ascii_lowercase() && c.is_ascii_uppercase() => true,
                Some(p) if p.is_ascii_digit() && c.is_ascii_alphabetic() => c.is_ascii_uppercase(),
                Some(p) if p.is_ascii_uppercase() && c.is_ascii_uppercase() => {
                    // `HTTPServer`: the last capital before a lowercase run starts a new word,
                    // unless that run is a lone plural `s` closing the acronym (`CTAs`).
                    match next {
                        Some(n) if n.is_ascii_lowercase() => !is_plural_s(&chars, index + 1),
                        _ => false,
                    }
                }
                _ => false,
            };
            if boundary && !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            current.push(c);
            index += 1;
        }
        if !current.is_empty() {
            words.push(current);
        }
    }
    words
}

/// Latin letters with diacritics as their ASCII base (`naïve` → `naive`); other characters unchanged.
fn fold_diacritics(name: &str) -> std::borrow::Cow<'_, str> {
    if name.is_ascii() {
        return std::borrow::Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let folded = match c {
            'à'..='å' => "a",
            'À'..='Å' => "A",
            'æ' => "ae",
            'Æ' => "AE",
            'ç' => "c",
            'Ç' => "C",
            'è'..='ë' => "e",
            'È'..='Ë' => "E",
            'ì'..='ï' => "i",
            'Ì'..='Ï' => "I",
            'ñ' => "n",
            'Ñ' => "N",
            'ò'..='ö' | 'ø' => "o",
            'Ò'..='Ö' | 'Ø' => "O",
            'ù'..='ü' => "u",
            'Ù'..='Ü' => "U",
            'ý' | 'ÿ' => "y",
            'Ý' => "Y",
            'ß' => "ss",
            'œ' => "oe",
            'Œ' => "OE",
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push_str(folded);
    }
    std::borrow::Cow::Owned(out)
}

/// Whether `chars[at]` is a single `s` that ends a word (end of input or another capital).
fn is_plural_s(chars: &[char], at: usize) -> bool {
    chars.get(at) == Some(&'s') && chars.get(at + 1).is_none_or(|c| !c.is_ascii_lowercase())
}

/// Joins the words of `name` lowercased, so `heck` sees one word per acronym.
fn normalized(name: &str) -> String {
    split_words(name)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `snake_case` identifier for fields, parameters and methods; keywords get a trailing `_`.
pub fn snake_ident(name: &str) -> String {
    let words = normalized(name);
    let snake = if words.is_empty() {
        symbol_words(name).to_snake_case()
    } else {
        words.to_snake_case()
    };
    let snake = match snake.chars().next() {
        None => "value".to_owned(),
        Some(c) if c.is_ascii_digit() => format!("n{snake}"),
        Some(_) => snake,
    };
    if KEYWORDS.contains(&snake.as_str()) {
        format!("{snake}_")
    } else {
        snake
    }
}

/// `UpperCamelCase` identifier for types and enum variants.
pub fn pascal_ident(name: &str) -> String {
    let words = normalized(name);
    let pascal = if words.is_empty() {
        symbol_words(name)
    } else {
        words.to_upper_camel_case()
    };
    match pascal.chars().next() {
        None => "Empty".to_owned(),
        Some(c) if c.is_ascii_digit() => format!("N{pascal}"),
        Some(_) => pascal,
    }
}

/// `UpperCamelCase` type name, steering clear of prelude names (`Result` → `ResultModel`).
pub fn type_ident(name: &str) -> String {
    let pascal = pascal_ident(name);
    if RESERVED_TYPE_NAMES.contains(&pascal.as_str()) {
        format!("{pascal}Model")
    } else {
        pascal
    }
}

/// `UpperCamelCase` enum variant; `Self` cannot be one.
pub fn variant_ident(name: &str) -> String {
    let pascal = pascal_ident(name);
    if pascal == "Self" {
        "SelfValue".to_owned()
    } else {
        pascal
    }
}

/// `SHOUTY_SNAKE_CASE` identifier for constants.
pub fn const_ident(name: &str) -> String {
    let shouty = normalized(name).to_shouty_snake_case();
    if shouty.is_empty() || shouty.starts_with(|c: char| c.is_ascii_digit()) {
        format!("N{shouty}")
    } else {
        shouty
    }
}

/// Names a value made only of symbols (`==`, `<=`) after what the symbols say.
fn symbol_words(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '=' => "Eq",
            '<' => "Lt",
            '>' => "Gt",
            '!' => "Not",
            '+' => "Plus",
            '-' => "Minus",
            '*' => "Star",
            '/' => "Slash",
            '%' => "Percent",
            '&' => "And",
            '|' => "Or",
            '~' => "Tilde",
            '^' => "Caret",
            '.' => "Dot",
            '@' => "At",
            '#' => "Hash",
            '$' => "Dollar",
            '?' => "Question",
            ':' => "Colon",
            ',' => "Comma",
            _ => "",
        })
        .collect()
}

/// Whether `name` can be used as given for a generated type (config overrides are checked with this).
pub fn is_type_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !RESERVED_TYPE_NAMES.contains(&name)
}

/// A scope of identifiers in which every name handed out is unique.
#[derive(Debug, Default)]
pub struct NameScope {
    taken: HashSet<String>,
}

impl NameScope {
    /// A scope where `reserved` names are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Self {
            taken: reserved.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// Returns `candidate`, or `candidate` with the smallest numeric suffix that is still free.
    pub fn claim(&mut self, candidate: &str) -> String {
        if self.taken.insert(candidate.to_owned()) {
            return candidate.to_owned();
        }
        let separator = if candidate.starts_with(|c: char| c.is_ascii_lowercase()) {
            "_"
        } else {
            ""
        };
        let trimmed = candidate.trim_end_matches('_');
        (2..)
            .map(|n| format!("{trimmed}{separator}{n}"))
            .find(|name| self.taken.insert(name.clone()))
            .unwrap_or_else(|| candidate.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plural_acronyms_stay_one_word() {
        assert_eq!(snake_ident("searchCTAs"), "search_ctas");
        assert_eq!(type_ident("searchCTAs"), "SearchCtas");
        assert_eq!(snake_ident("getCTATypes"), "get_cta_types");
        assert_eq!(snake_ident("getCTA"), "get_cta");
        assert_eq!(snake_ident("createCTA"), "create_cta");
        assert_eq!(type_ident("CTAInput"), "CtaInput");
        assert_eq!(snake_ident("getCTAReasons"), "get_cta_reasons");
        assert_eq!(snake_ident("listAPIs"), "list_apis");
    }

    #[test]
    fn ordinary_names() {
        assert_eq!(snake_ident("HTTPServer"), "http_server");
        assert_eq!(snake_ident("DueDate"), "due_date");
        assert_eq!(snake_ident("caller-name"), "caller_name");
        assert_eq!(snake_ident("Renewal_Date__gc"), "renewal_date_gc");
        assert_eq!(type_ident("NOT_IN"), "NotIn");
        assert_eq!(type_ident("status"), "Status");
        assert_eq!(snake_ident("isDefault"), "is_default");
        assert_eq!(snake_ident("Gsid"), "gsid");
        assert_eq!(snake_ident("v2Items"), "v2_items");
        assert_eq!(snake_ident("sessions"), "sessions");
    }

    #[test]
    fn keywords_are_escaped() {
        for keyword in [
            "type", "ref", "in", "use", "where", "self", "async", "match", "gen",
        ] {
            assert_eq!(snake_ident(keyword), format!("{keyword}_"));
        }
        assert_eq!(type_ident("Self"), "SelfModel");
        assert_eq!(variant_ident("self"), "SelfValue");
        assert_eq!(type_ident("Result"), "ResultModel");
    }

    #[test]
    fn odd_names_still_make_identifiers() {
        assert_eq!(snake_ident(""), "value");
        assert_eq!(snake_ident("1st"), "n1st");
        assert_eq!(type_ident("1st"), "N1st");
        assert_eq!(type_ident("=="), "EqEq");
        assert_eq!(type_ident("<="), "LtEq");
        assert_eq!(type_ident("💥"), "Empty");
        assert_eq!(snake_ident("naïve"), "naive");
        assert_eq!(type_ident("Ünïcode"), "Unicode");
        assert_eq!(snake_ident("créer-ünïcode"), "creer_unicode");
        assert_eq!(snake_ident("%%%"), "percent_percent_percent");
        assert_eq!(const_ident("9lives"), "N9LIVES");
    }

    #[test]
    fn config_type_names_are_checked() {
        assert!(is_type_name("SearchFilter"));
        assert!(!is_type_name("search filter"));
        assert!(!is_type_name("Self"));
        assert!(!is_type_name("9Lives"));
        assert!(!is_type_name(""));
    }

    #[test]
    fn scopes_deduplicate() {
        let mut scope = NameScope::default();
        assert_eq!(scope.claim("caller_name"), "caller_name");
        assert_eq!(scope.claim("caller_name"), "caller_name_2");
        assert_eq!(scope.claim("caller_name"), "caller_name_3");
        let mut types = NameScope::with_reserved(&["Client"]);
        assert_eq!(types.claim("User"), "User");
        assert_eq!(types.claim("User"), "User2");
        assert_eq!(types.claim("Client"), "Client2");
    }
}
