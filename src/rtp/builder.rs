//! Writing RTP packets into a caller's buffer.

use super::extension::{elements_len, write_elements};
use super::{ExtensionElement, ExtensionForm, PayloadType, RtpPacket, Ssrc};
use bytes::BytesMut;

/// A packet the caller asked [`RtpBuilder`] to write cannot be written.
///
/// This is caller misuse (or a buffer too small), never something a peer caused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RtpBuildError {
    /// The output buffer is too small.
    #[error("packet needs {needed} bytes, buffer has {available}")]
    BufferTooSmall {
        /// Bytes the packet needs.
        needed: usize,
        /// Bytes the buffer has.
        available: usize,
    },
    /// More than 15 CSRCs.
    #[error("{count} csrcs exceed the limit of 15")]
    TooManyCsrcs {
        /// The number given.
        count: usize,
    },
    /// A raw extension body is not a multiple of 4 bytes or exceeds 65,535 words.
    #[error("extension body of {len} bytes is not a multiple of 4 or exceeds 262140 bytes")]
    ExtensionLength {
        /// The body length given.
        len: usize,
    },
    /// An extension element cannot be written in the chosen form (ID or length out of
    /// range, see [`ExtensionForm`]).
    #[error("extension element {index} does not fit the {form:?} form")]
    ExtensionElement {
        /// Index of the offending element.
        index: usize,
        /// The form asked for.
        form: ExtensionForm,
    },
    /// A payload type above 127.
    #[error("payload type {pt} exceeds 127")]
    PayloadType {
        /// The value given.
        pt: u8,
    },
}

#[derive(Debug, Clone, Copy)]
enum CsrcSource<'a> {
    List(&'a [Ssrc]),
    /// 4 bytes per CSRC, as on the wire.
    Raw(&'a [u8]),
}

impl CsrcSource<'_> {
    fn count(&self) -> usize {
        match self {
            CsrcSource::List(l) => l.len(),
            CsrcSource::Raw(r) => r.len() / 4,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum ExtensionSource<'a> {
    None,
    Raw(u16, &'a [u8]),
    Elements(ExtensionForm, &'a [ExtensionElement<'a>]),
}

/// Writes one RTP packet ([RFC 3550 §5.1](https://www.rfc-editor.org/rfc/rfc3550#section-5.1))
/// into a caller's buffer, without allocating.
///
/// The builder only borrows the CSRC list, extension and payload; [`RtpBuilder::write`]
/// copies them into place. Padding octets are zero except the final count octet.
///
/// ```
/// use rtsp_proto::rtp::{ExtensionElement, ExtensionForm, PayloadType, RtpBuilder, RtpPacket, Ssrc};
///
/// let audio_level = [ExtensionElement { id: 1, data: &[0x8a] }];
/// let csrcs = [Ssrc(7), Ssrc(8)];
/// let mut buf = [0u8; 1500];
/// let n = RtpBuilder::new(PayloadType::from_static(111), 7, 960, Ssrc(42))
///     .csrcs(&csrcs)
///     .extension_elements(ExtensionForm::OneByte, &audio_level)
///     .payload(&[0xfc; 40])
///     .padding(4)
///     .write(&mut buf)?;
/// let p = RtpPacket::parse(&buf[..n])?;
/// assert_eq!(p.extension().unwrap().element(1), Some(&[0x8a][..]));
/// assert_eq!(p.csrcs().count(), 2);
/// assert_eq!(p.payload().len(), 40);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
#[must_use]
pub struct RtpBuilder<'a> {
    marker: bool,
    payload_type: PayloadType,
    sequence_number: u16,
    timestamp: u32,
    ssrc: Ssrc,
    csrcs: CsrcSource<'a>,
    extension: ExtensionSource<'a>,
    payload: &'a [u8],
    padding: u8,
}

impl<'a> RtpBuilder<'a> {
    /// A packet with these header fields, no marker, CSRCs, extension, payload or padding.
    pub fn new(
        payload_type: PayloadType,
        sequence_number: u16,
        timestamp: u32,
        ssrc: Ssrc,
    ) -> RtpBuilder<'a> {
        RtpBuilder {
            marker: false,
            payload_type,
            sequence_number,
            timestamp,
            ssrc,
            csrcs: CsrcSource::List(&[]),
            extension: ExtensionSource::None,
            payload: &[],
            padding: 0,
        }
    }

    /// A builder that re-writes `packet`: same header fields, CSRCs, extension (as raw
    /// bytes), payload and padding length. The output equals the input except that padding
    /// octets before the count octet are written as zero.
    pub fn from_packet(packet: &RtpPacket<'a>) -> RtpBuilder<'a> {
        let ext = match packet.extension() {
            Some(e) => ExtensionSource::Raw(e.profile(), e.data()),
            None => ExtensionSource::None,
        };
        RtpBuilder {
            marker: packet.marker(),
            payload_type: packet.payload_type(),
            sequence_number: packet.sequence_number(),
            timestamp: packet.timestamp(),
            ssrc: packet.ssrc(),
            csrcs: CsrcSource::Raw(packet.csrcs().as_bytes()),
            extension: ext,
            payload: packet.payload(),
            padding: u8::try_from(packet.padding_len()).unwrap_or(0),
        }
    }

    /// Sets the marker bit.
    pub fn marker(mut self, marker: bool) -> Self {
        self.marker = marker;
        self
    }

    /// Sets the payload type.
    pub fn payload_type(mut self, pt: PayloadType) -> Self {
        self.payload_type = pt;
        self
    }

    /// Sets the sequence number.
    pub fn sequence_number(mut self, seq: u16) -> Self {
        self.sequence_number = seq;
        self
    }

    /// Sets the timestamp.
    pub fn timestamp(mut self, ts: u32) -> Self {
        self.timestamp = ts;
        self
    }

    /// Sets the SSRC.
    pub fn ssrc(mut self, ssrc: Ssrc) -> Self {
        self.ssrc = ssrc;
        self
    }

    /// Sets the contributing sources (at most 15).
    pub fn csrcs(mut self, csrcs: &'a [Ssrc]) -> Self {
        self.csrcs = CsrcSource::List(csrcs);
        self
    }

    /// Sets a header extension from its profile value and body; the body must be a
    /// multiple of 4 bytes ([RFC 3550 §5.3.1](https://www.rfc-editor.org/rfc/rfc3550#section-5.3.1)).
    pub fn extension_raw(mut self, profile: u16, data: &'a [u8]) -> Self {
        self.extension = ExtensionSource::Raw(profile, data);
        self
    }

    /// Sets an RFC 8285 header extension from elements, written in `form` and padded with
    /// zero bytes to a 4-byte boundary ([RFC 8285 §4](https://www.rfc-editor.org/rfc/rfc8285#section-4)).
    pub fn extension_elements(
        mut self,
        form: ExtensionForm,
        elements: &'a [ExtensionElement<'a>],
    ) -> Self {
        self.extension = ExtensionSource::Elements(form, elements);
        self
    }

    /// Removes the header extension.
    pub fn no_extension(mut self) -> Self {
        self.extension = ExtensionSource::None;
        self
    }

    /// Sets the payload.
    pub fn payload(mut self, payload: &'a [u8]) -> Self {
        self.payload = payload;
        self
    }

    /// Sets the number of padding octets, including the final count octet (0 for none).
    pub fn padding(mut self, len: u8) -> Self {
        self.padding = len;
        self
    }

    fn extension_body_len(&self) -> Result<usize, RtpBuildError> {
        let len = match self.extension {
            ExtensionSource::None => return Ok(0),
            ExtensionSource::Raw(_, d) => {
                if !d.len().is_multiple_of(4) || d.len() > 4 * usize::from(u16::MAX) {
                    return Err(RtpBuildError::ExtensionLength { len: d.len() });
                }
                d.len()
            }
            ExtensionSource::Elements(form, els) => match elements_len(form, els) {
                Some(n) => n.div_ceil(4) * 4,
                None => {
                    let index = els
                        .iter()
                        .position(|e| elements_len(form, std::slice::from_ref(e)).is_none())
                        .unwrap_or(0);
                    return Err(RtpBuildError::ExtensionElement { index, form });
                }
            },
        };
        if len > 4 * usize::from(u16::MAX) {
            return Err(RtpBuildError::ExtensionLength { len });
        }
        Ok(len)
    }

    /// Header lengths: (CSRC count, extension body length or `None` without extension).
    #[inline]
    fn layout(&self) -> Result<(usize, Option<usize>), RtpBuildError> {
        let count = self.csrcs.count();
        if count > 15 {
            return Err(RtpBuildError::TooManyCsrcs { count });
        }
        let ext = match self.extension {
            ExtensionSource::None => None,
            _ => Some(self.extension_body_len()?),
        };
        Ok((count, ext))
    }

    /// The length of the packet [`RtpBuilder::write`] would write.
    pub fn encoded_len(&self) -> Result<usize, RtpBuildError> {
        let (count, ext) = self.layout()?;
        Ok(12
            + 4 * count
            + ext.map_or(0, |e| 4 + e)
            + self.payload.len()
            + usize::from(self.padding))
    }

    /// Writes the packet at the start of `out` and returns its length.
    #[inline]
    pub fn write(&self, out: &mut [u8]) -> Result<usize, RtpBuildError> {
        let (count, ext_body) = self.layout()?;
        let needed = 12
            + 4 * count
            + ext_body.map_or(0, |e| 4 + e)
            + self.payload.len()
            + usize::from(self.padding);
        let available = out.len();
        let Some(out) = out.get_mut(..needed) else {
            return Err(RtpBuildError::BufferTooSmall { needed, available });
        };
        let too_small = RtpBuildError::BufferTooSmall { needed, available };
        let (head, rest) = out.split_first_chunk_mut::<12>().ok_or(too_small)?;
        head[0] = 0x80
            | (u8::from(self.padding != 0) << 5)
            | (u8::from(ext_body.is_some()) << 4)
            | count as u8;
        head[1] = (u8::from(self.marker) << 7) | self.payload_type.get();
        head[2..4].copy_from_slice(&self.sequence_number.to_be_bytes());
        head[4..8].copy_from_slice(&self.timestamp.to_be_bytes());
        head[8..12].copy_from_slice(&self.ssrc.0.to_be_bytes());

        let (csrc_out, rest) = rest.split_at_mut_checked(4 * count).ok_or(too_small)?;
        match self.csrcs {
            CsrcSource::Raw(r) => {
                csrc_out.copy_from_slice(r.get(..csrc_out.len()).ok_or(too_small)?)
            }
            CsrcSource::List(l) => {
                for (chunk, c) in csrc_out.chunks_exact_mut(4).zip(l) {
                    chunk.copy_from_slice(&c.0.to_be_bytes());
                }
            }
        }

        let rest = match ext_body {
            None => rest,
            Some(body) => {
                let (ext_out, rest) = rest.split_at_mut_checked(4 + body).ok_or(too_small)?;
                let (eh, eb) = ext_out.split_first_chunk_mut::<4>().ok_or(too_small)?;
                let profile = match self.extension {
                    ExtensionSource::Raw(p, _) => p,
                    ExtensionSource::Elements(form, _) => form.profile(),
                    ExtensionSource::None => 0,
                };
                eh[0..2].copy_from_slice(&profile.to_be_bytes());
                eh[2..4].copy_from_slice(&((body / 4) as u16).to_be_bytes());
                match self.extension {
                    ExtensionSource::Raw(_, d) => eb.copy_from_slice(d),
                    ExtensionSource::Elements(form, els) => {
                        let n = write_elements(form, els, eb).ok_or(too_small)?;
                        eb.get_mut(n..).unwrap_or_default().fill(0);
                    }
                    ExtensionSource::None => {}
                }
                rest
            }
        };

        let (payload_out, pad_out) = rest
            .split_at_mut_checked(self.payload.len())
            .ok_or(too_small)?;
        payload_out.copy_from_slice(self.payload);
        if let Some((last, filler)) = pad_out.split_last_mut() {
            filler.fill(0);
            *last = self.padding;
        }
        Ok(needed)
    }

    /// Appends the packet to `buf` (which grows only if its capacity is short) and returns
    /// its length.
    pub fn append_to(&self, buf: &mut BytesMut) -> Result<usize, RtpBuildError> {
        let len = self.encoded_len()?;
        let start = buf.len();
        buf.resize(start + len, 0);
        match self.write(buf.get_mut(start..).unwrap_or_default()) {
            Ok(n) => Ok(n),
            Err(e) => {
                buf.truncate(start);
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtp::ONE_BYTE_PROFILE;

    #[test]
    fn minimal_and_errors() {
        let mut buf = [0u8; 12];
        let b = RtpBuilder::new(
            PayloadType::from_static(0),
            0x05b7,
            0x7467d07c,
            Ssrc(0xb37f05e8),
        );
        assert_eq!(b.write(&mut buf), Ok(12));
        assert_eq!(
            buf,
            [0x80, 0, 0x05, 0xb7, 0x74, 0x67, 0xd0, 0x7c, 0xb3, 0x7f, 0x05, 0xe8]
        );
        assert_eq!(
            b.payload(b"x").write(&mut buf),
            Err(RtpBuildError::BufferTooSmall {
                needed: 13,
                available: 12
            })
        );
        let many = [Ssrc(1); 16];
        assert_eq!(
            b.csrcs(&many).encoded_len(),
            Err(RtpBuildError::TooManyCsrcs { count: 16 })
        );
        assert_eq!(
            b.extension_raw(ONE_BYTE_PROFILE, &[1, 2, 3]).encoded_len(),
            Err(RtpBuildError::ExtensionLength { len: 3 })
        );
        let bad = [
            ExtensionElement { id: 1, data: &[1] },
            ExtensionElement { id: 0, data: &[1] },
        ];
        assert_eq!(
            b.extension_elements(ExtensionForm::OneByte, &bad)
                .encoded_len(),
            Err(RtpBuildError::ExtensionElement {
                index: 1,
                form: ExtensionForm::OneByte
            })
        );
        assert_eq!(
            PayloadType::try_from(128),
            Err(RtpBuildError::PayloadType { pt: 128 })
        );
    }

    #[test]
    fn two_byte_elements_round_trip() {
        let big = [9u8; 200];
        let els = [
            ExtensionElement {
                id: 200,
                data: &big,
            },
            ExtensionElement { id: 3, data: &[] },
        ];
        let form = ExtensionForm::TwoByte { appbits: 5 };
        let mut buf = vec![0u8; 400];
        let n = RtpBuilder::new(PayloadType::from_static(96), 1, 2, Ssrc(3))
            .extension_elements(form, &els)
            .payload(&[1, 2, 3])
            .padding(7)
            .write(&mut buf)
            .unwrap();
        let p = RtpPacket::parse(&buf[..n]).unwrap();
        let ext = p.extension().unwrap();
        assert_eq!(ext.profile(), 0x1005);
        assert_eq!(ext.data().len(), 204);
        let got: Vec<_> = ext.elements().unwrap().map(Result::unwrap).collect();
        assert_eq!(got, els);
        assert_eq!(p.payload(), &[1, 2, 3]);
        assert_eq!(p.padding_len(), 7);
        let mut again = vec![0u8; n];
        RtpBuilder::from_packet(&p).write(&mut again).unwrap();
        assert_eq!(again, buf[..n]);
    }

    #[test]
    fn append_to_bytes_mut() {
        let mut out = BytesMut::with_capacity(64);
        out.extend_from_slice(b"$\x00\x00\x0e");
        let n = RtpBuilder::new(PayloadType::from_static(96), 1, 2, Ssrc(3))
            .payload(&[4, 5])
            .append_to(&mut out)
            .unwrap();
        assert_eq!(n, 14);
        assert_eq!(out.len(), 18);
        assert_eq!(RtpPacket::parse(&out[4..]).unwrap().payload(), &[4, 5]);
    }
}
