//! A rule's settings: what it watches, when it fires, how often it may notify and where.
//! One form for a new rule and an existing one; a plain POST without JavaScript. The fields a
//! kind does not use are hidden (and still sent); the server renders them hidden already for
//! the rule's kind, the browser then follows the "Alert when" choice.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    api::alerts::SaveAlertRule,
    components::{FieldError, FormError},
    model::alerts::{
        ChannelView, Comparison, MAX_COOLDOWN_MINUTES, MAX_NAME_LEN, MAX_SECRET_LEN, MAX_URL_LEN,
        MAX_WINDOW_MINUTES, MIN_WINDOW_MINUTES, RuleKind, RuleView,
    },
};

/// The fields the server names in its errors, each shown under its input.
const FIELDS: &[&str] = &[
    "name",
    "kind",
    "query",
    "environment",
    "window_minutes",
    "comparison",
    "threshold",
    "cooldown_minutes",
    "webhook_url",
    "webhook_secret",
    "slack_url",
    "email_to",
];

/// What a new rule takes from its URL: the search of the log view it was set from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Prefill {
    pub query: String,
    pub environment: Option<String>,
}

/// Otherwise a new rule starts as "more than 10 such lines in 5 minutes", notifying at most
/// every 15 minutes.
const DEFAULT_WINDOW_MINUTES: u32 = 5;
const DEFAULT_THRESHOLD: &str = "10";
const DEFAULT_COOLDOWN_MINUTES: u32 = 15;

#[component]
pub fn RuleForm(
    app_id: i64,
    /// The rule being changed; `None` for a new one.
    rule: Option<RuleView>,
    prefill: Prefill,
    /// Whether the server can send email (it has SMTP settings).
    email_enabled: bool,
    save: ServerAction<SaveAlertRule>,
) -> impl IntoView {
    let is_new = rule.is_none();
    let rule_id = rule.as_ref().map_or(0, |r| r.id);
    let initial_kind = rule.as_ref().map_or(RuleKind::Threshold, |r| r.kind);
    let initial_comparison = rule.as_ref().map_or(Comparison::Above, |r| r.comparison);
    let name = rule.as_ref().map(|r| r.name.clone()).unwrap_or_default();
    let query = rule.as_ref().map_or(prefill.query, |r| r.query.clone());
    let environment = match &rule {
        Some(rule) => rule.environment.clone(),
        None => prefill.environment,
    }
    .unwrap_or_default();
    let window = rule
        .as_ref()
        .map_or(DEFAULT_WINDOW_MINUTES, |r| r.window_minutes);
    let threshold = rule
        .as_ref()
        .map_or(DEFAULT_THRESHOLD.to_string(), |r| r.threshold.to_string());
    let cooldown = rule
        .as_ref()
        .map_or(DEFAULT_COOLDOWN_MINUTES, |r| r.cooldown_minutes);
    let enabled = rule.as_ref().is_none_or(|r| r.enabled);
    let channels = rule.map(|r| r.channels).unwrap_or_default();
    let channel = |kind: &str| channels.iter().find(|c| c.kind == kind).cloned();
    let webhook = channel("webhook");
    let signed = webhook.as_ref().is_some_and(|c| c.signed);
    let target = |c: Option<ChannelView>| c.map(|c| c.target).unwrap_or_default();
    let (webhook_url, slack_url, email_to) = (
        target(webhook),
        target(channel("slack")),
        target(channel("email")),
    );

    let kind = RwSignal::new(initial_kind);
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let invalid = move |field: &'static str| {
        move || {
            error
                .get()
                .is_some_and(|e| e.field() == Some(field))
                .then_some("true")
        }
    };
    let pending = save.pending();
    let saved = move || !is_new && matches!(save.value().get(), Some(Ok(_)));
    let kinds = RuleKind::ALL
        .into_iter()
        .map(|k| view! { <option value=k.as_str() selected=k == initial_kind>{k.label()}</option> })
        .collect_view();
    let comparisons = [
        (Comparison::Above, "Above the threshold"),
        (Comparison::Below, "Below the threshold"),
    ]
    .into_iter()
    .map(|(c, label)| {
        view! { <option value=c.as_str() selected=c == initial_comparison>{label}</option> }
    })
    .collect_view();
    let unit = move || match kind.get() {
        RuleKind::ErrorRate => "% of lines",
        _ => "lines",
    };
    let email = if email_enabled {
        view! {
            <div class="field">
                <label for="rule-email">"Email to"</label>
                <input id="rule-email" name="rule[email_to]" type="text" value=email_to autocomplete="off"
                    placeholder="oncall@example.com, ada@example.com"
                    aria-invalid=invalid("email_to") aria-describedby="rule-email-error"/>
                <p class="field-hint">"Addresses separated by commas, up to 10."</p>
                <FieldError error field="email_to" id="rule-email-error"/>
            </div>
        }
        .into_any()
    } else {
        // A disabled input is not sent, and the server refuses addresses it cannot mail: the
        // hidden input sends none (saving drops addresses the rule had before).
        let note = if email_to.is_empty() {
            "Email is off: this server has no SMTP settings (LODESTAR_SMTP_URL)."
        } else {
            "Email is off: this server has no SMTP settings (LODESTAR_SMTP_URL). Saving removes these addresses."
        };
        view! {
            <div class="field">
                <label for="rule-email">"Email to"</label>
                <input id="rule-email" type="text" disabled value=email_to aria-describedby="rule-email-note"/>
                <input type="hidden" name="rule[email_to]" value=""/>
                <p id="rule-email-note" class="field-hint">{note}</p>
                <FieldError error field="email_to" id="rule-email-error"/>
            </div>
        }
        .into_any()
    };
    view! {
        <ActionForm action=save attr:class="rule-form">
            <input type="hidden" name="app_id" value=app_id/>
            <input type="hidden" name="rule_id" value=rule_id/>
            <div class="field">
                <label for="rule-name">"Name"</label>
                <input id="rule-name" name="rule[name]" type="text" required maxlength=MAX_NAME_LEN value=name
                    placeholder="Checkout errors" autocomplete="off"
                    aria-invalid=invalid("name") aria-describedby="rule-name-error"/>
                <FieldError error field="name" id="rule-name-error"/>
            </div>
            <div class="rule-form-grid">
                <div class="field">
                    <label for="rule-kind">"Alert when"</label>
                    <select id="rule-kind" name="rule[kind]" aria-invalid=invalid("kind") aria-describedby="rule-kind-error"
                        on:change=move |ev| {
                            if let Some(k) = RuleKind::parse(&event_target_value(&ev)) {
                                kind.set(k);
                            }
                        }>
                        {kinds}
                    </select>
                    <FieldError error field="kind" id="rule-kind-error"/>
                </div>
                <div class="field">
                    <label for="rule-environment">"Environment"</label>
                    <input id="rule-environment" name="rule[environment]" type="text" value=environment
                        placeholder="Every environment" autocomplete="off"
                        aria-invalid=invalid("environment") aria-describedby="rule-environment-error"/>
                    <FieldError error field="environment" id="rule-environment-error"/>
                </div>
            </div>
            <div class="field" hidden=move || kind.get() != RuleKind::Threshold>
                <label for="rule-query">"Search"</label>
                <input id="rule-query" name="rule[query]" type="text" class="mono" value=query
                    spellcheck="false" autocomplete="off" placeholder="level:error timeout"
                    aria-invalid=invalid("query") aria-describedby="rule-query-hint rule-query-error"/>
                <p id="rule-query-hint" class="field-hint">"The log view's search language; empty counts every line."</p>
                <FieldError error field="query" id="rule-query-error"/>
            </div>
            <div class="rule-form-grid">
                <div class="field" hidden=move || !kind.get().has_window()>
                    <label for="rule-window">"Window (minutes)"</label>
                    <input id="rule-window" name="rule[window_minutes]" type="number" inputmode="numeric" required
                        min=MIN_WINDOW_MINUTES max=MAX_WINDOW_MINUTES step="1" value=window
                        aria-invalid=invalid("window_minutes") aria-describedby="rule-window-error"/>
                    <FieldError error field="window_minutes" id="rule-window-error"/>
                </div>
                <div class="field" hidden=move || kind.get() != RuleKind::Threshold>
                    <label for="rule-comparison">"Fire when the count is"</label>
                    <select id="rule-comparison" name="rule[comparison]"
                        aria-invalid=invalid("comparison") aria-describedby="rule-comparison-error">
                        {comparisons}
                    </select>
                    <FieldError error field="comparison" id="rule-comparison-error"/>
                </div>
                <div class="field" hidden=move || !kind.get().has_window()>
                    <label for="rule-threshold">"Threshold"</label>
                    <div class="input-unit">
                        <input id="rule-threshold" name="rule[threshold]" type="number" inputmode="decimal" required
                            min="0" max=move || (kind.get() == RuleKind::ErrorRate).then_some("100")
                            step="any" value=threshold
                            aria-invalid=invalid("threshold") aria-describedby="rule-threshold-unit rule-threshold-error"/>
                        <span id="rule-threshold-unit" class="input-unit-label">{unit}</span>
                    </div>
                    <FieldError error field="threshold" id="rule-threshold-error"/>
                </div>
                <div class="field">
                    <label for="rule-cooldown">"Cooldown (minutes)"</label>
                    <input id="rule-cooldown" name="rule[cooldown_minutes]" type="number" inputmode="numeric" required
                        min="0" max=MAX_COOLDOWN_MINUTES step="1" value=cooldown
                        aria-invalid=invalid("cooldown_minutes") aria-describedby="rule-cooldown-hint rule-cooldown-error"/>
                    <p id="rule-cooldown-hint" class="field-hint">"After notifying, the rule stays quiet this long."</p>
                    <FieldError error field="cooldown_minutes" id="rule-cooldown-error"/>
                </div>
            </div>
            <label class="field-check rule-enabled">
                <input type="checkbox" name="rule[enabled]" value="on" checked=enabled/>
                "Enabled"
            </label>
            <fieldset class="rule-channels">
                <legend>"Channels"</legend>
                <p class="field-hint">"Each notification goes to every channel filled in."</p>
                <div class="field">
                    <label for="rule-webhook">"Webhook URL"</label>
                    <input id="rule-webhook" name="rule[webhook_url]" type="url" maxlength=MAX_URL_LEN value=webhook_url
                        placeholder="https://example.com/hooks/lodestar" autocomplete="off"
                        aria-invalid=invalid("webhook_url") aria-describedby="rule-webhook-hint rule-webhook-error"/>
                    <p id="rule-webhook-hint" class="field-hint">"Receives a JSON POST each time the rule fires or resolves."</p>
                    <FieldError error field="webhook_url" id="rule-webhook-error"/>
                </div>
                <div class="field">
                    <label for="rule-webhook-secret">"Webhook secret"</label>
                    <input id="rule-webhook-secret" name="rule[webhook_secret]" type="password" maxlength=MAX_SECRET_LEN
                        autocomplete="new-password" placeholder=signed.then_some("kept")
                        aria-invalid=invalid("webhook_secret") aria-describedby="rule-webhook-secret-hint rule-webhook-secret-error"/>
                    <p id="rule-webhook-secret-hint" class="field-hint">
                        {if signed {
                            "Bodies are signed with HMAC-SHA256. Leave empty to keep the current secret."
                        } else {
                            "Optional: bodies are then signed with HMAC-SHA256."
                        }}
                    </p>
                    <FieldError error field="webhook_secret" id="rule-webhook-secret-error"/>
                </div>
                <div class="field">
                    <label for="rule-slack">"Slack webhook URL"</label>
                    <input id="rule-slack" name="rule[slack_url]" type="url" maxlength=MAX_URL_LEN value=slack_url
                        placeholder="https://hooks.slack.com/services/…" autocomplete="off"
                        aria-invalid=invalid("slack_url") aria-describedby="rule-slack-error"/>
                    <FieldError error field="slack_url" id="rule-slack-error"/>
                </div>
                {email}
            </fieldset>
            <FormError error fields=FIELDS/>
            <div class="form-actions">
                <button class="button button-primary" type="submit" disabled=pending>
                    {move || match (pending.get(), is_new) {
                        (true, _) => "Saving…",
                        (false, true) => "Create rule",
                        (false, false) => "Save rule",
                    }}
                </button>
                {move || saved().then(|| view! { <span class="form-status" role="status">"Saved."</span> })}
            </div>
        </ActionForm>
    }
}
