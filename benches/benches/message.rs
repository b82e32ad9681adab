//! Throughput of rtsp-proto's message decoder and encoder, with rtsp-types measured on the
//! same bytes in the same criterion group.
//!
//! `cargo bench --manifest-path benches/Cargo.toml [-- --warm-up-time 1 --measurement-time 3]`

use bytes::BytesMut;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rtsp_proto_benches::{
    decode_buf, messages_ours, messages_rtsp_types, parse_rtsp_types, BUNNY, SESSION,
};
use std::hint::black_box;

/// Decoding a buffer that holds the whole input; the copy into a fresh `BytesMut` (the
/// caller's read) is done in the untimed setup for ours; rtsp-types parses a `&[u8]`.
fn decode_group(c: &mut Criterion, name: &str, data: &'static [u8]) {
    // Both parsers must see the same items, or the comparison means nothing.
    assert_eq!(
        messages_ours(data).len(),
        messages_rtsp_types(data).len(),
        "{name}: item counts differ"
    );
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("rtsp-proto", |b| {
        b.iter_batched_ref(
            || BytesMut::from(data),
            |buf| decode_buf(buf, |m| drop(black_box(m))),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("rtsp-types (Vec<u8> body)", |b| {
        b.iter(|| parse_rtsp_types::<Vec<u8>>(black_box(data), |m| drop(black_box(m))))
    });
    g.bench_function("rtsp-types (&[u8] body)", |b| {
        b.iter(|| parse_rtsp_types::<&[u8]>(black_box(data), |m| drop(black_box(m))))
    });
    g.finish();
}

fn decode_session(c: &mut Criterion) {
    decode_group(c, "decode/session", SESSION);
}

fn demux_bunny(c: &mut Criterion) {
    decode_group(c, "demux/bunny", BUNNY);
}

fn encode_session(c: &mut Criterion) {
    let ours = messages_ours(SESSION);
    let theirs = messages_rtsp_types(SESSION);
    let mut g = c.benchmark_group("encode/session");
    g.throughput(Throughput::Bytes(SESSION.len() as u64));
    let mut out = BytesMut::with_capacity(2 * SESSION.len());
    g.bench_function("rtsp-proto", |b| {
        b.iter(|| {
            out.clear();
            for m in black_box(&ours) {
                m.encode(&mut out).expect("fits");
            }
            black_box(out.len())
        })
    });
    let mut out = Vec::with_capacity(2 * SESSION.len());
    g.bench_function("rtsp-types", |b| {
        b.iter(|| {
            out.clear();
            for m in black_box(&theirs) {
                m.write(&mut out).expect("writes");
            }
            black_box(out.len())
        })
    });
    g.finish();
}

criterion_group!(benches, decode_session, encode_session, demux_bunny);
criterion_main!(benches);
