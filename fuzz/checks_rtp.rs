//! Fuzz checks for the RTP and RTCP layers, in plain Rust on the public API and std, so
//! that the cargo-fuzz targets and `tests/rtp_fuzz_corpus.rs` share them.
//!
//! - [`rtp`]: any datagram either fails to parse or re-builds to the same bytes (padding
//!   filler octets aside, which the builder writes as zero), and its extension elements
//!   iterate to an end.
//! - [`rtcp`]: any datagram's framing and typed packets parse without panic; every typed
//!   packet writes, parses back to an equal value, and writes again to the same bytes.
//! - [`reorder`]: any sequence of pushes and clock advances keeps the reorder buffer
//!   within its capacity, emits strictly increasing sequence numbers, never both emits and
//!   loses a number, and hands back every accepted packet.

#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use rtsp_proto::rtcp::{write_packet, Compound, RawPackets, RtcpPacket, RtcpWrite, ValidationMode};
use rtsp_proto::rtp::{Limits, PushOutcome, ReorderBuffer, ReorderEvent, RtpBuilder, RtpPacket};
use std::collections::BTreeSet;
use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

/// RTP parse → build round trip.
pub fn rtp(data: &[u8]) {
    let Ok(p) = RtpPacket::parse(data) else {
        return;
    };
    let range = p.payload_range();
    assert!(range.start >= 12 && range.start <= range.end && range.end <= data.len());
    assert_eq!(p.header_len(), range.start);
    assert_eq!(p.padding_len(), data.len() - range.end);
    assert_eq!(p.csrcs().count(), usize::from(p.csrc_count()));
    if let Some(ext) = p.extension() {
        assert!(ext.data().len() % 4 == 0);
        if let Some(elements) = ext.elements() {
            let mut total = 0;
            for e in elements {
                match e {
                    Ok(e) => total += e.data.len(),
                    Err(_) => continue,
                }
            }
            assert!(total <= ext.data().len());
        }
    }
    let builder = RtpBuilder::from_packet(&p);
    assert_eq!(builder.encoded_len(), Ok(data.len()));
    let mut out = vec![0u8; data.len()];
    assert_eq!(builder.write(&mut out), Ok(data.len()));
    assert_eq!(out[..range.end], data[..range.end]);
    assert_eq!(out.last(), data.last());
    let q = RtpPacket::parse(&out).expect("re-built packet parses");
    assert_eq!(q.payload(), p.payload());
    assert_eq!(q.csrcs(), p.csrcs());
    assert_eq!(q.extension(), p.extension());
    // A buffer one byte short is an error, not a panic.
    if let Some(short) = out.get_mut(..data.len() - 1) {
        assert!(builder.write(short).is_err());
    }
}

fn rtcp_packet(packet: &RtcpPacket<'_>, padding: usize) {
    let mut out = vec![0u8; packet.encoded_len() + padding];
    let n = match write_packet(packet, padding, &mut out) {
        Ok(n) => n,
        // A parsed packet may hold more items than a builder accepts? Not so: every
        // count came from a 5-bit field, every length from the wire.
        Err(e) => panic!("parsed packet does not write: {e} {packet:?}"),
    };
    assert_eq!(n, out.len());
    let again = RtcpPacket::parse(&out).expect("written packet parses");
    assert_eq!(&again, packet);
    let mut out2 = vec![0u8; n];
    write_packet(&again, padding, &mut out2).unwrap();
    assert_eq!(out, out2);
}

/// RTCP compound parse, typed parse → write → parse.
pub fn rtcp(data: &[u8]) {
    for mode in [ValidationMode::Strict, ValidationMode::ReducedSize] {
        if let Ok(c) = Compound::parse(data, mode) {
            let raw_len: usize = c.raw().map(|r| r.unwrap().bytes.len()).sum();
            assert_eq!(raw_len, data.len());
            for p in c.flatten() {
                rtcp_packet(&p, 0);
            }
        }
    }
    for raw in RawPackets::new(data) {
        let Ok(raw) = raw else { break };
        assert_eq!(raw.bytes.len(), 4 + raw.body.len() + raw.padding_len());
        if let Ok(p) = raw.parse() {
            let pad = raw.padding_len();
            rtcp_packet(&p, if pad % 4 == 0 { pad } else { 0 });
            if let RtcpPacket::SourceDescription(s) = p {
                let _ = s.cname();
                for chunk in s.chunks {
                    assert!(chunk.items.count() <= raw.body.len());
                }
            }
        }
    }
}

/// Reorder buffer driven by `data`: byte 0 sets the window (1..=64 packets), byte 1 the
/// wait (ms); then each 3-byte op is either a clock advance of `b1` ms and a drain
/// (`b0 & 0x80`), or a push of sequence number `b1 b2` (absolute when `b0 & 1`, else an
/// `i8` step `b1` from the previous one).
pub fn reorder(data: &[u8]) {
    let Some((&[w, ms], ops)) = data.split_first_chunk::<2>() else {
        return;
    };
    let limits = {
        let mut l = Limits::default();
        l.reorder_packets = NonZeroUsize::new(usize::from(w % 64) + 1).unwrap();
        l.reorder_wait = Duration::from_millis(u64::from(ms));
        l
    };
    #[allow(clippy::disallowed_methods)]
    let t0 = Instant::now();
    let mut now = t0;
    let mut buf: ReorderBuffer<u32> = ReorderBuffer::new(&limits);
    let mut last_seq: u16 = 0;
    let mut emitted: Vec<u64> = Vec::new();
    let mut lost: BTreeSet<u64> = BTreeSet::new();
    let mut accepted = 0usize;
    let mut index = 0u32;
    let mut last_event_seq: Option<u64> = None;
    let mut drain = |buf: &mut ReorderBuffer<u32>,
                     now: Instant,
                     emitted: &mut Vec<u64>,
                     lost: &mut BTreeSet<u64>| {
        let mut guard = 0;
        while let Some(ev) = buf.pop(now) {
            guard += 1;
            assert!(guard < 100_000, "pop does not terminate");
            match ev {
                ReorderEvent::Packet { seq, .. } => {
                    assert!(last_event_seq.is_none_or(|l| seq.0 > l), "order");
                    assert!(!lost.contains(&seq.0), "emitted after lost");
                    last_event_seq = Some(seq.0);
                    emitted.push(seq.0);
                }
                ReorderEvent::Lost { first, count } => {
                    assert!(count > 0);
                    assert!(last_event_seq.is_none_or(|l| first.0 > l), "loss order");
                    // Bound the bookkeeping, not the buffer: counts can be large.
                    for s in first.0..first.0 + count.min(70_000) {
                        assert!(lost.insert(s), "lost twice");
                    }
                    last_event_seq = Some(first.0 + count - 1);
                }
                ReorderEvent::Restart { seq } => {
                    assert!(last_event_seq.is_none_or(|l| seq.0 > l), "restart order");
                    last_event_seq = Some(seq.0 - 1);
                }
                _ => {}
            }
        }
    };
    for op in ops.chunks_exact(3) {
        let (b0, b1, b2) = (op[0], op[1], op[2]);
        if b0 & 0x80 != 0 {
            now += Duration::from_millis(u64::from(b1));
            drain(&mut buf, now, &mut emitted, &mut lost);
            // Drained: the next deadline, if any, is in the future.
            if let Some(t) = buf.poll_timeout() {
                assert!(
                    t > now,
                    "deadline {t:?} not after {now:?} with nothing to pop"
                );
            }
            continue;
        }
        let seq = if b0 & 1 != 0 {
            u16::from_be_bytes([b1, b2])
        } else {
            last_seq.wrapping_add_signed(i16::from(b1 as i8))
        };
        last_seq = seq;
        index += 1;
        match buf.push(now, seq, index) {
            PushOutcome::Accepted => accepted += 1,
            PushOutcome::Restart => accepted += 2,
            _ => {}
        }
        assert!(
            buf.len() <= buf.capacity(),
            "{} > {}",
            buf.len(),
            buf.capacity()
        );
        // Drain after most pushes, as the contract asks; skip some to exercise overflow.
        if b0 & 0x40 == 0 {
            drain(&mut buf, now, &mut emitted, &mut lost);
        }
    }
    buf.flush();
    drain(&mut buf, now, &mut emitted, &mut lost);
    // Only a packet held aside after a jump may remain.
    assert!(buf.len() <= 1, "{} left after flush", buf.len());
    assert_eq!(emitted.len(), accepted, "every accepted packet comes out");
}
