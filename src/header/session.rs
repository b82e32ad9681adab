//! `Session`: the session identifier and its timeout ([RFC 2326 §12.37],
//! [RFC 7826 §18.49]).
//!
//! [RFC 2326 §12.37]: https://www.rfc-editor.org/rfc/rfc2326#section-12.37
//! [RFC 7826 §18.49]: https://www.rfc-editor.org/rfc/rfc7826#section-18.49

use super::basic::parse_decimal;
use super::syntax::{is_token, split_outside_quotes, split_param, unquote};
use super::transport::{leading_ws, num_kind, write_value};
use super::{HeaderError, HeaderErrorKind, TypedHeader};
use crate::message::HeaderName;
use std::fmt::Write as _;
use std::time::Duration;

/// `Session`: the identifier a server gave the session in its SETUP reply, and how long
/// the session lives without a request ([RFC 2326 §12.37], [RFC 7826 §18.49]).
///
/// The identifier is `1*256(ALPHA / DIGIT / safe)` with `safe` one of `$ - _ . +`;
/// anything else (including an empty identifier) is an error, since the client must echo
/// the identifier byte for byte. It is compared case-sensitively.
///
/// `timeout` is in seconds; when absent the session lasts 60 seconds
/// ([`Session::timeout_or_default`]).
///
/// Parameters other than `timeout` are kept, in order, in [`other`](Session::other), so
/// that formatting writes them back; at most [`Session::MAX_PARAMS`] are accepted.
///
/// Background: servers put spaces around `;` and `=` (`Session: 1000394 ; timeout = 8`,
/// Hikvision, gortsplib issue 94; `9a90de54; timeout=60` in the corpus); they are
/// skipped. Hikvision (`timeout=8`) and Siqura/FLIR (`timeout=20`, MediaMTX issue 449)
/// use short timeouts, so keep-alives must follow the value given.
///
/// ```
/// use rtsp_proto::header::{Session, TypedHeader};
/// let s = Session::parse("1000394 ; timeout = 8")?;
/// assert_eq!(s.id, "1000394");
/// assert_eq!(s.timeout, Some(8));
/// assert_eq!(s.to_value_string(), "1000394;timeout=8");
/// # Ok::<(), rtsp_proto::header::HeaderError>(())
/// ```
///
/// [RFC 2326 §12.37]: https://www.rfc-editor.org/rfc/rfc2326#section-12.37
/// [RFC 7826 §18.49]: https://www.rfc-editor.org/rfc/rfc7826#section-18.49
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Session {
    /// The session identifier.
    pub id: String,
    /// `timeout`: seconds without a request after which the server may end the session.
    pub timeout: Option<u32>,
    /// Unknown parameters in order, as (name, value without quotes).
    pub other: Vec<(String, Option<String>)>,
}

impl Session {
    /// The timeout when none is given: 60 seconds ([RFC 7826 §18.49]).
    ///
    /// [RFC 7826 §18.49]: https://www.rfc-editor.org/rfc/rfc7826#section-18.49
    pub const DEFAULT_TIMEOUT_SECS: u32 = 60;

    /// The longest identifier accepted, in bytes.
    pub const MAX_ID_LEN: usize = 256;

    /// The most unknown parameters accepted.
    pub const MAX_PARAMS: usize = 16;

    /// A session with the given identifier and no timeout. Fails when the identifier does
    /// not follow the `session-id` rule.
    pub fn new(id: impl Into<String>) -> Result<Session, HeaderError> {
        let id = id.into();
        check_id(&id).map_err(|(pos, kind)| err(pos, kind))?;
        Ok(Session {
            id,
            timeout: None,
            other: Vec::new(),
        })
    }

    /// The same session with a timeout in seconds.
    #[must_use]
    pub fn with_timeout(mut self, secs: u32) -> Session {
        self.timeout = Some(secs);
        self
    }

    /// The timeout, or the default of 60 seconds when none is given.
    pub fn timeout_or_default(&self) -> Duration {
        Duration::from_secs(u64::from(
            self.timeout.unwrap_or(Session::DEFAULT_TIMEOUT_SECS),
        ))
    }
}

impl TypedHeader for Session {
    fn name() -> HeaderName {
        HeaderName::SESSION
    }

    fn parse(value: &str) -> Result<Session, HeaderError> {
        let mut parts = split_outside_quotes(value, b';');
        let (_, id_text) = parts.next().unwrap_or((0, ""));
        let id_pos = leading_ws(id_text);
        let id = id_text.trim();
        check_id(id).map_err(|(pos, kind)| err(id_pos + pos, kind))?;
        let mut session = Session {
            id: id.to_owned(),
            timeout: None,
            other: Vec::new(),
        };
        for (off, raw) in parts {
            let pos = off + leading_ws(raw);
            let p = raw.trim();
            if p.is_empty() {
                continue;
            }
            let (name, value) = split_param(p);
            let vpos = match p.find('=') {
                Some(i) => pos + i + 1 + leading_ws(p.get(i + 1..).unwrap_or("")),
                None => pos,
            };
            if name.eq_ignore_ascii_case("timeout") {
                if session.timeout.is_some() {
                    return Err(err(pos, HeaderErrorKind::Syntax("session-param")));
                }
                let v = value.ok_or(err(pos, HeaderErrorKind::Missing("delta-seconds")))?;
                let n = parse_decimal(v, u64::from(u32::MAX))
                    .map_err(|k| err(vpos, num_kind(k, "delta-seconds")))?;
                session.timeout = Some(n as u32);
                continue;
            }
            if !is_token(name) {
                return Err(err(pos, HeaderErrorKind::Syntax("session-param")));
            }
            if session.other.len() >= Session::MAX_PARAMS {
                return Err(err(
                    pos,
                    HeaderErrorKind::TooMany {
                        what: "session parameters",
                        limit: Session::MAX_PARAMS,
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
            session.other.push((name.to_owned(), value));
        }
        Ok(session)
    }

    fn format(&self, out: &mut String) {
        out.push_str(&self.id);
        if let Some(t) = self.timeout {
            let _ = write!(out, ";timeout={t}");
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

fn err(pos: usize, kind: HeaderErrorKind) -> HeaderError {
    HeaderError::new(HeaderName::SESSION, pos, kind)
}

/// Checks the `session-id` rule; on failure returns the offending byte offset.
fn check_id(id: &str) -> Result<(), (usize, HeaderErrorKind)> {
    if id.is_empty() {
        return Err((0, HeaderErrorKind::Missing("session-id")));
    }
    if let Some(i) = id.bytes().position(|b| !is_id_byte(b)) {
        return Err((i, HeaderErrorKind::Syntax("session-id")));
    }
    if id.len() > Session::MAX_ID_LEN {
        return Err((
            Session::MAX_ID_LEN,
            HeaderErrorKind::OutOfRange("session-id"),
        ));
    }
    Ok(())
}

fn is_id_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'$' | b'-' | b'_' | b'.' | b'+')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(s: &str) -> Session {
        let v = Session::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"));
        let text = v.to_value_string();
        let again = Session::parse(&text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(v, again, "{s:?} -> {text:?}");
        v
    }

    /// Every distinct Session line of `/work/shared/corpus`, with the expected id and
    /// timeout.
    const CORPUS: &[(&str, &str, Option<u32>)] = &[
        ("708345999", "708345999", None),
        ("708345999;timeout=60", "708345999", Some(60)),
        ("12345678", "12345678", None),
        ("136527041864", "136527041864", None),
        ("14s+o0_PwwvwODlD", "14s+o0_PwwvwODlD", None),
        ("1642021126;timeout=60", "1642021126", Some(60)),
        ("1SsU0ZSFwzsvPnZ9", "1SsU0ZSFwzsvPnZ9", None),
        ("231970", "231970", None),
        ("231970;timeout=60", "231970", Some(60)),
        ("231980;timeout=60", "231980", Some(60)),
        ("2826888061", "2826888061", None),
        ("551045787;timeout=60", "551045787", Some(60)),
        ("5mAfw1xeNK475CpG", "5mAfw1xeNK475CpG", None),
        ("634214675641;timeout=60", "634214675641", Some(60)),
        ("634214684047", "634214684047", None),
        ("867085238", "867085238", None),
        ("8fws6deK673mEfSc", "8fws6deK673mEfSc", None),
        ("9Gjl_q5PTmHx6Och", "9Gjl_q5PTmHx6Och", None),
        ("9a90de54; timeout=120", "9a90de54", Some(120)),
        ("9a90de54; timeout=60", "9a90de54", Some(60)),
        ("9b0d0e54; timeout=120", "9b0d0e54", Some(120)),
        ("9b0d0e54; timeout=60", "9b0d0e54", Some(60)),
        ("AKt3bS_lv1oVceKQ", "AKt3bS_lv1oVceKQ", None),
        ("D4lL6n5u04sH1fGT", "D4lL6n5u04sH1fGT", None),
        ("F8F8E425", "F8F8E425", None),
        ("FRgB8+_Ysjj.1qCZ", "FRgB8+_Ysjj.1qCZ", None),
        ("FvW8AkuMBNPPO55T", "FvW8AkuMBNPPO55T", None),
        ("Ho4iYkOU8tecCKW1", "Ho4iYkOU8tecCKW1", None),
        ("YSEgu3ks33ueKxtQ", "YSEgu3ks33ueKxtQ", None),
        ("exprtLHnny8MDBNi", "exprtLHnny8MDBNi", None),
        ("kMv6Kom13e43FSZU", "kMv6Kom13e43FSZU", None),
        ("obTEzomg46CG0DMk", "obTEzomg46CG0DMk", None),
        ("tbmMPveJF.oiUkHY", "tbmMPveJF.oiUkHY", None),
    ];

    #[test]
    fn corpus() {
        for &(line, id, timeout) in CORPUS {
            let s = round_trip(line);
            assert_eq!(s.id, id, "{line}");
            assert_eq!(s.timeout, timeout, "{line}");
            assert!(s.other.is_empty());
        }
    }

    #[test]
    fn rfc_examples() {
        // Identifiers as in the RFC 2326 §14 and RFC 7826 Appendix A message flows, and
        // every `safe` character of the `session-id` rule.
        for (line, id) in [
            ("12345678", "12345678"),
            ("23456789", "23456789"),
            ("12345678;timeout=60", "12345678"),
            ("OccldOFFq23KwjYpAnBbUr", "OccldOFFq23KwjYpAnBbUr"),
            ("uZ3ci0K+Ufs;timeout=60", "uZ3ci0K+Ufs"),
            ("$x-y_z.w+1", "$x-y_z.w+1"),
        ] {
            assert_eq!(round_trip(line).id, id);
        }
    }

    #[test]
    fn spaces_and_timeout() {
        // Hikvision, gortsplib issue 94.
        let s = round_trip("1000394 ; timeout = 8");
        assert_eq!(s.id, "1000394");
        assert_eq!(s.timeout, Some(8));
        assert_eq!(s.timeout_or_default(), Duration::from_secs(8));
        assert_eq!(
            round_trip("  abc  ").timeout_or_default(),
            Duration::from_secs(60)
        );
        assert_eq!(round_trip("abc;TIMEOUT=20").timeout, Some(20));
        assert_eq!(round_trip("abc;timeout=20;").timeout, Some(20));
    }

    #[test]
    fn unknown_params_kept() {
        let s = round_trip("abc;timeout=5;x-foo=bar;x-flag;x-q=\"a b\"");
        assert_eq!(
            s.other,
            [
                ("x-foo".to_owned(), Some("bar".to_owned())),
                ("x-flag".to_owned(), None),
                ("x-q".to_owned(), Some("a b".to_owned())),
            ]
        );
        assert_eq!(
            s.to_value_string(),
            "abc;timeout=5;x-foo=bar;x-flag;x-q=\"a b\""
        );
    }

    #[test]
    fn constructors() {
        let s = Session::new("F8F8E425").unwrap().with_timeout(30);
        assert_eq!(s.to_value_string(), "F8F8E425;timeout=30");
        assert!(Session::new("").is_err());
        assert!(Session::new("a b").is_err());
        assert!(Session::new("x".repeat(256)).is_ok());
        assert!(Session::new("x".repeat(257)).is_err());
    }

    #[test]
    fn errors() {
        let e = Session::parse("ab/cd").unwrap_err();
        assert_eq!(e.kind, HeaderErrorKind::Syntax("session-id"));
        assert_eq!(e.pos, 2);
        assert_eq!(e.header, HeaderName::SESSION);
        let e = Session::parse("abc;timeout=x").unwrap_err();
        assert_eq!(e.kind, HeaderErrorKind::Syntax("delta-seconds"));
        assert_eq!(e.pos, 12);
        let e = Session::parse("abc;timeout=99999999999").unwrap_err();
        assert_eq!(e.kind, HeaderErrorKind::OutOfRange("delta-seconds"));
    }

    #[test]
    fn nasty_inputs_are_errors_not_panics() {
        let long = "x".repeat(300);
        let many = format!("abc{}", ";x".repeat(17));
        for bad in [
            "",
            " ",
            ";",
            ";timeout=60",
            ";;;",
            "abc;timeout",
            "abc;timeout=",
            "abc;timeout=-1",
            "abc;timeout=4294967296",
            "abc;timeout=1;timeout=2",
            "abc def",
            "abc,def",
            "\"abc\"",
            "abc;x=\"open",
            "abc;x y",
            "caf\u{e9}",
            "\u{1F600}",
            long.as_str(),
            many.as_str(),
        ] {
            assert!(Session::parse(bad).is_err(), "{bad:?}");
        }
    }
}
