//! The application layer of xueshi. For now only its authorization model: who (a
//! [`Principal`]: a role and the scope it acts within) may do what ([`Action`]) to what
//! ([`Target`]), decided by [`authorize`] from the roles of DOMAIN's "Who uses it" table and
//! jurisdiction (GB/T 2260 nesting, development zones through the policy's routing table).
//!
//! Pure and deterministic: no I/O, no async, no database, no clock. It does not load targets
//! (the caller states what it loaded), does not write the audit trail (it says which actions
//! must be audited: [`Action::is_audited`]) and does not decide which bureau verifies a
//! given title application (that is `xueshi_policy::route`, D13).

pub mod action;
pub mod authorize;
pub mod denied;
pub mod ids;
pub mod jurisdiction;
pub mod principal;
pub mod role;
pub mod target;

pub use action::Action;
pub use authorize::authorize;
pub use denied::{Denied, DenyCode};
pub use ids::{AccountId, OrgId, PersonId, UnitId};
pub use jurisdiction::Context;
pub use principal::{Principal, Scope, ScopeError};
pub use role::Role;
pub use target::{Target, TargetKind};
