//! What the store needs to know about a STIX object before holding it in a collection.

use hikeshi_domain::Tlp;
use hikeshi_store::NewSharedObject;
use serde_json::Value;

/// Check one object of a TAXII envelope (or of our own bundle) and describe it for the store.
///
/// An object without markings is held as TLP:CLEAR (STIX: no marking, no restriction). An object
/// carrying a marking that is not a well-known TLP marking is refused: the server could not
/// tell which collections it may reach.
pub fn shared_object(o: &Value) -> Result<NewSharedObject, String> {
    let info = hikeshi_exchange::stix::check_object(o)?;
    if let Some(m) = info.other_markings.first() {
        return Err(format!(
            "marking {m} is not a TLP marking this server knows: mark shared objects with the TLP 1.0 or 2.0 marking-definition ids"
        ));
    }
    let text = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
    let (version, version_ms) = match (
        text("modified"),
        info.modified,
        text("created"),
        info.created,
    ) {
        (Some(v), Some(ms), _, _) => (v, ms),
        (_, _, Some(v), Some(ms)) => (v, ms),
        _ => (String::new(), 0),
    };
    Ok(NewSharedObject {
        stix_id: info.id,
        stix_type: info.object_type,
        spec_version: info.spec_version.unwrap_or_else(|| "2.1".into()),
        version,
        version_ms,
        tlp: info.tlp.unwrap_or(Tlp::Clear),
        body: o.to_string(),
    })
}
