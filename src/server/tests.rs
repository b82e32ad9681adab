//! Unit tests of the request path; protocol flows with real client requests live in
//! `tests/server.rs`.

#![allow(clippy::indexing_slicing)]

use super::*;
use crate::message::{Message, Response};
use crate::StatusCode;
use rand::rngs::StdRng;
use rand::SeedableRng;

fn server() -> Server {
    Server::new(ServerConfig {
        rng: Box::new(StdRng::seed_from_u64(1)),
        ..ServerConfig::default()
    })
}

fn addr(s: &str) -> SocketAddr {
    s.parse()
        .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
}

/// Decodes everything queued for `conn`.
fn output(server: &mut Server, conn: ConnectionId) -> Vec<Message> {
    let mut buf = BytesMut::new();
    while let Some(b) = server.poll_stream_output(conn) {
        buf.extend_from_slice(&b);
    }
    let mut dec = Decoder::new();
    let mut out = Vec::new();
    while let Ok(Some(m)) = dec.decode(&mut buf) {
        out.push(m);
    }
    assert!(buf.is_empty(), "undecodable output");
    out
}

fn responses(server: &mut Server, conn: ConnectionId) -> Vec<Response> {
    output(server, conn)
        .into_iter()
        .filter_map(|m| match m {
            Message::Response(r) => Some(r),
            _ => None,
        })
        .collect()
}

#[test]
fn options_answered_by_the_server() {
    let mut s = server();
    let now = crate::rtp::test_origin();
    let conn = s
        .accept(now, addr("127.0.0.1:5000"), addr("127.0.0.1:8554"))
        .unwrap();
    let mut buf = BytesMut::from(&b"OPTIONS rtsp://h/x RTSP/1.0\r\nCSeq: 7\r\n\r\n"[..]);
    s.handle_stream(now, conn, &mut buf);
    assert!(buf.is_empty());
    assert_eq!(s.poll_writable(), Some(conn));
    let r = responses(&mut s, conn);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].status, StatusCode::OK);
    assert_eq!(r[0].cseq().unwrap().unwrap().0, 7);
    let public = r[0].headers.get_str("Public").unwrap();
    assert!(
        public.contains("DESCRIBE") && public.contains("RECORD"),
        "{public}"
    );
    assert!(s.poll_event().is_none());
}

#[test]
fn tcp_play_path_and_fan_out() {
    let mut s = server();
    let now = crate::rtp::test_origin();
    let mount = s
        .add_mount(
            "/test",
            vec![
                TrackConfig::new("trackID=0", 0, 8000).with_packetizer(Box::new(
                    crate::codec::g711::G711Packetizer::new(
                        &crate::codec::g711::G711Config::pcmu(),
                        1200,
                    )
                    .unwrap(),
                )),
            ],
        )
        .unwrap();
    let conn = s
        .accept(now, addr("127.0.0.1:5000"), addr("127.0.0.1:8554"))
        .unwrap();
    let mut buf = BytesMut::from(
        &b"DESCRIBE rtsp://127.0.0.1:8554/test RTSP/1.0\r\nCSeq: 2\r\n\r\n\
           SETUP rtsp://127.0.0.1:8554/test/trackID=0 RTSP/1.0\r\nCSeq: 3\r\n\
           Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n"[..],
    );
    s.handle_stream(now, conn, &mut buf);
    let Some(ServerEvent::Request(describe)) = s.poll_event() else {
        panic!("no describe")
    };
    assert_eq!(describe.kind, RequestKind::Describe);
    assert_eq!(describe.mount, Some(mount));
    let Some(ServerEvent::Request(setup)) = s.poll_event() else {
        panic!("no setup")
    };
    let RequestKind::Setup { track, mode, .. } = &setup.kind else {
        panic!("not a setup")
    };
    assert_eq!((*track, *mode), (Some(TrackId(0)), SetupMode::Play));
    // Answer out of order: the responses still leave in request order.
    s.accept_request(now, setup.id).unwrap();
    assert!(responses(&mut s, conn).is_empty());
    s.respond_describe(now, describe.id, "v=0\r\n").unwrap();
    let r = responses(&mut s, conn);
    assert_eq!(r.len(), 2);
    assert_eq!(
        r[0].headers.get_str("Content-Base"),
        Some("rtsp://127.0.0.1:8554/test/")
    );
    assert_eq!(r[1].status, StatusCode::OK);
    let session = r[1]
        .headers
        .typed::<crate::header::Session>()
        .unwrap()
        .unwrap();
    assert_eq!(session.id.len(), 16);
    assert!(session.id.bytes().all(|b| b.is_ascii_alphanumeric()));
    let transport = r[1].headers.get_str("Transport").unwrap();
    assert!(
        transport.starts_with("RTP/AVP/TCP;unicast;interleaved=0-1;ssrc="),
        "{transport}"
    );

    let mut buf = BytesMut::from(
        format!(
            "PLAY rtsp://127.0.0.1:8554/test/ RTSP/1.0\r\nCSeq: 4\r\nSession: {}\r\n\r\n",
            session.id
        )
        .as_bytes(),
    );
    s.handle_stream(now, conn, &mut buf);
    let Some(ServerEvent::Request(play)) = s.poll_event() else {
        panic!("no play")
    };
    assert!(matches!(play.kind, RequestKind::Play { .. }));
    s.accept_request(now, play.id).unwrap();
    let r = responses(&mut s, conn);
    let info = r[0].headers.get_str("RTP-Info").unwrap();
    assert!(
        info.starts_with("url=rtsp://127.0.0.1:8554/test/trackID=0;seq="),
        "{info}"
    );
    assert_eq!(s.players(mount), 1);
    assert!(s.poll_timeout().is_some());

    s.send_frame(now, mount, TrackId(0), 0, &[0xff; 160])
        .unwrap();
    let out = output(&mut s, conn);
    assert_eq!(out.len(), 1);
    let Message::Data(d) = &out[0] else {
        panic!("no data")
    };
    assert_eq!(d.channel, 0);
    assert_eq!(d.payload.len(), 12 + 160);

    let mut buf = BytesMut::from(
        format!(
            "TEARDOWN rtsp://127.0.0.1:8554/test/ RTSP/1.0\r\nCSeq: 5\r\nSession: {}\r\n\r\n",
            session.id
        )
        .as_bytes(),
    );
    s.handle_stream(now, conn, &mut buf);
    assert_eq!(responses(&mut s, conn)[0].status, StatusCode::OK);
    assert!(matches!(
        s.poll_event(),
        Some(ServerEvent::SessionClosed {
            reason: SessionEndReason::Teardown,
            ..
        })
    ));
    assert_eq!(s.session_count(), 0);
    assert_eq!(s.players(mount), 0);
}

#[test]
fn server_is_send() {
    // Runtimes that move the server between threads (tokio) need this.
    fn assert_send<T: Send>() {}
    assert_send::<Server>();
    assert_send::<ServerEvent>();
}

/// After sessions end in every way, no internal table keeps anything for them.
#[test]
fn internal_tables_empty_after_sessions_end() {
    let mut s = Server::new(ServerConfig {
        rng: Box::new(StdRng::seed_from_u64(5)),
        udp_ports: Some(UdpPorts {
            rtp: 8000,
            rtcp: 8001,
        }),
        ..ServerConfig::default()
    });
    let mut now = crate::rtp::test_origin();
    s.add_mount("/m", vec![TrackConfig::new("t", 0, 8000)])
        .unwrap();
    let setup = |s: &mut Server, conn, transport: &str, now| {
        let req = format!(
            "SETUP rtsp://h/m/t RTSP/2.0\r\nCSeq: 1\r\nPipelined-Requests: 9\r\nTransport: {transport}\r\n\r\n"
        );
        s.handle_stream(now, conn, &mut BytesMut::from(req.as_bytes()));
        while let Some(e) = s.poll_event() {
            if let ServerEvent::Request(r) = e {
                s.accept_request(now, r.id).unwrap();
            }
        }
        let token = responses(s, conn)[0]
            .headers
            .typed::<crate::header::Session>()
            .unwrap()
            .unwrap()
            .id;
        let play = format!("PLAY rtsp://h/m RTSP/2.0\r\nCSeq: 2\r\nSession: {token}\r\n\r\n");
        s.handle_stream(now, conn, &mut BytesMut::from(play.as_bytes()));
        while let Some(e) = s.poll_event() {
            if let ServerEvent::Request(r) = e {
                s.accept_request(now, r.id).unwrap();
            }
        }
        responses(s, conn);
        token
    };
    let a = s
        .accept(now, addr("127.0.0.1:1000"), addr("127.0.0.1:8554"))
        .unwrap();
    let b = s
        .accept(now, addr("127.0.0.1:2000"), addr("127.0.0.1:8554"))
        .unwrap();
    let c = s
        .accept(now, addr("127.0.0.1:3000"), addr("127.0.0.1:8554"))
        .unwrap();
    let ta = setup(&mut s, a, "RTP/AVP;unicast;client_port=5000-5001", now);
    setup(&mut s, b, "RTP/AVP/TCP;unicast;interleaved=0-1", now);
    setup(&mut s, c, "RTP/AVP;unicast;client_port=6000-6001", now);
    assert_eq!(s.session_count(), 3);
    assert_eq!(s.udp_sources.len(), 4);
    // TEARDOWN, a closed connection, a timeout.
    let td = format!("TEARDOWN rtsp://h/m RTSP/1.0\r\nCSeq: 3\r\nSession: {ta}\r\n\r\n");
    s.handle_stream(now, a, &mut BytesMut::from(td.as_bytes()));
    s.connection_closed(now, b);
    s.connection_closed(now, c);
    s.connection_closed(now, a);
    assert_eq!(
        s.session_count(),
        1,
        "the UDP session outlives its connection"
    );
    now += Duration::from_secs(61);
    s.handle_timeout(now);
    while let Some(at) = s.poll_timeout() {
        now = now.max(at);
        s.handle_timeout(now);
    }
    assert_eq!(s.session_count(), 0);
    assert_eq!(s.connection_count(), 0);
    assert!(s.udp_sources.is_empty());
    assert!(s.session_by_token.is_empty());
    assert!(s.pending.is_empty());
    assert!(s.timers.is_empty());
    assert!(s.out.writable.is_empty());
    let m = s.mounts.iter().next().unwrap().1;
    assert!(m.sessions.is_empty());
    assert!(m
        .tracks
        .iter()
        .all(|t| t.sinks.is_empty() && t.rtcp_due.is_none()));
}

#[test]
fn send_rtp_reports_a_packet_it_cannot_relay_like_send_frame() {
    let mut s = server();
    let now = crate::rtp::test_origin();
    let mount = s
        .add_mount("/relay", vec![TrackConfig::new("trackID=0", 96, 90000)])
        .unwrap();
    let seq_before = s.mounts.get(mount.0).unwrap().tracks[0].seq;
    // Version 1 and too short: not an RTP packet (a publisher sending garbage).
    for bad in [
        &[0x40u8, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1][..],
        &[0x80, 0x60, 0],
    ] {
        let err = s.send_rtp(now, mount, TrackId(0), bad).unwrap_err();
        let ApiError::Rtp(rtp_error) = err else {
            panic!("unexpected error {err:?}")
        };
        assert_eq!(
            s.poll_event(),
            Some(ServerEvent::Diagnostic(Diagnostic::Relay {
                mount,
                track: TrackId(0),
                error: RelayError::Parse(rtp_error),
            }))
        );
        assert!(s.poll_event().is_none());
    }
    // Nothing was consumed: the next good packet gets the track's next sequence number.
    assert_eq!(s.mounts.get(mount.0).unwrap().tracks[0].seq, seq_before);
    let good = crate::rtp::RtpBuilder::new(
        crate::rtp::PayloadType::from_static(96),
        7,
        0,
        crate::Ssrc(1),
    )
    .payload(&[1, 2, 3]);
    let mut b = BytesMut::new();
    good.append_to(&mut b).unwrap();
    s.send_rtp(now, mount, TrackId(0), &b).unwrap();
    assert!(s.poll_event().is_none());
    assert_eq!(
        s.mounts.get(mount.0).unwrap().tracks[0].seq,
        seq_before.wrapping_add(1)
    );
    // Unknown mounts and tracks stay API errors without a diagnostic.
    assert_eq!(
        s.send_rtp(now, mount, TrackId(1), &b),
        Err(ApiError::UnknownTrack {
            mount,
            track: TrackId(1)
        })
    );
    assert!(s.poll_event().is_none());
}
