//! H.265 (RFC 7798): a real x265 stream packetized and depacketized decodes in ffmpeg
//! with the same frame count; aggregation, fragmentation, quirks, loss and parameter
//! sets on synthetic packets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "codec_h26x_util.rs"]
mod util;

use bytes::Bytes;
use rtsp_proto::codec::h265::{
    hevc_decoder_config, H265Config, H265Depacketizer, H265Packetizer, H265PacketizerConfig,
    H265Sps,
};
use rtsp_proto::codec::nal::{annex_b_nal_units, FuTypeChangePolicy};
use rtsp_proto::codec::{DepacketizeError, Depacketizer, Frame, Packetizer, RtpPacket};
use std::process::Command;

fn pkt(seq: u16, ts: u32, marker: bool, payload: &[u8]) -> RtpPacket {
    RtpPacket {
        sequence_number: seq,
        timestamp: ts,
        marker,
        payload_type: 96,
        payload: Bytes::copy_from_slice(payload),
    }
}

fn annex_b(nals: &[&[u8]]) -> Vec<u8> {
    nals.iter()
        .flat_map(|n| [&[0u8, 0, 0, 1][..], n].concat())
        .collect()
}

fn nal_type(n: &[u8]) -> u8 {
    (n[0] >> 1) & 0x3f
}

/// Splits an Annex B H.265 stream into access units (H.265 §7.4.2.4.4): a new one starts
/// at a VPS/SPS/PPS/AUD/prefix SEI or at a slice with `first_slice_segment_in_pic_flag`,
/// once the current one has a picture.
fn access_units(stream: &[u8]) -> Vec<Vec<&[u8]>> {
    let mut aus: Vec<Vec<&[u8]>> = Vec::new();
    let mut has_vcl = false;
    for n in annex_b_nal_units(stream) {
        let t = nal_type(n);
        let first_slice = t < 32 && n.get(2).is_some_and(|b| b & 0x80 != 0);
        let starts = matches!(t, 32..=35 | 39) || first_slice;
        if aus.is_empty() || (starts && has_vcl) {
            aus.push(Vec::new());
            has_vcl = false;
        }
        has_vcl |= t < 32;
        aus.last_mut().unwrap().push(n);
    }
    aus
}

fn x265_available() -> bool {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-encoders"])
        .output();
    let ok = out.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("libx265"));
    if !ok {
        let msg = "x265_stream_round_trips_and_decodes: ffmpeg has no libx265 encoder";
        if std::env::var("RTSP_PROTO_REQUIRE_PEERS").is_ok_and(|v| v == "1") {
            panic!("RTSP_PROTO_REQUIRE_PEERS=1 but {msg}");
        }
        eprintln!("\n!!!!!!!! SKIPPED {msg} !!!!!!!!\n");
    }
    ok
}

#[test]
fn x265_stream_round_trips_and_decodes() {
    if !common::peers::require(
        "x265_stream_round_trips_and_decodes",
        &["ffmpeg", "ffprobe"],
    ) || !x265_available()
    {
        return;
    }
    let dir = util::scratch("h265");
    let src = dir.join("in.h265");
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-f", "lavfi"])
        .args(["-i", "testsrc=size=320x240:rate=15", "-t", "2"])
        .args([
            "-c:v",
            "libx265",
            "-x265-params",
            "keyint=15:log-level=error",
        ])
        .arg(&src)
        .status()
        .unwrap();
    assert!(status.success());
    let stream = std::fs::read(&src).unwrap();
    let aus = access_units(&stream);
    let source_frames = util::ffprobe_frames(&src, "hevc");
    assert_eq!(aus.len(), source_frames);

    let mut p = H265Packetizer::new(H265PacketizerConfig::default()).unwrap();
    let mut packets = Vec::new();
    let mut seq = 1000u16;
    for (i, au) in aus.iter().enumerate() {
        let frame = annex_b(au);
        p.packetize(i as u32 * 6000, &frame, &mut |pl| {
            assert!(pl.len() <= 1200);
            seq = seq.wrapping_add(1);
            packets.push(RtpPacket {
                sequence_number: seq,
                timestamp: pl.timestamp,
                marker: pl.marker,
                payload_type: 96,
                payload: pl.to_bytes(),
            });
        })
        .unwrap();
    }
    let types: std::collections::BTreeSet<u8> =
        packets.iter().map(|p| nal_type(&p.payload)).collect();
    assert!(types.contains(&48) && types.contains(&49), "{types:?}");

    let mut d = H265Depacketizer::new(H265Config::default());
    let (frames, errors) = util::run(&mut d, &packets);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(frames.len(), aus.len());
    for (f, au) in frames.iter().zip(&aus) {
        let got: Vec<&[u8]> = annex_b_nal_units(&f.data).collect();
        assert_eq!(&got, au);
        assert_eq!(
            f.keyframe,
            au.iter().any(|n| (16..=23).contains(&nal_type(n)))
        );
    }
    let keyframes = frames.iter().filter(|f| f.keyframe).count();
    assert!(keyframes >= 2);
    let sps = d.sps_info().unwrap().unwrap();
    assert_eq!((sps.width, sps.height), (320, 240));
    let hvcc = d.hevc_decoder_config().unwrap();
    assert_eq!(hvcc[0], 1);
    assert_eq!(hvcc[22], 3); // three arrays

    let out = dir.join("out.h265");
    util::write_stream(&out, &frames);
    assert_eq!(util::ffprobe_frames(&out, "hevc"), source_frames);
    let errors = util::ffmpeg_decode_errors(&out, "hevc");
    assert!(errors.is_empty(), "ffmpeg: {errors}");
    eprintln!(
        "x265: {} access units ({keyframes} IRAP) -> {} packets -> ffmpeg decoded {source_frames} frames cleanly",
        aus.len(),
        packets.len()
    );

    // Parameter sets out of band, as an SDP would carry them; hvcC from sprop.
    use base64::Engine as _;
    let b64 = |t: u8| {
        let n = aus[0].iter().find(|n| nal_type(n) == t).unwrap();
        base64::engine::general_purpose::STANDARD.encode(n)
    };
    let fmtp = format!(
        "sprop-vps={}; sprop-sps={}; sprop-pps={}",
        b64(32),
        b64(33),
        b64(34)
    );
    let d = H265Depacketizer::new(H265Config::from_fmtp(&fmtp));
    assert!(d.sprop_error().is_none());
    assert_eq!(d.hevc_decoder_config(), Some(hvcc));
    let _ = std::fs::remove_dir_all(&dir);
}

const VPS: &[u8] =
    b"\x40\x01\x0c\x01\xff\xff\x04\x08\x00\x00\x03\x00\x9e\x08\x00\x00\x03\x00\x00\x1e\x95\x98\x09";
// x265 (via ffmpeg testsrc, 64x48): format range extensions profile (4), level 1 (30), 4:4:4.
const SPS: &[u8] = b"\x42\x01\x01\x04\x08\x00\x00\x03\x00\x9e\x08\x00\x00\x03\x00\x00\x1e\x90\x04\x10\x62\xcb\x2b\x35\xc9\x95\xe0\x2d\xc0\x80\x80\x01\x00\x00\x03\x00\x01\x00\x00\x03\x00\x05\x08";
const PPS: &[u8] = b"\x44\x01\xc1\x73\x18\x31\x08\x90";
const IDR: &[u8] = b"\x26\x01\xaf\x06\x1e\x52";
const TRAIL_R: &[u8] = b"\x02\x01\xd0\x11\x22";
const TRAIL_N: &[u8] = b"\x00\x01\xd0\x33";

fn ap(nals: &[&[u8]]) -> Vec<u8> {
    let mut v = vec![0x60, 0x01];
    for n in nals {
        v.extend_from_slice(&(n.len() as u16).to_be_bytes());
        v.extend_from_slice(n);
    }
    v
}

fn fu(nal: &[u8], chunk: usize) -> Vec<Vec<u8>> {
    let pieces: Vec<&[u8]> = nal[2..].chunks(chunk).collect();
    pieces
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut h = nal_type(nal);
            if i == 0 {
                h |= 0x80;
            }
            if i + 1 == pieces.len() {
                h |= 0x40;
            }
            [&[(nal[0] & 0x81) | (49 << 1), nal[1], h][..], p].concat()
        })
        .collect()
}

fn push_all(
    d: &mut H265Depacketizer,
    packets: Vec<RtpPacket>,
) -> (Vec<Frame>, Vec<DepacketizeError>) {
    let (mut frames, mut errors) = (Vec::new(), Vec::new());
    for p in packets {
        if let Err(e) = d.push(p) {
            errors.push(e);
        }
        frames.extend(std::iter::from_fn(|| d.pull()));
    }
    (frames, errors)
}

#[test]
fn sps_fields_and_hvcc() {
    let info = H265Sps::parse(SPS).unwrap();
    assert_eq!((info.width, info.height), (64, 48));
    assert_eq!(
        (info.profile_idc, info.level_idc, info.chroma_format_idc),
        (4, 30, 3)
    );
    let hvcc = hevc_decoder_config(VPS, SPS, PPS).unwrap();
    assert_eq!(&hvcc[..2], &[1, 0x04]);
    assert_eq!(hvcc[12], 30);
    assert_eq!(hvcc[16] & 3, 3);
    for n in 0..SPS.len() {
        let _ = H265Sps::parse(&SPS[..n]);
    }
}

#[test]
fn aggregation_fragmentation_and_keyframes() {
    let mut d = H265Depacketizer::new(H265Config::default());
    let mut packets = vec![pkt(1, 0, false, &ap(&[VPS, SPS, PPS]))];
    for (i, f) in fu(IDR, 2).iter().enumerate() {
        packets.push(pkt(2 + i as u16, 0, i == 1, f));
    }
    packets.push(pkt(4, 3000, true, TRAIL_R));
    let (frames, errors) = push_all(&mut d, packets);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(frames.len(), 2);
    assert_eq!(&frames[0].data[..], &annex_b(&[VPS, SPS, PPS, IDR])[..]);
    assert!(frames[0].keyframe && !frames[1].keyframe);
    assert_eq!(d.vps().map(|v| &v[..]), Some(VPS));
    assert!(d.hevc_decoder_config().is_some());
}

/// QUIRKS 46: a TRAIL_N picture (type 0, header `00 01`) as a single NAL unit packet
/// (Intel N100 + ffmpeg + MediaMTX, retina #123).
#[test]
fn trail_n_single_nal_unit() {
    let mut d = H265Depacketizer::new(H265Config::default());
    let (frames, errors) = push_all(
        &mut d,
        vec![pkt(1, 0, true, TRAIL_N), pkt(2, 1, true, TRAIL_N)],
    );
    assert!(errors.is_empty());
    assert_eq!(frames.len(), 2);
    assert_eq!(&frames[0].data[..], &annex_b(&[TRAIL_N])[..]);
}

#[test]
fn quirks_shared_with_h264() {
    // FU with start and end bits; aggregation packet with padding; glued start codes;
    // no marker; FU type change.
    let mut d = H265Depacketizer::new(H265Config::default());
    let fu_se = [&[49 << 1, 1, 0xc0 | 19][..], &IDR[2..]].concat();
    let mut padded = ap(&[VPS, SPS, PPS]);
    padded.extend_from_slice(&[0, 0]);
    let glued = annex_b(&[TRAIL_R, TRAIL_N]);
    let mut frags = fu(TRAIL_R, 1);
    frags[1][2] &= 0xc0; // type 0 instead of TRAIL_R (1)
    let mut packets = vec![
        pkt(1, 0, false, &padded),
        pkt(2, 0, false, &fu_se),
        pkt(3, 3000, false, &glued),
    ];
    for (i, f) in frags.iter().enumerate() {
        packets.push(pkt(4 + i as u16, 6000, false, f));
    }
    let (frames, errors) = push_all(&mut d, packets);
    d.flush();
    let mut frames = frames;
    frames.extend(std::iter::from_fn(|| d.pull()));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(frames.len(), 3);
    assert_eq!(&frames[0].data[..], &annex_b(&[VPS, SPS, PPS, IDR])[..]);
    assert_eq!(&frames[1].data[..], &glued[..]);
    assert_eq!(&frames[2].data[..], &annex_b(&[TRAIL_R])[..]);
    let c = d.counters();
    assert_eq!(
        (
            c.fu_start_and_end,
            c.padded_aggregation_packets,
            c.glued_nal_units,
            c.fu_type_changes
        ),
        (1, 1, 1, 1)
    );

    let mut cfg = H265Config::default();
    cfg.policies.fu_type_change = FuTypeChangePolicy::Reject;
    let mut d = H265Depacketizer::new(cfg);
    let packets = frags
        .iter()
        .enumerate()
        .map(|(i, f)| pkt(i as u16, 0, false, f))
        .collect();
    let (_, errors) = push_all(&mut d, packets);
    assert_eq!(errors.len(), 1);
}

#[test]
fn loss_in_a_fragmentation_unit_drops_the_access_unit() {
    let mut d = H265Depacketizer::new(H265Config::default());
    let frags = fu(IDR, 1);
    let (frames, errors) = push_all(
        &mut d,
        vec![
            pkt(1, 0, false, &frags[0]),
            pkt(3, 0, true, &frags[2]),
            pkt(4, 3000, true, TRAIL_R),
        ],
    );
    assert!(errors.is_empty());
    assert_eq!(frames.len(), 1);
    assert!(frames[0].loss);
    assert_eq!(&frames[0].data[..], &annex_b(&[TRAIL_R])[..]);
}

#[test]
fn unsupported_and_malformed_packets() {
    let mut d = H265Depacketizer::new(H265Config::from_fmtp("sprop-max-don-diff=2"));
    assert!(matches!(
        d.push(pkt(1, 0, true, TRAIL_R)),
        Err(DepacketizeError::Unsupported { .. })
    ));
    let mut d = H265Depacketizer::new(H265Config::default());
    assert!(matches!(
        d.push(pkt(1, 0, true, &[50 << 1, 1, 0, 0])),
        Err(DepacketizeError::Unsupported {
            what: "PACI packet",
            ..
        })
    ));
    for (seq, bad) in [
        &[][..],
        &[0x02],
        &[0x02, 0x00, 1],
        &[0x82, 0x01, 1],
        &[49 << 1, 1],
    ]
    .into_iter()
    .enumerate()
    {
        assert!(matches!(
            d.push(pkt(2 + seq as u16, 0, true, bad)),
            Err(DepacketizeError::Malformed { .. })
        ));
    }
    assert!(d.push(pkt(7, 0, true, &[55 << 1, 1, 2])).is_ok()); // reserved: ignored
}

#[test]
fn bad_sprop_falls_back_to_in_band() {
    use base64::Engine as _;
    let b64 = |n: &[u8]| base64::engine::general_purpose::STANDARD.encode(n);
    let fmtp = format!(
        "sprop-vps={};sprop-sps=!!bad;sprop-pps={}",
        b64(&annex_b(&[VPS])),
        b64(TRAIL_R)
    );
    let mut d = H265Depacketizer::new(H265Config::from_fmtp(&fmtp));
    assert_eq!(d.vps().map(|v| &v[..]), Some(VPS));
    assert!(d.sps().is_none() && d.pps().is_none());
    assert!(d.sprop_error().is_some());
    let (frames, _) = push_all(
        &mut d,
        vec![
            pkt(1, 0, false, &ap(&[VPS, SPS, PPS])),
            pkt(2, 0, true, IDR),
        ],
    );
    assert!(frames[0].keyframe);
    assert!(d.hevc_decoder_config().is_some());
}
