//! Loops one implementation over the same bytes for a profiler
//! (`valgrind --tool=callgrind`), without criterion around it: RTCP compound parse (see
//! `work.rs` for what each side reads) and RTP build (the same packets as
//! `benches/rtp.rs`'s `rtp_build` group, each side writing a prebuilt description).
//!
//! ```text
//! cargo build --release --manifest-path benches/Cargo.toml --bin rtp_probe
//! valgrind --tool=callgrind benches/target/release/rtp_probe rtcp ours sr_sdes 10000
//! valgrind --tool=callgrind benches/target/release/rtp_probe rtcp rtcp-types rr_sdes_bye 10000
//! valgrind --tool=callgrind benches/target/release/rtp_probe build webrtc-rs 1400 10000
//! ```
//!
//! Per-call instructions: the difference between two runs with different counts, divided
//! by the difference in counts (startup cancels out).

mod work;

use bytes::Bytes;
use rtsp_proto::rtp::{PayloadType, RtpBuilder, Ssrc};
use std::hint::black_box;

fn rtcp(which: &str, input: &str, n: u64) -> u64 {
    let inputs = work::inputs();
    let data = &inputs
        .iter()
        .find(|(name, _)| *name == input)
        .expect("input sr_sdes or rr_sdes_bye")
        .1;
    assert_eq!(work::ours_rtcp(data), work::theirs_rtcp(data), "same work");
    let f = match which {
        "ours" => work::ours_rtcp,
        "rtcp-types" => work::theirs_rtcp,
        _ => panic!("ours or rtcp-types"),
    };
    let mut acc = 0u64;
    for _ in 0..n {
        acc = acc.wrapping_add(f(black_box(data)));
    }
    acc
}

const CSRCS: [u32; 2] = [0x1111_1111, 0x2222_2222];
const EXT_BODY: [u8; 8] = [0x10, 0x8a, 0x22, 1, 2, 3, 0, 0];

/// `case`: `160`, `1400`, optionally with `_csrc_ext_pad` (two CSRCs, a one-byte-form
/// extension, 4 bytes of padding), as in the bench.
fn build(which: &str, case: &str, n: u64) -> u64 {
    let (len, full) = match case {
        "160" => (160, false),
        "1400" => (1400, false),
        "160_csrc_ext_pad" => (160, true),
        "1400_csrc_ext_pad" => (1400, true),
        _ => panic!("case 160|1400[_csrc_ext_pad]"),
    };
    let payload = vec![0xabu8; len];
    let mut out = vec![0u8; 2048];
    let csrcs = CSRCS.map(Ssrc);
    let mut ours = RtpBuilder::new(
        PayloadType::from_static(96),
        0x1234,
        0x5678_9abc,
        Ssrc(0xdead_beef),
    )
    .marker(true)
    .payload(&payload);
    if full {
        ours = ours
            .csrcs(&csrcs)
            .extension_raw(0xbede, &EXT_BODY)
            .padding(4);
    }
    let mut rt = rtp_types::RtpPacketBuilder::<&[u8], &[u8]>::new()
        .marker_bit(true)
        .payload_type(96)
        .sequence_number(0x1234)
        .timestamp(0x5678_9abc)
        .ssrc(0xdead_beef)
        .payload(&payload[..]);
    if full {
        rt = rt
            .add_csrc(CSRCS[0])
            .add_csrc(CSRCS[1])
            .extension(0xbede, &EXT_BODY[..])
            .padding(4);
    }
    let mut raw = vec![0u8; ours.encoded_len().unwrap()];
    ours.write(&mut raw).unwrap();
    let wp = {
        use webrtc_util::marshal::Unmarshal;
        rtp::packet::Packet::unmarshal(&mut Bytes::from(raw.clone())).unwrap()
    };
    let mut acc = 0u64;
    match which {
        "ours" => {
            for _ in 0..n {
                acc += black_box(&ours).write(&mut out).unwrap() as u64;
            }
        }
        "rtp-types" => {
            for _ in 0..n {
                acc += black_box(&rt).write_into(&mut out).unwrap() as u64;
            }
        }
        "webrtc-rs" => {
            use webrtc_util::marshal::Marshal;
            for _ in 0..n {
                acc += black_box(&wp).marshal_to(&mut out).unwrap() as u64;
            }
        }
        _ => panic!("ours, rtp-types or webrtc-rs"),
    }
    black_box(&out);
    acc
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let acc = match args[..] {
        ["rtcp", which, input, n] => rtcp(which, input, n.parse().expect("count")),
        ["build", which, case, n] => build(which, case, n.parse().expect("count")),
        _ => {
            eprintln!(
                "usage: rtp_probe rtcp ours|rtcp-types sr_sdes|rr_sdes_bye N\n       \
                 rtp_probe build ours|rtp-types|webrtc-rs 160|1400[_csrc_ext_pad] N"
            );
            std::process::exit(2);
        }
    };
    println!("{acc}");
}
