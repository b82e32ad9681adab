//! Building the description a server sends in a DESCRIBE response ([RFC 2326 C.1],
//! [RFC 7826 D.1]).
//!
//! [RFC 2326 C.1]: https://www.rfc-editor.org/rfc/rfc2326#appendix-C.1
//! [RFC 7826 D.1]: https://www.rfc-editor.org/rfc/rfc7826#appendix-D.1

use super::{Direction, Format, MediaDescription, MediaKind, PayloadType, Presentation, SdpError};
use crate::header::{Range, TypedHeader};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The `a=control` a [`Stream`] gets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum StreamControl {
    /// `trackID=N`, N being the stream's index in the builder (the default).
    #[default]
    TrackId,
    /// This value, relative or absolute.
    Given(String),
    /// No `a=control` (allowed when there is one stream, [RFC 2326 C.3]).
    ///
    /// [RFC 2326 C.3]: https://www.rfc-editor.org/rfc/rfc2326#appendix-C.3
    Omitted,
}

/// One media description for [`PresentationBuilder`].
///
/// ```
/// use rtsp_proto::sdp::{MediaKind, PayloadType, Stream};
/// let aac = Stream::new(MediaKind::Audio, PayloadType(97), "MPEG4-GENERIC", 48_000)
///     .channels(2)
///     .fmtp("mode", "AAC-hbr")
///     .fmtp("config", "1190");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Stream {
    /// The media type.
    pub kind: MediaKind,
    /// The `m=` port; 0 (the default) as RTSP negotiates ports in SETUP.
    pub port: u16,
    /// The transport protocol, `RTP/AVP` by default.
    pub proto: String,
    /// The payload types in order, each with its rtpmap and fmtp.
    pub formats: Vec<Format>,
    /// The `a=control` value.
    pub control: StreamControl,
    /// A media-level `c=` line: address and, for IPv4 multicast, the TTL.
    pub connection: Option<(IpAddr, Option<u8>)>,
    /// `b=AS`, in kbit/s.
    pub bandwidth_as: Option<u64>,
    /// `a=framerate`.
    pub framerate: Option<f64>,
    /// A direction attribute.
    pub direction: Option<Direction>,
    /// `a=rtcp-mux`.
    pub rtcp_mux: bool,
}

impl Stream {
    /// A stream with one payload type and its rtpmap.
    pub fn new(
        kind: MediaKind,
        payload_type: PayloadType,
        encoding: &str,
        clock_rate: u32,
    ) -> Stream {
        Stream {
            kind,
            port: 0,
            proto: "RTP/AVP".to_owned(),
            formats: vec![Format::new(payload_type, encoding, clock_rate)],
            control: StreamControl::TrackId,
            connection: None,
            bandwidth_as: None,
            framerate: None,
            direction: None,
            rtcp_mux: false,
        }
    }

    /// The stream of a parsed media description, with its formats and `a=control` as
    /// written, so that a description can be read, changed and written again.
    pub fn from_media(m: &MediaDescription) -> Stream {
        Stream {
            kind: m.kind.clone(),
            port: m.port,
            proto: m.proto.clone(),
            formats: m.formats.clone(),
            control: m
                .control_attr
                .clone()
                .map_or(StreamControl::Omitted, StreamControl::Given),
            connection: m.connection.as_ref().and_then(|c| Some((c.ip?, c.ttl))),
            bandwidth_as: m.bandwidth_as(),
            framerate: m.framerate,
            direction: m.direction,
            rtcp_mux: m.rtcp_mux,
        }
    }

    fn first_format(&mut self) -> Option<&mut Format> {
        self.formats.first_mut()
    }

    /// Sets the first payload type's channel count.
    pub fn channels(mut self, channels: u16) -> Stream {
        if let Some(map) = self.first_format().and_then(|f| f.rtpmap.as_mut()) {
            map.channels = Some(channels);
        }
        self
    }

    /// Adds an fmtp parameter to the first payload type.
    pub fn fmtp(mut self, key: &str, value: &str) -> Stream {
        if let Some(f) = self.first_format() {
            f.fmtp.params.push((key.to_owned(), value.to_owned()));
        }
        self
    }

    /// Adds another payload type.
    pub fn format(mut self, format: Format) -> Stream {
        self.formats.push(format);
        self
    }

    /// Sets `a=control`.
    pub fn control(mut self, control: StreamControl) -> Stream {
        self.control = control;
        self
    }

    /// Sends the stream to a multicast group: `c=IN IP4 <group>/<ttl>` (the TTL is not
    /// written for IPv6).
    pub fn multicast(mut self, group: IpAddr, ttl: u8) -> Stream {
        self.connection = Some((group, Some(ttl)));
        self
    }

    /// Sets `b=AS` in kbit/s.
    pub fn bandwidth_as(mut self, kbps: u64) -> Stream {
        self.bandwidth_as = Some(kbps);
        self
    }

    /// Sets `a=framerate`.
    pub fn framerate(mut self, fps: f64) -> Stream {
        self.framerate = Some(fps);
        self
    }

    /// Sets a direction attribute.
    pub fn direction(mut self, direction: Direction) -> Stream {
        self.direction = Some(direction);
        self
    }

    /// Sets `a=rtcp-mux`.
    pub fn rtcp_mux(mut self, on: bool) -> Stream {
        self.rtcp_mux = on;
        self
    }
}

/// Builds the SDP a server sends for its streams: `v=0`, an `o=` line with the caller's
/// session id and version, `s=`, `c=IN IP4 0.0.0.0`, `t=0 0`, `a=tool` if given,
/// `a=control:*`, `a=range:npt=now-` (or the given range), then per stream an `m=` line,
/// `c=` for multicast, `b=AS`, `a=rtpmap` and `a=fmtp` per payload type,
/// `a=framerate`, direction, `a=rtcp-mux` and `a=control`. Lines end with CRLF, and the
/// text parses back with [`Presentation::parse`] to the same media.
///
/// ```
/// use rtsp_proto::sdp::{MediaKind, PayloadType, Presentation, PresentationBuilder, Stream, Url};
/// let sdp = PresentationBuilder::new("live")
///     .origin(1, 1, "192.0.2.1".parse()?)
///     .stream(
///         Stream::new(MediaKind::Video, PayloadType(96), "H264", 90_000)
///             .fmtp("packetization-mode", "1"),
///     )
///     .stream(Stream::new(MediaKind::Audio, PayloadType(0), "PCMU", 8000))
///     .build()?;
/// assert!(sdp.starts_with("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=live\r\n"));
/// assert!(sdp.contains("a=control:trackID=1\r\n"));
/// let p = Presentation::parse(sdp.as_bytes(), &Url::parse("rtsp://192.0.2.1/live/")?)?;
/// assert_eq!(p.media[1].control.as_ref().unwrap().as_str(), "rtsp://192.0.2.1/live/trackID=1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PresentationBuilder {
    session_name: String,
    session_id: u64,
    session_version: u64,
    address: IpAddr,
    tool: Option<String>,
    control: Option<String>,
    range: Option<Range>,
    streams: Vec<Stream>,
    max_media: usize,
}

/// How strictly [`check`] reads a value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    /// Free text: only CR, LF and NUL are refused (session name, tool).
    Text,
    /// An attribute value: also no surrounding white space, which parsing would trim.
    Value,
    /// A token: non-empty, no white space at all.
    Token,
}

/// Rejects text that would break the line structure or the field it is written into.
fn check(s: &str, what: &'static str, field: Field, forbidden: &[char]) -> Result<(), SdpError> {
    let bad = s.contains(['\r', '\n', '\0'])
        || s.contains(forbidden)
        || (field == Field::Value && s.trim() != s)
        || (field == Field::Token && (s.is_empty() || s.contains(char::is_whitespace)));
    if bad {
        Err(SdpError::InvalidArgument { what })
    } else {
        Ok(())
    }
}

impl PresentationBuilder {
    /// A builder for a session named `session_name`, origin `- 0 0 IN IP4 0.0.0.0`,
    /// `a=control:*` and `a=range:npt=now-`, with no streams.
    pub fn new(session_name: &str) -> PresentationBuilder {
        PresentationBuilder {
            session_name: session_name.to_owned(),
            session_id: 0,
            session_version: 0,
            address: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            tool: None,
            control: Some("*".to_owned()),
            range: Some(Range::npt_now()),
            streams: Vec::new(),
            max_media: super::Limits::default().max_media,
        }
    }

    /// A builder that writes `p` again: its session name, tool, session-level control and
    /// range, and a [`Stream::from_media`] for each media description.
    pub fn from_presentation(p: &Presentation) -> PresentationBuilder {
        let mut b = PresentationBuilder::new(&p.session_name);
        if let Some(o) = &p.origin {
            b.session_id = o.session_id.parse().unwrap_or(0);
            b.session_version = o.session_version;
            b.address = o.address.parse().unwrap_or(b.address);
        }
        b.tool.clone_from(&p.tool);
        b.control.clone_from(&p.control_attr);
        b.range.clone_from(&p.range);
        b.streams = p.media.iter().map(Stream::from_media).collect();
        b
    }

    /// Sets the `o=` line's session id and version ([RFC 8866 §5.2]: the version must
    /// grow when the description changes) and the originating host's address.
    ///
    /// [RFC 8866 §5.2]: https://www.rfc-editor.org/rfc/rfc8866#section-5.2
    pub fn origin(mut self, session_id: u64, session_version: u64, address: IpAddr) -> Self {
        self.session_id = session_id;
        self.session_version = session_version;
        self.address = address;
        self
    }

    /// Sets `a=tool`.
    pub fn tool(mut self, tool: &str) -> Self {
        self.tool = Some(tool.to_owned());
        self
    }

    /// Sets the session-level `a=control` (`*` by default), or removes it with `None`.
    pub fn control(mut self, control: Option<&str>) -> Self {
        self.control = control.map(str::to_owned);
        self
    }

    /// Sets `a=range` (`npt=now-` by default, for a live stream), or removes it with
    /// `None`.
    pub fn range(mut self, range: Option<Range>) -> Self {
        self.range = range;
        self
    }

    /// Adds a stream.
    pub fn stream(mut self, stream: Stream) -> Self {
        self.streams.push(stream);
        self
    }

    /// Sets the most streams accepted ([`Limits::max_media`](super::Limits::max_media) by
    /// default, so that the crate's own parser reads every one back).
    pub fn max_media(mut self, max: usize) -> Self {
        self.max_media = max;
        self
    }

    /// The description as an `sdp_types::Session`.
    pub fn to_session(&self) -> Result<sdp_types::Session, SdpError> {
        check(&self.session_name, "session name", Field::Text, &[])?;
        if self.streams.len() > self.max_media {
            return Err(SdpError::InvalidArgument {
                what: "number of streams",
            });
        }
        let mut attributes = Vec::new();
        if let Some(t) = &self.tool {
            check(t, "tool", Field::Text, &[])?;
            attributes.push(sdp_types::Attribute::with_value("tool", t));
        }
        if let Some(c) = &self.control {
            check(c, "control", Field::Value, &[])?;
            if c.is_empty() {
                return Err(SdpError::InvalidArgument { what: "control" });
            }
            attributes.push(sdp_types::Attribute::with_value("control", c));
        }
        if let Some(r) = &self.range {
            if r.ranges.is_empty() {
                return Err(SdpError::InvalidArgument { what: "range" });
            }
            attributes.push(sdp_types::Attribute::with_value(
                "range",
                r.to_value_string(),
            ));
        }
        let unspecified = match self.address {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        };
        let mut session = sdp_types::Session::new(
            sdp_types::Origin::with_ip_addr(self.session_id, self.session_version, self.address),
            &self.session_name,
        );
        session.connection = Some(sdp_types::Connection::from_ip_addr(unspecified));
        session.times.push(sdp_types::Time::new(0, 0));
        session.attributes = attributes;
        for (i, s) in self.streams.iter().enumerate() {
            session.medias.push(media(i, s)?);
        }
        Ok(session)
    }

    /// The description as text with CRLF line ends.
    pub fn build(&self) -> Result<String, SdpError> {
        let session = self.to_session()?;
        let mut out = Vec::new();
        // Writing into a Vec cannot fail.
        session
            .write(&mut out)
            .map_err(|_| SdpError::InvalidArgument {
                what: "description",
            })?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

fn media(index: usize, s: &Stream) -> Result<sdp_types::Media, SdpError> {
    check(s.kind.as_str(), "media type", Field::Token, &[])?;
    check(&s.proto, "proto", Field::Token, &[])?;
    if s.formats.is_empty() {
        return Err(SdpError::InvalidArgument {
            what: "stream without payload type",
        });
    }
    let mut pts: Vec<PayloadType> = Vec::new();
    let mut attrs = Vec::new();
    for f in &s.formats {
        let pt = f.payload_type;
        if pt.0 > 127 || pts.contains(&pt) {
            return Err(SdpError::InvalidArgument {
                what: "payload type",
            });
        }
        pts.push(pt);
        if let Some(map) = &f.rtpmap {
            check(&map.encoding_name, "encoding name", Field::Token, &['/'])?;
            if map.clock_rate == 0 || map.channels == Some(0) {
                return Err(SdpError::InvalidArgument { what: "rtpmap" });
            }
            let mut v = format!("{pt} {}/{}", map.encoding_name, map.clock_rate);
            if let Some(c) = map.channels {
                v.push_str(&format!("/{c}"));
            }
            attrs.push(sdp_types::Attribute::with_value("rtpmap", v));
        }
    }
    for f in &s.formats {
        if f.fmtp.is_empty() {
            continue;
        }
        let mut v = format!("{} ", f.payload_type);
        for (i, (k, val)) in f.fmtp.iter().enumerate() {
            check(k, "fmtp parameter", Field::Token, &[';', '='])?;
            check(val, "fmtp value", Field::Value, &[';'])?;
            if i > 0 {
                v.push(';');
            }
            v.push_str(k);
            if !val.is_empty() {
                v.push('=');
                v.push_str(val);
            }
        }
        attrs.push(sdp_types::Attribute::with_value("fmtp", v));
    }
    if let Some(fps) = s.framerate {
        if !fps.is_finite() || fps < 0.0 {
            return Err(SdpError::InvalidArgument { what: "framerate" });
        }
        attrs.push(sdp_types::Attribute::with_value("framerate", fps));
    }
    if let Some(d) = s.direction {
        attrs.push(sdp_types::Attribute::new(d.as_str()));
    }
    if s.rtcp_mux {
        attrs.push(sdp_types::Attribute::new("rtcp-mux"));
    }
    match &s.control {
        StreamControl::TrackId => {
            attrs.push(sdp_types::Attribute::with_value(
                "control",
                format!("trackID={index}"),
            ));
        }
        StreamControl::Given(c) => {
            check(c, "control", Field::Value, &[])?;
            if c.is_empty() {
                return Err(SdpError::InvalidArgument { what: "control" });
            }
            attrs.push(sdp_types::Attribute::with_value("control", c));
        }
        StreamControl::Omitted => {}
    }
    let fmt = pts
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ");
    let mut m = sdp_types::Media {
        media: s.kind.as_str().to_owned(),
        port: s.port,
        num_ports: None,
        proto: s.proto.clone(),
        fmt,
        media_title: None,
        connections: Vec::new(),
        bandwidths: Vec::new(),
        key: None,
        attributes: attrs,
    };
    if let Some((ip, ttl)) = s.connection {
        m.connections
            .push(sdp_types::Connection::from_ip_addr_ttl(ip, ttl));
    }
    if let Some(kbps) = s.bandwidth_as {
        m.bandwidths.push(sdp_types::Bandwidth {
            bwtype: "AS".to_owned(),
            bandwidth: kbps,
        });
    }
    Ok(m)
}
