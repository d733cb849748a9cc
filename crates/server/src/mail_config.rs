//! Mail settings as the server uses them, handed over by the `cli` crate, which reads the
//! configuration and resolves passwords from the environment variables it names. Passwords
//! are redacted in `Debug`.

use std::fmt;

/// How a connection to a mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (SMTPS 465, IMAPS 993).
    Tls,
    /// Plain connect, then STARTTLS before anything else (submission 587, IMAP 143).
    StartTls,
    /// No TLS at all: allowed only to a loopback address, where nothing crosses a wire.
    Plain,
}

impl Security {
    pub fn parse(s: &str) -> Option<Security> {
        match s.trim().to_ascii_lowercase().as_str() {
            "tls" | "ssl" | "implicit" => Some(Security::Tls),
            "starttls" => Some(Security::StartTls),
            "plain" | "none" => Some(Security::Plain),
            _ => None,
        }
    }
}

/// Where outgoing mail goes.
#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// Empty: no authentication.
    pub username: String,
    pub password: String,
    pub timeout_secs: u64,
    /// Extra trusted root certificates (PEM), for a private CA; Mozilla's roots always apply.
    pub ca_pem: Vec<u8>,
}

/// One mailbox polled for reports.
#[derive(Clone)]
pub struct ImapMailbox {
    /// The queue or constituency the mailbox feeds, stored on each report taken from it.
    pub label: String,
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: String,
    pub password: String,
    pub folder: String,
    pub poll_seconds: u64,
    /// Extra trusted root certificates (PEM), for a private CA; Mozilla's roots always apply.
    pub ca_pem: Vec<u8>,
}

/// Everything mail: who we are, acknowledgements, sending and polling.
#[derive(Clone)]
pub struct MailConfig {
    /// The team's address: From of everything we send, and an address we never answer.
    pub address: String,
    /// The display name on From (the team name when empty).
    pub display_name: String,
    /// Other addresses of ours (the mailboxes we poll, aliases): never answered either.
    pub also_ours: Vec<String>,
    /// Acknowledge new reports that arrive by mail (mailgate and IMAP).
    pub acknowledge: bool,
    /// At most this many acknowledgements per sender address per hour.
    pub ack_per_hour: u32,
    pub smtp: Option<SmtpConfig>,
    pub imap: Vec<ImapMailbox>,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
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

/// Whether `host` is a loopback name or address.
pub fn is_loopback(host: &str) -> bool {
    let h = host.trim().trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl MailConfig {
    /// Refuse settings that would send a password in clear over a network, or that cannot
    /// work. The message names the setting.
    pub fn check(&self) -> Result<(), String> {
        let wants_mail = self.smtp.is_some() || !self.imap.is_empty();
        if wants_mail && !self.address.contains('@') {
            return Err(format!(
                "mail.address {:?} must be the team's e-mail address",
                self.address
            ));
        }
        if let Some(s) = &self.smtp {
            if s.security == Security::Plain && !is_loopback(&s.host) {
                return Err(format!(
                    "mail.smtp: security \"plain\" is only allowed to a loopback host, not {:?}",
                    s.host
                ));
            }
        }
        for m in &self.imap {
            if m.security == Security::Plain && !is_loopback(&m.host) {
                return Err(format!(
                    "mail.imap {:?}: security \"plain\" is only allowed to a loopback host, not {:?}",
                    m.label, m.host
                ));
            }
            if m.username.is_empty() {
                return Err(format!("mail.imap {:?}: username is required", m.label));
            }
        }
        Ok(())
    }

    /// Every address that is ours, for loop prevention.
    pub fn our_addresses(&self) -> Vec<String> {
        let mut v = vec![self.address.clone()];
        v.extend(self.also_ours.iter().cloned());
        v.extend(
            self.imap
                .iter()
                .filter(|m| m.username.contains('@'))
                .map(|m| m.username.clone()),
        );
        v
    }
}

fn secret(s: &str) -> &'static str {
    if s.is_empty() { "" } else { "<redacted>" }
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &secret(&self.password))
            .field("timeout_secs", &self.timeout_secs)
            .field("ca_pem_bytes", &self.ca_pem.len())
            .finish()
    }
}

impl fmt::Debug for ImapMailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImapMailbox")
            .field("label", &self.label)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &secret(&self.password))
            .field("folder", &self.folder)
            .field("poll_seconds", &self.poll_seconds)
            .field("ca_pem_bytes", &self.ca_pem.len())
            .finish()
    }
}

impl fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailConfig")
            .field("address", &self.address)
            .field("display_name", &self.display_name)
            .field("also_ours", &self.also_ours)
            .field("acknowledge", &self.acknowledge)
            .field("ack_per_hour", &self.ack_per_hour)
            .field("smtp", &self.smtp)
            .field("imap", &self.imap)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_is_for_loopback_only_and_passwords_never_print() {
        let smtp = |host: &str| SmtpConfig {
            host: host.into(),
            port: 25,
            security: Security::Plain,
            username: "u".into(),
            password: "hunter2".into(),
            timeout_secs: 30,
            ca_pem: Vec::new(),
        };
        let mut c = MailConfig {
            address: "csirt@example.org".into(),
            smtp: Some(smtp("127.0.0.1")),
            ..MailConfig::default()
        };
        assert_eq!(c.check(), Ok(()));
        for host in ["localhost", "::1", "[::1]", "127.0.0.2"] {
            c.smtp = Some(smtp(host));
            assert_eq!(c.check(), Ok(()), "{host}");
        }
        c.smtp = Some(smtp("mail.example.org"));
        assert!(c.check().unwrap_err().contains("loopback"));
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("<redacted>"));
        assert_eq!(Security::parse("STARTTLS"), Some(Security::StartTls));
        assert_eq!(Security::parse("bogus"), None);
    }
}
