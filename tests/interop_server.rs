//! The server example (`examples/server/`) against real players and publishers: ffprobe,
//! ffmpeg (TCP and UDP) and GStreamer's `rtspsrc` (TCP and UDP, RTSP 1.0 and 2.0) play the
//! built-in `/test` stream and decode video and audio; ffmpeg publishes to `/cam` (TCP and
//! UDP) while ffmpeg and GStreamer play the relayed stream; Digest authentication lets
//! players with the credentials in and answers 401 to those without.
//!
//! Each test starts the example's server loop in-process on `127.0.0.1:0` (TCP and UDP
//! ports chosen by the system, so tests run in parallel), and every peer process is killed
//! when its guard drops and when its deadline passes. No test measures time: deadlines
//! only bound a hung peer.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// The example's loop and the peer deadlines read the real clock.
#![allow(clippy::disallowed_methods)]
// `tokio_server.rs` declares the modules it shares with `server/` for its own crate; here
// they are loaded a second time (and unused: it refers to them through `crate::`).
#![allow(clippy::duplicate_mod)]

mod common;

#[path = "../examples/server/test_stream.rs"]
#[allow(dead_code)]
mod test_stream;

#[path = "../examples/server/service.rs"]
#[allow(dead_code)]
mod service;

#[path = "../examples/server/app.rs"]
#[allow(dead_code)]
mod app;

#[path = "../examples/tokio_server.rs"]
#[allow(dead_code)]
mod tokio_server;

use common::peers;
use common::process::{self, expect_gst_played, expect_success, Peer, PEER_DEADLINE};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A fresh scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    process::scratch("interop_server", test)
}

/// Which of the two examples a test runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Example {
    /// `examples/server/` (threads).
    Threads,
    /// `examples/tokio_server.rs`.
    Tokio,
    /// `examples/tokio_server.rs --coalesce-ms 100`.
    TokioCoalescing,
}

/// A running example server, whichever runtime.
enum Running {
    Threads(app::Running),
    Tokio(tokio_server::Running),
}

impl Running {
    fn addr(&self) -> std::net::SocketAddr {
        match self {
            Running::Threads(r) => r.addr(),
            Running::Tokio(r) => r.addr(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("rtsp://{}{path}", self.addr())
    }

    fn status(&self) -> &service::Status {
        match self {
            Running::Threads(r) => r.status(),
            Running::Tokio(r) => r.status(),
        }
    }
}

/// Starts an example server on a free port.
fn start_server(example: Example, credentials: Option<(&str, &str)>) -> Running {
    let mut options = service::Options::new("127.0.0.1:0".parse().unwrap());
    options.credentials = credentials.map(|(u, p)| (u.to_owned(), p.to_owned()));
    match example {
        Example::Threads => Running::Threads(app::start(options).expect("server starts")),
        Example::Tokio => Running::Tokio(tokio_server::start(options).expect("server starts")),
        Example::TokioCoalescing => Running::Tokio(
            tokio_server::start_coalescing(options, std::time::Duration::from_millis(100))
                .expect("server starts"),
        ),
    }
}

/// GStreamer elements the tests use: RTSP source, depayloaders and decoders of every
/// stream the examples serve (H.264, PCMU, and the publisher's AAC).
const GST_ELEMENTS: &[&str] = &[
    "rtspsrc",
    "decodebin",
    "rtph264depay",
    "avdec_h264",
    "rtppcmudepay",
    "mulawdec",
    "rtpmp4gdepay",
    "avdec_aac",
];

/// Like [`peers::require`] for gst-launch-1.0 (and `others`), also checking that the
/// plugins providing [`GST_ELEMENTS`] are installed (gstreamer1.0-plugins-base, -good,
/// -libav): a missing plugin skips loudly, or fails with `RTSP_PROTO_REQUIRE_PEERS=1`.
fn require_gstreamer(test: &str, others: &[&str]) -> bool {
    let mut programs = vec!["gst-launch-1.0", "gst-inspect-1.0"];
    programs.extend_from_slice(others);
    if !peers::require(test, &programs) || !peers::require_gst_player(test) {
        return false;
    }
    let missing: Vec<&str> = GST_ELEMENTS
        .iter()
        .copied()
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
    let msg = format!(
        "{test}: GStreamer elements not installed: {} (gstreamer1.0-plugins-base, \
         gstreamer1.0-plugins-good, gstreamer1.0-libav)",
        missing.join(", ")
    );
    if std::env::var("RTSP_PROTO_REQUIRE_PEERS").is_ok_and(|v| v == "1") {
        panic!("RTSP_PROTO_REQUIRE_PEERS=1 but {msg}");
    }
    eprintln!("\n!!!!!!!! SKIPPED {msg} !!!!!!!!\n");
    false
}

/// One stream of a file as ffprobe decodes it.
#[derive(Debug)]
struct ProbedStream {
    codec_type: String,
    codec_name: String,
    /// Frames decoded (`-count_frames`).
    frames: u64,
}

/// Decodes every frame of `file` with ffprobe.
fn probe_file(file: &Path) -> Vec<ProbedStream> {
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
    parse_streams(&String::from_utf8_lossy(&out.stdout))
}

/// Parses ffprobe's `[STREAM] key=value ... [/STREAM]` sections.
fn parse_streams(text: &str) -> Vec<ProbedStream> {
    let mut streams = Vec::new();
    for section in text.split("[STREAM]").skip(1) {
        let field = |key: &str| {
            section
                .lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
                .unwrap_or("")
                .trim()
                .to_owned()
        };
        streams.push(ProbedStream {
            codec_type: field("codec_type"),
            codec_name: field("codec_name"),
            frames: field("nb_read_frames").parse().unwrap_or(0),
        });
    }
    streams
}

/// Asserts that `file` holds decodable video of `video_codec` and audio of `audio_codec`.
fn assert_decodes(file: &Path, video_codec: &str, audio_codec: &str) {
    let streams = probe_file(file);
    eprintln!("{}: {streams:?}", file.display());
    let video = streams
        .iter()
        .find(|s| s.codec_type == "video")
        .unwrap_or_else(|| panic!("no video stream in {streams:?}"));
    let audio = streams
        .iter()
        .find(|s| s.codec_type == "audio")
        .unwrap_or_else(|| panic!("no audio stream in {streams:?}"));
    assert_eq!(video.codec_name, video_codec);
    assert_eq!(audio.codec_name, audio_codec);
    assert!(video.frames > 0, "no video frame decodes: {streams:?}");
    assert!(audio.frames > 0, "no audio frame decodes: {streams:?}");
}

/// ffmpeg records about two seconds of `url` into `out` (stream copy).
fn ffmpeg_record(dir: &Path, name: &str, url: &str, transport: &str, out: &Path) -> Peer {
    Peer::spawn(
        name,
        dir,
        "ffmpeg",
        &[
            "-hide_banner",
            "-nostdin",
            "-y",
            "-rtsp_transport",
            transport,
            "-timeout",
            "10000000",
            "-i",
            url,
            // Four seconds, so that a keyframe (every second) lands in the recording even
            // when the first video packets come a second or two after the audio.
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

/// GStreamer plays `url` (`tests/peers/gst_play.py`): the video stream is decoded to raw
/// video and the audio stream to raw audio, each into a fakesink that ends after `buffers`
/// buffers, so the player exits 0 exactly when both streams delivered that many decoded
/// buffers. A stream missing, undecodable or of the wrong kind makes it fail (or hang
/// until the deadline). `extra` are rtspsrc properties.
fn gst_play(dir: &Path, name: &str, url: &str, extra: &[&str], buffers: u32) -> Peer {
    gst_play_with(dir, name, url, extra, buffers, &[])
}

/// [`gst_play`] with GStreamer options (`options`, such as `--gst-debug=rtspsrc:7`).
fn gst_play_with(
    dir: &Path,
    name: &str,
    url: &str,
    extra: &[&str],
    buffers: u32,
    options: &[&str],
) -> Peer {
    let args = peers::gst_player_args(url, buffers, extra, options);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Peer::spawn(name, dir, peers::GST_PYTHON, &args)
}

/// ffprobe reads both streams of `/test` with their codecs and sizes.
fn ffprobe_reads_test(example: Example, test: &str) {
    if !peers::require(test, &["ffprobe"]) {
        return;
    }
    let server = start_server(example, None);
    let dir = scratch(test);
    let url = server.url("/test");
    let peer = Peer::spawn(
        "ffprobe",
        &dir,
        "ffprobe",
        &[
            "-v",
            "error",
            "-rtsp_transport",
            "tcp",
            "-show_entries",
            "stream=codec_type,codec_name,width,height,sample_rate",
            &url,
        ],
    );
    let log = expect_success(peer);
    let streams = parse_streams(&log);
    let kinds: Vec<(&str, &str)> = streams
        .iter()
        .map(|s| (s.codec_type.as_str(), s.codec_name.as_str()))
        .collect();
    assert_eq!(kinds, [("video", "h264"), ("audio", "pcm_mulaw")], "{log}");
    assert!(
        log.contains("width=320") && log.contains("height=240"),
        "{log}"
    );
    assert!(log.contains("sample_rate=8000"), "{log}");
}

/// ffmpeg records two seconds of `/test` and every stream decodes.
fn ffmpeg_records_test(example: Example, test: &str, transport: &str) {
    if !peers::require(test, &["ffmpeg", "ffprobe"]) {
        return;
    }
    let server = start_server(example, None);
    let dir = scratch(test);
    let out = dir.join("out.mkv");
    expect_success(ffmpeg_record(
        &dir,
        "ffmpeg",
        &server.url("/test"),
        transport,
        &out,
    ));
    assert_decodes(&out, "h264", "pcm_mulaw");
}

/// GStreamer plays `/test` and decodes video and audio; returns how many requests came
/// as RTSP 2.0.
fn gst_plays_test(example: Example, test: &str, extra: &[&str]) -> Option<usize> {
    if !require_gstreamer(test, &[]) {
        return None;
    }
    let server = start_server(example, None);
    let dir = scratch(test);
    expect_gst_played(gst_play(&dir, "gst", &server.url("/test"), extra, 20));
    Some(server.status().rtsp_2_0_requests())
}

/// ffmpeg publishes the asset (looped, in real time) with an AAC tone to `url` for 20 s.
fn ffmpeg_publish(dir: &Path, url: &str, transport: &str) -> Peer {
    ffmpeg_publish_for(dir, "publisher", url, transport, "20")
}

/// ffmpeg publishes the asset (looped, in real time) with an AAC tone to `url` for
/// `seconds`.
fn ffmpeg_publish_for(dir: &Path, name: &str, url: &str, transport: &str, seconds: &str) -> Peer {
    let args = process::ffmpeg_publish_args(dir, url, transport, seconds);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Peer::spawn(name, dir, "ffmpeg", &args)
}

/// ffmpeg publishes to `/cam` while ffmpeg (TCP and UDP) and GStreamer (UDP, and TCP with
/// RTSP 2.0) play it.
fn publish_and_play(example: Example, test: &str, publish_transport: &str) {
    if !require_gstreamer(test, &["ffmpeg", "ffprobe"]) {
        return;
    }
    let server = start_server(example, None);
    let dir = scratch(test);
    let url = server.url("/cam");
    let publisher = ffmpeg_publish(&dir, &url, publish_transport);
    if !server.status().wait_for_publisher("/cam", PEER_DEADLINE) {
        panic!(
            "the publisher never started recording; its log:\n{}",
            publisher.log_text()
        );
    }
    let tcp_out = dir.join("tcp.mkv");
    let udp_out = dir.join("udp.mkv");
    let ffmpeg_tcp = ffmpeg_record(&dir, "ffmpeg-tcp", &url, "tcp", &tcp_out);
    let ffmpeg_udp = ffmpeg_record(&dir, "ffmpeg-udp", &url, "udp", &udp_out);
    let gst = gst_play(&dir, "gst", &url, &["protocols=udp"], 20);
    let gst2 = gst_play(
        &dir,
        "gst-rtsp2",
        &url,
        &["protocols=tcp", "default-rtsp-version=2-0"],
        20,
    );
    expect_success(ffmpeg_tcp);
    expect_success(ffmpeg_udp);
    expect_gst_played(gst);
    expect_gst_played(gst2);
    assert_decodes(&tcp_out, "h264", "aac");
    assert_decodes(&udp_out, "h264", "aac");
    drop(publisher);
}

/// ffmpeg gets in with the credentials in the URL, and gets 401 without or with a wrong
/// password.
fn digest_auth_ffmpeg(example: Example, test: &str) {
    if !peers::require(test, &["ffmpeg", "ffprobe"]) {
        return;
    }
    let server = start_server(example, Some(("alice", "s3cret")));
    let dir = scratch(test);
    let addr = server.addr();
    let with = format!("rtsp://alice:s3cret@{addr}/test");
    let wrong = format!("rtsp://alice:wrong@{addr}/test");
    let out = dir.join("out.mkv");
    expect_success(ffmpeg_record(&dir, "ffmpeg-auth", &with, "tcp", &out));
    assert_decodes(&out, "h264", "pcm_mulaw");
    for (name, url) in [
        ("ffmpeg-noauth", server.url("/test")),
        ("ffmpeg-wrong", wrong),
    ] {
        let denied = dir.join(format!("{name}.mkv"));
        let (status, log) = ffmpeg_record(&dir, name, &url, "tcp", &denied).wait();
        assert!(status.is_some_and(|s| !s.success()), "{name}: {log}");
        assert!(log.contains("401 Unauthorized"), "{name}: {log}");
    }
}

/// GStreamer gets in with `user-id`/`user-pw`, and fails with "Unauthorized" without.
fn digest_auth_gstreamer(example: Example, test: &str) {
    if !require_gstreamer(test, &[]) {
        return;
    }
    let server = start_server(example, Some(("alice", "s3cret")));
    let dir = scratch(test);
    let url = server.url("/test");
    expect_gst_played(gst_play(
        &dir,
        "gst-auth",
        &url,
        &["protocols=tcp", "user-id=alice", "user-pw=s3cret"],
        20,
    ));
    let (status, log) = gst_play(&dir, "gst-noauth", &url, &["protocols=tcp"], 20).wait();
    assert!(status.is_some_and(|s| !s.success()), "{log}");
    assert!(log.contains("Unauthorized"), "{log}");
}

/// A minimal RTSP client over a raw socket, for tests that need no peer.
struct RawClient {
    stream: std::net::TcpStream,
    decoder: rtsp_proto::message::Decoder,
    buf: bytes::BytesMut,
    cseq: u32,
}

impl RawClient {
    fn connect(addr: std::net::SocketAddr) -> RawClient {
        let stream = std::net::TcpStream::connect(addr).unwrap();
        // Bounds a hung server; never reached when the test passes.
        stream.set_read_timeout(Some(PEER_DEADLINE)).unwrap();
        RawClient {
            stream,
            decoder: rtsp_proto::message::Decoder::new(),
            buf: bytes::BytesMut::new(),
            cseq: 0,
        }
    }

    /// The next message from the server.
    fn next(&mut self) -> rtsp_proto::Message {
        use std::io::Read;
        loop {
            if let Some(m) = self.decoder.decode(&mut self.buf).unwrap() {
                return m;
            }
            let mut chunk = [0u8; 4096];
            let n = self.stream.read(&mut chunk).unwrap();
            assert!(n > 0, "the server closed the connection");
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// Sends a request and returns its response (skipping interleaved data).
    fn request(&mut self, method: &str, url: &str, headers: &str) -> rtsp_proto::Response {
        self.request_with_body(method, url, headers, "")
    }

    /// ANNOUNCE with an SDP body.
    fn announce(&mut self, url: &str, sdp: &str) -> rtsp_proto::Response {
        let headers = format!(
            "Content-Type: application/sdp\r\nContent-Length: {}\r\n",
            sdp.len()
        );
        self.request_with_body("ANNOUNCE", url, &headers, sdp)
    }

    fn request_with_body(
        &mut self,
        method: &str,
        url: &str,
        headers: &str,
        body: &str,
    ) -> rtsp_proto::Response {
        use std::io::Write;
        self.cseq += 1;
        let text = format!(
            "{method} {url} RTSP/1.0\r\nCSeq: {}\r\n{headers}\r\n{body}",
            self.cseq
        );
        self.stream.write_all(text.as_bytes()).unwrap();
        loop {
            if let rtsp_proto::Message::Response(r) = self.next() {
                return r;
            }
        }
    }
}

/// Clients come and go (OPTIONS, DESCRIBE, interleaved PLAY, or nothing at all): each
/// connection the example opened is closed again, and its threads or tasks with it.
fn connections_end_when_clients_leave(example: Example) {
    let server = start_server(example, None);
    let url = server.url("/test");
    let mut clients = Vec::new();
    for i in 0..12 {
        let mut c = RawClient::connect(server.addr());
        let options = c.request("OPTIONS", &url, "");
        assert_eq!(options.status.as_u16(), 200);
        assert!(options
            .headers
            .get_str("Public")
            .unwrap()
            .contains("DESCRIBE"));
        if i % 3 >= 1 {
            let describe = c.request("DESCRIBE", &url, "Accept: application/sdp\r\n");
            assert_eq!(describe.status.as_u16(), 200);
            assert!(std::str::from_utf8(&describe.body)
                .unwrap()
                .contains("m=video"));
        }
        if i % 3 == 2 {
            let setup = c.request(
                "SETUP",
                &format!("{url}/trackID=0"),
                "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n",
            );
            assert_eq!(setup.status.as_u16(), 200);
            let session = setup.headers.get_str("Session").unwrap();
            let session = session.split(';').next().unwrap().to_owned();
            let play = c.request("PLAY", &url, &format!("Session: {session}\r\n"));
            assert_eq!(play.status.as_u16(), 200);
            // Media flows on channel 0.
            loop {
                if let rtsp_proto::Message::Data(d) = c.next() {
                    if d.channel == 0 {
                        break;
                    }
                }
            }
        }
        clients.push(c);
    }
    // One more that connects and says nothing.
    clients.push(RawClient::connect(server.addr()));
    assert!(server.status().wait_for_connections(13, PEER_DEADLINE));
    // A reader and a writer for each.
    assert!(server
        .status()
        .wait_for_connection_workers(26, PEER_DEADLINE));
    drop(clients);
    assert!(
        server.status().wait_for_connections(0, PEER_DEADLINE),
        "connections left open after every client left"
    );
    assert!(
        server
            .status()
            .wait_for_connection_workers(0, PEER_DEADLINE),
        "connection threads or tasks still running after every client left"
    );
}

/// A publisher that ends frees its path: its players' sessions end, and another publisher
/// can take the path. While a publisher holds a path, a second one is refused.
fn republish_after_the_publisher_leaves(example: Example, test: &str) {
    if !peers::require(test, &["ffmpeg"]) {
        return;
    }
    let server = start_server(example, None);
    let dir = scratch(test);
    let url = server.url("/cam");
    let first = ffmpeg_publish_for(&dir, "first", &url, "tcp", "2");
    assert!(
        server.status().wait_for_publisher("/cam", PEER_DEADLINE),
        "first publisher: {}",
        first.log_text()
    );
    let (status, log) = ffmpeg_publish_for(&dir, "second", &url, "tcp", "2").wait();
    assert!(status.is_some_and(|s| !s.success()), "{log}");
    assert!(log.contains("403 Forbidden"), "{log}");
    // The first ends by itself after 2 s (TEARDOWN).
    expect_success(first);
    assert!(server.status().wait_for_no_publisher("/cam", PEER_DEADLINE));
    let third = ffmpeg_publish_for(&dir, "third", &url, "udp", "2");
    assert!(
        server.status().wait_for_publisher("/cam", PEER_DEADLINE),
        "third publisher: {}",
        third.log_text()
    );
    expect_success(third);
}

/// A path announced by a connection that closes before it records is free again; while
/// it is announced, a second ANNOUNCE is refused.
fn abandoned_announce_frees_the_path(example: Example) {
    let server = start_server(example, None);
    let url = server.url("/cam");
    let sdp = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=cam\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
               m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:streamid=0\r\n";
    let mut first = RawClient::connect(server.addr());
    assert_eq!(first.announce(&url, sdp).status.as_u16(), 200);
    let mut second = RawClient::connect(server.addr());
    assert_eq!(second.announce(&url, sdp).status.as_u16(), 403);
    // Players find nothing to play before the publisher records.
    let setup = second.request(
        "SETUP",
        &format!("{url}/streamid=0"),
        "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n",
    );
    assert_eq!(setup.status.as_u16(), 404);
    drop(first);
    assert!(server.status().wait_for_connections(1, PEER_DEADLINE));
    assert_eq!(second.announce(&url, sdp).status.as_u16(), 200);
}

/// A raw publisher announces, sets up and records; players get its description with the
/// server's track controls and without the publisher's connection addresses.
fn relayed_description(example: Example) {
    let server = start_server(example, None);
    let url = server.url("/cam");
    let sdp = "v=0\r\no=- 0 0 IN IP4 192.0.2.7\r\ns=cam\r\nc=IN IP4 192.0.2.7\r\nt=0 0\r\n\
               m=video 0 RTP/AVP 96\r\nc=IN IP4 239.1.2.3/16\r\na=rtpmap:96 H264/90000\r\n\
               a=fmtp:96 packetization-mode=1\r\na=control:streamid=0\r\n";
    let mut publisher = RawClient::connect(server.addr());
    assert_eq!(publisher.announce(&url, sdp).status.as_u16(), 200);
    let setup = publisher.request(
        "SETUP",
        &format!("{url}/streamid=0"),
        "Transport: RTP/AVP/TCP;unicast;interleaved=0-1;mode=record\r\n",
    );
    assert_eq!(setup.status.as_u16(), 200);
    let session = setup.headers.get_str("Session").unwrap();
    let session = session.split(';').next().unwrap().to_owned();
    let record = publisher.request("RECORD", &url, &format!("Session: {session}\r\n"));
    assert_eq!(record.status.as_u16(), 200);
    assert!(server.status().wait_for_publisher("/cam", PEER_DEADLINE));

    let mut player = RawClient::connect(server.addr());
    let describe = player.request("DESCRIBE", &url, "");
    assert_eq!(describe.status.as_u16(), 200);
    let body = std::str::from_utf8(&describe.body).unwrap();
    assert!(body.contains("a=control:streamid=0\r\n"), "{body}");
    assert!(body.contains("a=rtpmap:96 H264/90000\r\n"), "{body}");
    assert!(
        !body.contains("192.0.2.7") && !body.contains("239.1.2.3"),
        "{body}"
    );
    // A second publisher cannot record to it.
    let mut other = RawClient::connect(server.addr());
    let setup = other.request(
        "SETUP",
        &format!("{url}/streamid=0"),
        "Transport: RTP/AVP/TCP;unicast;interleaved=0-1;mode=record\r\n",
    );
    assert_eq!(setup.status.as_u16(), 403);
}

// ---- examples/server (threads) ----

#[test]
fn ffprobe_reads_both_streams_of_test() {
    ffprobe_reads_test(Example::Threads, "ffprobe_reads_both_streams_of_test");
}

#[test]
fn ffmpeg_records_test_over_tcp() {
    ffmpeg_records_test(Example::Threads, "ffmpeg_records_test_over_tcp", "tcp");
}

#[test]
fn ffmpeg_records_test_over_udp() {
    ffmpeg_records_test(Example::Threads, "ffmpeg_records_test_over_udp", "udp");
}

#[test]
fn gstreamer_plays_test_over_tcp() {
    let v2 = gst_plays_test(
        Example::Threads,
        "gstreamer_plays_test_over_tcp",
        &["protocols=tcp"],
    );
    assert!(v2.is_none_or(|n| n == 0));
}

#[test]
fn gstreamer_plays_test_over_udp() {
    let v2 = gst_plays_test(
        Example::Threads,
        "gstreamer_plays_test_over_udp",
        &["protocols=udp"],
    );
    assert!(v2.is_none_or(|n| n == 0));
}

#[test]
fn gstreamer_plays_test_with_rtsp_2_0() {
    let v2 = gst_plays_test(
        Example::Threads,
        "gstreamer_plays_test_with_rtsp_2_0",
        &["protocols=tcp", "default-rtsp-version=2-0"],
    );
    // DESCRIBE, SETUP twice and PLAY came as RTSP 2.0 (OPTIONS the server answers itself).
    assert!(v2.is_none_or(|n| n >= 4));
}

/// The RTSP 2.0 headers of the server's responses as GStreamer's rtspsrc received them
/// (its LOG-level dump of every response header): the live `/test` mount answers PLAY
/// with `Range: npt=now-`, `Seek-Style: Next` and `Media-Properties: No-Seeking,
/// Time-Progressing, Time-Duration=0`, and SETUP with the same properties and
/// `Accept-Ranges: npt` (RFC 7826 §13.3, §13.4, §18.29, §18.47), and rtspsrc plays.
#[test]
fn gstreamer_rtsp_2_0_gets_seek_style_media_properties_and_range() {
    let test = "gstreamer_rtsp_2_0_gets_seek_style_media_properties_and_range";
    if !require_gstreamer(test, &[]) {
        return;
    }
    let server = start_server(Example::Threads, None);
    let dir = scratch(test);
    let log = expect_gst_played(gst_play_with(
        &dir,
        "gst",
        &server.url("/test"),
        &["protocols=tcp", "default-rtsp-version=2-0"],
        20,
        &["--gst-debug-no-color", "--gst-debug=rtspsrc:7"],
    ));
    let header = |key: &str, value: &str| {
        log.lines()
            .filter(|l| {
                l.contains("dump_key_value")
                    && l.contains(&format!("key: '{key}', value: '{value}'"))
            })
            .count()
    };
    let props = "No-Seeking, Time-Progressing, Time-Duration=0";
    assert_eq!(
        header("Seek-Style", "Next"),
        1,
        "PLAY response; log:\n{log}"
    );
    assert_eq!(header("Range", "npt=now-"), 1, "PLAY response; log:\n{log}");
    // Two SETUP responses and the PLAY response.
    assert_eq!(header("Media-Properties", props), 3, "log:\n{log}");
    assert_eq!(
        header("Accept-Ranges", "npt"),
        2,
        "SETUP responses; log:\n{log}"
    );
}

#[test]
fn gstreamer_plays_test_over_udp_with_rtsp_2_0() {
    let v2 = gst_plays_test(
        Example::Threads,
        "gstreamer_plays_test_over_udp_with_rtsp_2_0",
        &["protocols=udp", "default-rtsp-version=2-0"],
    );
    assert!(v2.is_none_or(|n| n >= 4));
}

#[test]
fn ffmpeg_publishes_over_tcp_and_players_receive_the_relay() {
    publish_and_play(Example::Threads, "ffmpeg_publishes_over_tcp", "tcp");
}

#[test]
fn ffmpeg_publishes_over_udp_and_players_receive_the_relay() {
    publish_and_play(Example::Threads, "ffmpeg_publishes_over_udp", "udp");
}

#[test]
fn digest_auth_admits_ffmpeg_with_credentials_and_refuses_it_without() {
    digest_auth_ffmpeg(Example::Threads, "digest_auth_ffmpeg");
}

#[test]
fn digest_auth_admits_gstreamer_with_credentials_and_refuses_it_without() {
    digest_auth_gstreamer(Example::Threads, "digest_auth_gstreamer");
}

// ---- examples/tokio_server.rs: the same service under tokio ----

#[test]
fn tokio_ffprobe_reads_both_streams_of_test() {
    ffprobe_reads_test(Example::Tokio, "tokio_ffprobe_reads_both_streams_of_test");
}

/// Media held up to 100 ms and written together still reaches a player whole, and its
/// requests (answered at once) do not wait for the media.
#[test]
fn tokio_coalescing_ffmpeg_records_test_over_tcp() {
    ffmpeg_records_test(
        Example::TokioCoalescing,
        "tokio_coalescing_ffmpeg_records_test_over_tcp",
        "tcp",
    );
}

/// The benchmark's configuration: a published stream relayed to players with coalescing.
#[test]
fn tokio_coalescing_ffmpeg_publishes_over_tcp_and_players_receive_the_relay() {
    publish_and_play(
        Example::TokioCoalescing,
        "tokio_coalescing_ffmpeg_publishes_over_tcp",
        "tcp",
    );
}

#[test]
fn tokio_ffmpeg_records_test_over_udp() {
    ffmpeg_records_test(Example::Tokio, "tokio_ffmpeg_records_test_over_udp", "udp");
}

#[test]
fn tokio_gstreamer_plays_test_over_tcp_with_rtsp_2_0() {
    let v2 = gst_plays_test(
        Example::Tokio,
        "tokio_gstreamer_plays_test_over_tcp_with_rtsp_2_0",
        &["protocols=tcp", "default-rtsp-version=2-0"],
    );
    assert!(v2.is_none_or(|n| n >= 4));
}

#[test]
fn tokio_ffmpeg_publishes_over_tcp_and_players_receive_the_relay() {
    publish_and_play(Example::Tokio, "tokio_ffmpeg_publishes_over_tcp", "tcp");
}

#[test]
fn tokio_digest_auth_admits_ffmpeg_with_credentials_and_refuses_it_without() {
    digest_auth_ffmpeg(Example::Tokio, "tokio_digest_auth_ffmpeg");
}

#[test]
fn connections_of_clients_that_leave_are_closed() {
    connections_end_when_clients_leave(Example::Threads);
}

#[test]
fn tokio_connections_of_clients_that_leave_are_closed() {
    connections_end_when_clients_leave(Example::Tokio);
}

#[test]
fn a_path_is_published_again_after_its_publisher_leaves() {
    republish_after_the_publisher_leaves(Example::Threads, "republish");
}

#[test]
fn an_announced_path_is_freed_when_its_connection_closes_before_record() {
    abandoned_announce_frees_the_path(Example::Threads);
}

#[test]
fn tokio_an_announced_path_is_freed_when_its_connection_closes_before_record() {
    abandoned_announce_frees_the_path(Example::Tokio);
}

#[test]
fn command_line_options() {
    let parse = |args: &[&str]| service::Options::from_args(args.iter().map(|s| s.to_string()));
    let default = parse(&[]).unwrap();
    assert_eq!(default.bind, "127.0.0.1:8554".parse().unwrap());
    assert_eq!(default.credentials, None);
    assert_eq!(default.multicast, None);
    let mc = parse(&["--multicast"]).unwrap().multicast;
    assert_eq!(mc, Some(rtsp_proto::server::MulticastConfig::default()));
    let o = parse(&["--bind", "[::1]:9000", "--user", "u", "--pass", "p"]).unwrap();
    assert_eq!(o.bind, "[::1]:9000".parse().unwrap());
    assert_eq!(o.credentials, Some(("u".to_owned(), "p".to_owned())));
    for bad in [
        &["--user", "u"][..],
        &["--bind"],
        &["--bind", "nowhere"],
        &["--port", "1"],
        &["--multicast", "yes"],
        &["--help"],
    ] {
        assert!(parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn players_get_the_publishers_description_with_the_servers_addresses() {
    relayed_description(Example::Threads);
}
