//! Fuzz target `sdp`: see `sdp` in `fuzz/checks_sdp.rs`.
#![no_main]

#[path = "../checks_sdp.rs"]
mod checks_sdp;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks_sdp::sdp(data));
