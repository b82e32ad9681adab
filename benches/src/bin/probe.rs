//! Counts heap allocations per decoded message, and runs one decoder in a loop for a
//! profiler (`valgrind --tool=callgrind`), where criterion's own work would blur the
//! picture.
//!
//! ```text
//! cargo run --release --manifest-path benches/Cargo.toml --bin probe            # allocations
//! cargo run --release --manifest-path benches/Cargo.toml --bin probe -- loop ours 2000
//! cargo run --release --manifest-path benches/Cargo.toml --bin probe -- loop rtsp-types 2000
//! PROBE_INPUT=bunny cargo run --release --manifest-path benches/Cargo.toml --bin probe -- loop rtsp-types-ref 20
//! ```

use bytes::BytesMut;
use rtsp_proto::message::Message;
use rtsp_proto_benches::alloc_count::{counts, Counting, Counts as Count};
use rtsp_proto_benches::{decode_buf, parse_rtsp_types, BUNNY, SESSION};
use std::hint::black_box;

#[global_allocator]
static GLOBAL: Counting = Counting;

fn counted(f: impl FnOnce()) -> Count {
    let before = counts();
    f();
    counts().since(before)
}

fn report(what: &str, items: u64, c: Count) {
    println!(
        "{what:<44} {items:>5} items  {:>6} allocs {:>4} reallocs {:>9} bytes  {:>6.2} allocs/item",
        c.allocs,
        c.reallocs,
        c.bytes,
        (c.allocs + c.reallocs) as f64 / items.max(1) as f64
    );
}

fn allocations() {
    println!("heap allocations while decoding (input copy into the buffer excluded):\n");
    for (name, data) in [("session", SESSION), ("bunny", BUNNY)] {
        let mut buf = BytesMut::from(data);
        let (mut msgs, mut frames) = (0u64, 0u64);
        let c = counted(|| {
            decode_buf(&mut buf, |m| {
                match m {
                    Message::Data(_) => frames += 1,
                    _ => msgs += 1,
                }
                drop(black_box(m))
            })
        });
        report(&format!("rtsp-proto {name}"), msgs + frames, c);
        println!(
            "{:<44} ({msgs} requests/responses, {frames} interleaved frames)",
            ""
        );

        let mut n = 0u64;
        let c = counted(|| {
            parse_rtsp_types::<Vec<u8>>(data, |m| {
                n += 1;
                drop(black_box(m))
            })
        });
        report(&format!("rtsp-types {name} (Vec<u8> body)"), n, c);
        let mut n = 0u64;
        let c = counted(|| {
            parse_rtsp_types::<&[u8]>(data, |m| {
                n += 1;
                drop(black_box(m))
            })
        });
        report(&format!("rtsp-types {name} (&[u8] body)"), n, c);
    }

    println!("\nrtsp-proto, one message at a time (fresh decoder, buffer prepared untimed):\n");
    let msgs = rtsp_proto_benches::messages_ours(SESSION);
    for m in msgs.iter().filter(|m| !matches!(m, Message::Data(_))) {
        let mut bytes = BytesMut::new();
        m.encode(&mut bytes).expect("fits");
        let label = match m {
            Message::Request(r) => format!("{} ({} headers)", r.method, r.headers.len()),
            Message::Response(r) => format!("{} ({} headers)", r.status.as_u16(), r.headers.len()),
            Message::Data(_) => unreachable!(),
        };
        let c = counted(|| decode_buf(&mut bytes, |m| drop(black_box(m))));
        report(&label, 1, c);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [] | ["allocs"] => allocations(),
        ["loop", which, n] => {
            let n: usize = n.parse().expect("iteration count");
            let data = std::env::var("PROBE_INPUT")
                .map(|v| if v == "bunny" { BUNNY } else { SESSION })
                .unwrap_or(SESSION);
            for _ in 0..n {
                match which {
                    "ours" => decode_buf(&mut BytesMut::from(data), |m| drop(black_box(m))),
                    "rtsp-types" => {
                        parse_rtsp_types::<Vec<u8>>(black_box(data), |m| drop(black_box(m)))
                    }
                    "rtsp-types-ref" => {
                        parse_rtsp_types::<&[u8]>(black_box(data), |m| drop(black_box(m)))
                    }
                    _ => panic!("loop ours|rtsp-types|rtsp-types-ref N"),
                }
            }
        }
        _ => eprintln!("usage: probe [allocs] | [PROBE_INPUT=bunny] probe loop ours|rtsp-types|rtsp-types-ref N"),
    }
}
