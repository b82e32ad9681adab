//! Fuzz target `rtp`: see `rtp` in `fuzz/checks_rtp.rs`.
#![no_main]

#[path = "../checks_rtp.rs"]
mod checks_rtp;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks_rtp::rtp(data));
