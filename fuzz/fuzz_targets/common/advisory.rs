//! What every advisory-parser fuzz target checks, for the parser it names: no panic, every
//! record either read or rejected with its file name, and every advisory read can be matched
//! without panicking.

use hikeshi_vuln::{Advisory, Ecosystem, Package, Parsed, match_package};

pub fn check(file: &str, parse: fn(&str, &[u8]) -> Parsed<Advisory>, data: &[u8]) {
    let parsed = parse(file, data);
    assert!(
        parsed
            .errors
            .iter()
            .all(|e| e.file == file && !e.reason.is_empty())
    );
    for adv in &parsed.records {
        for (ecosystem, version) in [
            (Ecosystem::Generic, "1.0.1f"),
            (Ecosystem::Debian, "1.0-1"),
            (Ecosystem::Npm, "1.2.3"),
        ] {
            for a in &adv.affected {
                let name = a.package.as_ref().map_or("openssl", |p| p.name.as_str());
                let pkg = Package {
                    name: name.into(),
                    version: version.into(),
                    ecosystem,
                    release: None,
                };
                let _ = match_package(adv, &pkg);
            }
        }
    }
}
