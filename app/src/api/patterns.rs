//! Log patterns and the summary of the signed-in user's apps. Another user's app answers
//! "not found", exactly like one that does not exist.
use leptos::prelude::*;

use super::AppError;
use crate::model::{
    apps::AppView,
    patterns::{PatternList, Summary},
};

/// The app's patterns over the range the parameters name (`stats_period`, or `start` and
/// `end` in RFC 3339, as in the log view's URL; the last 24 hours by default).
#[server(prefix = "/app", endpoint = "patterns/list")]
pub async fn list_patterns(
    app_id: i64,
    stats_period: Option<String>,
    start: Option<String>,
    end: Option<String>,
) -> Result<(AppView, PatternList), AppError> {
    use crate::backend::services::patterns;

    let (state, user) = super::apps::server::owner().await?;
    let app = crate::backend::services::apps::owned(&state.db, user.id, app_id).await?;
    let range = patterns::range_of(stats_period, start, end);
    let now = state.clock.now();
    let list = patterns::list(&state.db, app.id, range, now).await?;
    Ok((super::apps::server::app_view(&state, app), list))
}

/// The summary card of the app for the range (parameters as for `list_patterns`).
#[server(prefix = "/app", endpoint = "patterns/summary")]
pub async fn app_summary(
    app_id: i64,
    stats_period: Option<String>,
    start: Option<String>,
    end: Option<String>,
) -> Result<Summary, AppError> {
    use crate::backend::services::patterns;

    let (state, user) = super::apps::server::owner().await?;
    let app = crate::backend::services::apps::owned(&state.db, user.id, app_id).await?;
    let range = patterns::range_of(stats_period, start, end);
    let now = state.clock.now();
    Ok(patterns::summary(&state.db, &state.digests, &app, range, now).await?)
}
