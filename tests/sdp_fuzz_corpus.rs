//! Replays `fuzz/corpus/sdp/` through the SDP fuzz check, so the corpus is a regression
//! suite under plain `cargo test`.

#[path = "../fuzz/checks_sdp.rs"]
mod checks_sdp;

#[test]
fn sdp_corpus_replays() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/sdp");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.map(|e| e.path()).unwrap_or_else(|e| panic!("{e}"));
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        checks_sdp::sdp(&data);
        n += 1;
    }
    assert!(n >= 20, "only {n} corpus files");
}
