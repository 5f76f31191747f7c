//! The queue's delivery policy: what happens to a message after each outcome, per kind.
//!
//! Pure: "now" and randomness are arguments; PHP gathers the facts, asks, and stores the answer
//! (`Queue\Store` applies the [`Step`] in one UPDATE). The table in `docs/delivery.md` is this
//! module in words; the tests in `tests/delivery.rs` check every cell.
//!
//! ## Row states
//!
//! `pending` → `claimed` (leased to one runner, **not yet on the wire**) → `sending` (written
//! *before* the request is handed to a sending thread) → `sent` / `failed` / `unknown` /
//! back to `pending` (retry) … A runner that dies leaves `claimed` rows (never attempted: they
//! go back to `pending`, safe to send) and `sending` rows (may have reached Meta: they become
//! `unknown`, never resent blindly). See [`on_lease_expired`].
//!
//! ## Outcomes
//!
//! * `sent` — Meta answered with a wamid. Stored whatever happened to the row meanwhile.
//! * `rejected` — Meta said no, with its code: failed with that code (or the queue pauses for an
//!   account-wide error, and the row goes back untouched).
//! * `not sent` — provably never written to the wire (connect refused, DNS, TLS before the
//!   request, the budget ran out before the request): retried at a jittered backoff.
//! * `unknown` — the request may have reached Meta (timeout after the write, a crash, a killed
//!   runner). Settled by a status webhook matched by wamid or `biz_opaque_callback_data`;
//!   otherwise decided by [`settle_unknown`].
//!
//! ## Why an order update may be resent and a recovery message may not
//!
//! A duplicate marketing reminder costs the merchant money (every marketing message is billed)
//! and annoys a shopper who owes the shop nothing; a missing reminder costs at most one sale
//! that was uncertain anyway. So a recovery (or test) message that stays unknown for
//! [`UNKNOWN_WINDOW_MS`] closes as **unknown — not resent**.
//!
//! An order update ("your order shipped") is something the customer is owed; a late duplicate
//! is less harmful than none. It is resent **once**, and only when the silence is evidence:
//! [`ORDER_RESEND_AFTER_MS`] have passed without any status webhook for it *and* status
//! webhooks did arrive for messages put on the wire after it (so the shop's webhook path works
//! and Meta would have told us about this one, which Meta does within seconds for every message
//! it accepted). Without that evidence (webhooks not configured, or not arriving) it is never
//! resent and closes as unknown — not resent after [`ORDER_GIVE_UP_MS`].

use crate::retry::Backoff;

/// How long a recovery or test message with an unknown outcome waits for a status webhook
/// before it is closed as "unknown — not resent": **15 minutes** (Meta sends the `sent` webhook
/// within seconds and retries a failed delivery "immediately, then with decreasing frequency",
/// so a short outage of the shop still settles well inside this window).
pub const UNKNOWN_WINDOW_MS: u64 = 15 * 60 * 1000;

/// An order update with an unknown outcome may be resent after **60 minutes** of silence, when
/// status webhooks for later messages prove the webhook path works.
pub const ORDER_RESEND_AFTER_MS: u64 = 60 * 60 * 1000;

/// Without that evidence an order update closes as unknown — not resent after **6 hours**.
pub const ORDER_GIVE_UP_MS: u64 = 6 * 60 * 60 * 1000;

/// An order notification recorded while the extension was missing is still sent when the
/// extension is back within **48 hours** of the status change; later it would confuse more than
/// help (the order has usually moved on), so it is expired with the reason `too_late`.
pub const DEFERRED_MAX_AGE_MS: u64 = 48 * 60 * 60 * 1000;

/// Whether a notification deferred at `recorded_at_ms` is still worth sending at `now_ms`.
#[must_use]
pub const fn deferred_still_useful(recorded_at_ms: u64, now_ms: u64) -> bool {
    now_ms.saturating_sub(recorded_at_ms) < DEFERRED_MAX_AGE_MS
}

/// Attempts (requests that failed transiently, the first included) before a message is failed.
pub const MAX_ATTEMPTS: u32 = 8;

/// The retry policy of the queue: full jitter over 30 s · 2ⁿ, capped at one hour.
pub const QUEUE_BACKOFF: Backoff = Backoff {
    base_ms: 30_000,
    cap_ms: 3_600_000,
    max_attempts: MAX_ATTEMPTS,
};

/// The shortest wait before a retry (full jitter can draw 0): 5 s.
pub const MIN_RETRY_MS: u64 = 5_000;

/// What a message is, for the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Abandoned-cart recovery (a marketing template).
    Recovery,
    /// An order status notification (a utility template).
    Order,
    /// A test message sent from the admin.
    Test,
}

impl Kind {
    /// From the queue's `kind` column; anything unknown is treated as a recovery message (the
    /// strictest policy: never resent).
    #[must_use]
    pub fn from_name(name: &str) -> Self {
        match name {
            "order" => Self::Order,
            "test" => Self::Test,
            _ => Self::Recovery,
        }
    }
}

/// What the sender reported for one message (the `status` of a `Sender` result row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// Meta accepted it and gave this wamid.
    Accepted {
        /// The WhatsApp message id.
        wamid: String,
    },
    /// A temporary failure (5xx, a transient code, or a connection that never carried the
    /// request: nothing reached Meta).
    Transient {
        /// Meta's code, if any.
        code: Option<i64>,
        /// A server-given minimum wait.
        retry_after_ms: Option<u64>,
    },
    /// A rate limit.
    RateLimited {
        /// Meta's code, if any (131056 is the pair limit).
        code: Option<i64>,
        /// A server-given minimum wait.
        retry_after_ms: Option<u64>,
    },
    /// Meta refused this message for good (or the message itself is invalid).
    Permanent {
        /// Meta's code (0 without one).
        code: i64,
    },
    /// The account or configuration is broken: stop every send.
    Fatal {
        /// Meta's code.
        code: i64,
    },
    /// The request may have reached Meta; no answer.
    Unknown,
    /// The request was never started (budget, a fatal stop of the batch, no result at all).
    NotAttempted,
}

/// The next state of the row, as PHP stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `sent`, with the wamid (whatever the row's claim or state: a wamid is never lost; a
    /// status a webhook wrote — delivered, read, failed — is kept).
    Sent {
        /// The wamid.
        wamid: String,
    },
    /// Back to `pending`, due at `due_at_ms`; counts one attempt.
    Retry {
        /// When it may be sent again (unix ms).
        due_at_ms: u64,
        /// Short reason stored with the row (Meta's code or ours).
        reason: String,
    },
    /// Back to `pending` now without counting an attempt (it never left).
    Release,
    /// `failed`, final.
    Fail {
        /// Short reason (Meta's code or ours).
        reason: String,
    },
    /// Pause the whole queue with this reason, and release the row untouched.
    Pause {
        /// Meta's code.
        reason: String,
    },
    /// `unknown`: wait for a status webhook; [`settle_unknown`] decides at `check_at_ms`.
    Unknown {
        /// When to look again (unix ms).
        check_at_ms: u64,
    },
}

/// The policy's reason codes (stored in `error_code`; the dashboard maps them to text).
pub mod reason {
    /// Retries spent on transient failures.
    pub const RETRIES_SPENT: &str = "retries_spent";
    /// An unknown outcome that was closed without resending.
    pub const UNKNOWN_NOT_RESENT: &str = "unknown_not_resent";
    /// An unknown order update resent once, webhooks having proven it never reached Meta.
    pub const UNKNOWN_RESENT: &str = "unknown_resent";
    /// A sending runner stopped (killed, crashed) with the request possibly on the wire.
    pub const RUNNER_STOPPED: &str = "runner_stopped";
    /// No answer after the request was written.
    pub const NO_ANSWER: &str = "no_answer";
}

fn code_reason(code: Option<i64>, fallback: &str) -> String {
    match code {
        Some(c) if c != 0 => c.to_string(),
        _ => fallback.to_owned(),
    }
}

/// The next step after `report`, for a message of `kind` that had `attempts` requests before
/// this one, at `now_ms`, with the caller's `random` value (PHP `random_int`).
#[must_use]
pub fn decide(kind: Kind, report: &Report, attempts: u32, now_ms: u64, random: u64) -> Step {
    let _ = kind; // Every kind retries, fails and pauses alike; kinds differ on unknown only.
    let attempt = attempts.saturating_add(1);
    match report {
        Report::Accepted { wamid } => Step::Sent {
            wamid: wamid.clone(),
        },
        Report::NotAttempted => Step::Release,
        Report::Permanent { code } => Step::Fail {
            reason: code_reason(Some(*code), "invalid"),
        },
        Report::Fatal { code } => Step::Pause {
            reason: code_reason(Some(*code), "fatal"),
        },
        Report::Unknown => Step::Unknown {
            check_at_ms: now_ms.saturating_add(UNKNOWN_WINDOW_MS),
        },
        Report::Transient {
            code,
            retry_after_ms,
        }
        | Report::RateLimited {
            code,
            retry_after_ms,
        } => {
            if attempt >= MAX_ATTEMPTS {
                return Step::Fail {
                    reason: reason::RETRIES_SPENT.to_owned(),
                };
            }
            let pair = *code == Some(131_056);
            let n = attempt.saturating_sub(1);
            let jittered = QUEUE_BACKOFF.delay_ms(n, random);
            let floor = if pair {
                // Meta: wait 4^n seconds before the next message to the same recipient.
                4u64.checked_pow(n)
                    .unwrap_or(u64::MAX)
                    .saturating_mul(1000)
                    .max(crate::retry::PAIR_MIN_WAIT_MS)
            } else {
                MIN_RETRY_MS
            };
            let wait = jittered.max(floor).max(retry_after_ms.unwrap_or(0));
            let fallback = if matches!(report, Report::RateLimited { .. }) {
                "rate_limited"
            } else {
                "transient"
            };
            Step::Retry {
                due_at_ms: now_ms.saturating_add(wait),
                reason: code_reason(*code, fallback),
            }
        }
    }
}

/// What a runner finds when a lease expired, by the row's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaseExpiry {
    /// `claimed`: never handed to a sending thread, so never on the wire: back to `pending`.
    Pending,
    /// `sending`: the request may have reached Meta: `unknown` (reason `runner_stopped`).
    Unknown,
    /// Any other state: not ours to touch.
    Keep,
}

/// The next state of a row whose runner's lease ran out.
#[must_use]
pub fn on_lease_expired(state: &str) -> LeaseExpiry {
    match state {
        "claimed" => LeaseExpiry::Pending,
        "sending" => LeaseExpiry::Unknown,
        _ => LeaseExpiry::Keep,
    }
}

/// Facts about one `unknown` row, gathered by PHP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownFacts {
    /// The message's kind.
    pub kind: Kind,
    /// When the request was put on the wire (the row went `sending`), unix ms.
    pub in_flight_at_ms: u64,
    /// Now, unix ms.
    pub now_ms: u64,
    /// The row carries a wamid (Meta's answer was stored after all).
    pub has_wamid: bool,
    /// A status webhook for this message arrived (by wamid or callback data).
    pub status_seen: bool,
    /// A status webhook arrived for a message put on the wire after this one.
    pub later_status_seen: bool,
    /// It was already resent once after an unknown outcome.
    pub resent: bool,
}

/// What to do with an `unknown` row now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settle {
    /// Meta has it (a wamid or a status webhook): `sent`.
    Sent,
    /// Look again at this time (unix ms).
    WaitUntil(u64),
    /// Resend once (back to `pending`, reason `unknown_resent`).
    Resend,
    /// Close as "unknown — not resent" (final, reason `unknown_not_resent`).
    Close,
}

/// Decides an `unknown` row: see the module documentation for the reasons per kind.
#[must_use]
pub fn settle_unknown(facts: &UnknownFacts) -> Settle {
    if facts.has_wamid || facts.status_seen {
        return Settle::Sent;
    }
    let age = facts.now_ms.saturating_sub(facts.in_flight_at_ms);
    match facts.kind {
        Kind::Recovery | Kind::Test => {
            if age >= UNKNOWN_WINDOW_MS {
                Settle::Close
            } else {
                Settle::WaitUntil(facts.in_flight_at_ms.saturating_add(UNKNOWN_WINDOW_MS))
            }
        }
        Kind::Order => {
            if age >= ORDER_GIVE_UP_MS || (facts.resent && age >= ORDER_RESEND_AFTER_MS) {
                Settle::Close
            } else if age >= ORDER_RESEND_AFTER_MS && facts.later_status_seen && !facts.resent {
                Settle::Resend
            } else if age >= ORDER_RESEND_AFTER_MS {
                // No evidence yet: check again every window until the give-up time.
                Settle::WaitUntil(
                    facts
                        .now_ms
                        .saturating_add(UNKNOWN_WINDOW_MS)
                        .min(facts.in_flight_at_ms.saturating_add(ORDER_GIVE_UP_MS)),
                )
            } else {
                Settle::WaitUntil(facts.in_flight_at_ms.saturating_add(ORDER_RESEND_AFTER_MS))
            }
        }
    }
}
