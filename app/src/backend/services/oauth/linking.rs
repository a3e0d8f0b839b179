//! Which Lodestar user a provider's profile signs in as.
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter,
};

use super::{OAuthError, Profile};
use crate::backend::{
    entities::{identities, users},
    services::sessions,
};

/// The user `profile` signs in as: the one its identity is linked to (refreshed from the
/// profile), else, when the provider verified the email, the account with that email or a new
/// account without a password.
pub(super) async fn link(
    db: &impl ConnectionTrait,
    provider_id: &str,
    profile: &Profile,
) -> Result<users::Model, OAuthError> {
    let linked = identities::Entity::find()
        .filter(identities::Column::Provider.eq(provider_id))
        .filter(identities::Column::Subject.eq(&profile.subject))
        .find_also_related(users::Entity)
        .one(db)
        .await?;
    if let Some((identity, Some(user))) = linked {
        return refresh(db, identity, user, profile).await;
    }
    let email = profile.email.clone().ok_or(OAuthError::NoEmail)?;
    let existing = users::Entity::find()
        .filter(users::Column::Email.eq(&email))
        .one(db)
        .await?;
    // An unverified email neither joins an existing account nor claims the address for a new
    // one (which its real owner would later be linked into).
    if !profile.email_verified {
        return Err(OAuthError::Unverified);
    }
    let user = match existing {
        Some(user) => claim(db, user).await?,
        None => insert_user(db, email, profile).await?,
    };
    insert_identity(db, provider_id, profile, user.id).await?;
    Ok(user)
}

/// An account the provider has just proven this email's owner controls. Lodestar never
/// verified the email of a password sign-up, so whoever chose that password may not be the
/// owner (someone can register another person's address first): the password is removed and
/// every session ends, and the owner continues with the provider.
async fn claim(db: &impl ConnectionTrait, user: users::Model) -> Result<users::Model, OAuthError> {
    if user.password_hash.is_none() {
        return Ok(user);
    }
    sessions::revoke_all(db, user.id).await?;
    let mut user = user.into_active_model();
    user.password_hash = Set(None);
    Ok(user.update(db).await?)
}

/// A returning user: name and picture follow the provider's profile.
async fn refresh(
    db: &impl ConnectionTrait,
    identity: identities::Model,
    user: users::Model,
    profile: &Profile,
) -> Result<users::Model, OAuthError> {
    let mut identity = identity.into_active_model();
    identity.email = Set(profile.email.clone());
    identity.email_verified = Set(profile.email_verified);
    identity.update(db).await?;
    let mut user = user.into_active_model();
    if let Some(name) = &profile.name {
        user.name = Set(name.clone());
    }
    user.avatar_url = Set(profile.avatar_url.clone());
    Ok(user.update(db).await?)
}

async fn insert_user(
    db: &impl ConnectionTrait,
    email: String,
    profile: &Profile,
) -> Result<users::Model, OAuthError> {
    let local_part = email.split('@').next().unwrap_or_default().to_string();
    let row = users::ActiveModel {
        name: Set(profile.name.clone().unwrap_or(local_part)),
        email: Set(email),
        avatar_url: Set(profile.avatar_url.clone()),
        password_hash: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    Ok(users::Entity::insert(row).exec_with_returning(db).await?)
}

async fn insert_identity(
    db: &impl ConnectionTrait,
    provider_id: &str,
    profile: &Profile,
    user_id: i64,
) -> Result<(), OAuthError> {
    identities::ActiveModel {
        provider: Set(provider_id.to_string()),
        subject: Set(profile.subject.clone()),
        user_id: Set(user_id),
        email: Set(profile.email.clone()),
        email_verified: Set(profile.email_verified),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
