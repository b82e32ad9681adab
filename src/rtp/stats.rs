//! Receiver and sender statistics ([RFC 3550 A.1, A.3, A.8](https://www.rfc-editor.org/rfc/rfc3550#appendix-A.3)).

use super::{RtpPacket, SeqNo, SeqTracker, SeqUpdate, Ssrc};
use crate::rtcp::{ReportBlock, SenderInfo};
use crate::time::{duration_to_compact, NtpTimestamp};
use std::time::{Duration, Instant};

/// Converts a duration to ticks of a `rate` Hz clock (wrapping, as RTP timestamps do).
fn ticks(d: Duration, rate: u32) -> u32 {
    // floor(nanos × rate / 10⁹) without 128-bit division: whole seconds times the rate,
    // plus the fraction (< 10⁹ × 2³², which fits in 64 bits); wraps like the RTP clock.
    let whole = d.as_secs().wrapping_mul(u64::from(rate));
    let frac = u64::from(d.subsec_nanos()) * u64::from(rate) / 1_000_000_000;
    whole.wrapping_add(frac) as u32
}

/// What a receiver knows about one source: the sequence-number state of A.1, the loss
/// figures of A.3, the interarrival jitter of A.8, and the last SR for the LSR/DLSR fields
/// ([RFC 3550 §6.4.1](https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1)).
///
/// Feed every RTP packet of the source to [`ReceiverStats::handle_packet`] (with its arrival
/// time, before any reordering) and every SR to [`ReceiverStats::handle_sender_report`];
/// [`ReceiverStats::report_block`] then gives the block to send.
///
/// ```
/// use rtsp_proto::rtp::{ReceiverStats, Ssrc};
/// use std::time::{Duration, Instant};
/// let t0 = Instant::now();
/// let mut s = ReceiverStats::new(Ssrc(1), 8_000);
/// for (i, seq) in [0u16, 1, 2, 4].into_iter().enumerate() {
///     // 20 ms packets, arriving on time.
///     let now = t0 + Duration::from_millis(20 * seq as u64);
///     s.handle_packet(now, seq, 160 * u32::from(seq));
/// }
/// let block = s.report_block(t0 + Duration::from_millis(100)).unwrap();
/// assert_eq!(block.cumulative_lost, 1); // seq 3; seq 0 was the probation packet
/// assert_eq!(block.fraction_lost, 64); // 1 of 4 expected (1..=4), in 1/256
/// assert_eq!(block.extended_highest_seq, 4);
/// assert_eq!(block.jitter, 0);
/// ```
#[derive(Debug, Clone)]
pub struct ReceiverStats {
    ssrc: Ssrc,
    clock_rate: u32,
    seq: SeqTracker,
    expected_prior: u64,
    received_prior: u64,
    /// Jitter in timestamp units, times 16 (A.8).
    jitter16: u64,
    transit: Option<u32>,
    epoch: Option<Instant>,
    /// The last arrival time converted to clock ticks (packets read in one batch share
    /// their `now`).
    arrival: Option<(Instant, u32)>,
    last_sr: Option<(u32, Instant)>,
    last_packet: Option<Instant>,
}

impl ReceiverStats {
    /// Statistics for `ssrc`, whose RTP clock runs at `clock_rate` Hz.
    pub fn new(ssrc: Ssrc, clock_rate: u32) -> ReceiverStats {
        ReceiverStats {
            ssrc,
            clock_rate,
            seq: SeqTracker::new(),
            expected_prior: 0,
            received_prior: 0,
            jitter16: 0,
            transit: None,
            epoch: None,
            arrival: None,
            last_sr: None,
            last_packet: None,
        }
    }

    /// The source.
    pub fn ssrc(&self) -> Ssrc {
        self.ssrc
    }

    /// Takes an RTP packet of this source, arrived at `now`.
    pub fn handle_rtp(&mut self, now: Instant, packet: &RtpPacket<'_>) -> SeqUpdate {
        self.handle_packet(now, packet.sequence_number(), packet.timestamp())
    }

    /// Takes the sequence number and timestamp of a packet arrived at `now`.
    pub fn handle_packet(&mut self, now: Instant, seq: u16, rtp_timestamp: u32) -> SeqUpdate {
        let update = self.seq.update(seq);
        self.last_packet = Some(now);
        if let SeqUpdate::Restart { .. } = update {
            self.expected_prior = 0;
            self.received_prior = 0;
            self.transit = None;
        }
        if update.is_valid() {
            let arrival = match self.arrival {
                Some((at, ticks)) if at == now => ticks,
                _ => {
                    let epoch = *self.epoch.get_or_insert(now);
                    let a = ticks(now.saturating_duration_since(epoch), self.clock_rate);
                    self.arrival = Some((now, a));
                    a
                }
            };
            let transit = arrival.wrapping_sub(rtp_timestamp);
            if let Some(prev) = self.transit {
                let d = u64::from(transit.wrapping_sub(prev).cast_signed().unsigned_abs());
                // A.8: jitter += |D| - (jitter + 8) / 16, in units of 1/16.
                self.jitter16 = (self.jitter16 + d).saturating_sub((self.jitter16 + 8) >> 4);
            }
            self.transit = Some(transit);
        }
        update
    }

    /// Takes an SR of this source (its NTP timestamp) arrived at `now`, for LSR/DLSR.
    pub fn handle_sender_report(&mut self, now: Instant, ntp: NtpTimestamp) {
        self.last_sr = Some((ntp.compact(), now));
    }

    /// The sequence-number state.
    pub fn seq(&self) -> &SeqTracker {
        &self.seq
    }

    /// Packets received (duplicates included), 0 while on probation.
    pub fn received(&self) -> u64 {
        self.seq.received()
    }

    /// Packets expected (A.3).
    pub fn expected(&self) -> u64 {
        self.seq.expected()
    }

    /// Cumulative packets lost (A.3), negative with duplicates.
    pub fn lost(&self) -> i64 {
        self.seq.lost()
    }

    /// The extended highest sequence number received.
    pub fn extended_highest_seq(&self) -> SeqNo {
        self.seq.highest()
    }

    /// Interarrival jitter in timestamp units (A.8).
    pub fn jitter(&self) -> u32 {
        u32::try_from(self.jitter16 >> 4).unwrap_or(u32::MAX)
    }

    /// Interarrival jitter as a duration.
    pub fn jitter_duration(&self) -> Duration {
        Duration::from_nanos(
            u64::from(self.jitter()) * 1_000_000_000 / u64::from(self.clock_rate.max(1)),
        )
    }

    /// When the last packet arrived.
    pub fn last_packet(&self) -> Option<Instant> {
        self.last_packet
    }

    /// The report block for this source as of `now`, and the start of a new reporting
    /// interval for the fraction lost (A.3). `None` while the source is on probation.
    pub fn report_block(&mut self, now: Instant) -> Option<ReportBlock> {
        if !self.seq.is_valid() {
            return None;
        }
        let expected = self.seq.expected();
        let received = self.seq.received();
        let expected_interval = expected.saturating_sub(self.expected_prior);
        let received_interval = received.saturating_sub(self.received_prior);
        self.expected_prior = expected;
        self.received_prior = received;
        let lost_interval = expected_interval.saturating_sub(received_interval);
        let fraction_lost = if expected_interval == 0 || lost_interval == 0 {
            0
        } else {
            u8::try_from((lost_interval << 8) / expected_interval).unwrap_or(u8::MAX)
        };
        let cumulative_lost = self.seq.lost().clamp(-0x80_0000, 0x7f_ffff) as i32;
        let (last_sr, delay_since_last_sr) = match self.last_sr {
            Some((lsr, at)) => (lsr, duration_to_compact(now.saturating_duration_since(at))),
            None => (0, 0),
        };
        Some(ReportBlock {
            ssrc: self.ssrc,
            fraction_lost,
            cumulative_lost,
            extended_highest_seq: self.seq.highest().0 as u32,
            jitter: self.jitter(),
            last_sr,
            delay_since_last_sr,
        })
    }
}

/// What a sender counts for its SRs: packets and payload octets sent
/// ([RFC 3550 §6.4.1](https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1)), and the last
/// timestamp, to give the SR's RTP timestamp.
#[derive(Debug, Clone)]
pub struct SenderStats {
    ssrc: Ssrc,
    clock_rate: u32,
    packets: u32,
    octets: u32,
    last: Option<(Instant, u32)>,
}

impl SenderStats {
    /// Statistics for our source `ssrc`, whose RTP clock runs at `clock_rate` Hz.
    pub fn new(ssrc: Ssrc, clock_rate: u32) -> SenderStats {
        SenderStats {
            ssrc,
            clock_rate,
            packets: 0,
            octets: 0,
            last: None,
        }
    }

    /// Our source.
    pub fn ssrc(&self) -> Ssrc {
        self.ssrc
    }

    /// Counts a packet sent at `now` with this timestamp and payload length (header and
    /// padding excluded, as the octet count requires).
    pub fn handle_sent(&mut self, now: Instant, rtp_timestamp: u32, payload_len: usize) {
        self.packets = self.packets.wrapping_add(1);
        self.octets = self.octets.wrapping_add(payload_len as u32);
        self.last = Some((now, rtp_timestamp));
    }

    /// Counts a packet we sent.
    pub fn handle_sent_packet(&mut self, now: Instant, packet: &RtpPacket<'_>) {
        self.handle_sent(now, packet.timestamp(), packet.payload().len());
    }

    /// Packets sent (the SR's wrapping 32-bit count).
    pub fn packet_count(&self) -> u32 {
        self.packets
    }

    /// Payload octets sent (the SR's wrapping 32-bit count).
    pub fn octet_count(&self) -> u32 {
        self.octets
    }

    /// Whether anything was sent.
    pub fn has_sent(&self) -> bool {
        self.last.is_some()
    }

    /// The sender information of an SR sent at `now`, whose wall-clock time is `ntp`: the
    /// RTP timestamp is the last packet's, advanced by the time since at the clock rate.
    pub fn sender_info(&self, now: Instant, ntp: NtpTimestamp) -> SenderInfo {
        let rtp_timestamp = match self.last {
            Some((at, ts)) => {
                ts.wrapping_add(ticks(now.saturating_duration_since(at), self.clock_rate))
            }
            None => 0,
        };
        SenderInfo {
            ntp,
            rtp_timestamp,
            packet_count: self.packets,
            octet_count: self.octets,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fraction_lost_per_interval() {
        let t = crate::rtp::test_origin();
        let mut s = ReceiverStats::new(Ssrc(9), 90_000);
        assert_eq!(s.report_block(t), None);
        for seq in 0..=10u16 {
            s.handle_packet(t, seq, 0);
        }
        let b = s.report_block(t).unwrap();
        assert_eq!((b.fraction_lost, b.cumulative_lost), (0, 0));
        // Next interval: 11..=20 expected, half of them lost.
        for seq in (12..=20u16).step_by(2) {
            s.handle_packet(t, seq, 0);
        }
        let b = s.report_block(t).unwrap();
        assert_eq!(b.cumulative_lost, 5);
        assert_eq!(b.fraction_lost, 128);
        // Duplicates: negative interval loss gives 0, cumulative goes down.
        s.handle_packet(t, 20, 0);
        s.handle_packet(t, 20, 0);
        let b = s.report_block(t).unwrap();
        assert_eq!((b.fraction_lost, b.cumulative_lost), (0, 3));
    }

    #[test]
    fn lsr_dlsr_and_jitter() {
        let t = crate::rtp::test_origin();
        let mut s = ReceiverStats::new(Ssrc(9), 8_000);
        s.handle_packet(t, 1, 0);
        s.handle_packet(t, 2, 160);
        s.handle_packet(t, 3, 320);
        // 3 arrives 20 ms early relative to 2: D = 160 ticks, J = 160 / 16.
        assert_eq!(s.jitter(), 10);
        s.handle_sender_report(t, NtpTimestamp(0x1122_3344_5566_7788));
        let b = s.report_block(t + Duration::from_millis(1500)).unwrap();
        assert_eq!(b.last_sr, 0x3344_5566);
        assert_eq!(b.delay_since_last_sr, 0x0001_8000);
        assert_eq!(s.jitter_duration(), Duration::from_micros(1250));
    }

    #[test]
    fn sender_info_extrapolates() {
        let t = crate::rtp::test_origin();
        let mut s = SenderStats::new(Ssrc(1), 90_000);
        s.handle_sent(t, u32::MAX, 1000);
        s.handle_sent(t, u32::MAX, 400);
        let info = s.sender_info(t + Duration::from_millis(10), NtpTimestamp(5));
        assert_eq!(info.rtp_timestamp, 899);
        assert_eq!((info.packet_count, info.octet_count), (2, 1400));
    }
}
