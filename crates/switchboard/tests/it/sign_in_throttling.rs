//! Throttling of failed console sign-ins: per (client address, email) with
//! growing delays, plus a ceiling per address; never turned against a user
//! signing in from somewhere else (docs/console.md, "Sign-in throttling").

use std::time::Duration;

use reqwest::StatusCode;

use crate::browser::{Answer, Browser};
use crate::connect::{PASSWORD, customer};
use crate::server_test;
use crate::support::rand_id;

const WRONG: &str = "wrong password!";

fn retry_after(answer: &Answer) -> u64 {
    answer
        .header("retry-after")
        .parse()
        .unwrap_or_else(|_| panic!("no Retry-After: {} {}", answer.status, answer.body))
}

#[track_caller]
fn refused(answer: &Answer, what: &str) {
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS, "{what}");
    assert!(answer.body.contains("Too many failed sign-ins"), "{what}");
}

server_test!(
    a_strangers_failures_never_block_the_right_password_elsewhere,
    |s| {
        let c = customer(&s, true).await;
        let mut stranger = Browser::from_address(&s, "127.0.0.2");
        for i in 0..12 {
            let answer = stranger.sign_in(&c.email, WRONG, "/console").await;
            assert!(
                answer.status == StatusCode::UNAUTHORIZED
                    || answer.status == StatusCode::TOO_MANY_REQUESTS,
                "attempt {i}: {}",
                answer.status
            );
        }
        refused(
            &stranger.sign_in(&c.email, PASSWORD, "/console").await,
            "the stranger's own address is throttled for this account",
        );
        let mut owner = Browser::from_address(&s, "127.0.0.3");
        let answer = owner.sign_in(&c.email, PASSWORD, "/console").await;
        assert_eq!(
            answer.status,
            StatusCode::SEE_OTHER,
            "the owner, elsewhere, signs in: {}",
            answer.body
        );
        assert!(owner.cookie("sb_session").is_some());
    }
);

server_test!(delays_grow_with_each_failure_from_one_address, |s| {
    let c = customer(&s, true).await;
    let unknown = format!("nobody{}@example.com", rand_id());
    let mut b = Browser::from_address(&s, "127.0.0.2");
    // Three failures are free, for a known email and an unknown one alike (so
    // throttling says nothing about which emails have accounts).
    for email in [&c.email, &unknown] {
        for i in 0..3 {
            let answer = b.sign_in(email, WRONG, "/console").await;
            assert_eq!(
                answer.status,
                StatusCode::UNAUTHORIZED,
                "{email} attempt {i}"
            );
            assert!(answer.body.contains("incorrect"));
        }
        // Then each attempt waits 2^(n-3) seconds after the n-th failure.
        let answer = b.sign_in(email, PASSWORD, "/console").await;
        refused(&answer, "even the right password waits, from this address");
        assert_eq!(retry_after(&answer), 1, "{email}");
    }
    assert!(b.cookie("sb_session").is_none());
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let answer = b.sign_in(&c.email, WRONG, "/console").await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "the delay is over");
    let answer = b.sign_in(&c.email, PASSWORD, "/console").await;
    refused(&answer, "the fourth failure doubles the delay");
    assert_eq!(retry_after(&answer), 2);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let answer = b.sign_in(&c.email, PASSWORD, "/console").await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    // Success starts this address's count for this account again.
    b.forget_cookies();
    for i in 0..3 {
        let answer = b.sign_in(&c.email, WRONG, "/console").await;
        assert_eq!(
            answer.status,
            StatusCode::UNAUTHORIZED,
            "after success, {i}"
        );
    }
});

server_test!(the_address_ceiling_throttles_only_that_address, |s| {
    let c = customer(&s, true).await;
    let mut b = Browser::from_address(&s, "127.0.0.2");
    // A hundred failures over a hundred emails: none reaches its own delay.
    for i in 0..100 {
        let answer = b
            .sign_in(
                &format!("nobody{i}-{}@example.com", rand_id()),
                WRONG,
                "/console",
            )
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let answer = b.sign_in(&c.email, PASSWORD, "/console").await;
    refused(
        &answer,
        "the address is over its ceiling, for every account",
    );
    let wait = retry_after(&answer);
    assert!((1..=15 * 60).contains(&wait), "{wait}");
    let mut elsewhere = Browser::from_address(&s, "127.0.0.3");
    let answer = elsewhere.sign_in(&c.email, PASSWORD, "/console").await;
    assert_eq!(
        answer.status,
        StatusCode::SEE_OTHER,
        "another address is not throttled"
    );
});

server_test!(
    failed_and_throttled_sign_ins_are_in_the_owners_audit_log,
    |s| {
        let mut c = customer(&s, true).await;
        let mut stranger = Browser::from_address(&s, "127.0.0.2");
        for _ in 0..4 {
            stranger.sign_in(&c.email, WRONG, "/console").await;
        }
        let page = c.browser.get("/console/audit").await;
        assert_eq!(page.status, StatusCode::OK);
        let failed = page.body.matches("console.sign_in_failed").count();
        assert_eq!(
            failed, 3,
            "three failures, the fourth was refused:\n{}",
            page.body
        );
        assert!(page.body.contains("Failed to sign in"), "{}", page.body);
        assert!(
            page.body.contains("console.sign_in_throttled"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("from 127.0.0.2"),
            "the stranger's address"
        );
        assert!(!page.body.contains(WRONG), "never the password");
    }
);

server_test!(
    behind_a_trusted_proxy_each_forwarded_client_is_its_own,
    settings = |settings| settings.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()],
    |s| {
        let email = format!("owner{}@example.com", rand_id());
        let mut owner = Browser::forwarded_for(&s, "203.0.113.9");
        let answer = owner.sign_up("Owner Co", &email, PASSWORD).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        owner.forget_cookies();
        let mut stranger = Browser::forwarded_for(&s, "203.0.113.5");
        for i in 0..3 {
            let answer = stranger.sign_in(&email, WRONG, "/console").await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        }
        refused(
            &stranger.sign_in(&email, PASSWORD, "/console").await,
            "the stranger's forwarded address waits",
        );
        // What the client writes itself is left of what the proxy appended.
        let mut sneaky = Browser::forwarded_for(&s, "198.51.100.77, 203.0.113.5");
        refused(
            &sneaky.sign_in(&email, PASSWORD, "/console").await,
            "a forged entry on the left does not escape",
        );
        // Another client of the same proxy is not held back.
        let answer = owner.sign_in(&email, PASSWORD, "/console").await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        let audit = owner.get("/console/audit").await;
        assert_eq!(audit.status, StatusCode::OK);
        assert!(!audit.body.contains("from 127.0.0.1"), "{}", audit.body);
        assert!(!audit.body.contains("198.51.100.77"), "{}", audit.body);
        let line = |action: &str| {
            audit
                .body
                .split("<tr>")
                .filter(|row| row.contains(&format!(">{action}<")))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        let sign_up = line("account.sign_up");
        assert!(
            sign_up.len() == 1 && sign_up[0].contains("from 203.0.113.9"),
            "{sign_up:?}"
        );
        let sign_in = line("console.sign_in");
        assert!(
            sign_in.len() == 1 && sign_in[0].contains("from 203.0.113.9"),
            "{sign_in:?}"
        );
        let failed = line("console.sign_in_failed");
        assert_eq!(failed.len(), 3, "{}", audit.body);
        assert!(
            failed.iter().all(|row| row.contains("from 203.0.113.5")),
            "{failed:?}"
        );
    }
);

server_test!(
    forwarded_for_is_ignored_from_peers_that_are_not_trusted,
    settings = |settings| settings.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap()],
    |s| {
        let mut c = customer(&s, true).await;
        let mut stranger = Browser::forwarded_for(&s, "203.0.113.5");
        for i in 0..3 {
            let answer = stranger.sign_in(&c.email, WRONG, "/console").await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        }
        // Claiming to be someone else changes nothing: the peer, 127.0.0.1, is
        // not a trusted proxy, so this is the same client.
        let mut pretender = Browser::forwarded_for(&s, "203.0.113.9");
        refused(
            &pretender.sign_in(&c.email, PASSWORD, "/console").await,
            "X-Forwarded-For from an untrusted peer is ignored",
        );
        let audit = c.browser.get("/console/audit").await;
        assert!(audit.body.contains("from 127.0.0.1"), "{}", audit.body);
        assert!(!audit.body.contains("203.0.113."), "{}", audit.body);
    }
);

async fn post_wrong(tab: &mut Browser<'_>, csrf: &str, email: &str) -> StatusCode {
    let form = [("csrf_token", csrf), ("email", email), ("password", WRONG)];
    tab.post("/signin", &form).await.status
}

server_test!(concurrent_attempts_cannot_all_pass_one_check, |s| {
    let c = customer(&s, true).await;
    let mut b = Browser::from_address(&s, "127.0.0.2");
    for _ in 0..4 {
        b.sign_in(&c.email, WRONG, "/console").await;
    }
    // The fourth failure made the next attempt wait 2 s; the fifth will make
    // the one after it wait 4 s. Eight attempts sent at once after the wait:
    // one is checked, the rest wait.
    let mut tabs: Vec<Browser> = (0..8)
        .map(|_| Browser::from_address(&s, "127.0.0.2"))
        .collect();
    let mut tokens = Vec::new();
    for tab in &mut tabs {
        tokens.push(tab.get("/signin").await.csrf());
    }
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let [t0, t1, t2, t3, t4, t5, t6, t7] = &mut tabs[..] else {
        unreachable!()
    };
    let email = c.email.as_str();
    let answers = tokio::join!(
        post_wrong(t0, &tokens[0], email),
        post_wrong(t1, &tokens[1], email),
        post_wrong(t2, &tokens[2], email),
        post_wrong(t3, &tokens[3], email),
        post_wrong(t4, &tokens[4], email),
        post_wrong(t5, &tokens[5], email),
        post_wrong(t6, &tokens[6], email),
        post_wrong(t7, &tokens[7], email),
    );
    let statuses = [
        answers.0, answers.1, answers.2, answers.3, answers.4, answers.5, answers.6, answers.7,
    ];
    let checked = statuses
        .iter()
        .filter(|&&st| st == StatusCode::UNAUTHORIZED)
        .count();
    let waited = statuses
        .iter()
        .filter(|&&st| st == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, waited), (1, 7), "{statuses:?}");
});

server_test!(the_server_clears_expired_sessions_and_old_failures, |s| {
    use switchboard_store::sessions;
    use switchboard_types::Timestamp;

    let c = customer(&s, true).await;
    let user =
        s.sb.store()
            .opt(switchboard_store::users::by_email(&c.email))
            .await
            .unwrap()
            .expect("the customer's user");
    let now = Timestamp::now();
    let day = 24 * 60 * 60 * 1_000_000;
    let expired = [7u8; 32];
    let subject = format!("ip:housekeeping-{}", rand_id());
    let session_at = now.plus_micros(-2 * day);
    let failures_since = now.plus_micros(-3 * day);
    // Written as they would be by a sign-in a day ago, and read back in the
    // same transaction: the housekeeper runs every 100 ms, so a read after
    // the commit could already find them gone.
    let mut tx = s.sb.store().begin().await.unwrap();
    tx.run(sessions::insert(
        &expired,
        &user.id,
        "csrf",
        session_at,
        now.plus_micros(-day),
    ))
    .await
    .unwrap();
    tx.run(sessions::record_failure(&subject, now.plus_micros(-day)))
        .await
        .unwrap();
    let written = (
        tx.opt(sessions::live(&expired, session_at))
            .await
            .unwrap()
            .is_some(),
        tx.one(sessions::failures_since(&subject, failures_since, 10))
            .await
            .unwrap(),
    );
    assert_eq!(written, (true, 1));
    tx.commit().await.unwrap();
    let present = || async {
        let session =
            s.sb.store()
                .opt(sessions::live(&expired, session_at))
                .await
                .unwrap()
                .is_some();
        let failures =
            s.sb.store()
                .one(sessions::failures_since(&subject, failures_since, 10))
                .await
                .unwrap();
        (session, failures)
    };
    let mut left = present().await;
    for _ in 0..50 {
        left = present().await;
        if left == (false, 0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        left,
        (false, 0),
        "the expired session and the old failure are still there"
    );
    // A live session is kept.
    let mut browser = Browser::new(&s);
    let answer = browser.sign_in(&c.email, PASSWORD, "/console").await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(browser.get("/console").await.status, StatusCode::OK);
});
