//! Allocations of the H.264 depacketizer, counted with a counting global allocator
//! (`stats_alloc`; the crate forbids `unsafe`, so the allocator comes from there): after
//! warm-up, no allocation per packet and exactly one per emitted frame.
//!
//! One test in this binary, so no other test thread allocates while it counts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bytes::Bytes;
use rtsp_proto::codec::h264::{H264Config, H264Depacketizer, H264Packetizer, H264PacketizerConfig};
use rtsp_proto::codec::nal::NalFormat;
use rtsp_proto::codec::{Depacketizer, Packetizer, RtpPacket};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use std::alloc::System;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// A GOP of one large keyframe (SPS, PPS, 100 kB IDR: FU-A fragmented) and small P
/// frames, packetized at MTU 1,400.
fn stream(gops: usize) -> (Vec<RtpPacket>, usize) {
    let sps =
        b"\x67\x42\xc0\x1e\xd9\x03\xc5\x68\x40\x00\x00\x03\x00\x40\x00\x00\x0c\x03\xc5\x8b\x92"
            .to_vec();
    let pps = b"\x68\xcb\x8c\xb2".to_vec();
    let body = |n: usize, seed: u8| -> Vec<u8> {
        (0..n)
            .map(|i| ((i as u8).wrapping_mul(31) ^ seed) | 1)
            .collect()
    };
    let mut p = H264Packetizer::new(H264PacketizerConfig::default()).unwrap();
    let mut packets = Vec::new();
    let mut frames = 0;
    let mut seq = 0u16;
    for g in 0..gops {
        for i in 0..15usize {
            let mut au = Vec::new();
            if i == 0 {
                for n in [&sps, &pps] {
                    au.extend_from_slice(&[0, 0, 0, 1]);
                    au.extend_from_slice(n);
                }
                au.extend_from_slice(&[0, 0, 0, 1, 0x65]);
                au.extend_from_slice(&body(100_000, g as u8));
            } else {
                au.extend_from_slice(&[0, 0, 0, 1, 0x41]);
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
                    payload: pl.to_bytes(),
                });
            })
            .unwrap();
            frames += 1;
        }
    }
    (packets, frames)
}

/// The counting allocator is process-wide, so a rare allocation by another thread of the
/// test harness can land inside the measured region: the measurement runs up to three
/// times and must come out exact once (a real per-packet allocation shows every time).
fn measure(format: NalFormat) {
    for round in 0..3 {
        match measure_once(format) {
            Ok(()) => return,
            Err(msg) => eprintln!("{format:?} round {round}: {msg}"),
        }
    }
    panic!("{format:?}: allocation counts off in three rounds (see above)");
}

fn measure_once(format: NalFormat) -> Result<(), String> {
    let (packets, frames) = stream(6);
    let split = packets
        .iter()
        .position(|p| p.timestamp >= 2 * 15 * 6000)
        .unwrap();
    let (warm, measured) = packets.split_at(split);
    let mut c = H264Config::default();
    c.output = format;
    let mut d = H264Depacketizer::new(c);
    for p in warm {
        d.push(p.clone()).unwrap();
        while d.pull().is_some() {}
    }
    // Clone the packets outside the counted region (cloning a Vec-backed Bytes may
    // allocate its shared header); the depacketizer takes them by value.
    let measured: Vec<RtpPacket> = measured
        .iter()
        .map(|p| RtpPacket {
            payload: Bytes::copy_from_slice(&p.payload),
            ..p.clone()
        })
        .collect();
    let n_packets = measured.len();
    let mut emitted = 0usize;
    let region = Region::new(GLOBAL);
    for p in measured {
        d.push(p).unwrap();
        while let Some(f) = d.pull() {
            emitted += 1;
            drop(f);
        }
    }
    let stats = region.change();
    assert_eq!(emitted, frames - 2 * 15);
    eprintln!(
        "{format:?}: {n_packets} packets, {emitted} frames: {} allocations, {} reallocations \
         ({:.3} per packet, {:.3} per frame)",
        stats.allocations,
        stats.reallocations,
        (stats.allocations + stats.reallocations) as f64 / n_packets as f64,
        (stats.allocations + stats.reallocations) as f64 / emitted as f64,
    );
    if stats.reallocations != 0 || stats.allocations != emitted {
        return Err(format!(
            "{} allocations and {} reallocations for {emitted} frames: \
             want one allocation per frame, none per packet",
            stats.allocations, stats.reallocations
        ));
    }
    Ok(())
}

#[test]
fn one_allocation_per_frame_and_none_per_packet() {
    measure(NalFormat::AnnexB);
    measure(NalFormat::LengthPrefixed);
}
