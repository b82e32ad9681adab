//! The sans-IO RTSP server: one state machine for every connection and session of a
//! server ([RFC 2326], [RFC 7826]).
//!
//! The [`Server`] owns no socket, thread or clock. The caller accepts TCP connections and
//! reads them, opens (optionally) one UDP socket pair for RTP/RTCP, and drives the server
//! with three kinds of call:
//!
//! - **inputs**: [`Server::accept`] / [`Server::connection_closed`] for connections,
//!   [`Server::handle_stream`] for bytes read from a connection (complete requests and
//!   `$` frames are split off the caller's buffer, zero-copy), [`Server::handle_datagram`]
//!   for UDP media, [`Server::handle_timeout`] when [`Server::poll_timeout`] is due;
//! - **intents**: answers to requests ([`Server::respond_describe`],
//!   [`Server::accept_request`], [`Server::accept_setup`], [`Server::reject`], …),
//!   mounts ([`Server::add_mount`]) and media ([`Server::send_frame`],
//!   [`Server::send_rtp`]);
//! - **outputs**, after any input or intent: [`Server::poll_writable`] names connections
//!   with new output, drained with [`Server::poll_stream_output`]; [`Server::poll_transmit`]
//!   gives UDP datagrams; [`Server::poll_event`] the requests to answer and what happened;
//!   [`Server::poll_timeout`] when to call [`Server::handle_timeout`].
//!
//! The server answers `OPTIONS`, `TEARDOWN` and keep-alives itself, checks authentication,
//! CSeq, sessions and their state machine (Init, Ready, Playing, Recording; RFC 2326
//! Appendix A, RFC 7826 Appendix B), and hands the application only what it must decide
//! (`DESCRIBE`, `ANNOUNCE`, `SETUP`, `PLAY`, `PAUSE`, `RECORD`, parameters), as
//! [`ServerEvent::Request`] with a [`RequestId`] to answer with a typed responder: the
//! application never writes a status line, CSeq or Session header.
//!
//! Media goes out through **mounts**: a path with tracks ([`TrackConfig`]). A frame given
//! to [`Server::send_frame`] is packetized once, with one SSRC, sequence and timestamp per
//! track shared by every player, and the same bytes are queued for every playing session:
//! interleaved on its connection, a datagram to its UDP port, or one datagram to the
//! multicast group. A connection whose queue exceeds
//! [`ServerLimits::max_output_bytes`] is a slow reader and is closed.
//!
//! ## What real clients do, and what the server does about it
//!
//! Background (the device behaviours of `QUIRKS.md` this server handles, always on
//! because each is harmless to well-behaved clients):
//! - FFmpeg cannot answer a Digest SHA-256 challenge (QUIRKS 54): the
//!   [`ServerAuthenticator`](crate::auth::ServerAuthenticator) offers MD5 unless
//!   configured otherwise.
//! - FFmpeg publishing over UDP sends no keep-alive (QUIRKS 55), and players often keep
//!   their session alive only with RTCP receiver reports: any RTP or RTCP from a
//!   session's client counts as activity, not only requests.
//! - VLC sets up a single-track presentation with the base URL and a trailing slash
//!   (QUIRKS 57): such a SETUP names the mount's only track. Digest `uri=` may be the
//!   absolute URL, the path or the base URL.
//! - Session ids with dashes confuse some clients (QUIRKS 58): ids are 16 letters and
//!   digits (about 95 random bits).
//! - FFmpeg sends a second PLAY while playing (QUIRKS 59): it is accepted.
//! - GStreamer's `rtspsrc` in RTSP 2.0 mode pipelines its SETUPs, the second one without
//!   a Session header but with the first one's `Pipelined-Requests` id: it joins that
//!   session. Any other request naming a session whose SETUP the application has not
//!   answered yet (a pipelined PLAY, RFC 7826 §16.3) waits for that answer and is then
//!   processed in order; after a failed SETUP it gets `454 Session Not Found`.
//! - VLC chooses multicast when the SDP carries a multicast address (QUIRKS 57):
//!   [`Server::advertise_multicast`] writes a track's group, TTL and port into its SDP
//!   media description.
//!
//! ## RFC behaviour the application steers
//!
//! - What the media allows ([`MountMedia`], [`Server::set_mount_media`]): live mounts
//!   answer `PLAY` with `Range: npt=now-`; on-demand mounts with the range that plays
//!   ([`Server::respond_play`]; by default the requested range, the pause point, or
//!   `npt=0-`), and a `PLAY` with a `Range` while playing (a seek) is handed to the
//!   application. RTSP 2.0 `SETUP` and `PLAY` responses carry the matching
//!   `Media-Properties`, `Accept-Ranges` and (PLAY) `Seek-Style`.
//! - `Scale`: a `PLAY` that asks for one is answered with the scale that plays, 1 unless
//!   the application plays on-demand media at another ([`Server::respond_play_scaled`],
//!   advertised with [`MountMedia::with_scales`]); the session's position then moves
//!   at that scale.
//! - `TEARDOWN` of one stream's URL removes that stream only, while the session has
//!   others ([`ServerEvent::StreamRemoved`]); the aggregate URL or the last stream ends
//!   the session (RFC 7826 §13.7).
//!
//! ```no_run
//! use bytes::BytesMut;
//! use rtsp_proto::server::{RequestKind, Server, ServerConfig, ServerEvent, TrackConfig};
//! use std::time::Instant;
//!
//! let mut server = Server::new(ServerConfig::default());
//! let mount = server.add_mount("/test", vec![TrackConfig::new("trackID=0", 0, 8000)])?;
//! let (peer, local) = ("127.0.0.1:50000".parse()?, "127.0.0.1:8554".parse()?);
//! let conn = server.accept(Instant::now(), peer, local)?;
//! let mut buf = BytesMut::from(&b"DESCRIBE rtsp://127.0.0.1:8554/test RTSP/1.0\r\nCSeq: 2\r\n\r\n"[..]);
//! server.handle_stream(Instant::now(), conn, &mut buf);
//! while let Some(event) = server.poll_event() {
//!     if let ServerEvent::Request(req) = event {
//!         match req.kind {
//!             RequestKind::Describe if req.mount == Some(mount) => {
//!                 let sdp = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
//!                            m=audio 0 RTP/AVP 0\r\na=control:trackID=0\r\n";
//!                 server.respond_describe(Instant::now(), req.id, sdp)?;
//!             }
//!             _ => server.accept_request(Instant::now(), req.id)?,
//!         }
//!     }
//! }
//! while let Some(bytes) = server.poll_stream_output(conn) {
//!     // write `bytes` to the connection's socket
//! #   let _ = bytes;
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [RFC 2326]: https://www.rfc-editor.org/rfc/rfc2326
//! [RFC 7826]: https://www.rfc-editor.org/rfc/rfc7826

mod config;
mod event;
mod media;
mod mount;
mod request;
mod slab;

pub use config::{MulticastConfig, Rtsp2RtpInfoPolicy, ServerConfig, ServerLimits, UdpPorts};
pub use event::{
    ApiError, CloseReason, ConnectionId, Diagnostic, IncomingRequest, MediaSocket, MountId,
    RelayError, RequestId, RequestKind, ServerEvent, SessionEndReason, SessionId, SetupMode,
    TrackId, Transmit,
};
pub use mount::{MountMedia, TrackConfig};

use crate::header::Transport;
use crate::message::{Decoder, Method, Version};
use crate::time::NtpTimestamp;
use bytes::{Bytes, BytesMut};
use media::OutputState;
use mount::Mount;
use slab::Slab;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// The state of a session ([RFC 2326 Appendix A.2], [RFC 7826 Appendix B]).
///
/// [RFC 2326 Appendix A.2]: https://www.rfc-editor.org/rfc/rfc2326#appendix-A.2
/// [RFC 7826 Appendix B]: https://www.rfc-editor.org/rfc/rfc7826#appendix-B
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SessionState {
    /// Created by a SETUP that the application has not yet accepted.
    Init,
    /// At least one stream set up; not playing or recording.
    Ready,
    /// Media flows to the client.
    Playing,
    /// Media flows from the client.
    Recording,
}

/// How one stream of a session carries its media.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StreamTransport {
    Interleaved {
        conn: ConnectionId,
        rtp: u8,
        rtcp: u8,
    },
    Udp {
        rtp: SocketAddr,
        rtcp: SocketAddr,
    },
    Multicast,
}

#[derive(Debug)]
struct SessionTrack {
    track: TrackId,
    url: String,
    transport: StreamTransport,
    /// The mount's track has this stream's sink (or counts its multicast membership):
    /// set by PLAY, cleared by [`detach_sinks`], whatever the session's state.
    attached: bool,
}

struct ServerSession {
    token: String,
    user: Option<String>,
    state: SessionState,
    mode: SetupMode,
    mount: Option<MountId>,
    tracks: Vec<SessionTrack>,
    version: Version,
    /// The aggregate URL (the SETUP URL without the track's control), for PLAY_NOTIFY.
    base_url: String,
    /// The connection that created it (receives PLAY_NOTIFY).
    conn: ConnectionId,
    last_activity: Instant,
    /// The instant its expiry timer is filed under in the timer table.
    timer_at: Instant,
    /// Depacketizers the application attached to recorded streams.
    depacketizers: Vec<(TrackId, Box<dyn crate::codec::Depacketizer + Send>)>,
    /// On-demand media: the normal play time of the position, and since when it
    /// advances (`None` while paused); `None` when unknown.
    npt_anchor: Option<(Duration, Option<Instant>)>,
    /// The `Scale` on-demand media plays at: the position moves this many seconds per
    /// second (negative: backwards). 1 unless a PLAY was answered with
    /// [`Server::respond_play_scaled`].
    scale: f64,
}

impl ServerSession {
    /// On-demand media: the position at `now`, moved on from the anchor at the session's
    /// scale while playing (never before 0); `None` when unknown.
    fn position(&self, now: Instant) -> Option<Duration> {
        let (npt, since) = self.npt_anchor?;
        let Some(since) = since else {
            return Some(npt);
        };
        let elapsed = now.saturating_duration_since(since);
        if self.scale == 1.0 {
            return Some(npt.saturating_add(elapsed));
        }
        let moved = elapsed.as_secs_f64() * self.scale;
        Some(if moved >= 0.0 {
            npt.saturating_add(Duration::try_from_secs_f64(moved).unwrap_or(Duration::MAX))
        } else {
            npt.saturating_sub(Duration::try_from_secs_f64(-moved).unwrap_or(Duration::MAX))
        })
    }
}

/// A response slot, kept in request order so answers leave in the order requests came.
#[derive(Debug)]
struct Slot {
    id: Option<RequestId>,
    bytes: Option<Bytes>,
}

#[derive(Debug, Clone, Copy)]
struct ChannelUse {
    channel: u8,
    session: SessionId,
    track: TrackId,
    rtcp: bool,
}

#[derive(Debug)]
struct Connection {
    peer: SocketAddr,
    local: SocketAddr,
    decoder: Decoder,
    out: VecDeque<Bytes>,
    out_bytes: usize,
    slots: VecDeque<Slot>,
    pending: usize,
    channels: Vec<ChannelUse>,
    /// RTSP 2.0 `Pipelined-Requests` ids and the session each created.
    pipelined: Vec<(u32, SessionId)>,
    /// Requests waiting behind their session's pending SETUP, in arrival order.
    deferred: VecDeque<Deferred>,
    errors: usize,
    /// Interleaved frames in a row on unassigned channels (see
    /// [`ServerLimits::max_unassigned_frames`]).
    unassigned_frames: usize,
    /// Listed in the writable queue since the caller last saw it there.
    notified: bool,
    /// Closed by the server (slow reader): nothing more is queued.
    dead: bool,
    next_cseq: u32,
    /// When the message whose first bytes are buffered must be complete
    /// ([`ServerConfig::read_timeout`]).
    read_deadline: Option<Instant>,
}

impl Connection {
    /// Gives request `id` its place in the response order: the slot of the request it
    /// resumes (`resumed`, which keeps that slot and its count), else a new slot at the
    /// end, counted as pending.
    fn claim_slot(&mut self, resumed: Option<RequestId>, id: RequestId) {
        match resumed.and_then(|r| self.slots.iter_mut().find(|s| s.id == Some(r))) {
            Some(slot) => slot.id = Some(id),
            None => {
                self.pending += 1;
                self.slots.push_back(Slot {
                    id: Some(id),
                    bytes: None,
                });
            }
        }
    }
}

/// A request that waits for its session's SETUP to be answered (RTSP 2.0 pipelining).
#[derive(Debug)]
struct Deferred {
    /// Its response slot.
    id: RequestId,
    session: SessionId,
    /// The authenticated user.
    user: Option<String>,
    request: crate::message::Request,
}

/// A request waiting for the application.
#[derive(Debug)]
struct Pending {
    conn: ConnectionId,
    cseq: u32,
    version: Version,
    method: Method,
    url: String,
    session: Option<SessionId>,
    new_session: bool,
    mount: Option<MountId>,
    track: Option<TrackId>,
    transport: Option<Transport>,
    mode: SetupMode,
    pipelined: Option<u32>,
    /// PLAY: the requested range and seek style.
    range: Option<crate::header::Range>,
    seek_style: Option<crate::header::SeekStyle>,
    /// PLAY: the requested `Scale`, if any and readable.
    scale: Option<f64>,
    /// When the server answers for the application.
    answer_at: Instant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Timer {
    Session(SessionId),
    Answer(RequestId),
    Rtcp(MountId, usize),
    Read(ConnectionId),
}

/// The RTSP server state machine. See the [module documentation](self) for the call
/// protocol and an example.
pub struct Server {
    config: ServerConfig,
    /// Connections, datagrams and the fan-out's scratch space.
    out: OutputState,
    sessions: Slab<ServerSession>,
    session_by_token: HashMap<String, SessionId>,
    udp_sources: HashMap<(MediaSocket, SocketAddr), (SessionId, TrackId)>,
    mounts: Slab<Mount>,
    mount_by_path: HashMap<String, MountId>,
    pending: HashMap<RequestId, Pending>,
    next_request: u64,
    next_group: u32,
    events: VecDeque<ServerEvent>,
    timers: BTreeSet<(Instant, Timer)>,
    epoch: Option<Instant>,
    dropped_events: u64,
    /// Reused per frame: the packets of the frame.
    packets: Vec<(Bytes, u32, usize)>,
    /// While a request that waited behind a pipelined SETUP is processed again: the
    /// response slot it holds.
    reslot: Option<RequestId>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("config", &self.config)
            .field("connections", &self.out.conns.len())
            .field("sessions", &self.sessions.len())
            .field("mounts", &self.mounts.len())
            .finish_non_exhaustive()
    }
}

impl Server {
    /// A server with this configuration, no connection, session or mount.
    pub fn new(config: ServerConfig) -> Server {
        Server {
            out: OutputState::new(&config.limits),
            config,
            sessions: Slab::default(),
            session_by_token: HashMap::new(),
            udp_sources: HashMap::new(),
            mounts: Slab::default(),
            mount_by_path: HashMap::new(),
            pending: HashMap::new(),
            next_request: 1,
            next_group: 0,
            events: VecDeque::new(),
            timers: BTreeSet::new(),
            epoch: None,
            dropped_events: 0,
            packets: Vec::new(),
            reslot: None,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// Registers a new TCP connection from `peer`, accepted on the local address `local`
    /// (used in `src_addr` and for the `Content-Base` of relative requests). Fails at
    /// [`ServerLimits::max_connections`] (close the socket then).
    pub fn accept(
        &mut self,
        now: Instant,
        peer: SocketAddr,
        local: SocketAddr,
    ) -> Result<ConnectionId, ApiError> {
        self.epoch.get_or_insert(now);
        if self.out.conns.len() >= self.config.limits.max_connections {
            self.push_event(ServerEvent::Diagnostic(Diagnostic::TooManyConnections));
            return Err(ApiError::TooManyConnections);
        }
        let key = self.out.conns.insert(Connection {
            peer,
            local,
            decoder: Decoder::with_limits(self.config.limits.decoder),
            out: VecDeque::new(),
            out_bytes: 0,
            slots: VecDeque::new(),
            pending: 0,
            channels: Vec::new(),
            pipelined: Vec::new(),
            deferred: VecDeque::new(),
            errors: 0,
            unassigned_frames: 0,
            notified: false,
            dead: false,
            next_cseq: 1,
            read_deadline: None,
        });
        Ok(ConnectionId(key))
    }

    /// The connection closed (by the peer or the caller). Its sessions with interleaved
    /// streams end ([`SessionEndReason::ConnectionClosed`]); sessions with UDP streams
    /// live on until TEARDOWN or their timeout. Unknown ids are ignored.
    pub fn connection_closed(&mut self, now: Instant, conn: ConnectionId) {
        self.drop_connection(now, conn, None);
    }

    /// Closes a connection from the application's side: like
    /// [`Server::connection_closed`], and a [`ServerEvent::ConnectionClosed`] is reported.
    pub fn close_connection(&mut self, now: Instant, conn: ConnectionId) {
        self.drop_connection(now, conn, Some(CloseReason::Closed));
    }

    /// The peer address of a connection.
    pub fn connection_peer(&self, conn: ConnectionId) -> Option<SocketAddr> {
        self.out.conns.get(conn.0).map(|c| c.peer)
    }

    /// Number of open connections.
    pub fn connection_count(&self) -> usize {
        self.out.conns.len()
    }

    /// Number of sessions.
    pub fn session_count(&self) -> usize {
        self.sessions.len()
    }

    /// Requests waiting for the application's answer, over all connections (each is
    /// answered `503` by the server after [`ServerConfig::answer_timeout`]).
    pub fn pending_request_count(&self) -> usize {
        self.pending.len()
    }

    /// UDP source addresses currently mapped to a session's stream.
    pub fn udp_source_count(&self) -> usize {
        self.udp_sources.len()
    }

    /// Timers scheduled (session expiries, answer deadlines, RTCP reports); the earliest
    /// is [`Server::poll_timeout`].
    pub fn timer_count(&self) -> usize {
        self.timers.len()
    }

    /// Events waiting in [`Server::poll_event`] and datagrams waiting in
    /// [`Server::poll_transmit`].
    pub fn queued_counts(&self) -> (usize, usize) {
        (self.events.len(), self.out.transmits.len())
    }

    /// Sessions attached to a mount (players and publishers that set up one of its
    /// streams), and the unicast sinks of all its tracks; `None` for an unknown mount.
    pub fn mount_attachments(&self, mount: MountId) -> Option<(usize, usize)> {
        self.mounts.get(mount.0).map(|m| {
            (
                m.sessions.len(),
                m.tracks.iter().map(|t| t.sinks.len()).sum(),
            )
        })
    }

    /// The session identifier sent in `Session` headers.
    pub fn session_token(&self, session: SessionId) -> Option<&str> {
        self.sessions.get(session.0).map(|s| s.token.as_str())
    }

    /// The state of a session.
    pub fn session_state(&self, session: SessionId) -> Option<SessionState> {
        self.sessions.get(session.0).map(|s| s.state)
    }

    /// Ends a session from the application's side (its media stops;
    /// [`SessionEndReason::Closed`] is reported).
    pub fn close_session(&mut self, now: Instant, session: SessionId) -> Result<(), ApiError> {
        if self.sessions.get(session.0).is_none() {
            return Err(ApiError::UnknownSession(session));
        }
        self.remove_session(now, session, SessionEndReason::Closed);
        Ok(())
    }

    /// Bytes read from a connection: complete requests and interleaved frames are split
    /// off the front of `buf` (zero-copy); an incomplete tail stays for the next call.
    /// Unknown connection ids are ignored (the buffer is left as is).
    pub fn handle_stream(&mut self, now: Instant, conn: ConnectionId, buf: &mut BytesMut) {
        self.epoch.get_or_insert(now);
        let mut decoded = false;
        loop {
            let Some(c) = self.out.conns.get_mut(conn.0) else {
                return;
            };
            if c.dead {
                buf.clear();
                return;
            }
            let result = c.decoder.decode(buf);
            decoded |= !matches!(result, Ok(None));
            match result {
                Ok(None) => break,
                Ok(Some(crate::message::Message::Request(req))) => {
                    c.unassigned_frames = 0;
                    self.handle_request(now, conn, req)
                }
                Ok(Some(crate::message::Message::Data(d))) => {
                    if !self.handle_interleaved(now, conn, d.channel, d.payload) {
                        buf.clear();
                        self.finish_input(now);
                        return;
                    }
                }
                Ok(Some(crate::message::Message::Response(_))) => {
                    // Answers to our PLAY_NOTIFY requests; nothing to do.
                    if c.next_cseq <= 1 {
                        self.push_event(ServerEvent::Diagnostic(Diagnostic::UnexpectedResponse {
                            conn,
                        }));
                    }
                }
                Err(error) => {
                    c.errors += 1;
                    let too_many = c.errors > self.config.limits.max_decode_errors;
                    let status = error.status_code();
                    let frame_error = matches!(
                        error.kind,
                        crate::message::DecodeErrorKind::FrameTooLarge { .. }
                    );
                    self.push_event(ServerEvent::Diagnostic(Diagnostic::Malformed {
                        conn,
                        error,
                    }));
                    if too_many {
                        self.drop_connection(now, conn, Some(CloseReason::TooManyErrors));
                        buf.clear();
                        return;
                    }
                    // A skipped oversized frame needs no answer; a bad request does.
                    if !frame_error {
                        let resp = self.response(status, Version::V1_0, None).build();
                        self.queue_immediate(conn, &resp);
                    }
                }
            }
        }
        self.arm_read_timer(now, conn, decoded, !buf.is_empty());
        self.finish_input(now);
    }

    /// Slowloris defence: a message whose first bytes arrived must be complete within
    /// [`ServerConfig::read_timeout`]. The deadline starts with the first byte of each
    /// message and ends when no partial message is buffered.
    fn arm_read_timer(&mut self, now: Instant, conn: ConnectionId, decoded: bool, partial: bool) {
        let timeout = self.config.read_timeout;
        let Some(c) = self.out.conns.get_mut(conn.0) else {
            return;
        };
        if let Some(at) = c.read_deadline {
            if partial && !decoded {
                return; // the same message is still arriving
            }
            self.timers.remove(&(at, Timer::Read(conn)));
            c.read_deadline = None;
        }
        if partial {
            let at = now + timeout;
            c.read_deadline = Some(at);
            self.timers.insert((at, Timer::Read(conn)));
        }
    }

    /// A UDP datagram arrived on one of the caller's media sockets. RTP from a
    /// publishing session is reported as [`ServerEvent::Rtp`], RTCP as
    /// [`ServerEvent::Rtcp`]; anything from a session's client (RTCP receiver reports of
    /// players included) keeps the session alive (QUIRKS 55: FFmpeg publishing over UDP
    /// sends no other keep-alive).
    pub fn handle_datagram(
        &mut self,
        now: Instant,
        socket: MediaSocket,
        from: SocketAddr,
        payload: Bytes,
    ) {
        self.epoch.get_or_insert(now);
        match self.udp_sources.get(&(socket, from)).copied() {
            Some((session, track)) => {
                self.media_from_client(now, session, track, socket == MediaSocket::Rtcp, payload)
            }
            None => self.push_event(ServerEvent::Diagnostic(Diagnostic::UnknownSource {
                socket,
                from,
            })),
        }
        self.finish_input(now);
    }

    /// Runs the timers due at `now`: session expiry, RTCP sender reports. A call before
    /// anything is due does nothing.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.epoch.get_or_insert(now);
        while let Some(&(at, timer)) = self.timers.first() {
            if at > now {
                break;
            }
            self.timers.remove(&(at, timer));
            match timer {
                Timer::Session(id) => self.session_timer(now, id),
                Timer::Answer(id) => {
                    if self.pending.contains_key(&id) {
                        self.push_event(ServerEvent::Diagnostic(Diagnostic::Unanswered { id }));
                        let _ = self.reject(now, id, crate::StatusCode::SERVICE_UNAVAILABLE);
                    }
                }
                Timer::Rtcp(mount, track) => self.rtcp_timer(now, mount, track),
                Timer::Read(conn) => {
                    if self
                        .out
                        .conns
                        .get(conn.0)
                        .is_some_and(|c| c.read_deadline == Some(at))
                    {
                        self.drop_connection(now, conn, Some(CloseReason::ReadTimeout));
                    }
                }
            }
        }
        self.finish_input(now);
    }

    /// The next UDP datagram to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.out.transmits.pop_front()
    }

    /// A connection that got new output since it was last returned here: drain it with
    /// [`Server::poll_stream_output`] when its socket is writable.
    pub fn poll_writable(&mut self) -> Option<ConnectionId> {
        while let Some(id) = self.out.writable.pop_front() {
            if let Some(c) = self.out.conns.get_mut(id.0) {
                c.notified = false;
                return Some(id);
            }
        }
        None
    }

    /// The next chunk of bytes to write to a connection (responses, interleaved media),
    /// in order. Chunks are shared with other connections where the content is the same.
    pub fn poll_stream_output(&mut self, conn: ConnectionId) -> Option<Bytes> {
        let c = self.out.conns.get_mut(conn.0)?;
        let b = c.out.pop_front()?;
        c.out_bytes -= b.len();
        Some(b)
    }

    /// Bytes queued for a connection.
    pub fn stream_output_len(&self, conn: ConnectionId) -> usize {
        self.out.conns.get(conn.0).map_or(0, |c| c.out_bytes)
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<ServerEvent> {
        self.events.pop_front()
    }

    /// When to call [`Server::handle_timeout`] next, if anything is scheduled.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.first().map(|(at, _)| *at)
    }

    // ---- internals shared by the submodules ----

    fn push_event(&mut self, event: ServerEvent) {
        let droppable = matches!(
            event,
            ServerEvent::Rtp { .. }
                | ServerEvent::Rtcp { .. }
                | ServerEvent::Frame { .. }
                | ServerEvent::Diagnostic(_)
        );
        if droppable && self.events.len() >= self.config.limits.max_events {
            self.dropped_events += 1;
            return;
        }
        self.events.push_back(event);
    }

    /// After every input: report drops, close slow readers.
    fn finish_input(&mut self, now: Instant) {
        self.close_slow(now);
        if self.out.dropped_transmits > 0 && self.events.len() < self.config.limits.max_events {
            let count = std::mem::take(&mut self.out.dropped_transmits);
            self.events
                .push_back(ServerEvent::Diagnostic(Diagnostic::TransmitsDropped {
                    count,
                }));
        }
        if self.dropped_events > 0 && self.events.len() < self.config.limits.max_events {
            let count = std::mem::take(&mut self.dropped_events);
            self.events
                .push_back(ServerEvent::Diagnostic(Diagnostic::EventsDropped { count }));
        }
    }

    fn close_slow(&mut self, now: Instant) {
        while let Some(conn) = self.out.slow.pop() {
            self.drop_connection(now, conn, Some(CloseReason::SlowReader));
        }
    }

    fn ntp(&self, now: Instant) -> NtpTimestamp {
        match self.config.ntp_origin {
            Some((at, ntp)) => {
                let since = now.saturating_duration_since(at);
                ntp.checked_add(since).unwrap_or(ntp)
            }
            None => {
                let since = self
                    .epoch
                    .map_or(Duration::ZERO, |e| now.saturating_duration_since(e));
                NtpTimestamp::from_unix(since)
            }
        }
    }

    fn drop_connection(&mut self, now: Instant, conn: ConnectionId, reason: Option<CloseReason>) {
        let Some(c) = self.out.conns.remove(conn.0) else {
            return;
        };
        if let Some(at) = c.read_deadline {
            self.timers.remove(&(at, Timer::Read(conn)));
        }
        if c.notified {
            self.out.writable.retain(|w| *w != conn);
        }
        let timers = &mut self.timers;
        self.pending.retain(|id, p| {
            if p.conn == conn {
                timers.remove(&(p.answer_at, Timer::Answer(*id)));
            }
            p.conn != conn
        });
        // Sessions with streams interleaved on this connection end with it.
        let mut ending: Vec<SessionId> = c.channels.iter().map(|u| u.session).collect();
        ending.sort_unstable();
        ending.dedup();
        // Sessions created here that never got a stream are forgotten too.
        for (key, s) in self.sessions.iter() {
            if s.conn == conn && s.tracks.is_empty() {
                ending.push(SessionId(key));
            }
        }
        for s in ending {
            self.remove_session(now, s, SessionEndReason::ConnectionClosed);
        }
        if let Some(reason) = reason {
            self.push_event(ServerEvent::ConnectionClosed { conn, reason });
        }
    }

    /// Removes a session and everything that points at it.
    fn remove_session(&mut self, _now: Instant, id: SessionId, reason: SessionEndReason) {
        let Some(mut s) = self.sessions.remove(id.0) else {
            return;
        };
        self.session_by_token.remove(&s.token);
        self.timers.remove(&(s.timer_at, Timer::Session(id)));
        for t in &s.tracks {
            match t.transport {
                StreamTransport::Interleaved { conn, .. } => {
                    if let Some(c) = self.out.conns.get_mut(conn.0) {
                        c.channels.retain(|u| u.session != id);
                    }
                }
                StreamTransport::Udp { rtp, rtcp } => {
                    self.udp_sources.remove(&(MediaSocket::Rtp, rtp));
                    self.udp_sources.remove(&(MediaSocket::Rtcp, rtcp));
                }
                StreamTransport::Multicast => {}
            }
        }
        if let Some(c) = self.out.conns.get_mut(s.conn.0) {
            c.pipelined.retain(|(_, sid)| *sid != id);
        }
        if let Some(m) = s.mount.and_then(|m| self.mounts.get_mut(m.0)) {
            m.sessions.retain(|x| *x != id);
            detach_sinks(m, id, &mut s.tracks);
        }
        // A SETUP waiting for the application may still name it.
        for p in self.pending.values_mut() {
            if p.session == Some(id) {
                p.session = None;
            }
        }
        if s.state != SessionState::Init || !s.tracks.is_empty() {
            self.push_event(ServerEvent::SessionClosed {
                session: id,
                mount: s.mount,
                publisher: s.mode == SetupMode::Record,
                reason,
            });
        }
    }

    /// Removes one stream of a session that keeps others: its media stops, its channels,
    /// UDP sources and multicast membership are freed
    /// ([`ServerEvent::StreamRemoved`]).
    fn remove_stream(&mut self, id: SessionId, track: TrackId) {
        let Some(s) = self.sessions.get_mut(id.0) else {
            return;
        };
        let Some(i) = s.tracks.iter().position(|t| t.track == track) else {
            return;
        };
        let mut t = s.tracks.remove(i);
        let mount = s.mount;
        s.depacketizers.retain(|(d, _)| *d != track);
        match t.transport {
            StreamTransport::Interleaved { conn, .. } => {
                if let Some(c) = self.out.conns.get_mut(conn.0) {
                    c.channels
                        .retain(|u| !(u.session == id && u.track == track));
                }
            }
            StreamTransport::Udp { rtp, rtcp } => {
                self.udp_sources.remove(&(MediaSocket::Rtp, rtp));
                self.udp_sources.remove(&(MediaSocket::Rtcp, rtcp));
            }
            StreamTransport::Multicast => {}
        }
        if let Some(m) = mount.and_then(|m| self.mounts.get_mut(m.0)) {
            detach_sinks(m, id, std::slice::from_mut(&mut t));
        }
        if let Some(mount) = mount {
            self.push_event(ServerEvent::StreamRemoved {
                session: id,
                mount,
                track,
            });
        }
    }

    fn session_timer(&mut self, now: Instant, id: SessionId) {
        let timeout = self.config.session_timeout;
        let Some(s) = self.sessions.get_mut(id.0) else {
            return;
        };
        let deadline = s.last_activity + timeout;
        if deadline <= now {
            self.remove_session(now, id, SessionEndReason::Timeout);
        } else {
            s.timer_at = deadline;
            self.timers.insert((deadline, Timer::Session(id)));
        }
    }
}

/// Removes the sinks (and multicast memberships) of a session's attached streams from its
/// mount's tracks.
fn detach_sinks(m: &mut Mount, id: SessionId, tracks: &mut [SessionTrack]) {
    for t in tracks.iter_mut().filter(|t| t.attached) {
        t.attached = false;
        if let Some(track) = m.tracks.get_mut(t.track.0) {
            match t.transport {
                StreamTransport::Multicast => {
                    track.multicast_members = track.multicast_members.saturating_sub(1)
                }
                _ => track.sinks.retain(|s| s.session != id),
            }
        }
    }
}

#[cfg(test)]
mod tests;
