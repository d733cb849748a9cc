//! Reading a STIX 2.1 bundle (or a TAXII 2.1 envelope) one object at a time.
//!
//! The top-level object is walked with a serde visitor; the `objects` array is visited element
//! by element, each element becomes a `serde_json::Value` of its own, is turned into
//! indicators/groups/relations or kept, and is dropped before the next is read. Memory is one
//! object plus what the import returns, never the file. A counting reader under the
//! `BufReader` that serde_json reads from enforces [`ImportLimits::max_object_bytes`] while an
//! object is being read, so one huge object cannot exhaust memory either. The count is taken
//! per buffer fill, not per byte (a per-byte wrapper above the `BufReader` cost a tenth of the
//! parse time and defeats std's fast byte path for `BufReader`), so the limit is exact to within
//! one buffer, which is sized from the limit (1/8 of it, 512 B to 256 KiB).

use std::cell::Cell;
use std::fmt;
use std::io::{self, BufReader, Read};
use std::rc::Rc;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::StixError;
use super::convert::State;

/// Bounds on what one import may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportLimits {
    /// Objects in the bundle (or envelope).
    pub max_objects: usize,
    /// Bytes of one object's JSON text.
    pub max_object_bytes: usize,
}

impl Default for ImportLimits {
    fn default() -> Self {
        ImportLimits {
            max_objects: 5_000_000,
            max_object_bytes: 16 * 1024 * 1024,
        }
    }
}

/// A TAXII 2.1 envelope: the objects, and whether the server has more.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Envelope {
    pub imported: crate::share::Imported,
    pub more: bool,
    pub next: Option<String>,
}

/// Read a STIX 2.1 bundle. See docs/stix.md for what becomes what.
pub fn read_bundle<R: Read>(
    r: R,
    limits: &ImportLimits,
) -> Result<crate::share::Imported, StixError> {
    let top = read(r, limits, Mode::Bundle)?;
    Ok(top.imported)
}

/// Read a TAXII 2.1 envelope (`{"objects":[…],"more":…,"next":…}`), with the same rules per
/// object as [`read_bundle`].
pub fn read_envelope<R: Read>(r: R, limits: &ImportLimits) -> Result<Envelope, StixError> {
    read(r, limits, Mode::Envelope)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Bundle,
    Envelope,
}

/// Bytes read from the input, shared between the counting reader under the `BufReader` and the
/// visitor above serde_json.
struct Meter {
    pos: Cell<u64>,
    /// The position past which the current object is too large (u64::MAX outside objects);
    /// already includes one buffer of slack (the `BufReader` reads ahead).
    limit: Cell<u64>,
    tripped: Cell<bool>,
}

struct Counting<R> {
    inner: R,
    meter: Rc<Meter>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let pos = self.meter.pos.get() + n as u64;
        self.meter.pos.set(pos);
        if pos > self.meter.limit.get() {
            self.meter.tripped.set(true);
            return Err(io::Error::other("object too large"));
        }
        Ok(n)
    }
}

fn read<R: Read>(r: R, limits: &ImportLimits, mode: Mode) -> Result<Envelope, StixError> {
    let meter = Rc::new(Meter {
        pos: Cell::new(0),
        limit: Cell::new(u64::MAX),
        tripped: Cell::new(false),
    });
    let buffer = (limits.max_object_bytes / 8).clamp(512, 256 * 1024);
    let reader = BufReader::with_capacity(
        buffer,
        Counting {
            inner: r,
            meter: meter.clone(),
        },
    );
    let mut state = State::new(*limits);
    let mut top = Top::default();
    let mut de = serde_json::Deserializer::from_reader(reader);
    let res = (TopSeed {
        state: &mut state,
        top: &mut top,
        meter: &meter,
        mode,
    })
    .deserialize(&mut de)
    .and_then(|()| de.end());
    if let Some(fatal) = state.fatal.take() {
        return Err(fatal);
    }
    if let Err(e) = res {
        if meter.tripped.get() {
            return Err(StixError::ObjectTooLarge {
                index: state.count.saturating_sub(1),
                limit: limits.max_object_bytes,
            });
        }
        return Err(match e.classify() {
            serde_json::error::Category::Io => StixError::Io(e.to_string()),
            serde_json::error::Category::Data => StixError::NotABundle(e.to_string()),
            _ => StixError::Json {
                line: e.line(),
                column: e.column(),
                reason: e.to_string(),
            },
        });
    }
    if mode == Mode::Bundle {
        match top.ty.as_deref() {
            Some("bundle") => {}
            Some(other) => return Err(StixError::NotABundle(format!("type is {other:?}"))),
            None => return Err(StixError::NotABundle("no \"type\": \"bundle\"".into())),
        }
    }
    Ok(Envelope {
        imported: state.finish(),
        more: top.more,
        next: top.next,
    })
}

#[derive(Default)]
struct Top {
    ty: Option<String>,
    more: bool,
    next: Option<String>,
}

struct TopSeed<'a> {
    state: &'a mut State,
    top: &'a mut Top,
    meter: &'a Rc<Meter>,
    mode: Mode,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.mode {
            Mode::Bundle => f.write_str("a STIX bundle (a JSON object with \"type\": \"bundle\")"),
            Mode::Envelope => f.write_str("a TAXII envelope (a JSON object)"),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "type" => {
                    let t: String = map.next_value()?;
                    if self.mode == Mode::Bundle && t != "bundle" {
                        self.state.fatal = Some(StixError::NotABundle(format!("type is {t:?}")));
                        return Err(de::Error::custom("not a bundle"));
                    }
                    self.top.ty = Some(t);
                }
                "spec_version" if self.mode == Mode::Bundle => {
                    let v: Value = map.next_value()?;
                    // STIX 2.0 bundles carry spec_version "2.0"; 2.1 bundles have none, though
                    // some producers write "2.1" there, which is harmless.
                    if v.as_str() != Some("2.1") {
                        self.state.fatal = Some(StixError::Stix20(format!(
                            "the bundle has spec_version {v} (STIX 2.1 bundles have none)"
                        )));
                        return Err(de::Error::custom("STIX 2.0"));
                    }
                }
                "more" if self.mode == Mode::Envelope => {
                    self.top.more = map.next_value::<Option<bool>>()?.unwrap_or(false);
                }
                "next" if self.mode == Mode::Envelope => {
                    self.top.next = map.next_value()?;
                }
                "objects" => map.next_value_seed(ObjectsSeed {
                    state: &mut *self.state,
                    meter: self.meter,
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct ObjectsSeed<'a> {
    state: &'a mut State,
    meter: &'a Rc<Meter>,
}

impl<'de> DeserializeSeed<'de> for ObjectsSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ObjectsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("\"objects\" as a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let limits = &self.state.limits;
        let buffer = (limits.max_object_bytes / 8).clamp(512, 256 * 1024);
        let max_bytes = (limits.max_object_bytes + buffer) as u64;
        loop {
            if self.state.count >= self.state.limits.max_objects {
                // One more element would exceed the limit: only an error if there is one.
                self.meter
                    .limit
                    .set(self.meter.pos.get().saturating_add(max_bytes));
                let more: Option<IgnoredAny> = seq.next_element()?;
                self.meter.limit.set(u64::MAX);
                if more.is_some() {
                    self.state.fatal = Some(StixError::TooManyObjects {
                        limit: self.state.limits.max_objects,
                    });
                    return Err(de::Error::custom("too many objects"));
                }
                return Ok(());
            }
            self.meter
                .limit
                .set(self.meter.pos.get().saturating_add(max_bytes));
            self.state.count += 1;
            let next: Option<Value> = seq.next_element()?;
            self.meter.limit.set(u64::MAX);
            match next {
                Some(v) => {
                    let index = self.state.count - 1;
                    self.state.object(index, v);
                    if self.state.fatal.is_some() {
                        return Err(de::Error::custom("stopped"));
                    }
                }
                None => {
                    self.state.count -= 1;
                    return Ok(());
                }
            }
        }
    }
}
