//! Matching benchmark (issue 7): full re-match of 100,000 assets × 20 packages against 300,000
//! advisory ranges, and one new advisory against that inventory, each compared with a
//! straightforward nested loop in the same run.
//!
//! ```text
//! CARGO_TARGET_DIR=/work/cache/target-vuln cargo run --release -p hikeshi-vuln --example vuln_bench
//! ```
//! Optional arguments: ASSETS PACKAGES_PER_ASSET ADVISORIES (each advisory has 2 ranges) and
//! the number of packages the nested loop is timed on (it is extrapolated linearly to all of
//! them, because the full nested loop would take hours).

use std::time::Instant;

use hikeshi_vuln::{
    Advisory, AdvisoryIndex, Affected, Asset, Ecosystem, Event, InventoryIndex, Package,
    PackageRef, Platform, PreparedAdvisory, Range, RangeKind, Version,
};

/// splitmix64: deterministic synthetic data without a `rand` dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const ECOS: [(Ecosystem, &str, Option<&str>); 5] = [
    (Ecosystem::Debian, "Debian:12", Some("12")),
    (Ecosystem::RedHat, "Red Hat:9", Some("9")),
    (Ecosystem::Npm, "npm", None),
    (Ecosystem::PyPI, "PyPI", None),
    (Ecosystem::Generic, "Generic", None),
];

fn version(eco: Ecosystem, (a, b, c): (u64, u64, u64), rng: &mut Rng) -> String {
    match eco {
        Ecosystem::Debian => format!("{a}.{b}.{c}-{}+deb12u{}", rng.below(3) + 1, rng.below(4)),
        Ecosystem::RedHat => format!("{a}.{b}.{c}-{}.el9_{}", rng.below(30) + 1, rng.below(4)),
        Ecosystem::Generic => format!("{a}.{b}.{c}{}", ["", "a", "f", "g"][rng.below(4) as usize]),
        _ => format!("{a}.{b}.{c}"),
    }
}

/// CPU time of this thread in seconds (Linux `schedstat`): the machine is shared, so wall time
/// alone says more about the neighbours than about the code.
fn cpu_now() -> f64 {
    let read = |p: &str| std::fs::read_to_string(p).ok();
    read("/proc/thread-self/schedstat")
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|n| n.parse::<f64>().ok())
        })
        .map_or(0.0, |ns| ns / 1e9)
}

/// CPU time of the whole process in seconds (utime + stime from `/proc/self/stat`, 100 Hz ticks).
fn cpu_process() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1.split_whitespace().collect::<Vec<_>>();
            let ticks = after.get(11)?.parse::<f64>().ok()? + after.get(12)?.parse::<f64>().ok()?;
            Some(ticks / 100.0)
        })
        .unwrap_or(0.0)
}

fn triple(rng: &mut Rng) -> (u64, u64, u64) {
    (rng.below(4), rng.below(12), rng.below(20))
}

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let arg = |i: usize, d: u64| args.get(i).copied().unwrap_or(d);
    let (n_assets, per_asset, n_adv, sample) =
        (arg(0, 100_000), arg(1, 20), arg(2, 150_000), arg(3, 200));
    let names_per_eco = 4_000u64;
    let mut rng = Rng(7);

    let t = Instant::now();
    let mut assets = Vec::with_capacity(n_assets as usize);
    for i in 0..n_assets {
        let (eco, _, release) = ECOS[(i % 2) as usize];
        let mut asset = Asset::new(&format!("host{i:06}"));
        for k in 0..per_asset {
            // Every fifth package is from a language or upstream ecosystem, the rest from the OS.
            let (eco, release) = if k % 5 == 4 {
                let e = ECOS[2 + rng.below(3) as usize];
                (e.0, e.2)
            } else {
                (eco, release)
            };
            // Package 0 is openssl on every host, so "one new advisory" can be measured for a
            // package the whole fleet has, the Heartbleed case.
            let name = if k == 0 {
                "openssl".to_owned()
            } else {
                format!("pkg{}", rng.below(names_per_eco))
            };
            let t3 = triple(&mut rng);
            asset.packages.push(Package {
                name,
                version: version(eco, t3, &mut rng),
                ecosystem: eco,
                release: release.map(str::to_owned),
            });
        }
        assets.push(asset);
    }
    let mut advisories = Vec::with_capacity(n_adv as usize);
    for i in 0..n_adv {
        let (eco, raw, _) = ECOS[rng.below(5) as usize];
        let mut ranges = Vec::new();
        for _ in 0..2 {
            let lo = triple(&mut rng);
            let hi = (lo.0, lo.1 + 1 + rng.below(3), rng.below(20));
            ranges.push(Range {
                kind: RangeKind::Ecosystem,
                events: vec![
                    Event::Introduced(version(eco, lo, &mut rng)),
                    Event::Fixed(version(eco, hi, &mut rng)),
                ],
            });
        }
        advisories.push(Advisory {
            id: format!("SYN-{i:07}"),
            aliases: Vec::new(),
            summary: String::new(),
            published: None,
            modified: None,
            severity: Vec::new(),
            affected: vec![Affected {
                package: Some(PackageRef {
                    ecosystem_raw: raw.to_owned(),
                    platform: Platform::from_osv(raw),
                    name: format!("pkg{}", rng.below(names_per_eco)),
                    purl: None,
                }),
                ranges,
                versions: Vec::new(),
                cpes: Vec::new(),
            }],
            references: Vec::new(),
            remediations: Vec::new(),
        });
    }
    let packages: usize = assets.iter().map(|a| a.packages.len()).sum();
    println!(
        "data: {n_assets} assets, {packages} packages, {n_adv} advisories, {} ranges (generated in {:.2?})",
        n_adv * 2,
        t.elapsed()
    );

    // Full re-match through the index.
    let t = Instant::now();
    let mut index = AdvisoryIndex::new();
    for a in advisories.iter().cloned() {
        index.insert(a);
    }
    let build = t.elapsed();
    let (t, c) = (Instant::now(), cpu_process());
    let inv = InventoryIndex::new(&assets);
    let (inv_build, inv_cpu) = (t.elapsed(), cpu_process() - c);
    let (t, c) = (Instant::now(), cpu_process());
    let all = index.match_inventory(&inv, &assets);
    let (full, full_cpu) = (t.elapsed(), cpu_process() - c);
    println!(
        "index: advisory index build {build:.2?}; inventory index build {inv_build:.2?} wall / {inv_cpu:.2} s CPU; \
         full re-match {full:.2?} wall / {full_cpu:.2} s CPU (all threads); {} matches",
        all.len()
    );
    let full_cpu = full_cpu + inv_cpu;

    // Nested loop over the same prepared advisories, timed on a sample and extrapolated.
    let prepared: Vec<PreparedAdvisory> = advisories
        .iter()
        .cloned()
        .map(|a| PreparedAdvisory::new(a).0)
        .collect();
    let sample_pkgs: Vec<(usize, usize)> = (0..sample)
        .map(|_| (rng.below(n_assets) as usize, rng.below(per_asset) as usize))
        .collect();
    let (t, c) = (Instant::now(), cpu_now());
    let mut nested_found = Vec::new();
    for &(a, p) in &sample_pkgs {
        // The package's version and name are prepared once, as the index does, so the ratio
        // measures the lookup and nothing else.
        let pkg = &assets[a].packages[p];
        let parsed = Version::parse(pkg.ecosystem.scheme(), &pkg.version);
        let name = pkg.ecosystem.normalise_name(&pkg.name);
        for adv in &prepared {
            if let Some(m) = adv.evaluate_with(pkg, &name, &parsed) {
                nested_found.push((a, p, m.advisory));
            }
        }
    }
    let (nested_sample, nested_cpu) = (t.elapsed(), cpu_now() - c);
    let nested_full = nested_cpu / sample as f64 * packages as f64;
    // Same answers: the index's matches for the sampled packages equal the nested loop's.
    let mut from_index: Vec<(usize, usize, String)> = Vec::new();
    for &(a, p) in &sample_pkgs {
        from_index.extend(
            index
                .matches(&assets[a].packages[p])
                .into_iter()
                .map(|m| (a, p, m.advisory)),
        );
    }
    assert_eq!(from_index, nested_found, "index and nested loop disagree");
    println!(
        "nested loop: {sample} packages in {nested_sample:.2?} wall, {nested_cpu:.2} s CPU → {nested_full:.0} s CPU for all (extrapolated); CPU ratio {:.0}×",
        nested_full / full_cpu.max(1e-9)
    );

    // One new advisory against the whole inventory: best of 20 runs, because a single run of
    // well under a millisecond is at the mercy of the neighbours on this shared machine. First
    // a typical advisory (a package on a few hosts), then one for openssl on Debian 12, which
    // half the fleet has.
    let mut heartbleed = advisories[0].clone();
    heartbleed.id = "SYN-OPENSSL".into();
    if let Some(p) = heartbleed.affected[0].package.as_mut() {
        p.name = "openssl".into();
        p.ecosystem_raw = "Debian:12".into();
        p.platform = Platform::from_osv("Debian:12");
    }
    heartbleed.affected[0].ranges = vec![Range {
        kind: RangeKind::Ecosystem,
        events: vec![
            Event::Introduced("1.0.0".into()),
            Event::Fixed("1.6.0-1".into()),
        ],
    }];
    for new in [&advisories[0], &heartbleed] {
        let mut one = std::time::Duration::MAX;
        let mut hits = Vec::new();
        let c = cpu_now();
        for _ in 0..20 {
            let t = Instant::now();
            hits = inv.affected_by(&assets, new);
            one = one.min(t.elapsed());
        }
        let one_cpu = (cpu_now() - c) / 20.0;
        let pnew = PreparedAdvisory::new(new.clone()).0;
        let (t, c) = (Instant::now(), cpu_now());
        let mut nested_hits = 0usize;
        for asset in &assets {
            for pkg in &asset.packages {
                let parsed = Version::parse(pkg.ecosystem.scheme(), &pkg.version);
                let name = pkg.ecosystem.normalise_name(&pkg.name);
                nested_hits += usize::from(pnew.evaluate_with(pkg, &name, &parsed).is_some());
            }
        }
        let (one_nested, one_nested_cpu) = (t.elapsed(), cpu_now() - c);
        assert_eq!(
            hits.len(),
            nested_hits,
            "one-advisory index and nested loop disagree"
        );
        println!(
            "one new advisory {}: match {one:.2?} wall (best of 20) / {:.2} ms CPU (mean of 20), {} hits; nested loop {one_nested:.2?} wall / {one_nested_cpu:.2} s CPU; ratio {:.0}× by wall, {} by CPU",
            new.id,
            one_cpu * 1e3,
            hits.len(),
            one_nested.as_secs_f64() / one.as_secs_f64(),
            // schedstat advances in scheduler ticks: below a millisecond the CPU figure is 0.
            if one_cpu >= 1e-3 {
                format!("{:.0}×", one_nested_cpu / one_cpu)
            } else {
                "(too short to measure)".to_owned()
            }
        );
    }
}
