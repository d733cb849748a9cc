//! API, UI and public-form tests through `router(state)`, no socket.

mod admin;
mod bad_input;
mod facts;
mod graph;
mod harness;
mod incident_docs;
mod indicators;
mod mail;
mod notify;
mod notify_ui;
mod openapi;
mod public_form;
mod schema;
mod search;
mod security;
mod settings;
mod sharing;
mod stats;
mod stats_constituency;
mod stats_ui;
mod story;
mod sweeps;
mod sweeps_ui;
mod templates;
mod ui;
mod vuln;
