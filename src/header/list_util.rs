//! Private helpers shared by the list-valued and numeric headers of this crate's
//! `rtp_info`, `auth`, `lists`, `content` and `misc` modules: bounded comma lists, decimal
//! floats with an exact round trip, and `name=value` parameter lists.

use super::syntax::{split_outside_quotes, unquote};
use super::{HeaderError, HeaderErrorKind};
use crate::message::HeaderName;

/// The most items any list header of these modules accepts (list entries, parameters, ...).
pub(crate) const MAX_ITEMS: usize = 64;

/// Splits a comma list outside quotes into trimmed, non-empty items with their byte
/// offsets in `s`, appending them to `out`. Empty items (`a,,b`, a trailing comma) are
/// skipped, as RFC 7826 §20.1 `#rule` allows. More than [`MAX_ITEMS`] items in `out` is a
/// [`HeaderErrorKind::TooMany`] error naming `what`.
pub(crate) fn split_list<'a>(
    name: &HeaderName,
    s: &'a str,
    base: usize,
    what: &'static str,
    out: &mut Vec<(usize, &'a str)>,
) -> Result<(), HeaderError> {
    for (pos, piece) in split_outside_quotes(s, b',') {
        let trimmed = piece.trim();
        if trimmed.is_empty() {
            continue;
        }
        if out.len() >= MAX_ITEMS {
            return Err(HeaderError::new(
                name.clone(),
                base + pos,
                HeaderErrorKind::TooMany {
                    what,
                    limit: MAX_ITEMS,
                },
            ));
        }
        out.push((base + pos + leading_ws(piece), trimmed));
    }
    Ok(())
}

/// The number of leading whitespace bytes of `s`.
pub(crate) fn leading_ws(s: &str) -> usize {
    s.len() - s.trim_start().len()
}

/// Parses a decimal number `["-"] 1*DIGIT ["." *DIGIT]` (the `Scale`, `Speed` and
/// `Media-Properties` grammars) into a finite `f64`.
///
/// Exponents, `inf`, `NaN` and hexadecimal are rejected; a value too large for an `f64`
/// is out of range. With `signed == false` a leading `-` is rejected.
pub(crate) fn parse_float(s: &str, signed: bool) -> Result<f64, HeaderErrorKind> {
    let digits = if signed {
        s.strip_prefix('-').unwrap_or(s)
    } else {
        s
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !all_digits(int) || !all_digits(frac) {
        return Err(HeaderErrorKind::Syntax("decimal number"));
    }
    let v: f64 = s
        .parse()
        .map_err(|_| HeaderErrorKind::Syntax("decimal number"))?;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(HeaderErrorKind::OutOfRange("decimal number"))
    }
}

/// Writes a float with Rust's shortest round-trip formatting (never an exponent, so the
/// result matches the decimal grammars of [`parse_float`]).
pub(crate) fn write_float(out: &mut String, v: f64) {
    use std::fmt::Write as _;
    let _ = write!(out, "{v}");
}

/// Parses `name[=value]` parameters split on `sep` outside quotes: trimmed names (which
/// must be tokens) and unquoted values. Empty pieces are skipped. At most [`MAX_ITEMS`].
pub(crate) fn parse_params(
    name: &HeaderName,
    s: &str,
    base: usize,
    sep: u8,
    rule: &'static str,
) -> Result<Vec<(String, Option<String>)>, HeaderError> {
    let mut out = Vec::new();
    for (pos, piece) in split_outside_quotes(s, sep) {
        let pos = base + pos + leading_ws(piece);
        let piece = piece.trim();
        if piece.is_empty() {
            continue;
        }
        if out.len() >= MAX_ITEMS {
            return Err(HeaderError::new(
                name.clone(),
                pos,
                HeaderErrorKind::TooMany {
                    what: "parameters",
                    limit: MAX_ITEMS,
                },
            ));
        }
        let (k, v) = match piece.split_once('=') {
            Some((k, v)) => (k.trim(), Some(v.trim())),
            None => (piece, None),
        };
        if !super::syntax::is_token(k) {
            return Err(HeaderError::new(
                name.clone(),
                pos,
                HeaderErrorKind::Syntax(rule),
            ));
        }
        let v = match v {
            Some(v) => Some(
                unquote(v)
                    .ok_or_else(|| {
                        HeaderError::new(
                            name.clone(),
                            pos,
                            HeaderErrorKind::Syntax("quoted-string"),
                        )
                    })?
                    .into_owned(),
            ),
            None => None,
        };
        out.push((k.to_owned(), v));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats() {
        for (s, v) in [("1", 1.0), ("-2.5", -2.5), ("0.", 0.0), ("007", 7.0)] {
            assert_eq!(parse_float(s, true), Ok(v), "{s}");
        }
        for s in [
            "", "-", ".", "1e5", "inf", "NaN", "+1", "1.2.3", "0x1", " 1", "--1",
        ] {
            assert!(parse_float(s, true).is_err(), "{s}");
        }
        assert!(parse_float("-1", false).is_err());
        let huge = "9".repeat(400);
        assert_eq!(
            parse_float(&huge, true),
            Err(HeaderErrorKind::OutOfRange("decimal number"))
        );
        for v in [0.1, 1e300, 5e-324, -123.456, f64::MAX, f64::MIN_POSITIVE] {
            let mut s = String::new();
            write_float(&mut s, v);
            assert_eq!(parse_float(&s, true), Ok(v), "{s}");
        }
    }

    #[test]
    fn list_limits() {
        let many = "a,".repeat(MAX_ITEMS + 1);
        let mut out = Vec::new();
        let e = split_list(&HeaderName::PUBLIC, &many, 0, "methods", &mut out).unwrap_err();
        assert!(matches!(e.kind, HeaderErrorKind::TooMany { .. }));
        let commas = ",".repeat(10_000);
        let mut out = Vec::new();
        split_list(&HeaderName::PUBLIC, &commas, 0, "x", &mut out).unwrap();
        assert!(out.is_empty());
    }

    /// Every parser of these modules returns (Ok or Err) on hostile input, without
    /// panicking, alone and as repeated fields.
    #[test]
    fn hostile_inputs_never_panic() {
        use crate::header::*;

        fn all(v: &str) {
            fn one<H: TypedHeader>(v: &str) {
                let _ = H::parse(v);
                let _ = H::parse_values([v, v].into_iter());
                if let Ok(h) = H::parse(v) {
                    let _ = H::parse(&h.to_value_string());
                }
            }
            one::<RtpInfo>(v);
            one::<WwwAuthenticate>(v);
            one::<ProxyAuthenticate>(v);
            one::<Authorization>(v);
            one::<ProxyAuthorization>(v);
            one::<Public>(v);
            one::<Allow>(v);
            one::<Require>(v);
            one::<ProxyRequire>(v);
            one::<Supported>(v);
            one::<ProxySupported>(v);
            one::<Unsupported>(v);
            one::<AcceptRanges>(v);
            one::<ContentBase>(v);
            one::<ContentLocation>(v);
            one::<Location>(v);
            one::<ContentType>(v);
            one::<Accept>(v);
            one::<Scale>(v);
            one::<Speed>(v);
            one::<MediaProperties>(v);
            one::<SeekStyle>(v);
            one::<NotifyReason>(v);
            one::<PipelinedRequests>(v);
        }

        let long_digits = "9".repeat(1000);
        let many_commas = ",".repeat(10_000);
        let many_semis = ";".repeat(10_000);
        let many_quotes = "\"".repeat(1001);
        let many_items = "a=b,".repeat(10_000);
        let bases = [
            "",
            " ",
            "\"",
            "\"\"",
            "\\",
            "\"\\",
            ";;;",
            ",,,",
            "=",
            "=,=;=:",
            ":",
            "-",
            "--",
            ".",
            "*/*",
            "/",
            "<",
            ">",
            "<>",
            "\t",
            "caf\u{e9} \u{20ac}\u{1F600}",
            "\u{feff}",
            "18446744073709551616",
            "-18446744073709551616",
            "1e308",
            "1-",
            "-1-",
            "0.0000000000000000000000000000001",
            &long_digits,
            &many_commas,
            &many_semis,
            &many_quotes,
            &many_items,
        ];
        let prefixes = [
            "",
            "url=",
            "url=\"",
            "url=\"a\" ",
            "url=\"a\" ssrc=",
            "url=\"a\" ssrc=1:",
            "url=a;seq=",
            "url=a;rtptime=",
            "url=a;ssrc=",
            "Digest ",
            "Digest realm=",
            "Basic ",
            "Basic realm=\"x\", ",
            "a/b;",
            "a/b;q=",
            "Scales=\"",
            "Random-Access=",
            "Time-Duration=",
        ];
        for p in prefixes {
            for b in bases {
                all(&format!("{p}{b}"));
                if b.len() < 100 {
                    all(&format!("{p}{b}{b}"));
                    all(&format!("{b}{p}"));
                }
            }
        }
    }
}
