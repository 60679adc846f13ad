//! Integration tests of the ledger's cryptographic core: published RFC 6962 reference vectors and
//! Go signed-note vectors, a cross-check of `root_of` against the recursive definition, and
//! exhaustive tampering of every proof of every tree up to `MAX_SIZE` leaves: each single
//! mutation of a valid proof or of its parameters must be refused; and proofs from kept
//! subtree hashes (`tiles`): equal to proofs from the leaves, bounded reads at any size, and
//! never verifying when built from an altered kept hash.

// Test code: a panic is a failed test, with its message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use xueshi_ledger::base64;
use xueshi_ledger::merkle::{
    EMPTY_ROOT, Frontier, Hash, ProofError, consistency_proof, inclusion_proof, leaf_hash,
    node_hash, root_of, verify_consistency, verify_inclusion,
};
use xueshi_ledger::note::{
    Checkpoint, MAX_SIGNATURES, NoteError, Signer, Verifier, key_id, verify_checkpoint, verify_note,
};
use xueshi_ledger::tiles::{ProofPlan, TILE_HEIGHT, is_kept};

/// Every tree size up to this one is tampered with exhaustively.
const MAX_SIZE: u64 = 70;

fn hex(s: &str) -> Hash {
    assert_eq!(s.len(), 64, "{s}");
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

fn hexes(list: &[&str]) -> Vec<Hash> {
    list.iter().map(|s| hex(s)).collect()
}

/// Distinct leaf hashes of a tree of `n` entries; `salt` gives another tree of the same size.
fn tree(n: u64, salt: u8) -> Vec<Hash> {
    (0..n)
        .map(|i| {
            let mut entry = vec![salt];
            entry.extend_from_slice(&i.to_be_bytes());
            leaf_hash(&entry)
        })
        .collect()
}

// ------------------------------------------------------------------ RFC 6962 reference vectors
//
// Source: github.com/transparency-dev/merkle, file proof/verify_test.go (Apache-2.0; the same
// data as google/certificate-transparency's C++ merkle_tree_test.cc): the eight leaves, the
// roots of the trees of sizes 1..8, and the inclusion and consistency proofs below. That file
// numbers leaves from 1 in its inclusion table (`{leaf, size, proof}`, verified as `leaf - 1`);
// the indices here are 0-based.

const RFC6962_LEAVES: [&[u8]; 8] = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
];

const RFC6962_ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// `(index, size, proof)`, index 0-based.
const RFC6962_INCLUSION: [(u64, u64, &[&str]); 5] = [
    (0, 1, &[]),
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        3,
        &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    ),
    (
        1,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

/// `(old_size, new_size, proof)`.
const RFC6962_CONSISTENCY: [(u64, u64, &[&str]); 5] = [
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

fn rfc6962_leaf_hashes() -> Vec<Hash> {
    RFC6962_LEAVES.iter().map(|d| leaf_hash(d)).collect()
}

#[test]
fn rfc6962_roots_for_sizes_1_to_8() {
    let leaves = rfc6962_leaf_hashes();
    let mut frontier = Frontier::new();
    for (n, want) in RFC6962_ROOTS.iter().enumerate() {
        frontier.push(leaves[n]).unwrap();
        assert_eq!(root_of(&leaves[..=n]), hex(want), "size {}", n + 1);
        assert_eq!(frontier.root(), hex(want), "frontier size {}", n + 1);
    }
    // The empty tree: "e3b0c442...b855" in the same file (sha256EmptyTreeHash).
    assert_eq!(
        root_of(&[]),
        hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    );
}

#[test]
fn rfc6962_inclusion_vectors() {
    let leaves = rfc6962_leaf_hashes();
    for (index, size, proof) in RFC6962_INCLUSION {
        let want = hexes(proof);
        assert_eq!(
            inclusion_proof(&leaves, index, size).unwrap(),
            want,
            "PATH({index}, D[{size}])"
        );
        let root = hex(RFC6962_ROOTS[size as usize - 1]);
        verify_inclusion(&leaves[index as usize], index, size, &want, &root).unwrap();
    }
}

#[test]
fn rfc6962_consistency_vectors() {
    let leaves = rfc6962_leaf_hashes();
    for (old, new, proof) in RFC6962_CONSISTENCY {
        let want = hexes(proof);
        assert_eq!(
            consistency_proof(&leaves, old, new).unwrap(),
            want,
            "PROOF({old}, D[{new}])"
        );
        let old_root = hex(RFC6962_ROOTS[old as usize - 1]);
        let new_root = hex(RFC6962_ROOTS[new as usize - 1]);
        verify_consistency(old, new, &old_root, &new_root, &want).unwrap();
    }
}

// -------------------------------------------------------------- root_of against the definition

/// MTH exactly as RFC 6962 §2.1 defines it, recursively.
fn naive_mth(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => EMPTY_ROOT,
        1 => leaves[0],
        n => {
            let mut k = 1;
            while k * 2 < n {
                k *= 2;
            }
            node_hash(&naive_mth(&leaves[..k]), &naive_mth(&leaves[k..]))
        }
    }
}

proptest! {
    #[test]
    fn root_of_is_the_recursive_mth(
        entries in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..300)
    ) {
        let leaves: Vec<Hash> = entries.iter().map(|e| leaf_hash(e)).collect();
        let want = naive_mth(&leaves);
        prop_assert_eq!(root_of(&leaves), want);
        let mut f = Frontier::new();
        for h in &leaves {
            f.push(*h).unwrap();
        }
        prop_assert_eq!(f.root(), want);
    }

    #[test]
    fn random_proofs_in_larger_trees_verify(n in 1u64..3000, a in any::<u64>(), b in any::<u64>()) {
        let leaves = tree(n, 0);
        let root = root_of(&leaves);
        let index = a % n;
        let proof = inclusion_proof(&leaves, index, n).unwrap();
        prop_assert!(proof.len() <= 64 - (n - 1).leading_zeros() as usize);
        prop_assert_eq!(verify_inclusion(&leaves[index as usize], index, n, &proof, &root), Ok(()));
        let old = 1 + b % n;
        let old_root = root_of(&leaves[..old as usize]);
        let proof = consistency_proof(&leaves, old, n).unwrap();
        prop_assert_eq!(verify_consistency(old, n, &old_root, &root, &proof), Ok(()));
    }
}

// ------------------------------------------------------------ exhaustive tampering of proofs

/// Tree sizes up to which every one of the 256 bits of every proof hash is flipped in turn; above
/// it, eight bits spread over each hash (among them the first and the last) are. Unoptimised
/// SHA-256 takes microseconds, so a debug build flips all bits up to 16 leaves and
/// `cargo nextest run --release` up to `MAX_SIZE`.
const ALL_BITS_UP_TO: u64 = if cfg!(debug_assertions) { 16 } else { MAX_SIZE };

/// The bits of a proof hash to flip for tree size `n`; `salt` varies the sample between proofs.
fn bits_to_flip(n: u64, salt: u64) -> Vec<usize> {
    if n <= ALL_BITS_UP_TO {
        return (0..256).collect();
    }
    let s = salt as usize;
    vec![
        0,
        255,
        7,
        8 + s % 56,
        64 + s % 64,
        128 + (s * 7) % 64,
        192 + (s * 13) % 56,
        248,
    ]
}

/// Every single-hash mutation of `proof`: bits of each hash flipped (see [`bits_to_flip`]), each
/// hash dropped, a foreign hash, a known one and copies of neighbours inserted at each position,
/// each pair of distinct hashes swapped.
fn mutations(proof: &[Hash], known: Hash, bits: &[usize]) -> Vec<(String, Vec<Hash>)> {
    let mut out = Vec::new();
    for i in 0..proof.len() {
        for &bit in bits {
            let mut p = proof.to_vec();
            p[i][bit / 8] ^= 1 << (bit % 8);
            out.push((format!("flip bit {bit} of hash {i}"), p));
        }
        let mut p = proof.to_vec();
        p.remove(i);
        out.push((format!("drop hash {i}"), p));
    }
    for at in 0..=proof.len() {
        let mut candidates = vec![[0u8; 32], known];
        candidates.extend(at.checked_sub(1).and_then(|j| proof.get(j)).copied());
        candidates.extend(proof.get(at).copied());
        for (c, h) in candidates.into_iter().enumerate() {
            let mut p = proof.to_vec();
            p.insert(at, h);
            out.push((format!("insert candidate {c} at {at}"), p));
        }
    }
    for i in 0..proof.len() {
        for j in i + 1..proof.len() {
            if proof[i] != proof[j] {
                let mut p = proof.to_vec();
                p.swap(i, j);
                out.push((format!("swap {i} and {j}"), p));
            }
        }
    }
    out
}

/// The order in which RFC 9162 §2.1.3.2 combines `len` proof hashes for `(index, size)`:
/// `true` where the proof hash is the left child. `None` where the algorithm refuses. Two
/// parameter sets with the same trace compute the same root from the same hashes.
fn inclusion_trace(index: u64, size: u64, len: usize) -> Option<Vec<bool>> {
    if index >= size {
        return None;
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut trace = Vec::new();
    for _ in 0..len {
        if sn == 0 {
            return None;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            trace.push(true);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            trace.push(false);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    (sn == 0).then_some(trace)
}

/// As `inclusion_trace`, for RFC 9162 §2.1.4.2 with `0 < old < new`: whether the old root is
/// prepended, then for each further hash whether it joins both paths on the left.
fn consistency_trace(old: u64, new: u64, len: usize) -> Option<(bool, Vec<bool>)> {
    if old == 0 || old >= new || len == 0 {
        return None;
    }
    let prepend = old.is_power_of_two();
    let steps = if prepend { len } else { len - 1 };
    let (mut fn_, mut sn) = (old - 1, new - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let mut trace = Vec::new();
    for _ in 0..steps {
        if sn == 0 {
            return None;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            trace.push(true);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            trace.push(false);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    (sn == 0).then_some((prepend, trace))
}

#[test]
fn every_inclusion_proof_verifies_and_every_mutation_fails() {
    let mut checked = 0u64;
    let mut same_shape_size_changes = 0u64;
    for n in 1..=MAX_SIZE {
        let leaves = tree(n + 1, 0);
        let root = root_of(&leaves[..n as usize]);
        let other_root = root_of(&tree(n, 1));
        for i in 0..n {
            let leaf = leaves[i as usize];
            let proof = inclusion_proof(&leaves, i, n).unwrap();
            assert_eq!(
                verify_inclusion(&leaf, i, n, &proof, &root),
                Ok(()),
                "({i}, {n})"
            );

            for (what, bad) in mutations(&proof, root, &bits_to_flip(n, i)) {
                assert!(
                    verify_inclusion(&leaf, i, n, &bad, &root).is_err(),
                    "index {i} size {n}: {what} verified"
                );
                checked += 1;
            }
            // Another leaf, another tree's root, the root as leaf.
            let wrong_leaf = leaves[((i + 1) % (n + 1)) as usize];
            assert!(verify_inclusion(&wrong_leaf, i, n, &proof, &root).is_err());
            assert!(verify_inclusion(&leaf, i, n, &proof, &other_root).is_err());
            assert!(verify_inclusion(&root, i, n, &proof, &root).is_err() || n == 1);
            // Index ± 1.
            for j in [i.wrapping_sub(1), i + 1] {
                assert!(
                    verify_inclusion(&leaf, j, n, &proof, &root).is_err(),
                    "index {i}→{j} size {n} verified"
                );
                checked += 1;
            }
            for m in [n - 1, n + 1] {
                // Size ± 1 together with the root of that size (another real tree head):
                // always refused.
                let root_m = root_of(&leaves[..m as usize]);
                assert!(
                    verify_inclusion(&leaf, i, m, &proof, &root_m).is_err(),
                    "index {i} size {n}→{m} with its root verified"
                );
                // Size ± 1 with the root of size n (a size and root that no checkpoint pairs):
                // refused unless the RFC 9162 path has exactly the same shape at both sizes,
                // where the verifier cannot tell a leaf from a subtree (see `merkle` docs).
                let result = verify_inclusion(&leaf, i, m, &proof, &root);
                if result.is_ok() {
                    assert_eq!(
                        inclusion_trace(i, m, proof.len()),
                        inclusion_trace(i, n, proof.len()),
                        "index {i} size {n}→{m} verified with another shape"
                    );
                    same_shape_size_changes += 1;
                }
                checked += 2;
            }
        }
    }
    // The same-shape case exists (e.g. index 0, size 3 → 4).
    assert!(same_shape_size_changes > 0);
    eprintln!("{checked} tampered inclusion checks, {same_shape_size_changes} same-shape sizes");
}

#[test]
fn every_consistency_proof_verifies_and_every_mutation_fails() {
    let mut checked = 0u64;
    let mut same_shape_size_changes = 0u64;
    let leaves = tree(MAX_SIZE + 1, 0);
    let other = tree(MAX_SIZE + 1, 1);
    let roots: Vec<Hash> = (0..=MAX_SIZE + 1)
        .map(|k| root_of(&leaves[..k as usize]))
        .collect();
    let other_roots: Vec<Hash> = (0..=MAX_SIZE + 1)
        .map(|k| root_of(&other[..k as usize]))
        .collect();
    for n in 1..=MAX_SIZE {
        for m in 1..=n {
            let (r1, r2) = (roots[m as usize], roots[n as usize]);
            let proof = consistency_proof(&leaves, m, n).unwrap();
            assert_eq!(
                verify_consistency(m, n, &r1, &r2, &proof),
                Ok(()),
                "({m}, {n})"
            );
            assert_eq!(proof.is_empty(), m == n);

            for (what, bad) in mutations(&proof, r2, &bits_to_flip(n, m)) {
                assert!(
                    verify_consistency(m, n, &r1, &r2, &bad).is_err(),
                    "{m}→{n}: {what} verified"
                );
                checked += 1;
            }
            // Other roots.
            for (a, b) in [
                (other_roots[m as usize], r2),
                (r1, other_roots[n as usize]),
                (r2, r1),
            ] {
                if (a, b) != (r1, r2) {
                    assert!(verify_consistency(m, n, &a, &b, &proof).is_err());
                    checked += 1;
                }
            }
            // Sizes ± 1.
            for (m2, n2) in [(m - 1, n), (m + 1, n), (m, n - 1), (m, n + 1)] {
                // With the roots of the changed sizes (other real tree heads): always refused.
                let (s1, s2) = (roots[m2 as usize], roots[n2 as usize]);
                assert!(
                    verify_consistency(m2, n2, &s1, &s2, &proof).is_err(),
                    "{m}→{n} as {m2}→{n2} with their roots verified"
                );
                // With the original roots: refused unless RFC 9162 runs the same steps.
                if verify_consistency(m2, n2, &r1, &r2, &proof).is_ok() {
                    assert_eq!(
                        consistency_trace(m2, n2, proof.len()),
                        consistency_trace(m, n, proof.len()),
                        "{m}→{n} as {m2}→{n2} verified with another shape"
                    );
                    assert!(consistency_trace(m, n, proof.len()).is_some());
                    same_shape_size_changes += 1;
                }
                checked += 2;
            }
        }
    }
    eprintln!("{checked} tampered consistency checks, {same_shape_size_changes} same-shape sizes");
}

#[test]
fn size_and_root_are_one_claim() {
    // Documented limit of RFC 9162 verification: leaf 0's path has the same shape in trees of
    // sizes 3 and 4, so the size-3 proof also "verifies" against the size-3 root when told the
    // size is 4. A signed checkpoint never pairs size 4 with the size-3 root; with the real
    // size-4 root the proof is refused.
    let leaves = tree(4, 0);
    let proof = inclusion_proof(&leaves, 0, 3).unwrap();
    let root3 = root_of(&leaves[..3]);
    assert_eq!(verify_inclusion(&leaves[0], 0, 4, &proof, &root3), Ok(()));
    assert_eq!(
        verify_inclusion(&leaves[0], 0, 4, &proof, &root_of(&leaves)),
        Err(ProofError::RootMismatch)
    );
}

#[test]
fn proof_errors_say_what_is_wrong() {
    let leaves = tree(8, 0);
    let root = root_of(&leaves);
    let proof = inclusion_proof(&leaves, 5, 8).unwrap();
    let mut long = proof.clone();
    long.push(root);
    assert_eq!(
        verify_inclusion(&leaves[5], 5, 8, &long, &root),
        Err(ProofError::ProofTooLong)
    );
    assert_eq!(
        verify_inclusion(&leaves[5], 5, 8, &proof[..2], &root),
        Err(ProofError::ProofTooShort)
    );
    assert_eq!(
        verify_inclusion(&leaves[4], 5, 8, &proof, &root),
        Err(ProofError::RootMismatch)
    );
    let old_root = root_of(&leaves[..3]);
    let proof = consistency_proof(&leaves, 3, 8).unwrap();
    assert_eq!(
        verify_consistency(3, 8, &root, &root, &proof),
        Err(ProofError::OldRootMismatch)
    );
    assert_eq!(
        verify_consistency(3, 8, &old_root, &old_root, &proof),
        Err(ProofError::NewRootMismatch)
    );
    assert_eq!(
        verify_consistency(3, 8, &old_root, &root, &[]),
        Err(ProofError::ProofTooShort)
    );
    assert_eq!(
        verify_consistency(9, 8, &old_root, &root, &proof),
        Err(ProofError::OldSizeGreaterThanNew {
            old_size: 9,
            new_size: 8
        })
    );
}

// ------------------------------------------------------------------------------ signed notes
//
// Source: golang.org/x/mod, file sumdb/note/note_test.go (BSD-3-Clause): the PeterNeumann and
// EnochRoot keys, the two-line text and their signatures, and the malformed notes of TestOpen.

const PETER_SKEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const GO_TEXT: &str = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const ENOCH_SIG: &str = "\u{2014} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

/// PeterNeumann's signer, from the seed inside Go's `PRIVATE+KEY+name+hash+base64(0x01||seed)`.
fn peter() -> Signer {
    let key64 = PETER_SKEY.splitn(5, '+').nth(4).unwrap();
    let key = base64::decode(key64).unwrap();
    assert_eq!(key[0], 0x01);
    let seed: [u8; 32] = key[1..].try_into().unwrap();
    Signer::new("PeterNeumann", &seed).unwrap()
}

#[test]
fn go_vectors_sign_byte_for_byte() {
    let signer = peter();
    assert_eq!(signer.verifier_key(), PETER_VKEY);
    assert_eq!(u32::from_be_bytes(signer.key_id()), 0xc74f20a3);
    assert_eq!(
        signer.sign_note(GO_TEXT).unwrap(),
        format!("{GO_TEXT}\n{PETER_SIG}")
    );
}

#[test]
fn go_vectors_verify() {
    let peter = Verifier::from_vkey(PETER_VKEY).unwrap();
    let enoch = Verifier::from_vkey(ENOCH_VKEY).unwrap();
    assert_eq!(u32::from_be_bytes(enoch.key_id()), 0xaf0cfe78);
    let both = format!("{GO_TEXT}\n{PETER_SIG}{ENOCH_SIG}");
    assert_eq!(verify_note(&both, &peter), Ok(GO_TEXT));
    assert_eq!(verify_note(&both, &enoch), Ok(GO_TEXT));
    let only_peter = format!("{GO_TEXT}\n{PETER_SIG}");
    assert_eq!(
        verify_note(&only_peter, &enoch),
        Err(NoteError::NoMatchingSignature)
    );
    // "Invalid signature": four base64 characters inserted into Peter's signature.
    let mangled = format!("{GO_TEXT}\n{}ABCD{}", &PETER_SIG[..60], &PETER_SIG[60..]);
    assert_eq!(verify_note(&mangled, &peter), Err(NoteError::BadSignature));
    // Another name, or another key ID: not the trusted key, so ignored.
    let misnamed = PETER_SIG.replace("PeterNeumann", "CarmenSandiego");
    let wrong_id = PETER_SIG.replace("x08g", "xxxx");
    for sig in [misnamed, wrong_id] {
        assert_eq!(
            verify_note(&format!("{GO_TEXT}\n{sig}"), &peter),
            Err(NoteError::NoMatchingSignature)
        );
    }
}

#[test]
fn go_malformed_notes_are_refused() {
    let peter = Verifier::from_vkey(PETER_VKEY).unwrap();
    let bad = [
        GO_TEXT.to_owned(),
        format!("{GO_TEXT}\n"),
        format!("{GO_TEXT}\n{}", &PETER_SIG[..PETER_SIG.len() - 1]),
        format!("\x01{GO_TEXT}\n{PETER_SIG}"),
        format!(
            "{GO_TEXT}\n\u{2014} Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
        ),
        format!("{GO_TEXT}\n{PETER_SIG}Unexpected line.\n"),
        format!("{GO_TEXT}\n{}", PETER_SIG.repeat(MAX_SIGNATURES + 1)),
    ];
    for note in bad {
        assert!(verify_note(&note, &peter).is_err(), "{note:?} verified");
    }
    // (Go's "\xff" case cannot be a &str: text is UTF-8 by type.)
}

#[test]
fn go_mangled_verifier_keys_are_refused() {
    assert!(Verifier::from_vkey(PETER_VKEY).is_ok());
    let b = PETER_VKEY.as_bytes();
    for i in 0..=b.len() {
        for j in i + 1..=b.len() {
            if (i, j) != (0, b.len()) {
                let sub = std::str::from_utf8(&b[i..j]).unwrap();
                assert!(Verifier::from_vkey(sub).is_err(), "{sub:?} accepted");
            }
        }
    }
    for i in 0..b.len() {
        let mut m = b.to_vec();
        m[i] += 1;
        let m = String::from_utf8(m).unwrap();
        assert!(Verifier::from_vkey(&m).is_err(), "{m:?} accepted");
    }
    // Wrong key length with adjusted key ID; unknown algorithm with adjusted key ID.
    assert!(
        Verifier::from_vkey(
            "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
        )
        .is_err()
    );
    assert_eq!(
        Verifier::from_vkey("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
        Err(NoteError::UnknownAlgorithm)
    );
    assert_eq!(
        Verifier::from_vkey("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
        Err(NoteError::KeyIdMismatch)
    );
    assert_eq!(
        Verifier::from_vkey("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
        Err(NoteError::InvalidKeyName)
    );
}

#[test]
fn c2sp_checkpoint_example_parses() {
    // Source: c2sp.org/tlog-checkpoint (github.com/C2SP/C2SP, tlog-checkpoint.md). The spec
    // publishes no public key for it, so the signature line can only be seen as well formed
    // and by a key other than ours.
    let note = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n\u{2014} example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";
    let (body, _) = note.split_once("\n\n").unwrap();
    let c = Checkpoint::parse(&format!("{body}\n")).unwrap();
    assert_eq!(c.origin, "example.com/behind-the-sofa");
    assert_eq!(c.size, 20852163);
    assert_eq!(
        base64::encode(&c.root),
        "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
    );
    let ours = Signer::new("example.com/behind-the-sofa", &[3; 32]).unwrap();
    assert_eq!(
        verify_note(note, &ours.verifier()),
        Err(NoteError::NoMatchingSignature)
    );
}

fn log_signer() -> Signer {
    Signer::new("xueshi.example/ledger", &[42u8; 32]).unwrap()
}

#[test]
fn note_round_trip_and_key_id() {
    let s = log_signer();
    let text = "学时 ledger\nline two\n";
    let note = s.sign_note(text).unwrap();
    assert_eq!(verify_note(&note, &s.verifier()), Ok(text));
    let v = Verifier::from_vkey(&s.verifier_key()).unwrap();
    assert_eq!(verify_note(&note, &v), Ok(text));
    // Key ID = SHA-256(name || 0x0A || 0x01 || public key)[..4], as in the vkey.
    assert_eq!(key_id(s.name(), &s.public_key()), s.key_id());
    assert!(s.verifier_key().starts_with(&format!(
        "xueshi.example/ledger+{:08x}+",
        u32::from_be_bytes(s.key_id())
    )));
}

#[test]
fn note_by_another_key_is_refused() {
    let ours = log_signer();
    let theirs = Signer::new("xueshi.example/ledger", &[43u8; 32]).unwrap();
    let note = theirs.sign_note("hello\n").unwrap();
    // Same name, different key ID: not our key.
    assert_eq!(
        verify_note(&note, &ours.verifier()),
        Err(NoteError::NoMatchingSignature)
    );
    // Their signature bytes under our name and key ID: a forgery, refused.
    let raw = base64::decode(note.rsplit(' ').next().unwrap().trim_end()).unwrap();
    let mut forged = ours.key_id().to_vec();
    forged.extend_from_slice(&raw[4..]);
    let forged = format!(
        "hello\n\n\u{2014} xueshi.example/ledger {}\n",
        base64::encode(&forged)
    );
    assert_eq!(
        verify_note(&forged, &ours.verifier()),
        Err(NoteError::BadSignature)
    );
}

#[test]
fn every_change_to_the_body_is_refused() {
    let s = log_signer();
    let body = Checkpoint::new("xueshi.example/ledger", 1234, [5u8; 32])
        .to_body()
        .unwrap();
    let note = s.sign_note(&body).unwrap();
    let v = s.verifier();
    for i in 0..body.len() {
        for replacement in [b'A', b'0', b'\n', b' '] {
            let mut b = note.clone().into_bytes();
            if b[i] == replacement {
                continue;
            }
            b[i] = replacement;
            let changed = String::from_utf8(b).unwrap();
            assert!(
                verify_note(&changed, &v).is_err(),
                "byte {i} → {replacement}"
            );
        }
    }
    // A duplicated body line, a dropped line, an extra blank line before the signatures.
    let lines: Vec<&str> = body.lines().collect();
    let sig_block = &note[body.len()..];
    for changed in [
        format!("{}\n{body}", lines[0]),
        format!("{}\n{}\n", lines[0], lines[2]),
        format!("{body}\n"),
    ] {
        assert_eq!(
            verify_note(&format!("{changed}{sig_block}"), &v),
            Err(NoteError::BadSignature),
            "{changed:?}"
        );
    }
}

#[test]
fn every_change_to_the_signature_is_refused() {
    let s = log_signer();
    let v = s.verifier();
    let note = s.sign_note("entry\n").unwrap();
    let (head, sig64) = note.trim_end().rsplit_once(' ').unwrap();
    let raw = base64::decode(sig64).unwrap();
    assert_eq!(raw.len(), 68);
    for byte in 0..raw.len() {
        for bit in 0..8 {
            let mut r = raw.clone();
            r[byte] ^= 1 << bit;
            let changed = format!("{head} {}\n", base64::encode(&r));
            let want = if byte < 4 {
                NoteError::NoMatchingSignature // another key ID: not our key
            } else {
                NoteError::BadSignature
            };
            assert_eq!(
                verify_note(&changed, &v),
                Err(want),
                "byte {byte} bit {bit}"
            );
        }
    }
    // Truncated, extended, non-canonical base64.
    for sig in [
        base64::encode(&raw[..67]),
        base64::encode(&[raw.as_slice(), &[0]].concat()),
        format!("{}x", &sig64[..sig64.len() - 1]),
        sig64.replace('=', ""),
    ] {
        assert!(
            verify_note(&format!("{head} {sig}\n"), &v).is_err(),
            "{sig}"
        );
    }
}

#[test]
fn extra_and_duplicate_lines_are_refused() {
    let s = log_signer();
    let v = s.verifier();
    let note = s.sign_note("entry\n").unwrap();
    let sig_line = &note["entry\n\n".len()..];
    let cases = [
        (format!("{note}{sig_line}"), NoteError::DuplicateSignature),
        (format!("{note}extra\n"), NoteError::MalformedSignatureLine),
        (format!("{note}\n"), NoteError::NoSignatureBlock),
        (note.trim_end().to_owned(), NoteError::NoSignatureBlock),
        (
            format!("{note}\u{2014} \n"),
            NoteError::MalformedSignatureLine,
        ),
        (
            format!("{note}\u{2014} other.example/log\n"),
            NoteError::MalformedSignatureLine,
        ),
        (
            format!("{note}\u{2014} other+log AAAAAAA=\n"),
            NoteError::MalformedSignatureLine,
        ),
        (
            format!("{note}\u{2014} other.example/log AAAA\n"),
            NoteError::MalformedSignatureLine,
        ),
        (
            note.replace('\u{2014}', "-"),
            NoteError::MalformedSignatureLine,
        ),
        (note.replace("\n\n", "\n\r\n"), NoteError::ControlCharacter),
    ];
    for (changed, want) in cases {
        assert_eq!(verify_note(&changed, &v), Err(want), "{changed:?}");
    }
}

#[test]
fn unknown_signatures_are_ignored_up_to_the_limit() {
    let s = log_signer();
    let v = s.verifier();
    let mut note = s.sign_note("entry\n").unwrap();
    // Witness cosignatures by 15 other keys: at least 16 signatures must be accepted.
    for k in 0..15u8 {
        let w = Signer::new(&format!("witness{k}.example"), &[k; 32]).unwrap();
        let signed = w.sign_note("entry\n").unwrap();
        note.push_str(&signed["entry\n\n".len()..]);
    }
    assert_eq!(verify_note(&note, &v), Ok("entry\n"));
    let unknown = "\u{2014} someone.example AAAAAAA=\n";
    let at_limit = format!("{note}{}", unknown.repeat(MAX_SIGNATURES - 16));
    assert_eq!(verify_note(&at_limit, &v), Ok("entry\n"));
    assert_eq!(
        verify_note(&format!("{at_limit}{unknown}"), &v),
        Err(NoteError::TooManySignatures)
    );
}

// ---------------------------------------------------------------------- checkpoints end to end

#[test]
fn signed_checkpoints_prove_inclusion_and_consistency() {
    let s = log_signer();
    let v = Verifier::from_vkey(&s.verifier_key()).unwrap();
    let entries: Vec<String> = (0..37).map(|i| format!("registration {i}")).collect();
    let leaves: Vec<Hash> = entries.iter().map(|e| leaf_hash(e.as_bytes())).collect();

    let mut log = Frontier::new();
    let mut checkpoints = Vec::new();
    for (i, h) in leaves.iter().enumerate() {
        log.push(*h).unwrap();
        if i % 12 == 11 || i + 1 == leaves.len() {
            let cp = Checkpoint::new(s.name(), log.size(), log.root());
            checkpoints.push(s.sign_checkpoint(&cp).unwrap());
        }
    }
    let opened: Vec<Checkpoint> = checkpoints
        .iter()
        .map(|n| verify_checkpoint(n, &v).unwrap())
        .collect();
    assert_eq!(
        opened.iter().map(|c| c.size).collect::<Vec<_>>(),
        [12, 24, 36, 37]
    );
    let latest = opened.last().unwrap();
    assert_eq!(latest.origin, s.name());
    for (i, leaf) in leaves.iter().enumerate() {
        let proof = inclusion_proof(&leaves, i as u64, latest.size).unwrap();
        verify_inclusion(leaf, i as u64, latest.size, &proof, &latest.root).unwrap();
    }
    for pair in opened.windows(2) {
        let proof = consistency_proof(&leaves, pair[0].size, pair[1].size).unwrap();
        verify_consistency(
            pair[0].size,
            pair[1].size,
            &pair[0].root,
            &pair[1].root,
            &proof,
        )
        .unwrap();
    }
    // A rewritten entry 5 gives a checkpoint the earlier one cannot be proved consistent with.
    let mut forked = leaves.clone();
    forked[5] = leaf_hash(b"forged registration");
    let forked_root = root_of(&forked);
    let proof = consistency_proof(&forked, 12, 37).unwrap();
    assert!(verify_consistency(12, 37, &opened[0].root, &forked_root, &proof).is_err());
}

// ------------------------------------------------------------ proofs from kept subtree hashes

/// Kept subtree hashes of `leaves`, as a log keeps them while appending.
fn kept(leaves: &[Hash]) -> std::collections::HashMap<(u32, u64), Hash> {
    let mut kept = std::collections::HashMap::new();
    let mut f = Frontier::new();
    for h in leaves {
        f.push_with(*h, |s, h| {
            if is_kept(s.level) {
                kept.insert((s.level, s.index), *h);
            }
        })
        .unwrap();
    }
    kept
}

proptest! {
    #[test]
    fn proofs_from_kept_hashes_equal_proofs_from_leaves(n in 1u64..1500, a in any::<u64>(), b in any::<u64>()) {
        let leaves = tree(n, 0);
        let kept = kept(&leaves);
        prop_assert_eq!(kept.len() as u64, n >> 8);
        let hash = |level: u32, index: u64| match level {
            0 => leaves.get(index as usize).copied(),
            _ => kept.get(&(level, index)).copied(),
        };
        let index = a % n;
        let plan = ProofPlan::inclusion(index, n).unwrap();
        prop_assert_eq!(plan.proof(hash).unwrap(), inclusion_proof(&leaves, index, n).unwrap());
        let old = 1 + b % n;
        let plan = ProofPlan::consistency(old, n).unwrap();
        prop_assert_eq!(plan.proof(hash).unwrap(), consistency_proof(&leaves, old, n).unwrap());
    }

    /// What makes the store's proofs O(log n): at any size up to 2^63, a proof reads at most
    /// two tiles of at most 256 hashes per eight levels, plus one.
    #[test]
    fn proof_reads_are_bounded_by_the_tree_height(size in 1u64..(1 << 63), a in any::<u64>(), b in any::<u64>()) {
        let bands = (u64::BITS - size.leading_zeros()).div_ceil(TILE_HEIGHT) as usize;
        let inclusion = ProofPlan::inclusion(a % size, size).unwrap();
        let consistency = ProofPlan::consistency(1 + b % size, size).unwrap();
        for plan in [inclusion, consistency] {
            let reads = plan.reads();
            prop_assert!(reads.len() <= 2 * bands + 1, "{} reads for size {size}", reads.len());
            for r in reads {
                prop_assert!(r.nodes.end - r.nodes.start <= 256);
                prop_assert!(r.level % TILE_HEIGHT == 0);
                // Complete nodes only: a read never reaches past the tree.
                prop_assert!(r.nodes.end <= size >> r.level);
            }
        }
    }
}

#[test]
fn a_proof_from_an_altered_kept_hash_never_verifies() {
    // 3 complete level-8 subtrees and a partial one; every kept hash altered in turn, every
    // fifth leaf and old size proved: the proof is the honest one (the node is not on its
    // path) or it fails.
    let n = 3 * 256 + 77;
    let leaves = tree(n, 0);
    let root = root_of(&leaves);
    let honest = kept(&leaves);
    let sample: Vec<u64> = (1..n).step_by(5).chain([0, n - 1]).collect();
    let inclusion: Vec<_> = sample
        .iter()
        .map(|i| inclusion_proof(&leaves, *i, n).unwrap())
        .collect();
    let consistency: Vec<_> = sample
        .iter()
        .map(|old| consistency_proof(&leaves, old + 1, n).unwrap())
        .collect();
    let mut failed = 0;
    for key in honest.keys() {
        let mut altered = honest.clone();
        altered.insert(*key, leaf_hash(b"forged subtree"));
        let hash = |level: u32, index: u64| match level {
            0 => leaves.get(index as usize).copied(),
            _ => altered.get(&(level, index)).copied(),
        };
        for (k, i) in sample.iter().copied().enumerate() {
            let proof = ProofPlan::inclusion(i, n).unwrap().proof(hash).unwrap();
            if proof != inclusion[k] {
                assert!(verify_inclusion(&leaves[i as usize], i, n, &proof, &root).is_err());
                failed += 1;
            }
            let old = i + 1;
            let proof = ProofPlan::consistency(old, n).unwrap().proof(hash).unwrap();
            if proof != consistency[k] {
                let old_root = root_of(&leaves[..old as usize]);
                assert!(verify_consistency(old, n, &old_root, &root, &proof).is_err());
                failed += 1;
            }
        }
    }
    // Each altered node lies on the inclusion path of every leaf outside its subtree.
    assert!(failed >= 3 * (sample.len() - 52), "{failed}");
}
