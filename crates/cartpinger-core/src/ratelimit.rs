//! Rate limits, pure: time (unix ms, or any monotonic ms) is an argument.
//!
//! * [`TokenBucket`]: the phone number's throughput. Meta allows 80 messages per second by
//!   default, 1,000 after an automatic upgrade, 20 for numbers shared with the WhatsApp Business
//!   app (README §6); exceeding it gives 130429. The bucket guarantees: over any window of
//!   `T` ms, at most `burst + ⌊(rate · T − 1) / 1000⌋` acquisitions succeed. With the default
//!   burst of 1 that is **at most `rate` per any 1,000 ms window**, i.e. never above Meta's cap.
//! * [`PairGuard`]: the per-recipient pair rate. Meta allows one message per 6 s to the same
//!   user, with bursts (up to 45 in 6 s) that borrow from future quota, and a long pause after a
//!   burst of 20 (README §6). CartPinger never needs bursts (a few messages per user per day), so
//!   the guard allows a burst of 2 (a reminder and an order notification may coincide) and then
//!   one message per 6 s. After a 131056 the recipient is held back by [`PairGuard::penalize`].
//!
//! Arithmetic is integer fixed point (milli-tokens), so the bounds hold exactly; time that goes
//! backwards (threads reading the clock before taking the lock) is treated as "no time passed".

use std::collections::BTreeMap;

/// Milli-tokens per token.
const MILLI: u64 = 1000;

/// A token bucket: `rate_per_sec` tokens per second, holding at most `burst` tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenBucket {
    rate_per_sec: u64,
    burst: u64,
    /// Milli-tokens available.
    level: u64,
    /// Last time the level was brought up to date.
    last_ms: Option<u64>,
}

/// Meta's default throughput per phone number (messages per second).
pub const DEFAULT_MPS: u32 = 80;
/// Meta's upgraded throughput per phone number.
pub const MAX_MPS: u32 = 1000;

impl Default for TokenBucket {
    fn default() -> Self {
        Self::per_second(DEFAULT_MPS)
    }
}

impl TokenBucket {
    /// `rate` messages per second (clamped to 1–[`MAX_MPS`]), burst 1: at most `rate` in any
    /// 1,000 ms window, evenly paced.
    #[must_use]
    pub fn per_second(rate: u32) -> Self {
        Self::with_burst(rate, 1)
    }

    /// `rate` per second (clamped to 1–[`MAX_MPS`]) holding up to `burst` tokens (at least 1).
    /// Starts full.
    #[must_use]
    pub fn with_burst(rate: u32, burst: u32) -> Self {
        let burst = u64::from(burst.max(1));
        Self {
            rate_per_sec: u64::from(rate.clamp(1, MAX_MPS)),
            burst,
            level: burst * MILLI,
            last_ms: None,
        }
    }

    /// Messages per second.
    #[must_use]
    pub fn rate_per_sec(&self) -> u64 {
        self.rate_per_sec
    }

    /// Burst size.
    #[must_use]
    pub fn burst(&self) -> u64 {
        self.burst
    }

    /// `burst` tokens plus less than one millisecond of refill: time is sampled in whole ms, so
    /// capping at exactly `burst` would drop the fraction of a token that accrued past the
    /// cap and pace below the rate (80 mps would become 77).
    fn max_level(&self) -> u64 {
        self.burst * MILLI + self.rate_per_sec - 1
    }

    fn refill(&mut self, now_ms: u64) {
        let last = self.last_ms.unwrap_or(now_ms);
        let elapsed = now_ms.saturating_sub(last);
        // rate tokens/s = rate milli-tokens/ms.
        let add = elapsed.saturating_mul(self.rate_per_sec);
        self.level = self.level.saturating_add(add).min(self.max_level());
        self.last_ms = Some(last.max(now_ms));
    }

    /// Takes one token at `now_ms`, or says how many ms to wait until one is available.
    ///
    /// # Errors
    /// `Err(wait_ms)` (≥ 1) when no token is available; nothing is consumed.
    pub fn try_acquire(&mut self, now_ms: u64) -> Result<(), u64> {
        self.refill(now_ms);
        if self.level >= MILLI {
            self.level -= MILLI;
            Ok(())
        } else {
            let missing = MILLI - self.level;
            // Tokens accrue from `last_ms`, which is in the future while paused.
            let paused = self.last_ms.map_or(0, |l| l.saturating_sub(now_ms));
            Err(paused
                .saturating_add(missing.div_ceil(self.rate_per_sec))
                .max(1))
        }
    }

    /// Drains the bucket and holds it empty until `until_ms` (after a 130429: Meta says we are
    /// over the cap, so stop for a while whatever our own accounting says).
    pub fn pause_until(&mut self, now_ms: u64, until_ms: u64) {
        self.refill(now_ms);
        self.level = 0;
        self.last_ms = Some(until_ms.max(now_ms));
    }
}

/// Default per-recipient spacing (Meta: one message per 6 s to the same user).
pub const PAIR_INTERVAL_MS: u64 = 6_000;
/// Default per-recipient burst.
pub const PAIR_BURST: u32 = 2;
/// Most recipients tracked at once; beyond it the guard prunes idle ones, then refuses new ones
/// with a short wait rather than grow without bound.
pub const PAIR_MAX_TRACKED: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Eq)]
struct PairState {
    /// Credit in ms: one message costs `interval_ms`; credit grows 1 per ms up to
    /// `burst · interval_ms` (exact integer token bucket).
    credit_ms: u64,
    last_ms: u64,
    /// No message before this time (after a 131056).
    blocked_until: u64,
    /// 131056 answers in a row (for the 4ˣ s wait).
    strikes: u32,
}

/// Per-recipient pair-rate guard (a token bucket per recipient, plus a penalty after 131056).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairGuard {
    interval_ms: u64,
    burst: u64,
    recipients: BTreeMap<String, PairState>,
}

impl Default for PairGuard {
    fn default() -> Self {
        Self::new(PAIR_INTERVAL_MS, PAIR_BURST)
    }
}

impl PairGuard {
    /// One message per `interval_ms` (at least 1) per recipient, bursts of `burst` (at least 1).
    #[must_use]
    pub fn new(interval_ms: u64, burst: u32) -> Self {
        Self {
            interval_ms: interval_ms.max(1),
            burst: u64::from(burst.max(1)),
            recipients: BTreeMap::new(),
        }
    }

    fn capacity(&self) -> u64 {
        self.burst.saturating_mul(self.interval_ms)
    }

    fn full(&self, now_ms: u64) -> PairState {
        PairState {
            credit_ms: self.capacity(),
            last_ms: now_ms,
            blocked_until: 0,
            strikes: 0,
        }
    }

    fn refill(&self, s: &mut PairState, now_ms: u64) {
        let elapsed = now_ms.saturating_sub(s.last_ms);
        s.credit_ms = s.credit_ms.saturating_add(elapsed).min(self.capacity());
        s.last_ms = s.last_ms.max(now_ms);
    }

    /// Takes one message slot for `recipient` at `now_ms`, or says how many ms to wait.
    ///
    /// # Errors
    /// `Err(wait_ms)` (≥ 1) when this recipient must wait; nothing is consumed.
    pub fn try_acquire(&mut self, recipient: &str, now_ms: u64) -> Result<(), u64> {
        if !self.recipients.contains_key(recipient) && self.recipients.len() >= PAIR_MAX_TRACKED {
            self.prune(now_ms);
            if self.recipients.len() >= PAIR_MAX_TRACKED {
                return Err(self.interval_ms);
            }
        }
        let fresh = self.full(now_ms);
        let mut s = self.recipients.get(recipient).cloned().unwrap_or(fresh);
        self.refill(&mut s, now_ms);
        let result = if now_ms < s.blocked_until {
            Err(s.blocked_until - now_ms)
        } else if s.credit_ms >= self.interval_ms {
            s.credit_ms -= self.interval_ms;
            Ok(())
        } else {
            Err((self.interval_ms - s.credit_ms).max(1))
        };
        self.recipients.insert(recipient.to_owned(), s);
        result
    }

    /// Records a 131056 (pair rate limit) for `recipient`: drains its tokens and blocks it for
    /// `max(interval, 4ˣ s)` where X counts consecutive penalties (Meta's advice). Returns the
    /// time (ms) until which it is blocked.
    pub fn penalize(&mut self, recipient: &str, now_ms: u64) -> u64 {
        let fresh = self.full(now_ms);
        let interval = self.interval_ms;
        let s = self.recipients.entry(recipient.to_owned()).or_insert(fresh);
        let wait = 4u64
            .checked_pow(s.strikes)
            .unwrap_or(u64::MAX)
            .saturating_mul(1000)
            .max(interval);
        s.strikes = s.strikes.saturating_add(1);
        s.credit_ms = 0;
        s.last_ms = s.last_ms.max(now_ms);
        s.blocked_until = now_ms.saturating_add(wait);
        s.blocked_until
    }

    /// Records a successful send to `recipient` after penalties: resets the 4ˣ counter.
    pub fn record_success(&mut self, recipient: &str) {
        if let Some(s) = self.recipients.get_mut(recipient) {
            s.strikes = 0;
        }
    }

    /// Forgets recipients whose bucket is full again and who are not blocked (they behave
    /// exactly like unseen recipients). Call now and then to bound memory.
    pub fn prune(&mut self, now_ms: u64) {
        let capacity = self.capacity();
        self.recipients.retain(|_, s| {
            now_ms < s.blocked_until
                || s.credit_ms.saturating_add(now_ms.saturating_sub(s.last_ms)) < capacity
        });
    }

    /// Number of recipients currently tracked.
    #[must_use]
    pub fn tracked(&self) -> usize {
        self.recipients.len()
    }
}
