//! What is stored of an error event: the issue page's [`EventDetail`] (as JSON) and the
//! [`NewEvent`] the writer groups into an issue.
use serde_json::Value;

use super::{Breadcrumb, ErrorEvent, Frame, Stacktrace};
use crate::backend::ingest::NewEvent;
use crate::backend::sentry::Grouping;
use crate::backend::services::issues::USER_TAG;
use crate::model::issues::{
    BreadcrumbView, EventDetail, ExceptionView, FrameView, RequestView, UserView,
};

impl ErrorEvent {
    /// The event as the issue page shows it.
    pub fn detail(&self) -> EventDetail {
        let sdk = self
            .sdk
            .as_ref()
            .and_then(|sdk| match (&sdk.name, &sdk.version) {
                (Some(name), Some(version)) => Some(format!("{name}/{version}")),
                (Some(name), None) => Some(name.clone()),
                _ => None,
            });
        EventDetail {
            title: self.title(),
            culprit: self.culprit().unwrap_or_default(),
            message: self.message.clone(),
            exceptions: self
                .exceptions
                .iter()
                .map(|exception| {
                    let mechanism = exception.mechanism.as_ref();
                    ExceptionView {
                        ty: exception.ty.clone(),
                        value: exception.value.clone(),
                        module: exception.module.clone(),
                        mechanism: mechanism.and_then(|m| m.ty.clone()),
                        handled: mechanism.and_then(|m| m.handled),
                        frames: frames(exception.stacktrace.as_ref()),
                        frames_omitted: exception
                            .stacktrace
                            .as_ref()
                            .map_or(0, |trace| trace.frames_omitted),
                    }
                })
                .collect(),
            thread_frames: frames(self.thread_stacktrace.as_ref()),
            breadcrumbs: self.breadcrumbs.iter().map(breadcrumb).collect(),
            tags: self.tags.clone(),
            user: self.user.as_ref().map(|user| UserView {
                id: user.id.clone(),
                email: user.email.clone(),
                username: user.username.clone(),
                ip_address: user.ip_address.clone(),
            }),
            request: self.request.as_ref().map(|request| RequestView {
                url: request.url.clone(),
                method: request.method.clone(),
                headers: request.headers.clone(),
                query_string: request.query_string.clone(),
                data: request.data.as_ref().map(pretty),
            }),
            contexts: self
                .contexts
                .iter()
                .map(|(name, value)| (name.clone(), pretty(value)))
                .collect(),
            extra: (!self.extra.is_empty()).then(|| pretty(&Value::Object(self.extra.clone()))),
            platform: self.platform.clone(),
            logger: self.logger.clone(),
            transaction: self.transaction.clone(),
            server_name: self.server_name.clone(),
            trace_id: self.trace_id.clone(),
            sdk,
            fingerprint: self.fingerprint.clone(),
            truncated: truncated(self),
        }
    }

    /// The event for the writer, grouped by `grouping`; `line` is the index of its log line
    /// among the request's lines, and `event_id` the id it is stored under.
    pub fn to_new_event(&self, grouping: &Grouping, event_id: String, line: usize) -> NewEvent {
        let mut tags: Vec<(String, String)> = Vec::with_capacity(self.tags.len() + 5);
        let mut put = |key: &str, value: Option<&str>| {
            if let Some(value) = value.filter(|v| !v.is_empty())
                && !tags.iter().any(|(k, _)| k == key)
            {
                tags.push((key.to_string(), value.to_string()));
            }
        };
        put("environment", self.environment.as_deref());
        put("release", self.release.as_deref());
        put("level", Some(self.level.name()));
        let user = self.user.as_ref().map(|user| UserView {
            id: user.id.clone(),
            email: user.email.clone(),
            username: user.username.clone(),
            ip_address: user.ip_address.clone(),
        });
        put(USER_TAG, user.as_ref().and_then(UserView::key));
        put("server_name", self.server_name.as_deref());
        for (key, value) in &self.tags {
            put(key, Some(value));
        }
        NewEvent {
            line,
            event_id,
            hash: grouping.hash.clone(),
            title: grouping.title.clone(),
            culprit: grouping.culprit.clone(),
            grouping: serde_json::to_string(&grouping_components(grouping))
                .unwrap_or_else(|_| "[]".into()),
            level: self.level,
            ts: self.timestamp,
            received_at: self.received_at,
            environment: self.environment.clone(),
            release: self.release.clone(),
            tags,
            payload: serde_json::to_string(&self.detail()).unwrap_or_else(|_| "{}".into()),
        }
    }
}

/// The rule's name, then what was hashed.
fn grouping_components(grouping: &Grouping) -> Vec<String> {
    let mut out = vec![grouping.source.as_str().to_string()];
    out.extend(grouping.components.iter().cloned());
    out
}

fn frames(trace: Option<&Stacktrace>) -> Vec<FrameView> {
    trace.map_or_else(Vec::new, |trace| trace.frames.iter().map(frame).collect())
}

fn frame(frame: &Frame) -> FrameView {
    FrameView {
        filename: frame.filename.clone(),
        abs_path: frame.abs_path.clone(),
        module: frame.module.clone(),
        function: frame.function.clone(),
        lineno: frame.lineno,
        colno: frame.colno,
        in_app: frame.in_app == Some(true),
        context_line: frame.context_line.clone(),
        pre_context: frame.pre_context.clone(),
        post_context: frame.post_context.clone(),
        vars: frame.vars.as_ref().map(pretty),
    }
}

fn breadcrumb(crumb: &Breadcrumb) -> BreadcrumbView {
    BreadcrumbView {
        ts: crumb.timestamp,
        ty: crumb.ty.clone(),
        category: crumb.category.clone(),
        level: crumb.level,
        message: crumb.message.clone(),
        data: crumb.data.as_ref().map(pretty),
    }
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

fn truncated(event: &ErrorEvent) -> Vec<String> {
    let t = &event.truncation;
    let mut out = Vec::new();
    for (count, what) in [
        (t.exceptions, "oldest exceptions of the chain dropped"),
        (t.frames, "outermost frames dropped"),
        (t.breadcrumbs, "oldest breadcrumbs dropped"),
        (t.strings, "values cut to their limit"),
        (t.values, "JSON values dropped for size"),
    ] {
        if count > 0 {
            out.push(format!("{count} {what}"));
        }
    }
    if !t.invalid.is_empty() {
        out.push(format!("ignored as unreadable: {}", t.invalid.join(", ")));
    }
    out
}
