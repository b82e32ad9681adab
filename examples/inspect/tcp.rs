//! Reassembly of one direction of a TCP connection from captured segments: in sequence
//! order, retransmitted and overlapping bytes dropped (the first copy wins), segments that
//! arrive early held until the gap before them is filled, with bounded buffering.
//!
//! A capture may start in the middle of a connection: without a SYN the first segment
//! seen starts the stream. A gap that is never filled (the capture lost a segment) is
//! skipped as soon as the peer acknowledges bytes past it (they were delivered, so they
//! will not be sent again), when the held-back data exceeds [`Limits`] or stays held
//! longer than the timeout, or when the stream ends; the caller is told with
//! [`Event::Gap`] so it can resynchronise its parser.

use std::collections::BTreeMap;

/// Bounds of one direction's reassembly buffer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Most bytes held back waiting for a gap to be filled. Default 4 MiB.
    pub max_pending_bytes: usize,
    /// Most segments held back. Default 4096.
    pub max_pending_segments: usize,
    /// Segments further ahead than this (bytes past the next expected) are dropped as
    /// implausible. Default 64 MiB.
    pub max_window: u64,
    /// Seconds a gap may stay open before it is skipped. Default 30 s.
    pub gap_timeout: f64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_pending_bytes: 4 * 1024 * 1024,
            max_pending_segments: 4096,
            max_window: 64 * 1024 * 1024,
            gap_timeout: 30.0,
        }
    }
}

/// What reassembly produces, in stream order.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The next bytes of the stream, and the capture time of the segment that carried them.
    Data(Vec<u8>, f64),
    /// `bytes` bytes at stream offset `offset` were never captured: the data that follows
    /// is not contiguous with what came before.
    Gap { offset: u64, bytes: u64 },
    /// A segment was dropped: too far ahead of the stream, or over the buffer limits while
    /// nothing could be skipped.
    Dropped { offset: u64, bytes: usize },
}

/// Counters of one direction.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub segments: u64,
    /// Bytes delivered in order.
    pub bytes: u64,
    /// Bytes received again (retransmissions, overlaps), dropped.
    pub duplicate_bytes: u64,
    /// Segments that arrived ahead of a gap and were held back.
    pub out_of_order: u64,
    pub gaps: u64,
    pub gap_bytes: u64,
}

/// One direction of a TCP connection.
#[derive(Debug, Default)]
pub struct Reassembler {
    limits: Limits,
    /// Sequence number of the next expected byte, and its stream offset.
    next: Option<(u32, u64)>,
    /// Segments ahead of `next`, by stream offset: (data, capture time first seen).
    pending: BTreeMap<u64, (Vec<u8>, f64)>,
    pending_bytes: usize,
    /// Stream offset of the FIN, when seen: it takes one sequence number, not a byte.
    fin: Option<u64>,
    /// Whether the stream's start (SYN) was seen.
    pub saw_syn: bool,
    pub stats: Stats,
}

impl Reassembler {
    pub fn new(limits: Limits) -> Reassembler {
        Reassembler {
            limits,
            ..Reassembler::default()
        }
    }

    /// Changes the limits (a connection found to be RTSP gets larger ones).
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Records a FIN sent with sequence number `seq` (after the segment's `len` bytes).
    pub fn fin(&mut self, seq: u32, len: usize) {
        if let Some((next_seq, next_off)) = self.next {
            let rel = i64::from(seq.wrapping_add(len as u32).wrapping_sub(next_seq) as i32);
            if let Ok(rel) = u64::try_from(rel) {
                self.fin.get_or_insert(next_off + rel);
            }
        }
    }

    /// Takes one segment captured at `time` (seconds); pushes what it releases to `out`.
    pub fn segment(
        &mut self,
        time: f64,
        seq: u32,
        syn: bool,
        payload: &[u8],
        out: &mut Vec<Event>,
    ) {
        self.stats.segments += 1;
        let seq = if syn {
            // The SYN takes one sequence number; data (TCP Fast Open) follows it.
            if self.next.is_none() || !self.saw_syn {
                let offset = self.next.map_or(0, |(_, o)| o);
                self.next = Some((seq.wrapping_add(1), offset));
                self.saw_syn = true;
            }
            seq.wrapping_add(1)
        } else {
            seq
        };
        if payload.is_empty() {
            return;
        }
        let (next_seq, next_off) = *self.next.get_or_insert((seq, 0));
        // Offsets within ±2 GiB of the expected byte: TCP's own window arithmetic.
        let rel = i64::from(seq.wrapping_sub(next_seq) as i32);
        let end = rel + payload.len() as i64;
        if end <= 0 {
            self.stats.duplicate_bytes += payload.len() as u64;
            return;
        }
        let (data, offset) = if rel < 0 {
            let skip = usize::try_from(-rel).unwrap_or(0);
            self.stats.duplicate_bytes += skip as u64;
            (payload.get(skip..).unwrap_or_default(), next_off)
        } else {
            (payload, next_off + rel as u64)
        };
        if offset - next_off > self.limits.max_window {
            self.stats.out_of_order += 1;
            out.push(Event::Dropped {
                offset,
                bytes: data.len(),
            });
            return;
        }
        if offset == next_off {
            self.deliver(data, time, out);
            // Held bytes completed by this segment became available at its time.
            self.release(Some(time), out);
        } else {
            self.hold(offset, data, time, out);
        }
        self.expire(time, out);
    }

    fn deliver(&mut self, data: &[u8], time: f64, out: &mut Vec<Event>) {
        if let Some((s, o)) = &mut self.next {
            *s = s.wrapping_add(data.len() as u32);
            *o += data.len() as u64;
        }
        self.stats.bytes += data.len() as u64;
        out.push(Event::Data(data.to_vec(), time));
    }

    fn hold(&mut self, offset: u64, data: &[u8], time: f64, out: &mut Vec<Event>) {
        self.stats.out_of_order += 1;
        // Keep the longer of two segments at the same offset; overlaps are trimmed on release.
        if let Some((old, _)) = self.pending.get(&offset) {
            if old.len() >= data.len() {
                self.stats.duplicate_bytes += data.len() as u64;
                return;
            }
            self.stats.duplicate_bytes += old.len() as u64;
            self.pending_bytes -= old.len();
        }
        self.pending_bytes += data.len();
        let first_seen = self.pending.get(&offset).map_or(time, |(_, t)| *t);
        self.pending.insert(offset, (data.to_vec(), first_seen));
        while self.pending_bytes > self.limits.max_pending_bytes
            || self.pending.len() > self.limits.max_pending_segments
        {
            if !self.skip_gap(out) {
                break;
            }
        }
    }

    /// Delivers the held segments that have become contiguous: at their own capture time,
    /// or at `now` when a segment arriving then filled the gap before them.
    fn release(&mut self, now: Option<f64>, out: &mut Vec<Event>) {
        while let Some((_, next_off)) = self.next {
            let Some(entry) = self.pending.first_entry() else {
                return;
            };
            let offset = *entry.key();
            if offset > next_off {
                return;
            }
            let (data, own) = entry.remove();
            let time = now.map_or(own, |n| n.max(own));
            self.pending_bytes -= data.len();
            let skip = usize::try_from(next_off - offset).unwrap_or(usize::MAX);
            if skip >= data.len() {
                self.stats.duplicate_bytes += data.len() as u64;
                continue;
            }
            self.stats.duplicate_bytes += skip as u64;
            self.deliver(data.get(skip..).unwrap_or_default(), time, out);
        }
    }

    /// Skips the gap before the first held segment; false when nothing is held.
    fn skip_gap(&mut self, out: &mut Vec<Event>) -> bool {
        let (Some((seq, next_off)), Some(&first)) = (self.next, self.pending.keys().next()) else {
            return false;
        };
        let bytes = first.saturating_sub(next_off);
        self.stats.gaps += 1;
        self.stats.gap_bytes += bytes;
        out.push(Event::Gap {
            offset: next_off,
            bytes,
        });
        self.next = Some((seq.wrapping_add(bytes as u32), first));
        self.release(None, out);
        true
    }

    /// Skips gaps that have stayed open longer than the timeout.
    fn expire(&mut self, now: f64, out: &mut Vec<Event>) {
        while self
            .pending
            .values()
            .next()
            .is_some_and(|(_, t)| now - t > self.limits.gap_timeout)
        {
            if !self.skip_gap(out) {
                return;
            }
        }
    }

    /// Takes the acknowledgement number the peer sent: bytes acknowledged that were never
    /// captured will not be sent again, so the gap they leave is skipped now.
    pub fn acked(&mut self, ack: u32, out: &mut Vec<Event>) {
        let Some((seq, next_off)) = self.next else {
            return;
        };
        let rel = i64::from(ack.wrapping_sub(seq) as i32);
        if rel <= 0 || rel as u64 > self.limits.max_window {
            return;
        }
        // The FIN's sequence number is acknowledged too, but it carries no byte.
        let upto = (next_off + rel as u64).min(self.fin.unwrap_or(u64::MAX));
        // Skip up to the acknowledged byte, or up to the first held segment before it.
        let target = match self.pending.keys().next() {
            Some(&first) if first <= upto => first,
            _ => upto,
        };
        if target > next_off {
            let bytes = target - next_off;
            self.stats.gaps += 1;
            self.stats.gap_bytes += bytes;
            out.push(Event::Gap {
                offset: next_off,
                bytes,
            });
            self.next = Some((seq.wrapping_add(bytes as u32), target));
        }
        self.release(None, out);
    }

    /// Ends the stream: skips every remaining gap and delivers what is held.
    pub fn finish(&mut self, out: &mut Vec<Event>) {
        while self.skip_gap(out) {}
    }

    /// Bytes currently held back.
    #[cfg(test)]
    pub fn pending_bytes(&self) -> usize {
        self.pending_bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(events: &[Event]) -> Vec<u8> {
        events
            .iter()
            .flat_map(|e| match e {
                Event::Data(d, _) => d.clone(),
                _ => Vec::new(),
            })
            .collect()
    }

    #[test]
    fn in_order_with_syn() {
        let mut r = Reassembler::new(Limits::default());
        let mut out = Vec::new();
        r.segment(0.0, 999, true, b"", &mut out);
        r.segment(0.1, 1000, false, b"abc", &mut out);
        r.segment(0.2, 1003, false, b"def", &mut out);
        assert_eq!(data(&out), b"abcdef");
        assert!(r.saw_syn);
    }

    #[test]
    fn out_of_order_retransmission_and_overlap() {
        let mut r = Reassembler::new(Limits::default());
        let mut out = Vec::new();
        r.segment(0.0, 99, true, b"", &mut out);
        r.segment(0.1, 106, false, b"ghij", &mut out); // early
        r.segment(0.2, 103, false, b"def", &mut out); // early, fills part
        assert!(data(&out).is_empty());
        r.segment(0.3, 100, false, b"abc", &mut out); // fills the gap
        assert_eq!(data(&out), b"abcdefghij");
        r.segment(0.4, 100, false, b"abc", &mut out); // retransmission
        r.segment(0.5, 108, false, b"XXklm", &mut out); // overlaps 2 bytes
        assert_eq!(data(&out), b"abcdefghijklm");
        assert_eq!(r.stats.duplicate_bytes, 5);
        assert_eq!(r.stats.out_of_order, 2);
        assert_eq!(r.pending_bytes(), 0);
    }

    #[test]
    fn overlapping_held_segments_are_trimmed() {
        let mut r = Reassembler::new(Limits::default());
        let mut out = Vec::new();
        r.segment(0.0, 0, false, b"a", &mut out);
        r.segment(0.1, 3, false, b"defg", &mut out);
        r.segment(0.1, 2, false, b"cdef", &mut out);
        r.segment(0.2, 1, false, b"b", &mut out);
        assert_eq!(data(&out), b"abcdefg");
    }

    #[test]
    fn sequence_wraparound() {
        let mut r = Reassembler::new(Limits::default());
        let mut out = Vec::new();
        r.segment(0.0, u32::MAX - 1, false, b"ab", &mut out);
        r.segment(0.1, 2, false, b"ef", &mut out);
        r.segment(0.2, 0, false, b"cd", &mut out);
        assert_eq!(data(&out), b"abcdef");
    }

    #[test]
    fn mid_stream_start_takes_first_segment() {
        let mut r = Reassembler::new(Limits::default());
        let mut out = Vec::new();
        r.segment(0.0, 5_000_000, false, b"middle", &mut out);
        r.segment(0.1, 5_000_006, false, b"-end", &mut out);
        assert_eq!(data(&out), b"middle-end");
        assert!(!r.saw_syn);
    }

    #[test]
    fn gap_never_filled_is_skipped_at_the_limit_and_at_the_end() {
        let limits = Limits {
            max_pending_bytes: 10,
            ..Limits::default()
        };
        let mut r = Reassembler::new(limits);
        let mut out = Vec::new();
        r.segment(0.0, 0, false, b"abc", &mut out);
        // Bytes 3..5 are never captured.
        r.segment(0.1, 5, false, b"fghij", &mut out);
        assert_eq!(data(&out), b"abc");
        r.segment(0.2, 10, false, b"klmnop", &mut out); // 11 bytes held: over the limit
        assert_eq!(data(&out), b"abcfghijklmnop");
        assert!(out.contains(&Event::Gap {
            offset: 3,
            bytes: 2
        }));
        assert_eq!(r.pending_bytes(), 0);

        let mut r = Reassembler::new(Limits::default());
        let mut out = Vec::new();
        r.segment(0.0, 0, false, b"abc", &mut out);
        r.segment(0.1, 10, false, b"xyz", &mut out);
        r.finish(&mut out);
        assert_eq!(
            out,
            vec![
                Event::Data(b"abc".to_vec(), 0.0),
                Event::Gap {
                    offset: 3,
                    bytes: 7
                },
                Event::Data(b"xyz".to_vec(), 0.1),
            ]
        );
        assert_eq!(r.stats.gaps, 1);
    }

    #[test]
    fn gap_timeout_and_segment_limit() {
        let mut r = Reassembler::new(Limits {
            gap_timeout: 1.0,
            ..Limits::default()
        });
        let mut out = Vec::new();
        r.segment(0.0, 0, false, b"a", &mut out);
        r.segment(0.5, 2, false, b"c", &mut out);
        r.segment(2.0, 3, false, b"d", &mut out);
        assert_eq!(data(&out), b"acd");

        let mut r = Reassembler::new(Limits {
            max_pending_segments: 2,
            ..Limits::default()
        });
        let mut out = Vec::new();
        r.segment(0.0, 0, false, b"a", &mut out);
        for i in 0..10u32 {
            r.segment(0.1, 2 + 2 * i, false, b"x", &mut out);
        }
        assert!(r.pending.len() <= 2);
        assert!(r.stats.gaps >= 8);
    }

    #[test]
    fn acknowledged_gap_is_skipped_at_once() {
        let mut r = Reassembler::new(Limits::default());
        let mut out = Vec::new();
        r.segment(0.0, 100, false, b"abc", &mut out);
        r.segment(0.2, 110, false, b"xyz", &mut out);
        // An ACK for bytes already seen, or before the gap, changes nothing.
        r.acked(103, &mut out);
        r.acked(50, &mut out);
        assert_eq!(data(&out), b"abc");
        // The peer acknowledges past the gap: it is skipped, the held data released with
        // its own capture time.
        r.acked(113, &mut out);
        assert_eq!(
            out[1..],
            [
                Event::Gap {
                    offset: 3,
                    bytes: 7
                },
                Event::Data(b"xyz".to_vec(), 0.2)
            ]
        );
        // Acknowledged bytes never seen and nothing held: the next data follows the gap.
        r.acked(120, &mut out);
        r.segment(0.3, 120, false, b"!", &mut out);
        assert_eq!(data(&out), b"abcxyz!");
        assert_eq!(r.stats.gaps, 2);
        // An acknowledgement number far out of the window (garbage) is ignored.
        r.acked(0x8000_0000, &mut out);
        assert_eq!(r.stats.gaps, 2);
    }

    #[test]
    fn acknowledged_fin_is_not_a_gap() {
        let mut r = Reassembler::new(Limits::default());
        let mut out = Vec::new();
        r.segment(0.0, 100, false, b"bye", &mut out);
        r.fin(100, 3);
        r.acked(104, &mut out);
        assert_eq!(r.stats.gaps, 0);
        assert_eq!(out, vec![Event::Data(b"bye".to_vec(), 0.0)]);
    }

    #[test]
    fn implausible_segment_is_dropped() {
        let mut r = Reassembler::new(Limits {
            max_window: 100,
            ..Limits::default()
        });
        let mut out = Vec::new();
        r.segment(0.0, 0, false, b"a", &mut out);
        r.segment(0.1, 1_000_000, false, b"far", &mut out);
        assert_eq!(r.pending_bytes(), 0);
        assert!(matches!(out.last(), Some(Event::Dropped { bytes: 3, .. })));
    }
}
