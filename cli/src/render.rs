//! Verification results for people (a card-like layout) and for scripts (JSON).

use std::io::IsTerminal;

use giayto_model::Document;
use giayto_verify::{
    hex_lower, CredentialClaims, CredentialInfo, IssuerEntry, Reason, Rejection, Verdict,
    VerifiedCredential,
};
use serde_json::{json, Value};

use crate::i18n::{lang, tr, tr_args, Lang};
use crate::input::{human_time, rfc3339};

/// What one verification found, borrowed from either outcome.
pub struct View<'a> {
    /// The verdict.
    pub verdict: Verdict,
    /// The reason, when rejected.
    pub reason: Option<&'a Reason>,
    /// Issuer entry, claims and document, when the signature verified.
    pub issuer: Option<&'a IssuerEntry>,
    /// Claims, when the signature verified.
    pub claims: Option<&'a CredentialClaims>,
    /// Document, when the signature verified and the fields parsed.
    pub document: Option<&'a Document>,
}

impl<'a> View<'a> {
    /// View of a verification result.
    pub fn of(result: &'a Result<VerifiedCredential, Rejection>) -> View<'a> {
        match result {
            Ok(v) => View {
                verdict: Verdict::Valid,
                reason: None,
                issuer: Some(v.issuer()),
                claims: Some(v.claims()),
                document: Some(v.document()),
            },
            Err(r) => {
                let info: Option<&CredentialInfo> = r.credential.as_deref();
                View {
                    verdict: r.verdict,
                    reason: Some(&r.reason),
                    issuer: info.map(|i| &i.issuer),
                    claims: info.map(|i| &i.claims),
                    document: info.and_then(|i| i.document.as_ref()),
                }
            }
        }
    }
}

/// A stable code for a reason, used in JSON (`reason`) and to find its message.
pub fn reason_code(reason: &Reason) -> String {
    reason.code().into_owned()
}

fn reason_args(reason: &Reason) -> Vec<(&'static str, String)> {
    match reason {
        Reason::Expired { expires_at } => vec![("time", human_time(*expires_at))],
        Reason::NotYetValid { valid_from } => vec![("time", human_time(*valid_from))],
        Reason::TrustListExpired { expired_at } => vec![("time", human_time(*expired_at))],
        Reason::StatusUnavailable { uri } => vec![("uri", uri.clone())],
        Reason::StatusListExpired { uri, expired_at } => {
            vec![("uri", uri.clone()), ("time", human_time(*expired_at))]
        }
        Reason::Level { required, found } => {
            vec![
                ("required", required.to_string()),
                ("found", found.to_string()),
            ]
        }
        Reason::IssuerMismatch { claimed, key_owner } => {
            vec![("claimed", claimed.clone()), ("owner", key_owner.clone())]
        }
        Reason::DocTypeNotAllowed { doc_type } => vec![("doctype", doc_type_label(*doc_type))],
        Reason::UnsupportedDocType { doc_type } => vec![("doctype", doc_type.to_string())],
        Reason::UnsupportedSchema { version, known } => {
            vec![
                ("version", version.to_string()),
                ("known", known.to_string()),
            ]
        }
        Reason::Fields(e) => vec![("field", e.field.clone()), ("detail", e.to_string())],
        Reason::UnknownKid { kid } => vec![("kid", hex_lower(kid))],
        Reason::PresentationTime { issued_at, window } => vec![
            ("time", human_time(*issued_at)),
            ("window", window.to_string()),
        ],
        _ => vec![],
    }
}

fn doc_type_label(code: u64) -> String {
    match giayto_model::DocType::from_code(code) {
        Some(t) => tr(&format!("doc-{}", t.as_str())),
        None => code.to_string(),
    }
}

/// The machine-readable result.
pub fn to_json(view: &View<'_>, checked_at: i64, trust: &giayto_verify::TrustList) -> Value {
    let mut v = json!({
        "valid": view.verdict == Verdict::Valid,
        "verdict": view.verdict.as_str(),
        "checked_at": rfc3339(checked_at),
        "trust_list": {
            "sequence": trust.sequence,
            "issued_at": rfc3339(trust.issued_at),
            "expires_at": rfc3339(trust.expires_at),
        },
    });
    let obj = v.as_object_mut().expect("json! object");
    if let Some(reason) = view.reason {
        obj.insert("reason".into(), json!(reason_code(reason)));
        obj.insert(
            "message".into(),
            json!(tr_args(
                &format!("reason-{}", reason_code(reason).replace('_', "-")),
                &reason_args(reason)
            )),
        );
    }
    if let Some(claims) = view.claims {
        giayto_verify::json::insert_claims(obj, claims);
    }
    if let Some(issuer) = view.issuer {
        giayto_verify::json::insert_issuer(obj, issuer);
    }
    if let Some(doc) = view.document {
        obj.insert("fields".into(), doc.to_json());
    }
    v
}

struct Style {
    on: bool,
}

impl Style {
    fn detect() -> Style {
        Style {
            on: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }
    fn paint(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }
}

/// The human-readable result: verdict first, big and plain, then the card.
pub fn to_human(view: &View<'_>) -> String {
    let style = Style::detect();
    let mut out = String::new();
    let title = tr(&format!(
        "verdict-{}",
        view.verdict.as_str().replace('_', "-")
    ));
    if view.verdict == Verdict::Valid {
        out.push_str(&style.paint("1;32", &format!("✔ {title}")));
    } else {
        out.push_str(&style.paint("1;31", &format!("✘ {}: {title}", tr("verdict-not-valid"))));
    }
    if let Some(claims) = view.claims {
        out.push_str(&format!(" · {}", doc_type_label(claims.document.doc_type)));
    }
    out.push('\n');
    let explain_id = match view.reason {
        Some(r) => format!("reason-{}", reason_code(r).replace('_', "-")),
        None => "reason-valid".to_owned(),
    };
    let args = view.reason.map(reason_args).unwrap_or_default();
    out.push_str(&format!("  {}\n", tr_args(&explain_id, &args)));

    if let (Some(doc), Some(claims)) = (view.document, view.claims) {
        if view.verdict != Verdict::Valid {
            out.push_str(&format!("  {}\n", tr("note-signed-but-not-valid")));
        }
        out.push_str(&card(doc, claims, view.issuer));
    } else if let (Some(claims), Some(issuer)) = (view.claims, view.issuer) {
        out.push_str(&issuer_block(claims, Some(issuer)));
    }
    out
}

const RULE: &str = "──────────────────────────────────────────────────";

/// Label/value rows, one per line, values aligned two spaces after the longest label.
fn aligned(rows: &[(String, String)]) -> String {
    let width = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    rows.iter()
        .map(|(label, value)| {
            let gap = " ".repeat(width - label.chars().count());
            format!("  {label}{gap}{value}\n")
        })
        .collect()
}

/// A document laid out like the physical card.
pub fn card(doc: &Document, claims: &CredentialClaims, issuer: Option<&IssuerEntry>) -> String {
    let mut out = String::new();
    out.push_str(RULE);
    out.push('\n');
    let heading = tr(&format!("card-title-{}", doc.doc_type().as_str()));
    out.push_str(&format!("  {heading}\n"));
    let rows: Vec<(String, String)> = doc
        .display_fields()
        .into_iter()
        .map(|(name, value)| (field_label(&name), field_value(&name, &value)))
        .collect();
    out.push_str(&aligned(&rows));
    out.push_str(&issuer_block(claims, issuer));
    out
}

fn issuer_block(claims: &CredentialClaims, issuer: Option<&IssuerEntry>) -> String {
    let mut rows = Vec::new();
    let english = lang() == Lang::En;
    let name = issuer
        .map(|i| format!("{} ({})", i.name(english), claims.issuer))
        .unwrap_or_else(|| claims.issuer.clone());
    rows.push((tr("meta-issuer"), name));
    rows.push((tr("meta-serial"), hex_lower(&claims.serial)));
    rows.push((tr("meta-issued-at"), human_time(claims.issued_at)));
    rows.push((tr("meta-expires-at"), human_time(claims.expires_at)));
    rows.push((
        tr("meta-level"),
        claims.document.assurance_level.to_string(),
    ));
    if claims.holder_key.is_some() {
        rows.push((tr("meta-holder-bound"), tr("yes")));
    }
    let mut out = String::new();
    out.push_str(RULE);
    out.push('\n');
    out.push_str(&aligned(&rows));
    out.push_str(RULE);
    out.push('\n');
    out
}

fn field_label(name: &str) -> String {
    let id = format!("field-{}", name.replace('_', "-"));
    let label = tr(&id);
    if label == id {
        if let Some(key) = name.strip_prefix("unknown_") {
            return tr_args("field-unknown", &[("key", key.to_owned())]);
        }
        return name.to_owned();
    }
    label
}

fn field_value(name: &str, value: &str) -> String {
    match (name, value) {
        (_, "male") => tr("sex-male"),
        (_, "female") => tr("sex-female"),
        ("card_generation", v) => tr(&format!("value-{}", v.replace('_', "-"))),
        ("classes", v) => v
            .replace(giayto_model::NO_EXPIRY, &tr("value-no-expiry"))
            .replace(", legacy)", &format!(", {})", tr("value-legacy-class"))),
        (_, giayto_model::NO_EXPIRY) => tr("value-no-expiry"),
        _ => value.to_owned(),
    }
}
