//! Property tests of the SDP layer: build → parse round trips for arbitrary stream lists,
//! and no panic (and a faithful rebuild) for arbitrary input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../fuzz/checks_sdp.rs"]
mod checks_sdp;

use proptest::prelude::*;
use rtsp_proto::sdp::{
    Fmtp, Format, MediaKind, PayloadType, Presentation, PresentationBuilder, RtpMap, Stream,
    StreamControl, Url,
};
use std::net::{IpAddr, Ipv4Addr};

fn kind() -> impl Strategy<Value = MediaKind> {
    prop_oneof![
        Just(MediaKind::Video),
        Just(MediaKind::Audio),
        Just(MediaKind::Application),
        Just(MediaKind::Text),
        "x-[a-z]{1,8}".prop_map(MediaKind::Other),
    ]
}

fn format(pt: u8) -> impl Strategy<Value = Format> {
    let rtpmap = prop::option::of(
        (
            "[A-Za-z][A-Za-z0-9.-]{0,15}",
            1u32..=200_000,
            prop::option::of(1u16..=8),
        )
            .prop_map(|(encoding_name, clock_rate, channels)| RtpMap {
                encoding_name,
                clock_rate,
                channels,
            }),
    );
    let fmtp = prop::collection::vec(
        (
            "[a-zA-Z][a-zA-Z0-9-]{0,12}",
            "([A-Za-z0-9+/=,.-]([A-Za-z0-9+/=,. -]{0,18}[A-Za-z0-9+/=,.-])?)?",
        ),
        0..6,
    );
    (rtpmap, fmtp).prop_map(move |(rtpmap, params)| Format {
        payload_type: PayloadType(pt),
        // A dynamic payload type may lack an rtpmap; a static one read back without one
        // gets the table's, so give static ones an rtpmap always.
        rtpmap: if pt >= 96 || rtpmap.is_some() {
            rtpmap
        } else {
            Some(RtpMap {
                encoding_name: "X".to_owned(),
                clock_rate: 8000,
                channels: None,
            })
        },
        rtpmap_from_static_table: false,
        fmtp: Fmtp { params },
    })
}

fn stream() -> impl Strategy<Value = Stream> {
    let pts = prop::collection::btree_set(0u8..=127, 1..4);
    let control = prop_oneof![
        Just(StreamControl::TrackId),
        "[a-zA-Z0-9=_.-]{1,20}".prop_map(StreamControl::Given),
        "rtsp://[a-z]{1,8}(:[0-9]{1,4})?/[a-z0-9/]{0,12}".prop_map(StreamControl::Given),
    ];
    let multicast = prop::option::of((224u8..=239, any::<u8>(), 1u8..=255));
    (
        kind(),
        pts,
        control,
        multicast,
        prop::option::of(0u64..100_000),
    )
        .prop_flat_map(|(kind, pts, control, multicast, bw)| {
            let formats: Vec<_> = pts.into_iter().map(format).collect();
            (formats, Just((kind, control, multicast, bw))).prop_map(
                |(formats, (kind, control, multicast, bw))| {
                    let first = formats[0].clone();
                    let mut s = Stream::new(kind, first.payload_type, "X", 1);
                    s.formats = formats;
                    s.control = control;
                    if let Some((a, b, ttl)) = multicast {
                        s = s.multicast(IpAddr::V4(Ipv4Addr::new(a, 0, b, 1)), ttl);
                    }
                    if let Some(bw) = bw {
                        s = s.bandwidth_as(bw);
                    }
                    s
                },
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn build_then_parse_round_trips(
        streams in prop::collection::vec(stream(), 1..=16),
        id in any::<u64>(),
        version in any::<u64>(),
        name in "[ -~]{0,30}",
    ) {
        let mut b = PresentationBuilder::new(&name).origin(id, version, IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7)));
        for s in &streams {
            b = b.stream(s.clone());
        }
        let text = b.build().unwrap();
        prop_assert!(text.ends_with("\r\n"));
        prop_assert!(!text.replace("\r\n", "").contains('\n'));
        let base = Url::parse("rtsp://192.0.2.7:554/live/").unwrap();
        let p = Presentation::parse(text.as_bytes(), &base).unwrap();
        prop_assert!(p.diagnostics.iter().all(|d| matches!(d.kind, rtsp_proto::sdp::DiagnosticKind::MissingControl)), "{:?}", p.diagnostics);
        prop_assert_eq!(p.session_name.as_str(), name.as_str());
        let o = p.origin.as_ref().unwrap();
        prop_assert_eq!((o.session_id.clone(), o.session_version), (id.to_string(), version));
        prop_assert_eq!(p.control.as_ref(), Some(&base));
        prop_assert_eq!(p.media.len(), streams.len());
        for (i, (m, s)) in p.media.iter().zip(&streams).enumerate() {
            prop_assert_eq!(&m.kind, &s.kind);
            prop_assert_eq!(m.formats.len(), s.formats.len());
            for (got, want) in m.formats.iter().zip(&s.formats) {
                prop_assert_eq!(got.payload_type, want.payload_type);
                if want.rtpmap.is_some() {
                    prop_assert_eq!(&got.rtpmap, &want.rtpmap);
                    prop_assert!(!got.rtpmap_from_static_table);
                }
                prop_assert_eq!(&got.fmtp, &want.fmtp);
            }
            let want_control = match &s.control {
                StreamControl::TrackId => Some(format!("trackID={i}")),
                StreamControl::Given(c) => Some(c.clone()),
                StreamControl::Omitted => None,
            };
            prop_assert_eq!(&m.control_attr, &want_control);
            prop_assert!(m.control.is_some());
            prop_assert_eq!(m.is_multicast(), s.connection.is_some());
            if let Some((ip, ttl)) = s.connection {
                let c = m.connection.as_ref().unwrap();
                prop_assert_eq!((c.ip, c.ttl), (Some(ip), ttl));
            }
            prop_assert_eq!(m.bandwidth_as(), s.bandwidth_as);
        }
        // And the text survives the fuzz check's rebuild.
        checks_sdp::sdp(text.as_bytes());
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..512)) {
        checks_sdp::sdp(&data);
    }

    #[test]
    fn sdp_like_line_soup_never_panics(lines in prop::collection::vec(sdp_line(), 0..40), crlf in any::<bool>()) {
        let sep = if crlf { "\r\n" } else { "\n" };
        let text = lines.join(sep);
        checks_sdp::sdp(text.as_bytes());
    }
}

/// Lines that look like SDP, valid or slightly off.
fn sdp_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("v=0".to_owned()),
        "v=[0-9 ]{0,3}",
        "o=[-a-z0-9 ]{0,30}",
        "s=[ -~]{0,10}",
        "c=(IN|IP|[ -~]{0,3})( IP[46])?( [0-9./: ]{0,20})?",
        "t=[0-9 now-]{0,12}",
        "b=[A-Z]{0,4}:[0-9-]{0,6}",
        "m=(video|audio|application|[a-z/]{0,8}) -?[0-9]{0,6}(/[0-9])? (RTP/AVP|[A-Z/]{0,8})( [0-9a-z/]{0,5}){0,4}",
        "a=rtpmap: ?[0-9]{1,3} +[A-Za-z0-9-]{0,8}(/[0-9 ]{0,6}){0,3}",
        "a=fmtp: ?[0-9]{1,3}( [a-z= ;0-9-]{0,30})?",
        "a=control:[ -~]{0,20}",
        "a=(range|framerate|ssrc|tool|recvonly|sendonly|rtcp-mux)(:[ -~]{0,20})?",
        "[a-z]=[ -~]{0,20}",
        "[ -~]{0,20}",
    ]
}
