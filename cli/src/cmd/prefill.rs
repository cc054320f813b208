//! `giayto prefill`: fill a form (docs/forms.md) from credentials checked as `verify` checks
//! them. Only credentials that verified valid fill anything; a selective presentation fills
//! only what it disclosed; an invalid one fills nothing and the command exits 1 with its
//! verdict.

use std::path::PathBuf;

use clap::Args;
use giayto_forms::{Form, FormError, Unfilled};
use giayto_verify::{Report, VerifiedCredential};
use serde_json::{json, Value};

use super::verify::{check_codes, CheckArgs, Checked};
use super::{check_parent, print_json, write_atomic};
use crate::failure::{CmdResult, Failure, EXIT_INVALID, EXIT_OK};
use crate::i18n::{lang, tr, tr_args, Lang};
use crate::input::{codes_from_input, human_time, read_file, rfc3339};
use crate::render::reason_message_in;
use crate::Out;

#[derive(Args, Debug)]
pub struct PrefillArgs {
    /// The form description (JSON, docs/forms.md), e.g. forms/hotel-guest-stay.json.
    #[arg(long)]
    pub form: PathBuf,
    /// Also write the filled form as a printable A4 PDF to this file (only when every code is
    /// valid).
    #[arg(long)]
    pub pdf: Option<PathBuf>,
    #[command(flatten)]
    pub check: CheckArgs,
    /// The credentials: QR text, @file, an image file of the code, or - for stdin; several
    /// papers of one person fill one form.
    #[arg(required = true)]
    pub input: Vec<String>,
}

/// The message of a form file error: `error-form-<code>`.
fn form_error_id(e: &FormError) -> &'static str {
    match e {
        FormError::TooLarge { .. } => "error-form-too-large",
        FormError::Json { .. } => "error-form-json",
        FormError::WrongType { .. } => "error-form-wrong-type",
        FormError::Missing { .. } => "error-form-missing",
        FormError::UnknownKey { .. } => "error-form-unknown-key",
        FormError::Version { .. } => "error-form-version",
        FormError::BadId { .. } => "error-form-bad-id",
        FormError::DuplicateId { .. } => "error-form-duplicate-id",
        FormError::BadText { .. } => "error-form-bad-text",
        FormError::NoFields => "error-form-no-fields",
        FormError::TooMany { .. } => "error-form-too-many",
        FormError::UnknownSource { .. } => "error-form-unknown-source",
        FormError::UnsupportedSource { .. } => "error-form-unsupported-source",
        FormError::UnknownFormat { .. } => "error-form-unknown-format",
        FormError::FormatNotForSource { .. } => "error-form-format-not-for-source",
        _ => "error-form-invalid",
    }
}

/// A form file error as the user sees it: which file, where in it and what.
fn form_failure(path: &std::path::Path, e: &FormError) -> Failure {
    let f = Failure::new(form_error_id(e)).arg("path", path.display());
    match e {
        FormError::TooLarge { max } => f.arg("max", max),
        FormError::Json { line, column } => f.arg("line", line).arg("column", column),
        FormError::WrongType { path, .. }
        | FormError::Missing { path }
        | FormError::UnknownKey { path }
        | FormError::BadId { path }
        | FormError::BadText { path } => f.arg("where", path),
        FormError::Version { found } => f.arg("value", found),
        FormError::DuplicateId { id } => f.arg("value", id),
        FormError::TooMany { path, max } => f.arg("where", path).arg("max", max),
        FormError::UnknownSource { path, value }
        | FormError::UnsupportedSource { path, value }
        | FormError::UnknownFormat { path, value } => f.arg("where", path).arg("value", value),
        FormError::FormatNotForSource {
            path,
            format,
            source,
        } => f
            .arg("where", path)
            .arg("value", format)
            .arg("source", source),
        _ => f,
    }
}

fn unfilled_text(u: Unfilled) -> String {
    tr(&format!(
        "prefill-unfilled-{}",
        u.as_str().replace('_', "-")
    ))
}

fn label(l: &giayto_forms::Bilingual) -> &str {
    match lang() {
        Lang::Vi => &l.vi,
        _ => &l.en,
    }
}

fn doc_name(c: &VerifiedCredential) -> String {
    tr(&format!("doc-{}", c.doc_type().as_str()))
}

/// One line per code: valid (what it is, whether a selective presentation), or its verdict and
/// why.
fn credential_json(r: &Report) -> Value {
    let mut v = json!({
        "verdict": r.verdict().as_str(),
        "valid": r.is_valid(),
        "presentation": r.is_presentation(),
    });
    if let Some(c) = r.verified() {
        v["doc_type"] = json!(c.doc_type().as_str());
        v["serial"] = json!(c.serial_hex());
        v["disclosed"] = json!(c.disclosed().is_some());
    }
    if let Some(reason) = r.reason() {
        v["reason"] = json!(reason.code());
        v["message"] = json!(reason_message_in(lang(), reason));
    }
    v
}

fn credential_line(i: usize, r: &Report) -> String {
    match r.verified() {
        Some(c) => tr_args(
            if c.disclosed().is_some() {
                "prefill-code-disclosed"
            } else {
                "prefill-code-valid"
            },
            &[
                ("n", (i + 1).to_string()),
                ("doc", doc_name(c)),
                ("serial", c.serial_hex()),
            ],
        ),
        None => {
            let verdict = tr(&format!(
                "verdict-{}",
                r.verdict().as_str().replace('_', "-")
            ));
            let why = r
                .reason()
                .map(|reason| reason_message_in(lang(), reason))
                .unwrap_or_default();
            tr_args(
                "prefill-code-invalid",
                &[
                    ("n", (i + 1).to_string()),
                    ("verdict", verdict),
                    ("reason", why),
                ],
            )
        }
    }
}

pub fn run(a: PrefillArgs, out: Out) -> CmdResult {
    let bytes = read_file(&a.form, giayto_forms::MAX_FORM_BYTES as u64)?;
    let form = Form::from_slice(&bytes).map_err(|e| form_failure(&a.form, &e))?;
    if let Some(p) = &a.pdf {
        check_parent(p)?;
    }
    let mut codes = Vec::new();
    for input in &a.input {
        codes.extend(codes_from_input(input)?);
    }
    let Checked { reports, at, .. } = check_codes(&a.check, None, None, || Ok(codes))?;
    let valid: Vec<&VerifiedCredential> = reports.iter().filter_map(Report::verified).collect();
    let all_valid = valid.len() == reports.len();
    let filled = giayto_forms::fill(&form, &valid, at).map_err(|e| match e {
        giayto_forms::FillError::DifferentHolders {
            first,
            second,
            what,
        } => Failure::new("error-prefill-different-holders")
            .arg("first", first + 1)
            .arg("second", second + 1)
            .arg("field", tr(&format!("field-{}", what.replace('_', "-")))),
        _ => Failure::new("error-internal").arg("place", "prefill"),
    })?;
    if let (Some(path), true) = (&a.pdf, all_valid) {
        let serials: Vec<String> = valid
            .iter()
            .map(|c| format!("{} {}", doc_name(c), c.serial_hex()))
            .collect();
        let footer = tr_args(
            "prefill-pdf-footer",
            &[("time", human_time(at)), ("from", serials.join(", "))],
        );
        let pdf = giayto_forms::pdf::render(&filled, &footer).map_err(|e| {
            Failure::new("error-file-io")
                .arg("path", path.display())
                .arg("detail", e)
        })?;
        write_atomic(path, &pdf)?;
    }
    if out.json {
        let mut v = filled.to_json();
        v["checked_at"] = json!(rfc3339(at));
        v["credentials"] = Value::Array(reports.iter().map(credential_json).collect());
        if let Some(path) = &a.pdf {
            v["pdf"] = if all_valid { json!(path) } else { Value::Null };
        }
        print_json(&v);
    } else {
        crate::outln!("{}", label(&form.title));
        for (i, r) in reports.iter().enumerate() {
            crate::outln!("{}", credential_line(i, r));
        }
        let rows: Vec<(String, String)> = filled
            .fields
            .iter()
            .map(|f| {
                let value = match (&f.value, f.unfilled) {
                    (Some(v), _) => v.clone(),
                    (None, Some(u)) => format!("— ({})", unfilled_text(u)),
                    (None, None) => "—".to_owned(),
                };
                (label(&f.label).to_owned(), value)
            })
            .collect();
        let width = rows
            .iter()
            .map(|(l, _)| l.chars().count())
            .max()
            .unwrap_or(0);
        for (l, v) in rows {
            let pad = width.saturating_sub(l.chars().count());
            crate::outln!("  {l}:{} {v}", " ".repeat(pad));
        }
        let missing = filled.unfilled().count();
        crate::outln!(
            "{}",
            tr_args(
                "prefill-summary",
                &[
                    ("filled", (filled.fields.len() - missing).to_string()),
                    ("total", filled.fields.len().to_string()),
                ]
            )
        );
        match (&a.pdf, all_valid) {
            (Some(path), true) => crate::outln!(
                "{}",
                tr_args(
                    "prefill-pdf-written",
                    &[("path", path.display().to_string())]
                )
            ),
            (Some(_), false) => crate::outln!("{}", tr("prefill-pdf-not-written")),
            (None, _) => {}
        }
    }
    Ok(if all_valid { EXIT_OK } else { EXIT_INVALID })
}
