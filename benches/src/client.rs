//! Inputs and drivers of the client benchmark (`benches/client.rs`) and its profiling binary
//! (`src/bin/client_probe.rs`): the recorded Wowza session repeated into a long stream, the
//! canned answers of the mock server, a blocking mock server on loopback TCP, and the loop
//! that feeds a [`ClientSession`] from memory.
//!
//! The recording (`data/bunny_session.rtsp`) holds only `$`-framed RTP: channel 0 is the
//! AAC track (`trackID=1`, 102 packets, 120 frames), channel 2 the H.264 track (`trackID=2`,
//! 269 packets, 245 frames). [`media_loops`] repeats it with every copy's sequence numbers
//! and timestamps moved on, so both clients see one continuous, loss-free stream.

use crate::BUNNY;
use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use rtsp_proto::client::{
    ClientConfig, ClientEvent, ClientSession, Destination, PlayOptions, SetupTransport, State,
    TrackId,
};
use rtsp_proto::message::{Decoder, Message, Request};
use rtsp_proto::Method;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Our client reads into a buffer kept at least this free; retina's ring buffer is 64 KiB
/// too.
pub const READ_BUF: usize = 256 * 1024;

/// The client configuration of the benchmark: depacketized frames only (`frames`), or RTP
/// packets only.
pub fn config(frames: bool) -> ClientConfig {
    let mut c = ClientConfig::seeded(1);
    c.emit_frames = frames;
    c.emit_packets = !frames;
    c
}

/// Wowza's answer to `DESCRIBE` (SDP: AAC `trackID=1`, H.264 `trackID=2`).
pub const DESCRIBE: &[u8] = include_bytes!("../data/bunny_describe.txt");
/// Wowza's answer to the first `SETUP` (`interleaved=0-1`).
pub const SETUP: &[u8] = include_bytes!("../data/bunny_setup.txt");
/// Wowza's answer to `PLAY` (`RTP-Info` for both tracks, `seq=1;rtptime=0`).
pub const PLAY: &[u8] = include_bytes!("../data/bunny_play.txt");

/// The URL both clients open on the mock server (the path is Wowza's).
pub fn url(addr: SocketAddr) -> String {
    format!("rtsp://{addr}/vod/mp4:BigBuckBunny_115k.mov")
}

/// Frames of one pass over the recording: 245 video + 120 audio.
pub const FRAMES_PER_LOOP: u64 = 365;
/// RTP packets of one pass over the recording: 269 video + 102 audio.
pub const PACKETS_PER_LOOP: u64 = 371;

/// The recording's `$` frames: (channel, range of the whole frame in [`BUNNY`]).
fn frames() -> Vec<(u8, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < BUNNY.len() {
        assert_eq!(
            BUNNY[i], b'$',
            "the recording holds only interleaved frames"
        );
        let len = usize::from(u16::from_be_bytes([BUNNY[i + 2], BUNNY[i + 3]]));
        out.push((BUNNY[i + 1], i..i + 4 + len));
        i += 4 + len;
    }
    out
}

/// `loops` copies of the recording back to back. Copy `k` has each channel's RTP sequence
/// numbers moved on by `k` times the channel's packet count and its timestamps by `k` times
/// the channel's span (last minus first timestamp plus the most common step), so the
/// result reads as one continuous stream of `loops` × 10 s.
pub fn media_loops(loops: u32) -> Vec<u8> {
    let frames = frames();
    // Per even (RTP) channel: packet count and timestamp period.
    let mut period: [(u16, u32); 256] = [(0, 0); 256];
    for ch in 0..=255u8 {
        let ts: Vec<u32> = frames
            .iter()
            .filter(|(c, _)| *c == ch)
            .map(|(_, r)| u32::from_be_bytes(BUNNY[r.start + 8..r.start + 12].try_into().unwrap()))
            .collect();
        if ts.is_empty() || ch % 2 == 1 {
            continue;
        }
        let mut steps = std::collections::HashMap::new();
        for w in ts.windows(2) {
            let d = w[1].wrapping_sub(w[0]);
            if d > 0 {
                *steps.entry(d).or_insert(0u32) += 1;
            }
        }
        let step = steps
            .into_iter()
            .max_by_key(|&(d, n)| (n, std::cmp::Reverse(d)))
            .map_or(0, |(d, _)| d);
        let span = ts[ts.len() - 1].wrapping_sub(ts[0]).wrapping_add(step);
        period[usize::from(ch)] = (ts.len() as u16, span);
    }
    let mut out = Vec::with_capacity(BUNNY.len() * loops as usize);
    for k in 0..loops {
        for (ch, r) in &frames {
            let start = out.len();
            out.extend_from_slice(&BUNNY[r.clone()]);
            let (packets, span) = period[usize::from(*ch)];
            if ch % 2 == 0 && packets > 0 {
                let rtp = &mut out[start + 4..];
                let seq = u16::from_be_bytes([rtp[2], rtp[3]])
                    .wrapping_add(packets.wrapping_mul(k as u16));
                rtp[2..4].copy_from_slice(&seq.to_be_bytes());
                let ts = u32::from_be_bytes(rtp[4..8].try_into().unwrap())
                    .wrapping_add(span.wrapping_mul(k));
                rtp[4..8].copy_from_slice(&ts.to_be_bytes());
            }
        }
    }
    out
}

/// `raw` (a canned response) with its `CSeq` set to `cseq` and, when given, the
/// `interleaved=` channels of its `Transport` replaced.
fn canned(raw: &[u8], cseq: u32, interleaved: Option<&str>) -> Vec<u8> {
    let text = std::str::from_utf8(raw).expect("canned answers are text");
    let (head, body) = text.split_once("\r\n\r\n").expect("a whole response");
    let mut out = String::new();
    for line in head.split("\r\n") {
        if line.to_ascii_lowercase().starts_with("cseq:") {
            out.push_str(&format!("CSeq: {cseq}"));
        } else if let (Some(ch), true) = (interleaved, line.starts_with("Transport:")) {
            out.push_str(&line.replace("interleaved=0-1", &format!("interleaved={ch}")));
        } else {
            out.push_str(line);
        }
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out.push_str(body);
    out.into_bytes()
}

/// The mock server's answer to `req`, as Wowza answered this session: the recorded
/// DESCRIBE, SETUP and PLAY responses with the request's `CSeq`; SETUP of `trackID=N` gets
/// channels `2(N-1)`–`2(N-1)+1`, the channels the recording uses. OPTIONS (not recorded)
/// gets a short answer in Wowza's style; anything else a bare 200.
pub fn answer(req: &Request) -> Vec<u8> {
    let cseq = req.cseq().and_then(Result::ok).map_or(0, |c| c.0);
    if req.method == Method::DESCRIBE {
        canned(DESCRIBE, cseq, None)
    } else if req.method == Method::SETUP {
        let track: u8 = req
            .uri()
            .rsplit_once("trackID=")
            .and_then(|(_, n)| n.parse().ok())
            .expect("SETUP of a trackID");
        let first = 2 * (track - 1);
        canned(SETUP, cseq, Some(&format!("{first}-{}", first + 1)))
    } else if req.method == Method::PLAY {
        canned(PLAY, cseq, None)
    } else if req.method == Method::OPTIONS {
        format!(
            "RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nServer: Wowza Streaming Engine 4.8.10 build20210217143515\r\n\
             Cache-Control: no-cache\r\nPublic: DESCRIBE, SETUP, TEARDOWN, PLAY, PAUSE, OPTIONS, ANNOUNCE, RECORD, GET_PARAMETER\r\n\
             Supported: play.basic, con.persistent\r\n\r\n"
        )
        .into_bytes()
    } else {
        format!("RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nSession: 1642021126\r\n\r\n").into_bytes()
    }
}

/// A [`ClientSession`] that has described, set up both tracks over TCP and is playing,
/// with the canned answers fed from memory.
#[allow(clippy::disallowed_methods)] // the benchmark owns the clock
pub fn playing_session(config: ClientConfig) -> ClientSession {
    let now = Instant::now();
    let mut client =
        ClientSession::new(&url(([127, 0, 0, 1], 554).into()), config).expect("valid url");
    let mut decoder = Decoder::new();
    let mut step = |client: &mut ClientSession| {
        while let Some(t) = client.poll_transmit() {
            assert_eq!(t.destination, Destination::Control);
            let mut b = BytesMut::from(&t.data[..]);
            while let Some(m) = decoder.decode(&mut b).expect("our request decodes") {
                if let Message::Request(r) = m {
                    let mut a = BytesMut::from(&answer(&r)[..]);
                    client.handle_stream(now, &mut a).expect("answer accepted");
                }
            }
        }
        while client.poll_event().is_some() {}
    };
    client.describe(now).expect("describe");
    step(&mut client);
    let tracks = client.tracks().len();
    for i in 0..tracks {
        client
            .setup(now, TrackId(i), SetupTransport::Tcp)
            .expect("setup");
        step(&mut client);
    }
    client.play(now, PlayOptions::default()).expect("play");
    step(&mut client);
    assert_eq!(client.state(), State::Playing);
    client
}

/// What a client delivered while streaming.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Whole frames (depacketized).
    pub frames: u64,
    /// RTP packets.
    pub packets: u64,
    /// Payload bytes of frames, or whole packets' bytes, summed (so the data is read).
    pub bytes: u64,
}

impl Counts {
    /// Counts one event.
    #[inline]
    pub fn event(&mut self, ev: &ClientEvent) {
        match ev {
            ClientEvent::Frame { frame, .. } => {
                self.frames += 1;
                self.bytes += frame.data.len() as u64;
            }
            ClientEvent::Rtp { packet, .. } => {
                self.packets += 1;
                self.bytes += packet.len() as u64;
            }
            _ => {}
        }
    }
}

/// Feeds `stream` (the whole streaming phase, in one buffer) to a playing `client` in
/// `piece`-byte parts, draining transmits and events after each part. The parts are split
/// off `stream` without copying; with `piece` a multiple of the recording's length
/// ([`crate::BUNNY`]`.len()`) every part ends on a frame boundary, so nothing is copied at
/// all and only the client's own work is measured. (A part that ends inside a frame makes
/// the decoder reserve room for the rest, and the next part is then copied behind it, as
/// a socket read would.)
pub fn feed_from_memory(
    client: &mut ClientSession,
    mut stream: BytesMut,
    piece: usize,
    now: Instant,
) -> Counts {
    let mut counts = Counts::default();
    let mut buf = BytesMut::new();
    while !stream.is_empty() {
        let part = stream.split_to(piece.min(stream.len()));
        buf.unsplit(part);
        client.handle_stream(now, &mut buf).expect("stream decodes");
        while client.poll_transmit().is_some() {}
        while let Some(ev) = client.poll_event() {
            counts.event(&ev);
        }
    }
    assert!(buf.is_empty(), "{} bytes left over", buf.len());
    counts
}

/// A blocking mock server on `127.0.0.1` (its own thread): for each connection it answers
/// requests with [`answer`] until `PLAY`, then waits for a go from [`MockServer::go`] (so
/// the client's clock starts before the media does), writes the whole media stream as fast
/// as the socket takes it, shuts down its sending side and reads until the client closes.
pub struct MockServer {
    addr: SocketAddr,
    go: mpsc::SyncSender<()>,
}

impl MockServer {
    /// Starts the server thread; every connection gets `media` after its `PLAY`.
    pub fn start(media: Bytes) -> MockServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let (go, go_rx) = mpsc::sync_channel::<()>(1);
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { return };
                if serve(conn, &media, &go_rx).is_err() {
                    continue;
                }
            }
        });
        MockServer { addr, go }
    }

    /// Where to connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Lets the current connection's media flow (call right after the client has seen the
    /// `PLAY` response and started its clock).
    pub fn go(&self) {
        self.go.send(()).expect("server thread alive");
    }
}

fn serve(mut conn: TcpStream, media: &[u8], go: &mpsc::Receiver<()>) -> std::io::Result<()> {
    conn.set_nodelay(true)?;
    let mut decoder = Decoder::new();
    let mut buf = BytesMut::with_capacity(8192);
    let mut chunk = [0u8; 8192];
    'requests: loop {
        let n = conn.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        while let Some(m) = decoder
            .decode(&mut buf)
            .map_err(|e| std::io::Error::other(e.to_string()))?
        {
            if let Message::Request(r) = m {
                conn.write_all(&answer(&r))?;
                if r.method == Method::PLAY {
                    break 'requests;
                }
            }
        }
    }
    // A client that failed before it could say go must not block the server forever.
    if go.recv_timeout(Duration::from_secs(30)).is_err() {
        return Ok(());
    }
    conn.write_all(media)?;
    conn.shutdown(std::net::Shutdown::Write)?;
    // Whatever the client sends now (receiver reports) is read and dropped until it closes.
    loop {
        match conn.read(&mut chunk) {
            Ok(0) | Err(_) => return Ok(()),
            Ok(_) => {}
        }
    }
}

/// Our client under tokio: one task drives the session over the connection, as
/// `examples/tokio_client.rs` does (transmits, events, then a read or the next timeout).
#[allow(clippy::disallowed_methods)] // the benchmark owns the clock
pub async fn ours_tcp(server: &MockServer, frames: bool) -> (Duration, Counts) {
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
                    } else if next_setup < client.tracks().len() {
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
#[allow(clippy::disallowed_methods)] // the benchmark owns the clock
pub async fn retina_tcp(server: &MockServer, frames: bool) -> (Duration, Counts) {
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
