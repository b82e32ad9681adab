//! What a [`ClientSession`](super::ClientSession) hands back: transmits, events,
//! diagnostics and errors.

use crate::auth::AuthError;
use crate::codec::Frame;
use crate::message::{DecodeError, Method, Request, Response, StatusCode};
use crate::time::NtpTimestamp;
use crate::Ssrc;
use bytes::Bytes;
use std::time::Duration;

/// The handle an intent returns; the matching [`ClientEvent::Response`] or
/// [`ClientEvent::RequestTimedOut`] carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// A track: one media description of the presentation, by position (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TrackId(pub usize);

/// RTP or RTCP: which of a track's two flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamKind {
    /// Media packets.
    Rtp,
    /// Control packets.
    Rtcp,
}

/// Where a [`Transmit`] goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Destination {
    /// The RTSP connection (requests, responses, interleaved `$` frames, all framed).
    Control,
    /// A UDP datagram from the caller's socket for `track`'s `kind` to the server's host
    /// at `port` (the `server_port` of the `SETUP` reply).
    Udp {
        /// The track whose socket sends it.
        track: TrackId,
        /// RTP or RTCP socket.
        kind: StreamKind,
        /// The server's port.
        port: u16,
    },
    /// A UDP datagram from the caller's RTCP socket of a multicast `track` to the group
    /// (receiver reports go to the group, [RFC 3550 §6](https://www.rfc-editor.org/rfc/rfc3550#section-6)).
    Multicast {
        /// The track.
        track: TrackId,
        /// The group.
        group: std::net::IpAddr,
        /// The group's RTCP port.
        port: u16,
    },
}

/// Bytes to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// Where to.
    pub destination: Destination,
    /// What: a whole message or datagram.
    pub data: Bytes,
}

/// The transport a track got from its `SETUP`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrackTransport {
    /// Interleaved on the RTSP connection ([RFC 2326 §10.12](https://www.rfc-editor.org/rfc/rfc2326#section-10.12)).
    Interleaved {
        /// RTP channel.
        rtp: u8,
        /// RTCP channel, if any.
        rtcp: Option<u8>,
    },
    /// UDP unicast: the caller's sockets at `client_rtp` (and `+1` for RTCP) exchange
    /// datagrams with the server's host.
    Udp {
        /// The caller's RTP port.
        client_rtp: u16,
        /// The server's RTP port, if it said.
        server_rtp: Option<u16>,
        /// The server's RTCP port, if it said.
        server_rtcp: Option<u16>,
    },
    /// UDP multicast: join `group` and bind `rtp_port` and `rtcp_port`.
    Multicast {
        /// The group (the reply's `destination`), if it parsed as an IP address.
        group: Option<std::net::IpAddr>,
        /// The RTP port.
        rtp_port: Option<u16>,
        /// The RTCP port.
        rtcp_port: Option<u16>,
        /// The TTL.
        ttl: Option<u8>,
    },
}

/// How an RTP timestamp relates to the presentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaTime {
    /// The timestamp as sent.
    pub rtp: u32,
    /// The timestamp unwrapped (monotonic across 32-bit wraps).
    pub extended: i64,
    /// The extended timestamp of the play range's start (RTP-Info `rtptime`, else the
    /// track's first packet).
    pub start: i64,
    /// The track's clock rate.
    pub clock_rate: u32,
    /// Wall-clock time from the latest RTCP sender report, if one arrived.
    pub wall_clock: Option<NtpTimestamp>,
    /// The normal play time where the play range starts (the `npt` start of the `PLAY`
    /// response's `Range`), when the server gave one.
    pub range_start: Option<Duration>,
}

impl MediaTime {
    /// Seconds since the start of the play range (negative before it).
    pub fn elapsed_secs(&self) -> f64 {
        (self.extended - self.start) as f64 / f64::from(self.clock_rate.max(1))
    }

    /// The position in the presentation (normal play time, [RFC 7826 §4.4.2](https://www.rfc-editor.org/rfc/rfc7826#section-4.4.2)):
    /// the range's start plus [`elapsed_secs`](Self::elapsed_secs); `None` without an
    /// `npt` range or before its start.
    pub fn position(&self) -> Option<Duration> {
        let s = self.range_start?.as_secs_f64() + self.elapsed_secs();
        (s >= 0.0 && s.is_finite()).then(|| Duration::from_secs_f64(s))
    }

    /// Time since the start of the play range, `None` before it.
    pub fn elapsed(&self) -> Option<Duration> {
        let s = self.elapsed_secs();
        (s >= 0.0 && s.is_finite()).then(|| Duration::from_secs_f64(s))
    }
}

/// Something that happened, for the application.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ClientEvent {
    /// The response to a request the application made (after any automatic retry with
    /// credentials). Check `response.status`.
    Response {
        /// The request's handle.
        id: RequestId,
        /// The request's method.
        method: Method,
        /// The response.
        response: Box<Response>,
    },
    /// A `DESCRIBE` (or our own `ANNOUNCE`) gave the tracks; see
    /// [`ClientSession::tracks`](super::ClientSession::tracks).
    Described {
        /// How many tracks.
        tracks: usize,
    },
    /// A `SETUP` succeeded.
    TrackSetUp {
        /// Which track.
        track: TrackId,
        /// With which transport.
        transport: TrackTransport,
    },
    /// A request got no response in time, or the session closed before it came; the
    /// request is abandoned. Every request id gets exactly one `Response` or
    /// `RequestTimedOut`.
    RequestTimedOut {
        /// The request's handle.
        id: RequestId,
        /// Its method.
        method: Method,
    },
    /// An RTP packet, in arrival order for TCP and in sequence order for UDP.
    Rtp {
        /// Which track.
        track: TrackId,
        /// The whole packet (header included).
        packet: Bytes,
        /// Timing.
        time: MediaTime,
    },
    /// A whole frame from the track's depacketizer.
    Frame {
        /// Which track.
        track: TrackId,
        /// The frame.
        frame: Frame,
        /// Timing.
        time: MediaTime,
    },
    /// An RTCP compound packet received.
    Rtcp {
        /// Which track.
        track: TrackId,
        /// The datagram or interleaved frame.
        packet: Bytes,
    },
    /// A sender report tied the track's RTP clock to wall-clock time.
    SenderReport {
        /// Which track.
        track: TrackId,
        /// The report's SSRC.
        ssrc: Ssrc,
        /// Its NTP time.
        ntp: NtpTimestamp,
        /// Its RTP time.
        rtp_timestamp: u32,
    },
    /// The server sent a request (RTSP 2.0 `PLAY_NOTIFY`, `REDIRECT`; `OPTIONS` as a
    /// keep-alive; anything else). It has been answered already.
    ServerRequest {
        /// The request.
        request: Box<Request>,
        /// The status answered.
        answered: StatusCode,
    },
    /// The server redirected us (a 3xx with `Location`, [RFC 2326 §11.3](https://www.rfc-editor.org/rfc/rfc2326#section-11.3)).
    /// The session closes next; connect a new one to `location` (and bound the number of
    /// redirects: a printer answering `rtsp://` with `301 → rtsps://` loops, QUIRKS.md 22).
    Redirected {
        /// The `Location` value.
        location: String,
    },
    /// A UDP track received no RTP within [`ClientConfig::media_timeout`](super::ClientConfig::media_timeout)
    /// after `PLAY`, and no other track did either: a firewall or NAT probably drops the
    /// datagrams. The usual answer is a new session over TCP. (One silent track beside
    /// working ones is not reported: streams such as ONVIF metadata send nothing for
    /// minutes, QUIRKS.md 52.)
    NoMedia {
        /// Which track.
        track: TrackId,
    },
    /// An anomaly that did not stop the session.
    Diagnostic(Diagnostic),
    /// The session is over: after `TEARDOWN`, a dropped connection or a fatal error.
    /// No more input is processed.
    Closed {
        /// `None` after a clean teardown.
        error: Option<ClientError>,
    },
}

/// An anomaly worth reporting, tolerated by policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The track concerned, if any.
    pub track: Option<TrackId>,
    /// What happened.
    pub kind: DiagnosticKind,
}

/// The kinds of [`Diagnostic`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DiagnosticKind {
    /// A response had no usable `CSeq` (`got: None`) or one matching no request in
    /// flight; it was matched to the oldest request (`matched`), or dropped (`None`).
    CSeqMismatch {
        /// The CSeq received.
        got: Option<u32>,
        /// The CSeq of the request it was taken to answer.
        matched: Option<u32>,
    },
    /// A keep-alive was unanswered (`status: None`) or rejected.
    KeepAliveFailed {
        /// The status received, if any.
        status: Option<StatusCode>,
    },
    /// The server does not speak RTSP 2.0 (505, or a 1.0 response): the client switched
    /// to 1.0 and resent the request if it was refused.
    VersionFallback,
    /// The server answered 461 Unsupported Transport and the `SETUP` was sent again with
    /// the other transport.
    TransportFallback,
    /// The server changed the session id; see [`SessionIdPolicy`](super::SessionIdPolicy).
    SessionIdChanged,
    /// A `SETUP` reply had no (usable) `Transport` header: the requested transport is
    /// assumed (QUIRKS.md 10, gortsplib issue 456).
    MissingTransport,
    /// A TCP `SETUP` reply had no `interleaved`: the requested channels are assumed
    /// (QUIRKS.md 10, gortsplib issue 142).
    MissingInterleaved,
    /// The server picked other channels or ports than requested; its choice is used.
    TransportChanged,
    /// Interleaved data on a channel no `SETUP` assigned was dropped (first per channel).
    UnassignedChannel {
        /// The channel.
        channel: u8,
    },
    /// A packet that is not valid RTP or RTCP was dropped.
    InvalidPacket {
        /// Which flow.
        kind: StreamKind,
    },
    /// The track's RTP SSRC changed; statistics restart.
    SsrcChanged {
        /// The previous SSRC.
        old: Ssrc,
        /// The new SSRC.
        new: Ssrc,
    },
    /// RTP from an SSRC other than the announced one was dropped
    /// ([`ForeignSsrcPolicy::DropIfAnnounced`](super::ForeignSsrcPolicy::DropIfAnnounced));
    /// reported once per track and SSRC.
    ForeignSsrc {
        /// The packet's SSRC.
        ssrc: Ssrc,
    },
    /// A sender report carried an SSRC the track does not use.
    UnknownRtcpSsrc {
        /// The report's SSRC.
        ssrc: Ssrc,
    },
    /// A header could not be parsed and was ignored.
    BadHeader {
        /// Which header.
        header: &'static str,
    },
    /// The depacketizer rejected a packet (the frame it belonged to is dropped).
    Depacketize {
        /// Why.
        error: crate::codec::DepacketizeError,
    },
    /// Packets were given up as lost by the reorder buffer.
    PacketsLost {
        /// How many.
        count: u64,
    },
    /// Media events were dropped because the event queue was full.
    EventsDropped {
        /// How many so far.
        total: u64,
    },
    /// A request from the server was dropped unanswered because the transmit or event
    /// queue was full (see [`Limits`](super::Limits)).
    ServerRequestDropped,
    /// A response arrived for a request that had already timed out; dropped.
    LateResponse {
        /// Its CSeq.
        cseq: u32,
    },
    /// Data arrived for a track on a datagram socket before or without a UDP `SETUP`.
    UnexpectedDatagram,
    /// The server is a live555 older than 2017.06.04, which keeps sending a session's data
    /// after its connection closed without `TEARDOWN` (see
    /// [`StaleSessionPolicy`](super::StaleSessionPolicy)); reported once.
    StaleSessionServer {
        /// The live555 version (year, month, day).
        version: (u16, u8, u8),
    },
    /// RTP of a stale session (an SSRC given to
    /// [`ClientSession::teardown_stale`](super::ClientSession::teardown_stale)) was
    /// dropped; reported once per track and SSRC.
    StaleData {
        /// The packet's SSRC.
        ssrc: Ssrc,
    },
    /// A datagram from another host than the server was dropped
    /// ([`DatagramSourcePolicy::ServerHost`](super::DatagramSourcePolicy::ServerHost));
    /// reported once per track and address.
    DatagramFromOtherHost {
        /// Where it came from.
        from: std::net::SocketAddr,
    },
    /// The description in a `DESCRIBE` response (or our `ANNOUNCE`) could not be read; no
    /// tracks were taken from it.
    BadDescription {
        /// Why.
        error: crate::sdp::SdpError,
    },
    /// A media description could not be used (no codec, limit reached).
    SkippedMedia {
        /// Its position in the description.
        index: usize,
    },
}

/// Why the session failed, or an intent was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The server sent bytes that are not RTSP (peer sent garbage).
    #[error("server sent garbage: {0}")]
    Decode(#[from] DecodeError),
    /// The server's description could not be read (peer sent garbage).
    #[error("unusable description: {0}")]
    Sdp(#[from] crate::sdp::SdpError),
    /// The server changed the session id, refused by [`SessionIdPolicy::Reject`](super::SessionIdPolicy::Reject)
    /// (peer broke protocol).
    #[error("session id changed")]
    SessionIdChanged,
    /// Data arrived on an unassigned channel, refused by
    /// [`UnassignedChannelPolicy::Error`](super::UnassignedChannelPolicy::Error) (peer broke
    /// protocol).
    #[error("data on unassigned channel {channel}")]
    UnassignedChannel {
        /// The channel.
        channel: u8,
    },
    /// Authentication cannot proceed (wrong credentials, none, or no usable challenge).
    #[error("authentication failed: {0}")]
    Auth(#[from] AuthError),
    /// The connection closed.
    #[error("connection closed")]
    ConnectionClosed,
    /// The connection closed in answer to our first RTSP/2.0 request, before any
    /// response: the server does not speak 2.0 and did not say so with 505. Connect again
    /// with [`ClientConfig::version`](super::ClientConfig::version) set to RTSP/1.0.
    ///
    /// **Background:** ffmpeg's listening server (`ffmpeg -rtsp_flags listen`) resets the
    /// connection on an `RTSP/2.0` request line ("Error parsing protocol or version")
    /// instead of answering 505 as [RFC 7826 Appendix C](https://www.rfc-editor.org/rfc/rfc7826#appendix-C)
    /// expects.
    #[error("connection closed in answer to an RTSP/2.0 request; retry with RTSP/1.0")]
    Rtsp2Refused,
    /// The URL cannot be used (caller misuse).
    #[error("invalid url")]
    InvalidUrl,
    /// Too many requests in flight (caller misuse; see [`Limits::max_in_flight`](super::Limits::max_in_flight)).
    #[error("more than {limit} requests in flight")]
    TooManyRequests {
        /// The limit.
        limit: usize,
    },
    /// No such track (caller misuse).
    #[error("no track {0}")]
    NoSuchTrack(usize),
    /// The intent does not fit the session's state (caller misuse), e.g. `PLAY` before
    /// any `SETUP` or after close.
    #[error("{method} not possible in state {state}")]
    InvalidState {
        /// The method refused.
        method: &'static str,
        /// The state.
        state: &'static str,
    },
    /// Too many transmits wait to be polled (caller misuse: poll them).
    #[error("more than {limit} transmits waiting")]
    TransmitQueueFull {
        /// The limit.
        limit: usize,
    },
    /// A packet to send was not valid RTP (caller misuse).
    #[error("not an rtp packet")]
    InvalidRtp,
    /// The server answered a request with an error status that ends the session.
    #[error("{method} failed with {status}")]
    Status {
        /// The method.
        method: &'static str,
        /// The status.
        status: StatusCode,
    },
}
