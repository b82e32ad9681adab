//! Workloads and drivers of the H.264 depacketization benchmark (`benches/h264.rs`) and its
//! profiling binary (`src/bin/h264probe.rs`): the same packets and the same loops, so the
//! numbers of both describe the same work.
//!
//! Workloads:
//! - [`synthetic`]: 4 GOPs of one 100 kB IDR picture (FU-A at MTU 1,400, SPS and PPS in a
//!   STAP-A) and 14 P pictures of 2–6 kB; every access unit ends with the marker bit;
//! - [`bunny`]: the Wowza Big Buck Bunny capture ([`crate::BUNNY`], the same bytes as
//!   `tests/data/cameras/bunny_session.rtsp`; H.264 on interleaved channel 2, small
//!   single-NAL pictures).

use bytes::{Bytes, BytesMut};
use rtsp_proto::codec::h264::{H264Config, H264Depacketizer, H264Packetizer, H264PacketizerConfig};
use rtsp_proto::codec::{Depacketizer as _, Packetizer as _, RtpPacket};
use std::hint::black_box;
use std::num::NonZeroU32;

/// The `fmtp` of both workloads (the SPS and PPS below).
pub const SPROP: &str = "packetization-mode=1;profile-level-id=42C01E;sprop-parameter-sets=Z0LAHtkDxWhAAAADAEAAAAwDxYuS,aMuMsg==";
const SPS: &[u8] =
    b"\x67\x42\xc0\x1e\xd9\x03\xc5\x68\x40\x00\x00\x03\x00\x40\x00\x00\x0c\x03\xc5\x8b\x92";
const PPS: &[u8] = b"\x68\xcb\x8c\xb2";

/// The packets of one workload, and what a depacketizer makes of them.
pub struct Workload {
    /// The RTP packets, in order.
    pub packets: Vec<RtpPacket>,
    /// Access units the packets carry.
    pub frames: usize,
    /// Sum of the RTP payload lengths.
    pub payload_bytes: u64,
}

impl Workload {
    fn new(packets: Vec<RtpPacket>, frames: usize) -> Workload {
        let payload_bytes = packets.iter().map(|p| p.payload.len() as u64).sum();
        Workload {
            packets,
            frames,
            payload_bytes,
        }
    }
}

fn shared(b: &[u8]) -> Bytes {
    // Arc-backed, so that cloning a packet in the loop never allocates.
    BytesMut::from(b).freeze()
}

/// 4 GOPs of 15 pictures, packetized by our packetizer at MTU 1,400.
pub fn synthetic() -> Workload {
    let body = |n: usize, seed: u8| -> Vec<u8> {
        (0..n)
            .map(|i| ((i as u8).wrapping_mul(31) ^ seed) | 1)
            .collect()
    };
    let mut pc = H264PacketizerConfig::default();
    pc.mtu = 1400;
    let mut p = H264Packetizer::new(pc).unwrap();
    let mut packets = Vec::new();
    let mut seq = 0u16;
    let mut frames = 0;
    for g in 0..4usize {
        for i in 0..15usize {
            let mut au = Vec::new();
            if i == 0 {
                for n in [SPS, PPS] {
                    au.extend_from_slice(&[0, 0, 0, 1]);
                    au.extend_from_slice(n);
                }
                au.extend_from_slice(&[0, 0, 0, 1, 0x65, 0x88]);
                au.extend_from_slice(&body(100_000, g as u8));
            } else {
                au.extend_from_slice(&[0, 0, 0, 1, 0x41, 0x9a]);
                au.extend_from_slice(&body(2_000 + 300 * i, i as u8));
            }
            let ts = ((g * 15 + i) * 6000) as u32;
            p.packetize(ts, &au, &mut |pl| {
                seq = seq.wrapping_add(1);
                packets.push(RtpPacket {
                    sequence_number: seq,
                    timestamp: pl.timestamp,
                    marker: pl.marker,
                    payload_type: 96,
                    payload: shared(&pl.to_bytes()),
                });
            })
            .unwrap();
            frames += 1;
        }
    }
    Workload::new(packets, frames)
}

/// The H.264 track (interleaved channel 2) of the Big Buck Bunny capture.
pub fn bunny() -> Workload {
    let mut buf = BytesMut::from(crate::BUNNY);
    let mut dec = rtsp_proto::message::Decoder::new();
    let mut packets = Vec::new();
    while let Some(msg) = dec.decode(&mut buf).unwrap() {
        let rtsp_proto::message::Message::Data(d) = msg else {
            continue;
        };
        if d.channel != 2 {
            continue;
        }
        let p = &d.payload[..];
        let cc = usize::from(p[0] & 0x0f);
        let start = 12 + 4 * cc; // no extension, no padding in this capture
        packets.push(RtpPacket {
            sequence_number: u16::from_be_bytes([p[2], p[3]]),
            timestamp: u32::from_be_bytes([p[4], p[5], p[6], p[7]]),
            marker: p[1] & 0x80 != 0,
            payload_type: p[1] & 0x7f,
            payload: shared(&p[start..]),
        });
    }
    let mut w = Workload::new(packets, 0);
    w.frames = run_ours(&w).1;
    w
}

/// The workload called `name` (`synthetic` or `bunny`).
pub fn workload(name: &str) -> Workload {
    match name {
        "synthetic" => synthetic(),
        "bunny" => bunny(),
        _ => panic!("workload synthetic|bunny"),
    }
}

/// Depacketizes the workload with our `H264Depacketizer`: frame bytes and frames out.
pub fn run_ours(w: &Workload) -> (usize, usize) {
    let mut d = H264Depacketizer::new(H264Config::from_fmtp(SPROP));
    let (mut n, mut frames) = (0, 0);
    for p in &w.packets {
        d.push(p.clone()).unwrap();
        while let Some(f) = d.pull() {
            n += f.data.len();
            frames += 1;
            black_box(f);
        }
    }
    (n, frames)
}

/// Depacketizes the workload with retina's depacketizer: frame bytes and frames out.
pub fn run_retina(w: &Workload) -> (usize, usize) {
    use retina::codec::{CodecItem, Depacketizer};
    let mut d = Depacketizer::new("video", "h264", 90_000, None, Some(SPROP)).unwrap();
    let mut buf = retina::testutil::DepacketizeBuf::new(65536);
    let clock = NonZeroU32::new(90_000).unwrap();
    let start = w.packets[0].timestamp;
    let (mut n, mut frames) = (0, 0);
    for p in &w.packets {
        let meta = retina::rtp::PacketMeta {
            ctx: retina::PacketContext::dummy(),
            stream_id: 0,
            timestamp: retina::Timestamp::new(
                i64::from(p.timestamp.wrapping_sub(start)),
                clock,
                start,
            )
            .unwrap(),
            sequence_number: p.sequence_number,
            ssrc: 1,
            mark: p.marker,
            loss: 0,
        };
        buf.push(&mut d, meta, &p.payload).unwrap();
        while let Some(item) = d.pull() {
            if let CodecItem::VideoFrame(f) = item.unwrap() {
                n += f.data().len();
                frames += 1;
                black_box(f);
            }
        }
    }
    (n, frames)
}
