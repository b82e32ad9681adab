//! Opus (RFC 7587) against a real encoder: ffmpeg's libopus output through ffmpeg's Opus
//! packetizer (48 kHz stereo, 20 ms). The packets, written into an Ogg Opus file
//! (RFC 7845) by a small writer here, are counted by ffprobe and decoded cleanly by ffmpeg;
//! timestamps advance by each packet's TOC duration; re-packetizing is byte-exact.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod codec_audio_util;
mod common;

use codec_audio_util::*;
use rtsp_proto::codec::opus::{packet_duration, OpusConfig, OpusDepacketizer, OpusPacketizer};
use rtsp_proto::codec::{fmtp, Packetizer, RtpPacket};

fn ogg_crc(data: &[u8]) -> u32 {
    let mut crc = 0u32;
    for &b in data {
        crc ^= u32::from(b) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 {
                (crc << 1) ^ 0x04c1_1db7
            } else {
                crc << 1
            };
        }
    }
    crc
}

fn ogg_page(out: &mut Vec<u8>, flags: u8, granule: u64, seq: u32, packet: &[u8]) {
    let start = out.len();
    out.extend_from_slice(b"OggS\0");
    out.push(flags);
    out.extend_from_slice(&granule.to_le_bytes());
    out.extend_from_slice(&0x5254_5350u32.to_le_bytes()); // serial
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // CRC, filled below
    let mut lacing = vec![255u8; packet.len() / 255];
    lacing.push((packet.len() % 255) as u8);
    out.push(lacing.len() as u8);
    out.extend_from_slice(&lacing);
    out.extend_from_slice(packet);
    let crc = ogg_crc(&out[start..]);
    out[start + 22..start + 26].copy_from_slice(&crc.to_le_bytes());
}

/// An Ogg Opus file ([RFC 7845](https://www.rfc-editor.org/rfc/rfc7845)), one packet a page.
fn ogg_opus(packets: &[&[u8]], channels: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let mut head = b"OpusHead\x01".to_vec();
    head.push(channels);
    head.extend_from_slice(&0u16.to_le_bytes()); // pre-skip
    head.extend_from_slice(&48_000u32.to_le_bytes());
    head.extend_from_slice(&[0, 0, 0]); // gain, mapping family 0
    ogg_page(&mut out, 0x02, 0, 0, &head);
    let mut tags = b"OpusTags".to_vec();
    tags.extend_from_slice(&10u32.to_le_bytes());
    tags.extend_from_slice(b"rtsp-proto");
    tags.extend_from_slice(&0u32.to_le_bytes());
    ogg_page(&mut out, 0, 0, 1, &tags);
    let mut granule = 0u64;
    for (i, p) in packets.iter().enumerate() {
        granule += u64::from(packet_duration(p).unwrap());
        let flags = if i + 1 == packets.len() { 0x04 } else { 0 };
        ogg_page(&mut out, flags, granule, i as u32 + 2, p);
    }
    out
}

#[test]
fn ffmpeg_libopus_48k_stereo() {
    let config = OpusConfig::from_fmtp(fmtp::params("sprop-stereo=1")).unwrap();
    let packets = read_rtp_txt("opus_ffmpeg.rtp.txt");
    let frames = depacketize_all(&mut OpusDepacketizer::new(&config), &packets);
    assert_eq!(frames.len(), 51);
    for w in frames.windows(2) {
        assert!(!w[1].loss);
        assert_eq!(
            w[1].timestamp.wrapping_sub(w[0].timestamp),
            packet_duration(&w[0].data).unwrap()
        );
    }
    // Round trip.
    let mut p = OpusPacketizer::new(1200).unwrap();
    let mut again_packets = Vec::new();
    for f in &frames {
        p.packetize(f.timestamp, &f.data, &mut |pl| {
            again_packets.push(RtpPacket {
                sequence_number: again_packets.len() as u16,
                timestamp: pl.timestamp,
                marker: pl.marker,
                payload_type: 97,
                payload: pl.to_bytes(),
            })
        })
        .unwrap();
    }
    let again = depacketize_all(&mut OpusDepacketizer::new(&config), &again_packets);
    assert_eq!(again, frames);

    if !common::peers::require("ffmpeg_libopus_48k_stereo", &["ffprobe", "ffmpeg"]) {
        return;
    }
    let dir = TempDir::new("opus");
    let path = dir.path("audio.opus");
    let data: Vec<&[u8]> = frames.iter().map(|f| &f.data[..]).collect();
    std::fs::write(&path, ogg_opus(&data, 2)).unwrap();
    assert_eq!(ffprobe_frame_count(&[], &path), frames.len() as u64);
    ffmpeg_decodes_cleanly(&[], &path);
}
