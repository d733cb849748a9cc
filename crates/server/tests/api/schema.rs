//! Just enough JSON Schema (the subset openapi.json uses: $ref, type, required, properties,
//! additionalProperties, items, enum, oneOf, pattern-free strings) to check that what the server
//! returns is what the document says.

use serde_json::Value;

pub fn doc() -> Value {
    serde_json::from_str(hikeshi_server::api::OPENAPI).expect("openapi.json is valid JSON")
}

fn resolve<'a>(doc: &'a Value, s: &'a Value) -> &'a Value {
    match s.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap();
            resolve(doc, &doc["components"]["schemas"][name])
        }
        None => s,
    }
}

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        _ => false,
    }
}

/// Errors as `path: problem`; empty when `v` conforms.
pub fn validate(doc: &Value, schema: &Value, v: &Value, path: &str, errs: &mut Vec<String>) {
    let s = resolve(doc, schema);
    if let Some(alts) = s.get("oneOf").and_then(Value::as_array) {
        let ok = alts.iter().any(|a| {
            let mut e = Vec::new();
            validate(doc, a, v, path, &mut e);
            e.is_empty()
        });
        if !ok {
            errs.push(format!("{path}: matches no alternative"));
        }
        return;
    }
    match s.get("type") {
        Some(Value::String(t)) if !type_ok(t, v) => {
            errs.push(format!("{path}: expected {t}, got {v}"));
            return;
        }
        Some(Value::Array(ts)) if !ts.iter().any(|t| t.as_str().is_some_and(|t| type_ok(t, v))) => {
            errs.push(format!("{path}: expected one of {ts:?}, got {v}"));
            return;
        }
        _ => {}
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array) {
        if !e.contains(v) {
            errs.push(format!("{path}: {v} not in {e:?}"));
        }
    }
    if let Some(obj) = v.as_object() {
        let props = s.get("properties").and_then(Value::as_object);
        for r in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let r = r.as_str().unwrap();
            if !obj.contains_key(r) {
                errs.push(format!("{path}: missing required {r}"));
            }
        }
        for (k, val) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(ps) => validate(doc, ps, val, &format!("{path}.{k}"), errs),
                None if s.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    errs.push(format!("{path}: undocumented property {k}"))
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(arr)) = (s.get("items"), v.as_array()) {
        for (i, x) in arr.iter().enumerate() {
            validate(doc, items, x, &format!("{path}[{i}]"), errs);
        }
    }
}

/// Check a response against the documented schema of `method path` for its status.
pub fn check_response(method: &str, path_template: &str, status: u16, body: &[u8]) {
    let doc = doc();
    let op = &doc["paths"][path_template][method.to_lowercase()];
    assert!(op.is_object(), "{method} {path_template} is not documented");
    let resp = &op["responses"][status.to_string()];
    assert!(
        resp.is_object(),
        "{method} {path_template} answered {status}, which is not documented"
    );
    let resp = resolve(&doc, resp);
    let resp = match resp.get("$ref").and_then(Value::as_str) {
        Some(r) => &doc["components"]["responses"][r.rsplit('/').next().unwrap()],
        None => resp,
    };
    if let Some(schema) = resp.pointer("/content/application~1json/schema") {
        let v: Value = serde_json::from_slice(body)
            .unwrap_or_else(|e| panic!("{method} {path_template}: not JSON: {e}"));
        let mut errs = Vec::new();
        validate(&doc, schema, &v, "$", &mut errs);
        assert!(
            errs.is_empty(),
            "{method} {path_template} {status} does not match openapi.json:\n{}",
            errs.join("\n")
        );
    }
}
