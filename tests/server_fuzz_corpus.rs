//! Replays the committed inputs of the `server_bytes` fuzz target
//! (`fuzz/corpus/server_bytes/*`) through the same check the target runs: scripts of
//! connections, requests, answers, media, datagrams and time jumps against a `Server`,
//! checking that nothing panics, every queue stays within its limit, output always
//! decodes, and every session expires.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)]

#[path = "../fuzz/checks_server.rs"]
mod checks_server;

use std::path::Path;

#[test]
fn server_bytes_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/server_bytes");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus directory")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(files.len() >= 10, "only {} inputs", files.len());
    let mut failed = Vec::new();
    let mut reached = Vec::new();
    for path in &files {
        let data = std::fs::read(path).unwrap();
        match std::panic::catch_unwind(|| checks_server::check_server_bytes(&data)) {
            Ok(r) => reached.push((path.file_name().unwrap().to_string_lossy().into_owned(), r)),
            Err(_) => failed.push(path.display().to_string()),
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
    // The seeds reach the deep states, not only the parser.
    let get = |name: &str| {
        reached
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, r)| *r)
            .unwrap()
    };
    let play = get("play_tcp");
    assert!(
        play.players == 1 && play.frames >= 4 && play.ok_responses == 7,
        "{play:?}"
    );
    assert!(
        get("play_udp_rr").transmits >= 2,
        "{:?}",
        get("play_udp_rr")
    );
    assert!(
        get("record_udp").media_events >= 2,
        "{:?}",
        get("record_udp")
    );
    assert!(
        get("record_tcp").media_events >= 2,
        "{:?}",
        get("record_tcp")
    );
    assert!(get("slow_reader").closed >= 1, "{:?}", get("slow_reader"));
    assert_eq!(get("multicast").players, 2, "{:?}", get("multicast"));
    assert!(
        get("rtsp2_pipelined").players == 1,
        "{:?}",
        get("rtsp2_pipelined")
    );
    assert!(
        get("auth").ok_responses >= 1 && get("auth").players == 0,
        "{:?}",
        get("auth")
    );
}
