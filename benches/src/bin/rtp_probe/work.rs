//! The RTCP compound-parse work measured by `benches/rtp.rs` and looped by `rtcp_probe`
//! (one source, so the criterion and callgrind numbers describe the same work).
//!
//! Both sides do the same thing to the same bytes: validate the framing of the whole
//! compound (version, lengths adding up, padding only on the last packet), then interpret
//! every packet and read **every field**: SR SSRC, NTP and RTP timestamps, packet and octet
//! counts; RR SSRC; every report block's six fields; every SDES chunk's SSRC and every
//! item's type and text (its length and first byte, so the slice is really formed and
//! touched); every BYE source and the reason text. The checksums of both sides are equal
//! (checked before timing). rtsp-proto's views are lazy over the validated bytes; rtcp-types
//! builds `Vec`s of SDES chunks and items while parsing and is otherwise lazy too.

/// The RTCP inputs: (name, bytes).
pub fn inputs() -> [(&'static str, Vec<u8>); 2] {
    /// GStreamer SR + SDES (CNAME, TOOL), from the corpus (`ffmpeg_udp__gst_h264`).
    const SR_SDES: &str = "80c80006b37f05e8eeb1a472a9bdb5d8746b3cc7000000bb00019b9881ca000cb37f05e8011b7573657237383238303337393740686f73742d336330656638393506094753747265616d657200000000";
    /// GStreamer `rtspsrc` RR (one block) + SDES, from the corpus (`gst_udp__gst_av`); a
    /// BYE with a reason is appended for the RR+SDES+BYE case.
    const RR_SDES: &str = "81c9000702e73fc5d74ca3a300ffffff000013f300000081a6b4c6f70000557881ca000c02e73fc5011c757365723333333434313437323640686f73742d613435383237393206094753747265616d6572000000";
    const BYE: &str = "81cb000402e73fc50874656172646f776e000000";
    [
        ("sr_sdes", hex(SR_SDES)),
        ("rr_sdes_bye", [hex(RR_SDES), hex(BYE)].concat()),
    ]
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn text(t: &[u8]) -> u64 {
    t.len() as u64 + u64::from(t.first().copied().unwrap_or(0))
}

/// rtsp-proto: `Compound::parse` (strict) and every field of every packet.
pub fn ours_rtcp(d: &[u8]) -> u64 {
    use rtsp_proto::rtcp::{Compound, ReportBlock, RtcpPacket, ValidationMode};
    let block = |rb: ReportBlock| {
        u64::from(rb.ssrc.0)
            + u64::from(rb.fraction_lost)
            + u64::from(rb.cumulative_lost as u32 & 0x00ff_ffff)
            + u64::from(rb.extended_highest_seq)
            + u64::from(rb.jitter)
            + u64::from(rb.last_sr)
            + u64::from(rb.delay_since_last_sr)
    };
    let mut acc = 0u64;
    for p in Compound::parse(d, ValidationMode::Strict).unwrap() {
        match p.unwrap() {
            RtcpPacket::SenderReport(sr) => {
                acc += u64::from(sr.ssrc.0)
                    + sr.info.ntp.0
                    + u64::from(sr.info.rtp_timestamp)
                    + u64::from(sr.info.packet_count)
                    + u64::from(sr.info.octet_count);
                for rb in sr.report_blocks {
                    acc += block(rb);
                }
            }
            RtcpPacket::ReceiverReport(rr) => {
                acc += u64::from(rr.ssrc.0);
                for rb in rr.report_blocks {
                    acc += block(rb);
                }
            }
            RtcpPacket::SourceDescription(s) => {
                for c in s.chunks {
                    acc += u64::from(c.ssrc.0);
                    for i in c.items {
                        acc += u64::from(i.kind.0) + text(i.value);
                    }
                }
            }
            RtcpPacket::Goodbye(bye) => {
                for s in bye.sources {
                    acc += u64::from(s.0);
                }
                acc += bye.reason.map_or(0, text);
            }
            _ => {}
        }
    }
    acc
}

/// rtcp-types: `Compound::parse` and the same fields.
pub fn theirs_rtcp(d: &[u8]) -> u64 {
    let block = |rb: rtcp_types::ReportBlock| {
        u64::from(rb.ssrc())
            + u64::from(rb.fraction_lost())
            + u64::from(rb.cumulative_lost())
            + u64::from(rb.extended_sequence_number())
            + u64::from(rb.interarrival_jitter())
            + u64::from(rb.last_sender_report_timestamp())
            + u64::from(rb.delay_since_last_sender_report_timestamp())
    };
    let mut acc = 0u64;
    for p in rtcp_types::Compound::parse(d).unwrap() {
        match p.unwrap() {
            rtcp_types::Packet::Sr(sr) => {
                acc += u64::from(sr.ssrc())
                    + sr.ntp_timestamp()
                    + u64::from(sr.rtp_timestamp())
                    + u64::from(sr.packet_count())
                    + u64::from(sr.octet_count());
                for rb in sr.report_blocks() {
                    acc += block(rb);
                }
            }
            rtcp_types::Packet::Rr(rr) => {
                acc += u64::from(rr.ssrc());
                for rb in rr.report_blocks() {
                    acc += block(rb);
                }
            }
            rtcp_types::Packet::Sdes(s) => {
                for c in s.chunks() {
                    acc += u64::from(c.ssrc());
                    for i in c.items() {
                        acc += u64::from(i.type_()) + text(i.value());
                    }
                }
            }
            rtcp_types::Packet::Bye(bye) => {
                for s in bye.ssrcs() {
                    acc += u64::from(s);
                }
                acc += bye.reason().map_or(0, text);
            }
            _ => {}
        }
    }
    acc
}
