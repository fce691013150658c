//! Users, sessions and API tokens.
//!
//! Invariant: only hashes of secrets are written (see `identity`); a token or
//! session is looked up by the hash of what the client presents. Expired sessions and
//! revoked tokens identify nobody.

use crate::identity::{self, IdentityError, UserName};
use serde::Serialize;
use sqlx::{Row, SqlitePool};

/// How long a browser session lasts, in days.
pub const SESSION_DAYS: i64 = 14;

/// A person known to Aftermath.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub name: String,
}

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The name or password is not acceptable.
    #[error(transparent)]
    Invalid(#[from] IdentityError),
    /// Another user already has this name.
    #[error("A user named \"{0}\" already exists.")]
    NameTaken(String),
    /// No user has this name.
    #[error("There is no user named \"{0}\".")]
    UnknownUser(String),
    /// The database failed; details are logged, not shown.
    #[error("The database could not be read or written.")]
    Database(#[from] sqlx::Error),
}

/// Runs CPU-heavy password work off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(f).await {
        Ok(v) => v,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// Creates a user who signs in with `password` (at least 8 characters).
pub async fn create_user(
    pool: &SqlitePool,
    name: &str,
    password: &str,
) -> Result<User, AccountError> {
    let name = UserName::parse(name)?;
    let password = password.to_string();
    let phc = blocking(move || identity::hash_password(&password)).await?;
    insert_user(pool, &name, Some(&phc)).await
}

async fn insert_user(
    pool: &SqlitePool,
    name: &UserName,
    phc: Option<&str>,
) -> Result<User, AccountError> {
    let result = sqlx::query(
        "insert into users (name, password_hash, created_at) values (?, ?, ?) returning id",
    )
    .bind(name.as_str())
    .bind(phc)
    .bind(super::now())
    .fetch_one(pool)
    .await;
    match result {
        Ok(row) => Ok(User {
            id: row.get(0),
            name: name.to_string(),
        }),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            Err(AccountError::NameTaken(name.to_string()))
        }
        Err(e) => Err(e.into()),
    }
}

/// Replaces a user's password.
pub async fn set_password(
    pool: &SqlitePool,
    name: &str,
    password: &str,
) -> Result<User, AccountError> {
    let user = find_user(pool, name)
        .await?
        .ok_or_else(|| AccountError::UnknownUser(name.to_string()))?;
    let password = password.to_string();
    let phc = blocking(move || identity::hash_password(&password)).await?;
    sqlx::query("update users set password_hash = ? where id = ?")
        .bind(phc)
        .bind(user.id)
        .execute(pool)
        .await?;
    Ok(user)
}

/// The user with this name (any case), if there is one.
pub async fn find_user(pool: &SqlitePool, name: &str) -> sqlx::Result<Option<User>> {
    let row = sqlx::query("select id, name from users where name = ?")
        .bind(name.trim())
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|r| User {
        id: r.get("id"),
        name: r.get("name"),
    }))
}

/// The user with this name, created without a password if new: for people a trusted
/// proxy vouches for.
pub async fn ensure_user(pool: &SqlitePool, name: &UserName) -> Result<User, AccountError> {
    if let Some(user) = find_user(pool, name.as_str()).await? {
        return Ok(user);
    }
    match insert_user(pool, name, None).await {
        // Someone else created it in between.
        Err(AccountError::NameTaken(_)) => find_user(pool, name.as_str())
            .await?
            .ok_or_else(|| AccountError::UnknownUser(name.to_string())),
        other => other,
    }
}

/// The user if the name exists and the password matches; `None` otherwise. A wrong
/// name costs as much time as a wrong password.
pub async fn verify_password(
    pool: &SqlitePool,
    name: &str,
    password: &str,
) -> sqlx::Result<Option<User>> {
    let row = sqlx::query("select id, name, password_hash from users where name = ?")
        .bind(name.trim())
        .fetch_optional(pool)
        .await?;
    let (user, phc) = match row {
        Some(r) => (
            Some(User {
                id: r.get("id"),
                name: r.get("name"),
            }),
            r.get::<Option<String>, _>("password_hash"),
        ),
        None => (None, None),
    };
    let has_hash = phc.is_some();
    let phc = phc.unwrap_or_else(|| identity::dummy_hash().to_string());
    let password = password.to_string();
    let matches = blocking(move || identity::password_matches(&phc, &password)).await;
    Ok(user.filter(|_| matches && has_hash))
}

/// Starts a browser session: returns the cookie token and the session's CSRF token.
/// Only the cookie token's hash is stored.
pub async fn create_session(pool: &SqlitePool, user: &User) -> sqlx::Result<(String, String)> {
    let token = identity::new_token();
    let csrf = identity::new_token();
    let now = jiff::Timestamp::now();
    let expires = now
        .checked_add(jiff::SignedDuration::from_hours(24 * SESSION_DAYS))
        .unwrap_or(now);
    sqlx::query(
        "insert into sessions (token_hash, user_id, csrf_token, created_at, expires_at) values (?, ?, ?, ?, ?)",
    )
    .bind(identity::token_hash(&token))
    .bind(user.id)
    .bind(&csrf)
    .bind(stamp(now))
    .bind(stamp(expires))
    .execute(pool)
    .await?;
    Ok((token, csrf))
}

/// The user and CSRF token of a live session, from the cookie token.
pub async fn session_user(pool: &SqlitePool, token: &str) -> sqlx::Result<Option<(User, String)>> {
    let row = sqlx::query(
        "select u.id, u.name, s.csrf_token from sessions s join users u on u.id = s.user_id
         where s.token_hash = ? and s.expires_at > ?",
    )
    .bind(identity::token_hash(token))
    .bind(super::now())
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| {
        (
            User {
                id: r.get("id"),
                name: r.get("name"),
            },
            r.get("csrf_token"),
        )
    }))
}

/// Ends a session (signing out). Unknown tokens are ignored.
pub async fn delete_session(pool: &SqlitePool, token: &str) -> sqlx::Result<()> {
    sqlx::query("delete from sessions where token_hash = ?")
        .bind(identity::token_hash(token))
        .execute(pool)
        .await?;
    Ok(())
}

/// Removes expired sessions; returns how many.
pub async fn delete_expired_sessions(pool: &SqlitePool) -> sqlx::Result<u64> {
    let done = sqlx::query("delete from sessions where expires_at <= ?")
        .bind(super::now())
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}

/// Creates an API token for `user`; the token is returned once and only its hash kept.
pub async fn create_api_token(pool: &SqlitePool, user: &User, label: &str) -> sqlx::Result<String> {
    let token = identity::new_token();
    let label: String = label
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect();
    sqlx::query(
        "insert into api_tokens (token_hash, user_id, label, created_at) values (?, ?, ?, ?)",
    )
    .bind(identity::token_hash(&token))
    .bind(user.id)
    .bind(label)
    .bind(super::now())
    .execute(pool)
    .await?;
    Ok(token)
}

/// The user an API token belongs to, unless revoked; notes when it was last used.
pub async fn token_user(pool: &SqlitePool, token: &str) -> sqlx::Result<Option<User>> {
    let row = sqlx::query(
        "update api_tokens set last_used_at = ? where token_hash = ? and revoked_at is null
         returning user_id",
    )
    .bind(super::now())
    .bind(identity::token_hash(token))
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let user_id: i64 = row.get(0);
    let row = sqlx::query("select id, name from users where id = ?")
        .bind(user_id)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|r| User {
        id: r.get("id"),
        name: r.get("name"),
    }))
}

/// An API token as listed (its secret is never stored, so never shown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub label: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// Every API token of `user`, oldest first, revoked ones included.
pub async fn list_api_tokens(pool: &SqlitePool, user: &User) -> sqlx::Result<Vec<TokenInfo>> {
    let rows = sqlx::query(
        "select id, label, created_at, last_used_at, revoked_at from api_tokens
         where user_id = ? order by id",
    )
    .bind(user.id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| TokenInfo {
            id: r.get("id"),
            label: r.get("label"),
            created_at: r.get("created_at"),
            last_used_at: r.get("last_used_at"),
            revoked_at: r.get("revoked_at"),
        })
        .collect())
}

/// Withdraws the live API tokens of `user` (only those labelled `label`, when given);
/// returns how many.
pub async fn revoke_user_tokens(
    pool: &SqlitePool,
    user: &User,
    label: Option<&str>,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "update api_tokens set revoked_at = ?1
         where user_id = ?2 and revoked_at is null and (?3 is null or label = ?3)",
    )
    .bind(super::now())
    .bind(user.id)
    .bind(label.map(str::trim))
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// Withdraws an API token; returns whether it existed and was live.
pub async fn revoke_api_token(pool: &SqlitePool, token: &str) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update api_tokens set revoked_at = ? where token_hash = ? and revoked_at is null",
    )
    .bind(super::now())
    .bind(identity::token_hash(token))
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// A time as stored: RFC 3339 UTC with whole seconds, like [`super::now`].
fn stamp(t: jiff::Timestamp) -> String {
    jiff::Timestamp::from_second(t.as_second())
        .unwrap_or(t)
        .to_string()
}
