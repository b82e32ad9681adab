//! Media: mounts, packetizing once and fanning out to every player, RTCP sender reports,
//! media from publishers.

use super::event::{
    ApiError, ConnectionId, Diagnostic, MountId, RelayError, ServerEvent, SessionEndReason,
    SessionId, TrackId,
};
use super::mount::{Mount, MountMedia, SinkKind, Track, TrackConfig};
use super::{
    Connection, MediaSocket, Server, ServerLimits, SessionState, SetupMode, Slab, Timer, Transmit,
};
use crate::header::{CSeq, NotifyReason, Range, Session};
use crate::message::{HeaderName, HeaderValue, Method, Request};
use crate::rtcp::{write_report, Goodbye, Items, ReportConfig, RtcpWrite as _};
use crate::rtp::{ReceiverStats, RtpBuilder, RtpPacket};
use crate::Version;
use bytes::{BufMut, Bytes, BytesMut};
use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

/// Everything output goes to: the connections and their queues, the UDP datagrams, and
/// the scratch space of a fan-out. Kept apart from the mounts so that a fan-out can borrow
/// it whole while it reads a mount's track.
#[derive(Debug)]
pub(super) struct OutputState {
    pub(super) conns: Slab<Connection>,
    pub(super) transmits: VecDeque<Transmit>,
    pub(super) writable: VecDeque<ConnectionId>,
    /// Reused per fan-out: connections found over their output limit.
    pub(super) slow: Vec<ConnectionId>,
    /// Reused per packet: the interleaved framing of the packet for each channel.
    framed: Vec<(u8, Bytes)>,
    pub(super) dropped_transmits: u64,
    /// [`ServerLimits::max_output_bytes`].
    max_output: usize,
    /// [`ServerLimits::max_pending_transmits`].
    max_transmits: usize,
}

impl OutputState {
    pub(super) fn new(limits: &ServerLimits) -> OutputState {
        OutputState {
            conns: Slab::default(),
            transmits: VecDeque::new(),
            writable: VecDeque::new(),
            slow: Vec::new(),
            framed: Vec::new(),
            dropped_transmits: 0,
            max_output: limits.max_output_bytes,
            max_transmits: limits.max_pending_transmits,
        }
    }

    /// Queues bytes for a connection, outside the response order (media, notifications).
    /// Over [`ServerLimits::max_output_bytes`] the connection is marked dead and listed in
    /// `slow` for closing.
    pub(super) fn queue_raw(&mut self, conn: ConnectionId, bytes: Bytes) {
        let Some(c) = self.conns.get_mut(conn.0) else {
            return;
        };
        if c.dead {
            return;
        }
        if c.out_bytes + bytes.len() > self.max_output {
            c.dead = true;
            c.out.clear();
            c.out_bytes = 0;
            self.slow.push(conn);
            return;
        }
        c.out_bytes += bytes.len();
        c.out.push_back(bytes);
        if !c.notified {
            c.notified = true;
            self.writable.push_back(conn);
        }
    }

    fn transmit(&mut self, socket: MediaSocket, destination: SocketAddr, payload: Bytes) {
        if self.transmits.len() >= self.max_transmits {
            self.dropped_transmits += 1;
            return;
        }
        self.transmits.push_back(Transmit {
            socket,
            destination,
            payload,
        });
    }

    /// Sends one RTP (or RTCP) packet to every receiver of `track`.
    fn fan_out(
        &mut self,
        track: &Track,
        multicast: Option<SocketAddr>,
        packet: &Bytes,
        rtcp: bool,
    ) {
        self.framed.clear();
        for sink in &track.sinks {
            match sink.kind {
                SinkKind::Interleaved {
                    conn,
                    rtp,
                    rtcp: rtcp_ch,
                } => {
                    let channel = if rtcp { rtcp_ch } else { rtp };
                    let framed = match self.framed.iter().find(|(c, _)| *c == channel) {
                        Some((_, b)) => b.clone(),
                        None => {
                            let Ok(len) = u16::try_from(packet.len()) else {
                                continue;
                            };
                            let mut b = BytesMut::with_capacity(4 + packet.len());
                            b.put_u8(b'$');
                            b.put_u8(channel);
                            b.put_u16(len);
                            b.extend_from_slice(packet);
                            let b = b.freeze();
                            self.framed.push((channel, b.clone()));
                            b
                        }
                    };
                    self.queue_raw(conn, framed);
                }
                SinkKind::Udp {
                    rtp,
                    rtcp: rtcp_addr,
                } => {
                    let (socket, dest) = if rtcp {
                        (MediaSocket::Rtcp, rtcp_addr)
                    } else {
                        (MediaSocket::Rtp, rtp)
                    };
                    self.transmit(socket, dest, packet.clone());
                }
            }
        }
        if let (Some(group), true) = (multicast, track.multicast_members > 0) {
            let dest = if rtcp {
                SocketAddr::new(group.ip(), group.port().wrapping_add(1))
            } else {
                group
            };
            let socket = if rtcp {
                MediaSocket::Rtcp
            } else {
                MediaSocket::Rtp
            };
            self.transmit(socket, dest, packet.clone());
        }
    }
}

/// Checks a mount path: absolute, printable ASCII, no spaces, no trailing slash (except
/// `/` itself), no query.
fn valid_path(path: &str) -> bool {
    path.starts_with('/')
        && path.len() <= 1024
        && path
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'?' && b != b'#')
        && (path == "/" || !path.ends_with('/'))
}

impl Server {
    /// Adds a mount: a path (`/test`) whose tracks players can set up and that
    /// [`Server::send_frame`] / [`Server::send_rtp`] feed. Each track gets a random SSRC,
    /// initial sequence number and timestamp offset from the configured RNG.
    pub fn add_mount(&mut self, path: &str, tracks: Vec<TrackConfig>) -> Result<MountId, ApiError> {
        let path = if path.len() > 1 {
            path.trim_end_matches('/')
        } else {
            path
        };
        if !valid_path(path) {
            return Err(ApiError::InvalidPath);
        }
        if self.mount_by_path.contains_key(path) {
            return Err(ApiError::PathInUse(path.to_owned()));
        }
        if self.mounts.len() >= self.config.limits.max_mounts
            || tracks.is_empty()
            || tracks.len() > self.config.limits.max_tracks_per_mount
        {
            return Err(ApiError::Limit);
        }
        let tracks = tracks
            .into_iter()
            .map(|config| {
                let ssrc = self.config.rng.next_u32();
                let seq = self.config.rng.next_u32() as u16;
                let ts = self.config.rng.next_u32();
                Track::new(config, ssrc, seq, ts)
            })
            .collect();
        let key = self.mounts.insert(Mount {
            path: path.to_owned(),
            tracks,
            multicast_group: None,
            sessions: Vec::new(),
            media: MountMedia::live(),
        });
        self.mount_by_path.insert(path.to_owned(), MountId(key));
        Ok(MountId(key))
    }

    /// States what a mount's media allows (live, or on demand with its duration and
    /// seekability): later `SETUP`, `PLAY` and `PAUSE` responses and the SDP of
    /// [`Server::respond_describe`] follow it. Mounts are live until this is called.
    pub fn set_mount_media(&mut self, mount: MountId, media: MountMedia) -> Result<(), ApiError> {
        let m = self
            .mounts
            .get_mut(mount.0)
            .ok_or(ApiError::UnknownMount(mount))?;
        m.media = media;
        Ok(())
    }

    /// What a mount's media allows ([`Server::set_mount_media`]).
    pub fn mount_media(&self, mount: MountId) -> Option<&MountMedia> {
        self.mounts.get(mount.0).map(|m| &m.media)
    }

    /// The mount at `path`, if any.
    pub fn mount_at(&self, path: &str) -> Option<MountId> {
        let path = if path.len() > 1 {
            path.trim_end_matches('/')
        } else {
            path
        };
        self.mount_by_path.get(path).copied()
    }

    /// The path of a mount.
    pub fn mount_path(&self, mount: MountId) -> Option<&str> {
        self.mounts.get(mount.0).map(|m| m.path.as_str())
    }

    /// Sessions currently playing a mount.
    pub fn players(&self, mount: MountId) -> usize {
        let Some(m) = self.mounts.get(mount.0) else {
            return 0;
        };
        m.sessions
            .iter()
            .filter(|s| {
                self.sessions
                    .get(s.0)
                    .is_some_and(|s| s.state == SessionState::Playing)
            })
            .count()
    }

    /// The multicast group and RTP port of a track (`port_base + 2 × track`), assigning
    /// the mount its group now if no client has set it up by multicast yet: put it in the
    /// SDP's `c=` and `m=` lines to have VLC choose multicast (QUIRKS 57). `None` without
    /// [`ServerConfig::multicast`](super::ServerConfig::multicast).
    pub fn multicast_address(&mut self, mount: MountId, track: TrackId) -> Option<SocketAddr> {
        let mc = self.config.multicast?;
        self.mounts.get(mount.0)?.tracks.get(track.0)?;
        let group = self.multicast_group(mount)?;
        let port = mc.port_base.checked_add(u16::try_from(track.0 * 2).ok()?)?;
        Some(SocketAddr::new(IpAddr::V4(group), port))
    }

    /// The SDP media description of a track as a multicast mount advertises it: the
    /// track's group with the configured TTL in a media-level `c=` line
    /// (`c=IN IP4 239.0.0.1/16`) and its RTP port in `m=` (`m=video 16000 RTP/AVP 96`),
    /// which is the port [`Server::accept_setup`] answers a multicast `SETUP` with. The
    /// stream is returned unchanged without
    /// [`ServerConfig::multicast`](super::ServerConfig::multicast).
    ///
    /// Background (QUIRKS 57): VLC (live555) chooses multicast by itself when the SDP
    /// carries a multicast address: it binds the `m=` port, joins the `c=` group and sends
    /// `SETUP` with `Transport: RTP/AVP;multicast;port=<m= port>-<m= port + 1>`. Every VLC
    /// that reads such a description then plays by multicast, so advertise the group only
    /// where the network carries multicast to the players, or only to clients that ask
    /// (gortsplib serves it when the URL has a `?vlcmulticast` query). FFmpeg and
    /// GStreamer keep the transport their user chose.
    ///
    /// ```
    /// use rtsp_proto::sdp::{MediaKind, PayloadType, PresentationBuilder, Stream};
    /// use rtsp_proto::server::{MulticastConfig, Server, ServerConfig, TrackConfig, TrackId};
    /// let mut config = ServerConfig::default();
    /// config.multicast = Some(MulticastConfig::new("239.0.0.1".parse()?, 16, 16000));
    /// let mut server = Server::new(config);
    /// let mount = server.add_mount("/cam", vec![TrackConfig::new("trackID=0", 96, 90_000)])?;
    /// let video = Stream::new(MediaKind::Video, PayloadType(96), "H264", 90_000);
    /// let video = server.advertise_multicast(mount, TrackId(0), video);
    /// let sdp = PresentationBuilder::new("cam").stream(video).build()?;
    /// assert!(sdp.contains("m=video 16000 RTP/AVP 96\r\nc=IN IP4 239.0.0.1/16\r\n"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn advertise_multicast(
        &mut self,
        mount: MountId,
        track: TrackId,
        stream: crate::sdp::Stream,
    ) -> crate::sdp::Stream {
        let Some(mc) = self.config.multicast else {
            return stream;
        };
        match self.multicast_address(mount, track) {
            Some(addr) => {
                let mut stream = stream.multicast(addr.ip(), mc.ttl);
                stream.port = addr.port();
                stream
            }
            None => stream,
        }
    }

    /// Removes a mount: its players get an RTCP BYE on every track, RTSP 2.0 players a
    /// `PLAY_NOTIFY` with `Notify-Reason: end-of-stream` (RFC 7826 §13.5), and every
    /// session of the mount ends ([`SessionEndReason::MountRemoved`]).
    pub fn remove_mount(&mut self, now: Instant, mount: MountId) -> Result<(), ApiError> {
        if self.mounts.get(mount.0).is_none() {
            return Err(ApiError::UnknownMount(mount));
        }
        self.end_of_stream(now, mount)?;
        let sessions = self
            .mounts
            .get(mount.0)
            .map(|m| m.sessions.clone())
            .unwrap_or_default();
        for s in sessions {
            self.remove_session(now, s, SessionEndReason::MountRemoved);
        }
        if let Some(m) = self.mounts.remove(mount.0) {
            self.mount_by_path.remove(&m.path);
            for i in 0..m.tracks.len() {
                if let Some(due) = m.tracks.get(i).and_then(|t| t.rtcp_due) {
                    self.timers.remove(&(due, Timer::Rtcp(mount, i)));
                }
            }
        }
        self.finish_input(now);
        Ok(())
    }

    /// Signals the end of a mount's stream to its players without ending their sessions:
    /// an RTCP BYE per track, and a `PLAY_NOTIFY` (`end-of-stream`) to RTSP 2.0 players.
    pub fn end_of_stream(&mut self, now: Instant, mount: MountId) -> Result<(), ApiError> {
        let m = self
            .mounts
            .get(mount.0)
            .ok_or(ApiError::UnknownMount(mount))?;
        let multicast = m.multicast_group;
        let mut byes = Vec::new();
        for track in &m.tracks {
            let ssrcs = [track.ssrc];
            let bye = Goodbye {
                sources: Items::from_slice(&ssrcs),
                reason: Some(b"end of stream"),
            };
            let mut buf = [0u8; 64];
            if let Ok(n) = bye.write(&mut buf) {
                byes.push(Bytes::copy_from_slice(buf.get(..n).unwrap_or_default()));
            }
        }
        let notify: Vec<SessionId> = m
            .sessions
            .iter()
            .copied()
            .filter(|s| {
                self.sessions
                    .get(s.0)
                    .is_some_and(|s| s.version == Version::V2_0 && s.state == SessionState::Playing)
            })
            .collect();
        let mc = self.config.multicast;
        let m = self
            .mounts
            .get(mount.0)
            .ok_or(ApiError::UnknownMount(mount))?;
        for (i, (track, bye)) in m.tracks.iter().zip(&byes).enumerate() {
            let group = multicast_dest(multicast, mc.map(|c| c.port_base), i);
            self.out.fan_out(track, group, bye, true);
        }
        for sid in notify {
            let Some(s) = self.sessions.get(sid.0) else {
                continue;
            };
            let conn = s.conn;
            let Some(c) = self.out.conns.get_mut(conn.0) else {
                continue;
            };
            let cseq = c.next_cseq;
            c.next_cseq = c.next_cseq.wrapping_add(1).max(2);
            let mut b = Request::builder(Method::PLAY_NOTIFY, s.base_url.clone())
                .version(Version::V2_0)
                .typed_header(&CSeq(cseq))
                .typed_header(&NotifyReason::EndOfStream)
                .typed_header(&Range::npt_now());
            if let Ok(h) = Session::new(s.token.clone()) {
                b = b.typed_header(&h);
            }
            if let Ok(v) = HeaderValue::from_string(self.config.server_name.clone()) {
                b = b.header(HeaderName::SERVER, v);
            }
            let mut buf = BytesMut::new();
            b.build().encode(&mut buf);
            self.out.queue_raw(conn, buf.freeze());
        }
        self.finish_input(now);
        Ok(())
    }

    /// Sends one frame (an access unit, an audio frame) on a track: packetized once with
    /// the track's packetizer, then queued for every player of the mount. `timestamp` is
    /// the frame's RTP time in the track's clock from any origin (the server adds the
    /// track's random offset).
    pub fn send_frame(
        &mut self,
        now: Instant,
        mount: MountId,
        track: TrackId,
        timestamp: u32,
        frame: &[u8],
    ) -> Result<(), ApiError> {
        self.epoch.get_or_insert(now);
        let t = track_mut(&mut self.mounts, mount, track)?;
        let Some(packetizer) = t.config.packetizer.as_mut() else {
            return Err(ApiError::NoPacketizer);
        };
        let mut packets = std::mem::take(&mut self.packets);
        packets.clear();
        let (pt, ssrc) = (t.config.payload_type & 0x7f, t.ssrc.0);
        let mut seq = t.seq;
        let result =
            packetizer.packetize(timestamp.wrapping_add(t.ts_offset), frame, &mut |payload| {
                let len = payload.len();
                let mut b = BytesMut::with_capacity(12 + len);
                b.put_u8(0x80);
                b.put_u8(if payload.marker { 0x80 | pt } else { pt });
                b.put_u16(seq);
                b.put_u32(payload.timestamp);
                b.put_u32(ssrc);
                for part in payload.parts {
                    b.extend_from_slice(part);
                }
                packets.push((b.freeze(), payload.timestamp, len));
                seq = seq.wrapping_add(1);
            });
        if let Err(error) = result {
            self.packets = packets;
            self.push_event(ServerEvent::Diagnostic(Diagnostic::Packetize {
                mount,
                track,
                error: error.clone(),
            }));
            return Err(ApiError::Packetize(error));
        }
        t.seq = seq;
        let first = !t.stats.has_sent() && !packets.is_empty();
        for (_, ts, len) in &packets {
            t.stats.handle_sent(now, *ts, *len);
        }
        self.fan_out_track(mount, track, packets.iter().map(|(p, _, _)| p));
        if first {
            self.first_media_sent(now, mount, track);
        }
        packets.clear();
        self.packets = packets;
        self.finish_input(now);
        Ok(())
    }

    /// Sends a ready RTP packet on a track (a relay's path): the packet keeps its payload,
    /// marker, payload type and timestamp (plus the track's offset), and gets the track's
    /// SSRC and next sequence number, so every player sees one continuous stream even when
    /// the publisher changes. Header extensions and CSRCs are kept.
    ///
    /// Bytes that are not an RTP packet (or a packet that cannot be rebuilt) are dropped,
    /// like a frame [`Server::send_frame`] cannot packetize: reported as
    /// [`Diagnostic::Relay`] and returned as [`ApiError::Rtp`] / [`ApiError::RtpBuild`].
    pub fn send_rtp(
        &mut self,
        now: Instant,
        mount: MountId,
        track: TrackId,
        packet: &[u8],
    ) -> Result<(), ApiError> {
        self.epoch.get_or_insert(now);
        let t = track_mut(&mut self.mounts, mount, track)?;
        let ts_offset = t.ts_offset;
        let rebuilt = RtpPacket::parse(packet)
            .map_err(RelayError::Parse)
            .and_then(|parsed| {
                let ts = parsed.timestamp().wrapping_add(ts_offset);
                let mut b = BytesMut::with_capacity(packet.len());
                RtpBuilder::from_packet(&parsed)
                    .sequence_number(t.seq)
                    .timestamp(ts)
                    .ssrc(t.ssrc)
                    .append_to(&mut b)
                    .map_err(RelayError::Build)?;
                Ok((b.freeze(), ts, parsed.payload().len()))
            });
        let (bytes, ts, payload_len) = match rebuilt {
            Ok(r) => r,
            Err(error) => {
                self.push_event(ServerEvent::Diagnostic(Diagnostic::Relay {
                    mount,
                    track,
                    error,
                }));
                return Err(error.into());
            }
        };
        t.seq = t.seq.wrapping_add(1);
        let first = !t.stats.has_sent();
        t.stats.handle_sent(now, ts, payload_len);
        self.fan_out_track(mount, track, [&bytes]);
        if first {
            self.first_media_sent(now, mount, track);
        }
        self.finish_input(now);
        Ok(())
    }

    /// A track sent its first media: players that were already waiting get its first SR
    /// right after it, not at the report timer started at their PLAY (which found nothing
    /// to report and rescheduled itself a whole interval on).
    fn first_media_sent(&mut self, now: Instant, mount: MountId, track: TrackId) {
        let waiting = self
            .mounts
            .get(mount.0)
            .and_then(|m| m.tracks.get(track.0))
            .is_some_and(|t| t.has_receivers());
        if waiting {
            self.rtcp_soon(now, mount, track.0);
        }
    }

    /// Queues a track's ready RTP packets for every player of its mount: each unicast
    /// sink and the mount's multicast group.
    fn fan_out_track<'a>(
        &mut self,
        mount: MountId,
        track: TrackId,
        packets: impl IntoIterator<Item = &'a Bytes>,
    ) {
        let Some(m) = self.mounts.get(mount.0) else {
            return;
        };
        let Some(t) = m.tracks.get(track.0).filter(|t| t.has_receivers()) else {
            return;
        };
        let group = multicast_dest(
            m.multicast_group,
            self.config.multicast.map(|c| c.port_base),
            track.0,
        );
        for p in packets {
            self.out.fan_out(t, group, p, false);
        }
    }

    /// Starts a track's RTCP timer (first report after half the minimum interval).
    pub(super) fn schedule_rtcp(&mut self, now: Instant, mount: MountId, track: usize) {
        let Ok(t) = track_mut(&mut self.mounts, mount, TrackId(track)) else {
            return;
        };
        if t.rtcp_due.is_some() {
            return;
        }
        let due = now + t.interval.randomized(&mut *self.config.rng);
        t.rtcp_due = Some(due);
        self.timers.insert((due, Timer::Rtcp(mount, track)));
    }

    /// Moves a track's next RTCP report to just after `now` (the timer runs on the next
    /// `handle_timeout`, after whatever is being answered or sent now), unless it is due
    /// by then anyway. For a track's first SR to a player: players such as ffmpeg put a
    /// stream on the shared NTP time line only after its first SR, so streams whose first
    /// SRs came seconds apart were played seconds apart.
    pub(super) fn rtcp_soon(&mut self, now: Instant, mount: MountId, track: usize) {
        let soon = now + Duration::from_millis(1);
        let Ok(t) = track_mut(&mut self.mounts, mount, TrackId(track)) else {
            return;
        };
        if t.rtcp_due.is_some_and(|d| d <= soon) {
            return;
        }
        if let Some(d) = t.rtcp_due {
            self.timers.remove(&(d, Timer::Rtcp(mount, track)));
        }
        t.rtcp_due = Some(soon);
        self.timers.insert((soon, Timer::Rtcp(mount, track)));
    }

    pub(super) fn rtcp_timer(&mut self, now: Instant, mount: MountId, track: usize) {
        let ntp = self.ntp(now);
        let mc = self.config.multicast;
        let cname = self.config.cname.clone();
        let Some(m) = self.mounts.get_mut(mount.0) else {
            return;
        };
        let group = multicast_dest(m.multicast_group, mc.map(|c| c.port_base), track);
        let Some(t) = m.tracks.get_mut(track) else {
            return;
        };
        t.rtcp_due = None;
        if !t.has_receivers() {
            return;
        }
        if t.stats.has_sent() {
            let info = t.stats.sender_info(now, ntp);
            let mut buf = [0u8; 512];
            let cname = cname
                .as_bytes()
                .get(..cname.len().min(255))
                .unwrap_or_default();
            if let Ok(n) = write_report(
                &mut buf,
                now,
                &ReportConfig::new(t.ssrc, cname),
                Some(info),
                std::iter::empty::<&mut ReceiverStats>(),
            ) {
                let report = Bytes::copy_from_slice(buf.get(..n).unwrap_or_default());
                t.interval.update_avg_size(n + 28);
                t.interval.initial = false;
                t.interval.members = t.sinks.len() + t.multicast_members + 1;
                let t = &*t;
                self.out.fan_out(t, group, &report, true);
            }
        }
        self.schedule_rtcp(now, mount, track);
    }

    /// Interleaved data from a client. Returns false when the connection was closed
    /// because of a flood on unassigned channels
    /// ([`ServerLimits::max_unassigned_frames`](super::ServerLimits::max_unassigned_frames)).
    pub(super) fn handle_interleaved(
        &mut self,
        now: Instant,
        conn: ConnectionId,
        channel: u8,
        payload: Bytes,
    ) -> bool {
        let max_unassigned = self.config.limits.max_unassigned_frames;
        let Some(c) = self.out.conns.get_mut(conn.0) else {
            return false;
        };
        let found = c.channels.iter().find(|u| u.channel == channel).copied();
        match found {
            Some(u) => {
                c.unassigned_frames = 0;
                self.media_from_client(now, u.session, u.track, u.rtcp, payload);
            }
            None => {
                c.unassigned_frames += 1;
                if c.unassigned_frames > max_unassigned {
                    self.drop_connection(now, conn, Some(super::CloseReason::UnassignedFlood));
                    return false;
                }
                self.push_event(ServerEvent::Diagnostic(Diagnostic::UnknownChannel {
                    conn,
                    channel,
                }));
            }
        }
        true
    }

    /// RTP or RTCP from a session's client: keeps the session alive; reported when the
    /// session records.
    pub(super) fn media_from_client(
        &mut self,
        now: Instant,
        session: SessionId,
        track: TrackId,
        rtcp: bool,
        packet: Bytes,
    ) {
        let Some(s) = self.sessions.get_mut(session.0) else {
            return;
        };
        s.last_activity = now;
        if s.mode != SetupMode::Record || s.state != SessionState::Recording {
            return;
        }
        let Some(mount) = s.mount else {
            return;
        };
        if rtcp {
            self.push_event(ServerEvent::Rtcp {
                session,
                mount,
                track,
                packet,
            });
            return;
        }
        let mut frames = Vec::new();
        let mut error = None;
        if let Some((_, d)) = s.depacketizers.iter_mut().find(|(t, _)| *t == track) {
            if let Ok(p) = RtpPacket::parse(&packet) {
                let range = p.payload_range();
                let input = crate::codec::RtpPacket {
                    sequence_number: p.sequence_number(),
                    timestamp: p.timestamp(),
                    marker: p.marker(),
                    payload_type: p.payload_type().get(),
                    payload: packet.slice(range),
                };
                if let Err(e) = d.push(input) {
                    error = Some(e);
                }
                while let Some(f) = d.pull() {
                    frames.push(f);
                }
            }
        }
        self.push_event(ServerEvent::Rtp {
            session,
            mount,
            track,
            packet,
        });
        if let Some(error) = error {
            self.push_event(ServerEvent::Diagnostic(Diagnostic::Depacketize {
                session,
                track,
                error,
            }));
        }
        for frame in frames {
            self.push_event(ServerEvent::Frame {
                session,
                mount,
                track,
                frame,
            });
        }
    }

    /// Attaches a depacketizer from [`crate::codec`] to a stream of a recording session:
    /// from then on its RTP is also reported as [`ServerEvent::Frame`]s. Packets are
    /// pushed in arrival order (over UDP a reordered packet counts as a loss). Replaces an
    /// earlier depacketizer of the same stream.
    pub fn attach_depacketizer(
        &mut self,
        session: SessionId,
        track: TrackId,
        depacketizer: Box<dyn crate::codec::Depacketizer + Send>,
    ) -> Result<(), ApiError> {
        let s = self
            .sessions
            .get_mut(session.0)
            .ok_or(ApiError::UnknownSession(session))?;
        s.depacketizers.retain(|(t, _)| *t != track);
        if s.depacketizers.len() < self.config.limits.max_tracks_per_session {
            s.depacketizers.push((track, depacketizer));
        }
        Ok(())
    }
}

/// A mount's track, or the API error that names what does not exist.
pub(super) fn track_mut(
    mounts: &mut Slab<Mount>,
    mount: MountId,
    track: TrackId,
) -> Result<&mut Track, ApiError> {
    mounts
        .get_mut(mount.0)
        .ok_or(ApiError::UnknownMount(mount))?
        .tracks
        .get_mut(track.0)
        .ok_or(ApiError::UnknownTrack { mount, track })
}

fn multicast_dest(
    group: Option<std::net::Ipv4Addr>,
    port_base: Option<u16>,
    track: usize,
) -> Option<SocketAddr> {
    let port = port_base?.checked_add(u16::try_from(track * 2).ok()?)?;
    group.map(|g| SocketAddr::new(IpAddr::V4(g), port))
}
