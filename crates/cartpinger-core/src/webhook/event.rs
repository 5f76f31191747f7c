//! What a parsed webhook POST contains: plain data, no behaviour beyond small accessors.

/// The result of [`super::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookBatch {
    /// `object == "whatsapp_business_account"`: the events, in document order (entry by entry,
    /// change by change; within one change first `statuses[]`, then `messages[]`, then
    /// `errors[]`, each in array order).
    WhatsApp {
        /// The events we understood.
        events: Vec<Event>,
        /// Items that were present but unusable (e.g. a status without `id`), with the reason.
        /// Log them; never fail the request because of them.
        skipped: Vec<Skipped>,
    },
    /// Another `object` (e.g. `page`, `instagram`): not ours. Answer 200 and do nothing.
    Ignored {
        /// The `object` value that was received.
        object: String,
    },
}

impl WebhookBatch {
    /// The events (empty for [`WebhookBatch::Ignored`]).
    #[must_use]
    pub fn events(&self) -> &[Event] {
        match self {
            Self::WhatsApp { events, .. } => events,
            Self::Ignored { .. } => &[],
        }
    }

    /// The skipped items (empty for [`WebhookBatch::Ignored`]).
    #[must_use]
    pub fn skipped(&self) -> &[Skipped] {
        match self {
            Self::WhatsApp { skipped, .. } => skipped,
            Self::Ignored { .. } => &[],
        }
    }

    /// Whether the batch was for another `object` and was ignored.
    #[must_use]
    pub const fn is_ignored(&self) -> bool {
        matches!(self, Self::Ignored { .. })
    }

    /// The status events, in order.
    pub fn statuses(&self) -> impl Iterator<Item = &StatusEvent> {
        self.events().iter().filter_map(|e| match e {
            Event::Status(s) => Some(s),
            _ => None,
        })
    }

    /// The inbound messages, in order.
    pub fn messages(&self) -> impl Iterator<Item = &InboundMessage> {
        self.events().iter().filter_map(|e| match e {
            Event::Message(m) => Some(m),
            _ => None,
        })
    }

    /// The value-level errors, in order.
    pub fn errors(&self) -> impl Iterator<Item = &WebhookError> {
        self.events().iter().filter_map(|e| match e {
            Event::Error(w) => Some(w),
            _ => None,
        })
    }
}

/// One thing that happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// `value.statuses[i]`: news about a message we sent.
    Status(StatusEvent),
    /// `value.messages[i]`: a message a user sent us.
    Message(InboundMessage),
    /// `value.errors[i]`: an error not tied to one message (e.g. 130429 throughput).
    Error(WebhookError),
    /// A change of one of the account-level fields CartPinger acts on
    /// ([`ACCOUNT_FIELDS`]: template category and status updates, phone-number quality and
    /// messaging-limit updates, account updates): the `value` object's scalar members.
    Account(AccountEvent),
    /// A change whose `field` is neither `messages` nor in [`ACCOUNT_FIELDS`] (e.g.
    /// `user_preferences`): recognised, not interpreted yet.
    OtherField {
        /// Where it came from.
        origin: Origin,
        /// The change's `field`.
        field: String,
    },
}

/// The non-`messages` fields parsed into [`Event::Account`].
pub const ACCOUNT_FIELDS: &[&str] = &[
    "template_category_update",
    "message_template_status_update",
    "phone_number_quality_update",
    "account_update",
];

/// One account-level change (`entry[].changes[]` with a field in [`ACCOUNT_FIELDS`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountEvent {
    /// Where it came from.
    pub origin: Origin,
    /// The change's `field`.
    pub field: String,
    /// The `value` object's members that are strings, numbers or booleans, as text (numbers in
    /// their JSON spelling, booleans `true`/`false`); nested objects and arrays are left out.
    pub values: std::collections::BTreeMap<String, String>,
}

impl AccountEvent {
    /// One value, when present and not empty.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// For `template_category_update`: what it announces.
    #[must_use]
    pub fn category_change(&self) -> Option<CategoryChange> {
        if self.field != "template_category_update" {
            return None;
        }
        if let Some(correct) = self.get("correct_category") {
            return Some(CategoryChange::Impending {
                correct_category: correct.to_ascii_uppercase(),
                at: self
                    .get("category_update_timestamp")
                    .and_then(|t| t.parse().ok()),
            });
        }
        match (self.get("previous_category"), self.get("new_category")) {
            (previous, Some(new)) => Some(CategoryChange::Completed {
                previous_category: previous.map(str::to_ascii_uppercase),
                new_category: new.to_ascii_uppercase(),
            }),
            _ => None,
        }
    }
}

/// A `template_category_update` notification (Meta's webhook reference: an *impending* notice
/// carries `correct_category` and `category_update_timestamp`; a *completed* one
/// `previous_category` and `new_category`). Route only on completed changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CategoryChange {
    /// Meta will change the category at `at` (Unix seconds), to `correct_category`.
    Impending {
        /// The category the template will get.
        correct_category: String,
        /// When (Unix seconds), if given.
        at: Option<u64>,
    },
    /// Meta changed the category.
    Completed {
        /// The former category.
        previous_category: Option<String>,
        /// The category to route on from now.
        new_category: String,
    },
}

/// Where an event came from: route on [`Origin::phone_number_id`] (one app can serve several
/// numbers and WABAs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// `entry[].id`: the WhatsApp Business Account id.
    pub waba_id: Option<String>,
    /// `value.metadata.phone_number_id`: our business phone number's id.
    pub phone_number_id: Option<String>,
    /// `value.metadata.display_phone_number`.
    pub display_phone_number: Option<String>,
}

/// `statuses[].status`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Status {
    /// `sent`: left Meta's servers.
    Sent,
    /// `delivered`: reached the device.
    Delivered,
    /// `read`: opened (implies delivered; `delivered` may be skipped).
    Read,
    /// `failed`: will not be delivered; see [`StatusEvent::errors`].
    Failed,
    /// Anything else (`played`, `deleted`, `warning`, future values), as received. Ignored by
    /// [`super::apply`].
    Unknown(String),
}

impl Status {
    /// Maps Meta's string (exact, lowercase) to a status.
    #[must_use]
    pub fn from_meta(value: &str) -> Self {
        match value {
            "sent" => Self::Sent,
            "delivered" => Self::Delivered,
            "read" => Self::Read,
            "failed" => Self::Failed,
            other => Self::Unknown(other.to_owned()),
        }
    }

    /// Meta's string for this status.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Failed => "failed",
            Self::Unknown(other) => other,
        }
    }
}

/// One `statuses[]` item: the delivery state of a message we sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEvent {
    /// Where it came from.
    pub origin: Origin,
    /// `id`: the wamid returned when we sent the message.
    pub wamid: String,
    /// `status`.
    pub status: Status,
    /// `timestamp`: when the event happened (Unix seconds; Meta sends a string).
    pub timestamp: u64,
    /// `recipient_id`: usually the phone number (digits, no `+`); may be withheld (BSUID).
    pub recipient_id: Option<String>,
    /// `recipient_user_id`: the business-scoped user id (BSUID), when present.
    pub recipient_user_id: Option<String>,
    /// `biz_opaque_callback_data`: what we put in the send request (our correlation id).
    pub biz_opaque_callback_data: Option<String>,
    /// `errors[]` (on `failed`).
    pub errors: Vec<ErrorDetail>,
    /// `pricing` (on `sent` and on one of delivered/read; absent on v24+ "no conversation"
    /// webhooks).
    pub pricing: Option<Pricing>,
    /// `conversation` (absent on v24+ unless in a free entry-point window).
    pub conversation: Option<Conversation>,
}

/// One error object (`statuses[].errors[]`, `value.errors[]`, `messages[].errors[]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorDetail {
    /// `code` (e.g. 131026); `None` only if Meta omitted it or sent a non-integer.
    /// Classify with [`crate::meta_error`].
    pub code: Option<i64>,
    /// `title` (empty when absent). Do not branch on it.
    pub title: String,
    /// `message` (empty when absent; Meta sends the same text as `title`).
    pub message: String,
    /// `error_data.details`: the human-readable reason.
    pub details: Option<String>,
    /// `href`: Meta's documentation link.
    pub href: Option<String>,
}

/// `statuses[].pricing`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pricing {
    /// `billable` (being deprecated by Meta).
    pub billable: Option<bool>,
    /// `pricing_model`: `PMP` (or `CBP` before 2025-07-01).
    pub pricing_model: Option<String>,
    /// `category`: `marketing`, `utility`, `authentication`, `service`, …
    pub category: Option<String>,
    /// `type`: `regular`, `free_customer_service`, `free_entry_point`.
    pub pricing_type: Option<String>,
}

/// `statuses[].conversation`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conversation {
    /// `id`.
    pub id: Option<String>,
    /// `expiration_timestamp` (Unix seconds).
    pub expiration_timestamp: Option<u64>,
    /// `origin.type`: `marketing`, `utility`, `service`, …
    pub origin_type: Option<String>,
}

/// One `messages[]` item: something a user sent us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMessage {
    /// Where it came from.
    pub origin: Origin,
    /// `id`: the message's wamid (dedupe on it: Meta redelivers).
    pub id: String,
    /// `from`: the user's phone number (digits, no `+`); may be withheld (BSUID).
    pub from: Option<String>,
    /// The business-scoped user id: `from_user_id` on the message, else the `user_id` of the
    /// matching `contacts[]` entry (same `wa_id`, or the only contact when `from` is absent).
    pub user_id: Option<String>,
    /// `contacts[].profile.name` of the sender, when present.
    pub profile_name: Option<String>,
    /// `timestamp`: when the user sent it (Unix seconds).
    pub timestamp: u64,
    /// `context.id`: the wamid of our message this one replies to (for a template button tap,
    /// the template we sent: map it back to the cart).
    pub context_id: Option<String>,
    /// What was sent.
    pub kind: MessageKind,
    /// `errors[]` (e.g. 131051 on `type: unsupported`).
    pub errors: Vec<ErrorDetail>,
}

/// The payload of an inbound message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageKind {
    /// `type: text` → `text.body`.
    Text {
        /// The text.
        body: String,
    },
    /// `type: interactive`, `interactive.button_reply` (a reply button of an interactive
    /// message).
    ButtonReply {
        /// `button_reply.id`.
        id: String,
        /// `button_reply.title`.
        title: String,
    },
    /// `type: interactive`, `interactive.list_reply`.
    ListReply {
        /// `list_reply.id`.
        id: String,
        /// `list_reply.title`.
        title: String,
        /// `list_reply.description`.
        description: Option<String>,
    },
    /// `type: button`: a quick-reply button of a **template** was tapped.
    QuickReply {
        /// `button.payload`: what we set in the send request.
        payload: String,
        /// `button.text`: the label the user saw.
        text: String,
    },
    /// Any other type (`image`, `reaction`, `unsupported`, `system`, …) or a known type whose
    /// content is missing.
    Other {
        /// The message's `type` (empty when absent).
        message_type: String,
    },
}

/// One `value.errors[]` item: an error not tied to one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookError {
    /// Where it came from.
    pub origin: Origin,
    /// The error.
    pub error: ErrorDetail,
}

/// An item that was present but could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// JSON path of the item, e.g. `entry[0].changes[1].value.statuses[2]`.
    pub path: String,
    /// Why, e.g. `missing or empty "id"`.
    pub reason: &'static str,
}
