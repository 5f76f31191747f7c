//! Backoff with full jitter and server waits (the unknown-outcome policy is in delivery.rs).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: helpers outside #[test] functions"
)]

use cartpinger_core::meta_error::{outcome_for_code, Outcome, PermanentKind, RateScope};
use cartpinger_core::retry::{Backoff, Decision};
use proptest::prelude::*;

fn transient(retry_after_ms: Option<u64>) -> Outcome {
    Outcome::Transient {
        code: Some(131016),
        retry_after_ms,
        human: String::new(),
    }
}

#[test]
fn ceilings_double_up_to_the_cap() {
    let b = Backoff {
        base_ms: 1_000,
        cap_ms: 30_000,
        max_attempts: 10,
    };
    let c: Vec<u64> = (0..7).map(|n| b.ceiling_ms(n)).collect();
    assert_eq!(c, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    assert_eq!(b.ceiling_ms(200), 30_000);
    assert_eq!(
        Backoff {
            base_ms: u64::MAX,
            cap_ms: u64::MAX,
            max_attempts: 1
        }
        .ceiling_ms(5),
        u64::MAX
    );
}

#[test]
fn full_jitter_spans_zero_to_ceiling() {
    let b = Backoff {
        base_ms: 1_000,
        cap_ms: 30_000,
        max_attempts: 10,
    };
    assert_eq!(b.delay_ms(2, 0), 0);
    assert_eq!(b.delay_ms(2, 4_000), 4_000);
    assert_eq!(b.delay_ms(2, 4_001), 0);
    assert_eq!(b.delay_ms_f64(2, 0.0), 0);
    assert_eq!(b.delay_ms_f64(2, 0.5), 2_000);
    assert_eq!(b.delay_ms_f64(2, 0.999_999), 3_999);
    assert_eq!(b.delay_ms_f64(2, 7.0), 4_000);
    assert_eq!(b.delay_ms_f64(2, f64::NAN), 0);
}

#[test]
fn decisions_by_outcome() {
    let b = Backoff::default();
    let now = 1_700_000_000_000;
    assert_eq!(
        b.decide(
            1,
            &Outcome::Accepted {
                wamid: "w".into(),
                message_status: None
            },
            now,
            7
        ),
        Decision::Done
    );
    for code in [131026, 132000, 190, 131031] {
        assert_eq!(
            b.decide(1, &outcome_for_code(code, None, None), now, 7),
            Decision::GiveUp,
            "{code}"
        );
    }
    let unknown = Outcome::Unknown {
        detail: String::new(),
    };
    // Unknown is never retried inside a batch: the queue's policy (delivery.rs) settles it.
    assert_eq!(b.decide(1, &unknown, now, 7), Decision::GiveUp);
    // Transient: jittered, server wait is a floor.
    assert_eq!(
        b.decide(1, &transient(None), now, 1_234),
        Decision::RetryAfter(1_234)
    );
    assert_eq!(
        b.decide(1, &transient(Some(60_000)), now, 1_234),
        Decision::RetryAfter(60_000)
    );
    // Out of attempts.
    assert_eq!(
        b.decide(b.max_attempts, &transient(None), now, 1),
        Decision::GiveUp
    );
    // 131057 carries its 1-minute default.
    assert_eq!(
        b.decide(1, &outcome_for_code(131057, None, None), now, 5),
        Decision::RetryAfter(60_000)
    );
}

#[test]
fn pair_rate_limit_waits_four_to_the_x_seconds() {
    let b = Backoff {
        base_ms: 1_000,
        cap_ms: 600_000,
        max_attempts: 10,
    };
    let pair = Outcome::RateLimited {
        code: Some(131056),
        scope: RateScope::Recipient,
        retry_after_ms: None,
        human: String::new(),
    };
    // random = 0: no jitter on top of the floor.
    let d: Vec<Decision> = (1..=5).map(|a| b.decide(a, &pair, 0, 0)).collect();
    assert_eq!(
        d,
        [6_000, 6_000, 16_000, 64_000, 256_000].map(Decision::RetryAfter)
    );
    let throughput = outcome_for_code(130429, None, None);
    assert_eq!(
        b.decide(3, &throughput, 0, 2_500),
        Decision::RetryAfter(2_500)
    );
}

#[test]
fn permanent_kinds_never_retry() {
    let b = Backoff::default();
    for kind in [PermanentKind::Drop, PermanentKind::Fix] {
        let o = Outcome::Permanent {
            code: 1,
            kind,
            title: String::new(),
            human: String::new(),
        };
        assert_eq!(b.decide(1, &o, 0, 0), Decision::GiveUp);
    }
}

proptest! {
    #[test]
    fn delays_stay_within_bounds(
        base in 1u64..100_000, cap in 1u64..10_000_000, attempt in 0u32..100, random in any::<u64>(),
        server in proptest::option::of(0u64..100_000_000),
    ) {
        let b = Backoff { base_ms: base, cap_ms: cap, max_attempts: 1_000 };
        let d = b.delay_ms(attempt, random);
        prop_assert!(d <= b.ceiling_ms(attempt));
        prop_assert!(b.ceiling_ms(attempt) <= cap);
        match b.decide(attempt + 1, &transient(server), 0, random) {
            Decision::RetryAfter(ms) => {
                prop_assert!(ms <= cap.max(server.unwrap_or(0)));
                prop_assert!(ms >= server.unwrap_or(0));
            }
            other => prop_assert!(false, "{:?}", other),
        }
    }

    #[test]
    fn attempts_are_bounded(max in 1u32..20, random in any::<u64>()) {
        let b = Backoff { base_ms: 10, cap_ms: 1_000, max_attempts: max };
        let retries = (1..=max + 5)
            .take_while(|a| matches!(b.decide(*a, &transient(None), 0, random), Decision::RetryAfter(_)))
            .count();
        prop_assert_eq!(retries, usize::try_from(max - 1).unwrap());
    }
}
