//! Replays the H.264/H.265 fuzz corpora (`fuzz/corpus/h264`, `fuzz/corpus/h265`) through
//! the fuzz targets' checks, plus a few thousand pseudo-random inputs, so `cargo test`
//! catches what the fuzzers found.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../fuzz/checks_h26x.rs"]
mod checks_h26x;

use std::path::Path;

fn corpus(name: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(name);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "empty corpus {}", dir.display());
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// A small deterministic generator (xorshift) for extra inputs.
fn random_inputs(seed: u64, count: usize, max_len: usize) -> Vec<Vec<u8>> {
    let mut x = seed;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..count)
        .map(|_| {
            let len = (next() as usize) % max_len;
            (0..len).map(|_| next() as u8).collect()
        })
        .collect()
}

#[test]
fn h264_corpus_replays() {
    for input in corpus("h264") {
        checks_h26x::h264_depacketize(&input);
        checks_h26x::h264_round_trip(&input);
        checks_h26x::nal_framing(&input);
    }
}

#[test]
fn h265_corpus_replays() {
    for input in corpus("h265") {
        checks_h26x::h265_depacketize(&input);
        checks_h26x::h265_round_trip(&input);
    }
}

#[test]
fn random_inputs_pass_the_checks() {
    for input in random_inputs(0x9e37_79b9_7f4a_7c15, 3000, 600) {
        checks_h26x::h264_depacketize(&input);
        checks_h26x::h265_depacketize(&input);
        checks_h26x::h264_round_trip(&input);
        checks_h26x::h265_round_trip(&input);
        checks_h26x::nal_framing(&input);
    }
}
