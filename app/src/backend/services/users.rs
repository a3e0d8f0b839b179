use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
    password_hash::SaltString,
};
use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};

use crate::backend::{ServiceError, entities::users};

pub const MIN_PASSWORD_CHARS: usize = 10;
const MAX_PASSWORD_CHARS: usize = 1024;
const MAX_NAME_CHARS: usize = 128;

/// Creates a password account. The email is trimmed and lower-cased; the name defaults to the
/// email's local part.
pub async fn create(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
    name: Option<&str>,
) -> Result<users::Model, ServiceError> {
    let email = normalise_email(email)?;
    check_password(password)?;
    let name = match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) if n.chars().count() > MAX_NAME_CHARS => {
            return Err(ServiceError::invalid(
                "name",
                "must be at most 128 characters",
            ));
        }
        Some(n) => n.to_string(),
        None => email.split('@').next().unwrap_or_default().to_string(),
    };
    if find_by_email(db, &email).await?.is_some() {
        return Err(ServiceError::Conflict(format!(
            "a user with email {email} already exists"
        )));
    }
    let password_hash = hash_password(password.to_string()).await?;
    let row = users::ActiveModel {
        email: Set(email.clone()),
        name: Set(name),
        avatar_url: Set(None),
        password_hash: Set(Some(password_hash)),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    users::Entity::insert(row)
        .exec_with_returning(db)
        .await
        .map_err(|e| {
            ServiceError::conflict_on_unique(e, format!("a user with email {email} already exists"))
        })
}

/// The user with this email and password. Unknown email and wrong password answer the same,
/// and take about the same time.
pub async fn authenticate(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
) -> Result<users::Model, ServiceError> {
    let wrong = || ServiceError::Unauthorized("Wrong email or password.".into());
    let user = find_by_email(db, email).await?;
    let phc = user
        .as_ref()
        .and_then(|u| u.password_hash.clone())
        .unwrap_or_else(|| DUMMY_PHC.to_string());
    let matches = verify_password(password.to_string(), phc).await;
    match user {
        Some(user) if matches && user.password_hash.is_some() => Ok(user),
        _ => Err(wrong()),
    }
}

/// A valid argon2id hash of a random string: verifying against it costs what a real check
/// costs, so response times do not reveal which emails have accounts.
const DUMMY_PHC: &str = "$argon2id$v=19$m=19456,t=2,p=1$HhCg+tCf9hI0IagH/fxb2g$NeAPtBqPiJYPPXDvkJ3IZPy+4BleolCJY3T30pgQ1MU";

pub async fn find_by_email(
    db: &DatabaseConnection,
    email: &str,
) -> Result<Option<users::Model>, ServiceError> {
    let email = email.trim().to_lowercase();
    Ok(users::Entity::find()
        .filter(users::Column::Email.eq(email))
        .one(db)
        .await?)
}

pub async fn list(db: &DatabaseConnection) -> Result<Vec<users::Model>, ServiceError> {
    Ok(users::Entity::find()
        .order_by_asc(users::Column::Id)
        .all(db)
        .await?)
}

/// Lower-cases and checks the shape of an email address (one `@`, a dotted domain, no spaces).
pub fn normalise_email(email: &str) -> Result<String, ServiceError> {
    let email = email.trim().to_lowercase();
    let bad = || ServiceError::invalid("email", "enter an email address like name@example.com");
    if email.len() > 254 || email.chars().any(char::is_whitespace) {
        return Err(bad());
    }
    let (local, domain) = email.split_once('@').ok_or_else(bad)?;
    let domain_ok = domain.contains('.')
        && !domain.contains('@')
        && !domain.starts_with('.')
        && !domain.ends_with('.');
    if local.is_empty() || !domain_ok {
        return Err(bad());
    }
    Ok(email)
}

pub fn check_password(password: &str) -> Result<(), ServiceError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(ServiceError::invalid(
            "password",
            "must be at least 10 characters",
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(ServiceError::invalid(
            "password",
            "must be at most 1024 characters",
        ));
    }
    Ok(())
}

/// argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), as a PHC string. Runs on the
/// blocking pool: a hash takes tens of milliseconds.
pub async fn hash_password(password: String) -> Result<String, ServiceError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
            .map_err(|e| ServiceError::invalid("password", e.to_string()))?;
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ServiceError::invalid("password", e.to_string()))
    })
    .await
    .map_err(|e| ServiceError::Db(sea_orm::DbErr::Custom(format!("hash task failed: {e}"))))?
}

/// Whether `password` matches the PHC string `phc`.
pub async fn verify_password(password: String, phc: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&phc)
            .map(|parsed| {
                argon2()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            normalise_email("  Ada@Example.COM ").unwrap(),
            "ada@example.com"
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a da@example.com",
            "a@b@c.d",
        ] {
            assert!(normalise_email(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn short_passwords_are_rejected() {
        assert!(check_password("123456789").is_err());
        assert!(check_password("1234567890").is_ok());
    }

    #[test]
    fn the_dummy_hash_is_a_real_argon2id_hash() {
        let parsed = PasswordHash::new(DUMMY_PHC).expect("parses");
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
    }

    #[tokio::test]
    async fn passwords_hash_to_argon2id_phc_and_verify() {
        let phc = hash_password("correct horse battery".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_password("correct horse battery".into(), phc.clone()).await);
        assert!(!verify_password("wrong horse battery".into(), phc).await);
    }
}
