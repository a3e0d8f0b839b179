//! Alert rules of the signed-in user's apps, their history and test deliveries. Another
//! user's app or rule answers "not found", exactly like one that does not exist.
use leptos::prelude::*;

use super::AppError;
use crate::model::{
    alerts::{AlertsOverview, RuleDetail, RuleFields, TestOutcome},
    apps::AppView,
};

/// The app's rules with their state, and the latest history of all of them.
#[server(prefix = "/app", endpoint = "alerts/overview")]
pub async fn list_alerts(app_id: i64) -> Result<(AppView, AlertsOverview), AppError> {
    use crate::backend::services::alerts;

    let (state, user) = super::apps::server::owner().await?;
    let app = crate::backend::services::apps::owned(&state.db, user.id, app_id).await?;
    let overview = alerts::overview(&state.db, &state.alerts, &app).await?;
    Ok((super::apps::server::app_view(&state, app), overview))
}

/// One rule, for its page: its settings, state and history.
#[server(prefix = "/app", endpoint = "alerts/rule")]
pub async fn get_alert_rule(app_id: i64, rule_id: i64) -> Result<(AppView, RuleDetail), AppError> {
    use crate::backend::services::alerts;

    let (state, user) = super::apps::server::owner().await?;
    let app = crate::backend::services::apps::owned(&state.db, user.id, app_id).await?;
    let detail = alerts::detail(&state.db, &state.alerts, &app, rule_id).await?;
    Ok((super::apps::server::app_view(&state, app), detail))
}

/// Creates a rule (`rule_id` 0) or changes one; answers the rule's id (and sends the browser
/// to the rule's page). The fields arrive as the form's text and are checked here.
#[server(prefix = "/app", endpoint = "alerts/save")]
pub async fn save_alert_rule(app_id: i64, rule_id: i64, rule: RuleFields) -> Result<i64, AppError> {
    use crate::backend::services::alerts;

    let (state, user) = super::apps::server::owner().await?;
    let app = crate::backend::services::apps::owned(&state.db, user.id, app_id).await?;
    let rule_id = (rule_id != 0).then_some(rule_id);
    let now = state.clock.now();
    let id = alerts::save(&state.db, &state.alerts, &app, rule_id, rule, now).await?;
    // Without JavaScript the form posts itself: the browser goes on to the rule's page.
    leptos_axum::redirect(&crate::model::alerts::rule_href(app.id, id));
    Ok(id)
}

/// Deletes a rule with its history, then goes to the app's alerts.
#[server(prefix = "/app", endpoint = "alerts/delete")]
pub async fn delete_alert_rule(app_id: i64, rule_id: i64) -> Result<(), AppError> {
    use crate::backend::services::alerts;

    let (state, user) = super::apps::server::owner().await?;
    let app = crate::backend::services::apps::owned(&state.db, user.id, app_id).await?;
    alerts::delete(&state.db, app.id, rule_id).await?;
    leptos_axum::redirect(&crate::model::alerts::alerts_href(app.id));
    Ok(())
}

/// Sends a sample notification to each of the rule's channels now and says how each went;
/// the test is kept in the rule's history.
#[server(prefix = "/app", endpoint = "alerts/test")]
pub async fn send_test_alert(app_id: i64, rule_id: i64) -> Result<Vec<TestOutcome>, AppError> {
    use crate::backend::services::alerts;

    let (state, user) = super::apps::server::owner().await?;
    let app = crate::backend::services::apps::owned(&state.db, user.id, app_id).await?;
    let now = state.clock.now();
    Ok(alerts::send_test(&state.db, &state.alerts, &app, rule_id, now).await?)
}
