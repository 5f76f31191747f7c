//! Webhooks over the public API: handshake, signatures (README §7.3 vectors), opt-out and
//! status application.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use cartpinger_core::webhook::{
    self, apply, apply_status, is_opt_out, is_opt_out_text, sign, verify_signature,
    verify_subscription, DeliveryState, HandshakeError, InboundMessage, MessageKind, Origin,
    SignatureError, Status, StatusEvent, StatusTimestamps, MAX_CHALLENGE_LEN,
};

const UNICODE_ESCAPED: &[u8] = include_bytes!(
    "../../../tests/fixtures/meta/webhooks/synthetic_signature_unicode_escaped.json"
);
const MESSAGE_TEXT: &[u8] =
    include_bytes!("../../../tests/fixtures/meta/webhooks/meta-docs_message_text.json");

// ---------------------------------------------------------------------------------------------
// GET handshake
// ---------------------------------------------------------------------------------------------

#[test]
fn handshake_echoes_the_challenge_verbatim() {
    assert_eq!(
        verify_subscription("subscribe", "my-token", "1158201444", "my-token").unwrap(),
        "1158201444"
    );
    let odd = "AbC-_.~!$&'()*+,;=:@/?%7E";
    assert_eq!(
        verify_subscription("subscribe", "t", odd, "t").unwrap(),
        odd
    );
    let longest = "9".repeat(MAX_CHALLENGE_LEN);
    assert_eq!(
        verify_subscription("subscribe", "t", &longest, "t").unwrap(),
        longest
    );
}

#[test]
fn handshake_rejections() {
    use HandshakeError::*;
    let v = verify_subscription;
    assert_eq!(v("unsubscribe", "t", "1", "t"), Err(WrongMode));
    assert_eq!(v("Subscribe", "t", "1", "t"), Err(WrongMode));
    assert_eq!(v("", "t", "1", "t"), Err(WrongMode));
    assert_eq!(v("subscribe ", "t", "1", "t"), Err(WrongMode));
    // Not configured: even an empty token sent by an attacker must not verify.
    assert_eq!(v("subscribe", "", "1", ""), Err(NotConfigured));
    assert_eq!(v("subscribe", "t", "1", ""), Err(NotConfigured));
    assert_eq!(v("subscribe", "x", "1", "t"), Err(TokenMismatch));
    assert_eq!(v("subscribe", "", "1", "t"), Err(TokenMismatch));
    assert_eq!(
        v("subscribe", "my-token ", "1", "my-token"),
        Err(TokenMismatch)
    );
    assert_eq!(
        v("subscribe", "MY-TOKEN", "1", "my-token"),
        Err(TokenMismatch)
    );
    assert_eq!(
        v("subscribe", "my-toke", "1", "my-token"),
        Err(TokenMismatch)
    );
    assert_eq!(v("subscribe", "t", "", "t"), Err(InvalidChallenge));
    assert_eq!(v("subscribe", "t", "12 34", "t"), Err(InvalidChallenge));
    assert_eq!(
        v("subscribe", "t", "<script>\n", "t"),
        Err(InvalidChallenge)
    );
    assert_eq!(v("subscribe", "t", "défi", "t"), Err(InvalidChallenge));
    let too_long = "9".repeat(MAX_CHALLENGE_LEN + 1);
    assert_eq!(v("subscribe", "t", &too_long, "t"), Err(InvalidChallenge));
    // The token is checked before the challenge: a bad token never learns about the challenge rule.
    assert_eq!(v("subscribe", "x", "", "t"), Err(TokenMismatch));
}

#[test]
fn handshake_error_codes() {
    assert_eq!(HandshakeError::WrongMode.code(), 6001);
    assert_eq!(HandshakeError::InvalidChallenge.code(), 6004);
}

// ---------------------------------------------------------------------------------------------
// Signatures: README §7.3
// ---------------------------------------------------------------------------------------------

const V1: &str = "sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914";
const V2: &str = "sha256=7e99d58dc4f4d3d794b0178eeb71850e4efafb93bf9a2a150cf52d2fa0b49242";
const V2_NEG: &str = "sha256=885024452c28091c2aac539605637696d4da15b192675d6fc0430fe695f6eccb";
const V3: &str = "sha256=1c041e1c07f50386213ac582d2e17d24d70f1ed42949a6e5a5607057b805b5fc";

/// What a parse-and-re-serialise bug produces: the same compact JSON with raw UTF-8 instead of
/// Meta's `\uXXXX` escapes (Python `json.dumps(v, ensure_ascii=False, separators=(',', ':'))`).
fn reserialised_with_raw_utf8() -> Vec<u8> {
    let text = std::str::from_utf8(UNICODE_ESCAPED).unwrap();
    text.replace("\\u00e9", "é")
        .replace("\\u00e1", "á")
        .replace("\\ud83d\\ude00", "😀")
        .into_bytes()
}

#[test]
fn vector_v1() {
    assert_eq!(sign(b"test", b"secret"), V1);
    assert_eq!(verify_signature(b"test", Some(V1), b"secret"), Ok(()));
}

#[test]
fn vector_v2_unicode_escaped_raw_bytes() {
    assert_eq!(
        UNICODE_ESCAPED.len(),
        434,
        "fixture bytes changed (line endings?)"
    );
    assert_ne!(UNICODE_ESCAPED.last(), Some(&b'\n'));
    assert!(UNICODE_ESCAPED.windows(12).any(|w| w == b"\\ud83d\\ude00"));
    assert_eq!(sign(UNICODE_ESCAPED, b"test_app_secret"), V2);
    assert_eq!(
        verify_signature(UNICODE_ESCAPED, Some(V2), b"test_app_secret"),
        Ok(())
    );
}

#[test]
fn vector_v2_negative_reserialised_body_does_not_verify() {
    let reserialised = reserialised_with_raw_utf8();
    assert_eq!(sign(&reserialised, b"test_app_secret"), V2_NEG);
    assert_eq!(
        verify_signature(&reserialised, Some(V2), b"test_app_secret"),
        Err(SignatureError::Mismatch)
    );
    // And both bodies mean the same JSON: only the raw bytes differ.
    let a: serde_json::Value = serde_json::from_slice(UNICODE_ESCAPED).unwrap();
    let b: serde_json::Value = serde_json::from_slice(&reserialised).unwrap();
    assert_eq!(a, b);
}

#[test]
fn vector_v3_fixture_with_trailing_newline() {
    assert_eq!(MESSAGE_TEXT.len(), 985);
    assert_eq!(MESSAGE_TEXT.last(), Some(&b'\n'));
    assert_eq!(sign(MESSAGE_TEXT, b"test_app_secret"), V3);
    assert_eq!(
        verify_signature(MESSAGE_TEXT, Some(V3), b"test_app_secret"),
        Ok(())
    );
    // Without the final LF it is another message.
    assert_eq!(
        verify_signature(
            &MESSAGE_TEXT[..MESSAGE_TEXT.len() - 1],
            Some(V3),
            b"test_app_secret"
        ),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn signature_header_forms() {
    let ok = |h: &str| verify_signature(b"test", Some(h), b"secret");
    let hex = &V1["sha256=".len()..];
    assert_eq!(ok(V1), Ok(()));
    // Documented leniency: hex case, label case, surrounding whitespace.
    assert_eq!(ok(&format!("sha256={}", hex.to_uppercase())), Ok(()));
    assert_eq!(ok(&format!("SHA256={hex}")), Ok(()));
    assert_eq!(ok(&format!("  {V1}\t")), Ok(()));
    // Everything else is malformed.
    use SignatureError::MalformedHeader;
    for bad in [
        hex.to_owned(),
        format!("sha1={hex}"),
        format!("sha256:{hex}"),
        format!("sha256= {hex}"),
        format!("sha256={}", &hex[..63]),
        format!("sha256={hex}0"),
        format!("sha256={}g", &hex[..63]),
        format!("sha256={hex},sha256={hex}"),
        "sha256=".to_owned(),
        "sha256=é".to_owned(),
        format!("sha256={}é", &hex[..62]),
    ] {
        assert_eq!(ok(&bad), Err(MalformedHeader), "{bad:?}");
    }
}

#[test]
fn signature_missing_and_mismatch() {
    use SignatureError::*;
    assert_eq!(
        verify_signature(b"test", None, b"secret"),
        Err(MissingHeader)
    );
    assert_eq!(
        verify_signature(b"test", Some(""), b"secret"),
        Err(MissingHeader)
    );
    assert_eq!(
        verify_signature(b"test", Some("  "), b"secret"),
        Err(MissingHeader)
    );
    // No secret wins over everything else, even a body "signed" with the empty key.
    let empty_key_sig = sign(b"test", b"");
    assert_eq!(
        verify_signature(b"test", Some(&empty_key_sig), b""),
        Err(NoSecret)
    );
    assert_eq!(verify_signature(b"test", None, b""), Err(NoSecret));
    // Wrong secret, wrong body, flipped digit.
    assert_eq!(
        verify_signature(b"test", Some(V1), b"Secret"),
        Err(Mismatch)
    );
    assert_eq!(
        verify_signature(b"test ", Some(V1), b"secret"),
        Err(Mismatch)
    );
    let mut flipped = V1.to_owned();
    flipped.replace_range(V1.len() - 1.., "5");
    assert_eq!(
        verify_signature(b"test", Some(&flipped), b"secret"),
        Err(Mismatch)
    );
    // Error codes.
    assert_eq!(NoSecret.code(), 6101);
    assert_eq!(Mismatch.code(), 6104);
}

#[test]
fn sign_is_lowercase_and_round_trips() {
    let h = sign(b"{\"a\":1}", b"k");
    assert!(h.starts_with("sha256="));
    assert_eq!(h.len(), 7 + 64);
    assert!(h[7..]
        .bytes()
        .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
    assert_eq!(verify_signature(b"{\"a\":1}", Some(&h), b"k"), Ok(()));
    assert_eq!(webhook::SIGNATURE_HEADER, "X-Hub-Signature-256");
}

// ---------------------------------------------------------------------------------------------
// Opt-out
// ---------------------------------------------------------------------------------------------

fn message(kind: MessageKind) -> InboundMessage {
    InboundMessage {
        origin: Origin::default(),
        id: "wamid.X".to_owned(),
        from: Some("16505551234".to_owned()),
        user_id: None,
        profile_name: None,
        timestamp: 1,
        context_id: None,
        kind,
        errors: vec![],
    }
}

fn text(body: &str) -> InboundMessage {
    message(MessageKind::Text {
        body: body.to_owned(),
    })
}

#[test]
fn opt_out_keywords_in_five_languages() {
    for body in [
        "STOP",
        "stop",
        " Stop! ",
        "STOP.",
        "stop 🛑",
        "¡STOP!",
        "Stop all",
        "STOPALL",
        "Unsubscribe",
        "opt-out",
        "Opt out",
        "cancel",
        "Stop promotions",
        "PARAR",
        "Baja",
        "dar de baja",
        "Darme de baja.",
        "Cancelar",
        "Sair",
        "descadastrar",
        "Descadastrar-me",
        "arrêt",
        "ARRET",
        "Arrêter",
        "désabonner",
        "Me désabonner",
        "Désinscription",
        "STOPP",
        "abmelden",
        "Abbestellen",
        "Aufhören",
        "aufhoeren",
        "Arre\u{0302}t",
    ] {
        assert!(is_opt_out(&text(body)), "{body:?} should opt out");
        assert!(is_opt_out_text(body), "{body:?}");
    }
}

#[test]
fn not_opt_outs() {
    for body in [
        "don't stop",
        "stop by tomorrow",
        "STOP sending me the wrong size",
        "Please stop",
        "stopped",
        "unstoppable",
        "bus stop",
        "stop?!? no wait, I want the coupon",
        "Does it come in another color?",
        "no",
        "para",
        "S T O P",
        "",
        "   ",
        "!!!",
        "STOP STOP",
    ] {
        assert!(!is_opt_out(&text(body)), "{body:?} must not opt out");
    }
}

#[test]
fn opt_out_quick_reply_buttons() {
    let qr = |payload: &str, label: &str| {
        message(MessageKind::QuickReply {
            payload: payload.to_owned(),
            text: label.to_owned(),
        })
    };
    assert!(is_opt_out(&qr("STOP", "Stop")));
    assert!(is_opt_out(&qr("cartpinger_stop", "No thanks")));
    assert!(is_opt_out(&qr("CARTPINGER_OPT_OUT", "Nein danke")));
    assert!(is_opt_out(&qr("btn_2", "Stop promotions")));
    assert!(is_opt_out(&qr("Unsubscribe", "Unsubscribe")));
    assert!(!is_opt_out(&qr("callback_data", "title")));
    assert!(!is_opt_out(&qr("cartpinger_view_cart", "View cart")));
    assert!(!is_opt_out(&qr("", "")));
}

#[test]
fn interactive_replies_only_by_our_ids() {
    let button = |id: &str, title: &str| {
        message(MessageKind::ButtonReply {
            id: id.to_owned(),
            title: title.to_owned(),
        })
    };
    // Meta's own example: a "Cancel" button of an interactive menu is not an opt-out.
    assert!(!is_opt_out(&button("cancel-button", "Cancel")));
    assert!(!is_opt_out(&button("x", "STOP")));
    assert!(is_opt_out(&button("cartpinger_stop", "Whatever")));
    let list = message(MessageKind::ListReply {
        id: "cartpinger_unsubscribe".to_owned(),
        title: "t".to_owned(),
        description: None,
    });
    assert!(is_opt_out(&list));
    assert!(!is_opt_out(&message(MessageKind::Other {
        message_type: "image".to_owned()
    })));
}

// ---------------------------------------------------------------------------------------------
// Status application
// ---------------------------------------------------------------------------------------------

fn status(status: Status, timestamp: u64) -> StatusEvent {
    StatusEvent {
        origin: Origin::default(),
        wamid: "wamid.X".to_owned(),
        status,
        timestamp,
        recipient_id: None,
        recipient_user_id: None,
        biz_opaque_callback_data: None,
        errors: vec![],
        pricing: None,
        conversation: None,
    }
}

#[test]
fn forward_transitions() {
    let t = apply(DeliveryState::None, &status(Status::Sent, 10));
    assert_eq!(t.new_state, DeliveryState::Sent);
    assert!(t.changed);
    assert_eq!(
        t.timestamps,
        StatusTimestamps {
            sent_at: Some(10),
            ..Default::default()
        }
    );
    let t = apply(DeliveryState::Sent, &status(Status::Delivered, 20));
    assert_eq!((t.new_state, t.changed), (DeliveryState::Delivered, true));
    assert_eq!(t.timestamps.delivered_at, Some(20));
    let t = apply(DeliveryState::Delivered, &status(Status::Read, 30));
    assert_eq!((t.new_state, t.changed), (DeliveryState::Read, true));
    assert_eq!(
        t.timestamps,
        StatusTimestamps {
            sent_at: Some(30),
            delivered_at: Some(30),
            read_at: Some(30),
            failed_at: None
        }
    );
}

#[test]
fn never_downgrades_and_duplicates_are_no_ops() {
    let t = apply(DeliveryState::Read, &status(Status::Delivered, 20));
    assert_eq!((t.new_state, t.changed), (DeliveryState::Read, false));
    // The late delivered still provides its (earlier) timestamp for the min rule.
    assert_eq!(t.timestamps.delivered_at, Some(20));
    let t = apply(DeliveryState::Read, &status(Status::Sent, 10));
    assert_eq!((t.new_state, t.changed), (DeliveryState::Read, false));
    for s in [
        Status::Sent,
        Status::Delivered,
        Status::Read,
        Status::Failed,
    ] {
        let first = apply(DeliveryState::None, &status(s.clone(), 5));
        let again = apply(first.new_state, &status(s, 5));
        assert!(!again.changed);
        assert_eq!(again.new_state, first.new_state);
    }
}

#[test]
fn failed_is_terminal_and_wins_in_any_order() {
    let t = apply(DeliveryState::Sent, &status(Status::Failed, 40));
    assert_eq!((t.new_state, t.changed), (DeliveryState::Failed, true));
    assert_eq!(
        t.timestamps,
        StatusTimestamps {
            failed_at: Some(40),
            ..Default::default()
        }
    );
    // A read after failed does not resurrect the message, but read_at is still provided.
    let t = apply(DeliveryState::Failed, &status(Status::Read, 50));
    assert_eq!((t.new_state, t.changed), (DeliveryState::Failed, false));
    assert_eq!(t.timestamps.read_at, Some(50));
    // A failed after read ends in Failed too (the only order-independent choice).
    let t = apply(DeliveryState::Read, &status(Status::Failed, 60));
    assert_eq!((t.new_state, t.changed), (DeliveryState::Failed, true));
    assert!(DeliveryState::Failed.is_terminal());
    assert!(!DeliveryState::Read.is_terminal());
}

#[test]
fn unknown_statuses_change_nothing() {
    for current in [
        DeliveryState::None,
        DeliveryState::Sent,
        DeliveryState::Read,
        DeliveryState::Failed,
    ] {
        let t = apply_status(current, &Status::Unknown("played".to_owned()), 99);
        assert_eq!(t.new_state, current);
        assert!(!t.changed);
        assert!(t.timestamps.is_empty());
    }
}

#[test]
fn state_names_round_trip() {
    for s in [
        DeliveryState::None,
        DeliveryState::Sent,
        DeliveryState::Delivered,
        DeliveryState::Read,
        DeliveryState::Failed,
    ] {
        assert_eq!(DeliveryState::from_name(s.as_str()), s);
    }
    assert_eq!(DeliveryState::from_name("pending"), DeliveryState::None);
    assert_eq!(DeliveryState::from_name("READ"), DeliveryState::None);
    assert_eq!(
        Status::from_meta("played"),
        Status::Unknown("played".to_owned())
    );
    assert_eq!(Status::from_meta("played").as_str(), "played");
    assert_eq!(
        Status::from_meta("Read"),
        Status::Unknown("Read".to_owned())
    );
    assert_eq!(Status::Read.as_str(), "read");
}
