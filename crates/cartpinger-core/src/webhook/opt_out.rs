//! Opt-out detection on inbound messages ("STOP" and its equivalents).
//!
//! ## The rule
//!
//! A message is an opt-out when its **whole** text, after normalisation, is one of
//! [`OPT_OUT_KEYWORDS`]. Never a substring or word search: "don't stop", "stop by tomorrow",
//! "STOP sending me the wrong size" are *not* opt-outs (a human reads them in the inbox).
//!
//! Normalisation ([`normalize`]): lowercase; accents folded to ASCII (`é`→`e`, `ê`→`e`, `ç`→`c`,
//! `ñ`→`n`, `ö`→`o`, `ß`→`ss`, `œ`→`oe`, …; combining marks dropped, so decomposed input folds
//! the same way); every character that is not a letter or digit (punctuation, symbols, emoji,
//! `_`, `-`) becomes a space; runs of whitespace collapse to one space; trimmed; uppercased.
//! So `"  Stop!! "`, `"stop."`, `"STOP 🛑"`, `"Arrêt"`, `"opt-out"`, `"Dar de baja"` match, and
//! so does the decomposed `"Arre\u{0302}t"`.
//!
//! Which messages are checked:
//! * [`MessageKind::Text`]: the body against [`OPT_OUT_KEYWORDS`];
//! * [`MessageKind::QuickReply`] (a template button): the payload **or** the label against
//!   [`OPT_OUT_KEYWORDS`] and [`OPT_OUT_PAYLOADS`] (a "Stop promotions" / "Unsubscribe" button,
//!   or our own payload `cartpinger_stop`);
//! * [`MessageKind::ButtonReply`] / [`MessageKind::ListReply`] (interactive messages, which
//!   CartPinger does not send): only an id in [`OPT_OUT_PAYLOADS`]. Their titles are labels of
//!   someone else's menu ("Cancel" in Meta's own example cancels an interaction, not a
//!   subscription);
//! * everything else: never.
//!
//! ## The keyword list
//!
//! Chosen to be the words people send *alone* to stop messages, in the shop languages we ship
//! (EN, ES, PT, FR, DE), including the carrier-standard English set (STOP, STOPALL,
//! UNSUBSCRIBE, CANCEL, END, QUIT). `CANCEL` / `CANCELAR` / `ANNULER` are included on purpose:
//! a false opt-out costs one marketing recipient, a missed one costs a complaint, a spam report
//! and quality rating (131048). Ambiguous single words (`NO`, `PARA`, `ALTO`, `FIN`, `ENDE`,
//! `BASTA`) are left out.

use super::event::{InboundMessage, MessageKind};

/// Normalised opt-out keywords (see the module documentation for the rule).
pub const OPT_OUT_KEYWORDS: &[&str] = &[
    // English
    "STOP",
    "STOP ALL",
    "STOPALL",
    "STOP PROMOTIONS",
    "UNSUBSCRIBE",
    "UNSUB",
    "OPT OUT",
    "OPTOUT",
    "CANCEL",
    "END",
    "QUIT",
    // Spanish
    "PARAR",
    "BAJA",
    "DAR DE BAJA",
    "DARME DE BAJA",
    "CANCELAR",
    "DETENER",
    "DESUSCRIBIR",
    "DESUSCRIBIRME",
    // Portuguese (PARAR and CANCELAR above)
    "PARE",
    "SAIR",
    "DESCADASTRAR",
    "DESCADASTRAR ME",
    "DESCADASTRE",
    "DESINSCREVER",
    // French (STOP above)
    "ARRET",
    "ARRETER",
    "DESABONNER",
    "ME DESABONNER",
    "DESABONNEMENT",
    "DESINSCRIRE",
    "ME DESINSCRIRE",
    "DESINSCRIPTION",
    "ANNULER",
    // German (STOP above)
    "STOPP",
    "ABMELDEN",
    "ABMELDUNG",
    "ABBESTELLEN",
    "AUFHOREN",
    "AUFHOEREN",
];

/// Normalised button payloads / ids that always mean opt-out (`cartpinger_stop` …): set one of
/// them as the quick-reply payload of a template's stop button.
pub const OPT_OUT_PAYLOADS: &[&str] = &[
    "CARTPINGER STOP",
    "CARTPINGER OPT OUT",
    "CARTPINGER OPTOUT",
    "CARTPINGER UNSUBSCRIBE",
];

/// Texts longer than this (in characters) are never opt-outs; no keyword comes close.
const MAX_CANDIDATE_CHARS: usize = 64;

/// Folds one lowercase character to ASCII, if it is an accented Latin letter we know.
const fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
        'æ' => "ae",
        'ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'ē' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
        'ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => "o",
        'œ' => "oe",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => "u",
        'ý' | 'ÿ' => "y",
        'ß' => "ss",
        _ => return None,
    })
}

/// The normalised form used for keyword matching (see the module documentation), or `None`
/// when the text is longer than any keyword could be.
#[must_use]
pub fn normalize(text: &str) -> Option<String> {
    if text.chars().count() > MAX_CANDIDATE_CHARS * 4 {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if ('\u{0300}'..='\u{036f}').contains(&c) {
            continue; // combining diacritical mark: part of the previous letter
        }
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            match fold(c) {
                Some(ascii) => out.push_str(ascii),
                None => out.extend(c.to_uppercase()),
            }
        } else {
            pending_space = true;
        }
    }
    out.make_ascii_uppercase();
    if out.chars().count() > MAX_CANDIDATE_CHARS {
        return None;
    }
    Some(out)
}

fn matches(text: &str, list: &[&str]) -> bool {
    normalize(text).is_some_and(|n| !n.is_empty() && list.contains(&n.as_str()))
}

/// Whether a free text (a message body, or a label typed by a human) is an opt-out keyword.
#[must_use]
pub fn is_opt_out_text(text: &str) -> bool {
    matches(text, OPT_OUT_KEYWORDS)
}

fn is_stop_button(value: &str) -> bool {
    matches(value, OPT_OUT_KEYWORDS) || matches(value, OPT_OUT_PAYLOADS)
}

/// Whether an inbound message asks us to stop messaging the user (see the module
/// documentation for exactly which messages count).
#[must_use]
pub fn is_opt_out(message: &InboundMessage) -> bool {
    match &message.kind {
        MessageKind::Text { body } => is_opt_out_text(body),
        MessageKind::QuickReply { payload, text } => {
            is_stop_button(payload) || is_stop_button(text)
        }
        MessageKind::ButtonReply { id, .. } | MessageKind::ListReply { id, .. } => {
            matches(id, OPT_OUT_PAYLOADS)
        }
        MessageKind::Other { .. } => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_keyword_is_already_normalised() {
        for k in OPT_OUT_KEYWORDS.iter().chain(OPT_OUT_PAYLOADS) {
            assert_eq!(normalize(k).as_deref(), Some(*k), "{k}");
        }
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalize("  ¡Arrêt! ").as_deref(), Some("ARRET"));
        assert_eq!(normalize("Arre\u{302}t").as_deref(), Some("ARRET"));
        assert_eq!(
            normalize("cartpinger_stop").as_deref(),
            Some("CARTPINGER STOP")
        );
        assert_eq!(normalize("Aufhören").as_deref(), Some("AUFHOREN"));
        assert_eq!(normalize("...").as_deref(), Some(""));
        assert_eq!(normalize(&"x".repeat(65)), None);
    }
}
