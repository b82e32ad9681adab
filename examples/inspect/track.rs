//! Tracks: the RTP packets of one media depacketized with the codec its SDP names,
//! counted, and (with `--extract`) written out as an elementary stream ffmpeg reads.

use bytes::Bytes;
use rtsp_proto::codec::aac::{AacConfig, AacDepacketizer, AudioSpecificConfig};
use rtsp_proto::codec::g711::{G711Config, G711Depacketizer, G711Law};
use rtsp_proto::codec::h264::{H264Config, H264Depacketizer};
use rtsp_proto::codec::h265::{H265Config, H265Depacketizer};
use rtsp_proto::codec::l16::{L16Config, L16Depacketizer};
use rtsp_proto::codec::latm::{LatmConfig, LatmDepacketizer};
use rtsp_proto::codec::mjpeg::{MjpegConfig, MjpegDepacketizer};
use rtsp_proto::codec::opus::{OpusConfig, OpusDepacketizer};
use rtsp_proto::codec::{self, Depacketizer, Frame};
use rtsp_proto::sdp::MediaDescription;
use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};

/// The payload format of a track, from the SDP (or the static payload type table).
#[derive(Debug, Clone)]
pub struct Format {
    /// Encoding name, upper case (`H264`, `MPEG4-GENERIC`, ...).
    pub encoding: String,
    pub clock_rate: Option<u32>,
    pub channels: Option<u16>,
    pub fmtp: Vec<(String, String)>,
}

impl Format {
    pub fn from_media(m: &MediaDescription) -> Option<Format> {
        let rtpmap = m.rtpmap()?;
        Some(Format {
            encoding: rtpmap.encoding_name.to_ascii_uppercase(),
            clock_rate: Some(rtpmap.clock_rate),
            channels: rtpmap.channels,
            fmtp: m
                .fmtp()
                .map(|f| {
                    f.iter()
                        .map(|(k, v)| (k.to_owned(), v.to_owned()))
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    /// RFC 3551 §6's static payload types this example can depacketize.
    pub fn from_static_payload_type(pt: u8) -> Option<Format> {
        let (encoding, clock_rate, channels) = match pt {
            0 => ("PCMU", 8000, None),
            8 => ("PCMA", 8000, None),
            10 => ("L16", 44_100, Some(2)),
            11 => ("L16", 44_100, Some(1)),
            26 => ("JPEG", 90_000, None),
            _ => return None,
        };
        Some(Format {
            encoding: encoding.into(),
            clock_rate: Some(clock_rate),
            channels,
            fmtp: Vec::new(),
        })
    }

    fn fmtp_string(&self) -> String {
        self.fmtp
            .iter()
            .map(|(k, v)| {
                if v.is_empty() {
                    k.clone()
                } else {
                    format!("{k}={v}")
                }
            })
            .collect::<Vec<_>>()
            .join(";")
    }

    fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fmtp.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// A depacketizer of a known codec, kept concrete for the codec-specific getters.
enum Dep {
    H264(H264Depacketizer),
    H265(H265Depacketizer),
    Aac(AacDepacketizer, AudioSpecificConfig),
    Latm(LatmDepacketizer),
    G711(G711Depacketizer, G711Law),
    L16(L16Depacketizer),
    Opus(OpusDepacketizer),
    Mjpeg(MjpegDepacketizer),
}

impl Dep {
    /// The depacketizer for `f`, `Ok(None)` for an encoding this example does not know.
    fn build(f: &Format) -> Result<Option<Dep>, String> {
        let clock = f.clock_rate.unwrap_or(0);
        let channels = f.channels.and_then(|c| u8::try_from(c).ok());
        let err = |e: codec::fmtp::FmtpError| format!("{} fmtp: {e}", f.encoding);
        Ok(Some(match f.encoding.as_str() {
            "H264" => Dep::H264(H264Depacketizer::new(H264Config::from_fmtp(
                &f.fmtp_string(),
            ))),
            "H265" => Dep::H265(H265Depacketizer::new(H265Config::from_fmtp(
                &f.fmtp_string(),
            ))),
            "MPEG4-GENERIC" => {
                let config = AacConfig::from_fmtp(clock, channels, f.params()).map_err(err)?;
                let asc = config.audio_specific_config.clone();
                Dep::Aac(AacDepacketizer::new(config), asc)
            }
            "MP4A-LATM" => Dep::Latm(LatmDepacketizer::new(
                LatmConfig::from_fmtp(clock, channels, f.params()).map_err(err)?,
            )),
            "PCMU" | "PCMA" => {
                let config = G711Config::from_rtpmap(&f.encoding, clock, channels).map_err(err)?;
                Dep::G711(G711Depacketizer::new(&config), config.law)
            }
            "L16" => Dep::L16(L16Depacketizer::new(
                &L16Config::from_rtpmap(clock, channels).map_err(err)?,
            )),
            "OPUS" => Dep::Opus(OpusDepacketizer::new(
                &OpusConfig::from_fmtp(f.params()).map_err(err)?,
            )),
            "JPEG" => Dep::Mjpeg(MjpegDepacketizer::new(&MjpegConfig::default())),
            _ => return Ok(None),
        }))
    }

    fn as_dyn(&mut self) -> &mut dyn Depacketizer {
        match self {
            Dep::H264(d) => d,
            Dep::H265(d) => d,
            Dep::Aac(d, _) => d,
            Dep::Latm(d) => d,
            Dep::G711(d, _) => d,
            Dep::L16(d) => d,
            Dep::Opus(d) => d,
            Dep::Mjpeg(d) => d,
        }
    }

    /// The short codec name used in file names.
    fn slug(&self) -> &'static str {
        match self {
            Dep::H264(_) => "h264",
            Dep::H265(_) => "h265",
            Dep::Aac(..) | Dep::Latm(_) => "aac",
            Dep::G711(_, G711Law::MuLaw) => "pcmu",
            Dep::G711(_, G711Law::ALaw) => "pcma",
            Dep::L16(_) => "l16",
            Dep::Opus(_) => "opus",
            Dep::Mjpeg(_) => "mjpeg",
        }
    }

    /// The extension of the elementary stream file and how to read it with ffmpeg;
    /// `None` when this example writes no file for the codec.
    fn stream_file(&self) -> Option<(&'static str, &'static str)> {
        Some(match self {
            Dep::H264(_) => ("h264", "-f h264"),
            Dep::H265(_) => ("h265", "-f hevc"),
            Dep::Aac(..) | Dep::Latm(_) => ("aac", "-f aac"),
            Dep::G711(_, G711Law::MuLaw) => ("ulaw", "-f mulaw -ar RATE -ac CHANNELS"),
            Dep::G711(_, G711Law::ALaw) => ("alaw", "-f alaw -ar RATE -ac CHANNELS"),
            Dep::L16(_) => ("pcm", "-f s16be -ar RATE -ac CHANNELS"),
            Dep::Opus(_) | Dep::Mjpeg(_) => return None,
        })
    }

    /// The AudioSpecificConfig in force, for the ADTS header.
    fn asc(&self) -> Option<&AudioSpecificConfig> {
        match self {
            Dep::Aac(_, asc) => Some(asc),
            Dep::Latm(d) => d.stream_mux_config().map(|s| &s.audio_specific_config),
            _ => None,
        }
    }
}

/// Frame counters of a track.
#[derive(Debug, Default)]
pub struct FrameStats {
    pub frames: u64,
    pub keyframes: u64,
    pub bytes: u64,
    pub min: Option<usize>,
    pub max: Option<usize>,
    /// Frames emitted with the loss flag (packets were lost before them).
    pub after_loss: u64,
    /// Depacketizer errors (each dropped a frame).
    pub errors: u64,
    pub first_error: Option<String>,
}

impl FrameStats {
    fn count(&mut self, f: &Frame) {
        self.frames += 1;
        self.keyframes += u64::from(f.keyframe);
        self.after_loss += u64::from(f.loss);
        self.bytes += f.data.len() as u64;
        let n = f.data.len();
        self.min = Some(self.min.map_or(n, |m| m.min(n)));
        self.max = Some(self.max.map_or(n, |m| m.max(n)));
    }
}

/// Where `--extract` writes a track.
enum Out {
    Stream(BufWriter<File>),
    Jpeg { dir: PathBuf, prefix: String },
}

/// What `--extract` wrote for a track.
pub struct Sink {
    out: Out,
    /// The file, or the pattern of the per-frame files.
    pub path: PathBuf,
    /// How ffmpeg reads it (`-f h264`, ...).
    pub ffmpeg_format: String,
    pub files: u64,
    pub frames: u64,
    pub bytes: u64,
    /// Frames not written (before the first keyframe, or not expressible as ADTS).
    pub skipped: u64,
    started: bool,
}

impl Sink {
    fn write(&mut self, dep: Option<&Dep>, f: &Frame) -> std::io::Result<()> {
        let dep = match dep {
            Some(d) => d,
            None => return Ok(()),
        };
        match &mut self.out {
            Out::Jpeg { dir, prefix } => {
                let path = dir.join(format!("{prefix}_{:05}.jpg", self.files + 1));
                std::fs::write(&path, &f.data).map_err(|e| {
                    std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
                })?;
                self.files += 1;
            }
            Out::Stream(w) => match dep {
                Dep::H264(_) | Dep::H265(_) => {
                    // A decoder cannot start before the first keyframe.
                    if !self.started && !f.keyframe {
                        self.skipped += 1;
                        return Ok(());
                    }
                    self.started = true;
                    w.write_all(&f.data)?;
                }
                Dep::Aac(..) | Dep::Latm(_) => {
                    match dep.asc().and_then(|asc| asc.adts_header(f.data.len())) {
                        Some(h) => {
                            w.write_all(&h)?;
                            w.write_all(&f.data)?;
                            self.bytes += h.len() as u64;
                        }
                        None => {
                            self.skipped += 1;
                            return Ok(());
                        }
                    }
                }
                _ => w.write_all(&f.data)?,
            },
        }
        self.frames += 1;
        self.bytes += f.data.len() as u64;
        Ok(())
    }

    fn finish(&mut self) -> std::io::Result<()> {
        if let Out::Stream(w) = &mut self.out {
            w.flush()?;
        }
        Ok(())
    }
}

/// One media's packets and frames.
pub struct Track {
    /// The media index in the SDP (or channel / 2 without one), used in file names.
    pub index: usize,
    /// How its RTP packets were carried.
    pub via: crate::session::Via,
    /// The media description, when an SDP was seen.
    pub media: Option<usize>,
    pub format: Option<Format>,
    dep: Option<Dep>,
    /// Why no depacketizer could be built for a known encoding.
    pub config_error: Option<String>,
    pub packets: u64,
    pub payload_bytes: u64,
    pub stats: FrameStats,
    pub sink: Option<Sink>,
    /// Why nothing is extracted for this track.
    pub no_extract: Option<&'static str>,
}

impl Track {
    pub fn new(
        index: usize,
        via: crate::session::Via,
        media: Option<usize>,
        format: Option<Format>,
        extract: Option<&Path>,
        prefix: &str,
    ) -> std::io::Result<Track> {
        let (dep, config_error) = match format.as_ref().map(Dep::build) {
            Some(Ok(d)) => (d, None),
            Some(Err(e)) => (None, Some(e)),
            None => (None, None),
        };
        let mut t = Track {
            index,
            via,
            media,
            format,
            dep,
            config_error,
            packets: 0,
            payload_bytes: 0,
            stats: FrameStats::default(),
            sink: None,
            no_extract: None,
        };
        if let Some(dir) = extract {
            t.open_sink(dir, prefix)?;
        }
        Ok(t)
    }

    fn open_sink(&mut self, dir: &Path, prefix: &str) -> std::io::Result<()> {
        let Some(dep) = &self.dep else {
            self.no_extract = Some("encoding not depacketized");
            return Ok(());
        };
        let prefix = format!("{prefix}track{}_{}", self.index, dep.slug());
        let (out, path, ffmpeg_format) = match dep.stream_file() {
            Some((ext, fmt)) => {
                let path = dir.join(format!("{prefix}.{ext}"));
                let file = File::create(&path).map_err(|e| {
                    std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
                })?;
                let f = self.format.as_ref();
                let fmt = fmt
                    .replace(
                        "RATE",
                        &f.and_then(|f| f.clock_rate).unwrap_or(8000).to_string(),
                    )
                    .replace(
                        "CHANNELS",
                        &f.and_then(|f| f.channels).unwrap_or(1).to_string(),
                    );
                (Out::Stream(BufWriter::new(file)), path, fmt)
            }
            None if matches!(dep, Dep::Mjpeg(_)) => (
                Out::Jpeg {
                    dir: dir.to_owned(),
                    prefix: prefix.clone(),
                },
                dir.join(format!("{prefix}_NNNNN.jpg")),
                "-f jpeg_pipe".to_owned(),
            ),
            None => {
                self.no_extract = Some("no raw container for this codec");
                return Ok(());
            }
        };
        self.sink = Some(Sink {
            files: u64::from(matches!(out, Out::Stream(_))),
            out,
            path,
            ffmpeg_format,
            frames: 0,
            bytes: 0,
            skipped: 0,
            started: false,
        });
        Ok(())
    }

    /// The encoding name for reports.
    pub fn encoding(&self) -> &str {
        self.format
            .as_ref()
            .map_or("unknown", |f| f.encoding.as_str())
    }

    /// Whether packets are depacketized (the encoding is known and configured).
    pub fn depacketized(&self) -> bool {
        self.dep.is_some()
    }

    /// Takes one RTP packet of the track, in arrival order, duplicates removed.
    pub fn push(&mut self, pkt: &rtsp_proto::rtp::RtpPacket<'_>) -> std::io::Result<()> {
        self.packets += 1;
        self.payload_bytes += pkt.payload().len() as u64;
        let Some(dep) = &mut self.dep else {
            return Ok(());
        };
        let packet = codec::RtpPacket {
            sequence_number: pkt.sequence_number(),
            timestamp: pkt.timestamp(),
            marker: pkt.marker(),
            payload_type: pkt.payload_type().get(),
            payload: Bytes::copy_from_slice(pkt.payload()),
        };
        if let Err(e) = dep.as_dyn().push(packet) {
            self.stats.errors += 1;
            self.stats.first_error.get_or_insert_with(|| e.to_string());
        }
        self.drain()
    }

    fn drain(&mut self) -> std::io::Result<()> {
        loop {
            let Some(f) = self.dep.as_mut().and_then(|d| d.as_dyn().pull()) else {
                return Ok(());
            };
            self.stats.count(&f);
            if let Some(sink) = &mut self.sink {
                sink.write(self.dep.as_ref(), &f)?;
            }
        }
    }

    /// Ends the stream: completes a held-back frame and closes the output.
    pub fn finish(&mut self) -> std::io::Result<()> {
        if let Some(d) = &mut self.dep {
            d.as_dyn().flush();
        }
        self.drain()?;
        if let Some(s) = &mut self.sink {
            s.finish()?;
        }
        Ok(())
    }
}
