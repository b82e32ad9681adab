//! Fuzz target `nal_framing`: see `nal_framing` in `fuzz/checks_h26x.rs`.
#![no_main]

#[path = "../checks_h26x.rs"]
mod checks_h26x;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks_h26x::nal_framing(data));
