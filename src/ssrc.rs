//! The RTP synchronization source identifier, shared by the RTSP headers that carry it
//! (`Transport`, `RTP-Info`) and the RTP/RTCP layer.

use std::fmt;

/// An RTP synchronization source identifier ([RFC 3550 §3]). RTSP headers write it as
/// hexadecimal; `Debug` and `Display` do too.
///
/// [RFC 3550 §3]: https://www.rfc-editor.org/rfc/rfc3550#section-3
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Ssrc(pub u32);

impl fmt::Debug for Ssrc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ssrc({:08X})", self.0)
    }
}

impl fmt::Display for Ssrc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08X}", self.0)
    }
}

impl From<u32> for Ssrc {
    fn from(v: u32) -> Ssrc {
        Ssrc(v)
    }
}

impl From<Ssrc> for u32 {
    fn from(v: Ssrc) -> u32 {
        v.0
    }
}
