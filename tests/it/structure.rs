//! The generator's shape, checked: modules depend on each other without cycles, and no function
//! grows past the length a reader can hold in mind (ARCHITECTURE.md, "Invariants").

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use tests::project_root;

/// Longest function allowed in `generator/src`, in lines.
const MAX_FUNCTION_LINES: usize = 150;

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("source dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The module path of a source file: `ir/lower.rs` → `ir::lower`, `ir/mod.rs` → `ir`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).expect("inside src");
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// Code without comments and string contents, so that paths in docs and quoted output do not count.
fn code_only(source: &str) -> String {
    source
        .lines()
        .map(|line| {
            let mut out = String::new();
            let mut in_string = false;
            let mut chars = line.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '\\' if in_string => {
                        chars.next();
                    }
                    '"' => in_string = !in_string,
                    '/' if !in_string && chars.peek() == Some(&'/') => break,
                    _ if in_string => {}
                    _ => out.push(c),
                }
            }
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Edges between sibling modules: `a -> b` when a file of `a` (or below it) names `b` by a
/// `crate::`, `super::` or sibling path. Uses of a parent module's own items are not edges (a
/// parent owns its children), so each level's siblings must form a DAG.
fn sibling_edges(src: &Path) -> BTreeMap<Vec<String>, BTreeSet<(String, String)>> {
    let mut edges: BTreeMap<Vec<String>, BTreeSet<(String, String)>> = BTreeMap::new();
    let files = rust_files(src);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(src, f)).collect();
    for file in &files {
        let module = module_of(src, file);
        let code = code_only(&std::fs::read_to_string(file).expect("source"));
        let words: Vec<&str> = code
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .filter(|w| w.contains("::"))
            .collect();
        for word in words {
            let segments: Vec<&str> = word.split("::").filter(|s| !s.is_empty()).collect();
            let target: Vec<String> = match segments.first() {
                Some(&"crate") => segments[1..].iter().map(|s| (*s).to_owned()).collect(),
                Some(&"super") => {
                    let mut base = module.clone();
                    let mut rest = &segments[..];
                    while rest.first() == Some(&"super") {
                        base.pop();
                        rest = &rest[1..];
                    }
                    base.extend(rest.iter().map(|s| (*s).to_owned()));
                    base
                }
                _ => continue,
            };
            // The longest prefix of the target that is a module of the crate.
            let Some(target) = (1..=target.len())
                .rev()
                .map(|n| target[..n].to_vec())
                .find(|prefix| modules.contains(prefix))
            else {
                continue;
            };
            // The level where the two modules are siblings.
            let common = module
                .iter()
                .zip(&target)
                .take_while(|(a, b)| a == b)
                .count();
            if common >= module.len() || common >= target.len() {
                continue; // one contains the other
            }
            edges
                .entry(module[..common].to_vec())
                .or_default()
                .insert((module[common].clone(), target[common].clone()));
        }
    }
    edges
}

/// A cycle among `edges`, if any, as the list of its nodes.
fn find_cycle(edges: &BTreeSet<(String, String)>) -> Option<Vec<String>> {
    let nodes: BTreeSet<&String> = edges.iter().flat_map(|(a, b)| [a, b]).collect();
    let mut done = BTreeSet::new();
    for start in nodes {
        let mut path: Vec<&String> = Vec::new();
        if let Some(cycle) = visit(start, edges, &mut path, &mut done) {
            return Some(cycle);
        }
    }
    None
}

fn visit<'a>(
    node: &'a String,
    edges: &'a BTreeSet<(String, String)>,
    path: &mut Vec<&'a String>,
    done: &mut BTreeSet<&'a String>,
) -> Option<Vec<String>> {
    if let Some(at) = path.iter().position(|n| *n == node) {
        return Some(path[at..].iter().map(|n| (*n).clone()).collect());
    }
    if done.contains(node) {
        return None;
    }
    path.push(node);
    for (_, next) in edges.iter().filter(|(from, _)| from == node) {
        if let Some(cycle) = visit(next, edges, path, done) {
            return Some(cycle);
        }
    }
    path.pop();
    done.insert(node);
    None
}

#[test]
fn generator_modules_form_no_cycle() {
    let src = project_root().join("generator/src");
    let edges = sibling_edges(&src);
    let top = edges.get(&Vec::new()).expect("top-level edges");
    // The pipeline's direction, as ARCHITECTURE.md draws it.
    for expected in [
        ("emit", "ir"),
        ("ir", "spec"),
        ("ir", "pointer"),
        ("spec", "pointer"),
    ] {
        assert!(
            top.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "expected {expected:?} among {top:?}"
        );
    }
    for (level, edges) in &edges {
        assert_eq!(
            find_cycle(edges),
            None,
            "module cycle among the children of `{}`",
            level.join("::")
        );
    }
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let edges: BTreeSet<(String, String)> = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
    let cycle = find_cycle(&edges).expect("a cycle");
    assert_eq!(cycle.len(), 3);
    let dag: BTreeSet<(String, String)> = [("a", "b"), ("a", "c"), ("b", "c")]
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
    assert_eq!(find_cycle(&dag), None);
}

/// Lengths of the functions in `code` (comments and strings already removed): from the line of
/// `fn` to the line of the brace that closes its body.
fn function_lengths(code: &str) -> Vec<(usize, String)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut found = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let Some(at) = line.find("fn ") else {
            continue;
        };
        let before = &line[..at];
        if !(before.trim().is_empty()
            || before.trim_end().ends_with(['(', ' '])
            || before.ends_with(' '))
        {
            continue;
        }
        let name: String = line[at + 3..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() {
            continue;
        }
        let mut depth = 0i32;
        let mut opened = false;
        for (offset, text) in lines[start..].iter().enumerate() {
            for c in text.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            if (opened && depth <= 0) || (!opened && text.trim_end().ends_with(';')) {
                found.push((offset + 1, name.clone()));
                break;
            }
        }
    }
    found
}

#[test]
fn no_generator_function_is_longer_than_the_limit() {
    let src = project_root().join("generator/src");
    let mut too_long = Vec::new();
    for file in rust_files(&src) {
        let code = code_only(&std::fs::read_to_string(&file).expect("source"));
        for (length, name) in function_lengths(&code) {
            if length > MAX_FUNCTION_LINES {
                too_long.push(format!("{}: `{name}` has {length} lines", file.display()));
            }
        }
    }
    assert!(
        too_long.is_empty(),
        "split these functions:\n{}",
        too_long.join("\n")
    );
}

#[test]
fn function_lengths_count_from_fn_to_the_closing_brace() {
    let code = "fn short() {\n    1\n}\n\nfn long() {\n    if x {\n        y\n    }\n}\n";
    assert_eq!(
        function_lengths(code),
        [(3, "short".to_owned()), (5, "long".to_owned())]
    );
}
