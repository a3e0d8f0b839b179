//! Slack's incoming-webhook format (also read by Mattermost, Rocket.Chat and Discord's
//! `/slack` endpoints): a `text` fallback and Block Kit blocks.
use serde_json::{Value, json};

use crate::backend::alerts::Notification;
use crate::model::alerts::EntryKind;

/// Characters of samples in the message (Slack cuts a section at 3,000).
const SAMPLES_CHARS: usize = 2_500;

pub fn payload(notification: &Notification) -> Value {
    let (mark, what) = match notification.event {
        EntryKind::Fired => (":rotating_light:", "Firing"),
        EntryKind::Resolved => (":white_check_mark:", "Resolved"),
        EntryKind::Test => (":test_tube:", "Test"),
    };
    let title = format!("{what}: {}", notification.rule.name);
    let mut facts = vec![
        format!("*App:* {}", escape(&notification.app.name)),
        format!("*Condition:* {}", escape(&notification.rule.condition)),
    ];
    if let Some(value) = &notification.value_label {
        facts.push(format!("*Measured:* {}", escape(value)));
    }
    if let Some(window) = &notification.window {
        facts.push(format!("*Window:* {} to {}", window.start, window.end));
    }
    if let Some(issue) = &notification.issue {
        facts.push(format!("*Issue:* {}", escape(&issue.title)));
    }
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": title, "emoji": true}}),
        json!({"type": "section", "text": {"type": "mrkdwn", "text": facts.join("\n")}}),
    ];
    if !notification.samples.is_empty() {
        let mut samples = String::new();
        for line in &notification.samples {
            let text = format!(
                "{} {:<5} {} {}\n",
                line.timestamp, line.level, line.service, line.message
            );
            if samples.len() + text.len() > SAMPLES_CHARS {
                break;
            }
            samples.push_str(&text);
        }
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn",
            "text": format!("```{}```", escape(samples.trim_end()).replace("```", "'''"))}}));
    }
    blocks.push(json!({"type": "actions", "elements": [{"type": "button",
        "text": {"type": "plain_text", "text": if notification.issue.is_some() { "View issue" } else { "View lines" }},
        "url": notification.link}]}));
    json!({
        "text": format!("{mark} {title} ({}): {}", notification.app.name, notification.summary),
        "blocks": blocks,
    })
}

/// Slack's three control characters in text.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
