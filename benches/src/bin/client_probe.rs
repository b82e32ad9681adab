//! The client benchmark's in-memory path (`client/memory` in `benches/client.rs`) without
//! criterion around it: counts heap allocations per RTP packet, and runs the streaming
//! phase in a loop for a profiler (`valgrind --tool=callgrind`).
//!
//! ```text
//! cargo run --release --manifest-path benches/Cargo.toml --bin client_probe            # allocations
//! valgrind --tool=callgrind benches/target/release/client_probe loop frames 20
//! valgrind --tool=callgrind benches/target/release/client_probe loop packets 20
//! benches/target/release/client_probe time frames 64 30                  # wall clock
//! ```
//!
//! `loop MODE N` sets a session up, then feeds N copies of the recording (continuous
//! sequence numbers and timestamps) from memory, one recording-sized part at a time.
//! `ratio N REPS` alternates REPS in-memory frame sessions of N copies with as many of
//! retina's TCP frame sessions and prints both rates (GB/s) and their ratio.
//! `tcp ours|retina MODE N` runs N sessions of the benchmark's TCP path (64 copies each,
//! from the mock server): the difference of two counts under callgrind gives one client's
//! instructions per session, independent of the machine's load.

#![allow(clippy::disallowed_methods)] // the probe owns the clock

use bytes::BytesMut;
use rtsp_proto_benches::alloc_count::{self, Counting};
use rtsp_proto_benches::client::{
    config, feed_from_memory, media_loops, ours_tcp, playing_session, retina_tcp, MockServer,
    FRAMES_PER_LOOP, PACKETS_PER_LOOP,
};
use rtsp_proto_benches::BUNNY;
use std::time::Instant;

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Sets up a session, then streams `loops` copies; returns (allocations, bytes allocated)
/// of the streaming phase alone.
fn run(frames: bool, loops: u32) -> (u64, u64) {
    let media = media_loops(loops);
    let mut client = playing_session(config(frames));
    let stream = BytesMut::from(&media[..]);
    let now = Instant::now();
    let before = alloc_count::counts();
    let counts = feed_from_memory(&mut client, stream, BUNNY.len(), now);
    let c = alloc_count::counts().since(before);
    let out = (c.allocs + c.reallocs, c.bytes);
    if frames {
        assert_eq!(counts.frames, FRAMES_PER_LOOP * u64::from(loops));
    } else {
        assert_eq!(counts.packets, PACKETS_PER_LOOP * u64::from(loops));
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["loop", mode, n] => {
            let frames = *mode == "frames";
            let n: u32 = n.parse().expect("a loop count");
            run(frames, n);
        }
        ["time", mode, n, reps] => {
            // Wall-clock of the in-memory streaming phase, `reps` fresh sessions of `n`
            // copies each: best and median throughput (a quick look without criterion).
            let frames = *mode == "frames";
            let n: u32 = n.parse().expect("a loop count");
            let reps: usize = reps.parse().expect("a repetition count");
            let media = media_loops(n);
            let mut secs: Vec<f64> = (0..reps.max(1))
                .map(|_| {
                    let mut client = playing_session(config(frames));
                    let stream = BytesMut::from(&media[..]);
                    let start = Instant::now();
                    feed_from_memory(&mut client, stream, BUNNY.len(), start);
                    start.elapsed().as_secs_f64()
                })
                .collect();
            secs.sort_by(f64::total_cmp);
            let rate = |s: f64| media.len() as f64 / s / f64::from(1u32 << 30);
            println!(
                "{mode}: best {:.2} GiB/s, median {:.2} GiB/s ({} bytes, {} runs)",
                rate(secs[0]),
                rate(secs[secs.len() / 2]),
                media.len(),
                secs.len()
            );
        }
        ["ratio", n, reps] => {
            // The issue's yardstick in one run, interleaved so that both sides see the same
            // machine: our in-memory frames path (64 copies per session) against retina's
            // frames over loopback TCP, alternating one session of each `reps` times.
            let n: u32 = n.parse().expect("a loop count");
            let reps: usize = reps.parse().expect("a repetition count");
            let media = media_loops(n);
            let server = MockServer::start(media.clone().into());
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            let (mut ours, mut retina) = (Vec::new(), Vec::new());
            for _ in 0..reps.max(1) {
                let mut client = playing_session(config(true));
                let stream = BytesMut::from(&media[..]);
                let start = Instant::now();
                let counts = feed_from_memory(&mut client, stream, BUNNY.len(), start);
                ours.push(start.elapsed().as_secs_f64());
                assert_eq!(counts.frames, FRAMES_PER_LOOP * u64::from(n));
                let (t, counts) = rt.block_on(retina_tcp(&server, true));
                retina.push(t.as_secs_f64());
                assert_eq!(counts.frames, FRAMES_PER_LOOP * u64::from(n));
            }
            ours.sort_by(f64::total_cmp);
            retina.sort_by(f64::total_cmp);
            let gbs = |s: f64| media.len() as f64 / s / 1e9;
            let (ob, om) = (gbs(ours[0]), gbs(ours[ours.len() / 2]));
            let (rb, rm) = (gbs(retina[0]), gbs(retina[retina.len() / 2]));
            println!(
                "memory frames: best {ob:.2} GB/s, median {om:.2} GB/s; retina tcp frames: best {rb:.2} GB/s, \
                 median {rm:.2} GB/s; ratio best {:.2}x, median {:.2}x ({} runs each)",
                ob / rb,
                om / rm,
                ours.len()
            );
        }
        ["tcp", client, mode, n] => {
            let frames = *mode == "frames";
            let n: u32 = n.parse().expect("a session count");
            let loops = 64;
            let server = MockServer::start(media_loops(loops).into());
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            for _ in 0..n {
                let (_, counts) = rt.block_on(async {
                    if *client == "retina" {
                        retina_tcp(&server, frames).await
                    } else {
                        ours_tcp(&server, frames).await
                    }
                });
                let want = if frames {
                    (counts.frames, FRAMES_PER_LOOP)
                } else {
                    (counts.packets, PACKETS_PER_LOOP)
                };
                assert_eq!(want.0, want.1 * u64::from(loops));
            }
        }
        [] => {
            for (name, frames) in [("frames", true), ("packets", false)] {
                // The difference of two runs leaves out what the first pass sets up.
                let (a1, b1) = run(frames, 1);
                let (a9, b9) = run(frames, 9);
                let packets = PACKETS_PER_LOOP * 8;
                println!(
                    "{name}: {:.2} allocations and {:.0} bytes per RTP packet \
                     ({} packets, {} frames per pass; first pass {a1} allocations, {b1} bytes)",
                    (a9 - a1) as f64 / packets as f64,
                    (b9 - b1) as f64 / packets as f64,
                    PACKETS_PER_LOOP,
                    FRAMES_PER_LOOP,
                );
            }
        }
        _ => {
            eprintln!(
                "usage: client_probe [loop frames|packets N | time frames|packets N REPS | ratio N REPS | tcp ours|retina frames|packets N]"
            );
            std::process::exit(2);
        }
    }
}
