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

/// The Python with GStreamer's GI bindings (Debian's python3-gst-1.0 installs them for
/// the system Python only) that runs `tests/peers/gst_play.py`.
pub const GST_PYTHON: &str = "/usr/bin/python3";

/// Like [`require`] for the GStreamer player `tests/peers/gst_play.py`: its Python must
/// import `Gst` through GI.
pub fn require_gst_player(test: &str) -> bool {
    let ok = Command::new(GST_PYTHON)
        .args([
            "-c",
            "import gi; gi.require_version('Gst', '1.0'); from gi.repository import Gst",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        return true;
    }
    let required = std::env::var("RTSP_PROTO_REQUIRE_PEERS").is_ok_and(|v| v == "1");
    let msg = format!(
        "{test}: {GST_PYTHON} cannot import GStreamer's GI bindings (apt-get install -y python3-gst-1.0; see .ci/run)"
    );
    if required {
        panic!("RTSP_PROTO_REQUIRE_PEERS=1 but {msg}");
    }
    eprintln!("\n!!!!!!!! SKIPPED {msg} !!!!!!!!\n");
    false
}

/// The arguments for [`GST_PYTHON`] that make `tests/peers/gst_play.py` play `url`: video
/// and audio each decoded into a fakesink that ends after `buffers` buffers; `props` are
/// rtspsrc properties (`protocols=tcp`), `options` GStreamer options
/// (`--gst-debug=rtspsrc:7`).
pub fn gst_player_args(url: &str, buffers: u32, props: &[&str], options: &[&str]) -> Vec<String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/gst_play.py");
    let mut args = vec![script.to_owned()];
    args.extend(options.iter().map(|s| (*s).to_owned()));
    args.push(url.to_owned());
    args.push(buffers.to_string());
    args.extend(props.iter().map(|s| (*s).to_owned()));
    args
}
