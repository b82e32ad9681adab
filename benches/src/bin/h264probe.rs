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
//! The workloads and loops are `rtsp_proto_benches::h264`'s, shared with the bench.

use rtsp_proto_benches::alloc_count::{counts, Counting};
use rtsp_proto_benches::h264::{run_ours, run_retina, workload, Workload};
use std::hint::black_box;

#[global_allocator]
static GLOBAL: Counting = Counting;

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
                    let before = counts();
                    let (bytes, frames) = f(&w);
                    let c = counts().since(before);
                    let allocs = c.allocs + c.reallocs;
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
