//! RTP packets and per-source receive logic ([RFC 3550], [RFC 8285]).
//!
//! - [`RtpPacket`] is a zero-copy view that validates a datagram once and then reads every
//!   header field, the CSRC list, the header [`Extension`] (with an iterator over RFC 8285
//!   elements) and the payload straight from the caller's bytes.
//! - [`RtpBuilder`] writes a packet (CSRCs, extension, padding) into a caller's buffer
//!   without allocating.
//! - [`SeqTracker`] is the sequence-number bookkeeping of [RFC 3550 A.1] (probation, wrap,
//!   restart after a large jump); [`SeqUnwrapper`] and [`TimestampUnwrapper`] extend the
//!   16-bit sequence number and 32-bit timestamp to 64 bits.
//! - [`ReorderBuffer`] puts packets back in order with a bounded size and a bounded wait.
//! - [`ReceiverStats`] and [`SenderStats`] hold what RTCP reports need ([RFC 3550 A.3, A.8]).
//!
//! ```
//! use rtsp_proto::rtp::{PayloadType, RtpBuilder, RtpPacket, Ssrc};
//!
//! let mut buf = [0u8; 64];
//! let n = RtpBuilder::new(PayloadType::from_static(96), 1000, 90_000, Ssrc(0x1234_5678))
//!     .marker(true)
//!     .payload(b"hello")
//!     .write(&mut buf)?;
//! let pkt = RtpPacket::parse(&buf[..n])?;
//! assert_eq!(pkt.sequence_number(), 1000);
//! assert_eq!(pkt.payload(), b"hello");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [RFC 3550]: https://www.rfc-editor.org/rfc/rfc3550
//! [RFC 8285]: https://www.rfc-editor.org/rfc/rfc8285
//! [RFC 3550 A.1]: https://www.rfc-editor.org/rfc/rfc3550#appendix-A.1
//! [RFC 3550 A.3, A.8]: https://www.rfc-editor.org/rfc/rfc3550#appendix-A.3

mod builder;
mod extension;
mod packet;
mod reorder;
mod seq;
mod stats;

pub use builder::{RtpBuildError, RtpBuilder};
pub use extension::{
    Extension, ExtensionElement, ExtensionElements, ExtensionForm, ONE_BYTE_PROFILE,
    TWO_BYTE_PROFILE,
};
pub use packet::{Csrcs, RtpPacket};
pub use reorder::{PushOutcome, ReorderBuffer, ReorderEvent};
pub use seq::{SeqTracker, SeqUnwrapper, SeqUpdate, TimestampUnwrapper};
pub use stats::{ReceiverStats, SenderStats};

use std::fmt;
use std::num::NonZeroUsize;
use std::time::Duration;

pub use crate::Ssrc;

/// A 7-bit RTP payload type ([RFC 3550 §5.1](https://www.rfc-editor.org/rfc/rfc3550#section-5.1),
/// [RFC 3551 §6](https://www.rfc-editor.org/rfc/rfc3551#section-6)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct PayloadType(u8);

impl PayloadType {
    /// A payload type from a constant.
    ///
    /// # Panics
    ///
    /// If `pt` exceeds 127; in a `const` this is a compile-time error. Use
    /// [`PayloadType::try_from`] for values that are not constants.
    pub const fn from_static(pt: u8) -> PayloadType {
        assert!(pt <= 0x7f, "payload type exceeds 127");
        PayloadType(pt)
    }

    /// The payload type as a number in `0..=127`.
    pub const fn get(self) -> u8 {
        self.0
    }

    pub(crate) const fn from_wire(b: u8) -> PayloadType {
        PayloadType(b & 0x7f)
    }
}

impl TryFrom<u8> for PayloadType {
    type Error = RtpBuildError;
    fn try_from(pt: u8) -> Result<Self, Self::Error> {
        if pt <= 0x7f {
            Ok(PayloadType(pt))
        } else {
            Err(RtpBuildError::PayloadType { pt })
        }
    }
}

impl fmt::Display for PayloadType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An extended (unwrapped) RTP sequence number: the 16-bit wire value plus 65,536 times
/// the number of wraps ([RFC 3550 A.1](https://www.rfc-editor.org/rfc/rfc3550#appendix-A.1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SeqNo(pub u64);

impl SeqNo {
    /// The 16-bit sequence number as on the wire.
    pub const fn wire(self) -> u16 {
        self.0 as u16
    }
}

impl fmt::Display for SeqNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Bounds on what a peer can make the RTP layer hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Most packets a [`ReorderBuffer`] holds (default 64). Capped at
    /// [`Limits::MAX_REORDER_PACKETS`].
    pub reorder_packets: NonZeroUsize,
    /// Longest a packet waits in a [`ReorderBuffer`] for an earlier missing one (default
    /// 500 ms).
    pub reorder_wait: Duration,
}

impl Limits {
    /// The largest accepted [`Limits::reorder_packets`]: half the sequence-number space,
    /// beyond which "earlier" and "later" are ambiguous.
    pub const MAX_REORDER_PACKETS: usize = 0x8000;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            reorder_packets: NonZeroUsize::new(64).unwrap_or(NonZeroUsize::MIN),
            reorder_wait: Duration::from_millis(500),
        }
    }
}

/// An RTP packet that does not pass the validity checks of
/// [RFC 3550 §5.1 and A.1](https://www.rfc-editor.org/rfc/rfc3550#appendix-A.1).
///
/// The peer sent garbage: the datagram is to be dropped (and counted), never fatal to a
/// session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RtpError {
    /// Shorter than the 12-byte fixed header.
    #[error("packet of {len} bytes is shorter than the 12-byte rtp header")]
    TooShort {
        /// The datagram length.
        len: usize,
    },
    /// The version field is not 2.
    #[error("byte 0: rtp version {version}, expected 2")]
    Version {
        /// The version field.
        version: u8,
    },
    /// The CSRC list runs past the end of the datagram.
    #[error("byte 12: {count} csrcs do not fit in a {len}-byte packet")]
    Csrcs {
        /// The CSRC count field.
        count: u8,
        /// The datagram length.
        len: usize,
    },
    /// The header extension (its 4-byte header or its declared length) runs past the end.
    #[error("byte {pos}: header extension of {words} words does not fit in a {len}-byte packet")]
    Extension {
        /// Offset of the extension header.
        pos: usize,
        /// The declared length in 32-bit words (0 if even the header is cut).
        words: u16,
        /// The datagram length.
        len: usize,
    },
    /// The padding count is zero or larger than what follows the header.
    #[error("byte {pos}: padding count {count} is zero or exceeds the {available} bytes after the header")]
    Padding {
        /// Offset of the padding count (the last byte).
        pos: usize,
        /// The padding count.
        count: u8,
        /// Bytes between the end of the header and the end of the packet.
        available: usize,
    },
    /// An RFC 8285 extension element runs past the end of the extension.
    #[error("byte {pos} of the extension data: element does not fit")]
    ExtensionElement {
        /// Offset of the element within the extension data.
        pos: usize,
    },
}

#[inline]
pub(crate) fn be16(b: [u8; 2]) -> u16 {
    u16::from_be_bytes(b)
}

/// A fixed origin for unit tests' virtual clocks (the only clock read in the crate, and
/// only under `cfg(test)`).
#[cfg(test)]
#[allow(clippy::disallowed_methods)]
pub(crate) fn test_origin() -> std::time::Instant {
    std::time::Instant::now()
}
