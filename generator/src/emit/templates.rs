//! `Cargo.toml` and `README.md` of the generated crate, rendered from minijinja templates.

use minijinja::{Environment, context};
use serde::Serialize;

use crate::config::Config;
use crate::error::{Diagnostic, Error};
use crate::ir::{Api, ParamLocation, TypeRef};
use crate::naming::snake_ident;

const CARGO_TOML: &str = include_str!("../../templates/Cargo.toml.jinja");
const README: &str = include_str!("../../templates/README.md.jinja");

/// Crate metadata after applying defaults.
#[derive(Debug, Clone, Serialize)]
pub struct Package {
    pub name: String,
    pub lib_name: String,
    pub version: String,
    pub description: String,
    pub license: String,
    pub repository: Option<String>,
}

impl Package {
    pub fn from_config(api: &Api, config: &Config) -> Self {
        let package = &config.package;
        let name = package.name.clone().unwrap_or_else(|| {
            let snake = snake_ident(&api.title)
                .trim_end_matches('_')
                .replace('_', "-");
            if snake.is_empty() {
                "api-client".to_owned()
            } else {
                format!("{snake}-client")
            }
        });
        let description = package.description.clone().unwrap_or_else(|| {
            format!("Typed async client for the {}", super::api_name(&api.title))
        });
        Self {
            lib_name: name.replace('-', "_"),
            name,
            version: package
                .version
                .clone()
                .unwrap_or_else(|| "0.1.0".to_owned()),
            description: description.replace(['\n', '\r'], " "),
            license: package
                .license
                .clone()
                .unwrap_or_else(|| "MIT OR Apache-2.0".to_owned()),
            repository: package.repository.clone(),
        }
    }
}

fn render(name: &str, template: &str, ctx: minijinja::Value) -> Result<String, Error> {
    let mut env = Environment::new();
    env.set_keep_trailing_newline(true);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.add_filter("toml", |value: String| {
        serde_json::to_string(&value).unwrap_or_default()
    });
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

pub fn cargo_toml(package: &Package, source: &str) -> Result<String, Error> {
    render("Cargo.toml", CARGO_TOML, context! { package, source })
}

/// An example call for the README: the first operation whose required inputs are all strings.
#[derive(Serialize)]
struct Example {
    method: String,
    args: String,
    summary: String,
}

pub fn readme(api: &Api, package: &Package) -> Result<String, Error> {
    let example = api.operations.iter().find_map(|op| {
        if op.body.as_ref().is_some_and(|b| b.required) {
            return None;
        }
        let required: Vec<_> = op.params.iter().filter(|p| p.required).collect();
        if required
            .iter()
            .any(|p| p.ty != TypeRef::String || p.location != ParamLocation::Path)
        {
            return None;
        }
        Some(Example {
            method: op.method_name.clone(),
            args: required
                .iter()
                .map(|p| format!("\"{}\"", p.name.replace(['"', '\\'], "")))
                .collect::<Vec<_>>()
                .join(", "),
            summary: op
                .summary
                .clone()
                .unwrap_or_else(|| op.operation_id.clone()),
        })
    });
    let server = api.server.as_ref().filter(|s| s.url.starts_with("http"));
    let mut new_args: Vec<String> = match server {
        Some(s) => s
            .variables
            .iter()
            .map(|v| {
                format!(
                    "\"{}\"",
                    if v.default.is_empty() {
                        &v.name
                    } else {
                        &v.default
                    }
                    .replace(['"', '\\'], "")
                )
            })
            .collect(),
        None => vec!["\"https://api.example.com\"".to_owned()],
    };
    new_args.extend(
        api.credentials
            .iter()
            .map(|c| format!("std::env::var(\"{}\")?", c.rust_name.to_ascii_uppercase())),
    );
    let description = api
        .description
        .as_deref()
        .map(|d| crate::emit::sanitize_doc(d).join("\n"));
    let operations: Vec<_> = api
        .operations
        .iter()
        .map(|op| {
            context! {
                method => op.method_name,
                http => op.http_method.as_str(),
                path => op.path_template,
                summary => op.summary.as_deref().map(|s| crate::emit::sanitize_doc(s).join(" ")),
            }
        })
        .collect();
    render(
        "README.md",
        README,
        context! { package, title => api.title, api_version => api.api_version, description, example, new_args => new_args.join(", "), operations },
    )
}
