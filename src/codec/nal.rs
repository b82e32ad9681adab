//! NAL unit plumbing shared by the H.264 ([`super::h264`]) and H.265 ([`super::h265`])
//! payload formats: Annex B start-code scanning, length-prefixed framing, emulation
//! prevention removal, an exp-Golomb bit reader for parameter sets, and (crate-private) the
//! access-unit assembler both depacketizers use.
//!
//! References: ITU-T H.264 Annex B (byte stream format) and §7.4.1 (emulation prevention),
//! ITU-T H.265 Annex B and §7.4.2, ISO/IEC 14496-15 (length-prefixed samples, `avcC`,
//! `hvcC`).

use super::{DepacketizeError, DepacketizerLimits, Frame, RtpPacket};
use bytes::Bytes;
use std::collections::VecDeque;

/// The [`Depacketizer`](super::Depacketizer) impl that H.264 and H.265 share: everything
/// goes through the [`Core`], around the codec's own `parse` (one packet's payload),
/// and `single_nal_head` (the NAL header of a payload that is one whole NAL unit).
macro_rules! nal_depacketizer {
    ($t:ty) => {
        impl $crate::codec::Depacketizer for $t {
            fn push(&mut self, packet: RtpPacket) -> Result<(), DepacketizeError> {
                if !self.core.begin(&packet)? {
                    return self.core.take_backlog();
                }
                let marker = packet.marker;
                if let Err(e) = self.parse(packet.payload) {
                    // A backlog error is less interesting than the packet's own error.
                    let _ = self.core.take_backlog();
                    return Err(e);
                }
                self.core.end(marker)
            }

            fn frame_prefix(&self, payload: &[u8]) -> Option<[u8; 4]> {
                self.single_nal_head(payload)?;
                $crate::codec::nal::frame_prefix(self.core.format, payload.len())
            }

            fn push_framed(
                &mut self,
                packet: $crate::codec::FramedPacket,
            ) -> Result<(), DepacketizeError> {
                let head = self.single_nal_head(packet.payload());
                match self.core.whole_au(packet, head) {
                    Ok(r) => r,
                    // The general path; a single NAL unit's framed buffer goes along for
                    // the assembler to return if the unit turns out to be the frame.
                    Err(packet) => {
                        self.core.framed = head.map(|_| packet.framed.clone());
                        let r = self.push(packet.into_packet());
                        self.core.framed = None;
                        r
                    }
                }
            }

            fn pull(&mut self) -> Option<Frame> {
                self.core.pull()
            }

            fn flush(&mut self) {
                self.core.flush();
            }
        }
    };
}
pub(crate) use nal_depacketizer;

/// How NAL units are framed in a [`Frame`]'s data (depacketizer output) or
/// in the frames given to a packetizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum NalFormat {
    /// ITU-T H.264/H.265 Annex B byte stream: each NAL unit preceded by the four-byte start
    /// code `00 00 00 01`. This is what a raw `.h264`/`.h265` file holds and what ffmpeg
    /// reads with `-f h264`.
    #[default]
    AnnexB,
    /// ISO/IEC 14496-15 sample format (MP4 `avc1`/`hvc1`): each NAL unit preceded by its
    /// length as a four-byte big-endian integer (`lengthSizeMinusOne = 3` in the
    /// `avcC`/`hvcC` record).
    LengthPrefixed,
}

/// Why a parameter set, a `sprop-*` parameter or a NAL unit sequence could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NalError {
    /// The data ended before the named syntax element.
    #[error("truncated {0}")]
    Truncated(&'static str),
    /// A syntax element has a value the specification forbids (the element is named).
    #[error("invalid {0}")]
    Invalid(&'static str),
    /// A syntax element uses a feature this crate does not parse.
    #[error("unsupported {0}")]
    Unsupported(&'static str),
}

/// Iterator over the NAL units of an Annex B byte stream; see [`annex_b_nal_units`].
#[derive(Debug, Clone)]
pub struct AnnexBNalUnits<'a> {
    rest: &'a [u8],
}

fn zero_pair_finder() -> &'static memchr::memmem::Finder<'static> {
    static FINDER: std::sync::OnceLock<memchr::memmem::Finder<'static>> =
        std::sync::OnceLock::new();
    FINDER.get_or_init(|| memchr::memmem::Finder::new(&[0u8, 0]))
}

/// The position of the first three-byte start code `00 00 01` in `data`.
///
/// Every start code begins with two zero bytes, which coded data holds only around
/// emulation prevention (`00 00 03`): a SIMD search for the pair (`memmem`, which tests
/// both bytes per position at once) skips almost everything, and each pair found is
/// looked at once.
pub(crate) fn find_start_code(data: &[u8]) -> Option<usize> {
    let finder = zero_pair_finder();
    let mut i = 0usize;
    loop {
        let p = i + finder.find(data.get(i..)?)?;
        match data.get(p + 2) {
            Some(1) => return Some(p),
            // `00 00 00`: a start code may begin at the second zero.
            Some(0) => i = p + 1,
            // `00 00 x`, x > 1: no start code begins at p, p + 1 or p + 2.
            Some(_) => i = p + 3,
            None => return None,
        }
    }
}

/// Splits an Annex B byte stream into NAL units (without start codes).
///
/// Three- and four-byte start codes are accepted, trailing zero bytes of a NAL unit
/// (`trailing_zero_8bits`, or the first byte of a four-byte start code) are removed and
/// empty units are skipped. Bytes before the first start code count as a NAL unit, so a
/// NAL unit followed by glued Annex B units (as some cameras put in one RTP payload)
/// splits correctly too.
///
/// ```
/// use rtsp_proto::codec::nal::annex_b_nal_units;
/// let nals: Vec<&[u8]> = annex_b_nal_units(b"\0\0\0\x01\x67\x42\0\0\x01\x68\xce\0").collect();
/// assert_eq!(nals, [&b"\x67\x42"[..], &b"\x68\xce"[..]]);
/// ```
pub fn annex_b_nal_units(data: &[u8]) -> AnnexBNalUnits<'_> {
    AnnexBNalUnits { rest: data }
}

fn trim_trailing_zeros(mut s: &[u8]) -> &[u8] {
    while let [head @ .., 0] = s {
        s = head;
    }
    s
}

impl<'a> Iterator for AnnexBNalUnits<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let (unit, rest) = match find_start_code(self.rest) {
                Some(pos) => {
                    let unit = self.rest.get(..pos).unwrap_or_default();
                    let rest = self.rest.get(pos + 3..).unwrap_or_default();
                    (unit, rest)
                }
                None => (self.rest, &[][..]),
            };
            self.rest = rest;
            let unit = trim_trailing_zeros(unit);
            if !unit.is_empty() {
                return Some(unit);
            }
        }
    }
}

/// True when `data` contains a three-byte start code `00 00 01`, which a well-formed NAL
/// unit never does (emulation prevention forbids it).
pub fn contains_start_code(data: &[u8]) -> bool {
    find_start_code(data).is_some()
}

/// Iterator over length-prefixed NAL units; see [`length_prefixed_nal_units`].
#[derive(Debug, Clone)]
pub struct LengthPrefixedNalUnits<'a> {
    rest: &'a [u8],
}

/// Splits ISO/IEC 14496-15 sample data with four-byte big-endian length prefixes into NAL
/// units. A length running past the end yields one `Err` and ends the iteration.
pub fn length_prefixed_nal_units(data: &[u8]) -> LengthPrefixedNalUnits<'_> {
    LengthPrefixedNalUnits { rest: data }
}

impl<'a> Iterator for LengthPrefixedNalUnits<'a> {
    type Item = Result<&'a [u8], NalError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let parsed = self.rest.split_first_chunk::<4>().and_then(|(len, rest)| {
            let len = usize::try_from(u32::from_be_bytes(*len)).ok()?;
            rest.split_at_checked(len)
        });
        match parsed {
            Some((nal, rest)) => {
                self.rest = rest;
                Some(Ok(nal))
            }
            None => {
                self.rest = &[];
                Some(Err(NalError::Truncated("length-prefixed NAL unit")))
            }
        }
    }
}

/// Removes emulation prevention bytes (`00 00 03` → `00 00`, H.264 §7.4.1, H.265 §7.4.2),
/// giving the raw byte sequence payload of a NAL unit. Allocates; meant for parameter sets.
pub fn rbsp(nal: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(nal.len());
    let mut zeros = 0usize;
    for &b in nal {
        if zeros >= 2 && b == 3 {
            zeros = 0;
            continue;
        }
        zeros = if b == 0 { zeros + 1 } else { 0 };
        out.push(b);
    }
    out
}

/// Adds emulation prevention bytes to a raw byte sequence payload, so that the result
/// contains no `00 00 00`, `00 00 01`, `00 00 02` or `00 00 03` (the inverse of [`rbsp`]).
pub fn add_emulation_prevention(rbsp: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rbsp.len() + rbsp.len() / 64 + 1);
    let mut zeros = 0usize;
    for &b in rbsp {
        if zeros >= 2 && b <= 3 {
            out.push(3);
            zeros = 0;
        }
        zeros = if b == 0 { zeros + 1 } else { 0 };
        out.push(b);
    }
    if zeros > 0 {
        // A NAL unit must not end with 0x00.
        out.push(3);
    }
    out
}

/// A big-endian bit reader over a raw byte sequence payload, with the `u(n)`, `ue(v)` and
/// `se(v)` descriptors of H.264 §7.2 / H.265 §7.2. Every read is checked: running out of
/// data is [`NalError::Truncated`], never a panic.
#[derive(Debug, Clone)]
pub struct BitReader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> BitReader<'a> {
    /// A reader at the first bit of `data` (which should already be an RBSP: see [`rbsp`]).
    pub fn new(data: &'a [u8]) -> BitReader<'a> {
        BitReader { data, pos: 0 }
    }

    /// Bits left to read.
    pub fn remaining(&self) -> usize {
        (self.data.len() * 8).saturating_sub(self.pos)
    }

    /// Reads one bit; `what` names the syntax element for the error.
    pub fn bit(&mut self, what: &'static str) -> Result<bool, NalError> {
        let byte = self
            .data
            .get(self.pos / 8)
            .ok_or(NalError::Truncated(what))?;
        let bit = (byte >> (7 - (self.pos % 8))) & 1;
        self.pos += 1;
        Ok(bit == 1)
    }

    /// Reads `n` bits (at most 32) as an unsigned integer, `u(n)`.
    pub fn bits(&mut self, n: u32, what: &'static str) -> Result<u32, NalError> {
        if n > 32 {
            return Err(NalError::Invalid(what));
        }
        if self.remaining() < n as usize {
            return Err(NalError::Truncated(what));
        }
        let mut v = 0u32;
        for _ in 0..n {
            v = (v << 1) | u32::from(self.bit(what)?);
        }
        Ok(v)
    }

    /// Skips `n` bits.
    pub fn skip(&mut self, n: usize, what: &'static str) -> Result<(), NalError> {
        if self.remaining() < n {
            return Err(NalError::Truncated(what));
        }
        self.pos += n;
        Ok(())
    }

    /// Reads an unsigned exp-Golomb code, `ue(v)`. Codes longer than 32 bits are
    /// [`NalError::Invalid`].
    pub fn ue(&mut self, what: &'static str) -> Result<u32, NalError> {
        let mut zeros = 0u32;
        while !self.bit(what)? {
            zeros += 1;
            if zeros > 31 {
                return Err(NalError::Invalid(what));
            }
        }
        let rest = self.bits(zeros, what)?;
        // (1 << zeros) - 1 + rest fits in u32 for zeros <= 31 only if no overflow.
        (1u32 << zeros)
            .checked_sub(1)
            .and_then(|v| v.checked_add(rest))
            .ok_or(NalError::Invalid(what))
    }

    /// Reads a signed exp-Golomb code, `se(v)`.
    pub fn se(&mut self, what: &'static str) -> Result<i32, NalError> {
        let k = self.ue(what)?;
        let magnitude = i32::try_from(k.div_ceil(2)).map_err(|_| NalError::Invalid(what))?;
        Ok(if k % 2 == 1 { magnitude } else { -magnitude })
    }
}

// ---------------------------------------------------------------------------------------
// Access-unit assembly shared by the H.264 and H.265 depacketizers.
// ---------------------------------------------------------------------------------------

/// A byte range of one stored packet payload.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Seg {
    pkt: u32,
    start: u32,
    end: u32,
}

/// One NAL unit of the access unit being assembled: a reconstructed header (for
/// fragmentation units) followed by segments of stored packets.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NalRec {
    hdr: [u8; 2],
    hdr_len: u8,
    seg_start: u32,
    seg_end: u32,
    /// Length of the NAL unit (header included), without framing.
    len: usize,
}

/// Why the assembler refused data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuLimit {
    FrameSize,
    Fragments,
}

impl AuLimit {
    pub(crate) fn name(self) -> &'static str {
        match self {
            AuLimit::FrameSize => "max_frame_size",
            AuLimit::Fragments => "max_fragments",
        }
    }
}

/// The four bytes that frame a NAL unit of `len` bytes in `format`; `None` when the length
/// does not fit the four-byte length field.
#[inline]
pub(crate) fn frame_prefix(format: NalFormat, len: usize) -> Option<[u8; 4]> {
    match format {
        NalFormat::AnnexB => Some([0, 0, 0, 1]),
        NalFormat::LengthPrefixed => u32::try_from(len).ok().map(u32::to_be_bytes),
    }
}

/// True when `framed` is four bytes followed by exactly `payload`, in the same memory
/// (what [`Depacketizer::push_framed`](super::Depacketizer::push_framed) promises).
#[inline]
fn frames_in_place(framed: &[u8], payload: &[u8]) -> bool {
    framed
        .get(4..)
        .is_some_and(|t| t.as_ptr() == payload.as_ptr() && t.len() == payload.len())
}

/// Collects the NAL units of one access unit as references into the packets that carried
/// them (no copy, no per-packet allocation once the internal vectors have grown), then
/// writes the frame with one allocation.
#[derive(Debug, Default)]
pub(crate) struct AuAssembler {
    packets: Vec<Bytes>,
    segs: Vec<Seg>,
    nals: Vec<NalRec>,
    /// Output size so far: NAL lengths plus four framing bytes each.
    size: usize,
    /// The NAL unit being built from fragments, if any (an index into `nals`).
    open: Option<usize>,
    /// Packet `.0` (a whole single NAL unit) preceded by its frame prefix in one buffer
    /// ([`Depacketizer::push_framed`](super::Depacketizer::push_framed)): an access unit
    /// of that NAL unit alone is returned as this, without a copy.
    framed: Option<(u32, Bytes)>,
    max_frame_size: usize,
    max_fragments: usize,
}

impl AuAssembler {
    pub(crate) fn new(max_frame_size: usize, max_fragments: usize) -> AuAssembler {
        AuAssembler {
            max_frame_size,
            max_fragments,
            ..AuAssembler::default()
        }
    }

    /// True when no NAL unit (complete or open) is held.
    pub(crate) fn is_empty(&self) -> bool {
        self.nals.is_empty()
    }

    /// The frame size so far (NAL units and their framing).
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    pub(crate) fn nal_count(&self) -> usize {
        self.nals.len()
    }

    pub(crate) fn has_open_nal(&self) -> bool {
        self.open.is_some()
    }

    /// Drops everything.
    pub(crate) fn clear(&mut self) {
        self.packets.clear();
        self.segs.clear();
        self.nals.clear();
        self.size = 0;
        self.open = None;
        self.framed = None;
    }

    /// Offers `framed` (four prefix bytes, then exactly the bytes of stored packet `idx`,
    /// in one buffer) as the frame to return if the access unit ends up being that packet
    /// alone; see [`Self::take_frame`].
    #[inline]
    pub(crate) fn offer_framed(&mut self, idx: u32, framed: Bytes) {
        if self
            .packets
            .get(idx as usize)
            .is_some_and(|p| frames_in_place(&framed, p))
        {
            self.framed = Some((idx, framed));
        }
    }

    /// The offered framed buffer, if the access unit is exactly its packet as one NAL
    /// unit and the buffer's prefix is the framing `format` asks for.
    fn take_framed(&mut self, format: NalFormat) -> Option<Bytes> {
        let (idx, framed) = self.framed.take()?;
        let ([nal], [seg]) = (self.nals.as_slice(), self.segs.as_slice()) else {
            return None;
        };
        let whole = self.packets.get(idx as usize)?.len();
        if nal.hdr_len != 0
            || nal.seg_end != nal.seg_start + 1
            || seg.pkt != idx
            || seg.start != 0
            || seg.end as usize != whole
        {
            return None;
        }
        let want = frame_prefix(format, nal.len)?;
        (framed.get(..4) == Some(&want[..])).then_some(framed)
    }

    /// Stores a packet payload; its index is used by [`Self::push_nal`] and friends.
    #[inline]
    pub(crate) fn add_packet(&mut self, payload: Bytes) -> Result<u32, AuLimit> {
        if self.packets.len() >= self.max_fragments {
            return Err(AuLimit::Fragments);
        }
        let idx = u32::try_from(self.packets.len()).map_err(|_| AuLimit::Fragments)?;
        self.packets.push(payload);
        Ok(idx)
    }

    /// The stored payload `idx`.
    pub(crate) fn packet(&self, idx: u32) -> Option<&Bytes> {
        self.packets.get(idx as usize)
    }

    /// Counts a packet that contributed no bytes (an empty fragment) against
    /// `max_fragments`, storing an empty payload.
    pub(crate) fn count_fragment(&mut self) -> Result<(), AuLimit> {
        self.add_packet(Bytes::new()).map(|_| ())
    }

    #[inline]
    fn grow(&mut self, by: usize) -> Result<(), AuLimit> {
        let size = self
            .size
            .checked_add(by)
            .filter(|&s| s <= self.max_frame_size)
            .ok_or(AuLimit::FrameSize)?;
        self.size = size;
        Ok(())
    }

    #[inline]
    fn push_seg(&mut self, pkt: u32, start: usize, end: usize) -> Result<(), AuLimit> {
        let (Ok(start), Ok(end)) = (u32::try_from(start), u32::try_from(end)) else {
            return Err(AuLimit::FrameSize);
        };
        if end > start {
            self.segs.push(Seg { pkt, start, end });
        }
        Ok(())
    }

    #[inline]
    fn seg_count(&self) -> u32 {
        // Bounded by max_fragments * NAL units per packet, both far below u32::MAX in
        // practice; saturate rather than wrap.
        u32::try_from(self.segs.len()).unwrap_or(u32::MAX)
    }

    /// Adds a complete NAL unit, bytes `start..end` of packet `pkt`. Returns its index.
    #[inline]
    pub(crate) fn push_nal(
        &mut self,
        pkt: u32,
        start: usize,
        end: usize,
    ) -> Result<usize, AuLimit> {
        let len = end.saturating_sub(start);
        self.grow(len.saturating_add(4))?;
        let seg_start = self.seg_count();
        self.push_seg(pkt, start, end)?;
        self.nals.push(NalRec {
            hdr: [0; 2],
            hdr_len: 0,
            seg_start,
            seg_end: self.seg_count(),
            len,
        });
        Ok(self.nals.len() - 1)
    }

    /// Starts a NAL unit from fragments, with the reconstructed header `hdr` (1 or 2
    /// bytes).
    pub(crate) fn open_nal(&mut self, hdr: &[u8]) -> Result<(), AuLimit> {
        let mut h = [0u8; 2];
        let hdr_len = hdr.len().min(2);
        for (d, s) in h.iter_mut().zip(hdr) {
            *d = *s;
        }
        self.grow(hdr_len + 4)?;
        let seg_start = self.seg_count();
        self.nals.push(NalRec {
            hdr: h,
            hdr_len: hdr_len as u8,
            seg_start,
            seg_end: seg_start,
            len: hdr_len,
        });
        self.open = Some(self.nals.len() - 1);
        Ok(())
    }

    /// Appends bytes `start..end` of packet `pkt` to the open NAL unit.
    pub(crate) fn append_open(
        &mut self,
        pkt: u32,
        start: usize,
        end: usize,
    ) -> Result<(), AuLimit> {
        let len = end.saturating_sub(start);
        self.grow(len)?;
        self.push_seg(pkt, start, end)?;
        let seg_end = self.seg_count();
        if let Some(nal) = self.open.and_then(|i| self.nals.get_mut(i)) {
            nal.seg_end = seg_end;
            nal.len = nal.len.saturating_add(len);
        }
        Ok(())
    }

    /// Closes the open NAL unit and returns its index.
    pub(crate) fn close_open(&mut self) -> Option<usize> {
        self.open.take()
    }

    /// Removes NAL units `n..`.
    pub(crate) fn truncate_nals(&mut self, n: usize) {
        while self.nals.len() > n {
            if let Some(nal) = self.nals.pop() {
                self.size = self.size.saturating_sub(nal.len.saturating_add(4));
                self.segs.truncate(nal.seg_start as usize);
            }
        }
        if self.open.is_some_and(|i| i >= n) {
            self.open = None;
        }
    }

    fn segs_of(&self, nal: &NalRec) -> impl Iterator<Item = &[u8]> + '_ {
        self.segs
            .get(nal.seg_start as usize..nal.seg_end as usize)
            .unwrap_or_default()
            .iter()
            .map(|s| {
                self.packets
                    .get(s.pkt as usize)
                    .and_then(|p| p.get(s.start as usize..s.end as usize))
                    .unwrap_or_default()
            })
    }

    /// The first `N` bytes of NAL unit `i` (header included), or `None` if it is shorter.
    pub(crate) fn nal_prefix<const N: usize>(&self, i: usize) -> Option<[u8; N]> {
        let nal = self.nals.get(i)?;
        let mut out = [0u8; N];
        let mut n = 0;
        let hdr = nal.hdr.get(..nal.hdr_len as usize).unwrap_or_default();
        for piece in std::iter::once(hdr).chain(self.segs_of(nal)) {
            for &b in piece {
                if n == N {
                    return Some(out);
                }
                if let Some(slot) = out.get_mut(n) {
                    *slot = b;
                }
                n += 1;
            }
        }
        (n == N).then_some(out)
    }

    /// The first two bytes of NAL unit `i` (header included), padded with zeros when it is
    /// shorter.
    #[inline]
    pub(crate) fn nal_head(&self, i: usize) -> [u8; 2] {
        let Some(nal) = self.nals.get(i) else {
            return [0; 2];
        };
        // Fast path: the header and the first segment hold both bytes.
        let first = self
            .segs
            .get(nal.seg_start as usize)
            .filter(|_| nal.seg_end > nal.seg_start)
            .and_then(|s| {
                self.packets
                    .get(s.pkt as usize)
                    .and_then(|p| p.get(s.start as usize..s.end as usize))
            })
            .unwrap_or_default();
        match (nal.hdr_len, first) {
            (2.., _) => nal.hdr,
            (1, [b, ..]) => [nal.hdr[0], *b],
            (0, [a, b, ..]) => [*a, *b],
            _ => self
                .nal_prefix::<2>(i)
                .or_else(|| self.nal_prefix::<1>(i).map(|[b]| [b, 0]))
                .unwrap_or_default(),
        }
    }

    /// NAL unit `i` as one contiguous slice when it is stored that way (a single NAL
    /// unit or one inside an aggregation packet).
    #[inline]
    pub(crate) fn nal_contiguous(&self, i: usize) -> Option<&[u8]> {
        let nal = self.nals.get(i)?;
        if nal.hdr_len != 0 || nal.seg_end != nal.seg_start + 1 {
            return None;
        }
        self.segs_of(nal).next()
    }

    /// NAL unit `i` copied into a new buffer.
    pub(crate) fn nal_to_bytes(&self, i: usize) -> Option<Bytes> {
        let nal = self.nals.get(i)?;
        if let Some(s) = self.single_seg(nal) {
            return Some(s);
        }
        let mut v = Vec::with_capacity(nal.len);
        v.extend_from_slice(nal.hdr.get(..nal.hdr_len as usize).unwrap_or_default());
        for piece in self.segs_of(nal) {
            v.extend_from_slice(piece);
        }
        Some(Bytes::from(v))
    }

    fn single_seg(&self, nal: &NalRec) -> Option<Bytes> {
        if nal.hdr_len != 0 || nal.seg_end != nal.seg_start + 1 {
            return None;
        }
        let s = self.segs.get(nal.seg_start as usize)?;
        let p = self.packets.get(s.pkt as usize)?;
        (s.end as usize <= p.len()).then(|| p.slice(s.start as usize..s.end as usize))
    }

    /// True when NAL unit `i` contains an Annex B start code (`00 00 01`), also across
    /// segment boundaries.
    #[inline]
    pub(crate) fn nal_has_start_code(&self, i: usize) -> bool {
        let Some(nal) = self.nals.get(i) else {
            return false;
        };
        if let Some(one) = self.nal_contiguous(i) {
            // A single NAL unit or one of an aggregation packet: one slice.
            return contains_start_code(one);
        }
        let hdr = nal.hdr.get(..nal.hdr_len as usize).unwrap_or_default();
        // The last two bytes seen, to find a start code spanning two pieces.
        let mut tail = [1u8; 2];
        for piece in std::iter::once(hdr).chain(self.segs_of(nal)) {
            if contains_start_code(piece) {
                return true;
            }
            let [t0, t1] = tail;
            match piece {
                [] => {}
                [a] => {
                    if t0 == 0 && t1 == 0 && *a == 1 {
                        return true;
                    }
                    tail = [t1, *a];
                }
                [a, b, ..] => {
                    if (t0 == 0 && t1 == 0 && *a == 1) || (t1 == 0 && *a == 0 && *b == 1) {
                        return true;
                    }
                    if let [.., y, z] = piece {
                        tail = [*y, *z];
                    }
                }
            }
        }
        false
    }

    /// Replaces NAL unit `i` (the last one) by the NAL units of its bytes read as an
    /// Annex B stream. Returns the index range of the new units. Used for the camera
    /// quirk of several NAL units glued with start codes inside one payload.
    pub(crate) fn split_last_annex_b(
        &mut self,
        i: usize,
    ) -> Result<std::ops::Range<usize>, AuLimit> {
        if i + 1 != self.nals.len() {
            return Ok(i..i + 1);
        }
        let Some(joined) = self.nal_to_bytes(i) else {
            return Ok(i..i + 1);
        };
        self.truncate_nals(i);
        // The joined copy becomes a stored packet of its own; it does not count as a
        // fragment (it replaces data already counted).
        let idx = u32::try_from(self.packets.len()).map_err(|_| AuLimit::Fragments)?;
        self.packets.push(joined.clone());
        let base = joined.as_ptr() as usize;
        for unit in annex_b_nal_units(&joined) {
            let start = (unit.as_ptr() as usize).saturating_sub(base);
            self.push_nal(idx, start, start + unit.len())?;
        }
        Ok(i..self.nals.len())
    }

    /// Writes the access unit as one frame: each NAL unit framed as `format` says, with
    /// `prefix` NAL units (parameter sets to insert) first. One allocation. Clears the
    /// assembler. Returns `None` if a NAL unit is too long for a four-byte length.
    pub(crate) fn take_frame(&mut self, format: NalFormat, prefix: &[&[u8]]) -> Option<Bytes> {
        if prefix.is_empty() {
            if let Some(framed) = self.take_framed(format) {
                self.clear();
                return Some(framed);
            }
        }
        let extra: usize = prefix.iter().map(|p| p.len() + 4).sum();
        let total = self.size.checked_add(extra)?;
        let mut out = Vec::with_capacity(total);
        let mut ok = true;
        let mut frame = |len: usize, out: &mut Vec<u8>| match format {
            NalFormat::AnnexB => out.extend_from_slice(&[0, 0, 0, 1]),
            NalFormat::LengthPrefixed => match u32::try_from(len) {
                Ok(l) => out.extend_from_slice(&l.to_be_bytes()),
                Err(_) => ok = false,
            },
        };
        for p in prefix {
            frame(p.len(), &mut out);
            out.extend_from_slice(p);
        }
        for nal in &self.nals {
            frame(nal.len, &mut out);
            out.extend_from_slice(nal.hdr.get(..nal.hdr_len as usize).unwrap_or_default());
            for piece in self.segs_of(nal) {
                out.extend_from_slice(piece);
            }
        }
        self.clear();
        debug_assert_eq!(out.len(), total);
        ok.then(|| Bytes::from(out))
    }
}

/// Frames waiting to be pulled, bounded.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    frames: VecDeque<Frame>,
}

impl Pending {
    /// Queues a frame; returns true if the oldest had to be dropped.
    #[inline]
    pub(crate) fn push(&mut self, frame: Frame, max: usize) -> bool {
        let mut dropped = false;
        while self.frames.len() >= max.max(1) {
            self.frames.pop_front();
            dropped = true;
        }
        self.frames.push_back(frame);
        if dropped {
            // The frame now first in line follows a dropped one.
            if let Some(f) = self.frames.front_mut() {
                f.loss = true;
            }
        }
        dropped
    }

    #[inline]
    pub(crate) fn pop(&mut self) -> Option<Frame> {
        self.frames.pop_front()
    }
}

/// Splits an `a=fmtp` parameter string (`key=value;key=value`) leniently: spaces around
/// keys and values and empty items (a trailing `;`) are ignored; keys compare
/// case-insensitively by the caller.
pub(crate) fn fmtp_params(fmtp: &str) -> impl Iterator<Item = (&str, &str)> {
    fmtp.split(';').filter_map(|item| {
        let item = item.trim();
        if item.is_empty() {
            return None;
        }
        let (k, v) = item.split_once('=').unwrap_or((item, ""));
        Some((k.trim(), v.trim()))
    })
}

/// Decodes one base64 parameter set of a `sprop-*` list. Tolerates an Annex B start code
/// in front (or several units glued with start codes, which are returned separately).
pub(crate) fn decode_sprop_item(item: &str) -> Result<Vec<Bytes>, NalError> {
    use base64::Engine as _;
    let item = item.trim();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(item)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(item))
        .map_err(|_| NalError::Invalid("base64 in sprop parameter"))?;
    let raw = Bytes::from(raw);
    let base = raw.as_ptr() as usize;
    let mut out = Vec::new();
    for unit in annex_b_nal_units(&raw) {
        let start = (unit.as_ptr() as usize).saturating_sub(base);
        out.push(raw.slice(start..start + unit.len()));
    }
    if out.is_empty() {
        return Err(NalError::Truncated("sprop parameter set"));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Policies and counters shared by the H.264 and H.265 depacketizers.
// ---------------------------------------------------------------------------------------

/// When an access unit ends. In every mode a change of RTP timestamp also ends it (all NAL
/// units of one access unit share a timestamp, [RFC 6184 §5.1]), so a stream without
/// marker bits still works, one frame later.
///
/// **Background:** the FLIR M400 sends no marker bit at all (MediaMTX #3945), and the
/// Ivel LV-IP22IR40DVBL sets the marker on an SEI NAL unit that precedes the picture of
/// the same access unit (retina 0.4.19).
///
/// [RFC 6184 §5.1]: https://www.rfc-editor.org/rfc/rfc6184#section-5.1
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum MarkerPolicy {
    /// The marker bit ends the access unit when it holds at least one picture (VCL) NAL
    /// unit and no fragmented unit is open; a marker on an access unit that holds only
    /// SEI or parameter sets is ignored. The default: no latency for conforming streams,
    /// correct for the Ivel camera.
    #[default]
    EndOfPicture,
    /// The marker bit is ignored; access units end on a timestamp change (or
    /// [`Depacketizer::flush`](super::Depacketizer::flush)) only. For a camera that sets the
    /// marker inside a picture.
    Ignore,
}

/// What to do with frames before the first keyframe (IDR for H.264, IRAP for H.265).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PreKeyframePolicy {
    /// Deliver them with `keyframe == false`; the caller decides. The default.
    #[default]
    Deliver,
    /// Drop them (counted in [`NalCounters::dropped_frames`]); the first frame emitted is
    /// a keyframe.
    Drop,
}

/// What to do with a packet whose payload type is not the stream's (the configured
/// payload type, or that of the first packet pushed).
///
/// **Background:** GeoVision cameras send an extra packet with payload type 50 after each
/// IDR picture that reuses the previous packet's sequence number (retina `rtp.rs`,
/// `geovision_pt50_packet`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ForeignPayloadTypePolicy {
    /// Ignore the packet, without touching sequence-number tracking (counted in
    /// [`NalCounters::ignored_packets`]). The default.
    #[default]
    Ignore,
    /// Reject it with [`DepacketizeError::Unsupported`].
    Reject,
}

/// What to do when the NAL unit type in a fragmentation unit header changes inside one
/// fragmented NAL unit.
///
/// **Background:** Tiandy cameras change the type between fragments (retina 0.4.14, which
/// warns instead of failing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum FuTypeChangePolicy {
    /// Keep the type of the first fragment and go on (counted in
    /// [`NalCounters::fu_type_changes`]). The default.
    #[default]
    KeepFirst,
    /// Drop the NAL unit's access unit and return
    /// [`DepacketizeError::Malformed`].
    Reject,
}

/// What to do with Annex B start codes (`00 00 01`) inside a NAL unit, which emulation
/// prevention makes impossible in a conforming one.
///
/// **Background:** V380 ("macro-video") cameras put whole Annex B streams, start codes
/// included, in single NAL unit packets (retina #68, #108); Amatek AR-N3222F and other
/// Annex B sources glue SPS, PPS and IDR with start codes inside one FU-A (gortsplib
/// #199, #989).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum StartCodePolicy {
    /// Split the unit at the start codes into separate NAL units (counted in
    /// [`NalCounters::glued_nal_units`]). The default; safe because a conforming unit
    /// never contains a start code.
    #[default]
    Split,
    /// Keep the bytes as one NAL unit (saves the scan; for trusted sources).
    Keep,
}

/// Whether to insert the known parameter sets in front of a keyframe that carries none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ParameterSetInsertion {
    /// Insert the current VPS (H.265), SPS and PPS, from `sprop-*` or an earlier access
    /// unit, before a keyframe that has no SPS of its own, so that every keyframe can be
    /// decoded alone (servers such as ffmpeg send parameter sets only in the SDP). The
    /// default.
    #[default]
    IfMissing,
    /// Never insert: frames hold exactly the NAL units received.
    Never,
}

/// What to do with a parameter set that repeats, byte for byte, the current one after a
/// picture's first slice, inside the same access unit.
///
/// **Background:** GStreamer 1.22's `rtph264pay config-interval=-1` sends SPS and PPS
/// before every IDR *slice*; with x264's sliced threads (`tune=zerolatency`) they land
/// between the slices of one picture (the `ffmpeg_*__gst_*` captures of this crate's test
/// data). That is legal H.264, but ffmpeg's parser takes a parameter set after a slice
/// as the start of a new frame and decodes half-pictures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RepeatedParameterSetPolicy {
    /// Drop the repetition (counted in [`NalCounters::repeated_parameter_sets`]); it
    /// carries no information. The default.
    #[default]
    DropAfterSlice,
    /// Keep every NAL unit as received.
    Keep,
}

/// The policies of the H.264 and H.265 depacketizers, each with a safe default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct NalPolicies {
    /// When an access unit ends.
    pub marker: MarkerPolicy,
    /// Frames before the first keyframe.
    pub before_keyframe: PreKeyframePolicy,
    /// Packets with another payload type.
    pub foreign_payload_type: ForeignPayloadTypePolicy,
    /// NAL unit type changing inside a fragmented unit.
    pub fu_type_change: FuTypeChangePolicy,
    /// Start codes inside NAL units.
    pub start_codes: StartCodePolicy,
    /// Parameter sets in front of keyframes.
    pub parameter_sets: ParameterSetInsertion,
    /// Identical parameter sets repeated between slices.
    pub repeated_parameter_sets: RepeatedParameterSetPolicy,
}

/// What an H.264 or H.265 depacketizer has seen, for diagnostics. Each quirk a policy
/// tolerated is counted, so a caller can report "this camera does X".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct NalCounters {
    /// Packets pushed.
    pub packets: u64,
    /// Frames emitted.
    pub frames: u64,
    /// Packets missing according to sequence numbers.
    pub lost_packets: u64,
    /// Access units dropped: incomplete after a loss, malformed, over a limit, held back
    /// before the first keyframe, or pushed out of a full queue.
    pub dropped_frames: u64,
    /// Packets ignored: another payload type, a repeated sequence number, a reserved
    /// packet type.
    pub ignored_packets: u64,
    /// Fragmentation units with both the start and the end bit.
    pub fu_start_and_end: u64,
    /// Fragments whose NAL unit type differed from the first fragment's.
    pub fu_type_changes: u64,
    /// Marker bits ignored because the access unit held no picture yet.
    pub markers_without_picture: u64,
    /// NAL units split at start codes found inside them.
    pub glued_nal_units: u64,
    /// Aggregation packets with padding after the last NAL unit.
    pub padded_aggregation_packets: u64,
    /// Aggregation or fragmentation packets received although `packetization-mode=0`
    /// allows only single NAL unit packets (H.264).
    pub packetization_mode_violations: u64,
    /// In-band parameter sets that replaced different ones.
    pub parameter_set_changes: u64,
    /// Repeated parameter sets dropped after a slice
    /// ([`RepeatedParameterSetPolicy::DropAfterSlice`]).
    pub repeated_parameter_sets: u64,
}

// ---------------------------------------------------------------------------------------
// The depacketizer core shared by H.264 and H.265.
// ---------------------------------------------------------------------------------------

/// What a codec says about one NAL unit type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NalClass {
    /// A slice of a picture; `key` for IDR (H.264) / IRAP (H.265).
    Vcl {
        key: bool,
    },
    /// A parameter set: 0 = VPS, 1 = SPS, 2 = PPS.
    Param(usize),
    Other,
}

/// The codec-specific part of the core.
pub(crate) trait Syntax {
    /// NAL unit header length (1 for H.264, 2 for H.265).
    const HDR_LEN: usize;
    /// The NAL unit type from the first two bytes (padded with zero).
    fn nal_type(head: [u8; 2]) -> u8;
    /// Classifies a NAL unit type.
    fn class(nal_type: u8) -> NalClass;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FuState {
    Idle,
    /// A fragmented NAL unit is open, with this type.
    Open(u8),
    /// Fragments of a unit whose start was lost or rejected are being skipped.
    Skipping,
}

/// Sequence tracking, access-unit boundaries, loss, limits and output, for both codecs.
#[derive(Debug)]
pub(crate) struct Core<S> {
    au: AuAssembler,
    pending: Pending,
    pub(crate) format: NalFormat,
    pub(crate) limits: DepacketizerLimits,
    pub(crate) policies: NalPolicies,
    payload_type: Option<u8>,
    last_seq: Option<u16>,
    ts: Option<u32>,
    /// Timestamp of a dropped access unit whose remaining packets are skipped.
    discard: Option<u32>,
    /// The marker bit of the packet being pushed.
    marker: bool,
    loss: bool,
    backlog: bool,
    fu: FuState,
    au_vcl: bool,
    au_key: bool,
    au_params: u8,
    seen_key: bool,
    /// VPS, SPS, PPS.
    pub(crate) params: [Option<Bytes>; 3],
    pub(crate) generation: u64,
    pub(crate) counters: NalCounters,
    pub(crate) seq: u16,
    /// The framed buffer of the packet being pushed (`push_framed`), until a single NAL
    /// unit packet takes it.
    pub(crate) framed: Option<Bytes>,
    _syntax: std::marker::PhantomData<S>,
}

impl<S: Syntax> Core<S> {
    pub(crate) fn new(
        format: NalFormat,
        limits: DepacketizerLimits,
        policies: NalPolicies,
        payload_type: Option<u8>,
    ) -> Core<S> {
        Core {
            au: AuAssembler::new(limits.max_frame_size, limits.max_fragments),
            pending: Pending::default(),
            format,
            limits,
            policies,
            payload_type,
            last_seq: None,
            ts: None,
            discard: None,
            marker: false,
            loss: false,
            backlog: false,
            fu: FuState::Idle,
            au_vcl: false,
            au_key: false,
            au_params: 0,
            seen_key: false,
            params: [None, None, None],
            generation: 0,
            counters: NalCounters::default(),
            seq: 0,
            framed: None,
            _syntax: std::marker::PhantomData,
        }
    }

    /// Sets a parameter set known out of band (`sprop-*`).
    pub(crate) fn set_param(&mut self, kind: usize, nal: Bytes) {
        if let Some(slot) = self.params.get_mut(kind) {
            if slot.as_ref() != Some(&nal) {
                *slot = Some(nal);
                self.generation += 1;
            }
        }
    }

    pub(crate) fn malformed(&self, rule: &'static str) -> DepacketizeError {
        DepacketizeError::Malformed {
            seq: self.seq,
            rule,
        }
    }

    pub(crate) fn unsupported(&self, what: &'static str) -> DepacketizeError {
        DepacketizeError::Unsupported {
            seq: self.seq,
            what,
        }
    }

    fn limit_error(&mut self, limit: AuLimit) -> DepacketizeError {
        self.drop_au();
        self.discard_rest();
        DepacketizeError::FrameTooLarge {
            seq: self.seq,
            limit: limit.name(),
        }
    }

    /// Drops the access unit being assembled (if any) and flags a loss.
    pub(crate) fn drop_au(&mut self) {
        if !self.au.is_empty() {
            self.counters.dropped_frames += 1;
            // The access unit's remaining packets are skipped too.
            self.discard = self.ts;
        }
        self.au.clear();
        self.reset_au_flags();
        if self.fu != FuState::Idle {
            self.fu = FuState::Skipping;
        }
        self.loss = true;
    }

    fn reset_au_flags(&mut self) {
        self.au_vcl = false;
        self.au_key = false;
        self.au_params = 0;
    }

    /// First step of every push: payload type, sequence number and timestamp. Returns
    /// false when the packet is to be ignored.
    #[inline]
    pub(crate) fn begin(&mut self, pkt: &RtpPacket) -> Result<bool, DepacketizeError> {
        self.seq = pkt.sequence_number;
        self.marker = pkt.marker;
        self.counters.packets += 1;
        match self.payload_type {
            None => self.payload_type = Some(pkt.payload_type),
            Some(pt) if pt != pkt.payload_type => {
                self.counters.ignored_packets += 1;
                return match self.policies.foreign_payload_type {
                    ForeignPayloadTypePolicy::Ignore => Ok(false),
                    ForeignPayloadTypePolicy::Reject => Err(self.unsupported("payload type")),
                };
            }
            Some(_) => {}
        }
        if let Some(last) = self.last_seq {
            match pkt.sequence_number.wrapping_sub(last) {
                1 => {}
                0 => {
                    self.counters.ignored_packets += 1;
                    return Ok(false);
                }
                gap => {
                    let lost = if gap < 0x8000 { gap - 1 } else { 1 };
                    self.counters.lost_packets += u64::from(lost);
                    self.drop_au();
                    self.fu = FuState::Skipping;
                }
            }
        }
        self.last_seq = Some(pkt.sequence_number);
        if self.ts.is_some_and(|ts| ts != pkt.timestamp) {
            if self.au.has_open_nal() {
                // The fragmented unit never ended: the access unit is incomplete.
                self.drop_au();
            } else {
                self.finish_au(false);
            }
        }
        self.ts = Some(pkt.timestamp);
        if let Some(ts) = self.discard {
            if ts == pkt.timestamp {
                // Part of an access unit already dropped: skip it, up to its marker.
                if pkt.marker {
                    self.discard = None;
                    self.fu = FuState::Idle;
                } else {
                    self.fu = FuState::Skipping;
                }
                return Ok(false);
            }
            self.discard = None;
        }
        Ok(true)
    }

    /// The common case in one step, for [`Depacketizer::push_framed`]: a single NAL unit
    /// packet (header `head`, checked valid by the codec) that is a whole access unit
    /// (next in sequence, marker bit set, nothing pending, a non-key picture or a key
    /// picture that needs no parameter sets inserted) becomes a frame without going
    /// through the assembler: the packet's framed buffer itself when its prefix is the
    /// right one, else a copy. Anything else (`head` is `None` for other packet types) is
    /// handed back for the general path, which gives the same result (the `h264`/`h265`
    /// fuzz targets compare the two).
    ///
    /// [`Depacketizer::push_framed`]: super::Depacketizer::push_framed
    #[inline]
    pub(crate) fn whole_au(
        &mut self,
        packet: super::FramedPacket,
        head: Option<[u8; 2]>,
    ) -> Result<Result<(), DepacketizeError>, super::FramedPacket> {
        let Some(NalClass::Vcl { key }) = head.map(|h| S::class(S::nal_type(h))) else {
            return Err(packet);
        };
        let payload = packet.payload();
        let len = payload.len();
        let simple = packet.marker
            && self.policies.marker == MarkerPolicy::EndOfPicture
            && self.payload_type == Some(packet.payload_type)
            && self
                .last_seq
                .is_some_and(|l| packet.sequence_number == l.wrapping_add(1))
            && self.au.is_empty()
            && !self.au_vcl
            && self.au_params == 0
            && self.fu == FuState::Idle
            && self.discard.is_none()
            && !self.backlog
            && head != Some([0, 0])
            && (self.seen_key || key || self.policies.before_keyframe != PreKeyframePolicy::Drop)
            && !(key && self.policies.parameter_sets == ParameterSetInsertion::IfMissing)
            && len.saturating_add(4) <= self.limits.max_frame_size;
        let prefix = frame_prefix(self.format, len).filter(|_| {
            simple
                && !(self.policies.start_codes == StartCodePolicy::Split
                    && contains_start_code(payload))
        });
        let Some(prefix) = prefix else {
            return Err(packet);
        };
        let data = if packet.framed.get(..4) == Some(&prefix[..]) {
            packet.framed
        } else {
            let mut v = Vec::with_capacity(len + 4);
            v.extend_from_slice(&prefix);
            v.extend_from_slice(payload);
            Bytes::from(v)
        };
        self.seq = packet.sequence_number;
        self.marker = true;
        self.last_seq = Some(packet.sequence_number);
        self.ts = Some(packet.timestamp);
        self.counters.packets += 1;
        self.counters.frames += 1;
        self.seen_key |= key;
        let frame = Frame {
            timestamp: packet.timestamp,
            data,
            keyframe: key,
            loss: std::mem::take(&mut self.loss),
        };
        if self.pending.push(frame, self.limits.max_pending_frames) {
            self.counters.dropped_frames += 1;
            return Ok(Err(DepacketizeError::Backlog));
        }
        Ok(Ok(()))
    }

    /// Last step of a successful push.
    #[inline]
    pub(crate) fn end(&mut self, marker: bool) -> Result<(), DepacketizeError> {
        if marker && self.policies.marker == MarkerPolicy::EndOfPicture {
            if self.au_vcl && !self.au.has_open_nal() {
                self.finish_au(false);
            } else if !self.au.is_empty() && !self.au.has_open_nal() {
                self.counters.markers_without_picture += 1;
            }
        }
        self.take_backlog()
    }

    #[inline]
    pub(crate) fn take_backlog(&mut self) -> Result<(), DepacketizeError> {
        if std::mem::take(&mut self.backlog) {
            Err(DepacketizeError::Backlog)
        } else {
            Ok(())
        }
    }

    /// Fails the packet: drops its access unit (and skips the access unit's remaining
    /// packets) and returns `err`.
    pub(crate) fn fail(&mut self, err: DepacketizeError) -> DepacketizeError {
        self.drop_au();
        self.discard_rest();
        err
    }

    /// Skips the rest of the current access unit, unless this packet was its last.
    fn discard_rest(&mut self) {
        self.discard = if self.marker { None } else { self.ts };
    }

    /// A packet that is neither a fragment nor an aggregation arrived: an open
    /// fragmented unit is incomplete.
    #[inline]
    pub(crate) fn not_a_fragment(&mut self) -> Result<(), DepacketizeError> {
        match self.fu {
            FuState::Open(_) => {
                self.fu = FuState::Idle;
                Err(self.fail(DepacketizeError::Malformed {
                    seq: self.seq,
                    rule: "fragmentation unit without end",
                }))
            }
            FuState::Skipping => {
                self.fu = FuState::Idle;
                Ok(())
            }
            FuState::Idle => Ok(()),
        }
    }

    /// A single NAL unit packet: bytes `start..` of `payload`.
    #[inline]
    pub(crate) fn single(&mut self, payload: Bytes, start: usize) -> Result<(), DepacketizeError> {
        self.not_a_fragment()?;
        let end = payload.len();
        let framed = self.framed.take();
        let r = self.au.add_packet(payload).and_then(|idx| {
            if let Some(f) = framed.filter(|_| start == 0) {
                self.au.offer_framed(idx, f);
            }
            self.au.push_nal(idx, start, end)
        });
        match r {
            Ok(i) => self.complete_nal(i),
            Err(l) => Err(self.limit_error(l)),
        }
    }

    /// An aggregation packet (H.264 STAP-A, H.265 AP without DONL): 16-bit sizes and NAL
    /// units from byte `start` on.
    pub(crate) fn aggregation(
        &mut self,
        payload: Bytes,
        start: usize,
    ) -> Result<(), DepacketizeError> {
        self.not_a_fragment()?;
        // Validate first, so that a malformed packet adds nothing.
        let mut pos = start;
        let mut count = 0usize;
        let mut padded = false;
        while let Some(entry) = aggregation_entry(&payload, pos) {
            match entry {
                AggEntry::Nal(s, e) => {
                    if e - s < S::HDR_LEN {
                        return Err(self.fail(self.malformed("aggregation packet NAL unit size")));
                    }
                    count += 1;
                    pos = e;
                }
                AggEntry::Padding => {
                    padded = true;
                    break;
                }
                AggEntry::Overrun => {
                    return Err(self.fail(self.malformed("aggregation packet NAL unit size")));
                }
            }
        }
        if count == 0 {
            return Err(self.fail(self.malformed("aggregation packet without NAL units")));
        }
        if padded {
            self.counters.padded_aggregation_packets += 1;
        }
        let idx = match self.au.add_packet(payload) {
            Ok(i) => i,
            Err(l) => return Err(self.limit_error(l)),
        };
        let mut pos = start;
        for _ in 0..count {
            let Some(AggEntry::Nal(s, e)) =
                self.au.packet(idx).and_then(|p| aggregation_entry(p, pos))
            else {
                break;
            };
            pos = e;
            match self.au.push_nal(idx, s, e) {
                Ok(i) => self.complete_nal(i)?,
                Err(l) => return Err(self.limit_error(l)),
            }
        }
        Ok(())
    }

    /// A fragmentation unit: `hdr` is the reconstructed NAL unit header, the fragment's
    /// data is `payload[data..]`.
    pub(crate) fn fragment(
        &mut self,
        payload: Bytes,
        data: usize,
        hdr: &[u8],
        start: bool,
        end: bool,
    ) -> Result<(), DepacketizeError> {
        let head = [
            hdr.first().copied().unwrap_or(0),
            hdr.get(1).copied().unwrap_or(0),
        ];
        let nal_type = S::nal_type(head);
        if start {
            if let FuState::Open(_) = self.fu {
                self.fu = FuState::Idle;
                return Err(self.fail(self.malformed("fragmentation unit without end")));
            }
            if end {
                self.counters.fu_start_and_end += 1;
            }
            if let Err(l) = self.au.open_nal(hdr) {
                return Err(self.limit_error(l));
            }
            self.fu = FuState::Open(nal_type);
        } else {
            match self.fu {
                FuState::Open(t) if t != nal_type => {
                    self.counters.fu_type_changes += 1;
                    if self.policies.fu_type_change == FuTypeChangePolicy::Reject {
                        return Err(self.fail(self.malformed("fragmentation unit NAL unit type")));
                    }
                }
                FuState::Open(_) => {}
                FuState::Skipping => {
                    if end {
                        self.fu = FuState::Idle;
                    }
                    return Ok(());
                }
                FuState::Idle => {
                    self.fu = if end {
                        FuState::Idle
                    } else {
                        FuState::Skipping
                    };
                    return Err(self.fail(self.malformed("fragmentation unit without start")));
                }
            }
        }
        let len = payload.len();
        if data < len {
            let r = self
                .au
                .add_packet(payload)
                .and_then(|idx| self.au.append_open(idx, data, len));
            if let Err(l) = r {
                return Err(self.limit_error(l));
            }
        } else if let Err(l) = self.au.count_fragment() {
            return Err(self.limit_error(l));
        }
        if end {
            self.fu = FuState::Idle;
            if let Some(i) = self.au.close_open() {
                return self.complete_nal(i);
            }
        }
        Ok(())
    }

    /// A NAL unit is complete: split glued units, classify, capture parameter sets.
    #[inline]
    fn complete_nal(&mut self, i: usize) -> Result<(), DepacketizeError> {
        if self.policies.start_codes == StartCodePolicy::Split && self.au.nal_has_start_code(i) {
            let range = match self.au.split_last_annex_b(i) {
                Ok(r) => r,
                Err(l) => return Err(self.limit_error(l)),
            };
            self.counters.glued_nal_units += 1;
            for j in range.clone() {
                // A NAL unit starting `00 00` is invalid for both codecs (H.264 type 0
                // followed by a zero byte, H.265 `nuh_temporal_id_plus1` = 0) and would
                // read as a start code in Annex B output; drop the access unit rather than
                // emit it.
                if self.au.nal_head(j) == [0, 0] {
                    return Err(self.malformed("NAL unit header"));
                }
            }
            for j in range {
                let head = self.au.nal_head(j);
                self.classify(j, head);
            }
            return Ok(());
        }
        // The common case: one NAL unit (see above for the `00 00` rule).
        let head = self.au.nal_head(i);
        if head == [0, 0] {
            return Err(self.malformed("NAL unit header"));
        }
        self.classify(i, head);
        Ok(())
    }

    /// Notes what NAL unit `j` (whose first two bytes are `head`) means for the access
    /// unit: a picture, a keyframe, a parameter set (captured; an identical repetition
    /// after a slice dropped as the policy says).
    #[inline]
    fn classify(&mut self, j: usize, head: [u8; 2]) {
        match S::class(S::nal_type(head)) {
            NalClass::Vcl { key } => {
                self.au_vcl = true;
                self.au_key |= key;
            }
            NalClass::Param(kind) => {
                let changed = self.capture_param(kind, j);
                if !changed
                    && self.au_vcl
                    && self.au_params & (1 << kind) != 0
                    && j + 1 == self.au.nal_count()
                    && self.policies.repeated_parameter_sets
                        == RepeatedParameterSetPolicy::DropAfterSlice
                {
                    self.au.truncate_nals(j);
                    self.counters.repeated_parameter_sets += 1;
                }
                self.au_params |= 1 << kind;
            }
            NalClass::Other => {}
        }
    }

    /// Records parameter set `j` as the current one of its kind; true if it changed.
    fn capture_param(&mut self, kind: usize, j: usize) -> bool {
        let Some(slot) = self.params.get(kind) else {
            return false;
        };
        let same = match (self.au.nal_contiguous(j), slot) {
            (Some(new), Some(old)) => new == &old[..],
            _ => false,
        };
        if same {
            return false;
        }
        let Some(nal) = self.au.nal_to_bytes(j) else {
            return false;
        };
        if slot.as_ref() == Some(&nal) {
            return false;
        }
        if slot.is_some() {
            self.counters.parameter_set_changes += 1;
        }
        if let Some(slot) = self.params.get_mut(kind) {
            *slot = Some(nal);
        }
        self.generation += 1;
        true
    }

    /// Ends the access unit. `flush`: the stream ended (an access unit without picture
    /// is dropped rather than carried over to the next one).
    fn finish_au(&mut self, flush: bool) {
        if self.au.is_empty() {
            return;
        }
        if !self.au_vcl {
            // Only SEI / parameter sets so far: they belong to the next picture.
            if flush {
                self.au.clear();
                self.reset_au_flags();
            }
            return;
        }
        let keyframe = self.au_key;
        let timestamp = self.ts.unwrap_or(0);
        if !self.seen_key && !keyframe && self.policies.before_keyframe == PreKeyframePolicy::Drop {
            self.counters.dropped_frames += 1;
            self.au.clear();
            self.reset_au_flags();
            return;
        }
        let insert = keyframe
            && self.policies.parameter_sets == ParameterSetInsertion::IfMissing
            && self.au_params & 0b010 == 0;
        let mut prefix: [&[u8]; 3] = [&[]; 3];
        let mut n = 0;
        if insert {
            for (slot, p) in prefix.iter_mut().zip(self.params.iter().flatten()) {
                *slot = p;
                n += 1;
            }
            // Inserted parameter sets count against the frame size limit too.
            let extra: usize = prefix.iter().map(|p| p.len() + 4).sum();
            if self.au.size().saturating_add(extra) > self.limits.max_frame_size {
                n = 0;
            }
        }
        let data = self
            .au
            .take_frame(self.format, prefix.get(..n).unwrap_or_default());
        self.reset_au_flags();
        let Some(data) = data else {
            self.counters.dropped_frames += 1;
            self.loss = true;
            return;
        };
        self.seen_key |= keyframe;
        let frame = Frame {
            timestamp,
            data,
            keyframe,
            loss: std::mem::take(&mut self.loss),
        };
        self.counters.frames += 1;
        if self.pending.push(frame, self.limits.max_pending_frames) {
            self.counters.dropped_frames += 1;
            self.backlog = true;
        }
    }

    #[inline]
    pub(crate) fn pull(&mut self) -> Option<Frame> {
        self.pending.pop()
    }

    pub(crate) fn flush(&mut self) {
        if self.au.has_open_nal() {
            self.drop_au();
        } else {
            self.finish_au(true);
        }
        self.fu = FuState::Idle;
        self.discard = None;
    }
}

enum AggEntry {
    Nal(usize, usize),
    Padding,
    Overrun,
}

/// The aggregation entry at `pos`: `None` at the end.
fn aggregation_entry(p: &[u8], pos: usize) -> Option<AggEntry> {
    let rest = p.get(pos..)?;
    if rest.is_empty() {
        return None;
    }
    let Some((size, _)) = rest.split_first_chunk::<2>() else {
        // One byte left: padding.
        return Some(AggEntry::Padding);
    };
    let size = usize::from(u16::from_be_bytes(*size));
    if size == 0 {
        return Some(AggEntry::Padding);
    }
    let s = pos + 2;
    let e = s + size;
    if e > p.len() {
        return Some(AggEntry::Overrun);
    }
    Some(AggEntry::Nal(s, e))
}

// ---------------------------------------------------------------------------------------
// Packetizing, shared by H.264 and H.265.
// ---------------------------------------------------------------------------------------

/// Most NAL units in one aggregation packet the packetizers build.
const MAX_AGGREGATED: usize = 16;

/// The codec-specific headers of the packetizer.
pub(crate) trait PacketSyntax {
    const HDR_LEN: usize;
    /// Aggregation packet header for the given NAL units.
    fn aggregation_header(nals: &[&[u8]]) -> [u8; 2];
    /// FU header bytes for a NAL unit with header `hdr` (HDR_LEN + 1 bytes used).
    fn fu_header(hdr: &[u8], start: bool, end: bool) -> [u8; 3];
    /// Whether a NAL unit (header included) may be sent as a single NAL unit packet.
    fn valid_nal(nal: &[u8]) -> bool;
}

/// Packetizes the NAL units of `frame`.
pub(crate) fn packetize<P: PacketSyntax>(
    format: NalFormat,
    mtu: usize,
    aggregate: bool,
    fragment: bool,
    timestamp: u32,
    frame: &[u8],
    emit: &mut dyn FnMut(super::Payload<'_>),
) -> Result<(), super::PacketizeError> {
    use super::{PacketizeError, Payload};
    if mtu < P::HDR_LEN + 2 {
        return Err(PacketizeError::MtuTooSmall(mtu));
    }
    // Validate everything first, so that an error emits nothing.
    let mut count = 0usize;
    for_each_nal(format, frame, &mut |nal| {
        if !P::valid_nal(nal) {
            return Err(PacketizeError::InvalidFrame("NAL unit header"));
        }
        if nal.len() > mtu && !fragment {
            return Err(PacketizeError::InvalidFrame(
                "NAL unit larger than the MTU without fragmentation",
            ));
        }
        count += 1;
        Ok(())
    })?;
    if count == 0 {
        return Err(PacketizeError::InvalidFrame("no NAL unit"));
    }
    let mut group: [&[u8]; MAX_AGGREGATED] = [&[]; MAX_AGGREGATED];
    let mut n = 0usize;
    let mut group_size = P::HDR_LEN;
    let mut seen = 0usize;
    for_each_nal(format, frame, &mut |nal| {
        seen += 1;
        let last = seen == count;
        let fits = nal.len() + 2 <= mtu.saturating_sub(P::HDR_LEN);
        if aggregate && fits {
            if n == MAX_AGGREGATED || group_size + 2 + nal.len() > mtu {
                emit_group::<P>(group.get(..n).unwrap_or_default(), false, timestamp, emit);
                n = 0;
                group_size = P::HDR_LEN;
            }
            if let Some(slot) = group.get_mut(n) {
                *slot = nal;
            }
            n += 1;
            group_size += 2 + nal.len();
            if last {
                emit_group::<P>(group.get(..n).unwrap_or_default(), true, timestamp, emit);
            }
            return Ok(());
        }
        emit_group::<P>(group.get(..n).unwrap_or_default(), false, timestamp, emit);
        n = 0;
        group_size = P::HDR_LEN;
        if nal.len() <= mtu {
            emit_group::<P>(&[nal], last, timestamp, emit);
            return Ok(());
        }
        let (hdr, body) = nal.split_at_checked(P::HDR_LEN).unwrap_or((nal, &[]));
        let chunk = mtu - P::HDR_LEN - 1;
        let pieces = body.len().div_ceil(chunk);
        for (k, piece) in body.chunks(chunk).enumerate() {
            let end = k + 1 == pieces;
            let fu = P::fu_header(hdr, k == 0, end);
            emit(Payload {
                parts: &[fu.get(..P::HDR_LEN + 1).unwrap_or_default(), piece],
                marker: last && end,
                timestamp,
            });
        }
        Ok(())
    })?;
    Ok(())
}

/// Emits one single NAL unit packet or one aggregation packet.
fn emit_group<P: PacketSyntax>(
    group: &[&[u8]],
    last: bool,
    timestamp: u32,
    emit: &mut dyn FnMut(super::Payload<'_>),
) {
    use super::Payload;
    match group {
        [] => {}
        [one] => emit(Payload {
            parts: &[*one],
            marker: last,
            timestamp,
        }),
        many => {
            let hdr = P::aggregation_header(many);
            let mut sizes = [[0u8; 2]; MAX_AGGREGATED];
            for (s, nal) in sizes.iter_mut().zip(many) {
                *s = u16::try_from(nal.len()).unwrap_or(u16::MAX).to_be_bytes();
            }
            let mut parts: [&[u8]; 1 + 2 * MAX_AGGREGATED] = [&[]; 1 + 2 * MAX_AGGREGATED];
            let mut k = 0;
            if let Some(p) = parts.get_mut(k) {
                *p = hdr.get(..P::HDR_LEN).unwrap_or_default();
            }
            k += 1;
            for (size, nal) in sizes.iter().zip(many) {
                if let Some(p) = parts.get_mut(k) {
                    *p = size;
                }
                if let Some(p) = parts.get_mut(k + 1) {
                    *p = nal;
                }
                k += 2;
            }
            emit(Payload {
                parts: parts.get(..k).unwrap_or_default(),
                marker: last,
                timestamp,
            });
        }
    }
}

fn for_each_nal<'a>(
    format: NalFormat,
    frame: &'a [u8],
    f: &mut dyn FnMut(&'a [u8]) -> Result<(), super::PacketizeError>,
) -> Result<(), super::PacketizeError> {
    match format {
        NalFormat::AnnexB => {
            for nal in annex_b_nal_units(frame) {
                f(nal)?;
            }
        }
        NalFormat::LengthPrefixed => {
            for nal in length_prefixed_nal_units(frame) {
                let nal = nal
                    .map_err(|_| super::PacketizeError::InvalidFrame("length-prefixed NAL unit"))?;
                if !nal.is_empty() {
                    f(nal)?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annex_b_split_handles_3_and_4_byte_codes_and_trailing_zeros() {
        let data = b"\x00\x00\x00\x01\x67\x01\x00\x00\x01\x68\x02\x00\x00\x00\x00\x01\x65\x03";
        let v: Vec<&[u8]> = annex_b_nal_units(data).collect();
        assert_eq!(v, [&b"\x67\x01"[..], b"\x68\x02", b"\x65\x03"]);
        assert_eq!(annex_b_nal_units(b"").count(), 0);
        assert_eq!(annex_b_nal_units(b"\0\0\0\x01").count(), 0);
        let v: Vec<&[u8]> = annex_b_nal_units(b"\x41\x9a\0\0\x01\x41").collect();
        assert_eq!(v, [&b"\x41\x9a"[..], b"\x41"]);
    }

    #[test]
    fn start_code_search_matches_a_naive_scan() {
        let naive = |d: &[u8]| d.windows(3).position(|w| w == [0, 0, 1]);
        // xorshift, with zero bytes from rare to dense and start codes now and then.
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for len in (0..140).chain([255, 256, 511, 512, 513, 1400, 5000]) {
            for density in [0u64, 2, 8, 64, 255] {
                let mut d: Vec<u8> = (0..len)
                    .map(|_| {
                        let r = next();
                        if r % 256 < density {
                            0
                        } else {
                            (r >> 8) as u8 | 2
                        }
                    })
                    .collect();
                assert_eq!(
                    find_start_code(&d),
                    naive(&d),
                    "len {len} density {density}"
                );
                if len >= 3 {
                    let at = (next() % (len as u64 - 2)) as usize;
                    d[at..at + 3].copy_from_slice(&[0, 0, 1]);
                    assert_eq!(find_start_code(&d), naive(&d), "len {len} at {at}");
                    assert!(contains_start_code(&d));
                }
            }
        }
    }

    #[test]
    fn emulation_prevention_round_trips() {
        let raw = [0u8, 0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0xff, 0, 0];
        let escaped = add_emulation_prevention(&raw);
        assert!(!contains_start_code(&escaped));
        assert_eq!(rbsp(&escaped).get(..raw.len()), Some(&raw[..]));
    }

    #[test]
    fn exp_golomb() {
        // 1 -> 0, 010 -> 1, 011 -> 2, 00100 -> 3
        let data = [0b1010_0110, 0b0100_0000];
        let mut r = BitReader::new(&data);
        assert_eq!(r.ue("a").unwrap(), 0);
        assert_eq!(r.ue("b").unwrap(), 1);
        assert_eq!(r.ue("c").unwrap(), 2);
        assert_eq!(r.ue("d").unwrap(), 3);
        assert_eq!(r.ue("e"), Err(NalError::Truncated("e")));
        let mut r = BitReader::new(&[0, 0, 0, 0, 0]);
        assert!(r.ue("long").is_err());
        let mut r = BitReader::new(&[0b0100_1100]);
        assert_eq!(r.se("x").unwrap(), 1);
        assert_eq!(r.se("y").unwrap(), -1);
    }

    #[test]
    fn start_code_across_segments() {
        let mut au = AuAssembler::new(1 << 20, 100);
        let a = au
            .add_packet(Bytes::from_static(b"\x7c\x85\x11\x00"))
            .unwrap();
        let b = au
            .add_packet(Bytes::from_static(b"\x7c\x05\x00\x01\x22"))
            .unwrap();
        au.open_nal(&[0x65]).unwrap();
        au.append_open(a, 2, 4).unwrap();
        au.append_open(b, 2, 5).unwrap();
        let i = au.close_open().unwrap();
        assert!(au.nal_has_start_code(i));
        let r = au.split_last_annex_b(i).unwrap();
        assert_eq!(r.len(), 2);
        let f = au.take_frame(NalFormat::LengthPrefixed, &[]).unwrap();
        assert_eq!(&f[..], b"\0\0\0\x02\x65\x11\0\0\0\x01\x22");
    }

    #[test]
    fn fmtp_parsing_is_lenient() {
        let v: Vec<_> =
            fmtp_params(" packetization-mode=1; sprop-parameter-sets=Z0,aM=;").collect();
        assert_eq!(
            v,
            [
                ("packetization-mode", "1"),
                ("sprop-parameter-sets", "Z0,aM=")
            ]
        );
    }
}
