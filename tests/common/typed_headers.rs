//! Parses every typed header a message carries and checks that formatting and parsing
//! again gives the same value.

use rtsp_proto::header::*;
use rtsp_proto::message::Message;
use rtsp_proto::Headers;

fn check<H: TypedHeader + PartialEq + std::fmt::Debug>(headers: &Headers, what: &str) {
    let Some(parsed) = headers.typed::<H>() else {
        return;
    };
    let value = parsed.unwrap_or_else(|e| panic!("{what}: {e}\n{headers:?}"));
    let text = value.to_value_string();
    let again = H::parse(&text).unwrap_or_else(|e| panic!("{what}: reparse of {text:?}: {e}"));
    assert_eq!(again, value, "{what}: {text:?}");
}

/// Checks every typed header known to the crate.
pub fn check_typed_headers(msg: &Message) {
    let headers = match msg {
        Message::Request(r) => &r.headers,
        Message::Response(r) => &r.headers,
        Message::Data(_) => return,
    };
    check::<CSeq>(headers, "CSeq");
    check::<ContentLength>(headers, "Content-Length");
    check::<Transport>(headers, "Transport");
    check::<Session>(headers, "Session");
    check::<Range>(headers, "Range");
    check::<RtpInfo>(headers, "RtpInfo");
    check::<WwwAuthenticate>(headers, "WwwAuthenticate");
    check::<ProxyAuthenticate>(headers, "ProxyAuthenticate");
    check::<Authorization>(headers, "Authorization");
    check::<ProxyAuthorization>(headers, "ProxyAuthorization");
    check::<Public>(headers, "Public");
    check::<Allow>(headers, "Allow");
    check::<Require>(headers, "Require");
    check::<ProxyRequire>(headers, "ProxyRequire");
    check::<Supported>(headers, "Supported");
    check::<ProxySupported>(headers, "ProxySupported");
    check::<Unsupported>(headers, "Unsupported");
    check::<AcceptRanges>(headers, "AcceptRanges");
    check::<ContentBase>(headers, "ContentBase");
    check::<ContentLocation>(headers, "ContentLocation");
    check::<ContentType>(headers, "ContentType");
    check::<Location>(headers, "Location");
    check::<Accept>(headers, "Accept");
    check::<Scale>(headers, "Scale");
    check::<Speed>(headers, "Speed");
    check::<MediaProperties>(headers, "MediaProperties");
    check::<SeekStyle>(headers, "SeekStyle");
    check::<NotifyReason>(headers, "NotifyReason");
    check::<PipelinedRequests>(headers, "PipelinedRequests");
}
