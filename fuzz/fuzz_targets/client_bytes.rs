//! Fuzz target `client_bytes`: see `check_client_bytes` in `fuzz/checks_client.rs`.
#![no_main]

#[path = "../checks_client.rs"]
mod checks_client;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks_client::check_client_bytes(data));
