//! Wall-clock time for RTP and RTCP: 64-bit NTP timestamps
//! ([RFC 3550 §4](https://www.rfc-editor.org/rfc/rfc3550#section-4)), the compact 32-bit
//! form used by LSR/DLSR, round-trip time ([RFC 3550 §6.4.1]), and [`RtpClock`], the mapping
//! from one stream's RTP timestamps to wall-clock time given its sender reports.
//!
//! The crate never reads a clock: the caller passes the current NTP time (for example
//! `NtpTimestamp::from_system_time(SystemTime::now())` in its own code).
//!
//! [RFC 3550 §6.4.1]: https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1

use crate::rtp::TimestampUnwrapper;
use std::fmt;
use std::time::{Duration, SystemTime};

const NANOS_PER_SEC: u128 = 1_000_000_000;

/// A 64-bit NTP timestamp: seconds since 1900-01-01 in the high 32 bits and a binary
/// fraction of a second in the low 32 bits
/// ([RFC 3550 §4](https://www.rfc-editor.org/rfc/rfc3550#section-4)).
///
/// ```
/// use rtsp_proto::time::NtpTimestamp;
/// use std::time::Duration;
/// let t = NtpTimestamp::from_unix(Duration::from_millis(1_500));
/// assert_eq!(t.seconds(), 2_208_988_801);
/// assert_eq!(t.fraction(), 0x8000_0000);
/// assert_eq!(t.to_unix(), Some(Duration::from_millis(1_500)));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct NtpTimestamp(pub u64);

impl NtpTimestamp {
    /// 1970-01-01 00:00:00 UTC.
    pub const UNIX_EPOCH: NtpTimestamp = NtpTimestamp(2_208_988_800 << 32);

    /// The timestamp of a duration since the Unix epoch. Times after 2036-02-07 wrap into
    /// NTP era 1, as the wire format does.
    pub fn from_unix(since_epoch: Duration) -> NtpTimestamp {
        NtpTimestamp(
            Self::UNIX_EPOCH
                .0
                .wrapping_add(duration_to_ntp(since_epoch)),
        )
    }

    /// The timestamp of a `SystemTime` (times before 1970 give the epoch).
    pub fn from_system_time(t: SystemTime) -> NtpTimestamp {
        Self::from_unix(t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default())
    }

    /// Time since the Unix epoch, or `None` for a timestamp before 1970 (in era 0).
    pub fn to_unix(self) -> Option<Duration> {
        self.checked_duration_since(Self::UNIX_EPOCH)
    }

    /// The seconds part.
    pub const fn seconds(self) -> u32 {
        (self.0 >> 32) as u32
    }

    /// The fraction part, in units of 2⁻³² s.
    pub const fn fraction(self) -> u32 {
        self.0 as u32
    }

    /// The middle 32 bits, as carried in the LSR field of a report block
    /// ([RFC 3550 §6.4.1](https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1)).
    pub const fn compact(self) -> u32 {
        (self.0 >> 16) as u32
    }

    /// `self − earlier`, or `None` if `earlier` is later.
    pub fn checked_duration_since(self, earlier: NtpTimestamp) -> Option<Duration> {
        self.0.checked_sub(earlier.0).map(ntp_to_duration)
    }

    /// The timestamp `d` later, or `None` on overflow.
    pub fn checked_add(self, d: Duration) -> Option<NtpTimestamp> {
        self.0.checked_add(duration_to_ntp(d)).map(NtpTimestamp)
    }

    /// The timestamp `d` earlier, or `None` before the start of the era.
    pub fn checked_sub(self, d: Duration) -> Option<NtpTimestamp> {
        self.0.checked_sub(duration_to_ntp(d)).map(NtpTimestamp)
    }
}

impl fmt::Debug for NtpTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "NtpTimestamp({}.{:09})",
            self.seconds(),
            ntp_to_duration(u64::from(self.fraction())).subsec_nanos()
        )
    }
}

/// A duration as 32.32 fixed point (saturating above 2³² s).
fn duration_to_ntp(d: Duration) -> u64 {
    let secs = d.as_secs().min(u64::from(u32::MAX));
    let frac = ((u128::from(d.subsec_nanos()) << 32) + NANOS_PER_SEC / 2) / NANOS_PER_SEC;
    (secs << 32) + frac as u64
}

fn ntp_to_duration(v: u64) -> Duration {
    let nanos = ((u128::from(v as u32) * NANOS_PER_SEC) + (1 << 31)) >> 32;
    Duration::from_secs(v >> 32) + Duration::from_nanos(nanos as u64)
}

/// A duration in the compact 16.16 NTP form of the DLSR field (saturating at 65,536 s).
pub fn duration_to_compact(d: Duration) -> u32 {
    u32::try_from(duration_to_ntp(d) >> 16).unwrap_or(u32::MAX)
}

/// A compact 16.16 NTP value (DLSR, or a round-trip time) as a duration.
pub fn compact_to_duration(v: u32) -> Duration {
    ntp_to_duration(u64::from(v) << 16)
}

/// The round-trip time of [RFC 3550 §6.4.1](https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1):
/// `A − LSR − DLSR`, where `arrival` is when the report block arrived, `lsr` and `dlsr` are
/// its fields. `None` when `lsr` is 0 (no SR received yet) or the result is negative
/// (clock trouble or a bogus block).
///
/// ```
/// // The example of RFC 3550 Figure 2.
/// use rtsp_proto::time::round_trip_time;
/// let rtt = round_trip_time(0xb710_8000, 0xb705_2000, 0x0005_4000).unwrap();
/// assert_eq!(rtt.as_millis(), 6125); // 0x0006_2000 = 6.125 s
/// ```
pub fn round_trip_time(arrival_compact: u32, lsr: u32, dlsr: u32) -> Option<Duration> {
    if lsr == 0 {
        return None;
    }
    let rtt = arrival_compact.wrapping_sub(lsr).wrapping_sub(dlsr);
    if rtt > 0x8000_0000 {
        return None;
    }
    Some(compact_to_duration(rtt))
}

/// One stream's mapping from RTP timestamps to wall-clock (NTP) time, from its sender
/// reports ([RFC 3550 §6.4.1](https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1)).
///
/// Map every stream of a presentation with its own `RtpClock`; the NTP times they give are
/// on the sender's one wall clock, which is what lip-sync between audio and video needs.
///
/// - Before the first SR there is no mapping ([`RtpClock::wall_clock`] returns `None`):
///   some cameras never send one (QUIRKS.md §3.3 item 53).
/// - With one SR, timestamps are extrapolated at the nominal clock rate.
/// - From two SRs at least [`RtpClock::MIN_RATE_SPAN`] apart, the rate is estimated from
///   the SRs themselves, which absorbs the drift between the sender's media clock and its
///   wall clock. An estimate more than [`RtpClock::MAX_DRIFT_PPM`] from nominal, or an SR
///   whose NTP time goes backwards, is taken as a clock step: the estimate restarts from
///   that SR.
///
/// Mapping always starts from the latest SR, so an error in the rate only grows with the
/// distance from it.
///
/// ```
/// use rtsp_proto::time::{NtpTimestamp, RtpClock};
/// use std::time::Duration;
/// let t0 = NtpTimestamp::from_unix(Duration::from_secs(1_700_000_000));
/// let mut video = RtpClock::new(90_000);
/// let mut audio = RtpClock::new(44_100);
/// video.handle_sender_report(t0, 1_000);
/// audio.handle_sender_report(t0, 5_000);
/// // Video frame at +1 s and audio sample at +1 s map to the same instant.
/// assert_eq!(video.wall_clock(91_000), audio.wall_clock(49_100));
/// ```
#[derive(Debug, Clone)]
pub struct RtpClock {
    clock_rate: u32,
    /// The first SR of the current estimation window: (NTP, extended RTP).
    first: Option<(NtpTimestamp, i64)>,
    /// The latest SR: (NTP, extended RTP, raw RTP).
    last: Option<(NtpTimestamp, i64, u32)>,
    unwrap: TimestampUnwrapper,
    rate: f64,
}

impl RtpClock {
    /// Shortest span of wall-clock time between two SRs used to estimate the rate.
    pub const MIN_RATE_SPAN: Duration = Duration::from_secs(2);
    /// Largest deviation from the nominal rate accepted as drift, in parts per million.
    pub const MAX_DRIFT_PPM: f64 = 1_000.0;

    /// A mapping for a stream whose nominal clock rate is `clock_rate` Hz (from the SDP
    /// `rtpmap`); a rate of 0 is taken as 1.
    pub fn new(clock_rate: u32) -> RtpClock {
        let clock_rate = clock_rate.max(1);
        RtpClock {
            clock_rate,
            first: None,
            last: None,
            unwrap: TimestampUnwrapper::new(),
            rate: f64::from(clock_rate),
        }
    }

    /// Takes the NTP and RTP timestamps of a sender report of this stream.
    pub fn handle_sender_report(&mut self, ntp: NtpTimestamp, rtp_timestamp: u32) {
        let ext = self.unwrap.unwrap(rtp_timestamp);
        let nominal = f64::from(self.clock_rate);
        match self.first {
            Some((ntp0, rtp0)) if ntp >= ntp0 => {
                let span = ntp_to_duration(ntp.0 - ntp0.0);
                if span >= Self::MIN_RATE_SPAN {
                    let rate = (ext - rtp0) as f64 / span.as_secs_f64();
                    if ((rate - nominal) / nominal).abs() * 1e6 <= Self::MAX_DRIFT_PPM {
                        self.rate = rate;
                    } else {
                        self.first = Some((ntp, ext));
                        self.rate = nominal;
                    }
                }
            }
            _ => {
                self.first = Some((ntp, ext));
                self.rate = nominal;
            }
        }
        self.last = Some((ntp, ext, rtp_timestamp));
    }

    /// Whether an SR has been seen.
    pub fn has_sender_report(&self) -> bool {
        self.last.is_some()
    }

    /// The clock rate in use: the estimate, or the nominal rate.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// The nominal clock rate.
    pub fn nominal_rate(&self) -> u32 {
        self.clock_rate
    }

    /// The wall-clock time of `rtp_timestamp` (taken as the nearest to the latest SR's
    /// timestamp, within ±2³¹ ticks), or `None` before any SR or out of the NTP era.
    pub fn wall_clock(&self, rtp_timestamp: u32) -> Option<NtpTimestamp> {
        let (ntp, _, rtp) = self.last?;
        let ticks = rtp_timestamp.wrapping_sub(rtp) as i32;
        let offset = (f64::from(ticks) / self.rate * 4_294_967_296.0).round() as i64;
        ntp.0.checked_add_signed(offset).map(NtpTimestamp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        let d = Duration::new(12, 250_000_000);
        let t = NtpTimestamp::from_unix(d);
        assert_eq!(t.fraction(), 0x4000_0000);
        assert_eq!(t.to_unix(), Some(d));
        assert_eq!(NtpTimestamp(0).to_unix(), None);
        assert_eq!(duration_to_compact(Duration::from_millis(500)), 0x8000);
        assert_eq!(
            compact_to_duration(0x0001_8000),
            Duration::from_millis(1500)
        );
        assert_eq!(NtpTimestamp(0x1234_5678_9abc_def0).compact(), 0x5678_9abc);
        assert_eq!(
            t.checked_add(Duration::from_secs(1))
                .unwrap()
                .checked_duration_since(t),
            Some(Duration::from_secs(1))
        );
        assert_eq!(round_trip_time(5, 0, 0), None);
        assert_eq!(round_trip_time(5, 10, 0), None);
    }

    #[test]
    fn corpus_sr_ntp() {
        // SR from ffmpeg_udp__gst_h264: NTP eeb1a47c 819d451f.
        let t = NtpTimestamp(0xeeb1_a47c_819d_451f);
        let unix = t.to_unix().unwrap();
        // 2026-11-xx: within this decade.
        assert!(unix.as_secs() > 1_750_000_000 && unix.as_secs() < 2_000_000_000);
    }

    #[test]
    fn clock_drift_is_estimated() {
        let t0 = NtpTimestamp::from_unix(Duration::from_secs(1_000_000));
        let mut c = RtpClock::new(90_000);
        assert_eq!(c.wall_clock(0), None);
        // Sender's media clock runs 100 ppm fast: 90,009 ticks per wall-clock second.
        c.handle_sender_report(t0, u32::MAX - 1000);
        for i in 1..=10u32 {
            let ntp = t0.checked_add(Duration::from_secs(u64::from(i))).unwrap();
            c.handle_sender_report(ntp, (u32::MAX - 1000).wrapping_add(90_009 * i));
        }
        assert!((c.rate() - 90_009.0).abs() < 0.01, "{}", c.rate());
        let last = t0.checked_add(Duration::from_secs(10)).unwrap();
        let rtp_last = (u32::MAX - 1000).wrapping_add(900_090);
        let at = c.wall_clock(rtp_last.wrapping_add(90_009 * 5)).unwrap();
        let err = at.checked_duration_since(last).unwrap().as_secs_f64() - 5.0;
        assert!(err.abs() < 1e-6, "{err}");
        // Before the SR too.
        let before = c.wall_clock(rtp_last.wrapping_sub(90_009)).unwrap();
        assert!((last.checked_duration_since(before).unwrap().as_secs_f64() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn clock_step_resets_estimate() {
        let t0 = NtpTimestamp::from_unix(Duration::from_secs(1_000_000));
        let mut c = RtpClock::new(8_000);
        c.handle_sender_report(t0, 0);
        // 3 s later the RTP clock advanced 10 s: a step, not drift.
        c.handle_sender_report(t0.checked_add(Duration::from_secs(3)).unwrap(), 80_000);
        assert_eq!(c.rate(), 8_000.0);
        // NTP going backwards: also a reset, and the mapping follows the newest SR.
        c.handle_sender_report(t0, 0);
        assert_eq!(c.wall_clock(8_000), t0.checked_add(Duration::from_secs(1)));
    }
}
