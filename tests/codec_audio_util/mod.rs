//! Helpers for the audio and JPEG codec tests: reading `tests/data/codec/*.rtp.txt`, a
//! minimal RTP header parse (the real RTP module is separate), temp dirs and ffmpeg runs.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use bytes::Bytes;
use rtsp_proto::codec::{Depacketizer, Frame, RtpPacket};
use std::path::{Path, PathBuf};
use std::process::Command;

/// `tests/data/codec`.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/codec")
}

/// Parses one RTP packet: 12-byte header, CSRCs, header extension, padding ([RFC 3550
/// §5.1](https://www.rfc-editor.org/rfc/rfc3550#section-5.1)).
pub fn parse_rtp(buf: &[u8]) -> Option<RtpPacket> {
    if buf.len() < 12 || buf[0] >> 6 != 2 {
        return None;
    }
    let cc = usize::from(buf[0] & 0x0f);
    let mut start = 12 + 4 * cc;
    let mut end = buf.len();
    if buf[0] & 0x10 != 0 {
        let ext = buf.get(start..start + 4)?;
        start += 4 + 4 * usize::from(u16::from_be_bytes([ext[2], ext[3]]));
    }
    if buf[0] & 0x20 != 0 {
        let pad = usize::from(*buf.last()?);
        end = end.checked_sub(pad)?;
    }
    if start > end {
        return None;
    }
    Some(RtpPacket {
        sequence_number: u16::from_be_bytes([buf[2], buf[3]]),
        timestamp: u32::from_be_bytes([buf[4], buf[5], buf[6], buf[7]]),
        marker: buf[1] & 0x80 != 0,
        payload_type: buf[1] & 0x7f,
        payload: Bytes::copy_from_slice(&buf[start..end]),
    })
}

pub fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The RTP packets of an `rtp.txt` file (`t dir transport chan stream kind len hex`).
pub fn read_rtp_txt(name: &str) -> Vec<RtpPacket> {
    let text = std::fs::read_to_string(data_dir().join(name)).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(cols.len(), 8, "{l}");
            assert_eq!(cols[5], "rtp");
            let bytes = hex(cols[7]);
            assert_eq!(bytes.len(), cols[6].parse::<usize>().unwrap());
            parse_rtp(&bytes).expect("valid RTP")
        })
        .collect()
}

/// Pushes every packet and pulls every frame; any error fails the test.
pub fn depacketize_all(d: &mut dyn Depacketizer, packets: &[RtpPacket]) -> Vec<Frame> {
    let mut out = Vec::new();
    for p in packets {
        d.push(p.clone())
            .unwrap_or_else(|e| panic!("seq {}: {e}", p.sequence_number));
        while let Some(f) = d.pull() {
            out.push(f);
        }
    }
    d.flush();
    while let Some(f) = d.pull() {
        out.push(f);
    }
    out
}

/// A fresh temporary directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "rtsp-proto-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs a program; returns (success, stdout, stderr).
pub fn run(program: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(program).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Decodes `file` with ffmpeg (`-v error`, extra input options first) and asserts that
/// nothing was reported.
pub fn ffmpeg_decodes_cleanly(input_opts: &[&str], file: &Path) {
    let f = file.to_str().unwrap();
    let mut args = vec!["-hide_banner", "-nostdin", "-v", "error"];
    args.extend_from_slice(input_opts);
    args.extend_from_slice(&["-i", f, "-f", "null", "-"]);
    let (ok, _, err) = run("ffmpeg", &args);
    assert!(ok && err.trim().is_empty(), "ffmpeg on {f}: {err}");
}

/// The number of frames ffprobe counts in `file`'s first stream, with no errors reported.
pub fn ffprobe_frame_count(input_opts: &[&str], file: &Path) -> u64 {
    let f = file.to_str().unwrap();
    let mut args = vec!["-v", "error"];
    args.extend_from_slice(input_opts);
    args.extend_from_slice(&[
        "-count_frames",
        "-select_streams",
        "0",
        "-show_entries",
        "stream=nb_read_frames",
        "-of",
        "csv=p=0",
        f,
    ]);
    let (ok, out, err) = run("ffprobe", &args);
    assert!(ok && err.trim().is_empty(), "ffprobe on {f}: {err}");
    out.trim().trim_end_matches(',').parse().unwrap()
}
