//! Property tests for the `Transport`, `Session` and `Range` typed headers:
//! `parse(format(h)) == h` for generated values, parsing never panics, and whatever
//! parses round-trips.

use proptest::prelude::*;
use rtsp_proto::header::{
    ChannelRange, ConnectionReuse, Delivery, LowerTransport, Mode, NptTime, PortRange, Profile,
    Range, RangeSpec, Session, SetupRole, SmpteTime, SmpteType, Ssrc, TimeRange, Transport,
    TransportId, TransportSpec, TypedHeader, UtcTime,
};
use std::time::Duration;

/// Printable ASCII (with spaces, quotes, backslashes and separators): what a value may
/// hold once unquoted.
const PRINTABLE: &str = "[ -~]{1,24}";
/// A token that cannot collide with a known name.
const EXT_TOKEN: &str = "[xX]-[a-zA-Z0-9._-]{1,8}";

fn round_trip<H: TypedHeader + PartialEq + std::fmt::Debug>(h: &H) -> Result<(), TestCaseError> {
    let text = h.to_value_string();
    match H::parse(&text) {
        Ok(back) => prop_assert_eq!(&back, h, "formatted as {:?}", text),
        Err(e) => return Err(TestCaseError::fail(format!("{text:?}: {e}"))),
    }
    Ok(())
}

fn profile() -> impl Strategy<Value = Profile> {
    prop_oneof![
        Just(Profile::Avp),
        Just(Profile::Avpf),
        Just(Profile::Savp),
        Just(Profile::Savpf),
        EXT_TOKEN.prop_map(Profile::Other),
    ]
}

fn lower() -> impl Strategy<Value = Option<LowerTransport>> {
    prop::option::of(prop_oneof![
        Just(LowerTransport::Udp),
        Just(LowerTransport::Tcp),
        EXT_TOKEN.prop_map(LowerTransport::Other),
    ])
}

fn transport_id() -> impl Strategy<Value = TransportId> {
    prop_oneof![
        4 => (profile(), lower()).prop_map(|(profile, lower)| TransportId::Rtp { profile, lower }),
        1 => "[A-Z0-9]{1,6}(/[A-Za-z0-9]{1,6}){0,3}"
            .prop_filter("not RTP", |s| !s.to_ascii_uppercase().starts_with("RTP/"))
            .prop_map(TransportId::Other),
    ]
}

fn channels() -> impl Strategy<Value = ChannelRange> {
    (any::<u8>(), any::<Option<u8>>()).prop_map(|(start, end)| ChannelRange { start, end })
}

fn ports() -> impl Strategy<Value = PortRange> {
    (any::<u16>(), any::<Option<u16>>()).prop_map(|(start, end)| PortRange { start, end })
}

fn mode() -> impl Strategy<Value = Mode> {
    prop_oneof![
        Just(Mode::Play),
        Just(Mode::Record),
        EXT_TOKEN.prop_map(Mode::Other)
    ]
}

fn params() -> impl Strategy<Value = Vec<(String, Option<String>)>> {
    prop::collection::vec(
        (EXT_TOKEN, prop::option::of("[ -~]{0,24}")),
        0..=TransportSpec::MAX_LIST,
    )
}

prop_compose! {
    fn spec()(
        id in transport_id(),
        delivery in prop::option::of(prop_oneof![Just(Delivery::Unicast), Just(Delivery::Multicast)]),
        destination in prop::option::of(PRINTABLE),
        source in prop::option::of(PRINTABLE),
        interleaved in prop::option::of(channels()),
        ttl in any::<Option<u8>>(),
        layers in any::<Option<u32>>(),
        port in prop::option::of(ports()),
        client_port in prop::option::of(ports()),
        server_port in prop::option::of(ports()),
        ssrc in prop::collection::vec(any::<u32>().prop_map(Ssrc), 0..=TransportSpec::MAX_LIST),
        mode in prop::collection::vec(mode(), 0..=TransportSpec::MAX_LIST),
        (append, rtcp_mux) in any::<(bool, bool)>(),
        dest_addr in prop::collection::vec(PRINTABLE, 0..=4),
        src_addr in prop::collection::vec(PRINTABLE, 0..=4),
        setup in prop::option::of(prop_oneof![
            Just(SetupRole::Active), Just(SetupRole::Passive), Just(SetupRole::ActPass)
        ]),
        connection in prop::option::of(prop_oneof![
            Just(ConnectionReuse::New), Just(ConnectionReuse::Existing)
        ]),
        mikey in prop::option::of("[A-Za-z0-9+/=]{1,40}"),
        other in params(),
    ) -> TransportSpec {
        let mut s = TransportSpec::new(id);
        s.delivery = delivery;
        s.destination = destination;
        s.source = source;
        s.interleaved = interleaved;
        s.ttl = ttl;
        s.layers = layers;
        s.port = port;
        s.client_port = client_port;
        s.server_port = server_port;
        s.ssrc = ssrc;
        s.mode = mode;
        s.append = append;
        s.rtcp_mux = rtcp_mux;
        s.dest_addr = dest_addr;
        s.src_addr = src_addr;
        s.setup = setup;
        s.connection = connection;
        s.mikey = mikey;
        s.other = other;
        s
    }
}

fn session() -> impl Strategy<Value = Session> {
    (
        "[A-Za-z0-9$._+-]{1,256}",
        any::<Option<u32>>(),
        prop::collection::vec(
            (EXT_TOKEN, prop::option::of("[ -~]{0,24}")),
            0..=Session::MAX_PARAMS,
        ),
    )
        .prop_filter_map("valid session-id", |(id, timeout, other)| {
            let mut s = Session::new(id).ok()?;
            s.timeout = timeout;
            s.other = other;
            Some(s)
        })
}

fn utc() -> impl Strategy<Value = UtcTime> + Clone {
    (
        0u16..=9999,
        1u8..=12,
        1u8..=31,
        0u8..=23,
        0u8..=59,
        0u8..=60,
        0u32..1_000_000_000,
    )
        .prop_filter_map("valid date", |(y, mo, d, h, mi, s, n)| {
            UtcTime::new(y, mo, d, h, mi, s, n)
        })
}

fn npt() -> impl Strategy<Value = NptTime> + Clone {
    prop_oneof![
        1 => Just(NptTime::Now),
        6 => (any::<u64>(), 0u32..1_000_000_000).prop_map(|(s, n)| NptTime::Time(Duration::new(s, n))),
        3 => (0u64..100_000, prop_oneof![Just(0u32), Just(500_000_000), 0u32..1_000_000_000])
            .prop_map(|(s, n)| NptTime::Time(Duration::new(s, n))),
    ]
}

fn time_range<T: std::fmt::Debug + Clone>(
    t: impl Strategy<Value = T> + Clone,
) -> impl Strategy<Value = TimeRange<T>> {
    (prop::option::of(t.clone()), prop::option::of(t))
        .prop_map(|(start, end)| TimeRange::new(start, end))
}

fn smpte_type() -> impl Strategy<Value = SmpteType> {
    prop_oneof![
        Just(SmpteType::Smpte30),
        Just(SmpteType::Smpte25),
        Just(SmpteType::Smpte30Drop),
        "smpte-[0-9]{2}[a-z]{0,3}"
            .prop_filter("known SMPTE types have their own variants", |s| s
                != "smpte-25")
            .prop_map(SmpteType::Other),
    ]
}

fn smpte_time(fps: u8) -> impl Strategy<Value = SmpteTime> + Clone {
    (0u8..=99, 0u8..=59, 0u8..=59, 0..fps, 0u8..=99).prop_map(
        |(hours, minutes, seconds, frames, subframes)| SmpteTime {
            hours,
            minutes,
            seconds,
            frames,
            subframes,
        },
    )
}

fn range_spec() -> impl Strategy<Value = RangeSpec> {
    prop_oneof![
        time_range(npt()).prop_map(RangeSpec::Npt),
        smpte_type().prop_flat_map(|ty| {
            let fps = ty.frames_per_second().unwrap_or(100);
            time_range(smpte_time(fps)).prop_map(move |r| RangeSpec::Smpte(ty.clone(), r))
        }),
        time_range(utc()).prop_map(RangeSpec::Clock),
        (EXT_TOKEN, prop::option::of("[!#-+--:<-~]{0,16}"))
            .prop_map(|(unit, value)| RangeSpec::Other { unit, value }),
    ]
}

fn range() -> impl Strategy<Value = Range> {
    (
        prop::collection::vec(range_spec(), 1..=Range::MAX_RANGES),
        prop::option::of(utc()),
    )
        .prop_map(|(ranges, time)| {
            let mut r = Range::default();
            r.ranges = ranges;
            r.time = time;
            r
        })
}

/// Text built from the pieces these grammars are made of, to reach deep into the parsers.
const GRAMMARISH: &str = "([a-zA-Z0-9 ;,=\"\\\\/:.+$_-]|RTP/AVP|/TCP|unicast|ssrc=|mode=|interleaved=|client_port=|dest_addr=|timeout=|npt=|smpte=|clock=|now|T|Z|\u{e9}){0,40}";

/// Transport-like text: valid and slightly broken parameters in any order and case.
const TRANSPORTISH: &str = "(RTP/AVP|RTP/AVP/TCP|rtp/savpf/udp|RTP/AVPF/X|MP2T/H2221/UDP)\
    (;( ?)(unicast|multicast|append|RTCP-mux|ssrc=( )?[0-9a-fA-F]{1,9}(/[0-9a-f]{1,8})?\
    |interleaved=[0-9]{1,3}(-[0-9]{1,3})?|client_port=[0-9]{1,5}-[0-9]{1,5}\
    |server_port=[0-9]{1,5}|ttl=[0-9]{1,3}|mode=(\"?)(play|RECORD|receive|PLAY,RECORD)(\"?)\
    |source=[a-z0-9.]{0,8}|destination(=[a-z0-9.:]{0,8})?|setup=(active|passive|actpass)\
    |dest_addr=\"[a-z0-9.:]{1,8}\"(/\"[0-9:]{1,6}\")?|MIKEY=[A-Za-z0-9+/=]{1,8}\
    |x-[a-z]{1,3}(=[a-z \"]{0,5})?)){0,6}(, RTP/AVP;unicast)?";

/// Range-like text in every time format.
const RANGEISH: &str = "((npt|NPT)(=([0-9]{1,3}(\\.[0-9]{0,10})?|[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\\.[0-9]{1,3})?|now)?\
    -([0-9]{1,3}(\\.[0-9]{0,3})?|now)?)?\
    |smpte(-25|-30-drop)?=[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2})?(\\.[0-9]{1,2})?-\
    |clock=(19|20)[0-9]{2}[01][0-9][0-3][0-9]T[0-2][0-9][0-5][0-9][0-6][0-9](\\.[0-9]{1,10})?Z-\
    |x-[a-z]=[a-z0-9-]{0,6})(, npt=1-2)?(;time=20240229T120000Z)?";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn transport_round_trips(specs in prop::collection::vec(spec(), 1..=Transport::MAX_SPECS)) {
        round_trip(&Transport(specs))?;
    }

    #[test]
    fn session_round_trips(s in session()) {
        round_trip(&s)?;
    }

    #[test]
    fn range_round_trips(r in range()) {
        round_trip(&r)?;
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,200}") {
        let _ = Transport::parse(&s);
        let _ = Session::parse(&s);
        let _ = Range::parse(&s);
    }

    #[test]
    fn whatever_parses_round_trips(s in GRAMMARISH) {
        if let Ok(t) = Transport::parse(&s) {
            round_trip(&t)?;
        }
        if let Ok(v) = Session::parse(&s) {
            round_trip(&v)?;
        }
        if let Ok(r) = Range::parse(&s) {
            round_trip(&r)?;
        }
    }

    #[test]
    fn transport_like_text_round_trips(s in TRANSPORTISH) {
        if let Ok(t) = Transport::parse(&s) {
            round_trip(&t)?;
        }
    }

    #[test]
    fn range_like_text_round_trips(s in RANGEISH) {
        if let Ok(r) = Range::parse(&s) {
            round_trip(&r)?;
        }
    }
}

/// The structured generators above produce text that parses often enough to be useful.
#[test]
fn structured_generators_reach_the_parsers() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut t_ok, mut r_ok) = (0, 0);
    for _ in 0..200 {
        let t = TRANSPORTISH.new_tree(&mut runner).unwrap().current();
        t_ok += usize::from(Transport::parse(&t).is_ok());
        let r = RANGEISH.new_tree(&mut runner).unwrap().current();
        r_ok += usize::from(Range::parse(&r).is_ok());
    }
    assert!(
        t_ok > 20 && r_ok > 20,
        "transport {t_ok}/200, range {r_ok}/200"
    );
}
