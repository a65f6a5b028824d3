//! Text layout after `prettyplease`: calls of the runtime's macros get one argument per line, as
//! rustfmt lays out a long function call (prettyplease prints a macro's arguments as wrapped
//! tokens, cutting `required(id,` from `"id")`).

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
    fn leaves_other_text_and_unclosed_calls_alone() {
        let code = "  crate::m!(a, b);\nlet s = \"crate::m!(\";\ncrate::m!(a, (b";
        assert_eq!(one_argument_per_line(code, "crate::m!("), code);
    }
}
