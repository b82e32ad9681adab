//! The built-in test stream served at `/test`: moving H.264 video looped from a small
//! committed asset, and a 440 Hz tone generated here as G.711 μ-law (PCMU), which ffplay,
//! VLC and GStreamer all play with no set-up.
//!
//! The video asset `test_stream.h264` (6 s, 320x240, 25 fps, constrained baseline, one
//! IDR per second with SPS/PPS repeated before each, an access unit delimiter before each
//! access unit, about 196 KB) was made once with ffmpeg 5.1 / libx264:
//!
//! ```text
//! ffmpeg -f lavfi -i "testsrc2=size=320x240:rate=25:duration=6" -c:v libx264 \
//!   -profile:v baseline -preset veryfast -tune zerolatency -b:v 250k -maxrate 250k \
//!   -bufsize 200k -g 25 -keyint_min 25 -sc_threshold 0 -pix_fmt yuv420p \
//!   -x264-params "aud=1:repeat-headers=1" -bsf:v h264_mp4toannexb -f h264 test_stream.h264
//! ```
//!
//! The stream is paced in real time by the caller: [`TestStream::poll`] takes `now` and
//! returns the frames that are due, [`TestStream::next_due`] says when to call it again
//! (at each video frame; audio packets due by then go with it).
//! The video loops forever with continuous RTP timestamps (frame `n` is at `3600 * n` in the
//! 90 kHz clock, whichever pass over the asset it comes from), and audio is sent in 20 ms
//! packets of 160 samples.

use bytes::Bytes;
use rtsp_proto::codec::nal::annex_b_nal_units;
use rtsp_proto::sdp::{MediaKind, PayloadType, Stream};
use std::time::{Duration, Instant};

/// The committed H.264 asset (Annex B, see the module docs for how it was made).
const ASSET: &[u8] = include_bytes!("test_stream.h264");
/// Frames per second of the asset.
const FPS: u32 = 25;
/// RTP clock of the video track.
pub const VIDEO_CLOCK: u32 = 90_000;
/// RTP clock (and sample rate) of the audio track.
pub const AUDIO_CLOCK: u32 = 8_000;
/// Audio samples per packet (20 ms, RFC 3551 §4.5's default packetization interval).
const AUDIO_CHUNK: u32 = 160;
/// Tone frequency; a whole number of cycles per second, so the tone loops every second.
const TONE_HZ: u32 = 440;
/// Dynamic payload type of the video track.
pub const VIDEO_PT: u8 = 96;
/// Static payload type of PCMU.
pub const AUDIO_PT: u8 = 0;

/// Which track a [`MediaFrame`] belongs to (its index in [`TestStream::streams`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Track {
    /// H.264 video, track 0.
    Video = 0,
    /// PCMU audio, track 1.
    Audio = 1,
}

/// One frame that is due: an H.264 access unit (Annex B, parameter sets in-band before
/// every IDR) or 20 ms of μ-law samples.
#[derive(Debug, Clone)]
pub struct MediaFrame {
    /// The track.
    pub track: Track,
    /// RTP timestamp in the track's clock, counted from 0 at the start of the stream.
    pub timestamp: u32,
    /// The frame.
    pub data: Bytes,
    /// True for an IDR access unit (and for every audio frame).
    #[allow(dead_code)] // read by tests/server_test_stream.rs
    pub keyframe: bool,
}

/// The video access units parsed out of the asset, shared by every [`TestStream`].
#[derive(Debug, Clone)]
pub struct TestAsset {
    /// Access units as Annex B (access unit delimiters removed).
    units: Vec<(Bytes, bool)>,
    /// The first SPS and PPS.
    sps: Bytes,
    pps: Bytes,
}

impl TestAsset {
    /// Splits the committed asset into access units at its access unit delimiters.
    pub fn load() -> Option<TestAsset> {
        TestAsset::parse(ASSET)
    }

    /// Splits an Annex B stream that has an access unit delimiter (NAL type 9) before
    /// every access unit. `None` when there is no access unit, SPS or PPS.
    pub fn parse(data: &[u8]) -> Option<TestAsset> {
        let mut units = Vec::new();
        let mut current: Vec<u8> = Vec::new();
        let mut idr = false;
        let mut sps = None;
        let mut pps = None;
        for nal in annex_b_nal_units(data) {
            let kind = nal.first()? & 0x1f;
            if kind == 9 {
                if !current.is_empty() {
                    units.push((Bytes::from(std::mem::take(&mut current)), idr));
                }
                idr = false;
                continue;
            }
            match kind {
                5 => idr = true,
                7 if sps.is_none() => sps = Some(Bytes::copy_from_slice(nal)),
                8 if pps.is_none() => pps = Some(Bytes::copy_from_slice(nal)),
                _ => {}
            }
            current.extend_from_slice(&[0, 0, 0, 1]);
            current.extend_from_slice(nal);
        }
        if !current.is_empty() {
            units.push((Bytes::from(current), idr));
        }
        if units.is_empty() || !units.first()?.1 {
            return None;
        }
        Some(TestAsset {
            units,
            sps: sps?,
            pps: pps?,
        })
    }

    /// Number of access units (frames) in one pass over the asset.
    #[allow(dead_code)] // for tests/server_test_stream.rs
    pub fn frames(&self) -> usize {
        self.units.len()
    }

    /// The two media descriptions of `/test`: H.264 (payload type 96,
    /// packetization-mode 1, with `sprop-parameter-sets`) and PCMU (payload type 0).
    pub fn streams(&self) -> Vec<Stream> {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        let profile_level_id: String = self
            .sps
            .get(1..4)
            .unwrap_or(&[0x42, 0xc0, 0x1e])
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect();
        let sprop = format!("{},{}", b64.encode(&self.sps), b64.encode(&self.pps));
        vec![
            Stream::new(MediaKind::Video, PayloadType(VIDEO_PT), "H264", VIDEO_CLOCK)
                .fmtp("packetization-mode", "1")
                .fmtp("profile-level-id", &profile_level_id)
                .fmtp("sprop-parameter-sets", &sprop)
                .framerate(f64::from(FPS)),
            Stream::new(MediaKind::Audio, PayloadType(AUDIO_PT), "PCMU", AUDIO_CLOCK),
        ]
    }
}

/// One running instance of the test stream, paced from the `Instant` it was started at.
#[derive(Debug)]
pub struct TestStream {
    asset: TestAsset,
    start: Instant,
    /// Index of the next video frame (counts across loops).
    next_video: u64,
    /// Index of the next 20 ms audio chunk.
    next_audio: u64,
}

impl TestStream {
    /// A stream whose first frames are due at `now`.
    pub fn new(asset: TestAsset, now: Instant) -> TestStream {
        TestStream {
            asset,
            start: now,
            next_video: 0,
            next_audio: 0,
        }
    }

    fn video_due(&self) -> Instant {
        self.start + frame_time(self.next_video, u64::from(FPS))
    }

    fn audio_due(&self) -> Instant {
        self.start + frame_time(self.next_audio, u64::from(AUDIO_CLOCK / AUDIO_CHUNK))
    }

    /// When to call [`TestStream::poll`] next: at the next video frame. The 20 ms audio
    /// packets due by then go out with it (at most 20 ms late), so a server wakes up and
    /// writes to each player 25 times a second instead of 75.
    pub fn next_due(&self) -> Instant {
        self.video_due()
    }

    fn earliest_due(&self) -> Instant {
        self.video_due().min(self.audio_due())
    }

    /// Returns every frame due at `now`, in time order. A caller that fell far behind (the
    /// process was suspended) skips ahead instead of bursting more than one second.
    pub fn poll(&mut self, now: Instant, out: &mut Vec<MediaFrame>) {
        let behind = now.saturating_duration_since(self.earliest_due());
        if behind > Duration::from_secs(1) {
            let skip_video = behind.as_millis() as u64 * u64::from(FPS) / 1000;
            let skip_audio =
                behind.as_millis() as u64 * u64::from(AUDIO_CLOCK / AUDIO_CHUNK) / 1000;
            self.next_video += skip_video;
            self.next_audio += skip_audio;
        }
        loop {
            let v = self.video_due();
            let a = self.audio_due();
            if v.min(a) > now {
                break;
            }
            if v <= a {
                out.push(self.video_frame());
            } else {
                out.push(self.audio_frame());
            }
        }
    }

    fn video_frame(&mut self) -> MediaFrame {
        let n = self.next_video;
        self.next_video += 1;
        let index = (n % self.asset.units.len() as u64) as usize;
        let (data, keyframe) = self.asset.units[index].clone();
        let per_frame = u64::from(VIDEO_CLOCK / FPS);
        MediaFrame {
            track: Track::Video,
            timestamp: (n * per_frame) as u32,
            data,
            keyframe,
        }
    }

    fn audio_frame(&mut self) -> MediaFrame {
        let n = self.next_audio;
        self.next_audio += 1;
        let first_sample = n * u64::from(AUDIO_CHUNK);
        let data: Vec<u8> = (0..u64::from(AUDIO_CHUNK))
            .map(|i| tone_sample(first_sample + i))
            .collect();
        MediaFrame {
            track: Track::Audio,
            timestamp: first_sample as u32,
            data: Bytes::from(data),
            keyframe: true,
        }
    }
}

/// The time of frame `n` at `rate` frames per second, exact (no accumulated rounding).
fn frame_time(n: u64, rate: u64) -> Duration {
    Duration::from_secs(n / rate) + Duration::from_nanos((n % rate) * 1_000_000_000 / rate)
}

/// Sample `n` of the tone, μ-law encoded, at a quarter of full scale.
fn tone_sample(n: u64) -> u8 {
    let phase = (n % u64::from(AUDIO_CLOCK)) as f64 * f64::from(TONE_HZ) / f64::from(AUDIO_CLOCK);
    let linear = (std::f64::consts::TAU * phase).sin() * 8000.0;
    linear_to_ulaw(linear as i16)
}

/// G.711 μ-law encoding of a 16-bit linear sample (ITU-T G.711, the classic
/// segment/mantissa formulation with bias 0x84).
pub fn linear_to_ulaw(sample: i16) -> u8 {
    const BIAS: i32 = 0x84;
    const CLIP: i32 = 32_635;
    let mut s = i32::from(sample);
    let sign = if s < 0 {
        s = -s;
        0x80
    } else {
        0
    };
    s = s.min(CLIP) + BIAS;
    // The position of the highest set bit among bits 7..=14 (`s` is at least 0x84).
    let exponent = 24 - (s as u32).leading_zeros().clamp(17, 24) as i32;
    let mantissa = (s >> (exponent + 3)) & 0x0f;
    !((sign | (exponent << 4) | mantissa) as u8)
}
