//! H.264 depacketizer: what real cameras send (QUIRKS.md §3.2 items 34–35, §3.3 items
//! 40–47), loss handling, limits and the packet types it refuses. One test per behaviour.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bytes::Bytes;
use rtsp_proto::codec::h264::{
    H264Config, H264Depacketizer, ModeViolationPolicy, PacketizationMode,
};
use rtsp_proto::codec::nal::{
    annex_b_nal_units, FuTypeChangePolicy, MarkerPolicy, NalFormat, PreKeyframePolicy,
    StartCodePolicy,
};
use rtsp_proto::codec::{DepacketizeError, Depacketizer, DepacketizerLimits, Frame, RtpPacket};

const SPS: &[u8] = b"\x67\x42\xc0\x0c\xda\x05\x07\xec\x05\xa8\x30\x30\x35\x28\x00\x00\x03\x00\x08\x00\x00\x03\x00\xf4\x78\xa1\x55";
const PPS: &[u8] = b"\x68\xce\x3c\x80";
const SEI: &[u8] = b"\x06\x05\x01\x80";
const IDR: &[u8] = b"\x65\x88\x84\x21\xa0";
const P1: &[u8] = b"\x41\x9a\x02\x11";
const P2: &[u8] = b"\x41\x9a\x04\x22";

fn pkt(seq: u16, ts: u32, marker: bool, payload: &[u8]) -> RtpPacket {
    RtpPacket {
        sequence_number: seq,
        timestamp: ts,
        marker,
        payload_type: 96,
        payload: Bytes::copy_from_slice(payload),
    }
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn annex_b(nals: &[&[u8]]) -> Vec<u8> {
    nals.iter()
        .flat_map(|n| [&[0u8, 0, 0, 1][..], n].concat())
        .collect()
}

fn stap_a(nals: &[&[u8]]) -> Vec<u8> {
    let mut v = vec![0x78];
    for n in nals {
        v.extend_from_slice(&(n.len() as u16).to_be_bytes());
        v.extend_from_slice(n);
    }
    v
}

/// FU-A fragments of `nal` with `chunk` bytes of data each.
fn fu_a(nal: &[u8], chunk: usize) -> Vec<Vec<u8>> {
    let body = &nal[1..];
    let pieces: Vec<&[u8]> = body.chunks(chunk).collect();
    pieces
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut h = nal[0] & 0x1f;
            if i == 0 {
                h |= 0x80;
            }
            if i + 1 == pieces.len() {
                h |= 0x40;
            }
            cat(&[&[(nal[0] & 0xe0) | 28, h], p])
        })
        .collect()
}

fn depacketizer() -> H264Depacketizer {
    let mut c = H264Config::default();
    c.packetization_mode = PacketizationMode::NonInterleaved;
    H264Depacketizer::new(c)
}

fn push_all(
    d: &mut H264Depacketizer,
    packets: Vec<RtpPacket>,
) -> (Vec<Frame>, Vec<DepacketizeError>) {
    let mut frames = Vec::new();
    let mut errors = Vec::new();
    for p in packets {
        if let Err(e) = d.push(p) {
            errors.push(e);
        }
        while let Some(f) = d.pull() {
            frames.push(f);
        }
    }
    (frames, errors)
}

fn pull_all(d: &mut H264Depacketizer) -> Vec<Frame> {
    std::iter::from_fn(|| d.pull()).collect()
}

#[test]
fn plain_stream_one_frame_per_marker() {
    let mut d = depacketizer();
    let (frames, errors) = push_all(
        &mut d,
        vec![
            pkt(1, 0, false, &stap_a(&[SPS, PPS])),
            pkt(2, 0, true, IDR),
            pkt(3, 3000, true, P1),
        ],
    );
    assert!(errors.is_empty());
    assert_eq!(frames.len(), 2);
    assert_eq!(&frames[0].data[..], &annex_b(&[SPS, PPS, IDR])[..]);
    assert!(frames[0].keyframe && !frames[1].keyframe);
    assert_eq!((frames[0].timestamp, frames[1].timestamp), (0, 3000));
    assert!(!frames[0].loss && !frames[1].loss);
}

/// QUIRKS 40: FLIR M400 sends no marker bit at all; access units split on timestamp.
#[test]
fn no_marker_bit_splits_on_timestamp_change() {
    let mut d = depacketizer();
    let (frames, errors) = push_all(
        &mut d,
        vec![
            pkt(1, 0, false, SPS),
            pkt(2, 0, false, PPS),
            pkt(3, 0, false, IDR),
            pkt(4, 3000, false, P1),
            pkt(5, 6000, false, P2),
        ],
    );
    assert!(errors.is_empty());
    assert_eq!(frames.len(), 2);
    assert_eq!(&frames[0].data[..], &annex_b(&[SPS, PPS, IDR])[..]);
    assert_eq!(&frames[1].data[..], &annex_b(&[P1])[..]);
    d.flush();
    let last = pull_all(&mut d);
    assert_eq!(last.len(), 1);
    assert_eq!(
        (last[0].timestamp, &last[0].data[..]),
        (6000, &annex_b(&[P2])[..])
    );
}

/// QUIRKS 40: the Ivel LV-IP22IR40DVBL sets the marker on an SEI before the picture.
#[test]
fn marker_on_sei_does_not_end_the_access_unit() {
    let mut d = depacketizer();
    let (frames, errors) = push_all(
        &mut d,
        vec![
            pkt(1, 0, true, SEI),
            pkt(2, 0, true, IDR),
            pkt(3, 3000, true, SEI),
            pkt(4, 3000, true, P1),
        ],
    );
    assert!(errors.is_empty());
    assert_eq!(frames.len(), 2);
    assert_eq!(&frames[0].data[..], &annex_b(&[SEI, IDR])[..]);
    assert_eq!(&frames[1].data[..], &annex_b(&[SEI, P1])[..]);
    assert_eq!(d.counters().markers_without_picture, 2);
}

#[test]
fn marker_policy_ignore_waits_for_the_timestamp() {
    let mut c = H264Config::default();
    c.policies.marker = MarkerPolicy::Ignore;
    let mut d = H264Depacketizer::new(c);
    let (frames, _) = push_all(&mut d, vec![pkt(1, 0, true, IDR), pkt(2, 0, true, IDR)]);
    assert!(frames.is_empty());
    d.flush();
    assert_eq!(&pull_all(&mut d)[0].data[..], &annex_b(&[IDR, IDR])[..]);
}

/// QUIRKS 41: CostarHD sends a whole NAL unit as one FU-A with both S and E set.
#[test]
fn fu_a_with_start_and_end_bits() {
    let mut d = depacketizer();
    let fu = cat(&[&[0x7c, 0xc5], &IDR[1..]]);
    let (frames, errors) = push_all(&mut d, vec![pkt(1, 0, true, &fu)]);
    assert!(errors.is_empty());
    assert_eq!(&frames[0].data[..], &annex_b(&[IDR])[..]);
    assert_eq!(d.counters().fu_start_and_end, 1);
}

/// QUIRKS 42: Tiandy changes the NAL unit type inside one fragmented unit; the reserved
/// bit set in the FU header is ignored.
#[test]
fn fu_type_change_keeps_the_first_type() {
    let frags = fu_a(IDR, 2);
    let mut bad = frags.clone();
    bad[1][1] = (bad[1][1] & 0xe0) | 1 | 0x20; // type 1 and the reserved bit
    let packets = |frags: &[Vec<u8>]| {
        frags
            .iter()
            .enumerate()
            .map(|(i, f)| pkt(i as u16 + 1, 0, i + 1 == frags.len(), f))
            .collect::<Vec<_>>()
    };
    let mut d = depacketizer();
    let (frames, errors) = push_all(&mut d, packets(&bad));
    assert!(errors.is_empty());
    assert_eq!(&frames[0].data[..], &annex_b(&[IDR])[..]);
    assert!(frames[0].keyframe);
    assert_eq!(d.counters().fu_type_changes, 1);

    let mut c = H264Config::default();
    c.policies.fu_type_change = FuTypeChangePolicy::Reject;
    let mut d = H264Depacketizer::new(c);
    let (frames, errors) = push_all(&mut d, packets(&bad));
    assert!(frames.is_empty());
    assert!(matches!(
        errors[..],
        [DepacketizeError::Malformed { seq: 2, .. }]
    ));
}

/// QUIRKS 43: V380 puts a whole Annex B stream (start codes included) in a single NAL
/// unit packet; Amatek and others glue SPS+PPS+IDR with start codes inside one FU-A.
#[test]
fn annex_b_start_codes_inside_payloads_are_split() {
    let glued = annex_b(&[SPS, PPS, IDR]);
    let mut d = depacketizer();
    let (frames, errors) = push_all(&mut d, vec![pkt(1, 0, true, &glued)]);
    assert!(errors.is_empty());
    assert_eq!(&frames[0].data[..], &glued[..]);
    assert!(frames[0].keyframe);
    assert_eq!(d.sps().map(|s| &s[..]), Some(SPS));
    assert_eq!(d.pps().map(|s| &s[..]), Some(PPS));

    // SPS, then PPS and IDR glued behind it with three-byte start codes, fragmented so
    // that a start code straddles two FU-A packets.
    let nal = cat(&[SPS, b"\x00\x00\x01", PPS, b"\x00\x00\x01", IDR]);
    let frags = fu_a(&nal, SPS.len());
    let n = frags.len();
    let packets = frags
        .iter()
        .enumerate()
        .map(|(i, f)| pkt(i as u16 + 1, 0, i + 1 == n, f))
        .collect();
    let mut d = H264Depacketizer::new({
        let mut c = H264Config::default();
        c.output = NalFormat::LengthPrefixed;
        c
    });
    let (frames, errors) = push_all(&mut d, packets);
    assert!(errors.is_empty());
    let mut expected = Vec::new();
    for n in [SPS, PPS, IDR] {
        expected.extend_from_slice(&(n.len() as u32).to_be_bytes());
        expected.extend_from_slice(n);
    }
    assert_eq!(&frames[0].data[..], &expected[..]);
    assert!(frames[0].keyframe);
    assert_eq!(d.counters().glued_nal_units, 1);

    // With the policy off the bytes stay one NAL unit.
    let mut c = H264Config::default();
    c.policies.start_codes = StartCodePolicy::Keep;
    let mut d = H264Depacketizer::new(c);
    let one = cat(&[IDR, b"\x00\x00\x01", P1]);
    let (frames, _) = push_all(&mut d, vec![pkt(1, 0, true, &one)]);
    assert_eq!(annex_b_nal_units(&frames[0].data).count(), 2); // as Annex B is read
    assert_eq!(d.counters().glued_nal_units, 0);
}

/// QUIRKS 44: empty FU fragments (retina #115) are harmless.
#[test]
fn empty_fu_fragments() {
    let mut d = depacketizer();
    let (frames, errors) = push_all(
        &mut d,
        vec![
            pkt(1, 0, false, &[0x7c, 0x85]),
            pkt(2, 0, false, &cat(&[&[0x7c, 0x05], &IDR[1..]])),
            pkt(3, 0, false, &[0x7c, 0x05]),
            pkt(4, 0, true, &[0x7c, 0x45]),
        ],
    );
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(&frames[0].data[..], &annex_b(&[IDR])[..]);
}

/// QUIRKS 44: STAP-A with padding after the last NAL unit (gortsplib test).
#[test]
fn stap_a_with_padding() {
    for padding in [&[0u8][..], &[0, 0], &[0, 0, 0, 0]] {
        let mut d = depacketizer();
        let p = cat(&[&stap_a(&[SPS, PPS, IDR]), padding]);
        let (frames, errors) = push_all(&mut d, vec![pkt(1, 0, true, &p)]);
        assert!(errors.is_empty());
        assert_eq!(&frames[0].data[..], &annex_b(&[SPS, PPS, IDR])[..]);
        assert_eq!(d.counters().padded_aggregation_packets, 1);
    }
    // A size running past the end is malformed, not padding.
    let mut d = depacketizer();
    let mut p = stap_a(&[SPS]);
    p.extend_from_slice(&[0x00, 0x09, 0x65]);
    let (frames, errors) = push_all(&mut d, vec![pkt(1, 0, true, &p)]);
    assert!(frames.is_empty());
    assert!(matches!(
        errors[..],
        [DepacketizeError::Malformed { seq: 1, .. }]
    ));
}

/// QUIRKS 45: FU-A and STAP-A although `packetization-mode=0` (gortsplib #1092).
#[test]
fn fu_a_under_packetization_mode_0() {
    let frags = fu_a(IDR, 2);
    let n = frags.len();
    let packets = || {
        frags
            .iter()
            .enumerate()
            .map(|(i, f)| pkt(i as u16 + 1, 0, i + 1 == n, f))
            .collect::<Vec<_>>()
    };
    let mut d = H264Depacketizer::new(H264Config::from_fmtp("packetization-mode=0"));
    let (frames, errors) = push_all(&mut d, packets());
    assert!(errors.is_empty());
    assert_eq!(&frames[0].data[..], &annex_b(&[IDR])[..]);
    assert_eq!(d.counters().packetization_mode_violations, n as u64);

    let mut c = H264Config::from_fmtp("packetization-mode=0");
    c.mode_violation = ModeViolationPolicy::Reject;
    let mut d = H264Depacketizer::new(c);
    let (frames, errors) = push_all(&mut d, packets());
    assert!(frames.is_empty());
    assert!(matches!(
        errors[0],
        DepacketizeError::Unsupported { seq: 1, .. }
    ));
}

/// QUIRKS 34: invalid (VStarcam) or Annex-B-prefixed (V380) `sprop-parameter-sets`: the
/// good ones are used, the bad ones skipped, and in-band parameter sets take over.
#[test]
fn bad_sprop_parameter_sets_fall_back_to_in_band() {
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    // Annex B prefixed: accepted.
    let prefixed = format!(
        "packetization-mode=1;sprop-parameter-sets={},{}",
        b64(&annex_b(&[SPS])),
        b64(&annex_b(&[PPS]))
    );
    let d = H264Depacketizer::new(H264Config::from_fmtp(&prefixed));
    assert_eq!(d.sps().map(|s| &s[..]), Some(SPS));
    assert_eq!(d.pps().map(|s| &s[..]), Some(PPS));
    assert!(d.sprop_error().is_none());
    assert_eq!(d.sps_info().unwrap().unwrap().width, 320);

    // Garbage base64 and a "bad NAL header": skipped, reported, then in-band wins.
    for bad in [
        "sprop-parameter-sets=!!!notbase64,###",
        "sprop-parameter-sets=AAAA,AAAA",
    ] {
        let mut d = H264Depacketizer::new(H264Config::from_fmtp(bad));
        assert!(d.sps().is_none() && d.sprop_error().is_some());
        assert!(d.avc_decoder_config().is_none());
        let (frames, errors) = push_all(
            &mut d,
            vec![pkt(1, 0, false, &stap_a(&[SPS, PPS])), pkt(2, 0, true, IDR)],
        );
        assert!(errors.is_empty());
        assert_eq!(&frames[0].data[..], &annex_b(&[SPS, PPS, IDR])[..]);
        assert_eq!(d.sps().map(|s| &s[..]), Some(SPS));
        let avcc = d.avc_decoder_config().unwrap();
        assert_eq!(&avcc[..4], &[1, 0x42, 0xc0, 0x0c]);
    }
}

/// QUIRKS 35: SPS with bad bits (extra bytes, truncation, garbage) never panics.
#[test]
fn bad_sps_bits_are_an_error_not_a_panic() {
    use rtsp_proto::codec::h264::H264Sps;
    let mut long = SPS.to_vec();
    long.extend_from_slice(&[0xde, 0xad, 0xbe, 0xef, 0, 0, 0]); // Reolink: extra bytes
    assert_eq!(H264Sps::parse(&long).unwrap().height, 240);
    for n in 0..SPS.len() {
        let _ = H264Sps::parse(&SPS[..n]);
    }
    assert!(H264Sps::parse(b"\x67\x64\x00\x1f\x00\x00\x00").is_err());
    assert!(H264Sps::parse(&[0x67, 100, 0, 31, 0xff, 0xff, 0xff, 0xff]).is_err());
    let mut x = 0x1234_5678u32;
    for _ in 0..2000 {
        let mut v = vec![0x67];
        for _ in 0..(x % 40) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            v.push(x as u8);
        }
        let _ = H264Sps::parse(&v);
    }
}

/// QUIRKS 47: GeoVision sends a PT 50 packet after each IDR that reuses the last
/// sequence number. It is ignored and is not a loss.
#[test]
fn geovision_pt50_packet_is_ignored() {
    let mut d = depacketizer();
    let mut stray = pkt(2, 0, false, b"\x00\x01\x02");
    stray.payload_type = 50;
    let (frames, errors) = push_all(
        &mut d,
        vec![
            pkt(1, 0, false, SPS),
            pkt(2, 0, true, IDR),
            stray,
            pkt(3, 3000, true, P1),
        ],
    );
    assert!(errors.is_empty());
    assert_eq!(frames.len(), 2);
    assert!(frames.iter().all(|f| !f.loss));
    assert_eq!(d.counters().ignored_packets, 1);
    assert_eq!(d.counters().lost_packets, 0);
}

#[test]
fn loss_inside_a_fragmented_unit_drops_the_access_unit_and_flags_the_next_frame() {
    let frags = fu_a(IDR, 1);
    assert_eq!(frags.len(), 4);
    let mut d = depacketizer();
    let (frames, errors) = push_all(
        &mut d,
        vec![
            pkt(1, 0, false, SPS),
            pkt(2, 0, false, &frags[0]),
            pkt(3, 0, false, &frags[1]),
            // 4 is lost
            pkt(5, 0, true, &frags[3]),
            pkt(6, 3000, true, P1),
        ],
    );
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(frames.len(), 1);
    assert_eq!(&frames[0].data[..], &annex_b(&[P1])[..]);
    assert!(frames[0].loss);
    let c = d.counters();
    assert_eq!((c.lost_packets, c.dropped_frames), (1, 1));
}

#[test]
fn loss_between_access_units_drops_nothing() {
    let mut d = depacketizer();
    let (frames, _) = push_all(
        &mut d,
        vec![
            pkt(1, 0, true, IDR),
            pkt(5, 3000, true, P1),
            pkt(6, 6000, true, P2),
        ],
    );
    assert_eq!(frames.len(), 3);
    assert_eq!(
        frames.iter().map(|f| f.loss).collect::<Vec<_>>(),
        [false, true, false]
    );
}

#[test]
fn fragment_without_start_and_fu_without_end_are_malformed() {
    let frags = fu_a(IDR, 1);
    let mut d = depacketizer();
    let (frames, errors) = push_all(
        &mut d,
        vec![
            pkt(1, 0, false, &frags[1]),
            pkt(2, 0, true, &frags[2]),
            pkt(3, 3000, true, P1),
        ],
    );
    assert!(matches!(
        errors[..],
        [DepacketizeError::Malformed { seq: 1, .. }]
    ));
    assert_eq!(frames.len(), 1);
    assert!(frames[0].loss);

    // A start without end, then a single NAL unit of the same access unit.
    let mut d = depacketizer();
    let (frames, errors) = push_all(
        &mut d,
        vec![
            pkt(1, 0, false, &frags[0]),
            pkt(2, 0, true, P1),
            pkt(3, 3000, true, P2),
        ],
    );
    assert!(matches!(
        errors[..],
        [DepacketizeError::Malformed { seq: 2, .. }]
    ));
    assert_eq!(frames.len(), 1);
    assert_eq!(&frames[0].data[..], &annex_b(&[P2])[..]);
    assert!(frames[0].loss);

    // A start without end, then a new timestamp: dropped, flagged.
    let mut d = depacketizer();
    let (frames, errors) = push_all(
        &mut d,
        vec![pkt(1, 0, false, &frags[0]), pkt(2, 3000, true, P1)],
    );
    assert!(errors.is_empty());
    assert_eq!(frames.len(), 1);
    assert!(frames[0].loss);
}

#[test]
fn interleaved_packet_types_are_unsupported_and_reserved_ones_ignored() {
    for (t, what) in [
        (25u8, "STAP-B"),
        (26, "MTAP16"),
        (27, "MTAP24"),
        (29, "FU-B"),
    ] {
        let mut d = depacketizer();
        let err = d
            .push(pkt(7, 0, true, &[0x60 | t, 0x85, 0, 0, 0]))
            .unwrap_err();
        assert_eq!(err, DepacketizeError::Unsupported { seq: 7, what });
    }
    let mut d = depacketizer();
    assert!(d.push(pkt(1, 0, true, &[0x7e, 1, 2])).is_ok());
    assert!(d.push(pkt(2, 0, true, &[0x7f])).is_ok());
    assert_eq!(d.counters().ignored_packets, 2);
    assert!(d.pull().is_none());
    assert!(d.push(pkt(3, 0, true, &[])).is_err());
    assert!(d.push(pkt(4, 0, true, &[0xe5, 1])).is_err()); // F bit
}

#[test]
fn limits_bound_the_frame() {
    let mut c = H264Config::default();
    c.limits = {
        let mut l = DepacketizerLimits::default();
        l.max_frame_size = 1000;
        l.max_fragments = 8;
        l
    };
    let mut d = H264Depacketizer::new(c);
    let big = vec![0x41u8; 600];
    let (frames, errors) = push_all(
        &mut d,
        vec![
            pkt(1, 0, false, &big),
            pkt(2, 0, true, &big),
            pkt(3, 3000, true, P1),
        ],
    );
    assert_eq!(
        errors,
        [DepacketizeError::FrameTooLarge {
            seq: 2,
            limit: "max_frame_size"
        }]
    );
    assert_eq!(frames.len(), 1);
    assert!(frames[0].loss);

    let mut c = H264Config::default();
    c.limits.max_fragments = 8;
    let mut d = H264Depacketizer::new(c);
    let mut packets = vec![pkt(1, 0, false, &[0x7c, 0x85, 1])];
    for i in 2..20 {
        packets.push(pkt(i, 0, false, &[0x7c, 0x05]));
    }
    let (_, errors) = push_all(&mut d, packets);
    assert_eq!(
        errors,
        [DepacketizeError::FrameTooLarge {
            seq: 9,
            limit: "max_fragments"
        }]
    );
}

#[test]
fn frames_before_the_first_keyframe() {
    let packets = || {
        vec![
            pkt(1, 0, true, P1),
            pkt(2, 3000, true, IDR),
            pkt(3, 6000, true, P2),
        ]
    };
    let mut d = depacketizer();
    let (frames, _) = push_all(&mut d, packets());
    assert_eq!(frames.len(), 3);
    assert!(!frames[0].keyframe && frames[1].keyframe);

    let mut c = H264Config::default();
    c.policies.before_keyframe = PreKeyframePolicy::Drop;
    let mut d = H264Depacketizer::new(c);
    let (frames, _) = push_all(&mut d, packets());
    assert_eq!(frames.len(), 2);
    assert!(frames[0].keyframe);
    assert_eq!(d.counters().dropped_frames, 1);
}

#[test]
fn parameter_sets_are_inserted_before_a_bare_keyframe() {
    let fmtp =
        "packetization-mode=1;sprop-parameter-sets=Z0LADNoFB+wFqDAwNSgAAAMACAAAAwD0eKFV,aM48gA==";
    let mut d = H264Depacketizer::new(H264Config::from_fmtp(fmtp));
    let (frames, _) = push_all(&mut d, vec![pkt(1, 0, true, IDR), pkt(2, 3000, true, P1)]);
    assert_eq!(&frames[0].data[..], &annex_b(&[SPS, PPS, IDR])[..]);
    assert_eq!(&frames[1].data[..], &annex_b(&[P1])[..]);

    let mut c = H264Config::from_fmtp(fmtp);
    c.policies.parameter_sets = rtsp_proto::codec::nal::ParameterSetInsertion::Never;
    let mut d = H264Depacketizer::new(c);
    let (frames, _) = push_all(&mut d, vec![pkt(1, 0, true, IDR)]);
    assert_eq!(&frames[0].data[..], &annex_b(&[IDR])[..]);
}

#[test]
fn in_band_parameter_set_change_is_tracked() {
    let mut d = H264Depacketizer::new(H264Config::from_fmtp(
        "sprop-parameter-sets=Z0LADNoFB+wFqDAwNSgAAAMACAAAAwD0eKFV,aM48gA==",
    ));
    let g0 = d.parameters_generation();
    let new_pps = b"\x68\xce\x3c\x81";
    let (_, errors) = push_all(
        &mut d,
        vec![
            pkt(1, 0, false, &stap_a(&[SPS, new_pps])),
            pkt(2, 0, true, IDR),
        ],
    );
    assert!(errors.is_empty());
    assert_eq!(d.pps().map(|p| &p[..]), Some(&new_pps[..]));
    assert_eq!(d.parameters_generation(), g0 + 1);
    assert_eq!(d.counters().parameter_set_changes, 1);
}

#[test]
fn backlog_drops_the_oldest_frame() {
    let mut c = H264Config::default();
    c.limits.max_pending_frames = 2;
    let mut d = H264Depacketizer::new(c);
    assert!(d.push(pkt(1, 0, true, IDR)).is_ok());
    assert!(d.push(pkt(2, 1, true, P1)).is_ok());
    assert_eq!(d.push(pkt(3, 2, true, P2)), Err(DepacketizeError::Backlog));
    let frames = pull_all(&mut d);
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[0].timestamp, 1);
    assert!(frames[0].loss && !frames[1].loss);
}

#[test]
fn loss_skips_the_rest_of_the_access_unit() {
    // A picture in three slices; the middle one is lost. Nothing of it is emitted, not
    // even the slice after the gap.
    let slice = |n: u8| [0x65, 0x88, n];
    let mut d = depacketizer();
    let (frames, errors) = push_all(
        &mut d,
        vec![
            pkt(1, 0, false, &slice(1)),
            pkt(3, 0, true, &slice(3)),
            pkt(4, 3000, true, P1),
        ],
    );
    assert!(errors.is_empty());
    assert_eq!(frames.len(), 1);
    assert_eq!(&frames[0].data[..], &annex_b(&[P1])[..]);
    assert!(frames[0].loss);
}
