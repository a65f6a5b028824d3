//! `Cargo.toml` and `README.md` of the generated crate, rendered from minijinja templates.

use minijinja::{Environment, context};

use super::package::Package;
use super::package::toml_string;
use super::plan::{ArgSource, OperationPlan, Plan};
use super::types::TypeContext;
use crate::config::{Config, RuntimeMode};
use crate::error::{Diagnostic, Error};
use crate::ir::{Api, Body, BodyEncoding, TypeDef, TypeId, TypeKind, TypeRef};

const CARGO_TOML: &str = include_str!("../../templates/Cargo.toml.jinja");
const README: &str = include_str!("../../templates/README.md.jinja");
const RUNTIME_CARGO_TOML: &str = include_str!("../../templates/runtime/Cargo.toml.jinja");
/// The dependencies a generated crate and its runtime package declare alike.
const DEPENDENCIES: &str = include_str!("../../templates/dependencies.toml");
const CLI_CARGO_TOML: &str = include_str!("../../templates/cli/Cargo.toml.jinja");
const CLI_README: &str = include_str!("../../templates/cli/README.md.jinja");

fn render(name: &str, template: &str, ctx: minijinja::Value) -> Result<String, Error> {
    let mut env = Environment::new();
    env.set_keep_trailing_newline(true);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.add_filter("toml", |value: String| toml_string(&value));
    env.add_template(name, template)
        .and_then(|()| env.get_template(name))
        .and_then(|t| t.render(ctx))
        .map_err(|e| {
            Error::from(Diagnostic::new(
                "#",
                format!("internal error rendering {name}: {e}"),
            ))
        })
}

pub fn cargo_toml(
    package: &Package,
    source: &str,
    plan: &Plan<'_>,
    config: &Config,
) -> Result<String, Error> {
    let wire_tests = plan.api.wire_tests;
    let runtime = match config.runtime {
        RuntimeMode::Vendored => None,
        RuntimeMode::Dependency => {
            let source = config.runtime_source.clone().unwrap_or_default();
            Some(context! {
                comment => "The shared runtime (transport, retries, errors), compiled once for every client that uses it.",
                name => "openapi-rust-runtime",
                version => openapi_rust_runtime::sources::VERSION,
                path => source.path,
                git => source.git,
            })
        }
        RuntimeMode::Crate => Some(context! {
            comment => "The runtime (transport, retries, errors), generated beside this crate as a package of its own.",
            name => format!("{}-runtime", package.name),
            version => format!("={}", package.version),
            path => "runtime",
        }),
    };
    render(
        "Cargo.toml",
        CARGO_TOML,
        context! {
            package, source, wire_tests, runtime, command => config.generator_command(),
            dependencies => DEPENDENCIES,
            mock => plan.api.mock,
            tag_features => tag_features(plan),
        },
    )
}

/// `runtime/Cargo.toml` with `runtime = "crate"`: the runtime's package, beside the crate.
pub fn runtime_cargo_toml(
    runtime: &Package,
    source: &str,
    config: &Config,
) -> Result<String, Error> {
    render(
        "runtime/Cargo.toml",
        RUNTIME_CARGO_TOML,
        context! {
            package => runtime, source, command => config.generator_command(),
            dependencies => DEPENDENCIES,
        },
    )
}

/// `{ feature, tag }` per tag feature, in order; empty without `tag_features`.
fn tag_features(plan: &Plan<'_>) -> Vec<minijinja::Value> {
    plan.features.as_ref().map_or_else(Vec::new, |features| {
        features
            .names
            .iter()
            .map(|(feature, tag)| context! { feature, tag })
            .collect()
    })
}

/// Names of the CLI crate.
pub struct CliPackage {
    /// Package name (`gainsight-cta-cli`).
    pub name: String,
    /// Library name (`gainsight_cta_cli`).
    pub lib_name: String,
    /// The command (`gainsight-cta`).
    pub bin: String,
    /// Prefix of its environment variables (`GAINSIGHT_CTA`).
    pub env_prefix: String,
    /// The client crate.
    pub client: Package,
    /// The client crate's folder, relative to the CLI crate's.
    pub client_path: String,
}

impl CliPackage {
    pub fn new(
        api: &Api,
        config: &Config,
        cli: &crate::config::CliConfig,
        client_path: &str,
    ) -> Self {
        let client = Package::from_config(api, config);
        let name = cli
            .package
            .clone()
            .unwrap_or_else(|| format!("{}-cli", client.name));
        let bin = cli.bin.clone().unwrap_or_else(|| client.name.clone());
        let env_prefix = cli
            .env_prefix
            .clone()
            .unwrap_or_else(|| heck::ToShoutySnakeCase::to_shouty_snake_case(bin.as_str()));
        Self {
            lib_name: name.replace('-', "_"),
            name,
            bin,
            env_prefix,
            client,
            client_path: client_path.to_owned(),
        }
    }
}

/// The CLI crate's names and metadata, for its templates.
fn cli_context(cli: &CliPackage) -> minijinja::Value {
    let client = &cli.client;
    context! {
        name => cli.name,
        lib_name => cli.lib_name,
        bin => cli.bin,
        version => client.version,
        description => format!("Command-line tool for the API of the `{}` crate: one command per operation", client.name),
        license => client.license,
        repository => client.repository,
        client_name => client.name,
        client_version => client.version,
        client_path => cli.client_path,
    }
}

/// The CLI crate's `Cargo.toml`.
pub fn cli_cargo_toml(cli: &CliPackage, source: &str, config: &Config) -> Result<String, Error> {
    render(
        "Cargo.toml",
        CLI_CARGO_TOML,
        context! { cli => cli_context(cli), source, command => config.generator_command() },
    )
}

/// The CLI crate's README: its settings, commands, output and exit codes.
pub fn cli_readme(
    cli: &CliPackage,
    api_name: &str,
    commands: &[(String, String)],
    globals: &[(String, String, String)],
    paged: Option<&str>,
    filters: bool,
) -> Result<String, Error> {
    render(
        "README.md",
        CLI_README,
        context! { cli => cli_context(cli), api_name, commands, globals, paged, filters },
    )
}

/// Rust source for a value of `ty` in a README example, when one can be written without knowing the API.
fn example_value(
    ty: &TypeRef,
    api: &Api,
    context: &TypeContext<'_>,
    lib: &str,
    hint: &str,
    depth: usize,
) -> Option<String> {
    if depth > 4 {
        return None;
    }
    Some(match ty {
        TypeRef::String => format!("{:?}", hint),
        TypeRef::Integer { .. } => "1".to_owned(),
        TypeRef::Number { .. } => "1.0".to_owned(),
        TypeRef::Boolean => "true".to_owned(),
        TypeRef::Date => format!("{lib}::chrono::NaiveDate::default()"),
        TypeRef::DateTime => format!("{lib}::chrono::DateTime::<{lib}::chrono::Utc>::default()"),
        TypeRef::Array(_) => "Vec::new()".to_owned(),
        TypeRef::Map(_) | TypeRef::Any | TypeRef::Bytes => "Default::default()".to_owned(),
        TypeRef::Nullable(inner) => format!(
            "Some({})",
            example_value(inner, api, context, lib, hint, depth + 1)?
        ),
        TypeRef::Named(id) => {
            let def = api.type_def(*id)?;
            let path = format!("{lib}::types::{}", def.name);
            match &def.kind {
                TypeKind::StringEnum(variants) => format!(
                    "{path}::{}",
                    variants
                        .first()
                        .map_or("Unknown(String::new())", |v| v.rust_name.as_str())
                ),
                TypeKind::Struct(s) => {
                    let required: Vec<_> = s
                        .fields
                        .iter()
                        .filter(|f| f.required && !f.nullable)
                        .collect();
                    if required.is_empty() {
                        if !context.is_default(*id) {
                            return None;
                        }
                        format!("{path}::default()")
                    } else {
                        let args = required
                            .iter()
                            .map(|f| {
                                example_value(&f.ty, api, context, lib, &f.json_name, depth + 1)
                            })
                            .collect::<Option<Vec<_>>>()?;
                        format!("{path}::new({})", args.join(", "))
                    }
                }
                TypeKind::Alias(inner) => example_value(inner, api, context, lib, hint, depth + 1)?,
                TypeKind::Union(_) | TypeKind::Merged(_) => return None,
            }
        }
    })
}

/// A form with the required parts the spec declares (all of them when none is required).
fn example_form(body: &Body, lib: &str) -> String {
    let any_required = body.form_parts.iter().any(|p| p.required);
    let mut form = format!("{lib}::Multipart::new()");
    for part in body
        .form_parts
        .iter()
        .filter(|p| p.required || !any_required)
    {
        let name = format!("{:?}", part.name);
        if part.file {
            form.push_str(&format!(
                ".file({name}, \"example.bin\", b\"content\".to_vec())"
            ));
        } else {
            form.push_str(&format!(".text({name}, \"value\")"));
        }
    }
    form
}

/// The arguments of an operation's method in a README example, when they can all be written.
///
/// With `bind_body`, a JSON or form body is bound to `body` first (for borrows that outlive
/// one statement) and the binding is returned too.
fn example_call(
    plan: &OperationPlan<'_>,
    context: &TypeContext<'_>,
    lib: &str,
    bind_body: bool,
) -> Option<(String, String)> {
    let api = context.api();
    let mut binding = String::new();
    let mut args = Vec::new();
    for arg in &plan.required {
        args.push(match arg.source {
            ArgSource::Param(param) => example_value(&param.ty, api, context, lib, &param.name, 0)?,
            ArgSource::Body(body) => match body.encoding {
                BodyEncoding::Json | BodyEncoding::Form if bind_body => {
                    binding = format!(
                        "let body = {};",
                        example_value(&body.ty, api, context, lib, "body", 0)?
                    );
                    "&body".to_owned()
                }
                BodyEncoding::Json | BodyEncoding::Form => format!(
                    "&{}",
                    example_value(&body.ty, api, context, lib, "body", 0)?
                ),
                BodyEncoding::Text | BodyEncoding::EventStream => "\"text\"".to_owned(),
                BodyEncoding::Bytes => "Vec::new()".to_owned(),
                BodyEncoding::Multipart => example_form(body, lib),
            },
        });
    }
    Some((binding, args.join(", ")))
}

pub fn readme(
    plan: &Plan<'_>,
    package: &Package,
    source: &str,
    cli: Option<&CliPackage>,
) -> Result<String, Error> {
    let (api, context) = (plan.api, &plan.types);
    let lib = package.lib_name.as_str();
    let mut new_args: Vec<String> = match plan.server {
        Some(s) => s
            .variables
            .iter()
            .map(|v| {
                format!(
                    "{:?}",
                    if v.default.is_empty() {
                        &v.name
                    } else {
                        &v.default
                    }
                )
            })
            .collect(),
        None => vec!["\"https://api.example.com\"".to_owned()],
    };
    new_args.extend(
        api.credentials
            .iter()
            .filter(|c| c.required)
            .map(|c| format!("std::env::var({:?})?", c.rust_name.to_ascii_uppercase())),
    );
    let description = api.description.as_deref().map(super::docs::spec);
    let operations: Vec<_> = plan
        .operations
        .iter()
        .map(|op_plan| {
            let op = op_plan.op;
            context! {
                method => op.method_name,
                http => op.http_method.as_str(),
                path => op.path_template.replace('|', "\\|"),
                summary => op.summary.as_deref().map(|s| super::docs::spec(s).replace('\n', " ").replace('|', "\\|")),
                args => example_call(op_plan, context, lib, false).map(|(_, args)| args),
            }
        })
        .collect();
    let filter = api.filters.first().and_then(|filter| {
        let name = |id: TypeId| api.type_def(id).map(|t| t.name.clone());
        let Some(TypeDef {
            kind: TypeKind::StringEnum(variants),
            ..
        }) = api.type_def(filter.operator_type)
        else {
            return None;
        };
        let single = variants
            .iter()
            .find(|v| !filter.list_operators.contains(&v.rust_name))?;
        let list = variants
            .iter()
            .find(|v| filter.list_operators.contains(&v.rust_name));
        Some(context! {
            filter_type => name(filter.filter_type)?,
            condition_type => name(filter.condition_type)?,
            single => crate::naming::snake_ident(&single.rust_name),
            single_value => single.value,
            list => list.map(|v| crate::naming::snake_ident(&v.rust_name)),
            list_value => list.map(|v| v.value.clone()),
        })
    });
    let paging = plan
        .operations
        .iter()
        .find(|op| op.paging.is_some())
        .and_then(|op| {
            let (binding, args) = example_call(op, context, lib, true)?;
            let paging = op.paging?;
            Some(context! {
                stream => paging.stream_method, all => paging.collect_method, binding, args,
            })
        });
    let example = plan.operations.iter().find_map(|op| {
        let (_, args) = example_call(op, context, lib, false)?;
        Some(context! { method => op.op.method_name.clone(), args })
    });
    // The mock has no event streams.
    let mock_example = plan
        .operations
        .iter()
        .filter(|_| api.mock)
        .filter(|op| !matches!(op.decode, super::plan::Decode::Events(_)))
        .find_map(|op| {
            let (_, args) = example_call(op, context, lib, false)?;
            Some(context! { method => op.op.method_name.clone(), args })
        });
    render(
        "README.md",
        README,
        context! {
            example, mock_example, package, source, command => plan.command, title => super::api_name(&api.title), api_version => api.api_version, description,
            new_args => new_args.join(", "), operations, filter, paging,
            tag_features => tag_features(plan),
            cli => cli.map(cli_context),
        },
    )
}
