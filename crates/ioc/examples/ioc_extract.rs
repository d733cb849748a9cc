//! Print the indicators in a file (or standard input) as JSON lines: the extractor without the
//! CLI, for eyeballing and for scripts that compare extractors.
//!
//! `cargo run --release -p hikeshi-ioc --example ioc_extract -- FILE|-`

use std::io::{Read, Write};

fn main() -> std::io::Result<()> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "-".into());
    let mut data = Vec::new();
    if path == "-" {
        std::io::stdin().read_to_end(&mut data)?;
    } else {
        data = std::fs::read(&path)?;
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut result = Ok(());
    hikeshi_ioc::default_extractor().for_each(&data, |e| {
        if result.is_ok() {
            result = serde_json::to_writer(&mut out, &e)
                .map_err(std::io::Error::other)
                .and_then(|()| out.write_all(b"\n"));
        }
    });
    result?;
    out.flush()
}
