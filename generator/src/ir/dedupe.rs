//! Merges structurally identical inline types, so a schema copied into many places (bundled
//! specs inline every `$ref`) becomes one Rust type instead of hundreds of copies.

use std::collections::HashMap;

use super::{ExtraFields, Operation, TypeDef, TypeId, TypeKind, TypeRef};

/// Turns every inline type that is identical (shape, property names, docs) to an earlier type
/// into a [`TypeKind::Merged`] entry for that earlier type, and points every reference at it.
/// Ids are never renumbered: an id given during lowering names the same entry afterwards.
///
/// Component schemas and `protected` pointers (named in the config) are never merged away, so
/// their names stay stable; a copy may be merged into them. The earliest type of a group is
/// kept, which keeps the output deterministic.
pub(super) fn merge_identical_types(
    types: &mut [TypeDef],
    operations: &mut [Operation],
    protected: &dyn Fn(&str) -> bool,
) {
    let mergeable: Vec<bool> = types
        .iter()
        .map(|t| t.original_name.is_none() && !protected(&t.pointer))
        .collect();
    let mut class: Vec<TypeId> = (0..types.len()).map(TypeId::new).collect();
    // Children merge before parents: repeat until no class changes (at most the nesting depth).
    loop {
        let mut first_with_key: HashMap<String, TypeId> = HashMap::with_capacity(types.len());
        let mut changed = false;
        for (index, def) in types.iter().enumerate() {
            let id = TypeId::new(index);
            if class[index] != id {
                continue;
            }
            let mut kind = def.kind.clone();
            remap_kind(&mut kind, &class);
            let key = format!("{:?}\u{0}{kind:?}", def.doc);
            match first_with_key.get(&key) {
                Some(&first) if mergeable[index] => {
                    class[index] = first;
                    changed = true;
                }
                Some(_) => {}
                None => {
                    first_with_key.insert(key, id);
                }
            }
        }
        if !changed {
            break;
        }
    }
    if class
        .iter()
        .enumerate()
        .all(|(index, c)| c.index() == index)
    {
        return;
    }
    for (index, def) in types.iter_mut().enumerate() {
        if class[index].index() == index {
            remap_kind(&mut def.kind, &class);
        } else {
            def.kind = TypeKind::Merged(class[index]);
        }
    }
    for operation in operations {
        for param in &mut operation.params {
            remap(&mut param.ty, &class);
        }
        if let Some(body) = &mut operation.body {
            remap(&mut body.ty, &class);
        }
        if let Some(ty) = &mut operation.response.ty {
            remap(ty, &class);
        }
        for (_, ty) in &mut operation.response.errors {
            remap(ty, &class);
        }
    }
}

fn remap_kind(kind: &mut TypeKind, mapping: &[TypeId]) {
    match kind {
        TypeKind::Struct(s) => {
            for field in &mut s.fields {
                remap(&mut field.ty, mapping);
            }
            if let ExtraFields::Typed { ty, .. } = &mut s.extra {
                remap(ty, mapping);
            }
        }
        TypeKind::Union(variants) => {
            for variant in variants {
                remap(&mut variant.ty, mapping);
            }
        }
        TypeKind::Alias(ty) => remap(ty, mapping),
        TypeKind::StringEnum(_) | TypeKind::Merged(_) => {}
    }
}

fn remap(ty: &mut TypeRef, mapping: &[TypeId]) {
    match ty {
        TypeRef::Named(id) => {
            if let Some(new) = mapping.get(id.index()) {
                *id = *new;
            }
        }
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
            remap(inner, mapping);
        }
        _ => {}
    }
}
