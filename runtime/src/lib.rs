//! The runtime of generated clients: transport, credentials, retries, encoding and decoding.
//!
//! Generated crates vendor these files under `src/runtime/` (this file becomes its `mod.rs`,
//! without the modules the crate does not use), so they build on their own. The public items
//! below are the contract the generator's emitter relies on (`generator/src/emit/runtime.rs`):
//! generated code names nothing else. Every `pub mod` and `pub use` line names one module, so
//! the generator can leave out an unused module by dropping its lines.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod body;
pub mod credentials;
pub mod dates;
// `serde_struct!` for the generated types, by its bare name where this crate is vendored.
#[macro_use]
pub mod de;
// `send_methods!` for the generated builders, by its bare name where this crate is vendored.
#[macro_use]
pub mod decode;
// `query_setters!` for the generated builders, by its bare name where this crate is vendored.
#[macro_use]
pub mod encode;
pub mod error;
pub mod extra;
// `filter_conditions!` and `filter_builder!` for the generated filter types.
#[macro_use]
pub mod filter;
pub mod hooks;
pub mod multipart;
pub mod oauth2;
pub mod paging;
pub mod ratelimit;
pub mod retry;
pub mod secret;
pub mod sse;
// `client_settings!` for the generated client builder, by its bare name where this crate is vendored.
#[macro_use]
pub mod transport;
pub mod wire;

pub use body::{Body, ByteStream};
pub use credentials::{
    select_credentials, BoxError, Credential, CredentialFuture, CredentialProvider,
    CredentialSource, Placement, ProviderContext,
};
pub use de::{rank_alternatives, Shape};
pub use decode::{
    decode_bytes, decode_empty, decode_envelope, decode_json, decode_text, execute, execute_data,
    ApiResponse, Decoder, Envelope, Sending,
};
pub use encode::{
    expand_server_url, form_body, json_body, param_text, path_segment, query_pairs, FormField,
    QueryStyle, QueryValue, Styled,
};
pub use error::{
    ApiError, CredentialError, DeadlineError, DecodeError, DryRun, Error, StatusCode,
    TransportError, TransportErrorKind,
};
pub use extra::Extra;
pub use hooks::{Hook, HookRequest, HookResponse, Hooks};
pub use multipart::Multipart;
pub use oauth2::{ClientAuthentication, ClientCredentials};
pub use paging::{collect_pages, offset_pages, page_number};
pub use ratelimit::RateLimit;
pub use retry::RetryPolicy;
pub use secret::Secret;
pub use sse::{event_json, event_text, open_events, DecodeData, Event, EventStream};
pub use transport::{Call, CallOptions, RawResponse, RequestOptions, Transport, TransportOptions};
