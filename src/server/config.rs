//! Server configuration: limits, authentication, media ports, multicast.

use crate::auth::ServerAuthenticator;
use crate::message::Limits;
use crate::time::NtpTimestamp;
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use std::fmt;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

/// Bounds on everything peers can make a [`Server`](super::Server) hold. Every field has
/// a finite default; exceeding one is answered with an error status, or the offending
/// item is dropped with a [`Diagnostic`](super::Diagnostic), or (for a slow reader) the
/// connection is closed with [`ServerEvent::ConnectionClosed`](super::ServerEvent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerLimits {
    /// The message decoder's limits (request line, header section, body, interleaved
    /// frame). Default: [`Limits::default`].
    pub decoder: Limits,
    /// Most open connections; [`Server::accept`](super::Server::accept) refuses more.
    /// Default 4,096.
    pub max_connections: usize,
    /// Most sessions; a `SETUP` beyond it is answered `503 Service Unavailable`.
    /// Default 4,096.
    pub max_sessions: usize,
    /// Most requests of one connection waiting for the application's answer; more are
    /// answered `503 Service Unavailable`. Default 16.
    pub max_pending_requests: usize,
    /// Most bytes queued for one connection (responses and interleaved media) that the
    /// caller has not taken with [`Server::poll_stream_output`](super::Server::poll_stream_output).
    /// A connection over it is a slow reader and is closed. Default 1 MiB.
    pub max_output_bytes: usize,
    /// Most streams (tracks) one session can set up; more are answered
    /// `453 Not Enough Bandwidth`. Default 16.
    pub max_tracks_per_session: usize,
    /// Most mounts the application can add. Default 1,024.
    pub max_mounts: usize,
    /// Most tracks in one mount. Default 16.
    pub max_tracks_per_mount: usize,
    /// Most UDP datagrams waiting in [`Server::poll_transmit`](super::Server::poll_transmit);
    /// further datagrams are dropped (counted in a diagnostic). Default 65,536.
    pub max_pending_transmits: usize,
    /// Most events waiting in [`Server::poll_event`](super::Server::poll_event). Only
    /// media and diagnostic events are ever dropped at this bound; requests and closures
    /// are bounded by the other limits. Default 4,096.
    pub max_events: usize,
    /// Malformed messages tolerated on one connection before it is closed. Default 16.
    pub max_decode_errors: usize,
    /// Interleaved frames in a row on channels no stream of the connection uses before
    /// the connection is closed with [`CloseReason::UnassignedFlood`](super::CloseReason::UnassignedFlood).
    /// A request or a frame on an assigned channel starts the count again, so a client
    /// that sends the odd frame on a channel it never set up (or data just before its
    /// SETUP response) is not affected; a peer that only floods is. Default 1,024.
    pub max_unassigned_frames: usize,
}

impl Default for ServerLimits {
    fn default() -> ServerLimits {
        ServerLimits {
            decoder: Limits::default(),
            max_connections: 4096,
            max_sessions: 4096,
            max_pending_requests: 16,
            max_output_bytes: 1024 * 1024,
            max_tracks_per_session: 16,
            max_mounts: 1024,
            max_tracks_per_mount: 16,
            max_pending_transmits: 65_536,
            max_events: 4096,
            max_decode_errors: 16,
            max_unassigned_frames: 1024,
        }
    }
}

/// The UDP sockets the caller opened for unicast media: one RTP and one RTCP port shared
/// by every session (as MediaMTX's `:8000`/`:8001`). Incoming datagrams are told apart by
/// their source address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UdpPorts {
    /// The server's RTP port (advertised in `server_port`).
    pub rtp: u16,
    /// The server's RTCP port, normally `rtp + 1`.
    pub rtcp: u16,
}

/// Multicast delivery: each mount that a client sets up with `multicast` gets a group from
/// this range, and track `n` of it the ports `port_base + 2n` (RTP) and `port_base + 2n + 1`
/// (RTCP). The caller sends the datagrams with the given TTL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct MulticastConfig {
    /// The first group address.
    pub group_base: Ipv4Addr,
    /// How many consecutive groups may be used (at least 1).
    pub groups: u32,
    /// The RTP port of track 0.
    pub port_base: u16,
    /// The TTL announced in the `Transport` reply.
    pub ttl: u8,
}

impl MulticastConfig {
    /// Groups from `group_base`, `groups` of them, ports from `port_base`, TTL 16.
    pub fn new(group_base: Ipv4Addr, groups: u32, port_base: u16) -> MulticastConfig {
        MulticastConfig {
            group_base,
            groups: groups.max(1),
            port_base,
            ttl: 16,
        }
    }
}

impl Default for MulticastConfig {
    fn default() -> MulticastConfig {
        MulticastConfig::new(Ipv4Addr::new(239, 0, 0, 1), 256, 16_000)
    }
}

/// Which grammar the `RTP-Info` header of a `PLAY` response to an RTSP 2.0 client follows.
///
/// Background: GStreamer's own server (gst-rtsp-server 1.22) answers RTSP 2.0 requests
/// with the RFC 2326 form, and GStreamer's `rtspsrc` in 2.0 mode reads it
/// (`shared/corpus/gst2_tcp__gst_av`), so that is the default; RFC 7826 §18.45's form is
/// available for clients that require it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Rtsp2RtpInfoPolicy {
    /// `url=rtsp://h/a/track1;seq=1;rtptime=2` (what gst-rtsp-server sends).
    #[default]
    Rfc2326Form,
    /// `url="rtsp://h/a/track1" ssrc=0A13C760:seq=1;rtptime=2` (RFC 7826 §18.45).
    Rfc7826Form,
}

/// Configuration of a [`Server`](super::Server).
///
/// ```
/// use rtsp_proto::server::{ServerConfig, UdpPorts};
/// use rand::{rngs::StdRng, SeedableRng};
/// let mut config = ServerConfig::default();
/// config.rng = Box::new(StdRng::seed_from_u64(7)); // reproducible ids in tests
/// config.udp_ports = Some(UdpPorts { rtp: 8000, rtcp: 8001 });
/// assert_eq!(config.session_timeout.as_secs(), 60);
/// ```
#[non_exhaustive]
pub struct ServerConfig {
    /// Limits.
    pub limits: ServerLimits,
    /// The source of session ids, SSRCs, initial sequence numbers and timestamps, nonces
    /// and RTCP interval randomisation. Default: `StdRng::from_os_rng()`; seed it in tests.
    pub rng: Box<dyn RngCore + Send>,
    /// Authentication of every request but `OPTIONS`; `None` (the default) lets everyone
    /// in. Build it with [`ServerAuthenticator::new`]: it offers Digest MD5 by default and
    /// SHA-256 only when configured, since FFmpeg cannot answer SHA-256 (QUIRKS 54).
    pub authenticator: Option<ServerAuthenticator>,
    /// How long a session lives without a request or media from its client (announced as
    /// `Session: id;timeout=60`). Default 60 s.
    pub session_timeout: Duration,
    /// How long a request may wait for the application's answer; then the server answers
    /// `503 Service Unavailable` itself (and reports
    /// [`Diagnostic::Unanswered`](super::Diagnostic::Unanswered)), so a forgotten request
    /// cannot hold up the connection's later responses forever. Default 30 s.
    pub answer_timeout: Duration,
    /// How long one message (a request, or an interleaved frame) may take to arrive once
    /// its first byte is in. A connection that keeps a partial message longer is closed
    /// with [`CloseReason::ReadTimeout`](super::CloseReason::ReadTimeout): this stops a
    /// slowloris peer (one byte a second of a never-ending header) from holding a
    /// connection, which the size limits alone would allow for hours. Idle connections
    /// with nothing buffered are not affected. Default 30 s.
    pub read_timeout: Duration,
    /// The `Server` header value. Default `rtsp-proto/<version>`.
    pub server_name: String,
    /// The CNAME in the RTCP sender reports. Default `rtsp-proto`.
    pub cname: String,
    /// The UDP ports the caller opened for unicast media; `None` (the default) offers
    /// TCP interleaved only (a UDP-only client is answered `461 Unsupported Transport`).
    pub udp_ports: Option<UdpPorts>,
    /// Multicast delivery; `None` (the default) refuses multicast transports.
    pub multicast: Option<MulticastConfig>,
    /// The wall-clock time of an instant, for the NTP time stamps of RTCP sender reports:
    /// `(instant, NTP time at that instant)`, typically `(Instant::now(),
    /// NtpTimestamp::from_system_time(SystemTime::now()))` taken together at start-up.
    /// `None` (the default) counts NTP time from the first instant the server sees, which
    /// keeps tracks in sync with each other but not with the wall clock.
    pub ntp_origin: Option<(Instant, NtpTimestamp)>,
    /// RTP-Info grammar for RTSP 2.0 clients.
    pub rtsp2_rtp_info: Rtsp2RtpInfoPolicy,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            limits: ServerLimits::default(),
            rng: Box::new(StdRng::from_os_rng()),
            authenticator: None,
            session_timeout: Duration::from_secs(60),
            answer_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(30),
            server_name: concat!("rtsp-proto/", env!("CARGO_PKG_VERSION")).to_owned(),
            cname: "rtsp-proto".to_owned(),
            udp_ports: None,
            multicast: None,
            ntp_origin: None,
            rtsp2_rtp_info: Rtsp2RtpInfoPolicy::default(),
        }
    }
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("limits", &self.limits)
            .field("authenticator", &self.authenticator)
            .field("session_timeout", &self.session_timeout)
            .field("server_name", &self.server_name)
            .field("udp_ports", &self.udp_ports)
            .field("multicast", &self.multicast)
            .finish_non_exhaustive()
    }
}
