//! A blocking RTSP client on `std::net` around the sans-IO `ClientSession`.
//!
//! ```text
//! cargo run --example client -- [--transport tcp|udp|multicast] [--duration SECS] [--out FILE] [--rtsp2 [--pipeline]] URL
//! cargo run --example client -- publish --in FILE.h264 [--fps N] [--transport tcp|udp] [--rtsp2] URL
//! ```
//!
//! Playing prints the tracks, then one statistics line per second (packets, lost, jitter,
//! bitrate per track). `--out` writes the first video track as an Annex B elementary stream
//! (H.264/H.265), MJPEG as concatenated JPEG pictures, or, without video, the first audio
//! track (AAC with ADTS headers, anything else raw). Without `--transport` TCP is tried
//! first, then UDP; `multicast` asks the server for multicast and joins the group it
//! names. Publishing sends an Annex B H.264 file with ANNOUNCE, SETUP
//! (`mode=record`) and RECORD in real time, then TEARDOWN. Credentials come from the URL
//! (`rtsp://user:pass@host/path`). Exit status 0 after a clean TEARDOWN, also when Ctrl-C
//! (SIGINT) ended the session. `--rtsp2` speaks
//! RTSP/2.0 and falls back to 1.0: on the same connection after a 505 or a 1.0 answer, on a
//! new one when the server drops the connection instead (ffmpeg's `-rtsp_flags listen`).
//! `--pipeline` (with `--rtsp2`) sends every SETUP and the PLAY without waiting
//! (RFC 7826 §16.3).
#![allow(clippy::disallowed_methods)] // examples own the clock

use bytes::{Bytes, BytesMut};
use rtsp_proto::client::{
    ClientConfig, ClientError, ClientEvent, ClientSession, Destination, PlayOptions,
    SetupTransport, State, StreamKind, TrackId,
};
use rtsp_proto::client::{StaleSession, TrackTransport};
use rtsp_proto::codec::aac::AudioSpecificConfig;
use rtsp_proto::codec::h264::{H264Packetizer, H264PacketizerConfig};
use rtsp_proto::codec::Packetizer;
use rtsp_proto::header::Range;
use rtsp_proto::rtp::{PayloadType, RtpBuilder};
use rtsp_proto::sdp::MediaKind;
use rtsp_proto::StatusCode;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lower {
    Tcp,
    Udp,
    /// TCP, and UDP on the same connection if the server answers 461.
    Auto,
    /// UDP multicast: the server picks the group and ports, we join it.
    Multicast,
}

struct Args {
    publish: bool,
    transport: Option<Lower>,
    duration: Option<Duration>,
    out: Option<String>,
    input: Option<String>,
    fps: f64,
    rtsp2: bool,
    /// Pipeline the SETUPs and the PLAY (RTSP/2.0 only).
    pipeline: bool,
    /// A reconnect after a refused RTSP/2.0: the server may need a moment to listen again.
    reconnect: bool,
    url: String,
}

fn usage() -> ! {
    eprintln!(
        "usage: client [--transport tcp|udp|multicast] [--duration SECS] [--out FILE] [--rtsp2 [--pipeline]] URL\n       \
         client publish --in FILE.h264 [--fps N] [--transport tcp|udp] [--rtsp2] URL"
    );
    std::process::exit(2);
}

fn parse_args() -> Args {
    let mut a = Args {
        publish: false,
        transport: None,
        duration: None,
        out: None,
        input: None,
        fps: 25.0,
        rtsp2: false,
        pipeline: false,
        reconnect: false,
        url: String::new(),
    };
    let mut it = std::env::args().skip(1).peekable();
    if it.peek().map(String::as_str) == Some("publish") {
        a.publish = true;
        it.next();
    }
    while let Some(arg) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| usage());
        match arg.as_str() {
            "--transport" => {
                a.transport = match value().as_str() {
                    "tcp" => Some(Lower::Tcp),
                    "udp" => Some(Lower::Udp),
                    "multicast" => Some(Lower::Multicast),
                    _ => usage(),
                }
            }
            "--duration" => {
                let s: f64 = value().parse().unwrap_or_else(|_| usage());
                a.duration = Some(Duration::from_secs_f64(s.max(0.0)));
            }
            "--out" => a.out = Some(value()),
            "--in" => a.input = Some(value()),
            "--fps" => a.fps = value().parse().unwrap_or_else(|_| usage()),
            "--rtsp2" => a.rtsp2 = true,
            "--pipeline" => a.pipeline = true,
            "-h" | "--help" => usage(),
            _ if a.url.is_empty() && !arg.starts_with("--") => a.url = arg,
            _ => usage(),
        }
    }
    if a.url.is_empty() || (a.publish && a.input.is_none()) || a.fps <= 0.0 {
        usage();
    }
    a
}

/// Why a run stopped.
enum Failure {
    /// The transport does not work with this server; another may.
    Transport(String),
    /// Anything else.
    Fatal(String),
    /// The server sent us elsewhere.
    Redirect(String),
    /// The server dropped the connection on an RTSP/2.0 request: retry with 1.0.
    Rtsp2Refused,
}

/// Set by the Ctrl-C (SIGINT) handler: tear down and exit.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

fn main() {
    let mut args = parse_args();
    // Ctrl-C ends the session with TEARDOWN (the loops look at the flag at least every
    // 250 ms) and the program exits 0 once it is answered; a second Ctrl-C exits at once.
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    let result = loop {
        let result = run(&args);
        if matches!(result, Err(Failure::Rtsp2Refused)) && args.rtsp2 {
            // ffmpeg's listening server resets the connection on RTSP/2.0 instead of
            // answering 505: speak 1.0 on a new connection.
            eprintln!("the server dropped the connection on RTSP/2.0; retrying with RTSP/1.0");
            args.rtsp2 = false;
            args.reconnect = true;
            continue;
        }
        break result;
    };
    match result {
        Ok(()) => {}
        Err(Failure::Transport(e) | Failure::Fatal(e) | Failure::Redirect(e)) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
        Err(Failure::Rtsp2Refused) => {
            eprintln!("error: the server dropped the connection on an RTSP/1.0 request");
            std::process::exit(1);
        }
    }
}

fn run(args: &Args) -> Result<(), Failure> {
    if args.publish {
        publish(args, args.transport.unwrap_or(Lower::Tcp))
    } else {
        let order = match args.transport {
            Some(t) => vec![t],
            None => vec![Lower::Auto, Lower::Udp],
        };
        let mut result = Err(Failure::Fatal("no transport tried".into()));
        let mut url = args.url.clone();
        let mut redirects = 0;
        let mut stale = None;
        let mut i = 0;
        while let Some(lower) = order.get(i) {
            result = play(args, &url, *lower, &mut stale);
            match &result {
                Err(Failure::Transport(why)) if i + 1 < order.len() => {
                    eprintln!("{lower:?} failed ({why}); trying {:?}", order[i + 1]);
                    i += 1;
                }
                Err(Failure::Redirect(location)) if redirects < 5 => {
                    println!("redirected to {location}");
                    redirects += 1;
                    url = location.clone();
                }
                Err(Failure::Redirect(_)) => {
                    result = Err(Failure::Fatal("too many redirects".into()));
                    break;
                }
                _ => break,
            }
        }
        result
    }
}

/// What the I/O threads report.
enum Input {
    Stream(Vec<u8>),
    Eof(Option<std::io::Error>),
    Datagram(TrackId, StreamKind, SocketAddr, Bytes),
}

/// The connection, the UDP sockets and the channel their reader threads feed.
struct Io {
    stream: TcpStream,
    peer: SocketAddr,
    udp: Vec<Option<(UdpSocket, UdpSocket)>>,
    tx: mpsc::Sender<Input>,
    rx: mpsc::Receiver<Input>,
    buf: BytesMut,
}

impl Io {
    fn connect(args: &Args, url: &str) -> Result<Io, Failure> {
        let parsed = rtsp_proto::sdp::Url::parse(url)
            .map_err(|e| Failure::Fatal(format!("bad url: {e}")))?;
        let host = parsed
            .host_str()
            .ok_or_else(|| Failure::Fatal("url has no host".into()))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port = parsed.port().unwrap_or(554);
        let addr = (host, port)
            .to_socket_addrs()
            .map_err(|e| Failure::Fatal(format!("cannot resolve {host}: {e}")))?
            .next()
            .ok_or_else(|| Failure::Fatal(format!("cannot resolve {host}")))?;
        // After a refused RTSP/2.0 a server such as ffmpeg listens again only once it
        // restarts: retry a refused connection for a few seconds.
        let give_up = Instant::now() + Duration::from_secs(if args.reconnect { 10 } else { 0 });
        let stream = loop {
            match TcpStream::connect_timeout(&addr, Duration::from_secs(10)) {
                Ok(s) => break s,
                Err(e)
                    if e.kind() == std::io::ErrorKind::ConnectionRefused
                        && Instant::now() < give_up =>
                {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => return Err(Failure::Fatal(format!("cannot connect to {addr}: {e}"))),
            }
        };
        stream.set_nodelay(true).ok();
        let (tx, rx) = mpsc::channel();
        let mut reader = stream
            .try_clone()
            .map_err(|e| Failure::Fatal(e.to_string()))?;
        let rtx = tx.clone();
        std::thread::spawn(move || {
            let mut chunk = vec![0u8; 64 * 1024];
            loop {
                match reader.read(&mut chunk) {
                    Ok(0) => {
                        let _ = rtx.send(Input::Eof(None));
                        return;
                    }
                    Ok(n) => {
                        if rtx.send(Input::Stream(chunk[..n].to_vec())).is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        let _ = rtx.send(Input::Eof(Some(e)));
                        return;
                    }
                }
            }
        });
        Ok(Io {
            stream,
            peer: addr,
            udp: Vec::new(),
            tx,
            rx,
            buf: BytesMut::with_capacity(128 * 1024),
        })
    }

    /// Binds an RTP/RTCP socket pair (even, even + 1) for `track` and starts its readers.
    fn bind_pair(&mut self, track: TrackId) -> Result<u16, Failure> {
        let ip = if self.peer.is_ipv6() {
            "[::]"
        } else {
            "0.0.0.0"
        };
        for _ in 0..64 {
            let rtp =
                UdpSocket::bind(format!("{ip}:0")).map_err(|e| Failure::Fatal(e.to_string()))?;
            let port = rtp
                .local_addr()
                .map_err(|e| Failure::Fatal(e.to_string()))?
                .port();
            if port % 2 != 0 || port == u16::MAX {
                continue;
            }
            let Ok(rtcp) = UdpSocket::bind(format!("{ip}:{}", port + 1)) else {
                continue;
            };
            self.add_pair(track, rtp, rtcp)?;
            return Ok(port);
        }
        Err(Failure::Fatal("no free even UDP port pair".into()))
    }

    /// Starts the readers of `track`'s sockets and keeps them for sending.
    fn add_pair(&mut self, track: TrackId, rtp: UdpSocket, rtcp: UdpSocket) -> Result<(), Failure> {
        for (sock, kind) in [(&rtp, StreamKind::Rtp), (&rtcp, StreamKind::Rtcp)] {
            let s = sock
                .try_clone()
                .map_err(|e| Failure::Fatal(e.to_string()))?;
            let tx = self.tx.clone();
            std::thread::spawn(move || {
                let mut b = vec![0u8; 65_536];
                while let Ok((n, from)) = s.recv_from(&mut b) {
                    let d = Bytes::copy_from_slice(&b[..n]);
                    if tx.send(Input::Datagram(track, kind, from, d)).is_err() {
                        return;
                    }
                }
            });
        }
        if self.udp.len() <= track.0 {
            self.udp.resize_with(track.0 + 1, || None);
        }
        self.udp[track.0] = Some((rtp, rtcp));
        Ok(())
    }

    /// Joins a multicast track's group on its RTP and RTCP ports.
    fn join(&mut self, track: TrackId, transport: TrackTransport) -> Result<(), Failure> {
        let TrackTransport::Multicast {
            group: Some(group),
            rtp_port: Some(rtp_port),
            rtcp_port,
            ..
        } = transport
        else {
            return Err(Failure::Fatal(format!(
                "track {}: the server gave no multicast group and port",
                track.0
            )));
        };
        let rtcp_port = rtcp_port.unwrap_or(rtp_port.wrapping_add(1));
        let bind = |port: u16| -> Result<UdpSocket, Failure> {
            let fail = |e: std::io::Error| Failure::Fatal(format!("{group} port {port}: {e}"));
            match group {
                std::net::IpAddr::V4(g) => {
                    let s =
                        UdpSocket::bind((std::net::Ipv4Addr::UNSPECIFIED, port)).map_err(fail)?;
                    s.join_multicast_v4(&g, &std::net::Ipv4Addr::UNSPECIFIED)
                        .map_err(fail)?;
                    Ok(s)
                }
                std::net::IpAddr::V6(g) => {
                    let s =
                        UdpSocket::bind((std::net::Ipv6Addr::UNSPECIFIED, port)).map_err(fail)?;
                    s.join_multicast_v6(&g, 0).map_err(fail)?;
                    Ok(s)
                }
            }
        };
        let (rtp, rtcp) = (bind(rtp_port)?, bind(rtcp_port)?);
        self.add_pair(track, rtp, rtcp)
    }

    /// Writes what the session wants sent.
    fn flush(&mut self, client: &mut ClientSession) -> Result<(), Failure> {
        while let Some(t) = client.poll_transmit() {
            match t.destination {
                Destination::Control => {
                    if let Err(e) = self.stream.write_all(&t.data) {
                        // A reset connection: the session decides what it means.
                        eprintln!("connection error: {e}");
                        client.handle_close(Instant::now());
                        return Ok(());
                    }
                }
                Destination::Udp { track, kind, port } => {
                    if let Some(Some((rtp, rtcp))) = self.udp.get(track.0) {
                        let sock = if kind == StreamKind::Rtp { rtp } else { rtcp };
                        let _ = sock.send_to(&t.data, SocketAddr::new(self.peer.ip(), port));
                    }
                }
                Destination::Multicast { track, group, port } => {
                    // Receiver reports go to the group.
                    if let Some(Some((_, rtcp))) = self.udp.get(track.0) {
                        let _ = rtcp.send_to(&t.data, SocketAddr::new(group, port));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Waits for input until `deadline` and hands it to the session.
    fn wait(&mut self, client: &mut ClientSession, deadline: Instant) -> Result<(), Failure> {
        let timeout = deadline.saturating_duration_since(Instant::now());
        match self.rx.recv_timeout(timeout) {
            Ok(input) => {
                self.input(client, input)?;
                // Take whatever else is ready without waiting.
                while let Ok(input) = self.rx.try_recv() {
                    self.input(client, input)?;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => client.handle_close(Instant::now()),
        }
        client.handle_timeout(Instant::now());
        Ok(())
    }

    fn input(&mut self, client: &mut ClientSession, input: Input) -> Result<(), Failure> {
        let now = Instant::now();
        match input {
            Input::Stream(b) => {
                self.buf.extend_from_slice(&b);
                client
                    .handle_stream(now, &mut self.buf)
                    .map_err(|e| Failure::Fatal(format!("server sent garbage: {e}")))?;
            }
            Input::Eof(e) => {
                if let Some(e) = e {
                    eprintln!("connection error: {e}");
                }
                client.handle_close(now);
            }
            Input::Datagram(track, kind, from, data) => {
                // The session drops datagrams from other hosts (DatagramSourcePolicy).
                client.handle_datagram(now, track, kind, from, data);
            }
        }
        Ok(())
    }
}

/// Where `--out` goes and how frames are framed there.
struct Output {
    file: std::fs::File,
    track: TrackId,
    adts: Option<AudioSpecificConfig>,
}

impl Output {
    fn write(&mut self, data: &[u8]) -> std::io::Result<()> {
        if let Some(asc) = &self.adts {
            self.file.write_all(&adts_header(asc, data.len()))?;
        }
        self.file.write_all(data)
    }
}

/// The 7-byte ADTS header (ISO/IEC 14496-3 §1.A.2) in front of one raw AAC frame.
fn adts_header(asc: &AudioSpecificConfig, len: usize) -> [u8; 7] {
    let full = len + 7;
    let profile = asc.object_type.saturating_sub(1) & 0x3;
    let sfi = asc.sampling_frequency_index.unwrap_or(4) & 0xf;
    let ch = asc.channel_configuration & 0x7;
    [
        0xff,
        0xf1,
        (profile << 6) | (sfi << 2) | (ch >> 2),
        ((ch & 3) << 6) | ((full >> 11) & 0x3) as u8,
        ((full >> 3) & 0xff) as u8,
        (((full & 7) << 5) as u8) | 0x1f,
        0xfc,
    ]
}

fn open_output(path: &str, client: &ClientSession) -> Result<Output, Failure> {
    let tracks: Vec<_> = client.tracks().collect();
    let pick = tracks
        .iter()
        .position(|t| t.media.kind == MediaKind::Video)
        .or_else(|| tracks.iter().position(|t| t.media.kind == MediaKind::Audio))
        .ok_or_else(|| Failure::Fatal("no audio or video track to write".into()))?;
    let t = &tracks[pick];
    let adts = match t.encoding_name().map(str::to_ascii_uppercase).as_deref() {
        Some("MPEG4-GENERIC") => t
            .media
            .fmtp()
            .and_then(|f| f.get("config"))
            .and_then(|c| AudioSpecificConfig::from_hex(c).ok()),
        _ => None,
    };
    let file = std::fs::File::create(path).map_err(|e| Failure::Fatal(format!("{path}: {e}")))?;
    Ok(Output {
        file,
        track: TrackId(pick),
        adts,
    })
}

fn status_failure(what: &str, status: StatusCode, reason: &str) -> Failure {
    let msg = format!("{what} failed: {} {reason}", status.as_u16());
    if status == StatusCode::UNSUPPORTED_TRANSPORT || (what == "SETUP" && !status.is_success()) {
        Failure::Transport(msg)
    } else {
        Failure::Fatal(msg)
    }
}

fn config(args: &Args, url: &str) -> ClientConfig {
    let mut config = ClientConfig::default();
    // Frames only: without packet events, single-NAL-unit video frames are the received
    // bytes themselves (no copy).
    config.emit_packets = false;
    // Sender reports (publishing) carry wall-clock time.
    config.ntp_origin = Some((
        Instant::now(),
        rtsp_proto::time::NtpTimestamp::from_system_time(std::time::SystemTime::now()),
    ));
    if args.rtsp2 {
        config.version = rtsp_proto::Version::V2_0;
        config.pipelined_requests = args.pipeline;
    }
    // Keep the credentials of the original URL across redirects.
    if rtsp_proto::auth::UserCredentials::from_url(url).is_none() {
        config.credentials = rtsp_proto::auth::UserCredentials::from_url(&args.url);
    }
    config
}

/// Plays `url` on a new connection. A session the previous attempt left at the server
/// (`stale`) is torn down first; the one this attempt leaves (it failed without
/// TEARDOWN) is put there for the next.
fn play(
    args: &Args,
    url: &str,
    lower: Lower,
    stale: &mut Option<StaleSession>,
) -> Result<(), Failure> {
    let mut io = Io::connect(args, url)?;
    let mut client = ClientSession::new(url, config(args, url))
        .map_err(|e| Failure::Fatal(format!("{url}: {e}")))?;
    client.set_server_addr(io.peer.ip());
    if let Some(old) = stale.take() {
        // A live555 before 2017.06.04 would keep sending its data otherwise.
        println!("tearing down the stale session {}", old.id);
        client
            .teardown_stale(Instant::now(), &old)
            .map_err(|e| Failure::Fatal(e.to_string()))?;
    }
    let result = drive_play(args, lower, &mut io, &mut client);
    // Abandoning the connection ends the session here; what the server may keep is the
    // next attempt's to tear down.
    client.handle_close(Instant::now());
    *stale = client.stale_session();
    result
}

fn drive_play(
    args: &Args,
    lower: Lower,
    io: &mut Io,
    client: &mut ClientSession,
) -> Result<(), Failure> {
    let mut used = "?";
    client
        .options(Instant::now())
        .map_err(|e| Failure::Fatal(e.to_string()))?;
    let mut next_setup = 0usize;
    let mut out: Option<Output> = None;
    let mut playing_since: Option<Instant> = None;
    let mut tearing_down = false;
    let mut last_stats = Instant::now();
    let mut prev_bytes: Vec<u64> = Vec::new();

    loop {
        io.flush(client)?;
        while let Some(ev) = client.poll_event() {
            let now = Instant::now();
            let fail = |e: rtsp_proto::client::ClientError| Failure::Fatal(e.to_string());
            match ev {
                ClientEvent::Response {
                    method, response, ..
                } => {
                    let (status, reason) = (response.status, response.reason().into_owned());
                    let m = method.as_str().to_owned();
                    // Any answer to TEARDOWN ends the session (the Closed event follows).
                    if !status.is_success() && m != "OPTIONS" && m != "TEARDOWN" {
                        return Err(status_failure(&m, status, &reason));
                    }
                    match m.as_str() {
                        "OPTIONS" => {
                            client.describe(now).map_err(fail)?;
                        }
                        "SETUP" => {
                            next_setup += 1;
                        }
                        "PLAY" => {
                            playing_since = Some(now);
                            println!("playing over {used} ({})", response.version);
                        }
                        _ => {}
                    }
                    let pipelined = args.pipeline && response.version == rtsp_proto::Version::V2_0;
                    if pipelined && m == "DESCRIBE" {
                        // RFC 7826 §16.3: every SETUP and the PLAY at once.
                        let tracks = client.tracks().len();
                        for i in 0..tracks {
                            let transport = match lower {
                                Lower::Tcp => SetupTransport::Tcp,
                                Lower::Udp => SetupTransport::Udp {
                                    client_port: io.bind_pair(TrackId(i))?,
                                },
                                Lower::Auto => SetupTransport::TcpThenUdp {
                                    client_port: io.bind_pair(TrackId(i))?,
                                },
                                Lower::Multicast => SetupTransport::Multicast,
                            };
                            client.setup(now, TrackId(i), transport).map_err(fail)?;
                        }
                        client
                            .play(
                                now,
                                PlayOptions::default().with_range(Range::npt_from(Duration::ZERO)),
                            )
                            .map_err(fail)?;
                        println!("pipelined {tracks} SETUP(s) and PLAY");
                    } else if pipelined && m == "SETUP" {
                    } else if m == "SETUP" || m == "DESCRIBE" {
                        if next_setup < client.tracks().len() {
                            let transport = match lower {
                                Lower::Tcp => SetupTransport::Tcp,
                                Lower::Udp => SetupTransport::Udp {
                                    client_port: io.bind_pair(TrackId(next_setup))?,
                                },
                                Lower::Auto => SetupTransport::TcpThenUdp {
                                    client_port: io.bind_pair(TrackId(next_setup))?,
                                },
                                Lower::Multicast => SetupTransport::Multicast,
                            };
                            client
                                .setup(now, TrackId(next_setup), transport)
                                .map_err(fail)?;
                        } else {
                            client
                                .play(
                                    now,
                                    PlayOptions::default()
                                        .with_range(Range::npt_from(Duration::ZERO)),
                                )
                                .map_err(fail)?;
                        }
                    }
                }
                ClientEvent::Described { tracks } => {
                    if tracks == 0 {
                        return Err(Failure::Fatal("the description has no usable track".into()));
                    }
                    println!("{} track(s) at {}:", tracks, client.url());
                    for (i, t) in client.tracks().enumerate() {
                        println!(
                            "  track {i}: {} {} {} Hz{} control {}",
                            t.media.kind.as_str(),
                            t.encoding_name().unwrap_or("?"),
                            t.clock_rate(),
                            t.media
                                .channels()
                                .map_or(String::new(), |c| format!(" {c} ch")),
                            t.control
                        );
                    }
                    prev_bytes = vec![0; tracks];
                    if let Some(path) = &args.out {
                        out = Some(open_output(path, client)?);
                    }
                }
                ClientEvent::TrackSetUp { track, transport } => {
                    used = match transport {
                        TrackTransport::Interleaved { .. } => "Tcp",
                        TrackTransport::Multicast { .. } => {
                            io.join(track, transport)?;
                            "Multicast"
                        }
                        _ => "Udp",
                    };
                    println!("  track {} set up: {transport:?}", track.0);
                }
                ClientEvent::Redirected { location } => {
                    return Err(Failure::Redirect(location));
                }
                ClientEvent::NoMedia { track } => {
                    return Err(Failure::Transport(format!(
                        "no media on track {} over UDP",
                        track.0
                    )));
                }
                ClientEvent::Frame { track, frame, .. } => {
                    if let Some(o) = out.as_mut().filter(|o| o.track == track) {
                        o.write(&frame.data)
                            .map_err(|e| Failure::Fatal(format!("write output: {e}")))?;
                    }
                }

                // A closing session fails what was in flight; `Closed` says why.
                ClientEvent::RequestTimedOut { .. } if client.state() == State::Closed => {}
                ClientEvent::RequestTimedOut { method, .. } => {
                    return Err(Failure::Transport(format!("{method} timed out")));
                }
                ClientEvent::Diagnostic(d) => eprintln!("diagnostic: {d:?}"),
                ClientEvent::Closed { error: None } => {
                    println!("closed after TEARDOWN");
                    return Ok(());
                }
                ClientEvent::Closed {
                    error: Some(ClientError::Rtsp2Refused),
                } => return Err(Failure::Rtsp2Refused),
                ClientEvent::Closed { error: Some(e) } => {
                    return Err(Failure::Fatal(format!("session closed: {e}")));
                }
                _ => {}
            }
        }
        let now = Instant::now();
        if let Some(since) = playing_since {
            if now.duration_since(last_stats) >= Duration::from_secs(1) {
                print_stats(client, &mut prev_bytes, now.duration_since(last_stats));
                last_stats = now;
            }
            let done = args
                .duration
                .is_some_and(|d| now.duration_since(since) >= d)
                || INTERRUPTED.load(Ordering::SeqCst);
            if done && !tearing_down {
                if INTERRUPTED.load(Ordering::SeqCst) {
                    println!("interrupted: TEARDOWN");
                }
                tearing_down = true;
                print_stats(
                    client,
                    &mut prev_bytes,
                    now.duration_since(last_stats).max(Duration::from_millis(1)),
                );
                client
                    .teardown(now)
                    .map_err(|e| Failure::Fatal(e.to_string()))?;
                continue;
            }
        } else if INTERRUPTED.load(Ordering::SeqCst) && !tearing_down {
            // Before PLAY: tear down what is set up (without a session it closes at once).
            println!("interrupted: TEARDOWN");
            tearing_down = true;
            client
                .teardown(now)
                .map_err(|e| Failure::Fatal(e.to_string()))?;
            continue;
        }
        let mut deadline = client
            .poll_timeout()
            .unwrap_or(now + Duration::from_secs(1));
        deadline = deadline.min(now + Duration::from_millis(250));
        io.wait(client, deadline)?;
    }
}

fn print_stats(client: &ClientSession, prev: &mut [u64], elapsed: Duration) {
    let mut line = String::from("stats:");
    for i in 0..client.tracks().len() {
        let Some(s) = client.track_stats(TrackId(i)) else {
            continue;
        };
        let before = prev.get(i).copied().unwrap_or(0);
        let kbps = (s.bytes.saturating_sub(before)) as f64 * 8.0 / elapsed.as_secs_f64() / 1000.0;
        if let Some(p) = prev.get_mut(i) {
            *p = s.bytes;
        }
        line.push_str(&format!(
            "  [{i}] {} pkts {} lost {:.1} ms jitter {:.0} kbit/s {} frames",
            s.packets,
            s.lost,
            s.jitter * 1000.0,
            kbps,
            s.frames
        ));
    }
    println!("{line}");
}

/// Splits an Annex B byte stream into NAL units (without start codes).
fn nal_units(data: &[u8]) -> Vec<&[u8]> {
    let mut starts = Vec::new();
    let mut i = 0;
    while i + 3 <= data.len() {
        if data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1 {
            starts.push(i + 3);
            i += 3;
        } else {
            i += 1;
        }
    }
    let mut out = Vec::new();
    for (k, &s) in starts.iter().enumerate() {
        let mut end = starts.get(k + 1).map_or(data.len(), |&n| n - 3);
        while end > s && data[end - 1] == 0 {
            end -= 1; // trailing zero of a four-byte start code
        }
        if end > s {
            out.push(&data[s..end]);
        }
    }
    out
}

/// Groups NAL units into access units (ITU-T H.264 §7.4.1.2.3): a new one starts at an
/// AUD, SPS, PPS or SEI after a picture, or at a slice with `first_mb_in_slice == 0`.
fn access_units<'a>(nals: &[&'a [u8]]) -> Vec<Vec<&'a [u8]>> {
    let mut aus: Vec<Vec<&[u8]>> = Vec::new();
    let mut cur: Vec<&[u8]> = Vec::new();
    let mut has_vcl = false;
    for &n in nals {
        let t = n[0] & 0x1f;
        let vcl = t == 1 || t == 5;
        let first_slice = vcl && n.get(1).is_some_and(|b| b & 0x80 != 0);
        let starts_new = has_vcl && (matches!(t, 6..=9) || first_slice);
        if starts_new {
            aus.push(std::mem::take(&mut cur));
            has_vcl = false;
        }
        cur.push(n);
        has_vcl |= vcl;
    }
    if !cur.is_empty() {
        aus.push(cur);
    }
    aus
}

fn b64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= c.len() {
                s.push(T[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

fn publish(args: &Args, lower: Lower) -> Result<(), Failure> {
    let path = args.input.as_deref().unwrap_or_default();
    let data = std::fs::read(path).map_err(|e| Failure::Fatal(format!("{path}: {e}")))?;
    let nals = nal_units(&data);
    let aus = access_units(&nals);
    let sps = nals.iter().find(|n| n[0] & 0x1f == 7);
    let pps = nals.iter().find(|n| n[0] & 0x1f == 8);
    let (Some(sps), Some(pps)) = (sps, pps) else {
        return Err(Failure::Fatal(format!(
            "{path}: no SPS/PPS, not an H.264 Annex B stream"
        )));
    };
    let profile = sps
        .get(1..4)
        .map(|p| format!("{:02X}{:02X}{:02X}", p[0], p[1], p[2]))
        .unwrap_or_else(|| "42C01E".into());
    let sdp = format!(
        "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=rtsp-proto publish\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n\
         m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n\
         a=fmtp:96 packetization-mode=1;profile-level-id={profile};sprop-parameter-sets={},{}\r\n\
         a=control:streamid=0\r\n",
        b64(sps),
        b64(pps)
    );
    println!(
        "publishing {} access units from {path} at {} fps over {lower:?}",
        aus.len(),
        args.fps
    );
    let mut io = Io::connect(args, &args.url)?;
    let mut client = ClientSession::new(&args.url, config(args, &args.url))
        .map_err(|e| Failure::Fatal(format!("{}: {e}", args.url)))?;
    client.set_server_addr(io.peer.ip());
    let fail = |e: rtsp_proto::client::ClientError| Failure::Fatal(e.to_string());
    client
        .announce(Instant::now(), Bytes::from(sdp))
        .map_err(fail)?;
    let mut packetizer = H264Packetizer::new(H264PacketizerConfig::default())
        .map_err(|e| Failure::Fatal(e.to_string()))?;
    let mut recording_since: Option<Instant> = None;
    let mut next_au = 0usize;
    let mut seq: u16 = 0;
    let mut tearing_down = false;
    let ssrc = client.ssrc();
    loop {
        io.flush(&mut client)?;
        while let Some(ev) = client.poll_event() {
            let now = Instant::now();
            match ev {
                ClientEvent::Response {
                    method, response, ..
                } => {
                    let m = method.as_str().to_owned();
                    if !response.status.is_success() && m != "TEARDOWN" {
                        return Err(status_failure(&m, response.status, &response.reason()));
                    }
                    match m.as_str() {
                        "ANNOUNCE" => {
                            let transport = match lower {
                                Lower::Tcp | Lower::Auto => SetupTransport::Tcp,
                                Lower::Multicast => {
                                    return Err(Failure::Fatal(
                                        "publishing goes over tcp or udp, not multicast".into(),
                                    ))
                                }
                                Lower::Udp => SetupTransport::Udp {
                                    client_port: io.bind_pair(TrackId(0))?,
                                },
                            };
                            client.setup(now, TrackId(0), transport).map_err(fail)?;
                        }
                        "SETUP" => {
                            client.record(now).map_err(fail)?;
                        }
                        "RECORD" => {
                            println!("recording");
                            recording_since = Some(now);
                        }
                        _ => {}
                    }
                }
                ClientEvent::RequestTimedOut { .. } if client.state() == State::Closed => {}
                ClientEvent::RequestTimedOut { method, .. } => {
                    return Err(Failure::Fatal(format!("{method} timed out")));
                }
                ClientEvent::Diagnostic(d) => eprintln!("diagnostic: {d:?}"),
                ClientEvent::Closed { error: None } => {
                    println!("sent {next_au} access units; closed after TEARDOWN");
                    return Ok(());
                }
                ClientEvent::Closed {
                    error: Some(ClientError::Rtsp2Refused),
                } => return Err(Failure::Rtsp2Refused),
                ClientEvent::Closed { error: Some(e) } => {
                    return Err(Failure::Fatal(format!("session closed: {e}")));
                }
                _ => {}
            }
        }
        let now = Instant::now();
        let mut deadline = client
            .poll_timeout()
            .unwrap_or(now + Duration::from_secs(1));
        if recording_since.is_none() && INTERRUPTED.load(Ordering::SeqCst) && !tearing_down {
            println!("interrupted: TEARDOWN");
            tearing_down = true;
            client.teardown(now).map_err(fail)?;
            continue;
        }
        if let Some(since) = recording_since {
            // Send every access unit that is due (real-time pacing).
            loop {
                let due = since + Duration::from_secs_f64(next_au as f64 / args.fps);
                if next_au >= aus.len() || due > now {
                    if next_au < aus.len() {
                        deadline = deadline.min(due);
                    }
                    break;
                }
                let mut frame = Vec::new();
                for n in &aus[next_au] {
                    frame.extend_from_slice(&[0, 0, 0, 1]);
                    frame.extend_from_slice(n);
                }
                let ts = (next_au as f64 * 90_000.0 / args.fps) as u32;
                let mut packets: Vec<Vec<u8>> = Vec::new();
                packetizer
                    .packetize(ts, &frame, &mut |p| {
                        let payload = p.to_bytes();
                        let mut buf = BytesMut::new();
                        let built =
                            RtpBuilder::new(PayloadType::from_static(96), seq, p.timestamp, ssrc)
                                .marker(p.marker)
                                .payload(&payload)
                                .append_to(&mut buf);
                        if built.is_ok() {
                            packets.push(buf.to_vec());
                        }
                        seq = seq.wrapping_add(1);
                    })
                    .map_err(|e| Failure::Fatal(format!("access unit {next_au}: {e}")))?;
                for p in &packets {
                    client.send_rtp(now, TrackId(0), p).map_err(fail)?;
                }
                io.flush(&mut client)?;
                next_au += 1;
            }
            let interrupted = INTERRUPTED.load(Ordering::SeqCst);
            if (next_au >= aus.len() || interrupted) && !tearing_down {
                if interrupted {
                    println!("interrupted: TEARDOWN");
                }
                tearing_down = true;
                client.teardown(now).map_err(fail)?;
                continue;
            }
        }
        deadline = deadline.min(now + Duration::from_millis(250));
        io.wait(&mut client, deadline)?;
    }
}
