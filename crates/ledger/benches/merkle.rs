//! Merkle benchmarks (divan; items = leaves, so divan reports leaves per second):
//! - `root_of_1m`: `root_of` over 1 000 000 leaf hashes (what `ledger verify` does per million
//!   entries);
//! - `frontier_push_1m`: appending the same 1 000 000 leaf hashes to a `Frontier`, then its root;
//! - `leaf_hash_1m_x128b`: `leaf_hash` of 1 000 000 entries of 128 bytes each.
//!
//! Run with `cargo bench -p xueshi-ledger --bench merkle`. Inputs are deterministic (xorshift),
//! built once outside the timed region.

// A benchmark is not library code: it indexes its own fixed tables.
#![allow(clippy::indexing_slicing)]

use std::hint::black_box;
use std::sync::LazyLock;

use divan::Bencher;
use divan::counter::ItemsCount;
use xueshi_ledger::merkle::{Frontier, Hash, leaf_hash, root_of};

const LEAVES: usize = 1_000_000;
const ENTRY_BYTES: usize = 128;

fn main() {
    divan::main();
}

/// `LEAVES * ENTRY_BYTES` pseudo-random bytes.
static ENTRIES: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut out = Vec::with_capacity(LEAVES * ENTRY_BYTES);
    while out.len() < LEAVES * ENTRY_BYTES {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out
});

static LEAF_HASHES: LazyLock<Vec<Hash>> =
    LazyLock::new(|| ENTRIES.chunks_exact(ENTRY_BYTES).map(leaf_hash).collect());

#[divan::bench(sample_count = 10, sample_size = 1)]
fn root_of_1m(bencher: Bencher) {
    let leaves = &*LEAF_HASHES;
    bencher
        .counter(ItemsCount::new(leaves.len()))
        .bench(|| root_of(black_box(leaves)));
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn frontier_push_1m(bencher: Bencher) {
    let leaves = &*LEAF_HASHES;
    bencher.counter(ItemsCount::new(leaves.len())).bench(|| {
        let mut f = Frontier::new();
        for h in black_box(leaves) {
            let _ = f.push(*h);
        }
        f.root()
    });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn leaf_hash_1m_x128b(bencher: Bencher) {
    let entries = &*ENTRIES;
    bencher.counter(ItemsCount::new(LEAVES)).bench(|| {
        let mut acc = 0u8;
        for entry in black_box(entries).chunks_exact(ENTRY_BYTES) {
            acc ^= leaf_hash(entry)[0];
        }
        acc
    });
}
