//! A working RTSP server on blocking `std::net` and threads, built on the sans-IO
//! [`rtsp_proto::server::Server`].
//!
//! ```text
//! cargo run --example server -- [--bind ADDR:PORT] [--user U --pass P]
//! ffplay rtsp://127.0.0.1:8554/test
//! vlc rtsp://127.0.0.1:8554/test
//! ffmpeg -re -i FILE -c copy -f rtsp rtsp://127.0.0.1:8554/cam    # publish
//! ffplay rtsp://127.0.0.1:8554/cam                                 # watch the relay
//! ```
//!
//! `/test` is a built-in stream (moving H.264 video and a 440 Hz PCMU tone); any other path
//! accepts one publisher (ANNOUNCE + RECORD) and relays its stream to every player of that
//! path, over TCP (interleaved) and UDP. `--user`/`--pass` require Digest authentication
//! (MD5, which every player answers) for everything but OPTIONS.
//!
//! `service.rs` holds what is served (the `Server`, the `/test` mount, the relay), the same
//! for this example and `tokio_server.rs`; `app.rs` is the I/O on threads: a thread owns
//! the service and is fed by an acceptor, one reader thread per connection and one per UDP
//! socket; one writer thread per connection drains what the server queues for it. The test
//! stream is in `test_stream.rs`.
// The example reads the real clock; the library never does.
#![allow(clippy::disallowed_methods)]

mod app;
mod service;
mod test_stream;

use std::net::SocketAddr;
use std::process::ExitCode;

const USAGE: &str = "usage: server [--bind ADDR:PORT] [--user USER --pass PASSWORD]
  --bind   address and port to listen on (default 127.0.0.1:8554)
  --user   require Digest authentication with this user name ...
  --pass   ... and this password";

fn parse_args(args: impl Iterator<Item = String>) -> Result<app::Options, String> {
    let mut bind: SocketAddr = "127.0.0.1:8554".parse().map_err(|_| "default bind")?;
    let mut user = None;
    let mut pass = None;
    let mut args = args;
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--bind" => {
                let v = value("--bind")?;
                bind = v.parse().map_err(|e| format!("--bind {v}: {e}"))?;
            }
            "--user" => user = Some(value("--user")?),
            "--pass" => pass = Some(value("--pass")?),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let mut options = app::Options::new(bind);
    options.credentials = match (user, pass) {
        (Some(u), Some(p)) => Some((u, p)),
        (None, None) => None,
        _ => return Err("--user and --pass go together".to_owned()),
    };
    Ok(options)
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("{e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let auth = options.credentials.clone();
    let running = match app::start(options) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let addr = running.addr();
    let creds = auth
        .as_ref()
        .map(|(u, p)| format!("{u}:{p}@"))
        .unwrap_or_default();
    let (rtp, rtcp) = running.udp_addrs();
    println!(
        "rtsp-proto server listening on rtsp://{addr} (RTP/RTCP over UDP on ports {}-{})",
        rtp.port(),
        rtcp.port()
    );
    println!("  watch the test stream:  ffplay rtsp://{creds}{addr}/test");
    println!("                          vlc rtsp://{creds}{addr}/test");
    println!("  publish to any other path, e.g.:");
    println!("    ffmpeg -re -i FILE -c copy -f rtsp rtsp://{creds}{addr}/cam");
    println!("  and watch it:           ffplay rtsp://{creds}{addr}/cam");
    running.join();
    ExitCode::SUCCESS
}
