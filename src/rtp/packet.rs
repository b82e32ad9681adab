//! The zero-copy RTP packet view.

use super::{be16, Extension, PayloadType, RtpError, Ssrc};
use std::fmt;
use std::iter::FusedIterator;
use std::ops::Range;

/// A validated RTP packet borrowed from the caller's buffer
/// ([RFC 3550 §5.1](https://www.rfc-editor.org/rfc/rfc3550#section-5.1)).
///
/// [`RtpPacket::parse`] checks everything that the rest of the packet depends on, once:
///
/// - the datagram holds the 12-byte fixed header and the version is 2;
/// - the CSRC list (`CC` × 4 bytes) fits;
/// - with `X` set, the 4-byte extension header and its declared length fit;
/// - with `P` set, the padding count (the last byte) is at least 1 and no larger than what
///   follows the header ([RFC 3550 A.1](https://www.rfc-editor.org/rfc/rfc3550#appendix-A.1)).
///
/// Every accessor after that is a plain read; none can fail or panic. The payload is a
/// sub-slice of the input; [`RtpPacket::payload_range`] gives its offsets so that a caller
/// holding the datagram as [`bytes::Bytes`] can `slice` it without copying.
///
/// Payload-type or SSRC checks that depend on the session (A.1's "payload type must be
/// known") are the caller's, not the parser's.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RtpPacket<'a> {
    data: &'a [u8],
    header: &'a [u8; 12],
    /// Offset of the extension header, or 0 when there is none.
    ext_pos: usize,
    payload_start: usize,
    payload_end: usize,
}

impl<'a> RtpPacket<'a> {
    /// Validates `data` as one RTP packet.
    #[inline]
    pub fn parse(data: &'a [u8]) -> Result<RtpPacket<'a>, RtpError> {
        let len = data.len();
        let Some(header) = data.first_chunk::<12>() else {
            return Err(RtpError::TooShort { len });
        };
        let b0 = header[0];
        if b0 >> 6 != 2 {
            return Err(RtpError::Version { version: b0 >> 6 });
        }
        let count = b0 & 0x0f;
        let mut pos = 12 + 4 * usize::from(count);
        if pos > len {
            return Err(RtpError::Csrcs { count, len });
        }
        let mut ext_pos = 0;
        if b0 & 0x10 != 0 {
            let Some(&[_, _, w0, w1]) = data.get(pos..).and_then(|r| r.first_chunk::<4>()) else {
                return Err(RtpError::Extension { pos, words: 0, len });
            };
            let words = be16([w0, w1]);
            let end = pos + 4 + 4 * usize::from(words);
            if end > len {
                return Err(RtpError::Extension { pos, words, len });
            }
            ext_pos = pos;
            pos = end;
        }
        let mut payload_end = len;
        if b0 & 0x20 != 0 {
            // `len >= 12`, so there is a last byte.
            let count = data.last().copied().unwrap_or(0);
            let available = len - pos;
            if count == 0 || usize::from(count) > available {
                return Err(RtpError::Padding {
                    pos: len - 1,
                    count,
                    available,
                });
            }
            payload_end -= usize::from(count);
        }
        Ok(RtpPacket {
            data,
            header,
            ext_pos,
            payload_start: pos,
            payload_end,
        })
    }

    /// The whole packet as given to [`RtpPacket::parse`].
    #[inline]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.data
    }

    /// The version field (always 2 after a successful parse).
    #[inline]
    pub fn version(&self) -> u8 {
        self.header[0] >> 6
    }

    /// The padding bit `P`.
    #[inline]
    pub fn has_padding(&self) -> bool {
        self.header[0] & 0x20 != 0
    }

    /// The extension bit `X`.
    #[inline]
    pub fn has_extension(&self) -> bool {
        self.header[0] & 0x10 != 0
    }

    /// The CSRC count `CC` (0 to 15).
    #[inline]
    pub fn csrc_count(&self) -> u8 {
        self.header[0] & 0x0f
    }

    /// The marker bit `M`.
    #[inline]
    pub fn marker(&self) -> bool {
        self.header[1] & 0x80 != 0
    }

    /// The payload type `PT`.
    #[inline]
    pub fn payload_type(&self) -> PayloadType {
        PayloadType::from_wire(self.header[1])
    }

    /// The 16-bit sequence number.
    #[inline]
    pub fn sequence_number(&self) -> u16 {
        be16([self.header[2], self.header[3]])
    }

    /// The 32-bit RTP timestamp.
    #[inline]
    pub fn timestamp(&self) -> u32 {
        u32::from_be_bytes([
            self.header[4],
            self.header[5],
            self.header[6],
            self.header[7],
        ])
    }

    /// The synchronization source.
    #[inline]
    pub fn ssrc(&self) -> Ssrc {
        Ssrc(u32::from_be_bytes([
            self.header[8],
            self.header[9],
            self.header[10],
            self.header[11],
        ]))
    }

    /// The contributing sources, in order.
    #[inline]
    pub fn csrcs(&self) -> Csrcs<'a> {
        let end = 12 + 4 * usize::from(self.csrc_count());
        Csrcs {
            raw: self.data.get(12..end).unwrap_or_default(),
        }
    }

    /// The header extension, if `X` is set.
    #[inline]
    pub fn extension(&self) -> Option<Extension<'a>> {
        if self.ext_pos == 0 {
            return None;
        }
        let head = self.data.get(self.ext_pos..)?.first_chunk::<4>()?;
        let data = self.data.get(self.ext_pos + 4..self.payload_start)?;
        Some(Extension::new(be16([head[0], head[1]]), data))
    }

    /// Length of the header: 12 bytes, the CSRCs and the extension.
    #[inline]
    pub fn header_len(&self) -> usize {
        self.payload_start
    }

    /// The payload: what follows the header, without the padding.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        self.data
            .get(self.payload_start..self.payload_end)
            .unwrap_or_default()
    }

    /// Offsets of the payload within [`RtpPacket::as_bytes`], for `Bytes::slice`.
    #[inline]
    pub fn payload_range(&self) -> Range<usize> {
        self.payload_start..self.payload_end
    }

    /// The padding octets, including the final count octet (empty without `P`).
    #[inline]
    pub fn padding(&self) -> &'a [u8] {
        self.data.get(self.payload_end..).unwrap_or_default()
    }

    /// Number of padding octets, including the count octet (0 without `P`).
    #[inline]
    pub fn padding_len(&self) -> usize {
        self.data.len() - self.payload_end
    }
}

impl fmt::Debug for RtpPacket<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RtpPacket")
            .field("marker", &self.marker())
            .field("payload_type", &self.payload_type())
            .field("sequence_number", &self.sequence_number())
            .field("timestamp", &self.timestamp())
            .field("ssrc", &self.ssrc())
            .field("csrcs", &self.csrcs())
            .field("extension", &self.extension())
            .field("payload_len", &self.payload().len())
            .field("padding_len", &self.padding_len())
            .finish()
    }
}

/// Iterator over the CSRC list of an [`RtpPacket`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Csrcs<'a> {
    raw: &'a [u8],
}

impl<'a> Csrcs<'a> {
    /// The CSRC list as on the wire (4 bytes per entry).
    pub fn as_bytes(&self) -> &'a [u8] {
        self.raw
    }
}

impl Iterator for Csrcs<'_> {
    type Item = Ssrc;
    #[inline]
    fn next(&mut self) -> Option<Ssrc> {
        let (head, rest) = self.raw.split_first_chunk::<4>()?;
        self.raw = rest;
        Some(Ssrc(u32::from_be_bytes(*head)))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.raw.len() / 4;
        (n, Some(n))
    }
}

impl ExactSizeIterator for Csrcs<'_> {}
impl FusedIterator for Csrcs<'_> {}

impl fmt::Debug for Csrcs<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(*self).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn corpus_h264_packet() {
        // ffmpeg_udp__gst_h264, first server packet (an SEI-sized NAL).
        let b = hex("806005b77467d07cb37f05e80910");
        let p = RtpPacket::parse(&b).unwrap();
        assert_eq!(p.version(), 2);
        assert!(!p.marker());
        assert_eq!(p.payload_type().get(), 96);
        assert_eq!(p.sequence_number(), 0x05b7);
        assert_eq!(p.timestamp(), 0x7467_d07c);
        assert_eq!(p.ssrc(), Ssrc(0xb37f_05e8));
        assert_eq!(p.csrcs().len(), 0);
        assert!(p.extension().is_none());
        assert_eq!(p.payload(), &[0x09, 0x10]);
        assert_eq!(p.payload_range(), 12..14);
    }

    #[test]
    fn rejects() {
        assert_eq!(
            RtpPacket::parse(&[0x80; 11]),
            Err(RtpError::TooShort { len: 11 })
        );
        let mut b = hex("400005b77467d07cb37f05e8");
        assert_eq!(RtpPacket::parse(&b), Err(RtpError::Version { version: 1 }));
        b[0] = 0x81;
        assert_eq!(
            RtpPacket::parse(&b),
            Err(RtpError::Csrcs { count: 1, len: 12 })
        );
        b[0] = 0x90;
        assert_eq!(
            RtpPacket::parse(&b),
            Err(RtpError::Extension {
                pos: 12,
                words: 0,
                len: 12
            })
        );
        b.extend_from_slice(&[0xbe, 0xde, 0, 1]);
        assert_eq!(
            RtpPacket::parse(&b),
            Err(RtpError::Extension {
                pos: 12,
                words: 1,
                len: 16
            })
        );
        let mut b = hex("a00005b77467d07cb37f05e8aabb0003");
        assert_eq!(RtpPacket::parse(&b).unwrap().payload(), &[0xaa]);
        b[15] = 0;
        assert!(matches!(
            RtpPacket::parse(&b),
            Err(RtpError::Padding { count: 0, .. })
        ));
        b[15] = 5;
        assert_eq!(
            RtpPacket::parse(&b),
            Err(RtpError::Padding {
                pos: 15,
                count: 5,
                available: 4
            })
        );
    }

    #[test]
    fn full_header() {
        // V=2 P=1 X=1 CC=2, M=1 PT=111, with a one-byte extension and 3 bytes of padding.
        let b = hex(concat!(
            "b2ef0001000000640000000a",
            "0000000b0000000c",
            "bede0001",
            "10aa0000",
            "0102",
            "000003"
        ));
        let p = RtpPacket::parse(&b).unwrap();
        assert!(p.marker() && p.has_padding() && p.has_extension());
        assert_eq!(p.payload_type().get(), 111);
        assert_eq!(p.csrcs().collect::<Vec<_>>(), vec![Ssrc(0xb), Ssrc(0xc)]);
        let ext = p.extension().unwrap();
        assert_eq!(ext.profile(), 0xbede);
        assert_eq!(ext.data(), &[0x10, 0xaa, 0, 0]);
        assert_eq!(p.header_len(), 28);
        assert_eq!(p.payload(), &[1, 2]);
        assert_eq!(p.padding(), &[0, 0, 3]);
        assert_eq!(p.padding_len(), 3);
    }
}
