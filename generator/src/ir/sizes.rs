//! Large types get their largest fields boxed, so that no generated type takes more than a few
//! KiB inline.
//!
//! Without it, types that nest other types by value grow with every level: Stripe's
//! `CheckoutSession` took 102,240 bytes, and debug builds decoding Prism's nested objects
//! overflowed a 2 MiB thread stack (libtest's and tokio's default), since each level's
//! `Deserialize` frame holds its whole value several times over. Types under the limit (all of
//! the Gainsight CTA API's) are left as they are.
//!
//! Sizes are estimates for a 64-bit target, computed bottom-up over the "contains directly"
//! graph, which [`super::cycles`] has already made acyclic; the walk is iterative.

use super::cycles::{direct_children, direct_named};
use super::{TypeDef, TypeKind, TypeRef};

/// The most bytes (estimated) a struct or union may take inline before fields are boxed.
const LARGE_TYPE: usize = 2048;

/// Fields smaller than this are never boxed: a `Box` would save too little to be worth a pointer.
const WORTH_BOXING: usize = 128;

/// Bytes of a pointer-sized `Box` or of an `Option`'s tag, estimated.
const WORD: usize = 8;

/// Boxes fields and union alternatives of named types, largest first, until every struct and
/// union is at most [`LARGE_TYPE`] bytes (or only small fields are left).
pub(super) fn box_large_fields(types: &mut [TypeDef]) {
    const UNVISITED: u8 = 0;
    const OPEN: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![UNVISITED; types.len()];
    let mut sizes = vec![WORD; types.len()];
    for root in 0..types.len() {
        if state[root] != UNVISITED {
            continue;
        }
        let mut stack = vec![(root, false)];
        while let Some((id, children_done)) = stack.pop() {
            if children_done {
                if let Some(def) = types.get_mut(id) {
                    sizes[id] = shrink(&mut def.kind, &sizes);
                }
                state[id] = DONE;
                continue;
            }
            if state[id] != UNVISITED {
                continue;
            }
            state[id] = OPEN;
            stack.push((id, true));
            let children = types
                .get(id)
                .map(|def| direct_children(&def.kind))
                .unwrap_or_default();
            for child in children {
                // An `OPEN` child would be a cycle, which `cycles` has already boxed.
                if state.get(child) == Some(&UNVISITED) {
                    stack.push((child, false));
                }
            }
        }
    }
}

/// Boxes what makes `kind` large and returns its estimated inline size.
fn shrink(kind: &mut TypeKind, sizes: &[usize]) -> usize {
    match kind {
        TypeKind::Struct(s) => {
            let field_size = |boxed: bool, required: bool, nullable: bool, ty: &TypeRef| {
                let inline = if boxed { WORD } else { ref_size(ty, sizes) };
                if required && !nullable {
                    inline
                } else {
                    inline + WORD
                }
            };
            // The `Extra` map of undeclared properties.
            let mut total = 3 * WORD;
            let mut candidates = Vec::new();
            for (index, field) in s.fields.iter().enumerate() {
                let size = field_size(field.boxed, field.required, field.nullable, &field.ty);
                total += size;
                if !field.boxed && named(&field.ty) && size >= WORTH_BOXING {
                    candidates.push((size, index));
                }
            }
            // Largest first; ties in declaration order, so the result is deterministic.
            candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            for (size, index) in candidates {
                if total <= LARGE_TYPE {
                    break;
                }
                if let Some(field) = s.fields.get_mut(index) {
                    field.boxed = true;
                    total =
                        total - size + field_size(true, field.required, field.nullable, &field.ty);
                }
            }
            total
        }
        TypeKind::Union(variants) => {
            let mut largest = 0;
            for variant in variants.iter_mut() {
                let mut size = if variant.boxed {
                    WORD
                } else {
                    ref_size(&variant.ty, sizes)
                };
                if size > LARGE_TYPE && named(&variant.ty) {
                    variant.boxed = true;
                    size = WORD;
                }
                largest = largest.max(size);
            }
            largest + WORD
        }
        TypeKind::Alias(ty) => ref_size(ty, sizes),
        // An open enum: a tag and the `Unknown(String)`.
        TypeKind::StringEnum(_) => 4 * WORD,
        TypeKind::Merged(_) => WORD,
    }
}

/// Estimated inline size of a value of `ty`.
fn ref_size(ty: &TypeRef, sizes: &[usize]) -> usize {
    match ty {
        TypeRef::String | TypeRef::Bytes | TypeRef::Array(_) => 3 * WORD,
        TypeRef::Any => 4 * WORD,
        TypeRef::Map(_) => 6 * WORD,
        TypeRef::Date => 4,
        TypeRef::DateTime => 12,
        TypeRef::Integer { bits } | TypeRef::Number { bits } => usize::from(*bits / 8),
        TypeRef::Boolean => 1,
        TypeRef::Named(id) => sizes.get(id.index()).copied().unwrap_or(WORD),
        TypeRef::Nullable(inner) => ref_size(inner, sizes) + WORD,
    }
}

/// Whether a `Box` can go around the type (the `boxed` flag wraps a named type).
fn named(ty: &TypeRef) -> bool {
    direct_named(ty).is_some()
}
