//! The plan → a companion command-line crate: one clap subcommand per operation, grouped by
//! tag, calling the generated client.
//!
//! The commands are a library (`src/commands.rs`, run in process by tests) and the binary a
//! thin `main`. What every API's commands share (bodies from `--body` and field flags, values
//! decoded as the parameter's type, JSON and NDJSON output, exit codes) is one hand-written
//! file, `templates/cli/support.rs`, shipped as it is; the generated code only wires flags to
//! the client's methods.

use std::collections::BTreeSet;

use heck::ToShoutySnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{doc_attrs, paragraphs, spec};
use super::plan::{Arg, ArgSource, Decode, OperationPlan, Plan, ValueKind};
use super::templates::{self, CliPackage};
use super::types::ident;
use crate::GeneratedFile;
use crate::config::{CliConfig, Config};
use crate::error::Error;
use crate::ir::{Api, ParamLocation, TypeKind, TypeRef};
use crate::naming::{snake_ident, split_words, type_ident};

/// The verbatim part of every CLI crate.
const SUPPORT: &str = include_str!("../../templates/cli/support.rs");

/// Every file of the CLI crate.
pub fn emit_cli(
    plan: &Plan<'_>,
    config: &Config,
    client_path: &str,
    header: &str,
) -> Result<Vec<GeneratedFile>, Error> {
    let cli = config.cli.clone().unwrap_or_default();
    let package = CliPackage::new(plan.api, config, &cli, client_path);
    let tree = CommandTree::new(plan, &cli);
    let source = config.source_label.as_deref().unwrap_or("the OpenAPI spec");
    let globals = globals(plan, &package);
    let commands = emit_commands(plan, &tree, &package, &globals);
    Ok(vec![
        GeneratedFile::new(
            "Cargo.toml",
            templates::cli_cargo_toml(&package, source, config)?,
        ),
        GeneratedFile::new(
            "README.md",
            templates::cli_readme(
                &package,
                &super::api_name(&plan.api.title),
                &tree.readme_rows(),
                &globals_readme(&globals),
                tree.first_paged().as_deref(),
                !plan.api.filters.is_empty(),
            )?,
        ),
        GeneratedFile::new(
            "src/main.rs",
            format!("{header}{}", main_rs(plan, &package)),
        ),
        GeneratedFile::new("src/lib.rs", format!("{header}{}", lib_rs(plan, &package))),
        super::rust_file("src/commands.rs", header, commands)?,
        GeneratedFile::new("src/support.rs", format!("{header}{SUPPORT}")),
        super::rust_file(
            "tests/cli.rs",
            header,
            emit_process_tests(&tree, &package, &globals),
        )?,
    ])
}

/// `tests/cli.rs`: the built binary run as a user would: help, completions, and a dry run with
/// every credential from the environment, which must never be printed.
fn emit_process_tests(
    tree: &CommandTree<'_, '_>,
    package: &CliPackage,
    globals: &[Global],
) -> TokenStream {
    let bin_env = format!("CARGO_BIN_EXE_{}", package.bin);
    let bin = &package.bin;
    let prefix = format!("{}_", package.env_prefix);
    let groups = tree.groups.iter().map(|group| group.name.as_str());
    let credential_envs: Vec<&str> = globals
        .iter()
        .filter(|global| matches!(global.kind, GlobalKind::Credential(_)))
        .filter_map(|global| global.env.as_deref())
        .collect();
    let any_credential = !credential_envs.is_empty();
    // A command whose only inputs are path parameters, on a plain path.
    let dry_run = tree
        .groups
        .iter()
        .flat_map(|group| group.commands.iter().map(move |command| (Some(group.name.as_str()), command)))
        .chain(tree.top.iter().map(|command| (None, command)))
        .find(|(_, command)| {
            let op = command.plan.op;
            command
                .plan
                .required
                .iter()
                .all(|arg| matches!(arg.source, ArgSource::Param(p) if p.location == ParamLocation::Path))
                && op
                    .path_template
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "/_-.{}".contains(c))
        })
        .map(|(group, command)| {
            let op = command.plan.op;
            let mut args: Vec<String> = group.into_iter().map(str::to_owned).collect();
            args.push(command.name.clone());
            args.extend(op.path_params().iter().map(|_| "x".to_owned()));
            let mut path = String::new();
            let mut in_name = false;
            for c in op.path_template.chars() {
                match c {
                    '{' => in_name = true,
                    '}' => {
                        in_name = false;
                        path.push('x');
                    }
                    _ if !in_name => path.push(c),
                    _ => {}
                }
            }
            let request_line = format!("{} http://127.0.0.1:9{path}", op.http_method.as_str());
            let redacted = any_credential.then(|| {
                quote! {
                    assert!(stdout.contains("redacted"), "credentials are shown redacted:\n{stdout}");
                }
            });
            quote! {
                #[test]
                fn dry_run_takes_credentials_from_the_environment_and_never_prints_them() {
                    let output = command()
                        #(.env(#credential_envs, "cli-test-user:cli-test-secret"))*
                        .args(["--base-url", "http://127.0.0.1:9", "--dry-run"])
                        .args([#(#args),*])
                        .output()
                        .expect("run the command");
                    let stdout = String::from_utf8_lossy(&output.stdout);
                    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
                    assert!(stdout.starts_with(#request_line), "the request line:\n{stdout}");
                    assert!(!stdout.contains("cli-test-secret"), "a credential was printed:\n{stdout}");
                    #redacted
                }
            }
        });
    quote! {
        //! The built command run as a user runs it: help, shell completions, and a dry run with
        //! credentials from the environment, which are never printed.

        // Formatted by the generator (prettyplease), which rustfmt would reformat.
        #[rustfmt::skip]
        mod run {
        use std::process::Command;

        /// The command, without the settings the test's own environment may hold.
        fn command() -> Command {
            let mut command = Command::new(env!(#bin_env));
            for (name, _) in std::env::vars_os() {
                if name.to_string_lossy().starts_with(#prefix) {
                    command.env_remove(name);
                }
            }
            command
        }

        #[test]
        fn help_lists_the_groups_and_the_exit_codes() {
            let output = command().arg("--help").output().expect("run the command");
            assert!(output.status.success());
            let help = String::from_utf8_lossy(&output.stdout);
            for group in [#(#groups),*] {
                assert!(help.contains(group), "{group} in:\n{help}");
            }
            assert!(help.contains("Exit codes:"), "{help}");
        }

        #[test]
        fn usage_errors_exit_2() {
            let output = command().arg("--no-such-flag").output().expect("run the command");
            assert_eq!(output.status.code(), Some(2));
        }

        #[test]
        fn completions_are_printed_for_bash() {
            let output = command().args(["completions", "bash"]).output().expect("run the command");
            assert!(output.status.success());
            let script = String::from_utf8_lossy(&output.stdout);
            assert!(script.contains(#bin), "{script}");
        }

        #dry_run
        }
    }
}

fn main_rs(plan: &Plan<'_>, package: &CliPackage) -> String {
    format!(
        "//! `{bin}`: the {api} from the command line.\n#![forbid(unsafe_code)]\n\nfn main() -> std::process::ExitCode {{\n    {lib}::main()\n}}\n",
        bin = package.bin,
        api = super::api_name(&plan.api.title),
        lib = package.lib_name,
    )
}

fn lib_rs(plan: &Plan<'_>, package: &CliPackage) -> String {
    format!(
        r#"//! The {api} from the command line: `{bin} <group> <command>`, one command per operation.
//!
//! The commands are a library so that tests run them in process ([`run`] with an [`Io`] of
//! their own); the `{bin}` binary parses the process's arguments and calls [`main`].
#![forbid(unsafe_code)]

// Formatted by the generator (prettyplease), which rustfmt would reformat.
#[rustfmt::skip]
mod commands;
pub mod support;

pub use commands::*;
/// The client crate the commands call.
pub use {client} as api;
pub use support::{{Failure, Io}};

/// Parses the process's arguments, runs the command and returns its exit code.
pub fn main() -> std::process::ExitCode {{
    use clap::Parser;
    use std::io::Write;

    let cli = Cli::parse();
    let (mut stdin, mut stdout, mut stderr) =
        (std::io::stdin(), std::io::stdout(), std::io::stderr());
    let code = match support::runtime() {{
        Ok(runtime) => {{
            let mut io = Io::new(&mut stdin, &mut stdout, &mut stderr);
            runtime.block_on(run(cli, &mut io))
        }}
        Err(error) => {{
            let _ = writeln!(stderr, "error: could not start the async runtime: {{error}}");
            support::EXIT_FAILURE
        }}
    }};
    std::process::ExitCode::from(code)
}}
"#,
        api = super::api_name(&plan.api.title),
        bin = package.bin,
        client = package.client.lib_name,
    )
}

/// The global flags, for the README: (flag, environment variable, what it is).
fn globals_readme(globals: &[Global]) -> Vec<(String, String, String)> {
    globals
        .iter()
        .map(|global| {
            (
                format!("--{}", global.flag),
                global.env.clone().unwrap_or_default(),
                global.summary.clone(),
            )
        })
        .collect()
}

/// A global flag.
struct Global {
    flag: String,
    field: String,
    env: Option<String>,
    summary: String,
    doc: String,
    kind: GlobalKind,
}

enum GlobalKind {
    BaseUrl,
    ServerVariable(String),
    Credential(String),
    DryRun,
    Timeout,
    Compact,
}

fn globals(plan: &Plan<'_>, package: &CliPackage) -> Vec<Global> {
    let env = |name: &str| {
        Some(format!(
            "{}_{}",
            package.env_prefix,
            name.to_shouty_snake_case()
        ))
    };
    let mut claimed: BTreeSet<String> = [
        "help", "version", "base-url", "dry-run", "timeout", "compact",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    let mut globals = vec![Global {
        flag: "base-url".to_owned(),
        field: "base_url".to_owned(),
        env: env("base_url"),
        summary: "Sends requests to this URL instead of the API's server.".to_owned(),
        doc: "Sends requests to this URL instead of the API's server (a proxy, a sandbox, a test server).".to_owned(),
        kind: GlobalKind::BaseUrl,
    }];
    for variable in plan.server.into_iter().flat_map(|server| &server.variables) {
        let flag = kebab(&variable.name);
        if flag.is_empty() || !claimed.insert(flag.clone()) {
            continue;
        }
        let default = if variable.default.is_empty() {
            String::new()
        } else {
            format!(" Default: `{}`.", variable.default)
        };
        let summary = format!("The `{}` part of the server URL.{default}", variable.name);
        globals.push(Global {
            env: env(&variable.name),
            field: format!("server_{}", variable.rust_name.trim_start_matches("r#")),
            doc: paragraphs([
                variable.description.as_deref().map(spec).as_deref(),
                Some(&summary),
            ]),
            summary,
            flag,
            kind: GlobalKind::ServerVariable(variable.rust_name.clone()),
        });
    }
    for credential in &plan.api.credentials {
        let flag = kebab(credential.rust_name.trim_start_matches("r#"));
        if flag.is_empty() || !claimed.insert(flag.clone()) {
            continue;
        }
        let form = if credential.kind == crate::ir::CredentialKind::Basic {
            " (`user:password`)"
        } else {
            ""
        };
        let summary = format!(
            "The credential of security scheme `{}`{form}; never printed.",
            credential.scheme
        );
        globals.push(Global {
            env: env(&flag),
            field: format!("credential_{}", credential.rust_name.trim_start_matches("r#")),
            doc: paragraphs([
                credential.description.as_deref().map(spec).as_deref(),
                Some(&*format!(
                    "{summary} Prefer the environment variable: a flag's value shows in the process list."
                )),
            ]),
            summary,
            flag,
            kind: GlobalKind::Credential(credential.rust_name.clone()),
        });
    }
    globals.extend([
        Global {
            flag: "dry-run".to_owned(),
            field: "dry_run".to_owned(),
            env: None,
            summary: "Prints the request instead of sending it, credentials redacted.".to_owned(),
            doc: "Prints the request instead of sending it, credentials redacted.".to_owned(),
            kind: GlobalKind::DryRun,
        },
        Global {
            flag: "timeout".to_owned(),
            field: "timeout".to_owned(),
            env: None,
            summary: "Timeout of each attempt, in seconds (default 60).".to_owned(),
            doc: "Timeout of each attempt, in seconds (default 60).".to_owned(),
            kind: GlobalKind::Timeout,
        },
        Global {
            flag: "compact".to_owned(),
            field: "compact".to_owned(),
            env: None,
            summary: "Prints JSON on one line instead of indented.".to_owned(),
            doc: "Prints JSON on one line instead of indented.".to_owned(),
            kind: GlobalKind::Compact,
        },
    ]);
    globals
}

/// Operations grouped into subcommands.
struct CommandTree<'p, 'a> {
    /// Groups in order (the document's tags first), each with its commands.
    groups: Vec<Group<'p, 'a>>,
    /// Commands of untagged operations, at the top level.
    top: Vec<Command<'p, 'a>>,
}

struct Group<'p, 'a> {
    name: String,
    enum_name: String,
    doc: String,
    commands: Vec<Command<'p, 'a>>,
}

struct Command<'p, 'a> {
    name: String,
    variant: String,
    plan: &'p OperationPlan<'a>,
}

impl<'p, 'a> CommandTree<'p, 'a> {
    fn new(plan: &'p Plan<'a>, cli: &CliConfig) -> Self {
        // Tags in the order the document lists them, then as operations first use them.
        let mut tags: Vec<String> = plan.api.tags.iter().map(|(name, _)| name.clone()).collect();
        for op in &plan.operations {
            if let Some(tag) = op.op.tags.first() {
                if !tags.contains(tag) {
                    tags.push(tag.clone());
                }
            }
        }
        let mut top_names: BTreeSet<String> = ["completions", "help"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        let mut enum_names: BTreeSet<String> = BTreeSet::new();
        let mut groups = Vec::new();
        for tag in &tags {
            let members: Vec<&OperationPlan<'_>> = plan
                .operations
                .iter()
                .filter(|op| op.op.tags.first() == Some(tag))
                .collect();
            if members.is_empty() {
                continue;
            }
            let wanted = cli.groups.get(tag).cloned().unwrap_or_else(|| kebab(tag));
            let name = claim(
                &mut top_names,
                if wanted.is_empty() { "group" } else { &wanted },
            );
            let enum_name = claim(&mut enum_names, &format!("{}Commands", type_ident(&name)));
            let mut words: Vec<String> =
                split_words(tag).iter().map(|w| w.to_lowercase()).collect();
            words.extend(split_words(&name).iter().map(|w| w.to_lowercase()));
            let doc = plan
                .api
                .tags
                .iter()
                .find(|(name, _)| name == tag)
                .and_then(|(_, description)| description.as_deref())
                .map_or_else(|| format!("{tag}."), spec);
            groups.push(Group {
                enum_name,
                doc,
                commands: commands(&members, &words, cli, &mut BTreeSet::new()),
                name,
            });
        }
        let untagged: Vec<&OperationPlan<'_>> = plan
            .operations
            .iter()
            .filter(|op| op.op.tags.is_empty())
            .collect();
        let top = commands(&untagged, &[], cli, &mut top_names);
        Self { groups, top }
    }

    /// The command line of the first paged operation, for the README's example.
    fn first_paged(&self) -> Option<String> {
        self.groups
            .iter()
            .flat_map(|group| {
                group
                    .commands
                    .iter()
                    .map(move |command| (format!("{} {}", group.name, command.name), command))
            })
            .chain(
                self.top
                    .iter()
                    .map(|command| (command.name.clone(), command)),
            )
            .find(|(_, command)| command.plan.paging.is_some())
            .map(|(line, _)| line)
    }

    /// (command line, summary) per operation, for the README.
    fn readme_rows(&self) -> Vec<(String, String)> {
        let row = |prefix: &str, command: &Command<'_, '_>| {
            let op = command.plan.op;
            let args: String = op
                .path_params()
                .iter()
                .map(|p| format!(" <{}>", p.name.to_shouty_snake_case()))
                .collect();
            (
                format!("{prefix}{}{args}", command.name),
                op.summary
                    .clone()
                    .unwrap_or_else(|| format!("{} {}", op.http_method.as_str(), op.path_template))
                    .replace(['\n', '|'], " "),
            )
        };
        self.groups
            .iter()
            .flat_map(|group| {
                group
                    .commands
                    .iter()
                    .map(|command| row(&format!("{} ", group.name), command))
            })
            .chain(self.top.iter().map(|command| row("", command)))
            .collect()
    }
}

/// `name` in kebab case, split as the generator splits every name (`CTAs` → `ctas`, where
/// `heck` alone gives `ct-as`).
fn kebab(name: &str) -> String {
    split_words(name)
        .iter()
        .map(|word| word.to_lowercase())
        .collect::<Vec<_>>()
        .join("-")
}

/// A name not yet in `claimed` (with `-2`, `-3`... when taken), now claimed.
fn claim(claimed: &mut BTreeSet<String>, wanted: &str) -> String {
    claim_numbered(claimed, wanted, '-')
}

/// `wanted`, or `wanted` with `separator` and the first free number from 2, now claimed.
fn claim_numbered(claimed: &mut BTreeSet<String>, wanted: &str, separator: char) -> String {
    let mut name = wanted.to_owned();
    let mut counter = 2;
    while !claimed.insert(name.clone()) {
        name = format!("{wanted}{separator}{counter}");
        counter += 1;
    }
    name
}

/// Commands named after their methods without the group's words (`get_cta_types` in tag
/// `CTA Configuration` → `types`): a leading `get` goes too when more words remain.
fn commands<'p, 'a>(
    members: &[&'p OperationPlan<'a>],
    group_words: &[String],
    cli: &CliConfig,
    claimed: &mut BTreeSet<String>,
) -> Vec<Command<'p, 'a>> {
    let full = |op: &OperationPlan<'_>| kebab(op.op.method_name.trim_start_matches("r#"));
    let short = |op: &OperationPlan<'_>| {
        if let Some(name) = cli.commands.get(&op.op.operation_id) {
            return name.clone();
        }
        let in_group = |word: &str| {
            group_words.iter().any(|g| {
                g == word
                    || g.strip_suffix('s') == Some(word)
                    || word.strip_suffix('s') == Some(g.as_str())
            })
        };
        let mut words: Vec<&str> = op
            .op
            .method_name
            .trim_start_matches("r#")
            .split('_')
            .filter(|w| !w.is_empty() && !in_group(w))
            .collect();
        if words.len() > 1 && words[0] == "get" && words[1] != "by" {
            words.remove(0);
        }
        if words.is_empty() {
            full(op)
        } else {
            words.join("-")
        }
    };
    // Short names taken by two operations are spelt out in full for both.
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for op in members {
        *counts.entry(short(op)).or_default() += 1;
    }
    let mut variants = BTreeSet::new();
    members
        .iter()
        .map(|op| {
            let wanted = short(op);
            let wanted = if counts.get(&wanted).copied().unwrap_or(0) > 1 {
                full(op)
            } else {
                wanted
            };
            let name = claim(claimed, &wanted);
            let variant = claim(&mut variants, &type_ident(&name));
            Command {
                name,
                variant,
                plan: op,
            }
        })
        .collect()
}

fn emit_commands(
    plan: &Plan<'_>,
    tree: &CommandTree<'_, '_>,
    package: &CliPackage,
    globals: &[Global],
) -> TokenStream {
    let bin = &package.bin;
    let about = format!(
        " The {} from the command line.",
        super::api_name(&plan.api.title)
    );
    let global_fields = globals.iter().map(global_field);
    let global_settings = globals.iter().map(global_setting);
    let group_variants = tree.groups.iter().map(|group| {
        let variant = ident(&type_ident(&group.name));
        let enum_name = ident(&group.enum_name);
        let name = &group.name;
        let doc = doc_attrs(&group.doc);
        quote! {
            #doc
            #[command(subcommand, name = #name)]
            #variant(#enum_name),
        }
    });
    let top_variants = tree.top.iter().map(command_variant);
    let group_enums = tree.groups.iter().map(|group| group_enum(group, bin));
    let (command_run, operations_arm) = dispatch(tree);
    let args = tree
        .groups
        .iter()
        .flat_map(|group| &group.commands)
        .chain(&tree.top)
        .map(|command| command_args(command, plan, globals));
    // The shared parameters' setters are the trait's methods.
    let common = plan.common.as_ref().map(|_| {
        let name = super::plan::CommonParams::trait_ident();
        quote!(#[allow(unused_imports)] use crate::api::#name as _;)
    });
    quote! {
        //! The commands: the global flags, one subcommand per operation grouped by tag, and
        //! how each calls the client.

        use clap::{Args, Parser, Subcommand};
        use crate::api;
        use crate::support::{self, Failure, Io};
        #[allow(unused_imports)]
        use crate::api::{chrono, types};
        #common

        #[doc = #about]
        #[derive(Debug, Parser)]
        #[command(name = #bin, version, after_help = support::EXIT_CODES)]
        pub struct Cli {
            /// Settings of the client.
            #[command(flatten)]
            pub global: Global,
            /// What to do.
            #[command(subcommand)]
            pub command: Command,
        }

        /// Flags every command takes.
        #[derive(Debug, Args)]
        pub struct Global {
            #(#global_fields)*
        }

        impl Global {
            /// The client these flags describe.
            ///
            /// # Errors
            ///
            /// A base URL or credential the client cannot use.
            pub fn client(&self) -> Result<api::Client, Failure> {
                let mut builder = api::Client::builder();
                #(#global_settings)*
                Ok(builder.build()?)
            }
        }

        /// The groups of commands, and the commands of untagged operations.
        // Parsed once per process: the size of the largest variant costs nothing.
        #[allow(clippy::large_enum_variant)]
        #[derive(Debug, Subcommand)]
        pub enum Command {
            #(#group_variants)*
            #(#top_variants)*
            /// Prints a completion script for a shell, e.g. `completions bash`.
            Completions(Completions),
        }

        #command_run

        /// Options of `completions`.
        #[derive(Debug, Args)]
        pub struct Completions {
            /// The shell to complete in.
            #[arg(value_enum)]
            pub shell: clap_complete::Shell,
        }

        impl Completions {
            fn run(self, io: &mut Io<'_>) -> Result<(), Failure> {
                let mut command = <Cli as clap::CommandFactory>::command();
                clap_complete::generate(self.shell, &mut command, #bin, io.stdout);
                Ok(())
            }
        }

        /// Runs a parsed command line, printing results to `io.stdout` and errors to
        /// `io.stderr`; returns the exit code (see [`support::EXIT_CODES`]).
        pub async fn run(cli: Cli, io: &mut Io<'_>) -> u8 {
            io.compact = cli.global.compact;
            let outcome = match cli.command {
                // Needs no client, and so no base URL or credential.
                Command::Completions(completions) => completions.run(io),
                #operations_arm
            };
            support::finish(outcome, io)
        }

        #(#group_enums)*
        #(#args)*
    }
}

/// A group's subcommands and their dispatch.
fn group_enum(group: &Group<'_, '_>, bin: &str) -> TokenStream {
    let enum_name = ident(&group.enum_name);
    let doc = format!(" The commands of `{bin} {}`.", group.name);
    let variants = group.commands.iter().map(command_variant);
    let arms = group.commands.iter().map(command_arm);
    quote! {
        #[doc = #doc]
        #[allow(clippy::large_enum_variant)]
        #[derive(Debug, Subcommand)]
        pub enum #enum_name {
            #(#variants)*
        }

        impl #enum_name {
            async fn run(self, client: &api::Client, io: &mut Io<'_>) -> Result<(), Failure> {
                match self {
                    #(#arms)*
                }
            }
        }
    }
}

/// `Command::run` and `run`'s arm for every command but `completions`; neither exists for an
/// API without operations, which has only `completions`.
fn dispatch(tree: &CommandTree<'_, '_>) -> (Option<TokenStream>, Option<TokenStream>) {
    if tree.groups.is_empty() && tree.top.is_empty() {
        return (None, None);
    }
    let group_arms = tree.groups.iter().map(|group| {
        let variant = ident(&type_ident(&group.name));
        quote!(Self::#variant(command) => command.run(client, io).await,)
    });
    let top_arms = tree.top.iter().map(command_arm);
    let command_run = quote! {
        impl Command {
            async fn run(self, client: &api::Client, io: &mut Io<'_>) -> Result<(), Failure> {
                match self {
                    #(#group_arms)*
                    #(#top_arms)*
                    Self::Completions(completions) => completions.run(io),
                }
            }
        }
    };
    let operations_arm = quote! {
        command => match cli.global.client() {
            Ok(client) => command.run(&client, io).await,
            Err(failure) => Err(failure),
        },
    };
    (Some(command_run), Some(operations_arm))
}

fn global_field(global: &Global) -> TokenStream {
    let field = ident(&global.field);
    let flag = &global.flag;
    let doc = doc_attrs(&global.doc);
    let env = global.env.as_ref().map(|env| quote!(env = #env,));
    match &global.kind {
        GlobalKind::DryRun | GlobalKind::Compact => quote! {
            #doc
            #[arg(long = #flag, global = true)]
            pub #field: bool,
        },
        GlobalKind::Timeout => quote! {
            #doc
            #[arg(long = #flag, global = true, value_name = "SECONDS", value_parser = support::seconds)]
            pub #field: Option<std::time::Duration>,
        },
        GlobalKind::Credential(_) => quote! {
            #doc
            #[arg(long = #flag, global = true, #env hide_env_values = true, value_name = "SECRET")]
            pub #field: Option<support::Credential>,
        },
        GlobalKind::BaseUrl => quote! {
            #doc
            #[arg(long = #flag, global = true, #env value_name = "URL")]
            pub #field: Option<String>,
        },
        GlobalKind::ServerVariable(_) => {
            let value_name = global.flag.to_shouty_snake_case();
            quote! {
                #doc
                #[arg(long = #flag, global = true, #env value_name = #value_name)]
                pub #field: Option<String>,
            }
        }
    }
}

fn global_setting(global: &Global) -> TokenStream {
    let field = ident(&global.field);
    match &global.kind {
        GlobalKind::BaseUrl => quote! {
            if let Some(url) = &self.#field {
                builder = builder.base_url(url.as_str());
            }
        },
        GlobalKind::ServerVariable(setter) => {
            let setter = ident(setter);
            quote! {
                if let Some(value) = &self.#field {
                    builder = builder.#setter(value.as_str());
                }
            }
        }
        GlobalKind::Credential(setter) => {
            let setter = ident(setter);
            quote! {
                if let Some(credential) = &self.#field {
                    builder = builder.#setter(credential.value());
                }
            }
        }
        GlobalKind::DryRun => quote! {
            if self.#field {
                builder = builder.dry_run();
            }
        },
        GlobalKind::Timeout => quote! {
            if let Some(timeout) = self.#field {
                builder = builder.timeout(timeout);
            }
        },
        GlobalKind::Compact => TokenStream::new(),
    }
}

fn command_variant(command: &Command<'_, '_>) -> TokenStream {
    let op = command.plan.op;
    let variant = ident(&command.variant);
    let args = args_name(command);
    let name = &command.name;
    let deprecated = op.deprecated.then_some("Deprecated.");
    let route = format!(
        "`{} {}` (operation `{}`).",
        op.http_method.as_str(),
        op.path_template,
        op.operation_id
    );
    let doc = doc_attrs(&paragraphs([
        Some(
            op.summary
                .as_deref()
                .map_or_else(|| route.clone(), |s| spec(s).replace('\n', " "))
                .as_str(),
        ),
        deprecated,
        op.description.as_deref().map(spec).as_deref(),
        Some(&route),
    ]));
    quote! {
        #doc
        #[command(name = #name)]
        #variant(#args),
    }
}

fn command_arm(command: &Command<'_, '_>) -> TokenStream {
    let variant = ident(&command.variant);
    quote!(Self::#variant(args) => args.run(client, io).await,)
}

fn args_name(command: &Command<'_, '_>) -> proc_macro2::Ident {
    format_ident!("{}Args", command.plan.op.builder_name)
}

/// A type seen through `Nullable`, aliases and merged copies.
enum Seen<'t> {
    /// Not a named type.
    Plain(&'t TypeRef),
    /// The kind of the named type it comes to.
    Named(&'t TypeKind),
    /// A chain too long to follow (not produced by lowering).
    Unknown,
}

fn see<'t>(mut ty: &'t TypeRef, api: &'t Api) -> Seen<'t> {
    for _ in 0..16 {
        ty = match ty {
            TypeRef::Nullable(inner) => inner,
            TypeRef::Named(id) => match api.type_def(*id).map(|def| &def.kind) {
                Some(TypeKind::Alias(inner)) => inner,
                Some(TypeKind::Merged(target)) => match api.type_def(*target) {
                    Some(def) => return Seen::Named(&def.kind),
                    None => return Seen::Unknown,
                },
                Some(kind) => return Seen::Named(kind),
                None => return Seen::Unknown,
            },
            plain => return Seen::Plain(plain),
        };
    }
    Seen::Unknown
}

/// Whether a value of `ty` is text on the command line (taken as given, not read as JSON).
fn is_text(ty: &TypeRef, api: &Api) -> bool {
    matches!(
        see(ty, api),
        Seen::Plain(TypeRef::String | TypeRef::Date | TypeRef::DateTime)
            | Seen::Named(TypeKind::StringEnum(_))
    )
}

/// What a flag's value is, for help (`--limit <NUMBER>`).
fn value_name(ty: &TypeRef, api: &Api) -> &'static str {
    match see(ty, api) {
        _ if is_text(ty, api) => "TEXT",
        Seen::Plain(TypeRef::Integer { .. } | TypeRef::Number { .. }) => "NUMBER",
        Seen::Plain(TypeRef::Boolean) => "true|false",
        _ => "JSON",
    }
}

/// The element type of a list.
fn list_item<'t>(ty: &'t TypeRef, api: &'t Api) -> Option<&'t TypeRef> {
    match see(ty, api) {
        Seen::Plain(TypeRef::Array(item)) => Some(item),
        _ => None,
    }
}

/// The fields of a struct body.
fn struct_fields<'t>(ty: &'t TypeRef, api: &'t Api) -> &'t [crate::ir::Field] {
    match see(ty, api) {
        Seen::Named(TypeKind::Struct(fields)) => &fields.fields,
        _ => &[],
    }
}

/// The JSON names of a configured filter object (see `ir::Filter`), for `--filter`.
struct FilterJson {
    conditions: String,
    expression: String,
    field: String,
    operator: String,
    value: String,
    operators: Vec<String>,
    list_operators: Vec<String>,
}

/// The filter whose object type `ty` is, with its JSON names.
fn filter_shape(ty: &TypeRef, api: &Api) -> Option<FilterJson> {
    let id = match ty {
        TypeRef::Named(id) => *id,
        TypeRef::Nullable(inner) => match &**inner {
            TypeRef::Named(id) => *id,
            _ => return None,
        },
        _ => return None,
    };
    let filter = api.filters.iter().find(|filter| filter.filter_type == id)?;
    let json_name = |fields: &[crate::ir::Field], rust_name: &str| {
        fields
            .iter()
            .find(|field| field.rust_name == rust_name)
            .map(|field| field.json_name.clone())
    };
    let fields_of = |id: crate::ir::TypeId| match api.type_def(id).map(|def| &def.kind) {
        Some(TypeKind::Struct(fields)) => fields.fields.as_slice(),
        _ => &[],
    };
    let filter_fields = fields_of(filter.filter_type);
    let condition_fields = fields_of(filter.condition_type);
    let Some(TypeKind::StringEnum(variants)) =
        api.type_def(filter.operator_type).map(|def| &def.kind)
    else {
        return None;
    };
    Some(FilterJson {
        conditions: json_name(filter_fields, &filter.conditions_field)?,
        expression: json_name(filter_fields, &filter.expression_field)?,
        field: json_name(condition_fields, &filter.field_field.0)?,
        operator: json_name(condition_fields, &filter.operator_field.0)?,
        value: json_name(condition_fields, &filter.value_field.0)?,
        operators: variants.iter().map(|v| v.value.clone()).collect(),
        list_operators: variants
            .iter()
            .filter(|v| filter.list_operators.contains(&v.rust_name))
            .map(|v| v.value.clone())
            .collect(),
    })
}

/// One flag or positional argument of a command, and how its value reaches the call.
struct Input {
    /// The field's declaration in the args struct.
    declaration: TokenStream,
    /// `--flag` or `<NAME>`, for messages.
    shown: String,
    /// The field.
    field: proc_macro2::Ident,
}

/// What the flags of one command become: struct fields, the values made from them, and the
/// call's arguments and setters.
#[derive(Default)]
struct Wiring {
    /// Long flags taken, globals included.
    flags: BTreeSet<String>,
    /// Field names of the args struct taken.
    fields: BTreeSet<String>,
    declarations: Vec<TokenStream>,
    lets: Vec<TokenStream>,
    call_args: Vec<TokenStream>,
    setters: Vec<TokenStream>,
    /// (flag, whether given) of every optional input, for `--all`'s check.
    optional_flags: Vec<(String, TokenStream)>,
}

impl Wiring {
    fn new(globals: &[Global]) -> Self {
        let mut flags: BTreeSet<String> = globals.iter().map(|g| g.flag.clone()).collect();
        flags.extend(["help", "version", "body", "all"].map(str::to_owned));
        Self {
            flags,
            fields: ["body", "all_pages"].map(str::to_owned).into(),
            ..Self::default()
        }
    }

    /// Adds the flag(s) of one argument of the method (required) or builder (optional).
    fn add(&mut self, arg: &Arg<'_>, required: bool, plan: &Plan<'_>) {
        let api = plan.api;
        let value = match arg.source {
            ArgSource::Param(param) => {
                let input = param_input(arg, param, required, self, api);
                self.declarations.push(input.declaration.clone());
                if !required {
                    let field = &input.field;
                    let given = if list_item(&param.ty, api).is_some() {
                        quote!(!self.#field.is_empty())
                    } else {
                        quote!(self.#field.is_some())
                    };
                    self.optional_flags.push((input.shown.clone(), given));
                }
                param_value(arg, param, required, &input, api)
            }
            ArgSource::Body(body) => {
                if !required {
                    self.optional_flags
                        .push(("--body".to_owned(), quote!(self.body.is_some())));
                }
                body_input(arg, body, required, self, plan)
            }
        };
        let local = format_ident!("arg_{}", arg.rust_name.trim_start_matches("r#"));
        let setter = ident(arg.rust_name);
        match value {
            ArgValue::Owned(expression) => {
                self.lets.push(quote!(let #local = #expression;));
                self.call_args.push(quote!(#local));
            }
            ArgValue::Borrowed { ty, value } => {
                self.lets.push(quote!(let #local: #ty = #value;));
                self.call_args.push(quote!(&#local));
            }
            ArgValue::OptionalBorrowed { ty, value } => {
                self.lets.push(quote!(let #local: Option<#ty> = #value;));
                self.setters.push(quote! {
                    if let Some(value) = &#local {
                        request = request.#setter(value);
                    }
                });
            }
            ArgValue::OptionalIf { condition, value } => self.setters.push(quote! {
                if #condition {
                    request = request.#setter(#value);
                }
            }),
            ArgValue::OptionalStatement(statement) => {
                if !statement.is_empty() {
                    self.setters.push(statement);
                }
            }
        }
    }
}

fn command_args(command: &Command<'_, '_>, plan: &Plan<'_>, globals: &[Global]) -> TokenStream {
    let operation = command.plan;
    let op = operation.op;
    let args_name = args_name(command);
    let mut wiring = Wiring::new(globals);
    for arg in &operation.required {
        wiring.add(arg, true, plan);
    }
    for arg in &operation.optional {
        wiring.add(arg, false, plan);
    }
    let paging = all_pages(operation, &mut wiring);
    let Wiring {
        declarations,
        lets,
        call_args,
        setters,
        ..
    } = wiring;
    let method = ident(&op.method_name);
    let request = if setters.is_empty() {
        quote!(let request = client.#method(#(#call_args),*);)
    } else {
        quote! {
            let mut request = client.#method(#(#call_args),*);
            #(#setters)*
        }
    };
    let output = print_result(&operation.decode);
    let doc = format!(
        " Flags of `{} {}` (operation `{}`).",
        op.http_method.as_str(),
        op.path_template,
        op.operation_id
    );
    // A deprecated operation is still offered; calling it is this command's purpose.
    let allow_deprecated = op.deprecated.then(|| quote!(#[allow(deprecated)]));
    // Only reading a body or printing a result needs the streams.
    let reads_body = matches!(
        operation.body.map(|(_, kind)| kind),
        Some(ValueKind::Borrowed(_) | ValueKind::Text | ValueKind::Bytes)
    );
    let io = if reads_body || !matches!(operation.decode, Decode::Empty) {
        quote!(io)
    } else {
        quote!(_io)
    };
    quote! {
        #[doc = #doc]
        #[derive(Debug, Args)]
        pub struct #args_name {
            #(#declarations)*
        }

        impl #args_name {
            #allow_deprecated
            async fn run(self, client: &api::Client, #io: &mut Io<'_>) -> Result<(), Failure> {
                #(#lets)*
                #paging
                #request
                #output
            }
        }
    }
}

/// `--all` of a paged operation: every item through the client's auto-paging stream, as NDJSON.
fn all_pages(operation: &OperationPlan<'_>, wiring: &mut Wiring) -> Option<TokenStream> {
    let pagination = operation.paging?;
    let stream = ident(&pagination.stream_method);
    let stream_args = operation
        .required
        .iter()
        .zip(&wiring.call_args)
        .filter(|(arg, _)| matches!(arg.source, ArgSource::Param(_)))
        .map(|(_, call)| call.clone())
        .chain(operation.required_body().map(|_| quote!(&arg_body)));
    let checks = wiring
        .optional_flags
        .iter()
        .map(|(shown, given)| quote!((#shown, #given)));
    let code = quote! {
        if self.all_pages {
            support::all_pages_without(&[#(#checks),*])?;
            return support::lines(client.#stream(#(#stream_args),*), |item| item, io).await;
        }
    };
    wiring.declarations.push(quote! {
        /// Fetches every page, printing each item as a line of JSON (NDJSON) as it arrives.
        #[arg(long = "all")]
        pub all_pages: bool,
    });
    Some(code)
}

/// Sends the request and prints what it returns, as the operation's response is read.
fn print_result(decode: &Decode<'_>) -> TokenStream {
    match decode {
        Decode::Empty => quote! {
            request.send().await?;
            Ok(())
        },
        Decode::Json(_) | Decode::Envelope(_) | Decode::ByStatus { .. } => {
            quote!(io.json(&request.send().await?))
        }
        Decode::Text => quote!(io.text(&request.send().await?)),
        Decode::Bytes => quote!(io.bytes(&request.send().await?)),
        Decode::Events(_) => {
            quote!(support::lines(request.send().await?, |event| event.data, io).await)
        }
    }
}

/// How an argument's value is made.
enum ArgValue {
    /// A required value passed by value.
    Owned(TokenStream),
    /// A required value of type `ty` passed by reference.
    Borrowed { ty: TokenStream, value: TokenStream },
    /// An optional value made first as an `Option<ty>` (`value`) and passed by reference.
    OptionalBorrowed { ty: TokenStream, value: TokenStream },
    /// An optional value set when `condition` holds.
    OptionalIf {
        condition: TokenStream,
        value: TokenStream,
    },
    /// An optional value set by a statement of its own.
    OptionalStatement(TokenStream),
}

fn param_input(
    arg: &Arg<'_>,
    param: &crate::ir::Param,
    required: bool,
    wiring: &mut Wiring,
    api: &Api,
) -> Input {
    let field = ident(&claim_field(
        &mut wiring.fields,
        arg.rust_name.trim_start_matches("r#"),
    ));
    let where_ = match param.location {
        ParamLocation::Path => "path parameter",
        ParamLocation::Query => "query parameter",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    };
    let list = list_item(&param.ty, api).is_some();
    let hint = if list {
        " Repeat the flag for each value."
    } else {
        ""
    };
    let doc = doc_attrs(&paragraphs([
        param.doc.as_deref().map(spec).as_deref(),
        Some(&*format!("The {where_} `{}`.{hint}", param.name)),
    ]));
    if param.location == ParamLocation::Path {
        let value_name = param.name.to_shouty_snake_case();
        let value_name = if value_name.is_empty() {
            "VALUE".to_owned()
        } else {
            value_name
        };
        return Input {
            declaration: quote! {
                #doc
                #[arg(value_name = #value_name)]
                pub #field: String,
            },
            shown: format!("<{value_name}>"),
            field,
        };
    }
    let flag = claim_flag(&mut wiring.flags, &param.name);
    let shown = format!("--{flag}");
    let declaration = match (list, required) {
        (true, true) => quote! {
            #doc
            #[arg(long = #flag, required = true)]
            pub #field: Vec<String>,
        },
        (true, false) => quote! {
            #doc
            #[arg(long = #flag)]
            pub #field: Vec<String>,
        },
        (false, true) => quote! {
            #doc
            #[arg(long = #flag)]
            pub #field: String,
        },
        (false, false) => quote! {
            #doc
            #[arg(long = #flag)]
            pub #field: Option<String>,
        },
    };
    Input {
        declaration,
        shown,
        field,
    }
}

fn param_value(
    arg: &Arg<'_>,
    param: &crate::ir::Param,
    required: bool,
    input: &Input,
    api: &Api,
) -> ArgValue {
    let field = &input.field;
    let shown = &input.shown;
    let list = list_item(&param.ty, api);
    let plain_string = matches!(arg.kind, ValueKind::String);
    match (required, list) {
        (true, Some(item)) => {
            let text = is_text(item, api);
            ArgValue::Owned(quote!(support::list(#shown, &self.#field, #text)?))
        }
        (false, Some(item)) => {
            let text = is_text(item, api);
            ArgValue::OptionalIf {
                condition: quote!(!self.#field.is_empty()),
                value: quote!(support::list(#shown, &self.#field, #text)?),
            }
        }
        (true, None) if plain_string => ArgValue::Owned(quote!(self.#field)),
        (true, None) => {
            let text = is_text(&param.ty, api);
            ArgValue::Owned(quote!(support::value(#shown, &self.#field, #text)?))
        }
        (false, None) if plain_string => {
            let setter = ident(arg.rust_name);
            ArgValue::OptionalStatement(quote! {
                if let Some(value) = self.#field {
                    request = request.#setter(value);
                }
            })
        }
        (false, None) => {
            let text = is_text(&param.ty, api);
            let setter = ident(arg.rust_name);
            ArgValue::OptionalStatement(quote! {
                if let Some(value) = &self.#field {
                    request = request.#setter(support::value(#shown, value, #text)?);
                }
            })
        }
    }
}

/// `--body` (and, for a JSON object, one flag per top-level field; for a form, one per part):
/// their declarations go into `wiring`, and the value is returned.
fn body_input(
    arg: &Arg<'_>,
    body: &crate::ir::Body,
    required: bool,
    wiring: &mut Wiring,
    plan: &Plan<'_>,
) -> ArgValue {
    match arg.kind {
        ValueKind::Borrowed(ty) => json_body_input(ty, body, required, wiring, plan),
        ValueKind::Text | ValueKind::Bytes => {
            raw_body_input(matches!(arg.kind, ValueKind::Text), body, required, wiring)
        }
        ValueKind::Multipart => multipart_input(body, required, wiring),
        // Not produced for bodies.
        ValueKind::String | ValueKind::Typed(_) => ArgValue::Owned(quote!(Default::default())),
    }
}

/// `String` for a value that must be given, `Option<String>` otherwise.
fn text_type(required: bool) -> TokenStream {
    if required {
        quote!(String)
    } else {
        quote!(Option<String>)
    }
}

/// Declares `--body`, required when the command cannot do without it.
fn declare_body(wiring: &mut Wiring, doc: TokenStream, value_name: &str, required: bool) {
    let ty = text_type(required);
    wiring.declarations.push(quote! {
        #doc
        #[arg(long = "body", value_name = #value_name)]
        pub body: #ty,
    });
}

/// The doc of `--body`: the spec's description, then how to give it.
fn body_doc(body: &crate::ir::Body, what: &str) -> TokenStream {
    doc_attrs(&paragraphs([
        body.doc.as_deref().map(spec).as_deref(),
        Some(what),
    ]))
}

/// A JSON (or form) body: `--body`, merged with one flag per top-level field of an object.
fn json_body_input(
    ty: &TypeRef,
    body: &crate::ir::Body,
    required: bool,
    wiring: &mut Wiring,
    plan: &Plan<'_>,
) -> ArgValue {
    let api = plan.api;
    let fields_of_body = struct_fields(ty, api);
    let doc = body_doc(
        body,
        &format!(
            "The request body ({}): JSON text, `@file.json`, or `-` for standard input.{}",
            body.content_type,
            if fields_of_body.is_empty() {
                ""
            } else {
                " The field flags set fields in it."
            }
        ),
    );
    let whole_body_required = required && fields_of_body.is_empty();
    declare_body(wiring, doc, "JSON|@FILE|-", whole_body_required);
    let mut field_values = Vec::new();
    for field in fields_of_body {
        let Some(flag) = try_claim_flag(&mut wiring.flags, &field.json_name) else {
            continue;
        };
        let member = ident(&claim_field(
            &mut wiring.fields,
            &format!("field_{}", field.rust_name.trim_start_matches("r#")),
        ));
        let doc = doc_attrs(&paragraphs([
            field.doc.as_deref().map(spec).as_deref(),
            Some(&*format!("Sets `{}` in the body.", field.json_name)),
        ]));
        let name = &field.json_name;
        let shown = format!("--{flag}");
        let text = is_text(&field.ty, api);
        let value_name = value_name(&field.ty, api);
        wiring.declarations.push(quote! {
            #doc
            #[arg(long = #flag, value_name = #value_name, help_heading = "Body fields")]
            pub #member: Option<String>,
        });
        let value = match filter_shape(&field.ty, api) {
            Some(shape) => filter_input(&shape, field, &flag, &member, wiring),
            None => quote!(self.#member),
        };
        field_values.push(quote! {
            support::Field { name: #name, flag: #shown, value: #value, text: #text }
        });
    }
    let ty = plan.types.tokens(ty, false);
    let body_arg = if whole_body_required {
        quote!(Some(self.body.as_str()))
    } else {
        quote!(self.body.as_deref())
    };
    if required {
        ArgValue::Borrowed {
            ty,
            value: quote!(support::required_json_body(#body_arg, [#(#field_values),*], io)?),
        }
    } else {
        ArgValue::OptionalBorrowed {
            ty,
            value: quote!(support::json_body(#body_arg, [#(#field_values),*], io)?),
        }
    }
}

/// `--filter` for a body field holding a configured filter: conditions as text, turned into
/// the filter object (replacing the field's own flag); returns the field's value.
fn filter_input(
    shape: &FilterJson,
    field: &crate::ir::Field,
    flag: &str,
    member: &proc_macro2::Ident,
    wiring: &mut Wiring,
) -> TokenStream {
    let Some(filter_flag) = try_claim_flag(&mut wiring.flags, "filter") else {
        return quote!(self.#member);
    };
    let filter_member = ident(&claim_field(&mut wiring.fields, "filter"));
    let conflict = member.to_string();
    let doc = format!(
        " A condition of `{}`: `FIELD OPERATOR VALUE` (operators: {}; or `=`, `!=`, `>`, `>=`, `<`, `<=`). Repeat for more; all must hold. Replaces `--{flag}`.",
        field.json_name,
        shape.operators.join(", ")
    );
    wiring.declarations.push(quote! {
        #[doc = #doc]
        #[arg(long = #filter_flag, value_name = "CONDITION", conflicts_with = #conflict, help_heading = "Body fields")]
        pub #filter_member: Vec<String>,
    });
    let filter_shown = format!("--{filter_flag}");
    let FilterJson {
        conditions,
        expression,
        field: field_name,
        operator,
        value,
        operators,
        list_operators,
    } = shape;
    quote! {
        support::filter(
            #filter_shown,
            &self.#filter_member,
            &support::FilterShape {
                conditions: #conditions,
                expression: #expression,
                field: #field_name,
                operator: #operator,
                value: #value,
                operators: &[#(#operators),*],
                list_operators: &[#(#list_operators),*],
            },
            api::filter::all,
        )?
        .or(self.#member)
    }
}

/// A text or byte body: `--body` as given, `@file` or `-`.
fn raw_body_input(
    text: bool,
    body: &crate::ir::Body,
    required: bool,
    wiring: &mut Wiring,
) -> ArgValue {
    let (what, read) = if text {
        ("text", quote!(support::body_text))
    } else {
        ("bytes", quote!(support::body_bytes))
    };
    let doc = body_doc(
        body,
        &format!(
            "The request body ({}, as {what}): given here, `@file`, or `-` for standard input.",
            body.content_type
        ),
    );
    declare_body(wiring, doc, "TEXT|@FILE|-", required);
    if required {
        ArgValue::Owned(quote!(#read(&self.body, io)?))
    } else {
        ArgValue::OptionalStatement(quote! {
            if let Some(body) = &self.body {
                request = request.body(#read(body, io)?);
            }
        })
    }
}

/// A `multipart/form-data` body: one flag per declared part, files given as paths.
fn multipart_input(body: &crate::ir::Body, required: bool, wiring: &mut Wiring) -> ArgValue {
    let mut parts = Vec::new();
    let mut given = Vec::new();
    for part in &body.form_parts {
        let Some(flag) = try_claim_flag(&mut wiring.flags, &part.name) else {
            continue;
        };
        let member = ident(&claim_field(
            &mut wiring.fields,
            &format!("part_{}", snake_ident(&part.name).trim_start_matches("r#")),
        ));
        let name = &part.name;
        let doc = doc_attrs(&if part.file {
            format!("The file to send as form part `{name}` (a path).")
        } else {
            format!("The form part `{name}`.")
        });
        let required_part = required && part.required;
        let ty = text_type(required_part);
        wiring.declarations.push(quote! {
            #doc
            #[arg(long = #flag, help_heading = "Form parts")]
            pub #member: #ty,
        });
        let add = if part.file {
            quote! {
                let (file_name, bytes) = support::file(&value)?;
                form = form.file(#name, file_name, bytes);
            }
        } else {
            quote!(form = form.text(#name, value);)
        };
        if !required_part {
            given.push(member.clone());
        }
        parts.push(if required_part {
            quote! {{
                let value = self.#member;
                #add
            }}
        } else {
            quote! {
                if let Some(value) = self.#member {
                    #add
                }
            }
        });
    }
    let form = quote! {{
        #[allow(unused_mut)]
        let mut form = api::Multipart::new();
        #(#parts)*
        form
    }};
    if required {
        return ArgValue::Owned(form);
    }
    // An optional form is sent only when a part is given.
    let mut given = given
        .into_iter()
        .map(|member| quote!(self.#member.is_some()));
    let Some(first) = given.next() else {
        return ArgValue::OptionalStatement(TokenStream::new());
    };
    ArgValue::OptionalStatement(quote! {
        if #first #(|| #given)* {
            request = request.body(#form);
        }
    })
}

/// A flag name for `name`, not yet used by the command.
fn claim_flag(flags: &mut BTreeSet<String>, name: &str) -> String {
    let wanted = kebab(name);
    claim(flags, if wanted.is_empty() { "value" } else { &wanted })
}

/// A flag name for `name` when it is free: a body field never renames itself, since its
/// flag says which field it sets.
fn try_claim_flag(flags: &mut BTreeSet<String>, name: &str) -> Option<String> {
    let wanted = kebab(name);
    (!wanted.is_empty() && flags.insert(wanted.clone())).then_some(wanted)
}

/// A field name of the args struct, not yet used.
fn claim_field(fields: &mut BTreeSet<String>, wanted: &str) -> String {
    let wanted = snake_ident(wanted);
    claim_numbered(fields, wanted.trim_start_matches("r#"), '_')
}
