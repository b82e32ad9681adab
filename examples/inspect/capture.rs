//! Reading pcap and pcapng files (through `pcap-file`): each captured frame with its
//! capture time and link type.

use pcap_file::pcap::PcapReader;
use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionOption;
use pcap_file::pcapng::{Block, PcapNgReader};
use std::fs::File;
use std::io::BufReader;

/// Whether `head` (a file's first bytes) is a pcap or pcapng file.
pub fn is_capture(head: &[u8]) -> bool {
    matches!(
        head.get(..4),
        Some(
            [0xa1, 0xb2, 0xc3, 0xd4]
                | [0xd4, 0xc3, 0xb2, 0xa1]
                | [0xa1, 0xb2, 0x3c, 0x4d]
                | [0x4d, 0x3c, 0xb2, 0xa1]
                | [0x0a, 0x0d, 0x0d, 0x0a]
        )
    )
}

/// One captured frame.
pub struct Frame {
    /// Capture time, seconds since the Unix epoch.
    pub time: f64,
    /// The pcap `LINKTYPE_*` of the frame's interface.
    pub linktype: u32,
    pub data: Vec<u8>,
}

/// How a pcapng interface scales and offsets its timestamps.
struct Interface {
    linktype: u32,
    /// Seconds per timestamp unit.
    unit: f64,
    offset: f64,
}

enum Inner {
    Pcap(PcapReader<BufReader<File>>),
    PcapNg {
        reader: PcapNgReader<BufReader<File>>,
        interfaces: Vec<Interface>,
        last_time: f64,
    },
}

/// A capture file being read, frame by frame.
pub struct Capture {
    inner: Inner,
}

/// The most interfaces one pcapng section may describe.
const MAX_INTERFACES: usize = 1024;

impl Capture {
    pub fn open(path: &str) -> Result<Capture, String> {
        let file = File::open(path).map_err(|e| e.to_string())?;
        let mut head = [0u8; 4];
        {
            use std::io::Read as _;
            File::open(path)
                .and_then(|mut f| f.read_exact(&mut head))
                .map_err(|e| e.to_string())?;
        }
        let reader = BufReader::new(file);
        let inner = if head == [0x0a, 0x0d, 0x0d, 0x0a] {
            Inner::PcapNg {
                reader: PcapNgReader::new(reader).map_err(|e| format!("pcapng: {e}"))?,
                interfaces: Vec::new(),
                last_time: 0.0,
            }
        } else {
            Inner::Pcap(PcapReader::new(reader).map_err(|e| format!("pcap: {e}"))?)
        };
        Ok(Capture { inner })
    }

    /// The next frame, `None` at the end of the file.
    pub fn next_frame(&mut self) -> Option<Result<Frame, String>> {
        match &mut self.inner {
            Inner::Pcap(r) => {
                let linktype = u32::from(r.header().datalink);
                let p = match r.next_packet()? {
                    Ok(p) => p,
                    Err(e) => return Some(Err(format!("pcap: {e}"))),
                };
                Some(Ok(Frame {
                    time: p.timestamp.as_secs_f64(),
                    linktype,
                    data: p.data.into_owned(),
                }))
            }
            Inner::PcapNg {
                reader,
                interfaces,
                last_time,
            } => loop {
                let block = match reader.next_block()? {
                    Ok(b) => b,
                    Err(e) => return Some(Err(format!("pcapng: {e}"))),
                };
                let (iface, raw_ts, data) = match block {
                    Block::SectionHeader(_) => {
                        interfaces.clear();
                        continue;
                    }
                    Block::InterfaceDescription(idb) => {
                        if interfaces.len() >= MAX_INTERFACES {
                            return Some(Err("pcapng: too many interfaces".into()));
                        }
                        let mut unit = 1e-6;
                        let mut offset = 0.0;
                        for o in &idb.options {
                            match o {
                                InterfaceDescriptionOption::IfTsResol(r) => {
                                    let exp = i32::from(r & 0x7f);
                                    unit = if r & 0x80 == 0 {
                                        10f64.powi(-exp)
                                    } else {
                                        2f64.powi(-exp)
                                    };
                                }
                                InterfaceDescriptionOption::IfTsOffset(s) => offset = *s as f64,
                                _ => {}
                            }
                        }
                        interfaces.push(Interface {
                            linktype: u32::from(idb.linktype),
                            unit,
                            offset,
                        });
                        continue;
                    }
                    // pcap-file reads the 64-bit timestamp as nanoseconds: undo that and
                    // apply the interface's resolution.
                    Block::EnhancedPacket(p) => (
                        p.interface_id as usize,
                        Some(p.timestamp.as_nanos() as u64),
                        p.data.into_owned(),
                    ),
                    Block::Packet(p) => (
                        usize::from(p.interface_id),
                        Some(p.timestamp),
                        p.data.into_owned(),
                    ),
                    Block::SimplePacket(p) => (0, None, p.data.into_owned()),
                    _ => continue,
                };
                let Some(i) = interfaces.get(iface) else {
                    return Some(Err(format!(
                        "pcapng: packet on undescribed interface {iface}"
                    )));
                };
                if let Some(ts) = raw_ts {
                    *last_time = ts as f64 * i.unit + i.offset;
                }
                return Some(Ok(Frame {
                    time: *last_time,
                    linktype: i.linktype,
                    data,
                }));
            },
        }
    }
}
