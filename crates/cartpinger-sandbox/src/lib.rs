//! `cartpinger-sandbox`: a local stand-in for Meta's WhatsApp Cloud API (see `docs/engine.md`).
//!
//! An independent implementation of Meta's documented behaviour (`shared/meta/README.md`): it
//! shares no code with `cartpinger-core`, so contract tests can compare the two.
//!
//! * `POST /{version}/{phone-number-id}/messages`: validated against Meta's OpenAPI spec (embedded,
//!   unmodified) plus the documented correction overlay ([`spec`]), then against the template
//!   store (132001, 132000, 132012) ([`templates`]).
//! * `GET/POST /{version}/{waba-id}/message_templates`, `GET /{version}/{phone-number-id}`.
//! * Bearer check (190), latency, throughput cap (130429), error injection, signed status and
//!   inbound webhooks ([`webhook`]), SQLite store ([`store`]), an HTML inbox ([`inbox`]).
#![forbid(unsafe_code)]

pub mod inbox;
pub mod meta;
pub mod server;
pub mod spec;
pub mod store;
pub mod templates;
pub mod webhook;

/// Start-up configuration (the command line of `docs/engine.md`, plus a few optional extras).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `--listen` (`127.0.0.1:0` picks a free port).
    pub listen: String,
    /// `--db` (SQLite path).
    pub db: String,
    /// `--token`: the bearer token expected on Graph calls.
    pub token: String,
    /// `--app-secret`: the HMAC key of `X-Hub-Signature-256`.
    pub app_secret: String,
    /// `--callback`: webhook URL (`http://` only).
    pub callback: Option<String>,
    /// `--latency-ms`.
    pub latency_ms: u64,
    /// `--mps-cap` (80 like Meta's default; 1000 for upgraded numbers; 0 = unlimited).
    pub mps_cap: u32,
    /// `--phone-number-id`.
    pub phone_number_id: String,
    /// `--waba-id`.
    pub waba_id: String,
    /// `--display-phone-number` (extra).
    pub display_phone_number: String,
    /// `--templates FILE` (extra): seed the template store from this JSON instead of the
    /// embedded `seed/templates.json`.
    pub templates: Option<String>,
}

/// Usage text.
pub const USAGE: &str = "usage: cartpinger-sandbox --listen 127.0.0.1:0 --db PATH.sqlite --token TOKEN --app-secret SECRET
                          [--callback URL] [--latency-ms N] [--mps-cap N] [--phone-number-id ID] [--waba-id ID]
                          [--display-phone-number DIGITS] [--templates FILE.json]";

impl Config {
    /// Parses the command line (without the program name).
    ///
    /// # Errors
    /// A message for unknown flags, missing values or missing required flags.
    pub fn from_args<I: IntoIterator<Item = String>>(args: I) -> Result<Self, String> {
        let mut c = Self {
            listen: String::new(),
            db: String::new(),
            token: String::new(),
            app_secret: String::new(),
            callback: None,
            latency_ms: 0,
            mps_cap: 80,
            phone_number_id: "106540352242922".to_owned(),
            waba_id: "102290129340398".to_owned(),
            display_phone_number: "15550783881".to_owned(),
            templates: None,
        };
        let mut it = args.into_iter();
        while let Some(arg) = it.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
                _ => (arg.clone(), None),
            };
            if flag == "--help" || flag == "-h" {
                return Err(USAGE.to_owned());
            }
            let value = match inline {
                Some(v) => v,
                None => it
                    .next()
                    .ok_or_else(|| format!("{flag}: missing value\n{USAGE}"))?,
            };
            let num = |v: &str| {
                v.parse::<u64>()
                    .map_err(|_| format!("{flag}: expected a number, got {v:?}"))
            };
            match flag.as_str() {
                "--listen" => c.listen = value,
                "--db" => c.db = value,
                "--token" => c.token = value,
                "--app-secret" => c.app_secret = value,
                "--callback" => {
                    if !value.starts_with("http://") {
                        return Err(format!(
                            "--callback: only http:// URLs are supported, got {value:?}"
                        ));
                    }
                    c.callback = Some(value);
                }
                "--latency-ms" => c.latency_ms = num(&value)?,
                "--mps-cap" => {
                    c.mps_cap = u32::try_from(num(&value)?)
                        .map_err(|_| "--mps-cap: too large".to_owned())?;
                }
                "--phone-number-id" => c.phone_number_id = value,
                "--waba-id" => c.waba_id = value,
                "--display-phone-number" => c.display_phone_number = value,
                "--templates" => c.templates = Some(value),
                other => return Err(format!("unknown flag {other}\n{USAGE}")),
            }
        }
        for (name, v) in [
            ("--listen", &c.listen),
            ("--db", &c.db),
            ("--token", &c.token),
            ("--app-secret", &c.app_secret),
        ] {
            if v.is_empty() {
                return Err(format!("{name} is required\n{USAGE}"));
            }
        }
        Ok(c)
    }
}

/// Runs the sandbox until the process is killed.
///
/// # Errors
/// Start-up failures.
pub fn run(config: Config) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("tokio: {e}"))?;
    rt.block_on(server::serve(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn parses_engine_md_command_line() {
        let c = Config::from_args(args(
            "--listen 127.0.0.1:0 --db /tmp/x.sqlite --token T --app-secret S --callback http://127.0.0.1:9/h --latency-ms 200 --mps-cap=1000",
        ))
        .unwrap();
        assert_eq!(c.latency_ms, 200);
        assert_eq!(c.mps_cap, 1000);
        assert_eq!(c.callback.as_deref(), Some("http://127.0.0.1:9/h"));
        assert!(Config::from_args(args("--listen 127.0.0.1:0")).is_err());
        assert!(Config::from_args(args("--bogus 1")).is_err());
    }
}
