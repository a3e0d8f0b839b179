//! Apps: creation with a first key, ownership, renaming, the DSN, and deletion (whose lines
//! are purged in the background, see `purges`).
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};

use super::api_keys::{self, NewKey};
use crate::backend::{
    ServiceError,
    db::begin_write,
    entities::{app_metrics, app_purges, apps, logs},
    secrets,
};

/// Apps' and keys' names, in characters.
pub(super) const MAX_NAME_CHARS: usize = 64;
const MAX_DESCRIPTION_CHARS: usize = 1000;

/// Creates an app for `owner_id` together with its first API key ("Default").
pub async fn create(
    db: &DatabaseConnection,
    owner_id: i64,
    name: &str,
    description: &str,
) -> Result<(apps::Model, NewKey), ServiceError> {
    let txn = begin_write(db).await?;
    let app = insert(&txn, owner_id, name, description).await?;
    let key = api_keys::create(&txn, app.id, "Default").await?;
    txn.commit().await?;
    Ok((app, key))
}

/// Creates an app without a key (the device flow makes its own), checking name and description.
pub(super) async fn insert(
    db: &impl ConnectionTrait,
    owner_id: i64,
    name: &str,
    description: &str,
) -> Result<apps::Model, ServiceError> {
    let name = valid_name(name, "app")?;
    let description = valid_description(description)?;
    ensure_name_free(db, owner_id, name, None).await?;
    let row = apps::ActiveModel {
        owner_id: Set(owner_id),
        name: Set(name.to_string()),
        description: Set(description.to_string()),
        public_key: Set(new_public_key()),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    apps::Entity::insert(row)
        .exec_with_returning(db)
        .await
        .map_err(|e| ServiceError::conflict_on_unique(e, name_taken(name)))
}

/// The app `app_id` if `owner_id` owns it; anyone else's (or no) app is not found.
pub async fn owned(
    db: &impl ConnectionTrait,
    owner_id: i64,
    app_id: i64,
) -> Result<apps::Model, ServiceError> {
    apps::Entity::find_by_id(app_id)
        .filter(apps::Column::OwnerId.eq(owner_id))
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("app {app_id}")))
}

/// The owner's apps, by name.
pub async fn list(
    db: &DatabaseConnection,
    owner_id: i64,
) -> Result<Vec<apps::Model>, ServiceError> {
    Ok(apps::Entity::find()
        .filter(apps::Column::OwnerId.eq(owner_id))
        .order_by_asc(apps::Column::Name)
        .order_by_asc(apps::Column::Id)
        .all(db)
        .await?)
}

/// Headline numbers of one app over the last 24 hours.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Activity {
    pub lines_24h: i64,
    pub errors_24h: i64,
    /// The newest line's timestamp (UTC µs), if the app has any.
    pub last_line_us: Option<i64>,
}

/// Activity of each app in `app_ids` as of `now`, in the same order. Counts come from the
/// per-minute metrics (one grouped read); the newest line is one index probe per app.
pub async fn activity(
    db: &DatabaseConnection,
    app_ids: &[i64],
    now: DateTime<Utc>,
) -> Result<Vec<Activity>, ServiceError> {
    if app_ids.is_empty() {
        return Ok(Vec::new());
    }
    let since_minute = now.timestamp().div_euclid(60) - 24 * 60;
    let all = "trace + debug + info + warn + error + fatal";
    let counts: Vec<(i64, Option<i64>, Option<i64>)> = app_metrics::Entity::find()
        .select_only()
        .column(app_metrics::Column::AppId)
        .column_as(Expr::cust(format!("CAST(SUM({all}) AS BIGINT)")), "lines")
        .column_as(Expr::cust("CAST(SUM(error + fatal) AS BIGINT)"), "errors")
        .filter(app_metrics::Column::AppId.is_in(app_ids.iter().copied()))
        .filter(app_metrics::Column::Minute.gt(since_minute))
        .group_by(app_metrics::Column::AppId)
        .into_tuple()
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(app_ids.len());
    for &app_id in app_ids {
        let (lines, errors) = counts
            .iter()
            .find(|(id, ..)| *id == app_id)
            .map(|(_, lines, errors)| (lines.unwrap_or(0), errors.unwrap_or(0)))
            .unwrap_or_default();
        let last_line_us: Option<i64> = logs::Entity::find()
            .select_only()
            .column(logs::Column::Ts)
            .filter(logs::Column::AppId.eq(app_id))
            .order_by_desc(logs::Column::Ts)
            .limit(1)
            .into_tuple()
            .one(db)
            .await?;
        out.push(Activity {
            lines_24h: lines,
            errors_24h: errors,
            last_line_us,
        });
    }
    Ok(out)
}

/// Renames the app and replaces its description.
pub async fn update(
    db: &DatabaseConnection,
    owner_id: i64,
    app_id: i64,
    name: &str,
    description: &str,
) -> Result<apps::Model, ServiceError> {
    let app = owned(db, owner_id, app_id).await?;
    let name = valid_name(name, "app")?;
    let description = valid_description(description)?;
    ensure_name_free(db, owner_id, name, Some(app_id)).await?;
    let mut row: apps::ActiveModel = app.into();
    row.name = Set(name.to_string());
    row.description = Set(description.to_string());
    row.update(db)
        .await
        .map_err(|e| ServiceError::conflict_on_unique(e, name_taken(name)))
}

/// Gives the app a new DSN public key; SDKs configured with the old DSN are refused from now on.
pub async fn rotate_public_key(
    db: &DatabaseConnection,
    owner_id: i64,
    app_id: i64,
) -> Result<apps::Model, ServiceError> {
    let mut row: apps::ActiveModel = owned(db, owner_id, app_id).await?.into();
    row.public_key = Set(new_public_key());
    Ok(row.update(db).await?)
}

/// Deletes the app once `confirm_name` repeats its name. Its row and keys go at once (ingest
/// refuses the keys from this moment); its logs and metrics are left to `purges::run_pending`.
pub async fn delete(
    db: &DatabaseConnection,
    owner_id: i64,
    app_id: i64,
    confirm_name: &str,
) -> Result<(), ServiceError> {
    let app = owned(db, owner_id, app_id).await?;
    if confirm_name.trim() != app.name {
        return Err(ServiceError::invalid(
            "confirm_name",
            "type the app's name exactly to delete it",
        ));
    }
    let txn = begin_write(db).await?;
    app_purges::Entity::insert(app_purges::ActiveModel {
        app_id: Set(app.id),
        requested_at: Set(Utc::now()),
    })
    .exec_without_returning(&txn)
    .await?;
    // Keys and device sessions follow by cascade.
    apps::Entity::delete_by_id(app.id).exec(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// The DSN official Sentry SDKs use: `scheme://<public_key>@<host>/<app_id>`.
pub fn dsn(public_url: &str, app: &apps::Model) -> String {
    let (scheme, rest) = public_url.split_once("://").unwrap_or(("http", public_url));
    let rest = rest.trim_end_matches('/');
    format!("{scheme}://{}@{rest}/{}", app.public_key, app.id)
}

/// A trimmed name of 1 to 64 characters, for an app or anything it holds (`what`: "key").
pub(super) fn valid_name<'a>(name: &'a str, what: &str) -> Result<&'a str, ServiceError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ServiceError::invalid(
            "name",
            format!("give the {what} a name"),
        ));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ServiceError::invalid(
            "name",
            format!("must be at most {MAX_NAME_CHARS} characters"),
        ));
    }
    Ok(name)
}

fn valid_description(description: &str) -> Result<&str, ServiceError> {
    let description = description.trim();
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(ServiceError::invalid(
            "description",
            format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    Ok(description)
}

fn name_taken(name: &str) -> String {
    format!("you already have an app named {name:?}")
}

/// A taken name is a mistake in the name field (shown beside it); the unique index is the
/// last word when two requests race, and answers a conflict.
async fn ensure_name_free(
    db: &impl ConnectionTrait,
    owner_id: i64,
    name: &str,
    except: Option<i64>,
) -> Result<(), ServiceError> {
    let mut query = apps::Entity::find()
        .filter(apps::Column::OwnerId.eq(owner_id))
        .filter(apps::Column::Name.eq(name));
    if let Some(app_id) = except {
        query = query.filter(apps::Column::Id.ne(app_id));
    }
    match query.one(db).await? {
        Some(_) => Err(ServiceError::invalid("name", name_taken(name))),
        None => Ok(()),
    }
}

fn new_public_key() -> String {
    secrets::random_hex(16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dsn_puts_the_public_key_in_the_userinfo() {
        let app = apps::Model {
            id: 7,
            owner_id: 1,
            name: "api".into(),
            description: String::new(),
            public_key: "abc123".into(),
            created_at: Utc::now(),
        };
        assert_eq!(
            dsn("http://127.0.0.1:3000", &app),
            "http://abc123@127.0.0.1:3000/7"
        );
        assert_eq!(
            dsn("https://logs.example.com/", &app),
            "https://abc123@logs.example.com/7"
        );
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(valid_name("  api  ", "app").unwrap(), "api");
        assert!(valid_name(" ", "app").is_err());
        assert!(valid_name(&"é".repeat(64), "app").is_ok());
        assert!(valid_name(&"é".repeat(65), "app").is_err());
        assert!(valid_description(&"x".repeat(1001)).is_err());
    }
}
