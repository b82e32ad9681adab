//! Running the `inspect` example and reading its `--json` lines.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::Command;

/// The `inspect` example binary (see [`super::process::example_bin`]).
pub fn inspect_bin() -> PathBuf {
    super::process::example_bin("inspect")
}

/// Runs `inspect ARGS`, failing the test (with its stderr) unless it succeeds; its stdout.
pub fn run_ok(args: &[&OsStr]) -> String {
    let out = Command::new(inspect_bin()).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The raw value of `key` in a one-line JSON object (a number, `null`, `true`, or a
/// string with its quotes removed); enough for the flat summary lines.
pub fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let pat = format!("\"{key}\":");
    let rest = &line[line.find(&pat)? + pat.len()..];
    if let Some(s) = rest.strip_prefix('"') {
        return Some(&s[..s.find('"')?]);
    }
    Some(&rest[..rest.find([',', '}'])?])
}

/// The integer value of `key` in a one-line JSON object; fails the test without one.
pub fn num(line: &str, key: &str) -> i64 {
    field(line, key)
        .unwrap_or_else(|| panic!("no {key} in {line}"))
        .parse()
        .unwrap_or_else(|_| panic!("{key} is not an integer in {line}"))
}

/// The lines of type `ty` (`{"type":"ty",...}`).
pub fn lines_of<'a>(text: &'a str, ty: &str) -> Vec<&'a str> {
    let tag = format!(r#"{{"type":"{ty}","#);
    text.lines().filter(|l| l.starts_with(&tag)).collect()
}
