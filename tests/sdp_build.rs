//! The server-side builder: exact output, misuse errors, and rebuilding a parsed camera
//! description.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use rtsp_proto::header::Range;
use rtsp_proto::sdp::{
    Direction, Format, MediaKind, PayloadType, Presentation, PresentationBuilder, SdpError, Stream,
    StreamControl, Url,
};
use std::net::IpAddr;
use std::time::Duration;

#[test]
fn exact_output() {
    let text = PresentationBuilder::new("Test stream")
        .origin(1_700_000_000, 2, "192.0.2.10".parse().unwrap())
        .tool("rtsp-proto")
        .stream(
            Stream::new(MediaKind::Video, PayloadType(96), "H264", 90_000)
                .fmtp("packetization-mode", "1")
                .fmtp("profile-level-id", "42c01f")
                .framerate(25.0)
                .bandwidth_as(2000),
        )
        .stream(
            Stream::new(MediaKind::Audio, PayloadType(97), "MPEG4-GENERIC", 48_000)
                .channels(2)
                .fmtp("config", "1190")
                .control(StreamControl::Given("audio".to_owned()))
                .multicast("239.1.2.3".parse().unwrap(), 16)
                .direction(Direction::SendOnly),
        )
        .build()
        .unwrap();
    assert_eq!(
        text,
        "v=0\r\n\
         o=- 1700000000 2 IN IP4 192.0.2.10\r\n\
         s=Test stream\r\n\
         c=IN IP4 0.0.0.0\r\n\
         t=0 0\r\n\
         a=tool:rtsp-proto\r\n\
         a=control:*\r\n\
         a=range:npt=now-\r\n\
         m=video 0 RTP/AVP 96\r\n\
         b=AS:2000\r\n\
         a=rtpmap:96 H264/90000\r\n\
         a=fmtp:96 packetization-mode=1;profile-level-id=42c01f\r\n\
         a=framerate:25\r\n\
         a=control:trackID=0\r\n\
         m=audio 0 RTP/AVP 97\r\n\
         c=IN IP4 239.1.2.3/16\r\n\
         a=rtpmap:97 MPEG4-GENERIC/48000/2\r\n\
         a=fmtp:97 config=1190\r\n\
         a=sendonly\r\n\
         a=control:audio\r\n"
    );
    let p = Presentation::parse(
        text.as_bytes(),
        &Url::parse("rtsp://192.0.2.10/live").unwrap(),
    )
    .unwrap();
    assert!(p.diagnostics.is_empty());
    assert_eq!(
        p.media[1].control.as_ref().unwrap().as_str(),
        "rtsp://192.0.2.10/live/audio"
    );
    assert!(p.media[1].is_multicast());
    assert_eq!(p.media[0].framerate, Some(25.0));
}

#[test]
fn given_range_ipv6_origin_and_extra_format() {
    let text = PresentationBuilder::new("vod")
        .origin(1, 1, "2001:db8::1".parse::<IpAddr>().unwrap())
        .range(Some(Range::npt_from(Duration::ZERO)))
        .stream(
            Stream::new(MediaKind::Audio, PayloadType(0), "PCMU", 8000)
                .format(Format::new(PayloadType(8), "PCMA", 8000))
                .control(StreamControl::Omitted),
        )
        .build()
        .unwrap();
    assert!(text.contains("o=- 1 1 IN IP6 2001:db8::1\r\ns=vod\r\nc=IN IP6 ::\r\n"));
    assert!(text.contains("a=range:npt=0-\r\n"));
    assert!(text.contains("m=audio 0 RTP/AVP 0 8\r\n"));
    assert!(!text.contains("trackID"));
    let base = Url::parse("rtsp://[2001:db8::1]/vod/").unwrap();
    let p = Presentation::parse(text.as_bytes(), &base).unwrap();
    assert_eq!(p.media[0].formats.len(), 2);
    assert_eq!(p.media[0].control.as_ref(), Some(&base));
}

#[test]
fn misuse_is_an_error() {
    let s = || Stream::new(MediaKind::Video, PayloadType(96), "H264", 90_000);
    let err = |b: PresentationBuilder| match b.build() {
        Err(SdpError::InvalidArgument { what }) => what,
        other => panic!("{other:?}"),
    };
    let b = PresentationBuilder::new("x");
    assert_eq!(
        err(b.clone().stream(s().fmtp("a;b", "1"))),
        "fmtp parameter"
    );
    assert_eq!(err(b.clone().stream(s().fmtp("k", "1;2"))), "fmtp value");
    assert_eq!(
        err(b
            .clone()
            .stream(Stream::new(MediaKind::Video, PayloadType(128), "H264", 1))),
        "payload type"
    );
    assert_eq!(
        err(b
            .clone()
            .stream(Stream::new(MediaKind::Video, PayloadType(96), "H 264", 1))),
        "encoding name"
    );
    assert_eq!(
        err(b
            .clone()
            .stream(Stream::new(MediaKind::Video, PayloadType(96), "H264", 0))),
        "rtpmap"
    );
    assert_eq!(
        err(b
            .clone()
            .stream(s().control(StreamControl::Given("a\r\nb".to_owned())))),
        "control"
    );
    assert_eq!(err(PresentationBuilder::new("a\nb")), "session name");
    assert_eq!(err(b.clone().stream(s().framerate(f64::NAN))), "framerate");
    let mut many = b.clone();
    for _ in 0..17 {
        many = many.stream(s());
    }
    assert_eq!(err(many), "number of streams");
    let mut empty = s();
    empty.formats.clear();
    assert_eq!(err(b.stream(empty)), "stream without payload type");
}

#[test]
fn camera_description_rebuilds() {
    let body = b"v=0\r\no=- 1109162014219182 1109162014219282 IN IP4 x.y.z.w\r\n\
s=Session streamed by \"H264Server\"\r\ne=NONE\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n\
a=range:npt=now-\r\na=control:*\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n\
a=control:video\r\na=fmtp:96 packetization-mode=1;profile-level-id=5046314\r\n\
m=audio 0 RTP/AVP 8\r\na=control:audio\r\na=rtpmap:8 PCMU/8000/1\r\na=ptime:20\r\n";
    let base = Url::parse("rtsp://192.168.1.110:5050/H264?channel=1&subtype=0").unwrap();
    let p = Presentation::parse(body, &base).unwrap();
    let text = PresentationBuilder::from_presentation(&p).build().unwrap();
    let q = Presentation::parse(text.as_bytes(), &base).unwrap();
    assert_eq!(q.session_name, p.session_name);
    assert_eq!(q.range, p.range);
    for (a, b) in p.media.iter().zip(&q.media) {
        assert_eq!(a.formats, b.formats);
        assert_eq!(a.control, b.control);
    }
}
