//! The check behind the `server_bytes` fuzz target, shared with the corpus replay test
//! (`tests/server_fuzz_corpus.rs`).
//!
//! The input is a script: each operation byte picks an action (bytes on a connection, a
//! well-formed request built from the next bytes, a jump of the virtual clock, the
//! application's answers, media, datagrams, closing and reopening connections, removing a
//! mount), so the fuzzer reaches deep session states as well as the parser. After every
//! step the server's invariants are checked: no panic, every queue within its limit,
//! every byte of output decodes, the timer never lags behind `now`, every session has an
//! expiry timer, pending requests are bounded; and at the end every session expires once
//! time runs on without input, every request has been answered, and no UDP source or
//! mount attachment is left.

use bytes::{Bytes, BytesMut};
use rand::rngs::StdRng;
use rand::SeedableRng;
use rtsp_proto::auth::{ServerAuthenticator, UserCredentials};
use rtsp_proto::codec::g711::{G711Config, G711Packetizer};
use rtsp_proto::header::Range;
use rtsp_proto::message::Decoder;
use rtsp_proto::server::{
    ConnectionId, MediaSocket, MountId, MountMedia, MulticastConfig, RequestKind, Server,
    ServerConfig, ServerEvent, ServerLimits, TrackConfig, TrackId, UdpPorts,
};
use rtsp_proto::StatusCode;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const MAX_OUTPUT: usize = 16 * 1024;
const MAX_SESSIONS: usize = 8;
const MAX_TRANSMITS: usize = 256;
const MAX_EVENTS: usize = 64;

struct Cursor<'a> {
    data: &'a [u8],
}

impl Cursor<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (b, rest) = self.data.split_first()?;
        self.data = rest;
        Some(*b)
    }
    fn take(&mut self, n: usize) -> &[u8] {
        let n = n.min(self.data.len());
        let (a, b) = self.data.split_at(n);
        self.data = b;
        a
    }
}

fn track(control: &str) -> TrackConfig {
    let mut t = TrackConfig::new(control, 0, 8000);
    if let Ok(p) = G711Packetizer::new(&G711Config::pcmu(), 400) {
        t = t.with_packetizer(Box::new(p));
    }
    t
}

struct Conn {
    id: ConnectionId,
    decoder: Decoder,
    buf: BytesMut,
    /// The last session id this connection was given.
    token: Option<String>,
    /// A slow reader: its output is not taken.
    stalled: bool,
}

fn peer(i: u8) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 40_000 + u16::from(i)))
}

/// What a script reached, for the corpus test to check that the seeds go deep.
#[derive(Debug, Default, Clone, Copy)]
pub struct Reached {
    /// Responses with status 200.
    pub ok_responses: usize,
    /// Interleaved frames received by clients.
    pub frames: usize,
    /// Most players of all mounts at once.
    pub players: usize,
    /// RTP/RTCP events from publishers.
    pub media_events: usize,
    /// Connections closed by the server.
    pub closed: usize,
    /// UDP datagrams sent.
    pub transmits: usize,
}

/// Drains and checks everything a connection has queued.
fn drain(server: &mut Server, c: &mut Conn, reached: &mut Reached) {
    while let Some(b) = server.poll_stream_output(c.id) {
        c.buf.extend_from_slice(&b);
    }
    loop {
        match c.decoder.decode(&mut c.buf) {
            Ok(Some(rtsp_proto::Message::Response(r))) => {
                if r.status == StatusCode::OK {
                    reached.ok_responses += 1;
                }
                if let Some(Ok(s)) = r.headers.typed::<rtsp_proto::header::Session>() {
                    c.token = Some(s.id);
                }
            }
            Ok(Some(rtsp_proto::Message::Data(_))) => reached.frames += 1,
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => panic!("server output does not decode: {e}"),
        }
    }
}

const METHODS: [&str; 10] = [
    "OPTIONS",
    "DESCRIBE",
    "SETUP",
    "PLAY",
    "PAUSE",
    "TEARDOWN",
    "GET_PARAMETER",
    "RECORD",
    "ANNOUNCE",
    "SET_PARAMETER",
];
const URLS: [&str; 6] = [
    "rtsp://127.0.0.1:8554/a",
    "rtsp://127.0.0.1:8554/a/t0",
    "rtsp://127.0.0.1:8554/a/t1",
    "rtsp://127.0.0.1:8554/b/",
    "rtsp://127.0.0.1:8554/new",
    "*",
];
const TRANSPORTS: [&str; 6] = [
    "RTP/AVP/TCP;unicast;interleaved=0-1",
    "RTP/AVP/TCP;unicast;interleaved=2-3;mode=record",
    "RTP/AVP;unicast;client_port=5000-5001",
    "RTP/AVP;unicast;client_port=5002-5003;mode=record",
    "RTP/AVP;multicast",
    "RTP/AVP/UDP;unicast;dest_addr=\":6000\"/\":6001\"",
];

/// A request built from three bytes: method, URL, transport/options.
fn request(c: &Conn, cseq: u32, m: u8, u: u8, t: u8) -> Vec<u8> {
    let method = METHODS[usize::from(m) % METHODS.len()];
    let url = URLS[usize::from(u) % URLS.len()];
    let version = if t & 0x80 != 0 {
        "RTSP/2.0"
    } else {
        "RTSP/1.0"
    };
    let mut s = format!("{method} {url} {version}\r\nCSeq: {cseq}\r\n");
    if t & 0x40 != 0 {
        if let Some(tok) = &c.token {
            s.push_str(&format!("Session: {tok}\r\n"));
        }
    }
    if t & 0x20 != 0 {
        s.push_str("Pipelined-Requests: 7\r\n");
    }
    if method == "SETUP" {
        let tr = TRANSPORTS[usize::from(t & 0x7) % TRANSPORTS.len()];
        s.push_str(&format!("Transport: {tr}\r\n"));
    }
    let body = if method == "ANNOUNCE" || (t & 0x10 != 0) {
        "v=0\r\nm=audio 0 RTP/AVP 0\r\na=control:t0\r\n"
    } else {
        ""
    };
    if method == "ANNOUNCE" {
        s.push_str("Content-Type: application/sdp\r\n");
    }
    if !body.is_empty() {
        s.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    s.push_str("\r\n");
    s.push_str(body);
    s.into_bytes()
}

/// Runs one script.
pub fn check_server_bytes(data: &[u8]) -> Reached {
    let mut reached = Reached::default();
    let mut cur = Cursor { data };
    let flags = cur.byte().unwrap_or(0);
    #[allow(clippy::disallowed_methods)]
    let start = Instant::now();
    let mut now = start;
    let mut limits = ServerLimits::default();
    limits.max_output_bytes = MAX_OUTPUT;
    limits.max_sessions = MAX_SESSIONS;
    limits.max_pending_transmits = MAX_TRANSMITS;
    limits.max_events = MAX_EVENTS;
    limits.max_pending_requests = 4;
    limits.max_connections = 4;
    let mut config = ServerConfig::default();
    config.rng = Box::new(StdRng::seed_from_u64(u64::from(flags)));
    config.limits = limits;
    config.udp_ports = Some(UdpPorts {
        rtp: 8000,
        rtcp: 8001,
    });
    config.multicast = Some(MulticastConfig::default());
    config.session_timeout = Duration::from_secs(10);
    if flags & 1 != 0 {
        let mut rng = StdRng::seed_from_u64(1);
        let mut auth = ServerAuthenticator::new("fuzz", start, &mut rng);
        auth.add_user(UserCredentials::new("u", "p"));
        config.authenticator = Some(auth.with_basic(true));
    }
    let timeout = config.session_timeout;
    let mut server = Server::new(config);
    let a = server.add_mount("/a", vec![track("t0"), track("t1")]);
    let b = server.add_mount("/b", vec![track("t0")]);
    // `/b` is on-demand media (seekable or not), `/a` live.
    if let Ok(b) = b {
        let media =
            MountMedia::on_demand(Some(Duration::from_secs(30))).with_seeking(flags & 2 != 0);
        server.set_mount_media(b, media).unwrap();
    }
    let mut mounts: Vec<MountId> = [a, b].into_iter().flatten().collect();
    let mut conns: Vec<Conn> = Vec::new();
    let mut cseq = 1u32;
    let mut pending = Vec::new();
    let mut rtp_time = 0u32;

    while let Some(op) = cur.byte() {
        let k = usize::from(op >> 4);
        match op & 0x0f {
            0 | 1 => {
                // Raw bytes on a connection.
                let n = usize::from(cur.byte().unwrap_or(0)) * 4;
                let bytes = cur.take(n).to_vec();
                if let Some(c) = conns.get(k % conns.len().max(1)) {
                    let mut buf = BytesMut::from(&bytes[..]);
                    server.handle_stream(now, c.id, &mut buf);
                    assert!(buf.len() <= bytes.len());
                }
            }
            2 | 3 => {
                let (m, u, t) = (
                    cur.byte().unwrap_or(0),
                    cur.byte().unwrap_or(0),
                    cur.byte().unwrap_or(0),
                );
                if let Some(c) = conns.get(k % conns.len().max(1)) {
                    let req = request(c, cseq, m, u, t);
                    cseq = cseq.wrapping_add(1);
                    let mut buf = BytesMut::from(&req[..]);
                    server.handle_stream(now, c.id, &mut buf);
                    // Earlier raw bytes may have left the decoder inside a message, so
                    // the request may be (partly) taken as its continuation.
                    assert!(buf.len() <= req.len());
                }
            }
            4 => {
                let step = u64::from(cur.byte().unwrap_or(0));
                now += if k & 1 == 0 {
                    Duration::from_millis(step * 10)
                } else {
                    Duration::from_secs(step)
                };
                server.handle_timeout(now);
            }
            5 => {
                // The application answers what is pending, each in a way the script picks.
                for req in pending.drain(..) {
                    let how = cur.byte().unwrap_or(0);
                    let _ = match (how % 4, &req) {
                        (0, _) => server.reject(now, req, StatusCode::NOT_FOUND),
                        (1, _) => server.respond_describe(now, req, "v=0\r\nt=0 0\r\n"),
                        (2, _) => server.respond_parameters(now, req, "a: 1\r\n"),
                        // A PLAY answered at a scale, extreme ones included (positions
                        // saturate, never panic).
                        _ if how & 0xc0 == 0xc0 => {
                            let scale = [2.0, -1.0, 0.5, -0.25, f64::MAX, -f64::MAX, 1e-300, 0.0]
                                [usize::from(how & 7)];
                            server
                                .respond_play_scaled(now, req, None, scale)
                                .or_else(|_| server.accept_request(now, req))
                        }
                        // A PLAY answered with the range the application plays.
                        _ if how & 0x80 != 0 => server
                            .respond_play(
                                now,
                                req,
                                Range::npt_from(Duration::from_secs(u64::from(how & 0x3f))),
                            )
                            .or_else(|_| server.accept_request(now, req)),
                        _ => server.accept_request(now, req),
                    };
                }
            }
            6 => {
                if let Some(&m) = mounts.get(k % mounts.len().max(1)) {
                    let t = TrackId(usize::from(op >> 7));
                    let len = usize::from(cur.byte().unwrap_or(0)) * 8;
                    rtp_time = rtp_time.wrapping_add(160);
                    let _ = server.send_frame(now, m, t, rtp_time, &vec![0x55; len]);
                    let pkt = [0x80, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xff];
                    let _ = server.send_rtp(now, m, t, &pkt);
                }
            }
            7 => {
                let port = [5000, 5001, 5002, 5003, 6000, 6001, 1, 2][k % 8];
                let from = SocketAddr::from(([127, 0, 0, 1], port));
                let socket = if k & 8 != 0 {
                    MediaSocket::Rtcp
                } else {
                    MediaSocket::Rtp
                };
                let n = usize::from(cur.byte().unwrap_or(0));
                let payload = Bytes::copy_from_slice(cur.take(n));
                server.handle_datagram(now, socket, from, payload);
            }
            8 if conns.len() < 4 => {
                if let Ok(id) = server.accept(now, peer(op), "127.0.0.1:8554".parse().unwrap()) {
                    conns.push(Conn {
                        id,
                        decoder: Decoder::new(),
                        buf: BytesMut::new(),
                        token: None,
                        stalled: false,
                    });
                }
            }
            9 if !conns.is_empty() => {
                let c = conns.remove(k % conns.len());
                if op & 0x80 != 0 {
                    server.close_connection(now, c.id);
                } else {
                    server.connection_closed(now, c.id);
                }
            }
            10 => {
                if let Some(m) = mounts.get(k % mounts.len().max(1)).copied() {
                    let _ = server.remove_mount(now, m);
                    mounts.retain(|x| *x != m);
                }
            }
            11 => {
                // A connection stops (or resumes) reading.
                let n = conns.len().max(1);
                if let Some(c) = conns.get_mut(k % n) {
                    c.stalled = !c.stalled;
                }
            }
            _ => {}
        }
        check(
            &mut server,
            &mut conns,
            &mut pending,
            &mut mounts,
            &mut reached,
        );
    }

    // Time runs on without input: every session expires, every timer ends.
    for _ in 0..4 {
        now += timeout + Duration::from_secs(1);
        server.handle_timeout(now);
        check(
            &mut server,
            &mut conns,
            &mut pending,
            &mut mounts,
            &mut reached,
        );
    }
    assert_eq!(server.session_count(), 0, "a session outlived its timeout");
    let mut n = 0;
    while let Some(at) = server.poll_timeout() {
        assert!(at > now, "timer behind now");
        now = at;
        server.handle_timeout(now);
        check(
            &mut server,
            &mut conns,
            &mut pending,
            &mut mounts,
            &mut reached,
        );
        n += 1;
        assert!(n < 100, "timers go on without sessions");
    }
    // Every request was answered (by the application or by the answer timeout) or went
    // with its connection; nothing points at an ended session.
    assert_eq!(
        server.pending_request_count(),
        0,
        "a request never answered"
    );
    assert_eq!(
        server.udp_source_count(),
        0,
        "UDP sources of ended sessions"
    );
    for m in mounts.iter() {
        if let Some((sessions, sinks)) = server.mount_attachments(*m) {
            assert_eq!((sessions, sinks), (0, 0), "a mount keeps ended sessions");
        }
    }
    reached
}

fn check(
    server: &mut Server,
    conns: &mut Vec<Conn>,
    pending: &mut Vec<rtsp_proto::server::RequestId>,
    mounts: &mut Vec<MountId>,
    reached: &mut Reached,
) {
    let players: usize = mounts.iter().map(|m| server.players(*m)).sum();
    reached.players = reached.players.max(players);
    assert!(server.session_count() <= MAX_SESSIONS);
    assert!(server.connection_count() <= 4);
    if server.session_count() > 0 {
        assert!(server.poll_timeout().is_some(), "a session without expiry");
    }
    // Every session has its own expiry timer.
    assert!(
        server.timer_count() >= server.session_count(),
        "{} timers for {} sessions",
        server.timer_count(),
        server.session_count()
    );
    // Requests awaiting the application are bounded per connection (and each has an
    // answer deadline, checked at the end).
    assert!(
        server.pending_request_count()
            <= server.connection_count() * server.config().limits.max_pending_requests
    );
    let mut events = 0;
    while let Some(e) = server.poll_event() {
        events += 1;
        assert!(events <= MAX_EVENTS + 64, "event queue unbounded");
        match e {
            ServerEvent::Request(r) => {
                if let RequestKind::Announce { .. } = r.kind {
                    if server.mount_at(&r.path).is_none() {
                        if let Ok(m) = server.add_mount(&r.path, vec![track("t0")]) {
                            mounts.push(m);
                        }
                    }
                }
                pending.push(r.id);
            }
            ServerEvent::ConnectionClosed { conn, .. } => {
                reached.closed += 1;
                conns.retain(|c| c.id != conn);
            }
            ServerEvent::Rtp { .. } | ServerEvent::Rtcp { .. } => reached.media_events += 1,
            _ => {}
        }
    }
    let mut tx = 0;
    while server.poll_transmit().is_some() {
        tx += 1;
    }
    assert!(tx <= MAX_TRANSMITS);
    reached.transmits += tx;
    while server.poll_writable().is_some() {}
    for c in conns.iter_mut() {
        assert!(server.stream_output_len(c.id) <= MAX_OUTPUT);
        if !c.stalled {
            drain(server, c, reached);
        }
    }
}
