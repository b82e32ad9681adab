//! Per-track state: transport, statistics, clock mapping and depacketizer.

use super::event::{MediaTime, TrackTransport};
use crate::codec::{self, Depacketizer};
use crate::rtcp::RtcpInterval;
use crate::rtp::{ReceiverStats, ReorderBuffer, SenderStats, TimestampUnwrapper};
use crate::sdp::{MediaDescription, Url};
use crate::time::RtpClock;
use crate::Ssrc;
use bytes::Bytes;
use std::fmt;
use std::time::Instant;

/// What the application can read about a track.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TrackInfo {
    /// The media description.
    pub media: MediaDescription,
    /// The URL `SETUP` uses (the media's control URL, else the aggregate URL).
    pub control: Url,
    /// The negotiated transport, after `SETUP`.
    pub transport: Option<TrackTransport>,
    /// The SSRC the server announced (SETUP's Transport or PLAY's RTP-Info) or used.
    pub ssrc: Option<Ssrc>,
    /// The SSRC the server announced (SETUP's `Transport`, PLAY's `RTP-Info`).
    pub announced_ssrc: Option<Ssrc>,
}

impl TrackInfo {
    /// The encoding name (`H264`, `MPEG4-GENERIC`, `PCMU`, ...), if known.
    pub fn encoding_name(&self) -> Option<&str> {
        self.media.encoding_name()
    }

    /// The RTP clock rate (90,000 when unknown for video, 8,000 otherwise).
    pub fn clock_rate(&self) -> u32 {
        self.media.clock_rate().unwrap_or(90_000).max(1)
    }
}

/// Reception statistics of a track.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[non_exhaustive]
pub struct TrackStats {
    /// Valid RTP packets received (all of them, whatever their order or source).
    pub packets: u64,
    /// Packets lost (expected minus received, RFC 3550 A.3; negative with duplicates).
    pub lost: i64,
    /// Interarrival jitter in seconds.
    pub jitter: f64,
    /// RTP payload and header bytes received.
    pub bytes: u64,
    /// Frames emitted by the depacketizer.
    pub frames: u64,
    /// RTCP packets received.
    pub rtcp_packets: u64,
}

pub(crate) struct Track {
    pub info: TrackInfo,
    /// `info.clock_rate()`, read from the description once.
    pub clock_rate: u32,
    pub depacketizer: Option<Box<dyn Depacketizer + Send>>,
    pub stats: Option<ReceiverStats>,
    pub clock: RtpClock,
    pub unwrap: TimestampUnwrapper,
    pub start: Option<i64>,
    /// RTP-Info `rtptime` not yet applied (it is relative to the first packet's unwrap).
    pub rtp_info_time: Option<u32>,
    /// The `npt` start of the play range.
    pub range_start: Option<std::time::Duration>,
    pub reorder: Option<ReorderBuffer<Bytes>>,
    pub rtcp_at: Option<Instant>,
    /// When a UDP track that got nothing since PLAY reports [`ClientEvent::NoMedia`](super::ClientEvent::NoMedia).
    pub media_deadline: Option<Instant>,
    pub interval: RtcpInterval,
    pub packets: u64,
    pub bytes: u64,
    pub frames: u64,
    pub rtcp_packets: u64,
    pub requested: Option<TrackTransport>,
    /// Sequence number and timestamp of the next packet we send (RECORD).
    pub sent_packets: u64,
    /// The last foreign SSRC reported.
    pub foreign_reported: Option<Ssrc>,
    /// What we sent (RECORD), for our sender reports.
    pub sender: Option<SenderStats>,
    /// The last other host whose datagram was reported.
    pub foreign_source_reported: Option<std::net::SocketAddr>,
}

impl fmt::Debug for Track {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Track")
            .field("info", &self.info)
            .field("depacketizer", &self.depacketizer.is_some())
            .finish_non_exhaustive()
    }
}

impl Track {
    pub fn new(media: MediaDescription, control: Url, frames: bool, rtcp_bandwidth: f64) -> Track {
        let clock_rate = media.clock_rate().unwrap_or(90_000).max(1);
        let depacketizer = if frames {
            depacketizer_for(&media)
        } else {
            None
        };
        let bandwidth = media
            .bandwidth_as()
            .map_or(rtcp_bandwidth, |kbps| kbps as f64 * 1000.0 / 8.0 * 0.05)
            .max(1.0);
        let mut interval = RtcpInterval::new(bandwidth);
        interval.members = 2;
        interval.senders = 1;
        Track {
            clock_rate,
            info: TrackInfo {
                media,
                control,
                transport: None,
                ssrc: None,
                announced_ssrc: None,
            },
            depacketizer,
            stats: None,
            clock: RtpClock::new(clock_rate),
            unwrap: TimestampUnwrapper::new(),
            start: None,
            rtp_info_time: None,
            range_start: None,
            reorder: None,
            rtcp_at: None,
            media_deadline: None,
            interval,
            packets: 0,
            bytes: 0,
            frames: 0,
            rtcp_packets: 0,
            requested: None,
            sent_packets: 0,
            foreign_reported: None,
            sender: None,
            foreign_source_reported: None,
        }
    }

    /// Advances the timestamp unwrapper to a packet's timestamp `rtp` (and fixes the play
    /// range's start at the first packet); returns the extended timestamp.
    pub fn advance_time(&mut self, rtp: u32) -> i64 {
        let extended = self.unwrap.unwrap(rtp);
        if self.start.is_none() || self.rtp_info_time.is_some() {
            if let Some(t) = self.rtp_info_time.take() {
                // Unwrap RTP-Info's rtptime next to the first packet's timestamp.
                self.start = Some(extended + i64::from(t.wrapping_sub(rtp) as i32));
            }
            self.start.get_or_insert(extended);
        }
        extended
    }

    /// The media time of a packet: [`Self::advance_time`] and its result as a
    /// [`MediaTime`].
    pub fn media_time(&mut self, rtp: u32) -> MediaTime {
        let extended = self.advance_time(rtp);
        MediaTime {
            rtp,
            extended,
            start: self.start.unwrap_or(extended),
            clock_rate: self.clock_rate,
            wall_clock: self.clock.wall_clock(rtp),
            range_start: self.range_start,
        }
    }

    /// Like `media_time` for a timestamp already seen (frames): does not advance the
    /// unwrapper.
    pub fn frame_time(&self, rtp: u32) -> MediaTime {
        let last = self.unwrap.last().unwrap_or(0);
        let last_raw = last as u32;
        let extended = last + i64::from(rtp.wrapping_sub(last_raw) as i32);
        MediaTime {
            rtp,
            extended,
            start: self.start.unwrap_or(extended),
            clock_rate: self.clock_rate,
            wall_clock: self.clock.wall_clock(rtp),
            range_start: self.range_start,
        }
    }

    pub fn stats(&self) -> TrackStats {
        let (lost, jitter) = self
            .stats
            .as_ref()
            .map_or((0, 0.0), |s| (s.lost(), s.jitter_duration().as_secs_f64()));
        TrackStats {
            packets: self.packets,
            lost,
            jitter,
            bytes: self.bytes,
            frames: self.frames,
            rtcp_packets: self.rtcp_packets,
        }
    }
}

/// The fmtp parameters as one `key=value;...` string, for the codecs that read that form.
fn fmtp_string(media: &MediaDescription) -> String {
    let mut s = String::new();
    if let Some(f) = media.fmtp() {
        for (k, v) in f.iter() {
            if !s.is_empty() {
                s.push(';');
            }
            s.push_str(k);
            s.push('=');
            s.push_str(v);
        }
    }
    s
}

/// A depacketizer for the media's first payload format, when this crate has one.
pub(crate) fn depacketizer_for(media: &MediaDescription) -> Option<Box<dyn Depacketizer + Send>> {
    let name = media.encoding_name()?.to_ascii_uppercase();
    let clock_rate = media.clock_rate().unwrap_or(0);
    let channels = media.channels().and_then(|c| u8::try_from(c).ok());
    let params = || media.fmtp().into_iter().flat_map(|f| f.iter());
    let d: Box<dyn Depacketizer + Send> = match name.as_str() {
        "H264" => Box::new(codec::h264::H264Depacketizer::new(
            codec::h264::H264Config::from_fmtp(&fmtp_string(media)),
        )),
        "H265" => Box::new(codec::h265::H265Depacketizer::new(
            codec::h265::H265Config::from_fmtp(&fmtp_string(media)),
        )),
        "MPEG4-GENERIC" => Box::new(codec::aac::AacDepacketizer::new(
            codec::aac::AacConfig::from_fmtp(clock_rate, channels, params()).ok()?,
        )),
        "MP4A-LATM" => Box::new(codec::latm::LatmDepacketizer::new(
            codec::latm::LatmConfig::from_fmtp(clock_rate, channels, params()).ok()?,
        )),
        "PCMU" | "PCMA" => Box::new(codec::g711::G711Depacketizer::new(
            &codec::g711::G711Config::from_rtpmap(&name, clock_rate, channels).ok()?,
        )),
        "L16" => Box::new(codec::l16::L16Depacketizer::new(
            &codec::l16::L16Config::from_rtpmap(clock_rate, channels).ok()?,
        )),
        "OPUS" => Box::new(codec::opus::OpusDepacketizer::new(
            &codec::opus::OpusConfig::from_fmtp(params()).ok()?,
        )),
        "JPEG" => Box::new(codec::mjpeg::MjpegDepacketizer::new(
            &codec::mjpeg::MjpegConfig::default(),
        )),
        _ => return None,
    };
    Some(d)
}
