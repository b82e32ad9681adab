//! The sans-IO RTSP client: [`ClientSession`], driven as the crate's design describes.
//!
//! One `ClientSession` models one RTSP connection and the session on it ([RFC 2326
//! Appendix A.1](https://www.rfc-editor.org/rfc/rfc2326#appendix-A.1), [RFC 7826
//! Appendix B](https://www.rfc-editor.org/rfc/rfc7826#appendix-B)): cheap cameras tie
//! state to the connection (QUIRKS.md 16), so a reconnect is a new `ClientSession`.
//!
//! - **Inputs:** [`handle_stream`](ClientSession::handle_stream) with the bytes read from
//!   the RTSP connection, [`handle_datagram`](ClientSession::handle_datagram) with what a
//!   track's UDP socket received, [`handle_timeout`](ClientSession::handle_timeout) when
//!   [`poll_timeout`](ClientSession::poll_timeout)'s instant has come, and
//!   [`handle_close`](ClientSession::handle_close) when the connection ends.
//! - **Intents:** [`describe`](ClientSession::describe), [`setup`](ClientSession::setup),
//!   [`play`](ClientSession::play), ... queue a request and return its [`RequestId`].
//! - **Outputs**, after every input or intent, in this order: drain
//!   [`poll_transmit`](ClientSession::poll_transmit) (write each [`Transmit`] to the
//!   connection or the track's socket), drain [`poll_event`](ClientSession::poll_event),
//!   then read [`poll_timeout`](ClientSession::poll_timeout).
//!
//! The machine retries once with credentials on `401` (from [`ClientConfig::credentials`]
//! or the URL's userinfo), keeps the session alive, sends RTCP receiver reports at the
//! RFC 3550 interval, matches responses by `CSeq`, and turns RTP into frames with the
//! codec the description names. Deviations of real devices are handled by the named
//! [`Policies`].
//!
//! ```no_run
//! use bytes::BytesMut;
//! use rtsp_proto::client::{ClientConfig, ClientEvent, ClientSession, Destination, PlayOptions, SetupTransport, TrackId};
//! use std::io::{Read, Write};
//! use std::time::Instant;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut conn = std::net::TcpStream::connect("192.0.2.10:554")?;
//! let mut client = ClientSession::new("rtsp://user:pass@192.0.2.10/stream", ClientConfig::default())?;
//! let mut buf = BytesMut::with_capacity(64 * 1024);
//! client.describe(Instant::now())?;
//! loop {
//!     while let Some(t) = client.poll_transmit() {
//!         if t.destination == Destination::Control { conn.write_all(&t.data)?; }
//!     }
//!     while let Some(ev) = client.poll_event() {
//!         match ev {
//!             ClientEvent::Described { tracks } => {
//!                 for i in 0..tracks { client.setup(Instant::now(), TrackId(i), SetupTransport::Tcp)?; }
//!                 client.play(Instant::now(), PlayOptions::default())?;
//!             }
//!             ClientEvent::Frame { track, frame, .. } => println!("{track:?}: {} bytes", frame.data.len()),
//!             ClientEvent::Closed { .. } => return Ok(()),
//!             _ => {}
//!         }
//!     }
//!     let mut chunk = [0u8; 16 * 1024];
//!     let n = conn.read(&mut chunk)?; // a real loop also wakes up at poll_timeout()
//!     if n == 0 { client.handle_close(Instant::now()); continue; }
//!     buf.extend_from_slice(&chunk[..n]);
//!     client.handle_stream(Instant::now(), &mut buf)?;
//! }
//! # }
//! ```

mod config;
mod event;
mod track;

pub use config::{
    CSeqPolicy, ClientConfig, DatagramSourcePolicy, ForeignSsrcPolicy, KeepAlivePolicy, Limits,
    Policies, RtpInfoPolicy, SessionIdPolicy, StaleSessionPolicy, UnassignedChannelPolicy,
    UnknownRtcpSsrcPolicy,
};
pub use event::{
    ClientError, ClientEvent, Destination, Diagnostic, DiagnosticKind, MediaTime, RequestId,
    StreamKind, TrackId, TrackTransport, Transmit,
};
pub use track::{TrackInfo, TrackStats};

use crate::auth::{ClientAuthenticator, UserCredentials};
use crate::codec;
use crate::header::{
    CSeq, ChannelRange, ContentType, NptTime, PortRange, Public, Range, RangeSpec, RtpInfo, Scale,
    Session, Speed, TimeRange, Transport, TransportSpec, TypedHeader, WwwAuthenticate,
};
use crate::message::{
    encode_frame, Decoder, HeaderName, HeaderValue, Headers, Message, Method, Request, Response,
    StatusCode, Version,
};
use crate::rtcp::{write_report, Compound, ReportConfig, RtcpPacket, ValidationMode};
use crate::rtp::{ReceiverStats, ReorderBuffer, ReorderEvent, RtpPacket, SenderStats};
use crate::sdp::{Presentation, Url};
use crate::time::NtpTimestamp;
use crate::Ssrc;
use bytes::{Buf, Bytes, BytesMut};
use rand::RngCore;
use std::collections::VecDeque;
use std::time::{Duration, Instant};
use track::Track;

/// How a track's media should travel, as asked in `SETUP`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SetupTransport {
    /// Interleaved on the RTSP connection; the machine picks channels `2n`, `2n + 1` for
    /// track `n` and honours the server's choice.
    Tcp,
    /// UDP unicast: the caller has bound a socket at `client_port` (RTP, even) and one at
    /// `client_port + 1` (RTCP), and feeds what they receive to
    /// [`ClientSession::handle_datagram`].
    Udp {
        /// The caller's RTP port.
        client_port: u16,
    },
    /// TCP, and UDP at `client_port` if the server answers `461 Unsupported Transport`
    /// (the retry is automatic and keeps the request id).
    ///
    /// **Background:** servers that only stream over UDP, such as VLC's `--sout #rtp`,
    /// answer 461 to a TCP `SETUP` (QUIRKS.md 17, retina issue 103).
    TcpThenUdp {
        /// The caller's RTP port, bound in advance.
        client_port: u16,
    },
    /// UDP at `client_port`, and TCP if the server answers 461.
    UdpThenTcp {
        /// The caller's RTP port.
        client_port: u16,
    },
    /// UDP multicast ([RFC 2326 §12.39](https://www.rfc-editor.org/rfc/rfc2326#section-12.39)):
    /// the server picks group, ports and TTL; the [`ClientEvent::TrackSetUp`] says which,
    /// and the caller joins the group, binds the ports and feeds datagrams to
    /// [`ClientSession::handle_datagram`].
    Multicast,
}

/// Options of a `PLAY` ([RFC 2326 §10.5](https://www.rfc-editor.org/rfc/rfc2326#section-10.5)).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct PlayOptions {
    /// `Range` (none: from the current position, or the start).
    pub range: Option<Range>,
    /// `Scale`.
    pub scale: Option<Scale>,
    /// `Speed`.
    pub speed: Option<Speed>,
}

impl PlayOptions {
    /// Play from `range`.
    pub fn with_range(mut self, range: Range) -> PlayOptions {
        self.range = Some(range);
        self
    }
}

/// A session that ended without a `TEARDOWN` answer (dropped connection, error, timeout):
/// the server may keep it, and a live555 before 2017.06.04 keeps sending its data
/// ([`StaleSessionPolicy`]). Tear it down on the next connection with
/// [`ClientSession::teardown_stale`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StaleSession {
    /// The session id.
    pub id: String,
    /// The URL its `TEARDOWN` goes to (the aggregate control URL).
    pub url: String,
    /// The SSRCs its tracks used or were announced with (their data is dropped on the
    /// session that tears it down).
    pub ssrcs: Vec<Ssrc>,
    /// How long the server keeps it without keep-alives (its `Session` timeout).
    pub timeout: Duration,
    /// The server's live555 version, when it has the stale-session bug.
    pub buggy_live555: Option<(u16, u8, u8)>,
}

/// The most stale SSRCs a session drops (from [`ClientSession::teardown_stale`]).
const MAX_STALE_SSRCS: usize = 64;

/// Where the session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum State {
    /// Nothing described yet.
    Init,
    /// Tracks known (DESCRIBE or ANNOUNCE answered).
    Described,
    /// At least one track set up; not playing.
    Ready,
    /// Playing.
    Playing,
    /// Recording (publishing).
    Recording,
    /// Closed: no more input is processed.
    Closed,
}

impl State {
    fn name(self) -> &'static str {
        match self {
            State::Init => "init",
            State::Described => "described",
            State::Ready => "ready",
            State::Playing => "playing",
            State::Recording => "recording",
            State::Closed => "closed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    User,
    KeepAlive,
    Options,
    Describe,
    Announce,
    Setup {
        track: usize,
        fallback: Option<SetupTransport>,
    },
    Play,
    Record,
    Pause,
    Teardown,
    StaleTeardown,
}

#[derive(Debug)]
struct InFlight {
    id: RequestId,
    cseq: u32,
    method: Method,
    uri: String,
    headers: Headers,
    body: Bytes,
    purpose: Purpose,
    deadline: Instant,
    auth_retried: bool,
}

/// The event queue, bounded for media events.
#[derive(Debug)]
struct Events {
    queue: VecDeque<ClientEvent>,
    max: usize,
    dropped: u64,
}

impl Events {
    fn push(&mut self, ev: ClientEvent) {
        self.queue.push_back(ev);
    }

    fn diag(&mut self, track: Option<usize>, kind: DiagnosticKind) {
        // Diagnostics are as droppable as media: a flood of bad packets must not grow
        // the queue.
        self.media(ClientEvent::Diagnostic(Diagnostic {
            track: track.map(TrackId),
            kind,
        }));
    }

    fn media(&mut self, ev: ClientEvent) {
        self.media_with(|| ev);
    }

    /// [`Self::media`] with the event built only once there is room, right into the
    /// queue (building it first and moving it in costs a copy and, per event, a stall on
    /// the stores just made).
    #[inline]
    fn media_with(&mut self, ev: impl FnOnce() -> ClientEvent) {
        if self.queue.len() >= self.max {
            self.dropped += 1;
            if self.dropped.is_power_of_two() {
                // Bounded: one report at 1, 2, 4, 8, ... drops, beyond the limit.
                self.queue.push_back(ClientEvent::Diagnostic(Diagnostic {
                    track: None,
                    kind: DiagnosticKind::EventsDropped {
                        total: self.dropped,
                    },
                }));
            }
            return;
        }
        self.queue.push_back(ev());
    }
}

/// The sans-IO RTSP client for one connection. See the [module docs](self).
pub struct ClientSession {
    config: ClientConfig,
    url: Url,
    decoder: Decoder,
    state: State,
    next_cseq: u32,
    next_id: u64,
    in_flight: VecDeque<InFlight>,
    timed_out: VecDeque<u32>,
    auth: ClientAuthenticator,
    session: Option<Session>,
    session_timeout: Duration,
    public: Option<Public>,
    presentation: Option<Presentation>,
    tracks: Vec<Track>,
    transmits: VecDeque<Transmit>,
    events: Events,
    keepalive_at: Option<Instant>,
    ssrc: Ssrc,
    publishing: bool,
    reported_channels: [u64; 4],
    /// Interleaved channel → track, so that a `$` frame finds its track in one load:
    /// 0 for none, else `(track index << 1 | 1 for RTCP) + 1`. Rebuilt whenever a track's
    /// transport changes ([`Self::index_channels`]).
    channels: Box<[u32; 256]>,
    /// Whether any response arrived on this connection.
    answered: bool,
    /// The first instant seen, NTP time zero without [`ClientConfig::ntp_origin`].
    epoch: Option<Instant>,
    /// The server's live555 version, when it has the stale-session bug.
    buggy_live555: Option<(u16, u8, u8)>,
    /// Drop foreign SSRCs on interleaved tracks (a buggy live555, by policy).
    stale_filter: bool,
    /// SSRCs of stale sessions torn down on this connection.
    stale_ssrcs: Vec<Ssrc>,
    /// The `Pipelined-Requests` id of the start-up (RTSP 2.0), until a session id comes.
    pipeline: Option<u32>,
}

impl std::fmt::Debug for ClientSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSession")
            .field("url", &self.url.as_str())
            .field("state", &self.state)
            .field("session", &self.session.as_ref().map(|s| s.id.as_str()))
            .field("tracks", &self.tracks)
            .finish_non_exhaustive()
    }
}

impl ClientSession {
    /// A client for `url` (`rtsp://[user:pass@]host[:port]/path`). Credentials in the URL
    /// are used when the config has none; they are never sent in request URIs.
    pub fn new(url: &str, mut config: ClientConfig) -> Result<ClientSession, ClientError> {
        let mut parsed = Url::parse(url).map_err(|_| ClientError::InvalidUrl)?;
        if !matches!(parsed.scheme(), "rtsp" | "rtsps" | "rtspu") || !parsed.has_host() {
            return Err(ClientError::InvalidUrl);
        }
        let creds = config
            .credentials
            .take()
            .or_else(|| UserCredentials::from_url(url));
        // Userinfo must not appear in request URIs.
        let _ = parsed.set_username("");
        let _ = parsed.set_password(None);
        Ok(ClientSession::fresh(
            parsed,
            config,
            ClientAuthenticator::new(creds),
        ))
    }

    /// A session in its initial state, with a new SSRC from `config`'s RNG.
    fn fresh(url: Url, mut config: ClientConfig, auth: ClientAuthenticator) -> ClientSession {
        let ssrc = Ssrc(config.rng.next_u32());
        let decoder = Decoder::with_limits(config.limits.message);
        let events = Events {
            queue: VecDeque::new(),
            max: config.limits.max_events,
            dropped: 0,
        };
        ClientSession {
            session_timeout: config.default_session_timeout,
            config,
            url,
            decoder,
            state: State::Init,
            next_cseq: 1,
            next_id: 0,
            in_flight: VecDeque::new(),
            timed_out: VecDeque::new(),
            auth,
            session: None,
            public: None,
            presentation: None,
            tracks: Vec::new(),
            transmits: VecDeque::new(),
            events,
            keepalive_at: None,
            ssrc,
            publishing: false,
            reported_channels: [0; 4],
            channels: Box::new([0; 256]),
            answered: false,
            epoch: None,
            buggy_live555: None,
            stale_filter: false,
            stale_ssrcs: Vec::new(),
            pipeline: None,
        }
    }

    /// A session for a new connection to the same server that keeps what this one
    /// learned: the description (tracks and control URLs), the accepted authentication
    /// challenge and the server's `Public` list. The new session starts in
    /// [`State::Described`] (with a [`ClientEvent::Described`] to poll), so the caller can
    /// `SETUP` at once; `CSeq` numbering continues.
    ///
    /// **Background:** VStarcam cameras drop the connection right after an authenticated
    /// `DESCRIBE` (QUIRKS.md 16, retina issue 45), so the `SETUP` has to go on a new
    /// connection without describing again. Hikvision cameras want the opposite (a
    /// `DESCRIBE` before `SETUP` on a reconnect, QUIRKS.md 18): call
    /// [`describe`](Self::describe) on the resumed session, which replaces the tracks.
    pub fn resume(&self, mut config: ClientConfig) -> ClientSession {
        config.credentials = None;
        let mut next = ClientSession::fresh(self.url.clone(), config, self.auth.clone());
        next.next_cseq = self.next_cseq;
        next.next_id = self.next_id;
        next.public = self.public.clone();
        if let Some(p) = &self.presentation {
            next.publishing = self.publishing;
            next.set_presentation(p.clone());
        }
        // The same server: its live555 bug (reported once, on this session) still applies.
        next.buggy_live555 = self.buggy_live555;
        next.stale_filter = self.buggy_live555.is_some()
            && next.config.policies.stale_session == StaleSessionPolicy::TeardownAndFilter;
        next
    }

    // ----- accessors -----

    /// The URL requests go to (without userinfo).
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Where the session stands.
    pub fn state(&self) -> State {
        self.state
    }

    /// The session id, once a `SETUP` gave one.
    pub fn session_id(&self) -> Option<&str> {
        self.session.as_ref().map(|s| s.id.as_str())
    }

    /// The description, after `DESCRIBE` (or `ANNOUNCE`).
    pub fn presentation(&self) -> Option<&Presentation> {
        self.presentation.as_ref()
    }

    /// The tracks, in description order.
    pub fn tracks(&self) -> impl ExactSizeIterator<Item = &TrackInfo> {
        self.tracks.iter().map(|t| &t.info)
    }

    /// One track.
    pub fn track(&self, track: TrackId) -> Option<&TrackInfo> {
        self.tracks.get(track.0).map(|t| &t.info)
    }

    /// A track's reception statistics.
    pub fn track_stats(&self, track: TrackId) -> Option<TrackStats> {
        self.tracks.get(track.0).map(Track::stats)
    }

    /// Sets the server's address (the host of the RTSP connection), against which the
    /// sources of UDP datagrams are checked ([`DatagramSourcePolicy`]).
    pub fn set_server_addr(&mut self, addr: std::net::IpAddr) {
        self.config.server_addr = Some(addr);
    }

    /// Where `track`'s `kind` datagrams are expected from: the server's address and the
    /// port it named in `SETUP` (`None` before a unicast UDP `SETUP`, without a known
    /// server address, or when the server named no port). Multicast tracks accept any
    /// source and give `None`.
    pub fn expected_source(
        &self,
        track: TrackId,
        kind: StreamKind,
    ) -> Option<std::net::SocketAddr> {
        let ip = self.config.server_addr?;
        match self.tracks.get(track.0)?.info.transport? {
            TrackTransport::Udp {
                server_rtp,
                server_rtcp,
                ..
            } => {
                let port = match kind {
                    StreamKind::Rtp => server_rtp,
                    StreamKind::Rtcp => server_rtcp,
                }?;
                Some(std::net::SocketAddr::new(ip, port))
            }
            _ => None,
        }
    }

    /// Our SSRC (in receiver reports and published RTP).
    pub fn ssrc(&self) -> Ssrc {
        self.ssrc
    }

    /// Requests sent and not yet answered (keep-alives included); each ends in a
    /// response or, at its deadline or when the session closes, a timeout.
    pub fn in_flight_count(&self) -> usize {
        self.in_flight.len()
    }

    /// Transmits waiting in [`poll_transmit`](Self::poll_transmit) and events waiting in
    /// [`poll_event`](Self::poll_event).
    pub fn queued_counts(&self) -> (usize, usize) {
        (self.transmits.len(), self.events.queue.len())
    }

    /// The session this one leaves behind at the server, once closed without a `TEARDOWN`
    /// answer (dropped connection, error, `TEARDOWN` timeout); `None` while open, after a
    /// clean teardown or without a session id. Give it to
    /// [`teardown_stale`](Self::teardown_stale) of the next connection's session.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use rtsp_proto::client::{ClientConfig, ClientSession, SetupTransport, TrackId};
    /// # #[allow(clippy::disallowed_methods)]
    /// let now = std::time::Instant::now();
    /// let url = "rtsp://192.0.2.10/stream";
    /// let mut client = ClientSession::new(url, ClientConfig::seeded(1))?;
    /// client.describe(now)?;
    /// let sdp = "v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n";
    /// let reply = format!("RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}", sdp.len());
    /// client.handle_stream(now, &mut BytesMut::from(reply.as_str()))?;
    /// client.setup(now, TrackId(0), SetupTransport::Tcp)?;
    /// let reply = "RTSP/1.0 200 OK\r\nCSeq: 2\r\nSession: 4242\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n";
    /// client.handle_stream(now, &mut BytesMut::from(reply))?;
    /// client.handle_close(now); // the connection dropped: no TEARDOWN went out
    /// let stale = client.stale_session().expect("the server may keep session 4242");
    ///
    /// // On the next connection, tear it down first.
    /// let mut next = ClientSession::new(url, ClientConfig::seeded(2))?;
    /// next.teardown_stale(now, &stale)?;
    /// let request = next.poll_transmit().unwrap();
    /// let text = String::from_utf8_lossy(&request.data);
    /// assert!(text.starts_with("TEARDOWN rtsp://192.0.2.10/stream RTSP/1.0\r\n"));
    /// assert!(text.contains("Session: 4242\r\n"));
    /// # Ok::<(), rtsp_proto::client::ClientError>(())
    /// ```
    pub fn stale_session(&self) -> Option<StaleSession> {
        if self.state != State::Closed {
            return None;
        }
        let s = self.session.as_ref()?;
        let mut ssrcs: Vec<Ssrc> = Vec::new();
        for t in &self.tracks {
            let seen = t.stats.as_ref().map(ReceiverStats::ssrc);
            for ssrc in [t.info.ssrc, t.info.announced_ssrc, seen]
                .into_iter()
                .flatten()
            {
                if !ssrcs.contains(&ssrc) {
                    ssrcs.push(ssrc);
                }
            }
        }
        Some(StaleSession {
            id: s.id.clone(),
            url: self.aggregate_url(),
            ssrcs,
            timeout: self.session_timeout,
            buggy_live555: self.buggy_live555,
        })
    }

    /// The server's live555 version, when it is older than 2017.06.04 and so keeps
    /// sending the data of sessions closed without `TEARDOWN` (see [`StaleSessionPolicy`]).
    pub fn buggy_live555(&self) -> Option<(u16, u8, u8)> {
        self.buggy_live555
    }

    /// The methods the server listed in `Public`, after an `OPTIONS`.
    pub fn public(&self) -> Option<&Public> {
        self.public.as_ref()
    }

    // ----- intents -----

    /// Queues `OPTIONS` for the URL.
    pub fn options(&mut self, now: Instant) -> Result<RequestId, ClientError> {
        let uri = self.url.to_string();
        self.request(
            now,
            Method::OPTIONS,
            uri,
            Headers::new(),
            Bytes::new(),
            Purpose::Options,
        )
    }

    /// Queues `DESCRIBE`; its answer fills [`tracks`](Self::tracks) and emits
    /// [`ClientEvent::Described`].
    pub fn describe(&mut self, now: Instant) -> Result<RequestId, ClientError> {
        let mut h = Headers::new();
        h.insert(
            HeaderName::ACCEPT,
            HeaderValue::from_static("application/sdp"),
        );
        let uri = self.url.to_string();
        self.request(
            now,
            Method::DESCRIBE,
            uri,
            h,
            Bytes::new(),
            Purpose::Describe,
        )
    }

    /// Queues `ANNOUNCE` with our description `sdp` (publishing): its control URLs become
    /// the tracks, set up in record mode.
    pub fn announce(&mut self, now: Instant, sdp: Bytes) -> Result<RequestId, ClientError> {
        let mut h = Headers::new();
        h.insert_typed(&ContentType::sdp());
        let uri = self.url.to_string();
        self.request(now, Method::ANNOUNCE, uri, h, sdp, Purpose::Announce)
    }

    /// Queues `SETUP` of `track` with the given transport (`mode=record` after
    /// [`announce`](Self::announce)).
    pub fn setup(
        &mut self,
        now: Instant,
        track: TrackId,
        transport: SetupTransport,
    ) -> Result<RequestId, ClientError> {
        let (first, fallback) = match transport {
            SetupTransport::TcpThenUdp { client_port } => (
                SetupTransport::Tcp,
                Some(SetupTransport::Udp { client_port }),
            ),
            SetupTransport::UdpThenTcp { client_port } => (
                SetupTransport::Udp { client_port },
                Some(SetupTransport::Tcp),
            ),
            t => (t, None),
        };
        let (headers, uri) = self.setup_headers(track, first)?;
        if self.config.pipelined_requests
            && self.config.version == Version::V2_0
            && self.session.is_none()
            && self.pipeline.is_none()
            && self.state != State::Closed
        {
            // RFC 7826 §18.33: 1*8DIGIT, unique per client.
            self.pipeline = Some(self.config.rng.next_u32() % 100_000_000);
        }
        self.request(
            now,
            Method::SETUP,
            uri,
            headers,
            Bytes::new(),
            Purpose::Setup {
                track: track.0,
                fallback,
            },
        )
    }

    /// The `Transport` (and, for 2.0, `Accept-Ranges`) of a `SETUP` of `track`, and its
    /// URI; records the requested transport on the track.
    fn setup_headers(
        &mut self,
        track: TrackId,
        transport: SetupTransport,
    ) -> Result<(Headers, String), ClientError> {
        let publishing = self.publishing;
        let v2 = self.config.version == Version::V2_0;
        let t = self
            .tracks
            .get_mut(track.0)
            .ok_or(ClientError::NoSuchTrack(track.0))?;
        let (mut spec, requested) = match transport {
            SetupTransport::Udp { client_port } | SetupTransport::UdpThenTcp { client_port } => (
                TransportSpec::udp_unicast(PortRange::pair(client_port)),
                TrackTransport::Udp {
                    client_rtp: client_port,
                    server_rtp: None,
                    server_rtcp: None,
                },
            ),
            SetupTransport::Multicast => {
                let mut spec = TransportSpec::new(crate::header::TransportId::RTP_AVP);
                spec.delivery = Some(crate::header::Delivery::Multicast);
                (
                    spec,
                    TrackTransport::Multicast {
                        group: None,
                        rtp_port: None,
                        rtcp_port: None,
                        ttl: None,
                    },
                )
            }
            SetupTransport::Tcp | SetupTransport::TcpThenUdp { .. } => {
                let base = u8::try_from(track.0.saturating_mul(2))
                    .unwrap_or(254)
                    .min(254);
                (
                    TransportSpec::tcp_interleaved(ChannelRange::pair(base)),
                    TrackTransport::Interleaved {
                        rtp: base,
                        rtcp: base.checked_add(1),
                    },
                )
            }
        };
        // `mode=play` is the default and breaks some servers (QUIRKS.md 10): only
        // `record` is ever written, unquoted and lower-case as ffmpeg writes it, because
        // ffmpeg's listening server (`-rtsp_flags listen`) does not accept RFC 2326's
        // quoted `mode="RECORD"`.
        spec.mode.clear();
        let mut value = Transport(vec![spec]).to_value_string();
        if publishing {
            value.push_str(";mode=record");
        }
        t.requested = Some(requested);
        let uri = t.info.control.to_string();
        let mut h = Headers::new();
        if let Ok(v) = HeaderValue::from_string(value) {
            h.insert(HeaderName::TRANSPORT, v);
        }
        if v2 {
            // RFC 7826 §18.5: a 2.0 client says which range formats it understands.
            h.insert(HeaderName::ACCEPT_RANGES, HeaderValue::from_static("npt"));
        }
        Ok((h, uri))
    }

    /// Queues `PLAY` of the whole presentation.
    pub fn play(&mut self, now: Instant, options: PlayOptions) -> Result<RequestId, ClientError> {
        self.need_session("PLAY")?;
        let mut h = Headers::new();
        if let Some(r) = &options.range {
            h.insert_typed(r);
        }
        if let Some(s) = &options.scale {
            h.insert_typed(s);
        }
        if let Some(s) = &options.speed {
            h.insert_typed(s);
        }
        let uri = self.aggregate_url();
        self.request(now, Method::PLAY, uri, h, Bytes::new(), Purpose::Play)
    }

    /// Queues `RECORD` (after `ANNOUNCE` and `SETUP`s).
    pub fn record(&mut self, now: Instant) -> Result<RequestId, ClientError> {
        self.need_session("RECORD")?;
        let mut h = Headers::new();
        h.insert_typed(&Range::npt_from(Duration::ZERO));
        let uri = self.aggregate_url();
        self.request(now, Method::RECORD, uri, h, Bytes::new(), Purpose::Record)
    }

    /// Queues `PAUSE`.
    pub fn pause(&mut self, now: Instant) -> Result<RequestId, ClientError> {
        self.need_session("PAUSE")?;
        let uri = self.aggregate_url();
        self.request(
            now,
            Method::PAUSE,
            uri,
            Headers::new(),
            Bytes::new(),
            Purpose::Pause,
        )
    }

    /// Queues `TEARDOWN`; its answer (or its timeout) closes the session
    /// ([`ClientEvent::Closed`] without error). Without a session, closes at once.
    pub fn teardown(&mut self, now: Instant) -> Result<Option<RequestId>, ClientError> {
        if self.state == State::Closed {
            return Ok(None);
        }
        if self.session.is_none() {
            self.close(None);
            return Ok(None);
        }
        let uri = self.aggregate_url();
        self.request(
            now,
            Method::TEARDOWN,
            uri,
            Headers::new(),
            Bytes::new(),
            Purpose::Teardown,
        )
        .map(Some)
    }

    /// Queues `TEARDOWN` of a session an earlier connection left behind
    /// ([`stale_session`](Self::stale_session)), with that session's id; its answer (any
    /// status: the server may have dropped it already) is a [`ClientEvent::Response`]
    /// and does not affect this session. From now on RTP with the stale session's SSRCs
    /// is dropped here ([`DiagnosticKind::StaleData`]).
    pub fn teardown_stale(
        &mut self,
        now: Instant,
        stale: &StaleSession,
    ) -> Result<RequestId, ClientError> {
        let mut h = Headers::new();
        h.insert_typed(&Session {
            id: stale.id.clone(),
            timeout: None,
            other: Vec::new(),
        });
        let id = self.request(
            now,
            Method::TEARDOWN,
            stale.url.clone(),
            h,
            Bytes::new(),
            Purpose::StaleTeardown,
        )?;
        for ssrc in &stale.ssrcs {
            if self.stale_ssrcs.len() < MAX_STALE_SSRCS && !self.stale_ssrcs.contains(ssrc) {
                self.stale_ssrcs.push(*ssrc);
            }
        }
        Ok(id)
    }

    /// Queues `GET_PARAMETER` with `body` (`text/parameters` when not empty).
    pub fn get_parameter(&mut self, now: Instant, body: Bytes) -> Result<RequestId, ClientError> {
        let mut h = Headers::new();
        if !body.is_empty() {
            h.insert(
                HeaderName::CONTENT_TYPE,
                HeaderValue::from_static("text/parameters"),
            );
        }
        let uri = self.aggregate_url();
        self.request(now, Method::GET_PARAMETER, uri, h, body, Purpose::User)
    }

    /// Queues `SET_PARAMETER` with `body` (`text/parameters`).
    pub fn set_parameter(&mut self, now: Instant, body: Bytes) -> Result<RequestId, ClientError> {
        let mut h = Headers::new();
        h.insert(
            HeaderName::CONTENT_TYPE,
            HeaderValue::from_static("text/parameters"),
        );
        let uri = self.aggregate_url();
        self.request(now, Method::SET_PARAMETER, uri, h, body, Purpose::User)
    }

    /// Sends one RTP packet of a track set up for recording: interleaved on the
    /// connection, or as a datagram to the server's RTP port. The packet is counted for
    /// the track's RTCP sender reports, which go out at the RFC 3550 interval once
    /// `RECORD` succeeded ([RFC 3550 §6.4.1](https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1)).
    pub fn send_rtp(
        &mut self,
        now: Instant,
        track: TrackId,
        packet: &[u8],
    ) -> Result<(), ClientError> {
        if self.state == State::Closed {
            return Err(ClientError::InvalidState {
                method: "send_rtp",
                state: self.state.name(),
            });
        }
        let Ok(pkt) = RtpPacket::parse(packet) else {
            return Err(ClientError::InvalidRtp);
        };
        if self.transmits.len() >= self.config.limits.max_transmits {
            return Err(ClientError::TransmitQueueFull {
                limit: self.config.limits.max_transmits,
            });
        }
        let t = self
            .tracks
            .get_mut(track.0)
            .ok_or(ClientError::NoSuchTrack(track.0))?;
        let clock = t.info.clock_rate();
        let transmit = match t.info.transport {
            Some(TrackTransport::Interleaved { rtp, .. }) => {
                let mut out = BytesMut::with_capacity(packet.len() + 4);
                encode_frame(rtp, packet, &mut out).map_err(|_| ClientError::InvalidRtp)?;
                Transmit {
                    destination: Destination::Control,
                    data: out.freeze(),
                }
            }
            Some(TrackTransport::Udp {
                server_rtp: Some(port),
                ..
            }) => Transmit {
                destination: Destination::Udp {
                    track,
                    kind: StreamKind::Rtp,
                    port,
                },
                data: Bytes::copy_from_slice(packet),
            },
            _ => {
                return Err(ClientError::InvalidState {
                    method: "send_rtp",
                    state: "track not set up",
                })
            }
        };
        t.sent_packets += 1;
        let sender = match t.sender.as_mut() {
            Some(s) if s.ssrc() == pkt.ssrc() => s,
            // A new source: its counts start over (RFC 3550 §6.4.1).
            _ => t.sender.insert(SenderStats::new(pkt.ssrc(), clock)),
        };
        sender.handle_sent_packet(now, &pkt);
        self.transmits.push_back(transmit);
        Ok(())
    }

    // ----- inputs -----

    /// Takes bytes read from the RTSP connection: complete messages and interleaved
    /// frames are split off `buf` (zero-copy), an incomplete tail stays for the next call.
    /// An error means the server sent garbage; the session is closed.
    pub fn handle_stream(&mut self, now: Instant, buf: &mut BytesMut) -> Result<(), ClientError> {
        if self.state == State::Closed {
            buf.clear();
            return Ok(());
        }
        loop {
            // Media first: a complete `$` frame skips the general decoder.
            if let Some((channel, total)) = self.decoder.take_data(buf) {
                // The packet follows the 4-byte `$` header.
                self.handle_interleaved(now, channel, PacketBuf::Owned(buf.split_to(total), 4))?;
                if self.state == State::Closed {
                    return Ok(());
                }
                continue;
            }
            match self.decoder.decode(buf) {
                Ok(Some(Message::Response(resp))) => self.handle_response(now, resp),
                Ok(Some(Message::Request(req))) => self.handle_server_request(req),
                Ok(Some(Message::Data(d))) => {
                    self.handle_interleaved(now, d.channel, PacketBuf::Shared(d.payload))?;
                }
                Ok(None) => return Ok(()),
                Err(e) => {
                    let err = ClientError::Decode(e);
                    self.close(Some(err.clone()));
                    buf.clear();
                    return Err(err);
                }
            }
            if self.state == State::Closed {
                return Ok(());
            }
        }
    }

    /// Takes a datagram that `track`'s RTP or RTCP socket received from `from`. On a
    /// unicast track, datagrams from another host than the server's address are dropped
    /// by default ([`DatagramSourcePolicy`]; see [`expected_source`](Self::expected_source)).
    pub fn handle_datagram(
        &mut self,
        now: Instant,
        track: TrackId,
        kind: StreamKind,
        from: std::net::SocketAddr,
        data: Bytes,
    ) {
        if self.state == State::Closed {
            return;
        }
        let check = match (
            self.config.policies.datagram_source,
            self.config.server_addr,
        ) {
            (DatagramSourcePolicy::ServerHost, Some(server)) => Some(server),
            _ => None,
        };
        let Some(t) = self.tracks.get_mut(track.0) else {
            self.events
                .diag(Some(track.0), DiagnosticKind::UnexpectedDatagram);
            return;
        };
        match t.info.transport {
            Some(TrackTransport::Udp { .. }) => {
                if check.is_some_and(|s| !same_host(s, from.ip())) {
                    if t.foreign_source_reported != Some(from) {
                        t.foreign_source_reported = Some(from);
                        self.events.diag(
                            Some(track.0),
                            DiagnosticKind::DatagramFromOtherHost { from },
                        );
                    }
                    return;
                }
            }
            Some(TrackTransport::Multicast { .. }) => {}
            _ => {
                self.events
                    .diag(Some(track.0), DiagnosticKind::UnexpectedDatagram);
                return;
            }
        }
        match kind {
            StreamKind::Rtp => self.handle_rtp(now, track.0, PacketBuf::from_shared(data)),
            StreamKind::Rtcp => self.handle_rtcp(now, track.0, data),
        }
    }

    /// The connection ended (EOF or error). Closes the session: cleanly when a
    /// `TEARDOWN` was in flight, else with [`ClientError::ConnectionClosed`], or with
    /// [`ClientError::Rtsp2Refused`] when an RTSP/2.0 request was dropped unanswered
    /// before the server ever answered (reconnect with [`Version::V1_0`]).
    pub fn handle_close(&mut self, now: Instant) {
        let _ = now;
        if self.state == State::Closed {
            return;
        }
        let tearing_down = self
            .in_flight
            .iter()
            .any(|p| p.purpose == Purpose::Teardown);
        let error = if tearing_down {
            None
        } else if self.config.version == Version::V2_0
            && !self.answered
            && !self.in_flight.is_empty()
        {
            // ffmpeg's listening server (`-rtsp_flags listen`) resets the connection on
            // an RTSP/2.0 request instead of answering 505 (RFC 7826 Appendix C).
            Some(ClientError::Rtsp2Refused)
        } else {
            Some(ClientError::ConnectionClosed)
        };
        self.close(error);
    }

    /// Runs the timers due at `now`: request deadlines, keep-alive, RTCP reports and the
    /// reorder wait. A call before any deadline does nothing.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.state == State::Closed {
            return;
        }
        // Request deadlines.
        let mut i = 0;
        while let Some(p) = self.in_flight.get(i) {
            if p.deadline > now {
                i += 1;
                continue;
            }
            let Some(p) = self.in_flight.remove(i) else {
                break;
            };
            if self.timed_out.len() >= 16 {
                self.timed_out.pop_front();
            }
            self.timed_out.push_back(p.cseq);
            match p.purpose {
                Purpose::KeepAlive => self
                    .events
                    .diag(None, DiagnosticKind::KeepAliveFailed { status: None }),
                Purpose::Teardown => {
                    // The session is given up either way.
                    self.events.push(ClientEvent::RequestTimedOut {
                        id: p.id,
                        method: p.method,
                    });
                    self.close(None);
                    return;
                }
                _ => self.events.push(ClientEvent::RequestTimedOut {
                    id: p.id,
                    method: p.method,
                }),
            }
        }
        // Keep-alive.
        if self.keepalive_at.is_some_and(|t| t <= now) {
            self.keepalive_at = None;
            self.send_keepalive(now);
        }
        // RTCP reports, media timeouts and reorder waits.
        // A track that is silent while another one delivers is not a transport problem
        // (an ONVIF metadata stream can be silent for minutes, QUIRKS.md 52).
        let any_media = self.tracks.iter().any(|t| t.packets > 0);
        for ti in 0..self.tracks.len() {
            if let Some(t) = self.tracks.get_mut(ti) {
                if t.media_deadline.is_some_and(|d| d <= now) {
                    t.media_deadline = None;
                    if !any_media {
                        self.events
                            .push(ClientEvent::NoMedia { track: TrackId(ti) });
                    }
                }
            }
            if self
                .tracks
                .get(ti)
                .and_then(|t| t.rtcp_at)
                .is_some_and(|t| t <= now)
            {
                self.send_report(now, ti);
            }
            let due = self
                .tracks
                .get(ti)
                .and_then(|t| t.reorder.as_ref())
                .and_then(ReorderBuffer::poll_timeout)
                .is_some_and(|t| t <= now);
            if due {
                self.drain_reorder(now, ti);
            }
        }
    }

    // ----- outputs -----

    /// The next bytes to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<ClientEvent> {
        self.events.queue.pop_front()
    }

    /// When to call [`handle_timeout`](Self::handle_timeout) next.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.state == State::Closed {
            return None;
        }
        let requests = self.in_flight.iter().map(|p| p.deadline);
        let tracks = self.tracks.iter().flat_map(|t| {
            t.rtcp_at
                .into_iter()
                .chain(t.media_deadline)
                .chain(t.reorder.as_ref().and_then(ReorderBuffer::poll_timeout))
        });
        requests.chain(self.keepalive_at).chain(tracks).min()
    }

    // ----- internals: requests -----

    fn need_session(&self, method: &'static str) -> Result<(), ClientError> {
        let pipelined = self.pipeline.is_some() && self.config.version == Version::V2_0;
        if (self.session.is_none() && !pipelined) || self.state == State::Closed {
            return Err(ClientError::InvalidState {
                method,
                state: self.state.name(),
            });
        }
        Ok(())
    }

    fn aggregate_url(&self) -> String {
        self.presentation
            .as_ref()
            .map_or_else(|| self.url.to_string(), |p| p.aggregate_url().to_string())
    }

    fn request(
        &mut self,
        now: Instant,
        method: Method,
        uri: String,
        headers: Headers,
        body: Bytes,
        purpose: Purpose,
    ) -> Result<RequestId, ClientError> {
        if self.state == State::Closed {
            return Err(ClientError::InvalidState {
                method: static_method(&method),
                state: self.state.name(),
            });
        }
        if self.in_flight.len() >= self.config.limits.max_in_flight {
            return Err(ClientError::TooManyRequests {
                limit: self.config.limits.max_in_flight,
            });
        }
        let id = RequestId(self.next_id);
        self.next_id += 1;
        self.transmit_request(
            now,
            InFlight {
                id,
                cseq: 0,
                method,
                uri,
                headers,
                body,
                purpose,
                deadline: now,
                auth_retried: false,
            },
        );
        Ok(id)
    }

    fn transmit_request(&mut self, now: Instant, mut p: InFlight) {
        p.cseq = self.next_cseq;
        self.next_cseq = self.next_cseq.wrapping_add(1).max(1);
        let mut b = Request::builder(p.method.clone(), p.uri.clone())
            .version(self.config.version)
            .typed_header(&CSeq(p.cseq));
        if let Some(ua) = &self.config.user_agent {
            if let Ok(v) = HeaderValue::from_string(ua.clone()) {
                b = b.header(HeaderName::USER_AGENT, v);
            }
        }
        if let Some(s) = &self.session {
            if p.method != Method::DESCRIBE
                && p.method != Method::ANNOUNCE
                && p.purpose != Purpose::StaleTeardown
            {
                b = b.typed_header(&Session {
                    id: s.id.clone(),
                    timeout: None,
                    other: Vec::new(),
                });
            }
        }
        if let (None, Some(id)) = (&self.session, self.pipeline) {
            if self.config.version == Version::V2_0 && p.purpose != Purpose::StaleTeardown {
                if let Ok(v) = HeaderValue::from_string(id.to_string()) {
                    b = b.header(HeaderName::PIPELINED_REQUESTS, v);
                }
            }
        }
        if let Some(a) = self
            .auth
            .authorization(&p.method, &p.uri, &mut *self.config.rng)
        {
            b = b.typed_header(&a);
        }
        for (name, value) in p.headers.iter() {
            b = b.header(name.clone(), value.clone());
        }
        let req = b.body(p.body.clone()).build();
        let mut out = BytesMut::new();
        req.encode(&mut out);
        self.transmits.push_back(Transmit {
            destination: Destination::Control,
            data: out.freeze(),
        });
        p.deadline = now + self.config.request_timeout;
        if self.session.is_some() {
            self.schedule_keepalive(now);
        }
        self.in_flight.push_back(p);
    }

    fn schedule_keepalive(&mut self, now: Instant) {
        if self.config.policies.keep_alive == KeepAlivePolicy::Disabled {
            return;
        }
        let interval = (self.session_timeout / 2).max(Duration::from_secs(1));
        self.keepalive_at = Some(now + interval);
    }

    fn send_keepalive(&mut self, now: Instant) {
        if self.session.is_none() {
            return;
        }
        if self
            .in_flight
            .iter()
            .any(|p| p.purpose == Purpose::KeepAlive)
            || self.in_flight.len() >= self.config.limits.max_in_flight
        {
            self.schedule_keepalive(now);
            return;
        }
        let get_parameter = match self.config.policies.keep_alive {
            KeepAlivePolicy::GetParameter => true,
            KeepAlivePolicy::Options => false,
            KeepAlivePolicy::Disabled => return,
            KeepAlivePolicy::Auto => self
                .public
                .as_ref()
                .is_none_or(|p| p.contains(&Method::GET_PARAMETER)),
        };
        let method = if get_parameter {
            Method::GET_PARAMETER
        } else {
            Method::OPTIONS
        };
        // Some cameras only answer a keep-alive sent to the base URL (QUIRKS.md 4).
        let uri = self.aggregate_url();
        let id = RequestId(self.next_id);
        self.next_id += 1;
        self.transmit_request(
            now,
            InFlight {
                id,
                cseq: 0,
                method,
                uri,
                headers: Headers::new(),
                body: Bytes::new(),
                purpose: Purpose::KeepAlive,
                deadline: now,
                auth_retried: false,
            },
        );
    }

    fn close(&mut self, error: Option<ClientError>) {
        if self.state == State::Closed {
            return;
        }
        self.state = State::Closed;
        self.keepalive_at = None;
        for p in self.in_flight.drain(..) {
            if p.purpose != Purpose::KeepAlive {
                self.events.push(ClientEvent::RequestTimedOut {
                    id: p.id,
                    method: p.method,
                });
            }
        }
        for t in &mut self.tracks {
            t.rtcp_at = None;
            t.media_deadline = None;
            if let Some(d) = t.depacketizer.as_mut() {
                d.flush();
            }
        }
        for ti in 0..self.tracks.len() {
            self.pull_frames(ti);
        }
        self.events.push(ClientEvent::Closed { error });
    }

    // ----- internals: responses -----

    fn handle_response(&mut self, now: Instant, resp: Response) {
        self.answered = true;
        if self.buggy_live555.is_none() {
            if let Some(v) = resp
                .headers
                .get_str("Server")
                .and_then(crate::sdp::live555_version)
            {
                self.note_live555(v);
            }
        }
        let cseq = resp.cseq().and_then(Result::ok).map(|c| c.0);
        let idx = match cseq.and_then(|c| self.in_flight.iter().position(|p| p.cseq == c)) {
            Some(i) => i,
            None => {
                if let Some(c) = cseq.filter(|c| self.timed_out.contains(c)) {
                    self.events
                        .diag(None, DiagnosticKind::LateResponse { cseq: c });
                    return;
                }
                let matched = match self.config.policies.cseq {
                    CSeqPolicy::MatchOldest => self.in_flight.front().map(|p| p.cseq),
                    CSeqPolicy::Drop => None,
                };
                self.events
                    .diag(None, DiagnosticKind::CSeqMismatch { got: cseq, matched });
                if matched.is_none() {
                    return;
                }
                0
            }
        };
        let Some(mut p) = self.in_flight.remove(idx) else {
            return;
        };
        if resp.status == StatusCode::UNAUTHORIZED && !p.auth_retried {
            if let Some(Ok(challenges)) = resp.headers.typed::<WwwAuthenticate>() {
                if let Ok(true) = self.auth.handle_unauthorized(&challenges) {
                    p.auth_retried = true;
                    self.transmit_request(now, p);
                    return;
                }
            }
        }
        if self.config.version == Version::V2_0 && resp.version == Version::V1_0 {
            // RFC 7826 §4.1 / Appendix C: a 1.0-only server; speak 1.0 from now on, and
            // ask again when it refused the version outright.
            self.config.version = Version::V1_0;
            self.events.diag(None, DiagnosticKind::VersionFallback);
            if resp.status == StatusCode::RTSP_VERSION_NOT_SUPPORTED {
                self.transmit_request(now, p);
                return;
            }
        } else if self.config.version == Version::V2_0
            && resp.status == StatusCode::RTSP_VERSION_NOT_SUPPORTED
        {
            self.config.version = Version::V1_0;
            self.events.diag(None, DiagnosticKind::VersionFallback);
            self.transmit_request(now, p);
            return;
        }
        if let Purpose::Setup {
            track,
            fallback: Some(next),
        } = p.purpose
        {
            if resp.status == StatusCode::UNSUPPORTED_TRANSPORT {
                if let Ok((headers, uri)) = self.setup_headers(TrackId(track), next) {
                    self.events
                        .diag(Some(track), DiagnosticKind::TransportFallback);
                    p.headers = headers;
                    p.uri = uri;
                    p.purpose = Purpose::Setup {
                        track,
                        fallback: None,
                    };
                    self.transmit_request(now, p);
                    return;
                }
            }
        }
        if resp.status.is_redirection() && p.purpose != Purpose::KeepAlive {
            if let Some(location) = resp.headers.get_str("Location").map(str::to_owned) {
                // RFC 2326 §11.3 / RFC 7826 §13.5: the resource moved; the caller
                // reconnects there with a new session (a `ClientSession` is one
                // connection). Redirect loops (QUIRKS.md 22) are the caller's to bound.
                self.events.push(ClientEvent::Response {
                    id: p.id,
                    method: p.method,
                    response: Box::new(resp),
                });
                self.events.push(ClientEvent::Redirected { location });
                self.close(None);
                return;
            }
        }
        let ok = resp.status.is_success();
        match p.purpose {
            Purpose::KeepAlive => {
                if !ok {
                    self.events.diag(
                        None,
                        DiagnosticKind::KeepAliveFailed {
                            status: Some(resp.status),
                        },
                    );
                }
                return;
            }
            Purpose::Options if ok => match resp.headers.typed::<Public>() {
                Some(Ok(public)) => self.public = Some(public),
                Some(Err(_)) => self
                    .events
                    .diag(None, DiagnosticKind::BadHeader { header: "Public" }),
                None => {}
            },
            Purpose::Describe if ok => match Presentation::from_describe(&self.url, &resp) {
                Ok(p) => {
                    if let Some(v) = p.live555_version() {
                        self.note_live555(v);
                    }
                    self.set_presentation(p);
                }
                Err(e) => {
                    self.events.push(ClientEvent::Diagnostic(Diagnostic {
                        track: None,
                        kind: DiagnosticKind::BadDescription { error: e },
                    }));
                }
            },
            Purpose::Announce if ok => match Presentation::parse(&p.body, &self.url) {
                Ok(pres) => {
                    self.publishing = true;
                    self.set_presentation(pres);
                }
                Err(e) => self.events.push(ClientEvent::Diagnostic(Diagnostic {
                    track: None,
                    kind: DiagnosticKind::BadDescription { error: e },
                })),
            },
            Purpose::Setup { track, .. } if ok => {
                if let Err(e) = self.handle_setup(now, track, &resp) {
                    self.events.push(ClientEvent::Response {
                        id: p.id,
                        method: p.method,
                        response: Box::new(resp),
                    });
                    self.close(Some(e));
                    return;
                }
            }
            Purpose::Play if ok => {
                self.state = State::Playing;
                let range_start = match resp.headers.typed::<Range>() {
                    Some(Ok(r)) => match r.first() {
                        Some(RangeSpec::Npt(TimeRange {
                            start: Some(NptTime::Time(t)),
                            ..
                        })) => Some(*t),
                        _ => None,
                    },
                    _ => None,
                };
                for t in &mut self.tracks {
                    t.range_start = range_start;
                }
                self.handle_rtp_info(&resp);
                self.start_rtcp(now);
                if let Some(wait) = self.config.media_timeout {
                    for t in &mut self.tracks {
                        if matches!(
                            t.info.transport,
                            Some(TrackTransport::Udp { .. } | TrackTransport::Multicast { .. })
                        ) && t.packets == 0
                        {
                            t.media_deadline = Some(now + wait);
                        }
                    }
                }
            }
            Purpose::Record if ok => {
                self.state = State::Recording;
                self.start_rtcp(now);
            }
            Purpose::Pause if ok => {
                self.state = State::Ready;
                for ti in 0..self.tracks.len() {
                    if let Some(d) = self
                        .tracks
                        .get_mut(ti)
                        .and_then(|t| t.depacketizer.as_mut())
                    {
                        d.flush();
                    }
                    self.pull_frames(ti);
                }
            }
            Purpose::Teardown => {
                self.session = None;
                self.events.push(ClientEvent::Response {
                    id: p.id,
                    method: p.method,
                    response: Box::new(resp),
                });
                self.close(None);
                return;
            }
            _ => {}
        }
        self.events.push(ClientEvent::Response {
            id: p.id,
            method: p.method,
            response: Box::new(resp),
        });
    }

    /// A live555 server: remembers and reports the versions with the stale-session bug.
    fn note_live555(&mut self, version: (u16, u8, u8)) {
        if version >= (2017, 6, 4) || self.buggy_live555.is_some() {
            return;
        }
        self.buggy_live555 = Some(version);
        self.stale_filter =
            self.config.policies.stale_session == StaleSessionPolicy::TeardownAndFilter;
        self.events
            .diag(None, DiagnosticKind::StaleSessionServer { version });
    }

    fn set_presentation(&mut self, p: Presentation) {
        let aggregate = p.aggregate_url().clone();
        self.tracks.clear();
        for (index, m) in p.media.iter().enumerate() {
            if self.tracks.len() >= self.config.limits.max_tracks {
                self.events
                    .diag(None, DiagnosticKind::SkippedMedia { index });
                continue;
            }
            let control = m.control.clone().unwrap_or_else(|| aggregate.clone());
            self.tracks.push(Track::new(
                m.clone(),
                control,
                self.config.emit_frames,
                self.config.rtcp_bandwidth,
            ));
        }
        self.presentation = Some(p);
        self.index_channels();
        if self.state == State::Init {
            self.state = State::Described;
        }
        self.events.push(ClientEvent::Described {
            tracks: self.tracks.len(),
        });
    }

    fn handle_setup(
        &mut self,
        now: Instant,
        ti: usize,
        resp: &Response,
    ) -> Result<(), ClientError> {
        match resp.headers.typed::<Session>() {
            Some(Ok(s)) => match &self.session {
                None => {
                    self.session_timeout =
                        s.timeout.map_or(self.config.default_session_timeout, |t| {
                            Duration::from_secs(u64::from(t))
                        });
                    self.session = Some(s);
                }
                Some(old) if old.id != s.id => {
                    self.events.diag(None, DiagnosticKind::SessionIdChanged);
                    match self.config.policies.session_id {
                        SessionIdPolicy::UseFirst => {}
                        SessionIdPolicy::UseLatest => self.session = Some(s),
                        SessionIdPolicy::Reject => return Err(ClientError::SessionIdChanged),
                    }
                }
                Some(_) => {}
            },
            Some(Err(_)) => self
                .events
                .diag(None, DiagnosticKind::BadHeader { header: "Session" }),
            None => {}
        }
        let Some(track) = self.tracks.get_mut(ti) else {
            return Ok(());
        };
        let requested = track.requested;
        let spec = match resp.headers.typed::<Transport>() {
            Some(Ok(t)) => t.0.into_iter().next(),
            Some(Err(_)) => {
                self.events.diag(
                    Some(ti),
                    DiagnosticKind::BadHeader {
                        header: "Transport",
                    },
                );
                None
            }
            None => None,
        };
        if spec.is_none() {
            self.events.diag(Some(ti), DiagnosticKind::MissingTransport);
        }
        let transport = match (requested, spec.as_ref()) {
            (Some(TrackTransport::Interleaved { rtp, rtcp }), s) => {
                match s.and_then(|s| s.interleaved) {
                    Some(ch) => {
                        if ch.rtp() != rtp || ch.rtcp() != rtcp {
                            self.events.diag(Some(ti), DiagnosticKind::TransportChanged);
                        }
                        TrackTransport::Interleaved {
                            rtp: ch.rtp(),
                            rtcp: ch.rtcp(),
                        }
                    }
                    None => {
                        if s.is_some() {
                            self.events
                                .diag(Some(ti), DiagnosticKind::MissingInterleaved);
                        }
                        TrackTransport::Interleaved { rtp, rtcp }
                    }
                }
            }
            (Some(TrackTransport::Udp { client_rtp, .. }), s) => {
                let server = s.and_then(|s| s.server_port);
                if s.and_then(|s| s.client_port)
                    .is_some_and(|c| c.rtp() != client_rtp)
                {
                    self.events.diag(Some(ti), DiagnosticKind::TransportChanged);
                }
                TrackTransport::Udp {
                    client_rtp,
                    server_rtp: server.map(|p| p.rtp()),
                    server_rtcp: server.map(|p| p.end.unwrap_or(p.rtp().wrapping_add(1))),
                }
            }
            (Some(TrackTransport::Multicast { .. }), s) => {
                // RFC 2326 §12.39: the server picks the group, ports and TTL.
                let ports = s.and_then(|s| s.port);
                TrackTransport::Multicast {
                    group: s
                        .and_then(|s| s.destination.as_deref())
                        .and_then(|d| d.trim_matches(['[', ']']).parse().ok()),
                    rtp_port: ports.map(|p| p.rtp()),
                    rtcp_port: ports.map(|p| p.end.unwrap_or(p.rtp().wrapping_add(1))),
                    ttl: s.and_then(|s| s.ttl),
                }
            }
            (None, _) => return Ok(()),
        };
        if let Some(ssrc) = spec.as_ref().and_then(TransportSpec::first_ssrc) {
            track.info.ssrc = Some(ssrc);
            track.info.announced_ssrc = Some(ssrc);
        }
        track.info.transport = Some(transport);
        if let TrackTransport::Udp { .. } | TrackTransport::Multicast { .. } = transport {
            track.reorder = Some(ReorderBuffer::new(&self.config.limits.rtp));
        }
        self.index_channels();
        if let Some(Ok(public)) = resp.headers.typed::<Public>() {
            self.public.get_or_insert(public);
        }
        if matches!(self.state, State::Init | State::Described) {
            self.state = State::Ready;
        }
        self.schedule_keepalive(now);
        if let (TrackTransport::Udp { .. }, false) = (transport, self.publishing) {
            // A publisher's own media opens the way; only a player punches.
            self.punch(now, ti);
        }
        self.events.push(ClientEvent::TrackSetUp {
            track: TrackId(ti),
            transport,
        });
        Ok(())
    }

    /// Sends one empty RTP packet and one receiver report from the track's sockets to the
    /// server's ports, so that NATs and firewalls on the way open for the server's media
    /// (as gortsplib and ffmpeg do).
    fn punch(&mut self, now: Instant, ti: usize) {
        let Some(track) = self.tracks.get(ti) else {
            return;
        };
        let Some(TrackTransport::Udp {
            server_rtp,
            server_rtcp,
            ..
        }) = track.info.transport
        else {
            return;
        };
        let pt = track.info.media.payload_type().map_or(96, |p| p.0) & 0x7f;
        if let Some(port) = server_rtp {
            let mut pkt = [0u8; 12];
            pkt[0] = 0x80;
            pkt[1] = pt;
            pkt[8..12].copy_from_slice(&self.ssrc.0.to_be_bytes());
            self.push_transmit(Transmit {
                destination: Destination::Udp {
                    track: TrackId(ti),
                    kind: StreamKind::Rtp,
                    port,
                },
                data: Bytes::copy_from_slice(&pkt),
            });
        }
        if let Some(port) = server_rtcp {
            let mut buf = [0u8; 512];
            let cfg = ReportConfig::new(self.ssrc, self.config.cname.as_bytes());
            let empty: [&mut ReceiverStats; 0] = [];
            if let Ok(n) = write_report(&mut buf, now, &cfg, None, empty) {
                self.push_transmit(Transmit {
                    destination: Destination::Udp {
                        track: TrackId(ti),
                        kind: StreamKind::Rtcp,
                        port,
                    },
                    data: Bytes::copy_from_slice(buf.get(..n).unwrap_or_default()),
                });
            }
        }
    }

    fn push_transmit(&mut self, t: Transmit) {
        if self.transmits.len() < self.config.limits.max_transmits {
            self.transmits.push_back(t);
        }
    }
}

/// The method's name as a `'static` string for errors.
fn static_method(m: &Method) -> &'static str {
    Method::ALL_STANDARD
        .iter()
        .find(|s| *s == m)
        .map_or("extension method", |s| match s.as_str() {
            "DESCRIBE" => "DESCRIBE",
            "ANNOUNCE" => "ANNOUNCE",
            "GET_PARAMETER" => "GET_PARAMETER",
            "OPTIONS" => "OPTIONS",
            "PAUSE" => "PAUSE",
            "PLAY" => "PLAY",
            "RECORD" => "RECORD",
            "SETUP" => "SETUP",
            "SET_PARAMETER" => "SET_PARAMETER",
            "TEARDOWN" => "TEARDOWN",
            _ => "method",
        })
}

// ----- internals: server requests and media -----
impl ClientSession {
    fn handle_server_request(&mut self, req: Request) {
        // RTSP 2.0 server-to-client requests (RFC 7826 §13.5 PLAY_NOTIFY, §13.10 REDIRECT)
        // and the keep-alive probes some servers send are acknowledged; anything else is
        // not implemented by a client.
        if self.transmits.len() >= self.config.limits.max_transmits
            || self.events.queue.len() >= self.config.limits.max_events
        {
            // A flood of server requests: answering each would grow the queues.
            self.events.diag(None, DiagnosticKind::ServerRequestDropped);
            return;
        }
        let m = &req.method;
        let status = if *m == Method::PLAY_NOTIFY
            || *m == Method::REDIRECT
            || *m == Method::OPTIONS
            || *m == Method::GET_PARAMETER
        {
            StatusCode::OK
        } else {
            StatusCode::NOT_IMPLEMENTED
        };
        let mut b = Response::builder(status).version(req.version);
        if let Some(Ok(c)) = req.cseq() {
            b = b.typed_header(&c);
        }
        if let Some(s) = &self.session {
            b = b.typed_header(&Session {
                id: s.id.clone(),
                timeout: None,
                other: Vec::new(),
            });
        }
        let mut out = BytesMut::new();
        b.build().encode(&mut out);
        self.transmits.push_back(Transmit {
            destination: Destination::Control,
            data: out.freeze(),
        });
        let location = (req.method == Method::REDIRECT)
            .then(|| req.headers.get_str("Location").map(str::to_owned))
            .flatten();
        self.events.push(ClientEvent::ServerRequest {
            request: Box::new(req),
            answered: status,
        });
        if let Some(location) = location {
            // RFC 7826 §13.10: the session here ends (at the Terminate-Reason time);
            // the caller tears down and reconnects to `location`.
            self.events.push(ClientEvent::Redirected { location });
        }
    }

    // `handle_interleaved`, `handle_rtp` and `pull_frames` are inlined into their callers:
    // the per-packet path as one function (6% fewer instructions per packet: no prologues,
    // no moves of the packet between frames).
    #[inline(always)]
    fn handle_interleaved(
        &mut self,
        now: Instant,
        channel: u8,
        payload: PacketBuf,
    ) -> Result<(), ClientError> {
        let found = match self.channels.get(usize::from(channel)).copied() {
            Some(0) | None => None,
            Some(e) => {
                let e = e - 1;
                let kind = if e & 1 == 0 {
                    StreamKind::Rtp
                } else {
                    StreamKind::Rtcp
                };
                Some(((e >> 1) as usize, kind))
            }
        };
        match found {
            Some((ti, StreamKind::Rtp)) => self.handle_rtp(now, ti, payload),
            Some((ti, StreamKind::Rtcp)) => self.handle_rtcp(now, ti, payload.freeze()),
            None => match self.config.policies.unassigned_channel {
                UnassignedChannelPolicy::Drop => {
                    let (word, bit) = (usize::from(channel / 64), channel % 64);
                    if let Some(w) = self.reported_channels.get_mut(word) {
                        if *w & (1 << bit) == 0 {
                            *w |= 1 << bit;
                            self.events
                                .diag(None, DiagnosticKind::UnassignedChannel { channel });
                        }
                    }
                }
                UnassignedChannelPolicy::Error => {
                    let err = ClientError::UnassignedChannel { channel };
                    self.close(Some(err.clone()));
                    return Err(err);
                }
            },
        }
        Ok(())
    }

    /// Rebuilds [`Self::channels`] from the tracks' transports: the first track that uses
    /// a channel owns it, and its RTP before its RTCP.
    fn index_channels(&mut self) {
        self.channels.fill(0);
        for (i, t) in self.tracks.iter().enumerate().rev() {
            let Some(TrackTransport::Interleaved { rtp, rtcp }) = t.info.transport else {
                continue;
            };
            // Track indices are bounded by `max_tracks`; one too large for the table
            // (over 2^31 tracks) is left out rather than aliased.
            let Ok(i) = u32::try_from(i) else { continue };
            let Some(e) = i.checked_mul(2).and_then(|e| e.checked_add(1)) else {
                continue;
            };
            if let Some((c, e)) = rtcp.zip(e.checked_add(1)) {
                self.channels[usize::from(c)] = e;
            }
            self.channels[usize::from(rtp)] = e;
        }
    }

    #[inline(always)]
    fn handle_rtp(&mut self, now: Instant, ti: usize, data: PacketBuf) {
        let foreign = self.config.policies.foreign_ssrc;
        let (stale_filter, stale) = (self.stale_filter, &self.stale_ssrcs);
        let events = &mut self.events;
        let Some(track) = self.tracks.get_mut(ti) else {
            return;
        };
        let pkt = match RtpPacket::parse(&data) {
            Ok(p) => p,
            Err(_) => {
                events.diag(
                    Some(ti),
                    DiagnosticKind::InvalidPacket {
                        kind: StreamKind::Rtp,
                    },
                );
                return;
            }
        };
        let (ssrc, seq) = (pkt.ssrc(), pkt.sequence_number());
        if !stale.is_empty() && stale.contains(&ssrc) && track.info.announced_ssrc != Some(ssrc) {
            if track.foreign_reported != Some(ssrc) {
                track.foreign_reported = Some(ssrc);
                events.diag(Some(ti), DiagnosticKind::StaleData { ssrc });
            }
            return;
        }
        let drop_foreign = foreign == ForeignSsrcPolicy::DropIfAnnounced
            || (stale_filter
                && matches!(
                    track.info.transport,
                    Some(TrackTransport::Interleaved { .. })
                ));
        if drop_foreign && track.info.announced_ssrc.is_some_and(|a| a != ssrc) {
            if track.foreign_reported != Some(ssrc) {
                track.foreign_reported = Some(ssrc);
                events.diag(Some(ti), DiagnosticKind::ForeignSsrc { ssrc });
            }
            return;
        }
        track.packets += 1;
        track.media_deadline = None;
        track.bytes += data.len() as u64;
        let clock = track.clock_rate;
        match track.stats.as_mut() {
            Some(s) if s.ssrc() != ssrc => {
                events.diag(
                    Some(ti),
                    DiagnosticKind::SsrcChanged {
                        old: s.ssrc(),
                        new: ssrc,
                    },
                );
                *s = ReceiverStats::new(ssrc, clock);
                if let Some(r) = track.reorder.as_mut() {
                    r.clear();
                }
            }
            Some(_) => {}
            None => track.stats = Some(ReceiverStats::new(ssrc, clock)),
        }
        if let Some(s) = track.stats.as_mut() {
            s.handle_rtp(now, &pkt);
        }
        track.info.ssrc = Some(ssrc);
        match track.reorder.as_mut() {
            Some(r) => {
                r.push(now, seq, data.freeze());
                self.drain_reorder(now, ti);
            }
            None => {
                let meta = RtpMeta::of(&pkt);
                self.deliver_parsed(ti, data, meta);
            }
        }
    }

    fn drain_reorder(&mut self, now: Instant, ti: usize) {
        loop {
            let ev = self
                .tracks
                .get_mut(ti)
                .and_then(|t| t.reorder.as_mut())
                .and_then(|r| r.pop(now));
            match ev {
                Some(ReorderEvent::Packet { item, .. }) => self.deliver(ti, item),
                Some(ReorderEvent::Lost { count, .. }) => {
                    self.events
                        .diag(Some(ti), DiagnosticKind::PacketsLost { count });
                }
                Some(_) => {}
                None => break,
            }
        }
    }

    /// Delivers a packet that comes out of the reorder buffer (parsed again: only valid
    /// packets went in).
    fn deliver(&mut self, ti: usize, data: Bytes) {
        let Ok(pkt) = RtpPacket::parse(&data) else {
            return;
        };
        let meta = RtpMeta::of(&pkt);
        self.deliver_parsed(ti, PacketBuf::Shared(data), meta);
    }

    /// Hands a packet in order to the application (`emit_packets`) and the depacketizer.
    fn deliver_parsed(&mut self, ti: usize, data: PacketBuf, meta: RtpMeta) {
        let emit_packets = self.config.emit_packets;
        let events = &mut self.events;
        let Some(track) = self.tracks.get_mut(ti) else {
            return;
        };
        // The packet goes on as a plain value (no `Option` taken apart later: writing a
        // buffer into one and reading it back out stalls the CPU on every packet).
        let p = if emit_packets {
            let time = track.media_time(meta.timestamp);
            let data = data.freeze();
            let copy = track
                .depacketizer
                .is_some()
                .then(|| PacketBuf::Shared(data.clone()));
            events.media(ClientEvent::Rtp {
                track: TrackId(ti),
                packet: data,
                time,
            });
            match copy {
                Some(c) => c,
                None => return,
            }
        } else {
            track.advance_time(meta.timestamp);
            data
        };
        if let Some(d) = track.depacketizer.as_mut() {
            let (start, end) = (meta.payload.start, meta.payload.end);
            let packet = |payload| codec::RtpPacket {
                sequence_number: meta.sequence_number,
                timestamp: meta.timestamp,
                marker: meta.marker,
                payload_type: meta.payload_type,
                payload,
            };
            // `meta.payload` lies within the packet, which parsed; the payload is cut out
            // of the packet's buffer in place (no reference count traffic).
            let r = match p {
                // An owned buffer: the depacketizer may want the payload framed in place,
                // its prefix written over the last bytes of the parsed RTP header (always
                // 12 bytes or more), so that the frame is the packet's memory, not a copy.
                PacketBuf::Owned(mut b, at) if start >= 4 && at + end <= b.len() => {
                    let (start, end) = (at + start, at + end);
                    let prefix = d.frame_prefix(b.get(start..end).unwrap_or_default());
                    if let (Some(p), Some(head)) = (prefix, b.get_mut(start - 4..start)) {
                        head.copy_from_slice(&p);
                    }
                    // Cut with `Bytes` (cheaper than `BytesMut`'s `advance`), in the
                    // struct handed over: cutting a local and moving it after makes the
                    // CPU wait for the cut's stores to land (a store-forwarding stall).
                    match prefix {
                        Some(_) => {
                            let mut f = codec::FramedPacket {
                                sequence_number: meta.sequence_number,
                                timestamp: meta.timestamp,
                                marker: meta.marker,
                                payload_type: meta.payload_type,
                                framed: b.freeze(),
                            };
                            f.framed.truncate(end);
                            f.framed.advance(start - 4);
                            d.push_framed(f)
                        }
                        None => {
                            let mut p = packet(b.freeze());
                            p.payload.truncate(end);
                            p.payload.advance(start);
                            d.push(p)
                        }
                    }
                }
                p => {
                    let mut p = p.freeze();
                    p.truncate(end);
                    p.advance(start.min(p.len()));
                    d.push(packet(p))
                }
            };
            if let Err(error) = r {
                events.diag(Some(ti), DiagnosticKind::Depacketize { error });
            }
            self.pull_frames(ti);
        }
    }

    #[inline(always)]
    fn pull_frames(&mut self, ti: usize) {
        let events = &mut self.events;
        let Some(track) = self.tracks.get_mut(ti) else {
            return;
        };
        while let Some(frame) = track.depacketizer.as_mut().and_then(|d| d.pull()) {
            track.frames += 1;
            let time = track.frame_time(frame.timestamp);
            events.media_with(|| ClientEvent::Frame {
                track: TrackId(ti),
                frame,
                time,
            });
        }
    }

    fn handle_rtcp(&mut self, now: Instant, ti: usize, data: Bytes) {
        let policy = self.config.policies.unknown_rtcp_ssrc;
        let events = &mut self.events;
        let Some(track) = self.tracks.get_mut(ti) else {
            return;
        };
        track.rtcp_packets += 1;
        let Ok(compound) = Compound::parse(&data, ValidationMode::ReducedSize) else {
            events.diag(
                Some(ti),
                DiagnosticKind::InvalidPacket {
                    kind: StreamKind::Rtcp,
                },
            );
            return;
        };
        for p in compound {
            let Ok(RtcpPacket::SenderReport(sr)) = p else {
                continue;
            };
            let known = track
                .stats
                .as_ref()
                .map(ReceiverStats::ssrc)
                .or(track.info.ssrc);
            if known.is_some_and(|k| k != sr.ssrc) {
                events.diag(Some(ti), DiagnosticKind::UnknownRtcpSsrc { ssrc: sr.ssrc });
                if policy == UnknownRtcpSsrcPolicy::Ignore {
                    continue;
                }
            }
            track
                .clock
                .handle_sender_report(sr.info.ntp, sr.info.rtp_timestamp);
            if let Some(s) = track.stats.as_mut() {
                s.handle_sender_report(now, sr.info.ntp);
            }
            events.media(ClientEvent::SenderReport {
                track: TrackId(ti),
                ssrc: sr.ssrc,
                ntp: sr.info.ntp,
                rtp_timestamp: sr.info.rtp_timestamp,
            });
        }
        events.media(ClientEvent::Rtcp {
            track: TrackId(ti),
            packet: data,
        });
    }

    fn handle_rtp_info(&mut self, resp: &Response) {
        let info = match resp.headers.typed::<RtpInfo>() {
            None => return,
            Some(Ok(i)) => i,
            Some(Err(_)) => {
                self.events
                    .diag(None, DiagnosticKind::BadHeader { header: "RTP-Info" });
                return;
            }
        };
        let set_up: Vec<usize> = (0..self.tracks.len())
            .filter(|&i| {
                self.tracks
                    .get(i)
                    .is_some_and(|t| t.info.transport.is_some())
            })
            .collect();
        let lenient = self.config.policies.rtp_info == RtpInfoPolicy::Lenient;
        for entry in &info.entries {
            let by_url = set_up.iter().copied().find(|&i| {
                self.tracks
                    .get(i)
                    .is_some_and(|t| url_matches(&t.info.control, &entry.url))
            });
            let ti = match (by_url, set_up.as_slice()) {
                (Some(i), _) => i,
                (None, [only]) if lenient && info.entries.len() == 1 => *only,
                _ => continue,
            };
            let Some(track) = self.tracks.get_mut(ti) else {
                continue;
            };
            if let Some(ssrc) = entry.ssrc {
                track.info.ssrc.get_or_insert(ssrc);
                track.info.announced_ssrc = Some(ssrc);
            }
            if let Some(t) = entry.rtptime {
                if track.unwrap.last().is_some() {
                    // Packets came before the PLAY response (QUIRKS.md 13).
                    track.start = Some(track.frame_time(t).extended);
                } else {
                    track.rtp_info_time = Some(t);
                }
            }
        }
    }

    fn start_rtcp(&mut self, now: Instant) {
        let rng = &mut *self.config.rng;
        for t in &mut self.tracks {
            if t.info.transport.is_some() && t.rtcp_at.is_none() {
                t.rtcp_at = Some(now + t.interval.randomized(rng));
            }
        }
    }

    /// The NTP time of `now` for sender reports.
    fn ntp(&mut self, now: Instant) -> NtpTimestamp {
        match self.config.ntp_origin {
            Some((at, ntp)) => ntp
                .checked_add(now.saturating_duration_since(at))
                .unwrap_or(ntp),
            None => {
                let epoch = *self.epoch.get_or_insert(now);
                NtpTimestamp::from_unix(now.saturating_duration_since(epoch))
            }
        }
    }

    fn send_report(&mut self, now: Instant, ti: usize) {
        let ntp = self.ntp(now);
        let rng = &mut *self.config.rng;
        let Some(track) = self.tracks.get_mut(ti) else {
            return;
        };
        // A sender (RECORD) reports what it sent: an SR from the packets' SSRC.
        let sender = track.sender.as_ref().filter(|s| s.has_sent());
        let cfg = ReportConfig::new(
            sender.map_or(self.ssrc, SenderStats::ssrc),
            self.config.cname.as_bytes(),
        );
        let info = sender.map(|s| s.sender_info(now, ntp));
        let mut buf = [0u8; 1500];
        let n = write_report(&mut buf, now, &cfg, info, track.stats.as_mut()).unwrap_or(0);
        track.interval.update_avg_size(n + 28);
        track.interval.initial = false;
        track.rtcp_at = Some(now + track.interval.randomized(rng));
        let Some(data) = buf.get(..n).filter(|d| !d.is_empty()) else {
            return;
        };
        let transmit = match track.info.transport {
            Some(TrackTransport::Interleaved { rtcp: Some(ch), .. }) => {
                let mut out = BytesMut::with_capacity(n + 4);
                if encode_frame(ch, data, &mut out).is_err() {
                    return;
                }
                Transmit {
                    destination: Destination::Control,
                    data: out.freeze(),
                }
            }
            Some(TrackTransport::Udp {
                server_rtcp: Some(port),
                ..
            }) => Transmit {
                destination: Destination::Udp {
                    track: TrackId(ti),
                    kind: StreamKind::Rtcp,
                    port,
                },
                data: Bytes::copy_from_slice(data),
            },
            Some(TrackTransport::Multicast {
                group: Some(group),
                rtcp_port: Some(port),
                ..
            }) => Transmit {
                destination: Destination::Multicast {
                    track: TrackId(ti),
                    group,
                    port,
                },
                data: Bytes::copy_from_slice(data),
            },
            _ => return,
        };
        self.push_transmit(transmit);
    }
}

/// Whether two addresses are the same host (an IPv4 address and its IPv6-mapped form are).
fn same_host(a: std::net::IpAddr, b: std::net::IpAddr) -> bool {
    a.to_canonical() == b.to_canonical()
}

/// The header fields of a parsed RTP packet that delivery needs, so that the packet is
/// parsed once on the way in.
#[derive(Debug, Clone)]
struct RtpMeta {
    sequence_number: u16,
    timestamp: u32,
    marker: bool,
    payload_type: u8,
    payload: std::ops::Range<usize>,
}

impl RtpMeta {
    fn of(pkt: &RtpPacket<'_>) -> RtpMeta {
        RtpMeta {
            sequence_number: pkt.sequence_number(),
            timestamp: pkt.timestamp(),
            marker: pkt.marker(),
            payload_type: pkt.payload_type().get(),
            payload: pkt.payload_range(),
        }
    }
}

/// Whether an RTP-Info `url` names the track whose control URL is `control`: the same
/// URL, the same path, or a relative reference that ends it.
fn url_matches(control: &Url, url: &str) -> bool {
    let url = url.trim();
    let c = control.as_str();
    c == url
        || c.trim_end_matches('/') == url.trim_end_matches('/')
        || control.path() == url
        || (!url.is_empty() && !url.contains("://") && c.ends_with(url))
}

/// An RTP packet's bytes as the client got them.
enum PacketBuf {
    /// Memory someone else may see (the caller kept a handle, or an event carries it).
    Shared(Bytes),
    /// Memory only this packet owns (an interleaved frame just cut from the input, a
    /// datagram handed over without other handles): once its header is parsed, a
    /// depacketizer may have a frame prefix written over the header's last bytes. The
    /// packet starts at the offset (after an interleaved frame's `$` header).
    Owned(BytesMut, usize),
}

impl PacketBuf {
    /// Owned when nothing else holds `data`.
    fn from_shared(data: Bytes) -> PacketBuf {
        match data.try_into_mut() {
            Ok(b) => PacketBuf::Owned(b, 0),
            Err(b) => PacketBuf::Shared(b),
        }
    }

    fn freeze(self) -> Bytes {
        match self {
            PacketBuf::Shared(b) => b,
            PacketBuf::Owned(b, at) => {
                let mut b = b.freeze();
                b.advance(at.min(b.len()));
                b
            }
        }
    }
}

impl std::ops::Deref for PacketBuf {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            PacketBuf::Shared(b) => b,
            PacketBuf::Owned(b, at) => b.get(*at..).unwrap_or_default(),
        }
    }
}
