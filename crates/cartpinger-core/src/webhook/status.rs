//! Monotonic, idempotent application of status events to a stored message.
//!
//! Meta gives no ordering guarantee and redelivers (README §7.4): `read` can arrive before
//! `delivered` (or `delivered` never arrives), the same `(wamid, status)` can arrive twice, and
//! relays report `delivered` after `failed` for users with several devices. The stored state
//! is therefore the **join** of everything seen, so any order and any number of duplicates of
//! the same set of events converge to the same result:
//!
//! ```text
//! None < Sent < Delivered < Read < Failed        new_state = max(current, event)
//! ```
//!
//! ## Decision: `failed` is terminal and wins in any order
//!
//! * `sent` → `failed` is normal (e.g. 131026, 131049 arrive after `sent`).
//! * A `delivered` or `read` arriving **after** `failed` does not resurrect the message: the
//!   failure carried an error code the plugin has already acted on (suppressed the number,
//!   stopped the sequence), and flipping back would make the outcome depend on arrival order.
//! * For the same reason a `failed` arriving after `read` moves the state to `Failed`: with
//!   "failed is terminal" the only order-independent choice is that failed ranks highest.
//!   Nothing is lost: every event still reports its timestamp in
//!   [`Transition::timestamps`], so `delivered_at` / `read_at` keep the evidence that the
//!   message reached the user (count reads by `read_at IS NOT NULL`, not by the status
//!   column).
//! * Unknown statuses ([`Status::Unknown`], e.g. `played`, `deleted`) change nothing.
//!
//! ## Timestamps
//!
//! [`StatusTimestamps`] says which `*_at` columns an event provides. Store each as the
//! **minimum** of the stored and the new value (`col = COALESCE(LEAST(col, ?), ?)`), which is
//! order-independent too. `read` also provides `delivered_at` and `sent_at`, and `delivered`
//! provides `sent_at`, because each implies the earlier steps (Meta skips `delivered` when a
//! message is delivered and read at once); the real, earlier event wins by the minimum rule when
//! it arrives. `failed` provides only `failed_at` (a message can fail without ever being sent).

use super::event::{Status, StatusEvent};

/// The delivery state stored per message. The derived order is the join order (see the module
/// documentation): `None < Sent < Delivered < Read < Failed`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeliveryState {
    /// No status event seen yet (accepted by the API, or still queued).
    #[default]
    None,
    /// `sent`.
    Sent,
    /// `delivered`.
    Delivered,
    /// `read`.
    Read,
    /// `failed` (terminal).
    Failed,
}

impl DeliveryState {
    /// Lowercase name: `none`, `sent`, `delivered`, `read`, `failed` (the `sent|delivered|read|
    /// failed` values of the `messages_log.status` column).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Failed => "failed",
        }
    }

    /// The inverse of [`DeliveryState::as_str`]. Any other value (e.g. the queue states
    /// `pending`, `claimed`, `unknown`) is [`DeliveryState::None`]: no delivery news yet.
    #[must_use]
    pub fn from_name(name: &str) -> Self {
        match name {
            "sent" => Self::Sent,
            "delivered" => Self::Delivered,
            "read" => Self::Read,
            "failed" => Self::Failed,
            _ => Self::None,
        }
    }

    /// The state a status event moves towards, or `None` for an unknown status.
    #[must_use]
    pub const fn of(status: &Status) -> Option<Self> {
        match status {
            Status::Sent => Some(Self::Sent),
            Status::Delivered => Some(Self::Delivered),
            Status::Read => Some(Self::Read),
            Status::Failed => Some(Self::Failed),
            Status::Unknown(_) => None,
        }
    }

    /// Whether no later event can change this state.
    #[must_use]
    pub const fn is_terminal(self) -> bool {
        matches!(self, Self::Failed)
    }
}

/// The `*_at` values (Unix seconds) an event provides; store each as the minimum of the stored
/// and the given value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct StatusTimestamps {
    /// For `sent_at`.
    pub sent_at: Option<u64>,
    /// For `delivered_at`.
    pub delivered_at: Option<u64>,
    /// For `read_at`.
    pub read_at: Option<u64>,
    /// For `failed_at`.
    pub failed_at: Option<u64>,
}

impl StatusTimestamps {
    /// Whether the event provides no timestamp at all.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.sent_at.is_none()
            && self.delivered_at.is_none()
            && self.read_at.is_none()
            && self.failed_at.is_none()
    }

    /// Combines two sets by the minimum rule (what the database does with `LEAST`).
    #[must_use]
    pub fn merge(self, other: Self) -> Self {
        fn min(a: Option<u64>, b: Option<u64>) -> Option<u64> {
            match (a, b) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            }
        }
        Self {
            sent_at: min(self.sent_at, other.sent_at),
            delivered_at: min(self.delivered_at, other.delivered_at),
            read_at: min(self.read_at, other.read_at),
            failed_at: min(self.failed_at, other.failed_at),
        }
    }
}

/// What applying one status event to a stored message does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Transition {
    /// The state to store (`max(current, event)`).
    pub new_state: DeliveryState,
    /// Whether `new_state` differs from the current state (write the status column).
    pub changed: bool,
    /// The timestamps the event provides (write them by the minimum rule even when `changed`
    /// is false: a late `read` after `failed` still records `read_at`).
    pub timestamps: StatusTimestamps,
}

/// Applies a status event to the current state of its message. Pure, idempotent
/// (`apply(apply(s, e).new_state, e).changed == false`) and order-independent (see the module
/// documentation).
#[must_use]
pub fn apply(current: DeliveryState, event: &StatusEvent) -> Transition {
    apply_status(current, &event.status, event.timestamp)
}

/// [`apply`] on the two fields that matter, for callers that store events in another form.
#[must_use]
pub fn apply_status(current: DeliveryState, status: &Status, timestamp: u64) -> Transition {
    let Some(target) = DeliveryState::of(status) else {
        return Transition {
            new_state: current,
            changed: false,
            timestamps: StatusTimestamps::default(),
        };
    };
    let new_state = current.max(target);
    let ts = Some(timestamp);
    let timestamps = match target {
        DeliveryState::None => StatusTimestamps::default(),
        DeliveryState::Sent => StatusTimestamps {
            sent_at: ts,
            ..StatusTimestamps::default()
        },
        DeliveryState::Delivered => StatusTimestamps {
            sent_at: ts,
            delivered_at: ts,
            ..StatusTimestamps::default()
        },
        DeliveryState::Read => StatusTimestamps {
            sent_at: ts,
            delivered_at: ts,
            read_at: ts,
            ..StatusTimestamps::default()
        },
        DeliveryState::Failed => StatusTimestamps {
            failed_at: ts,
            ..StatusTimestamps::default()
        },
    };
    Transition {
        new_state,
        changed: new_state != current,
        timestamps,
    }
}
