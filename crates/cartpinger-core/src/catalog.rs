//! The template catalog: the **one** source of truth for every WhatsApp template CartPinger
//! sends: name, category, ordered parameters, buttons, when it is sent, and the text in every
//! language we ship (EN, ES, PT-BR, FR, DE).
//!
//! The sender never builds components by hand: it calls [`components_for`] (or [`message`])
//! with the parameters in the catalog's order, and the template submission builds its body with
//! [`create_request_body`] from the same entry. So the number of parameters we send and the
//! number of variables in the template we submit can never disagree (Meta error 132000).
//!
//! Parameters are *logical*: one parameter may fill several slots (the 24 h coupon appears in
//! the body **and** in the copy-code button). Names and order come from the original plugin
//! (`shared/spec/behaviours.md` lines 12–25), with one deliberate change: the recovery link is
//! no longer a body variable but the dynamic suffix of a URL button (`…?cartpinger_recover=`
//! followed by the token), which Meta renders as a tappable button and which keeps raw URLs out of marketing
//! text. The logical parameter is therefore the 64-hex recovery token, not the whole URL.
//!
//! Language codes are Meta's (`en`, `es`, `pt_BR`, `fr`, `de`); WordPress locales are mapped by
//! [`select_language`] (behaviours line 19, restricted to languages the catalog has).

use crate::graph::{self, Component, TemplateMessage};

/// Meta template category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    /// Promotional: cart recovery (always billable; copy-code buttons belong here).
    Marketing,
    /// Transactional: order notifications.
    Utility,
}

impl Category {
    /// Meta's spelling (`MARKETING`, `UTILITY`).
    #[must_use]
    pub const fn as_meta(self) -> &'static str {
        match self {
            Self::Marketing => "MARKETING",
            Self::Utility => "UTILITY",
        }
    }
}

/// Where a logical parameter goes in the send request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// Body variable `{{n}}` (1-based).
    Body(u8),
    /// Dynamic suffix of the URL button at this 0-based button index.
    UrlButton(u8),
    /// Coupon code of the copy-code button at this 0-based button index.
    CopyCodeButton(u8),
}

/// What kind of value a parameter holds (drives validation in [`components_for`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamKind {
    /// Free text (a name): whitespace is normalised, 1–200 characters.
    Text,
    /// A recovery token: 64 lowercase hex characters (URL suffix).
    Token,
    /// A coupon code: 1–15 characters (Meta's copy-code limit), letters, digits, `-`, `_`.
    Coupon,
}

/// One logical parameter of a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamSpec {
    /// Stable name (`customer_name`, …).
    pub name: &'static str,
    /// What the value is and where it comes from.
    pub description: &'static str,
    /// Example value (used in the submission's `example` blocks).
    pub example: &'static str,
    /// Kind of value.
    pub kind: ParamKind,
    /// Where the value goes.
    pub slots: &'static [Slot],
}

/// A button of a template, in order (its position is its index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ButtonSpec {
    /// URL button whose URL is the site's recovery prefix + `{{1}}`; label per translation.
    RecoveryUrl,
    /// Copy-code button (WhatsApp shows its own "Copy offer code" label).
    CopyCode,
}

/// One language version of a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Translation {
    /// Meta language code (`en`, `pt_BR`, …).
    pub language: &'static str,
    /// Static header text (no variables), ≤ 60 characters.
    pub header: Option<&'static str>,
    /// Body text with `{{1}}`… placeholders, ≤ 1024 characters.
    pub body: &'static str,
    /// Static footer text, ≤ 60 characters.
    pub footer: Option<&'static str>,
    /// Label of the URL button, ≤ 25 characters (when the template has one).
    pub url_button_label: Option<&'static str>,
}

/// One template of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplateSpec {
    /// Template name (the original plugin's, so upgraded sites keep theirs).
    pub name: &'static str,
    /// Category.
    pub category: Category,
    /// When CartPinger sends it.
    pub when: &'static str,
    /// Logical parameters, in the order [`components_for`] expects them.
    pub params: &'static [ParamSpec],
    /// Buttons, in order.
    pub buttons: &'static [ButtonSpec],
    /// Every language version.
    pub translations: &'static [Translation],
}

impl TemplateSpec {
    /// The translation for a Meta language code.
    #[must_use]
    pub fn translation(&self, language: &str) -> Option<&'static Translation> {
        self.translations.iter().find(|t| t.language == language)
    }

    /// Number of distinct body variables the parameters fill.
    #[must_use]
    pub fn body_variable_count(&self) -> usize {
        self.params
            .iter()
            .flat_map(|p| p.slots.iter())
            .filter(|s| matches!(s, Slot::Body(_)))
            .count()
    }

    /// True when a URL button needs the site's recovery URL prefix at submission.
    #[must_use]
    pub fn needs_recovery_url(&self) -> bool {
        self.buttons.contains(&ButtonSpec::RecoveryUrl)
    }
}

/// Every language the catalog ships, in preference order for fallbacks.
pub const LANGUAGES: &[&str] = &["en", "es", "pt_BR", "fr", "de"];

/// The last-resort language (every template has it).
pub const DEFAULT_LANGUAGE: &str = "en";

/// Names of the templates, in sending order.
pub const RECOVERY_FIRST: &str = "abandoned_cart_recovery";
/// +24 h follow-up with a coupon.
pub const RECOVERY_24H_COUPON: &str = "abandoned_cart_recovery_24h";
/// +24 h follow-up without a coupon.
pub const RECOVERY_24H_NO_COUPON: &str = "abandoned_cart_recovery_24h_no_coupon";
/// Final reminder, 48 h after the first message.
pub const RECOVERY_48H: &str = "abandoned_cart_recovery_48h";
/// Order moved to `processing`.
pub const ORDER_CONFIRMED: &str = "order_confirmed";
/// Order moved to `completed`.
pub const ORDER_COMPLETED: &str = "order_completed";
/// Order moved to `cancelled`.
pub const ORDER_CANCELLED: &str = "order_cancelled";

const P_NAME: ParamSpec = ParamSpec {
    name: "customer_name",
    description: "The customer's first name as typed at checkout, or the translated word \"there\" when it is empty.",
    example: "Anna",
    kind: ParamKind::Text,
    slots: &[Slot::Body(1)],
};
const P_TOKEN: ParamSpec = ParamSpec {
    name: "recovery_token",
    description: "The record's 64-hex recovery token; the URL button appends it to the site's recovery link (cart URL + ?cartpinger_recover=).",
    example: "3f2a9c0d4b5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8",
    kind: ParamKind::Token,
    slots: &[Slot::UrlButton(0)],
};
const P_COUPON: ParamSpec = ParamSpec {
    name: "coupon_code",
    description: "The record's one-time coupon code (CP- plus 8 characters), shown in the text and in the copy-code button.",
    example: "CP-7KQ2M9XA",
    kind: ParamKind::Coupon,
    slots: &[Slot::Body(2), Slot::CopyCodeButton(1)],
};
const P_FIRST_NAME: ParamSpec = ParamSpec {
    name: "first_name",
    description: "The billing first name, or the translated word \"there\" when it is empty.",
    example: "Anna",
    kind: ParamKind::Text,
    slots: &[Slot::Body(1)],
};
const P_ORDER_NUMBER: ParamSpec = ParamSpec {
    name: "order_number",
    description: "The order number as WooCommerce shows it (without #).",
    example: "1042",
    kind: ParamKind::Text,
    slots: &[Slot::Body(2)],
};
const P_ORDER_TOTAL: ParamSpec = ParamSpec {
    name: "order_total",
    description:
        "The order total: amount with 2 decimals, a space, the ISO 4217 currency (\"49.90 EUR\").",
    example: "49.90 EUR",
    kind: ParamKind::Text,
    slots: &[Slot::Body(3)],
};

const FOOTER_EN: &str = "Reply STOP to stop these reminders";
const FOOTER_ES: &str = "Responde STOP para no recibir más recordatorios";
const FOOTER_PT: &str = "Responda STOP para não receber mais lembretes";
const FOOTER_FR: &str = "Répondez STOP pour ne plus recevoir de rappels";
const FOOTER_DE: &str = "Antworten Sie STOP für keine weiteren Erinnerungen";

const fn tr(
    language: &'static str,
    header: Option<&'static str>,
    body: &'static str,
    footer: Option<&'static str>,
    url_button_label: Option<&'static str>,
) -> Translation {
    Translation {
        language,
        header,
        body,
        footer,
        url_button_label,
    }
}

/// The catalog.
pub static TEMPLATES: &[TemplateSpec] = &[
    TemplateSpec {
        name: RECOVERY_FIRST,
        category: Category::Marketing,
        when: "First reminder, one scheduler tick after a consented cart has been abandoned for 60 minutes.",
        params: &[P_NAME, P_TOKEN],
        buttons: &[ButtonSpec::RecoveryUrl],
        translations: &[
            tr("en", Some("Your cart is waiting"),
                "Hi {{1}}, you left some items in your cart. We've saved them for you, so you can pick up right where you left off.\n\nTap the button below to complete your order whenever you're ready.",
                Some(FOOTER_EN), Some("Complete my order")),
            tr("es", Some("Tu carrito te espera"),
                "¡Hola, {{1}}! Has dejado algunos productos en tu carrito. Los hemos guardado para que puedas retomar tu compra justo donde la dejaste.\n\nToca el botón de abajo para completar tu pedido cuando quieras.",
                Some(FOOTER_ES), Some("Completar mi pedido")),
            tr("pt_BR", Some("Seu carrinho está esperando"),
                "Olá, {{1}}! Você deixou alguns itens no seu carrinho. Nós os guardamos para você continuar a compra de onde parou.\n\nToque no botão abaixo para finalizar seu pedido quando quiser.",
                Some(FOOTER_PT), Some("Finalizar meu pedido")),
            tr("fr", Some("Votre panier vous attend"),
                "Bonjour {{1}}, vous avez laissé des articles dans votre panier. Nous les avons gardés de côté pour que vous puissiez reprendre votre commande là où vous en étiez.\n\nAppuyez sur le bouton ci-dessous pour la finaliser quand vous le souhaitez.",
                Some(FOOTER_FR), Some("Finaliser ma commande")),
            tr("de", Some("Ihr Warenkorb wartet auf Sie"),
                "Hallo {{1}}, Sie haben noch Artikel in Ihrem Warenkorb. Wir haben sie für Sie gespeichert, damit Sie genau dort weitermachen können, wo Sie aufgehört haben.\n\nTippen Sie auf die Schaltfläche unten, um Ihre Bestellung abzuschließen, wann immer es Ihnen passt.",
                Some(FOOTER_DE), Some("Bestellung abschließen")),
        ],
    },
    TemplateSpec {
        name: RECOVERY_24H_COUPON,
        category: Category::Marketing,
        when: "Follow-up 24 hours after the first reminder when follow-ups and the automatic coupon are on; the coupon is created when this message is queued.",
        params: &[P_NAME, P_COUPON, P_TOKEN],
        buttons: &[ButtonSpec::RecoveryUrl, ButtonSpec::CopyCode],
        translations: &[
            tr("en", Some("A little something for you"),
                "Hi {{1}}, your cart is still saved. To help you decide, here is a discount code just for you: {{2}}\n\nCopy the code with the button below, then return to your cart to finish your order. The code can be used once and expires soon.",
                Some(FOOTER_EN), Some("Return to my cart")),
            tr("es", Some("Un pequeño detalle para ti"),
                "¡Hola, {{1}}! Tu carrito sigue guardado. Para ayudarte a decidir, aquí tienes un código de descuento solo para ti: {{2}}\n\nCopia el código con el botón de abajo y vuelve a tu carrito para terminar tu pedido. El código es de un solo uso y caduca pronto.",
                Some(FOOTER_ES), Some("Volver a mi carrito")),
            tr("pt_BR", Some("Um presentinho para você"),
                "Olá, {{1}}! Seu carrinho continua salvo. Para ajudar você a decidir, aqui está um cupom de desconto exclusivo: {{2}}\n\nCopie o código com o botão abaixo e volte ao seu carrinho para finalizar o pedido. O cupom pode ser usado uma vez e expira em breve.",
                Some(FOOTER_PT), Some("Voltar ao meu carrinho")),
            tr("fr", Some("Un petit cadeau pour vous"),
                "Bonjour {{1}}, votre panier est toujours enregistré. Pour vous aider à vous décider, voici un code de réduction rien que pour vous : {{2}}\n\nCopiez le code avec le bouton ci-dessous, puis revenez à votre panier pour finaliser votre commande. Ce code est utilisable une seule fois et expire bientôt.",
                Some(FOOTER_FR), Some("Revenir à mon panier")),
            tr("de", Some("Eine kleine Überraschung für Sie"),
                "Hallo {{1}}, Ihr Warenkorb ist noch gespeichert. Damit Ihnen die Entscheidung leichter fällt, haben wir einen persönlichen Rabattcode für Sie: {{2}}\n\nKopieren Sie den Code über die Schaltfläche unten und kehren Sie dann zu Ihrem Warenkorb zurück, um Ihre Bestellung abzuschließen. Der Code ist einmal einlösbar und nur kurze Zeit gültig.",
                Some(FOOTER_DE), Some("Zurück zum Warenkorb")),
        ],
    },
    TemplateSpec {
        name: RECOVERY_24H_NO_COUPON,
        category: Category::Marketing,
        when: "Follow-up 24 hours after the first reminder when follow-ups are on and the automatic coupon is off.",
        params: &[P_NAME, P_TOKEN],
        buttons: &[ButtonSpec::RecoveryUrl],
        translations: &[
            tr("en", Some("Still thinking it over?"),
                "Hi {{1}}, just a friendly reminder that the items in your cart are still waiting for you. Popular items can sell out, so don't wait too long.\n\nTap the button below to pick up where you left off.",
                Some(FOOTER_EN), Some("Return to my cart")),
            tr("es", Some("¿Todavía lo estás pensando?"),
                "¡Hola, {{1}}! Te recordamos que los productos de tu carrito siguen esperándote. Los artículos más populares pueden agotarse, así que no esperes demasiado.\n\nToca el botón de abajo para retomar tu compra donde la dejaste.",
                Some(FOOTER_ES), Some("Volver a mi carrito")),
            tr("pt_BR", Some("Ainda está pensando?"),
                "Olá, {{1}}! Só passando para lembrar que os itens do seu carrinho ainda estão esperando por você. Os produtos mais procurados podem esgotar, então não deixe para depois.\n\nToque no botão abaixo para continuar de onde parou.",
                Some(FOOTER_PT), Some("Voltar ao meu carrinho")),
            tr("fr", Some("Vous hésitez encore ?"),
                "Bonjour {{1}}, petit rappel : les articles de votre panier vous attendent toujours. Les produits les plus demandés peuvent vite être épuisés, alors n'attendez pas trop longtemps.\n\nAppuyez sur le bouton ci-dessous pour reprendre là où vous en étiez.",
                Some(FOOTER_FR), Some("Revenir à mon panier")),
            tr("de", Some("Noch unentschlossen?"),
                "Hallo {{1}}, eine kurze Erinnerung: Die Artikel in Ihrem Warenkorb warten noch auf Sie. Beliebte Produkte können schnell ausverkauft sein, also warten Sie nicht zu lange.\n\nTippen Sie auf die Schaltfläche unten, um dort weiterzumachen, wo Sie aufgehört haben.",
                Some(FOOTER_DE), Some("Zurück zum Warenkorb")),
        ],
    },
    TemplateSpec {
        name: RECOVERY_48H,
        category: Category::Marketing,
        when: "Final reminder 48 hours after the first message (not after the second), when follow-ups are on.",
        params: &[P_NAME, P_TOKEN],
        buttons: &[ButtonSpec::RecoveryUrl],
        translations: &[
            tr("en", Some("Last reminder"),
                "Hi {{1}}, this is our last reminder about the items in your cart. We'd hate for you to miss out, and this is the last message we'll send about this cart.\n\nIf you still want them, tap the button below to finish your order.",
                Some(FOOTER_EN), Some("Finish my order")),
            tr("es", Some("Último recordatorio"),
                "¡Hola, {{1}}! Este es nuestro último recordatorio sobre los productos de tu carrito. No queremos que te los pierdas, y no volveremos a escribirte sobre este carrito.\n\nSi todavía los quieres, toca el botón de abajo para terminar tu pedido.",
                Some(FOOTER_ES), Some("Terminar mi pedido")),
            tr("pt_BR", Some("Último lembrete"),
                "Olá, {{1}}! Este é o nosso último lembrete sobre os itens do seu carrinho. Não queremos que você fique sem eles, e esta é a última mensagem que enviaremos sobre este carrinho.\n\nSe ainda quiser, toque no botão abaixo para finalizar seu pedido.",
                Some(FOOTER_PT), Some("Finalizar meu pedido")),
            tr("fr", Some("Dernier rappel"),
                "Bonjour {{1}}, voici notre dernier rappel concernant les articles de votre panier. Nous ne voudrions pas que vous les manquiez, et c'est le dernier message que nous vous enverrons à ce sujet.\n\nSi vous les voulez toujours, appuyez sur le bouton ci-dessous pour finaliser votre commande.",
                Some(FOOTER_FR), Some("Finaliser ma commande")),
            tr("de", Some("Letzte Erinnerung"),
                "Hallo {{1}}, dies ist unsere letzte Erinnerung an die Artikel in Ihrem Warenkorb. Wir möchten nicht, dass Sie sie verpassen, und schreiben Ihnen zu diesem Warenkorb danach nicht mehr.\n\nWenn Sie die Artikel noch möchten, tippen Sie auf die Schaltfläche unten, um Ihre Bestellung abzuschließen.",
                Some(FOOTER_DE), Some("Bestellung abschließen")),
        ],
    },
    TemplateSpec {
        name: ORDER_CONFIRMED,
        category: Category::Utility,
        when: "When an order's status changes to processing.",
        params: &[P_FIRST_NAME, P_ORDER_NUMBER, P_ORDER_TOTAL],
        buttons: &[],
        translations: &[
            tr("en", None,
                "Hi {{1}}, thank you for your order! We've received order #{{2}} for a total of {{3}} and we're getting it ready. We'll let you know when it's on its way.",
                None, None),
            tr("es", None,
                "¡Hola, {{1}}! Gracias por tu pedido. Hemos recibido tu pedido n.º {{2}} por un total de {{3}} y ya lo estamos preparando. Te avisaremos cuando esté en camino.",
                None, None),
            tr("pt_BR", None,
                "Olá, {{1}}! Obrigado pelo seu pedido. Recebemos o pedido nº {{2}}, no valor total de {{3}}, e já estamos preparando tudo. Avisaremos você quando ele for enviado.",
                None, None),
            tr("fr", None,
                "Bonjour {{1}}, merci pour votre commande ! Nous avons bien reçu la commande n° {{2}} d'un montant total de {{3}} et nous la préparons. Nous vous préviendrons dès qu'elle sera expédiée.",
                None, None),
            tr("de", None,
                "Hallo {{1}}, vielen Dank für Ihre Bestellung! Wir haben Ihre Bestellung Nr. {{2}} über insgesamt {{3}} erhalten und bereiten sie gerade vor. Wir melden uns, sobald sie unterwegs ist.",
                None, None),
        ],
    },
    TemplateSpec {
        name: ORDER_COMPLETED,
        category: Category::Utility,
        when: "When an order's status changes to completed.",
        params: &[P_FIRST_NAME, P_ORDER_NUMBER, P_ORDER_TOTAL],
        buttons: &[],
        translations: &[
            tr("en", None,
                "Hi {{1}}, good news: your order #{{2}} for {{3}} is complete. Thank you for shopping with us!",
                None, None),
            tr("es", None,
                "¡Hola, {{1}}! Buenas noticias: tu pedido n.º {{2}} por {{3}} se ha completado. ¡Gracias por comprar con nosotros!",
                None, None),
            tr("pt_BR", None,
                "Olá, {{1}}! Boas notícias: seu pedido nº {{2}}, no valor de {{3}}, foi concluído. Obrigado por comprar com a gente!",
                None, None),
            tr("fr", None,
                "Bonjour {{1}}, bonne nouvelle : votre commande n° {{2}} d'un montant de {{3}} est terminée. Merci pour votre achat !",
                None, None),
            tr("de", None,
                "Hallo {{1}}, gute Nachrichten: Ihre Bestellung Nr. {{2}} über {{3}} ist abgeschlossen. Vielen Dank für Ihren Einkauf!",
                None, None),
        ],
    },
    TemplateSpec {
        name: ORDER_CANCELLED,
        category: Category::Utility,
        when: "When an order's status changes to cancelled.",
        params: &[P_FIRST_NAME, P_ORDER_NUMBER, P_ORDER_TOTAL],
        buttons: &[],
        translations: &[
            tr("en", None,
                "Hi {{1}}, your order #{{2}} for {{3}} has been cancelled. If you didn't expect this or have any questions, please get in touch with us.",
                None, None),
            tr("es", None,
                "Hola, {{1}}. Tu pedido n.º {{2}} por {{3}} ha sido cancelado. Si no lo esperabas o tienes alguna pregunta, ponte en contacto con nosotros.",
                None, None),
            tr("pt_BR", None,
                "Olá, {{1}}. Seu pedido nº {{2}}, no valor de {{3}}, foi cancelado. Se você não esperava por isso ou tiver alguma dúvida, entre em contato conosco.",
                None, None),
            tr("fr", None,
                "Bonjour {{1}}, votre commande n° {{2}} d'un montant de {{3}} a été annulée. Si vous ne vous y attendiez pas ou si vous avez des questions, n'hésitez pas à nous contacter.",
                None, None),
            tr("de", None,
                "Hallo {{1}}, Ihre Bestellung Nr. {{2}} über {{3}} wurde storniert. Falls Sie das nicht erwartet haben oder Fragen haben, kontaktieren Sie uns gerne.",
                None, None),
        ],
    },
];

/// Why the catalog refused a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// No template of that name in the catalog. Code 5001.
    #[error("unknown template: {0}")]
    UnknownTemplate(String),
    /// The template has no translation in that language. Code 5002.
    #[error("template {template} has no translation in {language}")]
    UnknownLanguage {
        /// Template name.
        template: String,
        /// Language asked for.
        language: String,
    },
    /// The number of parameters differs from the template's. Code 5003.
    #[error("template {template} takes {expected} parameters, {got} given")]
    ParameterCount {
        /// Template name.
        template: String,
        /// Parameters the catalog defines.
        expected: usize,
        /// Parameters given.
        got: usize,
    },
    /// A parameter value is empty or malformed. Code 5004.
    #[error("parameter {name} is invalid: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// The recovery URL prefix needed for the URL button is missing or malformed. Code 5005.
    #[error("invalid recovery URL prefix: {0}")]
    InvalidRecoveryUrl(&'static str),
    /// Building the send request failed (recipient, callback data). Code 5006.
    #[error(transparent)]
    Graph(#[from] graph::GraphError),
}

impl CatalogError {
    /// Stable numeric code (5001–5006), proposed for the PHP contract.
    #[must_use]
    pub fn code(&self) -> i32 {
        match self {
            Self::UnknownTemplate(_) => 5001,
            Self::UnknownLanguage { .. } => 5002,
            Self::ParameterCount { .. } => 5003,
            Self::InvalidParameter { .. } => 5004,
            Self::InvalidRecoveryUrl(_) => 5005,
            Self::Graph(_) => 5006,
        }
    }
}

/// Every template, in sending order.
#[must_use]
pub fn list() -> &'static [TemplateSpec] {
    TEMPLATES
}

/// The template of that name.
#[must_use]
pub fn get(name: &str) -> Option<&'static TemplateSpec> {
    TEMPLATES.iter().find(|t| t.name == name)
}

fn spec(name: &str) -> Result<&'static TemplateSpec, CatalogError> {
    get(name).ok_or_else(|| CatalogError::UnknownTemplate(name.to_owned()))
}

/// Meta rejects text parameters with new lines, tabs or more than 4 consecutive spaces
/// (132018): collapse every whitespace run to one space and trim.
fn normalise_text(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn check_param(p: &ParamSpec, value: &str) -> Result<String, CatalogError> {
    let bad = |reason| CatalogError::InvalidParameter {
        name: p.name,
        reason,
    };
    match p.kind {
        ParamKind::Text => {
            let v = normalise_text(value);
            if v.is_empty() {
                return Err(bad("empty"));
            }
            if v.chars().count() > 200 {
                return Err(bad("longer than 200 characters"));
            }
            Ok(v)
        }
        ParamKind::Token => {
            let v = value.trim();
            if v.len() != 64
                || !v
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                return Err(bad("not 64 lowercase hex characters"));
            }
            Ok(v.to_owned())
        }
        ParamKind::Coupon => {
            let v = value.trim();
            if v.is_empty() || v.chars().count() > 15 {
                return Err(bad("must be 1-15 characters"));
            }
            if !v
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Err(bad("only letters, digits, - and _ are allowed"));
            }
            Ok(v.to_owned())
        }
    }
}

/// The send components of a catalog template, from its parameters **in catalog order**
/// ([`TemplateSpec::params`]). The same components serve every language.
///
/// Output order: body, then buttons by index. Text values are whitespace-normalised.
///
/// # Errors
/// [`CatalogError::UnknownTemplate`], [`CatalogError::ParameterCount`] when `params.len()`
/// differs from the template's, [`CatalogError::InvalidParameter`] for an empty or malformed value.
pub fn components_for<S: AsRef<str>>(
    name: &str,
    params: &[S],
) -> Result<Vec<Component>, CatalogError> {
    let t = spec(name)?;
    if params.len() != t.params.len() {
        return Err(CatalogError::ParameterCount {
            template: name.to_owned(),
            expected: t.params.len(),
            got: params.len(),
        });
    }
    let mut body: Vec<(u8, String)> = Vec::new();
    let mut buttons: Vec<(u8, Component)> = Vec::new();
    for (p, value) in t.params.iter().zip(params) {
        let v = check_param(p, value.as_ref())?;
        for slot in p.slots {
            match *slot {
                Slot::Body(n) => body.push((n, v.clone())),
                Slot::UrlButton(i) => buttons.push((i, Component::url_button(i, &v))),
                Slot::CopyCodeButton(i) => buttons.push((i, Component::copy_code_button(i, &v))),
            }
        }
    }
    body.sort_by_key(|(n, _)| *n);
    buttons.sort_by_key(|(i, _)| *i);
    let mut out = Vec::with_capacity(1 + buttons.len());
    if !body.is_empty() {
        let values: Vec<String> = body.into_iter().map(|(_, v)| v).collect();
        out.push(Component::body_text(&values));
    }
    out.extend(buttons.into_iter().map(|(_, c)| c));
    Ok(out)
}

/// A ready-to-send [`TemplateMessage`] for a catalog template: checks the language exists in
/// the catalog, builds the components, and sets `biz_opaque_callback_data` to our message id.
/// Pass it to [`graph::build_send_template`].
///
/// # Errors
/// As [`components_for`], plus [`CatalogError::UnknownLanguage`].
pub fn message<S: AsRef<str>>(
    to: &str,
    name: &str,
    language: &str,
    params: &[S],
    message_id: Option<&str>,
) -> Result<TemplateMessage, CatalogError> {
    let t = spec(name)?;
    if t.translation(language).is_none() {
        return Err(CatalogError::UnknownLanguage {
            template: name.to_owned(),
            language: language.to_owned(),
        });
    }
    Ok(TemplateMessage {
        to: to.to_owned(),
        template: name.to_owned(),
        language: language.to_owned(),
        components: components_for(name, params)?,
        biz_opaque_callback_data: message_id.map(str::to_owned),
    })
}

fn check_recovery_url(prefix: Option<&str>) -> Result<&str, CatalogError> {
    let p = prefix
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .ok_or(CatalogError::InvalidRecoveryUrl("missing"))?;
    if !(p.starts_with("https://") || p.starts_with("http://")) {
        return Err(CatalogError::InvalidRecoveryUrl(
            "must start with https:// or http://",
        ));
    }
    if p.contains("{{") || p.contains('#') || !p.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(CatalogError::InvalidRecoveryUrl(
            "must be a plain absolute URL without spaces, # or {{",
        ));
    }
    // Meta appends the token to the URL verbatim: a base that ends in a bare query-argument
    // name (`?cartpinger_recover`, what the plugin once submitted) glues the token to the name
    // and the shopper lands on an empty cart (issue 10).
    if !(p.ends_with('=') || p.ends_with('/')) {
        return Err(CatalogError::InvalidRecoveryUrl(
            "must end with = (a query argument waiting for the token) or /",
        ));
    }
    if p.len() + 64 > 2000 {
        return Err(CatalogError::InvalidRecoveryUrl("too long"));
    }
    Ok(p)
}

/// The body of `POST /{waba-id}/message_templates` that submits one catalog template in one
/// language (POSITIONAL parameters, `example` blocks for every variable as Meta requires).
///
/// `recovery_url_prefix` is the site's recovery link without the token, e.g.
/// `https://shop.example/cart/?cartpinger_recover=`; it is required for the recovery templates
/// (their URL button is `prefix + {{1}}`) and ignored for the order templates.
///
/// # Errors
/// [`CatalogError::UnknownTemplate`], [`CatalogError::UnknownLanguage`],
/// [`CatalogError::InvalidRecoveryUrl`].
pub fn create_request_body(
    name: &str,
    language: &str,
    recovery_url_prefix: Option<&str>,
) -> Result<serde_json::Value, CatalogError> {
    let t = spec(name)?;
    let tr = t
        .translation(language)
        .ok_or_else(|| CatalogError::UnknownLanguage {
            template: name.to_owned(),
            language: language.to_owned(),
        })?;
    let mut components = Vec::new();
    if let Some(h) = tr.header {
        components.push(serde_json::json!({ "type": "HEADER", "format": "TEXT", "text": h }));
    }
    let mut body_examples: Vec<(u8, &str)> = t
        .params
        .iter()
        .flat_map(|p| {
            p.slots.iter().filter_map(move |s| match s {
                Slot::Body(n) => Some((*n, p.example)),
                _ => None,
            })
        })
        .collect();
    body_examples.sort_by_key(|(n, _)| *n);
    let mut body = serde_json::json!({ "type": "BODY", "text": tr.body });
    if !body_examples.is_empty() {
        let ex: Vec<&str> = body_examples.iter().map(|(_, e)| *e).collect();
        if let Some(o) = body.as_object_mut() {
            o.insert(
                "example".to_owned(),
                serde_json::json!({ "body_text": [ex] }),
            );
        }
    }
    components.push(body);
    if let Some(f) = tr.footer {
        components.push(serde_json::json!({ "type": "FOOTER", "text": f }));
    }
    if !t.buttons.is_empty() {
        let mut buttons = Vec::new();
        for b in t.buttons {
            match b {
                ButtonSpec::RecoveryUrl => {
                    let prefix = check_recovery_url(recovery_url_prefix)?;
                    buttons.push(serde_json::json!({
                        "type": "URL",
                        "text": tr.url_button_label.unwrap_or("Open"),
                        "url": format!("{prefix}{{{{1}}}}"),
                        "example": [format!("{prefix}{}", P_TOKEN.example)],
                    }));
                }
                ButtonSpec::CopyCode => {
                    buttons.push(serde_json::json!({
                        "type": "COPY_CODE",
                        "example": P_COUPON.example,
                    }));
                }
            }
        }
        components.push(serde_json::json!({ "type": "BUTTONS", "buttons": buttons }));
    }
    Ok(serde_json::json!({
        "name": t.name,
        "language": tr.language,
        "category": t.category.as_meta(),
        "parameter_format": "POSITIONAL",
        "components": components,
    }))
}

// ---------------------------------------------------------------------------------------------
// Language selection
// ---------------------------------------------------------------------------------------------

fn catalog_has(code: &str) -> Option<&'static str> {
    LANGUAGES.iter().copied().find(|l| *l == code)
}

/// Maps a WordPress/browser locale to a catalog language (behaviours line 19, restricted to
/// [`LANGUAGES`]): an exact catalog code wins (`pt_BR`); `pt*` → `pt_BR`; otherwise the generic
/// language (`es_ES`, `es_MX` → `es`; `de_DE_formal` → `de`; `en_GB` → `en`). `None` for a
/// language the catalog lacks (`it_IT`, `nl_NL`). `-` and `_` are both accepted as separators.
#[must_use]
pub fn map_locale(locale: &str) -> Option<&'static str> {
    let norm = locale.trim().replace('-', "_");
    let mut parts = norm.split('_');
    let lang = parts.next()?.to_ascii_lowercase();
    if lang.is_empty() {
        return None;
    }
    let region = parts.next().map(str::to_ascii_uppercase);
    if let Some(r) = &region {
        if let Some(exact) = catalog_has(&format!("{lang}_{r}")) {
            return Some(exact);
        }
    }
    if lang == "pt" {
        return catalog_has("pt_BR");
    }
    catalog_has(&lang)
}

/// Ordered, de-duplicated language candidates for one message: the customer's locale, then the
/// site's, then each entry of `fallback_chain` (locales or catalog codes), then
/// [`DEFAULT_LANGUAGE`]. Only catalog languages appear, so the list is never empty.
#[must_use]
pub fn select_language(
    customer_locale: Option<&str>,
    site_locale: &str,
    fallback_chain: &[&str],
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let sources = customer_locale
        .into_iter()
        .chain(core::iter::once(site_locale))
        .chain(fallback_chain.iter().copied())
        .chain(core::iter::once(DEFAULT_LANGUAGE));
    for l in sources.filter_map(map_locale) {
        if !out.iter().any(|o| o == l) {
            out.push(l.to_owned());
        }
    }
    out
}

/// After Meta answered 132001 ("template does not exist in that language or is not approved")
/// for `failed`, the next candidate to try: the first entry after `failed` in `candidates`
/// (from [`select_language`]) that is not `failed`. `None` when the list is exhausted (or
/// `failed` is not in it and nothing else remains): give up with the 132001 outcome.
#[must_use]
pub fn next_language_after_132001(candidates: &[String], failed: &str) -> Option<String> {
    match candidates.iter().position(|c| c == failed) {
        Some(i) => candidates
            .iter()
            .skip(i + 1)
            .find(|c| *c != failed)
            .cloned(),
        None => candidates.iter().find(|c| *c != failed).cloned(),
    }
}

// ---------------------------------------------------------------------------------------------
// Published templates vs the catalog
// ---------------------------------------------------------------------------------------------

/// How a published template (from the template sync) differs from its catalog entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// The template is not in the catalog.
    NotInCatalog,
    /// It uses NAMED parameters; the catalog sends POSITIONAL ones (Meta error 132012).
    ParameterFormat,
    /// The BODY has a different number of variables (Meta error 132000). Typical for sites
    /// upgraded from the original plugin, whose recovery templates had the link in the body.
    BodyVariables {
        /// Variables in the catalog's body.
        expected: usize,
        /// Variables in the published body.
        published: usize,
    },
    /// The buttons differ in type or order (`URL`, `COPY_CODE`).
    Buttons {
        /// The catalog's button types.
        expected: Vec<String>,
        /// The published button types.
        published: Vec<String>,
    },
}

/// Checks that sending a published template with [`components_for`] will match it: same
/// parameter format, same number of body variables, same buttons. An empty list means
/// compatible; otherwise the admin must re-submit (or delete and re-create) the template.
#[must_use]
pub fn compatibility(published: &graph::TemplateInfo) -> Vec<Mismatch> {
    let Some(t) = get(&published.name) else {
        return vec![Mismatch::NotInCatalog];
    };
    let mut out = Vec::new();
    if published
        .parameter_format
        .as_deref()
        .is_some_and(|f| f.eq_ignore_ascii_case("NAMED"))
    {
        out.push(Mismatch::ParameterFormat);
    }
    let (expected, got) = (t.body_variable_count(), published.body_variable_count());
    if expected != got {
        out.push(Mismatch::BodyVariables {
            expected,
            published: got,
        });
    }
    let expected: Vec<String> = t
        .buttons
        .iter()
        .map(|b| match b {
            ButtonSpec::RecoveryUrl => "URL".to_owned(),
            ButtonSpec::CopyCode => "COPY_CODE".to_owned(),
        })
        .collect();
    let published_buttons: Vec<String> = published
        .button_types()
        .into_iter()
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if expected != published_buttons {
        out.push(Mismatch::Buttons {
            expected,
            published: published_buttons,
        });
    }
    out
}
