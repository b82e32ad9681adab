//! Source description, SDES ([RFC 3550 §6.5](https://www.rfc-editor.org/rfc/rfc3550#section-6.5)).

use super::{packet_type, put32, RtcpBuildError, RtcpError, RtcpWrite};
use crate::rtp::Ssrc;
use std::fmt;
use std::iter::FusedIterator;

/// An SDES item type ([RFC 3550 §6.5](https://www.rfc-editor.org/rfc/rfc3550#section-6.5));
/// types without a constant are kept as numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SdesType(pub u8);

impl SdesType {
    /// End of list (never an item; written as the null terminator).
    pub const END: SdesType = SdesType(0);
    /// Canonical end-point identifier (§6.5.1).
    pub const CNAME: SdesType = SdesType(1);
    /// User name (§6.5.2).
    pub const NAME: SdesType = SdesType(2);
    /// Electronic mail address (§6.5.3).
    pub const EMAIL: SdesType = SdesType(3);
    /// Phone number (§6.5.4).
    pub const PHONE: SdesType = SdesType(4);
    /// Geographic location (§6.5.5).
    pub const LOC: SdesType = SdesType(5);
    /// Application or tool name (§6.5.6).
    pub const TOOL: SdesType = SdesType(6);
    /// Notice/status (§6.5.7).
    pub const NOTE: SdesType = SdesType(7);
    /// Private extension (§6.5.8): value is a prefix length, the prefix and the value.
    pub const PRIV: SdesType = SdesType(8);
}

/// One SDES item. For [`SdesType::PRIV`], `value` is the whole item content (prefix length
/// octet, prefix, value); see [`SdesItem::private_parts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SdesItem<'a> {
    /// The item type (never [`SdesType::END`] in a parsed packet).
    pub kind: SdesType,
    /// The item text, at most 255 bytes (UTF-8 per the RFC, not checked).
    pub value: &'a [u8],
}

impl<'a> SdesItem<'a> {
    /// A CNAME item.
    pub const fn cname(value: &'a [u8]) -> SdesItem<'a> {
        SdesItem {
            kind: SdesType::CNAME,
            value,
        }
    }

    /// For a PRIV item, its prefix and value (`None` for other types or a prefix length
    /// that overruns the item).
    pub fn private_parts(&self) -> Option<(&'a [u8], &'a [u8])> {
        if self.kind != SdesType::PRIV {
            return None;
        }
        let (&n, rest) = self.value.split_first()?;
        rest.split_at_checked(usize::from(n))
    }
}

/// Reads one item at the start of `b`: `None` at an END octet, the end of `b`, or an item
/// that overruns `b`.
#[inline]
fn read_item(b: &[u8]) -> Option<(SdesItem<'_>, &[u8])> {
    match b {
        [kind @ 1..=255, len, rest @ ..] => {
            let (value, rest) = rest.split_at_checked(usize::from(*len))?;
            Some((
                SdesItem {
                    kind: SdesType(*kind),
                    value,
                },
                rest,
            ))
        }
        _ => None,
    }
}

/// The length of the items at the start of `b`, up to the END octet or the end of `b`;
/// `None` if an item is cut short. Skips over the values without forming items.
#[inline]
fn items_len(b: &[u8]) -> Option<usize> {
    let mut at = 0;
    loop {
        match b.get(at) {
            None | Some(0) => return Some(at),
            Some(_) => {
                at += 2 + usize::from(*b.get(at + 1)?);
                if at > b.len() {
                    return None;
                }
            }
        }
    }
}

/// Bytes a chunk whose items take `items_len` bytes occupies: SSRC, items, END octet and
/// nulls to the next 32-bit boundary (the chunk starts on one).
#[inline]
fn chunk_len(items_len: usize) -> usize {
    (4 + items_len + 1).div_ceil(4) * 4
}

#[derive(Clone, Copy)]
enum ItemsRepr<'a> {
    /// Validated wire items, ending at an END octet or at the end of the slice (nothing
    /// after the END octet is read: the slice of a packet's last chunk runs to the end of
    /// the packet, so iterating never has to find the chunk's end first).
    Raw(&'a [u8]),
    List(&'a [SdesItem<'a>]),
}

/// The items of one SDES chunk.
#[derive(Clone, Copy)]
pub struct SdesItems<'a> {
    repr: ItemsRepr<'a>,
}

impl<'a> SdesItems<'a> {
    /// Items from a caller's slice, for building.
    pub const fn from_slice(items: &'a [SdesItem<'a>]) -> SdesItems<'a> {
        SdesItems {
            repr: ItemsRepr::List(items),
        }
    }

    /// Bytes the items take on the wire, without the terminator.
    fn byte_len(&self) -> usize {
        match self.repr {
            ItemsRepr::Raw(r) => items_len(r).unwrap_or(0),
            ItemsRepr::List(l) => l.iter().map(|i| 2 + i.value.len()).sum(),
        }
    }
}

impl<'a> Iterator for SdesItems<'a> {
    type Item = SdesItem<'a>;
    #[inline]
    fn next(&mut self) -> Option<SdesItem<'a>> {
        match &mut self.repr {
            ItemsRepr::Raw(r) => match read_item(r) {
                Some((item, rest)) => {
                    *r = rest;
                    Some(item)
                }
                None => {
                    *r = &[];
                    None
                }
            },
            ItemsRepr::List(l) => {
                let (head, rest) = l.split_first()?;
                *l = rest;
                Some(*head)
            }
        }
    }
}

impl FusedIterator for SdesItems<'_> {}

impl PartialEq for SdesItems<'_> {
    fn eq(&self, other: &Self) -> bool {
        (*self).eq(*other)
    }
}

impl Eq for SdesItems<'_> {}

impl fmt::Debug for SdesItems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(*self).finish()
    }
}

/// One SDES chunk: a source and its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SdesChunk<'a> {
    /// The source described.
    pub ssrc: Ssrc,
    /// Its items.
    pub items: SdesItems<'a>,
}

impl SdesChunk<'_> {
    /// Bytes the chunk takes: SSRC, items, and 1 to 4 null octets up to a 32-bit boundary.
    fn byte_len(&self) -> usize {
        chunk_len(self.items.byte_len())
    }
}

#[derive(Clone, Copy)]
enum ChunksRepr<'a> {
    /// The validated chunks still to yield: `data` starts at the next one.
    Raw {
        data: &'a [u8],
        count: u8,
    },
    List(&'a [SdesChunk<'a>]),
}

/// The chunks of an SDES packet.
#[derive(Clone, Copy)]
pub struct SdesChunks<'a> {
    repr: ChunksRepr<'a>,
}

impl<'a> SdesChunks<'a> {
    /// Chunks from a caller's slice, for building (at most 31).
    pub const fn from_slice(chunks: &'a [SdesChunk<'a>]) -> SdesChunks<'a> {
        SdesChunks {
            repr: ChunksRepr::List(chunks),
        }
    }

    /// Number of chunks.
    pub fn len(&self) -> usize {
        match self.repr {
            ChunksRepr::Raw { count, .. } => usize::from(count),
            ChunksRepr::List(l) => l.len(),
        }
    }

    /// Whether there are no chunks.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<'a> Iterator for SdesChunks<'a> {
    type Item = SdesChunk<'a>;
    #[inline]
    fn next(&mut self) -> Option<SdesChunk<'a>> {
        match &mut self.repr {
            ChunksRepr::Raw { data, count } => {
                let (ssrc, items) = data.split_first_chunk::<4>().filter(|_| *count > 0)?;
                *count -= 1;
                let items = if *count == 0 {
                    // The last chunk: its items end at their END octet (or the packet's
                    // end), so there is no need to find where the chunk ends.
                    *data = &[];
                    items
                } else {
                    // Parsing validated the chunk, so this cannot fail; stop if it does.
                    let n = items_len(items).unwrap_or(items.len());
                    *data = data.get(chunk_len(n)..).unwrap_or_default();
                    items.get(..n).unwrap_or_default()
                };
                Some(SdesChunk {
                    ssrc: Ssrc(u32::from_be_bytes(*ssrc)),
                    items: SdesItems {
                        repr: ItemsRepr::Raw(items),
                    },
                })
            }
            ChunksRepr::List(l) => {
                let (head, rest) = l.split_first()?;
                *l = rest;
                Some(*head)
            }
        }
    }
}

impl FusedIterator for SdesChunks<'_> {}

impl PartialEq for SdesChunks<'_> {
    fn eq(&self, other: &Self) -> bool {
        (*self).eq(*other)
    }
}

impl Eq for SdesChunks<'_> {}

impl fmt::Debug for SdesChunks<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(*self).finish()
    }
}

/// A source description packet, SDES ([RFC 3550 §6.5](https://www.rfc-editor.org/rfc/rfc3550#section-6.5)).
///
/// Parsing accepts a last chunk that ends with the packet without an END octet
/// (**Background:** gortsplib's RTCP unmarshaller tolerates this, seen from real senders;
/// QUIRKS.md §3.3 item 51); it is written back with the terminator.
///
/// ```
/// use rtsp_proto::rtcp::{RtcpWrite, SdesChunk, SdesChunks, SdesItem, SdesItems, SourceDescription};
/// use rtsp_proto::rtp::Ssrc;
/// let items = [SdesItem::cname(b"user@host")];
/// let chunks = [SdesChunk { ssrc: Ssrc(7), items: SdesItems::from_slice(&items) }];
/// let sdes = SourceDescription { chunks: SdesChunks::from_slice(&chunks) };
/// let mut buf = [0u8; 64];
/// assert_eq!(sdes.write(&mut buf)?, 20);
/// # Ok::<(), rtsp_proto::rtcp::RtcpBuildError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceDescription<'a> {
    /// The chunks, one per source (at most 31).
    pub chunks: SdesChunks<'a>,
}

impl<'a> SourceDescription<'a> {
    #[inline]
    pub(crate) fn parse(count: u8, body: &'a [u8], pos: usize) -> Result<Self, RtcpError> {
        let err = RtcpError::Body {
            pos,
            packet_type: packet_type::SDES,
            what: "sdes chunk",
        };
        // One pass over the chunks, skipping over the item values; iterating later trusts
        // this. Chunk starts are 32-bit aligned, a chunk whose items end with the packet
        // (no END octet) is accepted.
        let mut at = 0;
        for _ in 0..count {
            let items = body.get(at + 4..).ok_or(err)?;
            at += chunk_len(items_len(items).ok_or(err)?);
        }
        if at < body.len() {
            return Err(err);
        }
        Ok(SourceDescription {
            chunks: SdesChunks {
                repr: ChunksRepr::Raw { data: body, count },
            },
        })
    }

    /// The first CNAME of the packet.
    pub fn cname(&self) -> Option<&'a [u8]> {
        self.chunks
            .flat_map(|c| c.items)
            .find(|i| i.kind == SdesType::CNAME)
            .map(|i| i.value)
    }
}

impl RtcpWrite for SourceDescription<'_> {
    fn packet_type(&self) -> u8 {
        packet_type::SDES
    }
    fn count(&self) -> u8 {
        self.chunks.len() as u8
    }
    fn body_len(&self) -> usize {
        self.chunks.map(|c| c.byte_len()).sum()
    }
    fn check(&self) -> Result<(), RtcpBuildError> {
        if self.chunks.len() > 31 {
            return Err(RtcpBuildError::TooMany {
                what: "sdes chunks",
                count: self.chunks.len(),
                max: 31,
            });
        }
        for chunk in self.chunks {
            for item in chunk.items {
                if item.value.len() > 255 {
                    return Err(RtcpBuildError::TooMany {
                        what: "sdes item bytes",
                        count: item.value.len(),
                        max: 255,
                    });
                }
                if item.kind == SdesType::END {
                    return Err(RtcpBuildError::TooMany {
                        what: "sdes END items",
                        count: 1,
                        max: 0,
                    });
                }
            }
        }
        Ok(())
    }
    fn write_body(&self, out: &mut [u8]) {
        let mut pos = 0;
        for chunk in self.chunks {
            let end = pos + chunk.byte_len();
            let Some(o) = out.get_mut(pos..end) else {
                return;
            };
            o.fill(0);
            put32(o, 0, chunk.ssrc.0);
            let mut at = 4;
            for item in chunk.items {
                if let Some([k, l]) = o.get_mut(at..at + 2) {
                    *k = item.kind.0;
                    *l = item.value.len() as u8;
                }
                super::put_bytes(o, at + 2, item.value);
                at += 2 + item.value.len();
            }
            pos = end;
        }
    }
    fn has_cname(&self) -> bool {
        self.cname().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_item_types_round_trip() {
        let items = [
            SdesItem::cname(b"c"),
            SdesItem {
                kind: SdesType::NAME,
                value: b"name",
            },
            SdesItem {
                kind: SdesType::EMAIL,
                value: b"a@b",
            },
            SdesItem {
                kind: SdesType::PHONE,
                value: b"+1",
            },
            SdesItem {
                kind: SdesType::LOC,
                value: b"here",
            },
            SdesItem {
                kind: SdesType::TOOL,
                value: b"rtsp-proto",
            },
            SdesItem {
                kind: SdesType::NOTE,
                value: b"",
            },
            SdesItem {
                kind: SdesType::PRIV,
                value: b"\x03abcvalue",
            },
            SdesItem {
                kind: SdesType(42),
                value: b"?",
            },
        ];
        let chunks = [
            SdesChunk {
                ssrc: Ssrc(1),
                items: SdesItems::from_slice(&items),
            },
            SdesChunk {
                ssrc: Ssrc(2),
                items: SdesItems::from_slice(&[]),
            },
        ];
        let sdes = SourceDescription {
            chunks: SdesChunks::from_slice(&chunks),
        };
        let mut buf = [0u8; 256];
        let n = sdes.write(&mut buf).unwrap();
        assert_eq!(n % 4, 0);
        let parsed = SourceDescription::parse(buf[0] & 0x1f, &buf[4..n], 0).unwrap();
        assert_eq!(parsed, sdes);
        let got: Vec<_> = parsed.chunks.collect();
        assert_eq!(got[1].items.count(), 0);
        let mut items0 = got[0].items;
        let privi = items0.nth(7).unwrap();
        assert_eq!(privi.private_parts(), Some((&b"abc"[..], &b"value"[..])));
        assert_eq!(parsed.cname(), Some(&b"c"[..]));
    }

    #[test]
    fn missing_end_is_tolerated_bad_item_is_not() {
        // SSRC, CNAME "ab" and no END: 8 bytes.
        let body = [0, 0, 0, 1, 1, 2, b'a', b'b'];
        let sdes = SourceDescription::parse(1, &body, 0).unwrap();
        assert_eq!(sdes.cname(), Some(&b"ab"[..]));
        let body = [0, 0, 0, 1, 1, 5, b'a', b'b'];
        assert!(SourceDescription::parse(1, &body, 0).is_err());
        assert!(SourceDescription::parse(2, &[0, 0, 0, 1, 0, 0, 0, 0], 0).is_err());
        assert!(SourceDescription::parse(0, &[0, 0, 0, 0], 0).is_err());
    }
}
