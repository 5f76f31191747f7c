//! Meta's platform as CartPinger follows it (December 2026): which endpoint a template goes to,
//! what a message costs, which Graph API versions are alive and how long. Dated data lives here,
//! one table per topic, each with its source, so an update is one edit (docs/meta-platform.md).
//!
//! Everything is pure: "today" is an argument (`YYYY-MM-DD`, UTC).

use chrono::NaiveDate;

// ---------------------------------------------------------------------------------------------
// Routing by template category
// ---------------------------------------------------------------------------------------------

/// Where a template send goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `POST /{phone-number-id}/messages` (Cloud API).
    Messages,
    /// `POST /{phone-number-id}/marketing_messages` (Marketing Messages API for WhatsApp).
    MarketingMessages,
}

impl Endpoint {
    /// The path segment after the phone-number id.
    #[must_use]
    pub const fn path(self) -> &'static str {
        match self {
            Self::Messages => "messages",
            Self::MarketingMessages => "marketing_messages",
        }
    }
}

/// Whether the business portfolio accepted the Marketing Messages API terms, as detected from
/// the WABA's `marketing_messages_onboarding_status` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarketingOnboarding {
    /// `ONBOARDED`: marketing templates go to `/marketing_messages`.
    Onboarded,
    /// Any other answer (`ELIGIBLE`, `INELIGIBLE…`, `PENDING…`).
    NotOnboarded,
    /// Never checked, or the check failed.
    Unknown,
}

impl MarketingOnboarding {
    /// From Meta's `marketing_messages_onboarding_status` value (or our stored copy of it).
    #[must_use]
    pub fn from_status(value: &str) -> Self {
        match value.trim().to_ascii_uppercase().as_str() {
            "ONBOARDED" => Self::Onboarded,
            "" | "UNKNOWN" => Self::Unknown,
            _ => Self::NotOnboarded,
        }
    }
}

/// The date from which Meta no longer accepts marketing templates on `/messages` (reported in
/// Meta's notice on the Marketing Messages API; docs/meta-platform.md). Configurable per send.
pub const MARKETING_ON_MESSAGES_CUTOFF: &str = "2027-10-13";

/// What [`route`] decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Send to this endpoint.
    Send(Endpoint),
    /// Do not send: Meta would refuse it. `reason` is a short code, `human` a sentence.
    Refuse {
        /// Short code stored with the message (`marketing_route`).
        reason: &'static str,
        /// English sentence for the shop owner.
        human: &'static str,
    },
}

/// The endpoint for a template of `category` (Meta's latest category for it, e.g. `MARKETING`,
/// `UTILITY`): marketing through `/marketing_messages` when onboarded, else through `/messages`
/// while Meta still accepts it there (before `cutoff`); everything else through `/messages`.
///
/// `today` and `cutoff` are `YYYY-MM-DD`; an unreadable date counts as "before the cut-off"
/// only for `cutoff` being unreadable, never silently for `today`.
#[must_use]
pub fn route(category: &str, onboarding: MarketingOnboarding, today: &str, cutoff: &str) -> Route {
    if !category.trim().eq_ignore_ascii_case("MARKETING") {
        return Route::Send(Endpoint::Messages);
    }
    if onboarding == MarketingOnboarding::Onboarded {
        return Route::Send(Endpoint::MarketingMessages);
    }
    let before_cutoff = match (parse_date(today), parse_date(cutoff)) {
        (Some(t), Some(c)) => t < c,
        (Some(_), None) => true,
        (None, _) => false,
    };
    if before_cutoff {
        Route::Send(Endpoint::Messages)
    } else {
        Route::Refuse {
            reason: "marketing_route",
            human: "Meta no longer accepts marketing templates through /messages. Accept the Marketing Messages API terms in WhatsApp Manager so cart reminders go through /marketing_messages.",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Graph API versions
// ---------------------------------------------------------------------------------------------

/// One Graph API version: released, and available until (`None`: Meta has not said yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GraphVersion {
    /// `v25.0`.
    pub version: &'static str,
    /// Release date.
    pub released: &'static str,
    /// Last day it is available, when Meta has published it.
    pub available_until: Option<&'static str>,
}

/// Where [`GRAPH_VERSIONS`] comes from.
pub const GRAPH_VERSIONS_SOURCE: &str =
    "https://developers.facebook.com/docs/graph-api/changelog/versions/";

/// The versions a merchant may still configure, newest first (Meta's Graph API changelog,
/// read 2026-12-03; v27.0 released 2026-11-04, per Meta's announcement; v26/v27 sunsets TBD).
pub static GRAPH_VERSIONS: &[GraphVersion] = &[
    GraphVersion {
        version: "v27.0",
        released: "2026-11-04",
        available_until: None,
    },
    GraphVersion {
        version: "v26.0",
        released: "2026-07-29",
        available_until: None,
    },
    GraphVersion {
        version: "v25.0",
        released: "2026-02-18",
        available_until: Some("2028-07-29"),
    },
    GraphVersion {
        version: "v24.0",
        released: "2025-10-08",
        available_until: Some("2028-02-18"),
    },
    GraphVersion {
        version: "v23.0",
        released: "2025-05-29",
        available_until: Some("2027-10-08"),
    },
    GraphVersion {
        version: "v22.0",
        released: "2025-01-21",
        available_until: Some("2027-05-20"),
    },
    GraphVersion {
        version: "v21.0",
        released: "2024-10-02",
        available_until: Some("2027-01-21"),
    },
    GraphVersion {
        version: "v20.0",
        released: "2024-05-21",
        available_until: Some("2026-09-24"),
    },
];

/// Days before a version's end from which the doctor and the admin notice warn.
pub const VERSION_WARNING_DAYS: i64 = 60;

/// What we know about a configured version on `today`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionStatus {
    /// Whether the version is in [`GRAPH_VERSIONS`].
    pub known: bool,
    /// Its last day, when published.
    pub available_until: Option<&'static str>,
    /// Days from `today` to that day (negative once it ended).
    pub days_left: Option<i64>,
    /// True when it ends within [`VERSION_WARNING_DAYS`] or has ended.
    pub warn: bool,
    /// The version to switch to (the default), when `warn`.
    pub suggested: Option<&'static str>,
}

/// The status of `version` on `today`.
#[must_use]
pub fn version_status(version: &str, today: &str) -> VersionStatus {
    let entry = GRAPH_VERSIONS.iter().find(|v| v.version == version.trim());
    let available_until = entry.and_then(|e| e.available_until);
    let days_left = match (available_until.and_then(parse_date), parse_date(today)) {
        (Some(end), Some(now)) => Some((end - now).num_days()),
        _ => None,
    };
    let warn = days_left.is_some_and(|d| d <= VERSION_WARNING_DAYS);
    VersionStatus {
        known: entry.is_some(),
        available_until,
        days_left,
        warn,
        suggested: warn.then_some(crate::graph::DEFAULT_GRAPH_VERSION),
    }
}

// ---------------------------------------------------------------------------------------------
// Rate card
// ---------------------------------------------------------------------------------------------

/// Where [`RATES`] comes from, and the card's date.
pub const RATE_CARD_SOURCE: &str =
    "https://developers.facebook.com/documentation/business-messaging/whatsapp/pricing";
/// The effective date of the card transcribed in [`RATES`]. Meta revises the card quarterly
/// (its 2026-10-01 revision moved nine smaller markets out of their regional groups, none of
/// the markets listed by name here); check the markets you sell to against Meta's CSV and edit
/// [`RATES`] when it changes (docs/meta-platform.md says how).
pub const RATE_CARD_EFFECTIVE: &str = "2025-07-01";
/// The card's currency.
pub const RATE_CARD_CURRENCY: &str = "USD";

/// One market of Meta's rate card: per delivered template, in micro-units of
/// [`RATE_CARD_CURRENCY`] (1 USD = 1,000,000).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarketRate {
    /// Meta's market name.
    pub market: &'static str,
    /// Marketing template.
    pub marketing: i64,
    /// Utility template (also what service messages cost beyond the free tier since
    /// 2026-10-01).
    pub utility: i64,
    /// Authentication template.
    pub authentication: i64,
}

const fn m(market: &'static str, marketing: i64, utility: i64) -> MarketRate {
    MarketRate {
        market,
        marketing,
        utility,
        authentication: utility,
    }
}

/// The markets, by Meta's name. "Other" is the fallback for calling codes not listed.
pub static RATES: &[MarketRate] = &[
    m("Argentina", 61_800, 26_000),
    m("Brazil", 62_500, 6_800),
    m("Chile", 88_900, 20_000),
    m("Colombia", 12_500, 800),
    m("Egypt", 64_400, 3_600),
    m("France", 85_900, 30_000),
    m("Germany", 136_500, 55_000),
    m("India", 11_800, 1_400),
    m("Indonesia", 41_100, 25_000),
    m("Israel", 35_300, 5_300),
    m("Italy", 69_100, 30_000),
    m("Malaysia", 86_000, 14_000),
    m("Mexico", 30_500, 8_500),
    m("Netherlands", 159_700, 50_000),
    m("Nigeria", 51_600, 6_700),
    m("North America", 25_000, 3_400),
    m("Pakistan", 47_300, 5_400),
    m("Peru", 70_300, 20_000),
    m("Russia", 80_200, 40_000),
    m("Saudi Arabia", 45_500, 10_700),
    m("South Africa", 37_900, 7_600),
    m("Spain", 61_500, 20_000),
    m("Turkey", 10_900, 5_300),
    m("United Arab Emirates", 38_400, 15_700),
    m("United Kingdom", 52_900, 22_000),
    m("Rest of Western Europe", 59_200, 31_800),
    m("Rest of Central & Eastern Europe", 86_000, 21_200),
    m("Other", 60_400, 7_700),
];

/// Calling code → market name (longest prefix wins).
static CALLING_CODES: &[(&str, &str)] = &[
    ("1", "North America"),
    ("7", "Russia"),
    ("20", "Egypt"),
    ("27", "South Africa"),
    ("31", "Netherlands"),
    ("33", "France"),
    ("34", "Spain"),
    ("39", "Italy"),
    ("44", "United Kingdom"),
    ("49", "Germany"),
    ("51", "Peru"),
    ("52", "Mexico"),
    ("54", "Argentina"),
    ("55", "Brazil"),
    ("56", "Chile"),
    ("57", "Colombia"),
    ("60", "Malaysia"),
    ("62", "Indonesia"),
    ("90", "Turkey"),
    ("91", "India"),
    ("92", "Pakistan"),
    ("234", "Nigeria"),
    ("966", "Saudi Arabia"),
    ("971", "United Arab Emirates"),
    ("972", "Israel"),
    // Rest of Western Europe.
    ("30", "Rest of Western Europe"),
    ("32", "Rest of Western Europe"),
    ("41", "Rest of Western Europe"),
    ("43", "Rest of Western Europe"),
    ("45", "Rest of Western Europe"),
    ("46", "Rest of Western Europe"),
    ("47", "Rest of Western Europe"),
    ("351", "Rest of Western Europe"),
    ("352", "Rest of Western Europe"),
    ("353", "Rest of Western Europe"),
    ("354", "Rest of Western Europe"),
    ("356", "Rest of Western Europe"),
    ("357", "Rest of Western Europe"),
    ("358", "Rest of Western Europe"),
    // Rest of Central & Eastern Europe.
    ("36", "Rest of Central & Eastern Europe"),
    ("40", "Rest of Central & Eastern Europe"),
    ("48", "Rest of Central & Eastern Europe"),
    ("355", "Rest of Central & Eastern Europe"),
    ("359", "Rest of Central & Eastern Europe"),
    ("370", "Rest of Central & Eastern Europe"),
    ("371", "Rest of Central & Eastern Europe"),
    ("372", "Rest of Central & Eastern Europe"),
    ("373", "Rest of Central & Eastern Europe"),
    ("374", "Rest of Central & Eastern Europe"),
    ("375", "Rest of Central & Eastern Europe"),
    ("381", "Rest of Central & Eastern Europe"),
    ("382", "Rest of Central & Eastern Europe"),
    ("385", "Rest of Central & Eastern Europe"),
    ("386", "Rest of Central & Eastern Europe"),
    ("387", "Rest of Central & Eastern Europe"),
    ("389", "Rest of Central & Eastern Europe"),
    ("420", "Rest of Central & Eastern Europe"),
    ("421", "Rest of Central & Eastern Europe"),
    ("995", "Rest of Central & Eastern Europe"),
];

/// The market of a recipient (`+E.164` or bare digits).
#[must_use]
pub fn market_of(phone: &str) -> &'static MarketRate {
    let digits = phone.trim().trim_start_matches('+');
    let name = CALLING_CODES
        .iter()
        .filter(|(code, _)| digits.starts_with(code))
        .max_by_key(|(code, _)| code.len())
        .map_or("Other", |(_, name)| *name);
    RATES
        .iter()
        .find(|r| r.market == name)
        .or_else(|| RATES.last())
        .unwrap_or(&FALLBACK)
}

static FALLBACK: MarketRate = m("Other", 60_400, 7_700);

/// What one delivered template of `category` (`marketing`, `utility`, `authentication`,
/// `service`; any case) to `phone` costs on the card, in micro-units of [`RATE_CARD_CURRENCY`].
/// `None` for an unknown category. Service messages are counted at the utility rate (the free
/// monthly tier is not tracked here).
#[must_use]
pub fn rate_micros(phone: &str, category: &str) -> Option<i64> {
    let rate = market_of(phone);
    match category.trim().to_ascii_lowercase().as_str() {
        "marketing" | "marketing_lite" => Some(rate.marketing),
        "utility" | "service" => Some(rate.utility),
        "authentication" | "authentication_international" => Some(rate.authentication),
        _ => None,
    }
}

/// What a status webhook's `pricing` says the message costs, in micro-units of
/// [`RATE_CARD_CURRENCY`]: 0 when Meta says it is not billable or free (`free_customer_service`,
/// `free_entry_point`), else the card's rate for its category.
#[must_use]
pub fn cost_from_pricing(
    phone: &str,
    category: &str,
    pricing_type: Option<&str>,
    billable: Option<bool>,
) -> Option<i64> {
    if billable == Some(false) {
        return Some(0);
    }
    if pricing_type.is_some_and(|t| t.starts_with("free")) {
        return Some(0);
    }
    rate_micros(phone, category)
}

/// Parses `YYYY-MM-DD`.
#[must_use]
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marketing_goes_to_marketing_messages_when_onboarded() {
        assert_eq!(
            route(
                "MARKETING",
                MarketingOnboarding::Onboarded,
                "2026-12-03",
                MARKETING_ON_MESSAGES_CUTOFF
            ),
            Route::Send(Endpoint::MarketingMessages)
        );
        assert_eq!(
            route(
                "marketing",
                MarketingOnboarding::NotOnboarded,
                "2026-12-03",
                MARKETING_ON_MESSAGES_CUTOFF
            ),
            Route::Send(Endpoint::Messages)
        );
        assert!(matches!(
            route(
                "MARKETING",
                MarketingOnboarding::Unknown,
                "2027-10-13",
                MARKETING_ON_MESSAGES_CUTOFF
            ),
            Route::Refuse {
                reason: "marketing_route",
                ..
            }
        ));
        assert_eq!(
            route(
                "UTILITY",
                MarketingOnboarding::Onboarded,
                "2030-01-01",
                MARKETING_ON_MESSAGES_CUTOFF
            ),
            Route::Send(Endpoint::Messages)
        );
        assert!(matches!(
            route(
                "MARKETING",
                MarketingOnboarding::NotOnboarded,
                "garbage",
                "2027-10-13"
            ),
            Route::Refuse { .. }
        ));
    }

    #[test]
    fn onboarding_values() {
        assert_eq!(
            MarketingOnboarding::from_status("ONBOARDED"),
            MarketingOnboarding::Onboarded
        );
        assert_eq!(
            MarketingOnboarding::from_status("ELIGIBLE"),
            MarketingOnboarding::NotOnboarded
        );
        assert_eq!(
            MarketingOnboarding::from_status(""),
            MarketingOnboarding::Unknown
        );
    }

    #[test]
    fn version_sunsets() {
        let v21 = version_status("v21.0", "2026-12-03");
        assert_eq!(v21.available_until, Some("2027-01-21"));
        assert_eq!(v21.days_left, Some(49));
        assert!(v21.warn);
        assert_eq!(v21.suggested, Some(crate::graph::DEFAULT_GRAPH_VERSION));
        let v23 = version_status("v23.0", "2026-12-03");
        assert!(!v23.warn);
        assert_eq!(version_status("v23.0", "2027-08-09").days_left, Some(60));
        assert!(version_status("v23.0", "2027-08-09").warn);
        assert!(!version_status("v23.0", "2027-08-08").warn);
        let v27 = version_status("v27.0", "2026-12-03");
        assert!(v27.known && !v27.warn && v27.available_until.is_none());
        assert!(!version_status("v9.0", "2026-12-03").known);
    }

    #[test]
    fn default_version_lives_at_least_a_year() {
        let status = version_status(crate::graph::DEFAULT_GRAPH_VERSION, "2026-12-03");
        assert!(status.known);
        assert!(status.days_left.is_some_and(|d| d >= 365), "{status:?}");
    }

    #[test]
    fn rates_by_market() {
        assert_eq!(market_of("+34612345678").market, "Spain");
        assert_eq!(market_of("+351912345678").market, "Rest of Western Europe");
        assert_eq!(market_of("+12025550123").market, "North America");
        assert_eq!(market_of("+97150123456").market, "United Arab Emirates");
        assert_eq!(market_of("+6799999999").market, "Other");
        assert_eq!(rate_micros("+34612345678", "MARKETING"), Some(61_500));
        assert_eq!(rate_micros("+4915112345678", "utility"), Some(55_000));
        assert_eq!(rate_micros("+4915112345678", "bogus"), None);
        assert_eq!(
            cost_from_pricing(
                "+34612345678",
                "utility",
                Some("free_customer_service"),
                Some(true)
            ),
            Some(0)
        );
        assert_eq!(
            cost_from_pricing("+34612345678", "marketing", Some("regular"), None),
            Some(61_500)
        );
        for rate in RATES {
            assert!(rate.marketing > 0 && rate.utility > 0, "{rate:?}");
        }
        for (_, name) in CALLING_CODES {
            assert!(RATES.iter().any(|r| r.market == *name), "{name}");
        }
    }
}
