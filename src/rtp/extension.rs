//! RTP header extensions: the profile-specific block of
//! [RFC 3550 §5.3.1](https://www.rfc-editor.org/rfc/rfc3550#section-5.3.1) and the one-byte
//! and two-byte element forms of [RFC 8285 §4](https://www.rfc-editor.org/rfc/rfc8285#section-4).

use super::RtpError;
use std::fmt;
use std::iter::FusedIterator;

/// The "defined by profile" value of the one-byte form
/// ([RFC 8285 §4.2](https://www.rfc-editor.org/rfc/rfc8285#section-4.2)).
pub const ONE_BYTE_PROFILE: u16 = 0xBEDE;

/// The "defined by profile" value of the two-byte form with zero app bits
/// ([RFC 8285 §4.3](https://www.rfc-editor.org/rfc/rfc8285#section-4.3)); the low four
/// bits carry application bits (`0x1000..=0x100F`).
pub const TWO_BYTE_PROFILE: u16 = 0x1000;

/// Which RFC 8285 form an extension uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExtensionForm {
    /// One-byte header elements: IDs 1–14, 1–16 data bytes.
    OneByte,
    /// Two-byte header elements: IDs 1–255, 0–255 data bytes; `appbits` are the four
    /// application-dependent bits of the profile field.
    TwoByte {
        /// The low four bits of the "defined by profile" field.
        appbits: u8,
    },
}

impl ExtensionForm {
    /// The form a "defined by profile" value announces, or `None` for a profile-specific
    /// extension.
    pub const fn from_profile(profile: u16) -> Option<ExtensionForm> {
        match profile {
            ONE_BYTE_PROFILE => Some(ExtensionForm::OneByte),
            0x1000..=0x100F => Some(ExtensionForm::TwoByte {
                appbits: (profile & 0xF) as u8,
            }),
            _ => None,
        }
    }

    /// The "defined by profile" value of this form.
    pub const fn profile(self) -> u16 {
        match self {
            ExtensionForm::OneByte => ONE_BYTE_PROFILE,
            ExtensionForm::TwoByte { appbits } => TWO_BYTE_PROFILE | (appbits & 0xF) as u16,
        }
    }
}

/// The header extension of an RTP packet: a 16-bit profile value and a body whose length is
/// a multiple of four bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Extension<'a> {
    profile: u16,
    data: &'a [u8],
}

impl<'a> Extension<'a> {
    /// An extension with this profile value and body.
    pub const fn new(profile: u16, data: &'a [u8]) -> Extension<'a> {
        Extension { profile, data }
    }

    /// The "defined by profile" field.
    pub fn profile(&self) -> u16 {
        self.profile
    }

    /// The body after the 4-byte extension header (a multiple of four bytes when parsed).
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The RFC 8285 form, or `None` for a profile-specific extension.
    pub fn form(&self) -> Option<ExtensionForm> {
        ExtensionForm::from_profile(self.profile)
    }

    /// The RFC 8285 elements, or `None` for a profile-specific extension.
    ///
    /// Padding bytes (ID 0) are skipped; in the one-byte form, ID 15 ends the iteration
    /// as [RFC 8285 §4.2](https://www.rfc-editor.org/rfc/rfc8285#section-4.2) says. An
    /// element whose length runs past the body yields one error, then the iteration ends.
    pub fn elements(&self) -> Option<ExtensionElements<'a>> {
        Some(ExtensionElements {
            form: self.form()?,
            data: self.data,
            pos: 0,
        })
    }

    /// The data of the first element with this ID, if the extension has RFC 8285 form.
    pub fn element(&self, id: u8) -> Option<&'a [u8]> {
        self.elements()?
            .filter_map(Result::ok)
            .find(|e| e.id == id)
            .map(|e| e.data)
    }
}

impl fmt::Debug for Extension<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Extension");
        d.field("profile", &format_args!("{:#06x}", self.profile));
        match self.elements() {
            Some(e) => d.field("elements", &e.collect::<Vec<_>>()),
            None => d.field("data_len", &self.data.len()),
        };
        d.finish()
    }
}

/// One RFC 8285 header extension element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExtensionElement<'a> {
    /// The local identifier (1–14 in one-byte form, 1–255 in two-byte form).
    pub id: u8,
    /// The element data.
    pub data: &'a [u8],
}

/// Iterator over the elements of an RFC 8285 [`Extension`].
#[derive(Debug, Clone)]
pub struct ExtensionElements<'a> {
    form: ExtensionForm,
    data: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for ExtensionElements<'a> {
    type Item = Result<ExtensionElement<'a>, RtpError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let rest = self.data.get(self.pos..)?;
            let (&b, after) = rest.split_first()?;
            let start = self.pos;
            if b == 0 {
                self.pos += 1;
                continue;
            }
            let (id, len, body) = match self.form {
                ExtensionForm::OneByte => {
                    let id = b >> 4;
                    if id == 15 {
                        self.pos = self.data.len();
                        return None;
                    }
                    (id, usize::from(b & 0x0f) + 1, after)
                }
                ExtensionForm::TwoByte { .. } => match after.split_first() {
                    Some((&len, body)) => (b, usize::from(len), body),
                    None => {
                        self.pos = self.data.len();
                        return Some(Err(RtpError::ExtensionElement { pos: start }));
                    }
                },
            };
            let Some(data) = body.get(..len) else {
                self.pos = self.data.len();
                return Some(Err(RtpError::ExtensionElement { pos: start }));
            };
            self.pos = start + (rest.len() - body.len()) + len;
            return Some(Ok(ExtensionElement { id, data }));
        }
    }
}

impl FusedIterator for ExtensionElements<'_> {}

/// Bytes the elements take in `form`, before the padding to a 4-byte boundary, or `None`
/// when an element cannot be written in that form.
pub(crate) fn elements_len(
    form: ExtensionForm,
    elements: &[ExtensionElement<'_>],
) -> Option<usize> {
    let mut n = 0usize;
    for e in elements {
        let ok = match form {
            ExtensionForm::OneByte => (1..=14).contains(&e.id) && (1..=16).contains(&e.data.len()),
            ExtensionForm::TwoByte { .. } => e.id != 0 && e.data.len() <= 255,
        };
        if !ok {
            return None;
        }
        n += e.data.len()
            + match form {
                ExtensionForm::OneByte => 1,
                ExtensionForm::TwoByte { .. } => 2,
            };
    }
    Some(n)
}

/// Writes the elements (not the padding) into `out`, which is at least
/// `elements_len(..)` long. Returns the bytes written.
pub(crate) fn write_elements(
    form: ExtensionForm,
    elements: &[ExtensionElement<'_>],
    out: &mut [u8],
) -> Option<usize> {
    let mut pos = 0;
    for e in elements {
        let len = e.data.len();
        match form {
            ExtensionForm::OneByte => {
                *out.get_mut(pos)? = (e.id << 4) | ((len as u8).wrapping_sub(1) & 0x0f);
                pos += 1;
            }
            ExtensionForm::TwoByte { .. } => {
                let [a, b] = out.get_mut(pos..pos + 2)? else {
                    return None;
                };
                *a = e.id;
                *b = len as u8;
                pos += 2;
            }
        }
        out.get_mut(pos..pos + len)?.copy_from_slice(e.data);
        pos += len;
    }
    Some(pos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc8285_one_byte_example() {
        // RFC 8285 §4.2 figure: ID 1 len 1, ID 2 len 2 (after padding), ID 3 len 4.
        let data = [
            0x10, 0xaa, 0x21, 0xbb, 0xbb, 0x00, 0x00, 0x33, 0xcc, 0xcc, 0xcc, 0xcc,
        ];
        let ext = Extension::new(ONE_BYTE_PROFILE, &data);
        let els: Vec<_> = ext.elements().unwrap().map(Result::unwrap).collect();
        assert_eq!(
            els,
            vec![
                ExtensionElement {
                    id: 1,
                    data: &[0xaa]
                },
                ExtensionElement {
                    id: 2,
                    data: &[0xbb, 0xbb]
                },
                ExtensionElement {
                    id: 3,
                    data: &[0xcc; 4]
                },
            ]
        );
        assert_eq!(ext.element(2), Some(&[0xbb, 0xbb][..]));
    }

    #[test]
    fn rfc8285_two_byte_example() {
        let data = [
            0x01, 0x00, 0x02, 0x01, 0x42, 0x00, 0x03, 0x04, 0xde, 0xad, 0xbe, 0xef,
        ];
        let ext = Extension::new(0x1003, &data);
        assert_eq!(ext.form(), Some(ExtensionForm::TwoByte { appbits: 3 }));
        let els: Vec<_> = ext.elements().unwrap().map(Result::unwrap).collect();
        assert_eq!(
            els,
            vec![
                ExtensionElement { id: 1, data: &[] },
                ExtensionElement {
                    id: 2,
                    data: &[0x42]
                },
                ExtensionElement {
                    id: 3,
                    data: &[0xde, 0xad, 0xbe, 0xef]
                },
            ]
        );
    }

    #[test]
    fn id15_stops_and_overrun_errors() {
        let ext = Extension::new(ONE_BYTE_PROFILE, &[0x10, 0x01, 0xf3, 0x20]);
        assert_eq!(ext.elements().unwrap().count(), 1);
        let ext = Extension::new(ONE_BYTE_PROFILE, &[0x10, 0x01, 0x23, 0x00]);
        let v: Vec<_> = ext.elements().unwrap().collect();
        assert_eq!(v[1], Err(RtpError::ExtensionElement { pos: 2 }));
        assert_eq!(v.len(), 2);
        let ext = Extension::new(0x1000, &[0x00, 0x00, 0x00, 0x07]);
        let v: Vec<_> = ext.elements().unwrap().collect();
        assert_eq!(v, vec![Err(RtpError::ExtensionElement { pos: 3 })]);
        assert!(Extension::new(0xabac, &[]).elements().is_none());
    }

    #[test]
    fn write_and_lengths() {
        let els = [
            ExtensionElement {
                id: 1,
                data: &[0xaa],
            },
            ExtensionElement {
                id: 14,
                data: &[7; 16],
            },
        ];
        assert_eq!(elements_len(ExtensionForm::OneByte, &els), Some(19));
        assert_eq!(
            elements_len(
                ExtensionForm::OneByte,
                &[ExtensionElement { id: 15, data: &[1] }]
            ),
            None
        );
        assert_eq!(
            elements_len(
                ExtensionForm::OneByte,
                &[ExtensionElement { id: 1, data: &[] }]
            ),
            None
        );
        let mut out = [0u8; 19];
        assert_eq!(
            write_elements(ExtensionForm::OneByte, &els, &mut out),
            Some(19)
        );
        assert_eq!(out[..3], [0x10, 0xaa, 0xef]);
    }
}
