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
    /// Create an API token for a user and print it (it is shown only once).
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
    /// What the token is for.
    #[arg(long, default_value = "cli", value_name = "LABEL")]
    pub label: String,
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
            let result = async {
                let user = accounts::find_user(&pool, &args.name)
                    .await?
                    .with_context(|| {
                        format!(
                            "there is no user named \"{}\" (create one with `aftermath user add`)",
                            args.name.trim()
                        )
                    })?;
                Ok::<_, anyhow::Error>(accounts::create_api_token(&pool, &user, &args.label).await?)
            }
            .await;
            pool.close().await;
            println!("{}", result?);
            eprintln!("store this token now: it is not shown again");
        }
    }
    Ok(ExitCode::SUCCESS)
}
