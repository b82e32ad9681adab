//! Loops one RTCP compound parser over the same bytes for a profiler
//! (`valgrind --tool=callgrind`), without criterion around it; see `work.rs` for what each
//! side does.
//!
//! ```text
//! cargo build --release --manifest-path benches/Cargo.toml --bin rtcp_probe
//! valgrind --tool=callgrind benches/target/release/rtcp_probe ours sr_sdes 10000
//! valgrind --tool=callgrind benches/target/release/rtcp_probe rtcp-types rr_sdes_bye 10000
//! ```
//!
//! Per-parse instructions: the difference between two runs with different counts, divided
//! by the difference in counts (startup cancels out).

mod work;

use std::hint::black_box;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [which, input, n] = &args[..] else {
        eprintln!("usage: rtcp_probe ours|rtcp-types sr_sdes|rr_sdes_bye N");
        std::process::exit(2);
    };
    let n: u64 = n.parse().expect("iteration count");
    let inputs = work::inputs();
    let data = &inputs
        .iter()
        .find(|(name, _)| name == input)
        .expect("input sr_sdes or rr_sdes_bye")
        .1;
    assert_eq!(work::ours_rtcp(data), work::theirs_rtcp(data), "same work");
    let f = match which.as_str() {
        "ours" => work::ours_rtcp,
        "rtcp-types" => work::theirs_rtcp,
        _ => panic!("ours or rtcp-types"),
    };
    let mut acc = 0u64;
    for _ in 0..n {
        acc = acc.wrapping_add(f(black_box(data)));
    }
    println!("{acc}");
}
