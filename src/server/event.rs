//! What a [`Server`](super::Server) reports: events, transmits, identifiers and errors.

use crate::codec::PacketizeError;
use crate::header::{Range, Transport};
use crate::message::{DecodeError, Method, Request, Version};
use crate::rtp::{RtpBuildError, RtpError};
use bytes::Bytes;
use std::net::SocketAddr;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub(super) u64);

        impl $name {
            /// The raw value (unique among live ids of this kind; for logs and maps).
            pub const fn as_u64(self) -> u64 {
                self.0
            }
        }
    };
}

id_type! {
    /// One TCP connection, from [`Server::accept`](super::Server::accept) to its close.
    ConnectionId
}
id_type! {
    /// One RTSP session (it may outlive the connection that created it).
    SessionId
}
id_type! {
    /// One request waiting for the application's answer.
    RequestId
}
id_type! {
    /// A mount: a path with its tracks, created by
    /// [`Server::add_mount`](super::Server::add_mount).
    MountId
}

/// A track of a mount: its index in the list given to
/// [`Server::add_mount`](super::Server::add_mount).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TrackId(pub usize);

/// Which of the caller's UDP media sockets a datagram arrived on or leaves from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaSocket {
    /// The RTP socket ([`UdpPorts::rtp`](super::UdpPorts::rtp)).
    Rtp,
    /// The RTCP socket ([`UdpPorts::rtcp`](super::UdpPorts::rtcp)).
    Rtcp,
}

/// A UDP datagram to send: from which of the caller's sockets, to where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// The socket to send from.
    pub socket: MediaSocket,
    /// The destination (a client's port, or a multicast group).
    pub destination: SocketAddr,
    /// The datagram; shared (not copied) between the destinations of one packet.
    pub payload: Bytes,
}

/// Whether a stream is set up to receive media from the server or to send it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetupMode {
    /// The client plays (`mode=PLAY`, the default).
    Play,
    /// The client publishes (`mode=RECORD`, or FFmpeg's `mode=receive`).
    Record,
}

/// What a request asks, with what the server already parsed from it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RequestKind {
    /// `DESCRIBE`: answer with [`Server::respond_describe`](super::Server::respond_describe).
    Describe,
    /// `ANNOUNCE` with an SDP body (a publisher): [`Server::accept`](super::Server::accept)
    /// once a mount exists for the path (usually created from this SDP).
    Announce {
        /// The SDP body.
        sdp: Bytes,
    },
    /// `SETUP` of one stream: [`Server::accept`](super::Server::accept) when `track` is
    /// known, or [`Server::accept_setup`](super::Server::accept_setup) to name the track.
    /// The server negotiates the transport when the application accepts.
    Setup {
        /// The track the URL names on the request's mount, if it names one.
        track: Option<TrackId>,
        /// Play or record.
        mode: SetupMode,
        /// The transports the client offered, in its order of preference.
        transport: Transport,
    },
    /// `PLAY` of the session (the session is in Ready, or already Playing: a second PLAY
    /// is accepted, QUIRKS 59). Answer with
    /// [`Server::accept_request`](super::Server::accept_request) (the default range) or
    /// [`Server::respond_play`](super::Server::respond_play) (the range that will
    /// actually play).
    Play {
        /// The requested range, if any and readable.
        range: Option<Range>,
        /// The session is already playing and the request has a `Range`: a seek
        /// ([RFC 7826 §13.4.5](https://www.rfc-editor.org/rfc/rfc7826#section-13.4.5)).
        /// On-demand media should continue from the new position.
        seek: bool,
        /// The requested `Scale` (RFC 2326 §12.34, RFC 7826 §18.46), if any and
        /// readable: 2 is twice as fast, -1 backwards. The server answers `Scale: 1`
        /// unless the application plays at another scale and says so with
        /// [`Server::respond_play_scaled`](super::Server::respond_play_scaled).
        scale: Option<f64>,
    },
    /// `PAUSE` of the session.
    Pause,
    /// `RECORD` of the session.
    Record,
    /// `GET_PARAMETER` with a body (an empty one is a keep-alive the server answers).
    GetParameter {
        /// The body.
        body: Bytes,
    },
    /// `SET_PARAMETER` with a body (an empty one is answered by the server).
    SetParameter {
        /// The body.
        body: Bytes,
    },
}

/// A request the application must answer (once, through one of the server's responder
/// methods, by its [`IncomingRequest::id`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct IncomingRequest {
    /// Answer with this id.
    pub id: RequestId,
    /// The connection it arrived on.
    pub conn: ConnectionId,
    /// What it asks.
    pub kind: RequestKind,
    /// The request URL as sent.
    pub url: String,
    /// The URL's path (no scheme, host, query or trailing slash), e.g. `/test`.
    pub path: String,
    /// The mount whose path is the URL's path or its ancestor, if any.
    pub mount: Option<MountId>,
    /// The session (for SETUP, the session the stream joins, new or existing).
    pub session: Option<SessionId>,
    /// The authenticated user, when an authenticator is configured.
    pub user: Option<String>,
    /// The request's protocol version.
    pub version: Version,
    /// The whole request (headers and body share the connection's buffer).
    pub request: Request,
}

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SessionEndReason {
    /// The client sent `TEARDOWN`.
    Teardown,
    /// Nothing (no request, no RTP, no RTCP) arrived for the session timeout.
    Timeout,
    /// The connection carrying its interleaved media closed.
    ConnectionClosed,
    /// The application removed the mount.
    MountRemoved,
    /// The application ended it with [`Server::close_session`](super::Server::close_session).
    Closed,
}

/// Why the server closed a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CloseReason {
    /// More than [`ServerLimits::max_output_bytes`](super::ServerLimits::max_output_bytes)
    /// were queued: the peer does not read.
    SlowReader,
    /// More than [`ServerLimits::max_decode_errors`](super::ServerLimits::max_decode_errors)
    /// malformed messages.
    TooManyErrors,
    /// The application asked ([`Server::close_connection`](super::Server::close_connection)).
    Closed,
    /// A message (request or interleaved frame) began but was not complete within
    /// [`ServerConfig::read_timeout`](super::ServerConfig::read_timeout): a slowloris peer,
    /// or one that stalled mid-message.
    ReadTimeout,
    /// More than [`ServerLimits::max_unassigned_frames`](super::ServerLimits::max_unassigned_frames)
    /// interleaved frames in a row on channels the connection never set up.
    UnassignedFlood,
}

/// An anomaly worth counting or logging; the server has already handled it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Diagnostic {
    /// A malformed message on a connection (answered with an error status when it was a
    /// request).
    Malformed {
        /// The connection.
        conn: ConnectionId,
        /// What was wrong.
        error: DecodeError,
    },
    /// Interleaved data on a channel no stream of the connection uses; dropped.
    UnknownChannel {
        /// The connection.
        conn: ConnectionId,
        /// The channel.
        channel: u8,
    },
    /// A UDP datagram from an address no session uses; dropped.
    UnknownSource {
        /// The socket it arrived on.
        socket: MediaSocket,
        /// Its source.
        from: SocketAddr,
    },
    /// A response from a client that matches no request the server sent; ignored.
    UnexpectedResponse {
        /// The connection.
        conn: ConnectionId,
    },
    /// A request named another user's session; answered `454 Session Not Found`.
    SessionOfOtherUser {
        /// The connection.
        conn: ConnectionId,
    },
    /// UDP datagrams were dropped because the transmit queue was full.
    TransmitsDropped {
        /// How many.
        count: u64,
    },
    /// Media or diagnostic events were dropped because the event queue was full.
    EventsDropped {
        /// How many.
        count: u64,
    },
    /// A frame given to [`Server::send_frame`](super::Server::send_frame) could not be
    /// packetized; dropped.
    Packetize {
        /// The mount.
        mount: MountId,
        /// The track.
        track: TrackId,
        /// Why.
        error: PacketizeError,
    },
    /// A packet given to [`Server::send_rtp`](super::Server::send_rtp) could not be
    /// relayed; dropped (the call also returned the error).
    Relay {
        /// The mount.
        mount: MountId,
        /// The track.
        track: TrackId,
        /// Why.
        error: RelayError,
    },
    /// A recorded RTP packet could not be depacketized (the frame it belonged to was
    /// dropped; the RTP event was still reported).
    Depacketize {
        /// The session.
        session: SessionId,
        /// The track.
        track: TrackId,
        /// Why.
        error: crate::codec::DepacketizeError,
    },
    /// The application did not answer a request within
    /// [`ServerConfig::answer_timeout`](super::ServerConfig::answer_timeout); the server
    /// answered `503 Service Unavailable`.
    Unanswered {
        /// The request.
        id: RequestId,
    },
    /// A connection was refused because of [`ServerLimits::max_connections`](super::ServerLimits::max_connections).
    TooManyConnections,
}

/// Why [`Server::send_rtp`](super::Server::send_rtp) dropped a packet (reported in
/// [`Diagnostic::Relay`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RelayError {
    /// The bytes are not an RTP packet (e.g. a publisher sent garbage).
    #[error("not an rtp packet: {0}")]
    Parse(#[from] RtpError),
    /// The packet could not be rebuilt with the track's SSRC, sequence number and
    /// timestamp.
    #[error("cannot rebuild the packet: {0}")]
    Build(#[from] RtpBuildError),
}

impl From<RelayError> for ApiError {
    fn from(error: RelayError) -> ApiError {
        match error {
            RelayError::Parse(e) => ApiError::Rtp(e),
            RelayError::Build(e) => ApiError::RtpBuild(e),
        }
    }
}

/// What happened; poll with [`Server::poll_event`](super::Server::poll_event).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ServerEvent {
    /// A request to answer.
    Request(Box<IncomingRequest>),
    /// A session ended (its media stopped; nothing more will be reported for it). Not
    /// reported for a session whose first SETUP was never accepted (rejected, or its
    /// connection closed first): that session never existed for the client.
    SessionClosed {
        /// The session.
        session: SessionId,
        /// Its mount, if it had set up a stream.
        mount: Option<MountId>,
        /// Whether it was publishing (set up with `mode=RECORD`).
        publisher: bool,
        /// Why.
        reason: SessionEndReason,
    },
    /// One stream of a session that keeps others was torn down (`TEARDOWN` of the
    /// stream's URL, RFC 7826 §13.7): its media stopped and its transport (channels,
    /// UDP ports, multicast membership) was freed. The session goes on; the last stream's
    /// `TEARDOWN` ends it ([`ServerEvent::SessionClosed`]).
    StreamRemoved {
        /// The session.
        session: SessionId,
        /// Its mount.
        mount: MountId,
        /// The stream's track.
        track: TrackId,
    },
    /// The server gave up on a connection: the caller must close the socket (its queued
    /// output is discarded). Its sessions were handled as if the connection had closed.
    ConnectionClosed {
        /// The connection.
        conn: ConnectionId,
        /// Why.
        reason: CloseReason,
    },
    /// An RTP packet from a publishing (recording) session.
    Rtp {
        /// The session.
        session: SessionId,
        /// Its mount.
        mount: MountId,
        /// The track the packet belongs to.
        track: TrackId,
        /// The packet, as received.
        packet: Bytes,
    },
    /// An RTCP compound packet from a publishing (recording) session.
    Rtcp {
        /// The session.
        session: SessionId,
        /// Its mount.
        mount: MountId,
        /// The track the packet belongs to.
        track: TrackId,
        /// The packet, as received.
        packet: Bytes,
    },
    /// A frame depacketized from a recording session's RTP, for streams the application
    /// attached a depacketizer to ([`Server::attach_depacketizer`](super::Server::attach_depacketizer)).
    Frame {
        /// The session.
        session: SessionId,
        /// Its mount.
        mount: MountId,
        /// The track.
        track: TrackId,
        /// The frame.
        frame: crate::codec::Frame,
    },
    /// An anomaly.
    Diagnostic(Diagnostic),
}

/// The application called the server in a way it cannot honour; nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// No request with this id waits for an answer (already answered, or its connection
    /// closed meanwhile, which is normal: ignore the error then).
    #[error("no pending request {0:?}")]
    UnknownRequest(RequestId),
    /// This responder does not fit the request's method.
    #[error("request {id:?} is a {method} request")]
    WrongMethod {
        /// The request.
        id: RequestId,
        /// Its method.
        method: Method,
    },
    /// A SETUP was accepted without a track: its URL names none, use
    /// [`Server::accept_setup`](super::Server::accept_setup).
    #[error("setup {0:?} names no track")]
    NoTrack(RequestId),
    /// No mount with this id.
    #[error("no mount {0:?}")]
    UnknownMount(MountId),
    /// [`Server::respond_play_scaled`](super::Server::respond_play_scaled) with a scale
    /// that is zero or not finite.
    #[error("scale must be finite and non-zero")]
    InvalidScale,
    /// The mount has no such track.
    #[error("mount {mount:?} has no track {track:?}")]
    UnknownTrack {
        /// The mount.
        mount: MountId,
        /// The track.
        track: TrackId,
    },
    /// A mount with this path exists already.
    #[error("path {0} is already mounted")]
    PathInUse(String),
    /// The path is not an absolute path (`/name`) of printable characters.
    #[error("invalid mount path")]
    InvalidPath,
    /// [`ServerLimits::max_mounts`](super::ServerLimits::max_mounts) or
    /// [`ServerLimits::max_tracks_per_mount`](super::ServerLimits::max_tracks_per_mount)
    /// reached, or a mount without tracks.
    #[error("mount or track limit reached")]
    Limit,
    /// [`Server::send_frame`](super::Server::send_frame) on a track without a packetizer.
    #[error("track has no packetizer")]
    NoPacketizer,
    /// The frame could not be packetized.
    #[error("packetize: {0}")]
    Packetize(#[from] PacketizeError),
    /// [`Server::send_rtp`](super::Server::send_rtp) with bytes that are not an RTP packet.
    #[error("rtp: {0}")]
    Rtp(#[from] RtpError),
    /// [`Server::send_rtp`](super::Server::send_rtp) could not rebuild the packet with the
    /// track's SSRC, sequence number and timestamp.
    #[error("rtp rebuild: {0}")]
    RtpBuild(#[from] RtpBuildError),
    /// No session with this id.
    #[error("no session {0:?}")]
    UnknownSession(SessionId),
    /// [`ServerLimits::max_connections`](super::ServerLimits::max_connections) reached.
    #[error("too many connections")]
    TooManyConnections,
}
