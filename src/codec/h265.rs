//! H.265 (HEVC) over RTP, [RFC 7798]: a depacketizer that turns RTP packets into whole
//! access units, and a packetizer that splits access units into RTP payloads.
//!
//! Supported packet types ([RFC 7798 §4.4]): single NAL unit packets (types 0–47),
//! aggregation packets (48, [§4.4.2]) and fragmentation units (49, [§4.4.3]), without
//! decoding order numbers. A stream with `sprop-max-don-diff` > 0 (DONL/DOND fields) and
//! PACI packets (50) are rejected with [`DepacketizeError::Unsupported`]; the reserved
//! types 51–63 are ignored.
//!
//! The access-unit rules, loss handling, limits and policies are those of the H.264
//! depacketizer ([`super::h264`]); see [`NalPolicies`]. A keyframe is an access unit with
//! an IRAP picture (NAL unit types 16–23: BLA, IDR, CRA).
//!
//! [RFC 7798]: https://www.rfc-editor.org/rfc/rfc7798
//! [RFC 7798 §4.4]: https://www.rfc-editor.org/rfc/rfc7798#section-4.4
//! [§4.4.2]: https://www.rfc-editor.org/rfc/rfc7798#section-4.4.2
//! [§4.4.3]: https://www.rfc-editor.org/rfc/rfc7798#section-4.4.3

use super::nal::{
    self, BitReader, Core, NalClass, NalCounters, NalError, NalFormat, NalPolicies, PacketSyntax,
    StartCodePolicy, Syntax,
};
use super::{
    DepacketizeError, DepacketizerLimits, Frame, PacketizeError, Packetizer, Payload, RtpPacket,
};
use bytes::{BufMut, Bytes, BytesMut};

/// NAL unit type of a video parameter set.
pub const NAL_VPS: u8 = 32;
/// NAL unit type of a sequence parameter set.
pub const NAL_SPS: u8 = 33;
/// NAL unit type of a picture parameter set.
pub const NAL_PPS: u8 = 34;
/// RTP packet type: aggregation packet ([RFC 7798 §4.4.2](https://www.rfc-editor.org/rfc/rfc7798#section-4.4.2)).
pub const AP: u8 = 48;
/// RTP packet type: fragmentation unit ([RFC 7798 §4.4.3](https://www.rfc-editor.org/rfc/rfc7798#section-4.4.3)).
pub const FU: u8 = 49;

/// The NAL unit type of a NAL unit (or RTP payload) header.
pub fn nal_type(header: &[u8]) -> Option<u8> {
    header.first().map(|b| (b >> 1) & 0x3f)
}

/// True for IRAP NAL unit types (16–23), the pictures a decoder can start at.
pub fn is_irap(nal_type: u8) -> bool {
    (16..=23).contains(&nal_type)
}

/// Configuration of an [`H265Depacketizer`]: the SDP's fmtp parameters ([RFC 7798
/// §7.1](https://www.rfc-editor.org/rfc/rfc7798#section-7.1)), the output format, limits
/// and policies.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct H265Config {
    /// `sprop-vps`: base64 VPS NAL units, comma-separated.
    pub sprop_vps: Option<String>,
    /// `sprop-sps`.
    pub sprop_sps: Option<String>,
    /// `sprop-pps`.
    pub sprop_pps: Option<String>,
    /// `sprop-max-don-diff`; greater than 0 means packets carry DONL/DOND fields, which
    /// this depacketizer does not support.
    pub sprop_max_don_diff: u32,
    /// The stream's RTP payload type; `None` takes the first packet's.
    pub payload_type: Option<u8>,
    /// How NAL units are framed in [`Frame::data`].
    pub output: NalFormat,
    /// Bounds on buffering.
    pub limits: DepacketizerLimits,
    /// Policies shared with H.264.
    pub policies: NalPolicies,
}

impl H265Config {
    /// A configuration from an `a=fmtp` parameter string, parsed leniently (unknown or
    /// malformed parameters ignored).
    pub fn from_fmtp(fmtp: &str) -> H265Config {
        let mut c = H265Config::default();
        for (k, v) in nal::fmtp_params(fmtp) {
            let v = Some(v.to_owned());
            match k.to_ascii_lowercase().as_str() {
                "sprop-vps" => c.sprop_vps = v,
                "sprop-sps" => c.sprop_sps = v,
                "sprop-pps" => c.sprop_pps = v,
                "sprop-max-don-diff" => {
                    c.sprop_max_don_diff = v.and_then(|v| v.parse().ok()).unwrap_or(0);
                }
                _ => {}
            }
        }
        c
    }
}

#[derive(Debug)]
pub(crate) struct H265Syntax;

impl Syntax for H265Syntax {
    const HDR_LEN: usize = 2;
    fn nal_type(head: [u8; 2]) -> u8 {
        (head[0] >> 1) & 0x3f
    }
    fn class(t: u8) -> NalClass {
        match t {
            0..=31 => NalClass::Vcl { key: is_irap(t) },
            NAL_VPS => NalClass::Param(0),
            NAL_SPS => NalClass::Param(1),
            NAL_PPS => NalClass::Param(2),
            _ => NalClass::Other,
        }
    }
}

/// Depacketizes H.265 ([RFC 7798]) into access units.
///
/// Each [`Frame`] is one access unit in [`H265Config::output`] format, with `keyframe`
/// when it holds an IRAP picture. Everything else (boundaries, loss, limits, policies,
/// memory) works as in [`H264Depacketizer`](super::h264::H264Depacketizer).
///
/// [RFC 7798]: https://www.rfc-editor.org/rfc/rfc7798
#[derive(Debug)]
pub struct H265Depacketizer {
    core: Core<H265Syntax>,
    don: bool,
    sprop_error: Option<NalError>,
}

impl H265Depacketizer {
    /// A depacketizer for one stream. Invalid `sprop-*` entries are skipped (see
    /// [`H265Depacketizer::sprop_error`]); in-band parameter sets take over.
    pub fn new(config: H265Config) -> H265Depacketizer {
        let mut core = Core::new(
            config.output,
            config.limits,
            config.policies,
            config.payload_type,
        );
        let mut sprop_error = None;
        for (kind, value, want) in [
            (0, &config.sprop_vps, NAL_VPS),
            (1, &config.sprop_sps, NAL_SPS),
            (2, &config.sprop_pps, NAL_PPS),
        ] {
            let Some(value) = value else { continue };
            let mut found = false;
            for item in value.split(',').filter(|s| !s.trim().is_empty()) {
                match nal::decode_sprop_item(item) {
                    Ok(units) => {
                        for u in units {
                            if !found && u.len() >= 2 && nal_type(&u) == Some(want) {
                                core.set_param(kind, u);
                                found = true;
                            } else if nal_type(&u) != Some(want) {
                                sprop_error
                                    .get_or_insert(NalError::Invalid("sprop NAL unit header"));
                            }
                        }
                    }
                    Err(e) => {
                        sprop_error.get_or_insert(e);
                    }
                }
            }
        }
        H265Depacketizer {
            core,
            don: config.sprop_max_don_diff > 0,
            sprop_error,
        }
    }

    /// The current video parameter set (NAL unit, header included).
    pub fn vps(&self) -> Option<&Bytes> {
        self.core.params[0].as_ref()
    }

    /// The current sequence parameter set.
    pub fn sps(&self) -> Option<&Bytes> {
        self.core.params[1].as_ref()
    }

    /// The current picture parameter set.
    pub fn pps(&self) -> Option<&Bytes> {
        self.core.params[2].as_ref()
    }

    /// The current SPS, parsed; `None` if there is none yet.
    pub fn sps_info(&self) -> Option<Result<H265Sps, NalError>> {
        self.sps().map(|s| H265Sps::parse(s))
    }

    /// A number that changes whenever a parameter set changes.
    pub fn parameters_generation(&self) -> u64 {
        self.core.generation
    }

    /// The `HEVCDecoderConfigurationRecord` (`hvcC`, ISO/IEC 14496-15 §8.3.3) for the
    /// current VPS, SPS and PPS, with four-byte NAL unit lengths. `None` until all three
    /// are known (or if the SPS does not parse).
    pub fn hevc_decoder_config(&self) -> Option<Bytes> {
        hevc_decoder_config(self.vps()?, self.sps()?, self.pps()?).ok()
    }

    /// The first problem found in the `sprop-*` parameters.
    pub fn sprop_error(&self) -> Option<&NalError> {
        self.sprop_error.as_ref()
    }

    /// What the depacketizer has seen so far.
    pub fn counters(&self) -> NalCounters {
        self.core.counters
    }

    /// The payload header when `payload` is a single NAL unit packet (without DONL).
    fn single_nal_head(&self, payload: &[u8]) -> Option<[u8; 2]> {
        match *payload {
            [b0, b1, ..]
                if !self.don && b0 & 0x80 == 0 && b1 & 0x07 != 0 && (b0 >> 1) & 0x3f <= 47 =>
            {
                Some([b0, b1])
            }
            _ => None,
        }
    }

    fn parse(&mut self, payload: Bytes) -> Result<(), DepacketizeError> {
        if self.core.policies.start_codes == StartCodePolicy::Split
            && (payload.starts_with(&[0, 0, 1]) || payload.starts_with(&[0, 0, 0, 1]))
        {
            // A whole Annex B stream in one payload (QUIRKS 43; see StartCodePolicy).
            return self.core.single(payload, 0);
        }
        let Some((&[b0, b1], _)) = payload.split_first_chunk::<2>() else {
            return Err(self.core.fail(self.core.malformed("payload header")));
        };
        if b0 & 0x80 != 0 {
            return Err(self.core.fail(self.core.malformed("payload header F bit")));
        }
        if b1 & 0x07 == 0 {
            return Err(self.core.fail(self.core.malformed("payload header TID")));
        }
        let t = (b0 >> 1) & 0x3f;
        if self.don && t <= FU {
            return Err(self
                .core
                .fail(self.core.unsupported("DONL (sprop-max-don-diff > 0)")));
        }
        match t {
            0..=47 => self.core.single(payload, 0),
            AP => self.core.aggregation(payload, 2),
            FU => {
                let Some(&h) = payload.get(2) else {
                    return Err(self.core.fail(self.core.malformed("FU header")));
                };
                let hdr = [(b0 & 0x81) | ((h & 0x3f) << 1), b1];
                self.core
                    .fragment(payload, 3, &hdr, h & 0x80 != 0, h & 0x40 != 0)
            }
            50 => Err(self.core.fail(self.core.unsupported("PACI packet"))),
            _ => {
                self.core.counters.ignored_packets += 1;
                Ok(())
            }
        }
    }
}

super::nal::nal_depacketizer!(H265Depacketizer);

/// The fields of an H.265 sequence parameter set (H.265 §7.3.2.2) a receiver needs to
/// describe the stream and build an `hvcC`. Parsing stops after the bit depths, so
/// scaling lists, reference picture sets and VUI (where cameras put bad bits, QUIRKS
/// 35) are never read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct H265Sps {
    /// `general_profile_space`.
    pub profile_space: u8,
    /// `general_tier_flag`.
    pub tier: bool,
    /// `general_profile_idc` (1 Main, 2 Main 10, ...).
    pub profile_idc: u8,
    /// `general_profile_compatibility_flag[0..32]`.
    pub profile_compatibility: u32,
    /// The 48 constraint indicator bits.
    pub constraint_flags: u64,
    /// `general_level_idc` (30 × level, e.g. 93 = level 3.1).
    pub level_idc: u8,
    /// `sps_max_sub_layers_minus1 + 1`.
    pub max_sub_layers: u8,
    /// `sps_temporal_id_nesting_flag`.
    pub temporal_id_nesting: bool,
    /// `chroma_format_idc`.
    pub chroma_format_idc: u32,
    /// Luma bit depth.
    pub bit_depth_luma: u32,
    /// Chroma bit depth.
    pub bit_depth_chroma: u32,
    /// Width in pixels, after the conformance window.
    pub width: u32,
    /// Height in pixels, after the conformance window.
    pub height: u32,
}

impl H265Sps {
    /// Parses an SPS NAL unit (two-byte header included, emulation prevention still in).
    /// Never panics; bad or truncated bits are an error.
    pub fn parse(nal: &[u8]) -> Result<H265Sps, NalError> {
        match nal_type(nal) {
            Some(NAL_SPS) => {}
            Some(_) => return Err(NalError::Invalid("SPS NAL unit type")),
            None => return Err(NalError::Truncated("SPS")),
        }
        let rbsp = nal::rbsp(nal.get(2..).unwrap_or_default());
        let mut r = BitReader::new(&rbsp);
        r.bits(4, "sps_video_parameter_set_id")?;
        let max_sub_layers_minus1 = r.bits(3, "sps_max_sub_layers_minus1")? as u8;
        if max_sub_layers_minus1 > 6 {
            return Err(NalError::Invalid("sps_max_sub_layers_minus1"));
        }
        let temporal_id_nesting = r.bit("sps_temporal_id_nesting_flag")?;
        let profile_space = r.bits(2, "general_profile_space")? as u8;
        let tier = r.bit("general_tier_flag")?;
        let profile_idc = r.bits(5, "general_profile_idc")? as u8;
        let profile_compatibility = r.bits(32, "general_profile_compatibility_flags")?;
        let hi = r.bits(16, "general_constraint_flags")?;
        let lo = r.bits(32, "general_constraint_flags")?;
        let constraint_flags = (u64::from(hi) << 32) | u64::from(lo);
        let level_idc = r.bits(8, "general_level_idc")? as u8;
        let mut profile_present = [false; 8];
        let mut level_present = [false; 8];
        for i in 0..usize::from(max_sub_layers_minus1) {
            if let Some(p) = profile_present.get_mut(i) {
                *p = r.bit("sub_layer_profile_present_flag")?;
            }
            if let Some(l) = level_present.get_mut(i) {
                *l = r.bit("sub_layer_level_present_flag")?;
            }
        }
        if max_sub_layers_minus1 > 0 {
            for _ in max_sub_layers_minus1..8 {
                r.skip(2, "reserved_zero_2bits")?;
            }
        }
        for i in 0..usize::from(max_sub_layers_minus1) {
            if profile_present.get(i) == Some(&true) {
                r.skip(88, "sub_layer profile")?;
            }
            if level_present.get(i) == Some(&true) {
                r.skip(8, "sub_layer_level_idc")?;
            }
        }
        let sps_id = r.ue("sps_seq_parameter_set_id")?;
        if sps_id > 15 {
            return Err(NalError::Invalid("sps_seq_parameter_set_id"));
        }
        let chroma_format_idc = r.ue("chroma_format_idc")?;
        if chroma_format_idc > 3 {
            return Err(NalError::Invalid("chroma_format_idc"));
        }
        let mut separate_planes = false;
        if chroma_format_idc == 3 {
            separate_planes = r.bit("separate_colour_plane_flag")?;
        }
        let full_w = r.ue("pic_width_in_luma_samples")?;
        let full_h = r.ue("pic_height_in_luma_samples")?;
        let (mut l, mut rt, mut t, mut b) = (0u32, 0u32, 0u32, 0u32);
        if r.bit("conformance_window_flag")? {
            l = r.ue("conf_win_left_offset")?;
            rt = r.ue("conf_win_right_offset")?;
            t = r.ue("conf_win_top_offset")?;
            b = r.ue("conf_win_bottom_offset")?;
        }
        let bit_depth_luma = r
            .ue("bit_depth_luma_minus8")?
            .checked_add(8)
            .filter(|&d| d <= 16)
            .ok_or(NalError::Invalid("bit_depth_luma_minus8"))?;
        let bit_depth_chroma = r
            .ue("bit_depth_chroma_minus8")?
            .checked_add(8)
            .filter(|&d| d <= 16)
            .ok_or(NalError::Invalid("bit_depth_chroma_minus8"))?;
        let (sub_w, sub_h) = match (chroma_format_idc, separate_planes) {
            (1, _) => (2, 2),
            (2, _) => (2, 1),
            _ => (1, 1),
        };
        let bad = || NalError::Invalid("conformance window");
        let cut_w = l
            .checked_add(rt)
            .and_then(|c| c.checked_mul(sub_w))
            .ok_or_else(bad)?;
        let cut_h = t
            .checked_add(b)
            .and_then(|c| c.checked_mul(sub_h))
            .ok_or_else(bad)?;
        Ok(H265Sps {
            profile_space,
            tier,
            profile_idc,
            profile_compatibility,
            constraint_flags,
            level_idc,
            max_sub_layers: max_sub_layers_minus1 + 1,
            temporal_id_nesting,
            chroma_format_idc,
            bit_depth_luma,
            bit_depth_chroma,
            width: full_w.checked_sub(cut_w).ok_or_else(bad)?,
            height: full_h.checked_sub(cut_h).ok_or_else(bad)?,
        })
    }
}

/// Builds an `HEVCDecoderConfigurationRecord` (ISO/IEC 14496-15 §8.3.3.1) from one VPS,
/// SPS and PPS (NAL units with header, no start code), with `lengthSizeMinusOne = 3`.
/// `min_spatial_segmentation_idc`, `parallelismType`, `avgFrameRate` and
/// `constantFrameRate` are written as 0 (unknown), which the format allows.
pub fn hevc_decoder_config(vps: &[u8], sps: &[u8], pps: &[u8]) -> Result<Bytes, NalError> {
    let info = H265Sps::parse(sps)?;
    if nal_type(vps) != Some(NAL_VPS) {
        return Err(NalError::Invalid("VPS NAL unit type"));
    }
    if nal_type(pps) != Some(NAL_PPS) {
        return Err(NalError::Invalid("PPS NAL unit type"));
    }
    let mut out = BytesMut::with_capacity(32 + vps.len() + sps.len() + pps.len());
    out.put_u8(1);
    out.put_u8((info.profile_space << 6) | (u8::from(info.tier) << 5) | (info.profile_idc & 0x1f));
    out.put_u32(info.profile_compatibility);
    out.put_slice(&info.constraint_flags.to_be_bytes()[2..]);
    out.put_u8(info.level_idc);
    out.put_u16(0xf000); // reserved + min_spatial_segmentation_idc = 0
    out.put_u8(0xfc); // reserved + parallelismType = 0
    out.put_u8(0xfc | (info.chroma_format_idc as u8 & 3));
    out.put_u8(0xf8 | ((info.bit_depth_luma - 8) as u8 & 7));
    out.put_u8(0xf8 | ((info.bit_depth_chroma - 8) as u8 & 7));
    out.put_u16(0); // avgFrameRate
    out.put_u8(((info.max_sub_layers & 7) << 3) | (u8::from(info.temporal_id_nesting) << 2) | 3);
    out.put_u8(3); // numOfArrays
    for (t, nal) in [(NAL_VPS, vps), (NAL_SPS, sps), (NAL_PPS, pps)] {
        let len =
            u16::try_from(nal.len()).map_err(|_| NalError::Invalid("parameter set length"))?;
        out.put_u8(0x80 | t); // array_completeness = 1
        out.put_u16(1);
        out.put_u16(len);
        out.put_slice(nal);
    }
    Ok(out.freeze())
}

/// Configuration of an [`H265Packetizer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct H265PacketizerConfig {
    /// Largest RTP payload, in bytes. Default 1,200.
    pub mtu: usize,
    /// Aggregate small consecutive NAL units into aggregation packets. Default true.
    pub aggregate: bool,
    /// How the frames given to [`Packetizer::packetize`] are framed.
    pub input: NalFormat,
}

impl Default for H265PacketizerConfig {
    fn default() -> H265PacketizerConfig {
        H265PacketizerConfig {
            mtu: 1200,
            aggregate: true,
            input: NalFormat::AnnexB,
        }
    }
}

/// Splits H.265 access units into RTP payloads ([RFC 7798]): single NAL units,
/// aggregation packets for runs of small NAL units, fragmentation units for NAL units
/// larger than the MTU; no DONL. The marker bit is set on the access unit's last packet.
///
/// [RFC 7798]: https://www.rfc-editor.org/rfc/rfc7798
#[derive(Debug, Clone)]
pub struct H265Packetizer {
    config: H265PacketizerConfig,
}

impl H265Packetizer {
    /// A packetizer; fails if the MTU cannot hold an FU's three header bytes and one byte.
    pub fn new(config: H265PacketizerConfig) -> Result<H265Packetizer, PacketizeError> {
        if config.mtu < 4 {
            return Err(PacketizeError::MtuTooSmall(config.mtu));
        }
        Ok(H265Packetizer { config })
    }
}

struct H265PacketSyntax;

impl PacketSyntax for H265PacketSyntax {
    const HDR_LEN: usize = 2;
    fn aggregation_header(nals: &[&[u8]]) -> [u8; 2] {
        let mut f = 0u8;
        let mut layer = 63u8;
        let mut tid = 7u8;
        for n in nals {
            let (b0, b1) = (
                n.first().copied().unwrap_or(0),
                n.get(1).copied().unwrap_or(0),
            );
            f |= b0 & 0x80;
            layer = layer.min(((b0 & 1) << 5) | (b1 >> 3));
            tid = tid.min(b1 & 7);
        }
        [f | (AP << 1) | (layer >> 5), ((layer & 0x1f) << 3) | tid]
    }
    fn fu_header(hdr: &[u8], start: bool, end: bool) -> [u8; 3] {
        let (b0, b1) = (
            hdr.first().copied().unwrap_or(0),
            hdr.get(1).copied().unwrap_or(0),
        );
        let mut fu = (b0 >> 1) & 0x3f;
        if start {
            fu |= 0x80;
        }
        if end {
            fu |= 0x40;
        }
        [(b0 & 0x81) | (FU << 1), b1, fu]
    }
    fn valid_nal(nal: &[u8]) -> bool {
        matches!(nal, [b0, b1, ..] if b0 & 0x80 == 0 && (b0 >> 1) & 0x3f <= 47 && b1 & 7 != 0)
    }
}

impl Packetizer for H265Packetizer {
    fn packetize(
        &mut self,
        timestamp: u32,
        frame: &[u8],
        emit: &mut dyn FnMut(Payload<'_>),
    ) -> Result<(), PacketizeError> {
        nal::packetize::<H265PacketSyntax>(
            self.config.input,
            self.config.mtu,
            self.config.aggregate,
            true,
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

    #[test]
    fn a_framed_single_nal_unit_access_unit_is_returned_in_place() {
        let mut d = H265Depacketizer::new(H265Config::default());
        // An IDR_W_RADL slice (type 19) as a single NAL unit packet.
        let nal = [0x26, 0x01, 0xaf, 0x00, 0x11];
        assert_eq!(d.frame_prefix(&nal), Some([0, 0, 0, 1]));
        assert_eq!(d.frame_prefix(&[0x62, 0x01, 0x93]), None, "FU");
        assert_eq!(d.frame_prefix(&[0x26, 0x00]), None, "TID 0");
        let mut buf = BytesMut::zeroed(12);
        buf.put_slice(&nal);
        buf[8..12].copy_from_slice(&[0, 0, 0, 1]);
        let framed = buf.freeze().slice(8..);
        let packet = FramedPacket {
            sequence_number: 7,
            timestamp: 0,
            marker: true,
            payload_type: 96,
            framed: framed.clone(),
        };
        d.push_framed(packet).unwrap();
        let f = d.pull().unwrap();
        assert!(f.keyframe);
        assert_eq!(f.data.as_ptr(), framed.as_ptr());
        assert_eq!(&f.data[..], &[0, 0, 0, 1, 0x26, 0x01, 0xaf, 0x00, 0x11]);
    }
}
