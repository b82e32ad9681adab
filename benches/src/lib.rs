//! Shared inputs and drivers for the benchmarks (`benches/message.rs`) and the probe binary
//! (`src/bin/probe.rs`); [`client`] and [`h264`] do the same for their benchmarks and probes: the same bytes and the same decode loops, so the numbers of both
//! describe the same work.

use bytes::BytesMut;

pub mod alloc_count;
pub mod client;
pub mod h264;
use rtsp_proto::message::{Decoder, Message};

/// A whole authenticated RTSP/1.0 session as seen by a proxy (both directions, in order):
/// OPTIONS, DESCRIBE → 401 Digest, DESCRIBE → 200 SDP, SETUP, PLAY → RTP-Info,
/// GET_PARAMETER, TEARDOWN, with every reply. See `data/README.md`.
pub const SESSION: &[u8] = include_bytes!("../data/session.rtsp");

/// A server → client PLAY session over TCP: responses and `$`-interleaved RTP/RTCP
/// (Wowza, Big Buck Bunny; from retina's test data, MIT).
pub const BUNNY: &[u8] = include_bytes!("../data/bunny_session.rtsp");

/// Decodes every item in `data` with our [`Decoder`], calling `f` on each. Panics on a
/// decode error or leftover bytes: the bench inputs are valid.
pub fn decode_ours(data: &[u8], mut f: impl FnMut(Message)) {
    let mut buf = BytesMut::from(data);
    decode_buf(&mut buf, &mut f);
}

/// Like [`decode_ours`] on a buffer the caller prepared (so a bench can leave the copy of
/// the input out of the timing).
pub fn decode_buf(buf: &mut BytesMut, mut f: impl FnMut(Message)) {
    let mut dec = Decoder::new();
    while let Some(msg) = dec.decode(buf).expect("bench input decodes") {
        f(msg);
    }
    assert!(buf.is_empty(), "{} bytes left undecoded", buf.len());
}

/// Every item of `data`, decoded by us.
pub fn messages_ours(data: &[u8]) -> Vec<Message> {
    let mut v = Vec::new();
    decode_ours(data, |m| v.push(m));
    v
}

/// Parses every item in `data` with `rtsp_types::Message::parse`, calling `f` on each.
pub fn parse_rtsp_types<'a, B: From<&'a [u8]>>(
    data: &'a [u8],
    mut f: impl FnMut(rtsp_types::Message<B>),
) {
    let mut pos = 0;
    while pos < data.len() {
        let (msg, consumed) =
            rtsp_types::Message::<B>::parse(&data[pos..]).expect("rtsp-types parses bench input");
        pos += consumed;
        f(msg);
    }
}

/// Every item of `data`, parsed by rtsp-types with owned bodies.
pub fn messages_rtsp_types(data: &[u8]) -> Vec<rtsp_types::Message<Vec<u8>>> {
    let mut v = Vec::new();
    parse_rtsp_types(data, |m| v.push(m));
    v
}
