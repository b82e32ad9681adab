//! Property tests of the message layer: any way of cutting a byte stream of several
//! messages and `$` frames into chunks yields the same items, and every message survives
//! an encode/decode round trip.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use rtsp_proto::message::{Data, DecodeErrorKind, Decoder, Limits, Message};
use rtsp_proto::{HeaderName, HeaderValue, Method, Request, Response, StatusCode, Version};

fn decode_in_chunks(
    input: &[u8],
    cuts: &[usize],
    limits: Limits,
) -> Vec<Result<Message, DecodeErrorKind>> {
    decode_in_chunks_with(input, cuts, limits, false)
}

/// `fast`: try [`Decoder::decode_data`] before every [`Decoder::decode`], as a client or
/// server connection does; it must not change what comes out.
fn decode_in_chunks_with(
    input: &[u8],
    cuts: &[usize],
    limits: Limits,
    fast: bool,
) -> Vec<Result<Message, DecodeErrorKind>> {
    let mut dec = Decoder::with_limits(limits);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    let mut pos = 0;
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    cuts.sort_unstable();
    cuts.push(input.len());
    for cut in cuts {
        if cut < pos {
            continue;
        }
        buf.extend_from_slice(&input[pos..cut]);
        pos = cut;
        loop {
            if fast {
                if let Some(d) = dec.decode_data(&mut buf) {
                    out.push(Ok(Message::Data(d)));
                    continue;
                }
            }
            match dec.decode(&mut buf) {
                Ok(Some(m)) => out.push(Ok(m)),
                Ok(None) => break,
                Err(e) => out.push(Err(e.kind)),
            }
        }
    }
    out
}

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![
        proptest::sample::select(Method::ALL_STANDARD.to_vec()),
        "[A-Z][A-Z_-]{0,12}".prop_map(|s| Method::parse(s.as_bytes()).unwrap()),
    ]
}

fn header() -> impl Strategy<Value = (HeaderName, HeaderValue)> {
    let name = prop_oneof![
        Just(HeaderName::CSEQ),
        Just(HeaderName::SESSION),
        Just(HeaderName::TRANSPORT),
        Just(HeaderName::USER_AGENT),
        "X-[A-Za-z0-9-]{1,10}".prop_map(|s| HeaderName::parse(s.as_bytes()).unwrap()),
    ];
    // Values: printable, no leading/trailing whitespace (the decoder trims it).
    let value = "([!-~]([ -~]{0,30}[!-~])?)?|caf\u{e9} \u{1F600}";
    (name, value).prop_map(|(n, v)| (n, HeaderValue::from_string(v).unwrap()))
}

fn body() -> impl Strategy<Value = Bytes> {
    prop::collection::vec(any::<u8>(), 0..200).prop_map(Bytes::from)
}

fn version() -> impl Strategy<Value = Version> {
    prop_oneof![Just(Version::V1_0), Just(Version::V2_0)]
}

fn request() -> impl Strategy<Value = Message> {
    (
        method(),
        "rtsp://[a-z0-9.]{1,20}(:[0-9]{1,5})?(/[a-zA-Z0-9=._-]{0,10}){0,3}|\\*",
        version(),
        prop::collection::vec(header(), 0..8),
        body(),
    )
        .prop_map(|(method, uri, version, headers, body)| {
            let mut b = Request::builder(method, uri).version(version);
            for (n, v) in headers {
                if n != HeaderName::CONTENT_LENGTH {
                    b = b.header(n, v);
                }
            }
            Message::Request(b.body(body).build())
        })
}

fn response() -> impl Strategy<Value = Message> {
    (
        100u16..=999,
        "([!-~]([ -~]{0,20}[!-~])?)?",
        version(),
        prop::collection::vec(header(), 0..8),
        body(),
    )
        .prop_map(|(code, reason, version, headers, body)| {
            let mut b = Response::builder(StatusCode::from_u16(code).unwrap())
                .version(version)
                .reason(reason);
            for (n, v) in headers {
                b = b.header(n, v);
            }
            Message::Response(b.body(body).build())
        })
}

fn data() -> impl Strategy<Value = Message> {
    (any::<u8>(), prop::collection::vec(any::<u8>(), 0..300)).prop_map(|(channel, p)| {
        Message::Data(Data {
            channel,
            payload: Bytes::from(p),
        })
    })
}

fn message() -> impl Strategy<Value = Message> {
    prop_oneof![request(), response(), data()]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_split_gives_the_same_messages(
        msgs in prop::collection::vec(message(), 1..8),
        blank_lines in prop::collection::vec(0usize..3, 8),
        cuts in prop::collection::vec(any::<usize>(), 0..20),
    ) {
        let mut stream = BytesMut::new();
        for (i, m) in msgs.iter().enumerate() {
            for _ in 0..blank_lines[i % blank_lines.len()] {
                stream.extend_from_slice(b"\r\n");
            }
            m.encode(&mut stream).unwrap();
        }
        let whole = decode_in_chunks(&stream, &[], Limits::default());
        let expected: Vec<_> = msgs.iter().cloned().map(Ok).collect();
        prop_assert_eq!(&whole, &expected);
        let split = decode_in_chunks(&stream, &cuts, Limits::default());
        prop_assert_eq!(&split, &whole);
        let fast = decode_in_chunks_with(&stream, &cuts, Limits::default(), true);
        prop_assert_eq!(fast, whole);
    }

    #[test]
    fn split_invariance_holds_for_garbage_too(
        input in prop::collection::vec(prop_oneof![
            Just(b'\r'), Just(b'\n'), Just(b'$'), Just(b' '), Just(b':'), Just(0u8),
            Just(b'R'), Just(b'T'), Just(b'S'), Just(b'P'), Just(b'/'), Just(b'1'), Just(b'.'), Just(b'0'),
            any::<u8>(),
        ], 0..400),
        cuts in prop::collection::vec(any::<usize>(), 0..20),
    ) {
        let mut limits = Limits::default();
        limits.max_start_line = 64;
        limits.max_head = 128;
        limits.max_headers = 4;
        limits.max_body = 64;
        limits.max_interleaved = 32;
        let whole = decode_in_chunks(&input, &[], limits);
        let split = decode_in_chunks(&input, &cuts, limits);
        // The fast path changes nothing, errors and their timing included.
        let fast = decode_in_chunks_with(&input, &cuts, limits, true);
        prop_assert_eq!(&fast, &split);
        // Errors may be reported at different moments when the input is cut (e.g. a head
        // limit hit before the rest arrives), but the decoded messages must agree.
        let ok = |v: &[Result<Message, DecodeErrorKind>]| v.iter().filter_map(|r| r.as_ref().ok().cloned()).collect::<Vec<_>>();
        prop_assert_eq!(ok(&split), ok(&whole));
    }

    #[test]
    fn byte_at_a_time_equals_whole(msgs in prop::collection::vec(message(), 1..4)) {
        let mut stream = BytesMut::new();
        for m in &msgs {
            m.encode(&mut stream).unwrap();
        }
        let cuts: Vec<usize> = (0..stream.len()).collect();
        let split = decode_in_chunks(&stream, &cuts, Limits::default());
        let expected: Vec<_> = msgs.into_iter().map(Ok).collect();
        prop_assert_eq!(split, expected);
    }
}

#[test]
fn corpus_streams_split_randomly() {
    // Deterministic pseudo-random cuts over every real TCP stream.
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for session in common::sessions() {
        for file in common::files_with_ext(&session.join("tcp"), "bin") {
            let bytes = std::fs::read(&file).unwrap();
            let whole = decode_in_chunks(&bytes, &[], Limits::default());
            assert!(whole.iter().all(Result::is_ok));
            for _ in 0..3 {
                let cuts: Vec<usize> = (0..50)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        (seed % (bytes.len() as u64 + 1)) as usize
                    })
                    .collect();
                assert_eq!(
                    decode_in_chunks(&bytes, &cuts, Limits::default()),
                    whole,
                    "{file:?}"
                );
            }
        }
    }
}
