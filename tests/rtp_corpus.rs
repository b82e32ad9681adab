//! Every RTP and RTCP packet of the ffmpeg/GStreamer corpus parses and re-builds
//! byte-exactly.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod rtp_common;

use rtp_common::{all_files, data_file, load};
use rtsp_proto::rtcp::{
    write_packet, Compound, CompoundWriter, RtcpError, RtcpPacket, SdesType, ValidationMode,
};
use rtsp_proto::rtp::{RtpBuilder, RtpPacket, Ssrc};

/// Re-builds an RTCP compound from its typed packets.
fn rebuild_rtcp(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let compound = Compound::parse(bytes, ValidationMode::Strict).map_err(|e| e.to_string())?;
    let has_cname = compound
        .clone()
        .any(|p| matches!(p, Ok(RtcpPacket::SourceDescription(s)) if s.cname().is_some()));
    // ffmpeg's SRs come without SDES (RFC 3550 §6.1 wants a CNAME in every compound): the
    // strict writer would refuse them, so they are rebuilt without that check.
    let mode = if has_cname {
        ValidationMode::Strict
    } else {
        ValidationMode::ReducedSize
    };
    let mut out = vec![0u8; bytes.len()];
    let mut w = CompoundWriter::new(&mut out, mode);
    for (raw, typed) in compound.raw().zip(compound.clone()) {
        let raw = raw.map_err(|e| e.to_string())?;
        let typed = typed.map_err(|e| e.to_string())?;
        if let RtcpPacket::Unknown(u) = typed {
            return Err(format!("unknown packet type {}", u.packet_type));
        }
        w.push_padded(&typed, raw.padding_len())
            .map_err(|e| e.to_string())?;
    }
    let n = w.finish().map_err(|e| e.to_string())?;
    out.truncate(n);
    Ok(out)
}

#[test]
fn every_corpus_packet_round_trips() {
    let files = all_files();
    assert!(files.len() >= 5, "{files:?}");
    let (mut rtp, mut rtcp, mut punch) = (0, 0, 0);
    for file in &files {
        for line in load(file) {
            let ctx = format!("{}:{}", file.display(), line.line_no);
            if line.is_rtspsrc_punch() {
                // Random bytes: whatever the parsers make of them, they must not panic,
                // and anything that parses must re-build.
                punch += 1;
                if let Ok(p) = RtpPacket::parse(&line.bytes) {
                    let mut out = vec![0u8; line.bytes.len()];
                    RtpBuilder::from_packet(&p).write(&mut out).unwrap();
                    assert_eq!(
                        out[..p.payload_range().end],
                        line.bytes[..p.payload_range().end]
                    );
                }
                let _ =
                    Compound::parse(&line.bytes, ValidationMode::ReducedSize).map(|c| c.count());
                continue;
            }
            match line.kind.as_str() {
                "rtp" => {
                    rtp += 1;
                    let p = RtpPacket::parse(&line.bytes).unwrap_or_else(|e| panic!("{ctx}: {e}"));
                    let b = RtpBuilder::from_packet(&p);
                    assert_eq!(b.encoded_len(), Ok(line.bytes.len()), "{ctx}");
                    let mut out = vec![0u8; line.bytes.len()];
                    assert_eq!(b.write(&mut out), Ok(line.bytes.len()), "{ctx}");
                    assert_eq!(out, line.bytes, "{ctx}");
                    // The corpus RTP packets are all plain: no CSRC, extension or padding.
                    assert_eq!(p.header_len(), 12, "{ctx}");
                    assert_eq!(p.padding_len(), 0, "{ctx}");
                }
                "rtcp" => {
                    rtcp += 1;
                    let out = rebuild_rtcp(&line.bytes).unwrap_or_else(|e| panic!("{ctx}: {e}"));
                    assert_eq!(out, line.bytes, "{ctx}");
                }
                other => panic!("{ctx}: kind {other}"),
            }
        }
    }
    eprintln!(
        "{} files: {rtp} RTP and {rtcp} RTCP packets round-tripped, {punch} rtspsrc punch datagrams",
        files.len()
    );
    // The vendored files alone hold 781 RTP and 12 RTCP packets; the shared corpus adds more.
    assert!(rtp >= 781 && rtcp >= 12, "{rtp} RTP, {rtcp} RTCP");
}

#[test]
fn gstreamer_sr_sdes_fields() {
    let lines = load(&data_file("ffmpeg_udp__gst_h264"));
    let sr_line = lines
        .iter()
        .find(|l| l.kind == "rtcp" && l.dir == "s2c")
        .unwrap();
    let packets: Vec<_> = Compound::parse(&sr_line.bytes, ValidationMode::Strict)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(packets.len(), 2);
    let RtcpPacket::SenderReport(sr) = packets[0] else {
        panic!("{:?}", packets[0])
    };
    assert_eq!(sr.ssrc, Ssrc(0xb37f_05e8));
    assert_eq!(sr.info.ntp.0, 0xeeb1_a472_a9bd_b5d8);
    assert_eq!(sr.info.rtp_timestamp, 0x746b_3cc7);
    assert_eq!(sr.info.packet_count, 0xbb);
    assert_eq!(sr.info.octet_count, 0x0001_9b98);
    assert!(sr.report_blocks.is_empty());
    let RtcpPacket::SourceDescription(sdes) = packets[1] else {
        panic!()
    };
    let chunks: Vec<_> = sdes.chunks.collect();
    assert_eq!(chunks.len(), 1);
    assert_eq!(chunks[0].ssrc, sr.ssrc);
    let items: Vec<_> = chunks[0].items.collect();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].kind, SdesType::CNAME);
    assert!(items[0].value.starts_with(b"user") && items[0].value.contains(&b'@'));
    assert_eq!(items[1].kind, SdesType::TOOL);
    assert_eq!(items[1].value, b"GStreamer");

    // The SR's SSRC is the one of the RTP stream it describes.
    let rtp = lines
        .iter()
        .find(|l| l.kind == "rtp" && l.dir == "s2c")
        .unwrap();
    assert_eq!(RtpPacket::parse(&rtp.bytes).unwrap().ssrc(), sr.ssrc);
}

#[test]
fn gstreamer_rr_report_block() {
    let lines = load(&data_file("gst_udp__gst_av"));
    let rr = lines
        .iter()
        .find(|l| l.kind == "rtcp" && l.dir == "c2s")
        .unwrap();
    let first = Compound::parse(&rr.bytes, ValidationMode::Strict)
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    let RtcpPacket::ReceiverReport(rr) = first else {
        panic!("{first:?}")
    };
    let blocks: Vec<_> = rr.report_blocks.iter().collect();
    assert_eq!(blocks.len(), 1);
    let b = blocks[0];
    // The SSRC reported on is one of the server's RTP streams.
    let server_ssrcs: Vec<Ssrc> = lines
        .iter()
        .filter(|l| l.kind == "rtp" && l.dir == "s2c")
        .map(|l| RtpPacket::parse(&l.bytes).unwrap().ssrc())
        .collect();
    assert!(server_ssrcs.contains(&b.ssrc));
    // 0x00ffffff cumulative loss is -1: rtspsrc counted a duplicate (or its probation
    // packet), which 24-bit sign extension must show.
    assert!(b.cumulative_lost >= -1, "{b:?}");
}

#[test]
fn ffmpeg_punch_packets() {
    let lines = load(&data_file("ffmpeg_udp__gst_h264"));
    let rtp = RtpPacket::parse(&lines[0].bytes).unwrap();
    assert_eq!(
        (rtp.payload_type().get(), rtp.sequence_number(), rtp.ssrc()),
        (0, 0, Ssrc(0))
    );
    assert!(rtp.payload().is_empty());
    // The empty RR is a valid compound without SDES.
    let c: Vec<_> = Compound::parse(&lines[1].bytes, ValidationMode::Strict)
        .unwrap()
        .collect();
    assert!(matches!(c[..], [Ok(RtcpPacket::ReceiverReport(ref rr))] if rr.ssrc == Ssrc(0)));
}

#[test]
fn truncations_of_corpus_packets_never_panic() {
    let lines = load(&data_file("gst_udp__gst_av"));
    for line in lines.iter().filter(|l| !l.is_rtspsrc_punch()) {
        for cut in 0..line.bytes.len().min(120) {
            let b = &line.bytes[..cut];
            let _ = RtpPacket::parse(b);
            if let Ok(c) = Compound::parse(b, ValidationMode::Strict) {
                for p in c.flatten() {
                    let mut out = vec![0u8; 2048];
                    let _ = write_packet(&p, 0, &mut out);
                }
            } else if line.kind == "rtcp" && cut > 0 && cut % 4 != 0 {
                assert!(matches!(
                    Compound::parse(b, ValidationMode::Strict),
                    Err(RtcpError::Length { .. } | RtcpError::TooShort { .. })
                ));
            }
        }
    }
}
