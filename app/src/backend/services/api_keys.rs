use chrono::Utc;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::backend::{ServiceError, entities::api_keys, secrets};

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
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(ServiceError::invalid("name", "must be 1 to 64 characters"));
    }
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
