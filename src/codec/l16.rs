//! L16: uncompressed 16-bit linear audio, [RFC 3551 §4.5.11].
//!
//! Samples are signed 16-bit big-endian (network byte order), channels interleaved
//! ([RFC 3551 §4.3]); the clock rate is the sampling rate. Static payload types are 10
//! (44.1 kHz stereo) and 11 (44.1 kHz mono); any other rate or channel count comes from a
//! dynamic rtpmap such as `L16/48000/2`. The depacketizer emits each packet's payload as a
//! frame, bytes as on the wire (big-endian); the packetizer splits a buffer of big-endian
//! samples into packets of whole sample groups.
//!
//! [RFC 3551 §4.5.11]: https://www.rfc-editor.org/rfc/rfc3551#section-4.5.11
//! [RFC 3551 §4.3]: https://www.rfc-editor.org/rfc/rfc3551#section-4.3

use super::fmtp::{packetize_samples, FmtpError, SampleDepacketizer};
use super::{
    DepacketizeError, Depacketizer, DepacketizerLimits, Frame, PacketizeError, Packetizer, Payload,
    RtpPacket,
};

/// Configuration of an L16 stream, from the SDP's rtpmap.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct L16Config {
    /// The RTP clock rate, which is the sampling rate.
    pub clock_rate: u32,
    /// Interleaved channels.
    pub channels: u8,
    /// Buffering bounds.
    pub limits: DepacketizerLimits,
}

impl L16Config {
    /// From an rtpmap `L16/<clock_rate>[/<channels>]` (channels default to 1).
    pub fn from_rtpmap(clock_rate: u32, channels: Option<u8>) -> Result<L16Config, FmtpError> {
        let channels = channels.unwrap_or(1);
        if channels == 0 {
            return Err(FmtpError::Invalid("channels"));
        }
        if clock_rate == 0 {
            return Err(FmtpError::Invalid("clock rate"));
        }
        Ok(L16Config {
            clock_rate,
            channels,
            limits: DepacketizerLimits::default(),
        })
    }

    /// The configuration of a static payload type: 10 (44.1 kHz stereo) or 11 (44.1 kHz
    /// mono); `None` for any other.
    pub fn from_static_payload_type(pt: u8) -> Option<L16Config> {
        let channels = match pt {
            10 => 2,
            11 => 1,
            _ => return None,
        };
        L16Config::from_rtpmap(44_100, Some(channels)).ok()
    }

    /// Bytes per sample group (one sample of every channel).
    pub fn bytes_per_sample_group(&self) -> usize {
        2 * usize::from(self.channels.max(1))
    }
}

/// Turns L16 RTP packets into frames of big-endian samples (one frame per packet).
#[derive(Debug)]
pub struct L16Depacketizer {
    inner: SampleDepacketizer,
}

impl L16Depacketizer {
    /// A depacketizer for `config`.
    pub fn new(config: &L16Config) -> L16Depacketizer {
        L16Depacketizer {
            inner: SampleDepacketizer::new(config.bytes_per_sample_group(), &config.limits),
        }
    }
}

impl Depacketizer for L16Depacketizer {
    fn push(&mut self, packet: RtpPacket) -> Result<(), DepacketizeError> {
        self.inner
            .push(packet, "L16 payload length (not whole samples)")
    }

    fn pull(&mut self) -> Option<Frame> {
        self.inner.pull()
    }

    fn flush(&mut self) {}
}

/// Splits big-endian 16-bit samples into RTP payloads.
#[derive(Debug)]
pub struct L16Packetizer {
    group: usize,
    max_payload: usize,
    first: bool,
}

impl L16Packetizer {
    /// A packetizer writing payloads of at most `max_payload` bytes. Fails when not even
    /// one sample group fits.
    pub fn new(config: &L16Config, max_payload: usize) -> Result<L16Packetizer, PacketizeError> {
        let group = config.bytes_per_sample_group();
        if max_payload < group {
            return Err(PacketizeError::MtuTooSmall(max_payload));
        }
        Ok(L16Packetizer {
            group,
            max_payload,
            first: true,
        })
    }
}

impl Packetizer for L16Packetizer {
    fn packetize(
        &mut self,
        timestamp: u32,
        frame: &[u8],
        emit: &mut dyn FnMut(Payload<'_>),
    ) -> Result<(), PacketizeError> {
        packetize_samples(
            self.group,
            self.max_payload,
            &mut self.first,
            timestamp,
            frame,
            emit,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_types() {
        assert_eq!(L16Config::from_static_payload_type(10).unwrap().channels, 2);
        assert_eq!(L16Config::from_static_payload_type(11).unwrap().channels, 1);
        assert!(L16Config::from_static_payload_type(0).is_none());
    }

    #[test]
    fn stereo_packets_hold_whole_groups() {
        let c = L16Config::from_rtpmap(48_000, Some(2)).unwrap();
        let mut p = L16Packetizer::new(&c, 10).unwrap();
        let mut got = Vec::new();
        p.packetize(0, &[0u8; 24], &mut |pl| got.push((pl.timestamp, pl.len())))
            .unwrap();
        assert_eq!(got, [(0, 8), (2, 8), (4, 8)]);
        assert!(p.packetize(0, &[0u8; 3], &mut |_| {}).is_err());
        assert!(L16Packetizer::new(&c, 3).is_err());
    }
}
