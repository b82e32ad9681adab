//! UDP multicast between the server example (`examples/server/`, run with `--multicast`)
//! and real players, inside network namespaces that each test creates and removes, so that
//! no multicast packet can leave the host:
//!
//! - one namespace with only its loopback (up, multicast on, `224.0.0.0/4` routed to `lo`):
//!   ffmpeg (`-rtsp_transport udp_multicast`) and GStreamer (`rtspsrc protocols=udp-mcast`)
//!   play `/test` at the same time from the one group of the path, and both decode video
//!   and audio; a unicast UDP player still works next to them;
//! - the same with the tokio example (`examples/tokio_server.rs`);
//! - ffmpeg publishes to `/cam` and ffmpeg plays the relay by multicast (the path's own
//!   group, in its description);
//! - two namespaces joined by a veth pair (server in one, players in the other, `224.0.0.0/4`
//!   routed to the veth on both sides): the same across a link.
//!
//! The namespaces need root (`ip netns` from iproute2). Without it the tests are skipped
//! loudly, or fail with `RTSP_PROTO_REQUIRE_PEERS=1` (CI runs as root). Every process runs
//! under a guard that kills it when dropped and at a deadline; every namespace is deleted
//! when its guard drops (which kills whatever still runs in it with its interfaces gone).
//!
//! The server is the example binary that `cargo test` builds (`target/debug/examples/server`
//! and `tokio_server`), since it must run inside the namespace; run through plain
//! `cargo test`, or build them first with `cargo build --example server --example
//! tokio_server` (with `--test interop_multicast` alone, cargo does not rebuild examples).
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Peer deadlines read the real clock.
#![allow(clippy::disallowed_methods)]

mod common;

use common::peers;
use common::process::{self, expect_gst_played, expect_success, Peer};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
/// The group the server example gives its first path (`MulticastConfig::default`).
const GROUP: &str = "239.0.0.1";
/// The RTSP port of the server inside its namespace (namespaces do not share ports).
const RTSP_PORT: u16 = 8554;

/// True when `RTSP_PROTO_REQUIRE_PEERS=1` (CI): what would be skipped fails instead.
fn required() -> bool {
    std::env::var("RTSP_PROTO_REQUIRE_PEERS").is_ok_and(|v| v == "1")
}

/// Skips loudly (or fails under `RTSP_PROTO_REQUIRE_PEERS=1`).
fn skip(test: &str, why: &str) {
    if required() {
        panic!("RTSP_PROTO_REQUIRE_PEERS=1 but {test}: {why}");
    }
    eprintln!("\n!!!!!!!! SKIPPED {test}: {why} !!!!!!!!\n");
}

/// Runs `ip ARGS`; the error text when it fails.
fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("ip: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// A network namespace of this test process, deleted when dropped.
struct Netns {
    name: String,
}

impl Netns {
    /// Creates a namespace with a unique name, its loopback up and multicast-enabled.
    fn new() -> Result<Netns, String> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "rtsp-proto-mc-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        ip(&["netns", "add", &name])?;
        let ns = Netns { name };
        ns.ip(&["link", "set", "lo", "up"])?;
        ns.ip(&["link", "set", "lo", "multicast", "on"])?;
        Ok(ns)
    }

    /// Runs `ip -n NAME ARGS`.
    fn ip(&self, args: &[&str]) -> Result<(), String> {
        let mut all = vec!["-n", self.name.as_str()];
        all.extend_from_slice(args);
        ip(&all)
    }

    /// Routes every multicast group to `dev`.
    fn route_multicast(&self, dev: &str) -> Result<(), String> {
        self.ip(&["route", "add", "224.0.0.0/4", "dev", dev])
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        if let Err(e) = ip(&["netns", "delete", &self.name]) {
            eprintln!("cannot remove network namespace {}: {e}", self.name);
        }
    }
}

/// One namespace with only its loopback, all multicast routed to it.
fn loopback_netns(test: &str) -> Option<Netns> {
    let made = Netns::new().and_then(|ns| ns.route_multicast("lo").map(|()| ns));
    match made {
        Ok(ns) => Some(ns),
        Err(e) => {
            skip(
                test,
                &format!("cannot create a network namespace (root?): {e}"),
            );
            None
        }
    }
}

/// Two namespaces joined by a veth pair: `server` has 10.77.0.1/24, `players` 10.77.0.2/24,
/// and each routes all multicast to its end of the pair.
fn veth_pair_netns(test: &str) -> Option<(Netns, Netns)> {
    let made = (|| {
        let server = Netns::new()?;
        let players = Netns::new()?;
        server.ip(&[
            "link",
            "add",
            "mc0",
            "type",
            "veth",
            "peer",
            "name",
            "mc1",
            "netns",
            &players.name,
        ])?;
        for (ns, dev, addr) in [
            (&server, "mc0", "10.77.0.1/24"),
            (&players, "mc1", "10.77.0.2/24"),
        ] {
            ns.ip(&["addr", "add", addr, "dev", dev])?;
            ns.ip(&["link", "set", dev, "multicast", "on"])?;
            ns.ip(&["link", "set", dev, "up"])?;
            ns.route_multicast(dev)?;
        }
        Ok::<_, String>((server, players))
    })();
    match made {
        Ok(pair) => Some(pair),
        Err(e) => {
            skip(
                test,
                &format!("cannot create network namespaces (root?): {e}"),
            );
            None
        }
    }
}

impl Netns {
    /// Runs `program args` in this namespace with `env` added (`ip netns exec` execs the
    /// program: the child is it), logging to `dir/name.log`.
    fn spawn(
        &self,
        name: &str,
        dir: &Path,
        env: &[(&str, &str)],
        program: &str,
        args: &[&str],
    ) -> Peer {
        let mut command = Command::new("ip");
        command
            .args(["netns", "exec", &self.name, program])
            .args(args)
            .envs(env.iter().copied());
        Peer::spawn_command(name, dir, command)
    }
}

/// A fresh scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    process::scratch("interop_multicast", test)
}

/// Starts the server `example` with `--multicast` in `ns`, listening on `ip`, and waits
/// until it says it listens.
fn start_server(example: &str, ns: &Netns, dir: &Path, ip: &str) -> Peer {
    let bin = process::example_bin(example);
    let bind = format!("{ip}:{RTSP_PORT}");
    let server = ns.spawn(
        "server",
        dir,
        &[],
        bin.to_str().unwrap(),
        &["--bind", &bind, "--multicast"],
    );
    server.wait_for_log("listening on", &[]);
    server
}

/// Like [`peers::require`] for GStreamer, also checking the elements the tests use.
fn require_gstreamer(test: &str, others: &[&str]) -> bool {
    let mut programs = vec!["gst-launch-1.0", "gst-inspect-1.0"];
    programs.extend_from_slice(others);
    if !peers::require(test, &programs) || !peers::require_gst_player(test) {
        return false;
    }
    let missing: Vec<&str> = [
        "rtspsrc",
        "decodebin",
        "rtph264depay",
        "avdec_h264",
        "rtppcmudepay",
        "mulawdec",
    ]
    .into_iter()
    .filter(|e| {
        !Command::new("gst-inspect-1.0")
            .args(["--exists", e])
            .status()
            .is_ok_and(|s| s.success())
    })
    .collect();
    if missing.is_empty() {
        return true;
    }
    skip(
        test,
        &format!("GStreamer elements not installed: {}", missing.join(", ")),
    );
    false
}

/// ffmpeg records about two seconds of `url` into `out` (stream copy), logging at debug
/// level (which prints the SDP it got).
fn ffmpeg_record(ns: &Netns, dir: &Path, name: &str, url: &str, transport: &str) -> Peer {
    let out = dir.join(format!("{name}.mkv"));
    ns.spawn(
        name,
        dir,
        &[],
        "ffmpeg",
        &[
            "-loglevel",
            "debug",
            "-hide_banner",
            "-nostdin",
            "-y",
            "-rtsp_transport",
            transport,
            "-timeout",
            "10000000",
            "-i",
            url,
            // Four seconds, so that a keyframe (every second in both streams) lands in the
            // recording even when the first video packets come a second or two after the
            // audio (a CI run recorded 2 s of a relayed path with 87 audio frames and no
            // decodable video).
            "-t",
            "4",
            "-map",
            "0",
            "-c",
            "copy",
            out.to_str().unwrap(),
        ],
    )
}

/// GStreamer plays `url` by multicast only (`protocols=udp-mcast`): video and audio are
/// each decoded into a fakesink that ends after 20 buffers, so the player
/// (`tests/peers/gst_play.py`) exits 0 exactly when both streams decoded. `rtspsrc` logs
/// (at debug level) the group and ports that the server's SETUP reply gave it.
fn gst_play_multicast(ns: &Netns, dir: &Path, name: &str, url: &str) -> Peer {
    let args = peers::gst_player_args(url, 20, &["protocols=udp-mcast"], &[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ns.spawn(
        name,
        dir,
        &[("GST_DEBUG", "rtspsrc:5"), ("GST_DEBUG_NO_COLOR", "1")],
        peers::GST_PYTHON,
        &args,
    )
}

/// Decodes every frame of `file` with ffprobe: `(codec_type, codec_name, frames)`.
fn probe_file(file: &Path) -> Vec<(String, String, u64)> {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-count_frames",
            "-show_entries",
            "stream=codec_type,codec_name,nb_read_frames",
            "-of",
            "default=noprint_wrappers=0",
        ])
        .arg(file)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "ffprobe {}", file.display());
    let text = String::from_utf8_lossy(&out.stdout);
    text.split("[STREAM]")
        .skip(1)
        .map(|section| {
            let field = |key: &str| {
                section
                    .lines()
                    .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
                    .unwrap_or("")
                    .trim()
                    .to_owned()
            };
            (
                field("codec_type"),
                field("codec_name"),
                field("nb_read_frames").parse().unwrap_or(0),
            )
        })
        .collect()
}

/// Asserts that the recording of peer `name` holds decodable H.264 video and `audio`.
fn assert_decodes_with(dir: &Path, name: &str, audio: &str) {
    let file = dir.join(format!("{name}.mkv"));
    let streams = probe_file(&file);
    eprintln!("{}: {streams:?}", file.display());
    for (kind, codec) in [("video", "h264"), ("audio", audio)] {
        let s = streams
            .iter()
            .find(|s| s.0 == kind)
            .unwrap_or_else(|| panic!("no {kind} stream in {streams:?}"));
        assert_eq!(s.1, codec, "{streams:?}");
        assert!(s.2 > 0, "no {kind} frame decodes: {streams:?}");
    }
}

/// Asserts that the recording of peer `name` holds decodable H.264 video and PCMU audio
/// (the `/test` stream).
fn assert_decodes(dir: &Path, name: &str) {
    assert_decodes_with(dir, name, "pcm_mulaw");
}

/// ffmpeg (multicast) and GStreamer (multicast only) play `url` from `players` at the same
/// time, and (when `unicast_too`) ffmpeg over unicast UDP next to them. Both multicast
/// players were sent the path's one group, and every recording decodes.
fn play_together(players: &Netns, dir: &Path, url: &str, unicast_too: bool) {
    let ffmpeg = ffmpeg_record(players, dir, "ffmpeg-mcast", url, "udp_multicast");
    let gst = gst_play_multicast(players, dir, "gst-mcast", url);
    let unicast = unicast_too.then(|| ffmpeg_record(players, dir, "ffmpeg-udp", url, "udp"));
    let ffmpeg_log = expect_success(ffmpeg);
    let gst_log = expect_gst_played(gst);
    if let Some(unicast) = unicast {
        expect_success(unicast);
        assert_decodes(dir, "ffmpeg-udp");
    }
    assert_decodes(dir, "ffmpeg-mcast");
    // The description advertises the group (what makes VLC choose multicast), and the
    // SETUP replies gave GStreamer that group with the ports of both tracks.
    assert!(
        ffmpeg_log.contains(&format!("c=IN IP4 {GROUP}/16")),
        "{ffmpeg_log}"
    );
    for ports in ["(16000)-(16001)", "(16002)-(16003)"] {
        let line = format!("have destination '{GROUP}' and ports {ports}");
        assert!(gst_log.contains(&line), "no \"{line}\" in:\n{gst_log}");
    }
}

#[test]
fn ffmpeg_and_gstreamer_play_one_multicast_group_at_once_in_a_namespace() {
    let test = "multicast_in_one_namespace";
    if !require_gstreamer(test, &["ffmpeg", "ffprobe"]) {
        return;
    }
    let Some(ns) = loopback_netns(test) else {
        return;
    };
    let dir = scratch(test);
    let server = start_server("server", &ns, &dir, "127.0.0.1");
    let url = format!("rtsp://127.0.0.1:{RTSP_PORT}/test");
    play_together(&ns, &dir, &url, true);
    drop(server);
}

/// Our client example (`--transport multicast`) plays both tracks of our server's
/// multicast group in a namespace: it joins the group and ports the SETUP replies name,
/// gets frames on both tracks and ends with TEARDOWN.
#[test]
fn client_example_plays_multicast_in_a_namespace() {
    let test = "client_multicast_in_one_namespace";
    let Some(ns) = loopback_netns(test) else {
        return;
    };
    let dir = scratch(test);
    let server = start_server("server", &ns, &dir, "127.0.0.1");
    let url = format!("rtsp://127.0.0.1:{RTSP_PORT}/test");
    let client = process::example_bin("client");
    let player = ns.spawn(
        "client",
        &dir,
        &[],
        client.to_str().unwrap(),
        &["--transport", "multicast", "--duration", "2", &url],
    );
    let log = process::expect_success(player);
    assert!(log.contains("playing over Multicast"), "{log}");
    for track in ["track 0 set up: Multicast", "track 1 set up: Multicast"] {
        assert!(log.contains(track), "no \"{track}\" in:\n{log}");
    }
    assert!(log.contains("closed after TEARDOWN"), "{log}");
    // The last statistics line counts frames per track: both got some.
    let last = log
        .lines()
        .rev()
        .find(|l| l.starts_with("stats:"))
        .unwrap_or_default();
    let frames: Vec<u64> = last
        .split('[')
        .skip(1)
        .filter_map(|part| {
            let words: Vec<&str> = part.split_whitespace().collect();
            let i = words.iter().position(|w| *w == "frames")?;
            words.get(i.checked_sub(1)?)?.parse().ok()
        })
        .collect();
    assert!(
        frames.len() == 2 && frames.iter().all(|&n| n > 0),
        "{last}\n{log}"
    );
    drop(server);
}

#[test]
fn tokio_ffmpeg_and_gstreamer_play_one_multicast_group_at_once_in_a_namespace() {
    let test = "tokio_multicast_in_one_namespace";
    if !require_gstreamer(test, &["ffmpeg", "ffprobe"]) {
        return;
    }
    let Some(ns) = loopback_netns(test) else {
        return;
    };
    let dir = scratch(test);
    let server = start_server("tokio_server", &ns, &dir, "127.0.0.1");
    let url = format!("rtsp://127.0.0.1:{RTSP_PORT}/test");
    play_together(&ns, &dir, &url, false);
    drop(server);
}

#[test]
fn ffmpeg_and_gstreamer_play_multicast_across_a_veth_pair_between_namespaces() {
    let test = "multicast_across_namespaces";
    if !require_gstreamer(test, &["ffmpeg", "ffprobe"]) {
        return;
    }
    let Some((server_ns, players_ns)) = veth_pair_netns(test) else {
        return;
    };
    let dir = scratch(test);
    let server = start_server("server", &server_ns, &dir, "10.77.0.1");
    let url = format!("rtsp://10.77.0.1:{RTSP_PORT}/test");
    play_together(&players_ns, &dir, &url, false);
    drop(server);
}

#[test]
fn a_relayed_path_is_played_by_multicast_in_a_namespace() {
    let test = "multicast_relay_in_one_namespace";
    if !peers::require(test, &["ffmpeg", "ffprobe"]) {
        return;
    }
    let Some(ns) = loopback_netns(test) else {
        return;
    };
    let dir = scratch(test);
    let server = start_server("server", &ns, &dir, "127.0.0.1");
    let url = format!("rtsp://127.0.0.1:{RTSP_PORT}/cam");
    // ffmpeg publishes the asset (looped, in real time) with an AAC tone over TCP.
    let args = process::ffmpeg_publish_args(&dir, &url, "tcp", "20");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let publisher = ns.spawn("publisher", &dir, &[], "ffmpeg", &args);
    server.wait_for_log("publishes /cam", &[&publisher]);
    let log = expect_success(ffmpeg_record(
        &ns,
        &dir,
        "ffmpeg-mcast",
        &url,
        "udp_multicast",
    ));
    assert_decodes_with(&dir, "ffmpeg-mcast", "aac");
    // `/test` took the first group; the relayed path has its own, in its description.
    assert!(log.contains("c=IN IP4 239.0.0.2/16"), "{log}");
    drop(publisher);
    drop(server);
}
