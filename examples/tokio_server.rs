//! The server example (`examples/server/`) under tokio: the same service (built-in `/test`
//! stream, relay of published paths, TCP and UDP, Digest with `--user`/`--pass`), with
//! tasks instead of threads.
//!
//! ```text
//! cargo run --example tokio_server -- [--bind ADDR:PORT] [--user U --pass P] [--multicast]
//!                                       [--coalesce-ms MS]
//! ffplay rtsp://127.0.0.1:8554/test
//! ```
//!
//! `--coalesce-ms MS` (default 0: write at once) holds media bound for TCP players up to
//! `MS` milliseconds and writes what gathered in one vectored write per player: with a
//! live stream of 15 frames per second, 100 ms turns 15 writes per player and second into
//! about 10 fewer (a fan-out to thousands of players spends most of its CPU in the kernel's
//! TCP send path, once per write), at the price of up to `MS` of added latency. Responses
//! to a player's requests are never held: a connection that sent something is written in
//! the same pass.
//!
//! One task owns the [`Service`] and is fed through a channel by the acceptor, one reader
//! task per connection and one per UDP socket; it sleeps until the next input or
//! `poll_timeout`. One writer task per connection writes what the server queued for it.
// The example reads the real clock; the library never does.
#![allow(clippy::disallowed_methods)]

#[path = "server/service.rs"]
mod service;
#[path = "server/test_stream.rs"]
mod test_stream;

use crate::service::{bind_udp_pair, Options, Service, Status, Worker};
use bytes::{Bytes, BytesMut};
use rtsp_proto::server::{ConnectionId, MediaSocket};
use std::collections::{HashMap, HashSet};
use std::io::{self, IoSlice};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Inputs waiting for the core task; readers wait when it is full (back-pressure).
const INPUT_QUEUE: usize = 1024;
/// Most inputs the core task handles before it writes out what they produced.
const INPUT_BATCH: usize = 64;
/// Most chunks (RTP packets, responses) in one direct vectored write.
const MAX_SLICES: usize = 64;
/// Read buffer of a connection's reader task (on the stack while reading, not kept).
const READ_CHUNK: usize = 16 * 1024;
/// Bytes handed to a writer task and not yet written, above which further output stays in
/// the server (whose own limit then closes slow readers).
const WRITER_HIGH_WATER: usize = 256 * 1024;

#[allow(dead_code)] // `main` of the example; the tests call `start`
#[tokio::main]
async fn main() -> ExitCode {
    let (args, coalesce) = match coalesce_arg(std::env::args().skip(1)) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let options = match Options::from_args(args.into_iter()) {
        Ok(o) => o,
        Err(e) => {
            let code = e.exit("tokio_server");
            if e.is_help() {
                eprintln!(
                    "  --coalesce-ms  (tokio_server) hold media for TCP players up to MS \
                     milliseconds, 0..=1000 (default 0)"
                );
            }
            return code;
        }
    };
    let bound = match bind(&options).await {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    crate::service::print_banner(bound.addr, bound.udp_addrs, &options);
    if !coalesce.is_zero() {
        println!("  TCP media is written every {} ms", coalesce.as_millis());
    }
    match serve(bound, &options, coalesce).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// Takes `--coalesce-ms MS` out of the arguments; the rest are the shared server options.
fn coalesce_arg(args: impl Iterator<Item = String>) -> Result<(Vec<String>, Duration), String> {
    let mut rest = Vec::new();
    let mut coalesce = Duration::ZERO;
    let mut args = args;
    while let Some(arg) = args.next() {
        if arg == "--coalesce-ms" {
            let v = args.next().ok_or("--coalesce-ms needs a value")?;
            let ms: u64 = v
                .parse()
                .ok()
                .filter(|&ms| ms <= 1000)
                .ok_or_else(|| format!("--coalesce-ms {v}: milliseconds from 0 to 1000"))?;
            coalesce = Duration::from_millis(ms);
        } else {
            rest.push(arg);
        }
    }
    Ok((rest, coalesce))
}

/// The sockets of a server.
pub struct Bound {
    listener: TcpListener,
    rtp: Arc<UdpSocket>,
    rtcp: Arc<UdpSocket>,
    /// The RTSP address.
    pub addr: SocketAddr,
    /// The RTP and RTCP addresses.
    pub udp_addrs: (SocketAddr, SocketAddr),
}

/// Binds the RTSP listener and the UDP RTP/RTCP pair.
pub async fn bind(options: &Options) -> io::Result<Bound> {
    let listener = TcpListener::bind(options.bind).await?;
    let addr = listener.local_addr()?;
    let (rtp, rtcp) = bind_udp_pair(addr, options.multicast.as_ref())?;
    let udp_addrs = (rtp.local_addr()?, rtcp.local_addr()?);
    rtp.set_nonblocking(true)?;
    rtcp.set_nonblocking(true)?;
    Ok(Bound {
        listener,
        rtp: Arc::new(UdpSocket::from_std(rtp)?),
        rtcp: Arc::new(UdpSocket::from_std(rtcp)?),
        addr,
        udp_addrs,
    })
}

/// A server running on its own tokio runtime (for the tests); dropping it stops it.
#[allow(dead_code)] // for tests/interop_server.rs
pub struct Running {
    runtime: Option<tokio::runtime::Runtime>,
    addr: SocketAddr,
    status: Arc<Status>,
}

#[allow(dead_code)] // for tests/interop_server.rs
impl Running {
    /// The RTSP address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `rtsp://ADDR{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("rtsp://{}{path}", self.addr)
    }

    /// What the service reports.
    pub fn status(&self) -> &Status {
        &self.status
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// Starts a server on a new two-thread runtime.
#[allow(dead_code)] // for tests/interop_server.rs
pub fn start(options: Options) -> io::Result<Running> {
    start_coalescing(options, Duration::ZERO)
}

/// [`start`] with `--coalesce-ms`: media for TCP players waits up to `coalesce`.
#[allow(dead_code)] // for tests/interop_server.rs
pub fn start_coalescing(options: Options, coalesce: Duration) -> io::Result<Running> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let bound = runtime.block_on(bind(&options))?;
    let addr = bound.addr;
    let service = Service::new(
        Instant::now(),
        Some((bound.udp_addrs.0.port(), bound.udp_addrs.1.port())),
        &options,
    )
    .map_err(io::Error::other)?;
    let status = service.status();
    runtime.spawn(async move {
        if let Err(e) = run(bound, service, coalesce).await {
            eprintln!("{e}");
        }
    });
    Ok(Running {
        runtime: Some(runtime),
        addr,
        status,
    })
}

/// Serves forever.
async fn serve(bound: Bound, options: &Options, coalesce: Duration) -> io::Result<()> {
    let service = Service::new(
        Instant::now(),
        Some((bound.udp_addrs.0.port(), bound.udp_addrs.1.port())),
        options,
    )
    .map_err(io::Error::other)?;
    run(bound, service, coalesce).await
}

/// What the core task is told.
enum Input {
    Accepted(TcpStream, SocketAddr),
    Read(ConnectionId, Bytes),
    Eof(ConnectionId),
    Drained,
    Datagram(MediaSocket, SocketAddr, Bytes),
}

/// One open connection, as the core task sees it.
struct Conn {
    input: BytesMut,
    /// Written directly by the core task while nothing waits in the writer task (the
    /// common case: one `try_write` per connection and pass, no task switch).
    stream: Arc<OwnedWriteHalf>,
    /// What could not be written at once goes to the writer task, in order.
    writer: mpsc::UnboundedSender<Vec<Bytes>>,
    backlog: Arc<AtomicUsize>,
    tasks: [JoinHandle<()>; 2],
}

/// The core task. `coalesce`: how long media for TCP players may wait to be written
/// together (zero: written in the pass that produced it).
async fn run(bound: Bound, mut service: Service, coalesce: Duration) -> io::Result<()> {
    let status = service.status();
    let (tx, mut rx) = mpsc::channel(INPUT_QUEUE);
    tokio::spawn(accept_loop(bound.listener, tx.clone()));
    for (socket, kind) in [
        (&bound.rtp, MediaSocket::Rtp),
        (&bound.rtcp, MediaSocket::Rtcp),
    ] {
        tokio::spawn(udp_loop(socket.clone(), kind, tx.clone()));
    }
    let mut conns: HashMap<ConnectionId, Conn> = HashMap::new();
    let mut has_output: HashSet<ConnectionId> = HashSet::new();
    let mut closed = Vec::new();
    let mut inputs = Vec::with_capacity(INPUT_BATCH);
    // Connections that sent something this pass: written at once (responses).
    let mut urgent: HashSet<ConnectionId> = HashSet::new();
    // When held media is written, with `coalesce`.
    let mut flush_at: Option<Instant> = None;
    loop {
        let next = flush_at.map_or(service.poll_timeout(), |f| f.min(service.poll_timeout()));
        let wake = tokio::time::Instant::from_std(next);
        let input = tokio::select! {
            input = rx.recv() => input,
            () = tokio::time::sleep_until(wake) => None,
        };
        match input {
            Some(input) => inputs.push(input),
            // Every sender is gone: the acceptor and UDP readers ended.
            None if rx.is_closed() => return Ok(()),
            None => {}
        }
        // Whatever else is already waiting is handled in the same pass, so that the
        // packets of one frame from a publisher (or requests arriving together) are
        // written to each player in one write instead of one each.
        while inputs.len() < INPUT_BATCH {
            match rx.try_recv() {
                Ok(input) => inputs.push(input),
                Err(_) => break,
            }
        }
        let now = Instant::now();
        for input in inputs.drain(..) {
            match input {
                Input::Accepted(stream, peer) => {
                    let local = stream.local_addr().unwrap_or(bound.addr);
                    match service.server().accept(now, peer, local) {
                        Ok(conn) => {
                            service.connected(conn, peer);
                            let _ = stream.set_nodelay(true);
                            let (read_half, write_half) = stream.into_split();
                            let write_half = Arc::new(write_half);
                            let (writer, writer_rx) = mpsc::unbounded_channel();
                            let backlog = Arc::new(AtomicUsize::new(0));
                            let tasks = [
                                tokio::spawn(read_loop(
                                    conn,
                                    read_half,
                                    tx.clone(),
                                    Worker::new(&status),
                                )),
                                tokio::spawn(write_loop(
                                    write_half.clone(),
                                    writer_rx,
                                    backlog.clone(),
                                    tx.clone(),
                                    Worker::new(&status),
                                )),
                            ];
                            conns.insert(
                                conn,
                                Conn {
                                    // Grows with what the peer sends: players send only requests.
                                    input: BytesMut::new(),
                                    stream: write_half,
                                    writer,
                                    backlog,
                                    tasks,
                                },
                            );
                        }
                        Err(e) => println!("refused {peer}: {e}"),
                    }
                }
                Input::Read(conn, data) => {
                    urgent.insert(conn);
                    if let Some(c) = conns.get_mut(&conn) {
                        c.input.extend_from_slice(&data);
                        service.server().handle_stream(now, conn, &mut c.input);
                    }
                }
                Input::Eof(conn) => closed.push((conn, "by the peer")),
                Input::Drained => {}
                Input::Datagram(socket, from, data) => {
                    service.server().handle_datagram(now, socket, from, data);
                }
            }
        }
        if service.poll_timeout() <= now {
            service.handle_timeout(now);
        }
        // Drain the service: events, closes, datagrams, connection output.
        loop {
            let mut gave_up = Vec::new();
            service.drain(now, &mut gave_up);
            closed.extend(gave_up.into_iter().map(|c| (c, "given up by the server")));
            let progress = !closed.is_empty();
            for (conn, why) in closed.drain(..) {
                if let Some(c) = conns.remove(&conn) {
                    // Dropping the halves closes the socket.
                    for t in c.tasks {
                        t.abort();
                    }
                    has_output.remove(&conn);
                    service.disconnected(now, conn, why);
                }
            }
            while let Some(t) = service.server().poll_transmit() {
                let socket = match t.socket {
                    MediaSocket::Rtp => &bound.rtp,
                    MediaSocket::Rtcp => &bound.rtcp,
                };
                // UDP is lossy anyway; a full socket buffer drops the datagram.
                let _ = socket.try_send_to(&t.payload, t.destination);
            }
            while let Some(conn) = service.server().poll_writable() {
                has_output.insert(conn);
            }
            // Everything is written when not coalescing or when the held media is due;
            // else only the connections that sent requests, and the rest is due later.
            let all = coalesce.is_zero() || flush_at.is_some_and(|f| f <= now);
            if all {
                flush_at = None;
            }
            let server = service.server();
            has_output.retain(|id| {
                let Some(c) = conns.get(id) else {
                    return false;
                };
                if !all && !urgent.contains(id) {
                    return true;
                }
                let mut batch = Vec::new();
                let mut len = c.backlog.load(Ordering::SeqCst);
                let mut more = true;
                while len < WRITER_HIGH_WATER {
                    let Some(bytes) = server.poll_stream_output(*id) else {
                        more = false;
                        break;
                    };
                    len += bytes.len();
                    batch.push(bytes);
                }
                if !batch.is_empty() && !write_or_queue(c, batch) {
                    return false;
                }
                more
            });
            if !progress {
                break;
            }
        }
        urgent.clear();
        if !has_output.is_empty() && flush_at.is_none() && !coalesce.is_zero() {
            flush_at = Some(now + coalesce);
        }
    }
}

async fn accept_loop(listener: TcpListener, tx: mpsc::Sender<Input>) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                if tx.send(Input::Accepted(stream, peer)).await.is_err() {
                    return;
                }
            }
            Err(e) => eprintln!("accept: {e}"),
        }
    }
}

async fn udp_loop(socket: Arc<UdpSocket>, kind: MediaSocket, tx: mpsc::Sender<Input>) {
    let mut buf = vec![0u8; 65_536];
    loop {
        // An error is an ICMP port unreachable from a player that went away.
        if let Ok((n, from)) = socket.recv_from(&mut buf).await {
            let data = Bytes::copy_from_slice(&buf[..n]);
            if tx.send(Input::Datagram(kind, from, data)).await.is_err() {
                return;
            }
        }
    }
}

async fn read_loop(
    conn: ConnectionId,
    stream: OwnedReadHalf,
    tx: mpsc::Sender<Input>,
    _worker: Worker,
) {
    loop {
        // An idle connection holds no read buffer: the task waits for readability, then
        // reads into a buffer on the stack that does not live across an `await` (a buffer
        // per connection was most of the memory per player with thousands of players).
        let data = match stream.readable().await {
            Ok(()) => {
                let mut buf = [0u8; READ_CHUNK];
                match stream.try_read(&mut buf) {
                    Ok(0) => None,
                    Ok(n) => Some(Bytes::copy_from_slice(buf.get(..n).unwrap_or_default())),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                    Err(_) => None,
                }
            }
            Err(_) => None,
        };
        let Some(data) = data else {
            let _ = tx.send(Input::Eof(conn)).await;
            return;
        };
        if tx.send(Input::Read(conn, data)).await.is_err() {
            return;
        }
    }
}

/// Writes `batch` to the connection: directly (one vectored write, no copy) when nothing
/// waits in its writer task, else, and for what the socket did not take, through the writer
/// task, which keeps the order. False when the writer task is gone (the connection is
/// closing).
fn write_or_queue(c: &Conn, batch: Vec<Bytes>) -> bool {
    // The backlog counts bytes handed to the writer task and not yet written: when it is
    // zero, no write is in progress and the core task may write itself.
    if c.backlog.load(Ordering::SeqCst) == 0 {
        let mut slices = [IoSlice::new(&[]); MAX_SLICES];
        let n = batch.len().min(MAX_SLICES);
        for (slice, chunk) in slices.iter_mut().zip(&batch) {
            *slice = IoSlice::new(chunk);
        }
        let mut skip = match c.stream.try_write_vectored(slices.get(..n).unwrap_or(&[])) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => 0,
            // The reader sees the failure too and reports the close.
            Err(_) => return true,
        };
        // What the socket did not take, as slices of the same chunks.
        let mut rest = Vec::new();
        for chunk in batch {
            if skip >= chunk.len() {
                skip -= chunk.len();
            } else {
                rest.push(chunk.slice(skip..));
                skip = 0;
            }
        }
        if rest.is_empty() {
            return true;
        }
        let len: usize = rest.iter().map(Bytes::len).sum();
        c.backlog.fetch_add(len, Ordering::SeqCst);
        return c.writer.send(rest).is_ok();
    }
    let len: usize = batch.iter().map(Bytes::len).sum();
    c.backlog.fetch_add(len, Ordering::SeqCst);
    c.writer.send(batch).is_ok()
}

async fn write_loop(
    stream: Arc<OwnedWriteHalf>,
    mut rx: mpsc::UnboundedReceiver<Vec<Bytes>>,
    backlog: Arc<AtomicUsize>,
    tx: mpsc::Sender<Input>,
    _worker: Worker,
) {
    let mut out = Vec::new();
    while let Some(batch) = rx.recv().await {
        // Everything queued so far goes out in one write.
        out.clear();
        let mut next = Some(batch);
        while let Some(batch) = next {
            for chunk in batch {
                out.extend_from_slice(&chunk);
            }
            next = rx.try_recv().ok();
        }
        if write_all(&stream, &out).await.is_err() {
            // The reader sees the failure too and reports the close.
            return;
        }
        let before = backlog.fetch_sub(out.len(), Ordering::SeqCst);
        if before >= WRITER_HIGH_WATER && before - out.len() < WRITER_HIGH_WATER {
            let _ = tx.try_send(Input::Drained);
        }
    }
}

/// `write_all` on a write half shared with the core task.
async fn write_all(stream: &OwnedWriteHalf, mut buf: &[u8]) -> io::Result<()> {
    while !buf.is_empty() {
        stream.writable().await?;
        match stream.try_write(buf) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => buf = buf.get(n..).unwrap_or_default(),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
