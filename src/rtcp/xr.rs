//! Extended reports, XR ([RFC 3611](https://www.rfc-editor.org/rfc/rfc3611)).

use super::{be32, packet_type, put32, Items, RtcpBuildError, RtcpError, RtcpWrite, WireItem};
use crate::rtp::Ssrc;
use crate::time::NtpTimestamp;
use std::fmt;
use std::iter::FusedIterator;

const BT_RRT: u8 = 4;
const BT_DLRR: u8 = 5;

/// One DLRR sub-block ([RFC 3611 §4.5](https://www.rfc-editor.org/rfc/rfc3611#section-4.5)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DlrrItem {
    /// The receiver the sub-block is about.
    pub ssrc: Ssrc,
    /// Middle 32 bits of its last receiver reference time (LRR).
    pub last_rr: u32,
    /// Delay since that report, in 1/65,536 s (DLRR).
    pub delay_since_last_rr: u32,
}

impl WireItem for DlrrItem {
    const SIZE: usize = 12;
    #[inline]
    fn decode(b: &[u8]) -> Self {
        DlrrItem {
            ssrc: Ssrc(be32(b, 0)),
            last_rr: be32(b, 4),
            delay_since_last_rr: be32(b, 8),
        }
    }
    #[inline]
    fn encode(&self, out: &mut [u8]) {
        put32(out, 0, self.ssrc.0);
        put32(out, 4, self.last_rr);
        put32(out, 8, self.delay_since_last_rr);
    }
}

/// One XR report block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum XrBlock<'a> {
    /// Receiver reference time, BT 4 ([RFC 3611 §4.4](https://www.rfc-editor.org/rfc/rfc3611#section-4.4)).
    ReceiverReferenceTime(NtpTimestamp),
    /// DLRR, BT 5 ([RFC 3611 §4.5](https://www.rfc-editor.org/rfc/rfc3611#section-4.5)).
    Dlrr(Items<'a, DlrrItem>),
    /// Any other block (or a BT 4/5 block with non-zero reserved bits or a length that does
    /// not fit its layout), kept raw.
    Other {
        /// Block type.
        block_type: u8,
        /// The type-specific octet.
        type_specific: u8,
        /// Block contents after the 4-byte block header, a multiple of 4 bytes.
        data: &'a [u8],
    },
}

impl<'a> XrBlock<'a> {
    fn parse(bt: u8, ts: u8, data: &'a [u8]) -> XrBlock<'a> {
        match (bt, ts) {
            (BT_RRT, 0) if data.len() == 8 => XrBlock::ReceiverReferenceTime(NtpTimestamp(
                (u64::from(be32(data, 0)) << 32) | u64::from(be32(data, 4)),
            )),
            (BT_DLRR, 0) if data.len().is_multiple_of(DlrrItem::SIZE) => {
                XrBlock::Dlrr(Items::from_raw(data))
            }
            _ => XrBlock::Other {
                block_type: bt,
                type_specific: ts,
                data,
            },
        }
    }

    fn content_len(&self) -> usize {
        match self {
            XrBlock::ReceiverReferenceTime(_) => 8,
            XrBlock::Dlrr(items) => items.byte_len(),
            XrBlock::Other { data, .. } => data.len(),
        }
    }

    fn write(&self, out: &mut [u8]) {
        let (bt, ts) = match self {
            XrBlock::ReceiverReferenceTime(_) => (BT_RRT, 0),
            XrBlock::Dlrr(_) => (BT_DLRR, 0),
            XrBlock::Other {
                block_type,
                type_specific,
                ..
            } => (*block_type, *type_specific),
        };
        let words = (self.content_len() / 4) as u32;
        put32(
            out,
            0,
            (u32::from(bt) << 24) | (u32::from(ts) << 16) | words,
        );
        let body = out.get_mut(4..).unwrap_or_default();
        match self {
            XrBlock::ReceiverReferenceTime(ntp) => {
                put32(body, 0, ntp.seconds());
                put32(body, 4, ntp.fraction());
            }
            XrBlock::Dlrr(items) => items.write(body),
            XrBlock::Other { data, .. } => super::put_bytes(body, 0, data),
        }
    }
}

/// Reads one block at the start of `b`.
fn read_block(b: &[u8]) -> Option<(XrBlock<'_>, &[u8])> {
    let (head, rest) = b.split_first_chunk::<4>()?;
    let len = 4 * usize::from(u16::from_be_bytes([head[2], head[3]]));
    let (data, rest) = rest.split_at_checked(len)?;
    Some((XrBlock::parse(head[0], head[1], data), rest))
}

#[derive(Clone, Copy)]
enum Repr<'a> {
    Raw(&'a [u8]),
    List(&'a [XrBlock<'a>]),
}

/// The report blocks of an XR packet.
#[derive(Clone, Copy)]
pub struct XrBlocks<'a> {
    repr: Repr<'a>,
}

impl<'a> XrBlocks<'a> {
    /// Blocks from a caller's slice, for building.
    pub const fn from_slice(blocks: &'a [XrBlock<'a>]) -> XrBlocks<'a> {
        XrBlocks {
            repr: Repr::List(blocks),
        }
    }
}

impl<'a> Iterator for XrBlocks<'a> {
    type Item = XrBlock<'a>;
    fn next(&mut self) -> Option<XrBlock<'a>> {
        match &mut self.repr {
            Repr::Raw(r) => {
                let (block, rest) = read_block(r)?;
                *r = rest;
                Some(block)
            }
            Repr::List(l) => {
                let (head, rest) = l.split_first()?;
                *l = rest;
                Some(*head)
            }
        }
    }
}

impl FusedIterator for XrBlocks<'_> {}

impl PartialEq for XrBlocks<'_> {
    fn eq(&self, other: &Self) -> bool {
        (*self).eq(*other)
    }
}

impl Eq for XrBlocks<'_> {}

impl fmt::Debug for XrBlocks<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(*self).finish()
    }
}

/// An extended report, XR ([RFC 3611 §2](https://www.rfc-editor.org/rfc/rfc3611#section-2)).
///
/// The five reserved bits of the header are ignored when parsing and written as zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtendedReport<'a> {
    /// SSRC of the packet sender.
    pub ssrc: Ssrc,
    /// The report blocks.
    pub blocks: XrBlocks<'a>,
}

impl<'a> ExtendedReport<'a> {
    pub(crate) fn parse(body: &'a [u8], pos: usize) -> Result<Self, RtcpError> {
        let err = |what| RtcpError::Body {
            pos,
            packet_type: packet_type::XR,
            what,
        };
        let (ssrc, blocks) = body.split_first_chunk::<4>().ok_or(err("xr ssrc"))?;
        let mut rest = blocks;
        while !rest.is_empty() {
            let (_, next) = read_block(rest).ok_or(err("xr block"))?;
            rest = next;
        }
        Ok(ExtendedReport {
            ssrc: Ssrc(u32::from_be_bytes(*ssrc)),
            blocks: XrBlocks {
                repr: Repr::Raw(blocks),
            },
        })
    }
}

impl RtcpWrite for ExtendedReport<'_> {
    fn packet_type(&self) -> u8 {
        packet_type::XR
    }
    fn count(&self) -> u8 {
        0
    }
    fn body_len(&self) -> usize {
        4 + self.blocks.map(|b| 4 + b.content_len()).sum::<usize>()
    }
    fn check(&self) -> Result<(), RtcpBuildError> {
        for block in self.blocks {
            let len = block.content_len();
            if !len.is_multiple_of(4) {
                return Err(RtcpBuildError::NotAligned {
                    what: "xr block",
                    len,
                });
            }
            if len / 4 > usize::from(u16::MAX) {
                return Err(RtcpBuildError::TooMany {
                    what: "xr block words",
                    count: len / 4,
                    max: usize::from(u16::MAX),
                });
            }
        }
        Ok(())
    }
    fn write_body(&self, out: &mut [u8]) {
        put32(out, 0, self.ssrc.0);
        let mut pos = 4;
        for block in self.blocks {
            let end = pos + 4 + block.content_len();
            block.write(out.get_mut(pos..end).unwrap_or_default());
            pos = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rrt_dlrr_other_round_trip() {
        let dlrr = [DlrrItem {
            ssrc: Ssrc(3),
            last_rr: 0x1234_5678,
            delay_since_last_rr: 0x10000,
        }];
        let blocks = [
            XrBlock::ReceiverReferenceTime(NtpTimestamp(0xeeb1_a47c_819d_451f)),
            XrBlock::Dlrr(Items::from_slice(&dlrr)),
            XrBlock::Other {
                block_type: 6,
                type_specific: 0xf0,
                data: &[1, 2, 3, 4],
            },
        ];
        let xr = ExtendedReport {
            ssrc: Ssrc(1),
            blocks: XrBlocks::from_slice(&blocks),
        };
        let mut buf = [0u8; 64];
        let n = xr.write(&mut buf).unwrap();
        assert_eq!(n, 4 + 4 + 12 + 16 + 8);
        assert_eq!(&buf[8..12], &[4, 0, 0, 2]);
        let parsed = ExtendedReport::parse(&buf[4..n], 0).unwrap();
        assert_eq!(parsed, xr);
        // A DLRR with a reserved bit set is kept raw.
        buf[21] = 1;
        let parsed = ExtendedReport::parse(&buf[4..n], 0).unwrap();
        let mut blocks = parsed.blocks;
        assert!(matches!(
            blocks.nth(1),
            Some(XrBlock::Other { block_type: 5, .. })
        ));
        assert!(ExtendedReport::parse(&[0, 0, 0, 1, 4, 0, 0, 3, 0, 0, 0, 0], 0).is_err());
    }
}
