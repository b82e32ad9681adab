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
    ($( $konst:ident = $variant:ident, $text:literal; )+) => {
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        enum StdName { $($variant,)+ }

        impl StdName {
            const fn as_str(self) -> &'static str {
                match self { $(StdName::$variant => $text,)+ }
            }
        }

        /// Every registered name, in canonical spelling.
        const STD_NAMES: &[(&str, StdName)] = &[$(($text, StdName::$variant),)+];

        impl HeaderName {
            $(
                #[doc = concat!("The `", $text, "` header.")]
                pub const $konst: HeaderName = HeaderName(NameRepr::Standard(StdName::$variant));
            )+
        }
    };
}

header_names! {
    ACCEPT = Accept, "Accept";
    ACCEPT_CREDENTIALS = AcceptCredentials, "Accept-Credentials";
    ACCEPT_ENCODING = AcceptEncoding, "Accept-Encoding";
    ACCEPT_LANGUAGE = AcceptLanguage, "Accept-Language";
    ACCEPT_RANGES = AcceptRanges, "Accept-Ranges";
    ALLOW = Allow, "Allow";
    AUTHENTICATION_INFO = AuthenticationInfo, "Authentication-Info";
    AUTHORIZATION = Authorization, "Authorization";
    BANDWIDTH = Bandwidth, "Bandwidth";
    BLOCKSIZE = Blocksize, "Blocksize";
    CACHE_CONTROL = CacheControl, "Cache-Control";
    CONFERENCE = Conference, "Conference";
    CONNECTION = Connection, "Connection";
    CONNECTION_CREDENTIALS = ConnectionCredentials, "Connection-Credentials";
    CONTENT_BASE = ContentBase, "Content-Base";
    CONTENT_ENCODING = ContentEncoding, "Content-Encoding";
    CONTENT_LANGUAGE = ContentLanguage, "Content-Language";
    CONTENT_LENGTH = ContentLength, "Content-Length";
    CONTENT_LOCATION = ContentLocation, "Content-Location";
    CONTENT_TYPE = ContentType, "Content-Type";
    CSEQ = CSeq, "CSeq";
    DATE = Date, "Date";
    EXPIRES = Expires, "Expires";
    FROM = From, "From";
    IF_MATCH = IfMatch, "If-Match";
    IF_MODIFIED_SINCE = IfModifiedSince, "If-Modified-Since";
    IF_NONE_MATCH = IfNoneMatch, "If-None-Match";
    KEYMGMT = KeyMgmt, "KeyMgmt";
    LAST_MODIFIED = LastModified, "Last-Modified";
    LOCATION = Location, "Location";
    MEDIA_PROPERTIES = MediaProperties, "Media-Properties";
    MEDIA_RANGE = MediaRange, "Media-Range";
    MTAG = MTag, "MTag";
    NOTIFY_REASON = NotifyReason, "Notify-Reason";
    PIPELINED_REQUESTS = PipelinedRequests, "Pipelined-Requests";
    PROXY_AUTHENTICATE = ProxyAuthenticate, "Proxy-Authenticate";
    PROXY_AUTHENTICATION_INFO = ProxyAuthenticationInfo, "Proxy-Authentication-Info";
    PROXY_AUTHORIZATION = ProxyAuthorization, "Proxy-Authorization";
    PROXY_REQUIRE = ProxyRequire, "Proxy-Require";
    PROXY_SUPPORTED = ProxySupported, "Proxy-Supported";
    PUBLIC = Public, "Public";
    RANGE = Range, "Range";
    REFERRER = Referrer, "Referrer";
    REFERER = Referer, "Referer";
    REQUEST_STATUS = RequestStatus, "Request-Status";
    REQUIRE = Require, "Require";
    RETRY_AFTER = RetryAfter, "Retry-After";
    RTP_INFO = RtpInfo, "RTP-Info";
    SCALE = Scale, "Scale";
    SEEK_STYLE = SeekStyle, "Seek-Style";
    SERVER = Server, "Server";
    SESSION = Session, "Session";
    SPEED = Speed, "Speed";
    SUPPORTED = Supported, "Supported";
    TERMINATE_REASON = TerminateReason, "Terminate-Reason";
    TIMESTAMP = Timestamp, "Timestamp";
    TRANSPORT = Transport, "Transport";
    UNSUPPORTED = Unsupported, "Unsupported";
    USER_AGENT = UserAgent, "User-Agent";
    VIA = Via, "Via";
    WWW_AUTHENTICATE = WwwAuthenticate, "WWW-Authenticate";
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

    /// Parses the name `bytes[range]` of a shared buffer without touching the buffer's
    /// reference count for registered names.
    #[inline]
    pub(crate) fn from_shared_range(
        buf: &Bytes,
        range: std::ops::Range<usize>,
    ) -> Result<HeaderName, InvalidHeaderName> {
        let name = buf.get(range.clone()).ok_or(InvalidHeaderName)?;
        if let Some(s) = lookup_std(name) {
            return Ok(HeaderName(NameRepr::Standard(s)));
        }
        validate_name(name)?;
        Ok(HeaderName(NameRepr::Custom(buf.slice(range))))
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

/// Slots of the open-addressing table that maps a name's hash to its `STD_NAMES` index.
const NAME_SLOTS: usize = 256;

/// Case-insensitive hash of a header name from its length and three of its bytes.
// `n > 0` is checked first, so every index is in bounds; `get` is not usable in a const fn.
#[allow(clippy::indexing_slicing)]
const fn name_hash(b: &[u8]) -> usize {
    let n = b.len();
    if n == 0 {
        return 0;
    }
    // `| 0x20` folds ASCII letters to lower case (and leaves `-` and digits alone).
    let first = (b[0] | 0x20) as usize;
    let mid = (b[n / 2] | 0x20) as usize;
    let last = (b[n - 1] | 0x20) as usize;
    (n.wrapping_mul(37) ^ first.wrapping_mul(7) ^ mid.wrapping_mul(131) ^ last.wrapping_mul(17))
        % NAME_SLOTS
}

/// `STD_NAMES` index + 1 per slot (0 = empty), built at compile time with linear probing.
// Evaluated by the compiler: an out-of-bounds index would fail the build, not panic.
#[allow(clippy::indexing_slicing)]
const NAME_TABLE: [u8; NAME_SLOTS] = {
    let mut table = [0u8; NAME_SLOTS];
    let mut i = 0;
    while i < STD_NAMES.len() {
        let mut slot = name_hash(STD_NAMES[i].0.as_bytes());
        while table[slot] != 0 {
            slot = (slot + 1) % NAME_SLOTS;
        }
        table[slot] = (i + 1) as u8;
        i += 1;
    }
    table
};

#[inline]
fn lookup_std(name: &[u8]) -> Option<StdName> {
    if name.is_empty() || name.len() > MAX_STD_NAME {
        return None;
    }
    let mut slot = name_hash(name);
    loop {
        let idx = usize::from(*NAME_TABLE.get(slot)?);
        let (text, std) = STD_NAMES.get(idx.checked_sub(1)?)?;
        if text.as_bytes() == name || text.as_bytes().eq_ignore_ascii_case(name) {
            return Some(*std);
        }
        slot = (slot + 1) % NAME_SLOTS;
    }
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
    // Fast path, eight bytes at a time: printable ASCII passes; anything else (controls,
    // tab, DEL, non-ASCII) sends the value to the exact check below.
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut chunks = v.chunks_exact(8);
    let mut suspect = 0u64;
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let y = x & !HI;
        // Per byte, with no carries between bytes since y < 0x80: the high bit of
        // y + 0x60 is clear for y < 0x20, and the high bit of y + 1 is set for y == 0x7f.
        suspect |= !(y + 0x60 * LO) | (y + LO) | x;
    }
    let tail_ok = chunks
        .remainder()
        .iter()
        .all(|&b| (0x20..0x7f).contains(&b));
    if suspect & HI == 0 && tail_ok {
        return Ok(());
    }
    let mut bad = false;
    let mut high = 0u8;
    for &b in v {
        bad |= (b < 0x20 && b != b'\t') | (b == 0x7f);
        high |= b;
    }
    if bad || (high >= 0x80 && std::str::from_utf8(v).is_err()) {
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
    fn every_registered_name_is_found_in_any_case() {
        assert!(STD_NAMES.len() < 255);
        for (text, std) in STD_NAMES {
            assert_eq!(lookup_std(text.as_bytes()), Some(*std));
            assert_eq!(lookup_std(text.to_ascii_uppercase().as_bytes()), Some(*std));
            assert_eq!(lookup_std(text.to_ascii_lowercase().as_bytes()), Some(*std));
        }
        assert_eq!(lookup_std(b"X-Unknown"), None);
        assert_eq!(lookup_std(b"CSeqq"), None);
        assert_eq!(lookup_std(b""), None);
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
    fn value_validation_matches_a_plain_scan() {
        let plain = |v: &[u8]| {
            v.iter().all(|&b| (b >= 0x20 || b == b'\t') && b != 0x7f)
                && std::str::from_utf8(v).is_ok()
        };
        let mut samples: Vec<Vec<u8>> = vec![b"RTP/AVP;unicast;client_port=1-2".to_vec()];
        for b in 0..=255u8 {
            for pos in [0usize, 3, 7, 8, 12, 16] {
                let mut v = b"0123456789abcdefgh".to_vec();
                v[pos] = b;
                samples.push(v);
            }
        }
        samples.push("caf\u{e9} na\u{ef}ve \u{1F600} text".as_bytes().to_vec());
        for v in samples {
            assert_eq!(validate_value(&v).is_ok(), plain(&v), "{v:?}");
        }
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
