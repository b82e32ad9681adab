//! Packet captures: finds the RTSP connections (on any TCP port, by content), reassembles
//! both directions of each, decodes them with the crate's `Decoder`, follows the SETUP
//! responses to the RTP/RTCP UDP flows, and reports one session per RTSP connection.
//!
//! Every buffer is bounded. At most [`MAX_CONNECTIONS`] connections are followed at a
//! time (the least recently active one that is not yet known as RTSP gives way to a new
//! one), at most [`MAX_RTSP_CONNECTIONS`] of them RTSP. Before a connection is known as
//! RTSP each direction holds at most [`DETECT_LIMITS`] of out-of-order data and
//! [`DETECT_BUFFER`] bytes of text; a connection in which no RTSP shows up within
//! [`DETECT_WINDOW`] bytes, or that closes first, is dropped. An RTSP connection's
//! directions hold at most [`RTSP_LIMITS`] of out-of-order data, [`MAX_UNSYNCED`] bytes
//! while looking for where a message starts, and what the `Decoder`'s limits allow.
//! Worst case: 1024 × 2 × 128 KiB + 256 × 2 × (1 MiB + 256 KiB + one message), well
//! under 1 GiB, plus [`MAX_TRACKED`] small records of dropped connections.

use crate::capture::Capture;
use crate::net::{self, Link, Transport};
use crate::session::{Connection, Session};
use crate::tcp::{self, Event, Reassembler};
use crate::{json, print_message, Options, Segment};
use bytes::{Buf as _, BytesMut};
use rtsp_proto::message::{Decoder, Message};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;

/// Most TCP connections followed at a time.
pub const MAX_CONNECTIONS: usize = 1_024;
/// Most RTSP connections in one capture.
pub const MAX_RTSP_CONNECTIONS: usize = 256;
/// Most connections remembered (dropped ones included); past this the dropped ones are
/// forgotten (and detected again if they go on).
pub const MAX_TRACKED: usize = 100_000;
/// Bytes of text a direction holds while no RTSP has been seen on its connection.
pub const DETECT_BUFFER: usize = 64 * 1024;
/// Reassembly limits of a connection not yet known as RTSP.
pub const DETECT_LIMITS: tcp::Limits = tcp::Limits {
    max_pending_bytes: 64 * 1024,
    max_pending_segments: 64,
    max_window: 64 * 1024 * 1024,
    gap_timeout: 30.0,
};
/// Reassembly limits of an RTSP connection.
pub const RTSP_LIMITS: tcp::Limits = tcp::Limits {
    max_pending_bytes: 1024 * 1024,
    max_pending_segments: 1024,
    max_window: 64 * 1024 * 1024,
    gap_timeout: 30.0,
};
/// Bytes of a direction scanned for an RTSP message before the connection is taken as
/// something else and dropped.
pub const DETECT_WINDOW: usize = 1024 * 1024;
/// Most bytes held while looking for the start of a message (after a gap, or in a
/// capture that starts mid-stream); older bytes are discarded past this.
pub const MAX_UNSYNCED: usize = 256 * 1024;
/// Most UDP flows counted as not negotiated by any SETUP.
const MAX_STRAY_FLOWS: usize = 1_024;
/// Longest line considered when looking for a request or status line.
const MAX_LINE: usize = 4 * 1024;

/// One direction of a connection.
struct Dir {
    reasm: Reassembler,
    dec: Decoder,
    buf: BytesMut,
    /// The decoder is fed from a message boundary.
    synced: bool,
    /// Stream offset of the decoder's first byte.
    base: u64,
    /// Stream offset of `buf`'s first byte while unsynced.
    scanned: u64,
    /// Time of the latest data.
    time: f64,
}

impl Dir {
    fn new() -> Dir {
        Dir {
            reasm: Reassembler::new(DETECT_LIMITS),
            dec: Decoder::new(),
            buf: BytesMut::new(),
            synced: false,
            base: 0,
            scanned: 0,
            time: 0.0,
        }
    }
}

enum State {
    /// No RTSP seen yet.
    Detecting,
    /// An RTSP connection: its session index.
    Rtsp(usize),
    /// Not RTSP: ignored.
    Other,
}

struct Conn {
    /// The two ends; `dirs[0]` carries `ends.0 -> ends.1`.
    ends: (SocketAddr, SocketAddr),
    /// The end that sent the SYN, when seen.
    initiator: Option<SocketAddr>,
    dirs: [Dir; 2],
    state: State,
    /// Capture time of the latest segment.
    last: f64,
}

/// What a capture held, for the summary line.
#[derive(Default)]
struct Counts {
    frames: u64,
    /// Frames skipped, by reason.
    skipped: BTreeMap<&'static str, u64>,
    unsupported_links: BTreeMap<u32, u64>,
    tcp_segments: u64,
    udp_datagrams: u64,
    udp_attributed: u64,
    connections: u64,
    connections_over_limit: u64,
    rtsp_over_limit: u64,
    messages: usize,
    frames_interleaved: usize,
}

struct Inspector<'a> {
    opts: &'a Options,
    file: &'a str,
    conns: HashMap<(SocketAddr, SocketAddr), Conn>,
    /// Connections in `conns` that are not dropped.
    active: usize,
    sessions: Vec<Session>,
    stray_udp: BTreeMap<(SocketAddr, SocketAddr), u64>,
    counts: Counts,
    /// Anomalies not tied to an RTSP connection.
    anomalies: Vec<String>,
    t0: Option<f64>,
}

fn key(a: SocketAddr, b: SocketAddr) -> (SocketAddr, SocketAddr) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

/// Whether `line` (without its line end) is an RTSP request or status line.
fn is_start_line(line: &[u8]) -> bool {
    let version = |v: &[u8]| v == b"RTSP/1.0" || v == b"RTSP/2.0";
    if line.len() >= 12 && version(&line[..8]) && line[8] == b' ' {
        return line[9..12].iter().all(u8::is_ascii_digit);
    }
    let mut parts = line.split(|&b| b == b' ');
    let (Some(method), Some(uri), Some(v), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    !method.is_empty()
        && method.len() <= 32
        && method
            .iter()
            .all(|b| b.is_ascii_uppercase() || *b == b'_' || *b == b'-')
        && !uri.is_empty()
        && version(v)
}

/// The offset of the first complete RTSP request or status line in `buf`.
fn find_start_line(buf: &[u8]) -> Option<usize> {
    let mut at = 0;
    while at < buf.len() {
        let rest = buf.get(at..)?;
        let nl = memchr::memchr(b'\n', rest.get(..MAX_LINE.min(rest.len()))?);
        if let Some(nl) = nl {
            let line = rest.get(..nl)?;
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if is_start_line(line) {
                return Some(at);
            }
        }
        at += memchr::memchr(b'\n', rest)? + 1;
    }
    None
}

/// The offset of the first `$` frame in `buf` that starts a run of `n` frames (RTP or
/// RTCP version 2 each) that follow each other exactly, or of fewer frames followed by a
/// message: a plausible place to resume a connection whose earlier bytes were not captured.
fn find_frame_chain(buf: &[u8], n: usize) -> Option<usize> {
    let frame_at = |i: usize| -> Option<usize> {
        if *buf.get(i)? != b'$' || buf.get(i + 4)? >> 6 != 2 {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([*buf.get(i + 2)?, *buf.get(i + 3)?]));
        Some(i + 4 + len)
    };
    let mut from = 0;
    while let Some(i) = memchr::memchr(b'$', buf.get(from..)?).map(|p| p + from) {
        let mut at = i;
        for k in 0..n {
            match frame_at(at) {
                Some(next) => at = next,
                None => {
                    let message =
                        k > 0 && buf.get(at..).is_some_and(|r| find_start_line(r) == Some(0));
                    if message {
                        return Some(i);
                    }
                    break;
                }
            }
            if k + 1 == n {
                return Some(i);
            }
        }
        from = i + 1;
    }
    None
}

/// Frames in a row that identify a connection as RTSP without any message seen.
const DETECT_CHAIN: usize = 8;

impl Inspector<'_> {
    fn rel(&mut self, t: f64) -> f64 {
        t - *self.t0.get_or_insert(t)
    }

    fn run(&mut self) -> Result<(), String> {
        let mut cap = Capture::open(self.file).map_err(|e| format!("{}: {e}", self.file))?;
        loop {
            let frame = match cap.next_frame() {
                None => break,
                Some(Ok(f)) => f,
                Some(Err(e)) => {
                    if self.counts.frames == 0 {
                        return Err(format!("{}: {e}", self.file));
                    }
                    // A capture cut short (the capturing process was killed) ends in a
                    // partial block: report what was read.
                    self.anomalies.push(format!(
                        "capture unreadable after frame {}: {e}",
                        self.counts.frames
                    ));
                    break;
                }
            };
            self.counts.frames += 1;
            let time = self.rel(frame.time);
            let Some(link) = Link::from_linktype(frame.linktype) else {
                *self
                    .counts
                    .unsupported_links
                    .entry(frame.linktype)
                    .or_default() += 1;
                continue;
            };
            match net::parse(link, &frame.data) {
                Ok(Some(p)) => match p.transport {
                    Transport::Tcp {
                        seq,
                        syn,
                        ack,
                        fin,
                        rst,
                        payload,
                    } => {
                        self.tcp(time, p.src, p.dst, seq, syn, ack, payload)?;
                        if fin {
                            let k = key(p.src, p.dst);
                            if let Some(c) = self.conns.get_mut(&k) {
                                let d = usize::from(c.ends.0 != p.src);
                                let seq = if syn { seq.wrapping_add(1) } else { seq };
                                c.dirs[d].reasm.fin(seq, payload.len());
                            }
                        }
                        if fin || rst {
                            self.closed(key(p.src, p.dst));
                        }
                    }
                    Transport::Udp { payload } => self.udp(time, p.src, p.dst, payload)?,
                },
                Ok(None) => {
                    *self
                        .counts
                        .skipped
                        .entry("not TCP/UDP over IP")
                        .or_default() += 1
                }
                Err(e) => *self.counts.skipped.entry(e).or_default() += 1,
            }
        }
        self.finish()
    }

    #[allow(clippy::too_many_arguments)]
    fn tcp(
        &mut self,
        time: f64,
        src: SocketAddr,
        dst: SocketAddr,
        seq: u32,
        syn: bool,
        ack: Option<u32>,
        payload: &[u8],
    ) -> Result<(), String> {
        self.counts.tcp_segments += 1;
        let k = key(src, dst);
        if !self.conns.contains_key(&k) && !self.admit() {
            self.counts.connections_over_limit += 1;
            return Ok(());
        }
        let conn = self.conns.entry(k).or_insert_with(|| Conn {
            ends: (src, dst),
            initiator: None,
            dirs: [Dir::new(), Dir::new()],
            state: State::Detecting,
            last: time,
        });
        if matches!(conn.state, State::Other) {
            return Ok(());
        }
        conn.last = time;
        if syn && ack.is_none() {
            conn.initiator = Some(src);
        }
        let d = usize::from(conn.ends.0 != src);
        // The acknowledgement first: it may release the other direction's held data,
        // which was sent before this segment.
        if let Some(ack) = ack {
            let mut events = Vec::new();
            conn.dirs[1 - d].reasm.acked(ack, &mut events);
            if !events.is_empty() {
                self.events(k, 1 - d, time, events)?;
            }
        }
        let Some(conn) = self.conns.get_mut(&k) else {
            return Ok(());
        };
        if matches!(conn.state, State::Other) {
            return Ok(());
        }
        let mut events = Vec::new();
        conn.dirs[d]
            .reasm
            .segment(time, seq, syn, payload, &mut events);
        self.events(k, d, time, events)
    }

    /// Makes room for a new connection; false when every followed connection is RTSP.
    fn admit(&mut self) -> bool {
        if self.conns.len() >= MAX_TRACKED {
            self.conns.retain(|_, c| !matches!(c.state, State::Other));
        }
        if self.active >= MAX_CONNECTIONS {
            let oldest = self
                .conns
                .iter()
                .filter(|(_, c)| matches!(c.state, State::Detecting))
                .min_by(|a, b| a.1.last.total_cmp(&b.1.last))
                .map(|(k, _)| *k);
            match oldest {
                Some(k) => self.drop_conn(k),
                None => return false,
            }
        }
        self.counts.connections += 1;
        self.active += 1;
        true
    }

    /// Stops following connection `k` (not RTSP): frees its buffers, keeps a record.
    fn drop_conn(&mut self, k: (SocketAddr, SocketAddr)) {
        if let Some(c) = self.conns.get_mut(&k) {
            if !matches!(c.state, State::Other) {
                c.state = State::Other;
                c.dirs = [Dir::new(), Dir::new()];
                self.active -= 1;
            }
        }
    }

    /// A FIN or RST: a connection still not known as RTSP is dropped.
    fn closed(&mut self, k: (SocketAddr, SocketAddr)) {
        if self
            .conns
            .get(&k)
            .is_some_and(|c| matches!(c.state, State::Detecting))
        {
            self.drop_conn(k);
        }
    }

    /// Feeds reassembled events of direction `d` of connection `k`.
    fn events(
        &mut self,
        k: (SocketAddr, SocketAddr),
        d: usize,
        time: f64,
        events: Vec<Event>,
    ) -> Result<(), String> {
        for e in events {
            let Some(conn) = self.conns.get_mut(&k) else {
                return Ok(());
            };
            let (src, dst) = if d == 0 {
                conn.ends
            } else {
                (conn.ends.1, conn.ends.0)
            };
            let dir = &mut conn.dirs[d];
            match e {
                Event::Data(bytes, t) => {
                    dir.time = t;
                    dir.buf.extend_from_slice(&bytes);
                }
                Event::Gap { offset, bytes } => {
                    if let State::Rtsp(s) = conn.state {
                        if let Some(session) = self.sessions.get_mut(s) {
                            session.anomaly(
                                Some(time),
                                "tcp",
                                format!(
                                    "{src}>{dst}: {bytes} bytes at stream offset {offset} never captured; resynchronising"
                                ),
                            );
                        }
                    }
                    // What was buffered cannot be completed: start over after the gap.
                    dir.buf.clear();
                    dir.dec = Decoder::new();
                    dir.synced = false;
                    dir.scanned = offset + bytes;
                    dir.base = dir.scanned;
                    continue;
                }
                Event::Dropped { offset, bytes } => {
                    if let State::Rtsp(s) = conn.state {
                        if let Some(session) = self.sessions.get_mut(s) {
                            session.anomaly(
                                Some(time),
                                "tcp",
                                format!("{src}>{dst}: segment of {bytes} bytes at offset {offset} dropped (outside the window)"),
                            );
                        }
                    }
                    continue;
                }
            }
            self.pump(k, d)?;
        }
        Ok(())
    }

    /// Detects RTSP, synchronises and decodes direction `d` of connection `k`.
    fn pump(&mut self, k: (SocketAddr, SocketAddr), d: usize) -> Result<(), String> {
        let Some(conn) = self.conns.get_mut(&k) else {
            return Ok(());
        };
        if matches!(conn.state, State::Detecting) {
            let dir = &conn.dirs[d];
            let start = find_start_line(&dir.buf)
                .map(|at| {
                    (
                        at,
                        dir.buf.get(at..).is_some_and(|l| l.starts_with(b"RTSP/")),
                    )
                })
                .or_else(|| find_frame_chain(&dir.buf, DETECT_CHAIN).map(|at| (at, true)));
            match start {
                Some((_, from_server)) => {
                    let (src, dst) = if d == 0 {
                        conn.ends
                    } else {
                        (conn.ends.1, conn.ends.0)
                    };
                    // A status line (or a run of frames: media is mostly sent by servers)
                    // comes from the server.
                    let client = conn
                        .initiator
                        .unwrap_or(if from_server { dst } else { src });
                    let server = if client == conn.ends.0 {
                        conn.ends.1
                    } else {
                        conn.ends.0
                    };
                    if self.sessions.len() >= MAX_RTSP_CONNECTIONS {
                        self.counts.rtsp_over_limit += 1;
                        self.drop_conn(k);
                        return Ok(());
                    }
                    for dir in &mut conn.dirs {
                        dir.reasm.set_limits(RTSP_LIMITS);
                    }
                    let id = self.sessions.len() as u32 + 1;
                    let c = Connection { id, client, server };
                    if self.opts.json {
                        say!(
                            "{}",
                            json::Obj::new()
                                .str("type", "connection")
                                .int("conn", id)
                                .str("client", &client.to_string())
                                .str("server", &server.to_string())
                                .finish()
                        );
                    } else {
                        say!(
                            "{}: RTSP connection {id}: client {client} -> server {server}",
                            self.file
                        );
                    }
                    self.sessions.push(Session::for_connection(
                        self.opts.json,
                        self.opts.extract.clone(),
                        c,
                    ));
                    conn.state = State::Rtsp(self.sessions.len() - 1);
                }
                None => {
                    if dir.reasm.stats.bytes > DETECT_WINDOW as u64 {
                        self.drop_conn(k);
                        return Ok(());
                    }
                    let dir = &mut conn.dirs[d];
                    if dir.buf.len() > DETECT_BUFFER {
                        let drop = dir.buf.len() - MAX_LINE;
                        dir.buf.advance(drop);
                        dir.scanned += drop as u64;
                    }
                    return Ok(());
                }
            }
        }
        let State::Rtsp(s) = conn.state else {
            return Ok(());
        };
        // Both directions may now be decoded: the other may hold bytes already.
        for d in [d, 1 - d] {
            let (src, dst) = if d == 0 {
                conn.ends
            } else {
                (conn.ends.1, conn.ends.0)
            };
            let dir = &mut conn.dirs[d];
            let Some(session) = self.sessions.get_mut(s) else {
                return Ok(());
            };
            if !dir.synced {
                let from_start = dir.reasm.saw_syn && dir.scanned == 0;
                let start = if from_start {
                    Some(0)
                } else {
                    match (find_start_line(&dir.buf), find_frame_chain(&dir.buf, 2)) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    }
                };
                match start {
                    Some(at) => {
                        if at > 0 || !dir.reasm.saw_syn {
                            session.anomaly(
                                Some(dir.time),
                                "tcp",
                                format!(
                                    "{src}>{dst}: decoding starts at stream offset {} ({} bytes skipped{})",
                                    dir.scanned + at as u64,
                                    at,
                                    if dir.reasm.saw_syn { "" } else { "; capture started mid-connection" }
                                ),
                            );
                        }
                        dir.buf.advance(at);
                        dir.base = dir.scanned + at as u64;
                        dir.dec = Decoder::new();
                        dir.synced = true;
                    }
                    None => {
                        if dir.buf.len() > MAX_UNSYNCED {
                            let drop = dir.buf.len() - MAX_LINE;
                            dir.buf.advance(drop);
                            dir.scanned += drop as u64;
                        }
                        continue;
                    }
                }
            }
            let label = format!(
                "{} conn={} t={:.6}",
                if session_is_client(src, session) {
                    "C->S"
                } else {
                    "S->C"
                },
                s + 1,
                dir.time
            );
            loop {
                let Some(session) = self.sessions.get_mut(s) else {
                    return Ok(());
                };
                match dir.dec.decode(&mut dir.buf) {
                    Ok(Some(msg)) => {
                        let offset = dir.base + dir.dec.item_start();
                        let seg = Segment {
                            offset: 0,
                            label: Some(label.clone()),
                            time: Some(dir.time),
                            bytes: Vec::new(),
                        };
                        match &msg {
                            Message::Request(r) => {
                                self.counts.messages += 1;
                                print_message(self.opts, self.file, &seg, offset, &msg, None);
                                if r.method == rtsp_proto::Method::SETUP
                                    && !session.has_presentation()
                                {
                                    adopt(&mut self.sessions, s, r.uri());
                                }
                                if let Some(session) = self.sessions.get_mut(s) {
                                    session.handle_request(r, Some(dir.time));
                                }
                            }
                            Message::Response(r) => {
                                self.counts.messages += 1;
                                print_message(self.opts, self.file, &seg, offset, &msg, None);
                                session.handle_response(r, Some(dir.time));
                            }
                            Message::Data(f) => {
                                self.counts.frames_interleaved += 1;
                                session
                                    .handle_data(f.channel, &f.payload, Some(dir.time))
                                    .map_err(|e| format!("extract: {e}"))?;
                            }
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        session.anomaly(
                            Some(dir.time),
                            "decode",
                            format!(
                                "{src}>{dst}: stream offset {}: {}",
                                dir.base + e.pos,
                                e.kind
                            ),
                        );
                    }
                }
            }
        }
        Ok(())
    }

    fn udp(
        &mut self,
        time: f64,
        src: SocketAddr,
        dst: SocketAddr,
        payload: &[u8],
    ) -> Result<(), String> {
        self.counts.udp_datagrams += 1;
        for s in self.sessions.iter_mut().rev() {
            if let Some(m) = s.udp_match(src, dst) {
                self.counts.udp_attributed += 1;
                s.handle_udp(src, dst, m, payload, Some(time))
                    .map_err(|e| format!("extract: {e}"))?;
                return Ok(());
            }
        }
        let k = (src, dst);
        if self.stray_udp.len() < MAX_STRAY_FLOWS || self.stray_udp.contains_key(&k) {
            *self.stray_udp.entry(k).or_default() += 1;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), String> {
        let keys: Vec<_> = self.conns.keys().copied().collect();
        for k in keys {
            for d in 0..2 {
                let Some(conn) = self.conns.get_mut(&k) else {
                    continue;
                };
                let time = conn.dirs[d].time;
                let mut events = Vec::new();
                conn.dirs[d].reasm.finish(&mut events);
                self.events(k, d, time, events)?;
                let Some(conn) = self.conns.get_mut(&k) else {
                    continue;
                };
                let (src, dst) = if d == 0 {
                    conn.ends
                } else {
                    (conn.ends.1, conn.ends.0)
                };
                if let State::Rtsp(s) = conn.state {
                    let dir = &mut conn.dirs[d];
                    if dir.synced {
                        if let Err(e) = dir.dec.finish(&dir.buf) {
                            if let Some(session) = self.sessions.get_mut(s) {
                                session.anomaly(
                                    Some(dir.time),
                                    "tcp",
                                    format!("{src}>{dst}: capture ends inside a message (stream offset {})", dir.base + e.pos),
                                );
                            }
                        }
                    }
                    let st = dir.reasm.stats;
                    if st.duplicate_bytes > 0 || st.out_of_order > 0 {
                        if let Some(session) = self.sessions.get_mut(s) {
                            session.anomaly(
                                None,
                                "tcp",
                                format!(
                                    "{src}>{dst}: {} retransmitted/overlapping bytes dropped, {} segments out of order",
                                    st.duplicate_bytes, st.out_of_order
                                ),
                            );
                        }
                    }
                }
            }
        }
        for s in &mut self.sessions {
            s.finish().map_err(|e| format!("extract: {e}"))?;
        }
        for ((src, dst), n) in &self.stray_udp {
            self.anomalies.push(format!(
                "udp {src}>{dst}: {n} datagrams on a flow no SETUP negotiated"
            ));
        }
        if self.stray_udp.len() >= MAX_STRAY_FLOWS {
            self.anomalies.push(format!(
                "more than {MAX_STRAY_FLOWS} stray UDP flows: the rest not counted"
            ));
        }
        if self.counts.rtsp_over_limit > 0 {
            self.anomalies.push(format!(
                "{} RTSP connections over the limit of {MAX_RTSP_CONNECTIONS} ignored",
                self.counts.rtsp_over_limit
            ));
        }
        if self.counts.connections_over_limit > 0 {
            self.anomalies.push(format!(
                "{} TCP segments ignored: no room to follow their connection",
                self.counts.connections_over_limit
            ));
        }
        for (link, n) in &self.counts.unsupported_links {
            self.anomalies.push(format!(
                "{n} frames of unsupported link type {link} skipped"
            ));
        }
        for (why, n) in &self.counts.skipped {
            if *why != "not TCP/UDP over IP" {
                self.anomalies.push(format!("{n} frames skipped: {why}"));
            }
        }
        if self.sessions.is_empty() {
            self.anomalies.push("no RTSP connection found".into());
        }
        let c = &self.counts;
        if self.opts.json {
            say!(
                "{}",
                json::Obj::new()
                    .str("type", "capture")
                    .str("file", self.file)
                    .int("frames", c.frames)
                    .int("tcp_segments", c.tcp_segments)
                    .int("tcp_connections", c.connections)
                    .int("rtsp_connections", self.sessions.len() as u64)
                    .int("rtsp_messages", c.messages as u64)
                    .int("interleaved_frames", c.frames_interleaved as u64)
                    .int("udp_datagrams", c.udp_datagrams)
                    .int("udp_attributed", c.udp_attributed)
                    .finish()
            );
            for a in &self.anomalies {
                say!(
                    "{}",
                    json::Obj::new()
                        .str("type", "anomaly")
                        .str("kind", "capture")
                        .raw("t", "null")
                        .str("what", a)
                        .finish()
                );
            }
        } else {
            say!("");
            say!(
                "{}: {} frames, {} TCP connections ({} RTSP: {} messages, {} interleaved frames), {} UDP datagrams ({} attributed to a track)",
                self.file,
                c.frames,
                c.connections,
                self.sessions.len(),
                c.messages,
                c.frames_interleaved,
                c.udp_datagrams,
                c.udp_attributed
            );
            for a in &self.anomalies {
                say!("  [capture] {a}");
            }
        }
        Ok(())
    }
}

/// Gives session `s` the presentation of the latest other session that describes `url`.
fn adopt(sessions: &mut [Session], s: usize, url: &str) {
    let found = sessions
        .iter()
        .enumerate()
        .rev()
        .filter(|(i, _)| *i != s)
        .find_map(|(_, o)| Some((o.presentation_for(url)?, o.connection().map(|c| c.id))));
    if let (Some((p, from)), Some(session)) = (found, sessions.get_mut(s)) {
        session.adopt_presentation(p, from);
    }
}

fn session_is_client(src: SocketAddr, s: &Session) -> bool {
    s.connection().is_some_and(|c| c.client == src)
}

/// Inspects one capture file: returns the number of RTSP messages and interleaved frames.
pub fn inspect(opts: &Options, file: &str) -> Result<(usize, usize), String> {
    let mut i = Inspector {
        opts,
        file,
        conns: HashMap::new(),
        active: 0,
        sessions: Vec::new(),
        stray_udp: BTreeMap::new(),
        counts: Counts::default(),
        anomalies: Vec::new(),
        t0: None,
    };
    i.run()?;
    Ok((i.counts.messages, i.counts.frames_interleaved))
}
