//! A thousand of our `ClientSession`s against one `Server`, in memory (`tests/pair`): TCP
//! and UDP players, 5% UDP loss, up to 200 ms of jitter (so datagrams overtake each other),
//! TCP bytes delayed and split anywhere, connections dropped by the network, client
//! processes that restart, clients that hang. Afterwards nothing is left on either side:
//! no session, connection, timer, pending request, UDP mapping, mount attachment or queued
//! item at the server, no request in flight or timer at any client, and every request got
//! exactly one answer (a response or a timeout).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod pair;

use pair::{Fate, Knobs, Pair};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rtsp_proto::server::{ServerConfig, SessionEndReason};
use std::time::Duration;

#[test]
fn a_thousand_sessions_with_loss_reordering_drops_and_restarts_leave_nothing_behind() {
    let knobs = Knobs {
        loss: 0.05,
        jitter: Duration::from_millis(200),
        tcp_delay: Duration::from_millis(60),
    };
    let mut config = ServerConfig::default();
    config.session_timeout = Duration::from_secs(8);
    let mut limits = config.limits;
    limits.max_output_bytes = 64 * 1024;
    config.limits = limits;
    let mut p = Pair::new(7, knobs, config);
    p.frames_until = p.start + Duration::from_secs(45);
    let mut rng = StdRng::seed_from_u64(99);
    const N: usize = 1000;
    for i in 0..N {
        let fate = match i % 10 {
            0..=4 => Fate::Teardown,
            5 | 6 => Fate::Dropped,
            7 | 8 => Fate::Restart,
            _ => Fate::Freeze,
        };
        let udp = rng.random_bool(0.5);
        let start = Duration::from_millis(rng.random_range(0..20_000));
        let play = Duration::from_millis(rng.random_range(2_000..14_000));
        p.add_client(fate, udp, start, play);
    }
    p.run();

    // The server holds nothing.
    let s = &p.server;
    assert_eq!(s.session_count(), 0);
    assert_eq!(s.connection_count(), 0);
    assert_eq!(s.poll_timeout(), None);
    assert_eq!(s.timer_count(), 0);
    assert_eq!(s.pending_request_count(), 0);
    assert_eq!(s.udp_source_count(), 0);
    assert_eq!(s.queued_counts(), (0, 0));
    assert_eq!(s.mount_attachments(p.mount), Some((0, 0)));

    // Each client: ended, nothing in flight, every request answered exactly once.
    let mut played = 0;
    let mut concurrent_hint = 0;
    for (i, c) in p.clients.iter().enumerate() {
        let session = c.session.as_ref().expect("every client has a session");
        assert_eq!(session.poll_timeout(), None, "client {i}");
        assert_eq!(session.in_flight_count(), 0, "client {i}");
        assert_eq!(session.queued_counts(), (0, 0), "client {i}");
        assert_eq!(c.record.closed.len(), 1, "client {i} closed once");
        for (id, answers) in &c.record.requests {
            assert_eq!(answers.len(), 1, "client {i} request {id:?}: {answers:?}");
        }
        assert!(
            c.record.failures.is_empty(),
            "client {i} {:?}: {:?}",
            c.fate,
            c.record.failures
        );
        assert!(
            c.record.played,
            "client {i} {:?} played: {:?} udp {}",
            c.fate, c.record, c.udp
        );
        assert!(c.record.rtp > 0, "client {i} got media");
        played += 1;
        if c.fate == Fate::Teardown && !c.restarted {
            assert_eq!(c.record.closed, vec![true], "client {i} tore down cleanly");
        }
        if c.fate == Fate::Dropped {
            assert_eq!(c.record.closed, vec![false], "client {i} saw the drop");
        }
        concurrent_hint += usize::from(c.restarted);
    }
    assert_eq!(played, 1000);
    assert!(concurrent_hint >= 150, "{concurrent_hint} restarts");
    // The network really was hostile.
    assert!(p.lost > 1000, "{} datagrams lost", p.lost);
    assert!(p.reordered > 1000, "{} datagrams reordered", p.reordered);

    // Sessions ended for the right reasons: every session that was created ended once.
    let total: usize = p.ended.values().sum();
    let teardowns = p
        .clients
        .iter()
        .filter(|c| c.fate == Fate::Teardown)
        .count();
    assert_eq!(p.ended.get(&SessionEndReason::Teardown), Some(&teardowns));
    // Restarted UDP clients and frozen clients leave sessions that expire.
    assert!(
        p.ended
            .get(&SessionEndReason::Timeout)
            .copied()
            .unwrap_or(0)
            > 50
    );
    assert_eq!(total, N + p.clients.iter().filter(|c| c.restarted).count());
}
