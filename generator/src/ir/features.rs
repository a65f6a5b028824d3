//! Config-declared features checked against the lowered spec: pagination and typed filters.

use super::{
    Api, Field, Filter, Operation, PageParam, Pagination, ParamLocation, TypeDef, TypeId, TypeKind,
    TypeRef,
};
use crate::config::{Config, FilterConfig, PaginationConfig};
use crate::error::Diagnostic;
use crate::naming::NameScope;

/// Default page size when neither the request nor the config sets one.
const DEFAULT_PAGE_SIZE: u32 = 50;

/// Attaches pagination to operations and builds the filter table, reporting config that does not fit the spec.
pub fn apply(api: &mut Api, config: &Config, errors: &mut Vec<Diagnostic>) {
    let types = api.types.clone();
    for operation in &mut api.operations {
        let Some(pagination) = config
            .operations
            .get(&operation.operation_id)
            .and_then(|c| c.pagination.as_ref())
        else {
            continue;
        };
        // The names move into the pagination: one place holds them from here on.
        let names = operation.paging_methods.take();
        match pagination_of(operation, names, pagination, &types) {
            Ok(lowered) => operation.pagination = Some(lowered),
            Err(diagnostic) => errors.push(diagnostic),
        }
    }
    // A filter's builder is a type too: its name is claimed among the type names.
    let mut type_names =
        NameScope::with_reserved(&types.iter().map(|t| t.name.as_str()).collect::<Vec<_>>());
    for (pointer, filter) in &config.filters {
        match filter_of(pointer, filter, &types) {
            Ok(mut lowered) => {
                let filter_name = types
                    .get(lowered.filter_type.index())
                    .map_or("Filter", |t| t.name.as_str());
                lowered.builder_name = type_names.claim(&format!("{filter_name}Builder"));
                api.filters.push(lowered)
            }
            Err(diagnostic) => errors.push(diagnostic),
        }
    }
}

fn struct_fields<'t>(types: &'t [TypeDef], ty: &TypeRef) -> Option<&'t [Field]> {
    match ty {
        TypeRef::Named(id) => match &types.get(id.index())?.kind {
            TypeKind::Struct(s) => Some(&s.fields),
            TypeKind::Alias(inner) => struct_fields(types, inner),
            _ => None,
        },
        TypeRef::Nullable(inner) => struct_fields(types, inner),
        _ => None,
    }
}

fn integer_bits(ty: &TypeRef) -> Option<u8> {
    match ty {
        TypeRef::Integer { bits } => Some(*bits),
        _ => None,
    }
}

fn page_param(
    operation: &Operation,
    name: &str,
    types: &[TypeDef],
    key: &str,
) -> Result<PageParam, Diagnostic> {
    let location = format!(
        "config:operations.{}.pagination.{key}",
        operation.operation_id
    );
    let body_field = operation
        .body
        .as_ref()
        .and_then(|b| struct_fields(types, &b.ty))
        .and_then(|fields| fields.iter().find(|f| f.json_name == name));
    if let Some(field) = body_field {
        let bits = integer_bits(&field.ty).ok_or_else(|| {
            Diagnostic::new(
                &location,
                format!("request body property `{name}` is not an integer"),
            )
        })?;
        return Ok(PageParam::BodyField {
            rust_name: field.rust_name.clone(),
            optional: !field.required || field.nullable,
            bits,
        });
    }
    if let Some(param) = operation
        .params
        .iter()
        .find(|p| p.name == name && p.location == ParamLocation::Query)
    {
        let bits = integer_bits(&param.ty).ok_or_else(|| {
            Diagnostic::new(
                &location,
                format!("query parameter `{name}` is not an integer"),
            )
        })?;
        return Ok(PageParam::Query {
            rust_name: param.rust_name.clone(),
            optional: !param.required,
            bits,
        });
    }
    Err(Diagnostic::new(
        location,
        format!("`{name}` is neither a property of the request body nor a query parameter of the operation at {}", operation.pointer),
    )
    .with_hint("name a request property that exists in the spec"))
}

fn pagination_of(
    operation: &Operation,
    names: Option<(String, String)>,
    config: &PaginationConfig,
    types: &[TypeDef],
) -> Result<Pagination, Diagnostic> {
    let Some((stream_method, collect_method)) = names else {
        return Err(super::internal_error(format!(
            "no paging method names were claimed for {}",
            operation.pointer
        )));
    };
    let limit = page_param(operation, &config.limit, types, "limit")?;
    let offset = page_param(operation, &config.offset, types, "offset")?;
    let base = format!("config:operations.{}.pagination", operation.operation_id);
    let payload = operation
        .response
        .ty
        .as_ref()
        .and_then(|ty| struct_fields(types, ty))
        .ok_or_else(|| {
            Diagnostic::new(
                &base,
                format!(
                    "the success response of the operation at {} is not an object",
                    operation.pointer
                ),
            )
            .with_hint("pagination needs a response object with an items list")
        })?;
    let items = payload
        .iter()
        .find(|f| f.json_name == config.items)
        .ok_or_else(|| {
            Diagnostic::new(
                format!("{base}.items"),
                format!(
                    "the response of the operation at {} has no property `{}`",
                    operation.pointer, config.items
                ),
            )
            .with_hint("name the response property that holds the page's items")
        })?;
    let TypeRef::Array(item_type) = &items.ty else {
        return Err(Diagnostic::new(
            format!("{base}.items"),
            format!("response property `{}` is not a list", config.items),
        ));
    };
    let total_field = match &config.total {
        Some(total) => {
            let field = payload
                .iter()
                .find(|f| &f.json_name == total)
                .ok_or_else(|| {
                    Diagnostic::new(
                        format!("{base}.total"),
                        format!(
                            "the response of the operation at {} has no property `{total}`",
                            operation.pointer
                        ),
                    )
                })?;
            let bits = integer_bits(&field.ty).ok_or_else(|| {
                Diagnostic::new(
                    format!("{base}.total"),
                    format!("response property `{total}` is not an integer"),
                )
            })?;
            Some((
                field.rust_name.clone(),
                !field.required || field.nullable,
                bits,
            ))
        }
        None => None,
    };
    Ok(Pagination {
        limit,
        offset,
        items_field: (items.rust_name.clone(), !items.required || items.nullable),
        item_type: item_type.as_ref().clone(),
        total_field,
        default_page_size: config.default_page_size.unwrap_or(DEFAULT_PAGE_SIZE).max(1),
        stream_method,
        collect_method,
    })
}

fn named_struct<'t>(types: &'t [TypeDef], ty: &TypeRef) -> Option<(TypeId, &'t [Field])> {
    match ty {
        TypeRef::Named(id) => match &types.get(id.index())?.kind {
            TypeKind::Struct(s) => Some((*id, &s.fields)),
            _ => None,
        },
        TypeRef::Nullable(inner) => named_struct(types, inner),
        _ => None,
    }
}

fn filter_of(
    pointer: &str,
    config: &FilterConfig,
    types: &[TypeDef],
) -> Result<Filter, Diagnostic> {
    let location = format!("config:filters.\"{pointer}\"");
    let missing = |what: &str, name: &str| {
        Diagnostic::new(&location, format!("the {what} has no property `{name}`"))
            .with_hint("name a property that exists in the spec")
    };
    let (filter_type, filter_fields) = types
        .iter()
        .enumerate()
        .find(|(_, t)| t.pointer == pointer)
        .and_then(|(index, t)| match &t.kind {
            TypeKind::Struct(s) => Some((TypeId::new(index), s.fields.as_slice())),
            _ => None,
        })
        .ok_or_else(|| {
            Diagnostic::new(&location, "no object schema at this pointer")
                .with_hint("point at the filter object's schema")
        })?;
    let conditions = filter_fields
        .iter()
        .find(|f| f.json_name == config.conditions)
        .ok_or_else(|| missing("filter", &config.conditions))?;
    let expression = filter_fields
        .iter()
        .find(|f| f.json_name == config.expression)
        .ok_or_else(|| missing("filter", &config.expression))?;
    if expression.ty != TypeRef::String {
        return Err(Diagnostic::new(
            &location,
            format!("filter property `{}` is not a string", config.expression),
        ));
    }
    let TypeRef::Array(condition_ref) = &conditions.ty else {
        return Err(Diagnostic::new(
            &location,
            format!("filter property `{}` is not a list", config.conditions),
        ));
    };
    let (condition_type, condition_fields) =
        named_struct(types, condition_ref).ok_or_else(|| {
            Diagnostic::new(
                &location,
                format!("the items of `{}` are not objects", config.conditions),
            )
        })?;
    let field = condition_fields
        .iter()
        .find(|f| f.json_name == config.field)
        .ok_or_else(|| missing("condition", &config.field))?;
    let operator = condition_fields
        .iter()
        .find(|f| f.json_name == config.operator)
        .ok_or_else(|| missing("condition", &config.operator))?;
    let value = condition_fields
        .iter()
        .find(|f| f.json_name == config.value)
        .ok_or_else(|| missing("condition", &config.value))?;
    let operator_type = match &operator.ty {
        TypeRef::Named(id)
            if matches!(
                types.get(id.index()).map(|t| &t.kind),
                Some(TypeKind::StringEnum(_))
            ) =>
        {
            *id
        }
        _ => {
            return Err(Diagnostic::new(
                &location,
                format!(
                    "condition property `{}` is not a string enum",
                    config.operator
                ),
            ));
        }
    };
    let variants = match types.get(operator_type.index()).map(|t| &t.kind) {
        Some(TypeKind::StringEnum(variants)) => variants,
        _ => return Err(Diagnostic::new(&location, "operator is not an enum")),
    };
    let list_operators = config
        .list_operators
        .iter()
        .map(|value| {
            variants
                .iter()
                .find(|v| &v.value == value)
                .map(|v| v.rust_name.clone())
                .ok_or_else(|| {
                    Diagnostic::new(
                        &location,
                        format!("`{value}` is not one of the operator values"),
                    )
                    .with_hint("list operators must be values of the operator enum")
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let optional = |f: &Field| !f.required || f.nullable;
    Ok(Filter {
        filter_type,
        conditions_field: conditions.rust_name.clone(),
        conditions_optional: optional(conditions),
        expression_field: expression.rust_name.clone(),
        expression_optional: optional(expression),
        condition_type,
        field_field: (field.rust_name.clone(), optional(field)),
        operator_field: (operator.rust_name.clone(), optional(operator)),
        value_field: (value.rust_name.clone(), optional(value)),
        value_type: value.ty.clone(),
        operator_type,
        list_operators,
        // Claimed by `apply` among the type names.
        builder_name: String::new(),
    })
}
