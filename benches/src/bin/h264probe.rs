//! Runs one H.264 depacketizer in a loop over the workloads of `benches/h264.rs`, for
//! `valgrind --tool=callgrind` (instruction counts, robust to a loaded machine), and
//! counts heap allocations per packet and per frame.
//!
//! ```text
//! cargo build --release --manifest-path benches/Cargo.toml --bin h264probe
//! benches/target/release/h264probe allocs
//! valgrind --tool=callgrind benches/target/release/h264probe loop ours synthetic 20
//! valgrind --tool=callgrind benches/target/release/h264probe loop retina bunny 20
//! ```
//!
//! The workloads are a copy of those in `benches/h264.rs` (a bench file cannot be a
//! module of a binary); keep them in step.

use bytes::{Bytes, BytesMut};
use rtsp_proto::codec::h264::{H264Config, H264Depacketizer, H264Packetizer, H264PacketizerConfig};
use rtsp_proto::codec::{Depacketizer as _, Packetizer as _, RtpPacket};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

struct Counting;
static ALLOCS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const SPROP: &str = "packetization-mode=1;profile-level-id=42C01E;sprop-parameter-sets=Z0LAHtkDxWhAAAADAEAAAAwDxYuS,aMuMsg==";
const SPS: &[u8] =
    b"\x67\x42\xc0\x1e\xd9\x03\xc5\x68\x40\x00\x00\x03\x00\x40\x00\x00\x0c\x03\xc5\x8b\x92";
const PPS: &[u8] = b"\x68\xcb\x8c\xb2";

struct Workload {
    packets: Vec<RtpPacket>,
}

fn shared(b: &[u8]) -> Bytes {
    BytesMut::from(b).freeze()
}

fn synthetic() -> Workload {
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
        }
    }
    Workload { packets }
}

fn bunny() -> Workload {
    let data = rtsp_proto_benches::BUNNY;
    let mut buf = BytesMut::from(data);
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
        let start = 12 + 4 * cc;
        packets.push(RtpPacket {
            sequence_number: u16::from_be_bytes([p[2], p[3]]),
            timestamp: u32::from_be_bytes([p[4], p[5], p[6], p[7]]),
            marker: p[1] & 0x80 != 0,
            payload_type: p[1] & 0x7f,
            payload: shared(&p[start..]),
        });
    }
    Workload { packets }
}

fn run_ours(w: &Workload) -> (usize, usize) {
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

fn run_retina(w: &Workload) -> (usize, usize) {
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

fn workload(name: &str) -> Workload {
    match name {
        "synthetic" => synthetic(),
        "bunny" => bunny(),
        _ => panic!("workload synthetic|bunny"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [] | ["allocs"] => {
            for name in ["synthetic", "bunny"] {
                let w = workload(name);
                for (who, f) in [
                    ("ours", run_ours as fn(&Workload) -> (usize, usize)),
                    ("retina", run_retina),
                ] {
                    f(&w); // warm-up (lazy statics)
                    let a = ALLOCS.load(Relaxed);
                    let (bytes, frames) = f(&w);
                    let allocs = ALLOCS.load(Relaxed) - a;
                    println!(
                        "{name:<10} {who:<7} {:>5} packets {frames:>4} frames {bytes:>8} bytes  {allocs:>5} allocs ({:.2}/frame, {:.3}/packet)",
                        w.packets.len(),
                        allocs as f64 / frames as f64,
                        allocs as f64 / w.packets.len() as f64,
                    );
                }
            }
        }
        ["loop", who, name, n] => {
            let n: usize = n.parse().expect("iteration count");
            let w = workload(name);
            let f = match who {
                "ours" => run_ours,
                "retina" => run_retina,
                "none" => |_: &Workload| (0, 0),
                _ => panic!("loop ours|retina|none synthetic|bunny N"),
            };
            for _ in 0..n {
                black_box(f(black_box(&w)));
            }
        }
        _ => eprintln!("usage: h264probe [allocs] | loop ours|retina|none synthetic|bunny N"),
    }
}
