//! Fuzz checks for the audio and Motion JPEG payload formats (AAC, LATM, G.711, L16,
//! Opus, MJPEG): plain functions over `&[u8]`, called by the cargo-fuzz targets and, on
//! the seed corpora in `fuzz/corpus/<function name>/`, by `tests/codec_audio_fuzz_corpus.rs`.
//!
//! `depacketize_*`: the first byte picks a configuration, the rest is a packet list (see
//! [`packets`]); the depacketizer must not panic, must never hold more than
//! `max_pending_frames` frames and must never emit a frame above `max_frame_size`.
//!
//! `round_trip_*`: the input is turned into valid frames for the codec, packetized at two
//! payload sizes and depacketized; both must give back exactly the frames.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use bytes::Bytes;
use rtsp_proto::codec::aac::{AacConfig, AacDepacketizer, AacPacketizer, AdtsPolicy};
use rtsp_proto::codec::fmtp;
use rtsp_proto::codec::g711::{G711Config, G711Depacketizer, G711Packetizer};
use rtsp_proto::codec::l16::{L16Config, L16Depacketizer, L16Packetizer};
use rtsp_proto::codec::latm::{LatmConfig, LatmDepacketizer, LatmPacketizer, StreamMuxConfig};
use rtsp_proto::codec::mjpeg::{MjpegConfig, MjpegDepacketizer, MjpegPacketizer, MjpegTables};
use rtsp_proto::codec::opus::{packet_duration, OpusConfig, OpusDepacketizer, OpusPacketizer};
use rtsp_proto::codec::{Depacketizer, DepacketizerLimits, Frame, Packetizer, RtpPacket};

/// Small limits, so the fuzzer reaches them.
pub fn limits() -> DepacketizerLimits {
    let mut l = DepacketizerLimits::default();
    l.max_frame_size = 4096;
    l.max_fragments = 16;
    l.max_pending_frames = 8;
    l
}

/// Splits fuzz input into packets. Each record is a flags byte (bit 0: marker; bit 1: skip
/// one sequence number first, a loss; bit 2: advance the timestamp by `ts_step`), a
/// little-endian u16 length (clamped to what is left), and the payload.
pub fn packets(data: &[u8], ts_step: u32) -> Vec<RtpPacket> {
    let mut out = Vec::new();
    let mut seq = 0u16;
    let mut ts = 0u32;
    let mut rest = data;
    while let [flags, lo, hi, tail @ ..] = rest {
        let len = usize::from(u16::from_le_bytes([*lo, *hi])).min(tail.len());
        let (payload, r) = tail.split_at(len);
        rest = r;
        if flags & 2 != 0 {
            seq = seq.wrapping_add(1);
        }
        if flags & 4 != 0 {
            ts = ts.wrapping_add(ts_step);
        }
        out.push(RtpPacket {
            sequence_number: seq,
            timestamp: ts,
            marker: flags & 1 != 0,
            payload_type: 96,
            payload: Bytes::copy_from_slice(payload),
        });
        seq = seq.wrapping_add(1);
    }
    out
}

/// Encodes packets in the [`packets`] format (for seed corpora).
pub fn encode_packets(config: u8, pkts: &[(bool, bool, bool, &[u8])]) -> Vec<u8> {
    let mut out = vec![config];
    for (marker, loss, new_ts, payload) in pkts {
        out.push(u8::from(*marker) | u8::from(*loss) << 1 | u8::from(*new_ts) << 2);
        out.extend_from_slice(&(payload.len() as u16).to_le_bytes());
        out.extend_from_slice(payload);
    }
    out
}

/// Pushes, pulls after each push, and checks the bounds.
fn drive(d: &mut dyn Depacketizer, pkts: Vec<RtpPacket>, l: &DepacketizerLimits) -> Vec<Frame> {
    let mut out = Vec::new();
    for p in pkts {
        let _ = d.push(p);
        let mut n = 0;
        while let Some(f) = d.pull() {
            n += 1;
            assert!(
                f.data.len() <= l.max_frame_size,
                "frame above max_frame_size"
            );
            out.push(f);
        }
        assert!(
            n <= l.max_pending_frames,
            "more than max_pending_frames held"
        );
    }
    d.flush();
    while let Some(f) = d.pull() {
        assert!(f.data.len() <= l.max_frame_size);
        out.push(f);
    }
    out
}

fn aac_config(selector: u8) -> AacConfig {
    let fmtp = match selector & 3 {
        0 => "mode=AAC-hbr;config=1208;sizelength=13;indexlength=3;indexdeltalength=3",
        1 => "mode=AAC-lbr;config=1408;sizelength=6;indexlength=2;indexdeltalength=2",
        2 => "mode=generic;config=1210;constantSize=4",
        _ => "mode=generic;config=1208;sizelength=7;indexlength=2;indexdeltalength=1;CTSDeltaLength=3;DTSDeltaLength=2;randomAccessIndication=1;streamStateIndication=2;auxiliaryDataSizeLength=5",
    };
    let mut c = AacConfig::from_fmtp(44_100, Some(1), fmtp::params(fmtp)).unwrap();
    c.limits = limits();
    c.adts_policy = match (selector >> 2) & 3 {
        0 => AdtsPolicy::Strip,
        1 => AdtsPolicy::Keep,
        _ => AdtsPolicy::Reject,
    };
    c
}

/// An AU-header layout from three bytes (what an SDP may declare): `sizeLength` 0–15,
/// `indexLength` 0–7, `indexDeltaLength` 0–7, `CTSDeltaLength` 0–7, `DTSDeltaLength` 0–3,
/// `randomAccessIndication`, `streamStateIndication` 0–3, an optional `constantSize`.
/// `None` when the depacketizer refuses the layout.
fn generated_aac_config(selector: u8, [a, b, c]: [u8; 3]) -> Option<AacConfig> {
    let mut fmtp = format!(
        "mode=generic;config=1208;sizelength={};indexlength={};indexdeltalength={};\
         ctsdeltalength={};dtsdeltalength={};randomaccessindication={};streamstateindication={}",
        a & 0x0f,
        (a >> 4) & 7,
        b & 7,
        (b >> 3) & 7,
        (b >> 6) & 3,
        c & 1,
        (c >> 1) & 3,
    );
    if c & 8 != 0 {
        fmtp.push_str(&format!(";constantsize={}", 1 + (c >> 4)));
    }
    let mut config = AacConfig::from_fmtp(44_100, Some(1), fmtp::params(&fmtp)).ok()?;
    config.limits = limits();
    config.adts_policy = match (selector >> 2) & 3 {
        0 => AdtsPolicy::Strip,
        1 => AdtsPolicy::Keep,
        _ => AdtsPolicy::Reject,
    };
    Some(config)
}

/// AAC (`mpeg4-generic`) depacketizer: no panic, no hang, bounds held. A selector with the
/// high bit set takes its AU-header layout from the next three bytes
/// ([`generated_aac_config`]); otherwise one of four fixed layouts.
pub fn depacketize_aac(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let (c, rest) = if sel & 0x80 != 0 {
        let Some((&layout, rest)) = rest.split_first_chunk::<3>() else {
            return;
        };
        let Some(c) = generated_aac_config(sel, layout) else {
            return;
        };
        (c, rest)
    } else {
        (aac_config(sel), rest)
    };
    let l = c.limits;
    drive(&mut AacDepacketizer::new(c), packets(rest, 1024), &l);
}

fn latm_config(selector: u8) -> LatmConfig {
    let fmtp = if selector & 1 == 0 {
        "cpresent=0;config=400023203fc0"
    } else {
        "cpresent=1"
    };
    let mut c = LatmConfig::from_fmtp(48_000, Some(2), fmtp::params(fmtp)).unwrap();
    c.limits = limits();
    c
}

/// MP4A-LATM depacketizer: no panic, bounds held.
pub fn depacketize_latm(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let c = latm_config(sel);
    let l = c.limits;
    drive(&mut LatmDepacketizer::new(c), packets(rest, 1024), &l);
}

/// G.711 depacketizer (1-4 channels): no panic, bounds held, frames whole samples.
pub fn depacketize_g711(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let channels = 1 + (sel & 3);
    let mut c = G711Config::from_rtpmap("PCMA", 8000, Some(channels)).unwrap();
    c.limits = limits();
    let l = c.limits;
    for f in drive(&mut G711Depacketizer::new(&c), packets(rest, 160), &l) {
        assert_eq!(f.data.len() % usize::from(channels), 0);
    }
}

/// L16 depacketizer (1-4 channels): no panic, bounds held, frames whole sample groups.
pub fn depacketize_l16(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let channels = 1 + (sel & 3);
    let mut c = L16Config::from_rtpmap(48_000, Some(channels)).unwrap();
    c.limits = limits();
    let l = c.limits;
    for f in drive(&mut L16Depacketizer::new(&c), packets(rest, 960), &l) {
        assert_eq!(f.data.len() % (2 * usize::from(channels)), 0);
    }
}

/// Opus depacketizer: no panic, bounds held, every frame a valid Opus packet.
pub fn depacketize_opus(data: &[u8]) {
    let Some((_, rest)) = data.split_first() else {
        return;
    };
    let mut c = OpusConfig::from_fmtp([]).unwrap();
    c.limits = limits();
    let l = c.limits;
    for f in drive(&mut OpusDepacketizer::new(&c), packets(rest, 960), &l) {
        assert!(packet_duration(&f.data).is_some());
    }
}

/// MJPEG depacketizer: no panic, bounds held, every frame a JPEG from SOI to EOI.
pub fn depacketize_mjpeg(data: &[u8]) {
    let Some((_, rest)) = data.split_first() else {
        return;
    };
    let mut c = MjpegConfig::default();
    c.limits = limits();
    let l = c.limits;
    for f in drive(&mut MjpegDepacketizer::new(&c), packets(rest, 9000), &l) {
        assert!(f.data.starts_with(&[0xff, 0xd8]) && f.data.ends_with(&[0xff, 0xd9]));
    }
}

/// Splits input into frames by a one-byte length prefix.
fn frames_of(data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some((&len, r)) = rest.split_first() {
        let len = usize::from(len).min(r.len());
        let (f, r) = r.split_at(len);
        out.push(f);
        rest = r;
    }
    out
}

/// Packetizes with `make(max_payload)` for two sizes, depacketizes, and returns the frames
/// of each run.
fn both_sizes(
    sizes: [usize; 2],
    make: &mut dyn FnMut(usize) -> Box<dyn Packetizer>,
    frames: &[(u32, &[u8])],
    depack: &mut dyn FnMut() -> Box<dyn Depacketizer>,
) -> Vec<Vec<(u32, Bytes)>> {
    sizes
        .iter()
        .map(|&size| {
            let mut p = make(size);
            let mut pkts = Vec::new();
            for (ts, f) in frames {
                let r = p.packetize(*ts, f, &mut |pl| {
                    assert!(pl.len() <= size, "payload above max_payload");
                    pkts.push(RtpPacket {
                        sequence_number: pkts.len() as u16,
                        timestamp: pl.timestamp,
                        marker: pl.marker,
                        payload_type: 96,
                        payload: pl.to_bytes(),
                    });
                });
                r.expect("valid frames packetize");
            }
            let mut d = depack();
            let mut out = Vec::new();
            for p in pkts {
                d.push(p).expect("our own packets depacketize");
                while let Some(f) = d.pull() {
                    assert!(!f.loss);
                    out.push((f.timestamp, f.data));
                }
            }
            out
        })
        .collect()
}

fn assert_same(frames: &[(u32, &[u8])], runs: Vec<Vec<(u32, Bytes)>>) {
    for run in runs {
        let got: Vec<(u32, &[u8])> = run.iter().map(|(t, d)| (*t, &d[..])).collect();
        assert_eq!(got, frames);
    }
}

fn unbounded() -> DepacketizerLimits {
    let mut l = DepacketizerLimits::default();
    l.max_pending_frames = 1 << 20;
    l
}

/// AAC-hbr packetize → depacketize is exact (aggregation and fragmentation).
pub fn round_trip_aac(data: &[u8]) {
    let aus: Vec<&[u8]> = frames_of(data)
        .into_iter()
        .filter(|f| !f.is_empty())
        .collect();
    let mut c = aac_config(0);
    c.limits = unbounded();
    c.adts_policy = AdtsPolicy::Keep;
    let frames: Vec<(u32, &[u8])> = aus
        .iter()
        .enumerate()
        .map(|(i, f)| (i as u32 * 1024, *f))
        .collect();
    for size in [40usize, 1400] {
        let mut p = AacPacketizer::new(c.clone(), size).unwrap();
        let mut pkts = Vec::new();
        p.packetize_many(0, &aus, &mut |pl| {
            assert!(pl.len() <= size);
            pkts.push(RtpPacket {
                sequence_number: pkts.len() as u16,
                timestamp: pl.timestamp,
                marker: pl.marker,
                payload_type: 96,
                payload: pl.to_bytes(),
            })
        })
        .unwrap();
        let mut d = AacDepacketizer::new(c.clone());
        let mut got = Vec::new();
        for p in pkts {
            d.push(p).unwrap();
            while let Some(f) = d.pull() {
                got.push((f.timestamp, f.data));
            }
        }
        assert_same(&frames, vec![got]);
    }
}

/// LATM (`cpresent=0`) packetize → depacketize is exact.
pub fn round_trip_latm(data: &[u8]) {
    let mut c = latm_config(0);
    c.limits = unbounded();
    let frames: Vec<(u32, &[u8])> = frames_of(data)
        .into_iter()
        .filter(|f| !f.is_empty())
        .enumerate()
        .map(|(i, f)| (i as u32 * 1024, f))
        .collect();
    let runs = both_sizes(
        [7, 1400],
        &mut |s| Box::new(LatmPacketizer::new(s).unwrap()),
        &frames,
        &mut || Box::new(LatmDepacketizer::new(c.clone())),
    );
    assert_same(&frames, runs);
    // The config written by encode_simple parses back.
    let asc = &c.stream_mux_config.as_ref().unwrap().audio_specific_config;
    assert_eq!(
        StreamMuxConfig::parse(&StreamMuxConfig::encode_simple(asc))
            .unwrap()
            .audio_specific_config
            .sample_rate,
        48_000
    );
}

/// G.711 and L16: the concatenated samples survive packetizing at two sizes.
fn round_trip_samples(
    data: &[u8],
    group: usize,
    make: &dyn Fn(usize) -> Box<dyn Packetizer>,
    depack: &dyn Fn() -> Box<dyn Depacketizer>,
) {
    let samples = &data[..data.len() / group * group];
    for size in [group * 3, 1200] {
        let mut p = make(size);
        let mut d = depack();
        let mut got = Vec::new();
        let mut seq = 0u16;
        p.packetize(5, samples, &mut |pl| {
            d.push(RtpPacket {
                sequence_number: seq,
                timestamp: pl.timestamp,
                marker: pl.marker,
                payload_type: 0,
                payload: pl.to_bytes(),
            })
            .unwrap();
            seq = seq.wrapping_add(1);
        })
        .unwrap();
        let mut expected_ts = 5u32;
        while let Some(f) = d.pull() {
            assert_eq!(f.timestamp, expected_ts);
            expected_ts = expected_ts.wrapping_add((f.data.len() / group) as u32);
            got.extend_from_slice(&f.data);
        }
        assert_eq!(got, samples);
    }
}

/// G.711 (stereo) packetize → depacketize is exact.
pub fn round_trip_g711(data: &[u8]) {
    let mut c = G711Config::from_rtpmap("PCMU", 8000, Some(2)).unwrap();
    c.limits = unbounded();
    round_trip_samples(
        data,
        2,
        &|s| Box::new(G711Packetizer::new(&c, s).unwrap()),
        &|| Box::new(G711Depacketizer::new(&c)),
    );
}

/// L16 (stereo) packetize → depacketize is exact.
pub fn round_trip_l16(data: &[u8]) {
    let mut c = L16Config::from_rtpmap(44_100, Some(2)).unwrap();
    c.limits = unbounded();
    round_trip_samples(
        data,
        4,
        &|s| Box::new(L16Packetizer::new(&c, s).unwrap()),
        &|| Box::new(L16Depacketizer::new(&c)),
    );
}

/// Opus: valid packets (invalid ones are refused by the packetizer) round-trip exactly.
pub fn round_trip_opus(data: &[u8]) {
    let mut c = OpusConfig::from_fmtp([]).unwrap();
    c.limits = unbounded();
    let mut ts = 0u32;
    let mut frames = Vec::new();
    for f in frames_of(data) {
        let mut p = OpusPacketizer::new(1200).unwrap();
        match packet_duration(f) {
            Some(d) => {
                frames.push((ts, f));
                ts = ts.wrapping_add(d);
            }
            None => assert!(p.packetize(0, f, &mut |_| {}).is_err()),
        }
    }
    let runs = both_sizes(
        [1200, 1500],
        &mut |s| Box::new(OpusPacketizer::new(s).unwrap()),
        &frames,
        &mut || Box::new(OpusDepacketizer::new(&c)),
    );
    assert_same(&frames, runs);
}

/// MJPEG: a JPEG rebuilt from one RTP packet (type, Q, size and scan from the input)
/// packetizes and depacketizes back byte for byte, with in-band and standard tables.
pub fn round_trip_mjpeg(data: &[u8]) {
    let [typ, q, w, h, dri_hi, dri_lo, scan @ ..] = data else {
        return;
    };
    let typ = (typ & 1) | if dri_hi | dri_lo != 0 { 64 } else { 0 };
    let q = q % 99 + 1;
    let (w, h) = (w % 32 + 1, h % 32 + 1);
    // Entropy-coded data never holds 0xFF followed by anything but 0x00 or RSTn, and no
    // marker: keep the fuzz bytes but stuff every 0xFF.
    let mut entropy = Vec::new();
    for &b in scan.iter().take(3000) {
        entropy.push(b);
        if b == 0xff {
            entropy.push(0);
        }
    }
    let mut payload = vec![0, 0, 0, 0, typ, q, w, h];
    if typ >= 64 {
        payload.extend_from_slice(&[*dri_hi, *dri_lo, 0xff, 0xff]);
    }
    payload.extend_from_slice(&entropy);
    let mut d = MjpegDepacketizer::new(&MjpegConfig::default());
    d.push(RtpPacket {
        sequence_number: 0,
        timestamp: 0,
        marker: true,
        payload_type: 26,
        payload: Bytes::from(payload),
    })
    .unwrap();
    let jpeg = d.pull().unwrap().data;
    let frames = [(0u32, &jpeg[..])];
    for tables in [MjpegTables::InBand, MjpegTables::PreferStandard] {
        let runs = both_sizes(
            [300, 1400],
            &mut |s| Box::new(MjpegPacketizer::new(s, tables).unwrap()),
            &frames,
            &mut || Box::new(MjpegDepacketizer::new(&MjpegConfig::default())),
        );
        assert_same(&frames, runs);
    }
}

/// A fuzz check.
pub type Check = fn(&[u8]);

/// Every check, by name (the seed corpus folder names).
pub const CHECKS: &[(&str, Check)] = &[
    ("depacketize_aac", depacketize_aac),
    ("depacketize_latm", depacketize_latm),
    ("depacketize_g711", depacketize_g711),
    ("depacketize_l16", depacketize_l16),
    ("depacketize_opus", depacketize_opus),
    ("depacketize_mjpeg", depacketize_mjpeg),
    ("round_trip_aac", round_trip_aac),
    ("round_trip_latm", round_trip_latm),
    ("round_trip_g711", round_trip_g711),
    ("round_trip_l16", round_trip_l16),
    ("round_trip_opus", round_trip_opus),
    ("round_trip_mjpeg", round_trip_mjpeg),
];
