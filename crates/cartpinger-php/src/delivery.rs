//! `CartPinger\Native\Delivery`: the queue's delivery policy (`cartpinger_core::delivery`).
//!
//! PHP passes the facts (the sender's result row, the row's attempts, now, a random number);
//! the core answers with the next state, which `Queue\Store` writes in one UPDATE.

use cartpinger_core::delivery::{self, Kind, LeaseExpiry, Report, Settle, Step, UnknownFacts};
use ext_php_rs::boxed::ZBox;
use ext_php_rs::flags::ClassFlags;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;

use crate::errors;
use crate::guard::guard;

fn arg_error(message: &str) -> PhpException {
    errors::exception("GraphException", 4001, message)
}

fn ms(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

fn secs(ms: u64) -> i64 {
    i64::try_from(ms.div_ceil(1000)).unwrap_or(i64::MAX)
}

fn report(result: &ZendHashTable) -> Report {
    let code = result.get("code").and_then(|v| {
        v.long()
            .or_else(|| v.str().and_then(|s| s.parse::<i64>().ok()))
    });
    let retry_after_ms = result
        .get("retry_after_ms")
        .and_then(ext_php_rs::types::Zval::long)
        .map(ms);
    match result
        .get("status")
        .and_then(ext_php_rs::types::Zval::str)
        .unwrap_or("unknown")
    {
        "accepted" => match result
            .get("wamid")
            .and_then(ext_php_rs::types::Zval::str)
            .filter(|w| !w.is_empty())
        {
            Some(wamid) => Report::Accepted {
                wamid: wamid.to_owned(),
            },
            // Accepted without a wamid: Meta may have it; never resend blindly.
            None => Report::Unknown,
        },
        "transient" => Report::Transient {
            code,
            retry_after_ms,
        },
        "rate_limited" => Report::RateLimited {
            code,
            retry_after_ms,
        },
        "permanent" | "invalid" => Report::Permanent {
            code: code.unwrap_or(0),
        },
        "fatal" => Report::Fatal {
            code: code.unwrap_or(0),
        },
        "not_attempted" => Report::NotAttempted,
        _ => Report::Unknown,
    }
}

/// The queue's delivery policy.
#[php_class]
#[php(name = "CartPinger\\Native\\Delivery")]
#[php(flags = ClassFlags::Final)]
pub struct Delivery;

#[php_impl]
#[php(change_method_case = "snake_case")]
impl Delivery {
    /// The next state of a message after the sender's `$result` row (`status`, `wamid`?,
    /// `code`?, `retry_after_ms`?), for `$kind` (recovery|order|test) after `$attempts` earlier
    /// requests, at `$now` (unix s), with `$random` (random_int). Returns `['step' => sent|retry|
    /// release|fail|pause|unknown, 'wamid'? , 'due_at'? (unix s), 'reason'? (short code)]`.
    pub fn decide(
        kind: &str,
        result: &ZendHashTable,
        attempts: i64,
        now: i64,
        random: i64,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let attempts = u32::try_from(attempts.max(0)).unwrap_or(u32::MAX);
            let now_ms = ms(now).saturating_mul(1000);
            let random = u64::from_ne_bytes(random.to_ne_bytes());
            let step = delivery::decide(
                Kind::from_name(kind),
                &report(result),
                attempts,
                now_ms,
                random,
            );
            let mut out = ZendHashTable::new();
            match step {
                Step::Sent { wamid } => {
                    out.insert("step", "sent")?;
                    out.insert("wamid", wamid)?;
                }
                Step::Retry { due_at_ms, reason } => {
                    out.insert("step", "retry")?;
                    out.insert("due_at", secs(due_at_ms))?;
                    out.insert("reason", reason)?;
                }
                Step::Release => out.insert("step", "release")?,
                Step::Fail { reason } => {
                    out.insert("step", "fail")?;
                    out.insert("reason", reason)?;
                }
                Step::Pause { reason } => {
                    out.insert("step", "pause")?;
                    out.insert("reason", reason)?;
                }
                Step::Unknown { check_at_ms } => {
                    out.insert("step", "unknown")?;
                    out.insert("due_at", secs(check_at_ms))?;
                    out.insert("reason", delivery::reason::NO_ANSWER)?;
                }
            }
            Ok(out)
        })
    }

    /// Where a row in `$state` goes when its runner's lease ran out: `pending` (claimed: never
    /// on the wire), `unknown` (sending: may have reached Meta) or `keep`.
    pub fn lease_expired(state: &str) -> PhpResult<String> {
        guard(|| {
            Ok(match delivery::on_lease_expired(state) {
                LeaseExpiry::Pending => "pending",
                LeaseExpiry::Unknown => "unknown",
                LeaseExpiry::Keep => "keep",
            }
            .to_owned())
        })
    }

    /// Settles an `unknown` row from `$facts`: `kind`, `in_flight_at` (unix s), `now` (unix s),
    /// `has_wamid`, `status_seen`, `later_status_seen`, `resent` (bools). Returns
    /// `['action' => sent|wait|resend|close, 'check_at'? (unix s), 'reason'?]`.
    pub fn settle_unknown(facts: &ZendHashTable) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let int = |key: &str| -> PhpResult<u64> {
                facts
                    .get(key)
                    .and_then(ext_php_rs::types::Zval::long)
                    .map(ms)
                    .ok_or_else(|| arg_error(&format!("'{key}' must be an integer")))
            };
            let flag = |key: &str| facts.get(key).and_then(|v| v.bool()).unwrap_or(false);
            let kind = facts
                .get("kind")
                .and_then(ext_php_rs::types::Zval::str)
                .unwrap_or("recovery");
            let decided = delivery::settle_unknown(&UnknownFacts {
                kind: Kind::from_name(kind),
                in_flight_at_ms: int("in_flight_at")?.saturating_mul(1000),
                now_ms: int("now")?.saturating_mul(1000),
                has_wamid: flag("has_wamid"),
                status_seen: flag("status_seen"),
                later_status_seen: flag("later_status_seen"),
                resent: flag("resent"),
            });
            let mut out = ZendHashTable::new();
            match decided {
                Settle::Sent => out.insert("action", "sent")?,
                Settle::WaitUntil(at) => {
                    out.insert("action", "wait")?;
                    out.insert("check_at", secs(at))?;
                }
                Settle::Resend => {
                    out.insert("action", "resend")?;
                    out.insert("reason", delivery::reason::UNKNOWN_RESENT)?;
                }
                Settle::Close => {
                    out.insert("action", "close")?;
                    out.insert("reason", delivery::reason::UNKNOWN_NOT_RESENT)?;
                }
            }
            Ok(out)
        })
    }

    /// Whether an order notification recorded at `$recorded_at` (unix s) while the extension was
    /// missing is still worth sending at `$now` (else it expires as `too_late`).
    pub fn deferred_still_useful(recorded_at: i64, now: i64) -> PhpResult<bool> {
        guard(|| {
            Ok(delivery::deferred_still_useful(
                ms(recorded_at).saturating_mul(1000),
                ms(now).saturating_mul(1000),
            ))
        })
    }

    /// The policy's windows in seconds: `unknown_window`, `order_resend_after`,
    /// `order_give_up`, `deferred_max_age`, and `max_attempts`.
    pub fn windows() -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let mut out = ZendHashTable::new();
            out.insert("unknown_window", secs(delivery::UNKNOWN_WINDOW_MS))?;
            out.insert("order_resend_after", secs(delivery::ORDER_RESEND_AFTER_MS))?;
            out.insert("order_give_up", secs(delivery::ORDER_GIVE_UP_MS))?;
            out.insert("max_attempts", i64::from(delivery::MAX_ATTEMPTS))?;
            out.insert("deferred_max_age", secs(delivery::DEFERRED_MAX_AGE_MS))?;
            Ok(out)
        })
    }
}
