//! People and what they may do.

use crate::ids::UserId;
use crate::named::Named;
use serde::{Deserialize, Serialize};

/// admin: everything including users and settings; handler: works incidents; viewer: reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Handler,
    Admin,
}

impl Named for Role {
    const WHAT: &'static str = "role";
    fn all() -> &'static [Self] {
        &[Role::Viewer, Role::Handler, Role::Admin]
    }
    fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Handler => "handler",
            Role::Admin => "admin",
        }
    }
}

impl Role {
    pub fn can_write(self) -> bool {
        self >= Role::Handler
    }
    pub fn is_admin(self) -> bool {
        self == Role::Admin
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    /// "ja" or "en"; empty means "follow the browser".
    pub lang: String,
    /// IANA time zone for dates shown to this user; empty means JST for Japanese pages and the
    /// server's configured zone otherwise.
    pub time_zone: String,
    pub must_change_password: bool,
    pub disabled: bool,
    pub created_at: i64,
}

/// Usernames are what people type at the login prompt and what appears in the audit log:
/// 1–64 characters of ASCII letters, digits, `.`, `_`, `-`.
pub fn check_username(name: &str) -> Result<(), crate::DomainError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(crate::DomainError::Invalid {
            field: "username",
            why: "use 1-64 characters: letters, digits, '.', '_' or '-'".into(),
        })
    }
}

/// Passwords of fewer than 12 characters are refused; nothing else is imposed (NIST SP 800-63B).
pub fn check_password(pw: &str) -> Result<(), crate::DomainError> {
    if pw.chars().count() < 12 {
        return Err(crate::DomainError::Invalid {
            field: "password",
            why: "use at least 12 characters".into(),
        });
    }
    Ok(())
}
