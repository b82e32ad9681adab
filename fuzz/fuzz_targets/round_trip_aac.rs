//! Fuzz target `round_trip_aac`: see `round_trip_aac` in `fuzz/checks_audio_mjpeg.rs`.
#![no_main]

#[path = "../checks_audio_mjpeg.rs"]
mod checks_audio_mjpeg;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks_audio_mjpeg::round_trip_aac(data));
