//! The OpenAPI document is the contract clients (and `scripts/schemathesis.sh`) are built
//! from, so its structure is checked here, operation by operation: every `{x}` of a path is
//! exactly one `in: path` parameter and every path parameter is in the template; query
//! parameters are `in: query`; every operation that needs credentials documents 401, every
//! cookie operation that changes state the CSRF refusal (403), every operation with a JSON
//! body 400 and 415, every operation with parameters 400; every error answer has the error
//! body `{code, message}`; the evidence upload declares each media type it accepts.
//!
//! Set `XUESHI_DUMP_OPENAPI=path` to write the document there (for reading, not for tests).

// Test code: a panic is a failed test, with its message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;

use serde_json::Value;

/// Operations anyone may call without credentials (method, path).
const PUBLIC: &[(&str, &str)] = &[
    ("get", "/api/health"),
    ("post", "/api/session"),
    ("get", "/credentials/status/{list}"),
    ("get", "/api/public/certificates/{number}/check"),
    ("post", "/api/public/certificates/check"),
];

fn doc() -> Value {
    let doc = serde_json::to_value(xueshi_web::openapi()).unwrap();
    if let Ok(path) = std::env::var("XUESHI_DUMP_OPENAPI") {
        std::fs::write(path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    }
    doc
}

/// Every operation: (method, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in ["get", "put", "post", "delete", "patch"] {
            if let Some(op) = item.get(m) {
                out.push((m.to_owned(), path.clone(), op.clone()));
            }
        }
    }
    out
}

fn template_names(path: &str) -> Vec<String> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(str::to_owned)
        .collect()
}

fn params<'a>(op: &'a Value, place: &str) -> Vec<&'a Value> {
    op["parameters"]
        .as_array()
        .map(|ps| ps.iter().filter(|p| p["in"] == place).collect())
        .unwrap_or_default()
}

fn documents(op: &Value, status: &str) -> bool {
    op["responses"].get(status).is_some()
}

fn is_public(method: &str, path: &str) -> bool {
    PUBLIC.iter().any(|(m, p)| *m == method && *p == path)
}

#[test]
fn every_path_parameter_is_in_the_template_exactly_once_and_nothing_else_is_in_path() {
    let doc = doc();
    let mut wrong = Vec::new();
    for (m, path, op) in operations(&doc) {
        let names = template_names(&path);
        let in_path: Vec<String> = params(&op, "path")
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect();
        for n in &names {
            let count = in_path.iter().filter(|p| *p == n).count();
            if count != 1 {
                wrong.push(format!("{m} {path}: {{{n}}} has {count} path parameters"));
            }
        }
        for p in &in_path {
            if !names.contains(p) {
                wrong.push(format!(
                    "{m} {path}: path parameter {p} is not in the template"
                ));
            }
        }
        for p in op["parameters"].as_array().into_iter().flatten() {
            let place = p["in"].as_str().unwrap_or_default();
            if !["path", "query", "header"].contains(&place) {
                wrong.push(format!("{m} {path}: parameter {} in {place}", p["name"]));
            }
            if place == "path" && p["required"] != true {
                wrong.push(format!(
                    "{m} {path}: path parameter {} not required",
                    p["name"]
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_refusal_an_operation_can_give_is_documented_with_the_error_body() {
    let doc = doc();
    let mut wrong = Vec::new();
    let ops = operations(&doc);
    assert!(ops.len() > 40, "only {} operations", ops.len());
    for (m, path, op) in &ops {
        let public = is_public(m, path);
        let mut need: BTreeSet<&str> = BTreeSet::new();
        if !public {
            // No or an invalid session or token.
            need.insert("401");
            // The role or jurisdiction refuses, or (cookie requests that change state) CSRF;
            // `GET /api/me` only names the caller, whoever it is.
            if !(m == "get" && path == "/api/me") {
                need.insert("403");
            }
        }
        if !params(op, "path").is_empty() || !params(op, "query").is_empty() {
            // A parameter that does not parse.
            need.insert("400");
        }
        if !params(op, "path").is_empty() {
            // Whatever the path names may not exist.
            need.insert("404");
        }
        if let Some(content) = op["requestBody"]["content"].as_object() {
            need.insert("400");
            if content.contains_key("application/json") {
                // JSON without `Content-Type: application/json`.
                need.insert("415");
            }
        }
        for s in need {
            if !documents(op, s) {
                wrong.push(format!("{m} {path}: {s} is not documented"));
            }
        }
        for (status, resp) in op["responses"].as_object().unwrap() {
            if status.starts_with('4') || status.starts_with('5') {
                let schema = &resp["content"]["application/json"]["schema"]["$ref"];
                if schema != "#/components/schemas/ErrorBody" {
                    wrong.push(format!("{m} {path}: {status} has no ErrorBody"));
                }
            }
            if status == "default" {
                wrong.push(format!("{m} {path}: a blanket default answer"));
            }
        }
    }
    // Throttled: signing in, and anonymous certificate look-ups.
    for (m, path) in [
        ("post", "/api/session"),
        ("get", "/api/public/certificates/{number}/check"),
        ("post", "/api/public/certificates/check"),
    ] {
        let op = &doc["paths"][path][m];
        if !documents(op, "429") {
            wrong.push(format!("{m} {path}: 429 is not documented"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_evidence_upload_declares_each_media_type_it_accepts() {
    let doc = doc();
    let content = doc["paths"]["/api/evidence"]["post"]["requestBody"]["content"]
        .as_object()
        .unwrap();
    let types: BTreeSet<&str> = content.keys().map(String::as_str).collect();
    assert_eq!(
        types,
        BTreeSet::from(["application/pdf", "image/jpeg", "image/png"])
    );
    let op = &doc["paths"]["/api/evidence"]["post"];
    for s in ["400", "413", "415"] {
        assert!(documents(op, s), "evidence upload: {s} not documented");
    }
}

#[test]
fn every_component_an_operation_names_exists() {
    let doc = doc();
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut missing = BTreeSet::new();
    for part in text.split("\"#/components/schemas/").skip(1) {
        let name = &part[..part.find('"').unwrap()];
        if !schemas.contains_key(name) {
            missing.insert(name.to_owned());
        }
    }
    assert!(missing.is_empty(), "{missing:?}");
}

/// A slot's bookings name each person with the masked ID number the answer carries: its own
/// schema, not the unit's booking person of the same name that lacks it (utoipa keeps one
/// schema per name, so a shared name silently drops fields from the document).
#[test]
fn a_slots_bookings_document_the_masked_id_number_they_return() {
    let doc = doc();
    let op = &doc["paths"]["/api/slots/{slot_id}/bookings"]["get"];
    let text = op.to_string();
    assert!(text.contains("BookingView"), "{text}");
    let people =
        &doc["components"]["schemas"]["BookingView"]["properties"]["people"]["items"]["$ref"];
    assert_eq!(people, "#/components/schemas/Attendee");
    let attendee = &doc["components"]["schemas"]["Attendee"]["properties"];
    assert!(attendee.get("id_masked").is_some(), "{attendee}");
}
