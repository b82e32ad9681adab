//! `inspect`: shows what rtsp-proto makes of a capture of RTSP traffic.
//!
//! ```text
//! cargo run --example inspect -- [--json] [--extract DIR] FILE...
//! ```
//!
//! Each FILE is a packet capture (see below) or holds RTSP traffic: one or more messages,
//! with or without `$`-interleaved frames (a camera transcript, a reassembled TCP stream),
//! or a transcript in the
//! `===== #n DIR ... len=N =====` format of the project's corpus. Every message is printed
//! with its typed headers; every `$` frame with its channel and length, decoded as RTP or
//! RTCP. `--json` prints one JSON object per message or frame per line instead.
//!
//! The files are read as one session, in order: the SDP of a DESCRIBE response is printed
//! (codec, clock rate, fmtp, resolved control URL), channels are mapped to media by the
//! SETUP responses' `Transport: ...;interleaved=a-b` (by the SETUP request URL, or in
//! SETUP order when only responses are present), or else channels 2n/2n+1 for the n-th
//! media. The output ends with a summary: each RTP stream (channel, SSRC, packets, loss,
//! duplicates, reordering, jitter), the RTCP seen, and each track depacketized with the
//! codec of its media (frames, keyframes, sizes). `--json` summary lines have the types
//! `rtp_stream`, `rtcp`, `track` (and `sdp_media` when the SDP is met, `extract` for
//! files written). `--extract DIR` writes each track's elementary stream into DIR:
//! `track<n>_h264.h264`/`.h265` (Annex B), `track<n>_aac.aac` (ADTS), `.ulaw`/`.alaw`/
//! `.pcm` (raw), `track<n>_mjpeg_00001.jpg` (one per picture).
//!
//! Interarrival jitter needs arrival times: they come from the transcript's `t=` when the
//! frames are in a transcript; a raw byte stream has none, so its packets are taken as
//! arriving on schedule and the jitter reported is 0 (marked "no arrival times").
//!
//! The exit status is non-zero when a file cannot be read or decoded; the message names
//! the file and the byte offset of the first item that failed. A `$` frame that is not
//! valid RTP or RTCP is counted and reported, not fatal.
//!
//! # Packet captures
//!
//! A FILE that starts with a pcap or pcapng magic number is read as a packet capture
//! (link types Ethernet with VLAN tags, Linux cooked v1/v2, BSD/OpenBSD loopback, raw IP;
//! IPv4 and IPv6 with extension headers; fragments are counted, not reassembled):
//!
//! - RTSP is found on any TCP port by content (a request line with an RTSP version or an
//!   `RTSP/1.0 `/`RTSP/2.0 ` status line, in either direction; or a long run of `$` frames
//!   in a capture that starts mid-session). Each direction of each such connection is
//!   reassembled by sequence number (out-of-order, retransmitted and overlapping segments)
//!   and decoded with the crate's `Decoder`; a gap the capture never filled (skipped once
//!   the peer acknowledges past it, or at the buffer limits, a 30 s timeout, or the end)
//!   and a capture that starts mid-connection resynchronise on the next message start.
//! - The SETUP responses' `Transport` (`interleaved`, `client_port`/`server_port`, RTSP
//!   2.0 `dest_addr`/`src_addr`, `destination`/`source`, multicast `port`) say which
//!   channels and UDP flows carry each media's RTP and RTCP (media from the SETUP URL and
//!   the SDP of the DESCRIBE response or ANNOUNCE request).
//! - Every RTSP message is printed as for other files (not each RTP packet); then, per RTSP
//!   connection, a report: the request/response timeline with status and latency (from
//!   the capture timestamps: a message counts when its last byte was captured), the RTP
//!   streams per carrier and SSRC (packets, bytes, loss and duplicates as RFC 3550 counts
//!   them, reordering, interarrival jitter from the capture times, the wall-clock time of
//!   the first and last packets from the sender reports), the RTCP seen, the tracks
//!   depacketized, and the anomalies noticed. A last line sums up the capture (frames,
//!   connections, UDP datagrams attributed or not). `--json` adds the line types
//!   `connection`, `exchange`, `anomaly` and `capture`; summary lines carry `conn`, and the
//!   UDP ones `src`/`dst` instead of `channel`. `--extract` names files
//!   `conn<N>_track<n>_...`.
//!
//! Memory stays bounded whatever the capture holds: see the limits in `pcap.rs`,
//! `tcp.rs` and `session.rs`.

mod json;
mod typed;

/// `println!` that ends the program quietly when stdout is closed (`inspect ... | head`).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if writeln!(std::io::stdout().lock(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    }};
}

mod capture;
mod net;
mod pcap;
mod session;
mod tcp;
mod track;

use bytes::BytesMut;
use rtsp_proto::message::{Decoder, Message};
use std::process::ExitCode;

const USAGE: &str = "usage: inspect [--json] [--extract DIR] FILE...";

pub(crate) struct Options {
    pub(crate) json: bool,
    pub(crate) extract: Option<std::path::PathBuf>,
    files: Vec<String>,
}

fn parse_args() -> Result<Options, String> {
    let mut opts = Options {
        json: false,
        extract: None,
        files: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--json" => opts.json = true,
            "--extract" => {
                let dir = args.next().ok_or("--extract needs a directory")?;
                opts.extract = Some(dir.into());
            }
            "-h" | "--help" => {
                return Err(USAGE.into());
            }
            s if s.starts_with("--") => return Err(format!("unknown option {s}")),
            _ => opts.files.push(arg),
        }
    }
    if opts.files.is_empty() {
        return Err(USAGE.into());
    }
    Ok(opts)
}

/// One chunk of a file to decode as its own stream: a transcript entry or a whole file.
pub(crate) struct Segment {
    /// Offset of the segment's first byte in the file.
    pub(crate) offset: u64,
    /// Label such as `C->S conn=1`, for transcripts.
    pub(crate) label: Option<String>,
    /// Capture time in seconds (`t=`), for transcripts.
    pub(crate) time: Option<f64>,
    pub(crate) bytes: Vec<u8>,
}

/// Splits a corpus transcript (`===== #n DIR conn=c ... len=N =====`) into its messages,
/// or returns the whole file as one segment.
fn segments(data: Vec<u8>) -> Result<Vec<Segment>, String> {
    if !data.starts_with(b"===== #") {
        return Ok(vec![Segment {
            offset: 0,
            label: None,
            time: None,
            bytes: data,
        }]);
    }
    let mut out = Vec::new();
    let mut pos = 0usize;
    while pos < data.len() {
        let rest = &data[pos..];
        let nl = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| format!("byte {pos}: transcript header without end of line"))?;
        let header = String::from_utf8_lossy(&rest[..nl]).into_owned();
        let len: usize = header
            .split_whitespace()
            .find_map(|f| f.strip_prefix("len="))
            .and_then(|l| l.parse().ok())
            .ok_or_else(|| format!("byte {pos}: transcript header without len="))?;
        let start = pos + nl + 1;
        let end = start
            .checked_add(len)
            .filter(|&e| e <= data.len())
            .ok_or_else(|| format!("byte {pos}: transcript entry runs past the end"))?;
        let label = header
            .split_whitespace()
            .filter(|f| *f == "C->S" || *f == "S->C" || f.starts_with("conn="))
            .collect::<Vec<_>>()
            .join(" ");
        let time = header
            .split_whitespace()
            .find_map(|f| f.strip_prefix("t="))
            .and_then(|t| t.parse().ok());
        out.push(Segment {
            offset: start as u64,
            label: Some(label),
            time,
            bytes: data[start..end].to_vec(),
        });
        pos = end + 1;
    }
    Ok(out)
}

pub(crate) fn print_message(
    opts: &Options,
    file: &str,
    seg: &Segment,
    offset: u64,
    msg: &Message,
    note: Option<&session::FrameNote>,
) {
    if opts.json {
        let mut o = json::Obj::new();
        match msg {
            Message::Request(r) => {
                o = o
                    .str("type", "request")
                    .str("file", file)
                    .num("offset", offset as f64)
                    .str("method", r.method.as_str())
                    .str("uri", r.uri())
                    .str("version", r.version.as_str());
                o = o
                    .raw(
                        "headers",
                        &json::pairs(r.headers.iter().map(|(n, v)| (n.as_str(), v.as_str()))),
                    )
                    .raw("typed", &typed::json(&r.headers))
                    .num("body_length", r.body.len() as f64);
            }
            Message::Response(r) => {
                o = o
                    .str("type", "response")
                    .str("file", file)
                    .num("offset", offset as f64)
                    .str("version", r.version.as_str())
                    .num("status", r.status.as_u16())
                    .str("reason", &r.reason());
                o = o
                    .raw(
                        "headers",
                        &json::pairs(r.headers.iter().map(|(n, v)| (n.as_str(), v.as_str()))),
                    )
                    .raw("typed", &typed::json(&r.headers))
                    .num("body_length", r.body.len() as f64);
            }
            Message::Data(d) => {
                o = o
                    .str("type", "data")
                    .str("file", file)
                    .num("offset", offset as f64)
                    .num("channel", d.channel)
                    .num("length", d.payload.len() as f64);
                if let Some(n) = note {
                    let (k, v) = n.json();
                    o = o.raw(k, &v);
                }
            }
        }
        if let Some(l) = &seg.label {
            o = o.str("label", l);
        }
        if let Some(t) = seg.time {
            o = o.num("t", t);
        }
        say!("{}", o.finish());
        return;
    }
    let label = seg
        .label
        .as_deref()
        .map(|l| format!(" [{l}]"))
        .unwrap_or_default();
    match msg {
        Message::Request(r) => {
            say!(
                "{file}@{offset}{label}: {} {} {}",
                r.method,
                r.uri(),
                r.version
            );
            print_headers(&r.headers, &r.body);
        }
        Message::Response(r) => {
            say!(
                "{file}@{offset}{label}: {} {} {}",
                r.version,
                r.status.as_u16(),
                r.reason()
            );
            print_headers(&r.headers, &r.body);
        }
        Message::Data(d) => {
            say!(
                "{file}@{offset}{label}: $ channel {} length {}{}",
                d.channel,
                d.payload.len(),
                note.map(|n| n.human()).unwrap_or_default()
            );
        }
    }
}

fn print_headers(headers: &rtsp_proto::Headers, body: &[u8]) {
    for (name, value) in headers {
        say!("    {name}: {value}");
        if let Some(t) = typed::describe(name, headers) {
            say!("        = {t}");
        }
    }
    if !body.is_empty() {
        say!("    body: {} bytes", body.len());
    }
}

fn inspect_file(
    opts: &Options,
    session: &mut session::Session,
    file: &str,
) -> Result<(usize, usize), String> {
    let mut head = [0u8; 4];
    let n = {
        use std::io::Read as _;
        std::fs::File::open(file)
            .and_then(|mut f| f.read(&mut head))
            .map_err(|e| format!("{file}: {e}"))?
    };
    if capture::is_capture(&head[..n]) {
        return pcap::inspect(opts, file);
    }
    let data = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    let mut messages = 0;
    let mut frames = 0;
    for seg in segments(data).map_err(|e| format!("{file}: {e}"))? {
        let mut dec = Decoder::new();
        let mut buf = BytesMut::from(&seg.bytes[..]);
        loop {
            match dec.decode(&mut buf) {
                Ok(Some(msg)) => {
                    let offset = seg.offset + dec.item_start();
                    if matches!(msg, Message::Data(_)) {
                        frames += 1;
                    } else {
                        messages += 1;
                    }
                    match &msg {
                        Message::Request(r) => {
                            print_message(opts, file, &seg, offset, &msg, None);
                            session.handle_request(r, seg.time);
                        }
                        Message::Response(r) => {
                            print_message(opts, file, &seg, offset, &msg, None);
                            session.handle_response(r, seg.time);
                        }
                        Message::Data(d) => {
                            let note = session
                                .handle_data(d.channel, &d.payload, seg.time)
                                .map_err(|e| format!("extract: {e}"))?;
                            print_message(opts, file, &seg, offset, &msg, Some(&note));
                        }
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    return Err(format!("{file}: byte {}: {}", seg.offset + e.pos, e.kind));
                }
            }
        }
        dec.finish(&buf)
            .map_err(|e| format!("{file}: byte {}: {}", seg.offset + e.pos, e.kind))?;
    }
    Ok((messages, frames))
}

fn main() -> ExitCode {
    let opts = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if let Some(dir) = &opts.extract {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("error: {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
    }
    let mut session = session::Session::new(opts.json, opts.extract.clone());
    for file in &opts.files {
        match inspect_file(&opts, &mut session, file) {
            Ok((messages, frames)) => {
                if !opts.json {
                    say!("{file}: {messages} messages, {frames} interleaved frames");
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    if let Err(e) = session.finish() {
        eprintln!("error: extract: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
