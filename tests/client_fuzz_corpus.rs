//! Replays the committed inputs of the `client_bytes` fuzz target
//! (`fuzz/corpus/client_bytes/*`) through the same check, under plain `cargo test`.
#![allow(clippy::unwrap_used)]

#[path = "../fuzz/checks_client.rs"]
mod checks_client;

use std::path::Path;

#[test]
fn client_bytes_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/client_bytes");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{} inputs", files.len());
    let mut failed = Vec::new();
    for path in &files {
        let data = std::fs::read(path).unwrap();
        if std::panic::catch_unwind(|| checks_client::check_client_bytes(&data)).is_err() {
            failed.push(path.display().to_string());
        }
    }
    assert!(failed.is_empty(), "failed: {failed:#?}");
}

/// The seeds reach the states they were written for (so the corpus exercises the session,
/// not only its error paths): the bunny seed plays frames.
#[test]
fn bunny_seed_reaches_playing() {
    use bytes::BytesMut;
    use rtsp_proto::client::{ClientEvent, ClientSession, PlayOptions, SetupTransport, TrackId};
    let data = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/corpus/client_bytes/seed-bunny-tcp-session"),
    )
    .unwrap();
    // Interpret only the ops the seed uses: chunks (0) and intents (5), jumps (3).
    #[allow(clippy::disallowed_methods)]
    let now = std::time::Instant::now();
    let mut c = ClientSession::new(
        "rtsp://user:pass@192.0.2.1:554/stream",
        checks_client::config(),
    )
    .unwrap();
    let mut buf = BytesMut::new();
    let mut frames = 0;
    let mut i = 0;
    while i < data.len() {
        match data[i] {
            0 => {
                let len = usize::from(data[i + 1]);
                buf.extend_from_slice(&data[i + 2..i + 2 + len]);
                c.handle_stream(now, &mut buf).unwrap();
                i += 2 + len;
            }
            5 => {
                let sel = data[i + 1];
                let t = TrackId(usize::from(sel >> 4));
                let _ = match (sel & 0x0f) % 10 {
                    1 => c.describe(now),
                    2 => c.setup(now, t, SetupTransport::Tcp),
                    5 => c.play(now, PlayOptions::default()),
                    _ => Ok(rtsp_proto::client::RequestId(0)),
                };
                i += 2;
            }
            3 => i += 3,
            _ => unreachable!(),
        }
        while c.poll_transmit().is_some() {}
        while let Some(e) = c.poll_event() {
            if matches!(e, ClientEvent::Frame { .. }) {
                frames += 1;
            }
        }
    }
    assert!(frames > 10, "{frames} frames");
}
