//! The same sans-IO `ClientSession` as `examples/client.rs`, driven by tokio: one task
//! selects over the RTSP connection and the session's next timeout.
//!
//! ```text
//! cargo run --example tokio_client -- [--duration SECS] rtsp://[user:pass@]host[:port]/path
//! ```
//!
//! Media is interleaved on the connection (TCP). Prints the tracks, one statistics line per
//! second, and exits 0 after a clean TEARDOWN.
#![allow(clippy::disallowed_methods)] // examples own the clock

use bytes::BytesMut;
use rtsp_proto::client::{
    ClientConfig, ClientEvent, ClientSession, Destination, PlayOptions, SetupTransport, TrackId,
};
use rtsp_proto::header::Range;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut duration = Duration::from_secs(10);
    let mut url = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--duration" => {
                let secs: f64 = args.next().and_then(|v| v.parse().ok()).unwrap_or(10.0);
                duration = Duration::from_secs_f64(secs.max(0.0));
            }
            _ => url = Some(a),
        }
    }
    let Some(url) = url else {
        eprintln!("usage: tokio_client [--duration SECS] URL");
        std::process::exit(2);
    };
    if let Err(e) = run(&url, duration).await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn run(url: &str, duration: Duration) -> Result<(), Error> {
    let parsed = rtsp_proto::sdp::Url::parse(url)?;
    let host = parsed.host_str().ok_or("url has no host")?.to_owned();
    let port = parsed.port().unwrap_or(554);
    let mut conn = TcpStream::connect((host.trim_matches(['[', ']']), port)).await?;
    conn.set_nodelay(true)?;
    let mut config = ClientConfig::default();
    // Statistics and frames only: no packet events (frames then need no copy).
    config.emit_packets = false;
    let mut client = ClientSession::new(url, config)?;
    let mut buf = BytesMut::with_capacity(128 * 1024);
    client.describe(Instant::now())?;
    let mut next_setup = 0;
    let mut playing_since = None;
    let mut tearing_down = false;
    let mut last_stats = Instant::now();
    loop {
        // Outputs, in the contract's order: transmits, events, then the timeout.
        while let Some(t) = client.poll_transmit() {
            if t.destination == Destination::Control {
                conn.write_all(&t.data).await?;
            }
        }
        while let Some(ev) = client.poll_event() {
            let now = Instant::now();
            match ev {
                ClientEvent::Response {
                    method, response, ..
                } => {
                    if !response.status.is_success() && method.as_str() != "TEARDOWN" {
                        return Err(format!("{method} failed: {}", response.status.as_u16()).into());
                    }
                    match method.as_str() {
                        "DESCRIBE" | "SETUP" => {
                            if next_setup < client.tracks().len() {
                                client.setup(now, TrackId(next_setup), SetupTransport::Tcp)?;
                                next_setup += 1;
                            } else {
                                let opts = PlayOptions::default()
                                    .with_range(Range::npt_from(Duration::ZERO));
                                client.play(now, opts)?;
                            }
                        }
                        "PLAY" => {
                            println!("playing");
                            playing_since = Some(now);
                        }
                        _ => {}
                    }
                }
                ClientEvent::Described { .. } => {
                    for (i, t) in client.tracks().enumerate() {
                        println!(
                            "  track {i}: {} {}",
                            t.media.kind.as_str(),
                            t.encoding_name().unwrap_or("?")
                        );
                    }
                }
                ClientEvent::RequestTimedOut { method, .. } => {
                    return Err(format!("{method} timed out").into())
                }
                ClientEvent::Closed { error: None } => {
                    println!("closed after TEARDOWN");
                    return Ok(());
                }
                ClientEvent::Closed { error: Some(e) } => return Err(e.into()),
                _ => {}
            }
        }
        let now = Instant::now();
        if let Some(since) = playing_since {
            if now.duration_since(last_stats) >= Duration::from_secs(1) {
                last_stats = now;
                let line: Vec<String> = (0..client.tracks().len())
                    .filter_map(|i| client.track_stats(TrackId(i)))
                    .enumerate()
                    .map(|(i, s)| {
                        format!(
                            "[{i}] {} pkts {} lost {} frames",
                            s.packets, s.lost, s.frames
                        )
                    })
                    .collect();
                println!("stats: {}", line.join("  "));
            }
            if !tearing_down && now.duration_since(since) >= duration {
                tearing_down = true;
                client.teardown(now)?;
                continue;
            }
        }
        let wake = client
            .poll_timeout()
            .unwrap_or(now + Duration::from_secs(1))
            .min(now + Duration::from_millis(250));
        tokio::select! {
            read = conn.read_buf(&mut buf) => {
                let now = Instant::now();
                if read? == 0 {
                    client.handle_close(now);
                } else {
                    client.handle_stream(now, &mut buf)?;
                }
            }
            _ = tokio::time::sleep_until(wake.into()) => {}
        }
        client.handle_timeout(Instant::now());
    }
}
