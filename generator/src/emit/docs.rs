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
    let text = text.trim().replace("\r\n", "\n").replace('\r', "\n");
    let text = if looks_like_html(&text) {
        html_to_markdown(&text)
    } else {
        text
    };
    for raw in text.lines() {
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

/// A line of prose with its markdown links (`[text](https://...)`) kept as links and
/// everything else escaped.
fn escape_prose(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut rest = line;
    while let Some((before, text, url, after)) = next_link(rest) {
        out.push_str(&escape_words(before));
        out.push('[');
        out.push_str(&escape_text(text));
        out.push_str("](");
        out.push_str(url);
        out.push(')');
        rest = after;
    }
    out.push_str(&escape_words(rest));
    out
}

/// The first `[text](http(s)://url)` of `line`: (text before, link text, URL, text after).
fn next_link(line: &str) -> Option<(&str, &str, &str, &str)> {
    let mut from = 0;
    while let Some(open) = line[from..].find('[').map(|i| from + i) {
        from = open + 1;
        let middle = line[open..].find("](").map(|i| open + i)?;
        let text = &line[open + 1..middle];
        if text.contains(['[', ']']) || text.trim().is_empty() {
            continue;
        }
        let url_start = middle + 2;
        let close = line[url_start..].find(')').map(|i| url_start + i)?;
        let url = &line[url_start..close];
        let plain = !url.contains([' ', '<', '>', '`', '[', ']', '(']);
        if plain && (url.starts_with("https://") || url.starts_with("http://")) {
            return Some((&line[..open], text, url, &line[close + 1..]));
        }
    }
    None
}

/// Whether prose is written in HTML (a tag the converter knows), not markdown.
fn looks_like_html(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    [
        "<p>", "<p ", "<br", "<div", "<ul", "<ol", "<li", "<b>", "<strong", "<em>", "<i>", "<a ",
        "<code", "<span", "<table", "<h1", "<h2", "<h3",
    ]
    .iter()
    .any(|tag| lower.contains(tag))
}

/// HTML prose as markdown: blocks and line breaks become new lines, list items `- `, bold,
/// italics and code their markdown marks, `<a href>` a link; other tags are dropped and the
/// common entities decoded. Good enough for descriptions, which is all specs put there.
fn html_to_markdown(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut href: Option<String> = None;
    let mut link_text_start = 0;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name_len = after
            .trim_start_matches('/')
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(0);
        let Some(close) = after.find('>').filter(|_| name_len > 0) else {
            // Not a tag (`a < b`): keep the character.
            out.push('<');
            rest = after;
            continue;
        };
        let tag = &after[..close];
        let closing = tag.starts_with('/');
        let name = tag.trim_start_matches('/')[..name_len].to_ascii_lowercase();
        match (name.as_str(), closing) {
            ("br", _)
            | ("p" | "div" | "ul" | "ol" | "table" | "tr" | "h1" | "h2" | "h3" | "h4", _) => {
                out.push('\n')
            }
            ("li", false) => out.push_str("\n- "),
            ("b" | "strong", _) => out.push_str("**"),
            ("i" | "em", _) => out.push('*'),
            ("code", _) => out.push('`'),
            ("a", false) => {
                href = tag
                    .split(['"', '\''])
                    .skip_while(|part| !part.trim_end().ends_with("href="))
                    .nth(1)
                    .map(str::to_owned);
                link_text_start = out.len();
            }
            ("a", true) => {
                if let Some(url) = href.take().filter(|u| u.starts_with("http")) {
                    let text = out.split_off(link_text_start);
                    out.push_str(&format!("[{}]({url})", text.trim()));
                }
            }
            _ => {}
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    // Runs of blank lines left by nested blocks become one paragraph break.
    let mut lines: Vec<&str> = Vec::new();
    for line in decoded.lines().map(str::trim) {
        if !(line.is_empty() && lines.last().is_some_and(|l| l.is_empty())) {
            lines.push(line);
        }
    }
    lines.join("\n").trim().to_owned()
}

fn escape_words(line: &str) -> String {
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
        // Unknown tags are not HTML prose: they stay visible, escaped.
        assert_eq!(sanitize("a <T> b"), ["a &lt;T&gt; b"]);
        assert_eq!(
            lines[0],
            "indented **bold** \\[link\\] see <https://x.io/a>."
        );
        assert_eq!(lines[1], "```text");
        assert_eq!(lines[2], "fn main() {}");
        assert_eq!(lines[3], "```");
    }

    #[test]
    fn markdown_links_stay_links() {
        assert_eq!(
            sanitize("See the [account overview](https://x.io/a) and [b] (c)."),
            ["See the [account overview](https://x.io/a) and \\[b\\] (c)."]
        );
        // Only web links: anything else stays escaped text.
        assert_eq!(
            sanitize("[x](javascript:alert)"),
            ["\\[x\\](javascript:alert)"]
        );
    }

    #[test]
    fn html_prose_becomes_markdown() {
        let lines = sanitize(
            "<div><p>Lists <b>CTAs</b> &amp; more.</p><ul><li>one</li><li><a href=\"https://x.io/d\">docs</a></li></ul></div>",
        );
        assert_eq!(
            lines,
            [
                "Lists **CTAs** & more.",
                "",
                "- one",
                "- [docs](https://x.io/d)"
            ]
        );
        // Comparisons are not tags.
        assert_eq!(sanitize("<p>a < b</p>"), ["a &lt; b"]);
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
