//! `giayto request`: a relying party's request for chosen fields (`VR1:`, docs/format.md §15),
//! shown as a QR code for the holder's wallet to answer; and reading a request for `wallet
//! present --request` and `verify --request`.
//!
//! The request text is all the verifier keeps: `verify --request FILE ANSWER` reads it back
//! (text or the PNG) and checks the answer against it.

use std::path::PathBuf;

use clap::Args;
use giayto_cose::request::{Request, RequestError, MAX_LIFETIME};
use giayto_model::DocType;
use giayto_qr::{EccLevel, RenderOptions};
use serde_json::json;

use super::{check_parent, doc_type, write_atomic};
use crate::failure::{CmdResult, Failure, EXIT_OK};
use crate::i18n::{tr, tr_args};
use crate::input::{codes_from_input, human_time, now, rfc3339};
use crate::Out;

/// Minutes a request stays open unless `--expires-in` says otherwise.
pub const DEFAULT_MINUTES: u32 = 10;

#[derive(Args, Debug)]
pub struct RequestArgs {
    /// Fields and predicates the answer must disclose (JSON field names, age_over_NN),
    /// comma-separated, e.g. full_name,age_over_18.
    #[arg(long, value_name = "ITEMS", value_delimiter = ',')]
    pub fields: Vec<String>,
    /// Fields and predicates the holder may add if they choose, comma-separated.
    #[arg(long, value_name = "ITEMS", value_delimiter = ',')]
    pub optional: Vec<String>,
    /// Why they are asked, shown to the holder.
    #[arg(long)]
    pub purpose: String,
    /// The name the holder's wallet shows (stated by you, not verified by anyone).
    #[arg(long)]
    pub verifier_name: String,
    /// Only this document type: cccd, gplx, vehicle or bhyt (default any that has the fields).
    #[arg(long = "doc", value_name = "cccd|gplx|vehicle|bhyt")]
    pub doc: Option<String>,
    /// Minutes the request stays open (1 to 1440).
    #[arg(long, default_value_t = DEFAULT_MINUTES,
          value_parser = clap::value_parser!(u32).range(1..=(MAX_LIFETIME / 60)))]
    pub expires_in: u32,
    /// Write the request here: a .png QR code, anything else the text (repeatable). Keep the
    /// text or the PNG: `giayto verify --request` checks the answer against it.
    #[arg(long)]
    pub out: Vec<PathBuf>,
}

/// Items from a comma list: trimmed, empty ones dropped.
fn items(list: &[String]) -> Vec<String> {
    list.iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Every item a request may name: the field names of the four types, then the ages.
fn known_items() -> String {
    let mut names: Vec<&str> = Vec::new();
    for t in DocType::ALL {
        for (_, n) in t.field_keys() {
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    names.push("age_over_NN");
    names.join(", ")
}

/// A refused request as the user sees it.
pub fn request_failure(e: &RequestError) -> Failure {
    match e {
        RequestError::NoPrefix => Failure::new("request-error-not-a-request"),
        RequestError::Invalid { member: "verifier" } => Failure::new("request-error-verifier-name"),
        RequestError::Invalid { member: "purpose" } => Failure::new("request-error-purpose"),
        RequestError::Invalid { member } => {
            Failure::new("request-error-bad-member").arg("member", member)
        }
        RequestError::Lifetime => Failure::new("request-error-lifetime"),
        RequestError::BadItem { name } => Failure::new("request-error-bad-item")
            .arg("item", name)
            .arg("known", known_items()),
        RequestError::DuplicateItem { name } => {
            Failure::new("request-error-duplicate-item").arg("item", name)
        }
        other => Failure::new("request-error-unreadable").arg("detail", other.code()),
    }
}

/// The request an INPUT argument stands for (the text, @file, an image of the code, or - for
/// stdin): the first `VR1:` code found, else the first code.
pub fn read_request(input: &str) -> Result<Request, Failure> {
    let codes = codes_from_input(input)?;
    let code = codes
        .iter()
        .find(|c| c.trim_start().starts_with(giayto_cose::request::PREFIX))
        .or_else(|| codes.first())
        .cloned()
        .unwrap_or_default();
    Request::from_text(&code).map_err(|e| request_failure(&e))
}

/// How the request looks to the one who made it.
pub fn describe(r: &Request) -> serde_json::Value {
    json!({
        "verifier": r.verifier,
        "purpose": r.purpose,
        "required": r.required,
        "optional": r.optional,
        "doc_type": r.doc_type.map(|t| DocType::from_code(t).map_or_else(|| t.to_string(), |d| d.as_str().to_owned())),
        "nonce": hex::encode(&r.nonce),
        "issued_at": rfc3339(r.issued_at),
        "expires_at": rfc3339(r.expires_at),
    })
}

pub fn run(a: RequestArgs, out: Out) -> CmdResult {
    let required = items(&a.fields);
    let optional = items(&a.optional);
    if required.is_empty() && optional.is_empty() {
        return Err(Failure::new("request-error-no-items"));
    }
    // A name no document type knows is a typo here, not a question for the wallet.
    if let Some(unknown) = required
        .iter()
        .chain(&optional)
        .find(|n| !giayto_verify::item_known(n))
    {
        return Err(Failure::new("request-error-bad-item")
            .arg("item", unknown)
            .arg("known", known_items()));
    }
    let doc = a.doc.as_deref().map(doc_type).transpose()?;
    for p in &a.out {
        check_parent(p)?;
    }
    let mut nonce = vec![0u8; 16];
    if !giayto_issuer::sd::os_random(&mut nonce) {
        return Err(Failure::new("error-random"));
    }
    let at = now();
    let request = Request {
        nonce,
        issued_at: at,
        expires_at: at + i64::from(a.expires_in) * 60,
        verifier: a.verifier_name.trim().to_owned(),
        purpose: a.purpose.trim().to_owned(),
        required,
        optional,
        doc_type: doc.map(DocType::code),
    };
    let text = request.to_text().map_err(|e| request_failure(&e))?;
    let render = RenderOptions {
        ecc: EccLevel::Q,
        ..RenderOptions::default()
    };
    // Every file is made before any is written: nothing half-written on a failure.
    let mut files = Vec::new();
    for p in &a.out {
        let png = p.extension().is_some_and(|e| e.eq_ignore_ascii_case("png"));
        let bytes = if png {
            giayto_qr::render_png(&text, &render)
                .map_err(|e| Failure::new("error-qr-render").arg("detail", e))?
        } else {
            format!("{text}\n").into_bytes()
        };
        files.push((p, bytes));
    }
    for (p, bytes) in &files {
        write_atomic(p, bytes)?;
    }
    if out.json {
        let mut v = describe(&request);
        if let Some(o) = v.as_object_mut() {
            o.insert("text".into(), json!(text));
            o.insert(
                "out".into(),
                json!(a
                    .out
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()),
            );
        }
        crate::outln!("{v}");
        return Ok(EXIT_OK);
    }
    let qr = giayto_qr::render_terminal(&text, EccLevel::Q, super::qr::terminal_style())
        .map_err(|e| Failure::new("error-qr-render").arg("detail", e))?;
    crate::out!("{qr}");
    crate::outln!("{text}");
    let all: Vec<&str> = request.items().into_iter().map(String::as_str).collect();
    crate::errln!(
        "{}",
        tr_args(
            "request-made",
            &[
                ("verifier", request.verifier.clone()),
                ("items", all.join(", ")),
                ("time", human_time(request.expires_at)),
            ]
        )
    );
    if !a.out.is_empty() {
        let paths: Vec<String> = a.out.iter().map(|p| p.display().to_string()).collect();
        crate::errln!(
            "{}",
            tr_args("request-saved", &[("paths", paths.join(", "))])
        );
    } else {
        crate::errln!("{}", tr("request-keep-text"));
    }
    Ok(EXIT_OK)
}
