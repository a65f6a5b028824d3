//! Cycles in the type space: fields and variants that would make a type contain itself get a
//! `Box`; `$ref` cycles of pure aliases are rejected. Iterative, linear in types + references.
//!
//! Nodes are type indices ([`super::TypeId::index`]): the graph is dense, so plain vectors.

use super::{TypeDef, TypeKind, TypeRef};
use crate::error::Diagnostic;

/// Boxes fields that would make a type contain itself, and rejects aliases that are their own target.
///
/// A field needs a `Box` exactly when its type and the containing type are in the same strongly
/// connected component of the "contains directly" graph; components are found once, in linear time.
pub(super) fn break_cycles(types: &mut [TypeDef], errors: &mut Vec<Diagnostic>) {
    let edges: Vec<Vec<usize>> = types.iter().map(|t| direct_children(&t.kind)).collect();
    let component = strongly_connected_components(&edges);
    let cyclic = |id: usize, target: usize| {
        component
            .get(id)
            .is_some_and(|c| Some(c) == component.get(target))
    };
    let mut has_breakable = vec![false; types.len()];
    for (id, def) in types.iter().enumerate() {
        if matches!(def.kind, TypeKind::Struct(_) | TypeKind::Union(_)) {
            if let Some(slot) = component.get(id).and_then(|c| has_breakable.get_mut(*c)) {
                *slot = true;
            }
        }
    }
    for (id, def) in types.iter_mut().enumerate() {
        match &mut def.kind {
            TypeKind::Struct(s) => {
                for field in &mut s.fields {
                    if direct_named(&field.ty).is_some_and(|target| cyclic(id, target)) {
                        field.boxed = true;
                    }
                }
            }
            TypeKind::Union(variants) => {
                for variant in variants.iter_mut() {
                    if direct_named(&variant.ty).is_some_and(|target| cyclic(id, target)) {
                        variant.boxed = true;
                    }
                }
            }
            TypeKind::Alias(ty) => {
                let only_aliases =
                    component.get(id).and_then(|c| has_breakable.get(*c)) == Some(&false);
                if direct_named(ty).is_some_and(|target| cyclic(id, target)) && only_aliases {
                    errors.push(
                        Diagnostic::new(
                            &def.pointer,
                            "this schema is a `$ref` cycle that never reaches a concrete type",
                        )
                        .with_hint("make one schema in the cycle an object or a list"),
                    );
                }
            }
            TypeKind::StringEnum(_) | TypeKind::Merged(_) => {}
        }
    }
}

/// Component index of every node (iterative Kosaraju: no recursion, linear in nodes + edges).
fn strongly_connected_components(edges: &[Vec<usize>]) -> Vec<usize> {
    let count = edges.len();
    let mut visited = vec![false; count];
    let mut finished = Vec::with_capacity(count);
    for start in 0..count {
        if visited[start] {
            continue;
        }
        visited[start] = true;
        let mut stack = vec![(start, 0usize)];
        while let Some((node, next)) = stack.pop() {
            match edges[node].get(next) {
                Some(&child) => {
                    stack.push((node, next + 1));
                    if child < count && !visited[child] {
                        visited[child] = true;
                        stack.push((child, 0));
                    }
                }
                None => finished.push(node),
            }
        }
    }
    let mut reverse = vec![Vec::new(); count];
    for (from, targets) in edges.iter().enumerate() {
        for &to in targets.iter().filter(|to| **to < count) {
            reverse[to].push(from);
        }
    }
    let mut component = vec![usize::MAX; count];
    let mut next_component = 0;
    for &start in finished.iter().rev() {
        if component[start] != usize::MAX {
            continue;
        }
        component[start] = next_component;
        let mut stack = vec![start];
        while let Some(node) = stack.pop() {
            for &previous in &reverse[node] {
                if component[previous] == usize::MAX {
                    component[previous] = next_component;
                    stack.push(previous);
                }
            }
        }
        next_component += 1;
    }
    component
}

/// The named type a value contains inline (not behind a `Vec` or map), if any.
/// The type a field or variant of type `ty` holds inline, if it is a named one.
pub(super) fn direct_named(ty: &TypeRef) -> Option<usize> {
    match ty {
        TypeRef::Named(id) => Some(id.index()),
        TypeRef::Nullable(inner) => direct_named(inner),
        _ => None,
    }
}

/// The types `kind` holds inline (not through a `Box`, `Vec` or map).
pub(super) fn direct_children(kind: &TypeKind) -> Vec<usize> {
    match kind {
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .filter(|f| !f.boxed)
            .filter_map(|f| direct_named(&f.ty))
            .collect(),
        TypeKind::Union(variants) => variants
            .iter()
            .filter(|v| !v.boxed)
            .filter_map(|v| direct_named(&v.ty))
            .collect(),
        TypeKind::Alias(ty) => direct_named(ty).into_iter().collect(),
        TypeKind::StringEnum(_) | TypeKind::Merged(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_group_exactly_the_nodes_on_a_cycle() {
        // 0 → 1 → 2 → 0 is a cycle; 3 → 0 hangs off it; 4 points at itself.
        let edges = vec![vec![1], vec![2], vec![0], vec![0], vec![4]];
        let component = strongly_connected_components(&edges);
        assert_eq!(component[0], component[1]);
        assert_eq!(component[1], component[2]);
        assert_ne!(component[3], component[0]);
        assert_ne!(component[4], component[0]);
        assert_ne!(component[4], component[3]);
    }

    #[test]
    fn out_of_range_edges_are_ignored() {
        let component = strongly_connected_components(&[vec![7], vec![]]);
        assert_ne!(component[0], component[1]);
    }
}
