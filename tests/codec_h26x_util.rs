//! Helpers for the H.264/H.265 codec tests, included by the other `codec_h26x_*` test
//! files with `#[path = "codec_h26x_util.rs"] mod util;`: reading the captured RTP
//! streams, a minimal RTP header parse, and running ffprobe/ffmpeg on elementary streams.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use bytes::{Bytes, BytesMut};
use rtsp_proto::codec::{DepacketizeError, Depacketizer, Frame, RtpPacket};
use rtsp_proto::message::{Decoder, Message};
use std::path::{Path, PathBuf};
use std::process::Command;

/// `tests/data/codec/h26x`.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/codec/h26x")
}

/// Parses an RTP packet (RFC 3550 §5.1): 12 bytes + 4*CC + extension, padding removed.
pub fn parse_rtp(pkt: &[u8]) -> Option<RtpPacket> {
    if pkt.len() < 12 || pkt[0] >> 6 != 2 {
        return None;
    }
    let cc = usize::from(pkt[0] & 0x0f);
    let mut start = 12 + 4 * cc;
    if pkt[0] & 0x10 != 0 {
        let ext = pkt.get(start..start + 4)?;
        let words = usize::from(u16::from_be_bytes([ext[2], ext[3]]));
        start += 4 + 4 * words;
    }
    let mut end = pkt.len();
    if pkt[0] & 0x20 != 0 {
        end = end.checked_sub(usize::from(*pkt.last()?))?;
    }
    if start > end {
        return None;
    }
    Some(RtpPacket {
        sequence_number: u16::from_be_bytes([pkt[2], pkt[3]]),
        timestamp: u32::from_be_bytes([pkt[4], pkt[5], pkt[6], pkt[7]]),
        marker: pkt[1] & 0x80 != 0,
        payload_type: pkt[1] & 0x7f,
        payload: Bytes::copy_from_slice(&pkt[start..end]),
    })
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The RTP packets of `stream` in direction `dir` of a corpus `rtp.txt`
/// (`t dir transport chan stream kind len hex`).
pub fn read_rtp_txt(name: &str, dir: &str, stream: &str) -> Vec<RtpPacket> {
    let text = std::fs::read_to_string(data_dir().join(name)).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() == 8 && f[1] == dir && f[4] == stream && f[5] == "rtp").then(|| f[7])
        })
        .map(|h| parse_rtp(&hex(h)).expect("rtp packet"))
        .collect()
}

/// The RTP packets of interleaved channel `CH` of the Wowza Big Buck Bunny session.
pub fn bunny_channel<const CH: u8>() -> Vec<RtpPacket> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cameras/bunny_session.rtsp");
    let mut buf = BytesMut::from(&std::fs::read(path).unwrap()[..]);
    let mut dec = Decoder::new();
    let mut out = Vec::new();
    while let Some(msg) = dec.decode(&mut buf).unwrap() {
        if let Message::Data(d) = msg {
            if d.channel == CH {
                out.push(parse_rtp(&d.payload).expect("rtp"));
            }
        }
    }
    out
}

/// The `a=fmtp:` value of the first video media of an SDP.
pub fn sdp_fmtp(sdp: &str) -> String {
    let mut in_video = false;
    for line in sdp.lines() {
        if line.starts_with("m=") {
            in_video = line.starts_with("m=video");
        }
        if in_video {
            if let Some(rest) = line.strip_prefix("a=fmtp:") {
                return rest.split_once(' ').map(|x| x.1).unwrap_or("").to_string();
            }
        }
    }
    String::new()
}

/// Pushes every packet, pulling after each push, then flushes. Returns the frames and
/// the errors.
pub fn run(
    dep: &mut dyn Depacketizer,
    packets: &[RtpPacket],
) -> (Vec<Frame>, Vec<DepacketizeError>) {
    let mut frames = Vec::new();
    let mut errors = Vec::new();
    for p in packets {
        if let Err(e) = dep.push(p.clone()) {
            errors.push(e);
        }
        while let Some(f) = dep.pull() {
            frames.push(f);
        }
    }
    dep.flush();
    while let Some(f) = dep.pull() {
        frames.push(f);
    }
    (frames, errors)
}

/// A fresh scratch directory for one test.
pub fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rtsp-proto-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Frames counted by ffprobe, decoding the whole file.
pub fn ffprobe_frames(path: &Path, format: &str) -> usize {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-f",
            format,
            "-count_frames",
            "-select_streams",
            "v:0",
        ])
        .args([
            "-show_entries",
            "stream=nb_read_frames,width,height",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.stderr.is_empty(),
        "ffprobe errors: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = String::from_utf8(out.stdout).unwrap();
    s.trim().rsplit(',').next().unwrap().parse().unwrap()
}

/// ffprobe's `width,height` of the first video stream.
pub fn ffprobe_size(path: &Path, format: &str) -> String {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-f", format, "-select_streams", "v:0"])
        .args(["-show_entries", "stream=width,height", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Decodes the whole file with ffmpeg and returns its error output (empty when clean).
pub fn ffmpeg_decode_errors(path: &Path, format: &str) -> String {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-f", format, "-i"])
        .arg(path)
        .args(["-f", "null", "-"])
        .output()
        .unwrap();
    assert!(out.status.success(), "ffmpeg failed");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Concatenates frames into one elementary stream file.
pub fn write_stream(path: &Path, frames: &[Frame]) {
    let mut all = Vec::new();
    for f in frames {
        all.extend_from_slice(&f.data);
    }
    std::fs::write(path, all).unwrap();
}
