//! Shared lexical helpers for header grammars (RFC 7826 §20.1 and §20.2): tokens, quoted
//! strings, and lists split on a separator outside quotes.

use std::borrow::Cow;

/// True for RFC 7826 `token` strings (one or more `tchar`).
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(crate::message::is_token_byte)
}

/// Splits `s` at every `sep` byte that is outside a quoted string, yielding each piece
/// with its byte offset in `s`. Pieces are not trimmed. A backslash inside quotes escapes
/// the next byte. An unterminated quote runs to the end of the input.
pub fn split_outside_quotes(s: &str, sep: u8) -> SplitOutsideQuotes<'_> {
    SplitOutsideQuotes {
        s,
        pos: 0,
        sep,
        done: false,
    }
}

/// Iterator returned by [`split_outside_quotes`].
#[derive(Debug, Clone)]
pub struct SplitOutsideQuotes<'a> {
    s: &'a str,
    pos: usize,
    sep: u8,
    done: bool,
}

impl<'a> Iterator for SplitOutsideQuotes<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<(usize, &'a str)> {
        if self.done {
            return None;
        }
        let bytes = self.s.as_bytes();
        let start = self.pos;
        let mut i = start;
        let mut in_quotes = false;
        while let Some(&b) = bytes.get(i) {
            if in_quotes {
                if b == b'\\' {
                    i += 1;
                } else if b == b'"' {
                    in_quotes = false;
                }
            } else if b == b'"' {
                in_quotes = true;
            } else if b == self.sep {
                // `sep` is ASCII, so `i` and `i + 1` are char boundaries.
                let piece = self.s.get(start..i).unwrap_or("");
                self.pos = i + 1;
                return Some((start, piece));
            }
            i += 1;
        }
        self.done = true;
        Some((start, self.s.get(start..).unwrap_or("")))
    }
}

/// Removes the quotes of an RFC 7826 `quoted-string` and resolves `\` escapes. A value
/// without surrounding quotes is returned as is (after trimming whitespace).
///
/// Returns `None` for a string that opens a quote but does not close it, and for one
/// holding a control character other than horizontal tab: a header value never carries
/// one, quoted or escaped, and accepting it would let a typed header format to a value
/// the wire cannot carry.
pub fn unquote(s: &str) -> Option<Cow<'_, str>> {
    let s = s.trim();
    if s.bytes().any(|b| b != b'\t' && b.is_ascii_control()) {
        return None;
    }
    let Some(inner) = s.strip_prefix('"') else {
        return Some(Cow::Borrowed(s));
    };
    let inner = inner.strip_suffix('"')?;
    if !inner.contains('\\') {
        return Some(Cow::Borrowed(inner));
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.push(chars.next()?);
        } else {
            out.push(c);
        }
    }
    Some(Cow::Owned(out))
}

/// Writes `s` as a quoted string, escaping `"` and `\`.
pub fn write_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// Writes `s` bare when it is a token, quoted otherwise.
pub fn write_token_or_quoted(out: &mut String, s: &str) {
    if is_token(s) {
        out.push_str(s);
    } else {
        write_quoted(out, s);
    }
}

/// Splits `name=value` (around the first `=` outside quotes), trimming both sides.
/// Returns `(name, None)` when there is no `=`.
pub fn split_param(s: &str) -> (&str, Option<&str>) {
    match s.find('=') {
        Some(i) => (
            s.get(..i).unwrap_or("").trim(),
            Some(s.get(i + 1..).unwrap_or("").trim()),
        ),
        None => (s.trim(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_respects_quotes() {
        let v: Vec<_> = split_outside_quotes(r#"a;b="x;y";c"#, b';').collect();
        assert_eq!(v, [(0, "a"), (2, r#"b="x;y""#), (10, "c")]);
        let v: Vec<_> = split_outside_quotes("", b',').collect();
        assert_eq!(v, [(0, "")]);
        let v: Vec<_> = split_outside_quotes(r#""a\"," ,b"#, b',').collect();
        assert_eq!(v, [(0, r#""a\"," "#), (8, "b")]);
    }

    #[test]
    fn quoting_round_trip() {
        let mut s = String::new();
        write_quoted(&mut s, r#"he said "hi" \o/"#);
        assert_eq!(unquote(&s).unwrap(), r#"he said "hi" \o/"#);
        assert_eq!(unquote(" bare ").unwrap(), "bare");
        assert_eq!(unquote("\"open"), None);
    }
}
