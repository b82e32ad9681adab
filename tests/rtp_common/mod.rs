//! Loading the `rtp.txt` packet lists of the interop corpus (see tests/data/rtp/README.md).

#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

/// One line of an `rtp.txt` file.
#[derive(Debug, Clone)]
pub struct Line {
    pub t: f64,
    pub dir: String,
    pub transport: String,
    pub chan: String,
    pub stream: Option<usize>,
    pub kind: String,
    pub bytes: Vec<u8>,
    pub line_no: usize,
}

impl Line {
    /// GStreamer `rtspsrc` sends 200 random bytes to each server port to open NAT
    /// bindings; they are not RTP/RTCP even though they go to the RTP port.
    pub fn is_rtspsrc_punch(&self) -> bool {
        self.dir == "c2s" && self.transport == "udp" && self.bytes.len() == 200
    }
}

pub fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

pub fn load(path: &Path) -> Vec<Line> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .map(|(i, l)| {
            let c: Vec<&str> = l.split(' ').collect();
            assert_eq!(c.len(), 8, "{}:{}", path.display(), i + 1);
            let bytes = hex(c[7]);
            assert_eq!(bytes.len(), c[6].parse::<usize>().unwrap());
            Line {
                t: c[0].parse().unwrap(),
                dir: c[1].to_string(),
                transport: c[2].to_string(),
                chan: c[3].to_string(),
                stream: c[4].parse().ok(),
                kind: c[5].to_string(),
                bytes,
                line_no: i + 1,
            }
        })
        .collect()
}

pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/rtp")
}

pub fn data_file(session: &str) -> PathBuf {
    data_dir().join(format!("{session}.rtp.txt"))
}

/// The vendored files plus, when present, every `rtp.txt` of `../shared/corpus/`.
pub fn all_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".rtp.txt"))
        .collect();
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if let Ok(dirs) = std::fs::read_dir(&shared) {
        for d in dirs.flatten() {
            let p = d.path().join("rtp.txt");
            if p.is_file() {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}
