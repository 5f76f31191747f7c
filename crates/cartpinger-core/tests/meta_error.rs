//! The Meta error taxonomy: every code in `shared/meta/README.md` §5.2 is classified as the
//! README recommends, HTTP statuses and transport errors too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: helpers outside #[test] functions"
)]

use cartpinger_core::meta_error::{
    self, classify_code, lookup, outcome_for_code, outcome_from_response,
    outcome_from_transport_error, retry_after_from_headers, Class, GraphError, Outcome,
    PermanentKind, RateScope,
};
use cartpinger_core::transport::{Response, TransportError};

/// README §5.2, row by row: (code, README class). THROTTLE rows carry their scope. 200–299 is a
/// range in the README: 200, 250 and 299 stand for it.
const README_CODES: &[(i64, &str)] = &[
    (0, "HALT"),
    (3, "HALT"),
    (10, "HALT"),
    (190, "HALT"),
    (200, "HALT"),
    (250, "HALT"),
    (299, "HALT"),
    (4, "THROTTLE"),
    (80007, "THROTTLE"),
    (130429, "THROTTLE"),
    (131048, "THROTTLE"),
    (131056, "THROTTLE"),
    (131064, "HALT"),
    (131057, "RETRY"),
    (1, "RETRY"),
    (2, "RETRY"),
    (131000, "RETRY"),
    (131016, "RETRY"),
    (133004, "RETRY"),
    (33, "HALT"),
    (100, "FIX"),
    (131005, "HALT"),
    (131008, "FIX"),
    (131009, "FIX"),
    (131021, "DROP"),
    (131026, "DROP"),
    (131030, "FIX"),
    (131031, "HALT"),
    (131037, "HALT"),
    (131042, "HALT"),
    (131045, "HALT"),
    (131047, "FIX"),
    (131049, "DROP"),
    (131050, "DROP"),
    (131051, "FIX"),
    (131052, "FIX"),
    (131053, "FIX"),
    (131063, "FIX"),
    (130403, "DROP"),
    (130472, "DROP"),
    (130497, "DROP"),
    (132000, "FIX"),
    (132001, "FIX"),
    (132005, "FIX"),
    (132007, "FIX"),
    (132012, "FIX"),
    (132015, "FIX"),
    (132016, "FIX"),
    (132018, "FIX"),
    (133010, "HALT"),
    (135000, "FIX"),
    (368, "HALT"),
    (470, "FIX"),
    (2388019, "FIX"),
    (2388024, "FIX"),
];

fn readme_class(class: Class) -> &'static str {
    match class {
        Class::Transient => "RETRY",
        Class::RateLimited(_) => "THROTTLE",
        Class::Permanent(PermanentKind::Drop) => "DROP",
        Class::Permanent(PermanentKind::Fix) => "FIX",
        Class::Fatal => "HALT",
    }
}

#[test]
fn every_readme_code_is_classified_as_the_readme_says() {
    for (code, expected) in README_CODES {
        let class = classify_code(*code).unwrap_or_else(|| panic!("code {code} is not classified"));
        assert_eq!(readme_class(class), *expected, "code {code}");
        let info = lookup(*code).unwrap();
        assert!(info.human.ends_with('.'), "code {code}: human sentence");
        assert!(info.action.ends_with('.'), "code {code}: action sentence");
        assert!(!info.title.is_empty());
    }
}

#[test]
fn table_has_no_duplicate_codes_and_nothing_outside_the_readme() {
    let mut codes: Vec<i64> = meta_error::TABLE.iter().map(|r| r.code).collect();
    codes.sort_unstable();
    let before = codes.len();
    codes.dedup();
    assert_eq!(before, codes.len(), "duplicate codes in the table");
    // 104 (no token) comes from README §4 rather than §5.2.
    for c in codes {
        assert!(
            c == 104 || README_CODES.iter().any(|(r, _)| *r == c),
            "{c} is in the table but not in the README list"
        );
    }
}

#[test]
fn rate_limit_scopes() {
    let scope = |c| match classify_code(c) {
        Some(Class::RateLimited(s)) => s,
        other => panic!("{c}: {other:?}"),
    };
    assert_eq!(scope(130429), RateScope::Throughput);
    assert_eq!(scope(131056), RateScope::Recipient);
    assert_eq!(scope(80007), RateScope::Waba);
    assert_eq!(scope(4), RateScope::App);
    assert_eq!(scope(131048), RateScope::Spam);
}

#[test]
fn readme_corrections_hold() {
    // 131051 is "unsupported message type", not a rate limit (README §0.7).
    assert_eq!(
        classify_code(131051),
        Some(Class::Permanent(PermanentKind::Fix))
    );
    // 470 is a legacy code, treated like 131047.
    assert_eq!(classify_code(470), classify_code(131047));
    assert_eq!(classify_code(424242), None);
}

fn response(status: u16, body: &str) -> Response {
    Response {
        status,
        headers: vec![],
        body: body.as_bytes().to_vec(),
    }
}

#[test]
fn readme_rate_limit_example_is_rate_limited_throughput() {
    // README §5.1, verbatim.
    let body = r#"{ "error": { "message": "(#130429) Rate limit hit", "type": "OAuthException", "code": 130429,
    "error_data": { "messaging_product": "whatsapp", "details": "Cloud API message throughput has been reached." },
    "error_subcode": 2494055, "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam" } }"#;
    let g = GraphError::parse(body.as_bytes()).unwrap();
    assert_eq!(g.code, Some(130429));
    assert_eq!(g.subcode, Some(2494055));
    assert_eq!(
        g.details.as_deref(),
        Some("Cloud API message throughput has been reached.")
    );
    assert_eq!(g.fbtrace_id.as_deref(), Some("Az8or2yhqkZfEZ-_4Qn_Bam"));
    match outcome_from_response(&response(400, body)) {
        Outcome::RateLimited {
            code: Some(130429),
            scope: RateScope::Throughput,
            retry_after_ms: None,
            ..
        } => {}
        o => panic!("{o:?}"),
    }
}

#[test]
fn token_error_is_fatal_with_an_action() {
    let body = r#"{"error":{"message":"Invalid OAuth access token","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"x"}}"#;
    match outcome_from_response(&response(401, body)) {
        Outcome::Fatal {
            code,
            human,
            action,
        } => {
            assert_eq!(code, 190);
            assert!(human.contains("access token"));
            assert!(action.contains("new access token"));
        }
        o => panic!("{o:?}"),
    }
}

#[test]
fn code_beats_http_status() {
    // A transient code on a 400 is still transient; a permanent code on a 500 is permanent.
    let o = outcome_from_response(&response(400, r#"{"error":{"code":131016}}"#));
    assert!(
        matches!(
            o,
            Outcome::Transient {
                code: Some(131016),
                ..
            }
        ),
        "{o:?}"
    );
    let o = outcome_from_response(&response(500, r#"{"error":{"code":131026}}"#));
    assert!(
        matches!(
            o,
            Outcome::Permanent {
                code: 131026,
                kind: PermanentKind::Drop,
                ..
            }
        ),
        "{o:?}"
    );
}

#[test]
fn permanent_title_prefers_meta_details() {
    let body = r#"{"error":{"code":132000,"message":"(#132000) Number of parameters does not match","error_data":{"details":"body: number of localizable_params (2) does not match the expected number of params (3)"}}}"#;
    match outcome_from_response(&response(400, body)) {
        Outcome::Permanent {
            code,
            kind,
            title,
            human,
        } => {
            assert_eq!(code, 132000);
            assert_eq!(kind, PermanentKind::Fix);
            assert!(title.starts_with("body: number of localizable_params"));
            assert!(human.contains("number of parameters"));
        }
        o => panic!("{o:?}"),
    }
}

#[test]
fn duplicate_template_subcode() {
    let body = r#"{"error":{"code":100,"error_subcode":2388024,"message":"Invalid parameter"}}"#;
    match outcome_from_response(&response(400, body)) {
        Outcome::Permanent { code, .. } => assert_eq!(code, 2388024),
        o => panic!("{o:?}"),
    }
}

#[test]
fn unknown_codes_fall_back_to_is_transient_then_status() {
    let o = outcome_from_response(&response(
        400,
        r#"{"error":{"code":999001,"is_transient":true}}"#,
    ));
    assert!(
        matches!(
            o,
            Outcome::Transient {
                code: Some(999001),
                ..
            }
        ),
        "{o:?}"
    );
    let o = outcome_from_response(&response(503, r#"{"error":{"code":999001}}"#));
    assert!(o.is_retryable(), "{o:?}");
    let o = outcome_from_response(&response(400, r#"{"error":{"code":999001}}"#));
    assert!(
        matches!(o, Outcome::Permanent { code: 999001, .. }),
        "{o:?}"
    );
    // String codes are tolerated.
    let o = outcome_from_response(&response(400, r#"{"error":{"code":"131026"}}"#));
    assert_eq!(o.code(), Some(131026));
}

#[test]
fn bare_http_statuses() {
    assert!(matches!(
        outcome_from_response(&response(502, "<html>Bad gateway</html>")),
        Outcome::Transient { code: None, .. }
    ));
    assert!(matches!(
        outcome_from_response(&response(429, "")),
        Outcome::RateLimited {
            scope: RateScope::Unspecified,
            ..
        }
    ));
    assert!(matches!(
        outcome_from_response(&response(401, "")),
        Outcome::Fatal { code: 0, .. }
    ));
    assert!(matches!(
        outcome_from_response(&response(404, "not found")),
        Outcome::Permanent { code: 0, .. }
    ));
}

#[test]
fn transport_errors() {
    for e in [
        TransportError::Connect("refused".into()),
        TransportError::TimeoutBeforeSend,
        TransportError::Io {
            written: false,
            detail: "reset".into(),
        },
    ] {
        assert!(
            matches!(outcome_from_transport_error(&e), Outcome::Transient { .. }),
            "{e:?}"
        );
    }
    for e in [
        TransportError::TimeoutAfterSend,
        TransportError::Io {
            written: true,
            detail: "reset".into(),
        },
    ] {
        let o = outcome_from_transport_error(&e);
        assert!(matches!(o, Outcome::Unknown { .. }), "{e:?}");
        assert!(!o.is_retryable());
        assert_eq!(o.class_name(), "unknown");
    }
}

#[test]
fn retry_after_headers() {
    let h = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    };
    assert_eq!(
        retry_after_from_headers(&h(&[("retry-after", "7")])),
        Some(7_000)
    );
    assert_eq!(
        retry_after_from_headers(&h(&[("Retry-After", " 0 ")])),
        None
    );
    assert_eq!(
        retry_after_from_headers(&h(&[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")])),
        None
    );
    // The spec's example header (all zero) means "not throttled".
    let spec = r#"{"102290129340398":[{"type":"whatsapp_business_management","call_count":1,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":0},{"type":"whatsapp","call_count":1,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":0}]}"#;
    assert_eq!(
        retry_after_from_headers(&h(&[("x-business-use-case-usage", spec)])),
        None
    );
    let throttled = r#"{"1":[{"type":"whatsapp","estimated_time_to_regain_access":3},{"type":"x","estimated_time_to_regain_access":1}]}"#;
    assert_eq!(
        retry_after_from_headers(&h(&[
            ("x-business-use-case-usage", throttled),
            ("retry-after", "5")
        ])),
        Some(180_000)
    );
    assert_eq!(
        retry_after_from_headers(&h(&[("retry-after", "999999999")])),
        Some(24 * 3_600_000)
    );
    // A rate-limited response carries it.
    let resp = Response {
        status: 400,
        headers: h(&[("x-business-use-case-usage", throttled)]),
        body: br#"{"error":{"code":80007}}"#.to_vec(),
    };
    assert_eq!(outcome_from_response(&resp).retry_after_ms(), Some(180_000));
}

#[test]
fn maintenance_mode_waits_a_minute_by_default() {
    let o = outcome_for_code(131057, None, None);
    assert_eq!(o.retry_after_ms(), Some(60_000));
    assert_eq!(
        outcome_for_code(131057, None, Some(90_000)).retry_after_ms(),
        Some(90_000)
    );
}

#[test]
fn webhook_codes_classify_for_the_webhook_engineer() {
    // Async failures from status webhooks (README §5.1): 131049, 131026, 130472.
    for c in [131049, 131026, 130472] {
        assert!(matches!(
            outcome_for_code(c, Some("title"), None),
            Outcome::Permanent {
                kind: PermanentKind::Drop,
                ..
            }
        ));
    }
    let o = outcome_for_code(777, None, None);
    assert!(matches!(
        o,
        Outcome::Permanent {
            code: 777,
            kind: PermanentKind::Fix,
            ..
        }
    ));
}

#[test]
fn non_error_bodies_do_not_parse_as_graph_errors() {
    assert_eq!(GraphError::parse(b"{}"), None);
    assert_eq!(GraphError::parse(b"not json"), None);
    assert_eq!(GraphError::parse(br#"{"error":"x"}"#), None);
}
