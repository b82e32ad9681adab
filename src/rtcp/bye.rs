//! Goodbye, BYE ([RFC 3550 §6.6](https://www.rfc-editor.org/rfc/rfc3550#section-6.6)).

use super::{packet_type, Items, RtcpBuildError, RtcpError, RtcpWrite, WireItem};
use crate::rtp::Ssrc;

/// A BYE packet: the sources leaving, and an optional reason.
///
/// ```
/// use rtsp_proto::rtcp::{Goodbye, Items, RtcpWrite};
/// use rtsp_proto::rtp::Ssrc;
/// let bye = Goodbye { sources: Items::from_slice(&[Ssrc(9)]), reason: Some(b"teardown") };
/// let mut buf = [0u8; 32];
/// assert_eq!(bye.write(&mut buf)?, 20);
/// # Ok::<(), rtsp_proto::rtcp::RtcpBuildError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Goodbye<'a> {
    /// The SSRC/CSRC identifiers leaving (at most 31).
    pub sources: Items<'a, Ssrc>,
    /// Reason for leaving (at most 255 bytes, UTF-8 per the RFC, not checked).
    pub reason: Option<&'a [u8]>,
}

impl<'a> Goodbye<'a> {
    #[inline]
    pub(crate) fn parse(count: u8, body: &'a [u8], pos: usize) -> Result<Self, RtcpError> {
        let err = |what| RtcpError::Body {
            pos,
            packet_type: packet_type::BYE,
            what,
        };
        let (ssrcs, rest) = body
            .split_at_checked(usize::from(count) * Ssrc::SIZE)
            .ok_or(err("bye ssrc list"))?;
        let reason = match rest.split_first() {
            None => None,
            Some((&len, text)) => {
                let (reason, pad) = text
                    .split_at_checked(usize::from(len))
                    .ok_or(err("bye reason"))?;
                // Only the nulls up to the next 32-bit boundary may follow.
                if pad.len() >= 4 {
                    return Err(err("bye reason"));
                }
                Some(reason)
            }
        };
        Ok(Goodbye {
            sources: Items::from_raw(ssrcs),
            reason,
        })
    }
}

impl RtcpWrite for Goodbye<'_> {
    fn packet_type(&self) -> u8 {
        packet_type::BYE
    }
    fn count(&self) -> u8 {
        self.sources.len() as u8
    }
    fn body_len(&self) -> usize {
        self.sources.byte_len() + self.reason.map_or(0, |r| (1 + r.len()).div_ceil(4) * 4)
    }
    fn check(&self) -> Result<(), RtcpBuildError> {
        if self.sources.len() > 31 {
            return Err(RtcpBuildError::TooMany {
                what: "bye sources",
                count: self.sources.len(),
                max: 31,
            });
        }
        if let Some(r) = self.reason.filter(|r| r.len() > 255) {
            return Err(RtcpBuildError::TooMany {
                what: "bye reason bytes",
                count: r.len(),
                max: 255,
            });
        }
        Ok(())
    }
    fn write_body(&self, out: &mut [u8]) {
        let n = self.sources.byte_len();
        self.sources.write(out.get_mut(..n).unwrap_or_default());
        if let Some(reason) = self.reason {
            let rest = out.get_mut(n..).unwrap_or_default();
            rest.fill(0);
            if let Some(l) = rest.first_mut() {
                *l = reason.len() as u8;
            }
            super::put_bytes(rest, 1, reason);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        for reason in [None, Some(&b""[..]), Some(&b"abc"[..]), Some(&b"abcd"[..])] {
            let ssrcs = [Ssrc(1), Ssrc(2)];
            let bye = Goodbye {
                sources: Items::from_slice(&ssrcs),
                reason,
            };
            let mut buf = [0u8; 64];
            let n = bye.write(&mut buf).unwrap();
            assert_eq!(n % 4, 0);
            assert_eq!(Goodbye::parse(2, &buf[4..n], 0).unwrap(), bye);
        }
        assert!(Goodbye::parse(2, &[0; 4], 0).is_err());
        assert!(Goodbye::parse(0, &[5, b'a', 0, 0], 0).is_err());
        assert!(Goodbye::parse(0, &[0, 0, 0, 0, 0, 0, 0, 0], 0).is_err());
    }
}
