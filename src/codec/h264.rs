//! H.264 over RTP, [RFC 6184]: a depacketizer that turns RTP packets into whole access
//! units, and a packetizer that splits access units into RTP payloads.
//!
//! Supported packet types ([RFC 6184 §5.2]): single NAL unit packets (types 1–23),
//! STAP-A (24, [§5.7.1]) and FU-A (28, [§5.8]), i.e. `packetization-mode` 0 and 1.
//! STAP-B, MTAP16, MTAP24 and FU-B (the interleaved mode 2) are rejected with
//! [`DepacketizeError::Unsupported`]; the reserved types 30 and 31 are ignored as §5.2
//! asks.
//!
//! ```
//! use bytes::Bytes;
//! use rtsp_proto::codec::{Depacketizer, RtpPacket};
//! use rtsp_proto::codec::h264::{H264Config, H264Depacketizer};
//!
//! let config = H264Config::from_fmtp(
//!     "packetization-mode=1;sprop-parameter-sets=Z0LADNoFB+wFqDAwNSgAAAMACAAAAwD0eKFV,aM48gA==",
//! );
//! let mut depacketizer = H264Depacketizer::new(config);
//! assert_eq!(depacketizer.sps_info().unwrap().unwrap().width, 320);
//! depacketizer.push(RtpPacket {
//!     sequence_number: 1,
//!     timestamp: 3000,
//!     marker: true,
//!     payload_type: 96,
//!     payload: Bytes::from_static(b"\x65\x88\x84"), // an IDR slice, as a single NAL unit
//! })?;
//! let frame = depacketizer.pull().unwrap();
//! assert!(frame.keyframe);
//! // Annex B, with the SPS and PPS of sprop-parameter-sets inserted before the IDR:
//! assert!(frame.data.ends_with(b"\0\0\0\x01\x65\x88\x84"));
//! # Ok::<(), rtsp_proto::codec::DepacketizeError>(())
//! ```
//!
//! [RFC 6184]: https://www.rfc-editor.org/rfc/rfc6184
//! [RFC 6184 §5.2]: https://www.rfc-editor.org/rfc/rfc6184#section-5.2
//! [§5.7.1]: https://www.rfc-editor.org/rfc/rfc6184#section-5.7.1
//! [§5.8]: https://www.rfc-editor.org/rfc/rfc6184#section-5.8

use super::nal::{
    self, BitReader, Core, NalClass, NalCounters, NalError, NalFormat, NalPolicies, PacketSyntax,
    Syntax,
};
use super::{
    DepacketizeError, DepacketizerLimits, Frame, PacketizeError, Packetizer, Payload, RtpPacket,
};
use bytes::{BufMut, Bytes, BytesMut};

/// NAL unit type of an IDR slice.
pub const NAL_IDR: u8 = 5;
/// NAL unit type of an SEI message.
pub const NAL_SEI: u8 = 6;
/// NAL unit type of a sequence parameter set.
pub const NAL_SPS: u8 = 7;
/// NAL unit type of a picture parameter set.
pub const NAL_PPS: u8 = 8;
/// RTP packet type STAP-A ([RFC 6184 §5.7.1](https://www.rfc-editor.org/rfc/rfc6184#section-5.7.1)).
pub const STAP_A: u8 = 24;
/// RTP packet type FU-A ([RFC 6184 §5.8](https://www.rfc-editor.org/rfc/rfc6184#section-5.8)).
pub const FU_A: u8 = 28;

/// The `packetization-mode` fmtp parameter ([RFC 6184 §6.2](https://www.rfc-editor.org/rfc/rfc6184#section-6.2)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PacketizationMode {
    /// Mode 0 (the default when the parameter is absent): single NAL unit packets only.
    #[default]
    SingleNalUnit,
    /// Mode 1: single NAL units, STAP-A and FU-A.
    NonInterleaved,
    /// Mode 2: STAP-B, MTAP and FU-B with decoding order numbers (not supported).
    Interleaved,
}

impl PacketizationMode {
    /// The mode for an fmtp value (`0`, `1`, `2`).
    pub fn from_value(v: u8) -> Option<PacketizationMode> {
        match v {
            0 => Some(PacketizationMode::SingleNalUnit),
            1 => Some(PacketizationMode::NonInterleaved),
            2 => Some(PacketizationMode::Interleaved),
            _ => None,
        }
    }
}

/// What to do with STAP-A and FU-A packets under `packetization-mode=0`, which allows
/// single NAL unit packets only.
///
/// **Background:** some cameras advertise mode 0 (or no mode) and send FU-A and STAP-A
/// anyway (gortsplib #1092, MediaMTX #5887).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ModeViolationPolicy {
    /// Depacketize them (counted in [`NalCounters::packetization_mode_violations`]). The
    /// default.
    #[default]
    Accept,
    /// Reject them with [`DepacketizeError::Unsupported`].
    Reject,
}

/// Configuration of an [`H264Depacketizer`]: the SDP's fmtp parameters ([RFC 6184
/// §8.1](https://www.rfc-editor.org/rfc/rfc6184#section-8.1)), the output format, limits and
/// policies.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct H264Config {
    /// `packetization-mode`.
    pub packetization_mode: PacketizationMode,
    /// `profile-level-id`: profile_idc, constraint flags, level_idc.
    pub profile_level_id: Option<[u8; 3]>,
    /// `sprop-parameter-sets`: comma-separated base64 SPS and PPS. Invalid entries (bad
    /// base64, a wrong NAL unit header) are skipped, an Annex B start code in front is
    /// tolerated, and the depacketizer falls back to in-band parameter sets; see
    /// [`H264Depacketizer::sprop_error`].
    ///
    /// **Background:** VStarcam ("bad NAL header", retina #42) and V380 cameras (retina
    /// #68, #108) send invalid or Annex-B-prefixed parameter sets (retina 0.3.5, gortsplib
    /// `pkg/format/h264.go`).
    pub sprop_parameter_sets: Option<String>,
    /// The stream's RTP payload type; `None` takes the first packet's.
    pub payload_type: Option<u8>,
    /// How NAL units are framed in [`Frame::data`].
    pub output: NalFormat,
    /// Bounds on buffering.
    pub limits: DepacketizerLimits,
    /// Policies shared with H.265.
    pub policies: NalPolicies,
    /// STAP-A/FU-A under `packetization-mode=0`.
    pub mode_violation: ModeViolationPolicy,
}

impl H264Config {
    /// A configuration from an `a=fmtp` parameter string (the part after the payload
    /// type), parsed leniently: unknown or malformed parameters are ignored, spaces after
    /// `;` and a trailing `;` are accepted.
    pub fn from_fmtp(fmtp: &str) -> H264Config {
        let mut c = H264Config::default();
        for (k, v) in nal::fmtp_params(fmtp) {
            if k.eq_ignore_ascii_case("packetization-mode") {
                if let Some(m) = v.parse().ok().and_then(PacketizationMode::from_value) {
                    c.packetization_mode = m;
                }
            } else if k.eq_ignore_ascii_case("sprop-parameter-sets") {
                c.sprop_parameter_sets = Some(v.to_owned());
            } else if k.eq_ignore_ascii_case("profile-level-id") {
                c.profile_level_id = parse_profile_level_id(v);
            }
        }
        c
    }
}

fn parse_profile_level_id(v: &str) -> Option<[u8; 3]> {
    if v.len() != 6 {
        return None;
    }
    let n = u32::from_str_radix(v, 16).ok()?;
    let [_, a, b, c] = n.to_be_bytes();
    Some([a, b, c])
}

/// Decodes `sprop-parameter-sets` into (SPS, PPS) lists; entries that are not valid are
/// skipped and the first problem is returned beside them.
pub fn parse_sprop_parameter_sets(value: &str) -> (Vec<Bytes>, Vec<Bytes>, Option<NalError>) {
    let mut sps = Vec::new();
    let mut pps = Vec::new();
    let mut error = None;
    for item in value.split(',').filter(|s| !s.trim().is_empty()) {
        match nal::decode_sprop_item(item) {
            Ok(units) => {
                for unit in units {
                    match unit.first().map(|h| (h & 0x80, h & 0x1f)) {
                        Some((0, NAL_SPS)) => sps.push(unit),
                        Some((0, NAL_PPS)) => pps.push(unit),
                        _ => {
                            error.get_or_insert(NalError::Invalid("sprop NAL unit header"));
                        }
                    }
                }
            }
            Err(e) => {
                error.get_or_insert(e);
            }
        }
    }
    (sps, pps, error)
}

#[derive(Debug)]
pub(crate) struct H264Syntax;

impl Syntax for H264Syntax {
    const HDR_LEN: usize = 1;
    fn nal_type(head: [u8; 2]) -> u8 {
        head[0] & 0x1f
    }
    fn class(t: u8) -> NalClass {
        match t {
            1..=4 => NalClass::Vcl { key: false },
            NAL_IDR => NalClass::Vcl { key: true },
            NAL_SPS => NalClass::Param(1),
            NAL_PPS => NalClass::Param(2),
            _ => NalClass::Other,
        }
    }
}

/// Depacketizes H.264 ([RFC 6184]) into access units.
///
/// Each [`Frame`] is one access unit: its NAL units in [`H264Config::output`] format, the
/// RTP timestamp, `keyframe` when it holds an IDR slice, and `loss` when packets were
/// missing since the previous frame. An access unit ends at the marker bit (see
/// [`MarkerPolicy`](super::nal::MarkerPolicy)) or at a change of timestamp; SEI and
/// parameter sets without a picture are carried into the next access unit. Loss inside
/// an access unit drops it whole. Frames before the first IDR are delivered with
/// `keyframe == false` unless [`PreKeyframePolicy::Drop`](super::nal::PreKeyframePolicy)
/// is set.
///
/// Memory: packet payloads are kept as references until the access unit is complete, then
/// copied once into the frame (one allocation per frame, none per packet once the internal
/// lists have grown).
///
/// [RFC 6184]: https://www.rfc-editor.org/rfc/rfc6184
#[derive(Debug)]
pub struct H264Depacketizer {
    core: Core<H264Syntax>,
    mode: PacketizationMode,
    mode_violation: ModeViolationPolicy,
    profile_level_id: Option<[u8; 3]>,
    sprop_error: Option<NalError>,
}

impl H264Depacketizer {
    /// A depacketizer for one stream.
    pub fn new(config: H264Config) -> H264Depacketizer {
        let mut core = Core::new(
            config.output,
            config.limits,
            config.policies,
            config.payload_type,
        );
        let mut sprop_error = None;
        if let Some(sprop) = &config.sprop_parameter_sets {
            let (sps, pps, err) = parse_sprop_parameter_sets(sprop);
            sprop_error = err;
            if let Some(s) = sps.into_iter().next() {
                core.set_param(1, s);
            }
            if let Some(p) = pps.into_iter().next() {
                core.set_param(2, p);
            }
        }
        H264Depacketizer {
            core,
            mode: config.packetization_mode,
            mode_violation: config.mode_violation,
            profile_level_id: config.profile_level_id,
            sprop_error,
        }
    }

    /// The current sequence parameter set (NAL unit, header included, no start code):
    /// from `sprop-parameter-sets` or the latest in-band one.
    pub fn sps(&self) -> Option<&Bytes> {
        self.core.params[1].as_ref()
    }

    /// The current picture parameter set.
    pub fn pps(&self) -> Option<&Bytes> {
        self.core.params[2].as_ref()
    }

    /// The current SPS, parsed; `None` if there is none yet.
    pub fn sps_info(&self) -> Option<Result<H264Sps, NalError>> {
        self.sps().map(|s| H264Sps::parse(s))
    }

    /// A number that changes whenever the SPS or PPS changes (to rebuild a decoder or an
    /// `avcC` record).
    pub fn parameters_generation(&self) -> u64 {
        self.core.generation
    }

    /// The `AVCDecoderConfigurationRecord` (`avcC`, ISO/IEC 14496-15 §5.3.3) for the
    /// current SPS and PPS, with four-byte NAL unit lengths, as MP4 muxers need with
    /// [`NalFormat::LengthPrefixed`] output. `None` until both are known.
    pub fn avc_decoder_config(&self) -> Option<Bytes> {
        avc_decoder_config(self.sps()?, self.pps()?).ok()
    }

    /// The `profile-level-id` of the configuration.
    pub fn profile_level_id(&self) -> Option<[u8; 3]> {
        self.profile_level_id
    }

    /// The first problem found in `sprop-parameter-sets`, whose bad entries were skipped.
    pub fn sprop_error(&self) -> Option<&NalError> {
        self.sprop_error.as_ref()
    }

    /// What the depacketizer has seen so far.
    pub fn counters(&self) -> NalCounters {
        self.core.counters
    }

    fn check_mode(&mut self, what: &'static str) -> Result<(), DepacketizeError> {
        if self.mode == PacketizationMode::SingleNalUnit {
            self.core.counters.packetization_mode_violations += 1;
            if self.mode_violation == ModeViolationPolicy::Reject {
                return Err(self.core.fail(self.core.unsupported(what)));
            }
        }
        Ok(())
    }

    /// The first two bytes of `payload` when it is a single NAL unit packet.
    fn single_nal_head(&self, payload: &[u8]) -> Option<[u8; 2]> {
        match *payload {
            [b0, b1, ..] if b0 & 0x80 == 0 && matches!(b0 & 0x1f, 1..=23) => Some([b0, b1]),
            _ => None,
        }
    }

    fn parse(&mut self, payload: Bytes) -> Result<(), DepacketizeError> {
        let (b0, b1) = match payload.as_ref() {
            [] => return Err(self.core.fail(self.core.malformed("empty payload"))),
            [b0] => (*b0, None),
            [b0, b1, ..] => (*b0, Some(*b1)),
        };
        if b0 & 0x80 != 0 {
            return Err(self.core.fail(self.core.malformed("NAL unit header F bit")));
        }
        match b0 & 0x1f {
            0..=23 => self.core.single(payload, 0),
            STAP_A => {
                self.check_mode("STAP-A under packetization-mode=0")?;
                self.core.aggregation(payload, 1)
            }
            FU_A => {
                self.check_mode("FU-A under packetization-mode=0")?;
                let Some(h) = b1 else {
                    return Err(self.core.fail(self.core.malformed("FU-A header")));
                };
                // The reserved R bit (0x20) is ignored, as RFC 6184 §5.8 asks.
                let hdr = [(b0 & 0xe0) | (h & 0x1f)];
                self.core
                    .fragment(payload, 2, &hdr, h & 0x80 != 0, h & 0x40 != 0)
            }
            25 => Err(self.core.fail(self.core.unsupported("STAP-B"))),
            26 => Err(self.core.fail(self.core.unsupported("MTAP16"))),
            27 => Err(self.core.fail(self.core.unsupported("MTAP24"))),
            29 => Err(self.core.fail(self.core.unsupported("FU-B"))),
            _ => {
                // 30, 31: reserved, "MUST be ignored" (RFC 6184 §5.2).
                self.core.counters.ignored_packets += 1;
                Ok(())
            }
        }
    }
}

super::nal::nal_depacketizer!(H264Depacketizer);

/// The fields of an H.264 sequence parameter set (H.264 §7.3.2.1.1) that a receiver
/// needs to describe the stream. Parsing stops after the cropping rectangle, so the VUI
/// and any trailing bytes do not matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct H264Sps {
    /// `profile_idc` (66 baseline, 77 main, 100 high, ...).
    pub profile_idc: u8,
    /// The `constraint_set0..5_flag` byte.
    pub constraint_flags: u8,
    /// `level_idc` (30 = level 3.0).
    pub level_idc: u8,
    /// `seq_parameter_set_id`.
    pub sps_id: u32,
    /// `chroma_format_idc` (1 = 4:2:0).
    pub chroma_format_idc: u32,
    /// Luma bit depth.
    pub bit_depth_luma: u32,
    /// Chroma bit depth.
    pub bit_depth_chroma: u32,
    /// Width in pixels, after cropping.
    pub width: u32,
    /// Height in pixels, after cropping.
    pub height: u32,
    /// `frame_mbs_only_flag`.
    pub frame_mbs_only: bool,
}

impl H264Sps {
    /// Parses an SPS NAL unit (header included, emulation prevention still in). Never
    /// panics; bad or truncated bits are an error.
    pub fn parse(nal: &[u8]) -> Result<H264Sps, NalError> {
        match nal.first() {
            Some(h) if h & 0x1f == NAL_SPS => {}
            Some(_) => return Err(NalError::Invalid("SPS NAL unit type")),
            None => return Err(NalError::Truncated("SPS")),
        }
        let rbsp = nal::rbsp(nal.get(1..).unwrap_or_default());
        let mut r = BitReader::new(&rbsp);
        let profile_idc = r.bits(8, "profile_idc")? as u8;
        let constraint_flags = r.bits(8, "constraint_set_flags")? as u8;
        let level_idc = r.bits(8, "level_idc")? as u8;
        let sps_id = r.ue("seq_parameter_set_id")?;
        if sps_id > 31 {
            return Err(NalError::Invalid("seq_parameter_set_id"));
        }
        let mut chroma_format_idc = 1;
        let mut bit_depth_luma = 8;
        let mut bit_depth_chroma = 8;
        if matches!(
            profile_idc,
            100 | 110 | 122 | 244 | 44 | 83 | 86 | 118 | 128 | 138 | 139 | 134 | 135
        ) {
            chroma_format_idc = r.ue("chroma_format_idc")?;
            if chroma_format_idc > 3 {
                return Err(NalError::Invalid("chroma_format_idc"));
            }
            if chroma_format_idc == 3 {
                r.bit("separate_colour_plane_flag")?;
            }
            bit_depth_luma = r
                .ue("bit_depth_luma_minus8")?
                .checked_add(8)
                .filter(|&d| d <= 14)
                .ok_or(NalError::Invalid("bit_depth_luma_minus8"))?;
            bit_depth_chroma = r
                .ue("bit_depth_chroma_minus8")?
                .checked_add(8)
                .filter(|&d| d <= 14)
                .ok_or(NalError::Invalid("bit_depth_chroma_minus8"))?;
            r.bit("qpprime_y_zero_transform_bypass_flag")?;
            if r.bit("seq_scaling_matrix_present_flag")? {
                let lists = if chroma_format_idc == 3 { 12 } else { 8 };
                for i in 0..lists {
                    if r.bit("seq_scaling_list_present_flag")? {
                        skip_scaling_list(&mut r, if i < 6 { 16 } else { 64 })?;
                    }
                }
            }
        }
        let _log2_max_frame_num = r.ue("log2_max_frame_num_minus4")?;
        match r.ue("pic_order_cnt_type")? {
            0 => {
                r.ue("log2_max_pic_order_cnt_lsb_minus4")?;
            }
            1 => {
                r.bit("delta_pic_order_always_zero_flag")?;
                r.se("offset_for_non_ref_pic")?;
                r.se("offset_for_top_to_bottom_field")?;
                let n = r.ue("num_ref_frames_in_pic_order_cnt_cycle")?;
                if n > 255 {
                    return Err(NalError::Invalid("num_ref_frames_in_pic_order_cnt_cycle"));
                }
                for _ in 0..n {
                    r.se("offset_for_ref_frame")?;
                }
            }
            2 => {}
            _ => return Err(NalError::Invalid("pic_order_cnt_type")),
        }
        r.ue("max_num_ref_frames")?;
        r.bit("gaps_in_frame_num_value_allowed_flag")?;
        let width_mbs = r
            .ue("pic_width_in_mbs_minus1")?
            .checked_add(1)
            .ok_or(NalError::Invalid("pic_width_in_mbs_minus1"))?;
        let height_map_units = r
            .ue("pic_height_in_map_units_minus1")?
            .checked_add(1)
            .ok_or(NalError::Invalid("pic_height_in_map_units_minus1"))?;
        let frame_mbs_only = r.bit("frame_mbs_only_flag")?;
        if !frame_mbs_only {
            r.bit("mb_adaptive_frame_field_flag")?;
        }
        r.bit("direct_8x8_inference_flag")?;
        let (mut crop_l, mut crop_r, mut crop_t, mut crop_b) = (0, 0, 0, 0);
        if r.bit("frame_cropping_flag")? {
            crop_l = r.ue("frame_crop_left_offset")?;
            crop_r = r.ue("frame_crop_right_offset")?;
            crop_t = r.ue("frame_crop_top_offset")?;
            crop_b = r.ue("frame_crop_bottom_offset")?;
        }
        let field_factor = if frame_mbs_only { 1 } else { 2 };
        let (crop_x, crop_y) = match chroma_format_idc {
            1 => (2, 2 * field_factor),
            2 => (2, field_factor),
            _ => (1, field_factor),
        };
        let bad = || NalError::Invalid("picture size");
        let full_w = width_mbs.checked_mul(16).ok_or_else(bad)?;
        let full_h = height_map_units
            .checked_mul(16 * field_factor)
            .ok_or_else(bad)?;
        let cut_w = crop_l
            .checked_add(crop_r)
            .and_then(|c| c.checked_mul(crop_x))
            .ok_or_else(bad)?;
        let cut_h = crop_t
            .checked_add(crop_b)
            .and_then(|c| c.checked_mul(crop_y))
            .ok_or_else(bad)?;
        let width = full_w.checked_sub(cut_w).ok_or_else(bad)?;
        let height = full_h.checked_sub(cut_h).ok_or_else(bad)?;
        Ok(H264Sps {
            profile_idc,
            constraint_flags,
            level_idc,
            sps_id,
            chroma_format_idc,
            bit_depth_luma,
            bit_depth_chroma,
            width,
            height,
            frame_mbs_only,
        })
    }
}

fn skip_scaling_list(r: &mut BitReader<'_>, size: usize) -> Result<(), NalError> {
    let mut last = 8i32;
    let mut next = 8i32;
    for _ in 0..size {
        if next != 0 {
            let delta = r.se("delta_scale")?;
            if !(-128..=127).contains(&delta) {
                return Err(NalError::Invalid("delta_scale"));
            }
            next = (last + delta + 256) % 256;
        }
        if next != 0 {
            last = next;
        }
    }
    Ok(())
}

/// Builds an `AVCDecoderConfigurationRecord` (ISO/IEC 14496-15 §5.3.3.1) from one SPS and
/// one PPS (NAL units with header, no start code), with `lengthSizeMinusOne = 3`. For the
/// high profiles the chroma format and bit depth extension is included, read from the
/// SPS.
pub fn avc_decoder_config(sps: &[u8], pps: &[u8]) -> Result<Bytes, NalError> {
    let info = H264Sps::parse(sps)?;
    let (Ok(sps_len), Ok(pps_len)) = (u16::try_from(sps.len()), u16::try_from(pps.len())) else {
        return Err(NalError::Invalid("parameter set length"));
    };
    if pps.first().is_none_or(|h| h & 0x1f != NAL_PPS) {
        return Err(NalError::Invalid("PPS NAL unit type"));
    }
    let (profile, compat, level) = match sps.get(1..4) {
        Some(&[p, c, l]) => (p, c, l),
        _ => return Err(NalError::Truncated("SPS")),
    };
    let mut out = BytesMut::with_capacity(16 + sps.len() + pps.len());
    out.put_u8(1); // configurationVersion
    out.put_u8(profile);
    out.put_u8(compat);
    out.put_u8(level);
    out.put_u8(0xfc | 3); // reserved '111111' + lengthSizeMinusOne
    out.put_u8(0xe0 | 1); // reserved '111' + numOfSequenceParameterSets
    out.put_u16(sps_len);
    out.put_slice(sps);
    out.put_u8(1); // numOfPictureParameterSets
    out.put_u16(pps_len);
    out.put_slice(pps);
    if matches!(profile, 100 | 110 | 122 | 144) {
        out.put_u8(0xfc | (info.chroma_format_idc as u8 & 3));
        out.put_u8(0xf8 | ((info.bit_depth_luma - 8) as u8 & 7));
        out.put_u8(0xf8 | ((info.bit_depth_chroma - 8) as u8 & 7));
        out.put_u8(0); // numOfSequenceParameterSetExt
    }
    Ok(out.freeze())
}

/// Configuration of an [`H264Packetizer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct H264PacketizerConfig {
    /// Largest RTP payload, in bytes (RTP header excluded). Default 1,200.
    pub mtu: usize,
    /// `SingleNalUnit` (NAL units larger than the MTU are an error) or `NonInterleaved`
    /// (the default: STAP-A and FU-A). `Interleaved` is not supported.
    pub packetization_mode: PacketizationMode,
    /// Aggregate small consecutive NAL units (SPS, PPS, SEI) into STAP-A packets (mode 1
    /// only). Default true.
    pub aggregate: bool,
    /// How the frames given to [`Packetizer::packetize`] are framed.
    pub input: NalFormat,
}

impl Default for H264PacketizerConfig {
    fn default() -> H264PacketizerConfig {
        H264PacketizerConfig {
            mtu: 1200,
            packetization_mode: PacketizationMode::NonInterleaved,
            aggregate: true,
            input: NalFormat::AnnexB,
        }
    }
}

/// Splits H.264 access units into RTP payloads ([RFC 6184]): single NAL units, STAP-A for
/// runs of small NAL units, FU-A for NAL units larger than the MTU. The marker bit is set
/// on the access unit's last packet.
///
/// [RFC 6184]: https://www.rfc-editor.org/rfc/rfc6184
#[derive(Debug, Clone)]
pub struct H264Packetizer {
    config: H264PacketizerConfig,
}

impl H264Packetizer {
    /// A packetizer; fails if the MTU cannot hold an FU-A header and one byte, or for the
    /// unsupported interleaved mode.
    pub fn new(config: H264PacketizerConfig) -> Result<H264Packetizer, PacketizeError> {
        if config.mtu < 3 {
            return Err(PacketizeError::MtuTooSmall(config.mtu));
        }
        if config.packetization_mode == PacketizationMode::Interleaved {
            return Err(PacketizeError::InvalidFrame(
                "packetization-mode=2 is not supported",
            ));
        }
        Ok(H264Packetizer { config })
    }
}

struct H264PacketSyntax;

impl PacketSyntax for H264PacketSyntax {
    const HDR_LEN: usize = 1;
    fn aggregation_header(nals: &[&[u8]]) -> [u8; 2] {
        let mut f = 0u8;
        let mut nri = 0u8;
        for n in nals {
            let h = n.first().copied().unwrap_or(0);
            f |= h & 0x80;
            nri = nri.max(h & 0x60);
        }
        [f | nri | STAP_A, 0]
    }
    fn fu_header(hdr: &[u8], start: bool, end: bool) -> [u8; 3] {
        let h = hdr.first().copied().unwrap_or(0);
        let mut fu = h & 0x1f;
        if start {
            fu |= 0x80;
        }
        if end {
            fu |= 0x40;
        }
        [(h & 0xe0) | FU_A, fu, 0]
    }
    fn valid_nal(nal: &[u8]) -> bool {
        matches!(nal.first(), Some(h) if h & 0x80 == 0 && (1..=23).contains(&(h & 0x1f)))
    }
}

impl Packetizer for H264Packetizer {
    fn packetize(
        &mut self,
        timestamp: u32,
        frame: &[u8],
        emit: &mut dyn FnMut(Payload<'_>),
    ) -> Result<(), PacketizeError> {
        let mode1 = self.config.packetization_mode == PacketizationMode::NonInterleaved;
        nal::packetize::<H264PacketSyntax>(
            self.config.input,
            self.config.mtu,
            mode1 && self.config.aggregate,
            mode1,
            timestamp,
            frame,
            emit,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{Depacketizer, FramedPacket};

    /// A packet buffer as a client holds one: a 12-byte RTP header, then `payload`; the
    /// depacketizer's prefix (if it asks for one) written over the header's last 4 bytes.
    /// Returns the packet and its framed buffer.
    fn framed_packet(
        d: &H264Depacketizer,
        seq: u16,
        ts: u32,
        marker: bool,
        payload: &[u8],
    ) -> (FramedPacket, Bytes) {
        let mut buf = BytesMut::zeroed(12);
        buf.put_slice(payload);
        if let Some(p) = d.frame_prefix(payload) {
            buf[8..12].copy_from_slice(&p);
        }
        let framed = buf.freeze().slice(8..);
        let packet = FramedPacket {
            sequence_number: seq,
            timestamp: ts,
            marker,
            payload_type: 96,
            framed: framed.clone(),
        };
        (packet, framed)
    }

    #[test]
    fn framed_single_nal_units_are_returned_in_place_or_copied_when_not_alone() {
        const IDR: &[u8] = &[0x65, 0x88, 0x84, 0x00, 0x21];
        const SLICE: &[u8] = &[0x41, 0x9a, 0x02];
        // Length-prefixed: the prefix is the NAL unit's length; the frame is the buffer.
        let mut d = H264Depacketizer::new(H264Config {
            output: NalFormat::LengthPrefixed,
            ..H264Config::default()
        });
        assert_eq!(d.frame_prefix(IDR), Some([0, 0, 0, 5]));
        assert_eq!(
            d.frame_prefix(&[0x7c, 0x85]),
            None,
            "FU-A is not a frame by itself"
        );
        assert_eq!(d.frame_prefix(&[0x18, 0, 2]), None, "nor is STAP-A");
        assert_eq!(d.frame_prefix(&[]), None);
        let (p, framed) = framed_packet(&d, 1, 0, true, IDR);
        d.push_framed(p).unwrap();
        let f = d.pull().unwrap();
        assert_eq!(f.data.as_ptr(), framed.as_ptr());
        assert_eq!(&f.data[..], &[0, 0, 0, 5, 0x65, 0x88, 0x84, 0x00, 0x21]);

        // Two NAL units in one access unit (no marker on the first): copied, both there.
        let (p, _) = framed_packet(&d, 2, 3000, false, SLICE);
        d.push_framed(p).unwrap();
        let (p, framed) = framed_packet(&d, 3, 3000, true, SLICE);
        d.push_framed(p).unwrap();
        let f = d.pull().unwrap();
        assert_ne!(f.data.as_ptr(), framed.as_ptr());
        assert_eq!(
            &f.data[..],
            &[0, 0, 0, 3, 0x41, 0x9a, 2, 0, 0, 0, 3, 0x41, 0x9a, 2]
        );

        // A buffer whose prefix is not the one asked for: ignored, the frame is copied
        // and correct.
        let (p, _) = framed_packet(&d, 4, 6000, true, SLICE);
        let wrong = Bytes::from_static(&[9, 9, 9, 9, 0x41, 0x9a, 0x02]);
        d.push_framed(FramedPacket {
            framed: wrong.clone(),
            ..p
        })
        .unwrap();
        let f = d.pull().unwrap();
        assert_ne!(f.data.as_ptr(), wrong.as_ptr());
        assert_eq!(&f.data[..], &[0, 0, 0, 3, 0x41, 0x9a, 2]);

        // Annex B with parameter sets to insert before a keyframe: copied, SPS and PPS
        // first.
        let mut d = H264Depacketizer::new(H264Config::from_fmtp(
            "packetization-mode=1;sprop-parameter-sets=Z0LADNoFB+wFqDAwNSgAAAMACAAAAwD0eKFV,aM48gA==",
        ));
        let (p, framed) = framed_packet(&d, 1, 0, true, IDR);
        d.push_framed(p).unwrap();
        let f = d.pull().unwrap();
        assert_ne!(f.data.as_ptr(), framed.as_ptr());
        assert_eq!(nal::annex_b_nal_units(&f.data).count(), 3);
        assert!(f.data.ends_with(IDR));
        // The next one, a non-key slice, goes out in place.
        let (p, framed) = framed_packet(&d, 2, 3000, true, SLICE);
        d.push_framed(p).unwrap();
        let f = d.pull().unwrap();
        assert_eq!(f.data.as_ptr(), framed.as_ptr());
        assert_eq!(&f.data[..], &[0, 0, 0, 1, 0x41, 0x9a, 2]);
    }

    #[test]
    fn sps_of_the_gstreamer_corpus() {
        let (sps, pps, err) =
            parse_sprop_parameter_sets("Z0LADNoFB+wFqDAwNSgAAAMACAAAAwD0eKFV,aM48gA==");
        assert_eq!(err, None);
        let info = H264Sps::parse(&sps[0]).unwrap();
        assert_eq!((info.width, info.height), (320, 240));
        assert_eq!((info.profile_idc, info.level_idc), (66, 12));
        let avcc = avc_decoder_config(&sps[0], &pps[0]).unwrap();
        assert_eq!(&avcc[..6], &[1, 66, 0xc0, 12, 0xff, 0xe1]);
    }

    #[test]
    fn sps_parse_never_panics_on_truncation() {
        let (sps, _, _) = parse_sprop_parameter_sets("Z0LADNoFB+wFqDAwNSgAAAMACAAAAwD0eKFV");
        for n in 0..sps[0].len() {
            let _ = H264Sps::parse(&sps[0][..n]);
        }
    }

    #[test]
    fn fmtp_parsing() {
        let c = H264Config::from_fmtp(
            "packetization-mode=1; sprop-parameter-sets=Z0LADdoFB+wEQAAAAwBAAAAHo8UKqA==,aM48gA==; profile-level-id=42C00D",
        );
        assert_eq!(c.packetization_mode, PacketizationMode::NonInterleaved);
        assert_eq!(c.profile_level_id, Some([0x42, 0xc0, 0x0d]));
        assert!(c.sprop_parameter_sets.is_some());
    }
}
