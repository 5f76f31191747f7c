//! Black-box tests: the real binary on port 0, driven over HTTP.

// Helpers outside #[test] functions index JSON and unwrap like the tests do.
#![allow(missing_docs, clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

fn fixture_dir(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

#[test]
fn readme_example_and_catalog_requests_are_accepted() {
    let sb = Sandbox::start(&["--mps-cap", "0"]);
    let r = sb.send(README_2_1);
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["messaging_product"], "whatsapp");
    assert_eq!(v["contacts"][0]["input"], "+4915112345678");
    assert_eq!(v["contacts"][0]["wa_id"], "4915112345678");
    assert!(v["messages"][0]["id"]
        .as_str()
        .unwrap()
        .starts_with("wamid."));
    assert_eq!(v["messages"][0]["message_status"], "accepted");

    // README §2.3's spec-valid request.
    let r = sb.send(
        r#"{ "messaging_product": "whatsapp", "recipient_type": "individual", "to": "16505551234", "type": "template",
  "template": { "name": "order_confirmation", "language": { "policy": "deterministic", "code": "en_US" },
    "components": [
      { "type": "body", "parameters": [ { "type": "text", "text": "Jane" },
        { "type": "currency", "currency": { "fallback_value": "$49.90", "code": "USD", "amount_1000": 49900 } } ] },
      { "type": "button", "sub_type": "url", "index": "1", "parameters": [ { "type": "text", "text": "orders/1001" } ] } ] } }"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);

    // Every request the core's graph builder produces for the catalog (when the fixtures exist).
    let dir = fixture_dir("tests/fixtures/graph/requests");
    let mut n = 0;
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries {
            let path = e.unwrap().path();
            let body = std::fs::read_to_string(&path).unwrap();
            let r = sb.send(&body);
            assert_eq!(r.status, 200, "{}: {}", path.display(), r.body);
            n += 1;
        }
    }
    let stored = sb.messages()["messages"].as_array().unwrap().len();
    assert_eq!(stored, 2 + n);
}

#[test]
fn malformed_requests_get_meta_error_100() {
    let sb = Sandbox::start(&["--mps-cap", "0"]);
    let base: Value = serde_json::from_str(README_2_1).unwrap();
    let mutate = |f: &dyn Fn(&mut Value)| {
        let mut v = base.clone();
        f(&mut v);
        v.to_string()
    };
    let cases: Vec<(&str, String)> = vec![
        ("not JSON", "{not json".to_owned()),
        (
            "missing to",
            mutate(&|v| {
                v.as_object_mut().unwrap().remove("to");
            }),
        ),
        (
            "name not a string",
            mutate(&|v| v["template"]["name"] = json!(7)),
        ),
        (
            "missing language code",
            mutate(&|v| v["template"]["language"] = json!({"policy": "deterministic"})),
        ),
        (
            "bad policy",
            mutate(&|v| v["template"]["language"]["policy"] = json!("fallback")),
        ),
        (
            "index 12",
            mutate(&|v| v["template"]["components"][2]["index"] = json!("12")),
        ),
        (
            "integer index",
            mutate(&|v| v["template"]["components"][2]["index"] = json!(0)),
        ),
        (
            "bogus sub_type",
            mutate(&|v| v["template"]["components"][2]["sub_type"] = json!("bogus")),
        ),
        (
            "bogus body parameter (D4)",
            mutate(&|v| v["template"]["components"][1]["parameters"][0] = json!({"type": "bogus"})),
        ),
        (
            "currency without amount_1000 (D4)",
            mutate(&|v| {
                v["template"]["components"][1]["parameters"][1]["currency"]
                    .as_object_mut()
                    .unwrap()
                    .remove("amount_1000");
            }),
        ),
        (
            "coupon without code",
            mutate(&|v| {
                v["template"]["components"][3]["parameters"][0] = json!({"type": "coupon_code"})
            }),
        ),
        (
            "messaging_product",
            mutate(&|v| v["messaging_product"] = json!("sms")),
        ),
        (
            "biz_opaque_callback_data > 512",
            mutate(&|v| v["biz_opaque_callback_data"] = json!("x".repeat(513))),
        ),
        ("array body", "[]".to_owned()),
    ];
    for (what, body) in cases {
        let r = sb.send(&body);
        assert_eq!(r.status, 400, "{what}: {}", r.body);
        assert_eq!(r.meta_error(), 100, "{what}: {}", r.body);
    }
    assert_eq!(sb.messages()["messages"].as_array().unwrap().len(), 0);
}

#[test]
fn template_store_checks_132001_and_132000() {
    let sb = Sandbox::start(&[]);
    let mut v: Value = serde_json::from_str(&order_confirmed("+34612345678", "b", "Anna")).unwrap();
    v["template"]["name"] = json!("no_such_template");
    let r = sb.send(&v.to_string());
    assert_eq!(r.meta_error(), 132_001, "{}", r.body);
    let mut v: Value = serde_json::from_str(&order_confirmed("+34612345678", "b", "Anna")).unwrap();
    v["template"]["language"]["code"] = json!("it");
    let r = sb.send(&v.to_string());
    assert_eq!(r.meta_error(), 132_001, "{}", r.body);
    let mut v: Value = serde_json::from_str(&order_confirmed("+34612345678", "b", "Anna")).unwrap();
    v["template"]["components"][0]["parameters"]
        .as_array_mut()
        .unwrap()
        .pop();
    let r = sb.send(&v.to_string());
    assert_eq!(r.status, 400);
    assert_eq!(r.meta_error(), 132_000, "{}", r.body);
    // A URL button the template needs is missing.
    let mut v: Value = serde_json::from_str(README_2_1).unwrap();
    v["template"]["components"]
        .as_array_mut()
        .unwrap()
        .remove(2);
    let r = sb.send(&v.to_string());
    assert_eq!(r.meta_error(), 132_000, "{}", r.body);
    // Invalid phone number.
    let r = sb.send(&order_confirmed("call me", "b", "Anna"));
    assert_eq!(r.meta_error(), 131_009, "{}", r.body);
}

#[test]
fn bearer_token_is_checked() {
    let sb = Sandbox::start(&[]);
    let path = format!("/v23.0/{PNID}/messages");
    let body = order_confirmed("+34612345678", "b", "Anna");
    let r = sb.post(&path, &body, &[("Authorization", "Bearer wrong")]);
    assert_eq!(r.status, 401);
    assert_eq!(r.meta_error(), 190);
    assert_eq!(r.json()["error"]["error_subcode"], 463);
    let r = sb.post(&path, &body, &[]);
    assert_eq!(r.status, 401);
    assert_eq!(r.meta_error(), 104);
    let r = request(
        &sb.addr,
        "GET",
        &format!("/v23.0/{PNID}"),
        "",
        &[("Authorization", "Bearer nope")],
        Duration::from_secs(5),
    )
    .unwrap();
    assert_eq!(r.meta_error(), 190);
    // Unknown phone-number id → 100 / subcode 33.
    let r = sb.post(
        "/v23.0/999/messages",
        &body,
        &[("Authorization", &format!("Bearer {TOKEN}"))],
    );
    assert_eq!(r.meta_error(), 100);
    assert_eq!(r.json()["error"]["error_subcode"], 33);
}

#[test]
fn throughput_cap_answers_130429() {
    let sb = Sandbox::start(&["--mps-cap", "5"]);
    let mut ok = 0;
    let mut limited = 0;
    for i in 0..15 {
        let r = sb.send(&order_confirmed("+34612345678", &format!("m{i}"), "Anna"));
        match r.status {
            200 => ok += 1,
            _ => {
                assert_eq!(r.meta_error(), 130_429, "{}", r.body);
                assert_eq!(
                    r.json()["error"]["error_data"]["details"],
                    "Cloud API message throughput has been reached."
                );
                limited += 1;
            }
        }
    }
    assert!(ok >= 5, "ok={ok}");
    assert!(limited >= 5, "limited={limited}");
    // The cap can be lifted at run time.
    sb.control("/_sandbox/config", &json!({ "mps_cap": 0 }));
    for _ in 0..10 {
        assert_eq!(
            sb.send(&order_confirmed("+34612345678", "x", "Anna"))
                .status,
            200
        );
    }
}

#[test]
fn injected_error_classes() {
    let sb = Sandbox::start(&["--mps-cap", "0"]);
    let send = || sb.send(&order_confirmed("+34612345678", "inj", "Anna"));
    for (class, code, http, want_code) in [
        ("transient", Some(131_000), 500, Some(131_000)),
        ("transient", Some(1), 500, Some(1)),
        ("transient", Some(2), 503, Some(2)),
        ("transient", Some(503), 503, None),
        ("rate_limited", None, 429, Some(130_429)),
        ("rate_limited", Some(131_056), 429, Some(131_056)),
        ("rate_limited", Some(80_007), 429, Some(80_007)),
        ("permanent", Some(131_026), 400, Some(131_026)),
        ("permanent", Some(131_047), 400, Some(131_047)),
        ("permanent", Some(132_001), 404, Some(132_001)),
        ("fatal", Some(190), 401, Some(190)),
        ("fatal", Some(131_031), 403, Some(131_031)),
        ("fatal", Some(368), 403, Some(368)),
    ] {
        sb.control("/_sandbox/inject", &json!({ "class": class, "code": code }));
        let r = send();
        assert_eq!(r.status, http, "{class} {code:?}: {}", r.body);
        match want_code {
            Some(c) => assert_eq!(r.meta_error(), c),
            None => {
                assert!(serde_json::from_str::<Value>(&r.body)
                    .map_or(true, |v| v.get("error").is_none()))
            }
        }
        assert_eq!(send().status, 200, "{class}: injection must be used up");
    }
    // count: N consecutive failures, then success.
    sb.control(
        "/_sandbox/inject",
        &json!({ "class": "transient", "code": 2, "count": 3 }),
    );
    let statuses: Vec<u16> = (0..4).map(|_| send().status).collect();
    assert_eq!(statuses, vec![503, 503, 503, 200]);
    // Bad class → 400.
    let r = sb.post("/_sandbox/inject", r#"{"class":"nope"}"#, &[]);
    assert_eq!(r.status, 400);
}

#[test]
fn timeout_injections() {
    let sb = Sandbox::start(&["--mps-cap", "0"]);
    let path = format!("/v23.0/{PNID}/messages");
    let auth = format!("Bearer {TOKEN}");
    let timeout = Duration::from_millis(400);

    sb.control(
        "/_sandbox/inject",
        &json!({ "class": "timeout_after_write", "hang_ms": 1500 }),
    );
    let t0 = Instant::now();
    let r = request(
        &sb.addr,
        "POST",
        &path,
        &order_confirmed("+34600000001", "after", "Anna"),
        &[("Authorization", &auth)],
        timeout,
    );
    assert!(r.is_err(), "expected a client timeout, got {r:?}");
    assert!(t0.elapsed() < Duration::from_secs(2));
    let m = sb.messages();
    let stored: Vec<&Value> = m["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["biz_opaque_callback_data"] == "after")
        .collect();
    assert_eq!(
        stored.len(),
        1,
        "timeout_after_write must store the message"
    );
    assert_eq!(stored[0]["answered"], false);
    assert_eq!(stored[0]["injected"], "timeout_after_write:0");

    sb.control(
        "/_sandbox/inject",
        &json!({ "class": "timeout_before_write", "hang_ms": 1500 }),
    );
    let r = request(
        &sb.addr,
        "POST",
        &path,
        &order_confirmed("+34600000002", "before", "Anna"),
        &[("Authorization", &auth)],
        timeout,
    );
    assert!(r.is_err(), "expected a client timeout, got {r:?}");
    let m = sb.messages();
    assert!(
        !m["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["biz_opaque_callback_data"] == "before"),
        "timeout_before_write must not store the message"
    );
    // Both used up: the next send is answered normally.
    assert_eq!(
        sb.send(&order_confirmed("+34600000003", "next", "Anna"))
            .status,
        200
    );
}

fn statuses_of(hooks: &[Hook], wamid: &str) -> Vec<Value> {
    hooks
        .iter()
        .flat_map(|h| {
            let v = h.json();
            v["entry"][0]["changes"][0]["value"]["statuses"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter(|s| s["id"] == wamid)
        .collect()
}

#[test]
fn signed_status_webhooks_sent_delivered_read() {
    let rx = Receiver::start();
    let sb = Sandbox::start(&["--callback", &rx.url, "--mps-cap", "0"]);
    let r = sb.send(&order_confirmed("+34612345678", "cp-msg-1042", "Anna"));
    assert_eq!(r.status, 200);
    let wamid = r.json()["messages"][0]["id"].as_str().unwrap().to_owned();
    let hooks = rx.wait_for(10, "3 statuses", |h| statuses_of(h, &wamid).len() >= 3);
    for h in &hooks {
        let sig = h.header("x-hub-signature-256").expect("signature header");
        assert_eq!(
            sig,
            expected_signature(SECRET, &h.body),
            "signature over the raw body"
        );
        assert_ne!(sig, expected_signature("other", &h.body));
        assert!(h
            .header("content-type")
            .unwrap()
            .starts_with("application/json"));
    }
    let st = statuses_of(&hooks, &wamid);
    let names: Vec<&str> = st.iter().map(|s| s["status"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["sent", "delivered", "read"]);
    for s in &st {
        assert_eq!(s["biz_opaque_callback_data"], "cp-msg-1042");
        assert_eq!(s["recipient_id"], "34612345678");
        assert!(s["timestamp"].is_string());
    }
    assert_eq!(st[1]["pricing"]["category"], "utility");
    assert_eq!(st[1]["pricing"]["pricing_model"], "PMP");
    assert!(st[2].get("pricing").is_none());
    let v = hooks[0].json();
    assert_eq!(v["object"], "whatsapp_business_account");
    assert_eq!(v["entry"][0]["id"], WABA);
    assert_eq!(v["entry"][0]["changes"][0]["field"], "messages");
    assert_eq!(
        v["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"],
        PNID
    );
    // The store knows the webhooks and their HTTP results, and the final status.
    std::thread::sleep(Duration::from_millis(100));
    let w = sb.get(&format!("/_sandbox/webhooks?wamid={wamid}")).json();
    let w = w["webhooks"].as_array().unwrap();
    assert_eq!(w.len(), 3);
    assert!(w.iter().all(|w| w["http_status"] == 200));
    assert_eq!(sb.messages()["messages"][0]["status"], "read");
}

#[test]
fn failed_injection_sends_failed_webhook_and_retries_non_2xx() {
    let rx = Receiver::start();
    let sb = Sandbox::start(&["--callback", &rx.url, "--mps-cap", "0"]);
    sb.control(
        "/_sandbox/inject",
        &json!({ "class": "failed", "code": 131_049 }),
    );
    let r = sb.send(&order_confirmed("+34612345678", "f1", "Anna"));
    assert_eq!(r.status, 200, "failed is accepted synchronously");
    let wamid = r.json()["messages"][0]["id"].as_str().unwrap().to_owned();
    let hooks = rx.wait_for(10, "failed status", |h| !statuses_of(h, &wamid).is_empty());
    let st = statuses_of(&hooks, &wamid);
    assert_eq!(st[0]["status"], "failed");
    assert_eq!(st[0]["errors"][0]["code"], 131_049);
    assert!(st[0]["errors"][0]["error_data"]["details"].is_string());
    assert_eq!(st[0]["biz_opaque_callback_data"], "f1");

    // Receiver answering 500: the sandbox retries (3 attempts) and records each result.
    rx.status.store(500, std::sync::atomic::Ordering::Relaxed);
    sb.control(
        "/_sandbox/inject",
        &json!({ "class": "permanent", "code": 131_026, "async": true }),
    );
    let r = sb.send(&order_confirmed("+34612345678", "f2", "Anna"));
    let wamid = r.json()["messages"][0]["id"].as_str().unwrap().to_owned();
    rx.wait_for(10, "3 attempts", |h| statuses_of(h, &wamid).len() >= 3);
    std::thread::sleep(Duration::from_millis(100));
    let w = sb.get(&format!("/_sandbox/webhooks?wamid={wamid}")).json();
    let attempts: Vec<i64> = w["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["attempt"].as_i64().unwrap())
        .collect();
    assert_eq!(attempts.len(), 3);
    assert!(w["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|w| w["http_status"] == 500));
}

#[test]
fn inbound_text_and_button_webhooks() {
    let rx = Receiver::start();
    let sb = Sandbox::start(&["--callback", &rx.url]);
    let sent = sb
        .send(&order_confirmed("+34612345678", "c", "Anna"))
        .json();
    let our_wamid = sent["messages"][0]["id"].as_str().unwrap().to_owned();

    let r = sb.control(
        "/_sandbox/inbound",
        &json!({ "from": "+34612345678", "text": "STOP ¡é 😀", "name": "Ána" }),
    );
    assert_eq!(r["webhook_status"], 200);
    let inbound_id = r["wamid"].as_str().unwrap().to_owned();
    let hooks = rx.wait_for(5, "inbound text", |h| {
        h.iter()
            .any(|h| h.json()["entry"][0]["changes"][0]["value"]["messages"].is_array())
    });
    let h = hooks
        .iter()
        .find(|h| h.json()["entry"][0]["changes"][0]["value"]["messages"].is_array())
        .unwrap();
    assert_eq!(
        h.header("x-hub-signature-256").unwrap(),
        expected_signature(SECRET, &h.body)
    );
    let raw = String::from_utf8(h.body.clone()).unwrap();
    assert!(
        raw.is_ascii() && raw.contains(r"\u00e9") && raw.contains(r"\ud83d\ude00"),
        "Meta-style escapes: {raw}"
    );
    let v = h.json()["entry"][0]["changes"][0]["value"].clone();
    assert_eq!(v["contacts"][0]["wa_id"], "34612345678");
    assert_eq!(v["contacts"][0]["profile"]["name"], "Ána");
    assert_eq!(v["messages"][0]["type"], "text");
    assert_eq!(v["messages"][0]["text"]["body"], "STOP ¡é 😀");
    assert_eq!(v["messages"][0]["id"], inbound_id.as_str());
    assert_eq!(v["messages"][0]["from"], "34612345678");

    let r = sb.control(
        "/_sandbox/inbound",
        &json!({ "from": "+34612345678", "button": { "payload": "STOP", "text": "Stop promotions" } }),
    );
    let id = r["wamid"].as_str().unwrap().to_owned();
    let hooks = rx.wait_for(5, "button", |h| {
        h.iter().any(|h| {
            h.json()["entry"][0]["changes"][0]["value"]["messages"][0]["id"] == id.as_str()
        })
    });
    let h = hooks
        .iter()
        .find(|h| h.json()["entry"][0]["changes"][0]["value"]["messages"][0]["id"] == id.as_str())
        .unwrap();
    let m = &h.json()["entry"][0]["changes"][0]["value"]["messages"][0];
    assert_eq!(m["type"], "button");
    assert_eq!(m["button"]["payload"], "STOP");
    assert_eq!(m["button"]["text"], "Stop promotions");
    assert_eq!(
        m["context"]["id"],
        our_wamid.as_str(),
        "context defaults to the last message to that user"
    );
    assert_eq!(sb.messages()["inbound"].as_array().unwrap().len(), 2);

    // The inbound text opened the 24 h window: a free-form text is now accepted and delivered.
    let r = sb.send(&json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": "+34612345678",
        "type": "text", "text": {"body": "Thanks, you are unsubscribed."}}).to_string());
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json()["messages"][0].get("message_status").is_none());
}

#[test]
fn sqlite_persists_across_restarts() {
    let db = temp_db();
    let wamid = {
        let sb = Sandbox::start_with_db(db.clone(), &[]);
        let r = sb.send(&order_confirmed("+34612345678", "persist-me", "Anna"));
        assert_eq!(sb.send("{").status, 400);
        r.json()["messages"][0]["id"].as_str().unwrap().to_owned()
    };
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let (n, biz): (i64, String) = conn
            .query_row(
                "SELECT COUNT(*), MAX(biz_opaque) FROM messages WHERE wamid = ?1",
                [&wamid],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((n, biz.as_str()), (1, "persist-me"));
        let reqs: i64 = conn
            .query_row("SELECT COUNT(*) FROM requests", [], |r| r.get(0))
            .unwrap();
        assert_eq!(reqs, 2, "accepted and rejected requests are both logged");
        let rejected: i64 = conn
            .query_row(
                "SELECT error_code FROM requests WHERE http_status = 400",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(rejected, 100);
    }
    let sb = Sandbox::start_with_db(db, &[]);
    assert_eq!(sb.messages()["messages"][0]["wamid"], wamid.as_str());
}

#[test]
fn inbox_renders_filled_templates_and_escapes() {
    let sb = Sandbox::start(&[]);
    sb.send(&order_confirmed(
        "+34612345678",
        "<b>biz</b>",
        "<script>alert(1)</script>",
    ));
    sb.send(README_2_1);
    sb.control(
        "/_sandbox/inbound",
        &json!({ "from": "+34612345678", "text": "STOP & <go>" }),
    );
    let r = request(&sb.addr, "GET", "/inbox", "", &[], Duration::from_secs(5)).unwrap();
    assert_eq!(r.status, 200);
    assert!(r
        .headers
        .iter()
        .any(|(k, v)| k == "content-type" && v.starts_with("text/html")));
    let html = r.body;
    assert!(
        html.contains(
            "thank you for your order! We&#39;ve received order #1042 for a total of 49.90 EUR"
        ),
        "{html}"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>"));
    assert!(html.contains("&lt;b&gt;biz&lt;/b&gt;"));
    assert!(
        html.contains("Hallo Anna, Ihr Warenkorb über 49,90 € ist bis 3. Juni 2026 reserviert.")
    );
    assert!(html.contains("Copy offer code: COMEBACK10"));
    assert!(html.contains("https://shop.example/r/8f3a2c"));
    assert!(html.contains("STOP &amp; &lt;go&gt;"));
}

#[test]
fn templates_list_paging_create_and_approve() {
    let rx = Receiver::start();
    let sb = Sandbox::start(&["--callback", &rx.url]);
    sb.control("/_sandbox/config", &json!({ "template_approval_ms": 200 }));
    let mut names = Vec::new();
    let mut path = format!("/v23.0/{WABA}/message_templates?limit=7&fields=name,language,status");
    let mut pages = 0;
    loop {
        let v = sb.get(&path).json();
        pages += 1;
        for t in v["data"].as_array().unwrap() {
            assert_eq!(t["status"], "APPROVED");
            names.push(format!(
                "{}/{}",
                t["name"].as_str().unwrap(),
                t["language"].as_str().unwrap()
            ));
        }
        match v["paging"]["next"].as_str() {
            Some(next) => {
                assert!(v["paging"]["cursors"]["after"].is_string());
                path = next.strip_prefix(&sb.base).unwrap().to_owned();
            }
            None => break,
        }
    }
    assert_eq!(names.len(), 38, "{names:?}");
    assert_eq!(pages, 6);
    for t in [
        "abandoned_cart_recovery",
        "abandoned_cart_recovery_24h",
        "abandoned_cart_recovery_24h_no_coupon",
        "abandoned_cart_recovery_48h",
        "order_confirmed",
        "order_completed",
        "order_cancelled",
    ] {
        for l in ["en", "es", "pt_BR", "fr", "de"] {
            assert!(names.contains(&format!("{t}/{l}")), "{t}/{l}");
        }
    }
    let one = sb
        .get(&format!(
            "/v23.0/{WABA}/message_templates?name=order_cancelled&language=fr"
        ))
        .json();
    assert_eq!(one["data"].as_array().unwrap().len(), 1);
    assert!(one["data"][0]["components"].is_array());

    let def = json!({ "name": "order_shipped", "language": "en_US", "category": "UTILITY", "parameter_format": "NAMED",
        "components": [ { "type": "BODY", "text": "Hi {{first_name}}, order {{order_number}} has shipped.",
          "example": { "body_text_named_params": [ { "param_name": "first_name", "example": "Pablo" },
                                                   { "param_name": "order_number", "example": "860198-230332" } ] } } ] });
    let auth = format!("Bearer {TOKEN}");
    let path = format!("/v23.0/{WABA}/message_templates");
    let r = sb.post(&path, &def.to_string(), &[("Authorization", &auth)]);
    assert_eq!(r.status, 200, "{}", r.body);
    let created = r.json();
    assert_eq!(created["status"], "PENDING");
    assert_eq!(created["category"], "UTILITY");
    let dup = sb.post(&path, &def.to_string(), &[("Authorization", &auth)]);
    assert_eq!(dup.meta_error(), 100);
    assert_eq!(dup.json()["error"]["error_subcode"], 2_388_024);
    let bad = sb.post(
        &path,
        r#"{"name":"Bad Name","language":"en","category":"UTILITY","components":[]}"#,
        &[("Authorization", &auth)],
    );
    assert_eq!(bad.meta_error(), 100);

    let send = json!({ "messaging_product": "whatsapp", "recipient_type": "individual", "to": "+15551234567", "type": "template",
        "template": { "name": "order_shipped", "language": { "code": "en_US" }, "components": [ { "type": "body", "parameters": [
            { "type": "text", "parameter_name": "first_name", "text": "Pablo" },
            { "type": "text", "parameter_name": "order_number", "text": "1" } ] } ] } }).to_string();
    assert_eq!(
        sb.send(&send).meta_error(),
        132_001,
        "PENDING templates cannot be sent"
    );
    let hooks = rx.wait_for(5, "template approval webhook", |h| {
        h.iter().any(|h| {
            h.json()["entry"][0]["changes"][0]["field"] == "message_template_status_update"
        })
    });
    let h = hooks
        .iter()
        .find(|h| h.json()["entry"][0]["changes"][0]["field"] == "message_template_status_update")
        .unwrap();
    assert_eq!(
        h.json()["entry"][0]["changes"][0]["value"]["event"],
        "APPROVED"
    );
    assert_eq!(
        h.header("x-hub-signature-256").unwrap(),
        expected_signature(SECRET, &h.body)
    );
    let r = sb.send(&send);
    assert_eq!(r.status, 200, "{}", r.body);
    // NAMED template without parameter_name → 132012.
    let unnamed = send.replace(r#""parameter_name":"first_name","#, "");
    assert_eq!(sb.send(&unnamed).meta_error(), 132_012);
}

#[test]
fn phone_number_info_and_control_config() {
    let sb = Sandbox::start(&["--mps-cap", "1000"]);
    let v = sb.get(&format!("/v23.0/{PNID}")).json();
    assert_eq!(v["id"], PNID);
    assert_eq!(v["quality_rating"], "GREEN");
    assert!(v["display_phone_number"].is_string() && v["verified_name"].is_string());
    let v = sb
        .get(&format!(
            "/v23.0/{PNID}?fields=id,throughput,whatsapp_business_manager_messaging_limit"
        ))
        .json();
    assert_eq!(v["throughput"]["level"], "HIGH");
    assert!(v.get("verified_name").is_none());
    let cfg = sb.control(
        "/_sandbox/config",
        &json!({ "latency_ms": 150, "callback": null }),
    );
    assert_eq!(cfg["latency_ms"], 150);
    let t0 = Instant::now();
    assert_eq!(
        sb.send(&order_confirmed("+34612345678", "lat", "Anna"))
            .status,
        200
    );
    assert!(
        t0.elapsed() >= Duration::from_millis(150),
        "latency applies to Graph answers"
    );
}

#[test]
fn signature_vector_v2_matches_fixture_bytes() {
    // README §7.3 V2, computed independently here: guards the receiver-side helper the other
    // tests rely on.
    let path = fixture_dir("tests/fixtures/meta/webhooks/synthetic_signature_unicode_escaped.json");
    let Ok(bytes) = std::fs::read(path) else {
        return;
    };
    assert_eq!(
        expected_signature("test_app_secret", &bytes),
        "sha256=7e99d58dc4f4d3d794b0178eeb71850e4efafb93bf9a2a150cf52d2fa0b49242"
    );
    assert_eq!(
        cartpinger_sandbox::meta::signature_header("test_app_secret", &bytes),
        "sha256=7e99d58dc4f4d3d794b0178eeb71850e4efafb93bf9a2a150cf52d2fa0b49242"
    );
}

#[test]
fn seed_matches_the_catalog_fixtures() {
    // seed/templates.json is generated from tests/fixtures/graph/templates (cartpinger-core's
    // catalog) by tests/sandbox/regen-seed.sh; this catches drift when the catalog changes.
    let Ok(entries) = std::fs::read_dir(fixture_dir("tests/fixtures/graph/templates")) else {
        return;
    };
    let seed: Value = serde_json::from_str(cartpinger_sandbox::templates::SEED_JSON).unwrap();
    let seeded = seed["templates"].as_array().unwrap();
    for e in entries {
        let path = e.unwrap().path();
        let fixture: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert!(
            seeded.contains(&fixture),
            "{} differs from seed/templates.json: run tests/sandbox/regen-seed.sh",
            path.display()
        );
    }
}

/// The Marketing Messages API endpoint and the routing rules Meta enforces (docs/meta-platform.md).
#[test]
fn marketing_messages_endpoint_and_cutoff() {
    let sb = Sandbox::start(&["--mps-cap", "0"]);
    let auth = format!("Bearer {TOKEN}");
    let headers = [("Authorization", auth.as_str())];
    let mm = format!("/v25.0/{PNID}/marketing_messages");

    // Onboarding status on the WABA node.
    let r = sb.get(&format!(
        "/v25.0/{WABA}?fields=marketing_messages_onboarding_status"
    ));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json()["marketing_messages_onboarding_status"],
        "ONBOARDED"
    );

    // A marketing template on /marketing_messages: accepted and stored with its endpoint.
    let r = sb.post(&mm, README_2_1, &headers);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        sb.messages()["messages"][0]["endpoint"],
        "marketing_messages"
    );
    // A utility template there: refused.
    let r = sb.post(
        &mm,
        &order_confirmed("+34612345678", "cp-msg-1", "Ana"),
        &headers,
    );
    assert_eq!(r.meta_error(), 100);

    // Not onboarded: STRICT is refused, the default falls back to the Cloud API.
    sb.control(
        "/_sandbox/config",
        &serde_json::json!({ "mm_onboarding_status": "ELIGIBLE" }),
    );
    let mut strict: Value = serde_json::from_str(README_2_1).unwrap();
    strict["product_policy"] = Value::from("STRICT");
    assert_eq!(
        sb.post(&mm, &strict.to_string(), &headers).meta_error(),
        100
    );
    let r = sb.post(&mm, README_2_1, &headers);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        sb.messages()["messages"][0]["endpoint"],
        "marketing_messages (Cloud API fallback)"
    );

    // Marketing on /messages: accepted before the cut-off, 131063 from it; utility unaffected.
    assert_eq!(sb.send(README_2_1).status, 200);
    sb.control(
        "/_sandbox/config",
        &serde_json::json!({ "marketing_on_messages_until": "2000-01-01" }),
    );
    assert_eq!(sb.send(README_2_1).meta_error(), 131_063);
    assert_eq!(
        sb.send(&order_confirmed("+34612345678", "cp-msg-2", "Ana"))
            .status,
        200
    );
}
