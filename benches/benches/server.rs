//! The server's fan-out: one H.264 frame of a ~300 kbit/s stream (2,500 bytes, three RTP
//! packets at the default 1,200-byte MTU) sent with `Server::send_frame` to N playing
//! sessions, and every byte taken back out (`poll_writable` + `poll_stream_output` for TCP
//! interleaved players, `poll_transmit` for UDP players). The frame is packetized once
//! and the same `Bytes` go to every player, so the cost per player is a reference count
//! and a queue push; `Throughput::Elements(N)` makes criterion report it per player.

use bytes::BytesMut;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rtsp_proto::codec::h264::{H264Packetizer, H264PacketizerConfig};
use rtsp_proto::message::{Decoder, Message};
use rtsp_proto::server::{
    ConnectionId, MountId, Server, ServerConfig, ServerEvent, ServerLimits, TrackConfig, TrackId,
    UdpPorts,
};
use std::hint::black_box;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// A server with `n` sessions playing `/test` over TCP (`udp == false`) or UDP.
fn playing(n: usize, udp: bool, now: Instant) -> (Server, MountId, Vec<ConnectionId>) {
    let mut config = ServerConfig::default();
    let mut limits = ServerLimits::default();
    limits.max_connections = n + 1;
    limits.max_sessions = n + 1;
    config.limits = limits;
    config.udp_ports = Some(UdpPorts { rtp: 8000, rtcp: 8001 });
    let mut server = Server::new(config);
    let packetizer = H264Packetizer::new(H264PacketizerConfig::default()).expect("packetizer");
    let mount = server
        .add_mount(
            "/test",
            vec![TrackConfig::new("trackID=0", 96, 90_000).with_packetizer(Box::new(packetizer))],
        )
        .expect("mount");
    let local: SocketAddr = "127.0.0.1:8554".parse().expect("addr");
    let mut conns = Vec::new();
    for i in 0..n {
        let peer = SocketAddr::from(([127, 0, (i >> 8) as u8, i as u8], 10_000));
        let conn = server.accept(now, peer, local).expect("accept");
        let transport = if udp {
            "RTP/AVP;unicast;client_port=5000-5001"
        } else {
            "RTP/AVP/TCP;unicast;interleaved=0-1"
        };
        let setup = format!(
            "SETUP rtsp://127.0.0.1:8554/test/trackID=0 RTSP/1.0\r\nCSeq: 1\r\nTransport: {transport}\r\n\r\n"
        );
        server.handle_stream(now, conn, &mut BytesMut::from(setup.as_bytes()));
        answer(&mut server, now);
        let mut out = BytesMut::new();
        while let Some(b) = server.poll_stream_output(conn) {
            out.extend_from_slice(&b);
        }
        let Ok(Some(Message::Response(r))) = Decoder::new().decode(&mut out) else {
            panic!("no SETUP response")
        };
        let token = r.headers.get_str("Session").expect("session");
        let token = token.split(';').next().unwrap_or(token);
        let play = format!(
            "PLAY rtsp://127.0.0.1:8554/test RTSP/1.0\r\nCSeq: 2\r\nSession: {token}\r\n\r\n"
        );
        server.handle_stream(now, conn, &mut BytesMut::from(play.as_bytes()));
        answer(&mut server, now);
        while server.poll_stream_output(conn).is_some() {}
        conns.push(conn);
    }
    assert_eq!(server.players(mount), n);
    (server, mount, conns)
}

fn answer(server: &mut Server, now: Instant) {
    while let Some(e) = server.poll_event() {
        if let ServerEvent::Request(r) = e {
            server.accept_request(now, r.id).expect("accept");
        }
    }
}

fn fan_out(c: &mut Criterion) {
    let mut frame = vec![0u8, 0, 0, 1, 0x65];
    frame.resize(2500, 0x42);
    let mut group = c.benchmark_group("server_fanout");
    for (udp, n) in [(false, 100), (false, 2000), (true, 2000)] {
        #[allow(clippy::disallowed_methods)] // the server's clock comes from here
        let start = Instant::now();
        let (mut server, mount, _conns) = playing(n, udp, start);
        let mut now = start;
        let mut ts = 0u32;
        group.throughput(Throughput::Elements(n as u64));
        let name = if udp { "udp_players" } else { "tcp_players" };
        group.bench_function(BenchmarkId::new(name, n), |b| {
            b.iter(|| {
                now += Duration::from_millis(66);
                ts = ts.wrapping_add(6000);
                server.handle_timeout(now);
                server
                    .send_frame(now, mount, TrackId(0), ts, black_box(&frame))
                    .expect("frame");
                let mut bytes = 0;
                while let Some(conn) = server.poll_writable() {
                    while let Some(b) = server.poll_stream_output(conn) {
                        bytes += b.len();
                    }
                }
                while let Some(t) = server.poll_transmit() {
                    bytes += t.payload.len();
                }
                black_box(bytes)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, fan_out);
criterion_main!(benches);
