//! Account-level Graph calls (one request or one page walk each, on the calling thread): the
//! credentials check, the template list (every page) and a template submission.
//!
//! Every failure comes back as a [`GraphError`]: a Meta error answer or a transport failure as
//! [`GraphError::Api`] with its [`Outcome`] (classified like a send), an unreadable 2xx body
//! as [`GraphError::MalformedResponse`]. None of these calls sends a message, so a retry by
//! the caller can never duplicate one; a resubmitted template is refused by Meta with 2388024.

use cartpinger_core::graph::{
    self, CreatedTemplate, GraphConfig, GraphError, PhoneNumberInfo, TemplateInfo, TemplatePager,
    TemplateQuery,
};
use cartpinger_core::meta_error::{self, Outcome};
use cartpinger_core::transport::{Request, Response, Transport};

/// Executes `request`; a transport failure becomes [`GraphError::Api`] with its outcome.
fn execute(transport: &dyn Transport, request: &Request) -> Result<Response, GraphError> {
    transport
        .execute(request)
        .map_err(|error| GraphError::Api(meta_error::outcome_from_transport_error(&error)))
}

/// `GET /{phone-number-id}`: who the configured number is (the credentials check).
///
/// When the Graph version refuses one of the extended fields (code 100), the call is repeated
/// once with [`graph::PHONE_NUMBER_BASIC_FIELDS`].
///
/// # Errors
/// [`GraphError::Api`] (190 → fatal: bad token) or [`GraphError::MalformedResponse`].
pub fn check_credentials(
    transport: &dyn Transport,
    config: &GraphConfig,
) -> Result<PhoneNumberInfo, GraphError> {
    let response = execute(transport, &graph::build_phone_number_info(config))?;
    match graph::parse_phone_number_info(&response) {
        Err(GraphError::Api(Outcome::Permanent { code: 100, .. })) => {
            let basic =
                graph::build_phone_number_info_fields(config, graph::PHONE_NUMBER_BASIC_FIELDS);
            graph::parse_phone_number_info(&execute(transport, &basic)?)
        }
        other => other,
    }
}

/// The WABA's `marketing_messages_onboarding_status` (`ONBOARDED` once the business accepted the
/// Marketing Messages API terms; `""` when Meta did not return the field).
///
/// # Errors
/// [`GraphError::Api`] or [`GraphError::MalformedResponse`].
pub fn marketing_onboarding(
    transport: &dyn Transport,
    config: &GraphConfig,
) -> Result<String, GraphError> {
    let response = execute(transport, &graph::build_marketing_onboarding(config))?;
    graph::parse_marketing_onboarding(&response)
}

/// Every template of the WhatsApp Business Account, following the `after` cursor over all
/// pages (`page_size` 1–100 per page; the pager stops on a repeated cursor or after
/// [`TemplatePager::MAX_PAGES`] pages).
///
/// # Errors
/// The first page that fails: [`GraphError::Api`] or [`GraphError::MalformedResponse`].
pub fn list_templates(
    transport: &dyn Transport,
    config: &GraphConfig,
    page_size: u16,
) -> Result<Vec<TemplateInfo>, GraphError> {
    let mut pager = TemplatePager::new(TemplateQuery {
        limit: page_size.clamp(1, 100),
        ..TemplateQuery::default()
    });
    let mut all = Vec::new();
    while let Some(request) = pager.next_request(config) {
        let response = execute(transport, &request)?;
        all.extend(pager.advance(&response)?);
    }
    Ok(all)
}

/// `POST /{waba-id}/message_templates` with a definition from
/// `cartpinger_core::catalog::create_request_body`.
///
/// # Errors
/// [`GraphError::InvalidInput`] (body not serialisable), [`GraphError::Api`] (a duplicate is
/// 2388024, "already exists"), [`GraphError::MalformedResponse`].
pub fn submit_template(
    transport: &dyn Transport,
    config: &GraphConfig,
    definition: &serde_json::Value,
) -> Result<CreatedTemplate, GraphError> {
    let request = graph::build_create_template(config, definition)?;
    graph::parse_create_template_response(&execute(transport, &request)?)
}

/// `POST /{template-id}` with the components of a definition from
/// `cartpinger_core::catalog::create_request_body`: the template keeps its id and name and goes
/// back to Meta's review (used to fix the URL button of an approved template).
///
/// # Errors
/// [`GraphError::InvalidInput`] (id not numeric, no components), [`GraphError::Api`] (e.g. the
/// edit limit), [`GraphError::MalformedResponse`].
pub fn edit_template(
    transport: &dyn Transport,
    config: &GraphConfig,
    template_id: &str,
    definition: &serde_json::Value,
) -> Result<(), GraphError> {
    let request = graph::build_edit_template(config, template_id, definition)?;
    graph::parse_edit_template_response(&execute(transport, &request)?)
}
