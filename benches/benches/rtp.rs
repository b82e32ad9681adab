//! RTP parse/build and RTCP compound parse, rtsp-proto against rtp-types/rtcp-types,
//! webrtc-rs (`rtp`, `rtcp`) and retina, in the same run on the same bytes.
//!
//! Each parse benchmark validates the packet and reads the same fields, so that lazy and
//! eager parsers do comparable work: for RTP the sequence number, timestamp, SSRC and
//! payload length; for RTCP (rtsp-proto and rtcp-types, `src/bin/rtp_probe/work.rs`, shared
//! with the callgrind probe) the compound's framing and every field of every packet: SR
//! sender info, RR SSRC, all six fields of each report block, each SDES chunk's SSRC and
//! each item's type and text, each BYE source and the reason text. Both sides' checksums
//! are checked equal before timing. webrtc-rs's RTCP `unmarshal` is eager (it copies every
//! packet into owned, boxed structs), so it is timed on unmarshal plus each packet's length
//! only.

use bytes::Bytes;
use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use rtsp_proto::rtp::{ExtensionElement, ExtensionForm, PayloadType, RtpBuilder, RtpPacket, Ssrc};
use std::hint::black_box;
use webrtc_util::marshal::{Marshal, Unmarshal};

#[path = "../src/bin/rtp_probe/work.rs"]
mod rtcp_work;
use rtcp_work::{ours_rtcp, theirs_rtcp};

struct Case {
    name: &'static str,
    payload_len: usize,
    full: bool,
}

const CASES: [Case; 4] = [
    Case {
        name: "160",
        payload_len: 160,
        full: false,
    },
    Case {
        name: "160_csrc_ext_pad",
        payload_len: 160,
        full: true,
    },
    Case {
        name: "1400",
        payload_len: 1400,
        full: false,
    },
    Case {
        name: "1400_csrc_ext_pad",
        payload_len: 1400,
        full: true,
    },
];

const CSRCS: [Ssrc; 2] = [Ssrc(0x1111_1111), Ssrc(0x2222_2222)];
const EXT: [ExtensionElement<'static>; 2] = [
    ExtensionElement {
        id: 1,
        data: &[0x8a],
    },
    ExtensionElement {
        id: 2,
        data: &[1, 2, 3],
    },
];

/// `EXT` in one-byte form, padded: what every implementation writes.
const EXT_BODY: [u8; 8] = [0x10, 0x8a, 0x22, 1, 2, 3, 0, 0];

fn ours_builder<'a>(c: &Case, payload: &'a [u8]) -> RtpBuilder<'a> {
    let b = RtpBuilder::new(
        PayloadType::from_static(96),
        0x1234,
        0x5678_9abc,
        Ssrc(0xdead_beef),
    )
    .marker(true)
    .payload(payload);
    if c.full {
        // The same one-byte-form extension body that rtp-types is given, as raw bytes (the
        // element-list path, `extension_elements`, is checked equal in `packet`).
        b.csrcs(&CSRCS).extension_raw(0xbede, &EXT_BODY).padding(4)
    } else {
        b
    }
}

/// The packet bytes of a case (written by our builder, checked by rtp-types).
fn packet(c: &Case) -> Vec<u8> {
    let payload = vec![0xabu8; c.payload_len];
    let b = ours_builder(c, &payload);
    let mut out = vec![0u8; b.encoded_len().unwrap()];
    b.write(&mut out).unwrap();
    let p = rtp_types::RtpPacket::parse(&out).unwrap();
    assert_eq!(p.payload().len(), c.payload_len);
    if c.full {
        // The element-list path writes the same bytes.
        let e = RtpBuilder::from_packet(&RtpPacket::parse(&out).unwrap())
            .extension_elements(ExtensionForm::OneByte, &EXT);
        let mut again = vec![0u8; out.len()];
        e.write(&mut again).unwrap();
        assert_eq!(again, out);
    }
    out
}

fn rtp_parse(cr: &mut Criterion) {
    let mut g = cr.benchmark_group("rtp_parse");
    for c in &CASES {
        let data = packet(c);
        let bytes = Bytes::from(data.clone());
        g.throughput(Throughput::Elements(1));
        g.bench_with_input(BenchmarkId::new("rtsp-proto", c.name), &data, |b, d| {
            b.iter(|| {
                let p = RtpPacket::parse(black_box(d)).unwrap();
                (
                    p.sequence_number(),
                    p.timestamp(),
                    p.ssrc().0,
                    p.payload().len(),
                )
            })
        });
        g.bench_with_input(BenchmarkId::new("rtp-types", c.name), &data, |b, d| {
            b.iter(|| {
                let p = rtp_types::RtpPacket::parse(black_box(d)).unwrap();
                (
                    p.sequence_number(),
                    p.timestamp(),
                    p.ssrc(),
                    p.payload().len(),
                )
            })
        });
        g.bench_with_input(BenchmarkId::new("retina", c.name), &data, |b, d| {
            b.iter(|| {
                let (h, range) = retina::rtp::PacketHeader::validate(&black_box(d)[..]).unwrap();
                (h.sequence_number(), h.timestamp(), h.ssrc(), range.len())
            })
        });
        g.bench_with_input(BenchmarkId::new("webrtc-rs", c.name), &bytes, |b, d| {
            b.iter(|| {
                let mut buf = black_box(d).clone();
                let p = rtp::packet::Packet::unmarshal(&mut buf).unwrap();
                (
                    p.header.sequence_number,
                    p.header.timestamp,
                    p.header.ssrc,
                    p.payload.len(),
                )
            })
        });
    }
    g.finish();
}

fn rtp_build(cr: &mut Criterion) {
    let mut g = cr.benchmark_group("rtp_build");
    for c in &CASES {
        // One payload in memory for all three (webrtc-rs's `Bytes` shares it), so that no
        // implementation's copy gets a luckier source alignment.
        let payload_bytes = Bytes::from(vec![0xabu8; c.payload_len]);
        let payload: &[u8] = &payload_bytes;
        let expected = packet(c);
        let mut out = vec![0u8; 2048];

        let ours = ours_builder(c, payload);
        let n = ours.write(&mut out).unwrap();
        assert_eq!(&out[..n], &expected[..]);
        g.bench_function(BenchmarkId::new("rtsp-proto", c.name), |b| {
            b.iter(|| black_box(&ours).write(&mut out).unwrap())
        });

        let ext_body = [0x10, 0x8a, 0x22, 1, 2, 3, 0, 0];
        let rt = || {
            let b = rtp_types::RtpPacketBuilder::<&[u8], &[u8]>::new()
                .marker_bit(true)
                .payload_type(96)
                .sequence_number(0x1234)
                .timestamp(0x5678_9abc)
                .ssrc(0xdead_beef)
                .payload(black_box(payload));
            if c.full {
                b.add_csrc(CSRCS[0].0)
                    .add_csrc(CSRCS[1].0)
                    .extension(0xbede, &ext_body[..])
                    .padding(4)
            } else {
                b
            }
        };
        let n = rt().write_into(&mut out).unwrap();
        assert_eq!(&out[..n], &expected[..]);
        let rtb = rt();
        g.bench_function(BenchmarkId::new("rtp-types", c.name), |b| {
            b.iter(|| black_box(&rtb).write_into(&mut out).unwrap())
        });

        // Every implementation writes a prebuilt description (webrtc-rs's header owns Vecs,
        // so building one per packet would add allocations): this measures the write alone.
        let wp = rtp::packet::Packet {
            header: rtp::header::Header {
                version: 2,
                padding: c.full,
                extension: c.full,
                marker: true,
                payload_type: 96,
                sequence_number: 0x1234,
                timestamp: 0x5678_9abc,
                ssrc: 0xdead_beef,
                csrc: if c.full {
                    CSRCS.iter().map(|s| s.0).collect()
                } else {
                    vec![]
                },
                extension_profile: if c.full { 0xbede } else { 0 },
                extensions: if c.full {
                    vec![
                        rtp::header::Extension {
                            id: 1,
                            payload: Bytes::from_static(&[0x8a]),
                        },
                        rtp::header::Extension {
                            id: 2,
                            payload: Bytes::from_static(&[1, 2, 3]),
                        },
                    ]
                } else {
                    vec![]
                },
                extensions_padding: 0,
            },
            payload: payload_bytes.clone(),
        };
        let wn = wp.marshal_to(&mut out).unwrap();
        // webrtc-rs pads to 4 bytes itself; only compare when its layout matches ours.
        if wn == expected.len() {
            assert_eq!(&out[..wn], &expected[..]);
        }
        g.bench_function(BenchmarkId::new("webrtc-rs", c.name), |b| {
            b.iter(|| black_box(&wp).marshal_to(&mut out).unwrap())
        });
    }
    g.finish();
}

fn rtcp_parse(cr: &mut Criterion) {
    let mut g = cr.benchmark_group("rtcp_compound_parse");
    for (name, data) in rtcp_work::inputs() {
        assert_eq!(ours_rtcp(&data), theirs_rtcp(&data), "same work on {name}");
        let bytes = Bytes::from(data.clone());
        g.bench_with_input(BenchmarkId::new("rtsp-proto", name), &data, |b, d| {
            b.iter(|| ours_rtcp(black_box(d)))
        });
        g.bench_with_input(BenchmarkId::new("rtcp-types", name), &data, |b, d| {
            b.iter(|| theirs_rtcp(black_box(d)))
        });
        g.bench_with_input(BenchmarkId::new("webrtc-rs", name), &bytes, |b, d| {
            b.iter(|| {
                let mut buf = black_box(d).clone();
                let packets = rtcp::packet::unmarshal(&mut buf).unwrap();
                let mut acc = 0u64;
                for p in &packets {
                    acc += u64::from(p.header().length) + p.raw_size() as u64;
                }
                acc
            })
        });
    }
    g.finish();
}

/// Times `n` calls of `f`, in ns per call.
#[allow(clippy::disallowed_methods)]
fn per_call(n: u32, f: &mut dyn FnMut() -> u64) -> f64 {
    let t = std::time::Instant::now();
    let mut acc = 0u64;
    for _ in 0..n {
        acc = acc.wrapping_add(f());
    }
    black_box(acc);
    t.elapsed().as_secs_f64() * 1e9 / f64::from(n)
}

/// Interleaved A/B timing: each round times every implementation back to back, so that a
/// machine shared with other jobs slows all of them alike; reports the median per-call
/// time of each and the median of the per-round ratios to rtsp-proto.
fn interleaved(group: &str, case: &str, impls: &mut [(&str, &mut dyn FnMut() -> u64)]) {
    const ROUNDS: usize = 61;
    const N: u32 = 20_000;
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(ROUNDS); impls.len()];
    for _ in 0..ROUNDS {
        for (i, (_, f)) in impls.iter_mut().enumerate() {
            times[i].push(per_call(N, *f));
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[v.len() / 2]
    };
    let mut line = format!("interleaved {group}/{case}:");
    let ours = times[0].clone();
    for (i, (name, _)) in impls.iter().enumerate() {
        let mut ratios: Vec<f64> = times[i].iter().zip(&ours).map(|(t, o)| t / o).collect();
        let m = median(&mut times[i]);
        line += &format!(" {name} {m:.1} ns (x{:.2})", median(&mut ratios));
    }
    println!("{line}");
}

fn interleaved_all() {
    for c in &CASES {
        let data = packet(c);
        let bytes = Bytes::from(data.clone());
        interleaved(
            "rtp_parse",
            c.name,
            &mut [
                ("rtsp-proto", &mut || {
                    let p = RtpPacket::parse(black_box(&data)).unwrap();
                    u64::from(p.sequence_number())
                        + u64::from(p.timestamp())
                        + u64::from(p.ssrc().0)
                        + p.payload().len() as u64
                }),
                ("rtp-types", &mut || {
                    let p = rtp_types::RtpPacket::parse(black_box(&data)).unwrap();
                    u64::from(p.sequence_number())
                        + u64::from(p.timestamp())
                        + u64::from(p.ssrc())
                        + p.payload().len() as u64
                }),
                ("retina", &mut || {
                    let (h, r) =
                        retina::rtp::PacketHeader::validate(&black_box(&data)[..]).unwrap();
                    u64::from(h.sequence_number())
                        + u64::from(h.timestamp())
                        + u64::from(h.ssrc())
                        + r.len() as u64
                }),
                ("webrtc-rs", &mut || {
                    let mut buf = black_box(&bytes).clone();
                    let p = rtp::packet::Packet::unmarshal(&mut buf).unwrap();
                    u64::from(p.header.sequence_number)
                        + u64::from(p.header.timestamp)
                        + u64::from(p.header.ssrc)
                        + p.payload.len() as u64
                }),
            ],
        );
        let ext_body = [0x10, 0x8a, 0x22, 1, 2, 3, 0, 0];
        // The same source and equally aligned destinations for all three: the payload is
        // the one webrtc-rs's unmarshalled packet points into, and the output buffers are
        // 4096 bytes apart in one allocation (separate `Vec`s differ in alignment modulo
        // the cache line, which moves a 1400-byte memcpy by several ns).
        let wp = rtp::packet::Packet::unmarshal(&mut bytes.clone()).unwrap();
        let payload: &[u8] = &wp.payload;
        let mut outs = vec![0u8; 3 * 4096];
        let (o1, rest) = outs.split_at_mut(4096);
        let (o2, o3) = rest.split_at_mut(4096);
        let ob = ours_builder(c, payload);
        let rb = {
            let b = rtp_types::RtpPacketBuilder::<&[u8], &[u8]>::new()
                .marker_bit(true)
                .payload_type(96)
                .sequence_number(0x1234)
                .timestamp(0x5678_9abc)
                .ssrc(0xdead_beef)
                .payload(payload);
            if c.full {
                b.add_csrc(CSRCS[0].0)
                    .add_csrc(CSRCS[1].0)
                    .extension(0xbede, &ext_body[..])
                    .padding(4)
            } else {
                b
            }
        };
        interleaved(
            "rtp_build",
            c.name,
            &mut [
                ("rtsp-proto", &mut || {
                    black_box(&ob).write(o3).unwrap() as u64
                }),
                ("rtp-types", &mut || {
                    black_box(&rb).write_into(o2).unwrap() as u64
                }),
                ("webrtc-rs", &mut || {
                    black_box(&wp).marshal_to(o1).unwrap() as u64
                }),
            ],
        );
    }
    for (name, data) in rtcp_work::inputs() {
        let bytes = Bytes::from(data.clone());
        interleaved(
            "rtcp_compound_parse",
            name,
            &mut [
                ("rtsp-proto", &mut || ours_rtcp(black_box(&data))),
                ("rtcp-types", &mut || theirs_rtcp(black_box(&data))),
                ("webrtc-rs", &mut || {
                    let mut buf = black_box(&bytes).clone();
                    let packets = rtcp::packet::unmarshal(&mut buf).unwrap();
                    packets
                        .iter()
                        .map(|p| u64::from(p.header().length) + p.raw_size() as u64)
                        .sum()
                }),
            ],
        );
    }
}

criterion_group!(benches, rtp_parse, rtp_build, rtcp_parse);

fn main() {
    benches();
    interleaved_all();
    Criterion::default().configure_from_args().final_summary();
}
