//! H.264 depacketization throughput: rtsp-proto's `H264Depacketizer` against retina's
//! and webrtc-rs' (`rtp::codecs::h264::H264Packet`), on the same packets in the same run.
//!
//! Workloads (`rtsp_proto_benches::h264`, shared with `src/bin/h264probe.rs`):
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

#![allow(clippy::disallowed_methods)] // benches own the clock

use bytes::BytesMut;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rtsp_proto_benches::h264::{self, bunny, synthetic, Workload};
use std::hint::black_box;
use std::time::Duration;

fn run_ours(w: &Workload) -> usize {
    h264::run_ours(w).0
}

fn run_retina(w: &Workload) -> usize {
    h264::run_retina(w).0
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
