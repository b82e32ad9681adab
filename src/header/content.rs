//! Content and location headers: `Content-Base`, `Content-Location`, `Location`,
//! `Content-Type` and `Accept`.

use super::list_util::{leading_ws, parse_params, MAX_ITEMS};
use super::syntax::{is_token, split_outside_quotes, write_token_or_quoted};
use super::{HeaderError, HeaderErrorKind, TypedHeader};
use crate::message::HeaderName;

/// Parses a URL-valued header: trimmed, surrounding angle brackets removed, non-empty.
fn parse_url(name: HeaderName, value: &str) -> Result<String, HeaderError> {
    let v = value.trim();
    let v = v
        .strip_prefix('<')
        .and_then(|v| v.strip_suffix('>'))
        .map_or(v, str::trim);
    if v.is_empty() {
        return Err(HeaderError::new(name, 0, HeaderErrorKind::Missing("URI")));
    }
    // A URI has no whitespace or control characters (RFC 3986 §2).
    if let Some(pos) = v.find(|c: char| c.is_control() || c.is_whitespace()) {
        let offset = value.len() - value.trim_start().len() + pos;
        return Err(HeaderError::new(
            name,
            offset,
            HeaderErrorKind::Syntax("URI"),
        ));
    }
    Ok(v.to_owned())
}

macro_rules! url_header {
    ($(#[$doc:meta])* $ty:ident, $name:ident) => {
        $(#[$doc])*
        ///
        /// The URL is kept as the string sent (trimmed, without surrounding `<` `>`); it is
        /// not required to be absolute or even to have a scheme.
        ///
        /// Background: Anjvision cameras (and some Android streaming apps) send a
        /// schemeless base such as `192.168.1.10:554/stream0/` (retina issue 135); the
        /// value is kept as is and resolving it is left to the caller.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $ty(pub String);

        impl $ty {
            /// The URL.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TypedHeader for $ty {
            fn name() -> HeaderName {
                HeaderName::$name
            }

            fn parse(value: &str) -> Result<$ty, HeaderError> {
                parse_url(HeaderName::$name, value).map($ty)
            }

            fn format(&self, out: &mut String) {
                format_url(&self.0, out);
            }
        }
    };
}

/// Writes a URL header's value so that [`parse_url`] reads it back: bare, unless the value
/// itself is wrapped in `<` `>` (parsed from `<<...>>`), which would lose that pair.
fn format_url(url: &str, out: &mut String) {
    if url.starts_with('<') && url.ends_with('>') {
        out.push('<');
        out.push_str(url);
        out.push('>');
    } else {
        out.push_str(url);
    }
}

url_header! {
    /// `Content-Base` ([RFC 2326 §12.11], [RFC 7826 §18.14]): the base URL for relative
    /// URLs in the body (the SDP's `a=control` attributes).
    ///
    /// [RFC 2326 §12.11]: https://www.rfc-editor.org/rfc/rfc2326#section-12.11
    /// [RFC 7826 §18.14]: https://www.rfc-editor.org/rfc/rfc7826#section-18.14
    ContentBase, CONTENT_BASE
}

url_header! {
    /// `Content-Location` ([RFC 2326 §12.15], [RFC 7826 §18.18]): where the body's
    /// resource can be fetched; also a base for relative URLs when `Content-Base` is absent.
    ///
    /// [RFC 2326 §12.15]: https://www.rfc-editor.org/rfc/rfc2326#section-12.15
    /// [RFC 7826 §18.18]: https://www.rfc-editor.org/rfc/rfc7826#section-18.18
    ContentLocation, CONTENT_LOCATION
}

url_header! {
    /// `Location` ([RFC 2326 §12.25], [RFC 7826 §18.28]): the target of a redirection
    /// (`3xx` responses and `REDIRECT` requests).
    ///
    /// [RFC 2326 §12.25]: https://www.rfc-editor.org/rfc/rfc2326#section-12.25
    /// [RFC 7826 §18.28]: https://www.rfc-editor.org/rfc/rfc7826#section-18.28
    Location, LOCATION
}

/// Parses `type "/" subtype *(";" parameter)` starting at `base`.
#[allow(clippy::type_complexity)]
fn parse_media(
    name: &HeaderName,
    s: &str,
    base: usize,
) -> Result<(String, String, Vec<(String, Option<String>)>), HeaderError> {
    let (essence, params) = match split_outside_quotes(s, b';').next() {
        Some((_, e)) => (e, s.get(e.len() + 1..).unwrap_or("")),
        None => (s, ""),
    };
    let (ty, sub) = essence
        .split_once('/')
        .map(|(t, s)| (t.trim(), s.trim()))
        .filter(|(t, s)| is_token(t) && is_token(s))
        .ok_or_else(|| {
            HeaderError::new(
                name.clone(),
                base + leading_ws(essence),
                HeaderErrorKind::Syntax("media-type"),
            )
        })?;
    let params = parse_params(name, params, base + essence.len() + 1, b';', "parameter")?;
    Ok((ty.to_owned(), sub.to_owned(), params))
}

fn require_values(
    name: &HeaderName,
    base: usize,
    params: Vec<(String, Option<String>)>,
) -> Result<Vec<(String, String)>, HeaderError> {
    params
        .into_iter()
        .map(|(k, v)| {
            v.map(|v| (k, v)).ok_or_else(|| {
                HeaderError::new(name.clone(), base, HeaderErrorKind::Syntax("parameter"))
            })
        })
        .collect()
}

fn write_params(out: &mut String, params: &[(String, String)]) {
    for (k, v) in params {
        out.push(';');
        out.push_str(k);
        out.push('=');
        write_token_or_quoted(out, v);
    }
}

/// `Content-Type` ([RFC 2326 §12.16], [RFC 7826 §18.19]): the media type of the body,
/// `type/subtype` with parameters. Type, subtype and parameter names keep the sender's
/// case; compare them with [`ContentType::is`] or [`ContentType::is_sdp`], which ignore
/// case as RFC 6838 requires. At most 64 parameters.
///
/// ```
/// use rtsp_proto::header::{ContentType, TypedHeader};
/// let h = ContentType::parse("Application/SDP; charset=utf-8").unwrap();
/// assert!(h.is_sdp());
/// assert_eq!(h.param("Charset"), Some("utf-8"));
/// assert_eq!(h.to_value_string(), "Application/SDP;charset=utf-8");
/// ```
///
/// [RFC 2326 §12.16]: https://www.rfc-editor.org/rfc/rfc2326#section-12.16
/// [RFC 7826 §18.19]: https://www.rfc-editor.org/rfc/rfc7826#section-18.19
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContentType {
    /// The top-level type, such as `application`.
    pub media_type: String,
    /// The subtype, such as `sdp`.
    pub subtype: String,
    /// Parameters in order, values unquoted.
    pub params: Vec<(String, String)>,
}

impl ContentType {
    /// `application/sdp`, the type of a `DESCRIBE` body.
    pub fn sdp() -> ContentType {
        ContentType {
            media_type: "application".to_owned(),
            subtype: "sdp".to_owned(),
            params: Vec::new(),
        }
    }

    /// True when the type is `media_type/subtype` (case-insensitive; parameters ignored).
    pub fn is(&self, media_type: &str, subtype: &str) -> bool {
        self.media_type.eq_ignore_ascii_case(media_type)
            && self.subtype.eq_ignore_ascii_case(subtype)
    }

    /// True for `application/sdp` in any case.
    pub fn is_sdp(&self) -> bool {
        self.is("application", "sdp")
    }

    /// The value of parameter `name` (case-insensitive).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl TypedHeader for ContentType {
    fn name() -> HeaderName {
        HeaderName::CONTENT_TYPE
    }

    fn parse(value: &str) -> Result<ContentType, HeaderError> {
        let name = HeaderName::CONTENT_TYPE;
        let (media_type, subtype, params) = parse_media(&name, value, 0)?;
        Ok(ContentType {
            media_type,
            subtype,
            params: require_values(&name, 0, params)?,
        })
    }

    fn format(&self, out: &mut String) {
        out.push_str(&self.media_type);
        out.push('/');
        out.push_str(&self.subtype);
        write_params(out, &self.params);
    }
}

/// A quality value (RFC 7826 §18.1 `qvalue`) in thousandths: `q=0.5` is `QValue(500)`,
/// `q=1` is `QValue(1000)`. Stored as an integer so that it round-trips exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QValue(u16);

impl QValue {
    /// `q=1`, the default.
    pub const ONE: QValue = QValue(1000);

    /// A quality of `thousandths / 1000`; `None` above 1000.
    pub const fn from_thousandths(thousandths: u16) -> Option<QValue> {
        if thousandths <= 1000 {
            Some(QValue(thousandths))
        } else {
            None
        }
    }

    /// The quality in thousandths (0 to 1000).
    pub const fn thousandths(self) -> u16 {
        self.0
    }

    /// Parses `("0" ["." 0*3DIGIT]) / ("1" ["." 0*3("0")])`.
    fn parse(s: &str) -> Option<QValue> {
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut milli: u16 = match int {
            "0" => 0,
            "1" => 1000,
            _ => return None,
        };
        let mut scale = 100;
        for b in frac.bytes() {
            milli = milli.checked_add(u16::from(b - b'0') * scale)?;
            scale /= 10;
        }
        QValue::from_thousandths(milli)
    }

    fn write(self, out: &mut String) {
        match self.0 {
            1000 => out.push('1'),
            0 => out.push('0'),
            n => {
                let s = format!("0.{n:03}");
                out.push_str(s.trim_end_matches('0'));
            }
        }
    }
}

/// One media range of an [`Accept`] header: `type/subtype` (either may be `*`),
/// parameters, and an optional quality.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MediaRange {
    /// The top-level type or `*`.
    pub media_type: String,
    /// The subtype or `*`.
    pub subtype: String,
    /// Parameters other than `q`, in order, values unquoted.
    pub params: Vec<(String, String)>,
    /// The `q` parameter, if given.
    pub q: Option<QValue>,
}

impl MediaRange {
    /// True when this range covers `media_type/subtype` (wildcards and case-insensitive
    /// comparison), whatever its quality.
    pub fn matches(&self, media_type: &str, subtype: &str) -> bool {
        (self.media_type == "*" || self.media_type.eq_ignore_ascii_case(media_type))
            && (self.subtype == "*" || self.subtype.eq_ignore_ascii_case(subtype))
    }
}

/// `Accept` ([RFC 2326 §12.1], [RFC 7826 §18.1]): the media types the client accepts in a
/// response body, such as `application/sdp`. Repeated fields combine; at most 64 ranges.
///
/// Formatting writes the `q` parameter after the other parameters of a range.
///
/// ```
/// use rtsp_proto::header::{Accept, TypedHeader};
/// let h = Accept::parse("application/sdp, application/rtsl;q=0.5, */*;q=0").unwrap();
/// assert!(h.accepts("application", "sdp"));
/// assert!(!h.accepts("text", "plain"));
/// ```
///
/// [RFC 2326 §12.1]: https://www.rfc-editor.org/rfc/rfc2326#section-12.1
/// [RFC 7826 §18.1]: https://www.rfc-editor.org/rfc/rfc7826#section-18.1
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Accept(pub Vec<MediaRange>);

impl Accept {
    /// True when the most specific range that covers `media_type/subtype` (exact, then
    /// `type/*`, then `*/*`) has a non-zero quality.
    pub fn accepts(&self, media_type: &str, subtype: &str) -> bool {
        let specificity =
            |r: &MediaRange| u8::from(r.media_type != "*") + u8::from(r.subtype != "*");
        self.0
            .iter()
            .filter(|r| r.matches(media_type, subtype))
            .max_by_key(|r| specificity(r))
            .is_some_and(|r| r.q.unwrap_or(QValue::ONE).thousandths() > 0)
    }
}

impl TypedHeader for Accept {
    fn name() -> HeaderName {
        HeaderName::ACCEPT
    }

    fn parse(value: &str) -> Result<Accept, HeaderError> {
        Accept::parse_values(std::iter::once(value))
    }

    fn parse_values<'a, I: Iterator<Item = &'a str>>(values: I) -> Result<Accept, HeaderError> {
        let name = HeaderName::ACCEPT;
        let mut out = Vec::new();
        for value in values {
            for (pos, piece) in split_outside_quotes(value, b',') {
                let pos = pos + leading_ws(piece);
                let item = piece.trim();
                if item.is_empty() {
                    continue;
                }
                if out.len() >= MAX_ITEMS {
                    return Err(HeaderError::new(
                        name,
                        pos,
                        HeaderErrorKind::TooMany {
                            what: "media ranges",
                            limit: MAX_ITEMS,
                        },
                    ));
                }
                let (media_type, subtype, raw) = parse_media(&name, item, pos)?;
                let mut params = Vec::new();
                let mut q = None;
                for (k, v) in raw {
                    if k.eq_ignore_ascii_case("q") {
                        q = Some(v.as_deref().and_then(QValue::parse).ok_or_else(|| {
                            HeaderError::new(name.clone(), pos, HeaderErrorKind::Syntax("qvalue"))
                        })?);
                    } else {
                        let v = v.ok_or_else(|| {
                            HeaderError::new(
                                name.clone(),
                                pos,
                                HeaderErrorKind::Syntax("parameter"),
                            )
                        })?;
                        params.push((k, v));
                    }
                }
                out.push(MediaRange {
                    media_type,
                    subtype,
                    params,
                    q,
                });
            }
        }
        Ok(Accept(out))
    }

    fn format(&self, out: &mut String) {
        for (i, r) in self.0.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&r.media_type);
            out.push('/');
            out.push_str(&r.subtype);
            write_params(out, &r.params);
            if let Some(q) = r.q {
                out.push_str(";q=");
                q.write(out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_headers() {
        let corpus = [
            "192.168.1.10:554/stream0/",
            "rtsp://127.0.0.1:554/camera",
            "rtsp://127.0.0.1:8554/av/",
            "rtsp://192.168.1.110:5049/H264?channel=1&subtype=1&unicast=true&proto=Onvif",
            "rtsp://192.168.5.111:554/cam/realmonitor?channel=1&subtype=1&unicast=true&proto=Onvif/",
            "rtsp://[::1]:8557/h264/",
            "rtsp://wowzaec2demo.streamlock.net/vod/mp4:BigBuckBunny_115k.mov/",
        ];
        for line in corpus {
            let h = ContentBase::parse(line).unwrap();
            assert_eq!(h.as_str(), line);
            assert_eq!(h.to_value_string(), line);
        }
        assert_eq!(
            Location::parse(" <rtsp://other/x> ").unwrap(),
            Location("rtsp://other/x".into())
        );
        assert_eq!(
            ContentLocation::parse("rtsp://h/a").unwrap().as_str(),
            "rtsp://h/a"
        );
        // A value in two pairs of angle brackets keeps the inner pair through a format
        // and parse (found by the `headers` fuzz target).
        for v in ["<<3>>", "<3", "3>", "<<rtsp://h/a>>"] {
            let h = ContentLocation::parse(v).unwrap();
            assert_eq!(
                ContentLocation::parse(&h.to_value_string()).unwrap(),
                h,
                "{v}"
            );
        }
        assert!(ContentBase::parse("").is_err());
        assert!(Location::parse("<>").is_err());
        assert_eq!(Location::parse("<x").unwrap().0, "<x");
    }

    #[test]
    fn content_type() {
        let h = ContentType::parse("application/sdp").unwrap();
        assert_eq!(h, ContentType::sdp());
        assert!(h.is_sdp());
        let h = ContentType::parse(r#"text/parameters; charset="utf-8" ;x=y"#).unwrap();
        assert!(h.is("TEXT", "Parameters"));
        assert!(!h.is_sdp());
        assert_eq!(
            h.params,
            [("charset".into(), "utf-8".into()), ("x".into(), "y".into())]
        );
        assert_eq!(h.to_value_string(), "text/parameters;charset=utf-8;x=y");
        let h = ContentType {
            media_type: "a".into(),
            subtype: "b".into(),
            params: vec![("k".into(), "two words; \"q\"".into())],
        };
        assert_eq!(ContentType::parse(&h.to_value_string()).unwrap(), h);
        for bad in [
            "",
            "application",
            "application/",
            "/sdp",
            "a b/c",
            "a/b;k",
            "a/b;=v",
            "a/b;k=\"v",
        ] {
            assert!(ContentType::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn accept() {
        let h = Accept::parse("application/sdp").unwrap();
        assert_eq!(h.0.len(), 1);
        assert!(h.accepts("application", "sdp"));
        assert!(!h.accepts("application", "rtsl"));
        // RFC 2326 §12.1 example.
        let h = Accept::parse("application/rtsl, application/sdp;level=2").unwrap();
        assert_eq!(h.0[1].params, [("level".into(), "2".into())]);
        let h = Accept::parse("text/*;q=0.3, text/html;q=0.7;level=1, */*;q=0.5, image/png;q=0")
            .unwrap();
        assert_eq!(h.0[0].q, QValue::from_thousandths(300));
        assert_eq!(h.0[1].q, QValue::from_thousandths(700));
        assert!(h.accepts("text", "plain"));
        assert!(h.accepts("video", "mp4"));
        assert!(!h.accepts("image", "png"));
        assert_eq!(
            h.to_value_string(),
            "text/*;q=0.3, text/html;level=1;q=0.7, */*;q=0.5, image/png;q=0"
        );
        assert_eq!(Accept::parse(&h.to_value_string()).unwrap(), h);
        for (q, milli) in [
            ("1", 1000),
            ("1.000", 1000),
            ("0.001", 1),
            ("0.05", 50),
            ("0.", 0),
            ("0", 0),
        ] {
            assert_eq!(QValue::parse(q), QValue::from_thousandths(milli), "{q}");
        }
        for q in ["2", "1.001", "0.0001", "", ".5", "-0", "0.a"] {
            assert_eq!(QValue::parse(q), None, "{q}");
        }
        for milli in 0..=1000 {
            let q = QValue(milli);
            let mut s = String::new();
            q.write(&mut s);
            assert_eq!(QValue::parse(&s), Some(q), "{s}");
        }
        assert!(Accept::parse("application/sdp;q=2").is_err());
        let h = Accept::parse_values(["application/sdp", "text/parameters"].into_iter()).unwrap();
        assert_eq!(h.0.len(), 2);
        assert_eq!(Accept::parse("").unwrap(), Accept::default());
    }
}
