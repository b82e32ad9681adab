//! Link, IP and transport headers of captured frames: just enough to find TCP segments
//! and UDP datagrams. Every read is bounds-checked; a frame that is not IPv4/IPv6 carrying
//! TCP or UDP is `Ok(None)`, a truncated or malformed one an `Err` naming the layer.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The link types this example reads (pcap `LINKTYPE_*` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// `LINKTYPE_NULL` (0): BSD loopback, a 4-byte address family in host byte order.
    Null,
    /// `LINKTYPE_ETHERNET` (1), with any number of 802.1Q/802.1ad tags (up to
    /// [`MAX_VLAN_TAGS`]).
    Ethernet,
    /// `LINKTYPE_RAW` (101), `LINKTYPE_IPV4` (228), `LINKTYPE_IPV6` (229): the IP header first.
    RawIp,
    /// `LINKTYPE_LOOP` (108): OpenBSD loopback, the family in network byte order.
    Loop,
    /// `LINKTYPE_LINUX_SLL` (113): Linux cooked capture v1, 16-byte header.
    LinuxSll,
    /// `LINKTYPE_LINUX_SLL2` (276): Linux cooked capture v2, 20-byte header.
    LinuxSll2,
}

impl Link {
    /// The link type of a pcap `LINKTYPE_*` value, `None` for one this example does not read.
    pub fn from_linktype(n: u32) -> Option<Link> {
        Some(match n {
            0 => Link::Null,
            1 => Link::Ethernet,
            101 | 228 | 229 => Link::RawIp,
            108 => Link::Loop,
            113 => Link::LinuxSll,
            276 => Link::LinuxSll2,
            _ => return None,
        })
    }
}

/// Most VLAN tags skipped in one Ethernet frame.
pub const MAX_VLAN_TAGS: usize = 8;
/// Most IPv6 extension headers skipped in one packet.
pub const MAX_IPV6_EXTENSIONS: usize = 16;

/// A TCP segment or a UDP datagram.
#[derive(Debug, PartialEq, Eq)]
pub enum Transport<'a> {
    Tcp {
        seq: u32,
        /// The acknowledgement number, when the ACK flag is set.
        ack: Option<u32>,
        syn: bool,
        fin: bool,
        rst: bool,
        payload: &'a [u8],
    },
    Udp {
        payload: &'a [u8],
    },
}

/// One decoded packet: its addresses and transport payload.
#[derive(Debug, PartialEq, Eq)]
pub struct Packet<'a> {
    pub src: SocketAddr,
    pub dst: SocketAddr,
    pub transport: Transport<'a>,
}

/// Why a frame could not be read; the frame is skipped and counted.
pub type Error = &'static str;

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86dd;

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Decodes one captured frame of link type `link`.
pub fn parse(link: Link, frame: &[u8]) -> Result<Option<Packet<'_>>, Error> {
    let ip = match link {
        Link::Ethernet => {
            let mut ethertype = be16(frame, 12).ok_or("Ethernet header truncated")?;
            let mut at = 14;
            let mut tags = 0;
            while matches!(ethertype, 0x8100 | 0x88a8 | 0x9100) {
                tags += 1;
                if tags > MAX_VLAN_TAGS {
                    return Err("too many VLAN tags");
                }
                ethertype = be16(frame, at + 2).ok_or("VLAN tag truncated")?;
                at += 4;
            }
            match ethertype {
                ETHERTYPE_IPV4 | ETHERTYPE_IPV6 => frame.get(at..).unwrap_or_default(),
                _ => return Ok(None),
            }
        }
        Link::Null | Link::Loop => {
            let raw: [u8; 4] = frame
                .get(..4)
                .and_then(|b| b.try_into().ok())
                .ok_or("loopback header truncated")?;
            // The family is in the capturing host's byte order for NULL: accept either.
            let family = if link == Link::Loop {
                u32::from_be_bytes(raw)
            } else {
                let le = u32::from_le_bytes(raw);
                if le <= 0xffff {
                    le
                } else {
                    u32::from_be_bytes(raw)
                }
            };
            match family {
                // AF_INET everywhere; AF_INET6 on Linux, the BSDs, macOS, Windows.
                2 | 10 | 23 | 24 | 28 | 30 => frame.get(4..).unwrap_or_default(),
                _ => return Ok(None),
            }
        }
        Link::RawIp => frame,
        Link::LinuxSll | Link::LinuxSll2 => {
            let (proto, header) = if link == Link::LinuxSll {
                (be16(frame, 14), 16)
            } else {
                (be16(frame, 0), 20)
            };
            let proto = proto.ok_or("Linux cooked header truncated")?;
            if frame.len() < header {
                return Err("Linux cooked header truncated");
            }
            match proto {
                ETHERTYPE_IPV4 | ETHERTYPE_IPV6 => frame.get(header..).unwrap_or_default(),
                _ => return Ok(None),
            }
        }
    };
    parse_ip(ip)
}

/// Decodes an IPv4 or IPv6 packet.
pub fn parse_ip(ip: &[u8]) -> Result<Option<Packet<'_>>, Error> {
    let version = ip.first().ok_or("IP header truncated")? >> 4;
    let (src, dst, mut proto, mut rest) = match version {
        4 => {
            let ihl = usize::from(ip.first().copied().unwrap_or(0) & 0x0f) * 4;
            let total = usize::from(be16(ip, 2).ok_or("IPv4 header truncated")?);
            if ihl < 20 || total < ihl || ip.len() < ihl {
                return Err("bad IPv4 header length");
            }
            let flags_frag = be16(ip, 6).ok_or("IPv4 header truncated")?;
            if flags_frag & 0x3fff != 0 {
                return Err("IPv4 fragment (not reassembled)");
            }
            let src: [u8; 4] = ip
                .get(12..16)
                .and_then(|b| b.try_into().ok())
                .ok_or("IPv4")?;
            let dst: [u8; 4] = ip
                .get(16..20)
                .and_then(|b| b.try_into().ok())
                .ok_or("IPv4")?;
            // Ethernet pads short frames: the total length says where IP ends.
            let end = total.min(ip.len());
            (
                IpAddr::V4(Ipv4Addr::from(src)),
                IpAddr::V4(Ipv4Addr::from(dst)),
                ip.get(9).copied().ok_or("IPv4")?,
                ip.get(ihl..end).unwrap_or_default(),
            )
        }
        6 => {
            let payload_len = usize::from(be16(ip, 4).ok_or("IPv6 header truncated")?);
            let src: [u8; 16] = ip
                .get(8..24)
                .and_then(|b| b.try_into().ok())
                .ok_or("IPv6 header truncated")?;
            let dst: [u8; 16] = ip
                .get(24..40)
                .and_then(|b| b.try_into().ok())
                .ok_or("IPv6 header truncated")?;
            let end = (40 + payload_len).min(ip.len());
            (
                IpAddr::V6(Ipv6Addr::from(src)),
                IpAddr::V6(Ipv6Addr::from(dst)),
                ip.get(6).copied().ok_or("IPv6")?,
                ip.get(40..end).unwrap_or_default(),
            )
        }
        _ => return Ok(None),
    };
    if version == 6 {
        let mut n = 0;
        loop {
            let len = match proto {
                // Hop-by-hop, routing, destination options, mobility, HIP, shim6.
                0 | 43 | 60 | 135 | 139 | 140 => {
                    (usize::from(*rest.get(1).ok_or("IPv6 extension truncated")?) + 1) * 8
                }
                // Authentication header: length in 4-byte units, minus 2.
                51 => (usize::from(*rest.get(1).ok_or("IPv6 extension truncated")?) + 2) * 4,
                44 => {
                    let off_m = be16(rest, 2).ok_or("IPv6 fragment header truncated")?;
                    if off_m & 0xfff9 != 0 {
                        return Err("IPv6 fragment (not reassembled)");
                    }
                    8
                }
                _ => break,
            };
            n += 1;
            if n > MAX_IPV6_EXTENSIONS {
                return Err("too many IPv6 extension headers");
            }
            proto = *rest.first().ok_or("IPv6 extension truncated")?;
            rest = rest.get(len..).ok_or("IPv6 extension truncated")?;
        }
    }
    match proto {
        6 => {
            let sport = be16(rest, 0).ok_or("TCP header truncated")?;
            let dport = be16(rest, 2).ok_or("TCP header truncated")?;
            let seq = be32(rest, 4).ok_or("TCP header truncated")?;
            let offset = usize::from(rest.get(12).ok_or("TCP header truncated")? >> 4) * 4;
            let flags = *rest.get(13).ok_or("TCP header truncated")?;
            if offset < 20 {
                return Err("bad TCP data offset");
            }
            let payload = rest.get(offset..).ok_or("TCP header truncated")?;
            Ok(Some(Packet {
                src: SocketAddr::new(src, sport),
                dst: SocketAddr::new(dst, dport),
                transport: Transport::Tcp {
                    seq,
                    syn: flags & 0x02 != 0,
                    ack: (flags & 0x10 != 0).then(|| be32(rest, 8)).flatten(),
                    fin: flags & 0x01 != 0,
                    rst: flags & 0x04 != 0,
                    payload,
                },
            }))
        }
        17 => {
            let sport = be16(rest, 0).ok_or("UDP header truncated")?;
            let dport = be16(rest, 2).ok_or("UDP header truncated")?;
            let len = usize::from(be16(rest, 4).ok_or("UDP header truncated")?);
            // Length 0 is used by IPv6 jumbograms; otherwise it bounds the payload.
            let end = if len >= 8 {
                len.min(rest.len())
            } else {
                rest.len()
            };
            let payload = rest.get(8..end).ok_or("UDP header truncated")?;
            Ok(Some(Packet {
                src: SocketAddr::new(src, sport),
                dst: SocketAddr::new(dst, dport),
                transport: Transport::Udp { payload },
            }))
        }
        _ => Ok(None),
    }
}
