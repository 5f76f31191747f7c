//! `CartPinger\Native\Catalog`: the template catalog (`cartpinger_core::catalog`) as PHP
//! arrays, so the plugin's Templates page shows exactly what the sender sends and submits.

use cartpinger_core::catalog::{self, ButtonSpec, CatalogError, Mismatch, ParamKind, TemplateSpec};
use cartpinger_core::graph::TemplateInfo;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::exception::PhpException;
use ext_php_rs::flags::ClassFlags;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;

use crate::errors;
use crate::guard::guard;

/// `CatalogException` 5001–5006 (through the error funnel).
#[must_use]
pub fn catalog_error(error: &CatalogError) -> PhpException {
    errors::exception("CatalogException", error.code(), &error.to_string())
}

fn kind_name(kind: ParamKind) -> &'static str {
    match kind {
        ParamKind::Text => "text",
        ParamKind::Token => "token",
        ParamKind::Coupon => "coupon",
    }
}

fn button_name(button: ButtonSpec) -> &'static str {
    match button {
        ButtonSpec::RecoveryUrl => "recovery_url",
        ButtonSpec::CopyCode => "copy_code",
    }
}

fn template_row(spec: &TemplateSpec) -> PhpResult<ZBox<ZendHashTable>> {
    let mut row = ZendHashTable::new();
    row.insert("name", spec.name)?;
    row.insert("category", spec.category.as_meta())?;
    row.insert("when", spec.when)?;
    let mut params = ZendHashTable::new();
    for p in spec.params {
        let mut param = ZendHashTable::new();
        param.insert("name", p.name)?;
        param.insert("description", p.description)?;
        param.insert("example", p.example)?;
        param.insert("kind", kind_name(p.kind))?;
        params.push(param)?;
    }
    row.insert("params", params)?;
    let buttons: Vec<String> = spec
        .buttons
        .iter()
        .map(|b| button_name(*b).to_owned())
        .collect();
    row.insert("buttons", buttons)?;
    row.insert("needs_recovery_url", spec.needs_recovery_url())?;
    let languages: Vec<String> = spec
        .translations
        .iter()
        .map(|t| t.language.to_owned())
        .collect();
    row.insert("languages", languages)?;
    let mut texts = ZendHashTable::new();
    for t in spec.translations {
        let mut text = ZendHashTable::new();
        text.insert("header", t.header)?;
        text.insert("body", t.body)?;
        text.insert("footer", t.footer)?;
        text.insert("url_button_label", t.url_button_label)?;
        texts.insert(t.language, text)?;
    }
    row.insert("texts", texts)?;
    Ok(row)
}

/// `['kind' => not_in_catalog|parameter_format|body_variables|buttons, 'message' => English]`
/// for each way a published template differs from the catalog.
pub fn mismatch_rows(published: &TemplateInfo) -> PhpResult<ZBox<ZendHashTable>> {
    let mut out = ZendHashTable::new();
    for mismatch in catalog::compatibility(published) {
        let (kind, message) = match mismatch {
            Mismatch::NotInCatalog => (
                "not_in_catalog",
                "This template is not one of CartPinger's templates.".to_owned(),
            ),
            Mismatch::ParameterFormat => (
                "parameter_format",
                "It uses named parameters; CartPinger sends numbered ones (Meta error 132012)."
                    .to_owned(),
            ),
            Mismatch::BodyVariables {
                expected,
                published,
            } => (
                "body_variables",
                format!(
                    "Its text has {published} variables; CartPinger sends {expected} (Meta error 132000)."
                ),
            ),
            Mismatch::Buttons {
                expected,
                published,
            } => (
                "buttons",
                format!(
                    "Its buttons are [{}]; CartPinger expects [{}].",
                    published.join(", "),
                    expected.join(", ")
                ),
            ),
        };
        let mut row = ZendHashTable::new();
        row.insert("kind", kind)?;
        row.insert("message", message)?;
        out.push(row)?;
    }
    Ok(out)
}

/// The templates CartPinger sends (one source of truth with the sender).
#[php_class]
#[php(name = "CartPinger\\Native\\Catalog")]
#[php(flags = ClassFlags::Final)]
pub struct Catalog;

#[php_impl]
#[php(change_method_case = "snake_case")]
impl Catalog {
    /// Every catalog template, in sending order: `['name', 'category' => MARKETING|UTILITY,
    /// 'when', 'params' => list<['name', 'description', 'example', 'kind' => text|token|coupon]>
    /// (in the order send_batch expects them), 'buttons' => list<recovery_url|copy_code>,
    /// 'needs_recovery_url' => bool, 'languages' => list<string>, 'texts' => [language =>
    /// ['header' => ?string, 'body' => string with {{n}}, 'footer' => ?string,
    /// 'url_button_label' => ?string]]]`.
    pub fn templates() -> PhpResult<ZBox<ZendHashTable>> {
        guard(|| {
            let mut out = ZendHashTable::new();
            for spec in catalog::list() {
                out.push(template_row(spec)?)?;
            }
            Ok(out)
        })
    }

    /// The languages the catalog ships (Meta codes), in fallback preference order.
    pub fn languages() -> PhpResult<Vec<String>> {
        guard(|| Ok(catalog::LANGUAGES.iter().map(|l| (*l).to_owned()).collect()))
    }

    /// The language chain of one message: the customer's locale (`es_MX`, `pt-BR`, `''` when
    /// unknown), then the site's, then each entry of `$fallback` (locales or Meta codes), then
    /// `en`; only catalog languages, de-duplicated, never empty. The sender tries the next one
    /// when Meta answers 132001 for a language.
    pub fn select_language(
        customer_locale: String,
        site_locale: String,
        fallback: Vec<String>,
    ) -> PhpResult<Vec<String>> {
        guard(|| {
            let chain: Vec<&str> = fallback.iter().map(String::as_str).collect();
            let customer = Some(customer_locale.as_str()).filter(|l| !l.trim().is_empty());
            Ok(catalog::select_language(customer, &site_locale, &chain))
        })
    }
}
