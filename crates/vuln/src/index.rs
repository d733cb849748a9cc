//! Indexes that turn matching into lookups.
//!
//! [`AdvisoryIndex`] keys every prepared advisory by (ecosystem, normalised package name) and by
//! CPE product, so a package meets only the advisories that name it: a full re-match costs one
//! hash lookup per installed package plus the ranges of that package, instead of every range
//! for every package. [`InventoryIndex`] is the mirror image for "one new advisory": it keys
//! installed packages the same way and parses each installed version once.
//!
//! An interval tree per package was considered and rejected: after the lookup a bucket holds a
//! handful of advisories (tens for the busiest packages such as the kernel), so walking them is
//! cheaper than maintaining the tree, and the walk keeps one evaluation path shared with
//! [`match_package`](crate::match_package).

use rustc_hash::{FxHashMap, FxHashSet};

use crate::advisory::Advisory;
use crate::ecosystem::Ecosystem;
use crate::inventory::Asset;
use crate::matching::{Match, Package, PreparedAdvisory};
use crate::version::{Version, VersionError};

/// (ecosystem, normalised package name): the key both indexes share.
type Key = (Ecosystem, String);
/// One package key of the inventory and where it is installed (asset, package).
type Group<'a> = (&'a Key, &'a Vec<(u32, u32)>);

/// One affected package of one asset.
#[derive(Debug, Clone, PartialEq)]
pub struct AssetMatch {
    /// Index into the asset slice the match was computed from.
    pub asset: usize,
    /// Index into that asset's packages.
    pub package: usize,
    pub found: Match,
}

/// An advisory bound that could not be read; the rest of the advisory is still indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexWarning {
    pub advisory: String,
    pub error: VersionError,
}

/// Every known advisory, keyed for lookup by installed package.
#[derive(Debug, Default)]
pub struct AdvisoryIndex {
    advisories: Vec<PreparedAdvisory>,
    by_package: FxHashMap<(Ecosystem, String), Vec<u32>>,
    by_product: FxHashMap<String, Vec<u32>>,
}

impl AdvisoryIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one advisory; returns the bounds that could not be read.
    pub fn insert(&mut self, advisory: Advisory) -> Vec<IndexWarning> {
        let (prepared, errors) = PreparedAdvisory::new(advisory);
        let id = u32::try_from(self.advisories.len()).unwrap_or(u32::MAX);
        let keys: FxHashSet<(Ecosystem, String)> = prepared.package_keys().collect();
        for key in keys {
            self.by_package.entry(key).or_default().push(id);
        }
        let products: FxHashSet<&str> = prepared.products().collect();
        for p in products {
            self.by_product.entry(p.to_owned()).or_default().push(id);
        }
        let warnings = errors
            .into_iter()
            .map(|error| IndexWarning {
                advisory: prepared.advisory.id.clone(),
                error,
            })
            .collect();
        self.advisories.push(prepared);
        warnings
    }

    pub fn len(&self) -> usize {
        self.advisories.len()
    }

    pub fn is_empty(&self) -> bool {
        self.advisories.is_empty()
    }

    /// Every advisory that affects `package`, in insertion order.
    pub fn matches(&self, package: &Package) -> Vec<Match> {
        let key = (
            package.ecosystem,
            package.ecosystem.normalise_name(&package.name),
        );
        let named = self.by_package.get(&key).map_or(&[][..], Vec::as_slice);
        let by_product = if self.by_product.is_empty() {
            &[][..]
        } else {
            self.by_product
                .get(&package.name.to_ascii_lowercase())
                .map_or(&[][..], Vec::as_slice)
        };
        if named.is_empty() && by_product.is_empty() {
            return Vec::new();
        }
        let parsed = Version::parse(package.ecosystem.scheme(), &package.version);
        let name = &key.1;
        let mut out = Vec::new();
        let mut seen: Vec<u32> = Vec::new();
        for &id in named.iter().chain(by_product) {
            if seen.contains(&id) {
                continue;
            }
            seen.push(id);
            if let Some(m) = self.advisories[id as usize].evaluate_with(package, name, &parsed) {
                out.push(m);
            }
        }
        out
    }

    /// Full re-match: every affected package of every asset, ordered by asset, then package,
    /// then advisory insertion order.
    pub fn match_assets(&self, assets: &[Asset]) -> Vec<AssetMatch> {
        self.match_inventory(&InventoryIndex::new(assets), assets)
    }

    /// Full re-match against an inventory indexed beforehand (a background job keeps one and
    /// rebuilds it when the inventory changes). `assets` must be the slice `inventory` was
    /// built from.
    ///
    /// The walk goes one package key at a time: the handful of advisories for `openssl` stay in
    /// cache while every installed openssl is checked. Walking asset by asset (tried first)
    /// fetched each advisory's ranges from memory again for every asset and was several times
    /// slower on the benchmark's 2 million packages. Keys are split across the cores with
    /// scoped std threads; the indexes are read-only, so nothing is locked (rayon was not added
    /// for one loop).
    pub fn match_inventory(&self, inventory: &InventoryIndex, assets: &[Asset]) -> Vec<AssetMatch> {
        let groups: Vec<Group<'_>> = inventory.by_package.iter().collect();
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let mut out = if threads < 2 || groups.len() < 64 {
            self.match_groups(&groups, inventory, assets)
        } else {
            let chunk = groups.len().div_ceil(threads);
            std::thread::scope(|s| {
                let handles: Vec<_> = groups
                    .chunks(chunk)
                    .map(|part| s.spawn(move || self.match_groups(part, inventory, assets)))
                    .collect();
                let mut out = Vec::new();
                for h in handles {
                    // A panic in a worker is a bug here; re-raise it rather than return part of
                    // the answer.
                    out.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
                }
                out
            })
        };
        // Stable, so the advisories of one package stay in insertion order.
        out.sort_by_key(|m| (m.asset, m.package));
        out
    }

    fn match_groups(
        &self,
        groups: &[Group<'_>],
        inventory: &InventoryIndex,
        assets: &[Asset],
    ) -> Vec<AssetMatch> {
        let mut out = Vec::new();
        let mut ids: Vec<u32> = Vec::new();
        for (key, members) in groups {
            let named = self.by_package.get(*key).map_or(&[][..], Vec::as_slice);
            for &(ai, pi) in members.iter() {
                let (a, p) = (ai as usize, pi as usize);
                let Some(package) = assets.get(a).and_then(|x| x.packages.get(p)) else {
                    continue;
                };
                ids.clear();
                ids.extend_from_slice(named);
                if !self.by_product.is_empty() {
                    let product = package.name.to_ascii_lowercase();
                    for &id in self.by_product.get(&product).into_iter().flatten() {
                        if !ids.contains(&id) {
                            ids.push(id);
                        }
                    }
                }
                if ids.is_empty() {
                    continue;
                }
                let Some(parsed) = inventory.parsed.get(a).and_then(|v| v.get(p)) else {
                    continue;
                };
                for &id in &ids {
                    if let Some(found) =
                        self.advisories[id as usize].evaluate_with(package, &key.1, parsed)
                    {
                        out.push(AssetMatch {
                            asset: a,
                            package: p,
                            found,
                        });
                    }
                }
            }
        }
        out
    }
}

/// Installed packages keyed like the advisory index, for matching one new advisory.
#[derive(Debug)]
pub struct InventoryIndex {
    by_package: FxHashMap<(Ecosystem, String), Vec<(u32, u32)>>,
    by_product: FxHashMap<String, Vec<(u32, u32)>>,
    parsed: Vec<Vec<Result<Version, VersionError>>>,
}

impl InventoryIndex {
    pub fn new(assets: &[Asset]) -> Self {
        let mut by_package: FxHashMap<(Ecosystem, String), Vec<(u32, u32)>> = FxHashMap::default();
        let mut by_product: FxHashMap<String, Vec<(u32, u32)>> = FxHashMap::default();
        let mut parsed = Vec::with_capacity(assets.len());
        for (ai, asset) in assets.iter().enumerate() {
            let mut versions = Vec::with_capacity(asset.packages.len());
            for (pi, p) in asset.packages.iter().enumerate() {
                let at = (ai as u32, pi as u32);
                by_package
                    .entry((p.ecosystem, p.ecosystem.normalise_name(&p.name)))
                    .or_default()
                    .push(at);
                by_product
                    .entry(p.name.to_ascii_lowercase())
                    .or_default()
                    .push(at);
                versions.push(Version::parse(p.ecosystem.scheme(), &p.version));
            }
            parsed.push(versions);
        }
        InventoryIndex {
            by_package,
            by_product,
            parsed,
        }
    }

    /// Every asset package affected by `advisory`. `assets` must be the slice the index was
    /// built from.
    pub fn affected_by(&self, assets: &[Asset], advisory: &Advisory) -> Vec<AssetMatch> {
        let (prepared, _) = PreparedAdvisory::new(advisory.clone());
        // Candidates carry the normalised name they were found under, so the hot loop does not
        // normalise every installed name again (it did, and that allocation was most of the
        // cost for a package the whole fleet has).
        let mut candidates: Vec<(u32, u32, Option<&str>)> = Vec::new();
        let mut keys: Vec<Key> = prepared.package_keys().collect();
        keys.sort();
        keys.dedup();
        for key in &keys {
            if let Some((k, members)) = self.by_package.get_key_value(key) {
                candidates.extend(members.iter().map(|&(a, p)| (a, p, Some(k.1.as_str()))));
            }
        }
        for product in prepared.products() {
            candidates.extend(
                self.by_product
                    .get(product)
                    .into_iter()
                    .flatten()
                    .map(|&(a, p)| (a, p, None)),
            );
        }
        // Sorted by position, named candidates first, so a package found both ways is checked
        // once, with its name.
        candidates.sort_unstable_by_key(|&(a, p, name)| (a, p, name.is_none()));
        candidates.dedup_by_key(|&mut (a, p, _)| (a, p));
        let mut out = Vec::new();
        for (ai, pi, name) in candidates {
            let (a, p) = (ai as usize, pi as usize);
            let Some(package) = assets.get(a).and_then(|x| x.packages.get(p)) else {
                continue;
            };
            let owned;
            let name = match name {
                Some(n) => n,
                None => {
                    owned = package.ecosystem.normalise_name(&package.name);
                    owned.as_str()
                }
            };
            let found = match self.parsed.get(a).and_then(|v| v.get(p)) {
                Some(parsed) => prepared.evaluate_with(package, name, parsed),
                None => prepared.evaluate(package),
            };
            if let Some(found) = found {
                out.push(AssetMatch {
                    asset: a,
                    package: p,
                    found,
                });
            }
        }
        out
    }
}
