//! Request validation against Meta's OpenAPI spec (embedded, unmodified) plus the documented
//! correction overlay of `shared/meta/README.md` §10.3, applied here in code at load time.
//!
//! Overlay (each line: defect number of README §8 "Defects that matter for validation"):
//! * D1 `LanguageObject.required = ["code"]` — `policy` is optional per Meta's prose (§2.1).
//! * D2 button `index` pattern `^[0-9]$` (the spec's `^[2-6, 11-14]$` rejects `"0"`), in
//!   `TemplateComponent` and `ButtonComponent`.
//! * D3 `sub_type` enum += `copy_code`, `flow`, `mpm`, `voice_call`; `ButtonParameterObject.type`
//!   enum += `coupon_code`, `action`.
//! * D4 discriminator dispatch (JSON Schema ignores `discriminator`): every component is also
//!   validated against `HeaderComponent` / `BodyComponent` / `ButtonComponent` by its `type`, and
//!   every parameter against the schema its `discriminator.mapping` names, plus local schemas for
//!   `coupon_code`, `location`, `action` and the `limited_time_offer` component.
//! * D5 `biz_opaque_callback_data` (string, ≤ 512 characters) added to `TemplateMessage`;
//!   component `type` enum += `limited_time_offer`, `carousel`; `ParameterObject.type` += `location`.
//! * §2.1 "messaging_product: always `whatsapp`": enum `["whatsapp"]` on `BaseMessageProperties`.
//!
//! Only `template` and `text` messages are supported; a `text` message is checked with a local
//! schema (the spec's `TextMessage` is broken by D8).

use jsonschema::{Draft, Registry, Validator};
use serde_json::{json, Value};

/// Meta's OpenAPI spec, unmodified (see `spec/LICENSE-META-OPENAPI.md`).
pub const SPEC_YAML: &str = include_str!("../spec/business-messaging-api_v23.0.yaml");

const BASE: &str = "urn:meta-openapi";

/// Compiled validators for the `/messages` request.
pub struct SendValidator {
    template_message: Validator,
    header: Validator,
    body: Validator,
    button: Validator,
    lto: Validator,
    params: Vec<(&'static str, Validator)>,
    button_params: Vec<(&'static str, Validator)>,
    text_message: Validator,
}

impl std::fmt::Debug for SendValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SendValidator")
    }
}

fn pointer<'a>(doc: &'a mut Value, ptr: &str) -> Result<&'a mut Value, String> {
    doc.pointer_mut(ptr)
        .ok_or_else(|| format!("spec overlay: {ptr} not found"))
}

fn extend_enum(doc: &mut Value, ptr: &str, extra: &[&str]) -> Result<(), String> {
    let list = pointer(doc, ptr)?
        .as_array_mut()
        .ok_or_else(|| format!("spec overlay: {ptr} is not an array"))?;
    for e in extra {
        if !list.iter().any(|v| v == e) {
            list.push(json!(e));
        }
    }
    Ok(())
}

/// Parses the embedded spec and applies the correction overlay.
///
/// # Errors
/// When the YAML does not parse or a patched location is missing.
pub fn corrected_spec() -> Result<Value, String> {
    let mut doc: Value =
        serde_norway::from_str(SPEC_YAML).map_err(|e| format!("spec YAML: {e}"))?;
    let s = "/components/schemas";
    // D1
    *pointer(&mut doc, &format!("{s}/LanguageObject/required"))? = json!(["code"]);
    // D2
    *pointer(
        &mut doc,
        &format!("{s}/TemplateComponent/properties/index/pattern"),
    )? = json!("^[0-9]$");
    *pointer(
        &mut doc,
        &format!("{s}/ButtonComponent/allOf/1/properties/index/pattern"),
    )? = json!("^[0-9]$");
    // D3
    let sub_types = ["copy_code", "flow", "mpm", "voice_call"];
    extend_enum(
        &mut doc,
        &format!("{s}/TemplateComponent/properties/sub_type/enum"),
        &sub_types,
    )?;
    extend_enum(
        &mut doc,
        &format!("{s}/ButtonComponent/allOf/1/properties/sub_type/enum"),
        &sub_types,
    )?;
    extend_enum(
        &mut doc,
        &format!("{s}/ButtonParameterObject/properties/type/enum"),
        &["coupon_code", "action"],
    )?;
    // D5
    extend_enum(
        &mut doc,
        &format!("{s}/TemplateComponent/properties/type/enum"),
        &["limited_time_offer", "carousel"],
    )?;
    extend_enum(
        &mut doc,
        &format!("{s}/ParameterObject/properties/type/enum"),
        &["location"],
    )?;
    let props = pointer(&mut doc, &format!("{s}/TemplateMessage/allOf/1/properties"))?
        .as_object_mut()
        .ok_or("spec overlay: TemplateMessage properties")?;
    props.insert(
        "biz_opaque_callback_data".to_owned(),
        json!({"type": "string", "maxLength": 512}),
    );
    // §2.1: messaging_product is always "whatsapp".
    let mp = pointer(
        &mut doc,
        &format!("{s}/BaseMessageProperties/properties/messaging_product"),
    )?
    .as_object_mut()
    .ok_or("spec overlay: messaging_product")?;
    mp.insert("enum".to_owned(), json!(["whatsapp"]));
    Ok(doc)
}

fn compile(registry: &Registry<'_>, schema: &Value) -> Result<Validator, String> {
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .with_registry(registry)
        .build(schema)
        .map_err(|e| format!("schema compile: {e}"))
}

fn spec_ref(name: &str) -> Value {
    json!({ "$ref": format!("{BASE}#/components/schemas/{name}") })
}

impl SendValidator {
    /// Loads the embedded spec, applies the overlay and compiles the validators.
    ///
    /// # Errors
    /// When the spec cannot be loaded or a schema does not compile.
    pub fn load() -> Result<Self, String> {
        let doc = corrected_spec()?;
        let registry = Registry::new()
            .draft(Draft::Draft202012)
            .add(BASE, Draft::Draft202012.create_resource(doc))
            .map_err(|e| format!("registry: {e}"))?
            .prepare()
            .map_err(|e| format!("registry: {e}"))?;
        let r = &registry;
        let params = vec![
            ("text", compile(r, &spec_ref("TextParameter"))?),
            ("currency", compile(r, &spec_ref("CurrencyParameter"))?),
            ("date_time", compile(r, &spec_ref("DateTimeParameter"))?),
            ("image", compile(r, &spec_ref("ImageParameter"))?),
            ("video", compile(r, &spec_ref("VideoParameter"))?),
            ("document", compile(r, &spec_ref("DocumentParameter"))?),
            (
                "location",
                compile(
                    r,
                    &json!({"type": "object", "required": ["type", "location"], "properties": {
                        "location": {"type": "object", "required": ["latitude", "longitude"],
                            "properties": {"latitude": {"type": ["number", "string"]},
                                "longitude": {"type": ["number", "string"]},
                                "name": {"type": "string"}, "address": {"type": "string"}}}}}),
                )?,
            ),
        ];
        let button_params = vec![
            ("payload", compile(r, &spec_ref("ButtonPayloadParameter"))?),
            ("text", compile(r, &spec_ref("ButtonTextParameter"))?),
            (
                "coupon_code",
                compile(
                    r,
                    &json!({"type": "object", "required": ["type", "coupon_code"], "properties": {
                        "coupon_code": {"type": "string", "minLength": 1, "maxLength": 20}}}),
                )?,
            ),
            (
                "action",
                compile(
                    r,
                    &json!({"type": "object", "required": ["type", "action"],
                        "properties": {"action": {"type": "object"}}}),
                )?,
            ),
        ];
        Ok(Self {
            template_message: compile(r, &spec_ref("TemplateMessage"))?,
            header: compile(r, &spec_ref("HeaderComponent"))?,
            body: compile(r, &spec_ref("BodyComponent"))?,
            button: compile(r, &spec_ref("ButtonComponent"))?,
            lto: compile(
                r,
                &json!({"type": "object", "required": ["type", "parameters"], "properties": {
                    "parameters": {"type": "array", "minItems": 1, "items": {
                        "type": "object", "required": ["type", "limited_time_offer"],
                        "properties": {"type": {"const": "limited_time_offer"},
                            "limited_time_offer": {"type": "object",
                                "properties": {"expiration_time_ms": {"type": "integer"}}}}}}}}),
            )?,
            params,
            button_params,
            text_message: compile(
                r,
                &json!({"allOf": [spec_ref("BaseMessageProperties"), {
                    "type": "object", "required": ["text"], "properties": {
                        "type": {"const": "text"},
                        "biz_opaque_callback_data": {"type": "string", "maxLength": 512},
                        "text": {"type": "object", "required": ["body"], "properties": {
                            "body": {"type": "string", "minLength": 1, "maxLength": 4096},
                            "preview_url": {"type": "boolean"}}}}}]}),
            )?,
        })
    }

    /// Validates a `/messages` body. `Ok(())` or the violations (`path: message`), at most a few.
    ///
    /// # Errors
    /// The list of violations, for `error_data.details`.
    pub fn validate(&self, body: &Value) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        match body.get("type").and_then(Value::as_str) {
            Some("text") => collect(&self.text_message, body, "", &mut errors),
            _ => {
                collect(&self.template_message, body, "", &mut errors);
                if let Some(components) = body
                    .pointer("/template/components")
                    .and_then(Value::as_array)
                {
                    for (i, c) in components.iter().enumerate() {
                        self.component(c, &format!("/template/components/{i}"), &mut errors);
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            errors.truncate(5);
            Err(errors)
        }
    }

    fn component(&self, c: &Value, at: &str, errors: &mut Vec<String>) {
        let kind = c.get("type").and_then(Value::as_str).unwrap_or_default();
        let (validator, table) = match kind {
            "header" => (&self.header, &self.params),
            "body" => (&self.body, &self.params),
            "button" => (&self.button, &self.button_params),
            "limited_time_offer" => {
                collect(&self.lto, c, at, errors);
                return;
            }
            _ => return, // the TemplateMessage pass already reported unknown types
        };
        collect(validator, c, at, errors);
        let Some(params) = c.get("parameters").and_then(Value::as_array) else {
            return;
        };
        for (j, p) in params.iter().enumerate() {
            let ptype = p.get("type").and_then(Value::as_str).unwrap_or_default();
            let at = format!("{at}/parameters/{j}");
            match table.iter().find(|(name, _)| *name == ptype) {
                Some((_, v)) => collect(v, p, &at, errors),
                None => errors.push(format!(
                    "{at}/type: parameter type {ptype:?} is not allowed in a {kind} component"
                )),
            }
        }
    }
}

fn collect(validator: &Validator, instance: &Value, at: &str, errors: &mut Vec<String>) {
    for e in validator.iter_errors(instance) {
        let path = e.instance_path().to_string();
        let path = if path.is_empty() && at.is_empty() {
            "/".to_owned()
        } else {
            format!("{at}{path}")
        };
        let msg = format!("{path}: {e}");
        if !errors.contains(&msg) {
            errors.push(msg);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn readme_example() -> Value {
        json!({
          "messaging_product": "whatsapp", "recipient_type": "individual", "to": "+4915112345678",
          "type": "template", "biz_opaque_callback_data": "cart=8f3a2c;site=1",
          "template": { "name": "cart_reminder_coupon", "language": { "code": "de" },
            "components": [
              { "type": "header", "parameters": [ { "type": "text", "text": "Anna" } ] },
              { "type": "body", "parameters": [
                  { "type": "text", "text": "Anna" },
                  { "type": "currency", "currency": { "fallback_value": "49,90 €", "code": "EUR", "amount_1000": 49900 } },
                  { "type": "date_time", "date_time": { "fallback_value": "3. Juni 2026" } } ] },
              { "type": "button", "sub_type": "url", "index": "0",
                "parameters": [ { "type": "text", "text": "r/8f3a2c" } ] },
              { "type": "button", "sub_type": "copy_code", "index": "1",
                "parameters": [ { "type": "coupon_code", "coupon_code": "COMEBACK10" } ] } ] } })
    }

    #[test]
    fn overlay_accepts_readme_2_1_and_rejects_bad() {
        let v = SendValidator::load().unwrap();
        v.validate(&readme_example()).unwrap();
        // §10.2 sample D: missing `to`.
        let mut d = readme_example();
        d.as_object_mut().unwrap().remove("to");
        assert!(v.validate(&d).is_err());
        // §10.2 sample E: bogus parameter type and currency without amount_1000 (D4).
        let mut e = readme_example();
        e["template"]["components"][1]["parameters"][0] = json!({"type": "bogus"});
        assert!(v.validate(&e).is_err());
        let mut e2 = readme_example();
        e2["template"]["components"][1]["parameters"][1]["currency"]
            .as_object_mut()
            .unwrap()
            .remove("amount_1000");
        assert!(v.validate(&e2).is_err());
        // §10.2 sample F: name as an integer.
        let mut f = readme_example();
        f["template"]["name"] = json!(7);
        assert!(v.validate(&f).is_err());
        // biz_opaque_callback_data ≤ 512.
        let mut g = readme_example();
        g["biz_opaque_callback_data"] = json!("x".repeat(513));
        assert!(v.validate(&g).is_err());
        g["biz_opaque_callback_data"] = json!("x".repeat(512));
        assert!(v.validate(&g).is_ok());
        // index "10" is not a single digit.
        let mut h = readme_example();
        h["template"]["components"][2]["index"] = json!("10");
        assert!(v.validate(&h).is_err());
    }
}
