//! `Range`: the time range of a PLAY, PAUSE or RECORD ([RFC 2326 §12.29],
//! [RFC 7826 §18.40]), in the time formats of RFC 2326 §3.5–§3.7 and RFC 7826 §4.4–§4.6.
//!
//! [RFC 2326 §12.29]: https://www.rfc-editor.org/rfc/rfc2326#section-12.29
//! [RFC 7826 §18.40]: https://www.rfc-editor.org/rfc/rfc7826#section-18.40

use super::syntax::{is_token, split_outside_quotes, split_param};
use super::transport::leading_ws;
use super::{HeaderError, HeaderErrorKind, TypedHeader};
use crate::message::HeaderName;
use std::fmt::Write as _;
use std::time::Duration;

/// `Range`: one or more time ranges and an optional `time` at which to act
/// ([RFC 2326 §12.29], [RFC 7826 §18.40]).
///
/// RTSP 1.0 allows a comma-separated list of ranges (`1#ranges-specifier`) followed by
/// `;time=<utc-time>`; RTSP 2.0 allows a single range. Both are read into
/// [`ranges`](Range::ranges) (at most [`Range::MAX_RANGES`]); a list is written with
/// `, `. [`Range::default`] has no ranges, which is not a valid header: add one before
/// formatting.
///
/// Times are represented exactly (integer seconds and nanoseconds, never floats), so
/// `parse(format(r)) == r`. Formatting writes a canonical form: `npt=0.000-` is read as
/// zero and written as `npt=0-`, `npt=00:01:02.5` as `npt=62.5`.
///
/// ```
/// use rtsp_proto::header::{NptTime, Range, RangeSpec, TimeRange, TypedHeader};
/// use std::time::Duration;
/// let r = Range::parse("npt=0.000-596.48")?;
/// assert_eq!(
///     r.ranges,
///     [RangeSpec::Npt(TimeRange::new(
///         Some(NptTime::Time(Duration::ZERO)),
///         Some(NptTime::Time(Duration::from_millis(596_480))),
///     ))]
/// );
/// assert_eq!(r.to_value_string(), "npt=0-596.48");
/// # Ok::<(), rtsp_proto::header::HeaderError>(())
/// ```
///
/// [RFC 2326 §12.29]: https://www.rfc-editor.org/rfc/rfc2326#section-12.29
/// [RFC 7826 §18.40]: https://www.rfc-editor.org/rfc/rfc7826#section-18.40
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct Range {
    /// The ranges, in order (one in RTSP 2.0).
    pub ranges: Vec<RangeSpec>,
    /// `time`: the wall-clock time at which the operation takes effect (RTSP 1.0).
    pub time: Option<UtcTime>,
}

impl Range {
    /// The most ranges accepted in one header.
    pub const MAX_RANGES: usize = 16;

    /// A header with one range and no `time`.
    pub fn new(spec: RangeSpec) -> Range {
        Range {
            ranges: vec![spec],
            time: None,
        }
    }

    /// `npt=<start>-`: play from `start` to the end.
    pub fn npt_from(start: Duration) -> Range {
        Range::new(RangeSpec::Npt(TimeRange::from(NptTime::Time(start))))
    }

    /// `npt=now-`: play a live stream from now.
    pub fn npt_now() -> Range {
        Range::new(RangeSpec::Npt(TimeRange::from(NptTime::Now)))
    }

    /// The first (usually the only) range.
    pub fn first(&self) -> Option<&RangeSpec> {
        self.ranges.first()
    }
}

impl TypedHeader for Range {
    fn name() -> HeaderName {
        HeaderName::RANGE
    }

    fn parse(value: &str) -> Result<Range, HeaderError> {
        let mut parts = split_outside_quotes(value, b';');
        let (_, list) = parts.next().unwrap_or((0, ""));
        let mut range = Range::default();
        for (off, piece) in split_outside_quotes(list, b',') {
            let pos = off + leading_ws(piece);
            let piece = piece.trim();
            if piece.is_empty() {
                continue;
            }
            if range.ranges.len() >= Range::MAX_RANGES {
                return Err(err(
                    pos,
                    HeaderErrorKind::TooMany {
                        what: "ranges",
                        limit: Range::MAX_RANGES,
                    },
                ));
            }
            range.ranges.push(RangeSpec::parse(piece, pos)?);
        }
        if range.ranges.is_empty() {
            return Err(err(0, HeaderErrorKind::Missing("ranges-spec")));
        }
        for (off, raw) in parts {
            let pos = off + leading_ws(raw);
            let p = raw.trim();
            if p.is_empty() {
                continue;
            }
            let (name, v) = split_param(p);
            if !name.eq_ignore_ascii_case("time") || range.time.is_some() {
                return Err(err(pos, HeaderErrorKind::Syntax("range-param")));
            }
            let v = v.ok_or(err(pos, HeaderErrorKind::Missing("utc-time")))?;
            let vpos = pos + p.find('=').map_or(0, |i| i + 1);
            range.time = Some(UtcTime::parse(v).map_err(|k| err(vpos, k))?);
        }
        Ok(range)
    }

    fn format(&self, out: &mut String) {
        for (i, spec) in self.ranges.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            spec.format(out);
        }
        if let Some(t) = &self.time {
            out.push_str(";time=");
            t.format(out);
        }
    }
}

/// One range in one time format ([RFC 7826 §4.4–§4.6]).
///
/// [RFC 7826 §4.4–§4.6]: https://www.rfc-editor.org/rfc/rfc7826#section-4.4
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RangeSpec {
    /// `npt=`: normal play time, relative to the start of the presentation
    /// ([RFC 7826 §4.4.2]).
    ///
    /// [RFC 7826 §4.4.2]: https://www.rfc-editor.org/rfc/rfc7826#section-4.4.2
    Npt(TimeRange<NptTime>),
    /// `smpte=`, `smpte-25=`, `smpte-30-drop=`: SMPTE time codes ([RFC 7826 §4.4.1]).
    ///
    /// [RFC 7826 §4.4.1]: https://www.rfc-editor.org/rfc/rfc7826#section-4.4.1
    Smpte(SmpteType, TimeRange<SmpteTime>),
    /// `clock=`: absolute UTC time ([RFC 7826 §4.4.3]).
    ///
    /// [RFC 7826 §4.4.3]: https://www.rfc-editor.org/rfc/rfc7826#section-4.4.3
    Clock(TimeRange<UtcTime>),
    /// Another format (`range-ext`), kept as written: the unit token and the text after
    /// `=`.
    Other {
        /// The format name: a token, never `npt`, `clock`, `smpte` or `smpte-…`.
        unit: String,
        /// The value after `=`, if any.
        value: Option<String>,
    },
}

impl RangeSpec {
    fn parse(s: &str, pos: usize) -> Result<RangeSpec, HeaderError> {
        let (unit, value) = split_param(s);
        // Where the value starts (after `=` and spaces), for errors inside it.
        let vpos = match s.find('=') {
            Some(i) => pos + i + 1 + leading_ws(s.get(i + 1..).unwrap_or("")),
            None => pos,
        };
        if unit.eq_ignore_ascii_case("npt") {
            return TimeRange::parse(value, NptTime::parse)
                .map(RangeSpec::Npt)
                .map_err(|k| err(vpos, k));
        }
        if unit.eq_ignore_ascii_case("clock") {
            return TimeRange::parse(value, UtcTime::parse)
                .map(RangeSpec::Clock)
                .map_err(|k| err(vpos, k));
        }
        if let Some(ty) = SmpteType::from_name(unit) {
            return TimeRange::parse(value, |t| SmpteTime::parse(t, &ty))
                .map(|r| RangeSpec::Smpte(ty, r))
                .map_err(|k| err(vpos, k));
        }
        if !is_token(unit) {
            return Err(err(pos, HeaderErrorKind::Syntax("range-unit")));
        }
        if value.is_some_and(|v| v.bytes().any(|b| !(0x21..=0x7e).contains(&b) || b == b'"')) {
            return Err(err(vpos, HeaderErrorKind::Syntax("range-ext")));
        }
        Ok(RangeSpec::Other {
            unit: unit.to_owned(),
            value: value.map(str::to_owned),
        })
    }

    fn format(&self, out: &mut String) {
        match self {
            RangeSpec::Npt(r) => {
                out.push_str("npt");
                r.format(out, |t, out| t.format(out));
            }
            RangeSpec::Smpte(ty, r) => {
                out.push_str(ty.as_str());
                r.format(out, |t, out| t.format(out));
            }
            RangeSpec::Clock(r) => {
                out.push_str("clock");
                r.format(out, |t, out| t.format(out));
            }
            RangeSpec::Other { unit, value } => {
                out.push_str(unit);
                if let Some(v) = value {
                    out.push('=');
                    out.push_str(v);
                }
            }
        }
    }
}

/// A start and an end, either of which may be open (`npt=10-`, `npt=-20`).
///
/// Both `None` stands for a bare unit (`Range: npt`, which RFC 7826 allows without a
/// value); `npt=-` is not valid and is never produced by parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TimeRange<T> {
    /// Where the range starts; `None` for an open start (RFC 7826 `"-" time`).
    pub start: Option<T>,
    /// Where the range ends; `None` for "to the end".
    pub end: Option<T>,
}

impl<T> TimeRange<T> {
    /// A range from `start` to `end`.
    pub const fn new(start: Option<T>, end: Option<T>) -> TimeRange<T> {
        TimeRange { start, end }
    }

    fn parse(
        value: Option<&str>,
        mut time: impl FnMut(&str) -> Result<T, HeaderErrorKind>,
    ) -> Result<TimeRange<T>, HeaderErrorKind> {
        let Some(v) = value else {
            return Ok(TimeRange::new(None, None));
        };
        let (a, b) = v
            .split_once('-')
            .ok_or(HeaderErrorKind::Syntax("range-spec"))?;
        let (a, b) = (a.trim(), b.trim());
        if a.is_empty() && b.is_empty() {
            return Err(HeaderErrorKind::Missing("range time"));
        }
        let start = if a.is_empty() { None } else { Some(time(a)?) };
        let end = if b.is_empty() { None } else { Some(time(b)?) };
        Ok(TimeRange { start, end })
    }

    fn format(&self, out: &mut String, mut time: impl FnMut(&T, &mut String)) {
        if self.start.is_none() && self.end.is_none() {
            return;
        }
        out.push('=');
        if let Some(s) = &self.start {
            time(s, out);
        }
        out.push('-');
        if let Some(e) = &self.end {
            time(e, out);
        }
    }
}

impl<T> From<T> for TimeRange<T> {
    /// An open-ended range from `start`.
    fn from(start: T) -> TimeRange<T> {
        TimeRange::new(Some(start), None)
    }
}

/// A normal play time: `now` or an offset from the start of the presentation
/// ([RFC 2326 §3.6], [RFC 7826 §4.4.2]).
///
/// Both `npt-sec` (`123.45`) and `npt-hhmmss` (`12:05:35.3`) are read; formatting writes
/// seconds with the shortest exact fraction. Fractions are kept to the nanosecond;
/// further digits are ignored.
///
/// [RFC 2326 §3.6]: https://www.rfc-editor.org/rfc/rfc2326#section-3.6
/// [RFC 7826 §4.4.2]: https://www.rfc-editor.org/rfc/rfc7826#section-4.4.2
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NptTime {
    /// `now`: the current position of a live stream.
    Now,
    /// An offset from the start.
    Time(Duration),
}

impl NptTime {
    fn parse(s: &str) -> Result<NptTime, HeaderErrorKind> {
        if s.eq_ignore_ascii_case("now") {
            return Ok(NptTime::Now);
        }
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (s, None),
        };
        let nanos = match frac {
            Some(f) => parse_fraction(f, true, "npt-time")?,
            None => 0,
        };
        let secs = if int.contains(':') {
            let mut it = int.split(':');
            let (Some(h), Some(m), Some(sec), None) = (it.next(), it.next(), it.next(), it.next())
            else {
                return Err(HeaderErrorKind::Syntax("npt-hhmmss"));
            };
            let h = digits(h, 1, 19, "npt-hh")?;
            let m = digits(m, 1, 2, "npt-mm")?;
            let sec = digits(sec, 1, 2, "npt-ss")?;
            if m > 59 {
                return Err(HeaderErrorKind::OutOfRange("npt-mm"));
            }
            if sec > 59 {
                return Err(HeaderErrorKind::OutOfRange("npt-ss"));
            }
            h.checked_mul(3600)
                .and_then(|s| s.checked_add(m * 60 + sec))
                .ok_or(HeaderErrorKind::OutOfRange("npt-hh"))?
        } else {
            digits(int, 1, 20, "npt-sec")?
        };
        Ok(NptTime::Time(Duration::new(secs, nanos)))
    }

    fn format(&self, out: &mut String) {
        match self {
            NptTime::Now => out.push_str("now"),
            NptTime::Time(d) => {
                let _ = write!(out, "{}", d.as_secs());
                write_fraction(out, d.subsec_nanos());
            }
        }
    }
}

/// The SMPTE time-code variant, which fixes the frame rate ([RFC 7826 §4.4.1]).
///
/// [RFC 7826 §4.4.1]: https://www.rfc-editor.org/rfc/rfc7826#section-4.4.1
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SmpteType {
    /// `smpte`: 30 frames per second.
    Smpte30,
    /// `smpte-25`: 25 frames per second.
    Smpte25,
    /// `smpte-30-drop`: 29.97 frames per second, drop-frame.
    Smpte30Drop,
    /// Another `smpte-…` token (an RTSP 2.0 `smpte-type-extension`), as written.
    Other(String),
}

impl SmpteType {
    /// The unit name as written in a Range header.
    pub fn as_str(&self) -> &str {
        match self {
            SmpteType::Smpte30 => "smpte",
            SmpteType::Smpte25 => "smpte-25",
            SmpteType::Smpte30Drop => "smpte-30-drop",
            SmpteType::Other(s) => s,
        }
    }

    /// The highest frame number plus one, when known.
    pub fn frames_per_second(&self) -> Option<u8> {
        match self {
            SmpteType::Smpte30 | SmpteType::Smpte30Drop => Some(30),
            SmpteType::Smpte25 => Some(25),
            SmpteType::Other(_) => None,
        }
    }

    fn from_name(s: &str) -> Option<SmpteType> {
        for t in [
            SmpteType::Smpte30,
            SmpteType::Smpte25,
            SmpteType::Smpte30Drop,
        ] {
            if t.as_str().eq_ignore_ascii_case(s) {
                return Some(t);
            }
        }
        let prefix = s.get(..6)?;
        (prefix.eq_ignore_ascii_case("smpte-") && s.len() > 6 && is_token(s))
            .then(|| SmpteType::Other(s.to_owned()))
    }
}

/// A SMPTE time code `hh:mm:ss[:ff[.sub]]` ([RFC 2326 §3.5], [RFC 7826 §4.4.1]).
///
/// Frames are checked against the frame rate of the [`SmpteType`] (below 30 or 25);
/// drop-frame numbering is not checked. A zero frame and subframe are not written.
///
/// [RFC 2326 §3.5]: https://www.rfc-editor.org/rfc/rfc2326#section-3.5
/// [RFC 7826 §4.4.1]: https://www.rfc-editor.org/rfc/rfc7826#section-4.4.1
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SmpteTime {
    /// Hours, 0 to 99.
    pub hours: u8,
    /// Minutes, 0 to 59.
    pub minutes: u8,
    /// Seconds, 0 to 59.
    pub seconds: u8,
    /// Frames, below the frame rate.
    pub frames: u8,
    /// Hundredths of a frame, 0 to 99.
    pub subframes: u8,
}

impl SmpteTime {
    /// A time code of whole seconds; `None` when out of range.
    pub fn new(hours: u8, minutes: u8, seconds: u8) -> Option<SmpteTime> {
        (hours <= 99 && minutes <= 59 && seconds <= 59).then_some(SmpteTime {
            hours,
            minutes,
            seconds,
            frames: 0,
            subframes: 0,
        })
    }

    fn parse(s: &str, ty: &SmpteType) -> Result<SmpteTime, HeaderErrorKind> {
        let (main, sub) = match s.split_once('.') {
            Some((m, f)) => (m, Some(f)),
            None => (s, None),
        };
        let mut it = main.split(':');
        let field = |t: Option<&str>| -> Result<u8, HeaderErrorKind> {
            let t = t.ok_or(HeaderErrorKind::Syntax("smpte-time"))?;
            Ok(digits(t, 1, 2, "smpte-time")? as u8)
        };
        let hours = field(it.next())?;
        let minutes = field(it.next())?;
        let seconds = field(it.next())?;
        let frames = match it.next() {
            Some(f) => field(Some(f))?,
            None => 0,
        };
        if it.next().is_some() {
            return Err(HeaderErrorKind::Syntax("smpte-time"));
        }
        let subframes = match sub {
            Some(f) => field(Some(f))?,
            None => 0,
        };
        if minutes > 59 || seconds > 59 {
            return Err(HeaderErrorKind::OutOfRange("smpte-time"));
        }
        if ty.frames_per_second().is_some_and(|fps| frames >= fps) {
            return Err(HeaderErrorKind::OutOfRange("smpte-time frames"));
        }
        Ok(SmpteTime {
            hours,
            minutes,
            seconds,
            frames,
            subframes,
        })
    }

    fn format(&self, out: &mut String) {
        let _ = write!(
            out,
            "{:02}:{:02}:{:02}",
            self.hours, self.minutes, self.seconds
        );
        if self.frames != 0 || self.subframes != 0 {
            let _ = write!(out, ":{:02}", self.frames);
        }
        if self.subframes != 0 {
            let _ = write!(out, ".{:02}", self.subframes);
        }
    }
}

/// An absolute UTC time `YYYYMMDDThhmmss[.fraction]Z` ([RFC 2326 §3.7],
/// [RFC 7826 §4.4.3]), as in `clock=` ranges and the `time=` parameter.
///
/// The fraction is kept to the nanosecond; further digits are ignored. Dates are checked
/// (month lengths and leap years); a leap second (`60`) is accepted.
///
/// Background: RFC 2326's own RECORD example (§14.6) writes
/// `clock=19961110T1925-19961110T2015`, without seconds and without the trailing `Z`;
/// both omissions are accepted (seconds read as 0) and the canonical form is written back.
///
/// [RFC 2326 §3.7]: https://www.rfc-editor.org/rfc/rfc2326#section-3.7
/// [RFC 7826 §4.4.3]: https://www.rfc-editor.org/rfc/rfc7826#section-4.4.3
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub struct UtcTime {
    /// Year, 0 to 9999.
    pub year: u16,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of the month, from 1.
    pub day: u8,
    /// Hour, 0 to 23.
    pub hour: u8,
    /// Minute, 0 to 59.
    pub minute: u8,
    /// Second, 0 to 60 (leap second).
    pub second: u8,
    /// Nanoseconds, below 1,000,000,000.
    pub nanos: u32,
}

impl UtcTime {
    /// A checked UTC time; `None` when a field is out of range.
    pub fn new(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        nanos: u32,
    ) -> Option<UtcTime> {
        let valid = year <= 9999
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month)
            && hour <= 23
            && minute <= 59
            && second <= 60
            && nanos < 1_000_000_000;
        valid.then_some(UtcTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            nanos,
        })
    }

    fn parse(s: &str) -> Result<UtcTime, HeaderErrorKind> {
        const RULE: &str = "utc-time";
        let s = s.trim();
        let body = s
            .strip_suffix('Z')
            .or_else(|| s.strip_suffix('z'))
            .unwrap_or(s);
        let (date, clock) = body
            .split_once(['T', 't'])
            .ok_or(HeaderErrorKind::Syntax(RULE))?;
        let (hms, frac) = match clock.split_once('.') {
            Some((c, f)) => (c, Some(f)),
            None => (clock, None),
        };
        if date.len() != 8 || !(hms.len() == 6 || (hms.len() == 4 && frac.is_none())) {
            return Err(HeaderErrorKind::Syntax(RULE));
        }
        let num = |a: usize, b: usize, t: &str| -> Result<u64, HeaderErrorKind> {
            digits(t.get(a..b).unwrap_or(""), 1, 4, RULE)
        };
        let nanos = match frac {
            Some(f) => parse_fraction(f, false, RULE)?,
            None => 0,
        };
        UtcTime::new(
            num(0, 4, date)? as u16,
            num(4, 6, date)? as u8,
            num(6, 8, date)? as u8,
            num(0, 2, hms)? as u8,
            num(2, 4, hms)? as u8,
            if hms.len() == 6 {
                num(4, 6, hms)? as u8
            } else {
                0
            },
            nanos,
        )
        .ok_or(HeaderErrorKind::OutOfRange(RULE))
    }

    fn format(&self, out: &mut String) {
        let _ = write!(
            out,
            "{:04}{:02}{:02}T{:02}{:02}{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        );
        write_fraction(out, self.nanos);
        out.push('Z');
    }
}

fn err(pos: usize, kind: HeaderErrorKind) -> HeaderError {
    HeaderError::new(HeaderName::RANGE, pos, kind)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

/// Parses `min..=max` ASCII digits as a number.
fn digits(s: &str, min: usize, max: usize, rule: &'static str) -> Result<u64, HeaderErrorKind> {
    if s.len() < min || s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(HeaderErrorKind::Syntax(rule));
    }
    super::basic::parse_decimal(s, u64::MAX).map_err(|_| HeaderErrorKind::OutOfRange(rule))
}

/// Parses the digits after a `.` as nanoseconds (digits past the ninth are ignored).
/// `allow_empty` admits RFC 2326's `"." *DIGIT`.
fn parse_fraction(f: &str, allow_empty: bool, rule: &'static str) -> Result<u32, HeaderErrorKind> {
    if (f.is_empty() && !allow_empty) || !f.bytes().all(|b| b.is_ascii_digit()) {
        return Err(HeaderErrorKind::Syntax(rule));
    }
    let mut nanos: u32 = 0;
    let mut bytes = f.bytes();
    for _ in 0..9 {
        let d = bytes.next().map_or(0, |b| u32::from(b - b'0'));
        nanos = nanos * 10 + d;
    }
    Ok(nanos)
}

/// Writes `.fraction` with the shortest digits that represent `nanos` exactly.
fn write_fraction(out: &mut String, nanos: u32) {
    if nanos == 0 {
        return;
    }
    let mut digits = format!("{nanos:09}");
    while digits.ends_with('0') {
        digits.pop();
    }
    out.push('.');
    out.push_str(&digits);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(s: &str) -> Range {
        let r = Range::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"));
        let text = r.to_value_string();
        let again = Range::parse(&text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(r, again, "{s:?} -> {text:?}");
        r
    }

    fn npt(start: Option<NptTime>, end: Option<NptTime>) -> Range {
        Range::new(RangeSpec::Npt(TimeRange::new(start, end)))
    }

    fn t(secs: u64, nanos: u32) -> Option<NptTime> {
        Some(NptTime::Time(Duration::new(secs, nanos)))
    }

    fn utc(y: u16, mo: u8, d: u8, h: u8, mi: u8, s: u8, n: u32) -> UtcTime {
        UtcTime::new(y, mo, d, h, mi, s, n).unwrap()
    }

    fn smpte(h: u8, m: u8, s: u8, f: u8, sub: u8) -> SmpteTime {
        SmpteTime {
            hours: h,
            minutes: m,
            seconds: s,
            frames: f,
            subframes: sub,
        }
    }

    #[test]
    fn corpus() {
        // Every distinct Range line of /work/shared/corpus.
        for (line, want, canonical) in [
            (
                "npt=0.0-596.48",
                npt(t(0, 0), t(596, 480_000_000)),
                "npt=0-596.48",
            ),
            ("npt=0.000-", npt(t(0, 0), None), "npt=0-"),
            ("npt=0.000000-", npt(t(0, 0), None), "npt=0-"),
            ("npt=now-", npt(Some(NptTime::Now), None), "npt=now-"),
            ("npt=0-", npt(t(0, 0), None), "npt=0-"),
        ] {
            let r = round_trip(line);
            assert_eq!(r, want, "{line}");
            assert_eq!(r.to_value_string(), canonical);
        }
    }

    #[test]
    fn npt_forms() {
        for (text, want) in [
            ("npt=123.45-125", npt(t(123, 450_000_000), t(125, 0))),
            (
                "npt=12:05:35.3-",
                npt(t(12 * 3600 + 5 * 60 + 35, 300_000_000), None),
            ),
            ("npt=0:0:1-", npt(t(1, 0), None)),
            ("npt=10-", npt(t(10, 0), None)),
            ("npt=-20", npt(None, t(20, 0))),
            ("npt=now-", npt(Some(NptTime::Now), None)),
            ("NPT = 1.5 - 2.5", npt(t(1, 500_000_000), t(2, 500_000_000))),
            ("npt=12.-", npt(t(12, 0), None)),
            ("npt=0.123456789123-", npt(t(0, 123_456_789), None)),
            ("npt", npt(None, None)),
            ("npt=18446744073709551615-", npt(t(u64::MAX, 0), None)),
        ] {
            assert_eq!(round_trip(text), want, "{text}");
        }
        assert_eq!(round_trip("npt=00:01:02.5-").to_value_string(), "npt=62.5-");
        assert_eq!(Range::npt_now().to_value_string(), "npt=now-");
        assert_eq!(
            Range::npt_from(Duration::from_millis(10_250)).to_value_string(),
            "npt=10.25-"
        );
        assert_eq!(round_trip("npt").to_value_string(), "npt");
    }

    #[test]
    fn smpte_forms() {
        // RFC 2326 §3.5 and §14.1.
        for (text, ty, start, end) in [
            (
                "smpte=10:12:33:20-",
                SmpteType::Smpte30,
                smpte(10, 12, 33, 20, 0),
                None,
            ),
            (
                "smpte=10:07:33-",
                SmpteType::Smpte30,
                smpte(10, 7, 33, 0, 0),
                None,
            ),
            (
                "smpte=10:07:00-10:07:33:05.01",
                SmpteType::Smpte30,
                smpte(10, 7, 0, 0, 0),
                Some(smpte(10, 7, 33, 5, 1)),
            ),
            (
                "smpte-25=10:07:00-10:07:33:05.01",
                SmpteType::Smpte25,
                smpte(10, 7, 0, 0, 0),
                Some(smpte(10, 7, 33, 5, 1)),
            ),
            (
                "smpte=0:10:00-",
                SmpteType::Smpte30,
                smpte(0, 10, 0, 0, 0),
                None,
            ),
            (
                "smpte=0:10:00-0:20:00",
                SmpteType::Smpte30,
                smpte(0, 10, 0, 0, 0),
                Some(smpte(0, 20, 0, 0, 0)),
            ),
            (
                "smpte-30-drop=01:02:03:29-",
                SmpteType::Smpte30Drop,
                smpte(1, 2, 3, 29, 0),
                None,
            ),
            (
                "smpte=01:02:03.50-",
                SmpteType::Smpte30,
                smpte(1, 2, 3, 0, 50),
                None,
            ),
        ] {
            let r = round_trip(text);
            assert_eq!(
                r.ranges,
                [RangeSpec::Smpte(ty, TimeRange::new(Some(start), end))],
                "{text}"
            );
        }
        assert_eq!(
            round_trip("smpte=0:10:00-0:20:00").to_value_string(),
            "smpte=00:10:00-00:20:00"
        );
        assert_eq!(
            round_trip("smpte-50=00:00:01:40-").ranges,
            [RangeSpec::Smpte(
                SmpteType::Other("smpte-50".into()),
                TimeRange::from(smpte(0, 0, 1, 40, 0))
            )]
        );
        assert!(Range::parse("smpte-25=00:00:00:25-").is_err());
        assert!(Range::parse("smpte=00:00:00:30-").is_err());
    }

    #[test]
    fn clock_forms() {
        // RFC 2326 §3.7 and §12.29.
        let r = round_trip("clock=19961108T142300Z-19961108T143520Z");
        assert_eq!(
            r.ranges,
            [RangeSpec::Clock(TimeRange::new(
                Some(utc(1996, 11, 8, 14, 23, 0, 0)),
                Some(utc(1996, 11, 8, 14, 35, 20, 0))
            ))]
        );
        let r = round_trip("clock=19960213T143205Z-;time=19970123T143720Z");
        assert_eq!(r.time, Some(utc(1997, 1, 23, 14, 37, 20, 0)));
        assert_eq!(
            r.to_value_string(),
            "clock=19960213T143205Z-;time=19970123T143720Z"
        );
        let r = round_trip("clock=19961108T143720.25Z-");
        assert_eq!(
            r.ranges,
            [RangeSpec::Clock(TimeRange::from(utc(
                1996,
                11,
                8,
                14,
                37,
                20,
                250_000_000
            )))]
        );
        round_trip("clock=-20000229T235960.000000001Z");
        assert!(Range::parse("clock=19970229T000000Z-").is_err());
        assert!(Range::parse("clock=19961308T000000Z-").is_err());
        assert!(Range::parse("clock=19961108T240000Z-").is_err());
        assert!(Range::parse("clock=1996118T142300Z-").is_err());
        // RFC 2326 §14.6 writes clock times without seconds and without `Z`.
        let lenient = Range::parse("clock=19961110T1925-19961110T2015").unwrap();
        assert_eq!(
            lenient,
            Range::parse("clock=19961110T192500Z-19961110T201500Z").unwrap()
        );
        assert_eq!(
            Range::parse("clock=19961108T142300-").unwrap(),
            Range::parse("clock=19961108T142300Z-").unwrap()
        );
        assert!(Range::parse("clock=19961108T14230Z-").is_err());
        assert!(Range::parse("clock=19961108T1423.5Z-").is_err());
    }

    #[test]
    fn lists_and_other_units() {
        let r = round_trip("npt=0-10, npt=20-30");
        assert_eq!(r.ranges.len(), 2);
        assert_eq!(r.to_value_string(), "npt=0-10, npt=20-30");
        let r = round_trip("x-frames=100-200");
        assert_eq!(
            r.ranges,
            [RangeSpec::Other {
                unit: "x-frames".into(),
                value: Some("100-200".into())
            }]
        );
        let too_many = vec!["npt=0-"; Range::MAX_RANGES + 1].join(",");
        assert!(matches!(
            Range::parse(&too_many).unwrap_err().kind,
            HeaderErrorKind::TooMany { .. }
        ));
    }

    #[test]
    fn errors_name_rule_and_position() {
        let e = Range::parse("npt=1:60:00-").unwrap_err();
        assert_eq!(e.kind, HeaderErrorKind::OutOfRange("npt-mm"));
        assert_eq!(e.pos, 4);
        assert_eq!(e.header, HeaderName::RANGE);
        let e = Range::parse("npt=0-;foo=1").unwrap_err();
        assert_eq!(e.kind, HeaderErrorKind::Syntax("range-param"));
        assert_eq!(e.pos, 7);
    }

    #[test]
    fn nasty_inputs_are_errors_not_panics() {
        for bad in [
            "",
            " ",
            ";",
            ",",
            "npt=",
            "npt=-",
            "npt=abc-",
            "npt=1.2.3-",
            "npt=1:2-",
            "npt=1:2:3:4-",
            "npt=99999999999999999999999-",
            "npt=9999999999999999999:00:00-",
            "npt=1.x-",
            "npt=--",
            "npt=1-2-3",
            "npt=0-;time=",
            "npt=0-;time=now",
            "npt=0-;time=1;time=2",
            "smpte=",
            "smpte=1:2-",
            "smpte=100:00:00-",
            "smpte=00:60:00-",
            "smpte=00:00:00:00:00-",
            "smpte=00:00:00.-",
            "clock=",
            "clock=now-",
            "clock=\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}T000000Z-",
            "clock=19961108T1423\u{e9}Z-",
            "clock=19961108T142300.Z-",
            "\u{1F600}",
            "np t=0-",
            "x=\"q\"",
            "x=a b",
        ] {
            assert!(Range::parse(bad).is_err(), "{bad:?}");
        }
    }
}
