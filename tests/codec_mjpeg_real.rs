//! Motion JPEG (RFC 2435) against real encoders: GStreamer's `jpegenc ! rtpjpegpay` and
//! ffmpeg's packetizer. Every reassembled frame is a JPEG that ffmpeg decodes without a
//! word on stderr; JPEG files from libjpeg-turbo's `cjpeg` and ffmpeg go through
//! packetizer and depacketizer and decode to the same pixels; re-packetizing a rebuilt
//! frame is byte-exact.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod codec_audio_util;
mod common;

use bytes::Bytes;
use codec_audio_util::*;
use rtsp_proto::codec::mjpeg::{MjpegConfig, MjpegDepacketizer, MjpegPacketizer, MjpegTables};
use rtsp_proto::codec::{Depacketizer, Frame, Packetizer, RtpPacket};

fn packetize(p: &mut MjpegPacketizer, ts: u32, jpeg: &[u8], max: usize) -> Vec<RtpPacket> {
    let mut out = Vec::new();
    p.packetize(ts, jpeg, &mut |pl| {
        assert!(pl.len() <= max);
        out.push(RtpPacket {
            sequence_number: out.len() as u16,
            timestamp: pl.timestamp,
            marker: pl.marker,
            payload_type: 26,
            payload: pl.to_bytes(),
        })
    })
    .unwrap();
    out
}

fn depacketize_one(packets: &[RtpPacket]) -> Bytes {
    let mut d = MjpegDepacketizer::new(&MjpegConfig::default());
    let frames = depacketize_all(&mut d, packets);
    assert_eq!(frames.len(), 1);
    frames[0].data.clone()
}

/// Rebuilt frames survive packetize → depacketize byte for byte, at two MTUs.
fn round_trip(frames: &[Frame]) {
    for max in [1400, 300] {
        for tables in [MjpegTables::InBand, MjpegTables::PreferStandard] {
            let mut p = MjpegPacketizer::new(max, tables).unwrap();
            for f in frames {
                let again = depacketize_one(&packetize(&mut p, f.timestamp, &f.data, max));
                assert_eq!(again, f.data);
            }
        }
    }
}

fn decode_each(test: &str, frames: &[Frame], width_height: &str) {
    if !common::peers::require(test, &["ffmpeg", "ffprobe"]) {
        return;
    }
    let dir = TempDir::new(test);
    for (i, f) in frames.iter().enumerate() {
        let path = dir.path(&format!("frame{i:03}.jpg"));
        std::fs::write(&path, &f.data).unwrap();
        ffmpeg_decodes_cleanly(&[], &path);
        if i == 0 {
            let (ok, out, err) = run(
                "ffprobe",
                &[
                    "-v",
                    "error",
                    "-show_entries",
                    "stream=codec_name,width,height",
                    "-of",
                    "csv=p=0",
                    path.to_str().unwrap(),
                ],
            );
            assert!(ok && err.is_empty(), "{err}");
            assert_eq!(out.trim(), format!("mjpeg,{width_height}"));
        }
    }
}

fn real_stream(test: &str, file: &str, expected: usize) -> Vec<Frame> {
    let packets = read_rtp_txt(file);
    assert!(packets.iter().all(|p| p.payload_type == 26));
    let mut d = MjpegDepacketizer::new(&MjpegConfig::default());
    let frames = depacketize_all(&mut d, &packets);
    assert_eq!(frames.len(), expected);
    assert!(frames.iter().all(|f| f.keyframe && !f.loss));
    round_trip(&frames);
    decode_each(test, &frames, "320,240");
    frames
}

#[test]
fn gstreamer_rtpjpegpay_q255_two_tables() {
    real_stream(
        "gstreamer_rtpjpegpay_q255_two_tables",
        "mjpeg_ffmpeg_tcp__gst_mjpeg.rtp.txt",
        31,
    );
}

#[test]
fn ffmpeg_rtpenc_jpeg_one_shared_table() {
    real_stream(
        "ffmpeg_rtpenc_jpeg_one_shared_table",
        "mjpeg_ffmpeg.rtp.txt",
        5,
    );
}

/// Loss of a middle packet drops that frame only; the next one is flagged.
#[test]
fn loss_inside_a_frame() {
    let mut packets = read_rtp_txt("mjpeg_ffmpeg.rtp.txt");
    let ts: Vec<u32> = packets.iter().map(|p| p.timestamp).collect();
    // A packet that is neither the first nor the last of its frame.
    let victim = (1..packets.len() - 1)
        .find(|&i| ts[i - 1] == ts[i] && ts[i + 1] == ts[i])
        .unwrap();
    let lost_ts = packets.remove(victim).timestamp;
    let mut d = MjpegDepacketizer::new(&MjpegConfig::default());
    let mut frames = Vec::new();
    for p in packets {
        d.push(p).unwrap();
        while let Some(f) = d.pull() {
            frames.push(f);
        }
    }
    assert_eq!(frames.len(), 4);
    assert!(frames.iter().all(|f| f.timestamp != lost_ts));
    let after = frames.iter().position(|f| f.timestamp > lost_ts).unwrap();
    assert!(frames[after].loss);
    assert_eq!(frames.iter().filter(|f| f.loss).count(), 1);
}

fn md5_of_decode(path: &std::path::Path) -> String {
    let (ok, out, err) = run(
        "ffmpeg",
        &[
            "-hide_banner",
            "-nostdin",
            "-v",
            "error",
            "-i",
            path.to_str().unwrap(),
            "-f",
            "md5",
            "-",
        ],
    );
    assert!(ok && err.is_empty(), "{err}");
    out.trim().to_string()
}

/// JPEG files from libjpeg-turbo (4:2:2 with restart markers, 4:2:0) and from ffmpeg
/// (JFIF, one shared table): packetized, depacketized, they decode to the same pixels.
#[test]
fn jpeg_files_through_packetizer() {
    let cases = [
        ("cjpeg_q75_422_restart.jpg", 64u8, 75u8),
        ("cjpeg_q80_420.jpg", 1, 80),
        ("ffmpeg_q4_420.jpg", 1, 255),
    ];
    let peers = common::peers::require("jpeg_files_through_packetizer", &["ffmpeg"]);
    let dir = TempDir::new("mjpeg-files");
    for (name, typ, standard_q) in cases {
        let original = std::fs::read(data_dir().join(name)).unwrap();
        for (tables, q) in [
            (MjpegTables::InBand, 255u8),
            (MjpegTables::PreferStandard, standard_q),
        ] {
            let mut p = MjpegPacketizer::new(1200, tables).unwrap();
            let packets = packetize(&mut p, 90_000, &original, 1200);
            assert!(packets.len() > 1, "{name}: fragmented");
            assert!(packets.last().unwrap().marker);
            let head = &packets[0].payload;
            assert_eq!(
                (head[4], head[5], head[6], head[7]),
                (typ, q, 40, 30),
                "{name}"
            );
            let rebuilt = depacketize_one(&packets);
            // Rebuilt → packetize → depacketize is byte-exact.
            let again = depacketize_one(&packetize(&mut p, 90_000, &rebuilt, 1200));
            assert_eq!(again, rebuilt);
            if peers {
                let a = dir.path("a.jpg");
                let b = dir.path("b.jpg");
                std::fs::write(&a, &original).unwrap();
                std::fs::write(&b, &rebuilt).unwrap();
                ffmpeg_decodes_cleanly(&[], &b);
                assert_eq!(md5_of_decode(&a), md5_of_decode(&b), "{name} {tables:?}");
            }
        }
    }
}

#[test]
fn packetizer_rejects_what_rfc_2435_cannot_carry() {
    let mut p = MjpegPacketizer::new(1200, MjpegTables::InBand).unwrap();
    let mut sink = |_: rtsp_proto::codec::Payload<'_>| {};
    assert!(p.packetize(0, b"not a jpeg", &mut sink).is_err());
    assert!(p.packetize(0, &[0xff, 0xd8, 0xff], &mut sink).is_err());
    // ffmpeg's default (optimal) Huffman tables are not the standard ones.
    let original = std::fs::read(data_dir().join("ffmpeg_q4_420.jpg")).unwrap();
    let mut tweaked = original.clone();
    let dht = tweaked.windows(2).position(|w| w == [0xff, 0xc4]).unwrap();
    tweaked[dht + 5 + 16] ^= 1; // first DC symbol
    assert!(p.packetize(0, &tweaked, &mut sink).is_err());
    assert!(MjpegPacketizer::new(100, MjpegTables::InBand).is_err());
}
