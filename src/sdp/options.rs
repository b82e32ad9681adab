//! Limits and device-quirk policies of the SDP layer.

/// Bounds on what a peer's session description can make the parser hold.
///
/// ```
/// let mut limits = rtsp_proto::sdp::Limits::default();
/// limits.max_media = 4;
/// assert_eq!(limits.max_fmtp_params, 64);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Longest body, in bytes. Default 64 KiB (the RTSP message layer bounds bodies too).
    pub max_len: usize,
    /// Most media descriptions kept; later ones are skipped with a
    /// [`Diagnostic`](super::Diagnostic). Default 16, the crate's streams-per-session
    /// bound.
    pub max_media: usize,
    /// Most fmtp parameters kept per payload type; later ones are dropped with a
    /// diagnostic. Default 64.
    pub max_fmtp_params: usize,
    /// Most lines the repair pass may drop or rewrite before giving up with
    /// [`SdpError::TooManyRepairs`](super::SdpError::TooManyRepairs). Each repair parses
    /// the body again, so this also bounds the work done on garbage. Default 32.
    pub max_repairs: usize,
    /// Most diagnostics kept; later ones are not recorded. Default 64.
    pub max_diagnostics: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_len: 64 * 1024,
            max_media: 16,
            max_fmtp_params: 64,
            max_repairs: 32,
            max_diagnostics: 64,
        }
    }
}

/// How a relative `a=control` URL is joined to the base URL.
///
/// Background: RFC 2326 C.1.1 and RFC 7826 D.1.1 say a relative control URL is resolved
/// against the base URL "as defined in RFC 1808/3986", which drops the base's last path
/// segment and its query. Servers are tested against live555-based clients (VLC, ffmpeg
/// follows the same rule) which instead append the control to the base with a `/`, and
/// devices rely on it: VStarcam sends `Content-Base: rtsp://h/tcp/av0_0` with
/// `a=control:track0` and wants `rtsp://h/tcp/av0_0/track0` (retina issues 9 and 12), and
/// Dahua NVRs want `trackID=0` appended after the query string (gortsplib issue 122).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ControlJoinPolicy {
    /// live555's rule, see [`join_control`](super::join_control) (the default).
    #[default]
    Live555,
    /// RFC 3986 §5.2 reference resolution, as the RFCs literally say.
    Rfc3986,
}

/// What to do with a media description the crate cannot use (its `m=` line is
/// unparseable or lists no valid RTP payload type).
///
/// Background: the TP-Link TL-IPC44AW (and Mercury cameras, its OEM twin) add a media
/// description `m=application/TP-LINK 0 RTP/AVP smart/1/90000` next to the real video and
/// audio (retina 0.4.2, gortsplib issue 271); failing the whole DESCRIBE for it makes the
/// camera unusable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum BadMediaPolicy {
    /// Skip that media description and record a diagnostic (the default).
    #[default]
    Skip,
    /// Fail the whole description with [`SdpError::Syntax`](super::SdpError::Syntax).
    Fail,
}

/// What to do when `sdp-types` rejects a line of the body as received.
///
/// Background: cameras send session descriptions that break RFC 8866 in many small ways:
/// no `v=` (gortsplib issue 448), `o=- 1001 1 IN ` with missing fields (Uniview IPC2125LE),
/// `IP` for `IN` (Verint), bare `c=IN` (GeoVision "VCP IPC Realtime stream"), `t=now-`
/// (FLIR), bare LF line ends and trailing spaces. None of these lines matter to an RTSP
/// client, so by default they are repaired or dropped, each with a diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RepairPolicy {
    /// Normalise the text and drop (or minimally rewrite) each line `sdp-types` rejects,
    /// then parse again (the default).
    #[default]
    Repair,
    /// Fail on the first line `sdp-types` rejects.
    Strict,
}

/// How [`Presentation`](super::Presentation) reads a description: limits and policies.
///
/// ```
/// use rtsp_proto::sdp::{BadMediaPolicy, ParseOptions};
/// let mut opts = ParseOptions::default();
/// opts.bad_media = BadMediaPolicy::Fail;
/// opts.limits.max_media = 8;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ParseOptions {
    /// Size and count bounds.
    pub limits: Limits,
    /// How relative control URLs are joined.
    pub control_join: ControlJoinPolicy,
    /// What to do with unusable media descriptions.
    pub bad_media: BadMediaPolicy,
    /// What to do with lines `sdp-types` rejects.
    pub repair: RepairPolicy,
}
