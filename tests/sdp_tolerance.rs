//! What real devices send that RFC 8866 does not allow, one test per quirk (QUIRKS.md §3.2),
//! and the SDP layer's errors and limits.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use rtsp_proto::message::{HeaderName, HeaderValue, Response, StatusCode};
use rtsp_proto::sdp::{
    BadMediaPolicy, DiagnosticKind, Limits, MediaKind, ParseOptions, PayloadType, Presentation,
    RepairPolicy, SdpError, Url,
};

fn base() -> Url {
    Url::parse("rtsp://192.168.1.2/live/").unwrap()
}

fn parse(text: &str) -> Presentation {
    Presentation::parse(text.as_bytes(), &base()).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn kinds(p: &Presentation) -> Vec<DiagnosticKind> {
    p.diagnostics.iter().map(|d| d.kind.clone()).collect()
}

const MEDIA: &str = "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=0\r\n";

fn one_h264(p: &Presentation) {
    assert_eq!(p.media.len(), 1, "{:?}", p.diagnostics);
    assert_eq!(p.media[0].encoding_name(), Some("H264"));
    assert_eq!(
        p.media[0].control.as_ref().unwrap().as_str(),
        "rtsp://192.168.1.2/live/trackID=0"
    );
}

#[test]
fn missing_version() {
    let p = parse(&format!(
        "o=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nt=0 0\r\n{MEDIA}"
    ));
    one_h264(&p);
    assert!(kinds(&p).contains(&DiagnosticKind::MissingVersion));
    assert!(p.origin.is_some());
}

#[test]
fn missing_origin_v380() {
    // "macro-video rtsp server" (V380): no o= line.
    let p = parse(&format!(
        "v=0\r\ns=streamed by the macro-video rtsp server\r\nt=0 0\r\na=control:*\r\na=range:npt=0-\r\n{MEDIA}"
    ));
    one_h264(&p);
    assert_eq!(p.origin, None);
    assert!(p.diagnostics.is_empty(), "sdp-types accepts it as is");
}

#[test]
fn malformed_origins_are_dropped() {
    for o in [
        "o=- 1001 1 IN ",                                    // Uniview IPC2125LE
        "o=- 1700166548 1700166549 IN IP4",                  // no address
        "o=JefferyZhang Inno Fuzhou 0 0 IN IP4 192.168.1.2", // five-token user name
        "o=- 1 -1 IN IP4 1.2.3.4",                           // negative version
        "o=- 1 1.5 IN IP4 1.2.3.4",                          // decimal version
    ] {
        let p = parse(&format!("v=0\r\n{o}\r\ns=x\r\nt=0 0\r\n{MEDIA}"));
        one_h264(&p);
        assert_eq!(p.origin, None, "{o}");
        assert!(
            matches!(
                p.diagnostics.last().unwrap().kind,
                DiagnosticKind::DroppedLine { key: 'o', .. }
            ),
            "{o}: {:?}",
            p.diagnostics
        );
        assert_eq!(p.diagnostics.last().unwrap().line, Some(2));
    }
}

#[test]
fn origin_with_ip_instead_of_in_is_kept() {
    // Verint: "IP" for the network type is a valid token, so sdp-types keeps it.
    let p = parse(&format!("v=0\r\no=- 1 1 IP IP4 1.2.3.4\r\ns=x\r\n{MEDIA}"));
    one_h264(&p);
    assert_eq!(p.origin.unwrap().address, "1.2.3.4");
    // A hex session id (gortsplib issues 60, 112) is kept as written.
    let p = parse(&format!(
        "v=0\r\no=- 3a8f 1 IN IP4 1.2.3.4\r\ns=x\r\n{MEDIA}"
    ));
    assert_eq!(p.origin.unwrap().session_id, "3a8f");
}

#[test]
fn missing_time_and_media_before_time_geovision() {
    let p = parse(&format!(
        "v=0\r\no=- 1001 1 IN IP4 192.168.5.237\r\ns=VCP IPC Realtime stream\r\n{MEDIA}"
    ));
    one_h264(&p);
    assert!(p.times.is_empty());
    let p = parse(&format!("v=0\r\ns=x\r\n{MEDIA}t=0 0\r\n"));
    one_h264(&p);
    // t=now- (FLIR) is dropped.
    let p = parse(&format!("v=0\r\ns=x\r\nt=now-\r\n{MEDIA}"));
    one_h264(&p);
    assert!(matches!(
        kinds(&p).last(),
        Some(DiagnosticKind::DroppedLine { key: 't', .. })
    ));
}

#[test]
fn missing_and_bare_connection() {
    let p = parse(&format!("v=0\r\ns=x\r\nt=0 0\r\n{MEDIA}"));
    one_h264(&p);
    assert_eq!(p.media[0].connection, None);
    // GeoVision/Uniview "VCP IPC Realtime stream": bare c=IN.
    for c in ["c=IN", "c=IN 192.168.4.27", "c=IN c=IN IP4 1.2.3.4"] {
        let p = parse(&format!("v=0\r\ns=x\r\n{c}\r\nt=0 0\r\n{MEDIA}"));
        one_h264(&p);
        assert_eq!(p.connection, None, "{c}");
        assert!(matches!(
            kinds(&p).last(),
            Some(DiagnosticKind::DroppedLine { key: 'c', .. })
        ));
    }
    // In a media section too.
    let p = parse(&format!("v=0\r\ns=x\r\nt=0 0\r\n{MEDIA}c=IN\r\n"));
    one_h264(&p);
}

#[test]
fn multicast_connection() {
    let p = parse(&format!(
        "v=0\r\ns=x\r\nc=IN IP4 224.2.17.12/127\r\nt=0 0\r\n{MEDIA}"
    ));
    let c = p.media[0].connection.as_ref().unwrap();
    assert!(c.is_multicast() && p.media[0].is_multicast());
    assert_eq!(
        (c.ttl, c.ip.unwrap().to_string().as_str()),
        (Some(127), "224.2.17.12")
    );
    let p = parse(&format!(
        "v=0\r\ns=x\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n{MEDIA}"
    ));
    assert!(!p.media[0].is_multicast());
}

#[test]
fn e_none_in_odd_places_anjvision() {
    let p = parse(&format!(
        "v=0\r\no=- 1 1 IN IP4 x.y.z.w\r\ns=x\r\ne=NONE\r\nc=IN IP4 0.0.0.0\r\na=tool:LIVE555\r\nt=0 0\r\n{MEDIA}e=NONE\r\n"
    ));
    one_h264(&p);
}

#[test]
fn control_before_other_attributes_reolink() {
    let p = parse(
        "v=0\r\ns=x\r\nt=0 0\r\na=control:*\r\nm=video 0 RTP/AVP 96\r\na=control:trackID=0\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\n",
    );
    one_h264(&p);
    assert_eq!(
        p.media[0].fmtp().unwrap().get("packetization-mode"),
        Some("1")
    );
}

#[test]
fn bare_lf_and_trailing_spaces() {
    let p = parse("v=0 \no=- 1 1 IN IP4 1.2.3.4 \ns=x \nt=0 0 \nm=video 0 RTP/AVP 96 \na=rtpmap:96 H264/90000 \na=control:trackID=0 \n");
    one_h264(&p);
    assert!(kinds(&p).contains(&DiagnosticKind::Normalized));
    // Bare LF alone needs no repair.
    let p = parse(
        "v=0\ns=x\nt=0 0\nm=video 0 RTP/AVP 96\na=rtpmap:96 H264/90000\na=control:trackID=0\n",
    );
    one_h264(&p);
    assert!(p.diagnostics.is_empty());
    assert_eq!(p.media[0].line, 4);
    // Nor do lone CRs after normalisation.
    let p = parse("v=0\rs=x\rm=video 0 RTP/AVP 96\ra=rtpmap:96 H264/90000\ra=control:trackID=0\r");
    one_h264(&p);
}

#[test]
fn tab_at_end_of_m_line_vstarcam() {
    let p = parse("v=0\r\ns=x\r\nt=0 0\r\nm=audio 0 RTP/AVP 8\t \r\na=control:track1\r\n");
    assert_eq!(p.media[0].encoding_name(), Some("PCMA"));
    assert_eq!(p.media[0].payload_type(), Some(PayloadType(8)));
}

#[test]
fn unparseable_extra_media_tp_link_is_skipped() {
    let text = format!(
        "v=0\r\ns=x\r\nt=0 0\r\n{MEDIA}m=application/TP-LINK 0 RTP/AVP smart/1/90000\r\na=rtpmap:95 TP-LINK/90000\r\na=control:track3\r\n"
    );
    let p = parse(&text);
    one_h264(&p);
    assert!(kinds(&p).contains(&DiagnosticKind::SkippedMedia {
        what: "payload type"
    }));
    let skipped = p
        .diagnostics
        .iter()
        .find(|d| matches!(d.kind, DiagnosticKind::SkippedMedia { .. }))
        .unwrap();
    assert_eq!(skipped.line, Some(7));

    let mut opts = ParseOptions::default();
    opts.bad_media = BadMediaPolicy::Fail;
    assert_eq!(
        Presentation::parse_with(text.as_bytes(), &base(), &opts).unwrap_err(),
        SdpError::Syntax {
            line: 7,
            what: "payload type"
        }
    );
}

#[test]
fn unparseable_m_line_is_skipped_with_its_section() {
    let p = parse(&format!(
        "v=0\r\ns=x\r\nt=0 0\r\nm=audio\r\na=rtpmap:0 PCMU/8000\r\n{MEDIA}"
    ));
    one_h264(&p);
    assert!(kinds(&p).contains(&DiagnosticKind::SkippedMedia { what: "m= line" }));
}

#[test]
fn negative_port_becomes_zero() {
    // Tuya / Symynelec C5 (go2rtc issue 2316).
    let p = parse("v=0\r\ns=x\r\nm=video -1353744643 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=0\r\n");
    one_h264(&p);
    assert_eq!(p.media[0].port, 0);
    assert!(kinds(&p).contains(&DiagnosticKind::MediaPortReplaced));
}

#[test]
fn body_of_only_media_lines() {
    let p = parse(MEDIA);
    one_h264(&p);
    let p = parse("m=video 0 RTP/AVP 26\r\nm=audio 0 RTP/AVP 0\r\n");
    assert_eq!(p.media.len(), 2);
    assert_eq!(p.media[0].encoding_name(), Some("JPEG"));
    assert_eq!(p.media[1].encoding_name(), Some("PCMU"));
    // Two media without a=control: neither has a control URL.
    assert!(p.media.iter().all(|m| m.control.is_none()));
    assert!(kinds(&p).contains(&DiagnosticKind::MissingControl));
}

#[test]
fn single_media_without_control_uses_base() {
    let p = parse("v=0\r\ns=x\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n");
    assert_eq!(p.media[0].control.as_ref(), Some(&base()));
    assert_eq!(p.control, None);
    assert_eq!(p.aggregate_url(), &base());
}

#[test]
fn fmtp_leniency() {
    let p = parse(
        "v=0\r\ns=x\r\nm=video 0 RTP/AVP 96 97 98\r\n\
         a=rtpmap:96 H264/90000\r\na=rtpmap:97 H264/90000\r\na=rtpmap:98 H265/90000\r\n\
         a=fmtp:96\r\n\
         a=fmtp:97 profile-level-id=4d4032; packetization-mode=1; sprop-parameter-sets=Z01AMpWgCoAwfiZuAgICgAAB9AAAdTBC,aO48gA==;\r\n\
         a=fmtp:98 Sprop-VPS=QAEM==;;key only; =orphan\r\n",
    );
    let m = &p.media[0];
    assert_eq!(m.formats.len(), 3);
    // Ubiquiti: empty fmtp.
    assert!(m.format_of(PayloadType(96)).unwrap().fmtp.is_empty());
    // GeoVision: spaces after ';', trailing ';', '=' inside base64.
    let f = &m.format_of(PayloadType(97)).unwrap().fmtp;
    assert_eq!(f.len(), 3);
    assert_eq!(
        f.get("SPROP-PARAMETER-SETS"),
        Some("Z01AMpWgCoAwfiZuAgICgAAB9AAAdTBC,aO48gA==")
    );
    // Case kept, looked up case-insensitively; a key with a space or no key is dropped.
    let f = &m.format_of(PayloadType(98)).unwrap().fmtp;
    assert_eq!(f.params, [("Sprop-VPS".to_owned(), "QAEM==".to_owned())]);
    assert_eq!(f.get("sprop-vps"), Some("QAEM=="));
    assert!(kinds(&p).contains(&DiagnosticKind::DroppedFmtpParam));
}

#[test]
fn rtpmap_leniency_and_static_table() {
    let p = parse(
        "v=0\r\ns=x\r\nm=audio 0 RTP/AVP 97 0 8 14 10 11 26 3\r\n\
         a=rtpmap:97   L16/16000/2  \r\na=rtpmap:3 GSM/0\r\n",
    );
    let m = &p.media[0];
    let r = |pt| {
        let f = m.format_of(PayloadType(pt)).unwrap();
        let r = f.rtpmap.as_ref().unwrap();
        (r.encoding_name.as_str(), r.clock_rate, r.channels)
    };
    assert_eq!(r(97), ("L16", 16000, Some(2)));
    assert_eq!(r(0), ("PCMU", 8000, Some(1)));
    assert_eq!(r(8), ("PCMA", 8000, Some(1)));
    assert_eq!(r(14), ("MPA", 90000, None));
    assert_eq!(r(10), ("L16", 44100, Some(2)));
    assert_eq!(r(11), ("L16", 44100, Some(1)));
    assert_eq!(r(26), ("JPEG", 90000, None));
    // A clock rate of 0 is refused; the static table is used instead.
    assert_eq!(r(3), ("GSM", 8000, Some(1)));
    assert!(kinds(&p).contains(&DiagnosticKind::BadAttribute { name: "rtpmap" }));
}

#[test]
fn dynamic_payload_without_rtpmap_has_none() {
    let p = parse("v=0\r\ns=x\r\nm=video 0 RTP/AVP 96\r\n");
    assert_eq!(p.media[0].rtpmap(), None);
}

#[test]
fn session_and_media_attributes() {
    let p = parse(
        "v=0\r\ns=x\r\nb=AS:5050\r\na=recvonly\r\na=range:npt=0-30.5\r\nm=video 0 RTP/AVPF 96\r\n\
         b=AS:5000\r\nb=TIAS:4000000\r\na=rtpmap:96 VP8/90000\r\na=ssrc:305419896 cname:cam@h\r\n\
         a=rtcp-mux\r\na=framerate:29.97\r\na=range:clock=19961108T142300Z-\r\n",
    );
    assert_eq!(p.bandwidth_as(), Some(5050));
    let m = &p.media[0];
    assert_eq!(m.proto, "RTP/AVPF");
    assert_eq!(m.bandwidth_as(), Some(5000));
    assert_eq!(m.bandwidths[1].modifier, "TIAS");
    assert_eq!(m.ssrc, Some(rtsp_proto::Ssrc(0x1234_5678)));
    assert_eq!(m.cname.as_deref(), Some("cam@h"));
    assert!(m.rtcp_mux);
    assert_eq!(m.framerate, Some(29.97));
    assert_eq!(m.direction, Some(rtsp_proto::sdp::Direction::RecvOnly));
    assert!(m.range.is_some());
    assert!(p.range.is_some());
}

#[test]
fn unknown_media_kind_and_bad_range() {
    let p = parse("v=0\r\ns=x\r\na=range:bogus range\r\nm=data 0 RTP/AVP 96\r\n");
    assert_eq!(p.media[0].kind, MediaKind::Other("data".to_owned()));
    assert_eq!(p.range, None);
    assert!(kinds(&p).contains(&DiagnosticKind::BadAttribute { name: "range" }));
}

#[test]
fn invalid_utf8_is_replaced() {
    let mut body = b"v=0\r\ns=\xc9\xe3\xcf\xf1\xcd\xb7\r\n".to_vec();
    body.extend_from_slice(MEDIA.as_bytes());
    let p = Presentation::parse(&body, &base()).unwrap();
    one_h264(&p);
    assert!(p.session_name.contains('\u{fffd}'));
}

#[test]
fn errors() {
    let b = base();
    assert_eq!(
        Presentation::parse(b"v=1\r\nm=video 0 RTP/AVP 96\r\n", &b).unwrap_err(),
        SdpError::Version { line: 1 }
    );
    let mut opts = ParseOptions::default();
    opts.repair = RepairPolicy::Strict;
    assert_eq!(
        Presentation::parse_with(b"v=0\r\nc=IN\r\n", &b, &opts).unwrap_err(),
        SdpError::Syntax {
            line: 2,
            what: "Connection addrtype"
        }
    );
    let mut opts = ParseOptions::default();
    opts.limits.max_len = 10;
    assert_eq!(
        Presentation::parse_with(MEDIA.as_bytes(), &b, &opts).unwrap_err(),
        SdpError::TooLarge {
            len: MEDIA.len(),
            limit: 10
        }
    );
    let garbage = "x\n".repeat(100);
    assert_eq!(
        Presentation::parse(garbage.as_bytes(), &b).unwrap_err(),
        SdpError::TooManyRepairs { limit: 32 }
    );
}

#[test]
fn media_limit() {
    let text = format!("v=0\r\n{}", "m=audio 0 RTP/AVP 0\r\n".repeat(20));
    let p = parse(&text);
    assert_eq!(p.media.len(), Limits::default().max_media);
    assert!(kinds(&p).contains(&DiagnosticKind::SkippedMedia {
        what: "media limit"
    }));
}

#[test]
fn fmtp_param_limit() {
    let params: Vec<String> = (0..100).map(|i| format!("k{i}=v")).collect();
    let p = parse(&format!(
        "v=0\r\nm=video 0 RTP/AVP 96\r\na=fmtp:96 {}\r\n",
        params.join(";")
    ));
    assert_eq!(p.media[0].fmtp().unwrap().len(), 64);
}

fn response(
    status: StatusCode,
    headers: &[(HeaderName, &'static str)],
    body: &'static [u8],
) -> Response {
    let mut b = Response::builder(status);
    for (n, v) in headers {
        b = b.header(n.clone(), HeaderValue::from_static(v));
    }
    b.body(body).build()
}

#[test]
fn describe_response_checks() {
    let req = Url::parse("rtsp://h/s").unwrap();
    let body = b"v=0\r\nm=video 0 RTP/AVP 26\r\n";
    let r = response(StatusCode::UNAUTHORIZED, &[], body);
    assert_eq!(
        Presentation::from_describe(&req, &r).unwrap_err(),
        SdpError::Status {
            status: StatusCode::UNAUTHORIZED
        }
    );
    let r = response(
        StatusCode::OK,
        &[(HeaderName::CONTENT_TYPE, "text/plain")],
        body,
    );
    assert_eq!(
        Presentation::from_describe(&req, &r).unwrap_err(),
        SdpError::NotSdp
    );
    let r = response(StatusCode::OK, &[], b"");
    assert_eq!(
        Presentation::from_describe(&req, &r).unwrap_err(),
        SdpError::EmptyBody
    );
    // No Content-Type: read as SDP; Content-Location is the base without Content-Base.
    let r = response(
        StatusCode::OK,
        &[(HeaderName::CONTENT_LOCATION, "rtsp://h/loc/")],
        b"v=0\r\nm=video 0 RTP/AVP 26\r\na=control:trackID=0\r\n",
    );
    let p = Presentation::from_describe(&req, &r).unwrap();
    assert_eq!(
        p.media[0].control.as_ref().unwrap().as_str(),
        "rtsp://h/loc/trackID=0"
    );
}

#[test]
fn absolute_control_with_other_host_is_kept() {
    let p = parse(
        "v=0\r\ns=x\r\nm=video 0 RTP/AVP 105\r\na=control:rtsp://192.168.5.237/media/video1/video\r\na=rtpmap:105 H264/90000\r\n",
    );
    assert_eq!(
        p.media[0].control.as_ref().unwrap().as_str(),
        "rtsp://192.168.5.237/media/video1/video"
    );
}
