//! Security schemes → the credentials a client takes (API keys, bearer and basic auth).

use openapiv3::{APIKeyLocation, SecurityScheme};

use super::lower::OperationLowering;
use super::{ClientCredentialsFlow, Credential, CredentialKind};
use crate::error::Diagnostic;
use crate::naming::{NameScope, snake_ident};
use crate::pointer::pointer_join;

impl OperationLowering<'_> {
    /// The credentials a client takes: every scheme of every alternative of the document's
    /// security requirements (or, failing those, of the first operation that has some), and
    /// the alternatives as lists of indices into them (an alternative needs all its members).
    ///
    /// With a single alternative its schemes are required (`Client::new` asks for them); with
    /// several, each is an optional builder setting and a request uses the first alternative
    /// whose credentials are all set.
    pub(super) fn credentials(&mut self) -> (Vec<Credential>, Vec<Vec<usize>>) {
        let requirements = self
            .openapi
            .security
            .as_ref()
            .filter(|s| !s.is_empty())
            .or_else(|| {
                self.openapi
                    .operations()
                    .find_map(|(_, _, op)| op.security.as_ref().filter(|s| !s.is_empty()))
            });
        let schemes = self
            .openapi
            .components
            .as_ref()
            .map(|c| &c.security_schemes);
        // A spec that defines schemes but never requires one still gets them, as optional settings.
        let (names, required): (Vec<&String>, bool) = match requirements {
            Some(alternatives) => {
                let mut names: Vec<&String> = Vec::new();
                for name in alternatives
                    .iter()
                    .flat_map(|alternative| alternative.keys())
                {
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
                (names, alternatives.len() == 1)
            }
            None => (
                schemes.map(|s| s.keys().collect()).unwrap_or_default(),
                false,
            ),
        };
        let mut rust_names = NameScope::with_reserved(&[
            "base_url",
            "timeout",
            "connect_timeout",
            "http_client",
            "build",
            "retry_policy",
            "user_agent",
            "deadline",
            "rate_limit",
            "no_rate_limit",
            "hook",
        ]);
        let mut credentials = Vec::new();
        for scheme_name in names {
            let at = pointer_join("#/components/securitySchemes", scheme_name);
            let Some(scheme) = schemes.and_then(|s| s.get(scheme_name)) else {
                self.errors.push(
                    Diagnostic::new(
                        "#/security",
                        format!("security scheme `{scheme_name}` is not defined"),
                    )
                    .with_hint("define it under `components/securitySchemes`"),
                );
                continue;
            };
            let Some(scheme) = self.resolve(scheme, &at, "security scheme") else {
                continue;
            };
            let (kind, wanted, description) = match &scheme {
                SecurityScheme::APIKey {
                    location,
                    name,
                    description,
                    ..
                } => {
                    let kind = match location {
                        APIKeyLocation::Header => CredentialKind::HeaderApiKey {
                            header: name.clone(),
                        },
                        APIKeyLocation::Query => CredentialKind::QueryApiKey {
                            parameter: name.clone(),
                        },
                        APIKeyLocation::Cookie => CredentialKind::CookieApiKey {
                            cookie: name.clone(),
                        },
                    };
                    (kind, snake_ident(name), description.clone())
                }
                SecurityScheme::HTTP {
                    scheme,
                    description,
                    ..
                } if scheme.eq_ignore_ascii_case("basic") => (
                    CredentialKind::Basic,
                    "basic_auth".to_owned(),
                    description.clone(),
                ),
                SecurityScheme::HTTP { description, .. } => (
                    CredentialKind::Bearer,
                    "bearer_token".to_owned(),
                    description.clone(),
                ),
                SecurityScheme::OAuth2 { description, .. }
                | SecurityScheme::OpenIDConnect { description, .. } => (
                    CredentialKind::Bearer,
                    "access_token".to_owned(),
                    description.clone(),
                ),
            };
            let rust_name = rust_names.claim(&wanted);
            let provider_setter = rust_names.claim(&format!("{rust_name}_provider"));
            let client_credentials = match &scheme {
                SecurityScheme::OAuth2 { flows, .. } => {
                    flows
                        .client_credentials
                        .as_ref()
                        .map(|flow| ClientCredentialsFlow {
                            setter: rust_names
                                .claim(&format!("{}_client_credentials", snake_ident(scheme_name))),
                            token_url: flow.token_url.clone(),
                            scopes: self.required_scopes(scheme_name),
                        })
                }
                _ => None,
            };
            credentials.push(Credential {
                scheme: scheme_name.clone(),
                rust_name,
                kind,
                description,
                required,
                provider_setter,
                client_credentials,
            });
        }
        let alternatives = requirements
            .into_iter()
            .flatten()
            .map(|alternative| {
                alternative
                    .keys()
                    .filter_map(|name| credentials.iter().position(|c| &c.scheme == name))
                    .collect()
            })
            .collect();
        (credentials, alternatives)
    }

    /// The scopes the document's and the operations' security requirements ask of `scheme`,
    /// each once, in order of appearance.
    fn required_scopes(&self, scheme: &str) -> Vec<String> {
        let operations = self
            .openapi
            .operations()
            .filter_map(|(_, _, op)| op.security.as_ref());
        let mut scopes: Vec<String> = Vec::new();
        for requirement in self.openapi.security.iter().chain(operations).flatten() {
            for scope in requirement.get(scheme).into_iter().flatten() {
                if !scopes.contains(scope) {
                    scopes.push(scope.clone());
                }
            }
        }
        scopes
    }
}
