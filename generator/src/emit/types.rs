//! IR types → `types.rs`: structs, forward-compatible enums, unions and aliases.

use std::collections::HashMap;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::docs::{doc_attrs, paragraphs, spec};
use crate::ir::{
    Api, ExtraFields, Field, StructType, TypeDef, TypeId, TypeKind, TypeRef, UnionVariant,
};

/// Answers analysis questions about the type space ("can this derive `Default`?") in one place.
pub struct TypeContext<'a> {
    api: &'a Api,
    defaultable: HashMap<TypeId, bool>,
}

impl<'a> TypeContext<'a> {
    /// Builds the context for `api`.
    pub fn new(api: &'a Api) -> Self {
        let mut context = Self {
            api,
            defaultable: HashMap::new(),
        };
        for id in 0..api.types.len() {
            context.compute_default(id, &mut Vec::new());
        }
        context
    }

    fn compute_default(&mut self, id: TypeId, visiting: &mut Vec<TypeId>) -> bool {
        if let Some(known) = self.defaultable.get(&id) {
            return *known;
        }
        if visiting.contains(&id) {
            return false;
        }
        visiting.push(id);
        let result = match self.api.types.get(id).map(|t| &t.kind) {
            Some(TypeKind::Struct(s)) => s
                .fields
                .iter()
                .all(|f| !f.required || f.nullable || self.ref_default(&f.ty.clone(), visiting)),
            Some(TypeKind::Alias(ty)) => self.ref_default(&ty.clone(), visiting),
            _ => false,
        };
        visiting.pop();
        self.defaultable.insert(id, result);
        result
    }

    fn ref_default(&mut self, ty: &TypeRef, visiting: &mut Vec<TypeId>) -> bool {
        match ty {
            TypeRef::Date | TypeRef::DateTime => false,
            TypeRef::Named(id) => self.compute_default(*id, visiting),
            _ => true,
        }
    }

    /// Whether type `id` can derive `Default`.
    pub fn is_default(&self, id: TypeId) -> bool {
        self.defaultable.get(&id).copied().unwrap_or(false)
    }

    /// Tokens for `ty` as written inside the `types` module (`in_types`) or elsewhere (`types::X`).
    pub fn tokens(&self, ty: &TypeRef, in_types: bool) -> TokenStream {
        match ty {
            TypeRef::String => quote!(String),
            TypeRef::Date => quote!(chrono::NaiveDate),
            TypeRef::DateTime => quote!(chrono::DateTime<chrono::Utc>),
            TypeRef::Integer { bits: 32 } => quote!(i32),
            TypeRef::Integer { .. } => quote!(i64),
            TypeRef::Number { bits: 32 } => quote!(f32),
            TypeRef::Number { .. } => quote!(f64),
            TypeRef::Boolean => quote!(bool),
            TypeRef::Any => quote!(serde_json::Value),
            TypeRef::Bytes => quote!(Vec<u8>),
            TypeRef::Named(id) => {
                let name = ident(
                    self.api
                        .types
                        .get(*id)
                        .map_or("Unknown", |t| t.name.as_str()),
                );
                if in_types {
                    quote!(#name)
                } else {
                    quote!(types::#name)
                }
            }
            TypeRef::Array(inner) => {
                let inner = self.tokens(inner, in_types);
                quote!(Vec<#inner>)
            }
            TypeRef::Map(inner) if **inner == TypeRef::Any => {
                quote!(serde_json::Map<String, serde_json::Value>)
            }
            TypeRef::Map(inner) => {
                let inner = self.tokens(inner, in_types);
                quote!(std::collections::BTreeMap<String, #inner>)
            }
            TypeRef::Nullable(inner) => {
                let inner = self.tokens(inner, in_types);
                quote!(Option<#inner>)
            }
        }
    }
}

/// An identifier from an already sanitised name.
pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The whole `types.rs` module body.
pub fn emit_types(api: &Api, context: &TypeContext<'_>) -> TokenStream {
    let title = format!(
        " Data types of the {}, one per schema in the spec.",
        super::api_name(&api.title)
    );
    let imports = (!api.types.is_empty()).then(|| {
        quote!(
            use serde::{Deserialize, Serialize};
        )
    });
    let items = api
        .types
        .iter()
        .enumerate()
        .map(|(id, def)| emit_type(id, def, context));
    quote! {
        #![doc = #title]
        #![allow(clippy::large_enum_variant)]

        #imports

        #(#items)*
    }
}

fn type_doc(def: &TypeDef) -> TokenStream {
    let origin = match &def.original_name {
        Some(name) => format!("Schema `{name}`."),
        None => format!("Inline schema at `{}`.", def.pointer),
    };
    doc_attrs(&paragraphs([
        def.doc.as_deref().map(spec).as_deref(),
        Some(origin.as_str()),
    ]))
}

fn emit_type(id: TypeId, def: &TypeDef, context: &TypeContext<'_>) -> TokenStream {
    let name = ident(&def.name);
    let doc = type_doc(def);
    match &def.kind {
        TypeKind::Struct(s) => emit_struct(&name, doc, s, context.is_default(id), context),
        TypeKind::StringEnum(variants) => emit_string_enum(&name, doc, variants),
        TypeKind::Union(variants) => emit_union(&name, doc, variants, context),
        TypeKind::Alias(ty) => {
            let ty = context.tokens(ty, true);
            quote!(#doc pub type #name = #ty;)
        }
    }
}

fn emit_struct(
    name: &Ident,
    doc: TokenStream,
    s: &StructType,
    derive_default: bool,
    context: &TypeContext<'_>,
) -> TokenStream {
    let default = derive_default.then(|| quote!(Default,));
    let fields = s.fields.iter().map(|f| emit_field(f, context));
    let (extra_field, extra_methods) = match &s.extra {
        ExtraFields::Forbidden => (quote!(), quote!()),
        ExtraFields::Any { rust_name } | ExtraFields::Typed { rust_name, .. } => {
            let field = ident(rust_name);
            let value_ty = match &s.extra {
                ExtraFields::Typed { ty, .. } => context.tokens(ty, true),
                _ => quote!(serde_json::Value),
            };
            let map_ty = match &s.extra {
                ExtraFields::Typed { .. } => quote!(std::collections::BTreeMap<String, #value_ty>),
                _ => quote!(serde_json::Map<String, serde_json::Value>),
            };
            let getter = field.clone();
            (
                quote! {
                    /// Properties the spec does not declare (such as tenant custom fields), kept as received so they survive a round trip.
                    #[serde(flatten)]
                    pub #field: #map_ty,
                },
                quote! {
                    impl #name {
                        /// An undeclared property by its JSON name, if the server sent it.
                        pub fn #getter(&self, name: &str) -> Option<&#value_ty> {
                            self.#field.get(name)
                        }
                    }
                },
            )
        }
    };
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, #default Serialize, Deserialize)]
        pub struct #name {
            #(#fields)*
            #extra_field
        }

        #extra_methods
    }
}

fn emit_field(field: &Field, context: &TypeContext<'_>) -> TokenStream {
    let name = ident(&field.rust_name);
    let json_name = &field.json_name;
    let mut inner = context.tokens(&field.ty, true);
    if field.boxed {
        inner = quote!(Box<#inner>);
    }
    let optional = !field.required || field.nullable;
    let ty = if optional {
        quote!(Option<#inner>)
    } else {
        inner
    };
    let mut serde_args = Vec::new();
    if field.rust_name != field.json_name {
        serde_args.push(quote!(rename = #json_name));
    }
    if optional {
        serde_args.push(quote!(default));
    }
    if !field.required {
        serde_args.push(quote!(skip_serializing_if = "Option::is_none"));
    }
    let with = match (&field.ty, optional) {
        (TypeRef::Date, false) => Some("crate::dates::date"),
        (TypeRef::Date, true) => Some("crate::dates::option_date"),
        (TypeRef::DateTime, false) => Some("crate::dates::date_time"),
        (TypeRef::DateTime, true) => Some("crate::dates::option_date_time"),
        _ => None,
    };
    if let Some(with) = with.filter(|_| !field.boxed) {
        serde_args.push(quote!(with = #with));
    }
    let serde_attr = (!serde_args.is_empty()).then(|| quote!(#[serde(#(#serde_args),*)]));
    let fallback = format!("The `{json_name}` property.");
    let doc = doc_attrs(
        &field
            .doc
            .as_deref()
            .filter(|d| !d.trim().is_empty())
            .map_or(fallback, spec),
    );
    let deprecated = field.deprecated.then(|| quote!(#[deprecated]));
    quote! {
        #doc
        #deprecated
        #serde_attr
        pub #name: #ty,
    }
}

fn emit_string_enum(
    name: &Ident,
    doc: TokenStream,
    variants: &[crate::ir::EnumVariant],
) -> TokenStream {
    let idents: Vec<Ident> = variants.iter().map(|v| ident(&v.rust_name)).collect();
    let values: Vec<&str> = variants.iter().map(|v| v.value.as_str()).collect();
    let variant_docs = values.iter().map(|v| format!(" `{}`", v.replace('`', "'")));
    quote! {
        #doc
        ///
        /// Values this version of the crate does not know arrive as [`Self::Unknown`] and are sent back unchanged.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #( #[doc = #variant_docs] #idents, )*
            /// A value the spec did not list when this crate was generated.
            Unknown(String),
        }

        impl #name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#idents => #values, )*
                    Self::Unknown(value) => value,
                }
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #( #values => Self::#idents, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl std::str::FromStr for #name {
            type Err = std::convert::Infallible;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
                Ok(Self::from(value.as_ref()))
            }
        }
    }
}

fn emit_union(
    name: &Ident,
    doc: TokenStream,
    variants: &[UnionVariant],
    context: &TypeContext<'_>,
) -> TokenStream {
    let arms = variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let ty = context.tokens(&v.ty, true);
        let ty = if v.boxed { quote!(Box<#ty>) } else { ty };
        let doc = format!(" A `{}` value.", v.rust_name);
        quote!(#[doc = #doc] #variant(#ty),)
    });
    quote! {
        #doc
        ///
        /// Decoded as the first alternative that matches.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(untagged)]
        pub enum #name {
            #(#arms)*
        }
    }
}
