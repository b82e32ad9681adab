//! # rtsp-proto
//!
//! A sans-IO implementation of RTSP 1.0 ([RFC 2326]) and RTSP 2.0 ([RFC 7826]): message
//! parsing and serialisation, typed headers, and (in later layers) session state machines
//! and RTP/RTCP.
//!
//! The crate owns no sockets, threads or clocks. The caller reads bytes from wherever it
//! likes (tokio, async-std, smol, blocking `std::net`, an embedded loop), hands them to the
//! crate, and writes out what the crate asks it to send.
//!
//! [`server::Server`] is the RTSP server state machine: connections, sessions, the
//! request/response cycle with typed answers from the application, and media fanned out
//! to every player (its module documentation shows the run loop).
//!
//! ## Decoding a connection
//!
//! ```
//! use bytes::BytesMut;
//! use rtsp_proto::message::{Decoder, Message};
//! use rtsp_proto::header::{CSeq, Session};
//!
//! let mut decoder = Decoder::new();
//! let mut buf = BytesMut::new();
//! // Whatever arrived from the socket, in any chunks:
//! buf.extend_from_slice(b"RTSP/1.0 200 OK\r\nCSeq: 3\r\nSession: 12345678;timeout=60\r\n\r\n");
//! buf.extend_from_slice(b"$\x00\x00\x04\x80\x60\x00\x01");
//! while let Some(msg) = decoder.decode(&mut buf)? {
//!     match msg {
//!         Message::Response(resp) => {
//!             assert_eq!(resp.cseq().unwrap()?, CSeq(3));
//!             let session = resp.headers.typed::<Session>().unwrap()?;
//!             assert_eq!((session.id.as_str(), session.timeout), ("12345678", Some(60)));
//!         }
//!         Message::Data(frame) => assert_eq!(frame.channel, 0),
//!         Message::Request(_) => unreachable!(),
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Playing a stream
//!
//! [`client::ClientSession`] is the RTSP client state machine: feed it the connection's
//! bytes, datagrams and timeouts; call intents (`describe`, `setup`, `play`, ...); poll
//! transmits, events (responses, packets, frames, diagnostics) and the next timeout. The
//! [`client`] module shows the run loop; `examples/client.rs` (blocking `std::net`) and
//! `examples/tokio_client.rs` drive it for real.
//!
//! [RFC 2326]: https://www.rfc-editor.org/rfc/rfc2326
//! [RFC 7826]: https://www.rfc-editor.org/rfc/rfc7826

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod auth;
pub mod client;
#[warn(clippy::indexing_slicing)]
pub mod codec;
#[warn(clippy::indexing_slicing)]
pub mod header;
#[warn(clippy::indexing_slicing)]
pub mod message;
#[warn(clippy::indexing_slicing)]
pub mod rtcp;
#[warn(clippy::indexing_slicing)]
pub mod rtp;
#[warn(clippy::indexing_slicing)]
pub mod sdp;
#[warn(clippy::indexing_slicing)]
pub mod server;
mod ssrc;
pub mod time;

pub use ssrc::Ssrc;

pub use client::{ClientConfig, ClientEvent, ClientSession};

pub use message::{
    Data, Decoder, HeaderName, HeaderValue, Headers, Message, Method, Request, Response,
    StatusCode, Version,
};

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
