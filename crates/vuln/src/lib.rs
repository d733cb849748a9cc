//! hikeshi-vuln: installed software, advisories, version rules and matching (work in progress).
