//! TLP marking-definitions: the published ids of TLP 1.0 (STIX 2.1 §7.2.1.4, predefined, never
//! need to travel in a bundle) and TLP 2.0 (the OASIS extension
//! `extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d`, whose objects must travel with
//! the bundle because STIX 2.1 does not predefine them), and how to tell what a marking means.

use std::io::{self, Write};

use hikeshi_domain::tlp::Tlp;
use serde_json::Value;

/// The TLP 2.0 extension every TLP 2.0 marking-definition carries.
pub const TLP2_EXTENSION: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";
/// The `created` of the published TLP 2.0 objects (part of the object, like the id).
pub const TLP2_CREATED: &str = "2022-10-01T00:00:00.000Z";

/// TLP 2.0 marking-definition ids, as published by OASIS (cti-stix-common-objects).
pub const TLP2_CLEAR: &str = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
pub const TLP2_GREEN: &str = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
pub const TLP2_AMBER: &str = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
pub const TLP2_AMBER_STRICT: &str = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003";
pub const TLP2_RED: &str = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";

/// TLP 1.0 marking-definition ids, predefined by STIX 2.1 itself.
pub const TLP1_WHITE: &str = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9";
pub const TLP1_GREEN: &str = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";
pub const TLP1_AMBER: &str = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82";
pub const TLP1_RED: &str = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed";

/// The TLP 2.0 marking-definition id we write for a level.
pub fn tlp2_id(t: Tlp) -> &'static str {
    match t {
        Tlp::Clear => TLP2_CLEAR,
        Tlp::Green => TLP2_GREEN,
        Tlp::Amber => TLP2_AMBER,
        Tlp::AmberStrict => TLP2_AMBER_STRICT,
        Tlp::Red => TLP2_RED,
    }
}

/// The level of a well-known TLP marking id (1.0 or 2.0), if it is one.
pub fn known_tlp(id: &str) -> Option<Tlp> {
    Some(match id {
        TLP2_CLEAR | TLP1_WHITE => Tlp::Clear,
        TLP2_GREEN | TLP1_GREEN => Tlp::Green,
        TLP2_AMBER | TLP1_AMBER => Tlp::Amber,
        TLP2_AMBER_STRICT => Tlp::AmberStrict,
        TLP2_RED | TLP1_RED => Tlp::Red,
        _ => return None,
    })
}

/// What a marking-definition object found in a bundle means to us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkingMeaning {
    Tlp(Tlp),
    /// A statement (copyright, terms of use): understood, says nothing about TLP.
    Statement,
    /// Some other marking scheme (PAP, a national classification, …): known to exist, not TLP.
    Other,
}

/// Read a marking-definition object: TLP 1.0 style (`definition_type: tlp`,
/// `definition.tlp`), TLP 2.0 style (the extension's `tlp_2_0`, or a `TLP:…` name), statement.
pub fn meaning(obj: &Value) -> MarkingMeaning {
    if let Some(t) = obj.get("id").and_then(Value::as_str).and_then(known_tlp) {
        return MarkingMeaning::Tlp(t);
    }
    let def_type = obj.get("definition_type").and_then(Value::as_str);
    if def_type == Some("tlp")
        && let Some(t) = obj
            .pointer("/definition/tlp")
            .and_then(Value::as_str)
            .and_then(|s| Tlp::parse(s).ok())
    {
        return MarkingMeaning::Tlp(t);
    }
    if let Some(ext) = obj.get("extensions").and_then(|e| e.get(TLP2_EXTENSION)) {
        if let Some(t) = ext
            .get("tlp_2_0")
            .and_then(Value::as_str)
            .and_then(|s| Tlp::parse(s).ok())
        {
            return MarkingMeaning::Tlp(t);
        }
        if let Some(t) = obj
            .get("name")
            .and_then(Value::as_str)
            .and_then(|s| Tlp::parse(s).ok())
        {
            return MarkingMeaning::Tlp(t);
        }
    }
    if def_type == Some("statement") {
        return MarkingMeaning::Statement;
    }
    MarkingMeaning::Other
}

/// Write the published TLP 2.0 marking-definition object for a level, byte for byte the
/// OASIS example's properties.
pub fn write_tlp2<W: Write>(out: &mut W, t: Tlp) -> io::Result<()> {
    let level = level_name(t);
    write!(
        out,
        "{{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"{}\",\"created\":\"{TLP2_CREATED}\",\"name\":\"{}\",\"extensions\":{{\"{TLP2_EXTENSION}\":{{\"extension_type\":\"property-extension\",\"tlp_2_0\":\"{level}\"}}}}}}",
        tlp2_id(t),
        t.label()
    )
}

/// The lower-case level names of the TLP 2.0 extension (`amber+strict`).
fn level_name(t: Tlp) -> &'static str {
    match t {
        Tlp::Clear => "clear",
        Tlp::Green => "green",
        Tlp::Amber => "amber",
        Tlp::AmberStrict => "amber+strict",
        Tlp::Red => "red",
    }
}
