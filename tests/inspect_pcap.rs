//! `inspect` on packet captures: its RTP packet and loss counts per SSRC agree with
//! tshark's on real captures (tshark's numbers are committed next to each capture, and
//! tshark is also run live when installed); TCP reassembly and the link/IP layers are
//! tested on synthetic segments and on captures built here.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

/// The example's TCP reassembly (its own unit tests run here too).
#[allow(dead_code)]
#[path = "../examples/inspect/tcp.rs"]
mod tcp;

/// The example's link/IP/TCP/UDP header parsing.
#[allow(dead_code)]
#[path = "../examples/inspect/net.rs"]
mod net;

use common::inspect::{field, inspect_bin, lines_of, num, run_ok};
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use pcap_file::pcapng::{Block, PcapNgWriter};
use pcap_file::DataLink;
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Packets and losses per SSRC.
type Counts = BTreeMap<u32, (i64, i64)>;

/// Per-SSRC packet and loss counts of `inspect --json` output (summed over flows).
fn inspect_counts(text: &str) -> Counts {
    let mut c = Counts::new();
    for l in lines_of(text, "rtp_stream") {
        let e = c.entry(num(l, "ssrc") as u32).or_default();
        e.0 += num(l, "packets");
        e.1 += num(l, "lost");
    }
    c
}

/// Per-SSRC counts from tshark's `-T fields -e rtp.ssrc -e rtp.seq` output (one line per
/// frame, comma-separated when a frame holds several RTP packets): packets, and lost =
/// expected - received with the expected count from the extended highest and first
/// sequence numbers (RFC 3550 §6.4.1, as tshark's RTP stream analysis counts it).
fn tshark_counts(output: &str) -> Counts {
    let mut seqs: BTreeMap<u32, Vec<u16>> = BTreeMap::new();
    for line in output
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (ssrcs, nums) = line.split_once('\t').expect("ssrc<TAB>seq");
        for (s, q) in ssrcs.split(',').zip(nums.split(',')) {
            let ssrc = u32::from_str_radix(s.trim_start_matches("0x"), 16).unwrap();
            seqs.entry(ssrc).or_default().push(q.parse().unwrap());
        }
    }
    seqs.into_iter()
        .map(|(ssrc, s)| {
            let base = i64::from(s[0]);
            let mut max = s[0];
            let mut cycles = 0i64;
            for &q in &s[1..] {
                if q.wrapping_sub(max) < 0x8000 {
                    if q < max {
                        cycles += 65_536;
                    }
                    max = q;
                }
            }
            let expected = cycles + i64::from(max) - base + 1;
            (ssrc, (s.len() as i64, expected - s.len() as i64))
        })
        .collect()
}

fn pcap_dir() -> PathBuf {
    common::data_dir().join("pcap")
}

/// Checks `inspect` against the committed tshark numbers of capture `name`, and against
/// tshark itself when it is installed. Returns inspect's JSON output.
fn check_against_tshark(name: &str) -> String {
    let dir = pcap_dir();
    let capture = dir.join(format!("{name}.pcapng"));
    let text = run_ok(&["--json".as_ref(), capture.as_os_str()]);
    let ours = inspect_counts(&text);
    let committed = std::fs::read_to_string(dir.join(format!("{name}.tshark.txt"))).unwrap();
    let expected = tshark_counts(&committed);
    assert!(!expected.is_empty(), "{name}: no RTP in the tshark file");
    assert_eq!(
        ours, expected,
        "{name}: inspect vs committed tshark numbers"
    );

    if common::peers::require("inspect_pcap tshark", &["tshark"]) {
        let command = committed
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# "))
            .expect("command line");
        let mut words = command.split_whitespace();
        assert_eq!(words.next(), Some("tshark"));
        let out = Command::new("tshark")
            .args(words)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let live = tshark_counts(&String::from_utf8(out.stdout).unwrap());
        assert_eq!(ours, live, "{name}: inspect vs live tshark");
    }
    text
}

#[test]
fn tcp_interleaved_agrees_with_tshark() {
    let text = check_against_tshark("ffmpeg_tcp__gst_av");
    let conns = lines_of(&text, "connection");
    assert_eq!(conns.len(), 1);
    assert_eq!(field(conns[0], "server"), Some("127.0.0.1:8554"));
    let ex = lines_of(&text, "exchange");
    let methods: Vec<_> = ex.iter().map(|l| field(l, "method").unwrap()).collect();
    assert_eq!(
        methods,
        ["OPTIONS", "DESCRIBE", "SETUP", "SETUP", "PLAY", "TEARDOWN"]
    );
    assert!(ex.iter().all(|l| num(l, "status") == 200));
    // Latencies come from the capture timestamps: positive and well under a second.
    for l in &ex {
        let ms: f64 = field(l, "latency_ms").unwrap().parse().unwrap();
        assert!(ms > 0.0 && ms < 1000.0, "{l}");
    }
    let streams = lines_of(&text, "rtp_stream");
    assert_eq!(streams.len(), 2);
    for s in &streams {
        assert_eq!(field(s, "arrival_times"), Some("capture"));
        assert_eq!(num(s, "sender_reports"), 1, "{s}");
        assert!(
            field(s, "first_wall_clock").unwrap().starts_with("20"),
            "{s}"
        );
    }
    let tracks = lines_of(&text, "track");
    let video = tracks
        .iter()
        .find(|l| field(l, "encoding") == Some("H264"))
        .unwrap();
    assert_eq!(num(video, "frames"), 46);
    assert_eq!(num(video, "keyframes"), 4);
    let audio = tracks
        .iter()
        .find(|l| field(l, "encoding") == Some("MPEG4-GENERIC"))
        .unwrap();
    assert_eq!(num(audio, "frames"), 131);
    let cap = lines_of(&text, "capture")[0];
    assert_eq!(num(cap, "interleaved_frames"), 358);
}

#[test]
fn udp_over_ipv6_agrees_with_tshark() {
    let text = check_against_tshark("ffmpeg_udp__gst_h264_ipv6");
    let streams = lines_of(&text, "rtp_stream");
    // The media from the server's RTP port, and ffmpeg's one "punch" packet back to it.
    let media = streams
        .iter()
        .find(|l| num(l, "packets") > 100)
        .expect("media stream");
    assert!(
        field(media, "src").unwrap().starts_with("[::1]:"),
        "{media}"
    );
    assert_eq!(num(media, "media"), 0);
    let cap = lines_of(&text, "capture")[0];
    assert_eq!(num(cap, "udp_datagrams"), num(cap, "udp_attributed"));
    let tracks = lines_of(&text, "track");
    assert_eq!(tracks.len(), 1, "{text}");
    let video = tracks[0];
    assert_eq!(field(video, "encoding"), Some("H264"));
    assert!(num(video, "keyframes") >= 1);
}

#[test]
fn record_over_udp_agrees_with_tshark() {
    // The server's port pairs are not in SETUP order here: attribution follows the
    // SETUP request URL and its response, not the order.
    let text = check_against_tshark("ffmpegpub_udp__gst_record");
    let methods: Vec<_> = lines_of(&text, "exchange")
        .iter()
        .map(|l| field(l, "method").unwrap().to_owned())
        .collect();
    assert!(methods.contains(&"ANNOUNCE".to_owned()), "{methods:?}");
    assert!(methods.contains(&"RECORD".to_owned()), "{methods:?}");
    // The ANNOUNCE's SDP names the media.
    let tracks = lines_of(&text, "track");
    let encodings: Vec<_> = tracks
        .iter()
        .map(|l| field(l, "encoding").unwrap())
        .collect();
    assert!(encodings.contains(&"H264"), "{text}");
    assert!(encodings.contains(&"MPEG4-GENERIC"), "{text}");
    // Media flows from the publisher (the RTSP client) to the server.
    let conn = lines_of(&text, "connection")[0];
    let client_ip = field(conn, "client").unwrap().rsplit_once(':').unwrap().0;
    for s in lines_of(&text, "rtp_stream") {
        assert!(field(s, "src").unwrap().starts_with(client_ip), "{s}");
    }
}

#[test]
fn record_over_tcp_on_a_non_standard_port_agrees_with_tshark() {
    let text = check_against_tshark("ffmpegpub_tcp__ffmpeg_listen");
    let conn = lines_of(&text, "connection")[0];
    assert!(field(conn, "server").unwrap().ends_with(":8560"), "{conn}");
    // ffmpeg's listen mode answers TEARDOWN without CSeq: noticed, not fatal.
    assert!(
        lines_of(&text, "anomaly")
            .iter()
            .any(|l| field(l, "what").unwrap().contains("without CSeq")),
        "{text}"
    );
}

#[test]
fn rtsp2_over_tcp_agrees_with_tshark() {
    let text = check_against_tshark("gst2_tcp__gst_av");
    let ex = lines_of(&text, "exchange");
    assert_eq!(ex.len(), 7);
    assert!(ex.iter().all(|l| num(l, "status") == 200));
}

#[test]
fn human_report() {
    let capture = pcap_dir().join("ffmpeg_udp__gst_h264_ipv6.pcapng");
    let text = run_ok(&[capture.as_os_str()]);
    for needle in [
        "RTSP connection 1: client [::1]:",
        "Timeline:",
        "DESCRIBE rtsp://[::1]:",
        "-> 200 OK",
        "RTP streams:",
        "wall clock 20",
        "RTCP:",
        "Tracks:",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
}

// ---------------------------------------------------------------------------------------
// Captures built here.

fn ip(addr: &str) -> IpAddr {
    addr.parse().unwrap()
}

fn checksum_free_ip(src: IpAddr, dst: IpAddr, proto: u8, l4: &[u8]) -> Vec<u8> {
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let mut p = vec![0x45, 0];
            p.extend_from_slice(&(20 + l4.len() as u16).to_be_bytes());
            p.extend_from_slice(&[0, 0, 0x40, 0, 64, proto, 0, 0]);
            p.extend_from_slice(&s.octets());
            p.extend_from_slice(&d.octets());
            p.extend_from_slice(l4);
            p
        }
        (IpAddr::V6(s), IpAddr::V6(d)) => {
            // With a hop-by-hop options header in front of the transport header.
            let mut p = vec![0x60, 0, 0, 0];
            p.extend_from_slice(&(8 + l4.len() as u16).to_be_bytes());
            p.extend_from_slice(&[0, 64]);
            p.extend_from_slice(&s.octets());
            p.extend_from_slice(&d.octets());
            p.extend_from_slice(&[proto, 0, 1, 4, 0, 0, 0, 0]);
            p.extend_from_slice(l4);
            p
        }
        _ => panic!("mixed address families"),
    }
}

/// A TCP segment; with `ack`, the ACK flag is added to `flags`.
fn tcp_packet(
    src: SocketAddr,
    dst: SocketAddr,
    seq: u32,
    ack: Option<u32>,
    flags: u8,
    data: &[u8],
) -> Vec<u8> {
    let mut t = Vec::new();
    t.extend_from_slice(&src.port().to_be_bytes());
    t.extend_from_slice(&dst.port().to_be_bytes());
    t.extend_from_slice(&seq.to_be_bytes());
    t.extend_from_slice(&ack.unwrap_or(0).to_be_bytes());
    let flags = flags | if ack.is_some() { 0x10 } else { 0 };
    t.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
    t.extend_from_slice(data);
    checksum_free_ip(src.ip(), dst.ip(), 6, &t)
}

fn udp_packet(src: SocketAddr, dst: SocketAddr, data: &[u8]) -> Vec<u8> {
    let mut u = Vec::new();
    u.extend_from_slice(&src.port().to_be_bytes());
    u.extend_from_slice(&dst.port().to_be_bytes());
    u.extend_from_slice(&(8 + data.len() as u16).to_be_bytes());
    u.extend_from_slice(&[0, 0]);
    u.extend_from_slice(data);
    checksum_free_ip(src.ip(), dst.ip(), 17, &u)
}

/// Link-layer framings.
#[derive(Clone, Copy)]
enum Framing {
    Sll,
    Sll2,
    EthernetVlan,
    Null,
    Raw,
}

fn frame(f: Framing, ip_packet: &[u8]) -> Vec<u8> {
    let v6 = ip_packet[0] >> 4 == 6;
    let ethertype: [u8; 2] = if v6 { [0x86, 0xdd] } else { [0x08, 0x00] };
    let mut out = Vec::new();
    match f {
        Framing::Sll => {
            out.extend_from_slice(&[0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&ethertype);
        }
        Framing::Sll2 => {
            out.extend_from_slice(&ethertype);
            out.extend_from_slice(&[0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 2, 0, 0, 0, 0, 0, 0, 0]);
        }
        Framing::EthernetVlan => {
            out.extend_from_slice(&[2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2]);
            out.extend_from_slice(&[0x81, 0x00, 0x00, 0x07]);
            out.extend_from_slice(&[0x81, 0x00, 0x00, 0x08]);
            out.extend_from_slice(&ethertype);
        }
        Framing::Null => {
            let family: u32 = if v6 { 30 } else { 2 };
            out.extend_from_slice(&family.to_le_bytes());
        }
        Framing::Raw => {}
    }
    out.extend_from_slice(ip_packet);
    out
}

/// One captured packet: time in seconds and IP packet.
type Pkt = (f64, Vec<u8>);

const CLIENT: &str = "[2001:db8::1]:50000";
const SERVER: &str = "[2001:db8::2]:7070";

fn rtsp_session_packets() -> (Vec<Pkt>, usize) {
    let client: SocketAddr = CLIENT.parse().unwrap();
    let server: SocketAddr = SERVER.parse().unwrap();
    let sdp = "v=0\r\no=- 1 1 IN IP6 2001:db8::2\r\ns=t\r\nc=IN IP6 2001:db8::2\r\nt=0 0\r\n\
               m=audio 0 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=control:track1\r\n";
    let c2s = [
        "DESCRIBE rtsp://[2001:db8::2]:7070/cam RTSP/1.0\r\nCSeq: 1\r\n\r\n".to_owned(),
        "SETUP rtsp://[2001:db8::2]:7070/cam/track1 RTSP/1.0\r\nCSeq: 2\r\n\
         Transport: RTP/AVP;unicast;client_port=5000-5001\r\n\r\n"
            .to_owned(),
        "PLAY rtsp://[2001:db8::2]:7070/cam/ RTSP/1.0\r\nCSeq: 3\r\nSession: 1234\r\n\r\n"
            .to_owned(),
    ];
    let s2c = [
        format!(
            "RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Base: rtsp://[2001:db8::2]:7070/cam/\r\n\
             Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
            sdp.len()
        ),
        "RTSP/1.0 200 OK\r\nCSeq: 2\r\nSession: 1234\r\n\
         Transport: RTP/AVP;unicast;client_port=5000-5001;server_port=6000-6001\r\n\r\n"
            .to_owned(),
        "RTSP/1.0 200 OK\r\nCSeq: 3\r\nSession: 1234\r\n\r\n".to_owned(),
    ];
    let mut pkts: Vec<Pkt> = Vec::new();
    let (mut cseq, mut sseq) = (1000u32, 5000u32);
    pkts.push((0.000, tcp_packet(client, server, cseq, None, 0x02, b"")));
    pkts.push((
        0.001,
        tcp_packet(server, client, sseq, Some(cseq + 1), 0x02, b""),
    ));
    cseq += 1;
    sseq += 1;
    let mut t = 0.010;
    // The index of the first packet of the DESCRIBE response, for the mid-stream test.
    let mut describe_response_at = 0;
    for (i, (req, resp)) in c2s.iter().zip(&s2c).enumerate() {
        pkts.push((
            t,
            tcp_packet(client, server, cseq, Some(sseq), 0x08, req.as_bytes()),
        ));
        cseq += req.len() as u32;
        let ack = Some(cseq);
        t += 0.013;
        let r = resp.as_bytes();
        if i == 0 {
            // Three segments sent out of order (1, 3, 2), then 2 retransmitted and a
            // segment overlapping 2 and 3.
            describe_response_at = pkts.len();
            let (a, rest) = r.split_at(40);
            let (b, c) = rest.split_at(40);
            pkts.push((t, tcp_packet(server, client, sseq, ack, 0x08, a)));
            pkts.push((
                t + 0.001,
                tcp_packet(server, client, sseq + 80, ack, 0x08, c),
            ));
            pkts.push((
                t + 0.002,
                tcp_packet(server, client, sseq + 40, ack, 0x08, b),
            ));
            pkts.push((
                t + 0.003,
                tcp_packet(server, client, sseq + 40, ack, 0x08, b),
            ));
            pkts.push((
                t + 0.004,
                tcp_packet(server, client, sseq + 60, ack, 0x08, &r[60..100]),
            ));
        } else {
            pkts.push((t, tcp_packet(server, client, sseq, ack, 0x08, r)));
        }
        sseq += r.len() as u32;
        t += 0.010;
    }
    // RTP: seq 100..=109, 103 and 104 lost, 106 duplicated, 108 and 109 swapped.
    let rtp_src: SocketAddr = "[2001:db8::2]:6000".parse().unwrap();
    let rtp_dst: SocketAddr = "[2001:db8::1]:5000".parse().unwrap();
    let order = [100u16, 101, 102, 105, 106, 106, 107, 109, 108];
    for (i, seq) in order.iter().enumerate() {
        let mut p = vec![0x80, 0x00];
        p.extend_from_slice(&seq.to_be_bytes());
        p.extend_from_slice(&(u32::from(seq - 100) * 160).to_be_bytes());
        p.extend_from_slice(&0x1234_5678u32.to_be_bytes());
        p.extend(std::iter::repeat_n(0xffu8, 160));
        pkts.push((0.1 + 0.02 * i as f64, udp_packet(rtp_src, rtp_dst, &p)));
    }
    // One sender report on the RTCP ports.
    let mut sr = vec![0x80, 200, 0, 6];
    sr.extend_from_slice(&0x1234_5678u32.to_be_bytes());
    sr.extend_from_slice(&0xe8a0_0000u32.to_be_bytes()); // NTP seconds (year 2023)
    sr.extend_from_slice(&0u32.to_be_bytes());
    sr.extend_from_slice(&0u32.to_be_bytes()); // RTP timestamp
    sr.extend_from_slice(&10u32.to_be_bytes());
    sr.extend_from_slice(&1600u32.to_be_bytes());
    pkts.push((
        0.31,
        udp_packet(
            "[2001:db8::2]:6001".parse().unwrap(),
            "[2001:db8::1]:5001".parse().unwrap(),
            &sr,
        ),
    ));
    // A flow no SETUP negotiated.
    pkts.push((
        0.32,
        udp_packet(
            "[2001:db8::9]:7000".parse().unwrap(),
            "[2001:db8::1]:7001".parse().unwrap(),
            b"hello",
        ),
    ));
    // A GET_PARAMETER whose first segment is never captured, then an OPTIONS: the
    // server's acknowledgement of both shows the gap will never be filled.
    let lost = "GET_PARAMETER rtsp://[2001:db8::2]:7070/cam/ RTSP/1.0\r\n";
    let tail = "CSeq: 4\r\nSession: 1234\r\n\r\n";
    pkts.push((
        0.40,
        tcp_packet(
            client,
            server,
            cseq + lost.len() as u32,
            Some(sseq),
            0x08,
            tail.as_bytes(),
        ),
    ));
    cseq += (lost.len() + tail.len()) as u32;
    let options = "OPTIONS rtsp://[2001:db8::2]:7070/cam/ RTSP/1.0\r\nCSeq: 5\r\n\r\n";
    pkts.push((
        0.41,
        tcp_packet(client, server, cseq, Some(sseq), 0x08, options.as_bytes()),
    ));
    cseq += options.len() as u32;
    pkts.push((
        0.42,
        tcp_packet(
            server,
            client,
            sseq,
            Some(cseq),
            0x08,
            b"RTSP/1.0 200 OK\r\nCSeq: 5\r\n\r\n",
        ),
    ));
    sseq += 28;
    // The client closes; the server acknowledges the FIN (a sequence number, no byte).
    pkts.push((
        0.50,
        tcp_packet(client, server, cseq, Some(sseq), 0x01, b""),
    ));
    pkts.push((
        0.51,
        tcp_packet(server, client, sseq, Some(cseq + 1), 0, b""),
    ));
    (pkts, describe_response_at)
}

fn write_pcap(path: &Path, datalink: DataLink, framing: Framing, pkts: &[Pkt]) {
    let file = std::fs::File::create(path).unwrap();
    let header = PcapHeader {
        datalink,
        ..PcapHeader::default()
    };
    let mut w = PcapWriter::with_header(file, header).unwrap();
    for (t, ip) in pkts {
        let data = frame(framing, ip);
        let ts = Duration::from_secs(1_700_000_000) + Duration::from_secs_f64(*t);
        w.write_packet(&PcapPacket::new(ts, data.len() as u32, &data))
            .unwrap();
    }
}

fn write_pcapng(path: &Path, datalink: DataLink, framing: Framing, pkts: &[Pkt]) {
    let file = std::fs::File::create(path).unwrap();
    let mut w = PcapNgWriter::new(file).unwrap();
    let mut idb = InterfaceDescriptionBlock::new(datalink, 65535);
    // Nanosecond timestamps: the reader must apply if_tsresol.
    idb.options.push(InterfaceDescriptionOption::IfTsResol(9));
    w.write_block(&Block::InterfaceDescription(idb)).unwrap();
    for (t, ip) in pkts {
        let data = frame(framing, ip);
        let epb = EnhancedPacketBlock {
            interface_id: 0,
            timestamp: Duration::from_secs(1_700_000_000) + Duration::from_secs_f64(*t),
            original_len: data.len() as u32,
            data: data.into(),
            options: Vec::new(),
        };
        w.write_block(&Block::EnhancedPacket(epb)).unwrap();
    }
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("inspect-pcap-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Checks the report of the synthetic session.
fn check_synthetic(text: &str) {
    let conn = lines_of(text, "connection");
    assert_eq!(conn.len(), 1, "{text}");
    assert_eq!(field(conn[0], "client"), Some(CLIENT));
    assert_eq!(field(conn[0], "server"), Some(SERVER));

    let ex = lines_of(text, "exchange");
    let methods: Vec<_> = ex.iter().map(|l| field(l, "method").unwrap()).collect();
    assert_eq!(methods, ["DESCRIBE", "SETUP", "PLAY", "OPTIONS"], "{text}");
    assert!(ex.iter().all(|l| num(l, "status") == 200), "{text}");
    // The OPTIONS after the gap keeps its own capture time: 10 ms before its response.
    let ms: f64 = field(ex[3], "latency_ms").unwrap().parse().unwrap();
    assert!((ms - 10.0).abs() < 0.01, "{}", ex[3]);
    // DESCRIBE at 10 ms, its response complete at 23 ms + 2 ms (the out-of-order
    // segment that filled the gap).
    let ms: f64 = field(ex[0], "latency_ms").unwrap().parse().unwrap();
    assert!((ms - 15.0).abs() < 0.01, "{}", ex[0]);

    let streams = lines_of(text, "rtp_stream");
    assert_eq!(streams.len(), 1, "{text}");
    let s = streams[0];
    assert_eq!(num(s, "ssrc"), 0x1234_5678);
    assert_eq!(field(s, "src"), Some("[2001:db8::2]:6000"));
    assert_eq!(num(s, "media"), 0);
    // 10 expected, 9 received (one of them twice): 1 lost as RFC 3550 counts it.
    assert_eq!(num(s, "packets"), 9);
    assert_eq!(num(s, "lost"), 1);
    assert_eq!(num(s, "duplicates"), 1);
    assert_eq!(num(s, "out_of_order"), 1);
    assert_eq!(num(s, "sender_reports"), 1);
    // NTP 0xe8a00000 s = Unix 1693811072 s (`date -u -d @1693811072`).
    assert_eq!(
        field(s, "first_wall_clock"),
        Some("2023-09-04T07:04:32.000Z")
    );
    // 20 ms of 8 kHz audio after the SR's RTP timestamp 0, for the last packet (seq 108).
    assert_eq!(
        field(s, "last_wall_clock"),
        Some("2023-09-04T07:04:32.160Z")
    );
    // 8 kHz PCMU sent every 20 ms and captured every 20 ms: no jitter, except around
    // the swapped pair.
    assert_eq!(field(s, "arrival_times"), Some("capture"));

    let tracks = lines_of(text, "track");
    assert_eq!(tracks.len(), 1);
    assert_eq!(field(tracks[0], "encoding"), Some("PCMU"));
    assert_eq!(num(tracks[0], "packets"), 8);

    let anomalies: Vec<_> = lines_of(text, "anomaly")
        .into_iter()
        .map(|l| field(l, "what").unwrap())
        .collect();
    let has = |needle: &str| anomalies.iter().any(|a| a.contains(needle));
    let gaps = anomalies
        .iter()
        .filter(|a| a.contains("never captured; resynchronising"))
        .count();
    assert_eq!(gaps, 1, "{anomalies:#?}");
    assert!(
        has("retransmitted/overlapping bytes dropped"),
        "{anomalies:#?}"
    );
    assert!(
        has("2001:db8::9]:7000>[2001:db8::1]:7001: 1 datagrams on a flow no SETUP negotiated"),
        "{anomalies:#?}"
    );
    assert!(
        has("1 lost, 1 duplicates, 1 out of order"),
        "{anomalies:#?}"
    );
    // The GET_PARAMETER lost its start line: never seen as a request.
    assert!(!methods.contains(&"GET_PARAMETER"));
}

#[test]
fn built_pcap_linux_cooked_v2_ipv6() {
    let dir = temp_dir("sll2");
    let (pkts, _) = rtsp_session_packets();
    let path = dir.join("sll2.pcap");
    write_pcap(&path, DataLink::LINUX_SLL2, Framing::Sll2, &pkts);
    check_synthetic(&run_ok(&["--json".as_ref(), path.as_os_str()]));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn built_pcapng_linux_cooked_v1_ipv6_nanosecond_timestamps() {
    let dir = temp_dir("sll");
    let (pkts, _) = rtsp_session_packets();
    let path = dir.join("sll.pcapng");
    write_pcapng(&path, DataLink::LINUX_SLL, Framing::Sll, &pkts);
    check_synthetic(&run_ok(&["--json".as_ref(), path.as_os_str()]));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn built_captures_of_other_link_types() {
    let dir = temp_dir("links");
    let (pkts, _) = rtsp_session_packets();
    for (name, link, framing) in [
        ("vlan.pcap", DataLink::ETHERNET, Framing::EthernetVlan),
        ("null.pcap", DataLink::NULL, Framing::Null),
        ("raw.pcapng", DataLink::RAW, Framing::Raw),
    ] {
        let path = dir.join(name);
        if name.ends_with(".pcapng") {
            write_pcapng(&path, link, framing, &pkts);
        } else {
            write_pcap(&path, link, framing, &pkts);
        }
        check_synthetic(&run_ok(&["--json".as_ref(), path.as_os_str()]));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn built_capture_starting_mid_connection() {
    let dir = temp_dir("mid");
    let (pkts, describe_response_at) = rtsp_session_packets();
    // No handshake, no DESCRIBE request, and the DESCRIBE response's first segment lost:
    // decoding starts at the next message, SETUP's media comes from its static payload type.
    let pkts: Vec<Pkt> = pkts
        .into_iter()
        .enumerate()
        .filter(|(i, _)| *i > 2 && *i != describe_response_at)
        .map(|(_, p)| p)
        .collect();
    let path = dir.join("mid.pcap");
    write_pcap(&path, DataLink::LINUX_SLL2, Framing::Sll2, &pkts);
    let text = run_ok(&["--json".as_ref(), path.as_os_str()]);
    let ex = lines_of(&text, "exchange");
    let methods: Vec<_> = ex.iter().map(|l| field(l, "method").unwrap()).collect();
    assert_eq!(methods, ["SETUP", "PLAY", "OPTIONS"], "{text}");
    let anomalies: Vec<_> = lines_of(&text, "anomaly")
        .into_iter()
        .map(|l| field(l, "what").unwrap())
        .collect();
    assert!(
        anomalies
            .iter()
            .any(|a| a.contains("capture started mid-connection")),
        "{anomalies:#?}"
    );
    let s = lines_of(&text, "rtp_stream");
    assert_eq!(s.len(), 1, "{text}");
    assert_eq!(num(s[0], "packets"), 9);
    let tracks = lines_of(&text, "track");
    assert_eq!(field(tracks[0], "encoding"), Some("PCMU"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn built_capture_agrees_with_live_tshark() {
    if !common::peers::require("inspect_pcap tshark", &["tshark"]) {
        return;
    }
    let dir = temp_dir("tshark");
    let (pkts, _) = rtsp_session_packets();
    let path = dir.join("sll2.pcap");
    write_pcap(&path, DataLink::LINUX_SLL2, Framing::Sll2, &pkts);
    let out = Command::new("tshark")
        .arg("-r")
        .arg(&path)
        .args(["-d", "udp.port==6000,rtp", "-Y", "rtp", "-T", "fields"])
        .args(["-e", "rtp.ssrc", "-e", "rtp.seq"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let live = tshark_counts(&String::from_utf8(out.stdout).unwrap());
    let ours = inspect_counts(&run_ok(&["--json".as_ref(), path.as_os_str()]));
    assert_eq!(live.get(&0x1234_5678), Some(&(9, 1)));
    assert_eq!(ours, live);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_file_that_is_not_a_capture_is_still_read_as_rtsp() {
    // The capture magic decides: a transcript is not mistaken for a capture.
    let file = common::data_dir().join("cameras/hikvision_describe.txt");
    let text = run_ok(&[file.as_os_str()]);
    assert!(text.contains("SDP media 0: video H264/90000"));
}

#[test]
fn truncated_capture_reports_what_was_read() {
    let dir = temp_dir("trunc");
    let (pkts, _) = rtsp_session_packets();
    let path = dir.join("t.pcap");
    write_pcap(&path, DataLink::LINUX_SLL2, Framing::Sll2, &pkts);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.truncate(bytes.len() - 10);
    std::fs::write(&path, &bytes).unwrap();
    let text = run_ok(&["--json".as_ref(), path.as_os_str()]);
    assert!(
        lines_of(&text, "anomaly").iter().any(|l| field(l, "what")
            .unwrap()
            .contains("capture unreadable after frame")),
        "{text}"
    );
    assert_eq!(lines_of(&text, "connection").len(), 1);
    // Not a capture at all, but with a capture's magic: an error naming the file.
    let bad = dir.join("bad.pcap");
    std::fs::write(&bad, [0xd4, 0xc3, 0xb2, 0xa1, 0, 0]).unwrap();
    let out = Command::new(inspect_bin()).arg(&bad).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.pcap"));
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------------------
// Link and IP layers.

#[test]
fn link_types_and_ip_versions() {
    let src: SocketAddr = "10.0.0.1:1234".parse().unwrap();
    let dst: SocketAddr = "10.0.0.2:554".parse().unwrap();
    let v4 = tcp_packet(src, dst, 7, Some(9), 0x08, b"OPTIONS");
    let src6: SocketAddr = "[fe80::1]:1234".parse().unwrap();
    let dst6: SocketAddr = "[fe80::2]:554".parse().unwrap();
    let v6 = udp_packet(src6, dst6, b"rtp");
    for (link, framing) in [
        (net::Link::Ethernet, Framing::EthernetVlan),
        (net::Link::LinuxSll, Framing::Sll),
        (net::Link::LinuxSll2, Framing::Sll2),
        (net::Link::Null, Framing::Null),
        (net::Link::RawIp, Framing::Raw),
    ] {
        let f4 = frame(framing, &v4);
        let p = net::parse(link, &f4).unwrap().unwrap();
        assert_eq!((p.src, p.dst), (src, dst));
        assert!(matches!(
            p.transport,
            net::Transport::Tcp {
                seq: 7,
                ack: Some(9),
                syn: false,
                payload: b"OPTIONS",
                ..
            }
        ));
        let f6 = frame(framing, &v6);
        let p = net::parse(link, &f6).unwrap().unwrap();
        assert_eq!((p.src, p.dst), (src6, dst6));
        assert_eq!(p.transport, net::Transport::Udp { payload: b"rtp" });
    }
    // OpenBSD loopback: the family in network byte order.
    let mut lo = 24u32.to_be_bytes().to_vec();
    lo.extend_from_slice(&v6);
    assert!(net::parse(net::Link::Loop, &lo).unwrap().is_some());
    // Ethernet padding after a short IPv4 packet is not payload.
    let mut padded = frame(Framing::EthernetVlan, &v4);
    padded.extend_from_slice(&[0; 6]);
    let p = net::parse(net::Link::Ethernet, &padded).unwrap().unwrap();
    assert!(matches!(
        p.transport,
        net::Transport::Tcp {
            payload: b"OPTIONS",
            ..
        }
    ));
    // ARP is not IP; fragments and truncations are errors, not panics.
    let mut arp = vec![0u8; 12];
    arp.extend_from_slice(&[0x08, 0x06, 0, 1]);
    assert_eq!(net::parse(net::Link::Ethernet, &arp), Ok(None));
    let mut frag = v4.clone();
    frag[6] = 0x20; // more fragments
    assert!(net::parse(net::Link::RawIp, &frag).is_err());
    for n in 0..v6.len() {
        let _ = net::parse(net::Link::RawIp, &v6[..n]);
    }
    assert_eq!(net::Link::from_linktype(276), Some(net::Link::LinuxSll2));
    assert_eq!(net::Link::from_linktype(147), None);
    assert_eq!(ip("::1"), IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1]));
}

#[test]
fn extract_from_captures() {
    let dir = temp_dir("extract");
    for name in ["ffmpeg_tcp__gst_av", "ffmpeg_udp__gst_h264_ipv6"] {
        let capture = pcap_dir().join(format!("{name}.pcapng"));
        let out = dir.join(name);
        let text = run_ok(&[
            "--json".as_ref(),
            "--extract".as_ref(),
            out.as_os_str(),
            capture.as_os_str(),
        ]);
        let h264 = out.join("conn1_track0_h264.h264");
        let extracts = lines_of(&text, "extract");
        // One file per media: packets from the receiver (ffmpeg's punch packet on the
        // UDP flow) are not depacketized into a second file.
        let mut files: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        files.sort();
        let expected: &[&str] = if name.contains("tcp") {
            &["conn1_track0_h264.h264", "conn1_track1_aac.aac"]
        } else {
            &["conn1_track0_h264.h264"]
        };
        assert_eq!(files, expected, "{text}");
        assert_eq!(extracts.len(), expected.len(), "{text}");
        let video = extracts
            .iter()
            .find(|l| field(l, "encoding") == Some("H264"))
            .unwrap();
        assert_eq!(num(video, "frames"), 46, "{video}");
        if common::peers::require("inspect_pcap extract", &["ffprobe"]) {
            let out = Command::new("ffprobe")
                .args(["-v", "error", "-f", "h264", "-count_frames"])
                .args([
                    "-select_streams",
                    "v:0",
                    "-show_entries",
                    "stream=nb_read_frames",
                ])
                .args(["-of", "csv=p=0"])
                .arg(&h264)
                .output()
                .unwrap();
            let counted = String::from_utf8(out.stdout).unwrap();
            assert_eq!(
                counted.trim(),
                "46",
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A TCP connection (handshake, then each request and its response in order) from `t`.
fn exchange(client: &str, server: &str, t: f64, pairs: &[(String, String)]) -> Vec<Pkt> {
    let client: SocketAddr = client.parse().unwrap();
    let server: SocketAddr = server.parse().unwrap();
    let (mut c, mut s) = (7_000u32, 9_000u32);
    let mut t = t;
    let mut pkts = vec![
        (t, tcp_packet(client, server, c, None, 0x02, b"")),
        (t, tcp_packet(server, client, s, Some(c + 1), 0x02, b"")),
    ];
    c += 1;
    s += 1;
    for (req, resp) in pairs {
        t += 0.01;
        pkts.push((
            t,
            tcp_packet(client, server, c, Some(s), 0x08, req.as_bytes()),
        ));
        c += req.len() as u32;
        t += 0.01;
        pkts.push((
            t,
            tcp_packet(server, client, s, Some(c), 0x08, resp.as_bytes()),
        ));
        s += resp.len() as u32;
    }
    pkts
}

fn rtp(seq: u16, ssrc: u32) -> Vec<u8> {
    let mut p = vec![0x80, 0x00];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&(u32::from(seq) * 160).to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend(std::iter::repeat_n(0xd5u8, 160));
    p
}

const PCMU_SDP: &str = "v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=t\r\nt=0 0\r\n\
                        m=audio 0 RTP/AVP 0\r\na=control:track1\r\n";

fn describe_pair(version: &str) -> (String, String) {
    (
        format!("DESCRIBE rtsp://10.0.0.2:8554/cam {version}\r\nCSeq: 1\r\n\r\n"),
        format!(
            "{version} 200 OK\r\nCSeq: 1\r\nContent-Base: rtsp://10.0.0.2:8554/cam/\r\n\
             Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{PCMU_SDP}",
            PCMU_SDP.len()
        ),
    )
}

fn setup_pair(version: &str, cseq: u32, transport: &str) -> (String, String) {
    (
        format!(
            "SETUP rtsp://10.0.0.2:8554/cam/track1 {version}\r\nCSeq: {cseq}\r\n\
             Transport: {transport}\r\n\r\n"
        ),
        format!(
            "{version} 200 OK\r\nCSeq: {cseq}\r\nSession: 77\r\nTransport: {transport}\r\n\r\n"
        ),
    )
}

/// Writes `pkts` as an Ethernet pcap, runs `inspect --json`, returns its output.
fn inspect_built(tag: &str, pkts: &[Pkt]) -> String {
    let dir = temp_dir(tag);
    let path = dir.join("c.pcap");
    write_pcap(&path, DataLink::ETHERNET, Framing::EthernetVlan, pkts);
    let text = run_ok(&["--json".as_ref(), path.as_os_str()]);
    std::fs::remove_dir_all(&dir).unwrap();
    text
}

#[test]
fn multicast_transport() {
    let mut pkts = exchange(
        "10.0.0.1:40000",
        "10.0.0.2:8554",
        0.0,
        &[
            describe_pair("RTSP/1.0"),
            setup_pair(
                "RTSP/1.0",
                2,
                "RTP/AVP;multicast;destination=239.1.2.3;port=5004-5005;ttl=16",
            ),
        ],
    );
    let src: SocketAddr = "10.0.0.2:40123".parse().unwrap();
    let group: SocketAddr = "239.1.2.3:5004".parse().unwrap();
    for seq in 1..=5 {
        pkts.push((
            0.1 + f64::from(seq) * 0.02,
            udp_packet(src, group, &rtp(seq, 42)),
        ));
    }
    let text = inspect_built("mcast", &pkts);
    let s = lines_of(&text, "rtp_stream");
    assert_eq!(s.len(), 1, "{text}");
    assert_eq!(num(s[0], "packets"), 5);
    assert_eq!(field(s[0], "dst"), Some("239.1.2.3:5004"));
    assert_eq!(field(lines_of(&text, "track")[0], "encoding"), Some("PCMU"));
}

#[test]
fn rtsp2_dest_addr_and_src_addr() {
    let mut pkts = exchange(
        "10.0.0.1:40000",
        "10.0.0.2:8554",
        0.0,
        &[
            describe_pair("RTSP/2.0"),
            setup_pair(
                "RTSP/2.0",
                2,
                "RTP/AVP;unicast;dest_addr=\":5000\"/\":5001\";src_addr=\"10.0.0.2:6000\"/\"10.0.0.2:6001\"",
            ),
        ],
    );
    let from: SocketAddr = "10.0.0.2:6000".parse().unwrap();
    let to: SocketAddr = "10.0.0.1:5000".parse().unwrap();
    for seq in 1..=4 {
        pkts.push((
            0.1 + f64::from(seq) * 0.02,
            udp_packet(from, to, &rtp(seq, 43)),
        ));
    }
    let text = inspect_built("rtsp2", &pkts);
    let s = lines_of(&text, "rtp_stream");
    assert_eq!(s.len(), 1, "{text}");
    assert_eq!(num(s[0], "packets"), 4);
    assert_eq!(num(s[0], "media"), 0);
}

#[test]
fn setup_on_a_second_connection_uses_the_first_ones_sdp() {
    // DESCRIBE on one connection, SETUP and PLAY on another (and a second client's
    // connection on a non-standard port that is not RTSP at all).
    let mut pkts = exchange(
        "10.0.0.1:40000",
        "10.0.0.2:8554",
        0.0,
        &[describe_pair("RTSP/1.0")],
    );
    pkts.extend(exchange(
        "10.0.0.1:40001",
        "10.0.0.2:8554",
        0.5,
        &[setup_pair(
            "RTSP/1.0",
            2,
            "RTP/AVP;unicast;client_port=5000-5001;server_port=6000-6001",
        )],
    ));
    pkts.extend(exchange(
        "10.0.0.1:40002",
        "10.0.0.3:8080",
        0.6,
        &[(
            "GET / HTTP/1.1\r\n\r\n".into(),
            "HTTP/1.1 200 OK\r\n\r\n".into(),
        )],
    ));
    let from: SocketAddr = "10.0.0.2:6000".parse().unwrap();
    let to: SocketAddr = "10.0.0.1:5000".parse().unwrap();
    for seq in 1..=3 {
        pkts.push((
            0.7 + f64::from(seq) * 0.02,
            udp_packet(from, to, &rtp(seq, 44)),
        ));
    }
    let text = inspect_built("twoconn", &pkts);
    let conns = lines_of(&text, "connection");
    assert_eq!(conns.len(), 2, "{text}");
    let track = lines_of(&text, "track");
    assert_eq!(track.len(), 1, "{text}");
    assert_eq!(num(track[0], "conn"), 2);
    assert_eq!(num(track[0], "frames"), 3);
    assert!(
        lines_of(&text, "anomaly").iter().any(|l| field(l, "what")
            .unwrap()
            .contains("described on connection 1")),
        "{text}"
    );
    let cap = lines_of(&text, "capture")[0];
    assert_eq!(num(cap, "tcp_connections"), 3);
    assert_eq!(num(cap, "rtsp_connections"), 2);
}

#[test]
fn mutated_captures_are_reported_not_fatal() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let (pkts, _) = rtsp_session_packets();
    let dir = temp_dir("mutated");
    for round in 0..30 {
        let mut pkts = pkts.clone();
        // Drop, duplicate and swap packets; flip, cut and insert bytes inside them. The
        // capture file itself stays well-formed, so inspect must always succeed.
        for _ in 0..rng.random_range(0..4) {
            let i = rng.random_range(0..pkts.len());
            let j = rng.random_range(0..pkts.len());
            match rng.random_range(0..3) {
                0 => pkts.swap(i, j),
                1 => {
                    let p = pkts[i].clone();
                    pkts.insert(j, p);
                }
                _ => {
                    pkts.remove(i);
                }
            }
        }
        for _ in 0..rng.random_range(1..12) {
            let i = rng.random_range(0..pkts.len());
            let p = &mut pkts[i].1;
            if p.is_empty() {
                continue;
            }
            let at = rng.random_range(0..p.len());
            match rng.random_range(0..4) {
                0 | 1 => p[at] = rng.random(),
                2 => {
                    let end = (at + rng.random_range(1..40)).min(p.len());
                    p.drain(at..end);
                }
                _ => {
                    let n = rng.random_range(1..40);
                    let bytes: Vec<u8> = (0..n).map(|_| rng.random()).collect();
                    p.splice(at..at, bytes);
                }
            }
        }
        let path = dir.join(format!("m{round}.pcap"));
        write_pcap(&path, DataLink::LINUX_SLL2, Framing::Sll2, &pkts);
        let out = Command::new(inspect_bin())
            .arg("--json")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "round {round}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert_eq!(lines_of(&text, "capture").len(), 1, "round {round}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn interleaved_capture_starting_after_play() {
    use pcap_file::pcapng::PcapNgReader;
    // The corpus capture without its first 60 frames: no handshake, no DESCRIBE/SETUP,
    // the first segment starts inside an interleaved frame. The connection is found by
    // its run of `$` frames, channels map to media 2n/2n+1, and the TEARDOWN still shows.
    let file = std::fs::File::open(pcap_dir().join("ffmpeg_tcp__gst_av.pcapng")).unwrap();
    let mut reader = PcapNgReader::new(file).unwrap();
    let mut frames = Vec::new();
    // Nanoseconds per unit of the interface's timestamps (if_tsresol, default 10^-6 s).
    let mut unit = 1_000u64;
    while let Some(block) = reader.next_block() {
        match block.unwrap() {
            Block::InterfaceDescription(idb) => {
                for o in &idb.options {
                    if let InterfaceDescriptionOption::IfTsResol(r) = o {
                        assert!(*r <= 9, "decimal resolution expected");
                        unit = 10u64.pow(9 - u32::from(*r));
                    }
                }
            }
            // pcap-file hands over the raw timestamp count as nanoseconds.
            Block::EnhancedPacket(p) => frames.push((
                Duration::from_nanos(p.timestamp.as_nanos() as u64 * unit),
                p.data.into_owned(),
            )),
            _ => {}
        }
    }
    let dir = temp_dir("afterplay");
    let path = dir.join("cut.pcap");
    let mut w = PcapWriter::with_header(
        std::fs::File::create(&path).unwrap(),
        PcapHeader {
            datalink: DataLink::ETHERNET,
            ts_resolution: pcap_file::TsResolution::NanoSecond,
            ..PcapHeader::default()
        },
    )
    .unwrap();
    for (ts, data) in &frames[60..] {
        w.write_packet(&PcapPacket::new(*ts, data.len() as u32, data))
            .unwrap();
    }
    drop(w);
    let text = run_ok(&["--json".as_ref(), path.as_os_str()]);
    let streams = lines_of(&text, "rtp_stream");
    let channels: Vec<_> = streams.iter().map(|l| num(l, "channel")).collect();
    assert_eq!(channels, [0, 2], "{text}");
    let full = tshark_counts(
        &std::fs::read_to_string(pcap_dir().join("ffmpeg_tcp__gst_av.tshark.txt")).unwrap(),
    );
    for s in &streams {
        let (all, _) = full[&(num(s, "ssrc") as u32)];
        let seen = num(s, "packets");
        assert!(seen > 0 && seen < all, "{s}");
        assert_eq!(num(s, "lost"), 0, "{s}");
    }
    let methods: Vec<_> = lines_of(&text, "exchange")
        .iter()
        .map(|l| field(l, "method").unwrap().to_owned())
        .collect();
    assert_eq!(methods, ["TEARDOWN"], "{text}");
    assert!(
        lines_of(&text, "anomaly").iter().any(|l| field(l, "what")
            .unwrap()
            .contains("capture started mid-connection")),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
