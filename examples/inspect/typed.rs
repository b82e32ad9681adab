//! Typed views of the headers the library knows, for display.

use rtsp_proto::header::{self, TypedHeader};
use rtsp_proto::{HeaderName, Headers};

fn show<H: TypedHeader + std::fmt::Debug>(headers: &Headers) -> String {
    match headers.typed::<H>() {
        Some(Ok(v)) => format!("{v:?}"),
        Some(Err(e)) => format!("unparseable: {e}"),
        None => String::new(),
    }
}

/// Renders one typed header of a header table.
type Render = fn(&Headers) -> String;

/// Every typed header: its name and a renderer.
fn table() -> Vec<(HeaderName, Render)> {
    vec![
        (HeaderName::CSEQ, show::<header::CSeq>),
        (HeaderName::CONTENT_LENGTH, show::<header::ContentLength>),
        (HeaderName::TRANSPORT, show::<header::Transport>),
        (HeaderName::SESSION, show::<header::Session>),
        (HeaderName::RANGE, show::<header::Range>),
        (HeaderName::RTP_INFO, show::<header::RtpInfo>),
        (
            HeaderName::WWW_AUTHENTICATE,
            show::<header::WwwAuthenticate>,
        ),
        (
            HeaderName::PROXY_AUTHENTICATE,
            show::<header::ProxyAuthenticate>,
        ),
        (HeaderName::AUTHORIZATION, show::<header::Authorization>),
        (
            HeaderName::PROXY_AUTHORIZATION,
            show::<header::ProxyAuthorization>,
        ),
        (HeaderName::PUBLIC, show::<header::Public>),
        (HeaderName::ALLOW, show::<header::Allow>),
        (HeaderName::REQUIRE, show::<header::Require>),
        (HeaderName::PROXY_REQUIRE, show::<header::ProxyRequire>),
        (HeaderName::SUPPORTED, show::<header::Supported>),
        (HeaderName::PROXY_SUPPORTED, show::<header::ProxySupported>),
        (HeaderName::UNSUPPORTED, show::<header::Unsupported>),
        (HeaderName::ACCEPT_RANGES, show::<header::AcceptRanges>),
        (HeaderName::CONTENT_BASE, show::<header::ContentBase>),
        (
            HeaderName::CONTENT_LOCATION,
            show::<header::ContentLocation>,
        ),
        (HeaderName::CONTENT_TYPE, show::<header::ContentType>),
        (HeaderName::LOCATION, show::<header::Location>),
        (HeaderName::ACCEPT, show::<header::Accept>),
        (HeaderName::SCALE, show::<header::Scale>),
        (HeaderName::SPEED, show::<header::Speed>),
        (
            HeaderName::MEDIA_PROPERTIES,
            show::<header::MediaProperties>,
        ),
        (HeaderName::SEEK_STYLE, show::<header::SeekStyle>),
        (HeaderName::NOTIFY_REASON, show::<header::NotifyReason>),
        (
            HeaderName::PIPELINED_REQUESTS,
            show::<header::PipelinedRequests>,
        ),
    ]
}

/// The typed rendering of `name` in `headers`, if the library has a typed header for it.
/// Repeated fields of list headers are combined into that one rendering.
pub fn describe(name: &HeaderName, headers: &Headers) -> Option<String> {
    table()
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, f)| f(headers))
}

/// A JSON object mapping each typed header present to its rendering.
pub fn json(headers: &Headers) -> String {
    let mut o = crate::json::Obj::new();
    for (name, f) in table() {
        if headers.contains(&name) {
            o = o.str(name.as_str(), &f(headers));
        }
    }
    o.finish()
}
