//! Opus, [RFC 7587].
//!
//! Each RTP packet carries exactly one Opus packet ([RFC 6716 §3]) and no payload header;
//! the RTP clock is always 48 kHz and the rtpmap always says `opus/48000/2`, whatever the
//! stream's real channel count (the fmtp `stereo`/`sprop-stereo` say that,
//! [RFC 7587 §6.1]). Opus packets are never fragmented.
//!
//! [`OpusDepacketizer`] checks each packet against the framing rules of
//! [RFC 6716 §3.4] (TOC byte, frame count, frame lengths, at most 120 ms) and emits it as a
//! [`Frame`] unchanged. [`packet_duration`] gives a packet's length in 48 kHz samples, which
//! is how far the next packet's timestamp should be.
//!
//! [RFC 7587]: https://www.rfc-editor.org/rfc/rfc7587
//! [RFC 7587 §6.1]: https://www.rfc-editor.org/rfc/rfc7587#section-6.1
//! [RFC 6716 §3]: https://www.rfc-editor.org/rfc/rfc6716#section-3
//! [RFC 6716 §3.4]: https://www.rfc-editor.org/rfc/rfc6716#section-3.4

use super::fmtp::{parse_num, FmtpError, FrameQueue, LossTracker};
use super::{
    DepacketizeError, Depacketizer, DepacketizerLimits, Frame, PacketizeError, Packetizer, Payload,
    RtpPacket,
};

/// Configuration of an Opus stream, from the fmtp ([RFC 7587 §6.1]).
///
/// [RFC 7587 §6.1]: https://www.rfc-editor.org/rfc/rfc7587#section-6.1
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct OpusConfig {
    /// `sprop-stereo`: the sender is likely to send stereo.
    pub sprop_stereo: bool,
    /// `stereo`: the receiver prefers stereo.
    pub stereo: bool,
    /// `useinbandfec`.
    pub use_inband_fec: bool,
    /// `usedtx`: the sender may stop sending during silence (timestamps then jump).
    pub use_dtx: bool,
    /// `maxplaybackrate`, Hz.
    pub max_playback_rate: Option<u32>,
    /// `sprop-maxcapturerate`, Hz.
    pub sprop_max_capture_rate: Option<u32>,
    /// `maxaveragebitrate`, bit/s.
    pub max_average_bitrate: Option<u32>,
    /// `ptime`, ms.
    pub ptime: Option<u32>,
    /// `maxptime`, ms.
    pub max_ptime: Option<u32>,
    /// `cbr`.
    pub cbr: bool,
    /// Buffering bounds.
    pub limits: DepacketizerLimits,
}

impl OpusConfig {
    /// From the fmtp parameters (names compared case-insensitively; unknown ones ignored).
    pub fn from_fmtp<'a>(
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<OpusConfig, FmtpError> {
        let mut c = OpusConfig::default();
        let flag = |v: &str, name| parse_num::<u8>(v, name).map(|n| n != 0);
        for (name, value) in params {
            match name.to_ascii_lowercase().as_str() {
                "sprop-stereo" => c.sprop_stereo = flag(value, "sprop-stereo")?,
                "stereo" => c.stereo = flag(value, "stereo")?,
                "useinbandfec" => c.use_inband_fec = flag(value, "useinbandfec")?,
                "usedtx" => c.use_dtx = flag(value, "usedtx")?,
                "cbr" => c.cbr = flag(value, "cbr")?,
                "maxplaybackrate" => {
                    c.max_playback_rate = Some(parse_num(value, "maxplaybackrate")?)
                }
                "sprop-maxcapturerate" => {
                    c.sprop_max_capture_rate = Some(parse_num(value, "sprop-maxcapturerate")?)
                }
                "maxaveragebitrate" => {
                    c.max_average_bitrate = Some(parse_num(value, "maxaveragebitrate")?)
                }
                "ptime" => c.ptime = Some(parse_num(value, "ptime")?),
                "maxptime" => c.max_ptime = Some(parse_num(value, "maxptime")?),
                _ => {}
            }
        }
        Ok(c)
    }
}

/// Samples (at 48 kHz) of one frame with this TOC byte ([RFC 6716 §3.1]).
///
/// [RFC 6716 §3.1]: https://www.rfc-editor.org/rfc/rfc6716#section-3.1
fn frame_samples(toc: u8) -> u32 {
    let config = toc >> 3;
    match (config, config & 3) {
        // SILK: 10, 20, 40, 60 ms.
        (0..=11, 0) => 480,
        (0..=11, 1) => 960,
        (0..=11, 2) => 1920,
        (0..=11, _) => 2880,
        // Hybrid: 10, 20 ms.
        (12..=15, n) => 480 << (n & 1),
        // CELT: 2.5, 5, 10, 20 ms.
        (_, n) => 120 << n,
    }
}

/// Why an Opus packet breaks [RFC 6716 §3.4](https://www.rfc-editor.org/rfc/rfc6716#section-3.4).
fn check_packet(p: &[u8]) -> Result<u32, &'static str> {
    let (&toc, rest) = p.split_first().ok_or("Opus packet (empty, R1)")?;
    let frame = frame_samples(toc);
    let count = match toc & 3 {
        0 => 1,
        1 => {
            if rest.len() % 2 != 0 {
                return Err("Opus code 1 packet (odd length, R3)");
            }
            2
        }
        2 => {
            let (first, used) = frame_length(rest).ok_or("Opus code 2 packet (R4)")?;
            if first > rest.len() - used {
                return Err("Opus code 2 packet (first frame too long, R4)");
            }
            2
        }
        _ => {
            let (&fc, mut rest) = rest.split_first().ok_or("Opus code 3 packet (R6)")?;
            let m = usize::from(fc & 0x3f);
            if m == 0 || frame as usize * m > 5760 {
                return Err("Opus code 3 frame count (R5)");
            }
            let mut padding = 0usize;
            if fc & 0x40 != 0 {
                loop {
                    let (&b, r) = rest.split_first().ok_or("Opus padding (R6)")?;
                    rest = r;
                    padding += if b == 255 { 254 } else { usize::from(b) };
                    if b != 255 {
                        break;
                    }
                }
            }
            let mut data = rest.len().checked_sub(padding).ok_or("Opus padding (R6)")?;
            if fc & 0x80 != 0 {
                // VBR: M-1 frame lengths, then the frames.
                let mut body = rest;
                for _ in 1..m {
                    let (len, used) = frame_length(body).ok_or("Opus VBR lengths (R6)")?;
                    body = body.get(used..).ok_or("Opus VBR lengths (R6)")?;
                    data = data
                        .checked_sub(used + len)
                        .ok_or("Opus VBR lengths (R6)")?;
                }
            } else if data % m != 0 {
                return Err("Opus CBR code 3 packet (R6)");
            }
            m
        }
    };
    Ok(frame * count as u32)
}

/// A frame length of 1 or 2 bytes ([RFC 6716 §3.2.1]): `(length, bytes used)`.
///
/// [RFC 6716 §3.2.1]: https://www.rfc-editor.org/rfc/rfc6716#section-3.2.1
fn frame_length(b: &[u8]) -> Option<(usize, usize)> {
    match b {
        [x, ..] if *x < 252 => Some((usize::from(*x), 1)),
        [x, y, ..] => Some((usize::from(*x) + 4 * usize::from(*y), 2)),
        _ => None,
    }
}

/// The duration of an Opus packet in 48 kHz samples, or `None` when it breaks the framing
/// rules of [RFC 6716 §3.4](https://www.rfc-editor.org/rfc/rfc6716#section-3.4).
///
/// ```
/// // TOC 0xfc: CELT fullband 20 ms, stereo, one frame.
/// assert_eq!(rtsp_proto::codec::opus::packet_duration(&[0xfc, 0xff, 0xfe]), Some(960));
/// assert_eq!(rtsp_proto::codec::opus::packet_duration(&[]), None);
/// ```
pub fn packet_duration(packet: &[u8]) -> Option<u32> {
    check_packet(packet).ok()
}

/// Turns Opus RTP packets into Opus packets (one [`Frame`] each).
#[derive(Debug)]
pub struct OpusDepacketizer {
    max_frame_size: usize,
    queue: FrameQueue,
    seq: LossTracker,
}

impl OpusDepacketizer {
    /// A depacketizer for `config`.
    pub fn new(config: &OpusConfig) -> OpusDepacketizer {
        OpusDepacketizer {
            max_frame_size: config.limits.max_frame_size,
            queue: FrameQueue::new(&config.limits),
            seq: LossTracker::default(),
        }
    }
}

impl Depacketizer for OpusDepacketizer {
    fn push(&mut self, packet: RtpPacket) -> Result<(), DepacketizeError> {
        let seq = packet.sequence_number;
        if self.seq.gap(seq) {
            self.queue.mark_loss();
        }
        if packet.payload.len() > self.max_frame_size {
            self.queue.mark_loss();
            return Err(DepacketizeError::FrameTooLarge {
                seq,
                limit: "max_frame_size",
            });
        }
        if let Err(rule) = check_packet(&packet.payload) {
            self.queue.mark_loss();
            return Err(DepacketizeError::Malformed { seq, rule });
        }
        self.queue.push(packet.timestamp, packet.payload, true)
    }

    fn pull(&mut self) -> Option<Frame> {
        self.queue.pull()
    }

    fn flush(&mut self) {}
}

/// Puts Opus packets in RTP payloads, one each.
#[derive(Debug)]
pub struct OpusPacketizer {
    max_payload: usize,
    first: bool,
}

impl OpusPacketizer {
    /// A packetizer writing payloads of at most `max_payload` bytes.
    pub fn new(max_payload: usize) -> Result<OpusPacketizer, PacketizeError> {
        if max_payload == 0 {
            return Err(PacketizeError::MtuTooSmall(max_payload));
        }
        Ok(OpusPacketizer {
            max_payload,
            first: true,
        })
    }
}

impl Packetizer for OpusPacketizer {
    fn packetize(
        &mut self,
        timestamp: u32,
        frame: &[u8],
        emit: &mut dyn FnMut(Payload<'_>),
    ) -> Result<(), PacketizeError> {
        check_packet(frame).map_err(PacketizeError::InvalidFrame)?;
        if frame.len() > self.max_payload {
            return Err(PacketizeError::MtuTooSmall(self.max_payload));
        }
        emit(Payload {
            parts: &[frame],
            marker: std::mem::take(&mut self.first),
            timestamp,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn framing_rules() {
        assert_eq!(packet_duration(&[0x00]), Some(480)); // SILK NB 10 ms
        assert_eq!(packet_duration(&[0x79, 1, 2]), Some(1920)); // hybrid 20 ms x2
        assert_eq!(packet_duration(&[0x79, 1]), None); // odd code 1
        assert_eq!(packet_duration(&[0xfa, 1, 9, 9]), Some(1920)); // code 2, first 1 byte
        assert_eq!(packet_duration(&[0xfa, 5, 9]), None);
        assert_eq!(packet_duration(&[0xfb, 3, 1, 2, 3]), Some(2880)); // code 3 CBR x3
        assert_eq!(packet_duration(&[0xfb, 7, 1]), None); // 7 x 20 ms > 120 ms
        assert_eq!(packet_duration(&[0xfb, 0x82, 1, 7, 8]), Some(1920)); // VBR
        assert_eq!(packet_duration(&[0xfb, 0x41, 2, 7, 0, 0]), Some(960)); // padding
        assert_eq!(packet_duration(&[0xfb, 0x41, 9, 7]), None);
    }

    #[test]
    fn depacketizer_checks_and_flags_loss() {
        let c = OpusConfig::from_fmtp([("sprop-stereo", "1"), ("useinbandfec", "1")]).unwrap();
        assert!(c.sprop_stereo && c.use_inband_fec);
        let mut d = OpusDepacketizer::new(&c);
        let pkt = |seq, payload: &'static [u8]| RtpPacket {
            sequence_number: seq,
            timestamp: u32::from(seq) * 960,
            marker: false,
            payload_type: 111,
            payload: Bytes::from_static(payload),
        };
        d.push(pkt(0, &[0xfc, 1])).unwrap();
        assert!(d.push(pkt(1, &[])).is_err());
        d.push(pkt(2, &[0xfc, 2])).unwrap();
        assert!(!d.pull().unwrap().loss);
        assert!(d.pull().unwrap().loss);
        let mut p = OpusPacketizer::new(2).unwrap();
        assert!(p.packetize(0, &[0xfc, 1, 2], &mut |_| {}).is_err());
    }
}
