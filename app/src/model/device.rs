//! What the approval page of the CLI device flow (`/sdk/link`) shows and answers.
use serde::{Deserialize, Serialize};

/// Where a terminal's request is, as the page tells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestState {
    /// Waiting for this user's decision.
    Pending,
    Denied,
    /// Approved or handed over: the code cannot be used again.
    Used,
    Expired,
}

/// One app the user may hand a key for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppOption {
    pub id: i64,
    pub name: String,
}

/// A terminal's request, with the user's apps to choose from (one read for the whole page).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRequestView {
    pub user_code: String,
    /// Who asks, as the terminal says (`ada@laptop`).
    pub client_name: Option<String>,
    /// The name the terminal suggests for a new app (`--app-name`).
    pub app_name: Option<String>,
    pub state: RequestState,
    pub apps: Vec<AppOption>,
}

impl DeviceRequestView {
    /// The user's app with the suggested name, if there is one: approving into it is likelier
    /// than a clash.
    pub fn matching_app(&self) -> Option<&AppOption> {
        let wanted = self.app_name.as_deref()?;
        self.apps.iter().find(|a| a.name == wanted)
    }
}

/// The answer to a decision: the app that gets the key, or none when denied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceDecided {
    pub app: Option<AppOption>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suggested_name_picks_an_existing_app() {
        let mut view = DeviceRequestView {
            user_code: "BCDF-GHJK".into(),
            client_name: None,
            app_name: Some("shop".into()),
            state: RequestState::Pending,
            apps: vec![
                AppOption {
                    id: 1,
                    name: "api".into(),
                },
                AppOption {
                    id: 2,
                    name: "shop".into(),
                },
            ],
        };
        assert_eq!(view.matching_app().map(|a| a.id), Some(2));
        view.app_name = Some("new".into());
        assert!(view.matching_app().is_none());
    }
}
