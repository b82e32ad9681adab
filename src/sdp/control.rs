//! Control URLs: the base URL of a description and joining `a=control` to it
//! ([RFC 2326 C.1.1], [RFC 7826 D.1.1]).
//!
//! [RFC 2326 C.1.1]: https://www.rfc-editor.org/rfc/rfc2326#appendix-C.1.1
//! [RFC 7826 D.1.1]: https://www.rfc-editor.org/rfc/rfc7826#appendix-D.1.1

use super::error::{Diagnostic, DiagnosticKind, SdpError};
use super::options::ControlJoinPolicy;
use crate::header::{ContentBase, ContentLocation};
use crate::message::Headers;
use url::Url;

/// True when `s` starts with `scheme "://"` (RFC 3986 §3.1 scheme syntax).
fn has_scheme_and_authority(s: &str) -> bool {
    let Some((scheme, _)) = s.split_once("://") else {
        return false;
    };
    let mut bytes = scheme.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// Joins an `a=control` value to the base URL the way live555 does (the default
/// [`ControlJoinPolicy::Live555`]).
///
/// - `*` is the base URL itself ([RFC 7826 D.1.1]: "the URI MUST be treated as if it were
///   an empty embedded URI, and thus inherit the entire base URI");
/// - a control with a scheme and authority (`rtsp://…`, `rtsps://…`) is absolute and is
///   used as is, even when its host differs from the base's (GeoVision, Hikvision);
/// - anything else is appended to the base's text, with a `/` between them unless the base
///   ends with `/` or the control starts with one. The base's last segment and query are
///   kept, unlike RFC 3986 resolution.
///
/// | base | control | result |
/// |---|---|---|
/// | `rtsp://h/s/` | `trackID=1` | `rtsp://h/s/trackID=1` |
/// | `rtsp://h/tcp/av0_0` | `track0` | `rtsp://h/tcp/av0_0/track0` (VStarcam) |
/// | `rtsp://h/cam/realmonitor?channel=1&subtype=0` | `trackID=0` | `rtsp://h/cam/realmonitor?channel=1&subtype=0/trackID=0` (Dahua) |
/// | `rtsp://h/s/` | `rtsp://g/v` | `rtsp://g/v` |
/// | `rtsp://h/s` | `*` | `rtsp://h/s` |
///
/// ```
/// use rtsp_proto::sdp::{join_control, Url};
/// let base = Url::parse("rtsp://192.168.1.2/tcp/av0_0")?;
/// assert_eq!(join_control(&base, "track0")?.as_str(), "rtsp://192.168.1.2/tcp/av0_0/track0");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// [RFC 7826 D.1.1]: https://www.rfc-editor.org/rfc/rfc7826#appendix-D.1.1
pub fn join_control(base: &Url, control: &str) -> Result<Url, SdpError> {
    join_with(base, control, ControlJoinPolicy::Live555)
}

/// [`join_control`] with the chosen policy.
pub fn join_control_with(
    base: &Url,
    control: &str,
    policy: ControlJoinPolicy,
) -> Result<Url, SdpError> {
    join_with(base, control, policy)
}

fn join_with(base: &Url, control: &str, policy: ControlJoinPolicy) -> Result<Url, SdpError> {
    let err = |source| SdpError::Url {
        what: "control URL",
        source,
    };
    let control = control.trim();
    if control == "*" {
        return Ok(base.clone());
    }
    if has_scheme_and_authority(control) {
        return Url::parse(control).map_err(err);
    }
    match policy {
        ControlJoinPolicy::Rfc3986 => base.join(control).map_err(err),
        _ => {
            let b = base.as_str();
            let sep = if b.ends_with('/') || control.starts_with('/') {
                ""
            } else {
                "/"
            };
            Url::parse(&format!("{b}{sep}{control}")).map_err(err)
        }
    }
}

/// True when the first segment of a schemeless reference looks like `host[:port]`: it has
/// a numeric port, is an IP address, or names the request's host.
fn looks_like_authority(first: &str, request: &Url) -> bool {
    if first.starts_with('[') {
        return first.contains(']');
    }
    let (host, port) = match first.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (first, None),
    };
    if host.is_empty() {
        return false;
    }
    match port {
        Some(p) => !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()),
        None => {
            host.parse::<std::net::Ipv4Addr>().is_ok()
                || request
                    .host_str()
                    .is_some_and(|h| h.eq_ignore_ascii_case(host))
        }
    }
}

/// Resolves a `Content-Base` or `Content-Location` value against the request URL.
///
/// An absolute URL (`rtsp://…`) is used as is. A schemeless value whose first segment
/// looks like `host[:port]` gets the request's scheme (`192.168.1.10:554/stream0/` sent
/// to `rtsp://192.168.1.10/stream0` becomes `rtsp://192.168.1.10:554/stream0/`). Anything
/// else is a relative reference, resolved by RFC 3986 §5.2.
///
/// Background: Anjvision cameras and some Android streaming apps send a schemeless
/// `Content-Base` (retina issue 135).
pub fn resolve_base(request_url: &Url, value: &str) -> Result<Url, SdpError> {
    let err = |source| SdpError::Url {
        what: "base URL",
        source,
    };
    let v = value.trim();
    if has_scheme_and_authority(v) {
        return Url::parse(v).map_err(err);
    }
    let first = v.split(['/', '?']).next().unwrap_or("");
    if !v.starts_with('/') && looks_like_authority(first, request_url) {
        return Url::parse(&format!("{}://{v}", request_url.scheme())).map_err(err);
    }
    request_url.join(v).map_err(err)
}

/// The base URL of a DESCRIBE response's description, in [RFC 2326 C.1.1] order:
/// `Content-Base`, then `Content-Location`, then the request URL. A header that is
/// present but cannot be resolved is skipped with a [`DiagnosticKind::BadBaseUrl`].
///
/// [RFC 2326 C.1.1]: https://www.rfc-editor.org/rfc/rfc2326#appendix-C.1.1
pub fn base_url(request_url: &Url, headers: &Headers) -> (Url, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let candidates = [
        (
            "Content-Base",
            headers
                .typed::<ContentBase>()
                .map(|r| r.map(|h| h.0).map_err(|_| ())),
        ),
        (
            "Content-Location",
            headers
                .typed::<ContentLocation>()
                .map(|r| r.map(|h| h.0).map_err(|_| ())),
        ),
    ];
    for (header, value) in candidates {
        match value {
            None => {}
            Some(Ok(v)) => match resolve_base(request_url, &v) {
                Ok(u) => return (u, diags),
                Err(_) => diags.push(bad_base(header)),
            },
            Some(Err(())) => diags.push(bad_base(header)),
        }
    }
    (request_url.clone(), diags)
}

fn bad_base(header: &'static str) -> Diagnostic {
    Diagnostic {
        line: None,
        media: None,
        kind: DiagnosticKind::BadBaseUrl { header },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    macro_rules! join_cases {
        ($($base:literal + $control:literal => $want:literal;)*) => {
            $(
                let base = Url::parse($base).unwrap();
                assert_eq!(
                    join_control(&base, $control).unwrap().as_str(),
                    $want,
                    "{} + {}",
                    $base,
                    $control
                );
            )*
        };
    }

    #[test]
    fn live555_join_table() {
        join_cases! {
            "rtsp://h/s/" + "trackID=1" => "rtsp://h/s/trackID=1";
            "rtsp://h/tcp/av0_0" + "track0" => "rtsp://h/tcp/av0_0/track0";
            "rtsp://h/cam/realmonitor?channel=1&subtype=0" + "trackID=0"
                => "rtsp://h/cam/realmonitor?channel=1&subtype=0/trackID=0";
            "rtsp://h/s/" + "rtsp://g:8554/v?x=1" => "rtsp://g:8554/v?x=1";
            "rtsp://h/s" + "*" => "rtsp://h/s";
            "rtsp://h/s/" + " * " => "rtsp://h/s/";
            "rtsp://h" + "track1" => "rtsp://h/track1";
            "rtsp://h/a" + "/track1" => "rtsp://h/a/track1";
            "rtsp://h:554/live.sdp" + "stream=0" => "rtsp://h:554/live.sdp/stream=0";
            "rtsp://[::1]:8557/h264/" + "stream=0" => "rtsp://[::1]:8557/h264/stream=0";
            "rtsps://h/s/" + "RTSPS://g/v" => "rtsps://g/v";
        }
    }

    #[test]
    fn rfc3986_policy_drops_last_segment() {
        let base = Url::parse("rtsp://h/tcp/av0_0").unwrap();
        let u = join_control_with(&base, "track0", ControlJoinPolicy::Rfc3986).unwrap();
        assert_eq!(u.as_str(), "rtsp://h/tcp/track0");
    }

    #[test]
    fn base_resolution_table() {
        let req = Url::parse("rtsp://192.168.1.10/stream0").unwrap();
        for (value, want) in [
            ("rtsp://h:554/x/", "rtsp://h:554/x/"),
            (
                "192.168.1.10:554/stream0/",
                "rtsp://192.168.1.10:554/stream0/",
            ),
            ("192.168.1.10/stream0/", "rtsp://192.168.1.10/stream0/"),
            ("cam.local:554/s/", "rtsp://cam.local:554/s/"),
            ("/other/", "rtsp://192.168.1.10/other/"),
            ("sub/", "rtsp://192.168.1.10/sub/"),
            ("[::1]:554/s/", "rtsp://[::1]:554/s/"),
        ] {
            assert_eq!(resolve_base(&req, value).unwrap().as_str(), want, "{value}");
        }
    }

    #[test]
    fn precedence_content_base_location_request() {
        use crate::message::{HeaderName, HeaderValue};
        let req = Url::parse("rtsp://h/s").unwrap();
        let mut h = Headers::new();
        assert_eq!(base_url(&req, &h).0.as_str(), "rtsp://h/s");
        h.append(
            HeaderName::CONTENT_LOCATION,
            HeaderValue::from_static("rtsp://h/loc/"),
        );
        assert_eq!(base_url(&req, &h).0.as_str(), "rtsp://h/loc/");
        h.append(
            HeaderName::CONTENT_BASE,
            HeaderValue::from_static("rtsp://h/base/"),
        );
        assert_eq!(base_url(&req, &h).0.as_str(), "rtsp://h/base/");
    }

    #[test]
    fn unusable_content_base_falls_back_with_diagnostic() {
        use crate::message::{HeaderName, HeaderValue};
        let req = Url::parse("rtsp://h/s").unwrap();
        let mut h = Headers::new();
        h.append(
            HeaderName::CONTENT_BASE,
            HeaderValue::from_static("rtsp://[bad/"),
        );
        let (u, d) = base_url(&req, &h);
        assert_eq!(u.as_str(), "rtsp://h/s");
        assert_eq!(
            d[0].kind,
            DiagnosticKind::BadBaseUrl {
                header: "Content-Base"
            }
        );
    }
}
