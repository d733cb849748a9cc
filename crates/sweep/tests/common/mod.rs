//! Helpers shared by the test files that compare several threads with one: the repository's
//! generated logs and indicator list, and a sweep of paths into a `VecSink`.

use std::io::BufReader;
use std::path::{Path, PathBuf};

use hikeshi_sweep::{IndicatorSet, Stats, SweepOptions, Sweeper, VecSink};

pub fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

pub fn indicators() -> IndicatorSet {
    let f = std::fs::File::open(data("iocs_1k.txt")).expect("indicator list");
    hikeshi_sweep::read_indicators(BufReader::new(f))
        .expect("readable")
        .set
}

pub fn sweep<P: AsRef<Path>>(
    set: &IndicatorSet,
    paths: &[P],
    opts: SweepOptions,
) -> (Stats, VecSink) {
    let mut sink = VecSink::default();
    let stats = Sweeper::new(set, opts).sweep_paths(paths, &mut sink);
    (stats, sink)
}

pub fn errors(sink: &VecSink) -> Vec<String> {
    sink.errors.iter().map(ToString::to_string).collect()
}
