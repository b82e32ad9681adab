//! Receiver statistics, the reorder buffer and the RTP→wall-clock mapping over real corpus
//! streams, checked against independent computations written here.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod rtp_common;

use rtp_common::{data_file, load, Line};
use rtsp_proto::rtcp::{Compound, RtcpPacket, ValidationMode};
use rtsp_proto::rtp::{
    Limits, PushOutcome, ReceiverStats, ReorderBuffer, ReorderEvent, RtpPacket, SeqNo,
};
use rtsp_proto::time::{NtpTimestamp, RtpClock};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

#[allow(clippy::disallowed_methods)]
fn origin() -> Instant {
    Instant::now()
}

/// (arrival seconds, seq, timestamp) of the server's RTP packets of one stream.
fn stream(session: &str, stream: usize) -> Vec<(f64, u16, u32)> {
    load(&data_file(session))
        .into_iter()
        .filter(|l: &Line| l.kind == "rtp" && l.dir == "s2c" && l.stream == Some(stream))
        .map(|l| {
            let p = RtpPacket::parse(&l.bytes).unwrap();
            (l.t, p.sequence_number(), p.timestamp())
        })
        .collect()
}

/// The reference: RFC 3550 A.1/A.3/A.8 restated plainly, in floating point for the jitter.
struct Reference {
    received: u64,
    base: i64,
    highest: i64,
    jitter: f64,
}

fn reference(packets: &[(f64, u16, u32)], clock_rate: f64) -> Reference {
    // Extended numbers: nearest to the previous highest.
    let mut highest: Option<i64> = None;
    let mut ext = Vec::new();
    for &(_, seq, _) in packets {
        let e = match highest {
            None => i64::from(seq),
            Some(h) => {
                let d = i64::from(seq.wrapping_sub(h as u16) as i16);
                h + d
            }
        };
        highest = Some(highest.map_or(e, |h| h.max(e)));
        ext.push(e);
    }
    // The first packet is the probation packet; counting starts at the second.
    let counted = &packets[1..];
    let base = ext[1];
    let mut jitter = 0.0;
    for w in counted.windows(2) {
        let (r0, _, s0) = w[0];
        let (r1, _, s1) = w[1];
        let ds = f64::from(s1.wrapping_sub(s0) as i32);
        let d = (r1 - r0) * clock_rate - ds;
        jitter += (d.abs() - jitter) / 16.0;
    }
    Reference {
        received: counted.len() as u64,
        base,
        highest: ext[1..].iter().copied().max().unwrap(),
        jitter,
    }
}

fn run_stats(packets: &[(f64, u16, u32)], clock_rate: u32) -> ReceiverStats {
    let t0 = origin();
    let ssrc = rtsp_proto::rtp::Ssrc(1);
    let mut s = ReceiverStats::new(ssrc, clock_rate);
    for &(t, seq, ts) in packets {
        s.handle_packet(t0 + Duration::from_secs_f64(t), seq, ts);
    }
    s
}

fn check(packets: &[(f64, u16, u32)], clock_rate: u32, what: &str) {
    let r = reference(packets, f64::from(clock_rate));
    let mut s = run_stats(packets, clock_rate);
    let expected = (r.highest - r.base + 1) as u64;
    assert_eq!(s.received(), r.received, "{what}");
    assert_eq!(s.expected(), expected, "{what}");
    assert_eq!(s.lost(), expected as i64 - r.received as i64, "{what}");
    assert_eq!(s.extended_highest_seq(), SeqNo(r.highest as u64), "{what}");
    let j = f64::from(s.jitter());
    // A.8's integer form truncates arrival times to whole ticks and rounds J/16.
    assert!(
        (j - r.jitter).abs() <= 2.0 + 0.05 * r.jitter,
        "{what}: jitter {j} vs reference {}",
        r.jitter
    );
    let block = s.report_block(origin()).unwrap();
    assert_eq!(block.extended_highest_seq, r.highest as u32);
    assert_eq!(i64::from(block.cumulative_lost), s.lost());
    eprintln!(
        "{what}: received {} expected {} lost {} jitter {} (reference {:.2})",
        s.received(),
        s.expected(),
        s.lost(),
        s.jitter(),
        r.jitter
    );
}

#[test]
fn corpus_streams_match_reference() {
    check(&stream("ffmpeg_udp__gst_h264", 0), 90_000, "h264 udp");
    check(&stream("gst_udp__gst_av", 0), 90_000, "av video");
    check(&stream("gst_udp__gst_av", 1), 44_100, "av audio");
    check(&stream("ffmpeg_tcp__gst_pcmu", 0), 8_000, "pcmu tcp");
    check(&stream("ffmpeg_tcp__gst_mjpeg", 0), 90_000, "mjpeg tcp");
}

/// The corpus stream with losses, reordering and a duplicate, deterministically.
fn perturbed(packets: &[(f64, u16, u32)]) -> (Vec<(f64, u16, u32)>, BTreeSet<u16>) {
    let mut out = Vec::new();
    let mut dropped = BTreeSet::new();
    for (i, &p) in packets.iter().enumerate() {
        if i > 2 && i % 7 == 3 {
            dropped.insert(p.1);
            continue;
        }
        out.push(p);
    }
    for i in (5..out.len() - 1).step_by(11) {
        // Swap contents but keep arrival times increasing.
        let (a, b) = (out[i], out[i + 1]);
        out[i] = (a.0, b.1, b.2);
        out[i + 1] = (b.0, a.1, a.2);
    }
    let dup = out[20];
    out.insert(21, (dup.0 + 0.0001, dup.1, dup.2));
    (out, dropped)
}

#[test]
fn perturbed_stream_matches_reference_and_fraction_lost() {
    let packets = stream("gst_udp__gst_av", 0);
    let (p, dropped) = perturbed(&packets);
    check(&p, 90_000, "perturbed video");

    // Fraction lost over two intervals, against a direct count.
    let t0 = origin();
    let mut s = ReceiverStats::new(rtsp_proto::rtp::Ssrc(1), 90_000);
    let half = p.len() / 2;
    for &(t, seq, ts) in &p[..half] {
        s.handle_packet(t0 + Duration::from_secs_f64(t), seq, ts);
    }
    let b1 = s.report_block(t0).unwrap();
    let (exp1, rec1) = (s.expected(), s.received());
    for &(t, seq, ts) in &p[half..] {
        s.handle_packet(t0 + Duration::from_secs_f64(t), seq, ts);
    }
    let b2 = s.report_block(t0).unwrap();
    let (exp2, rec2) = (s.expected() - exp1, s.received() - rec1);
    let frac = |e: u64, r: u64| if r >= e { 0 } else { ((e - r) * 256 / e) as u8 };
    assert_eq!(b1.fraction_lost, frac(exp1, rec1));
    assert_eq!(b2.fraction_lost, frac(exp2, rec2));
    assert!(b1.fraction_lost > 0 && b2.fraction_lost > 0);
    // Every 7th packet dropped, one duplicate: cumulative = dropped - 1 (within the counted
    // range).
    assert_eq!(s.lost(), dropped.len() as i64 - 1);
}

#[test]
fn reorder_buffer_restores_corpus_order() {
    let packets = stream("gst_udp__gst_av", 0);
    let (p, dropped) = perturbed(&packets);
    let t0 = origin();
    let mut buf = ReorderBuffer::new(&Limits::default());
    let mut emitted = Vec::new();
    let mut lost = Vec::new();
    let mut outcomes = Vec::new();
    let mut handle = |ev: ReorderEvent<u32>| match ev {
        ReorderEvent::Packet { seq, .. } => emitted.push(seq.0),
        ReorderEvent::Lost { first, count } => lost.extend(first.0..first.0 + count),
        other => panic!("{other:?}"),
    };
    for &(t, seq, ts) in &p {
        let now = t0 + Duration::from_secs_f64(t);
        // Deadlines that passed before this arrival fire first.
        while let Some(deadline) = buf.poll_timeout() {
            if deadline > now {
                break;
            }
            while let Some(ev) = buf.pop(deadline) {
                handle(ev);
            }
        }
        outcomes.push(buf.push(now, seq, ts));
        while let Some(ev) = buf.pop(now) {
            handle(ev);
        }
    }
    buf.flush();
    while let Some(ev) = buf.pop(t0) {
        handle(ev);
    }
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| **o == PushOutcome::Duplicate)
            .count()
            + outcomes.iter().filter(|o| **o == PushOutcome::Late).count(),
        1
    );
    assert!(emitted.windows(2).all(|w| w[0] < w[1]));
    let first = u64::from(p[0].1);
    let all: BTreeSet<u64> = emitted.iter().chain(&lost).copied().collect();
    assert_eq!(
        all.len(),
        emitted.len() + lost.len(),
        "no number both emitted and lost"
    );
    assert_eq!(*all.first().unwrap(), first);
    assert_eq!(
        all.len() as u64,
        all.last().unwrap() - first + 1,
        "contiguous"
    );
    let lost_wire: BTreeSet<u16> = lost.iter().map(|&s| s as u16).collect();
    assert_eq!(lost_wire, dropped);
}

#[test]
fn audio_and_video_map_to_the_same_wall_clock() {
    // gst-rtsp-server sends one SR per stream; both streams come from one pipeline clock.
    let lines = load(&data_file("gst_udp__gst_av"));
    let mut clocks = [RtpClock::new(90_000), RtpClock::new(44_100)];
    let mut arrival_base: Option<f64> = None;
    for l in lines.iter().filter(|l| l.dir == "s2c" && l.kind == "rtcp") {
        for p in Compound::parse(&l.bytes, ValidationMode::Strict).unwrap() {
            if let Ok(RtcpPacket::SenderReport(sr)) = p {
                let ntp = sr.info.ntp;
                clocks[l.stream.unwrap()].handle_sender_report(ntp, sr.info.rtp_timestamp);
                // Sender and receiver share the machine's clock: wall = base + t.
                arrival_base.get_or_insert(ntp.0 as f64 / 4_294_967_296.0 - l.t);
            }
        }
    }
    // Map every packet, before and after the SRs, with each stream's mapping.
    let base = arrival_base.unwrap();
    let mut offsets: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for l in lines.iter().filter(|l| l.dir == "s2c" && l.kind == "rtp") {
        let stream = l.stream.unwrap();
        let p = RtpPacket::parse(&l.bytes).unwrap();
        let wall = clocks[stream].wall_clock(p.timestamp()).unwrap();
        offsets[stream].push(wall.0 as f64 / 4_294_967_296.0 - (base + l.t));
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    for (i, o) in offsets.iter().enumerate() {
        assert!(o.len() > 50, "stream {i}: {} packets after its SR", o.len());
        // Media time leads arrival by at most the sender's packetisation burst.
        assert!(
            o.iter().all(|d| (-0.01..0.1).contains(d)),
            "stream {i}: {o:?}"
        );
    }
    assert!((mean(&offsets[0]) - mean(&offsets[1])).abs() < 0.02);
    // No SR, no mapping (QUIRKS.md 53: some cameras never send one).
    assert_eq!(RtpClock::new(90_000).wall_clock(0), None::<NtpTimestamp>);
}
