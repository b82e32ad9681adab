//! Fuzz check `auth`: the credential parsers and the server's verification of hostile
//! `Authorization` headers, plus the codec configurations parsed from SDP `fmtp` lines.
//! Shared by `fuzz_targets/auth.rs` and `tests/auth_fuzz_corpus.rs`.
//!
//! Input: the first byte selects the path, the rest is text (UTF-8, lossily).
//! Invariants: no panic; a forged Digest or Basic header is never authorized; a
//! challenge is always well-formed enough to parse back.

use rand::rngs::StdRng;
use rand::SeedableRng;
use rtsp_proto::auth::{ClientAuthenticator, ServerAuthenticator, UserCredentials, Verdict};
use rtsp_proto::codec::fmtp;
use rtsp_proto::codec::h264::H264Config;
use rtsp_proto::codec::h265::H265Config;
use rtsp_proto::header::{Authorization, TypedHeader, WwwAuthenticate};
use rtsp_proto::Method;
use std::time::{Duration, Instant};

/// Runs the check on one input.
pub fn check_auth(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    match sel % 4 {
        0 => {
            // A server with one user verifies a hostile header, now and much later.
            let t0 = Instant::now();
            let mut rng = StdRng::seed_from_u64(u64::from(sel));
            let mut server = ServerAuthenticator::new("realm", t0, &mut rng)
                .with_basic(sel & 0x10 != 0)
                .with_sha256(sel & 0x20 != 0);
            server.add_user(UserCredentials::new(
                "user",
                "a-password-the-fuzzer-cannot-guess-9f2c",
            ));
            if let Ok(h) = Authorization::parse(&text) {
                for later in [0, 59, 3600] {
                    let v = server.verify(
                        &Method::DESCRIBE,
                        "rtsp://h/x",
                        Some(&h),
                        t0 + Duration::from_secs(later),
                        &mut rng,
                    );
                    match v {
                        Verdict::Authorized { .. } => {
                            panic!("forged credentials accepted: {text:?}")
                        }
                        Verdict::Challenge(c) => {
                            let _ = WwwAuthenticate::parse(&c.to_value_string())
                                .expect("our challenge parses back");
                        }
                        _ => {}
                    }
                }
            }
        }
        1 => {
            // The client answers a hostile challenge.
            let mut rng = StdRng::seed_from_u64(1);
            let mut client = ClientAuthenticator::new(Some(UserCredentials::new("u", "p")));
            if let Ok(c) = WwwAuthenticate::parse(&text) {
                if let Ok(true) = client.handle_unauthorized(&c) {
                    if let Some(h) = client.authorization(&Method::SETUP, "rtsp://h/x", &mut rng) {
                        let _ = Authorization::parse(&h.to_value_string())
                            .expect("our Authorization parses back");
                    }
                }
            }
        }
        2 => {
            let _ = UserCredentials::from_url(&text);
        }
        _ => {
            let _ = fmtp::params(&text).count();
            let _ = H264Config::from_fmtp(&text);
            let _ = H265Config::from_fmtp(&text);
        }
    }
}
