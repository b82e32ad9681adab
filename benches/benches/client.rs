//! Throughput of the whole client on the recorded Wowza session (`data/bunny_session.rtsp`,
//! H.264 + AAC interleaved), repeated [`LOOPS`] times per iteration with continuous
//! sequence numbers and timestamps (see `rtsp_proto_benches::client::media_loops`):
//!
//! - `client/memory`: the stream fed from memory straight into a playing `ClientSession`
//!   (one recording-sized part at a time, split off without copying);
//! - `client/tcp`: under tokio (current-thread runtime), each client opens a loopback TCP
//!   connection to a mock server (its own thread) that answers DESCRIBE, SETUP and PLAY
//!   with Wowza's recorded answers and then writes the media as fast as the socket takes
//!   it. Only the streaming phase is timed: from the PLAY response (the server starts
//!   writing only then) to the end of the stream. retina's client runs through the same
//!   server in the same group.
//!
//! "frames" means depacketized to whole frames (ours: `emit_frames`, no per-packet events;
//! retina: `Session::demuxed`), "packets" means RTP packets only (ours: `emit_packets`
//! without depacketizers; retina: the `Session<Playing>` stream).
//!
//! `cargo bench --manifest-path benches/Cargo.toml --bench client [-- --warm-up-time 1 --measurement-time 3]`
#![allow(clippy::disallowed_methods)] // benches own the clock

use bytes::{Bytes, BytesMut};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rtsp_proto_benches::client::{
    config, feed_from_memory, media_loops, ours_tcp, playing_session, retina_tcp, Counts,
    MockServer, FRAMES_PER_LOOP, PACKETS_PER_LOOP,
};
use rtsp_proto_benches::BUNNY;
use std::time::{Duration, Instant};

/// Copies of the recording per iteration (64 × 162,200 B ≈ 10.4 MB, 640 s of media).
const LOOPS: u32 = 64;

fn check(counts: Counts, frames: bool) {
    if frames {
        assert_eq!(
            counts.frames,
            FRAMES_PER_LOOP * u64::from(LOOPS),
            "{counts:?}"
        );
    } else {
        assert_eq!(
            counts.packets,
            PACKETS_PER_LOOP * u64::from(LOOPS),
            "{counts:?}"
        );
    }
}

fn memory(c: &mut Criterion) {
    let media = media_loops(LOOPS);
    let mut g = c.benchmark_group("client/memory");
    g.throughput(Throughput::Bytes(media.len() as u64));
    for (name, frames) in [("rtsp-proto frames", true), ("rtsp-proto packets", false)] {
        g.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let mut client = playing_session(config(frames));
                    let stream = BytesMut::from(&media[..]);
                    let now = Instant::now();
                    let start = Instant::now();
                    let counts = feed_from_memory(&mut client, stream, BUNNY.len(), now);
                    total += start.elapsed();
                    check(counts, frames);
                }
                total
            })
        });
    }
    g.finish();
}

fn tcp(c: &mut Criterion) {
    let media = Bytes::from(media_loops(LOOPS));
    let server = MockServer::start(media.clone());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut g = c.benchmark_group("client/tcp");
    g.throughput(Throughput::Bytes(media.len() as u64));
    for (name, ours, frames) in [
        ("rtsp-proto frames", true, true),
        ("retina frames", false, true),
        ("rtsp-proto packets", true, false),
        ("retina packets", false, false),
    ] {
        g.bench_function(name, |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let (t, counts) = if ours {
                            ours_tcp(&server, frames).await
                        } else {
                            retina_tcp(&server, frames).await
                        };
                        check(counts, frames);
                        total += t;
                    }
                    total
                })
            })
        });
    }
    g.finish();
}

criterion_group!(benches, memory, tcp);
criterion_main!(benches);
