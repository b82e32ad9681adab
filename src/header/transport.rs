//! `Transport`: how a stream's media is carried ([RFC 2326 §12.39], [RFC 7826 §18.54]).
//!
//! [RFC 2326 §12.39]: https://www.rfc-editor.org/rfc/rfc2326#section-12.39
//! [RFC 7826 §18.54]: https://www.rfc-editor.org/rfc/rfc7826#section-18.54

use super::basic::parse_decimal;
use super::syntax::{is_token, split_outside_quotes, split_param, unquote, write_quoted};
use super::{HeaderError, HeaderErrorKind, TypedHeader};
use crate::message::HeaderName;
use std::fmt::Write as _;

/// `Transport`: the transport specifications a client offers in SETUP, in order of
/// preference, or the one a server chose in its reply ([RFC 2326 §12.39],
/// [RFC 7826 §18.54]).
///
/// Repeated `Transport` lines are combined into one list (see
/// [`TypedHeader::parse_values`]); at most [`Transport::MAX_SPECS`] specifications are
/// accepted in total.
///
/// ```
/// use rtsp_proto::header::{Transport, TypedHeader, ChannelRange, Mode};
/// let t = Transport::parse("RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=30A98EE7;mode=\"PLAY\"")?;
/// let spec = &t.0[0];
/// assert!(spec.is_tcp());
/// assert_eq!(spec.interleaved, Some(ChannelRange::pair(0)));
/// assert_eq!(spec.mode, [Mode::Play]);
/// # Ok::<(), rtsp_proto::header::HeaderError>(())
/// ```
///
/// [RFC 2326 §12.39]: https://www.rfc-editor.org/rfc/rfc2326#section-12.39
/// [RFC 7826 §18.54]: https://www.rfc-editor.org/rfc/rfc7826#section-18.54
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Transport(pub Vec<TransportSpec>);

impl Transport {
    /// The most transport specifications accepted in one message (all lines together).
    pub const MAX_SPECS: usize = 16;

    /// The first (most preferred) specification, if any.
    pub fn first(&self) -> Option<&TransportSpec> {
        self.0.first()
    }

    fn parse_into(value: &str, out: &mut Vec<TransportSpec>) -> Result<(), HeaderError> {
        for (off, piece) in split_outside_quotes(value, b',') {
            // Empty list elements (`a,,b`, a trailing comma) are skipped, as RFC 7826
            // §20.1 allows for `#rule` lists.
            if piece.trim().is_empty() {
                continue;
            }
            if out.len() >= Transport::MAX_SPECS {
                return Err(err(
                    off,
                    HeaderErrorKind::TooMany {
                        what: "transport specs",
                        limit: Transport::MAX_SPECS,
                    },
                ));
            }
            out.push(TransportSpec::parse_at(piece, off)?);
        }
        Ok(())
    }
}

impl TypedHeader for Transport {
    fn name() -> HeaderName {
        HeaderName::TRANSPORT
    }

    fn parse(value: &str) -> Result<Transport, HeaderError> {
        Transport::parse_values(std::iter::once(value))
    }

    fn parse_values<'a, I: Iterator<Item = &'a str>>(values: I) -> Result<Self, HeaderError> {
        let mut specs = Vec::new();
        for value in values {
            Transport::parse_into(value, &mut specs)?;
        }
        if specs.is_empty() {
            return Err(err(0, HeaderErrorKind::Missing("transport-spec")));
        }
        Ok(Transport(specs))
    }

    fn format(&self, out: &mut String) {
        for (i, spec) in self.0.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            spec.format(out);
        }
    }
}

pub use crate::Ssrc;

/// One transport specification: the transport identifier (`RTP/AVP/TCP`) and its
/// parameters ([RFC 2326 §12.39], [RFC 7826 §18.54]).
///
/// Every parameter is a public field; absent parameters are `None`, empty lists or
/// `false`. Parameters this crate does not know are kept, in order, in
/// [`other`](TransportSpec::other), so that a proxy can pass them on. Formatting writes
/// the known parameters in a fixed order, then the unknown ones.
///
/// Parameter names are matched case-insensitively; a known parameter given twice is an
/// error (`unicast;multicast` has no meaning). Empty parameters (`RTP/AVP;;unicast;`)
/// are skipped.
///
/// Background: devices deviate from the grammar in ways this parser accepts:
/// - `ssrc` may appear anywhere, e.g. before `interleaved`
///   (`RTP/AVP/TCP;ssrc=22345684;interleaved=0-1`, Luckfox rkipc, retina issue 120);
/// - `ssrc` with leading spaces (`ssrc= 7C3E51A1`, Hikvision and Dahua cameras), with an
///   odd number of hex digits (`ssrc=4317f`, MediaMTX issue 396) or as `ssrc=0` (the
///   GStreamer RTSP server replying to FFmpeg): 1 to 8 hex digits are accepted;
/// - `mode=play`, `mode=PLAY` and `mode="PLAY"`: modes are case-insensitive and may be
///   unquoted; `mode=receive` (FFmpeg's listening server) means `RECORD` (see [`Mode`]);
/// - an empty `source=` (MediaMTX issue 986) and an empty `destination=` are treated as
///   absent;
/// - a TCP reply without `interleaved` (gortsplib issue 142) is accepted: the field is
///   simply `None`, and the caller decides which channels to assume.
///
/// Not supported: an `ssrc` glued to the previous parameter without a `;`
/// (`client_port=5000-5001ssrc=FFFFCCCC`, Victure PC730, MediaMTX issue 762) is an error.
///
/// [RFC 2326 §12.39]: https://www.rfc-editor.org/rfc/rfc2326#section-12.39
/// [RFC 7826 §18.54]: https://www.rfc-editor.org/rfc/rfc7826#section-18.54
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct TransportSpec {
    /// The transport identifier: protocol, profile and lower transport.
    pub id: TransportId,
    /// `unicast` or `multicast`.
    pub delivery: Option<Delivery>,
    /// `destination`: the address media is sent to (RTSP 1.0; a host, in some servers
    /// with a port). A bare `destination` or an empty value is read as `None`.
    pub destination: Option<String>,
    /// `source`: the address media comes from, when not the RTSP server's (RTSP 1.0).
    /// An empty value is read as `None`.
    pub source: Option<String>,
    /// `interleaved`: the channels of RTP and RTCP on the RTSP connection.
    pub interleaved: Option<ChannelRange>,
    /// `ttl`: the multicast time-to-live.
    pub ttl: Option<u8>,
    /// `layers`: the number of multicast layers.
    pub layers: Option<u32>,
    /// `port`: the multicast RTP and RTCP ports (RTSP 1.0).
    pub port: Option<PortRange>,
    /// `client_port`: the client's unicast RTP and RTCP ports (RTSP 1.0).
    pub client_port: Option<PortRange>,
    /// `server_port`: the server's unicast RTP and RTCP ports (RTSP 1.0).
    pub server_port: Option<PortRange>,
    /// `ssrc`: the synchronization sources (one in RTSP 1.0, a `/` list in 2.0), at most
    /// [`TransportSpec::MAX_LIST`].
    pub ssrc: Vec<Ssrc>,
    /// `mode`: what the session does; empty means the default, `PLAY`. At most
    /// [`TransportSpec::MAX_LIST`].
    pub mode: Vec<Mode>,
    /// `append`: RECORD appends to the resource rather than replacing it (RTSP 1.0).
    pub append: bool,
    /// `dest_addr`: where media is sent, as `host:port`, `:port` or an extension address
    /// (RTSP 2.0); usually an RTP then an RTCP address. At most
    /// [`TransportSpec::MAX_LIST`].
    pub dest_addr: Vec<String>,
    /// `src_addr`: where media is sent from, in the same form as `dest_addr` (RTSP 2.0).
    pub src_addr: Vec<String>,
    /// `setup`: which side opens a TCP media connection ([RFC 4145]).
    ///
    /// [RFC 4145]: https://www.rfc-editor.org/rfc/rfc4145
    pub setup: Option<SetupRole>,
    /// `connection`: whether to open a new TCP media connection ([RFC 4145]).
    ///
    /// [RFC 4145]: https://www.rfc-editor.org/rfc/rfc4145
    pub connection: Option<ConnectionReuse>,
    /// `RTCP-mux`: RTP and RTCP share one port or channel ([RFC 5761]).
    ///
    /// [RFC 5761]: https://www.rfc-editor.org/rfc/rfc5761
    pub rtcp_mux: bool,
    /// `MIKEY`: the base64 MIKEY message for SRTP key exchange ([RFC 3830]).
    ///
    /// [RFC 3830]: https://www.rfc-editor.org/rfc/rfc3830
    pub mikey: Option<String>,
    /// Unknown parameters in order, as (name, value without quotes). At most
    /// [`TransportSpec::MAX_LIST`].
    pub other: Vec<(String, Option<String>)>,
}

impl TransportSpec {
    /// The most items accepted in each list parameter (`ssrc`, `mode`, `dest_addr`,
    /// `src_addr`) and in the unknown parameters.
    pub const MAX_LIST: usize = 16;

    /// A specification with the given identifier and no parameters.
    pub fn new(id: TransportId) -> TransportSpec {
        TransportSpec {
            id,
            delivery: None,
            destination: None,
            source: None,
            interleaved: None,
            ttl: None,
            layers: None,
            port: None,
            client_port: None,
            server_port: None,
            ssrc: Vec::new(),
            mode: Vec::new(),
            append: false,
            dest_addr: Vec::new(),
            src_addr: Vec::new(),
            setup: None,
            connection: None,
            rtcp_mux: false,
            mikey: None,
            other: Vec::new(),
        }
    }

    /// `RTP/AVP;unicast;client_port=<ports>`: the usual RTSP 1.0 UDP offer.
    pub fn udp_unicast(client_port: PortRange) -> TransportSpec {
        let mut spec = TransportSpec::new(TransportId::RTP_AVP);
        spec.delivery = Some(Delivery::Unicast);
        spec.client_port = Some(client_port);
        spec
    }

    /// `RTP/AVP/TCP;unicast;interleaved=<channels>`: the usual interleaved offer.
    pub fn tcp_interleaved(channels: ChannelRange) -> TransportSpec {
        let mut spec = TransportSpec::new(TransportId::RTP_AVP_TCP);
        spec.delivery = Some(Delivery::Unicast);
        spec.interleaved = Some(channels);
        spec
    }

    /// True when media goes over TCP (the lower transport is `TCP`), usually interleaved
    /// on the RTSP connection.
    pub fn is_tcp(&self) -> bool {
        self.id.is_tcp()
    }

    /// True for `multicast` delivery.
    pub fn is_multicast(&self) -> bool {
        self.delivery == Some(Delivery::Multicast)
    }

    /// True when the modes include `RECORD` (or its alias `receive`).
    pub fn is_record(&self) -> bool {
        self.mode.contains(&Mode::Record)
    }

    /// True when the modes include `PLAY`, or no mode is given (PLAY is the default).
    pub fn is_play(&self) -> bool {
        self.mode.is_empty() || self.mode.contains(&Mode::Play)
    }

    /// The SSRC of the first (usually the only) stream, if given.
    pub fn first_ssrc(&self) -> Option<Ssrc> {
        self.ssrc.first().copied()
    }

    fn parse_at(text: &str, base: usize) -> Result<TransportSpec, HeaderError> {
        let mut parts = split_outside_quotes(text, b';');
        let (_, id_text) = parts.next().unwrap_or((0, ""));
        let id_pos = base + leading_ws(id_text);
        let id = TransportId::parse(id_text.trim()).map_err(|kind| err(id_pos, kind))?;
        let mut spec = TransportSpec::new(id);
        for (off, raw) in parts {
            let pos = base + off + leading_ws(raw);
            let p = raw.trim();
            if p.is_empty() {
                continue;
            }
            spec.apply_param(p, pos)?;
        }
        Ok(spec)
    }

    fn apply_param(&mut self, p: &str, pos: usize) -> Result<(), HeaderError> {
        let (name, value) = split_param(p);
        // Position of the value, for errors: after the `=` and any spaces.
        let vpos = match p.find('=') {
            Some(i) => {
                let after = p.get(i + 1..).unwrap_or("");
                pos + i + 1 + leading_ws(after)
            }
            None => pos,
        };
        let dup = || err(pos, HeaderErrorKind::Syntax("tr-parameter"));
        let Some(known) = Param::lookup(name) else {
            if !is_token(name) {
                return Err(err(pos, HeaderErrorKind::Syntax("par-name")));
            }
            if self.other.len() >= TransportSpec::MAX_LIST {
                return Err(err(
                    pos,
                    HeaderErrorKind::TooMany {
                        what: "transport parameters",
                        limit: TransportSpec::MAX_LIST,
                    },
                ));
            }
            let value = match value {
                Some(v) => Some(
                    unquote(v)
                        .ok_or(err(vpos, HeaderErrorKind::Syntax("quoted-string")))?
                        .into_owned(),
                ),
                None => None,
            };
            self.other.push((name.to_owned(), value));
            return Ok(());
        };
        if known.is_flag() {
            if value.is_some() {
                return Err(err(vpos, HeaderErrorKind::Syntax("tr-parameter")));
            }
            let slot = match known {
                Param::Unicast | Param::Multicast => {
                    if self.delivery.is_some() {
                        return Err(dup());
                    }
                    self.delivery = Some(if known == Param::Unicast {
                        Delivery::Unicast
                    } else {
                        Delivery::Multicast
                    });
                    return Ok(());
                }
                Param::Append => &mut self.append,
                _ => &mut self.rtcp_mux,
            };
            if *slot {
                return Err(dup());
            }
            *slot = true;
            return Ok(());
        }
        // `destination` and `source` may be bare or empty: both mean "absent".
        if matches!(known, Param::Destination | Param::Source) {
            let text = match value {
                Some(v) => unquote(v).ok_or(err(vpos, HeaderErrorKind::Syntax("quoted-string")))?,
                None => std::borrow::Cow::Borrowed(""),
            };
            let slot = if known == Param::Destination {
                &mut self.destination
            } else {
                &mut self.source
            };
            if slot.is_some() {
                return Err(dup());
            }
            if !text.is_empty() {
                *slot = Some(text.into_owned());
            }
            return Ok(());
        }
        let Some(v) = value else {
            return Err(err(pos, HeaderErrorKind::Missing(known.rule())));
        };
        let e = |kind| err(vpos, kind);
        match known {
            Param::Interleaved => {
                set_once(&mut self.interleaved, ChannelRange::parse(v).map_err(e)?)
                    .map_err(|()| dup())?;
            }
            Param::Ttl => {
                let n = parse_decimal(v, 255).map_err(|k| e(num_kind(k, "ttl")))?;
                set_once(&mut self.ttl, n as u8).map_err(|()| dup())?;
            }
            Param::Layers => {
                let n =
                    parse_decimal(v, u64::from(u32::MAX)).map_err(|k| e(num_kind(k, "layers")))?;
                set_once(&mut self.layers, n as u32).map_err(|()| dup())?;
            }
            Param::Port | Param::ClientPort | Param::ServerPort => {
                let range = PortRange::parse(v).map_err(e)?;
                let slot = match known {
                    Param::Port => &mut self.port,
                    Param::ClientPort => &mut self.client_port,
                    _ => &mut self.server_port,
                };
                set_once(slot, range).map_err(|()| dup())?;
            }
            Param::Ssrc => {
                if !self.ssrc.is_empty() {
                    return Err(dup());
                }
                self.ssrc = parse_list(v, vpos, "ssrcs", |s| parse_ssrc(s.trim()))?;
            }
            Param::Mode => {
                if !self.mode.is_empty() {
                    return Err(dup());
                }
                self.mode = parse_modes(v, vpos)?;
            }
            Param::DestAddr | Param::SrcAddr => {
                let list = parse_list(v, vpos, "addresses", |s| match unquote(s) {
                    Some(a) if !a.is_empty() => Ok(a.into_owned()),
                    Some(_) => Err(HeaderErrorKind::Missing("quoted-addr")),
                    None => Err(HeaderErrorKind::Syntax("quoted-addr")),
                })?;
                let slot = if known == Param::DestAddr {
                    &mut self.dest_addr
                } else {
                    &mut self.src_addr
                };
                if !slot.is_empty() {
                    return Err(dup());
                }
                *slot = list;
            }
            Param::Setup => {
                let role = SetupRole::parse(strip_quotes(v))
                    .ok_or(e(HeaderErrorKind::Syntax("contrans-setup")))?;
                set_once(&mut self.setup, role).map_err(|()| dup())?;
            }
            Param::Connection => {
                let c = ConnectionReuse::parse(strip_quotes(v))
                    .ok_or(e(HeaderErrorKind::Syntax("contrans-con")))?;
                set_once(&mut self.connection, c).map_err(|()| dup())?;
            }
            Param::Mikey => {
                let v = strip_quotes(v);
                if v.is_empty() || !v.bytes().all(is_base64_byte) {
                    return Err(e(HeaderErrorKind::Syntax("MIKEY-Value")));
                }
                set_once(&mut self.mikey, v.to_owned()).map_err(|()| dup())?;
            }
            // Flags, destination and source were handled above.
            _ => return Err(dup()),
        }
        Ok(())
    }

    fn format(&self, out: &mut String) {
        self.id.format(out);
        match self.delivery {
            Some(Delivery::Unicast) => out.push_str(";unicast"),
            Some(Delivery::Multicast) => out.push_str(";multicast"),
            None => {}
        }
        if let Some(d) = &self.destination {
            out.push_str(";destination=");
            write_value(out, d);
        }
        if let Some(s) = &self.source {
            out.push_str(";source=");
            write_value(out, s);
        }
        if let Some(ch) = self.interleaved {
            out.push_str(";interleaved=");
            ch.format(out);
        }
        if let Some(ttl) = self.ttl {
            let _ = write!(out, ";ttl={ttl}");
        }
        if let Some(layers) = self.layers {
            let _ = write!(out, ";layers={layers}");
        }
        for (name, range) in [
            ("port", self.port),
            ("client_port", self.client_port),
            ("server_port", self.server_port),
        ] {
            if let Some(r) = range {
                let _ = write!(out, ";{name}=");
                r.format(out);
            }
        }
        if !self.ssrc.is_empty() {
            out.push_str(";ssrc=");
            for (i, s) in self.ssrc.iter().enumerate() {
                if i > 0 {
                    out.push('/');
                }
                let _ = write!(out, "{:08X}", s.0);
            }
        }
        if !self.mode.is_empty() {
            out.push_str(";mode=\"");
            for (i, m) in self.mode.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(m.as_str());
            }
            out.push('"');
        }
        if self.append {
            out.push_str(";append");
        }
        for (name, list) in [("dest_addr", &self.dest_addr), ("src_addr", &self.src_addr)] {
            if list.is_empty() {
                continue;
            }
            let _ = write!(out, ";{name}=");
            for (i, a) in list.iter().enumerate() {
                if i > 0 {
                    out.push('/');
                }
                write_quoted(out, a);
            }
        }
        if let Some(s) = self.setup {
            out.push_str(";setup=");
            out.push_str(s.as_str());
        }
        if let Some(c) = self.connection {
            out.push_str(";connection=");
            out.push_str(c.as_str());
        }
        if self.rtcp_mux {
            out.push_str(";RTCP-mux");
        }
        if let Some(m) = &self.mikey {
            out.push_str(";MIKEY=");
            out.push_str(m);
        }
        for (name, value) in &self.other {
            out.push(';');
            out.push_str(name);
            if let Some(v) = value {
                out.push('=');
                write_value(out, v);
            }
        }
    }
}

/// The transport identifier that starts a specification: `RTP/<profile>[/<lower>]`, or
/// another `token *("/" token)` kept as text ([RFC 7826 §18.54]).
///
/// The `RTP` part and the known profile and lower-transport names are matched
/// case-insensitively and written in upper case.
///
/// [RFC 7826 §18.54]: https://www.rfc-editor.org/rfc/rfc7826#section-18.54
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportId {
    /// `RTP/<profile>[/<lower-transport>]`. Without a lower transport, RTP runs over
    /// UDP; `lower` is `None` so that `RTP/AVP` and `RTP/AVP/UDP` stay distinct on the
    /// wire.
    Rtp {
        /// The RTP profile.
        profile: Profile,
        /// The lower transport, when written.
        lower: Option<LowerTransport>,
    },
    /// Another transport, e.g. `MP2T/H2221/UDP`, as written.
    Other(String),
}

impl TransportId {
    /// `RTP/AVP` (UDP implied).
    pub const RTP_AVP: TransportId = TransportId::Rtp {
        profile: Profile::Avp,
        lower: None,
    };
    /// `RTP/AVP/UDP`.
    pub const RTP_AVP_UDP: TransportId = TransportId::Rtp {
        profile: Profile::Avp,
        lower: Some(LowerTransport::Udp),
    };
    /// `RTP/AVP/TCP`.
    pub const RTP_AVP_TCP: TransportId = TransportId::Rtp {
        profile: Profile::Avp,
        lower: Some(LowerTransport::Tcp),
    };

    /// True when the lower transport is TCP.
    pub fn is_tcp(&self) -> bool {
        match self {
            TransportId::Rtp { lower, .. } => *lower == Some(LowerTransport::Tcp),
            TransportId::Other(s) => s
                .rsplit('/')
                .next()
                .is_some_and(|l| l.eq_ignore_ascii_case("TCP")),
        }
    }

    fn parse(s: &str) -> Result<TransportId, HeaderErrorKind> {
        const MAX_PARTS: usize = 8;
        if s.is_empty() {
            return Err(HeaderErrorKind::Missing("transport-id"));
        }
        let mut n = 0;
        for part in s.split('/') {
            n += 1;
            if n > MAX_PARTS || !is_token(part) {
                return Err(HeaderErrorKind::Syntax("transport-id"));
            }
        }
        let mut parts = s.split('/');
        let proto = parts.next().unwrap_or("");
        if proto.eq_ignore_ascii_case("RTP") && (2..=3).contains(&n) {
            let profile = Profile::from_name(parts.next().unwrap_or(""));
            let lower = parts.next().map(LowerTransport::from_name);
            return Ok(TransportId::Rtp { profile, lower });
        }
        Ok(TransportId::Other(s.to_owned()))
    }

    fn format(&self, out: &mut String) {
        match self {
            TransportId::Rtp { profile, lower } => {
                out.push_str("RTP/");
                out.push_str(profile.as_str());
                if let Some(l) = lower {
                    out.push('/');
                    out.push_str(l.as_str());
                }
            }
            TransportId::Other(s) => out.push_str(s),
        }
    }
}

/// An RTP profile ([RFC 7826 §18.54]).
///
/// [RFC 7826 §18.54]: https://www.rfc-editor.org/rfc/rfc7826#section-18.54
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Profile {
    /// `AVP`: the audio/video profile ([RFC 3551]).
    ///
    /// [RFC 3551]: https://www.rfc-editor.org/rfc/rfc3551
    Avp,
    /// `AVPF`: AVP with feedback ([RFC 4585]).
    ///
    /// [RFC 4585]: https://www.rfc-editor.org/rfc/rfc4585
    Avpf,
    /// `SAVP`: secure RTP ([RFC 3711]).
    ///
    /// [RFC 3711]: https://www.rfc-editor.org/rfc/rfc3711
    Savp,
    /// `SAVPF`: secure RTP with feedback ([RFC 5124]).
    ///
    /// [RFC 5124]: https://www.rfc-editor.org/rfc/rfc5124
    Savpf,
    /// Another profile token, as written (never one of the names above).
    Other(String),
}

impl Profile {
    /// The profile's name as written in a Transport header.
    pub fn as_str(&self) -> &str {
        match self {
            Profile::Avp => "AVP",
            Profile::Avpf => "AVPF",
            Profile::Savp => "SAVP",
            Profile::Savpf => "SAVPF",
            Profile::Other(s) => s,
        }
    }

    fn from_name(s: &str) -> Profile {
        [Profile::Avp, Profile::Avpf, Profile::Savp, Profile::Savpf]
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s))
            .unwrap_or_else(|| Profile::Other(s.to_owned()))
    }
}

/// The lower transport under RTP ([RFC 7826 §18.54]).
///
/// [RFC 7826 §18.54]: https://www.rfc-editor.org/rfc/rfc7826#section-18.54
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LowerTransport {
    /// `UDP` (the default when none is written).
    Udp,
    /// `TCP`: interleaved on the RTSP connection, or a separate TCP connection.
    Tcp,
    /// Another token, as written (never `UDP` or `TCP`).
    Other(String),
}

impl LowerTransport {
    /// The name as written in a Transport header.
    pub fn as_str(&self) -> &str {
        match self {
            LowerTransport::Udp => "UDP",
            LowerTransport::Tcp => "TCP",
            LowerTransport::Other(s) => s,
        }
    }

    fn from_name(s: &str) -> LowerTransport {
        if s.eq_ignore_ascii_case("UDP") {
            LowerTransport::Udp
        } else if s.eq_ignore_ascii_case("TCP") {
            LowerTransport::Tcp
        } else {
            LowerTransport::Other(s.to_owned())
        }
    }
}

/// `unicast` or `multicast` delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Delivery {
    /// Media goes to one receiver.
    Unicast,
    /// Media goes to a multicast group.
    Multicast,
}

/// A transport `mode` ([RFC 2326 §12.39], [RFC 7826 §18.54]).
///
/// Matched case-insensitively, written in upper case.
///
/// Background: FFmpeg's listening server (`-rtsp_flags listen`) answers a RECORD set-up
/// with `mode=receive`; it is read as [`Mode::Record`] (gortsplib does the same).
///
/// [RFC 2326 §12.39]: https://www.rfc-editor.org/rfc/rfc2326#section-12.39
/// [RFC 7826 §18.54]: https://www.rfc-editor.org/rfc/rfc7826#section-18.54
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mode {
    /// `PLAY`: the server sends media (the default).
    Play,
    /// `RECORD` (or `receive`): the client sends media.
    Record,
    /// Another mode token, as written (never one of the names above).
    Other(String),
}

impl Mode {
    /// The mode's name as written in a Transport header.
    pub fn as_str(&self) -> &str {
        match self {
            Mode::Play => "PLAY",
            Mode::Record => "RECORD",
            Mode::Other(s) => s,
        }
    }

    fn from_name(s: &str) -> Mode {
        if s.eq_ignore_ascii_case("PLAY") {
            Mode::Play
        } else if s.eq_ignore_ascii_case("RECORD") || s.eq_ignore_ascii_case("receive") {
            Mode::Record
        } else {
            Mode::Other(s.to_owned())
        }
    }
}

/// The `setup` parameter: which side opens a TCP media connection ([RFC 7826 §18.54],
/// [RFC 4145 §4]).
///
/// [RFC 7826 §18.54]: https://www.rfc-editor.org/rfc/rfc7826#section-18.54
/// [RFC 4145 §4]: https://www.rfc-editor.org/rfc/rfc4145#section-4
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetupRole {
    /// `active`: this side connects.
    Active,
    /// `passive`: this side accepts.
    Passive,
    /// `actpass`: either.
    ActPass,
}

impl SetupRole {
    /// The value as written.
    pub fn as_str(self) -> &'static str {
        match self {
            SetupRole::Active => "active",
            SetupRole::Passive => "passive",
            SetupRole::ActPass => "actpass",
        }
    }

    fn parse(s: &str) -> Option<SetupRole> {
        [SetupRole::Active, SetupRole::Passive, SetupRole::ActPass]
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s))
    }
}

/// The `connection` parameter: open a new TCP media connection or reuse one
/// ([RFC 7826 §18.54], [RFC 4145 §5]).
///
/// [RFC 7826 §18.54]: https://www.rfc-editor.org/rfc/rfc7826#section-18.54
/// [RFC 4145 §5]: https://www.rfc-editor.org/rfc/rfc4145#section-5
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionReuse {
    /// `new`.
    New,
    /// `existing`.
    Existing,
}

impl ConnectionReuse {
    /// The value as written.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionReuse::New => "new",
            ConnectionReuse::Existing => "existing",
        }
    }

    fn parse(s: &str) -> Option<ConnectionReuse> {
        [ConnectionReuse::New, ConnectionReuse::Existing]
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s))
    }
}

/// Interleaved channels: `interleaved=n[-m]`, each 0 to 255 ([RFC 2326 §10.12]).
///
/// By convention RTP uses `start` and RTCP `end` (or `start + 1` when only one channel
/// is given).
///
/// [RFC 2326 §10.12]: https://www.rfc-editor.org/rfc/rfc2326#section-10.12
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChannelRange {
    /// The first channel (RTP).
    pub start: u8,
    /// The second channel (RTCP), when written.
    pub end: Option<u8>,
}

impl ChannelRange {
    /// A single channel, `interleaved=n`.
    pub const fn single(start: u8) -> ChannelRange {
        ChannelRange { start, end: None }
    }

    /// The pair `n-(n+1)` (saturating at 255).
    pub const fn pair(start: u8) -> ChannelRange {
        ChannelRange {
            start,
            end: Some(start.saturating_add(1)),
        }
    }

    /// The RTP channel.
    pub const fn rtp(self) -> u8 {
        self.start
    }

    /// The RTCP channel: `end`, or `start + 1` when absent (`None` if `start` is 255).
    pub const fn rtcp(self) -> Option<u8> {
        match self.end {
            Some(e) => Some(e),
            None => self.start.checked_add(1),
        }
    }

    fn parse(s: &str) -> Result<ChannelRange, HeaderErrorKind> {
        let (a, b) = split_range(s);
        let chan = |t: &str| {
            parse_decimal(t.trim(), 255)
                .map(|n| n as u8)
                .map_err(|k| num_kind(k, "channel"))
        };
        Ok(ChannelRange {
            start: chan(a)?,
            end: b.map(chan).transpose()?,
        })
    }

    fn format(self, out: &mut String) {
        let _ = write!(out, "{}", self.start);
        if let Some(e) = self.end {
            let _ = write!(out, "-{e}");
        }
    }
}

/// A UDP port or port pair: `port[-port]`.
///
/// By convention RTP uses `start` (even) and RTCP `end` (`start + 1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PortRange {
    /// The first port (RTP).
    pub start: u16,
    /// The second port (RTCP), when written.
    pub end: Option<u16>,
}

impl PortRange {
    /// A single port.
    pub const fn single(start: u16) -> PortRange {
        PortRange { start, end: None }
    }

    /// The pair `n-(n+1)` (saturating at 65535).
    pub const fn pair(start: u16) -> PortRange {
        PortRange {
            start,
            end: Some(start.saturating_add(1)),
        }
    }

    /// The RTP port.
    pub const fn rtp(self) -> u16 {
        self.start
    }

    /// The RTCP port: `end`, or `start + 1` when absent (`None` if `start` is 65535).
    pub const fn rtcp(self) -> Option<u16> {
        match self.end {
            Some(e) => Some(e),
            None => self.start.checked_add(1),
        }
    }

    fn parse(s: &str) -> Result<PortRange, HeaderErrorKind> {
        let (a, b) = split_range(s);
        let port = |t: &str| {
            parse_decimal(t.trim(), 65535)
                .map(|n| n as u16)
                .map_err(|k| num_kind(k, "port"))
        };
        Ok(PortRange {
            start: port(a)?,
            end: b.map(port).transpose()?,
        })
    }

    fn format(self, out: &mut String) {
        let _ = write!(out, "{}", self.start);
        if let Some(e) = self.end {
            let _ = write!(out, "-{e}");
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Param {
    Unicast,
    Multicast,
    Destination,
    Source,
    Interleaved,
    Append,
    Ttl,
    Layers,
    Port,
    ClientPort,
    ServerPort,
    Ssrc,
    Mode,
    DestAddr,
    SrcAddr,
    Setup,
    Connection,
    RtcpMux,
    Mikey,
}

impl Param {
    const TABLE: [(&'static str, Param); 19] = [
        ("unicast", Param::Unicast),
        ("multicast", Param::Multicast),
        ("destination", Param::Destination),
        ("source", Param::Source),
        ("interleaved", Param::Interleaved),
        ("append", Param::Append),
        ("ttl", Param::Ttl),
        ("layers", Param::Layers),
        ("port", Param::Port),
        ("client_port", Param::ClientPort),
        ("server_port", Param::ServerPort),
        ("ssrc", Param::Ssrc),
        ("mode", Param::Mode),
        ("dest_addr", Param::DestAddr),
        ("src_addr", Param::SrcAddr),
        ("setup", Param::Setup),
        ("connection", Param::Connection),
        ("RTCP-mux", Param::RtcpMux),
        ("MIKEY", Param::Mikey),
    ];

    fn lookup(name: &str) -> Option<Param> {
        Param::TABLE
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, p)| p)
    }

    fn is_flag(self) -> bool {
        matches!(
            self,
            Param::Unicast | Param::Multicast | Param::Append | Param::RtcpMux
        )
    }

    /// The ABNF rule of the parameter's value.
    fn rule(self) -> &'static str {
        match self {
            Param::Interleaved => "channel",
            Param::Ttl => "ttl",
            Param::Layers => "layers",
            Param::Port | Param::ClientPort | Param::ServerPort => "port",
            Param::Ssrc => "ssrc",
            Param::Mode => "mode-spec",
            Param::DestAddr | Param::SrcAddr => "addr-list",
            Param::Setup => "contrans-setup",
            Param::Connection => "contrans-con",
            Param::Mikey => "MIKEY-Value",
            _ => "tr-parameter",
        }
    }
}

fn err(pos: usize, kind: HeaderErrorKind) -> HeaderError {
    HeaderError::new(HeaderName::TRANSPORT, pos, kind)
}

/// Byte length of the leading whitespace of `s`.
pub(crate) fn leading_ws(s: &str) -> usize {
    s.len() - s.trim_start().len()
}

/// Names the rule in a numeric error from [`parse_decimal`].
pub(crate) fn num_kind(kind: HeaderErrorKind, rule: &'static str) -> HeaderErrorKind {
    match kind {
        HeaderErrorKind::OutOfRange(_) => HeaderErrorKind::OutOfRange(rule),
        HeaderErrorKind::Missing(_) => HeaderErrorKind::Missing(rule),
        _ => HeaderErrorKind::Syntax(rule),
    }
}

fn set_once<T>(slot: &mut Option<T>, value: T) -> Result<(), ()> {
    if slot.is_some() {
        return Err(());
    }
    *slot = Some(value);
    Ok(())
}

fn split_range(s: &str) -> (&str, Option<&str>) {
    match s.split_once('-') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    }
}

fn strip_quotes(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
        .trim()
}

fn is_base64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

/// Parses a `/`-separated list (outside quotes), at most [`TransportSpec::MAX_LIST`]
/// items.
fn parse_list<T>(
    v: &str,
    vpos: usize,
    what: &'static str,
    mut item: impl FnMut(&str) -> Result<T, HeaderErrorKind>,
) -> Result<Vec<T>, HeaderError> {
    let mut out = Vec::new();
    for (off, piece) in split_outside_quotes(v, b'/') {
        if out.len() >= TransportSpec::MAX_LIST {
            return Err(err(
                vpos + off,
                HeaderErrorKind::TooMany {
                    what,
                    limit: TransportSpec::MAX_LIST,
                },
            ));
        }
        out.push(item(piece).map_err(|k| err(vpos + off + leading_ws(piece), k))?);
    }
    Ok(out)
}

/// Parses 1 to 8 hex digits (RFC: exactly 8; see the Background on [`TransportSpec`]).
fn parse_ssrc(s: &str) -> Result<Ssrc, HeaderErrorKind> {
    if s.is_empty() {
        return Err(HeaderErrorKind::Missing("ssrc"));
    }
    if s.len() > 8 {
        return Err(HeaderErrorKind::OutOfRange("ssrc"));
    }
    if !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(HeaderErrorKind::Syntax("ssrc"));
    }
    u32::from_str_radix(s, 16)
        .map(Ssrc)
        .map_err(|_| HeaderErrorKind::Syntax("ssrc"))
}

fn parse_modes(v: &str, vpos: usize) -> Result<Vec<Mode>, HeaderError> {
    let inner = unquote(v).ok_or(err(vpos, HeaderErrorKind::Syntax("mode-spec")))?;
    let mut out = Vec::new();
    for piece in inner.split(',') {
        let m = piece.trim();
        if m.is_empty() {
            continue;
        }
        if !is_token(m) {
            return Err(err(vpos, HeaderErrorKind::Syntax("mode")));
        }
        if out.len() >= TransportSpec::MAX_LIST {
            return Err(err(
                vpos,
                HeaderErrorKind::TooMany {
                    what: "modes",
                    limit: TransportSpec::MAX_LIST,
                },
            ));
        }
        out.push(Mode::from_name(m));
    }
    Ok(out)
}

/// True when `s` can be written without quotes in a parameter value: printable ASCII
/// without separators, quotes, backslashes or spaces.
fn is_bare_value(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && !matches!(b, b';' | b',' | b'"' | b'\\'))
}

/// Writes a parameter value bare when possible, quoted otherwise.
pub(crate) fn write_value(out: &mut String, s: &str) {
    if is_bare_value(s) {
        out.push_str(s);
    } else {
        write_quoted(out, s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Transport {
        match Transport::parse(s) {
            Ok(t) => t,
            Err(e) => panic!("{s:?}: {e}"),
        }
    }

    fn one(s: &str) -> TransportSpec {
        let t = parse(s);
        assert_eq!(t.0.len(), 1, "{s:?}");
        t.0.into_iter().next().unwrap()
    }

    /// Parses, formats, parses again, and checks both values are equal.
    fn round_trip(s: &str) -> Transport {
        let t = parse(s);
        let text = t.to_value_string();
        let again = Transport::parse(&text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(t, again, "{s:?} -> {text:?}");
        t
    }

    /// Every distinct Transport line of `/work/shared/corpus` (ffmpeg, GStreamer and the
    /// camera transcripts).
    const CORPUS: &[&str] = &[
        "RTP/AVP/TCP;ssrc=22345684;interleaved=0-1",
        "RTP/AVP/TCP;unicast;destination=192.168.1.210;source=192.168.1.110;interleaved=0-1",
        "RTP/AVP/TCP;unicast;destination=192.168.1.210;source=192.168.1.110;interleaved=2-3",
        "RTP/AVP/TCP;unicast;destination=192.168.1.210;source=192.168.5.206;interleaved=0-1",
        "RTP/AVP/TCP;unicast;interleaved=0-1",
        "RTP/AVP/TCP;unicast;interleaved=0-1;mode=\"RECORD\"",
        "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record",
        "RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=021BFC0A;mode=\"PLAY\"",
        "RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=30A98EE7",
        "RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=3AA6C3DC;mode=\"PLAY\"",
        "RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=4cacc3d1;mode=\"play\"",
        "RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=65691BF7;mode=\"PLAY\"",
        "RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=6E113210;mode=\"PLAY\"",
        "RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=ADCF07AA;mode=\"PLAY\"",
        "RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=D6539351;mode=\"PLAY\"",
        "RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=D74CA3A3;mode=\"PLAY\"",
        "RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=ED9F8401;mode=\"PLAY\"",
        "RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=FC90DC24;mode=\"PLAY\"",
        "RTP/AVP/TCP;unicast;interleaved=2-3",
        "RTP/AVP/TCP;unicast;interleaved=2-3;mode=\"RECORD\"",
        "RTP/AVP/TCP;unicast;interleaved=2-3;mode=record",
        "RTP/AVP/TCP;unicast;interleaved=2-3;ssrc=0300F768;mode=\"PLAY\"",
        "RTP/AVP/TCP;unicast;interleaved=2-3;ssrc=8C878B21;mode=\"PLAY\"",
        "RTP/AVP/TCP;unicast;interleaved=2-3;ssrc=B12E6771;mode=\"PLAY\"",
        "RTP/AVP/TCP;unicast;mode=receive;interleaved=0-1",
        "RTP/AVP/TCP;unicast;mode=receive;interleaved=2-3",
        "RTP/AVP/UDP;unicast;client_port=42146-42147",
        "RTP/AVP/UDP;unicast;client_port=42386-42387",
        "RTP/AVP/UDP;unicast;client_port=42448-42449",
        "RTP/AVP/UDP;unicast;client_port=44084-44085;mode=record",
        "RTP/AVP/UDP;unicast;client_port=44086-44087;mode=record",
        "RTP/AVP/UDP;unicast;client_port=44192-44193;mode=record",
        "RTP/AVP/UDP;unicast;client_port=44194-44195;mode=record",
        "RTP/AVP/UDP;unicast;mode=receive;source=127.0.0.1;client_port=44084-44085;server_port=46000-46001",
        "RTP/AVP/UDP;unicast;mode=receive;source=127.0.0.1;client_port=44086-44087;server_port=46002-46003",
        "RTP/AVP;unicast;client_port=42146-42147;server_port=41000-41001;ssrc=72DFD39B;mode=\"PLAY\"",
        "RTP/AVP;unicast;client_port=42386-42387;server_port=41002-41003;ssrc=094177F2;mode=\"PLAY\"",
        "RTP/AVP;unicast;client_port=42448-42449;server_port=41000-41001;ssrc=B37F05E8;mode=\"PLAY\"",
        "RTP/AVP;unicast;client_port=43000-43001",
        "RTP/AVP;unicast;client_port=43000-43001;server_port=41000-41001;ssrc=6D6B71B2;mode=\"PLAY\"",
        "RTP/AVP;unicast;client_port=43002-43003",
        "RTP/AVP;unicast;client_port=43002-43003;server_port=41002-41003;ssrc=83075A63;mode=\"PLAY\"",
        "RTP/AVP;unicast;client_port=44192-44193;server_port=41002-41003;mode=\"RECORD\"",
        "RTP/AVP;unicast;client_port=44194-44195;server_port=41000-41001;mode=\"RECORD\"",
        "RTP/AVP;unicast;mode=PLAY;source=127.0.0.1;client_port=18714-18715;server_port=40004-40005;ssrc=0",
        "RTP/AVP;unicast;mode=PLAY;source=127.0.0.1;client_port=18716-18717;server_port=40006-40007;ssrc=0",
    ];

    #[test]
    fn corpus_parses_and_round_trips() {
        for line in CORPUS {
            let t = round_trip(line);
            let spec = t.first().unwrap();
            assert!(matches!(spec.id, TransportId::Rtp { .. }), "{line}");
            assert!(spec.other.is_empty(), "{line}: {:?}", spec.other);
        }
    }

    /// The corpus file list above is complete: compare with the live corpus when it is
    /// present on this machine (skipped elsewhere).
    #[test]
    fn corpus_table_matches_files() {
        let Ok(dirs) = std::fs::read_dir("/work/shared/corpus") else {
            return;
        };
        let mut files = Vec::new();
        for d in dirs.flatten() {
            let p = d.path();
            files.push(p.join("rtsp_transcript.txt"));
            if p.ends_with("cameras") {
                for f in std::fs::read_dir(&p).into_iter().flatten().flatten() {
                    if f.path().extension().is_some_and(|e| e == "txt") {
                        files.push(f.path());
                    }
                }
            }
        }
        let mut checked = 0;
        for f in files {
            let Ok(text) = std::fs::read(&f) else {
                continue;
            };
            let text = String::from_utf8_lossy(&text);
            for line in text.lines() {
                let Some((name, value)) = line.split_once(':') else {
                    continue;
                };
                if name.eq_ignore_ascii_case("transport") {
                    let value = value.trim();
                    assert!(CORPUS.contains(&value), "{f:?}: {value}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 0);
    }

    #[test]
    fn quirk_ssrc_before_interleaved() {
        // Luckfox rkipc, retina issue 120.
        let s = one("RTP/AVP/TCP;ssrc=22345684;interleaved=0-1");
        assert_eq!(s.ssrc, [Ssrc(0x2234_5684)]);
        assert_eq!(s.interleaved, Some(ChannelRange::pair(0)));
        assert!(s.is_tcp());
    }

    #[test]
    fn quirk_ssrc_leading_spaces() {
        // Hikvision / Dahua.
        let s = one("RTP/AVP/TCP;unicast;interleaved=0-1;ssrc= 7C3E51A1");
        assert_eq!(s.first_ssrc(), Some(Ssrc(0x7C3E_51A1)));
        let s = one("RTP/AVP;unicast;ssrc=   7C3E51A1;client_port=1000-1001");
        assert_eq!(s.first_ssrc(), Some(Ssrc(0x7C3E_51A1)));
    }

    #[test]
    fn quirk_ssrc_odd_length_and_zero() {
        // MediaMTX issue 396.
        assert_eq!(
            one("RTP/AVP;unicast;ssrc=4317f").first_ssrc(),
            Some(Ssrc(0x4317f))
        );
        assert_eq!(one("RTP/AVP;unicast;ssrc=0").first_ssrc(), Some(Ssrc(0)));
        assert_eq!(
            round_trip("RTP/AVP;ssrc=0").to_value_string(),
            "RTP/AVP;ssrc=00000000"
        );
    }

    #[test]
    fn quirk_modes() {
        for (text, mode) in [
            ("mode=receive", Mode::Record),
            ("mode=\"PLAY\"", Mode::Play),
            ("mode=play", Mode::Play),
            ("mode=PLAY", Mode::Play),
            ("mode=\"play\"", Mode::Play),
            ("mode=record", Mode::Record),
            ("mode=\"RECORD\"", Mode::Record),
            ("mode=Receive", Mode::Record),
            ("mode=\"X-PUSH\"", Mode::Other("X-PUSH".into())),
        ] {
            let s = one(&format!("RTP/AVP/TCP;unicast;{text};interleaved=0-1"));
            assert_eq!(s.mode, [mode], "{text}");
        }
        let s = one("RTP/AVP;unicast;mode=\"PLAY,RECORD\"");
        assert_eq!(s.mode, [Mode::Play, Mode::Record]);
        assert!(s.is_play() && s.is_record());
        let s = one("RTP/AVP;unicast;mode=\"PLAY, RECORD\"");
        assert_eq!(s.mode, [Mode::Play, Mode::Record]);
        assert!(one("RTP/AVP").is_play());
        assert!(!one("RTP/AVP").is_record());
    }

    #[test]
    fn quirk_tcp_reply_without_interleaved() {
        // gortsplib issue 142.
        let s = one("RTP/AVP/TCP;unicast;ssrc=1234ABCD;mode=\"PLAY\"");
        assert!(s.is_tcp());
        assert_eq!(s.interleaved, None);
    }

    #[test]
    fn quirk_empty_source() {
        // MediaMTX issue 986.
        let s = one("RTP/AVP;unicast;source=;client_port=5000-5001;server_port=6000-6001");
        assert_eq!(s.source, None);
        assert_eq!(s.server_port, Some(PortRange::pair(6000)));
        let s = one("RTP/AVP;unicast;destination;client_port=5000-5001");
        assert_eq!(s.destination, None);
    }

    #[test]
    fn glued_ssrc_is_an_error() {
        // Victure PC730, MediaMTX issue 762: not supported.
        assert!(Transport::parse("RTP/AVP;unicast;client_port=5000-5001ssrc=FFFFCCCC").is_err());
    }

    #[test]
    fn rfc2326_examples() {
        // §12.39
        let t = round_trip(
            "RTP/AVP;multicast;ttl=127;mode=\"PLAY\",\r\n RTP/AVP;unicast;client_port=3456-3457;mode=\"PLAY\"",
        );
        assert_eq!(t.0.len(), 2);
        assert!(t.0[0].is_multicast());
        assert_eq!(t.0[0].ttl, Some(127));
        assert_eq!(t.0[1].client_port, Some(PortRange::pair(3456)));
        // §10.4 and §14
        for line in [
            "RTP/AVP;unicast;client_port=4588-4589",
            "RTP/AVP;unicast;client_port=4588-4589;server_port=6256-6257",
            "RTP/AVP/UDP;unicast;client_port=3056-3057",
            "RTP/AVP/UDP;unicast;client_port=3056-3057;server_port=5000-5001",
            "RTP/AVP/UDP;unicast;client_port=3058-3059;server_port=5002-5003",
            "RTP/AVP;unicast;client_port=8000-8001",
            "RTP/AVP;unicast;client_port=8000-8001;server_port=9000-9001",
            "RTP/AVP;multicast;destination=224.2.0.1;port=3456-3457;ttl=16",
            "RTP/AVP;multicast;destination=224.0.1.11;port=21010-21011;mode=record;ttl=127",
            "RTP/AVP;multicast;ttl=127;mode=\"RECORD\";append",
            "RTP/AVP/TCP;interleaved=0-1",
            "RTP/AVP;unicast;layers=2;destination=192.0.2.3",
        ] {
            round_trip(line);
        }
        let s =
            one("RTP/AVP;multicast;destination=224.0.1.11;port=21010-21011;mode=record;ttl=127");
        assert_eq!(s.destination.as_deref(), Some("224.0.1.11"));
        assert_eq!(s.port, Some(PortRange::pair(21010)));
        assert!(s.is_record());
    }

    #[test]
    fn rfc7826_examples() {
        // §18.54 and Appendix A.
        for line in [
            "RTP/AVP;multicast;ttl=127;mode=\"PLAY\", RTP/AVP/UDP;unicast;dest_addr=\":3456\"/\":3457\";mode=\"PLAY\"",
            "RTP/AVP/UDP;unicast;dest_addr=\":3056\"/\":3057\", RTP/AVP/TCP;unicast;interleaved=0-1",
            "RTP/AVP/UDP;unicast;dest_addr=\":3056\"/\":3057\";src_addr=\"192.0.2.5:5000\"/\"192.0.2.5:5001\";ssrc=2A3F93ED",
            "RTP/AVP/UDP;multicast;dest_addr=\"224.2.0.1:3456\"/\"224.2.0.1:3457\";ttl=16",
            "RTP/AVP/UDP;unicast;dest_addr=\"[2001:db8::1]:8000\"/\"[2001:db8::1]:8001\"",
            "RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=2A3F93ED/1234ABCD;RTCP-mux",
            "RTP/SAVPF/TCP;unicast;dest_addr=\"192.0.2.1:6000\";setup=actpass;connection=new;MIKEY=AQAFgM0XflABAAAAAAAAAAAAAAsAyO+=",
            "RTP/AVPF/UDP;unicast;dest_addr=\":6970\";RTCP-mux",
            "RTP/SAVP;unicast;client_port=6970-6971",
            "MP2T/H2221/UDP;unicast;dest_addr=\"192.0.2.5:3456\"",
        ] {
            round_trip(line);
        }
        let s = one("RTP/AVP/UDP;unicast;dest_addr=\":3056\"/\":3057\";src_addr=\"192.0.2.5:5000\"/\"192.0.2.5:5001\";ssrc=2A3F93ED");
        assert_eq!(s.dest_addr, [":3056", ":3057"]);
        assert_eq!(s.src_addr, ["192.0.2.5:5000", "192.0.2.5:5001"]);
        let s = one("RTP/SAVPF/TCP;unicast;setup=actpass;connection=existing;RTCP-mux");
        assert_eq!(
            s.id,
            TransportId::Rtp {
                profile: Profile::Savpf,
                lower: Some(LowerTransport::Tcp)
            }
        );
        assert_eq!(s.setup, Some(SetupRole::ActPass));
        assert_eq!(s.connection, Some(ConnectionReuse::Existing));
        assert!(s.rtcp_mux);
        assert!(one("MP2T/H2221/TCP").is_tcp());
        assert_eq!(
            one("MP2T/H2221/UDP").id,
            TransportId::Other("MP2T/H2221/UDP".into())
        );
    }

    #[test]
    fn ids() {
        for (text, profile, lower) in [
            ("RTP/AVP", Profile::Avp, None),
            ("RTP/AVP/UDP", Profile::Avp, Some(LowerTransport::Udp)),
            ("rtp/avp/tcp", Profile::Avp, Some(LowerTransport::Tcp)),
            ("RTP/AVPF", Profile::Avpf, None),
            ("RTP/SAVP/UDP", Profile::Savp, Some(LowerTransport::Udp)),
            ("RTP/SAVPF/TCP", Profile::Savpf, Some(LowerTransport::Tcp)),
            (
                "RTP/X-FOO/SCTP",
                Profile::Other("X-FOO".into()),
                Some(LowerTransport::Other("SCTP".into())),
            ),
        ] {
            assert_eq!(one(text).id, TransportId::Rtp { profile, lower }, "{text}");
        }
        assert_eq!(
            Transport(vec![TransportSpec::new(TransportId::RTP_AVP_UDP)]).to_value_string(),
            "RTP/AVP/UDP"
        );
    }

    #[test]
    fn unknown_parameters_kept_in_order() {
        let t = round_trip("RTP/AVP;unicast;x-foo=1;client_port=1-2;x-bar;x-baz=\"a b;c\"");
        let s = t.first().unwrap();
        assert_eq!(
            s.other,
            [
                ("x-foo".to_owned(), Some("1".to_owned())),
                ("x-bar".to_owned(), None),
                ("x-baz".to_owned(), Some("a b;c".to_owned())),
            ]
        );
        assert_eq!(
            t.to_value_string(),
            "RTP/AVP;unicast;client_port=1-2;x-foo=1;x-bar;x-baz=\"a b;c\""
        );
    }

    #[test]
    fn whitespace_and_empty_params() {
        let s = one(" RTP/AVP ; unicast ; client_port = 5000 - 5001 ; ; ");
        assert_eq!(s.client_port, Some(PortRange::pair(5000)));
        assert_eq!(s.delivery, Some(Delivery::Unicast));
    }

    #[test]
    fn formats_canonically() {
        let mut spec = TransportSpec::tcp_interleaved(ChannelRange::pair(2));
        spec.ssrc = vec![Ssrc(0xABC)];
        spec.mode = vec![Mode::Play];
        assert_eq!(
            Transport(vec![spec, TransportSpec::udp_unicast(PortRange::pair(5000))])
                .to_value_string(),
            "RTP/AVP/TCP;unicast;interleaved=2-3;ssrc=00000ABC;mode=\"PLAY\", RTP/AVP;unicast;client_port=5000-5001"
        );
    }

    #[test]
    fn ranges_helpers() {
        assert_eq!(ChannelRange::single(4).rtcp(), Some(5));
        assert_eq!(ChannelRange::single(255).rtcp(), None);
        assert_eq!(
            PortRange::pair(65535),
            PortRange {
                start: 65535,
                end: Some(65535)
            }
        );
        assert_eq!(PortRange::single(7000).rtcp(), Some(7001));
        assert_eq!(
            one("RTP/AVP/TCP;interleaved=7").interleaved,
            Some(ChannelRange::single(7))
        );
    }

    #[test]
    fn repeated_lines_combine() {
        let t = Transport::parse_values(
            [
                "RTP/AVP;unicast;client_port=1-2",
                "RTP/AVP/TCP;interleaved=0-1",
            ]
            .into_iter(),
        )
        .unwrap();
        assert_eq!(t.0.len(), 2);
        let many = vec!["RTP/AVP"; Transport::MAX_SPECS + 1];
        let e = Transport::parse_values(many.into_iter()).unwrap_err();
        assert!(matches!(e.kind, HeaderErrorKind::TooMany { .. }));
    }

    #[test]
    fn through_headers() {
        use crate::{HeaderValue, Headers};
        let mut h = Headers::new();
        for v in [
            "RTP/AVP;unicast;client_port=1000-1001",
            "RTP/AVP/TCP;interleaved=0-1",
        ] {
            h.append(HeaderName::TRANSPORT, HeaderValue::from_static(v));
        }
        let t = h.typed::<Transport>().unwrap().unwrap();
        assert_eq!(t.0.len(), 2);
        assert!(t.0[1].is_tcp());
        let mut out = Headers::new();
        out.insert_typed(&t);
        assert_eq!(
            out.get_str(HeaderName::TRANSPORT),
            Some("RTP/AVP;unicast;client_port=1000-1001, RTP/AVP/TCP;interleaved=0-1")
        );
    }

    #[test]
    fn errors_name_rule_and_position() {
        let e = Transport::parse("RTP/AVP;interleaved=999999").unwrap_err();
        assert_eq!(e.kind, HeaderErrorKind::OutOfRange("channel"));
        assert_eq!(e.pos, 20);
        let e = Transport::parse("RTP/AVP;client_port=70000").unwrap_err();
        assert_eq!(e.kind, HeaderErrorKind::OutOfRange("port"));
        let e = Transport::parse("RTP/AVP;ttl").unwrap_err();
        assert_eq!(e.kind, HeaderErrorKind::Missing("ttl"));
        assert_eq!(e.pos, 8);
        let e = Transport::parse("RTP/AVP;unicast;multicast").unwrap_err();
        assert_eq!(e.kind, HeaderErrorKind::Syntax("tr-parameter"));
        assert_eq!(e.pos, 16);
        let e = Transport::parse("RTP/AVP;ssrc=123456789").unwrap_err();
        assert_eq!(e.kind, HeaderErrorKind::OutOfRange("ssrc"));
        assert_eq!(e.header, HeaderName::TRANSPORT);
    }

    #[test]
    fn nasty_inputs_are_errors_not_panics() {
        for bad in [
            "",
            " ",
            ";",
            ";;;",
            ",",
            ",,",
            "RTP/AVP;interleaved=999999",
            "RTP/AVP;interleaved=0-256",
            "RTP/AVP;interleaved=-",
            "RTP/AVP;interleaved=",
            "RTP/AVP;client_port=70000",
            "RTP/AVP;client_port=1-70000",
            "RTP/AVP;client_port=99999999999999999999999999",
            "RTP/AVP;port=a-b",
            "RTP/AVP;ttl=256",
            "RTP/AVP;layers=4294967296",
            "RTP/AVP;ssrc=",
            "RTP/AVP;ssrc=xyz",
            "RTP/AVP;ssrc=1/",
            "RTP/AVP;mode=\"PLAY",
            "RTP/AVP;mode=\"PL AY\"",
            "RTP/AVP;destination=\"open",
            "RTP/AVP;x=\"open",
            "RTP/AVP;dest_addr=\"\"",
            "RTP/AVP;dest_addr=\"a\"/",
            "RTP/AVP;setup=sideways",
            "RTP/AVP;connection=old",
            "RTP/AVP;MIKEY=",
            "RTP/AVP;MIKEY=not base64!",
            "RTP/AVP;unicast=1",
            "RTP/AVP;append;append",
            "RTP/AVP;x y=1",
            "RTP/AVP;\u{e9}t\u{e9}=1",
            "\u{1F600}",
            "RTP/AVP;mode=\u{e9}",
            "RTP//AVP",
            "RTP/AVP/",
            "/",
            "\"",
            "RTP/AVP;ssrc=1;ssrc=2",
        ] {
            assert!(Transport::parse(bad).is_err(), "{bad:?}");
        }
        let many_ssrc = format!("RTP/AVP;ssrc={}", vec!["1"; 17].join("/"));
        assert!(Transport::parse(&many_ssrc).is_err());
        let many_other = format!("RTP/AVP{}", ";x".repeat(17));
        assert!(Transport::parse(&many_other).is_err());
        let many_modes = format!("RTP/AVP;mode=\"{}\"", vec!["PLAY"; 17].join(","));
        assert!(Transport::parse(&many_modes).is_err());
    }
}
