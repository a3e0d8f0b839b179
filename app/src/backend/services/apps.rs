use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait,
};

use super::api_keys::{self, NewKey};
use crate::backend::{ServiceError, entities::apps, secrets};

const MAX_NAME_CHARS: usize = 64;
const MAX_DESCRIPTION_CHARS: usize = 1000;

/// Creates an app for `owner_id` together with its first API key ("Default").
pub async fn create(
    db: &DatabaseConnection,
    owner_id: i64,
    name: &str,
    description: &str,
) -> Result<(apps::Model, NewKey), ServiceError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(ServiceError::invalid("name", "must be 1 to 64 characters"));
    }
    let description = description.trim();
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(ServiceError::invalid(
            "description",
            "must be at most 1000 characters",
        ));
    }
    let taken = || ServiceError::Conflict(format!("you already have an app named {name:?}"));
    let exists = apps::Entity::find()
        .filter(apps::Column::OwnerId.eq(owner_id))
        .filter(apps::Column::Name.eq(name))
        .one(db)
        .await?;
    if exists.is_some() {
        return Err(taken());
    }
    let txn = db.begin().await?;
    let row = apps::ActiveModel {
        owner_id: Set(owner_id),
        name: Set(name.to_string()),
        description: Set(description.to_string()),
        public_key: Set(secrets::random_hex(16)),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    let app = apps::Entity::insert(row)
        .exec_with_returning(&txn)
        .await
        .map_err(|e| ServiceError::conflict_on_unique(e, taken().to_string()))?;
    let key = api_keys::create(&txn, app.id, "Default").await?;
    txn.commit().await?;
    Ok((app, key))
}

/// The DSN official Sentry SDKs use: `scheme://<public_key>@<host>/<app_id>`.
pub fn dsn(public_url: &str, app: &apps::Model) -> String {
    let (scheme, rest) = public_url.split_once("://").unwrap_or(("http", public_url));
    let rest = rest.trim_end_matches('/');
    format!("{scheme}://{}@{rest}/{}", app.public_key, app.id)
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
}
