//! `aftermath user`: accounts that sign in with a password, and API tokens.

use crate::config::Settings;
use anyhow::Context;
use clap::{Args, Subcommand};
use std::process::ExitCode;

/// Subcommands of `aftermath user`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user who signs in with a password (from stdin or AFTERMATH_PASSWORD).
    Add(UserAddArgs),
    /// Create an API token for a user and print it (it is shown only once); `--list`
    /// lists the user's tokens, `--revoke` withdraws them.
    Token(UserTokenArgs),
}

/// Arguments of `aftermath user add`.
#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// The user name: letters, digits and . _ - @ +.
    pub name: String,
    /// Read the password from the first line of stdin (otherwise AFTERMATH_PASSWORD).
    #[arg(long)]
    pub password_stdin: bool,
}

/// Arguments of `aftermath user token`.
#[derive(Debug, Args)]
pub struct UserTokenArgs {
    /// The user the token acts as.
    pub name: String,
    /// What the token is for (default "cli"); with --revoke, only the tokens with this
    /// label are withdrawn.
    #[arg(long, value_name = "LABEL")]
    pub label: Option<String>,
    /// List the user's tokens (label, created, last used, revoked) instead.
    #[arg(long, conflicts_with = "revoke")]
    pub list: bool,
    /// Withdraw the user's live tokens (those labelled --label, when given) instead.
    #[arg(long)]
    pub revoke: bool,
}

/// Runs `aftermath user add` and `aftermath user token`.
pub async fn run(command: UserCommand, settings: &Settings) -> anyhow::Result<ExitCode> {
    use crate::db::accounts;
    match command {
        UserCommand::Add(args) => {
            crate::identity::UserName::parse(&args.name)?;
            let password = if args.password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .read_line(&mut line)
                    .context("reading the password from stdin")?;
                line.trim_end_matches(['\n', '\r']).to_string()
            } else {
                std::env::var("AFTERMATH_PASSWORD").map_err(|_| {
                    anyhow::anyhow!(
                        "give the password on stdin with --password-stdin, or in AFTERMATH_PASSWORD"
                    )
                })?
            };
            let pool = crate::db::open(&settings.database).await?;
            let result = accounts::create_user(&pool, &args.name, &password).await;
            pool.close().await;
            let user = result?;
            println!("created user {}", user.name);
        }
        UserCommand::Token(args) => {
            let pool = crate::db::open(&settings.database).await?;
            let result = token(&pool, &args).await;
            pool.close().await;
            result?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `aftermath user token NAME [--list | --revoke] [--label LABEL]`.
async fn token(pool: &sqlx::SqlitePool, args: &UserTokenArgs) -> anyhow::Result<()> {
    use crate::db::accounts;
    use crate::text::printable;
    let user = accounts::find_user(pool, &args.name)
        .await?
        .with_context(|| {
            format!(
                "there is no user named \"{}\" (create one with `aftermath user add`)",
                printable(args.name.trim())
            )
        })?;
    if args.list {
        let tokens = accounts::list_api_tokens(pool, &user).await?;
        if tokens.is_empty() {
            println!("{} has no API tokens", user.name);
        }
        for t in tokens {
            let state = match (&t.revoked_at, &t.last_used_at) {
                (Some(at), _) => format!("revoked {at}"),
                (None, Some(at)) => format!("live, last used {at}"),
                (None, None) => "live, never used".to_string(),
            };
            println!(
                "{}  {}  created {}  {state}",
                t.id,
                printable(&t.label),
                t.created_at
            );
        }
    } else if args.revoke {
        let n = accounts::revoke_user_tokens(pool, &user, args.label.as_deref()).await?;
        let which = match &args.label {
            Some(l) => format!(" labelled \"{}\"", printable(l.trim())),
            None => String::new(),
        };
        println!(
            "revoked {n} API token{}{which} of {}",
            if n == 1 { "" } else { "s" },
            user.name
        );
    } else {
        let label = args.label.as_deref().unwrap_or("cli");
        println!("{}", accounts::create_api_token(pool, &user, label).await?);
        eprintln!("store this token now: it is not shown again");
    }
    Ok(())
}
