//! Test harness: starts the sandbox binary on port 0, a tiny blocking HTTP client, and a webhook
//! receiver. No dependencies beyond std (+ serde_json / hmac in the tests themselves).
// Test-only support code: panicking on a broken test setup is the point (clippy.toml only
// relaxes these lints inside #[test] functions, not in helpers).
#![allow(
    dead_code,
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const TOKEN: &str = "test-token";
pub const SECRET: &str = "test_app_secret";
pub const PNID: &str = "106540352242922";
pub const WABA: &str = "102290129340398";

static DB_SEQ: AtomicUsize = AtomicUsize::new(0);

pub struct Sandbox {
    pub child: Child,
    pub base: String,
    pub addr: String,
    pub db: PathBuf,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn temp_db() -> PathBuf {
    let n = DB_SEQ.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("cartpinger-sandbox-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(format!("db{n}.sqlite"));
    let _ = std::fs::remove_file(&p);
    p
}

impl Sandbox {
    pub fn start(extra: &[&str]) -> Self {
        Self::start_with_db(temp_db(), extra)
    }

    pub fn start_with_db(db: PathBuf, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cartpinger-sandbox"))
            .args([
                "--listen",
                "127.0.0.1:0",
                "--token",
                TOKEN,
                "--app-secret",
                SECRET,
            ])
            .arg("--db")
            .arg(&db)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn sandbox");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let base = line
            .trim()
            .strip_prefix("cartpinger-sandbox listening on ")
            .unwrap_or_else(|| panic!("unexpected ready line {line:?}"))
            .to_owned();
        let addr = base.trim_start_matches("http://").to_owned();
        Self {
            child,
            base,
            addr,
            db,
        }
    }

    pub fn send(&self, body: &str) -> Resp {
        self.post(
            &format!("/v23.0/{PNID}/messages"),
            body,
            &[("Authorization", &format!("Bearer {TOKEN}"))],
        )
    }

    pub fn post(&self, path: &str, body: &str, headers: &[(&str, &str)]) -> Resp {
        request(
            &self.addr,
            "POST",
            path,
            body,
            headers,
            Duration::from_secs(10),
        )
        .unwrap()
    }

    pub fn get(&self, path: &str) -> Resp {
        request(
            &self.addr,
            "GET",
            path,
            "",
            &[("Authorization", &format!("Bearer {TOKEN}"))],
            Duration::from_secs(10),
        )
        .unwrap()
    }

    pub fn control(&self, path: &str, body: &Value) -> Value {
        let r = self.post(path, &body.to_string(), &[]);
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        r.json()
    }

    pub fn messages(&self) -> Value {
        self.get("/_sandbox/messages").json()
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// Asserts Meta's error shape and returns the code.
    pub fn meta_error(&self) -> i64 {
        let v = self.json();
        let e = &v["error"];
        assert_eq!(e["type"], "OAuthException", "{}", self.body);
        assert_eq!(
            e["error_data"]["messaging_product"], "whatsapp",
            "{}",
            self.body
        );
        assert!(e["error_data"]["details"].is_string(), "{}", self.body);
        assert!(e["fbtrace_id"].is_string(), "{}", self.body);
        let code = e["code"].as_i64().unwrap();
        assert!(
            e["message"]
                .as_str()
                .unwrap()
                .starts_with(&format!("(#{code}) ")),
            "{}",
            self.body
        );
        code
    }
}

/// One HTTP/1.1 request on a fresh connection (`Connection: close`).
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    body: &str,
    headers: &[(&str, &str)],
    timeout: Duration,
) -> std::io::Result<Resp> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(timeout))?;
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    if raw.is_empty() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "connection closed without an answer",
        ));
    }
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status: u16 = lines
        .next()
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_owned()
    };
    Ok(Resp {
        status,
        headers,
        body,
    })
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

/// A received webhook: headers (lower-case names) and raw body bytes.
#[derive(Debug, Clone)]
pub struct Hook {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Hook {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A webhook receiver on 127.0.0.1 (keep-alive aware), answering `status`.
pub struct Receiver {
    pub url: String,
    pub hooks: Arc<Mutex<Vec<Hook>>>,
    pub status: Arc<AtomicU16>,
}

impl Receiver {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/webhook", listener.local_addr().unwrap());
        let hooks = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(AtomicU16::new(200));
        let (h, st) = (Arc::clone(&hooks), Arc::clone(&status));
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let (h, st) = (Arc::clone(&h), Arc::clone(&st));
                std::thread::spawn(move || serve_conn(conn, &h, &st));
            }
        });
        Self { url, hooks, status }
    }

    /// Waits until `pred` holds over the received hooks (or panics after `secs`).
    pub fn wait_for(&self, secs: u64, what: &str, pred: impl Fn(&[Hook]) -> bool) -> Vec<Hook> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let hooks = self.hooks.lock().unwrap().clone();
            if pred(&hooks) {
                return hooks;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; got {hooks:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn serve_conn(conn: TcpStream, hooks: &Mutex<Vec<Hook>>, status: &AtomicU16) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut conn = conn;
    loop {
        let mut headers = Vec::new();
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            let mut l = String::new();
            if reader.read_line(&mut l).unwrap_or(0) == 0 {
                return;
            }
            let l = l.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
            }
        }
        let len: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        hooks.lock().unwrap().push(Hook { headers, body });
        let code = status.load(Ordering::Relaxed);
        let resp = format!("HTTP/1.1 {code} X\r\nContent-Length: 0\r\n\r\n");
        if conn.write_all(resp.as_bytes()).is_err() {
            return;
        }
    }
}

/// HMAC-SHA256 hex, computed here with the `hmac` crate (independent of the sandbox's code).
pub fn expected_signature(secret: &str, body: &[u8]) -> String {
    use hmac::{KeyInit, Mac};
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// README §2.1's request, verbatim.
pub const README_2_1: &str = r#"{
  "messaging_product": "whatsapp",
  "recipient_type": "individual",
  "to": "+4915112345678",
  "type": "template",
  "biz_opaque_callback_data": "cart=8f3a2c;site=1",
  "template": {
    "name": "cart_reminder_coupon",
    "language": { "code": "de" },
    "components": [
      { "type": "header", "parameters": [ { "type": "text", "text": "Anna" } ] },
      { "type": "body", "parameters": [
          { "type": "text", "text": "Anna" },
          { "type": "currency", "currency": { "fallback_value": "49,90 €", "code": "EUR", "amount_1000": 49900 } },
          { "type": "date_time", "date_time": { "fallback_value": "3. Juni 2026" } }
      ] },
      { "type": "button", "sub_type": "url", "index": "0",
        "parameters": [ { "type": "text", "text": "r/8f3a2c" } ] },
      { "type": "button", "sub_type": "copy_code", "index": "1",
        "parameters": [ { "type": "coupon_code", "coupon_code": "COMEBACK10" } ] }
    ]
  }
}"#;

/// A valid catalog send (order_confirmed, en), with a configurable recipient and correlation.
pub fn order_confirmed(to: &str, biz: &str, name: &str) -> String {
    serde_json::json!({
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "template",
        "biz_opaque_callback_data": biz,
        "template": { "name": "order_confirmed", "language": { "code": "en", "policy": "deterministic" },
          "components": [ { "type": "body", "parameters": [
            { "type": "text", "text": name }, { "type": "text", "text": "1042" },
            { "type": "text", "text": "49.90 EUR" } ] } ] }
    })
    .to_string()
}
