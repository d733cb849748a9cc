//! `hikeshi serve [--listen ADDR] [--demo]`.

use crate::config::Settings;
use anyhow::Context;
use clap::Args;
use hikeshi_domain::{Actor, Role};
use hikeshi_server::auth::{generate_password, hash_password};
use hikeshi_store::NewUser;
use std::net::SocketAddr;
use std::process::ExitCode;

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on (default from the configuration: 127.0.0.1:8080).
    #[arg(long, env = "HIKESHI_LISTEN", value_name = "ADDR")]
    listen: Option<String>,
    /// Load a small demo data set (reports and incidents in Japanese and English) if the
    /// database has no incidents yet.
    #[arg(long)]
    demo: bool,
}

pub async fn run(settings: Settings, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let listen = args.listen.unwrap_or_else(|| settings.listen.clone());
    let addr: SocketAddr = listen
        .parse()
        .with_context(|| format!("--listen {listen:?} is not an address like 127.0.0.1:8080"))?;
    let store = settings.open_store().await?;
    first_run_admin(&store).await?;
    if args.demo {
        match crate::demo::load(&store).await? {
            0 => println!("demo data: the database already has incidents; nothing loaded"),
            n => println!("demo data: loaded {n} incidents"),
        }
    }
    let config = settings.server_config()?;
    let mail = std::sync::Arc::new(config.mail.clone());
    let team_name = config.team_name.clone();
    let offset_minutes = config.display_offset_minutes;
    let state =
        hikeshi_server::AppState::with_extractor(store.clone(), config, settings.extractor()?);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    println!("hikeshi listening on http://{}", listener.local_addr()?);
    tracing::info!(%addr, data_dir = %settings.data_dir.display(), "serving");
    // TAXII feeds are polled in the background while the server runs.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut tasks = vec![tokio::spawn(hikeshi_server::taxii_client::run(
        store.clone(),
        stop_rx.clone(),
    ))];
    // Advisories and assets imported while the server runs are matched within a minute.
    tasks.push(tokio::spawn(hikeshi_server::vuln::run_rematch(
        store.clone(),
        std::time::Duration::from_secs(60),
        stop_rx.clone(),
    )));
    // Queued mail (acknowledgements) is sent, and the configured mailboxes are polled, in the
    // background too.
    if let Some(smtp) = mail.smtp.clone() {
        let hello = mail
            .address
            .rsplit_once('@')
            .map_or("localhost", |(_, d)| d)
            .to_owned();
        tasks.push(tokio::spawn(hikeshi_server::mailer::run(
            store.clone(),
            smtp,
            hello,
            stop_rx.clone(),
        )));
    }
    if !mail.imap.is_empty() {
        let intake = hikeshi_server::imap_poll::Intake {
            store: store.clone(),
            extractor: state.extractor.clone(),
            mail: mail.clone(),
            team_name,
            offset_minutes,
            status: state.mail_status.clone(),
        };
        tasks.push(tokio::spawn(hikeshi_server::imap_poll::run(
            intake,
            stop_rx.clone(),
        )));
    }
    // Sweep jobs started from incidents run here too (one at a time per node).
    tasks.push(tokio::spawn(hikeshi_server::sweep_runner::run(
        store.clone(),
        std::sync::Arc::new(state.config.sweep.clone()),
        stop_rx.clone(),
    )));
    drop(stop_rx);
    hikeshi_server::serve_on(state, listener, shutdown_signal()).await?;
    let _ = stop_tx.send(true);
    for t in tasks {
        let _ = t.await;
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// On a database without users, create `admin` with a one-time password printed once to
/// standard output (never to the log), to be changed at first login.
async fn first_run_admin(store: &hikeshi_store::Store) -> anyhow::Result<()> {
    if store.user_count().await? > 0 {
        return Ok(());
    }
    let pw = generate_password();
    store
        .create_user(
            &Actor::System,
            &NewUser {
                username: "admin".into(),
                display_name: "Administrator".into(),
                email: String::new(),
                role: Role::Admin,
                lang: String::new(),
                password_hash: hash_password(&pw),
                must_change_password: true,
            },
        )
        .await?;
    println!("first run: created user 'admin' with one-time password: {pw}");
    println!("           (shown only now; you will be asked to change it at first login)");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
