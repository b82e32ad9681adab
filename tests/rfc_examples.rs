//! The example messages of RFC 2326 §14 / Appendix A and of RFC 7826 (its method
//! sections and Appendix A) decode, with their folded header lines, and their typed
//! headers parse. See `tests/data/README.md` for how the vectors were made.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use bytes::BytesMut;
use common::*;
use rtsp_proto::message::Message;
use rtsp_proto::{Method, StatusCode, Version};

fn load(name: &str) -> Vec<Message> {
    let bytes = std::fs::read(data_dir().join("rfc").join(name)).unwrap();
    let msgs = decode_stream(&bytes);
    for chunk in [1, 2, 5, 64] {
        assert_eq!(decode_chunked(&bytes, chunk), msgs);
    }
    for m in &msgs {
        common::typed_headers::check_typed_headers(m);
        let mut out = BytesMut::new();
        m.encode(&mut out).unwrap();
        assert_eq!(&decode_stream(&out), std::slice::from_ref(m));
    }
    msgs
}

#[test]
fn rfc2326_examples() {
    let msgs = load("rfc2326_examples.rtsp");
    assert_eq!(msgs.len(), 25);
    let Message::Response(r) = &msgs[1] else {
        panic!()
    };
    // The folded Transport line is joined with a single space.
    assert_eq!(
        r.headers.get_str("Transport"),
        Some("RTP/AVP/UDP;unicast;client_port=3056-3057; server_port=5000-5001")
    );
    let Message::Response(r) = &msgs[19] else {
        panic!()
    };
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(&r.reason[..], b"1 OK");
    let Message::Request(r) = &msgs[21] else {
        panic!()
    };
    assert_eq!(r.method, Method::ANNOUNCE);
    assert!(r.body.starts_with(b"v=0\r\n"));
    let Message::Response(r) = &msgs[10] else {
        panic!()
    };
    assert_eq!(r.status, StatusCode::ONLY_AGGREGATE_OPERATION_ALLOWED);
}

#[test]
fn rfc7826_examples() {
    let msgs = load("rfc7826_examples.rtsp");
    assert_eq!(msgs.len(), 18);
    for m in &msgs {
        let v = match m {
            Message::Request(r) => r.version,
            Message::Response(r) => r.version,
            Message::Data(_) => unreachable!(),
        };
        assert_eq!(v, Version::V2_0);
    }
    let Message::Request(r) = &msgs[0] else {
        panic!()
    };
    assert_eq!((r.method.clone(), r.uri()), (Method::OPTIONS, "*"));
    let Message::Request(r) = &msgs[15] else {
        panic!()
    };
    assert_eq!(r.method, Method::PLAY_NOTIFY);
    let Message::Response(r) = &msgs[16] else {
        panic!()
    };
    assert_eq!(r.headers.get_all("WWW-Authenticate").count(), 2);
}
