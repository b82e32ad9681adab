//! `RTP-Info`: where each stream's RTP packets start after a `PLAY`
//! ([RFC 2326 §12.33], [RFC 7826 §18.45]).
//!
//! [RFC 2326 §12.33]: https://www.rfc-editor.org/rfc/rfc2326#section-12.33
//! [RFC 7826 §18.45]: https://www.rfc-editor.org/rfc/rfc7826#section-18.45

use super::list_util::{leading_ws, MAX_ITEMS};
use super::syntax::{split_outside_quotes, unquote, write_quoted};
use super::{HeaderError, HeaderErrorKind, TypedHeader};
use crate::header::basic::parse_decimal;
use crate::message::HeaderName;
use crate::Ssrc;
use std::fmt::Write as _;

/// Which grammar an [`RtpInfo`] value follows on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum RtpInfoForm {
    /// RFC 2326 §12.33: `url=rtsp://h/a/track1;seq=45102;rtptime=2345, url=...`, with the
    /// URL unquoted. An `ssrc` parameter is accepted here too, as Reolink cameras send it.
    #[default]
    Rfc2326,
    /// RFC 7826 §18.45: `url="rtsp://h/a/track1" ssrc=0A13C760:seq=45102;rtptime=2345`,
    /// the URL quoted and the RTP parameters grouped per SSRC.
    Rfc7826,
}

/// One stream (and, in the RFC 7826 form, one SSRC of that stream) of an [`RtpInfo`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RtpInfoEntry {
    /// The stream's URL, as sent. It may be a relative path (`trackID=1`) or a URL that
    /// does not match any `SETUP` URL; matching it to a stream is the caller's job.
    pub url: String,
    /// The synchronization source, if given.
    pub ssrc: Option<Ssrc>,
    /// The sequence number of the first packet after the `PLAY`, if given.
    pub seq: Option<u16>,
    /// The RTP timestamp that corresponds to the start of the `Range`, if given and
    /// readable (see [`RtpInfo`] for the policy on unreadable values).
    pub rtptime: Option<u32>,
}

impl RtpInfoEntry {
    /// An entry for `url` with no parameters.
    pub fn new(url: impl Into<String>) -> RtpInfoEntry {
        RtpInfoEntry {
            url: url.into(),
            ssrc: None,
            seq: None,
            rtptime: None,
        }
    }
}

/// `RTP-Info` ([RFC 2326 §12.33], [RFC 7826 §18.45]): the first sequence number and RTP
/// timestamp of each stream after a `PLAY`.
///
/// Both grammars are read, whatever the message's protocol version (GStreamer's server
/// answers `RTSP/2.0` requests with the RFC 2326 form), and [`RtpInfo::form`] remembers
/// which one was seen so that formatting writes the same grammar back. The RFC 7826 form
/// may list several SSRCs for one URL; each becomes its own [`RtpInfoEntry`] with the same
/// `url`. Repeated `RTP-Info` fields combine into one list. At most 64 entries are kept
/// (more is a [`HeaderErrorKind::TooMany`] error).
///
/// `parse(format(h)) == h` holds for every value with at least one entry, with one
/// exception: an [`RtpInfoForm::Rfc7826`] value in which no entry has an SSRC (that grammar
/// requires one) is written in the RFC 2326 parameter syntax and reads back as
/// [`RtpInfoForm::Rfc2326`]. In the RFC 2326 form a URL that cannot be written bare
/// (empty, or holding whitespace, `"`, `,` or `;`) is written as a quoted string, as
/// [MS-RTSP §2.2.6.8] allows.
///
/// Unknown parameters (`generic-param` in RFC 7826) are ignored.
///
/// ```
/// use rtsp_proto::header::{RtpInfo, RtpInfoForm, TypedHeader};
/// let h = RtpInfo::parse("url=rtsp://h/a/stream=0;seq=4981;rtptime=1561459561").unwrap();
/// assert_eq!(h.form, RtpInfoForm::Rfc2326);
/// assert_eq!(h.entries[0].url, "rtsp://h/a/stream=0");
/// assert_eq!(h.entries[0].seq, Some(4981));
/// let h = RtpInfo::parse(r#"url="rtsp://h/a/video" ssrc=0A13C760:seq=45102;rtptime=12345678"#)
///     .unwrap();
/// assert_eq!(h.form, RtpInfoForm::Rfc7826);
/// assert_eq!(h.entries[0].ssrc.unwrap().0, 0x0A13_C760);
/// ```
///
/// # Leniency
///
/// Background: a trailing `;` after the last parameter (Laureii cameras, retina issue
/// 117), spaces after `;` and after `,` (Axis cameras, in gortsplib's tests), a space
/// between `ssrc=` and its value (Hikvision iDS-2CD9396-BIS and DS-2CD3641G2-IZS), a bare
/// path instead of a URL (`url=trackID=1`: Dahua, Reolink and Wowza in the corpus) and an
/// `ssrc` parameter in the RFC 2326 form (Reolink) are all accepted. An entry with
/// `seq=0` is kept as is (Hikvision DS-2CD2032-I sends it for its metadata stream;
/// deciding that the value is bogus belongs to the session layer).
///
/// Background: the OMNY M5S2A camera sends an `rtptime` that is not a 32-bit decimal
/// number. Policy: an `rtptime` that cannot be read makes that entry's
/// [`RtpInfoEntry::rtptime`] `None`; the entry and its other parameters are kept. A `seq`
/// of more than 16 bits (RFC 2326's own examples write `seq=12312232`) is treated the same
/// way: [`RtpInfoEntry::seq`] is `None`. A `seq` that is not a number, or an unreadable
/// `ssrc`, is still an error.
///
/// [RFC 2326 §12.33]: https://www.rfc-editor.org/rfc/rfc2326#section-12.33
/// [RFC 7826 §18.45]: https://www.rfc-editor.org/rfc/rfc7826#section-18.45
/// [MS-RTSP §2.2.6.8]: https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-rtsp/885609ed-7d41-46ef-91b3-f1598cb304d5
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct RtpInfo {
    /// The entries, in order.
    pub entries: Vec<RtpInfoEntry>,
    /// The grammar the value was read in, and is written in.
    pub form: RtpInfoForm,
}

impl RtpInfo {
    /// The first entry whose URL is `url` (compared exactly).
    pub fn entry(&self, url: &str) -> Option<&RtpInfoEntry> {
        self.entries.iter().find(|e| e.url == url)
    }
}

fn err(pos: usize, kind: HeaderErrorKind) -> HeaderError {
    HeaderError::new(HeaderName::RTP_INFO, pos, kind)
}

/// True when `s` (already trimmed at the start) begins `name` `=` (case-insensitively,
/// whitespace allowed before `=`).
fn starts_with_param(s: &str, name: &str) -> bool {
    match s.get(..name.len()) {
        Some(head) if head.eq_ignore_ascii_case(name) => s
            .get(name.len()..)
            .is_some_and(|rest| rest.trim_start().starts_with('=')),
        _ => false,
    }
}

fn is_known_param(piece: &str) -> bool {
    let p = piece.trim_start();
    ["seq", "rtptime", "ssrc"]
        .iter()
        .any(|n| starts_with_param(p, n))
}

/// Applies one `name=value` RTP parameter to `entry`.
fn apply_param(entry: &mut RtpInfoEntry, piece: &str, pos: usize) -> Result<(), HeaderError> {
    let Some((k, v)) = piece.split_once('=') else {
        // A bare flag is an extension we do not know; ignore it.
        return Ok(());
    };
    let k = k.trim();
    let v = v.trim();
    if k.eq_ignore_ascii_case("seq") {
        // Policy (RFC 2326 §14 examples): a number too large for 16 bits is dropped.
        match parse_decimal(v, u64::from(u16::MAX)) {
            Ok(n) => entry.seq = u16::try_from(n).ok(),
            Err(HeaderErrorKind::OutOfRange(_)) => entry.seq = None,
            Err(kind) => return Err(err(pos, kind)),
        }
    } else if k.eq_ignore_ascii_case("rtptime") {
        // Policy (OMNY M5S2A): an unreadable rtptime is dropped, the entry kept.
        entry.rtptime = parse_decimal(v, u64::from(u32::MAX))
            .ok()
            .and_then(|n| u32::try_from(n).ok());
    } else if k.eq_ignore_ascii_case("ssrc") {
        entry.ssrc = Some(parse_ssrc(v).ok_or_else(|| err(pos, HeaderErrorKind::Syntax("ssrc")))?);
    }
    Ok(())
}

/// Parses 1 to 8 hexadecimal digits (surrounding whitespace allowed: Hikvision).
fn parse_ssrc(s: &str) -> Option<Ssrc> {
    let s = s.trim();
    if s.is_empty() || s.len() > 8 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16).ok().map(Ssrc)
}

/// The index of the closing quote of the quoted string that starts at `s[0]`.
fn closing_quote(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 1;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// Positions in `s` where an RFC 7826 `ssrc-parameter` starts: `ssrc` `=` at the start of
/// `s` or after whitespace, outside quotes.
fn ssrc_group_starts(s: &str) -> Vec<usize> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut in_quotes = false;
    let mut prev_ws = true;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if in_quotes {
            if b == b'\\' {
                i += 1;
            } else if b == b'"' {
                in_quotes = false;
            }
        } else if b == b'"' {
            in_quotes = true;
        } else if prev_ws && s.get(i..).is_some_and(|t| starts_with_param(t, "ssrc")) {
            out.push(i);
        }
        prev_ws = b.is_ascii_whitespace();
        i += 1;
    }
    out
}

/// Parses the RFC 7826 `1*ssrc-parameter` part after a URL; pushes one entry per SSRC.
fn parse_ssrc_groups(
    url: &str,
    rest: &str,
    base: usize,
    out: &mut Vec<RtpInfoEntry>,
) -> Result<(), HeaderError> {
    let starts = ssrc_group_starts(rest);
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(rest.len());
        let group = rest.get(start..end).unwrap_or("");
        let pos = base + start;
        let (ssrc_part, params) = group.split_once(':').unwrap_or((group, ""));
        let ssrc_text = ssrc_part.split_once('=').map_or("", |(_, v)| v);
        let ssrc =
            parse_ssrc(ssrc_text).ok_or_else(|| err(pos, HeaderErrorKind::Syntax("ssrc")))?;
        let mut entry = RtpInfoEntry::new(url);
        entry.ssrc = Some(ssrc);
        let params_base = pos + (group.len() - params.len());
        for (p, piece) in split_outside_quotes(params, b';') {
            let piece = piece.trim();
            if !piece.is_empty() {
                apply_param(&mut entry, piece, params_base + p)?;
            }
        }
        push_entry(out, entry, pos)?;
    }
    Ok(())
}

fn push_entry(
    out: &mut Vec<RtpInfoEntry>,
    entry: RtpInfoEntry,
    pos: usize,
) -> Result<(), HeaderError> {
    if out.len() >= MAX_ITEMS {
        return Err(err(
            pos,
            HeaderErrorKind::TooMany {
                what: "RTP-Info entries",
                limit: MAX_ITEMS,
            },
        ));
    }
    out.push(entry);
    Ok(())
}

/// Parses one `rtsp-info-spec` (starting `url=`). Returns true when it used the RFC 7826
/// grammar.
fn parse_spec(spec: &str, base: usize, out: &mut Vec<RtpInfoEntry>) -> Result<bool, HeaderError> {
    let Some((key, value)) = spec.split_once('=') else {
        return Err(err(base, HeaderErrorKind::Syntax("stream-url")));
    };
    if !key.trim().eq_ignore_ascii_case("url") {
        return Err(err(base, HeaderErrorKind::Syntax("stream-url")));
    }
    let value_base = base + (spec.len() - value.len());
    let ws = leading_ws(value);
    let value = value.trim_start();
    let value_base = value_base + ws;
    if value.starts_with('"') {
        let close = closing_quote(value)
            .ok_or_else(|| err(value_base, HeaderErrorKind::Syntax("quoted-string")))?;
        let quoted = value.get(..=close).unwrap_or("");
        let url = unquote(quoted)
            .ok_or_else(|| err(value_base, HeaderErrorKind::Syntax("quoted-string")))?;
        let rest = value.get(close + 1..).unwrap_or("");
        let rest_base = value_base + close + 1;
        let trimmed = rest.trim_start();
        if trimmed.is_empty() || trimmed.starts_with(';') {
            // Quoted URL with RFC 2326 parameters (MS-RTSP), or a URL alone.
            let mut entry = RtpInfoEntry::new(url);
            for (p, piece) in split_outside_quotes(rest, b';').skip(1) {
                let piece = piece.trim();
                if !piece.is_empty() {
                    apply_param(&mut entry, piece, rest_base + p)?;
                }
            }
            push_entry(out, entry, base)?;
            Ok(false)
        } else if starts_with_param(trimmed, "ssrc") {
            parse_ssrc_groups(&url, rest, rest_base, out)?;
            Ok(true)
        } else {
            Err(err(
                rest_base + leading_ws(rest),
                HeaderErrorKind::Syntax("ssrc-parameter"),
            ))
        }
    } else {
        // RFC 2326: the URL runs to the first `;` that starts a known parameter; a URL may
        // itself contain `;`.
        let mut url = String::new();
        let mut entry = RtpInfoEntry::new(String::new());
        let mut in_url = true;
        for (i, (p, piece)) in split_outside_quotes(value, b';').enumerate() {
            if in_url && (i == 0 || !is_known_param(piece)) {
                if piece.trim().is_empty() {
                    continue;
                }
                if i > 0 {
                    url.push(';');
                }
                url.push_str(piece);
                continue;
            }
            in_url = false;
            let piece = piece.trim();
            if !piece.is_empty() {
                apply_param(&mut entry, piece, value_base + p)?;
            }
        }
        let url = url.trim();
        if url.is_empty() {
            return Err(err(value_base, HeaderErrorKind::Missing("url")));
        }
        entry.url = url.to_owned();
        push_entry(out, entry, base)?;
        Ok(false)
    }
}

/// Parses one field value into `out`; returns whether any spec used the RFC 7826 grammar.
fn parse_value(value: &str, out: &mut Vec<RtpInfoEntry>) -> Result<bool, HeaderError> {
    // Split into specs at commas outside quotes that are followed by `url=`; any other
    // comma belongs to the preceding spec (RFC 2326 URLs may contain commas).
    let mut specs: Vec<(usize, usize)> = Vec::new();
    for (pos, piece) in split_outside_quotes(value, b',') {
        let lead = leading_ws(piece);
        if starts_with_param(piece.trim_start(), "url") || specs.is_empty() {
            if !piece.trim().is_empty() {
                specs.push((pos + lead, pos + piece.len()));
            }
        } else if !piece.trim().is_empty() {
            if let Some(last) = specs.last_mut() {
                last.1 = pos + piece.len();
            }
        }
        if specs.len() > MAX_ITEMS {
            return Err(err(
                pos,
                HeaderErrorKind::TooMany {
                    what: "RTP-Info entries",
                    limit: MAX_ITEMS,
                },
            ));
        }
    }
    let mut v2 = false;
    for (start, end) in specs {
        let spec = value.get(start..end).unwrap_or("").trim_end();
        v2 |= parse_spec(spec, start, out)?;
    }
    Ok(v2)
}

impl TypedHeader for RtpInfo {
    fn name() -> HeaderName {
        HeaderName::RTP_INFO
    }

    fn parse(value: &str) -> Result<RtpInfo, HeaderError> {
        RtpInfo::parse_values(std::iter::once(value))
    }

    fn parse_values<'a, I: Iterator<Item = &'a str>>(values: I) -> Result<RtpInfo, HeaderError> {
        let mut entries = Vec::new();
        let mut v2 = false;
        for value in values {
            // URLs and parameters hold no control characters; rejecting them here keeps
            // every parsed value formattable as a header line.
            if let Some(pos) = value.find(|c: char| c.is_control() && c != '\t') {
                return Err(err(pos, HeaderErrorKind::Syntax("rtsp-info-spec")));
            }
            v2 |= parse_value(value, &mut entries)?;
        }
        if entries.is_empty() {
            return Err(err(0, HeaderErrorKind::Missing("rtsp-info-spec")));
        }
        let form = if v2 {
            RtpInfoForm::Rfc7826
        } else {
            RtpInfoForm::Rfc2326
        };
        Ok(RtpInfo { entries, form })
    }

    fn format(&self, out: &mut String) {
        for (i, e) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str("url=");
            let quote = match self.form {
                RtpInfoForm::Rfc7826 => true,
                RtpInfoForm::Rfc2326 => !is_bare_url(&e.url),
            };
            if quote {
                write_quoted(out, &e.url);
            } else {
                out.push_str(&e.url);
            }
            let ssrc_group = self.form == RtpInfoForm::Rfc7826 && e.ssrc.is_some();
            let mut first = true;
            let mut sep = |out: &mut String| {
                if ssrc_group && first {
                    out.push(':');
                } else {
                    out.push(';');
                }
                first = false;
            };
            if let (true, Some(ssrc)) = (ssrc_group, e.ssrc) {
                let _ = write!(out, " ssrc={ssrc}");
            }
            if let Some(seq) = e.seq {
                sep(out);
                let _ = write!(out, "seq={seq}");
            }
            if let Some(rtptime) = e.rtptime {
                sep(out);
                let _ = write!(out, "rtptime={rtptime}");
            }
            if let (false, Some(ssrc)) = (ssrc_group, e.ssrc) {
                sep(out);
                let _ = write!(out, "ssrc={ssrc}");
            }
        }
    }
}

/// True when an RFC 2326 URL can be written without quotes and read back unchanged.
fn is_bare_url(url: &str) -> bool {
    !url.is_empty()
        && !url
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '"' | ',' | ';'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(url: &str, ssrc: Option<u32>, seq: Option<u16>, rtptime: Option<u32>) -> RtpInfoEntry {
        RtpInfoEntry {
            url: url.to_owned(),
            ssrc: ssrc.map(Ssrc),
            seq,
            rtptime,
        }
    }

    fn v1(entries: Vec<RtpInfoEntry>) -> RtpInfo {
        RtpInfo {
            entries,
            form: RtpInfoForm::Rfc2326,
        }
    }

    fn v2(entries: Vec<RtpInfoEntry>) -> RtpInfo {
        RtpInfo {
            entries,
            form: RtpInfoForm::Rfc7826,
        }
    }

    fn check(input: &str, want: &RtpInfo) {
        let got = RtpInfo::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert_eq!(&got, want, "{input:?}");
        let s = got.to_value_string();
        assert_eq!(&RtpInfo::parse(&s).unwrap(), want, "reformatted {s:?}");
    }

    #[test]
    fn rfc_examples() {
        // RFC 2326 §12.33.
        check(
            "url=rtsp://foo.com/bar.avi/streamid=0;seq=45102, \
             url=rtsp://foo.com/bar.avi/streamid=1;seq=30211",
            &v1(vec![
                e("rtsp://foo.com/bar.avi/streamid=0", None, Some(45102), None),
                e("rtsp://foo.com/bar.avi/streamid=1", None, Some(30211), None),
            ]),
        );
        // RFC 7826 §18.45 (folded lines joined by the decoder).
        check(
            r#"url="rtsp://example.com/foo/audio" ssrc=0A13C760:seq=45102;rtptime=12345678, url="rtsp://example.com/foo/video" ssrc=9A9DE123:seq=30211;rtptime=29567112"#,
            &v2(vec![
                e(
                    "rtsp://example.com/foo/audio",
                    Some(0x0A13_C760),
                    Some(45102),
                    Some(12_345_678),
                ),
                e(
                    "rtsp://example.com/foo/video",
                    Some(0x9A9D_E123),
                    Some(30211),
                    Some(29_567_112),
                ),
            ]),
        );
        // Several SSRCs for one URL.
        check(
            r#"url="rtsp://h/v" ssrc=00000001:seq=1;rtptime=2 ssrc=00000002:seq=3"#,
            &v2(vec![
                e("rtsp://h/v", Some(1), Some(1), Some(2)),
                e("rtsp://h/v", Some(2), Some(3), None),
            ]),
        );
    }

    #[test]
    fn device_quirks() {
        let cases: &[(&str, RtpInfo)] = &[
            // Laureii: trailing `;`.
            (
                "url=rtsp://h/trackID=1;seq=1;rtptime=2;",
                v1(vec![e("rtsp://h/trackID=1", None, Some(1), Some(2))]),
            ),
            // Spaces after `;` and after `,`.
            (
                "url=rtsp://h/t1; seq=1; rtptime=2, url=rtsp://h/t2; seq=3",
                v1(vec![
                    e("rtsp://h/t1", None, Some(1), Some(2)),
                    e("rtsp://h/t2", None, Some(3), None),
                ]),
            ),
            // Hikvision: leading space in the ssrc value.
            (
                "url=rtsp://h/Streaming/channels/101/trackID=1;seq=5;rtptime=6;ssrc= 3FC2E1C9",
                v1(vec![e(
                    "rtsp://h/Streaming/channels/101/trackID=1",
                    Some(0x3FC2_E1C9),
                    Some(5),
                    Some(6),
                )]),
            ),
            (
                r#"url="rtsp://h/v" ssrc= 3FC2E1C9:seq=5"#,
                v2(vec![e("rtsp://h/v", Some(0x3FC2_E1C9), Some(5), None)]),
            ),
            // A path instead of a URL.
            (
                "url=trackID=1;seq=7",
                v1(vec![e("trackID=1", None, Some(7), None)]),
            ),
            // seq=0 is kept.
            (
                "url=rtsp://h/meta;seq=0;rtptime=0",
                v1(vec![e("rtsp://h/meta", None, Some(0), Some(0))]),
            ),
            // OMNY M5S2A: unparseable rtptime, entry kept.
            (
                "url=rtsp://h/t;seq=9;rtptime=-1",
                v1(vec![e("rtsp://h/t", None, Some(9), None)]),
            ),
            (
                "url=rtsp://h/t;seq=9;rtptime=99999999999",
                v1(vec![e("rtsp://h/t", None, Some(9), None)]),
            ),
            (
                "url=rtsp://h/t;seq=9;rtptime=",
                v1(vec![e("rtsp://h/t", None, Some(9), None)]),
            ),
            // 2.0 form: `,` and `;` inside the quoted URL.
            (
                r#"url="rtsp://h/a,b;c=d" ssrc=1:seq=1, url="rtsp://h/x;y" ssrc=2:seq=2"#,
                v2(vec![
                    e("rtsp://h/a,b;c=d", Some(1), Some(1), None),
                    e("rtsp://h/x;y", Some(2), Some(2), None),
                ]),
            ),
            // 1.0 form: a URL with `;` and `,` that are not parameter or entry separators.
            (
                "url=rtsp://h/a;jsessionid=1,2;seq=3",
                v1(vec![e("rtsp://h/a;jsessionid=1,2", None, Some(3), None)]),
            ),
            // Trailing comma, unknown parameter, upper-case names.
            (
                "URL=rtsp://h/a;SEQ=3;x-foo=bar,",
                v1(vec![e("rtsp://h/a", None, Some(3), None)]),
            ),
            // MS-RTSP: quoted URL with RFC 2326 parameters.
            (
                r#"url="rtsp://h/a b";seq=3"#,
                v1(vec![e("rtsp://h/a b", None, Some(3), None)]),
            ),
        ];
        for (input, want) in cases {
            check(input, want);
        }
    }

    #[test]
    fn corpus_lines() {
        let lines = [
            "url=rtsp://127.0.0.1:8554/av/stream=0;seq=11873;rtptime=3618019879, url=rtsp://127.0.0.1:8554/av/stream=1;seq=31598;rtptime=3079663963",
            "url=rtsp://127.0.0.1:8554/av/stream=0;seq=17328;rtptime=3668337643, url=rtsp://127.0.0.1:8554/av/stream=1;seq=14782;rtptime=3399893513",
            "url=rtsp://127.0.0.1:8554/av/stream=0;seq=29532;rtptime=3966491798, url=rtsp://127.0.0.1:8554/av/stream=1;seq=6414;rtptime=573839668",
            // GStreamer answering RTSP/2.0 with the RFC 2326 form.
            "url=rtsp://127.0.0.1:8554/av/stream=0;seq=4981;rtptime=1561459561, url=rtsp://127.0.0.1:8554/av/stream=1;seq=22075;rtptime=4016933089",
            "url=rtsp://127.0.0.1:8554/h264/stream=0;seq=1463;rtptime=1952960636",
            "url=rtsp://127.0.0.1:8554/h264/stream=0;seq=7145;rtptime=1064538687",
            "url=rtsp://127.0.0.1:8554/mjpeg/stream=0;seq=16489;rtptime=372060943",
            "url=rtsp://127.0.0.1:8554/pcmu/stream=0;seq=6993;rtptime=564889932",
            "url=rtsp://127.0.0.1:8554/pcmu/stream=0;seq=9258;rtptime=1357053828",
            "url=rtsp://127.0.0.1:8554/secure/stream=0;seq=21102;rtptime=1127278579",
            "url=rtsp://127.0.0.1:8554/secure/stream=0;seq=4798;rtptime=3669812931",
            "url=rtsp://127.0.0.1:8556/secure/stream=0;seq=9196;rtptime=1734232247",
            "url=rtsp://192.168.1.110:5049/H264/video;seq=273;rtptime=1621810809",
            "url=rtsp://192.168.1.110:5050/H264/video;seq=271;rtptime=1621990950",
            "url=rtsp://192.168.5.106:554/Streaming/Channels/101/trackID=1?transportmode=unicast&profile=Profile_1;seq=24104;rtptime=1270711678",
            "url=rtsp://[::1]:8557/h264/stream=0;seq=29130;rtptime=1946744998",
            "url=trackID=0;seq=47121;rtptime=3475222385,url=trackID=1;seq=45186;rtptime=2234446919,url=trackID=4;seq=36583;rtptime=816418535",
            "url=trackID=1;seq=16852;rtptime=1070938629;ssrc=dcc4a0d8,url=trackID=2;seq=39409;rtptime=3075976528;ssrc=9fc9fff8",
            "url=trackID=1;seq=1;rtptime=0,url=rtsp://wowzaec2demo.streamlock.net/vod/mp4:BigBuckBunny_115k.mov/trackID=2;seq=1;rtptime=0",
        ];
        for line in lines {
            let h = RtpInfo::parse(line).unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(h.form, RtpInfoForm::Rfc2326);
            assert!(h
                .entries
                .iter()
                .all(|e| e.seq.is_some() && e.rtptime.is_some()));
            assert_eq!(RtpInfo::parse(&h.to_value_string()).unwrap(), h);
        }
        let h = RtpInfo::parse(lines[14]).unwrap();
        assert_eq!(
            h.entries[0].url,
            "rtsp://192.168.5.106:554/Streaming/Channels/101/trackID=1?transportmode=unicast&profile=Profile_1"
        );
        let h = RtpInfo::parse(lines[17]).unwrap();
        assert_eq!(h.entries[1].ssrc, Some(Ssrc(0x9fc9_fff8)));
        assert_eq!(h.entries[1].url, "trackID=2");
        assert_eq!(
            lines[16],
            RtpInfo::parse(lines[16])
                .unwrap()
                .to_value_string()
                .replace(", ", ",")
        );
    }

    #[test]
    fn repeated_fields_combine() {
        let h =
            RtpInfo::parse_values(["url=a;seq=1", r#"url="b" ssrc=2:seq=2"#].into_iter()).unwrap();
        assert_eq!(h.entries.len(), 2);
        assert_eq!(h.form, RtpInfoForm::Rfc7826);
        assert_eq!(h.entry("b").unwrap().ssrc, Some(Ssrc(2)));
    }

    #[test]
    fn errors() {
        for bad in [
            "",
            ",",
            "seq=1;rtptime=0",
            "url=",
            "url=;seq=1",
            "url=a;seq=x",
            "url=a;ssrc=123456789",
            "url=a;ssrc=xyz",
            r#"url="a"#,
            r#"url="a" foo"#,
            r#"url="a" ssrc=zz:seq=1"#,
        ] {
            assert!(RtpInfo::parse(bad).is_err(), "{bad:?}");
        }
        // A seq wider than 16 bits (RFC 2326 §14) is dropped, not fatal.
        let wide = RtpInfo::parse("url=a;seq=12312232;rtptime=78712811").unwrap();
        assert_eq!(
            (wide.entries[0].seq, wide.entries[0].rtptime),
            (None, Some(78712811))
        );
        let many = "url=a;seq=1,".repeat(MAX_ITEMS + 1);
        assert!(matches!(
            RtpInfo::parse(&many).unwrap_err().kind,
            HeaderErrorKind::TooMany { .. }
        ));
        let e = RtpInfo::parse("url=a;seq=x").unwrap_err();
        assert_eq!(e.pos, 6);
    }

    #[test]
    fn format_forms() {
        let h = v2(vec![
            e("rtsp://h/a", Some(0x0A13_C760), Some(1), Some(2)),
            e("rtsp://h/b", None, Some(3), None),
        ]);
        assert_eq!(
            h.to_value_string(),
            r#"url="rtsp://h/a" ssrc=0A13C760:seq=1;rtptime=2, url="rtsp://h/b";seq=3"#
        );
        assert_eq!(RtpInfo::parse(&h.to_value_string()).unwrap(), h);
        let h = v1(vec![e("trackID=1", Some(0xdcc4_a0d8), Some(1), Some(2))]);
        assert_eq!(
            h.to_value_string(),
            "url=trackID=1;seq=1;rtptime=2;ssrc=DCC4A0D8"
        );
    }
}
