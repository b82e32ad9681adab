//! Fuzz target `depacketize_latm`: see `depacketize_latm` in `fuzz/checks_audio_mjpeg.rs`.
#![no_main]

#[path = "../checks_audio_mjpeg.rs"]
mod checks_audio_mjpeg;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks_audio_mjpeg::depacketize_latm(data));
