//! The presentation description: SDP ([RFC 8866]) as RTSP uses it ([RFC 2326 Appendix C],
//! [RFC 7826 Appendix D]), read from a DESCRIBE response and written by a server.
//!
//! Parsing is done by the [`sdp_types`] crate; this module turns its session into what an
//! RTSP client needs ([`Presentation`]: media, payload formats, control URLs, range) and
//! builds what an RTSP server sends ([`PresentationBuilder`]).
//!
//! ```
//! use rtsp_proto::sdp::{MediaKind, Presentation, Url};
//! let body = b"v=0\r\n\
//! o=- 1 1 IN IP4 192.168.5.206\r\n\
//! s=Session streamed by \"preview\"\r\n\
//! t=0 0\r\n\
//! a=control:*\r\n\
//! a=range:npt=0-\r\n\
//! m=video 0 RTP/AVP 96\r\n\
//! a=rtpmap:96 H264/90000\r\n\
//! a=fmtp:96 packetization-mode=1;profile-level-id=640033\r\n\
//! a=control:trackID=1\r\n\
//! m=audio 0 RTP/AVP 0\r\n\
//! a=control:trackID=2\r\n";
//! let base = Url::parse("rtsp://192.168.5.206/h264Preview_01_main/")?;
//! let p = Presentation::parse(body, &base)?;
//! assert_eq!(p.aggregate_url().as_str(), "rtsp://192.168.5.206/h264Preview_01_main/");
//! let video = &p.media[0];
//! assert_eq!(video.kind, MediaKind::Video);
//! assert_eq!(video.encoding_name(), Some("H264"));
//! assert_eq!(video.clock_rate(), Some(90_000));
//! assert_eq!(video.fmtp().and_then(|f| f.get("Packetization-Mode")), Some("1"));
//! assert_eq!(
//!     video.control.as_ref().map(|u| u.as_str()),
//!     Some("rtsp://192.168.5.206/h264Preview_01_main/trackID=1")
//! );
//! // No rtpmap for PT 0: RFC 3551's table fills it in.
//! assert_eq!(p.media[1].encoding_name(), Some("PCMU"));
//! assert_eq!(p.media[1].clock_rate(), Some(8000));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Tolerance
//!
//! Real devices break RFC 8866 in many ways (see the project's QUIRKS.md §3.2). What
//! `sdp-types` accepts directly: missing `o=`, `s=` and `t=`, `m=` before `t=`, lines in
//! any order within a section, `e=` and `a=` anywhere, bare LF line ends, runs of spaces in
//! `o=` and `c=`. What it rejects is handled by [`RepairPolicy::Repair`]: the text is
//! normalised and each rejected line repaired or dropped (missing `v=`, malformed `o=`,
//! bare `c=IN`, `t=now-`, trailing spaces after `v=0`, invalid UTF-8, unparseable `m=`
//! lines); each is reported as a [`Diagnostic`]. Above `sdp-types`, attribute values are
//! read leniently: trailing spaces in `rtpmap`, empty `a=fmtp:96`, trailing `;` and
//! spaces after `;` in fmtp, and a media description without a usable payload type is
//! skipped ([`BadMediaPolicy`]).
//!
//! [RFC 8866]: https://www.rfc-editor.org/rfc/rfc8866
//! [RFC 2326 Appendix C]: https://www.rfc-editor.org/rfc/rfc2326#appendix-C
//! [RFC 7826 Appendix D]: https://www.rfc-editor.org/rfc/rfc7826#appendix-D

mod build;
mod control;
mod error;
mod options;
mod repair;
mod static_pt;

pub use build::{PresentationBuilder, Stream, StreamControl};
pub use control::{base_url, join_control, join_control_with, resolve_base};
pub use error::{Diagnostic, DiagnosticKind, SdpError};
pub use options::{BadMediaPolicy, ControlJoinPolicy, Limits, ParseOptions, RepairPolicy};
/// The SDP crate this module is built on, for what [`Presentation`] does not surface
/// (see [`Presentation::sdp`]).
pub use sdp_types;
/// The URL type of control and base URLs.
pub use url::Url;

use crate::header::{ContentType, Range, TypedHeader};
use crate::message::Response;
use crate::Ssrc;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// An RTP payload type, 0 to 127 ([RFC 3550 §5.1]).
///
/// [RFC 3550 §5.1]: https://www.rfc-editor.org/rfc/rfc3550#section-5.1
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PayloadType(pub u8);

impl PayloadType {
    /// True for the dynamic range 96–127 ([RFC 3551 §3]).
    ///
    /// [RFC 3551 §3]: https://www.rfc-editor.org/rfc/rfc3551#section-3
    pub const fn is_dynamic(self) -> bool {
        self.0 >= 96
    }
}

impl fmt::Display for PayloadType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The media type of an `m=` line ([RFC 8866 §5.14]).
///
/// [RFC 8866 §5.14]: https://www.rfc-editor.org/rfc/rfc8866#section-5.14
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MediaKind {
    /// `video`.
    Video,
    /// `audio`.
    Audio,
    /// `application` (ONVIF metadata, for instance).
    Application,
    /// `text`.
    Text,
    /// `message`.
    Message,
    /// Anything else, as written.
    Other(String),
}

impl MediaKind {
    /// The name as written in an `m=` line.
    pub fn as_str(&self) -> &str {
        match self {
            MediaKind::Video => "video",
            MediaKind::Audio => "audio",
            MediaKind::Application => "application",
            MediaKind::Text => "text",
            MediaKind::Message => "message",
            MediaKind::Other(s) => s,
        }
    }
}

impl From<&str> for MediaKind {
    /// Case-insensitive for the known names.
    fn from(s: &str) -> MediaKind {
        [
            MediaKind::Video,
            MediaKind::Audio,
            MediaKind::Application,
            MediaKind::Text,
            MediaKind::Message,
        ]
        .into_iter()
        .find(|k| k.as_str().eq_ignore_ascii_case(s))
        .unwrap_or_else(|| MediaKind::Other(s.to_owned()))
    }
}

/// The media direction attributes ([RFC 8866 §6.7]).
///
/// [RFC 8866 §6.7]: https://www.rfc-editor.org/rfc/rfc8866#section-6.7
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `sendrecv`.
    SendRecv,
    /// `sendonly`.
    SendOnly,
    /// `recvonly`.
    RecvOnly,
    /// `inactive`.
    Inactive,
}

impl Direction {
    /// The attribute name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    fn from_attr(name: &str) -> Option<Direction> {
        [
            Direction::SendRecv,
            Direction::SendOnly,
            Direction::RecvOnly,
            Direction::Inactive,
        ]
        .into_iter()
        .find(|d| d.as_str().eq_ignore_ascii_case(name))
    }

    fn of(attrs: &[sdp_types::Attribute]) -> Option<Direction> {
        attrs
            .iter()
            .find_map(|a| Direction::from_attr(&a.attribute))
    }
}

/// `a=rtpmap`: how a payload type maps to an encoding ([RFC 8866 §6.6]).
///
/// [RFC 8866 §6.6]: https://www.rfc-editor.org/rfc/rfc8866#section-6.6
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RtpMap {
    /// The encoding name as written (`H264`, `MPEG4-GENERIC`, `PCMU`); compare it
    /// case-insensitively.
    pub encoding_name: String,
    /// The RTP clock rate in Hz, never 0.
    pub clock_rate: u32,
    /// The channel count (audio); `None` when not given, which means 1 for audio.
    pub channels: Option<u16>,
}

/// `a=fmtp` parameters of one payload type ([RFC 8866 §6.15]), in order.
///
/// Keys keep the sender's case and are looked up case-insensitively, since the payload
/// formats' parameter names are (e.g. [RFC 6184 §8.1]). A parameter without `=` has an
/// empty value.
///
/// [RFC 8866 §6.15]: https://www.rfc-editor.org/rfc/rfc8866#section-6.15
/// [RFC 6184 §8.1]: https://www.rfc-editor.org/rfc/rfc6184#section-8.1
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Fmtp {
    /// `(key, value)` pairs, trimmed, in order.
    pub params: Vec<(String, String)>,
}

impl Fmtp {
    /// The value of the first parameter named `key` (case-insensitive).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    /// The parameters in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The number of parameters.
    pub fn len(&self) -> usize {
        self.params.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }
}

/// One payload type of a media description with its `rtpmap` and `fmtp`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Format {
    /// The payload type, as listed in the `m=` line.
    pub payload_type: PayloadType,
    /// The encoding: from `a=rtpmap`, or for a static payload type without one, from
    /// [RFC 3551 §6]'s table. `None` for a dynamic payload type without `a=rtpmap`.
    ///
    /// [RFC 3551 §6]: https://www.rfc-editor.org/rfc/rfc3551#section-6
    pub rtpmap: Option<RtpMap>,
    /// True when [`rtpmap`](Format::rtpmap) came from RFC 3551's table.
    pub rtpmap_from_static_table: bool,
    /// The `a=fmtp` parameters (empty when there is none).
    pub fmtp: Fmtp,
}

impl Format {
    /// A format with an `rtpmap` and no fmtp parameters.
    pub fn new(payload_type: PayloadType, encoding_name: &str, clock_rate: u32) -> Format {
        Format {
            payload_type,
            rtpmap: Some(RtpMap {
                encoding_name: encoding_name.to_owned(),
                clock_rate,
                channels: None,
            }),
            rtpmap_from_static_table: false,
            fmtp: Fmtp::default(),
        }
    }
}

/// A `c=` line ([RFC 8866 §5.7]).
///
/// [RFC 8866 §5.7]: https://www.rfc-editor.org/rfc/rfc8866#section-5.7
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Connection {
    /// The network type, `IN`.
    pub nettype: String,
    /// The address type, `IP4` or `IP6`.
    pub addrtype: String,
    /// The address as written, with any `/ttl` and `/count`.
    pub address: String,
    /// The IP address, when the address is one.
    pub ip: Option<IpAddr>,
    /// The IPv4 multicast time-to-live (`224.2.1.1/127`).
    pub ttl: Option<u8>,
    /// The number of addresses of a multicast group range.
    pub count: Option<u8>,
}

impl Connection {
    fn from_sdp(c: &sdp_types::Connection) -> Connection {
        let parsed = c.try_address().ok();
        Connection {
            nettype: c.nettype.as_str().to_owned(),
            addrtype: c.addrtype.as_str().to_owned(),
            address: c.connection_address.clone(),
            ip: parsed
                .map(|a| a.ip)
                .or_else(|| c.connection_address.split('/').next()?.parse().ok()),
            ttl: parsed.and_then(|a| a.ttl),
            count: parsed.and_then(|a| a.count),
        }
    }

    /// True for an IPv4 or IPv6 multicast address (`c=IN IP4 224.2.1.1/16`).
    pub fn is_multicast(&self) -> bool {
        self.ip.is_some_and(|ip| ip.is_multicast())
    }
}

/// A `b=` line ([RFC 8866 §5.8]): `AS` and `CT` are in kbit/s, `RS`/`RR` ([RFC 3556]) in
/// bit/s.
///
/// [RFC 8866 §5.8]: https://www.rfc-editor.org/rfc/rfc8866#section-5.8
/// [RFC 3556]: https://www.rfc-editor.org/rfc/rfc3556
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bandwidth {
    /// The modifier, as written (`AS`, `CT`, `RR`, `RS`, `TIAS`, ...).
    pub modifier: String,
    /// The value.
    pub value: u64,
}

fn bandwidths(b: &[sdp_types::Bandwidth]) -> Vec<Bandwidth> {
    b.iter()
        .map(|b| Bandwidth {
            modifier: b.bwtype.clone(),
            value: b.bandwidth,
        })
        .collect()
}

fn bandwidth_as(b: &[Bandwidth]) -> Option<u64> {
    b.iter()
        .find(|b| b.modifier.eq_ignore_ascii_case("AS"))
        .map(|b| b.value)
}

/// The `o=` line ([RFC 8866 §5.2]).
///
/// [RFC 8866 §5.2]: https://www.rfc-editor.org/rfc/rfc8866#section-5.2
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    /// The user name; `None` for `-`.
    pub username: Option<String>,
    /// The session id as written (numeric per the RFC, but some devices send hex).
    pub session_id: String,
    /// The session version.
    pub session_version: u64,
    /// The unicast address of the originating host, as written.
    pub address: String,
}

/// A `t=` line: start and stop as NTP seconds, 0 meaning unbounded ([RFC 8866 §5.9]).
///
/// [RFC 8866 §5.9]: https://www.rfc-editor.org/rfc/rfc8866#section-5.9
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeDescription {
    /// Start time.
    pub start: u64,
    /// Stop time.
    pub stop: u64,
}

/// One media description (`m=` section), resolved for RTSP.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MediaDescription {
    /// The media type.
    pub kind: MediaKind,
    /// The port (usually 0 in RTSP, where SETUP negotiates transport).
    pub port: u16,
    /// The transport protocol (`RTP/AVP`, `RTP/AVPF`, `RTP/SAVP`, ...).
    pub proto: String,
    /// Every payload type of the `m=` line in order (duplicates and invalid ones removed),
    /// each with its rtpmap and fmtp. Never empty.
    pub formats: Vec<Format>,
    /// The media's control URL, resolved against the base URL (see [`join_control`]).
    /// With no `a=control`, the base URL if this is the only media, else `None`
    /// ([RFC 2326 C.3]).
    ///
    /// [RFC 2326 C.3]: https://www.rfc-editor.org/rfc/rfc2326#appendix-C.3
    pub control: Option<Url>,
    /// The `a=control` value as written (trimmed).
    pub control_attr: Option<String>,
    /// The media-level direction attribute, else the session-level one.
    pub direction: Option<Direction>,
    /// The media-level `a=range` ([RFC 2326 C.1.5]).
    ///
    /// [RFC 2326 C.1.5]: https://www.rfc-editor.org/rfc/rfc2326#appendix-C.1.5
    pub range: Option<Range>,
    /// `a=framerate` (or `a=x-framerate`), the first value that is a non-negative number.
    pub framerate: Option<f64>,
    /// The SSRC of the first `a=ssrc` ([RFC 5576]).
    ///
    /// [RFC 5576]: https://www.rfc-editor.org/rfc/rfc5576
    pub ssrc: Option<Ssrc>,
    /// The `cname` of that SSRC.
    pub cname: Option<String>,
    /// The media's `b=` lines.
    pub bandwidths: Vec<Bandwidth>,
    /// `a=rtcp-mux` is present ([RFC 5761]).
    ///
    /// [RFC 5761]: https://www.rfc-editor.org/rfc/rfc5761
    pub rtcp_mux: bool,
    /// The media's first `c=` line, else the session's.
    pub connection: Option<Connection>,
    /// The media title (`i=`).
    pub title: Option<String>,
    /// 1-based number of the `m=` line in the body as received.
    pub line: usize,
}

impl MediaDescription {
    /// The first payload type.
    pub fn payload_type(&self) -> Option<PayloadType> {
        self.formats.first().map(|f| f.payload_type)
    }

    /// The first payload type's format.
    pub fn format(&self) -> Option<&Format> {
        self.formats.first()
    }

    /// The format of payload type `pt`.
    pub fn format_of(&self, pt: PayloadType) -> Option<&Format> {
        self.formats.iter().find(|f| f.payload_type == pt)
    }

    /// The first payload type's rtpmap.
    pub fn rtpmap(&self) -> Option<&RtpMap> {
        self.format()?.rtpmap.as_ref()
    }

    /// The first payload type's encoding name.
    pub fn encoding_name(&self) -> Option<&str> {
        self.rtpmap().map(|r| r.encoding_name.as_str())
    }

    /// The first payload type's clock rate.
    pub fn clock_rate(&self) -> Option<u32> {
        self.rtpmap().map(|r| r.clock_rate)
    }

    /// The first payload type's channel count, if given.
    pub fn channels(&self) -> Option<u16> {
        self.rtpmap()?.channels
    }

    /// The first payload type's fmtp parameters.
    pub fn fmtp(&self) -> Option<&Fmtp> {
        self.format().map(|f| &f.fmtp)
    }

    /// `b=AS`, in kbit/s.
    pub fn bandwidth_as(&self) -> Option<u64> {
        bandwidth_as(&self.bandwidths)
    }

    /// True when the connection address is multicast.
    pub fn is_multicast(&self) -> bool {
        self.connection
            .as_ref()
            .is_some_and(Connection::is_multicast)
    }
}

/// A presentation description as an RTSP client uses it: the session and its media, with
/// control URLs resolved ([RFC 2326 Appendix C], [RFC 7826 Appendix D]).
///
/// Build one from a DESCRIBE response with [`Presentation::from_describe`], or from an SDP
/// body and a base URL with [`Presentation::parse`]. See the [module docs](self) for an
/// example and for what is tolerated.
///
/// [RFC 2326 Appendix C]: https://www.rfc-editor.org/rfc/rfc2326#appendix-C
/// [RFC 7826 Appendix D]: https://www.rfc-editor.org/rfc/rfc7826#appendix-D
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Presentation {
    /// The base URL relative control URLs are resolved against.
    pub base_url: Url,
    /// The session-level control URL: `a=control:*` is the base URL, a relative one is
    /// joined to it; `None` when there is no session-level `a=control`.
    pub control: Option<Url>,
    /// The session-level `a=control` value as written (trimmed).
    pub control_attr: Option<String>,
    /// `s=` (empty when missing).
    pub session_name: String,
    /// Session-level `i=`.
    pub session_info: Option<String>,
    /// `o=`, when present and well-formed.
    pub origin: Option<Origin>,
    /// `a=tool`, e.g. `LIVE555 Streaming Media v2013.04.08` (see
    /// [`live555_version`](Presentation::live555_version)).
    pub tool: Option<String>,
    /// The session-level `a=range` ([RFC 2326 C.1.5], [RFC 7826 D.1.4]), read with the
    /// `Range` header's parser.
    ///
    /// [RFC 2326 C.1.5]: https://www.rfc-editor.org/rfc/rfc2326#appendix-C.1.5
    /// [RFC 7826 D.1.4]: https://www.rfc-editor.org/rfc/rfc7826#appendix-D.1.4
    pub range: Option<Range>,
    /// The `t=` lines.
    pub times: Vec<TimeDescription>,
    /// The session-level `c=` line.
    pub connection: Option<Connection>,
    /// The session-level `b=` lines.
    pub bandwidths: Vec<Bandwidth>,
    /// The session-level direction attribute.
    pub direction: Option<Direction>,
    /// The media descriptions that could be used, in order.
    pub media: Vec<MediaDescription>,
    /// What was wrong but tolerated.
    pub diagnostics: Vec<Diagnostic>,
    sdp: sdp_types::Session,
}

/// Diagnostics with a cap.
pub(crate) struct Diags {
    list: Vec<Diagnostic>,
    cap: usize,
}

impl Diags {
    fn new(cap: usize, initial: Vec<Diagnostic>) -> Diags {
        let mut d = Diags {
            list: Vec::new(),
            cap,
        };
        for x in initial {
            d.push(x.line, x.media, x.kind);
        }
        d
    }

    pub(crate) fn push(&mut self, line: Option<usize>, media: Option<usize>, kind: DiagnosticKind) {
        if self.list.len() < self.cap {
            self.list.push(Diagnostic { line, media, kind });
        }
    }
}

fn first_attr<'a>(attrs: &'a [sdp_types::Attribute], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|a| a.attribute.eq_ignore_ascii_case(name))
        .map(|a| a.value.as_deref().unwrap_or("").trim())
}

fn attrs<'a>(
    attrs: &'a [sdp_types::Attribute],
    name: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    attrs
        .iter()
        .filter(move |a| a.attribute.eq_ignore_ascii_case(name))
        .map(|a| a.value.as_deref().unwrap_or("").trim())
}

/// Splits `"<pt> <rest>"` at the first white space.
fn split_pt(v: &str) -> (&str, &str) {
    match v.split_once(|c: char| c.is_ascii_whitespace()) {
        Some((pt, rest)) => (pt, rest.trim()),
        None => (v, ""),
    }
}

fn parse_payload_type(s: &str) -> Option<PayloadType> {
    s.parse::<u8>().ok().filter(|&p| p <= 127).map(PayloadType)
}

/// Reads an `a=rtpmap` value with `sdp_types::RtpMap` after trimming the white space that
/// devices add (ret 0.3.9: a trailing space after the clock rate).
fn parse_rtpmap(value: &str) -> Result<(PayloadType, RtpMap, bool), ()> {
    let (pt, rest) = split_pt(value);
    let pt = parse_payload_type(pt).ok_or(())?;
    let m = sdp_types::RtpMap::from_str(&format!("{} {rest}", pt.0)).map_err(drop)?;
    let enc = m.encoding_name.trim();
    if enc.is_empty() || enc.contains(|c: char| c.is_whitespace()) || m.clock_rate == 0 {
        return Err(());
    }
    let (channels, channels_ok) = match m.encoding_params.as_deref().map(str::trim) {
        None => (None, true),
        Some(p) => match p.parse::<u16>() {
            Ok(c) if c > 0 => (Some(c), true),
            _ => (None, false),
        },
    };
    Ok((
        pt,
        RtpMap {
            encoding_name: enc.to_owned(),
            clock_rate: m.clock_rate,
            channels,
        },
        channels_ok,
    ))
}

/// Reads an `a=fmtp` value with `sdp_types::Fmtp`, then trims keys and values and drops
/// empty pieces: `a=fmtp:96` with no parameters (Ubiquiti, ret 0.4.4), a trailing `;`
/// (rX#103), spaces after `;` (GeoVision).
fn parse_fmtp(value: &str, limit: usize, mut dropped: impl FnMut()) -> Option<(PayloadType, Fmtp)> {
    let (pt, rest) = split_pt(value);
    let pt = parse_payload_type(pt)?;
    let mut fmtp = Fmtp::default();
    if rest.is_empty() {
        return Some((pt, fmtp));
    }
    let parsed = sdp_types::Fmtp::from_str(&format!("{} {rest}", pt.0)).ok()?;
    for p in parsed.format_specific_params {
        let key = p.param.trim();
        let value = p.val.as_deref().map_or("", str::trim);
        if key.is_empty() && value.is_empty() {
            continue;
        }
        if key.is_empty() || key.contains(|c: char| c.is_whitespace()) {
            dropped();
            continue;
        }
        if fmtp.params.len() >= limit {
            dropped();
            continue;
        }
        fmtp.params.push((key.to_owned(), value.to_owned()));
    }
    Some((pt, fmtp))
}

fn parse_framerate(v: &str) -> Option<f64> {
    v.parse::<f64>().ok().filter(|f| f.is_finite() && *f >= 0.0)
}

fn parse_range(v: &str) -> Option<Range> {
    Range::parse(v).ok()
}

impl Presentation {
    /// Reads the description in a DESCRIBE response sent for `request_url`.
    ///
    /// The base URL is `Content-Base`, then `Content-Location`, then `request_url`
    /// ([RFC 2326 C.1.1], see [`base_url`]). The response must be a success with a body;
    /// a `Content-Type` other than `application/sdp` is refused, a missing one accepted.
    ///
    /// Background: some cameras send the DESCRIBE body without `Content-Type` (retina
    /// 0.4.7), so a missing type is read as SDP.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use rtsp_proto::message::{Decoder, Message};
    /// use rtsp_proto::sdp::{Presentation, Url};
    /// let mut buf = BytesMut::from(&b"RTSP/1.0 200 OK\r\nCSeq: 2\r\n\
    /// Content-Base: rtsp://cam/live/\r\nContent-Type: application/sdp\r\nContent-Length: 48\r\n\r\n\
    /// v=0\r\nm=video 0 RTP/AVP 26\r\na=control:trackID=0\r\n"[..]);
    /// let Some(Message::Response(resp)) = Decoder::new().decode(&mut buf)? else { panic!() };
    /// let p = Presentation::from_describe(&Url::parse("rtsp://cam/live")?, &resp)?;
    /// assert_eq!(p.media[0].encoding_name(), Some("JPEG"));
    /// assert_eq!(p.media[0].control.as_ref().unwrap().as_str(), "rtsp://cam/live/trackID=0");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// [RFC 2326 C.1.1]: https://www.rfc-editor.org/rfc/rfc2326#appendix-C.1.1
    pub fn from_describe(request_url: &Url, response: &Response) -> Result<Presentation, SdpError> {
        Presentation::from_describe_with(request_url, response, &ParseOptions::default())
    }

    /// [`from_describe`](Presentation::from_describe) with chosen limits and policies.
    pub fn from_describe_with(
        request_url: &Url,
        response: &Response,
        opts: &ParseOptions,
    ) -> Result<Presentation, SdpError> {
        if !response.status.is_success() {
            return Err(SdpError::Status {
                status: response.status,
            });
        }
        if let Some(Ok(ct)) = response.headers.typed::<ContentType>() {
            if !ct.is_sdp() {
                return Err(SdpError::NotSdp);
            }
        }
        if response.body.is_empty() {
            return Err(SdpError::EmptyBody);
        }
        let (base, diags) = base_url(request_url, &response.headers);
        Presentation::parse_inner(&response.body, base, opts, diags)
    }

    /// Reads an SDP body whose relative control URLs are resolved against `base`.
    pub fn parse(body: &[u8], base: &Url) -> Result<Presentation, SdpError> {
        Presentation::parse_with(body, base, &ParseOptions::default())
    }

    /// [`parse`](Presentation::parse) with chosen limits and policies.
    pub fn parse_with(
        body: &[u8],
        base: &Url,
        opts: &ParseOptions,
    ) -> Result<Presentation, SdpError> {
        Presentation::parse_inner(body, base.clone(), opts, Vec::new())
    }

    fn parse_inner(
        body: &[u8],
        base_url: Url,
        opts: &ParseOptions,
        initial: Vec<Diagnostic>,
    ) -> Result<Presentation, SdpError> {
        let limits = &opts.limits;
        if body.len() > limits.max_len {
            return Err(SdpError::TooLarge {
                len: body.len(),
                limit: limits.max_len,
            });
        }
        let mut diags = Diags::new(limits.max_diagnostics, initial);
        let parsed = repair::parse(body, opts, &mut diags)?;
        let s = &parsed.session;

        let session_direction = Direction::of(&s.attributes);
        let session_connection = s.connection.as_ref().map(Connection::from_sdp);
        let mut media: Vec<MediaDescription> = Vec::new();
        for (i, m) in s.medias.iter().enumerate() {
            let line = parsed.m_lines.get(i).copied().unwrap_or(0);
            let line_opt = (line > 0).then_some(line);
            let skip = |diags: &mut Diags, what: &'static str| -> Result<(), SdpError> {
                if opts.bad_media == BadMediaPolicy::Fail {
                    return Err(SdpError::Syntax { line, what });
                }
                diags.push(line_opt, None, DiagnosticKind::SkippedMedia { what });
                Ok(())
            };
            if media.len() >= limits.max_media {
                diags.push(
                    line_opt,
                    None,
                    DiagnosticKind::SkippedMedia {
                        what: "media limit",
                    },
                );
                continue;
            }
            match build_media(m, line, media.len(), opts, &mut diags) {
                Ok(mut md) => {
                    if md.direction.is_none() {
                        md.direction = session_direction;
                    }
                    if md.connection.is_none() {
                        md.connection.clone_from(&session_connection);
                    }
                    media.push(md);
                }
                Err(what) => skip(&mut diags, what)?,
            }
        }

        // Control URLs, now that the number of media is known.
        let single = media.len() == 1;
        for (i, md) in media.iter_mut().enumerate() {
            match &md.control_attr {
                Some(c) => match join_control_with(&base_url, c, opts.control_join) {
                    Ok(u) => md.control = Some(u),
                    Err(_) => diags.push(Some(md.line), Some(i), DiagnosticKind::UnresolvedControl),
                },
                None if single => md.control = Some(base_url.clone()),
                None => diags.push(Some(md.line), Some(i), DiagnosticKind::MissingControl),
            }
        }

        let control_attr = first_attr(&s.attributes, "control")
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        let control = match &control_attr {
            Some(c) => match join_control_with(&base_url, c, opts.control_join) {
                Ok(u) => Some(u),
                Err(_) => {
                    diags.push(None, None, DiagnosticKind::UnresolvedControl);
                    None
                }
            },
            None => None,
        };
        let range = first_attr(&s.attributes, "range").and_then(|v| {
            let r = parse_range(v);
            if r.is_none() {
                diags.push(None, None, DiagnosticKind::BadAttribute { name: "range" });
            }
            r
        });
        let origin = parsed.has_origin.then(|| Origin {
            username: s.origin.username.clone(),
            session_id: s.origin.sess_id.clone(),
            session_version: s.origin.sess_version,
            address: s.origin.unicast_address.clone(),
        });
        let tool = first_attr(&s.attributes, "tool").map(str::to_owned);
        Ok(Presentation {
            control,
            control_attr,
            session_name: s.session_name.clone(),
            session_info: s.session_description.clone(),
            origin,
            tool,
            range,
            times: s
                .times
                .iter()
                .map(|t| TimeDescription {
                    start: t.start_time,
                    stop: t.stop_time,
                })
                .collect(),
            connection: session_connection,
            bandwidths: bandwidths(&s.bandwidths),
            direction: session_direction,
            media,
            diagnostics: diags.list,
            base_url,
            sdp: parsed.session,
        })
    }

    /// The URL for aggregate control (PLAY, PAUSE, TEARDOWN of the whole presentation):
    /// the session-level control URL, else the base URL, as live555 and ffmpeg clients do.
    pub fn aggregate_url(&self) -> &Url {
        self.control.as_ref().unwrap_or(&self.base_url)
    }

    /// The session as `sdp-types` parsed it (after any repair), for attributes this type
    /// does not surface.
    pub fn sdp(&self) -> &sdp_types::Session {
        &self.sdp
    }

    /// Session-level `b=AS`, in kbit/s.
    pub fn bandwidth_as(&self) -> Option<u64> {
        bandwidth_as(&self.bandwidths)
    }

    /// The version date of a live555 server, from `a=tool:LIVE555 Streaming Media
    /// vYYYY.MM.DD`, as `(year, month, day)`.
    ///
    /// Background: live555 before 2017.06.04 keeps sending an old session's data on a
    /// reused TCP connection (older Reolink firmware among others; retina issue 17), so a
    /// client wants to know the version to send TEARDOWN reliably.
    ///
    /// ```
    /// # use rtsp_proto::sdp::{Presentation, Url};
    /// let p = Presentation::parse(
    ///     b"v=0\r\na=tool:LIVE555 Streaming Media v2013.04.08\r\nm=video 0 RTP/AVP 26\r\n",
    ///     &Url::parse("rtsp://h/")?,
    /// )?;
    /// assert_eq!(p.live555_version(), Some((2013, 4, 8)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn live555_version(&self) -> Option<(u16, u8, u8)> {
        live555_version(self.tool.as_deref()?)
    }
}

/// The version in a live555 product token (`LIVE555 Streaming Media v2013.04.08`), as in
/// `a=tool` or a `Server` header.
pub(crate) fn live555_version(s: &str) -> Option<(u16, u8, u8)> {
    let (_, rest) = s.split_once("LIVE555 Streaming Media v")?;
    let date = rest.split_whitespace().next()?;
    let mut parts = date.split('.');
    let y = parts.next()?.parse().ok()?;
    let m = parts.next()?.parse().ok()?;
    let d = parts.next()?.parse().ok()?;
    Some((y, m, d))
}

/// Turns one `sdp_types::Media` into a [`MediaDescription`], or says why it is unusable.
fn build_media(
    m: &sdp_types::Media,
    line: usize,
    index: usize,
    opts: &ParseOptions,
    diags: &mut Diags,
) -> Result<MediaDescription, &'static str> {
    let line_opt = (line > 0).then_some(line);
    let bad_attr = |diags: &mut Diags, name: &'static str| {
        diags.push(line_opt, Some(index), DiagnosticKind::BadAttribute { name });
    };
    if m.media.is_empty() || m.media.contains(char::is_whitespace) {
        return Err("media type");
    }
    // `sdp-types` splits the m= line at single spaces; re-split proto and formats at any
    // white space (VStarcam ends the line with a tab).
    let proto_fmt = format!("{} {}", m.proto, m.fmt);
    let mut words = proto_fmt.split_whitespace();
    let proto = words.next().ok_or("proto")?.to_owned();
    let mut formats: Vec<Format> = Vec::new();
    for w in words {
        match parse_payload_type(w) {
            Some(pt) if !formats.iter().any(|f| f.payload_type == pt) => formats.push(Format {
                payload_type: pt,
                rtpmap: None,
                rtpmap_from_static_table: false,
                fmtp: Fmtp::default(),
            }),
            Some(_) => {}
            None => diags.push(line_opt, Some(index), DiagnosticKind::BadPayloadType),
        }
    }
    if formats.is_empty() {
        return Err("payload type");
    }

    for v in attrs(&m.attributes, "rtpmap") {
        match parse_rtpmap(v) {
            Ok((pt, map, channels_ok)) => {
                if !channels_ok {
                    bad_attr(diags, "rtpmap");
                }
                if let Some(f) = formats
                    .iter_mut()
                    .find(|f| f.payload_type == pt && f.rtpmap.is_none())
                {
                    f.rtpmap = Some(map);
                }
            }
            Err(()) => bad_attr(diags, "rtpmap"),
        }
    }
    let mut seen_fmtp: Vec<PayloadType> = Vec::new();
    for v in attrs(&m.attributes, "fmtp") {
        let mut dropped = 0usize;
        let parsed = parse_fmtp(v, opts.limits.max_fmtp_params, || dropped += 1);
        if dropped > 0 {
            diags.push(line_opt, Some(index), DiagnosticKind::DroppedFmtpParam);
        }
        match parsed {
            Some((pt, fmtp)) => {
                if seen_fmtp.contains(&pt) {
                    continue;
                }
                seen_fmtp.push(pt);
                if let Some(f) = formats.iter_mut().find(|f| f.payload_type == pt) {
                    f.fmtp = fmtp;
                }
            }
            None => bad_attr(diags, "fmtp"),
        }
    }
    for f in &mut formats {
        if f.rtpmap.is_none() && !f.payload_type.is_dynamic() {
            if let Some((name, rate, channels)) = static_pt::lookup(f.payload_type.0) {
                f.rtpmap = Some(RtpMap {
                    encoding_name: name.to_owned(),
                    clock_rate: rate,
                    channels,
                });
                f.rtpmap_from_static_table = true;
            }
        }
    }

    let control_attr = match first_attr(&m.attributes, "control") {
        Some("") => {
            bad_attr(diags, "control");
            None
        }
        other => other.map(str::to_owned),
    };
    let range = first_attr(&m.attributes, "range").and_then(|v| {
        let r = parse_range(v);
        if r.is_none() {
            bad_attr(diags, "range");
        }
        r
    });
    let mut framerate = None;
    for v in attrs(&m.attributes, "framerate").chain(attrs(&m.attributes, "x-framerate")) {
        match parse_framerate(v) {
            Some(f) => {
                framerate.get_or_insert(f);
            }
            None => bad_attr(diags, "framerate"),
        }
    }
    let mut ssrc = None;
    let mut cname = None;
    for v in attrs(&m.attributes, "ssrc") {
        match sdp_types::Ssrc::from_str(v) {
            Ok(s) => {
                let id = *ssrc.get_or_insert(Ssrc(s.ssrc_id));
                if id == Ssrc(s.ssrc_id)
                    && cname.is_none()
                    && s.attribute.as_str().eq_ignore_ascii_case("cname")
                {
                    cname = s.value.map(|v| v.trim().to_owned());
                }
            }
            Err(_) => bad_attr(diags, "ssrc"),
        }
    }

    Ok(MediaDescription {
        kind: MediaKind::from(m.media.as_str()),
        port: m.port,
        proto,
        formats,
        control: None,
        control_attr,
        direction: Direction::of(&m.attributes),
        range,
        framerate,
        ssrc,
        cname,
        bandwidths: bandwidths(&m.bandwidths),
        rtcp_mux: m.has_attribute("rtcp-mux"),
        connection: m.connections.first().map(Connection::from_sdp),
        title: m.media_title.clone(),
        line,
    })
}
