//! The application layer of xueshi: the use cases, and the authorization model they ask.
//!
//! The authorization model is pure and deterministic (no I/O, no clock): who (a [`Principal`]:
//! a role and the scope it acts within) may do what ([`Action`]) to what ([`Target`]), decided
//! by [`authorize`] from the roles of DOMAIN's "Who uses it" table and jurisdiction (GB/T 2260
//! nesting, development zones through the policy's routing table).
//!
//! Each use case (e.g. [`verifications`]) is the one home of a workflow: it loads what it needs
//! through `xueshi_store`, authorizes the [`Actor`] against it, asks the engine, and writes the
//! act with its audit line and ledger leaf in one store transaction. It takes typed inputs and
//! answers typed outputs or an [`Error`] of a typed [`Kind`]; the web layer's routes (JSON) and
//! pages (HTML) are adapters over it and map the kind to an HTTP status.

pub mod access;
pub mod accounts;
pub mod action;
pub mod actor;
pub mod audit;
pub mod authorize;
pub mod bases;
pub mod certificates;
pub mod ctx;
pub mod denied;
pub mod error;
pub mod ids;
pub mod jurisdiction;
pub mod messages;
pub mod persons;
pub mod principal;
pub mod profile;
pub mod queues;
pub mod record_check;
pub mod records;
pub mod registers;
pub mod reviews;
pub mod role;
pub mod session;
pub mod slots;
pub mod statistics;
pub mod target;
pub mod throttle;
pub mod units;
pub mod upload;
pub mod verifications;
pub mod views;

pub use action::Action;
pub use actor::Actor;
pub use authorize::authorize;
pub use ctx::Ctx;
pub use denied::{Denied, DenyCode};
pub use error::{Error, Kind};
pub use ids::{AccountId, OrgId, PersonId, UnitId};
pub use jurisdiction::Context;
pub use principal::{Principal, Scope, ScopeError};
pub use role::Role;
pub use target::{Target, TargetKind};
