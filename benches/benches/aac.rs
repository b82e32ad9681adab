//! AAC (`mpeg4-generic`) depacketization throughput on real streams: GStreamer's
//! `rtpmp4gpay` (one AU per packet) and ffmpeg's packetizer (several AUs per packet), plus
//! the same AUs fragmented into 100-byte payloads by our packetizer.
//!
//! `cargo bench --bench aac` (in `benches/`). Throughput is reported both in frames
//! (access units) per second and in payload bytes per second.

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rtsp_proto::codec::aac::{AacConfig, AacDepacketizer, AacPacketizer};
use rtsp_proto::codec::{fmtp, Depacketizer, Packetizer, RtpPacket};
use std::hint::black_box;

fn read_rtp_txt(name: &str) -> Vec<RtpPacket> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data/codec")
        .join(name);
    let text = std::fs::read_to_string(path).expect("test data");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let hex = l.split_whitespace().nth(7).expect("hex column");
            let b: Vec<u8> = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
                .collect();
            // RTP header without CSRCs/extension/padding (true for these streams).
            assert!(b[0] & 0x3f == 0 && b[0] >> 6 == 2);
            RtpPacket {
                sequence_number: u16::from_be_bytes([b[2], b[3]]),
                timestamp: u32::from_be_bytes([b[4], b[5], b[6], b[7]]),
                marker: b[1] & 0x80 != 0,
                payload_type: b[1] & 0x7f,
                payload: Bytes::copy_from_slice(&b[12..]),
            }
        })
        .collect()
}

fn config(fmtp_value: &str) -> AacConfig {
    AacConfig::from_fmtp(44_100, Some(1), fmtp::params(fmtp_value)).expect("config")
}

/// Depacketizes `packets` and returns the frames and bytes produced.
fn run(config: &AacConfig, packets: Vec<RtpPacket>) -> (usize, usize) {
    let mut d = AacDepacketizer::new(config.clone());
    let (mut frames, mut bytes) = (0, 0);
    for p in packets {
        d.push(p).expect("depacketize");
        while let Some(f) = d.pull() {
            frames += 1;
            bytes += f.data.len();
        }
    }
    (frames, bytes)
}

fn bench(c: &mut Criterion) {
    let gst = config("streamtype=5;profile-level-id=2;mode=AAC-hbr;config=120856e500;sizelength=13;indexlength=3;indexdeltalength=3");
    let gst_packets = read_rtp_txt("aac_ffmpeg_tcp__gst_av.rtp.txt");
    let ff_packets = read_rtp_txt("aac_ffmpegpub_tcp__gst_record.rtp.txt");

    // The GStreamer AUs fragmented into 100-byte payloads.
    let mut frag_packets = Vec::new();
    {
        let mut d = AacDepacketizer::new(gst.clone());
        let mut p = AacPacketizer::new(gst.clone(), 100).expect("packetizer");
        for pkt in gst_packets.clone() {
            d.push(pkt).expect("depacketize");
            while let Some(f) = d.pull() {
                p.packetize(f.timestamp, &f.data, &mut |pl| {
                    frag_packets.push(RtpPacket {
                        sequence_number: frag_packets.len() as u16,
                        timestamp: pl.timestamp,
                        marker: pl.marker,
                        payload_type: 97,
                        payload: pl.to_bytes(),
                    })
                })
                .expect("packetize");
            }
        }
    }

    for (name, packets) in [
        ("gstreamer_one_au_per_packet", gst_packets),
        ("ffmpeg_several_aus_per_packet", ff_packets),
        ("fragmented_100_byte_payloads", frag_packets),
    ] {
        let (frames, bytes) = run(&gst, packets.clone());
        let mut group = c.benchmark_group(format!("aac_depacketize/{name}"));
        group.throughput(Throughput::Elements(frames as u64));
        group.bench_function("frames", |b| {
            b.iter_batched(
                || packets.clone(),
                |p| black_box(run(&gst, p)),
                BatchSize::SmallInput,
            )
        });
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function("bytes", |b| {
            b.iter_batched(
                || packets.clone(),
                |p| black_box(run(&gst, p)),
                BatchSize::SmallInput,
            )
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
