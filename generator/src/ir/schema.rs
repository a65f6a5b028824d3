//! Lowering of schemas into named types and type references, with deterministic inline names.

use std::collections::{HashMap, HashSet};

use openapiv3::{
    AdditionalProperties, ReferenceOr, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use super::{
    EnumVariant, ExtraFields, Field, StructType, TypeDef, TypeId, TypeKind, TypeRef, UnionVariant,
};
use crate::config::Config;
use crate::error::Diagnostic;
use crate::naming::{NameScope, pascal_ident, snake_ident, type_ident, variant_ident};
use crate::pointer::{lookup_pointer, normalize_pointer, pointer_join, unescape_token};

/// How deep schemas may nest before lowering gives up (guards the stack on hostile specs).
const MAX_DEPTH: usize = 64;

/// How many schema visits lowering may make at least, and per JSON object of the document. Depth
/// limits the stack, not branching: `$ref`s into ever-new pointers can expand exponentially, so
/// total work is bounded too, in proportion to the document (a 47 MB spec legitimately needs more
/// than a small one).
const MIN_VISITS: usize = 200_000;
const VISITS_PER_OBJECT: usize = 2;

/// JSON objects in a document, iteratively (documents may nest deeply).
fn count_objects(root: &Value) -> usize {
    let mut count = 0;
    let mut stack = vec![root];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                count += 1;
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    count
}

/// A schema or a reference to one, borrowed from either of `openapiv3`'s two shapes.
#[derive(Clone, Copy)]
pub enum SchemaOrRef<'a> {
    /// `$ref`.
    Ref(&'a str),
    /// An inline schema.
    Item(&'a Schema),
}

impl<'a> From<&'a ReferenceOr<Schema>> for SchemaOrRef<'a> {
    fn from(value: &'a ReferenceOr<Schema>) -> Self {
        match value {
            ReferenceOr::Reference { reference } => Self::Ref(reference),
            ReferenceOr::Item(schema) => Self::Item(schema),
        }
    }
}

impl<'a> From<&'a ReferenceOr<Box<Schema>>> for SchemaOrRef<'a> {
    fn from(value: &'a ReferenceOr<Box<Schema>>) -> Self {
        match value {
            ReferenceOr::Reference { reference } => Self::Ref(reference),
            ReferenceOr::Item(schema) => Self::Item(schema),
        }
    }
}

/// The type space being built: named types by id, plus the lookups that keep names unique.
pub struct TypeSpace<'a> {
    config: &'a Config,
    raw: &'a Value,
    /// Named types; `None` while a slot is reserved but not yet lowered.
    slots: Vec<Option<TypeDef>>,
    components: HashMap<String, TypeId>,
    /// Lowered `$ref` targets outside `components/schemas`, by normalised pointer.
    resolved_pointers: HashMap<String, TypeRef>,
    /// Named types by the normalised pointer of their schema, registered before their bodies are
    /// lowered, so a `$ref` back into a type being built resolves to it instead of recursing.
    named_at: HashMap<String, TypeId>,
    in_progress: HashSet<String>,
    names: NameScope,
    used_overrides: HashSet<String>,
    depth: usize,
    visits: usize,
    max_visits: usize,
    /// Problems that stop generation.
    pub errors: Vec<Diagnostic>,
    /// Problems worked around.
    pub warnings: Vec<Diagnostic>,
}

impl<'a> TypeSpace<'a> {
    /// An empty type space for a spec whose normalised JSON is `raw`.
    pub fn new(config: &'a Config, raw: &'a Value) -> Self {
        Self {
            config,
            raw,
            slots: Vec::new(),
            components: HashMap::new(),
            resolved_pointers: HashMap::new(),
            named_at: HashMap::new(),
            in_progress: HashSet::new(),
            names: NameScope::default(),
            used_overrides: HashSet::new(),
            depth: 0,
            visits: 0,
            max_visits: MIN_VISITS.max(VISITS_PER_OBJECT.saturating_mul(count_objects(raw))),
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Gives every component schema its name up front, so references resolve in any order.
    pub fn reserve_components(
        &mut self,
        schemas: &indexmap::IndexMap<String, ReferenceOr<Schema>>,
    ) {
        for name in schemas.keys() {
            let pointer = pointer_join("#/components/schemas", name);
            let id = self.reserve(&type_ident(name), &pointer);
            self.components.insert(name.clone(), id);
            self.named_at.insert(pointer, id);
        }
    }

    /// Lowers every component schema into its reserved slot.
    pub fn lower_components(&mut self, schemas: &indexmap::IndexMap<String, ReferenceOr<Schema>>) {
        for (name, schema) in schemas {
            let Some(&id) = self.components.get(name) else {
                continue;
            };
            let pointer = pointer_join("#/components/schemas", name);
            let type_name = self.name_of(id).to_owned();
            let schema = SchemaOrRef::from(schema);
            let kind = match schema {
                SchemaOrRef::Item(item) if self.becomes_named(item) => {
                    self.lower_named_kind(item, &type_name, &pointer)
                }
                _ => TypeKind::Alias(self.lower(schema, &type_name, &pointer)),
            };
            let doc = match schema {
                SchemaOrRef::Item(item) => schema_doc(item),
                SchemaOrRef::Ref(_) => None,
            };
            self.fill(
                id,
                TypeDef {
                    name: type_name,
                    pointer,
                    original_name: Some(name.clone()),
                    doc,
                    kind,
                },
            );
        }
    }

    /// The id of component schema `name`.
    pub fn component(&self, name: &str) -> Option<TypeId> {
        self.components.get(name).copied()
    }

    /// The lowered definition of `id`, when it is filled.
    pub fn get(&self, id: TypeId) -> Option<&TypeDef> {
        self.slots.get(id.index()).and_then(Option::as_ref)
    }

    fn name_of(&self, id: TypeId) -> &str {
        self.slots
            .get(id.index())
            .and_then(|s| s.as_ref())
            .map_or("", |t| t.name.as_str())
    }

    /// Reserves a slot named `candidate` (or the config's name for `pointer`).
    fn reserve(&mut self, candidate: &str, pointer: &str) -> TypeId {
        let wanted = match self.config.type_names.get(pointer) {
            Some(name) if crate::naming::is_type_name(name) => {
                self.used_overrides.insert(pointer.to_owned());
                name.clone()
            }
            Some(name) => {
                self.used_overrides.insert(pointer.to_owned());
                self.errors.push(
                    Diagnostic::new(format!("config:type_names.\"{pointer}\""), format!("`{name}` is not a usable Rust type name"))
                        .with_hint("use UpperCamelCase ASCII letters and digits, not a keyword or prelude name"),
                );
                candidate.to_owned()
            }
            None => candidate.to_owned(),
        };
        let name = self.names.claim(&wanted);
        self.slots.push(Some(TypeDef {
            name,
            pointer: pointer.to_owned(),
            original_name: None,
            doc: None,
            kind: TypeKind::Alias(TypeRef::Any),
        }));
        TypeId::new(self.slots.len() - 1)
    }

    /// Adds a type the generator makes up (not a schema of the spec), named after `candidate`.
    pub fn define(
        &mut self,
        candidate: &str,
        pointer: &str,
        doc: Option<String>,
        kind: TypeKind,
    ) -> TypeId {
        let id = self.reserve(candidate, pointer);
        if let Some(Some(def)) = self.slots.get_mut(id.index()) {
            def.doc = doc;
            def.kind = kind;
        }
        id
    }

    fn fill(&mut self, id: TypeId, def: TypeDef) {
        if let Some(slot) = self.slots.get_mut(id.index()) {
            *slot = Some(def);
        }
    }

    /// Lowers a schema used at `pointer`; `context` is the name an inline type would get.
    pub fn lower(&mut self, schema: SchemaOrRef<'_>, context: &str, pointer: &str) -> TypeRef {
        self.visits += 1;
        if self.visits > self.max_visits {
            if self.visits == self.max_visits + 1 {
                self.errors.push(
                    Diagnostic::new(pointer, format!("lowering visited more than {} schemas; the `$ref` graph expands without bound", self.max_visits))
                        .with_hint("point `$ref`s at named components instead of into other schemas' properties"),
                );
            }
            return TypeRef::Any;
        }
        if self.depth >= MAX_DEPTH {
            self.errors.push(
                Diagnostic::new(
                    pointer,
                    format!("schemas nest deeper than {MAX_DEPTH} levels"),
                )
                .with_hint("flatten the schema with named components"),
            );
            return TypeRef::Any;
        }
        self.depth += 1;
        let lowered = match schema {
            SchemaOrRef::Ref(reference) => self.resolve_ref(reference, pointer),
            SchemaOrRef::Item(item) => self.lower_inline(item, context, pointer),
        };
        self.depth -= 1;
        lowered
    }

    /// A use of the named type `id` made from the schema at `reference`: a `nullable: true`
    /// there belongs to every use (GitHub's `nullable-simple-user`), not to the type itself.
    fn named_use(&self, id: TypeId, reference: &str) -> TypeRef {
        let nullable = lookup_pointer(self.raw, reference)
            .and_then(|target| target.get("nullable"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if nullable {
            TypeRef::Nullable(Box::new(TypeRef::Named(id)))
        } else {
            TypeRef::Named(id)
        }
    }

    /// Resolves a local `$ref`: component schemas by name, anything else by JSON pointer.
    fn resolve_ref(&mut self, reference: &str, pointer: &str) -> TypeRef {
        if let Some(name) = reference.strip_prefix("#/components/schemas/") {
            let name = unescape_token(name);
            if !name.contains('/') {
                return match self.components.get(&name).copied() {
                    Some(id) => self.named_use(id, reference),
                    None => {
                        self.errors.push(
                            Diagnostic::new(
                                pointer,
                                format!("`$ref` target `{reference}` does not exist"),
                            )
                            .with_hint(
                                "add the schema under `components/schemas` or fix the reference",
                            ),
                        );
                        TypeRef::Any
                    }
                };
            }
        }
        if !reference.starts_with('#') {
            self.errors.push(
                Diagnostic::new(
                    pointer,
                    format!("external `$ref` `{reference}` is not supported"),
                )
                .with_hint(
                    "read the spec with `generator::fs::bundle` first (the CLI and `cargo xtask codegen` do), which inlines files beside it; URLs are never fetched",
                ),
            );
            return TypeRef::Any;
        }
        let reference = &normalize_pointer(reference);
        if let Some(&id) = self.named_at.get(reference) {
            return self.named_use(id, reference);
        }
        if let Some(done) = self.resolved_pointers.get(reference) {
            return done.clone();
        }
        if !self.in_progress.insert(reference.to_owned()) {
            // A cycle with no object in it (a list of itself, say) has no finite Rust type.
            self.warnings.push(
                Diagnostic::new(
                    pointer,
                    format!(
                        "`$ref` `{reference}` refers back to itself without an object in between"
                    ),
                )
                .with_hint("typed as a JSON value"),
            );
            return TypeRef::Any;
        }
        let target = lookup_pointer(self.raw, reference)
            .map(|value| serde_json::from_value::<ReferenceOr<Schema>>(value.clone()));
        let lowered = match target {
            Some(Ok(schema)) => {
                let context = reference
                    .rsplit('/')
                    .next()
                    .map(unescape_token)
                    .unwrap_or_default();
                self.lower(SchemaOrRef::from(&schema), &type_ident(&context), reference)
            }
            Some(Err(error)) => {
                self.errors.push(Diagnostic::new(
                    reference,
                    format!("`$ref` target is not a schema: {error}"),
                ));
                TypeRef::Any
            }
            None => {
                self.errors.push(
                    Diagnostic::new(
                        pointer,
                        format!("`$ref` target `{reference}` does not exist"),
                    )
                    .with_hint("fix the reference"),
                );
                TypeRef::Any
            }
        };
        self.in_progress.remove(reference);
        self.resolved_pointers
            .insert(reference.to_owned(), lowered.clone());
        lowered
    }

    /// Whether an inline schema gets a named type of its own (struct, enum or union).
    fn becomes_named(&self, schema: &Schema) -> bool {
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => s.enumeration.iter().any(Option::is_some),
            SchemaKind::Type(Type::Object(o)) => !o.properties.is_empty(),
            SchemaKind::OneOf { one_of: members } | SchemaKind::AnyOf { any_of: members } => {
                members.len() > 1
            }
            SchemaKind::AllOf { all_of } => all_of.len() > 1,
            SchemaKind::Any(any) => {
                !any.properties.is_empty()
                    || any.one_of.len() > 1
                    || any.any_of.len() > 1
                    || any.all_of.len() > 1
                    || (any.enumeration.iter().any(Value::is_string)
                        && any.enumeration.iter().all(|v| v.is_string() || v.is_null()))
            }
            _ => false,
        }
    }

    fn lower_inline(&mut self, schema: &Schema, context: &str, pointer: &str) -> TypeRef {
        let named = self.becomes_named(schema);
        let ty = if let Some(&id) = self.named_at.get(pointer).filter(|_| named) {
            TypeRef::Named(id)
        } else if named {
            let id = self.reserve(context, pointer);
            self.named_at.insert(pointer.to_owned(), id);
            let name = self.name_of(id).to_owned();
            let kind = self.lower_named_kind(schema, &name, pointer);
            self.fill(
                id,
                TypeDef {
                    name,
                    pointer: pointer.to_owned(),
                    original_name: None,
                    doc: schema_doc(schema),
                    kind,
                },
            );
            TypeRef::Named(id)
        } else {
            self.lower_unnamed(schema, context, pointer)
        };
        if schema.schema_data.nullable {
            TypeRef::Nullable(Box::new(ty))
        } else {
            ty
        }
    }

    /// Primitives, lists, maps and single-member compositions, which need no name.
    fn lower_unnamed(&mut self, schema: &Schema, context: &str, pointer: &str) -> TypeRef {
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => match &s.format {
                VariantOrUnknownOrEmpty::Item(StringFormat::Date) => TypeRef::Date,
                VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => TypeRef::DateTime,
                _ => TypeRef::String,
            },
            SchemaKind::Type(Type::Integer(i)) => {
                let bits = if matches!(
                    i.format,
                    VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int32)
                ) {
                    32
                } else {
                    64
                };
                TypeRef::Integer { bits }
            }
            SchemaKind::Type(Type::Number(n)) => {
                let bits = if matches!(
                    n.format,
                    VariantOrUnknownOrEmpty::Item(openapiv3::NumberFormat::Float)
                ) {
                    32
                } else {
                    64
                };
                TypeRef::Number { bits }
            }
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Boolean,
            SchemaKind::Type(Type::Object(o)) => {
                self.lower_map(o.additional_properties.as_ref(), context, pointer)
            }
            SchemaKind::Type(Type::Array(a)) => {
                self.lower_items(a.items.as_ref(), context, pointer)
            }
            SchemaKind::OneOf { one_of: members }
            | SchemaKind::AnyOf { any_of: members }
            | SchemaKind::AllOf { all_of: members } => {
                let keyword = match &schema.schema_kind {
                    SchemaKind::OneOf { .. } => "oneOf",
                    SchemaKind::AnyOf { .. } => "anyOf",
                    _ => "allOf",
                };
                match members.first() {
                    Some(only) => self.lower(
                        SchemaOrRef::from(only),
                        context,
                        &format!("{}/0", pointer_join(pointer, keyword)),
                    ),
                    None => TypeRef::Any,
                }
            }
            SchemaKind::Not { .. } => TypeRef::Any,
            SchemaKind::Any(any) => {
                if let Some(items) = &any.items {
                    let items = SchemaOrRef::from(items);
                    let item = self.lower(
                        items,
                        &format!("{context}Item"),
                        &pointer_join(pointer, "items"),
                    );
                    return TypeRef::Array(Box::new(item));
                }
                // The member is located at its own pointer: at the parent's, an inline member
                // would be taken for the parent itself (a type that is an alias of itself).
                let single = [
                    (&any.one_of, "oneOf"),
                    (&any.any_of, "anyOf"),
                    (&any.all_of, "allOf"),
                ]
                .into_iter()
                .find_map(|(members, key)| members.first().map(|m| (m, key)));
                if let Some((only, key)) = single {
                    let member_pointer = pointer_join(&pointer_join(pointer, key), "0");
                    return self.lower(SchemaOrRef::from(only), context, &member_pointer);
                }
                match any.typ.as_deref() {
                    Some("string") => match any.format.as_deref() {
                        Some("date") => TypeRef::Date,
                        Some("date-time") => TypeRef::DateTime,
                        _ => TypeRef::String,
                    },
                    Some("integer") => TypeRef::Integer { bits: 64 },
                    Some("number") => TypeRef::Number { bits: 64 },
                    Some("boolean") => TypeRef::Boolean,
                    Some("object") => {
                        self.lower_map(any.additional_properties.as_ref(), context, pointer)
                    }
                    Some("array") => TypeRef::Array(Box::new(TypeRef::Any)),
                    _ => TypeRef::Any,
                }
            }
        }
    }

    fn lower_items(
        &mut self,
        items: Option<&ReferenceOr<Box<Schema>>>,
        context: &str,
        pointer: &str,
    ) -> TypeRef {
        let item = match items {
            Some(items) => self.lower(
                SchemaOrRef::from(items),
                &format!("{context}Item"),
                &pointer_join(pointer, "items"),
            ),
            None => TypeRef::Any,
        };
        TypeRef::Array(Box::new(item))
    }

    fn lower_map(
        &mut self,
        additional: Option<&AdditionalProperties>,
        context: &str,
        pointer: &str,
    ) -> TypeRef {
        let value = match additional {
            Some(AdditionalProperties::Schema(schema)) => self.lower(
                SchemaOrRef::from(schema.as_ref()),
                &format!("{context}Value"),
                &pointer_join(pointer, "additionalProperties"),
            ),
            _ => TypeRef::Any,
        };
        TypeRef::Map(Box::new(value))
    }

    /// The body of a named type: struct, enum or union.
    fn lower_named_kind(&mut self, schema: &Schema, name: &str, pointer: &str) -> TypeKind {
        let discriminator = schema.schema_data.discriminator.as_ref();
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => TypeKind::StringEnum(enum_variants(
                s.enumeration.iter().flatten().map(String::as_str),
            )),
            SchemaKind::Type(Type::Object(o)) => TypeKind::Struct(self.lower_struct(
                &o.properties,
                &o.required,
                o.additional_properties.as_ref(),
                name,
                pointer,
            )),
            SchemaKind::OneOf { one_of: members } => self.lower_union(
                members,
                discriminator,
                name,
                &pointer_join(pointer, "oneOf"),
            ),
            SchemaKind::AnyOf { any_of: members } => self.lower_union(
                members,
                discriminator,
                name,
                &pointer_join(pointer, "anyOf"),
            ),
            SchemaKind::AllOf { all_of } => self.lower_all_of(all_of, name, pointer),
            SchemaKind::Any(any) => {
                if !any.properties.is_empty() {
                    TypeKind::Struct(self.lower_struct(
                        &any.properties,
                        &any.required,
                        any.additional_properties.as_ref(),
                        name,
                        pointer,
                    ))
                } else if any.one_of.len() > 1 {
                    self.lower_union(
                        &any.one_of,
                        discriminator,
                        name,
                        &pointer_join(pointer, "oneOf"),
                    )
                } else if any.any_of.len() > 1 {
                    self.lower_union(
                        &any.any_of,
                        discriminator,
                        name,
                        &pointer_join(pointer, "anyOf"),
                    )
                } else if any.all_of.len() > 1 {
                    self.lower_all_of(&any.all_of, name, pointer)
                } else {
                    TypeKind::StringEnum(enum_variants(
                        any.enumeration.iter().filter_map(Value::as_str),
                    ))
                }
            }
            _ => TypeKind::Alias(TypeRef::Any),
        }
    }

    fn lower_struct(
        &mut self,
        properties: &indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &[String],
        additional: Option<&AdditionalProperties>,
        name: &str,
        pointer: &str,
    ) -> StructType {
        let mut field_names = NameScope::default();
        let mut fields = Vec::with_capacity(properties.len());
        for (json_name, property) in properties {
            let property_pointer = pointer_join(&pointer_join(pointer, "properties"), json_name);
            let context = format!("{name}{}", pascal_ident(json_name));
            let property = SchemaOrRef::from(property);
            let lowered = self.lower(property, &context, &property_pointer);
            let (ty, nullable) = match lowered {
                TypeRef::Nullable(inner) => (*inner, true),
                other => (other, false),
            };
            let (doc, deprecated, one_way) = match property {
                SchemaOrRef::Item(item) => (
                    property_doc(item, json_name),
                    item.schema_data.deprecated,
                    item.schema_data.read_only || item.schema_data.write_only,
                ),
                // A `$ref` with a `description` beside it (allowed since 3.1): openapiv3 keeps
                // only the reference, so the sibling is read from the document.
                SchemaOrRef::Ref(_) => {
                    let sibling = lookup_pointer(self.raw, &property_pointer);
                    let doc = sibling
                        .and_then(|node| node.get("description"))
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_owned);
                    let deprecated = sibling
                        .and_then(|node| node.get("deprecated"))
                        .and_then(serde_json::Value::as_bool)
                        .unwrap_or(false);
                    (doc, deprecated, false)
                }
            };
            fields.push(Field {
                json_name: json_name.clone(),
                rust_name: field_names.claim(&snake_ident(json_name)),
                doc,
                ty,
                // One type serves requests and responses: a `readOnly` property is absent from
                // requests and a `writeOnly` one from responses, so neither can be required.
                required: !one_way && required.iter().any(|r| r == json_name),
                nullable,
                boxed: false,
                deprecated,
                setter: String::new(),
            });
        }
        let extra = match additional {
            Some(AdditionalProperties::Any(false)) => ExtraFields::Forbidden,
            Some(AdditionalProperties::Schema(schema)) => {
                let ty = self.lower(
                    SchemaOrRef::from(schema.as_ref()),
                    &format!("{name}Value"),
                    &pointer_join(pointer, "additionalProperties"),
                );
                ExtraFields::Typed {
                    rust_name: field_names.claim("extra"),
                    ty,
                }
            }
            _ => ExtraFields::Any {
                rust_name: field_names.claim("extra"),
            },
        };
        claim_methods(&mut fields);
        StructType { fields, extra }
    }

    fn lower_union(
        &mut self,
        members: &[ReferenceOr<Schema>],
        discriminator: Option<&openapiv3::Discriminator>,
        name: &str,
        pointer: &str,
    ) -> TypeKind {
        // A union of plain string enums is one string enum.
        let mut variant_names = NameScope::default();
        let mut variants = Vec::with_capacity(members.len());
        for (index, member) in members.iter().enumerate() {
            let member_pointer = format!("{pointer}/{index}");
            let ty = self.lower(
                SchemaOrRef::from(member),
                &format!("{name}Variant{index}"),
                &member_pointer,
            );
            // An inline member is named after the union (`{name}Variant0`): its variant drops
            // that prefix, so copies of one union under different names are identical and
            // merge, and `Union::Variant0` does not repeat the union's name.
            let full = self.variant_name(&ty, index);
            let candidate = match full.strip_prefix(name) {
                Some(rest) if rest.starts_with(|c: char| c.is_ascii_uppercase()) => rest.to_owned(),
                _ => full,
            };
            let tag = discriminator.and_then(|d| {
                let ReferenceOr::Reference { reference } = member else {
                    return None;
                };
                Some((d.property_name.clone(), tag_values(d, reference)))
            });
            variants.push(UnionVariant {
                rust_name: variant_names.claim(&candidate),
                ty,
                boxed: false,
                tag,
            });
        }
        TypeKind::Union(variants)
    }

    fn variant_name(&self, ty: &TypeRef, index: usize) -> String {
        match ty {
            TypeRef::Named(id) => self.name_of(*id).to_owned(),
            TypeRef::String => "String".to_owned(),
            TypeRef::Date => "Date".to_owned(),
            TypeRef::DateTime => "DateTime".to_owned(),
            TypeRef::Integer { .. } => "Integer".to_owned(),
            TypeRef::Number { .. } => "Number".to_owned(),
            TypeRef::Boolean => "Boolean".to_owned(),
            TypeRef::Array(inner) => format!("{}List", self.variant_name(inner, index)),
            TypeRef::Map(inner) => format!("{}Map", self.variant_name(inner, index)),
            TypeRef::Nullable(inner) => self.variant_name(inner, index),
            TypeRef::Any | TypeRef::Bytes => format!("Variant{index}"),
        }
    }

    /// `allOf`: the properties of every object member merged into one struct.
    fn lower_all_of(
        &mut self,
        members: &[ReferenceOr<Schema>],
        name: &str,
        pointer: &str,
    ) -> TypeKind {
        let mut properties = indexmap::IndexMap::new();
        let mut required = Vec::new();
        let mut additional = None;
        let mut seen = HashSet::new();
        for (index, member) in members.iter().enumerate() {
            let member_pointer = format!("{}/{index}", pointer_join(pointer, "allOf"));
            if !self.collect_object(
                SchemaOrRef::from(member),
                &mut properties,
                &mut required,
                &mut additional,
                &mut seen,
                0,
            ) {
                self.warnings.push(
                    Diagnostic::new(
                        member_pointer,
                        "`allOf` member is not an object; its constraints are not enforced",
                    )
                    .with_hint("only object members are merged into the generated struct"),
                );
            }
        }
        TypeKind::Struct(self.lower_struct(
            &properties,
            &required,
            additional.as_ref(),
            name,
            pointer,
        ))
    }

    /// Gathers the properties of an object schema (following refs and nested `allOf`s).
    fn collect_object(
        &self,
        schema: SchemaOrRef<'_>,
        properties: &mut indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &mut Vec<String>,
        additional: &mut Option<AdditionalProperties>,
        seen: &mut HashSet<String>,
        depth: usize,
    ) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        let resolved;
        let schema = match schema {
            SchemaOrRef::Item(item) => item,
            SchemaOrRef::Ref(reference) => {
                if !seen.insert(reference.to_owned()) {
                    return true;
                }
                let Some(Ok(ReferenceOr::Item(item))) = lookup_pointer(self.raw, reference)
                    .map(|v| serde_json::from_value::<ReferenceOr<Schema>>(v.clone()))
                else {
                    return false;
                };
                resolved = item;
                &resolved
            }
        };
        let (props, req, add, nested) = match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => {
                (&o.properties, &o.required, &o.additional_properties, None)
            }
            SchemaKind::AllOf { all_of } => (
                &*EMPTY_PROPERTIES,
                &EMPTY_REQUIRED,
                &NO_ADDITIONAL,
                Some(all_of),
            ),
            SchemaKind::Any(any) => (
                &any.properties,
                &any.required,
                &any.additional_properties,
                Some(&any.all_of),
            ),
            _ => return false,
        };
        for (key, value) in props {
            properties
                .entry(key.clone())
                .or_insert_with(|| value.clone());
        }
        required.extend(req.iter().cloned());
        if additional.is_none() {
            additional.clone_from(add);
        }
        for member in nested.into_iter().flatten() {
            self.collect_object(
                SchemaOrRef::from(member),
                properties,
                required,
                additional,
                seen,
                depth + 1,
            );
        }
        true
    }

    /// Finishes the type space: boxes recursive fields, rejects alias cycles and unused config names.
    pub fn finish(mut self) -> (Vec<TypeDef>, Vec<Diagnostic>, Vec<Diagnostic>) {
        for pointer in self.config.type_names.keys() {
            if !self.used_overrides.contains(pointer) {
                self.errors.push(
                    Diagnostic::new(
                        format!("config:type_names.\"{pointer}\""),
                        "no schema at this pointer becomes a named type",
                    )
                    .with_hint(
                        "point at a component schema or an inline object/enum, or remove the entry",
                    ),
                );
            }
        }
        // Every reserved slot is filled; were one not, dropping it would shift the ids after it.
        let mut types = Vec::with_capacity(self.slots.len());
        for (index, slot) in self.slots.into_iter().enumerate() {
            match slot {
                Some(def) => types.push(def),
                None => {
                    self.errors.push(super::internal_error(format!(
                        "type slot {index} was never filled"
                    )));
                    return (Vec::new(), self.errors, self.warnings);
                }
            }
        }
        (types, self.errors, self.warnings)
    }
}

static EMPTY_PROPERTIES: std::sync::LazyLock<indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>> =
    std::sync::LazyLock::new(indexmap::IndexMap::new);
static EMPTY_REQUIRED: Vec<String> = Vec::new();
static NO_ADDITIONAL: Option<AdditionalProperties> = None;

/// The discriminator values that select the alternative `reference` points at: the `mapping`
/// keys naming it and (as OpenAPI specifies) the name of the schema it points at.
fn tag_values(discriminator: &openapiv3::Discriminator, reference: &str) -> Vec<String> {
    let target = normalize_pointer(reference);
    let mapped: Vec<String> = discriminator
        .mapping
        .iter()
        .filter(|(_, to)| {
            normalize_pointer(to) == target || format!("#/components/schemas/{to}") == target
        })
        .map(|(value, _)| value.clone())
        .collect();
    // The schema's own name selects it too (the implicit mapping), unless the mapping gives
    // that value to another alternative.
    let implicit = target.rsplit('/').next().map(unescape_token);
    let taken = |name: &String| discriminator.mapping.contains_key(name);
    mapped
        .into_iter()
        .chain(implicit.filter(|name| !taken(name)))
        .collect()
}

/// Names the methods of a struct: `new` and one `with_` setter per field (`foo` and `foo_`
/// would both want `with_foo`).
fn claim_methods(fields: &mut [Field]) {
    let mut methods = NameScope::with_reserved(&["new"]);
    for field in fields {
        field.setter = methods.claim(&format!("with_{}", field.rust_name.trim_end_matches('_')));
    }
}

/// Enum variants for string values, with unique Rust names; duplicate values are dropped.
fn enum_variants<'v>(values: impl Iterator<Item = &'v str>) -> Vec<EnumVariant> {
    let mut names = NameScope::with_reserved(&["Unknown"]);
    let mut seen = HashSet::new();
    values
        .filter(|value| seen.insert(*value))
        .map(|value| EnumVariant {
            value: value.to_owned(),
            rust_name: names.claim(&variant_ident(value)),
        })
        .collect()
}

/// A property's doc: its description, or else its title (a property's title is a label for
/// forms, `First Payment`), unless the title only repeats the property's name (`Last updated`
/// for `last_updated`, `ID` for `id`).
fn property_doc(schema: &Schema, json_name: &str) -> Option<String> {
    let letters = |text: &str| -> String {
        text.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let data = &schema.schema_data;
    let description = data.description.as_deref().filter(|d| !d.trim().is_empty());
    match (data.title.as_deref(), description) {
        (_, Some(description)) => Some(description.to_owned()),
        (Some(title), None) if letters(title) != letters(json_name) => Some(title.to_owned()),
        _ => None,
    }
}

/// Title and description of a schema, joined as doc text.
fn schema_doc(schema: &Schema) -> Option<String> {
    let data = &schema.schema_data;
    match (data.title.as_deref(), data.description.as_deref()) {
        (Some(title), Some(description)) if title != description => {
            Some(format!("{title}\n\n{description}"))
        }
        (_, Some(description)) => Some(description.to_owned()),
        (Some(title), None) => Some(title.to_owned()),
        (None, None) => None,
    }
}
