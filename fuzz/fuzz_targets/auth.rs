//! Fuzz target `auth`: see `check_auth` in `fuzz/checks_auth.rs`.
#![no_main]

#[path = "../checks_auth.rs"]
mod checks_auth;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks_auth::check_auth(data));
