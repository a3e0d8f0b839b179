//! Issues (grouped error events) of the signed-in user's apps. Another user's app or issue
//! answers "not found", exactly like one that does not exist.
use leptos::prelude::*;

use super::AppError;
use crate::model::{
    apps::AppView,
    issues::{IssueList, IssueView},
};

/// One page (0-based) of the app's issues matching `query` (see `IssueFilter`), the most
/// recently seen first, with the app for the page header.
#[server(prefix = "/app", endpoint = "issues/list")]
pub async fn list_issues(
    app_id: i64,
    query: String,
    page: u32,
) -> Result<(AppView, IssueList), AppError> {
    use crate::{backend::services::issues, model::issues::IssueFilter};

    let (state, user) = super::apps::server::owner().await?;
    let app = crate::backend::services::apps::owned(&state.db, user.id, app_id).await?;
    let filter = IssueFilter::parse(&query).map_err(|error| {
        AppError::Invalid {
            field: "query".into(),
            message: format!("{} (at character {})", error.message, error.position + 1),
        }
        .with_status()
    })?;
    let list = issues::list(&state.db, app.id, &filter, page, chrono::Utc::now()).await?;
    Ok((super::apps::server::app_view(&state, app), list))
}

/// One issue with one of its events: `event` is `newest` (or empty), `oldest`, or an event's id.
#[server(prefix = "/app", endpoint = "issues/view")]
pub async fn get_issue(
    app_id: i64,
    issue_id: i64,
    event: Option<String>,
) -> Result<(AppView, IssueView), AppError> {
    use crate::{backend::services::issues, model::issues::EventChoice};

    let (state, user) = super::apps::server::owner().await?;
    let app = crate::backend::services::apps::owned(&state.db, user.id, app_id).await?;
    let choice =
        EventChoice::parse(event.as_deref()).ok_or_else(|| AppError::NotFound.with_status())?;
    let view = issues::view(&state.db, app.id, issue_id, &choice, chrono::Utc::now()).await?;
    Ok((super::apps::server::app_view(&state, app), view))
}

/// Resolves, ignores, reopens or deletes the listed issues of the app (`action`: `resolve`,
/// `ignore`, `reopen`, `delete`). An id that is not one of the app's issues answers
/// "not found" and nothing changes.
#[server(prefix = "/app", endpoint = "issues/update")]
pub async fn update_issues(app_id: i64, ids: Vec<i64>, action: String) -> Result<(), AppError> {
    use crate::{backend::services::issues, model::issues::IssueAction};

    let (state, user) = super::apps::server::owner().await?;
    let app = crate::backend::services::apps::owned(&state.db, user.id, app_id).await?;
    let action = IssueAction::parse(&action).ok_or_else(|| {
        AppError::Invalid {
            field: "action".into(),
            message: "action must be resolve, ignore, reopen or delete".into(),
        }
        .with_status()
    })?;
    issues::apply(&state.db, app.id, &ids, action, chrono::Utc::now()).await?;
    Ok(())
}
