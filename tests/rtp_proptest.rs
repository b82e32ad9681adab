//! Property tests: RTP and RTCP build → parse round trips, parse → build of arbitrary
//! bytes (through the fuzz checks), sequence unwrapping against a model, and the reorder
//! buffer on arbitrary arrival orders.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../fuzz/checks_rtp.rs"]
mod checks_rtp;

use proptest::prelude::*;
use rtsp_proto::rtcp::{
    App, Compound, CompoundWriter, DlrrItem, ExtendedReport, Feedback, Fir, FirEntry, Goodbye,
    Items, Nack, NackEntry, Pli, ReceiverReport, ReportBlock, RtcpPacket, SdesChunk, SdesChunks,
    SdesItem, SdesItems, SdesType, SenderInfo, SenderReport, SourceDescription, ValidationMode,
    XrBlock, XrBlocks,
};
use rtsp_proto::rtp::{
    ExtensionElement, ExtensionForm, PayloadType, RtpBuilder, RtpPacket, SeqNo, SeqUnwrapper, Ssrc,
    TimestampUnwrapper,
};
use rtsp_proto::time::NtpTimestamp;

#[derive(Debug, Clone)]
enum Ext {
    None,
    Raw(u16, Vec<u8>),
    OneByte(Vec<(u8, Vec<u8>)>),
    TwoByte(u8, Vec<(u8, Vec<u8>)>),
}

fn ext_strategy() -> impl Strategy<Value = Ext> {
    prop_oneof![
        Just(Ext::None),
        (any::<u16>(), prop::collection::vec(any::<u8>(), 0..8))
            .prop_map(|(p, w)| Ext::Raw(p, w.repeat(4))),
        prop::collection::vec((1u8..=14, prop::collection::vec(any::<u8>(), 1..=16)), 0..5)
            .prop_map(Ext::OneByte),
        (
            0u8..16,
            prop::collection::vec((1u8..=255, prop::collection::vec(any::<u8>(), 0..40)), 0..5)
        )
            .prop_map(|(a, e)| Ext::TwoByte(a, e)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn rtp_build_parse_round_trip(
        marker: bool,
        pt in 0u8..128,
        seq: u16,
        ts: u32,
        ssrc: u32,
        csrcs in prop::collection::vec(any::<u32>(), 0..=15),
        ext in ext_strategy(),
        payload in prop::collection::vec(any::<u8>(), 0..300),
        padding: u8,
    ) {
        let csrcs: Vec<Ssrc> = csrcs.into_iter().map(Ssrc).collect();
        let mut b = RtpBuilder::new(PayloadType::try_from(pt).unwrap(), seq, ts, Ssrc(ssrc))
            .marker(marker)
            .csrcs(&csrcs)
            .payload(&payload)
            .padding(padding);
        let elements: Vec<ExtensionElement<'_>>;
        match &ext {
            Ext::None => {}
            Ext::Raw(p, d) => b = b.extension_raw(*p, d),
            Ext::OneByte(e) | Ext::TwoByte(_, e) => {
                elements = e.iter().map(|(id, d)| ExtensionElement { id: *id, data: d }).collect();
                let form = match &ext {
                    Ext::TwoByte(a, _) => ExtensionForm::TwoByte { appbits: *a },
                    _ => ExtensionForm::OneByte,
                };
                b = b.extension_elements(form, &elements);
            }
        }
        let len = b.encoded_len().unwrap();
        let mut buf = vec![0u8; len];
        prop_assert_eq!(b.write(&mut buf), Ok(len));
        let p = RtpPacket::parse(&buf).unwrap();
        prop_assert_eq!(p.marker(), marker);
        prop_assert_eq!(p.payload_type().get(), pt);
        prop_assert_eq!(p.sequence_number(), seq);
        prop_assert_eq!(p.timestamp(), ts);
        prop_assert_eq!(p.ssrc(), Ssrc(ssrc));
        prop_assert_eq!(p.csrcs().collect::<Vec<_>>(), csrcs.clone());
        prop_assert_eq!(p.payload(), &payload[..]);
        prop_assert_eq!(p.padding_len(), usize::from(padding));
        match &ext {
            Ext::None => prop_assert!(p.extension().is_none()),
            Ext::Raw(prof, d) => {
                let e = p.extension().unwrap();
                prop_assert_eq!((e.profile(), e.data()), (*prof, &d[..]));
            }
            Ext::OneByte(e) | Ext::TwoByte(_, e) => {
                let got: Vec<(u8, Vec<u8>)> = p
                    .extension()
                    .unwrap()
                    .elements()
                    .unwrap()
                    .map(|r| r.map(|el| (el.id, el.data.to_vec())).unwrap())
                    .collect();
                prop_assert_eq!(&got, e);
            }
        }
        // And the packet re-builds itself exactly.
        let mut again = vec![0u8; len];
        RtpBuilder::from_packet(&p).write(&mut again).unwrap();
        prop_assert_eq!(again, buf);
    }

    #[test]
    fn rtp_arbitrary_bytes(data in prop::collection::vec(any::<u8>(), 0..200)) {
        checks_rtp::rtp(&data);
    }

    #[test]
    fn rtp_arbitrary_header_with_valid_version(mut data in prop::collection::vec(any::<u8>(), 12..200)) {
        data[0] = (data[0] & 0x3f) | 0x80;
        checks_rtp::rtp(&data);
    }

    #[test]
    fn rtcp_arbitrary_bytes(mut data in prop::collection::vec(any::<u8>(), 0..200), fix: bool) {
        if fix && data.len() >= 4 {
            // Make the first header plausible so that the typed parsers get exercised.
            data[0] = (data[0] & 0x3f) | 0x80;
            data[1] = 200 + data[1] % 10;
            let words = (data.len() / 4 - 1) as u16;
            data[2..4].copy_from_slice(&words.to_be_bytes());
        }
        checks_rtp::rtcp(&data);
    }

    #[test]
    fn reorder_arbitrary_ops(data in prop::collection::vec(any::<u8>(), 0..400)) {
        checks_rtp::reorder(&data);
    }

    #[test]
    fn seq_unwrap_follows_a_walk(start: u16, steps in prop::collection::vec(-1000i32..3000, 1..300)) {
        let mut u = SeqUnwrapper::new();
        let mut truth = i64::from(start) + (1 << 20);
        let base = truth - i64::from(start);
        prop_assert_eq!(u.unwrap(start), Some(SeqNo(u64::from(start))));
        let mut highest = truth;
        for s in steps {
            truth += i64::from(s);
            if truth < base || highest - truth >= 32_768 {
                // Before the first packet, or too far behind to be told from a wrap.
                break;
            }
            let got = u.unwrap(truth as u16);
            prop_assert_eq!(got, Some(SeqNo((truth - base) as u64)));
            highest = highest.max(truth);
            prop_assert_eq!(u.highest(), Some(SeqNo((highest - base) as u64)));
        }
    }

    #[test]
    fn timestamp_unwrap_follows_a_walk(start: u32, steps in prop::collection::vec(-100_000i64..1_000_000, 1..300)) {
        let mut u = TimestampUnwrapper::new();
        let mut truth = i64::from(start);
        prop_assert_eq!(u.unwrap(start), truth);
        for s in steps {
            truth += s;
            prop_assert_eq!(u.unwrap(truth as u32), truth);
        }
    }
}

fn report_block() -> impl Strategy<Value = ReportBlock> {
    (
        any::<u32>(),
        any::<u8>(),
        -(1i32 << 23)..(1 << 23),
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
    )
        .prop_map(|(s, f, c, h, j, l, d)| ReportBlock {
            ssrc: Ssrc(s),
            fraction_lost: f,
            cumulative_lost: c,
            extended_highest_seq: h,
            jitter: j,
            last_sr: l,
            delay_since_last_sr: d,
        })
}

fn words(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<[u8; 4]>(), 0..max).prop_map(|w| w.concat())
}

/// One SDES chunk: SSRC and (type, value) items.
type OwnedChunk = (u32, Vec<(u8, Vec<u8>)>);

#[derive(Debug, Clone)]
struct Owned {
    blocks: Vec<ReportBlock>,
    ext: Vec<u8>,
    info: (u64, u32, u32, u32),
    ssrcs: Vec<Ssrc>,
    sdes: Vec<OwnedChunk>,
    reason: Option<Vec<u8>>,
    nacks: Vec<(u16, u16)>,
    firs: Vec<(u32, u8)>,
    dlrr: Vec<(u32, u32, u32)>,
    fci: Vec<u8>,
    fmt: u8,
}

fn owned() -> impl Strategy<Value = Owned> {
    (
        prop::collection::vec(report_block(), 0..=31),
        words(4),
        any::<(u64, u32, u32, u32)>(),
        prop::collection::vec(any::<u32>().prop_map(Ssrc), 0..=31),
        prop::collection::vec(
            (
                any::<u32>(),
                prop::collection::vec((1u8..=255, prop::collection::vec(any::<u8>(), 0..30)), 0..4),
            ),
            0..4,
        ),
        prop::option::of(prop::collection::vec(any::<u8>(), 0..=255)),
        prop::collection::vec(any::<(u16, u16)>(), 0..5),
        prop::collection::vec(any::<(u32, u8)>(), 0..4),
        prop::collection::vec(any::<(u32, u32, u32)>(), 0..4),
        words(5),
        0u8..32,
    )
        .prop_map(
            |(blocks, ext, info, ssrcs, sdes, reason, nacks, firs, dlrr, fci, fmt)| Owned {
                blocks,
                ext,
                info,
                ssrcs,
                sdes,
                reason,
                nacks,
                firs,
                dlrr,
                fci,
                fmt,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn rtcp_compound_build_parse_round_trip(o in owned(), padding in (0usize..=63).prop_map(|p| p * 4)) {
        let items: Vec<Vec<SdesItem<'_>>> = o
            .sdes
            .iter()
            .map(|(_, it)| it.iter().map(|(k, v)| SdesItem { kind: SdesType(*k), value: v }).collect())
            .collect();
        let chunks: Vec<SdesChunk<'_>> = o
            .sdes
            .iter()
            .zip(&items)
            .map(|((s, _), it)| SdesChunk { ssrc: Ssrc(*s), items: SdesItems::from_slice(it) })
            .collect();
        let nacks: Vec<NackEntry> = o.nacks.iter().map(|&(pid, blp)| NackEntry { pid, blp }).collect();
        let firs: Vec<FirEntry> = o.firs.iter().map(|&(s, seq)| FirEntry { ssrc: Ssrc(s), seq }).collect();
        let dlrr: Vec<DlrrItem> = o
            .dlrr
            .iter()
            .map(|&(s, l, d)| DlrrItem { ssrc: Ssrc(s), last_rr: l, delay_since_last_rr: d })
            .collect();
        let xr_blocks = [
            XrBlock::ReceiverReferenceTime(NtpTimestamp(o.info.0)),
            XrBlock::Dlrr(Items::from_slice(&dlrr)),
            XrBlock::Other { block_type: 42, type_specific: o.fmt, data: &o.fci },
        ];
        let packets = [
            RtcpPacket::SenderReport(SenderReport {
                ssrc: Ssrc(1),
                info: SenderInfo {
                    ntp: NtpTimestamp(o.info.0),
                    rtp_timestamp: o.info.1,
                    packet_count: o.info.2,
                    octet_count: o.info.3,
                },
                report_blocks: Items::from_slice(&o.blocks),
                extension: &o.ext,
            }),
            RtcpPacket::ReceiverReport(ReceiverReport { ssrc: Ssrc(2), report_blocks: Items::from_slice(&o.blocks), extension: &[] }),
            RtcpPacket::SourceDescription(SourceDescription { chunks: SdesChunks::from_slice(&chunks) }),
            RtcpPacket::Goodbye(Goodbye { sources: Items::from_slice(&o.ssrcs), reason: o.reason.as_deref() }),
            RtcpPacket::App(App { subtype: o.fmt, ssrc: Ssrc(3), name: *b"abcd", data: &o.fci }),
            RtcpPacket::Nack(Nack { sender_ssrc: Ssrc(4), media_ssrc: Ssrc(5), entries: Items::from_slice(&nacks) }),
            RtcpPacket::Pli(Pli { sender_ssrc: Ssrc(6), media_ssrc: Ssrc(7) }),
            RtcpPacket::Fir(Fir { sender_ssrc: Ssrc(8), media_ssrc: Ssrc(0), entries: Items::from_slice(&firs) }),
            RtcpPacket::Feedback(Feedback { packet_type: 206, fmt: 15, sender_ssrc: Ssrc(9), media_ssrc: Ssrc(0), fci: &o.fci }),
            RtcpPacket::Feedback(Feedback { packet_type: 205, fmt: 3, sender_ssrc: Ssrc(9), media_ssrc: Ssrc(1), fci: &o.fci }),
            RtcpPacket::ExtendedReport(ExtendedReport { ssrc: Ssrc(10), blocks: XrBlocks::from_slice(&xr_blocks) }),
            RtcpPacket::Unknown(rtsp_proto::rtcp::UnknownPacket { packet_type: 195, count: o.fmt, body: &o.fci }),
        ];
        let mut buf = vec![0u8; 16 * 1024];
        let mut w = CompoundWriter::new(&mut buf, ValidationMode::ReducedSize);
        let last = packets.len() - 1;
        for (i, p) in packets.iter().enumerate() {
            w.push_padded(p, if i == last { padding } else { 0 }).unwrap();
        }
        let n = w.finish().unwrap();
        let parsed: Vec<RtcpPacket<'_>> = Compound::parse(&buf[..n], ValidationMode::Strict)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        // Equal as values: each packet comes back as the same type, including empty NACK,
        // FIR and DLRR lists and the generic feedback FMTs.
        prop_assert_eq!(parsed.len(), packets.len());
        for (a, b) in parsed.iter().zip(&packets) {
            prop_assert_eq!(a, b);
        }
        // Re-writing the parsed packets gives the same bytes.
        let mut again = vec![0u8; n];
        let mut w = CompoundWriter::new(&mut again, ValidationMode::ReducedSize);
        for (i, p) in parsed.iter().enumerate() {
            w.push_padded(p, if i == last { padding } else { 0 }).unwrap();
        }
        prop_assert_eq!(w.finish(), Ok(n));
        prop_assert_eq!(&again[..], &buf[..n]);
    }
}
