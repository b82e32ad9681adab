//! RTSP status codes ([RFC 2326 §7.1.1], [RFC 7826 §17]).
//!
//! [RFC 2326 §7.1.1]: https://www.rfc-editor.org/rfc/rfc2326#section-7.1.1
//! [RFC 7826 §17]: https://www.rfc-editor.org/rfc/rfc7826#section-17

use std::fmt;

/// A three-digit RTSP status code.
///
/// Every code registered by RFC 2326 and RFC 7826 has a constant and a canonical reason
/// phrase; any other code from 100 to 999 is representable (the response keeps the reason
/// phrase the peer sent).
///
/// ```
/// use rtsp_proto::StatusCode;
/// assert_eq!(StatusCode::SESSION_NOT_FOUND.as_u16(), 454);
/// assert_eq!(StatusCode::SESSION_NOT_FOUND.canonical_reason(), Some("Session Not Found"));
/// assert!(StatusCode::from_u16(299).unwrap().is_success());
/// assert!(StatusCode::from_u16(42).is_none());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StatusCode(u16);

macro_rules! status_codes {
    ($( $(#[$doc:meta])* $konst:ident = $code:literal, $reason:literal; )+) => {
        impl StatusCode {
            $( $(#[$doc])* pub const $konst: StatusCode = StatusCode($code); )+

            /// Every registered status code, in numeric order.
            pub const ALL_REGISTERED: &'static [StatusCode] = &[$(StatusCode::$konst,)+];

            /// The reason phrase of a registered code (RFC 7826 wording), `None` for others.
            pub const fn canonical_reason(self) -> Option<&'static str> {
                match self.0 { $($code => Some($reason),)+ _ => None }
            }
        }
    };
}

status_codes! {
    /// 100 Continue.
    CONTINUE = 100, "Continue";
    /// 200 OK.
    OK = 200, "OK";
    /// 201 Created (RFC 2326).
    CREATED = 201, "Created";
    /// 250 Low on Storage Space (RFC 2326).
    LOW_ON_STORAGE_SPACE = 250, "Low on Storage Space";
    /// 300 Multiple Choices.
    MULTIPLE_CHOICES = 300, "Multiple Choices";
    /// 301 Moved Permanently.
    MOVED_PERMANENTLY = 301, "Moved Permanently";
    /// 302 Found (RFC 7826; "Moved Temporarily" in RFC 2326).
    FOUND = 302, "Found";
    /// 303 See Other.
    SEE_OTHER = 303, "See Other";
    /// 304 Not Modified.
    NOT_MODIFIED = 304, "Not Modified";
    /// 305 Use Proxy.
    USE_PROXY = 305, "Use Proxy";
    /// 400 Bad Request.
    BAD_REQUEST = 400, "Bad Request";
    /// 401 Unauthorized.
    UNAUTHORIZED = 401, "Unauthorized";
    /// 402 Payment Required.
    PAYMENT_REQUIRED = 402, "Payment Required";
    /// 403 Forbidden.
    FORBIDDEN = 403, "Forbidden";
    /// 404 Not Found.
    NOT_FOUND = 404, "Not Found";
    /// 405 Method Not Allowed.
    METHOD_NOT_ALLOWED = 405, "Method Not Allowed";
    /// 406 Not Acceptable.
    NOT_ACCEPTABLE = 406, "Not Acceptable";
    /// 407 Proxy Authentication Required.
    PROXY_AUTHENTICATION_REQUIRED = 407, "Proxy Authentication Required";
    /// 408 Request Timeout.
    REQUEST_TIMEOUT = 408, "Request Timeout";
    /// 410 Gone.
    GONE = 410, "Gone";
    /// 411 Length Required.
    LENGTH_REQUIRED = 411, "Length Required";
    /// 412 Precondition Failed.
    PRECONDITION_FAILED = 412, "Precondition Failed";
    /// 413 Request Message Body Too Large.
    REQUEST_MESSAGE_BODY_TOO_LARGE = 413, "Request Message Body Too Large";
    /// 414 Request-URI Too Long.
    REQUEST_URI_TOO_LONG = 414, "Request-URI Too Long";
    /// 415 Unsupported Media Type.
    UNSUPPORTED_MEDIA_TYPE = 415, "Unsupported Media Type";
    /// 451 Parameter Not Understood ("Invalid parameter" in RFC 2326).
    PARAMETER_NOT_UNDERSTOOD = 451, "Parameter Not Understood";
    /// 452 Conference Not Found (RFC 2326; reserved in RFC 7826).
    CONFERENCE_NOT_FOUND = 452, "Conference Not Found";
    /// 453 Not Enough Bandwidth.
    NOT_ENOUGH_BANDWIDTH = 453, "Not Enough Bandwidth";
    /// 454 Session Not Found.
    SESSION_NOT_FOUND = 454, "Session Not Found";
    /// 455 Method Not Valid in This State.
    METHOD_NOT_VALID_IN_THIS_STATE = 455, "Method Not Valid in This State";
    /// 456 Header Field Not Valid for Resource.
    HEADER_FIELD_NOT_VALID_FOR_RESOURCE = 456, "Header Field Not Valid for Resource";
    /// 457 Invalid Range.
    INVALID_RANGE = 457, "Invalid Range";
    /// 458 Parameter Is Read-Only.
    PARAMETER_IS_READ_ONLY = 458, "Parameter Is Read-Only";
    /// 459 Aggregate Operation Not Allowed.
    AGGREGATE_OPERATION_NOT_ALLOWED = 459, "Aggregate Operation Not Allowed";
    /// 460 Only Aggregate Operation Allowed.
    ONLY_AGGREGATE_OPERATION_ALLOWED = 460, "Only Aggregate Operation Allowed";
    /// 461 Unsupported Transport.
    UNSUPPORTED_TRANSPORT = 461, "Unsupported Transport";
    /// 462 Destination Unreachable.
    DESTINATION_UNREACHABLE = 462, "Destination Unreachable";
    /// 463 Destination Prohibited (RFC 7826).
    DESTINATION_PROHIBITED = 463, "Destination Prohibited";
    /// 464 Data Transport Not Ready Yet (RFC 7826).
    DATA_TRANSPORT_NOT_READY_YET = 464, "Data Transport Not Ready Yet";
    /// 465 Notification Reason Unknown (RFC 7826).
    NOTIFICATION_REASON_UNKNOWN = 465, "Notification Reason Unknown";
    /// 466 Key Management Error (RFC 7826).
    KEY_MANAGEMENT_ERROR = 466, "Key Management Error";
    /// 470 Connection Authorization Required (RFC 7826).
    CONNECTION_AUTHORIZATION_REQUIRED = 470, "Connection Authorization Required";
    /// 471 Connection Credentials Not Accepted (RFC 7826).
    CONNECTION_CREDENTIALS_NOT_ACCEPTED = 471, "Connection Credentials Not Accepted";
    /// 472 Failure to Establish Secure Connection (RFC 7826).
    FAILURE_TO_ESTABLISH_SECURE_CONNECTION = 472, "Failure to Establish Secure Connection";
    /// 500 Internal Server Error.
    INTERNAL_SERVER_ERROR = 500, "Internal Server Error";
    /// 501 Not Implemented.
    NOT_IMPLEMENTED = 501, "Not Implemented";
    /// 502 Bad Gateway.
    BAD_GATEWAY = 502, "Bad Gateway";
    /// 503 Service Unavailable.
    SERVICE_UNAVAILABLE = 503, "Service Unavailable";
    /// 504 Gateway Timeout.
    GATEWAY_TIMEOUT = 504, "Gateway Timeout";
    /// 505 RTSP Version Not Supported.
    RTSP_VERSION_NOT_SUPPORTED = 505, "RTSP Version Not Supported";
    /// 551 Option Not Supported.
    OPTION_NOT_SUPPORTED = 551, "Option Not Supported";
    /// 553 Proxy Unavailable (RFC 7826).
    PROXY_UNAVAILABLE = 553, "Proxy Unavailable";
}

impl StatusCode {
    /// A status code from its number, if it has three digits (100 to 999).
    pub const fn from_u16(code: u16) -> Option<StatusCode> {
        if code >= 100 && code <= 999 {
            Some(StatusCode(code))
        } else {
            None
        }
    }

    /// Parses exactly three ASCII digits.
    pub fn parse(digits: &[u8]) -> Option<StatusCode> {
        match digits {
            [a @ b'1'..=b'9', b @ b'0'..=b'9', c @ b'0'..=b'9'] => Some(StatusCode(
                u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0'),
            )),
            _ => None,
        }
    }

    /// The numeric code.
    pub const fn as_u16(self) -> u16 {
        self.0
    }

    /// 1xx.
    pub const fn is_informational(self) -> bool {
        self.0 / 100 == 1
    }
    /// 2xx.
    pub const fn is_success(self) -> bool {
        self.0 / 100 == 2
    }
    /// 3xx.
    pub const fn is_redirection(self) -> bool {
        self.0 / 100 == 3
    }
    /// 4xx.
    pub const fn is_client_error(self) -> bool {
        self.0 / 100 == 4
    }
    /// 5xx and above.
    pub const fn is_server_error(self) -> bool {
        self.0 >= 500
    }

    /// The three digits as written on the wire.
    pub(crate) fn digits(self) -> [u8; 3] {
        let c = self.0;
        [
            b'0' + (c / 100 % 10) as u8,
            b'0' + (c / 10 % 10) as u8,
            b'0' + (c % 10) as u8,
        ]
    }
}

impl fmt::Debug for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.canonical_reason() {
            Some(r) => write!(f, "{} {}", self.0, r),
            None => write!(f, "{}", self.0),
        }
    }
}

impl From<StatusCode> for u16 {
    fn from(s: StatusCode) -> u16 {
        s.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_codes() {
        for c in StatusCode::ALL_REGISTERED {
            assert!(c.canonical_reason().is_some());
            assert_eq!(StatusCode::parse(&c.digits()), Some(*c));
        }
        for code in 451..=463 {
            assert!(StatusCode(code).canonical_reason().is_some(), "{code}");
        }
        assert_eq!(StatusCode::OPTION_NOT_SUPPORTED.as_u16(), 551);
    }

    #[test]
    fn parse_edge_cases() {
        assert_eq!(StatusCode::parse(b"099"), None);
        assert_eq!(StatusCode::parse(b"20"), None);
        assert_eq!(StatusCode::parse(b"2000"), None);
        assert_eq!(StatusCode::parse(b"-20"), None);
        assert_eq!(StatusCode::parse(b"999"), StatusCode::from_u16(999));
        assert_eq!(StatusCode::from_u16(1000), None);
    }
}
