//! `GET /inbox`: a small self-contained HTML page showing every accepted message as the
//! customer would read it (template text with parameters filled in), its status ticks, and the
//! customer's replies. All user data is HTML-escaped.

use std::fmt::Write as _;

use serde_json::Value;

use crate::server::App;

/// Escapes text for HTML element content and attribute values.
#[must_use]
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn ticks(status: &str) -> &'static str {
    match status {
        "accepted" => r#"<span class="t" title="accepted">🕓</span>"#,
        "sent" => r#"<span class="t" title="sent">✓</span>"#,
        "delivered" => r#"<span class="t" title="delivered">✓✓</span>"#,
        "read" => r#"<span class="t read" title="read">✓✓</span>"#,
        "failed" => r#"<span class="t failed" title="failed">⚠ failed</span>"#,
        _ => "",
    }
}

fn time_of(ms: i64) -> String {
    let secs = ms.div_euclid(1000).rem_euclid(86_400);
    format!(
        "{:02}:{:02}:{:02} UTC",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

/// Renders the page (newest first; `to` filters by recipient digits).
#[must_use]
pub fn render(app: &App, to: Option<&str>) -> String {
    let messages = app.store.messages(300).unwrap_or_default();
    let inbound = app.store.inbound(300).unwrap_or_default();
    let templates = app.templates_snapshot();
    let mut items: Vec<(i64, String)> = Vec::new();
    for m in &messages {
        let wa_id = m["wa_id"].as_str().unwrap_or_default();
        if to.is_some_and(|t| t != wa_id) {
            continue;
        }
        let mut html = String::new();
        let status = m["status"].as_str().unwrap_or_default();
        let request = &m["request"];
        let _ = write!(
            html,
            r#"<div class="msg out"><div class="meta">to +{} · "#,
            escape(wa_id)
        );
        if m["type"] == "template" {
            let name = m["template"].as_str().unwrap_or_default();
            let lang = m["language"].as_str().unwrap_or_default();
            let _ = write!(html, "{} ({})", escape(name), escape(lang));
            let components: Vec<Value> = request
                .pointer("/template/components")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            html.push_str("</div>");
            match templates
                .iter()
                .find(|t| t.name == name && t.language == lang)
            {
                Some(t) => {
                    let r = t.render(&components);
                    if let Some(h) = r.header {
                        let _ = write!(html, r#"<div class="hd">{}</div>"#, escape(&h));
                    }
                    let _ = write!(html, r#"<div class="bd">{}</div>"#, escape(&r.body));
                    if let Some(f) = r.footer {
                        let _ = write!(html, r#"<div class="ft">{}</div>"#, escape(&f));
                    }
                    let mut urls = r.urls.iter();
                    for b in r.buttons {
                        // A URL button is a real link, as the shopper taps it in WhatsApp.
                        match urls.next().filter(|_| b.starts_with('🔗')) {
                            Some(u) => {
                                let _ = write!(
                                    html,
                                    r#"<div class="btn"><a href="{}">{}</a></div>"#,
                                    escape(u),
                                    escape(&b)
                                );
                            }
                            None => {
                                let _ = write!(html, r#"<div class="btn">{}</div>"#, escape(&b));
                            }
                        }
                    }
                }
                None => {
                    let _ = write!(
                        html,
                        r#"<div class="bd">{}</div>"#,
                        escape(&request.to_string())
                    );
                }
            }
        } else {
            html.push_str("text</div>");
            let body = request
                .pointer("/text/body")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let _ = write!(html, r#"<div class="bd">{}</div>"#, escape(body));
        }
        let _ = write!(
            html,
            r#"<div class="st">{} {}"#,
            escape(&time_of(m["created_at_ms"].as_i64().unwrap_or(0))),
            ticks(status)
        );
        if let Some(code) = m["error_code"].as_i64() {
            let _ = write!(html, " ({code})");
        }
        if let Some(inj) = m["injected"].as_str() {
            let _ = write!(
                html,
                r#" <span class="inj">injected {}</span>"#,
                escape(inj)
            );
        }
        if let Some(b) = m["biz_opaque_callback_data"].as_str() {
            let _ = write!(html, r#" <span class="biz">{}</span>"#, escape(b));
        }
        let _ = write!(
            html,
            r#"<div class="id">{}</div></div></div>"#,
            escape(m["wamid"].as_str().unwrap_or_default())
        );
        items.push((m["created_at_ms"].as_i64().unwrap_or(0), html));
    }
    for i in &inbound {
        let from = i["from"].as_str().unwrap_or_default();
        if to.is_some_and(|t| t != from) {
            continue;
        }
        let text = i["text"].as_str().unwrap_or_default();
        let kind = if i["type"] == "button" {
            "tapped button"
        } else {
            "wrote"
        };
        let html = format!(
            r#"<div class="msg in"><div class="meta">+{} {}</div><div class="bd">{}</div><div class="st">{}</div></div>"#,
            escape(from),
            kind,
            escape(text),
            escape(&time_of(i["at_ms"].as_i64().unwrap_or(0)))
        );
        items.push((i["at_ms"].as_i64().unwrap_or(0), html));
    }
    items.sort_by_key(|item| std::cmp::Reverse(item.0));
    let mut page = String::from(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="3">
<title>CartPinger sandbox inbox</title><style>
body{font-family:system-ui,sans-serif;background:#efeae2;margin:0;padding:1em}
h1{font-size:1.1em}.msg{max-width:36em;margin:.6em 0;padding:.5em .8em;border-radius:.6em;background:#fff;box-shadow:0 1px 1px #0002}
.out{margin-left:auto;background:#d9fdd3}.meta{font-size:.75em;color:#667}.hd{font-weight:bold}.bd{white-space:pre-wrap}
.ft{font-size:.8em;color:#667}.btn{border-top:1px solid #0001;color:#027eb5;text-align:center;padding:.2em}
.st{font-size:.75em;color:#667;text-align:right}.t.read{color:#53bdeb}.t.failed{color:#c00}.id{font-size:.65em;color:#99a;word-break:break-all}
.inj{color:#a60}.biz{color:#576}</style></head><body><h1>CartPinger sandbox — inbox</h1>
"#,
    );
    if items.is_empty() {
        page.push_str("<p>No messages yet.</p>");
    }
    for (_, html) in items {
        page.push_str(&html);
        page.push('\n');
    }
    page.push_str("</body></html>\n");
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
