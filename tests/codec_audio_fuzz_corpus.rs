//! Replays the seed corpora of the audio and MJPEG fuzz checks
//! (`fuzz/corpus/<check>/*`) through `fuzz/checks_audio_mjpeg.rs`, so every input the
//! fuzzers start from (and every regression they found) runs in `cargo test`.
//!
//! `cargo test --test codec_audio_fuzz_corpus -- --ignored regenerate_seed_corpora`
//! rewrites the seeds from the real streams in `tests/data/codec/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../fuzz/checks_audio_mjpeg.rs"]
mod checks_audio_mjpeg;
mod codec_audio_util;

use checks_audio_mjpeg::{encode_packets, CHECKS};
use std::path::{Path, PathBuf};

fn corpus_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(name)
}

#[test]
fn seed_corpora_pass_every_check() {
    for (name, check) in CHECKS {
        let dir = corpus_dir(name);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{name}: empty corpus");
        for f in files {
            let data = std::fs::read(&f).unwrap();
            let result = std::panic::catch_unwind(|| check(&data));
            assert!(result.is_ok(), "{name}: {} fails", f.display());
        }
    }
}

/// Short inputs of every shape do not panic either.
#[test]
fn tiny_inputs() {
    for (_, check) in CHECKS {
        for len in 0..12usize {
            for fill in [0u8, 1, 0x7f, 0xff] {
                check(&vec![fill; len]);
            }
        }
    }
}

/// Writes the seed corpora from the real streams (a few packets each).
#[test]
#[ignore]
fn regenerate_seed_corpora() {
    let write = |name: &str, file: &str, data: Vec<u8>| {
        let dir = corpus_dir(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(file), data).unwrap();
    };
    let seeds = |rtp: &str, n: usize, skip: usize| -> Vec<(bool, bool, bool, Vec<u8>)> {
        let pkts = codec_audio_util::read_rtp_txt(rtp);
        let mut out = Vec::new();
        let mut last_ts = None;
        for p in pkts.iter().skip(skip).take(n) {
            let new_ts = last_ts.is_some_and(|t| t != p.timestamp);
            last_ts = Some(p.timestamp);
            out.push((p.marker, false, new_ts, p.payload.to_vec()));
        }
        out
    };
    let enc = |config: u8, v: &[(bool, bool, bool, Vec<u8>)]| {
        let refs: Vec<(bool, bool, bool, &[u8])> =
            v.iter().map(|(a, b, c, d)| (*a, *b, *c, &d[..])).collect();
        encode_packets(config, &refs)
    };
    let aac = seeds("aac_ffmpeg_tcp__gst_av.rtp.txt", 4, 0);
    write("depacketize_aac", "gst_hbr_4_packets", enc(0, &aac));
    write(
        "depacketize_aac",
        "ffmpeg_several_aus",
        enc(0, &seeds("aac_ffmpegpub_tcp__gst_record.rtp.txt", 1, 0)),
    );
    let mut lossy = aac.clone();
    lossy[2].1 = true;
    write("depacketize_aac", "gst_hbr_with_loss", enc(0, &lossy));
    write(
        "depacketize_latm",
        "ffmpeg_latm_3_packets",
        enc(0, &seeds("latm_ffmpeg.rtp.txt", 3, 0)),
    );
    write(
        "depacketize_g711",
        "gst_pcmu_2_packets",
        enc(0, &seeds("pcmu_ffmpeg_tcp__gst_pcmu.rtp.txt", 2, 0)),
    );
    write(
        "depacketize_l16",
        "ffmpeg_l16_stereo",
        enc(1, &seeds("l16_ffmpeg.rtp.txt", 2, 0)),
    );
    write(
        "depacketize_opus",
        "ffmpeg_opus_4_packets",
        enc(0, &seeds("opus_ffmpeg.rtp.txt", 4, 0)),
    );
    write(
        "depacketize_mjpeg",
        "gst_q255_frame",
        enc(0, &seeds("mjpeg_ffmpeg_tcp__gst_mjpeg.rtp.txt", 4, 0)),
    );
    write(
        "depacketize_mjpeg",
        "ffmpeg_one_table_frame",
        enc(0, &seeds("mjpeg_ffmpeg.rtp.txt", 3, 0)),
    );
    // Round-trip seeds: length-prefixed frames.
    let lp = |frames: &[&[u8]]| {
        let mut v = Vec::new();
        for f in frames {
            v.push(f.len().min(255) as u8);
            v.extend_from_slice(&f[..f.len().min(255)]);
        }
        v
    };
    let aac_aus: Vec<Vec<u8>> = aac.iter().map(|p| p.3[4..].to_vec()).collect();
    let aac_refs: Vec<&[u8]> = aac_aus.iter().map(|v| &v[..]).collect();
    write("round_trip_aac", "gst_aus", lp(&aac_refs));
    write("round_trip_latm", "gst_aus", lp(&aac_refs));
    let opus = seeds("opus_ffmpeg.rtp.txt", 3, 0);
    let opus_refs: Vec<&[u8]> = opus.iter().map(|p| &p.3[..]).collect();
    write("round_trip_opus", "ffmpeg_packets", lp(&opus_refs));
    let pcmu = seeds("pcmu_ffmpeg_tcp__gst_pcmu.rtp.txt", 1, 0);
    write("round_trip_g711", "gst_samples", pcmu[0].3[..400].to_vec());
    write(
        "round_trip_l16",
        "ffmpeg_samples",
        seeds("l16_ffmpeg.rtp.txt", 1, 0)[0].3[..400].to_vec(),
    );
    let mj = seeds("mjpeg_ffmpeg_tcp__gst_mjpeg.rtp.txt", 2, 0);
    let mut m = vec![1u8, 50, 40, 30, 0, 0];
    m.extend_from_slice(&mj[1].3[8..]);
    write("round_trip_mjpeg", "gst_scan_q50", m.clone());
    m[4] = 0;
    m[5] = 20;
    write("round_trip_mjpeg", "gst_scan_restart", m);
}

/// A cheap deterministic mutation fuzzer over the seeds (the cargo-fuzz targets do this
/// properly; this keeps a baseline in `cargo test`). `CODEC_FUZZ_ITERS` sets the
/// mutations per seed (default 200).
#[test]
fn mutated_seeds_pass_every_check() {
    let iters: usize = std::env::var("CODEC_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut rand = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for (name, check) in CHECKS {
        let mut seeds: Vec<PathBuf> = std::fs::read_dir(corpus_dir(name))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        seeds.sort();
        for seed in seeds {
            let original = std::fs::read(&seed).unwrap();
            for _ in 0..iters {
                let mut data = original.clone();
                for _ in 0..1 + rand() % 8 {
                    if data.is_empty() {
                        break;
                    }
                    let at = (rand() as usize) % data.len();
                    match rand() % 4 {
                        0 => data[at] ^= 1 << (rand() % 8),
                        1 => data[at] = rand() as u8,
                        2 => data.truncate(at),
                        _ => data.insert(at, rand() as u8),
                    }
                }
                let result = std::panic::catch_unwind(|| check(&data));
                if result.is_err() {
                    let out = std::env::temp_dir().join(format!("codec-fuzz-{name}.bin"));
                    std::fs::write(&out, &data).unwrap();
                    panic!(
                        "{name}: mutated {} fails; input saved to {}",
                        seed.display(),
                        out.display()
                    );
                }
            }
        }
    }
}
