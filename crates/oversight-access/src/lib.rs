//! Identity and access control of the Oversight server.
//!
//! * [`model`]: roles granted on scopes (organisation, supplier,
//!   engagement), the actions they permit, and the one decision:
//!   [`Principal::decide`] allows an action on a resource only when a grant
//!   (and the token used, if any) allows it; else the resource is
//!   forbidden (visible) or hidden (a 404, so ids cannot be probed).
//! * [`store`]: accounts (argon2id), grants, API tokens (stored hashed,
//!   expiring, revocable), one-time setup links and the access log, on the
//!   register's database, SQLite or PostgreSQL, through one SQL layer.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod error;
mod log;
pub mod model;
pub mod secret;
pub mod store;

pub use error::AccessError;
pub use model::{Action, Decision, Grant, Principal, Resource, Role, Scope, TokenLimit};
pub use store::{AccessEvent, AccessStore, TokenInfo, User};
