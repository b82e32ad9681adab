//! Sender and receiver reports ([RFC 3550 §6.4](https://www.rfc-editor.org/rfc/rfc3550#section-6.4)).

use super::{be32, packet_type, put32, Items, RtcpBuildError, RtcpError, RtcpWrite, WireItem};
use crate::rtp::Ssrc;
use crate::time::NtpTimestamp;

/// The sender information of an SR ([RFC 3550 §6.4.1](https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SenderInfo {
    /// Wall-clock time when the report was sent.
    pub ntp: NtpTimestamp,
    /// The RTP timestamp corresponding to `ntp`, in the media clock.
    pub rtp_timestamp: u32,
    /// RTP data packets sent since the start (wraps).
    pub packet_count: u32,
    /// Payload octets sent since the start (wraps).
    pub octet_count: u32,
}

/// A reception report block ([RFC 3550 §6.4.1](https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ReportBlock {
    /// The source this block reports on.
    pub ssrc: Ssrc,
    /// Fraction of packets lost since the previous report, in 1/256 units.
    pub fraction_lost: u8,
    /// Cumulative packets lost, a 24-bit signed value (negative with duplicates); written
    /// clamped to −2²³ ..= 2²³ − 1.
    pub cumulative_lost: i32,
    /// Extended highest sequence number received (cycles in the high 16 bits).
    pub extended_highest_seq: u32,
    /// Interarrival jitter in timestamp units.
    pub jitter: u32,
    /// Middle 32 bits of the NTP timestamp of the last SR received (LSR), 0 if none.
    pub last_sr: u32,
    /// Delay since that SR in 1/65,536 s (DLSR), 0 if none.
    pub delay_since_last_sr: u32,
}

impl WireItem for ReportBlock {
    const SIZE: usize = 24;
    #[inline]
    fn decode(b: &[u8]) -> Self {
        // `b` is exactly `SIZE` bytes: one length check, then fixed offsets.
        let Some(b) = b.first_chunk::<24>() else {
            return ReportBlock::default();
        };
        let w = |i: usize| be32(b, i);
        let lost = w(4);
        // Sign-extend the 24-bit field.
        let cumulative_lost = ((lost << 8) as i32) >> 8;
        ReportBlock {
            ssrc: Ssrc(w(0)),
            fraction_lost: (lost >> 24) as u8,
            cumulative_lost,
            extended_highest_seq: w(8),
            jitter: w(12),
            last_sr: w(16),
            delay_since_last_sr: w(20),
        }
    }
    #[inline]
    fn encode(&self, out: &mut [u8]) {
        let lost = self.cumulative_lost.clamp(-(1 << 23), (1 << 23) - 1) as u32 & 0x00ff_ffff;
        put32(out, 0, self.ssrc.0);
        put32(out, 4, (u32::from(self.fraction_lost) << 24) | lost);
        put32(out, 8, self.extended_highest_seq);
        put32(out, 12, self.jitter);
        put32(out, 16, self.last_sr);
        put32(out, 20, self.delay_since_last_sr);
    }
}

/// Splits the report blocks (`count` of them) and the profile-specific extension off `body`.
#[inline]
fn blocks_and_extension(
    body: &[u8],
    count: u8,
    pos: usize,
    packet_type: u8,
) -> Result<(Items<'_, ReportBlock>, &[u8]), RtcpError> {
    let (blocks, extension) = body
        .split_at_checked(usize::from(count) * ReportBlock::SIZE)
        .ok_or(RtcpError::Body {
            pos,
            packet_type,
            what: "report blocks",
        })?;
    Ok((Items::from_raw(blocks), extension))
}

fn check_blocks(blocks: &Items<'_, ReportBlock>, extension: &[u8]) -> Result<(), RtcpBuildError> {
    if blocks.len() > 31 {
        return Err(RtcpBuildError::TooMany {
            what: "report blocks",
            count: blocks.len(),
            max: 31,
        });
    }
    if !extension.len().is_multiple_of(4) {
        return Err(RtcpBuildError::NotAligned {
            what: "profile-specific extension",
            len: extension.len(),
        });
    }
    Ok(())
}

/// A sender report, SR ([RFC 3550 §6.4.1](https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenderReport<'a> {
    /// The sender's SSRC.
    pub ssrc: Ssrc,
    /// The sender information.
    pub info: SenderInfo,
    /// Up to 31 reception report blocks.
    pub report_blocks: Items<'a, ReportBlock>,
    /// Profile-specific extension (a multiple of 4 bytes; usually empty).
    pub extension: &'a [u8],
}

impl<'a> SenderReport<'a> {
    #[inline]
    pub(crate) fn parse(count: u8, body: &'a [u8], pos: usize) -> Result<Self, RtcpError> {
        let (head, rest) = body.split_at_checked(24).ok_or(RtcpError::Body {
            pos,
            packet_type: packet_type::SR,
            what: "sender info",
        })?;
        let (report_blocks, extension) = blocks_and_extension(rest, count, pos, packet_type::SR)?;
        Ok(SenderReport {
            ssrc: Ssrc(be32(head, 0)),
            info: SenderInfo {
                ntp: NtpTimestamp((u64::from(be32(head, 4)) << 32) | u64::from(be32(head, 8))),
                rtp_timestamp: be32(head, 12),
                packet_count: be32(head, 16),
                octet_count: be32(head, 20),
            },
            report_blocks,
            extension,
        })
    }
}

impl RtcpWrite for SenderReport<'_> {
    fn packet_type(&self) -> u8 {
        packet_type::SR
    }
    fn count(&self) -> u8 {
        self.report_blocks.len() as u8
    }
    fn body_len(&self) -> usize {
        24 + self.report_blocks.byte_len() + self.extension.len()
    }
    fn check(&self) -> Result<(), RtcpBuildError> {
        check_blocks(&self.report_blocks, self.extension)
    }
    fn write_body(&self, out: &mut [u8]) {
        put32(out, 0, self.ssrc.0);
        put32(out, 4, self.info.ntp.seconds());
        put32(out, 8, self.info.ntp.fraction());
        put32(out, 12, self.info.rtp_timestamp);
        put32(out, 16, self.info.packet_count);
        put32(out, 20, self.info.octet_count);
        let blocks_end = 24 + self.report_blocks.byte_len();
        self.report_blocks
            .write(out.get_mut(24..blocks_end).unwrap_or_default());
        super::put_bytes(out, blocks_end, self.extension);
    }
}

/// A receiver report, RR ([RFC 3550 §6.4.2](https://www.rfc-editor.org/rfc/rfc3550#section-6.4.2)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiverReport<'a> {
    /// The reporter's SSRC.
    pub ssrc: Ssrc,
    /// Up to 31 reception report blocks.
    pub report_blocks: Items<'a, ReportBlock>,
    /// Profile-specific extension (a multiple of 4 bytes; usually empty).
    pub extension: &'a [u8],
}

impl<'a> ReceiverReport<'a> {
    #[inline]
    pub(crate) fn parse(count: u8, body: &'a [u8], pos: usize) -> Result<Self, RtcpError> {
        let (head, rest) = body.split_at_checked(4).ok_or(RtcpError::Body {
            pos,
            packet_type: packet_type::RR,
            what: "ssrc",
        })?;
        let (report_blocks, extension) = blocks_and_extension(rest, count, pos, packet_type::RR)?;
        Ok(ReceiverReport {
            ssrc: Ssrc(be32(head, 0)),
            report_blocks,
            extension,
        })
    }
}

impl RtcpWrite for ReceiverReport<'_> {
    fn packet_type(&self) -> u8 {
        packet_type::RR
    }
    fn count(&self) -> u8 {
        self.report_blocks.len() as u8
    }
    fn body_len(&self) -> usize {
        4 + self.report_blocks.byte_len() + self.extension.len()
    }
    fn check(&self) -> Result<(), RtcpBuildError> {
        check_blocks(&self.report_blocks, self.extension)
    }
    fn write_body(&self, out: &mut [u8]) {
        put32(out, 0, self.ssrc.0);
        let blocks_end = 4 + self.report_blocks.byte_len();
        self.report_blocks
            .write(out.get_mut(4..blocks_end).unwrap_or_default());
        super::put_bytes(out, blocks_end, self.extension);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_block_sign_extension_and_clamp() {
        let rb = ReportBlock {
            ssrc: Ssrc(1),
            fraction_lost: 0xff,
            cumulative_lost: -1,
            ..Default::default()
        };
        let mut b = [0u8; 24];
        rb.encode(&mut b);
        assert_eq!(b[4..8], [0xff, 0xff, 0xff, 0xff]);
        assert_eq!(ReportBlock::decode(&b), rb);
        let rb2 = ReportBlock {
            cumulative_lost: 1 << 30,
            ..rb
        };
        rb2.encode(&mut b);
        assert_eq!(ReportBlock::decode(&b).cumulative_lost, (1 << 23) - 1);
    }

    #[test]
    fn too_many_blocks() {
        let blocks = [ReportBlock::default(); 32];
        let rr = ReceiverReport {
            ssrc: Ssrc(1),
            report_blocks: Items::from_slice(&blocks),
            extension: &[],
        };
        let mut out = [0u8; 1024];
        assert!(matches!(
            rr.write(&mut out),
            Err(RtcpBuildError::TooMany { count: 32, .. })
        ));
        let rr = ReceiverReport {
            report_blocks: Items::from_slice(&blocks[..31]),
            ..rr
        };
        assert_eq!(rr.write(&mut out), Ok(8 + 31 * 24));
        assert_eq!(out[0], 0x80 | 31);
    }
}
