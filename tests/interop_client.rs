//! Interop: `examples/client.rs` (our `ClientSession` on blocking `std::net`) plays every
//! mount of a real GStreamer RTSP server over TCP and UDP, authenticates with Digest, and
//! publishes to ffmpeg listening as an RTSP server; ffprobe decodes what was written.
//!
//! The GStreamer server is `tests/peers/gst_rtsp_server.py` (gst-rtsp-server through Python
//! GI), started once per test binary on a free port; it exits when this process does.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::process::example_bin;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{mpsc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Kills the child when dropped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn client_bin() -> PathBuf {
    example_bin("client")
}

/// Runs `cmd` to completion, killing it after `limit`.
#[allow(clippy::disallowed_methods)]
fn run_bounded(cmd: &mut Command, limit: Duration) -> Output {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut guard = Guard(child);
    let mut out = guard.0.stdout.take().unwrap();
    let mut err = guard.0.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(s) = guard.0.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "{cmd:?} ran longer than {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: t_out.join().unwrap(),
        stderr: t_err.join().unwrap(),
    }
}

/// The Python that can import GstRtspServer, if any.
fn gst_python() -> Option<&'static str> {
    ["/usr/bin/python3", "python3"].into_iter().find(|py| {
        Command::new(py)
            .args([
                "-c",
                "import gi; gi.require_version('GstRtspServer', '1.0'); \
                 from gi.repository import GstRtspServer",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

struct GstServer {
    _child: Mutex<Guard>,
    port: u16,
    mounts: Vec<String>,
}

/// The shared server, or `None` (after a loud skip) when a peer is missing.
fn gst_server(test: &str) -> Option<&'static GstServer> {
    if !common::peers::require(test, &["ffprobe", "gst-launch-1.0"]) {
        return None;
    }
    let Some(python) = gst_python() else {
        // Treated like a missing program.
        common::peers::require(test, &["python3-with-GstRtspServer"]);
        return None;
    };
    static SERVER: OnceLock<Option<GstServer>> = OnceLock::new();
    SERVER
        .get_or_init(|| {
            let script =
                Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/gst_rtsp_server.py");
            let mut child = Command::new(python)
                .arg(script)
                .args(["--duration", "300"])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let stdout = child.stdout.take().unwrap();
            let guard = Guard(child);
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { return };
                    if tx.send(line).is_err() {
                        return;
                    }
                }
            });
            let mut port = None;
            let mut mounts = Vec::new();
            loop {
                let line = rx
                    .recv_timeout(Duration::from_secs(20))
                    .expect("gst_rtsp_server.py did not start");
                if let Some(p) = line.strip_prefix("PORT ") {
                    port = p.trim().parse().ok();
                } else if let Some(m) = line.strip_prefix("MOUNT /") {
                    mounts.push(m.trim().to_owned());
                } else if line == "READY" {
                    break;
                }
            }
            Some(GstServer {
                _child: Mutex::new(guard),
                port: port.expect("server port"),
                mounts,
            })
        })
        .as_ref()
}

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("rtsp_proto_interop_{}_{name}", std::process::id()))
}

/// ffprobe's codec name and decoded frame count of the first stream of `path`.
fn probe(path: &Path, format: &[&str]) -> (String, u64) {
    let out = run_bounded(
        Command::new("ffprobe")
            .args(["-v", "error"])
            .args(format)
            .args([
                "-count_frames",
                "-select_streams",
                "0",
                "-show_entries",
                "stream=codec_name,nb_read_frames",
                "-of",
                "csv=p=0",
            ])
            .arg(path),
        Duration::from_secs(30),
    );
    let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(
        out.status.success(),
        "ffprobe {path:?}: {text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (codec, frames) = text.split_once(',').unwrap_or((&text, "0"));
    (codec.to_owned(), frames.trim().parse().unwrap_or(0))
}

/// Frames counted for each track in the client's last statistics line.
fn frames_in_last_stats(stdout: &str) -> Vec<u64> {
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with("stats:"))
        .unwrap_or("");
    line.split('[')
        .skip(1)
        .filter_map(|part| {
            let words: Vec<&str> = part.split_whitespace().collect();
            let i = words.iter().position(|w| *w == "frames")?;
            words.get(i - 1)?.parse().ok()
        })
        .collect()
}

fn play(test: &str, mount: &str, transport: &str, codec: &str, format: &[&str]) {
    let Some(server) = gst_server(test) else {
        return;
    };
    if !server.mounts.iter().any(|m| m == mount) {
        // The encoder is not installed (x265enc, avenc_aac): that is a missing peer.
        common::peers::require(test, &[&format!("gstreamer encoder for /{mount}")]);
        return;
    }
    let out_file = temp_path(&format!("{test}.out"));
    let url = format!("rtsp://127.0.0.1:{}/{mount}", server.port);
    let out = run_bounded(
        Command::new(client_bin())
            .args(["--transport", transport, "--duration", "1.5", "--out"])
            .arg(&out_file)
            .arg(&url),
        Duration::from_secs(30),
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "{url} over {transport}:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("closed after TEARDOWN"), "{stdout}");
    let frames = frames_in_last_stats(&stdout);
    assert!(
        !frames.is_empty() && frames.iter().all(|&n| n > 0),
        "{stdout}"
    );
    let (got_codec, decoded) = probe(&out_file, format);
    let _ = std::fs::remove_file(&out_file);
    assert_eq!(got_codec, codec, "{stdout}");
    assert!(decoded > 0, "ffprobe decoded nothing from {url}");
}

macro_rules! play_tests {
    ($($name:ident: $mount:literal, $transport:literal, $codec:literal, [$($fmt:literal),*];)*) => {$(
        #[test]
        fn $name() {
            play(stringify!($name), $mount, $transport, $codec, &[$($fmt),*]);
        }
    )*};
}

play_tests! {
    gst_h264_tcp: "h264", "tcp", "h264", [];
    gst_h264_udp: "h264", "udp", "h264", [];
    gst_h265_tcp: "h265", "tcp", "hevc", [];
    gst_h265_udp: "h265", "udp", "hevc", [];
    gst_aac_tcp: "aac", "tcp", "aac", [];
    gst_aac_udp: "aac", "udp", "aac", [];
    gst_pcmu_tcp: "pcmu", "tcp", "pcm_mulaw", ["-f", "mulaw", "-ar", "8000", "-ac", "1"];
    gst_pcmu_udp: "pcmu", "udp", "pcm_mulaw", ["-f", "mulaw", "-ar", "8000", "-ac", "1"];
    gst_mjpeg_tcp: "mjpeg", "tcp", "mjpeg", [];
    gst_mjpeg_udp: "mjpeg", "udp", "mjpeg", [];
    gst_av_tcp: "av", "tcp", "h264", [];
    gst_av_udp: "av", "udp", "h264", [];
}

/// Digest (gst-rtsp-server offers only Digest on /secure): right credentials from the URL
/// play; wrong ones fail with a clear message and a non-zero exit.
#[test]
fn gst_secure_digest() {
    let Some(server) = gst_server("gst_secure_digest") else {
        return;
    };
    let good = format!("rtsp://user:pass@127.0.0.1:{}/secure", server.port);
    let out = run_bounded(
        Command::new(client_bin()).args(["--duration", "1", &good]),
        Duration::from_secs(30),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        frames_in_last_stats(&stdout).iter().all(|&n| n > 0),
        "{stdout}"
    );
    let bad = format!("rtsp://user:wrong@127.0.0.1:{}/secure", server.port);
    let out = run_bounded(
        Command::new(client_bin()).args(["--transport", "tcp", "--duration", "1", &bad]),
        Duration::from_secs(30),
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("401 Unauthorized"), "{stderr}");
}

/// Without `--transport` the client plays over TCP first.
#[test]
fn gst_default_transport_is_tcp() {
    let Some(server) = gst_server("gst_default_transport_is_tcp") else {
        return;
    };
    let url = format!("rtsp://127.0.0.1:{}/pcmu", server.port);
    let out = run_bounded(
        Command::new(client_bin()).args(["--duration", "0.5", &url]),
        Duration::from_secs(30),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("playing over Tcp"), "{stdout}");
}

/// QUIRKS.md 17: a server that streams only over UDP answers 461 to the TCP SETUP; the
/// client (no `--transport`) sets up UDP on the same connection and plays.
#[test]
fn gst_tcp_461_falls_back_to_udp() {
    let Some(server) = gst_server("gst_tcp_461_falls_back_to_udp") else {
        return;
    };
    let url = format!("rtsp://127.0.0.1:{}/udponly", server.port);
    let out = run_bounded(
        Command::new(client_bin()).args(["--duration", "1", &url]),
        Duration::from_secs(30),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stderr.contains("TransportFallback"), "{stderr}");
    assert!(stdout.contains("playing over Udp"), "{stdout}");
    assert!(
        frames_in_last_stats(&stdout).iter().all(|&n| n > 0),
        "{stdout}"
    );
}

/// RTSP 2.0 end to end: gst-rtsp-server answers 2.0, both tracks of /av play over TCP.
#[test]
fn gst_rtsp2_av() {
    let Some(server) = gst_server("gst_rtsp2_av") else {
        return;
    };
    let url = format!("rtsp://127.0.0.1:{}/av", server.port);
    let out = run_bounded(
        Command::new(client_bin()).args(["--rtsp2", "--transport", "tcp", "--duration", "1", &url]),
        Duration::from_secs(30),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("playing over Tcp (RTSP/2.0)"), "{stdout}");
    assert!(!stderr.contains("VersionFallback"), "{stderr}");
    let frames = frames_in_last_stats(&stdout);
    assert!(
        frames.len() == 2 && frames.iter().all(|&n| n > 0),
        "{stdout}"
    );
}

/// RTSP 2.0 pipelining (RFC 7826 §16.3) against gst-rtsp-server: both SETUPs and the PLAY
/// go out at once with a `Pipelined-Requests` id, and both tracks of /av play.
#[test]
fn gst_rtsp2_pipelined() {
    let Some(server) = gst_server("gst_rtsp2_pipelined") else {
        return;
    };
    let url = format!("rtsp://127.0.0.1:{}/av", server.port);
    let out = run_bounded(
        Command::new(client_bin()).args([
            "--rtsp2",
            "--pipeline",
            "--transport",
            "tcp",
            "--duration",
            "1",
            &url,
        ]),
        Duration::from_secs(30),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("pipelined 2 SETUP(s) and PLAY"), "{stdout}");
    assert!(stdout.contains("playing over Tcp (RTSP/2.0)"), "{stdout}");
    let frames = frames_in_last_stats(&stdout);
    assert!(
        frames.len() == 2 && frames.iter().all(|&n| n > 0),
        "{stdout}"
    );
}

/// Ctrl-C (SIGINT) while playing: the client example sends TEARDOWN, gets its answer and
/// exits 0.
#[test]
fn gst_sigint_tears_down() {
    let Some(server) = gst_server("gst_sigint_tears_down") else {
        return;
    };
    let url = format!("rtsp://127.0.0.1:{}/av", server.port);
    let mut child = Guard(
        Command::new(client_bin())
            .args(["--transport", "tcp", &url])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let _ = tx.send(line.clone());
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    // Wait (bounded) until it plays, then interrupt it.
    #[allow(clippy::disallowed_methods)]
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        #[allow(clippy::disallowed_methods)]
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) if line.starts_with("playing over") => break,
            Ok(_) => {}
            Err(e) => panic!("client did not start playing: {e}"),
        }
    }
    let pid = child.0.id().to_string();
    let killed = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(killed.success());
    wait_exit(
        &mut child,
        Duration::from_secs(15),
        "client did not exit after SIGINT",
    );
    let status = child.0.wait().unwrap();
    let out = reader.join().unwrap();
    let mut err = String::new();
    let _ = child.0.stderr.take().unwrap().read_to_string(&mut err);
    assert!(status.success(), "{status:?}\n{out}{err}");
    assert!(out.contains("interrupted: TEARDOWN"), "{out}");
    assert!(out.contains("closed after TEARDOWN"), "{out}");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// ffmpeg listening as an RTSP server at `url` for one publisher, copying into `output`.
fn ffmpeg_listener(url: &str, transport: &str, output: &Path) -> Guard {
    let listener = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-nostdin", "-y"])
        .args([
            "-rtsp_flags",
            "listen",
            "-listen_timeout",
            "20",
            "-rtsp_transport",
            transport,
        ])
        .args(["-i", url, "-c", "copy"])
        .arg(output)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    Guard(listener)
}

/// Waits (bounded) for a child to end.
#[allow(clippy::disallowed_methods)]
fn wait_exit(child: &mut Guard, limit: Duration, what: &str) {
    let deadline = Instant::now() + limit;
    while child.0.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "{what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Publishes a 2 s H.264 file (ANNOUNCE, SETUP mode=record, RECORD, TEARDOWN) to ffmpeg
/// listening as an RTSP server, which copies it into Matroska; ffprobe decodes every frame.
///
/// With `rtsp2` the client starts in RTSP/2.0: ffmpeg resets the connection on the 2.0
/// request line and exits, so a second ffmpeg listens on the same port, and the client
/// must reconnect with RTSP/1.0 by itself (`ClientError::Rtsp2Refused`).
fn publish(test: &str, transport: &str, rtsp2: bool) {
    if !common::peers::require(test, &["ffmpeg", "ffprobe"]) {
        return;
    }
    let input = temp_path(&format!("{test}.h264"));
    let made = run_bounded(
        Command::new("ffmpeg")
            .args([
                "-hide_banner",
                "-loglevel",
                "error",
                "-nostdin",
                "-y",
                "-f",
                "lavfi",
            ])
            .args([
                "-i",
                "testsrc=size=320x240:rate=25",
                "-t",
                "2",
                "-c:v",
                "libx264",
            ])
            .args(["-bf", "0", "-g", "25", "-pix_fmt", "yuv420p", "-f", "h264"])
            .arg(&input),
        Duration::from_secs(30),
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let output = temp_path(&format!("{test}.mkv"));
    let port = free_port();
    let url = format!("rtsp://127.0.0.1:{port}/live");
    let first_output = temp_path(&format!("{test}.refused.mkv"));
    let mut listener =
        ffmpeg_listener(&url, transport, if rtsp2 { &first_output } else { &output });
    // ffmpeg listens a moment after it starts: retry the connection briefly.
    let (input2, url2, transport2) = (input.clone(), url.clone(), transport.to_owned());
    let client = std::thread::spawn(move || {
        #[allow(clippy::disallowed_methods)]
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let mut cmd = Command::new(client_bin());
            cmd.args(["publish", "--in"])
                .arg(&input2)
                .args(["--transport", &transport2]);
            if rtsp2 {
                cmd.arg("--rtsp2");
            }
            let out = run_bounded(cmd.arg(&url2), Duration::from_secs(40));
            let stderr = String::from_utf8_lossy(&out.stderr);
            #[allow(clippy::disallowed_methods)]
            let retry = stderr.contains("cannot connect")
                && !stderr.contains("retrying with RTSP/1.0")
                && Instant::now() < deadline;
            if !retry {
                break out;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    if rtsp2 {
        // The first ffmpeg gives up on the RTSP/2.0 request line; a second one listens
        // for the client's RTSP/1.0 retry.
        wait_exit(
            &mut listener,
            Duration::from_secs(20),
            "ffmpeg did not give up on RTSP/2.0",
        );
        let _ = std::fs::remove_file(&first_output);
        listener = ffmpeg_listener(&url, transport, &output);
    }
    let out = client.join().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("sent 50 access units"), "{stdout}");
    assert_eq!(stderr.contains("retrying with RTSP/1.0"), rtsp2, "{stderr}");
    // ffmpeg ends after TEARDOWN.
    wait_exit(
        &mut listener,
        Duration::from_secs(20),
        "ffmpeg did not finish after TEARDOWN",
    );
    let (codec, frames) = probe(&output, &[]);
    let _ = std::fs::remove_file(&input);
    let _ = std::fs::remove_file(&output);
    assert_eq!(codec, "h264");
    assert_eq!(frames, 50, "every access unit arrived and decodes");
}

#[test]
fn publish_to_ffmpeg_tcp() {
    publish("publish_to_ffmpeg_tcp", "tcp", false);
}

/// ffmpeg resets the connection on RTSP/2.0 instead of answering 505: the client example
/// reconnects with RTSP/1.0 and publishes.
#[test]
fn publish_rtsp2_to_ffmpeg_falls_back_to_1_0() {
    publish("publish_rtsp2_to_ffmpeg_falls_back_to_1_0", "tcp", true);
}

#[test]
fn publish_to_ffmpeg_udp() {
    publish("publish_to_ffmpeg_udp", "udp", false);
}

/// The tokio example drives the same core: both tracks of /av play over TCP.
#[test]
fn gst_tokio_client_av() {
    let Some(server) = gst_server("gst_tokio_client_av") else {
        return;
    };
    let url = format!("rtsp://127.0.0.1:{}/av", server.port);
    let out = run_bounded(
        Command::new(example_bin("tokio_client")).args(["--duration", "1.5", &url]),
        Duration::from_secs(30),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("closed after TEARDOWN"), "{stdout}");
    let frames = frames_in_last_stats(&stdout);
    assert!(
        frames.len() == 2 && frames.iter().all(|&n| n > 0),
        "{stdout}"
    );
}

/// RTCP sender reports while publishing reach ffmpeg: a 4 s publish over TCP (the first
/// report comes within 3.1 s: half the 5 s minimum, randomized by at most 1.5/1.22) is
/// captured on the loopback with tshark, which finds sender reports with non-zero packet
/// and octet counts; ffmpeg takes the stream (and the reports among it) and every frame
/// decodes.
#[test]
fn publish_sender_reports_reach_ffmpeg() {
    let test = "publish_sender_reports_reach_ffmpeg";
    if !common::peers::require(test, &["ffmpeg", "ffprobe", "tshark"]) {
        return;
    }
    let input = temp_path(&format!("{test}.h264"));
    let made = run_bounded(
        Command::new("ffmpeg")
            .args(["-hide_banner", "-loglevel", "error", "-nostdin", "-y"])
            .args([
                "-f",
                "lavfi",
                "-i",
                "testsrc=size=160x120:rate=25",
                "-t",
                "4",
            ])
            .args(["-c:v", "libx264", "-bf", "0", "-g", "25"])
            .args(["-pix_fmt", "yuv420p", "-f", "h264"])
            .arg(&input),
        Duration::from_secs(30),
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let port = free_port();
    let url = format!("rtsp://127.0.0.1:{port}/live");
    let capture = temp_path(&format!("{test}.pcapng"));
    let mut tshark = Guard(
        Command::new("tshark")
            .args(["-i", "lo", "-f", &format!("tcp port {port}"), "-w"])
            .arg(&capture)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    // tshark says when it captures.
    let stderr = tshark.0.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            let _ = tx.send(line);
        }
    });
    loop {
        match rx.recv_timeout(Duration::from_secs(15)) {
            Ok(line) if line.contains("Capturing on") => break,
            Ok(_) => {}
            Err(e) => panic!("tshark did not start capturing: {e}"),
        }
    }
    let output = temp_path(&format!("{test}.mkv"));
    let mut listener = ffmpeg_listener(&url, "tcp", &output);
    #[allow(clippy::disallowed_methods)]
    let deadline = Instant::now() + Duration::from_secs(10);
    let out = loop {
        let out = run_bounded(
            Command::new(client_bin())
                .args(["publish", "--in"])
                .arg(&input)
                .args(["--transport", "tcp", &url]),
            Duration::from_secs(40),
        );
        #[allow(clippy::disallowed_methods)]
        let retry = String::from_utf8_lossy(&out.stderr).contains("cannot connect")
            && Instant::now() < deadline;
        if !retry {
            break out;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("sent 100 access units"), "{stdout}");
    wait_exit(
        &mut listener,
        Duration::from_secs(20),
        "ffmpeg did not finish after TEARDOWN",
    );
    // SIGINT lets tshark finish the file.
    let pid = tshark.0.id().to_string();
    assert!(Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    wait_exit(&mut tshark, Duration::from_secs(15), "tshark did not stop");
    let decoded = run_bounded(
        Command::new("tshark")
            .arg("-r")
            .arg(&capture)
            .args([
                "-d",
                &format!("tcp.port=={port},rtsp"),
                "-Y",
                "rtcp.pt==200",
            ])
            .args(["-T", "fields", "-e", "rtcp.senderssrc"])
            .args([
                "-e",
                "rtcp.sender.packetcount",
                "-e",
                "rtcp.sender.octetcount",
            ]),
        Duration::from_secs(30),
    );
    let reports = String::from_utf8_lossy(&decoded.stdout).into_owned();
    let (codec, frames) = probe(&output, &[]);
    let _ = std::fs::remove_file(&input);
    let _ = std::fs::remove_file(&output);
    let _ = std::fs::remove_file(&capture);
    let srs: Vec<Vec<&str>> = reports.lines().map(|l| l.split('\t').collect()).collect();
    assert!(!srs.is_empty(), "no sender report captured: {reports}");
    for sr in &srs {
        let count = |i: usize| sr.get(i).and_then(|v| v.trim().parse::<u64>().ok());
        assert!(
            count(1).is_some_and(|n| n > 0) && count(2).is_some_and(|n| n > 0),
            "{reports}"
        );
    }
    assert_eq!(codec, "h264");
    assert_eq!(frames, 100, "every access unit arrived and decodes");
}
