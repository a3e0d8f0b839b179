use leptos::server_fn::{
    ServerFnError,
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// What a server function can answer instead of a value, shown in place by the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    Invalid { field: String, message: String },
    #[error("{0}")]
    Unauthorized(String),
    #[error("Too many attempts. Try again in {retry_after_secs} seconds.")]
    RateLimited { retry_after_secs: u64 },
    #[error("Not found.")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("Something went wrong on our side. Try again in a moment.")]
    Internal,
    #[error("Could not reach Lodestar ({0}). Check your connection and try again.")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// Arguments that do not decode are the caller's fault (400); the rest is transport.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(message)
            | ServerFnErrorErr::Deserialization(message)
            | ServerFnErrorErr::MissingArg(message) => {
                let error = AppError::Invalid {
                    field: "request".into(),
                    message,
                };
                #[cfg(feature = "ssr")]
                let error = error.with_status();
                error
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

impl From<ServerFnError> for AppError {
    fn from(value: ServerFnError) -> Self {
        AppError::Transport(value.to_string())
    }
}

impl AppError {
    /// The field a validation error belongs to, to show it beside that field.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

#[cfg(feature = "ssr")]
mod server {
    use http::{HeaderValue, StatusCode, header::RETRY_AFTER};
    use leptos::prelude::use_context;
    use leptos_axum::ResponseOptions;

    use super::AppError;
    use crate::backend::ServiceError;

    impl AppError {
        /// Sets the HTTP status that goes with this error on the current response.
        pub fn with_status(self) -> Self {
            if let Some(response) = use_context::<ResponseOptions>() {
                let status = match &self {
                    AppError::Invalid { .. } => StatusCode::BAD_REQUEST,
                    AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
                    AppError::RateLimited { retry_after_secs } => {
                        response.insert_header(RETRY_AFTER, HeaderValue::from(*retry_after_secs));
                        StatusCode::TOO_MANY_REQUESTS
                    }
                    AppError::NotFound => StatusCode::NOT_FOUND,
                    AppError::Conflict(_) => StatusCode::CONFLICT,
                    AppError::Internal | AppError::Transport(_) => {
                        StatusCode::INTERNAL_SERVER_ERROR
                    }
                };
                response.set_status(status);
            }
            self
        }
    }

    impl From<ServiceError> for AppError {
        fn from(error: ServiceError) -> Self {
            match error {
                ServiceError::NotFound(_) | ServiceError::Forbidden => AppError::NotFound,
                ServiceError::Invalid { field, message } => AppError::Invalid {
                    field: field.into(),
                    message: capitalise(&message),
                },
                ServiceError::Conflict(message) => AppError::Conflict(capitalise(&message)),
                ServiceError::Unauthorized(message) => AppError::Unauthorized(message),
                ServiceError::RateLimited { retry_after_secs } => {
                    AppError::RateLimited { retry_after_secs }
                }
                ServiceError::Db(e) => {
                    tracing::error!(error = %e, "database error in a server function");
                    AppError::Internal
                }
            }
            .with_status()
        }
    }

    impl From<sea_orm::DbErr> for AppError {
        fn from(error: sea_orm::DbErr) -> Self {
            ServiceError::Db(error).into()
        }
    }

    fn capitalise(message: &str) -> String {
        let mut chars = message.chars();
        let first = chars
            .next()
            .map(|c| c.to_uppercase().to_string())
            .unwrap_or_default();
        let rest: String = chars.collect();
        let sentence = format!("{first}{rest}");
        if sentence.ends_with('.') {
            sentence
        } else {
            format!("{sentence}.")
        }
    }
}
