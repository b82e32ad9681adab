//! Application-defined packets, APP ([RFC 3550 §6.7](https://www.rfc-editor.org/rfc/rfc3550#section-6.7)).

use super::{be32, packet_type, put32, RtcpBuildError, RtcpError, RtcpWrite};
use crate::rtp::Ssrc;

/// An APP packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct App<'a> {
    /// The 5-bit subtype.
    pub subtype: u8,
    /// The sender's SSRC.
    pub ssrc: Ssrc,
    /// The four-character name.
    pub name: [u8; 4],
    /// Application data, a multiple of 4 bytes.
    pub data: &'a [u8],
}

impl<'a> App<'a> {
    pub(crate) fn parse(count: u8, body: &'a [u8], pos: usize) -> Result<Self, RtcpError> {
        let Some((head, data)) = body.split_first_chunk::<8>() else {
            return Err(RtcpError::Body {
                pos,
                packet_type: packet_type::APP,
                what: "app header",
            });
        };
        Ok(App {
            subtype: count,
            ssrc: Ssrc(be32(head, 0)),
            name: [head[4], head[5], head[6], head[7]],
            data,
        })
    }
}

impl RtcpWrite for App<'_> {
    fn packet_type(&self) -> u8 {
        packet_type::APP
    }
    fn count(&self) -> u8 {
        self.subtype
    }
    fn body_len(&self) -> usize {
        8 + self.data.len()
    }
    fn check(&self) -> Result<(), RtcpBuildError> {
        if self.subtype > 31 {
            return Err(RtcpBuildError::TooMany {
                what: "app subtype",
                count: usize::from(self.subtype),
                max: 31,
            });
        }
        if !self.data.len().is_multiple_of(4) {
            return Err(RtcpBuildError::NotAligned {
                what: "app data",
                len: self.data.len(),
            });
        }
        Ok(())
    }
    fn write_body(&self, out: &mut [u8]) {
        put32(out, 0, self.ssrc.0);
        super::put_bytes(out, 4, &self.name);
        super::put_bytes(out, 8, self.data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let app = App {
            subtype: 3,
            ssrc: Ssrc(5),
            name: *b"TEST",
            data: &[1, 2, 3, 4],
        };
        let mut buf = [0u8; 16];
        assert_eq!(app.write(&mut buf), Ok(16));
        assert_eq!(&buf[..4], &[0x83, 204, 0, 3]);
        assert_eq!(App::parse(3, &buf[4..], 0).unwrap(), app);
        assert!(App { data: &[1], ..app }.write(&mut buf).is_err());
        assert!(App::parse(0, &[0; 7], 0).is_err());
    }
}
