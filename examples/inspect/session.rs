//! What the files say as one session: the SDP of the DESCRIBE response, the channels (and,
//! in a packet capture, the UDP ports) the SETUP responses negotiated, the RTP/RTCP carried
//! in the `$` frames and UDP datagrams, the request/response timeline and the anomalies.

use crate::json;
use crate::track::{Format, Track};
use rtsp_proto::header::{CSeq, Transport};
use rtsp_proto::rtcp::{Compound, RtcpPacket, ValidationMode};
use rtsp_proto::rtp::{ReceiverStats, RtpPacket, SeqUnwrapper, SeqUpdate, TimestampUnwrapper};
use rtsp_proto::sdp::{Presentation, Url};
use rtsp_proto::time::RtpClock;
use rtsp_proto::{Method, Request, Response};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Most request/response exchanges kept for the timeline.
const MAX_EXCHANGES: usize = 10_000;
/// Most anomalies kept (the rest are counted).
const MAX_ANOMALIES: usize = 1_000;
/// Most UDP bindings learned from SETUP responses.
const MAX_BINDINGS: usize = 256;
/// Most RTP streams, RTCP carriers and tracks tracked in one session; packets of further
/// ones are counted.
const MAX_STREAMS: usize = 64;
/// Sequence numbers behind the highest one for which duplicates are recognised (a bitmap
/// of this many bits per stream).
const SEEN_WINDOW: u64 = 1 << 16;

/// The extended sequence numbers received recently, for duplicate detection.
struct Seen {
    highest: Option<u64>,
    bits: Vec<u64>,
}

impl Seen {
    fn new() -> Seen {
        Seen {
            highest: None,
            bits: vec![0; (SEEN_WINDOW / 64) as usize],
        }
    }

    fn bit(&mut self, n: u64) -> (&mut u64, u64) {
        let i = (n % SEEN_WINDOW) as usize;
        let len = self.bits.len();
        (&mut self.bits[(i / 64) % len], 1 << (i % 64))
    }

    /// Records `n`; true when it was already recorded. Numbers older than the window are
    /// taken as new.
    fn insert(&mut self, n: u64) -> bool {
        let highest = *self.highest.get_or_insert(n);
        if n > highest {
            // Forget what the window moves past.
            for m in (highest + 1..n).take(SEEN_WINDOW as usize) {
                let (w, b) = self.bit(m);
                *w &= !b;
            }
            self.highest = Some(n);
            let (w, b) = self.bit(n);
            *w |= b;
            return false;
        }
        if highest - n >= SEEN_WINDOW {
            return false;
        }
        let (w, b) = self.bit(n);
        let dup = *w & b != 0;
        *w |= b;
        dup
    }
}

/// How a packet was carried: a `$` channel or a UDP flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Via {
    Channel(u8),
    Udp { src: SocketAddr, dst: SocketAddr },
}

impl Via {
    /// Adds `channel` (interleaved) or `src`/`dst` (UDP) to a JSON object.
    fn json(&self, o: json::Obj) -> json::Obj {
        match self {
            Via::Channel(c) => o.int("channel", *c),
            Via::Udp { src, dst } => o
                .str("transport", "udp")
                .str("src", &src.to_string())
                .str("dst", &dst.to_string()),
        }
    }

    fn human(&self) -> String {
        match self {
            Via::Channel(c) => format!("ch {c}"),
            Via::Udp { src, dst } => format!("udp {src}>{dst}"),
        }
    }
}

/// A pair of ports of a Transport parameter: (RTP, RTCP).
type Ports = (u16, Option<u16>);

/// The UDP flows one SETUP response negotiated, for one media.
#[derive(Debug, Clone)]
struct Binding {
    media: usize,
    /// The client's ports (`client_port`, RTSP 2.0 `dest_addr` of a PLAY session).
    client: Option<Ports>,
    /// The server's ports (`server_port`, RTSP 2.0 `src_addr`).
    server: Option<Ports>,
    /// Multicast group and ports (`destination` + `port`).
    multicast: Option<(IpAddr, Ports)>,
    /// Addresses the flows may use: the RTSP connection's ends, `destination`, `source`.
    addrs: Vec<IpAddr>,
    /// RTP and RTCP share the ports (`RTCP-mux`).
    mux: bool,
    /// Media flows from the client to the server (RECORD).
    record: bool,
}

fn port_matches(p: &Ports, port: u16) -> Option<bool> {
    if p.0 == port {
        Some(false)
    } else if p.1 == Some(port) {
        Some(true)
    } else {
        None
    }
}

impl Binding {
    /// Whether a datagram from `src` to `dst` belongs to this binding: `Some(is_rtcp)`.
    fn matches(&self, src: SocketAddr, dst: SocketAddr) -> Option<bool> {
        if let Some((group, ports)) = &self.multicast {
            if dst.ip() == *group {
                return port_matches(ports, dst.port());
            }
        }
        if !self.addrs.is_empty()
            && !self.addrs.contains(&src.ip())
            && !self.addrs.contains(&dst.ip())
        {
            return None;
        }
        let kind = match (&self.client, &self.server) {
            (Some(c), Some(s)) => {
                // Both ends known: the datagram runs between them, in either direction.
                [(src.port(), dst.port()), (dst.port(), src.port())]
                    .iter()
                    .find_map(|&(cp, sp)| {
                        let a = port_matches(c, cp)?;
                        let b = port_matches(s, sp)?;
                        (a == b).then_some(a)
                    })
            }
            (Some(p), None) | (None, Some(p)) => {
                port_matches(p, dst.port()).or_else(|| port_matches(p, src.port()))
            }
            (None, None) => None,
        }?;
        Some(kind && !self.mux)
    }

    /// Whether a datagram from `src` flows against the media direction: from the
    /// receiver's ports (NAT "punch" and keep-alive packets, such as ffmpeg's and
    /// GStreamer's right after PLAY).
    fn reverse(&self, src: SocketAddr) -> bool {
        if self.multicast.is_some() {
            return false;
        }
        let (receiver, sender) = if self.record {
            (&self.server, &self.client)
        } else {
            (&self.client, &self.server)
        };
        let from = |p: &Option<Ports>| p.is_some_and(|p| port_matches(&p, src.port()).is_some());
        from(receiver) && !from(sender)
    }
}

/// The port of `host:port` (RTSP 2.0 `dest_addr`/`src_addr`, quotes removed).
fn addr_port(a: &str) -> Option<u16> {
    a.trim_matches('"').rsplit(':').next()?.parse().ok()
}

fn addr_ports(list: &[String]) -> Option<Ports> {
    let rtp = addr_port(list.first()?)?;
    Some((rtp, list.get(1).and_then(|a| addr_port(a))))
}

fn range_ports(r: &rtsp_proto::header::PortRange) -> Ports {
    (r.start, Some(r.end.unwrap_or(r.start.saturating_add(1))))
}

/// What a SETUP says about a UDP datagram.
#[derive(Debug, Clone, Copy)]
pub struct UdpMatch {
    media: usize,
    rtcp: bool,
    /// Sent by the media's receiver (punch/keep-alive): counted, not depacketized.
    reverse: bool,
}

/// One request and its response, for the timeline.
struct Exchange {
    cseq: Option<u32>,
    time: Option<f64>,
    method: String,
    url: String,
    status: Option<(u16, String)>,
    latency: Option<f64>,
}

/// The wall-clock mapping of one RTP source, from its sender reports.
struct Clock {
    clock: RtpClock,
    reports: u64,
}

/// The RTSP connection a session was read from, in a packet capture.
#[derive(Debug, Clone, Copy)]
pub struct Connection {
    pub id: u32,
    pub client: SocketAddr,
    pub server: SocketAddr,
}

/// The request URL assumed for a DESCRIBE response seen without its request, when the
/// response has no absolute `Content-Base`/`Content-Location` either.
const UNKNOWN_URL: &str = "rtsp://unknown.invalid/";

/// What a `$` frame turned out to be, for the per-frame output.
pub enum FrameNote {
    Rtp {
        pt: u8,
        seq: u16,
        ts: u32,
        ssrc: u32,
        marker: bool,
    },
    Rtcp(Vec<&'static str>),
    Bad(String),
}

impl FrameNote {
    pub fn human(&self) -> String {
        match self {
            FrameNote::Rtp {
                pt,
                seq,
                ts,
                ssrc,
                marker,
            } => format!(
                ": RTP pt {pt} seq {seq} ts {ts} ssrc {ssrc:#010x}{}",
                if *marker { " M" } else { "" }
            ),
            FrameNote::Rtcp(types) => format!(": RTCP {}", types.join(" ")),
            FrameNote::Bad(e) => format!(": undecodable: {e}"),
        }
    }

    pub fn json(&self) -> (&'static str, String) {
        match self {
            FrameNote::Rtp {
                pt,
                seq,
                ts,
                ssrc,
                marker,
            } => (
                "rtp",
                json::Obj::new()
                    .int("payload_type", *pt)
                    .int("seq", *seq)
                    .int("timestamp", *ts)
                    .int("ssrc", *ssrc)
                    .raw("marker", if *marker { "true" } else { "false" })
                    .finish(),
            ),
            FrameNote::Rtcp(types) => {
                let mut s = String::from("[");
                for (i, t) in types.iter().enumerate() {
                    if i > 0 {
                        s.push(',');
                    }
                    json::write_str(&mut s, t);
                }
                s.push(']');
                ("rtcp", s)
            }
            FrameNote::Bad(e) => {
                let mut s = String::new();
                json::write_str(&mut s, e);
                ("error", s)
            }
        }
    }
}

/// Statistics of one RTP source on one channel.
struct Stream {
    via: Via,
    media: Option<usize>,
    ssrc: u32,
    payload_type: u8,
    clock_rate: u32,
    stats: ReceiverStats,
    packets: u64,
    bytes: u64,
    duplicates: u64,
    out_of_order: u64,
    jumps: u64,
    seen: Seen,
    seq: SeqUnwrapper,
    ts: TimestampUnwrapper,
    first_ts: Option<i64>,
    /// Flows against the media direction (not depacketized).
    reverse: bool,
    /// No SDP or static payload type gave the clock rate: 90 kHz was assumed.
    clock_assumed: bool,
    /// RTP timestamps of the first and latest packets, for the wall-clock mapping.
    first_rtp: u32,
    last_rtp: u32,
    /// Arrival times came from the capture (transcript `t=`), not the RTP timestamps.
    timed: bool,
}

/// RTCP about one SSRC: sender reports it sent, report blocks about it.
#[derive(Default, Clone, Copy)]
struct RtcpOf {
    sender_reports: u64,
    report_blocks: u64,
    /// The latest report block's cumulative loss and jitter, as the receiver saw them.
    last_block: Option<(i32, u32)>,
}

/// RTCP seen on one channel.
#[derive(Default)]
struct RtcpStats {
    compounds: u64,
    packets: BTreeMap<&'static str, u64>,
    errors: u64,
    ssrcs: Vec<u32>,
}

pub struct Session {
    json: bool,
    extract: Option<PathBuf>,
    t0: Instant,
    /// The RTSP connection, when read from a packet capture.
    conn: Option<Connection>,
    /// Requests by CSeq: method, URL and index in `exchanges`.
    requests: HashMap<u32, (Method, String, Option<usize>)>,
    exchanges: Vec<Exchange>,
    presentation: Option<Presentation>,
    /// SETUP responses since the presentation, for mapping by order.
    setups: usize,
    /// Channel → (media index, is RTCP), from SETUP responses.
    channels: BTreeMap<u8, (usize, bool)>,
    /// UDP flows, from SETUP responses.
    bindings: Vec<Binding>,
    /// An ANNOUNCE or RECORD was seen: media flows from the client.
    recording: bool,
    streams: BTreeMap<(Via, u32), Stream>,
    rtcp: BTreeMap<Via, RtcpStats>,
    tracks: BTreeMap<Via, Track>,
    /// Wall-clock mappings by SSRC, from sender reports.
    clocks: BTreeMap<u32, Clock>,
    /// RTCP by the SSRC it is from or about.
    rtcp_of: BTreeMap<u32, RtcpOf>,
    /// Frames that were neither RTP nor RTCP, by carrier.
    bad: BTreeMap<Via, (u64, String)>,
    /// Packets of streams beyond [`MAX_STREAMS`].
    untracked: u64,
    /// What was noticed: (time, kind, description).
    anomalies: Vec<(Option<f64>, &'static str, String)>,
    anomalies_dropped: u64,
}

fn media_line(i: usize, m: &rtsp_proto::sdp::MediaDescription) -> (String, String) {
    let pt = m.payload_type().map(|p| p.0);
    let fmtp = m
        .fmtp()
        .map(|f| {
            f.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(";")
        })
        .unwrap_or_default();
    let control = m.control.as_ref().map(|u| u.as_str());
    let mut human = format!(
        "    SDP media {i}: {} {}/{}",
        m.kind.as_str(),
        m.encoding_name().unwrap_or("?"),
        m.clock_rate().map_or("?".into(), |c| c.to_string())
    );
    if let Some(c) = m.channels() {
        let _ = write!(human, "/{c}");
    }
    if let Some(pt) = pt {
        let _ = write!(human, " pt {pt}");
    }
    if !fmtp.is_empty() {
        let _ = write!(human, "\n        fmtp: {fmtp}");
    }
    let _ = write!(human, "\n        control: {}", control.unwrap_or("(none)"));
    let js = json::Obj::new()
        .str("type", "sdp_media")
        .int("media", i as u64)
        .str("kind", m.kind.as_str())
        .opt_int("payload_type", pt)
        .opt_str("encoding", m.encoding_name())
        .opt_int("clock_rate", m.clock_rate())
        .opt_int("channels", m.channels())
        .str("fmtp", &fmtp)
        .opt_str("control", control)
        .finish();
    (human, js)
}

fn same_url(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

impl Session {
    pub fn new(json: bool, extract: Option<PathBuf>) -> Session {
        // Only differences from this base are used: the output does not depend on it.
        #[allow(clippy::disallowed_methods)]
        let t0 = Instant::now();
        Session {
            json,
            extract,
            t0,
            conn: None,
            requests: HashMap::new(),
            exchanges: Vec::new(),
            presentation: None,
            setups: 0,
            channels: BTreeMap::new(),
            bindings: Vec::new(),
            recording: false,
            streams: BTreeMap::new(),
            rtcp: BTreeMap::new(),
            tracks: BTreeMap::new(),
            clocks: BTreeMap::new(),
            rtcp_of: BTreeMap::new(),
            bad: BTreeMap::new(),
            untracked: 0,
            anomalies: Vec::new(),
            anomalies_dropped: 0,
        }
    }

    /// A session read from one RTSP connection of a packet capture.
    pub fn for_connection(json: bool, extract: Option<PathBuf>, conn: Connection) -> Session {
        Session {
            conn: Some(conn),
            ..Session::new(json, extract)
        }
    }

    /// The RTSP connection, in a capture.
    pub fn connection(&self) -> Option<Connection> {
        self.conn
    }

    /// This session's presentation, when `url` is the control URL of one of its media.
    pub fn presentation_for(&self, url: &str) -> Option<Presentation> {
        self.presentation
            .as_ref()
            .filter(|p| {
                p.media.iter().any(|m| {
                    m.control
                        .as_ref()
                        .is_some_and(|c| same_url(c.as_str(), url))
                })
            })
            .cloned()
    }

    /// Whether a DESCRIBE response or ANNOUNCE gave this session its media.
    pub fn has_presentation(&self) -> bool {
        self.presentation.is_some()
    }

    /// Takes the presentation described on another connection (a client that sets up
    /// on a new connection what it described on an earlier one).
    pub fn adopt_presentation(&mut self, p: Presentation, from_conn: Option<u32>) {
        let from = from_conn.map_or("another connection".into(), |c| format!("connection {c}"));
        self.anomaly(
            None,
            "session",
            format!("SETUP of media described on {from}: its SDP is used"),
        );
        self.presentation = Some(p);
        self.setups = 0;
    }

    /// Records something wrong or unusual that was noticed (a `Diagnostic`).
    pub fn anomaly(&mut self, time: Option<f64>, kind: &'static str, what: String) {
        if self.anomalies.len() < MAX_ANOMALIES {
            self.anomalies.push((time, kind, what));
        } else {
            self.anomalies_dropped += 1;
        }
    }

    /// Takes a request; `time` is its capture time in seconds, when known.
    pub fn handle_request(&mut self, r: &Request, time: Option<f64>) {
        let cseq = match r.cseq() {
            Some(Ok(CSeq(n))) => Some(n),
            _ => None,
        };
        let index = (self.exchanges.len() < MAX_EXCHANGES).then(|| {
            self.exchanges.push(Exchange {
                cseq,
                time,
                method: r.method.as_str().to_owned(),
                url: r.uri().to_owned(),
                status: None,
                latency: None,
            });
            self.exchanges.len() - 1
        });
        if let Some(n) = cseq {
            if self.requests.len() < MAX_EXCHANGES || self.requests.contains_key(&n) {
                self.requests
                    .insert(n, (r.method.clone(), r.uri().to_owned(), index));
            }
        } else {
            self.anomaly(time, "request", format!("{} without CSeq", r.method));
        }
        let is_sdp = !r.body.is_empty()
            && match r.headers.typed::<rtsp_proto::header::ContentType>() {
                Some(Ok(ct)) => ct.is_sdp(),
                _ => r.body.starts_with(b"v="),
            };
        if r.method == Method::ANNOUNCE || r.method == Method::RECORD {
            self.recording = true;
        }
        if r.method == Method::ANNOUNCE && is_sdp {
            self.handle_announce(r);
        }
    }

    /// Takes a response; `time` is its capture time in seconds, when known.
    pub fn handle_response(&mut self, r: &Response, time: Option<f64>) {
        let request = match r.cseq() {
            Some(Ok(CSeq(n))) => self.requests.get(&n).cloned(),
            _ => None,
        };
        let status = (r.status.as_u16(), r.reason().to_string());
        match request.as_ref().and_then(|(_, _, i)| *i) {
            Some(i) => {
                if let Some(x) = self.exchanges.get_mut(i) {
                    x.latency = match (x.time, time) {
                        (Some(a), Some(b)) => Some(b - a),
                        _ => None,
                    };
                    x.status = Some(status);
                }
            }
            None => {
                if self.exchanges.len() < MAX_EXCHANGES {
                    self.exchanges.push(Exchange {
                        cseq: match r.cseq() {
                            Some(Ok(CSeq(n))) => Some(n),
                            _ => None,
                        },
                        time,
                        method: String::new(),
                        url: String::new(),
                        status: Some(status),
                        latency: None,
                    });
                }
                if request.is_none() && self.conn.is_some() {
                    let what = match r.cseq() {
                        Some(Ok(CSeq(n))) => {
                            format!("response {} to unseen CSeq {n}", r.status.as_u16())
                        }
                        _ => format!("response {} without CSeq", r.status.as_u16()),
                    };
                    self.anomaly(time, "response", what);
                }
            }
        }
        let request = request.map(|(m, u, _)| (m, u));
        let is_sdp = !r.body.is_empty()
            && match r.headers.typed::<rtsp_proto::header::ContentType>() {
                Some(Ok(ct)) => ct.is_sdp(),
                _ => r.body.starts_with(b"v="),
            };
        let method = request.as_ref().map(|(m, _)| m.clone());
        if is_sdp && method.as_ref().is_none_or(|m| *m == Method::DESCRIBE) {
            self.handle_describe(request.as_ref().map(|(_, u)| u.clone()), r);
        }
        let transport = r.headers.typed::<Transport>();
        if method
            .as_ref()
            .map_or(transport.is_some(), |m| *m == Method::SETUP)
        {
            if let Some(Ok(t)) = transport {
                self.handle_setup(request.map(|(_, u)| u), &t);
            }
        }
    }

    fn handle_describe(&mut self, request_url: Option<String>, r: &Response) {
        let fallback = [
            rtsp_proto::HeaderName::CONTENT_BASE,
            rtsp_proto::HeaderName::CONTENT_LOCATION,
        ]
        .iter()
        .find_map(|h| r.headers.get(h).and_then(|v| Url::parse(v.as_str()).ok()));
        let Some(url) = request_url
            .and_then(|u| Url::parse(&u).ok())
            .or(fallback)
            .or_else(|| Url::parse(UNKNOWN_URL).ok())
        else {
            return;
        };
        self.handle_presentation(Presentation::from_describe(&url, r));
    }

    /// Takes the SDP of an ANNOUNCE request (a publisher's RECORD session).
    fn handle_announce(&mut self, r: &Request) {
        let Ok(url) = Url::parse(r.uri()) else {
            return;
        };
        self.handle_presentation(Presentation::parse(&r.body, &url));
    }

    fn handle_presentation(&mut self, p: Result<Presentation, rtsp_proto::sdp::SdpError>) {
        match p {
            Ok(p) => {
                for d in &p.diagnostics {
                    let mut what = format!("SDP: {:?}", d.kind);
                    if let Some(l) = d.line {
                        let _ = write!(what, " (line {l})");
                    }
                    if let Some(m) = d.media {
                        let _ = write!(what, " (media {m})");
                    }
                    self.anomaly(None, "sdp", what);
                }
                for (i, m) in p.media.iter().enumerate() {
                    let (human, js) = media_line(i, m);
                    if self.json {
                        match self.conn {
                            // The connection, like every line of a capture's session.
                            Some(c) => say!(
                                "{}",
                                js.replacen(
                                    r#"{"type":"sdp_media","#,
                                    &format!(r#"{{"type":"sdp_media","conn":{},"#, c.id),
                                    1
                                )
                            ),
                            None => say!("{js}"),
                        }
                    } else {
                        say!("{human}");
                    }
                }
                self.presentation = Some(p);
                self.setups = 0;
            }
            Err(e) => {
                self.anomaly(None, "sdp", format!("unusable SDP: {e}"));
                if self.json {
                    say!(
                        "{}",
                        json::Obj::new()
                            .str("type", "sdp_error")
                            .str("error", &e.to_string())
                            .finish()
                    );
                } else {
                    say!("    SDP: unusable: {e}");
                }
            }
        }
    }

    fn handle_setup(&mut self, request_url: Option<String>, t: &Transport) {
        let n_media = self.presentation.as_ref().map_or(0, |p| p.media.len());
        let by_url = request_url.and_then(|u| {
            self.presentation.as_ref().and_then(|p| {
                p.media
                    .iter()
                    .position(|m| m.control.as_ref().is_some_and(|c| same_url(c.as_str(), &u)))
            })
        });
        // Without a presentation (a capture that starts after DESCRIBE), media are
        // numbered in SETUP order and their format taken from static payload types.
        let media = by_url
            .or((self.setups < n_media || self.presentation.is_none()).then_some(self.setups));
        self.setups += 1;
        let Some(m) = media else {
            return;
        };
        // The server answers with the one transport it chose (the first, if several).
        let Some(spec) = t.0.first() else {
            return;
        };
        if let Some(range) = spec.interleaved {
            self.channels.insert(range.start, (m, false));
            let rtcp = range.end.unwrap_or(range.start.saturating_add(1));
            if rtcp != range.start {
                self.channels.insert(rtcp, (m, true));
            }
            return;
        }
        if spec.is_tcp() {
            return;
        }
        let mut addrs = Vec::new();
        if let Some(c) = &self.conn {
            addrs.extend([c.client.ip(), c.server.ip()]);
        }
        for a in [&spec.destination, &spec.source].into_iter().flatten() {
            if let Ok(ip) = a.trim_matches(['[', ']']).parse::<IpAddr>() {
                addrs.push(ip);
            }
        }
        let destination = spec
            .destination
            .as_deref()
            .and_then(|a| a.trim_matches(['[', ']']).parse::<IpAddr>().ok());
        let multicast = match (
            destination,
            spec.port.as_ref().or(spec.client_port.as_ref()),
        ) {
            (Some(group), Some(p)) if group.is_multicast() || spec.is_multicast() => {
                Some((group, range_ports(p)))
            }
            _ => None,
        };
        let binding = Binding {
            media: m,
            client: spec
                .client_port
                .as_ref()
                .map(range_ports)
                .or_else(|| addr_ports(&spec.dest_addr)),
            server: spec
                .server_port
                .as_ref()
                .map(range_ports)
                .or_else(|| addr_ports(&spec.src_addr)),
            multicast,
            addrs,
            mux: spec.rtcp_mux,
            record: spec.is_record() || self.recording,
        };
        if binding.client.is_none() && binding.server.is_none() && binding.multicast.is_none() {
            self.anomaly(
                None,
                "setup",
                format!("SETUP of media {m}: no ports in Transport"),
            );
            return;
        }
        if self.bindings.len() < MAX_BINDINGS {
            self.bindings.push(binding);
        }
    }

    /// The media of a UDP datagram, whether it is RTCP and whether it flows against the
    /// media direction, when a SETUP negotiated its flow. The latest SETUP wins.
    pub fn udp_match(&self, src: SocketAddr, dst: SocketAddr) -> Option<UdpMatch> {
        self.bindings.iter().rev().find_map(|b| {
            Some(UdpMatch {
                media: b.media,
                rtcp: b.matches(src, dst)?,
                reverse: b.reverse(src),
            })
        })
    }

    /// The media of a channel and whether the channel carries RTCP: from SETUP, else
    /// channels 2n/2n+1 for the n-th media (when that media was not set up elsewhere).
    fn media_of(&self, channel: u8) -> (Option<usize>, bool) {
        if let Some(&(m, rtcp)) = self.channels.get(&channel) {
            return (Some(m), rtcp);
        }
        let n = usize::from(channel / 2);
        let exists = self
            .presentation
            .as_ref()
            .is_some_and(|p| n < p.media.len());
        let taken = self.channels.values().any(|&(m, _)| m == n);
        ((exists && !taken).then_some(n), channel % 2 == 1)
    }

    /// Takes one `$` frame; `time` is its capture time in seconds, when known.
    pub fn handle_data(
        &mut self,
        channel: u8,
        payload: &[u8],
        time: Option<f64>,
    ) -> std::io::Result<FrameNote> {
        let (media, rtcp_channel) = self.media_of(channel);
        self.handle_packet(
            Via::Channel(channel),
            media,
            rtcp_channel,
            true,
            payload,
            time,
        )
    }

    /// Takes one UDP datagram of a flow [`Session::udp_match`] attributed to `media`.
    pub fn handle_udp(
        &mut self,
        src: SocketAddr,
        dst: SocketAddr,
        m: UdpMatch,
        payload: &[u8],
        time: Option<f64>,
    ) -> std::io::Result<FrameNote> {
        let via = Via::Udp { src, dst };
        self.handle_packet(via, Some(m.media), m.rtcp, !m.reverse, payload, time)
    }

    fn handle_packet(
        &mut self,
        via: Via,
        media: Option<usize>,
        rtcp_flow: bool,
        depacketize: bool,
        payload: &[u8],
        time: Option<f64>,
    ) -> std::io::Result<FrameNote> {
        let looks_rtcp = payload.get(1).is_some_and(|b| (200..=206).contains(b));
        if rtcp_flow || looks_rtcp {
            return Ok(self.handle_rtcp(via, media, payload));
        }
        let pkt = match RtpPacket::parse(payload) {
            Ok(p) => p,
            Err(e) => {
                let msg = e.to_string();
                if self.bad.len() < MAX_STREAMS || self.bad.contains_key(&via) {
                    let entry = self.bad.entry(via).or_insert((0, msg.clone()));
                    entry.0 += 1;
                } else {
                    self.untracked += 1;
                }
                return Ok(FrameNote::Bad(msg));
            }
        };
        let note = FrameNote::Rtp {
            pt: pkt.payload_type().get(),
            seq: pkt.sequence_number(),
            ts: pkt.timestamp(),
            ssrc: pkt.ssrc().0,
            marker: pkt.marker(),
        };
        let format = self.format_of(media, pkt.payload_type().get());
        let known_rate = format
            .as_ref()
            .and_then(|f| f.clock_rate)
            .filter(|&c| c > 0);
        let clock_rate = known_rate.unwrap_or(90_000);
        let ssrc = pkt.ssrc().0;
        if !self.streams.contains_key(&(via, ssrc))
            && (self.streams.len() >= MAX_STREAMS || self.tracks.len() >= MAX_STREAMS)
        {
            self.untracked += 1;
            return Ok(note);
        }
        let stream = self.streams.entry((via, ssrc)).or_insert_with(|| Stream {
            via,
            media,
            ssrc,
            payload_type: pkt.payload_type().get(),
            clock_rate,
            stats: ReceiverStats::new(pkt.ssrc(), clock_rate),
            packets: 0,
            bytes: 0,
            duplicates: 0,
            out_of_order: 0,
            jumps: 0,
            seen: Seen::new(),
            seq: SeqUnwrapper::new(),
            ts: TimestampUnwrapper::new(),
            first_ts: None,
            first_rtp: pkt.timestamp(),
            last_rtp: pkt.timestamp(),
            reverse: !depacketize,
            clock_assumed: known_rate.is_none(),
            timed: time.is_some(),
        });
        stream.packets += 1;
        stream.bytes += pkt.payload().len() as u64;
        stream.last_rtp = pkt.timestamp();
        // Arrival time: the capture's when the transcript has one, else exactly on
        // schedule (then the jitter is 0: there is nothing to measure it against).
        let ts = stream.ts.unwrap(pkt.timestamp());
        let first = *stream.first_ts.get_or_insert(ts);
        let arrival = match time {
            Some(t) => Duration::try_from_secs_f64(t).unwrap_or_default(),
            None => Duration::try_from_secs_f64(
                (ts - first).max(0) as f64 / f64::from(stream.clock_rate),
            )
            .unwrap_or_default(),
        };
        // A capture's timestamps are whatever its file says: never overflow the clock.
        let now = self.t0.checked_add(arrival).unwrap_or(self.t0);
        let update = stream.stats.handle_rtp(now, &pkt);
        let duplicate = match stream.seq.unwrap(pkt.sequence_number()) {
            Some(ext) => stream.seen.insert(ext.0),
            None => false,
        };
        if duplicate {
            stream.duplicates += 1;
        } else if matches!(update, SeqUpdate::Late { .. }) {
            stream.out_of_order += 1;
        } else if matches!(update, SeqUpdate::Jump | SeqUpdate::Restart { .. }) {
            stream.jumps += 1;
            let what = format!(
                "{} ssrc {ssrc:#010x}: sequence jumped to {} ({update:?})",
                via.human(),
                pkt.sequence_number()
            );
            self.anomaly(time, "rtp", what);
        }
        if duplicate || !depacketize {
            return Ok(note);
        }
        if !self.tracks.contains_key(&via) {
            let index = match via {
                Via::Channel(c) => media.unwrap_or(usize::from(c / 2)),
                Via::Udp { .. } => media.unwrap_or(0),
            };
            // A second carrier of the same media (the other direction of a UDP flow, a
            // second SETUP) gets its own files.
            let others = self.tracks.values().filter(|t| t.index == index).count();
            let mut prefix = self.file_prefix();
            if others > 0 {
                let _ = write!(prefix, "alt{others}_");
            }
            let track = Track::new(index, via, media, format, self.extract.as_deref(), &prefix)?;
            self.tracks.insert(via, track);
        }
        if let Some(t) = self.tracks.get_mut(&via) {
            t.push(&pkt)?;
        }
        Ok(note)
    }

    /// The payload format of `media`, or of a static payload type.
    fn format_of(&self, media: Option<usize>, pt: u8) -> Option<Format> {
        media
            .and_then(|m| self.presentation.as_ref()?.media.get(m))
            .and_then(Format::from_media)
            .or_else(|| Format::from_static_payload_type(pt))
    }

    /// What extracted files of this session start with: `conn<N>_` in a capture.
    fn file_prefix(&self) -> String {
        self.conn
            .map(|c| format!("conn{}_", c.id))
            .unwrap_or_default()
    }

    fn handle_rtcp(&mut self, via: Via, media: Option<usize>, payload: &[u8]) -> FrameNote {
        let media_rate = self
            .format_of(media, 255)
            .and_then(|f| f.clock_rate)
            .filter(|&c| c > 0);
        if !self.rtcp.contains_key(&via) && self.rtcp.len() >= MAX_STREAMS {
            self.untracked += 1;
            return FrameNote::Rtcp(Vec::new());
        }
        let stats = self.rtcp.entry(via).or_default();
        let compound = match Compound::parse(payload, ValidationMode::ReducedSize) {
            Ok(c) => c,
            Err(e) => {
                stats.errors += 1;
                return FrameNote::Bad(format!("RTCP: {e}"));
            }
        };
        stats.compounds += 1;
        let mut types = Vec::new();
        let mut reports = Vec::new();
        let mut blocks = Vec::new();
        for p in compound {
            let name = match p {
                Ok(RtcpPacket::SenderReport(sr)) => {
                    if !stats.ssrcs.contains(&sr.ssrc.0) && stats.ssrcs.len() < MAX_STREAMS {
                        stats.ssrcs.push(sr.ssrc.0);
                    }
                    reports.push((sr.ssrc.0, sr.info.ntp, sr.info.rtp_timestamp));
                    blocks.extend(
                        sr.report_blocks
                            .iter()
                            .map(|b| (b.ssrc.0, b.cumulative_lost, b.jitter)),
                    );
                    "SR"
                }
                Ok(RtcpPacket::ReceiverReport(rr)) => {
                    if !stats.ssrcs.contains(&rr.ssrc.0) && stats.ssrcs.len() < MAX_STREAMS {
                        stats.ssrcs.push(rr.ssrc.0);
                    }
                    blocks.extend(
                        rr.report_blocks
                            .iter()
                            .map(|b| (b.ssrc.0, b.cumulative_lost, b.jitter)),
                    );
                    "RR"
                }
                Ok(RtcpPacket::SourceDescription(_)) => "SDES",
                Ok(RtcpPacket::Goodbye(_)) => "BYE",
                Ok(RtcpPacket::App(_)) => "APP",
                Ok(RtcpPacket::Nack(_)) => "NACK",
                Ok(RtcpPacket::Pli(_)) => "PLI",
                Ok(RtcpPacket::Fir(_)) => "FIR",
                Ok(RtcpPacket::Feedback(_)) => "FB",
                Ok(RtcpPacket::ExtendedReport(_)) => "XR",
                Ok(_) => "other",
                Err(_) => {
                    stats.errors += 1;
                    "invalid"
                }
            };
            *stats.packets.entry(name).or_default() += 1;
            types.push(name);
        }
        for (ssrc, lost, jitter) in blocks {
            if self.rtcp_of.contains_key(&ssrc) || self.rtcp_of.len() < MAX_STREAMS {
                let r = self.rtcp_of.entry(ssrc).or_default();
                r.report_blocks += 1;
                r.last_block = Some((lost, jitter));
            }
        }
        for (ssrc, ntp, rtp) in reports {
            if self.rtcp_of.contains_key(&ssrc) || self.rtcp_of.len() < MAX_STREAMS {
                self.rtcp_of.entry(ssrc).or_default().sender_reports += 1;
            }
            if !self.clocks.contains_key(&ssrc) && self.clocks.len() >= MAX_STREAMS {
                continue;
            }
            let rate = self
                .streams
                .values()
                .find(|s| s.ssrc == ssrc)
                .map(|s| s.clock_rate)
                .or(media_rate)
                .unwrap_or(90_000);
            let c = self.clocks.entry(ssrc).or_insert_with(|| Clock {
                clock: RtpClock::new(rate),
                reports: 0,
            });
            c.clock.handle_sender_report(ntp, rtp);
            c.reports += 1;
        }
        FrameNote::Rtcp(types)
    }

    /// Completes the tracks, notes what is still wrong at the end, and prints the summary.
    pub fn finish(&mut self) -> std::io::Result<()> {
        for t in self.tracks.values_mut() {
            t.finish()?;
        }
        let mut late = Vec::new();
        for x in &self.exchanges {
            if x.status.is_none() {
                late.push((
                    x.time,
                    "request",
                    format!(
                        "{} {} (CSeq {}) never answered",
                        x.method,
                        x.url,
                        x.cseq.map_or("-".into(), |c| c.to_string())
                    ),
                ));
            } else if let Some((code, reason)) = x
                .status
                .as_ref()
                .filter(|(c, _)| *c >= 400 && !x.method.is_empty())
            {
                late.push((
                    x.time,
                    "response",
                    format!("{} {} answered {code} {reason}", x.method, x.url),
                ));
            }
        }
        for s in self.streams.values() {
            if s.stats.lost() > 0 || s.duplicates > 0 || s.out_of_order > 0 {
                late.push((
                    None,
                    "rtp",
                    format!(
                        "{} ssrc {:#010x}: {} lost, {} duplicates, {} out of order",
                        s.via.human(),
                        s.ssrc,
                        s.stats.lost(),
                        s.duplicates,
                        s.out_of_order
                    ),
                ));
            }
        }
        for st in self
            .streams
            .values()
            .filter(|st| st.clock_assumed && !st.reverse)
        {
            late.push((
                None,
                "rtp",
                format!(
                    "{} ssrc {:#010x}: payload type {} unknown (no SDP): 90 kHz assumed, jitter may be off",
                    st.via.human(),
                    st.ssrc,
                    st.payload_type
                ),
            ));
        }
        for (via, (n, e)) in &self.bad {
            late.push((
                None,
                "rtp",
                format!("{}: {n} undecodable packets (first: {e})", via.human()),
            ));
        }
        for (via, r) in &self.rtcp {
            if r.errors > 0 {
                late.push((
                    None,
                    "rtcp",
                    format!("{}: {} invalid RTCP packets", via.human(), r.errors),
                ));
            }
        }
        for t in self.tracks.values() {
            if let Some(e) = &t.stats.first_error {
                late.push((
                    None,
                    "depacketizer",
                    format!(
                        "track {} ({}): {} errors, first: {e}",
                        t.index,
                        t.encoding(),
                        t.stats.errors
                    ),
                ));
            }
            if let Some(e) = &t.config_error {
                late.push((None, "depacketizer", format!("track {}: {e}", t.index)));
            }
        }
        if self.untracked > 0 {
            late.push((
                None,
                "limit",
                format!(
                    "{} packets of streams over the limit of {MAX_STREAMS} not tracked",
                    self.untracked
                ),
            ));
        }
        for (t, k, w) in late {
            self.anomaly(t, k, w);
        }
        if self.json {
            self.print_json();
        } else {
            self.print_human();
        }
        Ok(())
    }

    /// A summary JSON line of type `ty`, with the connection in a capture.
    fn obj(&self, ty: &str) -> json::Obj {
        let o = json::Obj::new().str("type", ty);
        match self.conn {
            Some(c) => o.int("conn", c.id),
            None => o,
        }
    }

    /// The wall-clock times of a stream's first and latest packets, from its SRs.
    fn wall_clock(&self, s: &Stream) -> Option<(String, String, &Clock)> {
        let c = self.clocks.get(&s.ssrc)?;
        let first = c.clock.wall_clock(s.first_rtp)?.to_unix()?;
        let last = c.clock.wall_clock(s.last_rtp)?.to_unix()?;
        Some((utc(first), utc(last), c))
    }

    fn print_json(&self) {
        for x in &self.exchanges {
            let mut o = self
                .obj("exchange")
                .opt_int("cseq", x.cseq)
                .str("method", &x.method)
                .str("url", &x.url);
            o = match x.time {
                Some(t) => o.num("t", t),
                None => o.raw("t", "null"),
            };
            o = o
                .opt_int("status", x.status.as_ref().map(|(c, _)| *c))
                .opt_str("reason", x.status.as_ref().map(|(_, r)| r.as_str()));
            o = match x.latency {
                Some(l) => o.num("latency_ms", l * 1e3),
                None => o.raw("latency_ms", "null"),
            };
            say!("{}", o.finish());
        }
        for s in self.streams.values() {
            let mut o = s
                .via
                .json(self.obj("rtp_stream"))
                .opt_int("media", s.media.map(|m| m as u64))
                .int("ssrc", s.ssrc)
                .int("payload_type", s.payload_type)
                .int("clock_rate", s.clock_rate)
                .int("packets", s.packets)
                .int("bytes", s.bytes)
                .int("expected", s.stats.expected())
                .int("lost", s.stats.lost())
                .int("duplicates", s.duplicates)
                .int("out_of_order", s.out_of_order)
                .int("seq_jumps", s.jumps)
                .int("jitter", s.stats.jitter())
                .num("jitter_ms", s.stats.jitter_duration().as_secs_f64() * 1e3)
                .str("arrival_times", if s.timed { "capture" } else { "none" });
            if matches!(s.via, Via::Udp { .. }) {
                o = o.raw("reverse", if s.reverse { "true" } else { "false" });
            }
            let r = self.rtcp_of.get(&s.ssrc).copied().unwrap_or_default();
            o = o
                .int("rtcp_sr", r.sender_reports)
                .int("rtcp_report_blocks", r.report_blocks);
            if let Some((lost, jitter)) = r.last_block {
                o = o.int("reported_lost", lost).int("reported_jitter", jitter);
            }
            if let Some((first, last, c)) = self.wall_clock(s) {
                o = o
                    .int("sender_reports", c.reports)
                    .str("first_wall_clock", &first)
                    .str("last_wall_clock", &last)
                    .num("clock_rate_estimate", c.clock.rate());
            }
            say!("{}", o.finish());
        }
        for (via, r) in &self.rtcp {
            let mut o = via
                .json(self.obj("rtcp"))
                .int("compounds", r.compounds)
                .int("packets", r.packets.values().sum::<u64>());
            for (name, n) in &r.packets {
                o = o.int(&name.to_ascii_lowercase(), *n);
            }
            let ssrcs = r
                .ssrcs
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(",");
            o = o
                .int("errors", r.errors)
                .raw("ssrcs", &format!("[{ssrcs}]"));
            say!("{}", o.finish());
        }
        for (via, (n, e)) in &self.bad {
            say!(
                "{}",
                via.json(self.obj("undecodable_frames"))
                    .int("count", *n)
                    .str("first_error", e)
                    .finish()
            );
        }
        for t in self.tracks.values() {
            let s = &t.stats;
            let mut o = t
                .via
                .json(self.obj("track").int("track", t.index as u64))
                .opt_int("media", t.media.map(|m| m as u64))
                .str("encoding", t.encoding())
                .opt_int("clock_rate", t.format.as_ref().and_then(|f| f.clock_rate))
                .int("packets", t.packets)
                .raw(
                    "depacketized",
                    if t.depacketized() { "true" } else { "false" },
                );
            if t.depacketized() {
                o = o
                    .int("frames", s.frames)
                    .int("keyframes", s.keyframes)
                    .int("bytes", s.bytes)
                    .opt_int("min_frame", s.min.map(|n| n as u64))
                    .opt_int("max_frame", s.max.map(|n| n as u64))
                    .int("frames_after_loss", s.after_loss)
                    .int("errors", s.errors)
                    .opt_str("first_error", s.first_error.as_deref());
            }
            if let Some(e) = &t.config_error {
                o = o.str("config_error", e);
            }
            say!("{}", o.finish());
        }
        for t in self.tracks.values() {
            if let Some(s) = &t.sink {
                say!(
                    "{}",
                    t.via
                        .json(self.obj("extract").int("track", t.index as u64))
                        .str("encoding", t.encoding())
                        .str("path", &s.path.display().to_string())
                        .str("ffmpeg_format", &s.ffmpeg_format)
                        .int("files", s.files)
                        .int("frames", s.frames)
                        .int("skipped", s.skipped)
                        .int("bytes", s.bytes)
                        .finish()
                );
            } else if let Some(why) = t.no_extract.filter(|_| self.extract.is_some()) {
                say!(
                    "{}",
                    t.via
                        .json(self.obj("extract").int("track", t.index as u64))
                        .str("encoding", t.encoding())
                        .raw("path", "null")
                        .str("reason", why)
                        .finish()
                );
            }
        }
        for (t, kind, what) in &self.anomalies {
            let o = self.obj("anomaly").str("kind", kind);
            let o = match t {
                Some(t) => o.num("t", *t),
                None => o.raw("t", "null"),
            };
            say!("{}", o.str("what", what).finish());
        }
        if self.anomalies_dropped > 0 {
            say!(
                "{}",
                self.obj("anomaly")
                    .str("kind", "limit")
                    .raw("t", "null")
                    .str(
                        "what",
                        &format!("{} more anomalies not kept", self.anomalies_dropped)
                    )
                    .finish()
            );
        }
    }

    fn print_human(&self) {
        if let Some(c) = &self.conn {
            say!("");
            say!(
                "=== RTSP connection {}: client {} -> server {} ===",
                c.id,
                c.client,
                c.server
            );
        }
        if !self.exchanges.is_empty()
            && (self.conn.is_some() || self.exchanges.iter().any(|x| x.time.is_some()))
        {
            say!("");
            say!("Timeline:");
            for x in &self.exchanges {
                let t = x.time.map_or("       -".into(), |t| format!("{t:8.3}"));
                let status = x
                    .status
                    .as_ref()
                    .map_or("(no response)".into(), |(c, r)| format!("{c} {r}"));
                let latency = x
                    .latency
                    .map(|l| format!("  {:.1} ms", l * 1e3))
                    .unwrap_or_default();
                let request = if x.method.is_empty() {
                    "(request not seen)".to_owned()
                } else {
                    format!("{} {}", x.method, x.url)
                };
                say!("  {t}s  {request}  -> {status}{latency}");
            }
        }
        if let (Some(_), Some(p)) = (&self.conn, &self.presentation) {
            say!("");
            say!("SDP media:");
            for (i, m) in p.media.iter().enumerate() {
                let (human, _) = media_line(i, m);
                say!(
                    "{}",
                    human
                        .replacen("    SDP media ", "  media ", 1)
                        .replace("\n        ", "\n      ")
                );
            }
        }
        self.print_human_media();
        if !self.anomalies.is_empty() {
            say!("Anomalies:");
            for (t, kind, what) in &self.anomalies {
                let t = t.map(|t| format!(" at {t:.3}s")).unwrap_or_default();
                say!("  [{kind}]{t} {what}");
            }
            if self.anomalies_dropped > 0 {
                say!("  ... and {} more", self.anomalies_dropped);
            }
        }
    }

    fn print_human_media(&self) {
        if self.streams.is_empty() && self.rtcp.is_empty() && self.bad.is_empty() {
            return;
        }
        let width = self
            .streams
            .values()
            .map(|s| s.via.human().len())
            .chain(self.tracks.values().map(|t| t.via.human().len()))
            .max()
            .unwrap_or(4)
            .max(3);
        say!("");
        say!("RTP streams:");
        say!(
            "  {:<width$} {:>10} {:>3} {:>8} {:>10} {:>5} {:>4} {:>4} {:>7} {:>9}",
            "via",
            "ssrc",
            "pt",
            "packets",
            "bytes",
            "lost",
            "dup",
            "ooo",
            "jitter",
            "jitter_ms"
        );
        for s in self.streams.values() {
            say!(
                "  {:<width$} {:#010x} {:>3} {:>8} {:>10} {:>5} {:>4} {:>4} {:>7} {:>9.3}{}",
                s.via.human(),
                s.ssrc,
                s.payload_type,
                s.packets,
                s.bytes,
                s.stats.lost(),
                s.duplicates,
                s.out_of_order,
                s.stats.jitter(),
                s.stats.jitter_duration().as_secs_f64() * 1e3,
                if s.timed { "" } else { " (no arrival times)" }
            );
            if s.reverse {
                say!(
                    "  {:<width$}   from the receiver (punch/keep-alive): not depacketized",
                    ""
                );
            }
            if let Some(r) = self.rtcp_of.get(&s.ssrc) {
                let last = r
                    .last_block
                    .map(|(l, j)| format!(" (latest: lost {l}, jitter {j})"))
                    .unwrap_or_default();
                say!(
                    "  {:<width$}   RTCP: {} SR from it, {} report blocks about it{last}",
                    "",
                    r.sender_reports,
                    r.report_blocks
                );
            }
            if let Some((first, last, c)) = self.wall_clock(s) {
                say!(
                    "  {:<width$}   wall clock {first} .. {last} ({} SR, {:.1} Hz)",
                    "",
                    c.reports,
                    c.clock.rate()
                );
            }
        }
        for (via, (n, e)) in &self.bad {
            say!("  {}: {n} undecodable frames (first: {e})", via.human());
        }
        if !self.rtcp.is_empty() {
            say!("RTCP:");
            for (via, r) in &self.rtcp {
                let kinds = r
                    .packets
                    .iter()
                    .map(|(k, n)| format!("{k} {n}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                say!(
                    "  {}: {} compound packets ({kinds}), {} errors",
                    via.human(),
                    r.compounds,
                    r.errors
                );
            }
        }
        if !self.tracks.is_empty() {
            say!("Tracks:");
            say!(
                "  {:>5} {:<width$} {:<14} {:>8} {:>7} {:>9} {:>10} {:>7} {:>7} {:>6}",
                "track",
                "via",
                "encoding",
                "packets",
                "frames",
                "keyframes",
                "bytes",
                "min",
                "max",
                "errors"
            );
            for t in self.tracks.values() {
                let s = &t.stats;
                if t.depacketized() {
                    say!(
                        "  {:>5} {:<width$} {:<14} {:>8} {:>7} {:>9} {:>10} {:>7} {:>7} {:>6}",
                        t.index,
                        t.via.human(),
                        t.encoding(),
                        t.packets,
                        s.frames,
                        s.keyframes,
                        s.bytes,
                        s.min.unwrap_or(0),
                        s.max.unwrap_or(0),
                        s.errors
                    );
                } else {
                    say!(
                        "  {:>5} {:<width$} {:<14} {:>8} (not depacketized{})",
                        t.index,
                        t.via.human(),
                        t.encoding(),
                        t.packets,
                        t.config_error
                            .as_deref()
                            .map(|e| format!(": {e}"))
                            .unwrap_or_default()
                    );
                }
                if let Some(e) = &s.first_error {
                    say!("        first error: {e}");
                }
            }
        }
        for t in self.tracks.values() {
            if let Some(s) = &t.sink {
                say!(
                    "wrote {} ({} frames, {} bytes{}; ffmpeg {} -i FILE)",
                    s.path.display(),
                    s.frames,
                    s.bytes,
                    if s.skipped > 0 {
                        format!(", {} frames skipped", s.skipped)
                    } else {
                        String::new()
                    },
                    s.ffmpeg_format
                );
            } else if let Some(why) = t.no_extract.filter(|_| self.extract.is_some()) {
                say!("not extracted: track {} ({}): {why}", t.index, t.encoding());
            }
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` of a time since the Unix epoch.
fn utc(d: Duration) -> String {
    let secs = d.as_secs();
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60,
        d.subsec_millis()
    )
}
