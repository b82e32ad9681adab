//! Format parameters shared by the audio and JPEG payload formats: the error for bad
//! `a=fmtp`/`a=rtpmap` values, a splitter for an `a=fmtp` value, and (crate-internal) the
//! bit reader/writer, loss tracker and frame queue those depacketizers share.
//!
//! Configs take plain typed values (clock rate, channel count, and the fmtp parameters as
//! `(name, value)` pairs), not SDP types, so any SDP parser can feed them:
//!
//! ```
//! use rtsp_proto::codec::fmtp;
//!
//! let fmtp = "profile-level-id=1;mode=AAC-hbr;sizelength=13; config=120856E500;";
//! let pairs: Vec<(&str, &str)> = fmtp::params(fmtp).collect();
//! assert_eq!(pairs[1], ("mode", "AAC-hbr"));
//! assert_eq!(pairs[3], ("config", "120856E500"));
//! ```

use super::{DepacketizeError, DepacketizerLimits, Frame};
use bytes::Bytes;
use std::collections::VecDeque;

/// A payload format configuration could not be built from the SDP's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FmtpError {
    /// A parameter the payload format requires is absent.
    #[error("missing fmtp parameter {0}")]
    Missing(&'static str),
    /// A parameter's value does not parse or is out of range.
    #[error("invalid fmtp parameter {0}")]
    Invalid(&'static str),
    /// A binary configuration (AudioSpecificConfig, StreamMuxConfig) is malformed; the
    /// structure is named.
    #[error("invalid {0}")]
    Config(&'static str),
    /// The configuration uses a feature this crate does not implement.
    #[error("unsupported {0}")]
    Unsupported(&'static str),
}

/// Splits an `a=fmtp` value (the part after the payload type) into `(name, value)` pairs.
///
/// Separators are `;`; whitespace around names and values is trimmed, empty items are
/// skipped (a trailing `;` or a space after `;` are common, QUIRKS.md item 31), and an item
/// without `=` gives an empty value. Names keep their case; the configs compare them
/// case-insensitively ([RFC 3640 §4.1]).
///
/// [RFC 3640 §4.1]: https://www.rfc-editor.org/rfc/rfc3640#section-4.1
pub fn params(fmtp: &str) -> impl Iterator<Item = (&str, &str)> {
    fmtp.split(';').filter_map(|item| {
        let item = item.trim();
        if item.is_empty() {
            return None;
        }
        Some(match item.split_once('=') {
            Some((k, v)) => (k.trim(), v.trim()),
            None => (item, ""),
        })
    })
}

/// Parses a decimal fmtp value.
pub(crate) fn parse_num<T: std::str::FromStr>(
    value: &str,
    name: &'static str,
) -> Result<T, FmtpError> {
    value.trim().parse().map_err(|_| FmtpError::Invalid(name))
}

/// Decodes a hexadecimal string (`config=` values), at most `max` bytes.
pub(crate) fn parse_hex(value: &str, name: &'static str, max: usize) -> Result<Vec<u8>, FmtpError> {
    let s = value.trim().as_bytes();
    if !s.len().is_multiple_of(2) || s.len() / 2 > max {
        return Err(FmtpError::Invalid(name));
    }
    let nibble = |c: u8| -> Result<u8, FmtpError> {
        match c {
            b'0'..=b'9' => Ok(c - b'0'),
            b'a'..=b'f' => Ok(c - b'a' + 10),
            b'A'..=b'F' => Ok(c - b'A' + 10),
            _ => Err(FmtpError::Invalid(name)),
        }
    };
    s.chunks_exact(2)
        .map(|pair| match pair {
            [hi, lo] => Ok((nibble(*hi)? << 4) | nibble(*lo)?),
            _ => Err(FmtpError::Invalid(name)),
        })
        .collect()
}

/// Reads big-endian bit fields from a byte slice. Every read is checked: reading past the
/// end returns `None`.
#[derive(Debug, Clone)]
pub(crate) struct BitReader<'a> {
    data: &'a [u8],
    /// Position in bits from the start of `data`.
    pos: usize,
}

impl<'a> BitReader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> BitReader<'a> {
        BitReader { data, pos: 0 }
    }

    /// Bits left to read.
    pub(crate) fn remaining(&self) -> usize {
        (self.data.len() * 8).saturating_sub(self.pos)
    }

    /// Bits read so far.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    /// Reads `n` bits (`n <= 32`) as an unsigned number.
    pub(crate) fn read(&mut self, n: u32) -> Option<u32> {
        if n > 32 || (n as usize) > self.remaining() {
            return None;
        }
        let mut v: u64 = 0;
        let mut left = n;
        while left > 0 {
            let byte = *self.data.get(self.pos / 8)?;
            let bit_off = (self.pos % 8) as u32;
            let avail = 8 - bit_off;
            let take = avail.min(left);
            let shifted = (byte >> (avail - take)) & (((1u16 << take) - 1) as u8);
            v = (v << take) | u64::from(shifted);
            left -= take;
            self.pos += take as usize;
        }
        u32::try_from(v).ok()
    }

    pub(crate) fn read_bool(&mut self) -> Option<bool> {
        self.read(1).map(|b| b == 1)
    }

    /// Skips `n` bits.
    pub(crate) fn skip(&mut self, n: usize) -> Option<()> {
        if n > self.remaining() {
            return None;
        }
        self.pos += n;
        Some(())
    }

    /// Skips to the next byte boundary.
    pub(crate) fn align(&mut self) {
        self.pos = self.pos.div_ceil(8) * 8;
    }

    /// Reads `n` whole bytes (not necessarily byte-aligned) into `out`.
    pub(crate) fn read_bytes_into(&mut self, n: usize, out: &mut Vec<u8>) -> Option<()> {
        if n.checked_mul(8)? > self.remaining() {
            return None;
        }
        if self.pos.is_multiple_of(8) {
            let start = self.pos / 8;
            out.extend_from_slice(self.data.get(start..start.checked_add(n)?)?);
            self.pos += n * 8;
            return Some(());
        }
        for _ in 0..n {
            out.push(u8::try_from(self.read(8)?).ok()?);
        }
        Some(())
    }
}

/// Writes big-endian bit fields.
#[derive(Debug, Default)]
pub(crate) struct BitWriter {
    buf: Vec<u8>,
    bits: usize,
}

impl BitWriter {
    /// Appends the low `n` bits of `value` (`n <= 32`).
    pub(crate) fn write(&mut self, value: u32, n: u32) {
        for i in (0..n).rev() {
            let bit = (value >> i) & 1;
            if self.bits.is_multiple_of(8) {
                self.buf.push(0);
            }
            if bit == 1 {
                if let Some(last) = self.buf.last_mut() {
                    *last |= 0x80 >> (self.bits % 8);
                }
            }
            self.bits += 1;
        }
    }

    /// The bits written, zero-padded to a whole byte.
    pub(crate) fn finish(self) -> Vec<u8> {
        self.buf
    }
}

/// Detects gaps in the sequence numbers of the packets pushed.
#[derive(Debug, Default, Clone)]
pub(crate) struct LossTracker {
    last: Option<u16>,
}

impl LossTracker {
    /// Records `seq`; true when packets are missing before it (or it is out of order).
    pub(crate) fn gap(&mut self, seq: u16) -> bool {
        let gap = self.last.is_some_and(|last| last.wrapping_add(1) != seq);
        self.last = Some(seq);
        gap
    }
}

/// Frames waiting to be pulled, bounded by [`DepacketizerLimits::max_pending_frames`], and
/// the loss flag to put on the next frame.
#[derive(Debug)]
pub(crate) struct FrameQueue {
    frames: VecDeque<Frame>,
    max: usize,
    loss: bool,
}

impl FrameQueue {
    pub(crate) fn new(limits: &DepacketizerLimits) -> FrameQueue {
        FrameQueue {
            frames: VecDeque::new(),
            max: limits.max_pending_frames.max(1),
            loss: false,
        }
    }

    /// The next frame emitted carries `loss = true`.
    pub(crate) fn mark_loss(&mut self) {
        self.loss = true;
    }

    /// Queues a frame. When the queue is full the oldest frame is dropped, the next frame
    /// pulled is flagged as after a loss, and `Backlog` is returned (the new frame is
    /// queued all the same).
    pub(crate) fn push(
        &mut self,
        timestamp: u32,
        data: Bytes,
        keyframe: bool,
    ) -> Result<(), DepacketizeError> {
        let loss = std::mem::take(&mut self.loss);
        self.frames.push_back(Frame {
            timestamp,
            data,
            keyframe,
            loss,
        });
        if self.frames.len() > self.max {
            self.frames.pop_front();
            if let Some(next) = self.frames.front_mut() {
                next.loss = true;
            }
            return Err(DepacketizeError::Backlog);
        }
        Ok(())
    }

    pub(crate) fn pull(&mut self) -> Option<Frame> {
        self.frames.pop_front()
    }
}

/// The shared depacketizer for sample-based formats ([RFC 3551 §4.3]): every packet's
/// payload is one frame of whole sample groups (`group` bytes: one sample of every
/// channel).
///
/// [RFC 3551 §4.3]: https://www.rfc-editor.org/rfc/rfc3551#section-4.3
#[derive(Debug)]
pub(crate) struct SampleDepacketizer {
    group: usize,
    max_frame_size: usize,
    queue: FrameQueue,
    seq: LossTracker,
}

impl SampleDepacketizer {
    pub(crate) fn new(group: usize, limits: &DepacketizerLimits) -> SampleDepacketizer {
        SampleDepacketizer {
            group: group.max(1),
            max_frame_size: limits.max_frame_size,
            queue: FrameQueue::new(limits),
            seq: LossTracker::default(),
        }
    }

    pub(crate) fn push(
        &mut self,
        packet: super::RtpPacket,
        rule: &'static str,
    ) -> Result<(), DepacketizeError> {
        if self.seq.gap(packet.sequence_number) {
            self.queue.mark_loss();
        }
        let seq = packet.sequence_number;
        if packet.payload.len() > self.max_frame_size {
            self.queue.mark_loss();
            return Err(DepacketizeError::FrameTooLarge {
                seq,
                limit: "max_frame_size",
            });
        }
        if !packet.payload.len().is_multiple_of(self.group) {
            self.queue.mark_loss();
            return Err(DepacketizeError::Malformed { seq, rule });
        }
        if packet.payload.is_empty() {
            return Ok(());
        }
        self.queue.push(packet.timestamp, packet.payload, true)
    }

    pub(crate) fn pull(&mut self) -> Option<Frame> {
        self.queue.pull()
    }
}

/// Splits a frame of sample groups into payloads of at most `max_payload` bytes, each a
/// whole number of groups, advancing the timestamp by the groups sent.
pub(crate) fn packetize_samples(
    group: usize,
    max_payload: usize,
    first: &mut bool,
    timestamp: u32,
    frame: &[u8],
    emit: &mut dyn FnMut(super::Payload<'_>),
) -> Result<(), super::PacketizeError> {
    let group = group.max(1);
    if !frame.len().is_multiple_of(group) {
        return Err(super::PacketizeError::InvalidFrame(
            "frame length is not a whole number of samples for every channel",
        ));
    }
    let per_packet = (max_payload / group) * group;
    if per_packet == 0 {
        return Err(super::PacketizeError::MtuTooSmall(max_payload));
    }
    let mut ts = timestamp;
    for chunk in frame.chunks(per_packet) {
        let parts = [chunk];
        emit(super::Payload {
            parts: &parts,
            marker: std::mem::take(first),
            timestamp: ts,
        });
        let samples = u32::try_from(chunk.len() / group).unwrap_or(u32::MAX);
        ts = ts.wrapping_add(samples);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_split_and_trim() {
        let v: Vec<_> = params(" a=1; b = 2 ;;c; ").collect();
        assert_eq!(v, [("a", "1"), ("b", "2"), ("c", "")]);
    }

    #[test]
    fn hex() {
        assert_eq!(
            parse_hex("120856E5", "config", 16).unwrap(),
            [0x12, 0x08, 0x56, 0xe5]
        );
        assert!(parse_hex("123", "config", 16).is_err());
        assert!(parse_hex("zz", "config", 16).is_err());
        assert!(parse_hex("1234", "config", 1).is_err());
    }

    #[test]
    fn bits_round_trip() {
        let mut w = BitWriter::default();
        w.write(0b101, 3);
        w.write(0x1fff, 13);
        w.write(0xdead_beef, 32);
        w.write(1, 1);
        let buf = w.finish();
        assert_eq!(buf.len(), 7);
        let mut r = BitReader::new(&buf);
        assert_eq!(r.read(3), Some(0b101));
        assert_eq!(r.read(13), Some(0x1fff));
        assert_eq!(r.read(32), Some(0xdead_beef));
        assert_eq!(r.read_bool(), Some(true));
        assert_eq!(r.remaining(), 7);
        assert_eq!(r.read(8), None);
        assert_eq!(r.read(33), None);
    }

    #[test]
    fn loss_tracker_wraps() {
        let mut t = LossTracker::default();
        assert!(!t.gap(65_535));
        assert!(!t.gap(0));
        assert!(t.gap(2));
    }
}
