//! MP4A-LATM (RFC 6416) against a real encoder: ffmpeg's `-rtpflags latm` packetizer
//! (AAC-LC 48 kHz stereo, `cpresent=0`). The AUs, given ADTS headers from the
//! StreamMuxConfig's AudioSpecificConfig, make an `.aac` file ffprobe counts and ffmpeg
//! decodes cleanly; our LATM packetizer round-trips them byte for byte.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod codec_audio_util;
mod common;

use codec_audio_util::*;
use rtsp_proto::codec::fmtp;
use rtsp_proto::codec::latm::{LatmConfig, LatmDepacketizer, LatmPacketizer, StreamMuxConfig};
use rtsp_proto::codec::{Packetizer, RtpPacket};

#[test]
fn ffmpeg_latm_48k_stereo() {
    let config = LatmConfig::from_fmtp(
        48_000,
        Some(2),
        fmtp::params("profile-level-id=41;cpresent=0;config=400023203fc0"),
    )
    .unwrap();
    let packets = read_rtp_txt("latm_ffmpeg.rtp.txt");
    let frames = depacketize_all(&mut LatmDepacketizer::new(config.clone()), &packets);
    assert_eq!(frames.len(), 48);
    for w in frames.windows(2) {
        assert!(!w[1].loss);
        assert_eq!(w[1].timestamp.wrapping_sub(w[0].timestamp), 1024);
    }
    let asc = &config
        .stream_mux_config
        .as_ref()
        .unwrap()
        .audio_specific_config;

    // Round trip through our packetizer, with fragmentation.
    for max in [1200, 100] {
        let mut p = LatmPacketizer::new(max).unwrap();
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
        let simple = LatmConfig::from_fmtp(
            48_000,
            Some(2),
            [
                ("cpresent", "0"),
                ("config", &hex_str(&StreamMuxConfig::encode_simple(asc))),
            ],
        )
        .unwrap();
        let again = depacketize_all(&mut LatmDepacketizer::new(simple), &again_packets);
        assert_eq!(again, frames);
    }

    if !common::peers::require("ffmpeg_latm_48k_stereo", &["ffprobe", "ffmpeg"]) {
        return;
    }
    let dir = TempDir::new("latm");
    let path = dir.path("audio.aac");
    let mut adts = Vec::new();
    for f in &frames {
        adts.extend_from_slice(&asc.adts_header(f.data.len()).unwrap());
        adts.extend_from_slice(&f.data);
    }
    std::fs::write(&path, adts).unwrap();
    assert_eq!(ffprobe_frame_count(&[], &path), 48);
    ffmpeg_decodes_cleanly(&[], &path);
}

fn hex_str(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
