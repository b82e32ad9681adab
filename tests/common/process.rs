//! Child processes of the interop tests: peers (ffmpeg, GStreamer, an example binary)
//! killed when dropped and at a deadline, their logs in a scratch directory per test.
// Peer deadlines read the real clock.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Longest any peer may run; a peer still running then is killed and the test fails.
pub const PEER_DEADLINE: Duration = Duration::from_secs(30);

/// A spawned peer, killed when dropped. Its stdout and stderr go to a log file.
pub struct Peer {
    name: String,
    child: Child,
    log: PathBuf,
}

impl Peer {
    /// Runs `program args`, logging to `dir/name.log`.
    pub fn spawn(name: &str, dir: &Path, program: &str, args: &[&str]) -> Peer {
        let mut command = Command::new(program);
        command.args(args);
        Peer::spawn_command(name, dir, command)
    }

    /// Runs a prepared command (stdin closed), logging to `dir/name.log`.
    pub fn spawn_command(name: &str, dir: &Path, mut command: Command) -> Peer {
        let log = dir.join(format!("{name}.log"));
        let out = std::fs::File::create(&log).unwrap();
        let err = out.try_clone().unwrap();
        eprintln!("[{name}] {command:?}");
        let child = command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {command:?}: {e}"));
        Peer {
            name: name.to_owned(),
            child,
            log,
        }
    }

    /// Waits for the peer to exit by itself, killing it at the deadline. Returns its exit
    /// status (`None` when it had to be killed) and its log.
    pub fn wait(mut self) -> (Option<ExitStatus>, String) {
        let deadline = Instant::now() + PEER_DEADLINE;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break Some(status);
            }
            if Instant::now() >= deadline {
                eprintln!("[{}] killed at the deadline", self.name);
                break None;
            }
            // Polling for the exit of a child process; std has no wait with a timeout.
            std::thread::sleep(Duration::from_millis(20));
        };
        (status, self.log_text())
    }

    /// What the peer logged so far.
    pub fn log_text(&self) -> String {
        // Lossy: a peer's debug output may hold bytes that are not UTF-8, and an empty
        // string would hide the whole log from the test.
        std::fs::read(&self.log)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    /// Waits until the peer's log contains `needle` (its readiness line), failing the test
    /// with the logs of `self` and `others` at the deadline.
    pub fn wait_for_log(&self, needle: &str, others: &[&Peer]) {
        let deadline = Instant::now() + PEER_DEADLINE;
        while !self.log_text().contains(needle) {
            if Instant::now() >= deadline {
                let mut logs = format!("[{}]\n{}", self.name, self.log_text());
                for p in others {
                    logs.push_str(&format!("\n[{}]\n{}", p.name, p.log_text()));
                }
                panic!("{} never logged {needle:?}; logs:\n{logs}", self.name);
            }
            // Waiting for a line of the child's log.
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits for a peer that must succeed; prints its log and fails the test otherwise.
pub fn expect_success(peer: Peer) -> String {
    let name = peer.name.clone();
    let (status, log) = peer.wait();
    if status.is_none_or(|s| !s.success()) {
        panic!("{name} failed ({status:?}); its log:\n{log}");
    }
    log
}

/// Waits for a `gst-launch-1.0` player and checks that it played: its sinks reached their
/// buffer count, so the pipeline posted EOS (`Got EOS from element "pipeline0"`), with no
/// error before that.
///
/// Its exit status alone is not the verdict: after EOS, `rtspsrc` sometimes sends PAUSE
/// while it is flushing its own connection (the EOS-to-NULL transition), fails with "Could
/// not send message. (Received end-of-file)" before anything is sent, and gst-launch exits
/// 1 although the stream played (seen under load with GStreamer 1.22; the server never
/// receives that PAUSE).
pub fn expect_gst_played(peer: Peer) -> String {
    let name = peer.name.clone();
    let (status, log) = peer.wait();
    let clean_exit = status.is_some_and(|s| s.success());
    let ended = log.find("Got EOS from element \"pipeline0\"");
    let played = ended.is_some_and(|at| !log[..at].lines().any(|l| l.starts_with("ERROR")));
    if status.is_none() || !(clean_exit || played) {
        panic!("{name} did not play ({status:?}); its log:\n{log}");
    }
    log
}

/// A fresh scratch directory for one test of the test binary `suite`.
pub fn scratch(suite: &str, test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(suite)
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The example binary `name`, which `cargo test` builds next to the test binaries' folder
/// (`cargo test --test X` alone does not rebuild it: `cargo build --examples` first).
pub fn example_bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let bin = dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{bin:?} missing: run through `cargo test`, which builds examples \
         (or `cargo build --example {name}` first)"
    );
    bin
}

/// The H.264 asset of the server example (`examples/server/test_stream.h264`).
#[allow(dead_code)] // not every suite publishes
pub fn test_stream_asset() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/server/test_stream.h264")
}

/// The asset remuxed into Matroska in `dir` (once): ffmpeg cannot loop a raw H.264 input
/// (`-stream_loop` on `-f h264` logs "Seek to start failed" and the video ends after the
/// asset's 6 s while the audio goes on, so a player that starts late gets no video).
#[allow(dead_code)] // not every suite publishes
pub fn loopable_test_stream(dir: &Path) -> PathBuf {
    let out = dir.join("test_stream.mkv");
    if out.exists() {
        return out;
    }
    let asset = test_stream_asset();
    let status = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-loglevel", "error", "-y"])
        .args(["-f", "h264", "-framerate", "25", "-i"])
        .arg(&asset)
        .args(["-c", "copy"])
        .arg(&out)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg could not remux {asset:?}");
    out
}

/// ffmpeg's arguments to publish the server example's H.264 asset (looped, in real time,
/// 25 fps; remuxed into `dir` by [`loopable_test_stream`]) with a 440 Hz AAC tone to `url`
/// over `transport` for `seconds` (ANNOUNCE + RECORD).
#[allow(dead_code)] // not every suite publishes
pub fn ffmpeg_publish_args(dir: &Path, url: &str, transport: &str, seconds: &str) -> Vec<String> {
    let asset = loopable_test_stream(dir);
    let asset = asset.to_str().expect("a UTF-8 path");
    [
        "-hide_banner",
        "-nostdin",
        "-re",
        "-stream_loop",
        "-1",
        "-i",
        asset,
        "-re",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=44100",
        "-map",
        "0:v",
        "-map",
        "1:a",
        "-c:v",
        "copy",
        "-c:a",
        "aac",
        "-ac",
        "1",
        "-b:a",
        "64k",
        "-t",
        seconds,
        "-f",
        "rtsp",
        "-rtsp_transport",
        transport,
        url,
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}
