//! `CartPinger\Native\Sender`: the WhatsApp Cloud API sender, exposed to PHP.
//!
//! Everything PHP passes in is copied into plain Rust values first; the batch runs on scoped
//! threads inside `cartpinger_http::send_batch` (joined before it returns); PHP arrays are built
//! only afterwards, on the PHP thread. The access token never appears in errors or results.

use std::time::Duration;

use cartpinger_core::catalog;
use cartpinger_core::graph::{GraphConfig, GraphError};
use cartpinger_core::meta_error::Outcome;
use cartpinger_core::platform::{self, Endpoint, MarketingOnboarding, Route};
use cartpinger_http::{
    account, send_batch, send_stream, BatchConfig, Job, JobResult, Limits, TransportConfig,
    UreqTransport,
};
use ext_php_rs::boxed::ZBox;
use ext_php_rs::exception::PhpException;
use ext_php_rs::flags::ClassFlags;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendCallable, ZendHashTable, Zval};

use crate::errors;
use crate::guard::guard;

fn graph_error(error: &GraphError) -> PhpException {
    errors::exception("GraphException", error.code(), &error.to_string())
}

fn config_error(message: &str) -> PhpException {
    errors::exception("GraphException", 4001, message)
}

fn string_field<'a>(table: &'a ZendHashTable, key: &str) -> Result<Option<&'a str>, PhpException> {
    match table.get(key) {
        None => Ok(None),
        Some(value) if value.is_null() => Ok(None),
        Some(value) => value
            .str()
            .map(Some)
            .ok_or_else(|| config_error(&format!("'{key}' must be a string"))),
    }
}

fn int_field(table: &ZendHashTable, key: &str, default: i64, min: i64, max: i64) -> PhpResult<i64> {
    let value = match table.get(key) {
        None => default,
        Some(v) if v.is_null() => default,
        Some(v) => v
            .long()
            .ok_or_else(|| config_error(&format!("'{key}' must be an integer")))?,
    };
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(config_error(&format!(
            "'{key}' must be between {min} and {max}"
        )))
    }
}

/// Today's UTC date, `YYYY-MM-DD` (routing's default "today").
fn today_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    chrono::DateTime::from_timestamp(i64::try_from(secs).unwrap_or(0), 0).map_or_else(
        || "1970-01-01".to_owned(),
        |d| d.format("%Y-%m-%d").to_string(),
    )
}

fn millis(value: i64) -> Duration {
    Duration::from_millis(u64::try_from(value).unwrap_or(0))
}

/// The sender of one business phone number.
#[php_class]
#[php(name = "CartPinger\\Native\\Sender")]
#[php(flags = ClassFlags::Final)]
pub struct Sender {
    graph: GraphConfig,
    transport: UreqTransport,
    batch: BatchConfig,
    limits: Limits,
    routing: Routing,
}

/// What routing needs besides each job's category.
#[derive(Clone)]
struct Routing {
    onboarding: MarketingOnboarding,
    today: String,
    cutoff: String,
}

fn call_flag(callable: &ZendCallable<'_>, arg: ZBox<ZendHashTable>) -> PhpResult<bool> {
    let value = callable
        .try_call(vec![&arg])
        .map_err(|_| config_error("a send_stream callback failed"))?;
    Ok(!matches!(value.bool(), Some(false)))
}

/// One job copied out of PHP: either a message or why it is invalid.
enum Parsed {
    Ready(Job),
    Invalid {
        id: String,
        message: String,
    },
    /// Not sent because Meta would refuse it there (routing).
    Refused {
        id: String,
        code: &'static str,
        message: &'static str,
    },
}

fn parse_job(index: usize, value: &Zval, routing: &Routing) -> Parsed {
    let fallback_id = format!("#{index}");
    let Some(table) = value.array() else {
        return Parsed::Invalid {
            id: fallback_id,
            message: "a job must be an array".to_owned(),
        };
    };
    let text = |key: &str| table.get(key).and_then(Zval::str).map(str::to_owned);
    let id = text("id").unwrap_or(fallback_id);
    let (Some(to), Some(template), Some(language)) =
        (text("to"), text("template"), text("language"))
    else {
        return Parsed::Invalid {
            id,
            message: "a job needs string 'id', 'to', 'template' and 'language'".to_owned(),
        };
    };
    let mut params = Vec::new();
    if let Some(list) = table.get("params").and_then(Zval::array) {
        for value in list.values() {
            match value.str() {
                Some(s) => params.push(s.to_owned()),
                None => {
                    return Parsed::Invalid {
                        id,
                        message: "'params' must be a list of strings".to_owned(),
                    }
                }
            }
        }
    }
    let mut languages = vec![language];
    if let Some(list) = table.get("languages").and_then(Zval::array) {
        for value in list.values() {
            match value.str() {
                Some(code) if !languages.iter().any(|l| l == code) => {
                    languages.push(code.to_owned())
                }
                Some(_) => {}
                None => {
                    return Parsed::Invalid {
                        id,
                        message: "'languages' must be a list of strings".to_owned(),
                    }
                }
            }
        }
    }
    let category = text("category")
        .filter(|c| !c.trim().is_empty())
        .or_else(|| catalog::get(&template).map(|t| t.category.as_meta().to_owned()))
        .unwrap_or_else(|| "UTILITY".to_owned());
    let endpoint = match platform::route(
        &category,
        routing.onboarding,
        &routing.today,
        &routing.cutoff,
    ) {
        Route::Send(endpoint) => endpoint,
        Route::Refuse { reason, human } => {
            return Parsed::Refused {
                id,
                code: reason,
                message: human,
            }
        }
    };
    let built: Result<Vec<_>, _> = languages
        .iter()
        .map(|language| catalog::message(&to, &template, language, &params, Some(&id)))
        .collect();
    match built {
        Ok(mut messages) if !messages.is_empty() => {
            let message = messages.remove(0);
            Parsed::Ready(Job {
                id,
                message,
                endpoint,
                fallbacks: messages,
            })
        }
        Ok(_) => Parsed::Invalid {
            id,
            message: "no language".to_owned(),
        },
        Err(error) => Parsed::Invalid {
            id,
            message: error.to_string(),
        },
    }
}

fn outcome_row(row: &mut ZendHashTable, outcome: Option<&Outcome>) -> PhpResult<()> {
    let Some(outcome) = outcome else {
        row.insert("status", "not_attempted")?;
        return Ok(());
    };
    row.insert("status", outcome.class_name())?;
    if let Outcome::Accepted { wamid, .. } = outcome {
        row.insert("wamid", wamid.as_str())?;
    }
    if let Some(code) = outcome.code() {
        row.insert("code", code)?;
    }
    if !matches!(outcome, Outcome::Accepted { .. }) {
        row.insert("message", outcome.human())?;
    }
    if let Some(ms) = outcome.retry_after_ms() {
        row.insert("retry_after_ms", i64::try_from(ms).unwrap_or(i64::MAX))?;
    }
    Ok(())
}

fn result_row(result: &JobResult, endpoint: Endpoint) -> PhpResult<ZBox<ZendHashTable>> {
    let mut row = ZendHashTable::new();
    row.insert("id", result.id.as_str())?;
    row.insert("endpoint", endpoint.path())?;
    outcome_row(&mut row, result.outcome.as_ref())?;
    row.insert("language", result.language.as_str())?;
    row.insert("attempts", i64::from(result.attempts))?;
    row.insert(
        "latency_ms",
        i64::try_from(result.latency_ms).unwrap_or(i64::MAX),
    )?;
    Ok(row)
}

/// A failed account call as a row (`status`, `code`, `message`, `retry_after_ms`), or the
/// exception for what is not a Meta/transport outcome (unreadable answer, bad input).
fn failure_row(row: &mut ZendHashTable, error: &GraphError) -> PhpResult<()> {
    match error {
        GraphError::Api(outcome) => outcome_row(row, Some(outcome)),
        other => Err(graph_error(other)),
    }
}

#[php_impl]
#[php(change_method_case = "snake_case")]
impl Sender {
    /// `$config`: `token`, `phone_number_id`, `waba_id` (strings, required); `base_url`,
    /// `graph_version` (strings); `connect_timeout_ms` (default 5000), `timeout_ms` (20000),
    /// `mps_cap` (80, up to 1000), `concurrency` (32, up to 512) (ints); `today` (UTC date
    /// `YYYY-MM-DD`, default: the clock's), `marketing_messages` (the WABA's
    /// `marketing_messages_onboarding_status`, e.g. `ONBOARDED`; empty when unknown),
    /// `marketing_cutoff` (`YYYY-MM-DD`, default 2027-10-13: from then marketing templates are
    /// not sent through `/messages`). No type juggling.
    pub fn __construct(config: &ZendHashTable) -> PhpResult<Self> {
        guard(|| {
            let required = |key: &str| -> PhpResult<String> {
                string_field(config, key)?
                    .map(str::to_owned)
                    .ok_or_else(|| config_error(&format!("'{key}' is required")))
            };
            let mut graph = GraphConfig::new(
                &required("token")?,
                &required("phone_number_id")?,
                &required("waba_id")?,
            )
            .map_err(|e| graph_error(&e))?;
            if let Some(base) = string_field(config, "base_url")? {
                graph = graph.with_base_url(base).map_err(|e| graph_error(&e))?;
            }
            if let Some(version) = string_field(config, "graph_version")? {
                graph = graph.with_version(version).map_err(|e| graph_error(&e))?;
            }
            let routing = Routing {
                onboarding: MarketingOnboarding::from_status(
                    string_field(config, "marketing_messages")?.unwrap_or_default(),
                ),
                today: match string_field(config, "today")? {
                    Some(t) if platform::parse_date(t).is_some() => t.to_owned(),
                    Some(_) => return Err(config_error("'today' must be a date, YYYY-MM-DD")),
                    None => today_utc(),
                },
                cutoff: string_field(config, "marketing_cutoff")?
                    .filter(|c| platform::parse_date(c).is_some())
                    .unwrap_or(platform::MARKETING_ON_MESSAGES_CUTOFF)
                    .to_owned(),
            };
            let concurrency = int_field(config, "concurrency", 32, 1, 512)?;
            let transport = UreqTransport::new(TransportConfig {
                connect_timeout: millis(int_field(
                    config,
                    "connect_timeout_ms",
                    5_000,
                    100,
                    60_000,
                )?),
                response_timeout: millis(int_field(config, "timeout_ms", 20_000, 100, 120_000)?),
                max_idle_per_host: usize::try_from(concurrency).unwrap_or(32),
            });
            let batch = BatchConfig {
                concurrency: usize::try_from(concurrency).unwrap_or(32),
                mps_cap: u32::try_from(int_field(config, "mps_cap", 80, 1, 1_000)?).unwrap_or(80),
                ..BatchConfig::default()
            };
            let limits = Limits::new(batch.mps_cap);
            Ok(Self {
                graph,
                transport,
                batch,
                limits,
                routing,
            })
        })
    }

    /// Sends every job concurrently within `$budget_ms` and returns one result per job, in
    /// order: `['id', 'status' => accepted|transient|rate_limited|permanent|fatal|unknown|
    /// not_attempted|invalid, 'wamid'?, 'code'?, 'message'?, 'retry_after_ms'?, 'attempts',
    /// 'language', 'latency_ms']`. A job is `['id', 'to' => '+E164', 'template', 'language',
    /// 'params' => list<string>, 'languages'? => list<string>, 'category'? => string]`, built
    /// with the template catalog; `languages` are the fallbacks tried in order when Meta answers
    /// 132001; `category` is Meta's latest category of the template (default: the catalog's),
    /// which picks the endpoint (`platform::route`), reported as `'endpoint'` (`messages` or
    /// `marketing_messages`). A marketing template that may no longer go through `/messages`
    /// comes back `permanent` with code `marketing_route`, not sent.
    pub fn send_batch(
        &self,
        jobs: &ZendHashTable,
        budget_ms: i64,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            if !(1..=600_000).contains(&budget_ms) {
                return Err(config_error("budget_ms must be between 1 and 600000"));
            }
            let parsed: Vec<Parsed> = jobs
                .values()
                .enumerate()
                .map(|(i, v)| parse_job(i, v, &self.routing))
                .collect();
            let ready: Vec<Job> = parsed
                .iter()
                .filter_map(|p| match p {
                    Parsed::Ready(job) => Some(job.clone()),
                    Parsed::Invalid { .. } | Parsed::Refused { .. } => None,
                })
                .collect();
            let config = BatchConfig {
                budget: millis(budget_ms),
                reserve: self.batch.reserve.min(millis(budget_ms) / 4),
                ..self.batch.clone()
            };
            // Threads run inside; nothing below touches PHP until they are all joined.
            let mut results = send_batch(&self.transport, &self.graph, &ready, &config).into_iter();
            let mut out = ZendHashTable::new();
            for item in &parsed {
                let row = match item {
                    Parsed::Ready(job) => match results.next() {
                        Some(result) => result_row(&result, job.endpoint)?,
                        None => return Err(errors::internal()),
                    },
                    Parsed::Refused { id, code, message } => {
                        let mut row = ZendHashTable::new();
                        row.insert("id", id.as_str())?;
                        row.insert("status", "permanent")?;
                        row.insert("code", *code)?;
                        row.insert("message", *message)?;
                        row.insert("attempts", 0_i64)?;
                        row.insert("latency_ms", 0_i64)?;
                        row
                    }
                    Parsed::Invalid { id, message } => {
                        let mut row = ZendHashTable::new();
                        row.insert("id", id.as_str())?;
                        row.insert("status", "invalid")?;
                        row.insert("message", message.as_str())?;
                        row.insert("attempts", 0_i64)?;
                        row.insert("latency_ms", 0_i64)?;
                        row
                    }
                };
                out.push(row)?;
            }
            Ok(out)
        })
    }

    /// Sends `$jobs` (as `send_batch`) streaming: before a job's request is handed to a sending
    /// thread, `$on_start(list<string> $ids)` is called (mark them in flight; return false to
    /// stop); each finished job goes to `$on_results(list<array> $rows)` (rows as
    /// `send_batch`'s, invalid jobs first) as soon as it exists. Both run in this PHP thread.
    /// The throughput cap and pair limits hold across calls on one Sender. Returns the ids of
    /// the jobs never started (the budget ran out, a fatal answer, or a callback said stop).
    ///
    /// @throws \CartPinger\Native\Exception\GraphException 4001 bad arguments or a failed callback
    pub fn send_stream(
        &self,
        jobs: &ZendHashTable,
        budget_ms: i64,
        on_start: &Zval,
        on_results: &Zval,
    ) -> PhpResult<Vec<String>> {
        guard(|| {
            if !(1..=600_000).contains(&budget_ms) {
                return Err(config_error("budget_ms must be between 1 and 600000"));
            }
            let on_start = ZendCallable::new(on_start)
                .map_err(|_| config_error("on_start must be callable"))?;
            let on_results = ZendCallable::new(on_results)
                .map_err(|_| config_error("on_results must be callable"))?;
            let parsed: Vec<Parsed> = jobs
                .values()
                .enumerate()
                .map(|(i, v)| parse_job(i, v, &self.routing))
                .collect();
            let mut invalid = ZendHashTable::new();
            let mut ready: Vec<Job> = Vec::new();
            for item in parsed {
                match item {
                    Parsed::Ready(job) => ready.push(job),
                    Parsed::Invalid { id, message } => {
                        let mut row = ZendHashTable::new();
                        row.insert("id", id.as_str())?;
                        row.insert("status", "invalid")?;
                        row.insert("message", message.as_str())?;
                        row.insert("attempts", 0_i64)?;
                        row.insert("latency_ms", 0_i64)?;
                        invalid.push(row)?;
                    }
                    Parsed::Refused { id, code, message } => {
                        let mut row = ZendHashTable::new();
                        row.insert("id", id.as_str())?;
                        row.insert("status", "permanent")?;
                        row.insert("code", code)?;
                        row.insert("message", message)?;
                        row.insert("attempts", 0_i64)?;
                        row.insert("latency_ms", 0_i64)?;
                        invalid.push(row)?;
                    }
                }
            }
            if !invalid.is_empty() && !call_flag(&on_results, invalid)? {
                return Ok(ready.into_iter().map(|j| j.id).collect());
            }
            let config = BatchConfig {
                budget: millis(budget_ms),
                reserve: self.batch.reserve.min(millis(budget_ms) / 4),
                ..self.batch.clone()
            };
            let failure: std::cell::RefCell<Option<PhpException>> = std::cell::RefCell::new(None);
            let never = send_stream(
                &self.transport,
                &self.graph,
                &ready,
                &config,
                &self.limits,
                |indices| {
                    let run = || -> PhpResult<bool> {
                        let mut ids = ZendHashTable::new();
                        for index in indices {
                            if let Some(job) = ready.get(*index) {
                                ids.push(job.id.as_str())?;
                            }
                        }
                        call_flag(&on_start, ids)
                    };
                    run().unwrap_or_else(|e| {
                        failure.borrow_mut().get_or_insert(e);
                        false
                    })
                },
                |results| {
                    let run = || -> PhpResult<bool> {
                        let mut rows = ZendHashTable::new();
                        for (index, result) in &results {
                            let endpoint = ready
                                .get(*index)
                                .map_or(Endpoint::Messages, |job| job.endpoint);
                            rows.push(result_row(result, endpoint)?)?;
                        }
                        call_flag(&on_results, rows)
                    };
                    run().unwrap_or_else(|e| {
                        failure.borrow_mut().get_or_insert(e);
                        false
                    })
                },
            );
            if let Some(error) = failure.into_inner() {
                return Err(error);
            }
            Ok(never
                .into_iter()
                .filter_map(|i| ready.get(i).map(|j| j.id.clone()))
                .collect())
        })
    }

    /// Checks the credentials with `GET /{phone-number-id}`: `['status' => 'ok',
    /// 'display_phone_number', 'verified_name', 'quality_rating', 'messaging_limit' => ?string,
    /// 'throughput_level' => ?string]` or a failure row (`status`, `code`, `message`, as in
    /// `send_batch`; a bad token is `fatal` 190).
    ///
    /// @throws \CartPinger\Native\Exception\GraphException 4005 unreadable answer
    pub fn check_credentials(&self) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let mut out = ZendHashTable::new();
            match account::check_credentials(&self.transport, &self.graph) {
                Ok(info) => {
                    out.insert("status", "ok")?;
                    out.insert("display_phone_number", info.display_phone_number)?;
                    out.insert("verified_name", info.verified_name)?;
                    out.insert("quality_rating", info.quality_rating)?;
                    out.insert("messaging_limit", info.messaging_limit)?;
                    out.insert("throughput_level", info.throughput_level)?;
                }
                Err(error) => failure_row(&mut out, &error)?,
            }
            Ok(out)
        })
    }

    /// Whether the business accepted the Marketing Messages API terms:
    /// `['status' => 'ok', 'onboarding_status' => string]` (`ONBOARDED` when it did; `''` when
    /// Meta did not say) or a failure row as `check_credentials`.
    ///
    /// @throws \CartPinger\Native\Exception\GraphException 4005 unreadable answer
    pub fn marketing_onboarding(&self) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let mut out = ZendHashTable::new();
            match account::marketing_onboarding(&self.transport, &self.graph) {
                Ok(status) => {
                    out.insert("status", "ok")?;
                    out.insert("onboarding_status", status)?;
                }
                Err(error) => failure_row(&mut out, &error)?,
            }
            Ok(out)
        })
    }

    /// Every template of the WhatsApp Business Account (all pages): `['status' => 'ok',
    /// 'templates' => list<['id', 'name', 'language', 'status' (APPROVED, PENDING, ...),
    /// 'category', 'parameter_format', 'body' => ?string, 'body_variables' => int,
    /// 'buttons' => list<string>, 'button_url' => ?string (the URL button as published),
    /// 'in_catalog' => bool, 'compatible' => bool,
    /// 'mismatches' => list<['kind', 'message']>]>]` or a failure row as `check_credentials`.
    ///
    /// @throws \CartPinger\Native\Exception\GraphException 4005 unreadable answer
    pub fn list_templates(&self) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let mut out = ZendHashTable::new();
            match account::list_templates(&self.transport, &self.graph, 100) {
                Ok(list) => {
                    out.insert("status", "ok")?;
                    let mut templates = ZendHashTable::new();
                    for info in &list {
                        let mismatches = crate::catalog::mismatch_rows(info)?;
                        let mut row = ZendHashTable::new();
                        row.insert("id", info.id.as_str())?;
                        row.insert("name", info.name.as_str())?;
                        row.insert("language", info.language.as_str())?;
                        row.insert("status", info.status.as_str())?;
                        row.insert("category", info.category.as_str())?;
                        row.insert(
                            "parameter_format",
                            info.parameter_format.as_deref().unwrap_or("POSITIONAL"),
                        )?;
                        row.insert("body", info.component_text("BODY"))?;
                        row.insert(
                            "body_variables",
                            i64::try_from(info.body_variable_count()).unwrap_or(i64::MAX),
                        )?;
                        row.insert("buttons", info.button_types())?;
                        row.insert("button_url", info.button_url())?;
                        row.insert("in_catalog", catalog::get(&info.name).is_some())?;
                        row.insert("compatible", mismatches.is_empty())?;
                        row.insert("mismatches", mismatches)?;
                        templates.push(row)?;
                    }
                    out.insert("templates", templates)?;
                }
                Err(error) => failure_row(&mut out, &error)?,
            }
            Ok(out)
        })
    }

    /// Submits one catalog template in one language for Meta's review
    /// (`POST /{waba-id}/message_templates`, body from the catalog). `$recovery_url_prefix`:
    /// the site's recovery link without the token (`https://shop.example/?cartpinger_recover=`),
    /// required by the recovery templates, ignored (may be "") for the order templates.
    /// Returns `['status' => 'ok', 'id', 'template_status' (PENDING, APPROVED, ...),
    /// 'category']` or a failure row (a template that already exists: `permanent` 2388024).
    ///
    /// @throws \CartPinger\Native\Exception\CatalogException 5001 unknown template, 5002
    ///         unknown language, 5005 invalid recovery URL prefix
    /// @throws \CartPinger\Native\Exception\GraphException 4005 unreadable answer
    pub fn submit_template(
        &self,
        name: &str,
        language: &str,
        recovery_url_prefix: &str,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let prefix = Some(recovery_url_prefix).filter(|p| !p.trim().is_empty());
            let definition = catalog::create_request_body(name, language, prefix)
                .map_err(|e| crate::catalog::catalog_error(&e))?;
            let mut out = ZendHashTable::new();
            match account::submit_template(&self.transport, &self.graph, &definition) {
                Ok(created) => {
                    out.insert("status", "ok")?;
                    out.insert("id", created.id)?;
                    out.insert("template_status", created.status)?;
                    out.insert("category", created.category)?;
                }
                Err(error) => failure_row(&mut out, &error)?,
            }
            Ok(out)
        })
    }

    /// Edits an existing template so it matches the catalog again (`POST /{template-id}`, the
    /// components of the catalog definition for `$name`/`$language` with
    /// `$recovery_url_prefix`): used to fix the URL button of templates approved with an older
    /// recovery link. Meta reviews the template again. Returns `['status' => 'ok']` or a failure
    /// row as `submit_template`.
    ///
    /// @throws \CartPinger\Native\Exception\CatalogException 5001 unknown template, 5002
    ///         unknown language, 5005 invalid recovery URL prefix
    /// @throws \CartPinger\Native\Exception\GraphException 4003 template id not numeric, 4005
    ///         unreadable answer
    pub fn resubmit_template(
        &self,
        template_id: &str,
        name: &str,
        language: &str,
        recovery_url_prefix: &str,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let prefix = Some(recovery_url_prefix).filter(|p| !p.trim().is_empty());
            let definition = catalog::create_request_body(name, language, prefix)
                .map_err(|e| crate::catalog::catalog_error(&e))?;
            let mut out = ZendHashTable::new();
            match account::edit_template(&self.transport, &self.graph, template_id, &definition) {
                Ok(()) => {
                    out.insert("status", "ok")?;
                }
                Err(error) => failure_row(&mut out, &error)?,
            }
            Ok(out)
        })
    }
}
