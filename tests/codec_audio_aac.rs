//! AAC (`mpeg4-generic`, RFC 3640) against real encoders: GStreamer's `rtpmp4gpay` and
//! ffmpeg's packetizer (44.1 kHz mono AAC-hbr, several AUs per packet), ffmpeg 48 kHz
//! stereo, and Wowza's 12 kHz stereo stream in `bunny_session.rtsp`. Each stream
//! depacketizes into an ADTS `.aac` file that ffprobe counts and ffmpeg decodes cleanly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod codec_audio_util;
mod common;

use bytes::{Bytes, BytesMut};
use codec_audio_util::*;
use rtsp_proto::codec::aac::{AacConfig, AacDepacketizer, AacPacketizer, AdtsPolicy};
use rtsp_proto::codec::{fmtp, Depacketizer, Frame, Packetizer, RtpPacket};
use rtsp_proto::message::{Decoder, Message};

const GST_FMTP: &str = "streamtype=5;profile-level-id=2;mode=AAC-hbr;config=120856e500;sizelength=13;indexlength=3;indexdeltalength=3";
const FFMPEG_FMTP: &str =
    "profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3; config=120856E500";

fn config(clock: u32, channels: u8, fmtp_value: &str) -> AacConfig {
    AacConfig::from_fmtp(clock, Some(channels), fmtp::params(fmtp_value)).unwrap()
}

/// Depacketizes, checks no loss and 1024-tick steps, and returns the frames.
fn depacketize(config: &AacConfig, packets: &[RtpPacket]) -> Vec<Frame> {
    let mut d = AacDepacketizer::new(config.clone());
    let frames = depacketize_all(&mut d, packets);
    assert!(!frames.is_empty());
    for w in frames.windows(2) {
        assert!(!w[1].loss && w[1].keyframe);
        assert_eq!(
            w[1].timestamp.wrapping_sub(w[0].timestamp),
            config.au_duration()
        );
    }
    frames
}

fn adts_file(config: &AacConfig, frames: &[Frame]) -> Vec<u8> {
    let mut out = Vec::new();
    for f in frames {
        let h = config
            .audio_specific_config
            .adts_header(f.data.len())
            .unwrap();
        out.extend_from_slice(&h);
        out.extend_from_slice(&f.data);
    }
    out
}

/// Packetizes `frames` again (aggregated, then one per call with fragmentation) and
/// checks that depacketizing gives the same bytes and timestamps.
fn round_trip(config: &AacConfig, frames: &[Frame]) {
    for max_payload in [1400, 100] {
        let mut p = AacPacketizer::new(config.clone(), max_payload).unwrap();
        let mut packets = Vec::new();
        let mut seq = 0u16;
        let mut push = |pl: rtsp_proto::codec::Payload<'_>| {
            assert!(pl.len() <= max_payload);
            packets.push(RtpPacket {
                sequence_number: seq,
                timestamp: pl.timestamp,
                marker: pl.marker,
                payload_type: 97,
                payload: pl.to_bytes(),
            });
            seq = seq.wrapping_add(1);
        };
        let aus: Vec<&[u8]> = frames.iter().map(|f| &f.data[..]).collect();
        if max_payload == 1400 {
            // Runs of consecutive AUs, aggregated.
            for (chunk, first) in aus.chunks(5).zip(frames.chunks(5)) {
                p.packetize_many(first[0].timestamp, chunk, &mut push)
                    .unwrap();
            }
        } else {
            for f in frames {
                p.packetize(f.timestamp, &f.data, &mut push).unwrap();
            }
        }
        let mut d = AacDepacketizer::new(config.clone());
        let again = depacketize_all(&mut d, &packets);
        assert_eq!(again.len(), frames.len());
        for (a, b) in again.iter().zip(frames) {
            assert_eq!((a.timestamp, &a.data), (b.timestamp, &b.data));
        }
        if max_payload == 100 {
            assert!(packets.len() > frames.len(), "large AUs were fragmented");
        }
    }
}

fn check_with_ffmpeg(test: &str, config: &AacConfig, frames: &[Frame]) {
    if !common::peers::require(test, &["ffprobe", "ffmpeg"]) {
        return;
    }
    let dir = TempDir::new(test);
    let file = dir.path("audio.aac");
    std::fs::write(&file, adts_file(config, frames)).unwrap();
    assert_eq!(ffprobe_frame_count(&[], &file), frames.len() as u64);
    ffmpeg_decodes_cleanly(&[], &file);
}

fn real_stream(test: &str, file: &str, config: AacConfig, expected_frames: usize) {
    let packets = read_rtp_txt(file);
    let frames = depacketize(&config, &packets);
    assert_eq!(frames.len(), expected_frames, "{file}");
    round_trip(&config, &frames);
    check_with_ffmpeg(test, &config, &frames);
}

#[test]
fn gstreamer_rtpmp4gpay_44k1_mono_over_tcp() {
    real_stream(
        "gstreamer_rtpmp4gpay_44k1_mono_over_tcp",
        "aac_ffmpeg_tcp__gst_av.rtp.txt",
        config(44_100, 1, GST_FMTP),
        131,
    );
}

#[test]
fn gstreamer_rtpmp4gpay_44k1_mono_over_udp() {
    real_stream(
        "gstreamer_rtpmp4gpay_44k1_mono_over_udp",
        "aac_gst_udp__gst_av.rtp.txt",
        config(44_100, 1, GST_FMTP),
        125,
    );
}

#[test]
fn ffmpeg_packetizer_several_aus_per_packet() {
    let packets = read_rtp_txt("aac_ffmpegpub_tcp__gst_record.rtp.txt");
    assert!(packets.len() < 20);
    real_stream(
        "ffmpeg_packetizer_several_aus_per_packet",
        "aac_ffmpegpub_tcp__gst_record.rtp.txt",
        config(44_100, 1, FFMPEG_FMTP),
        EXPECTED_FFMPEGPUB,
    );
}

const EXPECTED_FFMPEGPUB: usize = 125;

#[test]
fn ffmpeg_packetizer_48k_stereo() {
    real_stream(
        "ffmpeg_packetizer_48k_stereo",
        "aac48k_ffmpeg.rtp.txt",
        config(
            48_000,
            2,
            "profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3; config=119056E500",
        ),
        EXPECTED_48K,
    );
}

const EXPECTED_48K: usize = 45;

/// Wowza (Big Buck Bunny, 12 kHz stereo AAC-LC), recorded by retina: the audio track is
/// SETUP first (`interleaved=0-1`), so its RTP is channel 0 (channel 2 is the H.264 track).
#[test]
fn wowza_bunny_12k_stereo() {
    let bytes = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/cameras/bunny_session.rtsp"),
    )
    .unwrap();
    let mut dec = Decoder::new();
    let mut buf = BytesMut::from(&bytes[..]);
    let mut packets = Vec::new();
    while let Some(m) = dec.decode(&mut buf).unwrap() {
        if let Message::Data(d) = m {
            if d.channel == 0 {
                packets.push(parse_rtp(&d.payload).unwrap());
            }
        }
    }
    let config = config(
        12_000,
        2,
        "profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1490",
    );
    let frames = depacketize(&config, &packets);
    assert_eq!(frames.len(), EXPECTED_BUNNY);
    round_trip(&config, &frames);
    check_with_ffmpeg("wowza_bunny_12k_stereo", &config, &frames);
}

const EXPECTED_BUNNY: usize = 120;

/// QUIRKS.md item 48: ADTS frames inside `mpeg4-generic` (as some cameras send) are
/// stripped by the default policy, so the output equals the raw-AU stream's.
#[test]
fn adts_wrapped_aus_are_stripped_by_default() {
    let config = config(44_100, 1, GST_FMTP);
    let frames = depacketize(&config, &read_rtp_txt("aac_ffmpeg_tcp__gst_av.rtp.txt"));
    // Wrap every AU in ADTS and packetize the wrapped AUs as a camera would.
    let wrapped: Vec<Bytes> = frames
        .iter()
        .map(|f| {
            let h = config
                .audio_specific_config
                .adts_header(f.data.len())
                .unwrap();
            Bytes::from([&h[..], &f.data].concat())
        })
        .collect();
    let mut keep = config.clone();
    keep.adts_policy = AdtsPolicy::Keep;
    let mut p = AacPacketizer::new(keep.clone(), 1400).unwrap();
    let mut packets = Vec::new();
    for (i, (w, f)) in wrapped.iter().zip(&frames).enumerate() {
        p.packetize(f.timestamp, w, &mut |pl| {
            packets.push(RtpPacket {
                sequence_number: i as u16,
                timestamp: pl.timestamp,
                marker: pl.marker,
                payload_type: 97,
                payload: pl.to_bytes(),
            })
        })
        .unwrap();
    }
    let stripped = depacketize_all(&mut AacDepacketizer::new(config.clone()), &packets);
    assert_eq!(stripped, frames);
    let kept = depacketize_all(&mut AacDepacketizer::new(keep), &packets);
    assert_eq!(
        kept.iter().map(|f| f.data.clone()).collect::<Vec<_>>(),
        wrapped
    );
    let mut reject = config;
    reject.adts_policy = AdtsPolicy::Reject;
    let mut d = AacDepacketizer::new(reject);
    assert!(d.push(packets[0].clone()).is_err());
}

/// Loss in the middle of a fragmented AU drops exactly that AU and flags the next frame.
#[test]
fn loss_inside_a_fragmented_au() {
    let config = config(44_100, 1, GST_FMTP);
    let frames = depacketize(&config, &read_rtp_txt("aac_ffmpeg_tcp__gst_av.rtp.txt"));
    let mut p = AacPacketizer::new(config.clone(), 64).unwrap();
    let mut packets: Vec<(usize, RtpPacket)> = Vec::new();
    let mut seq = 0u16;
    for (i, f) in frames.iter().take(10).enumerate() {
        p.packetize(f.timestamp, &f.data, &mut |pl| {
            packets.push((
                i,
                RtpPacket {
                    sequence_number: seq,
                    timestamp: pl.timestamp,
                    marker: pl.marker,
                    payload_type: 97,
                    payload: pl.to_bytes(),
                },
            ));
            seq += 1;
        })
        .unwrap();
    }
    // Drop the second fragment of AU 4.
    let victim = packets.iter().position(|(i, _)| *i == 4).unwrap() + 1;
    assert_eq!(packets[victim].0, 4);
    let kept: Vec<RtpPacket> = packets
        .iter()
        .enumerate()
        .filter(|(n, _)| *n != victim)
        .map(|(_, (_, p))| p.clone())
        .collect();
    let mut d = AacDepacketizer::new(config);
    let mut out = Vec::new();
    for p in kept {
        let _ = d.push(p);
        while let Some(f) = d.pull() {
            out.push(f);
        }
    }
    let ts: Vec<u32> = out.iter().map(|f| f.timestamp).collect();
    let expect: Vec<u32> = frames[..10]
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 4)
        .map(|(_, f)| f.timestamp)
        .collect();
    assert_eq!(ts, expect);
    for (f, orig) in out.iter().zip(
        frames[..10]
            .iter()
            .filter(|f| f.timestamp != frames[4].timestamp),
    ) {
        assert_eq!(f.data, orig.data);
        assert_eq!(f.loss, f.timestamp == frames[5].timestamp);
    }
}
