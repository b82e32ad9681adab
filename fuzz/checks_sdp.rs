//! The property the SDP fuzz target checks, also replayed by `tests/sdp_fuzz_corpus.rs`
//! over `fuzz/corpus/sdp/` under plain `cargo test`.
//!
//! It uses only the public API of `rtsp_proto` and std, so a cargo-fuzz target can include
//! it with `#[path = "../checks_sdp.rs"] mod checks_sdp;` and call `checks_sdp::sdp(data)`.
//!
//! Input: any bytes, read as an SDP body. Properties:
//! - `Presentation::parse` never panics, whatever the bytes;
//! - a presentation that parsed is written again by `PresentationBuilder::from_presentation`
//!   without error, the text parses again with no repair (no `Normalized`, `DroppedLine` or
//!   `SkippedMedia` diagnostic), and it keeps its media list: kinds, payload types, rtpmaps,
//!   fmtp parameters, `a=control` values and resolved control URLs.

#![allow(dead_code)]
// A failed check must panic: that is how the fuzzer and the test harness see it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rtsp_proto::sdp::{DiagnosticKind, ParseOptions, Presentation, PresentationBuilder, Url};

/// What a rebuild must keep of each media description.
fn media_list(p: &Presentation) -> Vec<String> {
    p.media
        .iter()
        .map(|m| {
            let formats: Vec<String> = m
                .formats
                .iter()
                .map(|f| format!("{} {:?} {:?}", f.payload_type, f.rtpmap, f.fmtp.params))
                .collect();
            format!(
                "{:?} {:?} {:?} {:?}",
                m.kind,
                formats,
                m.control_attr,
                m.control.as_ref().map(Url::as_str)
            )
        })
        .collect()
}

/// Parses `data` as an SDP body; if it parses, checks that it survives a rebuild.
pub fn sdp(data: &[u8]) {
    let base = Url::parse("rtsp://fuzz.invalid/stream").unwrap();
    let Ok(p) = Presentation::parse(data, &base) else {
        return;
    };
    assert!(p.media.len() <= 16);
    let text = PresentationBuilder::from_presentation(&p)
        .build()
        .unwrap_or_else(|e| panic!("rebuild failed: {e}\n{p:#?}"));
    let mut opts = ParseOptions::default();
    opts.limits.max_len = usize::MAX;
    let q = Presentation::parse_with(text.as_bytes(), &base, &opts)
        .unwrap_or_else(|e| panic!("rebuilt text does not parse: {e}\n{text}"));
    for d in &q.diagnostics {
        assert!(
            !matches!(
                d.kind,
                DiagnosticKind::Normalized
                    | DiagnosticKind::DroppedLine { .. }
                    | DiagnosticKind::SkippedMedia { .. }
            ),
            "rebuilt text needed repair: {d:?}\n{text}"
        );
    }
    assert_eq!(media_list(&p), media_list(&q), "\n{text}");
}
