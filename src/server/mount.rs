//! Mounts: a path with tracks, each track one RTP source shared by every player.

use super::event::{ConnectionId, SessionId};
use crate::codec::Packetizer;
use crate::rtcp::RtcpInterval;
use crate::rtp::{SenderStats, Ssrc};
use std::fmt;
use std::net::SocketAddr;
use std::time::Instant;

/// One track of a mount: an RTP stream with its payload type, clock rate, SDP control
/// attribute and (for [`Server::send_frame`](super::Server::send_frame)) a packetizer from
/// [`crate::codec`].
///
/// ```
/// use rtsp_proto::codec::h264::{H264Packetizer, H264PacketizerConfig};
/// use rtsp_proto::server::TrackConfig;
/// let video = TrackConfig::new("trackID=0", 96, 90_000)
///     .with_packetizer(Box::new(H264Packetizer::new(H264PacketizerConfig::default())?));
/// let relayed = TrackConfig::new("trackID=1", 97, 48_000); // fed with send_rtp
/// # Ok::<(), rtsp_proto::codec::PacketizeError>(())
/// ```
#[non_exhaustive]
pub struct TrackConfig {
    /// The `a=control` value of the track in the SDP the application serves, relative to
    /// the mount path (`trackID=0`, `stream=0`).
    pub control: String,
    /// The RTP payload type.
    pub payload_type: u8,
    /// The RTP clock rate, in Hz.
    pub clock_rate: u32,
    /// The packetizer for [`Server::send_frame`](super::Server::send_frame); `None` for
    /// tracks fed with ready RTP packets.
    pub packetizer: Option<Box<dyn Packetizer + Send>>,
    /// The session bandwidth in bits per second, for the RTCP interval (5 % of it goes
    /// to RTCP). Default 1 Mbit/s; the RTCP interval never goes below 5 s.
    pub bandwidth: u32,
}

impl TrackConfig {
    /// A track without packetizer.
    pub fn new(control: impl Into<String>, payload_type: u8, clock_rate: u32) -> TrackConfig {
        TrackConfig {
            control: control.into(),
            payload_type,
            clock_rate,
            packetizer: None,
            bandwidth: 1_000_000,
        }
    }

    /// The same track with a packetizer.
    #[must_use]
    pub fn with_packetizer(mut self, packetizer: Box<dyn Packetizer + Send>) -> TrackConfig {
        self.packetizer = Some(packetizer);
        self
    }
}

impl fmt::Debug for TrackConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrackConfig")
            .field("control", &self.control)
            .field("payload_type", &self.payload_type)
            .field("clock_rate", &self.clock_rate)
            .field("packetizer", &self.packetizer.is_some())
            .field("bandwidth", &self.bandwidth)
            .finish()
    }
}

/// Where one player's copy of a track goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SinkKind {
    Interleaved {
        conn: ConnectionId,
        rtp: u8,
        rtcp: u8,
    },
    Udp {
        rtp: SocketAddr,
        rtcp: SocketAddr,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Sink {
    pub(super) session: SessionId,
    pub(super) kind: SinkKind,
}

pub(super) struct Track {
    pub(super) config: TrackConfig,
    pub(super) ssrc: Ssrc,
    /// The sequence number of the next packet.
    pub(super) seq: u16,
    /// Added to the application's timestamps (random start, RFC 3550 §5.1).
    pub(super) ts_offset: u32,
    pub(super) stats: SenderStats,
    pub(super) sinks: Vec<Sink>,
    /// Players receiving by multicast.
    pub(super) multicast_members: usize,
    pub(super) rtcp_due: Option<Instant>,
    pub(super) interval: RtcpInterval,
}

pub(super) struct Mount {
    pub(super) path: String,
    pub(super) tracks: Vec<Track>,
    /// The multicast group, once one was assigned.
    pub(super) multicast_group: Option<std::net::Ipv4Addr>,
    /// Sessions that set up streams of this mount (players and publishers).
    pub(super) sessions: Vec<SessionId>,
}

impl Track {
    pub(super) fn new(config: TrackConfig, ssrc: u32, seq: u16, ts_offset: u32) -> Track {
        let mut interval = RtcpInterval::new(f64::from(config.bandwidth) / 8.0 * 0.05);
        interval.senders = 1;
        interval.we_sent = true;
        let stats = SenderStats::new(Ssrc(ssrc), config.clock_rate);
        Track {
            config,
            ssrc: Ssrc(ssrc),
            seq,
            ts_offset,
            stats,
            sinks: Vec::new(),
            multicast_members: 0,
            rtcp_due: None,
            interval,
        }
    }

    pub(super) fn has_receivers(&self) -> bool {
        !self.sinks.is_empty() || self.multicast_members > 0
    }
}
