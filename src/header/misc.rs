//! Playback-control headers: `Scale`, `Speed`, `Media-Properties`, `Seek-Style`,
//! `Notify-Reason` and `Pipelined-Requests`.

use super::basic::parse_decimal;
use super::list_util::{parse_float, split_list, write_float, MAX_ITEMS};
use super::syntax::{is_token, unquote, write_quoted, write_token_or_quoted};
use super::{HeaderError, HeaderErrorKind, TypedHeader};
use crate::message::HeaderName;
use std::fmt::{self, Write as _};

/// `Scale` ([RFC 2326 §12.34], [RFC 7826 §18.46]): the playback rate relative to normal
/// (`1` normal, `2` twice as fast, `-1` backwards), as a decimal number.
///
/// The value is an `f64`; formatting writes Rust's shortest representation that reads
/// back to the same `f64` (never an exponent), so `parse(format(h)) == h` exactly. NaN,
/// infinities and exponents are rejected on parse.
///
/// ```
/// use rtsp_proto::header::{Scale, TypedHeader};
/// assert_eq!(Scale::parse("-3.5").unwrap(), Scale(-3.5));
/// assert_eq!(Scale(2.0).to_value_string(), "2");
/// ```
///
/// [RFC 2326 §12.34]: https://www.rfc-editor.org/rfc/rfc2326#section-12.34
/// [RFC 7826 §18.46]: https://www.rfc-editor.org/rfc/rfc7826#section-18.46
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Scale(pub f64);

impl TypedHeader for Scale {
    fn name() -> HeaderName {
        HeaderName::SCALE
    }

    fn parse(value: &str) -> Result<Scale, HeaderError> {
        parse_float(value.trim(), true)
            .map(Scale)
            .map_err(|kind| HeaderError::new(HeaderName::SCALE, 0, kind))
    }

    fn format(&self, out: &mut String) {
        write_float(out, self.0);
    }
}

/// `Speed` ([RFC 2326 §12.35], [RFC 7826 §18.50]): the delivery speed relative to the
/// media's normal rate.
///
/// RTSP 1.0 sends one number (`Speed: 2.5`); RTSP 2.0 sends an acceptable range
/// (`Speed: 1.0-2.5`), and the server answers with the range it uses. Both forms are
/// parsed and formatted back in the form they were read in. Values are non-negative
/// decimals, formatted as for [`Scale`].
///
/// ```
/// use rtsp_proto::header::{Speed, TypedHeader};
/// assert_eq!(Speed::parse("2.5").unwrap(), Speed::Single(2.5));
/// assert_eq!(Speed::parse("1.0-2.5").unwrap(), Speed::Range { lower: 1.0, upper: 2.5 });
/// assert_eq!(Speed::Range { lower: 1.0, upper: 2.5 }.to_value_string(), "1-2.5");
/// ```
///
/// [RFC 2326 §12.35]: https://www.rfc-editor.org/rfc/rfc2326#section-12.35
/// [RFC 7826 §18.50]: https://www.rfc-editor.org/rfc/rfc7826#section-18.50
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Speed {
    /// RTSP 1.0: one speed.
    Single(f64),
    /// RTSP 2.0: an acceptable range of speeds.
    Range {
        /// The lowest acceptable speed.
        lower: f64,
        /// The highest acceptable speed.
        upper: f64,
    },
}

impl TypedHeader for Speed {
    fn name() -> HeaderName {
        HeaderName::SPEED
    }

    fn parse(value: &str) -> Result<Speed, HeaderError> {
        let err = |pos, kind| HeaderError::new(HeaderName::SPEED, pos, kind);
        let lead = value.len() - value.trim_start().len();
        let v = value.trim();
        match v.split_once('-') {
            None => parse_float(v, false)
                .map(Speed::Single)
                .map_err(|k| err(lead, k)),
            Some((lo, hi)) => {
                let lower = parse_float(lo.trim(), false).map_err(|k| err(lead, k))?;
                let upper =
                    parse_float(hi.trim(), false).map_err(|k| err(lead + lo.len() + 1, k))?;
                Ok(Speed::Range { lower, upper })
            }
        }
    }

    fn format(&self, out: &mut String) {
        match *self {
            Speed::Single(v) => write_float(out, v),
            Speed::Range { lower, upper } => {
                write_float(out, lower);
                out.push('-');
                write_float(out, upper);
            }
        }
    }
}

/// One entry of the `Scales` media property: a scale or an inclusive range of scales.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScaleEntry {
    /// One supported scale.
    Value(f64),
    /// Every scale from the first to the second (`-20:-10`).
    Range(f64, f64),
}

/// One property of a [`MediaProperties`] header.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum MediaProperty {
    /// `Random-Access[=max seconds between access points]`: any position can be played.
    RandomAccess(Option<f64>),
    /// `Beginning-Only`: playback can only start at the beginning.
    BeginningOnly,
    /// `No-Seeking`: no positioning at all.
    NoSeeking,
    /// `Immutable`: the content does not change.
    Immutable,
    /// `Dynamic`: the content may change.
    Dynamic,
    /// `Time-Progressing`: the content grows with wall-clock time (live).
    TimeProgressing,
    /// `Unlimited`: the content is kept indefinitely.
    Unlimited,
    /// `Time-Limited=<utc-time>`: the content is available until then (kept as sent, such
    /// as `20081128T165900.00Z`).
    TimeLimited(String),
    /// `Time-Duration=<seconds>`: how long content stays available.
    TimeDuration(f64),
    /// `Scales="..."`: the supported playback scales.
    Scales(Vec<ScaleEntry>),
    /// An extension property, as sent: its name and unquoted value.
    Other {
        /// The property name. Never a registered name in any case when parsed.
        name: String,
        /// The value, if any.
        value: Option<String>,
    },
}

/// `Media-Properties` ([RFC 7826 §18.29]): properties of the media a `SETUP` or `PLAY`
/// response covers, such as `Random-Access=2.5, Unlimited, Immutable`. Property names
/// match case-insensitively; unknown properties are kept as [`MediaProperty::Other`].
/// Repeated fields combine; at most 64 properties.
///
/// ```
/// use rtsp_proto::header::{MediaProperties, MediaProperty, TypedHeader};
/// let h = MediaProperties::parse("No-Seeking,Time-Progressing,Time-Duration=0.0").unwrap();
/// assert!(h.contains(&MediaProperty::TimeProgressing));
/// assert_eq!(h.to_value_string(), "No-Seeking, Time-Progressing, Time-Duration=0");
/// ```
///
/// [RFC 7826 §18.29]: https://www.rfc-editor.org/rfc/rfc7826#section-18.29
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MediaProperties(pub Vec<MediaProperty>);

impl MediaProperties {
    /// True when `prop` is listed (for properties with values, the value must match too).
    pub fn contains(&self, prop: &MediaProperty) -> bool {
        self.0.contains(prop)
    }

    /// The `Scales` property's entries, if present.
    pub fn scales(&self) -> Option<&[ScaleEntry]> {
        self.0.iter().find_map(|p| match p {
            MediaProperty::Scales(s) => Some(s.as_slice()),
            _ => None,
        })
    }
}

const MEDIA_PROPERTIES: HeaderName = HeaderName::MEDIA_PROPERTIES;

fn parse_scales(v: &str, pos: usize) -> Result<Vec<ScaleEntry>, HeaderError> {
    let mut items = Vec::new();
    split_list(&MEDIA_PROPERTIES, v, pos, "scales", &mut items)?;
    let e = |k| HeaderError::new(MEDIA_PROPERTIES, pos, k);
    items
        .into_iter()
        .map(|(_, item)| match item.split_once(':') {
            None => parse_float(item, true).map(ScaleEntry::Value).map_err(e),
            Some((a, b)) => Ok(ScaleEntry::Range(
                parse_float(a.trim(), true).map_err(e)?,
                parse_float(b.trim(), true).map_err(e)?,
            )),
        })
        .collect()
}

fn parse_property(item: &str, pos: usize) -> Result<MediaProperty, HeaderError> {
    let (name, value) = match item.split_once('=') {
        Some((n, v)) => (n.trim(), Some(v.trim())),
        None => (item, None),
    };
    let e = |k| HeaderError::new(MEDIA_PROPERTIES, pos, k);
    if !is_token(name) {
        return Err(e(HeaderErrorKind::Syntax("media-prop-value")));
    }
    let value = match value {
        Some(v) => Some(unquote(v).ok_or_else(|| e(HeaderErrorKind::Syntax("quoted-string")))?),
        None => None,
    };
    let is = |n: &str| name.eq_ignore_ascii_case(n);
    let flag = |p: MediaProperty| match value {
        None => Ok(p),
        Some(_) => Err(e(HeaderErrorKind::Syntax("media-prop-value"))),
    };
    let need = || {
        value
            .as_deref()
            .ok_or_else(|| e(HeaderErrorKind::Missing("value")))
    };
    Ok(if is("Random-Access") {
        match value.as_deref() {
            None => MediaProperty::RandomAccess(None),
            Some(v) => MediaProperty::RandomAccess(Some(parse_float(v, false).map_err(e)?)),
        }
    } else if is("Beginning-Only") {
        flag(MediaProperty::BeginningOnly)?
    } else if is("No-Seeking") {
        flag(MediaProperty::NoSeeking)?
    } else if is("Immutable") {
        flag(MediaProperty::Immutable)?
    } else if is("Dynamic") {
        flag(MediaProperty::Dynamic)?
    } else if is("Time-Progressing") {
        flag(MediaProperty::TimeProgressing)?
    } else if is("Unlimited") {
        flag(MediaProperty::Unlimited)?
    } else if is("Time-Limited") {
        MediaProperty::TimeLimited(need()?.to_owned())
    } else if is("Time-Duration") {
        MediaProperty::TimeDuration(parse_float(need()?, false).map_err(e)?)
    } else if is("Scales") {
        MediaProperty::Scales(parse_scales(need()?, pos)?)
    } else {
        MediaProperty::Other {
            name: name.to_owned(),
            value: value.map(|v| v.into_owned()),
        }
    })
}

impl TypedHeader for MediaProperties {
    fn name() -> HeaderName {
        MEDIA_PROPERTIES
    }

    fn parse(value: &str) -> Result<MediaProperties, HeaderError> {
        MediaProperties::parse_values(std::iter::once(value))
    }

    fn parse_values<'a, I: Iterator<Item = &'a str>>(
        values: I,
    ) -> Result<MediaProperties, HeaderError> {
        let mut out = Vec::new();
        for value in values {
            let mut items = Vec::new();
            split_list(&MEDIA_PROPERTIES, value, 0, "media properties", &mut items)?;
            for (pos, item) in items {
                if out.len() >= MAX_ITEMS {
                    return Err(HeaderError::new(
                        MEDIA_PROPERTIES,
                        pos,
                        HeaderErrorKind::TooMany {
                            what: "media properties",
                            limit: MAX_ITEMS,
                        },
                    ));
                }
                out.push(parse_property(item, pos)?);
            }
        }
        Ok(MediaProperties(out))
    }

    fn format(&self, out: &mut String) {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let name_value = |out: &mut String, n: &str| {
                out.push_str(n);
                out.push('=');
            };
            match p {
                MediaProperty::RandomAccess(None) => out.push_str("Random-Access"),
                MediaProperty::RandomAccess(Some(v)) => {
                    name_value(out, "Random-Access");
                    write_float(out, *v);
                }
                MediaProperty::BeginningOnly => out.push_str("Beginning-Only"),
                MediaProperty::NoSeeking => out.push_str("No-Seeking"),
                MediaProperty::Immutable => out.push_str("Immutable"),
                MediaProperty::Dynamic => out.push_str("Dynamic"),
                MediaProperty::TimeProgressing => out.push_str("Time-Progressing"),
                MediaProperty::Unlimited => out.push_str("Unlimited"),
                MediaProperty::TimeLimited(t) => {
                    name_value(out, "Time-Limited");
                    write_token_or_quoted(out, t);
                }
                MediaProperty::TimeDuration(v) => {
                    name_value(out, "Time-Duration");
                    write_float(out, *v);
                }
                MediaProperty::Scales(s) => {
                    name_value(out, "Scales");
                    let mut list = String::new();
                    for (j, entry) in s.iter().enumerate() {
                        if j > 0 {
                            list.push_str(", ");
                        }
                        match *entry {
                            ScaleEntry::Value(v) => write_float(&mut list, v),
                            ScaleEntry::Range(a, b) => {
                                write_float(&mut list, a);
                                list.push(':');
                                write_float(&mut list, b);
                            }
                        }
                    }
                    write_quoted(out, &list);
                }
                MediaProperty::Other { name, value } => {
                    out.push_str(name);
                    if let Some(v) = value {
                        out.push('=');
                        write_token_or_quoted(out, v);
                    }
                }
            }
        }
    }
}

macro_rules! keyword_header {
    (
        $(#[$doc:meta])* $ty:ident, $name:ident, $rule:literal,
        $( $(#[$vdoc:meta])* $variant:ident = $text:literal, )+
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $ty {
            $( $(#[$vdoc])* $variant, )+
            /// An extension value, as sent. Never a registered value in any case when
            /// built by `parse`.
            Other(String),
        }

        impl $ty {
            /// The value for a token; registered values match case-insensitively, as ABNF
            /// string literals do (RFC 5234 §2.3).
            pub fn from_token(token: &str) -> $ty {
                $( if token.eq_ignore_ascii_case($text) { return $ty::$variant; } )+
                $ty::Other(token.to_owned())
            }

            /// The value as written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $ty::$variant => $text, )+
                    $ty::Other(s) => s,
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl TypedHeader for $ty {
            fn name() -> HeaderName {
                HeaderName::$name
            }

            fn parse(value: &str) -> Result<$ty, HeaderError> {
                let v = value.trim();
                if is_token(v) {
                    Ok($ty::from_token(v))
                } else {
                    Err(HeaderError::new(HeaderName::$name, 0, HeaderErrorKind::Syntax($rule)))
                }
            }

            fn format(&self, out: &mut String) {
                out.push_str(self.as_str());
            }
        }
    };
}

keyword_header! {
    /// `Seek-Style` ([RFC 7826 §18.47]): how the server chooses the position to start from
    /// when a `PLAY` seeks.
    ///
    /// ```
    /// use rtsp_proto::header::{SeekStyle, TypedHeader};
    /// assert_eq!(SeekStyle::parse("CoRAP").unwrap(), SeekStyle::CoRap);
    /// ```
    ///
    /// [RFC 7826 §18.47]: https://www.rfc-editor.org/rfc/rfc7826#section-18.47
    SeekStyle, SEEK_STYLE, "Seek-S-values",
    /// `RAP`: the closest random access point before the position.
    Rap = "RAP",
    /// `CoRAP`: the closest RAP, or a stream that can be decoded (conditional RAP).
    CoRap = "CoRAP",
    /// `First-Prior`: the first prior frame, with data before it delivered as well.
    FirstPrior = "First-Prior",
    /// `Next`: the next random access point after the position.
    Next = "Next",
}

keyword_header! {
    /// `Notify-Reason` ([RFC 7826 §18.32]): why a server sent a `PLAY_NOTIFY`.
    ///
    /// ```
    /// use rtsp_proto::header::{NotifyReason, TypedHeader};
    /// assert_eq!(NotifyReason::parse("end-of-stream").unwrap(), NotifyReason::EndOfStream);
    /// ```
    ///
    /// [RFC 7826 §18.32]: https://www.rfc-editor.org/rfc/rfc7826#section-18.32
    NotifyReason, NOTIFY_REASON, "Notify-Reas-val",
    /// `end-of-stream`: the stream ended.
    EndOfStream = "end-of-stream",
    /// `media-properties-update`: the media properties changed.
    MediaPropertiesUpdate = "media-properties-update",
    /// `scale-change`: the scale changed.
    ScaleChange = "scale-change",
}

/// `Pipelined-Requests` ([RFC 7826 §18.33]): the startup id that ties together requests a
/// client sends before it has a session id.
///
/// Background: the grammar allows up to 8 digits; GStreamer 1.22 sends 10
/// (`Pipelined-Requests: 1415493200`), so any decimal `u32` is accepted.
///
/// [RFC 7826 §18.33]: https://www.rfc-editor.org/rfc/rfc7826#section-18.33
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PipelinedRequests(pub u32);

impl TypedHeader for PipelinedRequests {
    fn name() -> HeaderName {
        HeaderName::PIPELINED_REQUESTS
    }

    fn parse(value: &str) -> Result<PipelinedRequests, HeaderError> {
        parse_decimal(value.trim(), u64::from(u32::MAX))
            .ok()
            .and_then(|n| u32::try_from(n).ok())
            .map(PipelinedRequests)
            .ok_or_else(|| {
                HeaderError::new(
                    HeaderName::PIPELINED_REQUESTS,
                    0,
                    HeaderErrorKind::Syntax("startup-id"),
                )
            })
    }

    fn format(&self, out: &mut String) {
        let _ = write!(out, "{}", self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale() {
        for (s, v) in [
            ("1", 1.0),
            ("-1", -1.0),
            ("0.5", 0.5),
            ("2.0", 2.0),
            (" 24 ", 24.0),
        ] {
            assert_eq!(Scale::parse(s).unwrap(), Scale(v), "{s}");
        }
        for s in ["", "fast", "1e3", "NaN", "inf", "-inf", "1,5", "--1"] {
            assert!(Scale::parse(s).is_err(), "{s}");
        }
        for v in [0.1, -0.3, 1e-7, 123456789.125, f64::MAX] {
            assert_eq!(Scale::parse(&Scale(v).to_value_string()).unwrap(), Scale(v));
        }
    }

    #[test]
    fn speed() {
        // The RFC 2326 single-value and RFC 7826 range forms.
        assert_eq!(Speed::parse("2.5").unwrap(), Speed::Single(2.5));
        assert_eq!(
            Speed::parse("1.0-2.5").unwrap(),
            Speed::Range {
                lower: 1.0,
                upper: 2.5
            }
        );
        assert_eq!(
            Speed::parse(" 1 - 1 ").unwrap(),
            Speed::Range {
                lower: 1.0,
                upper: 1.0
            }
        );
        for s in ["", "-1", "1-", "-", "1-2-3", "a-b", "1e2"] {
            assert!(Speed::parse(s).is_err(), "{s}");
        }
        let h = Speed::Range {
            lower: 0.25,
            upper: 4.0,
        };
        assert_eq!(h.to_value_string(), "0.25-4");
        assert_eq!(Speed::parse(&h.to_value_string()).unwrap(), h);
    }

    #[test]
    fn media_properties() {
        use MediaProperty as P;
        // The property forms of RFC 7826 §18.29.
        let h = MediaProperties::parse(
            r#"Random-Access=2.5, Unlimited, Immutable, Scales="-20, -10, -4, 0.5, 1, 4, 10, 20""#,
        )
        .unwrap();
        assert_eq!(h.0.len(), 4);
        assert_eq!(h.0[0], P::RandomAccess(Some(2.5)));
        let scales = h.scales().unwrap();
        assert_eq!(scales.len(), 8);
        assert_eq!(scales[0], ScaleEntry::Value(-20.0));
        assert_eq!(scales[3], ScaleEntry::Value(0.5));
        assert_eq!(
            h.to_value_string(),
            r#"Random-Access=2.5, Unlimited, Immutable, Scales="-20, -10, -4, 0.5, 1, 4, 10, 20""#
        );
        let h = MediaProperties::parse(
            "Time-Progressing, Time-Duration=600.0, Beginning-Only, Dynamic, Time-Limited=20081128T165900.00Z",
        )
        .unwrap();
        assert_eq!(
            h.0,
            [
                P::TimeProgressing,
                P::TimeDuration(600.0),
                P::BeginningOnly,
                P::Dynamic,
                P::TimeLimited("20081128T165900.00Z".into())
            ]
        );
        assert_eq!(MediaProperties::parse(&h.to_value_string()).unwrap(), h);
        // GStreamer 1.22 (corpus).
        let h = MediaProperties::parse("No-Seeking,Time-Progressing,Time-Duration=0.0").unwrap();
        assert_eq!(
            h.0,
            [P::NoSeeking, P::TimeProgressing, P::TimeDuration(0.0)]
        );
        // Ranges in Scales, unknown properties, empty list, case-insensitive names.
        let h = MediaProperties::parse(r#"scales="-20:-10, 1", X-Foo, X-Bar="a b", random-access"#)
            .unwrap();
        assert_eq!(
            h.0,
            [
                P::Scales(vec![
                    ScaleEntry::Range(-20.0, -10.0),
                    ScaleEntry::Value(1.0)
                ]),
                P::Other {
                    name: "X-Foo".into(),
                    value: None
                },
                P::Other {
                    name: "X-Bar".into(),
                    value: Some("a b".into())
                },
                P::RandomAccess(None),
            ]
        );
        assert_eq!(MediaProperties::parse(&h.to_value_string()).unwrap(), h);
        assert_eq!(
            MediaProperties::parse("").unwrap(),
            MediaProperties::default()
        );
        let h = MediaProperties::parse_values(["Unlimited", "Immutable"].into_iter()).unwrap();
        assert_eq!(h.0, [P::Unlimited, P::Immutable]);
        for bad in [
            "Unlimited=1",
            "Time-Duration",
            "Time-Duration=-1",
            "Random-Access=x",
            "Scales=\"a\"",
            "Scales=\"1",
            "Bad Name",
        ] {
            assert!(MediaProperties::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn keywords() {
        for (s, v) in [
            ("RAP", SeekStyle::Rap),
            ("CoRAP", SeekStyle::CoRap),
            ("First-Prior", SeekStyle::FirstPrior),
            ("next", SeekStyle::Next),
            ("X-Mine", SeekStyle::Other("X-Mine".into())),
        ] {
            let h = SeekStyle::parse(s).unwrap();
            assert_eq!(h, v);
            assert_eq!(SeekStyle::parse(&h.to_value_string()).unwrap(), h);
        }
        for (s, v) in [
            ("end-of-stream", NotifyReason::EndOfStream),
            (
                "media-properties-update",
                NotifyReason::MediaPropertiesUpdate,
            ),
            ("scale-change", NotifyReason::ScaleChange),
            ("x-other", NotifyReason::Other("x-other".into())),
        ] {
            assert_eq!(NotifyReason::parse(s).unwrap(), v);
            assert_eq!(v.to_value_string(), s);
        }
        assert!(SeekStyle::parse("").is_err());
        assert!(NotifyReason::parse("a b").is_err());
    }

    #[test]
    fn pipelined_requests() {
        // A short id, and GStreamer's 10-digit value (corpus).
        assert_eq!(
            PipelinedRequests::parse("7689").unwrap(),
            PipelinedRequests(7689)
        );
        assert_eq!(
            PipelinedRequests::parse("1415493200").unwrap(),
            PipelinedRequests(1_415_493_200)
        );
        assert_eq!(PipelinedRequests(7).to_value_string(), "7");
        for bad in ["", "x", "4294967296", "-1"] {
            assert!(PipelinedRequests::parse(bad).is_err(), "{bad}");
        }
    }
}
