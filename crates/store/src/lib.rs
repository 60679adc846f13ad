//! The registry and the tamper-evident registration ledger of xueshi (DOMAIN D10, D18, D19), on
//! SQLite (the embedded default) or PostgreSQL, with one behaviour. Registered rows are only
//! ever appended — the code has no update or delete of them and the database refuses both — and
//! every one is a leaf of a signed Merkle log that `verify` recomputes. Beside registration it
//! keeps the officials' acts (review stamps, verifications: D12–D14, D17), appointment slots and
//! bookings (D16), the audit trail (D18, D19), evidence files (D1) and the organisations that
//! act; it never decides compliance, which is the policy engine's.

pub mod acts;
pub mod appointments;
pub mod audit;
mod bulk;
pub mod certificates;
pub mod covered;
pub mod db;
mod direct;
pub mod entries;
pub mod error;
pub mod evidence;
pub mod export;
pub mod fault;
pub mod keys;
pub mod ledger;
pub mod messages;
pub mod names;
pub mod ops;
pub mod organisations;
pub mod outbox;
pub mod people;
pub mod pg_hosts;
pub mod records;
pub mod registry;
pub mod reminders;
pub mod requests;
pub mod resets;
pub mod staff;
pub mod summaries;
pub mod verify;

pub use db::{Backend, Db, DbDate};
pub use error::StoreError;
pub use keys::Keys;
pub use ledger::LedgerSigner;
pub mod accounts;
pub mod import;
