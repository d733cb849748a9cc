//! Plain exports of a [`ShareSet`]: CSV for spreadsheets and scripts, and defanged text to paste
//! into a mail or a chat (DESIGN.md §3 rule 6: indicators are defanged on the way out).
//!
//! Both write what the set holds, nothing more and nothing less: the audience's TLP ceiling has
//! already been applied by [`ShareSet::cap`], so neither refuses or filters anything.
//!
//! ```
//! use hikeshi_exchange::share::{Producer, ShareSet};
//! use hikeshi_exchange::text::write_defanged;
//!
//! let set = ShareSet {
//!     producer: Producer { name: "Example CSIRT".into(), uuid: "u".into() },
//!     incidents: vec![],
//!     indicators: vec![],
//! };
//! let mut out = Vec::new();
//! write_defanged(&set, &mut out, "ja").unwrap();
//! assert!(String::from_utf8(out).unwrap().starts_with("TLP:CLEAR"));
//! ```

use std::io::{self, Write};

use hikeshi_domain::named::Named;
use hikeshi_domain::time::rfc3339;
use hikeshi_ioc::{DefangStyle, Kind, defang};

use crate::share::ShareSet;

/// The CSV header, in column order.
pub const CSV_HEADER: [&str; 9] = [
    "kind",
    "value",
    "defanged",
    "tlp",
    "role",
    "incident",
    "first_seen",
    "last_seen",
    "comment",
];

/// Write the set's indicators as CSV (RFC 4180 quoting, UTF-8, `\n` line ends), one row per
/// indicator in the set's order, after [`CSV_HEADER`]. `tlp` and `role` are hikeshi's names
/// (`amber+strict`, `malware-distribution`), `incident` the incident's number, times RFC 3339
/// UTC. Returns the number of rows written (header not counted).
pub fn write_csv<W: Write>(set: &ShareSet, out: W) -> io::Result<usize> {
    csv_rows(set, out, true)
}

/// [`write_csv`] without the `value` column, for files that leave by mail: every indicator
/// only in its defanged spelling, so nothing in the file is a live link (DESIGN.md §3 rule 6).
pub fn write_defanged_csv<W: Write>(set: &ShareSet, out: W) -> io::Result<usize> {
    csv_rows(set, out, false)
}

/// The column `value` (index 1) is written only `with_value`.
fn csv_rows<W: Write>(set: &ShareSet, out: W, with_value: bool) -> io::Result<usize> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    let err = |e: csv::Error| io::Error::other(e.to_string());
    let keep = |(i, _): &(usize, &str)| with_value || *i != 1;
    let header: Vec<&str> = CSV_HEADER
        .iter()
        .copied()
        .enumerate()
        .filter(keep)
        .map(|(_, c)| c)
        .collect();
    w.write_record(header).map_err(err)?;
    for ind in &set.indicators {
        let incident = ind
            .incident
            .and_then(|i| set.incidents.get(i))
            .map(|i| i.number.as_str())
            .unwrap_or("");
        let time = |t: Option<i64>| t.map(rfc3339).unwrap_or_default();
        let (defanged, first, last) = (
            defang(&ind.indicator, DefangStyle::Brackets),
            time(ind.first_seen),
            time(ind.last_seen),
        );
        let row = [
            ind.indicator.kind.as_str(),
            ind.indicator.value.as_str(),
            defanged.as_str(),
            ind.tlp.as_str(),
            ind.role.as_str(),
            incident,
            first.as_str(),
            last.as_str(),
            ind.comment.as_str(),
        ];
        let row: Vec<&str> = row
            .into_iter()
            .enumerate()
            .filter(keep)
            .map(|(_, c)| c)
            .collect();
        w.write_record(row).map_err(err)?;
    }
    w.flush()?;
    Ok(set.indicators.len())
}

/// Write the set as defanged text: a header with the highest TLP left in the set and the
/// producer, then the indicators grouped by kind (in [`Kind::ALL`] order, each value once),
/// defanged in the bracket style handlers expect (`hxxps://evil[.]example/`, `a[@]b[.]jp`);
/// hashes, CVEs, ASNs and file names as they are. `lang` is `"ja"` for Japanese labels,
/// anything else for English. Returns the number of indicator lines written.
pub fn write_defanged<W: Write>(set: &ShareSet, mut out: W, lang: &str) -> io::Result<usize> {
    let ja = lang.eq_ignore_ascii_case("ja");
    let mut groups: Vec<(Kind, Vec<String>)> = Vec::new();
    for kind in Kind::ALL {
        let mut values: Vec<String> = Vec::new();
        for ind in set.indicators.iter().filter(|i| i.indicator.kind == kind) {
            // One indicator per line: a value with a line break would read as two.
            let v = defang(&ind.indicator, DefangStyle::Brackets).replace(['\r', '\n'], " ");
            if !values.contains(&v) {
                values.push(v);
            }
        }
        if !values.is_empty() {
            groups.push((kind, values));
        }
    }
    let total: usize = groups.iter().map(|(_, v)| v.len()).sum();
    let tlp = set.max_tlp().label();
    if ja {
        writeln!(out, "{tlp} 提供: {}", set.producer.name)?;
        writeln!(
            out,
            "指標 {total} 件（リンクにならないよう無害化しています: hxxp, [.]）"
        )?;
    } else {
        writeln!(out, "{tlp} from {}", set.producer.name)?;
        writeln!(
            out,
            "{total} indicators (defanged so they are not links: hxxp, [.])"
        )?;
    }
    let mut written = 0;
    for (kind, values) in groups {
        writeln!(out)?;
        writeln!(out, "{} ({})", kind_label(kind, ja), values.len())?;
        for v in values {
            writeln!(out, "{v}")?;
            written += 1;
        }
    }
    if written == 0 {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            if ja {
                "指標はありません。"
            } else {
                "No indicators."
            }
        )?;
    }
    out.flush()?;
    Ok(written)
}

fn kind_label(kind: Kind, ja: bool) -> &'static str {
    match (kind, ja) {
        (Kind::Ipv4, false) => "IPv4 addresses",
        (Kind::Ipv4, true) => "IPv4 アドレス",
        (Kind::Ipv6, false) => "IPv6 addresses",
        (Kind::Ipv6, true) => "IPv6 アドレス",
        (Kind::Cidr, false) => "Networks (CIDR)",
        (Kind::Cidr, true) => "ネットワーク（CIDR）",
        (Kind::Domain, false) => "Domains",
        (Kind::Domain, true) => "ドメイン",
        (Kind::Url, false) => "URLs",
        (Kind::Url, true) => "URL",
        (Kind::Email, false) => "Email addresses",
        (Kind::Email, true) => "メールアドレス",
        (Kind::Md5, _) => "MD5",
        (Kind::Sha1, _) => "SHA-1",
        (Kind::Sha256, _) => "SHA-256",
        (Kind::Sha512, _) => "SHA-512",
        (Kind::Filename, false) => "File names",
        (Kind::Filename, true) => "ファイル名",
        (Kind::Asn, false) => "AS numbers",
        (Kind::Asn, true) => "AS 番号",
        (Kind::Cve, _) => "CVE",
        (Kind::Other, false) => "Other",
        (Kind::Other, true) => "その他",
    }
}
