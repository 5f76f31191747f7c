//! The recovery scheduler: for each captured checkout (a *recovery record*), what to do now —
//! send the next step, wait, stop, hold it out of the experiment, or hold it back.
//!
//! Pure and clock-free like the rest of the core: `now` is an argument, and so is everything
//! else. `docs/engine.md` ("Recovery scheduling") explains the rules; `docs/contracts.md` the
//! PHP shape (`CartPinger\Native\Scheduler::plan`).
//!
//! Steps: 1 = first message ([`catalog::RECOVERY_FIRST`]), 2 = the follow-up
//! ([`catalog::RECOVERY_24H_COUPON`] or [`catalog::RECOVERY_24H_NO_COUPON`]), 3 = the final
//! reminder ([`catalog::RECOVERY_48H`]). Follow-up delays count from the moment the **first**
//! message was queued (`first_message_at`), not from the previous step.

pub mod quiet;
pub mod zones;

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::catalog::{self, Category};
use crate::phone;

pub use quiet::{QuietHours, Recipient, Zone};

/// Largest timestamp accepted (3000-01-01T00:00:00Z): keeps every sum far from overflow and
/// inside chrono's range.
pub const MAX_TIMESTAMP: i64 = 32_503_680_000;

/// Largest duration accepted in a policy (10 years, in seconds).
pub const MAX_DURATION: i64 = 10 * 366 * 86_400;

/// Why [`plan`] refused its input. Codes 7001–7099 (`SchedulerException`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ScheduleError {
    /// A required key is missing (raised by the PHP binding). Code 7001.
    #[error("{0} is missing")]
    MissingKey(String),
    /// A value has the wrong type (raised by the PHP binding). Code 7002.
    #[error("{key} must be {expected}, got {got}")]
    WrongType {
        /// Path of the value (`policy.delay`, `records[3].phone`).
        key: String,
        /// The expected PHP type (`int`, `bool`, `string`, `array`).
        expected: &'static str,
        /// The type that was given.
        got: String,
    },
    /// A policy value is out of range or unparseable. Code 7003.
    #[error("policy.{key}: {reason}")]
    InvalidPolicy {
        /// The policy key.
        key: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A record value is out of range or inconsistent. Code 7004.
    #[error("records[{index}].{key}: {reason}")]
    InvalidRecord {
        /// Position of the record in the batch.
        index: usize,
        /// The record key.
        key: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// `now` is out of range. Code 7005.
    #[error("now must be between 0 and {MAX_TIMESTAMP}")]
    InvalidNow,
}

impl ScheduleError {
    /// Stable numeric code (7001–7005).
    #[must_use]
    pub fn code(&self) -> i32 {
        match self {
            Self::MissingKey(_) => 7001,
            Self::WrongType { .. } => 7002,
            Self::InvalidPolicy { .. } => 7003,
            Self::InvalidRecord { .. } => 7004,
            Self::InvalidNow => 7005,
        }
    }
}

/// The site's recovery settings (all durations in seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Seconds after `last_activity_at` before step 1.
    pub delay: i64,
    /// Whether follow-ups (steps 2 and 3) are sent at all.
    pub followups: bool,
    /// Step 2 is due this long after `first_message_at`.
    pub followup_1_after: i64,
    /// Whether step 3 is sent.
    pub followup_2_enabled: bool,
    /// Step 3 is due this long after `first_message_at`.
    pub followup_2_after: i64,
    /// Step 2 carries a coupon ([`catalog::RECOVERY_24H_COUPON`]).
    pub coupon: bool,
    /// A recovery message to the same phone for another record this recently blocks step 1.
    pub cooloff: i64,
    /// Records idle for longer than this are stopped.
    pub max_age: i64,
    /// Share of records (0–100 %) held out of recovery as a control group.
    pub holdout_percent: i64,
    /// Salt of the holdout assignment.
    pub holdout_salt: String,
    /// The quiet window.
    pub quiet: QuietHours,
    /// IANA name or `±HH:MM`, used when neither the phone nor the billing country gives a zone.
    pub default_timezone: String,
    /// Time to live of the message of step 1, 2, 3: `expires_at = send_at + ttl`.
    pub ttl: [i64; 3],
    /// Hold marketing messages to US (+1, region US) numbers.
    pub us_marketing_guard: bool,
}

/// One recovery record (a captured checkout). Times are unix seconds, `0` = never.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The record id (also the holdout key).
    pub id: i64,
    /// `open` or `messaged`; anything else is closed.
    pub status: String,
    /// The shopper consented to WhatsApp reminders.
    pub consent: bool,
    /// The shopper opted out (STOP).
    pub opted_out: bool,
    /// The shopper ordered since the cart was captured.
    pub ordered_since: bool,
    /// E.164 phone number.
    pub phone: String,
    /// ISO 3166-1 alpha-2 billing country or `""`.
    pub billing_country: String,
    /// When the record was captured.
    pub created_at: i64,
    /// The shopper's last activity on the cart.
    pub last_activity_at: i64,
    /// Steps already queued (0–3).
    pub step: i64,
    /// When step 1 was queued (`0` = not yet; required when `step >= 1`).
    pub first_message_at: i64,
    /// Last recovery message to the same phone for another record (`0` = none).
    pub last_other_message_at: i64,
}

/// Why a record stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StopReason {
    /// The shopper ordered.
    Ordered,
    /// No consent.
    NoConsent,
    /// Opted out.
    OptedOut,
    /// Idle longer than `max_age`.
    MaxAge,
    /// Every enabled step was queued.
    Complete,
    /// The phone is not a valid E.164 number.
    InvalidPhone,
    /// The record's status is neither `open` nor `messaged`.
    Closed,
}

impl StopReason {
    /// The PHP spelling.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ordered => "ordered",
            Self::NoConsent => "no_consent",
            Self::OptedOut => "opted_out",
            Self::MaxAge => "max_age",
            Self::Complete => "complete",
            Self::InvalidPhone => "invalid_phone",
            Self::Closed => "closed",
        }
    }
}

/// Why a record waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WaitReason {
    /// Step 1 is not due yet (`last_activity_at + delay`).
    Delay,
    /// The phone got a message for another record within the cool-off.
    Cooloff,
    /// A follow-up is not due yet (`first_message_at + followup_n_after`).
    Followup,
}

impl WaitReason {
    /// The PHP spelling.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Delay => "delay",
            Self::Cooloff => "cooloff",
            Self::Followup => "followup",
        }
    }
}

/// What to do with one record now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Queue step `step` to be sent at `send_at`.
    Send {
        /// Record id.
        id: i64,
        /// Step (1–3).
        step: u8,
        /// Template name (catalog).
        template: &'static str,
        /// Template category (catalog).
        category: Category,
        /// When to send: `max(now, due)` moved out of quiet hours.
        send_at: i64,
        /// `send_at + ttl[step - 1]`.
        expires_at: i64,
        /// The message carries a coupon (step 2 with `policy.coupon`).
        coupon: bool,
        /// `send_at` was moved by quiet hours.
        quiet_shifted: bool,
    },
    /// Nothing to do before `until`.
    Wait {
        /// Record id.
        id: i64,
        /// Earliest time something can change.
        until: i64,
        /// Why.
        reason: WaitReason,
    },
    /// Never send anything for this record again.
    Stop {
        /// Record id.
        id: i64,
        /// Why.
        reason: StopReason,
    },
    /// The record is in the holdout (control) group: never messaged.
    Holdout {
        /// Record id.
        id: i64,
    },
    /// A marketing message to a US number while the US guard is on: not sent.
    HoldUsMarketing {
        /// Record id.
        id: i64,
        /// The step that would have been sent.
        step: u8,
        /// Its template.
        template: &'static str,
    },
}

impl Decision {
    /// The record id.
    #[must_use]
    pub const fn id(&self) -> i64 {
        match self {
            Self::Send { id, .. }
            | Self::Wait { id, .. }
            | Self::Stop { id, .. }
            | Self::Holdout { id }
            | Self::HoldUsMarketing { id, .. } => *id,
        }
    }

    /// The PHP `action` (`send`, `wait`, `stop`, `holdout`, `hold`).
    #[must_use]
    pub const fn action(&self) -> &'static str {
        match self {
            Self::Send { .. } => "send",
            Self::Wait { .. } => "wait",
            Self::Stop { .. } => "stop",
            Self::Holdout { .. } => "holdout",
            Self::HoldUsMarketing { .. } => "hold",
        }
    }
}

/// Holdout bucket 0–99 of a record: the first 8 bytes of `SHA-256(salt || decimal id)` as a
/// big-endian integer, modulo 100. A record is held out when `bucket < holdout_percent`.
#[must_use]
pub fn holdout_bucket(salt: &str, id: i64) -> u8 {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(id.to_string().as_bytes());
    let digest = h.finalize();
    let mut first = [0_u8; 8];
    for (dst, src) in first.iter_mut().zip(digest.iter()) {
        *dst = *src;
    }
    // `% 100` is always < 100, so the conversion cannot fail.
    u8::try_from(u64::from_be_bytes(first) % 100).unwrap_or(0)
}

/// The template of a step (1–3).
#[must_use]
pub const fn template_for(step: u8, coupon: bool) -> &'static str {
    match step {
        1 => catalog::RECOVERY_FIRST,
        2 if coupon => catalog::RECOVERY_24H_COUPON,
        2 => catalog::RECOVERY_24H_NO_COUPON,
        _ => catalog::RECOVERY_48H,
    }
}

/// A validated policy, with its default zone parsed once per batch.
struct Compiled<'a> {
    policy: &'a Policy,
    default_zone: Zone,
}

fn check_duration(key: &'static str, value: i64) -> Result<(), ScheduleError> {
    if (0..=MAX_DURATION).contains(&value) {
        Ok(())
    } else {
        Err(ScheduleError::InvalidPolicy {
            key,
            reason: format!("must be between 0 and {MAX_DURATION} seconds"),
        })
    }
}

fn compile(policy: &Policy) -> Result<Compiled<'_>, ScheduleError> {
    check_duration("delay", policy.delay)?;
    check_duration("followup_1_after", policy.followup_1_after)?;
    check_duration("followup_2_after", policy.followup_2_after)?;
    check_duration("cooloff", policy.cooloff)?;
    check_duration("max_age", policy.max_age)?;
    for ttl in policy.ttl {
        check_duration("ttl", ttl)?;
    }
    if !(0..=100).contains(&policy.holdout_percent) {
        return Err(ScheduleError::InvalidPolicy {
            key: "holdout_percent",
            reason: "must be between 0 and 100".to_owned(),
        });
    }
    for (key, minute) in [
        ("quiet.start", policy.quiet.start),
        ("quiet.end", policy.quiet.end),
    ] {
        if minute >= 1440 {
            return Err(ScheduleError::InvalidPolicy {
                key,
                reason: "must be a minute of the day, 0 to 1439".to_owned(),
            });
        }
    }
    let default_zone =
        Zone::parse(&policy.default_timezone).ok_or_else(|| ScheduleError::InvalidPolicy {
            key: "default_timezone",
            reason: "must be an IANA time zone name or an offset like +05:30".to_owned(),
        })?;
    Ok(Compiled {
        policy,
        default_zone,
    })
}

fn check_record(index: usize, r: &Record) -> Result<(), ScheduleError> {
    let invalid = |key: &'static str, reason: &str| ScheduleError::InvalidRecord {
        index,
        key,
        reason: reason.to_owned(),
    };
    for (key, t) in [
        ("created_at", r.created_at),
        ("last_activity_at", r.last_activity_at),
        ("first_message_at", r.first_message_at),
        ("last_other_message_at", r.last_other_message_at),
    ] {
        if !(0..=MAX_TIMESTAMP).contains(&t) {
            return Err(invalid(
                key,
                "must be a unix time between 0 and 32503680000",
            ));
        }
    }
    if !(0..=3).contains(&r.step) {
        return Err(invalid("step", "must be between 0 and 3"));
    }
    if r.step >= 1 && r.first_message_at == 0 {
        return Err(invalid("first_message_at", "must be set when step >= 1"));
    }
    Ok(())
}

/// The phone's validity and region: `(valid, region)`. Valid means the string is exactly the
/// E.164 form of a valid number.
fn phone_facts(phone: &str) -> (bool, Option<String>) {
    match phone::to_e164(phone, "") {
        Ok(e164) if e164 == phone => (true, phone::region_of(phone)),
        _ => (false, None),
    }
}

/// Who receives the messages of `record`: the phone's region, else the billing country, else
/// `default_timezone`. `None` when the policy's default zone does not parse.
#[must_use]
pub fn recipient_of(policy: &Policy, record: &Record) -> Option<Recipient> {
    let default = Zone::parse(&policy.default_timezone)?;
    let (_, region) = phone_facts(&record.phone);
    Some(quiet::recipient(
        region.as_deref(),
        &record.billing_country,
        default,
    ))
}

fn decide(c: &Compiled<'_>, r: &Record, now: i64) -> Decision {
    let p = c.policy;
    let id = r.id;
    let stop = |reason| Decision::Stop { id, reason };
    if r.status != "open" && r.status != "messaged" {
        return stop(StopReason::Closed);
    }
    if r.opted_out {
        return stop(StopReason::OptedOut);
    }
    if !r.consent {
        return stop(StopReason::NoConsent);
    }
    if r.ordered_since {
        return stop(StopReason::Ordered);
    }
    let (valid, region) = phone_facts(&r.phone);
    if !valid {
        return stop(StopReason::InvalidPhone);
    }
    if r.step >= 3 || (r.step >= 1 && !p.followups) || (r.step == 2 && !p.followup_2_enabled) {
        return stop(StopReason::Complete);
    }
    if now - r.last_activity_at > p.max_age {
        return stop(StopReason::MaxAge);
    }
    let (next, due, wait_reason) = match r.step {
        0 => (1_u8, r.last_activity_at + p.delay, WaitReason::Delay),
        1 => (
            2,
            r.first_message_at + p.followup_1_after,
            WaitReason::Followup,
        ),
        _ => (
            3,
            r.first_message_at + p.followup_2_after,
            WaitReason::Followup,
        ),
    };
    if due > now {
        return Decision::Wait {
            id,
            until: due,
            reason: wait_reason,
        };
    }
    if next == 1 && r.last_other_message_at > 0 && r.last_other_message_at + p.cooloff > now {
        return Decision::Wait {
            id,
            until: r.last_other_message_at + p.cooloff,
            reason: WaitReason::Cooloff,
        };
    }
    if next == 1 && i64::from(holdout_bucket(&p.holdout_salt, id)) < p.holdout_percent {
        return Decision::Holdout { id };
    }
    let coupon = next == 2 && p.coupon;
    let template = template_for(next, p.coupon);
    let category = catalog::get(template).map_or(Category::Marketing, |t| t.category);
    if category == Category::Marketing && p.us_marketing_guard && region.as_deref() == Some("US") {
        return Decision::HoldUsMarketing {
            id,
            step: next,
            template,
        };
    }
    let earliest = now.max(due);
    let recipient = quiet::recipient(region.as_deref(), &r.billing_country, c.default_zone);
    let send_at = quiet::shift_out_of_quiet(&p.quiet, &recipient, earliest);
    let ttl = match next {
        1 => p.ttl[0],
        2 => p.ttl[1],
        _ => p.ttl[2],
    };
    Decision::Send {
        id,
        step: next,
        template,
        category,
        send_at,
        expires_at: send_at + ttl,
        coupon,
        quiet_shifted: send_at != earliest,
    }
}

/// One decision per record, in the same order.
///
/// # Errors
///
/// [`ScheduleError`] when the policy, a record or `now` is out of range (the whole batch is
/// refused: these are programming errors, not shopper data).
pub fn plan(policy: &Policy, records: &[Record], now: i64) -> Result<Vec<Decision>, ScheduleError> {
    if !(0..=MAX_TIMESTAMP).contains(&now) {
        return Err(ScheduleError::InvalidNow);
    }
    let compiled = compile(policy)?;
    for (index, r) in records.iter().enumerate() {
        check_record(index, r)?;
    }
    // Cool-off also holds inside one batch: a phone sent to earlier in the batch counts as
    // messaged at that send time for the records after it (the caller's facts predate the batch).
    let mut sent_in_batch: BTreeMap<&str, i64> = BTreeMap::new();
    let mut out = Vec::with_capacity(records.len());
    for r in records {
        let earlier = sent_in_batch.get(r.phone.as_str()).copied().unwrap_or(0);
        let decision = if earlier > r.last_other_message_at {
            let seen = Record {
                last_other_message_at: earlier,
                ..r.clone()
            };
            decide(&compiled, &seen, now)
        } else {
            decide(&compiled, r, now)
        };
        if let Decision::Send { send_at, .. } = decision {
            let last = sent_in_batch.entry(r.phone.as_str()).or_insert(send_at);
            *last = (*last).max(send_at);
        }
        out.push(decision);
    }
    Ok(out)
}
