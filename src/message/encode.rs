//! Writing messages to the wire.

use super::{Data, Headers, Message, Request, Response};
use bytes::{BufMut, BytesMut};

/// Error for an interleaved frame whose payload does not fit the 16-bit length field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("interleaved payload of {0} bytes exceeds 65535")]
pub struct FrameTooLong(pub usize);

impl Request {
    /// Writes the request (start line, headers, empty line, body) to `out`.
    ///
    /// Headers are written as they are: [`Request::builder`] sets `Content-Length`, a
    /// request assembled by hand must carry it when it has a body.
    pub fn encode(&self, out: &mut BytesMut) {
        let len = self.method.as_str().len() + self.uri.len() + 12 + headers_len(&self.headers);
        out.reserve(len + self.body.len());
        out.put_slice(self.method.as_str().as_bytes());
        out.put_u8(b' ');
        out.put_slice(&self.uri);
        out.put_u8(b' ');
        out.put_slice(self.version.as_str().as_bytes());
        out.put_slice(b"\r\n");
        encode_headers(&self.headers, out);
        out.put_slice(b"\r\n");
        out.put_slice(&self.body);
    }
}

impl Response {
    /// Writes the response (status line, headers, empty line, body) to `out`.
    pub fn encode(&self, out: &mut BytesMut) {
        out.reserve(16 + self.reason.len() + headers_len(&self.headers) + self.body.len());
        out.put_slice(self.version.as_str().as_bytes());
        out.put_u8(b' ');
        out.put_slice(&self.status.digits());
        out.put_u8(b' ');
        out.put_slice(&self.reason);
        out.put_slice(b"\r\n");
        encode_headers(&self.headers, out);
        out.put_slice(b"\r\n");
        out.put_slice(&self.body);
    }
}

impl Data {
    /// Writes the frame (`$`, channel, 16-bit length, payload) to `out`.
    pub fn encode(&self, out: &mut BytesMut) -> Result<(), FrameTooLong> {
        encode_frame(self.channel, &self.payload, out)
    }
}

/// Writes an interleaved frame for `payload` on `channel` without building a [`Data`].
pub fn encode_frame(channel: u8, payload: &[u8], out: &mut BytesMut) -> Result<(), FrameTooLong> {
    let len = u16::try_from(payload.len()).map_err(|_| FrameTooLong(payload.len()))?;
    out.reserve(4 + payload.len());
    out.put_u8(b'$');
    out.put_u8(channel);
    out.put_u16(len);
    out.put_slice(payload);
    Ok(())
}

impl Message {
    /// Writes the message to `out`.
    pub fn encode(&self, out: &mut BytesMut) -> Result<(), FrameTooLong> {
        match self {
            Message::Request(r) => r.encode(out),
            Message::Response(r) => r.encode(out),
            Message::Data(d) => return d.encode(out),
        }
        Ok(())
    }
}

fn headers_len(headers: &Headers) -> usize {
    headers
        .iter()
        .map(|(n, v)| n.as_str().len() + v.as_bytes().len() + 4)
        .sum()
}

fn encode_headers(headers: &Headers, out: &mut BytesMut) {
    for (name, value) in headers {
        let name = name.as_str();
        if name.is_empty() {
            continue;
        }
        out.put_slice(name.as_bytes());
        out.put_slice(b": ");
        out.put_slice(value.as_bytes());
        out.put_slice(b"\r\n");
    }
}
