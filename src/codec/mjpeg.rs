//! Motion JPEG, [RFC 2435].
//!
//! Each RTP packet carries an 8-byte JPEG header (fragment offset, type, Q, width and
//! height in 8-pixel units), a restart marker header for types 64-127 ([RFC 2435 §3.1.7]),
//! quantization tables in the first packet when Q is 128-255 ([RFC 2435 §3.1.8]), and a
//! piece of the entropy-coded scan. The marker bit ends a frame.
//!
//! [`MjpegDepacketizer`] reassembles a frame and rebuilds a complete baseline JPEG file
//! (SOI, DQT, SOF0, DRI, the standard DHT tables of [RFC 2435 Appendix B], SOS, the scan,
//! EOI) that any image decoder opens. Tables for Q 1-99 are computed as in
//! [RFC 2435 Appendix A]; in-band tables for Q 128-254 are cached and reused when a later
//! frame sends a zero-length table header. Only types 0 and 1 (4:2:2 and 4:2:0 YUV, with or
//! without restart markers) are defined by the RFC; other types are rejected.
//!
//! [`MjpegPacketizer`] goes the other way: it parses a baseline JPEG/JFIF file's DQT, SOF0,
//! DHT, DRI and SOS segments and sends the scan with the RFC 2435 headers, either with Q=255
//! and the tables in-band, or with the Q (1-99) whose standard tables equal the file's.
//! The Huffman tables must be the standard ones (RFC 2435 has no way to send others).
//!
//! Round trip: a JPEG rebuilt by the depacketizer, packetized and depacketized again, comes
//! back byte for byte.
//!
//! [RFC 2435]: https://www.rfc-editor.org/rfc/rfc2435
//! [RFC 2435 §3.1.7]: https://www.rfc-editor.org/rfc/rfc2435#section-3.1.7
//! [RFC 2435 §3.1.8]: https://www.rfc-editor.org/rfc/rfc2435#section-3.1.8
//! [RFC 2435 Appendix A]: https://www.rfc-editor.org/rfc/rfc2435#appendix-A
//! [RFC 2435 Appendix B]: https://www.rfc-editor.org/rfc/rfc2435#appendix-B

use super::fmtp::{FrameQueue, LossTracker};
use super::{
    DepacketizeError, Depacketizer, DepacketizerLimits, Frame, PacketizeError, Packetizer, Payload,
    RtpPacket,
};
use bytes::Bytes;

/// Zigzag scan order: natural-order index of each zigzag position.
const ZIGZAG: [usize; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

/// Table K.1 of the JPEG standard (luminance), natural order.
const LUMA_QUANT: [u8; 64] = [
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113,
    92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];

/// Table K.2 of the JPEG standard (chrominance), natural order.
const CHROMA_QUANT: [u8; 64] = [
    17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99,
    47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
];

const DC_LUMA_COUNTS: [u8; 16] = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_CHROMA_COUNTS: [u8; 16] = [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0];
const DC_SYMBOLS: [u8; 12] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const AC_LUMA_COUNTS: [u8; 16] = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];
const AC_LUMA_SYMBOLS: [u8; 162] = [
    0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
    0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0,
    0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28,
    0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
    0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
    0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
    0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
    0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5,
    0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
    0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
    0xf9, 0xfa,
];
const AC_CHROMA_COUNTS: [u8; 16] = [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77];
const AC_CHROMA_SYMBOLS: [u8; 162] = [
    0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
    0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0,
    0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26,
    0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
    0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
    0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
    0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5,
    0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
    0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda,
    0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
    0xf9, 0xfa,
];

/// The standard Huffman tables as `(class << 4 | id, counts, symbols)`, in the order the
/// DHT segment lists them.
const STD_HUFFMAN: [(u8, &[u8; 16], &[u8]); 4] = [
    (0x00, &DC_LUMA_COUNTS, &DC_SYMBOLS),
    (0x01, &DC_CHROMA_COUNTS, &DC_SYMBOLS),
    (0x10, &AC_LUMA_COUNTS, &AC_LUMA_SYMBOLS),
    (0x11, &AC_CHROMA_COUNTS, &AC_CHROMA_SYMBOLS),
];

/// The luminance and chrominance tables for Q 1-99, in zigzag order, computed as in
/// [RFC 2435 Appendix A](https://www.rfc-editor.org/rfc/rfc2435#appendix-A).
pub fn standard_tables(q: u8) -> ([u8; 64], [u8; 64]) {
    let factor = u32::from(q.clamp(1, 99));
    let scale = if factor < 50 {
        5000 / factor
    } else {
        200 - factor * 2
    };
    let mut luma = [0u8; 64];
    let mut chroma = [0u8; 64];
    for ((z, l), c) in ZIGZAG.iter().zip(luma.iter_mut()).zip(chroma.iter_mut()) {
        let at = |t: &[u8; 64]| {
            let v = (u32::from(t.get(*z).copied().unwrap_or(1)) * scale + 50) / 100;
            u8::try_from(v.clamp(1, 255)).unwrap_or(255)
        };
        *l = at(&LUMA_QUANT);
        *c = at(&CHROMA_QUANT);
    }
    (luma, chroma)
}

/// Quantization tables of one frame: `(precision, table)` per table id, zigzag order.
#[derive(Debug, Clone, PartialEq, Eq)]
struct QTables {
    tables: Vec<(u8, Bytes)>,
}

impl QTables {
    fn standard(q: u8) -> QTables {
        let (l, c) = standard_tables(q);
        QTables {
            tables: vec![
                (0, Bytes::copy_from_slice(&l)),
                (0, Bytes::copy_from_slice(&c)),
            ],
        }
    }

    /// Parses the table data of a quantization table header.
    fn parse(precision: u8, data: &Bytes) -> Option<QTables> {
        let mut tables = Vec::new();
        let mut pos = 0usize;
        while pos < data.len() {
            let id = tables.len();
            if id >= 4 {
                return None;
            }
            let p = (precision >> id) & 1;
            let len = if p == 1 { 128 } else { 64 };
            let end = pos.checked_add(len)?;
            if end > data.len() {
                return None;
            }
            tables.push((p, data.slice(pos..end)));
            pos = end;
        }
        (!tables.is_empty()).then_some(QTables { tables })
    }
}

/// Configuration of an RFC 2435 stream (static payload type 26, clock rate 90,000; there are
/// no fmtp parameters).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct MjpegConfig {
    /// Buffering bounds.
    pub limits: DepacketizerLimits,
}

/// A frame being reassembled.
#[derive(Debug)]
struct Partial {
    timestamp: u32,
    typ: u8,
    width: u16,
    height: u16,
    restart_interval: u16,
    tables: QTables,
    data: Vec<u8>,
    fragments: usize,
}

/// The fields of the JPEG header and restart marker header.
#[derive(Debug, Clone, Copy)]
struct Header {
    offset: usize,
    typ: u8,
    width: u16,
    height: u16,
    restart_interval: u16,
}

/// Turns RFC 2435 RTP packets into JPEG files (one [`Frame`] per picture, every one a
/// keyframe).
#[derive(Debug)]
pub struct MjpegDepacketizer {
    limits: DepacketizerLimits,
    queue: FrameQueue,
    seq: LossTracker,
    partial: Option<Partial>,
    /// The rest of a frame is being skipped after a loss or error (until a frame start).
    skipping: bool,
    /// In-band tables last seen for Q 128-254, by Q - 128.
    cache: Vec<Option<QTables>>,
}

impl MjpegDepacketizer {
    /// A depacketizer for `config`.
    pub fn new(config: &MjpegConfig) -> MjpegDepacketizer {
        MjpegDepacketizer {
            limits: config.limits,
            queue: FrameQueue::new(&config.limits),
            seq: LossTracker::default(),
            partial: None,
            skipping: false,
            cache: vec![None; 127],
        }
    }

    fn drop_partial(&mut self) {
        if self.partial.take().is_some() {
            self.skipping = true;
            self.queue.mark_loss();
        }
    }

    fn fail(&mut self, seq: u16, rule: &'static str) -> DepacketizeError {
        self.partial = None;
        self.skipping = true;
        self.queue.mark_loss();
        DepacketizeError::Malformed { seq, rule }
    }

    fn push_inner(&mut self, packet: &RtpPacket) -> Result<(), DepacketizeError> {
        let seq = packet.sequence_number;
        let ts = packet.timestamp;
        let p = &packet.payload;
        let (main, rest) = p
            .split_at_checked(8)
            .ok_or_else(|| self.fail(seq, "JPEG header"))?;
        let &[_type_specific, o1, o2, o3, typ, q, w, h] = main else {
            return Err(self.fail(seq, "JPEG header"));
        };
        let mut hdr = Header {
            offset: usize::from(o1) << 16 | usize::from(o2) << 8 | usize::from(o3),
            typ,
            width: u16::from(w) * 8,
            height: u16::from(h) * 8,
            restart_interval: 0,
        };
        let mut rest = rest;
        if (64..128).contains(&typ) {
            let (rh, r) = rest
                .split_at_checked(4)
                .ok_or_else(|| self.fail(seq, "restart marker header"))?;
            if let [a, b, _, _] = rh {
                hdr.restart_interval = u16::from_be_bytes([*a, *b]);
            }
            rest = r;
        }
        if typ & !64 > 1 {
            self.drop_partial();
            self.skipping = true;
            return Err(DepacketizeError::Unsupported {
                seq,
                what: "JPEG type (only 0, 1, 64 and 65 are defined)",
            });
        }
        if q == 0 || (100..128).contains(&q) {
            return Err(self.fail(seq, "JPEG header Q (reserved value)"));
        }
        if hdr.width == 0 || hdr.height == 0 {
            self.drop_partial();
            self.skipping = true;
            return Err(DepacketizeError::Unsupported {
                seq,
                what: "JPEG dimensions of zero (pictures above 2040 pixels)",
            });
        }
        if hdr.offset == 0 {
            // A new frame: whatever was in progress is incomplete.
            self.drop_partial();
            self.skipping = false;
            let tables = if q >= 128 {
                let (qh, r) = rest
                    .split_at_checked(4)
                    .ok_or_else(|| self.fail(seq, "quantization table header"))?;
                let &[_mbz, precision, l1, l2] = qh else {
                    return Err(self.fail(seq, "quantization table header"));
                };
                let len = usize::from(u16::from_be_bytes([l1, l2]));
                let slot = usize::from(q - 128);
                let tables = if len == 0 {
                    match self.cache.get(slot).cloned().flatten() {
                        Some(t) if q != 255 => t,
                        _ => {
                            return Err(
                                self.fail(seq, "quantization table header (no tables for this Q)")
                            )
                        }
                    }
                } else {
                    let start = p.len() - r.len();
                    let end = start
                        .checked_add(len)
                        .filter(|&e| e <= p.len())
                        .ok_or_else(|| self.fail(seq, "quantization table length"))?;
                    let t = QTables::parse(precision, &p.slice(start..end))
                        .ok_or_else(|| self.fail(seq, "quantization table length"))?;
                    if q != 255 {
                        if let Some(c) = self.cache.get_mut(slot) {
                            *c = Some(t.clone());
                        }
                    }
                    t
                };
                rest = r.get(len..).unwrap_or_default();
                tables
            } else {
                QTables::standard(q)
            };
            self.partial = Some(Partial {
                timestamp: ts,
                typ,
                width: hdr.width,
                height: hdr.height,
                restart_interval: hdr.restart_interval,
                tables,
                data: Vec::new(),
                fragments: 0,
            });
        }
        let Some(part) = self.partial.as_mut() else {
            if self.skipping {
                return Ok(()); // the rest of a frame already dropped
            }
            return Err(self.fail(seq, "JPEG fragment offset (no frame start)"));
        };
        if part.timestamp != ts
            || part.data.len() != hdr.offset
            || part.typ != hdr.typ
            || part.width != hdr.width
            || part.height != hdr.height
        {
            return Err(self.fail(seq, "JPEG fragment (does not continue the frame)"));
        }
        part.fragments += 1;
        let total = part.data.len().saturating_add(rest.len());
        if part.fragments > self.limits.max_fragments
            || total.saturating_add(1024) > self.limits.max_frame_size
        {
            let limit = if part.fragments > self.limits.max_fragments {
                "max_fragments"
            } else {
                "max_frame_size"
            };
            self.drop_partial();
            return Err(DepacketizeError::FrameTooLarge { seq, limit });
        }
        part.data.extend_from_slice(rest);
        if packet.marker {
            if let Some(part) = self.partial.take() {
                let jpeg = build_jpeg(&part);
                self.queue.push(part.timestamp, Bytes::from(jpeg), true)?;
            }
        }
        Ok(())
    }
}

fn put_segment(out: &mut Vec<u8>, marker: u8, body_len: usize) {
    out.extend_from_slice(&[0xff, marker]);
    let len = u16::try_from(body_len + 2).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
}

/// Writes the JPEG file for a reassembled frame.
fn build_jpeg(p: &Partial) -> Vec<u8> {
    let mut out = Vec::with_capacity(p.data.len() + 700);
    out.extend_from_slice(&[0xff, 0xd8]);
    for (id, (precision, table)) in p.tables.tables.iter().enumerate() {
        put_segment(&mut out, 0xdb, 1 + table.len());
        out.push((precision << 4) | u8::try_from(id).unwrap_or(0));
        out.extend_from_slice(table);
    }
    let chroma_table = u8::from(p.tables.tables.len() > 1);
    put_segment(&mut out, 0xc0, 15);
    out.push(8);
    out.extend_from_slice(&p.height.to_be_bytes());
    out.extend_from_slice(&p.width.to_be_bytes());
    let luma_sampling = if p.typ & 1 == 0 { 0x21 } else { 0x22 };
    out.extend_from_slice(&[
        3,
        1,
        luma_sampling,
        0,
        2,
        0x11,
        chroma_table,
        3,
        0x11,
        chroma_table,
    ]);
    if p.restart_interval > 0 {
        put_segment(&mut out, 0xdd, 2);
        out.extend_from_slice(&p.restart_interval.to_be_bytes());
    }
    let dht_len: usize = STD_HUFFMAN.iter().map(|(_, _, s)| 17 + s.len()).sum();
    put_segment(&mut out, 0xc4, dht_len);
    for (class_id, counts, symbols) in STD_HUFFMAN {
        out.push(class_id);
        out.extend_from_slice(counts);
        out.extend_from_slice(symbols);
    }
    put_segment(&mut out, 0xda, 10);
    out.extend_from_slice(&[3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]);
    out.extend_from_slice(&p.data);
    if !p.data.ends_with(&[0xff, 0xd9]) {
        out.extend_from_slice(&[0xff, 0xd9]);
    }
    out
}

impl Depacketizer for MjpegDepacketizer {
    fn push(&mut self, packet: RtpPacket) -> Result<(), DepacketizeError> {
        if self.seq.gap(packet.sequence_number) {
            self.queue.mark_loss();
            self.drop_partial();
            self.skipping = true;
        }
        self.push_inner(&packet)
    }

    fn pull(&mut self) -> Option<Frame> {
        self.queue.pull()
    }

    fn flush(&mut self) {
        self.drop_partial();
    }
}

/// How [`MjpegPacketizer`] sends quantization tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum MjpegTables {
    /// Q=255: the file's tables in-band in every frame (always exact).
    #[default]
    InBand,
    /// Q 1-99 without tables when the file's tables equal the RFC 2435 Appendix A tables
    /// for that Q (saving 130 bytes a frame); Q=255 in-band otherwise.
    PreferStandard,
}

/// What the packetizer needs from a JPEG file.
#[derive(Debug)]
struct ParsedJpeg<'a> {
    typ: u8,
    width: u16,
    height: u16,
    restart_interval: u16,
    /// The tables for luma and chroma, `(precision, table)`; one entry when they share.
    tables: Vec<(u8, &'a [u8])>,
    scan: &'a [u8],
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

/// A SOF's height, width, and `(id, sampling, table)` per component.
type Sof = (u16, u16, [(u8, u8, u8); 3]);

/// Parses a baseline JPEG into what RFC 2435 can carry.
fn parse_jpeg(jpeg: &[u8]) -> Result<ParsedJpeg<'_>, PacketizeError> {
    let bad = PacketizeError::InvalidFrame;
    if !jpeg.starts_with(&[0xff, 0xd8]) {
        return Err(bad("JPEG must start with SOI"));
    }
    let mut qt: [Option<(u8, &[u8])>; 4] = [None; 4];
    let mut huffman: Vec<(u8, &[u8], &[u8])> = Vec::new();
    let mut sof: Option<Sof> = None;
    let mut restart_interval = 0u16;
    let mut pos = 2usize;
    loop {
        // Markers may be preceded by fill bytes 0xFF.
        if jpeg.get(pos) != Some(&0xff) {
            return Err(bad("JPEG marker expected"));
        }
        while jpeg.get(pos) == Some(&0xff) {
            pos += 1;
        }
        let marker = *jpeg.get(pos).ok_or(bad("JPEG ends before SOS"))?;
        pos += 1;
        if marker == 0x01 || (0xd0..=0xd7).contains(&marker) {
            continue; // standalone markers
        }
        if marker == 0xd9 {
            return Err(bad("JPEG has no SOS"));
        }
        let len = usize::from(be16(jpeg, pos).ok_or(bad("JPEG segment length"))?);
        let seg = pos
            .checked_add(len)
            .and_then(|end| jpeg.get(pos + 2..end))
            .filter(|_| len >= 2)
            .ok_or(bad("JPEG segment length"))?;
        let next = pos + len;
        match marker {
            0xdb => {
                let mut s = seg;
                while let Some((&pq_tq, r)) = s.split_first() {
                    let (pq, tq) = (pq_tq >> 4, usize::from(pq_tq & 0x0f));
                    let n = if pq == 0 { 64 } else { 128 };
                    let (table, r) = r.split_at_checked(n).ok_or(bad("DQT length"))?;
                    *qt.get_mut(tq).ok_or(bad("DQT table id"))? = Some((pq, table));
                    s = r;
                }
            }
            0xc0 | 0xc1 => {
                let (&[p, h1, h2, w1, w2, nf], comps) =
                    seg.split_first_chunk::<6>().ok_or(bad("SOF length"))?;
                if p != 8 || nf != 3 {
                    return Err(bad("RFC 2435 needs 8-bit, 3-component (YUV) JPEG"));
                }
                let mut c = [(0u8, 0u8, 0u8); 3];
                for (i, slot) in c.iter_mut().enumerate() {
                    let x = comps.get(i * 3..i * 3 + 3).ok_or(bad("SOF length"))?;
                    if let [id, samp, tq] = x {
                        *slot = (*id, *samp, *tq);
                    }
                }
                sof = Some((
                    u16::from_be_bytes([h1, h2]),
                    u16::from_be_bytes([w1, w2]),
                    c,
                ));
            }
            0xc2 | 0xc3 | 0xc5..=0xc7 | 0xc9..=0xcb | 0xcd..=0xcf => {
                return Err(bad("only baseline (sequential Huffman) JPEG can be sent"));
            }
            0xc4 => {
                let mut s = seg;
                while let Some((&tc_th, r)) = s.split_first() {
                    let (counts, r) = r.split_at_checked(16).ok_or(bad("DHT length"))?;
                    let n: usize = counts.iter().map(|&c| usize::from(c)).sum();
                    let (symbols, r) = r.split_at_checked(n).ok_or(bad("DHT length"))?;
                    huffman.push((tc_th, counts, symbols));
                    s = r;
                }
            }
            0xdd => restart_interval = be16(seg, 0).ok_or(bad("DRI length"))?,
            0xda => {
                let (height, width, comps) = sof.ok_or(bad("SOS before SOF"))?;
                let ns = *seg.first().ok_or(bad("SOS length"))?;
                if ns != 3 {
                    return Err(bad("RFC 2435 needs one interleaved scan of 3 components"));
                }
                // Each component's Huffman tables must be the standard luma (Y) or chroma ones.
                for i in 0..3usize {
                    let tdta = *seg.get(2 + i * 2).ok_or(bad("SOS length"))?;
                    let chroma = usize::from(i > 0);
                    for (class, id) in [(0u8, tdta >> 4), (1u8, tdta & 0x0f)] {
                        let want = STD_HUFFMAN
                            .get(usize::from(class) * 2 + chroma)
                            .ok_or(bad("SOS"))?;
                        let have = huffman
                            .iter()
                            .rev()
                            .find(|(t, _, _)| *t == (class << 4 | id));
                        if let Some((_, counts, symbols)) = have {
                            if *counts != want.1.as_slice() || *symbols != want.2 {
                                return Err(bad(
                                    "Huffman tables are not the standard ones RFC 2435 assumes",
                                ));
                            }
                        }
                    }
                }
                let [(_, y_samp, y_tq), (_, cb_samp, cb_tq), (_, cr_samp, cr_tq)] = comps;
                let typ = match (y_samp, cb_samp, cr_samp) {
                    (0x21, 0x11, 0x11) => 0,
                    (0x22, 0x11, 0x11) => 1,
                    _ => return Err(bad("sampling must be 4:2:2 (type 0) or 4:2:0 (type 1)")),
                };
                if cb_tq != cr_tq {
                    return Err(bad("Cb and Cr must share a quantization table"));
                }
                let table = |id: u8| {
                    qt.get(usize::from(id))
                        .copied()
                        .flatten()
                        .ok_or(bad("SOF refers to a missing DQT table"))
                };
                let mut tables = vec![table(y_tq)?];
                if cb_tq != y_tq {
                    tables.push(table(cb_tq)?);
                }
                if width % 8 != 0 || height % 8 != 0 || width > 2040 || height > 2040 {
                    return Err(bad(
                        "RFC 2435 needs width and height multiples of 8, at most 2040",
                    ));
                }
                let scan = jpeg.get(next..).ok_or(bad("SOS length"))?;
                let end = scan
                    .windows(2)
                    .position(|w| w == [0xff, 0xd9])
                    .unwrap_or(scan.len());
                return Ok(ParsedJpeg {
                    typ: if restart_interval > 0 { typ + 64 } else { typ },
                    width,
                    height,
                    restart_interval,
                    tables,
                    scan: scan.get(..end).unwrap_or(scan),
                });
            }
            _ => {} // APPn, COM, DNL, ...: not carried
        }
        pos = next;
    }
}

/// Packetizes baseline JPEG files as RFC 2435 payloads.
#[derive(Debug)]
pub struct MjpegPacketizer {
    max_payload: usize,
    tables: MjpegTables,
}

impl MjpegPacketizer {
    /// A packetizer writing payloads of at most `max_payload` bytes (at least 200, so the
    /// first packet holds its headers and two 8-bit tables with room for data).
    pub fn new(max_payload: usize, tables: MjpegTables) -> Result<MjpegPacketizer, PacketizeError> {
        if max_payload < 8 + 4 + 4 + 256 + 1 {
            return Err(PacketizeError::MtuTooSmall(max_payload));
        }
        Ok(MjpegPacketizer {
            max_payload,
            tables,
        })
    }
}

impl Packetizer for MjpegPacketizer {
    fn packetize(
        &mut self,
        timestamp: u32,
        frame: &[u8],
        emit: &mut dyn FnMut(Payload<'_>),
    ) -> Result<(), PacketizeError> {
        let j = parse_jpeg(frame)?;
        if j.scan.len() >= 1 << 24 {
            return Err(PacketizeError::InvalidFrame(
                "scan larger than the 24-bit fragment offset",
            ));
        }
        let mut q = 255u8;
        if self.tables == MjpegTables::PreferStandard {
            if let [(0, l), (0, c)] = j.tables.as_slice() {
                q = (1..=99u8)
                    .find(|&q| {
                        let (sl, sc) = standard_tables(q);
                        sl.as_slice() == *l && sc.as_slice() == *c
                    })
                    .unwrap_or(255);
            }
        }
        let mut qheader = Vec::new();
        if q == 255 {
            let precision = j
                .tables
                .iter()
                .enumerate()
                .fold(0u8, |acc, (i, (p, _))| acc | ((p & 1) << i));
            let len: usize = j.tables.iter().map(|(_, t)| t.len()).sum();
            qheader.extend_from_slice(&[0, precision]);
            qheader.extend_from_slice(&u16::try_from(len).unwrap_or(0).to_be_bytes());
            for (_, t) in &j.tables {
                qheader.extend_from_slice(t);
            }
        }
        let restart = if j.restart_interval > 0 {
            let mut r = j.restart_interval.to_be_bytes().to_vec();
            r.extend_from_slice(&[0xff, 0xff]); // F=1, L=1, count 0x3FFF
            r
        } else {
            Vec::new()
        };
        let w = u8::try_from(j.width / 8).unwrap_or(0);
        let h = u8::try_from(j.height / 8).unwrap_or(0);
        let mut offset = 0usize;
        loop {
            let first = offset == 0;
            let head_len = 8 + restart.len() + if first { qheader.len() } else { 0 };
            let room = self.max_payload.saturating_sub(head_len);
            if room == 0 {
                return Err(PacketizeError::MtuTooSmall(self.max_payload));
            }
            let end = offset.saturating_add(room).min(j.scan.len());
            let chunk = j.scan.get(offset..end).unwrap_or_default();
            let o = u32::try_from(offset).unwrap_or(0).to_be_bytes();
            let main = [0, o[1], o[2], o[3], j.typ, q, w, h];
            let last = end == j.scan.len();
            let q_part: &[u8] = if first { &qheader } else { &[] };
            let parts = [main.as_slice(), &restart, q_part, chunk];
            emit(Payload {
                parts: &parts,
                marker: last,
                timestamp,
            });
            if last {
                return Ok(());
            }
            offset = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_tables_match_rfc_2435_at_q50() {
        let (l, c) = standard_tables(50);
        assert_eq!(&l[..8], &[16, 11, 12, 14, 12, 10, 16, 14]);
        assert_eq!(&c[..8], &[17, 18, 18, 24, 21, 24, 47, 26]);
        let (l, _) = standard_tables(99);
        assert!(l.iter().all(|&v| v >= 1));
        let (l, _) = standard_tables(1);
        assert!(l.iter().all(|&v| v == 255 || v > 100));
    }

    fn pkt(seq: u16, ts: u32, marker: bool, payload: Vec<u8>) -> RtpPacket {
        RtpPacket {
            sequence_number: seq,
            timestamp: ts,
            marker,
            payload_type: 26,
            payload: Bytes::from(payload),
        }
    }

    #[test]
    fn standard_q_frame_and_cached_tables() {
        let mut d = MjpegDepacketizer::new(&MjpegConfig::default());
        d.push(pkt(0, 0, true, vec![0, 0, 0, 0, 1, 50, 2, 2, 0x12, 0x34]))
            .unwrap();
        let f = d.pull().unwrap();
        assert!(f.data.starts_with(&[0xff, 0xd8, 0xff, 0xdb]));
        assert!(f.data.ends_with(&[0x12, 0x34, 0xff, 0xd9]));
        // Q=128 with zero-length tables and nothing cached: malformed.
        assert!(d
            .push(pkt(
                1,
                1,
                true,
                vec![0, 0, 0, 0, 1, 128, 2, 2, 0, 0, 0, 0, 1]
            ))
            .is_err());
        let mut with_tables = vec![0, 0, 0, 0, 1, 128, 2, 2, 0, 0, 0, 64];
        with_tables.extend_from_slice(&[1u8; 64]);
        with_tables.push(7);
        d.push(pkt(2, 2, true, with_tables)).unwrap();
        let a = d.pull().unwrap();
        assert!(a.loss);
        d.push(pkt(
            3,
            3,
            true,
            vec![0, 0, 0, 0, 1, 128, 2, 2, 0, 0, 0, 0, 7],
        ))
        .unwrap();
        assert_eq!(d.pull().unwrap().data, a.data);
    }

    #[test]
    fn lost_fragment_drops_frame() {
        let mut d = MjpegDepacketizer::new(&MjpegConfig::default());
        d.push(pkt(0, 0, false, vec![0, 0, 0, 0, 1, 50, 2, 2, 1, 2]))
            .unwrap();
        // seq 1 lost; seq 2 is the last fragment at offset 4.
        d.push(pkt(2, 0, true, vec![0, 0, 0, 4, 1, 50, 2, 2, 5]))
            .unwrap();
        assert!(d.pull().is_none());
        d.push(pkt(3, 9, true, vec![0, 0, 0, 0, 1, 50, 2, 2, 5]))
            .unwrap();
        assert!(d.pull().unwrap().loss);
        // Unknown type.
        assert!(matches!(
            d.push(pkt(4, 10, true, vec![0, 0, 0, 0, 7, 50, 2, 2, 5])),
            Err(DepacketizeError::Unsupported { .. })
        ));
    }
}
