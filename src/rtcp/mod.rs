//! RTCP packets: parsing and building ([RFC 3550 §6], [RFC 4585], [RFC 5104], [RFC 3611],
//! [RFC 5506]).
//!
//! Every packet type is one struct that serves both ways: [`RtcpPacket::parse`] (or
//! [`Compound`] for a whole datagram) returns views that borrow the datagram, and the same
//! structs, filled from the caller's values, implement [`RtcpWrite`] to write themselves
//! into a caller's buffer. Lists inside packets ([`ReportBlock`]s, SDES chunks, NACK
//! entries, XR blocks, ...) are [`Items`]-like iterators over either the wire bytes or a
//! caller's slice, so neither direction allocates.
//!
//! | type | struct |
//! |---|---|
//! | 200 SR | [`SenderReport`] |
//! | 201 RR | [`ReceiverReport`] |
//! | 202 SDES | [`SourceDescription`] |
//! | 203 BYE | [`Goodbye`] |
//! | 204 APP | [`App`] |
//! | 205 RTPFB | [`Nack`] (FMT 1), other FMTs as [`Feedback`] |
//! | 206 PSFB | [`Pli`] (FMT 1), [`Fir`] (FMT 4), other FMTs as [`Feedback`] |
//! | 207 XR | [`ExtendedReport`] |
//! | others | [`UnknownPacket`] (kept, not dropped) |
//!
//! ```
//! use rtsp_proto::rtcp::{Compound, RtcpPacket, ValidationMode};
//! // A GStreamer SR + SDES compound from the corpus.
//! let bytes = [
//!     0x80, 0xc8, 0x00, 0x06, 0xb3, 0x7f, 0x05, 0xe8, 0xee, 0xb1, 0xa4, 0x72, 0xa9, 0xbd,
//!     0xb5, 0xd8, 0x74, 0x6b, 0x3c, 0xc7, 0x00, 0x00, 0x00, 0xbb, 0x00, 0x01, 0x9b, 0x98,
//!     0x81, 0xca, 0x00, 0x03, 0xb3, 0x7f, 0x05, 0xe8, 0x01, 0x03, b'a', b'b', b'c', 0x00,
//!     0x00, 0x00,
//! ];
//! let compound = Compound::parse(&bytes, ValidationMode::Strict)?;
//! for packet in compound {
//!     match packet? {
//!         RtcpPacket::SenderReport(sr) => assert_eq!(sr.info.packet_count, 0xbb),
//!         RtcpPacket::SourceDescription(sdes) => {
//!             assert_eq!(sdes.cname(), Some(&b"abc"[..]))
//!         }
//!         other => panic!("unexpected {other:?}"),
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [RFC 3550 §6]: https://www.rfc-editor.org/rfc/rfc3550#section-6
//! [RFC 4585]: https://www.rfc-editor.org/rfc/rfc4585
//! [RFC 5104]: https://www.rfc-editor.org/rfc/rfc5104
//! [RFC 3611]: https://www.rfc-editor.org/rfc/rfc3611
//! [RFC 5506]: https://www.rfc-editor.org/rfc/rfc5506

mod app;
mod bye;
mod compound;
mod feedback;
mod items;
mod report;
mod sdes;
mod sr_rr;
mod xr;

pub use app::App;
pub use bye::Goodbye;
pub use compound::{
    Compound, CompoundWriter, RawPacket, RawPackets, RtcpPacket, UnknownPacket, ValidationMode,
};
pub use feedback::{Feedback, Fir, FirEntry, Nack, NackEntry, Pli};
pub use items::{Items, ItemsIter, WireItem};
pub use report::{write_report, ReportConfig, RtcpInterval};
pub use sdes::{SdesChunk, SdesChunks, SdesItem, SdesItems, SdesType, SourceDescription};
pub use sr_rr::{ReceiverReport, ReportBlock, SenderInfo, SenderReport};
pub use xr::{DlrrItem, ExtendedReport, XrBlock, XrBlocks};

/// RTCP packet type numbers ([RFC 3550 §12.1](https://www.rfc-editor.org/rfc/rfc3550#section-12.1),
/// [RFC 4585 §6.1](https://www.rfc-editor.org/rfc/rfc4585#section-6.1),
/// [RFC 3611 §2](https://www.rfc-editor.org/rfc/rfc3611#section-2)).
pub mod packet_type {
    /// Sender report.
    pub const SR: u8 = 200;
    /// Receiver report.
    pub const RR: u8 = 201;
    /// Source description.
    pub const SDES: u8 = 202;
    /// Goodbye.
    pub const BYE: u8 = 203;
    /// Application-defined.
    pub const APP: u8 = 204;
    /// Transport-layer feedback.
    pub const RTPFB: u8 = 205;
    /// Payload-specific feedback.
    pub const PSFB: u8 = 206;
    /// Extended report.
    pub const XR: u8 = 207;
}

/// An RTCP datagram the peer sent is malformed ([RFC 3550 A.2](https://www.rfc-editor.org/rfc/rfc3550#appendix-A.2)).
///
/// `pos` is the byte offset in the datagram. The datagram is to be dropped (and counted);
/// it never ends a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RtcpError {
    /// Fewer than 4 bytes where a packet header should be.
    #[error("byte {pos}: rtcp header cut short ({available} bytes left)")]
    TooShort {
        /// Offset of the header.
        pos: usize,
        /// Bytes left.
        available: usize,
    },
    /// The version field is not 2.
    #[error("byte {pos}: rtcp version {version}, expected 2")]
    Version {
        /// Offset of the packet.
        pos: usize,
        /// The version field.
        version: u8,
    },
    /// The length field runs past the end of the datagram.
    #[error("byte {pos}: packet of {words} words plus header exceeds the {available} bytes left")]
    Length {
        /// Offset of the packet.
        pos: usize,
        /// The length field.
        words: u16,
        /// Bytes left from `pos`.
        available: usize,
    },
    /// The padding count is zero, not a multiple of 4 (the body before the padding is
    /// 32-bit aligned in every packet type) or larger than the packet body.
    #[error("byte {pos}: padding count {count} is zero, unaligned or exceeds the packet body")]
    Padding {
        /// Offset of the packet.
        pos: usize,
        /// The padding count.
        count: u8,
    },
    /// The body of a packet does not match its type's layout.
    #[error("byte {pos}: invalid {what} in rtcp packet type {packet_type}")]
    Body {
        /// Offset of the packet.
        pos: usize,
        /// The packet type.
        packet_type: u8,
        /// What is wrong, e.g. "report blocks", "sdes item".
        what: &'static str,
    },
    /// A compound packet whose first packet is not an SR or RR (strict mode).
    #[error("byte 0: compound starts with packet type {packet_type}, not SR or RR")]
    FirstNotReport {
        /// The first packet's type.
        packet_type: u8,
    },
    /// The padding bit is set on a packet that is not the last of the compound.
    #[error("byte {pos}: padding on a packet that is not the last")]
    PaddingNotLast {
        /// Offset of the packet.
        pos: usize,
    },
    /// An empty datagram.
    #[error("empty rtcp datagram")]
    Empty,
}

/// A packet the caller asked to write cannot be written. Caller misuse (or a short
/// buffer), never the peer's doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RtcpBuildError {
    /// The output buffer is too small.
    #[error("packet needs {needed} bytes, buffer has {available}")]
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
    /// More items than the packet's count or length field can hold.
    #[error("{count} {what} exceed the limit of {max}")]
    TooMany {
        /// What there are too many of.
        what: &'static str,
        /// How many were given.
        count: usize,
        /// The most allowed.
        max: usize,
    },
    /// A field whose length must be a multiple of 4 bytes is not.
    #[error("{what} of {len} bytes is not a multiple of 4")]
    NotAligned {
        /// The field.
        what: &'static str,
        /// Its length.
        len: usize,
    },
    /// Padding that would not keep the packet a multiple of 4 bytes, or zero-length padding.
    #[error("padding of {len} bytes does not keep the packet 32-bit aligned")]
    Padding {
        /// The padding length asked for.
        len: usize,
    },
    /// A compound packet must start with an SR or RR ([RFC 3550 §6.1](https://www.rfc-editor.org/rfc/rfc3550#section-6.1)).
    #[error("compound must start with SR or RR, not packet type {packet_type}")]
    FirstNotReport {
        /// The type written first.
        packet_type: u8,
    },
    /// A compound packet must include an SDES CNAME ([RFC 3550 §6.1](https://www.rfc-editor.org/rfc/rfc3550#section-6.1)).
    #[error("compound has no sdes cname")]
    MissingCname,
    /// Nothing written.
    #[error("empty compound")]
    Empty,
}

/// A value that can be written as one RTCP packet: the [RFC 3550 §6.4.1] common header
/// followed by a body that is a multiple of 4 bytes.
///
/// [RFC 3550 §6.4.1]: https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1
pub trait RtcpWrite {
    /// The packet type field.
    fn packet_type(&self) -> u8;
    /// The 5-bit count (or FMT / subtype) field.
    fn count(&self) -> u8;
    /// Length of the body after the 4-byte header, without padding.
    fn body_len(&self) -> usize;
    /// Checks that the packet can be written (counts and lengths in range).
    fn check(&self) -> Result<(), RtcpBuildError>;
    /// Writes the body into `out`, which is exactly `body_len()` bytes long.
    fn write_body(&self, out: &mut [u8]);
    /// Whether this packet carries an SDES CNAME (for [`CompoundWriter`]'s check).
    fn has_cname(&self) -> bool {
        false
    }

    /// Length of the packet, header included, without padding.
    fn encoded_len(&self) -> usize {
        4 + self.body_len()
    }

    /// Writes the packet at the start of `out` and returns its length.
    fn write(&self, out: &mut [u8]) -> Result<usize, RtcpBuildError> {
        write_packet(self, 0, out)
    }
}

/// Writes `packet` with `padding` octets (0 for none; otherwise a multiple of 4, the last
/// one holding the count) at the start of `out`, and returns the length.
pub fn write_packet<P: RtcpWrite + ?Sized>(
    packet: &P,
    padding: usize,
    out: &mut [u8],
) -> Result<usize, RtcpBuildError> {
    packet.check()?;
    let body = packet.body_len();
    if !body.is_multiple_of(4) {
        return Err(RtcpBuildError::NotAligned {
            what: "packet body",
            len: body,
        });
    }
    if !padding.is_multiple_of(4) || padding > 255 {
        return Err(RtcpBuildError::Padding { len: padding });
    }
    let needed = 4 + body + padding;
    let words = (needed / 4 - 1) as u64;
    if words > u64::from(u16::MAX) {
        return Err(RtcpBuildError::TooMany {
            what: "words",
            count: words as usize,
            max: usize::from(u16::MAX),
        });
    }
    let available = out.len();
    let Some(out) = out.get_mut(..needed) else {
        return Err(RtcpBuildError::BufferTooSmall { needed, available });
    };
    let too_small = RtcpBuildError::BufferTooSmall { needed, available };
    let (head, rest) = out.split_first_chunk_mut::<4>().ok_or(too_small)?;
    head[0] = 0x80 | (u8::from(padding > 0) << 5) | (packet.count() & 0x1f);
    head[1] = packet.packet_type();
    head[2..4].copy_from_slice(&(words as u16).to_be_bytes());
    let (body_out, pad_out) = rest.split_at_mut_checked(body).ok_or(too_small)?;
    packet.write_body(body_out);
    if let Some((last, filler)) = pad_out.split_last_mut() {
        filler.fill(0);
        *last = padding as u8;
    }
    Ok(needed)
}

#[inline]
pub(crate) fn be32(b: &[u8], at: usize) -> u32 {
    match b.get(at..).and_then(|r| r.first_chunk::<4>()) {
        Some(a) => u32::from_be_bytes(*a),
        None => 0,
    }
}

#[inline]
pub(crate) fn put32(out: &mut [u8], at: usize, v: u32) {
    if let Some(o) = out.get_mut(at..at + 4) {
        o.copy_from_slice(&v.to_be_bytes());
    }
}

#[inline]
pub(crate) fn put_bytes(out: &mut [u8], at: usize, v: &[u8]) {
    if let Some(o) = out.get_mut(at..at + v.len()) {
        o.copy_from_slice(v);
    }
}
