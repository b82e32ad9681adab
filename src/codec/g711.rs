//! G.711 μ-law (PCMU) and A-law (PCMA) audio, [RFC 3551 §4.5.14].
//!
//! G.711 is sample-based: one byte per sample per channel, channels interleaved
//! ([RFC 3551 §4.3]), no payload header. The depacketizer emits each packet's payload as a
//! frame (the samples exactly as on the wire); the packetizer splits a buffer of samples
//! into packets of at most `max_payload` bytes, advancing the RTP timestamp by one per
//! sample and setting the marker bit on the first packet (the start of a talkspurt,
//! [RFC 3551 §4.1]).
//!
//! ```
//! use rtsp_proto::codec::g711::{G711Config, G711Depacketizer, G711Packetizer};
//! use rtsp_proto::codec::{Depacketizer, Packetizer, RtpPacket};
//!
//! let config = G711Config::pcmu();
//! let mut pay = G711Packetizer::new(&config, 160)?;
//! let mut depay = G711Depacketizer::new(&config);
//! let samples = vec![0xffu8; 400];
//! let mut seq = 0u16;
//! let mut out = Vec::new();
//! pay.packetize(8000, &samples, &mut |p| {
//!     depay
//!         .push(RtpPacket {
//!             sequence_number: seq,
//!             timestamp: p.timestamp,
//!             marker: p.marker,
//!             payload_type: 0,
//!             payload: p.to_bytes(),
//!         })
//!         .unwrap();
//!     seq += 1;
//! })?;
//! while let Some(frame) = depay.pull() {
//!     out.extend_from_slice(&frame.data);
//! }
//! assert_eq!(out, samples);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [RFC 3551 §4.5.14]: https://www.rfc-editor.org/rfc/rfc3551#section-4.5.14
//! [RFC 3551 §4.3]: https://www.rfc-editor.org/rfc/rfc3551#section-4.3
//! [RFC 3551 §4.1]: https://www.rfc-editor.org/rfc/rfc3551#section-4.1

use super::fmtp::{packetize_samples, FmtpError, SampleDepacketizer};
use super::{
    DepacketizeError, Depacketizer, DepacketizerLimits, Frame, PacketizeError, Packetizer, Payload,
    RtpPacket,
};

/// Which G.711 companding law.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum G711Law {
    /// μ-law, encoding name `PCMU`, static payload type 0.
    MuLaw,
    /// A-law, encoding name `PCMA`, static payload type 8.
    ALaw,
}

impl G711Law {
    /// The static payload type ([RFC 3551 §6](https://www.rfc-editor.org/rfc/rfc3551#section-6)).
    pub fn static_payload_type(self) -> u8 {
        match self {
            G711Law::MuLaw => 0,
            G711Law::ALaw => 8,
        }
    }

    /// The rtpmap encoding name.
    pub fn encoding_name(self) -> &'static str {
        match self {
            G711Law::MuLaw => "PCMU",
            G711Law::ALaw => "PCMA",
        }
    }
}

/// Configuration of a G.711 stream, from the SDP's rtpmap.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct G711Config {
    /// μ-law or A-law.
    pub law: G711Law,
    /// The RTP clock rate, which is the sampling rate (8,000 for the static payload types).
    pub clock_rate: u32,
    /// Interleaved channels (1 unless the rtpmap says otherwise).
    pub channels: u8,
    /// Buffering bounds.
    pub limits: DepacketizerLimits,
}

impl G711Config {
    /// PCMU, 8 kHz mono (static payload type 0).
    pub fn pcmu() -> G711Config {
        G711Config {
            law: G711Law::MuLaw,
            clock_rate: 8000,
            channels: 1,
            limits: DepacketizerLimits::default(),
        }
    }

    /// PCMA, 8 kHz mono (static payload type 8).
    pub fn pcma() -> G711Config {
        G711Config {
            law: G711Law::ALaw,
            ..G711Config::pcmu()
        }
    }

    /// From an rtpmap: `encoding` is `PCMU` or `PCMA` (any case), `channels` the optional
    /// encoding parameter.
    pub fn from_rtpmap(
        encoding: &str,
        clock_rate: u32,
        channels: Option<u8>,
    ) -> Result<G711Config, FmtpError> {
        let law = if encoding.eq_ignore_ascii_case("PCMU") {
            G711Law::MuLaw
        } else if encoding.eq_ignore_ascii_case("PCMA") {
            G711Law::ALaw
        } else {
            return Err(FmtpError::Invalid("encoding name"));
        };
        let channels = channels.unwrap_or(1);
        if channels == 0 {
            return Err(FmtpError::Invalid("channels"));
        }
        if clock_rate == 0 {
            return Err(FmtpError::Invalid("clock rate"));
        }
        Ok(G711Config {
            law,
            clock_rate,
            channels,
            limits: DepacketizerLimits::default(),
        })
    }
}

/// Turns G.711 RTP packets into frames of samples (one frame per packet, bytes as sent).
#[derive(Debug)]
pub struct G711Depacketizer {
    inner: SampleDepacketizer,
}

impl G711Depacketizer {
    /// A depacketizer for `config`.
    pub fn new(config: &G711Config) -> G711Depacketizer {
        G711Depacketizer {
            inner: SampleDepacketizer::new(usize::from(config.channels), &config.limits),
        }
    }
}

impl Depacketizer for G711Depacketizer {
    fn push(&mut self, packet: RtpPacket) -> Result<(), DepacketizeError> {
        self.inner
            .push(packet, "G.711 payload length (not whole samples)")
    }

    fn pull(&mut self) -> Option<Frame> {
        self.inner.pull()
    }

    fn flush(&mut self) {}
}

/// Splits G.711 samples into RTP payloads.
#[derive(Debug)]
pub struct G711Packetizer {
    channels: usize,
    max_payload: usize,
    first: bool,
}

impl G711Packetizer {
    /// A packetizer writing payloads of at most `max_payload` bytes (the MTU minus the RTP
    /// header). Fails when not even one sample of every channel fits.
    pub fn new(config: &G711Config, max_payload: usize) -> Result<G711Packetizer, PacketizeError> {
        let channels = usize::from(config.channels.max(1));
        if max_payload < channels {
            return Err(PacketizeError::MtuTooSmall(max_payload));
        }
        Ok(G711Packetizer {
            channels,
            max_payload,
            first: true,
        })
    }
}

impl Packetizer for G711Packetizer {
    fn packetize(
        &mut self,
        timestamp: u32,
        frame: &[u8],
        emit: &mut dyn FnMut(Payload<'_>),
    ) -> Result<(), PacketizeError> {
        packetize_samples(
            self.channels,
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
    use bytes::Bytes;

    fn pkt(seq: u16, ts: u32, payload: &'static [u8]) -> RtpPacket {
        RtpPacket {
            sequence_number: seq,
            timestamp: ts,
            marker: false,
            payload_type: 0,
            payload: Bytes::from_static(payload),
        }
    }

    #[test]
    fn loss_is_flagged_on_next_frame() {
        let mut d = G711Depacketizer::new(&G711Config::pcmu());
        d.push(pkt(1, 0, b"ab")).unwrap();
        d.push(pkt(3, 320, b"cd")).unwrap();
        assert!(!d.pull().unwrap().loss);
        let f = d.pull().unwrap();
        assert!(f.loss && f.keyframe);
        assert_eq!(f.timestamp, 320);
    }

    #[test]
    fn stereo_needs_whole_sample_pairs_and_limits_hold() {
        let mut c = G711Config::from_rtpmap("pcma", 8000, Some(2)).unwrap();
        c.limits.max_frame_size = 4;
        let mut d = G711Depacketizer::new(&c);
        assert!(matches!(
            d.push(pkt(1, 0, b"abc")),
            Err(DepacketizeError::Malformed { .. })
        ));
        assert!(matches!(
            d.push(pkt(2, 0, b"abcdef")),
            Err(DepacketizeError::FrameTooLarge { .. })
        ));
        d.push(pkt(3, 0, b"abcd")).unwrap();
        assert!(d.pull().unwrap().loss);
    }

    #[test]
    fn packetizer_splits_and_advances_timestamp() {
        let mut p = G711Packetizer::new(&G711Config::pcmu(), 160).unwrap();
        let mut got = Vec::new();
        p.packetize(1000, &[0u8; 400], &mut |pl| {
            got.push((pl.timestamp, pl.len(), pl.marker))
        })
        .unwrap();
        assert_eq!(
            got,
            [(1000, 160, true), (1160, 160, false), (1320, 80, false)]
        );
        assert!(G711Config::from_rtpmap("G729", 8000, None).is_err());
    }
}
