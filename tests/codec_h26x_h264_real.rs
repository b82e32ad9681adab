//! H.264 depacketization of real RTP streams (GStreamer's `rtph264pay`, ffmpeg's RTP
//! muxer, Wowza): every access unit comes out whole, and ffmpeg decodes the elementary
//! stream with the expected frame count and no error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "codec_h26x_util.rs"]
mod util;

use rtsp_proto::codec::h264::{H264Config, H264Depacketizer, NAL_IDR};
use rtsp_proto::codec::nal::{annex_b_nal_units, length_prefixed_nal_units, NalFormat};
use rtsp_proto::codec::{Frame, RtpPacket};
use std::collections::BTreeSet;

struct Stream {
    name: &'static str,
    packets: Vec<RtpPacket>,
    fmtp: String,
}

fn corpus(name: &'static str, dir: &str) -> Stream {
    let sdp = std::fs::read_to_string(util::data_dir().join(format!("{name}.sdp"))).unwrap();
    Stream {
        name,
        packets: util::read_rtp_txt(&format!("{name}.rtp.txt"), dir, "0"),
        fmtp: util::sdp_fmtp(&sdp),
    }
}

fn streams() -> Vec<Stream> {
    let bunny_sdp = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/cameras/bunny_describe.txt"),
    )
    .unwrap();
    vec![
        corpus("ffmpeg_tcp__gst_h264", "s2c"),
        corpus("ffmpeg_udp__gst_h264", "s2c"),
        corpus("ffmpeg_tcp__gst_av", "s2c"),
        corpus("ffmpegpub_tcp__gst_record", "c2s"),
        Stream {
            name: "bunny",
            packets: util::bunny_channel::<2>(),
            fmtp: util::sdp_fmtp(&bunny_sdp),
        },
    ]
}

/// Pictures in an Annex B access unit: slices with `first_mb_in_slice == 0` (the first bit
/// of the slice header set). GStreamer's test server puts two IDR pictures under one RTP
/// timestamp at each keyframe, which ffmpeg counts as two frames.
fn pictures(data: &[u8]) -> usize {
    annex_b_nal_units(data)
        .filter(|n| matches!(n[0] & 0x1f, 1..=5) && n.get(1).is_some_and(|b| b & 0x80 != 0))
        .count()
}

fn depacketize(s: &Stream, output: NalFormat) -> Vec<Frame> {
    let mut config = H264Config::from_fmtp(&s.fmtp);
    config.output = output;
    let mut dep = H264Depacketizer::new(config);
    assert!(
        dep.sprop_error().is_none(),
        "{}: {:?}",
        s.name,
        dep.sprop_error()
    );
    let (frames, errors) = util::run(&mut dep, &s.packets);
    assert!(errors.is_empty(), "{}: {errors:?}", s.name);
    let c = dep.counters();
    assert_eq!(c.lost_packets, 0, "{}", s.name);
    assert_eq!(c.dropped_frames, 0, "{}", s.name);
    assert!(dep.avc_decoder_config().is_some());
    frames
}

#[test]
fn every_access_unit_of_real_streams_comes_out_whole() {
    for s in streams() {
        let frames = depacketize(&s, NalFormat::AnnexB);
        let timestamps: BTreeSet<u32> = s.packets.iter().map(|p| p.timestamp).collect();
        assert_eq!(frames.len(), timestamps.len(), "{}", s.name);
        assert!(frames.iter().all(|f| !f.loss), "{}", s.name);
        let keyframes = frames.iter().filter(|f| f.keyframe).count();
        assert!(keyframes >= 1, "{}", s.name);
        for f in &frames {
            let idr = annex_b_nal_units(&f.data).any(|n| n[0] & 0x1f == NAL_IDR);
            assert_eq!(idr, f.keyframe, "{}", s.name);
            // Exactly the framing we promise: four-byte start codes.
            assert!(f.data.starts_with(&[0, 0, 0, 1]));
        }
        eprintln!(
            "{}: {} packets -> {} frames ({} keyframes)",
            s.name,
            s.packets.len(),
            frames.len(),
            keyframes
        );
    }
}

#[test]
fn length_prefixed_output_matches_annex_b() {
    for s in streams() {
        let annex_b = depacketize(&s, NalFormat::AnnexB);
        let avc = depacketize(&s, NalFormat::LengthPrefixed);
        assert_eq!(annex_b.len(), avc.len());
        for (a, b) in annex_b.iter().zip(&avc) {
            let na: Vec<&[u8]> = annex_b_nal_units(&a.data).collect();
            let nb: Vec<&[u8]> = length_prefixed_nal_units(&b.data)
                .map(|r| r.unwrap())
                .collect();
            assert_eq!(na, nb, "{}", s.name);
            assert_eq!((a.timestamp, a.keyframe), (b.timestamp, b.keyframe));
        }
    }
}

#[test]
fn ffmpeg_decodes_depacketized_real_streams() {
    if !common::peers::require(
        "ffmpeg_decodes_depacketized_real_streams",
        &["ffprobe", "ffmpeg"],
    ) {
        return;
    }
    let dir = util::scratch("h264-real");
    for s in streams() {
        let frames = depacketize(&s, NalFormat::AnnexB);
        let path = dir.join(format!("{}.h264", s.name));
        util::write_stream(&path, &frames);
        let decoded = util::ffprobe_frames(&path, "h264");
        let expected: usize = frames.iter().map(|f| pictures(&f.data)).sum();
        assert!(expected >= frames.len());
        assert_eq!(decoded, expected, "{}: ffprobe frame count", s.name);
        let errors = util::ffmpeg_decode_errors(&path, "h264");
        assert!(errors.is_empty(), "{}: ffmpeg errors: {errors}", s.name);
        eprintln!(
            "{}: {} access units, ffmpeg decoded {decoded} pictures cleanly",
            s.name,
            frames.len()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_lost_packet_drops_exactly_its_access_unit() {
    let s = corpus("ffmpeg_tcp__gst_h264", "s2c");
    let whole = depacketize(&s, NalFormat::AnnexB);
    // Drop one packet in the middle of each FU-A fragmented access unit, in turn.
    let fu_middles: Vec<usize> = s
        .packets
        .iter()
        .enumerate()
        .filter(|(_, p)| p.payload[0] & 0x1f == 28 && p.payload[1] & 0xc0 == 0)
        .map(|(i, _)| i)
        .collect();
    assert!(fu_middles.len() > 10);
    for &lost in fu_middles.iter().step_by(7) {
        let mut packets = s.packets.clone();
        let gone = packets.remove(lost);
        let mut d = H264Depacketizer::new(H264Config::from_fmtp(&s.fmtp));
        let (frames, errors) = util::run(&mut d, &packets);
        assert!(errors.is_empty());
        assert_eq!(frames.len(), whole.len() - 1);
        assert!(frames.iter().all(|f| f.timestamp != gone.timestamp));
        for f in &frames {
            let w = whole.iter().find(|w| w.timestamp == f.timestamp).unwrap();
            assert_eq!(w.data, f.data, "emitted frames are never partial");
            let after_gap = whole
                .iter()
                .position(|w| w.timestamp == gone.timestamp)
                .and_then(|i| whole.get(i + 1))
                .is_some_and(|n| n.timestamp == f.timestamp);
            assert_eq!(f.loss, after_gap);
        }
        assert_eq!(d.counters().lost_packets, 1);
    }
}
