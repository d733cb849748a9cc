//! The exact bytes `write_bundle` writes for a representative ShareSet, pinned: every kind,
//! every TLP level and role, Japanese text, plus the edge cases the fast paths of the writer
//! have to get right (JSON escapes and control characters, URLs that need percent-encoding,
//! caller uuids that are not UUIDv4, an observable shared between indicators and incidents,
//! timestamps before 1970 and far in the future, an incident with nothing shareable, a
//! withheld incident and indicator). Any change to the output, however small, fails here.
//!
//! The files are tests/stix_golden_red.json (ceiling TLP:RED) and tests/stix_golden_amber.json
//! (ceiling TLP:AMBER). After an intended change of the format, rewrite them with
//!
//!     HIKESHI_BLESS=1 cargo test -p hikeshi-exchange --test stix_golden
//!
//! and review the diff.

#[path = "stix_fixture.rs"]
mod fixture;

use std::path::PathBuf;

use fixture::{full_set, incident, indicator, uuid};
use hikeshi_domain::indicator::IndicatorRole;
use hikeshi_domain::tlp::Tlp;
use hikeshi_exchange::share::ShareSet;
use hikeshi_exchange::stix::{ExportOptions, ExportSummary, write_bundle};
use hikeshi_ioc::Kind;

/// [`full_set`] and the edge cases listed in the module documentation.
fn golden_set() -> ShareSet {
    let mut set = full_set();
    let n_inc = set.incidents.len();
    let mut quiet = incident(40, Tlp::Green);
    quiet.description = "  ".into();
    quiet.title = "説明のない \"案件\"\t\\ <tab>".into();
    set.incidents.push(quiet); // nothing shareable in it
    let mut odd = incident(41, Tlp::Amber);
    odd.uuid = "not-a-uuid (legacy key 7)".into();
    odd.modified = odd.created - 1; // modified before created
    set.incidents.push(odd);
    let mut v7 = incident(42, Tlp::Clear);
    v7.uuid = "0190b1c2-d3e4-7f00-8abc-0123456789ab".into(); // a v7 uuid
    set.incidents.push(v7);

    let mut extra = vec![
        indicator(
            1001,
            Kind::Url,
            "http://例え.jp/パス/ファイル name\\x.php?a=b c&d=\"e\"",
            IndicatorRole::Phishing,
            Tlp::Green,
            Some(n_inc + 1),
        ),
        indicator(
            1002,
            Kind::Url,
            "https://evil.example.com/a%20b/c?d=e#f[g]@h!$&'()*+,;=~",
            IndicatorRole::C2,
            Tlp::Clear,
            Some(n_inc + 2),
        ),
        indicator(
            1003,
            Kind::Domain,
            "evil.example.com",
            IndicatorRole::Payload,
            Tlp::Clear,
            Some(n_inc + 2),
        ),
        indicator(
            1004,
            Kind::Filename,
            "a\"b\\c\u{1}\u{1f}\u{7f}\n\r\t.exe",
            IndicatorRole::Dropper,
            Tlp::Amber,
            Some(n_inc + 1),
        ),
        indicator(
            1005,
            Kind::Asn,
            "AS4294967295",
            IndicatorRole::Scanner,
            Tlp::AmberStrict,
            None,
        ),
        indicator(
            1006,
            Kind::Cve,
            "CVE-2021-44228",
            IndicatorRole::Victim,
            Tlp::Green,
            Some(n_inc + 2),
        ),
        indicator(
            1007,
            Kind::Ipv4,
            "203.0.113.7",
            IndicatorRole::MalwareDistribution,
            Tlp::Red,
            None,
        ),
    ];
    extra[0].uuid = "legacy:indicator/1".into();
    extra[1].uuid = uuid(0x1002).to_uppercase();
    extra[1].created = -86_400_001; // before the epoch
    extra[1].modified = -1;
    extra[2].created = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
    extra[2].modified = 0;
    extra[2].first_seen = Some(951_782_400_000); // 2000-02-29
    extra[3].comment = "コメント \"引用\" \\ \u{0} \u{2028}".into();
    extra[5].comment = "  ".into();
    extra[6].first_seen = Some(1_709_164_800_000); // 2024-02-29
    extra[6].created = 4_107_542_400_000; // 2100-03-01
    extra[6].modified = 4_107_542_400_000;
    extra[6].last_seen = Some(1_709_164_799_999); // before first_seen: last_observed = first
    set.indicators.append(&mut extra);
    set
}

fn export(set: &ShareSet, max: Tlp) -> (Vec<u8>, ExportSummary) {
    let mut out = Vec::new();
    let opts = ExportOptions {
        tlp_max: max,
        producer_created: 1_700_000_000_000,
    };
    let s = write_bundle(set, &mut out, &opts).unwrap();
    (out, s)
}

fn check(name: &str, max: Tlp) {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", name].iter().collect();
    let (bytes, summary) = export(&golden_set(), max);
    let mut text = String::from_utf8(bytes).expect("UTF-8");
    // The summary is part of what is pinned: it goes after the bundle, on its own line.
    text.push_str(&serde_json::to_string(&summary).unwrap());
    text.push('\n');
    if std::env::var_os("HIKESHI_BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (HIKESHI_BLESS=1 writes it)", path.display()));
    if text != want {
        let (a, b): (Vec<&str>, Vec<&str>) = (text.lines().collect(), want.lines().collect());
        let at = a
            .iter()
            .zip(&b)
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(b.len()));
        panic!(
            "{name}: output differs from the golden file at line {} ({} lines now, {} pinned)\n  now: {}\n  was: {}",
            at + 1,
            a.len(),
            b.len(),
            a.get(at).unwrap_or(&"<end>"),
            b.get(at).unwrap_or(&"<end>"),
        );
    }
}

#[test]
fn the_bytes_at_tlp_red_are_the_pinned_ones() {
    check("stix_golden_red.json", Tlp::Red);
}

#[test]
fn the_bytes_at_tlp_amber_are_the_pinned_ones() {
    check("stix_golden_amber.json", Tlp::Amber);
}
