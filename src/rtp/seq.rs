//! Sequence-number and timestamp unwrapping, and the source validation of
//! [RFC 3550 A.1](https://www.rfc-editor.org/rfc/rfc3550#appendix-A.1).

use super::SeqNo;

/// Largest forward step still taken as "in order, with a gap" (A.1 `MAX_DROPOUT`).
pub(crate) const MAX_DROPOUT: u16 = 3000;
/// Largest backward step still taken as "late or duplicate" (A.1 `MAX_MISORDER`).
pub(crate) const MAX_MISORDER: u16 = 100;
/// Sequential packets needed before a new source is valid (A.1 `MIN_SEQUENTIAL`).
const MIN_SEQUENTIAL: u8 = 2;
const SEQ_MOD: u64 = 1 << 16;

/// What [`SeqTracker::update`] made of one packet's sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SeqUpdate {
    /// The source is still on probation (fewer than two sequential packets seen); the
    /// packet is not counted.
    Probation,
    /// The newest packet so far; `gap` sequence numbers were skipped before it (0 when it
    /// directly follows the previous one).
    InOrder {
        /// The extended sequence number.
        seq: SeqNo,
        /// Numbers skipped between the previous highest and this one.
        gap: u16,
    },
    /// A duplicate or a late (reordered) packet, within `MAX_MISORDER` (100) of the
    /// highest. It is counted as received, as A.1 does (which is why the cumulative loss
    /// can go negative). `seq` is `None` if it would fall before sequence number 0.
    Late {
        /// The extended sequence number, if it is not before the first.
        seq: Option<SeqNo>,
    },
    /// A large jump (more than `MAX_DROPOUT` forward or `MAX_MISORDER` back); the packet is
    /// discarded unless the next one follows it, which makes a [`SeqUpdate::Restart`].
    Jump,
    /// Two sequential packets after a jump: the sender restarted (or its sequence number
    /// jumped on purpose). The counters restarted at this packet.
    Restart {
        /// The extended sequence number in the restarted numbering.
        seq: SeqNo,
    },
}

impl SeqUpdate {
    /// Whether the packet counts as received (A.1's `update_seq` returned 1).
    pub fn is_valid(&self) -> bool {
        matches!(
            self,
            SeqUpdate::InOrder { .. } | SeqUpdate::Late { .. } | SeqUpdate::Restart { .. }
        )
    }
}

/// The per-source sequence-number state of
/// [RFC 3550 A.1](https://www.rfc-editor.org/rfc/rfc3550#appendix-A.1): probation of a new
/// source, wrap-around counting, late and duplicate packets, and resynchronisation after a
/// large jump.
///
/// ```
/// use rtsp_proto::rtp::{SeqNo, SeqTracker, SeqUpdate};
/// let mut t = SeqTracker::new();
/// assert_eq!(t.update(65535), SeqUpdate::Probation);
/// assert_eq!(t.update(0), SeqUpdate::InOrder { seq: SeqNo(0), gap: 0 });
/// assert_eq!(t.update(2), SeqUpdate::InOrder { seq: SeqNo(2), gap: 1 });
/// assert_eq!(t.update(1), SeqUpdate::Late { seq: Some(SeqNo(1)) });
/// assert_eq!(t.received(), 3);
/// assert_eq!(t.expected(), 3);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeqTracker {
    started: bool,
    max_seq: u16,
    /// Wraps counted, times 65,536.
    cycles: u64,
    base_seq: u64,
    /// The sequence number that would confirm a jump; > 0xFFFF when none.
    bad_seq: u32,
    probation: u8,
    received: u64,
}

impl Default for SeqTracker {
    fn default() -> Self {
        SeqTracker::new()
    }
}

impl SeqTracker {
    /// A tracker for a source not yet heard from.
    pub const fn new() -> SeqTracker {
        SeqTracker {
            started: false,
            max_seq: 0,
            cycles: 0,
            base_seq: 0,
            bad_seq: SEQ_MOD as u32 + 1,
            probation: MIN_SEQUENTIAL,
            received: 0,
        }
    }

    fn init(&mut self, seq: u16) {
        self.base_seq = u64::from(seq);
        self.max_seq = seq;
        self.bad_seq = SEQ_MOD as u32 + 1;
        self.cycles = 0;
        self.received = 0;
    }

    /// Takes one packet's sequence number into account (A.1 `update_seq`).
    pub fn update(&mut self, seq: u16) -> SeqUpdate {
        if !self.started {
            self.started = true;
            self.init(seq);
            self.max_seq = seq.wrapping_sub(1);
            self.probation = MIN_SEQUENTIAL;
        }
        let udelta = seq.wrapping_sub(self.max_seq);
        if self.probation > 0 {
            if seq == self.max_seq.wrapping_add(1) {
                self.probation -= 1;
                self.max_seq = seq;
                if self.probation == 0 {
                    self.init(seq);
                    self.received += 1;
                    return SeqUpdate::InOrder {
                        seq: self.ext(seq),
                        gap: 0,
                    };
                }
            } else {
                self.probation = MIN_SEQUENTIAL - 1;
                self.max_seq = seq;
            }
            return SeqUpdate::Probation;
        }
        let update = if udelta < MAX_DROPOUT {
            if seq < self.max_seq {
                self.cycles += SEQ_MOD;
            }
            self.max_seq = seq;
            SeqUpdate::InOrder {
                seq: self.ext(seq),
                gap: udelta.wrapping_sub(1),
            }
        } else if udelta <= u16::MAX - MAX_MISORDER + 1 {
            // A.1: `udelta <= RTP_SEQ_MOD - MAX_MISORDER`.
            if u32::from(seq) == self.bad_seq {
                self.init(seq);
                SeqUpdate::Restart { seq: self.ext(seq) }
            } else {
                self.bad_seq = u32::from(seq.wrapping_add(1));
                return SeqUpdate::Jump;
            }
        } else {
            let back = u64::from(self.max_seq.wrapping_sub(seq));
            SeqUpdate::Late {
                seq: self.highest().0.checked_sub(back).map(SeqNo),
            }
        };
        self.received += 1;
        update
    }

    fn ext(&self, seq: u16) -> SeqNo {
        SeqNo(self.cycles + u64::from(seq))
    }

    /// Whether the source has passed probation.
    pub fn is_valid(&self) -> bool {
        self.started && self.probation == 0
    }

    /// The extended highest sequence number received (A.3 `extended_max`).
    pub fn highest(&self) -> SeqNo {
        self.ext(self.max_seq)
    }

    /// The first sequence number counted (A.1 `base_seq`).
    pub fn base(&self) -> SeqNo {
        SeqNo(self.base_seq)
    }

    /// Packets counted as received, duplicates included (A.1 `received`).
    pub fn received(&self) -> u64 {
        if self.is_valid() {
            self.received
        } else {
            0
        }
    }

    /// Packets expected: highest − base + 1 (A.3 `expected`), 0 before the source is valid.
    pub fn expected(&self) -> u64 {
        if self.is_valid() {
            (self.highest().0 + 1).saturating_sub(self.base_seq)
        } else {
            0
        }
    }

    /// Cumulative packets lost: expected − received (negative with duplicates).
    pub fn lost(&self) -> i64 {
        i64::try_from(self.expected())
            .unwrap_or(i64::MAX)
            .saturating_sub(i64::try_from(self.received()).unwrap_or(i64::MAX))
    }
}

/// Extends 16-bit sequence numbers to 64 bits, relative to the highest one seen so far.
///
/// A number within 32,767 ahead of the highest is taken as later (possibly wrapped), one
/// within 32,768 behind as earlier. It has no notion of restart; [`SeqTracker`] and
/// [`ReorderBuffer`](super::ReorderBuffer) do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SeqUnwrapper {
    highest: Option<u64>,
}

impl SeqUnwrapper {
    /// An unwrapper that has seen nothing; the first number is taken as is (cycle 0).
    pub const fn new() -> SeqUnwrapper {
        SeqUnwrapper { highest: None }
    }

    /// The extended value of `seq`, or `None` if it would fall before 0 (a packet from
    /// before the first one, across a wrap).
    pub fn unwrap(&mut self, seq: u16) -> Option<SeqNo> {
        let Some(high) = self.highest else {
            self.highest = Some(u64::from(seq));
            return Some(SeqNo(u64::from(seq)));
        };
        let delta = seq.wrapping_sub(high as u16) as i16;
        let ext = high.checked_add_signed(i64::from(delta))?;
        if ext > high {
            self.highest = Some(ext);
        }
        Some(SeqNo(ext))
    }

    /// The highest extended value returned so far.
    pub fn highest(&self) -> Option<SeqNo> {
        self.highest.map(SeqNo)
    }
}

/// Extends 32-bit RTP timestamps to signed 64-bit values, relative to the previous one.
///
/// Timestamps need not increase (B-frames in H.264, repeated timestamps of a fragmented
/// frame), so each value is taken as the nearest one to the previous timestamp: within
/// 2³¹ − 1 ticks ahead or 2³¹ behind. The first timestamp keeps its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimestampUnwrapper {
    last: Option<i64>,
}

impl TimestampUnwrapper {
    /// An unwrapper that has seen nothing.
    pub const fn new() -> TimestampUnwrapper {
        TimestampUnwrapper { last: None }
    }

    /// The extended value of `ts`.
    pub fn unwrap(&mut self, ts: u32) -> i64 {
        let ext = match self.last {
            None => i64::from(ts),
            Some(last) => {
                let delta = ts.wrapping_sub(last as u32) as i32;
                last.saturating_add(i64::from(delta))
            }
        };
        self.last = Some(ext);
        ext
    }

    /// The last extended value returned.
    pub fn last(&self) -> Option<i64> {
        self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tracker_at(seq: u16) -> SeqTracker {
        let mut t = SeqTracker::new();
        assert_eq!(t.update(seq.wrapping_sub(1)), SeqUpdate::Probation);
        assert!(matches!(t.update(seq), SeqUpdate::InOrder { gap: 0, .. }));
        t
    }

    #[test]
    fn probation_resets_on_non_sequential() {
        let mut t = SeqTracker::new();
        assert_eq!(t.update(10), SeqUpdate::Probation);
        assert_eq!(t.update(20), SeqUpdate::Probation);
        assert_eq!(
            t.update(21),
            SeqUpdate::InOrder {
                seq: SeqNo(21),
                gap: 0
            }
        );
        assert_eq!(t.base(), SeqNo(21));
        assert_eq!((t.received(), t.expected(), t.lost()), (1, 1, 0));
    }

    #[test]
    fn wrap_gap_late_duplicate() {
        let mut t = tracker_at(65534);
        assert_eq!(
            t.update(65535),
            SeqUpdate::InOrder {
                seq: SeqNo(65535),
                gap: 0
            }
        );
        assert_eq!(
            t.update(2),
            SeqUpdate::InOrder {
                seq: SeqNo(65538),
                gap: 2
            }
        );
        assert_eq!(
            t.update(0),
            SeqUpdate::Late {
                seq: Some(SeqNo(65536))
            }
        );
        assert_eq!(
            t.update(0),
            SeqUpdate::Late {
                seq: Some(SeqNo(65536))
            }
        );
        assert_eq!(t.highest(), SeqNo(65538));
        // received: 65534, 65535, 2, 0, 0 = 5; expected 65534..=65538 = 5.
        assert_eq!((t.received(), t.expected(), t.lost()), (5, 5, 0));
        assert_eq!(
            t.update(1),
            SeqUpdate::Late {
                seq: Some(SeqNo(65537))
            }
        );
        assert_eq!(t.lost(), -1);
    }

    #[test]
    fn jump_then_restart() {
        let mut t = tracker_at(100);
        assert_eq!(t.update(40000), SeqUpdate::Jump);
        assert_eq!(
            t.update(101),
            SeqUpdate::InOrder {
                seq: SeqNo(101),
                gap: 0
            }
        );
        assert_eq!(t.update(50000), SeqUpdate::Jump);
        assert_eq!(t.update(50001), SeqUpdate::Restart { seq: SeqNo(50001) });
        assert_eq!((t.received(), t.expected()), (1, 1));
        assert_eq!(
            t.update(50002),
            SeqUpdate::InOrder {
                seq: SeqNo(50002),
                gap: 0
            }
        );
        // A step back of more than MAX_MISORDER is a jump too.
        assert_eq!(t.update(50002 - 100), SeqUpdate::Jump);
        assert_eq!(
            t.update(50002 - 99),
            SeqUpdate::Late {
                seq: Some(SeqNo(49903))
            }
        );
    }

    #[test]
    fn dropout_boundary() {
        let mut t = tracker_at(0);
        assert_eq!(
            t.update(2999),
            SeqUpdate::InOrder {
                seq: SeqNo(2999),
                gap: 2998
            }
        );
        assert_eq!(t.update(2999 + 3000), SeqUpdate::Jump);
    }

    #[test]
    fn late_before_start() {
        let mut t = tracker_at(1);
        assert_eq!(t.update(65535), SeqUpdate::Late { seq: None });
    }

    #[test]
    fn unwrappers() {
        let mut u = SeqUnwrapper::new();
        assert_eq!(u.unwrap(65000), Some(SeqNo(65000)));
        assert_eq!(u.unwrap(10), Some(SeqNo(65546)));
        assert_eq!(u.unwrap(65500), Some(SeqNo(65500)));
        assert_eq!(u.highest(), Some(SeqNo(65546)));
        let mut u = SeqUnwrapper::new();
        assert_eq!(u.unwrap(5), Some(SeqNo(5)));
        assert_eq!(u.unwrap(65530), None);

        let mut t = TimestampUnwrapper::new();
        assert_eq!(t.unwrap(10), 10);
        assert_eq!(t.unwrap(u32::MAX - 5), -6);
        assert_eq!(t.unwrap(20), 20);
        assert_eq!(t.unwrap(0x7fff_0000), 0x7fff_0000);
        assert_eq!(t.unwrap(0xfffe_0000), 0xfffe_0000);
        assert_eq!(t.unwrap(5), 0x1_0000_0005);
    }
}
