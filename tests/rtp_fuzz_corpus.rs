//! Replays the fuzz corpora of the RTP parser, RTCP compound parser and reorder buffer
//! through the fuzz checks, and runs a short deterministic mutation round over them (the
//! same checks cargo-fuzz runs for longer).
//!
//! `RTP_FUZZ_ITERATIONS` sets the mutation rounds per seed (default 300).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../fuzz/checks_rtp.rs"]
mod checks_rtp;

use std::path::{Path, PathBuf};

fn corpus(name: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(name);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "empty corpus {}", dir.display());
    files
        .into_iter()
        .map(|p| {
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect()
}

/// xorshift64*: a tiny deterministic generator, enough to mutate bytes.
struct Mutator(u64);

impl Mutator {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn mutate(&mut self, seed: &[u8]) -> Vec<u8> {
        let mut b = seed.to_vec();
        for _ in 0..=(self.next() % 4) {
            let r = self.next();
            let pos = if b.is_empty() {
                0
            } else {
                (r >> 8) as usize % b.len()
            };
            match r % 6 {
                0 if !b.is_empty() => b[pos] ^= 1 << ((r >> 40) % 8),
                1 if !b.is_empty() => b[pos] = (r >> 32) as u8,
                2 => b.insert(pos.min(b.len()), (r >> 24) as u8),
                3 if !b.is_empty() => {
                    b.remove(pos);
                }
                4 => b.truncate(pos),
                _ => {
                    // Interesting values at a random position.
                    let v = [
                        0x00, 0xff, 0x80, 0x7f, 0x1f, 0x20, 0xc8, 0xc9, 0xbe, 0xde, 0x10,
                    ];
                    if !b.is_empty() {
                        b[pos] = v[(r >> 16) as usize % v.len()];
                    }
                }
            }
        }
        b
    }
}

fn iterations() -> usize {
    std::env::var("RTP_FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

fn run(name: &str, check: fn(&[u8])) {
    let seeds = corpus(name);
    for (path, bytes) in &seeds {
        let r = std::panic::catch_unwind(|| check(bytes));
        assert!(r.is_ok(), "{} fails its check", path.display());
    }
    let mut m = Mutator(0x9e37_79b9_7f4a_7c15);
    for (path, bytes) in &seeds {
        for i in 0..iterations() {
            let input = m.mutate(bytes);
            if std::panic::catch_unwind(|| check(&input)).is_err() {
                panic!(
                    "mutation {i} of {} fails: {}",
                    path.display(),
                    input.iter().map(|b| format!("{b:02x}")).collect::<String>()
                );
            }
        }
    }
}

#[test]
fn rtp_corpus() {
    run("rtp", checks_rtp::rtp);
}

#[test]
fn rtcp_corpus() {
    run("rtcp", checks_rtp::rtcp);
}

#[test]
fn reorder_corpus() {
    run("reorder", checks_rtp::reorder);
}
