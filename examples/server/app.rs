//! The server example's I/O on blocking `std::net` and threads.
//!
//! One *core* thread owns the [`Service`] (the sans-IO server and what it serves). It is
//! fed through one bounded channel by
//! - an acceptor thread (new TCP connections),
//! - one reader thread per connection (bytes read),
//! - one reader thread per UDP socket (RTP and RTCP from players and publishers),
//! - the writer threads (a connection's backlog fell below the high-water mark),
//!
//! and it wakes up by itself at [`Service::poll_timeout`] (the server's timers and the next
//! frame of the test stream). After every input it drains the service: datagrams are sent
//! at once, bytes for a connection go to that connection's writer thread.
//!
//! A connection's two threads end when it closes (the core does not wait for them, which
//! could deadlock on a full input channel; it joins them once they have finished), so no
//! thread outlives its connection.
//! A writer that cannot keep up stops being fed; the server then keeps the bytes, up to its
//! `max_output_bytes` limit, and gives up on a reader that is too slow.

use crate::service::{bind_udp_pair, Options, Service, Status, Worker};
use bytes::{Bytes, BytesMut};
use rtsp_proto::server::{ConnectionId, MediaSocket};
use std::collections::{HashMap, HashSet};
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

/// Inputs waiting for the core thread; readers block when it is full (back-pressure).
const INPUT_QUEUE: usize = 1024;
/// Bytes handed to a connection's writer thread and not yet written, above which the
/// core leaves further output in the server (whose own limit then closes slow readers).
const WRITER_HIGH_WATER: usize = 256 * 1024;
/// Read buffer of the reader threads.
const READ_CHUNK: usize = 64 * 1024;

/// A running server; dropping it stops every thread it started.
pub struct Running {
    addr: SocketAddr,
    udp_addrs: (SocketAddr, SocketAddr),
    inputs: SyncSender<Input>,
    stopping: Arc<AtomicBool>,
    status: Arc<Status>,
    threads: Vec<JoinHandle<()>>,
}

impl Running {
    /// The RTSP address (with the port the system chose when binding port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The RTP and RTCP addresses.
    pub fn udp_addrs(&self) -> (SocketAddr, SocketAddr) {
        self.udp_addrs
    }

    /// `rtsp://ADDR{path}`.
    #[allow(dead_code)] // for tests/interop_server.rs
    pub fn url(&self, path: &str) -> String {
        format!("rtsp://{}{path}", self.addr)
    }

    /// What the service reports.
    #[allow(dead_code)] // for tests/interop_server.rs
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// Runs until the process ends (the command-line example never stops by itself).
    pub fn join(mut self) {
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.threads.is_empty() {
            return;
        }
        self.stopping.store(true, Ordering::SeqCst);
        let _ = self.inputs.send(Input::Stop);
        // Wake the blocking acceptor and UDP readers so that they see `stopping`.
        let _ = TcpStream::connect(self.addr);
        if let Ok(s) = UdpSocket::bind((self.addr.ip(), 0)) {
            let _ = s.send_to(b"", self.udp_addrs.0);
            let _ = s.send_to(b"", self.udp_addrs.1);
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// What the core thread is told.
enum Input {
    /// A new TCP connection.
    Accepted(TcpStream, SocketAddr),
    /// Bytes read from a connection.
    Read(ConnectionId, Bytes),
    /// A connection was closed by the peer (or failed).
    Eof(ConnectionId),
    /// A writer's backlog fell below the high-water mark.
    Drained,
    /// A datagram on one of the UDP media sockets.
    Datagram(MediaSocket, SocketAddr, Bytes),
    /// Stop everything.
    Stop,
}

/// Starts the server: binds the RTSP listener and the UDP RTP/RTCP pair, and spawns the
/// core, acceptor and UDP reader threads.
pub fn start(options: Options) -> io::Result<Running> {
    let listener = TcpListener::bind(options.bind)?;
    let addr = listener.local_addr()?;
    let (rtp, rtcp) = bind_udp_pair(addr, options.multicast.as_ref())?;
    let udp_addrs = (rtp.local_addr()?, rtcp.local_addr()?);
    let service = Service::new(
        Instant::now(),
        Some((udp_addrs.0.port(), udp_addrs.1.port())),
        &options,
    )
    .map_err(io::Error::other)?;
    let status = service.status();
    let (tx, rx) = mpsc::sync_channel(INPUT_QUEUE);
    let stopping = Arc::new(AtomicBool::new(false));
    let core = Core {
        service,
        local: addr,
        rtp: rtp.try_clone()?,
        rtcp: rtcp.try_clone()?,
        inputs: tx.clone(),
        conns: HashMap::new(),
        has_output: HashSet::new(),
        closed: Vec::new(),
        finishing: Vec::new(),
        status: status.clone(),
    };

    let mut threads = vec![spawn("core", move || core.run(rx))?];
    {
        let tx = tx.clone();
        let stopping = stopping.clone();
        threads.push(spawn("acceptor", move || {
            accept_loop(listener, tx, &stopping)
        })?);
    }
    for (socket, kind) in [(rtp, MediaSocket::Rtp), (rtcp, MediaSocket::Rtcp)] {
        let tx = tx.clone();
        let stopping = stopping.clone();
        threads.push(spawn("udp", move || udp_loop(socket, kind, tx, &stopping))?);
    }
    Ok(Running {
        addr,
        udp_addrs,
        inputs: tx,
        stopping,
        status,
        threads,
    })
}

fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> io::Result<JoinHandle<()>> {
    std::thread::Builder::new().name(name.to_owned()).spawn(f)
}

fn accept_loop(listener: TcpListener, tx: SyncSender<Input>, stopping: &AtomicBool) {
    loop {
        let accepted = listener.accept();
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        match accepted {
            Ok((stream, peer)) => {
                if tx.send(Input::Accepted(stream, peer)).is_err() {
                    return;
                }
            }
            // Out of file descriptors and the like: report and keep serving the others.
            Err(e) => eprintln!("accept: {e}"),
        }
    }
}

fn udp_loop(socket: UdpSocket, kind: MediaSocket, tx: SyncSender<Input>, stopping: &AtomicBool) {
    let mut buf = vec![0u8; 65_536];
    loop {
        let received = socket.recv_from(&mut buf);
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        // An error here is an ICMP port unreachable from a player that went away (Linux
        // reports it on the next receive); it says nothing about our socket.
        if let Ok((n, from)) = received {
            let data = Bytes::copy_from_slice(&buf[..n]);
            if tx.send(Input::Datagram(kind, from, data)).is_err() {
                return;
            }
        }
    }
}

fn reader_loop(conn: ConnectionId, mut stream: TcpStream, tx: SyncSender<Input>, _worker: Worker) {
    let mut buf = vec![0u8; READ_CHUNK];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => {
                let _ = tx.send(Input::Eof(conn));
                return;
            }
            Ok(n) => {
                let data = Bytes::copy_from_slice(&buf[..n]);
                if tx.send(Input::Read(conn, data)).is_err() {
                    return;
                }
            }
        }
    }
}

fn writer_loop(
    mut stream: TcpStream,
    rx: Receiver<Vec<Bytes>>,
    backlog: Arc<AtomicUsize>,
    tx: SyncSender<Input>,
    _worker: Worker,
) {
    let mut out = Vec::new();
    while let Ok(batch) = rx.recv() {
        // Everything queued so far goes out in one write.
        out.clear();
        for batch in std::iter::once(batch).chain(rx.try_iter()) {
            for chunk in batch {
                out.extend_from_slice(&chunk);
            }
        }
        if stream.write_all(&out).is_err() {
            // The reader sees the failure too and reports the close.
            let _ = stream.shutdown(Shutdown::Both);
            return;
        }
        let before = backlog.fetch_sub(out.len(), Ordering::SeqCst);
        if before >= WRITER_HIGH_WATER && before - out.len() < WRITER_HIGH_WATER {
            // When the queue is full the core is busy and looks again anyway.
            let _ = tx.try_send(Input::Drained);
        }
    }
}

/// One open connection, as the core thread sees it.
struct Conn {
    stream: TcpStream,
    input: BytesMut,
    writer: Sender<Vec<Bytes>>,
    backlog: Arc<AtomicUsize>,
    threads: [JoinHandle<()>; 2],
}

struct Core {
    service: Service,
    local: SocketAddr,
    rtp: UdpSocket,
    rtcp: UdpSocket,
    inputs: SyncSender<Input>,
    conns: HashMap<ConnectionId, Conn>,
    /// Connections whose output is not all taken from the server yet.
    has_output: HashSet<ConnectionId>,
    closed: Vec<ConnectionId>,
    /// Threads of closed connections, joined once finished.
    finishing: Vec<JoinHandle<()>>,
    status: Arc<Status>,
}

impl Core {
    fn run(mut self, rx: Receiver<Input>) {
        loop {
            let wake = self.service.poll_timeout();
            let input = match rx.recv_timeout(wake.saturating_duration_since(Instant::now())) {
                Ok(Input::Stop) | Err(RecvTimeoutError::Disconnected) => break,
                Ok(input) => Some(input),
                Err(RecvTimeoutError::Timeout) => None,
            };
            let now = Instant::now();
            if let Some(input) = input {
                self.handle_input(now, input);
            }
            if self.service.poll_timeout() <= now {
                self.service.handle_timeout(now);
            }
            self.drain(now);
            self.reap();
        }
        let conns: Vec<ConnectionId> = self.conns.keys().copied().collect();
        for conn in conns {
            self.close(Instant::now(), conn, "server stopping");
        }
    }

    fn handle_input(&mut self, now: Instant, input: Input) {
        match input {
            Input::Accepted(stream, peer) => self.accept(now, stream, peer),
            Input::Read(conn, data) => {
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.input.extend_from_slice(&data);
                    self.service.server().handle_stream(now, conn, &mut c.input);
                }
            }
            Input::Eof(conn) => self.close(now, conn, "by the peer"),
            Input::Drained => {}
            Input::Datagram(socket, from, data) => {
                self.service
                    .server()
                    .handle_datagram(now, socket, from, data);
            }
            Input::Stop => {}
        }
    }

    fn accept(&mut self, now: Instant, stream: TcpStream, peer: SocketAddr) {
        let local = stream.local_addr().unwrap_or(self.local);
        let conn = match self.service.server().accept(now, peer, local) {
            Ok(id) => id,
            Err(e) => {
                println!("refused {peer}: {e}");
                return;
            }
        };
        self.service.connected(conn, peer);
        let _ = stream.set_nodelay(true);
        let threads = (|| {
            let (writer, writer_rx) = mpsc::channel();
            let backlog = Arc::new(AtomicUsize::new(0));
            let (read_half, write_half) = (stream.try_clone()?, stream.try_clone()?);
            let tx = self.inputs.clone();
            let worker = Worker::new(&self.status);
            let reader = spawn("conn-reader", move || {
                reader_loop(conn, read_half, tx, worker)
            })?;
            let tx = self.inputs.clone();
            let b = backlog.clone();
            let worker = Worker::new(&self.status);
            let writer_thread = spawn("conn-writer", move || {
                writer_loop(write_half, writer_rx, b, tx, worker)
            })?;
            io::Result::Ok((writer, backlog, [reader, writer_thread]))
        })();
        match threads {
            Ok((writer, backlog, threads)) => {
                self.conns.insert(
                    conn,
                    Conn {
                        stream,
                        input: BytesMut::with_capacity(READ_CHUNK),
                        writer,
                        backlog,
                        threads,
                    },
                );
            }
            Err(e) => {
                let _ = stream.shutdown(Shutdown::Both);
                self.service
                    .disconnected(now, conn, &format!("cannot serve it: {e}"));
            }
        }
    }

    /// Joins the threads of closed connections that have finished.
    fn reap(&mut self) {
        let (done, running): (Vec<_>, Vec<_>) = std::mem::take(&mut self.finishing)
            .into_iter()
            .partition(|t| t.is_finished());
        self.finishing = running;
        for t in done {
            let _ = t.join();
        }
    }

    /// Closes the socket, ends the connection's threads and tells the server.
    fn close(&mut self, now: Instant, conn: ConnectionId, why: &str) {
        if let Some(c) = self.conns.remove(&conn) {
            let _ = c.stream.shutdown(Shutdown::Both);
            drop(c.writer);
            // Both threads end now: the reader's socket is shut down and the writer's
            // channel is closed. They are joined once finished (`reap`).
            self.finishing.extend(c.threads);
            self.has_output.remove(&conn);
            self.service.disconnected(now, conn, why);
        }
    }

    /// Takes everything the service has to say: events (answered inside), datagrams, and
    /// connection output.
    fn drain(&mut self, now: Instant) {
        loop {
            self.service.drain(now, &mut self.closed);
            let mut progress = false;
            while let Some(conn) = self.closed.pop() {
                progress = true;
                self.close(now, conn, "given up by the server");
            }
            while let Some(t) = self.service.server().poll_transmit() {
                let socket = match t.socket {
                    MediaSocket::Rtp => &self.rtp,
                    MediaSocket::Rtcp => &self.rtcp,
                };
                // UDP is lossy anyway; a full socket buffer drops the datagram.
                let _ = socket.send_to(&t.payload, t.destination);
            }
            while let Some(conn) = self.service.server().poll_writable() {
                self.has_output.insert(conn);
            }
            self.write_output();
            if !progress {
                return;
            }
        }
    }

    /// Hands the output of connections to their writer threads (one batch per connection
    /// and call), as long as their backlog is under the high-water mark; the rest waits in
    /// the server.
    fn write_output(&mut self) {
        let conns = &self.conns;
        let server = self.service.server();
        self.has_output.retain(|id| {
            let Some(c) = conns.get(id) else {
                return false;
            };
            let mut batch = Vec::new();
            let mut len = c.backlog.load(Ordering::SeqCst);
            let mut more = true;
            while len < WRITER_HIGH_WATER {
                let Some(bytes) = server.poll_stream_output(*id) else {
                    more = false;
                    break;
                };
                len += bytes.len();
                c.backlog.fetch_add(bytes.len(), Ordering::SeqCst);
                batch.push(bytes);
            }
            if !batch.is_empty() && c.writer.send(batch).is_err() {
                return false;
            }
            more
        });
    }
}
