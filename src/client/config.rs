//! Configuration of a [`ClientSession`](super::ClientSession): limits, timers and the named
//! policies for device quirks.

use crate::auth::UserCredentials;
use crate::message::Version;
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use std::fmt;
use std::time::Duration;

/// Bounds on everything a server can make the client hold.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Requests sent and not yet answered (default 16). Another intent returns
    /// [`ClientError::TooManyRequests`](super::ClientError::TooManyRequests).
    pub max_in_flight: usize,
    /// Tracks taken from a description (default 16); further media are skipped with a
    /// diagnostic.
    pub max_tracks: usize,
    /// Events waiting to be polled (default 4,096). Media events (packets, frames, RTCP)
    /// beyond it are dropped and counted ([`DiagnosticKind::EventsDropped`](super::DiagnosticKind::EventsDropped)).
    pub max_events: usize,
    /// Transmits waiting to be polled (default 1,024). RTCP reports and NAT-punching
    /// packets beyond it are dropped; requests are bounded by `max_in_flight`.
    pub max_transmits: usize,
    /// The message decoder's limits (head, headers, body, interleaved frame).
    pub message: crate::message::Limits,
    /// The reorder buffer of each UDP track.
    pub rtp: crate::rtp::Limits,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_in_flight: 16,
            max_tracks: 16,
            max_events: 4096,
            max_transmits: 1024,
            message: crate::message::Limits::default(),
            rtp: crate::rtp::Limits::default(),
        }
    }
}

/// What to do with a response whose `CSeq` is missing or matches no request in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CSeqPolicy {
    /// Match it to the oldest request in flight (responses come in request order on one
    /// connection, [RFC 2326 §12.17](https://www.rfc-editor.org/rfc/rfc2326#section-12.17))
    /// and report a [`DiagnosticKind::CSeqMismatch`](super::DiagnosticKind::CSeqMismatch).
    /// A response carrying the `CSeq` of a request that already timed out is dropped.
    ///
    /// **Background:** Tapo C220 and C520WS cameras answer a rejected keep-alive with the
    /// *previous* request's CSeq (QUIRKS.md 2, retina issues 133 and 136); some embedded
    /// servers omit `CSeq` altogether.
    #[default]
    MatchOldest,
    /// Drop it with a diagnostic; the request it answered eventually times out.
    Drop,
}

/// What to do when a `SETUP` response names a session id different from the one already
/// established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SessionIdPolicy {
    /// Keep using the first id and report [`DiagnosticKind::SessionIdChanged`](super::DiagnosticKind::SessionIdChanged).
    ///
    /// **Background:** some cameras hand out a new session id for every `SETUP` of one
    /// presentation but keep serving the first (QUIRKS.md 11, retina's
    /// `SessionIdPolicy::UseFirst`).
    #[default]
    UseFirst,
    /// Switch to the newest id, with the same diagnostic.
    UseLatest,
    /// Treat the `SETUP` as failed ([`ClientError::SessionIdChanged`](super::ClientError::SessionIdChanged)).
    Reject,
}

/// What to do with interleaved data on a channel no `SETUP` assigned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum UnassignedChannelPolicy {
    /// Drop the frame; report the first one per channel with
    /// [`DiagnosticKind::UnassignedChannel`](super::DiagnosticKind::UnassignedChannel).
    ///
    /// **Background:** some cameras start streaming on channels before (or without) the
    /// `SETUP` that assigns them (QUIRKS.md 14, retina `UnassignedChannelDataPolicy`,
    /// moonfire-nvr issue 213). Dropping is safe: nobody asked for that data.
    #[default]
    Drop,
    /// Close the session with [`ClientError::UnassignedChannel`](super::ClientError::UnassignedChannel).
    Error,
}

/// What to do with an RTCP sender report whose SSRC is not the track's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum UnknownRtcpSsrcPolicy {
    /// Use it for the track's clock anyway when the track has seen no other SSRC in RTCP,
    /// reporting [`DiagnosticKind::UnknownRtcpSsrc`](super::DiagnosticKind::UnknownRtcpSsrc).
    ///
    /// **Background:** the Tapo C320WS sends sender reports with an SSRC that matches no
    /// RTP stream (QUIRKS.md 51, retina `UnknownRtcpSsrcPolicy`); on a track-per-socket
    /// transport the report can only be about that track.
    #[default]
    Accept,
    /// Ignore the report (with the diagnostic).
    Ignore,
}

/// Which method keeps the session alive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum KeepAlivePolicy {
    /// `GET_PARAMETER` when the server's `Public` lists it (or no `OPTIONS` was made),
    /// else `OPTIONS`. An unanswered or rejected keep-alive is never fatal: it is reported
    /// as [`DiagnosticKind::KeepAliveFailed`](super::DiagnosticKind::KeepAliveFailed).
    ///
    /// **Background:** cameras never answer keep-alives (QUIRKS.md 4, gortsplib issue
    /// 412), reject `GET_PARAMETER` with 400 although `Public` lists it (GW Security
    /// GW4089IP, QUIRKS.md 3) or answer with the previous CSeq (Tapo, QUIRKS.md 2); the
    /// VLC server requires `GET_PARAMETER`.
    #[default]
    Auto,
    /// Always `OPTIONS`.
    Options,
    /// Always `GET_PARAMETER`.
    GetParameter,
    /// No keep-alive requests (RTCP receiver reports still go out).
    Disabled,
}

/// What to do with RTP-Info entries that do not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RtpInfoPolicy {
    /// With one track set up and one entry, use the entry whatever its URL; ignore `seq`
    /// (it is never needed: sequence numbers are learned from the first packet); an
    /// unparseable header is reported and ignored.
    ///
    /// **Background:** the GW Security GW4089IP sends a wrong URL with one stream
    /// (QUIRKS.md 9); Hikvision and Tapo cameras send bogus `seq=0`/`seq=1`; the OMNY
    /// M5S2A an unparseable `rtptime`; Reolink names streams that were never set up.
    #[default]
    Lenient,
    /// Only entries whose URL matches a track's control URL are used.
    MatchUrl,
}

/// What to do with RTP whose SSRC differs from the one the server announced for the track
/// (in `SETUP`'s `Transport` or `PLAY`'s `RTP-Info`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ForeignSsrcPolicy {
    /// Accept it: the stream's SSRC changed (statistics restart, with
    /// [`DiagnosticKind::SsrcChanged`](super::DiagnosticKind::SsrcChanged)).
    ///
    /// **Background:** servers announce SSRCs they do not use (the H.264 DVR of the test
    /// data says `ssrc=0`), and encoders restart with a new SSRC mid-stream; dropping would
    /// lose the whole stream.
    #[default]
    Accept,
    /// Drop it, reporting [`DiagnosticKind::ForeignSsrc`](super::DiagnosticKind::ForeignSsrc)
    /// once per SSRC.
    ///
    /// **Background:** the Reolink RLC-410 keeps sending an old session's packets (another
    /// SSRC) on a new session's connection (QUIRKS.md 21, retina `client/rtp.rs`), and
    /// live555 servers before 2017.06.04 send a stale session's data on a reused TCP
    /// connection (QUIRKS.md 20); with a truthful server this keeps them out.
    DropIfAnnounced,
}

/// What to do about live555 servers that keep serving a session whose connection closed
/// without `TEARDOWN`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum StaleSessionPolicy {
    /// When the server is a live555 before 2017.06.04 (its `a=tool` or `Server` header),
    /// report [`DiagnosticKind::StaleSessionServer`](super::DiagnosticKind::StaleSessionServer)
    /// and, on interleaved tracks, drop RTP whose SSRC is not the one the server announced
    /// (reported as [`DiagnosticKind::ForeignSsrc`](super::DiagnosticKind::ForeignSsrc)),
    /// whatever [`ForeignSsrcPolicy`] says. Whatever the server, a session that ends
    /// without a `TEARDOWN` answer leaves a [`StaleSession`](super::StaleSession)
    /// ([`ClientSession::stale_session`](super::ClientSession::stale_session)) for the
    /// caller to tear down on the next connection
    /// ([`ClientSession::teardown_stale`](super::ClientSession::teardown_stale)), whose
    /// SSRCs are then dropped there.
    ///
    /// **Background:** live555 before 2017.06.04 keeps a session whose TCP connection
    /// closed without `TEARDOWN` until it times out (about 65 s) and keeps writing its
    /// interleaved data to the old socket descriptor, which the OS reuses for new
    /// connections, even unrelated ones (QUIRKS.md 20, retina issue 17; older Reolink
    /// cameras embed such versions). Tearing the old session down stops it; until then
    /// its packets (another SSRC) must not be taken for the new session's.
    #[default]
    TeardownAndFilter,
    /// Report the server only; take packets as [`ForeignSsrcPolicy`] says.
    ReportOnly,
}

/// Which hosts a unicast UDP track takes datagrams from
/// ([`ClientSession::handle_datagram`](super::ClientSession::handle_datagram)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DatagramSourcePolicy {
    /// Only from the server's address ([`ClientConfig::server_addr`] or
    /// [`ClientSession::set_server_addr`](super::ClientSession::set_server_addr)); others
    /// are dropped and reported with
    /// [`DiagnosticKind::DatagramFromOtherHost`](super::DiagnosticKind::DatagramFromOtherHost)
    /// (first per track and address). Without a known server address nothing is checked.
    /// Multicast tracks take any source: the group is the filter, and a group's sender
    /// need not be the RTSP server's address.
    ///
    /// **Background:** a UDP port takes datagrams from anyone who can reach it: stray or
    /// injected packets on the media ports would become frames and skew the statistics.
    /// This is not a device quirk but a safe default; `Any` is for the deployments
    /// (NATs, relays) where media legitimately comes from another address.
    #[default]
    ServerHost,
    /// Any source: behind NATs or load balancers where media comes from another address
    /// than the RTSP connection's.
    Any,
}

/// The named policies for real devices' deviations; every default is safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Policies {
    /// Responses with a missing or unmatched `CSeq`.
    pub cseq: CSeqPolicy,
    /// Session id changes between `SETUP`s.
    pub session_id: SessionIdPolicy,
    /// Data on unassigned interleaved channels.
    pub unassigned_channel: UnassignedChannelPolicy,
    /// Sender reports with an unknown SSRC.
    pub unknown_rtcp_ssrc: UnknownRtcpSsrcPolicy,
    /// Keep-alive method.
    pub keep_alive: KeepAlivePolicy,
    /// RTP-Info oddities.
    pub rtp_info: RtpInfoPolicy,
    /// RTP from an SSRC the server did not announce.
    pub foreign_ssrc: ForeignSsrcPolicy,
    /// UDP datagrams from hosts other than the server.
    pub datagram_source: DatagramSourcePolicy,
    /// live555's stale sessions.
    pub stale_session: StaleSessionPolicy,
}

/// Everything a [`ClientSession`](super::ClientSession) is configured with.
#[non_exhaustive]
pub struct ClientConfig {
    /// Credentials; `None` takes them from the URL's userinfo, if any.
    pub credentials: Option<UserCredentials>,
    /// The `User-Agent` header sent with every request (`None`: no header).
    pub user_agent: Option<String>,
    /// The protocol version spoken (default RTSP/1.0). With 2.0 the client falls back to
    /// 1.0 by itself when the server answers 505 or answers in 1.0 ([RFC 7826 Appendix C](https://www.rfc-editor.org/rfc/rfc7826#appendix-C));
    /// a server that drops the connection instead closes the session with
    /// [`ClientError::Rtsp2Refused`](super::ClientError::Rtsp2Refused): reconnect with 1.0.
    pub version: Version,
    /// Pipelining of the session's start-up in RTSP/2.0 ([RFC 7826 §16.3](https://www.rfc-editor.org/rfc/rfc7826#section-16.3)):
    /// the first `SETUP` and the requests queued after it (more `SETUP`s, `PLAY`) carry
    /// a `Pipelined-Requests` id instead of the session id and need not wait for its
    /// answer; responses are matched by `CSeq` (default false). Only used while the
    /// session speaks 2.0: set up after the `DESCRIBE` (or `OPTIONS`) answer has settled
    /// the version, since a 1.0 server does not know the header.
    pub pipelined_requests: bool,
    /// How long a request waits for its response (default 10 s).
    pub request_timeout: Duration,
    /// Session timeout assumed when `SETUP`'s `Session` gives none (default 60 s,
    /// [RFC 2326 §12.37](https://www.rfc-editor.org/rfc/rfc2326#section-12.37)).
    pub default_session_timeout: Duration,
    /// How long a UDP track may stay silent after `PLAY` before
    /// [`ClientEvent::NoMedia`](super::ClientEvent::NoMedia) (default 5 s; `None`: never).
    pub media_timeout: Option<Duration>,
    /// Emit [`ClientEvent::Rtp`](super::ClientEvent::Rtp) for every packet (default true).
    pub emit_packets: bool,
    /// Depacketize tracks whose codec is known and emit
    /// [`ClientEvent::Frame`](super::ClientEvent::Frame) (default true).
    pub emit_frames: bool,
    /// RTCP bandwidth assumed per track when the SDP gives no `b=AS`, in octets/s
    /// (default 500, which gives RFC 3550's 5 s minimum interval).
    pub rtcp_bandwidth: f64,
    /// The `CNAME` of our receiver and sender reports.
    pub cname: String,
    /// The wall-clock time of an instant, for the NTP time stamps of the sender reports
    /// sent while publishing: `(instant, NTP time at that instant)`, typically
    /// `(Instant::now(), NtpTimestamp::from_system_time(SystemTime::now()))` taken together
    /// at start-up. `None` (the default) counts NTP time from the session's first report,
    /// which keeps its tracks in sync with each other but not with the wall clock.
    pub ntp_origin: Option<(std::time::Instant, crate::time::NtpTimestamp)>,
    /// The server's address (what the caller connected the RTSP connection to), to check
    /// where UDP media comes from ([`DatagramSourcePolicy`]); also settable later with
    /// [`ClientSession::set_server_addr`](super::ClientSession::set_server_addr).
    /// `None` (the default): not checked.
    pub server_addr: Option<std::net::IpAddr>,
    /// Limits.
    pub limits: Limits,
    /// Device-quirk policies.
    pub policies: Policies,
    /// The source of SSRCs, Digest `cnonce`s and RTCP interval jitter. Seed it for
    /// reproducible runs.
    pub rng: Box<dyn RngCore + Send>,
}

impl Default for ClientConfig {
    fn default() -> ClientConfig {
        ClientConfig {
            credentials: None,
            user_agent: Some(concat!("rtsp-proto/", env!("CARGO_PKG_VERSION")).to_owned()),
            version: Version::V1_0,
            pipelined_requests: false,
            request_timeout: Duration::from_secs(10),
            default_session_timeout: Duration::from_secs(60),
            media_timeout: Some(Duration::from_secs(5)),
            emit_packets: true,
            emit_frames: true,
            rtcp_bandwidth: 500.0,
            cname: "rtsp-proto".to_owned(),
            ntp_origin: None,
            server_addr: None,
            limits: Limits::default(),
            policies: Policies::default(),
            rng: Box::new(StdRng::from_os_rng()),
        }
    }
}

impl ClientConfig {
    /// The default configuration with a seeded RNG (for tests and simulations).
    pub fn seeded(seed: u64) -> ClientConfig {
        ClientConfig {
            rng: Box::new(StdRng::seed_from_u64(seed)),
            ..ClientConfig::default()
        }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("credentials", &self.credentials)
            .field("user_agent", &self.user_agent)
            .field("version", &self.version)
            .field("request_timeout", &self.request_timeout)
            .field("emit_packets", &self.emit_packets)
            .field("emit_frames", &self.emit_frames)
            .field("limits", &self.limits)
            .field("policies", &self.policies)
            .finish_non_exhaustive()
    }
}
