//! Property tests of the webhook module: the parser and the signature check never panic (fuzzing
//! with arbitrary bytes, arbitrary JSON and structurally mutated fixtures), and status
//! application converges to the same state in any order.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use cartpinger_core::webhook::{
    apply_status, is_opt_out_text, parse, sign, verify_signature, verify_subscription,
    DeliveryState, SignatureError, Status, StatusTimestamps, WebhookBatch,
};
use proptest::prelude::*;
use serde_json::{Map, Value};

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../../../tests/fixtures/meta/webhooks/", $name)) as &[u8]
    };
}

const FIXTURES: &[&[u8]] = &[
    fixture!("meta-docs_errors_value_130429.json"),
    fixture!("meta-docs_message_interactive_button_reply.json"),
    fixture!("meta-docs_message_interactive_list_reply.json"),
    fixture!("meta-docs_message_text.json"),
    fixture!("meta-docs_status_failed_131049.json"),
    fixture!("meta-docs_status_sent_marketing.json"),
    fixture!("meta-docs_status_v24_no_conversation.json"),
    fixture!("meta-openapi_message_button_quick_reply.json"),
    fixture!("netflie_one_entry_two_changes.json"),
    fixture!("pywa_message_template_quick_reply.json"),
    fixture!("pywa_status_delivered_cbp_bsuid.json"),
    fixture!("pywa_status_failed_130472.json"),
    fixture!("pywa_status_read_cbp_bsuid.json"),
    fixture!("synthetic_batched_out_of_order.json"),
    fixture!("synthetic_signature_unicode_escaped.json"),
    fixture!("synthetic_bsuid_withheld_and_unknowns.json"),
    fixture!("synthetic_malformed_items.json"),
];

/// Words that steer generated JSON into the parser's interesting branches.
const WORDS: &[&str] = &[
    "object",
    "entry",
    "changes",
    "field",
    "value",
    "metadata",
    "phone_number_id",
    "statuses",
    "messages",
    "errors",
    "contacts",
    "id",
    "status",
    "timestamp",
    "recipient_id",
    "from",
    "type",
    "text",
    "body",
    "button",
    "payload",
    "interactive",
    "button_reply",
    "list_reply",
    "title",
    "code",
    "error_data",
    "details",
    "pricing",
    "conversation",
    "origin",
    "wa_id",
    "user_id",
    "from_user_id",
    "context",
    "sent",
    "delivered",
    "read",
    "failed",
    "whatsapp_business_account",
    "1750030073",
    "",
    "STOP",
    "-1",
    "18446744073709551616",
];

fn arb_string() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(WORDS).prop_map(str::to_owned),
        1 => ".{0,12}",
    ]
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        arb_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((arb_string(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// What to do at the node a path leads to.
#[derive(Debug, Clone)]
enum Mutation {
    Replace(Value),
    Remove,
    Insert(String, Value),
}

fn arb_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => arb_json().prop_map(Mutation::Replace),
        1 => Just(Mutation::Remove),
        1 => (arb_string(), arb_json()).prop_map(|(k, v)| Mutation::Insert(k, v)),
    ]
}

/// Walks `path` (each step picks a child by index modulo the number of children) and applies
/// the mutation at the node where the path ends or no child exists.
fn mutate(node: &mut Value, path: &[usize], mutation: Mutation) {
    let Some((&step, rest)) = path.split_first() else {
        return apply_here(node, mutation);
    };
    match node {
        Value::Object(map) if !map.is_empty() => {
            let key = map.keys().nth(step % map.len()).unwrap().clone();
            if rest.is_empty() {
                if let Mutation::Remove = mutation {
                    map.remove(&key);
                    return;
                }
            }
            mutate(map.get_mut(&key).unwrap(), rest, mutation);
        }
        Value::Array(items) if !items.is_empty() => {
            let i = step % items.len();
            if rest.is_empty() {
                if let Mutation::Remove = mutation {
                    items.remove(i);
                    return;
                }
            }
            mutate(&mut items[i], rest, mutation);
        }
        _ => apply_here(node, mutation),
    }
}

fn apply_here(node: &mut Value, mutation: Mutation) {
    match mutation {
        Mutation::Replace(v) => *node = v,
        Mutation::Remove => *node = Value::Null,
        Mutation::Insert(k, v) => match node {
            Value::Object(map) => {
                map.insert(k, v);
            }
            Value::Array(items) => items.push(v),
            other => *other = v,
        },
    }
}

/// The parser's own invariants on any successful result.
fn check(batch: &WebhookBatch) {
    for s in batch.statuses() {
        assert!(!s.wamid.is_empty());
    }
    for m in batch.messages() {
        assert!(!m.id.is_empty());
    }
    if batch.is_ignored() {
        assert!(batch.events().is_empty() && batch.skipped().is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics_on_bytes(body in prop::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(batch) = parse(&body) {
            check(&batch);
        }
    }

    #[test]
    fn parse_never_panics_on_corrupted_fixtures(
        which in 0..FIXTURES.len(),
        cut in any::<prop::sample::Index>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
    ) {
        let mut body = FIXTURES[which].to_vec();
        for (at, byte) in flips {
            let i = at.index(body.len());
            body[i] = byte;
        }
        body.truncate(cut.index(body.len() + 1));
        if let Ok(batch) = parse(&body) {
            check(&batch);
        }
    }

    #[test]
    fn parse_never_panics_on_arbitrary_json(value in arb_json()) {
        let body = serde_json::to_vec(&value).unwrap();
        if let Ok(batch) = parse(&body) {
            check(&batch);
        }
    }

    #[test]
    fn parse_never_panics_on_arbitrary_entries(entries in prop::collection::vec(arb_json(), 0..4)) {
        let value = serde_json::json!({ "object": "whatsapp_business_account", "entry": entries });
        let batch = parse(&serde_json::to_vec(&value).unwrap()).unwrap();
        check(&batch);
    }

    #[test]
    fn parse_never_panics_on_mutated_fixtures(
        which in 0..FIXTURES.len(),
        mutations in prop::collection::vec(
            (prop::collection::vec(any::<usize>(), 0..10), arb_mutation()),
            1..4,
        ),
    ) {
        let mut value: Value = serde_json::from_slice(FIXTURES[which]).unwrap();
        for (path, mutation) in mutations {
            mutate(&mut value, &path, mutation);
        }
        let body = serde_json::to_vec(&value).unwrap();
        if let Ok(batch) = parse(&body) {
            check(&batch);
        }
    }

    #[test]
    fn verify_signature_never_panics(
        body in prop::collection::vec(any::<u8>(), 0..256),
        header in prop::option::of(prop_oneof![
            ".{0,80}",
            "(sha256|SHA256|sha1)=[0-9a-fA-FgG ]{0,70}",
        ]),
        secret in prop::collection::vec(any::<u8>(), 0..100),
    ) {
        let result = verify_signature(&body, header.as_deref(), &secret);
        if secret.is_empty() {
            prop_assert_eq!(result, Err(SignatureError::NoSecret));
        }
    }

    #[test]
    fn sign_then_verify_round_trips(
        body in prop::collection::vec(any::<u8>(), 0..512),
        secret in prop::collection::vec(any::<u8>(), 1..200),
        other in prop::collection::vec(any::<u8>(), 1..200),
    ) {
        let header = sign(&body, &secret);
        prop_assert_eq!(verify_signature(&body, Some(&header), &secret), Ok(()));
        prop_assert_eq!(
            verify_signature(&body, Some(&header.to_uppercase()), &secret),
            Ok(())
        );
        if other != secret {
            prop_assert_eq!(
                verify_signature(&body, Some(&header), &other),
                Err(SignatureError::Mismatch)
            );
        }
    }

    #[test]
    fn verify_subscription_never_panics(
        mode in ".{0,12}",
        token in ".{0,20}",
        challenge in ".{0,300}",
        expected in ".{0,20}",
    ) {
        let result = verify_subscription(&mode, &token, &challenge, &expected);
        let ok = mode == "subscribe"
            && !expected.is_empty()
            && token == expected
            && !challenge.is_empty()
            && challenge.len() <= 256
            && challenge.bytes().all(|b| (0x21..=0x7e).contains(&b));
        prop_assert_eq!(result.is_ok(), ok);
        if let Ok(echo) = result {
            prop_assert_eq!(echo, challenge);
        }
    }

    #[test]
    fn opt_out_never_panics_and_never_matches_inside_a_sentence(
        text in ".{0,300}",
        prefix in "[a-z]{1,8}",
    ) {
        let _ = is_opt_out_text(&text);
        let before = format!("{prefix}x stop");
        let after = format!("stop {prefix}x");
        prop_assert!(!is_opt_out_text(&before));
        prop_assert!(!is_opt_out_text(&after));
    }

    #[test]
    fn opt_out_ignores_surrounding_punctuation(
        before in r"[ \t\n!¡?¿.,;:*()🛑🙏-]{0,5}",
        after in r"[ \t\n!¡?¿.,;:*()🛑🙏-]{0,5}",
        word in prop::sample::select(vec!["stop", "Stop", "STOP", "baja", "Arrêt", "abmelden", "sair"]),
    ) {
        let text = format!("{before}{word}{after}");
        prop_assert!(is_opt_out_text(&text), "{:?}", text);
    }
}

// ---------------------------------------------------------------------------------------------
// Convergence of status application
// ---------------------------------------------------------------------------------------------

fn arb_status() -> impl Strategy<Value = Status> {
    prop_oneof![
        Just(Status::Sent),
        Just(Status::Delivered),
        Just(Status::Read),
        Just(Status::Failed),
        Just(Status::Unknown("played".to_owned())),
        "[a-z]{0,8}".prop_map(|s| Status::from_meta(&s)),
    ]
}

/// Folds events from `start` and returns the final state and merged timestamps.
fn fold(start: DeliveryState, events: &[(Status, u64)]) -> (DeliveryState, StatusTimestamps) {
    events.iter().fold(
        (start, StatusTimestamps::default()),
        |(state, stamps), (s, ts)| {
            let t = apply_status(state, s, *ts);
            assert_eq!(t.changed, t.new_state != state);
            assert!(t.new_state >= state, "never downgrades");
            (t.new_state, stamps.merge(t.timestamps))
        },
    )
}

/// A list of status events (with some duplicated) and a shuffle of it.
type EventsAndShuffle = (Vec<(Status, u64)>, Vec<(Status, u64)>);

fn arb_events_and_shuffle() -> impl Strategy<Value = EventsAndShuffle> {
    prop::collection::vec((arb_status(), 0_u64..2_000_000_000), 0..10).prop_flat_map(|events| {
        // Duplicate some events (Meta redelivers), then shuffle the whole thing.
        let with_dups =
            prop::collection::vec(any::<prop::sample::Index>(), 0..4).prop_map(move |picks| {
                let mut all = events.clone();
                if !events.is_empty() {
                    for p in picks {
                        all.push(events[p.index(events.len())].clone());
                    }
                }
                all
            });
        with_dups.prop_flat_map(|all| (Just(all.clone()), Just(all).prop_shuffle()))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn any_order_and_duplicates_converge((events, shuffled) in arb_events_and_shuffle()) {
        let dedup: Vec<(Status, u64)> = {
            let mut seen = Vec::new();
            for e in &events {
                if !seen.contains(e) {
                    seen.push(e.clone());
                }
            }
            seen
        };
        let a = fold(DeliveryState::None, &events);
        prop_assert_eq!(a, fold(DeliveryState::None, &shuffled));
        prop_assert_eq!(a, fold(DeliveryState::None, &dedup));
        // The final state is the join: the highest known status seen.
        let expected = events
            .iter()
            .filter_map(|(s, _)| DeliveryState::of(s))
            .max()
            .unwrap_or(DeliveryState::None);
        prop_assert_eq!(a.0, expected);
    }

    #[test]
    fn apply_is_idempotent(status in arb_status(), ts in any::<u64>(), start in 0_usize..5) {
        let states = [
            DeliveryState::None,
            DeliveryState::Sent,
            DeliveryState::Delivered,
            DeliveryState::Read,
            DeliveryState::Failed,
        ];
        let first = apply_status(states[start], &status, ts);
        let second = apply_status(first.new_state, &status, ts);
        prop_assert!(!second.changed);
        prop_assert_eq!(second.new_state, first.new_state);
        prop_assert_eq!(second.timestamps, first.timestamps);
    }
}

/// Heap's algorithm: every permutation of `items`.
fn permutations<T: Clone>(items: &[T]) -> Vec<Vec<T>> {
    fn go<T: Clone>(k: usize, a: &mut Vec<T>, out: &mut Vec<Vec<T>>) {
        if k <= 1 {
            out.push(a.clone());
            return;
        }
        for i in 0..k {
            go(k - 1, a, out);
            if k.is_multiple_of(2) {
                a.swap(i, k - 1);
            } else {
                a.swap(0, k - 1);
            }
        }
    }
    let mut a = items.to_vec();
    let mut out = Vec::new();
    go(a.len(), &mut a, &mut out);
    out
}

#[test]
fn every_permutation_of_the_out_of_order_fixture_converges() {
    let batch = parse(fixture!("synthetic_batched_out_of_order.json")).unwrap();
    let wamid = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=";
    let events: Vec<(Status, u64)> = batch
        .statuses()
        .filter(|s| s.wamid == wamid)
        .map(|s| (s.status.clone(), s.timestamp))
        .collect();
    assert_eq!(events.len(), 3);
    let perms = permutations(&events);
    assert_eq!(perms.len(), 6);
    for p in perms {
        let (state, stamps) = fold(DeliveryState::None, &p);
        assert_eq!(state, DeliveryState::Read);
        assert_eq!(stamps.delivered_at, Some(1_750_030_100));
        assert_eq!(stamps.read_at, Some(1_750_030_200));
        assert_eq!(stamps.failed_at, None);
    }
}

#[test]
fn every_permutation_of_all_statuses_converges() {
    let events = vec![
        (Status::Sent, 10),
        (Status::Delivered, 20),
        (Status::Read, 30),
        (Status::Failed, 40),
        (Status::Unknown("played".to_owned()), 50),
        (Status::Read, 30),
    ];
    let perms = permutations(&events);
    assert_eq!(perms.len(), 720);
    let expected = (
        DeliveryState::Failed,
        StatusTimestamps {
            sent_at: Some(10),
            delivered_at: Some(20),
            read_at: Some(30),
            failed_at: Some(40),
        },
    );
    for p in &perms {
        assert_eq!(fold(DeliveryState::None, p), expected);
    }
    // Without the failure every order ends in Read.
    let without_failed: Vec<_> = events
        .iter()
        .filter(|(s, _)| *s != Status::Failed)
        .cloned()
        .collect();
    for p in permutations(&without_failed) {
        assert_eq!(fold(DeliveryState::None, &p).0, DeliveryState::Read);
    }
}
