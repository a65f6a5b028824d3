//! Cargo features per tag (config `tag_features`): which features enable each operation and
//! each type, and the `#[cfg]` attributes that leave the others out of an application's build.
//!
//! An operation is compiled when any of its tags' features is on (an untagged one always); a type
//! when an enabled operation reaches it through parameters, bodies, responses or other types (one
//! reached by an untagged operation, or by none, always).

use std::collections::{BTreeMap, BTreeSet};

use heck::ToKebabCase;
use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Api, Operation, TypeId};

/// Feature names the generated crate already has.
const RESERVED: [&str; 3] = ["default", "http2", "mock"];

/// The crate's tag features and what each enables.
#[derive(Debug, Clone, Default)]
pub struct Features {
    /// `(feature, tag)`, in the order of the document's tags, then of first use.
    pub names: Vec<(String, String)>,
    /// Per operation (by its JSON pointer): indexes into `names`; empty when untagged.
    operations: BTreeMap<String, BTreeSet<usize>>,
    /// Per type (by index): indexes into `names`; `None` when always compiled.
    types: Vec<Option<BTreeSet<usize>>>,
}

impl Features {
    /// The features of `api`.
    pub fn of(api: &Api) -> Self {
        let mut names: Vec<(String, String)> = Vec::new();
        let mut by_tag: BTreeMap<&str, usize> = BTreeMap::new();
        let declared = api.tags.iter().map(|(tag, _)| tag.as_str());
        let used = api
            .operations
            .iter()
            .flat_map(|op| op.tags.iter().map(String::as_str));
        for tag in declared.chain(used) {
            if by_tag.contains_key(tag) {
                continue;
            }
            let feature = feature_name(tag, &names);
            by_tag.insert(tag, names.len());
            names.push((feature, tag.to_owned()));
        }
        let mut operations = BTreeMap::new();
        // `None`: reached by an untagged operation, so always compiled.
        let mut reached: Vec<Option<BTreeSet<usize>>> =
            vec![Some(BTreeSet::new()); api.types.len()];
        for op in &api.operations {
            let features: BTreeSet<usize> = op
                .tags
                .iter()
                .filter_map(|tag| by_tag.get(tag.as_str()).copied())
                .collect();
            for id in reachable_types(api, op) {
                if let Some(slot) = reached.get_mut(id.index()) {
                    match (slot.as_mut(), features.is_empty()) {
                        (Some(_), true) => *slot = None,
                        (Some(set), false) => set.extend(features.iter().copied()),
                        (None, _) => {}
                    }
                }
            }
            operations.insert(op.pointer.clone(), features);
        }
        // A type no operation reaches (an unused component) stays, as without features.
        let types = reached
            .into_iter()
            .map(|set| set.filter(|set| !set.is_empty()))
            .collect();
        Self {
            names,
            operations,
            types,
        }
    }

    /// `#[cfg(...)]` for an operation's items, or nothing when it is always compiled.
    pub fn operation_cfg(&self, op: &Operation) -> Option<TokenStream> {
        self.operations
            .get(&op.pointer)
            .and_then(|set| self.cfg(set))
    }

    /// `#[cfg(...)]` for items any of `operations` needs, or nothing when one of them is always
    /// compiled.
    pub fn any_operation_cfg<'o>(
        &self,
        operations: impl IntoIterator<Item = &'o Operation>,
    ) -> Option<TokenStream> {
        let mut union = BTreeSet::new();
        for op in operations {
            let set = self.operations.get(&op.pointer)?;
            if set.is_empty() {
                return None;
            }
            union.extend(set.iter().copied());
        }
        self.cfg(&union)
    }

    /// `#[cfg(...)]` for a type's items, or nothing when it is always compiled.
    pub fn type_cfg(&self, id: TypeId) -> Option<TokenStream> {
        self.types
            .get(id.index())
            .and_then(Option::as_ref)
            .and_then(|set| self.cfg(set))
    }

    /// `#[cfg(...)]` for items that need every type of `ids`.
    pub fn types_cfg(&self, ids: &[TypeId]) -> Option<TokenStream> {
        let predicates: Vec<TokenStream> = ids
            .iter()
            .filter_map(|id| self.types.get(id.index()).and_then(Option::as_ref))
            .map(|set| self.predicate(set))
            .collect();
        match predicates.as_slice() {
            [] => None,
            [one] => Some(quote!(#[cfg(#one)])),
            many => Some(quote!(#[cfg(all(#(#many),*))])),
        }
    }

    fn cfg(&self, set: &BTreeSet<usize>) -> Option<TokenStream> {
        if set.is_empty() {
            return None;
        }
        let predicate = self.predicate(set);
        Some(quote!(#[cfg(#predicate)]))
    }

    fn predicate(&self, set: &BTreeSet<usize>) -> TokenStream {
        let features = set
            .iter()
            .filter_map(|index| self.names.get(*index))
            .map(|(feature, _)| quote!(feature = #feature));
        quote!(any(#(#features),*))
    }
}

/// The tag in kebab case (`CTA Configuration` → `cta-configuration`), unique and clear of the
/// crate's other features.
fn feature_name(tag: &str, taken: &[(String, String)]) -> String {
    let base = tag.to_kebab_case();
    let base = if base.is_empty() || !base.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        format!("tag-{base}").trim_end_matches('-').to_owned()
    } else {
        base
    };
    let free = |name: &str| !RESERVED.contains(&name) && !taken.iter().any(|(f, _)| f == name);
    if free(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|name| free(name))
        .unwrap_or(base)
}

/// Every named type an operation's parameters, body and responses reach.
fn reachable_types(api: &Api, op: &Operation) -> BTreeSet<TypeId> {
    let params = op.params.iter().map(|p| &p.ty);
    let body = op.body.iter().map(|b| &b.ty);
    let errors = op.response.errors.iter().map(|(_, ty)| ty);
    api.reachable_types(params.chain(body).chain(&op.response.ty).chain(errors))
}

/// `items` (module-level items) each given `cfg`; unchanged without one.
pub fn gate_items(items: TokenStream, cfg: Option<&TokenStream>) -> TokenStream {
    let Some(cfg) = cfg else {
        return items;
    };
    match syn::parse2::<syn::File>(items.clone()) {
        Ok(file) => {
            let items = file.items.iter();
            quote!(#(#cfg #items)*)
        }
        // Not reached: the emitters' items parse (the formatter would fail on them anyway).
        Err(_) => items,
    }
}

/// `items` (methods of an `impl` block) each given `cfg`; unchanged without one.
pub fn gate_methods(items: TokenStream, cfg: Option<&TokenStream>) -> TokenStream {
    let Some(cfg) = cfg else {
        return items;
    };
    match syn::parse2::<syn::ItemImpl>(quote!(impl Gated { #items })) {
        Ok(block) => {
            let items = block.items.iter();
            quote!(#(#cfg #items)*)
        }
        Err(_) => items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_names_are_kebab_case_unique_and_clear_of_the_crate_s_own() {
        let mut taken = Vec::new();
        for tag in [
            "CTA Configuration",
            "Mock",
            "cta_configuration",
            "--",
            "日本",
        ] {
            let name = feature_name(tag, &taken);
            taken.push((name, tag.to_owned()));
        }
        let names: Vec<&str> = taken.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "cta-configuration",
                "mock-2",
                "cta-configuration-2",
                "tag",
                "tag-日本"
            ]
        );
    }
}
