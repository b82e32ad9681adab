//! Request handling: what the server answers itself, what it hands to the application,
//! and the responders the application answers with.

use super::event::{
    ApiError, ConnectionId, Diagnostic, IncomingRequest, MountId, RequestId, RequestKind,
    ServerEvent, SessionId, SetupMode, TrackId,
};
use super::mount::{Sink, SinkKind};
use super::{
    ChannelUse, MediaSocket, Pending, Rtsp2RtpInfoPolicy, Server, ServerSession, SessionState,
    SessionTrack, Slot, StreamTransport, Timer,
};
use crate::auth::Verdict;
use crate::header::{
    AcceptRanges, Authorization, CSeq, ChannelRange, ContentBase, ContentType, Delivery,
    LowerTransport, NptTime, PipelinedRequests, PortRange, Profile, Public, Range, RangeSpec,
    RangeUnit, Require, RtpInfo, RtpInfoEntry, RtpInfoForm, Scale, SeekStyle, Session, TimeRange,
    Transport, TransportId, TransportSpec, Unsupported,
};
use crate::message::{HeaderName, HeaderValue, Method, Request, Response, ResponseBuilder};
use crate::{StatusCode, Version};
use bytes::{Bytes, BytesMut};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

/// The methods the server implements, for `Public`.
const PUBLIC: [Method; 10] = [
    Method::OPTIONS,
    Method::DESCRIBE,
    Method::ANNOUNCE,
    Method::SETUP,
    Method::PLAY,
    Method::PAUSE,
    Method::RECORD,
    Method::TEARDOWN,
    Method::GET_PARAMETER,
    Method::SET_PARAMETER,
];

/// Session ids: 16 characters from 62, about 95 bits (RFC 7826 §18.49 asks for at least
/// 8 characters; QUIRKS 58: plain tokens without dashes).
const SESSION_ID_LEN: usize = 16;
const SESSION_ALPHABET: &[u8; 62] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Feature tags a client may require (RFC 7826 §11.1): the server implements the basic
/// playback of RFC 7826 (`play.basic`).
const SUPPORTED_FEATURES: [&str; 1] = ["play.basic"];

/// At most this many RTSP 2.0 pipelined ids remembered per connection.
const MAX_PIPELINED: usize = 8;

/// The path of a request URL: no scheme, authority, query, fragment or trailing slash;
/// `/` for an empty path.
pub(super) fn url_path(uri: &str) -> &str {
    let rest = match uri.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |i| rest.get(i..).unwrap_or("")),
        None => uri,
    };
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    let p = rest.get(..end).unwrap_or("").trim_end_matches('/');
    if p.is_empty() {
        "/"
    } else {
        p
    }
}

impl Server {
    /// A response with CSeq (when known) and Server headers.
    pub(super) fn response(
        &self,
        status: StatusCode,
        version: Version,
        cseq: Option<u32>,
    ) -> ResponseBuilder {
        let mut b = Response::builder(status).version(version);
        if let Some(c) = cseq {
            b = b.typed_header(&CSeq(c));
        }
        if let Ok(v) = HeaderValue::from_string(self.config.server_name.clone()) {
            b = b.header(HeaderName::SERVER, v);
        }
        b
    }

    fn session_header(&self, id: SessionId) -> Option<Session> {
        let s = self.sessions.get(id.0)?;
        let secs = u32::try_from(self.config.session_timeout.as_secs()).unwrap_or(u32::MAX);
        Session::new(s.token.clone())
            .ok()
            .map(|h| h.with_timeout(secs))
    }

    /// Queues a response that is not waiting for the application, in request order.
    pub(super) fn queue_immediate(&mut self, conn: ConnectionId, resp: &Response) {
        let mut out = BytesMut::new();
        resp.encode(&mut out);
        let bytes = out.freeze();
        if let Some(r) = self.reslot.take() {
            // The answer of a request that waited behind a pipelined SETUP.
            self.fill_bytes(conn, r, bytes);
            return;
        }
        let Some(c) = self.out.conns.get_mut(conn.0) else {
            return;
        };
        if c.slots.is_empty() {
            self.out.queue_raw(conn, bytes);
        } else {
            c.slots.push_back(Slot {
                id: None,
                bytes: Some(bytes),
            });
        }
    }

    /// Fills the slot of a pending request and sends what is now in order.
    fn fill_slot(&mut self, conn: ConnectionId, id: RequestId, resp: &Response) {
        let mut out = BytesMut::new();
        resp.encode(&mut out);
        self.fill_bytes(conn, id, out.freeze());
    }

    fn fill_bytes(&mut self, conn: ConnectionId, id: RequestId, bytes: Bytes) {
        let Some(c) = self.out.conns.get_mut(conn.0) else {
            return;
        };
        c.pending = c.pending.saturating_sub(1);
        if let Some(slot) = c.slots.iter_mut().find(|s| s.id == Some(id)) {
            slot.bytes = Some(bytes);
        }
        let mut ready = Vec::new();
        while c.slots.front().is_some_and(|s| s.bytes.is_some()) {
            if let Some(b) = c.slots.pop_front().and_then(|s| s.bytes) {
                ready.push(b);
            }
        }
        for b in ready {
            self.out.queue_raw(conn, b);
        }
    }

    fn touch(&mut self, now: Instant, id: SessionId) {
        if let Some(s) = self.sessions.get_mut(id.0) {
            s.last_activity = now;
        }
    }

    fn error(&mut self, conn: ConnectionId, status: StatusCode, version: Version, cseq: u32) {
        let resp = self.response(status, version, Some(cseq)).build();
        self.queue_immediate(conn, &resp);
    }

    /// Finds the mount for a path and the track the rest of the path names.
    /// Returns `(mount, track, aggregate)`; `aggregate` when the path is the mount's own.
    fn resolve(&self, path: &str) -> Option<(MountId, Option<TrackId>, bool)> {
        /// Mounts are looked up at most this many path levels above the request path, so
        /// a long path costs a bounded number of lookups.
        const MAX_LEVELS: usize = 16;
        let mut prefix = path;
        for _ in 0..MAX_LEVELS {
            if let Some(&m) = self.mount_by_path.get(prefix) {
                let mount = self.mounts.get(m.0)?;
                if prefix.len() == path.len() {
                    // The mount's own URL (VLC sets up a single-track mount with the
                    // base URL and a trailing slash, QUIRKS 57).
                    let track = (mount.tracks.len() == 1).then_some(TrackId(0));
                    return Some((m, track, true));
                }
                let rest = path
                    .get(prefix.len()..)
                    .unwrap_or("")
                    .trim_start_matches('/');
                let track = mount
                    .tracks
                    .iter()
                    .position(|t| t.config.control.trim_end_matches('/') == rest)
                    .map(TrackId);
                return Some((m, track, false));
            }
            let i = prefix.rfind('/')?;
            if i == 0 {
                return self.mount_by_path.get("/").map(|&m| (m, None, false));
            }
            prefix = prefix.get(..i)?;
        }
        None
    }

    pub(super) fn handle_request(&mut self, now: Instant, conn: ConnectionId, req: Request) {
        self.process_request(now, conn, req, None);
    }

    /// Handles a request; `resumed` for one that waited behind a pipelined `SETUP`
    /// ([`Server::run_deferred`]): its response slot and its authenticated user.
    fn process_request(
        &mut self,
        now: Instant,
        conn: ConnectionId,
        req: Request,
        resumed: Option<(RequestId, Option<String>)>,
    ) {
        let (reslot, preauth) = match resumed {
            Some((id, user)) => (Some(id), Some(user)),
            None => (None, None),
        };
        self.reslot = reslot;
        self.process_request_inner(now, conn, req, preauth);
        // Every path answers or takes the slot; should one not, the slot must not hold
        // back the responses after it.
        if let Some(r) = self.reslot.take() {
            let resp = self
                .response(StatusCode::INTERNAL_SERVER_ERROR, Version::V2_0, None)
                .build();
            let mut out = BytesMut::new();
            resp.encode(&mut out);
            self.fill_bytes(conn, r, out.freeze());
        }
    }

    fn process_request_inner(
        &mut self,
        now: Instant,
        conn: ConnectionId,
        req: Request,
        preauth: Option<Option<String>>,
    ) {
        let version = req.version;
        let cseq = match req.cseq() {
            Some(Ok(CSeq(c))) => c,
            _ => {
                let resp = self
                    .response(StatusCode::BAD_REQUEST, version, None)
                    .build();
                self.queue_immediate(conn, &resp);
                return;
            }
        };
        // Options the client requires that we do not support (RFC 7826 §18.43).
        if let Some(Ok(Require(mut tags))) = req.headers.typed::<Require>() {
            tags.retain(|t| !SUPPORTED_FEATURES.contains(&t.as_str()));
            if !tags.is_empty() {
                let resp = self
                    .response(StatusCode::OPTION_NOT_SUPPORTED, version, Some(cseq))
                    .typed_header(&Unsupported(tags))
                    .build();
                self.queue_immediate(conn, &resp);
                return;
            }
        }
        let method = req.method.clone();
        let known = PUBLIC.contains(&method);
        if !known {
            let status = if method.is_extension() {
                StatusCode::NOT_IMPLEMENTED
            } else {
                StatusCode::METHOD_NOT_ALLOWED
            };
            let resp = self
                .response(status, version, Some(cseq))
                .typed_header(&crate::header::Allow(PUBLIC.to_vec()))
                .build();
            self.queue_immediate(conn, &resp);
            return;
        }
        // Session header: must name a live session of this user.
        let session = match req.headers.typed::<Session>() {
            None => None,
            Some(Err(_)) => {
                self.error(conn, StatusCode::BAD_REQUEST, version, cseq);
                return;
            }
            Some(Ok(s)) => match self.session_by_token.get(&s.id) {
                Some(&id) => Some(id),
                None => {
                    self.error(conn, StatusCode::SESSION_NOT_FOUND, version, cseq);
                    return;
                }
            },
        };
        // RTSP 2.0: requests pipelined after a SETUP name its session by the startup id
        // (RFC 7826 §18.33).
        let session = match session {
            Some(s) => Some(s),
            None if version == Version::V2_0 && method != Method::SETUP => {
                match req.headers.typed::<PipelinedRequests>() {
                    Some(Ok(PipelinedRequests(p))) => {
                        self.out.conns.get(conn.0).and_then(|c| {
                            c.pipelined.iter().find(|(q, _)| *q == p).map(|(_, s)| *s)
                        })
                    }
                    _ => None,
                }
            }
            None => None,
        };
        if method == Method::OPTIONS {
            if let Some(id) = session {
                self.touch(now, id);
            }
            let mut b = self
                .response(StatusCode::OK, version, Some(cseq))
                .typed_header(&Public(PUBLIC.to_vec()));
            if let Some(h) = session.and_then(|id| self.session_header(id)) {
                b = b.typed_header(&h);
            }
            self.queue_immediate(conn, &b.build());
            return;
        }
        // Authentication (done already for a request that waited behind a SETUP).
        let user = match (&self.config.authenticator, preauth) {
            (_, Some(user)) => user,
            (None, None) => None,
            (Some(auth), None) => {
                let authz = match req.headers.typed::<Authorization>() {
                    Some(Ok(a)) => Some(a),
                    _ => None,
                };
                match auth.verify(
                    &method,
                    req.uri(),
                    authz.as_ref(),
                    now,
                    &mut *self.config.rng,
                ) {
                    Verdict::Authorized { username } => Some(username),
                    Verdict::Challenge(challenge) => {
                        let resp = self
                            .response(StatusCode::UNAUTHORIZED, version, Some(cseq))
                            .typed_header(&challenge)
                            .build();
                        self.queue_immediate(conn, &resp);
                        return;
                    }
                }
            }
        };
        if let Some(id) = session {
            let owner = self.sessions.get(id.0).map(|s| s.user.clone());
            if owner != Some(user.clone()) {
                self.push_event(ServerEvent::Diagnostic(Diagnostic::SessionOfOtherUser {
                    conn,
                }));
                self.error(conn, StatusCode::SESSION_NOT_FOUND, version, cseq);
                return;
            }
            self.touch(now, id);
            // RTSP 2.0 pipelining (RFC 7826 §16.3): a request for a session whose SETUP
            // the application has not answered yet waits for that answer, and so do
            // later requests for the session, so that they are processed in order.
            if method != Method::SETUP && self.must_wait(conn, id, self.reslot.is_some()) {
                self.defer(conn, id, req, user, version, cseq);
                return;
            }
        }
        let url = req.uri().to_owned();
        let path = url_path(&url).to_owned();
        let resolved = self.resolve(&path);
        let mount = resolved.map(|r| r.0);
        let mut pending = Pending {
            conn,
            cseq,
            version,
            method: method.clone(),
            url: url.clone(),
            session,
            new_session: false,
            mount,
            track: resolved.and_then(|r| r.1),
            transport: None,
            mode: SetupMode::Play,
            pipelined: None,
            range: None,
            seek_style: None,
            scale: None,
            answer_at: now + self.config.answer_timeout,
        };
        let kind = match method {
            Method::DESCRIBE => RequestKind::Describe,
            Method::ANNOUNCE => {
                let is_sdp =
                    matches!(req.headers.typed::<ContentType>(), Some(Ok(ct)) if ct.is_sdp());
                if !is_sdp || req.body.is_empty() {
                    self.error(conn, StatusCode::UNSUPPORTED_MEDIA_TYPE, version, cseq);
                    return;
                }
                RequestKind::Announce {
                    sdp: req.body.clone(),
                }
            }
            Method::SETUP => {
                let transport = match req.headers.typed::<Transport>() {
                    Some(Ok(t)) if !t.0.is_empty() => t,
                    Some(Ok(_)) | None => {
                        self.error(conn, StatusCode::UNSUPPORTED_TRANSPORT, version, cseq);
                        return;
                    }
                    Some(Err(_)) => {
                        self.error(conn, StatusCode::BAD_REQUEST, version, cseq);
                        return;
                    }
                };
                let mode = if transport.0.first().is_some_and(|t| t.is_record()) {
                    SetupMode::Record
                } else {
                    SetupMode::Play
                };
                pending.mode = mode;
                let pipelined = match req.headers.typed::<PipelinedRequests>() {
                    Some(Ok(PipelinedRequests(p))) if version == Version::V2_0 => Some(p),
                    _ => None,
                };
                pending.pipelined = pipelined;
                let session = match session {
                    Some(id) => {
                        let Some(s) = self.sessions.get(id.0) else {
                            self.error(conn, StatusCode::SESSION_NOT_FOUND, version, cseq);
                            return;
                        };
                        if matches!(s.state, SessionState::Playing | SessionState::Recording) {
                            self.error(
                                conn,
                                StatusCode::METHOD_NOT_VALID_IN_THIS_STATE,
                                version,
                                cseq,
                            );
                            return;
                        }
                        if s.mount.is_some() && mount.is_some() && s.mount != mount {
                            self.error(
                                conn,
                                StatusCode::AGGREGATE_OPERATION_NOT_ALLOWED,
                                version,
                                cseq,
                            );
                            return;
                        }
                        if s.tracks.len() >= self.config.limits.max_tracks_per_session {
                            self.error(conn, StatusCode::NOT_ENOUGH_BANDWIDTH, version, cseq);
                            return;
                        }
                        id
                    }
                    None => {
                        let existing = pipelined.and_then(|p| {
                            self.out
                                .conns
                                .get(conn.0)?
                                .pipelined
                                .iter()
                                .find(|(q, _)| *q == p)
                                .map(|(_, s)| *s)
                        });
                        match existing {
                            Some(id) => id,
                            None => {
                                if self.sessions.len() >= self.config.limits.max_sessions {
                                    self.error(
                                        conn,
                                        StatusCode::SERVICE_UNAVAILABLE,
                                        version,
                                        cseq,
                                    );
                                    return;
                                }
                                let id = self.new_session(now, conn, user.clone(), version, mode);
                                pending.new_session = true;
                                if let (Some(p), Some(c)) =
                                    (pipelined, self.out.conns.get_mut(conn.0))
                                {
                                    if c.pipelined.len() >= MAX_PIPELINED {
                                        c.pipelined.remove(0);
                                    }
                                    c.pipelined.push((p, id));
                                }
                                id
                            }
                        }
                    }
                };
                pending.session = Some(session);
                pending.transport = Some(transport.clone());
                RequestKind::Setup {
                    track: pending.track,
                    mode,
                    transport,
                }
            }
            Method::PLAY | Method::PAUSE | Method::RECORD => {
                let Some(id) = session else {
                    self.error(conn, StatusCode::SESSION_NOT_FOUND, version, cseq);
                    return;
                };
                let Some(s) = self.sessions.get(id.0) else {
                    self.error(conn, StatusCode::SESSION_NOT_FOUND, version, cseq);
                    return;
                };
                let state_ok = match method {
                    // A second PLAY while playing is accepted (QUIRKS 59: FFmpeg).
                    Method::PLAY => {
                        s.mode == SetupMode::Play
                            && matches!(s.state, SessionState::Ready | SessionState::Playing)
                    }
                    Method::RECORD => {
                        s.mode == SetupMode::Record
                            && matches!(s.state, SessionState::Ready | SessionState::Recording)
                    }
                    _ => s.state != SessionState::Init,
                };
                if !state_ok {
                    self.error(
                        conn,
                        StatusCode::METHOD_NOT_VALID_IN_THIS_STATE,
                        version,
                        cseq,
                    );
                    return;
                }
                // A single stream of a multi-stream session cannot be played alone.
                if let Some((_, Some(_), false)) = resolved {
                    if s.tracks.len() > 1 {
                        self.error(
                            conn,
                            StatusCode::AGGREGATE_OPERATION_NOT_ALLOWED,
                            version,
                            cseq,
                        );
                        return;
                    }
                }
                pending.mount = s.mount;
                match method {
                    Method::PLAY => {
                        let range = req.headers.typed::<Range>().and_then(Result::ok);
                        let seek = range.is_some() && s.state == SessionState::Playing;
                        // Media that plays only from its beginning (RFC 7826 §18.29
                        // `Beginning-Only`, `No-Seeking`): another start is an invalid
                        // range (RFC 7826 §13.4.2, 457).
                        let media = s.mount.and_then(|m| self.mounts.get(m.0)).map(|m| &m.media);
                        if let (Some(media), Some(r)) = (media, &range) {
                            if !media.is_live() && !media.is_seekable() && !starts_at_zero(r) {
                                self.error(conn, StatusCode::INVALID_RANGE, version, cseq);
                                return;
                            }
                        }
                        let scale = req
                            .headers
                            .typed::<Scale>()
                            .and_then(Result::ok)
                            .map(|s| s.0)
                            .filter(|s| s.is_finite());
                        pending.range = range.clone();
                        pending.seek_style = req.headers.typed::<SeekStyle>().and_then(Result::ok);
                        pending.scale = scale;
                        RequestKind::Play { range, seek, scale }
                    }
                    Method::PAUSE => RequestKind::Pause,
                    _ => RequestKind::Record,
                }
            }
            Method::TEARDOWN => {
                let Some(id) = session else {
                    self.error(conn, StatusCode::SESSION_NOT_FOUND, version, cseq);
                    return;
                };
                // A stream's own URL removes only that stream while others remain (RFC
                // 7826 §13.7, RFC 2326 §10.7); the aggregate URL or the last stream ends
                // the session.
                if let (Some((m, Some(track), false)), Some(s)) =
                    (resolved, self.sessions.get(id.0))
                {
                    let in_session =
                        s.mount == Some(m) && s.tracks.iter().any(|t| t.track == track);
                    if !in_session {
                        self.error(conn, StatusCode::NOT_FOUND, version, cseq);
                        return;
                    }
                    if s.tracks.len() > 1 {
                        self.remove_stream(id, track);
                        let mut b = self.response(StatusCode::OK, version, Some(cseq));
                        if let Some(h) = self.session_header(id) {
                            b = b.typed_header(&h);
                        }
                        self.queue_immediate(conn, &b.build());
                        return;
                    }
                }
                let mut b = self.response(StatusCode::OK, version, Some(cseq));
                if let Some(h) = self.session_header(id) {
                    b = b.typed_header(&h);
                }
                let resp = b.build();
                self.remove_session(now, id, super::SessionEndReason::Teardown);
                self.queue_immediate(conn, &resp);
                return;
            }
            Method::GET_PARAMETER | Method::SET_PARAMETER if req.body.is_empty() => {
                // A keep-alive.
                let mut b = self.response(StatusCode::OK, version, Some(cseq));
                if let Some(h) = session.and_then(|id| self.session_header(id)) {
                    b = b.typed_header(&h);
                }
                self.queue_immediate(conn, &b.build());
                return;
            }
            Method::GET_PARAMETER => RequestKind::GetParameter {
                body: req.body.clone(),
            },
            _ => RequestKind::SetParameter {
                body: req.body.clone(),
            },
        };
        // Every request waiting for the application holds a slot.
        let Some(c) = self.out.conns.get_mut(conn.0) else {
            return;
        };
        // (A resumed request counts already.)
        if self.reslot.is_none() && c.pending >= self.config.limits.max_pending_requests {
            if pending.new_session {
                if let Some(id) = pending.session {
                    self.remove_session(now, id, super::SessionEndReason::Closed);
                }
            }
            self.error(conn, StatusCode::SERVICE_UNAVAILABLE, version, cseq);
            return;
        }
        let id = RequestId(self.next_request);
        self.next_request += 1;
        // A resumed request keeps its place in the response order (and its count).
        c.claim_slot(self.reslot.take(), id);
        let event = IncomingRequest {
            id,
            conn,
            kind,
            url,
            path,
            mount: pending.mount,
            session: pending.session,
            user,
            version,
            request: req,
        };
        self.timers.insert((pending.answer_at, Timer::Answer(id)));
        self.pending.insert(id, pending);
        self.push_event(ServerEvent::Request(Box::new(event)));
    }

    /// Whether a request for `session` must wait: a SETUP of the session is still with
    /// the application, or earlier requests for it wait already.
    fn must_wait(&self, conn: ConnectionId, session: SessionId, resumed: bool) -> bool {
        self.pending
            .values()
            .any(|p| p.session == Some(session) && p.method == Method::SETUP)
            || !resumed
                && self
                    .out
                    .conns
                    .get(conn.0)
                    .is_some_and(|c| c.deferred.iter().any(|d| d.session == session))
    }

    /// Parks a request behind its session's pending SETUP, holding its response slot.
    /// Such requests count as pending ([`ServerLimits::max_pending_requests`]).
    ///
    /// [`ServerLimits::max_pending_requests`]: super::ServerLimits::max_pending_requests
    fn defer(
        &mut self,
        conn: ConnectionId,
        session: SessionId,
        req: Request,
        user: Option<String>,
        version: Version,
        cseq: u32,
    ) {
        let max = self.config.limits.max_pending_requests;
        let Some(c) = self.out.conns.get_mut(conn.0) else {
            return;
        };
        if self.reslot.is_none() && c.pending >= max {
            self.error(conn, StatusCode::SERVICE_UNAVAILABLE, version, cseq);
            return;
        }
        let id = RequestId(self.next_request);
        self.next_request += 1;
        // A resumed request keeps its place in the response order (and its count).
        c.claim_slot(self.reslot.take(), id);
        c.deferred.push_back(super::Deferred {
            id,
            session,
            user,
            request: req,
        });
    }

    /// Processes, in order, the requests that waited behind SETUPs now answered. A
    /// request whose SETUP failed finds no session and is answered `454 Session Not
    /// Found` (RFC 7826 §18.33: the session its pipelined id would name was never
    /// established).
    pub(super) fn run_deferred(&mut self, now: Instant, conn: ConnectionId) {
        loop {
            let Some(c) = self.out.conns.get(conn.0) else {
                return;
            };
            let pending = &self.pending;
            let Some(i) = c.deferred.iter().position(|d| {
                !pending
                    .values()
                    .any(|p| p.session == Some(d.session) && p.method == Method::SETUP)
            }) else {
                return;
            };
            // Earlier requests of the same session go first.
            let session = c.deferred.get(i).map(|d| d.session);
            let i = c
                .deferred
                .iter()
                .position(|d| Some(d.session) == session)
                .unwrap_or(i);
            let Some(c) = self.out.conns.get_mut(conn.0) else {
                return;
            };
            let Some(d) = c.deferred.remove(i) else {
                return;
            };
            self.process_request(now, conn, d.request, Some((d.id, d.user)));
        }
    }

    fn new_session(
        &mut self,
        now: Instant,
        conn: ConnectionId,
        user: Option<String>,
        version: Version,
        mode: SetupMode,
    ) -> SessionId {
        let token = loop {
            // Unbiased: bytes of 248 and up (248 = 4 × 62) are drawn again.
            let mut t = String::with_capacity(SESSION_ID_LEN);
            while t.len() < SESSION_ID_LEN {
                let mut raw = [0u8; SESSION_ID_LEN];
                self.config.rng.fill_bytes(&mut raw);
                for b in raw.iter().filter(|b| **b < 248) {
                    if t.len() < SESSION_ID_LEN {
                        if let Some(c) =
                            SESSION_ALPHABET.get(usize::from(*b) % SESSION_ALPHABET.len())
                        {
                            t.push(char::from(*c));
                        }
                    }
                }
            }
            if !self.session_by_token.contains_key(&t) {
                break t;
            }
        };
        let deadline = now + self.config.session_timeout;
        let key = self.sessions.insert(ServerSession {
            token: token.clone(),
            user,
            state: SessionState::Init,
            mode,
            mount: None,
            tracks: Vec::new(),
            version,
            base_url: String::new(),
            conn,
            last_activity: now,
            timer_at: deadline,
            depacketizers: Vec::new(),
            npt_anchor: None,
            scale: 1.0,
        });
        let id = SessionId(key);
        self.session_by_token.insert(token, id);
        self.timers.insert((deadline, Timer::Session(id)));
        id
    }

    fn take_pending(&mut self, id: RequestId, methods: &[Method]) -> Result<Pending, ApiError> {
        let p = self.pending.get(&id).ok_or(ApiError::UnknownRequest(id))?;
        if !methods.contains(&p.method) {
            return Err(ApiError::WrongMethod {
                id,
                method: p.method.clone(),
            });
        }
        self.remove_pending(id)
    }

    fn remove_pending(&mut self, id: RequestId) -> Result<Pending, ApiError> {
        let p = self
            .pending
            .remove(&id)
            .ok_or(ApiError::UnknownRequest(id))?;
        self.timers.remove(&(p.answer_at, Timer::Answer(id)));
        Ok(p)
    }

    /// Answers a request with an error status (404 for an unknown path, 403, 455…). A
    /// SETUP that had created its session leaves no session behind.
    pub fn reject(
        &mut self,
        now: Instant,
        id: RequestId,
        status: StatusCode,
    ) -> Result<(), ApiError> {
        let p = self
            .pending
            .remove(&id)
            .ok_or(ApiError::UnknownRequest(id))?;
        self.timers.remove(&(p.answer_at, Timer::Answer(id)));
        self.forget_new_session(now, &p);
        let resp = self.response(status, p.version, Some(p.cseq)).build();
        self.fill_slot(p.conn, id, &resp);
        if p.method == Method::SETUP {
            self.run_deferred(now, p.conn);
        }
        Ok(())
    }

    fn forget_new_session(&mut self, now: Instant, p: &Pending) {
        if !p.new_session {
            return;
        }
        if let Some(sid) = p.session {
            if self
                .sessions
                .get(sid.0)
                .is_some_and(|s| s.tracks.is_empty())
            {
                self.remove_session(now, sid, super::SessionEndReason::Closed);
            }
        }
    }

    /// Answers a `DESCRIBE` with the presentation description. The server adds
    /// `Content-Type: application/sdp` and `Content-Base` (the request URL with a trailing
    /// slash, against which the SDP's relative `a=control` URLs resolve). For an
    /// on-demand mount ([`Server::set_mount_media`]) whose SDP has no session-level
    /// `a=range`, the server adds one with the presentation's range (RFC 2326 Appendix
    /// C.1.5, RFC 7826 Appendix D.1.7), so that clients see the same media as `SETUP` and
    /// `PLAY` responses describe.
    pub fn respond_describe(
        &mut self,
        _now: Instant,
        id: RequestId,
        sdp: impl Into<Bytes>,
    ) -> Result<(), ApiError> {
        let p = self.take_pending(id, &[Method::DESCRIBE])?;
        let mut sdp: Bytes = sdp.into();
        if let Some(media) = p.mount.and_then(|m| self.mounts.get(m.0)).map(|m| &m.media) {
            if !media.is_live() {
                if let Some(with) = with_session_range(&sdp, &media.presentation_range()) {
                    sdp = with;
                }
            }
        }
        let mut base = p.url.clone();
        if let Some(i) = base.find('?') {
            base.truncate(i);
        }
        if !base.ends_with('/') {
            base.push('/');
        }
        let resp = self
            .response(StatusCode::OK, p.version, Some(p.cseq))
            .typed_header(&ContentType::sdp())
            .typed_header(&ContentBase(base))
            .body(sdp)
            .build();
        self.fill_slot(p.conn, id, &resp);
        Ok(())
    }

    /// Answers a `GET_PARAMETER` or `SET_PARAMETER` with a body (`text/parameters`).
    pub fn respond_parameters(
        &mut self,
        _now: Instant,
        id: RequestId,
        body: impl Into<Bytes>,
    ) -> Result<(), ApiError> {
        let p = self.take_pending(id, &[Method::GET_PARAMETER, Method::SET_PARAMETER])?;
        let body = body.into();
        let mut b = self.response(StatusCode::OK, p.version, Some(p.cseq));
        if let Some(h) = p.session.and_then(|s| self.session_header(s)) {
            b = b.typed_header(&h);
        }
        if !body.is_empty() {
            b = b.header(
                HeaderName::CONTENT_TYPE,
                HeaderValue::from_static("text/parameters"),
            );
        }
        let resp = b.body(body).build();
        self.fill_slot(p.conn, id, &resp);
        Ok(())
    }

    /// Accepts a request with the server's standard answer:
    /// - `ANNOUNCE`: `200 OK`;
    /// - `SETUP`: the track the URL names (see [`Server::accept_setup`]);
    /// - `PLAY`: the session plays (`Range: npt=now-` and `RTP-Info` for every stream);
    /// - `PAUSE`: media stops, the session is Ready;
    /// - `RECORD`: the session records (its RTP arrives as [`ServerEvent::Rtp`]);
    /// - `GET_PARAMETER`/`SET_PARAMETER`: `200 OK` without body.
    ///
    /// `DESCRIBE` needs [`Server::respond_describe`].
    pub fn accept_request(&mut self, now: Instant, id: RequestId) -> Result<(), ApiError> {
        let p = self.pending.get(&id).ok_or(ApiError::UnknownRequest(id))?;
        match p.method {
            Method::SETUP => {
                let (Some(mount), Some(track)) = (p.mount, p.track) else {
                    return Err(ApiError::NoTrack(id));
                };
                self.accept_setup(now, id, mount, track)
            }
            Method::PLAY => self.accept_play(now, id, None, None),
            Method::PAUSE | Method::RECORD => self.accept_pause_record(now, id),
            Method::ANNOUNCE | Method::GET_PARAMETER | Method::SET_PARAMETER => {
                let p = self.take_pending(
                    id,
                    &[
                        Method::ANNOUNCE,
                        Method::GET_PARAMETER,
                        Method::SET_PARAMETER,
                    ],
                )?;
                let mut b = self.response(StatusCode::OK, p.version, Some(p.cseq));
                if let Some(h) = p.session.and_then(|s| self.session_header(s)) {
                    b = b.typed_header(&h);
                }
                self.fill_slot(p.conn, id, &b.build());
                Ok(())
            }
            _ => Err(ApiError::WrongMethod {
                id,
                method: p.method.clone(),
            }),
        }
    }

    /// Accepts a `SETUP` for track `track` of `mount`. The server picks the first
    /// transport the client offered that it can serve: TCP interleaved (on the channels
    /// asked for, or the next free pair), UDP unicast (when
    /// [`ServerConfig::udp_ports`](super::ServerConfig::udp_ports) is set; media goes to
    /// the connection's peer address, whatever `destination` says), or multicast (when
    /// [`ServerConfig::multicast`](super::ServerConfig::multicast) is set, play only).
    /// When none fits, the client gets `461 Unsupported Transport` (and this returns
    /// `Ok`).
    pub fn accept_setup(
        &mut self,
        now: Instant,
        id: RequestId,
        mount: MountId,
        track: TrackId,
    ) -> Result<(), ApiError> {
        let conn = self.pending.get(&id).map(|p| p.conn);
        let result = self.accept_setup_inner(now, id, mount, track);
        if let (Ok(()), Some(conn)) = (&result, conn) {
            self.run_deferred(now, conn);
        }
        result
    }

    fn accept_setup_inner(
        &mut self,
        now: Instant,
        id: RequestId,
        mount: MountId,
        track: TrackId,
    ) -> Result<(), ApiError> {
        super::media::track_mut(&mut self.mounts, mount, track)?;
        let p = self.take_pending(id, &[Method::SETUP])?;
        let Some(sid) = p.session.filter(|s| self.sessions.get(s.0).is_some()) else {
            // The session ended while the application was deciding.
            let resp = self
                .response(StatusCode::SESSION_NOT_FOUND, p.version, Some(p.cseq))
                .build();
            self.fill_slot(p.conn, id, &resp);
            return Ok(());
        };
        // One session, one mount: the application may answer a SETUP with a mount other
        // than the one the session already streams from (pipelined SETUPs decided later,
        // a mount created meanwhile); that is an aggregate across presentations.
        if self
            .sessions
            .get(sid.0)
            .and_then(|s| s.mount)
            .is_some_and(|m| m != mount)
        {
            let resp = self
                .response(
                    StatusCode::AGGREGATE_OPERATION_NOT_ALLOWED,
                    p.version,
                    Some(p.cseq),
                )
                .build();
            self.fill_slot(p.conn, id, &resp);
            return Ok(());
        }
        let offered = p.transport.clone().unwrap_or_default();
        let Some((transport, reply)) = self.negotiate(&p, sid, mount, track, &offered) else {
            self.forget_new_session(now, &p);
            let resp = self
                .response(StatusCode::UNSUPPORTED_TRANSPORT, p.version, Some(p.cseq))
                .build();
            self.fill_slot(p.conn, id, &resp);
            return Ok(());
        };
        // Register the stream.
        match transport {
            StreamTransport::Interleaved { conn, rtp, rtcp } => {
                if let Some(c) = self.out.conns.get_mut(conn.0) {
                    c.channels
                        .retain(|u| !(u.session == sid && u.track == track));
                    for (channel, is_rtcp) in [(rtp, false), (rtcp, true)] {
                        c.channels.push(ChannelUse {
                            channel,
                            session: sid,
                            track,
                            rtcp: is_rtcp,
                        });
                    }
                }
            }
            StreamTransport::Udp { rtp, rtcp } => {
                self.udp_sources
                    .insert((MediaSocket::Rtp, rtp), (sid, track));
                self.udp_sources
                    .insert((MediaSocket::Rtcp, rtcp), (sid, track));
            }
            StreamTransport::Multicast => {}
        }
        let control_len = m_control_len(self, mount, track);
        // A stream set up again replaces its earlier transport.
        let old = self
            .sessions
            .get(sid.0)
            .and_then(|s| s.tracks.iter().find(|t| t.track == track))
            .map(|t| t.transport);
        match old {
            Some(StreamTransport::Udp { rtp, rtcp }) if old != Some(transport) => {
                self.udp_sources.remove(&(MediaSocket::Rtp, rtp));
                self.udp_sources.remove(&(MediaSocket::Rtcp, rtcp));
            }
            Some(StreamTransport::Interleaved { conn, .. }) => {
                let same_conn =
                    matches!(transport, StreamTransport::Interleaved { conn: c, .. } if c == conn);
                if let (false, Some(c)) = (same_conn, self.out.conns.get_mut(conn.0)) {
                    c.channels
                        .retain(|u| !(u.session == sid && u.track == track));
                }
            }
            _ => {}
        }
        if let Some(s) = self.sessions.get_mut(sid.0) {
            // A stream set up again: the old transport's sink goes with it.
            if let Some(i) = s.tracks.iter().position(|t| t.track == track) {
                let mut old = s.tracks.remove(i);
                if let Some(m) = s.mount.and_then(|m| self.mounts.get_mut(m.0)) {
                    super::detach_sinks(m, sid, std::slice::from_mut(&mut old));
                }
            }
            s.tracks.push(SessionTrack {
                track,
                url: p.url.clone(),
                transport,
                attached: false,
            });
            s.mount = Some(mount);
            s.mode = p.mode;
            s.last_activity = now;
            if s.state == SessionState::Init {
                s.state = SessionState::Ready;
            }
            if s.base_url.is_empty() {
                let url = p.url.trim_end_matches('/');
                let base = if control_len > 0 && url.len() > control_len {
                    url.get(..url.len() - control_len)
                        .unwrap_or(url)
                        .trim_end_matches('/')
                } else {
                    url
                };
                s.base_url = base.to_owned();
            }
        }
        if let Some(m) = self.mounts.get_mut(mount.0) {
            if !m.sessions.contains(&sid) {
                m.sessions.push(sid);
            }
        }
        let mut b = self
            .response(StatusCode::OK, p.version, Some(p.cseq))
            .typed_header(&Transport(vec![reply]));
        if let Some(h) = self.session_header(sid) {
            b = b.typed_header(&h);
        }
        if p.version == Version::V2_0 {
            if let Some(pl) = p.pipelined {
                b = b.typed_header(&PipelinedRequests(pl));
            }
            let props = self
                .mounts
                .get(mount.0)
                .map(|m| m.media.media_properties())
                .unwrap_or_else(|| super::MountMedia::live().media_properties());
            b = b
                .typed_header(&props)
                .typed_header(&AcceptRanges(vec![RangeUnit::Npt]));
        }
        self.fill_slot(p.conn, id, &b.build());
        Ok(())
    }

    /// Picks a transport; returns it with the `Transport` reply.
    fn negotiate(
        &mut self,
        p: &Pending,
        sid: SessionId,
        mount: MountId,
        track: TrackId,
        offered: &Transport,
    ) -> Option<(StreamTransport, TransportSpec)> {
        let c = self.out.conns.get(p.conn.0)?;
        let (peer, local) = (c.peer, c.local);
        let ssrc = self.mounts.get(mount.0)?.tracks.get(track.0)?.ssrc;
        for spec in &offered.0 {
            let TransportId::Rtp { profile, lower } = &spec.id else {
                continue;
            };
            if *profile != Profile::Avp {
                continue;
            }
            let mode = if p.mode == SetupMode::Record {
                crate::header::Mode::Record
            } else {
                crate::header::Mode::Play
            };
            let mut reply = TransportSpec::new(spec.id.clone());
            reply.mode = vec![mode];
            if p.mode == SetupMode::Play {
                reply.ssrc = vec![ssrc];
            }
            match lower {
                Some(LowerTransport::Tcp) => {
                    let c = self.out.conns.get(p.conn.0)?;
                    let in_use = |ch: u8| {
                        c.channels
                            .iter()
                            .any(|u| u.channel == ch && !(u.session == sid && u.track == track))
                    };
                    let wanted = spec.interleaved.filter(|r| {
                        let rtcp = r.rtcp();
                        !in_use(r.rtp()) && rtcp.is_some_and(|x| !in_use(x))
                    });
                    let channels = match wanted {
                        Some(r) => (r.rtp(), r.rtcp().unwrap_or(r.rtp())),
                        None => {
                            let start = (0..=254u8)
                                .step_by(2)
                                .find(|&ch| !in_use(ch) && !in_use(ch + 1))?;
                            (start, start + 1)
                        }
                    };
                    reply.delivery = Some(Delivery::Unicast);
                    reply.interleaved = Some(ChannelRange {
                        start: channels.0,
                        end: Some(channels.1),
                    });
                    return Some((
                        StreamTransport::Interleaved {
                            conn: p.conn,
                            rtp: channels.0,
                            rtcp: channels.1,
                        },
                        reply,
                    ));
                }
                Some(LowerTransport::Other(_)) => continue,
                _ => {}
            }
            if spec.is_multicast() {
                let Some(mc) = self.config.multicast else {
                    continue;
                };
                if p.mode != SetupMode::Play {
                    continue;
                }
                let group = self.multicast_group(mount)?;
                let port = mc.port_base.checked_add(u16::try_from(track.0 * 2).ok()?)?;
                reply.delivery = Some(Delivery::Multicast);
                reply.destination = Some(group.to_string());
                reply.port = Some(PortRange {
                    start: port,
                    end: Some(port.checked_add(1)?),
                });
                reply.ttl = Some(mc.ttl);
                return Some((StreamTransport::Multicast, reply));
            }
            let Some(ports) = self.config.udp_ports else {
                continue;
            };
            // Client ports: RTSP 1.0 `client_port`, or RTSP 2.0 `dest_addr`.
            let (client, two) = if let Some(cp) = spec.client_port {
                let rtcp = cp.end.unwrap_or(cp.start.saturating_add(1));
                ((cp.start, rtcp), false)
            } else if let Some(first) = spec.dest_addr.first() {
                let port_of = |s: &str| s.rsplit_once(':').and_then(|(_, p)| p.parse::<u16>().ok());
                let rtp = port_of(first)?;
                let rtcp = spec
                    .dest_addr
                    .get(1)
                    .and_then(|s| port_of(s))
                    .unwrap_or(rtp.saturating_add(1));
                ((rtp, rtcp), true)
            } else {
                continue;
            };
            let ip: IpAddr = peer.ip();
            let rtp = SocketAddr::new(ip, client.0);
            let rtcp = SocketAddr::new(ip, client.1);
            reply.delivery = Some(Delivery::Unicast);
            if two {
                reply.dest_addr = vec![format!(":{}", client.0), format!(":{}", client.1)];
                reply.src_addr = vec![
                    SocketAddr::new(local.ip(), ports.rtp).to_string(),
                    SocketAddr::new(local.ip(), ports.rtcp).to_string(),
                ];
            } else {
                reply.client_port = Some(PortRange {
                    start: client.0,
                    end: Some(client.1),
                });
                reply.server_port = Some(PortRange {
                    start: ports.rtp,
                    end: Some(ports.rtcp),
                });
            }
            return Some((StreamTransport::Udp { rtp, rtcp }, reply));
        }
        None
    }

    pub(super) fn multicast_group(&mut self, mount: MountId) -> Option<std::net::Ipv4Addr> {
        let mc = self.config.multicast?;
        let m = self.mounts.get_mut(mount.0)?;
        if let Some(g) = m.multicast_group {
            return Some(g);
        }
        let n = self.next_group % mc.groups.max(1);
        self.next_group = self.next_group.wrapping_add(1);
        let g = std::net::Ipv4Addr::from(u32::from(mc.group_base).wrapping_add(n));
        m.multicast_group = Some(g);
        Some(g)
    }

    /// Answers a `PLAY` with the range that will actually play ([RFC 2326 §12.29],
    /// [RFC 7826 §18.40]): for on-demand media, where playback starts (a seek may start
    /// earlier than asked, at a random access point) and ends. Live mounts always answer
    /// `npt=now-` ([`MountMedia::live`](super::MountMedia::live)), whatever `range`
    /// says. Otherwise like [`Server::accept_request`].
    ///
    /// [RFC 2326 §12.29]: https://www.rfc-editor.org/rfc/rfc2326#section-12.29
    /// [RFC 7826 §18.40]: https://www.rfc-editor.org/rfc/rfc7826#section-18.40
    pub fn respond_play(
        &mut self,
        now: Instant,
        id: RequestId,
        range: Range,
    ) -> Result<(), ApiError> {
        self.accept_play(now, id, Some(range), None)
    }

    /// [`Self::respond_play`] for on-demand media the application plays at `scale`
    /// (RFC 2326 §12.34, RFC 7826 §18.46; usually the one the request asked for,
    /// [`RequestKind::Play`]'s `scale`): the response says `Scale: <scale>`, and the
    /// session's position (a later `PAUSE`'s pause point, a `PLAY` without `Range`)
    /// moves `scale` seconds per second, backwards when negative, never before 0 nor
    /// past the end of media of known length.
    /// `range` `None` continues from the current position. Live mounts play at 1 and
    /// say so, whatever `scale` is.
    ///
    /// An [`ApiError::InvalidScale`] for a zero or non-finite `scale`; the request is
    /// still waiting for an answer then.
    pub fn respond_play_scaled(
        &mut self,
        now: Instant,
        id: RequestId,
        range: Option<Range>,
        scale: f64,
    ) -> Result<(), ApiError> {
        if !scale.is_finite() || scale == 0.0 {
            return Err(ApiError::InvalidScale);
        }
        self.accept_play(now, id, range, Some(scale))
    }

    fn accept_play(
        &mut self,
        now: Instant,
        id: RequestId,
        answer: Option<Range>,
        scale: Option<f64>,
    ) -> Result<(), ApiError> {
        let p = self.take_pending(id, &[Method::PLAY])?;
        let Some(sid) = p.session.filter(|s| self.sessions.get(s.0).is_some()) else {
            let resp = self
                .response(StatusCode::SESSION_NOT_FOUND, p.version, Some(p.cseq))
                .build();
            self.fill_slot(p.conn, id, &resp);
            return Ok(());
        };
        let media = self.session_media(sid).cloned().unwrap_or_default();
        // The scale media plays at: what the application said for on-demand media, else 1.
        let scale = scale.filter(|_| !media.is_live()).unwrap_or(1.0);
        let range = self.play_range(now, sid, &media, answer, p.range.clone(), scale);
        let ntp = self.ntp(now);
        let form = match (p.version, self.config.rtsp2_rtp_info) {
            (Version::V2_0, Rtsp2RtpInfoPolicy::Rfc7826Form) => RtpInfoForm::Rfc7826,
            _ => RtpInfoForm::Rfc2326,
        };
        let mut rtp_info = RtpInfo {
            entries: Vec::new(),
            form,
        };
        let mut rtcp_start = Vec::new();
        let mut early_rtcp = Vec::new();
        if let Some(s) = self.sessions.get_mut(sid.0) {
            s.state = SessionState::Playing;
            s.last_activity = now;
            if let Some(m) = s
                .mount
                .and_then(|m| self.mounts.get_mut(m.0).map(|x| (m, x)))
            {
                let (mount_id, m) = m;
                for t in &mut s.tracks {
                    let Some(track) = m.tracks.get_mut(t.track.0) else {
                        continue;
                    };
                    let rtptime = if track.stats.has_sent() {
                        track.stats.sender_info(now, ntp).rtp_timestamp
                    } else {
                        track.ts_offset
                    };
                    let mut e = RtpInfoEntry::new(t.url.clone());
                    e.seq = Some(track.seq);
                    e.rtptime = Some(rtptime);
                    if form == RtpInfoForm::Rfc7826 {
                        e.ssrc = Some(track.ssrc);
                    }
                    rtp_info.entries.push(e);
                    // Streams not yet attached: all at the first PLAY, one set up while
                    // playing at the next.
                    if !t.attached {
                        t.attached = true;
                        match t.transport {
                            StreamTransport::Interleaved { conn, rtp, rtcp } => {
                                track.sinks.push(Sink {
                                    session: sid,
                                    kind: SinkKind::Interleaved { conn, rtp, rtcp },
                                })
                            }
                            StreamTransport::Udp { rtp, rtcp } => track.sinks.push(Sink {
                                session: sid,
                                kind: SinkKind::Udp { rtp, rtcp },
                            }),
                            StreamTransport::Multicast => track.multicast_members += 1,
                        }
                        if track.stats.has_sent() {
                            // Media flows already (a relayed or live mount): the new player
                            // gets a sender report at once rather than at the mount's next
                            // one, up to an interval away. Players such as ffmpeg put a
                            // stream on the shared NTP time line only after its first SR,
                            // so streams whose SRs came seconds apart drifted apart.
                            early_rtcp.push((mount_id, t.track.0));
                        } else if track.rtcp_due.is_none() {
                            rtcp_start.push((mount_id, t.track.0));
                        }
                    }
                }
            }
        }
        for (mount, track) in rtcp_start {
            self.schedule_rtcp(now, mount, track);
        }
        for (mount, track) in early_rtcp {
            self.rtcp_soon(now, mount, track);
        }
        let mut b = self
            .response(StatusCode::OK, p.version, Some(p.cseq))
            .typed_header(&range);
        if !rtp_info.entries.is_empty() {
            b = b.typed_header(&rtp_info);
        }
        if let Some(h) = self.session_header(sid) {
            b = b.typed_header(&h);
        }
        // The scale in use, when the request asked for one or it is not 1 (RFC 2326
        // §12.34: the response carries the scale chosen).
        if p.scale.is_some() || scale != 1.0 {
            b = b.typed_header(&Scale(scale));
        }
        if p.version == Version::V2_0 {
            // RFC 7826 §13.4: the seek policy used (the requested one when given,
            // §18.47) and the media's properties.
            let style = p.seek_style.unwrap_or_else(|| media.seek_style().clone());
            b = b
                .typed_header(&style)
                .typed_header(&media.media_properties());
        }
        self.fill_slot(p.conn, id, &b.build());
        Ok(())
    }

    /// What the media of the mount `sid` plays from allows.
    fn session_media(&self, sid: SessionId) -> Option<&super::MountMedia> {
        let mount = self.sessions.get(sid.0)?.mount?;
        self.mounts.get(mount.0).map(|m| &m.media)
    }

    /// The `Range` a `PLAY` response states, and the session's new play position.
    fn play_range(
        &mut self,
        now: Instant,
        sid: SessionId,
        media: &super::MountMedia,
        answer: Option<Range>,
        requested: Option<Range>,
        scale: f64,
    ) -> Range {
        let Some(s) = self.sessions.get_mut(sid.0) else {
            return Range::npt_now();
        };
        if media.is_live() {
            s.npt_anchor = None;
            s.scale = 1.0;
            return Range::npt_now();
        }
        // Never past the end of media of known length (a fast scale runs out).
        let position = s
            .position(now)
            .unwrap_or(Duration::ZERO)
            .min(media.duration().unwrap_or(Duration::MAX));
        s.scale = scale;
        let range = match answer.or(requested) {
            // An open or `now` start continues from the current position.
            Some(mut r) => {
                if let Some(RangeSpec::Npt(t)) = r.ranges.first_mut() {
                    if matches!(t.start, None | Some(NptTime::Now)) {
                        t.start = Some(NptTime::Time(position));
                    }
                }
                r
            }
            None => Range::new(RangeSpec::Npt(TimeRange::new(
                Some(NptTime::Time(position)),
                media.duration().map(NptTime::Time),
            ))),
        };
        s.npt_anchor = match range.first() {
            Some(RangeSpec::Npt(TimeRange {
                start: Some(NptTime::Time(t)),
                ..
            })) => Some((*t, Some(now))),
            _ => None,
        };
        range
    }

    fn accept_pause_record(&mut self, now: Instant, id: RequestId) -> Result<(), ApiError> {
        let p = self.take_pending(id, &[Method::PAUSE, Method::RECORD])?;
        let mut pause_point = None;
        let Some(sid) = p.session.filter(|s| self.sessions.get(s.0).is_some()) else {
            let resp = self
                .response(StatusCode::SESSION_NOT_FOUND, p.version, Some(p.cseq))
                .build();
            self.fill_slot(p.conn, id, &resp);
            return Ok(());
        };
        let end = self
            .session_media(sid)
            .and_then(super::MountMedia::duration)
            .unwrap_or(Duration::MAX);
        if let Some(s) = self.sessions.get_mut(sid.0) {
            s.last_activity = now;
            if p.method == Method::PAUSE {
                if let (Some((_, Some(_))), Some(at)) = (s.npt_anchor, s.position(now)) {
                    let at = at.min(end);
                    s.npt_anchor = Some((at, None));
                    pause_point = Some(at);
                }
                if s.state != SessionState::Init {
                    s.state = SessionState::Ready;
                }
            } else {
                s.state = SessionState::Recording;
            }
            // Neither a paused nor a recording session receives media.
            if let Some(m) = s.mount.and_then(|m| self.mounts.get_mut(m.0)) {
                super::detach_sinks(m, sid, &mut s.tracks);
            }
        }
        let mut b = self.response(StatusCode::OK, p.version, Some(p.cseq));
        if let Some(h) = self.session_header(sid) {
            b = b.typed_header(&h);
        }
        // On-demand media: the pause point, where a PLAY without Range resumes (RFC 7826
        // §13.6).
        if let Some(at) = pause_point {
            b = b.typed_header(&Range::npt_from(at));
        }
        self.fill_slot(p.conn, id, &b.build());
        Ok(())
    }
}

/// The SDP with a session-level `a=range` line after its `t=` line, unless it has one
/// (or is not text, or has no `t=` line).
fn with_session_range(sdp: &[u8], range: &Range) -> Option<Bytes> {
    use crate::header::TypedHeader as _;
    let text = std::str::from_utf8(sdp).ok()?;
    let session_part = text.split("\nm=").next().unwrap_or(text);
    if session_part.lines().any(|l| l.starts_with("a=range:")) {
        return None;
    }
    let t = text
        .find("\nt=")
        .map(|i| i + 1)
        .or_else(|| text.starts_with("t=").then_some(0))?;
    let eol = text.get(t..)?.find('\n').map_or(text.len(), |i| t + i + 1);
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut out = String::with_capacity(text.len() + 32);
    out.push_str(text.get(..eol)?);
    if !out.ends_with('\n') {
        out.push_str(nl);
    }
    out.push_str("a=range:");
    out.push_str(&range.to_value_string());
    out.push_str(nl);
    out.push_str(text.get(eol..)?);
    Some(Bytes::from(out))
}

/// Whether a range starts at the beginning of the presentation (or names no start).
fn starts_at_zero(r: &Range) -> bool {
    match r.first() {
        Some(RangeSpec::Npt(t)) => match t.start {
            Some(NptTime::Time(d)) => d.is_zero(),
            _ => true,
        },
        _ => true,
    }
}

/// Length of a track's control string (to strip it from a SETUP URL for the base URL).
fn m_control_len(server: &Server, mount: MountId, track: TrackId) -> usize {
    server
        .mounts
        .get(mount.0)
        .and_then(|m| m.tracks.get(track.0))
        .map_or(0, |t| t.config.control.trim_end_matches('/').len())
}

#[cfg(test)]
mod tests {
    use super::url_path;

    #[test]
    fn paths() {
        assert_eq!(url_path("rtsp://h:554/test"), "/test");
        assert_eq!(url_path("rtsp://h:554/test/"), "/test");
        assert_eq!(url_path("rtsp://h/test/trackID=0?x=1"), "/test/trackID=0");
        assert_eq!(url_path("rtsp://h"), "/");
        assert_eq!(url_path("*"), "*");
        assert_eq!(url_path("/a/b"), "/a/b");
    }
}
