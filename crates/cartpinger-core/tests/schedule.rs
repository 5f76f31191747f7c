//! The recovery scheduler (`cartpinger_core::schedule`): every rule, its precedence, time zones,
//! quiet hours across DST, holdout, the US guard, and a property test. Time is injected: every
//! test passes `now` explicitly (see [`Clock`]); nothing reads the system clock.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use cartpinger_core::catalog::{self, Category};
use cartpinger_core::schedule::quiet::{self, QuietHours, Zone};
use cartpinger_core::schedule::{
    self, holdout_bucket, plan, Decision, Policy, Record, ScheduleError, StopReason, WaitReason,
};
use proptest::prelude::*;

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// Unix seconds of a UTC wall-clock time.
fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
    chrono::NaiveDate::from_ymd_opt(y, mo, d)
        .unwrap()
        .and_hms_opt(h, mi, 0)
        .unwrap()
        .and_utc()
        .timestamp()
}

/// The injected clock: a value the test moves by hand.
#[derive(Debug, Clone, Copy)]
struct Clock(i64);

impl Clock {
    fn now(self) -> i64 {
        self.0
    }
    fn advance(&mut self, seconds: i64) {
        self.0 += seconds;
    }
}

/// 2025-01-15 12:00 UTC: 13:00 in Madrid, 10:00 in São Paulo, 07:00 in New York.
fn noon() -> i64 {
    utc(2025, 1, 15, 12, 0)
}

const QUIET_OFF: QuietHours = QuietHours {
    enabled: false,
    start: 1260,
    end: 540,
};
const QUIET_21_09: QuietHours = QuietHours {
    enabled: true,
    start: 1260,
    end: 540,
};

fn policy() -> Policy {
    Policy {
        delay: HOUR,
        followups: true,
        followup_1_after: 24 * HOUR,
        followup_2_enabled: true,
        followup_2_after: 48 * HOUR,
        coupon: true,
        cooloff: 12 * HOUR,
        max_age: 7 * DAY,
        holdout_percent: 0,
        holdout_salt: "salt".to_owned(),
        quiet: QUIET_OFF,
        default_timezone: "UTC".to_owned(),
        ttl: [6 * HOUR, 12 * HOUR, 24 * HOUR],
        us_marketing_guard: false,
    }
}

const ES: &str = "+34612345678";
const US: &str = "+12024561111";
const CA: &str = "+14162345678";
const BR: &str = "+5511987654321";
const IN: &str = "+919876543210";
const NP: &str = "+9779841234567";
const RU: &str = "+79161234567";
const NON_GEO: &str = "+80012345678";

/// A record abandoned 2 hours before `now`, nothing sent yet, every check passing.
fn record(now: i64) -> Record {
    Record {
        id: 42,
        status: "open".to_owned(),
        consent: true,
        opted_out: false,
        ordered_since: false,
        phone: ES.to_owned(),
        billing_country: "ES".to_owned(),
        created_at: now - 3 * HOUR,
        last_activity_at: now - 2 * HOUR,
        step: 0,
        first_message_at: 0,
        last_other_message_at: 0,
    }
}

fn one(policy: &Policy, record: Record, now: i64) -> Decision {
    let out = plan(policy, &[record], now).unwrap();
    assert_eq!(out.len(), 1);
    out.into_iter().next().unwrap()
}

fn stop(id: i64, reason: StopReason) -> Decision {
    Decision::Stop { id, reason }
}

/// The send decision's `(step, template, send_at, expires_at, coupon, quiet_shifted)`.
fn sent(d: &Decision) -> (u8, &'static str, i64, i64, bool, bool) {
    match d {
        Decision::Send {
            step,
            template,
            send_at,
            expires_at,
            coupon,
            quiet_shifted,
            category,
            ..
        } => {
            assert_eq!(*category, Category::Marketing);
            (
                *step,
                template,
                *send_at,
                *expires_at,
                *coupon,
                *quiet_shifted,
            )
        }
        other => panic!("expected send, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Rules and their precedence
// ---------------------------------------------------------------------------------------------

#[test]
fn every_rule_in_precedence_order() {
    let now = noon();
    let p = Policy {
        holdout_percent: 100,
        us_marketing_guard: true,
        ..policy()
    };
    // Everything wrong at once; fix one thing at a time and watch the next rule decide.
    let mut r = Record {
        status: "recovered".to_owned(),
        opted_out: true,
        consent: false,
        ordered_since: true,
        phone: "0612345678".to_owned(),
        step: 3,
        first_message_at: now - 10 * DAY,
        last_activity_at: now - 10 * DAY,
        last_other_message_at: now - HOUR,
        ..record(now)
    };
    assert_eq!(one(&p, r.clone(), now), stop(42, StopReason::Closed));
    r.status = "messaged".to_owned();
    assert_eq!(one(&p, r.clone(), now), stop(42, StopReason::OptedOut));
    r.opted_out = false;
    assert_eq!(one(&p, r.clone(), now), stop(42, StopReason::NoConsent));
    r.consent = true;
    assert_eq!(one(&p, r.clone(), now), stop(42, StopReason::Ordered));
    r.ordered_since = false;
    assert_eq!(one(&p, r.clone(), now), stop(42, StopReason::InvalidPhone));
    r.phone = US.to_owned();
    assert_eq!(one(&p, r.clone(), now), stop(42, StopReason::Complete));
    r.step = 0;
    r.first_message_at = 0;
    assert_eq!(one(&p, r.clone(), now), stop(42, StopReason::MaxAge));
    r.last_activity_at = now - HOUR / 2;
    assert_eq!(
        one(&p, r.clone(), now),
        Decision::Wait {
            id: 42,
            until: now + HOUR / 2,
            reason: WaitReason::Delay
        }
    );
    r.last_activity_at = now - 2 * HOUR;
    assert_eq!(
        one(&p, r.clone(), now),
        Decision::Wait {
            id: 42,
            until: now + 11 * HOUR,
            reason: WaitReason::Cooloff
        }
    );
    r.last_other_message_at = 0;
    assert_eq!(one(&p, r.clone(), now), Decision::Holdout { id: 42 });
    let p = Policy {
        holdout_percent: 0,
        ..p
    };
    assert_eq!(
        one(&p, r.clone(), now),
        Decision::HoldUsMarketing {
            id: 42,
            step: 1,
            template: catalog::RECOVERY_FIRST
        }
    );
    r.phone = ES.to_owned();
    assert_eq!(sent(&one(&p, r, now)).0, 1);
}

#[test]
fn closed_statuses_and_invalid_phones() {
    let now = noon();
    for status in ["", "recovered", "expired", "OPEN", "closed"] {
        let r = Record {
            status: status.to_owned(),
            ..record(now)
        };
        assert_eq!(
            one(&policy(), r, now),
            stop(42, StopReason::Closed),
            "{status}"
        );
    }
    for phone in [
        "",
        "612345678",
        "+34 612 345 678",
        "+3461234567",
        "0034612345678",
        "+99912345678",
    ] {
        let r = Record {
            phone: phone.to_owned(),
            ..record(now)
        };
        assert_eq!(
            one(&policy(), r, now),
            stop(42, StopReason::InvalidPhone),
            "{phone:?}"
        );
    }
}

#[test]
fn complete_when_no_step_is_left() {
    let now = noon();
    let first = now - 3 * DAY;
    let at = |step| Record {
        step,
        first_message_at: first,
        ..record(now)
    };
    assert_eq!(one(&policy(), at(3), now), stop(42, StopReason::Complete));
    let off = Policy {
        followups: false,
        ..policy()
    };
    assert_eq!(one(&off, at(1), now), stop(42, StopReason::Complete));
    assert_eq!(one(&off, at(2), now), stop(42, StopReason::Complete));
    let no_second = Policy {
        followup_2_enabled: false,
        ..policy()
    };
    assert_eq!(one(&no_second, at(2), now), stop(42, StopReason::Complete));
    // Step 2 is still sent when only the second follow-up is off.
    assert_eq!(sent(&one(&no_second, at(1), now)).0, 2);
}

#[test]
fn max_age_counts_from_last_activity_and_is_inclusive() {
    let now = noon();
    let p = policy();
    let r = Record {
        last_activity_at: now - p.max_age,
        ..record(now)
    };
    assert_eq!(sent(&one(&p, r, now)).0, 1);
    let r = Record {
        last_activity_at: now - p.max_age - 1,
        ..record(now)
    };
    assert_eq!(one(&p, r, now), stop(42, StopReason::MaxAge));
}

// ---------------------------------------------------------------------------------------------
// Steps, templates, the follow-up anchor, TTL
// ---------------------------------------------------------------------------------------------

#[test]
fn each_step_has_its_template_and_ttl() {
    let now = noon();
    let first = now - 3 * DAY;
    for (coupon, second) in [
        (true, catalog::RECOVERY_24H_COUPON),
        (false, catalog::RECOVERY_24H_NO_COUPON),
    ] {
        let p = Policy { coupon, ..policy() };
        let expected = [
            (1, catalog::RECOVERY_FIRST, false, p.ttl[0]),
            (2, second, coupon, p.ttl[1]),
            (3, catalog::RECOVERY_48H, false, p.ttl[2]),
        ];
        for (already, (step, template, with_coupon, ttl)) in expected.into_iter().enumerate() {
            let r = Record {
                step: i64::try_from(already).unwrap(),
                first_message_at: if already == 0 { 0 } else { first },
                ..record(now)
            };
            let d = one(&p, r, now);
            assert_eq!(
                sent(&d),
                (step, template, now, now + ttl, with_coupon, false),
                "coupon={coupon} step={step}"
            );
            assert_eq!(d.action(), "send");
            assert_eq!(
                catalog::get(template).unwrap().category,
                Category::Marketing
            );
        }
    }
}

#[test]
fn step_one_waits_for_the_delay_after_last_activity() {
    let now = noon();
    let r = Record {
        last_activity_at: now - HOUR + 1,
        ..record(now)
    };
    assert_eq!(
        one(&policy(), r, now),
        Decision::Wait {
            id: 42,
            until: now + 1,
            reason: WaitReason::Delay
        }
    );
    // Exactly due: sent now.
    let r = Record {
        last_activity_at: now - HOUR,
        ..record(now)
    };
    assert_eq!(sent(&one(&policy(), r, now)).2, now);
}

#[test]
fn follow_ups_count_from_the_first_message_not_the_previous_step() {
    let mut clock = Clock(noon());
    let p = policy();
    let first = clock.now();
    // Step 2 queued late (30 h after the first message): step 3 is still due at first + 48 h.
    clock.advance(30 * HOUR);
    let r = Record {
        step: 2,
        first_message_at: first,
        last_activity_at: first - 2 * HOUR,
        ..record(first)
    };
    assert_eq!(
        one(&p, r.clone(), clock.now()),
        Decision::Wait {
            id: 42,
            until: first + 48 * HOUR,
            reason: WaitReason::Followup
        }
    );
    clock.advance(18 * HOUR);
    assert_eq!(clock.now(), first + 48 * HOUR);
    let d = one(&p, r, clock.now());
    assert_eq!(sent(&d).0, 3);
    assert_eq!(sent(&d).2, first + 48 * HOUR);
    // Step 2 is due at first + 24 h, whatever the last activity.
    let r = Record {
        step: 1,
        first_message_at: first,
        last_activity_at: first - 2 * HOUR,
        ..record(first)
    };
    assert_eq!(
        one(&p, r, first + 23 * HOUR),
        Decision::Wait {
            id: 42,
            until: first + 24 * HOUR,
            reason: WaitReason::Followup
        }
    );
}

#[test]
fn a_whole_lifecycle_driven_by_the_injected_clock() {
    let p = Policy {
        quiet: QUIET_21_09,
        ..policy()
    };
    // Abandoned at 10:00 Madrid (09:00 UTC).
    let mut clock = Clock(utc(2025, 1, 15, 9, 0));
    let mut r = Record {
        last_activity_at: clock.now(),
        created_at: clock.now(),
        ..record(clock.now())
    };
    let mut log = Vec::new();
    for _ in 0..(4 * 24 * 4) {
        match one(&p, r.clone(), clock.now()) {
            Decision::Send { step, send_at, .. } => {
                assert!(send_at >= clock.now());
                log.push((step, send_at));
                // What the plugin does when it queues the message.
                if step == 1 {
                    r.first_message_at = send_at;
                }
                r.step = i64::from(step);
                r.status = "messaged".to_owned();
            }
            Decision::Stop { reason, .. } => {
                assert_eq!(reason, StopReason::Complete);
                break;
            }
            Decision::Wait { until, .. } => assert!(until > clock.now()),
            other => panic!("unexpected {other:?}"),
        }
        clock.advance(15 * 60);
    }
    let t1 = utc(2025, 1, 15, 10, 0);
    assert_eq!(log, vec![(1, t1), (2, t1 + 24 * HOUR), (3, t1 + 48 * HOUR)]);
}

// ---------------------------------------------------------------------------------------------
// Cool-off and holdout
// ---------------------------------------------------------------------------------------------

#[test]
fn cooloff_holds_between_two_carts_of_one_phone_in_the_same_batch() {
    let now = noon();
    let p = policy();
    let first = record(now);
    let second = Record {
        id: 43,
        ..record(now)
    };
    let other = Record {
        id: 44,
        phone: BR.to_owned(),
        billing_country: "BR".to_owned(),
        ..record(now)
    };
    let out = plan(&p, &[first, second, other], now).unwrap();
    assert_eq!(sent(&out[0]).0, 1);
    let send_at = sent(&out[0]).2;
    assert_eq!(
        out[1],
        Decision::Wait {
            id: 43,
            until: send_at + p.cooloff,
            reason: WaitReason::Cooloff
        }
    );
    assert_eq!(sent(&out[2]).0, 1, "another phone is not held");
    // No cool-off configured: both carts of the phone go.
    let p0 = Policy {
        cooloff: 0,
        ..policy()
    };
    let out = plan(
        &p0,
        &[
            record(now),
            Record {
                id: 43,
                ..record(now)
            },
        ],
        now,
    )
    .unwrap();
    assert_eq!(sent(&out[1]).0, 1);
}

#[test]
fn cooloff_blocks_only_the_first_message() {
    let now = noon();
    let p = policy();
    let recent = now - HOUR;
    let r = Record {
        last_other_message_at: recent,
        ..record(now)
    };
    assert_eq!(
        one(&p, r, now),
        Decision::Wait {
            id: 42,
            until: recent + p.cooloff,
            reason: WaitReason::Cooloff
        }
    );
    // Expired cool-off: sent.
    let r = Record {
        last_other_message_at: now - p.cooloff,
        ..record(now)
    };
    assert_eq!(sent(&one(&p, r, now)).0, 1);
    // A follow-up is not blocked by another record's message.
    let r = Record {
        step: 1,
        first_message_at: now - 2 * DAY,
        last_other_message_at: recent,
        ..record(now)
    };
    assert_eq!(sent(&one(&p, r, now)).0, 2);
    // Cool-off 0 disables it.
    let p0 = Policy { cooloff: 0, ..p };
    let r = Record {
        last_other_message_at: now,
        ..record(now)
    };
    assert_eq!(sent(&one(&p0, r, now)).0, 1);
}

#[test]
fn holdout_is_deterministic_and_takes_its_share() {
    // One phone for every record: without cool-off, so only the holdout decides.
    let p = Policy {
        holdout_percent: 10,
        holdout_salt: "site-7f3a".to_owned(),
        cooloff: 0,
        ..policy()
    };
    let now = noon();
    let records: Vec<Record> = (1..=10_000)
        .map(|id| Record { id, ..record(now) })
        .collect();
    let first = plan(&p, &records, now).unwrap();
    let again = plan(&p, &records, now).unwrap();
    assert_eq!(first, again);
    let held: Vec<i64> = first
        .iter()
        .filter(|d| matches!(d, Decision::Holdout { .. }))
        .map(Decision::id)
        .collect();
    assert!(
        (850..=1150).contains(&held.len()),
        "held out {} of 10000",
        held.len()
    );
    for d in &first {
        let bucket = holdout_bucket("site-7f3a", d.id());
        assert!(bucket < 100);
        assert_eq!(matches!(d, Decision::Holdout { .. }), bucket < 10);
    }
    // Another salt draws another group.
    let other: Vec<bool> = (1..=10_000)
        .map(|id| holdout_bucket("other-site", id) < 10)
        .collect();
    let same = held
        .iter()
        .filter(|id| other[usize::try_from(**id - 1).unwrap()])
        .count();
    assert!(same < 300, "{same} ids held out under both salts");
    // Follow-ups of a held-out id are never decided by the holdout (only step 1 is).
    let id = held[0];
    let r = Record {
        id,
        step: 1,
        first_message_at: now - 2 * DAY,
        ..record(now)
    };
    assert_eq!(sent(&one(&p, r, now)).0, 2);
    // 0 % holds none, 100 % holds all.
    let none = Policy {
        holdout_percent: 0,
        ..p.clone()
    };
    assert!(plan(&none, &records[..500], now)
        .unwrap()
        .iter()
        .all(|d| d.action() == "send"));
    let all = Policy {
        holdout_percent: 100,
        ..p
    };
    assert!(plan(&all, &records[..500], now)
        .unwrap()
        .iter()
        .all(|d| d.action() == "holdout"));
}

#[test]
fn holdout_bucket_is_sha256_of_salt_then_decimal_id() {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(b"abc123");
    let mut first = [0_u8; 8];
    first.copy_from_slice(&digest[..8]);
    let expected = u64::from_be_bytes(first) % 100;
    assert_eq!(u64::from(holdout_bucket("abc", 123)), expected);
    assert_eq!(u64::from(holdout_bucket("abc1", 23)), expected);
}

// ---------------------------------------------------------------------------------------------
// US marketing guard
// ---------------------------------------------------------------------------------------------

#[test]
fn us_guard_holds_us_numbers_but_not_canada() {
    let now = noon();
    let p = Policy {
        us_marketing_guard: true,
        ..policy()
    };
    for (already, step, template) in [
        (0, 1, catalog::RECOVERY_FIRST),
        (1, 2, catalog::RECOVERY_24H_COUPON),
        (2, 3, catalog::RECOVERY_48H),
    ] {
        let r = Record {
            phone: US.to_owned(),
            billing_country: "US".to_owned(),
            step: already,
            first_message_at: if already == 0 { 0 } else { now - 3 * DAY },
            ..record(now)
        };
        assert_eq!(
            one(&p, r, now),
            Decision::HoldUsMarketing {
                id: 42,
                step,
                template
            }
        );
    }
    // Canada shares +1 but is not the US.
    let r = Record {
        phone: CA.to_owned(),
        billing_country: "US".to_owned(),
        ..record(now)
    };
    assert_eq!(sent(&one(&p, r, now)).0, 1);
    // The guard off: US numbers are sent.
    let r = Record {
        phone: US.to_owned(),
        ..record(now)
    };
    assert_eq!(sent(&one(&policy(), r, now)).0, 1);
}

// ---------------------------------------------------------------------------------------------
// Quiet hours and time zones
// ---------------------------------------------------------------------------------------------

fn quiet_send(phone: &str, billing: &str, default_tz: &str, now: i64) -> (i64, bool) {
    let p = Policy {
        quiet: QUIET_21_09,
        default_timezone: default_tz.to_owned(),
        ..policy()
    };
    let r = Record {
        phone: phone.to_owned(),
        billing_country: billing.to_owned(),
        ..record(now)
    };
    let (_, _, send_at, expires_at, _, shifted) = sent(&one(&p, r, now));
    assert_eq!(expires_at, send_at + p.ttl[0]);
    (send_at, shifted)
}

#[test]
fn quiet_hours_in_madrid() {
    // Madrid alone: 22:30 (21:30 UTC, CET) → 09:00 next morning = 08:00 UTC.
    let madrid = Zone::parse("Europe/Madrid").unwrap();
    assert_eq!(
        QUIET_21_09.next_allowed(&[madrid], utc(2025, 1, 15, 21, 30), quiet::SEARCH_HORIZON),
        Some(utc(2025, 1, 16, 8, 0))
    );
    // 13:00 Madrid: not quiet.
    assert_eq!(quiet_send(ES, "ES", "UTC", noon()), (noon(), false));
    // A Spanish phone may be in the Canary Islands (one hour behind): 09:00 there is 09:00 UTC.
    assert_eq!(
        quiet_send(ES, "ES", "UTC", utc(2025, 1, 15, 21, 30)),
        (utc(2025, 1, 16, 9, 0), true)
    );
    // Summer (CEST / WEST): 07:00 Madrid (05:00 UTC) → 09:00 Canaries = 08:00 UTC.
    assert_eq!(
        quiet_send(ES, "", "UTC", utc(2025, 7, 15, 5, 0)),
        (utc(2025, 7, 15, 8, 0), true)
    );
    // 20:59 in Madrid is not quiet; 21:00 is (although the Canaries are at 20:00).
    assert_eq!(
        quiet_send(ES, "ES", "UTC", utc(2025, 1, 15, 19, 59)),
        (utc(2025, 1, 15, 19, 59), false)
    );
    assert_eq!(
        quiet_send(ES, "ES", "UTC", utc(2025, 1, 15, 20, 0)),
        (utc(2025, 1, 16, 9, 0), true)
    );
}

#[test]
fn quiet_hours_in_sao_paulo_use_every_brazilian_zone() {
    // 23:00 São Paulo (02:00 UTC). Brazil spans UTC-2 (Noronha) to UTC-5 (Rio Branco): 09:00
    // everywhere is 09:00 in Rio Branco = 14:00 UTC (12:00 in São Paulo).
    assert_eq!(
        quiet_send(BR, "BR", "UTC", utc(2025, 1, 15, 2, 0)),
        (utc(2025, 1, 15, 14, 0), true)
    );
    // In São Paulo alone it would be 09:00 local = 12:00 UTC.
    let sp = Zone::parse("America/Sao_Paulo").unwrap();
    assert_eq!(
        QUIET_21_09.next_allowed(&[sp], utc(2025, 1, 15, 2, 0), quiet::SEARCH_HORIZON),
        Some(utc(2025, 1, 15, 12, 0))
    );
}

#[test]
fn quiet_hours_in_new_york_alone_and_in_every_us_zone() {
    let ny = Zone::parse("America/New_York").unwrap();
    // 05:00 New York (10:00 UTC, EST) → 09:00 = 14:00 UTC.
    assert_eq!(
        QUIET_21_09.next_allowed(&[ny], utc(2025, 1, 15, 10, 0), quiet::SEARCH_HORIZON),
        Some(utc(2025, 1, 15, 14, 0))
    );
    // A US phone: allowed only when it is 09:00–21:00 from New York to Honolulu/Adak (UTC-10):
    // 09:00 in Honolulu = 19:00 UTC (14:00 in New York).
    assert_eq!(
        quiet_send(US, "US", "UTC", utc(2025, 1, 15, 10, 0)),
        (utc(2025, 1, 15, 19, 0), true)
    );
    // 20:00 UTC: inside the intersection (15:00 NY, 10:00 Honolulu) → now.
    assert_eq!(
        quiet_send(US, "US", "UTC", utc(2025, 1, 15, 20, 0)),
        (utc(2025, 1, 15, 20, 0), false)
    );
    // 02:30 UTC: 21:30 NY (quiet) although Honolulu is at 16:30 → next 19:00 UTC.
    assert_eq!(
        quiet_send(US, "US", "UTC", utc(2025, 1, 16, 2, 30)),
        (utc(2025, 1, 16, 19, 0), true)
    );
}

#[test]
fn quiet_hours_in_india_and_nepal_with_odd_offsets() {
    // 01:30 IST (+05:30) = 20:00 UTC → 09:00 IST = 03:30 UTC.
    assert_eq!(
        quiet_send(IN, "IN", "UTC", utc(2025, 1, 15, 20, 0)),
        (utc(2025, 1, 16, 3, 30), true)
    );
    // 01:45 NPT (+05:45) = 20:00 UTC → 09:00 NPT = 03:15 UTC.
    assert_eq!(
        quiet_send(NP, "NP", "UTC", utc(2025, 1, 15, 20, 0)),
        (utc(2025, 1, 16, 3, 15), true)
    );
}

#[test]
fn a_country_without_a_common_window_falls_back_to_its_primary_zone() {
    // Allowed only 08:00–10:00 local: Russia spans 10 hours, so no instant is allowed
    // everywhere; Moscow (UTC+3) decides: 08:00 MSK = 05:00 UTC.
    let p = Policy {
        quiet: QuietHours {
            enabled: true,
            start: 600,
            end: 480,
        },
        ..policy()
    };
    let now = utc(2025, 1, 15, 12, 0);
    let r = Record {
        phone: RU.to_owned(),
        billing_country: "RU".to_owned(),
        ..record(now)
    };
    let (_, _, send_at, _, _, shifted) = sent(&one(&p, r.clone(), now));
    assert_eq!((send_at, shifted), (utc(2025, 1, 16, 5, 0), true));
    let recipient = schedule::recipient_of(&p, &r).unwrap();
    assert_eq!(recipient.country.as_deref(), Some("RU"));
    assert_eq!(recipient.primary.name(), "Europe/Moscow");
    assert!(recipient.zones.len() > 10);
    assert!(!p.quiet.is_quiet(&recipient.primary, send_at));
}

#[test]
fn phone_region_then_billing_country_then_default_timezone() {
    let madrid = Zone::parse("Europe/Madrid").unwrap();
    let utc_zone = Zone::parse("UTC").unwrap();
    // The phone's region wins over the billing country.
    let r = quiet::recipient(Some("ES"), "US", utc_zone);
    assert_eq!(
        (r.country.as_deref(), r.zones.clone()),
        (Some("ES"), {
            let names = quiet::country_zones("ES").unwrap();
            names.iter().map(|n| Zone::parse(n).unwrap()).collect()
        })
    );
    assert_eq!(r.zones[0], madrid);
    // No region (a non-geographic +800 number): the billing country; lower case is accepted.
    let r = quiet::recipient(None, " es ", utc_zone);
    assert_eq!(r.country.as_deref(), Some("ES"));
    // Unknown or empty billing country: the default zone.
    for billing in ["", "XX", "ESP"] {
        let r = quiet::recipient(None, billing, utc_zone);
        assert_eq!(
            (r.country, r.zones, r.primary),
            (None, vec![utc_zone], utc_zone)
        );
    }
    // End to end: +800 number, no billing country, default "+05:30" → 09:00 at +05:30.
    assert_eq!(
        quiet_send(NON_GEO, "", "+05:30", utc(2025, 1, 15, 20, 0)),
        (utc(2025, 1, 16, 3, 30), true)
    );
    // Negative offset: 09:00 at -03:00 = 12:00 UTC.
    assert_eq!(
        quiet_send(NON_GEO, "", "-03:00", utc(2025, 1, 15, 2, 0)),
        (utc(2025, 1, 15, 12, 0), true)
    );
    // Billing country used when the phone has no region: 22:30 Madrid → 09:00 in the
    // Canaries = 09:00 UTC (Spain's zones, not +05:30).
    assert_eq!(
        quiet_send(NON_GEO, "ES", "+05:30", utc(2025, 1, 15, 21, 30)),
        (utc(2025, 1, 16, 9, 0), true)
    );
}

#[test]
fn zone_names_and_offsets_parse_strictly() {
    for ok in [
        "UTC",
        "Europe/Berlin",
        "America/Argentina/Buenos_Aires",
        "+05:45",
        "-03:00",
        "+00:00",
    ] {
        assert!(Zone::parse(ok).is_some(), "{ok}");
    }
    for bad in [
        "",
        "Mars/Olympus",
        "+5:30",
        "+0530",
        "05:30",
        "+24:00",
        "+05:60",
        "GMT+2x",
    ] {
        assert!(Zone::parse(bad).is_none(), "{bad}");
    }
    assert_eq!(Zone::parse("+05:45").unwrap().name(), "+05:45");
    assert_eq!(
        Zone::parse("+05:45").unwrap().offset_at(0),
        Some(5 * 3600 + 45 * 60)
    );
}

#[test]
fn quiet_window_wrapping_midnight_and_plain() {
    let q = QUIET_21_09;
    for m in [1260, 1300, 1439, 0, 100, 539] {
        assert!(q.contains_minute(m), "{m}");
    }
    for m in [540, 600, 1259] {
        assert!(!q.contains_minute(m), "{m}");
    }
    let plain = QuietHours {
        enabled: true,
        start: 720,
        end: 840,
    };
    assert!(plain.contains_minute(720) && plain.contains_minute(839));
    assert!(
        !plain.contains_minute(840) && !plain.contains_minute(719) && !plain.contains_minute(0)
    );
    let empty = QuietHours {
        enabled: true,
        start: 600,
        end: 600,
    };
    assert!((0..1440).all(|m| !empty.contains_minute(m)));
    assert!((0..1440).all(|m| !QUIET_OFF.contains_minute(m)));
    // A window not wrapping midnight: 12:00–14:00 UTC, 13:00 → 14:00.
    let utc_zone = Zone::parse("UTC").unwrap();
    assert_eq!(
        plain.next_allowed(&[utc_zone], utc(2025, 1, 15, 13, 0), quiet::SEARCH_HORIZON),
        Some(utc(2025, 1, 15, 14, 0))
    );
    // Wrapping: 23:59:30 UTC → 09:00 the next day; seconds inside the last quiet minute count.
    assert_eq!(
        q.next_allowed(
            &[utc_zone],
            utc(2025, 1, 15, 8, 59) + 30,
            quiet::SEARCH_HORIZON
        ),
        Some(utc(2025, 1, 15, 9, 0))
    );
    assert_eq!(
        q.next_allowed(
            &[utc_zone],
            utc(2025, 1, 15, 23, 59) + 30,
            quiet::SEARCH_HORIZON
        ),
        Some(utc(2025, 1, 16, 9, 0))
    );
}

// ---------------------------------------------------------------------------------------------
// Daylight saving time
// ---------------------------------------------------------------------------------------------

fn next(zone: &str, quiet: QuietHours, t: i64) -> i64 {
    let z = Zone::parse(zone).unwrap();
    let out = quiet.next_allowed(&[z], t, quiet::SEARCH_HORIZON).unwrap();
    assert!(!quiet.is_quiet(&z, out));
    out
}

#[test]
fn dst_in_berlin() {
    // Spring forward 2025-03-30 02:00 CET → 03:00 CEST. 01:30 CET (00:30 UTC): 09:00 CEST = 07:00 UTC.
    assert_eq!(
        next("Europe/Berlin", QUIET_21_09, utc(2025, 3, 30, 0, 30)),
        utc(2025, 3, 30, 7, 0)
    );
    // Fall back 2025-10-26 03:00 CEST → 02:00 CET. 02:00 CEST (00:00 UTC): 09:00 CET = 08:00 UTC.
    assert_eq!(
        next("Europe/Berlin", QUIET_21_09, utc(2025, 10, 26, 0, 0)),
        utc(2025, 10, 26, 8, 0)
    );
    // A quiet end that does not exist (02:30 on the spring-forward day) moves to the first
    // instant after the gap: 03:00 CEST = 01:00 UTC.
    let to_0230 = QuietHours {
        enabled: true,
        start: 1320,
        end: 150,
    };
    assert_eq!(
        next("Europe/Berlin", to_0230, utc(2025, 3, 29, 23, 0)),
        utc(2025, 3, 30, 1, 0)
    );
    // The day before and after: 02:30 exists (01:30 UTC in CET, 00:30 UTC in CEST).
    assert_eq!(
        next("Europe/Berlin", to_0230, utc(2025, 3, 28, 23, 0)),
        utc(2025, 3, 29, 1, 30)
    );
    assert_eq!(
        next("Europe/Berlin", to_0230, utc(2025, 3, 30, 23, 0)),
        utc(2025, 3, 31, 0, 30)
    );
}

#[test]
fn dst_in_new_york() {
    // Spring forward 2025-03-09 02:00 EST → 03:00 EDT. 01:00 EST (06:00 UTC) → 09:00 EDT = 13:00 UTC.
    assert_eq!(
        next("America/New_York", QUIET_21_09, utc(2025, 3, 9, 6, 0)),
        utc(2025, 3, 9, 13, 0)
    );
    // Fall back 2025-11-02 02:00 EDT → 01:00 EST. 01:00 EDT (05:00 UTC) → 09:00 EST = 14:00 UTC.
    assert_eq!(
        next("America/New_York", QUIET_21_09, utc(2025, 11, 2, 5, 0)),
        utc(2025, 11, 2, 14, 0)
    );
    // An ambiguous quiet end (01:30 happens twice on the fall-back day): 22:00–01:30.
    let to_0130 = QuietHours {
        enabled: true,
        start: 1320,
        end: 90,
    };
    // From 00:00 EDT: the first 01:30 (EDT) = 05:30 UTC.
    assert_eq!(
        next("America/New_York", to_0130, utc(2025, 11, 2, 4, 0)),
        utc(2025, 11, 2, 5, 30)
    );
    // At 06:00 UTC the clock reads 01:00 EST again, inside the window: the second 01:30 (EST).
    assert_eq!(
        next("America/New_York", to_0130, utc(2025, 11, 2, 6, 0)),
        utc(2025, 11, 2, 6, 30)
    );
    // The fall-back jump itself can end the window: 01:30–02:00 is quiet; at 01:45 EDT
    // (05:45 UTC) the next allowed instant is the transition, 01:00 EST = 06:00 UTC.
    let half_hour = QuietHours {
        enabled: true,
        start: 90,
        end: 120,
    };
    assert_eq!(
        next("America/New_York", half_hour, utc(2025, 11, 2, 5, 45)),
        utc(2025, 11, 2, 6, 0)
    );
}

#[test]
fn dst_days_end_to_end_in_plan() {
    // A US record with only New York's zone is not possible (US phones use every US zone), so
    // go through default_timezone: +800 number, no billing country.
    assert_eq!(
        quiet_send(NON_GEO, "", "America/New_York", utc(2025, 3, 9, 6, 0)),
        (utc(2025, 3, 9, 13, 0), true)
    );
    assert_eq!(
        quiet_send(NON_GEO, "DE", "UTC", utc(2025, 10, 26, 0, 0)),
        (utc(2025, 10, 26, 8, 0), true)
    );
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

#[test]
fn bad_input_is_refused_with_a_code_naming_the_key() {
    let now = noon();
    let ok = [record(now)];
    let bad_policies: Vec<(Policy, &str)> = vec![
        (
            Policy {
                holdout_percent: 101,
                ..policy()
            },
            "policy.holdout_percent",
        ),
        (
            Policy {
                delay: -1,
                ..policy()
            },
            "policy.delay",
        ),
        (
            Policy {
                max_age: -5,
                ..policy()
            },
            "policy.max_age",
        ),
        (
            Policy {
                ttl: [1, -1, 1],
                ..policy()
            },
            "policy.ttl",
        ),
        (
            Policy {
                quiet: QuietHours {
                    enabled: true,
                    start: 1440,
                    end: 0,
                },
                ..policy()
            },
            "policy.quiet.start",
        ),
        (
            Policy {
                default_timezone: "Mars/Base".to_owned(),
                ..policy()
            },
            "policy.default_timezone",
        ),
    ];
    for (p, key) in bad_policies {
        let e = plan(&p, &ok, now).unwrap_err();
        assert_eq!(e.code(), 7003);
        assert!(e.to_string().starts_with(key), "{e}");
    }
    let bad_records = [
        (
            Record {
                step: 4,
                ..record(now)
            },
            "records[1].step",
        ),
        (
            Record {
                step: -1,
                ..record(now)
            },
            "records[1].step",
        ),
        (
            Record {
                step: 1,
                first_message_at: 0,
                ..record(now)
            },
            "records[1].first_message_at",
        ),
        (
            Record {
                created_at: -1,
                ..record(now)
            },
            "records[1].created_at",
        ),
    ];
    for (r, key) in bad_records {
        let e = plan(&policy(), &[record(now), r], now).unwrap_err();
        assert_eq!(e.code(), 7004);
        assert!(e.to_string().starts_with(key), "{e}");
    }
    assert_eq!(
        plan(&policy(), &ok, -1).unwrap_err(),
        ScheduleError::InvalidNow
    );
    assert_eq!(ScheduleError::InvalidNow.code(), 7005);
    assert_eq!(
        ScheduleError::MissingKey("policy.delay".into()).code(),
        7001
    );
    assert_eq!(
        ScheduleError::MissingKey("policy.delay".into()).to_string(),
        "policy.delay is missing"
    );
    // An empty batch is fine.
    assert_eq!(plan(&policy(), &[], now).unwrap(), vec![]);
}

#[test]
fn decisions_keep_the_input_order() {
    let now = noon();
    let records: Vec<Record> = (0..1000)
        .map(|i| Record {
            id: 1000 - i,
            opted_out: i % 3 == 0,
            ..record(now)
        })
        .collect();
    // One phone for every record: without cool-off, so each decision is its own.
    let p = Policy {
        cooloff: 0,
        ..policy()
    };
    let out = plan(&p, &records, now).unwrap();
    assert_eq!(out.len(), 1000);
    for (r, d) in records.iter().zip(&out) {
        assert_eq!(d.id(), r.id);
        assert_eq!(d.action(), if r.opted_out { "stop" } else { "send" });
    }
}

// ---------------------------------------------------------------------------------------------
// The generated zone table
// ---------------------------------------------------------------------------------------------

#[test]
fn zone_table_parses_and_is_sorted() {
    let table = quiet::country_table();
    assert!(table.len() > 240);
    assert!(table.windows(2).all(|w| w[0].0 < w[1].0));
    for (country, zones) in table {
        assert!(!zones.is_empty(), "{country}");
        for z in *zones {
            assert!(
                Zone::parse(z).is_some(),
                "{country}: {z} unknown to chrono-tz"
            );
        }
    }
    assert_eq!(quiet::country_zones("US").unwrap()[0], "America/New_York");
    assert_eq!(quiet::country_zones("IN").unwrap(), ["Asia/Kolkata"]);
    assert!(quiet::country_zones("XX").is_none());
}

#[test]
#[allow(
    clippy::disallowed_methods,
    reason = "the cross-check reads the system tzdata file; the library itself does no I/O"
)]
fn zone_table_matches_system_zone_tab() {
    let Ok(text) = std::fs::read_to_string("/usr/share/zoneinfo/zone.tab") else {
        eprintln!("no /usr/share/zoneinfo/zone.tab here: cross-check skipped");
        return;
    };
    // Lines are grouped by country (a stable sort: a few lines sit out of country order),
    // keeping tzdata's order inside a country.
    let mut rows: Vec<(String, String)> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols[0].to_owned(), cols[2].to_owned())
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let mut expected: Vec<(String, Vec<String>)> = Vec::new();
    for (country, zone) in rows {
        match expected.last_mut() {
            Some((c, zones)) if *c == country => zones.push(zone),
            _ => expected.push((country, vec![zone])),
        }
    }
    let actual: Vec<(String, Vec<String>)> = quiet::country_table()
        .iter()
        .map(|(c, zones)| {
            (
                (*c).to_owned(),
                zones.iter().map(|z| (*z).to_owned()).collect(),
            )
        })
        .collect();
    assert_eq!(
        actual, expected,
        "zones.rs differs from the system zone.tab: run src/schedule/gen-zones.sh"
    );
}

// ---------------------------------------------------------------------------------------------
// Property: never panics; a send is never in the past nor inside quiet hours
// ---------------------------------------------------------------------------------------------

const PHONES: &[&str] = &[
    ES,
    US,
    CA,
    BR,
    IN,
    NP,
    RU,
    NON_GEO,
    "+61412345678",
    "",
    "abc",
    "+1",
];
const COUNTRIES: &[&str] = &["", "ES", "US", "BR", "AU", "RU", "NP", "XX", "e", "mx"];
const ZONES: &[&str] = &[
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kathmandu",
    "+05:30",
    "-09:30",
    "Pacific/Chatham",
];

fn arb_record() -> impl Strategy<Value = Record> {
    (
        (
            any::<i64>(),
            0..4_usize,
            prop::bool::weighted(0.9),
            prop::bool::weighted(0.1),
            prop::bool::weighted(0.1),
        ),
        (0..PHONES.len(), 0..COUNTRIES.len()),
        (
            0..4_000_000_000_i64,
            0..4_i64,
            0..4_000_000_000_i64,
            0..4_000_000_000_i64,
        ),
    )
        .prop_map(
            |(
                (id, status, consent, opted_out, ordered),
                (phone, country),
                (last, step, first, other),
            )| {
                Record {
                    id,
                    status: ["open", "messaged", "recovered", ""][status].to_owned(),
                    consent,
                    opted_out,
                    ordered_since: ordered,
                    phone: PHONES[phone].to_owned(),
                    billing_country: COUNTRIES[country].to_owned(),
                    created_at: last,
                    last_activity_at: last,
                    step,
                    first_message_at: if step == 0 { 0 } else { first.max(1) },
                    last_other_message_at: other,
                }
            },
        )
}

fn arb_policy() -> impl Strategy<Value = Policy> {
    (
        (
            0..10 * DAY,
            any::<bool>(),
            0..10 * DAY,
            any::<bool>(),
            0..10 * DAY,
            any::<bool>(),
        ),
        (0..2 * DAY, 0..400 * DAY, 0..=100_i64, any::<bool>()),
        (
            any::<bool>(),
            0..1440_u32,
            0..1440_u32,
            0..ZONES.len(),
            1..DAY,
        ),
    )
        .prop_map(
            |(
                (delay, followups, f1, f2_on, f2, coupon),
                (cooloff, max_age, holdout, guard),
                (q, start, end, zone, ttl),
            )| {
                Policy {
                    delay,
                    followups,
                    followup_1_after: f1,
                    followup_2_enabled: f2_on,
                    followup_2_after: f2,
                    coupon,
                    cooloff,
                    max_age,
                    holdout_percent: holdout,
                    holdout_salt: "p".to_owned(),
                    quiet: QuietHours {
                        enabled: q,
                        start,
                        end,
                    },
                    default_timezone: ZONES[zone].to_owned(),
                    ttl: [ttl, ttl * 2, ttl * 3],
                    us_marketing_guard: guard,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn plan_never_panics_and_sends_are_never_early_or_quiet(
        p in arb_policy(),
        records in proptest::collection::vec(arb_record(), 0..12),
        now in 0..4_000_000_000_i64,
    ) {
        let out = plan(&p, &records, now).unwrap();
        prop_assert_eq!(out.len(), records.len());
        for (r, d) in records.iter().zip(&out) {
            prop_assert_eq!(d.id(), r.id);
            match d {
                Decision::Send { step, send_at, expires_at, quiet_shifted, template, coupon, .. } => {
                    prop_assert!(*send_at >= now);
                    prop_assert_eq!(*expires_at - *send_at, p.ttl[usize::from(*step) - 1]);
                    prop_assert_eq!(*quiet_shifted, *send_at != now);
                    prop_assert_eq!(*template, schedule::template_for(*step, p.coupon));
                    prop_assert_eq!(*coupon, *step == 2 && p.coupon);
                    let who = schedule::recipient_of(&p, r).unwrap();
                    // Outside quiet hours in the primary zone always; in every zone of the
                    // country unless no such instant exists within the horizon.
                    prop_assert!(!p.quiet.is_quiet(&who.primary, *send_at));
                    if p.quiet.is_quiet_in_any(&who.zones, *send_at) {
                        prop_assert!(p.quiet.next_allowed(&who.zones, now, quiet::SEARCH_HORIZON).is_none());
                    }
                }
                Decision::Wait { until, .. } => prop_assert!(*until > now),
                _ => {}
            }
        }
    }

    #[test]
    fn next_allowed_is_the_first_allowed_minute(
        zone in 0..ZONES.len(),
        start in 0..1440_u32,
        end in 0..1440_u32,
        t in 0..4_000_000_000_i64,
    ) {
        let z = Zone::parse(ZONES[zone]).unwrap();
        let q = QuietHours { enabled: true, start, end };
        let found = q.next_allowed(&[z], t, quiet::SEARCH_HORIZON);
        let found = found.unwrap();
        prop_assert!(found >= t && !q.is_quiet(&z, found));
        // No earlier whole minute in between is allowed.
        let mut m = t - t.rem_euclid(60) + 60;
        while m < found {
            prop_assert!(q.is_quiet(&z, m), "{} is allowed before {}", m, found);
            m += 60;
        }
    }
}
