//! The static RTP payload types of [RFC 3551 §6] (Tables 4 and 5).
//!
//! [RFC 3551 §6]: https://www.rfc-editor.org/rfc/rfc3551#section-6

/// `(payload type, encoding name, clock rate, channels)`; channels is `None` for video
/// and for MPA, whose channel count the table leaves to the stream.
const TABLE: &[(u8, &str, u32, Option<u16>)] = &[
    (0, "PCMU", 8000, Some(1)),
    (3, "GSM", 8000, Some(1)),
    (4, "G723", 8000, Some(1)),
    (5, "DVI4", 8000, Some(1)),
    (6, "DVI4", 16000, Some(1)),
    (7, "LPC", 8000, Some(1)),
    (8, "PCMA", 8000, Some(1)),
    (9, "G722", 8000, Some(1)),
    (10, "L16", 44100, Some(2)),
    (11, "L16", 44100, Some(1)),
    (12, "QCELP", 8000, Some(1)),
    (13, "CN", 8000, Some(1)),
    (14, "MPA", 90000, None),
    (15, "G728", 8000, Some(1)),
    (16, "DVI4", 11025, Some(1)),
    (17, "DVI4", 22050, Some(1)),
    (18, "G729", 8000, Some(1)),
    (25, "CelB", 90000, None),
    (26, "JPEG", 90000, None),
    (28, "nv", 90000, None),
    (31, "H261", 90000, None),
    (32, "MPV", 90000, None),
    (33, "MP2T", 90000, None),
    (34, "H263", 90000, None),
];

/// The encoding name, clock rate and channel count RFC 3551 assigns to a static payload
/// type, or `None` for an unassigned or dynamic one.
pub(crate) fn lookup(pt: u8) -> Option<(&'static str, u32, Option<u16>)> {
    TABLE
        .iter()
        .find(|(p, ..)| *p == pt)
        .map(|&(_, name, rate, ch)| (name, rate, ch))
}

#[cfg(test)]
mod tests {
    use super::lookup;

    #[test]
    fn table_entries() {
        assert_eq!(lookup(0), Some(("PCMU", 8000, Some(1))));
        assert_eq!(lookup(8), Some(("PCMA", 8000, Some(1))));
        assert_eq!(lookup(10), Some(("L16", 44100, Some(2))));
        assert_eq!(lookup(14), Some(("MPA", 90000, None)));
        assert_eq!(lookup(26), Some(("JPEG", 90000, None)));
        assert_eq!(lookup(2), None);
        assert_eq!(lookup(96), None);
    }
}
