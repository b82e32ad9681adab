//! Compound RTCP datagrams: framing, validation ([RFC 3550 A.2]) and building
//! ([RFC 3550 §6.1]), with the reduced-size variant of [RFC 5506].
//!
//! [RFC 3550 A.2]: https://www.rfc-editor.org/rfc/rfc3550#appendix-A.2
//! [RFC 3550 §6.1]: https://www.rfc-editor.org/rfc/rfc3550#section-6.1
//! [RFC 5506]: https://www.rfc-editor.org/rfc/rfc5506

use super::feedback::{parse_psfb, Psfb, FMT_NACK};
use super::{
    packet_type, write_packet, App, ExtendedReport, Feedback, Fir, Goodbye, Nack, Pli,
    ReceiverReport, RtcpBuildError, RtcpError, RtcpWrite, SenderReport, SourceDescription,
};
use std::iter::FusedIterator;

/// How strictly [`Compound::parse`] and [`CompoundWriter`] apply the compound rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ValidationMode {
    /// [RFC 3550 A.2](https://www.rfc-editor.org/rfc/rfc3550#appendix-A.2): every packet
    /// version 2, the first an SR or RR, padding only on the last, lengths adding up to
    /// the datagram. [`CompoundWriter`] also requires an SDES CNAME.
    #[default]
    Strict,
    /// Reduced-size RTCP ([RFC 5506 §3.4](https://www.rfc-editor.org/rfc/rfc5506#section-3.4)):
    /// the first packet may be of any type and no CNAME is required; the other checks stay.
    ///
    /// **Background:** WebRTC-style peers send a lone PLI or NACK; it is only for sessions
    /// that negotiated `a=rtcp-rsize`.
    ReducedSize,
}

/// One RTCP packet's framing inside a compound: header fields, body and padding, not yet
/// interpreted by type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawPacket<'a> {
    /// Offset of the packet in the datagram.
    pub pos: usize,
    /// The padding bit.
    pub padding: bool,
    /// The 5-bit count / FMT / subtype field.
    pub count: u8,
    /// The packet type.
    pub packet_type: u8,
    /// The body between the 4-byte header and the padding.
    pub body: &'a [u8],
    /// The whole packet, header and padding included.
    pub bytes: &'a [u8],
}

impl<'a> RawPacket<'a> {
    /// Number of padding octets (0 without the padding bit).
    pub fn padding_len(&self) -> usize {
        self.bytes.len() - 4 - self.body.len()
    }

    /// Interprets the body by packet type.
    pub fn parse(&self) -> Result<RtcpPacket<'a>, RtcpError> {
        parse_body(self.packet_type, self.count, self.body, self.pos)
    }
}

/// Interprets the body of a packet by its type.
#[inline]
fn parse_body(pt: u8, count: u8, body: &[u8], pos: usize) -> Result<RtcpPacket<'_>, RtcpError> {
    Ok(match pt {
        packet_type::SR => RtcpPacket::SenderReport(SenderReport::parse(count, body, pos)?),
        packet_type::RR => RtcpPacket::ReceiverReport(ReceiverReport::parse(count, body, pos)?),
        packet_type::SDES => {
            RtcpPacket::SourceDescription(SourceDescription::parse(count, body, pos)?)
        }
        packet_type::BYE => RtcpPacket::Goodbye(Goodbye::parse(count, body, pos)?),
        packet_type::APP => RtcpPacket::App(App::parse(count, body, pos)?),
        packet_type::RTPFB if count == FMT_NACK => RtcpPacket::Nack(Nack::parse(body, pos)?),
        packet_type::RTPFB => {
            RtcpPacket::Feedback(Feedback::parse(packet_type::RTPFB, count, body, pos)?)
        }
        packet_type::PSFB => match parse_psfb(count, body, pos)? {
            Psfb::Pli(p) => RtcpPacket::Pli(p),
            Psfb::Fir(f) => RtcpPacket::Fir(f),
            Psfb::Other(f) => RtcpPacket::Feedback(f),
        },
        packet_type::XR => RtcpPacket::ExtendedReport(ExtendedReport::parse(body, pos)?),
        _ => RtcpPacket::Unknown(UnknownPacket {
            packet_type: pt,
            count,
            body,
        }),
    })
}

/// Checks the framing of the packet at `pos` of `data` ([RFC 3550 A.2]): a whole header,
/// version 2, a length within `data`, and a padding count that is a non-zero multiple of 4
/// within the body. Returns the header and the packet's length.
///
/// [RFC 3550 A.2]: https://www.rfc-editor.org/rfc/rfc3550#appendix-A.2
#[inline]
fn check_frame(data: &[u8], pos: usize) -> Result<([u8; 4], usize), RtcpError> {
    let rest = data.get(pos..).unwrap_or_default();
    let Some(head) = rest.first_chunk::<4>() else {
        return Err(RtcpError::TooShort {
            pos,
            available: rest.len(),
        });
    };
    let version = head[0] >> 6;
    if version != 2 {
        return Err(RtcpError::Version { pos, version });
    }
    let words = u16::from_be_bytes([head[2], head[3]]);
    let len = 4 * (usize::from(words) + 1);
    let Some(bytes) = rest.get(..len) else {
        return Err(RtcpError::Length {
            pos,
            words,
            available: rest.len(),
        });
    };
    if head[0] & 0x20 != 0 {
        let count = bytes.last().copied().unwrap_or(0);
        if count == 0 || !count.is_multiple_of(4) || usize::from(count) > len - 4 {
            return Err(RtcpError::Padding { pos, count });
        }
    }
    Ok((*head, len))
}

/// The body of a packet whose framing [`check_frame`] accepted: between the header and
/// the padding.
#[inline]
fn frame_body(head: [u8; 4], bytes: &[u8]) -> &[u8] {
    let pad = if head[0] & 0x20 != 0 {
        usize::from(bytes.last().copied().unwrap_or(0))
    } else {
        0
    };
    bytes
        .get(4..bytes.len().saturating_sub(pad).max(4))
        .unwrap_or_default()
}

/// Iterator over the framing of the packets of a datagram; stops after the first error.
#[derive(Debug, Clone)]
pub struct RawPackets<'a> {
    data: &'a [u8],
    pos: usize,
    failed: bool,
}

impl<'a> RawPackets<'a> {
    /// Iterates over `data` without any compound-level check.
    pub fn new(data: &'a [u8]) -> RawPackets<'a> {
        RawPackets {
            data,
            pos: 0,
            failed: false,
        }
    }

    fn read(&mut self) -> Result<RawPacket<'a>, RtcpError> {
        let pos = self.pos;
        let (head, len) = check_frame(self.data, pos)?;
        let bytes = self.data.get(pos..pos + len).unwrap_or_default();
        self.pos = pos + len;
        Ok(RawPacket {
            pos,
            padding: head[0] & 0x20 != 0,
            count: head[0] & 0x1f,
            packet_type: head[1],
            body: frame_body(head, bytes),
            bytes,
        })
    }
}

impl<'a> Iterator for RawPackets<'a> {
    type Item = Result<RawPacket<'a>, RtcpError>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.data.len() {
            return None;
        }
        let r = self.read();
        self.failed = r.is_err();
        Some(r)
    }
}

impl FusedIterator for RawPackets<'_> {}

/// A packet of a type this crate does not interpret, kept as is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownPacket<'a> {
    /// The packet type.
    pub packet_type: u8,
    /// The 5-bit count field.
    pub count: u8,
    /// The body, a multiple of 4 bytes.
    pub body: &'a [u8],
}

impl RtcpWrite for UnknownPacket<'_> {
    fn packet_type(&self) -> u8 {
        self.packet_type
    }
    fn count(&self) -> u8 {
        self.count
    }
    fn body_len(&self) -> usize {
        self.body.len()
    }
    fn check(&self) -> Result<(), RtcpBuildError> {
        Ok(())
    }
    fn write_body(&self, out: &mut [u8]) {
        super::put_bytes(out, 0, self.body);
    }
}

/// One RTCP packet, by type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RtcpPacket<'a> {
    /// SR, type 200.
    SenderReport(SenderReport<'a>),
    /// RR, type 201.
    ReceiverReport(ReceiverReport<'a>),
    /// SDES, type 202.
    SourceDescription(SourceDescription<'a>),
    /// BYE, type 203.
    Goodbye(Goodbye<'a>),
    /// APP, type 204.
    App(App<'a>),
    /// Generic NACK: RTPFB (205) FMT 1.
    Nack(Nack<'a>),
    /// PLI: PSFB (206) FMT 1.
    Pli(Pli),
    /// FIR: PSFB (206) FMT 4.
    Fir(Fir<'a>),
    /// Any other RTPFB or PSFB message.
    Feedback(Feedback<'a>),
    /// XR, type 207.
    ExtendedReport(ExtendedReport<'a>),
    /// Any other packet type.
    Unknown(UnknownPacket<'a>),
}

impl<'a> RtcpPacket<'a> {
    /// Parses one packet (header included) that fills `data` exactly.
    pub fn parse(data: &'a [u8]) -> Result<RtcpPacket<'a>, RtcpError> {
        let mut it = RawPackets::new(data);
        let raw = it.next().ok_or(RtcpError::Empty)??;
        if raw.bytes.len() != data.len() {
            return Err(RtcpError::Length {
                pos: 0,
                words: (raw.bytes.len() / 4 - 1) as u16,
                available: data.len(),
            });
        }
        raw.parse()
    }

    fn as_write(&self) -> &dyn RtcpWrite {
        match self {
            RtcpPacket::SenderReport(p) => p,
            RtcpPacket::ReceiverReport(p) => p,
            RtcpPacket::SourceDescription(p) => p,
            RtcpPacket::Goodbye(p) => p,
            RtcpPacket::App(p) => p,
            RtcpPacket::Nack(p) => p,
            RtcpPacket::Pli(p) => p,
            RtcpPacket::Fir(p) => p,
            RtcpPacket::Feedback(p) => p,
            RtcpPacket::ExtendedReport(p) => p,
            RtcpPacket::Unknown(p) => p,
        }
    }
}

impl RtcpWrite for RtcpPacket<'_> {
    fn packet_type(&self) -> u8 {
        self.as_write().packet_type()
    }
    fn count(&self) -> u8 {
        self.as_write().count()
    }
    fn body_len(&self) -> usize {
        self.as_write().body_len()
    }
    fn check(&self) -> Result<(), RtcpBuildError> {
        self.as_write().check()
    }
    fn write_body(&self, out: &mut [u8]) {
        self.as_write().write_body(out)
    }
    fn has_cname(&self) -> bool {
        self.as_write().has_cname()
    }
}

/// A validated compound RTCP datagram; iterating yields its packets by type.
///
/// [`Compound::parse`] checks the framing of the whole datagram first ([RFC 3550 A.2]):
/// each packet has version 2 and a length within the datagram, the lengths add up to the
/// datagram's, only the last packet has padding, and (in [`ValidationMode::Strict`]) the
/// first is an SR or RR. The body of each packet is interpreted as the iteration reaches
/// it; a malformed body yields an error for that packet and the iteration goes on with the
/// next (framing is already known good).
///
/// [RFC 3550 A.2]: https://www.rfc-editor.org/rfc/rfc3550#appendix-A.2
#[derive(Debug, Clone)]
pub struct Compound<'a> {
    /// The datagram, whose framing [`Compound::parse`] checked.
    data: &'a [u8],
    /// Offset of the next packet.
    pos: usize,
}

impl<'a> Compound<'a> {
    /// Validates the framing of `data` as a compound packet.
    pub fn parse(data: &'a [u8], mode: ValidationMode) -> Result<Compound<'a>, RtcpError> {
        let (mut head, mut len) = check_frame(data, 0).map_err(|e| match data {
            [] => RtcpError::Empty,
            _ => e,
        })?;
        if mode == ValidationMode::Strict && !matches!(head[1], packet_type::SR | packet_type::RR) {
            return Err(RtcpError::FirstNotReport {
                packet_type: head[1],
            });
        }
        let mut pos = 0;
        while pos + len < data.len() {
            let next = check_frame(data, pos + len)?;
            // Padding only on the last packet (reported once the next packet's framing
            // is known good).
            if head[0] & 0x20 != 0 {
                return Err(RtcpError::PaddingNotLast { pos });
            }
            pos += len;
            (head, len) = next;
        }
        Ok(Compound { data, pos: 0 })
    }

    /// The packets' framing, for callers that want offsets or padding.
    pub fn raw(&self) -> RawPackets<'a> {
        RawPackets {
            data: self.data,
            pos: self.pos,
            failed: false,
        }
    }
}

impl<'a> Iterator for Compound<'a> {
    type Item = Result<RtcpPacket<'a>, RtcpError>;
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        // The framing is known good: read it without checking it again.
        let pos = self.pos;
        let rest = self.data.get(pos..)?;
        let head = *rest.first_chunk::<4>()?;
        let len = 4 * (usize::from(u16::from_be_bytes([head[2], head[3]])) + 1);
        let bytes = rest.get(..len)?;
        self.pos = pos + len;
        Some(parse_body(
            head[1],
            head[0] & 0x1f,
            frame_body(head, bytes),
            pos,
        ))
    }
}

impl FusedIterator for Compound<'_> {}

/// Writes a compound RTCP datagram into a caller's buffer
/// ([RFC 3550 §6.1](https://www.rfc-editor.org/rfc/rfc3550#section-6.1)).
///
/// In [`ValidationMode::Strict`] the first packet must be an SR or RR, and
/// [`CompoundWriter::finish`] fails unless an SDES with a CNAME was written.
///
/// ```
/// use rtsp_proto::rtcp::*;
/// use rtsp_proto::rtp::Ssrc;
/// let rr = ReceiverReport { ssrc: Ssrc(1), report_blocks: Items::empty(), extension: &[] };
/// let items = [SdesItem::cname(b"me@host")];
/// let chunks = [SdesChunk { ssrc: Ssrc(1), items: SdesItems::from_slice(&items) }];
/// let sdes = SourceDescription { chunks: SdesChunks::from_slice(&chunks) };
/// let mut buf = [0u8; 128];
/// let mut w = CompoundWriter::new(&mut buf, ValidationMode::Strict);
/// w.push(&rr)?;
/// w.push(&sdes)?;
/// let n = w.finish()?;
/// assert_eq!(Compound::parse(&buf[..n], ValidationMode::Strict).unwrap().count(), 2);
/// # Ok::<(), RtcpBuildError>(())
/// ```
#[derive(Debug)]
pub struct CompoundWriter<'b> {
    out: &'b mut [u8],
    len: usize,
    mode: ValidationMode,
    count: usize,
    has_cname: bool,
}

impl<'b> CompoundWriter<'b> {
    /// A writer filling `out` from its start.
    pub fn new(out: &'b mut [u8], mode: ValidationMode) -> CompoundWriter<'b> {
        CompoundWriter {
            out,
            len: 0,
            mode,
            count: 0,
            has_cname: false,
        }
    }

    /// Appends one packet without padding.
    pub fn push<P: RtcpWrite + ?Sized>(&mut self, packet: &P) -> Result<&mut Self, RtcpBuildError> {
        self.push_padded(packet, 0)
    }

    /// Appends one packet with `padding` octets (a multiple of 4, at most 252); only the
    /// last packet of a compound may be padded, so push nothing after it.
    pub fn push_padded<P: RtcpWrite + ?Sized>(
        &mut self,
        packet: &P,
        padding: usize,
    ) -> Result<&mut Self, RtcpBuildError> {
        if self.count == 0
            && self.mode == ValidationMode::Strict
            && !matches!(packet.packet_type(), packet_type::SR | packet_type::RR)
        {
            return Err(RtcpBuildError::FirstNotReport {
                packet_type: packet.packet_type(),
            });
        }
        let out = self.out.get_mut(self.len..).unwrap_or_default();
        let n = write_packet(packet, padding, out).map_err(|e| match e {
            RtcpBuildError::BufferTooSmall { needed, .. } => RtcpBuildError::BufferTooSmall {
                needed: self.len + needed,
                available: self.out.len(),
            },
            e => e,
        })?;
        self.len += n;
        self.count += 1;
        self.has_cname |= packet.has_cname();
        Ok(self)
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Checks the compound rules and returns its length.
    pub fn finish(self) -> Result<usize, RtcpBuildError> {
        if self.count == 0 {
            return Err(RtcpBuildError::Empty);
        }
        if self.mode == ValidationMode::Strict && !self.has_cname {
            return Err(RtcpBuildError::MissingCname);
        }
        Ok(self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtcp::Items;
    use crate::rtp::Ssrc;

    const FFMPEG_RR: [u8; 8] = [0x80, 0xc9, 0x00, 0x01, 0, 0, 0, 0];

    #[test]
    fn framing_errors() {
        assert_eq!(
            Compound::parse(&[], ValidationMode::Strict).err(),
            Some(RtcpError::Empty)
        );
        assert_eq!(
            Compound::parse(&FFMPEG_RR[..7], ValidationMode::Strict).err(),
            Some(RtcpError::Length {
                pos: 0,
                words: 1,
                available: 7
            })
        );
        let mut two = [FFMPEG_RR, FFMPEG_RR].concat();
        two.push(0x80);
        assert_eq!(
            Compound::parse(&two, ValidationMode::Strict).err(),
            Some(RtcpError::TooShort {
                pos: 16,
                available: 1
            })
        );
        two.pop();
        two[0] = 0xa0;
        two[7] = 4;
        assert_eq!(
            Compound::parse(&two, ValidationMode::Strict).err(),
            Some(RtcpError::PaddingNotLast { pos: 0 })
        );
        two[8] = 0x40;
        assert_eq!(
            Compound::parse(&two[8..], ValidationMode::Strict).err(),
            Some(RtcpError::Version { pos: 0, version: 1 })
        );
        // Padding count larger than the body.
        let p = [0xa0, 0xc9, 0x00, 0x01, 0, 0, 0, 5];
        assert_eq!(
            Compound::parse(&p, ValidationMode::Strict).err(),
            Some(RtcpError::Padding { pos: 0, count: 5 })
        );
    }

    #[test]
    fn reduced_size_pli() {
        let pli = Pli {
            sender_ssrc: Ssrc(1),
            media_ssrc: Ssrc(2),
        };
        let mut buf = [0u8; 12];
        pli.write(&mut buf).unwrap();
        assert_eq!(
            Compound::parse(&buf, ValidationMode::Strict).err(),
            Some(RtcpError::FirstNotReport { packet_type: 206 })
        );
        let c: Vec<_> = Compound::parse(&buf, ValidationMode::ReducedSize)
            .unwrap()
            .collect();
        assert_eq!(c, vec![Ok(RtcpPacket::Pli(pli))]);
        let mut w = CompoundWriter::new(&mut buf, ValidationMode::Strict);
        assert_eq!(
            w.push(&pli).err(),
            Some(RtcpBuildError::FirstNotReport { packet_type: 206 })
        );
        let mut w = CompoundWriter::new(&mut buf, ValidationMode::ReducedSize);
        w.push(&pli).unwrap();
        assert_eq!(w.finish(), Ok(12));
    }

    #[test]
    fn unknown_kept_and_bad_body_skipped() {
        let rr = ReceiverReport {
            ssrc: Ssrc(1),
            report_blocks: Items::empty(),
            extension: &[],
        };
        let unknown = UnknownPacket {
            packet_type: 199,
            count: 3,
            body: &[1, 2, 3, 4],
        };
        let bad_bye = UnknownPacket {
            packet_type: 203,
            count: 2,
            body: &[0, 0, 0, 1],
        };
        let mut buf = [0u8; 64];
        let mut w = CompoundWriter::new(&mut buf, ValidationMode::Strict);
        w.push(&rr)
            .unwrap()
            .push(&bad_bye)
            .unwrap()
            .push_padded(&unknown, 8)
            .unwrap();
        assert_eq!(w.len(), 8 + 8 + 16);
        assert_eq!(w.finish(), Err(RtcpBuildError::MissingCname));
        let c: Vec<_> = Compound::parse(&buf[..32], ValidationMode::Strict)
            .unwrap()
            .collect();
        assert_eq!(c.len(), 3);
        assert_eq!(c[0], Ok(RtcpPacket::ReceiverReport(rr)));
        assert!(matches!(
            c[1],
            Err(RtcpError::Body {
                pos: 8,
                packet_type: 203,
                ..
            })
        ));
        assert_eq!(c[2], Ok(RtcpPacket::Unknown(unknown)));
        let raw: Vec<_> = Compound::parse(&buf[..32], ValidationMode::Strict)
            .unwrap()
            .raw()
            .collect();
        assert_eq!(raw[2].as_ref().unwrap().padding_len(), 8);
    }
}
