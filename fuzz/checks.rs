//! Properties checked by the fuzz targets and by `tests/fuzz_corpus.rs`.
//!
//! This one file is compiled three ways: by each cargo-fuzz target in `fuzz/fuzz_targets/`
//! (`#[path = "../checks.rs"] mod checks;`), and by the main crate's `tests/fuzz_corpus.rs`,
//! which replays every committed corpus file through the same functions under plain
//! `cargo test` on stable. It uses only the public API of `rtsp_proto` (plus `bytes`, the
//! buffer type of that API) and std.
//!
//! Every check panics (through `assert!`) when a property fails; "no panic" properties need
//! no assertion: any panic inside `rtsp_proto` fails the fuzzer and the test alike.

#![allow(dead_code)]
// each fuzz target uses one of the checks
// A failed check must panic: that is how the fuzzer and the test harness see it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bytes::BytesMut;
use rtsp_proto::header::TypedHeader;
use rtsp_proto::message::{DecodeError, DecodeErrorKind, Decoder, Limits, Message};
use rtsp_proto::{HeaderValue, Request};
use std::fmt::Debug;

/// Small limits, so short fuzz inputs reach every limit path.
pub fn small_limits() -> Limits {
    // `Limits` is `#[non_exhaustive]`: start from the default and set fields.
    let mut l = Limits::default();
    l.max_start_line = 64;
    l.max_head = 256;
    l.max_headers = 8;
    l.max_body = 512;
    l.max_interleaved = 128;
    l
}

/// Limits large enough that any message decoded under smaller limits, re-encoded, still
/// fits (the canonical `Name: value` form may be longer than the peer's `Name:value`).
fn roomy_limits() -> Limits {
    let d = Limits::default();
    let mut l = Limits::default();
    l.max_start_line = 4 * d.max_start_line;
    l.max_head = 4 * d.max_head;
    l.max_headers = 4 * d.max_headers;
    l.max_body = d.max_body;
    l.max_interleaved = d.max_interleaved;
    l
}

/// One item the decoder produced, in a form that can be compared across runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A decoded request, response or interleaved frame.
    Msg(Message),
    /// A decode error (its kind; positions are checked separately).
    Err(DecodeErrorKind),
}

/// Decodes everything `data` holds, as one buffer, and returns the items in order, the
/// errors with their positions, and the final `finish` result. Checks the invariants that
/// hold for every input:
///
/// - `position() + buf.len() == data.len()` after every call (no byte is lost or counted
///   twice), so consumed bytes never exceed the input;
/// - every error's `pos` lies within the input, and `status_code()` / `Display` work;
/// - the number of calls is bounded (at most `2 * len + 2` items), and two calls in a row
///   never both return an error without consuming a byte (no error loop);
/// - the buffer's capacity stays bounded by the input plus the limits (nothing is reserved
///   from a peer-supplied length before it is checked).
pub fn decode_all(
    data: &[u8],
    limits: Limits,
) -> (Vec<Item>, Vec<u64>, Result<(), DecodeErrorKind>) {
    let mut dec = Decoder::with_limits(limits);
    let mut buf = BytesMut::from(data);
    let mut items = Vec::new();
    let mut err_pos = Vec::new();
    let mut stalled_error = false;
    let max_items = 2 * data.len() + 2;
    loop {
        assert!(
            items.len() <= max_items,
            "decoder produced more than {max_items} items from {} bytes",
            data.len()
        );
        let before = dec.position();
        let res = dec.decode(&mut buf);
        check_accounting(&dec, &buf, data.len() as u64);
        match res {
            Ok(Some(msg)) => {
                stalled_error = false;
                items.push(Item::Msg(msg));
            }
            Ok(None) => break,
            Err(e) => {
                check_error(&e, data.len() as u64);
                let stalled = dec.position() == before;
                assert!(
                    !(stalled && stalled_error),
                    "two errors in a row without consuming a byte at {before}: {e}"
                );
                stalled_error = stalled;
                err_pos.push(e.pos);
                items.push(Item::Err(e.kind));
            }
        }
        check_capacity(&buf, data.len(), &limits);
    }
    let fin = dec.finish(&buf).map_err(|e| {
        check_error(&e, data.len() as u64);
        e.kind
    });
    (items, err_pos, fin)
}

fn check_accounting(dec: &Decoder, buf: &BytesMut, total: u64) {
    let pos = dec.position();
    assert!(pos <= total, "decoder consumed {pos} of {total} bytes");
    assert_eq!(
        pos + buf.len() as u64,
        total,
        "consumed bytes plus remaining buffer differ from the input"
    );
}

fn check_error(e: &DecodeError, total: u64) {
    assert!(
        e.pos <= total,
        "error position {} beyond input of {total} bytes: {e}",
        e.pos
    );
    let code = e.status_code().as_u16();
    assert!((400..600).contains(&code), "error maps to status {code}");
    let _ = e.to_string();
}

fn check_capacity(buf: &BytesMut, input: usize, limits: &Limits) {
    // Growth the decoder may ask for: one body or one frame. `BytesMut` may double.
    let bound = 2 * (input + limits.max_body.max(limits.max_interleaved + 4)) + 4096;
    assert!(
        buf.capacity() <= bound,
        "buffer capacity {} exceeds {bound} for {input} input bytes",
        buf.capacity()
    );
}

/// Encodes `msg` and decodes it again with roomy limits; asserts one equal message comes
/// back and the encoding is consumed exactly.
pub fn check_round_trip(msg: &Message) {
    let mut out = BytesMut::new();
    msg.encode(&mut out)
        .expect("decoded frames always fit 16 bits");
    let encoded = out.clone();
    let mut dec = Decoder::with_limits(roomy_limits());
    let back = match dec.decode(&mut out) {
        Ok(Some(m)) => m,
        other => panic!(
            "re-encoded message does not decode: {other:?}\nmessage: {msg:?}\nencoded: {:?}",
            String::from_utf8_lossy(&encoded)
        ),
    };
    assert_eq!(
        &back,
        msg,
        "round trip changed the message; encoded: {:?}",
        String::from_utf8_lossy(&encoded)
    );
    assert!(
        out.is_empty(),
        "{} bytes left after decoding a re-encoded message",
        out.len()
    );
    // A second encoding is byte-identical (encoding is a function of the message).
    let mut again = BytesMut::new();
    back.encode(&mut again).expect("same frame");
    assert_eq!(again, encoded, "encoding is not stable");
}

/// Target `decoder`: arbitrary bytes through the decoder with small and default limits,
/// then every decoded item through encode → decode.
pub fn check_decoder(data: &[u8]) {
    for limits in [small_limits(), Limits::default()] {
        let (items, _, _) = decode_all(data, limits);
        for item in &items {
            if let Item::Msg(msg) = item {
                check_round_trip(msg);
            }
        }
    }
}

/// Target `split`: the first bytes choose how the rest is cut into chunks; decoding the
/// chunks one after another must give the same items (messages and error kinds), the same
/// error positions and the same `finish` result as decoding the rest whole.
///
/// Layout: `ctl`, then `ctl & 7` chunk-size bytes (each size is the byte plus one, used in
/// turn, cyclically), then the stream. `ctl & 7 == 0` feeds one byte at a time. Bit 3 of
/// `ctl` selects the small limits instead of the default ones.
pub fn check_split(data: &[u8]) {
    let Some((&ctl, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(ctl & 7).min(rest.len());
    let (sizes, stream) = rest.split_at(n);
    let sizes: Vec<usize> = if sizes.is_empty() {
        vec![1]
    } else {
        sizes.iter().map(|&b| usize::from(b) + 1).collect()
    };
    let limits = if ctl & 8 != 0 {
        small_limits()
    } else {
        Limits::default()
    };

    let (whole, whole_pos, whole_fin) = decode_all(stream, limits);

    let mut dec = Decoder::with_limits(limits);
    let mut buf = BytesMut::new();
    let mut items = Vec::new();
    let mut err_pos = Vec::new();
    let mut fed = 0usize;
    let mut k = 0usize;
    let max_items = 2 * stream.len() + 2;
    while fed < stream.len() {
        let size = sizes[k % sizes.len()];
        k += 1;
        let end = (fed + size).min(stream.len());
        buf.extend_from_slice(&stream[fed..end]);
        fed = end;
        loop {
            assert!(items.len() <= max_items, "too many items from split input");
            match dec.decode(&mut buf) {
                Ok(Some(msg)) => items.push(Item::Msg(msg)),
                Ok(None) => break,
                Err(e) => {
                    err_pos.push(e.pos);
                    items.push(Item::Err(e.kind));
                }
            }
            check_accounting(&dec, &buf, fed as u64);
        }
    }
    let fin = dec.finish(&buf).map_err(|e| e.kind);

    assert_eq!(
        items, whole,
        "split decoding (chunk sizes {sizes:?}) differs from whole decoding"
    );
    assert_eq!(
        err_pos, whole_pos,
        "error positions differ when split ({sizes:?})"
    );
    assert_eq!(fin, whole_fin, "finish() differs when split ({sizes:?})");
}

/// Parses `value` as `H`; on success checks that the canonical form is a valid header
/// value, re-parses to the same header, formats identically again, and survives the
/// header table and a whole message encode → decode.
pub fn check_typed_header<H: TypedHeader + PartialEq + Debug>(value: &str) {
    let Ok(h) = H::parse(value) else {
        return;
    };
    let formatted = h.to_value_string();
    assert!(
        HeaderValue::from_string(formatted.clone()).is_ok(),
        "{} formats {h:?} to an invalid header value {formatted:?}",
        H::name()
    );
    let back = H::parse(&formatted).unwrap_or_else(|e| {
        panic!(
            "{} does not re-parse its own output {formatted:?} ({h:?}): {e}",
            H::name()
        )
    });
    assert_eq!(
        back,
        h,
        "{} changed by format/parse: {formatted:?}",
        H::name()
    );
    assert_eq!(
        back.to_value_string(),
        formatted,
        "{} canonical form is not stable",
        H::name()
    );

    // Through a message on the wire. (`Content-Length` describes the body, so a request
    // carrying an arbitrary one would not frame; its table round trip is checked instead.)
    let req = Request::builder(rtsp_proto::Method::OPTIONS, "*")
        .typed_header(&h)
        .build();
    assert_eq!(
        req.headers.typed::<H>().map(|r| r.ok()),
        Some(Some(h)),
        "{} lost in the header table",
        H::name()
    );
    if H::name() != rtsp_proto::HeaderName::CONTENT_LENGTH {
        let mut out = BytesMut::new();
        req.encode(&mut out);
        let mut dec = Decoder::new();
        let Ok(Some(Message::Request(got))) = dec.decode(&mut out) else {
            panic!("request with {} {formatted:?} does not decode", H::name());
        };
        assert_eq!(
            got.headers.typed::<H>().map(|r| r.ok()),
            Some(Some(back)),
            "{} changed on the wire",
            H::name()
        );
    }
}

/// Declares [`check_headers`] over a list of typed headers: add a type by adding one line.
macro_rules! typed_headers {
    ($($ty:path),+ $(,)?) => {
        /// The typed headers `check_headers` exercises, in selector order.
        pub const TYPED_HEADERS: &[&str] = &[$(stringify!($ty)),+];

        /// Target `headers`: the first byte selects a typed header (modulo the number of
        /// types), the rest is its value (UTF-8, lossily).
        pub fn check_headers(data: &[u8]) {
            let Some((&sel, rest)) = data.split_first() else {
                return;
            };
            let value = String::from_utf8_lossy(rest);
            let sel = usize::from(sel) % TYPED_HEADERS.len();
            let mut i = 0usize;
            $(
                if sel == i {
                    check_typed_header::<$ty>(&value);
                    return;
                }
                i += 1;
            )+
            let _ = i;
        }
    };
}

typed_headers! {
    rtsp_proto::header::CSeq,
    rtsp_proto::header::ContentLength,
    rtsp_proto::header::Transport,
    rtsp_proto::header::Session,
    rtsp_proto::header::Range,
    rtsp_proto::header::RtpInfo,
    rtsp_proto::header::WwwAuthenticate,
    rtsp_proto::header::Authorization,
    rtsp_proto::header::Public,
    rtsp_proto::header::Allow,
    rtsp_proto::header::Require,
    rtsp_proto::header::ProxyRequire,
    rtsp_proto::header::Supported,
    rtsp_proto::header::ProxySupported,
    rtsp_proto::header::Unsupported,
    rtsp_proto::header::AcceptRanges,
    rtsp_proto::header::ContentBase,
    rtsp_proto::header::ContentLocation,
    rtsp_proto::header::ContentType,
    rtsp_proto::header::Location,
    rtsp_proto::header::Accept,
    rtsp_proto::header::Scale,
    rtsp_proto::header::Speed,
    rtsp_proto::header::MediaProperties,
    rtsp_proto::header::SeekStyle,
    rtsp_proto::header::NotifyReason,
    rtsp_proto::header::PipelinedRequests,
    rtsp_proto::header::ProxyAuthenticate,
    rtsp_proto::header::ProxyAuthorization,
}
