//! Hostile peers against the `Server`, in virtual time (no sleeps): each is cut off at the
//! configured limit or timeout, and the server holds nothing for it afterwards.
//! - slowloris: one byte a second of a never-ending header → `read_timeout`;
//! - a peer that never reads → `max_output_bytes`, closed as a slow reader;
//! - a peer that opens sessions and never plays → `max_sessions`, then `session_timeout`;
//! - a peer flooding interleaved frames on unassigned channels → frames dropped,
//!   diagnostics bounded by `max_events`, the connection still serves requests.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use bytes::BytesMut;
use rand::rngs::StdRng;
use rand::SeedableRng;
use rtsp_proto::codec::g711::{G711Config, G711Packetizer};
use rtsp_proto::header::Session;
use rtsp_proto::message::{Decoder, Message, Response};
use rtsp_proto::server::{
    CloseReason, ConnectionId, Diagnostic, MountId, RequestKind, Server, ServerConfig, ServerEvent,
    ServerLimits, SessionEndReason, TrackConfig, TrackId, UdpPorts,
};
use rtsp_proto::StatusCode;
use std::time::{Duration, Instant};

const SDP: &str = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\na=control:trackID=0\r\n";
const URL: &str = "rtsp://127.0.0.1:8554/test";

struct World {
    server: Server,
    mount: MountId,
    now: Instant,
    conn: ConnectionId,
    decoder: Decoder,
    inbox: BytesMut,
    cseq: u32,
    /// Every non-request event seen so far.
    seen: Vec<ServerEvent>,
}

impl World {
    fn new(config_fn: impl FnOnce(&mut ServerConfig)) -> World {
        let mut config = ServerConfig::default();
        config.rng = Box::new(StdRng::seed_from_u64(5));
        config.udp_ports = Some(UdpPorts {
            rtp: 8000,
            rtcp: 8001,
        });
        config_fn(&mut config);
        let mut server = Server::new(config);
        let packetizer = G711Packetizer::new(&G711Config::pcmu(), 1200).unwrap();
        let mount = server
            .add_mount(
                "/test",
                vec![TrackConfig::new("trackID=0", 0, 8000).with_packetizer(Box::new(packetizer))],
            )
            .unwrap();
        #[allow(clippy::disallowed_methods)]
        let now = Instant::now();
        let conn = server
            .accept(
                now,
                "127.0.0.1:40000".parse().unwrap(),
                "127.0.0.1:8554".parse().unwrap(),
            )
            .unwrap();
        World {
            server,
            mount,
            now,
            conn,
            decoder: Decoder::new(),
            inbox: BytesMut::new(),
            cseq: 0,
            seen: Vec::new(),
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        let mut buf = BytesMut::from(bytes);
        self.server.handle_stream(self.now, self.conn, &mut buf);
        assert!(buf.is_empty(), "whole messages only in this helper");
    }

    /// Plays the application: answers every request; returns the other events.
    fn app(&mut self) -> Vec<ServerEvent> {
        let mut rest = Vec::new();
        while let Some(e) = self.server.poll_event() {
            match e {
                ServerEvent::Request(r) => match &r.kind {
                    RequestKind::Describe => {
                        self.server.respond_describe(self.now, r.id, SDP).unwrap()
                    }
                    _ => self.server.accept_request(self.now, r.id).unwrap(),
                },
                e => rest.push(e),
            }
        }
        self.seen.extend(rest.iter().cloned());
        rest
    }

    /// Reads what the server wrote: responses (media is skipped).
    fn read(&mut self) -> Vec<Response> {
        while let Some(b) = self.server.poll_stream_output(self.conn) {
            self.inbox.extend_from_slice(&b);
        }
        let mut out = Vec::new();
        while let Some(m) = self.decoder.decode(&mut self.inbox).unwrap() {
            if let Message::Response(r) = m {
                out.push(r);
            }
        }
        out
    }

    fn request(&mut self, method: &str, url: &str, extra: &str) -> Response {
        self.cseq += 1;
        let msg = format!(
            "{method} {url} RTSP/1.0\r\nCSeq: {}\r\n{extra}\r\n",
            self.cseq
        );
        self.feed(msg.as_bytes());
        self.app();
        let mut r = self.read();
        assert_eq!(r.len(), 1, "{method}");
        r.pop().unwrap()
    }
}

fn token(r: &Response) -> String {
    r.headers.typed::<Session>().unwrap().unwrap().id
}

#[test]
fn slowloris_is_cut_at_the_read_timeout() {
    let mut w = World::new(|c| c.read_timeout = Duration::from_secs(20));
    // A request whose header never ends, one byte a second.
    let mut buf =
        BytesMut::from(&b"OPTIONS rtsp://127.0.0.1:8554/test RTSP/1.0\r\nCSeq: 1\r\nX-Slow: "[..]);
    w.server.handle_stream(w.now, w.conn, &mut buf);
    let began = w.now;
    let mut cut = None;
    for _ in 0..100_000 {
        w.now += Duration::from_secs(1);
        buf.extend_from_slice(b"a");
        w.server.handle_stream(w.now, w.conn, &mut buf);
        if w.server.poll_timeout().is_some_and(|t| t <= w.now) {
            w.server.handle_timeout(w.now);
        }
        if let Some(reason) = w.app().into_iter().find_map(|e| match e {
            ServerEvent::ConnectionClosed { reason, .. } => Some(reason),
            _ => None,
        }) {
            cut = Some((reason, w.now - began));
            break;
        }
    }
    let (reason, after) = cut.expect("the slowloris peer was cut off");
    assert_eq!(reason, CloseReason::ReadTimeout);
    assert!(after <= Duration::from_secs(21), "{after:?}");
    assert_eq!(w.server.connection_count(), 0);
    assert_eq!(w.server.timer_count(), 0);
}

#[test]
fn a_slow_but_steady_client_is_not_cut() {
    // Complete requests spaced wider than the read timeout are fine: only a partial
    // message is timed.
    let mut w = World::new(|c| c.read_timeout = Duration::from_secs(5));
    for _ in 0..5 {
        w.now += Duration::from_secs(30);
        w.server.handle_timeout(w.now);
        let r = w.request("OPTIONS", URL, "");
        assert_eq!(r.status, StatusCode::OK);
    }
    // A request split over 4 s in pieces also arrives in time.
    let msg = b"OPTIONS rtsp://127.0.0.1:8554/test RTSP/1.0\r\nCSeq: 9\r\n\r\n";
    let mut buf = BytesMut::new();
    for piece in msg.chunks(16) {
        buf.extend_from_slice(piece);
        w.server.handle_stream(w.now, w.conn, &mut buf);
        w.now += Duration::from_secs(1);
        w.server.handle_timeout(w.now);
    }
    assert_eq!(w.read().len(), 1);
    assert_eq!(w.server.connection_count(), 1);
    assert_eq!(
        w.server.timer_count(),
        0,
        "no read timer once nothing is partial"
    );
}

#[test]
fn a_peer_that_never_reads_is_cut_at_the_output_limit() {
    let mut w = World::new(|c| {
        let mut l = ServerLimits::default();
        l.max_output_bytes = 64 * 1024;
        c.limits = l;
    });
    let r = w.request(
        "SETUP",
        &format!("{URL}/trackID=0"),
        "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n",
    );
    let session = token(&r);
    let r = w.request("PLAY", URL, &format!("Session: {session}\r\n"));
    assert_eq!(r.status, StatusCode::OK);
    // From now on the peer reads nothing.
    let mut cut = None;
    for n in 0..10_000u32 {
        w.now += Duration::from_millis(20);
        w.server
            .send_frame(w.now, w.mount, TrackId(0), n * 160, &[0x7f; 160])
            .unwrap();
        w.server.handle_timeout(w.now);
        assert!(w.server.stream_output_len(w.conn) <= 64 * 1024);
        let events = w.app();
        if let Some(reason) = events.iter().find_map(|e| match e {
            ServerEvent::ConnectionClosed { reason, .. } => Some(*reason),
            _ => None,
        }) {
            cut = Some((reason, n));
            assert!(events.iter().any(|e| matches!(
                e,
                ServerEvent::SessionClosed {
                    reason: SessionEndReason::ConnectionClosed,
                    ..
                }
            )));
            break;
        }
    }
    let (reason, frames) = cut.expect("cut off");
    assert_eq!(reason, CloseReason::SlowReader);
    // 64 KiB of 176-byte interleaved packets: a few hundred frames, not thousands.
    assert!((300..500).contains(&frames), "{frames}");
    assert_eq!(w.server.connection_count(), 0);
    assert_eq!(w.server.session_count(), 0);
    assert_eq!(w.server.mount_attachments(w.mount), Some((0, 0)));
}

#[test]
fn a_peer_that_opens_sessions_and_never_plays_is_limited_then_expired() {
    let mut w = World::new(|c| {
        let mut l = ServerLimits::default();
        l.max_sessions = 8;
        c.limits = l;
        c.session_timeout = Duration::from_secs(10);
    });
    let mut statuses = Vec::new();
    for i in 0..20u16 {
        let port = 5000 + 2 * i;
        let r = w.request(
            "SETUP",
            &format!("{URL}/trackID=0"),
            &format!(
                "Transport: RTP/AVP;unicast;client_port={port}-{}\r\n",
                port + 1
            ),
        );
        statuses.push(r.status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 8);
    assert!(statuses[8..]
        .iter()
        .all(|s| *s == StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(w.server.session_count(), 8);
    // The peer stays connected and silent: every session expires at the timeout.
    let mut expired = 0;
    while let Some(at) = w.server.poll_timeout() {
        w.now = w.now.max(at);
        w.server.handle_timeout(w.now);
        expired += w
            .app()
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    ServerEvent::SessionClosed {
                        reason: SessionEndReason::Timeout,
                        ..
                    }
                )
            })
            .count();
    }
    assert_eq!(expired, 8);
    assert_eq!(w.server.session_count(), 0);
    assert_eq!(w.server.udp_source_count(), 0);
    assert_eq!(
        w.server.connection_count(),
        1,
        "the connection itself is not held against it"
    );
    // The expiry came at the session timeout, not later.
    let r = w.request("OPTIONS", URL, "");
    assert_eq!(r.status, StatusCode::OK);
}

#[test]
fn a_flood_on_unassigned_channels_is_cut_at_the_limit() {
    let max_events = 256;
    let mut w = World::new(|c| {
        let mut l = ServerLimits::default();
        l.max_events = max_events;
        c.limits = l;
    });
    let limit = ServerLimits::default().max_unassigned_frames;
    let r = w.request(
        "SETUP",
        &format!("{URL}/trackID=0"),
        "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n",
    );
    let session = token(&r);
    let r = w.request("PLAY", URL, &format!("Session: {session}\r\n"));
    assert_eq!(r.status, StatusCode::OK);
    // Up to 100,000 frames on channels 2..=255 (64 MB); the application does not poll
    // events meanwhile.
    let mut frame = vec![b'$', 0, 0x02, 0x80];
    frame.extend_from_slice(&[0x80; 640]);
    let mut buf = BytesMut::new();
    let mut sent = 0usize;
    for n in 0..100_000u32 {
        frame[1] = 2 + (n % 254) as u8;
        buf.extend_from_slice(&frame);
        sent += 1;
        if n % 100 == 99 {
            w.server.handle_stream(w.now, w.conn, &mut buf);
            assert!(buf.is_empty());
            if w.server.connection_count() == 0 {
                // Closure events (connection, session) are not subject to `max_events`.
                assert!(w.server.queued_counts().0 <= max_events + 4);
                break;
            }
            assert!(w.server.queued_counts().0 <= max_events);
        }
    }
    assert_eq!(
        w.server.connection_count(),
        0,
        "the flooding peer was cut off"
    );
    assert!(sent <= limit + 100, "cut after {sent} frames");
    let mut events = w.app();
    // The count of dropped diagnostics is reported once the queue has room again.
    w.server.handle_timeout(w.now);
    events.extend(w.app());
    let unknown = events
        .iter()
        .filter(|e| {
            matches!(
                e,
                ServerEvent::Diagnostic(Diagnostic::UnknownChannel { .. })
            )
        })
        .count();
    assert!(unknown > 0 && unknown <= max_events, "{unknown}");
    assert!(
        w.seen
            .iter()
            .any(|e| matches!(e, ServerEvent::Diagnostic(Diagnostic::EventsDropped { .. }))),
        "the dropped diagnostics are counted"
    );
    assert!(
        w.seen.iter().any(|e| matches!(
            e,
            ServerEvent::ConnectionClosed {
                reason: CloseReason::UnassignedFlood,
                ..
            }
        )),
        "closed for the flood"
    );
}

/// Stray frames on channels a client never set up, mixed with its real traffic (RTCP on
/// its assigned channel, requests), are dropped without closing the connection: only an
/// unbroken run longer than the limit is a flood.
#[test]
fn stray_frames_between_real_traffic_are_dropped_not_fatal() {
    let mut w = World::new(|_| {});
    let limit = ServerLimits::default().max_unassigned_frames;
    let r = w.request(
        "SETUP",
        &format!("{URL}/trackID=0"),
        "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n",
    );
    let session = token(&r);
    let r = w.request("PLAY", URL, &format!("Session: {session}\r\n"));
    assert_eq!(r.status, StatusCode::OK);
    // A receiver report (RTCP, channel 1: assigned) after every `limit - 1` stray frames.
    let rr: &[u8] = &[0x80, 0xc9, 0x00, 0x01, 0x00, 0x00, 0x00, 0x2a];
    let mut rtcp = vec![b'$', 1, 0, rr.len() as u8];
    rtcp.extend_from_slice(rr);
    let mut stray = vec![b'$', 7, 0x00, 0x10];
    stray.extend_from_slice(&[0x80; 16]);
    let mut buf = BytesMut::new();
    for _ in 0..10 {
        for _ in 0..limit - 1 {
            buf.extend_from_slice(&stray);
        }
        buf.extend_from_slice(&rtcp);
        w.server.handle_stream(w.now, w.conn, &mut buf);
        assert!(buf.is_empty());
        w.app();
    }
    assert_eq!(w.server.connection_count(), 1);
    let r = w.request("GET_PARAMETER", URL, &format!("Session: {session}\r\n"));
    assert_eq!(r.status, StatusCode::OK);
}
