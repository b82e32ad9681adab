//! H.264/H.265 packetizers: packetize → depacketize is byte-exact (real access units at
//! several MTUs, and property tests on arbitrary NAL unit sequences), payloads respect
//! the MTU, and bad input is refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../fuzz/checks_h26x.rs"]
mod checks_h26x;
#[path = "codec_h26x_util.rs"]
mod util;

use bytes::Bytes;
use proptest::prelude::*;
use rtsp_proto::codec::h264::{
    H264Config, H264Depacketizer, H264Packetizer, H264PacketizerConfig, PacketizationMode,
};
use rtsp_proto::codec::nal::{NalFormat, ParameterSetInsertion, RepeatedParameterSetPolicy};
use rtsp_proto::codec::{Frame, PacketizeError, Packetizer, RtpPacket};

fn real_frames() -> Vec<Frame> {
    let sdp = std::fs::read_to_string(util::data_dir().join("ffmpeg_tcp__gst_h264.sdp")).unwrap();
    let mut c = H264Config::from_fmtp(&util::sdp_fmtp(&sdp));
    c.policies.repeated_parameter_sets = RepeatedParameterSetPolicy::Keep;
    let mut d = H264Depacketizer::new(c);
    let packets = util::read_rtp_txt("ffmpeg_tcp__gst_h264.rtp.txt", "s2c", "0");
    let (mut frames, errors) = util::run(&mut d, &packets);
    assert!(errors.is_empty());
    let mut d = H264Depacketizer::new(H264Config::default());
    let (bunny, errors) = util::run(&mut d, &util::bunny_channel::<2>());
    assert!(errors.is_empty());
    frames.extend(bunny);
    frames
}

fn packetize_all(p: &mut dyn Packetizer, frames: &[Frame], mtu: usize) -> Vec<RtpPacket> {
    let mut out = Vec::new();
    let mut seq = 0u16;
    for f in frames {
        p.packetize(f.timestamp, &f.data, &mut |payload| {
            assert!(payload.len() <= mtu);
            seq = seq.wrapping_add(1);
            out.push(RtpPacket {
                sequence_number: seq,
                timestamp: payload.timestamp,
                marker: payload.marker,
                payload_type: 96,
                payload: payload.to_bytes(),
            });
        })
        .unwrap();
    }
    out
}

#[test]
fn real_access_units_round_trip_at_every_mtu() {
    let frames = real_frames();
    assert!(frames.len() > 200);
    for mtu in [1400, 1200, 500, 64, 7, 3] {
        for aggregate in [true, false] {
            let mut pc = H264PacketizerConfig::default();
            pc.mtu = mtu;
            pc.aggregate = aggregate;
            let mut p = H264Packetizer::new(pc).unwrap();
            let packets = packetize_all(&mut p, &frames, mtu);
            let mut c = H264Config::default();
            c.policies.parameter_sets = ParameterSetInsertion::Never;
            c.policies.repeated_parameter_sets = RepeatedParameterSetPolicy::Keep;
            c.limits.max_fragments = 1 << 20; // one byte per FU-A at mtu 3
            let mut d = H264Depacketizer::new(c);
            let (back, errors) = util::run(&mut d, &packets);
            assert!(errors.is_empty(), "mtu {mtu}: {errors:?}");
            assert_eq!(back.len(), frames.len(), "mtu {mtu}");
            for (a, b) in frames.iter().zip(&back) {
                assert_eq!(a.data, b.data, "mtu {mtu}");
                assert_eq!((a.timestamp, a.keyframe), (b.timestamp, b.keyframe));
            }
        }
    }
}

#[test]
fn length_prefixed_input_round_trips() {
    let frames = real_frames();
    let mut c = H264Config::default();
    c.output = NalFormat::LengthPrefixed;
    c.policies.parameter_sets = ParameterSetInsertion::Never;
    c.policies.repeated_parameter_sets = RepeatedParameterSetPolicy::Keep;
    // Annex B → packets → length-prefixed frames.
    let mut p = H264Packetizer::new(H264PacketizerConfig::default()).unwrap();
    let packets = packetize_all(&mut p, &frames, 1200);
    let mut d = H264Depacketizer::new(c.clone());
    let (avc, _) = util::run(&mut d, &packets);
    // Length-prefixed frames → packets → the same packets.
    let mut pc = H264PacketizerConfig::default();
    pc.input = NalFormat::LengthPrefixed;
    let mut p = H264Packetizer::new(pc).unwrap();
    let again = packetize_all(&mut p, &avc, 1200);
    assert_eq!(packets, again);
}

#[test]
fn small_nal_units_are_aggregated_and_large_ones_fragmented() {
    let sps = b"\x67\x42\xc0\x0c\xda\x05";
    let pps = b"\x68\xce\x3c\x80";
    let mut idr = vec![0x65u8];
    idr.extend((0..3000).map(|i| (i % 250 + 1) as u8));
    let frame = [&[0, 0, 0, 1][..], sps, &[0, 0, 1], pps, &[0, 0, 0, 1], &idr].concat();
    let mut p = H264Packetizer::new(H264PacketizerConfig::default()).unwrap();
    let mut payloads = Vec::new();
    p.packetize(90, &frame, &mut |pl| {
        payloads.push((pl.to_bytes(), pl.marker))
    })
    .unwrap();
    // STAP-A(SPS, PPS), then three FU-A.
    assert_eq!(payloads.len(), 4);
    assert_eq!(payloads[0].0[0] & 0x1f, 24);
    assert_eq!(&payloads[0].0[1..3], &[0, 6]);
    assert_eq!((payloads[1].0[0], payloads[1].0[1]), (0x7c, 0x85));
    assert_eq!((payloads[2].0[0], payloads[2].0[1]), (0x7c, 0x05));
    assert_eq!((payloads[3].0[0], payloads[3].0[1]), (0x7c, 0x45));
    assert_eq!(
        payloads.iter().map(|p| p.1).collect::<Vec<_>>(),
        [false, false, false, true]
    );
    assert!(payloads.iter().all(|p| p.0.len() <= 1200));
}

#[test]
fn packetizer_refuses_bad_input() {
    let mut p = H264Packetizer::new(H264PacketizerConfig::default()).unwrap();
    let mut never = |_: rtsp_proto::codec::Payload<'_>| panic!("nothing may be emitted");
    assert!(matches!(
        p.packetize(0, b"", &mut never),
        Err(PacketizeError::InvalidFrame(_))
    ));
    // A NAL unit with an RTP packet type (STAP-A) or the F bit.
    for bad in [
        &b"\0\0\0\x01\x78\x00"[..],
        b"\0\0\0\x01\x41\x01\0\0\x01\xe5\x01",
    ] {
        assert!(matches!(
            p.packetize(0, bad, &mut never),
            Err(PacketizeError::InvalidFrame(_))
        ));
    }
    let mut pc = H264PacketizerConfig::default();
    pc.mtu = 2;
    assert_eq!(
        H264Packetizer::new(pc).unwrap_err(),
        PacketizeError::MtuTooSmall(2)
    );
    let mut pc = H264PacketizerConfig::default();
    pc.packetization_mode = PacketizationMode::SingleNalUnit;
    pc.mtu = 10;
    let mut p = H264Packetizer::new(pc).unwrap();
    assert!(p
        .packetize(
            0,
            b"\0\0\0\x01\x41\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a",
            &mut never
        )
        .is_err());
    let mut pc = H264PacketizerConfig::default();
    pc.input = NalFormat::LengthPrefixed;
    let mut p = H264Packetizer::new(pc).unwrap();
    assert!(p.packetize(0, b"\0\0\0\x09\x41", &mut never).is_err());
}

fn round_trip_bytes() -> impl Strategy<Value = Vec<u8>> {
    (
        3u16..1600,
        any::<u8>(),
        proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..2500), 1..12),
    )
        .prop_map(|(mtu, opts, nals)| {
            let mut v = mtu.to_be_bytes().to_vec();
            v.push(opts);
            for n in nals {
                v.extend_from_slice(&(n.len() as u16).to_be_bytes());
                v.extend_from_slice(&n);
            }
            v
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn h264_round_trip_is_byte_exact(input in round_trip_bytes()) {
        checks_h26x::h264_round_trip(&input);
    }

    #[test]
    fn h265_round_trip_is_byte_exact(input in round_trip_bytes()) {
        checks_h26x::h265_round_trip(&input);
    }

    /// Any packet sequence: no panic, frames within limits.
    #[test]
    fn depacketizers_survive_arbitrary_packets(input in proptest::collection::vec(any::<u8>(), 0..3000)) {
        checks_h26x::h264_depacketize(&input);
        checks_h26x::h265_depacketize(&input);
    }
}

#[test]
fn payload_gather_list_matches_its_bytes() {
    let mut p = H264Packetizer::new(H264PacketizerConfig::default()).unwrap();
    let frame = b"\0\0\0\x01\x67\x42\0\0\0\x01\x68\xce\0\0\0\x01\x65\x88";
    p.packetize(1, frame, &mut |pl| {
        assert_eq!(
            pl.to_bytes(),
            Bytes::from_static(b"\x78\x00\x02\x67\x42\x00\x02\x68\xce\x00\x02\x65\x88")
        );
        assert!(pl.marker);
    })
    .unwrap();
}
