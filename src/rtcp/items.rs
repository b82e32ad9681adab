//! Fixed-size item lists that are either wire bytes (parsed) or a caller's slice (built).

use std::fmt;
use std::iter::FusedIterator;

/// A fixed-size item of an RTCP packet (a report block, an SSRC, a NACK entry, ...).
pub trait WireItem: Copy {
    /// Bytes per item on the wire.
    const SIZE: usize;
    /// Reads an item from exactly `SIZE` bytes.
    fn decode(b: &[u8]) -> Self;
    /// Writes the item into exactly `SIZE` bytes.
    fn encode(&self, out: &mut [u8]);
}

#[derive(Clone, Copy)]
enum Repr<'a, T> {
    Raw(&'a [u8]),
    List(&'a [T]),
}

/// A list of [`WireItem`]s: borrowed wire bytes in a parsed packet, or a borrowed slice in
/// a packet being built. Iterating yields items by value either way.
#[derive(Clone, Copy)]
pub struct Items<'a, T> {
    repr: Repr<'a, T>,
}

impl<'a, T: WireItem> Items<'a, T> {
    /// A list over a caller's items, for building a packet.
    pub const fn from_slice(items: &'a [T]) -> Items<'a, T> {
        Items {
            repr: Repr::List(items),
        }
    }

    /// An empty list.
    pub const fn empty() -> Items<'a, T> {
        Items {
            repr: Repr::List(&[]),
        }
    }

    /// A list over wire bytes (whole items only; a trailing partial item is ignored).
    pub(crate) fn from_raw(raw: &'a [u8]) -> Items<'a, T> {
        let whole = raw.len() / T::SIZE * T::SIZE;
        Items {
            repr: Repr::Raw(raw.get(..whole).unwrap_or_default()),
        }
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        match self.repr {
            Repr::Raw(r) => r.len() / T::SIZE,
            Repr::List(l) => l.len(),
        }
    }

    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes the items take on the wire.
    pub fn byte_len(&self) -> usize {
        self.len() * T::SIZE
    }

    /// The items.
    pub fn iter(&self) -> ItemsIter<'a, T> {
        ItemsIter { repr: self.repr }
    }

    /// Writes the items into `out` (at least `byte_len()` bytes).
    pub(crate) fn write(&self, out: &mut [u8]) {
        match self.repr {
            Repr::Raw(r) => {
                if let Some(o) = out.get_mut(..r.len()) {
                    o.copy_from_slice(r);
                }
            }
            Repr::List(l) => {
                for (chunk, item) in out.chunks_exact_mut(T::SIZE).zip(l) {
                    item.encode(chunk);
                }
            }
        }
    }
}

impl<'a, T: WireItem> From<&'a [T]> for Items<'a, T> {
    fn from(items: &'a [T]) -> Self {
        Items::from_slice(items)
    }
}

impl<'a, T: WireItem> IntoIterator for Items<'a, T> {
    type Item = T;
    type IntoIter = ItemsIter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T: WireItem + PartialEq> PartialEq for Items<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<T: WireItem + Eq> Eq for Items<'_, T> {}

impl<T: WireItem + fmt::Debug> fmt::Debug for Items<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Iterator over [`Items`].
#[derive(Clone)]
pub struct ItemsIter<'a, T> {
    repr: Repr<'a, T>,
}

impl<T: WireItem> Iterator for ItemsIter<'_, T> {
    type Item = T;
    #[inline]
    fn next(&mut self) -> Option<T> {
        match &mut self.repr {
            Repr::Raw(r) => {
                let (head, rest) = r.split_at_checked(T::SIZE)?;
                *r = rest;
                Some(T::decode(head))
            }
            Repr::List(l) => {
                let (head, rest) = l.split_first()?;
                *l = rest;
                Some(*head)
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = match self.repr {
            Repr::Raw(r) => r.len() / T::SIZE,
            Repr::List(l) => l.len(),
        };
        (n, Some(n))
    }
}

impl<T: WireItem> ExactSizeIterator for ItemsIter<'_, T> {}
impl<T: WireItem> FusedIterator for ItemsIter<'_, T> {}

impl WireItem for crate::rtp::Ssrc {
    const SIZE: usize = 4;
    #[inline]
    fn decode(b: &[u8]) -> Self {
        crate::rtp::Ssrc(super::be32(b, 0))
    }
    #[inline]
    fn encode(&self, out: &mut [u8]) {
        super::put32(out, 0, self.0);
    }
}
