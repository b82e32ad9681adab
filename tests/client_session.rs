//! `ClientSession` against real camera and server exchanges (tests/data/cameras, copied from
//! the shared corpus) and against scripted answers for the quirks QUIRKS.md lists.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use bytes::{Bytes, BytesMut};
use rtsp_proto::client::{
    ClientConfig, ClientError, ClientEvent, ClientSession, Destination, DiagnosticKind,
    PlayOptions, SetupTransport, State, StreamKind, TrackId, TrackTransport,
};
use rtsp_proto::header::Range;
use rtsp_proto::message::{Decoder, Message, Request};

use rtsp_proto::{Method, StatusCode};
use std::path::Path;
use std::time::{Duration, Instant};

fn data(path: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A canned response with its `CSeq` line replaced by `cseq` (a recorded exchange answered
/// other CSeq numbers than ours).
fn with_cseq(raw: &[u8], cseq: u32) -> Vec<u8> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let mut out = String::new();
    for line in head.split("\r\n") {
        if line.to_ascii_lowercase().starts_with("cseq:") {
            out.push_str(&format!("CSeq: {cseq}"));
        } else {
            out.push_str(line);
        }
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out.push_str(body);
    out.into_bytes()
}

/// A scripted server connection: collects what the client sends and feeds answers back.
struct Harness {
    client: ClientSession,
    now: Instant,
    sent: Vec<Request>,
    datagrams: Vec<(Destination, Bytes)>,
    interleaved: Vec<(u8, Bytes)>,
    answers: Vec<rtsp_proto::Response>,
    events: Vec<ClientEvent>,
    decoder: Decoder,
}

impl Harness {
    fn new(url: &str) -> Harness {
        Harness::with_config(url, ClientConfig::seeded(7))
    }

    fn with_config(url: &str, config: ClientConfig) -> Harness {
        Harness {
            client: ClientSession::new(url, config).unwrap(),
            #[allow(clippy::disallowed_methods)]
            now: Instant::now(),
            sent: Vec::new(),
            datagrams: Vec::new(),
            interleaved: Vec::new(),
            answers: Vec::new(),
            events: Vec::new(),
            decoder: Decoder::new(),
        }
    }

    /// Drains transmits and events.
    fn pump(&mut self) {
        while let Some(t) = self.client.poll_transmit() {
            match t.destination {
                Destination::Control => {
                    let mut b = BytesMut::from(&t.data[..]);
                    while let Some(m) = self.decoder.decode(&mut b).unwrap() {
                        match m {
                            Message::Request(r) => self.sent.push(r),
                            Message::Data(d) => self.interleaved.push((d.channel, d.payload)),
                            Message::Response(r) => self.answers.push(r),
                        }
                    }
                }
                d => self.datagrams.push((d, t.data)),
            }
        }
        while let Some(e) = self.client.poll_event() {
            self.events.push(e);
        }
    }

    fn last_cseq(&self) -> u32 {
        self.sent.last().unwrap().cseq().unwrap().unwrap().0
    }

    /// Answers with `raw` (CSeq rewritten to the last request's unless `keep`).
    fn answer(&mut self, raw: &[u8]) {
        let bytes = with_cseq(raw, self.last_cseq());
        self.feed(&bytes);
    }

    fn feed(&mut self, bytes: &[u8]) {
        let mut buf = BytesMut::from(bytes);
        self.client.handle_stream(self.now, &mut buf).unwrap();
        assert!(buf.is_empty(), "whole messages are consumed");
        self.pump();
    }

    fn advance(&mut self, d: Duration) {
        self.now += d;
        self.client.handle_timeout(self.now);
        self.pump();
    }

    fn take_events(&mut self) -> Vec<ClientEvent> {
        std::mem::take(&mut self.events)
    }

    fn diagnostics(&self) -> Vec<DiagnosticKind> {
        self.events
            .iter()
            .filter_map(|e| match e {
                ClientEvent::Diagnostic(d) => Some(d.kind.clone()),
                _ => None,
            })
            .collect()
    }

    fn responses(&self) -> Vec<(Method, StatusCode)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                ClientEvent::Response {
                    method, response, ..
                } => Some((method.clone(), response.status)),
                _ => None,
            })
            .collect()
    }

    /// DESCRIBE answered by `answer` (its CSeq rewritten).
    fn describe(&mut self, answer: &[u8]) {
        self.client.describe(self.now).unwrap();
        self.pump();
        self.answer(answer);
    }

    /// DESCRIBE answered by `describe`, then SETUP (TCP) of every track answered by
    /// `setup` (its CSeq rewritten).
    fn describe_and_setup(&mut self, describe: &[u8], setup: &[u8]) {
        self.describe(describe);
        let n = self.client.tracks().len();
        assert!(n > 0);
        for i in 0..n {
            self.client
                .setup(self.now, TrackId(i), SetupTransport::Tcp)
                .unwrap();
            self.pump();
            self.answer(setup);
        }
    }
}

fn frames_per_track(events: &[ClientEvent], tracks: usize) -> Vec<usize> {
    let mut n = vec![0; tracks];
    for e in events {
        if let ClientEvent::Frame { track, .. } = e {
            n[track.0] += 1;
        }
    }
    n
}

/// A client with `config` set up for the recorded Wowza session (both tracks over TCP,
/// channels 0-1 and 2-3) and playing; the set-up exchange is checked on the way.
fn bunny_playing(config: ClientConfig) -> Harness {
    let mut h = Harness::with_config(
        "rtsp://wowzaec2demo.streamlock.net/vod/mp4:BigBuckBunny_115k.mov",
        config,
    );
    h.describe(&data("cameras/bunny_describe.txt"));
    // Wowza answered channels 0-1 for the first SETUP; the second gets 2-3.
    let setup = String::from_utf8(data("cameras/bunny_setup.txt")).unwrap();
    for (i, channels) in ["0-1", "2-3"].iter().enumerate() {
        h.client
            .setup(h.now, TrackId(i), SetupTransport::Tcp)
            .unwrap();
        h.pump();
        let sent = h.sent.last().unwrap().headers.get_str("Transport").unwrap();
        assert_eq!(sent, format!("RTP/AVP/TCP;unicast;interleaved={channels}"));
        h.answer(
            setup
                .replace("interleaved=0-1", &format!("interleaved={channels}"))
                .as_bytes(),
        );
    }
    let tracks: Vec<_> = h.client.tracks().cloned().collect();
    assert_eq!(tracks[0].encoding_name(), Some("mpeg4-generic"));
    assert_eq!(tracks[1].encoding_name(), Some("H264"));
    assert_eq!(
        tracks[1].control.as_str(),
        "rtsp://wowzaec2demo.streamlock.net/vod/mp4:BigBuckBunny_115k.mov/trackID=2"
    );
    assert_eq!(
        tracks[1].transport,
        Some(TrackTransport::Interleaved {
            rtp: 2,
            rtcp: Some(3)
        })
    );
    assert_eq!(h.client.session_id(), Some("1642021126"));
    h.client
        .play(
            h.now,
            PlayOptions::default().with_range(Range::npt_from(Duration::ZERO)),
        )
        .unwrap();
    h.pump();
    let play = h.sent.last().unwrap();
    assert_eq!(play.method, Method::PLAY);
    assert_eq!(play.headers.get_str("Session"), Some("1642021126"));
    assert_eq!(
        play.uri(),
        "rtsp://wowzaec2demo.streamlock.net/vod/mp4:BigBuckBunny_115k.mov/"
    );
    h.answer(&data("cameras/bunny_play.txt"));
    assert_eq!(h.client.state(), State::Playing);
    h.take_events();
    h
}

/// The recorded Wowza session (DESCRIBE, SETUP, PLAY and 162 KB of interleaved H.264 + AAC)
/// played through the client: every frame comes out, timestamps follow the RTP-Info
/// `rtptime=0` of the PLAY response, and the session id from SETUP is sent back.
#[test]
fn bunny_session_plays_to_frames() {
    let mut h = bunny_playing(ClientConfig::seeded(7));
    // The media, in uneven chunks, as a socket would deliver it.
    let stream = data("cameras/bunny_session.rtsp");
    let mut buf = BytesMut::new();
    for chunk in stream.chunks(1371) {
        buf.extend_from_slice(chunk);
        h.client.handle_stream(h.now, &mut buf).unwrap();
        h.pump();
    }
    assert!(buf.is_empty());
    h.client.teardown(h.now).unwrap();
    h.pump();
    h.answer(b"RTSP/1.0 200 OK\r\nCSeq: 0\r\nSession: 1642021126\r\n\r\n");
    let events = h.take_events();
    // 245 video and 120 audio frames (the count for this recording).
    assert_eq!(frames_per_track(&events, 2), vec![120, 245]);
    let stats = h.client.track_stats(TrackId(1)).unwrap();
    assert_eq!(stats.packets, 269);
    assert_eq!(h.client.track_stats(TrackId(0)).unwrap().packets, 102);
    // Video frames start at the PLAY range's start and advance at 24 fps.
    let times: Vec<f64> = events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Frame { track, time, .. } if track.0 == 1 => Some(time.elapsed_secs()),
            _ => None,
        })
        .collect();
    assert!(times[0].abs() < 0.5, "first frame at {}", times[0]);
    let last = *times.last().unwrap();
    assert!(
        (9.0..12.0).contains(&last),
        "245 frames at 24 fps end near 10 s, got {last}"
    );
    assert!(times.windows(2).all(|w| w[1] >= w[0]));
    // Frames are Annex B access units.
    let first_video = events.iter().find_map(|e| match e {
        ClientEvent::Frame { track, frame, .. } if track.0 == 1 => Some(frame.clone()),
        _ => None,
    });
    let f = first_video.unwrap();
    assert!(f.data.starts_with(&[0, 0, 0, 1]));
    assert!(f.keyframe);
    assert!(matches!(
        events.last(),
        Some(ClientEvent::Closed { error: None })
    ));
    assert_eq!(h.client.state(), State::Closed);
}

/// Frames-only mode (`emit_packets = false`) returns single-NAL-unit H.264 access units
/// framed in place: the frame is the packet's memory in the input buffer, its start code
/// written over the parsed RTP header, with no copy. Frames are byte-identical to those of
/// a client that also emits packets (whose buffers are shared, so it copies), and that
/// client's packet events keep their RTP headers intact.
#[test]
fn frames_only_mode_frames_single_nal_units_in_place() {
    let stream = data("cameras/bunny_session.rtsp");
    let mut frames_only = ClientConfig::seeded(7);
    frames_only.emit_packets = false;
    let mut runs = Vec::new();
    for config in [frames_only, ClientConfig::seeded(7)] {
        let mut h = bunny_playing(config);
        let mut buf = BytesMut::from(&stream[..]);
        let input = buf.as_ptr() as usize..buf.as_ptr() as usize + buf.len();
        h.client.handle_stream(h.now, &mut buf).unwrap();
        h.pump();
        assert!(buf.is_empty());
        runs.push((h.take_events(), input));
    }
    let frames = |events: &[ClientEvent]| -> Vec<(usize, Bytes)> {
        events
            .iter()
            .filter_map(|e| match e {
                ClientEvent::Frame { track, frame, .. } => Some((track.0, frame.data.clone())),
                _ => None,
            })
            .collect()
    };
    let (zero_copy, input) = (&runs[0].0, &runs[0].1);
    let (copied, input_b) = (&runs[1].0, &runs[1].1);
    assert_eq!(frames(zero_copy), frames(copied));
    let in_input = |f: &Bytes, r: &std::ops::Range<usize>| r.contains(&(f.as_ptr() as usize));
    let video = |run: &[ClientEvent], r: &std::ops::Range<usize>| {
        let v: Vec<_> = frames(run).into_iter().filter(|(t, _)| *t == 1).collect();
        (v.len(), v.iter().filter(|(_, f)| in_input(f, r)).count())
    };
    // 239 of the 245 access units are one single-NAL-unit packet; the others (SPS, PPS
    // and FU-A fragments) are assembled by copying.
    assert_eq!(video(zero_copy, input), (245, 239));
    assert_eq!(video(copied, input_b), (245, 0));
    // The other client's packet events are the recording's bytes, headers untouched.
    let packets: Vec<Bytes> = copied
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Rtp { packet, .. } => Some(packet.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(packets.len(), 371);
    for p in &packets {
        let at = p.as_ptr() as usize - input_b.start;
        assert_eq!(&p[..], &stream[at..at + p.len()]);
    }
}

/// SETUP replies of real cameras: the session id (with Hikvision's run of spaces), the
/// timeout, the SSRC (Dahua's upper-case hex, Luckfox's `ssrc` before `interleaved`) and
/// the channels the server chose.
#[test]
fn real_setup_replies() {
    for (file, session, ssrc) in [
        ("cameras/hikvision_setup.txt", "708345999", Some(0x4cacc3d1)),
        ("cameras/dahua_setup.txt", "634214675641", Some(0x30A98EE7)),
        (
            "cameras/luckfox_rkipc_setup_tcp.txt",
            "12345678",
            Some(0x22345684),
        ),
        ("cameras/reolink_setup.txt", "F8F8E425", None),
        ("cameras/gw_main_setup_video.txt", "9a90de54", None),
    ] {
        let mut h = Harness::new("rtsp://192.168.5.206/h264Preview_01_main");
        h.describe_and_setup(&data("cameras/reolink_describe.txt"), &data(file));
        assert_eq!(h.client.session_id(), Some(session), "{file}");
        let t = h.client.track(TrackId(0)).unwrap();
        assert_eq!(t.ssrc.map(|s| s.0), ssrc, "{file}");
        assert_eq!(
            t.transport,
            Some(TrackTransport::Interleaved {
                rtp: 0,
                rtcp: Some(1)
            }),
            "{file}"
        );
        // Track 1 asked for channels 2-3; these servers answered 0-1 for every track.
        assert!(
            h.diagnostics().contains(&DiagnosticKind::TransportChanged),
            "{file}"
        );
    }
}

/// Hikvision's `timeout=8` (QUIRKS.md 5): the keep-alive goes out before 8 s; a keep-alive
/// that is never answered (QUIRKS.md 4) is a diagnostic, not a failure.
#[test]
fn keepalive_before_short_timeout_and_unanswered_is_not_fatal() {
    let mut h = Harness::new("rtsp://192.168.5.206/h264Preview_01_main");
    let setup = String::from_utf8(data("cameras/hikvision_setup.txt"))
        .unwrap()
        .replace("timeout=60", "timeout=8");
    h.describe_and_setup(&data("cameras/reolink_describe.txt"), setup.as_bytes());
    let due = h.client.poll_timeout().unwrap();
    assert!(due <= h.now + Duration::from_secs(4));
    let before = h.sent.len();
    h.advance(due - h.now);
    let ka = &h.sent[before];
    assert_eq!(ka.method, Method::GET_PARAMETER);
    assert_eq!(ka.headers.get_str("Session"), Some("708345999"));
    // Never answered: reported after the request timeout, session still up.
    h.take_events();
    h.advance(Duration::from_secs(11));
    assert!(h
        .diagnostics()
        .contains(&DiagnosticKind::KeepAliveFailed { status: None }));
    assert_ne!(h.client.state(), State::Closed);
    // And the keep-alive goes on.
    assert!(h.sent.len() > before + 1);
}

/// Tapo C220/C520WS (QUIRKS.md 2): a keep-alive rejected with 400 carries the *previous*
/// request's CSeq. It is matched to the keep-alive in flight, reported, and not fatal.
/// `tests/data/client/tapo_keepalive_previous_cseq.txt` is the reply as retina issues 133
/// and 136 describe it.
#[test]
fn tapo_previous_cseq_keepalive_reply() {
    let mut h = Harness::new("rtsp://192.168.5.206/h264Preview_01_main");
    h.describe_and_setup(
        &data("cameras/reolink_describe.txt"),
        &data("cameras/reolink_setup.txt"),
    );
    h.client.play(h.now, PlayOptions::default()).unwrap();
    h.pump();
    h.answer(&data("cameras/reolink_play.txt"));
    let play_cseq = h.last_cseq();
    let due = h.client.poll_timeout().unwrap();
    h.now = due.max(h.now);
    // Let the keep-alive go out (RTCP reports may come first).
    while h.sent.last().unwrap().method == Method::PLAY {
        h.advance(Duration::from_secs(1));
    }
    assert_eq!(h.sent.last().unwrap().method, Method::GET_PARAMETER);
    h.take_events();
    let reply = String::from_utf8(data("client/tapo_keepalive_previous_cseq.txt")).unwrap();
    h.feed(
        reply
            .replace("CSeq: 5", &format!("CSeq: {play_cseq}"))
            .as_bytes(),
    );
    let d = h.diagnostics();
    assert!(d.contains(&DiagnosticKind::CSeqMismatch {
        got: Some(play_cseq),
        matched: Some(play_cseq + 1)
    }));
    assert!(d.contains(&DiagnosticKind::KeepAliveFailed {
        status: Some(StatusCode::BAD_REQUEST)
    }));
    assert_eq!(h.client.state(), State::Playing);
}

/// Pipelined requests answered out of order are matched by CSeq; a response without
/// CSeq is matched to the oldest request in flight with a diagnostic.
#[test]
fn out_of_order_and_missing_cseq() {
    let mut h = Harness::new("rtsp://192.0.2.1/stream");
    let a = h.client.options(h.now).unwrap();
    let b = h.client.get_parameter(h.now, Bytes::new()).unwrap();
    h.pump();
    let (ca, cb) = (
        h.sent[0].cseq().unwrap().unwrap().0,
        h.sent[1].cseq().unwrap().unwrap().0,
    );
    h.feed(format!("RTSP/1.0 451 Parameter Not Understood\r\nCSeq: {cb}\r\n\r\n").as_bytes());
    h.feed(
        format!("RTSP/1.0 200 OK\r\nCSeq: {ca}\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n").as_bytes(),
    );
    let ids: Vec<_> = h
        .events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Response { id, response, .. } => Some((*id, response.status)),
            _ => None,
        })
        .collect();
    assert_eq!(
        ids,
        vec![
            (b, StatusCode::PARAMETER_NOT_UNDERSTOOD),
            (a, StatusCode::OK)
        ]
    );
    assert!(h.client.public().unwrap().contains(&Method::DESCRIBE));
    h.take_events();
    let c = h.client.options(h.now).unwrap();
    h.pump();
    h.feed(b"RTSP/1.0 200 OK\r\n\r\n");
    assert!(matches!(h.events[0], ClientEvent::Diagnostic(ref d)
        if d.kind == DiagnosticKind::CSeqMismatch { got: None, matched: Some(ca + 2) }));
    assert!(matches!(h.events[1], ClientEvent::Response { id, .. } if id == c));
}

/// gst-rtsp-server's 401 (Basic and Digest offered): the client picks Digest, retries once
/// with the response ffmpeg computed for the same nonce, and the application sees only the
/// final 200. Credentials come from the URL and never appear in request URIs.
#[test]
fn digest_retry_with_url_credentials() {
    let mut h = Harness::new("rtsp://user:pass@127.0.0.1:8554/secure");
    h.client.describe(h.now).unwrap();
    h.pump();
    assert_eq!(h.sent[0].uri(), "rtsp://127.0.0.1:8554/secure");
    assert!(h.sent[0].headers.get("Authorization").is_none());
    h.answer(
        b"RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\n\
WWW-Authenticate: Basic realm=\"GStreamer RTSP Server\"\r\n\
WWW-Authenticate: Digest realm=\"GStreamer RTSP Server\", nonce=\"ff00ad7dbf07a37a\"\r\n\r\n",
    );
    assert_eq!(h.sent.len(), 2);
    let auth = h.sent[1].headers.get_str("Authorization").unwrap();
    assert!(auth.starts_with("Digest "), "{auth}");
    assert!(
        auth.contains("response=\"94a054c1c233367e9b1bcdbcbb2623a0\""),
        "{auth}"
    );
    assert!(h.responses().is_empty());
    // Wrong credentials: the same nonce again is final.
    h.answer(
        b"RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\n\
WWW-Authenticate: Digest realm=\"GStreamer RTSP Server\", nonce=\"ff00ad7dbf07a37a\"\r\n\r\n",
    );
    assert_eq!(h.sent.len(), 2);
    assert_eq!(
        h.responses(),
        vec![(Method::DESCRIBE, StatusCode::UNAUTHORIZED)]
    );
}

/// QUIRKS.md 6: Anjvision's schemeless `Content-Base` resolves against the request URL.
#[test]
fn schemeless_content_base() {
    let mut h = Harness::new("rtsp://192.168.1.10:554/stream0");
    h.describe(&data("cameras/anjvision_describe.txt"));
    let t = h.client.track(TrackId(0)).unwrap();
    assert_eq!(
        t.control.as_str(),
        "rtsp://192.168.1.10:554/stream0/trackID=1"
    );
    assert_eq!(t.encoding_name(), Some("H265"));
}

/// QUIRKS.md 9: GW Security sends RTP-Info with a wrong URL for its one stream; it is used
/// anyway, so timestamps count from its `rtptime`.
#[test]
fn rtp_info_with_wrong_url_for_one_stream() {
    let mut h = Harness::new("rtsp://192.168.1.110:5050/H264");
    h.describe(&data("cameras/gw_sub_describe.txt"));
    h.client
        .setup(h.now, TrackId(0), SetupTransport::Tcp)
        .unwrap();
    h.pump();
    h.answer(&data("cameras/gw_main_setup_video.txt"));
    h.client.play(h.now, PlayOptions::default()).unwrap();
    h.pump();
    // The recorded reply with its range moved to start at 5 s.
    let play = String::from_utf8(data("cameras/gw_main_play.txt")).unwrap();
    h.answer(play.replace("npt=0.000-", "npt=5.000-").as_bytes());
    h.take_events();
    // One RTP packet 90,000 ticks (1 s) after rtptime=1621990950.
    let ts: u32 = 1_621_990_950 + 90_000;
    let mut pkt = vec![0x80, 96, 0, 1];
    pkt.extend_from_slice(&ts.to_be_bytes());
    pkt.extend_from_slice(&[0, 0, 0, 9, 0x09, 0xf0]);
    let mut frame = vec![b'$', 0, 0, pkt.len() as u8];
    frame.extend_from_slice(&pkt);
    h.feed(&frame);
    let t = h
        .events
        .iter()
        .find_map(|e| match e {
            ClientEvent::Rtp { time, .. } => Some(*time),
            _ => None,
        })
        .unwrap();
    assert!((t.elapsed_secs() - 1.0).abs() < 1e-9);
    let pos = t.position().unwrap().as_secs_f64();
    assert!((pos - 6.0).abs() < 1e-6, "{pos}");
}

/// QUIRKS.md 13 and 14: RTP before the PLAY response is delivered; data on a channel no
/// SETUP assigned is dropped and reported once.
#[test]
fn early_data_and_unassigned_channels() {
    let mut h = Harness::new("rtsp://192.168.5.206/h264Preview_01_main");
    h.describe_and_setup(
        &data("cameras/reolink_describe.txt"),
        &data("cameras/reolink_setup.txt"),
    );
    h.take_events();
    let rtp = [0x80u8, 96, 0, 7, 0, 0, 0, 1, 0, 0, 0, 2, 0x09, 0xf0];
    let mut bytes = Vec::new();
    for ch in [0u8, 5, 5] {
        bytes.extend_from_slice(&[b'$', ch, 0, rtp.len() as u8]);
        bytes.extend_from_slice(&rtp);
    }
    h.feed(&bytes);
    let rtp_events = h
        .events
        .iter()
        .filter(|e| matches!(e, ClientEvent::Rtp { track, .. } if track.0 == 0))
        .count();
    assert_eq!(rtp_events, 1);
    let unassigned: Vec<_> = h
        .diagnostics()
        .into_iter()
        .filter(|d| matches!(d, DiagnosticKind::UnassignedChannel { channel: 5 }))
        .collect();
    assert_eq!(unassigned.len(), 1);
}

/// Interleaved data is routed by the channels the SETUP replies assigned, not the ones
/// requested; a server that gives both tracks the same pair leaves them to the first.
#[test]
fn interleaved_channels_follow_the_setup_replies() {
    let mut h = Harness::new("rtsp://192.168.5.206/h264Preview_01_main");
    h.describe_and_setup(
        &data("cameras/reolink_describe.txt"),
        b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nSession: 1234\r\nTransport: RTP/AVP/TCP;unicast;interleaved=6-7\r\n\r\n",
    );
    assert!(h.client.tracks().len() >= 2);
    h.take_events();
    let rtp = [0x80u8, 96, 0, 7, 0, 0, 0, 1, 0, 0, 0, 2, 0x09, 0xf0];
    // A sender report of SSRC 2 (no report blocks).
    let mut sr = vec![0x80u8, 200, 0, 6, 0, 0, 0, 2];
    sr.extend_from_slice(&[0; 20]);
    let mut bytes = Vec::new();
    for (ch, body) in [(0u8, &rtp[..]), (6, &rtp[..]), (7, &sr[..]), (2, &rtp[..])] {
        bytes.extend_from_slice(&[b'$', ch, 0, body.len() as u8]);
        bytes.extend_from_slice(body);
    }
    h.feed(&bytes);
    let rtp_tracks: Vec<usize> = h
        .events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Rtp { track, .. } => Some(track.0),
            _ => None,
        })
        .collect();
    assert_eq!(rtp_tracks, [0]);
    assert!(h
        .events
        .iter()
        .any(|e| matches!(e, ClientEvent::Rtcp { track, .. } if track.0 == 0)));
    let unassigned: Vec<u8> = h
        .diagnostics()
        .into_iter()
        .filter_map(|d| match d {
            DiagnosticKind::UnassignedChannel { channel } => Some(channel),
            _ => None,
        })
        .collect();
    assert_eq!(unassigned, [0, 2]);
}

/// QUIRKS.md 10: a SETUP reply without a Transport header, and one without
/// `interleaved`: the requested channels are assumed, with a diagnostic.
#[test]
fn setup_reply_without_transport_or_interleaved() {
    for (reply, diag) in [
        (
            "RTSP/1.0 200 OK\r\nCSeq: 1\r\nSession: 1234\r\n\r\n",
            DiagnosticKind::MissingTransport,
        ),
        (
            "RTSP/1.0 200 OK\r\nCSeq: 1\r\nSession: 1234\r\nTransport: RTP/AVP/TCP;unicast\r\n\r\n",
            DiagnosticKind::MissingInterleaved,
        ),
    ] {
        let mut h = Harness::new("rtsp://192.168.5.206/h264Preview_01_main");
        h.describe_and_setup(&data("cameras/reolink_describe.txt"), reply.as_bytes());
        assert!(h.diagnostics().contains(&diag));
        assert_eq!(
            h.client.track(TrackId(1)).unwrap().transport,
            Some(TrackTransport::Interleaved {
                rtp: 2,
                rtcp: Some(3)
            })
        );
    }
}

/// QUIRKS.md 11: a session id that changes between SETUPs; the first is kept.
#[test]
fn session_id_change_keeps_first() {
    let mut h = Harness::new("rtsp://192.168.5.206/h264Preview_01_main");
    h.describe(&data("cameras/reolink_describe.txt"));
    for (i, id) in ["AAAA", "BBBB"].iter().enumerate() {
        h.client
            .setup(h.now, TrackId(i), SetupTransport::Tcp)
            .unwrap();
        h.pump();
        h.answer(
            format!("RTSP/1.0 200 OK\r\nCSeq: 1\r\nSession: {id}\r\nTransport: RTP/AVP/TCP;unicast;interleaved={}-{}\r\n\r\n", 2 * i, 2 * i + 1)
                .as_bytes(),
        );
    }
    assert_eq!(h.client.session_id(), Some("AAAA"));
    assert!(h.diagnostics().contains(&DiagnosticKind::SessionIdChanged));
    h.client.play(h.now, PlayOptions::default()).unwrap();
    h.pump();
    assert_eq!(
        h.sent.last().unwrap().headers.get_str("Session"),
        Some("AAAA")
    );
}

/// A request with no answer times out; after PLAY, receiver reports go out on the RTCP
/// channel; TEARDOWN closes cleanly.
#[test]
fn request_timeout_rtcp_reports_and_teardown() {
    let mut h = Harness::new("rtsp://192.168.5.206/h264Preview_01_main");
    h.describe_and_setup(
        &data("cameras/reolink_describe.txt"),
        &data("cameras/reolink_setup.txt"),
    );
    let id = h.client.get_parameter(h.now, Bytes::new()).unwrap();
    h.pump();
    h.client.play(h.now, PlayOptions::default()).unwrap();
    h.pump();
    // Answer PLAY only; GET_PARAMETER stays unanswered.
    h.answer(&data("cameras/reolink_play.txt"));
    let rtp = [
        0x80u8, 96, 0, 7, 0, 0, 0, 1, 0xdc, 0xc4, 0xa0, 0xd8, 0x09, 0xf0,
    ];
    let mut bytes = vec![b'$', 0, 0, rtp.len() as u8];
    bytes.extend_from_slice(&rtp);
    h.feed(&bytes);
    h.take_events();
    for _ in 0..12 {
        h.advance(Duration::from_secs(1));
    }
    assert!(h.events.iter().any(
        |e| matches!(e, ClientEvent::RequestTimedOut { id: i, method } if *i == id && *method == Method::GET_PARAMETER)
    ));
    let rr: Vec<_> = h.interleaved.iter().filter(|(ch, _)| *ch == 1).collect();
    assert!(rr.len() >= 2, "receiver reports every few seconds");
    assert_eq!(rr[0].1[1], 201, "an RR");
    h.client.teardown(h.now).unwrap();
    h.pump();
    assert_eq!(h.sent.last().unwrap().method, Method::TEARDOWN);
    h.answer(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n");
    assert!(matches!(
        h.events.last(),
        Some(ClientEvent::Closed { error: None })
    ));
    assert!(h.client.poll_timeout().is_none());
}

/// UDP: the SETUP asks for the caller's ports, the H.264 DVR answers its own; the client
/// punches the NAT towards the server's ports, and datagrams that arrive out of order are
/// delivered in sequence order.
#[test]
fn udp_setup_punch_and_reorder() {
    let mut h = Harness::new("rtsp://192.168.5.206/h264Preview_01_main");
    h.describe(&data("cameras/reolink_describe.txt"));
    h.client
        .setup(
            h.now,
            TrackId(0),
            SetupTransport::Udp { client_port: 18714 },
        )
        .unwrap();
    h.pump();
    assert_eq!(
        h.sent.last().unwrap().headers.get_str("Transport"),
        Some("RTP/AVP;unicast;client_port=18714-18715")
    );
    h.answer(&data("cameras/h264dvr_setup_video.txt"));
    assert_eq!(
        h.client.track(TrackId(0)).unwrap().transport,
        Some(TrackTransport::Udp {
            client_rtp: 18714,
            server_rtp: Some(40004),
            server_rtcp: Some(40005)
        })
    );
    let ports: Vec<_> = h
        .datagrams
        .iter()
        .map(|(d, _)| match d {
            Destination::Udp { kind, port, .. } => (*kind, *port),
            Destination::Control => unreachable!(),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(
        ports,
        vec![(StreamKind::Rtp, 40004), (StreamKind::Rtcp, 40005)]
    );
    let from = "127.0.0.1:40004".parse().unwrap();
    for seq in [1u16, 3, 2, 4] {
        let mut p = vec![0x80, 96];
        p.extend_from_slice(&seq.to_be_bytes());
        p.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 1, 0x09, 0xf0]);
        h.client
            .handle_datagram(h.now, TrackId(0), StreamKind::Rtp, from, Bytes::from(p));
        h.pump();
    }
    let seqs: Vec<u16> = h
        .events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Rtp { packet, .. } => Some(u16::from_be_bytes([packet[2], packet[3]])),
            _ => None,
        })
        .collect();
    assert_eq!(seqs, vec![1, 2, 3, 4]);
}

/// A dropped connection closes the session with an error and fails what was in flight.
#[test]
fn dropped_connection() {
    let mut h = Harness::new("rtsp://192.0.2.1/stream");
    let id = h.client.describe(h.now).unwrap();
    h.pump();
    h.client.handle_close(h.now);
    h.pump();
    assert!(matches!(h.events[0], ClientEvent::RequestTimedOut { id: i, .. } if i == id));
    assert!(matches!(
        h.events[1],
        ClientEvent::Closed {
            error: Some(ClientError::ConnectionClosed)
        }
    ));
    assert!(h.client.describe(h.now).is_err());
}

/// RTSP 2.0 server-to-client PLAY_NOTIFY is answered 200 with the same CSeq and reported.
#[test]
fn server_request_is_answered() {
    let mut h = Harness::new("rtsp://192.0.2.1/stream");
    h.feed(b"PLAY_NOTIFY rtsp://192.0.2.1/stream RTSP/2.0\r\nCSeq: 854\r\nNotify-Reason: end-of-stream\r\nSession: 1\r\n\r\n");
    assert!(
        matches!(&h.events[0], ClientEvent::ServerRequest { request, answered }
        if request.method == Method::PLAY_NOTIFY && *answered == StatusCode::OK)
    );
    let answer = &h.answers[0];
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.cseq().unwrap().unwrap().0, 854);
    assert_eq!(answer.version, rtsp_proto::Version::V2_0);
}

/// QUIRKS.md 17: a TCP SETUP answered 461 is sent again over UDP (same request id).
#[test]
fn tcp_461_falls_back_to_udp() {
    let mut h = Harness::new("rtsp://192.168.5.206/h264Preview_01_main");
    h.describe(&data("cameras/reolink_describe.txt"));
    h.take_events();
    let id = h
        .client
        .setup(
            h.now,
            TrackId(0),
            SetupTransport::TcpThenUdp { client_port: 18714 },
        )
        .unwrap();
    h.pump();
    assert_eq!(
        h.sent.last().unwrap().headers.get_str("Transport"),
        Some("RTP/AVP/TCP;unicast;interleaved=0-1")
    );
    h.answer(b"RTSP/1.0 461 Unsupported Transport\r\nCSeq: 1\r\n\r\n");
    assert_eq!(
        h.sent.last().unwrap().headers.get_str("Transport"),
        Some("RTP/AVP;unicast;client_port=18714-18715")
    );
    assert!(h.diagnostics().contains(&DiagnosticKind::TransportFallback));
    assert!(h.responses().is_empty());
    h.answer(&data("cameras/h264dvr_setup_video.txt"));
    assert!(h.events.iter().any(|e| matches!(e,
        ClientEvent::Response { id: i, response, .. } if *i == id && response.status == StatusCode::OK)));
    assert!(matches!(
        h.client.track(TrackId(0)).unwrap().transport,
        Some(TrackTransport::Udp {
            server_rtp: Some(40004),
            ..
        })
    ));
}

/// RTSP 2.0 towards a 1.0-only server: 505 makes the client resend in 1.0 and stay there.
#[test]
fn rtsp2_falls_back_to_1_0_on_505() {
    let mut config = ClientConfig::seeded(3);
    config.version = rtsp_proto::Version::V2_0;
    let mut h = Harness::with_config("rtsp://192.0.2.1/stream", config);
    let id = h.client.options(h.now).unwrap();
    h.pump();
    assert_eq!(h.sent[0].version, rtsp_proto::Version::V2_0);
    h.answer(b"RTSP/1.0 505 RTSP Version Not Supported\r\nCSeq: 1\r\n\r\n");
    assert_eq!(h.sent.len(), 2);
    assert_eq!(h.sent[1].version, rtsp_proto::Version::V1_0);
    assert!(h.diagnostics().contains(&DiagnosticKind::VersionFallback));
    h.answer(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS\r\n\r\n");
    assert!(h
        .events
        .iter()
        .any(|e| matches!(e, ClientEvent::Response { id: i, .. } if *i == id)));
    h.client.describe(h.now).unwrap();
    h.pump();
    assert_eq!(h.sent[2].version, rtsp_proto::Version::V1_0);
}

/// A server that resets the connection on an RTSP/2.0 request (ffmpeg's listening server)
/// closes the session with the typed `Rtsp2Refused`, so the caller retries with 1.0; a
/// connection that drops after any answer is an ordinary `ConnectionClosed`, and a 1.0
/// session never reports `Rtsp2Refused`.
#[test]
fn rtsp2_dropped_connection_is_typed() {
    let v2 = || {
        let mut config = ClientConfig::seeded(3);
        config.version = rtsp_proto::Version::V2_0;
        config
    };
    let closed = |h: &Harness| {
        h.events.iter().find_map(|e| match e {
            ClientEvent::Closed { error } => Some(error.clone()),
            _ => None,
        })
    };
    let mut h = Harness::with_config("rtsp://192.0.2.1/live", v2());
    h.client
        .announce(h.now, Bytes::from_static(b"v=0\r\n"))
        .unwrap();
    h.pump();
    assert_eq!(h.sent[0].version, rtsp_proto::Version::V2_0);
    h.client.handle_close(h.now);
    h.pump();
    assert_eq!(closed(&h), Some(Some(ClientError::Rtsp2Refused)));

    // Answered once: the server speaks 2.0, a later drop is not about the version.
    let mut h = Harness::with_config("rtsp://192.0.2.1/live", v2());
    h.client.options(h.now).unwrap();
    h.pump();
    h.answer(b"RTSP/2.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n");
    h.client.describe(h.now).unwrap();
    h.pump();
    h.client.handle_close(h.now);
    h.pump();
    assert_eq!(closed(&h), Some(Some(ClientError::ConnectionClosed)));

    // RTSP/1.0: a plain dropped connection.
    let mut h = Harness::new("rtsp://192.0.2.1/live");
    h.client.options(h.now).unwrap();
    h.pump();
    h.client.handle_close(h.now);
    h.pump();
    assert_eq!(closed(&h), Some(Some(ClientError::ConnectionClosed)));
}

/// QUIRKS.md 23: a 302 on DESCRIBE (load balancing) is reported with its Location and the
/// session closes so that the caller reconnects there.
#[test]
fn redirect_on_describe() {
    let mut h = Harness::new("rtsp://192.0.2.1/stream");
    h.describe(b"RTSP/1.0 302 Found\r\nCSeq: 1\r\nLocation: rtsp://192.0.2.7:8554/stream\r\n\r\n");
    assert!(h.events.iter().any(|e| matches!(e,
        ClientEvent::Redirected { location } if location == "rtsp://192.0.2.7:8554/stream")));
    assert!(matches!(
        h.events.last(),
        Some(ClientEvent::Closed { error: None })
    ));
}

/// A UDP track that receives nothing after PLAY is reported, so the caller can switch to
/// TCP; a track that receives media is not.
#[test]
fn udp_without_media_is_reported() {
    let mut h = Harness::new("rtsp://192.168.5.206/h264Preview_01_main");
    h.describe(&data("cameras/reolink_describe.txt"));
    h.client
        .setup(
            h.now,
            TrackId(0),
            SetupTransport::Udp { client_port: 18714 },
        )
        .unwrap();
    h.pump();
    h.answer(&data("cameras/h264dvr_setup_video.txt"));
    h.client.play(h.now, PlayOptions::default()).unwrap();
    h.pump();
    h.answer(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nSession: 231970\r\n\r\n");
    h.take_events();
    for _ in 0..6 {
        h.advance(Duration::from_secs(1));
    }
    let no_media: Vec<_> = h
        .events
        .iter()
        .filter(|e| matches!(e, ClientEvent::NoMedia { track } if track.0 == 0))
        .collect();
    assert_eq!(no_media.len(), 1);
}

/// QUIRKS.md 16: the camera drops the connection after an authenticated DESCRIBE; the
/// resumed session on a new connection sets up at once, with credentials.
#[test]
fn resume_after_connection_dropped_after_describe() {
    let mut h = Harness::new("rtsp://user:pass@192.168.5.206/h264Preview_01_main");
    h.describe(b"RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\nWWW-Authenticate: Digest realm=\"cam\", nonce=\"n1\"\r\n\r\n");
    h.answer(&data("cameras/reolink_describe.txt"));
    h.client.handle_close(h.now);
    h.pump();
    assert!(matches!(
        h.events.last(),
        Some(ClientEvent::Closed {
            error: Some(ClientError::ConnectionClosed)
        })
    ));
    let last_cseq = h.last_cseq();
    let mut next = Harness {
        client: h.client.resume(ClientConfig::seeded(8)),
        now: h.now,
        sent: Vec::new(),
        datagrams: Vec::new(),
        interleaved: Vec::new(),
        answers: Vec::new(),
        events: Vec::new(),
        decoder: Decoder::new(),
    };
    next.pump();
    assert!(matches!(
        next.events[0],
        ClientEvent::Described { tracks: 2 }
    ));
    assert_eq!(next.client.state(), State::Described);
    next.client
        .setup(next.now, TrackId(0), SetupTransport::Tcp)
        .unwrap();
    next.pump();
    let setup = &next.sent[0];
    assert_eq!(
        setup.uri(),
        "rtsp://192.168.5.206/h264Preview_01_main/trackID=1"
    );
    assert!(setup.cseq().unwrap().unwrap().0 > last_cseq);
    let auth = setup.headers.get_str("Authorization").unwrap();
    assert!(
        auth.starts_with("Digest ") && auth.contains("nonce=\"n1\""),
        "{auth}"
    );
    next.answer(&data("cameras/reolink_setup.txt"));
    assert_eq!(next.client.session_id(), Some("F8F8E425"));
}

/// QUIRKS.md 52: a track that stays silent (ONVIF metadata) while another delivers is not
/// reported as a transport failure.
#[test]
fn one_silent_udp_track_beside_a_working_one_is_fine() {
    let mut h = Harness::new("rtsp://192.168.5.206/h264Preview_01_main");
    h.describe(&data("cameras/reolink_describe.txt"));
    for (i, port) in [(0, 18714), (1, 18716)] {
        h.client
            .setup(h.now, TrackId(i), SetupTransport::Udp { client_port: port })
            .unwrap();
        h.pump();
        h.answer(&data("cameras/h264dvr_setup_video.txt"));
    }
    h.client.play(h.now, PlayOptions::default()).unwrap();
    h.pump();
    h.answer(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nSession: 231970\r\n\r\n");
    let from = "127.0.0.1:40004".parse().unwrap();
    let pkt = Bytes::from_static(&[0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0x09, 0xf0]);
    h.client
        .handle_datagram(h.now, TrackId(0), StreamKind::Rtp, from, pkt);
    for _ in 0..8 {
        h.advance(Duration::from_secs(1));
    }
    assert!(!h
        .events
        .iter()
        .any(|e| matches!(e, ClientEvent::NoMedia { .. })));
}

/// QUIRKS.md 20/21: with `ForeignSsrcPolicy::DropIfAnnounced`, packets of another SSRC
/// than Hikvision's announced `ssrc=4cacc3d1` (an old session's data) are dropped and
/// reported once; by default they are accepted as an SSRC change.
#[test]
fn foreign_ssrc_policy() {
    use rtsp_proto::client::ForeignSsrcPolicy;
    for policy in [
        ForeignSsrcPolicy::Accept,
        ForeignSsrcPolicy::DropIfAnnounced,
    ] {
        let mut config = ClientConfig::seeded(5);
        config.policies.foreign_ssrc = policy;
        // The Reolink description is a live555 of 2013, which drops foreign SSRCs by
        // default (StaleSessionPolicy, tested in `stale_live555_session`): isolate the
        // foreign-SSRC policy here.
        config.policies.stale_session = rtsp_proto::client::StaleSessionPolicy::ReportOnly;
        let mut h = Harness::with_config("rtsp://192.168.5.206/h264Preview_01_main", config);
        h.describe_and_setup(
            &data("cameras/reolink_describe.txt"),
            &data("cameras/hikvision_setup.txt"),
        );
        h.take_events();
        let mut bytes = Vec::new();
        for (seq, ssrc) in [
            (1u8, 0x4cacc3d1u32),
            (2, 0x11111111),
            (3, 0x11111111),
            (4, 0x4cacc3d1),
        ] {
            let mut p = vec![0x80, 96, 0, seq, 0, 0, 0, seq];
            p.extend_from_slice(&ssrc.to_be_bytes());
            p.extend_from_slice(&[0x09, 0xf0]);
            bytes.extend_from_slice(&[b'$', 0, 0, p.len() as u8]);
            bytes.extend_from_slice(&p);
        }
        h.feed(&bytes);
        let rtp = h
            .events
            .iter()
            .filter(|e| matches!(e, ClientEvent::Rtp { .. }))
            .count();
        let foreign = h
            .diagnostics()
            .iter()
            .filter(|d| matches!(d, DiagnosticKind::ForeignSsrc { .. }))
            .count();
        match policy {
            ForeignSsrcPolicy::DropIfAnnounced => assert_eq!((rtp, foreign), (2, 1)),
            _ => {
                assert_eq!((rtp, foreign), (4, 0));
                assert!(h
                    .diagnostics()
                    .iter()
                    .any(|d| matches!(d, DiagnosticKind::SsrcChanged { .. })));
            }
        }
    }
}

/// Multicast: the server's group, ports and TTL are reported; datagrams are accepted and
/// receiver reports go to the group's RTCP port.
#[test]
fn multicast_setup() {
    let mut h = Harness::new("rtsp://192.168.5.206/h264Preview_01_main");
    h.describe(&data("cameras/reolink_describe.txt"));
    h.client
        .setup(h.now, TrackId(0), SetupTransport::Multicast)
        .unwrap();
    h.pump();
    assert_eq!(
        h.sent.last().unwrap().headers.get_str("Transport"),
        Some("RTP/AVP;multicast")
    );
    h.answer(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nSession: m1\r\nTransport: RTP/AVP;multicast;destination=239.255.42.1;port=45000-45001;ttl=1\r\n\r\n");
    let group: std::net::IpAddr = "239.255.42.1".parse().unwrap();
    assert_eq!(
        h.client.track(TrackId(0)).unwrap().transport,
        Some(TrackTransport::Multicast {
            group: Some(group),
            rtp_port: Some(45000),
            rtcp_port: Some(45001),
            ttl: Some(1)
        })
    );
    h.client.play(h.now, PlayOptions::default()).unwrap();
    h.pump();
    h.answer(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nSession: m1\r\n\r\n");
    let from = "192.168.5.206:45000".parse().unwrap();
    let pkt = Bytes::from_static(&[0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0x09, 0xf0]);
    h.client
        .handle_datagram(h.now, TrackId(0), StreamKind::Rtp, from, pkt);
    h.pump();
    assert!(h
        .events
        .iter()
        .any(|e| matches!(e, ClientEvent::Rtp { .. })));
    for _ in 0..8 {
        h.advance(Duration::from_secs(1));
    }
    assert!(h.datagrams.iter().any(|(d, data)| *d
        == Destination::Multicast {
            track: TrackId(0),
            group,
            port: 45001
        }
        && data[1] == 201));
}

/// A publisher (RECORD) sends RTCP sender reports at the RFC 3550 interval: from the
/// packets' SSRC, with the packet and payload-octet counts of what `send_rtp` sent, the
/// NTP time of the report instant (from `ntp_origin`) and the RTP timestamp of the last
/// packet advanced by the time since at the clock rate (RFC 3550 §6.4.1).
#[test]
fn publishing_sends_sender_reports() {
    use rtsp_proto::rtcp::{Compound, RtcpPacket, ValidationMode};
    use rtsp_proto::rtp::{PayloadType, RtpBuilder, Ssrc};
    use rtsp_proto::time::NtpTimestamp;
    let mut config = ClientConfig::seeded(11);
    #[allow(clippy::disallowed_methods)]
    let origin = Instant::now();
    let origin_ntp = NtpTimestamp::from_unix(Duration::from_secs(1_700_000_000));
    config.ntp_origin = Some((origin, origin_ntp));
    let mut h = Harness::with_config("rtsp://192.0.2.1/live", config);
    h.now = origin;
    let sdp = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\n\
               a=rtpmap:96 H264/90000\r\na=control:streamid=0\r\n";
    h.client
        .announce(h.now, Bytes::from(sdp.to_owned()))
        .unwrap();
    h.pump();
    h.answer(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n");
    h.client
        .setup(h.now, TrackId(0), SetupTransport::Tcp)
        .unwrap();
    h.pump();
    assert!(h.sent[1]
        .headers
        .get_str("Transport")
        .unwrap()
        .contains("mode=record"));
    h.answer(b"RTSP/1.0 200 OK\r\nCSeq: 2\r\nSession: 77\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1;mode=record\r\n\r\n");
    h.client.record(h.now).unwrap();
    h.pump();
    h.answer(b"RTSP/1.0 200 OK\r\nCSeq: 3\r\nSession: 77\r\n\r\n");
    assert_eq!(h.client.state(), State::Recording);
    let ssrc = Ssrc(0x1234_5678);
    let mut last_sent = h.now;
    for i in 0..10u16 {
        let mut buf = BytesMut::new();
        RtpBuilder::new(PayloadType::from_static(96), i, u32::from(i) * 3600, ssrc)
            .payload(&[0x41; 100])
            .append_to(&mut buf)
            .unwrap();
        h.client.send_rtp(h.now, TrackId(0), &buf).unwrap();
        last_sent = h.now;
        h.advance(Duration::from_millis(40));
    }
    let rtp: Vec<_> = h.interleaved.iter().filter(|(c, _)| *c == 0).collect();
    assert_eq!(rtp.len(), 10);
    // Step until the first report goes out on the RTCP channel.
    let mut reports = Vec::new();
    for _ in 0..200 {
        h.advance(Duration::from_millis(50));
        reports = h
            .interleaved
            .iter()
            .filter(|(c, _)| *c == 1)
            .map(|(_, d)| d.clone())
            .collect();
        if !reports.is_empty() {
            break;
        }
    }
    let at = h.now;
    assert_eq!(reports.len(), 1, "one report within 10 s");
    let since_origin = at - origin;
    assert!(since_origin < Duration::from_secs(8), "{since_origin:?}");
    let packets: Vec<_> = Compound::parse(&reports[0], ValidationMode::Strict)
        .unwrap()
        .collect();
    let Ok(RtcpPacket::SenderReport(sr)) = &packets[0] else {
        panic!("first packet is an SR: {packets:?}");
    };
    assert_eq!(sr.ssrc, ssrc);
    assert_eq!(sr.info.packet_count, 10);
    assert_eq!(sr.info.octet_count, 1000);
    assert_eq!(sr.info.ntp, origin_ntp.checked_add(since_origin).unwrap());
    let ticks = ((at - last_sent).as_nanos() * 90_000 / 1_000_000_000) as u32;
    assert_eq!(sr.info.rtp_timestamp, 9 * 3600 + ticks);
    assert!(
        matches!(&packets[1], Ok(RtcpPacket::SourceDescription(_))),
        "{packets:?}"
    );
    // The next one follows at the regular interval, with the same counts.
    let before = h.interleaved.len();
    h.advance(Duration::from_secs(8));
    let next: Vec<_> = h.interleaved[before..]
        .iter()
        .filter(|(c, _)| *c == 1)
        .collect();
    assert_eq!(next.len(), 1);
}

/// Unicast UDP media only from the server's host by default: a datagram from another host
/// is dropped and reported once per address, the server's own (also as an IPv6-mapped
/// address) is taken; `expected_source` names the server's address and port;
/// `DatagramSourcePolicy::Any` takes everything; multicast tracks take any source.
#[test]
fn datagram_source_policy() {
    use rtsp_proto::client::DatagramSourcePolicy;
    let rtp_count = |h: &Harness| {
        h.events
            .iter()
            .filter(|e| matches!(e, ClientEvent::Rtp { .. }))
            .count()
    };
    let pkt = |seq: u8| Bytes::from(vec![0x80, 96, 0, seq, 0, 0, 0, 1, 0, 0, 0, 1, 0x09, 0xf0]);
    let udp_session = |policy: DatagramSourcePolicy| {
        let mut config = ClientConfig::seeded(5);
        config.policies.datagram_source = policy;
        let mut h = Harness::with_config("rtsp://192.168.5.206/h264Preview_01_main", config);
        h.client.set_server_addr("192.168.5.206".parse().unwrap());
        h.client.describe(h.now).unwrap();
        h.pump();
        h.answer(&data("cameras/reolink_describe.txt"));
        h.client
            .setup(
                h.now,
                TrackId(0),
                SetupTransport::Udp { client_port: 18714 },
            )
            .unwrap();
        h.pump();
        h.answer(&data("cameras/h264dvr_setup_video.txt"));
        h
    };
    let mut h = udp_session(DatagramSourcePolicy::default());
    assert_eq!(
        h.client.expected_source(TrackId(0), StreamKind::Rtp),
        Some("192.168.5.206:40004".parse().unwrap())
    );
    assert_eq!(
        h.client.expected_source(TrackId(0), StreamKind::Rtcp),
        Some("192.168.5.206:40005".parse().unwrap())
    );
    let intruder: std::net::SocketAddr = "203.0.113.9:40004".parse().unwrap();
    for seq in 1..=3 {
        h.client
            .handle_datagram(h.now, TrackId(0), StreamKind::Rtp, intruder, pkt(seq));
    }
    h.pump();
    assert_eq!(rtp_count(&h), 0);
    let reported: Vec<_> = h
        .diagnostics()
        .into_iter()
        .filter(|d| matches!(d, DiagnosticKind::DatagramFromOtherHost { .. }))
        .collect();
    assert_eq!(
        reported,
        vec![DiagnosticKind::DatagramFromOtherHost { from: intruder }]
    );
    // The server, from any port, and in IPv6-mapped form (a dual-stack socket).
    for (seq, from) in [
        (4, "192.168.5.206:40004"),
        (5, "192.168.5.206:1234"),
        (6, "[::ffff:192.168.5.206]:40004"),
    ] {
        h.client.handle_datagram(
            h.now,
            TrackId(0),
            StreamKind::Rtp,
            from.parse().unwrap(),
            pkt(seq),
        );
    }
    h.pump();
    assert_eq!(rtp_count(&h), 3);

    let mut h = udp_session(DatagramSourcePolicy::Any);
    h.client
        .handle_datagram(h.now, TrackId(0), StreamKind::Rtp, intruder, pkt(1));
    h.pump();
    assert_eq!(rtp_count(&h), 1);

    // Multicast: the group's sender need not be the server's address.
    let mut h = Harness::new("rtsp://192.168.5.206/h264Preview_01_main");
    h.client.set_server_addr("192.168.5.206".parse().unwrap());
    h.client.describe(h.now).unwrap();
    h.pump();
    h.answer(&data("cameras/reolink_describe.txt"));
    h.client
        .setup(h.now, TrackId(0), SetupTransport::Multicast)
        .unwrap();
    h.pump();
    h.answer(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nSession: m1\r\nTransport: RTP/AVP;multicast;destination=239.255.42.1;port=45000-45001;ttl=1\r\n\r\n");
    assert_eq!(h.client.expected_source(TrackId(0), StreamKind::Rtp), None);
    h.client.handle_datagram(
        h.now,
        TrackId(0),
        StreamKind::Rtp,
        "10.1.2.3:45000".parse().unwrap(),
        pkt(1),
    );
    h.pump();
    assert_eq!(rtp_count(&h), 1);
}

/// Interleaved RTP packets (channel 0) of `ssrc`, sequence numbers `seqs`.
fn rtp_frames(ssrc: u32, seqs: std::ops::Range<u8>) -> Vec<u8> {
    let mut bytes = Vec::new();
    for seq in seqs {
        let mut p = vec![0x80, 96, 0, seq, 0, 0, 0, seq];
        p.extend_from_slice(&ssrc.to_be_bytes());
        p.extend_from_slice(&[0x09, 0xf0]);
        bytes.extend_from_slice(&[b'$', 0, 0, p.len() as u8]);
        bytes.extend_from_slice(&p);
    }
    bytes
}

/// QUIRKS.md 20: a live555 before 2017.06.04 (the Reolink description says v2013.04.08;
/// a `Server` header says it too) is reported; by default, on its interleaved tracks, RTP
/// of another SSRC than the announced one (a stale session's) is dropped. A session that
/// ends with a dropped connection leaves a `StaleSession`; the next connection's session
/// tears it down with its id (without touching its own session) and drops its SSRC.
#[test]
fn stale_live555_session() {
    let rtp_count = |h: &Harness| {
        h.events
            .iter()
            .filter(|e| matches!(e, ClientEvent::Rtp { .. }))
            .count()
    };
    let mut h = Harness::new("rtsp://192.168.5.206/h264Preview_01_main");
    h.describe_and_setup(
        &data("cameras/reolink_describe.txt"),
        &data("cameras/hikvision_setup.txt"),
    );
    assert!(h
        .diagnostics()
        .contains(&DiagnosticKind::StaleSessionServer {
            version: (2013, 4, 8)
        }));
    assert_eq!(h.client.buggy_live555(), Some((2013, 4, 8)));
    h.take_events();
    // An old session's data (another SSRC) on the new connection, then ours.
    h.feed(&rtp_frames(0x1111_1111, 1..4));
    h.feed(&rtp_frames(0x4cac_c3d1, 4..6));
    assert_eq!(rtp_count(&h), 2);
    assert!(h.diagnostics().contains(&DiagnosticKind::ForeignSsrc {
        ssrc: rtsp_proto::rtp::Ssrc(0x1111_1111)
    }));
    assert_eq!(h.client.stale_session(), None, "still open");
    h.client.handle_close(h.now);
    h.pump();
    let stale = h.client.stale_session().expect("closed without TEARDOWN");
    assert_eq!(stale.id, "708345999");
    assert_eq!(stale.timeout, Duration::from_secs(60));
    assert_eq!(stale.buggy_live555, Some((2013, 4, 8)));
    assert!(stale.ssrcs.contains(&rtsp_proto::rtp::Ssrc(0x4cac_c3d1)));
    // A resumed session (same server) keeps knowing the bug.
    let resumed = h.client.resume(ClientConfig::seeded(1));
    assert_eq!(resumed.buggy_live555(), Some((2013, 4, 8)));

    // The next connection: TEARDOWN of the stale session first, with its id.
    let mut h2 = Harness::new("rtsp://192.168.5.206/h264Preview_01_main");
    let id = h2.client.teardown_stale(h2.now, &stale).unwrap();
    h2.pump();
    let req = &h2.sent[0];
    assert_eq!(req.method, Method::TEARDOWN);
    assert_eq!(req.headers.get_str("Session"), Some("708345999"));
    assert_eq!(req.uri, stale.url);
    h2.answer(b"RTSP/1.0 454 Session Not Found\r\nCSeq: 1\r\nServer: LIVE555 Streaming Media v2016.11.28\r\n\r\n");
    assert!(h2.events.iter().any(|e| matches!(e,
        ClientEvent::Response { id: i, response, .. } if *i == id && response.status.as_u16() == 454)));
    assert!(h2
        .diagnostics()
        .contains(&DiagnosticKind::StaleSessionServer {
            version: (2016, 11, 28)
        }));
    assert_ne!(h2.client.state(), State::Closed);
    // Its own session announces no SSRC: the stale SSRC is still dropped, others taken.
    h2.describe_and_setup(
        &data("cameras/reolink_describe.txt"),
        b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nSession: 9001\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n",
    );
    assert!(h2.sent.iter().skip(1).all(|r| r.method != Method::TEARDOWN));
    assert_eq!(h2.sent[2].headers.get_str("Session"), None, "first SETUP");
    h2.take_events();
    h2.feed(&rtp_frames(0x4cac_c3d1, 1..3));
    h2.feed(&rtp_frames(0x2222_2222, 3..6));
    assert_eq!(rtp_count(&h2), 3);
    let stale_reports: Vec<_> = h2
        .diagnostics()
        .into_iter()
        .filter(|d| matches!(d, DiagnosticKind::StaleData { .. }))
        .collect();
    assert_eq!(
        stale_reports,
        vec![DiagnosticKind::StaleData {
            ssrc: rtsp_proto::rtp::Ssrc(0x4cac_c3d1)
        }]
    );

    // A clean TEARDOWN leaves nothing stale; ReportOnly takes foreign SSRCs.
    let mut config = ClientConfig::seeded(9);
    config.policies.stale_session = rtsp_proto::client::StaleSessionPolicy::ReportOnly;
    let mut h3 = Harness::with_config("rtsp://192.168.5.206/h264Preview_01_main", config);
    h3.describe_and_setup(
        &data("cameras/reolink_describe.txt"),
        &data("cameras/hikvision_setup.txt"),
    );
    h3.take_events();
    h3.feed(&rtp_frames(0x1111_1111, 1..4));
    assert_eq!(rtp_count(&h3), 3);
    h3.client.teardown(h3.now).unwrap();
    h3.pump();
    h3.answer(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n");
    assert_eq!(h3.client.state(), State::Closed);
    assert_eq!(h3.client.stale_session(), None);
}

/// RFC 7826 §16.3: with `pipelined_requests` in RTSP/2.0, every SETUP and the PLAY go out
/// before any answer, carrying one `Pipelined-Requests` id and no `Session`; the answers
/// are matched by CSeq and the session plays. Without the option PLAY must wait.
#[test]
fn rtsp2_pipelined_setup_and_play() {
    let v2_describe = String::from_utf8(data("cameras/reolink_describe.txt"))
        .unwrap()
        .replacen("RTSP/1.0", "RTSP/2.0", 1);
    let mut config = ClientConfig::seeded(21);
    config.version = rtsp_proto::Version::V2_0;
    config.pipelined_requests = true;
    let mut h = Harness::with_config("rtsp://192.168.5.206/h264Preview_01_main", config);
    h.client.describe(h.now).unwrap();
    h.pump();
    h.answer(v2_describe.as_bytes());
    let n = h.client.tracks().len();
    assert!(n >= 2, "{n} tracks");
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(
            h.client
                .setup(h.now, TrackId(i), SetupTransport::Tcp)
                .unwrap(),
        );
    }
    let play = h.client.play(h.now, PlayOptions::default()).unwrap();
    h.pump();
    let pipelined: Vec<_> = h.sent[1..].iter().collect();
    assert_eq!(pipelined.len(), n + 1);
    let tag = pipelined[0]
        .headers
        .get_str("Pipelined-Requests")
        .expect("first SETUP is pipelined")
        .to_owned();
    assert!(!tag.is_empty() && tag.len() <= 8 && tag.bytes().all(|b| b.is_ascii_digit()));
    for r in &pipelined {
        assert_eq!(r.headers.get_str("Pipelined-Requests"), Some(tag.as_str()));
        assert_eq!(r.headers.get_str("Session"), None);
        assert_eq!(r.version, rtsp_proto::Version::V2_0);
    }
    assert_eq!(pipelined[n].method, Method::PLAY);
    // Answers, in order, each with its request's CSeq.
    let cseqs: Vec<u32> = pipelined
        .iter()
        .map(|r| r.cseq().unwrap().unwrap().0)
        .collect();
    let mut answers = Vec::new();
    for (i, cseq) in cseqs.iter().enumerate().take(n) {
        answers.extend_from_slice(
            format!(
                "RTSP/2.0 200 OK\r\nCSeq: {cseq}\r\nSession: 5150;timeout=60\r\nPipelined-Requests: {tag}\r\n\
                 Transport: RTP/AVP/TCP;unicast;interleaved={}-{}\r\n\r\n",
                2 * i,
                2 * i + 1
            )
            .as_bytes(),
        );
    }
    answers.extend_from_slice(
        format!(
            "RTSP/2.0 200 OK\r\nCSeq: {}\r\nSession: 5150\r\nRange: npt=0-\r\n\r\n",
            cseqs[n]
        )
        .as_bytes(),
    );
    h.feed(&answers);
    assert_eq!(h.client.state(), State::Playing);
    assert_eq!(h.client.session_id(), Some("5150"));
    let answered: Vec<_> = h
        .events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Response { id, response, .. } if response.status.is_success() => Some(*id),
            _ => None,
        })
        .collect();
    ids.push(play);
    assert_eq!(&answered[answered.len() - ids.len()..], &ids[..]);
    // Later requests carry the session id only.
    h.client.pause(h.now).unwrap();
    h.pump();
    let pause = h.sent.last().unwrap();
    assert_eq!(pause.headers.get_str("Session"), Some("5150"));
    assert_eq!(pause.headers.get_str("Pipelined-Requests"), None);

    // Without the option: PLAY before a session is refused, no header is sent.
    let mut config = ClientConfig::seeded(21);
    config.version = rtsp_proto::Version::V2_0;
    let mut h = Harness::with_config("rtsp://192.168.5.206/h264Preview_01_main", config);
    h.client.describe(h.now).unwrap();
    h.pump();
    h.answer(v2_describe.as_bytes());
    h.client
        .setup(h.now, TrackId(0), SetupTransport::Tcp)
        .unwrap();
    h.pump();
    assert_eq!(h.sent[1].headers.get_str("Pipelined-Requests"), None);
    assert!(matches!(
        h.client.play(h.now, PlayOptions::default()),
        Err(ClientError::InvalidState { .. })
    ));
}
