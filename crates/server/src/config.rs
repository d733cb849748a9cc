//! What the server needs to know, handed over by the `cli` crate (the only place that reads
//! files and the environment).

use std::fmt;

#[derive(Clone)]
pub struct ServerConfig {
    /// Largest request body accepted anywhere (bytes).
    pub max_body_bytes: usize,
    /// Largest single attachment on the public form or the API (bytes).
    pub max_attachment_bytes: usize,
    /// Reports the public form accepts per client address per minute.
    pub report_rate_per_minute: u32,
    /// How long a login lasts (hours).
    pub session_hours: i64,
    /// Set the `Secure` flag on cookies (serve behind TLS).
    pub secure_cookies: bool,
    /// Trust `X-Forwarded-For` from a reverse proxy for the client address.
    pub trust_forwarded_for: bool,
    /// Key for the public form's CSRF tokens. Random per start unless configured, so several
    /// nodes behind a load balancer must share one.
    pub form_secret: Vec<u8>,
    /// Offset of the display time zone from UTC, minutes (JST = 540).
    pub display_offset_minutes: i32,
    /// The team's name as others see it: the STIX identity and MISP organisation of exports.
    pub team_name: String,
    /// Mail: our address, acknowledgements, SMTP and IMAP (used by `serve`'s background tasks
    /// and by `mailgate`).
    pub mail: crate::mail_config::MailConfig,
    /// Sweep jobs: the roots they may read, uploads.
    pub sweep: crate::sweep_jobs::SweepConfig,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_body_bytes: 25 * 1024 * 1024,
            max_attachment_bytes: 10 * 1024 * 1024,
            report_rate_per_minute: 10,
            session_hours: 12,
            secure_cookies: false,
            trust_forwarded_for: false,
            form_secret: crate::auth::random_bytes(32),
            display_offset_minutes: 540,
            team_name: "hikeshi CSIRT".into(),
            mail: crate::mail_config::MailConfig::default(),
            sweep: crate::sweep_jobs::SweepConfig::default(),
        }
    }
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_attachment_bytes", &self.max_attachment_bytes)
            .field("report_rate_per_minute", &self.report_rate_per_minute)
            .field("session_hours", &self.session_hours)
            .field("secure_cookies", &self.secure_cookies)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("form_secret", &"<redacted>")
            .field("display_offset_minutes", &self.display_offset_minutes)
            .field("team_name", &self.team_name)
            .field("mail", &self.mail)
            .field("sweep", &self.sweep)
            .finish()
    }
}
