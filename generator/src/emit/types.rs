//! IR types → `types.rs`: structs, forward-compatible enums, unions and aliases.

use std::collections::HashMap;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::docs::{doc_attrs, paragraphs, spec};
use super::layout;
use super::runtime::{
    DATES_DATE, DATES_DATE_TIME, DATES_OPTION_DATE, DATES_OPTION_DATE_TIME, EXTRA,
    RANK_ALTERNATIVES, SHAPE,
};
use super::tag_features::{Features, gate_items};
use crate::ir::{
    Api, Conversion, ExtraFields, Field, FieldSource, StructType, TypeDef, TypeId, TypeKind,
    TypeRef, UnionVariant,
};

/// Answers analysis questions about the type space ("can this derive `Default`?") in one place.
pub struct TypeContext<'a> {
    api: &'a Api,
    defaultable: HashMap<TypeId, bool>,
    /// Outcome unions (several 2xx bodies): their variants' statuses, decoded by status.
    outcomes: HashMap<TypeId, &'a [(u16, String)]>,
    /// The name of each defined type by the spec location it comes from, for docs that say
    /// where an inline type lives in words (`the where property of SearchRequest`).
    by_pointer: HashMap<&'a str, &'a str>,
}

impl<'a> TypeContext<'a> {
    /// The API the context describes.
    pub fn api(&self) -> &'a Api {
        self.api
    }

    /// Builds the context for `api`.
    pub fn new(api: &'a Api) -> Self {
        let mut context = Self {
            api,
            defaultable: HashMap::new(),
            outcomes: HashMap::new(),
            by_pointer: api
                .defined_types()
                .map(|(_, def)| (def.pointer.as_str(), def.name.as_str()))
                .collect(),
        };
        for operation in &api.operations {
            if let Some(TypeRef::Named(id)) = &operation.response.ty {
                if !operation.response.by_status.is_empty() {
                    context
                        .outcomes
                        .insert(*id, operation.response.by_status.as_slice());
                }
            }
        }
        for (id, _) in api.defined_types() {
            context.compute_default(id, &mut Vec::new());
        }
        context
    }

    fn compute_default(&mut self, id: TypeId, visiting: &mut Vec<TypeId>) -> bool {
        if let Some(known) = self.defaultable.get(&id) {
            return *known;
        }
        // Deep alias chains are cut short (no `Default`) rather than recursing without bound.
        if visiting.len() > 64 || visiting.contains(&id) {
            return false;
        }
        visiting.push(id);
        let result = match self.api.type_def(id).map(|t| &t.kind) {
            Some(TypeKind::Struct(s)) => s
                .fields
                .iter()
                .all(|f| !f.required || f.nullable || self.ref_default(&f.ty.clone(), visiting)),
            Some(TypeKind::Alias(ty)) => self.ref_default(&ty.clone(), visiting),
            Some(TypeKind::Merged(target)) => self.compute_default(*target, visiting),
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

    /// The JSON shape of `ty`, as a `runtime::Shape` expression (for choosing union alternatives).
    /// `tag` is the union's discriminator property and the values that select this alternative.
    pub fn shape(&self, ty: &TypeRef, tag: Option<&(String, Vec<String>)>) -> TokenStream {
        let tag = match tag {
            Some((property, values)) => quote!(Some((#property, &[#(#values),*]))),
            None => quote!(None),
        };
        self.shape_at(ty, &tag, 0)
    }

    fn shape_at(&self, ty: &TypeRef, tag: &TokenStream, depth: usize) -> TokenStream {
        match ty {
            TypeRef::String | TypeRef::Date | TypeRef::DateTime | TypeRef::Bytes => {
                quote!(#SHAPE::String)
            }
            TypeRef::Integer { .. } => quote!(#SHAPE::Integer),
            TypeRef::Number { .. } => quote!(#SHAPE::Number),
            TypeRef::Boolean => quote!(#SHAPE::Boolean),
            TypeRef::Array(_) => quote!(#SHAPE::Array),
            TypeRef::Nullable(inner) => self.shape_at(inner, tag, depth + 1),
            TypeRef::Any | TypeRef::Map(_) => quote!(#SHAPE::Any),
            TypeRef::Named(id) if depth < 16 => match self.api.type_def(*id).map(|t| &t.kind) {
                Some(TypeKind::Struct(s)) => {
                    let required = s.fields.iter().filter(|f| f.required).map(|f| &f.json_name);
                    let declared = s.fields.iter().map(|f| &f.json_name);
                    let closed = matches!(s.extra, ExtraFields::Forbidden);
                    quote!(#SHAPE::Object { required: &[#(#required),*], declared: &[#(#declared),*], closed: #closed, tag: #tag })
                }
                Some(TypeKind::StringEnum(_)) => quote!(#SHAPE::String),
                Some(TypeKind::Alias(inner)) => self.shape_at(inner, tag, depth + 1),
                Some(TypeKind::Merged(target)) => {
                    self.shape_at(&TypeRef::Named(*target), tag, depth + 1)
                }
                Some(TypeKind::Union(variants)) => {
                    // A nested union fits as well as the best of its own alternatives.
                    let members = variants.iter().map(|variant| {
                        let member_tag = match &variant.tag {
                            Some((property, values)) => quote!(Some((#property, &[#(#values),*]))),
                            None => tag.clone(),
                        };
                        self.shape_at(&variant.ty, &member_tag, depth + 1)
                    });
                    quote!(#SHAPE::OneOf(&[#(#members),*]))
                }
                None => quote!(#SHAPE::Any),
            },
            TypeRef::Named(_) => quote!(#SHAPE::Any),
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
                // Lowering checked every id; a merged copy is written as the type it became.
                let name = match self.api.type_def(*id) {
                    Some(TypeDef {
                        kind: TypeKind::Merged(target),
                        ..
                    }) => self.api.type_def(*target),
                    def => def,
                }
                .map_or_else(|| ident("__DanglingTypeId"), |t| ident(&t.name));
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

/// Part `index` of `count` of `types.rs`, for formatting a large file on several threads: the
/// first part has the module's header, the types are cut into `count` runs in order, and the
/// last part has the filters and conversions. The parts' formatted texts, joined by blank
/// lines, are the whole file.
pub fn emit_types_part(
    api: &Api,
    context: &TypeContext<'_>,
    features: Option<&Features>,
    index: usize,
    count: usize,
) -> Result<TokenStream, crate::Error> {
    let defined: Vec<_> = api.defined_types().collect();
    let (start, end) = (
        defined.len() * index / count,
        defined.len() * (index + 1) / count,
    );
    let items = defined[start..end].iter().map(|&(id, def)| {
        let cfg = features.and_then(|f| f.type_cfg(id));
        gate_items(emit_type(id, def, context), cfg.as_ref())
    });
    let items = quote!(#(#items)*);
    let last = if index + 1 == count {
        trailing_items(api, context, features)?
    } else {
        TokenStream::new()
    };
    if index > 0 {
        return Ok(quote!(#items #last));
    }
    let title = format!(
        " Data types of the {}, one per schema in the spec.",
        super::api_name(&api.title)
    );
    // With tag features every type may be left out of a build, and its imports unused.
    let gated = features.map(|_| quote!(#[allow(unused_imports)]));
    let imports = (!api.types.is_empty()).then(|| {
        quote!(
            #gated
            use serde::{Deserialize, Serialize};

            #[allow(unused_imports)]
            use crate::runtime;
        )
    });
    Ok(quote! {
        #![doc = #title]
        #![allow(clippy::large_enum_variant)]
        // A property the spec does not describe has no doc, rather than a filler one.
        #![allow(missing_docs)]

        #imports

        #items
        #last
    })
}

/// The filters' and conversions' items, after the types.
fn trailing_items(
    api: &Api,
    context: &TypeContext<'_>,
    features: Option<&Features>,
) -> Result<TokenStream, crate::Error> {
    let filters = api
        .filters
        .iter()
        .map(|f| {
            let cfg = features.and_then(|features| features.type_cfg(f.filter_type));
            emit_filter(api, f, context).map(|items| gate_items(items, cfg.as_ref()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let conversions = api.conversions.iter().filter_map(|c| {
        let cfg = features.and_then(|f| f.types_cfg(&[c.from, c.to]));
        emit_conversion(api, c).map(|items| gate_items(items, cfg.as_ref()))
    });
    Ok(quote!(#(#filters)* #(#conversions)*))
}

/// `From<&Record> for Input`, or `TryFrom` when a field the input requires is optional in the
/// record.
fn emit_conversion(api: &Api, conversion: &Conversion) -> Option<TokenStream> {
    let (from_def, to_def) = (api.type_def(conversion.from)?, api.type_def(conversion.to)?);
    let (TypeKind::Struct(from), TypeKind::Struct(to)) = (&from_def.kind, &to_def.kind) else {
        return None;
    };
    let (from_name, to_name) = (ident(&from_def.name), ident(&to_def.name));
    let (from_text, to_text) = (
        from_def.name.trim_start_matches("r#"),
        to_def.name.trim_start_matches("r#"),
    );
    let fallible = conversion
        .fields
        .iter()
        .any(|source| matches!(source, FieldSource::Required(_)));
    let extra_name = match &to.extra {
        ExtraFields::Any { rust_name } | ExtraFields::Typed { rust_name, .. } => Some(rust_name),
        ExtraFields::Forbidden => None,
    };
    let mut declared = to.fields.iter();
    let inits = conversion.fields.iter().filter_map(|source| {
        let (target, value) = match source {
            FieldSource::EmptyExtra => {
                let name = ident(extra_name?);
                return Some(quote!(#name: Default::default(),));
            }
            FieldSource::Same(index) | FieldSource::Some(index) | FieldSource::Required(index) => {
                let found = from.fields.get(*index)?;
                let field = ident(&found.rust_name);
                (declared.next()?, quote!(value.#field.clone()))
            }
        };
        let name = ident(&target.rust_name);
        Some(match source {
            FieldSource::Some(_) => quote!(#name: Some(#value),),
            FieldSource::Required(_) => {
                let json_name = &target.json_name;
                quote!(#name: #value.ok_or_else(|| missing(#json_name))?,)
            }
            _ => quote!(#name: #value,),
        })
    });
    let doc = format!(
        " A fetched [`{from_text}`] as the [`{to_text}`] that updates it: every field of the same name, copied. Undeclared properties (`extra`) start empty, since a record's may include ones only the server writes: copy those you mean to send."
    );
    Some(if fallible {
        let errors = format!(
            " [`Error::Encode`](crate::Error::Encode) naming the first field `{to_text}` requires that the record lacks."
        );
        let missing = format!("`{from_text}` has no `{{field}}`, which `{to_text}` requires");
        quote! {
            #[doc = #doc]
            ///
            /// # Errors
            ///
            #[doc = #errors]
            impl TryFrom<&#from_name> for #to_name {
                type Error = crate::Error;

                // Fields are copied alike, whatever their type.
                #[allow(clippy::clone_on_copy)]
                fn try_from(value: &#from_name) -> Result<Self, Self::Error> {
                    let missing = |field: &str| crate::Error::Encode(format!(#missing));
                    Ok(Self { #(#inits)* })
                }
            }
        }
    } else {
        quote! {
            #[doc = #doc]
            impl From<&#from_name> for #to_name {
                #[allow(clippy::clone_on_copy)]
                fn from(value: &#from_name) -> Self {
                    Self { #(#inits)* }
                }
            }
        }
    })
}

fn type_doc(def: &TypeDef, context: &TypeContext<'_>) -> TokenStream {
    doc_attrs(&type_doc_text(def, context))
}

fn type_doc_text(def: &TypeDef, context: &TypeContext<'_>) -> String {
    let origin = match &def.original_name {
        Some(name) => format!("Schema `{name}`."),
        None => match describe_location(&def.pointer, context, 0) {
            Some(place) => format!("{} (an inline schema).", capitalise(&place)),
            None => format!("Inline schema at `{}`.", def.pointer),
        },
    };
    paragraphs([
        def.doc.as_deref().map(spec).as_deref(),
        Some(origin.as_str()),
    ])
}

/// Where a schema lives, in words: `the `where` property of [`SearchRequest`]`, `the 200
/// response of `POST /ctas/search``; `None` for a location this cannot word.
fn describe_location(pointer: &str, context: &TypeContext<'_>, depth: usize) -> Option<String> {
    if depth > 0 {
        if let Some(name) = context.by_pointer.get(pointer) {
            let name = name.trim_start_matches("r#");
            return Some(format!("[`{name}`]"));
        }
    }
    if depth > 8 {
        return None;
    }
    let (parent, last) = pointer.rsplit_once('/')?;
    let last = crate::pointer::unescape_token(last);
    let parent_words = || describe_location(parent, context, depth + 1);
    if let Some((grandparent, kind)) = parent.rsplit_once('/') {
        match kind {
            "properties" => {
                return Some(format!(
                    "the `{last}` property of {}",
                    describe_location(grandparent, context, depth + 1)?
                ));
            }
            "allOf" | "oneOf" | "anyOf" => {
                let index: usize = last.parse().ok()?;
                return Some(format!(
                    "alternative {} of {}",
                    index + 1,
                    describe_location(grandparent, context, depth + 1)?
                ));
            }
            _ => {}
        }
    }
    match last.as_str() {
        "items" => Some(format!("an item of {}", parent_words()?)),
        "additionalProperties" => Some(format!("a value of {}", parent_words()?)),
        "schema" => describe_operation_part(parent),
        _ => None,
    }
}

/// `…/paths/{path}/{method}/requestBody/content/{type}` and the like, in words.
fn describe_operation_part(pointer: &str) -> Option<String> {
    let tokens: Vec<String> = pointer
        .strip_prefix("#/paths/")?
        .split('/')
        .map(crate::pointer::unescape_token)
        .collect();
    let (path, method) = (tokens.first()?, tokens.get(1)?.to_uppercase());
    let operation = format!("`{method} {path}`");
    match tokens.get(2..)? {
        [body, content, _] if body == "requestBody" && content == "content" => {
            Some(format!("the request body of {operation}"))
        }
        [responses, status, content, _] if responses == "responses" && content == "content" => {
            Some(format!("the {status} response of {operation}"))
        }
        _ => None,
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn emit_type(id: TypeId, def: &TypeDef, context: &TypeContext<'_>) -> TokenStream {
    let name = ident(&def.name);
    if let TypeKind::Struct(s) = &def.kind {
        return emit_struct(&name, def, s, context.is_default(id), context);
    }
    let doc = type_doc(def, context);
    match &def.kind {
        TypeKind::Struct(_) => quote!(),
        TypeKind::StringEnum(variants) => emit_string_enum(&name, doc, variants),
        TypeKind::Union(variants) => match context.outcomes.get(&id) {
            Some(statuses) => emit_outcome(&name, doc, variants, statuses, context),
            None => emit_union(&name, doc, variants, context),
        },
        TypeKind::Alias(ty) => {
            let ty = context.tokens(ty, true);
            quote!(#doc pub type #name = #ty;)
        }
        TypeKind::Merged(_) => quote!(),
    }
}

/// `new` with the required properties (when there are any) and, when the config asks, a `with_`
/// setter per optional one.
fn emit_constructors(
    s: &StructType,
    derive_default: bool,
    with_setters: bool,
    context: &TypeContext<'_>,
) -> TokenStream {
    let arg = |f: &Field| -> (TokenStream, TokenStream) {
        let name = ident(&f.rust_name);
        let ty = setter_arg_type(f, context);
        let value = match &f.ty {
            TypeRef::String => quote!(#name.into()),
            _ => quote!(#name),
        };
        let value = if f.boxed {
            quote!(Box::new(#value))
        } else {
            value
        };
        (quote!(#name: #ty), value)
    };
    let required: Vec<&Field> = s.fields.iter().filter(|f| is_required(f)).collect();
    let constructor = (!required.is_empty()).then(|| {
        let params = required.iter().map(|f| arg(f).0);
        // With a derived `Default`, the optional properties and the undeclared ones are its.
        let inits = s
            .fields
            .iter()
            .filter(|f| is_required(f) || !derive_default)
            .map(|f| {
                let name = ident(&f.rust_name);
                if !is_required(f) {
                    return quote!(#name: None,);
                }
                // Taken as it is stored: the shorthand `name,`.
                if f.ty != TypeRef::String && !f.boxed {
                    return quote!(#name,);
                }
                let value = arg(f).1;
                quote!(#name: #value,)
            });
        let defaulted =
            required.len() < s.fields.len() || !matches!(s.extra, ExtraFields::Forbidden);
        let extra = match &s.extra {
            _ if derive_default && defaulted => quote!(..Default::default()),
            ExtraFields::Forbidden => quote!(),
            ExtraFields::Any { rust_name } | ExtraFields::Typed { rust_name, .. } => {
                let name = ident(rust_name);
                quote!(#name: Default::default(),)
            }
        };
        let deprecated_fields = s
            .fields
            .iter()
            .any(|f| f.deprecated)
            .then(|| quote!(#[allow(deprecated)]));
        // Clippy's limit is seven arguments.
        let too_many = (required.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
        quote! {
            /// Creates a value from its required properties; optional ones start unset.
            #too_many
            #deprecated_fields
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits)* #extra }
            }
        }
    });
    let setters = s
        .fields
        .iter()
        .filter(|f| with_setters && !is_required(f))
        .map(|f| {
            let name = ident(&f.rust_name);
            let setter = ident(&f.setter);
            let (param, value) = arg(f);
            let doc = format!(" Sets `{}`.", f.json_name);
            // The setter of a deprecated property is deprecated too, and may use the field.
            let deprecated = f
                .deprecated
                .then(|| quote!(#[deprecated] #[allow(deprecated)]));
            quote! {
                #[doc = #doc]
                #deprecated
                #[must_use]
                pub fn #setter(mut self, #param) -> Self {
                    self.#name = Some(#value);
                    self
                }
            }
        });
    quote!(#constructor #(#setters)*)
}

/// A property without a value until set: no constructor argument, and a setter when asked.
fn is_required(f: &Field) -> bool {
    f.required && !f.nullable
}

/// What a constructor or setter takes for `f`: any string-like value for text, else its type.
fn setter_arg_type(f: &Field, context: &TypeContext<'_>) -> TokenStream {
    match &f.ty {
        TypeRef::String => quote!(impl Into<String>),
        other => context.tokens(other, true),
    }
}

fn emit_struct(
    name: &Ident,
    def: &TypeDef,
    s: &StructType,
    derive_default: bool,
    context: &TypeContext<'_>,
) -> TokenStream {
    let with_setters = context.api.with_setters;
    let (ExtraFields::Any { rust_name: extra }
    | ExtraFields::Typed {
        rust_name: extra, ..
    }) = &s.extra
    else {
        // Nothing kept aside: serde's derives, with an attribute where a field needs one.
        let doc = type_doc(def, context);
        let default = derive_default.then(|| quote!(Default,));
        let fields = s.fields.iter().map(|f| emit_field(f, context));
        let constructors = emit_constructors(s, derive_default, with_setters, context);
        let inherent = (!constructors.is_empty()).then(|| quote!(impl #name { #constructors }));
        return quote! {
            #doc
            #[derive(Debug, Clone, PartialEq, #default Serialize, Deserialize)]
            pub struct #name {
                #(#fields)*
            }

            #inherent
        };
    };
    // `serde_struct!` declares the struct, its serde impls and its setters from one field list.
    // Its body is laid out here, as a person would write it: `prettyplease` would print a
    // macro's tokens unformatted. The text travels as a string literal that
    // `layout::expand_declarations` puts in place after formatting.
    let declaration = serde_struct_declaration(name, def, s, extra, derive_default, context);
    let declaration = proc_macro2::Literal::string(&declaration);
    let constructors = emit_constructors(s, derive_default, false, context);
    let inherent = (!constructors.is_empty()).then(|| quote!(impl #name { #constructors }));
    quote! {
        serde_struct!(#declaration);

        #inherent
    }
}

/// The body of a struct's `serde_struct! { .. }`: its docs and derives, then per field its
/// docs, declaration, kind, JSON name and setter, then the field keeping the rest.
fn serde_struct_declaration(
    name: &Ident,
    def: &TypeDef,
    s: &StructType,
    extra: &str,
    derive_default: bool,
    context: &TypeContext<'_>,
) -> String {
    let mut out = String::new();
    push_doc_lines(&mut out, "", &type_doc_text(def, context));
    let default = if derive_default { ", Default" } else { "" };
    out.push_str(&format!(
        "#[derive(Debug, Clone, PartialEq{default})]\npub struct {name} {{\n"
    ));
    for f in &s.fields {
        if let Some(doc) = f.doc.as_deref().filter(|d| !d.trim().is_empty()) {
            push_doc_lines(&mut out, "    ", &spec(doc));
        }
        if f.deprecated {
            out.push_str("    #[deprecated]\n");
        }
        let date = matches!(f.ty, TypeRef::Date | TypeRef::DateTime) && !f.boxed;
        let kind = match (f.required, f.nullable) {
            (false, _) => "optional",
            (true, true) => "nullable",
            (true, false) => "required",
        };
        let setter = (context.api.with_setters && !is_required(f)).then(|| {
            let arg = layout::type_text(&setter_arg_type(f, context));
            format!(", {}: {arg}", f.setter)
        });
        let left = format!(
            "    pub {}: {} =",
            ident(&f.rust_name),
            layout::type_text(&field_type(f, context))
        );
        let right = format!(
            "{kind}{}({}{}),",
            if date { "_date" } else { "" },
            proc_macro2::Literal::string(&f.json_name),
            setter.unwrap_or_default()
        );
        // The macro's body is indented once more: lines up to 100 columns, as rustfmt's.
        let separator = if 4 + left.len() + 1 + right.len() <= 100 {
            " "
        } else {
            "\n        "
        };
        out.push_str(&format!("{left}{separator}{right}\n"));
    }
    let extra_ty = layout::type_text(&extra_map_type(&s.extra, context));
    out.push_str(&format!("    ..{}: {extra_ty}\n}}", ident(extra)));
    out
}

/// `text`'s lines as `///` comments indented by `indent`, as `prettyplease` prints doc attributes.
fn push_doc_lines(out: &mut String, indent: &str, text: &str) {
    for line in text.lines() {
        out.push_str(indent);
        out.push_str("///");
        if !line.is_empty() {
            out.push(' ');
            out.push_str(line);
        }
        out.push('\n');
    }
}

/// `Deserialize` for a struct that keeps undeclared properties: declared ones are matched by
/// name without allocating and decoded in place; the rest go into the `extra` map.
/// The runtime macros `types.rs` calls: `serde_struct!` for structs keeping undeclared
/// properties, `string_enum!` for string enums.
pub fn runtime_macros(api: &Api) -> Vec<&'static str> {
    let keeps_extra = api.types.iter().any(|def| {
        matches!(&def.kind, TypeKind::Struct(s) if !matches!(s.extra, ExtraFields::Forbidden))
    });
    let string_enums = api
        .types
        .iter()
        .any(|def| matches!(def.kind, TypeKind::StringEnum(_)));
    let filters = !api.filters.is_empty();
    [
        (keeps_extra, "serde_struct"),
        (string_enums, "string_enum"),
        (filters, "filter_conditions"),
        (filters, "filter_builder"),
    ]
    .into_iter()
    .filter_map(|(used, name)| used.then_some(name))
    .collect()
}

/// The type of a struct's field for properties beyond the declared ones: the spec's
/// `additionalProperties` type as a map, or the runtime's `Extra` for anything else.
fn extra_map_type(extra: &ExtraFields, context: &TypeContext<'_>) -> TokenStream {
    match extra {
        ExtraFields::Typed { ty, .. } => {
            let value_ty = context.tokens(ty, true);
            quote!(std::collections::BTreeMap<String, #value_ty>)
        }
        _ => quote!(#EXTRA),
    }
}

/// A field's type: `Option` unless the property is required and not nullable.
fn field_type(field: &Field, context: &TypeContext<'_>) -> TokenStream {
    let mut inner = context.tokens(&field.ty, true);
    if field.boxed {
        inner = quote!(Box<#inner>);
    }
    if is_required(field) {
        inner
    } else {
        quote!(Option<#inner>)
    }
}

/// A field of a struct deriving serde's traits, with the serde attributes it needs.
fn emit_field(field: &Field, context: &TypeContext<'_>) -> TokenStream {
    let name = ident(&field.rust_name);
    let json_name = &field.json_name;
    let ty = field_type(field, context);
    let optional = !is_required(field);
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
        (TypeRef::Date, false) => Some(DATES_DATE),
        (TypeRef::Date, true) => Some(DATES_OPTION_DATE),
        (TypeRef::DateTime, false) => Some(DATES_DATE_TIME),
        (TypeRef::DateTime, true) => Some(DATES_OPTION_DATE_TIME),
        _ => None,
    };
    if let Some(with) = with.filter(|_| !field.boxed) {
        let with = with.path();
        serde_args.push(quote!(with = #with));
    }
    let serde_attr = (!serde_args.is_empty()).then(|| quote!(#[serde(#(#serde_args),*)]));
    let doc = field
        .doc
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .map(|d| doc_attrs(&spec(d)));
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
        /// Values this version of the crate does not know arrive as [`Self::Unknown`] and are sent back
        /// unchanged; the enum is non-exhaustive because the API may add values.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #( #[doc = #variant_docs] #idents, )*
            /// A value the spec did not list when this crate was generated.
            Unknown(String),
        }

        string_enum!(#name, #(#idents = #values),*);
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
    let shapes = variants
        .iter()
        .map(|v| context.shape(&v.ty, v.tag.as_ref()));
    let tries = variants.iter().enumerate().map(|(index, v)| {
        let variant = ident(&v.rust_name);
        let index = proc_macro2::Literal::usize_unsuffixed(index);
        quote!(#index => Deserialize::deserialize(&value).map(Self::#variant),)
    });
    let expecting = format!(
        "data did not match any alternative of `{}`",
        name.to_string().trim_start_matches("r#")
    );
    quote! {
        #doc
        ///
        /// Decoded as the alternative the value fits best: required properties present, most
        /// declared properties, fewest undeclared ones; ties go to the first.
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[serde(untagged)]
        pub enum #name {
            #(#arms)*
        }

        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                const SHAPES: &[#SHAPE] = &[#(#shapes),*];
                let value = serde_json::Value::deserialize(deserializer)?;
                for index in #RANK_ALTERNATIVES(&value, SHAPES) {
                    let decoded: Result<Self, serde_json::Error> = match index {
                        #(#tries)*
                        _ => continue,
                    };
                    if let Ok(decoded) = decoded {
                        return Ok(decoded);
                    }
                }
                Err(<D::Error as serde::de::Error>::custom(#expecting))
            }
        }
    }
}

/// An operation's success outcome: one variant per status with its own body. The client picks
/// the variant by status, so it is only `Serialize` (for logging or caching), not `Deserialize`.
fn emit_outcome(
    name: &Ident,
    doc: TokenStream,
    variants: &[UnionVariant],
    statuses: &[(u16, String)],
    context: &TypeContext<'_>,
) -> TokenStream {
    let arms = variants.iter().zip(statuses).map(|(v, (code, _))| {
        let variant = ident(&v.rust_name);
        let ty = context.tokens(&v.ty, true);
        let doc = format!(" The body sent with status {code}.");
        quote!(#[doc = #doc] #variant(#ty),)
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[serde(untagged)]
        pub enum #name {
            #(#arms)*
        }
    }
}

/// Per-operator constructors on the condition type and a builder for the filter type.
fn emit_filter(
    api: &Api,
    filter: &crate::ir::Filter,
    context: &TypeContext<'_>,
) -> Result<TokenStream, crate::Error> {
    let type_name = |id: TypeId| api.type_def(id).map_or("Unknown", |t| t.name.as_str());
    for id in [filter.filter_type, filter.condition_type] {
        if !context.is_default(id) {
            return Err(crate::Diagnostic::new(
                api.type_def(id).map_or("#", |t| t.pointer.as_str()),
                format!(
                    "the filter builder needs `{}` to have only optional or defaultable properties",
                    type_name(id)
                ),
            )
            .into());
        }
    }
    let condition = ident(type_name(filter.condition_type));
    let filter_name = ident(type_name(filter.filter_type));
    let builder = ident(&filter.builder_name);
    let operator = ident(type_name(filter.operator_type));
    // A property is wrapped in `Some` when optional, else passed through.
    let wrap = |optional: bool| {
        if optional {
            quote!(Some)
        } else {
            quote!(std::convert::identity)
        }
    };
    let field_field = ident(&filter.field_field.0);
    let operator_field = ident(&filter.operator_field.0);
    let value_field = ident(&filter.value_field.0);
    let (wrap_field, wrap_operator, wrap_value) = (
        wrap(filter.field_field.1),
        wrap(filter.operator_field.1),
        wrap(filter.value_field.1),
    );
    let Some(crate::ir::TypeDef {
        kind: TypeKind::StringEnum(variants),
        ..
    }) = api.type_def(filter.operator_type)
    else {
        return Ok(quote!());
    };
    let value_is_any = filter.value_type == TypeRef::Any;
    let value_ty = context.tokens(&filter.value_type, true);
    let constructors = variants.iter().map(|variant| {
        let method = ident(&crate::naming::snake_ident(&variant.rust_name));
        let variant_ident = ident(&variant.rust_name);
        let wire = &variant.value;
        let list = (filter.list_operators.contains(&variant.rust_name) && value_is_any)
            .then(|| quote!(, list));
        quote!(#method(#variant_ident, #wire #list))
    });
    let conditions_field = ident(&filter.conditions_field);
    let expression_field = ident(&filter.expression_field);
    let wrap_conditions = wrap(filter.conditions_optional);
    let wrap_expression = wrap(filter.expression_optional);
    Ok(quote! {
        filter_conditions!(
            #condition,
            #operator,
            #value_ty,
            #field_field: #wrap_field,
            #operator_field: #wrap_operator,
            #value_field: #wrap_value,
            #(#constructors),*
        );

        filter_builder!(
            #filter_name,
            #builder,
            #condition,
            #conditions_field: #wrap_conditions,
            #expression_field: #wrap_expression,
        );
    })
}
