//! Import a STIX 2.1 bundle and export what came in, timing both (scripts/bench/stix_vs_python.sh).
//!
//!     cargo run --release -p hikeshi-exchange --example stix_roundtrip -- IN.json OUT.json
//!
//! Prints one line of `key=value` figures: objects, indicators, seconds for read_bundle
//! (parse_s), for turning the Imported into a ShareSet (convert_s, harness only) and for
//! write_bundle (write_s), the CPU time the process spent in read_bundle and write_bundle
//! (parse_cpu_s, write_cpu_s: on a loaded machine the wall time also counts waiting for a
//! core), and the peak resident memory of the process (VmHWM from /proc/self/status, Linux).

use std::fs::File;
use std::io::BufWriter;
use std::time::Instant;

use hikeshi_domain::tlp::Tlp;
use hikeshi_exchange::share::{Producer, ShareIncident, ShareIndicator, ShareSet};
use hikeshi_exchange::stix::{ExportOptions, ImportLimits, read_bundle, write_bundle};

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time this (single) thread has run, in seconds (/proc/thread-self/schedstat, Linux).
fn cpu_s() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0.0, |ns| ns as f64 / 1e9)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (input, output) = match (args.next(), args.next()) {
        (Some(i), Some(o)) => (i, o),
        _ => return Err("usage: stix_roundtrip IN.json OUT.json".into()),
    };
    let rss_before = peak_rss_kib().unwrap_or(0);
    let (t, c) = (Instant::now(), cpu_s());
    let imported = read_bundle(File::open(&input)?, &ImportLimits::default())?;
    let (parse, parse_cpu) = (t.elapsed().as_secs_f64(), cpu_s() - c);
    let rss_after_parse = peak_rss_kib().unwrap_or(0);

    // What came in, as something to share again.
    let t = Instant::now();
    let incidents = imported
        .groups
        .iter()
        .enumerate()
        .map(|(n, g)| ShareIncident {
            uuid: g.source_id.split_once("--").map_or("", |p| p.1).to_owned(),
            number: format!("HK-2026-{:05}", n + 1),
            title: g.title.clone(),
            category: "other".into(),
            rsit_class: "other".into(),
            rsit_type: "other".into(),
            tlp: g.tlp.unwrap_or(Tlp::Amber),
            created: g.created.unwrap_or(0),
            modified: g.created.unwrap_or(0),
            description: g.description.clone(),
        })
        .collect();
    let indicators = imported
        .indicators
        .iter()
        .map(|i| ShareIndicator {
            uuid: i.source_id.split_once("--").map_or("", |p| p.1).to_owned(),
            indicator: i.indicator.clone(),
            role: i.role,
            tlp: i.tlp.unwrap_or(Tlp::Amber),
            incident: i.group,
            comment: i.comment.clone(),
            created: i.first_seen.unwrap_or(0),
            modified: i.first_seen.unwrap_or(0),
            first_seen: i.first_seen,
            last_seen: i.last_seen,
        })
        .collect();
    let set = ShareSet {
        producer: Producer {
            name: "Example CSIRT".into(),
            uuid: "5e0f8c3a-9a43-4c4e-8f0e-1b2d3c4d5e6f".into(),
        },
        incidents,
        indicators,
    };
    let opts = ExportOptions {
        tlp_max: Tlp::Red,
        ..ExportOptions::default()
    };
    let convert = t.elapsed().as_secs_f64();
    let (t, c) = (Instant::now(), cpu_s());
    let summary = write_bundle(&set, BufWriter::new(File::create(&output)?), &opts)?;
    let (write, write_cpu) = (t.elapsed().as_secs_f64(), cpu_s() - c);
    println!(
        "rust objects_in={} indicators={} kept={} rejected={} objects_out={} parse_s={:.3} convert_s={:.3} write_s={:.3} parse_cpu_s={:.3} write_cpu_s={:.3} peak_rss_kib={} rss_before_kib={} rss_after_parse_kib={}",
        imported.indicators.len() + imported.kept.len() + imported.groups.len(),
        imported.indicators.len(),
        imported.kept.len(),
        imported.rejected.len(),
        summary.objects,
        parse,
        convert,
        write,
        parse_cpu,
        write_cpu,
        peak_rss_kib().unwrap_or(0),
        rss_before,
        rss_after_parse
    );
    Ok(())
}
