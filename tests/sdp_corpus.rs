//! Every SDP of the interop corpus and every camera DESCRIBE response parses, with the
//! expected media, payload formats and control URLs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use bytes::BytesMut;
use rtsp_proto::header::TypedHeader;
use rtsp_proto::message::{Decoder, Message, Response};
use rtsp_proto::sdp::{Direction, MediaKind, PayloadType, Presentation, Url};
use std::path::Path;

/// `(kind, payload type, encoding, clock rate, channels, control attribute)`.
type Expect = (MediaKind, u8, &'static str, u32, Option<u16>, &'static str);

fn video(pt: u8, enc: &'static str, control: &'static str) -> Expect {
    (MediaKind::Video, pt, enc, 90_000, None, control)
}

fn check_media(p: &Presentation, want: &[Expect]) {
    assert_eq!(p.media.len(), want.len(), "{:#?}", p.media);
    for (m, (kind, pt, enc, rate, ch, control)) in p.media.iter().zip(want) {
        assert_eq!(&m.kind, kind);
        assert_eq!(m.payload_type(), Some(PayloadType(*pt)));
        assert_eq!(m.encoding_name(), Some(*enc));
        assert_eq!(m.clock_rate(), Some(*rate));
        assert_eq!(m.channels(), *ch);
        assert_eq!(m.control_attr.as_deref(), Some(*control));
    }
}

#[test]
fn interop_corpus_sdps_parse_with_expected_media() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sdp");
    let aac = || {
        (
            MediaKind::Audio,
            97,
            "MPEG4-GENERIC",
            44_100,
            Some(1),
            "stream=1",
        )
    };
    let pcmu = || (MediaKind::Audio, 0, "PCMU", 8000, None, "stream=0");
    let h264 = || video(96, "H264", "stream=0");
    let pub_av: &[Expect] = &[
        video(96, "H264", "streamid=0"),
        (
            MediaKind::Audio,
            97,
            "MPEG4-GENERIC",
            44_100,
            Some(1),
            "streamid=1",
        ),
    ];
    let cases: &[(&str, &[Expect])] = &[
        ("ffmpeg_tcp__gst_av", &[h264(), aac()]),
        ("ffmpeg_tcp__gst_h264", &[h264()]),
        ("ffmpeg_tcp__gst_mjpeg", &[video(26, "JPEG", "stream=0")]),
        ("ffmpeg_tcp__gst_pcmu", &[pcmu()]),
        ("ffmpeg_tcp__gst_secure_basic", &[h264()]),
        ("ffmpeg_tcp__gst_secure_digest", &[h264()]),
        ("ffmpeg_udp__gst_h264", &[h264()]),
        ("ffmpeg_udp__gst_h264_ipv6", &[h264()]),
        ("ffmpeg_udp__gst_pcmu", &[pcmu()]),
        ("ffmpegpub_tcp__ffmpeg_listen", pub_av),
        ("ffmpegpub_tcp__gst_record", pub_av),
        ("ffmpegpub_udp__ffmpeg_listen", pub_av),
        ("ffmpegpub_udp__gst_record", pub_av),
        ("gst2_tcp__gst_av", &[h264(), aac()]),
        ("gst_tcp__gst_av", &[h264(), aac()]),
        ("gst_tcp__gst_secure_digest", &[h264()]),
        ("gst_udp__gst_av", &[h264(), aac()]),
    ];
    let files = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "sdp")
        })
        .count();
    assert_eq!(files, cases.len(), "every corpus SDP has an expectation");
    let base = Url::parse("rtsp://127.0.0.1:8554/av/").unwrap();
    for (name, want) in cases {
        let body = std::fs::read(dir.join(format!("{name}.sdp"))).unwrap();
        let p = Presentation::parse(&body, &base).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(p.diagnostics.is_empty(), "{name}: {:?}", p.diagnostics);
        check_media(&p, want);
        let gst = !name.starts_with("ffmpegpub");
        if gst {
            assert_eq!(p.tool.as_deref(), Some("GStreamer"), "{name}");
            assert_eq!(p.control.as_ref(), Some(&base), "{name}");
            assert_eq!(p.range.as_ref().unwrap().to_value_string(), "npt=now-");
            assert!(p.media[0].ssrc.is_some(), "{name}");
            assert!(p.media[0].cname.as_deref().unwrap().starts_with("user"));
            assert_eq!(
                p.media[0].control.as_ref().unwrap().as_str(),
                "rtsp://127.0.0.1:8554/av/stream=0"
            );
        } else {
            assert_eq!(p.tool.as_deref(), Some("libavformat LIBAVFORMAT_VERSION"));
            assert_eq!(p.control, None);
            assert_eq!(p.media[0].bandwidth_as(), Some(300));
            assert_eq!(
                p.media[0].fmtp().unwrap().get("profile-level-id"),
                Some("42C00D"),
                "space after ';' in ffmpeg's fmtp"
            );
        }
    }
}

#[test]
fn ipv6_corpus_connection_and_origin() {
    let body = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sdp/ffmpeg_udp__gst_h264_ipv6.sdp"),
    )
    .unwrap();
    let base = Url::parse("rtsp://[::1]:8557/h264/").unwrap();
    let p = Presentation::parse(&body, &base).unwrap();
    assert_eq!(p.origin.as_ref().unwrap().address, "::1");
    let c = p.media[0].connection.as_ref().unwrap();
    assert_eq!((c.addrtype.as_str(), c.address.as_str()), ("IP6", "::"));
    assert!(!p.media[0].is_multicast());
    assert_eq!(
        p.media[0].control.as_ref().unwrap().as_str(),
        "rtsp://[::1]:8557/h264/stream=0"
    );
    assert_eq!(p.media[0].framerate, Some(15.0));
}

fn describe(file: &str) -> Response {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/cameras")
        .join(file);
    let mut buf = BytesMut::from(&std::fs::read(path).unwrap()[..]);
    match Decoder::new().decode(&mut buf).unwrap() {
        Some(Message::Response(r)) => r,
        other => panic!("{file}: {other:?}"),
    }
}

fn camera(file: &str, request: &str) -> Presentation {
    let resp = describe(file);
    Presentation::from_describe(&Url::parse(request).unwrap(), &resp)
        .unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn control(p: &Presentation, i: usize) -> &str {
    p.media[i].control.as_ref().unwrap().as_str()
}

#[test]
fn anjvision_schemeless_content_base_and_h265() {
    let p = camera("anjvision_describe.txt", "rtsp://192.168.1.10:554/stream0");
    assert_eq!(p.base_url.as_str(), "rtsp://192.168.1.10:554/stream0/");
    assert_eq!(
        p.aggregate_url().as_str(),
        "rtsp://192.168.1.10:554/stream0/"
    );
    assert_eq!(p.media.len(), 1);
    let v = &p.media[0];
    assert_eq!(v.kind, MediaKind::Video);
    assert_eq!(
        (v.encoding_name(), v.clock_rate()),
        (Some("H265"), Some(90_000))
    );
    assert_eq!(control(&p, 0), "rtsp://192.168.1.10:554/stream0/trackID=1");
    assert_eq!(
        v.fmtp().unwrap().get("sprop-vps"),
        Some("QAEMAf//AUAAAAMAAAMAAAMAAAMAmawJ")
    );
    assert_eq!(v.framerate, Some(5.0), "a=x-framerate: 5");
    assert_eq!(p.live555_version(), Some((2011, 5, 25)));
    // The origin's address is the literal "x.y.z.w".
    assert_eq!(p.origin.as_ref().unwrap().address, "x.y.z.w");
}

#[test]
fn bunny_wowza_aac_and_h264() {
    let p = camera(
        "bunny_describe.txt",
        "rtsp://wowzaec2demo.streamlock.net/vod/mp4:BigBuckBunny_115k.mov",
    );
    let base = "rtsp://wowzaec2demo.streamlock.net/vod/mp4:BigBuckBunny_115k.mov/";
    assert_eq!(p.aggregate_url().as_str(), base);
    assert_eq!(p.media.len(), 2);
    let a = &p.media[0];
    assert_eq!(a.kind, MediaKind::Audio);
    assert_eq!(
        (a.encoding_name(), a.clock_rate(), a.channels()),
        (Some("mpeg4-generic"), Some(12_000), Some(2))
    );
    assert_eq!(a.fmtp().unwrap().get("config"), Some("1490"));
    assert_eq!(control(&p, 0), format!("{base}trackID=1"));
    let v = &p.media[1];
    assert_eq!(
        (v.encoding_name(), v.clock_rate()),
        (Some("H264"), Some(90_000))
    );
    assert_eq!(control(&p, 1), format!("{base}trackID=2"));
    assert_eq!(v.framerate, Some(24.0));
    // "a=range:npt=0- 596.48", with a space.
    use rtsp_proto::header::{NptTime, RangeSpec, TimeRange};
    use std::time::Duration;
    assert_eq!(
        p.range.as_ref().unwrap().ranges,
        [RangeSpec::Npt(TimeRange::new(
            Some(NptTime::Time(Duration::ZERO)),
            Some(NptTime::Time(Duration::from_millis(596_480)))
        ))]
    );
}

#[test]
fn dahua_query_string_base_and_onvif_metadata() {
    let p = camera(
        "dahua_describe_h264_aac_onvif.txt",
        "rtsp://192.168.5.111:554/cam/realmonitor?channel=1&subtype=1&unicast=true&proto=Onvif",
    );
    let base =
        "rtsp://192.168.5.111:554/cam/realmonitor?channel=1&subtype=1&unicast=true&proto=Onvif/";
    assert_eq!(p.base_url.as_str(), base);
    assert_eq!(p.media.len(), 3);
    assert_eq!(p.media[0].encoding_name(), Some("H264"));
    assert_eq!(p.media[0].framerate, Some(15.0));
    assert_eq!(p.media[0].direction, Some(Direction::RecvOnly));
    assert_eq!(control(&p, 0), format!("{base}trackID=0"));
    let a = &p.media[1];
    assert_eq!(
        (a.encoding_name(), a.clock_rate()),
        (Some("MPEG4-GENERIC"), Some(48_000))
    );
    assert_eq!(control(&p, 1), format!("{base}trackID=1"));
    let m = &p.media[2];
    assert_eq!(m.kind, MediaKind::Application);
    assert_eq!(m.encoding_name(), Some("vnd.onvif.metadata"));
    assert_eq!(control(&p, 2), format!("{base}trackID=4"));
}

#[test]
fn foscam_static_pcmu_without_rtpmap() {
    let p = camera(
        "foscam_describe.txt",
        "rtsp://192.168.5.107:65534/videoMain",
    );
    assert_eq!(p.media.len(), 2);
    assert_eq!(p.media[0].encoding_name(), Some("H264"));
    assert_eq!(p.media[0].bandwidth_as(), Some(96));
    assert_eq!(
        control(&p, 0),
        "rtsp://192.168.5.107:65534/videoMain/track1"
    );
    let a = &p.media[1];
    assert_eq!(a.payload_type(), Some(PayloadType(0)));
    assert!(a.format().unwrap().rtpmap_from_static_table);
    assert_eq!(
        (a.encoding_name(), a.clock_rate(), a.channels()),
        (Some("PCMU"), Some(8000), Some(1))
    );
    assert_eq!(
        control(&p, 1),
        "rtsp://192.168.5.107:65534/videoMain/track2"
    );
    assert_eq!(p.live555_version(), Some((2014, 2, 10)));
    assert_eq!(p.session_info.as_deref(), Some("videoMain"));
}

#[test]
fn gw_security_main_query_base_and_pt8_named_pcmu() {
    let p = camera(
        "gw_main_describe.txt",
        "rtsp://192.168.1.110:5050/H264?channel=1&subtype=0&unicast=true&proto=Onvif",
    );
    let base = "rtsp://192.168.1.110:5050/H264?channel=1&subtype=0&unicast=true&proto=Onvif";
    assert_eq!(p.media.len(), 2);
    assert_eq!(p.media[0].encoding_name(), Some("H264"));
    assert_eq!(control(&p, 0), format!("{base}/video"));
    let a = &p.media[1];
    // The rtpmap says PCMU for static PT 8 (PCMA in RFC 3551): the rtpmap wins.
    assert_eq!(a.payload_type(), Some(PayloadType(8)));
    assert!(!a.format().unwrap().rtpmap_from_static_table);
    assert_eq!((a.encoding_name(), a.channels()), (Some("PCMU"), Some(1)));
    assert_eq!(a.fmtp().unwrap().get("vad"), Some("no"));
    assert_eq!(control(&p, 1), format!("{base}/audio"));
}

#[test]
fn gw_security_sub() {
    let p = camera(
        "gw_sub_describe.txt",
        "rtsp://192.168.1.110:5049/H264?channel=1&subtype=1&unicast=true&proto=Onvif",
    );
    assert_eq!(p.media.len(), 1);
    assert_eq!(p.media[0].clock_rate(), Some(90_000));
    assert_eq!(
        control(&p, 0),
        "rtsp://192.168.1.110:5049/H264?channel=1&subtype=1&unicast=true&proto=Onvif/video"
    );
}

#[test]
fn h264dvr_trailing_space_in_rtpmap_and_bad_framerate() {
    let p = camera("h264dvr_describe.txt", "rtsp://127.0.0.1:554/camera");
    assert_eq!(p.media.len(), 2);
    let v = &p.media[0];
    assert_eq!(
        (v.encoding_name(), v.clock_rate()),
        (Some("H264"), Some(90_000))
    );
    // "a=framerate:0S" is skipped, "a=framerate:25" used.
    assert_eq!(v.framerate, Some(25.0));
    // GeoVision-style spaces after ';'.
    assert_eq!(v.fmtp().unwrap().get("packetization-mode"), Some("1"));
    assert_eq!(control(&p, 0), "rtsp://127.0.0.1:554/camera/trackID=3");
    assert_eq!(p.media[1].encoding_name(), Some("PCMA"));
    assert_eq!(control(&p, 1), "rtsp://127.0.0.1:554/camera/trackID=4");
    assert_eq!(p.connection.as_ref().unwrap().address, "192.168.168.100");
}

#[test]
fn hikvision_absolute_controls() {
    let p = camera(
        "hikvision_describe.txt",
        "rtsp://192.168.5.106:554/Streaming/Channels/101",
    );
    assert_eq!(
        p.aggregate_url().as_str(),
        "rtsp://192.168.5.106:554/Streaming/Channels/101/?transportmode=unicast&profile=Profile_1"
    );
    assert_eq!(p.bandwidth_as(), Some(5050));
    assert_eq!(p.media.len(), 2);
    assert_eq!(p.media[0].encoding_name(), Some("H264"));
    assert_eq!(
        control(&p, 0),
        "rtsp://192.168.5.106:554/Streaming/Channels/101/trackID=1?transportmode=unicast&profile=Profile_1"
    );
    assert_eq!(p.media[1].encoding_name(), Some("vnd.onvif.metadata"));
    assert_eq!(
        control(&p, 1),
        "rtsp://192.168.5.106:554/Streaming/Channels/101/trackID=3?transportmode=unicast&profile=Profile_1"
    );
}

#[test]
fn ipcam_no_content_base_uses_request_url() {
    let p = camera("ipcam_describe.txt", "rtsp://192.168.1.67:554/live");
    assert_eq!(p.base_url.as_str(), "rtsp://192.168.1.67:554/live");
    assert_eq!(p.media.len(), 1);
    assert_eq!(p.media[0].encoding_name(), Some("H264"));
    assert_eq!(control(&p, 0), "rtsp://192.168.1.67:554/live/trackID=1");
}

#[test]
fn reolink_aac_with_trailing_semicolon() {
    let p = camera(
        "reolink_describe.txt",
        "rtsp://192.168.5.206/h264Preview_01_main",
    );
    assert_eq!(p.media.len(), 2);
    assert_eq!(p.media[0].encoding_name(), Some("H264"));
    assert_eq!(
        control(&p, 0),
        "rtsp://192.168.5.206/h264Preview_01_main/trackID=1"
    );
    let a = &p.media[1];
    assert_eq!(
        (a.encoding_name(), a.clock_rate(), a.channels()),
        (Some("MPEG4-GENERIC"), Some(16_000), None)
    );
    let f = a.fmtp().unwrap();
    assert_eq!(f.get("config"), Some("1408"));
    assert_eq!(
        f.get("profile"),
        Some("1"),
        "space after ';' and trailing ';'"
    );
    assert_eq!(f.len(), 8);
    assert_eq!(
        control(&p, 1),
        "rtsp://192.168.5.206/h264Preview_01_main/trackID=2"
    );
    assert_eq!(p.live555_version(), Some((2013, 4, 8)));
}

#[test]
fn every_camera_describe_parses() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cameras");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        if name.contains("_describe") {
            let p = camera(&name, "rtsp://192.0.2.1/x");
            assert!(!p.media.is_empty(), "{name}");
            for m in &p.media {
                assert!(m.control.is_some(), "{name}");
                assert!(m.rtpmap().is_some(), "{name}");
            }
            n += 1;
        }
    }
    assert_eq!(n, 10);
}
