//! Claims of SECURITY.md that no other test shows: no secret appears in the `Debug`
//! output of any type that holds one, and session ids are long, random and drawn from the
//! injectable RNG.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use base64::Engine;
use bytes::BytesMut;
use rand::rngs::StdRng;
use rand::SeedableRng;
use rtsp_proto::auth::{
    ClientAuthenticator, DigestAlgorithm, DigestInput, ServerAuthenticator, UserCredentials,
};
use rtsp_proto::client::{ClientConfig, ClientSession};
use rtsp_proto::header::{Authorization, Session, TypedHeader, WwwAuthenticate};
use rtsp_proto::message::{Decoder, HeaderName, HeaderValue, Headers, Message, Request};
use rtsp_proto::server::{RequestKind, Server, ServerConfig, ServerEvent, TrackConfig};
use rtsp_proto::Method;
use std::collections::HashSet;
use std::time::Instant;

const PASSWORD: &str = "Tr0ub4dor&3-secret";

fn assert_no_secret(what: &str, debug: String, secrets: &[&str]) {
    for s in secrets {
        assert!(
            !debug.contains(s),
            "{what}'s Debug shows the secret {s:?}: {debug}"
        );
    }
}

#[test]
fn no_secret_in_any_debug_output() {
    #[allow(clippy::disallowed_methods)]
    let now = Instant::now();
    let mut rng = StdRng::seed_from_u64(1);
    let creds = UserCredentials::new("alice", PASSWORD);
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("alice:{PASSWORD}"));
    let mut secrets = vec![PASSWORD, basic.as_str()];

    assert_no_secret("UserCredentials", format!("{creds:?}"), &secrets);
    assert_no_secret(
        "UserCredentials from a URL",
        format!(
            "{:?}",
            UserCredentials::from_url(&format!("rtsp://alice:{PASSWORD}@cam/x")).unwrap()
        ),
        &secrets,
    );
    let input = DigestInput {
        algorithm: DigestAlgorithm::Md5,
        username: "alice",
        realm: "r",
        password: PASSWORD,
        method: "DESCRIBE",
        uri: "rtsp://cam/x",
        nonce: "n",
        qop_auth: None,
    };
    assert_no_secret("DigestInput", format!("{input:?}"), &secrets);

    // The client side: authenticator, the header it builds, config, session.
    let mut client_auth = ClientAuthenticator::new(Some(creds.clone()));
    let challenge =
        WwwAuthenticate::parse(r#"Digest realm="r", nonce="abc", algorithm=MD5"#).unwrap();
    assert!(client_auth.handle_unauthorized(&challenge).unwrap());
    let digest = client_auth
        .authorization(&Method::DESCRIBE, "rtsp://cam/x", &mut rng)
        .unwrap();
    let response = digest.0.param("response").unwrap().to_owned();
    secrets.push(&response);
    assert_no_secret("ClientAuthenticator", format!("{client_auth:?}"), &secrets);
    assert_no_secret("Authorization (Digest)", format!("{digest:?}"), &secrets);
    assert_no_secret("Credentials", format!("{:?}", digest.0), &secrets);
    let basic_header = Authorization::parse(&format!("Basic {basic}")).unwrap();
    assert_no_secret(
        "Authorization (Basic)",
        format!("{basic_header:?}"),
        &secrets,
    );

    let mut headers = Headers::new();
    headers.insert(
        HeaderName::AUTHORIZATION,
        HeaderValue::from_string(format!("Basic {basic}")).unwrap(),
    );
    headers.insert(
        HeaderName::PROXY_AUTHORIZATION,
        HeaderValue::from_string(digest.to_value_string()).unwrap(),
    );
    assert_no_secret("Headers", format!("{headers:?}"), &secrets);
    let wire = format!(
        "DESCRIBE rtsp://cam/x RTSP/1.0\r\nCSeq: 1\r\nAuthorization: Basic {basic}\r\n\r\n"
    );
    let mut buf = BytesMut::from(wire.as_bytes());
    let Some(Message::Request(req)) = Decoder::new().decode(&mut buf).unwrap() else {
        panic!("a request");
    };
    let req: Request = req;
    assert_no_secret("Request", format!("{req:?}"), &secrets);
    assert_no_secret("Message", format!("{:?}", Message::Request(req)), &secrets);

    let mut config = ClientConfig::seeded(1);
    config.credentials = Some(creds.clone());
    assert_no_secret("ClientConfig", format!("{config:?}"), &secrets);
    let mut session = ClientSession::new(
        &format!("rtsp://alice:{PASSWORD}@cam/x"),
        ClientConfig::seeded(2),
    )
    .unwrap();
    session.describe(now).unwrap();
    assert_no_secret("ClientSession", format!("{session:?}"), &secrets);
    // The password in the URL is never sent in a request URI either.
    let t = session.poll_transmit().unwrap();
    assert_no_secret(
        "the DESCRIBE on the wire",
        String::from_utf8_lossy(&t.data).into_owned(),
        &secrets,
    );

    // The server side.
    let mut server_auth = ServerAuthenticator::new("r", now, &mut rng);
    server_auth.add_user(creds);
    assert_no_secret("ServerAuthenticator", format!("{server_auth:?}"), &secrets);
    let mut config = ServerConfig::default();
    config.authenticator = Some(server_auth);
    assert_no_secret("ServerConfig", format!("{config:?}"), &secrets);
    let server = Server::new(config);
    assert_no_secret("Server", format!("{server:?}"), &secrets);
}

/// Sets up `n` sessions on a server seeded with `seed`; returns their ids.
fn session_ids(seed: u64, n: usize) -> Vec<String> {
    let mut config = ServerConfig::default();
    config.rng = Box::new(StdRng::seed_from_u64(seed));
    let mut server = Server::new(config);
    server
        .add_mount("/x", vec![TrackConfig::new("trackID=0", 0, 8000)])
        .unwrap();
    #[allow(clippy::disallowed_methods)]
    let now = Instant::now();
    let mut ids = Vec::new();
    for i in 0..n {
        let conn = server
            .accept(
                now,
                format!("127.0.0.1:{}", 10_000 + i).parse().unwrap(),
                "127.0.0.1:8554".parse().unwrap(),
            )
            .unwrap();
        let msg = "SETUP rtsp://127.0.0.1:8554/x/trackID=0 RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n";
        let mut buf = BytesMut::from(msg.as_bytes());
        server.handle_stream(now, conn, &mut buf);
        while let Some(e) = server.poll_event() {
            if let ServerEvent::Request(r) = e {
                assert!(matches!(r.kind, RequestKind::Setup { .. }));
                server.accept_request(now, r.id).unwrap();
            }
        }
        let mut out = BytesMut::new();
        while let Some(b) = server.poll_stream_output(conn) {
            out.extend_from_slice(&b);
        }
        let Some(Message::Response(r)) = Decoder::new().decode(&mut out).unwrap() else {
            panic!("a response");
        };
        ids.push(r.headers.typed::<Session>().unwrap().unwrap().id);
    }
    ids
}

#[test]
fn session_ids_are_long_random_and_from_the_configured_rng() {
    let ids = session_ids(7, 500);
    for id in &ids {
        // 16 characters of 62: about 95 bits, over RFC 7826's 64 (§18.49).
        assert_eq!(id.len(), 16, "{id}");
        assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()), "{id}");
    }
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());
    // Every character position takes many values (no fixed prefix or counter).
    for pos in 0..16 {
        let distinct: HashSet<u8> = ids.iter().map(|id| id.as_bytes()[pos]).collect();
        assert!(distinct.len() > 40, "position {pos}: {}", distinct.len());
    }
    // The ids come from the injected RNG: the same seed gives the same ids, another
    // seed other ids.
    assert_eq!(session_ids(7, 5), ids[..5]);
    assert!(session_ids(8, 5).iter().all(|id| !ids.contains(id)));
}

/// The `Debug` output of each limits-bearing type's defaults, by the name SECURITY.md
/// gives it.
fn defaults_debug(name: &str) -> Option<String> {
    #[allow(clippy::disallowed_methods)]
    let now = Instant::now();
    Some(match name {
        "message::Limits" => format!("{:?}", rtsp_proto::message::Limits::default()),
        "server::ServerLimits" => format!("{:?}", rtsp_proto::server::ServerLimits::default()),
        "server::ServerConfig" => {
            let c = ServerConfig::default();
            format!(
                "ServerConfig {{ session_timeout: {:?}, answer_timeout: {:?}, read_timeout: {:?} }}",
                c.session_timeout, c.answer_timeout, c.read_timeout
            )
        }
        "auth::ServerAuthenticator" => format!(
            "{:?}",
            ServerAuthenticator::new("r", now, &mut StdRng::seed_from_u64(1))
        ),
        "client::Limits" => format!("{:?}", rtsp_proto::client::Limits::default()),
        "client::ClientConfig" => format!("{:?}", ClientConfig::seeded(1)),
        "rtp::Limits" => format!("{:?}", rtsp_proto::rtp::Limits::default()),
        "codec::DepacketizerLimits" => {
            format!("{:?}", rtsp_proto::codec::DepacketizerLimits::default())
        }
        "sdp::Limits" => format!("{:?}", rtsp_proto::sdp::Limits::default()),
        _ => return None,
    })
}

#[test]
fn security_md_limits_table_matches_the_defaults() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/SECURITY.md")).unwrap();
    let section = text
        .split("## Limits and their defaults")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("a limits section");
    let mut rows = 0;
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line
            .split('|')
            .map(|c| c.trim().trim_matches('`'))
            .collect();
        let (ty, field, default) = (cells[1], cells[2], cells[3]);
        let debug = defaults_debug(ty).unwrap_or_else(|| panic!("unknown type {ty}"));
        let needle = format!("{field}: {default}");
        let found = debug.match_indices(&needle).any(|(i, _)| {
            let before = debug[..i].chars().last();
            let after = debug[i + needle.len()..].chars().next();
            matches!(before, Some(' ' | '{')) && matches!(after, Some(',' | ' ' | '}') | None)
        });
        assert!(
            found,
            "SECURITY.md says {ty}::{field} = {default}; the default is {debug}"
        );
        rows += 1;
    }
    assert!(rows >= 30, "{rows} rows");
}
