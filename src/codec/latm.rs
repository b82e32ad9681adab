//! AAC in MPEG-4 LATM, the `MP4A-LATM` payload format of [RFC 6416 §6].
//!
//! A packet carries one or more complete AudioMuxElements ([ISO/IEC 14496-3] §1.7.3), or
//! one fragment of an AudioMuxElement; fragments share the timestamp and the marker bit
//! is set on the last ([RFC 6416 §6.1.1]). With `cpresent=1` (the default) each
//! AudioMuxElement may carry its StreamMuxConfig in-band; with `cpresent=0` the
//! StreamMuxConfig is the hex `config=` fmtp parameter ([RFC 6416 §7.3]).
//!
//! [`LatmDepacketizer`] emits each payload (one per sub-frame) as a [`Frame`] of raw AAC,
//! like [`super::aac::AacDepacketizer`]; [`StreamMuxConfig::audio_specific_config`] gives
//! what an ADTS header needs. Supported: one program with one layer, `frameLengthType` 0
//! (AAC), any number of sub-frames, other data and CRC fields skipped; `audioMuxVersionA`
//! 1 and multi-program/multi-layer configurations are rejected as unsupported.
//! [`LatmPacketizer`] writes `cpresent=0` payloads (PayloadLengthInfo and the AU),
//! fragmenting large ones.
//!
//! [RFC 6416 §6]: https://www.rfc-editor.org/rfc/rfc6416#section-6
//! [RFC 6416 §6.1.1]: https://www.rfc-editor.org/rfc/rfc6416#section-6.1.1
//! [RFC 6416 §7.3]: https://www.rfc-editor.org/rfc/rfc6416#section-7.3
//! [ISO/IEC 14496-3]: https://www.iso.org/standard/76383.html

use super::aac::AudioSpecificConfig;
use super::fmtp::{parse_hex, parse_num, BitReader, BitWriter, FmtpError, FrameQueue, LossTracker};
use super::{
    DepacketizeError, Depacketizer, DepacketizerLimits, Frame, PacketizeError, Packetizer, Payload,
    RtpPacket,
};
use bytes::Bytes;

/// Largest `config=` accepted, in bytes.
const MAX_CONFIG_LEN: usize = 256;

/// The LATM StreamMuxConfig ([ISO/IEC 14496-3] §1.7.3.1) of a single-program,
/// single-layer stream.
///
/// [ISO/IEC 14496-3]: https://www.iso.org/standard/76383.html
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamMuxConfig {
    /// `audioMuxVersion` (0 or 1).
    pub audio_mux_version: u8,
    /// `allStreamsSameTimeFraming`.
    pub all_streams_same_time_framing: bool,
    /// Sub-frames per AudioMuxElement (`numSubFrames + 1`).
    pub sub_frames: u8,
    /// The stream's AudioSpecificConfig.
    pub audio_specific_config: AudioSpecificConfig,
    /// Bits of other data after the payloads of each AudioMuxElement.
    pub other_data_bits: u32,
}

/// `LatmGetValue()`.
fn latm_value(r: &mut BitReader<'_>) -> Option<u32> {
    let bytes = r.read(2)?;
    let mut v: u32 = 0;
    for _ in 0..=bytes {
        v = v.checked_shl(8)? | r.read(8)?;
    }
    Some(v)
}

/// Reads an AudioSpecificConfig and keeps its bits (zero-padded) as `raw`.
fn read_asc(r: &mut BitReader<'_>) -> Result<AudioSpecificConfig, FmtpError> {
    let mut copy = r.clone();
    let start = r.position();
    let mut asc = AudioSpecificConfig::read(r)?;
    let mut w = BitWriter::default();
    for _ in start..r.position() {
        w.write(copy.read(1).unwrap_or(0), 1);
    }
    asc.raw = Bytes::from(w.finish());
    Ok(asc)
}

impl StreamMuxConfig {
    /// Parses a StreamMuxConfig from bytes (the `config=` of `cpresent=0`).
    pub fn parse(data: &[u8]) -> Result<StreamMuxConfig, FmtpError> {
        StreamMuxConfig::read(&mut BitReader::new(data))
    }

    /// Reads a StreamMuxConfig from a bit stream.
    fn read(r: &mut BitReader<'_>) -> Result<StreamMuxConfig, FmtpError> {
        let bad = FmtpError::Config("StreamMuxConfig");
        let version = r.read(1).ok_or(bad.clone())?;
        if version == 1 && r.read(1).ok_or(bad.clone())? == 1 {
            return Err(FmtpError::Unsupported("StreamMuxConfig audioMuxVersionA 1"));
        }
        if version == 1 {
            latm_value(r).ok_or(bad.clone())?; // taraBufferFullness
        }
        let same_framing = r.read_bool().ok_or(bad.clone())?;
        let sub_frames = r.read(6).ok_or(bad.clone())? + 1;
        let programs = r.read(4).ok_or(bad.clone())?;
        let layers = r.read(3).ok_or(bad.clone())?;
        if programs != 0 || layers != 0 {
            return Err(FmtpError::Unsupported(
                "StreamMuxConfig with several programs or layers",
            ));
        }
        let asc = if version == 0 {
            read_asc(r)?
        } else {
            let asc_len = latm_value(r).ok_or(bad.clone())? as usize;
            let start = r.position();
            let asc = read_asc(r)?;
            let used = r.position() - start;
            r.skip(asc_len.checked_sub(used).ok_or(bad.clone())?)
                .ok_or(bad.clone())?;
            asc
        };
        let frame_length_type = r.read(3).ok_or(bad.clone())?;
        if frame_length_type != 0 {
            return Err(FmtpError::Unsupported("StreamMuxConfig frameLengthType"));
        }
        r.skip(8).ok_or(bad.clone())?; // latmBufferFullness
        let mut other_data_bits = 0u32;
        if r.read_bool().ok_or(bad.clone())? {
            if version == 1 {
                other_data_bits = latm_value(r).ok_or(bad.clone())?;
            } else {
                loop {
                    let esc = r.read_bool().ok_or(bad.clone())?;
                    let tmp = r.read(8).ok_or(bad.clone())?;
                    other_data_bits = other_data_bits
                        .checked_mul(256)
                        .and_then(|v| v.checked_add(tmp))
                        .ok_or(bad.clone())?;
                    if !esc {
                        break;
                    }
                }
            }
        }
        if r.read_bool().ok_or(bad.clone())? {
            r.skip(8).ok_or(bad.clone())?; // crcCheckSum
        }
        Ok(StreamMuxConfig {
            audio_mux_version: u8::try_from(version).unwrap_or(0),
            all_streams_same_time_framing: same_framing,
            sub_frames: u8::try_from(sub_frames).unwrap_or(64),
            audio_specific_config: asc,
            other_data_bits,
        })
    }

    /// The `config=` bytes for a `cpresent=0` stream with one sub-frame per element,
    /// `audioMuxVersion` 0, no other data and no CRC, carrying `asc` (whose
    /// [`raw`](AudioSpecificConfig::raw) bytes must be set, as [`AudioSpecificConfig::parse`]
    /// does).
    pub fn encode_simple(asc: &AudioSpecificConfig) -> Vec<u8> {
        let mut w = BitWriter::default();
        w.write(0, 1); // audioMuxVersion
        w.write(1, 1); // allStreamsSameTimeFraming
        w.write(0, 6); // numSubFrames
        w.write(0, 4); // numProgram
        w.write(0, 3); // numLayer
                       // The ASC exactly as parsed: its bit length is what AudioSpecificConfig::read
                       // consumes, so re-read it to know how many bits to copy.
        let mut r = BitReader::new(&asc.raw);
        let bits = AudioSpecificConfig::read(&mut r).map_or(0, |_| r.position());
        let mut r = BitReader::new(&asc.raw);
        for _ in 0..bits {
            w.write(r.read(1).unwrap_or(0), 1);
        }
        w.write(0, 3); // frameLengthType
        w.write(0xff, 8); // latmBufferFullness
        w.write(0, 1); // otherDataPresent
        w.write(0, 1); // crcCheckPresent
        w.finish()
    }
}

/// Configuration of an `MP4A-LATM` stream: rtpmap clock rate and channels, and the fmtp
/// ([RFC 6416 §7.3]).
///
/// [RFC 6416 §7.3]: https://www.rfc-editor.org/rfc/rfc6416#section-7.3
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LatmConfig {
    /// The RTP clock rate.
    pub clock_rate: u32,
    /// The rtpmap's channel count, if given.
    pub channels: Option<u8>,
    /// `cpresent`: the StreamMuxConfig is in-band (default true).
    pub cpresent: bool,
    /// The StreamMuxConfig from `config=` (required when `cpresent=0`).
    pub stream_mux_config: Option<StreamMuxConfig>,
    /// `object`: the audio object type announced, if any.
    pub object: Option<u8>,
    /// Buffering bounds.
    pub limits: DepacketizerLimits,
}

impl LatmConfig {
    /// From the rtpmap (`MP4A-LATM/<clock_rate>[/<channels>]`) and the fmtp parameters
    /// (names compared case-insensitively; unknown ones ignored).
    pub fn from_fmtp<'a>(
        clock_rate: u32,
        channels: Option<u8>,
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<LatmConfig, FmtpError> {
        if clock_rate == 0 {
            return Err(FmtpError::Invalid("clock rate"));
        }
        let mut c = LatmConfig {
            clock_rate,
            channels,
            cpresent: true,
            stream_mux_config: None,
            object: None,
            limits: DepacketizerLimits::default(),
        };
        for (name, value) in params {
            match name.to_ascii_lowercase().as_str() {
                "cpresent" => c.cpresent = parse_num::<u8>(value, "cpresent")? != 0,
                "config" => {
                    c.stream_mux_config = Some(StreamMuxConfig::parse(&parse_hex(
                        value,
                        "config",
                        MAX_CONFIG_LEN,
                    )?)?)
                }
                "object" => c.object = Some(parse_num(value, "object")?),
                _ => {}
            }
        }
        if !c.cpresent && c.stream_mux_config.is_none() {
            return Err(FmtpError::Missing("config"));
        }
        Ok(c)
    }

    fn duration(&self, smc: &StreamMuxConfig) -> u32 {
        let asc = &smc.audio_specific_config;
        let ticks = u64::from(asc.frame_length) * u64::from(self.clock_rate)
            / u64::from(asc.sample_rate.max(1));
        u32::try_from(ticks).unwrap_or(u32::MAX)
    }
}

/// An AudioMuxElement being reassembled.
#[derive(Debug)]
struct Partial {
    timestamp: u32,
    buf: Vec<u8>,
    fragments: usize,
}

/// Turns `MP4A-LATM` RTP packets into raw AAC access units.
#[derive(Debug)]
pub struct LatmDepacketizer {
    config: LatmConfig,
    current: Option<StreamMuxConfig>,
    queue: FrameQueue,
    seq: LossTracker,
    partial: Option<Partial>,
    /// Timestamp of the last packet pushed.
    last_ts: Option<u32>,
    /// Discarding the rest of an element whose start was lost (until its marker).
    skipping: bool,
}

impl LatmDepacketizer {
    /// A depacketizer for `config`.
    pub fn new(config: LatmConfig) -> LatmDepacketizer {
        LatmDepacketizer {
            current: config.stream_mux_config.clone(),
            queue: FrameQueue::new(&config.limits),
            seq: LossTracker::default(),
            partial: None,
            last_ts: None,
            skipping: false,
            config,
        }
    }

    /// The StreamMuxConfig in force (from the fmtp or the last in-band one).
    pub fn stream_mux_config(&self) -> Option<&StreamMuxConfig> {
        self.current.as_ref()
    }

    fn drop_partial(&mut self) {
        if self.partial.take().is_some() {
            self.queue.mark_loss();
        }
    }

    /// Parses complete AudioMuxElements and queues their payloads.
    fn parse_elements(
        &mut self,
        seq: u16,
        timestamp: u32,
        data: &[u8],
    ) -> Result<(), DepacketizeError> {
        let malformed = |rule| DepacketizeError::Malformed { seq, rule };
        let mut r = BitReader::new(data);
        let mut ts = timestamp;
        let mut aus = Vec::new();
        let mut elements = 0usize;
        while r.remaining() >= 8 {
            elements += 1;
            if elements > self.config.limits.max_pending_frames.max(1) {
                return Err(DepacketizeError::Backlog);
            }
            if self.config.cpresent && !r.read_bool().ok_or(malformed("useSameStreamMux"))? {
                let smc = StreamMuxConfig::read(&mut r).map_err(|e| match e {
                    FmtpError::Unsupported(what) => DepacketizeError::Unsupported { seq, what },
                    _ => malformed("StreamMuxConfig"),
                })?;
                self.current = Some(smc);
            }
            let Some(smc) = self.current.clone() else {
                return Err(malformed("AudioMuxElement (no StreamMuxConfig yet)"));
            };
            let duration = self.config.duration(&smc);
            for _ in 0..smc.sub_frames {
                // PayloadLengthInfo, frameLengthType 0.
                let mut len = 0usize;
                loop {
                    let b = r.read(8).ok_or(malformed("PayloadLengthInfo"))?;
                    len += b as usize;
                    if b != 255 {
                        break;
                    }
                }
                if len > self.config.limits.max_frame_size {
                    self.queue.mark_loss();
                    return Err(DepacketizeError::FrameTooLarge {
                        seq,
                        limit: "max_frame_size",
                    });
                }
                let mut au = Vec::new();
                r.read_bytes_into(len, &mut au)
                    .ok_or(malformed("PayloadMux (shorter than PayloadLengthInfo)"))?;
                if !au.is_empty() {
                    aus.push((ts, Bytes::from(au)));
                }
                ts = ts.wrapping_add(duration);
            }
            r.skip(smc.other_data_bits as usize)
                .ok_or(malformed("otherDataBits"))?;
            r.align();
        }
        // Only a packet that parsed completely contributes frames.
        let mut result = Ok(());
        for (ts, au) in aus {
            result = result.and(self.queue.push(ts, au, true));
        }
        result
    }
}

impl Depacketizer for LatmDepacketizer {
    fn push(&mut self, packet: RtpPacket) -> Result<(), DepacketizeError> {
        let seq = packet.sequence_number;
        let last_ts = self.last_ts.replace(packet.timestamp);
        if self.seq.gap(seq) {
            self.queue.mark_loss();
            self.drop_partial();
            // Same timestamp as before the gap: the middle or end of an element whose
            // earlier fragments were lost.
            self.skipping = last_ts == Some(packet.timestamp);
        }
        if self.skipping {
            if packet.marker {
                self.skipping = false;
            }
            return Ok(());
        }
        let limits = self.config.limits;
        if self
            .partial
            .as_ref()
            .is_some_and(|p| p.timestamp != packet.timestamp)
        {
            self.drop_partial();
        }
        let result = if let Some(p) = self.partial.as_mut() {
            p.fragments += 1;
            if p.fragments > limits.max_fragments
                || p.buf.len().saturating_add(packet.payload.len()) > limits.max_frame_size
            {
                let limit = if p.fragments > limits.max_fragments {
                    "max_fragments"
                } else {
                    "max_frame_size"
                };
                self.drop_partial();
                return Err(DepacketizeError::FrameTooLarge { seq, limit });
            }
            p.buf.extend_from_slice(&packet.payload);
            if !packet.marker {
                return Ok(());
            }
            let Some(p) = self.partial.take() else {
                return Ok(());
            };
            self.parse_elements(seq, p.timestamp, &p.buf)
        } else if packet.marker {
            self.parse_elements(seq, packet.timestamp, &packet.payload)
        } else {
            if packet.payload.len() > limits.max_frame_size {
                self.queue.mark_loss();
                return Err(DepacketizeError::FrameTooLarge {
                    seq,
                    limit: "max_frame_size",
                });
            }
            self.partial = Some(Partial {
                timestamp: packet.timestamp,
                buf: packet.payload.to_vec(),
                fragments: 1,
            });
            return Ok(());
        };
        if let Err(e) = &result {
            if !matches!(e, DepacketizeError::Backlog) {
                self.queue.mark_loss();
            }
        }
        result
    }

    fn pull(&mut self) -> Option<Frame> {
        self.queue.pull()
    }

    fn flush(&mut self) {
        self.drop_partial();
    }
}

/// Packetizes raw AAC access units as `MP4A-LATM` with `cpresent=0` (one AudioMuxElement of
/// one sub-frame per AU; signal the config with [`StreamMuxConfig::encode_simple`]).
#[derive(Debug)]
pub struct LatmPacketizer {
    max_payload: usize,
}

impl LatmPacketizer {
    /// A packetizer writing payloads of at most `max_payload` bytes.
    pub fn new(max_payload: usize) -> Result<LatmPacketizer, PacketizeError> {
        if max_payload == 0 {
            return Err(PacketizeError::MtuTooSmall(max_payload));
        }
        Ok(LatmPacketizer { max_payload })
    }
}

impl Packetizer for LatmPacketizer {
    fn packetize(
        &mut self,
        timestamp: u32,
        frame: &[u8],
        emit: &mut dyn FnMut(Payload<'_>),
    ) -> Result<(), PacketizeError> {
        let mut length_info = vec![0xffu8; frame.len() / 255];
        length_info.push(u8::try_from(frame.len() % 255).unwrap_or(0));
        let total = length_info.len() + frame.len();
        let mut sent = 0usize;
        while sent < total {
            let end = sent.saturating_add(self.max_payload).min(total);
            // The element is length_info ++ frame; take [sent, end) of it.
            let li = length_info
                .get(sent.min(length_info.len())..end.min(length_info.len()))
                .unwrap_or_default();
            let fs = sent.saturating_sub(length_info.len());
            let fe = end.saturating_sub(length_info.len());
            let fr = frame.get(fs..fe).unwrap_or_default();
            let parts = [li, fr];
            emit(Payload {
                parts: &parts,
                marker: end == total,
                timestamp,
            });
            sent = end;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::fmtp::params;

    #[test]
    fn ffmpeg_config() {
        let c = LatmConfig::from_fmtp(
            48_000,
            Some(2),
            params("profile-level-id=41;cpresent=0;config=400023203fc0"),
        )
        .unwrap();
        let smc = c.stream_mux_config.unwrap();
        assert_eq!(smc.sub_frames, 1);
        let asc = &smc.audio_specific_config;
        assert_eq!(
            (asc.object_type, asc.sample_rate, asc.channels()),
            (2, 48_000, Some(2))
        );
        assert!(LatmConfig::from_fmtp(48_000, None, params("cpresent=0")).is_err());
    }

    #[test]
    fn encode_simple_round_trips() {
        let asc = AudioSpecificConfig::parse(&[0x11, 0x90]).unwrap();
        let bytes = StreamMuxConfig::encode_simple(&asc);
        assert_eq!(bytes, [0x40, 0x00, 0x23, 0x20, 0x3f, 0xc0]);
        assert_eq!(
            StreamMuxConfig::parse(&bytes)
                .unwrap()
                .audio_specific_config
                .sample_rate,
            48_000
        );
    }

    #[test]
    fn in_band_config_and_two_elements() {
        let c = LatmConfig::from_fmtp(48_000, Some(2), params("cpresent=1")).unwrap();
        let mut d = LatmDepacketizer::new(c);
        // Element 1: useSameStreamMux=0, config (45 bits), length 2, payload;
        // element 2: useSameStreamMux=1, length 1, payload.
        let smc = [0x40u8, 0x00, 0x23, 0x20, 0x3f, 0xc0];
        let mut w = BitWriter::default();
        w.write(0, 1);
        let mut r = BitReader::new(&smc);
        for _ in 0..44 {
            w.write(r.read(1).unwrap(), 1);
        }
        for b in [2u32, 0xaa, 0xbb] {
            w.write(b, 8);
        }
        // 69 bits, padded to 9 bytes: the next element starts byte-aligned.
        let mut first = w.finish();
        let mut w = BitWriter::default();
        w.write(1, 1);
        w.write(1, 8);
        w.write(0xcc, 8);
        first.extend_from_slice(&w.finish());
        d.push(RtpPacket {
            sequence_number: 0,
            timestamp: 0,
            marker: true,
            payload_type: 97,
            payload: Bytes::from(first),
        })
        .unwrap();
        let a = d.pull().unwrap();
        let b = d.pull().unwrap();
        assert_eq!((&a.data[..], a.timestamp), (&[0xaa, 0xbb][..], 0));
        assert_eq!((&b.data[..], b.timestamp), (&[0xcc][..], 1024));
    }

    #[test]
    fn fragments_and_loss() {
        let c =
            LatmConfig::from_fmtp(48_000, None, params("cpresent=0;config=400023203fc0")).unwrap();
        let mut p = LatmPacketizer::new(100).unwrap();
        let au: Vec<u8> = (0..=255u8).chain(0..100).collect();
        let mut pkts = Vec::new();
        p.packetize(0, &au, &mut |pl| pkts.push((pl.to_bytes(), pl.marker)))
            .unwrap();
        assert_eq!(pkts.len(), 4);
        let mut d = LatmDepacketizer::new(c);
        for (i, (b, m)) in pkts.iter().enumerate() {
            d.push(RtpPacket {
                sequence_number: i as u16,
                timestamp: 0,
                marker: *m,
                payload_type: 97,
                payload: b.clone(),
            })
            .unwrap();
        }
        assert_eq!(d.pull().unwrap().data, au);
        for (i, (b, m)) in pkts.iter().enumerate().filter(|(i, _)| *i != 1) {
            let _ = d.push(RtpPacket {
                sequence_number: 10 + i as u16,
                timestamp: 1024,
                marker: *m,
                payload_type: 97,
                payload: b.clone(),
            });
        }
        assert!(d.pull().is_none());
    }
}
