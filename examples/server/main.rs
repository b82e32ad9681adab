//! A working RTSP server on blocking `std::net` and threads, built on the sans-IO
//! [`rtsp_proto::server::Server`].
//!
//! ```text
//! cargo run --example server -- [--bind ADDR:PORT] [--user U --pass P] [--multicast]
//! ffplay rtsp://127.0.0.1:8554/test
//! vlc rtsp://127.0.0.1:8554/test
//! ffmpeg -re -i FILE -c copy -f rtsp rtsp://127.0.0.1:8554/cam    # publish
//! ffplay rtsp://127.0.0.1:8554/cam                                 # watch the relay
//! ```
//!
//! `/test` is a built-in stream (moving H.264 video and a 440 Hz PCMU tone); any other path
//! accepts one publisher (ANNOUNCE + RECORD) and relays its stream to every player of that
//! path, over TCP (interleaved) and UDP. `--user`/`--pass` require Digest authentication
//! (MD5, which every player answers) for everything but OPTIONS. `--multicast` also serves
//! UDP multicast (`ffplay -rtsp_transport udp_multicast URL`, GStreamer's
//! `rtspsrc protocols=udp-mcast`) and puts each path's group in its description, which is
//! what makes VLC choose multicast.
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

use std::process::ExitCode;

fn main() -> ExitCode {
    let options = match service::Options::from_args(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => return e.exit("server"),
    };
    let shown = options.clone();
    let running = match app::start(options) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    service::print_banner(running.addr(), running.udp_addrs(), &shown);
    running.join();
    ExitCode::SUCCESS
}
