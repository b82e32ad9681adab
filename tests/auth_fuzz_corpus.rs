//! Replays `fuzz/corpus/auth/` through the `auth` fuzz check (credential parsing, server
//! verification of hostile `Authorization` headers, client answers to hostile challenges,
//! `fmtp` configurations), so the corpus is a regression suite under plain `cargo test`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

#[path = "../fuzz/checks_auth.rs"]
mod checks_auth;

#[test]
fn auth_corpus_replays() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/auth");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.map(|e| e.path()).unwrap_or_else(|e| panic!("{e}"));
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        checks_auth::check_auth(&data);
        n += 1;
    }
    assert!(n >= 8, "only {n} corpus files");
}
