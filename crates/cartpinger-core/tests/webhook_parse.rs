//! Every webhook fixture parses into the expected events (concrete values, fixture by fixture).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use cartpinger_core::webhook::{
    apply, is_opt_out, parse, AccountEvent, CategoryChange, Conversation, DeliveryState,
    ErrorDetail, Event, InboundMessage, MessageKind, Origin, ParseError, Pricing, Skipped, Status,
    StatusEvent, StatusTimestamps, WebhookBatch, MAX_BODY_LEN,
};

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../../../tests/fixtures/meta/webhooks/", $name))
    };
}

const META_WABA: &str = "102290129340398";
const META_PHONE_ID: &str = "106540352242922";
const META_DISPLAY: &str = "15550783881";

fn meta_origin() -> Origin {
    origin(META_WABA, META_PHONE_ID, META_DISPLAY)
}

fn pywa_origin() -> Origin {
    origin("5467539754836534", "1122334455667", "972123456789")
}

fn origin(waba: &str, phone_id: &str, display: &str) -> Origin {
    Origin {
        waba_id: Some(waba.to_owned()),
        phone_number_id: Some(phone_id.to_owned()),
        display_phone_number: Some(display.to_owned()),
    }
}

fn some(s: &str) -> Option<String> {
    Some(s.to_owned())
}

/// Parses a fixture that must be a clean WhatsApp batch (nothing skipped) and returns its events.
fn events(body: &[u8]) -> Vec<Event> {
    match parse(body).unwrap() {
        WebhookBatch::WhatsApp { events, skipped } => {
            assert_eq!(skipped, vec![], "nothing may be skipped");
            events
        }
        WebhookBatch::Ignored { object } => panic!("ignored: {object}"),
    }
}

fn only_status(body: &[u8]) -> StatusEvent {
    match events(body).as_slice() {
        [Event::Status(s)] => s.clone(),
        other => panic!("expected one status, got {other:?}"),
    }
}

fn only_message(body: &[u8]) -> InboundMessage {
    match events(body).as_slice() {
        [Event::Message(m)] => m.clone(),
        other => panic!("expected one message, got {other:?}"),
    }
}

fn error(code: i64, title: &str, details: &str, href: &str) -> ErrorDetail {
    ErrorDetail {
        code: Some(code),
        title: title.to_owned(),
        message: title.to_owned(),
        details: some(details),
        href: some(href),
    }
}

const ERRORS_HREF: &str = "/documentation/business-messaging/whatsapp/support/error-codes";

#[test]
fn meta_docs_status_sent_marketing() {
    let s = only_status(fixture!("meta-docs_status_sent_marketing.json"));
    assert_eq!(
        s,
        StatusEvent {
            origin: meta_origin(),
            wamid: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=".to_owned(),
            status: Status::Sent,
            timestamp: 1_750_030_073,
            recipient_id: some("16505551234"),
            recipient_user_id: None,
            biz_opaque_callback_data: None,
            errors: vec![],
            pricing: Some(Pricing {
                billable: Some(true),
                pricing_model: some("PMP"),
                category: some("marketing"),
                pricing_type: some("regular"),
            }),
            conversation: Some(Conversation {
                id: some("72b14d6bd5407799e66f64d1b338e567"),
                expiration_timestamp: Some(1_750_116_480),
                origin_type: some("marketing"),
            }),
        }
    );
}

#[test]
fn meta_docs_status_v24_no_conversation() {
    let s = only_status(fixture!("meta-docs_status_v24_no_conversation.json"));
    assert_eq!(s.origin, meta_origin());
    assert_eq!(
        s.wamid,
        "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA="
    );
    assert_eq!(s.status, Status::Sent); // as published, despite the prose saying "read"
    assert_eq!(s.timestamp, 1_750_030_073);
    assert_eq!(s.recipient_id, some("16505551234"));
    assert_eq!(s.pricing, None);
    assert_eq!(s.conversation, None);
    assert!(s.errors.is_empty());
}

#[test]
fn meta_docs_status_failed_131049() {
    let s = only_status(fixture!("meta-docs_status_failed_131049.json"));
    assert_eq!(s.origin, meta_origin());
    assert_eq!(
        s.wamid,
        "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0QUQ2MjA4NEYyRkExNjMyREUA"
    );
    assert_eq!(s.status, Status::Failed);
    assert_eq!(s.timestamp, 1_751_142_888);
    assert_eq!(s.recipient_id, some("16505551234"));
    assert_eq!(
        s.errors,
        vec![error(
            131_049,
            "This message was not delivered to maintain healthy ecosystem engagement.",
            "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
            ERRORS_HREF,
        )]
    );
    assert_eq!(s.pricing, None);
    assert_eq!(s.conversation, None);
}

#[test]
fn meta_docs_message_text() {
    let m = only_message(fixture!("meta-docs_message_text.json"));
    assert_eq!(
        m,
        InboundMessage {
            origin: meta_origin(),
            id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=".to_owned(),
            from: some("16505551234"),
            user_id: None,
            profile_name: some("Sheena Nelson"),
            timestamp: 1_749_416_383,
            context_id: None,
            kind: MessageKind::Text {
                body: "Does it come in another color?".to_owned()
            },
            errors: vec![],
        }
    );
    assert!(!is_opt_out(&m));
}

#[test]
fn meta_docs_message_interactive_button_reply() {
    let m = only_message(fixture!("meta-docs_message_interactive_button_reply.json"));
    assert_eq!(m.origin, meta_origin());
    assert_eq!(
        m.id,
        "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTZBQzg0MzQ4QjRCM0NGNkVGOAA="
    );
    assert_eq!(m.from, some("16505551234"));
    assert_eq!(m.profile_name, some("Sheena Nelson"));
    assert_eq!(m.timestamp, 1_750_025_136);
    assert_eq!(
        m.context_id,
        some("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MEM2RUJFNkI0RENGQTVDRjUA")
    );
    assert_eq!(
        m.kind,
        MessageKind::ButtonReply {
            id: "cancel-button".to_owned(),
            title: "Cancel".to_owned()
        }
    );
    assert!(!is_opt_out(&m), "an interactive 'Cancel' is not an opt-out");
}

#[test]
fn meta_docs_message_interactive_list_reply() {
    let m = only_message(fixture!("meta-docs_message_interactive_list_reply.json"));
    assert_eq!(m.origin, meta_origin());
    assert_eq!(
        m.id,
        "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA="
    );
    assert_eq!(m.timestamp, 1_749_854_575);
    assert_eq!(
        m.context_id,
        some("wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=")
    );
    assert_eq!(
        m.kind,
        MessageKind::ListReply {
            id: "priority_express".to_owned(),
            title: "Priority Mail Express".to_owned(),
            description: some("Next Day to 2 Days"),
        }
    );
    assert!(!is_opt_out(&m));
}

#[test]
fn meta_openapi_message_button_quick_reply() {
    let m = only_message(fixture!("meta-openapi_message_button_quick_reply.json"));
    assert_eq!(
        m.origin,
        origin("419561257915477", META_PHONE_ID, META_DISPLAY)
    );
    assert_eq!(
        m.id,
        "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUU0M0MxQzQzMUJCMTMwNUZFOQA="
    );
    assert_eq!(m.from, some("16505551234"));
    assert_eq!(m.timestamp, 1_750_091_045);
    assert_eq!(
        m.context_id,
        some("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJFNjk2OTMwNEZCQjhGMzUyQUYA")
    );
    assert_eq!(
        m.kind,
        MessageKind::QuickReply {
            payload: "Unsubscribe".to_owned(),
            text: "Unsubscribe".to_owned()
        }
    );
    assert!(is_opt_out(&m), "the template's Unsubscribe button opts out");
}

#[test]
fn meta_docs_errors_value_130429() {
    let events = events(fixture!("meta-docs_errors_value_130429.json"));
    let [Event::Error(e)] = events.as_slice() else {
        panic!("expected one value-level error, got {events:?}");
    };
    assert_eq!(e.origin, meta_origin());
    assert_eq!(
        e.error,
        error(
            130_429,
            "Rate limit hit",
            "Message failed to send because there were too many messages sent from this phone number in a short period of time",
            ERRORS_HREF,
        )
    );
}

#[test]
fn pywa_status_delivered_cbp_bsuid() {
    let s = only_status(fixture!("pywa_status_delivered_cbp_bsuid.json"));
    assert_eq!(s.origin, pywa_origin());
    assert_eq!(s.wamid, "wamid.xyzxyz");
    assert_eq!(s.status, Status::Delivered);
    assert_eq!(s.timestamp, 1_698_266_945);
    assert_eq!(s.recipient_id, some("972987654321"));
    assert_eq!(
        s.pricing,
        Some(Pricing {
            billable: Some(true),
            pricing_model: some("CBP"),
            category: some("service"),
            pricing_type: None,
        })
    );
    assert_eq!(
        s.conversation,
        Some(Conversation {
            id: some("7270432eae37498234f4444b35ffc5"),
            expiration_timestamp: None,
            origin_type: some("service"),
        })
    );
}

#[test]
fn pywa_status_read_cbp_bsuid() {
    let s = only_status(fixture!("pywa_status_read_cbp_bsuid.json"));
    assert_eq!(s.origin, pywa_origin());
    assert_eq!(s.wamid, "wamid.xyzxyz");
    assert_eq!(s.status, Status::Read);
    assert_eq!(s.timestamp, 1_689_380_458);
    assert_eq!(s.recipient_id, some("972987654321"));
    assert_eq!(s.pricing.unwrap().pricing_model, some("CBP"));
    assert_eq!(s.conversation.unwrap().origin_type, some("service"));
}

#[test]
fn pywa_status_failed_130472() {
    let s = only_status(fixture!("pywa_status_failed_130472.json"));
    assert_eq!(s.origin, pywa_origin());
    assert_eq!(s.status, Status::Failed);
    assert_eq!(s.timestamp, 1_689_380_458);
    assert_eq!(
        s.errors,
        vec![error(
            130_472,
            "User's number is part of an experiment",
            "Failed to send message because this user's phone number is part of an experiment",
            "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
        )]
    );
}

#[test]
fn pywa_message_template_quick_reply_with_bsuid_contact() {
    let m = only_message(fixture!("pywa_message_template_quick_reply.json"));
    assert_eq!(
        m,
        InboundMessage {
            origin: pywa_origin(),
            id: "wamid.xsidjw".to_owned(),
            from: some("972987654321"),
            user_id: some("US.13491208655302741918"),
            profile_name: some("Test Name"),
            timestamp: 1_698_269_027,
            context_id: some("wamid.xyzxyz=="),
            kind: MessageKind::QuickReply {
                payload: "callback_data".to_owned(),
                text: "title".to_owned()
            },
            errors: vec![],
        }
    );
    assert!(!is_opt_out(&m));
}

#[test]
fn netflie_one_entry_two_changes() {
    let events = events(fixture!("netflie_one_entry_two_changes.json"));
    let [Event::Message(a), Event::Message(b)] = events.as_slice() else {
        panic!("expected two messages, got {events:?}");
    };
    let o = origin(
        "WHATSAPP_BUSINESS_ACCOUNT_ID",
        "PHONE_NUMBER_ID",
        "PHONE_NUMBER",
    );
    for (m, ts, body) in [
        (a, 1_669_233_778, "MESSAGE_BODY"),
        (b, 1_669_233_779, "MESSAGE_BODY2"),
    ] {
        assert_eq!(m.origin, o);
        assert_eq!(m.id, "wamid.ID");
        assert_eq!(m.from, some("PHONE_NUMBER"));
        assert_eq!(m.profile_name, some("NAME"));
        assert_eq!(m.timestamp, ts);
        assert_eq!(
            m.kind,
            MessageKind::Text {
                body: body.to_owned()
            }
        );
    }
}

const OOO_WAMID: &str = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=";
const OOO_FAILED_WAMID: &str = "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0QUQ2MjA4NEYyRkExNjMyREUA";

#[test]
fn synthetic_batched_out_of_order() {
    let batch = parse(fixture!("synthetic_batched_out_of_order.json")).unwrap();
    assert!(batch.skipped().is_empty());
    let statuses: Vec<(&str, Status, u64)> = batch
        .statuses()
        .map(|s| (s.wamid.as_str(), s.status.clone(), s.timestamp))
        .collect();
    assert_eq!(
        statuses,
        vec![
            (OOO_WAMID, Status::Read, 1_750_030_200),
            (OOO_WAMID, Status::Delivered, 1_750_030_100),
            (OOO_FAILED_WAMID, Status::Failed, 1_750_030_150),
            (OOO_WAMID, Status::Read, 1_750_030_200),
        ]
    );
    // Document order: entry 0 / change 0 (3 statuses), entry 0 / change 1 (message), entry 1.
    assert!(matches!(batch.events()[3], Event::Message(_)));
    let delivered = batch.statuses().nth(1).unwrap();
    assert_eq!(
        delivered.pricing.as_ref().unwrap().category,
        some("utility")
    );
    let failed = batch.statuses().nth(2).unwrap();
    assert_eq!(failed.recipient_id, some("16505559876"));
    assert_eq!(
        failed.errors,
        vec![error(
            131_026,
            "Message undeliverable",
            "Message Undeliverable.",
            ERRORS_HREF
        )]
    );
    let stop: Vec<&InboundMessage> = batch.messages().collect();
    assert_eq!(stop.len(), 1);
    assert_eq!(
        stop[0].kind,
        MessageKind::Text {
            body: "STOP".to_owned()
        }
    );
    assert_eq!(stop[0].timestamp, 1_750_030_210);
    assert!(is_opt_out(stop[0]));

    // Applying in arrival order: read, (late) delivered, duplicate read → Read, with the real
    // delivered time kept by the min rule.
    let mut state = DeliveryState::None;
    let mut stamps = StatusTimestamps::default();
    let mut changes = 0;
    for s in batch.statuses().filter(|s| s.wamid == OOO_WAMID) {
        let t = apply(state, s);
        changes += usize::from(t.changed);
        state = t.new_state;
        stamps = stamps.merge(t.timestamps);
    }
    assert_eq!(state, DeliveryState::Read);
    assert_eq!(changes, 1, "only the first read changes the state");
    assert_eq!(
        stamps,
        StatusTimestamps {
            sent_at: Some(1_750_030_100),
            delivered_at: Some(1_750_030_100),
            read_at: Some(1_750_030_200),
            failed_at: None,
        }
    );
    let t = apply(DeliveryState::None, failed);
    assert_eq!(t.new_state, DeliveryState::Failed);
}

#[test]
fn synthetic_signature_unicode_escaped_decodes_escapes() {
    let m = only_message(fixture!("synthetic_signature_unicode_escaped.json"));
    assert_eq!(m.id, "wamid.TEST");
    assert_eq!(m.profile_name, some("José"));
    assert_eq!(
        m.kind,
        MessageKind::Text {
            body: "Olá 😀".to_owned()
        }
    );
    assert_eq!(m.timestamp, 1_749_416_383);
}

#[test]
fn synthetic_bsuid_withheld_and_unknowns() {
    let events = events(fixture!("synthetic_bsuid_withheld_and_unknowns.json"));
    let [Event::Status(delivered), Event::Status(played), Event::Message(button), Event::Message(unsupported), Event::Account(AccountEvent {
        origin: other_origin,
        field,
        ..
    })] = events.as_slice()
    else {
        panic!("unexpected events {events:?}");
    };
    // Withheld phone number: only the BSUID.
    assert_eq!(delivered.origin, meta_origin());
    assert_eq!(delivered.wamid, "wamid.SYNTH-BSUID-1");
    assert_eq!(delivered.status, Status::Delivered);
    assert_eq!(delivered.recipient_id, None);
    assert_eq!(delivered.recipient_user_id, some("ES.13491208655302741918"));
    assert_eq!(
        delivered.biz_opaque_callback_data,
        some("cp:msg=4711;site=1")
    );
    assert_eq!(played.status, Status::Unknown("played".to_owned()));
    let t = apply(DeliveryState::Delivered, played);
    assert!(!t.changed && t.timestamps.is_empty());
    // Inbound without `from`: the user id comes from `from_user_id`; the name from the only contact.
    assert_eq!(button.from, None);
    assert_eq!(button.user_id, some("ES.13491208655302741918"));
    assert_eq!(button.profile_name, some("Ana"));
    assert_eq!(button.context_id, some("wamid.SYNTH-BSUID-1"));
    assert!(is_opt_out(button), "payload cartpinger_stop");
    assert_eq!(
        unsupported.kind,
        MessageKind::Other {
            message_type: "unsupported".to_owned()
        }
    );
    assert_eq!(unsupported.from, some("16505551234"));
    assert_eq!(unsupported.user_id, None, "no contact with that wa_id");
    assert_eq!(unsupported.errors.len(), 1);
    assert_eq!(unsupported.errors[0].code, Some(131_051));
    assert_eq!(unsupported.errors[0].href, None);
    assert_eq!(field, "message_template_status_update");
    assert_eq!(other_origin.waba_id, some(META_WABA));
    assert_eq!(other_origin.phone_number_id, None);
}

#[test]
fn synthetic_malformed_items_are_skipped_not_fatal() {
    let WebhookBatch::WhatsApp { events, skipped } =
        parse(fixture!("synthetic_malformed_items.json")).unwrap()
    else {
        panic!("not ignored");
    };
    let skipped: Vec<(&str, &str)> = skipped
        .iter()
        .map(|Skipped { path, reason }| (path.as_str(), *reason))
        .collect();
    let v = "entry[2].changes[2].value";
    assert_eq!(
        skipped,
        vec![
            ("entry[0]", "entry is not an object"),
            ("entry[1]", "missing \"changes\" array"),
            ("entry[2].changes[0].value", "missing \"value\" object"),
            ("entry[2].changes[1]", "missing \"field\""),
            (
                &format!("{v}.statuses[0]") as &str,
                "missing or empty \"id\""
            ),
            (
                &format!("{v}.statuses[1]"),
                "missing or invalid \"timestamp\""
            ),
            (
                &format!("{v}.statuses[2]"),
                "missing or invalid \"timestamp\""
            ),
            (&format!("{v}.statuses[3]"), "missing \"status\""),
            (&format!("{v}.statuses[5]"), "status is not an object"),
            (&format!("{v}.messages[0]"), "missing or empty \"id\""),
            (&format!("{v}.errors[0]"), "error is not an object"),
        ]
    );
    let [Event::Status(ok), Event::Message(text), Event::Error(no_code)] = events.as_slice() else {
        panic!("unexpected events {events:?}");
    };
    // Integer ids keep their decimal text; wrong-typed optional fields count as absent.
    assert_eq!(ok.origin, meta_origin());
    assert_eq!(ok.wamid, "wamid.OK");
    assert_eq!(ok.timestamp, 1_750_030_073);
    assert_eq!((ok.pricing.clone(), ok.conversation.clone()), (None, None));
    assert!(ok.errors.is_empty());
    assert_eq!(
        text.kind,
        MessageKind::Other {
            message_type: "text".to_owned()
        }
    );
    assert_eq!(text.from, None);
    assert_eq!(
        no_code.error,
        ErrorDetail {
            code: None,
            title: "no code".to_owned(),
            ..ErrorDetail::default()
        }
    );
}

#[test]
fn other_objects_are_ignored() {
    let batch = parse(fixture!("synthetic_ignored_object.json")).unwrap();
    assert_eq!(
        batch,
        WebhookBatch::Ignored {
            object: "page".to_owned()
        }
    );
    assert!(batch.is_ignored());
    assert!(batch.events().is_empty());
    assert_eq!(
        parse(br#"{"object":"instagram"}"#).unwrap(),
        WebhookBatch::Ignored {
            object: "instagram".to_owned()
        }
    );
}

#[test]
fn envelope_errors() {
    assert_eq!(parse(b""), Err(ParseError::InvalidJson));
    assert_eq!(parse(b"{"), Err(ParseError::InvalidJson));
    assert_eq!(parse(b"\xff\xfe"), Err(ParseError::InvalidJson));
    assert_eq!(parse(b"[]"), Err(ParseError::NotAnEnvelope));
    assert_eq!(parse(b"{}"), Err(ParseError::NotAnEnvelope));
    assert_eq!(parse(br#"{"object":1}"#), Err(ParseError::NotAnEnvelope));
    assert_eq!(
        parse(br#"{"object":"whatsapp_business_account"}"#),
        Err(ParseError::MissingEntries)
    );
    assert_eq!(
        parse(br#"{"object":"whatsapp_business_account","entry":{}}"#),
        Err(ParseError::MissingEntries)
    );
    assert_eq!(
        parse(br#"{"object":"whatsapp_business_account","entry":[]}"#).unwrap(),
        WebhookBatch::WhatsApp {
            events: vec![],
            skipped: vec![]
        }
    );
    let huge = vec![b' '; MAX_BODY_LEN + 1];
    assert_eq!(parse(&huge), Err(ParseError::TooLarge));
    assert_eq!(ParseError::TooLarge.code(), 6201);
}

#[test]
fn timestamps_are_strict_unsigned_decimals() {
    let body = |ts: &str| {
        format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"changes":[{{"field":"messages","value":{{"statuses":[{{"id":"w","status":"sent","timestamp":{ts}}}]}}}}]}}]}}"#
        )
    };
    let ts = |raw: &str| {
        parse(body(raw).as_bytes())
            .unwrap()
            .statuses()
            .next()
            .map(|s| s.timestamp)
    };
    assert_eq!(ts("\"1750030073\""), Some(1_750_030_073));
    assert_eq!(ts("1750030073"), Some(1_750_030_073));
    assert_eq!(ts("\"0\""), Some(0));
    assert_eq!(ts("\"18446744073709551615\""), Some(u64::MAX));
    for bad in [
        "\"18446744073709551616\"",
        "\"+5\"",
        "\"-5\"",
        "\" 5\"",
        "\"5.0\"",
        "\"\"",
        "-5",
        "5.5",
        "null",
        "\"1e9\"",
    ] {
        assert_eq!(ts(bad), None, "{bad}");
    }
}

/// All 15 of Meta's/community fixtures plus ours: each one parses without skipping anything
/// (the malformed one excepted) — a guard against adding a fixture without a test above.
#[test]
fn every_fixture_parses() {
    let all: &[(&str, &[u8])] = &[
        (
            "meta-docs_errors_value_130429",
            fixture!("meta-docs_errors_value_130429.json"),
        ),
        (
            "meta-docs_message_interactive_button_reply",
            fixture!("meta-docs_message_interactive_button_reply.json"),
        ),
        (
            "meta-docs_message_interactive_list_reply",
            fixture!("meta-docs_message_interactive_list_reply.json"),
        ),
        (
            "meta-docs_message_text",
            fixture!("meta-docs_message_text.json"),
        ),
        (
            "meta-docs_status_failed_131049",
            fixture!("meta-docs_status_failed_131049.json"),
        ),
        (
            "meta-docs_status_sent_marketing",
            fixture!("meta-docs_status_sent_marketing.json"),
        ),
        (
            "meta-docs_status_v24_no_conversation",
            fixture!("meta-docs_status_v24_no_conversation.json"),
        ),
        (
            "meta-openapi_message_button_quick_reply",
            fixture!("meta-openapi_message_button_quick_reply.json"),
        ),
        (
            "netflie_one_entry_two_changes",
            fixture!("netflie_one_entry_two_changes.json"),
        ),
        (
            "pywa_message_template_quick_reply",
            fixture!("pywa_message_template_quick_reply.json"),
        ),
        (
            "pywa_status_delivered_cbp_bsuid",
            fixture!("pywa_status_delivered_cbp_bsuid.json"),
        ),
        (
            "pywa_status_failed_130472",
            fixture!("pywa_status_failed_130472.json"),
        ),
        (
            "pywa_status_read_cbp_bsuid",
            fixture!("pywa_status_read_cbp_bsuid.json"),
        ),
        (
            "synthetic_batched_out_of_order",
            fixture!("synthetic_batched_out_of_order.json"),
        ),
        (
            "synthetic_signature_unicode_escaped",
            fixture!("synthetic_signature_unicode_escaped.json"),
        ),
        (
            "synthetic_bsuid_withheld_and_unknowns",
            fixture!("synthetic_bsuid_withheld_and_unknowns.json"),
        ),
    ];
    let counts: Vec<(&str, usize)> = all
        .iter()
        .map(|(name, body)| {
            let batch = parse(body).unwrap();
            assert!(batch.skipped().is_empty(), "{name}");
            (*name, batch.events().len())
        })
        .collect();
    let expected = [1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 5, 1, 5];
    assert_eq!(
        counts.iter().map(|c| c.1).collect::<Vec<_>>(),
        expected,
        "{counts:?}"
    );
}

/// Meta's `template_category_update` reference: impending (correct_category +
/// category_update_timestamp) and completed (previous_category + new_category) shapes;
/// `phone_number_quality_update` with the per-portfolio limit field.
#[test]
fn account_level_fields() {
    let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","time":1764750000,"changes":[
      {"field":"template_category_update","value":{"message_template_id":1234567,"message_template_name":"order_shipped","message_template_language":"en","correct_category":"MARKETING","new_category":"UTILITY","category_update_timestamp":1765354800}},
      {"field":"template_category_update","value":{"message_template_id":1234567,"message_template_name":"order_shipped","message_template_language":"en","previous_category":"UTILITY","new_category":"MARKETING"}},
      {"field":"phone_number_quality_update","value":{"display_phone_number":"15550783881","event":"DOWNGRADE","current_limit":"TIER_2K","max_daily_conversations_per_business":2000}}
    ]}]}"#;
    let batch = parse(body).expect("parses");
    let accounts: Vec<&AccountEvent> = batch
        .events()
        .iter()
        .filter_map(|e| match e {
            Event::Account(a) => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(accounts.len(), 3);
    assert_eq!(
        accounts[0].category_change(),
        Some(CategoryChange::Impending {
            correct_category: "MARKETING".to_owned(),
            at: Some(1_765_354_800)
        })
    );
    assert_eq!(accounts[0].get("message_template_id"), Some("1234567"));
    assert_eq!(
        accounts[1].category_change(),
        Some(CategoryChange::Completed {
            previous_category: Some("UTILITY".to_owned()),
            new_category: "MARKETING".to_owned()
        })
    );
    assert_eq!(accounts[2].field, "phone_number_quality_update");
    assert_eq!(
        accounts[2].get("max_daily_conversations_per_business"),
        Some("2000")
    );
    assert_eq!(accounts[2].category_change(), None);
}
