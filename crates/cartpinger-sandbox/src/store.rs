//! SQLite persistence (rusqlite, bundled): every Graph request and its answer, every accepted
//! message with its current status, every webhook attempt and its HTTP result, inbound messages.

use std::sync::{Mutex, PoisonError};

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};

use crate::meta::now_ms;

/// The store (one connection behind a mutex; statements are short).
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
}

/// A message accepted by `POST /messages`.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    /// The wamid handed out.
    pub wamid: &'a str,
    /// `to` as sent.
    pub to_input: &'a str,
    /// The digits.
    pub wa_id: &'a str,
    /// `template` or `text`.
    pub kind: &'a str,
    /// Template name (template messages).
    pub template_name: Option<&'a str>,
    /// Template language.
    pub language: Option<&'a str>,
    /// Echoed correlation data.
    pub biz_opaque: Option<&'a str>,
    /// The raw request body.
    pub request: &'a str,
    /// Injection applied, if any (`timeout_after_write`, `failed:131026`, …).
    pub injected: Option<&'a str>,
    /// Whether the HTTP answer was sent (false for `timeout_after_write`).
    pub answered: bool,
    /// `messages`, `marketing_messages` or `marketing_messages (Cloud API fallback)`.
    pub endpoint: &'a str,
}

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
CREATE TABLE IF NOT EXISTS requests (
  id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL,
  body TEXT, http_status INTEGER, error_code INTEGER, note TEXT);
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY, wamid TEXT NOT NULL UNIQUE, at_ms INTEGER NOT NULL,
  to_input TEXT NOT NULL, wa_id TEXT NOT NULL, kind TEXT NOT NULL, template_name TEXT,
  language TEXT, biz_opaque TEXT, request TEXT NOT NULL, status TEXT NOT NULL,
  status_at_ms INTEGER NOT NULL, error_code INTEGER, injected TEXT, answered INTEGER NOT NULL,
  endpoint TEXT NOT NULL DEFAULT 'messages');
CREATE INDEX IF NOT EXISTS messages_wa ON messages(wa_id);
CREATE TABLE IF NOT EXISTS webhooks (
  id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, wamid TEXT, kind TEXT NOT NULL, url TEXT NOT NULL,
  body TEXT NOT NULL, signature TEXT NOT NULL, attempt INTEGER NOT NULL,
  http_status INTEGER, error TEXT);
CREATE TABLE IF NOT EXISTS inbound (
  id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, wamid TEXT NOT NULL, from_wa TEXT NOT NULL,
  kind TEXT NOT NULL, text TEXT, payload TEXT, context_id TEXT);
";

fn rank(status: &str) -> i32 {
    match status {
        "accepted" => 0,
        "sent" => 1,
        "delivered" => 2,
        "read" => 3,
        "failed" => 4,
        _ => -1,
    }
}

impl Store {
    /// Opens (creating) the database at `path` (`:memory:` works too).
    ///
    /// # Errors
    /// SQLite errors, as text.
    pub fn open(path: &str) -> Result<Self, String> {
        let conn = Connection::open(path).map_err(|e| format!("db {path}: {e}"))?;
        conn.execute_batch(SCHEMA)
            .map_err(|e| format!("db schema: {e}"))?;
        // Databases made before the column existed (fails harmlessly when it does).
        let _ = conn.execute_batch(
            "ALTER TABLE messages ADD COLUMN endpoint TEXT NOT NULL DEFAULT 'messages'",
        );
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, String> {
        let guard = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        f(&guard).map_err(|e| format!("db: {e}"))
    }

    /// Logs a Graph request and its answer.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn log_request(
        &self,
        method: &str,
        path: &str,
        body: &str,
        http_status: u16,
        error_code: Option<i64>,
        note: Option<&str>,
    ) -> Result<(), String> {
        self.with(|c| {
            c.execute(
                "INSERT INTO requests (at_ms, method, path, body, http_status, error_code, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![now_ms(), method, path, body, http_status, error_code, note],
            )
        })
        .map(|_| ())
    }

    /// Stores an accepted message.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_message(&self, m: &NewMessage<'_>) -> Result<(), String> {
        let now = now_ms();
        self.with(|c| {
            c.execute(
                "INSERT INTO messages (wamid, at_ms, to_input, wa_id, kind, template_name, language,
                   biz_opaque, request, status, status_at_ms, injected, answered, endpoint)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'accepted', ?2, ?10, ?11, ?12)",
                params![
                    m.wamid,
                    now,
                    m.to_input,
                    m.wa_id,
                    m.kind,
                    m.template_name,
                    m.language,
                    m.biz_opaque,
                    m.request,
                    m.injected,
                    m.answered,
                    m.endpoint
                ],
            )
        })
        .map(|_| ())
    }

    /// Moves a message's status forward (never downgrades; `failed` is terminal).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn set_status(
        &self,
        wamid: &str,
        status: &str,
        error_code: Option<i64>,
    ) -> Result<(), String> {
        let current: Option<String> = self.with(|c| {
            c.query_row(
                "SELECT status FROM messages WHERE wamid = ?1",
                [wamid],
                |r| r.get(0),
            )
            .optional()
        })?;
        let Some(current) = current else {
            return Ok(());
        };
        if rank(status) <= rank(&current) || current == "failed" {
            return Ok(());
        }
        self.with(|c| {
            c.execute(
                "UPDATE messages SET status = ?2, status_at_ms = ?3, error_code = ?4 WHERE wamid = ?1",
                params![wamid, status, now_ms(), error_code],
            )
        })
        .map(|_| ())
    }

    /// Records one webhook attempt.
    ///
    /// # Errors
    /// SQLite errors.
    #[allow(clippy::too_many_arguments)] // one column each; a struct would only rename them
    pub fn log_webhook(
        &self,
        wamid: Option<&str>,
        kind: &str,
        url: &str,
        body: &str,
        signature: &str,
        attempt: u32,
        http_status: Option<u16>,
        error: Option<&str>,
    ) -> Result<(), String> {
        self.with(|c| {
            c.execute(
                "INSERT INTO webhooks (at_ms, wamid, kind, url, body, signature, attempt, http_status, error)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![now_ms(), wamid, kind, url, body, signature, attempt, http_status, error],
            )
        })
        .map(|_| ())
    }

    /// Records an inbound message.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_inbound(
        &self,
        wamid: &str,
        from_wa: &str,
        kind: &str,
        text: Option<&str>,
        payload: Option<&str>,
        context_id: Option<&str>,
    ) -> Result<(), String> {
        self.with(|c| {
            c.execute(
                "INSERT INTO inbound (at_ms, wamid, from_wa, kind, text, payload, context_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![now_ms(), wamid, from_wa, kind, text, payload, context_id],
            )
        })
        .map(|_| ())
    }

    /// The most recent message sent to `wa_id`, if any.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn last_wamid_to(&self, wa_id: &str) -> Result<Option<String>, String> {
        self.with(|c| {
            c.query_row(
                "SELECT wamid FROM messages WHERE wa_id = ?1 ORDER BY id DESC LIMIT 1",
                [wa_id],
                |r| r.get(0),
            )
            .optional()
        })
    }

    /// When `wa_id` last wrote to the business (ms), if ever.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn last_inbound_ms(&self, wa_id: &str) -> Result<Option<i64>, String> {
        self.with(|c| {
            c.query_row(
                "SELECT MAX(at_ms) FROM inbound WHERE from_wa = ?1",
                [wa_id],
                |r| r.get(0),
            )
        })
    }

    /// Accepted messages, newest first, each with its webhook attempts.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn messages(&self, limit: u32) -> Result<Vec<Value>, String> {
        self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT id, wamid, at_ms, to_input, wa_id, kind, template_name, language, biz_opaque,
                        request, status, status_at_ms, error_code, injected, answered, endpoint
                 FROM messages ORDER BY id DESC LIMIT ?1",
            )?;
            let rows = stmt.query_map([limit], |r| {
                let request: String = r.get(9)?;
                Ok(json!({
                    "seq": r.get::<_, i64>(0)?,
                    "wamid": r.get::<_, String>(1)?,
                    "created_at_ms": r.get::<_, i64>(2)?,
                    "to": r.get::<_, String>(3)?,
                    "wa_id": r.get::<_, String>(4)?,
                    "type": r.get::<_, String>(5)?,
                    "template": r.get::<_, Option<String>>(6)?,
                    "language": r.get::<_, Option<String>>(7)?,
                    "biz_opaque_callback_data": r.get::<_, Option<String>>(8)?,
                    "request": serde_json::from_str::<Value>(&request).unwrap_or(Value::String(request)),
                    "status": r.get::<_, String>(10)?,
                    "status_at_ms": r.get::<_, i64>(11)?,
                    "error_code": r.get::<_, Option<i64>>(12)?,
                    "injected": r.get::<_, Option<String>>(13)?,
                    "answered": r.get::<_, bool>(14)?,
                    "endpoint": r.get::<_, String>(15)?,
                }))
            })?;
            let mut out = Vec::new();
            for row in rows {
                out.push(row?);
            }
            Ok(out)
        })
    }

    /// Webhook attempts, newest first (optionally for one wamid).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn webhooks(&self, wamid: Option<&str>, limit: u32) -> Result<Vec<Value>, String> {
        self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT at_ms, wamid, kind, url, body, signature, attempt, http_status, error
                 FROM webhooks WHERE (?1 IS NULL OR wamid = ?1) ORDER BY id DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![wamid, limit], |r| {
                Ok(json!({
                    "at_ms": r.get::<_, i64>(0)?,
                    "wamid": r.get::<_, Option<String>>(1)?,
                    "kind": r.get::<_, String>(2)?,
                    "url": r.get::<_, String>(3)?,
                    "body": r.get::<_, String>(4)?,
                    "signature": r.get::<_, String>(5)?,
                    "attempt": r.get::<_, u32>(6)?,
                    "http_status": r.get::<_, Option<u16>>(7)?,
                    "error": r.get::<_, Option<String>>(8)?,
                }))
            })?;
            rows.collect()
        })
    }

    /// Inbound messages, newest first.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn inbound(&self, limit: u32) -> Result<Vec<Value>, String> {
        self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT at_ms, wamid, from_wa, kind, text, payload, context_id
                 FROM inbound ORDER BY id DESC LIMIT ?1",
            )?;
            let rows = stmt.query_map([limit], |r| {
                Ok(json!({
                    "at_ms": r.get::<_, i64>(0)?,
                    "wamid": r.get::<_, String>(1)?,
                    "from": r.get::<_, String>(2)?,
                    "type": r.get::<_, String>(3)?,
                    "text": r.get::<_, Option<String>>(4)?,
                    "payload": r.get::<_, Option<String>>(5)?,
                    "context_id": r.get::<_, Option<String>>(6)?,
                }))
            })?;
            rows.collect()
        })
    }

    /// Counts of requests by HTTP status (for quick checks).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn request_count(&self) -> Result<i64, String> {
        self.with(|c| c.query_row("SELECT COUNT(*) FROM requests", [], |r| r.get(0)))
    }
}
