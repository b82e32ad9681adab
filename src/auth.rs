//! Authentication: Basic ([RFC 7617]) and Digest ([RFC 7616], and the MD5 Digest of
//! [RFC 2617] that cameras use), for both sides of a connection.
//!
//! - A client keeps a [`ClientAuthenticator`]: give it the challenges of a `401`
//!   ([`ClientAuthenticator::handle_unauthorized`]) and ask it for the `Authorization`
//!   header of each request ([`ClientAuthenticator::authorization`]). It picks the
//!   strongest challenge offered (Digest SHA-256, then Digest MD5, then Basic), counts
//!   `nc`, draws `cnonce` from the caller's RNG, follows `stale=true`, and refuses to
//!   retry a nonce that has already failed (a wrong password).
//! - A server keeps a [`ServerAuthenticator`]: it issues challenges whose nonces carry
//!   their own issue time and a keyed hash (no per-nonce memory, so no unbounded state),
//!   verifies `Authorization` headers with constant-time comparisons, and reports an
//!   expired nonce as stale so the client retries without asking its user.
//!
//! Passwords never appear in `Debug` output.
//!
//! [RFC 7617]: https://www.rfc-editor.org/rfc/rfc7617
//! [RFC 7616]: https://www.rfc-editor.org/rfc/rfc7616
//! [RFC 2617]: https://www.rfc-editor.org/rfc/rfc2617

use crate::header::{AuthScheme, Authorization, Challenge, Credentials, WwwAuthenticate};
use crate::message::Method;
use base64::Engine as _;
use md5::Md5;
use rand::RngCore;
use sha2::{Digest as _, Sha256};
use std::fmt::{self, Write as _};
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;

/// A user name and password. `Debug` shows the user name only.
#[derive(Clone, PartialEq, Eq)]
pub struct UserCredentials {
    /// The user name.
    pub username: String,
    password: String,
}

impl UserCredentials {
    /// Credentials from a user name and password.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> UserCredentials {
        UserCredentials {
            username: username.into(),
            password: password.into(),
        }
    }

    /// The password.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// Credentials from the userinfo of an `rtsp://user:pass@host/...` URL, with
    /// percent-escapes decoded. `None` when the URL has no user name.
    ///
    /// ```
    /// use rtsp_proto::auth::UserCredentials;
    /// let c = UserCredentials::from_url("rtsp://admin:p%40ss@192.0.2.1:554/live").unwrap();
    /// assert_eq!((c.username.as_str(), c.password()), ("admin", "p@ss"));
    /// ```
    pub fn from_url(url: &str) -> Option<UserCredentials> {
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        let authority = rest.split(['/', '?', '#']).next()?;
        let (userinfo, _) = authority.rsplit_once('@')?;
        let (user, pass) = userinfo.split_once(':').unwrap_or((userinfo, ""));
        if user.is_empty() {
            return None;
        }
        Some(UserCredentials::new(
            percent_decode(user),
            percent_decode(pass),
        ))
    }
}

impl fmt::Debug for UserCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserCredentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A Digest hash algorithm ([RFC 7616 §3.3]).
///
/// [RFC 7616 §3.3]: https://www.rfc-editor.org/rfc/rfc7616#section-3.3
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum DigestAlgorithm {
    /// `MD5` (also assumed when the challenge names no algorithm).
    Md5,
    /// `MD5-sess`.
    Md5Sess,
    /// `SHA-256`.
    Sha256,
    /// `SHA-256-sess`.
    Sha256Sess,
}

impl DigestAlgorithm {
    /// Parses an `algorithm` value (case-insensitive); `None` for unsupported ones.
    pub fn parse(s: &str) -> Option<DigestAlgorithm> {
        [
            DigestAlgorithm::Md5,
            DigestAlgorithm::Md5Sess,
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha256Sess,
        ]
        .into_iter()
        .find(|a| a.as_str().eq_ignore_ascii_case(s))
    }

    /// The name as written in the `algorithm` parameter.
    pub fn as_str(self) -> &'static str {
        match self {
            DigestAlgorithm::Md5 => "MD5",
            DigestAlgorithm::Md5Sess => "MD5-sess",
            DigestAlgorithm::Sha256 => "SHA-256",
            DigestAlgorithm::Sha256Sess => "SHA-256-sess",
        }
    }

    fn is_sess(self) -> bool {
        matches!(self, DigestAlgorithm::Md5Sess | DigestAlgorithm::Sha256Sess)
    }

    /// Strength order used to pick among several challenges.
    fn strength(self) -> u8 {
        match self {
            DigestAlgorithm::Md5 | DigestAlgorithm::Md5Sess => 1,
            DigestAlgorithm::Sha256 | DigestAlgorithm::Sha256Sess => 2,
        }
    }

    /// Lower-case hex of the hash of the concatenation of `parts`.
    fn hex(self, parts: &[&str]) -> String {
        match self {
            DigestAlgorithm::Md5 | DigestAlgorithm::Md5Sess => {
                let mut h = Md5::new();
                for p in parts {
                    h.update(p.as_bytes());
                }
                to_hex(&h.finalize())
            }
            DigestAlgorithm::Sha256 | DigestAlgorithm::Sha256Sess => {
                let mut h = Sha256::new();
                for p in parts {
                    h.update(p.as_bytes());
                }
                to_hex(&h.finalize())
            }
        }
    }
}

fn to_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The inputs of one Digest computation ([RFC 7616 §3.4.1]).
///
/// [RFC 7616 §3.4.1]: https://www.rfc-editor.org/rfc/rfc7616#section-3.4.1
///
/// `Debug` redacts the password.
#[derive(Clone, Copy)]
pub struct DigestInput<'a> {
    /// The algorithm.
    pub algorithm: DigestAlgorithm,
    /// The user name.
    pub username: &'a str,
    /// The realm.
    pub realm: &'a str,
    /// The password.
    pub password: &'a str,
    /// The request method.
    pub method: &'a str,
    /// The `uri` parameter (the request target as the client wrote it).
    pub uri: &'a str,
    /// The server nonce.
    pub nonce: &'a str,
    /// With `qop=auth`: the nonce count (8 hex digits) and the client nonce.
    pub qop_auth: Option<(&'a str, &'a str)>,
}

impl fmt::Debug for DigestInput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigestInput")
            .field("algorithm", &self.algorithm)
            .field("username", &self.username)
            .field("realm", &self.realm)
            .field("password", &"<redacted>")
            .field("method", &self.method)
            .field("uri", &self.uri)
            .field("nonce", &self.nonce)
            .field("qop_auth", &self.qop_auth)
            .finish()
    }
}

/// Computes the Digest `response` value ([RFC 7616 §3.4.1], [RFC 2617 §3.2.2.1]): without
/// `qop`, `H(HA1:nonce:HA2)`; with `qop=auth`, `H(HA1:nonce:nc:cnonce:auth:HA2)`, where
/// `HA1 = H(user:realm:password)` (for `-sess`, `H(H(user:realm:password):nonce:cnonce)`)
/// and `HA2 = H(method:uri)`.
///
/// ```
/// use rtsp_proto::auth::{digest_response, DigestAlgorithm, DigestInput};
/// // RFC 2617 §3.5.
/// let r = digest_response(&DigestInput {
///     algorithm: DigestAlgorithm::Md5,
///     username: "Mufasa",
///     realm: "testrealm@host.com",
///     password: "Circle Of Life",
///     method: "GET",
///     uri: "/dir/index.html",
///     nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
///     qop_auth: Some(("00000001", "0a4f113b")),
/// });
/// assert_eq!(r, "6629fae49393a05397450978507c4ef1");
/// ```
///
/// [RFC 7616 §3.4.1]: https://www.rfc-editor.org/rfc/rfc7616#section-3.4.1
/// [RFC 2617 §3.2.2.1]: https://www.rfc-editor.org/rfc/rfc2617#section-3.2.2.1
pub fn digest_response(input: &DigestInput<'_>) -> String {
    let alg = input.algorithm;
    let mut ha1 = alg.hex(&[input.username, ":", input.realm, ":", input.password]);
    if alg.is_sess() {
        let cnonce = input.qop_auth.map_or("", |(_, c)| c);
        ha1 = alg.hex(&[&ha1, ":", input.nonce, ":", cnonce]);
    }
    let ha2 = alg.hex(&[input.method, ":", input.uri]);
    match input.qop_auth {
        Some((nc, cnonce)) => {
            alg.hex(&[&ha1, ":", input.nonce, ":", nc, ":", cnonce, ":auth:", &ha2])
        }
        None => alg.hex(&[&ha1, ":", input.nonce, ":", &ha2]),
    }
}

/// Why authentication cannot proceed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The server offered no challenge this crate can answer.
    #[error("no supported authentication challenge offered")]
    NoSupportedChallenge,
    /// The server rejected credentials for the same challenge again: the user name or
    /// password is wrong.
    #[error("credentials rejected")]
    Rejected,
    /// A `401` arrived but no credentials are configured.
    #[error("authentication required but no credentials configured")]
    NoCredentials,
}

#[derive(Debug, Clone)]
enum Chosen {
    Basic,
    Digest {
        algorithm: DigestAlgorithm,
        realm: String,
        nonce: String,
        opaque: Option<String>,
        qop_auth: bool,
        nc: u32,
    },
}

/// The client side of authentication for one connection (or one session).
///
/// ```
/// use rtsp_proto::auth::{ClientAuthenticator, UserCredentials};
/// use rtsp_proto::header::{TypedHeader, WwwAuthenticate};
/// use rtsp_proto::Method;
/// use rand::{rngs::StdRng, SeedableRng};
///
/// let mut auth = ClientAuthenticator::new(Some(UserCredentials::new("user", "pass")));
/// // The 401 that gst-rtsp-server sends (tests/data/sessions/ffmpeg_tcp__gst_secure_digest).
/// let challenges = WwwAuthenticate::parse(concat!(
///     r#"Basic realm="GStreamer RTSP Server", "#,
///     r#"Digest realm="GStreamer RTSP Server", nonce="ff00ad7dbf07a37a""#,
/// )).unwrap();
/// assert!(auth.handle_unauthorized(&challenges).unwrap()); // retry the request
/// let mut rng = StdRng::seed_from_u64(1);
/// let h = auth.authorization(&Method::DESCRIBE, "rtsp://127.0.0.1:8554/secure", &mut rng).unwrap();
/// // The same response ffmpeg computed for user/pass.
/// assert_eq!(h.0.param("response"), Some("94a054c1c233367e9b1bcdbcbb2623a0"));
/// ```
#[derive(Debug, Clone)]
pub struct ClientAuthenticator {
    creds: Option<UserCredentials>,
    chosen: Option<Chosen>,
    /// Set after credentials were sent for the current challenge; a second `401` for the
    /// same nonce means they were wrong.
    tried: bool,
}

impl ClientAuthenticator {
    /// An authenticator with optional credentials (none: a `401` is an error).
    pub fn new(creds: Option<UserCredentials>) -> ClientAuthenticator {
        ClientAuthenticator {
            creds,
            chosen: None,
            tried: false,
        }
    }

    /// True once a challenge has been accepted, so requests carry `Authorization`.
    pub fn is_active(&self) -> bool {
        self.chosen.is_some()
    }

    /// Handles the challenges of a `401 Unauthorized`. Returns `Ok(true)` when the
    /// request should be sent again with credentials, or an error when retrying cannot
    /// help (no credentials, no supported challenge, or the same challenge rejected the
    /// credentials already). A new nonce, or `stale=true`, allows another try.
    pub fn handle_unauthorized(&mut self, challenges: &WwwAuthenticate) -> Result<bool, AuthError> {
        if self.creds.is_none() {
            return Err(AuthError::NoCredentials);
        }
        let best = pick_challenge(&challenges.0).ok_or(AuthError::NoSupportedChallenge)?;
        let same_nonce = match (&self.chosen, &best) {
            (Some(Chosen::Digest { nonce: a, .. }), Chosen::Digest { nonce: b, .. }) => a == b,
            (Some(Chosen::Basic), Chosen::Basic) => true,
            _ => false,
        };
        let stale = challenges
            .0
            .iter()
            .any(|c| c.scheme == AuthScheme::Digest && c.stale());
        if self.tried && same_nonce && !stale {
            return Err(AuthError::Rejected);
        }
        if self.tried && matches!(best, Chosen::Basic) && !stale {
            return Err(AuthError::Rejected);
        }
        self.chosen = Some(best);
        self.tried = false;
        Ok(true)
    }

    /// The `Authorization` header for a request, once a challenge has been accepted
    /// (`None` before). Each call with Digest `qop=auth` increments the nonce count and
    /// draws a fresh `cnonce` from `rng`.
    pub fn authorization(
        &mut self,
        method: &Method,
        uri: &str,
        rng: &mut dyn RngCore,
    ) -> Option<Authorization> {
        let creds = self.creds.as_ref()?;
        let chosen = self.chosen.as_mut()?;
        self.tried = true;
        match chosen {
            Chosen::Basic => {
                let raw = format!("{}:{}", creds.username, creds.password);
                Some(Authorization(Credentials::basic(
                    base64::engine::general_purpose::STANDARD.encode(raw),
                )))
            }
            Chosen::Digest {
                algorithm,
                realm,
                nonce,
                opaque,
                qop_auth,
                nc,
            } => {
                let mut params = vec![
                    ("username".to_owned(), creds.username.clone()),
                    ("realm".to_owned(), realm.clone()),
                    ("nonce".to_owned(), nonce.clone()),
                    ("uri".to_owned(), uri.to_owned()),
                ];
                let (nc_hex, cnonce) = if *qop_auth {
                    *nc = nc.wrapping_add(1);
                    let mut raw = [0u8; 12];
                    rng.fill_bytes(&mut raw);
                    (format!("{:08x}", *nc), to_hex(&raw))
                } else {
                    (String::new(), String::new())
                };
                let response = digest_response(&DigestInput {
                    algorithm: *algorithm,
                    username: &creds.username,
                    realm,
                    password: &creds.password,
                    method: method.as_str(),
                    uri,
                    nonce,
                    qop_auth: qop_auth.then_some((nc_hex.as_str(), cnonce.as_str())),
                });
                params.push(("response".to_owned(), response));
                if *algorithm != DigestAlgorithm::Md5 {
                    params.push(("algorithm".to_owned(), algorithm.as_str().to_owned()));
                }
                if let Some(o) = opaque {
                    params.push(("opaque".to_owned(), o.clone()));
                }
                if *qop_auth {
                    params.push(("qop".to_owned(), "auth".to_owned()));
                    params.push(("nc".to_owned(), nc_hex));
                    params.push(("cnonce".to_owned(), cnonce));
                }
                Some(Authorization(Credentials::with_params(
                    AuthScheme::Digest,
                    params,
                )))
            }
        }
    }
}

/// Picks the strongest challenge this crate supports: Digest with the strongest
/// algorithm (SHA-256 over MD5), then Basic.
fn pick_challenge(challenges: &[Challenge]) -> Option<Chosen> {
    let mut best: Option<(u8, Chosen)> = None;
    for c in challenges {
        let candidate = match c.scheme {
            AuthScheme::Basic => Some((0, Chosen::Basic)),
            AuthScheme::Digest => {
                let algorithm = match c.algorithm() {
                    None => Some(DigestAlgorithm::Md5),
                    Some(a) => DigestAlgorithm::parse(a),
                };
                let qop = c.qop();
                // With a qop list, only `auth` is supported (not `auth-int`).
                let qop_ok = qop.is_none() || c.offers_qop("auth");
                match (algorithm, c.nonce(), qop_ok) {
                    (Some(algorithm), Some(nonce), true) => Some((
                        algorithm.strength(),
                        Chosen::Digest {
                            algorithm,
                            realm: c.realm().unwrap_or("").to_owned(),
                            nonce: nonce.to_owned(),
                            opaque: c.opaque().map(str::to_owned),
                            qop_auth: qop.is_some(),
                            nc: 0,
                        },
                    )),
                    _ => None,
                }
            }
            AuthScheme::Other(_) => None,
        };
        if let Some((strength, chosen)) = candidate {
            if best.as_ref().is_none_or(|(s, _)| strength > *s) {
                best = Some((strength, chosen));
            }
        }
    }
    best.map(|(_, c)| c)
}

/// What a server's verification of a request decided.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// The request is authorized for this user.
    Authorized {
        /// The authenticated user name.
        username: String,
    },
    /// The request must be answered `401 Unauthorized` with this `WWW-Authenticate`
    /// (missing, wrong or stale credentials; a stale nonce carries `stale=true`).
    Challenge(WwwAuthenticate),
}

/// Server-side authentication settings and state.
///
/// Nonces are stateless: `hex(issue time) ":" hex(random) ":" H(secret, time, random)`,
/// with the secret drawn from the RNG at construction. A nonce older than
/// [`ServerAuthenticator::nonce_lifetime`] is answered with `stale=true`.
///
/// Background: FFmpeg cannot answer a Digest SHA-256 challenge, so the default offers
/// Digest MD5 only (`with_sha256` adds SHA-256, listed first); Basic is offered only when
/// enabled, since it sends the password in the clear.
#[derive(Clone)]
pub struct ServerAuthenticator {
    realm: String,
    users: Vec<UserCredentials>,
    secret: [u8; 32],
    epoch: Instant,
    nonce_lifetime: Duration,
    offer_sha256: bool,
    offer_md5: bool,
    offer_basic: bool,
}

impl fmt::Debug for ServerAuthenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerAuthenticator")
            .field("realm", &self.realm)
            .field("users", &self.users)
            .field("nonce_lifetime", &self.nonce_lifetime)
            .field("offer_sha256", &self.offer_sha256)
            .field("offer_md5", &self.offer_md5)
            .field("offer_basic", &self.offer_basic)
            .finish_non_exhaustive()
    }
}

impl ServerAuthenticator {
    /// A server authenticator for `realm`, offering Digest MD5, with nonces valid for
    /// 60 s. `now` anchors nonce time stamps; `rng` provides the nonce key.
    pub fn new(
        realm: impl Into<String>,
        now: Instant,
        rng: &mut dyn RngCore,
    ) -> ServerAuthenticator {
        let mut secret = [0u8; 32];
        rng.fill_bytes(&mut secret);
        ServerAuthenticator {
            realm: realm.into(),
            users: Vec::new(),
            secret,
            epoch: now,
            nonce_lifetime: Duration::from_secs(60),
            offer_sha256: false,
            offer_md5: true,
            offer_basic: false,
        }
    }

    /// Adds a user.
    pub fn add_user(&mut self, creds: UserCredentials) {
        self.users.retain(|u| u.username != creds.username);
        self.users.push(creds);
    }

    /// Also offers Digest SHA-256 (before MD5).
    pub fn with_sha256(mut self, on: bool) -> Self {
        self.offer_sha256 = on;
        self
    }

    /// Also offers (and accepts) Basic.
    pub fn with_basic(mut self, on: bool) -> Self {
        self.offer_basic = on;
        self
    }

    /// Sets how long a nonce stays valid.
    pub fn with_nonce_lifetime(mut self, lifetime: Duration) -> Self {
        self.nonce_lifetime = lifetime;
        self
    }

    /// How long a nonce stays valid.
    pub fn nonce_lifetime(&self) -> Duration {
        self.nonce_lifetime
    }

    fn nonce_mac(&self, time_hex: &str, rand_hex: &str) -> String {
        let mut h = Sha256::new();
        h.update(self.secret);
        h.update(time_hex.as_bytes());
        h.update(b":");
        h.update(rand_hex.as_bytes());
        to_hex(h.finalize().get(..12).unwrap_or(&[]))
    }

    fn new_nonce(&self, now: Instant, rng: &mut dyn RngCore) -> String {
        let secs = now.saturating_duration_since(self.epoch).as_secs();
        let mut raw = [0u8; 8];
        rng.fill_bytes(&mut raw);
        let time_hex = format!("{secs:x}");
        let rand_hex = to_hex(&raw);
        let mac = self.nonce_mac(&time_hex, &rand_hex);
        format!("{time_hex}{rand_hex}{mac}")
    }

    /// Checks a nonce this server issued: `Some(true)` valid, `Some(false)` authentic but
    /// expired, `None` forged or malformed.
    fn check_nonce(&self, nonce: &str, now: Instant) -> Option<bool> {
        // Layout: time hex (variable), 16 hex random, 24 hex mac.
        let len = nonce.len();
        if len < 41 || !nonce.is_ascii() {
            return None;
        }
        let (rest, mac) = nonce.split_at(len - 24);
        let (time_hex, rand_hex) = rest.split_at(rest.len() - 16);
        let expected = self.nonce_mac(time_hex, rand_hex);
        if !bool::from(expected.as_bytes().ct_eq(mac.as_bytes())) {
            return None;
        }
        let issued = u64::from_str_radix(time_hex, 16).ok()?;
        let age = now
            .saturating_duration_since(self.epoch)
            .as_secs()
            .saturating_sub(issued);
        Some(Duration::from_secs(age) <= self.nonce_lifetime)
    }

    /// The challenges to send in a `401`, with a fresh nonce.
    pub fn challenge(&self, now: Instant, stale: bool, rng: &mut dyn RngCore) -> WwwAuthenticate {
        let nonce = self.new_nonce(now, rng);
        let mut out = Vec::new();
        let mut digest = |alg: Option<DigestAlgorithm>| {
            let mut params = vec![
                ("realm".to_owned(), self.realm.clone()),
                ("nonce".to_owned(), nonce.clone()),
            ];
            if let Some(a) = alg {
                params.push(("algorithm".to_owned(), a.as_str().to_owned()));
            }
            if stale {
                params.push(("stale".to_owned(), "true".to_owned()));
            }
            out.push(Challenge::new(AuthScheme::Digest, params));
        };
        if self.offer_sha256 {
            digest(Some(DigestAlgorithm::Sha256));
        }
        if self.offer_md5 {
            // No `algorithm` parameter: RFC 2617 clients (and cameras' peers) assume MD5.
            digest(None);
        }
        if self.offer_basic {
            out.push(Challenge::new(
                AuthScheme::Basic,
                vec![("realm".to_owned(), self.realm.clone())],
            ));
        }
        WwwAuthenticate(out)
    }

    /// Verifies a request's `Authorization` header (`None` when absent) for `method` on
    /// `request_uri`.
    ///
    /// Background: clients write Digest's `uri` as the absolute URL, as the path, or as the
    /// presentation's base URL when requesting a stream (VLC adds a trailing slash); the
    /// `uri` parameter is used for the hash and is accepted when it names the request URL
    /// or one of its ancestors, ignoring scheme, host and a trailing slash.
    pub fn verify(
        &self,
        method: &Method,
        request_uri: &str,
        authorization: Option<&Authorization>,
        now: Instant,
        rng: &mut dyn RngCore,
    ) -> Verdict {
        let Some(Authorization(creds)) = authorization else {
            return Verdict::Challenge(self.challenge(now, false, rng));
        };
        match creds.scheme {
            AuthScheme::Basic if self.offer_basic => {
                if let Some(user) = self.verify_basic(creds) {
                    return Verdict::Authorized { username: user };
                }
            }
            AuthScheme::Digest => match self.verify_digest(method, request_uri, creds, now) {
                DigestCheck::Ok(user) => return Verdict::Authorized { username: user },
                DigestCheck::Stale => return Verdict::Challenge(self.challenge(now, true, rng)),
                DigestCheck::Bad => {}
            },
            _ => {}
        }
        Verdict::Challenge(self.challenge(now, false, rng))
    }

    fn verify_basic(&self, creds: &Credentials) -> Option<String> {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(creds.token68()?.trim())
            .ok()?;
        let text = String::from_utf8(raw).ok()?;
        let (user, pass) = text.split_once(':')?;
        let stored = self.users.iter().find(|u| u.username == user)?;
        bool::from(stored.password.as_bytes().ct_eq(pass.as_bytes())).then(|| user.to_owned())
    }

    fn verify_digest(
        &self,
        method: &Method,
        request_uri: &str,
        creds: &Credentials,
        now: Instant,
    ) -> DigestCheck {
        let (Some(user), Some(nonce), Some(uri), Some(response)) = (
            creds.username(),
            creds.param("nonce"),
            creds.param("uri"),
            creds.param("response"),
        ) else {
            return DigestCheck::Bad;
        };
        if creds.realm() != Some(self.realm.as_str()) || !uri_matches(uri, request_uri) {
            return DigestCheck::Bad;
        }
        let algorithm = match creds.param("algorithm") {
            None => DigestAlgorithm::Md5,
            Some(a) => match DigestAlgorithm::parse(a) {
                Some(a) => a,
                None => return DigestCheck::Bad,
            },
        };
        let offered = match algorithm {
            DigestAlgorithm::Md5 | DigestAlgorithm::Md5Sess => self.offer_md5,
            DigestAlgorithm::Sha256 | DigestAlgorithm::Sha256Sess => self.offer_sha256,
        };
        if !offered {
            return DigestCheck::Bad;
        }
        let fresh = match self.check_nonce(nonce, now) {
            None => return DigestCheck::Bad,
            Some(fresh) => fresh,
        };
        let qop_auth = match creds.param("qop") {
            None => None,
            Some(q) if q.eq_ignore_ascii_case("auth") => {
                match (creds.param("nc"), creds.param("cnonce")) {
                    (Some(nc), Some(cn)) => Some((nc, cn)),
                    _ => return DigestCheck::Bad,
                }
            }
            Some(_) => return DigestCheck::Bad,
        };
        // Compute for every stored user of that name in constant time with respect to
        // the response value.
        let Some(stored) = self.users.iter().find(|u| u.username == user) else {
            return DigestCheck::Bad;
        };
        let expected = digest_response(&DigestInput {
            algorithm,
            username: user,
            realm: &self.realm,
            password: &stored.password,
            method: method.as_str(),
            uri,
            nonce,
            qop_auth,
        });
        if !bool::from(
            expected
                .as_bytes()
                .ct_eq(response.to_ascii_lowercase().as_bytes()),
        ) {
            return DigestCheck::Bad;
        }
        if fresh {
            DigestCheck::Ok(user.to_owned())
        } else {
            DigestCheck::Stale
        }
    }
}

enum DigestCheck {
    Ok(String),
    Stale,
    Bad,
}

/// The path of a URL (or the string itself when it is a path), without a trailing slash.
fn url_path(s: &str) -> &str {
    let path = match s.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |i| rest.get(i..).unwrap_or("")),
        None => s,
    };
    path.trim_end_matches('/')
}

/// Whether a Digest `uri` names the request target or one of its ancestors.
fn uri_matches(digest_uri: &str, request_uri: &str) -> bool {
    let d = url_path(digest_uri);
    let r = url_path(request_uri);
    if d == "*" || r == "*" {
        return true;
    }
    r == d || (r.starts_with(d) && r.as_bytes().get(d.len()) == Some(&b'/'))
}

#[cfg(test)]
// Tests need some base `Instant`; all later times are offsets from it (virtual time).
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;
    use crate::header::TypedHeader;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    #[test]
    fn rfc7616_sha256_example() {
        // RFC 7616 §3.9.1.
        let r = digest_response(&DigestInput {
            algorithm: DigestAlgorithm::Sha256,
            username: "Mufasa",
            realm: "http-auth@example.org",
            password: "Circle of Life",
            method: "GET",
            uri: "/dir/index.html",
            nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
            qop_auth: Some(("00000001", "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ")),
        });
        assert_eq!(
            r,
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
        );
        let r = digest_response(&DigestInput {
            algorithm: DigestAlgorithm::Md5,
            username: "Mufasa",
            realm: "http-auth@example.org",
            password: "Circle of Life",
            method: "GET",
            uri: "/dir/index.html",
            nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
            qop_auth: Some(("00000001", "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ")),
        });
        assert_eq!(r, "8ca523f5e9506fed4657c9700eebdbec");
    }

    #[test]
    fn ffmpeg_digest_responses_from_the_corpus() {
        // ffmpeg 5.1 answering gst-rtsp-server's Digest challenge with user/pass
        // (tests/data/sessions/ffmpeg_tcp__gst_secure_digest).
        for (method, uri, expected) in [
            (
                "DESCRIBE",
                "rtsp://127.0.0.1:8554/secure",
                "94a054c1c233367e9b1bcdbcbb2623a0",
            ),
            (
                "SETUP",
                "rtsp://127.0.0.1:8554/secure/stream=0",
                "49417777fa651d0c3c05779d3cbafbdd",
            ),
            (
                "PLAY",
                "rtsp://127.0.0.1:8554/secure/",
                "eed5fda1c7d5b6bd9e9035d00987cf7a",
            ),
        ] {
            let r = digest_response(&DigestInput {
                algorithm: DigestAlgorithm::Md5,
                username: "user",
                realm: "GStreamer RTSP Server",
                password: "pass",
                method,
                uri,
                nonce: "ff00ad7dbf07a37a",
                qop_auth: None,
            });
            assert_eq!(r, expected, "{method}");
        }
    }

    #[test]
    fn client_picks_strongest_and_detects_wrong_password() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut c = ClientAuthenticator::new(Some(UserCredentials::new("u", "p")));
        let ch = WwwAuthenticate::parse(
            r#"Basic realm="r", Digest realm="r", nonce="n1", Digest realm="r", nonce="n2", algorithm=SHA-256, qop="auth,auth-int""#,
        )
        .unwrap();
        assert!(c.handle_unauthorized(&ch).unwrap());
        let h = c
            .authorization(&Method::OPTIONS, "rtsp://h/", &mut rng)
            .unwrap();
        assert_eq!(h.0.param("algorithm"), Some("SHA-256"));
        assert_eq!(h.0.param("nonce"), Some("n2"));
        assert_eq!(h.0.param("nc"), Some("00000001"));
        let h2 = c
            .authorization(&Method::OPTIONS, "rtsp://h/", &mut rng)
            .unwrap();
        assert_eq!(h2.0.param("nc"), Some("00000002"));
        assert_ne!(h.0.param("cnonce"), h2.0.param("cnonce"));
        // Same challenge again after credentials were sent: wrong password.
        assert_eq!(c.handle_unauthorized(&ch), Err(AuthError::Rejected));
        // A stale nonce allows another try.
        let stale = WwwAuthenticate::parse(
            r#"Digest realm="r", nonce="n2", algorithm=SHA-256, stale=true"#,
        )
        .unwrap();
        assert!(c.handle_unauthorized(&stale).unwrap());
        let mut none = ClientAuthenticator::new(None);
        assert_eq!(none.handle_unauthorized(&ch), Err(AuthError::NoCredentials));
        let unknown = WwwAuthenticate::parse(r#"Negotiate abc"#).unwrap();
        let mut c2 = ClientAuthenticator::new(Some(UserCredentials::new("u", "p")));
        assert_eq!(
            c2.handle_unauthorized(&unknown),
            Err(AuthError::NoSupportedChallenge)
        );
    }

    #[test]
    fn server_round_trip_with_client() {
        let t0 = Instant::now();
        let mut rng = StdRng::seed_from_u64(3);
        let mut server = ServerAuthenticator::new("cam", t0, &mut rng).with_basic(true);
        server.add_user(UserCredentials::new("admin", "secret"));
        let uri = "rtsp://192.0.2.1:8554/test";
        let Verdict::Challenge(ch) = server.verify(&Method::DESCRIBE, uri, None, t0, &mut rng)
        else {
            panic!()
        };
        // Default offers MD5 Digest without an algorithm parameter, and Basic when enabled.
        assert_eq!(ch.0.len(), 2);
        assert_eq!(ch.0[0].algorithm(), None);
        let mut client = ClientAuthenticator::new(Some(UserCredentials::new("admin", "secret")));
        client.handle_unauthorized(&ch).unwrap();
        let auth = client
            .authorization(&Method::DESCRIBE, uri, &mut rng)
            .unwrap();
        assert_eq!(
            server.verify(&Method::DESCRIBE, uri, Some(&auth), t0, &mut rng),
            Verdict::Authorized {
                username: "admin".into()
            }
        );
        // The stream URL with the base URL in `uri` (VLC) is accepted.
        let auth = client
            .authorization(&Method::SETUP, "rtsp://192.0.2.1:8554/test/", &mut rng)
            .unwrap();
        assert!(matches!(
            server.verify(
                &Method::SETUP,
                "rtsp://192.0.2.1:8554/test/trackID=0",
                Some(&auth),
                t0,
                &mut rng
            ),
            Verdict::Authorized { .. }
        ));
        // Another path is not.
        assert!(matches!(
            server.verify(
                &Method::SETUP,
                "rtsp://192.0.2.1:8554/other",
                Some(&auth),
                t0,
                &mut rng
            ),
            Verdict::Challenge(_)
        ));
        // An expired nonce is stale; the client retries and succeeds.
        let auth = client
            .authorization(&Method::DESCRIBE, uri, &mut rng)
            .unwrap();
        let later = t0 + Duration::from_secs(120);
        let Verdict::Challenge(stale) =
            server.verify(&Method::DESCRIBE, uri, Some(&auth), later, &mut rng)
        else {
            panic!()
        };
        assert!(stale.0[0].stale());
        assert!(client.handle_unauthorized(&stale).unwrap());
        let auth = client
            .authorization(&Method::DESCRIBE, uri, &mut rng)
            .unwrap();
        assert!(matches!(
            server.verify(&Method::DESCRIBE, uri, Some(&auth), later, &mut rng),
            Verdict::Authorized { .. }
        ));
        // Wrong password.
        let mut bad = ClientAuthenticator::new(Some(UserCredentials::new("admin", "nope")));
        bad.handle_unauthorized(&ch).unwrap();
        let auth = bad.authorization(&Method::DESCRIBE, uri, &mut rng).unwrap();
        assert!(matches!(
            server.verify(&Method::DESCRIBE, uri, Some(&auth), t0, &mut rng),
            Verdict::Challenge(_)
        ));
        // Basic.
        let basic = Authorization::parse("Basic YWRtaW46c2VjcmV0").unwrap();
        assert!(matches!(
            server.verify(&Method::DESCRIBE, uri, Some(&basic), t0, &mut rng),
            Verdict::Authorized { .. }
        ));
        // A forged nonce is rejected, not reported stale.
        let forged = Authorization::parse(
            r#"Digest username="admin", realm="cam", nonce="00000000000000000000000000000000000000000000", uri="rtsp://192.0.2.1:8554/test", response="00""#,
        )
        .unwrap();
        let Verdict::Challenge(c) =
            server.verify(&Method::DESCRIBE, uri, Some(&forged), t0, &mut rng)
        else {
            panic!()
        };
        assert!(!c.0[0].stale());
    }

    #[test]
    fn sha256_offered_only_on_request() {
        let t0 = Instant::now();
        let mut rng = StdRng::seed_from_u64(3);
        let server = ServerAuthenticator::new("cam", t0, &mut rng).with_sha256(true);
        let ch = server.challenge(t0, false, &mut rng);
        assert_eq!(ch.0[0].algorithm(), Some("SHA-256"));
        assert_eq!(ch.0.len(), 2);
    }

    #[test]
    fn credentials_from_urls_and_redaction() {
        assert_eq!(UserCredentials::from_url("rtsp://h/p"), None);
        let c = UserCredentials::from_url("rtsp://user@h/p").unwrap();
        assert_eq!(c.password(), "");
        let c = UserCredentials::from_url("rtsp://a%3Ab:c@d@h:554/p?x=@").unwrap();
        assert_eq!((c.username.as_str(), c.password()), ("a:b", "c@d"));
        assert!(!format!("{c:?}").contains("c@d"));
    }

    #[test]
    fn uri_matching() {
        assert!(uri_matches("rtsp://h/a/", "rtsp://h/a/track1"));
        assert!(uri_matches("/a", "rtsp://h:554/a"));
        assert!(!uri_matches("rtsp://h/ab", "rtsp://h/a"));
        assert!(!uri_matches("rtsp://h/a/b", "rtsp://h/a"));
    }
}
