//! Replays every committed fuzz input (`fuzz/corpus/<target>/*`) through the same check
//! the fuzz target runs, so the corpus is a regression test under plain `cargo test` on
//! stable. Inputs that once broke something are kept in the corpus under a name that says
//! what they broke.

#![allow(clippy::unwrap_used)] // test harness: a panic is a failure report

#[path = "../fuzz/checks.rs"]
mod checks;

use std::path::{Path, PathBuf};

fn inputs(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs `check` on every file of `dir`, reporting every failing file (not only the first).
fn replay(dir: &str, check: fn(&[u8]), min_files: usize) {
    let files = inputs(dir);
    assert!(
        files.len() >= min_files,
        "{dir}: expected at least {min_files} inputs, found {}",
        files.len()
    );
    let mut failed = Vec::new();
    for path in &files {
        let data = std::fs::read(path).unwrap();
        if std::panic::catch_unwind(|| check(&data)).is_err() {
            failed.push(path.display().to_string());
        }
    }
    assert!(
        failed.is_empty(),
        "{} input(s) failed: {failed:#?}",
        failed.len()
    );
}

#[test]
fn decoder_corpus() {
    replay("fuzz/corpus/decoder", checks::check_decoder, 20);
}

#[test]
fn split_corpus() {
    replay("fuzz/corpus/split", checks::check_split, 20);
}

#[test]
fn headers_corpus() {
    replay("fuzz/corpus/headers", checks::check_headers, 20);
}

#[test]
fn typed_header_list_is_not_empty() {
    assert!(checks::TYPED_HEADERS.len() >= 2);
}

/// The checks really decode: a real stream slice yields messages and frames, not errors.
#[test]
fn seeds_decode_to_messages() {
    let data = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/corpus/decoder/seed-slice-ffmpeg_tcp-conn1_s2c-0"),
    )
    .unwrap();
    let (items, _, _) = checks::decode_all(&data, rtsp_proto::message::Limits::default());
    let msgs = items
        .iter()
        .filter(|i| matches!(i, checks::Item::Msg(rtsp_proto::Message::Response(_))))
        .count();
    let frames = items
        .iter()
        .filter(|i| matches!(i, checks::Item::Msg(rtsp_proto::Message::Data(_))))
        .count();
    assert!(
        msgs >= 4 && frames >= 1,
        "{msgs} responses, {frames} frames"
    );
    assert!(!items.iter().any(|i| matches!(i, checks::Item::Err(_))));
}
