//! Sharing from the command line: `hikeshi import stix|misp FILE…`, `hikeshi export
//! stix|misp|csv|text [--incident ID] [--tlp-max LEVEL] [--out FILE]`, sharing groups
//! (`hikeshi sharing …`) and TAXII feeds (`hikeshi feed …`).
//!
//! The command line acts as the system (it runs on the server, by its operator), so it reads
//! every incident; the TLP ceiling of an export is still applied to everything it writes, and
//! without `--tlp-max` nothing above TLP:AMBER leaves.

use crate::config::Settings;
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use hikeshi_domain::{Actor, Tlp};
use hikeshi_exchange::share::Imported;
use hikeshi_server::sharing::{Format, Selection, publish, render, share_set, sourced};
use hikeshi_store::{Access, NewFeed, Principal, Viewer};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

fn tlp(s: &str) -> anyhow::Result<Tlp> {
    Tlp::parse(s).map_err(|_| {
        anyhow::anyhow!("{s:?} is not a TLP level: clear, green, amber, amber+strict, red (TLP 1.0 white is clear)")
    })
}

#[derive(Args)]
pub struct ImportArgs {
    /// Files to import (a STIX 2.1 bundle; a MISP event, restSearch output or a MISP feed
    /// directory with manifest.json).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The marking given to indicators that arrive without one.
    #[arg(long, default_value = "amber", value_name = "LEVEL")]
    default_tlp: String,
}

#[derive(Args)]
pub struct ExportArgs {
    /// Only this incident (id or HK number); all incidents when absent.
    #[arg(long, value_name = "ID")]
    incident: Option<String>,
    /// Leave out everything marked above this: clear, green, amber, amber+strict, red.
    #[arg(long, default_value = "amber", value_name = "LEVEL")]
    tlp_max: String,
    /// Write here instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Include incidents marked as exercises.
    #[arg(long)]
    include_exercises: bool,
    /// Language of the text format's headings (en, ja).
    #[arg(long, default_value = "en")]
    lang: String,
    /// MISP only: write a MISP feed directory (manifest.json, hashes.csv, one file per event)
    /// here instead of JSON.
    #[arg(long, value_name = "DIR")]
    feed: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum ExportCmd {
    /// A STIX 2.1 bundle.
    Stix(ExportArgs),
    /// MISP JSON events (or a MISP feed directory with --feed).
    Misp(ExportArgs),
    /// CSV: kind, value, defanged, tlp, role, incident, first/last seen.
    Csv(ExportArgs),
    /// Plain defanged text for a mail or a chat.
    Text(ExportArgs),
}

async fn resolve_incident(
    store: &hikeshi_store::Store,
    s: &str,
) -> anyhow::Result<hikeshi_domain::IncidentId> {
    if let Ok(n) = s.parse::<i64>() {
        return Ok(store
            .incident(Viewer::System, hikeshi_domain::IncidentId(n))
            .await?
            .id);
    }
    let n: hikeshi_domain::IncidentNumber = s.parse().map_err(|_| {
        anyhow::anyhow!("{s:?} is neither an incident id nor a number like HK-2026-000123")
    })?;
    Ok(store.incident_by_number(Viewer::System, n).await?.id)
}

pub async fn export(settings: Settings, cmd: ExportCmd) -> anyhow::Result<ExitCode> {
    let (format, a) = match cmd {
        ExportCmd::Stix(a) => (Format::Stix, a),
        ExportCmd::Misp(a) => (Format::Misp, a),
        ExportCmd::Csv(a) => (Format::Csv, a),
        ExportCmd::Text(a) => (Format::Text, a),
    };
    let tlp_max = tlp(&a.tlp_max)?;
    let store = settings.open_store().await?;
    let mut sel = Selection {
        include_exercises: a.include_exercises,
        ..Default::default()
    };
    if let Some(i) = &a.incident {
        sel.incidents.push(resolve_incident(&store, i).await?);
    }
    let (set, withheld) = share_set(&store, Viewer::System, &settings.team_name, &sel, tlp_max)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    if let Some(dir) = &a.feed {
        if format != Format::Misp {
            bail!("--feed is for `hikeshi export misp`");
        }
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let events = hikeshi_exchange::misp::export_events(&set);
        hikeshi_exchange::misp::write_feed(dir, &events)
            .with_context(|| format!("writing the feed to {}", dir.display()))?;
        eprintln!(
            "{} events, {} indicators written to {}; {withheld} items above {} left out",
            events.len(),
            set.indicators.len(),
            dir.display(),
            tlp_max.label()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let lang = if a.lang == "ja" { "ja" } else { "en" };
    match &a.out {
        Some(path) => {
            let f = std::fs::File::create(path)
                .with_context(|| format!("creating {}", path.display()))?;
            let mut w = std::io::BufWriter::new(f);
            render(&set, format, tlp_max, lang, &mut w)?;
            w.flush()?;
        }
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            render(&set, format, tlp_max, lang, &mut w)?;
            w.flush()?;
        }
    }
    eprintln!(
        "{} incidents, {} indicators exported; {withheld} items above {} left out",
        set.incidents.len(),
        set.indicators.len(),
        tlp_max.label()
    );
    Ok(ExitCode::SUCCESS)
}

fn read_file(format: Format, path: &PathBuf) -> anyhow::Result<Imported> {
    if format == Format::Misp && path.is_dir() {
        return hikeshi_exchange::misp::read_feed(path)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()));
    }
    let f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    match format {
        Format::Stix => hikeshi_exchange::stix::read_bundle(
            std::io::BufReader::new(f),
            &hikeshi_exchange::stix::ImportLimits::default(),
        )
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display())),
        _ => {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            hikeshi_exchange::misp::read_event(&bytes)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
        }
    }
}

/// Import files; exit 0 when everything was taken, 1 when some objects were rejected (each
/// printed with its id and reason), 2 when a file could not be read at all.
pub async fn import(settings: Settings, format: Format, a: ImportArgs) -> anyhow::Result<ExitCode> {
    let default_tlp = tlp(&a.default_tlp)?;
    let store = settings.open_store().await?;
    let mut code = ExitCode::SUCCESS;
    for path in &a.files {
        let imported = match read_file(format, path) {
            Ok(i) => i,
            Err(e) => {
                eprintln!("{e:#}");
                code = ExitCode::from(2);
                continue;
            }
        };
        for r in &imported.rejected {
            eprintln!("{}: {}: rejected: {}", path.display(), r.object, r.reason);
        }
        if !imported.rejected.is_empty() && code == ExitCode::SUCCESS {
            code = ExitCode::from(1);
        }
        let items = sourced(&imported, default_tlp);
        let kind = if format == Format::Stix {
            "stix"
        } else {
            "misp"
        };
        let source = format!(
            "import:{kind}:{}",
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        );
        let new = store
            .import_indicators(
                &Actor::System,
                &source,
                &items,
                &hikeshi_server::sharing::kept(&imported),
            )
            .await?;
        println!(
            "{}: {} indicators ({new} new links), {} groups, {} relations, {} objects kept as they came, {} rejected",
            path.display(),
            items.len(),
            imported.groups.len(),
            imported.relations.len(),
            imported.kept.len(),
            imported.rejected.len()
        );
    }
    Ok(code)
}

#[derive(Subcommand)]
pub enum SharingCmd {
    /// Create a sharing group (a TAXII collection, a MISP sharing scope) with its TLP ceiling.
    Add {
        name: String,
        #[arg(long, value_name = "LEVEL")]
        tlp_max: String,
        #[arg(long, default_value = "")]
        description: String,
    },
    /// List the sharing groups.
    List,
    /// Give a user (all their tokens) or one API token read and/or write access; neither
    /// removes it.
    Member {
        group: String,
        #[arg(long, conflicts_with = "token")]
        user: Option<String>,
        #[arg(long)]
        token: Option<i64>,
        #[arg(long)]
        read: bool,
        #[arg(long)]
        write: bool,
    },
    /// Publish an incident into a group: STIX objects into its TAXII collection and a MISP
    /// event, capped at the group's ceiling.
    Publish {
        group: String,
        #[arg(long)]
        incident: String,
    },
}

pub async fn sharing(settings: Settings, cmd: SharingCmd) -> anyhow::Result<ExitCode> {
    let store = settings.open_store().await?;
    let actor = Actor::System;
    match cmd {
        SharingCmd::Add {
            name,
            tlp_max,
            description,
        } => {
            let g = store
                .create_sharing_group(&actor, &name, &description, tlp(&tlp_max)?)
                .await?;
            println!(
                "sharing group {:?} (collection {}) ceiling {}",
                g.name,
                g.uuid,
                g.tlp_max.label()
            );
        }
        SharingCmd::List => {
            for g in store.sharing_groups().await? {
                println!("{}\t{}\t{}\t{}", g.id, g.uuid, g.tlp_max.label(), g.name);
            }
        }
        SharingCmd::Member {
            group,
            user,
            token,
            read,
            write,
        } => {
            let g = store.sharing_group(&group).await?;
            let who = match (user, token) {
                (Some(u), None) => Principal::User(store.user_by_name(&u).await?.id),
                (None, Some(t)) => Principal::Token(t),
                _ => bail!("give --user NAME or --token ID"),
            };
            store
                .set_sharing_member(&actor, g.id, who, Access { read, write })
                .await?;
            for m in store.sharing_members(g.id).await? {
                println!(
                    "{}\t{}{}",
                    m.name,
                    if m.access.read { "read " } else { "" },
                    if m.access.write { "write" } else { "" }
                );
            }
        }
        SharingCmd::Publish { group, incident } => {
            let g = store.sharing_group(&group).await?;
            let id = resolve_incident(&store, &incident).await?;
            let r = publish(&store, &actor, Viewer::System, &settings.team_name, &g, id)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message))?;
            println!("{}", serde_json::to_string_pretty(&r)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand)]
pub enum FeedCmd {
    /// Add a TAXII 2.1 feed: a remote API root and collection, polled on a schedule.
    Add {
        name: String,
        /// The API root URL, e.g. https://taxii.example.jp/api1/
        #[arg(long)]
        url: String,
        #[arg(long)]
        collection: String,
        /// User name for HTTP Basic; without it the secret is sent as a bearer token.
        #[arg(long, default_value = "")]
        user: String,
        /// The environment variable holding the password or token (never a flag, so it does
        /// not land in shell history or `ps`).
        #[arg(long, value_name = "VAR")]
        secret_env: Option<String>,
        #[arg(long, default_value = "amber", value_name = "LEVEL")]
        default_tlp: String,
        /// Seconds between polls (at least 60).
        #[arg(long, default_value_t = 3600)]
        interval: i64,
    },
    /// List feeds with their last poll.
    List,
    /// Poll a feed now (or every feed).
    Poll { name: Option<String> },
}

pub async fn feed(settings: Settings, cmd: FeedCmd) -> anyhow::Result<ExitCode> {
    let store = settings.open_store().await?;
    let actor = Actor::System;
    match cmd {
        FeedCmd::Add {
            name,
            url,
            collection,
            user,
            secret_env,
            default_tlp,
            interval,
        } => {
            let secret = match secret_env {
                Some(v) => std::env::var(&v)
                    .with_context(|| format!("the environment variable {v} is not set"))?,
                None => String::new(),
            };
            let f = store
                .add_feed(
                    &actor,
                    &NewFeed {
                        name,
                        kind: "taxii".into(),
                        url,
                        collection,
                        username: user,
                        secret,
                        default_tlp: tlp(&default_tlp)?,
                        interval_s: interval,
                    },
                )
                .await?;
            println!(
                "feed {} added (id {}), polled every {} s",
                f.name, f.id, f.interval_s
            );
        }
        FeedCmd::List => {
            for f in store.feeds().await? {
                println!(
                    "{}\t{}\t{}\t{}\tlast {} items\t{}",
                    f.id,
                    f.name,
                    f.url,
                    f.collection,
                    f.last_count,
                    if f.last_error.is_empty() {
                        "ok"
                    } else {
                        &f.last_error
                    }
                );
            }
        }
        FeedCmd::Poll { name } => {
            let names: Vec<String> = match name {
                Some(n) => vec![n],
                None => store.feeds().await?.into_iter().map(|f| f.name).collect(),
            };
            let mut failed = false;
            for n in names {
                let r = hikeshi_server::taxii_client::poll_feed(&store, &actor, &n)
                    .await
                    .map_err(|e| anyhow::anyhow!("{}", e.message))?;
                failed |= !r.error.is_empty();
                println!("{}", serde_json::to_string(&r)?);
            }
            if failed {
                return Ok(ExitCode::from(1));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
