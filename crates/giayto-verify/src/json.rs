//! The machine-readable fields of a verification, as `giayto verify --json` prints them (DESIGN
//! §4: scripts depend on these names). One definition for every front end — the CLI and the
//! WASM build — so the contract cannot drift between them.

use serde_json::{json, Map, Value};

use crate::{hex_lower, CredentialClaims, IssuerEntry};

/// A timestamp as RFC 3339 in Vietnam time (`+07:00`); the plain number if out of range.
pub fn rfc3339(ts: i64) -> String {
    let offset = time::UtcOffset::from_whole_seconds(7 * 3600).unwrap_or(time::UtcOffset::UTC);
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .map(|t| t.to_offset(offset))
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| ts.to_string())
}

/// Add what the claims say: `doc_type`, `issuer`, `serial`, `issued_at`, `expires_at`,
/// `not_before`, `assurance_level`, `holder_key`, `status`, `unknown_claims`.
pub fn insert_claims(obj: &mut Map<String, Value>, claims: &CredentialClaims) {
    obj.insert(
        "doc_type".into(),
        json!(giayto_model::DocType::from_code(claims.document.doc_type)
            .map(|t| t.as_str().to_owned())
            .unwrap_or_else(|| claims.document.doc_type.to_string())),
    );
    obj.insert("issuer".into(), json!(claims.issuer));
    obj.insert("serial".into(), json!(hex_lower(&claims.serial)));
    obj.insert("issued_at".into(), json!(rfc3339(claims.issued_at)));
    obj.insert("expires_at".into(), json!(rfc3339(claims.expires_at)));
    if let Some(nbf) = claims.not_before {
        obj.insert("not_before".into(), json!(rfc3339(nbf)));
    }
    obj.insert(
        "assurance_level".into(),
        json!(claims.document.assurance_level),
    );
    if let Some(k) = &claims.holder_key {
        obj.insert("holder_key".into(), json!(hex_lower(k)));
    }
    if let Some(s) = &claims.status {
        obj.insert("status".into(), json!({"idx": s.idx, "uri": s.uri}));
    }
    if !claims.unknown.is_empty() {
        let unknown: Vec<Value> = claims
            .unknown
            .iter()
            .map(|(k, _)| match (k.as_integer(), k.as_text()) {
                (Some(i), _) => json!(i128::from(i)),
                (_, Some(t)) => json!(t),
                _ => Value::Null,
            })
            .collect();
        obj.insert("unknown_claims".into(), json!(unknown));
    }
}

/// Add the issuer's display names: `issuer_name` `{vi, en}`.
pub fn insert_issuer(obj: &mut Map<String, Value>, issuer: &IssuerEntry) {
    obj.insert(
        "issuer_name".into(),
        json!({"vi": issuer.name_vi, "en": issuer.name_en}),
    );
}
