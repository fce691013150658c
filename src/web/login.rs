//! Signing in and out with a built-in account: the sign-in page, the password check
//! (behind the failed-attempt throttle) and the session cookie.

use super::forms::with_csrf_cookie;
use super::identity::{ClientAddr, SESSION_COOKIE, Visitor};
use super::{AppError, AppState, page, throttle};
use crate::db::accounts;
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use std::time::Instant;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    title: String,
    visitor: Visitor,
    error: Option<String>,
    name: String,
}

async fn login_form(
    State(_state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, AppError> {
    let html = page(&LoginPage {
        title: "Sign in".into(),
        visitor: visitor.clone(),
        error: None,
        name: String::new(),
    })?;
    Ok(with_csrf_cookie(visitor.csrf_set_cookie(), html))
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginForm {
    csrf: Option<String>,
    name: Option<String>,
    password: Option<String>,
}

/// The sign-in page again, with `message` above the form and the name kept.
fn login_refused(
    visitor: &Visitor,
    name: &str,
    status: StatusCode,
    message: String,
) -> Result<Response, AppError> {
    let html = page(&LoginPage {
        title: "Sign in".into(),
        visitor: visitor.clone(),
        error: Some(message),
        name: name.chars().take(100).collect(),
    })?;
    let mut r = with_csrf_cookie(visitor.csrf_set_cookie(), html);
    *r.status_mut() = status;
    Ok(r)
}

async fn login(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    visitor.check_form(form.csrf.as_deref().unwrap_or(""), &headers)?;
    let name = form.name.unwrap_or_default();
    let password = form.password.unwrap_or_default();
    // Refused before the password is looked at, so a locked name cannot be guessed at
    // and costs no argon2 time.
    let attempt = match state.login_throttle.attempt(&name, client, Instant::now()) {
        Ok(attempt) => attempt,
        Err(wait) => {
            let shown: String = name.chars().take(100).collect();
            tracing::warn!(name = ?shown, client = ?client, "sign-in refused after too many failures");
            let mut r = login_refused(
                &visitor,
                &name,
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Too many failed sign-in attempts; try again in {}.",
                    throttle::wait_in_minutes(wait)
                ),
            )?;
            r.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(wait.as_secs().max(1)),
            );
            return Ok(r);
        }
    };
    let user = if name.len() <= 200 && password.len() <= 1000 {
        accounts::verify_password(&state.pool, name.trim(), &password).await?
    } else {
        None
    };
    let Some(user) = user else {
        return login_refused(
            &visitor,
            &name,
            StatusCode::UNAUTHORIZED,
            "That name and password do not match.".into(),
        );
    };
    state.login_throttle.succeeded(attempt);
    let (token, _csrf) = accounts::create_session(&state.pool, &user).await?;
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        accounts::SESSION_DAYS * 86400,
        if visitor.secure { "; Secure" } else { "" }
    );
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/actions")).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct LogoutForm {
    csrf: Option<String>,
}

async fn logout(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Result<Response, AppError> {
    visitor.check_form(form.csrf.as_deref().unwrap_or(""), &headers)?;
    if let Some(token) = &visitor.session_token {
        accounts::delete_session(&state.pool, token).await?;
    }
    let cookie = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response())
}
