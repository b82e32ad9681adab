//! RTP payload formats: depacketizers that turn RTP packets into frames (access units,
//! audio frames, JPEG pictures) and packetizers that turn frames back into RTP payloads.
//!
//! One file per codec. Every depacketizer implements [`Depacketizer`]: the caller pushes
//! the packets of one stream in sequence order (after a reorder buffer, for UDP) and pulls
//! the frames that are complete. Every packetizer implements [`Packetizer`]: it splits a
//! frame into payloads no larger than the configured MTU and hands each to a callback as a
//! gather list, so the RTP layer can write header and payload into one buffer without an
//! intermediate copy.
//!
//! Robustness contract, shared by all codecs:
//! - loss in the middle of a fragmented unit drops that unit and sets [`Frame::loss`] on
//!   the next frame emitted; corrupt data is never emitted silently;
//! - every depacketizer bounds what it buffers ([`DepacketizerLimits`]); exceeding a bound
//!   drops the frame with an error, it never grows without limit;
//! - where real devices deviate and the right behaviour is a choice, the codec has a named
//!   policy with a safe default, documented with the device seen doing it.

use bytes::{Buf, Bytes};

/// One RTP packet as a depacketizer needs it: the header fields that matter to payload
/// formats and the payload (padding and header extension already removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpPacket {
    /// The RTP sequence number.
    pub sequence_number: u16,
    /// The RTP timestamp, in the payload format's clock rate.
    pub timestamp: u32,
    /// The RTP marker bit (end of access unit for video, start of talkspurt for audio).
    pub marker: bool,
    /// The RTP payload type.
    pub payload_type: u8,
    /// The payload.
    pub payload: Bytes,
}

/// A packet for [`Depacketizer::push_framed`]: the header fields of an [`RtpPacket`] and
/// one buffer holding the four bytes [`Depacketizer::frame_prefix`] asked for, then the
/// payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FramedPacket {
    /// The RTP sequence number.
    pub sequence_number: u16,
    /// The RTP timestamp, in the payload format's clock rate.
    pub timestamp: u32,
    /// The RTP marker bit.
    pub marker: bool,
    /// The RTP payload type.
    pub payload_type: u8,
    /// Four prefix bytes, then the payload (a shorter buffer holds an empty payload).
    pub framed: Bytes,
}

impl FramedPacket {
    /// The payload: what follows the four prefix bytes.
    pub fn payload(&self) -> &[u8] {
        self.framed.get(4..).unwrap_or_default()
    }

    /// The packet as [`Depacketizer::push`] takes it: the prefix cut off, without
    /// copying.
    pub fn into_packet(self) -> RtpPacket {
        let mut payload = self.framed;
        payload.advance(payload.len().min(4));
        RtpPacket {
            sequence_number: self.sequence_number,
            timestamp: self.timestamp,
            marker: self.marker,
            payload_type: self.payload_type,
            payload,
        }
    }
}

/// A complete frame produced by a depacketizer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The RTP timestamp of the frame (for audio with several frames per packet, the
    /// timestamp of this frame, computed from the packet's).
    pub timestamp: u32,
    /// The frame's bytes, in the format the depacketizer documents (for example Annex B
    /// or length-prefixed NAL units for H.264).
    pub data: Bytes,
    /// True when the frame can be decoded without earlier frames (an IDR access unit, a
    /// JPEG picture, any audio frame).
    pub keyframe: bool,
    /// Packets were lost since the previous frame emitted (the frames they carried, and
    /// any partially received unit, were dropped).
    pub loss: bool,
}

/// Bounds on what a depacketizer buffers for one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DepacketizerLimits {
    /// Largest frame, in bytes. Default 4 MiB.
    pub max_frame_size: usize,
    /// Most packets (fragments) contributing to one frame. Default 4,096.
    pub max_fragments: usize,
    /// Most frames waiting to be pulled. Default 64.
    pub max_pending_frames: usize,
}

impl Default for DepacketizerLimits {
    fn default() -> DepacketizerLimits {
        DepacketizerLimits {
            max_frame_size: 4 * 1024 * 1024,
            max_fragments: 4096,
            max_pending_frames: 64,
        }
    }
}

/// Why a packet could not be depacketized. The depacketizer has already dropped whatever
/// partial frame the packet belonged to; the caller may keep pushing packets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DepacketizeError {
    /// The payload does not follow the payload format (the rule is named).
    #[error("seq {seq}: invalid {rule}")]
    Malformed {
        /// The packet's sequence number.
        seq: u16,
        /// The payload format rule that was violated, e.g. "FU-A header".
        rule: &'static str,
    },
    /// The payload uses a feature of the format this depacketizer does not support
    /// (for example H.264 STAP-B, MTAP or FU-B).
    #[error("seq {seq}: unsupported {what}")]
    Unsupported {
        /// The packet's sequence number.
        seq: u16,
        /// What is not supported.
        what: &'static str,
    },
    /// A frame grew beyond [`DepacketizerLimits::max_frame_size`] or
    /// [`DepacketizerLimits::max_fragments`] and was dropped.
    #[error("seq {seq}: frame exceeds {limit}")]
    FrameTooLarge {
        /// The packet's sequence number.
        seq: u16,
        /// Which limit: "max_frame_size" or "max_fragments".
        limit: &'static str,
    },
    /// More than [`DepacketizerLimits::max_pending_frames`] frames were waiting; the
    /// oldest was dropped. Call [`Depacketizer::pull`] after every push.
    #[error("too many frames waiting to be pulled")]
    Backlog,
}

/// Turns the RTP packets of one stream into frames.
///
/// Contract: push packets in sequence order (duplicates removed, gaps allowed: a gap is a
/// loss); after each push, call [`Depacketizer::pull`] until it returns `None`.
pub trait Depacketizer {
    /// Takes one packet. An error drops the frame the packet belonged to; the
    /// depacketizer stays usable.
    fn push(&mut self, packet: RtpPacket) -> Result<(), DepacketizeError>;

    /// Zero-copy hook, part one: the four bytes a frame made of `payload` alone would
    /// start with (an H.264/H.265 start code or length prefix), when the payload could
    /// become such a frame. `None` (the default) when the depacketizer never returns
    /// payloads as frames in place.
    ///
    /// A caller that owns the buffer the payload sits in (an RTP packet just cut from the
    /// input, whose header is no longer needed) writes these bytes right before the
    /// payload and hands the whole to [`push_framed`](Self::push_framed).
    fn frame_prefix(&self, payload: &[u8]) -> Option<[u8; 4]> {
        let _ = payload;
        None
    }

    /// Zero-copy hook, part two: like [`push`](Self::push), with the packet's payload
    /// in `packet.framed` right after the bytes [`frame_prefix`](Self::frame_prefix)
    /// returned for it. A depacketizer may return that buffer as a frame's data instead
    /// of copying the payload (it checks the prefix is the one it wants and copies
    /// otherwise). The default pushes the payload alone.
    ///
    /// ```
    /// use bytes::{BufMut, BytesMut};
    /// use rtsp_proto::codec::h264::{H264Config, H264Depacketizer};
    /// use rtsp_proto::codec::{Depacketizer, FramedPacket};
    ///
    /// let mut d = H264Depacketizer::new(H264Config::default());
    /// // A received packet: a 12-byte RTP header, then an IDR slice as a single NAL unit.
    /// let mut buf = BytesMut::zeroed(12);
    /// buf.put_slice(&[0x65, 0x88, 0x84, 0x21]);
    /// let prefix = d.frame_prefix(&buf[12..]).expect("a single NAL unit");
    /// buf[8..12].copy_from_slice(&prefix); // the header was parsed already
    /// let framed = buf.freeze().slice(8..);
    /// let packet = FramedPacket {
    ///     sequence_number: 1,
    ///     timestamp: 90_000,
    ///     marker: true,
    ///     payload_type: 96,
    ///     framed: framed.clone(),
    /// };
    /// d.push_framed(packet).unwrap();
    /// let frame = d.pull().unwrap();
    /// assert_eq!(&frame.data[..], &[0, 0, 0, 1, 0x65, 0x88, 0x84, 0x21]);
    /// assert_eq!(frame.data.as_ptr(), framed.as_ptr()); // not copied
    /// ```
    fn push_framed(&mut self, packet: FramedPacket) -> Result<(), DepacketizeError> {
        self.push(packet.into_packet())
    }

    /// The next complete frame, if any.
    fn pull(&mut self) -> Option<Frame>;

    /// Signals the end of the stream (or a pause): a frame held back waiting for a
    /// boundary (for example an access unit without a marker bit) is completed and can
    /// be pulled.
    fn flush(&mut self);
}

/// Why a frame could not be packetized.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PacketizeError {
    /// The frame is not in the format the packetizer expects (the rule is named).
    #[error("invalid input frame: {0}")]
    InvalidFrame(&'static str),
    /// The MTU is too small for the payload format's headers.
    #[error("mtu {0} is too small")]
    MtuTooSmall(usize),
}

/// One RTP payload produced by a packetizer, as a gather list: the payload is the
/// concatenation of `parts`.
#[derive(Debug, Clone, Copy)]
pub struct Payload<'a> {
    /// The pieces of the payload, in order.
    pub parts: &'a [&'a [u8]],
    /// The marker bit for this packet.
    pub marker: bool,
    /// The RTP timestamp for this packet (usually the frame's).
    pub timestamp: u32,
}

impl Payload<'_> {
    /// The payload's total length.
    pub fn len(&self) -> usize {
        self.parts.iter().map(|p| p.len()).sum()
    }

    /// True for an empty payload.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The payload as one contiguous buffer (allocates; for tests and simple callers).
    pub fn to_bytes(&self) -> Bytes {
        let mut v = Vec::with_capacity(self.len());
        for p in self.parts {
            v.extend_from_slice(p);
        }
        Bytes::from(v)
    }
}

/// Splits frames into RTP payloads.
pub trait Packetizer {
    /// Packetizes one frame taken at RTP time `timestamp`, calling `emit` once per RTP
    /// packet, in order.
    fn packetize(
        &mut self,
        timestamp: u32,
        frame: &[u8],
        emit: &mut dyn FnMut(Payload<'_>),
    ) -> Result<(), PacketizeError>;
}

// Video payload formats.
pub mod h264;
pub mod h265;
pub mod nal;

// Audio and JPEG payload formats.
pub mod aac;
pub mod fmtp;
pub mod g711;
pub mod l16;
pub mod latm;
pub mod mjpeg;
pub mod opus;
