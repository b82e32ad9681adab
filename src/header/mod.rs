//! Typed headers: parse and format the header fields of RFC 2326 §12 and RFC 7826 §18.
//!
//! Each typed header implements [`TypedHeader`]; read one with
//! [`Headers::typed`](crate::Headers::typed) and write one with
//! [`Headers::insert_typed`](crate::Headers::insert_typed). Parsing is lenient where real
//! devices deviate from the grammar (each leniency is documented on the type, with the
//! device seen doing it) and strict everywhere else; formatting always writes the
//! canonical form, and `parse(format(h)) == h`.
//!
//! Unknown headers stay accessible as raw values through [`Headers`](crate::Headers).

mod basic;
mod range;
mod session;
pub mod syntax;
mod transport;

pub use basic::{CSeq, ContentLength};
pub use range::{NptTime, Range, RangeSpec, SmpteTime, SmpteType, TimeRange, UtcTime};
pub use session::Session;
pub use transport::{
    ChannelRange, ConnectionReuse, Delivery, LowerTransport, Mode, PortRange, Profile, SetupRole,
    Ssrc, Transport, TransportId, TransportSpec,
};

mod auth;
mod content;
mod list_util;
mod lists;
mod misc;
mod rtp_info;
pub use auth::{
    AuthData, AuthScheme, Authorization, Challenge, Credentials, ProxyAuthenticate,
    ProxyAuthorization, WwwAuthenticate,
};
pub use content::{
    Accept, ContentBase, ContentLocation, ContentType, Location, MediaRange, QValue,
};
pub use lists::{
    AcceptRanges, Allow, ProxyRequire, ProxySupported, Public, RangeUnit, Require, Supported,
    Unsupported,
};
pub use misc::{
    MediaProperties, MediaProperty, NotifyReason, PipelinedRequests, Scale, ScaleEntry, SeekStyle,
    Speed,
};
pub use rtp_info::{RtpInfo, RtpInfoEntry, RtpInfoForm};

use crate::message::HeaderName;

/// A header with a typed representation.
pub trait TypedHeader: Sized {
    /// The header's name.
    fn name() -> HeaderName;

    /// Parses one field value (the text after the colon, already trimmed).
    fn parse(value: &str) -> Result<Self, HeaderError>;

    /// Writes the field value in canonical form.
    fn format(&self, out: &mut String);

    /// Parses every field of this name in a message, in order. The default uses the first
    /// field and ignores repeats (right for single-valued headers such as `CSeq`); list
    /// headers override it to combine repeated fields, as RFC 7826 §20.2 allows.
    fn parse_values<'a, I: Iterator<Item = &'a str>>(mut values: I) -> Result<Self, HeaderError> {
        match values.next() {
            Some(v) => Self::parse(v),
            None => Err(HeaderError::new(
                Self::name(),
                0,
                HeaderErrorKind::Missing("value"),
            )),
        }
    }

    /// The formatted value as a new string.
    fn to_value_string(&self) -> String {
        let mut s = String::new();
        self.format(&mut s);
        s
    }
}

/// A typed header value that does not follow its grammar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{header} header, byte {pos}: {kind}")]
pub struct HeaderError {
    /// The header's name.
    pub header: HeaderName,
    /// Byte offset in the field value where the problem was found.
    pub pos: usize,
    /// What is wrong.
    pub kind: HeaderErrorKind,
}

impl HeaderError {
    /// A new error.
    pub fn new(header: HeaderName, pos: usize, kind: HeaderErrorKind) -> HeaderError {
        HeaderError { header, pos, kind }
    }
}

/// What is wrong with a header value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderErrorKind {
    /// The text does not match the named grammar rule.
    #[error("invalid {0}")]
    Syntax(&'static str),
    /// A number is out of the rule's range.
    #[error("{0} out of range")]
    OutOfRange(&'static str),
    /// A required part is missing.
    #[error("missing {0}")]
    Missing(&'static str),
    /// A list has more items than the limit.
    #[error("more than {limit} {what}")]
    TooMany {
        /// What was counted.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
}
