//! The header table of an RTSP message: ordered, case-insensitive names, repeated headers
//! kept, values as [`Bytes`] that share the decoded message's buffer.
//!
//! Header syntax follows [RFC 7826 §20.2] (`message-header = field-name ":" field-value`).
//!
//! [RFC 7826 §20.2]: https://www.rfc-editor.org/rfc/rfc7826#section-20.2

use super::method::is_token_byte;
use crate::header::{HeaderError, TypedHeader};
use bytes::Bytes;
use std::fmt;
use std::hash::{Hash, Hasher};

/// The name of a header field. Registered names are interned (cheap to compare and to
/// clone); comparisons are ASCII case-insensitive, as the RFCs require.
///
/// ```
/// use rtsp_proto::HeaderName;
/// assert_eq!(HeaderName::parse(b"cseq").unwrap(), HeaderName::CSEQ);
/// assert_eq!(HeaderName::CSEQ.as_str(), "CSeq");
/// assert_eq!(HeaderName::parse(b"X-Custom").unwrap().as_str(), "X-Custom");
/// ```
#[derive(Clone)]
pub struct HeaderName(NameRepr);

#[derive(Clone)]
enum NameRepr {
    Standard(StdName),
    Custom(Bytes),
}

macro_rules! header_names {
    ($( $konst:ident = $variant:ident, $text:literal, $lower:literal; )+) => {
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        enum StdName { $($variant,)+ }

        impl StdName {
            const fn as_str(self) -> &'static str {
                match self { $(StdName::$variant => $text,)+ }
            }
            fn from_lowercase(b: &[u8]) -> Option<StdName> {
                match b { $($lower => Some(StdName::$variant),)+ _ => None }
            }
        }

        impl HeaderName {
            $(
                #[doc = concat!("The `", $text, "` header.")]
                pub const $konst: HeaderName = HeaderName(NameRepr::Standard(StdName::$variant));
            )+
        }
    };
}

header_names! {
    ACCEPT = Accept, "Accept", b"accept";
    ACCEPT_CREDENTIALS = AcceptCredentials, "Accept-Credentials", b"accept-credentials";
    ACCEPT_ENCODING = AcceptEncoding, "Accept-Encoding", b"accept-encoding";
    ACCEPT_LANGUAGE = AcceptLanguage, "Accept-Language", b"accept-language";
    ACCEPT_RANGES = AcceptRanges, "Accept-Ranges", b"accept-ranges";
    ALLOW = Allow, "Allow", b"allow";
    AUTHENTICATION_INFO = AuthenticationInfo, "Authentication-Info", b"authentication-info";
    AUTHORIZATION = Authorization, "Authorization", b"authorization";
    BANDWIDTH = Bandwidth, "Bandwidth", b"bandwidth";
    BLOCKSIZE = Blocksize, "Blocksize", b"blocksize";
    CACHE_CONTROL = CacheControl, "Cache-Control", b"cache-control";
    CONFERENCE = Conference, "Conference", b"conference";
    CONNECTION = Connection, "Connection", b"connection";
    CONNECTION_CREDENTIALS = ConnectionCredentials, "Connection-Credentials", b"connection-credentials";
    CONTENT_BASE = ContentBase, "Content-Base", b"content-base";
    CONTENT_ENCODING = ContentEncoding, "Content-Encoding", b"content-encoding";
    CONTENT_LANGUAGE = ContentLanguage, "Content-Language", b"content-language";
    CONTENT_LENGTH = ContentLength, "Content-Length", b"content-length";
    CONTENT_LOCATION = ContentLocation, "Content-Location", b"content-location";
    CONTENT_TYPE = ContentType, "Content-Type", b"content-type";
    CSEQ = CSeq, "CSeq", b"cseq";
    DATE = Date, "Date", b"date";
    EXPIRES = Expires, "Expires", b"expires";
    FROM = From, "From", b"from";
    IF_MATCH = IfMatch, "If-Match", b"if-match";
    IF_MODIFIED_SINCE = IfModifiedSince, "If-Modified-Since", b"if-modified-since";
    IF_NONE_MATCH = IfNoneMatch, "If-None-Match", b"if-none-match";
    KEYMGMT = KeyMgmt, "KeyMgmt", b"keymgmt";
    LAST_MODIFIED = LastModified, "Last-Modified", b"last-modified";
    LOCATION = Location, "Location", b"location";
    MEDIA_PROPERTIES = MediaProperties, "Media-Properties", b"media-properties";
    MEDIA_RANGE = MediaRange, "Media-Range", b"media-range";
    MTAG = MTag, "MTag", b"mtag";
    NOTIFY_REASON = NotifyReason, "Notify-Reason", b"notify-reason";
    PIPELINED_REQUESTS = PipelinedRequests, "Pipelined-Requests", b"pipelined-requests";
    PROXY_AUTHENTICATE = ProxyAuthenticate, "Proxy-Authenticate", b"proxy-authenticate";
    PROXY_AUTHENTICATION_INFO = ProxyAuthenticationInfo, "Proxy-Authentication-Info", b"proxy-authentication-info";
    PROXY_AUTHORIZATION = ProxyAuthorization, "Proxy-Authorization", b"proxy-authorization";
    PROXY_REQUIRE = ProxyRequire, "Proxy-Require", b"proxy-require";
    PROXY_SUPPORTED = ProxySupported, "Proxy-Supported", b"proxy-supported";
    PUBLIC = Public, "Public", b"public";
    RANGE = Range, "Range", b"range";
    REFERRER = Referrer, "Referrer", b"referrer";
    REFERER = Referer, "Referer", b"referer";
    REQUEST_STATUS = RequestStatus, "Request-Status", b"request-status";
    REQUIRE = Require, "Require", b"require";
    RETRY_AFTER = RetryAfter, "Retry-After", b"retry-after";
    RTP_INFO = RtpInfo, "RTP-Info", b"rtp-info";
    SCALE = Scale, "Scale", b"scale";
    SEEK_STYLE = SeekStyle, "Seek-Style", b"seek-style";
    SERVER = Server, "Server", b"server";
    SESSION = Session, "Session", b"session";
    SPEED = Speed, "Speed", b"speed";
    SUPPORTED = Supported, "Supported", b"supported";
    TERMINATE_REASON = TerminateReason, "Terminate-Reason", b"terminate-reason";
    TIMESTAMP = Timestamp, "Timestamp", b"timestamp";
    TRANSPORT = Transport, "Transport", b"transport";
    UNSUPPORTED = Unsupported, "Unsupported", b"unsupported";
    USER_AGENT = UserAgent, "User-Agent", b"user-agent";
    VIA = Via, "Via", b"via";
    WWW_AUTHENTICATE = WwwAuthenticate, "WWW-Authenticate", b"www-authenticate";
}

/// Error for a header name that is not an RFC 7826 `token`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid header name")]
pub struct InvalidHeaderName;

/// Error for a header value with bytes a header line cannot carry (CR, LF, NUL or other
/// control characters), or that is not UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid header value")]
pub struct InvalidHeaderValue;

const MAX_STD_NAME: usize = 32;

impl HeaderName {
    /// Parses a header name; registered names (in any case) map to their constants.
    pub fn parse(name: &[u8]) -> Result<HeaderName, InvalidHeaderName> {
        if let Some(s) = lookup_std(name) {
            return Ok(HeaderName(NameRepr::Standard(s)));
        }
        validate_name(name)?;
        Ok(HeaderName(NameRepr::Custom(Bytes::copy_from_slice(name))))
    }

    /// Like [`HeaderName::parse`], sharing `name`'s buffer for unregistered names.
    pub fn from_shared(name: Bytes) -> Result<HeaderName, InvalidHeaderName> {
        if let Some(s) = lookup_std(&name) {
            return Ok(HeaderName(NameRepr::Standard(s)));
        }
        validate_name(&name)?;
        Ok(HeaderName(NameRepr::Custom(name)))
    }

    /// A header name from a static string, which must be a valid token. Registered names
    /// map to their constants.
    ///
    /// An invalid static name is a programming error: it yields an (empty-named) header
    /// that [`Headers`] never matches and the encoder refuses to write.
    pub fn from_static(name: &'static str) -> HeaderName {
        if let Some(s) = lookup_std(name.as_bytes()) {
            return HeaderName(NameRepr::Standard(s));
        }
        if validate_name(name.as_bytes()).is_ok() {
            HeaderName(NameRepr::Custom(Bytes::from_static(name.as_bytes())))
        } else {
            debug_assert!(false, "invalid static header name {name:?}");
            HeaderName(NameRepr::Custom(Bytes::new()))
        }
    }

    /// The name: the canonical spelling for registered headers, the peer's spelling for
    /// others.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            NameRepr::Standard(s) => s.as_str(),
            // Validated as token bytes (ASCII) at construction.
            NameRepr::Custom(b) => std::str::from_utf8(b).unwrap_or(""),
        }
    }

    /// True when this is a header registered by RFC 2326 or RFC 7826.
    pub fn is_standard(&self) -> bool {
        matches!(self.0, NameRepr::Standard(_))
    }

    fn eq_str(&self, other: &str) -> bool {
        self.as_str().eq_ignore_ascii_case(other)
    }
}

fn validate_name(name: &[u8]) -> Result<(), InvalidHeaderName> {
    if name.is_empty() || !name.iter().all(|&b| is_token_byte(b)) {
        return Err(InvalidHeaderName);
    }
    Ok(())
}

#[inline]
fn lookup_std(name: &[u8]) -> Option<StdName> {
    if name.len() > MAX_STD_NAME {
        return None;
    }
    let mut buf = [0u8; MAX_STD_NAME];
    let lower = buf.get_mut(..name.len())?;
    for (d, s) in lower.iter_mut().zip(name) {
        *d = s.to_ascii_lowercase();
    }
    StdName::from_lowercase(lower)
}

impl PartialEq for HeaderName {
    fn eq(&self, other: &HeaderName) -> bool {
        match (&self.0, &other.0) {
            (NameRepr::Standard(a), NameRepr::Standard(b)) => a == b,
            (NameRepr::Custom(a), NameRepr::Custom(b)) => a.eq_ignore_ascii_case(b),
            _ => false,
        }
    }
}
impl Eq for HeaderName {}

impl Hash for HeaderName {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for b in self.as_str().bytes() {
            state.write_u8(b.to_ascii_lowercase());
        }
    }
}

impl fmt::Debug for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A header field value: the bytes after the colon, without surrounding whitespace.
///
/// Decoded values are guaranteed UTF-8 without control characters (horizontal tab
/// excepted); values built by the caller are checked the same way.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct HeaderValue(Bytes);

impl HeaderValue {
    /// A value from a static string. Control characters are a programming error: the
    /// value is replaced by an empty one (and a debug build panics).
    pub fn from_static(value: &'static str) -> HeaderValue {
        if validate_value(value.as_bytes()).is_ok() {
            HeaderValue(Bytes::from_static(value.as_bytes()))
        } else {
            debug_assert!(false, "invalid static header value {value:?}");
            HeaderValue(Bytes::new())
        }
    }

    /// A value from bytes, checked: UTF-8, no CR/LF/NUL or other control characters.
    pub fn from_bytes(value: Bytes) -> Result<HeaderValue, InvalidHeaderValue> {
        validate_value(&value)?;
        Ok(HeaderValue(value))
    }

    /// A value from an owned string, checked like [`HeaderValue::from_bytes`].
    pub fn from_string(value: String) -> Result<HeaderValue, InvalidHeaderValue> {
        HeaderValue::from_bytes(Bytes::from(value))
    }

    /// Wraps already validated bytes (used by the decoder).
    pub(crate) fn from_validated(value: Bytes) -> HeaderValue {
        HeaderValue(value)
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The value as a string.
    pub fn as_str(&self) -> &str {
        // Every constructor validates UTF-8.
        std::str::from_utf8(&self.0).unwrap_or("")
    }

    /// The underlying shared buffer.
    pub fn as_shared(&self) -> &Bytes {
        &self.0
    }
}

impl fmt::Debug for HeaderValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for HeaderValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Checks that a header value has no control characters (except HTAB) and is UTF-8.
#[inline]
pub(crate) fn validate_value(v: &[u8]) -> Result<(), InvalidHeaderValue> {
    let mut non_ascii = false;
    for &b in v {
        if (b < 0x20 && b != b'\t') || b == 0x7f {
            return Err(InvalidHeaderValue);
        }
        non_ascii |= b >= 0x80;
    }
    if non_ascii && std::str::from_utf8(v).is_err() {
        return Err(InvalidHeaderValue);
    }
    Ok(())
}

/// Anything that names a header: a [`HeaderName`] or a `&str` (compared
/// case-insensitively).
pub trait AsHeaderName: sealed::Sealed {
    #[doc(hidden)]
    fn matches(&self, name: &HeaderName) -> bool;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::HeaderName {}
    impl Sealed for &super::HeaderName {}
    impl Sealed for &str {}
}

impl AsHeaderName for HeaderName {
    #[inline]
    fn matches(&self, name: &HeaderName) -> bool {
        self == name
    }
}
impl AsHeaderName for &HeaderName {
    #[inline]
    fn matches(&self, name: &HeaderName) -> bool {
        *self == name
    }
}
impl AsHeaderName for &str {
    #[inline]
    fn matches(&self, name: &HeaderName) -> bool {
        name.eq_str(self)
    }
}

/// An ordered list of header fields. Repeated headers are kept in order; lookups are
/// case-insensitive.
///
/// ```
/// use rtsp_proto::{HeaderName, HeaderValue, Headers};
/// use rtsp_proto::header::CSeq;
/// let mut h = Headers::new();
/// h.insert_typed(&CSeq(7));
/// h.append(HeaderName::from_static("X-Note"), HeaderValue::from_static("a"));
/// h.append(HeaderName::from_static("x-note"), HeaderValue::from_static("b"));
/// assert_eq!(h.typed::<CSeq>().unwrap().unwrap(), CSeq(7));
/// assert_eq!(h.get_all("X-NOTE").map(|v| v.as_str()).collect::<Vec<_>>(), ["a", "b"]);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Headers {
    entries: Vec<(HeaderName, HeaderValue)>,
}

impl Headers {
    /// An empty table.
    pub fn new() -> Headers {
        Headers::default()
    }

    /// An empty table with room for `n` fields.
    pub fn with_capacity(n: usize) -> Headers {
        Headers {
            entries: Vec::with_capacity(n),
        }
    }

    /// The number of fields (repeated headers count once each).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are no fields.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The first value of `name`.
    pub fn get(&self, name: impl AsHeaderName) -> Option<&HeaderValue> {
        self.entries
            .iter()
            .find(|(n, _)| name.matches(n))
            .map(|(_, v)| v)
    }

    /// The first value of `name` as a string.
    pub fn get_str(&self, name: impl AsHeaderName) -> Option<&str> {
        self.get(name).map(HeaderValue::as_str)
    }

    /// Every value of `name`, in order.
    pub fn get_all<N: AsHeaderName>(&self, name: N) -> impl Iterator<Item = &HeaderValue> {
        self.entries
            .iter()
            .filter(move |(n, _)| name.matches(n))
            .map(|(_, v)| v)
    }

    /// True when `name` is present.
    pub fn contains(&self, name: impl AsHeaderName) -> bool {
        self.get(name).is_some()
    }

    /// Adds a field after the existing ones, keeping any earlier field of the same name.
    pub fn append(&mut self, name: HeaderName, value: HeaderValue) {
        self.entries.push((name, value));
    }

    /// Sets `name` to `value`: replaces the first field of that name in place and removes
    /// the others, or appends when absent.
    pub fn insert(&mut self, name: HeaderName, value: HeaderValue) {
        match self.entries.iter().position(|(n, _)| *n == name) {
            Some(i) => {
                if let Some(slot) = self.entries.get_mut(i) {
                    slot.1 = value;
                }
                let mut j = 0;
                self.entries.retain(|(n, _)| {
                    let keep = j <= i || *n != name;
                    j += 1;
                    keep
                });
            }
            None => self.entries.push((name, value)),
        }
    }

    /// Removes every field of `name`; returns how many were removed.
    pub fn remove(&mut self, name: impl AsHeaderName) -> usize {
        let before = self.entries.len();
        self.entries.retain(|(n, _)| !name.matches(n));
        before - self.entries.len()
    }

    /// Every field, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&HeaderName, &HeaderValue)> {
        self.entries.iter().map(|(n, v)| (n, v))
    }

    /// Parses the typed header `H`: `None` when absent, otherwise the parse result.
    /// Repeated fields are combined as the header's grammar says (see
    /// [`TypedHeader::parse_values`]).
    pub fn typed<H: TypedHeader>(&self) -> Option<Result<H, HeaderError>> {
        let name = H::name();
        let mut values = self.get_all(&name).map(HeaderValue::as_str).peekable();
        values.peek()?;
        Some(H::parse_values(&mut values))
    }

    /// Sets the typed header `H`, replacing any field of that name.
    pub fn insert_typed<H: TypedHeader>(&mut self, header: &H) {
        let mut s = String::new();
        header.format(&mut s);
        // Typed formatters only write printable text; an invalid result is dropped rather
        // than written to the wire.
        if let Ok(v) = HeaderValue::from_string(s) {
            self.insert(H::name(), v);
        } else {
            debug_assert!(
                false,
                "typed header {} formatted to an invalid value",
                H::name()
            );
        }
    }

    pub(crate) fn push_raw(&mut self, name: HeaderName, value: HeaderValue) {
        self.entries.push((name, value));
    }

    pub(crate) fn last_mut(&mut self) -> Option<&mut (HeaderName, HeaderValue)> {
        self.entries.last_mut()
    }
}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (n, v) in &self.entries {
            if *n == HeaderName::AUTHORIZATION || *n == HeaderName::PROXY_AUTHORIZATION {
                m.entry(n, &"<redacted>");
            } else {
                m.entry(n, v);
            }
        }
        m.finish()
    }
}

impl<'a> IntoIterator for &'a Headers {
    type Item = (&'a HeaderName, &'a HeaderValue);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (HeaderName, HeaderValue)>,
        fn(&'a (HeaderName, HeaderValue)) -> (&'a HeaderName, &'a HeaderValue),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(n, v)| (n, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive() {
        assert_eq!(
            HeaderName::parse(b"CONTENT-LENGTH").unwrap(),
            HeaderName::CONTENT_LENGTH
        );
        assert_eq!(
            HeaderName::parse(b"x-Foo").unwrap(),
            HeaderName::parse(b"X-FOO").unwrap()
        );
        assert!(HeaderName::parse(b"Bad Name").is_err());
        assert!(HeaderName::parse(b"").is_err());
        assert!(HeaderName::parse(b"a:b").is_err());
    }

    #[test]
    fn insert_replaces_all() {
        let mut h = Headers::new();
        h.append(HeaderName::PUBLIC, HeaderValue::from_static("A"));
        h.append(HeaderName::CSEQ, HeaderValue::from_static("1"));
        h.append(HeaderName::PUBLIC, HeaderValue::from_static("B"));
        h.insert(HeaderName::PUBLIC, HeaderValue::from_static("C"));
        let v: Vec<_> = h.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        assert_eq!(v, [("Public", "C"), ("CSeq", "1")]);
        assert_eq!(h.remove("public"), 1);
        assert_eq!(h.len(), 1);
    }

    #[test]
    fn values_validated() {
        assert!(HeaderValue::from_bytes(Bytes::from_static(b"a\tb")).is_ok());
        assert!(HeaderValue::from_bytes(Bytes::from_static(b"a\rb")).is_err());
        assert!(HeaderValue::from_bytes(Bytes::from_static(b"a\0b")).is_err());
        assert!(HeaderValue::from_bytes(Bytes::from_static(b"\xff")).is_err());
        assert!(HeaderValue::from_bytes(Bytes::from("caf\u{e9}")).is_ok());
    }

    #[test]
    fn debug_redacts_credentials() {
        let mut h = Headers::new();
        h.append(
            HeaderName::AUTHORIZATION,
            HeaderValue::from_static("Basic dXNlcjpwYXNz"),
        );
        assert!(!format!("{h:?}").contains("dXNl"));
    }
}
