//! What a session sends: the regular report compound and its transmission interval
//! ([RFC 3550 §6.3, §6.4, A.7](https://www.rfc-editor.org/rfc/rfc3550#section-6.3)).

use super::{
    CompoundWriter, Items, ReceiverReport, ReportBlock, RtcpBuildError, SdesChunk, SdesChunks,
    SdesItem, SdesItems, SenderInfo, SenderReport, SourceDescription, ValidationMode,
};
use crate::rtp::{ReceiverStats, Ssrc};
use rand::Rng;
use std::time::{Duration, Instant};

/// The inputs of the RTCP transmission interval ([RFC 3550 §6.3.1](https://www.rfc-editor.org/rfc/rfc3550#section-6.3.1)
/// and the `rtcp_interval` function of [A.7](https://www.rfc-editor.org/rfc/rfc3550#appendix-A.7)).
///
/// Randomness comes from the caller's RNG, so a seeded RNG gives the same intervals every
/// run.
///
/// ```
/// use rand::{rngs::StdRng, SeedableRng};
/// use rtsp_proto::rtcp::RtcpInterval;
/// use std::time::Duration;
/// // A 2-party session at 64 kb/s: RTCP gets 5 %, 400 octets/s.
/// let mut iv = RtcpInterval::new(400.0);
/// iv.members = 2;
/// iv.senders = 1;
/// iv.avg_rtcp_size = 100.0;
/// iv.initial = false;
/// assert_eq!(iv.deterministic(), Duration::from_secs(5)); // the minimum
/// let mut rng = StdRng::seed_from_u64(1);
/// let t = iv.randomized(&mut rng);
/// let (lo, hi) = (5.0 * 0.5 / 1.21828, 5.0 * 1.5 / 1.21828);
/// assert!(t.as_secs_f64() >= lo && t.as_secs_f64() <= hi);
/// assert_eq!(t, iv.randomized(&mut StdRng::seed_from_u64(1)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct RtcpInterval {
    /// Session members, us included (A.7 `members`).
    pub members: usize,
    /// Members that sent RTP since the last-but-one report, us included if we did.
    pub senders: usize,
    /// RTCP bandwidth in octets per second (normally 5 % of the session bandwidth).
    pub rtcp_bandwidth: f64,
    /// Whether we sent data since the last-but-one report.
    pub we_sent: bool,
    /// Average compound RTCP size in octets, lower-layer headers included (A.7
    /// `avg_rtcp_size`); see [`RtcpInterval::update_avg_size`].
    pub avg_rtcp_size: f64,
    /// Whether no report has been sent yet (halves the minimum).
    pub initial: bool,
    /// The minimum interval (5 s in RFC 3550; §6.2 allows a smaller reduced minimum).
    pub min_interval: Duration,
}

impl RtcpInterval {
    /// `e − 3/2`, the compensation for timer reconsideration (A.7 `COMPENSATION`).
    const COMPENSATION: f64 = std::f64::consts::E - 1.5;

    /// Inputs for an RTCP bandwidth of `rtcp_bandwidth` octets/s, before any report: one
    /// member (us), no senders, a 100-octet average size, 5 s minimum.
    pub fn new(rtcp_bandwidth: f64) -> RtcpInterval {
        RtcpInterval {
            members: 1,
            senders: 0,
            rtcp_bandwidth,
            we_sent: false,
            avg_rtcp_size: 100.0,
            initial: true,
            min_interval: Duration::from_secs(5),
        }
    }

    /// Folds the size of a compound sent or received into the average (A.7:
    /// `avg = size / 16 + avg × 15 / 16`).
    pub fn update_avg_size(&mut self, packet_size: usize) {
        self.avg_rtcp_size = packet_size as f64 / 16.0 + self.avg_rtcp_size * 15.0 / 16.0;
    }

    /// The deterministic interval `Td` before randomisation.
    pub fn deterministic(&self) -> Duration {
        let min = if self.initial {
            self.min_interval.as_secs_f64() / 2.0
        } else {
            self.min_interval.as_secs_f64()
        };
        let mut n = self.members.max(1) as f64;
        let mut bw = self.rtcp_bandwidth;
        let senders = self.senders.min(self.members) as f64;
        if senders > 0.0 && senders <= n * 0.25 {
            if self.we_sent {
                bw *= 0.25;
                n = senders;
            } else {
                bw *= 0.75;
                n -= senders;
            }
        }
        let t = if bw > 0.0 && bw.is_finite() {
            self.avg_rtcp_size.max(0.0) * n / bw
        } else {
            f64::INFINITY
        };
        Duration::try_from_secs_f64(t.max(min)).unwrap_or(Duration::from_secs(86_400))
    }

    /// The randomised interval `T`: `Td` times a uniform factor in [0.5, 1.5], divided by
    /// `e − 3/2`.
    pub fn randomized<R: Rng + ?Sized>(&self, rng: &mut R) -> Duration {
        let factor: f64 = rng.random_range(0.5..1.5);
        self.deterministic()
            .mul_f64(factor / Self::COMPENSATION)
            .min(Duration::from_secs(86_400))
    }
}

/// Who we are in the reports [`write_report`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportConfig<'a> {
    /// Our SSRC.
    pub ssrc: Ssrc,
    /// Our canonical name ([RFC 3550 §6.5.1](https://www.rfc-editor.org/rfc/rfc3550#section-6.5.1)),
    /// at most 255 bytes.
    pub cname: &'a [u8],
}

impl<'a> ReportConfig<'a> {
    /// A configuration.
    pub fn new(ssrc: Ssrc, cname: &'a [u8]) -> ReportConfig<'a> {
        ReportConfig { ssrc, cname }
    }
}

/// Writes the regular compound report a session sends at `now` ([RFC 3550 §6.1, §6.4](https://www.rfc-editor.org/rfc/rfc3550#section-6.4)):
/// an SR if `sender` is given (we sent data since the last report), else an RR; one report
/// block per valid source in `receivers` (31 per packet, further RRs for more); then an
/// SDES with our CNAME. Taking each block starts a new loss interval for that source.
///
/// Returns the length written into `out`; nothing is allocated.
///
/// ```
/// use rtsp_proto::rtcp::{write_report, Compound, ReportConfig, RtcpPacket, ValidationMode};
/// use rtsp_proto::rtp::{ReceiverStats, Ssrc};
/// use std::time::Instant;
/// let now = Instant::now();
/// let mut video = ReceiverStats::new(Ssrc(0xb37f05e8), 90_000);
/// for seq in 100..110 { video.handle_packet(now, seq, 0); }
/// let mut buf = [0u8; 1500];
/// let n = write_report(&mut buf, now, &ReportConfig::new(Ssrc(7), b"me@host"), None, [&mut video])?;
/// let packets: Vec<_> = Compound::parse(&buf[..n], ValidationMode::Strict).unwrap().collect();
/// let Ok(RtcpPacket::ReceiverReport(rr)) = packets[0] else { panic!() };
/// assert_eq!(rr.report_blocks.iter().next().unwrap().extended_highest_seq, 109);
/// # Ok::<(), rtsp_proto::rtcp::RtcpBuildError>(())
/// ```
pub fn write_report<'s, I>(
    out: &mut [u8],
    now: Instant,
    config: &ReportConfig<'_>,
    sender: Option<SenderInfo>,
    receivers: I,
) -> Result<usize, RtcpBuildError>
where
    I: IntoIterator<Item = &'s mut ReceiverStats>,
{
    let mut w = CompoundWriter::new(out, ValidationMode::Strict);
    let mut blocks = [ReportBlock::default(); 31];
    let mut n = 0;
    let mut first = true;
    let flush = |w: &mut CompoundWriter<'_>,
                 blocks: &[ReportBlock],
                 first: &mut bool|
     -> Result<(), RtcpBuildError> {
        let report_blocks = Items::from_slice(blocks);
        match sender.filter(|_| *first) {
            Some(info) => w.push(&SenderReport {
                ssrc: config.ssrc,
                info,
                report_blocks,
                extension: &[],
            })?,
            None => w.push(&ReceiverReport {
                ssrc: config.ssrc,
                report_blocks,
                extension: &[],
            })?,
        };
        *first = false;
        Ok(())
    };
    for stats in receivers {
        let Some(block) = stats.report_block(now) else {
            continue;
        };
        if let Some(slot) = blocks.get_mut(n) {
            *slot = block;
            n += 1;
        }
        if n == blocks.len() {
            flush(&mut w, &blocks, &mut first)?;
            n = 0;
        }
    }
    if first || n > 0 {
        flush(&mut w, blocks.get(..n).unwrap_or_default(), &mut first)?;
    }
    let items = [SdesItem::cname(config.cname)];
    let chunks = [SdesChunk {
        ssrc: config.ssrc,
        items: SdesItems::from_slice(&items),
    }];
    w.push(&SourceDescription {
        chunks: SdesChunks::from_slice(&chunks),
    })?;
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtcp::{Compound, RtcpPacket};
    use crate::time::NtpTimestamp;
    use rand::{rngs::StdRng, SeedableRng};

    #[test]
    fn interval_a7() {
        let mut iv = RtcpInterval::new(1000.0);
        iv.members = 100;
        iv.senders = 10;
        iv.avg_rtcp_size = 200.0;
        iv.initial = false;
        // Receivers share 75 %: 200 × 90 / 750 = 24 s.
        assert_eq!(iv.deterministic(), Duration::from_secs(24));
        iv.we_sent = true;
        // Senders share 25 %: 200 × 10 / 250 = 8 s.
        assert_eq!(iv.deterministic(), Duration::from_secs(8));
        // More than a quarter senders: everyone shares all: 200 × 100 / 1000 = 20 s.
        iv.senders = 50;
        assert_eq!(iv.deterministic(), Duration::from_secs(20));
        iv.members = 2;
        iv.initial = true;
        assert_eq!(iv.deterministic(), Duration::from_millis(2500));
        iv.rtcp_bandwidth = 0.0;
        assert_eq!(iv.deterministic(), Duration::from_secs(86_400));
        iv.update_avg_size(1700);
        assert_eq!(iv.avg_rtcp_size, 200.0 * 15.0 / 16.0 + 1700.0 / 16.0);
    }

    #[test]
    fn randomized_is_seeded_and_bounded() {
        let mut iv = RtcpInterval::new(400.0);
        iv.initial = false;
        let mut a = StdRng::seed_from_u64(42);
        let mut b = StdRng::seed_from_u64(42);
        for _ in 0..1000 {
            let x = iv.randomized(&mut a);
            assert_eq!(x, iv.randomized(&mut b));
            let s = x.as_secs_f64();
            assert!(s >= 2.5 / RtcpInterval::COMPENSATION - 1e-9);
            assert!(s <= 7.5 / RtcpInterval::COMPENSATION + 1e-9);
        }
    }

    #[test]
    fn sr_with_many_sources_splits() {
        let now = crate::rtp::test_origin();
        let mut stats: Vec<_> = (0..40).map(|i| ReceiverStats::new(Ssrc(i), 8000)).collect();
        for s in stats.iter_mut() {
            s.handle_packet(now, 1, 0);
            s.handle_packet(now, 2, 160);
        }
        // One source still on probation: no block for it.
        stats.push(ReceiverStats::new(Ssrc(99), 8000));
        let info = SenderInfo {
            ntp: NtpTimestamp(1 << 32),
            rtp_timestamp: 5,
            packet_count: 6,
            octet_count: 7,
        };
        let mut buf = [0u8; 2048];
        let n = write_report(
            &mut buf,
            now,
            &ReportConfig::new(Ssrc(1), b"x"),
            Some(info),
            stats.iter_mut(),
        )
        .unwrap();
        let packets: Vec<_> = Compound::parse(&buf[..n], ValidationMode::Strict)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(packets.len(), 3);
        let RtcpPacket::SenderReport(sr) = packets[0] else {
            panic!()
        };
        assert_eq!((sr.info, sr.report_blocks.len()), (info, 31));
        let RtcpPacket::ReceiverReport(rr) = packets[1] else {
            panic!()
        };
        assert_eq!(rr.report_blocks.len(), 9);
        assert!(matches!(packets[2], RtcpPacket::SourceDescription(s) if s.cname() == Some(b"x")));
        // Nobody to report on, not a sender: an empty RR.
        let n = write_report(&mut buf, now, &ReportConfig::new(Ssrc(1), b"x"), None, []).unwrap();
        assert_eq!(n, 8 + 12);
        assert_eq!(&buf[..8], &[0x80, 201, 0, 1, 0, 0, 0, 1]);
    }
}
