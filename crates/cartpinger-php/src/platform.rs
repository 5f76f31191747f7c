//! `CartPinger\Native\Platform`: Meta's platform facts the plugin shows and acts on (endpoint
//! routing, the rate card, Graph API version sunsets), from `cartpinger_core::platform`.

use cartpinger_core::graph::DEFAULT_GRAPH_VERSION;
use cartpinger_core::platform::{self, MarketingOnboarding, Route};
use ext_php_rs::boxed::ZBox;
use ext_php_rs::flags::ClassFlags;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;

use crate::guard::guard;

/// Meta's platform facts (dated data in the core).
#[php_class]
#[php(name = "CartPinger\\Native\\Platform")]
#[php(flags = ClassFlags::Final)]
pub struct Platform;

#[php_impl]
#[php(change_method_case = "snake_case")]
impl Platform {
    /// The rate card entry for a recipient and category: `['market', 'currency', 'micros' =>
    /// ?int (per delivered message, null for an unknown category), 'effective', 'source']`.
    pub fn rate(phone: &str, category: &str) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let mut out = ZendHashTable::new();
            out.insert("market", platform::market_of(phone).market)?;
            out.insert("currency", platform::RATE_CARD_CURRENCY)?;
            out.insert("micros", platform::rate_micros(phone, category))?;
            out.insert("effective", platform::RATE_CARD_EFFECTIVE)?;
            out.insert("source", platform::RATE_CARD_SOURCE)?;
            Ok(out)
        })
    }

    /// What a status webhook's `pricing` means in money (micro-units of the card's currency):
    /// 0 when not billable or free, the card's rate otherwise, null for an unknown category.
    pub fn cost(
        phone: &str,
        category: &str,
        pricing_type: Option<String>,
        billable: Option<bool>,
    ) -> PhpResult<Option<i64>> {
        guard(|| {
            Ok(platform::cost_from_pricing(
                phone,
                category,
                pricing_type.as_deref(),
                billable,
            ))
        })
    }

    /// The whole card: `['currency', 'effective', 'source', 'markets' => list<['market',
    /// 'marketing', 'utility', 'authentication']>]` (micro-units).
    pub fn rate_card() -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let mut out = ZendHashTable::new();
            out.insert("currency", platform::RATE_CARD_CURRENCY)?;
            out.insert("effective", platform::RATE_CARD_EFFECTIVE)?;
            out.insert("source", platform::RATE_CARD_SOURCE)?;
            let mut markets = ZendHashTable::new();
            for rate in platform::RATES {
                let mut row = ZendHashTable::new();
                row.insert("market", rate.market)?;
                row.insert("marketing", rate.marketing)?;
                row.insert("utility", rate.utility)?;
                row.insert("authentication", rate.authentication)?;
                markets.push(row)?;
            }
            out.insert("markets", markets)?;
            Ok(out)
        })
    }

    /// The Graph API versions: list<['version', 'released', 'available_until' => ?string]>,
    /// newest first.
    pub fn graph_versions() -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let mut out = ZendHashTable::new();
            for v in platform::GRAPH_VERSIONS {
                let mut row = ZendHashTable::new();
                row.insert("version", v.version)?;
                row.insert("released", v.released)?;
                row.insert("available_until", v.available_until)?;
                out.push(row)?;
            }
            Ok(out)
        })
    }

    /// The version CartPinger uses unless configured otherwise.
    pub fn default_graph_version() -> String {
        DEFAULT_GRAPH_VERSION.to_owned()
    }

    /// The status of `$version` on `$today` (`YYYY-MM-DD`, UTC): `['known', 'available_until'
    /// => ?string, 'days_left' => ?int, 'warn' => bool (ends within 60 days or ended),
    /// 'suggested' => ?string, 'warning_days' => int]`.
    pub fn version_status(version: &str, today: &str) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let status = platform::version_status(version, today);
            let mut out = ZendHashTable::new();
            out.insert("known", status.known)?;
            out.insert("available_until", status.available_until)?;
            out.insert("days_left", status.days_left)?;
            out.insert("warn", status.warn)?;
            out.insert("suggested", status.suggested)?;
            out.insert("warning_days", platform::VERSION_WARNING_DAYS)?;
            Ok(out)
        })
    }

    /// The default date from which marketing templates are not sent through `/messages`.
    pub fn marketing_cutoff() -> String {
        platform::MARKETING_ON_MESSAGES_CUTOFF.to_owned()
    }

    /// Where a template of `$category` goes: `['endpoint' => messages|marketing_messages|null,
    /// 'code' => ?string, 'message' => ?string]` (null endpoint: not sent, with the reason).
    pub fn route(
        category: &str,
        onboarding_status: &str,
        today: &str,
        cutoff: &str,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let mut out = ZendHashTable::new();
            match platform::route(
                category,
                MarketingOnboarding::from_status(onboarding_status),
                today,
                cutoff,
            ) {
                Route::Send(endpoint) => {
                    out.insert("endpoint", endpoint.path())?;
                    out.insert("code", None::<String>)?;
                    out.insert("message", None::<String>)?;
                }
                Route::Refuse { reason, human } => {
                    out.insert("endpoint", None::<String>)?;
                    out.insert("code", reason)?;
                    out.insert("message", human)?;
                }
            }
            Ok(out)
        })
    }
}
