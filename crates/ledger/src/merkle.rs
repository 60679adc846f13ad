//! RFC 6962 / RFC 9162 Merkle tree hashing over SHA-256: leaf and node hashes, the root of a
//! list of leaf hashes, an append-only [`Frontier`] (compact range) that keeps O(log n) hashes,
//! inclusion and consistency proofs (RFC 9162 §2.1.3.1 PATH, §2.1.4.1 PROOF/SUBPROOF) and their
//! verification (RFC 9162 §2.1.3.2 and §2.1.4.2, step by step).
//!
//! What it does not do: store or read leaves (callers pass slices of leaf hashes), decide which
//! tree size or root to trust (that is what a signed checkpoint is for, see `note`), or any I/O.
//!
//! Trust model of the verifiers: `size` and `root` are a pair taken together from one signed
//! checkpoint. RFC 9162 verification cannot tell a leaf hash from a subtree hash, so a proof can
//! still "verify" against a root when only the size is changed to one whose path has the same
//! shape (for example leaf 0 with size 3 versus 4). Never combine a root with a size from
//! elsewhere.
//!
//! Sizes outside what RFC 9162 defines are refused: an inclusion proof needs `index < size`
//! (so `size > 0`); a consistency proof needs `0 < old_size <= new_size`, and for
//! `old_size == new_size` the proof must be empty and the two roots equal.

use std::fmt;
use std::ops::Range;

use sha2::{Digest, Sha256};

/// A SHA-256 output: a leaf hash, a node hash or a tree root.
pub type Hash = [u8; 32];

/// Root of the empty tree: SHA-256 of the empty string (RFC 9162 §2.1.1).
pub const EMPTY_ROOT: Hash = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

/// Domain-separation prefix of a leaf hash.
const LEAF_PREFIX: u8 = 0x00;
/// Domain-separation prefix of an interior node hash.
const NODE_PREFIX: u8 = 0x01;

/// `SHA-256(0x00 || data)`: the hash of one log entry.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([LEAF_PREFIX]);
    h.update(data);
    h.finalize().into()
}

/// `SHA-256(0x01 || left || right)`: the hash of an interior node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut block = [0u8; 65];
    let (prefix, rest) = block.split_at_mut(1);
    let (l, r) = rest.split_at_mut(32);
    prefix.fill(NODE_PREFIX);
    l.copy_from_slice(left);
    r.copy_from_slice(right);
    Sha256::digest(block).into()
}

/// Folds the roots of perfect subtrees (left to right, heights decreasing) into the tree root:
/// the right-most two are joined first, as in a left-balanced RFC 6962 tree.
pub(crate) fn fold_subtrees(nodes: &[Hash]) -> Hash {
    let mut it = nodes.iter().rev();
    match it.next() {
        None => EMPTY_ROOT,
        Some(last) => it.fold(*last, |acc, left| node_hash(left, &acc)),
    }
}

/// The Merkle Tree Hash (MTH) of `leaf_hashes`; [`EMPTY_ROOT`] for an empty slice.
///
/// Iterative, one pass, `n - 1` node hashes, O(log n) memory and a single small allocation.
pub fn root_of(leaf_hashes: &[Hash]) -> Hash {
    // stack[j] is the root of a perfect subtree; heights strictly decrease along the stack.
    let mut stack: Vec<Hash> = Vec::with_capacity(64);
    for (before, leaf) in leaf_hashes.iter().enumerate() {
        let mut h = *leaf;
        // Appending leaf number `before` completes one subtree per trailing one bit of `before`.
        for _ in 0..before.trailing_ones() {
            if let Some(left) = stack.pop() {
                h = node_hash(&left, &h);
            }
        }
        stack.push(h);
    }
    fold_subtrees(&stack)
}

/// An append-only compact range: the roots of the perfect subtrees that cover leaves `0..size`,
/// enough to append further leaves and to give the root at the current size, in O(log n) memory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    /// One hash per set bit of `size`, highest subtree first.
    nodes: Vec<Hash>,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuilds a frontier saved with [`Frontier::size`] and [`Frontier::nodes`]. Refuses a
    /// number of hashes other than the number of set bits of `size`.
    pub fn from_parts(size: u64, nodes: Vec<Hash>) -> Result<Self, ProofError> {
        if u64::from(size.count_ones()) != nodes.len() as u64 {
            return Err(ProofError::FrontierShape {
                size,
                hashes: nodes.len() as u64,
            });
        }
        Ok(Self { size, nodes })
    }

    /// Number of leaves appended so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The roots of the perfect subtrees covering the tree, highest (left-most) first.
    pub fn nodes(&self) -> &[Hash] {
        &self.nodes
    }

    /// Appends one leaf hash and returns its index. O(log n) time, no allocation once the
    /// frontier has grown.
    pub fn push(&mut self, leaf_hash: Hash) -> Result<u64, ProofError> {
        self.push_with(leaf_hash, |_, _| {})
    }

    /// [`Frontier::push`], calling `completed` with each perfect subtree the leaf completes
    /// (lowest first) and its hash: what a log that keeps subtree hashes stores.
    pub fn push_with(
        &mut self,
        leaf_hash: Hash,
        mut completed: impl FnMut(Subtree, &Hash),
    ) -> Result<u64, ProofError> {
        let index = self.size;
        let next = index.checked_add(1).ok_or(ProofError::TreeFull)?;
        let mut h = leaf_hash;
        // `next` has a trailing zero per merge, so `next >> level` is at least 1.
        for level in 1..=index.trailing_ones() {
            if let Some(left) = self.nodes.pop() {
                h = node_hash(&left, &h);
                completed(
                    Subtree {
                        level,
                        index: (next >> level) - 1,
                    },
                    &h,
                );
            }
        }
        self.nodes.push(h);
        self.size = next;
        Ok(index)
    }

    /// The tree root at the current size ([`EMPTY_ROOT`] when empty).
    pub fn root(&self) -> Hash {
        fold_subtrees(&self.nodes)
    }
}

/// A perfect subtree of a log: the `2^level` leaves from `index * 2^level` on (level 0: one
/// leaf). Every node of an RFC 9162 tree that is not on its right edge is one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Subtree {
    pub level: u32,
    pub index: u64,
}

impl Subtree {
    /// The leaves it covers; `None` when they lie beyond `u64`.
    pub fn leaves(self) -> Option<Range<u64>> {
        let width = 1u64.checked_shl(self.level)?;
        let lo = self.index.checked_mul(width)?;
        Some(lo..lo.checked_add(width)?)
    }
}

/// Why a proof could not be made or did not verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProofError {
    /// Inclusion: the leaf index is not below the tree size (this includes every size 0).
    IndexOutOfRange { index: u64, size: u64 },
    /// Consistency: the old tree is larger than the new one.
    OldSizeGreaterThanNew { old_size: u64, new_size: u64 },
    /// Consistency: RFC 9162 defines no consistency proof from the empty tree.
    EmptyOldTree,
    /// More proof hashes than the sizes call for (trailing or inserted hashes).
    ProofTooLong,
    /// Fewer proof hashes than the sizes call for (including an empty proof).
    ProofTooShort,
    /// The root computed from the proof is not the expected root.
    RootMismatch,
    /// Consistency: the old root computed from the proof is not the expected old root.
    OldRootMismatch,
    /// Consistency: the new root computed from the proof is not the expected new root.
    NewRootMismatch,
    /// Proof generation: the tree size exceeds the number of leaf hashes supplied.
    SizeBeyondLeaves { size: u64, available: u64 },
    /// A saved frontier does not have one hash per set bit of its size.
    FrontierShape { size: u64, hashes: u64 },
    /// The tree already holds 2^64 - 1 leaves.
    TreeFull,
}

impl ProofError {
    /// Stable code for programs.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::IndexOutOfRange { .. } => "proof.index_out_of_range",
            Self::OldSizeGreaterThanNew { .. } => "proof.old_size_greater",
            Self::EmptyOldTree => "proof.empty_old_tree",
            Self::ProofTooLong => "proof.too_long",
            Self::ProofTooShort => "proof.too_short",
            Self::RootMismatch => "proof.root_mismatch",
            Self::OldRootMismatch => "proof.old_root_mismatch",
            Self::NewRootMismatch => "proof.new_root_mismatch",
            Self::SizeBeyondLeaves { .. } => "proof.size_beyond_leaves",
            Self::FrontierShape { .. } => "proof.frontier_shape",
            Self::TreeFull => "proof.tree_full",
        }
    }
}

impl fmt::Display for ProofError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::IndexOutOfRange { index, size } => write!(
                f,
                "叶序号 {index} 不小于树大小 {size} / leaf index {index} is not below tree size {size}"
            ),
            Self::OldSizeGreaterThanNew { old_size, new_size } => write!(
                f,
                "旧树大小 {old_size} 大于新树大小 {new_size} / old size {old_size} exceeds new size {new_size}"
            ),
            Self::EmptyOldTree => {
                f.write_str("空树没有一致性证明 / no consistency proof from an empty tree")
            }
            Self::ProofTooLong => f.write_str("证明哈希过多 / proof has too many hashes"),
            Self::ProofTooShort => f.write_str("证明哈希不足 / proof has too few hashes"),
            Self::RootMismatch => f.write_str("根哈希不符 / root hash mismatch"),
            Self::OldRootMismatch => f.write_str("旧根哈希不符 / old root hash mismatch"),
            Self::NewRootMismatch => f.write_str("新根哈希不符 / new root hash mismatch"),
            Self::SizeBeyondLeaves { size, available } => write!(
                f,
                "树大小 {size} 超出已有叶数 {available} / tree size {size} exceeds the {available} leaves given"
            ),
            Self::FrontierShape { size, hashes } => write!(
                f,
                "前沿哈希数 {hashes} 与大小 {size} 不符 / frontier of size {size} cannot have {hashes} hashes"
            ),
            Self::TreeFull => f.write_str("树已满 / tree is full"),
        }
    }
}

impl std::error::Error for ProofError {}

/// The largest power of two strictly below `n`; `n` must be at least 2.
fn split_point(n: u64) -> u64 {
    1u64 << (u64::BITS - 1 - (n - 1).leading_zeros())
}

/// The first `size` leaf hashes, or why they are not there.
fn prefix(leaf_hashes: &[Hash], size: u64) -> Result<&[Hash], ProofError> {
    let too_large = ProofError::SizeBeyondLeaves {
        size,
        available: leaf_hashes.len() as u64,
    };
    let n = usize::try_from(size).map_err(|_| too_large)?;
    leaf_hashes.get(..n).ok_or(too_large)
}

/// MTH of `leaves[range]`.
fn mth(leaves: &[Hash], range: Range<u64>) -> Result<Hash, ProofError> {
    let beyond = ProofError::SizeBeyondLeaves {
        size: range.end,
        available: leaves.len() as u64,
    };
    let lo = usize::try_from(range.start).map_err(|_| beyond)?;
    let hi = usize::try_from(range.end).map_err(|_| beyond)?;
    leaves.get(lo..hi).map(root_of).ok_or(beyond)
}

/// The leaf ranges whose Merkle Tree Hashes make up the inclusion proof of leaf `index` in the
/// tree of `size` leaves (RFC 9162 §2.1.3.1 `PATH(m, D[n])`), leaf's sibling first. Each is a
/// node of that tree: a perfect subtree, or the right edge `lo..size` with `lo` a multiple of
/// a power of two at least `size - lo`.
pub fn inclusion_ranges(index: u64, size: u64) -> Result<Vec<Range<u64>>, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let mut m = index;
    let (mut lo, mut hi) = (0u64, size);
    // Found root first; PATH lists them leaf first.
    let mut path = Vec::new();
    while hi - lo > 1 {
        let k = split_point(hi - lo);
        if m < k {
            path.push(lo + k..hi);
            hi = lo + k;
        } else {
            path.push(lo..lo + k);
            lo += k;
            m -= k;
        }
    }
    path.reverse();
    Ok(path)
}

/// The leaf ranges whose Merkle Tree Hashes make up the consistency proof between the trees of
/// `old_size` and `new_size` leaves (RFC 9162 §2.1.4.1 `PROOF(m, D[n])`), deepest first; nodes
/// of the new tree as in [`inclusion_ranges`]. Empty when the sizes are equal; refused for
/// `old_size == 0`, which RFC 9162 does not define.
pub fn consistency_ranges(old_size: u64, new_size: u64) -> Result<Vec<Range<u64>>, ProofError> {
    if old_size > new_size {
        return Err(ProofError::OldSizeGreaterThanNew { old_size, new_size });
    }
    if old_size == 0 {
        return Err(ProofError::EmptyOldTree);
    }
    let mut m = old_size;
    let (mut lo, mut hi) = (0u64, new_size);
    let mut whole_old_subtree_known = true; // the `b` of SUBPROOF
    // Found root first; PROOF lists them deepest first.
    let mut proof = Vec::new();
    while m < hi - lo {
        let k = split_point(hi - lo);
        if m <= k {
            proof.push(lo + k..hi);
            hi = lo + k;
        } else {
            proof.push(lo..lo + k);
            lo += k;
            m -= k;
            whole_old_subtree_known = false;
        }
    }
    if !whole_old_subtree_known {
        proof.push(lo..hi);
    }
    proof.reverse();
    Ok(proof)
}

/// The inclusion proof (audit path) of leaf `index` in the tree of the first `size` leaf hashes:
/// RFC 9162 §2.1.3.1 `PATH(m, D[n])`, ordered from the leaf's sibling up to the root.
pub fn inclusion_proof(
    leaf_hashes: &[Hash],
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, ProofError> {
    let ranges = inclusion_ranges(index, size)?;
    let leaves = prefix(leaf_hashes, size)?;
    ranges.into_iter().map(|r| mth(leaves, r)).collect()
}

/// The consistency proof between the trees of the first `old_size` and the first `new_size`
/// leaf hashes: RFC 9162 §2.1.4.1 `PROOF(m, D[n]) = SUBPROOF(m, D[n], true)`. Empty when the
/// sizes are equal; refused for `old_size == 0`, which RFC 9162 does not define.
pub fn consistency_proof(
    leaf_hashes: &[Hash],
    old_size: u64,
    new_size: u64,
) -> Result<Vec<Hash>, ProofError> {
    let ranges = consistency_ranges(old_size, new_size)?;
    let leaves = prefix(leaf_hashes, new_size)?;
    ranges.into_iter().map(|r| mth(leaves, r)).collect()
}

/// Right-shifts `fn_` and `sn` together until the low bit of `fn_` is set or `fn_` is 0.
fn shift_until_odd_or_zero(fn_: &mut u64, sn: &mut u64) {
    while *fn_ & 1 == 0 && *fn_ != 0 {
        *fn_ >>= 1;
        *sn >>= 1;
    }
}

/// Verifies that `leaf_hash` is leaf `index` of the tree of size `size` whose root is `root`,
/// following RFC 9162 §2.1.3.2 step by step. Any hash too many or too few is refused.
pub fn verify_inclusion(
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    // 1. leaf_index >= tree_size fails (so does every tree_size of 0).
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    // 2. fn = leaf_index, sn = tree_size - 1.
    let (mut fn_, mut sn) = (index, size - 1);
    // 3. r = hash.
    let mut r = *leaf_hash;
    // 4. For each p in the inclusion path:
    for p in proof {
        // a. sn == 0: the path is longer than the tree is deep.
        if sn == 0 {
            return Err(ProofError::ProofTooLong);
        }
        // b. p is a left sibling when fn is odd or fn is the last node of its level.
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            shift_until_odd_or_zero(&mut fn_, &mut sn);
        } else {
            r = node_hash(&r, p);
        }
        // c. Up one level.
        fn_ >>= 1;
        sn >>= 1;
    }
    // 5. sn must be 0 and r the root.
    if sn != 0 {
        return Err(ProofError::ProofTooShort);
    }
    if r != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Verifies that the tree of size `old_size` with root `old_root` is a prefix of the tree of
/// size `new_size` with root `new_root`, following RFC 9162 §2.1.4.2 step by step for
/// `0 < old_size < new_size`. For `old_size == new_size` the proof must be empty and the roots
/// equal; `old_size == 0` and `old_size > new_size` are refused.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old_size > new_size {
        return Err(ProofError::OldSizeGreaterThanNew { old_size, new_size });
    }
    if old_size == 0 {
        return Err(ProofError::EmptyOldTree);
    }
    if old_size == new_size {
        if !proof.is_empty() {
            return Err(ProofError::ProofTooLong);
        }
        if old_root != new_root {
            return Err(ProofError::RootMismatch);
        }
        return Ok(());
    }
    // 1. An empty consistency path fails.
    let Some((first_in_proof, rest_of_proof)) = proof.split_first() else {
        return Err(ProofError::ProofTooShort);
    };
    // 2. If first is an exact power of 2, prepend first_hash to the path.
    let (seed, rest): (&Hash, &[Hash]) = if old_size.is_power_of_two() {
        (old_root, proof)
    } else {
        (first_in_proof, rest_of_proof)
    };
    // 3. fn = first - 1, sn = second - 1.
    let (mut fn_, mut sn) = (old_size - 1, new_size - 1);
    // 4. While fn is odd, shift both right.
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    // 5. fr = sr = the first value of the path.
    let (mut fr, mut sr) = (*seed, *seed);
    // 6. For each subsequent value c:
    for c in rest {
        // a. sn == 0: too many hashes.
        if sn == 0 {
            return Err(ProofError::ProofTooLong);
        }
        // b. c is a left sibling of both paths, or a right sibling of the new path only.
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            shift_until_odd_or_zero(&mut fn_, &mut sn);
        } else {
            sr = node_hash(&sr, c);
        }
        // c. Up one level.
        fn_ >>= 1;
        sn >>= 1;
    }
    // 7. fr must be first_hash, sr second_hash and sn 0.
    if sn != 0 {
        return Err(ProofError::ProofTooShort);
    }
    if fr != *old_root {
        return Err(ProofError::OldRootMismatch);
    }
    if sr != *new_root {
        return Err(ProofError::NewRootMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n as u32).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        let expected: Hash = Sha256::digest([]).into();
        assert_eq!(EMPTY_ROOT, expected);
        assert_eq!(root_of(&[]), EMPTY_ROOT);
        assert_eq!(Frontier::new().root(), EMPTY_ROOT);
    }

    #[test]
    fn leaf_and_node_hash_use_their_prefixes() {
        let expected: Hash = Sha256::digest(b"\x00abc").into();
        assert_eq!(leaf_hash(b"abc"), expected);
        let (l, r) = ([1u8; 32], [2u8; 32]);
        let mut data = vec![1u8];
        data.extend_from_slice(&l);
        data.extend_from_slice(&r);
        let expected: Hash = Sha256::digest(&data).into();
        assert_eq!(node_hash(&l, &r), expected);
    }

    #[test]
    fn small_trees_by_hand() {
        let d = leaves(5);
        let (a, b, c, dd, e) = (d[0], d[1], d[2], d[3], d[4]);
        assert_eq!(root_of(&d[..1]), a);
        assert_eq!(root_of(&d[..2]), node_hash(&a, &b));
        assert_eq!(root_of(&d[..3]), node_hash(&node_hash(&a, &b), &c));
        let four = node_hash(&node_hash(&a, &b), &node_hash(&c, &dd));
        assert_eq!(root_of(&d[..4]), four);
        assert_eq!(root_of(&d), node_hash(&four, &e));
    }

    #[test]
    fn frontier_matches_root_of_at_every_size() {
        let d = leaves(130);
        let mut f = Frontier::new();
        for (i, h) in d.iter().enumerate() {
            assert_eq!(f.push(*h), Ok(i as u64));
            assert_eq!(f.root(), root_of(&d[..=i]));
            assert_eq!(f.nodes().len() as u32, f.size().count_ones());
            let again = Frontier::from_parts(f.size(), f.nodes().to_vec()).unwrap();
            assert_eq!(again, f);
        }
    }

    #[test]
    fn push_with_reports_every_completed_subtree_once() {
        let d = leaves(70);
        let mut f = Frontier::new();
        let mut seen = Vec::new();
        for h in &d {
            f.push_with(*h, |s, h| seen.push((s, *h))).unwrap();
        }
        // Every perfect subtree of 2..=64 leaves within the 70, lowest level first per push.
        let want = (1..=6u32)
            .flat_map(|level| (0..(70u64 >> level)).map(move |index| Subtree { level, index }))
            .count();
        assert_eq!(seen.len(), want);
        for (s, h) in seen {
            let r = s.leaves().unwrap();
            assert_eq!(h, root_of(&d[r.start as usize..r.end as usize]), "{s:?}");
        }
        assert_eq!(Subtree { level: 8, index: 3 }.leaves(), Some(768..1024));
        assert_eq!(
            Subtree {
                level: 64,
                index: 0
            }
            .leaves(),
            None
        );
        assert_eq!(
            Subtree {
                level: 63,
                index: 1
            }
            .leaves(),
            None
        );
    }

    #[test]
    fn frontier_from_parts_checks_shape() {
        assert_eq!(
            Frontier::from_parts(3, vec![[0; 32]]),
            Err(ProofError::FrontierShape { size: 3, hashes: 1 })
        );
        assert!(Frontier::from_parts(0, vec![]).is_ok());
        let mut full = Frontier::from_parts(u64::MAX, vec![[0; 32]; 64]).unwrap();
        assert_eq!(full.push([1; 32]), Err(ProofError::TreeFull));
        assert_eq!(full.size(), u64::MAX);
    }

    #[test]
    fn seven_leaf_example_of_c2sp_merkle_tree() {
        // The worked example of c2sp.org/merkle-tree (labels a..l as there).
        let d = leaves(7);
        let [a, b, c, dd, e, f, g] = [d[0], d[1], d[2], d[3], d[4], d[5], d[6]];
        let (h, i, j) = (node_hash(&a, &b), node_hash(&c, &dd), node_hash(&e, &f));
        let (k, l) = (node_hash(&h, &i), node_hash(&j, &g));
        assert_eq!(root_of(&d), node_hash(&k, &l));
        assert_eq!(inclusion_proof(&d, 0, 7).unwrap(), vec![b, i, l]);
        assert_eq!(inclusion_proof(&d, 3, 7).unwrap(), vec![c, h, l]);
        assert_eq!(inclusion_proof(&d, 4, 7).unwrap(), vec![f, g, k]);
        assert_eq!(inclusion_proof(&d, 6, 7).unwrap(), vec![j, k]);
        assert_eq!(consistency_proof(&d, 3, 7).unwrap(), vec![c, dd, h, l]);
        assert_eq!(consistency_proof(&d, 4, 7).unwrap(), vec![l]);
        assert_eq!(consistency_proof(&d, 6, 7).unwrap(), vec![j, g, k]);
    }

    #[test]
    fn generation_refuses_bad_arguments() {
        let d = leaves(4);
        assert_eq!(
            inclusion_proof(&d, 0, 0),
            Err(ProofError::IndexOutOfRange { index: 0, size: 0 })
        );
        assert_eq!(
            inclusion_proof(&d, 4, 4),
            Err(ProofError::IndexOutOfRange { index: 4, size: 4 })
        );
        assert_eq!(
            inclusion_proof(&d, 0, 5),
            Err(ProofError::SizeBeyondLeaves {
                size: 5,
                available: 4
            })
        );
        assert_eq!(
            consistency_proof(&d, 3, 2),
            Err(ProofError::OldSizeGreaterThanNew {
                old_size: 3,
                new_size: 2
            })
        );
        assert_eq!(consistency_proof(&d, 0, 3), Err(ProofError::EmptyOldTree));
        assert_eq!(consistency_proof(&d, 4, 4), Ok(vec![]));
        assert_eq!(
            consistency_proof(&d, 2, 5),
            Err(ProofError::SizeBeyondLeaves {
                size: 5,
                available: 4
            })
        );
    }

    #[test]
    fn verification_refuses_sizes_outside_the_rfc() {
        let d = leaves(4);
        let root = root_of(&d);
        for (index, size) in [(0, 0), (1, 0), (4, 4), (5, 4), (u64::MAX, u64::MAX)] {
            assert_eq!(
                verify_inclusion(&d[0], index, size, &[], &root),
                Err(ProofError::IndexOutOfRange { index, size })
            );
        }
        assert_eq!(
            verify_consistency(0, 0, &EMPTY_ROOT, &EMPTY_ROOT, &[]),
            Err(ProofError::EmptyOldTree)
        );
        assert_eq!(
            verify_consistency(0, 4, &EMPTY_ROOT, &root, &[]),
            Err(ProofError::EmptyOldTree)
        );
        assert_eq!(
            verify_consistency(5, 4, &root, &root, &[]),
            Err(ProofError::OldSizeGreaterThanNew {
                old_size: 5,
                new_size: 4
            })
        );
        assert_eq!(verify_consistency(4, 4, &root, &root, &[]), Ok(()));
        assert_eq!(
            verify_consistency(4, 4, &root, &root, &[root]),
            Err(ProofError::ProofTooLong)
        );
        assert_eq!(
            verify_consistency(4, 4, &root, &d[0], &[]),
            Err(ProofError::RootMismatch)
        );
        assert_eq!(
            verify_consistency(2, 4, &root_of(&d[..2]), &root, &[]),
            Err(ProofError::ProofTooShort)
        );
    }

    #[test]
    fn huge_sizes_fail_fast_without_overflow() {
        let d = leaves(2);
        let proof = [d[1]; 70];
        assert_eq!(
            verify_inclusion(&d[0], u64::MAX - 1, u64::MAX, &proof, &d[0]),
            Err(ProofError::ProofTooLong)
        );
        assert_eq!(
            verify_inclusion(&d[0], 0, u64::MAX, &proof[..3], &d[0]),
            Err(ProofError::ProofTooShort)
        );
        assert_eq!(
            verify_consistency(u64::MAX - 1, u64::MAX, &d[0], &d[1], &proof),
            Err(ProofError::ProofTooLong)
        );
        assert_eq!(
            verify_consistency(1, u64::MAX, &d[0], &d[1], &proof[..2]),
            Err(ProofError::ProofTooShort)
        );
    }

    #[test]
    fn error_codes_are_distinct_and_messages_bilingual() {
        let all = [
            ProofError::IndexOutOfRange { index: 1, size: 1 },
            ProofError::OldSizeGreaterThanNew {
                old_size: 2,
                new_size: 1,
            },
            ProofError::EmptyOldTree,
            ProofError::ProofTooLong,
            ProofError::ProofTooShort,
            ProofError::RootMismatch,
            ProofError::OldRootMismatch,
            ProofError::NewRootMismatch,
            ProofError::SizeBeyondLeaves {
                size: 2,
                available: 1,
            },
            ProofError::FrontierShape { size: 1, hashes: 0 },
            ProofError::TreeFull,
        ];
        let codes: std::collections::BTreeSet<_> = all.iter().map(ProofError::code).collect();
        assert_eq!(codes.len(), all.len());
        for e in all {
            let text = e.to_string();
            assert!(text.contains(" / "), "{text}");
            assert!(!text.is_ascii(), "{text}");
            assert!(e.code().starts_with("proof."));
        }
    }
}
