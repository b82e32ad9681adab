//! The server state machine driven in memory with the requests real clients sent
//! (ffmpeg 5.1 and GStreamer 1.22 `rtspsrc`, from `tests/data/sessions/*/tcp/*_c2s.bin`),
//! with virtual time: responses (status, CSeq, Session, Transport, RTP-Info), the state
//! machine's errors, timeouts, authentication, slow readers and limits.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)]

use bytes::{Bytes, BytesMut};
use rand::rngs::StdRng;
use rand::SeedableRng;
use rtsp_proto::auth::{
    digest_response, DigestAlgorithm, DigestInput, ServerAuthenticator, UserCredentials,
};
use rtsp_proto::codec::g711::{G711Config, G711Packetizer};
use rtsp_proto::header::{RtpInfo, Session, Transport, TypedHeader, WwwAuthenticate};
use rtsp_proto::message::{Decoder, HeaderName, HeaderValue, Message};
use rtsp_proto::rtcp::{Compound, RtcpPacket, ValidationMode};
use rtsp_proto::rtp::RtpPacket;
use rtsp_proto::server::{
    ConnectionId, MediaSocket, MountId, MulticastConfig, RequestKind, Server, ServerConfig,
    ServerEvent, ServerLimits, SessionEndReason, SessionId, SetupMode, TrackConfig, TrackId,
    UdpPorts,
};
use rtsp_proto::{Request, Response, StatusCode, Version};
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

const SDP_AV: &str = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=test\r\nt=0 0\r\n\
    m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:stream=0\r\n\
    m=audio 0 RTP/AVP 0\r\na=control:stream=1\r\n";

fn sessions_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sessions"))
}

/// The items a client sent on its first connection in a captured session.
fn client_stream(session: &str) -> Vec<Message> {
    let path = sessions_dir().join(session).join("tcp/conn1_c2s.bin");
    let raw = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut buf = BytesMut::from(&raw[..]);
    let mut dec = Decoder::new();
    let mut out = Vec::new();
    while let Some(m) = dec.decode(&mut buf).expect("captured stream decodes") {
        out.push(m);
    }
    out
}

fn pcmu() -> Box<G711Packetizer> {
    Box::new(G711Packetizer::new(&G711Config::pcmu(), 1200).expect("packetizer"))
}

/// PCMU tracks (payload type 0, 8 kHz, with a packetizer) with these control names.
fn pcmu_tracks(names: &[&str]) -> Vec<TrackConfig> {
    names
        .iter()
        .map(|n| TrackConfig::new(*n, 0, 8000).with_packetizer(pcmu()))
        .collect()
}

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("address")
}

/// A server with a seeded RNG, a virtual clock and one connection, plus an application
/// that answers requests the usual way.
struct Harness {
    server: Server,
    now: Instant,
    conn: ConnectionId,
    /// The session token the server gave, substituted into replayed requests.
    token: Option<String>,
    /// Output not yet decoded.
    pending_out: BytesMut,
    decoder: Decoder,
    /// Frames received on interleaved channels.
    data: Vec<(u8, Bytes)>,
    /// Credentials to re-sign replayed requests with (Digest, MD5).
    creds: Option<(String, String)>,
    /// The last challenge's nonce.
    nonce: Option<String>,
}

impl Harness {
    fn with_config(config: ServerConfig) -> Harness {
        #[allow(clippy::disallowed_methods)]
        let now = Instant::now();
        let mut server = Server::new(config);
        let conn = server
            .accept(now, addr("127.0.0.1:40000"), addr("127.0.0.1:8554"))
            .expect("accept");
        Harness {
            server,
            now,
            conn,
            token: None,
            pending_out: BytesMut::new(),
            decoder: Decoder::new(),
            data: Vec::new(),
            creds: None,
            nonce: None,
        }
    }

    fn config() -> ServerConfig {
        let mut c = ServerConfig::default();
        c.rng = Box::new(StdRng::seed_from_u64(42));
        c
    }

    fn new() -> Harness {
        Harness::with_config(Harness::config())
    }

    fn advance(&mut self, d: Duration) {
        self.now += d;
        self.server.handle_timeout(self.now);
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        let mut buf = BytesMut::from(bytes);
        self.server.handle_stream(self.now, self.conn, &mut buf);
        assert!(buf.is_empty(), "a complete message stays in the buffer");
    }

    /// Sends a request after substituting our session token and credentials.
    fn send(&mut self, mut req: Request) {
        if req.headers.contains("Session") {
            if let Some(t) = &self.token {
                req.headers.insert(
                    HeaderName::SESSION,
                    HeaderValue::from_string(t.clone()).expect("token"),
                );
            }
        }
        if let (Some((user, pass)), Some(nonce)) = (&self.creds, &self.nonce) {
            let uri = req.uri().to_owned();
            let response = digest_response(&DigestInput {
                algorithm: DigestAlgorithm::Md5,
                username: user,
                realm: "rtsp-proto",
                password: pass,
                method: req.method.as_str(),
                uri: &uri,
                nonce,
                qop_auth: None,
            });
            let value = format!(
                "Digest username=\"{user}\", realm=\"rtsp-proto\", nonce=\"{nonce}\", uri=\"{uri}\", response=\"{response}\""
            );
            req.headers.insert(
                HeaderName::AUTHORIZATION,
                HeaderValue::from_string(value).expect("authorization"),
            );
        }
        let mut out = BytesMut::new();
        req.encode(&mut out);
        self.send_raw(&out);
    }

    /// Decodes everything the server queued for the connection.
    fn output(&mut self) -> Vec<Message> {
        while let Some(b) = self.server.poll_stream_output(self.conn) {
            self.pending_out.extend_from_slice(&b);
        }
        let mut out = Vec::new();
        while let Some(m) = self
            .decoder
            .decode(&mut self.pending_out)
            .expect("server output decodes")
        {
            out.push(m);
        }
        out
    }

    fn responses(&mut self) -> Vec<Response> {
        let mut rs = Vec::new();
        for m in self.output() {
            match m {
                Message::Response(r) => {
                    if let Some(Ok(s)) = r.headers.typed::<Session>() {
                        self.token = Some(s.id);
                    }
                    if let Some(Ok(w)) = r.headers.typed::<WwwAuthenticate>() {
                        if let Some(n) = w.0.first().and_then(|c| c.param("nonce")) {
                            self.nonce = Some(n.to_owned());
                        }
                    }
                    rs.push(r);
                }
                Message::Data(d) => self.data.push((d.channel, d.payload)),
                Message::Request(_) => {}
            }
        }
        rs
    }

    /// On another connection `conn`: SETUP `track_path` with `transport`, then PLAY
    /// `play_path` in the session it created, the application accepting both; drains the
    /// connection's output and returns the SETUP response.
    fn setup_and_play_on(
        &mut self,
        conn: ConnectionId,
        track_path: &str,
        transport: &str,
        play_path: &str,
    ) -> Response {
        let transport = format!("Transport: {transport}");
        let r = self.exchange_on(conn, "SETUP", track_path, 1, &[&transport]);
        let token = r.headers.typed::<Session>().expect("s").expect("s").id;
        let session = format!("Session: {token}");
        self.exchange_on(conn, "PLAY", play_path, 2, &[&session]);
        r
    }

    /// Sends `method path` with `headers` on `conn`, answers what the application is
    /// asked, and returns the response (interleaved data queued before it is skipped).
    fn exchange_on(
        &mut self,
        conn: ConnectionId,
        method: &str,
        path: &str,
        cseq: u32,
        headers: &[&str],
    ) -> Response {
        let req = request(method, path, cseq, headers);
        self.server
            .handle_stream(self.now, conn, &mut BytesMut::from(req.as_bytes()));
        self.answer("");
        let mut out = BytesMut::new();
        while let Some(b) = self.server.poll_stream_output(conn) {
            out.extend_from_slice(&b);
        }
        let mut decoder = Decoder::new();
        loop {
            match decoder.decode(&mut out) {
                Ok(Some(Message::Response(r))) => return r,
                Ok(Some(Message::Data(_))) => {}
                other => panic!("no response to {method}: {other:?}"),
            }
        }
    }

    /// The interleaved channels of the RTCP sender reports queued on `conn`; the rest of
    /// its output is dropped.
    fn sender_report_channels(&mut self, conn: ConnectionId) -> Vec<u8> {
        let mut channels = Vec::new();
        while let Some(b) = self.server.poll_stream_output(conn) {
            // `$`, channel, length, then the RTCP header: PT 200 is a sender report.
            if let [b'$', ch, _, _, _, 200, ..] = b[..] {
                channels.push(ch);
            }
        }
        channels
    }

    fn events(&mut self) -> Vec<ServerEvent> {
        std::iter::from_fn(|| self.server.poll_event()).collect()
    }

    /// Answers every pending request the usual way: DESCRIBE with `sdp`, ANNOUNCE by
    /// creating the mount from the SDP's control attributes, the rest accepted.
    fn answer(&mut self, sdp: &str) -> Vec<ServerEvent> {
        let mut others = Vec::new();
        for e in self.events() {
            let ServerEvent::Request(req) = e else {
                others.push(e);
                continue;
            };
            match &req.kind {
                RequestKind::Describe => {
                    if req.mount.is_some() {
                        self.server
                            .respond_describe(self.now, req.id, sdp.to_owned())
                            .expect("describe");
                    } else {
                        self.server
                            .reject(self.now, req.id, StatusCode::NOT_FOUND)
                            .expect("reject");
                    }
                }
                RequestKind::Announce { sdp } => {
                    let text = std::str::from_utf8(sdp).expect("sdp text");
                    let tracks: Vec<TrackConfig> = text
                        .lines()
                        .filter_map(|l| l.trim().strip_prefix("a=control:"))
                        .map(|c| TrackConfig::new(c, 96, 90_000))
                        .collect();
                    self.server.add_mount(&req.path, tracks).expect("mount");
                    self.server
                        .accept_request(self.now, req.id)
                        .expect("announce");
                }
                _ => self
                    .server
                    .accept_request(self.now, req.id)
                    .expect("accept"),
            }
        }
        others
    }
}

/// A client's request text: `METHOD rtsp://127.0.0.1:8554PATH RTSP/1.0`, `CSeq`, then
/// `headers` (one header line each).
fn request(method: &str, path: &str, cseq: u32, headers: &[&str]) -> String {
    let mut text = format!("{method} rtsp://127.0.0.1:8554{path} RTSP/1.0\r\nCSeq: {cseq}\r\n");
    for h in headers {
        text.push_str(h);
        text.push_str("\r\n");
    }
    text.push_str("\r\n");
    text
}

fn status_and_cseq(r: &Response) -> (u16, u32) {
    (
        r.status.as_u16(),
        r.cseq().expect("CSeq").expect("CSeq value").0,
    )
}

fn transport(r: &Response) -> String {
    r.headers
        .get_str("Transport")
        .expect("Transport")
        .to_owned()
}

/// Replays a captured client session; returns every response.
fn replay(h: &mut Harness, session: &str, sdp: &str) -> Vec<Response> {
    let mut all = Vec::new();
    for m in client_stream(session) {
        match m {
            Message::Request(r) => h.send(r),
            Message::Data(d) => {
                let mut out = BytesMut::new();
                rtsp_proto::message::encode_frame(d.channel, &d.payload, &mut out).expect("frame");
                h.send_raw(&out);
            }
            Message::Response(_) => {}
        }
        let others = h.answer(sdp);
        assert!(
            others
                .iter()
                .all(|e| !matches!(e, ServerEvent::Diagnostic(_))),
            "{others:?}"
        );
        all.extend(h.responses());
    }
    all
}

#[test]
fn ffmpeg_plays_over_tcp() {
    let mut h = Harness::new();
    let mount = h
        .server
        .add_mount("/av", pcmu_tracks(&["stream=0", "stream=1"]))
        .expect("mount");
    // Stop before TEARDOWN to look at the media.
    let stream = client_stream("ffmpeg_tcp__gst_av");
    let (play_part, teardown) = stream.split_at(stream.len() - 1);
    let mut rs = Vec::new();
    for m in play_part {
        if let Message::Request(r) = m {
            h.send(r.clone());
            h.answer(SDP_AV);
            rs.extend(h.responses());
        }
    }
    let got: Vec<_> = rs.iter().map(status_and_cseq).collect();
    assert_eq!(got, [(200, 1), (200, 2), (200, 3), (200, 4), (200, 5)]);
    assert_eq!(
        rs[1].headers.get_str("Content-Base"),
        Some("rtsp://127.0.0.1:8554/av/")
    );
    assert_eq!(
        rs[1].headers.get_str("Content-Type"),
        Some("application/sdp")
    );
    assert_eq!(&rs[1].body[..], SDP_AV.as_bytes());
    assert!(transport(&rs[2]).starts_with("RTP/AVP/TCP;unicast;interleaved=0-1;ssrc="));
    assert!(transport(&rs[3]).starts_with("RTP/AVP/TCP;unicast;interleaved=2-3;ssrc="));
    let token = h.token.clone().expect("session");
    for r in &rs[2..] {
        let s = r
            .headers
            .typed::<Session>()
            .expect("Session")
            .expect("valid");
        assert_eq!((s.id.as_str(), s.timeout), (token.as_str(), Some(60)));
    }
    let info = rs[4]
        .headers
        .typed::<RtpInfo>()
        .expect("RTP-Info")
        .expect("valid");
    let urls: Vec<_> = info.entries.iter().map(|e| e.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "rtsp://127.0.0.1:8554/av/stream=0",
            "rtsp://127.0.0.1:8554/av/stream=1"
        ]
    );
    assert_eq!(rs[4].headers.get_str("Range"), Some("npt=now-"));

    // Media: the packet sequence starts at RTP-Info's seq, on the SETUP's channels.
    h.server
        .send_frame(h.now, mount, TrackId(0), 0, &[0x7f; 160])
        .expect("frame");
    h.server
        .send_frame(h.now, mount, TrackId(1), 0, &[0x7f; 160])
        .expect("frame");
    h.responses();
    let channels: Vec<u8> = h.data.iter().map(|(c, _)| *c).collect();
    assert_eq!(channels, [0, 2]);
    let p = RtpPacket::parse(&h.data[0].1).expect("rtp");
    assert_eq!(Some(p.sequence_number()), info.entries[0].seq);
    assert_eq!(Some(p.timestamp()), info.entries[0].rtptime);
    let t = Transport::parse(&transport(&rs[2])).expect("transport");
    assert_eq!(t.0[0].first_ssrc(), Some(p.ssrc()));

    // TEARDOWN ends the session and the media.
    if let Message::Request(r) = &teardown[0] {
        h.send(r.clone());
    }
    let rs = h.responses();
    assert_eq!(status_and_cseq(&rs[0]), (200, 6));
    let ev = h.events();
    assert!(matches!(
        ev.as_slice(),
        [ServerEvent::SessionClosed { reason: SessionEndReason::Teardown, mount: Some(m), publisher: false, .. }] if *m == mount
    ));
    h.data.clear();
    h.server
        .send_frame(h.now, mount, TrackId(0), 160, &[0x7f; 160])
        .expect("frame");
    h.responses();
    assert!(h.data.is_empty());
    assert_eq!(h.server.session_count(), 0);
}

#[test]
fn gstreamer_plays_over_udp_and_pauses() {
    let mut config = Harness::config();
    config.udp_ports = Some(UdpPorts {
        rtp: 8000,
        rtcp: 8001,
    });
    let mut h = Harness::with_config(config);
    let mount = h
        .server
        .add_mount("/av", pcmu_tracks(&["stream=0", "stream=1"]))
        .expect("mount");
    let stream = client_stream("gst_udp__gst_av");
    let mut rs = Vec::new();
    let mut sent_while_playing = Vec::new();
    for m in stream {
        let Message::Request(r) = m else { continue };
        let is_pause = r.method == rtsp_proto::Method::PAUSE;
        if is_pause {
            h.server
                .send_frame(h.now, mount, TrackId(0), 0, &[1; 160])
                .expect("frame");
            sent_while_playing.extend(std::iter::from_fn(|| h.server.poll_transmit()));
        }
        h.send(r);
        h.answer(SDP_AV);
        rs.extend(h.responses());
        if is_pause {
            h.server
                .send_frame(h.now, mount, TrackId(0), 160, &[1; 160])
                .expect("frame");
            assert!(h.server.poll_transmit().is_none(), "no media while paused");
        }
    }
    let got: Vec<_> = rs.iter().map(status_and_cseq).collect();
    assert_eq!(
        got,
        [
            (200, 1),
            (200, 2),
            (200, 3),
            (200, 4),
            (200, 5),
            (200, 6),
            (200, 7)
        ]
    );
    let t = transport(&rs[2]);
    assert!(
        t.starts_with("RTP/AVP;unicast;client_port=43000-43001;server_port=8000-8001;ssrc="),
        "{t}"
    );
    assert_eq!(sent_while_playing.len(), 1);
    assert_eq!(sent_while_playing[0].socket, MediaSocket::Rtp);
    assert_eq!(sent_while_playing[0].destination, addr("127.0.0.1:43000"));
}

#[test]
fn udp_rtcp_receiver_reports_keep_a_player_alive() {
    let mut config = Harness::config();
    config.udp_ports = Some(UdpPorts {
        rtp: 8000,
        rtcp: 8001,
    });
    let mut h = Harness::with_config(config);
    h.server
        .add_mount(
            "/av",
            vec![
                TrackConfig::new("stream=0", 0, 8000),
                TrackConfig::new("stream=1", 0, 8000),
            ],
        )
        .expect("mount");
    let stream = client_stream("gst_udp__gst_av");
    for m in stream.into_iter().take(5) {
        if let Message::Request(r) = m {
            h.send(r);
            h.answer(SDP_AV);
            h.responses();
        }
    }
    // No request for three minutes, but an RR every 5 s from the RTCP port.
    for _ in 0..36 {
        h.advance(Duration::from_secs(5));
        let rr = Bytes::from_static(&[0x80, 201, 0, 1, 0, 0, 0, 1]);
        h.server
            .handle_datagram(h.now, MediaSocket::Rtcp, addr("127.0.0.1:43001"), rr);
    }
    assert_eq!(h.server.session_count(), 1);
    assert!(h
        .events()
        .iter()
        .all(|e| !matches!(e, ServerEvent::SessionClosed { .. })));
    // Silence: expired 60 s after the last RR.
    h.advance(Duration::from_secs(59));
    assert_eq!(h.server.session_count(), 1);
    h.advance(Duration::from_secs(2));
    assert_eq!(h.server.session_count(), 0);
    assert!(h.events().iter().any(|e| matches!(
        e,
        ServerEvent::SessionClosed {
            reason: SessionEndReason::Timeout,
            ..
        }
    )));
    // A datagram from an unknown source is a diagnostic, not a crash.
    h.server.handle_datagram(
        h.now,
        MediaSocket::Rtp,
        addr("10.0.0.1:1"),
        Bytes::from_static(b"x"),
    );
    assert!(matches!(
        h.events().as_slice(),
        [ServerEvent::Diagnostic(_)]
    ));
}

#[test]
fn gstreamer_rtsp2_pipelined_setup() {
    let mut h = Harness::new();
    let mount = h
        .server
        .add_mount(
            "/av",
            vec![
                TrackConfig::new("stream=0", 0, 8000),
                TrackConfig::new("stream=1", 0, 8000),
            ],
        )
        .expect("mount");
    let stream = client_stream("gst2_tcp__gst_av");
    // The second SETUP carries no Session header, only the Pipelined-Requests id: send
    // both SETUPs before answering either, as a pipelining client does.
    let mut rs = Vec::new();
    for m in stream.into_iter().take(5) {
        let Message::Request(r) = m else { continue };
        let setup = r.method == rtsp_proto::Method::SETUP;
        if r.method == rtsp_proto::Method::PLAY {
            // Both SETUPs are in: answer them, then PLAY with the session id.
            assert_eq!(h.server.session_count(), 1);
            h.answer(SDP_AV);
            rs.extend(h.responses());
        }
        h.send(r);
        if !setup {
            h.answer(SDP_AV);
        }
        rs.extend(h.responses());
    }
    let got: Vec<_> = rs.iter().map(status_and_cseq).collect();
    assert_eq!(got, [(200, 1), (200, 2), (200, 3), (200, 4), (200, 5)]);
    assert!(rs.iter().all(|r| r.version == Version::V2_0));
    assert_eq!(h.server.session_count(), 1);
    let s3 = rs[2]
        .headers
        .typed::<Session>()
        .expect("session")
        .expect("valid");
    let s4 = rs[3]
        .headers
        .typed::<Session>()
        .expect("session")
        .expect("valid");
    assert_eq!(s3.id, s4.id);
    for r in &rs[2..4] {
        assert_eq!(r.headers.get_str("Pipelined-Requests"), Some("1415493200"));
        assert!(r
            .headers
            .get_str("Media-Properties")
            .is_some_and(|v| v.contains("Time-Progressing")));
        assert_eq!(r.headers.get_str("Accept-Ranges"), Some("npt"));
    }
    assert!(transport(&rs[3]).contains("interleaved=2-3"));
    // End of stream: PLAY_NOTIFY to the 2.0 player, then the session ends.
    h.server.remove_mount(h.now, mount).expect("remove");
    let out = h.output();
    let notify = out
        .iter()
        .find_map(|m| match m {
            Message::Request(r) => Some(r.clone()),
            _ => None,
        })
        .expect("PLAY_NOTIFY");
    assert_eq!(notify.method, rtsp_proto::Method::PLAY_NOTIFY);
    assert_eq!(notify.uri(), "rtsp://127.0.0.1:8554/av");
    assert_eq!(
        notify.headers.get_str("Notify-Reason"),
        Some("end-of-stream")
    );
    assert_eq!(
        notify.headers.typed::<Session>().unwrap().unwrap().id,
        s3.id
    );
    // RTCP BYE on both RTCP channels before it.
    let byes: Vec<u8> = out
        .iter()
        .filter_map(|m| match m {
            Message::Data(d) => Some(d.channel),
            _ => None,
        })
        .collect();
    assert_eq!(byes, [1, 3]);
    assert!(h.events().iter().any(|e| matches!(
        e,
        ServerEvent::SessionClosed {
            reason: SessionEndReason::MountRemoved,
            ..
        }
    )));
}

#[test]
fn ffmpeg_publishes_over_tcp_and_is_relayed() {
    let mut h = Harness::new();
    // A player on a second connection.
    let player = h
        .server
        .accept(h.now, addr("127.0.0.1:40002"), addr("127.0.0.1:8554"))
        .expect("accept");
    let stream = client_stream("ffmpegpub_tcp__gst_record");
    let mut rs = Vec::new();
    let mut rtp = Vec::new();
    let mut mount = None;
    let mut playing = false;
    for m in stream {
        match m {
            Message::Request(r) => {
                let teardown = r.method == rtsp_proto::Method::TEARDOWN;
                if teardown {
                    break;
                }
                h.send(r);
            }
            Message::Data(d) => {
                let mut out = BytesMut::new();
                rtsp_proto::message::encode_frame(d.channel, &d.payload, &mut out).expect("frame");
                h.send_raw(&out);
            }
            Message::Response(_) => {}
        }
        for e in h.answer("unused") {
            if let ServerEvent::Rtp {
                mount: m,
                track,
                packet,
                ..
            } = e
            {
                mount = Some(m);
                rtp.push((track, packet.clone()));
                // The relay: what the publisher sends goes to the mount's players.
                h.server.send_rtp(h.now, m, track, &packet).expect("relay");
            }
        }
        rs.extend(h.responses());
        // Once the mount exists, the player sets up its first track and plays.
        if h.server.mount_at("/record").is_some() && !playing {
            h.setup_and_play_on(
                player,
                "/record/streamid=0",
                "RTP/AVP/TCP;unicast;interleaved=0-1",
                "/record",
            );
            playing = true;
        }
    }
    let got: Vec<_> = rs.iter().map(status_and_cseq).collect();
    assert_eq!(got, [(200, 1), (200, 2), (200, 3), (200, 4), (200, 5)]);
    assert!(
        transport(&rs[2]).contains("mode=RECORD") || transport(&rs[2]).contains("mode=\"RECORD\""),
        "{}",
        transport(&rs[2])
    );
    assert!(!transport(&rs[2]).contains("ssrc="));
    let mount: MountId = mount.expect("publisher RTP reported");
    assert!(rtp.len() > 20, "only {} packets", rtp.len());
    assert!(rtp.iter().any(|(t, _)| *t == TrackId(1)));
    // The player got every video packet, renumbered without gaps.
    let mut out = BytesMut::new();
    while let Some(b) = h.server.poll_stream_output(player) {
        out.extend_from_slice(&b);
    }
    let mut dec = Decoder::new();
    let mut seqs = Vec::new();
    while let Some(m) = dec.decode(&mut out).expect("decode") {
        if let Message::Data(d) = m {
            if d.channel == 0 {
                seqs.push(RtpPacket::parse(&d.payload).expect("rtp").sequence_number());
            }
        }
    }
    let video_in = rtp.iter().filter(|(t, _)| *t == TrackId(0)).count();
    assert!(
        seqs.len() >= video_in - 1 && !seqs.is_empty(),
        "{} of {video_in}",
        seqs.len()
    );
    assert!(seqs.windows(2).all(|w| w[1] == w[0].wrapping_add(1)));
    assert_eq!(h.server.players(mount), 1);
}

#[test]
fn ffmpeg_publishing_over_udp_is_kept_alive_by_rtp() {
    let mut config = Harness::config();
    config.udp_ports = Some(UdpPorts {
        rtp: 8000,
        rtcp: 8001,
    });
    let mut h = Harness::with_config(config);
    let rs = {
        let stream = client_stream("ffmpegpub_udp__gst_record");
        let n = stream.len() - 1; // without TEARDOWN
        let mut rs = Vec::new();
        for m in stream.into_iter().take(n) {
            if let Message::Request(r) = m {
                h.send(r);
                h.answer("unused");
                rs.extend(h.responses());
            }
        }
        rs
    };
    let got: Vec<_> = rs.iter().map(status_and_cseq).collect();
    assert_eq!(got, [(200, 1), (200, 2), (200, 3), (200, 4), (200, 5)]);
    assert!(
        transport(&rs[2]).contains("client_port=44192-44193;server_port=8000-8001"),
        "{}",
        transport(&rs[2])
    );
    let session: SessionId = match h.events().as_slice() {
        [] => h
            .server
            .mount_at("/record")
            .map(|_| ())
            .map_or_else(|| panic!("no mount"), |_| None),
        _ => None,
    }
    .unwrap_or_else(|| {
        // Find it through an RTP datagram.
        let rtp = Bytes::from_static(&[0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9, 0xaa]);
        h.server
            .handle_datagram(h.now, MediaSocket::Rtp, addr("127.0.0.1:44192"), rtp);
        match h.events().as_slice() {
            [ServerEvent::Rtp { session, track, .. }] => {
                assert_eq!(*track, TrackId(0));
                *session
            }
            other => panic!("{other:?}"),
        }
    });
    // FFmpeg sends no keep-alive when publishing over UDP: RTP alone keeps the session.
    for i in 0..10u16 {
        h.advance(Duration::from_secs(30));
        let mut p = vec![0x80, 97, 0, 0, 0, 0, 0, 1, 0, 0, 0, 9, 0xbb];
        p[3] = i as u8;
        h.server.handle_datagram(
            h.now,
            MediaSocket::Rtp,
            addr("127.0.0.1:44194"),
            Bytes::from(p),
        );
        assert!(matches!(
            h.events().as_slice(),
            [ServerEvent::Rtp {
                track: TrackId(1),
                ..
            }]
        ));
    }
    assert_eq!(h.server.session_count(), 1);
    h.advance(Duration::from_secs(61));
    let ev = h.events();
    assert!(
        matches!(
            ev.as_slice(),
            [ServerEvent::SessionClosed { session: s, publisher: true, reason: SessionEndReason::Timeout, .. }] if *s == session
        ),
        "{ev:?}"
    );
}

#[test]
fn state_machine_errors() {
    let mut h = Harness::new();
    h.server
        .add_mount(
            "/av",
            vec![
                TrackConfig::new("stream=0", 0, 8000),
                TrackConfig::new("stream=1", 0, 8000),
            ],
        )
        .expect("mount");
    let check = |h: &mut Harness, req: &str, status: u16| {
        h.send_raw(req.as_bytes());
        h.answer(SDP_AV);
        let rs = h.responses();
        assert_eq!(rs.len(), 1, "{req}");
        assert_eq!(rs[0].status.as_u16(), status, "{req}");
        rs.into_iter().next().expect("response")
    };
    // No session, unknown session.
    check(
        &mut h,
        "PLAY rtsp://127.0.0.1:8554/av RTSP/1.0\r\nCSeq: 1\r\n\r\n",
        454,
    );
    check(
        &mut h,
        "PLAY rtsp://127.0.0.1:8554/av RTSP/1.0\r\nCSeq: 2\r\nSession: nosuchsession\r\n\r\n",
        454,
    );
    // Missing CSeq: 400 without CSeq.
    let r = check(&mut h, "OPTIONS * RTSP/1.0\r\n\r\n", 400);
    assert!(r.cseq().is_none());
    // Unsupported version, unknown method, server-to-client method, Require.
    check(&mut h, "OPTIONS * RTSP/3.0\r\nCSeq: 3\r\n\r\n", 505);
    check(
        &mut h,
        "FOO rtsp://127.0.0.1:8554/av RTSP/1.0\r\nCSeq: 4\r\n\r\n",
        501,
    );
    check(
        &mut h,
        "REDIRECT rtsp://127.0.0.1:8554/av RTSP/1.0\r\nCSeq: 5\r\n\r\n",
        405,
    );
    let r = check(
        &mut h,
        "OPTIONS * RTSP/1.0\r\nCSeq: 6\r\nRequire: play.basic, com.example.x\r\n\r\n",
        551,
    );
    assert_eq!(r.headers.get_str("Unsupported"), Some("com.example.x"));
    // UDP only, but the server has no UDP ports: 461, and no session is left behind.
    check(&mut h, "SETUP rtsp://127.0.0.1:8554/av/stream=0 RTSP/1.0\r\nCSeq: 7\r\nTransport: RTP/AVP;unicast;client_port=5000-5001\r\n\r\n", 461);
    assert_eq!(h.server.session_count(), 0);
    // SETUP without Transport.
    check(
        &mut h,
        "SETUP rtsp://127.0.0.1:8554/av/stream=0 RTSP/1.0\r\nCSeq: 8\r\n\r\n",
        461,
    );
    // Set up both streams.
    check(&mut h, "SETUP rtsp://127.0.0.1:8554/av/stream=0 RTSP/1.0\r\nCSeq: 9\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n", 200);
    let token = h.token.clone().expect("token");
    // Same channels asked again for the other stream: the server picks free ones.
    let r = check(&mut h, &format!("SETUP rtsp://127.0.0.1:8554/av/stream=1 RTSP/1.0\r\nCSeq: 10\r\nSession: {token}\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n"), 200);
    assert!(transport(&r).contains("interleaved=2-3"));
    // RECORD on a play session, PLAY of one stream of two: 455 and 459.
    check(
        &mut h,
        &format!(
            "RECORD rtsp://127.0.0.1:8554/av RTSP/1.0\r\nCSeq: 11\r\nSession: {token}\r\n\r\n"
        ),
        455,
    );
    check(&mut h, &format!("PLAY rtsp://127.0.0.1:8554/av/stream=0 RTSP/1.0\r\nCSeq: 12\r\nSession: {token}\r\n\r\n"), 459);
    // PLAY, a second PLAY while playing (QUIRKS 59), SETUP while playing.
    check(
        &mut h,
        &format!("PLAY rtsp://127.0.0.1:8554/av/ RTSP/1.0\r\nCSeq: 13\r\nSession: {token}\r\n\r\n"),
        200,
    );
    check(
        &mut h,
        &format!("PLAY rtsp://127.0.0.1:8554/av/ RTSP/1.0\r\nCSeq: 14\r\nSession: {token}\r\n\r\n"),
        200,
    );
    check(&mut h, &format!("SETUP rtsp://127.0.0.1:8554/av/stream=1 RTSP/1.0\r\nCSeq: 15\r\nSession: {token}\r\nTransport: RTP/AVP/TCP;unicast\r\n\r\n"), 455);
    // Keep-alives answered by the server, with the Session header.
    let r = check(&mut h, &format!("GET_PARAMETER rtsp://127.0.0.1:8554/av/ RTSP/1.0\r\nCSeq: 16\r\nSession: {token}\r\n\r\n"), 200);
    assert!(r
        .headers
        .get_str("Session")
        .is_some_and(|s| s.starts_with(&token)));
    // A SETUP for a path that is not mounted: the application says 404.
    let mut h2 = Harness::new();
    h2.send_raw(b"SETUP rtsp://127.0.0.1:8554/none/x RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP/TCP;unicast\r\n\r\n");
    let ev = h2.events();
    let [ServerEvent::Request(req)] = ev.as_slice() else {
        panic!("{ev:?}")
    };
    assert!(matches!(
        req.kind,
        RequestKind::Setup {
            track: None,
            mode: SetupMode::Play,
            ..
        }
    ));
    assert!(h2.server.accept_request(h2.now, req.id).is_err());
    h2.server
        .reject(h2.now, req.id, StatusCode::NOT_FOUND)
        .expect("reject");
    assert_eq!(h2.responses()[0].status, StatusCode::NOT_FOUND);
    assert_eq!(h2.server.session_count(), 0);
}

#[test]
fn vlc_sets_up_a_single_track_with_the_base_url() {
    let mut h = Harness::new();
    let mount = h
        .server
        .add_mount("/cam", vec![TrackConfig::new("trackID=0", 0, 8000)])
        .expect("mount");
    h.send_raw(b"SETUP rtsp://127.0.0.1:8554/cam/ RTSP/1.0\r\nCSeq: 3\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n");
    let ev = h.events();
    let [ServerEvent::Request(req)] = ev.as_slice() else {
        panic!("{ev:?}")
    };
    assert_eq!(req.mount, Some(mount));
    assert!(matches!(
        req.kind,
        RequestKind::Setup {
            track: Some(TrackId(0)),
            ..
        }
    ));
}

#[test]
fn digest_md5_as_ffmpeg_sends_it() {
    let mut config = Harness::config();
    let mut rng = StdRng::seed_from_u64(9);
    #[allow(clippy::disallowed_methods)]
    let start = Instant::now();
    let mut auth = ServerAuthenticator::new("rtsp-proto", start, &mut rng);
    auth.add_user(UserCredentials::new("user", "pass"));
    auth.add_user(UserCredentials::new("other", "secret"));
    config.authenticator = Some(auth);
    let mut h = Harness::with_config(config);
    h.now = start;
    h.server
        .add_mount("/secure", vec![TrackConfig::new("stream=0", 96, 90_000)])
        .expect("mount");
    let sdp = "v=0\r\nm=video 0 RTP/AVP 96\r\na=control:stream=0\r\n";
    // Without credentials: OPTIONS passes, DESCRIBE is challenged with MD5 only (QUIRKS 54).
    let stream = client_stream("ffmpeg_tcp__gst_secure_digest");
    let reqs: Vec<Request> = stream
        .into_iter()
        .filter_map(|m| match m {
            Message::Request(r) => Some(r),
            _ => None,
        })
        .collect();
    let mut first = reqs[1].clone();
    first.headers.remove("Authorization");
    h.send(reqs[0].clone());
    h.send(first);
    h.answer(sdp);
    let rs = h.responses();
    assert_eq!(
        rs.iter().map(status_and_cseq).collect::<Vec<_>>(),
        [(200, 1), (401, 2)]
    );
    let challenge = rs[1]
        .headers
        .typed::<WwwAuthenticate>()
        .expect("challenge")
        .expect("valid");
    assert_eq!(challenge.0.len(), 1);
    assert_eq!(challenge.0[0].param("algorithm"), None);
    assert_eq!(challenge.0[0].param("realm"), Some("rtsp-proto"));
    // The captured requests re-signed with our fresh nonce (uri = the absolute URL, as
    // ffmpeg writes it), and VLC-style base URL for PLAY: all accepted.
    h.creds = Some(("user".into(), "pass".into()));
    let mut rs = Vec::new();
    for r in &reqs[2..5] {
        h.send(r.clone());
        h.answer(sdp);
        rs.extend(h.responses());
    }
    assert_eq!(
        rs.iter().map(status_and_cseq).collect::<Vec<_>>(),
        [(200, 3), (200, 4), (200, 5)]
    );
    let token = h.token.clone().expect("session");
    // Another user cannot control the session.
    h.creds = Some(("other".into(), "secret".into()));
    h.send_raw(request("PAUSE", "/secure/", 6, &[&format!("Session: {token}")]).as_bytes());
    h.responses(); // 401 (no Authorization on a raw request) refreshes nothing
    let mut pause = reqs[4].clone();
    pause.method = rtsp_proto::Method::PAUSE;
    h.send(pause);
    let rs = h.responses();
    assert_eq!(rs.last().map(|r| r.status.as_u16()), Some(454));
    // A wrong password is challenged again; an expired nonce gets stale=true.
    h.creds = Some(("user".into(), "wrong".into()));
    h.send(reqs[1].clone());
    let rs = h.responses();
    assert_eq!(rs[0].status.as_u16(), 401);
    let stale = |r: &Response| {
        r.headers
            .typed::<WwwAuthenticate>()
            .and_then(Result::ok)
            .and_then(|w| {
                w.0.first()
                    .and_then(|c| c.param("stale").map(str::to_owned))
            })
    };
    assert_eq!(stale(&rs[0]), None);
    h.creds = Some(("user".into(), "pass".into()));
    h.now += Duration::from_secs(120);
    let old = h.nonce.clone();
    h.send(reqs[1].clone());
    let rs = h.responses();
    assert_eq!(rs[0].status.as_u16(), 401);
    assert_eq!(stale(&rs[0]).as_deref(), Some("true"));
    assert_ne!(h.nonce, old);
    h.send(reqs[1].clone());
    h.answer(sdp);
    assert_eq!(h.responses()[0].status.as_u16(), 200);
}

#[test]
fn sha256_only_when_configured() {
    let mut config = Harness::config();
    let mut rng = StdRng::seed_from_u64(9);
    #[allow(clippy::disallowed_methods)]
    let start = Instant::now();
    let auth = ServerAuthenticator::new("rtsp-proto", start, &mut rng).with_sha256(true);
    config.authenticator = Some(auth);
    let mut h = Harness::with_config(config);
    h.send_raw(b"DESCRIBE rtsp://127.0.0.1:8554/x RTSP/1.0\r\nCSeq: 1\r\n\r\n");
    let rs = h.responses();
    let w = rs[0]
        .headers
        .typed::<WwwAuthenticate>()
        .expect("challenge")
        .expect("valid");
    let algs: Vec<_> = w.0.iter().map(|c| c.param("algorithm")).collect();
    assert_eq!(algs, [Some("SHA-256"), None]);
}

#[test]
fn slow_reader_is_closed_and_memory_stays_bounded() {
    let mut config = Harness::config();
    let mut limits = ServerLimits::default();
    limits.max_output_bytes = 64 * 1024;
    config.limits = limits;
    let mut h = Harness::with_config(config);
    let mount = h
        .server
        .add_mount("/a", pcmu_tracks(&["t"]))
        .expect("mount");
    // Two players; only the second one reads.
    let reader = h
        .server
        .accept(h.now, addr("127.0.0.1:40001"), addr("127.0.0.1:8554"))
        .expect("accept");
    for conn in [h.conn, reader] {
        h.setup_and_play_on(conn, "/a/t", "RTP/AVP/TCP;unicast;interleaved=0-1", "/a");
    }
    assert_eq!(h.server.players(mount), 2);
    let mut closed = None;
    for i in 0..1000u32 {
        h.server
            .send_frame(h.now, mount, TrackId(0), i * 160, &[0x55; 160])
            .expect("frame");
        assert!(h.server.stream_output_len(h.conn) <= 64 * 1024);
        while h.server.poll_stream_output(reader).is_some() {}
        for e in h.events() {
            if let ServerEvent::ConnectionClosed { conn, reason } = e {
                closed = Some((conn, reason, i));
            }
        }
        if closed.is_some() {
            break;
        }
    }
    let (conn, reason, i) = closed.expect("slow reader closed");
    assert_eq!(
        (conn, reason),
        (h.conn, rtsp_proto::server::CloseReason::SlowReader)
    );
    // 176 bytes per frame: about 64 KiB / 176 frames went out before the cut.
    assert!((300..400).contains(&i), "{i}");
    assert_eq!(h.server.players(mount), 1);
    assert_eq!(h.server.connection_count(), 1);
}

#[test]
fn limits_on_sessions_pending_requests_and_connections() {
    let mut config = Harness::config();
    let mut limits = ServerLimits::default();
    limits.max_sessions = 2;
    limits.max_pending_requests = 3;
    limits.max_connections = 2;
    config.limits = limits;
    let mut h = Harness::with_config(config);
    h.server
        .add_mount("/a", vec![TrackConfig::new("t", 0, 8000)])
        .expect("mount");
    // Pending requests: the fourth unanswered DESCRIBE is refused.
    for cseq in 1..=4 {
        h.send_raw(
            format!("DESCRIBE rtsp://127.0.0.1:8554/a RTSP/1.0\r\nCSeq: {cseq}\r\n\r\n").as_bytes(),
        );
    }
    let rs = h.responses();
    assert!(
        rs.is_empty(),
        "the refusal of the fourth waits for the first three"
    );
    let reqs: Vec<_> = h.events();
    assert_eq!(reqs.len(), 3);
    // The refusal waits for the earlier answers (responses keep request order).
    h.answer("");
    for e in reqs {
        if let ServerEvent::Request(r) = e {
            h.server
                .respond_describe(h.now, r.id, "v=0\r\n")
                .expect("describe");
        }
    }
    let rs = h.responses();
    assert_eq!(
        rs.iter().map(status_and_cseq).collect::<Vec<_>>(),
        [(200, 1), (200, 2), (200, 3), (503, 4)]
    );
    // Sessions: the third SETUP without session is refused.
    for cseq in 5..=7 {
        h.send_raw(format!("SETUP rtsp://127.0.0.1:8554/a/t RTSP/1.0\r\nCSeq: {cseq}\r\nTransport: RTP/AVP/TCP;unicast\r\n\r\n").as_bytes());
        h.answer("");
    }
    let rs = h.responses();
    assert_eq!(
        rs.iter().map(status_and_cseq).collect::<Vec<_>>(),
        [(200, 5), (200, 6), (503, 7)]
    );
    assert_eq!(h.server.session_count(), 2);
    // Connections.
    assert!(h
        .server
        .accept(h.now, addr("127.0.0.1:1"), addr("127.0.0.1:8554"))
        .is_ok());
    assert!(h
        .server
        .accept(h.now, addr("127.0.0.1:2"), addr("127.0.0.1:8554"))
        .is_err());
    // Closing the connection ends its interleaved sessions.
    h.server.connection_closed(h.now, h.conn);
    assert_eq!(h.server.session_count(), 0);
    let closed = h
        .events()
        .into_iter()
        .filter(|e| {
            matches!(
                e,
                ServerEvent::SessionClosed {
                    reason: SessionEndReason::ConnectionClosed,
                    ..
                }
            )
        })
        .count();
    assert_eq!(closed, 2);
}

#[test]
fn fan_out_shares_one_packet_between_players() {
    let mut h = Harness::new();
    let mount = h
        .server
        .add_mount("/a", pcmu_tracks(&["t"]))
        .expect("mount");
    let mut conns = Vec::new();
    for i in 0..100u16 {
        let conn = h
            .server
            .accept(
                h.now,
                SocketAddr::from(([127, 0, 0, 1], 10_000 + i)),
                addr("127.0.0.1:8554"),
            )
            .expect("accept");
        h.setup_and_play_on(conn, "/a/t", "RTP/AVP/TCP;unicast;interleaved=0-1", "/a");
        conns.push(conn);
    }
    while h.server.poll_writable().is_some() {}
    h.server
        .send_frame(h.now, mount, TrackId(0), 0, &[0x11; 160])
        .expect("frame");
    let writable: Vec<_> = std::iter::from_fn(|| h.server.poll_writable()).collect();
    assert_eq!(writable.len(), 100);
    let chunks: Vec<Bytes> = conns
        .iter()
        .map(|c| h.server.poll_stream_output(*c).expect("chunk"))
        .collect();
    // The same allocation for every player: packetized and framed once.
    assert!(chunks
        .iter()
        .all(|c| c.as_ptr() == chunks[0].as_ptr() && c.len() == 4 + 12 + 160));
}

#[test]
fn multicast_sends_one_datagram_for_all_players() {
    let mut config = Harness::config();
    config.multicast = Some(MulticastConfig::new(
        "239.1.2.3".parse().expect("ip"),
        4,
        5000,
    ));
    let mut h = Harness::with_config(config);
    let mount = h
        .server
        .add_mount("/m", pcmu_tracks(&["t"]))
        .expect("mount");
    // Known before any SETUP, for the SDP (VLC then chooses multicast).
    assert_eq!(
        h.server.multicast_address(mount, TrackId(0)),
        Some(addr("239.1.2.3:5000"))
    );
    for i in 0..3u16 {
        let conn = h
            .server
            .accept(
                h.now,
                SocketAddr::from(([127, 0, 0, 1], 20_000 + i)),
                addr("127.0.0.1:8554"),
            )
            .expect("accept");
        let r = h.setup_and_play_on(conn, "/m/t", "RTP/AVP;multicast", "/m");
        let t = transport(&r);
        assert!(
            t.starts_with("RTP/AVP;multicast;destination=239.1.2.3;ttl=16;port=5000-5001"),
            "{t}"
        );
    }
    h.server
        .send_frame(h.now, mount, TrackId(0), 0, &[0x11; 160])
        .expect("frame");
    let tx: Vec<_> = std::iter::from_fn(|| h.server.poll_transmit()).collect();
    assert_eq!(tx.len(), 1);
    assert_eq!(tx[0].destination, addr("239.1.2.3:5000"));
    assert_eq!(
        h.server.multicast_address(mount, TrackId(0)),
        Some(addr("239.1.2.3:5000"))
    );
}

#[test]
fn rtcp_sender_reports_follow_the_interval() {
    let mut h = Harness::new();
    let mount = h
        .server
        .add_mount("/a", pcmu_tracks(&["t"]))
        .expect("mount");
    h.send_raw(b"SETUP rtsp://127.0.0.1:8554/a/t RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP/TCP;unicast;interleaved=4-5\r\n\r\n");
    h.answer("");
    h.responses();
    let token = h.token.clone().expect("token");
    h.send_raw(request("PLAY", "/a", 2, &[&format!("Session: {token}")]).as_bytes());
    h.answer("");
    h.responses();
    let start = h.now;
    let mut reports = Vec::new();
    for i in 0..600u32 {
        // 20 ms audio frames for 12 s, with keep-alive RTCP from the player.
        h.now = start + Duration::from_millis(u64::from(i) * 20);
        h.server.handle_timeout(h.now);
        h.server
            .send_frame(h.now, mount, TrackId(0), i * 160, &[0x22; 160])
            .expect("frame");
        h.responses();
        for (ch, p) in h.data.drain(..) {
            if ch == 5 {
                reports.push((h.now, p));
            }
        }
    }
    // The first report right after the first media (as live555 and ffmpeg send theirs:
    // players wait for it to place the stream in time), then RFC 3550's interval:
    // 5 s × [0.5, 1.5] / 1.218.
    assert!((2..=7).contains(&reports.len()), "{}", reports.len());
    let sr_of = |p: &Bytes| {
        let packets: Vec<_> = Compound::parse(p, ValidationMode::Strict)
            .expect("compound")
            .collect();
        let Ok(RtcpPacket::SenderReport(sr)) = &packets[0] else {
            panic!("{packets:?}")
        };
        assert!(matches!(packets[1], Ok(RtcpPacket::SourceDescription(_))));
        sr.info.packet_count
    };
    let first = reports[0].0 - start;
    assert!(first <= Duration::from_millis(20), "{first:?}");
    assert_eq!(sr_of(&reports[0].1), 1);
    let second = reports[1].0 - reports[0].0;
    assert!(
        second >= Duration::from_millis(2000) && second <= Duration::from_millis(6200),
        "{second:?}"
    );
    assert!(sr_of(&reports[1].1) > 40);
    assert!(h.server.poll_timeout().is_some());
}

#[test]
fn timeouts_and_keepalives() {
    let mut h = Harness::new();
    h.server
        .add_mount("/a", vec![TrackConfig::new("t", 0, 8000)])
        .expect("mount");
    h.send_raw(b"SETUP rtsp://127.0.0.1:8554/a/t RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n");
    h.answer("");
    h.responses();
    let token = h.token.clone().expect("token");
    let deadline = h.server.poll_timeout().expect("expiry timer");
    assert_eq!(deadline - h.now, Duration::from_secs(60));
    // A spurious early call does nothing.
    h.server.handle_timeout(h.now);
    assert_eq!(h.server.session_count(), 1);
    // OPTIONS with the session, GET_PARAMETER, and interleaved RTCP all refresh it.
    h.advance(Duration::from_secs(50));
    h.send_raw(format!("OPTIONS * RTSP/1.0\r\nCSeq: 2\r\nSession: {token}\r\n\r\n").as_bytes());
    h.advance(Duration::from_secs(50));
    h.send_raw(request("GET_PARAMETER", "/a", 3, &[&format!("Session: {token}")]).as_bytes());
    h.advance(Duration::from_secs(50));
    h.send_raw(b"$\x01\x00\x08\x80\xc9\x00\x01\x00\x00\x00\x01");
    h.advance(Duration::from_secs(50));
    assert_eq!(h.server.session_count(), 1);
    assert!(h.events().is_empty());
    h.advance(Duration::from_secs(10));
    assert_eq!(h.server.session_count(), 0);
    assert!(matches!(
        h.events().as_slice(),
        [ServerEvent::SessionClosed {
            reason: SessionEndReason::Timeout,
            ..
        }]
    ));
    assert_eq!(h.server.poll_timeout(), None);
    // The session is gone for the client too.
    h.responses();
    h.send_raw(request("PLAY", "/a", 4, &[&format!("Session: {token}")]).as_bytes());
    assert_eq!(h.responses()[0].status.as_u16(), 454);
}

#[test]
fn every_captured_client_session_gets_answers_in_order() {
    // Play sessions of every captured client: each request gets exactly one response
    // with its CSeq, in order, and nothing the server emits fails to decode.
    for name in [
        "ffmpeg_tcp__gst_av",
        "ffmpeg_tcp__gst_h264",
        "ffmpeg_tcp__gst_mjpeg",
        "ffmpeg_tcp__gst_pcmu",
        "gst_tcp__gst_av",
        "gst2_tcp__gst_av",
    ] {
        let mut h = Harness::new();
        h.server
            .add_mount(
                "/av",
                vec![
                    TrackConfig::new("stream=0", 0, 8000),
                    TrackConfig::new("stream=1", 0, 8000),
                ],
            )
            .expect("mount");
        for p in ["/h264", "/mjpeg", "/pcmu"] {
            h.server
                .add_mount(p, vec![TrackConfig::new("stream=0", 0, 8000)])
                .expect("mount");
        }
        let requests: Vec<u32> = client_stream(name)
            .iter()
            .filter_map(|m| match m {
                Message::Request(r) => r.cseq().and_then(Result::ok).map(|c| c.0),
                _ => None,
            })
            .collect();
        let rs = replay(&mut h, name, SDP_AV);
        let got: Vec<_> = rs.iter().map(status_and_cseq).collect();
        let want: Vec<_> = requests.iter().map(|c| (200, *c)).collect();
        assert_eq!(got, want, "{name}");
        assert_eq!(
            h.server.session_count(),
            0,
            "{name}: TEARDOWN ends the session"
        );
    }
}

#[test]
fn recorded_rtp_is_depacketized_into_frames_when_asked() {
    use rtsp_proto::codec::h264::{H264Config, H264Depacketizer};
    let mut h = Harness::new();
    let mut frames = 0;
    let mut keyframes = 0;
    let mut packets = 0;
    for m in client_stream("ffmpegpub_tcp__gst_record") {
        match m {
            Message::Request(r) => {
                if r.method == rtsp_proto::Method::TEARDOWN {
                    break;
                }
                h.send(r);
                h.answer("unused");
                h.responses();
            }
            Message::Data(d) => {
                let mut out = BytesMut::new();
                rtsp_proto::message::encode_frame(d.channel, &d.payload, &mut out).expect("frame");
                h.send_raw(&out);
                for e in h.events() {
                    match e {
                        ServerEvent::Rtp { session, track, .. } => {
                            packets += 1;
                            if packets == 1 {
                                assert_eq!(track, TrackId(0));
                                let d = H264Depacketizer::new(H264Config::from_fmtp(
                                    "packetization-mode=1",
                                ));
                                h.server
                                    .attach_depacketizer(session, TrackId(0), Box::new(d))
                                    .expect("attach");
                            }
                        }
                        ServerEvent::Frame { track, frame, .. } => {
                            assert_eq!(track, TrackId(0));
                            frames += 1;
                            keyframes += usize::from(frame.keyframe);
                            assert!(frame.data.len() > 4);
                        }
                        ServerEvent::Rtcp { .. } | ServerEvent::Diagnostic(_) => {}
                        other => panic!("{other:?}"),
                    }
                }
            }
            Message::Response(_) => {}
        }
    }
    assert!(packets > 20, "{packets}");
    assert!(frames >= 5, "{frames} frames");
    assert!(keyframes >= 1);
}

#[test]
fn a_forgotten_request_is_answered_503_after_the_answer_timeout() {
    let mut h = Harness::new();
    h.send_raw(b"DESCRIBE rtsp://127.0.0.1:8554/x RTSP/1.0\r\nCSeq: 1\r\n\r\nOPTIONS * RTSP/1.0\r\nCSeq: 2\r\n\r\n");
    let ev = h.events();
    let [ServerEvent::Request(req)] = ev.as_slice() else {
        panic!("{ev:?}")
    };
    // The OPTIONS answer waits behind the DESCRIBE.
    assert!(h.responses().is_empty());
    assert_eq!(
        h.server.poll_timeout(),
        Some(h.now + Duration::from_secs(30))
    );
    h.advance(Duration::from_secs(30));
    let rs = h.responses();
    assert_eq!(
        rs.iter().map(status_and_cseq).collect::<Vec<_>>(),
        [(503, 1), (200, 2)]
    );
    assert!(matches!(
        h.events().as_slice(),
        [ServerEvent::Diagnostic(rtsp_proto::server::Diagnostic::Unanswered { id })] if *id == req.id
    ));
    assert!(h.server.respond_describe(h.now, req.id, "v=0\r\n").is_err());
    assert_eq!(h.server.poll_timeout(), None);
}

#[test]
fn rtsp2_udp_uses_dest_addr_and_src_addr_and_the_rfc7826_rtp_info_form() {
    let mut config = Harness::config();
    config.udp_ports = Some(UdpPorts {
        rtp: 8000,
        rtcp: 8001,
    });
    config.rtsp2_rtp_info = rtsp_proto::server::Rtsp2RtpInfoPolicy::Rfc7826Form;
    let mut h = Harness::with_config(config);
    let mount = h
        .server
        .add_mount("/a", pcmu_tracks(&["t"]))
        .expect("mount");
    h.send_raw(b"SETUP rtsp://127.0.0.1:8554/a/t RTSP/2.0\r\nCSeq: 1\r\nTransport: RTP/AVP;unicast;dest_addr=\":6000\"/\":6001\"\r\n\r\n");
    h.answer("");
    let rs = h.responses();
    assert_eq!(rs[0].version, Version::V2_0);
    let t = Transport::parse(&transport(&rs[0])).expect("transport");
    let spec = &t.0[0];
    assert_eq!(spec.dest_addr, [":6000", ":6001"]);
    assert_eq!(spec.src_addr, ["127.0.0.1:8000", "127.0.0.1:8001"]);
    assert_eq!(spec.client_port, None);
    let token = h.token.clone().expect("token");
    h.send_raw(
        format!("PLAY rtsp://127.0.0.1:8554/a RTSP/2.0\r\nCSeq: 2\r\nSession: {token}\r\n\r\n")
            .as_bytes(),
    );
    h.answer("");
    let rs = h.responses();
    let info = rs[0].headers.get_str("RTP-Info").expect("RTP-Info");
    assert!(
        info.starts_with("url=\"rtsp://127.0.0.1:8554/a/t\" ssrc="),
        "{info}"
    );
    assert_eq!(
        spec.first_ssrc(),
        RtpInfo::parse(info).expect("parse").entries[0].ssrc
    );
    h.server
        .send_frame(h.now, mount, TrackId(0), 0, &[0; 160])
        .expect("frame");
    let tx = h.server.poll_transmit().expect("datagram");
    assert_eq!(
        (tx.socket, tx.destination),
        (MediaSocket::Rtp, addr("127.0.0.1:6000"))
    );
}

/// Sends a request written out (the session token substituted for `{s}`), answers it the
/// usual way and returns the responses.
fn exchange(h: &mut Harness, sdp: &str, req: &str) -> Vec<Response> {
    let token = h.token.clone().unwrap_or_default();
    let text = req.replace("{s}", &token).replace('\n', "\r\n");
    h.send_raw(text.as_bytes());
    h.answer(sdp);
    h.responses()
}

fn one(rs: Vec<Response>) -> Response {
    assert_eq!(rs.len(), 1, "{rs:?}");
    rs.into_iter().next().expect("one response")
}

/// A harness with `/live` (one track, `t`) mounted and set up over TCP in RTSP `version`
/// ("1.0" or "2.0"), and the SETUP response.
fn live_set_up(version: &str) -> (Harness, Response) {
    let mut h = Harness::new();
    h.server
        .add_mount("/live", vec![TrackConfig::new("t", 0, 8000)])
        .expect("mount");
    let r = one(exchange(
        &mut h,
        "",
        &format!("SETUP rtsp://127.0.0.1:8554/live/t RTSP/{version}\nCSeq: 1\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\n\n"),
    ));
    (h, r)
}

#[test]
fn rtsp2_play_of_a_live_mount_states_range_seek_style_and_media_properties() {
    let (mut h, r) = live_set_up("2.0");
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.headers.get_str("Media-Properties"),
        Some("No-Seeking, Time-Progressing, Time-Duration=0")
    );
    assert_eq!(r.headers.get_str("Accept-Ranges"), Some("npt"));
    let r = one(exchange(
        &mut h,
        "",
        "PLAY rtsp://127.0.0.1:8554/live RTSP/2.0\nCSeq: 2\nSession: {s}\nRange: npt=10-\n\n",
    ));
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers.get_str("Range"), Some("npt=now-"));
    assert_eq!(r.headers.get_str("Seek-Style"), Some("Next"));
    assert_eq!(
        r.headers.get_str("Media-Properties"),
        Some("No-Seeking, Time-Progressing, Time-Duration=0")
    );
    // RTSP 1.0 has no Seek-Style or Media-Properties.
    let (mut h, _) = live_set_up("1.0");
    let r = one(exchange(
        &mut h,
        "",
        "PLAY rtsp://127.0.0.1:8554/live RTSP/1.0\nCSeq: 2\nSession: {s}\n\n",
    ));
    assert_eq!(r.headers.get_str("Range"), Some("npt=now-"));
    assert_eq!(r.headers.get_str("Seek-Style"), None);
    assert_eq!(r.headers.get_str("Media-Properties"), None);
}

/// A harness with `/file` (one track, `t`) mounted as `media`.
fn file_mount(media: rtsp_proto::server::MountMedia) -> Harness {
    let mut h = Harness::new();
    let mount = h
        .server
        .add_mount("/file", vec![TrackConfig::new("t", 0, 8000)])
        .expect("mount");
    h.server.set_mount_media(mount, media).expect("media");
    h
}

/// Sends `req` (`{s}` replaced by the session token, `\n` by CRLF) and returns the one
/// request event it raises, left for the test to answer.
fn raised(h: &mut Harness, req: &str) -> rtsp_proto::server::IncomingRequest {
    let token = h.token.clone().unwrap_or_default();
    h.send_raw(req.replace("{s}", &token).replace('\n', "\r\n").as_bytes());
    let mut events = h.events();
    match events.pop() {
        Some(ServerEvent::Request(r)) if events.is_empty() => *r,
        other => panic!("{events:?} {other:?}"),
    }
}

#[test]
fn on_demand_media_answers_the_range_it_plays_pauses_resumes_and_seeks() {
    use rtsp_proto::header::{NptTime, Range, RangeSpec, SeekStyle, TimeRange};
    use rtsp_proto::server::MountMedia;
    let mut h = file_mount(
        MountMedia::on_demand(Some(Duration::from_secs(60))).with_random_access(Some(2.0)),
    );
    let sdp =
        "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=f\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\na=control:t\r\n";
    let r = one(exchange(
        &mut h,
        sdp,
        "DESCRIBE rtsp://127.0.0.1:8554/file RTSP/2.0\nCSeq: 1\n\n",
    ));
    let body = std::str::from_utf8(&r.body).expect("sdp");
    assert!(
        body.contains("t=0 0\r\na=range:npt=0-60\r\nm=audio"),
        "{body}"
    );
    let r = one(exchange(
        &mut h,
        sdp,
        "SETUP rtsp://127.0.0.1:8554/file/t RTSP/2.0\nCSeq: 2\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\n\n",
    ));
    assert_eq!(
        r.headers.get_str("Media-Properties"),
        Some("Random-Access=2, Immutable, Unlimited")
    );
    // No Range: from the start, to the end of the presentation.
    let r = one(exchange(
        &mut h,
        sdp,
        "PLAY rtsp://127.0.0.1:8554/file RTSP/2.0\nCSeq: 3\nSession: {s}\n\n",
    ));
    assert_eq!(r.headers.get_str("Range"), Some("npt=0-60"));
    assert_eq!(r.headers.get_str("Seek-Style"), Some("RAP"));
    // Ten seconds later the pause point is 10 s, where a PLAY without Range resumes.
    h.now += Duration::from_secs(10);
    let r = one(exchange(
        &mut h,
        sdp,
        "PAUSE rtsp://127.0.0.1:8554/file RTSP/2.0\nCSeq: 4\nSession: {s}\n\n",
    ));
    assert_eq!(r.headers.get_str("Range"), Some("npt=10-"));
    h.now += Duration::from_secs(5);
    let r = one(exchange(
        &mut h,
        sdp,
        "PLAY rtsp://127.0.0.1:8554/file RTSP/2.0\nCSeq: 5\nSession: {s}\n\n",
    ));
    assert_eq!(r.headers.get_str("Range"), Some("npt=10-60"));
    // A seek while playing goes to the application, which answers the position it
    // actually starts from (the random access point before it) and the style asked for.
    h.send_raw(
        format!(
            "PLAY rtsp://127.0.0.1:8554/file RTSP/2.0\r\nCSeq: 6\r\nSession: {}\r\nRange: npt=30-\r\nSeek-Style: CoRAP\r\n\r\n",
            h.token.clone().expect("token")
        )
        .as_bytes(),
    );
    let events = h.events();
    let [ServerEvent::Request(req)] = &events[..] else {
        panic!("{events:?}")
    };
    let RequestKind::Play { range, seek, .. } = &req.kind else {
        panic!("{req:?}")
    };
    assert!(seek);
    assert_eq!(
        range.as_ref(),
        Some(&Range::npt_from(Duration::from_secs(30)))
    );
    let played = Range::new(RangeSpec::Npt(TimeRange::new(
        Some(NptTime::Time(Duration::from_secs(28))),
        Some(NptTime::Time(Duration::from_secs(60))),
    )));
    h.server.respond_play(h.now, req.id, played).expect("play");
    let r = one(h.responses());
    assert_eq!(r.headers.get_str("Range"), Some("npt=28-60"));
    assert_eq!(
        r.headers.get_str("Seek-Style"),
        Some(SeekStyle::CoRap.as_str())
    );
    // A PLAY with Range from the start of a stopped session: the requested range.
    h.now += Duration::from_secs(2);
    let r = one(exchange(
        &mut h,
        sdp,
        "PAUSE rtsp://127.0.0.1:8554/file RTSP/2.0\nCSeq: 7\nSession: {s}\n\n",
    ));
    assert_eq!(r.headers.get_str("Range"), Some("npt=30-"));
    let r = one(exchange(
        &mut h,
        sdp,
        "PLAY rtsp://127.0.0.1:8554/file RTSP/2.0\nCSeq: 8\nSession: {s}\nRange: npt=5-20\n\n",
    ));
    assert_eq!(r.headers.get_str("Range"), Some("npt=5-20"));
}

/// `Scale` (RFC 2326 §12.34, RFC 7826 §18.46): the request's scale reaches the application,
/// the answer states the scale that plays (1 unless the application says otherwise), and an
/// on-demand position moves at that scale.
#[test]
fn play_answers_the_scale_it_plays_and_the_position_moves_at_it() {
    use rtsp_proto::server::{ApiError, MountMedia};
    let mut h = file_mount(MountMedia::on_demand(Some(Duration::from_secs(60))));
    exchange(
        &mut h,
        "",
        "SETUP rtsp://127.0.0.1:8554/file/t RTSP/1.0\nCSeq: 1\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\n\n",
    );
    // A PLAY with `extra` headers, answered by `answer`; the response's (Scale, Range).
    let play = |h: &mut Harness, extra: &str, answer: Option<f64>| {
        let req = raised(
            h,
            &format!(
                "PLAY rtsp://127.0.0.1:8554/file RTSP/1.0\nCSeq: 2\nSession: {{s}}\n{extra}\n"
            ),
        );
        let RequestKind::Play { scale, .. } = req.kind else {
            panic!("{req:?}")
        };
        match answer {
            Some(a) => h.server.respond_play_scaled(h.now, req.id, None, a),
            None => h.server.accept_request(h.now, req.id),
        }
        .expect("play");
        let r = one(h.responses());
        let header = |name| r.headers.get_str(name).map(str::to_owned);
        (scale, header("Scale"), header("Range"))
    };
    // The pause point `secs` seconds on.
    let pause_after = |h: &mut Harness, secs: u64| {
        h.now += Duration::from_secs(secs);
        let r = one(exchange(
            h,
            "",
            "PAUSE rtsp://127.0.0.1:8554/file RTSP/1.0\nCSeq: 3\nSession: {s}\n\n",
        ));
        r.headers.get_str("Range").map(str::to_owned)
    };
    let some = |s: &str| Some(s.to_owned());
    // Twice as fast, as asked: 10 s later the position is 20 s.
    let (asked, scale, range) = play(&mut h, "Scale: 2.0\n", Some(2.0));
    assert_eq!(
        (asked, scale, range),
        (Some(2.0), some("2"), some("npt=0-60"))
    );
    assert_eq!(pause_after(&mut h, 10), some("npt=20-"));
    // A fast scale runs out at the end of the media (60 s), not past it; a plain PLAY
    // with Range plays at 1 again.
    assert_eq!(play(&mut h, "Scale: 8\n", Some(8.0)).1, some("8"));
    assert_eq!(pause_after(&mut h, 10), some("npt=60-"));
    let (_, scale, range) = play(&mut h, "Range: npt=20-\n", None);
    assert_eq!((scale, range), (None, some("npt=20-")));
    assert_eq!(pause_after(&mut h, 1), some("npt=21-"));
    // Backwards from 21 s: 25 s later the position stops at 0.
    let (asked, scale, _) = play(&mut h, "Scale: -1\n", Some(-1.0));
    assert_eq!((asked, scale), (Some(-1.0), some("-1")));
    assert_eq!(pause_after(&mut h, 25), some("npt=0-"));
    // Answered the plain way: the scale that plays is 1, and says so.
    assert_eq!(play(&mut h, "Scale: 4\n", None).1, some("1"));
    assert_eq!(pause_after(&mut h, 3), some("npt=3-"));
    // A scale the server cannot use is refused; the request still waits.
    let req = raised(
        &mut h,
        "PLAY rtsp://127.0.0.1:8554/file RTSP/1.0\nCSeq: 4\nSession: {s}\n\n",
    );
    for bad in [0.0, f64::NAN, f64::INFINITY] {
        assert_eq!(
            h.server.respond_play_scaled(h.now, req.id, None, bad),
            Err(ApiError::InvalidScale)
        );
    }
    h.server
        .accept_request(h.now, req.id)
        .expect("still pending");
    assert_eq!(one(h.responses()).headers.get_str("Scale"), None);
}

/// The scales an on-demand mount plays at are advertised to RTSP 2.0 clients
/// (`Media-Properties: ..., Scales="..."`, RFC 7826 §18.29).
#[test]
fn rtsp2_media_properties_advertise_the_mount_scales() {
    use rtsp_proto::header::ScaleEntry;
    use rtsp_proto::server::MountMedia;
    let mut h = file_mount(MountMedia::on_demand(None).with_scales(vec![
        ScaleEntry::Value(-1.0),
        ScaleEntry::Value(f64::NAN),
        ScaleEntry::Range(0.5, 4.0),
    ]));
    let r = one(exchange(
        &mut h,
        "",
        "SETUP rtsp://127.0.0.1:8554/file/t RTSP/2.0\nCSeq: 1\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\n\n",
    ));
    assert_eq!(
        r.headers.get_str("Media-Properties"),
        Some("Random-Access, Immutable, Unlimited, Scales=\"-1, 0.5:4\"")
    );
    // Live media plays at 1 and advertises no scales.
    assert!(MountMedia::live()
        .with_scales(vec![ScaleEntry::Value(2.0)])
        .scales()
        .is_empty());
}

/// A live mount plays at scale 1 whatever the application answers.
#[test]
fn live_play_answers_scale_1() {
    let (mut h, _) = live_set_up("1.0");
    let req = raised(
        &mut h,
        "PLAY rtsp://127.0.0.1:8554/live RTSP/1.0\nCSeq: 2\nSession: {s}\nScale: 2\n\n",
    );
    h.server
        .respond_play_scaled(h.now, req.id, None, 2.0)
        .expect("play");
    let r = one(h.responses());
    assert_eq!(r.headers.get_str("Scale"), Some("1"));
    assert_eq!(r.headers.get_str("Range"), Some("npt=now-"));
}

#[test]
fn media_that_plays_only_from_the_start_refuses_another_range() {
    use rtsp_proto::server::MountMedia;
    let mut h = Harness::new();
    let mount = h
        .server
        .add_mount("/clip", vec![TrackConfig::new("t", 0, 8000)])
        .expect("mount");
    h.server
        .set_mount_media(mount, MountMedia::on_demand(None).with_seeking(false))
        .expect("media");
    exchange(
        &mut h,
        "",
        "SETUP rtsp://127.0.0.1:8554/clip/t RTSP/1.0\nCSeq: 1\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\n\n",
    );
    let r = one(exchange(
        &mut h,
        "",
        "PLAY rtsp://127.0.0.1:8554/clip RTSP/1.0\nCSeq: 2\nSession: {s}\nRange: npt=5-\n\n",
    ));
    assert_eq!(r.status, StatusCode::INVALID_RANGE);
    let r = one(exchange(
        &mut h,
        "",
        "PLAY rtsp://127.0.0.1:8554/clip RTSP/1.0\nCSeq: 3\nSession: {s}\n\n",
    ));
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers.get_str("Range"), Some("npt=0-"));
    assert_eq!(
        h.server.mount_media(mount).map(MountMedia::is_seekable),
        Some(false)
    );
}

#[test]
fn teardown_of_one_stream_keeps_the_session_and_frees_its_transport() {
    let mut config = Harness::config();
    config.udp_ports = Some(UdpPorts {
        rtp: 6970,
        rtcp: 6971,
    });
    let mut h = Harness::with_config(config);
    let mount = h
        .server
        .add_mount("/av", pcmu_tracks(&["stream=0", "stream=1", "stream=2"]))
        .expect("mount");
    exchange(
        &mut h,
        "",
        "SETUP rtsp://127.0.0.1:8554/av/stream=0 RTSP/1.0\nCSeq: 1\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\n\n",
    );
    exchange(
        &mut h,
        "",
        "SETUP rtsp://127.0.0.1:8554/av/stream=1 RTSP/1.0\nCSeq: 2\nSession: {s}\nTransport: RTP/AVP/TCP;unicast;interleaved=2-3\n\n",
    );
    exchange(
        &mut h,
        "",
        "SETUP rtsp://127.0.0.1:8554/av/stream=2 RTSP/1.0\nCSeq: 3\nSession: {s}\nTransport: RTP/AVP;unicast;client_port=5000-5001\n\n",
    );
    assert_eq!(h.server.udp_source_count(), 2);
    let r = one(exchange(
        &mut h,
        "",
        "PLAY rtsp://127.0.0.1:8554/av RTSP/1.0\nCSeq: 4\nSession: {s}\n\n",
    ));
    assert_eq!(r.status, StatusCode::OK);
    let send_all = |h: &mut Harness| {
        for t in 0..3 {
            h.server
                .send_frame(h.now, mount, TrackId(t), 0, &[0x55; 160])
                .expect("frame");
        }
    };
    send_all(&mut h);
    h.responses();
    let channels: Vec<u8> = h.data.drain(..).map(|(c, _)| c).collect();
    assert_eq!(channels, [0, 2]);
    assert_eq!(std::iter::from_fn(|| h.server.poll_transmit()).count(), 1);

    // TEARDOWN of stream 1: 200 with the Session header, only that stream stops.
    let token = h.token.clone().expect("token");
    h.send_raw(
        format!("TEARDOWN rtsp://127.0.0.1:8554/av/stream=1 RTSP/1.0\r\nCSeq: 5\r\nSession: {token}\r\n\r\n")
            .as_bytes(),
    );
    let r = one(h.responses());
    assert_eq!(status_and_cseq(&r), (200, 5));
    assert_eq!(
        r.headers
            .typed::<Session>()
            .expect("session")
            .expect("valid")
            .id,
        token
    );
    let events = h.events();
    assert!(
        matches!(
            &events[..],
            [ServerEvent::StreamRemoved { mount: m, track: TrackId(1), .. }] if *m == mount
        ),
        "{events:?}"
    );
    assert_eq!(h.server.session_count(), 1);
    assert_eq!(h.server.players(mount), 1);
    send_all(&mut h);
    h.responses();
    let channels: Vec<u8> = h.data.drain(..).map(|(c, _)| c).collect();
    assert_eq!(channels, [0]);
    assert_eq!(std::iter::from_fn(|| h.server.poll_transmit()).count(), 1);
    // Its channels are free: interleaved data there is now unknown.
    h.send_raw(b"$\x02\x00\x04abcd");
    assert!(h.events().iter().any(|e| matches!(
        e,
        ServerEvent::Diagnostic(rtsp_proto::server::Diagnostic::UnknownChannel { channel: 2, .. })
    )));
    // A second TEARDOWN of the same stream: not in the session any more.
    let r = one(exchange(
        &mut h,
        "",
        "TEARDOWN rtsp://127.0.0.1:8554/av/stream=1 RTSP/1.0\nCSeq: 6\nSession: {s}\n\n",
    ));
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The UDP stream: its source addresses are freed.
    let r = one(exchange(
        &mut h,
        "",
        "TEARDOWN rtsp://127.0.0.1:8554/av/stream=2 RTSP/1.0\nCSeq: 7\nSession: {s}\n\n",
    ));
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(h.server.udp_source_count(), 0);
    send_all(&mut h);
    assert_eq!(std::iter::from_fn(|| h.server.poll_transmit()).count(), 0);
    // The last stream ends the session.
    h.send_raw(
        format!("TEARDOWN rtsp://127.0.0.1:8554/av/stream=0 RTSP/1.0\r\nCSeq: 8\r\nSession: {token}\r\n\r\n")
            .as_bytes(),
    );
    let r = one(h.responses());
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(h.server.session_count(), 0);
    assert!(h.events().iter().any(|e| matches!(
        e,
        ServerEvent::SessionClosed {
            reason: SessionEndReason::Teardown,
            ..
        }
    )));
    assert_eq!(h.server.mount_attachments(mount), Some((0, 0)));
}

#[test]
fn teardown_of_the_aggregate_url_ends_a_multi_stream_session() {
    let mut h = Harness::new();
    h.server
        .add_mount(
            "/av",
            vec![
                TrackConfig::new("stream=0", 0, 8000),
                TrackConfig::new("stream=1", 0, 8000),
            ],
        )
        .expect("mount");
    exchange(
        &mut h,
        "",
        "SETUP rtsp://127.0.0.1:8554/av/stream=0 RTSP/2.0\nCSeq: 1\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\n\n",
    );
    exchange(
        &mut h,
        "",
        "SETUP rtsp://127.0.0.1:8554/av/stream=1 RTSP/2.0\nCSeq: 2\nSession: {s}\nTransport: RTP/AVP/TCP;unicast;interleaved=2-3\n\n",
    );
    let r = one(exchange(
        &mut h,
        "",
        "TEARDOWN rtsp://127.0.0.1:8554/av RTSP/2.0\nCSeq: 3\nSession: {s}\n\n",
    ));
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(h.server.session_count(), 0);
}

/// An RTSP 2.0 client pipelining SETUP, PLAY and OPTIONS (RFC 7826 §16.3), all sent
/// before the first answer.
fn pipelined_setup_play(h: &mut Harness, transport: &str) {
    h.send_raw(
        format!(
            "SETUP rtsp://127.0.0.1:8554/live/t RTSP/2.0\r\nCSeq: 1\r\nPipelined-Requests: 7\r\nTransport: {transport}\r\n\r\n\
             PLAY rtsp://127.0.0.1:8554/live RTSP/2.0\r\nCSeq: 2\r\nPipelined-Requests: 7\r\n\r\n\
             OPTIONS rtsp://127.0.0.1:8554/live RTSP/2.0\r\nCSeq: 3\r\n\r\n"
        )
        .as_bytes(),
    );
}

#[test]
fn rtsp2_pipelined_play_waits_for_its_setup_and_answers_come_in_order() {
    let mut h = Harness::new();
    let mount = h
        .server
        .add_mount("/live", pcmu_tracks(&["t"]))
        .expect("mount");
    pipelined_setup_play(&mut h, "RTP/AVP/TCP;unicast;interleaved=0-1");
    // Only the SETUP reaches the application; nothing is answered before it.
    let events = h.events();
    let [ServerEvent::Request(setup)] = &events[..] else {
        panic!("{events:?}")
    };
    assert!(matches!(setup.kind, RequestKind::Setup { .. }));
    assert!(h.responses().is_empty());
    h.server.accept_request(h.now, setup.id).expect("setup");
    // Now the PLAY, with the session the SETUP created.
    let events = h.events();
    let [ServerEvent::Request(play)] = &events[..] else {
        panic!("{events:?}")
    };
    assert!(matches!(play.kind, RequestKind::Play { .. }));
    assert_eq!(play.session, setup.session);
    // The SETUP's answer leaves; PLAY's and OPTIONS' wait for PLAY's.
    let rs = h.responses();
    assert_eq!(
        rs.iter().map(status_and_cseq).collect::<Vec<_>>(),
        [(200, 1)]
    );
    h.server.accept_request(h.now, play.id).expect("play");
    let rs = h.responses();
    assert_eq!(
        rs.iter().map(status_and_cseq).collect::<Vec<_>>(),
        [(200, 2), (200, 3)]
    );
    assert_eq!(
        rs[0].headers.typed::<Session>().unwrap().unwrap().id,
        h.token.clone().unwrap()
    );
    assert_eq!(rs[0].headers.get_str("Range"), Some("npt=now-"));
    assert_eq!(h.server.players(mount), 1);
    assert_eq!(h.server.pending_request_count(), 0);
}

#[test]
fn rtsp2_pipelined_play_after_a_failed_setup_gets_454() {
    // Rejected by the application.
    let mut h = Harness::new();
    h.server
        .add_mount("/live", vec![TrackConfig::new("t", 0, 8000)])
        .expect("mount");
    pipelined_setup_play(&mut h, "RTP/AVP/TCP;unicast;interleaved=0-1");
    let events = h.events();
    let [ServerEvent::Request(setup)] = &events[..] else {
        panic!("{events:?}")
    };
    h.server
        .reject(h.now, setup.id, StatusCode::FORBIDDEN)
        .expect("reject");
    assert!(h.events().is_empty(), "the PLAY is not handed on");
    let rs = h.responses();
    assert_eq!(
        rs.iter().map(status_and_cseq).collect::<Vec<_>>(),
        [(403, 1), (454, 2), (200, 3)]
    );
    assert_eq!(h.server.session_count(), 0);
    assert_eq!(h.server.pending_request_count(), 0);

    // No transport the server can serve (UDP without UDP ports): 461, then 454.
    let mut h = Harness::new();
    h.server
        .add_mount("/live", vec![TrackConfig::new("t", 0, 8000)])
        .expect("mount");
    pipelined_setup_play(&mut h, "RTP/AVP;unicast;client_port=5000-5001");
    h.answer("");
    let rs = h.responses();
    assert_eq!(
        rs.iter().map(status_and_cseq).collect::<Vec<_>>(),
        [(461, 1), (454, 2), (200, 3)]
    );

    // Never answered: 503 after the answer timeout, then 454.
    let mut h = Harness::new();
    h.server
        .add_mount("/live", vec![TrackConfig::new("t", 0, 8000)])
        .expect("mount");
    pipelined_setup_play(&mut h, "RTP/AVP/TCP;unicast;interleaved=0-1");
    h.events();
    let timeout = h.server.config().answer_timeout;
    h.advance(timeout);
    let rs = h.responses();
    assert_eq!(
        rs.iter().map(status_and_cseq).collect::<Vec<_>>(),
        [(503, 1), (454, 2), (200, 3)]
    );
    assert_eq!(h.server.pending_request_count(), 0);
}

/// QUIRKS 57: VLC (live555) plays by multicast when the SDP carries a multicast address.
/// The description the application builds with `Server::advertise_multicast`, then the
/// requests VLC 3.0 sends for it (live555's `SETUP` for a multicast `c=` line:
/// `RTP/AVP;multicast;port=<m= port>-<+1>`, PLAY on the Content-Base).
#[test]
fn vlc_plays_a_multicast_mount_from_the_sdp_it_describes() {
    use rtsp_proto::sdp::{MediaKind, PayloadType, Presentation, PresentationBuilder, Stream, Url};
    let mut config = Harness::config();
    config.multicast = Some(MulticastConfig::new(
        "239.1.2.3".parse().expect("ip"),
        4,
        5000,
    ));
    let mut h = Harness::with_config(config);
    let mount = h
        .server
        .add_mount("/m", pcmu_tracks(&["trackID=0", "trackID=1"]))
        .expect("mount");
    let mut builder = PresentationBuilder::new("m");
    for t in 0..2 {
        let s = Stream::new(MediaKind::Audio, PayloadType(0), "PCMU", 8000);
        builder = builder.stream(h.server.advertise_multicast(mount, TrackId(t), s));
    }
    let sdp = builder.build().expect("sdp");
    let r = one(exchange(
        &mut h,
        &sdp,
        "DESCRIBE rtsp://127.0.0.1:8554/m RTSP/1.0\nCSeq: 3\nUser-Agent: LibVLC/3.0.18 (LIVE555 Streaming Media v2021.08.24)\nAccept: application/sdp\n\n",
    ));
    assert_eq!(r.status, StatusCode::OK);
    // What live555 reads from it: each stream's group, TTL and port.
    let base = Url::parse(r.headers.get_str("Content-Base").expect("base")).expect("url");
    let p = Presentation::parse(&r.body, &base).expect("parse");
    let seen: Vec<_> = p
        .media
        .iter()
        .map(|m| {
            let c = m.connection.as_ref().expect("c= line");
            (c.ip.expect("ip").to_string(), c.ttl, m.port)
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("239.1.2.3".to_owned(), Some(16), 5000),
            ("239.1.2.3".to_owned(), Some(16), 5002)
        ]
    );
    let ua = "User-Agent: LibVLC/3.0.18 (LIVE555 Streaming Media v2021.08.24)";
    let r = one(exchange(
        &mut h,
        &sdp,
        &format!("SETUP rtsp://127.0.0.1:8554/m/trackID=0 RTSP/1.0\nCSeq: 4\n{ua}\nTransport: RTP/AVP;multicast;port=5000-5001\n\n"),
    ));
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        transport(&r).starts_with("RTP/AVP;multicast;destination=239.1.2.3;ttl=16;port=5000-5001"),
        "{}",
        transport(&r)
    );
    let r = one(exchange(
        &mut h,
        &sdp,
        &format!("SETUP rtsp://127.0.0.1:8554/m/trackID=1 RTSP/1.0\nCSeq: 5\n{ua}\nTransport: RTP/AVP;multicast;port=5002-5003\nSession: {{s}}\n\n"),
    ));
    assert!(
        transport(&r).starts_with("RTP/AVP;multicast;destination=239.1.2.3;ttl=16;port=5002-5003"),
        "{}",
        transport(&r)
    );
    let r = one(exchange(
        &mut h,
        &sdp,
        &format!("PLAY rtsp://127.0.0.1:8554/m/ RTSP/1.0\nCSeq: 6\n{ua}\nSession: {{s}}\nRange: npt=0.000-\n\n"),
    ));
    assert_eq!(r.status, StatusCode::OK);
    let info = r
        .headers
        .typed::<RtpInfo>()
        .expect("RTP-Info")
        .expect("valid");
    assert_eq!(info.entries.len(), 2);
    // One datagram per track, to the group and port VLC bound from the SDP.
    for t in 0..2 {
        h.server
            .send_frame(h.now, mount, TrackId(t), 0, &[0x11; 160])
            .expect("frame");
    }
    let dest: Vec<_> = std::iter::from_fn(|| h.server.poll_transmit())
        .map(|t| t.destination)
        .collect();
    assert_eq!(dest, [addr("239.1.2.3:5000"), addr("239.1.2.3:5002")]);
    // Its keep-alive, then TEARDOWN.
    let r = one(exchange(
        &mut h,
        &sdp,
        &format!(
            "GET_PARAMETER rtsp://127.0.0.1:8554/m/ RTSP/1.0\nCSeq: 7\n{ua}\nSession: {{s}}\n\n"
        ),
    ));
    assert_eq!(r.status, StatusCode::OK);
    let r = one(exchange(
        &mut h,
        &sdp,
        &format!("TEARDOWN rtsp://127.0.0.1:8554/m/ RTSP/1.0\nCSeq: 8\n{ua}\nSession: {{s}}\n\n"),
    ));
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(h.server.session_count(), 0);
}

/// Requests waiting behind a pipelined SETUP count against
/// `ServerLimits::max_pending_requests` (beyond it: 503 at once), keep their order, and
/// leave nothing behind when the connection closes.
#[test]
fn requests_waiting_behind_a_pipelined_setup_are_bounded() {
    let mut config = Harness::config();
    config.limits.max_pending_requests = 4;
    let mut h = Harness::with_config(config);
    h.server
        .add_mount("/live", vec![TrackConfig::new("t", 0, 8000)])
        .expect("mount");
    let mut wire = String::from(
        "SETUP rtsp://127.0.0.1:8554/live/t RTSP/2.0\r\nCSeq: 1\r\nPipelined-Requests: 9\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n",
    );
    for cseq in 2..=10 {
        wire.push_str(&format!(
            "GET_PARAMETER rtsp://127.0.0.1:8554/live RTSP/2.0\r\nCSeq: {cseq}\r\nPipelined-Requests: 9\r\n\r\n"
        ));
    }
    h.send_raw(wire.as_bytes());
    // The SETUP plus three waiting requests fill the four slots; the other six are
    // refused at once, but only leave after the answers before them.
    assert!(h.responses().is_empty());
    let events = h.events();
    let [ServerEvent::Request(setup)] = &events[..] else {
        panic!("{events:?}")
    };
    h.server.accept_request(h.now, setup.id).expect("setup");
    let got: Vec<_> = h.responses().iter().map(status_and_cseq).collect();
    assert_eq!(
        got,
        [
            (200, 1),
            (200, 2),
            (200, 3),
            (200, 4),
            (503, 5),
            (503, 6),
            (503, 7),
            (503, 8),
            (503, 9),
            (503, 10)
        ]
    );
    // Again, and the connection closes while they wait.
    h.send_raw(
        b"SETUP rtsp://127.0.0.1:8554/live/t RTSP/2.0\r\nCSeq: 11\r\nPipelined-Requests: 10\r\nTransport: RTP/AVP/TCP;unicast;interleaved=2-3\r\n\r\n\
          PLAY rtsp://127.0.0.1:8554/live RTSP/2.0\r\nCSeq: 12\r\nPipelined-Requests: 10\r\n\r\n",
    );
    assert_eq!(h.server.pending_request_count(), 1);
    h.server.connection_closed(h.now, h.conn);
    assert_eq!(h.server.pending_request_count(), 0);
    assert_eq!(h.server.session_count(), 0);
    assert_eq!(h.server.connection_count(), 0);
}

/// The streams a session plays are exactly the ones that get media: a stream set up while
/// paused joins at the next PLAY, one set up again on other channels moves there, and
/// PAUSE and the end of the session take the session's sinks off the mount, so nothing is
/// sent to it afterwards and the mount's RTCP timers stop (the `server_bytes` fuzz target
/// found a session whose sink outlived it and kept sender reports going forever).
#[test]
fn sinks_follow_the_streams_a_session_plays() {
    let mut h = Harness::new();
    let mount = h
        .server
        .add_mount("/a", pcmu_tracks(&["t0", "t1"]))
        .expect("mount");
    let conn = h.conn;
    let r = h.setup_and_play_on(conn, "/a/t0", "RTP/AVP/TCP;unicast;interleaved=0-1", "/a");
    let token = r.headers.typed::<Session>().expect("s").expect("s").id;
    let session = format!("Session: {token}");
    let sent = |h: &mut Harness, track: usize| -> Vec<u8> {
        h.server
            .send_frame(h.now, mount, TrackId(track), 0, &[0x11; 160])
            .expect("frame");
        let mut channels = Vec::new();
        while let Some(b) = h.server.poll_stream_output(conn) {
            if let [b'$', ch, ..] = b[..] {
                channels.push(ch);
            }
        }
        channels
    };
    let exchange = |h: &mut Harness, method: &str, path: &str, cseq: u32, extra: &[&str]| {
        let mut headers = vec![session.as_str()];
        headers.extend_from_slice(extra);
        h.exchange_on(conn, method, path, cseq, &headers)
            .status
            .as_u16()
    };
    assert_eq!(sent(&mut h, 0), [0]);
    assert_eq!(sent(&mut h, 1), Vec::<u8>::new());
    // A second stream cannot be set up while playing (455); paused, it can.
    let t1 = "Transport: RTP/AVP/TCP;unicast;interleaved=2-3";
    assert_eq!(exchange(&mut h, "SETUP", "/a/t1", 3, &[t1]), 455);
    assert_eq!(exchange(&mut h, "PAUSE", "/a", 4, &[]), 200);
    assert_eq!(sent(&mut h, 0), Vec::<u8>::new());
    assert_eq!(exchange(&mut h, "SETUP", "/a/t1", 5, &[t1]), 200);
    assert_eq!(exchange(&mut h, "PLAY", "/a", 6, &[]), 200);
    assert_eq!(sent(&mut h, 0), [0]);
    assert_eq!(sent(&mut h, 1), [2]);
    // Set up again on other channels: only the new ones get media after PLAY.
    assert_eq!(exchange(&mut h, "PAUSE", "/a", 7, &[]), 200);
    let moved = "Transport: RTP/AVP/TCP;unicast;interleaved=4-5";
    assert_eq!(exchange(&mut h, "SETUP", "/a/t1", 8, &[moved]), 200);
    assert_eq!(exchange(&mut h, "PLAY", "/a", 9, &[]), 200);
    assert_eq!(sent(&mut h, 1), [4]);
    // A second PLAY while playing adds nothing twice.
    assert_eq!(exchange(&mut h, "PLAY", "/a", 10, &[]), 200);
    assert_eq!(sent(&mut h, 0), [0]);
    // RECORD on a playing session is refused.
    assert_eq!(exchange(&mut h, "RECORD", "/a", 11, &[]), 455);
    // TEARDOWN: nothing more, and the timers run out.
    assert_eq!(exchange(&mut h, "TEARDOWN", "/a", 12, &[]), 200);
    assert_eq!(h.server.session_count(), 0);
    assert_eq!(sent(&mut h, 0), Vec::<u8>::new());
    assert_eq!(sent(&mut h, 1), Vec::<u8>::new());
    let mut n = 0;
    while let Some(at) = h.server.poll_timeout() {
        h.now = at;
        h.server.handle_timeout(at);
        n += 1;
        assert!(n < 20, "timers go on without sessions");
    }
}

/// A new player of a mount whose tracks already sent media gets a sender report for each
/// stream right after its PLAY, not at the mount's RTCP timer (up to an interval away, per
/// track): players such as ffmpeg put a stream on the shared NTP time line only after its
/// first SR, so streams whose first SRs came seconds apart were played seconds apart.
#[test]
fn a_new_player_gets_sender_reports_right_after_play() {
    let mut h = Harness::new();
    let mount = h
        .server
        .add_mount("/a", pcmu_tracks(&["t0", "t1"]))
        .expect("mount");
    // One exchange on `conn`: the response's status and session token.
    let exchange = |h: &mut Harness,
                    conn: ConnectionId,
                    method: &str,
                    path: &str,
                    headers: &[&str]|
     -> (u16, Option<String>) {
        let r = h.exchange_on(conn, method, path, 1, headers);
        let token = r
            .headers
            .typed::<Session>()
            .and_then(Result::ok)
            .map(|s| s.id);
        (r.status.as_u16(), token)
    };
    let play_both = |h: &mut Harness, conn: ConnectionId| {
        let t0 = "Transport: RTP/AVP/TCP;unicast;interleaved=0-1";
        let (status, token) = exchange(h, conn, "SETUP", "/a/t0", &[t0]);
        assert_eq!(status, 200);
        let session = format!("Session: {}", token.expect("session"));
        let t1 = "Transport: RTP/AVP/TCP;unicast;interleaved=2-3";
        assert_eq!(exchange(h, conn, "SETUP", "/a/t1", &[t1, &session]).0, 200);
        assert_eq!(exchange(h, conn, "PLAY", "/a", &[&session]).0, 200);
    };
    let first = h.conn;
    play_both(&mut h, first);
    // Media flows on both tracks for a while; the first player is drained.
    for i in 0..5u32 {
        for track in 0..2 {
            h.server
                .send_frame(h.now, mount, TrackId(track), i * 160, &[0x11; 160])
                .expect("frame");
        }
        h.now += Duration::from_millis(20);
        h.server.handle_timeout(h.now);
    }
    h.sender_report_channels(first);
    let next_timer = h.server.poll_timeout().expect("RTCP timers run");
    assert!(
        next_timer > h.now + Duration::from_millis(100),
        "the mount's next SR is not due soon anyway"
    );

    let second = h
        .server
        .accept(h.now, addr("127.0.0.1:40002"), addr("127.0.0.1:8554"))
        .expect("accept");
    play_both(&mut h, second);
    assert_eq!(h.sender_report_channels(second), Vec::<u8>::new());
    let soon = h.server.poll_timeout().expect("a timer");
    assert!(
        soon <= h.now + Duration::from_millis(1),
        "SRs come right after PLAY"
    );
    h.now = soon;
    h.server.handle_timeout(h.now);
    let mut got = h.sender_report_channels(second);
    got.sort_unstable();
    assert_eq!(got, [1, 3], "one SR per stream on its RTCP channel");

    // A player that joins tracks that sent nothing yet gets no early report.
    h.server
        .add_mount("/q", pcmu_tracks(&["t0"]))
        .expect("mount");
    let third = h
        .server
        .accept(h.now, addr("127.0.0.1:40003"), addr("127.0.0.1:8554"))
        .expect("accept");
    let t0 = "Transport: RTP/AVP/TCP;unicast;interleaved=0-1";
    let (status, token) = exchange(&mut h, third, "SETUP", "/q/t0", &[t0]);
    assert_eq!(status, 200);
    let session = format!("Session: {}", token.expect("session"));
    assert_eq!(exchange(&mut h, third, "PLAY", "/q", &[&session]).0, 200);
    h.now += Duration::from_millis(1);
    h.server.handle_timeout(h.now);
    assert_eq!(h.sender_report_channels(third), Vec::<u8>::new());
}

/// A player that started before the media gets each track's first SR right after that
/// track's first packet, not at the report timer its PLAY started (which found nothing to
/// report and went a whole interval on): ffmpeg recording a relayed path that a publisher
/// had only just announced lost a stream when the two first SRs came seconds apart.
#[test]
fn the_first_media_of_a_track_is_followed_by_its_first_sender_report() {
    let mut h = Harness::new();
    let mount = h
        .server
        .add_mount("/a", pcmu_tracks(&["t0", "t1"]))
        .expect("mount");
    let conn = h.conn;
    let r = h.exchange_on(
        conn,
        "SETUP",
        "/a/t0",
        1,
        &["Transport: RTP/AVP/TCP;unicast;interleaved=0-1"],
    );
    let token = r.headers.typed::<Session>().expect("s").expect("s").id;
    let session = format!("Session: {token}");
    let t1 = "Transport: RTP/AVP/TCP;unicast;interleaved=2-3";
    assert_eq!(
        h.exchange_on(conn, "SETUP", "/a/t1", 2, &[t1, &session])
            .status,
        StatusCode::OK
    );
    assert_eq!(
        h.exchange_on(conn, "PLAY", "/a", 3, &[&session]).status,
        StatusCode::OK
    );
    // Runs the timers due within `d`; the SRs they sent.
    let run_for = |h: &mut Harness, d: Duration| -> Vec<u8> {
        let end = h.now + d;
        while let Some(at) = h.server.poll_timeout().filter(|&at| at <= end) {
            h.now = at;
            h.server.handle_timeout(at);
        }
        h.now = end;
        h.sender_report_channels(conn)
    };
    // The report timers started at PLAY find nothing sent yet.
    assert_eq!(run_for(&mut h, Duration::from_secs(3)), Vec::<u8>::new());
    h.server
        .send_frame(h.now, mount, TrackId(0), 0, &[0x11; 160])
        .expect("frame");
    assert_eq!(run_for(&mut h, Duration::from_millis(1)), [1]);
    h.now += Duration::from_millis(500);
    h.server
        .send_frame(h.now, mount, TrackId(1), 0, &[0x11; 160])
        .expect("frame");
    assert_eq!(run_for(&mut h, Duration::from_millis(1)), [3]);
    // Later media waits for the regular reports.
    h.server
        .send_frame(h.now, mount, TrackId(0), 160, &[0x11; 160])
        .expect("frame");
    assert_eq!(run_for(&mut h, Duration::from_millis(1)), Vec::<u8>::new());
}
