//! RTSP methods ([RFC 2326 §6.1], [RFC 7826 §13]).
//!
//! [RFC 2326 §6.1]: https://www.rfc-editor.org/rfc/rfc2326#section-6.1
//! [RFC 7826 §13]: https://www.rfc-editor.org/rfc/rfc7826#section-13

use bytes::Bytes;
use std::fmt;

/// An RTSP method: one of the methods registered by RFC 2326 and RFC 7826, or an
/// extension method token.
///
/// Methods compare case-sensitively, as the RFCs require (`play` is an extension method,
/// not `PLAY`).
///
/// ```
/// use rtsp_proto::Method;
/// assert_eq!(Method::parse(b"PLAY").unwrap(), Method::PLAY);
/// assert_eq!(Method::PLAY.as_str(), "PLAY");
/// let ext = Method::parse(b"X-FOO").unwrap();
/// assert!(ext.is_extension());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Method(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    Standard(Std),
    Extension(Bytes),
}

macro_rules! methods {
    ($( $(#[$doc:meta])* $konst:ident = $variant:ident, $text:literal; )+) => {
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        enum Std { $($variant,)+ }

        impl Std {
            const fn as_str(self) -> &'static str {
                match self { $(Std::$variant => $text,)+ }
            }
            fn from_bytes(b: &[u8]) -> Option<Std> {
                match std::str::from_utf8(b).ok()? { $($text => Some(Std::$variant),)+ _ => None }
            }
        }

        impl Method {
            $( $(#[$doc])* pub const $konst: Method = Method(Repr::Standard(Std::$variant)); )+

            /// Every registered (non-extension) method, in RFC order.
            pub const ALL_STANDARD: &'static [Method] = &[$(Method::$konst,)+];
        }
    };
}

methods! {
    /// `DESCRIBE` (RFC 2326 §10.2, RFC 7826 §13.2).
    DESCRIBE = Describe, "DESCRIBE";
    /// `ANNOUNCE` (RFC 2326 §10.3; removed in RTSP 2.0 but still used for publishing).
    ANNOUNCE = Announce, "ANNOUNCE";
    /// `GET_PARAMETER` (RFC 2326 §10.8, RFC 7826 §13.8).
    GET_PARAMETER = GetParameter, "GET_PARAMETER";
    /// `OPTIONS` (RFC 2326 §10.1, RFC 7826 §13.1).
    OPTIONS = Options, "OPTIONS";
    /// `PAUSE` (RFC 2326 §10.6, RFC 7826 §13.6).
    PAUSE = Pause, "PAUSE";
    /// `PLAY` (RFC 2326 §10.5, RFC 7826 §13.4).
    PLAY = Play, "PLAY";
    /// `PLAY_NOTIFY` (RFC 7826 §13.5, server to client).
    PLAY_NOTIFY = PlayNotify, "PLAY_NOTIFY";
    /// `RECORD` (RFC 2326 §10.11; removed in RTSP 2.0 but still used for publishing).
    RECORD = Record, "RECORD";
    /// `REDIRECT` (RFC 2326 §10.10, RFC 7826 §13.10, server to client).
    REDIRECT = Redirect, "REDIRECT";
    /// `SETUP` (RFC 2326 §10.4, RFC 7826 §13.3).
    SETUP = Setup, "SETUP";
    /// `SET_PARAMETER` (RFC 2326 §10.9, RFC 7826 §13.9).
    SET_PARAMETER = SetParameter, "SET_PARAMETER";
    /// `TEARDOWN` (RFC 2326 §10.7, RFC 7826 §13.7).
    TEARDOWN = Teardown, "TEARDOWN";
}

/// Error returned by [`Method::parse`] for a string that is not an RTSP token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid method token")]
pub struct InvalidMethod;

impl Method {
    /// Parses a method token. Registered methods map to their constants; any other valid
    /// token (RFC 7826 §20.1 `token`) becomes an extension method.
    pub fn parse(token: &[u8]) -> Result<Method, InvalidMethod> {
        if let Some(s) = Std::from_bytes(token) {
            return Ok(Method(Repr::Standard(s)));
        }
        if token.is_empty() || !token.iter().all(|&b| is_token_byte(b)) {
            return Err(InvalidMethod);
        }
        Ok(Method(Repr::Extension(Bytes::copy_from_slice(token))))
    }

    /// Like [`Method::parse`], but an extension method shares `token`'s buffer instead of
    /// copying it.
    pub fn from_shared(token: Bytes) -> Result<Method, InvalidMethod> {
        if let Some(s) = Std::from_bytes(&token) {
            return Ok(Method(Repr::Standard(s)));
        }
        if token.is_empty() || !token.iter().all(|&b| is_token_byte(b)) {
            return Err(InvalidMethod);
        }
        Ok(Method(Repr::Extension(token)))
    }

    /// The method as it appears on the wire.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Standard(s) => s.as_str(),
            // Validated as token bytes (ASCII) at construction.
            Repr::Extension(b) => std::str::from_utf8(b).unwrap_or(""),
        }
    }

    /// True for a method not registered by RFC 2326 or RFC 7826.
    pub fn is_extension(&self) -> bool {
        matches!(self.0, Repr::Extension(_))
    }
}

impl fmt::Debug for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Method {
    type Err = InvalidMethod;
    fn from_str(s: &str) -> Result<Method, InvalidMethod> {
        Method::parse(s.as_bytes())
    }
}

/// RFC 7826 §20.1 `tchar`: the bytes allowed in a token.
pub(crate) const fn is_token_byte(b: u8) -> bool {
    matches!(b,
        b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_'
        | b'`' | b'|' | b'~' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_methods_round_trip() {
        for m in Method::ALL_STANDARD {
            assert_eq!(&Method::parse(m.as_str().as_bytes()).unwrap(), m);
            assert!(!m.is_extension());
        }
        assert_eq!(Method::ALL_STANDARD.len(), 12);
    }

    #[test]
    fn extension_and_invalid() {
        let m = Method::parse(b"play").unwrap();
        assert!(m.is_extension());
        assert_ne!(m, Method::PLAY);
        assert_eq!(Method::parse(b""), Err(InvalidMethod));
        assert_eq!(Method::parse(b"PL AY"), Err(InvalidMethod));
        assert_eq!(Method::parse(b"PL\0AY"), Err(InvalidMethod));
        assert_eq!("X-Foo".parse::<Method>().unwrap().as_str(), "X-Foo");
    }
}
