//! The queue's delivery policy, cell by cell (docs/delivery.md is the same table in words).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use cartpinger_core::delivery::{
    decide, deferred_still_useful, on_lease_expired, reason, settle_unknown, Kind, LeaseExpiry,
    Report, Settle, Step, UnknownFacts, DEFERRED_MAX_AGE_MS, MAX_ATTEMPTS, MIN_RETRY_MS,
    ORDER_GIVE_UP_MS, ORDER_RESEND_AFTER_MS, UNKNOWN_WINDOW_MS,
};
use proptest::prelude::*;

const NOW: u64 = 1_800_000_000_000;
const KINDS: [Kind; 3] = [Kind::Recovery, Kind::Order, Kind::Test];

#[test]
fn accepted_is_sent_with_its_wamid_for_every_kind() {
    for kind in KINDS {
        let step = decide(
            kind,
            &Report::Accepted {
                wamid: "wamid.X".into(),
            },
            3,
            NOW,
            9,
        );
        assert_eq!(
            step,
            Step::Sent {
                wamid: "wamid.X".into()
            }
        );
    }
}

#[test]
fn rejected_fails_with_metas_code_and_fatal_pauses() {
    for kind in KINDS {
        assert_eq!(
            decide(kind, &Report::Permanent { code: 131_026 }, 0, NOW, 1),
            Step::Fail {
                reason: "131026".into()
            }
        );
        assert_eq!(
            decide(kind, &Report::Permanent { code: 0 }, 0, NOW, 1),
            Step::Fail {
                reason: "invalid".into()
            }
        );
        assert_eq!(
            decide(kind, &Report::Fatal { code: 190 }, 0, NOW, 1),
            Step::Pause {
                reason: "190".into()
            }
        );
        assert_eq!(
            decide(kind, &Report::NotAttempted, 4, NOW, 1),
            Step::Release
        );
    }
}

#[test]
fn unknown_waits_for_the_webhook_never_retries() {
    for kind in KINDS {
        assert_eq!(
            decide(kind, &Report::Unknown, 0, NOW, 1),
            Step::Unknown {
                check_at_ms: NOW + UNKNOWN_WINDOW_MS
            }
        );
    }
}

#[test]
fn not_sent_retries_with_jitter_floor_and_server_wait() {
    let transient = Report::Transient {
        code: None,
        retry_after_ms: None,
    };
    // random 0: the floor; a big random: bounded by the 30 s · 2ⁿ ceiling.
    assert_eq!(
        decide(Kind::Order, &transient, 0, NOW, 0),
        Step::Retry {
            due_at_ms: NOW + MIN_RETRY_MS,
            reason: "transient".into()
        }
    );
    assert_eq!(
        decide(Kind::Order, &transient, 2, NOW, 119_999),
        Step::Retry {
            due_at_ms: NOW + 119_999,
            reason: "transient".into()
        }
    );
    let waited = Report::Transient {
        code: Some(131_000),
        retry_after_ms: Some(600_000),
    };
    assert_eq!(
        decide(Kind::Recovery, &waited, 0, NOW, 0),
        Step::Retry {
            due_at_ms: NOW + 600_000,
            reason: "131000".into()
        }
    );
    // Out of attempts.
    assert_eq!(
        decide(Kind::Recovery, &transient, MAX_ATTEMPTS - 1, NOW, 0),
        Step::Fail {
            reason: reason::RETRIES_SPENT.into()
        }
    );
}

#[test]
fn pair_limit_waits_four_to_the_n_seconds() {
    let pair = Report::RateLimited {
        code: Some(131_056),
        retry_after_ms: None,
    };
    let waits: Vec<u64> = (0..4)
        .map(|a| match decide(Kind::Order, &pair, a, 0, 0) {
            Step::Retry { due_at_ms, .. } => due_at_ms,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(waits, [6_000, 6_000, 16_000, 64_000]);
}

#[test]
fn lease_expiry_tells_never_attempted_from_in_flight() {
    assert_eq!(on_lease_expired("claimed"), LeaseExpiry::Pending);
    assert_eq!(on_lease_expired("sending"), LeaseExpiry::Unknown);
    for other in ["sent", "pending", "unknown", "failed", "delivered"] {
        assert_eq!(on_lease_expired(other), LeaseExpiry::Keep);
    }
}

fn facts(kind: Kind, age: u64) -> UnknownFacts {
    UnknownFacts {
        kind,
        in_flight_at_ms: NOW,
        now_ms: NOW + age,
        has_wamid: false,
        status_seen: false,
        later_status_seen: false,
        resent: false,
    }
}

#[test]
fn a_wamid_or_a_status_settles_as_sent_for_every_kind() {
    for kind in KINDS {
        for age in [0, UNKNOWN_WINDOW_MS, ORDER_GIVE_UP_MS * 2] {
            let mut f = facts(kind, age);
            f.has_wamid = true;
            assert_eq!(settle_unknown(&f), Settle::Sent);
            let mut f = facts(kind, age);
            f.status_seen = true;
            assert_eq!(settle_unknown(&f), Settle::Sent);
        }
    }
}

#[test]
fn recovery_and_test_close_unresent_after_the_window() {
    for kind in [Kind::Recovery, Kind::Test] {
        assert_eq!(
            settle_unknown(&facts(kind, UNKNOWN_WINDOW_MS - 1)),
            Settle::WaitUntil(NOW + UNKNOWN_WINDOW_MS)
        );
        let mut f = facts(kind, UNKNOWN_WINDOW_MS);
        assert_eq!(settle_unknown(&f), Settle::Close);
        // Even with proof that webhooks work, a marketing message is never resent.
        f.later_status_seen = true;
        f.now_ms = NOW + ORDER_GIVE_UP_MS;
        assert_eq!(settle_unknown(&f), Settle::Close);
    }
}

#[test]
fn order_updates_resend_once_only_on_evidence() {
    let k = Kind::Order;
    assert_eq!(
        settle_unknown(&facts(k, UNKNOWN_WINDOW_MS)),
        Settle::WaitUntil(NOW + ORDER_RESEND_AFTER_MS)
    );
    // Past the resend window with webhooks proven to work: resend once.
    let mut f = facts(k, ORDER_RESEND_AFTER_MS);
    f.later_status_seen = true;
    assert_eq!(settle_unknown(&f), Settle::Resend);
    // Resent already: never a second time.
    f.resent = true;
    assert_eq!(settle_unknown(&f), Settle::Close);
    // No evidence: keep waiting, close at the give-up time, never resend.
    let f = facts(k, ORDER_RESEND_AFTER_MS);
    assert_eq!(
        settle_unknown(&f),
        Settle::WaitUntil(NOW + ORDER_RESEND_AFTER_MS + UNKNOWN_WINDOW_MS)
    );
    assert_eq!(settle_unknown(&facts(k, ORDER_GIVE_UP_MS)), Settle::Close);
    assert_eq!(
        settle_unknown(&facts(k, ORDER_GIVE_UP_MS - 1)),
        Settle::WaitUntil(NOW + ORDER_GIVE_UP_MS)
    );
}

#[test]
fn deferred_notifications_expire_after_two_days() {
    assert!(deferred_still_useful(NOW, NOW));
    assert!(deferred_still_useful(NOW, NOW + DEFERRED_MAX_AGE_MS - 1));
    assert!(!deferred_still_useful(NOW, NOW + DEFERRED_MAX_AGE_MS));
    assert_eq!(DEFERRED_MAX_AGE_MS, 48 * 3_600_000);
}

proptest! {
    /// Nothing but an order update with evidence is ever resent, and at most once.
    #[test]
    fn never_resent_blindly(
        kind in 0u8..3, age in 0u64..(2 * ORDER_GIVE_UP_MS), later in any::<bool>(),
        resent in any::<bool>()
    ) {
        let kind = KINDS[usize::from(kind)];
        let mut f = facts(kind, age);
        f.later_status_seen = later;
        f.resent = resent;
        let s = settle_unknown(&f);
        if s == Settle::Resend {
            prop_assert_eq!(kind, Kind::Order);
            prop_assert!(later && !resent && age >= ORDER_RESEND_AFTER_MS);
        }
        if let Settle::WaitUntil(t) = s {
            prop_assert!(t > f.now_ms);
        }
    }

    /// A retry is never due before now + the floor, never after the cap or the server's wait.
    #[test]
    fn retries_are_bounded(attempts in 0u32..7, random in any::<u64>(), wait in proptest::option::of(0u64..100_000)) {
        let r = Report::Transient { code: Some(131_000), retry_after_ms: wait };
        match decide(Kind::Recovery, &r, attempts, NOW, random) {
            Step::Retry { due_at_ms, .. } => {
                prop_assert!(due_at_ms >= NOW + MIN_RETRY_MS);
                prop_assert!(due_at_ms <= NOW + 3_600_000.max(wait.unwrap_or(0)));
            }
            other => prop_assert!(false, "{:?}", other),
        }
    }
}
