//! Simulation: 240 scripted RTSP clients against one `Server`, in memory, with a
//! virtual clock, delayed and arbitrarily split TCP bytes, UDP loss and reordering, slow
//! readers, dropped connections, silent clients that time out, and publishers whose
//! streams are relayed. At the end nothing leaks: no session, no connection, no timer.
//!
//! (The crate has no client state machine yet, so the clients here speak RTSP from
//! scripts; the requests have the shape ffmpeg and GStreamer send.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)]

use bytes::{Bytes, BytesMut};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rtsp_proto::codec::g711::{G711Config, G711Packetizer};
use rtsp_proto::header::Session;
use rtsp_proto::message::{Decoder, Message};
use rtsp_proto::rtp::RtpPacket;
use rtsp_proto::server::{
    CloseReason, ConnectionId, MediaSocket, MountId, RequestKind, Server, ServerConfig,
    ServerEvent, ServerLimits, SessionEndReason, TrackConfig, TrackId, UdpPorts,
};
use rtsp_proto::StatusCode;
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Plays over TCP, keeps alive with GET_PARAMETER, then TEARDOWN.
    TcpPlayer,
    /// Plays over UDP, keeps alive with RTCP RRs, then TEARDOWN.
    UdpPlayer,
    /// Plays over TCP, then the connection drops.
    Dropper,
    /// Plays over UDP, then goes silent (no TEARDOWN, no RTCP) but keeps the connection.
    Silent,
    /// Plays over TCP and stops reading once it plays.
    SlowReader,
    /// Publishes over TCP, then disconnects.
    Publisher,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    NotStarted,
    Options,
    Describe,
    Setup,
    Play,
    Playing,
    Announce,
    Record,
    Recording,
    Teardown,
    Done,
}

struct Client {
    kind: Kind,
    conn: Option<ConnectionId>,
    phase: Phase,
    start: Instant,
    end: Instant,
    cseq: u32,
    /// CSeqs of requests sent and not yet answered, in order.
    waiting: VecDeque<u32>,
    token: Option<String>,
    /// Bytes on their way to the server: (delivery time, bytes).
    up: VecDeque<(Instant, Vec<u8>)>,
    /// Bytes on their way from the server.
    down: VecDeque<(Instant, Bytes)>,
    inbox: BytesMut,
    decoder: Decoder,
    udp_port: u16,
    path: String,
    last_seq: Option<u16>,
    rtp: usize,
    gaps: usize,
    next_keepalive: Instant,
    closed_by_server: Option<CloseReason>,
    failures: Vec<String>,
}

fn req(method: &str, url: &str, cseq: u32, extra: &str, body: &str) -> Vec<u8> {
    let mut s = format!("{method} {url} RTSP/1.0\r\nCSeq: {cseq}\r\nUser-Agent: sim\r\n{extra}");
    if !body.is_empty() {
        s.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    s.push_str("\r\n");
    s.push_str(body);
    s.into_bytes()
}

const SDP: &str = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=sim\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\na=control:trackID=0\r\n";

struct World {
    server: Server,
    now: Instant,
    rng: StdRng,
    clients: Vec<Client>,
    by_conn: HashMap<ConnectionId, usize>,
    by_port: HashMap<u16, usize>,
    test_mount: MountId,
    publisher_mounts: HashMap<String, MountId>,
    /// Sessions ended by the server, by reason.
    ended: HashMap<SessionEndReason, usize>,
    udp_loss: f64,
}

impl World {
    fn send(&mut self, i: usize, bytes: Vec<u8>) {
        let delay = Duration::from_millis(self.rng.random_range(0..40));
        let c = &mut self.clients[i];
        let at =
            c.up.back()
                .map_or(self.now, |(t, _)| *t)
                .max(self.now + delay);
        c.up.push_back((at, bytes));
    }

    fn request(&mut self, i: usize, method: &str, url: &str, extra: &str, body: &str) {
        let c = &mut self.clients[i];
        c.cseq += 1;
        let cseq = c.cseq;
        c.waiting.push_back(cseq);
        let session = c
            .token
            .as_ref()
            .map(|t| format!("Session: {t}\r\n"))
            .unwrap_or_default();
        let bytes = req(method, url, cseq, &format!("{extra}{session}"), body);
        self.send(i, bytes);
    }

    /// The application side: answers requests, relays publishers, removes their mounts.
    fn app(&mut self) {
        while let Some(e) = self.server.poll_event() {
            match e {
                ServerEvent::Request(r) => {
                    let now = self.now;
                    match &r.kind {
                        RequestKind::Describe => match r.mount {
                            Some(_) => self.server.respond_describe(now, r.id, SDP).unwrap(),
                            None => self
                                .server
                                .reject(now, r.id, StatusCode::NOT_FOUND)
                                .unwrap(),
                        },
                        RequestKind::Announce { .. } => {
                            let m = self
                                .server
                                .add_mount(&r.path, vec![TrackConfig::new("trackID=0", 0, 8000)])
                                .unwrap();
                            self.publisher_mounts.insert(r.path.clone(), m);
                            self.server.accept_request(now, r.id).unwrap();
                        }
                        _ => self.server.accept_request(now, r.id).unwrap(),
                    }
                }
                ServerEvent::Rtp {
                    mount,
                    track,
                    packet,
                    ..
                } => {
                    self.server
                        .send_rtp(self.now, mount, track, &packet)
                        .unwrap();
                }
                ServerEvent::SessionClosed {
                    mount,
                    publisher,
                    reason,
                    ..
                } => {
                    *self.ended.entry(reason).or_default() += 1;
                    if let (true, Some(m)) = (publisher, mount) {
                        if m != self.test_mount && self.server.mount_path(m).is_some() {
                            self.server.remove_mount(self.now, m).unwrap();
                        }
                    }
                }
                ServerEvent::ConnectionClosed { conn, reason } => {
                    if let Some(&i) = self.by_conn.get(&conn) {
                        self.clients[i].closed_by_server = Some(reason);
                        self.clients[i].conn = None;
                        self.clients[i].phase = Phase::Done;
                    }
                }
                _ => {}
            }
        }
    }

    /// Moves server output into the network.
    fn collect_output(&mut self) {
        while let Some(conn) = self.server.poll_writable() {
            let Some(&i) = self.by_conn.get(&conn) else {
                continue;
            };
            if self.clients[i].kind == Kind::SlowReader && self.clients[i].phase == Phase::Playing {
                continue; // stops reading once it plays
            }
            while let Some(b) = self.server.poll_stream_output(conn) {
                let delay = Duration::from_millis(self.rng.random_range(0..40));
                let c = &mut self.clients[i];
                let at = c
                    .down
                    .back()
                    .map_or(self.now, |(t, _)| *t)
                    .max(self.now + delay);
                c.down.push_back((at, b));
            }
        }
        while let Some(t) = self.server.poll_transmit() {
            if t.socket != MediaSocket::Rtp || self.rng.random_bool(self.udp_loss) {
                continue;
            }
            if let Some(&i) = self.by_port.get(&t.destination.port()) {
                let c = &mut self.clients[i];
                if let Ok(p) = RtpPacket::parse(&t.payload) {
                    c.rtp += 1;
                    c.last_seq = Some(p.sequence_number());
                }
            }
        }
    }

    fn step_client(&mut self, i: usize) {
        let now = self.now;
        // Deliver bytes to the server.
        while let Some((at, _)) = self.clients[i].up.front() {
            if *at > now {
                break;
            }
            let (_, bytes) = self.clients[i].up.pop_front().unwrap();
            let Some(conn) = self.clients[i].conn else {
                continue;
            };
            // In random pieces, as TCP delivers them.
            let mut buf = BytesMut::new();
            let mut rest = &bytes[..];
            while !rest.is_empty() {
                let n = self.rng.random_range(1..=rest.len());
                buf.extend_from_slice(&rest[..n]);
                rest = &rest[n..];
                self.server.handle_stream(now, conn, &mut buf);
            }
            assert!(buf.is_empty());
        }
        // Deliver bytes to the client.
        while let Some((at, _)) = self.clients[i].down.front() {
            if *at > now {
                break;
            }
            let (_, b) = self.clients[i].down.pop_front().unwrap();
            self.clients[i].inbox.extend_from_slice(&b);
        }
        let mut responses = Vec::new();
        {
            let c = &mut self.clients[i];
            loop {
                match c.decoder.decode(&mut c.inbox) {
                    Ok(Some(Message::Response(r))) => responses.push(r),
                    Ok(Some(Message::Data(d))) => {
                        if d.channel == 0 {
                            let p = RtpPacket::parse(&d.payload).unwrap();
                            if let Some(last) = c.last_seq {
                                if p.sequence_number() != last.wrapping_add(1) {
                                    c.gaps += 1;
                                }
                            }
                            c.last_seq = Some(p.sequence_number());
                            c.rtp += 1;
                        }
                    }
                    Ok(Some(Message::Request(_))) => {}
                    Ok(None) => break,
                    Err(e) => {
                        c.failures.push(format!("undecodable: {e}"));
                        break;
                    }
                }
            }
        }
        for r in responses {
            let c = &mut self.clients[i];
            let want = c.waiting.pop_front();
            let got = r.cseq().and_then(Result::ok).map(|c| c.0);
            if want != got || r.status != StatusCode::OK {
                c.failures.push(format!(
                    "{:?}: CSeq {got:?} (want {want:?}) status {}",
                    c.phase, r.status
                ));
            }
            if let Some(Ok(s)) = r.headers.typed::<Session>() {
                c.token = Some(s.id);
            }
            self.advance_phase(i);
        }
        self.script(i);
    }

    fn url(&self, i: usize) -> String {
        format!("rtsp://127.0.0.1:8554{}", self.clients[i].path)
    }

    /// A response arrived: the next request of the script.
    fn advance_phase(&mut self, i: usize) {
        let url = self.url(i);
        let kind = self.clients[i].kind;
        let next = match self.clients[i].phase {
            Phase::Options if kind == Kind::Publisher => {
                self.request(
                    i,
                    "ANNOUNCE",
                    &url,
                    "Content-Type: application/sdp\r\n",
                    SDP,
                );
                Phase::Announce
            }
            Phase::Options => {
                self.request(i, "DESCRIBE", &url, "Accept: application/sdp\r\n", "");
                Phase::Describe
            }
            Phase::Describe | Phase::Announce => {
                let transport = match (kind, self.clients[i].udp_port) {
                    (Kind::Publisher, _) => {
                        "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record".to_owned()
                    }
                    (Kind::UdpPlayer | Kind::Silent, p) => {
                        format!("RTP/AVP;unicast;client_port={p}-{}", p + 1)
                    }
                    _ => "RTP/AVP/TCP;unicast;interleaved=0-1".to_owned(),
                };
                self.request(
                    i,
                    "SETUP",
                    &format!("{url}/trackID=0"),
                    &format!("Transport: {transport}\r\n"),
                    "",
                );
                Phase::Setup
            }
            Phase::Setup if kind == Kind::Publisher => {
                self.request(i, "RECORD", &url, "Range: npt=0.000-\r\n", "");
                Phase::Record
            }
            Phase::Setup => {
                self.request(i, "PLAY", &format!("{url}/"), "Range: npt=0.000-\r\n", "");
                Phase::Play
            }
            Phase::Play => Phase::Playing,
            Phase::Record => Phase::Recording,
            Phase::Teardown => {
                if let Some(conn) = self.clients[i].conn.take() {
                    self.server.connection_closed(self.now, conn);
                }
                Phase::Done
            }
            p => p,
        };
        self.clients[i].phase = next;
    }

    /// Time-driven actions of the script.
    fn script(&mut self, i: usize) {
        let now = self.now;
        let c = &self.clients[i];
        match c.phase {
            Phase::NotStarted if now >= c.start => {
                let peer = SocketAddr::from(([127, 0, 0, 1], 20_000 + i as u16));
                let conn = self
                    .server
                    .accept(now, peer, "127.0.0.1:8554".parse().unwrap())
                    .unwrap();
                self.by_conn.insert(conn, i);
                self.clients[i].conn = Some(conn);
                self.clients[i].phase = Phase::Options;
                let url = self.url(i);
                self.request(i, "OPTIONS", &url, "", "");
            }
            Phase::Playing | Phase::Recording if now >= c.end => {
                let url = self.url(i);
                match c.kind {
                    Kind::TcpPlayer | Kind::UdpPlayer => {
                        self.request(i, "TEARDOWN", &format!("{url}/"), "", "");
                        self.clients[i].phase = Phase::Teardown;
                    }
                    Kind::Dropper | Kind::Publisher => {
                        if let Some(conn) = self.clients[i].conn.take() {
                            self.server.connection_closed(now, conn);
                        }
                        self.clients[i].phase = Phase::Done;
                    }
                    Kind::Silent | Kind::SlowReader => {}
                }
            }
            Phase::Playing if now >= c.next_keepalive => {
                let (kind, udp_port) = (c.kind, c.udp_port);
                self.clients[i].next_keepalive = now + Duration::from_secs(20);
                match kind {
                    Kind::UdpPlayer => {
                        let from = SocketAddr::from(([127, 0, 0, 1], udp_port + 1));
                        let rr = Bytes::from_static(&[0x80, 201, 0, 1, 0, 0, 0, 7]);
                        self.server
                            .handle_datagram(now, MediaSocket::Rtcp, from, rr);
                    }
                    Kind::TcpPlayer | Kind::Dropper => {
                        let url = self.url(i);
                        self.request(i, "GET_PARAMETER", &format!("{url}/"), "", "");
                    }
                    _ => {}
                }
            }
            Phase::Recording => {
                // 50 packets per second of publisher RTP, interleaved.
                let n = self.clients[i].rtp as u16;
                self.clients[i].rtp += 1;
                let mut frame = vec![b'$', 0, 0, 172, 0x80, 0];
                frame.extend_from_slice(&n.to_be_bytes());
                frame.extend_from_slice(&(u32::from(n) * 160).to_be_bytes());
                frame.extend_from_slice(&[0, 0, 0, 5]);
                frame.extend_from_slice(&[0xd5; 160]);
                self.send(i, frame);
            }
            _ => {}
        }
    }
}

#[test]
fn hundreds_of_clients_and_nothing_leaks() {
    let mut config = ServerConfig::default();
    config.rng = Box::new(StdRng::seed_from_u64(3));
    config.udp_ports = Some(UdpPorts {
        rtp: 8000,
        rtcp: 8001,
    });
    config.session_timeout = Duration::from_secs(30);
    let mut limits = ServerLimits::default();
    limits.max_output_bytes = 32 * 1024;
    config.limits = limits;
    let timeout = config.session_timeout;
    let mut server = Server::new(config);
    let packetizer = G711Packetizer::new(&G711Config::pcmu(), 1200).unwrap();
    let test_mount = server
        .add_mount(
            "/test",
            vec![TrackConfig::new("trackID=0", 0, 8000).with_packetizer(Box::new(packetizer))],
        )
        .unwrap();
    let start = Instant::now();
    let mut rng = StdRng::seed_from_u64(11);
    let kinds = [
        Kind::TcpPlayer,
        Kind::UdpPlayer,
        Kind::Dropper,
        Kind::Silent,
        Kind::SlowReader,
        Kind::Publisher,
    ];
    let mut clients = Vec::new();
    let mut by_port = HashMap::new();
    for i in 0..240usize {
        let kind = kinds[i % kinds.len()];
        let begin = start + Duration::from_millis(rng.random_range(0..20_000));
        let length = Duration::from_millis(rng.random_range(5_000..40_000));
        let udp_port = 30_000 + 2 * i as u16;
        by_port.insert(udp_port, i);
        // Publishers publish their own path (relayed to nobody here: relaying is tested
        // in tests/server.rs); players watch the test stream.
        let path = match kind {
            Kind::Publisher => format!("/pub{i}"),
            _ => "/test".to_owned(),
        };
        clients.push(Client {
            kind,
            conn: None,
            phase: Phase::NotStarted,
            start: begin,
            end: begin + length,
            cseq: 0,
            waiting: VecDeque::new(),
            token: None,
            up: VecDeque::new(),
            down: VecDeque::new(),
            inbox: BytesMut::new(),
            decoder: Decoder::new(),
            udp_port,
            path,
            last_seq: None,
            rtp: 0,
            gaps: 0,
            next_keepalive: begin + Duration::from_secs(20),
            closed_by_server: None,
            failures: Vec::new(),
        });
    }
    let mut w = World {
        server,
        now: start,
        rng,
        clients,
        by_conn: HashMap::new(),
        by_port,
        test_mount,
        publisher_mounts: HashMap::new(),
        ended: HashMap::new(),
        udp_loss: 0.05,
    };
    let step = Duration::from_millis(20);
    let mut peak_sessions = 0;
    for n in 0..(70_000 / 20) as u32 {
        w.now = start + step * n;
        w.server.handle_timeout(w.now);
        w.server
            .send_frame(w.now, w.test_mount, TrackId(0), n * 160, &[0x7f; 160])
            .unwrap();
        w.app();
        w.collect_output();
        for i in 0..w.clients.len() {
            w.step_client(i);
            w.app();
            w.collect_output();
        }
        peak_sessions = peak_sessions.max(w.server.session_count());
    }
    // Everyone still connected hangs up; time runs on past every timeout.
    for i in 0..w.clients.len() {
        if let Some(conn) = w.clients[i].conn.take() {
            w.server.connection_closed(w.now, conn);
        }
    }
    w.now += timeout + Duration::from_secs(1);
    w.server.handle_timeout(w.now);
    w.app();
    while let Some(at) = w.server.poll_timeout() {
        w.now = w.now.max(at);
        w.server.handle_timeout(w.now);
        w.app();
    }

    // Nothing leaks.
    assert_eq!(w.server.session_count(), 0);
    assert_eq!(w.server.connection_count(), 0);
    assert_eq!(w.server.poll_timeout(), None);
    assert_eq!(w.server.mount_path(test_mount), Some("/test"));
    assert!(w
        .publisher_mounts
        .values()
        .all(|m| w.server.mount_path(*m).is_none()));
    assert!(peak_sessions > 100, "{peak_sessions}");

    // Every script ran as expected.
    for (i, c) in w.clients.iter().enumerate() {
        if c.kind != Kind::SlowReader {
            assert!(
                c.failures.is_empty(),
                "client {i} {:?}: {:?}",
                c.kind,
                c.failures
            );
        }
        match c.kind {
            Kind::TcpPlayer | Kind::Dropper => {
                assert!(c.rtp > 100, "client {i} {:?} got {} packets", c.kind, c.rtp);
                assert_eq!(c.gaps, 0, "client {i}: TCP media has no gaps");
            }
            Kind::UdpPlayer | Kind::Silent => assert!(c.rtp > 100, "client {i}: {}", c.rtp),
            Kind::SlowReader => {
                assert_eq!(
                    c.closed_by_server,
                    Some(CloseReason::SlowReader),
                    "client {i}"
                )
            }
            Kind::Publisher => assert!(c.rtp > 100, "client {i}"),
        }
    }
    let per = |k| w.clients.iter().filter(|c| c.kind == k).count();
    assert_eq!(
        w.ended.get(&SessionEndReason::Teardown),
        Some(&(per(Kind::TcpPlayer) + per(Kind::UdpPlayer)))
    );
    assert_eq!(
        w.ended.get(&SessionEndReason::Timeout),
        Some(&per(Kind::Silent))
    );
    assert_eq!(
        w.ended.get(&SessionEndReason::ConnectionClosed),
        Some(&(per(Kind::Dropper) + per(Kind::SlowReader) + per(Kind::Publisher)))
    );
}
