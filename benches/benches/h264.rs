//! H.264 depacketization throughput: rtsp-proto's `H264Depacketizer` against retina's
//! and webrtc-rs' (`rtp::codecs::h264::H264Packet`), on the same packets in the same run.
//!
//! Workloads:
//! - `synthetic`: 4 GOPs of one 100 kB IDR picture (FU-A at MTU 1,400, SPS and PPS in a
//!   STAP-A) and 14 P pictures of 2–6 kB; every access unit ends with the marker bit;
//! - `bunny`: the Wowza Big Buck Bunny capture of `tests/data/cameras` (H.264 on
//!   interleaved channel 2; small single-NAL pictures).
//!
//! Criterion reports time per iteration and MB/s of RTP payload; frames/s is printed
//! once at start-up as frames per iteration, to divide by the time.
//!
//! webrtc-rs only depacketizes NAL units; its arm appends them into one buffer per access
//! unit (up to the marker bit), which is what its `SampleBuilder` does.

use bytes::{Bytes, BytesMut};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rtsp_proto::codec::h264::{H264Config, H264Depacketizer, H264Packetizer, H264PacketizerConfig};
use rtsp_proto::codec::{Depacketizer as _, Packetizer as _, RtpPacket};
use std::hint::black_box;
use std::num::NonZeroU32;
use std::time::Duration;

const SPROP: &str = "packetization-mode=1;profile-level-id=42C01E;sprop-parameter-sets=Z0LAHtkDxWhAAAADAEAAAAwDxYuS,aMuMsg==";
const SPS: &[u8] =
    b"\x67\x42\xc0\x1e\xd9\x03\xc5\x68\x40\x00\x00\x03\x00\x40\x00\x00\x0c\x03\xc5\x8b\x92";
const PPS: &[u8] = b"\x68\xcb\x8c\xb2";

struct Workload {
    packets: Vec<RtpPacket>,
    frames: usize,
    payload_bytes: u64,
}

fn shared(b: &[u8]) -> Bytes {
    // Arc-backed, so that cloning a packet in the loop never allocates.
    BytesMut::from(b).freeze()
}

fn synthetic() -> Workload {
    let body = |n: usize, seed: u8| -> Vec<u8> {
        (0..n)
            .map(|i| ((i as u8).wrapping_mul(31) ^ seed) | 1)
            .collect()
    };
    let mut pc = H264PacketizerConfig::default();
    pc.mtu = 1400;
    let mut p = H264Packetizer::new(pc).unwrap();
    let mut packets = Vec::new();
    let mut seq = 0u16;
    let mut frames = 0;
    for g in 0..4usize {
        for i in 0..15usize {
            let mut au = Vec::new();
            if i == 0 {
                for n in [SPS, PPS] {
                    au.extend_from_slice(&[0, 0, 0, 1]);
                    au.extend_from_slice(n);
                }
                au.extend_from_slice(&[0, 0, 0, 1, 0x65, 0x88]);
                au.extend_from_slice(&body(100_000, g as u8));
            } else {
                au.extend_from_slice(&[0, 0, 0, 1, 0x41, 0x9a]);
                au.extend_from_slice(&body(2_000 + 300 * i, i as u8));
            }
            let ts = ((g * 15 + i) * 6000) as u32;
            p.packetize(ts, &au, &mut |pl| {
                seq = seq.wrapping_add(1);
                packets.push(RtpPacket {
                    sequence_number: seq,
                    timestamp: pl.timestamp,
                    marker: pl.marker,
                    payload_type: 96,
                    payload: shared(&pl.to_bytes()),
                });
            })
            .unwrap();
            frames += 1;
        }
    }
    let payload_bytes = packets.iter().map(|p| p.payload.len() as u64).sum();
    Workload {
        packets,
        frames,
        payload_bytes,
    }
}

fn bunny() -> Workload {
    let data = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/data/cameras/bunny_session.rtsp"
    ))
    .unwrap();
    let mut buf = BytesMut::from(&data[..]);
    let mut dec = rtsp_proto::message::Decoder::new();
    let mut packets = Vec::new();
    while let Some(msg) = dec.decode(&mut buf).unwrap() {
        let rtsp_proto::message::Message::Data(d) = msg else {
            continue;
        };
        if d.channel != 2 {
            continue;
        }
        let p = &d.payload[..];
        let cc = usize::from(p[0] & 0x0f);
        let start = 12 + 4 * cc; // no extension, no padding in this capture
        packets.push(RtpPacket {
            sequence_number: u16::from_be_bytes([p[2], p[3]]),
            timestamp: u32::from_be_bytes([p[4], p[5], p[6], p[7]]),
            marker: p[1] & 0x80 != 0,
            payload_type: p[1] & 0x7f,
            payload: shared(&p[start..]),
        });
    }
    let frames = {
        let mut d = H264Depacketizer::new(H264Config::from_fmtp(SPROP));
        let mut n = 0;
        for p in &packets {
            d.push(p.clone()).unwrap();
            while d.pull().is_some() {
                n += 1;
            }
        }
        n
    };
    let payload_bytes = packets.iter().map(|p| p.payload.len() as u64).sum();
    Workload {
        packets,
        frames,
        payload_bytes,
    }
}

fn run_ours(w: &Workload) -> usize {
    let mut d = H264Depacketizer::new(H264Config::from_fmtp(SPROP));
    let mut n = 0;
    for p in &w.packets {
        d.push(p.clone()).unwrap();
        while let Some(f) = d.pull() {
            n += f.data.len();
            black_box(f);
        }
    }
    n
}

fn run_retina(w: &Workload) -> usize {
    use retina::codec::{CodecItem, Depacketizer};
    let mut d = Depacketizer::new("video", "h264", 90_000, None, Some(SPROP)).unwrap();
    let mut buf = retina::testutil::DepacketizeBuf::new(65536);
    let clock = NonZeroU32::new(90_000).unwrap();
    let start = w.packets[0].timestamp;
    let mut n = 0;
    for p in &w.packets {
        let meta = retina::rtp::PacketMeta {
            ctx: retina::PacketContext::dummy(),
            stream_id: 0,
            timestamp: retina::Timestamp::new(
                i64::from(p.timestamp.wrapping_sub(start)),
                clock,
                start,
            )
            .unwrap(),
            sequence_number: p.sequence_number,
            ssrc: 1,
            mark: p.marker,
            loss: 0,
        };
        buf.push(&mut d, meta, &p.payload).unwrap();
        while let Some(item) = d.pull() {
            if let CodecItem::VideoFrame(f) = item.unwrap() {
                n += f.data().len();
                black_box(f);
            }
        }
    }
    n
}

fn run_webrtc(w: &Workload) -> usize {
    use rtp::packetizer::Depacketizer;
    let mut d = rtp::codecs::h264::H264Packet::default();
    let mut au = BytesMut::new();
    let mut n = 0;
    for p in &w.packets {
        let nals = d.depacketize(&p.payload).unwrap();
        au.extend_from_slice(&nals);
        if p.marker {
            let f = au.split().freeze();
            n += f.len();
            black_box(f);
        }
    }
    n
}

fn bench(c: &mut Criterion) {
    for (name, w) in [("synthetic", synthetic()), ("bunny", bunny())] {
        eprintln!(
            "h264/{name}: {} packets, {} frames, {} payload bytes per iteration; frame bytes out: ours {}, retina {}, webrtc-rs {}",
            w.packets.len(),
            w.frames,
            w.payload_bytes,
            run_ours(&w),
            run_retina(&w),
            run_webrtc(&w),
        );
        let mut g = c.benchmark_group(format!("h264_depacketize/{name}"));
        g.throughput(Throughput::Bytes(w.payload_bytes));
        g.warm_up_time(Duration::from_secs(1));
        g.measurement_time(Duration::from_secs(4));
        g.sample_size(30);
        g.bench_function("rtsp-proto", |b| b.iter(|| run_ours(&w)));
        g.bench_function("retina", |b| b.iter(|| run_retina(&w)));
        g.bench_function("webrtc-rs", |b| b.iter(|| run_webrtc(&w)));
        g.finish();
    }
}

/// Interleaved A/B timing, robust to a loaded machine: each round times a batch of ours
/// and a batch of retina back to back (alternating which goes first), and the median of
/// the per-round ratios is reported. Load that comes and goes hits both arms of a round
/// alike. `H264_AB_ROUNDS` sets the number of rounds (default 301); the fastest batch of each arm
/// is reported too.
fn interleaved(_: &mut Criterion) {
    use std::time::Instant;
    let rounds: usize = std::env::var("H264_AB_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(301);
    for (name, w) in [("synthetic", synthetic()), ("bunny", bunny())] {
        // Batches of about 0.5 ms: long against the timer, short against time slices.
        let t = Instant::now();
        black_box(run_ours(&w));
        let batch = (500_000 / t.elapsed().as_nanos().max(1)).clamp(1, 1000) as usize;
        let time = |f: fn(&Workload) -> usize| {
            let t = Instant::now();
            for _ in 0..batch {
                black_box(f(black_box(&w)));
            }
            t.elapsed().as_nanos() as f64 / batch as f64
        };
        let (mut ours, mut theirs, mut ratio) = (Vec::new(), Vec::new(), Vec::new());
        for r in 0..rounds {
            let (o, t) = if r % 2 == 0 {
                let o = time(run_ours);
                (o, time(run_retina))
            } else {
                let t = time(run_retina);
                (time(run_ours), t)
            };
            ours.push(o);
            theirs.push(t);
            ratio.push(t / o);
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let q = |v: &Vec<f64>, p: f64| v[((v.len() - 1) as f64 * p) as usize];
        let (mo, mt, mr) = (median(&mut ours), median(&mut theirs), median(&mut ratio));
        // The fastest batch of each is the least disturbed one.
        let (fo, ft) = (ours[0], theirs[0]);
        eprintln!(
            "h264_ab/{name}: {rounds} rounds x {batch}: rtsp-proto {:.1} us, retina {:.1} us (medians); retina/rtsp-proto median of ratios {mr:.2}x (p10 {:.2}x, p90 {:.2}x); fastest batches {:.1} / {:.1} us = {:.2}x",
            mo / 1e3,
            mt / 1e3,
            q(&ratio, 0.1),
            q(&ratio, 0.9),
            fo / 1e3,
            ft / 1e3,
            ft / fo,
        );
    }
}

criterion_group!(benches, bench, interleaved);
criterion_main!(benches);
