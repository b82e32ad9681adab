//! Real third-party peers (ffmpeg, ffprobe, GStreamer) for interop tests.
//!
//! A test that needs a peer calls [`require`]: when the program is missing the test is
//! skipped with a loud message, unless `RTSP_PROTO_REQUIRE_PEERS=1` is set (as `.ci/run`
//! does after installing the peers), in which case it fails.

use std::process::{Command, Stdio};

/// True when `program` can be run (`program -version` or `--version` succeeds).
pub fn available(program: &str) -> bool {
    ["-version", "--version"].iter().any(|flag| {
        Command::new(program)
            .arg(flag)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    })
}

/// Whether the test may run: true when every program is installed. Otherwise prints a
/// loud SKIPPED line and returns false, or panics when `RTSP_PROTO_REQUIRE_PEERS=1`.
pub fn require(test: &str, programs: &[&str]) -> bool {
    let missing: Vec<&str> = programs.iter().copied().filter(|p| !available(p)).collect();
    if missing.is_empty() {
        return true;
    }
    let required = std::env::var("RTSP_PROTO_REQUIRE_PEERS").is_ok_and(|v| v == "1");
    let msg = format!(
        "{test}: peer(s) not installed: {} (apt-get install -y ffmpeg gstreamer1.0-tools ...; see .ci/run)",
        missing.join(", ")
    );
    if required {
        panic!("RTSP_PROTO_REQUIRE_PEERS=1 but {msg}");
    }
    eprintln!("\n!!!!!!!! SKIPPED {msg} !!!!!!!!\n");
    false
}
