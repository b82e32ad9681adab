//! Feedback messages: the common format of
//! [RFC 4585 §6.1](https://www.rfc-editor.org/rfc/rfc4585#section-6.1), generic NACK
//! (§6.2.1), PLI (§6.3.1), and FIR ([RFC 5104 §4.3.1](https://www.rfc-editor.org/rfc/rfc5104#section-4.3.1)).

use super::{be32, packet_type, put32, Items, RtcpBuildError, RtcpError, RtcpWrite, WireItem};
use crate::rtp::Ssrc;

/// FMT of a generic NACK in an RTPFB packet.
pub(crate) const FMT_NACK: u8 = 1;
/// FMT of a PLI in a PSFB packet.
pub(crate) const FMT_PLI: u8 = 1;
/// FMT of a FIR in a PSFB packet.
pub(crate) const FMT_FIR: u8 = 4;

/// A feedback message of a type without its own struct (RTPFB or PSFB with another FMT,
/// e.g. TMMBR, SLI, RPSI, REMB), kept with its raw FCI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Feedback<'a> {
    /// [`packet_type::RTPFB`] or [`packet_type::PSFB`].
    pub packet_type: u8,
    /// The feedback message type (5 bits).
    pub fmt: u8,
    /// SSRC of the packet sender.
    pub sender_ssrc: Ssrc,
    /// SSRC of the media source.
    pub media_ssrc: Ssrc,
    /// Feedback control information, a multiple of 4 bytes.
    pub fci: &'a [u8],
}

fn split_common(body: &[u8], pos: usize, pt: u8) -> Result<(Ssrc, Ssrc, &[u8]), RtcpError> {
    let Some((head, fci)) = body.split_first_chunk::<8>() else {
        return Err(RtcpError::Body {
            pos,
            packet_type: pt,
            what: "feedback header",
        });
    };
    Ok((Ssrc(be32(head, 0)), Ssrc(be32(head, 4)), fci))
}

fn write_common(out: &mut [u8], sender: Ssrc, media: Ssrc) {
    put32(out, 0, sender.0);
    put32(out, 4, media.0);
}

impl<'a> Feedback<'a> {
    pub(crate) fn parse(pt: u8, fmt: u8, body: &'a [u8], pos: usize) -> Result<Self, RtcpError> {
        let (sender_ssrc, media_ssrc, fci) = split_common(body, pos, pt)?;
        Ok(Feedback {
            packet_type: pt,
            fmt,
            sender_ssrc,
            media_ssrc,
            fci,
        })
    }
}

impl RtcpWrite for Feedback<'_> {
    fn packet_type(&self) -> u8 {
        self.packet_type
    }
    fn count(&self) -> u8 {
        self.fmt
    }
    fn body_len(&self) -> usize {
        8 + self.fci.len()
    }
    fn check(&self) -> Result<(), RtcpBuildError> {
        if self.fmt > 31 {
            return Err(RtcpBuildError::TooMany {
                what: "feedback fmt",
                count: usize::from(self.fmt),
                max: 31,
            });
        }
        if !self.fci.len().is_multiple_of(4) {
            return Err(RtcpBuildError::NotAligned {
                what: "fci",
                len: self.fci.len(),
            });
        }
        Ok(())
    }
    fn write_body(&self, out: &mut [u8]) {
        write_common(out, self.sender_ssrc, self.media_ssrc);
        super::put_bytes(out, 8, self.fci);
    }
}

/// One generic NACK entry: a lost packet `pid` and a bitmask of the 16 following ones
/// ([RFC 4585 §6.2.1](https://www.rfc-editor.org/rfc/rfc4585#section-6.2.1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NackEntry {
    /// The sequence number of a lost packet.
    pub pid: u16,
    /// Bit `i` set: packet `pid + i + 1` is lost too.
    pub blp: u16,
}

impl WireItem for NackEntry {
    const SIZE: usize = 4;
    #[inline]
    fn decode(b: &[u8]) -> Self {
        let v = be32(b, 0);
        NackEntry {
            pid: (v >> 16) as u16,
            blp: v as u16,
        }
    }
    #[inline]
    fn encode(&self, out: &mut [u8]) {
        put32(out, 0, (u32::from(self.pid) << 16) | u32::from(self.blp));
    }
}

impl NackEntry {
    /// The sequence numbers this entry reports lost, in order.
    pub fn lost(self) -> impl Iterator<Item = u16> {
        std::iter::once(self.pid).chain(
            (0..16u16)
                .filter(move |i| self.blp & (1 << i) != 0)
                .map(move |i| self.pid.wrapping_add(i + 1)),
        )
    }

    /// Packs lost sequence numbers (in increasing order, wrapping allowed) into as few
    /// entries as consecutive runs allow.
    ///
    /// ```
    /// use rtsp_proto::rtcp::NackEntry;
    /// let e: Vec<_> = NackEntry::pack([65535, 0, 3, 40]).collect();
    /// assert_eq!(e, [NackEntry { pid: 65535, blp: 0b1001 }, NackEntry { pid: 40, blp: 0 }]);
    /// ```
    pub fn pack<I: IntoIterator<Item = u16>>(lost: I) -> impl Iterator<Item = NackEntry> {
        let mut it = lost.into_iter().peekable();
        std::iter::from_fn(move || {
            let pid = it.next()?;
            let mut blp = 0u16;
            while let Some(&s) = it.peek() {
                let d = s.wrapping_sub(pid);
                if (1..=16).contains(&d) {
                    blp |= 1 << (d - 1);
                    it.next();
                } else {
                    break;
                }
            }
            Some(NackEntry { pid, blp })
        })
    }
}

/// A generic NACK (RTPFB, FMT 1; [RFC 4585 §6.2.1](https://www.rfc-editor.org/rfc/rfc4585#section-6.2.1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nack<'a> {
    /// SSRC of the packet sender.
    pub sender_ssrc: Ssrc,
    /// SSRC of the media source whose packets are lost.
    pub media_ssrc: Ssrc,
    /// The entries (at least one in a valid packet).
    pub entries: Items<'a, NackEntry>,
}

impl<'a> Nack<'a> {
    pub(crate) fn parse(body: &'a [u8], pos: usize) -> Result<Self, RtcpError> {
        let (sender_ssrc, media_ssrc, fci) = split_common(body, pos, packet_type::RTPFB)?;
        Ok(Nack {
            sender_ssrc,
            media_ssrc,
            entries: Items::from_raw(fci),
        })
    }

    /// Every sequence number reported lost, entry by entry.
    pub fn lost(&self) -> impl Iterator<Item = u16> + 'a {
        self.entries.iter().flat_map(NackEntry::lost)
    }
}

impl RtcpWrite for Nack<'_> {
    fn packet_type(&self) -> u8 {
        packet_type::RTPFB
    }
    fn count(&self) -> u8 {
        FMT_NACK
    }
    fn body_len(&self) -> usize {
        8 + self.entries.byte_len()
    }
    fn check(&self) -> Result<(), RtcpBuildError> {
        Ok(())
    }
    fn write_body(&self, out: &mut [u8]) {
        write_common(out, self.sender_ssrc, self.media_ssrc);
        self.entries.write(out.get_mut(8..).unwrap_or_default());
    }
}

/// A picture loss indication (PSFB, FMT 1; [RFC 4585 §6.3.1](https://www.rfc-editor.org/rfc/rfc4585#section-6.3.1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pli {
    /// SSRC of the packet sender.
    pub sender_ssrc: Ssrc,
    /// SSRC of the media source.
    pub media_ssrc: Ssrc,
}

impl RtcpWrite for Pli {
    fn packet_type(&self) -> u8 {
        packet_type::PSFB
    }
    fn count(&self) -> u8 {
        FMT_PLI
    }
    fn body_len(&self) -> usize {
        8
    }
    fn check(&self) -> Result<(), RtcpBuildError> {
        Ok(())
    }
    fn write_body(&self, out: &mut [u8]) {
        write_common(out, self.sender_ssrc, self.media_ssrc);
    }
}

/// One FIR entry ([RFC 5104 §4.3.1.1](https://www.rfc-editor.org/rfc/rfc5104#section-4.3.1.1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FirEntry {
    /// The media sender asked for a decoder refresh point.
    pub ssrc: Ssrc,
    /// Command sequence number, incremented per new request.
    pub seq: u8,
}

impl WireItem for FirEntry {
    const SIZE: usize = 8;
    #[inline]
    fn decode(b: &[u8]) -> Self {
        FirEntry {
            ssrc: Ssrc(be32(b, 0)),
            seq: b.get(4).copied().unwrap_or(0),
        }
    }
    #[inline]
    fn encode(&self, out: &mut [u8]) {
        put32(out, 0, self.ssrc.0);
        put32(out, 4, u32::from(self.seq) << 24);
    }
}

/// A full intra request (PSFB, FMT 4; [RFC 5104 §4.3.1](https://www.rfc-editor.org/rfc/rfc5104#section-4.3.1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fir<'a> {
    /// SSRC of the packet sender.
    pub sender_ssrc: Ssrc,
    /// SSRC of the media source (0 per RFC 5104; kept as sent).
    pub media_ssrc: Ssrc,
    /// The requests, one per media sender.
    pub entries: Items<'a, FirEntry>,
}

impl RtcpWrite for Fir<'_> {
    fn packet_type(&self) -> u8 {
        packet_type::PSFB
    }
    fn count(&self) -> u8 {
        FMT_FIR
    }
    fn body_len(&self) -> usize {
        8 + self.entries.byte_len()
    }
    fn check(&self) -> Result<(), RtcpBuildError> {
        Ok(())
    }
    fn write_body(&self, out: &mut [u8]) {
        write_common(out, self.sender_ssrc, self.media_ssrc);
        self.entries.write(out.get_mut(8..).unwrap_or_default());
    }
}

/// The typed form of a PSFB packet body: PLI, FIR, or the generic [`Feedback`] when the
/// FMT is another one or the FCI does not have the layout of its FMT.
pub(crate) enum Psfb<'a> {
    Pli(Pli),
    Fir(Fir<'a>),
    Other(Feedback<'a>),
}

pub(crate) fn parse_psfb(fmt: u8, body: &[u8], pos: usize) -> Result<Psfb<'_>, RtcpError> {
    let (sender_ssrc, media_ssrc, fci) = split_common(body, pos, packet_type::PSFB)?;
    Ok(match fmt {
        FMT_PLI if fci.is_empty() => Psfb::Pli(Pli {
            sender_ssrc,
            media_ssrc,
        }),
        FMT_FIR if fci.len().is_multiple_of(FirEntry::SIZE) => Psfb::Fir(Fir {
            sender_ssrc,
            media_ssrc,
            entries: Items::from_raw(fci),
        }),
        _ => Psfb::Other(Feedback {
            packet_type: packet_type::PSFB,
            fmt,
            sender_ssrc,
            media_ssrc,
            fci,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nack_lost_and_pack() {
        let e = NackEntry {
            pid: 100,
            blp: 0b1000_0000_0000_0101,
        };
        assert_eq!(e.lost().collect::<Vec<_>>(), vec![100, 101, 103, 116]);
        let packed: Vec<_> = NackEntry::pack([100, 101, 103, 116, 117]).collect();
        assert_eq!(
            packed,
            vec![
                NackEntry {
                    pid: 100,
                    blp: 0b1000_0000_0000_0101
                },
                NackEntry { pid: 117, blp: 0 }
            ]
        );
        let entries = [e, NackEntry { pid: 65535, blp: 1 }];
        let nack = Nack {
            sender_ssrc: Ssrc(1),
            media_ssrc: Ssrc(2),
            entries: Items::from_slice(&entries),
        };
        assert_eq!(
            nack.lost().collect::<Vec<_>>(),
            vec![100, 101, 103, 116, 65535, 0]
        );
        let mut buf = [0u8; 20];
        assert_eq!(nack.write(&mut buf), Ok(20));
        assert_eq!(&buf[..4], &[0x81, 205, 0, 4]);
        assert_eq!(Nack::parse(&buf[4..], 0).unwrap(), nack);
    }

    #[test]
    fn psfb_kinds() {
        let pli = Pli {
            sender_ssrc: Ssrc(1),
            media_ssrc: Ssrc(2),
        };
        let mut buf = [0u8; 32];
        assert_eq!(pli.write(&mut buf), Ok(12));
        assert!(matches!(parse_psfb(1, &buf[4..12], 0), Ok(Psfb::Pli(p)) if p == pli));
        let fir_entries = [FirEntry {
            ssrc: Ssrc(9),
            seq: 7,
        }];
        let fir = Fir {
            sender_ssrc: Ssrc(1),
            media_ssrc: Ssrc(0),
            entries: Items::from_slice(&fir_entries),
        };
        assert_eq!(fir.write(&mut buf), Ok(20));
        assert_eq!(&buf[12..20], &[0, 0, 0, 9, 7, 0, 0, 0]);
        assert!(matches!(parse_psfb(4, &buf[4..20], 0), Ok(Psfb::Fir(f)) if f == fir));
        // REMB-like FMT 15 stays generic; a PLI with an FCI too.
        assert!(matches!(parse_psfb(15, &buf[4..20], 0), Ok(Psfb::Other(f)) if f.fmt == 15));
        assert!(matches!(parse_psfb(1, &buf[4..20], 0), Ok(Psfb::Other(_))));
        assert!(parse_psfb(1, &buf[4..8], 0).is_err());
    }
}
