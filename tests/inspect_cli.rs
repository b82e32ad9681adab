//! The `inspect` example's command-line contract: it decodes corpus files, prints one JSON
//! line per message or frame with `--json`, and exits non-zero naming the file and byte
//! offset of the first item it cannot decode.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;
use std::process::Command;

/// `cargo test` builds the examples next to the test binaries' folder.
fn inspect_bin() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let bin = dir
        .join("examples")
        .join(format!("inspect{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{bin:?} missing: run through `cargo test`, which builds examples"
    );
    bin
}

#[test]
fn json_lines_for_a_whole_session() {
    let data = common::data_dir();
    let out = Command::new(inspect_bin())
        .arg("--json")
        .arg(data.join("sessions/ffmpeg_tcp__gst_av/tcp/conn1_s2c.bin"))
        .arg(data.join("cameras/reolink_describe.txt"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let all: Vec<&str> = text.lines().collect();
    assert!(all.iter().all(|l| l.starts_with('{') && l.ends_with('}')));
    // The per-message lines; the session summary (`sdp_media`, `rtp_stream`, `rtcp`,
    // `track`) follows them.
    let lines: Vec<&str> = all
        .iter()
        .copied()
        .filter(|l| {
            [r#""type":"request""#, r#""type":"response""#, r#""type":"data""#]
                .iter()
                .any(|t| l.contains(t))
        })
        .collect();
    // 6 responses + 358 frames from the session, 1 response from the camera file.
    assert_eq!(lines.len(), 6 + 358 + 1);
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains(r#""type":"response""#))
            .count(),
        7
    );
    assert!(lines
        .iter()
        .any(|l| l.contains(r#""type":"data","#) && l.contains(r#""channel":2"#)));
}

#[test]
fn human_output_and_transcripts() {
    let data = common::data_dir();
    let out = Command::new(inspect_bin())
        .arg(data.join("sessions/gst2_tcp__gst_av/rtsp_transcript.txt"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("OPTIONS rtsp://127.0.0.1:8554/av RTSP/2.0"));
    assert!(text.contains("= CSeq(1)"));
    assert!(text.contains("14 messages, 0 interleaved frames"));
}

#[test]
fn fails_naming_file_and_offset() {
    let dir = std::env::temp_dir().join(format!("inspect-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.txt");
    std::fs::write(
        &bad,
        b"RTSP/1.0 200 OK\r\n\r\nRTSP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n",
    )
    .unwrap();
    let out = Command::new(inspect_bin()).arg(&bad).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("bad.txt: byte 52: invalid Content-Length"),
        "{err}"
    );
    let truncated = dir.join("truncated.txt");
    std::fs::write(&truncated, b"$\x00\x00\x10abc").unwrap();
    let out = Command::new(inspect_bin())
        .arg(&truncated)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("truncated.txt: byte 0: stream ends inside a message"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
