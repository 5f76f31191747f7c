//! Graph request builders and response parsers, driven through a fake `Transport`.
//!
//! Also: every catalog template × language is built into a send body and checked against the
//! rules of `shared/meta/README.md` §2.1 (our own validator below, including the parts the
//! OpenAPI spec cannot check: defects D1–D4), and compared with golden files in
//! `tests/fixtures/graph/requests/<template>_<lang>.json` (bodies of `POST …/messages`) and
//! `tests/fixtures/graph/templates/<template>_<lang>.json` (bodies of `POST …/message_templates`).
//! Regenerate them with `CARTPINGER_BLESS=1 cargo test -p cartpinger-core --test graph`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: helpers outside #[test] functions"
)]

use std::collections::VecDeque;
use std::sync::Mutex;

use cartpinger_core::catalog;
use cartpinger_core::graph::{
    self, build_create_template, build_list_templates, build_phone_number_info,
    build_send_template, parse_create_template_response, parse_phone_number_info,
    parse_send_response, parse_template_page, Component, GraphConfig, GraphError, TemplateMessage,
    TemplatePager, TemplateQuery,
};
use cartpinger_core::meta_error::{Outcome, PermanentKind};
use cartpinger_core::transport::{Method, Request, Response, Transport, TransportError};
use serde_json::{json, Value};

const TOKEN: &str = "EAAGtestTOKEN123";

fn config() -> GraphConfig {
    GraphConfig::new(TOKEN, "106540352242922", "102290129340398").unwrap()
}

/// A scripted transport: answers in order, records requests.
struct Fake {
    answers: Mutex<VecDeque<Result<Response, TransportError>>>,
    seen: Mutex<Vec<Request>>,
}

impl Fake {
    fn new(answers: Vec<Result<Response, TransportError>>) -> Self {
        Self {
            answers: Mutex::new(answers.into()),
            seen: Mutex::new(Vec::new()),
        }
    }
}

impl Transport for Fake {
    fn execute(&self, request: &Request) -> Result<Response, TransportError> {
        self.seen.lock().unwrap().push(request.clone());
        self.answers
            .lock()
            .unwrap()
            .pop_front()
            .expect("no scripted answer left")
    }
}

fn ok(body: &str) -> Result<Response, TransportError> {
    Ok(Response {
        status: 200,
        headers: vec![],
        body: body.as_bytes().to_vec(),
    })
}

fn status(code: u16, body: &str) -> Response {
    Response {
        status: code,
        headers: vec![],
        body: body.as_bytes().to_vec(),
    }
}

fn header<'a>(r: &'a Request, name: &str) -> Option<&'a str> {
    r.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

// ------------------------------------------------------------------------------------------
// Configuration
// ------------------------------------------------------------------------------------------

#[test]
fn debug_never_shows_the_token() {
    let c = config();
    let dbg = format!("{c:?} {:#?}", c);
    assert!(!dbg.contains(TOKEN), "{dbg}");
    assert!(dbg.contains("<redacted>"));
    assert!(dbg.contains("106540352242922"));
    // The token is only in the Authorization header.
    let r = build_phone_number_info(&c);
    assert_eq!(header(&r, "authorization"), Some("Bearer EAAGtestTOKEN123"));
    assert!(!r.url.contains(TOKEN));
}

#[test]
fn defaults_and_overrides() {
    let c = config();
    assert_eq!(c.version(), "v25.0");
    assert_eq!(c.base_url(), "https://graph.facebook.com");
    let c = c
        .with_base_url("http://127.0.0.1:4010/")
        .unwrap()
        .with_version("v23.0")
        .unwrap();
    let r = build_send_template(&c, &hello("+16505551234")).unwrap();
    assert_eq!(
        r.url,
        "http://127.0.0.1:4010/v23.0/106540352242922/messages"
    );
    for bad in [
        "ftp://x",
        "127.0.0.1",
        "https://",
        "https://a b",
        "https://x/?q=1",
        "https://x#f",
    ] {
        assert!(
            matches!(
                config().with_base_url(bad),
                Err(GraphError::InvalidConfig(_))
            ),
            "{bad}"
        );
    }
    for bad in ["25.0", "v25", "v25.", "vx.0", "v25.0.1", ""] {
        assert!(config().with_version(bad).is_err(), "{bad}");
    }
    assert!(GraphConfig::new("", "1", "2").is_err());
    assert!(GraphConfig::new("tok en", "1", "2").is_err());
    assert!(GraphConfig::new("t", "1/../2", "2").is_err());
    assert!(GraphConfig::new("t", "1", "2?x").is_err());
    assert!(GraphConfig::new("t", "", "2").is_err());
    let ua = config().with_user_agent("cartpinger/0.1.0");
    assert_eq!(
        header(&build_phone_number_info(&ua), "user-agent"),
        Some("cartpinger/0.1.0")
    );
    assert_eq!(
        header(&build_phone_number_info(&config()), "user-agent"),
        None
    );
}

// ------------------------------------------------------------------------------------------
// Send
// ------------------------------------------------------------------------------------------

fn hello(to: &str) -> TemplateMessage {
    TemplateMessage {
        to: to.to_owned(),
        template: "hello_world".to_owned(),
        language: "en_US".to_owned(),
        components: vec![],
        biz_opaque_callback_data: None,
    }
}

#[test]
fn readme_example_request_is_reproduced() {
    // README §2.1's example, built with our types (currency/date_time parameters aside).
    let msg = TemplateMessage {
        to: "+4915112345678".into(),
        template: "cart_reminder_coupon".into(),
        language: "de".into(),
        components: vec![
            Component::header_text("Anna"),
            Component::Body {
                parameters: vec![
                    graph::Parameter::Text {
                        text: "Anna".into(),
                    },
                    graph::Parameter::Currency {
                        currency: graph::CurrencyValue {
                            fallback_value: "49,90 €".into(),
                            code: "EUR".into(),
                            amount_1000: 49900,
                        },
                    },
                ],
            },
            Component::url_button(0, "r/8f3a2c"),
            Component::copy_code_button(1, "COMEBACK10"),
        ],
        biz_opaque_callback_data: Some("cart=8f3a2c;site=1".into()),
    };
    let r = build_send_template(&config(), &msg).unwrap();
    assert_eq!(r.method, Method::Post);
    assert_eq!(
        r.url,
        "https://graph.facebook.com/v25.0/106540352242922/messages"
    );
    assert_eq!(header(&r, "content-type"), Some("application/json"));
    let body: Value = serde_json::from_slice(r.body.as_ref().unwrap()).unwrap();
    assert_eq!(
        body,
        json!({
          "messaging_product": "whatsapp",
          "recipient_type": "individual",
          "to": "+4915112345678",
          "type": "template",
          "biz_opaque_callback_data": "cart=8f3a2c;site=1",
          "template": {
            "name": "cart_reminder_coupon",
            "language": { "code": "de", "policy": "deterministic" },
            "components": [
              { "type": "header", "parameters": [ { "type": "text", "text": "Anna" } ] },
              { "type": "body", "parameters": [
                  { "type": "text", "text": "Anna" },
                  { "type": "currency", "currency": { "fallback_value": "49,90 €", "code": "EUR", "amount_1000": 49900 } }
              ] },
              { "type": "button", "sub_type": "url", "index": "0",
                "parameters": [ { "type": "text", "text": "r/8f3a2c" } ] },
              { "type": "button", "sub_type": "copy_code", "index": "1",
                "parameters": [ { "type": "coupon_code", "coupon_code": "COMEBACK10" } ] }
            ]
          }
        })
    );
    validate_send_body(&body).unwrap();
}

#[test]
fn recipients_must_be_plus_e164() {
    for bad in [
        "34612345678",
        "+0612345678",
        "+3461",
        "+346123456789012345",
        "+34 612 345 678",
        "",
    ] {
        assert_eq!(
            build_send_template(&config(), &hello(bad)).unwrap_err(),
            GraphError::InvalidRecipient,
            "{bad}"
        );
    }
    assert!(build_send_template(&config(), &hello("+34612345678")).is_ok());
}

#[test]
fn callback_data_is_limited_to_512_characters() {
    let mut m = hello("+34612345678");
    m.biz_opaque_callback_data = Some("é".repeat(512));
    assert!(build_send_template(&config(), &m).is_ok());
    m.biz_opaque_callback_data = Some("é".repeat(513));
    assert!(matches!(
        build_send_template(&config(), &m),
        Err(GraphError::InvalidInput(_))
    ));
    m.biz_opaque_callback_data = Some(String::new());
    assert!(build_send_template(&config(), &m).is_err());
}

#[test]
fn malformed_components_and_names_are_refused() {
    let mut m = hello("+34612345678");
    m.template = "Hello-World".into();
    assert!(build_send_template(&config(), &m).is_err());
    let mut m = hello("+34612345678");
    m.language = "english".into();
    assert!(build_send_template(&config(), &m).is_err());
    for c in [
        Component::url_button(0, ""),
        Component::copy_code_button(0, "WAY-TOO-LONG-COUPON-CODE"),
        Component::Button {
            sub_type: graph::ButtonSubType::Url,
            index: "10".into(),
            parameters: vec![graph::Parameter::Text { text: "x".into() }],
        },
        Component::Button {
            sub_type: graph::ButtonSubType::CopyCode,
            index: "0".into(),
            parameters: vec![graph::Parameter::Text { text: "x".into() }],
        },
        Component::Header { parameters: vec![] },
        Component::body_text(&["ok", " "]),
    ] {
        let mut m = hello("+34612345678");
        m.components = vec![c.clone()];
        assert!(build_send_template(&config(), &m).is_err(), "{c:?}");
    }
}

#[test]
fn send_through_the_transport_seam() {
    // README §2.2 response, verbatim.
    let fake = Fake::new(vec![ok(r#"{
  "messaging_product": "whatsapp",
  "contacts": [ { "input": "+16505551234", "wa_id": "16505551234" } ],
  "messages": [ { "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJCOTY3NDc0NDFDRUI3NTA0Q0UA", "message_status": "accepted" } ]
}"#)]);
    let msg = catalog::message(
        "+16505551234",
        "order_confirmed",
        "en",
        &["Jane", "1042", "49.90 USD"],
        Some("cp-msg-7"),
    )
    .unwrap();
    let req = build_send_template(&config(), &msg).unwrap();
    let outcome = match fake.execute(&req) {
        Ok(resp) => parse_send_response(&resp),
        Err(e) => cartpinger_core::meta_error::outcome_from_transport_error(&e),
    };
    assert_eq!(
        outcome,
        Outcome::Accepted {
            wamid: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJCOTY3NDc0NDFDRUI3NTA0Q0UA".into(),
            message_status: Some("accepted".into()),
        }
    );
    let seen = fake.seen.lock().unwrap();
    let body: Value = serde_json::from_slice(seen[0].body.as_ref().unwrap()).unwrap();
    assert_eq!(body["biz_opaque_callback_data"], "cp-msg-7");
}

#[test]
fn send_response_edge_cases() {
    // Pacing without message_status.
    let o = parse_send_response(&status(200, r#"{"messages":[{"id":"wamid.X"}]}"#));
    assert_eq!(
        o,
        Outcome::Accepted {
            wamid: "wamid.X".into(),
            message_status: None
        }
    );
    // 2xx without a wamid: maybe accepted; never resend blindly.
    for body in [
        "",
        "{}",
        r#"{"messages":[]}"#,
        r#"{"messages":[{"id":""}]}"#,
        "garbage",
    ] {
        assert!(
            matches!(
                parse_send_response(&status(200, body)),
                Outcome::Unknown { .. }
            ),
            "{body}"
        );
    }
    let o = parse_send_response(&status(
        400,
        r#"{"error":{"message":"(#131026) Message undeliverable","type":"OAuthException","code":131026,"fbtrace_id":"A"}}"#,
    ));
    assert!(matches!(
        o,
        Outcome::Permanent {
            code: 131026,
            kind: PermanentKind::Drop,
            ..
        }
    ));
    let o = parse_send_response(&status(
        401,
        r#"{"error":{"code":190,"error_subcode":463}}"#,
    ));
    assert!(matches!(o, Outcome::Fatal { code: 190, .. }));
}

// ------------------------------------------------------------------------------------------
// README §2.1 rules, as a validator, applied to every catalog send body
// ------------------------------------------------------------------------------------------

fn validate_send_body(v: &Value) -> Result<(), String> {
    let s = |p: &str| {
        v.pointer(p)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{p} missing"))
    };
    if s("/messaging_product")? != "whatsapp" {
        return Err("messaging_product".into());
    }
    if s("/recipient_type")? != "individual" {
        return Err("recipient_type".into());
    }
    let to = s("/to")?;
    if !graph::is_e164(to) {
        return Err(format!("to {to} is not +E.164"));
    }
    if s("/type")? != "template" {
        return Err("type".into());
    }
    if let Some(d) = v.get("biz_opaque_callback_data") {
        let d = d.as_str().ok_or("callback data not a string")?;
        if d.chars().count() > 512 {
            return Err("callback data > 512".into());
        }
    }
    let name = s("/template/name")?;
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err("template name".into());
    }
    if s("/template/language/code")?.is_empty()
        || s("/template/language/policy")? != "deterministic"
    {
        return Err("language".into());
    }
    let comps = match v.pointer("/template/components") {
        None => return Ok(()),
        Some(c) => c.as_array().ok_or("components not an array")?,
    };
    let (mut urls, mut codes, mut indexes) = (0, 0, Vec::new());
    for c in comps {
        let params = c["parameters"]
            .as_array()
            .ok_or("parameters not an array")?;
        match c["type"].as_str() {
            Some("header") => {
                if params.len() != 1 {
                    return Err("header takes one parameter".into());
                }
            }
            Some("body") => {
                for p in params {
                    match p["type"].as_str() {
                        Some("text") if p["text"].is_string() => {
                            let t = p["text"].as_str().unwrap();
                            if t.contains('\n')
                                || t.contains('\t')
                                || t.contains("     ")
                                || t.trim().is_empty()
                            {
                                return Err("text parameter has new lines/tabs/space runs".into());
                            }
                        }
                        Some("currency")
                            if p["currency"]["fallback_value"].is_string()
                                && p["currency"]["code"].is_string()
                                && p["currency"]["amount_1000"].is_i64() => {}
                        Some("date_time") if p["date_time"]["fallback_value"].is_string() => {}
                        _ => return Err(format!("bad body parameter {p}")),
                    }
                }
            }
            Some("button") => {
                let index = c["index"].as_str().ok_or("index must be a string")?;
                if index.len() != 1 || !index.bytes().all(|b| b.is_ascii_digit()) {
                    return Err("index must be \"0\"-\"9\"".into());
                }
                if indexes.contains(&index) {
                    return Err("duplicate button index".into());
                }
                indexes.push(index);
                match (c["sub_type"].as_str(), params.as_slice()) {
                    (Some("url"), [p]) if p["type"] == "text" && p["text"].is_string() => urls += 1,
                    (Some("copy_code"), [p])
                        if p["type"] == "coupon_code"
                            && p["coupon_code"]
                                .as_str()
                                .is_some_and(|c| !c.is_empty() && c.chars().count() <= 20) =>
                    {
                        codes += 1;
                    }
                    (Some("quick_reply"), [p]) if p["type"] == "payload" => {}
                    _ => return Err(format!("bad button {c}")),
                }
            }
            other => return Err(format!("unknown component type {other:?}")),
        }
    }
    if indexes.len() > 10 || urls > 2 || codes > 1 {
        return Err("too many buttons".into());
    }
    Ok(())
}

#[test]
fn the_validator_rejects_what_the_readme_forbids() {
    let good = json!({"messaging_product":"whatsapp","recipient_type":"individual","to":"+34612345678",
        "type":"template","template":{"name":"x","language":{"code":"en","policy":"deterministic"},
        "components":[{"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text","text":"a"}]}]}});
    validate_send_body(&good).unwrap();
    let mut bad = good.clone();
    bad["to"] = json!("34612345678");
    assert!(validate_send_body(&bad).is_err());
    let mut bad = good.clone();
    bad["template"]["components"][0]["index"] = json!(0);
    assert!(validate_send_body(&bad).is_err());
    let mut bad = good.clone();
    bad["template"]["language"] = json!({"code":"en"});
    assert!(validate_send_body(&bad).is_err());
    let mut bad = good;
    bad["recipient_type"] = json!(null);
    assert!(validate_send_body(&bad).is_err());
}

fn fixture_dir(kind: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/graph")
        .join(kind)
}

/// Compares with (or, under `CARTPINGER_BLESS=1`, writes) a golden JSON file.
#[allow(clippy::disallowed_methods, reason = "test-only fixture I/O")]
fn golden(kind: &str, file: &str, value: &Value) {
    let path = fixture_dir(kind).join(file);
    let text = format!("{}\n", serde_json::to_string_pretty(value).unwrap());
    if std::env::var_os("CARTPINGER_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with CARTPINGER_BLESS=1 to create)",
            path.display()
        )
    });
    assert_eq!(
        stored,
        text,
        "{} differs from what the catalog builds",
        path.display()
    );
}

#[test]
fn every_catalog_send_body_follows_the_readme_rules_and_matches_its_fixture() {
    let mut count = 0;
    for t in catalog::list() {
        for tr in t.translations {
            let params: Vec<&str> = t.params.iter().map(|p| p.example).collect();
            let msg = catalog::message(
                "+34612345678",
                t.name,
                tr.language,
                &params,
                Some("cp-msg-1042"),
            )
            .unwrap();
            let req = build_send_template(&config(), &msg).unwrap();
            let body: Value = serde_json::from_slice(req.body.as_ref().unwrap()).unwrap();
            validate_send_body(&body)
                .unwrap_or_else(|e| panic!("{} [{}]: {e}", t.name, tr.language));
            golden(
                "requests",
                &format!("{}_{}.json", t.name, tr.language),
                &body,
            );
            let def = catalog::create_request_body(
                t.name,
                tr.language,
                Some("https://shop.example/cart/?cartpinger_recover="),
            )
            .unwrap();
            golden(
                "templates",
                &format!("{}_{}.json", t.name, tr.language),
                &def,
            );
            count += 1;
        }
    }
    assert_eq!(count, 35);
}

// ------------------------------------------------------------------------------------------
// Templates: list (all pages) and create
// ------------------------------------------------------------------------------------------

#[test]
fn list_request_shape() {
    let q = TemplateQuery {
        status: Some("APPROVED".into()),
        name: Some("order_confirmed".into()),
        ..TemplateQuery::default()
    };
    let r = build_list_templates(&config(), &q, Some("QVFIU=+/x"));
    assert_eq!(r.method, Method::Get);
    assert_eq!(r.body, None);
    assert_eq!(
        r.url,
        "https://graph.facebook.com/v25.0/102290129340398/message_templates?fields=id%2Cname%2Clanguage%2Cstatus%2Ccategory%2Csub_category%2Cparameter_format%2Ccomponents&limit=100&status=APPROVED&name=order_confirmed&after=QVFIU%3D%2B%2Fx"
    );
    assert_eq!(header(&r, "content-type"), None);
}

fn page(names: &[&str], after: Option<&str>, next: bool) -> String {
    let data: Vec<Value> = names
        .iter()
        .map(|n| json!({"id": format!("id_{n}"), "name": n, "language": "en", "status": "APPROVED",
            "category": "UTILITY", "parameter_format": "POSITIONAL",
            "components": [{"type":"BODY","text":"Hi {{1}}, order {{2}} of {{3}} {{1}}."},
                           {"type":"BUTTONS","buttons":[{"type":"URL","text":"Go","url":"https://x/{{1}}"},{"type":"COPY_CODE","example":"A"}]}]}))
        .collect();
    let mut v = json!({"data": data});
    if let Some(a) = after {
        v["paging"] = json!({"cursors": {"before": "B", "after": a}});
        if next {
            v["paging"]["next"] = json!(format!(
                "https://graph.facebook.com/v25.0/x/message_templates?after={a}"
            ));
        }
    }
    v.to_string()
}

#[test]
fn pager_reads_every_page() {
    let fake = Fake::new(vec![
        ok(&page(&["a", "b"], Some("C1"), true)),
        ok(&page(&["c"], Some("C2"), true)),
        ok(&page(&["d"], Some("C3"), false)), // cursor but no `next`: last page
    ]);
    let cfg = config();
    let mut pager = TemplatePager::new(TemplateQuery::default());
    let mut all = Vec::new();
    while let Some(req) = pager.next_request(&cfg) {
        all.extend(pager.advance(&fake.execute(&req).unwrap()).unwrap());
    }
    assert!(pager.is_done());
    let names: Vec<&str> = all.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "c", "d"]);
    let seen = fake.seen.lock().unwrap();
    assert_eq!(seen.len(), 3);
    assert!(!seen[0].url.contains("after="));
    assert!(seen[1].url.ends_with("&after=C1"));
    assert!(seen[2].url.ends_with("&after=C2"));
    // Derived facts for the sync job.
    assert_eq!(all[0].body_variable_count(), 3);
    assert_eq!(all[0].button_types(), ["URL", "COPY_CODE"]);
    assert_eq!(all[0].parameter_format.as_deref(), Some("POSITIONAL"));
}

#[test]
fn pager_stops_on_a_repeated_cursor_and_on_errors() {
    let cfg = config();
    let mut pager = TemplatePager::new(TemplateQuery::default());
    let mut pages = 0;
    while let Some(_req) = pager.next_request(&cfg) {
        pager
            .advance(&status(200, &page(&["a"], Some("SAME"), true)))
            .unwrap();
        pages += 1;
        assert!(pages < 10, "loops forever");
    }
    assert_eq!(pages, 2);

    let mut pager = TemplatePager::new(TemplateQuery::default());
    let e = pager
        .advance(&status(400, r#"{"error":{"code":80007}}"#))
        .unwrap_err();
    assert!(matches!(e, GraphError::Api(Outcome::RateLimited { .. })));
    assert!(pager.next_request(&cfg).is_none());
}

#[test]
fn template_page_parsing_is_tolerant() {
    let p = parse_template_page(&status(
        200,
        r#"{"data":[{"name":"x","status":"SOMETHING_NEW","extra":1},{"no_name":true}]}"#,
    ))
    .unwrap();
    assert_eq!(p.templates.len(), 1);
    assert_eq!(p.templates[0].status, "SOMETHING_NEW");
    assert_eq!(p.next_cursor, None);
    assert!(matches!(
        parse_template_page(&status(200, "[]")),
        Err(GraphError::MalformedResponse(_))
    ));
}

#[test]
fn create_template_round_trip() {
    let def = catalog::create_request_body("order_confirmed", "fr", None).unwrap();
    let r = build_create_template(&config(), &def).unwrap();
    assert_eq!(r.method, Method::Post);
    assert_eq!(
        r.url,
        "https://graph.facebook.com/v25.0/102290129340398/message_templates"
    );
    let sent: Value = serde_json::from_slice(r.body.as_ref().unwrap()).unwrap();
    assert_eq!(sent, def);
    let created = parse_create_template_response(&status(
        200,
        r#"{"id":"1689556908129832","status":"PENDING","category":"UTILITY"}"#,
    ))
    .unwrap();
    assert_eq!(created.id, "1689556908129832");
    assert_eq!(created.status, "PENDING");
    let dup = parse_create_template_response(&status(
        400,
        r#"{"error":{"code":100,"error_subcode":2388024,"message":"Invalid parameter"}}"#,
    ))
    .unwrap_err();
    assert!(matches!(
        dup,
        GraphError::Api(Outcome::Permanent { code: 2388024, .. })
    ));
}

// ------------------------------------------------------------------------------------------
// Credentials check
// ------------------------------------------------------------------------------------------

#[test]
fn phone_number_info() {
    let r = build_phone_number_info(&config());
    assert_eq!(r.method, Method::Get);
    assert!(r.url.starts_with(
        "https://graph.facebook.com/v25.0/106540352242922?fields=id%2Cdisplay_phone_number"
    ));
    assert!(r.url.contains("whatsapp_business_manager_messaging_limit"));
    // README §4 example plus the messaging-limit field.
    let info = parse_phone_number_info(&status(
        200,
        r#"{ "verified_name": "Lucky Shrub", "code_verification_status": "VERIFIED", "display_phone_number": "15550783881",
  "quality_rating": "GREEN", "platform_type": "CLOUD_API", "throughput": { "level": "STANDARD" },
  "webhook_configuration": { "application": "https://www.luckyshrub.com/webhooks" }, "id": "106540352242922",
  "whatsapp_business_manager_messaging_limit": "TIER_250" }"#,
    ))
    .unwrap();
    assert_eq!(info.id, "106540352242922");
    assert_eq!(info.display_phone_number, "15550783881");
    assert_eq!(info.verified_name, "Lucky Shrub");
    assert_eq!(info.quality_rating, "GREEN");
    assert_eq!(info.messaging_limit.as_deref(), Some("TIER_250"));
    assert_eq!(info.throughput_level.as_deref(), Some("STANDARD"));
    assert_eq!(info.platform_type.as_deref(), Some("CLOUD_API"));
    // Deprecated field as a fallback; missing quality.
    let info = parse_phone_number_info(&status(
        200,
        r#"{"id":"1","messaging_limit_tier":"TIER_1K"}"#,
    ))
    .unwrap();
    assert_eq!(info.messaging_limit.as_deref(), Some("TIER_1K"));
    assert_eq!(info.quality_rating, "UNKNOWN");
    // Spec's 401 example.
    let e = parse_phone_number_info(&status(
        401,
        r#"{"error":{"message":"Invalid OAuth access token","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"x"}}"#,
    ))
    .unwrap_err();
    assert!(matches!(
        e,
        GraphError::Api(Outcome::Fatal { code: 190, .. })
    ));
    assert_eq!(e.code(), 4004);
    assert!(matches!(
        parse_phone_number_info(&status(200, "{}")),
        Err(GraphError::MalformedResponse(_))
    ));
    let basic = graph::build_phone_number_info_fields(&config(), graph::PHONE_NUMBER_BASIC_FIELDS);
    assert!(basic
        .url
        .ends_with("?fields=id%2Cdisplay_phone_number%2Cverified_name%2Cquality_rating"));
}

#[test]
fn percent_encoding() {
    assert_eq!(graph::percent_encode("aZ09-_.~"), "aZ09-_.~");
    assert_eq!(graph::percent_encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
}
