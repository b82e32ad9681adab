//! What the files say as one session: the SDP of the DESCRIBE response, the channels the
//! SETUP responses negotiated, and the RTP/RTCP carried in the `$` frames.

use crate::json;
use crate::track::{Format, Track};
use rtsp_proto::header::{CSeq, Transport};
use rtsp_proto::rtcp::{Compound, RtcpPacket, ValidationMode};
use rtsp_proto::rtp::{ReceiverStats, RtpPacket, SeqUnwrapper, SeqUpdate, TimestampUnwrapper};
use rtsp_proto::sdp::{Presentation, Url};
use rtsp_proto::{Method, Request, Response};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

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
    channel: u8,
    ssrc: u32,
    payload_type: u8,
    clock_rate: u32,
    stats: ReceiverStats,
    packets: u64,
    bytes: u64,
    duplicates: u64,
    out_of_order: u64,
    jumps: u64,
    seen: HashSet<u64>,
    seq: SeqUnwrapper,
    ts: TimestampUnwrapper,
    first_ts: Option<i64>,
    /// Arrival times came from the capture (transcript `t=`), not the RTP timestamps.
    timed: bool,
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
    /// Requests by CSeq: method and URL.
    requests: HashMap<u32, (Method, String)>,
    presentation: Option<Presentation>,
    /// SETUP responses since the presentation, for mapping by order.
    setups: usize,
    /// Channel → (media index, is RTCP), from SETUP responses.
    channels: BTreeMap<u8, (usize, bool)>,
    streams: BTreeMap<(u8, u32), Stream>,
    rtcp: BTreeMap<u8, RtcpStats>,
    tracks: BTreeMap<u8, Track>,
    /// `$` frames that were neither RTP nor RTCP, by channel.
    bad: BTreeMap<u8, (u64, String)>,
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
            requests: HashMap::new(),
            presentation: None,
            setups: 0,
            channels: BTreeMap::new(),
            streams: BTreeMap::new(),
            rtcp: BTreeMap::new(),
            tracks: BTreeMap::new(),
            bad: BTreeMap::new(),
        }
    }

    pub fn handle_request(&mut self, r: &Request) {
        if let Some(Ok(CSeq(n))) = r.cseq() {
            self.requests
                .insert(n, (r.method.clone(), r.uri().to_owned()));
        }
    }

    pub fn handle_response(&mut self, r: &Response) {
        let request = match r.cseq() {
            Some(Ok(CSeq(n))) => self.requests.get(&n).cloned(),
            _ => None,
        };
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
        match Presentation::from_describe(&url, r) {
            Ok(p) => {
                for (i, m) in p.media.iter().enumerate() {
                    let (human, js) = media_line(i, m);
                    if self.json {
                        say!("{js}");
                    } else {
                        say!("{human}");
                    }
                }
                self.presentation = Some(p);
                self.setups = 0;
            }
            Err(e) => {
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
        let Some(range) = t.0.iter().find_map(|s| s.interleaved) else {
            return;
        };
        let n_media = self.presentation.as_ref().map_or(0, |p| p.media.len());
        let by_url = request_url.and_then(|u| {
            self.presentation.as_ref().and_then(|p| {
                p.media
                    .iter()
                    .position(|m| m.control.as_ref().is_some_and(|c| same_url(c.as_str(), &u)))
            })
        });
        let media = by_url.or((self.setups < n_media).then_some(self.setups));
        self.setups += 1;
        if let Some(m) = media {
            self.channels.insert(range.start, (m, false));
            let rtcp = range.end.unwrap_or(range.start.saturating_add(1));
            if rtcp != range.start {
                self.channels.insert(rtcp, (m, true));
            }
        }
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
        let looks_rtcp = payload.get(1).is_some_and(|b| (200..=206).contains(b));
        if rtcp_channel || looks_rtcp {
            return Ok(self.handle_rtcp(channel, payload));
        }
        let pkt = match RtpPacket::parse(payload) {
            Ok(p) => p,
            Err(e) => {
                let msg = e.to_string();
                let entry = self.bad.entry(channel).or_insert((0, msg.clone()));
                entry.0 += 1;
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
        let media_desc = media.and_then(|m| self.presentation.as_ref()?.media.get(m));
        let format = media_desc
            .and_then(Format::from_media)
            .or_else(|| Format::from_static_payload_type(pkt.payload_type().get()));
        let clock_rate = format
            .as_ref()
            .and_then(|f| f.clock_rate)
            .filter(|&c| c > 0)
            .unwrap_or(90_000);
        let ssrc = pkt.ssrc().0;
        let stream = self
            .streams
            .entry((channel, ssrc))
            .or_insert_with(|| Stream {
                channel,
                ssrc,
                payload_type: pkt.payload_type().get(),
                clock_rate,
                stats: ReceiverStats::new(pkt.ssrc(), clock_rate),
                packets: 0,
                bytes: 0,
                duplicates: 0,
                out_of_order: 0,
                jumps: 0,
                seen: HashSet::new(),
                seq: SeqUnwrapper::new(),
                ts: TimestampUnwrapper::new(),
                first_ts: None,
                timed: time.is_some(),
            });
        stream.packets += 1;
        stream.bytes += pkt.payload().len() as u64;
        // Arrival time: the capture's when the transcript has one, else exactly on
        // schedule (then the jitter is 0: there is nothing to measure it against).
        let ts = stream.ts.unwrap(pkt.timestamp());
        let first = *stream.first_ts.get_or_insert(ts);
        let arrival = match time {
            Some(t) if t.is_finite() && t >= 0.0 => Duration::from_secs_f64(t),
            _ => Duration::from_secs_f64((ts - first).max(0) as f64 / f64::from(stream.clock_rate)),
        };
        let update = stream.stats.handle_rtp(self.t0 + arrival, &pkt);
        let duplicate = match stream.seq.unwrap(pkt.sequence_number()) {
            Some(ext) => !stream.seen.insert(ext.0),
            None => false,
        };
        if duplicate {
            stream.duplicates += 1;
        } else if matches!(update, SeqUpdate::Late { .. }) {
            stream.out_of_order += 1;
        } else if matches!(update, SeqUpdate::Jump | SeqUpdate::Restart { .. }) {
            stream.jumps += 1;
        }
        if duplicate {
            return Ok(note);
        }
        if !self.tracks.contains_key(&channel) {
            let index = media.unwrap_or(usize::from(channel / 2));
            let track = Track::new(index, channel, media, format, self.extract.as_deref())?;
            self.tracks.insert(channel, track);
        }
        if let Some(t) = self.tracks.get_mut(&channel) {
            t.push(&pkt)?;
        }
        Ok(note)
    }

    fn handle_rtcp(&mut self, channel: u8, payload: &[u8]) -> FrameNote {
        let stats = self.rtcp.entry(channel).or_default();
        let compound = match Compound::parse(payload, ValidationMode::ReducedSize) {
            Ok(c) => c,
            Err(e) => {
                stats.errors += 1;
                return FrameNote::Bad(format!("RTCP: {e}"));
            }
        };
        stats.compounds += 1;
        let mut types = Vec::new();
        for p in compound {
            let name = match p {
                Ok(RtcpPacket::SenderReport(sr)) => {
                    if !stats.ssrcs.contains(&sr.ssrc.0) {
                        stats.ssrcs.push(sr.ssrc.0);
                    }
                    "SR"
                }
                Ok(RtcpPacket::ReceiverReport(rr)) => {
                    if !stats.ssrcs.contains(&rr.ssrc.0) {
                        stats.ssrcs.push(rr.ssrc.0);
                    }
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
        FrameNote::Rtcp(types)
    }

    /// Completes the tracks and prints the summary.
    pub fn finish(&mut self) -> std::io::Result<()> {
        for t in self.tracks.values_mut() {
            t.finish()?;
        }
        if self.json {
            self.print_json();
        } else {
            self.print_human();
        }
        Ok(())
    }

    fn print_json(&self) {
        for s in self.streams.values() {
            say!(
                "{}",
                json::Obj::new()
                    .str("type", "rtp_stream")
                    .int("channel", s.channel)
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
                    .str("arrival_times", if s.timed { "capture" } else { "none" })
                    .finish()
            );
        }
        for (ch, r) in &self.rtcp {
            let mut o = json::Obj::new()
                .str("type", "rtcp")
                .int("channel", *ch)
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
        for (ch, (n, e)) in &self.bad {
            say!(
                "{}",
                json::Obj::new()
                    .str("type", "undecodable_frames")
                    .int("channel", *ch)
                    .int("count", *n)
                    .str("first_error", e)
                    .finish()
            );
        }
        for t in self.tracks.values() {
            let s = &t.stats;
            let mut o = json::Obj::new()
                .str("type", "track")
                .int("track", t.index as u64)
                .int("channel", t.channel)
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
                    json::Obj::new()
                        .str("type", "extract")
                        .int("track", t.index as u64)
                        .int("channel", t.channel)
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
                    json::Obj::new()
                        .str("type", "extract")
                        .int("track", t.index as u64)
                        .int("channel", t.channel)
                        .str("encoding", t.encoding())
                        .raw("path", "null")
                        .str("reason", why)
                        .finish()
                );
            }
        }
    }

    fn print_human(&self) {
        if self.streams.is_empty() && self.rtcp.is_empty() && self.bad.is_empty() {
            return;
        }
        say!("");
        say!("RTP streams:");
        say!(
            "  {:>3} {:>10} {:>3} {:>8} {:>10} {:>5} {:>4} {:>4} {:>7} {:>9}",
            "ch",
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
                "  {:>3} {:#010x} {:>3} {:>8} {:>10} {:>5} {:>4} {:>4} {:>7} {:>9.3}{}",
                s.channel,
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
        }
        for (ch, (n, e)) in &self.bad {
            say!("  channel {ch}: {n} undecodable frames (first: {e})");
        }
        if !self.rtcp.is_empty() {
            say!("RTCP:");
            for (ch, r) in &self.rtcp {
                let kinds = r
                    .packets
                    .iter()
                    .map(|(k, n)| format!("{k} {n}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                say!(
                    "  channel {ch}: {} compound packets ({kinds}), {} errors",
                    r.compounds,
                    r.errors
                );
            }
        }
        if !self.tracks.is_empty() {
            say!("Tracks:");
            say!(
                "  {:>5} {:>3} {:<14} {:>8} {:>7} {:>9} {:>10} {:>7} {:>7} {:>6}",
                "track",
                "ch",
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
                        "  {:>5} {:>3} {:<14} {:>8} {:>7} {:>9} {:>10} {:>7} {:>7} {:>6}",
                        t.index,
                        t.channel,
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
                        "  {:>5} {:>3} {:<14} {:>8} (not depacketized{})",
                        t.index,
                        t.channel,
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
