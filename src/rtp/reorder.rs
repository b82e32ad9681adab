//! Putting the packets of one source back in sequence-number order.

use super::seq::{MAX_DROPOUT, MAX_MISORDER};
use super::{Limits, SeqNo};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// What [`ReorderBuffer::pop`] hands back, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReorderEvent<T> {
    /// The next packet in order.
    Packet {
        /// Its extended sequence number (strictly increasing across all events).
        seq: SeqNo,
        /// The item given to [`ReorderBuffer::push`].
        item: T,
    },
    /// Sequence numbers `first .. first + count` never arrived in time and are given up.
    Lost {
        /// The first missing extended sequence number.
        first: SeqNo,
        /// How many are missing.
        count: u64,
    },
    /// The sender restarted its sequence numbering (two sequential packets after a large
    /// jump, as in [RFC 3550 A.1](https://www.rfc-editor.org/rfc/rfc3550#appendix-A.1)).
    /// Everything before this event belongs to the old numbering; `seq` is the extended
    /// number given to the first packet of the new one, which comes next. Nothing is
    /// reported lost across a restart.
    Restart {
        /// The first extended sequence number of the new numbering.
        seq: SeqNo,
    },
}

/// What [`ReorderBuffer::push`] did with a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PushOutcome {
    /// Held, or ready to be popped.
    Accepted,
    /// A packet with this sequence number is already held; the new one was dropped.
    Duplicate,
    /// Its place in the order has already been released (emitted or given up as lost);
    /// dropped.
    Late,
    /// A jump of more than 3,000 forward or 100 back: held aside until the next packet
    /// shows whether the sender restarted ([`ReorderEvent::Restart`]); it replaces any
    /// packet held aside before.
    Jump,
    /// The packet confirmed a restart; it and the packet held aside were accepted.
    Restart,
    /// The buffer is full because events were not popped; dropped. See
    /// [`ReorderBuffer::pop`].
    Overflow,
}

#[derive(Debug, Clone)]
struct Slot<T> {
    seq: u64,
    arrival: Instant,
    item: T,
}

/// A reorder (jitter) buffer for the packets of one source, with a bounded size and a
/// bounded wait.
///
/// Packets are pushed as they arrive with the caller's `now`; [`ReorderBuffer::pop`]
/// hands them back in sequence-number order. A packet that follows the last one released
/// is released at once. When one is missing, later packets wait for it, until either:
///
/// - a waiting packet has waited [`Limits::reorder_wait`]; the missing numbers up to it
///   are reported as [`ReorderEvent::Lost`];
/// - or a new packet lies [`Limits::reorder_packets`] or more beyond the first missing
///   one: the oldest numbers are released (and holes reported lost) to make room.
///
/// The first packet pushed defines the start; a packet numbered before a released one is
/// [`PushOutcome::Late`]. Sequence numbers are unwrapped as in
/// [RFC 3550 A.1](https://www.rfc-editor.org/rfc/rfc3550#appendix-A.1), and a sender
/// restart (two sequential packets after a large jump) is a [`ReorderEvent::Restart`].
///
/// **Contract:** after each [`ReorderBuffer::push`], and when the
/// [`ReorderBuffer::poll_timeout`] deadline passes, call [`ReorderBuffer::pop`] until it
/// returns `None`. The buffer holds at most `reorder_packets` packets waiting for order
/// plus as many released but not yet popped; beyond that, new packets are dropped as
/// [`PushOutcome::Overflow`]. Nothing is allocated after construction except the event
/// queue growing up to that bound.
///
/// ```
/// use rtsp_proto::rtp::{Limits, ReorderBuffer, ReorderEvent, SeqNo};
/// use std::time::{Duration, Instant};
///
/// let t0 = Instant::now();
/// let mut buf = ReorderBuffer::new(&Limits::default());
/// for seq in [10u16, 12, 11, 14] {
///     buf.push(t0, seq, seq);
/// }
/// let mut out = Vec::new();
/// while let Some(ev) = buf.pop(t0) { out.push(ev); }
/// assert_eq!(out.len(), 3); // 10, 11, 12; 14 waits for 13
/// let deadline = buf.poll_timeout().unwrap();
/// assert_eq!(deadline, t0 + Duration::from_millis(500));
/// assert_eq!(buf.pop(deadline), Some(ReorderEvent::Lost { first: SeqNo(13), count: 1 }));
/// assert_eq!(buf.pop(deadline), Some(ReorderEvent::Packet { seq: SeqNo(14), item: 14 }));
/// ```
#[derive(Debug, Clone)]
pub struct ReorderBuffer<T> {
    slots: Vec<Option<Slot<T>>>,
    wait: Duration,
    /// The next extended number to release; `None` before the first packet.
    next: Option<u64>,
    /// The highest extended number accepted.
    highest: u64,
    held: usize,
    ready: VecDeque<ReorderEvent<T>>,
    ready_packets: usize,
    aside: Option<(u16, Slot<T>)>,
    late: u64,
    duplicates: u64,
    overflows: u64,
    lost: u64,
}

impl<T> ReorderBuffer<T> {
    /// An empty buffer bounded by `limits` (`reorder_packets` is capped at
    /// [`Limits::MAX_REORDER_PACKETS`]).
    pub fn new(limits: &Limits) -> ReorderBuffer<T> {
        let cap = limits
            .reorder_packets
            .get()
            .min(Limits::MAX_REORDER_PACKETS);
        let mut slots = Vec::with_capacity(cap);
        slots.resize_with(cap, || None);
        ReorderBuffer {
            slots,
            wait: limits.reorder_wait,
            next: None,
            highest: 0,
            held: 0,
            ready: VecDeque::new(),
            ready_packets: 0,
            aside: None,
            late: 0,
            duplicates: 0,
            overflows: 0,
            lost: 0,
        }
    }

    fn cap(&self) -> u64 {
        self.slots.len() as u64
    }

    /// Most packets the buffer can hold, counting released ones not yet popped and the one
    /// held aside after a jump.
    pub fn capacity(&self) -> usize {
        2 * self.slots.len() + 1
    }

    /// Packets held: waiting, released but not popped, and held aside.
    pub fn len(&self) -> usize {
        self.held + self.ready_packets + usize::from(self.aside.is_some())
    }

    /// Whether no packet is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Packets dropped as [`PushOutcome::Late`].
    pub fn late(&self) -> u64 {
        self.late
    }

    /// Packets dropped as [`PushOutcome::Duplicate`].
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// Packets dropped as [`PushOutcome::Overflow`].
    pub fn overflows(&self) -> u64 {
        self.overflows
    }

    /// Sequence numbers reported in [`ReorderEvent::Lost`] events so far.
    pub fn lost(&self) -> u64 {
        self.lost
    }

    fn slot_index(&self, seq: u64) -> usize {
        (seq % self.cap()) as usize
    }

    fn has_room(&self, extra: usize) -> bool {
        self.held + self.ready_packets + extra <= 2 * self.slots.len()
    }

    /// Adds a packet with wire sequence number `seq`, arrived at `now`.
    pub fn push(&mut self, now: Instant, seq: u16, item: T) -> PushOutcome {
        let Some(next) = self.next else {
            self.next = Some(u64::from(seq));
            self.highest = u64::from(seq);
            self.store(u64::from(seq), now, item);
            return PushOutcome::Accepted;
        };
        let udelta = seq.wrapping_sub(self.highest as u16);
        let ext = if udelta < MAX_DROPOUT {
            self.highest + u64::from(udelta)
        } else if udelta > u16::MAX - MAX_MISORDER + 1 {
            let back = u64::from(u16::MAX - udelta) + 1;
            match self.highest.checked_sub(back) {
                Some(ext) => ext,
                None => {
                    self.late += 1;
                    return PushOutcome::Late;
                }
            }
        } else {
            return self.jump(now, seq, item);
        };
        if ext < next {
            self.late += 1;
            return PushOutcome::Late;
        }
        if self
            .slots
            .get(self.slot_index(ext))
            .is_some_and(|s| s.as_ref().is_some_and(|s| s.seq == ext))
        {
            self.duplicates += 1;
            return PushOutcome::Duplicate;
        }
        if !self.has_room(1) {
            self.overflows += 1;
            return PushOutcome::Overflow;
        }
        if ext >= next + self.cap() {
            self.release_until(ext + 1 - self.cap());
        }
        self.highest = self.highest.max(ext);
        self.store(ext, now, item);
        PushOutcome::Accepted
    }

    fn jump(&mut self, now: Instant, seq: u16, item: T) -> PushOutcome {
        let confirmed = self.aside.as_ref().is_some_and(|(s, slot)| {
            s.wrapping_add(1) == seq && now.saturating_duration_since(slot.arrival) <= self.wait
        });
        if !confirmed {
            self.aside = Some((
                seq,
                Slot {
                    seq: 0,
                    arrival: now,
                    item,
                },
            ));
            return PushOutcome::Jump;
        }
        if !self.has_room(2) {
            self.overflows += 1;
            return PushOutcome::Overflow;
        }
        let Some((first, aside)) = self.aside.take() else {
            return PushOutcome::Jump;
        };
        // Release everything of the old numbering, holes reported lost only between
        // packets actually held.
        let end = self.highest + 1;
        if let Some(next) = self.next {
            if self.held > 0 {
                self.release_until(end);
            } else {
                self.next = Some(next.max(end));
            }
        }
        let base = (self.highest | 0xFFFF) + 1 + u64::from(first);
        self.ready
            .push_back(ReorderEvent::Restart { seq: SeqNo(base) });
        self.next = Some(base);
        self.highest = base + 1;
        self.store(base, aside.arrival, aside.item);
        if self.cap() < 2 {
            // A one-packet window: the first packet of the new numbering is ready at once.
            self.release_until(base + 1);
        }
        self.store(base + 1, now, item);
        PushOutcome::Restart
    }

    fn store(&mut self, seq: u64, arrival: Instant, item: T) {
        let idx = self.slot_index(seq);
        if let Some(slot) = self.slots.get_mut(idx) {
            debug_assert!(slot.is_none());
            *slot = Some(Slot { seq, arrival, item });
            self.held += 1;
        }
    }

    /// Moves every held packet numbered below `end` to the ready queue, with losses for
    /// the holes, and sets `next` to `end`.
    fn release_until(&mut self, end: u64) {
        let Some(mut next) = self.next else { return };
        let mut hole_start: Option<u64> = None;
        while next < end {
            if self.held == 0 {
                // Nothing more held: the rest is one hole.
                hole_start.get_or_insert(next);
                next = end;
                break;
            }
            let idx = self.slot_index(next);
            match self.slots.get_mut(idx).and_then(Option::take) {
                Some(slot) => {
                    self.held -= 1;
                    if let Some(first) = hole_start.take() {
                        self.push_lost(first, next - first);
                    }
                    self.ready.push_back(ReorderEvent::Packet {
                        seq: SeqNo(slot.seq),
                        item: slot.item,
                    });
                    self.ready_packets += 1;
                }
                None => {
                    hole_start.get_or_insert(next);
                }
            }
            next += 1;
        }
        if let Some(first) = hole_start {
            self.push_lost(first, next - first);
        }
        self.next = Some(next);
    }

    fn push_lost(&mut self, first: u64, count: u64) {
        self.lost += count;
        if let Some(ReorderEvent::Lost { first: f, count: c }) = self.ready.back_mut() {
            if f.0 + *c == first {
                *c += count;
                return;
            }
        }
        self.ready.push_back(ReorderEvent::Lost {
            first: SeqNo(first),
            count,
        });
    }

    /// The earliest arrival among held packets.
    fn oldest_arrival(&self) -> Option<Instant> {
        self.slots.iter().flatten().map(|s| s.arrival).min()
    }

    /// The next event in order, or `None` when the next packet is missing and no held
    /// packet has waited its full [`Limits::reorder_wait`] by `now`.
    pub fn pop(&mut self, now: Instant) -> Option<ReorderEvent<T>> {
        if let Some(ev) = self.ready.pop_front() {
            if matches!(ev, ReorderEvent::Packet { .. }) {
                self.ready_packets -= 1;
            }
            return Some(ev);
        }
        let next = self.next?;
        if self.held == 0 {
            return None;
        }
        let idx = self.slot_index(next);
        if let Some(slot) = self.slots.get_mut(idx).and_then(Option::take) {
            self.held -= 1;
            self.next = Some(next + 1);
            return Some(ReorderEvent::Packet {
                seq: SeqNo(slot.seq),
                item: slot.item,
            });
        }
        let oldest = self.oldest_arrival()?;
        if now.saturating_duration_since(oldest) < self.wait {
            return None;
        }
        // Give up the hole up to the first held packet.
        let first_held = (1..self.cap()).map(|d| next + d).find(|s| {
            self.slots
                .get(self.slot_index(*s))
                .is_some_and(|slot| slot.as_ref().is_some_and(|slot| slot.seq == *s))
        })?;
        self.lost += first_held - next;
        self.next = Some(first_held);
        Some(ReorderEvent::Lost {
            first: SeqNo(next),
            count: first_held - next,
        })
    }

    /// When [`ReorderBuffer::pop`] will next have something to release by timeout: the
    /// oldest waiting packet's arrival plus [`Limits::reorder_wait`]. `None` if nothing
    /// waits. (Events ready now are not a timeout: pop them after each push.)
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.held == 0 {
            return None;
        }
        let next = self.next?;
        let next_present = self
            .slots
            .get(self.slot_index(next))
            .is_some_and(|s| s.is_some());
        if next_present {
            return None;
        }
        self.oldest_arrival()?.checked_add(self.wait)
    }

    /// Drops everything and forgets the numbering; the next packet starts afresh.
    pub fn clear(&mut self) {
        self.slots.iter_mut().for_each(|s| *s = None);
        self.ready.clear();
        self.held = 0;
        self.ready_packets = 0;
        self.aside = None;
        self.next = None;
        self.highest = 0;
    }

    /// Releases every held packet in order (holes between them reported lost), for the
    /// end of a stream; [`ReorderBuffer::pop`] then returns them.
    pub fn flush(&mut self) {
        if self.held > 0 {
            self.release_until(self.highest + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::num::NonZeroUsize;

    fn limits(n: usize, ms: u64) -> Limits {
        Limits {
            reorder_packets: NonZeroUsize::new(n).unwrap(),
            reorder_wait: Duration::from_millis(ms),
        }
    }

    fn drain<T>(b: &mut ReorderBuffer<T>, now: Instant) -> Vec<ReorderEvent<T>> {
        std::iter::from_fn(|| b.pop(now)).collect()
    }

    fn pkt(seq: u64, item: u16) -> ReorderEvent<u16> {
        ReorderEvent::Packet {
            seq: SeqNo(seq),
            item,
        }
    }

    #[test]
    fn in_order_wrap_and_late() {
        let t = crate::rtp::test_origin();
        let mut b = ReorderBuffer::new(&limits(8, 100));
        let mut out = Vec::new();
        for s in [65534u16, 65535, 0, 1] {
            assert_eq!(b.push(t, s, s), PushOutcome::Accepted);
            out.extend(drain(&mut b, t));
        }
        assert_eq!(
            out,
            vec![
                pkt(65534, 65534),
                pkt(65535, 65535),
                pkt(65536, 0),
                pkt(65537, 1)
            ]
        );
        assert_eq!(b.push(t, 0, 0), PushOutcome::Late);
        assert_eq!(b.push(t, 65533, 0), PushOutcome::Late);
        assert_eq!(b.poll_timeout(), None);
    }

    #[test]
    fn duplicate_while_waiting() {
        let t = crate::rtp::test_origin();
        let mut b = ReorderBuffer::new(&limits(8, 100));
        b.push(t, 1, 1);
        drain(&mut b, t);
        assert_eq!(b.push(t, 3, 3), PushOutcome::Accepted);
        assert_eq!(b.push(t, 3, 3), PushOutcome::Duplicate);
        assert!(drain(&mut b, t).is_empty());
        assert_eq!(b.push(t, 2, 2), PushOutcome::Accepted);
        assert_eq!(drain(&mut b, t), vec![pkt(2, 2), pkt(3, 3)]);
    }

    #[test]
    fn window_overflow_releases_oldest() {
        let t = crate::rtp::test_origin();
        let mut b = ReorderBuffer::new(&limits(4, 1000));
        b.push(t, 0, 0);
        drain(&mut b, t);
        for s in [2u16, 3, 4] {
            b.push(t, s, s);
        }
        assert!(drain(&mut b, t).is_empty());
        // 5 does not fit in [1, 5): release 1 (lost) and 2..=4.
        b.push(t, 5, 5);
        assert_eq!(
            drain(&mut b, t),
            vec![
                ReorderEvent::Lost {
                    first: SeqNo(1),
                    count: 1
                },
                pkt(2, 2),
                pkt(3, 3),
                pkt(4, 4),
                pkt(5, 5)
            ]
        );
        // A forward gap larger than the window: 6..=96 are given up at once, 97..=99
        // may still arrive within the wait.
        b.push(t, 100, 100);
        assert_eq!(
            drain(&mut b, t),
            vec![ReorderEvent::Lost {
                first: SeqNo(6),
                count: 91
            }]
        );
        assert_eq!(b.lost(), 92);
        assert_eq!(b.push(t, 98, 98), PushOutcome::Accepted);
        let later = t + Duration::from_secs(1);
        assert_eq!(
            drain(&mut b, later),
            vec![
                ReorderEvent::Lost {
                    first: SeqNo(97),
                    count: 1
                },
                pkt(98, 98),
                ReorderEvent::Lost {
                    first: SeqNo(99),
                    count: 1
                },
                pkt(100, 100)
            ]
        );
        assert_eq!(b.lost(), 94);
    }

    #[test]
    fn timeout_releases_up_to_oldest_waiting() {
        let t = crate::rtp::test_origin();
        let mut b = ReorderBuffer::new(&limits(16, 100));
        b.push(t, 0, 0);
        drain(&mut b, t);
        b.push(t, 5, 5);
        let t1 = t + Duration::from_millis(50);
        b.push(t1, 3, 3);
        assert!(drain(&mut b, t1).is_empty());
        assert_eq!(b.poll_timeout(), Some(t + Duration::from_millis(100)));
        assert!(drain(&mut b, t + Duration::from_millis(99)).is_empty());
        // 5 has waited 100 ms: release through 5.
        assert_eq!(
            drain(&mut b, t + Duration::from_millis(100)),
            vec![
                ReorderEvent::Lost {
                    first: SeqNo(1),
                    count: 2
                },
                pkt(3, 3),
                ReorderEvent::Lost {
                    first: SeqNo(4),
                    count: 1
                },
                pkt(5, 5)
            ]
        );
        assert_eq!(b.poll_timeout(), None);
    }

    #[test]
    fn restart_after_two_sequential() {
        let t = crate::rtp::test_origin();
        let mut b = ReorderBuffer::new(&limits(8, 100));
        b.push(t, 100, 100);
        b.push(t, 102, 102);
        assert_eq!(drain(&mut b, t), vec![pkt(100, 100)]);
        assert_eq!(b.push(t, 40000, 40000), PushOutcome::Jump);
        assert_eq!(b.push(t, 9000, 9000), PushOutcome::Jump);
        assert_eq!(b.push(t, 9001, 9001), PushOutcome::Restart);
        assert_eq!(b.push(t, 9002, 9002), PushOutcome::Accepted);
        assert_eq!(
            drain(&mut b, t),
            vec![
                ReorderEvent::Lost {
                    first: SeqNo(101),
                    count: 1
                },
                pkt(102, 102),
                ReorderEvent::Restart {
                    seq: SeqNo(65536 + 9000)
                },
                pkt(65536 + 9000, 9000),
                pkt(65536 + 9001, 9001),
                pkt(65536 + 9002, 9002),
            ]
        );
    }

    #[test]
    fn overflow_when_not_popped() {
        let t = crate::rtp::test_origin();
        let mut b = ReorderBuffer::new(&limits(2, 100));
        let mut outcomes = Vec::new();
        for s in 0..10u16 {
            outcomes.push(b.push(t, s * 3, s));
            assert!(b.len() <= b.capacity());
        }
        assert!(outcomes.contains(&PushOutcome::Overflow));
        assert!(b.overflows() > 0);
        let evs = drain(&mut b, t);
        let seqs: Vec<u64> = evs
            .iter()
            .filter_map(|e| match e {
                ReorderEvent::Packet { seq, .. } => Some(seq.0),
                _ => None,
            })
            .collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]));
        b.flush();
        assert!(drain(&mut b, t).len() <= 2);
        assert!(b.is_empty());
    }
}
