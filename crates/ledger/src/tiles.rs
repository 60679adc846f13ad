//! Proofs from kept subtree hashes, in the spirit of C2SP tlog-tiles: a log keeps, beside its
//! leaf hashes, the hash of every complete perfect subtree whose height is a positive multiple
//! of [`TILE_HEIGHT`] (8: subtrees of 256 leaves, of 65,536 leaves, …). Any node of the tree,
//! and so any inclusion or consistency proof, is then computed from O(log n) kept hashes.
//!
//! Why this shape: a perfect subtree of height `h` is the root of the `2^(h mod 8)` kept nodes
//! of the kept level `h - h mod 8` below it, all in one aligned run of 256 (a "tile"). An
//! inclusion proof needs one sibling per level; the siblings of the eight levels of one band
//! all lie in the same tile, so a proof reads at most about two tiles (≤ 256 hashes each) per
//! eight levels: ~940 hashes at 10M leaves, in at most six index range scans. Keeping every
//! level instead would read ~48 hashes but write one node per leaf (doubling the log's rows);
//! kept levels cost one node per 255 leaves, which is what makes them free for registration.
//! Nodes are kept as `(level, index, hash)` rather than as tile blobs so that a verifier can
//! name each altered node, and an append writes only the nodes it completes.
//!
//! This module only plans and assembles: which kept hashes a proof needs ([`ProofPlan::reads`])
//! and the proof from them ([`ProofPlan::proof`]). Storing and reading them is the caller's.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::merkle::{
    Hash, ProofError, Subtree, consistency_ranges, fold_subtrees, inclusion_ranges, root_of,
};

/// Kept subtrees have heights that are positive multiples of this.
pub const TILE_HEIGHT: u32 = 8;

/// Every kept level of a log of at most 2^64 - 1 leaves.
pub const KEPT_LEVELS: [u32; 7] = [8, 16, 24, 32, 40, 48, 56];

/// Whether the hashes of complete subtrees of this height are kept.
pub fn is_kept(level: u32) -> bool {
    KEPT_LEVELS.contains(&level)
}

/// For each kept level, the indexes of the kept nodes whose last leaf lies in `leaves`: the
/// nodes that appending those leaves completes. With `0..size`, every node a log of `size`
/// leaves keeps.
pub fn kept_nodes_completed_by(leaves: Range<u64>) -> impl Iterator<Item = (u32, Range<u64>)> {
    // Node `i` of level `l` ends with leaf `(i + 1) * 2^l - 1`, which lies in `from..to`
    // exactly when `from >> l <= i < to >> l`.
    KEPT_LEVELS
        .into_iter()
        .map(move |l| (l, leaves.start >> l..leaves.end >> l))
        .filter(|(_, r)| !r.is_empty())
}

/// Hashes to read for a proof: nodes `nodes` of kept level `level`, or leaf hashes when
/// `level` is 0. Each lies within one tile (256 aligned nodes of one level).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Read {
    pub level: u32,
    pub nodes: Range<u64>,
}

/// A hash the plan needed was not given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MissingHash {
    pub level: u32,
    pub index: u64,
}

/// Which kept hashes a proof needs, and how it is assembled from them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProofPlan {
    /// The proof is the Merkle Tree Hash of each of these leaf ranges, in order.
    ranges: Vec<Range<u64>>,
    reads: Vec<Read>,
}

impl ProofPlan {
    /// The inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162 `PATH`).
    pub fn inclusion(index: u64, size: u64) -> Result<Self, ProofError> {
        Ok(Self::new(inclusion_ranges(index, size)?))
    }

    /// The consistency proof between the trees of `old_size` and `new_size` leaves (RFC 9162
    /// `PROOF`).
    pub fn consistency(old_size: u64, new_size: u64) -> Result<Self, ProofError> {
        Ok(Self::new(consistency_ranges(old_size, new_size)?))
    }

    fn new(ranges: Vec<Range<u64>>) -> Self {
        // One read per tile touched, spanning the nodes needed in it.
        let mut spans: BTreeMap<(u32, u64), Range<u64>> = BTreeMap::new();
        for s in ranges.iter().flat_map(|r| subtrees_of(r.clone())) {
            let (level, nodes) = kept_below(s);
            spans
                .entry((level, nodes.start >> TILE_HEIGHT))
                .and_modify(|span| {
                    span.start = span.start.min(nodes.start);
                    span.end = span.end.max(nodes.end);
                })
                .or_insert(nodes);
        }
        let reads = spans
            .into_iter()
            .map(|((level, _), nodes)| Read { level, nodes })
            .collect();
        Self { ranges, reads }
    }

    /// The hashes to read, by level and tile.
    pub fn reads(&self) -> &[Read] {
        &self.reads
    }

    /// The proof, from the hashes of [`ProofPlan::reads`] (`hash(level, index)`; level 0 is a
    /// leaf hash). A wrong hash gives a proof that does not verify against the true root.
    pub fn proof(&self, hash: impl Fn(u32, u64) -> Option<Hash>) -> Result<Vec<Hash>, MissingHash> {
        let mut nodes = Vec::with_capacity(1 << (TILE_HEIGHT - 1));
        let mut proof = Vec::with_capacity(self.ranges.len());
        for range in &self.ranges {
            let mut pieces = Vec::new();
            for s in subtrees_of(range.clone()) {
                let (level, kept) = kept_below(s);
                nodes.clear();
                for index in kept {
                    nodes.push(hash(level, index).ok_or(MissingHash { level, index })?);
                }
                // A power-of-two run of nodes: `root_of` builds exactly their perfect subtree.
                pieces.push(root_of(&nodes));
            }
            proof.push(fold_subtrees(&pieces));
        }
        Ok(proof)
    }
}

/// The kept nodes a perfect subtree's hash is computed from: the `2^(level mod 8)` nodes of
/// the kept level at or below it (leaves for heights below 8). They lie within one tile.
fn kept_below(s: Subtree) -> (u32, Range<u64>) {
    let above = s.level % TILE_HEIGHT;
    let first = s.index << above;
    (s.level - above, first..first + (1 << above))
}

/// The perfect subtrees that make up a node `lo..hi` of an RFC 9162 tree, largest first: the
/// binary digits of `hi - lo`. A node starts at a multiple of a power of two at least its
/// width, so each piece is aligned, and the node's hash folds the pieces' hashes right to left.
fn subtrees_of(r: Range<u64>) -> impl Iterator<Item = Subtree> {
    let (mut lo, hi) = (r.start, r.end);
    std::iter::from_fn(move || {
        if lo >= hi {
            return None;
        }
        let level = u64::BITS - 1 - (hi - lo).leading_zeros();
        let s = Subtree {
            level,
            index: lo >> level,
        };
        lo += 1 << level;
        Some(s)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{Frontier, consistency_proof, inclusion_proof, leaf_hash};

    #[test]
    fn completed_nodes_by_range() {
        let all: Vec<_> = kept_nodes_completed_by(0..70_000).collect();
        assert_eq!(all, vec![(8, 0..273), (16, 0..1)]);
        let chunk: Vec<_> = kept_nodes_completed_by(255..512).collect();
        assert_eq!(chunk, vec![(8, 0..2)]);
        assert_eq!(kept_nodes_completed_by(256..511).count(), 0);
    }

    #[test]
    fn subtrees_of_a_right_edge() {
        let s: Vec<_> = subtrees_of(256..256 + 13).collect();
        let want = [(3, 32), (2, 66), (0, 268)].map(|(level, index)| Subtree { level, index });
        assert_eq!(s, want);
    }

    #[test]
    fn proofs_from_kept_nodes_equal_proofs_from_leaves() {
        let n = 70_000u64;
        let leaves: Vec<Hash> = (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut kept = std::collections::HashMap::new();
        let mut f = Frontier::new();
        for h in &leaves {
            f.push_with(*h, |s, h| {
                if is_kept(s.level) {
                    kept.insert((s.level, s.index), *h);
                }
            })
            .unwrap();
        }
        let hash = |level: u32, index: u64| match level {
            0 => leaves.get(index as usize).copied(),
            _ => kept.get(&(level, index)).copied(),
        };
        for size in [1, 2, 255, 256, 257, 511, 65_535, 65_536, 65_537, 69_999, n] {
            for index in [0, 1, size / 3, size / 2, size.saturating_sub(2), size - 1] {
                let index = index.min(size - 1);
                let plan = ProofPlan::inclusion(index, size).unwrap();
                assert_eq!(
                    plan.proof(hash).unwrap(),
                    inclusion_proof(&leaves, index, size).unwrap(),
                    "{index} of {size}"
                );
                let old = index + 1;
                let plan = ProofPlan::consistency(old, size).unwrap();
                assert_eq!(
                    plan.proof(hash).unwrap(),
                    consistency_proof(&leaves, old, size).unwrap(),
                    "{old} to {size}"
                );
            }
        }
        // Without its kept nodes the plan says which one it lacks.
        let plan = ProofPlan::inclusion(0, n).unwrap();
        let missing = plan.proof(|level, index| match level {
            0 => leaves.get(index as usize).copied(),
            _ => None,
        });
        assert!(matches!(missing, Err(MissingHash { level: 8, .. })));
    }
}
