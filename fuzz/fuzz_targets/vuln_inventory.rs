//! The inventory parsers (CSV, dpkg-query, rpm -qa, osquery, Vuls) on arbitrary bytes: no
//! panic, and every package they accept has a version its ecosystem's rules can read.
#![no_main]

use hikeshi_vuln::{Platform, Version, inventory};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let check = |p: &hikeshi_vuln::Package| {
        assert!(
            Version::parse(p.ecosystem.scheme(), &p.version).is_ok(),
            "accepted unreadable {p:?}"
        );
    };
    let assets = inventory::parse_csv("f.csv", data);
    assets
        .records
        .iter()
        .flat_map(|a| &a.packages)
        .for_each(check);
    inventory::parse_vuls("f.json", data)
        .records
        .iter()
        .flat_map(|a| &a.packages)
        .for_each(check);
    for os in ["debian-12", "rhel-9", "appliance"] {
        let platform = Platform::from_os_label(os);
        inventory::parse_dpkg("f.txt", data, &platform)
            .records
            .iter()
            .for_each(check);
        inventory::parse_rpm("f.txt", data, &platform)
            .records
            .iter()
            .for_each(check);
        inventory::parse_osquery("f.json", data, &platform)
            .records
            .iter()
            .for_each(check);
    }
});
