//! Write sample STIX bundles for the external validators (scripts/external/stix_check.sh):
//! every kind, every TLP, Japanese text, and one bundle per `tlp_max` ceiling.
//!
//!     cargo run -p hikeshi-exchange --example stix_samples -- OUT_DIR

#[path = "../tests/stix_fixture.rs"]
mod fixture;

use std::fs::File;
use std::path::Path;

use hikeshi_domain::named::Named;
use hikeshi_domain::tlp::Tlp;
use hikeshi_exchange::share::ShareSet;
use hikeshi_exchange::stix::{ExportOptions, write_bundle};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .ok_or("usage: stix_samples OUT_DIR")?;
    let dir = Path::new(&dir);
    std::fs::create_dir_all(dir)?;
    let write = |name: &str, set: &ShareSet, max: Tlp| -> Result<(), Box<dyn std::error::Error>> {
        let path = dir.join(name);
        let opts = ExportOptions {
            tlp_max: max,
            ..ExportOptions::default()
        };
        let s = write_bundle(set, File::create(&path)?, &opts)?;
        println!(
            "{}: {} objects, {} indicators, {} withheld, {} skipped",
            path.display(),
            s.objects,
            s.indicators,
            s.withheld,
            s.skipped.len()
        );
        Ok(())
    };
    let full = fixture::full_set();
    write("all.json", &full, Tlp::Red)?;
    for t in Tlp::all() {
        write(
            &format!("max-{}.json", t.as_str().replace('+', "-")),
            &full,
            *t,
        )?;
    }
    let empty = ShareSet {
        producer: fixture::producer(),
        incidents: vec![fixture::incident(1, Tlp::Clear)],
        indicators: vec![],
    };
    write("incident-without-indicators.json", &empty, Tlp::Red)?;
    let nothing = ShareSet {
        producer: fixture::producer(),
        incidents: vec![],
        indicators: vec![],
    };
    write("empty.json", &nothing, Tlp::Red)?;
    Ok(())
}
