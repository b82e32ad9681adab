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
    /// What the media allows (live or on demand).
    pub(super) media: MountMedia,
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

/// What a mount's media allows, so that the server answers `SETUP` and `PLAY` (and
/// [`Server::respond_describe`](super::Server::respond_describe)'s SDP) consistently:
/// `Media-Properties` ([RFC 7826 §18.29]), `Accept-Ranges` ([RFC 7826 §18.5]), the `Range`
/// of a `PLAY` response ([RFC 2326 §12.29], [RFC 7826 §18.40]) and its `Seek-Style`
/// ([RFC 7826 §18.47]). Set with [`Server::set_mount_media`](super::Server::set_mount_media);
/// a mount is [`MountMedia::live`] until then.
///
/// ```
/// use rtsp_proto::header::SeekStyle;
/// use rtsp_proto::server::MountMedia;
/// use std::time::Duration;
/// let live = MountMedia::live();
/// assert!(live.is_live());
/// let file = MountMedia::on_demand(Some(Duration::from_secs(60)))
///     .with_random_access(Some(2.0))
///     .with_seek_style(SeekStyle::Rap);
/// assert!(file.is_seekable());
/// ```
///
/// [RFC 2326 §12.29]: https://www.rfc-editor.org/rfc/rfc2326#section-12.29
/// [RFC 7826 §18.5]: https://www.rfc-editor.org/rfc/rfc7826#section-18.5
/// [RFC 7826 §18.29]: https://www.rfc-editor.org/rfc/rfc7826#section-18.29
/// [RFC 7826 §18.40]: https://www.rfc-editor.org/rfc/rfc7826#section-18.40
/// [RFC 7826 §18.47]: https://www.rfc-editor.org/rfc/rfc7826#section-18.47
#[derive(Debug, Clone, PartialEq)]
pub struct MountMedia {
    live: bool,
    duration: Option<std::time::Duration>,
    seekable: bool,
    random_access: Option<f64>,
    seek_style: crate::header::SeekStyle,
    scales: Vec<crate::header::ScaleEntry>,
}

impl Default for MountMedia {
    fn default() -> MountMedia {
        MountMedia::live()
    }
}

impl MountMedia {
    /// Live media (a camera, a relayed publisher, a generated test stream): no seeking,
    /// time progressing (`Media-Properties: No-Seeking, Time-Progressing,
    /// Time-Duration=0`), `PLAY` answered with `Range: npt=now-`, `Seek-Style: Next`
    /// (a new player gets whatever packet is sent next).
    pub fn live() -> MountMedia {
        MountMedia {
            live: true,
            duration: None,
            seekable: false,
            random_access: None,
            seek_style: crate::header::SeekStyle::Next,
            scales: Vec::new(),
        }
    }

    /// Stored media of `duration` (if known), played from any position
    /// (`Media-Properties: Random-Access, Immutable, Unlimited`; see
    /// [`MountMedia::with_seeking`] for media that only plays from the start), with
    /// `Seek-Style: RAP`. A `PLAY` is answered with the range the application gives
    /// ([`Server::respond_play`](super::Server::respond_play)), by default the requested
    /// range, or `npt=0-` when none was requested.
    pub fn on_demand(duration: Option<std::time::Duration>) -> MountMedia {
        MountMedia {
            live: false,
            duration,
            seekable: true,
            random_access: None,
            seek_style: crate::header::SeekStyle::Rap,
            scales: Vec::new(),
        }
    }

    /// Whether positions other than the start can be played (on-demand media only;
    /// `Beginning-Only` when not).
    #[must_use]
    pub fn with_seeking(mut self, seekable: bool) -> MountMedia {
        self.seekable = seekable && !self.live;
        self
    }

    /// The longest time between random access points, in seconds
    /// (`Random-Access=<seconds>`), for seekable on-demand media.
    #[must_use]
    pub fn with_random_access(mut self, max_interval: Option<f64>) -> MountMedia {
        self.random_access = max_interval.filter(|s| s.is_finite() && *s > 0.0);
        self
    }

    /// The scales the application plays this on-demand media at
    /// ([`Server::respond_play_scaled`](super::Server::respond_play_scaled)), advertised
    /// to RTSP 2.0 clients as `Media-Properties: ..., Scales="..."` (RFC 7826 §18.29).
    /// Ignored for live media, which plays at 1. Values that are zero or not finite are
    /// left out.
    ///
    /// ```
    /// use rtsp_proto::header::{ScaleEntry, TypedHeader};
    /// use rtsp_proto::server::MountMedia;
    /// let file = MountMedia::on_demand(None)
    ///     .with_scales(vec![ScaleEntry::Value(-1.0), ScaleEntry::Range(0.5, 4.0)]);
    /// assert_eq!(
    ///     file.media_properties().to_value_string(),
    ///     r#"Random-Access, Immutable, Unlimited, Scales="-1, 0.5:4""#
    /// );
    /// ```
    #[must_use]
    pub fn with_scales(mut self, scales: Vec<crate::header::ScaleEntry>) -> MountMedia {
        use crate::header::ScaleEntry as S;
        let usable = |v: &f64| v.is_finite() && *v != 0.0;
        self.scales = scales
            .into_iter()
            .filter(|e| match e {
                S::Value(v) => usable(v),
                S::Range(a, b) => a.is_finite() && b.is_finite(),
            })
            .collect();
        if self.live {
            self.scales.clear();
        }
        self
    }

    /// The scales advertised ([`MountMedia::with_scales`]).
    pub fn scales(&self) -> &[crate::header::ScaleEntry] {
        &self.scales
    }

    /// How a seek chooses its start (`Seek-Style` of `PLAY` responses).
    #[must_use]
    pub fn with_seek_style(mut self, style: crate::header::SeekStyle) -> MountMedia {
        self.seek_style = style;
        self
    }

    /// Whether the media is live.
    pub fn is_live(&self) -> bool {
        self.live
    }

    /// Whether a `PLAY` may start elsewhere than at the beginning.
    pub fn is_seekable(&self) -> bool {
        self.seekable
    }

    /// The presentation's duration, for on-demand media whose length is known.
    pub fn duration(&self) -> Option<std::time::Duration> {
        self.duration
    }

    /// The seek style `PLAY` responses state.
    pub fn seek_style(&self) -> &crate::header::SeekStyle {
        &self.seek_style
    }

    /// The `Media-Properties` of `SETUP` and `PLAY` responses.
    pub fn media_properties(&self) -> crate::header::MediaProperties {
        use crate::header::MediaProperty as P;
        if self.live {
            return crate::header::MediaProperties(vec![
                P::NoSeeking,
                P::TimeProgressing,
                P::TimeDuration(0.0),
            ]);
        }
        let access = if self.seekable {
            P::RandomAccess(self.random_access)
        } else {
            P::BeginningOnly
        };
        let mut props = vec![access, P::Immutable, P::Unlimited];
        if !self.scales.is_empty() {
            props.push(P::Scales(self.scales.clone()));
        }
        crate::header::MediaProperties(props)
    }

    /// The presentation's whole range: `npt=now-` when live, `npt=0-<duration>` (or
    /// `npt=0-`) when on demand; the SDP's session-level `a=range` (RFC 7826 Appendix
    /// D.1.7, RFC 2326 Appendix C.1.5).
    pub fn presentation_range(&self) -> crate::header::Range {
        use crate::header::{NptTime, Range, RangeSpec, TimeRange};
        if self.live {
            return Range::npt_now();
        }
        Range::new(RangeSpec::Npt(TimeRange::new(
            Some(NptTime::Time(std::time::Duration::ZERO)),
            self.duration.map(NptTime::Time),
        )))
    }
}
