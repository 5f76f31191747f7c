//! The template catalog: parameter counts can never disagree, texts respect Meta's limits,
//! submissions and sends are built from the same entry, language selection.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: helpers outside #[test] functions"
)]

use cartpinger_core::catalog::{
    self, components_for, create_request_body, map_locale, next_language_after_132001,
    select_language, ButtonSpec, CatalogError, Category, ParamKind, Slot, LANGUAGES,
};
use cartpinger_core::graph::{self, count_variables, ButtonSubType, Component, Parameter};
use proptest::prelude::*;

/// Positional placeholders in order of appearance (`{{1}}` → 1).
fn placeholders(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("{{") {
        let after = &rest[i + 2..];
        let j = after.find("}}").unwrap();
        out.push(after[..j].parse().unwrap());
        rest = &after[j + 2..];
    }
    out
}

/// Example parameter values for a template, in catalog order.
fn example_params(t: &catalog::TemplateSpec) -> Vec<String> {
    t.params.iter().map(|p| p.example.to_owned()).collect()
}

#[test]
fn the_catalog_has_the_original_names_and_categories() {
    let names: Vec<&str> = catalog::list().iter().map(|t| t.name).collect();
    assert_eq!(
        names,
        [
            "abandoned_cart_recovery",
            "abandoned_cart_recovery_24h",
            "abandoned_cart_recovery_24h_no_coupon",
            "abandoned_cart_recovery_48h",
            "order_confirmed",
            "order_completed",
            "order_cancelled",
        ]
    );
    for t in catalog::list() {
        let expected = if t.name.starts_with("abandoned_cart") {
            Category::Marketing
        } else {
            Category::Utility
        };
        assert_eq!(t.category, expected, "{}", t.name);
        assert!(!t.when.is_empty());
        assert!(catalog::get(t.name).is_some());
        for p in t.params {
            assert!(!p.description.is_empty() && !p.example.is_empty());
            assert!(!p.slots.is_empty());
        }
    }
    assert!(catalog::get("hello_world").is_none());
}

#[test]
fn parameter_order_matches_the_original() {
    let names = |n: &str| -> Vec<&str> {
        catalog::get(n)
            .unwrap()
            .params
            .iter()
            .map(|p| p.name)
            .collect()
    };
    assert_eq!(
        names("abandoned_cart_recovery"),
        ["customer_name", "recovery_token"]
    );
    assert_eq!(
        names("abandoned_cart_recovery_24h"),
        ["customer_name", "coupon_code", "recovery_token"]
    );
    assert_eq!(
        names("abandoned_cart_recovery_24h_no_coupon"),
        ["customer_name", "recovery_token"]
    );
    assert_eq!(
        names("abandoned_cart_recovery_48h"),
        ["customer_name", "recovery_token"]
    );
    for n in ["order_confirmed", "order_completed", "order_cancelled"] {
        assert_eq!(names(n), ["first_name", "order_number", "order_total"]);
    }
}

#[test]
fn every_template_has_every_language() {
    for t in catalog::list() {
        let langs: Vec<&str> = t.translations.iter().map(|tr| tr.language).collect();
        assert_eq!(langs, LANGUAGES, "{}", t.name);
    }
}

#[test]
fn texts_respect_meta_limits_and_placeholder_counts() {
    for t in catalog::list() {
        let n = t.body_variable_count();
        for tr in t.translations {
            let ctx = format!("{} [{}]", t.name, tr.language);
            let ph = placeholders(tr.body);
            // Placeholder count == parameter count (body slots), numbered 1..=n in order.
            assert_eq!(count_variables(tr.body), n, "{ctx}");
            let mut sorted = ph.clone();
            sorted.dedup();
            assert_eq!(
                sorted,
                (1..=u32::try_from(n).unwrap()).collect::<Vec<_>>(),
                "{ctx}"
            );
            assert!(tr.body.chars().count() <= 1024, "{ctx}: body too long");
            // Meta rejects leading/trailing variables (2388299) and adjacent ones.
            assert!(!tr.body.trim_start().starts_with("{{"), "{ctx}");
            assert!(!tr.body.trim_end().ends_with("}}"), "{ctx}");
            assert!(!tr.body.contains("}}{{"), "{ctx}");
            assert!(tr.body.chars().all(|c| c != '\t'), "{ctx}");
            if let Some(h) = tr.header {
                assert!(
                    h.chars().count() <= 60 && !h.contains("{{"),
                    "{ctx}: header"
                );
            }
            if let Some(f) = tr.footer {
                assert!(
                    f.chars().count() <= 60 && !f.contains("{{"),
                    "{ctx}: footer"
                );
            }
            assert_eq!(
                tr.url_button_label.is_some(),
                t.needs_recovery_url(),
                "{ctx}"
            );
            if let Some(l) = tr.url_button_label {
                assert!(l.chars().count() <= 25, "{ctx}: button label");
            }
        }
    }
}

#[test]
fn slots_are_consistent_with_buttons() {
    for t in catalog::list() {
        let mut body = Vec::new();
        for p in t.params {
            for s in p.slots {
                match *s {
                    Slot::Body(n) => body.push(n),
                    Slot::UrlButton(i) => {
                        assert_eq!(t.buttons[usize::from(i)], ButtonSpec::RecoveryUrl);
                        assert_eq!(p.kind, ParamKind::Token);
                    }
                    Slot::CopyCodeButton(i) => {
                        assert_eq!(t.buttons[usize::from(i)], ButtonSpec::CopyCode);
                        assert_eq!(p.kind, ParamKind::Coupon);
                        // Copy-code buttons belong to marketing templates (README §2.1).
                        assert_eq!(t.category, Category::Marketing);
                    }
                }
            }
        }
        body.sort_unstable();
        let expected: Vec<u8> = (1..=u8::try_from(body.len()).unwrap()).collect();
        assert_eq!(body, expected, "{}", t.name);
        assert!(t.buttons.len() <= 10);
        assert!(
            t.buttons
                .iter()
                .filter(|b| **b == ButtonSpec::RecoveryUrl)
                .count()
                <= 2
        );
        assert!(
            t.buttons
                .iter()
                .filter(|b| **b == ButtonSpec::CopyCode)
                .count()
                <= 1
        );
    }
}

/// "Parameter counts can never disagree": for every template × language, the send body built
/// from the catalog has exactly as many body parameters as the submitted text has variables,
/// and one button component per button of the submitted template.
#[test]
fn send_bodies_match_submitted_definitions() {
    for t in catalog::list() {
        for tr in t.translations {
            let ctx = format!("{} [{}]", t.name, tr.language);
            let msg = catalog::message(
                "+34612345678",
                t.name,
                tr.language,
                &example_params(t),
                Some("msg-42"),
            )
            .unwrap();
            let body = graph::send_template_body(&msg).unwrap();
            let def = create_request_body(
                t.name,
                tr.language,
                Some("https://shop.example/cart/?cartpinger_recover="),
            )
            .unwrap();
            let def_body = def["components"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["type"] == "BODY")
                .unwrap();
            let n_vars = count_variables(def_body["text"].as_str().unwrap());
            let sent = body["template"]["components"].as_array().unwrap();
            let sent_body = sent.iter().find(|c| c["type"] == "body").unwrap();
            assert_eq!(
                sent_body["parameters"].as_array().unwrap().len(),
                n_vars,
                "{ctx}"
            );
            if n_vars > 0 {
                assert_eq!(
                    def_body["example"]["body_text"][0]
                        .as_array()
                        .unwrap()
                        .len(),
                    n_vars,
                    "{ctx}"
                );
            }
            let def_buttons = def["components"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["type"] == "BUTTONS")
                .map_or(0, |b| b["buttons"].as_array().unwrap().len());
            let sent_buttons = sent.iter().filter(|c| c["type"] == "button").count();
            assert_eq!(sent_buttons, def_buttons, "{ctx}");
            assert_eq!(body["template"]["language"]["code"], tr.language);
        }
    }
}

#[test]
fn components_for_the_coupon_template() {
    let token = "a".repeat(64);
    let c = components_for(
        "abandoned_cart_recovery_24h",
        &["Anna", "CP-7KQ2M9XA", token.as_str()],
    )
    .unwrap();
    assert_eq!(
        c,
        vec![
            Component::Body {
                parameters: vec![
                    Parameter::Text {
                        text: "Anna".into()
                    },
                    Parameter::Text {
                        text: "CP-7KQ2M9XA".into()
                    },
                ]
            },
            Component::Button {
                sub_type: ButtonSubType::Url,
                index: "0".into(),
                parameters: vec![Parameter::Text {
                    text: token.clone()
                }],
            },
            Component::Button {
                sub_type: ButtonSubType::CopyCode,
                index: "1".into(),
                parameters: vec![Parameter::CouponCode {
                    coupon_code: "CP-7KQ2M9XA".into()
                }],
            },
        ]
    );
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(
        json[2],
        serde_json::json!({"type":"button","sub_type":"copy_code","index":"1",
            "parameters":[{"type":"coupon_code","coupon_code":"CP-7KQ2M9XA"}]})
    );
    // Round trip (the PHP queue stores components as JSON).
    let back: Vec<Component> = serde_json::from_value(json).unwrap();
    assert_eq!(back, c);
}

#[test]
fn order_components() {
    let c = components_for("order_completed", &["Jane", "1042", "49.90 EUR"]).unwrap();
    assert_eq!(
        c,
        vec![Component::body_text(&["Jane", "1042", "49.90 EUR"])]
    );
}

#[test]
fn wrong_parameter_counts_are_typed_errors() {
    let e = components_for("order_confirmed", &["Jane", "1042"]).unwrap_err();
    assert_eq!(
        e,
        CatalogError::ParameterCount {
            template: "order_confirmed".into(),
            expected: 3,
            got: 2
        }
    );
    assert_eq!(e.code(), 5003);
    let e = components_for("abandoned_cart_recovery", &["a", "b", "c"]).unwrap_err();
    assert!(matches!(
        e,
        CatalogError::ParameterCount {
            expected: 2,
            got: 3,
            ..
        }
    ));
    let none: [&str; 0] = [];
    assert!(matches!(
        components_for("nope", &none),
        Err(CatalogError::UnknownTemplate(_))
    ));
}

#[test]
fn parameter_values_are_validated_and_normalised() {
    let token = "0".repeat(64);
    // Meta rejects new lines, tabs and long space runs in text parameters (132018).
    let c = components_for(
        "abandoned_cart_recovery",
        &["  Anna\n\tMaria    Luisa ", token.as_str()],
    )
    .unwrap();
    assert_eq!(c[0], Component::body_text(&["Anna Maria Luisa"]));
    assert!(matches!(
        components_for("abandoned_cart_recovery", &["   ", token.as_str()]),
        Err(CatalogError::InvalidParameter {
            name: "customer_name",
            ..
        })
    ));
    assert!(matches!(
        components_for("abandoned_cart_recovery", &["Anna", "ABC"]),
        Err(CatalogError::InvalidParameter {
            name: "recovery_token",
            ..
        })
    ));
    assert!(matches!(
        components_for("abandoned_cart_recovery", &["Anna", &"A".repeat(64)]),
        Err(CatalogError::InvalidParameter {
            name: "recovery_token",
            ..
        })
    ));
    let long = "x".repeat(201);
    assert!(components_for("abandoned_cart_recovery", &[long.as_str(), token.as_str()]).is_err());
    for bad in ["", "CP-TOO-LONG-CODE-1", "CP 1234"] {
        assert!(
            matches!(
                components_for(
                    "abandoned_cart_recovery_24h",
                    &["Anna", bad, token.as_str()]
                ),
                Err(CatalogError::InvalidParameter {
                    name: "coupon_code",
                    ..
                })
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn message_checks_language_and_recipient() {
    let p = ["Jane", "1042", "49.90 EUR"];
    assert!(matches!(
        catalog::message("+34612345678", "order_confirmed", "it", &p, None),
        Err(CatalogError::UnknownLanguage { .. })
    ));
    let m = catalog::message("612345678", "order_confirmed", "en", &p, None).unwrap();
    assert!(matches!(
        graph::send_template_body(&m),
        Err(graph::GraphError::InvalidRecipient)
    ));
}

#[test]
fn create_request_body_shape() {
    let def = create_request_body(
        "abandoned_cart_recovery_24h",
        "de",
        Some("https://shop.example/?page_id=7&cartpinger_recover="),
    )
    .unwrap();
    assert_eq!(def["name"], "abandoned_cart_recovery_24h");
    assert_eq!(def["language"], "de");
    assert_eq!(def["category"], "MARKETING");
    assert_eq!(def["parameter_format"], "POSITIONAL");
    let comps = def["components"].as_array().unwrap();
    let types: Vec<&str> = comps.iter().map(|c| c["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["HEADER", "BODY", "FOOTER", "BUTTONS"]);
    assert_eq!(comps[0]["format"], "TEXT");
    assert_eq!(
        comps[1]["example"]["body_text"],
        serde_json::json!([["Anna", "CP-7KQ2M9XA"]])
    );
    let buttons = comps[3]["buttons"].as_array().unwrap();
    assert_eq!(buttons[0]["type"], "URL");
    assert_eq!(
        buttons[0]["url"],
        "https://shop.example/?page_id=7&cartpinger_recover={{1}}"
    );
    assert_eq!(buttons[0]["text"], "Zurück zum Warenkorb");
    assert!(buttons[0]["example"][0]
        .as_str()
        .unwrap()
        .starts_with("https://shop.example/?page_id=7&cartpinger_recover="));
    assert_eq!(
        buttons[1],
        serde_json::json!({"type":"COPY_CODE","example":"CP-7KQ2M9XA"})
    );

    let order = create_request_body("order_cancelled", "pt_BR", None).unwrap();
    assert_eq!(order["category"], "UTILITY");
    assert_eq!(order["components"].as_array().unwrap().len(), 1);
    assert_eq!(
        order["components"][0]["example"]["body_text"],
        serde_json::json!([["Anna", "1042", "49.90 EUR"]])
    );

    assert!(matches!(
        create_request_body("abandoned_cart_recovery", "en", None),
        Err(CatalogError::InvalidRecoveryUrl(_))
    ));
    assert!(matches!(
        create_request_body("abandoned_cart_recovery", "en", Some("shop.example/?r=")),
        Err(CatalogError::InvalidRecoveryUrl(_))
    ));
    assert!(matches!(
        create_request_body("abandoned_cart_recovery", "en", Some("https://x/{{1}}")),
        Err(CatalogError::InvalidRecoveryUrl(_))
    ));
    // The legacy base (no `=`): the token would be glued to the argument name.
    assert!(matches!(
        create_request_body(
            "abandoned_cart_recovery",
            "en",
            Some("https://shop.example/cart/?cartpinger_recover")
        ),
        Err(CatalogError::InvalidRecoveryUrl(_))
    ));
    assert!(matches!(
        create_request_body("abandoned_cart_recovery", "it", Some("https://x/?r=")),
        Err(CatalogError::UnknownLanguage { .. })
    ));
}

#[test]
fn every_create_body_has_a_valid_name_and_example_per_variable() {
    for t in catalog::list() {
        assert!(t
            .name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
        for tr in t.translations {
            let def =
                create_request_body(t.name, tr.language, Some("https://s.example/c?r=")).unwrap();
            for c in def["components"].as_array().unwrap() {
                if let Some(text) = c["text"].as_str() {
                    let n = count_variables(text);
                    if n > 0 {
                        assert_eq!(c["example"]["body_text"][0].as_array().unwrap().len(), n);
                    }
                }
            }
        }
    }
}

#[test]
fn locale_map_follows_behaviours_line_19_within_the_catalog() {
    let cases = [
        ("es_ES", Some("es")),
        ("es_MX", Some("es")),
        ("es_AR", Some("es")),
        ("fr_FR", Some("fr")),
        ("fr_CA", Some("fr")),
        ("de_DE", Some("de")),
        ("de_DE_formal", Some("de")),
        ("de_CH", Some("de")),
        ("en_US", Some("en")),
        ("en_GB", Some("en")),
        ("pt_BR", Some("pt_BR")),
        ("pt_PT", Some("pt_BR")),
        ("pt", Some("pt_BR")),
        ("pt-br", Some("pt_BR")),
        ("EN-us", Some("en")),
        ("it_IT", None),
        ("nl_NL", None),
        ("", None),
        ("_", None),
    ];
    for (locale, expected) in cases {
        assert_eq!(map_locale(locale), expected, "{locale}");
    }
}

#[test]
fn select_language_orders_and_dedups() {
    assert_eq!(
        select_language(Some("pt_PT"), "es_ES", &["fr_FR"]),
        ["pt_BR", "es", "fr", "en"]
    );
    assert_eq!(select_language(None, "de_DE", &[]), ["de", "en"]);
    assert_eq!(select_language(Some("it_IT"), "it_IT", &["nl"]), ["en"]);
    assert_eq!(select_language(Some("en_GB"), "en_US", &["en"]), ["en"]);
    assert_eq!(
        select_language(Some("es_MX"), "en_US", &["es", "de"]),
        ["es", "en", "de"]
    );
}

#[test]
fn fallback_after_132001() {
    let c = select_language(Some("fr_FR"), "de_DE", &[]);
    assert_eq!(c, ["fr", "de", "en"]);
    assert_eq!(next_language_after_132001(&c, "fr").as_deref(), Some("de"));
    assert_eq!(next_language_after_132001(&c, "de").as_deref(), Some("en"));
    assert_eq!(next_language_after_132001(&c, "en"), None);
    assert_eq!(next_language_after_132001(&c, "it").as_deref(), Some("fr"));
    assert_eq!(next_language_after_132001(&[], "en"), None);
}

proptest! {
    #[test]
    fn any_non_blank_name_builds_valid_send_bodies(
        name in "[^\\x00]{0,80}[A-Za-zÀ-ÿ][^\\x00]{0,80}",
        token in "[0-9a-f]{64}",
        coupon in "[A-Z0-9-]{1,15}",
    ) {
        for t in catalog::list() {
            let params: Vec<String> = t.params.iter().map(|p| match p.kind {
                ParamKind::Text => name.clone(),
                ParamKind::Token => token.clone(),
                ParamKind::Coupon => coupon.clone(),
            }).collect();
            let name_len = name.split_whitespace().collect::<Vec<_>>().join(" ").chars().count();
            let r = catalog::message("+4915112345678", t.name, "en", &params, Some("id"));
            if name_len > 200 {
                prop_assert!(r.is_err());
                continue;
            }
            let m = r.unwrap();
            let body = graph::send_template_body(&m).unwrap();
            let comps = body["template"]["components"].as_array().unwrap();
            let b = comps.iter().find(|c| c["type"] == "body").unwrap();
            prop_assert_eq!(b["parameters"].as_array().unwrap().len(), t.body_variable_count());
            for p in b["parameters"].as_array().unwrap() {
                let text = p["text"].as_str().unwrap();
                prop_assert!(!text.contains('\n') && !text.contains('\t') && !text.contains("  "));
            }
        }
    }

    #[test]
    fn wrong_counts_always_fail(n in 0usize..8) {
        for t in catalog::list() {
            let params = vec!["x"; n];
            let r = components_for(t.name, &params);
            if n == t.params.len() {
                let is_count_error = matches!(r, Err(CatalogError::ParameterCount { .. }));
                prop_assert!(!is_count_error);
            } else {
                let is_count_error = matches!(r, Err(CatalogError::ParameterCount { .. }));
                prop_assert!(is_count_error);
            }
        }
    }
}

#[test]
fn published_templates_are_checked_against_the_catalog() {
    use cartpinger_core::catalog::{compatibility, Mismatch};
    use cartpinger_core::graph::TemplateInfo;
    let info = |name: &str, components: serde_json::Value| TemplateInfo {
        id: "1".into(),
        name: name.into(),
        language: "en".into(),
        status: "APPROVED".into(),
        category: "MARKETING".into(),
        parameter_format: Some("POSITIONAL".into()),
        sub_category: None,
        components,
    };
    // What we submit is compatible with what we send, for every template × language.
    for t in catalog::list() {
        for tr in t.translations {
            let def =
                create_request_body(t.name, tr.language, Some("https://s.example/?r=")).unwrap();
            assert_eq!(
                compatibility(&info(t.name, def["components"].clone())),
                vec![],
                "{}",
                t.name
            );
        }
    }
    // The original plugin's recovery template: [name, url] in the body, no button.
    let legacy = info(
        "abandoned_cart_recovery",
        serde_json::json!([{"type":"BODY","text":"Hi {{1}}, finish your order: {{2}} thanks"}]),
    );
    assert_eq!(
        compatibility(&legacy),
        vec![
            Mismatch::BodyVariables {
                expected: 1,
                published: 2
            },
            Mismatch::Buttons {
                expected: vec!["URL".into()],
                published: vec![]
            },
        ]
    );
    let mut named = info(
        "order_confirmed",
        serde_json::json!([{"type":"BODY","text":"{{a}} {{b}} {{c}}"}]),
    );
    named.parameter_format = Some("NAMED".into());
    assert_eq!(compatibility(&named), vec![Mismatch::ParameterFormat]);
    assert_eq!(
        compatibility(&info("hello_world", serde_json::json!([]))),
        vec![Mismatch::NotInCatalog]
    );
}

/// Issue 10: the URL button every recovery template submits, in every language, is the site's
/// recovery base (ending in `cartpinger_recover=`) followed by `{{1}}`, and its example is that
/// base with a 64-hex token: what Meta opens is `…?cartpinger_recover=<token>`.
#[test]
fn every_recovery_template_and_language_submits_the_url_with_the_equals_sign() {
    let bases = [
        "https://shop.example/cart/?cartpinger_recover=",
        "https://shop.example/?page_id=7&cartpinger_recover=",
    ];
    let mut seen = 0;
    for base in bases {
        for t in catalog::list().iter().filter(|t| t.needs_recovery_url()) {
            for tr in t.translations {
                let ctx = format!("{} [{}] {base}", t.name, tr.language);
                let def = create_request_body(t.name, tr.language, Some(base)).unwrap();
                let buttons = def["components"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| c["type"] == "BUTTONS")
                    .and_then(|c| c["buttons"].as_array())
                    .unwrap_or_else(|| panic!("{ctx}: no buttons"));
                let urls: Vec<&serde_json::Value> =
                    buttons.iter().filter(|b| b["type"] == "URL").collect();
                assert_eq!(urls.len(), 1, "{ctx}: one URL button");
                let url = urls[0]["url"].as_str().unwrap();
                assert_eq!(url, format!("{base}{{{{1}}}}"), "{ctx}");
                assert!(url.ends_with("cartpinger_recover={{1}}"), "{ctx}: {url}");
                let example = urls[0]["example"][0].as_str().unwrap();
                let token = example
                    .strip_prefix(base)
                    .unwrap_or_else(|| panic!("{ctx}: {example}"));
                assert_eq!(token.len(), 64, "{ctx}: {example}");
                assert!(
                    token.bytes().all(|b| b.is_ascii_hexdigit()),
                    "{ctx}: {example}"
                );
                seen += 1;
            }
        }
    }
    // 3 recovery templates with a URL button (first, 24 h without coupon, 48 h) × 5 languages,
    // and the coupon step's URL button too when it has one: at least 15 per base.
    assert!(
        seen >= 2 * 15,
        "only {seen} template × language × base combinations checked"
    );
}
