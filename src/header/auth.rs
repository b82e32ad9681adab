//! Authentication header syntax: `WWW-Authenticate`, `Proxy-Authenticate`,
//! `Authorization` and `Proxy-Authorization` ([RFC 7826 §18.8, §18.34, §18.36, §18.58],
//! [RFC 7235 §2.1 and §4]).
//!
//! Only the syntax lives here; computing and checking Digest responses is the job of the
//! authentication layer above.
//!
//! [RFC 7826 §18.8, §18.34, §18.36, §18.58]: https://www.rfc-editor.org/rfc/rfc7826#section-18.8
//! [RFC 7235 §2.1 and §4]: https://www.rfc-editor.org/rfc/rfc7235#section-2.1

use super::list_util::{leading_ws, MAX_ITEMS};
use super::syntax::{is_token, split_outside_quotes, unquote, write_quoted, write_token_or_quoted};
use super::{HeaderError, HeaderErrorKind, TypedHeader};
use crate::message::HeaderName;
use std::fmt;

/// An authentication scheme ([RFC 7235 §2.1] `auth-scheme`). Schemes compare
/// case-insensitively: [`AuthScheme::parse`] maps any spelling of `Basic` and `Digest` to
/// the named variants.
///
/// [RFC 7235 §2.1]: https://www.rfc-editor.org/rfc/rfc7235#section-2.1
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthScheme {
    /// `Basic` ([RFC 7617](https://www.rfc-editor.org/rfc/rfc7617)).
    Basic,
    /// `Digest` ([RFC 7616](https://www.rfc-editor.org/rfc/rfc7616), RFC 2617).
    Digest,
    /// Any other scheme token, as sent. Never `Basic` or `Digest` in any case when built
    /// by [`AuthScheme::parse`].
    Other(String),
}

impl AuthScheme {
    /// The scheme for a token (case-insensitive for the registered schemes).
    pub fn parse(token: &str) -> AuthScheme {
        if token.eq_ignore_ascii_case("basic") {
            AuthScheme::Basic
        } else if token.eq_ignore_ascii_case("digest") {
            AuthScheme::Digest
        } else {
            AuthScheme::Other(token.to_owned())
        }
    }

    /// The scheme as written on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            AuthScheme::Basic => "Basic",
            AuthScheme::Digest => "Digest",
            AuthScheme::Other(s) => s,
        }
    }
}

impl fmt::Display for AuthScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What follows the scheme in a challenge or in credentials ([RFC 7235 §2.1]:
/// `token68 / #auth-param`).
///
/// [RFC 7235 §2.1]: https://www.rfc-editor.org/rfc/rfc7235#section-2.1
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum AuthData {
    /// A single `token68` (Basic credentials: `base64(user ":" pass)`).
    Token68(String),
    /// `name=value` parameters in order; names keep the peer's spelling and values are
    /// unquoted. Lookups by name are case-insensitive.
    Params(Vec<(String, String)>),
}

impl Default for AuthData {
    fn default() -> AuthData {
        AuthData::Params(Vec::new())
    }
}

impl fmt::Debug for AuthData {
    /// Shows parameter names and values except secrets: a `token68` and the `response`
    /// parameter are redacted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthData::Token68(_) => f.write_str("Token68(<redacted>)"),
            AuthData::Params(p) => {
                let mut m = f.debug_map();
                for (k, v) in p {
                    if is_secret_param(k) {
                        m.entry(k, &"<redacted>");
                    } else {
                        m.entry(k, v);
                    }
                }
                m.finish()
            }
        }
    }
}

fn is_secret_param(name: &str) -> bool {
    name.eq_ignore_ascii_case("response") || name.eq_ignore_ascii_case("password")
}

impl AuthData {
    /// The value of parameter `name` (case-insensitive); the first one if repeated.
    pub fn param(&self, name: &str) -> Option<&str> {
        match self {
            AuthData::Params(p) => p
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str()),
            AuthData::Token68(_) => None,
        }
    }

    /// The `token68`, if that is the form.
    pub fn token68(&self) -> Option<&str> {
        match self {
            AuthData::Token68(t) => Some(t),
            AuthData::Params(_) => None,
        }
    }
}

/// One authentication challenge of a `WWW-Authenticate` or `Proxy-Authenticate` header
/// ([RFC 7235 §2.1], [RFC 7616 §3.3] for Digest's parameters).
///
/// [RFC 7235 §2.1]: https://www.rfc-editor.org/rfc/rfc7235#section-2.1
/// [RFC 7616 §3.3]: https://www.rfc-editor.org/rfc/rfc7616#section-3.3
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Challenge {
    /// The scheme.
    pub scheme: AuthScheme,
    /// The parameters or token68.
    pub data: AuthData,
}

impl Challenge {
    /// A challenge with parameters.
    pub fn new(scheme: AuthScheme, params: Vec<(String, String)>) -> Challenge {
        Challenge {
            scheme,
            data: AuthData::Params(params),
        }
    }

    /// The value of parameter `name` (case-insensitive).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.data.param(name)
    }

    /// `realm`.
    pub fn realm(&self) -> Option<&str> {
        self.param("realm")
    }

    /// `nonce` (Digest).
    pub fn nonce(&self) -> Option<&str> {
        self.param("nonce")
    }

    /// `algorithm` (Digest; absent means `MD5`).
    pub fn algorithm(&self) -> Option<&str> {
        self.param("algorithm")
    }

    /// `qop` (Digest): a comma list of quality-of-protection options, such as `auth`.
    pub fn qop(&self) -> Option<&str> {
        self.param("qop")
    }

    /// True when `qop` lists `option` (case-insensitive).
    pub fn offers_qop(&self, option: &str) -> bool {
        self.qop()
            .is_some_and(|q| q.split(',').any(|o| o.trim().eq_ignore_ascii_case(option)))
    }

    /// `stale=true` (Digest): the nonce expired but the credentials were right.
    pub fn stale(&self) -> bool {
        self.param("stale")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// `opaque` (Digest).
    pub fn opaque(&self) -> Option<&str> {
        self.param("opaque")
    }

    /// `domain` (Digest): space-separated URIs the challenge covers.
    pub fn domain(&self) -> Option<&str> {
        self.param("domain")
    }
}

/// The credentials of an `Authorization` or `Proxy-Authorization` header ([RFC 7235 §2.1],
/// [RFC 7616 §3.4] for Digest's parameters).
///
/// `Debug` redacts the secrets: a `token68` (Basic's base64 `user:pass`) and the Digest
/// `response`.
///
/// [RFC 7235 §2.1]: https://www.rfc-editor.org/rfc/rfc7235#section-2.1
/// [RFC 7616 §3.4]: https://www.rfc-editor.org/rfc/rfc7616#section-3.4
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Credentials {
    /// The scheme.
    pub scheme: AuthScheme,
    /// The parameters or token68.
    pub data: AuthData,
}

macro_rules! param_accessors {
    ($($(#[$doc:meta])* $fn:ident = $name:literal;)+) => {
        $( $(#[$doc])* pub fn $fn(&self) -> Option<&str> { self.data.param($name) } )+
    };
}

impl Credentials {
    /// Basic credentials from an already encoded `token68` (`base64(user ":" pass)`).
    pub fn basic(token68: impl Into<String>) -> Credentials {
        Credentials {
            scheme: AuthScheme::Basic,
            data: AuthData::Token68(token68.into()),
        }
    }

    /// Credentials with parameters (Digest).
    pub fn with_params(scheme: AuthScheme, params: Vec<(String, String)>) -> Credentials {
        Credentials {
            scheme,
            data: AuthData::Params(params),
        }
    }

    /// The value of parameter `name` (case-insensitive).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.data.param(name)
    }

    /// The `token68` (Basic).
    pub fn token68(&self) -> Option<&str> {
        self.data.token68()
    }

    param_accessors! {
        /// `username` (Digest).
        username = "username";
        /// `realm` (Digest).
        realm = "realm";
        /// `nonce` (Digest).
        nonce = "nonce";
        /// `uri` (Digest): the request URI the response was computed over.
        uri = "uri";
        /// `response` (Digest): the computed digest.
        response = "response";
        /// `algorithm` (Digest).
        algorithm = "algorithm";
        /// `cnonce` (Digest, with `qop`).
        cnonce = "cnonce";
        /// `opaque` (Digest).
        opaque = "opaque";
        /// `qop` (Digest): the chosen quality of protection.
        qop = "qop";
        /// `nc` (Digest, with `qop`): the nonce count, 8 hex digits.
        nc = "nc";
    }
}

/// Parses one `auth-param` (`name = value`, the value a token or a quoted string).
fn parse_param(
    header: &HeaderName,
    item: &str,
    pos: usize,
) -> Result<(String, String), HeaderError> {
    let Some((k, v)) = item.split_once('=') else {
        return Err(HeaderError::new(
            header.clone(),
            pos,
            HeaderErrorKind::Syntax("auth-param"),
        ));
    };
    let k = k.trim();
    if !is_token(k) {
        return Err(HeaderError::new(
            header.clone(),
            pos,
            HeaderErrorKind::Syntax("auth-param"),
        ));
    }
    let v = v.trim();
    if !v.starts_with('"') && !is_token(v) {
        return Err(HeaderError::new(
            header.clone(),
            pos,
            HeaderErrorKind::Syntax("auth-param"),
        ));
    }
    let v = unquote(v).ok_or_else(|| {
        HeaderError::new(
            header.clone(),
            pos,
            HeaderErrorKind::Syntax("quoted-string"),
        )
    })?;
    Ok((k.to_owned(), v.into_owned()))
}

/// True for RFC 7235 `token68`: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" )
/// *"="`.
fn is_token68(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

/// Splits `scheme SP rest` at the first whitespace when the first word is a scheme token
/// and is not followed by `=` (which would make it a parameter name).
fn split_scheme(item: &str) -> Option<(&str, &str)> {
    let end = item
        .find(|c: char| c.is_ascii_whitespace())
        .unwrap_or(item.len());
    let scheme = item.get(..end)?;
    let rest = item.get(end..)?.trim_start();
    if !is_token(scheme) || rest.starts_with('=') {
        return None;
    }
    Some((scheme, rest))
}

fn too_many(header: &HeaderName, pos: usize, what: &'static str) -> HeaderError {
    HeaderError::new(
        header.clone(),
        pos,
        HeaderErrorKind::TooMany {
            what,
            limit: MAX_ITEMS,
        },
    )
}

/// Parses a list of challenges from every field value.
fn parse_challenges<'a, I: Iterator<Item = &'a str>>(
    header: &HeaderName,
    values: I,
) -> Result<Vec<Challenge>, HeaderError> {
    let mut out: Vec<Challenge> = Vec::new();
    let mut items = 0usize;
    for value in values {
        // Within one field value, a new challenge starts at an item that is a scheme
        // token followed by whitespace and a token68 or a parameter, or at a lone token
        // (RFC 7235 §2.1); any other item is a parameter of the current challenge.
        let mut current: Option<Challenge> = None;
        for (pos, piece) in split_outside_quotes(value, b',') {
            let pos = pos + leading_ws(piece);
            let item = piece.trim();
            if item.is_empty() {
                continue;
            }
            items += 1;
            if items > MAX_ITEMS {
                return Err(too_many(header, pos, "auth-params"));
            }
            if let Some((scheme, rest)) = split_scheme(item) {
                if let Some(c) = current.take() {
                    out.push(c);
                }
                let data = if rest.is_empty() {
                    AuthData::Params(Vec::new())
                } else if is_token68(rest) {
                    AuthData::Token68(rest.to_owned())
                } else {
                    let rest_pos = pos + (item.len() - rest.len());
                    AuthData::Params(vec![parse_param(header, rest, rest_pos)?])
                };
                current = Some(Challenge {
                    scheme: AuthScheme::parse(scheme),
                    data,
                });
            } else {
                match current.as_mut().map(|c| &mut c.data) {
                    Some(AuthData::Params(p)) => p.push(parse_param(header, item, pos)?),
                    _ => {
                        return Err(HeaderError::new(
                            header.clone(),
                            pos,
                            HeaderErrorKind::Syntax("challenge"),
                        ))
                    }
                }
            }
        }
        if let Some(c) = current.take() {
            out.push(c);
        }
    }
    if out.is_empty() {
        return Err(HeaderError::new(
            header.clone(),
            0,
            HeaderErrorKind::Missing("challenge"),
        ));
    }
    Ok(out)
}

/// Parses one `credentials`.
fn parse_credentials(header: &HeaderName, value: &str) -> Result<Credentials, HeaderError> {
    let base = leading_ws(value);
    let item = value.trim();
    let (scheme, rest) = split_scheme(item).ok_or_else(|| {
        HeaderError::new(header.clone(), base, HeaderErrorKind::Syntax("credentials"))
    })?;
    // `rest` is a suffix of `item`.
    let rest_base = base + (item.len() - rest.len());
    let data = if rest.is_empty() {
        AuthData::Params(Vec::new())
    } else if is_token68(rest) {
        AuthData::Token68(rest.to_owned())
    } else {
        let mut params = Vec::new();
        for (pos, piece) in split_outside_quotes(rest, b',') {
            let pos = rest_base + pos + leading_ws(piece);
            let item = piece.trim();
            if item.is_empty() {
                continue;
            }
            if params.len() >= MAX_ITEMS {
                return Err(too_many(header, pos, "auth-params"));
            }
            params.push(parse_param(header, item, pos)?);
        }
        AuthData::Params(params)
    };
    Ok(Credentials {
        scheme: AuthScheme::parse(scheme),
        data,
    })
}

/// Which Digest parameters are written bare (RFC 7616 §3.3 and §3.4 list them as tokens
/// rather than quoted strings); every other value is quoted.
fn write_param(out: &mut String, name: &str, value: &str, bare: &[&str]) {
    out.push_str(name);
    out.push('=');
    if bare.iter().any(|b| b.eq_ignore_ascii_case(name)) {
        write_token_or_quoted(out, value);
    } else {
        write_quoted(out, value);
    }
}

fn write_data(out: &mut String, scheme: &AuthScheme, data: &AuthData, bare: &[&str]) {
    out.push_str(scheme.as_str());
    match data {
        AuthData::Token68(t) => {
            out.push(' ');
            out.push_str(t);
        }
        AuthData::Params(p) => {
            for (i, (k, v)) in p.iter().enumerate() {
                out.push_str(if i == 0 { " " } else { ", " });
                write_param(out, k, v, bare);
            }
        }
    }
}

const CHALLENGE_BARE: &[&str] = &["algorithm", "stale"];
const CREDENTIALS_BARE: &[&str] = &["algorithm", "qop", "nc"];

fn format_challenges(out: &mut String, challenges: &[Challenge]) {
    for (i, c) in challenges.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_data(out, &c.scheme, &c.data, CHALLENGE_BARE);
    }
}

macro_rules! challenge_header {
    ($(#[$doc:meta])* $ty:ident, $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $ty(pub Vec<Challenge>);

        impl $ty {
            /// The first challenge of `scheme`.
            pub fn find(&self, scheme: &AuthScheme) -> Option<&Challenge> {
                self.0.iter().find(|c| &c.scheme == scheme)
            }
        }

        impl TypedHeader for $ty {
            fn name() -> HeaderName {
                HeaderName::$name
            }

            fn parse(value: &str) -> Result<$ty, HeaderError> {
                parse_challenges(&HeaderName::$name, std::iter::once(value)).map($ty)
            }

            fn parse_values<'a, I: Iterator<Item = &'a str>>(
                values: I,
            ) -> Result<$ty, HeaderError> {
                parse_challenges(&HeaderName::$name, values).map($ty)
            }

            fn format(&self, out: &mut String) {
                format_challenges(out, &self.0);
            }
        }
    };
}

challenge_header! {
    /// `WWW-Authenticate` ([RFC 7826 §18.58], [RFC 7235 §4.1]): the challenges of a `401`
    /// response. One field may hold several challenges
    /// (`Basic realm="x", Digest realm="y", nonce="z"`), and repeated fields combine; the
    /// ambiguous comma is resolved as RFC 7235 §2.1 says (a scheme token followed by a
    /// space starts a new challenge). At most 64 comma items in all. Parameter values must
    /// be tokens or quoted strings, as the grammar says; anything else is an error.
    ///
    /// Formatting writes every challenge in one field; Digest's `algorithm` and `stale`
    /// are written bare and every other parameter quoted, which is what cameras expect.
    ///
    /// ```
    /// use rtsp_proto::header::{AuthScheme, TypedHeader, WwwAuthenticate};
    /// let h = WwwAuthenticate::parse(
    ///     r#"Basic realm="cam", Digest realm="cam", nonce="abc", algorithm=MD5"#,
    /// ).unwrap();
    /// let digest = h.find(&AuthScheme::Digest).unwrap();
    /// assert_eq!(digest.nonce(), Some("abc"));
    /// assert_eq!(digest.algorithm(), Some("MD5"));
    /// ```
    ///
    /// [RFC 7826 §18.58]: https://www.rfc-editor.org/rfc/rfc7826#section-18.58
    /// [RFC 7235 §4.1]: https://www.rfc-editor.org/rfc/rfc7235#section-4.1
    WwwAuthenticate, WWW_AUTHENTICATE
}

challenge_header! {
    /// `Proxy-Authenticate` ([RFC 7826 §18.34], [RFC 7235 §4.3]): like
    /// [`WwwAuthenticate`], in a `407` response.
    ///
    /// [RFC 7826 §18.34]: https://www.rfc-editor.org/rfc/rfc7826#section-18.34
    /// [RFC 7235 §4.3]: https://www.rfc-editor.org/rfc/rfc7235#section-4.3
    ProxyAuthenticate, PROXY_AUTHENTICATE
}

macro_rules! credentials_header {
    ($(#[$doc:meta])* $ty:ident, $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub struct $ty(pub Credentials);

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($ty)).field(&self.0).finish()
            }
        }

        impl TypedHeader for $ty {
            fn name() -> HeaderName {
                HeaderName::$name
            }

            fn parse(value: &str) -> Result<$ty, HeaderError> {
                parse_credentials(&HeaderName::$name, value).map($ty)
            }

            fn format(&self, out: &mut String) {
                write_data(out, &self.0.scheme, &self.0.data, CREDENTIALS_BARE);
            }
        }
    };
}

credentials_header! {
    /// `Authorization` ([RFC 7826 §18.8], [RFC 7235 §4.2]): the client's credentials,
    /// `Basic <token68>` or `Digest username="...", ...`. `Debug` redacts the secrets.
    /// Parameter values must be tokens or quoted strings; at most 64 parameters.
    ///
    /// Formatting writes Digest's `algorithm`, `qop` and `nc` bare and every other
    /// parameter quoted (RFC 7616 §3.4).
    ///
    /// ```
    /// use rtsp_proto::header::{Authorization, TypedHeader};
    /// let h = Authorization::parse(r#"Digest username="user", realm="r", nonce="n", uri="rtsp://h/", response="0123""#).unwrap();
    /// assert_eq!(h.0.username(), Some("user"));
    /// assert!(!format!("{h:?}").contains("0123"));
    /// ```
    ///
    /// [RFC 7826 §18.8]: https://www.rfc-editor.org/rfc/rfc7826#section-18.8
    /// [RFC 7235 §4.2]: https://www.rfc-editor.org/rfc/rfc7235#section-4.2
    Authorization, AUTHORIZATION
}

credentials_header! {
    /// `Proxy-Authorization` ([RFC 7826 §18.36], [RFC 7235 §4.4]): like
    /// [`Authorization`], for a proxy.
    ///
    /// [RFC 7826 §18.36]: https://www.rfc-editor.org/rfc/rfc7826#section-18.36
    /// [RFC 7235 §4.4]: https://www.rfc-editor.org/rfc/rfc7235#section-4.4
    ProxyAuthorization, PROXY_AUTHORIZATION
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn challenges() {
        let cases: &[(&str, Vec<Challenge>)] = &[
            (
                r#"Basic realm="GStreamer RTSP Server""#,
                vec![Challenge::new(
                    AuthScheme::Basic,
                    p(&[("realm", "GStreamer RTSP Server")]),
                )],
            ),
            (
                r#"Digest realm="GStreamer RTSP Server", nonce="2c3b87e9b89816a1""#,
                vec![Challenge::new(
                    AuthScheme::Digest,
                    p(&[
                        ("realm", "GStreamer RTSP Server"),
                        ("nonce", "2c3b87e9b89816a1"),
                    ]),
                )],
            ),
            (
                r#"Basic realm="x", Digest realm="y", nonce="z""#,
                vec![
                    Challenge::new(AuthScheme::Basic, p(&[("realm", "x")])),
                    Challenge::new(AuthScheme::Digest, p(&[("realm", "y"), ("nonce", "z")])),
                ],
            ),
            // RFC 7616 §3.9.1 style, bare algorithm and stale, qop list, spaces around `=`.
            (
                r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", stale=TRUE"#,
                vec![Challenge::new(
                    AuthScheme::Digest,
                    p(&[
                        ("realm", "http-auth@example.org"),
                        ("qop", "auth, auth-int"),
                        ("algorithm", "SHA-256"),
                        ("nonce", "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"),
                        ("opaque", "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"),
                        ("stale", "TRUE"),
                    ]),
                )],
            ),
            // Token68 challenge, lone scheme, lower-case scheme, trailing comma.
            (
                "Negotiate abc==, Bearer, basic realm=x,",
                vec![
                    Challenge {
                        scheme: AuthScheme::Other("Negotiate".into()),
                        data: AuthData::Token68("abc==".into()),
                    },
                    Challenge::new(AuthScheme::Other("Bearer".into()), Vec::new()),
                    Challenge::new(AuthScheme::Basic, p(&[("realm", "x")])),
                ],
            ),
            // Quoted commas and a would-be scheme inside a quoted value.
            (
                r#"Digest realm="a, Basic b", nonce="n""#,
                vec![Challenge::new(
                    AuthScheme::Digest,
                    p(&[("realm", "a, Basic b"), ("nonce", "n")]),
                )],
            ),
        ];
        for (input, want) in cases {
            let got = WwwAuthenticate::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(&got.0, want, "{input}");
            let again = WwwAuthenticate::parse(&got.to_value_string()).unwrap();
            assert_eq!(again, got, "{}", got.to_value_string());
        }
        let h = WwwAuthenticate::parse(cases[3].0).unwrap();
        let c = &h.0[0];
        assert!(c.stale());
        assert!(c.offers_qop("auth-int"));
        assert_eq!(
            c.opaque(),
            Some("FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")
        );
        assert!(h
            .to_value_string()
            .contains(r#"algorithm=SHA-256, nonce="7ypf"#));
    }

    #[test]
    fn repeated_fields_combine() {
        // gst-rtsp-server offering Basic and Digest in two fields.
        let h = WwwAuthenticate::parse_values(
            [
                r#"Basic realm="GStreamer RTSP Server""#,
                r#"Digest realm="GStreamer RTSP Server", nonce="848ba91d7f9bba5b""#,
            ]
            .into_iter(),
        )
        .unwrap();
        assert_eq!(h.0.len(), 2);
        assert_eq!(
            h.find(&AuthScheme::Digest).unwrap().nonce(),
            Some("848ba91d7f9bba5b")
        );
        let h = ProxyAuthenticate::parse(r#"Basic realm="p""#).unwrap();
        assert_eq!(h.0[0].realm(), Some("p"));
    }

    #[test]
    fn challenge_errors() {
        for bad in [
            "",
            ",",
            "realm=x",
            r#"Digest realm="x"#,
            "Basic abc==, realm=x",
            "Digest r@lm=x",
            "\"Digest\" realm=x",
        ] {
            assert!(WwwAuthenticate::parse(bad).is_err(), "{bad:?}");
        }
        let many = format!("Digest {}", "a=b,".repeat(MAX_ITEMS + 1));
        assert!(matches!(
            WwwAuthenticate::parse(&many).unwrap_err().kind,
            HeaderErrorKind::TooMany { .. }
        ));
    }

    #[test]
    fn credentials() {
        let corpus = [
            r#"Digest username="user", realm="GStreamer RTSP Server", nonce="2c3b87e9b89816a1", uri="rtsp://127.0.0.1:8554/secure", response="a251c44753f4b2acec0b6518d1744869""#,
            r#"Digest username="user", realm="GStreamer RTSP Server", nonce="2c3b87e9b89816a1", uri="rtsp://127.0.0.1:8554/secure/", response="318f208b1607b7b7960ee1123f72df2a""#,
            r#"Digest username="user", realm="GStreamer RTSP Server", nonce="2c3b87e9b89816a1", uri="rtsp://127.0.0.1:8554/secure/", response="ce7998c76d8f017fb361b674d5479841""#,
            r#"Digest username="user", realm="GStreamer RTSP Server", nonce="2c3b87e9b89816a1", uri="rtsp://127.0.0.1:8554/secure/", response="fcb3e18f3d01a5b76d8256c2ae72dd96""#,
            r#"Digest username="user", realm="GStreamer RTSP Server", nonce="2c3b87e9b89816a1", uri="rtsp://127.0.0.1:8554/secure/stream=0", response="8f8eb0e9004457436e51a15c16c948f5""#,
            r#"Digest username="user", realm="GStreamer RTSP Server", nonce="eaf015e3c3440b06", uri="rtsp://127.0.0.1:8554/secure", response="19c8ee28117025da225f5f9a4d3b6cb6""#,
            r#"Digest username="user", realm="GStreamer RTSP Server", nonce="ff00ad7dbf07a37a", uri="rtsp://127.0.0.1:8554/secure", response="94a054c1c233367e9b1bcdbcbb2623a0""#,
            r#"Digest username="user", realm="GStreamer RTSP Server", nonce="ff00ad7dbf07a37a", uri="rtsp://127.0.0.1:8554/secure/", response="e380de4dc06798b702cbad7bd532ce4e""#,
            r#"Digest username="user", realm="GStreamer RTSP Server", nonce="ff00ad7dbf07a37a", uri="rtsp://127.0.0.1:8554/secure/", response="eed5fda1c7d5b6bd9e9035d00987cf7a""#,
            r#"Digest username="user", realm="GStreamer RTSP Server", nonce="ff00ad7dbf07a37a", uri="rtsp://127.0.0.1:8554/secure/stream=0", response="49417777fa651d0c3c05779d3cbafbdd""#,
        ];
        for line in corpus {
            let h = Authorization::parse(line).unwrap();
            assert_eq!(h.0.scheme, AuthScheme::Digest);
            assert_eq!(h.0.username(), Some("user"));
            assert_eq!(h.0.realm(), Some("GStreamer RTSP Server"));
            assert!(h
                .0
                .uri()
                .unwrap()
                .starts_with("rtsp://127.0.0.1:8554/secure"));
            assert_eq!(h.0.response().map(str::len), Some(32));
            // The canonical form is what GStreamer and ffmpeg send.
            assert_eq!(h.to_value_string(), line);
            let dbg = format!("{h:?}");
            assert!(!dbg.contains(h.0.response().unwrap()), "{dbg}");
            assert!(dbg.contains("username"), "{dbg}");
        }
        let h = Authorization::parse("Basic dXNlcjpwYXNz").unwrap();
        assert_eq!(h.0, Credentials::basic("dXNlcjpwYXNz"));
        assert_eq!(h.0.token68(), Some("dXNlcjpwYXNz"));
        assert_eq!(h.to_value_string(), "Basic dXNlcjpwYXNz");
        assert!(!format!("{h:?}").contains("dXNl"));
        let h = ProxyAuthorization::parse("Basic dXNlcjpwYXNz=").unwrap();
        assert_eq!(h.0.token68(), Some("dXNlcjpwYXNz="));
        assert!(!format!("{h:?}").contains("dXNl"));

        // RFC 7616 §3.9.1 response, with bare algorithm, qop and nc.
        let h = Authorization::parse(
            r#"Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=MD5, nonce="7ypf", nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, response="8ca523f5e9506fed4657c9700eebdbec", opaque="FQhe""#,
        )
        .unwrap();
        let c = &h.0;
        assert_eq!(c.uri(), Some("/dir/index.html"));
        assert_eq!(c.nc(), Some("00000001"));
        assert_eq!(c.qop(), Some("auth"));
        assert_eq!(c.algorithm(), Some("MD5"));
        assert_eq!(
            c.cnonce(),
            Some("f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ")
        );
        assert_eq!(c.opaque(), Some("FQhe"));
        assert_eq!(c.nonce(), Some("7ypf"));
        let s = h.to_value_string();
        assert!(s.contains(r#"uri="/dir/index.html", algorithm=MD5"#), "{s}");
        assert!(s.contains("nc=00000001"), "{s}");
        assert_eq!(Authorization::parse(&s).unwrap(), h);

        for bad in [
            "",
            "Basic",
            "=x",
            "Digest a, b",
            "Digest a=\"x",
            "Basic a b c",
            "Digest uri=/dir/index.html",
            "Digest realm=, nonce=x",
        ] {
            // "Basic" alone is syntactically fine (no credentials).
            if bad == "Basic" {
                assert!(Authorization::parse(bad).is_ok());
                continue;
            }
            assert!(Authorization::parse(bad).is_err(), "{bad:?}");
        }
    }
}
