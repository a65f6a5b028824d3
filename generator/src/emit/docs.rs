//! Spec text → rustdoc that renders and never warns: no broken links, no stray HTML, no accidental doctests.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = "..."]` attributes, one per line of `text`, which is the generator's own markdown
/// with any spec prose already passed through [`spec`].
pub fn doc_attrs(text: &str) -> TokenStream {
    let attrs = text.lines().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#[doc = #line])
    });
    quote!(#(#attrs)*)
}

/// Longest spec prose kept for one item; longer text is cut (a 50 MB description helps no reader).
const MAX_DOC_BYTES: usize = 16 * 1024;

/// Spec prose made safe for rustdoc, as one string.
pub fn spec(text: &str) -> String {
    if text.len() <= MAX_DOC_BYTES {
        return sanitize(text).join("\n");
    }
    let mut end = MAX_DOC_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut lines = sanitize(&text[..end]);
    lines.push(String::new());
    lines.push("(truncated)".to_owned());
    lines.join("\n")
}

/// Joins optional paragraphs into one doc text, skipping empty ones.
pub fn paragraphs<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> String {
    parts
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Makes spec prose safe for rustdoc, line by line.
pub fn sanitize(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_fence = false;
    for raw in text
        .trim()
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .lines()
    {
        let trimmed = raw.trim();
        if trimmed.starts_with("```") {
            // Code in a spec is not Rust: render it, never compile it.
            lines.push(if in_fence {
                "```".to_owned()
            } else {
                "```text".to_owned()
            });
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            lines.push(raw.trim_end().to_owned());
        } else {
            // Leading spaces would start an indented code block, which rustdoc runs as a doctest.
            lines.push(escape_prose(trimmed));
        }
    }
    if in_fence {
        lines.push("```".to_owned());
    }
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

fn escape_prose(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    for (index, word) in line.split(' ').enumerate() {
        if index > 0 {
            out.push(' ');
        }
        if word.starts_with("http://") || word.starts_with("https://") {
            let end = word
                .trim_end_matches(['.', ',', ';', ':', ')', '!', '?'])
                .len();
            let (url, tail) = word.split_at(end);
            if url.contains(['<', '>', '[', ']', '`']) {
                out.push_str(&escape_text(word));
            } else {
                out.push('<');
                out.push_str(url);
                out.push('>');
                out.push_str(&escape_text(tail));
            }
        } else {
            out.push_str(&escape_text(word));
        }
    }
    out
}

fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_cannot_become_code_links_or_html() {
        let lines =
            sanitize("  indented <b>bold</b> [link] see https://x.io/a.\n```\nfn main() {}\n```\n");
        assert_eq!(
            lines[0],
            "indented &lt;b&gt;bold&lt;/b&gt; \\[link\\] see <https://x.io/a>."
        );
        assert_eq!(lines[1], "```text");
        assert_eq!(lines[2], "fn main() {}");
        assert_eq!(lines[3], "```");
    }

    #[test]
    fn huge_text_is_truncated_on_a_char_boundary() {
        let text = "é".repeat(MAX_DOC_BYTES);
        let doc = spec(&text);
        assert!(doc.len() < MAX_DOC_BYTES + 32);
        assert!(doc.ends_with("(truncated)"));
    }

    #[test]
    fn unclosed_fences_are_closed() {
        assert_eq!(sanitize("```json\n{}"), vec!["```text", "{}", "```"]);
    }
}
