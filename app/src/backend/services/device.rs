//! The CLI device flow (RFC 8628): `lodestar init` starts a request and polls with its device
//! code; the user compares the user code in the browser and approves it into one of their apps.
//!
//! No key material is kept while the request waits: the API key is created in the same
//! transaction that marks the request consumed, by the one poll that receives it.
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    SqlErr, sea_query::Expr,
};

use super::{
    api_keys::{self, NewKey},
    apps,
};
use crate::backend::{
    ServiceError,
    db::begin_write,
    entities::{apps as app_rows, device_sessions},
    secrets,
};

/// How long a request may wait for approval.
pub const EXPIRES_IN_SECS: i64 = 600;
/// The polling interval a new request starts with.
pub const INTERVAL_SECS: i32 = 2;
/// `slow_down` adds this to the interval (RFC 8628 §3.5), up to `MAX_INTERVAL_SECS`.
const SLOW_DOWN_STEP_SECS: i32 = 5;
const MAX_INTERVAL_SECS: i32 = 60;
/// A poll this much early still counts as on time: clocks and networks jitter.
const POLL_TOLERANCE_MS: i64 = 250;
/// Finished requests are kept this long after they expire (to tell "expired" from "unknown").
const KEEP_AFTER_EXPIRY: Duration = Duration::hours(1);
const MAX_CLIENT_NAME_CHARS: usize = 128;
/// Consonants without look-alikes (no vowels: no words; no 0/O, 1/I/L; RFC 8628 §6.1).
const USER_CODE_ALPHABET: &[u8] = b"BCDFGHJKMNPQRSTVWXZ";
const DEVICE_CODE_CHARS: usize = 43;

/// Where a request is. `Approved` waits for the terminal's next poll.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Pending,
    Approved,
    Denied,
    Consumed,
    Expired,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Approved => "approved",
            Status::Denied => "denied",
            Status::Consumed => "consumed",
            Status::Expired => "expired",
        }
    }

    /// The status of `row` as of `now`: waiting past the expiry is expired.
    pub fn of(row: &device_sessions::Model, now: DateTime<Utc>) -> Status {
        let stored = match row.status.as_str() {
            "pending" => Status::Pending,
            "approved" => Status::Approved,
            "denied" => Status::Denied,
            "consumed" => Status::Consumed,
            _ => Status::Expired,
        };
        let waiting = matches!(stored, Status::Pending | Status::Approved);
        if waiting && row.expires_at <= now {
            Status::Expired
        } else {
            stored
        }
    }
}

/// A new request as the terminal receives it, once.
pub struct Started {
    pub device_code: String,
    pub user_code: String,
    pub expires_in: i64,
    pub interval: i32,
}

/// Starts a request. `app_name` is what the terminal suggests for a new app; `client_name`
/// tells the user who asks (`ada@laptop`).
pub async fn start(
    db: &DatabaseConnection,
    app_name: Option<&str>,
    client_name: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Started, ServiceError> {
    let app_name = match app_name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => Some(apps::valid_name(name, "app")?.to_string()),
        None => None,
    };
    let client_name = valid_client_name(client_name)?;
    let device_code = secrets::random_base62(DEVICE_CODE_CHARS);
    let device_code_sha256 = secrets::sha256_hex(&device_code);
    // A clash of user codes among live requests is unlikely (19^8 codes); try again if so.
    let mut attempts = 0;
    loop {
        let user_code = new_user_code();
        let row = device_sessions::ActiveModel {
            device_code_sha256: Set(device_code_sha256.clone()),
            user_code: Set(user_code.clone()),
            status: Set(Status::Pending.as_str().into()),
            client_name: Set(client_name.clone()),
            app_name: Set(app_name.clone()),
            user_id: Set(None),
            app_id: Set(None),
            key_ciphertext: Set(None),
            interval_secs: Set(INTERVAL_SECS),
            last_poll_at: Set(None),
            created_at: Set(now),
            expires_at: Set(now + Duration::seconds(EXPIRES_IN_SECS)),
            ..Default::default()
        };
        match device_sessions::Entity::insert(row)
            .exec_without_returning(db)
            .await
        {
            Ok(_) => {
                return Ok(Started {
                    device_code,
                    user_code,
                    expires_in: EXPIRES_IN_SECS,
                    interval: INTERVAL_SECS,
                });
            }
            Err(e)
                if attempts < 5
                    && matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) =>
            {
                attempts += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// What a poll answers.
#[derive(Debug)]
pub enum Poll {
    Pending,
    /// Polled faster than the interval, which is now this many seconds.
    SlowDown {
        interval: i32,
    },
    Denied,
    Expired,
    /// The key was handed out already: a device code works once.
    Used,
    Complete(Box<Handover>),
}

/// What the one successful poll receives.
#[derive(Debug)]
pub struct Handover {
    pub key: NewKey,
    pub app: app_rows::Model,
}

/// The terminal's poll with its device code; an unknown code is `NotFound`.
pub async fn poll(
    db: &DatabaseConnection,
    device_code: &str,
    now: DateTime<Utc>,
) -> Result<Poll, ServiceError> {
    let not_found = || ServiceError::NotFound("device code".into());
    if device_code.is_empty() || device_code.len() > 128 {
        return Err(not_found());
    }
    let row = device_sessions::Entity::find()
        .filter(device_sessions::Column::DeviceCodeSha256.eq(secrets::sha256_hex(device_code)))
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let status = Status::of(&row, now);
    match status {
        Status::Expired => {
            if row.status != Status::Expired.as_str() {
                set_status(db, row.id, row.status.as_str(), Status::Expired).await?;
            }
            return Ok(Poll::Expired);
        }
        Status::Denied => return Ok(Poll::Denied),
        Status::Consumed => return Ok(Poll::Used),
        Status::Pending | Status::Approved => {}
    }
    let early = row.last_poll_at.is_some_and(|last| {
        now - last
            < Duration::seconds(row.interval_secs.into())
                - Duration::milliseconds(POLL_TOLERANCE_MS)
    });
    let interval = if early {
        (row.interval_secs + SLOW_DOWN_STEP_SECS).min(MAX_INTERVAL_SECS)
    } else {
        row.interval_secs
    };
    device_sessions::Entity::update_many()
        .col_expr(device_sessions::Column::LastPollAt, Expr::value(now))
        .col_expr(device_sessions::Column::IntervalSecs, Expr::value(interval))
        .filter(device_sessions::Column::Id.eq(row.id))
        .exec(db)
        .await?;
    if early {
        return Ok(Poll::SlowDown { interval });
    }
    if status == Status::Pending {
        return Ok(Poll::Pending);
    }
    hand_over(db, row).await
}

/// Marks an approved request consumed and creates its key, in one transaction: of two polls
/// racing, only the one whose update changed the row gets a key.
async fn hand_over(
    db: &DatabaseConnection,
    row: device_sessions::Model,
) -> Result<Poll, ServiceError> {
    let app_id = row
        .app_id
        .ok_or_else(|| ServiceError::NotFound("device request's app".into()))?;
    let txn = begin_write(db).await?;
    if !set_status(&txn, row.id, Status::Approved.as_str(), Status::Consumed).await? {
        return Ok(Poll::Used);
    }
    // The app may have been deleted since the approval (its row would have cascaded).
    let Some(app) = app_rows::Entity::find_by_id(app_id).one(&txn).await? else {
        return Ok(Poll::Expired);
    };
    let key_name = match row.client_name.as_deref() {
        Some(client) => format!("lodestar init ({client})"),
        None => "lodestar init".to_string(),
    };
    let key_name: String = key_name.chars().take(apps::MAX_NAME_CHARS).collect();
    let key = api_keys::create(&txn, app.id, &key_name).await?;
    txn.commit().await?;
    tracing::info!(
        app_id = app.id,
        key_id = key.record.id,
        "device flow handed over a new key"
    );
    Ok(Poll::Complete(Box::new(Handover { key, app })))
}

/// A request as the approval page shows it.
pub struct Request {
    pub row: device_sessions::Model,
    pub status: Status,
}

/// The request with this user code (any spelling: `bcdf ghjk`, `BCDFGHJK`), for the page that
/// approves it. Any signed-in user may look one up: the code is their proof of the terminal.
pub async fn find(
    db: &impl ConnectionTrait,
    user_code: &str,
    now: DateTime<Utc>,
) -> Result<Request, ServiceError> {
    let not_found = || ServiceError::NotFound("user code".into());
    let code = normalise_user_code(user_code).ok_or_else(not_found)?;
    let row = device_sessions::Entity::find()
        .filter(device_sessions::Column::UserCode.eq(code))
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let status = Status::of(&row, now);
    Ok(Request { row, status })
}

/// Which app an approval hands a key for.
#[derive(Clone, Debug)]
pub enum AppChoice {
    /// One of the approving user's apps.
    Existing(i64),
    /// A new app with this name, owned by the approving user.
    New(String),
}

/// The user's answer on the approval page.
#[derive(Clone, Debug)]
pub enum Decision {
    Approve(AppChoice),
    Deny,
}

/// Records `user_id`'s decision on a pending request. The app must be theirs (anyone else's is
/// not found); a request that is no longer pending is refused with the reason.
pub async fn decide(
    db: &DatabaseConnection,
    user_id: i64,
    user_code: &str,
    decision: Decision,
    now: DateTime<Utc>,
) -> Result<Option<app_rows::Model>, ServiceError> {
    let request = find(db, user_code, now).await?;
    ensure_pending(request.status)?;
    let txn = begin_write(db).await?;
    let (status, app) = match decision {
        Decision::Deny => (Status::Denied, None),
        Decision::Approve(AppChoice::Existing(app_id)) => (
            Status::Approved,
            Some(apps::owned(&txn, user_id, app_id).await?),
        ),
        Decision::Approve(AppChoice::New(name)) => (
            Status::Approved,
            Some(apps::insert(&txn, user_id, &name, "").await?),
        ),
    };
    let changed = device_sessions::Entity::update_many()
        .col_expr(
            device_sessions::Column::Status,
            Expr::value(status.as_str()),
        )
        .col_expr(device_sessions::Column::UserId, Expr::value(user_id))
        .col_expr(
            device_sessions::Column::AppId,
            Expr::value(app.as_ref().map(|a| a.id)),
        )
        .filter(device_sessions::Column::Id.eq(request.row.id))
        .filter(device_sessions::Column::Status.eq(Status::Pending.as_str()))
        .filter(device_sessions::Column::ExpiresAt.gt(now))
        .exec(&txn)
        .await?;
    if changed.rows_affected != 1 {
        // Decided in another tab, or expired, while this one was open.
        txn.rollback().await?;
        let again = find(db, user_code, now).await?;
        ensure_pending(again.status)?;
        return Err(ServiceError::Conflict(
            "the request changed: reload the page".into(),
        ));
    }
    txn.commit().await?;
    Ok(app)
}

fn ensure_pending(status: Status) -> Result<(), ServiceError> {
    let message = match status {
        Status::Pending => return Ok(()),
        Status::Expired => "this code has expired: run `lodestar init` again",
        Status::Denied => "this request was denied",
        Status::Approved | Status::Consumed => "this code was already used",
    };
    Err(ServiceError::invalid("user_code", message))
}

/// Deletes requests that expired more than an hour ago; returns how many.
pub async fn purge_expired(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<u64, ServiceError> {
    let result = device_sessions::Entity::delete_many()
        .filter(device_sessions::Column::ExpiresAt.lt(now - KEEP_AFTER_EXPIRY))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Moves the row from `from` to `to`; false if it was not in `from` any more.
async fn set_status(
    db: &impl ConnectionTrait,
    id: i64,
    from: &str,
    to: Status,
) -> Result<bool, ServiceError> {
    let result = device_sessions::Entity::update_many()
        .col_expr(device_sessions::Column::Status, Expr::value(to.as_str()))
        .filter(device_sessions::Column::Id.eq(id))
        .filter(device_sessions::Column::Status.eq(from))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// `XXXX-XXXX` over the unambiguous alphabet.
fn new_user_code() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    let mut code = String::with_capacity(9);
    for i in 0..8 {
        if i == 4 {
            code.push('-');
        }
        code.push(USER_CODE_ALPHABET[rng.random_range(0..USER_CODE_ALPHABET.len())] as char);
    }
    code
}

/// The stored spelling of a typed user code, or `None` if it cannot be one.
pub fn normalise_user_code(typed: &str) -> Option<String> {
    let letters: Vec<u8> = typed
        .bytes()
        .filter(|b| !matches!(b, b'-' | b' ' | b'\t'))
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if letters.len() != 8 || !letters.iter().all(|b| USER_CODE_ALPHABET.contains(b)) {
        return None;
    }
    let (a, b) = letters.split_at(4);
    Some(format!(
        "{}-{}",
        std::str::from_utf8(a).ok()?,
        std::str::from_utf8(b).ok()?
    ))
}

fn valid_client_name(name: Option<&str>) -> Result<Option<String>, ServiceError> {
    let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    if name.chars().count() > MAX_CLIENT_NAME_CHARS {
        return Err(ServiceError::invalid(
            "client_name",
            format!("must be at most {MAX_CLIENT_NAME_CHARS} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(ServiceError::invalid(
            "client_name",
            "must not contain control characters",
        ));
    }
    Ok(Some(name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_are_two_groups_of_unambiguous_letters() {
        for _ in 0..200 {
            let code = new_user_code();
            assert_eq!(code.len(), 9);
            assert_eq!(&code[4..5], "-");
            assert!(
                code.bytes()
                    .filter(|&b| b != b'-')
                    .all(|b| USER_CODE_ALPHABET.contains(&b)),
                "{code}"
            );
            assert_eq!(normalise_user_code(&code).as_deref(), Some(code.as_str()));
        }
        for ambiguous in [b'0', b'O', b'1', b'I', b'L', b'A', b'E', b'U'] {
            assert!(!USER_CODE_ALPHABET.contains(&ambiguous));
        }
    }

    #[test]
    fn typed_codes_are_normalised_or_refused() {
        assert_eq!(
            normalise_user_code(" bcdf ghjk ").as_deref(),
            Some("BCDF-GHJK")
        );
        assert_eq!(
            normalise_user_code("BCDFGHJK").as_deref(),
            Some("BCDF-GHJK")
        );
        assert_eq!(normalise_user_code("BCDF-GHJ"), None);
        assert_eq!(normalise_user_code("BCDF-GHJO"), None);
        assert_eq!(normalise_user_code("ÉCDF-GHJK"), None);
        assert_eq!(normalise_user_code(""), None);
    }

    #[test]
    fn client_names_are_bounded_text() {
        assert_eq!(valid_client_name(Some("  ")).unwrap(), None);
        assert_eq!(
            valid_client_name(Some(" ada@laptop ")).unwrap().as_deref(),
            Some("ada@laptop")
        );
        assert!(valid_client_name(Some("a\u{1b}[31m")).is_err());
        assert!(valid_client_name(Some(&"x".repeat(129))).is_err());
    }
}
