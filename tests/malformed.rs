//! Hostile input to the message layer: each kind of bad input yields its typed error, the
//! decoder never panics, never buffers without bound, and keeps decoding afterwards.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use bytes::BytesMut;
use rtsp_proto::message::{DecodeErrorKind, Decoder, Limits, Message};

fn first_error(input: &[u8]) -> DecodeErrorKind {
    let mut dec = Decoder::new();
    let mut buf = BytesMut::from(input);
    for _ in 0..100 {
        match dec.decode(&mut buf) {
            Ok(Some(_)) => continue,
            Ok(None) => break,
            Err(e) => return e.kind,
        }
    }
    match dec.finish(&buf) {
        Err(e) => e.kind,
        Ok(()) => panic!("no error for {:?}", String::from_utf8_lossy(input)),
    }
}

#[test]
fn each_bad_input_has_its_typed_error() {
    let long_uri = format!("DESCRIBE rtsp://h/{} RTSP/1.0\r\n\r\n", "a".repeat(5000));
    assert_eq!(
        first_error(long_uri.as_bytes()),
        DecodeErrorKind::StartLineTooLong { limit: 4096 }
    );

    let many: String = (0..65).map(|i| format!("X-H{i}: v\r\n")).collect();
    let msg = format!("OPTIONS * RTSP/1.0\r\n{many}\r\n");
    assert_eq!(
        first_error(msg.as_bytes()),
        DecodeErrorKind::TooManyHeaders { limit: 64 }
    );

    let big = format!(
        "OPTIONS * RTSP/1.0\r\nX-Big: {}\r\n\r\n",
        "b".repeat(17 * 1024)
    );
    assert_eq!(
        first_error(big.as_bytes()),
        DecodeErrorKind::HeadTooLarge { limit: 16 * 1024 }
    );

    assert_eq!(
        first_error(b"ANNOUNCE rtsp://h/a RTSP/1.0\r\nContent-Length: 4294967296\r\n\r\n"),
        DecodeErrorKind::BodyTooLarge {
            length: 4_294_967_296,
            limit: 256 * 1024
        }
    );
    for bad in ["-1", "abc", "1e3", "0x10", ""] {
        let msg = format!("RTSP/1.0 200 OK\r\nContent-Length: {bad}\r\n\r\n");
        assert_eq!(
            first_error(msg.as_bytes()),
            DecodeErrorKind::Syntax("Content-Length"),
            "{bad}"
        );
    }
    assert_eq!(
        first_error(b"$\x00\x01\x00\x80\x60"),
        DecodeErrorKind::Truncated
    );
    assert_eq!(
        first_error(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\n"),
        DecodeErrorKind::Truncated
    );
    assert!(matches!(
        first_error(b"RTSP/1.0 200 OK\r\nServer: caf\xc3\x28\r\n\r\n"),
        DecodeErrorKind::InvalidHeaderValue(n) if n.as_str() == "Server"
    ));
    assert!(matches!(
        first_error(b"RTSP/1.0 200 OK\r\nServer: a\x00b\r\n\r\n"),
        DecodeErrorKind::InvalidHeaderValue(_)
    ));
    assert_eq!(
        first_error(b"OPTIONS *\x00 RTSP/1.0\r\n\r\n"),
        DecodeErrorKind::Syntax("start-line")
    );
    assert_eq!(
        first_error(b"RTSP/3.0 200 OK\r\n\r\n"),
        DecodeErrorKind::UnsupportedVersion
    );
}

#[test]
fn status_codes_for_bad_requests() {
    let mut dec = Decoder::new();
    let mut buf = BytesMut::from(&b"SETUP rtsp://h/a RTSP/1.1\r\nCSeq: 1\r\n\r\n"[..]);
    assert_eq!(
        dec.decode(&mut buf).unwrap_err().status_code().as_u16(),
        505
    );
    let mut buf =
        BytesMut::from(&b"ANNOUNCE rtsp://h/a RTSP/1.0\r\nContent-Length: 999999999\r\n\r\n"[..]);
    assert_eq!(
        Decoder::new()
            .decode(&mut buf)
            .unwrap_err()
            .status_code()
            .as_u16(),
        413
    );
}

/// A small deterministic PRNG (xorshift64*), so the test needs no RNG dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[test]
fn random_and_mutated_input_stays_bounded() {
    let valid: &[u8] = b"RTSP/1.0 200 OK\r\nCSeq: 4\r\nSession: 1234;timeout=60\r\nContent-Length: 10\r\n\r\n0123456789$\x00\x00\x04\x80\x60\x00\x01";
    let mut limits = Limits::default();
    limits.max_head = 2048;
    limits.max_body = 1024;
    limits.max_interleaved = 1500;
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let mut dec = Decoder::with_limits(limits);
    let mut buf = BytesMut::new();
    let mut fed = 0usize;
    let mut items = 0usize;
    let mut errors = 0usize;
    let mut max_buf = 0usize;
    while fed < 8 * 1024 * 1024 {
        // Half random bytes, half mutated valid messages.
        let mut chunk = if rng.next().is_multiple_of(2) {
            (0..(rng.next() % 512))
                .map(|_| rng.next() as u8)
                .collect::<Vec<_>>()
        } else {
            let mut v = valid.to_vec();
            for _ in 0..(rng.next() % 4) {
                let i = (rng.next() as usize) % v.len();
                v[i] = rng.next() as u8;
            }
            v
        };
        fed += chunk.len();
        buf.extend_from_slice(&chunk);
        chunk.clear();
        loop {
            match dec.decode(&mut buf) {
                Ok(Some(_)) => items += 1,
                Ok(None) => break,
                Err(_) => errors += 1,
            }
        }
        max_buf = max_buf.max(buf.len());
    }
    assert!(dec.position() <= fed as u64);
    // The buffer never holds more than the largest item the limits allow plus one chunk.
    assert!(max_buf <= 2048 + 1024 + 512, "buffer grew to {max_buf}");
    assert!(items > 0 && errors > 0, "items {items} errors {errors}");
}

#[test]
fn decoding_continues_after_an_error_on_a_media_connection() {
    let mut stream = Vec::new();
    stream.extend_from_slice(b"$\x00\x00\x04\x80\x60\x00\x01");
    stream.extend_from_slice(b"RTSP/1.0 200 OK\r\nContent-Length: nope\r\n\r\n");
    stream.extend_from_slice(b"$\x00\x00\x04\x80\x60\x00\x02");
    stream.extend_from_slice(b"RTSP/1.0 200 OK\r\nCSeq: 9\r\n\r\n");
    let mut dec = Decoder::new();
    let mut buf = BytesMut::from(&stream[..]);
    let mut seen = Vec::new();
    loop {
        match dec.decode(&mut buf) {
            Ok(Some(Message::Data(d))) => seen.push(format!("data{}", d.payload[3])),
            Ok(Some(Message::Response(r))) => {
                seen.push(format!("resp{}", r.headers.get_str("CSeq").unwrap()))
            }
            Ok(Some(Message::Request(_))) => seen.push("req".into()),
            Ok(None) => break,
            Err(e) => seen.push(format!("err@{}", e.pos)),
        }
    }
    assert_eq!(seen, ["data1", "err@41", "data2", "resp9"]);
}
