//! AAC and other MPEG-4 audio in the `mpeg4-generic` payload format, [RFC 3640]
//! (`AAC-hbr`, `AAC-lbr` and the generic mode's AU header fields), and the
//! AudioSpecificConfig ([ISO/IEC 14496-3] §1.6.2.1) that MP4A-LATM ([`super::latm`]) shares.
//!
//! A packet holds an AU header section (its length in bits, then one AU header per access
//! unit: AU-size, AU-Index or AU-Index-delta, and the optional CTS/DTS/RAP/stream-state
//! fields the fmtp configures), an optional auxiliary section, and the access units
//! ([RFC 3640 §3.2]). An access unit too large for a packet is fragmented over consecutive
//! packets with the same timestamp; each fragment's AU header gives the size of the whole
//! AU and the marker bit is set on the last ([RFC 3640 §3.2.3]).
//!
//! [`AacDepacketizer`] emits each access unit as a [`Frame`] of raw AAC (no
//! ADTS header; write one with [`AudioSpecificConfig::adts_header`] to get a `.aac` file),
//! with the packet's timestamp plus the AU's position times the frame duration. Every AAC
//! frame is a keyframe. [`AacPacketizer`] writes AU headers for any configured field
//! lengths (AAC-hbr by default), aggregates several AUs per packet with
//! [`AacPacketizer::packetize_many`] and fragments AUs larger than a packet.
//!
//! ```
//! use rtsp_proto::codec::aac::{AacConfig, AacDepacketizer};
//! use rtsp_proto::codec::{fmtp, Depacketizer, RtpPacket};
//!
//! // a=rtpmap:97 MPEG4-GENERIC/44100/1
//! // a=fmtp:97 streamtype=5;profile-level-id=2;mode=AAC-hbr;config=120856e500;sizelength=13;indexlength=3;indexdeltalength=3
//! let fmtp = "streamtype=5;profile-level-id=2;mode=AAC-hbr;config=120856e500;sizelength=13;\
//!             indexlength=3;indexdeltalength=3";
//! let config = AacConfig::from_fmtp(44_100, Some(1), fmtp::params(fmtp))?;
//! assert_eq!(config.audio_specific_config.sample_rate, 44_100);
//! let mut depay = AacDepacketizer::new(config);
//! // AU-headers-length 16 bits, one AU header (size 3, index 0), then the AU.
//! let payload = bytes::Bytes::from_static(&[0x00, 0x10, 0x00, 0x18, 0x21, 0x10, 0x04]);
//! depay.push(RtpPacket { sequence_number: 1, timestamp: 0, marker: true, payload_type: 97, payload })
//!     .unwrap();
//! let frame = depay.pull().unwrap();
//! assert_eq!(&frame.data[..], &[0x21, 0x10, 0x04]);
//! # Ok::<(), rtsp_proto::codec::fmtp::FmtpError>(())
//! ```
//!
//! [RFC 3640]: https://www.rfc-editor.org/rfc/rfc3640
//! [RFC 3640 §3.2]: https://www.rfc-editor.org/rfc/rfc3640#section-3.2
//! [RFC 3640 §3.2.3]: https://www.rfc-editor.org/rfc/rfc3640#section-3.2.3
//! [ISO/IEC 14496-3]: https://www.iso.org/standard/76383.html

use super::fmtp::{parse_hex, parse_num, BitReader, BitWriter, FmtpError, FrameQueue, LossTracker};
use super::{
    DepacketizeError, Depacketizer, DepacketizerLimits, Frame, PacketizeError, Packetizer, Payload,
    RtpPacket,
};
use bytes::Bytes;

/// Sampling rates by `samplingFrequencyIndex` ([ISO/IEC 14496-3] table 1.18).
///
/// [ISO/IEC 14496-3]: https://www.iso.org/standard/76383.html
const SAMPLE_RATES: [u32; 13] = [
    96_000, 88_200, 64_000, 48_000, 44_100, 32_000, 24_000, 22_050, 16_000, 12_000, 11_025, 8_000,
    7_350,
];

/// Largest `config=` accepted, in bytes.
const MAX_CONFIG_LEN: usize = 256;

/// The MPEG-4 AudioSpecificConfig ([ISO/IEC 14496-3] §1.6.2.1), as carried hex-encoded in
/// the fmtp `config=` parameter of `mpeg4-generic` ([RFC 3640 §4.1]) or inside a LATM
/// StreamMuxConfig ([RFC 6416 §6.2]).
///
/// Parsed: the audio object type, the sampling frequency, the channel configuration,
/// explicit SBR/PS signalling (HE-AAC), and the GASpecificConfig's frame length flag.
/// A channel configuration of 0 (a program_config_element follows) is not supported.
///
/// ```
/// use rtsp_proto::codec::aac::AudioSpecificConfig;
/// let asc = AudioSpecificConfig::parse(&[0x12, 0x08])?; // AAC-LC, 44.1 kHz, mono
/// assert_eq!((asc.object_type, asc.sample_rate, asc.channels(), asc.frame_length), (2, 44_100, Some(1), 1024));
/// let adts = asc.adts_header(200).unwrap();
/// assert_eq!(&adts[..2], &[0xff, 0xf1]);
/// # Ok::<(), rtsp_proto::codec::fmtp::FmtpError>(())
/// ```
///
/// [ISO/IEC 14496-3]: https://www.iso.org/standard/76383.html
/// [RFC 3640 §4.1]: https://www.rfc-editor.org/rfc/rfc3640#section-4.1
/// [RFC 6416 §6.2]: https://www.rfc-editor.org/rfc/rfc6416#section-6.2
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AudioSpecificConfig {
    /// The audio object type of the core coder: 2 for AAC-LC (also the core of HE-AAC,
    /// see [`Self::sbr`]), 1 Main, 3 SSR, 4 LTP, 23 ER AAC-LD, ...
    pub object_type: u8,
    /// The `samplingFrequencyIndex`, or `None` when the rate is given explicitly.
    pub sampling_frequency_index: Option<u8>,
    /// The core sampling rate in Hz.
    pub sample_rate: u32,
    /// The `channelConfiguration` (1 mono, 2 stereo, ... 7 for 7.1).
    pub channel_configuration: u8,
    /// Samples per access unit at [`Self::sample_rate`] (1024 or 960; 512 or 480 for
    /// AAC-LD).
    pub frame_length: u32,
    /// SBR (HE-AAC) or PS (HE-AACv2) was signalled explicitly (object type 5 or 29).
    pub sbr: bool,
    /// The SBR output sampling rate, when signalled explicitly.
    pub extension_sample_rate: Option<u32>,
    /// The bytes parsed (for a LATM StreamMuxConfig, the config's bits zero-padded to
    /// whole bytes).
    pub raw: Bytes,
}

fn read_object_type(r: &mut BitReader<'_>) -> Option<u8> {
    let t = r.read(5)?;
    let t = if t == 31 { 32 + r.read(6)? } else { t };
    u8::try_from(t).ok()
}

fn read_sampling(r: &mut BitReader<'_>) -> Result<(Option<u8>, u32), FmtpError> {
    let bad = FmtpError::Config("AudioSpecificConfig");
    let idx = r.read(4).ok_or(bad.clone())?;
    if idx == 15 {
        let rate = r.read(24).ok_or(bad.clone())?;
        if rate == 0 {
            return Err(bad);
        }
        return Ok((None, rate));
    }
    let rate = *SAMPLE_RATES.get(idx as usize).ok_or(bad)?;
    Ok((u8::try_from(idx).ok(), rate))
}

impl AudioSpecificConfig {
    /// Parses an AudioSpecificConfig from its bytes (trailing bits, such as a backward
    /// compatible SBR extension, are ignored).
    pub fn parse(data: &[u8]) -> Result<AudioSpecificConfig, FmtpError> {
        let mut r = BitReader::new(data);
        let mut asc = AudioSpecificConfig::read(&mut r)?;
        asc.raw = Bytes::copy_from_slice(data);
        Ok(asc)
    }

    /// Parses from a hex string (`config=` of RFC 3640).
    pub fn from_hex(hex: &str) -> Result<AudioSpecificConfig, FmtpError> {
        AudioSpecificConfig::parse(&parse_hex(hex, "config", MAX_CONFIG_LEN)?)
    }

    /// Reads an AudioSpecificConfig from a bit stream, consuming exactly its bits.
    pub(crate) fn read(r: &mut BitReader<'_>) -> Result<AudioSpecificConfig, FmtpError> {
        let bad = FmtpError::Config("AudioSpecificConfig");
        let mut object_type = read_object_type(r).ok_or(bad.clone())?;
        let (mut sampling_frequency_index, mut sample_rate) = read_sampling(r)?;
        let channel_configuration =
            u8::try_from(r.read(4).ok_or(bad.clone())?).map_err(|_| bad.clone())?;
        let mut sbr = false;
        let mut extension_sample_rate = None;
        if object_type == 5 || object_type == 29 {
            sbr = true;
            let (_, ext) = read_sampling(r)?;
            extension_sample_rate = Some(ext);
            object_type = read_object_type(r).ok_or(bad.clone())?;
            if object_type == 22 {
                r.skip(4).ok_or(bad.clone())?; // extensionChannelConfiguration
            }
        }
        let frame_length = match object_type {
            1 | 2 | 3 | 4 | 6 | 7 | 17 | 19 | 20 | 21 | 22 | 23 => {
                // GASpecificConfig (§4.4.1).
                let frame_length_flag = r.read_bool().ok_or(bad.clone())?;
                if r.read_bool().ok_or(bad.clone())? {
                    r.skip(14).ok_or(bad.clone())?; // coreCoderDelay
                }
                let extension_flag = r.read_bool().ok_or(bad.clone())?;
                if channel_configuration == 0 {
                    return Err(FmtpError::Unsupported(
                        "AudioSpecificConfig with a program_config_element",
                    ));
                }
                if object_type == 6 || object_type == 20 {
                    r.skip(3).ok_or(bad.clone())?; // layerNr
                }
                if extension_flag {
                    if object_type == 22 {
                        r.skip(16).ok_or(bad.clone())?; // numOfSubFrame, layer_length
                    }
                    if matches!(object_type, 17 | 19 | 20 | 23) {
                        r.skip(3).ok_or(bad.clone())?; // resilience flags
                    }
                    r.skip(1).ok_or(bad.clone())?; // extensionFlag3
                }
                match (object_type, frame_length_flag) {
                    (23, false) => 512,
                    (23, true) => 480,
                    (_, false) => 1024,
                    (_, true) => 960,
                }
            }
            _ => return Err(FmtpError::Unsupported("audio object type")),
        };
        if matches!(object_type, 17 | 19..=27 | 39) {
            let ep_config = r.read(2).ok_or(bad.clone())?;
            if ep_config >= 2 {
                return Err(FmtpError::Unsupported("AudioSpecificConfig epConfig"));
            }
        }
        if sampling_frequency_index.is_none() {
            // Explicit rates that match the table are still expressible in ADTS.
            if let Some(i) = SAMPLE_RATES.iter().position(|&s| s == sample_rate) {
                sampling_frequency_index = u8::try_from(i).ok();
            }
        }
        if sample_rate == 0 {
            sample_rate = 1;
        }
        Ok(AudioSpecificConfig {
            object_type,
            sampling_frequency_index,
            sample_rate,
            channel_configuration,
            frame_length,
            sbr,
            extension_sample_rate,
            raw: Bytes::new(),
        })
    }

    /// The channel count the channel configuration stands for, `None` for 0 (defined in
    /// the stream) and reserved values.
    pub fn channels(&self) -> Option<u8> {
        match self.channel_configuration {
            c @ 1..=6 => Some(c),
            7 | 12 => Some(8),
            11 => Some(7),
            13 => Some(24),
            14 => Some(8),
            _ => None,
        }
    }

    /// The 7-byte ADTS header ([ISO/IEC 14496-3] §1.A.2, no CRC) to put before a raw
    /// access unit of `au_len` bytes to make an ADTS frame, as in a `.aac` file.
    ///
    /// `None` when ADTS cannot express this configuration: object types other than 1-4,
    /// a sampling rate outside the index table, a channel configuration above 7, or a
    /// frame longer than ADTS's 13-bit length.
    ///
    /// [ISO/IEC 14496-3]: https://www.iso.org/standard/76383.html
    pub fn adts_header(&self, au_len: usize) -> Option<[u8; 7]> {
        if !(1..=4).contains(&self.object_type) || self.channel_configuration > 7 {
            return None;
        }
        let sfi = self.sampling_frequency_index?;
        let len = u32::try_from(au_len.checked_add(7)?).ok()?;
        if len > 0x1fff {
            return None;
        }
        let mut w = BitWriter::default();
        w.write(0xfff, 12); // syncword
        w.write(0, 1); // ID: MPEG-4
        w.write(0, 2); // layer
        w.write(1, 1); // protection_absent
        w.write(u32::from(self.object_type - 1), 2); // profile_ObjectType
        w.write(u32::from(sfi), 4);
        w.write(0, 1); // private_bit
        w.write(u32::from(self.channel_configuration), 3);
        w.write(0, 4); // original_copy, home, copyright_id_bit, copyright_id_start
        w.write(len, 13);
        w.write(0x7ff, 11); // adts_buffer_fullness: variable rate
        w.write(0, 2); // number_of_raw_data_blocks_in_frame - 1
        w.finish().try_into().ok()
    }
}

/// The `mode` fmtp parameter of `mpeg4-generic` ([RFC 3640 §3.3]).
///
/// [RFC 3640 §3.3]: https://www.rfc-editor.org/rfc/rfc3640#section-3.3
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AacMode {
    /// `AAC-hbr`: AU-size 13 bits, AU-Index(-delta) 3 bits, AUs up to 8,191 bytes.
    Hbr,
    /// `AAC-lbr`: AU-size 6 bits, AU-Index(-delta) 2 bits, AUs up to 63 bytes.
    Lbr,
    /// `generic` or absent: field lengths come from the fmtp alone.
    Generic,
    /// Another mode (`CELP-cbr`, `CELP-vbr`, ...); field lengths come from the fmtp.
    Other,
}

/// What to do with an access unit that is itself an ADTS frame (sync word, header, raw
/// data), which RFC 3640 does not allow: its AUs are raw.
///
/// Background: some cameras and encoders put the ADTS frames their AAC encoder produced
/// straight into `mpeg4-generic` packets (QUIRKS.md item 48; gortsplib's
/// `rtpmpeg4audio` decoder strips the header, `pkg/format/rtpmpeg4audio/decoder.go`).
/// A decoder configured from `config=` then fails on the 7 or 9 header bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AdtsPolicy {
    /// Default: when an AU is exactly a sequence of well-formed ADTS frames (sync word,
    /// layer 0, `frame_length` adding up to the AU size, one raw data block each),
    /// emit the raw data blocks, one frame each. A raw AU cannot pass this check by
    /// accident (it would have to begin with an END element and encode its own length
    /// in the right bits). Other AUs pass unchanged.
    #[default]
    Strip,
    /// Emit AUs unchanged, ADTS or not.
    Keep,
    /// Treat an AU that is a well-formed ADTS frame as malformed.
    Reject,
}

/// Configuration of an `mpeg4-generic` stream: the rtpmap's clock rate and channels and
/// the fmtp's parameters ([RFC 3640 §4.1]).
///
/// [RFC 3640 §4.1]: https://www.rfc-editor.org/rfc/rfc3640#section-4.1
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AacConfig {
    /// The RTP clock rate (normally the sampling rate).
    pub clock_rate: u32,
    /// The rtpmap's channel count, if given.
    pub channels: Option<u8>,
    /// The `mode`.
    pub mode: AacMode,
    /// `sizeLength`: bits of AU-size (0: no AU-size field).
    pub size_length: u8,
    /// `indexLength`: bits of AU-Index in the first AU header.
    pub index_length: u8,
    /// `indexDeltaLength`: bits of AU-Index-delta in the other AU headers.
    pub index_delta_length: u8,
    /// `CTSDeltaLength`: bits of CTS-delta (a CTS-flag is present when non-zero).
    pub cts_delta_length: u8,
    /// `DTSDeltaLength`: bits of DTS-delta (a DTS-flag is present when non-zero).
    pub dts_delta_length: u8,
    /// `randomAccessIndication`: a RAP-flag is present.
    pub random_access_indication: bool,
    /// `streamStateIndication`: bits of Stream-state.
    pub stream_state_indication: u8,
    /// `auxiliaryDataSizeLength`: bits of auxiliary-data-size (0: no auxiliary section).
    pub auxiliary_data_size_length: u8,
    /// `constantSize`: every AU has this size (used when there is no AU-size field).
    pub constant_size: Option<u32>,
    /// `constantDuration`: every AU lasts this many RTP clock ticks.
    pub constant_duration: Option<u32>,
    /// The parsed `config=`.
    pub audio_specific_config: AudioSpecificConfig,
    /// Buffering bounds.
    pub limits: DepacketizerLimits,
    /// ADTS-wrapped AUs.
    pub adts_policy: AdtsPolicy,
}

impl AacConfig {
    /// AAC-hbr with `asc`: clock rate = sampling rate, 13/3/3-bit AU header fields.
    pub fn hbr(asc: AudioSpecificConfig) -> AacConfig {
        AacConfig {
            clock_rate: asc.sample_rate,
            channels: asc.channels(),
            mode: AacMode::Hbr,
            size_length: 13,
            index_length: 3,
            index_delta_length: 3,
            cts_delta_length: 0,
            dts_delta_length: 0,
            random_access_indication: false,
            stream_state_indication: 0,
            auxiliary_data_size_length: 0,
            constant_size: None,
            constant_duration: None,
            audio_specific_config: asc,
            limits: DepacketizerLimits::default(),
            adts_policy: AdtsPolicy::default(),
        }
    }

    /// From the rtpmap (`MPEG4-GENERIC/<clock_rate>[/<channels>]`) and the fmtp
    /// parameters (names compared case-insensitively; unknown ones ignored).
    ///
    /// `config` is required. The AU header field lengths default to those `mode` fixes
    /// (AAC-hbr 13/3/3, AAC-lbr 6/2/2) when the fmtp omits them, and to 0 otherwise.
    pub fn from_fmtp<'a>(
        clock_rate: u32,
        channels: Option<u8>,
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<AacConfig, FmtpError> {
        if clock_rate == 0 {
            return Err(FmtpError::Invalid("clock rate"));
        }
        let mut mode = AacMode::Generic;
        let mut lengths: [Option<u8>; 3] = [None; 3];
        let mut config = None;
        let mut c = AacConfig::hbr(AudioSpecificConfig {
            object_type: 2,
            sampling_frequency_index: None,
            sample_rate: clock_rate,
            channel_configuration: 0,
            frame_length: 1024,
            sbr: false,
            extension_sample_rate: None,
            raw: Bytes::new(),
        });
        let bits = |v: &str, name: &'static str| -> Result<u8, FmtpError> {
            let n: u8 = parse_num(v, name)?;
            if n > 32 {
                return Err(FmtpError::Invalid(name));
            }
            Ok(n)
        };
        for (name, value) in params {
            let n = name.to_ascii_lowercase();
            match n.as_str() {
                "mode" => {
                    mode = if value.eq_ignore_ascii_case("AAC-hbr") {
                        AacMode::Hbr
                    } else if value.eq_ignore_ascii_case("AAC-lbr") {
                        AacMode::Lbr
                    } else if value.eq_ignore_ascii_case("generic") {
                        AacMode::Generic
                    } else {
                        AacMode::Other
                    }
                }
                "config" => config = Some(AudioSpecificConfig::from_hex(value)?),
                "sizelength" => lengths[0] = Some(bits(value, "sizeLength")?),
                "indexlength" => lengths[1] = Some(bits(value, "indexLength")?),
                "indexdeltalength" => lengths[2] = Some(bits(value, "indexDeltaLength")?),
                "ctsdeltalength" => c.cts_delta_length = bits(value, "CTSDeltaLength")?,
                "dtsdeltalength" => c.dts_delta_length = bits(value, "DTSDeltaLength")?,
                "randomaccessindication" => {
                    c.random_access_indication =
                        parse_num::<u8>(value, "randomAccessIndication")? != 0
                }
                "streamstateindication" => {
                    c.stream_state_indication = bits(value, "streamStateIndication")?
                }
                "auxiliarydatasizelength" => {
                    c.auxiliary_data_size_length = bits(value, "auxiliaryDataSizeLength")?
                }
                "constantsize" => c.constant_size = Some(parse_num(value, "constantSize")?),
                "constantduration" => {
                    c.constant_duration = Some(parse_num(value, "constantDuration")?)
                }
                _ => {}
            }
        }
        let defaults = match mode {
            AacMode::Hbr => [13, 3, 3],
            AacMode::Lbr => [6, 2, 2],
            AacMode::Generic | AacMode::Other => [0, 0, 0],
        };
        let [s, i, d] = defaults;
        c.size_length = lengths[0].unwrap_or(s);
        c.index_length = lengths[1].unwrap_or(i);
        c.index_delta_length = lengths[2].unwrap_or(d);
        if c.constant_size == Some(0) {
            return Err(FmtpError::Invalid("constantSize"));
        }
        c.audio_specific_config = config.ok_or(FmtpError::Missing("config"))?;
        c.mode = mode;
        c.clock_rate = clock_rate;
        c.channels = channels;
        Ok(c)
    }

    /// True when packets carry an AU header section.
    /// When every AU header is 16 bits of AU-size and AU-Index (or AU-Index-delta, of the
    /// same width) and nothing else, with no auxiliary section: the index width.
    fn two_byte_headers(&self) -> Option<u8> {
        let plain = self.size_length > 0
            && u16::from(self.size_length) + u16::from(self.index_length) == 16
            && self.index_delta_length == self.index_length
            && self.index_length < 16
            && self.cts_delta_length == 0
            && self.dts_delta_length == 0
            && !self.random_access_indication
            && self.stream_state_indication == 0
            && self.auxiliary_data_size_length == 0;
        plain.then_some(self.index_length)
    }

    fn has_au_headers(&self) -> bool {
        self.size_length > 0
            || self.index_length > 0
            || self.index_delta_length > 0
            || self.cts_delta_length > 0
            || self.dts_delta_length > 0
            || self.random_access_indication
            || self.stream_state_indication > 0
    }

    /// The duration of one AU in RTP clock ticks.
    pub fn au_duration(&self) -> u32 {
        if let Some(d) = self.constant_duration {
            return d;
        }
        let asc = &self.audio_specific_config;
        let ticks = u64::from(asc.frame_length) * u64::from(self.clock_rate)
            / u64::from(asc.sample_rate.max(1));
        u32::try_from(ticks).unwrap_or(u32::MAX)
    }
}

/// What the AU-header section said about the access units of a packet, beyond their sizes
/// (which go to the depacketizer's scratch vector).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct AuHeaders {
    /// The section holds at least one header (`false`: the config has no AU headers).
    present: bool,
    /// A header after the first has a non-zero AU-Index-delta (interleaving).
    interleaved: bool,
    /// A header has no AU-size and the config no `constantSize`.
    missing_size: bool,
}

/// An access unit being reassembled from fragments.
#[derive(Debug)]
struct Fragmented {
    timestamp: u32,
    /// The whole AU's size, or `usize::MAX` when unknown (ends at the marker bit).
    size: usize,
    fragments: usize,
    buf: Vec<u8>,
    /// One packet held so far, whose sizes matched its data: a complete AU from a sender
    /// that leaves the marker bit clear, or the first fragment from one that writes
    /// fragment sizes. The next packet tells which.
    held: bool,
}

/// Turns `mpeg4-generic` RTP packets into raw AAC access units.
///
/// Interleaving (a non-zero AU-Index-delta) is not supported: such packets are rejected
/// with [`DepacketizeError::Unsupported`].
///
/// A packet holding one AU whose AU-size equals its data but whose marker bit is clear is
/// held until the next packet: if that one has the same timestamp, the two are fragments
/// of one AU (joined until the marker bit); otherwise the held packet was a complete AU
/// and is emitted then (or at [`Depacketizer::flush`]). If packets are lost right after a
/// held one, it is dropped, since it may have been a first fragment.
///
/// Background: RFC 3640 §3.2.1.1 says a fragment's AU-size is the whole AU's and sets the
/// marker bit on every packet that ends an AU, but gortsplib's `rtpmpeg4audio` encoder
/// (MediaMTX) writes each fragment's own size, and audio senders that use the marker bit
/// only for talkspurts (RFC 3551 §4.1) leave it clear on complete AUs. Holding one packet
/// reads both correctly at the cost of one packet of delay for marker-less senders.
#[derive(Debug)]
pub struct AacDepacketizer {
    config: AacConfig,
    duration: u32,
    queue: FrameQueue,
    seq: LossTracker,
    frag: Option<Fragmented>,
    /// The AU sizes of the packet being pushed (kept between packets, so that a packet
    /// costs no allocation).
    sizes: Vec<usize>,
    /// The AU-Index width when AU headers are 16 bits of size and index alone (AAC-hbr):
    /// packets of one whole AU then take the short path ([`Self::single_au`]).
    single_au_index: Option<u8>,
}

/// Capacity of the AU-size scratch vector kept between packets; a hostile packet may grow
/// it further (65,535 header bits at most), after which it is released.
const SIZES_KEPT: usize = 64;

impl AacDepacketizer {
    /// A depacketizer for `config`.
    pub fn new(config: AacConfig) -> AacDepacketizer {
        AacDepacketizer {
            duration: config.au_duration(),
            queue: FrameQueue::new(&config.limits),
            seq: LossTracker::default(),
            frag: None,
            single_au_index: config.two_byte_headers(),
            config,
            sizes: Vec::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &AacConfig {
        &self.config
    }

    fn drop_fragment(&mut self) {
        if self.frag.take().is_some() {
            self.queue.mark_loss();
        }
    }

    /// A packet that cannot be used: any fragment in progress is lost, and so is what
    /// the packet carried.
    fn reject(&mut self, e: DepacketizeError) -> Result<(), DepacketizeError> {
        self.drop_fragment();
        self.queue.mark_loss();
        Err(e)
    }

    /// Ends a fragment of an earlier timestamp: a held packet was a complete AU after all;
    /// anything else was cut short.
    fn end_fragment(&mut self, seq: u16) -> Result<(), DepacketizeError> {
        match self.frag.take() {
            Some(f) if f.held => self
                .emit_au(seq, f.timestamp, Bytes::from(f.buf))
                .map(|_| ()),
            Some(_) => {
                self.queue.mark_loss();
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Reads the AU-header section of `payload`: each AU's size (AU-size, else
    /// `constantSize`) goes to `sizes`; returns what else the headers said and the data
    /// section.
    fn parse_headers<'p>(
        config: &AacConfig,
        seq: u16,
        payload: &'p [u8],
        sizes: &mut Vec<usize>,
    ) -> Result<(AuHeaders, &'p [u8]), DepacketizeError> {
        Self::parse_headers_with(config, seq, payload, sizes, true)
    }

    /// [`Self::parse_headers`]; `fast`: 16-bit headers are read without the bit reader
    /// (the two ways agree; a test compares them).
    fn parse_headers_with<'p>(
        config: &AacConfig,
        seq: u16,
        payload: &'p [u8],
        sizes: &mut Vec<usize>,
        fast: bool,
    ) -> Result<(AuHeaders, &'p [u8]), DepacketizeError> {
        let c = config;
        let malformed = |rule| DepacketizeError::Malformed { seq, rule };
        let mut out = AuHeaders::default();
        if !c.has_au_headers() {
            return Ok((out, payload));
        }
        let (len_bytes, rest) = payload
            .split_at_checked(2)
            .ok_or(malformed("AU-headers-length"))?;
        let headers_bits = match len_bytes {
            [a, b] => usize::from(u16::from_be_bytes([*a, *b])),
            _ => return Err(malformed("AU-headers-length")),
        };
        let header_bytes = headers_bits.div_ceil(8);
        let (section, rest) = rest
            .split_at_checked(header_bytes)
            .ok_or(malformed("AU-headers-length"))?;
        if let Some(index_bits) = c.two_byte_headers().filter(|_| fast) {
            // AAC-hbr and the like: whole 16-bit headers of AU-size and AU-Index(-delta)
            // only, read without the bit reader.
            if headers_bits % 16 == 0 {
                for pair in section.chunks_exact(2) {
                    let &[hi, lo] = pair else { continue };
                    let h = u16::from_be_bytes([hi, lo]);
                    let index = h & ((1u16 << index_bits) - 1);
                    out.interleaved |= out.present && index != 0;
                    out.present = true;
                    sizes.push(usize::from(h >> index_bits));
                }
                if !out.present {
                    return Err(malformed("AU-headers-length"));
                }
                return Ok((out, rest));
            }
        }
        let mut r = BitReader::new(section);
        while r.position() < headers_bits {
            let first = !out.present;
            let start = r.position();
            let rd = |r: &mut BitReader<'_>, n: u8| r.read(u32::from(n));
            let size = if c.size_length > 0 {
                Some(rd(&mut r, c.size_length).ok_or(malformed("AU-header"))?)
            } else {
                None
            };
            let index = rd(
                &mut r,
                if first {
                    c.index_length
                } else {
                    c.index_delta_length
                },
            )
            .ok_or(malformed("AU-header"))?;
            if c.cts_delta_length > 0 && r.read_bool().ok_or(malformed("AU-header"))? {
                r.skip(usize::from(c.cts_delta_length))
                    .ok_or(malformed("AU-header"))?;
            }
            if c.dts_delta_length > 0 && r.read_bool().ok_or(malformed("AU-header"))? {
                r.skip(usize::from(c.dts_delta_length))
                    .ok_or(malformed("AU-header"))?;
            }
            if c.random_access_indication {
                r.skip(1).ok_or(malformed("AU-header"))?;
            }
            r.skip(usize::from(c.stream_state_indication))
                .ok_or(malformed("AU-header"))?;
            if r.position() > headers_bits {
                return Err(malformed("AU-headers-length"));
            }
            if r.position() == start && !first {
                // A configuration whose later AU-headers have no bits at all (AU-Index
                // only, no AU-Index-delta, no AU-size) cannot say how many there are; the
                // section would be read forever.
                return Err(malformed("AU-header (zero bits after the first)"));
            }
            out.present = true;
            out.interleaved |= !first && index != 0;
            match size.or(c.constant_size) {
                Some(s) => sizes.push(s as usize),
                None => out.missing_size = true,
            }
        }
        if !out.present {
            return Err(malformed("AU-headers-length"));
        }
        let mut rest = rest;
        if c.auxiliary_data_size_length > 0 {
            let mut r = BitReader::new(rest);
            let aux_bits = r
                .read(u32::from(c.auxiliary_data_size_length))
                .ok_or(malformed("auxiliary-data-size"))?;
            r.skip(aux_bits as usize)
                .ok_or(malformed("auxiliary-data-size"))?;
            r.align();
            rest = rest
                .get(r.position() / 8..)
                .ok_or(malformed("auxiliary section"))?;
        }
        Ok((out, rest))
    }

    /// Emits one complete AU, applying the ADTS policy.
    fn emit_au(&mut self, seq: u16, timestamp: u32, au: Bytes) -> Result<u32, DepacketizeError> {
        if au.len() > self.config.limits.max_frame_size {
            self.queue.mark_loss();
            return Err(DepacketizeError::FrameTooLarge {
                seq,
                limit: "max_frame_size",
            });
        }
        if self.config.adts_policy != AdtsPolicy::Keep {
            if let Some(blocks) = split_adts(&au) {
                if self.config.adts_policy == AdtsPolicy::Reject {
                    self.queue.mark_loss();
                    return Err(DepacketizeError::Malformed {
                        seq,
                        rule: "access unit (ADTS frame, AdtsPolicy::Reject)",
                    });
                }
                let mut ts = timestamp;
                let mut result = Ok(());
                let n = blocks.len();
                for (start, end) in blocks {
                    let r = self.queue.push(ts, au.slice(start..end), true);
                    result = result.and(r);
                    ts = ts.wrapping_add(self.duration);
                }
                result?;
                return Ok(u32::try_from(n).unwrap_or(u32::MAX));
            }
        }
        self.queue.push(timestamp, au, true)?;
        Ok(1)
    }

    fn push_fragment(
        &mut self,
        packet: &RtpPacket,
        size: usize,
        data: &[u8],
    ) -> Result<(), DepacketizeError> {
        let seq = packet.sequence_number;
        let limits = self.config.limits;
        let continues = self
            .frag
            .as_ref()
            .is_some_and(|f| f.timestamp == packet.timestamp && f.size == size);
        if !continues {
            self.drop_fragment();
            if size > limits.max_frame_size {
                self.queue.mark_loss();
                return Err(DepacketizeError::FrameTooLarge {
                    seq,
                    limit: "max_frame_size",
                });
            }
            self.frag = Some(Fragmented {
                timestamp: packet.timestamp,
                size,
                fragments: 0,
                buf: Vec::new(),
                held: false,
            });
        }
        let Some(f) = self.frag.as_mut() else {
            return Ok(());
        };
        let total = f.buf.len().checked_add(data.len());
        if total.is_none_or(|t| t > f.size) {
            self.drop_fragment();
            return Err(DepacketizeError::Malformed {
                seq,
                rule: "AU fragment (exceeds AU-size)",
            });
        }
        f.fragments += 1;
        if f.fragments > limits.max_fragments {
            self.drop_fragment();
            return Err(DepacketizeError::FrameTooLarge {
                seq,
                limit: "max_fragments",
            });
        }
        if f.buf.is_empty() {
            f.buf.reserve_exact(f.size);
        }
        f.buf.extend_from_slice(data);
        if f.buf.len() == f.size {
            if let Some(f) = self.frag.take() {
                self.emit_au(seq, f.timestamp, Bytes::from(f.buf))?;
            }
        } else if packet.marker {
            self.drop_fragment();
            return Err(DepacketizeError::Malformed {
                seq,
                rule: "AU fragment (marker before the AU is complete)",
            });
        }
        Ok(())
    }
}

/// When `au` is exactly a sequence of ADTS frames with one raw data block each, the byte
/// ranges of their raw data.
fn split_adts(au: &[u8]) -> Option<Vec<(usize, usize)>> {
    // Raw AUs (nearly all) fail on the first two bytes: the 12-bit sync word and layer 0.
    match au {
        [0xff, b1, ..] if b1 & 0xf6 == 0xf0 => {}
        _ => return None,
    }
    let mut out = Vec::new();
    let mut pos = 0usize;
    while pos < au.len() {
        let h = au.get(pos..pos.checked_add(7)?)?;
        let mut r = BitReader::new(h);
        if r.read(12)? != 0xfff || r.read(1)? > 1 || r.read(2)? != 0 {
            return None;
        }
        let protection_absent = r.read_bool()?;
        r.skip(2 + 4)?; // profile, sampling_frequency_index
        r.skip(1 + 3 + 4)?; // private, channel_configuration, original/home/copyright bits
        let frame_length = r.read(13)? as usize;
        r.skip(11)?; // buffer fullness
        if r.read(2)? != 0 {
            return None; // several raw data blocks: not a shape seen in RTP
        }
        let header = if protection_absent { 7 } else { 9 };
        if frame_length <= header {
            return None;
        }
        let end = pos.checked_add(frame_length)?;
        if end > au.len() {
            return None;
        }
        out.push((pos + header, end));
        pos = end;
    }
    (!out.is_empty()).then_some(out)
}

impl Depacketizer for AacDepacketizer {
    fn push(&mut self, packet: RtpPacket) -> Result<(), DepacketizeError> {
        let seq = packet.sequence_number;
        if self.seq.gap(seq) {
            self.queue.mark_loss();
            self.drop_fragment();
        }
        let mut ended = Ok(());
        if self
            .frag
            .as_ref()
            .is_some_and(|f| f.timestamp != packet.timestamp)
        {
            ended = self.end_fragment(seq);
        }
        self.push_packet(packet).and(ended)
    }

    fn pull(&mut self) -> Option<Frame> {
        self.queue.pull()
    }

    fn flush(&mut self) {
        let _ = self.end_fragment(0);
    }
}

impl AacDepacketizer {
    /// [`Depacketizer::push`] after loss and timestamp bookkeeping.
    fn push_packet(&mut self, packet: RtpPacket) -> Result<(), DepacketizeError> {
        if let Some(au) = self.single_au(&packet) {
            return self
                .emit_au(packet.sequence_number, packet.timestamp, au)
                .map(|_| ());
        }
        let mut sizes = std::mem::take(&mut self.sizes);
        sizes.clear();
        let result = self.push_sized(&packet, &mut sizes);
        if sizes.capacity() <= SIZES_KEPT {
            self.sizes = sizes;
        }
        result
    }

    /// The AU of the most common packet, on a short path: one 16-bit AU header whose
    /// AU-size is the rest of the payload, the marker bit set and no fragment pending
    /// (what [`Self::push_sized`] makes of it too: a test compares the two).
    #[inline]
    fn single_au(&self, packet: &RtpPacket) -> Option<Bytes> {
        let index_bits = self.single_au_index?;
        if !packet.marker || self.frag.is_some() {
            return None;
        }
        match *packet.payload {
            [0, 16, hi, lo, ref au @ ..]
                if usize::from(u16::from_be_bytes([hi, lo]) >> index_bits) == au.len() =>
            {
                Some(packet.payload.slice(4..))
            }
            _ => None,
        }
    }

    /// [`Self::push_packet`] with the scratch vector for the AU sizes.
    fn push_sized(
        &mut self,
        packet: &RtpPacket,
        sizes: &mut Vec<usize>,
    ) -> Result<(), DepacketizeError> {
        let seq = packet.sequence_number;
        let (headers, data) = match Self::parse_headers(&self.config, seq, &packet.payload, sizes) {
            Ok(v) => v,
            Err(e) => return self.reject(e),
        };
        let data_offset = packet.payload.len() - data.len();
        if !headers.present {
            match self.config.constant_size {
                Some(cs) => {
                    let cs = cs as usize;
                    if data.len() % cs != 0 {
                        if data.len() < cs {
                            return self.push_fragment(packet, cs, data);
                        }
                        return self.reject(DepacketizeError::Malformed {
                            seq,
                            rule: "AU data section (not a multiple of constantSize)",
                        });
                    }
                    sizes.resize(data.len() / cs, cs);
                }
                None => {
                    // One AU per packet; without a size field a fragmented AU ends at the
                    // marker bit.
                    return self.push_unsized(packet, data);
                }
            }
        } else if headers.interleaved {
            return self.reject(DepacketizeError::Unsupported {
                seq,
                what: "interleaved access units (AU-Index-delta)",
            });
        } else if headers.missing_size {
            return self.reject(DepacketizeError::Malformed {
                seq,
                rule: "AU header (no AU-size and no constantSize)",
            });
        }
        let total = sizes.iter().try_fold(0usize, |a, &s| a.checked_add(s));
        match (total, sizes.as_slice()) {
            // One whole AU without the marker bit, or after a fragment of the same
            // timestamp: a fragment whose AU-size is the fragment's size (gortsplib's
            // encoder), or a marker-less sender's complete AU; resolved by what follows.
            (Some(t), [_]) if t == data.len() && (!packet.marker || self.frag.is_some()) => {
                return self.push_unsized(packet, data);
            }
            (Some(t), _) if t == data.len() => {}
            (Some(_), [size]) if data.len() < *size => {
                return self.push_fragment(packet, *size, data);
            }
            _ => {
                return self.reject(DepacketizeError::Malformed {
                    seq,
                    rule: "AU data section (sizes do not match the payload)",
                });
            }
        }
        // Complete AUs: an unfinished fragmented AU before them was lost.
        self.drop_fragment();
        let mut ts = packet.timestamp;
        let mut pos = data_offset;
        let mut result = Ok(());
        for &size in sizes.iter() {
            let end = pos + size;
            let au = packet.payload.slice(pos..end);
            pos = end;
            match self.emit_au(seq, ts, au) {
                Ok(n) => ts = ts.wrapping_add(self.duration.wrapping_mul(n)),
                Err(e) => {
                    ts = ts.wrapping_add(self.duration);
                    if result.is_ok() {
                        result = Err(e);
                    }
                }
            }
        }
        result
    }

    /// A packet without AU-size: one AU, or a fragment of one ending at the marker bit.
    fn push_unsized(&mut self, packet: &RtpPacket, data: &[u8]) -> Result<(), DepacketizeError> {
        let seq = packet.sequence_number;
        let limits = self.config.limits;
        let continues = self
            .frag
            .as_ref()
            .is_some_and(|f| f.timestamp == packet.timestamp && f.size == usize::MAX);
        if !continues {
            self.drop_fragment();
            if packet.marker {
                let start = packet.payload.len() - data.len();
                let au = packet.payload.slice(start..);
                return self.emit_au(seq, packet.timestamp, au).map(|_| ());
            }
            self.frag = Some(Fragmented {
                timestamp: packet.timestamp,
                size: usize::MAX,
                fragments: 0,
                buf: Vec::new(),
                held: true,
            });
        }
        let Some(f) = self.frag.as_mut() else {
            return Ok(());
        };
        if f.fragments > 0 {
            f.held = false;
        }
        f.fragments += 1;
        let total = f.buf.len().saturating_add(data.len());
        if f.fragments > limits.max_fragments || total > limits.max_frame_size {
            let limit = if total > limits.max_frame_size {
                "max_frame_size"
            } else {
                "max_fragments"
            };
            self.drop_fragment();
            return Err(DepacketizeError::FrameTooLarge { seq, limit });
        }
        f.buf.extend_from_slice(data);
        if packet.marker {
            if let Some(f) = self.frag.take() {
                self.emit_au(seq, f.timestamp, Bytes::from(f.buf))?;
            }
        }
        Ok(())
    }
}

/// Packetizes raw AAC access units as `mpeg4-generic` with AU headers (AAC-hbr unless the
/// config says otherwise): one AU per [`Packetizer::packetize`] call, several per packet
/// with [`AacPacketizer::packetize_many`], and AUs larger than a packet fragmented.
#[derive(Debug)]
pub struct AacPacketizer {
    config: AacConfig,
    duration: u32,
    max_payload: usize,
}

impl AacPacketizer {
    /// A packetizer writing payloads of at most `max_payload` bytes, with the AU header
    /// layout of `config`. The config must have an AU-size field (`sizeLength` > 0) and no
    /// auxiliary section.
    pub fn new(config: AacConfig, max_payload: usize) -> Result<AacPacketizer, PacketizeError> {
        if config.size_length == 0 || config.auxiliary_data_size_length != 0 {
            return Err(PacketizeError::InvalidFrame(
                "packetizer config needs sizeLength > 0 and no auxiliary section",
            ));
        }
        let p = AacPacketizer {
            duration: config.au_duration(),
            config,
            max_payload,
        };
        // Headers for one AU plus at least one byte of data must fit.
        if p.header_bytes(1) + 1 > max_payload {
            return Err(PacketizeError::MtuTooSmall(max_payload));
        }
        Ok(p)
    }

    fn header_bits(&self, first: bool) -> usize {
        let c = &self.config;
        let mut n = usize::from(c.size_length)
            + usize::from(if first {
                c.index_length
            } else {
                c.index_delta_length
            });
        if c.cts_delta_length > 0 {
            n += 1;
        }
        if c.dts_delta_length > 0 {
            n += 1;
        }
        if c.random_access_indication {
            n += 1;
        }
        n + usize::from(c.stream_state_indication)
    }

    /// Bytes of the AU header section (with its 16-bit length) for `count` AUs.
    fn header_bytes(&self, count: usize) -> usize {
        if count == 0 {
            return 2;
        }
        let bits = self.header_bits(true) + (count - 1) * self.header_bits(false);
        2 + bits.div_ceil(8)
    }

    fn write_headers(&self, sizes: &[usize]) -> Vec<u8> {
        let c = &self.config;
        let bits: usize = sizes
            .iter()
            .enumerate()
            .map(|(i, _)| self.header_bits(i == 0))
            .sum();
        let mut w = BitWriter::default();
        w.write(u32::try_from(bits).unwrap_or(0), 16);
        for (i, &size) in sizes.iter().enumerate() {
            w.write(u32::try_from(size).unwrap_or(0), u32::from(c.size_length));
            let index_bits = if i == 0 {
                c.index_length
            } else {
                c.index_delta_length
            };
            w.write(0, u32::from(index_bits));
            if c.cts_delta_length > 0 {
                w.write(0, 1);
            }
            if c.dts_delta_length > 0 {
                w.write(0, 1);
            }
            if c.random_access_indication {
                w.write(1, 1);
            }
            w.write(0, u32::from(c.stream_state_indication));
        }
        w.finish()
    }

    fn check_au(&self, au: &[u8]) -> Result<(), PacketizeError> {
        if au.is_empty() {
            return Err(PacketizeError::InvalidFrame("empty access unit"));
        }
        let max = if self.config.size_length >= 32 {
            u64::from(u32::MAX)
        } else {
            (1u64 << self.config.size_length) - 1
        };
        if au.len() as u64 > max {
            return Err(PacketizeError::InvalidFrame(
                "access unit larger than the AU-size field can express",
            ));
        }
        Ok(())
    }

    /// Packetizes consecutive access units, the first at RTP time `timestamp` and each
    /// next one [`AacConfig::au_duration`] later, putting as many whole AUs in a packet as
    /// fit (RFC 3640 requires the AUs of one packet to be consecutive, which they are) and
    /// fragmenting an AU too large for a packet of its own.
    pub fn packetize_many(
        &mut self,
        timestamp: u32,
        aus: &[&[u8]],
        emit: &mut dyn FnMut(Payload<'_>),
    ) -> Result<(), PacketizeError> {
        for au in aus {
            self.check_au(au)?;
        }
        let mut i = 0;
        let mut ts = timestamp;
        while let Some(first) = aus.get(i) {
            // How many AUs fit, starting at i?
            let mut n = 0;
            let mut data = 0usize;
            while let Some(au) = aus.get(i + n) {
                if self.header_bytes(n + 1) + data + au.len() > self.max_payload {
                    break;
                }
                data += au.len();
                n += 1;
            }
            if n == 0 {
                self.fragment(ts, first, emit);
                i += 1;
                ts = ts.wrapping_add(self.duration);
                continue;
            }
            let group = aus.get(i..i + n).unwrap_or_default();
            let sizes: Vec<usize> = group.iter().map(|a| a.len()).collect();
            let headers = self.write_headers(&sizes);
            let mut parts: Vec<&[u8]> = Vec::with_capacity(n + 1);
            parts.push(&headers);
            parts.extend(group.iter().copied());
            emit(Payload {
                parts: &parts,
                marker: true,
                timestamp: ts,
            });
            i += n;
            ts = ts.wrapping_add(self.duration.wrapping_mul(u32::try_from(n).unwrap_or(0)));
        }
        Ok(())
    }

    fn fragment(&self, timestamp: u32, au: &[u8], emit: &mut dyn FnMut(Payload<'_>)) {
        let headers = self.write_headers(&[au.len()]);
        let room = self.max_payload - headers.len();
        let mut chunks = au.chunks(room).peekable();
        while let Some(chunk) = chunks.next() {
            let parts = [headers.as_slice(), chunk];
            emit(Payload {
                parts: &parts,
                marker: chunks.peek().is_none(),
                timestamp,
            });
        }
    }
}

impl Packetizer for AacPacketizer {
    fn packetize(
        &mut self,
        timestamp: u32,
        frame: &[u8],
        emit: &mut dyn FnMut(Payload<'_>),
    ) -> Result<(), PacketizeError> {
        self.packetize_many(timestamp, &[frame], emit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::fmtp::params;

    proptest::proptest! {
        /// The 16-bit header fast path reads exactly what the bit reader reads, for the
        /// AAC-hbr layout and the other two-byte ones, on any payload.
        #[test]
        fn two_byte_headers_fast_path_agrees(
            index_length in 0u8..6,
            payload in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
            bits in proptest::option::of(0u16..300),
        ) {
            let mut config = AacConfig::hbr(AudioSpecificConfig::parse(&[0x12, 0x08]).unwrap());
            config.size_length = 16 - index_length;
            config.index_length = index_length;
            config.index_delta_length = index_length;
            proptest::prop_assert!(config.two_byte_headers().is_some());
            let mut payload = payload;
            if let (Some(b), true) = (bits, payload.len() >= 2) {
                // A plausible AU-headers-length now and then (the random one rarely is).
                payload[..2].copy_from_slice(&(b * 16 % 320).to_be_bytes());
            }
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let fast = AacDepacketizer::parse_headers_with(&config, 1, &payload, &mut a, true);
            let slow = AacDepacketizer::parse_headers_with(&config, 1, &payload, &mut b, false);
            proptest::prop_assert_eq!(format!("{fast:?}"), format!("{slow:?}"));
            if fast.is_ok() {
                proptest::prop_assert_eq!(a, b);
            }
        }
    }

    proptest::proptest! {
        /// Packets of one whole AU take the short path (`single_au`); the general path
        /// gives the same results and frames, whatever the packets.
        #[test]
        fn single_au_short_path_agrees(
            index_length in 0u8..4,
            packets in proptest::collection::vec(
                (
                    proptest::prelude::any::<bool>(),
                    0u32..3,
                    proptest::prelude::any::<bool>(),
                    proptest::collection::vec(proptest::prelude::any::<u8>(), 0..24),
                    0usize..3,
                ),
                1..12,
            ),
        ) {
            let mut config = AacConfig::hbr(AudioSpecificConfig::parse(&[0x12, 0x08]).unwrap());
            config.size_length = 16 - index_length;
            config.index_length = index_length;
            config.index_delta_length = index_length;
            let mut short = AacDepacketizer::new(config.clone());
            let mut general = AacDepacketizer::new(config);
            general.single_au_index = None;
            proptest::prop_assert!(short.single_au_index.is_some());
            for (i, (marker, ts, skip, body, shape)) in packets.into_iter().enumerate() {
                // Mostly well-formed one-AU packets, some with a wrong size or several
                // headers, some random.
                let size = match shape {
                    0 => body.len(),
                    1 => body.len() + 1,
                    _ => body.len() / 2,
                };
                let mut payload = vec![0, 16];
                payload.extend_from_slice(&((size as u16) << index_length).to_be_bytes());
                payload.extend_from_slice(&body);
                let seq = (i as u16) * if skip { 2 } else { 1 };
                let p = pkt(seq, ts * 1024, marker, payload);
                let (a, b) = (short.push(p.clone()), general.push(p));
                proptest::prop_assert_eq!(a, b);
                let fa: Vec<Frame> = std::iter::from_fn(|| short.pull()).collect();
                let fb: Vec<Frame> = std::iter::from_fn(|| general.pull()).collect();
                proptest::prop_assert_eq!(fa, fb);
            }
        }
    }

    fn pkt(seq: u16, ts: u32, marker: bool, payload: Vec<u8>) -> RtpPacket {
        RtpPacket {
            sequence_number: seq,
            timestamp: ts,
            marker,
            payload_type: 97,
            payload: Bytes::from(payload),
        }
    }

    fn hbr_44k() -> AacConfig {
        AacConfig::from_fmtp(
            44_100,
            Some(1),
            params("streamtype=5;profile-level-id=2;mode=AAC-hbr;config=120856e500;sizelength=13;indexlength=3;indexdeltalength=3"),
        )
        .unwrap()
    }

    /// Found by fuzzing (`client_bytes`): with `indexLength` set but no `sizeLength` and
    /// no `indexDeltaLength`, every AU-header after the first is zero bits long, and an
    /// AU-headers-length longer than the first header kept the reader in place forever.
    #[test]
    fn zero_bit_au_headers_are_rejected_not_read_forever() {
        for constant in ["", ";constantsize=4"] {
            let mut d = AacDepacketizer::new(
                AacConfig::from_fmtp(
                    44_100,
                    Some(1),
                    params(&format!(
                        "streamtype=5;profile-level-id=2;mode=generic;config=1208;indexlength=3{constant}"
                    )),
                )
                .unwrap(),
            );
            // AU-headers-length 16 bits: a 3-bit first header, then nothing but zeros.
            let payload = vec![0, 16, 0, 0, 1, 2, 3, 4];
            let err = d.push(pkt(1, 0, true, payload)).unwrap_err();
            assert!(
                matches!(err, DepacketizeError::Malformed { rule, .. } if rule.contains("zero bits")),
                "{err:?}"
            );
            assert!(d.pull().is_none());
            // A section of exactly the first header is read as before: one AU of
            // `constantSize` bytes, or no size to go by.
            let one = vec![0, 3, 0, 1, 2, 3, 4];
            let r = d.push(pkt(2, 1024, true, one));
            if constant.is_empty() {
                assert!(
                    matches!(r, Err(DepacketizeError::Malformed { rule, .. }) if rule.contains("no AU-size")),
                    "{r:?}"
                );
            } else {
                assert!(r.is_ok(), "{r:?}");
                assert_eq!(&d.pull().unwrap().data[..], &[1, 2, 3, 4]);
            }
        }
    }

    #[test]
    fn asc_variants() {
        let a = AudioSpecificConfig::from_hex("1490").unwrap();
        assert_eq!(
            (a.sample_rate, a.channels(), a.frame_length),
            (12_000, Some(2), 1024)
        );
        // HE-AAC explicit: AOT 5, 24 kHz core, stereo, 48 kHz SBR, core AOT 2.
        let he = AudioSpecificConfig::parse(&[0x2b, 0x11, 0x88, 0x00]).unwrap();
        assert!(he.sbr);
        assert_eq!(
            (he.object_type, he.sample_rate, he.extension_sample_rate),
            (2, 24_000, Some(48_000))
        );
        // 960-sample frames.
        assert_eq!(
            AudioSpecificConfig::parse(&[0x12, 0x0c])
                .unwrap()
                .frame_length,
            960
        );
        assert!(AudioSpecificConfig::parse(&[0x12]).is_err());
        assert_eq!(
            AudioSpecificConfig::parse(&[0x12, 0x00]),
            Err(FmtpError::Unsupported(
                "AudioSpecificConfig with a program_config_element"
            ))
        );
        assert!(AacConfig::from_fmtp(44_100, None, params("mode=AAC-hbr")).is_err());
    }

    #[test]
    fn adts_header_fields() {
        let a = AudioSpecificConfig::from_hex("1208").unwrap();
        let h = a.adts_header(100).unwrap();
        // LC (profile 1), index 4 (44.1 kHz), 1 channel, length 107.
        assert_eq!(h, [0xff, 0xf1, 0x50, 0x40, 0x0d, 0x7f, 0xfc]);
        assert!(a.adts_header(8200).is_none());
        assert_eq!(
            split_adts(&[h.as_slice(), &[0u8; 100]].concat()),
            Some(vec![(7, 107)])
        );
    }

    #[test]
    fn several_aus_get_successive_timestamps() {
        let mut d = AacDepacketizer::new(hbr_44k());
        // Two AUs of 3 and 2 bytes: headers 32 bits.
        let payload = vec![0x00, 0x20, 0x00, 0x18, 0x00, 0x10, 1, 2, 3, 4, 5];
        d.push(pkt(1, 1000, true, payload)).unwrap();
        let a = d.pull().unwrap();
        let b = d.pull().unwrap();
        assert_eq!((a.timestamp, &a.data[..]), (1000, &[1u8, 2, 3][..]));
        assert_eq!((b.timestamp, &b.data[..]), (2024, &[4u8, 5][..]));
        assert!(d.pull().is_none());
    }

    #[test]
    fn fragment_loss_drops_the_au_and_flags_loss() {
        let c = hbr_44k();
        let mut p = AacPacketizer::new(c.clone(), 100).unwrap();
        let au: Vec<u8> = (0..250u8).collect();
        let mut pkts = Vec::new();
        p.packetize(0, &au, &mut |pl| pkts.push((pl.to_bytes(), pl.marker)))
            .unwrap();
        assert_eq!(pkts.len(), 3);
        let mut d = AacDepacketizer::new(c);
        for (i, (b, m)) in pkts.iter().enumerate() {
            if i == 1 {
                continue;
            }
            let _ = d.push(pkt(i as u16, 0, *m, b.to_vec()));
        }
        assert!(d.pull().is_none());
        d.push(pkt(3, 1024, true, vec![0, 16, 0, 8, 9])).unwrap();
        let f = d.pull().unwrap();
        assert!(f.loss);
        assert_eq!(&f.data[..], &[9]);
    }

    /// gortsplib's encoder writes each fragment's own size in AU-size (RFC 3640 wants the
    /// whole AU's) and sets the marker on the last; a marker-less sender sends complete AUs
    /// with the marker clear. Both come out right.
    #[test]
    fn fragment_sized_fragments_and_markerless_senders() {
        let mut d = AacDepacketizer::new(hbr_44k());
        // AU of 5 bytes as fragments of 3 and 2, AU-size = fragment size.
        d.push(pkt(0, 0, false, vec![0, 16, 0, 0x18, 1, 2, 3]))
            .unwrap();
        assert!(d.pull().is_none());
        d.push(pkt(1, 0, true, vec![0, 16, 0, 0x10, 4, 5])).unwrap();
        let f = d.pull().unwrap();
        assert_eq!((&f.data[..], f.loss), (&[1u8, 2, 3, 4, 5][..], false));
        // Marker-less: each AU is released by the next packet (or by flush).
        d.push(pkt(2, 1024, false, vec![0, 16, 0, 0x08, 7]))
            .unwrap();
        assert!(d.pull().is_none());
        d.push(pkt(3, 2048, false, vec![0, 16, 0, 0x08, 8]))
            .unwrap();
        assert_eq!(&d.pull().unwrap().data[..], &[7]);
        d.flush();
        let f = d.pull().unwrap();
        assert_eq!(
            (&f.data[..], f.timestamp, f.loss),
            (&[8u8][..], 2048, false)
        );
        // A held packet followed by a gap is dropped: it may have been a first fragment.
        d.push(pkt(4, 3072, false, vec![0, 16, 0, 0x08, 9]))
            .unwrap();
        d.push(pkt(6, 4096, true, vec![0, 16, 0, 0x08, 10]))
            .unwrap();
        let f = d.pull().unwrap();
        assert_eq!((&f.data[..], f.loss), (&[10u8][..], true));
        assert!(d.pull().is_none());
    }

    #[test]
    fn adts_policy() {
        let c = hbr_44k();
        let h = c.audio_specific_config.adts_header(2).unwrap();
        let au = [h.as_slice(), &[7, 8]].concat();
        let mut payload = vec![0x00, 0x10, 0x00, 0x48];
        payload.extend_from_slice(&au);
        let mut d = AacDepacketizer::new(c.clone());
        d.push(pkt(1, 0, true, payload.clone())).unwrap();
        assert_eq!(&d.pull().unwrap().data[..], &[7, 8]);
        let mut keep = c.clone();
        keep.adts_policy = AdtsPolicy::Keep;
        let mut d = AacDepacketizer::new(keep);
        d.push(pkt(1, 0, true, payload.clone())).unwrap();
        assert_eq!(d.pull().unwrap().data.len(), 9);
        let mut reject = c;
        reject.adts_policy = AdtsPolicy::Reject;
        let mut d = AacDepacketizer::new(reject);
        assert!(d.push(pkt(1, 0, true, payload)).is_err());
    }

    #[test]
    fn malformed_and_limits() {
        let mut c = hbr_44k();
        c.limits.max_frame_size = 4;
        let mut d = AacDepacketizer::new(c);
        for bad in [
            vec![],
            vec![0x00],
            vec![0xff, 0xff, 0],
            vec![0x00, 0x10, 0x00, 0x18, 1],
        ] {
            assert!(d.push(pkt(1, 0, true, bad)).is_err());
        }
        assert!(matches!(
            d.push(pkt(2, 0, true, vec![0x00, 0x10, 0x00, 0x28, 1, 2, 3, 4, 5])),
            Err(DepacketizeError::FrameTooLarge { .. })
        ));
        // Interleaving is refused.
        assert!(matches!(
            d.push(pkt(
                3,
                0,
                true,
                vec![0x00, 0x20, 0x00, 0x08, 0x00, 0x09, 1, 2]
            )),
            Err(DepacketizeError::Unsupported { .. })
        ));
    }

    #[test]
    fn lbr_and_generic_without_headers() {
        let c = AacConfig::from_fmtp(16_000, None, params("mode=AAC-lbr;config=1408")).unwrap();
        assert_eq!((c.size_length, c.index_length), (6, 2));
        let mut d = AacDepacketizer::new(c.clone());
        // One 8-bit header: size 2, index 0.
        d.push(pkt(0, 0, true, vec![0x00, 0x08, 0x08, 1, 2]))
            .unwrap();
        assert_eq!(&d.pull().unwrap().data[..], &[1, 2]);
        let mut p = AacPacketizer::new(c.clone(), 50).unwrap();
        let mut got = Vec::new();
        p.packetize_many(0, &[&[1, 2], &[3]], &mut |pl| got.push(pl.to_bytes()))
            .unwrap();
        assert_eq!(got.len(), 1);
        assert!(p.packetize(0, &[0u8; 64], &mut |_| {}).is_err());

        let g = AacConfig::from_fmtp(
            16_000,
            None,
            params("mode=generic;config=1408;constantSize=2"),
        )
        .unwrap();
        let mut d = AacDepacketizer::new(g);
        d.push(pkt(0, 0, true, vec![1, 2, 3, 4])).unwrap();
        assert_eq!(d.pull().unwrap().data.len(), 2);
        assert_eq!(d.pull().unwrap().timestamp, 1024);
    }
}
