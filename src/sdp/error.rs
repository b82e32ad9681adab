//! The SDP layer's error and its diagnostics (anomalies that were tolerated).

use crate::message::StatusCode;

/// Why a session description could not be read or built.
///
/// Variants are split by blame, as elsewhere in the crate: the peer sent something that is
/// not a usable session description ([`TooLarge`](SdpError::TooLarge),
/// [`Syntax`](SdpError::Syntax), [`TooManyRepairs`](SdpError::TooManyRepairs),
/// [`Version`](SdpError::Version)), the peer's RTSP response carries no description
/// ([`Status`](SdpError::Status), [`NotSdp`](SdpError::NotSdp),
/// [`EmptyBody`](SdpError::EmptyBody)), or the caller asked for something that cannot be
/// written ([`InvalidArgument`](SdpError::InvalidArgument),
/// [`Url`](SdpError::Url)).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SdpError {
    /// The body is longer than [`Limits::max_len`](super::Limits::max_len).
    #[error("session description of {len} bytes exceeds {limit} bytes")]
    TooLarge {
        /// The body's length.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// A line that `sdp-types` rejects and that no repair applies to.
    #[error("line {line}: invalid {what}")]
    Syntax {
        /// 1-based line number in the body as received (0 when the error has no line).
        line: usize,
        /// The field or rule, as `sdp-types` names it (e.g. `Origin sess-version`).
        what: &'static str,
    },
    /// `v=` is present but is not `0` ([RFC 8866 §5.1]).
    ///
    /// [RFC 8866 §5.1]: https://www.rfc-editor.org/rfc/rfc8866#section-5.1
    #[error("line {line}: unsupported protocol version")]
    Version {
        /// 1-based line number of the `v=` line.
        line: usize,
    },
    /// More lines had to be dropped than [`Limits::max_repairs`](super::Limits::max_repairs)
    /// allows: the body is not a session description with a few flaws but garbage.
    #[error("more than {limit} lines needed repair")]
    TooManyRepairs {
        /// The limit.
        limit: usize,
    },
    /// The DESCRIBE response is not a success, so it carries no description.
    #[error("response status {status} carries no session description")]
    Status {
        /// The response's status.
        status: StatusCode,
    },
    /// The response's `Content-Type` is present and is not `application/sdp`.
    #[error("content type is not application/sdp")]
    NotSdp,
    /// The response has no body.
    #[error("response has no body")]
    EmptyBody,
    /// A value given to the builder cannot be written into SDP (caller misuse).
    #[error("invalid {what}")]
    InvalidArgument {
        /// Which value, e.g. `encoding name`, `fmtp parameter`.
        what: &'static str,
    },
    /// A URL could not be formed.
    #[error("invalid {what}: {source}")]
    Url {
        /// Which URL, e.g. `control URL`.
        what: &'static str,
        /// What the URL parser said.
        source: url::ParseError,
    },
}

/// Something in the description that was wrong but tolerated, and what was done about it.
///
/// Diagnostics are data, not log lines: a client can count them, show them, or refuse a
/// device that produces them. At most [`Limits::max_diagnostics`](super::Limits) are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// 1-based line number in the body as received, where one applies.
    pub line: Option<usize>,
    /// Index of the media description (in the order of the `m=` lines that were kept),
    /// where one applies.
    pub media: Option<usize>,
    /// What was wrong.
    pub kind: DiagnosticKind,
}

/// What a [`Diagnostic`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DiagnosticKind {
    /// `sdp-types` rejected the body as received, so it was normalised (line ends, white
    /// space, invalid UTF-8) and parsed again; see [`Presentation`](super::Presentation)'s
    /// tolerance notes.
    Normalized,
    /// The body did not start with `v=`; `v=0` was assumed.
    MissingVersion,
    /// A line was dropped because `sdp-types` rejected it.
    DroppedLine {
        /// The line's type letter (`o`, `c`, `t`, ...).
        key: char,
        /// The field `sdp-types` named.
        what: &'static str,
    },
    /// An `m=` line had an unreadable port (negative, too large); port 0 was assumed.
    MediaPortReplaced,
    /// A whole media description was skipped.
    SkippedMedia {
        /// Why, e.g. `m= line`, `payload type`, `media limit`.
        what: &'static str,
    },
    /// A format of an `m=` line is not an RTP payload type (0–127) and was ignored; the
    /// media is skipped if none is left.
    BadPayloadType,
    /// An attribute was ignored because its value is malformed.
    BadAttribute {
        /// The attribute's name.
        name: &'static str,
    },
    /// An fmtp parameter was dropped (no key, white space in the key, or over the limit).
    DroppedFmtpParam,
    /// A media description has no `a=control` although the presentation has several, so
    /// it has no control URL.
    MissingControl,
    /// A control URL could not be formed from the base URL and `a=control`.
    UnresolvedControl,
    /// A base-URL header could not be used; the next source in RFC 2326 C.1.1 order was.
    BadBaseUrl {
        /// `Content-Base` or `Content-Location`.
        header: &'static str,
    },
}
