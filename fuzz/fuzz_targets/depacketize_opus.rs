//! Fuzz target `depacketize_opus`: see `depacketize_opus` in `fuzz/checks_audio_mjpeg.rs`.
#![no_main]

#[path = "../checks_audio_mjpeg.rs"]
mod checks_audio_mjpeg;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks_audio_mjpeg::depacketize_opus(data));
