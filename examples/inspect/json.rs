//! A minimal JSON writer (objects, strings, numbers), enough for one-line records.

use std::fmt::Write as _;

/// Builds one JSON object.
pub struct Obj {
    out: String,
    first: bool,
}

impl Obj {
    pub fn new() -> Obj {
        Obj {
            out: String::from("{"),
            first: true,
        }
    }

    fn key(&mut self, k: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        write_str(&mut self.out, k);
        self.out.push(':');
    }

    pub fn str(mut self, k: &str, v: &str) -> Obj {
        self.key(k);
        write_str(&mut self.out, v);
        self
    }

    pub fn num(mut self, k: &str, v: impl Into<f64> + Copy + std::fmt::Display) -> Obj {
        self.key(k);
        let _ = write!(self.out, "{v}");
        self
    }

    /// An integer, written exactly (`num` goes through `f64`).
    pub fn int(mut self, k: &str, v: impl Into<i128>) -> Obj {
        self.key(k);
        let _ = write!(self.out, "{}", v.into());
        self
    }

    /// An integer, or `null` when absent.
    pub fn opt_int(self, k: &str, v: Option<impl Into<i128>>) -> Obj {
        match v {
            Some(v) => self.int(k, v),
            None => self.raw(k, "null"),
        }
    }

    /// A string, or `null` when absent.
    pub fn opt_str(self, k: &str, v: Option<&str>) -> Obj {
        match v {
            Some(v) => self.str(k, v),
            None => self.raw(k, "null"),
        }
    }

    /// A pre-rendered JSON value.
    pub fn raw(mut self, k: &str, v: &str) -> Obj {
        self.key(k);
        self.out.push_str(v);
        self
    }

    pub fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

/// `[[name, value], ...]` for an ordered list of pairs.
pub fn pairs<'a>(items: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut s = String::from("[");
    for (i, (a, b)) in items.enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push('[');
        write_str(&mut s, a);
        s.push(',');
        write_str(&mut s, b);
        s.push(']');
    }
    s.push(']');
    s
}

pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
