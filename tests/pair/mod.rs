//! `Pair`: our `ClientSession`s and one `Server` wired together in memory under a virtual
//! clock. The network is a time-ordered queue: TCP bytes keep their order per connection
//! but arrive late and in arbitrary pieces; UDP datagrams are lost, delayed by a random
//! jitter (and so reordered). Connections can be dropped by the network and clients can
//! restart (the process dies: the server sees the connection close, the client object is
//! gone). Every random choice comes from seeded RNGs, so a run is reproducible.
//!
//! The application on the server side is minimal: one mount `/test` with a PCMU track
//! fed a frame every `frame_interval`, `DESCRIBE` answered with its SDP, every other
//! request accepted.
//!
//! `PAIR_TRACE=<client index>` prints that client's RTSP exchange (not its media).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    dead_code
)]

use bytes::{Bytes, BytesMut};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rtsp_proto::client::{
    ClientConfig, ClientEvent, ClientSession, Destination, PlayOptions, RequestId, SetupTransport,
    StreamKind, TrackId as ClientTrack,
};
use rtsp_proto::codec::g711::{G711Config, G711Packetizer};
use rtsp_proto::server::{
    ConnectionId, MediaSocket, MountId, RequestKind, Server, ServerConfig, ServerEvent,
    SessionEndReason, TrackConfig, TrackId, UdpPorts,
};
use rtsp_proto::{Method, StatusCode};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// The knobs of the network.
#[derive(Debug, Clone, Copy)]
pub struct Knobs {
    /// Probability that a UDP datagram is lost.
    pub loss: f64,
    /// Largest extra delay of a UDP datagram (uniform in `0..jitter`); datagrams overtake
    /// each other when it exceeds their spacing.
    pub jitter: Duration,
    /// Largest delay of a TCP chunk (order within a connection is kept).
    pub tcp_delay: Duration,
}

/// What a simulated client does once it plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// `TEARDOWN`, then the connection closes.
    Teardown,
    /// The network drops the connection (both ends see it close).
    Dropped,
    /// The client process restarts: its connection closes under the server, and a new
    /// client (new port, new session) plays again and tears down.
    Restart,
    /// The client hangs: nothing is read or sent any more (its server session times out,
    /// or its connection is cut as a slow reader).
    Freeze,
}

/// Per-client record of what happened.
#[derive(Debug, Default)]
pub struct Record {
    /// Requests issued (their ids), and how each ended: `Some(status)` for a response,
    /// `None` for a timeout.
    pub requests: HashMap<RequestId, Vec<Option<StatusCode>>>,
    /// RTP packets received.
    pub rtp: u64,
    /// `Closed` events: `true` when clean.
    pub closed: Vec<bool>,
    /// Whether `PLAY` succeeded.
    pub played: bool,
    /// Why the server closed our connection.
    pub server_closed: Vec<String>,
    /// Errors the session closed with.
    pub errors: Vec<String>,
    /// Unexpected things.
    pub failures: Vec<String>,
}

/// One simulated client (one incarnation per restart).
pub struct Client {
    pub fate: Fate,
    pub udp: bool,
    pub start: Instant,
    pub play_for: Duration,
    pub session: Option<ClientSession>,
    /// The server's id of our connection and its generation (deliveries of an older
    /// generation are discarded).
    pub conn: Option<ConnectionId>,
    pub gen: u64,
    pub port: u16,
    pub wake: Option<Instant>,
    pub inbox: BytesMut,
    pub server_buf: BytesMut,
    pub up_last: Instant,
    pub down_last: Instant,
    pub frozen: bool,
    pub done: bool,
    pub restarted: bool,
    pub record: Record,
}

enum Ev {
    /// Client `i` starts (or restarts).
    Start(usize),
    /// Client `i`'s fate is due.
    Fate(usize, u64),
    /// Client `i`'s timer.
    ClientWake(usize),
    ServerWake,
    /// The server application sends a frame.
    Frame,
    ToServer(usize, u64, Bytes),
    ToClient(usize, u64, Bytes),
    DgramToServer(MediaSocket, SocketAddr, Bytes),
    DgramToClient(usize, u64, StreamKind, Bytes),
}

/// The simulation.
pub struct Pair {
    pub now: Instant,
    pub start: Instant,
    pub server: Server,
    pub mount: MountId,
    pub clients: Vec<Client>,
    pub knobs: Knobs,
    pub rng: StdRng,
    queue: BTreeMap<(Instant, u64), Ev>,
    seq: u64,
    by_conn: HashMap<ConnectionId, usize>,
    by_port: HashMap<u16, (usize, u64)>,
    next_port: u16,
    next_peer_port: u16,
    server_wake: Option<Instant>,
    frame_n: u32,
    pub frames_until: Instant,
    pub frame_interval: Duration,
    /// Sessions ended at the server, by reason.
    pub ended: HashMap<SessionEndReason, usize>,
    /// Datagrams lost, and delivered out of their send order.
    pub lost: u64,
    pub reordered: u64,
    last_dgram_arrival: HashMap<(usize, u64), Instant>,
    /// Connections the server cut (slow readers, errors).
    pub server_closed: usize,
}

pub const SDP: &str = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=pair\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\na=control:trackID=0\r\n";
const URL: &str = "rtsp://127.0.0.1:8554/test";

impl Pair {
    /// A server (seeded) with the `/test` mount, no clients yet.
    pub fn new(seed: u64, knobs: Knobs, mut config: ServerConfig) -> Pair {
        config.rng = Box::new(StdRng::seed_from_u64(seed));
        config.udp_ports = Some(UdpPorts {
            rtp: 8000,
            rtcp: 8001,
        });
        let mut server = Server::new(config);
        let packetizer = G711Packetizer::new(&G711Config::pcmu(), 1200).unwrap();
        let mount = server
            .add_mount(
                "/test",
                vec![TrackConfig::new("trackID=0", 0, 8000).with_packetizer(Box::new(packetizer))],
            )
            .unwrap();
        #[allow(clippy::disallowed_methods)]
        let start = Instant::now();
        Pair {
            now: start,
            start,
            server,
            mount,
            clients: Vec::new(),
            knobs,
            rng: StdRng::seed_from_u64(seed ^ 0x5eed),
            queue: BTreeMap::new(),
            seq: 0,
            by_conn: HashMap::new(),
            by_port: HashMap::new(),
            next_port: 30_000,
            next_peer_port: 1024,
            server_wake: None,
            frame_n: 0,
            frames_until: start,
            frame_interval: Duration::from_millis(100),
            ended: HashMap::new(),
            lost: 0,
            reordered: 0,
            last_dgram_arrival: HashMap::new(),
            server_closed: 0,
        }
    }

    fn at(&mut self, at: Instant, ev: Ev) {
        self.seq += 1;
        self.queue.insert((at, self.seq), ev);
    }

    /// Adds a client that starts `start_after` from the beginning.
    pub fn add_client(&mut self, fate: Fate, udp: bool, start_after: Duration, play_for: Duration) {
        let i = self.clients.len();
        let start = self.start + start_after;
        self.clients.push(Client {
            fate,
            udp,
            start,
            play_for,
            session: None,
            conn: None,
            gen: 0,
            port: 0,
            wake: None,
            inbox: BytesMut::new(),
            server_buf: BytesMut::new(),
            up_last: start,
            down_last: start,
            frozen: false,
            done: false,
            restarted: false,
            record: Record::default(),
        });
        self.at(start, Ev::Start(i));
    }

    /// Runs until nothing is scheduled: media stops at `frames_until`, everyone still
    /// connected then hangs up, and time runs past every timeout.
    pub fn run(&mut self) {
        self.at(self.start, Ev::Frame);
        while let Some(((at, _), ev)) = self.queue.pop_first() {
            self.now = self.now.max(at);
            self.dispatch(ev);
            self.server_output();
        }
        // Hang up what is left (frozen clients' connections) and expire everything.
        for i in 0..self.clients.len() {
            self.hang_up(i);
        }
        self.server_output();
        while let Some(at) = self.server.poll_timeout() {
            self.now = self.now.max(at);
            self.server.handle_timeout(self.now);
            self.server_output();
        }
    }

    fn hang_up(&mut self, i: usize) {
        let now = self.now;
        if let Some(conn) = self.clients[i].conn.take() {
            self.server.connection_closed(now, conn);
        }
        if let Some(s) = self.clients[i].session.as_mut() {
            s.handle_close(now);
        }
        self.client_output(i);
        self.clients[i].done = true;
    }

    fn dispatch(&mut self, ev: Ev) {
        let now = self.now;
        match ev {
            Ev::Frame => {
                let ts = self.frame_n * 800;
                self.frame_n += 1;
                let _ = self
                    .server
                    .send_frame(now, self.mount, TrackId(0), ts, &[0x7f; 800]);
                if now < self.frames_until {
                    self.at(now + self.frame_interval, Ev::Frame);
                }
            }
            Ev::ServerWake => {
                self.server_wake = None;
                self.server.handle_timeout(now);
            }
            Ev::Start(i) => self.start_client(i),
            Ev::Fate(i, gen) => {
                if self.clients[i].gen == gen && !self.clients[i].done {
                    self.fate(i);
                }
            }
            Ev::ClientWake(i) => {
                let c = &mut self.clients[i];
                if c.wake.is_some_and(|w| w <= now) {
                    c.wake = None;
                    if !c.frozen {
                        if let Some(s) = c.session.as_mut() {
                            s.handle_timeout(now);
                        }
                        self.client_output(i);
                    }
                }
            }
            Ev::ToServer(i, gen, bytes) => {
                let c = &mut self.clients[i];
                let Some(conn) = c.conn.filter(|_| c.gen == gen) else {
                    return;
                };
                if std::env::var("PAIR_TRACE").ok() == Some(i.to_string()) {
                    eprintln!(
                        "{:?} up {:?}",
                        now - self.start,
                        String::from_utf8_lossy(&bytes)
                    );
                }
                // In random pieces, as TCP delivers them.
                let mut rest = &bytes[..];
                while !rest.is_empty() {
                    let n = self.rng.random_range(1..=rest.len());
                    self.clients[i].server_buf.extend_from_slice(&rest[..n]);
                    rest = &rest[n..];
                    let mut buf = std::mem::take(&mut self.clients[i].server_buf);
                    self.server.handle_stream(now, conn, &mut buf);
                    self.clients[i].server_buf = buf;
                }
            }
            Ev::ToClient(i, gen, bytes) => {
                let c = &mut self.clients[i];
                if c.gen != gen || c.frozen || c.done {
                    return;
                }
                let Some(s) = c.session.as_mut() else { return };
                if std::env::var("PAIR_TRACE").ok() == Some(i.to_string())
                    && bytes.first() != Some(&b'$')
                {
                    eprintln!(
                        "{:?} down {:?}",
                        now - self.start,
                        String::from_utf8_lossy(&bytes)
                    );
                }
                let mut rest = &bytes[..];
                while !rest.is_empty() {
                    let n = self.rng.random_range(1..=rest.len());
                    c.inbox.extend_from_slice(&rest[..n]);
                    rest = &rest[n..];
                    if let Err(e) = s.handle_stream(now, &mut c.inbox) {
                        c.record.failures.push(format!("client stream error: {e}"));
                        break;
                    }
                }
                self.client_output(i);
            }
            Ev::DgramToServer(socket, from, data) => {
                self.server.handle_datagram(now, socket, from, data);
            }
            Ev::DgramToClient(i, gen, kind, data) => {
                let c = &mut self.clients[i];
                if c.gen != gen || c.frozen || c.done {
                    return;
                }
                let Some(s) = c.session.as_mut() else { return };
                let from = SocketAddr::from(([127, 0, 0, 1], 8000));
                s.handle_datagram(now, ClientTrack(0), kind, from, data);
                self.client_output(i);
            }
        }
    }

    fn start_client(&mut self, i: usize) {
        let now = self.now;
        self.next_peer_port = self.next_peer_port.wrapping_add(1).max(1024);
        let peer = SocketAddr::from(([127, 0, 0, 1], self.next_peer_port));
        let conn = self
            .server
            .accept(now, peer, "127.0.0.1:8554".parse().unwrap())
            .unwrap();
        let seed = self.rng.random();
        let mut session = ClientSession::new(URL, ClientConfig::seeded(seed)).unwrap();
        let id = session.describe(now).unwrap();
        let c = &mut self.clients[i];
        c.gen += 1;
        c.conn = Some(conn);
        c.session = Some(session);
        c.inbox.clear();
        c.server_buf.clear();
        c.port = self.next_port;
        c.up_last = now;
        c.down_last = now;
        c.record.requests.entry(id).or_default();
        self.next_port = self.next_port.wrapping_add(2);
        self.by_conn.insert(conn, i);
        self.by_port.insert(c.port, (i, c.gen));
        self.by_port.insert(c.port + 1, (i, c.gen));
        self.client_output(i);
    }

    fn fate(&mut self, i: usize) {
        let now = self.now;
        match self.clients[i].fate {
            Fate::Teardown => {
                let c = &mut self.clients[i];
                if let Some(s) = c.session.as_mut() {
                    match s.teardown(now) {
                        Ok(Some(id)) => {
                            c.record.requests.entry(id).or_default();
                        }
                        Ok(None) => {}
                        Err(e) => c.record.failures.push(format!("teardown: {e}")),
                    }
                }
                self.client_output(i);
            }
            Fate::Dropped => self.hang_up(i),
            Fate::Restart => {
                // The process dies: the server sees the connection close; the client
                // object is gone without a word.
                if let Some(conn) = self.clients[i].conn.take() {
                    self.server.connection_closed(now, conn);
                }
                let c = &mut self.clients[i];
                c.session = None;
                c.restarted = true;
                c.fate = Fate::Teardown;
                c.gen += 1;
                c.record.requests.clear();
                c.record.played = false;
                let back = now + Duration::from_millis(500);
                self.at(back, Ev::Start(i));
            }
            Fate::Freeze => self.clients[i].frozen = true,
        }
    }

    /// Moves a client's output into the network and handles its events.
    fn client_output(&mut self, i: usize) {
        let now = self.now;
        let tcp_delay = self.knobs.tcp_delay;
        // Events may queue requests (SETUP after DESCRIBE...): repeat until both are empty.
        loop {
            let c = &mut self.clients[i];
            let Some(s) = c.session.as_ref() else { return };
            if s.queued_counts() == (0, 0) {
                break;
            }
            self.client_transmits_and_events(i, now, tcp_delay);
        }
        let c = &mut self.clients[i];
        if let Some(t) = c.session.as_ref().and_then(ClientSession::poll_timeout) {
            if c.wake.is_none_or(|w| t < w) {
                c.wake = Some(t);
                self.at(t.max(now), Ev::ClientWake(i));
            }
        }
    }

    fn client_transmits_and_events(&mut self, i: usize, now: Instant, tcp_delay: Duration) {
        loop {
            let c = &mut self.clients[i];
            let Some(s) = c.session.as_mut() else { return };
            let Some(t) = s.poll_transmit() else { break };
            let gen = c.gen;
            match t.destination {
                Destination::Control => {
                    if c.conn.is_none() {
                        continue;
                    }
                    let d = rand_delay(&mut self.rng, tcp_delay);
                    let at = c.up_last.max(now + d);
                    c.up_last = at;
                    self.at(at, Ev::ToServer(i, gen, t.data));
                }
                Destination::Udp { kind, .. } => {
                    let from = SocketAddr::from((
                        [127, 0, 0, 1],
                        c.port + u16::from(kind == StreamKind::Rtcp),
                    ));
                    let socket = match kind {
                        StreamKind::Rtp => MediaSocket::Rtp,
                        StreamKind::Rtcp => MediaSocket::Rtcp,
                    };
                    if self.rng.random_bool(self.knobs.loss) {
                        self.lost += 1;
                        continue;
                    }
                    let d = rand_delay(&mut self.rng, self.knobs.jitter);
                    self.at(now + d, Ev::DgramToServer(socket, from, t.data));
                }
                _ => {}
            }
        }
        loop {
            let c = &mut self.clients[i];
            let Some(s) = c.session.as_mut() else { return };
            let Some(e) = s.poll_event() else { break };
            self.client_event(i, e);
        }
    }

    fn client_event(&mut self, i: usize, e: ClientEvent) {
        let now = self.now;
        let c = &mut self.clients[i];
        let s = c.session.as_mut().unwrap();
        let mut issued = None;
        let mut fate_at = None;
        match e {
            ClientEvent::Described { .. } => {
                let transport = if c.udp {
                    SetupTransport::Udp {
                        client_port: c.port,
                    }
                } else {
                    SetupTransport::Tcp
                };
                match s.setup(now, ClientTrack(0), transport) {
                    Ok(id) => issued = Some(id),
                    Err(e) => c.record.failures.push(format!("setup: {e}")),
                }
            }
            ClientEvent::TrackSetUp { .. } => match s.play(now, PlayOptions::default()) {
                Ok(id) => issued = Some(id),
                Err(e) => c.record.failures.push(format!("play: {e}")),
            },
            ClientEvent::Response {
                id,
                method,
                response,
            } => {
                let Some(v) = c.record.requests.get_mut(&id) else {
                    c.record
                        .failures
                        .push(format!("response to unknown {id:?}"));
                    return;
                };
                v.push(Some(response.status));
                if response.status != StatusCode::OK {
                    c.record
                        .failures
                        .push(format!("{method} answered {}", response.status));
                } else if method == Method::PLAY {
                    c.record.played = true;
                    fate_at = Some((now + c.play_for, c.gen));
                }
            }
            ClientEvent::RequestTimedOut { id, .. } => {
                if let Some(v) = c.record.requests.get_mut(&id) {
                    v.push(None);
                } else {
                    c.record.failures.push(format!("timeout of unknown {id:?}"));
                }
            }
            ClientEvent::Rtp { .. } => c.record.rtp += 1,
            ClientEvent::Closed { error } => {
                c.record.closed.push(error.is_none());
                if let Some(e) = &error {
                    c.record.errors.push(format!("{e}"));
                }
                if let Some(conn) = c.conn.take() {
                    // A clean TEARDOWN: we hang up.
                    self.server.connection_closed(now, conn);
                }
                c.done = true;
            }
            _ => {}
        }
        if let Some(id) = issued {
            c.record.requests.entry(id).or_default();
        }
        if let Some((at, gen)) = fate_at {
            self.at(at, Ev::Fate(i, gen));
        }
    }

    /// Moves the server's output into the network and plays the application.
    fn server_output(&mut self) {
        let now = self.now;
        while let Some(e) = self.server.poll_event() {
            match e {
                ServerEvent::Request(r) => {
                    let res = match &r.kind {
                        RequestKind::Describe => self.server.respond_describe(now, r.id, SDP),
                        _ => self.server.accept_request(now, r.id),
                    };
                    res.unwrap();
                }
                ServerEvent::SessionClosed { reason, .. } => {
                    *self.ended.entry(reason).or_default() += 1;
                }
                ServerEvent::ConnectionClosed { conn, reason } => {
                    self.server_closed += 1;
                    if let Some(&i) = self.by_conn.get(&conn) {
                        if self.clients[i].conn == Some(conn) {
                            self.clients[i]
                                .record
                                .server_closed
                                .push(format!("{reason:?}"));
                            // The socket is closed by the server: the client sees EOF.
                            self.clients[i].conn = None;
                            let frozen = self.clients[i].frozen;
                            if let Some(s) = self.clients[i].session.as_mut() {
                                if !frozen {
                                    s.handle_close(now);
                                }
                            }
                            self.client_output(i);
                        }
                    }
                }
                _ => {}
            }
        }
        while let Some(conn) = self.server.poll_writable() {
            let Some(&i) = self.by_conn.get(&conn) else {
                continue;
            };
            if self.clients[i].conn != Some(conn) || self.clients[i].frozen {
                continue; // a frozen client does not read
            }
            while let Some(b) = self.server.poll_stream_output(conn) {
                let d = rand_delay(&mut self.rng, self.knobs.tcp_delay);
                let c = &mut self.clients[i];
                let at = c.down_last.max(now + d);
                c.down_last = at;
                let gen = c.gen;
                self.at(at, Ev::ToClient(i, gen, b));
            }
        }
        while let Some(t) = self.server.poll_transmit() {
            let Some(&(i, gen)) = self.by_port.get(&t.destination.port()) else {
                continue;
            };
            if self.rng.random_bool(self.knobs.loss) {
                self.lost += 1;
                continue;
            }
            let kind = match t.socket {
                MediaSocket::Rtp => StreamKind::Rtp,
                MediaSocket::Rtcp => StreamKind::Rtcp,
            };
            let at = now + rand_delay(&mut self.rng, self.knobs.jitter);
            let last = self.last_dgram_arrival.entry((i, gen)).or_insert(at);
            if at < *last {
                self.reordered += 1;
            }
            *last = (*last).max(at);
            self.at(at, Ev::DgramToClient(i, gen, kind, t.payload));
        }
        if let Some(t) = self.server.poll_timeout() {
            if self.server_wake.is_none_or(|w| t < w) {
                self.server_wake = Some(t);
                self.at(t.max(now), Ev::ServerWake);
            }
        }
    }
}

fn rand_delay(rng: &mut StdRng, max: Duration) -> Duration {
    let ms = u64::try_from(max.as_millis()).unwrap_or(u64::MAX);
    if ms == 0 {
        return Duration::ZERO;
    }
    Duration::from_millis(rng.random_range(0..ms))
}
