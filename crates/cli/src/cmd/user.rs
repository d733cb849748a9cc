//! `hikeshi user add|list|set-password`.

use crate::config::Settings;
use anyhow::Context;
use clap::Subcommand;
use hikeshi_domain::{Actor, Named, Role, check_password, parse_named};
use hikeshi_server::auth::{generate_password, hash_password, hash_token, random_token};
use hikeshi_store::NewUser;
use std::io::BufRead;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum UserCmd {
    /// Create an account. Prints a generated one-time password unless --password-stdin.
    Add {
        username: String,
        /// admin, handler or viewer.
        #[arg(long, default_value = "handler")]
        role: String,
        #[arg(long, default_value = "")]
        display_name: String,
        #[arg(long, default_value = "")]
        email: String,
        /// ja or en; empty follows the browser.
        #[arg(long, default_value = "")]
        lang: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List,
    /// Set a password: generated and printed (to be changed at next login), or from stdin.
    SetPassword {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Create an API token for a user and print it (shown once; only its hash is kept).
    Token {
        username: String,
        /// What the token is for, e.g. "siem-forwarder".
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from stdin")?;
    let pw = line.trim_end_matches(['\r', '\n']).to_owned();
    check_password(&pw)?;
    Ok(pw)
}

/// The password to set and whether it was generated (and so must be changed at first login).
fn password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        Ok((read_password()?, false))
    } else {
        Ok((generate_password(), true))
    }
}

pub async fn run(settings: Settings, cmd: UserCmd) -> anyhow::Result<ExitCode> {
    let store = settings.open_store().await?;
    match cmd {
        UserCmd::Add {
            username,
            role,
            display_name,
            email,
            lang,
            password_stdin,
        } => {
            let role: Role = parse_named(&role)?;
            let (pw, generated) = password(password_stdin)?;
            let u = store
                .create_user(
                    &Actor::Cli,
                    &NewUser {
                        username,
                        display_name,
                        email,
                        role,
                        lang,
                        password_hash: hash_password(&pw),
                        must_change_password: generated,
                    },
                )
                .await?;
            println!("created user {} ({})", u.username, u.role.as_str());
            if generated {
                println!("one-time password: {pw}");
            }
        }
        UserCmd::List => {
            for u in store.list_users().await? {
                println!(
                    "{}\t{}\t{}\t{}{}",
                    u.id.0,
                    u.username,
                    u.role.as_str(),
                    u.display_name,
                    if u.disabled { "\t(disabled)" } else { "" }
                );
            }
        }
        UserCmd::SetPassword {
            username,
            password_stdin,
        } => {
            let u = store.user_by_name(&username).await?;
            let (pw, generated) = password(password_stdin)?;
            store
                .set_password(&Actor::Cli, u.id, &hash_password(&pw), generated)
                .await?;
            println!("password of {} set", u.username);
            if generated {
                println!("one-time password: {pw}");
            }
        }
        UserCmd::Token { username, name } => {
            let u = store.user_by_name(&username).await?;
            let token = random_token();
            store
                .create_api_token(&Actor::Cli, u.id, &name, &hash_token(&token))
                .await?;
            println!("{token}");
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
