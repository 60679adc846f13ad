//! Views shared by several use cases (and so by the JSON API and the pages): whom a queue item
//! concerns, the receipt of a ledger act. A view of one area lives with that area's use cases.

use serde::Serialize;
use utoipa::ToSchema;
use xueshi_store::ledger::Inclusion;
use xueshi_store::requests::Subject;

use crate::access::hex;

/// Whom a queue item concerns (the person masked).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SubjectView {
    pub person_id: i64,
    pub name: String,
    /// The ID number, masked.
    pub id_masked: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub region: String,
    pub zone: Option<String>,
    pub industry: String,
}

impl From<Subject> for SubjectView {
    fn from(s: Subject) -> Self {
        Self {
            person_id: s.person_id,
            name: s.person_name,
            id_masked: s.id_masked,
            unit_id: s.unit_id,
            unit_name: s.unit_name,
            region: s.region.to_string(),
            zone: s.zone,
            industry: s.industry,
        }
    }
}

/// Where a write sits in the ledger: enough to fetch and check its inclusion proof against a
/// signed checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Receipt {
    /// The entry's index in the log.
    pub entry_index: u64,
    /// The entry's leaf hash (RFC 6962, hex).
    pub leaf: String,
    /// The log's size after the write's batch.
    pub tree_size: u64,
    /// The log's root at that size (hex).
    pub root: String,
}

impl From<&Inclusion> for Receipt {
    fn from(i: &Inclusion) -> Self {
        Self {
            entry_index: i.entry_index,
            leaf: hex(&i.leaf),
            tree_size: i.tree_size,
            root: hex(&i.root),
        }
    }
}

/// The act given.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ActDone {
    pub act_id: i64,
    pub receipt: Receipt,
}

impl ActDone {
    pub fn new(act_id: i64, inclusion: &Inclusion) -> Self {
        Self {
            act_id,
            receipt: Receipt::from(inclusion),
        }
    }
}

/// Hours kept as tenths, as text (`12.5`); a negative count (never stored) reads as 0.
pub fn hours_text(tenths: i64) -> String {
    xueshi_domain::Hours::from_tenths(u64::try_from(tenths).unwrap_or(0)).to_string()
}
