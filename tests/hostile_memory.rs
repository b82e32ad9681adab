//! Hostile input through the public API: a `Server` and a `ClientSession` are each fed
//! random bytes and mutated valid traffic (requests, responses, SDP, interleaved frames)
//! in large chunks, with virtual time running. Their memory stays bounded: the live heap
//! bytes of the whole process (a counting global allocator, `stats_alloc`, so no `unsafe`
//! here), sampled after every chunk, stay under a budget derived from the configured
//! limits; and the garbage is reported as typed errors (`Diagnostic::Malformed`,
//! `CloseReason::TooManyErrors`, `ClientError::Decode`).
//!
//! The counter is process-wide, so this file is its own test binary and its tests take a
//! lock to run one at a time. Always-run size: 8 MiB per machine and kind of input; the
//! full 1 GiB runs with `cargo test --release --test hostile_memory -- --ignored`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use bytes::BytesMut;
use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use rtsp_proto::client::{
    ClientConfig, ClientError, ClientEvent, ClientSession, PlayOptions, SetupTransport, TrackId,
};
use rtsp_proto::codec::g711::{G711Config, G711Packetizer};
use rtsp_proto::server::{
    CloseReason, Diagnostic, RequestKind, Server, ServerConfig, ServerEvent, TrackConfig, UdpPorts,
};
use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};
use std::alloc::System;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

const SMALL: usize = 8 << 20;
const FULL: usize = 1 << 30;
const CHUNK: usize = 64 * 1024;

/// Live heap bytes of the process.
fn live() -> i64 {
    let s = GLOBAL.stats();
    // `stats_alloc` already adds a reallocation's growth to `bytes_allocated` (and its
    // shrinking to `bytes_deallocated`); `bytes_reallocated` is the same change again.
    s.bytes_allocated as i64 - s.bytes_deallocated as i64
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Input {
    Random,
    Mutated,
}

const SDP: &str = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\na=control:trackID=0\r\n";

fn interleaved(rng: &mut StdRng, out: &mut Vec<u8>) {
    let len: u16 = if rng.random_bool(0.5) {
        rng.random_range(12..1500)
    } else {
        rng.random_range(12..=u16::MAX)
    };
    out.extend_from_slice(&[b'$', rng.random_range(0..8)]);
    out.extend_from_slice(&len.to_be_bytes());
    let start = out.len();
    out.resize(start + usize::from(len), 0);
    rng.fill_bytes(&mut out[start..]);
    out[start] = 0x80;
}

/// Valid requests and frames a client sends, before mutation.
fn valid_request(rng: &mut StdRng, cseq: u32, out: &mut Vec<u8>) {
    let url = "rtsp://127.0.0.1:8554/test";
    let s = match rng.random_range(0..9) {
        0 => format!("OPTIONS {url} RTSP/1.0\r\nCSeq: {cseq}\r\n\r\n"),
        1 => format!("DESCRIBE {url} RTSP/1.0\r\nCSeq: {cseq}\r\nAccept: application/sdp\r\n\r\n"),
        2 => format!("SETUP {url}/trackID=0 RTSP/1.0\r\nCSeq: {cseq}\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n"),
        3 => format!("SETUP {url}/trackID=0 RTSP/1.0\r\nCSeq: {cseq}\r\nTransport: RTP/AVP;unicast;client_port=5000-5001\r\n\r\n"),
        4 => format!("PLAY {url}/ RTSP/1.0\r\nCSeq: {cseq}\r\nSession: 0123456789abcdef\r\nRange: npt=0-\r\n\r\n"),
        5 => format!("ANNOUNCE rtsp://127.0.0.1:8554/pub RTSP/1.0\r\nCSeq: {cseq}\r\nContent-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{SDP}", SDP.len()),
        6 => format!("GET_PARAMETER {url}/ RTSP/2.0\r\nCSeq: {cseq}\r\nSession: 0123456789abcdef\r\n\r\n"),
        7 => format!("TEARDOWN {url}/ RTSP/1.0\r\nCSeq: {cseq}\r\nSession: 0123456789abcdef\r\n\r\n"),
        _ => {
            interleaved(rng, out);
            return;
        }
    };
    out.extend_from_slice(s.as_bytes());
}

/// Valid responses, server requests and frames a server sends, before mutation.
fn valid_response(rng: &mut StdRng, cseq: u32, out: &mut Vec<u8>) {
    let s = match rng.random_range(0..7) {
        0 => format!("RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nContent-Base: rtsp://127.0.0.1:8554/test/\r\nContent-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{SDP}", SDP.len()),
        1 => format!("RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=01020304\r\nSession: 0123456789abcdef;timeout=60\r\n\r\n"),
        2 => format!("RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nSession: 0123456789abcdef\r\nRTP-Info: url=rtsp://127.0.0.1:8554/test/trackID=0;seq=1;rtptime=0\r\nRange: npt=0-\r\n\r\n"),
        3 => format!("RTSP/1.0 401 Unauthorized\r\nCSeq: {cseq}\r\nWWW-Authenticate: Digest realm=\"r\", nonce=\"abc\", algorithm=MD5\r\n\r\n"),
        4 => format!("OPTIONS * RTSP/1.0\r\nCSeq: {cseq}\r\n\r\n"),
        5 => format!("RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n"),
        _ => {
            interleaved(rng, out);
            return;
        }
    };
    out.extend_from_slice(s.as_bytes());
}

fn mutate(rng: &mut StdRng, msg: &mut Vec<u8>) {
    if msg.is_empty() || rng.random_bool(0.3) {
        return; // some stay valid
    }
    for _ in 0..rng.random_range(1..4) {
        let len = msg.len();
        let at = rng.random_range(0..len.max(1));
        match rng.random_range(0..6) {
            0 => msg[at.min(len - 1)] = rng.random(),
            1 => msg.insert(at, rng.random()),
            2 => {
                let end = (at + rng.random_range(1..16)).min(len);
                msg.drain(at..end);
            }
            3 => msg.truncate(at),
            4 => {
                // Repeat a slice (long header lines, repeated headers).
                let end = (at + rng.random_range(1..64)).min(len);
                let piece = msg[at..end].to_vec();
                for _ in 0..rng.random_range(1..64) {
                    msg.splice(at..at, piece.iter().copied());
                }
            }
            _ => {
                // A digit becomes a huge number (Content-Length, CSeq, ports).
                if let Some(p) = msg.iter().position(u8::is_ascii_digit) {
                    msg.splice(p..p, b"99999999999".iter().copied());
                }
            }
        }
        if msg.is_empty() {
            return;
        }
    }
}

fn chunk(rng: &mut StdRng, kind: Input, server_side: bool, cseq: &mut u32, out: &mut Vec<u8>) {
    out.clear();
    match kind {
        Input::Random => {
            out.resize(CHUNK, 0);
            rng.fill_bytes(out);
        }
        Input::Mutated => {
            let mut msg = Vec::new();
            while out.len() < CHUNK {
                msg.clear();
                *cseq = cseq.wrapping_add(1);
                let c = if rng.random_bool(0.9) {
                    *cseq
                } else {
                    rng.random()
                };
                if server_side {
                    valid_request(rng, c, &mut msg);
                } else {
                    valid_response(rng, c, &mut msg);
                }
                mutate(rng, &mut msg);
                out.extend_from_slice(&msg);
            }
        }
    }
}

/// Budget for a server with default limits and one hostile connection at a time: the
/// caller's buffer (at most one partial message: head + body), the chunk, and the
/// server's own bounded queues (output 1 MiB, events, sessions) with slack for
/// allocator-visible overheads.
const SERVER_BUDGET: i64 = 8 << 20;
/// A client: the buffer, the chunk, its bounded event and transmit queues, reorder buffer.
const CLIENT_BUDGET: i64 = 8 << 20;

fn feed_server(kind: Input, total: usize) -> (i64, usize, usize) {
    let mut config = ServerConfig::default();
    config.rng = Box::new(StdRng::seed_from_u64(1));
    config.udp_ports = Some(UdpPorts {
        rtp: 8000,
        rtcp: 8001,
    });
    let mut server = Server::new(config);
    let packetizer = G711Packetizer::new(&G711Config::pcmu(), 1200).unwrap();
    let mount = server
        .add_mount(
            "/test",
            vec![TrackConfig::new("trackID=0", 0, 8000).with_packetizer(Box::new(packetizer))],
        )
        .unwrap();
    let mut rng = StdRng::seed_from_u64(kind as u64 + 10);
    #[allow(clippy::disallowed_methods)]
    let mut now = Instant::now();
    let peer = "127.0.0.1:40000".parse().unwrap();
    let local = "127.0.0.1:8554".parse().unwrap();
    let mut conn = server.accept(now, peer, local).unwrap();
    let mut buf = BytesMut::with_capacity(CHUNK);
    let mut input = Vec::with_capacity(CHUNK * 2);
    let mut cseq = 0;
    let (mut malformed, mut cut) = (0, 0);
    let baseline = live();
    let mut peak = 0;
    let mut fed = 0;
    let mut n = 0u32;
    while fed < total {
        chunk(&mut rng, kind, true, &mut cseq, &mut input);
        fed += input.len();
        buf.extend_from_slice(&input);
        server.handle_stream(now, conn, &mut buf);
        n += 1;
        let _ = server.send_frame(
            now,
            mount,
            rtsp_proto::server::TrackId(0),
            n * 160,
            &[0; 160],
        );
        now += Duration::from_millis(20);
        server.handle_timeout(now);
        let mut reconnect = false;
        while let Some(e) = server.poll_event() {
            match e {
                ServerEvent::Request(r) => {
                    let _ = match &r.kind {
                        RequestKind::Describe => server.respond_describe(now, r.id, SDP),
                        _ => server.accept_request(now, r.id),
                    };
                }
                ServerEvent::Diagnostic(Diagnostic::Malformed { .. }) => malformed += 1,
                ServerEvent::ConnectionClosed { reason, .. } => {
                    assert_eq!(reason, CloseReason::TooManyErrors);
                    cut += 1;
                    reconnect = true;
                }
                _ => {}
            }
        }
        while let Some(c) = server.poll_writable() {
            while server.poll_stream_output(c).is_some() {}
        }
        while server.poll_transmit().is_some() {}
        peak = peak.max(live() - baseline);
        if reconnect || server.connection_count() == 0 {
            server.connection_closed(now, conn);
            conn = server.accept(now, peer, local).unwrap();
            buf.clear();
        }
        assert!(
            buf.len() <= 1 << 20,
            "the caller's buffer holds one message at most"
        );
    }
    drop(buf);
    assert!(peak < SERVER_BUDGET, "{kind:?}: peak {peak} bytes");
    (peak, malformed, cut)
}

fn feed_client(kind: Input, total: usize) -> (i64, usize) {
    let mut rng = StdRng::seed_from_u64(kind as u64 + 20);
    #[allow(clippy::disallowed_methods)]
    let mut now = Instant::now();
    let new_session = |now, seed| {
        let mut s =
            ClientSession::new("rtsp://127.0.0.1:8554/test", ClientConfig::seeded(seed)).unwrap();
        s.describe(now).unwrap();
        s
    };
    let mut session = new_session(now, 0);
    let mut buf = BytesMut::with_capacity(CHUNK);
    let mut input = Vec::with_capacity(CHUNK * 2);
    let mut cseq = 0;
    let mut decode_errors = 0;
    let baseline = live();
    let mut peak = 0;
    let mut fed = 0;
    let mut sessions = 0u64;
    while fed < total {
        chunk(&mut rng, kind, false, &mut cseq, &mut input);
        fed += input.len();
        buf.extend_from_slice(&input);
        let mut closed = match session.handle_stream(now, &mut buf) {
            Ok(()) => false,
            Err(ClientError::Decode(_)) => {
                decode_errors += 1;
                true
            }
            Err(e) => panic!("untyped or unexpected error: {e:?}"),
        };
        now += Duration::from_millis(20);
        session.handle_timeout(now);
        while session.poll_transmit().is_some() {}
        while let Some(e) = session.poll_event() {
            match e {
                ClientEvent::Described { .. } => {
                    let _ = session.setup(now, TrackId(0), SetupTransport::Tcp);
                }
                ClientEvent::TrackSetUp { .. } => {
                    let _ = session.play(now, PlayOptions::default());
                }
                ClientEvent::Closed { .. } => closed = true,
                _ => {}
            }
        }
        while session.poll_transmit().is_some() {}
        peak = peak.max(live() - baseline);
        if closed {
            sessions += 1;
            session = new_session(now, sessions);
            buf.clear();
        }
        assert!(
            buf.len() <= 1 << 20,
            "the caller's buffer holds one message at most"
        );
    }
    drop(buf);
    assert!(peak < CLIENT_BUDGET, "{kind:?}: peak {peak} bytes");
    (peak, decode_errors)
}

fn server_run(total: usize) {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (peak, malformed, cut) = feed_server(Input::Random, total);
    eprintln!("server, random: peak {peak} B, {malformed} malformed, {cut} connections cut");
    assert!(malformed > 0 && cut > 0);
    let (peak, malformed, cut) = feed_server(Input::Mutated, total);
    eprintln!("server, mutated: peak {peak} B, {malformed} malformed, {cut} connections cut");
    assert!(malformed > 0);
}

fn client_run(total: usize) {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (peak, errors) = feed_client(Input::Random, total);
    eprintln!("client, random: peak {peak} B, {errors} decode errors");
    assert!(errors > 0);
    let (peak, errors) = feed_client(Input::Mutated, total);
    eprintln!("client, mutated: peak {peak} B, {errors} decode errors");
    assert!(errors > 0);
}

#[test]
fn server_memory_stays_bounded_under_random_and_mutated_input() {
    server_run(SMALL);
}

#[test]
fn client_memory_stays_bounded_under_random_and_mutated_input() {
    client_run(SMALL);
}

#[test]
#[ignore = "1 GiB per input kind: run with --release -- --ignored"]
fn server_memory_stays_bounded_under_a_gigabyte() {
    server_run(FULL);
}

#[test]
#[ignore = "1 GiB per input kind: run with --release -- --ignored"]
fn client_memory_stays_bounded_under_a_gigabyte() {
    client_run(FULL);
}
