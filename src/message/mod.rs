//! RTSP messages on the wire: requests, responses and interleaved binary data
//! ([RFC 2326 §4–§7, §10.12], [RFC 7826 §5–§8, §14]).
//!
//! [`Decoder`] turns a TCP byte stream into [`Message`]s incrementally; [`Message::encode`]
//! (and the `encode` methods of each type) write them back. Bodies, header values and
//! interleaved payloads are [`Bytes`] slices of the input buffer: decoding copies nothing.
//!
//! [RFC 2326 §4–§7, §10.12]: https://www.rfc-editor.org/rfc/rfc2326#section-4
//! [RFC 7826 §5–§8, §14]: https://www.rfc-editor.org/rfc/rfc7826#section-5

mod decode;
mod encode;
pub use encode::{encode_frame, FrameTooLong};
mod headers;
mod method;
mod status;

pub use decode::{DecodeError, DecodeErrorKind, Decoder, Limits};
pub use headers::{
    AsHeaderName, HeaderName, HeaderValue, Headers, InvalidHeaderName, InvalidHeaderValue,
};
pub use method::{InvalidMethod, Method};
pub use status::StatusCode;

pub(crate) use method::is_token_byte;

use crate::header::{CSeq, HeaderError, TypedHeader};
use bytes::Bytes;
use std::fmt;

/// The protocol version of a request or response line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[non_exhaustive]
pub enum Version {
    /// `RTSP/1.0` ([RFC 2326](https://www.rfc-editor.org/rfc/rfc2326)).
    #[default]
    V1_0,
    /// `RTSP/2.0` ([RFC 7826](https://www.rfc-editor.org/rfc/rfc7826)).
    V2_0,
}

impl Version {
    /// The version as written in a start line.
    pub const fn as_str(self) -> &'static str {
        match self {
            Version::V1_0 => "RTSP/1.0",
            Version::V2_0 => "RTSP/2.0",
        }
    }

    /// Parses `RTSP/1.0` or `RTSP/2.0` (exactly, case-sensitive as RFC 7826 §7.1 says).
    /// Returns `Err(())` for an `RTSP/x.y` of another version and `None` for anything else.
    pub(crate) fn parse(b: &[u8]) -> Option<Result<Version, ()>> {
        match b {
            b"RTSP/1.0" => Some(Ok(Version::V1_0)),
            b"RTSP/2.0" => Some(Ok(Version::V2_0)),
            [b'R', b'T', b'S', b'P', b'/', ma, b'.', mi]
                if ma.is_ascii_digit() && mi.is_ascii_digit() =>
            {
                Some(Err(()))
            }
            _ => None,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An RTSP request ([RFC 7826 §7]).
///
/// ```
/// use rtsp_proto::{Method, Request, Version};
/// use rtsp_proto::header::CSeq;
/// let req = Request::builder(Method::OPTIONS, "rtsp://example.com/media")
///     .typed_header(&CSeq(1))
///     .build();
/// let mut out = bytes::BytesMut::new();
/// req.encode(&mut out);
/// assert_eq!(&out[..], b"OPTIONS rtsp://example.com/media RTSP/1.0\r\nCSeq: 1\r\n\r\n");
/// ```
///
/// [RFC 7826 §7]: https://www.rfc-editor.org/rfc/rfc7826#section-7
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The request target as sent: an absolute `rtsp://` URI, `*`, or (from lenient
    /// peers) a path. UTF-8 without spaces or control characters.
    pub uri: Bytes,
    /// The protocol version.
    pub version: Version,
    /// The header fields.
    pub headers: Headers,
    /// The body (empty when there is none).
    pub body: Bytes,
}

impl Request {
    /// Starts building a request for `uri`, RTSP/1.0 by default.
    pub fn builder(method: Method, uri: impl Into<String>) -> RequestBuilder {
        RequestBuilder {
            req: Request {
                method,
                uri: Bytes::from(uri.into()),
                version: Version::V1_0,
                headers: Headers::new(),
                body: Bytes::new(),
            },
        }
    }

    /// The request target as a string.
    pub fn uri(&self) -> &str {
        // Validated at construction (decoder) or built from a `String`.
        std::str::from_utf8(&self.uri).unwrap_or("")
    }

    /// The `CSeq` header: `None` when absent, `Some(Err)` when malformed.
    pub fn cseq(&self) -> Option<Result<CSeq, HeaderError>> {
        self.headers.typed::<CSeq>()
    }
}

/// Builds a [`Request`]; `Content-Length` is set from the body by [`RequestBuilder::build`].
#[derive(Debug, Clone)]
#[must_use]
pub struct RequestBuilder {
    req: Request,
}

impl RequestBuilder {
    /// Sets the protocol version.
    pub fn version(mut self, version: Version) -> Self {
        self.req.version = version;
        self
    }
    /// Appends a raw header field.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.req.headers.append(name, value);
        self
    }
    /// Sets a typed header.
    pub fn typed_header<H: TypedHeader>(mut self, h: &H) -> Self {
        self.req.headers.insert_typed(h);
        self
    }
    /// Sets the body.
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.req.body = body.into();
        self
    }
    /// The request, with `Content-Length` set when there is a body.
    pub fn build(mut self) -> Request {
        set_content_length(&mut self.req.headers, &self.req.body);
        self.req
    }
}

/// An RTSP response ([RFC 7826 §8]).
///
/// [RFC 7826 §8]: https://www.rfc-editor.org/rfc/rfc7826#section-8
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The protocol version.
    pub version: Version,
    /// The status code.
    pub status: StatusCode,
    /// The reason phrase as sent (may be empty: some devices omit it).
    pub reason: Bytes,
    /// The header fields.
    pub headers: Headers,
    /// The body (empty when there is none).
    pub body: Bytes,
}

impl Response {
    /// Starts building a response with the canonical reason phrase, RTSP/1.0 by default.
    pub fn builder(status: StatusCode) -> ResponseBuilder {
        ResponseBuilder {
            resp: Response {
                version: Version::V1_0,
                status,
                reason: Bytes::from_static(status.canonical_reason().unwrap_or("").as_bytes()),
                headers: Headers::new(),
                body: Bytes::new(),
            },
        }
    }

    /// The reason phrase as a string (lossy for non-UTF-8 phrases).
    pub fn reason(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.reason)
    }

    /// The `CSeq` header: `None` when absent, `Some(Err)` when malformed.
    pub fn cseq(&self) -> Option<Result<CSeq, HeaderError>> {
        self.headers.typed::<CSeq>()
    }
}

/// Builds a [`Response`]; `Content-Length` is set from the body by
/// [`ResponseBuilder::build`].
#[derive(Debug, Clone)]
#[must_use]
pub struct ResponseBuilder {
    resp: Response,
}

impl ResponseBuilder {
    /// Sets the protocol version.
    pub fn version(mut self, version: Version) -> Self {
        self.resp.version = version;
        self
    }
    /// Sets the reason phrase.
    pub fn reason(mut self, reason: impl Into<Bytes>) -> Self {
        self.resp.reason = reason.into();
        self
    }
    /// Appends a raw header field.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.resp.headers.append(name, value);
        self
    }
    /// Sets a typed header.
    pub fn typed_header<H: TypedHeader>(mut self, h: &H) -> Self {
        self.resp.headers.insert_typed(h);
        self
    }
    /// Sets the body.
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.resp.body = body.into();
        self
    }
    /// The response, with `Content-Length` set when there is a body.
    pub fn build(mut self) -> Response {
        set_content_length(&mut self.resp.headers, &self.resp.body);
        self.resp
    }
}

fn set_content_length(headers: &mut Headers, body: &Bytes) {
    if !body.is_empty() {
        headers.insert_typed(&crate::header::ContentLength(body.len() as u64));
    }
}

/// A binary frame interleaved in the RTSP connection ([RFC 2326 §10.12], [RFC 7826 §14]):
/// `$`, a channel byte, a 16-bit length, and that many bytes of RTP or RTCP.
///
/// [RFC 2326 §10.12]: https://www.rfc-editor.org/rfc/rfc2326#section-10.12
/// [RFC 7826 §14]: https://www.rfc-editor.org/rfc/rfc7826#section-14
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Data {
    /// The channel identifier negotiated in the Transport header's `interleaved`.
    pub channel: u8,
    /// The frame's payload.
    pub payload: Bytes,
}

/// One item of an RTSP connection's byte stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A request.
    Request(Request),
    /// A response.
    Response(Response),
    /// An interleaved binary frame.
    Data(Data),
}

impl From<Request> for Message {
    fn from(r: Request) -> Message {
        Message::Request(r)
    }
}
impl From<Response> for Message {
    fn from(r: Response) -> Message {
        Message::Response(r)
    }
}
impl From<Data> for Message {
    fn from(d: Data) -> Message {
        Message::Data(d)
    }
}
