//! Field names of structured logs (JSON lines, CSV, Zeek) and what each holds.
//!
//! One table serves every structured format, because the same names recur across products
//! (`src_ip`, ECS's `source.ip`, Zeek's `id.orig_h`, W3C's `c-ip`). A caller's [`FieldMap`]
//! overrides it for logs with other names.

use rustc_hash::FxHashMap;

use crate::matcher::Role;

/// What a field tells about the line besides matching: its time, its internal host, its
/// destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    None,
    Time,
    Source,
    /// A destination address.
    Destination,
    /// A destination name, preferred over an address when a line has both (the query of a DNS
    /// log says more than the resolver's address).
    Name,
}

const TIME: &[&str] = &[
    "ts",
    "timestamp",
    "@timestamp",
    "time",
    "datetime",
    "date",
    "eventtime",
    "event_time",
    "start_time",
    "receive_time",
    "generated_time",
    "event.created",
];
const SOURCE: &[&str] = &[
    "src_ip",
    "srcip",
    "src",
    "source_ip",
    "sourceip",
    "src_addr",
    "source_address",
    "client_ip",
    "clientip",
    "c-ip",
    "client",
    "client_addr",
    "id.orig_h",
    "source.ip",
    "source.address",
    "client.ip",
    "client.address",
    "remote_addr",
    "saddr",
    "src_host",
    "source_host",
];
const DEST_IP: &[&str] = &[
    "dst_ip",
    "dstip",
    "dst",
    "dest_ip",
    "destip",
    "destination_ip",
    "dst_addr",
    "destination_address",
    "id.resp_h",
    "destination.ip",
    "destination.address",
    "server_ip",
    "server.ip",
    "server.address",
    "daddr",
    "s-ip",
    "resp_h",
    "orig_h",
];
const DEST_HOST: &[&str] = &[
    "host",
    "hostname",
    "dst_host",
    "dest_host",
    "domain",
    "query",
    "qname",
    "dns.question.name",
    "server_name",
    "sni",
    "tls.server_name",
    "url.domain",
    "destination.domain",
    "http_host",
    "cs-host",
    "server.domain",
    "fqdn",
    "request_host",
    "site",
];
const URL: &[&str] = &[
    "url",
    "uri",
    "request_url",
    "full_url",
    "url.full",
    "url.original",
    "cs-uri",
    "referer",
    "referrer",
    "http.request.referrer",
    "http_referer",
    "http_referrer",
    "cs(referer)",
];
const HASH: &[&str] = &[
    "md5",
    "sha1",
    "sha256",
    "sha512",
    "hash",
    "file_hash",
    "filehash",
    "file.hash.md5",
    "file.hash.sha1",
    "file.hash.sha256",
    "file.hash.sha512",
    "hash.md5",
    "hash.sha1",
    "hash.sha256",
];
const EMAIL: &[&str] = &[
    "email",
    "from",
    "to",
    "cc",
    "sender",
    "recipient",
    "mailfrom",
    "rcptto",
    "reply_to",
    "user.email",
    "email.from.address",
    "email.to.address",
    "source.user.email",
];
const TEXT: &[&str] = &["message", "msg", "log", "raw", "event.original", "full_log"];
/// Fields that hold identifiers, enumerations or versions, never an indicator: Zeek's
/// connection and file ids (`uid`, `fuid`, …), DNS class/type/response names, connection
/// states, TLS parameters, HTTP methods and status texts, protocol and firewall action names.
/// Not looking at them saves a third of the matching work on a Zeek DNS log, and a version
/// string such as `1.2.3.4` is not taken for an address.
const IGNORE: &[&str] = &[
    "uid",
    "fuid",
    "conn_uids",
    "orig_fuids",
    "resp_fuids",
    "cert_chain_fuids",
    "client_cert_chain_fuids",
    "qclass_name",
    "qtype_name",
    "rcode_name",
    "conn_state",
    "history",
    "method",
    "version",
    "cipher",
    "curve",
    "next_protocol",
    "status_msg",
    "info_msg",
    "mime_type",
    "orig_mime_types",
    "resp_mime_types",
    "analyzers",
    "proto",
    "action",
];

/// Every built-in name list with the role and slot it gives.
const BUILTINS: [(&[&str], Role, Slot); 9] = [
    (TIME, Role::Ignore, Slot::Time),
    (IGNORE, Role::Ignore, Slot::None),
    (SOURCE, Role::Host, Slot::Source),
    (DEST_IP, Role::Host, Slot::Destination),
    (DEST_HOST, Role::Host, Slot::Name),
    (URL, Role::Url, Slot::None),
    (HASH, Role::Hash, Slot::None),
    (EMAIL, Role::Email, Slot::None),
    (TEXT, Role::Text, Slot::None),
];

/// The built-in meaning of a field name (matched case-insensitively).
pub(crate) fn builtin(name: &str) -> Option<(Role, Slot)> {
    let lower;
    let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
        lower = name.to_ascii_lowercase();
        lower.as_str()
    } else {
        name
    };
    BUILTINS
        .iter()
        .find(|(names, _, _)| names.contains(&name))
        .map(|&(_, role, slot)| (role, slot))
}

/// Caller-given field meanings, overriding the built-in table: `dest=ip`, `payload=text`.
#[derive(Debug, Clone, Default)]
pub struct FieldMap {
    roles: FxHashMap<String, Role>,
}

impl FieldMap {
    pub fn new() -> Self {
        FieldMap::default()
    }

    /// Sets the role of a field (dotted path for nested JSON: `source.ip`).
    pub fn set(&mut self, field: &str, role: Role) -> &mut Self {
        self.roles.insert(field.to_ascii_lowercase(), role);
        self
    }

    /// Parses `name=role` as given on a command line.
    pub fn parse_entry(&mut self, entry: &str) -> Result<(), String> {
        let (name, role) = entry
            .split_once('=')
            .ok_or_else(|| format!("field mapping {entry:?} is not NAME=ROLE"))?;
        self.set(name.trim(), role.trim().parse()?);
        Ok(())
    }

    /// The role and slot of a field: the map first, then the built-in table, then `unknown`.
    pub(crate) fn resolve(&self, name: &str, unknown: Role) -> (Role, Slot) {
        let builtin = builtin(name);
        let slot = builtin.map_or(Slot::None, |(_, s)| s);
        if !self.roles.is_empty()
            && let Some(&role) = self.roles.get(&name.to_ascii_lowercase())
        {
            return (role, slot);
        }
        builtin.map_or((unknown, Slot::None), |(r, _)| (r, slot))
    }
}

/// Every known name (built-in, then the caller's overrides) in one hash table, for formats that
/// resolve names on every line (JSON lines).
pub(crate) fn table(map: &FieldMap) -> FxHashMap<Box<[u8]>, (Role, Slot)> {
    let mut t = FxHashMap::default();
    for (names, role, slot) in BUILTINS {
        for n in names {
            t.insert(n.as_bytes().into(), (role, slot));
        }
    }
    for (name, &role) in &map.roles {
        let slot = t.get(name.as_bytes()).map_or(Slot::None, |&(_, s)| s);
        t.insert(name.as_bytes().into(), (role, slot));
    }
    t
}
