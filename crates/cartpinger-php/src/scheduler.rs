//! `CartPinger\Native\Scheduler`: the recovery scheduler (`cartpinger_core::schedule`) for PHP.
//!
//! Strict at the boundary: every key is required and must have exactly its PHP type (no
//! juggling of `"3600"` into `3600`); a missing key or a wrong type throws `SchedulerException`
//! (7001 / 7002) with a message naming the key (`policy.quiet.start`, `records[3].phone`).

use cartpinger_core::schedule::{self, Decision, Policy, QuietHours, Record, ScheduleError};
use ext_php_rs::boxed::ZBox;
use ext_php_rs::exception::PhpException;
use ext_php_rs::flags::ClassFlags;
use ext_php_rs::flags::DataType;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

use crate::errors;
use crate::guard::guard;

/// `SchedulerException` 7001–7005 (through the error funnel).
#[must_use]
pub fn scheduler_error(error: &ScheduleError) -> PhpException {
    errors::exception("SchedulerException", error.code(), &error.to_string())
}

/// PHP's name of a value's type, for error messages.
fn type_name(value: &Zval) -> String {
    match value.get_type() {
        DataType::Long => "int".to_owned(),
        DataType::Double => "float".to_owned(),
        DataType::String => "string".to_owned(),
        DataType::Array => "array".to_owned(),
        DataType::Null => "null".to_owned(),
        DataType::True | DataType::False | DataType::Bool => "bool".to_owned(),
        DataType::Object(_) => "object".to_owned(),
        other => format!("{other}").to_lowercase(),
    }
}

/// Typed access to one PHP array, with the path used in error messages.
struct Fields<'a> {
    table: &'a ZendHashTable,
    path: String,
}

impl<'a> Fields<'a> {
    fn get(&self, key: &str) -> Result<&'a Zval, ScheduleError> {
        self.table
            .get(key)
            .ok_or_else(|| ScheduleError::MissingKey(format!("{}.{key}", self.path)))
    }

    fn wrong(&self, key: &str, expected: &'static str, value: &Zval) -> ScheduleError {
        ScheduleError::WrongType {
            key: format!("{}.{key}", self.path),
            expected,
            got: type_name(value),
        }
    }

    fn int(&self, key: &str) -> Result<i64, ScheduleError> {
        let v = self.get(key)?;
        v.long().ok_or_else(|| self.wrong(key, "int", v))
    }

    fn bool(&self, key: &str) -> Result<bool, ScheduleError> {
        let v = self.get(key)?;
        v.bool().ok_or_else(|| self.wrong(key, "bool", v))
    }

    fn string(&self, key: &str) -> Result<String, ScheduleError> {
        let v = self.get(key)?;
        v.str()
            .map(str::to_owned)
            .ok_or_else(|| self.wrong(key, "string", v))
    }

    fn array(&self, key: &str) -> Result<Fields<'a>, ScheduleError> {
        let v = self.get(key)?;
        let table = v.array().ok_or_else(|| self.wrong(key, "array", v))?;
        Ok(Fields {
            table,
            path: format!("{}.{key}", self.path),
        })
    }
}

fn minute(quiet: &Fields<'_>, key: &'static str) -> Result<u32, ScheduleError> {
    let value = quiet.int(key)?;
    u32::try_from(value)
        .ok()
        .filter(|m| *m < 1440)
        .ok_or_else(|| ScheduleError::InvalidPolicy {
            key: if key == "start" {
                "quiet.start"
            } else {
                "quiet.end"
            },
            reason: "must be a minute of the day, 0 to 1439".to_owned(),
        })
}

fn parse_policy(table: &ZendHashTable) -> Result<Policy, ScheduleError> {
    let f = Fields {
        table,
        path: "policy".to_owned(),
    };
    let quiet = f.array("quiet")?;
    let ttl = f.array("ttl")?;
    if ttl.table.len() != 3 {
        return Err(ScheduleError::InvalidPolicy {
            key: "ttl",
            reason: "must be a list of 3 ints (seconds for steps 1, 2, 3)".to_owned(),
        });
    }
    let mut ttls = [0_i64; 3];
    for (i, slot) in ttls.iter_mut().enumerate() {
        let v = ttl
            .table
            .get(i)
            .ok_or_else(|| ScheduleError::MissingKey(format!("policy.ttl[{i}]")))?;
        *slot = v.long().ok_or_else(|| ScheduleError::WrongType {
            key: format!("policy.ttl[{i}]"),
            expected: "int",
            got: type_name(v),
        })?;
    }
    Ok(Policy {
        delay: f.int("delay")?,
        followups: f.bool("followups")?,
        followup_1_after: f.int("followup_1_after")?,
        followup_2_enabled: f.bool("followup_2_enabled")?,
        followup_2_after: f.int("followup_2_after")?,
        coupon: f.bool("coupon")?,
        cooloff: f.int("cooloff")?,
        max_age: f.int("max_age")?,
        holdout_percent: f.int("holdout_percent")?,
        holdout_salt: f.string("holdout_salt")?,
        quiet: QuietHours {
            enabled: quiet.bool("enabled")?,
            start: minute(&quiet, "start")?,
            end: minute(&quiet, "end")?,
        },
        default_timezone: f.string("default_timezone")?,
        ttl: ttls,
        us_marketing_guard: f.bool("us_marketing_guard")?,
    })
}

fn parse_record(index: usize, value: &Zval) -> Result<Record, ScheduleError> {
    let path = format!("records[{index}]");
    let table = value.array().ok_or_else(|| ScheduleError::WrongType {
        key: path.clone(),
        expected: "array",
        got: type_name(value),
    })?;
    let f = Fields { table, path };
    Ok(Record {
        id: f.int("id")?,
        status: f.string("status")?,
        consent: f.bool("consent")?,
        opted_out: f.bool("opted_out")?,
        ordered_since: f.bool("ordered_since")?,
        phone: f.string("phone")?,
        billing_country: f.string("billing_country")?,
        created_at: f.int("created_at")?,
        last_activity_at: f.int("last_activity_at")?,
        step: f.int("step")?,
        first_message_at: f.int("first_message_at")?,
        last_other_message_at: f.int("last_other_message_at")?,
    })
}

fn decision_row(d: &Decision) -> PhpResult<ZBox<ZendHashTable>> {
    let mut row = ZendHashTable::new();
    row.insert("id", d.id())?;
    row.insert("action", d.action())?;
    match d {
        Decision::Send {
            step,
            template,
            category,
            send_at,
            expires_at,
            coupon,
            quiet_shifted,
            ..
        } => {
            row.insert("step", i64::from(*step))?;
            row.insert("template", *template)?;
            row.insert("category", category.as_meta().to_ascii_lowercase())?;
            row.insert("send_at", *send_at)?;
            row.insert("expires_at", *expires_at)?;
            row.insert("coupon", *coupon)?;
            row.insert("quiet_shifted", *quiet_shifted)?;
        }
        Decision::Wait { until, reason, .. } => {
            row.insert("until", *until)?;
            row.insert("reason", reason.as_str())?;
        }
        Decision::Stop { reason, .. } => {
            row.insert("reason", reason.as_str())?;
        }
        Decision::Holdout { .. } => {}
        Decision::HoldUsMarketing { step, template, .. } => {
            row.insert("reason", "us_marketing")?;
            row.insert("step", i64::from(*step))?;
            row.insert("template", *template)?;
        }
    }
    Ok(row)
}

/// The recovery scheduler: what to do with each captured checkout now.
#[php_class]
#[php(name = "CartPinger\\Native\\Scheduler")]
#[php(flags = ClassFlags::Final)]
pub struct Scheduler;

#[php_impl]
#[php(change_method_case = "snake_case")]
impl Scheduler {
    /// One decision per record, in the same order (see docs/contracts.md, "Scheduler API").
    ///
    /// $policy: ['delay' => int, 'followups' => bool, 'followup_1_after' => int,
    /// 'followup_2_enabled' => bool, 'followup_2_after' => int, 'coupon' => bool,
    /// 'cooloff' => int, 'max_age' => int, 'holdout_percent' => int, 'holdout_salt' => string,
    /// 'quiet' => ['enabled' => bool, 'start' => int, 'end' => int], 'default_timezone' =>
    /// string, 'ttl' => [int, int, int], 'us_marketing_guard' => bool].
    /// $records: list<['id' => int, 'status' => string, 'consent' => bool, 'opted_out' => bool,
    /// 'ordered_since' => bool, 'phone' => string, 'billing_country' => string, 'created_at' =>
    /// int, 'last_activity_at' => int, 'step' => int, 'first_message_at' => int,
    /// 'last_other_message_at' => int]>.
    /// Returns list<decision>: action send|wait|stop|holdout|hold.
    ///
    /// @throws \CartPinger\Native\Exception\SchedulerException 7001-7005
    pub fn plan(
        policy: &ZendHashTable,
        records: &ZendHashTable,
        now: i64,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let policy = parse_policy(policy).map_err(|e| scheduler_error(&e))?;
            let records = records
                .values()
                .enumerate()
                .map(|(i, v)| parse_record(i, v))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| scheduler_error(&e))?;
            let decisions =
                schedule::plan(&policy, &records, now).map_err(|e| scheduler_error(&e))?;
            let mut out =
                ZendHashTable::with_capacity(u32::try_from(decisions.len()).unwrap_or(u32::MAX));
            for d in &decisions {
                out.push(decision_row(d)?)?;
            }
            Ok(out)
        })
    }
}
