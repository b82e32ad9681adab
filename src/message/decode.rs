//! Incremental decoding of an RTSP connection's byte stream.

use super::headers::{validate_value, HeaderName, HeaderValue, Headers};
use super::{Data, Message, Method, Request, Response, StatusCode, Version};
use bytes::{Buf, Bytes, BytesMut};

/// Bounds on everything a peer can make the decoder hold. Every field has a finite
/// default; a message that exceeds one is answered with a typed [`DecodeError`] before any
/// allocation sized by the peer.
///
/// ```
/// use rtsp_proto::message::Limits;
/// let mut limits = Limits::default();
/// limits.max_body = 64 * 1024;
/// assert_eq!(limits.max_headers, 64);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Longest request or status line, in bytes, line ending included. Default 4 KiB.
    pub max_start_line: usize,
    /// Longest header section (start line, header lines and the empty line), in bytes.
    /// Default 16 KiB.
    pub max_head: usize,
    /// Most header fields in one message (folded lines count once). Default 64.
    pub max_headers: usize,
    /// Largest body (`Content-Length`), in bytes. Default 256 KiB.
    pub max_body: usize,
    /// Largest interleaved frame payload, in bytes. Default 65,535 (the format's own
    /// maximum).
    pub max_interleaved: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_start_line: 4 * 1024,
            max_head: 16 * 1024,
            max_headers: 64,
            max_body: 256 * 1024,
            max_interleaved: 65_535,
        }
    }
}

/// A message the decoder could not accept. `pos` is the offset, counted from the first
/// byte ever given to this decoder, of the message start (or of the offending byte where
/// it is known).
///
/// After an error the decoder has already skipped the bad message (or is skipping to the
/// next line that starts a message or an interleaved frame), so the caller may keep
/// calling [`Decoder::decode`] on the same connection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("byte {pos}: {kind}")]
pub struct DecodeError {
    /// Stream offset of the problem.
    pub pos: u64,
    /// What went wrong.
    pub kind: DecodeErrorKind,
}

/// What went wrong while decoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The request or status line is longer than [`Limits::max_start_line`].
    #[error("start line exceeds {limit} bytes")]
    StartLineTooLong {
        /// The limit.
        limit: usize,
    },
    /// The header section is longer than [`Limits::max_head`].
    #[error("header section exceeds {limit} bytes")]
    HeadTooLarge {
        /// The limit.
        limit: usize,
    },
    /// More header fields than [`Limits::max_headers`].
    #[error("more than {limit} header fields")]
    TooManyHeaders {
        /// The limit.
        limit: usize,
    },
    /// `Content-Length` is larger than [`Limits::max_body`].
    #[error("body of {length} bytes exceeds {limit}")]
    BodyTooLarge {
        /// The announced length.
        length: u64,
        /// The limit.
        limit: usize,
    },
    /// An interleaved frame is larger than [`Limits::max_interleaved`]; the frame was
    /// skipped.
    #[error("interleaved frame of {length} bytes on channel {channel} exceeds {limit}")]
    FrameTooLarge {
        /// The frame's channel.
        channel: u8,
        /// The frame's length.
        length: usize,
        /// The limit.
        limit: usize,
    },
    /// The start line names a protocol version other than RTSP/1.0 and RTSP/2.0.
    #[error("unsupported protocol version")]
    UnsupportedVersion,
    /// A header value holds a control character (such as NUL) or is not UTF-8.
    #[error("invalid bytes in value of header {0}")]
    InvalidHeaderValue(HeaderName),
    /// The bytes do not follow the named grammar rule of RFC 7826 §20.2.
    #[error("invalid {0}")]
    Syntax(&'static str),
    /// The stream ended inside a message ([`Decoder::finish`]).
    #[error("stream ends inside a message")]
    Truncated,
}

impl DecodeError {
    /// The status code a server answers a request that failed this way with.
    pub fn status_code(&self) -> StatusCode {
        match self.kind {
            DecodeErrorKind::StartLineTooLong { .. } => StatusCode::REQUEST_URI_TOO_LONG,
            DecodeErrorKind::BodyTooLarge { .. } => StatusCode::REQUEST_MESSAGE_BODY_TOO_LARGE,
            DecodeErrorKind::UnsupportedVersion => StatusCode::RTSP_VERSION_NOT_SUPPORTED,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At a message boundary.
    Idle,
    /// Skipping the rest of an oversized interleaved frame.
    Discard(usize),
    /// Skipping bytes after a malformed message until a line that starts a message or a
    /// `$` frame.
    Resync { at_line_start: bool },
}

/// An incremental decoder for an RTSP connection: requests, responses and interleaved
/// binary frames, in stream order.
///
/// Feed it the connection's bytes in any chunks (the caller owns the [`BytesMut`] and
/// appends what it reads); each call to [`Decoder::decode`] splits one complete item off
/// the front of the buffer, zero-copy, or returns `Ok(None)` when more bytes are needed.
/// The decoder remembers how far it has scanned, so feeding one byte at a time costs
/// linear, not quadratic, time.
///
/// What real devices send is accepted: bare LF line endings, folded header lines, blank
/// lines before a message, CRLF before a `$` frame, trailing whitespace on header lines
/// (Longse cameras), a status line without a reason phrase, header names in any case.
///
/// ```
/// use bytes::BytesMut;
/// use rtsp_proto::message::{Decoder, Message};
///
/// let mut dec = Decoder::new();
/// let mut buf = BytesMut::new();
/// buf.extend_from_slice(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\n");
/// assert!(dec.decode(&mut buf).unwrap().is_none()); // incomplete
/// buf.extend_from_slice(b"\r\n$\x00\x00\x02hi");
/// let Some(Message::Response(resp)) = dec.decode(&mut buf).unwrap() else { panic!() };
/// assert_eq!(resp.status.as_u16(), 200);
/// let Some(Message::Data(data)) = dec.decode(&mut buf).unwrap() else { panic!() };
/// assert_eq!((data.channel, &data.payload[..]), (0, &b"hi"[..]));
/// ```
#[derive(Debug)]
pub struct Decoder {
    limits: Limits,
    state: State,
    /// Stream offset of `buf[0]`.
    consumed: u64,
    /// How many bytes of the current head have been searched for its end.
    scanned: usize,
    /// Whether the current head's start line has ended.
    line_seen: bool,
    /// A parsed head waiting for `usize` body bytes.
    pending: Option<(Message, usize)>,
}

impl Default for Decoder {
    fn default() -> Decoder {
        Decoder::new()
    }
}

impl Decoder {
    /// A decoder with the default [`Limits`].
    pub fn new() -> Decoder {
        Decoder::with_limits(Limits::default())
    }

    /// A decoder with the given limits.
    pub fn with_limits(limits: Limits) -> Decoder {
        Decoder {
            limits,
            state: State::Idle,
            consumed: 0,
            scanned: 0,
            line_seen: false,
            pending: None,
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// How many bytes this decoder has consumed from the stream so far.
    pub fn position(&self) -> u64 {
        self.consumed
    }

    /// Decodes the next item from the front of `buf`.
    ///
    /// Returns `Ok(Some(_))` with a complete item (its bytes removed from `buf`),
    /// `Ok(None)` when `buf` holds no complete item yet (keep reading and call again), or
    /// an error for a malformed item, after which decoding can continue: call again.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Message>, DecodeError> {
        loop {
            match self.state {
                State::Discard(n) => {
                    let k = n.min(buf.len());
                    self.advance(buf, k);
                    if k < n {
                        self.state = State::Discard(n - k);
                        return Ok(None);
                    }
                    self.state = State::Idle;
                }
                State::Resync { at_line_start } => {
                    if !self.resync(buf, at_line_start) {
                        return Ok(None);
                    }
                }
                State::Idle => {
                    if let Some((_, len)) = &self.pending {
                        let len = *len;
                        if buf.len() < len {
                            return Ok(None);
                        }
                        let body = buf.split_to(len).freeze();
                        self.consumed += len as u64;
                        let Some((mut msg, _)) = self.pending.take() else {
                            return Ok(None);
                        };
                        match &mut msg {
                            Message::Request(r) => r.body = body,
                            Message::Response(r) => r.body = body,
                            Message::Data(_) => {}
                        }
                        return Ok(Some(msg));
                    }
                    return self.decode_idle(buf);
                }
            }
        }
    }

    /// Checks that the stream may end here: returns [`DecodeErrorKind::Truncated`] when
    /// `buf` holds part of a message or frame (blank lines are fine).
    pub fn finish(&mut self, buf: &BytesMut) -> Result<(), DecodeError> {
        let only_blank = buf.iter().all(|&b| b == b'\r' || b == b'\n');
        let partial = match self.state {
            State::Idle => self.pending.is_some() || !only_blank,
            State::Discard(_) => true,
            State::Resync { .. } => false,
        };
        if partial {
            return Err(DecodeError {
                pos: self.consumed,
                kind: DecodeErrorKind::Truncated,
            });
        }
        Ok(())
    }

    fn advance(&mut self, buf: &mut BytesMut, n: usize) {
        buf.advance(n);
        self.consumed += n as u64;
    }

    fn error(&self, offset: usize, kind: DecodeErrorKind) -> DecodeError {
        DecodeError {
            pos: self.consumed + offset as u64,
            kind,
        }
    }

    /// Fails the message at the front of `buf`: skips `skip` bytes and resynchronises.
    fn fail(
        &mut self,
        buf: &mut BytesMut,
        skip: usize,
        offset: usize,
        kind: DecodeErrorKind,
    ) -> DecodeError {
        let err = self.error(offset, kind);
        let skip = skip.min(buf.len());
        self.advance(buf, skip);
        self.scanned = 0;
        self.line_seen = false;
        self.state = State::Resync {
            at_line_start: skip > 0,
        };
        err
    }

    /// Skips bytes until the start of a line that may begin a message or a frame.
    /// Returns true when decoding can resume (state is `Idle`).
    fn resync(&mut self, buf: &mut BytesMut, mut at_line_start: bool) -> bool {
        loop {
            if at_line_start {
                match looks_like_message_start(buf) {
                    Some(true) => {
                        self.state = State::Idle;
                        return true;
                    }
                    None => {
                        self.state = State::Resync { at_line_start };
                        return false;
                    }
                    Some(false) => {}
                }
            }
            match memchr::memchr(b'\n', buf) {
                Some(i) => {
                    self.advance(buf, i + 1);
                    at_line_start = true;
                }
                None => {
                    let n = buf.len();
                    self.advance(buf, n);
                    self.state = State::Resync {
                        at_line_start: false,
                    };
                    return false;
                }
            }
        }
    }

    fn decode_idle(&mut self, buf: &mut BytesMut) -> Result<Option<Message>, DecodeError> {
        // Blank lines between messages (and before `$` frames) are skipped.
        let blanks = buf
            .iter()
            .position(|&b| b != b'\r' && b != b'\n')
            .unwrap_or(buf.len());
        if blanks > 0 {
            self.advance(buf, blanks);
            self.scanned = 0;
            self.line_seen = false;
        }
        let Some(&first) = buf.first() else {
            return Ok(None);
        };
        if first == b'$' {
            return self.decode_frame(buf);
        }
        if !super::is_token_byte(first) {
            return Err(self.fail(buf, 0, 0, DecodeErrorKind::Syntax("start-line")));
        }
        let Some(head_len) = self.find_head_end(buf)? else {
            return Ok(None);
        };
        self.scanned = 0;
        self.line_seen = false;
        let head = buf.split_to(head_len).freeze();
        let start = self.consumed;
        self.consumed += head_len as u64;
        let (msg, body_len) = match parse_head(&head, &self.limits) {
            Ok(v) => v,
            Err((offset, kind)) => {
                self.state = State::Resync {
                    at_line_start: true,
                };
                return Err(DecodeError {
                    pos: start + offset as u64,
                    kind,
                });
            }
        };
        if body_len == 0 {
            return Ok(Some(msg));
        }
        if buf.len() >= body_len {
            let body = buf.split_to(body_len).freeze();
            self.consumed += body_len as u64;
            let mut msg = msg;
            match &mut msg {
                Message::Request(r) => r.body = body,
                Message::Response(r) => r.body = body,
                Message::Data(_) => {}
            }
            return Ok(Some(msg));
        }
        // Bounded by `max_body`, checked in `parse_head`.
        buf.reserve(body_len - buf.len());
        self.pending = Some((msg, body_len));
        Ok(None)
    }

    fn decode_frame(&mut self, buf: &mut BytesMut) -> Result<Option<Message>, DecodeError> {
        let Some(&[_, channel, hi, lo]) = buf.first_chunk::<4>() else {
            return Ok(None);
        };
        let length = usize::from(u16::from_be_bytes([hi, lo]));
        if length > self.limits.max_interleaved {
            let err = self.error(
                0,
                DecodeErrorKind::FrameTooLarge {
                    channel,
                    length,
                    limit: self.limits.max_interleaved,
                },
            );
            self.advance(buf, 4);
            self.state = State::Discard(length);
            return Err(err);
        }
        let total = 4 + length;
        if buf.len() < total {
            buf.reserve(total - buf.len());
            return Ok(None);
        }
        let mut frame = buf.split_to(total).freeze();
        frame.advance(4);
        self.consumed += total as u64;
        Ok(Some(Message::Data(Data {
            channel,
            payload: frame,
        })))
    }

    /// Finds the end of the header section (the byte after the empty line), scanning only
    /// bytes not scanned before. Enforces the start-line and head limits.
    fn find_head_end(&mut self, buf: &mut BytesMut) -> Result<Option<usize>, DecodeError> {
        let limits = self.limits;
        let mut i = self.scanned;
        loop {
            let rest = buf.get(i..).unwrap_or(&[]);
            let Some(nl) = memchr::memchr(b'\n', rest) else {
                self.scanned = buf.len();
                break;
            };
            let at = i + nl;
            if !self.line_seen {
                self.line_seen = true;
                if at >= limits.max_start_line {
                    return Err(self.fail(
                        buf,
                        0,
                        0,
                        DecodeErrorKind::StartLineTooLong {
                            limit: limits.max_start_line,
                        },
                    ));
                }
            }
            match (buf.get(at + 1), buf.get(at + 2)) {
                (Some(b'\n'), _) => return self.check_head_len(buf, at + 2),
                (Some(b'\r'), Some(b'\n')) => return self.check_head_len(buf, at + 3),
                (None, _) | (Some(b'\r'), None) => {
                    // Cannot tell yet; rescan from this newline next time.
                    self.scanned = at;
                    break;
                }
                _ => i = at + 1,
            }
        }
        if !self.line_seen && buf.len() >= limits.max_start_line {
            return Err(self.fail(
                buf,
                0,
                0,
                DecodeErrorKind::StartLineTooLong {
                    limit: limits.max_start_line,
                },
            ));
        }
        if buf.len() > limits.max_head {
            return Err(self.fail(
                buf,
                0,
                0,
                DecodeErrorKind::HeadTooLarge {
                    limit: limits.max_head,
                },
            ));
        }
        Ok(None)
    }

    fn check_head_len(
        &mut self,
        buf: &mut BytesMut,
        len: usize,
    ) -> Result<Option<usize>, DecodeError> {
        if len > self.limits.max_head {
            return Err(self.fail(
                buf,
                len,
                0,
                DecodeErrorKind::HeadTooLarge {
                    limit: self.limits.max_head,
                },
            ));
        }
        Ok(Some(len))
    }
}

/// Whether `buf` (at a line start) plausibly begins a message or an interleaved frame.
/// `None` means more bytes are needed to tell.
fn looks_like_message_start(buf: &[u8]) -> Option<bool> {
    let first = *buf.first()?;
    if first == b'$' {
        // An RTP or RTCP packet starts with version 2 in its top bits.
        let b = *buf.get(4)?;
        return Some(b >> 6 == 2);
    }
    if first == b'\r' || first == b'\n' {
        return Some(true);
    }
    if buf.starts_with(b"RTSP/") {
        return Some(true);
    }
    if b"RTSP/".starts_with(buf) {
        return None;
    }
    // A request line: an upper-case method token followed by a space.
    for (i, &b) in buf.iter().enumerate() {
        match b {
            b'A'..=b'Z' | b'_' | b'-' => {}
            b' ' => return Some(i >= 3),
            _ => return Some(false),
        }
        if i > 32 {
            return Some(false);
        }
    }
    None
}

type HeadError = (usize, DecodeErrorKind);

/// Splits the next line (without its terminator) off `head[pos..]`, returning the line's
/// range and the position after its terminator.
#[inline]
fn next_line(head: &[u8], pos: usize) -> Option<(usize, usize, usize)> {
    let rest = head.get(pos..)?;
    let nl = memchr::memchr(b'\n', rest)?;
    let mut end = pos + nl;
    if end > pos && head.get(end - 1) == Some(&b'\r') {
        end -= 1;
    }
    Some((pos, end, pos + nl + 1))
}

#[inline]
fn trim_end(head: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && matches!(head.get(end - 1), Some(b' ' | b'\t')) {
        end -= 1;
    }
    end
}

#[inline]
fn trim_start(head: &[u8], mut start: usize, end: usize) -> usize {
    while start < end && matches!(head.get(start), Some(b' ' | b'\t')) {
        start += 1;
    }
    start
}

/// Parses a complete header section (start line through the empty line). Returns the
/// message without its body and the body length.
fn parse_head(head: &Bytes, limits: &Limits) -> Result<(Message, usize), HeadError> {
    let bytes: &[u8] = head;
    let (ls, le, mut pos) =
        next_line(bytes, 0).ok_or((0, DecodeErrorKind::Syntax("start-line")))?;
    let le = trim_end(bytes, ls, le);
    let line = bytes.get(ls..le).unwrap_or(&[]);

    let mut msg = if line.starts_with(b"RTSP/") {
        parse_status_line(head, ls, le)?
    } else {
        parse_request_line(head, line, ls, le)?
    };

    let headers = match &mut msg {
        Message::Request(r) => &mut r.headers,
        Message::Response(r) => &mut r.headers,
        Message::Data(_) => return Err((0, DecodeErrorKind::Syntax("start-line"))),
    };
    let mut content_length: Option<u64> = None;

    while let Some((s, e, next)) = next_line(bytes, pos) {
        let line_pos = pos;
        pos = next;
        if s == e {
            break; // the empty line
        }
        let first = bytes.get(s).copied().unwrap_or(b' ');
        if first == b' ' || first == b'\t' {
            // obs-fold: continuation of the previous field's value.
            let vs = trim_start(bytes, s, e);
            let ve = trim_end(bytes, vs, e);
            let Some((name, value)) = headers.last_mut() else {
                return Err((line_pos, DecodeErrorKind::Syntax("header-field")));
            };
            let cont = bytes.get(vs..ve).unwrap_or(&[]);
            if validate_value(cont).is_err() {
                return Err((line_pos, DecodeErrorKind::InvalidHeaderValue(name.clone())));
            }
            if !cont.is_empty() {
                let mut joined = BytesMut::with_capacity(value.as_bytes().len() + 1 + cont.len());
                joined.extend_from_slice(value.as_bytes());
                if !joined.is_empty() {
                    joined.extend_from_slice(b" ");
                }
                joined.extend_from_slice(cont);
                *value = HeaderValue::from_validated(joined.freeze());
            }
            continue;
        }
        if headers.len() >= limits.max_headers {
            return Err((
                line_pos,
                DecodeErrorKind::TooManyHeaders {
                    limit: limits.max_headers,
                },
            ));
        }
        let line = bytes.get(s..e).unwrap_or(&[]);
        let colon = memchr::memchr(b':', line)
            .ok_or((line_pos, DecodeErrorKind::Syntax("header-field")))?;
        // Some devices put whitespace before the colon; tolerate it.
        let name_end = trim_end(bytes, s, s + colon);
        let name = HeaderName::from_shared(head.slice(s..name_end))
            .map_err(|_| (line_pos, DecodeErrorKind::Syntax("field-name")))?;
        let vs = trim_start(bytes, s + colon + 1, e);
        let ve = trim_end(bytes, vs, e);
        let raw = bytes.get(vs..ve).unwrap_or(&[]);
        if validate_value(raw).is_err() {
            return Err((vs, DecodeErrorKind::InvalidHeaderValue(name)));
        }
        if name == HeaderName::CONTENT_LENGTH {
            let n =
                parse_content_length(raw).ok_or((vs, DecodeErrorKind::Syntax("Content-Length")))?;
            if content_length.is_some_and(|prev| prev != n) {
                return Err((vs, DecodeErrorKind::Syntax("Content-Length")));
            }
            content_length = Some(n);
        }
        headers.push_raw(name, HeaderValue::from_validated(head.slice(vs..ve)));
    }

    let body_len = content_length.unwrap_or(0);
    if body_len > limits.max_body as u64 {
        return Err((
            0,
            DecodeErrorKind::BodyTooLarge {
                length: body_len,
                limit: limits.max_body,
            },
        ));
    }
    Ok((msg, body_len as usize))
}

fn parse_content_length(raw: &[u8]) -> Option<u64> {
    if raw.is_empty() || raw.len() > 19 {
        return None;
    }
    let mut n: u64 = 0;
    for &b in raw {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(b - b'0');
    }
    Some(n)
}

fn parse_status_line(head: &Bytes, ls: usize, le: usize) -> Result<Message, HeadError> {
    let bytes: &[u8] = head;
    let line = bytes.get(ls..le).unwrap_or(&[]);
    let sp = memchr::memchr(b' ', line).ok_or((ls, DecodeErrorKind::Syntax("status-line")))?;
    let version = match Version::parse(line.get(..sp).unwrap_or(&[])) {
        Some(Ok(v)) => v,
        Some(Err(())) => return Err((ls, DecodeErrorKind::UnsupportedVersion)),
        None => return Err((ls, DecodeErrorKind::Syntax("RTSP-Version"))),
    };
    let cs = trim_start(bytes, ls + sp + 1, le);
    let code_bytes = bytes.get(cs..(cs + 3).min(le)).unwrap_or(&[]);
    let status =
        StatusCode::parse(code_bytes).ok_or((cs, DecodeErrorKind::Syntax("Status-Code")))?;
    let after = cs + 3;
    let reason = match bytes.get(after) {
        None => Bytes::new(),
        Some(b' ' | b'\t') if after < le => {
            let rs = trim_start(bytes, after, le);
            head.slice(rs..le)
        }
        Some(_) if after >= le => Bytes::new(),
        Some(_) => return Err((after, DecodeErrorKind::Syntax("Status-Code"))),
    };
    if reason
        .iter()
        .any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f)
    {
        return Err((after, DecodeErrorKind::Syntax("Reason-Phrase")));
    }
    Ok(Message::Response(Response {
        version,
        status,
        reason,
        headers: Headers::with_capacity(8),
        body: Bytes::new(),
    }))
}

fn parse_request_line(
    head: &Bytes,
    line: &[u8],
    ls: usize,
    le: usize,
) -> Result<Message, HeadError> {
    let sp1 = memchr::memchr(b' ', line).ok_or((ls, DecodeErrorKind::Syntax("Request-Line")))?;
    let sp2 = memchr::memrchr(b' ', line).ok_or((ls, DecodeErrorKind::Syntax("Request-Line")))?;
    if sp2 <= sp1 {
        return Err((ls, DecodeErrorKind::Syntax("Request-Line")));
    }
    let method = Method::from_shared(head.slice(ls..ls + sp1))
        .map_err(|_| (ls, DecodeErrorKind::Syntax("Method")))?;
    let version = match Version::parse(line.get(sp2 + 1..).unwrap_or(&[])) {
        Some(Ok(v)) => v,
        Some(Err(())) => return Err((ls + sp2 + 1, DecodeErrorKind::UnsupportedVersion)),
        None => {
            let v = line.get(sp2 + 1..).unwrap_or(&[]);
            // Another protocol's version (e.g. HTTP/1.1 tunnelling): unsupported version.
            if v.contains(&b'/') {
                return Err((ls + sp2 + 1, DecodeErrorKind::UnsupportedVersion));
            }
            return Err((ls + sp2 + 1, DecodeErrorKind::Syntax("RTSP-Version")));
        }
    };
    let us = ls + sp1 + 1;
    let ue = ls + sp2;
    let uri = head.slice(us..ue);
    if uri.is_empty()
        || uri.iter().any(|&b| b <= b' ' || b == 0x7f)
        || (uri.iter().any(|&b| b >= 0x80) && std::str::from_utf8(&uri).is_err())
    {
        return Err((us, DecodeErrorKind::Syntax("Request-URI")));
    }
    let _ = le;
    Ok(Message::Request(Request {
        method,
        uri,
        version,
        headers: Headers::with_capacity(8),
        body: Bytes::new(),
    }))
}
