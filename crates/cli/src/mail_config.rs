//! The `[mail]` part of the configuration. Passwords never appear in the file or the
//! environment variables hikeshi reads for settings: the file names an environment variable
//! (`password_env`) and the password is read from it when the server's configuration is built.
//!
//! ```toml
//! [mail]
//! address = "csirt@example.org"       # From of what we send; never answered
//! display_name = "Example CSIRT"
//! acknowledge = true                  # acknowledge new reports from mailgate and IMAP
//! ack_per_hour = 5                    # per sender address, counted in the database
//!
//! [mail.smtp]
//! host = "smtp.example.org"
//! port = 587
//! security = "starttls"               # tls | starttls | plain (plain: loopback only)
//! username = "csirt"
//! password_env = "HIKESHI_SMTP_PASSWORD"
//! # ca_file = "/etc/hikeshi/private-ca.pem"  # extra trusted roots (also for each mailbox)
//!
//! [[mail.imap]]
//! label = "abuse"                     # queue / constituency stored on each report
//! host = "imap.example.org"
//! port = 993
//! security = "tls"
//! username = "abuse@example.org"
//! password_env = "HIKESHI_IMAP_ABUSE_PASSWORD"
//! folder = "INBOX"
//! poll_seconds = 30
//! ```

use anyhow::{Context, bail};
use hikeshi_server::mail_config::{ImapMailbox, MailConfig, Security, SmtpConfig};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailSettings {
    pub address: String,
    pub display_name: String,
    pub also_ours: Vec<String>,
    pub acknowledge: bool,
    pub ack_per_hour: u32,
    pub smtp: Option<SmtpSettings>,
    pub imap: Vec<ImapSettings>,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            address: String::new(),
            display_name: String::new(),
            also_ours: Vec::new(),
            acknowledge: true,
            ack_per_hour: 5,
            smtp: None,
            imap: Vec::new(),
        }
    }
}

/// Holds no secret itself (only the name of the variable that does), so `Debug` is derived.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default = "starttls")]
    pub security: String,
    #[serde(default)]
    pub username: String,
    /// The environment variable holding the password.
    #[serde(default)]
    pub password_env: String,
    #[serde(default = "thirty")]
    pub timeout_seconds: u64,
    /// A PEM file of extra trusted root certificates (a private CA).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImapSettings {
    /// The queue or constituency label stored on each report from this mailbox.
    #[serde(default)]
    pub label: String,
    pub host: String,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default = "tls")]
    pub security: String,
    pub username: String,
    #[serde(default)]
    pub password_env: String,
    #[serde(default = "inbox")]
    pub folder: String,
    #[serde(default = "thirty")]
    pub poll_seconds: u64,
    /// A PEM file of extra trusted root certificates (a private CA).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

fn starttls() -> String {
    "starttls".into()
}
fn tls() -> String {
    "tls".into()
}
fn inbox() -> String {
    "INBOX".into()
}
fn thirty() -> u64 {
    30
}

fn security(what: &str, s: &str) -> anyhow::Result<Security> {
    Security::parse(s).with_context(|| {
        format!("{what}.security {s:?}: use \"tls\", \"starttls\" or \"plain\" (loopback only)")
    })
}

fn ca(what: &str, file: &Option<PathBuf>) -> anyhow::Result<Vec<u8>> {
    match file {
        None => Ok(Vec::new()),
        Some(f) => std::fs::read(f).with_context(|| format!("{what}.ca_file {}", f.display())),
    }
}

/// The password from the variable `name` names; empty when no variable is named.
fn password(what: &str, name: &str) -> anyhow::Result<String> {
    if name.is_empty() {
        return Ok(String::new());
    }
    match std::env::var(name) {
        Ok(p) => Ok(p),
        Err(_) => bail!("{what}.password_env names {name:?}, which is not set"),
    }
}

impl MailSettings {
    /// The server's mail configuration, passwords read from the environment, checked.
    pub fn server_config(&self) -> anyhow::Result<MailConfig> {
        let smtp = match &self.smtp {
            None => None,
            Some(s) => {
                let sec = security("mail.smtp", &s.security)?;
                Some(SmtpConfig {
                    host: s.host.clone(),
                    port: s.port.unwrap_or(match sec {
                        Security::Tls => 465,
                        Security::StartTls => 587,
                        Security::Plain => 25,
                    }),
                    security: sec,
                    username: s.username.clone(),
                    password: password("mail.smtp", &s.password_env)?,
                    timeout_secs: s.timeout_seconds,
                    ca_pem: ca("mail.smtp", &s.ca_file)?,
                })
            }
        };
        let mut imap = Vec::new();
        for (n, m) in self.imap.iter().enumerate() {
            let what = format!("mail.imap[{n}]");
            let sec = security(&what, &m.security)?;
            imap.push(ImapMailbox {
                label: if m.label.is_empty() {
                    m.username.clone()
                } else {
                    m.label.clone()
                },
                host: m.host.clone(),
                port: m.port.unwrap_or(match sec {
                    Security::Tls => 993,
                    _ => 143,
                }),
                security: sec,
                username: m.username.clone(),
                password: password(&what, &m.password_env)?,
                folder: m.folder.clone(),
                poll_seconds: m.poll_seconds,
                ca_pem: ca(&what, &m.ca_file)?,
            });
        }
        let c = MailConfig {
            address: self.address.trim().to_owned(),
            display_name: self.display_name.clone(),
            also_ours: self.also_ours.clone(),
            acknowledge: self.acknowledge,
            ack_per_hour: self.ack_per_hour,
            smtp,
            imap,
        };
        c.check().map_err(anyhow::Error::msg)?;
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_json(json: &str) -> MailSettings {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn passwords_come_from_the_named_variable_and_never_print() {
        // PATH is always set and setting a variable would need unsafe code: it stands in for
        // the password variable.
        let pw = std::env::var("PATH").unwrap();
        let s = from_json(
            r#"{"address":"csirt@example.org","smtp":{"host":"127.0.0.1","security":"plain","password_env":"PATH"},
               "imap":[{"host":"imap.example.org","username":"abuse@example.org","password_env":"PATH"}]}"#,
        );
        let c = s.server_config().unwrap();
        assert_eq!(c.smtp.as_ref().unwrap().password, pw);
        assert_eq!(c.smtp.as_ref().unwrap().port, 25);
        assert_eq!(c.imap[0].port, 993);
        assert_eq!(c.imap[0].label, "abuse@example.org");
        assert!(!format!("{c:?}").contains(&pw));
        let missing = from_json(
            r#"{"address":"csirt@example.org","smtp":{"host":"127.0.0.1","password_env":"HIKESHI_TEST_NOT_SET_ANYWHERE"}}"#,
        );
        let err = missing.server_config().unwrap_err().to_string();
        assert!(err.contains("HIKESHI_TEST_NOT_SET_ANYWHERE"), "{err}");
        let clear = from_json(
            r#"{"address":"csirt@example.org","smtp":{"host":"smtp.example.org","security":"plain"}}"#,
        );
        let err = clear.server_config().unwrap_err().to_string();
        assert!(err.contains("loopback"), "{err}");
    }
}
