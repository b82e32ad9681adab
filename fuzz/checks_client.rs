//! The property the `client_bytes` fuzz target checks, shared with
//! `tests/client_fuzz_corpus.rs` (which replays the committed corpus under `cargo test`).
//!
//! The input is a little program for a `ClientSession`: each op is one byte, most followed
//! by operands. Server bytes arrive in chunks, datagrams on any track, the clock jumps, the
//! application calls intents at any time and the connection may drop. After every op the
//! check drains transmits and events and asserts:
//! - no panic (anything inside `rtsp_proto`);
//! - bounded queues: what one op makes the session queue is bounded by the limits;
//! - `poll_timeout` is never in the past after `handle_timeout`;
//! - requests in flight never exceed `max_in_flight`, and any in flight means a timer;
//! - at the end, after the clock jumps an hour, every request id an intent returned got
//!   exactly one `Response` or `RequestTimedOut`, and a closed session has no timer and
//!   nothing in flight.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use bytes::{Bytes, BytesMut};
use rtsp_proto::client::{
    ClientConfig, ClientEvent, ClientSession, PlayOptions, RequestId, SetupTransport, State,
    StreamKind, TrackId,
};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Small limits, so that short inputs reach them.
pub fn config() -> ClientConfig {
    let mut c = ClientConfig::seeded(1);
    c.limits.max_in_flight = 4;
    c.limits.max_events = 64;
    c.limits.max_transmits = 32;
    c.limits.max_tracks = 4;
    c
}

struct Run {
    client: ClientSession,
    now: Instant,
    buf: BytesMut,
    issued: BTreeMap<RequestId, u32>,
}

impl Run {
    fn drain(&mut self, op_input_len: usize) {
        let limits = config().limits;
        let mut transmits = 0usize;
        while self.client.poll_transmit().is_some() {
            transmits += 1;
        }
        // Requests (and their automatic retries), answers to server requests, reports.
        assert!(
            transmits <= limits.max_transmits + 2 * limits.max_in_flight + op_input_len,
            "{transmits} transmits from one op"
        );
        let mut events = 0usize;
        while let Some(e) = self.client.poll_event() {
            events += 1;
            match e {
                ClientEvent::Response { id, .. } | ClientEvent::RequestTimedOut { id, .. } => {
                    let n = self
                        .issued
                        .get_mut(&id)
                        .expect("answer to a request never made");
                    *n += 1;
                    assert_eq!(*n, 1, "request {id:?} answered twice");
                }
                _ => {}
            }
        }
        // Media and diagnostics are capped by max_events; responses, server requests and
        // the few bookkeeping events by the input itself.
        assert!(
            events <= limits.max_events + 2 * limits.max_in_flight + op_input_len + 32,
            "{events} events from one op"
        );
        if self.client.state() == State::Closed {
            assert!(self.client.poll_timeout().is_none());
        }
        // Requests in flight are bounded, and each has a deadline.
        let in_flight = self.client.in_flight_count();
        assert!(
            in_flight <= limits.max_in_flight,
            "{in_flight} requests in flight"
        );
        if in_flight > 0 {
            assert!(
                self.client.poll_timeout().is_some(),
                "a request without deadline"
            );
        }
        assert_eq!(
            self.client.queued_counts(),
            (0, 0),
            "drained queues stay empty"
        );
    }

    fn issue(&mut self, r: Result<RequestId, rtsp_proto::client::ClientError>) {
        if let Ok(id) = r {
            assert!(self.issued.insert(id, 0).is_none(), "request id reused");
        }
    }
}

/// Runs the program in `data`.
#[allow(clippy::disallowed_methods)] // the fuzz harness owns a clock origin
pub fn check_client_bytes(data: &[u8]) {
    let Ok(client) = ClientSession::new("rtsp://user:pass@192.0.2.1:554/stream", config()) else {
        panic!("valid url refused");
    };
    let mut run = Run {
        client,
        now: Instant::now(),
        buf: BytesMut::new(),
        issued: BTreeMap::new(),
    };
    let mut it = data.iter().copied();
    while let Some(op) = it.next() {
        let mut consumed = 1usize;
        match op % 8 {
            0..=2 => {
                let len = usize::from(it.next().unwrap_or(0));
                let chunk: Vec<u8> = it.by_ref().take(len).collect();
                consumed += chunk.len();
                run.buf.extend_from_slice(&chunk);
                let before = run.buf.len();
                let _ = run.client.handle_stream(run.now, &mut run.buf);
                assert!(run.buf.len() <= before);
            }
            3 => {
                let hi = it.next().unwrap_or(0);
                let lo = it.next().unwrap_or(0);
                run.now += Duration::from_millis(u64::from(u16::from_be_bytes([hi, lo])) * 10);
                run.client.handle_timeout(run.now);
                // Nothing is left due: a timer in the past would spin the caller.
                assert!(run.client.poll_timeout().is_none_or(|t| t > run.now));
            }
            4 => {
                let sel = it.next().unwrap_or(0);
                let len = usize::from(it.next().unwrap_or(0));
                let d: Vec<u8> = it.by_ref().take(len).collect();
                consumed += d.len();
                let kind = if sel & 1 == 0 {
                    StreamKind::Rtp
                } else {
                    StreamKind::Rtcp
                };
                let from = "192.0.2.1:6000".parse().unwrap();
                run.client.handle_datagram(
                    run.now,
                    TrackId(usize::from(sel >> 1) % 5),
                    kind,
                    from,
                    Bytes::from(d),
                );
            }
            5 => {
                let sel = it.next().unwrap_or(0);
                let track = TrackId(usize::from(sel >> 4) % 5);
                let now = run.now;
                let r = match (sel & 0x0f) % 11 {
                    0 => run.client.options(now),
                    1 => run.client.describe(now),
                    2 => run.client.setup(now, track, SetupTransport::Tcp),
                    3 => run.client.setup(now, track, SetupTransport::Udp { client_port: 5000 }),
                    4 => run
                        .client
                        .setup(now, track, SetupTransport::TcpThenUdp { client_port: 5002 }),
                    5 => run.client.play(now, PlayOptions::default()),
                    6 => run.client.pause(now),
                    7 => run.client.teardown(now).and_then(|id| {
                        id.ok_or(rtsp_proto::client::ClientError::ConnectionClosed)
                    }),
                    8 => run.client.get_parameter(now, Bytes::new()),
                    10 => run.client.setup(now, track, SetupTransport::Multicast),
                    _ => run
                        .client
                        .announce(now, Bytes::from_static(b"v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:streamid=0\r\n")),
                };
                run.issue(r);
            }
            6 => {
                let len = usize::from(it.next().unwrap_or(0));
                let d: Vec<u8> = it.by_ref().take(len).collect();
                consumed += d.len();
                let _ = run.client.send_rtp(run.now, TrackId(0), &d);
            }
            _ => run.client.handle_close(run.now),
        }
        run.drain(consumed + 2);
    }
    // An hour later every request has been answered or has timed out.
    run.now += Duration::from_secs(3600);
    run.client.handle_timeout(run.now);
    run.drain(0);
    for (id, n) in &run.issued {
        assert_eq!(*n, 1, "request {id:?} neither answered nor timed out");
    }
    run.client.handle_close(run.now);
    run.drain(0);
    assert!(run.client.poll_timeout().is_none());
    assert_eq!(run.client.in_flight_count(), 0, "requests left in flight");
}
