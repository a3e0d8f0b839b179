//! API key checks for ingest: at most one indexed read per key per second, and no write per
//! request for "last used".
//!
//! A cached answer is trusted for [`TRUST_FOR`]: a key revoked through this server is dropped
//! from the cache at once ([`KeyCache::forget_app`]); one revoked through another server
//! sharing the database is refused within that second.
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, sea_query::Expr};

use crate::backend::{
    ServiceError,
    entities::{api_keys, apps},
    lock, secrets, services,
};

const TRUST_FOR: Duration = Duration::from_secs(1);
/// Beyond this many cached keys, stale entries are dropped on the next miss.
const PRUNE_ABOVE: usize = 10_000;

/// Whom a valid key writes for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyOwner {
    pub key_id: i64,
    pub app_id: i64,
}

#[derive(Default)]
pub struct KeyCache {
    /// Digest of the key → its owner (None: unknown or revoked) and when that was read.
    known: Mutex<HashMap<String, (Option<KeyOwner>, Instant)>>,
    /// Key id → last time it was used, not yet written.
    used: Mutex<HashMap<i64, DateTime<Utc>>>,
    /// DSN public keys → their app (or none), with when that was read.
    public: Mutex<HashMap<String, (Option<i64>, Instant)>>,
}

impl KeyCache {
    /// The app a live key writes to; `None` for an unknown or revoked key.
    pub async fn authenticate(
        &self,
        db: &impl ConnectionTrait,
        key: &str,
    ) -> Result<Option<KeyOwner>, ServiceError> {
        let digest = secrets::sha256_hex(key);
        let cached = lock(&self.known)
            .get(&digest)
            .filter(|(_, read)| read.elapsed() < TRUST_FOR)
            .map(|(owner, _)| *owner);
        let owner = match cached {
            Some(owner) => owner,
            None => {
                let owner = services::api_keys::authenticate(db, key)
                    .await?
                    .map(|row| KeyOwner {
                        key_id: row.id,
                        app_id: row.app_id,
                    });
                let mut known = lock(&self.known);
                if known.len() > PRUNE_ABOVE {
                    known.retain(|_, (_, read)| read.elapsed() < TRUST_FOR);
                }
                known.insert(digest, (owner, Instant::now()));
                owner
            }
        };
        if let Some(owner) = owner {
            lock(&self.used).insert(owner.key_id, Utc::now());
        }
        Ok(owner)
    }

    /// Forgets every cached key of `app_id` (a key was revoked or the app deleted).
    pub fn forget_app(&self, app_id: i64) {
        lock(&self.known).retain(|_, (owner, _)| owner.is_none_or(|o| o.app_id != app_id));
        lock(&self.public).retain(|_, (app, _)| *app != Some(app_id));
    }

    /// The app whose DSN carries `public_key`, trusted for as long as an API key's answer.
    /// (A DSN's key is not a secret: it sits in browser bundles.)
    pub async fn app_of_public_key(
        &self,
        db: &impl ConnectionTrait,
        public_key: &str,
    ) -> Result<Option<i64>, ServiceError> {
        let cached = lock(&self.public)
            .get(public_key)
            .filter(|(_, read)| read.elapsed() < TRUST_FOR)
            .map(|(app, _)| *app);
        if let Some(app) = cached {
            return Ok(app);
        }
        let app = apps::Entity::find()
            .filter(apps::Column::PublicKey.eq(public_key))
            .one(db)
            .await?
            .map(|app| app.id);
        let mut public = lock(&self.public);
        if public.len() > PRUNE_ABOVE {
            public.retain(|_, (_, read)| read.elapsed() < TRUST_FOR);
        }
        public.insert(public_key.to_string(), (app, Instant::now()));
        Ok(app)
    }

    /// Writes the last-used times gathered since the previous call: one small update per key
    /// used, however many requests it made.
    pub async fn flush_usage(&self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        let used: Vec<_> = lock(&self.used).drain().collect();
        for (key_id, at) in used {
            api_keys::Entity::update_many()
                .col_expr(api_keys::Column::LastUsedAt, Expr::value(at))
                .filter(api_keys::Column::Id.eq(key_id))
                .exec(db)
                .await?;
        }
        Ok(())
    }
}
