//! The first pass of the export, which writes nothing: what is in under the TLP ceiling, which
//! markings are used, the bundle id (a digest of what goes out), and for each indicator its
//! SCO's id and whether it is the one that writes that SCO, at which marking. The second pass
//! (export.rs) then writes every object without looking anything up and without hashing an
//! SCO twice.

use std::collections::BTreeSet;

use hikeshi_domain::tlp::Tlp;
use hikeshi_ioc::Kind;
use md5::{Digest, Md5};
use uuid::Uuid;

use super::ids::derived_uuid;
use super::mapping::Sco;
use crate::share::ShareSet;

/// What the second pass needs to know about one indicator that goes out.
#[derive(Debug, Clone, Copy)]
pub(super) struct Planned {
    /// The uuid of its SCO (`None` for a CVE or an indicator without an observable).
    pub sco_uuid: Option<Uuid>,
    /// `Some` when this is the first indicator bringing its SCO, which it then writes, marked
    /// at this level: the least restrictive of all the indicators sharing it (the value is
    /// known at that level, whichever indicator brings it first).
    pub writes_sco: Option<Tlp>,
}

pub(super) struct Plan {
    /// Parallel to `set.incidents`: at or under the ceiling.
    pub incident_ok: Vec<bool>,
    /// Parallel to `set.indicators`: `None` when withheld (above the ceiling, or in an incident
    /// above it).
    pub indicators: Vec<Option<Planned>>,
    /// The TLP levels whose marking-definitions are written.
    pub used: BTreeSet<Tlp>,
    /// Incidents and indicators withheld.
    pub withheld: usize,
    pub bundle_uuid: Uuid,
}

pub(super) fn plan(set: &ShareSet, max: Tlp) -> Plan {
    let incident_ok: Vec<bool> = set.incidents.iter().map(|i| i.tlp <= max).collect();
    let mut used = BTreeSet::new();
    let mut withheld = 0;
    // The bundle id digests the producer and the id and version of everything that goes out.
    let mut hasher = Chunked::default();
    hasher.push(&[set.producer.uuid.as_bytes()]);
    for (inc, ok) in set.incidents.iter().zip(&incident_ok) {
        if *ok {
            used.insert(inc.tlp);
            let mut digits = [0; 20];
            let modified = decimal(inc.modified, &mut digits);
            hasher.push(&[b"|r:", inc.uuid.as_bytes(), b":", modified]);
        } else {
            withheld += 1;
        }
    }

    let mut indicators = Vec::with_capacity(set.indicators.len());
    // (uuid, type) of every SCO brought, with the index and level of the indicator bringing it.
    let mut scos: Vec<(u128, &'static str, usize, Tlp)> = Vec::with_capacity(set.indicators.len());
    let mut scratch = Vec::new();
    for (n, ind) in set.indicators.iter().enumerate() {
        let in_ok_incident = ind
            .incident
            .is_none_or(|i| incident_ok.get(i).copied().unwrap_or(false));
        if ind.tlp > max || !in_ok_incident {
            withheld += 1;
            indicators.push(None);
            continue;
        }
        let mut digits = [0; 20];
        let modified = decimal(ind.modified, &mut digits);
        hasher.push(&[b"|i:", ind.uuid.as_bytes(), b":", modified]);
        let mut sco_uuid = None;
        if let Ok(sco) = Sco::of(&ind.indicator) {
            used.insert(ind.tlp);
            let uuid = sco.uuid(&mut scratch);
            sco_uuid = Some(uuid);
            scos.push((uuid.as_u128(), sco.sco_type, n, ind.tlp));
        } else if ind.indicator.kind == Kind::Cve {
            used.insert(ind.tlp);
        }
        indicators.push(Some(Planned {
            sco_uuid,
            writes_sco: None,
        }));
    }
    // Sorted, the indicators sharing an SCO are next to each other, the first of them first
    // (cheaper than a hash map: the uuids are SHA-1 output, and compare as integers).
    scos.sort_unstable();
    for same in scos.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
        let tlp = same.iter().map(|s| s.3).min();
        if let Some(Some(p)) = indicators.get_mut(same[0].2) {
            p.writes_sco = tlp;
        }
    }

    let digest = hasher.finish();
    let mut name = String::with_capacity(7 + 32);
    name.push_str("bundle:");
    for b in digest {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        name.push(char::from(HEX[usize::from(b >> 4)]));
        name.push(char::from(HEX[usize::from(b & 15)]));
    }
    Plan {
        incident_ok,
        indicators,
        used,
        withheld,
        bundle_uuid: derived_uuid(&name),
    }
}

/// MD5 fed in large chunks: the same digest as feeding it piece by piece, without the cost of
/// four small updates per indicator.
#[derive(Default)]
struct Chunked {
    md5: Md5,
    buf: Vec<u8>,
}

impl Chunked {
    fn push(&mut self, parts: &[&[u8]]) {
        for p in parts {
            self.buf.extend_from_slice(p);
        }
        if self.buf.len() >= 16 * 1024 {
            self.md5.update(&self.buf);
            self.buf.clear();
        }
    }

    fn finish(mut self) -> [u8; 16] {
        self.md5.update(&self.buf);
        self.md5.finalize().into()
    }
}

/// `n` in decimal, as `Display` writes it, in `buf`.
fn decimal(n: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut u = n.unsigned_abs();
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    if n < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

#[cfg(test)]
mod tests {
    use super::decimal;

    #[test]
    fn decimals_read_as_display_writes_them() {
        for n in [0, 1, -1, 9, 10, -10, 1_764_130_000_123, i64::MAX, i64::MIN] {
            assert_eq!(decimal(n, &mut [0; 20]), n.to_string().as_bytes());
        }
    }
}
