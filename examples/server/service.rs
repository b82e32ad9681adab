//! What the example server serves, independent of the I/O runtime: the [`Server`] state
//! machine with the `/test` mount fed by the built-in test stream, and the relay of any
//! other path from its publisher to its players. `app.rs` (threads) and
//! `../tokio_server.rs` (tokio) drive it the same way:
//!
//! 1. feed the server ([`Service::server`]: `accept`, `handle_stream`, `handle_datagram`),
//!    report connections with [`Service::connected`] and [`Service::disconnected`], and
//!    call [`Service::handle_timeout`] at [`Service::poll_timeout`];
//! 2. then call [`Service::drain`], which answers the requests and relays the media, and
//!    write out what the server queued: `poll_transmit` (UDP), `poll_writable` /
//!    `poll_stream_output` (TCP); connections the server gave up on are returned by
//!    `drain` for the caller to close.

use crate::test_stream::{
    MediaFrame, TestAsset, TestStream, AUDIO_CLOCK, AUDIO_PT, VIDEO_CLOCK, VIDEO_PT,
};
use bytes::Bytes;
use rtsp_proto::auth::{ServerAuthenticator, UserCredentials};
use rtsp_proto::codec::g711::{G711Config, G711Packetizer};
use rtsp_proto::codec::h264::{H264Packetizer, H264PacketizerConfig};
use rtsp_proto::sdp::{Presentation, PresentationBuilder, Stream, StreamControl, Url};
use rtsp_proto::server::{
    ApiError, ConnectionId, IncomingRequest, MountId, MulticastConfig, RequestKind, Server,
    ServerConfig, ServerEvent, SessionId, SetupMode, TrackConfig, TrackId, UdpPorts,
};
use rtsp_proto::{StatusCode, Version};
use std::collections::{HashMap, HashSet};
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Path of the built-in test stream.
pub const TEST_PATH: &str = "/test";
/// Largest RTP payload the example packetizes (fits a 1500-byte Ethernet MTU with the IP,
/// UDP and RTP headers).
const MTU: usize = 1200;

/// What the example serves and where.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where to listen for RTSP; the UDP media sockets use the same IP address.
    pub bind: SocketAddr,
    /// User and password required (Digest MD5), if any.
    pub credentials: Option<(String, String)>,
    /// Multicast delivery (`--multicast`): players may set up `RTP/AVP;multicast`, and
    /// descriptions carry the group in their `c=` lines, so that VLC chooses multicast
    /// (QUIRKS 57). `None` (the default): unicast only, descriptions without addresses.
    pub multicast: Option<MulticastConfig>,
}

/// A command line that could not be read (empty message: help was asked for).
#[derive(Debug)]
pub struct UsageError(String);

impl UsageError {
    /// True when help was asked for (`-h`, `--help`).
    #[allow(dead_code)] // for tokio_server.rs
    pub fn is_help(&self) -> bool {
        self.0.is_empty()
    }

    /// Prints the problem and the usage; the exit code (0 when help was asked for).
    pub fn exit(&self, program: &str) -> std::process::ExitCode {
        if !self.0.is_empty() {
            eprintln!("{}", self.0);
        }
        eprintln!(
            "usage: {program} [--bind ADDR:PORT] [--user USER --pass PASSWORD] [--multicast]
  --bind       address and port to listen on (default 127.0.0.1:8554)
  --user       require Digest authentication with this user name ...
  --pass       ... and this password
  --multicast  also serve UDP multicast (groups from 239.0.0.1, ports from 16000, TTL 16)
               and put each path's group in its SDP (c=), which makes VLC use it"
        );
        if self.0.is_empty() {
            std::process::ExitCode::SUCCESS
        } else {
            std::process::ExitCode::from(2)
        }
    }
}

impl Options {
    /// Listening on `bind`, without authentication.
    #[allow(dead_code)] // for tests/interop_server.rs
    pub fn new(bind: SocketAddr) -> Options {
        Options {
            bind,
            credentials: None,
            multicast: None,
        }
    }

    /// Reads `[--bind ADDR:PORT] [--user U --pass P] [--multicast]`.
    pub fn from_args(args: impl Iterator<Item = String>) -> Result<Options, UsageError> {
        let mut bind = SocketAddr::from(([127, 0, 0, 1], 8554));
        let (mut user, mut pass) = (None, None);
        let mut multicast = None;
        let mut args = args;
        while let Some(arg) = args.next() {
            let mut value = |name: &str| {
                args.next()
                    .ok_or_else(|| UsageError(format!("{name} needs a value")))
            };
            match arg.as_str() {
                "--bind" => {
                    let v = value("--bind")?;
                    bind = v
                        .parse()
                        .map_err(|e| UsageError(format!("--bind {v}: {e}")))?;
                }
                "--user" => user = Some(value("--user")?),
                "--pass" => pass = Some(value("--pass")?),
                "--multicast" => multicast = Some(MulticastConfig::default()),
                "-h" | "--help" => return Err(UsageError(String::new())),
                other => return Err(UsageError(format!("unknown argument {other}"))),
            }
        }
        let credentials = match (user, pass) {
            (Some(u), Some(p)) => Some((u, p)),
            (None, None) => None,
            _ => return Err(UsageError("--user and --pass go together".to_owned())),
        };
        Ok(Options {
            bind,
            credentials,
            multicast,
        })
    }
}

/// Prints where the server listens and how to watch and publish.
pub fn print_banner(addr: SocketAddr, (rtp, rtcp): (SocketAddr, SocketAddr), options: &Options) {
    let creds = options
        .credentials
        .as_ref()
        .map(|(u, p)| format!("{u}:{p}@"))
        .unwrap_or_default();
    println!(
        "rtsp-proto server listening on rtsp://{addr} (RTP/RTCP over UDP on ports {}-{})",
        rtp.port(),
        rtcp.port()
    );
    println!("  watch the test stream:  ffplay rtsp://{creds}{addr}/test");
    println!("                          vlc rtsp://{creds}{addr}/test");
    println!("  publish to any other path, e.g.:");
    println!("    ffmpeg -re -i FILE -c copy -f rtsp rtsp://{creds}{addr}/cam");
    println!("  and watch it:           ffplay rtsp://{creds}{addr}/cam");
    if let Some(mc) = options.multicast {
        println!(
            "  multicast: groups from {} (TTL {}), ports from {}; e.g.",
            mc.group_base, mc.ttl, mc.port_base
        );
        println!("    ffplay -rtsp_transport udp_multicast rtsp://{creds}{addr}/test");
    }
}

/// Binds an RTP socket on an even port and the RTCP socket on the next one (RFC 3550 §11),
/// on the IP address of `near`. With `multicast`, datagrams to groups leave with its TTL
/// (the routing table chooses the interface, e.g. `224.0.0.0/4 dev lo`).
pub fn bind_udp_pair(
    near: SocketAddr,
    multicast: Option<&MulticastConfig>,
) -> io::Result<(UdpSocket, UdpSocket)> {
    for _ in 0..64 {
        let rtp = UdpSocket::bind((near.ip(), 0))?;
        let port = rtp.local_addr()?.port();
        if port % 2 != 0 || port == u16::MAX {
            continue;
        }
        if let Ok(rtcp) = UdpSocket::bind((near.ip(), port + 1)) {
            if let Some(mc) = multicast {
                rtp.set_multicast_ttl_v4(u32::from(mc.ttl))?;
                rtcp.set_multicast_ttl_v4(u32::from(mc.ttl))?;
            }
            return Ok((rtp, rtcp));
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AddrInUse,
        "no free even/odd UDP port pair for RTP/RTCP",
    ))
}

/// What the service tells the outside (the tests): paths with a recording publisher, open
/// connections, and how many requests came as RTSP 2.0.
#[derive(Debug, Default)]
pub struct Status {
    state: Mutex<Observed>,
    changed: Condvar,
    rtsp_2_0_requests: AtomicUsize,
}

#[derive(Debug, Default)]
struct Observed {
    publishing: HashSet<String>,
    connections: usize,
    /// Threads or tasks serving connections that are still running.
    connection_workers: usize,
}

/// Counts a thread or task serving a connection while it lives (see
/// [`Status::wait_for_connection_workers`]).
#[derive(Debug)]
pub struct Worker(Arc<Status>);

impl Worker {
    /// Counts one more worker until the returned value is dropped.
    pub fn new(status: &Arc<Status>) -> Worker {
        status.update(|o| o.connection_workers += 1);
        Worker(status.clone())
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.0.update(|o| o.connection_workers -= 1);
    }
}

#[allow(dead_code)] // for tests/interop_server.rs
impl Status {
    /// Waits until `done` holds of what is observed; false if it still does not after
    /// `limit`.
    fn wait(&self, limit: Duration, done: impl Fn(&Observed) -> bool) -> bool {
        let guard = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let (guard, _) = self
            .changed
            .wait_timeout_while(guard, limit, |o| !done(o))
            .unwrap_or_else(PoisonError::into_inner);
        done(&guard)
    }

    fn update(&self, f: impl FnOnce(&mut Observed)) {
        f(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner));
        self.changed.notify_all();
    }

    /// Waits until a publisher is recording on `path`; false after `limit`.
    pub fn wait_for_publisher(&self, path: &str, limit: Duration) -> bool {
        self.wait(limit, |o| o.publishing.contains(path))
    }

    /// Waits until no publisher is recording on `path`; false after `limit`.
    pub fn wait_for_no_publisher(&self, path: &str, limit: Duration) -> bool {
        self.wait(limit, |o| !o.publishing.contains(path))
    }

    /// Waits until exactly `n` connections are open; false after `limit`.
    pub fn wait_for_connections(&self, n: usize, limit: Duration) -> bool {
        self.wait(limit, |o| o.connections == n)
    }

    /// Waits until exactly `n` connection threads or tasks run; false after `limit`.
    pub fn wait_for_connection_workers(&self, n: usize, limit: Duration) -> bool {
        self.wait(limit, |o| o.connection_workers == n)
    }

    /// How many requests the application was asked to answer that came as RTSP 2.0.
    pub fn rtsp_2_0_requests(&self) -> usize {
        self.rtsp_2_0_requests.load(Ordering::SeqCst)
    }
}

/// A path a publisher announced.
struct Published {
    mount: MountId,
    /// The description players get (the publisher's, with our track controls).
    sdp: Bytes,
    /// The session recording to it, once one set up a stream.
    publisher: Option<SessionId>,
    /// Number of tracks.
    tracks: usize,
    /// The connection that announced it.
    announced_by: ConnectionId,
}

/// The server and what it serves.
pub struct Service {
    server: Server,
    status: Arc<Status>,
    test_mount: MountId,
    test_sdp: Bytes,
    test_stream: TestStream,
    frames: Vec<MediaFrame>,
    published: HashMap<String, Published>,
    conn_names: HashMap<ConnectionId, u64>,
    next_conn: u64,
    session_names: HashMap<SessionId, String>,
}

/// Why the service could not start.
#[derive(Debug)]
pub struct StartError(pub String);

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartError {}

impl Service {
    /// A server offering UDP media on `udp` (RTP and RTCP ports) besides TCP interleaved,
    /// with Digest authentication when `options` has credentials, and multicast when it
    /// has [`Options::multicast`].
    pub fn new(
        now: Instant,
        udp: Option<(u16, u16)>,
        options: &Options,
    ) -> Result<Service, StartError> {
        let err = |e: &dyn std::fmt::Display| StartError(e.to_string());
        let mut config = ServerConfig::default();
        config.udp_ports = udp.map(|(rtp, rtcp)| UdpPorts { rtp, rtcp });
        config.multicast = options.multicast;
        if let Some((user, pass)) = options.credentials.clone() {
            let mut auth = ServerAuthenticator::new("rtsp-proto", now, &mut *config.rng);
            auth.add_user(UserCredentials::new(user, pass));
            config.authenticator = Some(auth);
        }
        let mut server = Server::new(config);

        let asset = TestAsset::load()
            .ok_or_else(|| StartError("the test stream asset is not valid H.264".to_owned()))?;
        let mut h264_config = H264PacketizerConfig::default();
        h264_config.mtu = MTU;
        let h264 = H264Packetizer::new(h264_config).map_err(|e| err(&e))?;
        let pcmu = G711Packetizer::new(&G711Config::pcmu(), MTU).map_err(|e| err(&e))?;
        let tracks = vec![
            TrackConfig::new("trackID=0", VIDEO_PT, VIDEO_CLOCK).with_packetizer(Box::new(h264)),
            TrackConfig::new("trackID=1", AUDIO_PT, AUDIO_CLOCK).with_packetizer(Box::new(pcmu)),
        ];
        let test_mount = server.add_mount(TEST_PATH, tracks).map_err(|e| err(&e))?;
        let mut sdp = PresentationBuilder::new("rtsp-proto test stream").tool("rtsp-proto");
        for (i, s) in asset.streams().into_iter().enumerate() {
            let s = advertise_multicast(&mut server, test_mount, TrackId(i), s);
            sdp = sdp.stream(s.control(StreamControl::TrackId));
        }
        let test_sdp = Bytes::from(sdp.build().map_err(|e| err(&e))?);
        Ok(Service {
            server,
            status: Arc::new(Status::default()),
            test_mount,
            test_sdp,
            test_stream: TestStream::new(asset, now),
            frames: Vec::new(),
            published: HashMap::new(),
            conn_names: HashMap::new(),
            next_conn: 1,
            session_names: HashMap::new(),
        })
    }

    /// The state machine, to feed it and to take its output.
    pub fn server(&mut self) -> &mut Server {
        &mut self.server
    }

    /// What the tests may wait for.
    pub fn status(&self) -> Arc<Status> {
        self.status.clone()
    }

    /// When to call [`Service::handle_timeout`] next: the server's next timer or the next
    /// frame of the test stream.
    pub fn poll_timeout(&self) -> Instant {
        let due = self.test_stream.next_due();
        self.server.poll_timeout().map_or(due, |t| t.min(due))
    }

    /// Runs the server's timers and sends the test stream's frames that are due.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.server.poll_timeout().is_some_and(|t| t <= now) {
            self.server.handle_timeout(now);
        }
        self.frames.clear();
        self.test_stream.poll(now, &mut self.frames);
        for frame in self.frames.drain(..) {
            let track = TrackId(frame.track as usize);
            let sent =
                self.server
                    .send_frame(now, self.test_mount, track, frame.timestamp, &frame.data);
            if let Err(e) = sent {
                println!("test stream: {e}");
            }
        }
    }

    /// Logs a new connection (after `server().accept`).
    pub fn connected(&mut self, conn: ConnectionId, peer: SocketAddr) {
        let n = self.next_conn;
        self.next_conn += 1;
        self.conn_names.insert(conn, n);
        self.status.update(|o| o.connections += 1);
        println!("[conn {n}] {peer} connected");
    }

    /// Tells the server that a connection closed (by the peer, or after the server gave up
    /// on it) and logs it.
    pub fn disconnected(&mut self, now: Instant, conn: ConnectionId, why: &str) {
        self.server.connection_closed(now, conn);
        if let Some(n) = self.conn_names.remove(&conn) {
            self.status.update(|o| o.connections -= 1);
            println!("[conn {n}] closed: {why}");
        }
        // A path announced on this connection whose publisher never got a session (or
        // lost it) is free again. A publisher over UDP keeps its path until its session
        // ends (TEARDOWN or timeout), which `drain` handles.
        let server = &self.server;
        let abandoned: Vec<String> = self
            .published
            .iter()
            .filter(|(_, p)| {
                p.announced_by == conn
                    && p.publisher
                        .is_none_or(|s| server.session_state(s).is_none())
            })
            .map(|(path, _)| path.clone())
            .collect();
        for path in abandoned {
            self.remove_published(now, &path);
        }
    }

    /// Removes a published path: its players get an RTCP BYE (and RTSP 2.0 players a
    /// PLAY_NOTIFY) and their sessions end.
    fn remove_published(&mut self, now: Instant, path: &str) {
        if let Some(p) = self.published.remove(path) {
            let _ = self.server.remove_mount(now, p.mount);
            println!("{path}: the publisher left");
            self.status.update(|o| {
                o.publishing.remove(path);
            });
        }
    }

    /// Handles every event of the server: answers requests, relays publishers' RTP, logs.
    /// Returns the connections the server gave up on (slow readers, garbage): close their
    /// sockets and call [`Service::disconnected`].
    pub fn drain(&mut self, now: Instant, closed: &mut Vec<ConnectionId>) {
        while let Some(event) = self.server.poll_event() {
            match event {
                ServerEvent::Request(req) => self.handle_request(now, *req),
                ServerEvent::Rtp {
                    mount,
                    track,
                    packet,
                    ..
                } => {
                    // The relay: re-sent to the players of the path with the mount's own
                    // SSRC, sequence numbers and timestamp offset.
                    if let Err(e) = self.server.send_rtp(now, mount, track, &packet) {
                        println!("relay: {e}");
                    }
                }
                ServerEvent::Rtcp { .. } => {
                    // The publisher's sender reports describe its own SSRC and clock;
                    // players get the mount's reports from the server instead.
                }
                ServerEvent::SessionClosed {
                    session,
                    mount,
                    publisher,
                    reason,
                } => {
                    let name = self.session_name(session);
                    self.session_names.remove(&session);
                    println!("[session {name}] closed: {reason:?}");
                    if publisher {
                        self.unpublish(now, mount, session);
                    }
                }
                ServerEvent::ConnectionClosed { conn, reason } => {
                    println!(
                        "[conn {}] the server gives up: {reason:?}",
                        self.conn_name(conn)
                    );
                    closed.push(conn);
                }
                ServerEvent::Diagnostic(d) => println!("diagnostic: {d:?}"),
                other => println!("event: {other:?}"),
            }
        }
    }

    /// The number this example gives a connection in its log lines.
    fn conn_name(&self, id: ConnectionId) -> u64 {
        self.conn_names.get(&id).copied().unwrap_or(0)
    }

    /// The session's `Session` header token, remembered for the log line of its end.
    fn session_name(&mut self, id: SessionId) -> String {
        if let Some(name) = self.session_names.get(&id) {
            return name.clone();
        }
        match self.server.session_token(id) {
            Some(token) => {
                let name = token.to_owned();
                self.session_names.insert(id, name.clone());
                name
            }
            None => format!("#{}", id.as_u64()),
        }
    }

    fn unpublish(&mut self, now: Instant, mount: Option<MountId>, session: SessionId) {
        let path = self
            .published
            .iter()
            .find(|(_, p)| Some(p.mount) == mount && p.publisher == Some(session))
            .map(|(path, _)| path.clone());
        if let Some(path) = path {
            self.remove_published(now, &path);
        }
    }

    fn handle_request(&mut self, now: Instant, req: IncomingRequest) {
        let conn = self.conn_name(req.conn);
        let method = req.request.method.clone();
        println!("[conn {conn}] {method} {} {}", req.url, req.version);
        if req.version == Version::V2_0 {
            self.status.rtsp_2_0_requests.fetch_add(1, Ordering::SeqCst);
        }
        let result = match &req.kind {
            RequestKind::Describe => self.describe(now, &req),
            RequestKind::Announce { sdp } => self.announce(now, &req, sdp),
            RequestKind::Setup { track, mode, .. } => self.setup(now, &req, *track, *mode),
            RequestKind::Play { .. } => {
                if let Some(s) = req.session {
                    println!("[session {}] plays {}", self.session_name(s), req.path);
                }
                self.server.accept_request(now, req.id)
            }
            RequestKind::Record => self.record(now, &req),
            _ => self.server.accept_request(now, req.id),
        };
        if let Err(e) = result {
            // The connection closed meanwhile, or a bug in this example: say so.
            println!("[conn {conn}] cannot answer {method}: {e}");
        }
    }

    fn describe(&mut self, now: Instant, req: &IncomingRequest) -> Result<(), ApiError> {
        if req.mount == Some(self.test_mount) {
            return self
                .server
                .respond_describe(now, req.id, self.test_sdp.clone());
        }
        match self.published.values().find(|p| Some(p.mount) == req.mount) {
            Some(p) if p.publisher.is_some() => {
                self.server.respond_describe(now, req.id, p.sdp.clone())
            }
            _ => self.server.reject(now, req.id, StatusCode::NOT_FOUND),
        }
    }

    /// A publisher announces a path: mount it with the tracks of its description (fed
    /// with [`Server::send_rtp`]), and keep the description for the players.
    fn announce(
        &mut self,
        now: Instant,
        req: &IncomingRequest,
        sdp: &[u8],
    ) -> Result<(), ApiError> {
        let conn = self.conn_name(req.conn);
        if req.path == TEST_PATH || self.published.contains_key(&req.path) {
            println!("[conn {conn}] {} is taken", req.path);
            return self.server.reject(now, req.id, StatusCode::FORBIDDEN);
        }
        let Ok(base) = Url::parse(&format!("rtsp://publisher{}/", req.path)) else {
            return self.server.reject(now, req.id, StatusCode::BAD_REQUEST);
        };
        let presentation = match Presentation::parse(sdp, &base) {
            Ok(p) if !p.media.is_empty() => p,
            Ok(_) | Err(_) => {
                println!("[conn {conn}] ANNOUNCE with an unusable description");
                return self.server.reject(now, req.id, StatusCode::BAD_REQUEST);
            }
        };
        let name = match presentation.session_name.trim() {
            "" => "relay",
            name => name,
        };
        let mut builder = PresentationBuilder::new(name).tool("rtsp-proto relay");
        let mut tracks = Vec::new();
        let mut streams = Vec::new();
        for (i, media) in presentation.media.iter().enumerate() {
            // A payload type without a clock rate (dynamic, without rtpmap) cannot be
            // relayed with correct RTCP; refuse the description.
            let (Some(pt), Some(clock)) = (media.payload_type(), media.clock_rate()) else {
                println!("[conn {conn}] ANNOUNCE: media {i} has no clock rate");
                return self.server.reject(now, req.id, StatusCode::BAD_REQUEST);
            };
            let control = relative_control(media.control_attr.as_deref(), i);
            tracks.push(TrackConfig::new(control.clone(), pt.0, clock));
            let mut stream = Stream::from_media(media).control(StreamControl::Given(control));
            // The publisher's `c=` names the publisher (or a group it chose); players get the
            // media from this server, as SETUP negotiates.
            stream.connection = None;
            streams.push(stream);
        }
        let mount = match self.server.add_mount(&req.path, tracks) {
            Ok(m) => m,
            Err(e) => {
                println!("[conn {conn}] cannot mount {}: {e}", req.path);
                return self
                    .server
                    .reject(now, req.id, StatusCode::SERVICE_UNAVAILABLE);
            }
        };
        for (i, stream) in streams.into_iter().enumerate() {
            builder = builder.stream(advertise_multicast(
                &mut self.server,
                mount,
                TrackId(i),
                stream,
            ));
        }
        let Ok(sdp) = builder.build() else {
            let _ = self.server.remove_mount(now, mount);
            return self.server.reject(now, req.id, StatusCode::BAD_REQUEST);
        };
        self.published.insert(
            req.path.clone(),
            Published {
                mount,
                sdp: Bytes::from(sdp),
                publisher: None,
                tracks: presentation.media.len(),
                announced_by: req.conn,
            },
        );
        self.server.accept_request(now, req.id)
    }

    fn setup(
        &mut self,
        now: Instant,
        req: &IncomingRequest,
        track: Option<TrackId>,
        mode: SetupMode,
    ) -> Result<(), ApiError> {
        let Some(mount) = req.mount else {
            return self.server.reject(now, req.id, StatusCode::NOT_FOUND);
        };
        let published = self.published.values_mut().find(|p| p.mount == mount);
        let tracks = published.as_ref().map_or(2, |p| p.tracks);
        match (mode, published) {
            (SetupMode::Record, Some(p)) => {
                // One publisher per path.
                if p.publisher.is_some() && p.publisher != req.session {
                    return self.server.reject(now, req.id, StatusCode::FORBIDDEN);
                }
                p.publisher = req.session;
            }
            // Only announced paths can be recorded to (not /test).
            (SetupMode::Record, None) => {
                return self
                    .server
                    .reject(now, req.id, StatusCode::METHOD_NOT_VALID_IN_THIS_STATE)
            }
            // Announced, but the publisher has not started: nothing to play yet.
            (SetupMode::Play, Some(p)) if p.publisher.is_none() => {
                return self.server.reject(now, req.id, StatusCode::NOT_FOUND)
            }
            (SetupMode::Play, _) => {}
        }
        match track {
            Some(_) => self.server.accept_request(now, req.id),
            // The aggregate URL names no track: fine for a one-track mount.
            None if tracks == 1 => self.server.accept_setup(now, req.id, mount, TrackId(0)),
            None => self.server.reject(now, req.id, StatusCode::NOT_FOUND),
        }
    }

    fn record(&mut self, now: Instant, req: &IncomingRequest) -> Result<(), ApiError> {
        let Some(session) = req.session else {
            return self.server.accept_request(now, req.id);
        };
        println!(
            "[session {}] publishes {}",
            self.session_name(session),
            req.path
        );
        self.server.accept_request(now, req.id)?;
        let path = self
            .published
            .iter()
            .find(|(_, p)| p.publisher == Some(session))
            .map(|(path, _)| path.clone());
        if let Some(path) = path {
            self.status.update(|o| {
                o.publishing.insert(path);
            });
        }
        Ok(())
    }
}

/// With multicast configured, `stream` carries its track's group and port (`c=IN IP4
/// 239.0.0.1/16`, `m=video 16000 ...`): VLC then sets up multicast (QUIRKS 57); FFmpeg and
/// GStreamer keep asking for the transport they are told to use. Without, it is unchanged.
fn advertise_multicast(
    server: &mut Server,
    mount: MountId,
    track: TrackId,
    stream: Stream,
) -> Stream {
    let Some(mc) = server.config().multicast else {
        return stream;
    };
    match server.multicast_address(mount, track) {
        Some(addr) => {
            let mut stream = stream.multicast(addr.ip(), mc.ttl);
            stream.port = addr.port();
            stream
        }
        None => stream,
    }
}

/// The control of media `index` relative to the mount path: the publisher's relative
/// `a=control` (FFmpeg sends `streamid=N`), the last segment of an absolute one, or
/// `trackID=N` when it has none.
fn relative_control(control: Option<&str>, index: usize) -> String {
    match control {
        Some(c) if !c.is_empty() && c != "*" => {
            let c = c.trim_end_matches('/');
            if c.contains("://") {
                c.rsplit('/').next().unwrap_or(c).to_owned()
            } else {
                c.to_owned()
            }
        }
        _ => format!("trackID={index}"),
    }
}
