//! Property tests for the typed headers of `rtp_info`, `auth`, `lists`, `content` and
//! `misc`: any typed value formats to text that parses back to the same value, and no
//! input string makes a parser panic.

use proptest::prelude::*;
use rtsp_proto::header::*;
use rtsp_proto::Method;

/// An RFC 7826 `token`.
fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}"
}

/// Printable text as a header value may carry it (no control characters), including
/// quotes, separators, backslashes and non-ASCII.
fn text() -> impl Strategy<Value = String> {
    "([ -~]|é|€|\u{a0}|😀){0,16}"
}

fn ssrc() -> impl Strategy<Value = Ssrc> {
    any::<u32>().prop_map(Ssrc)
}

fn rtp_entry(ssrc_required: bool) -> impl Strategy<Value = RtpInfoEntry> {
    let ssrc = if ssrc_required {
        ssrc().prop_map(Some).boxed()
    } else {
        proptest::option::of(ssrc()).boxed()
    };
    (
        prop_oneof![
            "[A-Za-z0-9:/._?&=%@+-]{1,30}",
            text(),
            Just("trackID=1".to_owned())
        ],
        ssrc,
        proptest::option::of(any::<u16>()),
        proptest::option::of(any::<u32>()),
    )
        .prop_map(|(url, ssrc, seq, rtptime)| RtpInfoEntry {
            url,
            ssrc,
            seq,
            rtptime,
        })
}

fn rtp_info() -> impl Strategy<Value = RtpInfo> {
    prop_oneof![
        proptest::collection::vec(rtp_entry(false), 1..6).prop_map(|entries| RtpInfo {
            entries,
            form: RtpInfoForm::Rfc2326,
        }),
        // RFC 7826's grammar needs an SSRC in at least one entry to be recognised.
        (
            rtp_entry(true),
            proptest::collection::vec(rtp_entry(false), 0..5)
        )
            .prop_map(|(first, rest)| RtpInfo {
                entries: std::iter::once(first).chain(rest).collect(),
                form: RtpInfoForm::Rfc7826,
            }),
    ]
}

fn scheme() -> impl Strategy<Value = AuthScheme> {
    prop_oneof![
        Just(AuthScheme::Basic),
        Just(AuthScheme::Digest),
        token().prop_map(|t| AuthScheme::parse(&t)),
    ]
}

fn auth_data(allow_empty: bool) -> impl Strategy<Value = AuthData> {
    let min = usize::from(!allow_empty);
    prop_oneof![
        "[A-Za-z0-9._~+/-]{1,20}={0,2}".prop_map(AuthData::Token68),
        proptest::collection::vec((token(), text()), min..5).prop_map(AuthData::Params),
    ]
}

fn challenges() -> impl Strategy<Value = Vec<Challenge>> {
    proptest::collection::vec(
        (scheme(), auth_data(true)).prop_map(|(scheme, data)| Challenge { scheme, data }),
        1..4,
    )
}

fn credentials() -> impl Strategy<Value = Credentials> {
    (scheme(), auth_data(true)).prop_map(|(scheme, data)| Credentials { scheme, data })
}

fn method() -> impl Strategy<Value = Method> {
    token().prop_filter_map("method token", |t| Method::parse(t.as_bytes()).ok())
}

fn url() -> impl Strategy<Value = String> {
    "[!-;=?-~][!-~]{0,30}"
}

fn media_params() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec(
        (
            token().prop_filter("not q", |t| !t.eq_ignore_ascii_case("q")),
            text(),
        ),
        0..4,
    )
}

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_filter("finite", |v| v.is_finite()),
        (-1000i32..1000).prop_map(|n| f64::from(n) / 4.0),
    ]
}

fn non_negative() -> impl Strategy<Value = f64> {
    finite().prop_map(f64::abs)
}

fn media_property() -> impl Strategy<Value = MediaProperty> {
    prop_oneof![
        proptest::option::of(non_negative()).prop_map(MediaProperty::RandomAccess),
        Just(MediaProperty::BeginningOnly),
        Just(MediaProperty::NoSeeking),
        Just(MediaProperty::Immutable),
        Just(MediaProperty::Dynamic),
        Just(MediaProperty::TimeProgressing),
        Just(MediaProperty::Unlimited),
        text().prop_map(MediaProperty::TimeLimited),
        non_negative().prop_map(MediaProperty::TimeDuration),
        proptest::collection::vec(
            prop_oneof![
                finite().prop_map(ScaleEntry::Value),
                (finite(), finite()).prop_map(|(a, b)| ScaleEntry::Range(a, b)),
            ],
            1..6
        )
        .prop_map(MediaProperty::Scales),
        ("X-[A-Za-z0-9-]{0,8}", proptest::option::of(text()))
            .prop_map(|(name, value)| MediaProperty::Other { name, value }),
    ]
}

fn round_trip<H: TypedHeader + PartialEq + std::fmt::Debug>(h: &H) -> Result<(), TestCaseError> {
    let s = h.to_value_string();
    let back = H::parse(&s).map_err(|e| TestCaseError::fail(format!("{s:?}: {e}")))?;
    prop_assert_eq!(&back, h, "formatted as {:?}", s);
    Ok(())
}

proptest! {
    #[test]
    fn rtp_info_round_trip(h in rtp_info()) {
        round_trip(&h)?;
    }

    #[test]
    fn www_authenticate_round_trip(c in challenges()) {
        round_trip(&WwwAuthenticate(c.clone()))?;
        round_trip(&ProxyAuthenticate(c))?;
    }

    #[test]
    fn authorization_round_trip(c in credentials()) {
        round_trip(&Authorization(c.clone()))?;
        round_trip(&ProxyAuthorization(c))?;
    }

    #[test]
    fn method_lists_round_trip(m in proptest::collection::vec(method(), 0..20)) {
        round_trip(&Public(m.clone()))?;
        round_trip(&Allow(m))?;
    }

    #[test]
    fn feature_lists_round_trip(t in proptest::collection::vec(token(), 0..20)) {
        round_trip(&Require(t.clone()))?;
        round_trip(&ProxyRequire(t.clone()))?;
        round_trip(&Supported(t.clone()))?;
        round_trip(&ProxySupported(t.clone()))?;
        round_trip(&Unsupported(t))?;
    }

    #[test]
    fn accept_ranges_round_trip(t in proptest::collection::vec(token(), 0..10)) {
        round_trip(&AcceptRanges(t.iter().map(|t| RangeUnit::parse(t)).collect()))?;
    }

    #[test]
    fn url_headers_round_trip(u in url()) {
        round_trip(&ContentBase(u.clone()))?;
        round_trip(&ContentLocation(u.clone()))?;
        round_trip(&Location(u))?;
    }

    #[test]
    fn content_type_round_trip(t in token(), s in token(), params in media_params()) {
        round_trip(&ContentType { media_type: t, subtype: s, params })?;
    }

    #[test]
    fn accept_round_trip(
        ranges in proptest::collection::vec(
            (token(), token(), media_params(), proptest::option::of(0u16..=1000)),
            0..6,
        )
    ) {
        let h = Accept(
            ranges
                .into_iter()
                .map(|(media_type, subtype, params, q)| MediaRange {
                    media_type,
                    subtype,
                    params,
                    q: q.and_then(QValue::from_thousandths),
                })
                .collect(),
        );
        round_trip(&h)?;
    }

    #[test]
    fn scale_and_speed_round_trip(a in finite(), b in non_negative(), c in non_negative()) {
        round_trip(&Scale(a))?;
        round_trip(&Speed::Single(b))?;
        round_trip(&Speed::Range { lower: b, upper: c })?;
    }

    #[test]
    fn media_properties_round_trip(p in proptest::collection::vec(media_property(), 0..8)) {
        round_trip(&MediaProperties(p))?;
    }

    #[test]
    fn keywords_round_trip(t in token(), n in any::<u32>()) {
        round_trip(&SeekStyle::from_token(&t))?;
        round_trip(&NotifyReason::from_token(&t))?;
        round_trip(&PipelinedRequests(n))?;
    }

    #[test]
    fn parsers_never_panic(
        s in prop_oneof![
            any::<String>(),
            "([ -~]|é){0,120}",
            "(url=|\"|;|,| |ssrc=|:|seq=|rtptime=|[0-9A-F]{1,9}|Digest |Basic |realm=|=|\\\\|/|q=|-|\\.|[0-9]{1,30})*",
        ]
    ) {
        fn one<H: TypedHeader>(s: &str) {
            let _ = H::parse(s);
            let _ = H::parse_values([s, s].into_iter());
            if let Ok(h) = H::parse(s) {
                let _ = H::parse(&h.to_value_string());
            }
        }
        one::<RtpInfo>(&s);
        one::<WwwAuthenticate>(&s);
        one::<ProxyAuthenticate>(&s);
        one::<Authorization>(&s);
        one::<ProxyAuthorization>(&s);
        one::<Public>(&s);
        one::<Allow>(&s);
        one::<Require>(&s);
        one::<ProxyRequire>(&s);
        one::<Supported>(&s);
        one::<ProxySupported>(&s);
        one::<Unsupported>(&s);
        one::<AcceptRanges>(&s);
        one::<ContentBase>(&s);
        one::<ContentLocation>(&s);
        one::<Location>(&s);
        one::<ContentType>(&s);
        one::<Accept>(&s);
        one::<Scale>(&s);
        one::<Speed>(&s);
        one::<MediaProperties>(&s);
        one::<SeekStyle>(&s);
        one::<NotifyReason>(&s);
        one::<PipelinedRequests>(&s);
    }

    /// A value that parses once formats to a value that parses to the same thing.
    #[test]
    fn parse_format_parse_is_stable(
        s in "(url=|\"|;|,| |ssrc=|:|seq=|rtptime=|[0-9A-F]{1,9}|rtsp://h/a|trackID=1)*"
    ) {
        if let Ok(h) = RtpInfo::parse(&s) {
            // RFC 7826 values without any SSRC read back in the RFC 2326 form (documented).
            if h.form == RtpInfoForm::Rfc2326 || h.entries.iter().any(|e| e.ssrc.is_some()) {
                round_trip(&h)?;
            }
        }
    }
}
