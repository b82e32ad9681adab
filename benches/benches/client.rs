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
use futures::StreamExt;
use rtsp_proto::client::{
    ClientConfig, ClientEvent, ClientSession, Destination, PlayOptions, SetupTransport, TrackId,
};
use rtsp_proto::Method;
use rtsp_proto_benches::client::{
    feed_from_memory, media_loops, playing_session, url, Counts, MockServer, FRAMES_PER_LOOP,
    PACKETS_PER_LOOP,
};
use rtsp_proto_benches::BUNNY;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Copies of the recording per iteration (64 × 162,200 B ≈ 10.4 MB, 640 s of media).
const LOOPS: u32 = 64;

/// Ours reads into a buffer kept at least this free, retina's ring buffer is 64 KiB too.
const READ_BUF: usize = 64 * 1024;

fn config(frames: bool) -> ClientConfig {
    let mut c = ClientConfig::seeded(1);
    c.emit_frames = frames;
    c.emit_packets = !frames;
    c
}

fn tracks(client: &ClientSession) -> usize {
    client.tracks().len()
}

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

/// Our client under tokio: one task drives the session over the connection, as
/// `examples/tokio_client.rs` does (transmits, events, then a read or the next timeout).
async fn ours_tcp(server: &MockServer, frames: bool) -> (Duration, Counts) {
    let addr = server.addr();
    let mut conn = tokio::net::TcpStream::connect(addr).await.expect("connect");
    conn.set_nodelay(true).expect("nodelay");
    let mut client = ClientSession::new(&url(addr), config(frames)).expect("client");
    let mut buf = BytesMut::with_capacity(READ_BUF);
    let mut counts = Counts::default();
    let mut next_setup = 0;
    let mut start = None;
    let sleep = tokio::time::sleep(Duration::from_secs(3600));
    tokio::pin!(sleep);
    let mut armed = None;
    client.describe(Instant::now()).expect("describe");
    loop {
        while let Some(t) = client.poll_transmit() {
            if t.destination == Destination::Control {
                conn.write_all(&t.data).await.expect("write");
            }
        }
        let mut queued = false;
        while let Some(ev) = client.poll_event() {
            match &ev {
                ClientEvent::Response {
                    method, response, ..
                } => {
                    assert!(response.status.is_success(), "{method}: {response:?}");
                    let now = Instant::now();
                    if *method == Method::PLAY {
                        start = Some(now);
                        server.go();
                    } else if next_setup < tracks(&client) {
                        client
                            .setup(now, TrackId(next_setup), SetupTransport::Tcp)
                            .expect("setup");
                        next_setup += 1;
                        queued = true;
                    } else {
                        client.play(now, PlayOptions::default()).expect("play");
                        queued = true;
                    }
                }
                ClientEvent::Closed { .. } => {
                    let start = start.expect("closed while playing");
                    return (start.elapsed(), counts);
                }
                _ => counts.event(&ev),
            }
        }
        if queued {
            continue;
        }
        let wake = client.poll_timeout();
        if wake != armed {
            if let Some(w) = wake {
                sleep.as_mut().reset(w.into());
            }
            armed = wake;
        }
        if buf.capacity() - buf.len() < 4096 {
            buf.reserve(READ_BUF);
        }
        tokio::select! {
            biased;
            n = conn.read_buf(&mut buf) => {
                let now = Instant::now();
                match n {
                    Ok(0) | Err(_) => client.handle_close(now),
                    Ok(_) => client.handle_stream(now, &mut buf).expect("stream decodes"),
                }
            }
            () = &mut sleep, if armed.is_some() => {
                armed = None;
                client.handle_timeout(Instant::now());
            }
        }
    }
}

/// retina's client through the same server: DESCRIBE, SETUP of both streams (TCP is its
/// default), PLAY; then its packet stream, or the demuxed frame stream, to the end.
async fn retina_tcp(server: &MockServer, frames: bool) -> (Duration, Counts) {
    let url = url::Url::parse(&url(server.addr())).expect("url");
    let mut session =
        retina::client::Session::describe(url, retina::client::SessionOptions::default())
            .await
            .expect("describe");
    for i in 0..session.streams().len() {
        session
            .setup(i, retina::client::SetupOptions::default())
            .await
            .expect("setup");
    }
    let playing = session
        .play(retina::client::PlayOptions::default())
        .await
        .expect("play");
    let start = Instant::now();
    server.go();
    let mut counts = Counts::default();
    if frames {
        let demuxed = playing.demuxed().expect("demuxed");
        tokio::pin!(demuxed);
        while let Some(item) = demuxed.next().await {
            match item.expect("frame") {
                retina::codec::CodecItem::VideoFrame(f) => {
                    counts.frames += 1;
                    counts.bytes += f.data().len() as u64;
                }
                retina::codec::CodecItem::AudioFrame(f) => {
                    counts.frames += 1;
                    counts.bytes += f.data().len() as u64;
                }
                _ => {}
            }
        }
    } else {
        tokio::pin!(playing);
        while let Some(item) = playing.next().await {
            if let retina::client::PacketItem::Rtp(p) = item.expect("packet") {
                counts.packets += 1;
                counts.bytes += p.raw().len() as u64;
            }
        }
    }
    (start.elapsed(), counts)
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
