//! Merges structurally identical inline types, so a schema copied into many places (bundled
//! specs inline every `$ref`) becomes one Rust type instead of hundreds of copies.

use std::collections::HashMap;

use super::{ExtraFields, Operation, TypeDef, TypeId, TypeKind, TypeRef};

/// Replaces every inline type that is identical (shape, property names, docs) to an earlier
/// type by that earlier type, then drops the copies and renumbers what is left.
///
/// Component schemas and `protected` pointers (named in the config) are never merged away, so
/// their names stay stable; a copy may be merged into them. The earliest type of a group is
/// kept, which keeps the output deterministic.
pub(super) fn merge_identical_types(
    types: Vec<TypeDef>,
    operations: &mut [Operation],
    protected: &dyn Fn(&str) -> bool,
) -> Vec<TypeDef> {
    let mergeable: Vec<bool> = types
        .iter()
        .map(|t| t.original_name.is_none() && !protected(&t.pointer))
        .collect();
    let mut class: Vec<TypeId> = (0..types.len()).collect();
    // Children merge before parents: repeat until no class changes (at most the nesting depth).
    loop {
        let mut first_with_key: HashMap<String, TypeId> = HashMap::with_capacity(types.len());
        let mut changed = false;
        for (id, def) in types.iter().enumerate() {
            if class[id] != id {
                continue;
            }
            let mut kind = def.kind.clone();
            remap_kind(&mut kind, &class);
            let key = format!("{:?}\u{0}{kind:?}", def.doc);
            match first_with_key.get(&key) {
                Some(&first) if mergeable[id] => {
                    class[id] = first;
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
    if class.iter().enumerate().all(|(id, c)| id == *c) {
        return types;
    }
    // New ids for the kept types; merged ones take their representative's.
    let mut new_id = vec![0; types.len()];
    let mut next = 0;
    for id in 0..types.len() {
        if class[id] == id {
            new_id[id] = next;
            next += 1;
        }
    }
    let mapping: Vec<TypeId> = class.iter().map(|c| new_id[*c]).collect();
    let mut kept: Vec<TypeDef> = types
        .into_iter()
        .enumerate()
        .filter(|(id, _)| class[*id] == *id)
        .map(|(_, def)| def)
        .collect();
    for def in &mut kept {
        remap_kind(&mut def.kind, &mapping);
    }
    for operation in operations {
        for param in &mut operation.params {
            remap(&mut param.ty, &mapping);
        }
        if let Some(body) = &mut operation.body {
            remap(&mut body.ty, &mapping);
        }
        if let Some(ty) = &mut operation.response.ty {
            remap(ty, &mapping);
        }
        for (_, ty) in &mut operation.response.errors {
            remap(ty, &mapping);
        }
    }
    kept
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
        TypeKind::StringEnum(_) => {}
    }
}

fn remap(ty: &mut TypeRef, mapping: &[TypeId]) {
    match ty {
        TypeRef::Named(id) => {
            if let Some(new) = mapping.get(*id) {
                *id = *new;
            }
        }
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
            remap(inner, mapping);
        }
        _ => {}
    }
}
