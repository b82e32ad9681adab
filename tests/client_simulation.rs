//! `ClientSession` wired in memory to a scripted RTSP server under virtual time: the
//! control connection delivers with delay and in random chunks, media datagrams are lost,
//! reordered and delayed, and the server finally drops the connection. No sleeps: the
//! clock jumps to the next thing that happens.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use bytes::{Bytes, BytesMut};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rtsp_proto::client::{
    ClientConfig, ClientError, ClientEvent, ClientSession, Destination, PlayOptions,
    SetupTransport, StreamKind, TrackId,
};
use rtsp_proto::message::{Decoder, Message, Request};
use rtsp_proto::rtcp::{Compound, RtcpPacket, ValidationMode};
use rtsp_proto::Method;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq)]
struct Knobs {
    udp: bool,
    loss: f64,
    reorder: f64,
    delay: Duration,
    jitter: Duration,
    drop_connection_at: Duration,
}

/// What travels, and to whom.
enum Packet {
    ToClientStream(Vec<u8>),
    ToClientDatagram(StreamKind, Bytes),
    ToServerStream(Bytes),
    ToServerDatagram(StreamKind, Bytes),
    ConnectionDropped,
}

struct Net {
    queue: BTreeMap<(Instant, u64), Packet>,
    seq: u64,
    rng: StdRng,
}

impl Net {
    fn send(&mut self, at: Instant, p: Packet) {
        self.seq += 1;
        self.queue.insert((at, self.seq), p);
    }
}

/// The scripted server: one session, one PCMU track, 50 packets/s.
struct Server {
    decoder: Decoder,
    buf: BytesMut,
    udp: bool,
    playing_since: Option<Instant>,
    next_packet: u32,
    sent: u32,
    lost_on_purpose: u32,
    keepalives: u32,
    last_request: Option<Instant>,
    longest_silence: Duration,
    receiver_reports: Vec<i32>,
    closed: bool,
}

const SESSION_TIMEOUT: u64 = 6;

impl Server {
    fn answer(&mut self, now: Instant, req: &Request) -> String {
        if let Some(last) = self.last_request {
            self.longest_silence = self.longest_silence.max(now - last);
        }
        self.last_request = Some(now);
        let cseq = req.cseq().unwrap().unwrap().0;
        let m = &req.method;
        let extra = if *m == Method::OPTIONS {
            "Public: OPTIONS, DESCRIBE, SETUP, PLAY, GET_PARAMETER, TEARDOWN\r\n".to_owned()
        } else if *m == Method::DESCRIBE {
            let sdp = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=sim\r\nt=0 0\r\na=control:*\r\n\
                       m=audio 0 RTP/AVP 0\r\na=control:track1\r\n";
            format!(
                "Content-Base: rtsp://10.0.0.1/sim/\r\nContent-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
                sdp.len()
            )
        } else if *m == Method::SETUP {
            let t = if self.udp {
                "RTP/AVP;unicast;client_port=5000-5001;server_port=6000-6001"
            } else {
                "RTP/AVP/TCP;unicast;interleaved=0-1"
            };
            format!("Transport: {t};ssrc=0000BEEF\r\nSession: sim1;timeout={SESSION_TIMEOUT}\r\n")
        } else if *m == Method::PLAY {
            self.playing_since = Some(now);
            "Session: sim1\r\nRTP-Info: url=rtsp://10.0.0.1/sim/track1;seq=0;rtptime=0\r\n"
                .to_owned()
        } else {
            if *m == Method::GET_PARAMETER {
                self.keepalives += 1;
            }
            "Session: sim1\r\n".to_owned()
        };
        let body_sep = if extra.ends_with("\r\n\r\n") {
            ""
        } else {
            "\r\n"
        };
        format!("RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\n{extra}{body_sep}")
    }

    fn media(&mut self) -> Vec<u8> {
        let seq = self.next_packet as u16;
        let ts = self.next_packet.wrapping_mul(160);
        self.next_packet += 1;
        self.sent += 1;
        let mut p = vec![0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xEF];
        p[2..4].copy_from_slice(&seq.to_be_bytes());
        p[4..8].copy_from_slice(&ts.to_be_bytes());
        p.extend(std::iter::repeat_n(0xffu8, 160));
        p
    }

    fn handle_rtcp(&mut self, data: &[u8]) {
        for p in Compound::parse(data, ValidationMode::Strict).unwrap() {
            if let Ok(RtcpPacket::ReceiverReport(rr)) = p {
                if let Some(b) = rr.report_blocks.iter().next() {
                    assert_eq!(b.ssrc.0, 0xBEEF);
                    self.receiver_reports.push(b.cumulative_lost);
                }
            }
        }
    }
}

struct Outcome {
    events: Vec<ClientEvent>,
    server: Server,
    client: ClientSession,
}

#[allow(clippy::disallowed_methods)]
fn simulate(knobs: Knobs, seed: u64) -> Outcome {
    let start = Instant::now();
    let mut now = start;
    let mut config = ClientConfig::seeded(seed);
    // Media is checked to come from the server's host (DatagramSourcePolicy).
    config.server_addr = Some("10.0.0.1".parse().unwrap());
    let mut client = ClientSession::new("rtsp://10.0.0.1/sim", config).unwrap();
    let mut server = Server {
        decoder: Decoder::new(),
        buf: BytesMut::new(),
        udp: knobs.udp,
        playing_since: None,
        next_packet: 0,
        sent: 0,
        lost_on_purpose: 0,
        keepalives: 0,
        last_request: None,
        longest_silence: Duration::ZERO,
        receiver_reports: Vec::new(),
        closed: false,
    };
    let mut net = Net {
        queue: BTreeMap::new(),
        seq: 0,
        rng: StdRng::seed_from_u64(seed),
    };
    let mut client_buf = BytesMut::new();
    let mut events = Vec::new();
    let mut stage = 0;
    client.options(now).unwrap();
    let end = start + knobs.drop_connection_at + Duration::from_secs(5);
    let mut steps = 0;
    loop {
        steps += 1;
        assert!(steps < 200_000, "simulation does not converge");
        // Client outputs, until the application's reactions produce nothing more.
        let mut busy = true;
        while busy {
            busy = false;
            while let Some(t) = client.poll_transmit() {
                busy = true;
                let at = now + knobs.delay;
                match t.destination {
                    Destination::Control => net.send(at, Packet::ToServerStream(t.data)),
                    Destination::Udp { kind, port, .. } => {
                        assert_eq!(port, if kind == StreamKind::Rtp { 6000 } else { 6001 });
                        net.send(at, Packet::ToServerDatagram(kind, t.data));
                    }
                    _ => unreachable!(),
                }
            }
            while let Some(e) = client.poll_event() {
                // The application: OPTIONS, DESCRIBE, SETUP, PLAY.
                if let ClientEvent::Response { method, .. } = &e {
                    let next = match (stage, method.as_str()) {
                        (0, "OPTIONS") => Some(client.describe(now).map(|_| ())),
                        (1, "DESCRIBE") => {
                            let t = if knobs.udp {
                                SetupTransport::Udp { client_port: 5000 }
                            } else {
                                SetupTransport::Tcp
                            };
                            Some(client.setup(now, TrackId(0), t).map(|_| ()))
                        }
                        (2, "SETUP") => Some(client.play(now, PlayOptions::default()).map(|_| ())),
                        _ => None,
                    };
                    if let Some(r) = next {
                        r.unwrap();
                        stage += 1;
                    }
                }
                events.push(e);
                busy = true;
            }
        }
        // Next thing to happen.
        let server_next = match server.playing_since {
            Some(t0) if !server.closed => Some(t0 + Duration::from_millis(20) * server.next_packet),
            _ => None,
        };
        let net_next = net.queue.keys().next().map(|k| k.0);
        let drop_at = (!server.closed).then_some(start + knobs.drop_connection_at);
        let next = [client.poll_timeout(), server_next, net_next, drop_at]
            .into_iter()
            .flatten()
            .min();
        let Some(next) = next.filter(|t| *t <= end) else {
            break;
        };
        now = now.max(next);
        if drop_at.is_some_and(|t| t <= now) {
            server.closed = true;
            net.send(now + knobs.delay, Packet::ConnectionDropped);
        }
        if server_next.is_some_and(|t| t <= now) {
            let pkt = server.media();
            if net.rng.random_bool(knobs.loss) {
                server.lost_on_purpose += 1;
            } else {
                let mut at = now + knobs.delay + knobs.jitter.mul_f64(net.rng.random::<f64>());
                if knobs.udp && net.rng.random_bool(knobs.reorder) {
                    at += Duration::from_millis(45); // behind the next two packets
                }
                if knobs.udp {
                    net.send(
                        at,
                        Packet::ToClientDatagram(StreamKind::Rtp, Bytes::from(pkt)),
                    );
                } else {
                    let mut framed = vec![b'$', 0];
                    framed.extend_from_slice(&(pkt.len() as u16).to_be_bytes());
                    framed.extend_from_slice(&pkt);
                    // TCP keeps order: never earlier than what is queued.
                    let last = net.queue.keys().next_back().map_or(at, |k| k.0.max(at));
                    net.send(last, Packet::ToClientStream(framed));
                }
            }
        }
        // Deliver what is due.
        while let Some((&key, _)) = net.queue.iter().next() {
            if key.0 > now {
                break;
            }
            let p = net.queue.remove(&key).unwrap();
            match p {
                Packet::ToServerStream(b) if !server.closed => {
                    server.buf.extend_from_slice(&b);
                    while let Some(m) = server.decoder.decode(&mut server.buf).unwrap() {
                        match m {
                            Message::Request(req) => {
                                let resp = server.answer(now, &req);
                                // Split the answer in random chunks.
                                let bytes = resp.into_bytes();
                                let cut = net.rng.random_range(0..=bytes.len());
                                net.send(
                                    now + knobs.delay,
                                    Packet::ToClientStream(bytes[..cut].to_vec()),
                                );
                                net.send(
                                    now + knobs.delay,
                                    Packet::ToClientStream(bytes[cut..].to_vec()),
                                );
                            }
                            Message::Data(d) => {
                                if d.channel == 1 {
                                    server.handle_rtcp(&d.payload);
                                }
                            }
                            Message::Response(_) => panic!("client sent a response"),
                        }
                    }
                }
                Packet::ToServerStream(_) => {}
                Packet::ToServerDatagram(kind, d) => {
                    if kind == StreamKind::Rtcp && d.len() > 8 && d[1] == 201 && d[3] > 1 {
                        server.handle_rtcp(&d);
                    }
                }
                Packet::ToClientStream(b) => {
                    client_buf.extend_from_slice(&b);
                    client.handle_stream(now, &mut client_buf).unwrap();
                }
                Packet::ToClientDatagram(kind, d) => {
                    let from = "10.0.0.1:6000".parse().unwrap();
                    client.handle_datagram(now, TrackId(0), kind, from, d);
                }
                Packet::ConnectionDropped => client.handle_close(now),
            }
        }
        client.handle_timeout(now);
    }
    Outcome {
        events,
        server,
        client,
    }
}

fn check(o: &Outcome, knobs: Knobs) {
    let frames: Vec<u32> = o
        .events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Frame { frame, .. } => Some(frame.timestamp),
            _ => None,
        })
        .collect();
    // Every packet that was not lost became one frame, in order, with nothing invented.
    let delivered = o.server.sent - o.server.lost_on_purpose;
    assert!(
        frames.windows(2).all(|w| w[1] > w[0]),
        "frames out of order"
    );
    assert!(frames.len() as u32 <= delivered);
    // The last packets may still be in flight when the connection drops.
    assert!(
        frames.len() as u32 + 30 >= delivered,
        "{} frames of {delivered} delivered",
        frames.len()
    );
    let stats = o.client.track_stats(TrackId(0)).unwrap();
    // Up to a few reordered datagrams may still be in flight when the session closes.
    assert!(
        stats.lost >= 0 && stats.lost <= i64::from(o.server.lost_on_purpose) + 3,
        "lost {} of {} dropped",
        stats.lost,
        o.server.lost_on_purpose
    );
    if knobs.loss > 0.0 {
        assert!(stats.lost > 0);
    }
    if !knobs.jitter.is_zero() {
        assert!(stats.jitter > 0.0);
    }
    // Receiver reports came regularly and reported loss truthfully.
    let rr = &o.server.receiver_reports;
    assert!(rr.len() >= 3, "{} receiver reports", rr.len());
    assert!(rr
        .iter()
        .all(|&l| l >= 0 && l as u32 <= o.server.lost_on_purpose));
    if knobs.loss > 0.0 {
        assert!(rr.iter().any(|&l| l > 0));
    }
    // The session never went silent for its timeout: keep-alives went out in time.
    assert!(
        o.server.keepalives >= 3,
        "{} keep-alives",
        o.server.keepalives
    );
    assert!(
        o.server.longest_silence < Duration::from_secs(SESSION_TIMEOUT),
        "silent for {:?}",
        o.server.longest_silence
    );
    // The dropped connection ends the session, with the right error, once.
    let closed: Vec<_> = o
        .events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Closed { error } => Some(error.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(closed, vec![Some(ClientError::ConnectionClosed)]);
    assert!(o.client.poll_timeout().is_none());
    // No TEARDOWN went out: the server may keep the session; the client says which, for
    // the next connection to tear down.
    let stale = o.client.stale_session().expect("a stale session");
    assert_eq!(stale.id, "sim1");
    assert_eq!(stale.url, "rtsp://10.0.0.1/sim/");
    assert_eq!(stale.ssrcs, vec![rtsp_proto::rtp::Ssrc(0xBEEF)]);
    assert_eq!(stale.timeout, Duration::from_secs(SESSION_TIMEOUT));
    assert_eq!(stale.buggy_live555, None);
    // Every datagram came from the server's host: none was refused.
    assert!(!o.events.iter().any(|e| matches!(
        e,
        ClientEvent::Diagnostic(d)
            if matches!(d.kind, rtsp_proto::client::DiagnosticKind::DatagramFromOtherHost { .. })
    )));
}

#[test]
fn udp_with_loss_reorder_and_delay() {
    let knobs = Knobs {
        udp: true,
        loss: 0.05,
        reorder: 0.1,
        delay: Duration::from_millis(30),
        jitter: Duration::from_millis(15),
        drop_connection_at: Duration::from_secs(20),
    };
    for seed in 0..4 {
        let o = simulate(knobs, seed);
        check(&o, knobs);
        // Reordered datagrams came out in order, and losses were reported.
        assert!(o.events.iter().any(|e| matches!(e,
            ClientEvent::Diagnostic(d) if matches!(d.kind, rtsp_proto::client::DiagnosticKind::PacketsLost { .. }))));
    }
}

/// Interleaved media with packets dropped inside the server (QUIRKS.md 49: sequence
/// jumps even on TCP).
#[test]
fn tcp_with_server_side_drops_and_delay() {
    let knobs = Knobs {
        udp: false,
        loss: 0.03,
        reorder: 0.0,
        delay: Duration::from_millis(80),
        jitter: Duration::from_millis(5),
        drop_connection_at: Duration::from_secs(20),
    };
    for seed in 10..13 {
        let o = simulate(knobs, seed);
        check(&o, knobs);
    }
}

/// Same seed, same run: the whole simulation is deterministic.
#[test]
fn deterministic() {
    let knobs = Knobs {
        udp: true,
        loss: 0.05,
        reorder: 0.1,
        delay: Duration::from_millis(30),
        jitter: Duration::from_millis(15),
        drop_connection_at: Duration::from_secs(8),
    };
    let a = simulate(knobs, 99);
    let b = simulate(knobs, 99);
    assert_eq!(a.server.receiver_reports, b.server.receiver_reports);
    assert_eq!(a.events.len(), b.events.len());
}
