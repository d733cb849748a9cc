//! The JVN VULDEF parser on arbitrary bytes: no panic, every record either read or rejected
//! with its file name, and every advisory read can be matched without panicking.
#![no_main]

use hikeshi_vuln::{Ecosystem, Package, match_package};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = hikeshi_vuln::jvn::parse_jvn("fuzz.xml", data);
    assert!(
        parsed
            .errors
            .iter()
            .all(|e| e.file == "fuzz.xml" && !e.reason.is_empty())
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
});
