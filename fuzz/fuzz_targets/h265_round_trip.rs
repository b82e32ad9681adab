//! Fuzz target `h265_round_trip`: see `h265_round_trip` in `fuzz/checks_h26x.rs`.
#![no_main]

#[path = "../checks_h26x.rs"]
mod checks_h26x;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks_h26x::h265_round_trip(data));
