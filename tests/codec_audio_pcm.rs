//! G.711 and L16 (RFC 3551) against real encoders: GStreamer's PCMU packetizer (TCP and
//! UDP) and ffmpeg's L16 packetizer. The samples concatenate into raw `.ulaw` / `.s16be`
//! files that ffmpeg decodes cleanly; re-packetizing is byte-exact.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod codec_audio_util;
mod common;

use codec_audio_util::*;
use rtsp_proto::codec::g711::{G711Config, G711Depacketizer, G711Packetizer};
use rtsp_proto::codec::l16::{L16Config, L16Depacketizer, L16Packetizer};
use rtsp_proto::codec::{Depacketizer, Frame, Packetizer, RtpPacket};

/// Checks timestamps advance by the samples of the previous frame and returns the
/// concatenated samples.
fn contiguous(frames: &[Frame], group: usize) -> Vec<u8> {
    for w in frames.windows(2) {
        assert!(!w[1].loss);
        assert_eq!(
            w[1].timestamp.wrapping_sub(w[0].timestamp) as usize,
            w[0].data.len() / group
        );
    }
    frames.iter().flat_map(|f| f.data.iter().copied()).collect()
}

fn repacketize(
    p: &mut dyn Packetizer,
    d: &mut dyn Depacketizer,
    ts: u32,
    samples: &[u8],
    max_payload: usize,
) -> Vec<u8> {
    let mut packets = Vec::new();
    p.packetize(ts, samples, &mut |pl| {
        assert!(pl.len() <= max_payload);
        packets.push(RtpPacket {
            sequence_number: packets.len() as u16,
            timestamp: pl.timestamp,
            marker: pl.marker,
            payload_type: 0,
            payload: pl.to_bytes(),
        })
    })
    .unwrap();
    let frames = depacketize_all(d, &packets);
    assert_eq!(frames[0].timestamp, ts);
    frames.iter().flat_map(|f| f.data.iter().copied()).collect()
}

fn pcmu(test: &str, file: &str, packets_expected: usize) {
    let packets = read_rtp_txt(file);
    assert!(packets.iter().all(|p| p.payload_type == 0));
    let config = G711Config::pcmu();
    let frames = depacketize_all(&mut G711Depacketizer::new(&config), &packets);
    assert_eq!(frames.len(), packets_expected);
    let samples = contiguous(&frames, 1);
    for max in [160, 1000, 7] {
        let again = repacketize(
            &mut G711Packetizer::new(&config, max).unwrap(),
            &mut G711Depacketizer::new(&config),
            frames[0].timestamp,
            &samples,
            max,
        );
        assert_eq!(again, samples);
    }
    if !common::peers::require(test, &["ffmpeg"]) {
        return;
    }
    let dir = TempDir::new(test);
    let path = dir.path("audio.ulaw");
    std::fs::write(&path, &samples).unwrap();
    ffmpeg_decodes_cleanly(&["-f", "mulaw", "-ar", "8000", "-ac", "1"], &path);
    // ffprobe sees the whole duration: one sample per byte at 8 kHz.
    let (ok, out, err) = run(
        "ffprobe",
        &[
            "-v",
            "error",
            "-f",
            "mulaw",
            "-ar",
            "8000",
            "-ac",
            "1",
            "-show_entries",
            "format=duration",
            "-of",
            "csv=p=0",
            path.to_str().unwrap(),
        ],
    );
    assert!(ok && err.is_empty(), "{err}");
    let secs: f64 = out.trim().parse().unwrap();
    assert!(
        (secs - samples.len() as f64 / 8000.0).abs() < 0.01,
        "{secs}"
    );
}

#[test]
fn gstreamer_pcmu_over_tcp() {
    pcmu(
        "gstreamer_pcmu_over_tcp",
        "pcmu_ffmpeg_tcp__gst_pcmu.rtp.txt",
        25,
    );
}

#[test]
fn gstreamer_pcmu_over_udp() {
    pcmu(
        "gstreamer_pcmu_over_udp",
        "pcmu_ffmpeg_udp__gst_pcmu.rtp.txt",
        25,
    );
}

#[test]
fn ffmpeg_l16_16k_stereo() {
    let packets = read_rtp_txt("l16_ffmpeg.rtp.txt");
    let config = L16Config::from_rtpmap(16_000, Some(2)).unwrap();
    let frames = depacketize_all(&mut L16Depacketizer::new(&config), &packets);
    assert_eq!(frames.len(), packets.len());
    let samples = contiguous(&frames, 4);
    assert_eq!(samples.len(), 8000 * 4, "0.5 s of 16 kHz stereo");
    for max in [1200, 10] {
        let again = repacketize(
            &mut L16Packetizer::new(&config, max).unwrap(),
            &mut L16Depacketizer::new(&config),
            frames[0].timestamp,
            &samples,
            max,
        );
        assert_eq!(again, samples);
    }
    // The samples are the 440 Hz sine ffmpeg generated: both channels equal, non-silent.
    let left: Vec<i16> = samples
        .chunks(4)
        .map(|c| i16::from_be_bytes([c[0], c[1]]))
        .collect();
    assert!(samples.chunks(4).all(|c| c[..2] == c[2..]));
    assert!(left.iter().any(|&s| s > 2000));
    if !common::peers::require("ffmpeg_l16_16k_stereo", &["ffmpeg"]) {
        return;
    }
    let dir = TempDir::new("l16");
    let path = dir.path("audio.s16be");
    std::fs::write(&path, &samples).unwrap();
    ffmpeg_decodes_cleanly(&["-f", "s16be", "-ar", "16000", "-ac", "2"], &path);
}
