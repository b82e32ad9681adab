//! Getting an `sdp_types::Session` out of what a device sent: first the body as received,
//! then, if `sdp-types` rejects it, a normalised text with the rejected lines repaired or
//! dropped one at a time.
//!
//! The normalisation is line-based and minimal; it never interprets SDP beyond a line's
//! type letter:
//!
//! 1. invalid UTF-8 is replaced with U+FFFD (Chinese cameras write GBK session names);
//! 2. lines end at CRLF, bare LF or bare CR;
//! 3. spaces and tabs around each line are removed, and empty lines dropped;
//! 4. white-space runs inside an `m=` line become one space (`m=audio 0 RTP/AVP 8\t`);
//! 5. if the first line is not `v=`, `v=0` is put before it.
//!
//! Then, while `sdp-types` rejects a line: an `m=` line whose port is unreadable gets port
//! 0; any other rejected `m=` line is dropped with its whole media description; any other
//! rejected line is dropped. Each repair is a [`Diagnostic`], and at most
//! [`Limits::max_repairs`](super::Limits::max_repairs) are made.

use super::error::{DiagnosticKind, SdpError};
use super::options::{BadMediaPolicy, ParseOptions, RepairPolicy};
use super::Diags;
use sdp_types::ParserError;

/// The parsed session and where its lines were in the body as received.
pub(crate) struct Parsed {
    pub session: sdp_types::Session,
    /// 1-based line number of each `m=` line, in the order of `session.medias`.
    pub m_lines: Vec<usize>,
    /// Whether the text had an `o=` line (otherwise `session.origin` is a placeholder).
    pub has_origin: bool,
}

/// The line number (if any) and the field `sdp-types` names for an error.
fn describe(e: &ParserError) -> (Option<usize>, &'static str) {
    match *e {
        ParserError::InvalidLineFormat(n, s)
        | ParserError::InvalidFieldEncoding(n, s)
        | ParserError::InvalidFieldFormat(n, s)
        | ParserError::MissingField(n, s)
        | ParserError::FieldTrailingData(n, s) => (Some(n), s),
        ParserError::InvalidVersion(n, _) => (Some(n), "version"),
        ParserError::MultipleVersions(n) => (Some(n), "repeated v= line"),
        ParserError::MultipleOrigins(n) => (Some(n), "repeated o= line"),
        ParserError::MultipleSessionNames(n) => (Some(n), "repeated s= line"),
        ParserError::MultipleSessionDescription(n) => (Some(n), "repeated i= line"),
        ParserError::MultipleUris(n) => (Some(n), "repeated u= line"),
        ParserError::MultipleConnections(n) => (Some(n), "repeated c= line"),
        ParserError::MultipleTimeZones(n) => (Some(n), "repeated z= line"),
        ParserError::MultipleMediaTitles(n) => (Some(n), "repeated i= line"),
        ParserError::MultipleKeys(n) => (Some(n), "repeated k= line"),
        ParserError::RepeatWithoutTime(n) => (Some(n), "r= line without t="),
        ParserError::NoVersion => (None, "v= line"),
        #[allow(deprecated)]
        ParserError::UnexpectedLine(n, _) => (Some(n), "line"),
        #[allow(deprecated)]
        ParserError::NoOrigin => (None, "o= line"),
        #[allow(deprecated)]
        ParserError::NoSessionName => (None, "s= line"),
    }
}

/// Line numbers of `m=` lines and whether an `o=` line precedes the first, for text split
/// exactly as `sdp-types` splits it (at LF, a CR before it removed).
fn scan_raw(body: &[u8]) -> (Vec<usize>, bool) {
    let mut m_lines = Vec::new();
    let mut has_origin = false;
    for (i, line) in body.split(|&b| b == b'\n').enumerate() {
        if line.starts_with(b"m=") {
            m_lines.push(i + 1);
        } else if line.starts_with(b"o=") && m_lines.is_empty() {
            has_origin = true;
        }
    }
    (m_lines, has_origin)
}

/// Splits at CRLF, LF or a lone CR.
fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let s = rest?;
        match s.find(['\r', '\n']) {
            None => {
                rest = None;
                Some(s)
            }
            Some(i) => {
                let (line, tail) = s.split_at(i);
                let tail = tail
                    .strip_prefix("\r\n")
                    .or_else(|| tail.get(1..))
                    .unwrap_or("");
                rest = Some(tail);
                Some(line)
            }
        }
    })
}

/// One line of the normalised text: its 1-based number in the body as received (0 for
/// the inserted `v=0`) and its text.
struct Line {
    orig: usize,
    text: String,
}

fn normalise(body: &[u8], diags: &mut Diags) -> Vec<Line> {
    let text = String::from_utf8_lossy(body);
    let mut lines = Vec::new();
    for (i, raw) in split_lines(&text).enumerate() {
        let t = raw.trim_matches([' ', '\t']);
        if t.is_empty() {
            continue;
        }
        let text = match t.strip_prefix("m=") {
            Some(v) => {
                let mut s = String::with_capacity(t.len());
                s.push_str("m=");
                for (j, w) in v.split_ascii_whitespace().enumerate() {
                    if j > 0 {
                        s.push(' ');
                    }
                    s.push_str(w);
                }
                s
            }
            None => t.to_owned(),
        };
        lines.push(Line { orig: i + 1, text });
    }
    diags.push(None, None, DiagnosticKind::Normalized);
    if !lines.first().is_some_and(|l| l.text.starts_with("v=")) {
        diags.push(None, None, DiagnosticKind::MissingVersion);
        lines.insert(
            0,
            Line {
                orig: 0,
                text: "v=0".to_owned(),
            },
        );
    }
    lines
}

/// Rewrites the port of an `m=` line (its second field) to `0`.
fn zero_port(line: &str) -> Option<String> {
    let v = line.strip_prefix("m=")?;
    let mut fields = v.splitn(3, ' ');
    let media = fields.next()?;
    let _port = fields.next()?;
    let rest = fields.next().unwrap_or("");
    Some(format!("m={media} 0 {rest}"))
}

pub(crate) fn parse(
    body: &[u8],
    opts: &ParseOptions,
    diags: &mut Diags,
) -> Result<Parsed, SdpError> {
    let first = match sdp_types::Session::parse(body) {
        Ok(session) => {
            let (m_lines, has_origin) = scan_raw(body);
            return Ok(Parsed {
                session,
                m_lines,
                has_origin,
            });
        }
        Err(e) => e,
    };
    if opts.repair == RepairPolicy::Strict {
        return Err(match describe(&first) {
            (Some(line), _) if matches!(first, ParserError::InvalidVersion(..)) => {
                SdpError::Version { line }
            }
            (line, what) => SdpError::Syntax {
                line: line.unwrap_or(0),
                what,
            },
        });
    }

    let mut lines = normalise(body, diags);
    let mut repairs = 0usize;
    let mut port_fixed: Vec<usize> = Vec::new();
    loop {
        let mut joined = String::new();
        for l in &lines {
            joined.push_str(&l.text);
            joined.push('\n');
        }
        let err = match sdp_types::Session::parse(joined.as_bytes()) {
            Ok(session) => {
                let mut m_lines = Vec::new();
                let mut has_origin = false;
                for l in &lines {
                    if l.text.starts_with("m=") {
                        m_lines.push(l.orig);
                    } else if l.text.starts_with("o=") && m_lines.is_empty() {
                        has_origin = true;
                    }
                }
                return Ok(Parsed {
                    session,
                    m_lines,
                    has_origin,
                });
            }
            Err(e) => e,
        };
        let (n, what) = describe(&err);
        let idx = n.and_then(|n| n.checked_sub(1));
        let Some((idx, line)) = idx.and_then(|i| lines.get(i).map(|l| (i, l))) else {
            return Err(SdpError::Syntax { line: 0, what });
        };
        let orig = line.orig;
        let orig_opt = (orig > 0).then_some(orig);
        if matches!(err, ParserError::InvalidVersion(..)) {
            return Err(SdpError::Version { line: orig });
        }
        repairs += 1;
        if repairs > opts.limits.max_repairs {
            return Err(SdpError::TooManyRepairs {
                limit: opts.limits.max_repairs,
            });
        }
        let key = line.text.chars().next().unwrap_or('?');
        if key == 'm' && line.text.get(1..2) == Some("=") {
            if what.eq_ignore_ascii_case("Media port") && !port_fixed.contains(&orig) {
                if let Some(fixed) = zero_port(&line.text) {
                    port_fixed.push(orig);
                    if let Some(l) = lines.get_mut(idx) {
                        l.text = fixed;
                    }
                    diags.push(orig_opt, None, DiagnosticKind::MediaPortReplaced);
                    continue;
                }
            }
            if opts.bad_media == BadMediaPolicy::Fail {
                return Err(SdpError::Syntax { line: orig, what });
            }
            let end = lines
                .iter()
                .skip(idx + 1)
                .position(|l| l.text.starts_with("m="))
                .map_or(lines.len(), |p| idx + 1 + p);
            lines.drain(idx..end);
            diags.push(
                orig_opt,
                None,
                DiagnosticKind::SkippedMedia { what: "m= line" },
            );
        } else {
            lines.remove(idx);
            diags.push(orig_opt, None, DiagnosticKind::DroppedLine { key, what });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::split_lines;

    #[test]
    fn splits_at_crlf_lf_and_cr() {
        let v: Vec<_> = split_lines("a\r\nb\nc\rd\r\n").collect();
        assert_eq!(v, ["a", "b", "c", "d", ""]);
        let v: Vec<_> = split_lines("x").collect();
        assert_eq!(v, ["x"]);
    }
}
