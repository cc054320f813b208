//! The ISO 18013-5 mobile driving licence (docs/format.md §17): the issuer's document-signer
//! key (`giayto issuer mdoc-key`), issuing (`giayto issue --type gplx --format mdoc`) and
//! checking (`giayto verify-mdoc`).

use std::path::{Path, PathBuf};

use clap::Args;
use giayto_cose::ciborium::Value;
use giayto_mdoc::cert::{parse_pem_chain, Cert};
use giayto_mdoc::{IssueOptions, Reason, Verdict, Verified};
use giayto_model::Document;
use p256::ecdsa::{SigningKey, VerifyingKey};
use p256::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use serde_json::json;

use super::issue::IssueArgs;
use super::issuer::issuer_failure;
use super::{check_parent, print_json, write_atomic};
use crate::failure::{CmdResult, Failure, EXIT_INVALID, EXIT_OK};
use crate::i18n::{tr, tr_args};
use crate::input::{now, parse_time, read_file, rfc3339};
use crate::secrets::{self, key_failure};
use crate::Out;

/// Largest PEM file of certificates read.
const MAX_PEM: u64 = 64 * 1024;

#[derive(Args, Debug)]
pub struct MdocKeyArgs {
    /// The issuer's folder.
    #[arg(long = "issuer", alias = "dir", value_name = "DIR")]
    pub issuer: PathBuf,
}

#[derive(Args, Debug)]
pub struct VerifyMdocArgs {
    /// The IACA root certificate(s) trusted (PEM; repeat for several).
    #[arg(long, required = true, value_name = "ROOT.pem")]
    pub iaca: Vec<PathBuf>,
    /// Check as of this time (RFC 3339) instead of now.
    #[arg(long)]
    pub at: Option<String>,
    /// The issued mdoc (.mdoc, CBOR), or a device response.
    pub file: PathBuf,
}

/// `giayto issuer mdoc-key --issuer DIR`: a P-256 document-signer key, sealed with the
/// issuer's passphrase (the one that opens issuer.key, checked first).
pub fn mdoc_key(a: &MdocKeyArgs, out: Out) -> CmdResult {
    let meta = giayto_issuer::read_meta(&a.issuer).map_err(|e| issuer_failure(&e))?;
    let key_path = a.issuer.join(giayto_mdoc::SIGNER_KEY_FILE);
    let pub_path = a.issuer.join(giayto_mdoc::SIGNER_PUB_FILE);
    for p in [&key_path, &pub_path] {
        if p.exists() {
            return Err(Failure::new("error-file-exists").arg("path", p.display()));
        }
    }
    let issuer_key = a.issuer.join(giayto_issuer::dir::KEY_FILE);
    let pass = secrets::existing_key(&meta.id, &issuer_key)?;
    // The same passphrase as the issuer key: one prompt opens both when issuing.
    giayto_trust::keys::read_secret_key(&issuer_key, &pass).map_err(|e| key_failure(&e))?;
    let key = giayto_wallet::mdoc::new_device_key().map_err(|_| Failure::new("error-random"))?;
    let der = key
        .to_pkcs8_der()
        .map_err(|_| Failure::new("error-key-format").arg("path", key_path.display()))?;
    let pem = key
        .verifying_key()
        .to_public_key_pem(Default::default())
        .map_err(|_| Failure::new("error-key-format").arg("path", pub_path.display()))?;
    giayto_trust::keys::write_secret_der(&key_path, der.as_bytes(), &pass, secrets::kdf_cost())
        .map_err(|e| key_failure(&e))?;
    if let Err(e) = giayto_trust::keys::write_public_pem(&pub_path, &pem) {
        let _ = std::fs::remove_file(&key_path);
        return Err(key_failure(&e));
    }
    if out.json {
        print_json(&json!({
            "id": meta.id,
            "key_file": key_path,
            "public_key_file": pub_path,
            "certificate_file": a.issuer.join(giayto_mdoc::SIGNER_CERT_FILE),
        }));
    } else {
        crate::outln!(
            "{}",
            tr_args(
                "mdoc-key-created",
                &[
                    ("pub", pub_path.display().to_string()),
                    (
                        "cert",
                        a.issuer
                            .join(giayto_mdoc::SIGNER_CERT_FILE)
                            .display()
                            .to_string()
                    ),
                    ("dir", a.issuer.display().to_string()),
                ]
            )
        );
    }
    Ok(EXIT_OK)
}

/// Read a PEM file of certificates; `id` is the failure message (issuing or checking).
fn read_chain(path: &Path, id: &'static str) -> Result<Vec<Cert>, Failure> {
    let bytes = read_file(path, MAX_PEM)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        Failure::new(id)
            .arg("path", path.display())
            .arg("detail", "not PEM text")
    })?;
    parse_pem_chain(text).map_err(|d| {
        Failure::new(id)
            .arg("path", path.display())
            .arg("detail", d)
    })
}

fn read_device_pub(path: &Path) -> Result<VerifyingKey, Failure> {
    let bytes = read_file(path, MAX_PEM)?;
    std::str::from_utf8(&bytes)
        .ok()
        .and_then(|t| VerifyingKey::from_public_key_pem(t.trim()).ok())
        .ok_or_else(|| Failure::new("error-mdoc-device-pub").arg("path", path.display()))
}

/// `giayto issue --type gplx --format mdoc`: everything is checked before the key is opened;
/// the `.mdoc` file is written atomically to `--out`.
pub fn issue(a: &IssueArgs, document: &Document, out: Out) -> CmdResult {
    let Document::Gplx(gplx) = document else {
        return Err(Failure::new("error-mdoc-only-gplx").arg("type", &a.doc_type));
    };
    if a.png.is_some()
        || a.svg.is_some()
        || a.sd_out.is_some()
        || a.copies.is_some()
        || a.holder_pubs.is_some()
        || a.copies_for.is_some()
        || a.holder_pub.is_some()
    {
        return Err(Failure::new("error-mdoc-options"));
    }
    let out_path = a
        .out
        .as_ref()
        .ok_or_else(|| Failure::new("error-mdoc-needs-out"))?;
    let device_pub = a
        .device_pub
        .as_ref()
        .ok_or_else(|| Failure::new("error-mdoc-needs-device-pub"))?;
    let device_key = read_device_pub(device_pub)?;
    let portrait = match &a.portrait {
        Some(p) => Some(read_file(p, giayto_model::MAX_PORTRAIT_BYTES as u64)?),
        None => None,
    };
    check_parent(out_path)?;
    let meta = giayto_issuer::read_meta(&a.dir).map_err(|e| issuer_failure(&e))?;
    let key_path = a.dir.join(giayto_mdoc::SIGNER_KEY_FILE);
    let cert_path = a.dir.join(giayto_mdoc::SIGNER_CERT_FILE);
    if !key_path.is_file() {
        return Err(Failure::new("error-mdoc-no-key").arg("path", key_path.display()));
    }
    if !cert_path.is_file() {
        return Err(Failure::new("error-mdoc-no-cert").arg("path", cert_path.display()));
    }
    let chain = read_chain(&cert_path, "error-mdoc-cert")?;
    let pass = secrets::existing_key(&meta.id, &key_path)?;
    let der = giayto_trust::keys::read_secret_der(&key_path, &pass).map_err(|e| key_failure(&e))?;
    let signer = SigningKey::from_pkcs8_der(&der)
        .map_err(|_| Failure::new("error-key-format").arg("path", key_path.display()))?;
    let opts = IssueOptions {
        device_key,
        now: now(),
        valid_days: a.valid_days.max(1),
        portrait,
        salt_seed: None,
    };
    let issued = giayto_mdoc::issue(gplx, &signer, &chain, &opts).map_err(|e| match e {
        giayto_mdoc::MdocError::KeyMismatch => {
            Failure::new("error-mdoc-key-mismatch").arg("path", cert_path.display())
        }
        giayto_mdoc::MdocError::Certificate(d) => Failure::new("error-mdoc-cert")
            .arg("path", cert_path.display())
            .arg("detail", d),
        other => Failure::new("error-mdoc-issue").arg("detail", other),
    })?;
    write_atomic(out_path, &issued.bytes)?;
    if out.json {
        print_json(&json!({
            "format": "mdoc",
            "doc_type": giayto_mdoc::DOC_TYPE,
            "issuer": meta.id,
            "out": out_path.display().to_string(),
            "bytes": issued.bytes.len(),
            "valid_until": rfc3339(issued.valid_until),
            "elements": issued.elements,
        }));
    } else {
        crate::errln!(
            "{}",
            tr_args(
                "mdoc-issued",
                &[
                    ("path", out_path.display().to_string()),
                    ("bytes", issued.bytes.len().to_string()),
                    ("count", issued.elements.len().to_string()),
                    ("until", crate::input::human_time(issued.valid_until)),
                ]
            )
        );
    }
    Ok(EXIT_OK)
}

/// A data element's value for display: dates as text, bytes as their size (JSON: hex).
fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Text(t) => json!(t),
        Value::Bool(b) => json!(b),
        Value::Integer(i) => json!(i128::from(*i).to_string()),
        Value::Bytes(b) => json!(giayto_verify::hex_lower(b)),
        Value::Tag(_, inner) => to_json(inner),
        Value::Array(a) => serde_json::Value::Array(a.iter().map(to_json).collect()),
        Value::Map(m) => serde_json::Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Value::Text(t) => t.clone(),
                        other => format!("{other:?}"),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        _ => serde_json::Value::Null,
    }
}

fn human_value(v: &Value) -> String {
    match v {
        Value::Bytes(b) => tr_args("mdoc-bytes", &[("n", b.len().to_string())]),
        other => match to_json(other) {
            serde_json::Value::String(s) => s,
            j => j.to_string(),
        },
    }
}

/// `giayto verify-mdoc FILE --iaca ROOT.pem`: exit 0 valid, 1 any other verdict, 2 when the
/// roots or the file cannot be read.
pub fn verify(a: &VerifyMdocArgs, out: Out) -> CmdResult {
    let at = match &a.at {
        Some(s) => parse_time(s)?,
        None => now(),
    };
    let mut roots = Vec::new();
    for p in &a.iaca {
        roots.extend(read_chain(p, "error-mdoc-iaca")?);
    }
    let bytes = read_file(&a.file, giayto_mdoc::MAX_MDOC_BYTES as u64 + 1)?;
    let result = giayto_mdoc::verify(&bytes, &roots, at);
    report(&result, out);
    Ok(if result.is_ok() {
        EXIT_OK
    } else {
        EXIT_INVALID
    })
}

/// The reason in the user's language (message `mdoc-reason-CODE`).
fn reason_text(r: &Reason) -> String {
    let id = format!("mdoc-reason-{}", r.code().replace('_', "-"));
    let arg = match r {
        Reason::TooLarge { size } => size.to_string(),
        Reason::WrongDocType(t) => t.clone(),
        Reason::Malformed(what) => (*what).to_owned(),
        Reason::DigestMismatch { element } | Reason::MissingDigest { element } => element.clone(),
        Reason::CertificateExpired { subject } | Reason::CertificateNotYetValid { subject } => {
            subject.clone()
        }
        Reason::Expired { valid_until } => valid_until.clone(),
        Reason::NotYetValid { valid_from } => valid_from.clone(),
        _ => String::new(),
    };
    if crate::i18n::has(&id) {
        tr_args(&id, &[("value", arg)])
    } else {
        r.to_string()
    }
}

fn report(result: &Result<Verified, Reason>, out: Out) {
    let verdict = match result {
        Ok(_) => Verdict::Valid,
        Err(r) => r.verdict(),
    };
    let heading = tr(&format!("verdict-{}", verdict.as_str().replace('_', "-")));
    if out.json {
        let mut j = json!({
            "format": "mdoc",
            "verdict": verdict.as_str(),
            "valid": result.is_ok(),
        });
        match result {
            Ok(v) => {
                j["doc_type"] = json!(giayto_mdoc::DOC_TYPE);
                j["signer"] = json!(v.signer);
                j["root"] = json!(v.root);
                j["signed"] = json!(rfc3339(v.signed));
                j["valid_from"] = json!(rfc3339(v.valid_from));
                j["valid_until"] = json!(rfc3339(v.valid_until));
                j["elements"] = serde_json::Value::Object(
                    v.elements
                        .iter()
                        .map(|(_, e, val)| (e.clone(), to_json(val)))
                        .collect(),
                );
            }
            Err(r) => {
                j["reason"] = json!(r.code());
                j["detail"] = json!(reason_text(r));
            }
        }
        print_json(&j);
        return;
    }
    crate::outln!("{heading}");
    match result {
        Ok(v) => {
            crate::outln!(
                "{}",
                tr_args(
                    "mdoc-verified",
                    &[
                        ("signer", v.signer.clone()),
                        ("root", v.root.clone()),
                        ("until", crate::input::human_time(v.valid_until)),
                    ]
                )
            );
            for (_, e, val) in &v.elements {
                crate::outln!("  {e}: {}", human_value(val));
            }
        }
        Err(r) => crate::outln!("{}", reason_text(r)),
    }
}
