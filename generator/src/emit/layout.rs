//! Text layout after `prettyplease`: calls of the runtime's macros get one argument per line, as
//! rustfmt lays out a long function call (prettyplease prints a macro's arguments as wrapped
//! tokens, cutting `required(id,` from `"id")`), and declarations laid out by the emitters
//! replace their placeholders.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// A type's tokens as a person writes them: `Option<chrono::DateTime<chrono::Utc>>`,
/// `impl Into<String>`, `BTreeMap<String, i64>`.
pub fn type_text(tokens: &TokenStream) -> String {
    let mut out = String::new();
    push_type_text(&mut out, tokens.clone());
    out
}

fn push_type_text(out: &mut String, tokens: TokenStream) {
    for token in tokens {
        match token {
            TokenTree::Ident(ident) => {
                if out.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                    out.push(' ');
                }
                out.push_str(&ident.to_string());
            }
            TokenTree::Punct(punct) => match punct.as_char() {
                ',' | ';' => {
                    out.push(punct.as_char());
                    out.push(' ');
                }
                '=' | '+' if punct.spacing() == Spacing::Alone => {
                    out.push(' ');
                    out.push(punct.as_char());
                    out.push(' ');
                }
                c => out.push(c),
            },
            TokenTree::Literal(literal) => out.push_str(&literal.to_string()),
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::None => ("", ""),
                };
                // `&'a [T]`: a word before a bracket is a lifetime or `dyn`, never a call.
                if open == "[" && out.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                    out.push(' ');
                }
                out.push_str(open);
                push_type_text(out, group.stream());
                out.push_str(close);
            }
        }
    }
}

/// The runtime's macros whose declarations the emitters lay out themselves.
const DECLARATION_MACROS: [&str; 2] = ["serde_struct!(", "request_builder!("];

/// Replaces each `serde_struct!("...");` or `request_builder!("...");` placeholder (a
/// declaration the emitter laid out, as a string literal) with `serde_struct! { ... }`, the
/// declaration indented inside it.
pub fn expand_declarations(code: &str) -> String {
    DECLARATION_MACROS
        .iter()
        .fold(code.to_owned(), |code, placeholder| {
            expand_placeholders(&code, placeholder)
        })
}

fn expand_placeholders(code: &str, placeholder: &str) -> String {
    if !code.contains(placeholder) {
        return code.to_owned();
    }
    let name = &placeholder[..placeholder.len() - 1];
    let mut out = String::with_capacity(code.len() + code.len() / 8);
    let mut rest = code;
    while let Some(start) = line_starting_with_indented(rest, placeholder) {
        let body = start + placeholder.len();
        let Some((arguments, end)) = split_arguments(&rest[body..]) else {
            break;
        };
        let text = match arguments.as_slice() {
            [literal] => syn::parse_str::<syn::LitStr>(literal).ok(),
            _ => None,
        };
        let Some(text) = text else {
            // Not a placeholder: left as it is.
            out.push_str(&rest[..body]);
            rest = &rest[body..];
            continue;
        };
        let line_start = rest[..start].rfind('\n').map_or(0, |i| i + 1);
        let indent = &rest[line_start..start];
        out.push_str(&rest[..start]);
        out.push_str(name);
        out.push_str(" {\n");
        for line in text.value().lines() {
            if !line.is_empty() {
                out.push_str(indent);
                out.push_str("    ");
                out.push_str(line);
            }
            out.push('\n');
        }
        out.push_str(indent);
        out.push('}');
        let after = &rest[body + end..];
        rest = after.strip_prefix(';').unwrap_or(after);
    }
    out.push_str(rest);
    out
}

/// The offset of the first `prefix` that only whitespace precedes on its line.
fn line_starting_with_indented(text: &str, prefix: &str) -> Option<usize> {
    text.match_indices(prefix)
        .map(|(index, _)| index)
        .find(|&index| {
            let line_start = text[..index].rfind('\n').map_or(0, |i| i + 1);
            text[line_start..index].chars().all(|c| c == ' ')
        })
}

/// Rewrites every call starting a line with `prefix` (such as `serde_struct!(`):
/// one argument per line, each argument's own whitespace collapsed outside string literals.
pub fn one_argument_per_line(code: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(start) = line_starting_with(rest, prefix) {
        let body = start + prefix.len();
        let Some((arguments, end)) = split_arguments(&rest[body..]) else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push_str(prefix);
        out.push('\n');
        for argument in arguments {
            out.push_str("    ");
            out.push_str(&argument);
            out.push_str(",\n");
        }
        out.push(')');
        rest = &rest[body + end..];
    }
    out.push_str(rest);
    out
}

fn line_starting_with(text: &str, prefix: &str) -> Option<usize> {
    text.match_indices(prefix)
        .map(|(index, _)| index)
        .find(|&index| index == 0 || text[..index].ends_with('\n'))
}

/// The arguments of a call whose `(` was just read, and the offset just past its `)`; `None`
/// when the parentheses do not close.
fn split_arguments(text: &str) -> Option<(Vec<String>, usize)> {
    let mut arguments = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut pending_space = false;
    for (index, c) in text.char_indices() {
        if in_string {
            current.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            ')' if depth == 0 => {
                push_argument(&mut arguments, &mut current);
                return Some((arguments, index + 1));
            }
            ',' if depth == 0 => {
                push_argument(&mut arguments, &mut current);
                pending_space = false;
                continue;
            }
            c if c.is_whitespace() => {
                pending_space = !current.is_empty();
                continue;
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            '"' => in_string = true,
            _ => {}
        }
        // A space only where the tokens had one and it separates words (`a, b`), not
        // inside `f(x` or before `)`, `:` or `;` (`name: Type`), nor around a type's generic
        // arguments (`Vec<String>`; the arguments are types, never comparisons).
        if pending_space
            && !current.ends_with(['(', '<'])
            && !matches!(c, ')' | ']' | '}' | ':' | ';' | '<' | '>')
        {
            current.push(' ');
        }
        pending_space = false;
        current.push(c);
    }
    None
}

fn push_argument(arguments: &mut Vec<String>, current: &mut String) {
    if !current.is_empty() {
        arguments.push(std::mem::take(current));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lays_out_wrapped_arguments_one_per_line() {
        let code = "use x;\ncrate::m!(\n    T, \"a `T` object\", any(extra), optional(a_b,\n    \"a, (b)\"), required(c, \"c \\\" )\")\n);\n\nstruct S;\n";
        assert_eq!(
            one_argument_per_line(code, "crate::m!("),
            "use x;\ncrate::m!(\n    T,\n    \"a `T` object\",\n    any(extra),\n    optional(a_b, \"a, (b)\"),\n    required(c, \"c \\\" )\"),\n);\n\nstruct S;\n"
        );
    }

    #[test]
    fn no_space_before_a_colon_or_semicolon() {
        let code = "m!(B, query : V, into(id : Vec < Vec < String > >, \"id\"; \"a : b\"));\n";
        assert_eq!(
            one_argument_per_line(code, "m!("),
            "m!(\n    B,\n    query: V,\n    into(id: Vec<Vec<String>>, \"id\"; \"a : b\"),\n);\n"
        );
    }

    #[test]
    fn types_read_as_written() {
        let ty: TokenStream =
            syn::parse_quote!(Option<std::collections::BTreeMap<String, Vec<Box<T>>>>);
        assert_eq!(
            type_text(&ty),
            "Option<std::collections::BTreeMap<String, Vec<Box<T>>>>"
        );
        let ty: TokenStream = syn::parse_quote!(impl Iterator<Item = &'static [u8; 4]> + Send);
        assert_eq!(
            type_text(&ty),
            "impl Iterator<Item = &'static [u8; 4]> + Send"
        );
    }

    #[test]
    fn placeholders_become_declarations_at_their_indentation() {
        let code = "use x;\n\nserde_struct!(\"/// A \\\"b\\\"\\n\\npub struct B {\\n    ..extra: E\\n}\");\n\n    serde_struct!(\n        \"pub struct C {}\",\n    );\nm!(\"x\", y);\n";
        assert_eq!(
            expand_declarations(code),
            "use x;\n\nserde_struct! {\n    /// A \"b\"\n\n    pub struct B {\n        ..extra: E\n    }\n}\n\n    serde_struct! {\n        pub struct C {}\n    }\nm!(\"x\", y);\n"
        );
    }

    #[test]
    fn leaves_other_text_and_unclosed_calls_alone() {
        let code = "  crate::m!(a, b);\nlet s = \"crate::m!(\";\ncrate::m!(a, (b";
        assert_eq!(one_argument_per_line(code, "crate::m!("), code);
    }
}
