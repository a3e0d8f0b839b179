//! Reading an app's lines for its owner: the view's state (query, range, environment) is
//! checked here once, then the storage layer (`backend::store`) runs it.
use sea_orm::DatabaseConnection;

use crate::{
    backend::{
        ServiceError,
        entities::apps,
        services,
        store::search::{self, LogFilter},
    },
    model::{
        logs::{LogSearch, Range},
        query::{self, Expr},
    },
};

/// The longest fixed range a view may ask for (the longest period is 90 days).
const MAX_SPAN_US: i64 = 366 * 86_400 * 1_000_000;
/// Bytes of query text accepted.
pub const MAX_QUERY_LEN: usize = 2_000;
/// The environment column's size.
const MAX_ENVIRONMENT_LEN: usize = 64;

/// A checked view of one of the user's apps: the owner's app, the parsed query and the
/// instants the range resolved to.
#[derive(Debug)]
pub struct Selection {
    pub app: apps::Model,
    pub query: Option<Expr>,
    pub start_us: i64,
    pub end_us: i64,
    pub environment: Option<String>,
}

impl Selection {
    pub fn filter(&self) -> LogFilter<'_> {
        LogFilter {
            app_id: self.app.id,
            start_us: self.start_us,
            end_us: self.end_us,
            environment: self.environment.as_deref(),
            query: self.query.as_ref(),
        }
    }
}

/// Checks `search` against app `app_id` of `owner_id` at `now_us`. Another user's app is
/// not found; a query that does not parse is invalid, with the position in the message.
pub async fn select(
    db: &DatabaseConnection,
    owner_id: i64,
    app_id: i64,
    search: &LogSearch,
    now_us: i64,
) -> Result<Selection, ServiceError> {
    let app = services::apps::owned(db, owner_id, app_id).await?;
    let (query, start_us, end_us, environment) = check(search, now_us)?;
    Ok(Selection {
        app,
        query,
        start_us,
        end_us,
        environment,
    })
}

type Checked = (Option<Expr>, i64, i64, Option<String>);

/// The parts of `search` that need no database: the query tree, the range and environment.
pub fn check(search: &LogSearch, now_us: i64) -> Result<Checked, ServiceError> {
    if search.q.len() > MAX_QUERY_LEN {
        return Err(ServiceError::invalid(
            "q",
            format!("the query is longer than {MAX_QUERY_LEN} characters"),
        ));
    }
    let query = query::parse(&search.q).map_err(|e| ServiceError::invalid("q", e.to_string()))?;
    let (start_us, end_us) = search.range.bounds(now_us);
    if let Range::Between { .. } = search.range
        && (start_us >= end_us || end_us - start_us > MAX_SPAN_US)
    {
        return Err(ServiceError::invalid(
            "range",
            "the range must end after it starts and span at most a year",
        ));
    }
    let environment = check_environment(search.environment.as_deref().unwrap_or_default())?;
    Ok((query, start_us, end_us, environment))
}

/// An environment as typed: none when empty, refused when longer than the column.
pub fn check_environment(text: &str) -> Result<Option<String>, ServiceError> {
    if text.len() > MAX_ENVIRONMENT_LEN {
        return Err(ServiceError::invalid(
            "environment",
            format!("environments are at most {MAX_ENVIRONMENT_LEN} bytes"),
        ));
    }
    Ok(Some(text.to_string()).filter(|e| !e.is_empty()))
}

/// The histogram's bar count on the page.
pub const HISTOGRAM_BARS: i64 = 60;
/// Lines per page in the view.
pub const PAGE_LINES: u32 = 100;

pub use search::{environments, health, latest_id};
