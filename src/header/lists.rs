//! Comma-list headers: `Public`, `Allow` (methods), `Require`, `Proxy-Require`,
//! `Supported`, `Proxy-Supported`, `Unsupported` (feature tags) and `Accept-Ranges`
//! (range units).

use super::list_util::MAX_ITEMS;
use super::syntax::is_token;
use super::{HeaderError, HeaderErrorKind, TypedHeader};
use crate::message::{HeaderName, Method};
use std::fmt;

/// Splits every value on commas, trims each item and skips empty ones (RFC 7826 §20.1
/// `#rule`), and maps each item with `f`.
fn parse_tokens<'a, T, I, F>(
    name: &HeaderName,
    values: I,
    what: &'static str,
    rule: &'static str,
    mut f: F,
) -> Result<Vec<T>, HeaderError>
where
    I: Iterator<Item = &'a str>,
    F: FnMut(&str) -> Option<T>,
{
    let mut out = Vec::new();
    for value in values {
        let mut pos = 0;
        for piece in value.split(',') {
            let item_pos = pos + (piece.len() - piece.trim_start().len());
            pos += piece.len() + 1;
            let item = piece.trim();
            if item.is_empty() {
                continue;
            }
            if out.len() >= MAX_ITEMS {
                return Err(HeaderError::new(
                    name.clone(),
                    item_pos,
                    HeaderErrorKind::TooMany {
                        what,
                        limit: MAX_ITEMS,
                    },
                ));
            }
            match f(item) {
                Some(t) => out.push(t),
                None => {
                    return Err(HeaderError::new(
                        name.clone(),
                        item_pos,
                        HeaderErrorKind::Syntax(rule),
                    ))
                }
            }
        }
    }
    Ok(out)
}

fn write_list<T>(out: &mut String, items: &[T], f: impl Fn(&T) -> &str) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(f(item));
    }
}

macro_rules! method_list {
    ($(#[$doc:meta])* $ty:ident, $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
        pub struct $ty(pub Vec<Method>);

        impl $ty {
            /// True when `method` is listed (methods compare case-sensitively).
            pub fn contains(&self, method: &Method) -> bool {
                self.0.contains(method)
            }
        }

        impl TypedHeader for $ty {
            fn name() -> HeaderName {
                HeaderName::$name
            }

            fn parse(value: &str) -> Result<$ty, HeaderError> {
                $ty::parse_values(std::iter::once(value))
            }

            fn parse_values<'a, I: Iterator<Item = &'a str>>(
                values: I,
            ) -> Result<$ty, HeaderError> {
                parse_tokens(&HeaderName::$name, values, "methods", "Method", |t| {
                    Method::parse(t.as_bytes()).ok()
                })
                .map($ty)
            }

            fn format(&self, out: &mut String) {
                write_list(out, &self.0, Method::as_str);
            }
        }
    };
}

method_list! {
    /// `Public` ([RFC 2326 §12.28], [RFC 7826 §18.39]): the methods the server supports,
    /// in an `OPTIONS` response. Unknown methods are kept as extension methods; repeated
    /// fields combine. At most 64 methods.
    ///
    /// Any whitespace around the commas (`OPTIONS,DESCRIBE`, `OPTIONS ,  DESCRIBE`) and
    /// empty items (a trailing comma) are accepted, as the `#rule` list syntax of RFC 7826
    /// §20.1 allows; Dahua's ten-method list is in the tests. Methods separated by spaces
    /// only are an error.
    ///
    /// ```
    /// use rtsp_proto::Method;
    /// use rtsp_proto::header::{Public, TypedHeader};
    /// let h = Public::parse("OPTIONS,DESCRIBE , SETUP,PLAY, X-FOO").unwrap();
    /// assert!(h.contains(&Method::SETUP));
    /// assert_eq!(h.to_value_string(), "OPTIONS, DESCRIBE, SETUP, PLAY, X-FOO");
    /// ```
    ///
    /// [RFC 2326 §12.28]: https://www.rfc-editor.org/rfc/rfc2326#section-12.28
    /// [RFC 7826 §18.39]: https://www.rfc-editor.org/rfc/rfc7826#section-18.39
    Public, PUBLIC
}

method_list! {
    /// `Allow` ([RFC 2326 §12.4], [RFC 7826 §18.6]): the methods a resource supports, in a
    /// `405 Method Not Allowed` response. Parsed like [`Public`].
    ///
    /// [RFC 2326 §12.4]: https://www.rfc-editor.org/rfc/rfc2326#section-12.4
    /// [RFC 7826 §18.6]: https://www.rfc-editor.org/rfc/rfc7826#section-18.6
    Allow, ALLOW
}

macro_rules! feature_list {
    ($(#[$doc:meta])* $ty:ident, $name:ident) => {
        $(#[$doc])*
        ///
        /// Feature tags are tokens such as `play.basic`, `play.scale`, `play.speed`,
        /// `setup.rtp.rtcp.mux` or `setup.playing` ([RFC 7826 §11]) and compare exactly.
        /// Repeated fields combine; at most 64 tags.
        ///
        /// [RFC 7826 §11]: https://www.rfc-editor.org/rfc/rfc7826#section-11
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
        pub struct $ty(pub Vec<String>);

        impl $ty {
            /// True when `tag` is listed.
            pub fn contains(&self, tag: &str) -> bool {
                self.0.iter().any(|t| t == tag)
            }
        }

        impl TypedHeader for $ty {
            fn name() -> HeaderName {
                HeaderName::$name
            }

            fn parse(value: &str) -> Result<$ty, HeaderError> {
                $ty::parse_values(std::iter::once(value))
            }

            fn parse_values<'a, I: Iterator<Item = &'a str>>(
                values: I,
            ) -> Result<$ty, HeaderError> {
                parse_tokens(&HeaderName::$name, values, "feature tags", "feature-tag", |t| {
                    is_token(t).then(|| t.to_owned())
                })
                .map($ty)
            }

            fn format(&self, out: &mut String) {
                write_list(out, &self.0, String::as_str);
            }
        }
    };
}

feature_list! {
    /// `Require` ([RFC 2326 §12.32], [RFC 7826 §18.43]): features the client requires the
    /// server to support.
    ///
    /// [RFC 2326 §12.32]: https://www.rfc-editor.org/rfc/rfc2326#section-12.32
    /// [RFC 7826 §18.43]: https://www.rfc-editor.org/rfc/rfc7826#section-18.43
    Require, REQUIRE
}

feature_list! {
    /// `Proxy-Require` ([RFC 2326 §12.27], [RFC 7826 §18.37]): features every proxy on the
    /// path must support.
    ///
    /// [RFC 2326 §12.27]: https://www.rfc-editor.org/rfc/rfc2326#section-12.27
    /// [RFC 7826 §18.37]: https://www.rfc-editor.org/rfc/rfc7826#section-18.37
    ProxyRequire, PROXY_REQUIRE
}

feature_list! {
    /// `Supported` ([RFC 7826 §18.51]): features the sender supports.
    ///
    /// [RFC 7826 §18.51]: https://www.rfc-editor.org/rfc/rfc7826#section-18.51
    Supported, SUPPORTED
}

feature_list! {
    /// `Proxy-Supported` ([RFC 7826 §18.38]): features the proxies on the path support.
    ///
    /// [RFC 7826 §18.38]: https://www.rfc-editor.org/rfc/rfc7826#section-18.38
    ProxySupported, PROXY_SUPPORTED
}

feature_list! {
    /// `Unsupported` ([RFC 2326 §12.40], [RFC 7826 §18.55]): the required features the
    /// responder does not support (with `551 Option Not Supported`).
    ///
    /// [RFC 2326 §12.40]: https://www.rfc-editor.org/rfc/rfc2326#section-12.40
    /// [RFC 7826 §18.55]: https://www.rfc-editor.org/rfc/rfc7826#section-18.55
    Unsupported, UNSUPPORTED
}

/// A range unit of `Accept-Ranges` and `Range` ([RFC 7826 §18.5]).
///
/// [RFC 7826 §18.5]: https://www.rfc-editor.org/rfc/rfc7826#section-18.5
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RangeUnit {
    /// `npt`: normal play time.
    Npt,
    /// `smpte`: SMPTE time codes (30 frames per second).
    Smpte,
    /// `smpte-30-drop`: SMPTE, 29.97 frames per second with drop frames.
    Smpte30Drop,
    /// `smpte-25`: SMPTE, 25 frames per second.
    Smpte25,
    /// `clock`: absolute UTC time.
    Clock,
    /// An extension unit, as sent. Never a registered unit in any case when built by
    /// [`RangeUnit::parse`].
    Other(String),
}

impl RangeUnit {
    /// The unit for a token; registered units match case-insensitively.
    pub fn parse(token: &str) -> RangeUnit {
        const KNOWN: [(&str, RangeUnit); 5] = [
            ("npt", RangeUnit::Npt),
            ("smpte", RangeUnit::Smpte),
            ("smpte-30-drop", RangeUnit::Smpte30Drop),
            ("smpte-25", RangeUnit::Smpte25),
            ("clock", RangeUnit::Clock),
        ];
        KNOWN
            .into_iter()
            .find(|(s, _)| s.eq_ignore_ascii_case(token))
            .map_or_else(|| RangeUnit::Other(token.to_owned()), |(_, u)| u)
    }

    /// The unit as written on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            RangeUnit::Npt => "npt",
            RangeUnit::Smpte => "smpte",
            RangeUnit::Smpte30Drop => "smpte-30-drop",
            RangeUnit::Smpte25 => "smpte-25",
            RangeUnit::Clock => "clock",
            RangeUnit::Other(s) => s,
        }
    }
}

impl fmt::Display for RangeUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `Accept-Ranges` ([RFC 7826 §18.5]): the range units the sender understands, in order.
/// Duplicates are kept as sent (GStreamer sends `npt, clock, smpte, clock`). Repeated
/// fields combine; at most 64 units.
///
/// ```
/// use rtsp_proto::header::{AcceptRanges, RangeUnit, TypedHeader};
/// let h = AcceptRanges::parse("npt, clock, smpte, clock").unwrap();
/// assert!(h.contains(&RangeUnit::Clock));
/// assert!(!h.contains(&RangeUnit::Smpte25));
/// ```
///
/// [RFC 7826 §18.5]: https://www.rfc-editor.org/rfc/rfc7826#section-18.5
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct AcceptRanges(pub Vec<RangeUnit>);

impl AcceptRanges {
    /// True when `unit` is listed.
    pub fn contains(&self, unit: &RangeUnit) -> bool {
        self.0.contains(unit)
    }
}

impl TypedHeader for AcceptRanges {
    fn name() -> HeaderName {
        HeaderName::ACCEPT_RANGES
    }

    fn parse(value: &str) -> Result<AcceptRanges, HeaderError> {
        AcceptRanges::parse_values(std::iter::once(value))
    }

    fn parse_values<'a, I: Iterator<Item = &'a str>>(
        values: I,
    ) -> Result<AcceptRanges, HeaderError> {
        parse_tokens(
            &HeaderName::ACCEPT_RANGES,
            values,
            "range units",
            "range-unit",
            |t| is_token(t).then(|| RangeUnit::parse(t)),
        )
        .map(AcceptRanges)
    }

    fn format(&self, out: &mut String) {
        write_list(out, &self.0, RangeUnit::as_str);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Method {
        Method::parse(s.as_bytes()).unwrap()
    }

    #[test]
    fn public_corpus_and_quirks() {
        let cases: &[(&str, &[&str])] = &[
            (
                "ANNOUNCE, PAUSE, SETUP, TEARDOWN, RECORD",
                &["ANNOUNCE", "PAUSE", "SETUP", "TEARDOWN", "RECORD"],
            ),
            (
                "OPTIONS, DESCRIBE, ANNOUNCE, GET_PARAMETER, PAUSE, PLAY, RECORD, SETUP, SET_PARAMETER, TEARDOWN",
                &["OPTIONS", "DESCRIBE", "ANNOUNCE", "GET_PARAMETER", "PAUSE", "PLAY", "RECORD", "SETUP", "SET_PARAMETER", "TEARDOWN"],
            ),
            // Dahua.
            (
                "OPTIONS, DESCRIBE, ANNOUNCE, SETUP, PLAY, RECORD, PAUSE, TEARDOWN, SET_PARAMETER, GET_PARAMETER",
                &["OPTIONS", "DESCRIBE", "ANNOUNCE", "SETUP", "PLAY", "RECORD", "PAUSE", "TEARDOWN", "SET_PARAMETER", "GET_PARAMETER"],
            ),
            (
                "OPTIONS, DESCRIBE, GET_PARAMETER, PAUSE, PLAY, SETUP, SET_PARAMETER, TEARDOWN",
                &["OPTIONS", "DESCRIBE", "GET_PARAMETER", "PAUSE", "PLAY", "SETUP", "SET_PARAMETER", "TEARDOWN"],
            ),
            ("OPTIONS,DESCRIBE", &["OPTIONS", "DESCRIBE"]),
            ("  OPTIONS ,DESCRIBE,  ,SETUP,", &["OPTIONS", "DESCRIBE", "SETUP"]),
            ("OPTIONS, X-Custom, play", &["OPTIONS", "X-Custom", "play"]),
            ("", &[]),
        ];
        for (input, want) in cases {
            let h = Public::parse(input).unwrap();
            let want: Vec<Method> = want.iter().map(|s| m(s)).collect();
            assert_eq!(h.0, want, "{input}");
            assert_eq!(Public::parse(&h.to_value_string()).unwrap(), h);
        }
        let h = Public::parse("OPTIONS, X-Custom").unwrap();
        assert!(h.contains(&Method::OPTIONS));
        assert!(h.0[1].is_extension());
        assert!(!h.contains(&Method::PLAY));
        assert!(Public::parse("OPTIONS, DE(SCRIBE").is_err());
        assert!(Public::parse("OPTIONS DESCRIBE").is_err());
        assert_eq!(Public::parse("OPTIONS, DE(SCRIBE").unwrap_err().pos, 9);
        let h = Allow::parse_values(["OPTIONS", "PLAY, PAUSE"].into_iter()).unwrap();
        assert_eq!(h.0, [Method::OPTIONS, Method::PLAY, Method::PAUSE]);
        let many = "PLAY,".repeat(MAX_ITEMS + 1);
        assert!(Public::parse(&many).is_err());
    }

    #[test]
    fn feature_tags() {
        // Feature tags registered by RFC 7826 §11 and §22.
        let h = Require::parse("play.basic, setup.playing").unwrap();
        assert!(h.contains("setup.playing"));
        assert_eq!(h.to_value_string(), "play.basic, setup.playing");
        let h = Supported::parse("play.basic, play.scale, play.speed").unwrap();
        assert!(h.contains("play.speed"));
        let h = ProxyRequire::parse("play.basic").unwrap();
        assert_eq!(h.0, ["play.basic"]);
        let h = ProxySupported::parse("setup.rtp.rtcp.mux,play.basic,").unwrap();
        assert_eq!(h.0.len(), 2);
        let h = Unsupported::parse_values(["funky-feature", "x"].into_iter()).unwrap();
        assert_eq!(h.0, ["funky-feature", "x"]);
        assert!(Require::parse("a\"b").is_err());
        assert!(Require::parse("caf\u{e9}").is_err());
    }

    #[test]
    fn accept_ranges() {
        let h = AcceptRanges::parse("npt, clock, smpte, clock").unwrap();
        assert_eq!(
            h.0,
            [
                RangeUnit::Npt,
                RangeUnit::Clock,
                RangeUnit::Smpte,
                RangeUnit::Clock
            ]
        );
        assert_eq!(h.to_value_string(), "npt, clock, smpte, clock");
        let h = AcceptRanges::parse("NPT, smpte-30-drop, smpte-25, x-frames").unwrap();
        assert_eq!(
            h.0,
            [
                RangeUnit::Npt,
                RangeUnit::Smpte30Drop,
                RangeUnit::Smpte25,
                RangeUnit::Other("x-frames".into())
            ]
        );
        assert_eq!(AcceptRanges::parse(&h.to_value_string()).unwrap(), h);
    }
}
