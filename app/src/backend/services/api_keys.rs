//! API keys: generated once, stored as a SHA-256 digest plus a short display prefix,
//! listed and revoked by the app's owner.
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder,
};

use super::apps;
use crate::backend::{
    ServiceError,
    entities::{api_keys, apps as app_rows},
    secrets,
};

/// `sk_` + 43 base62 characters: 256 bits of entropy.
const KEY_RANDOM_CHARS: usize = 43;
const DISPLAY_PREFIX_CHARS: usize = 10;

/// A key as it is shown to its owner, once.
pub struct NewKey {
    pub key: String,
    pub record: api_keys::Model,
}

/// Debug output never shows the key itself.
impl std::fmt::Debug for NewKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewKey")
            .field("key", &"<redacted>")
            .field("record", &self.record)
            .finish()
    }
}

/// A fresh random key, not yet stored.
pub fn generate() -> String {
    format!("sk_{}", secrets::random_base62(KEY_RANDOM_CHARS))
}

/// What a list may show of a key: `sk_` and the first random characters.
pub fn display_prefix(key: &str) -> String {
    key.chars().take(DISPLAY_PREFIX_CHARS).collect()
}

/// Creates a key for `app_id`; the clear key is returned here and never again.
pub async fn create(
    db: &impl ConnectionTrait,
    app_id: i64,
    name: &str,
) -> Result<NewKey, ServiceError> {
    let name = apps::valid_name(name, "key")?;
    let key = generate();
    let row = api_keys::ActiveModel {
        app_id: Set(app_id),
        name: Set(name.to_string()),
        key_sha256: Set(secrets::sha256_hex(&key)),
        display_prefix: Set(display_prefix(&key)),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    };
    let record = api_keys::Entity::insert(row)
        .exec_with_returning(db)
        .await?;
    Ok(NewKey { key, record })
}

/// A new key for an app `owner_id` owns.
pub async fn create_owned(
    db: &DatabaseConnection,
    owner_id: i64,
    app_id: i64,
    name: &str,
) -> Result<NewKey, ServiceError> {
    apps::owned(db, owner_id, app_id).await?;
    create(db, app_id, name).await
}

/// An app `owner_id` owns and every one of its keys, revoked ones included, oldest first.
pub async fn list_owned(
    db: &DatabaseConnection,
    owner_id: i64,
    app_id: i64,
) -> Result<(app_rows::Model, Vec<api_keys::Model>), ServiceError> {
    let app = apps::owned(db, owner_id, app_id).await?;
    let keys = api_keys::Entity::find()
        .filter(api_keys::Column::AppId.eq(app_id))
        .order_by_asc(api_keys::Column::CreatedAt)
        .order_by_asc(api_keys::Column::Id)
        .all(db)
        .await?;
    Ok((app, keys))
}

/// Revokes key `key_id` of app `app_id`; from this moment `authenticate` refuses it.
/// Revoking a revoked key changes nothing. Another owner's key is not found.
pub async fn revoke_owned(
    db: &DatabaseConnection,
    owner_id: i64,
    app_id: i64,
    key_id: i64,
) -> Result<api_keys::Model, ServiceError> {
    apps::owned(db, owner_id, app_id).await?;
    let key = api_keys::Entity::find_by_id(key_id)
        .filter(api_keys::Column::AppId.eq(app_id))
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("key {key_id}")))?;
    if key.revoked_at.is_some() {
        return Ok(key);
    }
    let mut row: api_keys::ActiveModel = key.into();
    row.revoked_at = Set(Some(Utc::now()));
    Ok(row.update(db).await?)
}

/// The live (not revoked) key whose digest matches `key`, if any: one indexed read.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    key: &str,
) -> Result<Option<api_keys::Model>, ServiceError> {
    if !key.starts_with("sk_") || key.len() > 128 {
        return Ok(None);
    }
    Ok(api_keys::Entity::find()
        .filter(api_keys::Column::KeySha256.eq(secrets::sha256_hex(key)))
        .filter(api_keys::Column::RevokedAt.is_null())
        .one(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_sk_plus_base62_and_unique() {
        let a = generate();
        assert!(a.starts_with("sk_"));
        assert_eq!(a.len(), 3 + KEY_RANDOM_CHARS);
        assert!(a[3..].chars().all(|c| c.is_ascii_alphanumeric()));
        let many: std::collections::HashSet<_> = (0..1000).map(|_| generate()).collect();
        assert_eq!(many.len(), 1000);
        assert_eq!(display_prefix(&a), a[..10]);
    }
}
