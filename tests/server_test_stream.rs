//! The server example's built-in test stream (`examples/server/test_stream.rs`): the asset
//! splits into decodable access units, the schedule is real time with continuous RTP
//! timestamps across loops of the asset, and the tone is valid μ-law.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// The virtual clock starts at an arbitrary real instant.
#![allow(clippy::disallowed_methods)]

#[path = "../examples/server/test_stream.rs"]
#[allow(dead_code)]
mod test_stream;

use rtsp_proto::codec::g711::{G711Config, G711Depacketizer, G711Packetizer};
use rtsp_proto::codec::h264::{
    H264Config, H264Depacketizer, H264Packetizer, H264PacketizerConfig, H264Sps,
};
use rtsp_proto::codec::nal::annex_b_nal_units;
use rtsp_proto::codec::{Depacketizer, Packetizer, RtpPacket};
use rtsp_proto::sdp::{PresentationBuilder, Url};
use std::time::{Duration, Instant};
use test_stream::{linear_to_ulaw, MediaFrame, TestAsset, TestStream, Track};

/// Polls `stream` every 10 ms of virtual time from its start until `until` (a real caller
/// polls at least this often; a gap of more than a second counts as a suspension).
fn run(stream: &mut TestStream, start: Instant, until: Duration) -> Vec<MediaFrame> {
    let mut frames = Vec::new();
    let mut now = start;
    while now <= start + until {
        stream.poll(now, &mut frames);
        now += Duration::from_millis(10);
    }
    frames
}

fn nal_types(au: &[u8]) -> Vec<u8> {
    annex_b_nal_units(au).map(|n| n[0] & 0x1f).collect()
}

#[test]
fn asset_is_six_seconds_of_320x240_with_an_idr_every_second() {
    let asset = TestAsset::load().unwrap();
    assert_eq!(asset.frames(), 150);
    let start = Instant::now();
    let mut stream = TestStream::new(asset, start);
    let frames = run(&mut stream, start, Duration::from_millis(5990));
    let video: Vec<&MediaFrame> = frames.iter().filter(|f| f.track == Track::Video).collect();
    assert_eq!(video.len(), 150);
    for (i, f) in video.iter().enumerate() {
        let types = nal_types(&f.data);
        assert!(!types.contains(&9), "access unit delimiters are removed");
        assert_eq!(f.keyframe, i % 25 == 0, "frame {i}");
        if f.keyframe {
            assert_eq!(&types[..2], &[7, 8], "SPS and PPS before every IDR");
            assert!(types.contains(&5));
        } else {
            assert!(types.iter().all(|&t| t == 1 || t == 6), "{types:?}");
        }
    }
    let sps = annex_b_nal_units(&video[0].data).next().unwrap();
    let info = H264Sps::parse(sps).unwrap();
    assert_eq!((info.width, info.height), (320, 240));
}

#[test]
fn schedule_is_real_time_and_timestamps_continue_across_loops() {
    let start = Instant::now();
    let mut stream = TestStream::new(TestAsset::load().unwrap(), start);
    assert_eq!(stream.next_due(), start);
    let mut frames = Vec::new();
    // Step the virtual clock by 7 ms over 13 s (more than two passes over the asset).
    let mut now = start;
    let mut times = Vec::new();
    while now < start + Duration::from_secs(13) {
        let before = frames.len();
        stream.poll(now, &mut frames);
        times.extend(std::iter::repeat_n(now, frames.len() - before));
        assert!(stream.next_due() > now);
        now += Duration::from_millis(7);
    }
    let mut video_ts = Vec::new();
    let mut audio_ts = Vec::new();
    for (f, t) in frames.iter().zip(&times) {
        let (clock, list) = match f.track {
            Track::Video => (90_000u64, &mut video_ts),
            Track::Audio => (8_000u64, &mut audio_ts),
        };
        // Sent no earlier than its time and at most one poll step late.
        let due = start + Duration::from_nanos(u64::from(f.timestamp) * 1_000_000_000 / clock);
        assert!(*t >= due && *t < due + Duration::from_millis(7));
        list.push(f.timestamp);
    }
    assert_eq!(video_ts.len(), 13 * 25);
    assert_eq!(audio_ts.len(), 13 * 50);
    assert!(video_ts.windows(2).all(|w| w[1] - w[0] == 3600));
    assert!(audio_ts.windows(2).all(|w| w[1] - w[0] == 160));
    assert!(frames
        .iter()
        .filter(|f| f.track == Track::Audio)
        .all(|f| f.data.len() == 160));
}

#[test]
fn a_suspended_caller_skips_ahead_instead_of_bursting() {
    let start = Instant::now();
    let mut stream = TestStream::new(TestAsset::load().unwrap(), start);
    let mut frames = Vec::new();
    stream.poll(start + Duration::from_secs(60), &mut frames);
    assert!(frames.len() < 2 * (25 + 50), "{}", frames.len());
    assert!(stream.next_due() > start + Duration::from_secs(59));
}

#[test]
fn mu_law_matches_g711_reference_values() {
    // What ffmpeg 5.1's pcm_mulaw encoder outputs for the same s16 samples.
    let cases: [(i16, u8); 12] = [
        (0, 0xff),
        (i16::MAX, 0x80),
        (i16::MIN, 0x00),
        (1000, 0xce),
        (-1000, 0x4e),
        (100, 0xf2),
        (-100, 0x72),
        (5000, 0xab),
        (-5000, 0x2b),
        (8000, 0xa0),
        (-8000, 0x20),
        (20000, 0x8c),
    ];
    for (linear, ulaw) in cases {
        assert_eq!(linear_to_ulaw(linear), ulaw, "{linear}");
    }
}

#[test]
fn frames_round_trip_through_the_crate_packetizers_and_the_description_parses() {
    let asset = TestAsset::load().unwrap();
    let start = Instant::now();
    let mut stream = TestStream::new(asset.clone(), start);
    let frames = run(&mut stream, start, Duration::from_secs(2));

    let mut h264 = H264Packetizer::new(H264PacketizerConfig::default()).unwrap();
    let mut pcmu = G711Packetizer::new(&G711Config::pcmu(), 1200).unwrap();
    let mut video_in = H264Depacketizer::new(H264Config::default());
    let mut audio_in = G711Depacketizer::new(&G711Config::pcmu());
    let (mut vseq, mut aseq) = (0u16, 0u16);
    let (mut vout, mut aout) = (0, 0);
    for f in &frames {
        match f.track {
            Track::Video => {
                h264.packetize(f.timestamp, &f.data, &mut |p| {
                    assert!(p.len() <= 1200);
                    video_in
                        .push(RtpPacket {
                            sequence_number: vseq,
                            timestamp: p.timestamp,
                            marker: p.marker,
                            payload_type: 96,
                            payload: p.to_bytes(),
                        })
                        .unwrap();
                    vseq = vseq.wrapping_add(1);
                })
                .unwrap();
                while let Some(out) = video_in.pull() {
                    assert_eq!(out.timestamp, f.timestamp);
                    assert_eq!(out.keyframe, f.keyframe);
                    vout += 1;
                }
            }
            Track::Audio => {
                pcmu.packetize(f.timestamp, &f.data, &mut |p| {
                    audio_in
                        .push(RtpPacket {
                            sequence_number: aseq,
                            timestamp: p.timestamp,
                            marker: p.marker,
                            payload_type: 0,
                            payload: p.to_bytes(),
                        })
                        .unwrap();
                    aseq = aseq.wrapping_add(1);
                })
                .unwrap();
                while let Some(out) = audio_in.pull() {
                    assert_eq!(out.data, f.data);
                    aout += 1;
                }
            }
        }
    }
    video_in.flush();
    vout += std::iter::from_fn(|| video_in.pull()).count();
    assert_eq!((vout, aout), (51, 101));
    assert_eq!(video_in.sps_info().unwrap().unwrap().width, 320);

    let mut b = PresentationBuilder::new("test");
    for s in asset.streams() {
        b = b.stream(s);
    }
    let sdp = b.build().unwrap();
    let p = rtsp_proto::sdp::Presentation::parse(
        sdp.as_bytes(),
        &Url::parse("rtsp://127.0.0.1/test/").unwrap(),
    )
    .unwrap();
    assert_eq!(p.media.len(), 2);
    assert_eq!(p.media[0].encoding_name(), Some("H264"));
    let fmtp = p.media[0].fmtp().unwrap();
    assert_eq!(fmtp.get("packetization-mode"), Some("1"));
    assert!(fmtp.get("sprop-parameter-sets").unwrap().contains(','));
    assert_eq!(p.media[1].encoding_name(), Some("PCMU"));
    assert_eq!(p.media[1].clock_rate(), Some(8000));
}

#[test]
fn polling_at_next_due_wakes_25_times_a_second_and_audio_is_at_most_20_ms_late() {
    let start = Instant::now();
    let mut stream = TestStream::new(TestAsset::load().unwrap(), start);
    let mut wakeups = 0;
    let mut frames = Vec::new();
    let mut now = stream.next_due();
    while now < start + Duration::from_secs(4) {
        let before = frames.len();
        stream.poll(now, &mut frames);
        for f in &frames[before..] {
            let clock = match f.track {
                Track::Video => 90_000,
                Track::Audio => 8_000,
            };
            let due = start + Duration::from_nanos(u64::from(f.timestamp) * 1_000_000_000 / clock);
            assert!(now >= due && now - due <= Duration::from_millis(20));
        }
        wakeups += 1;
        now = stream.next_due();
    }
    assert_eq!(wakeups, 100);
    let audio = frames.iter().filter(|f| f.track == Track::Audio).count();
    let video = frames.len() - audio;
    // Audio due up to the last wake-up (3.96 s) went out: 199 chunks of 20 ms.
    assert_eq!((video, audio), (100, 199));
}
