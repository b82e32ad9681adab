//! Helpers shared by the integration tests: reading the bundled corpus.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use bytes::BytesMut;
use rtsp_proto::message::{Decoder, Message};
use std::path::{Path, PathBuf};

/// The `tests/data` folder.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// Every session folder under `tests/data/sessions`, sorted.
pub fn sessions() -> Vec<PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(data_dir().join("sessions"))
        .expect("sessions dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    assert!(!v.is_empty());
    v
}

/// Files in `dir` with the given extension, sorted.
pub fn files_with_ext(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

/// One message of an `rtsp_transcript.txt`.
#[derive(Debug)]
pub struct TranscriptEntry {
    /// `C->S` or `S->C`.
    pub dir: String,
    /// Connection number.
    pub conn: u32,
    /// The message bytes, exactly as on the wire.
    pub bytes: Vec<u8>,
}

/// Parses a transcript: `===== #n DIR conn=c frame=f t=s len=N =====\n`, N bytes, `\n`.
pub fn read_transcript(path: &Path) -> Vec<TranscriptEntry> {
    let data = std::fs::read(path).expect("transcript");
    let mut pos = 0;
    let mut out = Vec::new();
    while pos < data.len() {
        let nl = pos
            + data[pos..]
                .iter()
                .position(|&b| b == b'\n')
                .expect("header line");
        let header = std::str::from_utf8(&data[pos..nl]).expect("utf8 header");
        assert!(
            header.starts_with("===== #"),
            "bad transcript header {header:?}"
        );
        let mut dir = String::new();
        let mut conn = 0;
        let mut len = 0;
        for field in header.split_whitespace() {
            if field == "C->S" || field == "S->C" {
                dir = field.to_string();
            } else if let Some(c) = field.strip_prefix("conn=") {
                conn = c.parse().expect("conn");
            } else if let Some(l) = field.strip_prefix("len=") {
                len = l.parse().expect("len");
            }
        }
        let start = nl + 1;
        out.push(TranscriptEntry {
            dir,
            conn,
            bytes: data[start..start + len].to_vec(),
        });
        pos = start + len + 1;
    }
    out
}

/// Decodes a whole byte stream, failing the test on any error.
pub fn decode_stream(bytes: &[u8]) -> Vec<Message> {
    let mut dec = Decoder::new();
    let mut buf = BytesMut::from(bytes);
    let mut out = Vec::new();
    loop {
        match dec.decode(&mut buf) {
            Ok(Some(m)) => out.push(m),
            Ok(None) => break,
            Err(e) => panic!("decode error {e}"),
        }
    }
    dec.finish(&buf).expect("stream ends at a message boundary");
    out
}

/// Decodes a byte stream fed in chunks of `chunk` bytes.
pub fn decode_chunked(bytes: &[u8], chunk: usize) -> Vec<Message> {
    let mut dec = Decoder::new();
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for piece in bytes.chunks(chunk.max(1)) {
        buf.extend_from_slice(piece);
        while let Some(m) = dec.decode(&mut buf).expect("decode") {
            out.push(m);
        }
    }
    dec.finish(&buf).expect("stream ends at a message boundary");
    out
}

/// Extracts the JSON string array `"key": [ "a", "b" ]` from a small JSON text (enough
/// for `summary.json`; avoids a JSON dependency in the test build).
pub fn json_string_array(json: &str, key: &str) -> Vec<String> {
    let needle = format!("\"{key}\"");
    let Some(at) = json.find(&needle) else {
        return Vec::new();
    };
    let rest = &json[at + needle.len()..];
    let open = rest.find('[').expect("array");
    let close = rest.find(']').expect("array end");
    rest[open + 1..close]
        .split(',')
        .map(|s| s.trim().trim_matches('"').to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

pub mod inspect;
pub mod peers;
pub mod process;
pub mod typed_headers;

/// Extracts the number `"key": N` from a small JSON text.
pub fn json_number(json: &str, key: &str) -> Option<u64> {
    let needle = format!("\"{key}\"");
    let at = json.find(&needle)?;
    let rest = json[at + needle.len()..]
        .trim_start()
        .strip_prefix(':')?
        .trim_start();
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}
