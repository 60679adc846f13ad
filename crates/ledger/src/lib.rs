//! The cryptographic core of xueshi's tamper-evident registration ledger, kept small and pure so
//! that a security reviewer can read all of it:
//!
//! - [`merkle`]: RFC 6962 / RFC 9162 Merkle tree hashes, an append-only frontier, inclusion and
//!   consistency proofs and their verification;
//! - [`tiles`]: proofs from the kept hashes of complete subtrees (heights multiple of 8), so a
//!   stored log answers any proof with O(log n) reads;
//! - [`note`]: C2SP signed notes with Ed25519 keys, and the checkpoints (signed tree heads)
//!   they carry;
//! - [`base64`]: the strict standard base64 that notes and checkpoints use.
//!
//! It does no I/O, no async, reads no clock and draws no randomness (signing keys come from
//! seeds the caller supplies); storing entries, publishing checkpoints and choosing which keys to
//! trust are the callers' work.

pub mod base64;
pub mod merkle;
pub mod note;
pub mod tiles;

pub use merkle::{
    EMPTY_ROOT, Frontier, Hash, ProofError, Subtree, consistency_proof, consistency_ranges,
    inclusion_proof, inclusion_ranges, leaf_hash, node_hash, root_of, verify_consistency,
    verify_inclusion,
};
pub use note::{Checkpoint, NoteError, Signer, Verifier, verify_checkpoint, verify_note};
pub use tiles::ProofPlan;
