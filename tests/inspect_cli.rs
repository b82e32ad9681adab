//! The `inspect` example's command-line contract: it decodes corpus files, prints one JSON
//! line per message or frame with `--json`, and exits non-zero naming the file and byte
//! offset of the first item it cannot decode.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::inspect::{field, inspect_bin, lines_of, num, run_ok};
use std::path::PathBuf;
use std::process::Command;

#[test]
fn json_lines_for_a_whole_session() {
    let data = common::data_dir();
    let out = Command::new(inspect_bin())
        .arg("--json")
        .arg(data.join("sessions/ffmpeg_tcp__gst_av/tcp/conn1_s2c.bin"))
        .arg(data.join("cameras/reolink_describe.txt"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let all: Vec<&str> = text.lines().collect();
    assert!(all.iter().all(|l| l.starts_with('{') && l.ends_with('}')));
    // The per-message lines; the session summary (`sdp_media`, `rtp_stream`, `rtcp`,
    // `track`) follows them.
    let lines: Vec<&str> = all
        .iter()
        .copied()
        .filter(|l| {
            [
                r#""type":"request""#,
                r#""type":"response""#,
                r#""type":"data""#,
            ]
            .iter()
            .any(|t| l.contains(t))
        })
        .collect();
    // 6 responses + 358 frames from the session, 1 response from the camera file.
    assert_eq!(lines.len(), 6 + 358 + 1);
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains(r#""type":"response""#))
            .count(),
        7
    );
    assert!(lines
        .iter()
        .any(|l| l.contains(r#""type":"data","#) && l.contains(r#""channel":2"#)));
}

#[test]
fn human_output_and_transcripts() {
    let data = common::data_dir();
    let out = Command::new(inspect_bin())
        .arg(data.join("sessions/gst2_tcp__gst_av/rtsp_transcript.txt"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("OPTIONS rtsp://127.0.0.1:8554/av RTSP/2.0"));
    assert!(text.contains("= CSeq(1)"));
    assert!(text.contains("14 messages, 0 interleaved frames"));
}

#[test]
fn fails_naming_file_and_offset() {
    let dir = std::env::temp_dir().join(format!("inspect-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.txt");
    std::fs::write(
        &bad,
        b"RTSP/1.0 200 OK\r\n\r\nRTSP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n",
    )
    .unwrap();
    let out = Command::new(inspect_bin()).arg(&bad).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("bad.txt: byte 52: invalid Content-Length"),
        "{err}"
    );
    let truncated = dir.join("truncated.txt");
    std::fs::write(&truncated, b"$\x00\x00\x10abc").unwrap();
    let out = Command::new(inspect_bin())
        .arg(&truncated)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("truncated.txt: byte 0: stream ends inside a message"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Runs `inspect` with `args` and returns its stdout, asserting success.
/// The summary lines of a type, keyed by channel.
fn by_channel<'a>(text: &'a str, ty: &str) -> std::collections::BTreeMap<i64, &'a str> {
    lines_of(text, ty)
        .into_iter()
        .map(|l| (num(l, "channel"), l))
        .collect()
}

/// Independent count: the `$` frames of a byte stream per channel, and for the AAC
/// (RFC 3640 AAC-hbr) channel the access units (AU-headers-length / 16 bits per packet).
fn frames_per_channel(bytes: &[u8], aac_channel: u8) -> (std::collections::BTreeMap<u8, i64>, i64) {
    use bytes::BytesMut;
    use rtsp_proto::message::{Decoder, Message};
    let mut dec = Decoder::new();
    let mut buf = BytesMut::from(bytes);
    let mut counts = std::collections::BTreeMap::new();
    let mut aus = 0;
    while let Some(m) = dec.decode(&mut buf).unwrap() {
        if let Message::Data(d) = m {
            *counts.entry(d.channel).or_insert(0) += 1;
            if d.channel == aac_channel {
                let p = &d.payload;
                let cc = usize::from(p[0] & 0x0f);
                let h = 12 + 4 * cc;
                aus += i64::from(u16::from_be_bytes([p[h], p[h + 1]]) / 16);
            }
        }
    }
    (counts, aus)
}

#[test]
fn rtp_streams_and_tracks_of_a_transcript_with_its_tcp_stream() {
    let dir = common::data_dir().join("sessions/ffmpeg_tcp__gst_av");
    let s2c = dir.join("tcp/conn1_s2c.bin");
    let text = run_ok(&[
        "--json".as_ref(),
        dir.join("rtsp_transcript.txt").as_os_str(),
        s2c.as_os_str(),
    ]);
    let (frames, aac_aus) = frames_per_channel(&std::fs::read(&s2c).unwrap(), 2);
    // The corpus summary: 356 RTP packets on channels 0 and 2, 2 RTCP on 1 and 3.
    assert_eq!(frames[&0] + frames[&2], 356);
    assert_eq!(frames[&1] + frames[&3], 2);

    let streams = by_channel(&text, "rtp_stream");
    assert_eq!(
        streams.keys().copied().collect::<Vec<_>>(),
        [0, 2],
        "{text}"
    );
    for (ch, line) in &streams {
        assert_eq!(num(line, "packets"), frames[&(*ch as u8)], "{line}");
        assert_eq!(num(line, "lost"), 0, "{line}");
        assert_eq!(num(line, "duplicates"), 0, "{line}");
        num(line, "ssrc");
        num(line, "payload_type");
        num(line, "jitter");
    }
    assert_eq!(num(streams[&0], "payload_type"), 96);
    assert_eq!(num(streams[&2], "payload_type"), 97);

    let rtcp = by_channel(&text, "rtcp");
    assert_eq!(rtcp.values().map(|l| num(l, "compounds")).sum::<i64>(), 2);
    assert!(rtcp.values().all(|l| num(l, "sr") == 1), "{rtcp:?}");

    let tracks = by_channel(&text, "track");
    assert_eq!(tracks.len(), 2, "{text}");
    let video = tracks[&0];
    assert_eq!(field(video, "encoding"), Some("H264"));
    assert_eq!(num(video, "frames"), 46);
    assert_eq!(num(video, "keyframes"), 4);
    let audio = tracks[&2];
    assert!(
        matches!(field(audio, "encoding"), Some("MPEG4-GENERIC" | "AAC")),
        "{audio}"
    );
    assert_eq!(num(audio, "frames"), aac_aus);
    assert_eq!(aac_aus, 131);

    // The SDP's media are reported, with control URLs resolved against Content-Base.
    assert!(text
        .lines()
        .any(|l| l.starts_with(r#"{"type":"sdp_media","#)
            && field(l, "control") == Some("rtsp://127.0.0.1:8554/av/stream=0")));
    // Each `$` frame line says what it decoded to.
    assert!(text
        .lines()
        .any(|l| l.contains(r#""type":"data","#) && l.contains(r#""rtp":{"payload_type":96,"#)));
}

fn bunny_files() -> Vec<PathBuf> {
    let cams = common::data_dir().join("cameras");
    [
        "bunny_describe.txt",
        "bunny_setup.txt",
        "bunny_play.txt",
        "bunny_session.rtsp",
    ]
    .iter()
    .map(|f| cams.join(f))
    .collect()
}

/// Responses only: the one SETUP (`interleaved=0-1`) maps to the first media (AAC); the
/// H.264 media, never set up, falls back to channels 2-3.
#[test]
fn bunny_session_from_responses_only() {
    let files = bunny_files();
    let mut args: Vec<&std::ffi::OsStr> = vec!["--json".as_ref()];
    args.extend(files.iter().map(|f| f.as_os_str()));
    let text = run_ok(&args);
    let tracks = by_channel(&text, "track");
    assert_eq!(tracks.keys().copied().collect::<Vec<_>>(), [0, 2], "{text}");
    assert_eq!(field(tracks[&0], "encoding"), Some("MPEG4-GENERIC"));
    assert_eq!(num(tracks[&0], "frames"), 120);
    assert_eq!(field(tracks[&2], "encoding"), Some("H264"));
    assert_eq!(num(tracks[&2], "frames"), 245);
    assert_eq!(num(tracks[&2], "keyframes"), 6);
    let streams = by_channel(&text, "rtp_stream");
    assert_eq!(num(streams[&0], "clock_rate"), 12_000);
    assert_eq!(num(streams[&2], "clock_rate"), 90_000);

    // The human summary ends the plain output.
    let human = run_ok(&files.iter().map(|f| f.as_os_str()).collect::<Vec<_>>());
    let summary = &human[human.find("\nRTP streams:").expect("summary")..];
    assert!(summary.contains("Tracks:"), "{summary}");
    assert!(
        summary
            .lines()
            .any(|l| l.contains(" H264 ") && l.contains(" 245 ")),
        "{summary}"
    );
}

#[test]
fn extract_writes_streams_ffmpeg_reads() {
    let dir = std::env::temp_dir().join(format!("inspect-extract-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let files = bunny_files();
    let mut args: Vec<&std::ffi::OsStr> = vec!["--json".as_ref(), "--extract".as_ref()];
    args.push(dir.as_os_str());
    args.extend(files.iter().map(|f| f.as_os_str()));
    let text = run_ok(&args);
    let h264 = dir.join("track1_h264.h264");
    let aac = dir.join("track0_aac.aac");
    assert!(h264.exists() && aac.exists(), "{text}");
    let extracts = by_channel(&text, "extract");
    assert_eq!(field(extracts[&2], "path"), h264.to_str());
    assert_eq!(num(extracts[&2], "frames"), 245);
    assert_eq!(num(extracts[&0], "frames"), 120);

    if common::peers::require("inspect extract", &["ffprobe"]) {
        let out = Command::new("ffprobe")
            .args(["-v", "error", "-f", "h264", "-count_frames"])
            .args([
                "-select_streams",
                "v:0",
                "-show_entries",
                "stream=nb_read_frames",
            ])
            .args(["-of", "csv=p=0"])
            .arg(&h264)
            .output()
            .unwrap();
        let counted = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            counted.trim(),
            "245",
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sdp_only_camera_response() {
    let file = common::data_dir().join("cameras/hikvision_describe.txt");
    let text = run_ok(&[file.as_os_str()]);
    assert!(
        text.contains("SDP media 0: video H264/90000 pt 96"),
        "{text}"
    );
    assert!(
        text.contains(
            "control: rtsp://192.168.5.106:554/Streaming/Channels/101/trackID=1?transportmode=unicast&profile=Profile_1"
        ),
        "{text}"
    );
    assert!(text.contains("SDP media 1: application vnd.onvif.metadata/90000"));
    // No `$` frames: no summary table.
    assert!(!text.contains("RTP streams:"));
}

#[test]
fn undecodable_rtp_is_counted_not_fatal() {
    let dir = std::env::temp_dir().join(format!("inspect-badrtp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad_rtp.bin");
    // Three bytes on channel 0 (too short for RTP), then one valid RTP packet.
    let mut bytes = b"$\x00\x00\x03abc$\x00\x00\x0c".to_vec();
    bytes.extend_from_slice(&[0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7]);
    std::fs::write(&file, &bytes).unwrap();
    let text = run_ok(&["--json".as_ref(), file.as_os_str()]);
    let bad = by_channel(&text, "undecodable_frames");
    assert_eq!(num(bad[&0], "count"), 1, "{text}");
    assert_eq!(num(by_channel(&text, "rtp_stream")[&0], "packets"), 1);
    let human = run_ok(&[file.as_os_str()]);
    assert!(human.contains("1 undecodable frames"), "{human}");
    std::fs::remove_dir_all(&dir).unwrap();
}
