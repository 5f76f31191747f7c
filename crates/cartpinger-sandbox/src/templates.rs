//! The sandbox's template store (what `GET/POST /{waba-id}/message_templates` serve) and the
//! send-time checks Meta makes against it (132001 unknown name/language, 132000 parameter
//! count, 132012 parameter format), plus rendering a sent message as the customer reads it.

use serde_json::{json, Value};

use crate::meta::{new_numeric_id, GraphError};

/// The seed: CartPinger's 7 templates × 5 languages, generated from the catalog's fixtures
/// (`tests/fixtures/graph/templates/*.json`, see `seed/templates.json`'s `_comment`).
pub const SEED_JSON: &str = include_str!("../seed/templates.json");

/// One template in one language (Meta keys templates by name + language).
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// Graph id.
    pub id: String,
    /// Name (`^[a-z0-9_]+$`).
    pub name: String,
    /// Language code (`en`, `pt_BR`, …).
    pub language: String,
    /// `MARKETING` / `UTILITY` / `AUTHENTICATION`.
    pub category: String,
    /// `APPROVED`, `PENDING`, …
    pub status: String,
    /// `POSITIONAL` or `NAMED`.
    pub parameter_format: String,
    /// Definition-form components (`HEADER`/`BODY`/`FOOTER`/`BUTTONS`).
    pub components: Value,
}

impl Template {
    /// Builds a template from a creation body (README §3.2 shape).
    ///
    /// # Errors
    /// A code-100 error when the definition is not acceptable.
    pub fn from_definition(def: &Value, status: &str) -> Result<Self, GraphError> {
        let name = def.get("name").and_then(Value::as_str).unwrap_or_default();
        if name.is_empty()
            || name.len() > 512
            || !name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(GraphError::invalid_parameter(
                "Template name must match ^[a-z0-9_]+$ and be at most 512 characters.",
            ));
        }
        let language = def
            .get("language")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if language.is_empty() {
            return Err(GraphError::invalid_parameter(
                "Parameter 'language' is required.",
            ));
        }
        let category = def
            .get("category")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !matches!(category, "MARKETING" | "UTILITY" | "AUTHENTICATION") {
            return Err(GraphError::invalid_parameter(
                "Parameter 'category' must be one of MARKETING, UTILITY, AUTHENTICATION.",
            ));
        }
        let components = def.get("components").cloned().unwrap_or_else(|| json!([]));
        let Some(list) = components.as_array() else {
            return Err(GraphError::invalid_parameter(
                "Parameter 'components' must be an array.",
            ));
        };
        let mut has_body = false;
        for c in list {
            let kind = c.get("type").and_then(Value::as_str).unwrap_or_default();
            let text = c.get("text").and_then(Value::as_str).unwrap_or_default();
            let vars = placeholders(text).len();
            match kind {
                "BODY" => {
                    has_body = true;
                    if text.chars().count() > 1024 {
                        return Err(GraphError::invalid_parameter(
                            "BODY text exceeds 1024 characters.",
                        ));
                    }
                    let ex = c
                        .pointer("/example/body_text")
                        .or_else(|| c.pointer("/example/body_text_named_params"));
                    if vars > 0 && ex.is_none() {
                        return Err(GraphError::invalid_parameter(
                            "BODY has variables but no example (example.body_text).",
                        ));
                    }
                }
                "HEADER" => {
                    if c.get("format").and_then(Value::as_str) == Some("TEXT")
                        && text.chars().count() > 60
                    {
                        return Err(GraphError::invalid_parameter(
                            "HEADER text exceeds 60 characters.",
                        ));
                    }
                    if vars > 1 {
                        return Err(GraphError::invalid_parameter(
                            "HEADER text allows one variable.",
                        ));
                    }
                }
                "FOOTER" | "BUTTONS" | "LIMITED_TIME_OFFER" | "CAROUSEL" => {}
                other => {
                    return Err(GraphError::invalid_parameter(format!(
                        "Unknown component type {other:?}."
                    )))
                }
            }
        }
        if !has_body {
            return Err(GraphError::invalid_parameter(
                "A template needs a BODY component.",
            ));
        }
        Ok(Self {
            id: def
                .get("id")
                .and_then(Value::as_str)
                .map_or_else(new_numeric_id, str::to_owned),
            name: name.to_owned(),
            language: language.to_owned(),
            category: category.to_owned(),
            status: def
                .get("status")
                .and_then(Value::as_str)
                .unwrap_or(status)
                .to_ascii_uppercase(),
            parameter_format: def
                .get("parameter_format")
                .and_then(Value::as_str)
                .unwrap_or("POSITIONAL")
                .to_ascii_uppercase(),
            components,
        })
    }

    /// The list-endpoint representation.
    #[must_use]
    pub fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "parameter_format": self.parameter_format,
            "components": self.components,
            "language": self.language,
            "status": self.status,
            "category": self.category,
            "id": self.id,
        })
    }

    fn component(&self, kind: &str) -> Option<&Value> {
        self.components
            .as_array()?
            .iter()
            .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
    }

    fn text_of(&self, kind: &str) -> Option<&str> {
        self.component(kind)?.get("text").and_then(Value::as_str)
    }

    /// The BUTTONS list (definition form).
    #[must_use]
    pub fn buttons(&self) -> Vec<Value> {
        self.component("BUTTONS")
            .and_then(|c| c.get("buttons"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    }

    /// Meta's send-time checks: 132000 (count), 132012 (format).
    ///
    /// # Errors
    /// The error Meta would answer.
    pub fn check_send(&self, send_components: &[Value]) -> Result<(), GraphError> {
        let find = |kind: &str| {
            send_components
                .iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
        };
        let params_of = |c: Option<&Value>| -> Vec<Value> {
            c.and_then(|c| c.get("parameters"))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        for (def_kind, send_kind) in [("HEADER", "header"), ("BODY", "body")] {
            let expected = self.text_of(def_kind).map(placeholders).unwrap_or_default();
            let given = params_of(find(send_kind));
            let header_media = def_kind == "HEADER"
                && self
                    .component("HEADER")
                    .and_then(|c| c.get("format"))
                    .and_then(Value::as_str)
                    .is_some_and(|f| f != "TEXT");
            let expected_count = if header_media { 1 } else { expected.len() };
            if given.len() != expected_count {
                return Err(GraphError::new(
                    132000,
                    format!(
                        "{send_kind}: number of localizable_params ({}) does not match the expected number of params ({expected_count})",
                        given.len()
                    ),
                ));
            }
            if self.parameter_format == "NAMED" && !header_media {
                for p in &given {
                    let name = p.get("parameter_name").and_then(Value::as_str);
                    match name {
                        Some(n) if expected.iter().any(|e| e == n) => {}
                        Some(n) => {
                            return Err(GraphError::new(
                                132000,
                                format!("{send_kind}: parameter_name {n:?} is not a variable of the template"),
                            ))
                        }
                        None => {
                            return Err(GraphError::new(
                                132012,
                                format!("{send_kind}: the template uses NAMED parameters; parameter_name is required"),
                            ))
                        }
                    }
                }
            }
        }
        let buttons = self.buttons();
        for (i, b) in buttons.iter().enumerate() {
            let btype = b.get("type").and_then(Value::as_str).unwrap_or_default();
            let needs = match btype {
                "URL" => b
                    .get("url")
                    .and_then(Value::as_str)
                    .is_some_and(|u| !placeholders(u).is_empty()),
                "COPY_CODE" => true,
                _ => false,
            };
            let given = send_components.iter().find(|c| {
                c.get("type").and_then(Value::as_str) == Some("button")
                    && c.get("index").and_then(Value::as_str) == Some(&i.to_string())
            });
            if needs && given.is_none() {
                return Err(GraphError::new(
                    132000,
                    format!("button at index {i} ({btype}) needs a parameter"),
                ));
            }
            if let Some(g) = given {
                let sub = g
                    .get("sub_type")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let want = match btype {
                    "URL" => "url",
                    "COPY_CODE" => "copy_code",
                    "QUICK_REPLY" => "quick_reply",
                    "FLOW" => "flow",
                    _ => sub,
                };
                if sub != want || (btype == "URL" && !needs) {
                    return Err(GraphError::new(
                        132000,
                        format!(
                            "button at index {i} is a {btype} button without a {sub} parameter"
                        ),
                    ));
                }
            }
        }
        for c in send_components {
            if c.get("type").and_then(Value::as_str) == Some("button") {
                let idx = c
                    .get("index")
                    .and_then(Value::as_str)
                    .and_then(|s| s.parse::<usize>().ok())
                    .unwrap_or(usize::MAX);
                if idx >= buttons.len() {
                    return Err(GraphError::new(
                        132000,
                        format!(
                            "button index {idx} does not exist in the template ({} buttons)",
                            buttons.len()
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The message as the customer reads it: header, body, footer, buttons (text only).
    #[must_use]
    pub fn render(&self, send_components: &[Value]) -> Rendered {
        let values = |kind: &str| -> Vec<(Option<String>, String)> {
            send_components
                .iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
                .and_then(|c| c.get("parameters"))
                .and_then(Value::as_array)
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            (
                                p.get("parameter_name")
                                    .and_then(Value::as_str)
                                    .map(str::to_owned),
                                param_display(p),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let header = self.text_of("HEADER").map(|t| fill(t, &values("header")));
        let body = self
            .text_of("BODY")
            .map_or_else(String::new, |t| fill(t, &values("body")));
        let footer = self.text_of("FOOTER").map(str::to_owned);
        let mut buttons = Vec::new();
        let mut urls = Vec::new();
        for (i, b) in self.buttons().iter().enumerate() {
            let suffix = send_components
                .iter()
                .find(|c| {
                    c.get("type").and_then(Value::as_str) == Some("button")
                        && c.get("index").and_then(Value::as_str) == Some(&i.to_string())
                })
                .and_then(|c| c.pointer("/parameters/0"))
                .map(param_display)
                .unwrap_or_default();
            let label = b.get("text").and_then(Value::as_str).unwrap_or_default();
            let line = match b.get("type").and_then(Value::as_str).unwrap_or_default() {
                "URL" => {
                    let url = b.get("url").and_then(Value::as_str).unwrap_or_default();
                    // Meta appends the send-time suffix to the approved URL verbatim.
                    let opened = fill(url, &[(None, suffix)]);
                    urls.push(opened.clone());
                    format!("🔗 {label} → {opened}")
                }
                "COPY_CODE" => format!("📋 Copy offer code: {suffix}"),
                "PHONE_NUMBER" => format!(
                    "📞 {label} {}",
                    b.get("phone_number")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                ),
                _ => format!("↩ {label}"),
            };
            buttons.push(line);
        }
        Rendered {
            header,
            body,
            footer,
            buttons,
            urls,
        }
    }
}

/// A rendered message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    /// Header text, if any.
    pub header: Option<String>,
    /// Body text with parameters filled in.
    pub body: String,
    /// Footer text, if any.
    pub footer: Option<String>,
    /// One line per button.
    pub buttons: Vec<String>,
    /// The URL each URL button opens, in button order (the parameter substituted as Meta does).
    pub urls: Vec<String>,
}

impl Rendered {
    /// JSON form for the control API (`GET /_sandbox/messages`, field `rendered`).
    #[must_use]
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "header": self.header, "body": self.body, "footer": self.footer,
            "buttons": self.buttons, "urls": self.urls,
        })
    }
}

fn param_display(p: &Value) -> String {
    let t = p.get("type").and_then(Value::as_str).unwrap_or_default();
    let s = match t {
        "text" => p.get("text").and_then(Value::as_str),
        "currency" => p
            .pointer("/currency/fallback_value")
            .and_then(Value::as_str),
        "date_time" => p
            .pointer("/date_time/fallback_value")
            .and_then(Value::as_str),
        "coupon_code" => p.get("coupon_code").and_then(Value::as_str),
        "payload" => p.get("payload").and_then(Value::as_str),
        _ => None,
    };
    s.map_or_else(|| format!("[{t}]"), str::to_owned)
}

/// The distinct variable names in a text (`{{1}}` → `1`, `{{first_name}}` → `first_name`), in
/// order of first appearance.
#[must_use]
pub fn placeholders(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = rest.get(start + 2..).unwrap_or_default();
        let Some(end) = after.find("}}") else { break };
        let name = after.get(..end).unwrap_or_default().trim();
        if !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !out.iter().any(|o| o == name)
        {
            out.push(name.to_owned());
        }
        rest = after.get(end + 2..).unwrap_or_default();
    }
    out
}

/// Fills `{{n}}` (1-based position) or `{{name}}` (by `parameter_name`) placeholders.
fn fill(text: &str, values: &[(Option<String>, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(rest.get(..start).unwrap_or_default());
        let after = rest.get(start + 2..).unwrap_or_default();
        let Some(end) = after.find("}}") else {
            out.push_str(rest.get(start..).unwrap_or_default());
            return out;
        };
        let name = after.get(..end).unwrap_or_default().trim();
        let by_name = values
            .iter()
            .find(|(n, _)| n.as_deref() == Some(name))
            .map(|(_, v)| v.clone());
        let by_pos = name
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| values.get(i))
            .map(|(_, v)| v.clone());
        match by_name.or(by_pos) {
            Some(v) => out.push_str(&v),
            None => {
                out.push_str("{{");
                out.push_str(name);
                out.push_str("}}");
            }
        }
        rest = after.get(end + 2..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// The store: templates in insertion order.
#[derive(Debug, Default)]
pub struct TemplateStore {
    templates: Vec<Template>,
}

impl TemplateStore {
    /// Parses a seed document: `{"templates":[…]}` or a bare array of definitions.
    ///
    /// # Errors
    /// When the JSON is not a list of acceptable definitions.
    pub fn from_seed(json_text: &str) -> Result<Self, String> {
        let doc: Value = serde_json::from_str(json_text).map_err(|e| format!("seed: {e}"))?;
        let mut store = Self::default();
        store.load(&doc, true)?;
        Ok(store)
    }

    /// Adds (or, with `replace`, replaces everything with) the definitions of `doc`, APPROVED
    /// unless they say otherwise. Returns how many were loaded.
    ///
    /// # Errors
    /// When a definition is not acceptable.
    pub fn load(&mut self, doc: &Value, replace: bool) -> Result<usize, String> {
        let list = doc
            .get("templates")
            .unwrap_or(doc)
            .as_array()
            .ok_or("templates: expected an array or {\"templates\":[…]}")?;
        let mut parsed = Vec::with_capacity(list.len());
        for def in list {
            parsed.push(
                Template::from_definition(def, "APPROVED")
                    .map_err(|e| format!("template {:?}: {}", def.get("name"), e.details))?,
            );
        }
        if replace {
            self.templates.clear();
        }
        let n = parsed.len();
        for t in parsed {
            self.upsert(t);
        }
        Ok(n)
    }

    /// Inserts or replaces by (name, language).
    pub fn upsert(&mut self, t: Template) {
        if let Some(slot) = self
            .templates
            .iter_mut()
            .find(|x| x.name == t.name && x.language == t.language)
        {
            *slot = t;
        } else {
            self.templates.push(t);
        }
    }

    /// Looks a template up.
    #[must_use]
    pub fn get(&self, name: &str, language: &str) -> Option<&Template> {
        self.templates
            .iter()
            .find(|t| t.name == name && t.language == language)
    }

    /// True when a template of that name exists in any language.
    #[must_use]
    pub fn has_name(&self, name: &str) -> bool {
        self.templates.iter().any(|t| t.name == name)
    }

    /// Sets a template's status by id; returns the template.
    pub fn set_status(&mut self, id: &str, status: &str) -> Option<Template> {
        let t = self.templates.iter_mut().find(|t| t.id == id)?;
        status.clone_into(&mut t.status);
        Some(t.clone())
    }

    /// Looks a template up by id.
    #[must_use]
    pub fn by_id(&self, id: &str) -> Option<&Template> {
        self.templates.iter().find(|t| t.id == id)
    }

    /// Replaces a template's components (an edit, `POST /{template-id}`): it goes back to
    /// `PENDING`. Returns the template.
    pub fn edit(&mut self, id: &str, components: Value) -> Option<Template> {
        let t = self.templates.iter_mut().find(|t| t.id == id)?;
        t.components = components;
        "PENDING".clone_into(&mut t.status);
        Some(t.clone())
    }

    /// All templates, in order.
    #[must_use]
    pub fn all(&self) -> &[Template] {
        &self.templates
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_loads_7_templates_in_5_languages() {
        let s = TemplateStore::from_seed(SEED_JSON).unwrap();
        assert_eq!(s.all().len(), 38);
        let mut names: Vec<&str> = s.all().iter().map(|t| t.name.as_str()).collect();
        names.dedup();
        assert_eq!(names.len(), 10);
        for l in ["en", "es", "pt_BR", "fr", "de"] {
            assert!(s.get("order_confirmed", l).is_some());
        }
    }

    #[test]
    fn placeholders_and_fill() {
        assert_eq!(placeholders("Hi {{1}}, {{2}} and {{1}}"), vec!["1", "2"]);
        assert_eq!(placeholders("Hi {{first_name}}"), vec!["first_name"]);
        let v = vec![(None, "A".to_owned()), (None, "B".to_owned())];
        assert_eq!(fill("{{1}}-{{2}}-{{3}}", &v), "A-B-{{3}}");
    }
}
