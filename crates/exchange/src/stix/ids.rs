//! Deterministic STIX identifiers, so that exporting the same [`crate::share::ShareSet`] twice
//! writes the same objects (a TAXII server sees a new version, not a new object).
//!
//! SCOs use the spec's UUIDv5 over their ID-contributing properties (STIX 2.1 §2.9). SDOs and
//! SROs must carry UUIDv4 ids (`stix2-validator --strict`, uuid-check), so ids we derive for
//! them (malware, observed-data, relationships, the bundle) are a name-based hash with the version nibble set
//! to 4: random-looking and valid v4, yet the same on every export. The alternative, real
//! UUIDv5 ids, is what the spec reserves for SCOs, and strict validation rejects it on SDOs.

use uuid::Uuid;

/// The namespace STIX 2.1 §2.9 gives for SCO ids.
pub const SCO_NAMESPACE: Uuid = Uuid::from_bytes([
    0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c, 0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7,
]);

/// hikeshi's own namespace for the name-based ids of SDOs and SROs it derives.
pub const HIKESHI_NAMESPACE: Uuid = Uuid::from_bytes([
    0x7d, 0x0b, 0xac, 0xb0, 0xbf, 0x99, 0x4b, 0x8a, 0xb6, 0x5e, 0x34, 0x74, 0x32, 0xb6, 0xc0, 0xcc,
]);

/// A STIX id, `type--uuid`, held on the stack: the export writes several per indicator.
#[derive(Clone, Copy)]
pub struct StixId {
    buf: [u8; 64],
    len: usize,
}

impl StixId {
    /// `ty` is one of our own object type names (at most 27 bytes; the longest STIX type,
    /// `autonomous-system`, has 17).
    pub fn new(ty: &'static str, uuid: &Uuid) -> StixId {
        let mut buf = [0u8; 64];
        let len = ty.len() + 2 + 36;
        assert!(len <= buf.len(), "STIX type name {ty:?} too long");
        buf[..ty.len()].copy_from_slice(ty.as_bytes());
        buf[ty.len()..ty.len() + 2].copy_from_slice(b"--");
        uuid.hyphenated().encode_lower(&mut buf[ty.len() + 2..len]);
        StixId { buf, len }
    }

    /// ASCII letters, digits and `-`: nothing to escape in JSON.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    pub fn as_str(&self) -> &str {
        // A type name and a hyphenated uuid: UTF-8 by construction.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

/// `type--uuidv5(SCO namespace, canonical JSON of the ID-contributing properties)`.
/// `canonical` must already be RFC 8785 canonical (sorted keys, no whitespace, UTF-8).
pub fn sco_id(ty: &str, canonical: &str) -> String {
    format!("{ty}--{}", sco_uuid(canonical.as_bytes()))
}

/// The uuid part of [`sco_id`].
pub fn sco_uuid(canonical: &[u8]) -> Uuid {
    v5(&SCO_NAMESPACE, canonical)
}

/// RFC 4122 §4.3 UUIDv5 (SHA-1 of namespace and name), the same value as `Uuid::new_v5`,
/// computed with RustCrypto's SHA-1, which uses the CPU's SHA extensions when it has them.
pub fn v5(namespace: &Uuid, name: &[u8]) -> Uuid {
    use sha1::{Digest, Sha1};
    let mut h = Sha1::new();
    h.update(namespace.as_bytes());
    h.update(name);
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    Uuid::from_bytes(b)
}

/// A UUIDv4-shaped id derived from `name`: the same name always gives the same id.
pub fn derived_uuid(name: &str) -> Uuid {
    let mut b = *v5(&HIKESHI_NAMESPACE, name.as_bytes()).as_bytes();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    Uuid::from_bytes(b)
}

/// The uuid to use for one of our objects whose stable uuid comes from the caller: the uuid
/// itself when it is a valid UUIDv4 (the normal case), else one derived from its text, so a
/// caller's v7 or free-form key still gives a strict-valid, stable id.
pub fn object_uuid(kind: &str, text: &str) -> Uuid {
    match Uuid::parse_str(text.trim()) {
        Ok(u) if u.get_version_num() == 4 => u,
        _ => derived_uuid(&format!("{kind}:{text}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sco_ids_match_the_spec_example_algorithm() {
        // The value Python's uuid.uuid5(NS, '{"value":"198.51.100.3"}') gives.
        let id = sco_id("ipv4-addr", r#"{"value":"198.51.100.3"}"#);
        assert_eq!(id, "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4");
    }

    #[test]
    fn derived_ids_are_stable_and_v4() {
        let a = derived_uuid("x");
        assert_eq!(a, derived_uuid("x"));
        assert_eq!(a.get_version_num(), 4);
        assert_ne!(a, derived_uuid("y"));
        let v4 = "1f0e8a8e-5b55-4c1b-9d3c-6a0f0b0b0b0b";
        assert_eq!(object_uuid("indicator", v4).to_string(), v4);
    }

    #[test]
    fn stack_ids_read_as_the_formatted_ones() {
        let u = derived_uuid("x");
        let id = StixId::new("autonomous-system", &u);
        assert_eq!(id.as_str(), format!("autonomous-system--{u}"));
    }
}
