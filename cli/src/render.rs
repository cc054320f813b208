//! Verification results for people (a card-like layout) and for scripts (JSON).

use std::io::IsTerminal;

use giayto_model::Document;
use giayto_verify::json::{report_json, JsonContext};
use giayto_verify::{hex_lower, Arg, CredentialClaims, IssuerEntry, Reason, Report, Verdict};
use serde_json::Value;

use crate::i18n::{lang, tr, tr_args, Lang};
use crate::input::human_time;

/// A typed message argument as people read it: times as `dd/mm/yyyy HH:MM` in Vietnam time,
/// document types by their name in the user's language.
fn arg_text(arg: &Arg) -> String {
    match arg {
        Arg::Time(t) => human_time(*t),
        Arg::Text(s) => s.clone(),
        Arg::Number(n) => n.to_string(),
        Arg::DocType(code) => doc_type_label(*code),
        _ => String::new(),
    }
}

fn human_args(args: Vec<(&'static str, Arg)>) -> Vec<(&'static str, String)> {
    args.into_iter().map(|(k, v)| (k, arg_text(&v))).collect()
}

/// A reason's explanation in a given language (the verification service's `message`).
pub fn reason_message_in(lang: crate::i18n::Lang, reason: &Reason) -> String {
    crate::i18n::tr_in(lang, &reason_id(reason), &human_args(reason.args()))
}

/// The Fluent id of a reason's explanation.
fn reason_id(reason: &Reason) -> String {
    format!("reason-{}", reason.code().replace('_', "-"))
}

fn doc_type_label(code: u64) -> String {
    match giayto_model::DocType::from_code(code) {
        Some(t) => tr(&format!("doc-{}", t.as_str())),
        None => code.to_string(),
    }
}

/// The machine-readable result: the contract of `giayto_verify::json::report_json`, with the
/// reason's message in the user's language.
pub fn to_json(report: &Report, bundle_created_at: Option<i64>) -> Value {
    let context = JsonContext {
        bundle_created_at,
        message: report
            .reason()
            .map(|r| tr_args(&reason_id(r), &human_args(r.args()))),
    };
    report_json(report, &context)
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

/// The headline of a verdict: its own title, except where the reason says more plainly what
/// happened (a static code where the holder's answer to a challenge was expected).
fn headline(report: &Report) -> String {
    match report.reason() {
        Some(Reason::NonceMismatch { present: false }) => tr("verdict-heading-nonce-missing"),
        Some(Reason::NonceMismatch { present: true }) => tr("verdict-heading-nonce-mismatch"),
        _ => tr(&format!(
            "verdict-{}",
            report.verdict().as_str().replace('_', "-")
        )),
    }
}

/// The human-readable result: verdict first, big and plain, then the card, then what the
/// status check and the warnings say.
pub fn to_human(report: &Report) -> String {
    let style = Style::detect();
    let mut out = String::new();
    let title = headline(report);
    let credential = report.credential();
    if report.is_valid() {
        out.push_str(&style.paint("1;32", &format!("✔ {title}")));
    } else {
        out.push_str(&style.paint("1;31", &format!("✘ {}: {title}", tr("verdict-not-valid"))));
    }
    if let Some(c) = &credential {
        out.push_str(&format!(
            " · {}",
            doc_type_label(c.claims.document.doc_type)
        ));
    }
    if report.kind() == giayto_verify::CodeKind::Claim169 {
        out.push_str(&format!(" · {}", tr("claim169-label")));
    }
    out.push('\n');
    let explanation = match report.reason() {
        Some(r) => tr_args(&reason_id(r), &human_args(r.args())),
        None if report.claim169().is_some() => tr("reason-valid-claim169"),
        None => tr("reason-valid"),
    };
    out.push_str(&format!("  {explanation}\n"));

    if let Some(c) = &credential {
        match c.document {
            Some(doc) => {
                if report.verdict() != Verdict::Valid {
                    out.push_str(&format!("  {}\n", tr("note-signed-but-not-valid")));
                }
                out.push_str(&card(doc, c.claims, Some(c.issuer)));
            }
            None => match c.disclosed {
                Some(d) => {
                    if report.verdict() != Verdict::Valid {
                        out.push_str(&format!("  {}\n", tr("note-signed-but-not-valid")));
                    }
                    out.push_str(&disclosed_card(d, c.claims, Some(c.issuer)));
                }
                None => out.push_str(&issuer_block(c.claims, Some(c.issuer))),
            },
        }
        // Trusted through a national CA's certificate, not the trust list (docs/format.md §18).
        if let giayto_verify::TrustPath::X509 { root } = c.trust_path {
            if !root.is_empty() {
                out.push_str(&format!(
                    "  {}\n",
                    tr_args("verify-trust-x509", &[("ca", root.clone())])
                ));
            }
        }
    }
    if let Some(identity) = report.claim169() {
        if report.verdict() != Verdict::Valid {
            out.push_str(&format!("  {}\n", tr("note-signed-but-not-valid")));
        }
        out.push_str(&claim169_card(identity));
    }
    if let Some(s) = report.status() {
        out.push_str(&format!(
            "  {}\n",
            tr_args(
                "verify-status-checked",
                &[
                    ("uri", s.uri.clone()),
                    ("signed", human_time(s.list_issued_at)),
                    ("due", human_time(s.list_expires_at)),
                ]
            )
        ));
    }
    for w in report.warnings() {
        let id = format!("warning-{}", w.code().replace('_', "-"));
        out.push_str(&format!("  ⚠ {}\n", tr_args(&id, &human_args(w.args()))));
    }
    if report.is_presentation() && report.is_valid() {
        out.push_str(&format!("  {}\n", tr("verify-presentation-ok")));
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
    // The 2024 identity card has its own name (thẻ căn cước, Identity Law 2023).
    let heading = match doc {
        Document::Cccd(c) if c.card_generation == giayto_model::CardGeneration::CanCuoc2024 => {
            tr("card-title-can-cuoc-2024")
        }
        _ => tr(&format!("card-title-{}", doc.doc_type().as_str())),
    };
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

/// What a holder disclosed of a selective-disclosure credential (docs/format.md §14): only
/// those fields, and how many were withheld.
fn disclosed_card(
    d: &giayto_verify::Disclosed,
    claims: &CredentialClaims,
    issuer: Option<&IssuerEntry>,
) -> String {
    let mut out = String::new();
    out.push_str(RULE);
    out.push('\n');
    let heading = giayto_model::DocType::from_code(claims.document.doc_type)
        .map(|t| tr(&format!("card-title-{}", t.as_str())))
        .unwrap_or_default();
    out.push_str(&format!("  {heading}\n"));
    out.push_str(&format!(
        "  {}\n",
        tr_args(
            "verify-disclosed",
            &[
                ("shown", d.fields.len().to_string()),
                ("withheld", d.withheld.to_string())
            ]
        )
    ));
    let rows: Vec<(String, String)> = d
        .fields
        .iter()
        .flat_map(|f| {
            f.display.iter().map(move |v| {
                let label = match f.name.strip_prefix("age_over_") {
                    Some(nn) => tr_args("field-age-over", &[("age", nn.to_owned())]),
                    None => field_label(&f.name),
                };
                let value = match v.as_str() {
                    "true" => tr("yes"),
                    "false" => tr("no"),
                    _ => field_value(&f.name, v),
                };
                (label, value)
            })
        })
        .collect();
    out.push_str(&aligned(&rows));
    out.push_str(&issuer_block(claims, issuer));
    out
}

/// A Claim 169 code's identity data (docs/format.md §16), under its own heading: the
/// attributes by the specification's names, then whose signature it carries.
fn claim169_card(identity: &giayto_verify::Claim169Identity) -> String {
    use giayto_verify::AttributeValue;
    let mut out = String::new();
    out.push_str(RULE);
    out.push('\n');
    out.push_str(&format!("  {}\n", tr("claim169-title")));
    let mut rows: Vec<(String, String)> = identity
        .attributes
        .iter()
        .map(|a| {
            let id = format!("claim169-attr-{}", a.key);
            let label = match tr(&id) {
                l if l == id => a.name.to_owned(),
                l => l,
            };
            let value = match (&a.value, a.key) {
                (AttributeValue::Int(1), 9) => tr("sex-male"),
                (AttributeValue::Int(2), 9) => tr("sex-female"),
                (AttributeValue::Text(t), 8) if t.len() == 8 && t.is_ascii() => {
                    format!("{}/{}/{}", &t[6..8], &t[4..6], &t[..4])
                }
                (AttributeValue::Text(t), _) => t.clone(),
                (AttributeValue::Int(i), _) => i.to_string(),
                (AttributeValue::Bytes(b), _) => {
                    tr_args("claim169-bytes", &[("bytes", b.len().to_string())])
                }
                (AttributeValue::Ints(v), _) => {
                    v.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
                }
                _ => String::new(),
            };
            (label, value)
        })
        .collect();
    if !identity.other_keys.is_empty() {
        let keys: Vec<String> = identity.other_keys.iter().map(i64::to_string).collect();
        rows.push((tr("claim169-other-keys"), keys.join(", ")));
    }
    out.push_str(&aligned(&rows));
    out.push_str(RULE);
    out.push('\n');
    let english = lang() == Lang::En;
    let mut meta = vec![(
        tr("meta-issuer"),
        format!("{} ({})", identity.issuer.name(english), identity.issuer.id),
    )];
    if let Some(t) = identity.issued_at {
        meta.push((tr("meta-issued-at"), human_time(t)));
    }
    if let Some(t) = identity.expires_at {
        meta.push((tr("meta-expires-at"), human_time(t)));
    }
    out.push_str(&aligned(&meta));
    out.push_str(RULE);
    out.push('\n');
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
        ("participation_status", v) => tr(&format!("value-participation-{}", v.replace('_', "-"))),
        ("classes", v) => v
            .replace(giayto_model::NO_EXPIRY, &tr("value-no-expiry"))
            .replace(", legacy)", &format!(", {})", tr("value-legacy-class"))),
        (_, giayto_model::NO_EXPIRY) => tr("value-no-expiry"),
        _ => value.to_owned(),
    }
}
