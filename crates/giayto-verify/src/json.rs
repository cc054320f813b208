//! The JSON contract of a verification: what `giayto verify --json` prints, what the WASM build
//! returns and what every binding gives back (docs/format.md §7.5, schema in
//! `docs/verify-result.schema.json`). [`report_json`] is the one function that builds it, so
//! the front ends cannot drift apart.

use serde_json::{json, Map, Value};

use crate::{hex_lower, Arg, CodeKind, CredentialClaims, IssuerEntry, Report};

#[path = "json_request.rs"]
mod request;
pub use request::{
    check_answer_value, make_request_value, read_request_value, request_error_json, request_json,
    RequestInput, MAX_REQUEST_TEXT,
};

/// Vietnam's offset from UTC, seconds.
const VIETNAM: i32 = 7 * 3600;

/// A time in Vietnam (`UTC+07:00`), or `None` when it cannot be shown (outside the years
/// 1970–9999 that every giayto structure is held to).
pub fn vietnam_time(ts: i64) -> Option<time::OffsetDateTime> {
    let offset = time::UtcOffset::from_whole_seconds(VIETNAM).ok()?;
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()?
        .checked_to_offset(offset)
}

/// A timestamp as RFC 3339 in Vietnam time (`+07:00`); the plain number when it cannot be
/// shown as a date. Never panics.
pub fn rfc3339(ts: i64) -> String {
    vietnam_time(ts)
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| ts.to_string())
}

/// What a front end adds to the contract beyond the report itself.
#[derive(Debug, Clone, Default)]
pub struct JsonContext {
    /// When the offline bundle the verifier came from was made, if it came from one.
    pub bundle_created_at: Option<i64>,
    /// The reason's message in the caller's language (`message`), for a front end that has
    /// its messages (the CLI); a page or a binding translates `reason` and `reason_args` itself.
    pub message: Option<String>,
}

/// An argument as JSON: a time as RFC 3339, a document type by its name when known.
pub fn arg_json(arg: &Arg) -> Value {
    match arg {
        Arg::Time(t) => json!(rfc3339(*t)),
        Arg::Text(s) => json!(s),
        Arg::Number(n) => json!(n.to_string()),
        Arg::DocType(code) => json!(doc_type_name(*code)),
        #[allow(unreachable_patterns)]
        _ => Value::Null,
    }
}

fn doc_type_name(code: u64) -> String {
    giayto_model::DocType::from_code(code)
        .map(|t| t.as_str().to_owned())
        .unwrap_or_else(|| code.to_string())
}

fn args_json(args: Vec<(&'static str, Arg)>) -> Map<String, Value> {
    object(args.into_iter().map(|(k, v)| (k.to_owned(), arg_json(&v))))
}

/// A JSON object from its members, a later member replacing an earlier one of the same name,
/// as `collect()` does; inserted one by one, since `collect()` into a map sorts first and each
/// such call links a sort of its own into the web page's module (docs/decisions.md D182).
fn object(members: impl Iterator<Item = (String, Value)>) -> Map<String, Value> {
    let mut map = Map::new();
    for (k, v) in members {
        map.insert(k, v);
    }
    map
}

/// The JSON contract of one verification.
///
/// Always: `valid`, `verdict`, `checked_at`, `trust_list` `{sequence, issued_at, expires_at}`,
/// `presentation` (whether the code was a holder-signed `VP1:`), `warnings` (`[{code, …}]`,
/// empty unless valid). When rejected: `reason`, `reason_args` (when the reason has any),
/// `message` (when the context gives one); for a foreign code, `foreign`. For a Claim 169 code
/// (docs/format.md §16): `format` `"claim169"`, and once its signature verified `issuer`,
/// `issuer_name` and `claim169` ([`claim169_json`]) in place of the credential's fields.
/// Whenever the issuer's signature verified: `doc_type`, `issuer`, `issuer_name` `{vi, en}`,
/// `trust_path` (`trust_list` or `x509`, with `ca_root` once a chain was checked), `serial`,
/// `issued_at`,
/// `expires_at`, `not_before`, `assurance_level`, `holder_key`, `status` `{idx, uri}`,
/// `unknown_claims`, and when the fields parsed, `fields` and `display_fields`. When valid:
/// `status_list` (the list that confirmed it), and for a presentation `presented_at` and
/// `nonce`. With a bundle: `bundle_created_at`.
pub fn report_json(report: &Report, context: &JsonContext) -> Value {
    let trust = report.trust();
    let mut obj = Map::new();
    obj.insert("valid".into(), json!(report.is_valid()));
    obj.insert("verdict".into(), json!(report.verdict().as_str()));
    obj.insert("checked_at".into(), json!(rfc3339(report.checked_at())));
    obj.insert(
        "trust_list".into(),
        json!({
            "sequence": trust.sequence,
            "issued_at": rfc3339(trust.issued_at),
            "expires_at": rfc3339(trust.expires_at),
        }),
    );
    obj.insert("presentation".into(), json!(report.is_presentation()));
    if let CodeKind::Foreign(kind) = report.kind() {
        obj.insert("foreign".into(), json!(kind.as_str()));
    }
    if report.kind() == CodeKind::Claim169 {
        // Another format (docs/format.md §16): its own label and its own fields, never the
        // fields of a giayto credential.
        obj.insert("format".into(), json!("claim169"));
    }
    if let Some(identity) = report.claim169() {
        obj.insert("issuer".into(), json!(identity.issuer.id));
        insert_issuer(&mut obj, &identity.issuer);
        obj.insert("claim169".into(), claim169_json(identity));
    }
    if let Some(reason) = report.reason() {
        obj.insert("reason".into(), json!(reason.code()));
        let args = args_json(reason.args());
        if !args.is_empty() {
            obj.insert("reason_args".into(), Value::Object(args));
        }
        if let Some(message) = &context.message {
            obj.insert("message".into(), json!(message));
        }
    }
    if let Some(c) = report.credential() {
        insert_claims(&mut obj, c.claims);
        insert_issuer(&mut obj, c.issuer);
        obj.insert("trust_path".into(), json!(c.trust_path.as_str()));
        if let crate::TrustPath::X509 { root } = c.trust_path {
            if !root.is_empty() {
                obj.insert("ca_root".into(), json!(root));
            }
        }
        if let Some(doc) = c.document {
            obj.insert("fields".into(), doc.to_json());
            let rows: Vec<Value> = doc
                .display_fields()
                .into_iter()
                .map(|(k, v)| json!([k, v]))
                .collect();
            obj.insert("display_fields".into(), Value::Array(rows));
        }
        if let Some(d) = c.disclosed {
            // Selective disclosure (docs/format.md §14): only what the holder disclosed.
            obj.insert("disclosed".into(), json!(true));
            obj.insert("withheld".into(), json!(d.withheld));
            let fields = object(d.fields.iter().map(|f| (f.name.clone(), disclosed_json(f))));
            obj.insert("fields".into(), Value::Object(fields));
            let rows: Vec<Value> = d
                .fields
                .iter()
                .flat_map(|f| f.display.iter().map(move |v| json!([f.name, v])))
                .collect();
            obj.insert("display_fields".into(), Value::Array(rows));
        }
    }
    if let Some(s) = report.status() {
        obj.insert(
            "status_list".into(),
            json!({
                "uri": s.uri,
                "idx": s.index,
                "issued_at": rfc3339(s.list_issued_at),
                "expires_at": rfc3339(s.list_expires_at),
            }),
        );
    }
    if let Some(p) = report.presentation() {
        obj.insert("presented_at".into(), json!(rfc3339(p.issued_at)));
        if let Some(nonce) = &p.nonce {
            obj.insert("nonce".into(), json!(hex_lower(nonce)));
        }
    }
    let warnings: Vec<Value> = report
        .warnings()
        .iter()
        .map(|w| {
            let mut m = args_json(w.args());
            m.insert("code".into(), json!(w.code()));
            Value::Object(m)
        })
        .collect();
    obj.insert("warnings".into(), Value::Array(warnings));
    if let Some(made) = context.bundle_created_at {
        obj.insert("bundle_created_at".into(), json!(rfc3339(made)));
    }
    Value::Object(obj)
}

/// What a Claim 169 code says (docs/format.md §16.5): the CWT's `iss`, `sub`, `issued_at`,
/// `not_before`, `expires_at` when present, `attributes` by the names `claim169-core` gives
/// them (the photograph in base64, as it does), and `other_keys`, the keys present but not
/// shown (biometrics, unassigned keys).
pub fn claim169_json(identity: &crate::Claim169Identity) -> Value {
    use base64::Engine as _;
    let mut m = Map::new();
    if let Some(iss) = &identity.iss {
        m.insert("iss".into(), json!(iss));
    }
    if let Some(sub) = &identity.subject {
        m.insert("sub".into(), json!(sub));
    }
    for (name, time) in [
        ("issued_at", identity.issued_at),
        ("not_before", identity.not_before),
        ("expires_at", identity.expires_at),
    ] {
        if let Some(t) = time {
            m.insert(name.into(), json!(rfc3339(t)));
        }
    }
    let attributes = object(identity.attributes.iter().map(|a| {
        let v = match &a.value {
            crate::AttributeValue::Text(t) => json!(t),
            crate::AttributeValue::Int(i) => json!(i),
            crate::AttributeValue::Bytes(b) => {
                json!(base64::engine::general_purpose::STANDARD.encode(b))
            }
            crate::AttributeValue::Ints(v) => json!(v),
            #[allow(unreachable_patterns)]
            _ => Value::Null,
        };
        (a.name.to_owned(), v)
    }));
    m.insert("attributes".into(), Value::Object(attributes));
    m.insert("other_keys".into(), json!(identity.other_keys));
    Value::Object(m)
}

/// A disclosed value in the JSON names of docs/format.md §4: text as text, a date
/// `YYYY-MM-DD`, a predicate as a boolean, sex and card generation by their tokens, a licence
/// class as `{class, issue_date, expiry_date}`, a portrait by its display form.
fn disclosed_json(f: &crate::DisclosedField) -> Value {
    use ciborium::Value as C;
    let date = |v: &C| {
        giayto_model::date::from_cbor(v)
            .map(|d| json!(giayto_model::date::format_iso(d)))
            .unwrap_or(Value::Null)
    };
    match (&f.value, f.name.as_str()) {
        (C::Bool(b), _) => json!(b),
        (C::Text(t), _) => json!(t),
        (C::Tag(..), _) => date(&f.value),
        (C::Integer(_), "sex" | "card_generation") => {
            json!(f.display.first().cloned().unwrap_or_default())
        }
        (C::Integer(i), _) => u64::try_from(*i).map(|n| json!(n)).unwrap_or(Value::Null),
        (C::Array(classes), "classes") => Value::Array(
            classes
                .iter()
                .filter_map(|e| {
                    let parts = e.as_array()?;
                    let mut m = Map::new();
                    m.insert("class".into(), json!(parts.first()?.as_text()?));
                    m.insert("issue_date".into(), date(parts.get(1)?));
                    if let Some(to) = parts.get(2) {
                        m.insert("expiry_date".into(), date(to));
                    }
                    Some(Value::Object(m))
                })
                .collect(),
        ),
        _ => json!(f.display.join("; ")),
    }
}

/// Add what the claims say: `doc_type`, `issuer`, `serial`, `issued_at`, `expires_at`,
/// `not_before`, `assurance_level`, `holder_key`, `status`, `unknown_claims`.
pub fn insert_claims(obj: &mut Map<String, Value>, claims: &CredentialClaims) {
    obj.insert(
        "doc_type".into(),
        json!(doc_type_name(claims.document.doc_type)),
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
