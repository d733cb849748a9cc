//! Helpers shared by the STIX import tests (`#[path]`-included by stix_import.rs and
//! stix_import_errors.rs).
#![allow(dead_code)]

use hikeshi_exchange::share::Imported;
use hikeshi_exchange::stix::{ImportLimits, StixError, read_bundle};
use serde_json::{Value, json};

pub fn import(v: &Value) -> Result<Imported, StixError> {
    read_bundle(v.to_string().as_bytes(), &ImportLimits::default())
}

pub fn bundle(objects: Vec<Value>) -> Value {
    json!({"type": "bundle", "id": "bundle--2a9a2b3c-4d5e-4f60-8a1b-2c3d4e5f6a7b", "objects": objects})
}

pub const T: &str = "2026-01-02T03:04:05.678Z";

pub fn ind(n: u32, pattern: &str, markings: &[&str]) -> Value {
    json!({
        "type": "indicator", "spec_version": "2.1",
        "id": format!("indicator--{}", crate::fixture::uuid(n)),
        "created": T, "modified": T, "valid_from": T,
        "name": format!("IOC {n}"), "pattern": pattern, "pattern_type": "stix",
        "object_marking_refs": markings,
    })
}
