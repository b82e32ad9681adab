//! Zero allocations per packet: RTP parse and build, RTCP compound parse and build, and
//! the per-packet receive path (statistics, reorder buffer), counted with a counting
//! global allocator (`stats_alloc`, so that the test needs no `unsafe`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use rtsp_proto::rtcp::{
    write_report, Compound, RawPackets, ReportConfig, RtcpPacket, SenderInfo, ValidationMode,
};
use rtsp_proto::rtp::{
    ExtensionElement, ExtensionForm, Limits, PayloadType, ReceiverStats, ReorderBuffer, RtpBuilder,
    RtpPacket, SenderStats, Ssrc,
};
use rtsp_proto::time::NtpTimestamp;
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use std::alloc::System;
use std::time::{Duration, Instant};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Allocations (and reallocations) made while `f` runs; this file holds one test only, so
/// no other test thread allocates meanwhile.
fn count<R>(f: impl FnOnce() -> R) -> (usize, R) {
    let region = Region::new(GLOBAL);
    let r = f();
    let c = region.change();
    (c.allocations + c.reallocations, r)
}

const GST_SR_SDES: &str = "80c80006b37f05e8eeb1a472a9bdb5d8746b3cc7000000bb00019b9881ca000cb37f05e8011b7573657237383238303337393740686f73742d336330656638393506094753747265616d657200000000";
const GST_RR_SDES: &str = "81c9000702e73fc5d74ca3a300ffffff000013f300000081a6b4c6f70000557881ca000c02e73fc5011c757365723333333434313437323640686f73742d613435383237393206094753747265616d6572000000";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The counting allocator is process-wide, so a rare allocation by another thread of the
/// test harness can land inside the measured region. A per-packet (or periodic)
/// allocation shows in every round; harness noise does not. So the workload runs up to
/// three times and the fewest allocations seen must be zero.
#[test]
fn zero_allocations_per_packet() {
    // The counter counts.
    let (control, v) = count(|| vec![0u8; 10]);
    assert_eq!(control, 1);
    drop(v);
    let mut fewest = usize::MAX;
    for round in 0..3 {
        let n = packets_round();
        eprintln!("round {round}: {n} allocations in 10,000 packets");
        fewest = fewest.min(n);
        if fewest == 0 {
            break;
        }
    }
    assert_eq!(fewest, 0, "{fewest} allocations in 10,000 packets");
}

/// One round of 10,000 packets through build, parse, statistics, reordering and RTCP;
/// returns the allocations counted while the packets flow (set-up excluded).
fn packets_round() -> usize {
    // Everything that may allocate once is set up outside the counted sections.
    let payload = vec![0x5au8; 1400];
    let csrcs = [Ssrc(1), Ssrc(2), Ssrc(3)];
    let els = [
        ExtensionElement {
            id: 1,
            data: &[0x8a],
        },
        ExtensionElement {
            id: 3,
            data: &[1, 2, 3],
        },
    ];
    let mut buf = vec![0u8; 2048];
    let sr = hex(GST_SR_SDES);
    let rr = hex(GST_RR_SDES);
    #[allow(clippy::disallowed_methods)]
    let t0 = Instant::now();
    let mut stats = ReceiverStats::new(Ssrc(42), 90_000);
    let mut sender = SenderStats::new(Ssrc(7), 90_000);
    let mut reorder: ReorderBuffer<(u32, usize)> = ReorderBuffer::new(&Limits::default());
    let mut report = vec![0u8; 1500];
    let mut ready = Vec::with_capacity(16);

    let (n, sum) = count(|| {
        let mut sum = 0usize;
        for i in 0..10_000u32 {
            let seq = i as u16;
            let len = RtpBuilder::new(PayloadType::from_static(96), seq, i * 3000, Ssrc(42))
                .marker(i % 10 == 0)
                .csrcs(&csrcs)
                .extension_elements(ExtensionForm::OneByte, &els)
                .payload(&payload[..if i % 2 == 0 { 160 } else { 1400 }])
                .padding(if i % 3 == 0 { 4 } else { 0 })
                .write(&mut buf)
                .unwrap();
            let p = RtpPacket::parse(&buf[..len]).unwrap();
            sum += p.payload().len() + p.csrcs().count();
            for e in p.extension().unwrap().elements().unwrap() {
                sum += e.unwrap().data.len();
            }
            let now = t0 + Duration::from_millis(u64::from(i) * 33);
            stats.handle_rtp(now, &p);
            sender.handle_sent_packet(now, &p);
            // Deliver out of order in pairs: (1, 0), (3, 2), ...
            let s = seq ^ 1;
            reorder.push(now, s, (i, len));
            while let Some(ev) = reorder.pop(now) {
                ready.push(ev);
            }
            ready.clear();
            for c in [&sr[..], &rr[..]] {
                for packet in Compound::parse(c, ValidationMode::Strict).unwrap() {
                    match packet.unwrap() {
                        RtcpPacket::SenderReport(sr) => {
                            stats.handle_sender_report(now, sr.info.ntp);
                            sum += sr.report_blocks.len();
                        }
                        RtcpPacket::ReceiverReport(rr) => {
                            sum += rr
                                .report_blocks
                                .iter()
                                .map(|b| b.jitter as usize)
                                .sum::<usize>();
                        }
                        RtcpPacket::SourceDescription(sdes) => sum += sdes.cname().unwrap().len(),
                        _ => {}
                    }
                }
                sum += RawPackets::new(c).count();
            }
            if i % 100 == 0 {
                let info: SenderInfo = sender.sender_info(now, NtpTimestamp(u64::from(i) << 32));
                sum += write_report(
                    &mut report,
                    now,
                    &ReportConfig::new(Ssrc(7), b"rtsp-proto@example"),
                    Some(info),
                    [&mut stats],
                )
                .unwrap();
            }
        }
        sum
    });
    assert!(sum > 0);
    n
}
