//! Simple numeric headers: `CSeq` and `Content-Length`.

use super::{HeaderError, HeaderErrorKind, TypedHeader};
use crate::message::HeaderName;
use std::fmt::Write as _;

/// `CSeq`: the request sequence number that pairs a response with its request
/// ([RFC 2326 §12.17], [RFC 7826 §18.20]).
///
/// RFC 7826 bounds it to 9 digits; any `u32` is accepted here, as some servers count on
/// from large random starting points.
///
/// Background: Longse cameras send `CSeq: 2 ` with trailing whitespace; the message
/// decoder trims it before this parser sees the value.
///
/// [RFC 2326 §12.17]: https://www.rfc-editor.org/rfc/rfc2326#section-12.17
/// [RFC 7826 §18.20]: https://www.rfc-editor.org/rfc/rfc7826#section-18.20
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CSeq(pub u32);

impl TypedHeader for CSeq {
    fn name() -> HeaderName {
        HeaderName::CSEQ
    }

    fn parse(value: &str) -> Result<CSeq, HeaderError> {
        parse_decimal(value.trim(), u64::from(u32::MAX))
            .map(|n| CSeq(n as u32))
            .map_err(|kind| HeaderError::new(HeaderName::CSEQ, 0, kind))
    }

    fn format(&self, out: &mut String) {
        let _ = write!(out, "{}", self.0);
    }
}

/// `Content-Length`: the size of the message body in bytes ([RFC 7826 §18.17]).
///
/// [RFC 7826 §18.17]: https://www.rfc-editor.org/rfc/rfc7826#section-18.17
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentLength(pub u64);

impl TypedHeader for ContentLength {
    fn name() -> HeaderName {
        HeaderName::CONTENT_LENGTH
    }

    fn parse(value: &str) -> Result<ContentLength, HeaderError> {
        parse_decimal(value.trim(), u64::MAX)
            .map(ContentLength)
            .map_err(|kind| HeaderError::new(HeaderName::CONTENT_LENGTH, 0, kind))
    }

    fn format(&self, out: &mut String) {
        let _ = write!(out, "{}", self.0);
    }
}

/// Parses a non-empty string of ASCII digits no greater than `max`, without overflow.
pub(crate) fn parse_decimal(s: &str, max: u64) -> Result<u64, HeaderErrorKind> {
    if s.is_empty() {
        return Err(HeaderErrorKind::Missing("digits"));
    }
    let mut n: u64 = 0;
    for b in s.bytes() {
        if !b.is_ascii_digit() {
            return Err(HeaderErrorKind::Syntax("1*DIGIT"));
        }
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(b - b'0')))
            .ok_or(HeaderErrorKind::OutOfRange("number"))?;
    }
    if n > max {
        return Err(HeaderErrorKind::OutOfRange("number"));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cseq() {
        assert_eq!(CSeq::parse("42").unwrap(), CSeq(42));
        assert_eq!(CSeq::parse(" 2 ").unwrap(), CSeq(2));
        assert_eq!(CSeq::parse("4294967295").unwrap(), CSeq(u32::MAX));
        assert!(CSeq::parse("4294967296").is_err());
        assert!(CSeq::parse("-1").is_err());
        assert!(CSeq::parse("").is_err());
        assert!(CSeq::parse("1a").is_err());
        assert_eq!(CSeq(9).to_value_string(), "9");
    }

    #[test]
    fn content_length() {
        assert_eq!(ContentLength::parse("0").unwrap(), ContentLength(0));
        assert_eq!(
            ContentLength::parse("4294967296").unwrap(),
            ContentLength(1 << 32)
        );
        assert!(ContentLength::parse("99999999999999999999999").is_err());
        assert!(ContentLength::parse("-5").is_err());
        assert!(ContentLength::parse("+5").is_err());
    }
}
