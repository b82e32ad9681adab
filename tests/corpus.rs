//! Corpus replay: every RTSP message captured between real implementations (ffmpeg 5.1,
//! GStreamer 1.22) and every real camera response in `tests/data` decodes, its typed
//! headers parse, and re-encoding gives a message that decodes to the same value.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use bytes::BytesMut;
use common::*;
use rtsp_proto::message::{Decoder, Message};
use std::collections::BTreeMap;

fn round_trip(msg: &Message) {
    let mut out = BytesMut::new();
    msg.encode(&mut out).expect("encode");
    let again = decode_stream(&out);
    assert_eq!(again.len(), 1);
    assert_eq!(&again[0], msg);
    if let Message::Request(_) | Message::Response(_) = msg {
        typed::check_typed_headers(msg);
    }
}

mod typed {
    pub use super::common::typed_headers::check_typed_headers;
}

#[test]
fn sessions_decode_whole_and_split() {
    for session in sessions() {
        let name = session.file_name().unwrap().to_string_lossy().to_string();
        let summary = std::fs::read_to_string(session.join("summary.json")).unwrap();
        let mut requests = Vec::new();
        let mut responses = 0usize;
        let mut frames: BTreeMap<&str, u64> = BTreeMap::new();
        for file in files_with_ext(&session.join("tcp"), "bin") {
            let bytes = std::fs::read(&file).unwrap();
            let dir = if file.to_string_lossy().ends_with("_c2s.bin") {
                "c2s"
            } else {
                "s2c"
            };
            let whole = decode_stream(&bytes);
            for chunk in [1, 7, 1400] {
                assert_eq!(
                    decode_chunked(&bytes, chunk),
                    whole,
                    "{name} {file:?} chunk {chunk}"
                );
            }
            // Re-encoding the stream gives the same items; `$` frames are byte-exact.
            let mut out = BytesMut::new();
            for m in &whole {
                m.encode(&mut out).unwrap();
                round_trip(m);
            }
            assert_eq!(decode_stream(&out), whole);
            for m in &whole {
                match m {
                    Message::Request(r) => requests.push(r.method.to_string()),
                    Message::Response(_) => responses += 1,
                    Message::Data(_) => *frames.entry(dir).or_default() += 1,
                }
            }
        }
        assert_eq!(requests, json_string_array(&summary, "requests"), "{name}");
        assert_eq!(
            responses,
            json_string_array(&summary, "responses").len(),
            "{name}"
        );
        for dir in ["c2s", "s2c"] {
            let expected = json_number(&summary, &format!("tcp/{dir}/rtp")).unwrap_or(0)
                + json_number(&summary, &format!("tcp/{dir}/rtcp")).unwrap_or(0);
            assert_eq!(
                frames.get(dir).copied().unwrap_or(0),
                expected,
                "{name} {dir} frames"
            );
        }
    }
}

#[test]
fn transcript_messages_decode_alone() {
    let mut total = 0;
    for session in sessions() {
        for entry in read_transcript(&session.join("rtsp_transcript.txt")) {
            let msgs = decode_stream(&entry.bytes);
            assert_eq!(
                msgs.len(),
                1,
                "{session:?} conn {} {}",
                entry.conn,
                entry.dir
            );
            let is_request = matches!(msgs[0], Message::Request(_));
            assert_eq!(is_request, entry.dir == "C->S");
            round_trip(&msgs[0]);
            total += 1;
        }
    }
    assert!(total > 150, "only {total} messages");
}

#[test]
fn camera_messages_decode() {
    let dir = data_dir().join("cameras");
    let mut n = 0;
    for file in files_with_ext(&dir, "txt") {
        if file
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("LICENSE")
        {
            continue;
        }
        let bytes = std::fs::read(&file).unwrap();
        let msgs = decode_stream(&bytes);
        assert!(!msgs.is_empty(), "{file:?}");
        for m in &msgs {
            assert!(!matches!(m, Message::Data(_)), "{file:?}");
            round_trip(m);
        }
        n += 1;
    }
    assert!(n >= 30, "{n} camera files");
}

#[test]
fn bunny_session_demultiplexes() {
    let bytes = std::fs::read(data_dir().join("cameras/bunny_session.rtsp")).unwrap();
    let whole = decode_stream(&bytes);
    let mut per_channel: BTreeMap<u8, usize> = BTreeMap::new();
    let mut payload_bytes = 0usize;
    for m in &whole {
        if let Message::Data(d) = m {
            *per_channel.entry(d.channel).or_default() += 1;
            payload_bytes += d.payload.len() + 4;
            // Every frame carries RTP/RTCP version 2.
            assert_eq!(d.payload[0] >> 6, 2);
        }
    }
    assert_eq!(payload_bytes, bytes.len() - non_frame_bytes(&bytes));
    assert!(per_channel.len() >= 2, "{per_channel:?}");
    assert_eq!(decode_chunked(&bytes, 3), whole);
}

/// Bytes of the stream not inside `$` frames, computed independently of the decoder by
/// walking frame headers at message boundaries.
fn non_frame_bytes(bytes: &[u8]) -> usize {
    let mut pos = 0;
    let mut other = 0;
    while pos < bytes.len() {
        if bytes[pos] == b'$' {
            let len = u16::from_be_bytes([bytes[pos + 2], bytes[pos + 3]]) as usize;
            pos += 4 + len;
        } else {
            // An RTSP message: find the blank line, then Content-Length.
            let rest = &bytes[pos..];
            let end = rest
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .expect("head end")
                + 4;
            let head = std::str::from_utf8(&rest[..end]).unwrap();
            let cl = head
                .lines()
                .find_map(|l| {
                    let (n, v) = l.split_once(':')?;
                    n.trim()
                        .eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            other += end + cl;
            pos += end + cl;
        }
    }
    other
}

#[test]
fn decoder_positions_match_input() {
    for session in sessions() {
        for file in files_with_ext(&session.join("tcp"), "bin") {
            let bytes = std::fs::read(&file).unwrap();
            let mut dec = Decoder::new();
            let mut buf = BytesMut::from(&bytes[..]);
            while dec.decode(&mut buf).unwrap().is_some() {}
            assert_eq!(dec.position(), bytes.len() as u64);
        }
    }
}
