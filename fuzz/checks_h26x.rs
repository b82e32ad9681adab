//! Checks for the H.264/H.265 fuzz targets, in plain Rust so that `cargo test` replays
//! the corpora through the same code (`tests/codec_h26x_fuzz_corpus.rs`).
//!
//! Input layouts:
//! - `*_depacketize`: a sequence of packets, each `flags:u8 len:u16be payload[len]`
//!   (a short tail is taken as it is). `flags` bit 0 = marker, bits 1–2 = sequence number
//!   step (0 repeats the last number, 1 is the next, 2 and 3 skip), bit 3 = new
//!   timestamp, bit 4 = payload type 50 instead of 96.
//! - `*_round_trip`: `mtu:u16be opts:u8` then NAL units, each `len:u16be bytes[len]`;
//!   each becomes a valid NAL unit (header fixed up, emulation prevention added) and
//!   `opts` bit 7 starts a new access unit before each unit whose first byte is odd.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use bytes::{BufMut, Bytes, BytesMut};
use rtsp_proto::codec::h264::{
    H264Config, H264Depacketizer, H264Packetizer, H264PacketizerConfig, PacketizationMode,
};
use rtsp_proto::codec::h265::{H265Config, H265Depacketizer, H265Packetizer, H265PacketizerConfig};
use rtsp_proto::codec::nal::{
    add_emulation_prevention, annex_b_nal_units, length_prefixed_nal_units, NalFormat,
    ParameterSetInsertion, RepeatedParameterSetPolicy,
};
use rtsp_proto::codec::{
    Depacketizer, DepacketizerLimits, Frame, FramedPacket, Packetizer, RtpPacket,
};

fn limits() -> DepacketizerLimits {
    let mut l = DepacketizerLimits::default();
    l.max_frame_size = 64 * 1024;
    l.max_fragments = 64;
    l.max_pending_frames = 4;
    l
}

fn packets(data: &[u8]) -> Vec<RtpPacket> {
    let mut out = Vec::new();
    let mut rest = data;
    let mut seq = 0u16;
    let mut ts = 0u32;
    while let Some((&flags, tail)) = rest.split_first() {
        let (len, tail) = match tail {
            [a, b, t @ ..] => (usize::from(u16::from_be_bytes([*a, *b])), t),
            t => (t.len(), &[][..]),
        };
        let (payload, tail) = tail.split_at(len.min(tail.len()));
        rest = tail;
        seq = seq.wrapping_add(u16::from((flags >> 1) & 3));
        if flags & 8 != 0 {
            ts = ts.wrapping_add(3000);
        }
        out.push(RtpPacket {
            sequence_number: seq,
            timestamp: ts,
            marker: flags & 1 != 0,
            payload_type: if flags & 16 != 0 { 50 } else { 96 },
            payload: Bytes::copy_from_slice(payload),
        });
    }
    out
}

fn check_frames(frames: &[Frame], limits: DepacketizerLimits, pending_ok: bool) {
    let n = frames.len();
    for f in frames {
        assert!(
            f.data.len() <= limits.max_frame_size,
            "frame over the limit"
        );
        // Annex B with four-byte start codes, no empty unit.
        assert!(f.data.starts_with(&[0, 0, 0, 1]));
        assert!(annex_b_nal_units(&f.data).count() >= 1);
    }
    if pending_ok {
        assert!(n <= limits.max_pending_frames, "queue over the limit");
    }
}

/// The packet as a client that owns its buffer hands it over: the prefix the
/// depacketizer asks for written right before the payload, in one buffer.
fn framed(d: &dyn Depacketizer, p: &RtpPacket) -> FramedPacket {
    let prefix = d.frame_prefix(&p.payload);
    let mut buf = BytesMut::with_capacity(p.payload.len() + 4);
    buf.put_slice(&prefix.unwrap_or([0xff; 4]));
    buf.put_slice(&p.payload);
    FramedPacket {
        sequence_number: p.sequence_number,
        timestamp: p.timestamp,
        marker: p.marker,
        payload_type: p.payload_type,
        framed: buf.freeze(),
    }
}

fn all_frames(d: &mut dyn Depacketizer) -> Vec<Frame> {
    std::iter::from_fn(|| d.pull()).collect()
}

/// Feeds the packets to `d` with `push` and to `z` with `push_framed`: the same results
/// and the same frames (the zero-copy path changes where a frame's bytes live, never
/// what they are), within the limits.
fn depacketize(d: &mut dyn Depacketizer, z: &mut dyn Depacketizer, data: &[u8]) {
    for p in packets(data) {
        let zp = framed(z, &p);
        let r = d.push(p);
        let rz = z.push_framed(zp);
        assert_eq!(r, rz, "push and push_framed disagree");
        let (fd, fz) = (all_frames(d), all_frames(z));
        assert_eq!(fd, fz, "push and push_framed give different frames");
        check_frames(&fd, limits(), true);
    }
    d.flush();
    z.flush();
    let (fd, fz) = (all_frames(d), all_frames(z));
    assert_eq!(fd, fz, "flush gives different frames");
    check_frames(&fd, limits(), true);
}

/// Arbitrary packets into the H.264 depacketizer: no panic, frames within the limits.
pub fn h264_depacketize(data: &[u8]) {
    let mut c = H264Config::from_fmtp(
        "packetization-mode=1;sprop-parameter-sets=Z0LADNoFB+wFqDAwNSgAAAMACAAAAwD0eKFV,aM48gA==",
    );
    c.limits = limits();
    let mut d = H264Depacketizer::new(c.clone());
    let mut z = H264Depacketizer::new(c);
    depacketize(&mut d, &mut z, data);
    if let Some(Ok(_)) | Some(Err(_)) = d.sps_info() {}
    let _ = d.avc_decoder_config();
}

/// Arbitrary packets into the H.265 depacketizer: no panic, frames within the limits.
pub fn h265_depacketize(data: &[u8]) {
    let mut c = H265Config::default();
    c.limits = limits();
    let mut d = H265Depacketizer::new(c.clone());
    let mut z = H265Depacketizer::new(c);
    depacketize(&mut d, &mut z, data);
    if let Some(Ok(_)) | Some(Err(_)) = d.sps_info() {}
    let _ = d.hevc_decoder_config();
}

struct RoundTrip {
    mtu: usize,
    opts: u8,
    /// Access units, each a list of NAL units.
    units: Vec<Vec<Vec<u8>>>,
}

fn round_trip_input(
    data: &[u8],
    hdr_len: usize,
    fix: impl Fn(&[u8]) -> Vec<u8>,
) -> Option<RoundTrip> {
    let (&[m0, m1, opts], mut rest) = data.split_first_chunk::<3>()?;
    let mtu = usize::from(u16::from_be_bytes([m0, m1]) % 2000);
    let mut units: Vec<Vec<Vec<u8>>> = vec![Vec::new()];
    while let [a, b, tail @ ..] = rest {
        let len = usize::from(u16::from_be_bytes([*a, *b]) % 4096);
        let (chunk, tail) = tail.split_at(len.min(tail.len()));
        rest = tail;
        let mut nal = fix(chunk);
        let body = add_emulation_prevention(&nal[hdr_len..]);
        nal.truncate(hdr_len);
        nal.extend_from_slice(&body);
        if opts & 0x80 != 0 && chunk.first().is_some_and(|b| b & 1 == 1) {
            units.push(Vec::new());
        }
        units.last_mut().unwrap().push(nal);
        if units.len() > 32 {
            break;
        }
    }
    units.retain(|u| !u.is_empty());
    Some(RoundTrip { mtu, opts, units })
}

fn frame_bytes(nals: &[Vec<u8>], format: NalFormat) -> Vec<u8> {
    let mut v = Vec::new();
    for n in nals {
        match format {
            NalFormat::LengthPrefixed => v.extend_from_slice(&(n.len() as u32).to_be_bytes()),
            _ => v.extend_from_slice(&[0, 0, 0, 1]),
        }
        v.extend_from_slice(n);
    }
    v
}

/// Packetizes `rt` and depacketizes it back; asserts byte equality.
fn round_trip(
    rt: &RoundTrip,
    hdr_len: usize,
    packetizer: &mut dyn Packetizer,
    depacketizer: &mut dyn Depacketizer,
    format: NalFormat,
    may_fail: impl Fn(&[Vec<u8>]) -> bool,
    is_key: impl Fn(&[Vec<u8>]) -> bool,
) {
    let mut seq = 0u16;
    let mut expected: Vec<(u32, Vec<u8>, bool)> = Vec::new();
    let mut got: Vec<Frame> = Vec::new();
    for (i, au) in rt.units.iter().enumerate() {
        let ts = i as u32 * 3000;
        let frame = frame_bytes(au, format);
        let mut payloads: Vec<(Bytes, bool)> = Vec::new();
        let r = packetizer.packetize(ts, &frame, &mut |p| {
            assert!(p.len() <= rt.mtu, "payload over the mtu");
            assert!(p.len() >= hdr_len);
            assert_eq!(p.timestamp, ts);
            payloads.push((p.to_bytes(), p.marker));
        });
        if r.is_err() {
            assert!(may_fail(au), "unexpected packetize error {r:?}");
            assert!(payloads.is_empty());
            continue;
        }
        assert!(
            payloads.iter().rev().skip(1).all(|p| !p.1),
            "marker before the end"
        );
        assert!(payloads.last().unwrap().1, "no marker at the end");
        for (payload, marker) in payloads {
            seq = seq.wrapping_add(1);
            depacketizer
                .push(RtpPacket {
                    sequence_number: seq,
                    timestamp: ts,
                    marker,
                    payload_type: 96,
                    payload,
                })
                .unwrap();
        }
        while let Some(f) = depacketizer.pull() {
            got.push(f);
        }
        expected.push((ts, frame, is_key(au)));
    }
    depacketizer.flush();
    while let Some(f) = depacketizer.pull() {
        got.push(f);
    }
    assert_eq!(got.len(), expected.len());
    for (g, (ts, data, key)) in got.iter().zip(&expected) {
        assert_eq!(g.timestamp, *ts);
        assert_eq!(&g.data[..], &data[..], "round trip differs");
        assert_eq!(g.keyframe, *key);
        assert!(!g.loss);
    }
}

/// Arbitrary NAL units through the H.264 packetizer and back: byte-exact.
pub fn h264_round_trip(data: &[u8]) {
    let Some(mut rt) = round_trip_input(data, 1, |chunk| {
        let b = chunk.first().copied().unwrap_or(0);
        let mut nal = chunk.to_vec();
        let t = 1 + b % 23; // 1..=23
        let h = (b & 0x60) | t;
        if nal.is_empty() {
            nal.push(h);
        } else {
            nal[0] = h;
        }
        nal
    }) else {
        return;
    };
    // Every access unit needs a picture to be emitted: add a slice where there is none.
    for au in &mut rt.units {
        if !au.iter().any(|n| matches!(n[0] & 0x1f, 1..=5)) {
            au.push(vec![0x41, 0x9a]);
        }
    }
    let format = if rt.opts & 1 != 0 {
        NalFormat::LengthPrefixed
    } else {
        NalFormat::AnnexB
    };
    let mode0 = rt.opts & 2 != 0;
    let mut pc = H264PacketizerConfig::default();
    pc.mtu = rt.mtu;
    pc.input = format;
    pc.aggregate = rt.opts & 4 != 0;
    if mode0 {
        pc.packetization_mode = PacketizationMode::SingleNalUnit;
    }
    let Ok(mut p) = H264Packetizer::new(pc) else {
        assert!(rt.mtu < 3);
        return;
    };
    let mut c = H264Config::default();
    c.output = format;
    // A tiny MTU splits one access unit into more packets than the default fragment
    // limit allows; the round trip is about the bytes, not that limit.
    c.limits.max_fragments = 1 << 20;
    c.policies.parameter_sets = ParameterSetInsertion::Never;
    c.policies.repeated_parameter_sets = RepeatedParameterSetPolicy::Keep;
    let mut d = H264Depacketizer::new(c);
    let mtu = rt.mtu;
    round_trip(
        &rt,
        1,
        &mut p,
        &mut d,
        format,
        |au| mode0 && au.iter().any(|n| n.len() > mtu),
        |au| au.iter().any(|n| n[0] & 0x1f == 5),
    );
}

/// Arbitrary NAL units through the H.265 packetizer and back: byte-exact.
pub fn h265_round_trip(data: &[u8]) {
    let Some(mut rt) = round_trip_input(data, 2, |chunk| {
        let b = chunk.first().copied().unwrap_or(0);
        let c = chunk.get(1).copied().unwrap_or(1);
        // Types 0..=47 (48..=63 are the RTP packet types), TID 1..=7.
        let t = b % 48;
        let tid = 1 + c % 7;
        let mut nal = chunk.to_vec();
        nal.resize(nal.len().max(2), 0);
        nal[0] = (t << 1) | (c >> 7);
        nal[1] = (c & 0xf8) | tid;
        nal
    }) else {
        return;
    };
    for au in &mut rt.units {
        if !au.iter().any(|n| (n[0] >> 1) & 0x3f < 32) {
            au.push(vec![0x02, 0x01, 0xd0]);
        }
    }
    let format = if rt.opts & 1 != 0 {
        NalFormat::LengthPrefixed
    } else {
        NalFormat::AnnexB
    };
    let mut pc = H265PacketizerConfig::default();
    pc.mtu = rt.mtu;
    pc.input = format;
    pc.aggregate = rt.opts & 4 != 0;
    let Ok(mut p) = H265Packetizer::new(pc) else {
        assert!(rt.mtu < 4);
        return;
    };
    let mut c = H265Config::default();
    c.output = format;
    // A tiny MTU splits one access unit into more packets than the default fragment
    // limit allows; the round trip is about the bytes, not that limit.
    c.limits.max_fragments = 1 << 20;
    c.policies.parameter_sets = ParameterSetInsertion::Never;
    c.policies.repeated_parameter_sets = RepeatedParameterSetPolicy::Keep;
    let mut d = H265Depacketizer::new(c);
    round_trip(
        &rt,
        2,
        &mut p,
        &mut d,
        format,
        |_| false,
        |au| au.iter().any(|n| (16..=23).contains(&((n[0] >> 1) & 0x3f))),
    );
}

/// Checks that splitting an Annex B stream and framing it again gives the same units,
/// whatever the bytes (used by the depacketize targets' corpus as well).
pub fn nal_framing(data: &[u8]) {
    let units: Vec<&[u8]> = annex_b_nal_units(data).collect();
    let mut lp = Vec::new();
    for u in &units {
        assert!(!u.is_empty() && *u.last().unwrap() != 0);
        lp.extend_from_slice(&(u.len() as u32).to_be_bytes());
        lp.extend_from_slice(u);
    }
    let back: Vec<&[u8]> = length_prefixed_nal_units(&lp).map(|r| r.unwrap()).collect();
    assert_eq!(units, back);
}
