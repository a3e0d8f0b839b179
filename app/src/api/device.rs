//! The browser's half of the CLI device flow: the `/sdk/link` page reads a terminal's request
//! and the signed-in user approves it into one of their apps, or denies it.
use leptos::prelude::*;

use super::AppError;
use crate::model::device::{DeviceDecided, DeviceRequestView};

/// The request with this user code and the user's apps; an unknown code is not found.
#[server(prefix = "/app", endpoint = "device/request")]
pub async fn device_request(user_code: String) -> Result<DeviceRequestView, AppError> {
    use crate::{
        backend::services::{apps, device},
        model::device::{AppOption, RequestState},
    };

    let (state, user) = super::apps::server::owner().await?;
    let request = device::find(&state.db, &user_code, state.clock.now()).await?;
    let apps = apps::list(&state.db, user.id).await?;
    Ok(DeviceRequestView {
        user_code: request.row.user_code,
        client_name: request.row.client_name,
        app_name: request.row.app_name,
        state: match request.status {
            device::Status::Pending => RequestState::Pending,
            device::Status::Denied => RequestState::Denied,
            device::Status::Approved | device::Status::Consumed => RequestState::Used,
            device::Status::Expired => RequestState::Expired,
        },
        apps: apps
            .into_iter()
            .map(|a| AppOption {
                id: a.id,
                name: a.name,
            })
            .collect(),
    })
}

/// Approves the request into `app_id` (one of the user's apps) or a new app `app_name`, or
/// denies it (`decision` = `approve` | `deny`). The terminal's next poll receives a new key.
#[server(prefix = "/sdk", endpoint = "device/complete")]
pub async fn device_complete(
    user_code: String,
    decision: String,
    app_id: Option<i64>,
    app_name: Option<String>,
) -> Result<DeviceDecided, AppError> {
    use crate::{
        backend::{
            ServiceError,
            services::device::{self, AppChoice, Decision},
        },
        model::device::AppOption,
    };

    let (state, user) = super::apps::server::owner().await?;
    let decision = match decision.as_str() {
        "deny" => Decision::Deny,
        "approve" => match (app_id, app_name.filter(|n| !n.trim().is_empty())) {
            (Some(id), _) => Decision::Approve(AppChoice::Existing(id)),
            (None, Some(name)) => Decision::Approve(AppChoice::New(name)),
            (None, None) => {
                return Err(ServiceError::invalid(
                    "app_name",
                    "name the new app, or pick one of yours",
                )
                .into());
            }
        },
        _ => return Err(ServiceError::invalid("decision", "must be approve or deny").into()),
    };
    let app = device::decide(&state.db, user.id, &user_code, decision, state.clock.now()).await?;
    Ok(DeviceDecided {
        app: app.map(|a| AppOption {
            id: a.id,
            name: a.name,
        }),
    })
}
