//! `giayto issue`: one credential from a JSON file.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use giayto_issuer::{IssueOptions, Issuer};
use giayto_model::{Document, FieldError, FieldErrorKind};
use giayto_qr::{EccLevel, RenderOptions};
use giayto_trust::keys;
use serde_json::json;

use super::issuer::issuer_failure;
use super::{check_also, check_parent, claim169_beside, doc_type, print_json, temp_beside};
use crate::failure::{io_failure, CmdResult, Failure, EXIT_OK};
use crate::i18n::{has, tr, tr_args};
use crate::input::{now, read_json, rfc3339};
use crate::secrets::{self, key_failure};
use crate::Out;

/// What `giayto issue` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum IssueFormat {
    /// giayto's own credential, the VN1: QR text (docs/format.md §3, §5).
    Vn1,
    /// The issuer-signed part of an ISO 18013-5 mobile driving licence (gplx only), written
    /// to --out as CBOR (docs/format.md §17).
    Mdoc,
}

#[derive(Args, Debug)]
pub struct IssueArgs {
    /// The issuer folder.
    #[arg(long)]
    pub dir: PathBuf,
    /// Document type: cccd, gplx, vehicle, bhyt or bhxh.
    #[arg(long = "type", value_name = "TYPE")]
    pub doc_type: String,
    /// The document's fields as JSON.
    #[arg(long)]
    pub data: PathBuf,
    /// Bind the credential to this holder public key (PEM).
    #[arg(long)]
    pub holder_pub: Option<PathBuf>,
    /// Days of validity (never beyond the document's own expiry).
    #[arg(long, default_value_t = 1825)]
    pub valid_days: u32,
    /// Assurance level of the holder's identity account: 1 or 2.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=2))]
    pub level: u8,
    /// Also write the QR text to this file (with --format mdoc: the .mdoc file).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write the QR code as PNG.
    #[arg(long)]
    pub png: Option<PathBuf>,
    /// Also write the QR code as SVG.
    #[arg(long)]
    pub svg: Option<PathBuf>,
    /// Also make the selective-disclosure form (needs --holder-pub) and write it, with its
    /// values and salts, to this owner-only file for `giayto wallet add --sd` (never a QR).
    #[arg(long, value_name = "FILE")]
    pub sd_out: Option<PathBuf>,
    /// Make N one-time selective-disclosure copies instead of one, each with its own serial,
    /// holder key and status entry, so that presentations cannot be linked (needs --sd-out and
    /// --holder-pubs with N keys).
    #[arg(long, value_name = "N")]
    pub copies: Option<u32>,
    /// The one-time public keys of the copies (PEM, one after another), from `giayto wallet keys
    /// --out`.
    #[arg(long, value_name = "FILE")]
    pub holder_pubs: Option<PathBuf>,
    /// Instead of issuing the document again, make new one-time copies of the one recorded
    /// under this serial (hex); --data must be its data (the holder ran low on copies).
    #[arg(long, value_name = "SERIAL")]
    pub copies_for: Option<String>,
    /// Also make the same person's code in another format, signed by the same key:
    /// `claim169` (MOSIP ID Claim 169; identity cards only). Printed after the VN1: code;
    /// each --out/--png/--svg file gets a twin named NAME.claim169.EXT.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub also: Vec<super::Also>,
    /// vn1 (the QR credential) or mdoc (an ISO 18013-5 mobile driving licence, gplx only:
    /// needs --device-pub and --out, and the issuer's mdoc-signer key and certificate).
    #[arg(long, value_enum, default_value = "vn1")]
    pub format: IssueFormat,
    /// With --format mdoc: the holder device's P-256 public key (PEM) the mdoc is bound to.
    #[arg(long, value_name = "FILE")]
    pub device_pub: Option<PathBuf>,
    /// With --format mdoc: the holder's portrait (JPEG), written as the portrait element.
    #[arg(long, value_name = "FILE")]
    pub portrait: Option<PathBuf>,
}

/// A field error as the user sees it: the field's name and what is wrong with it (with the
/// numbers and field names the problem's message needs).
pub fn field_failure(e: &FieldError) -> Failure {
    let problem_id = format!("problem-{}", e.kind.code());
    let args: Vec<(&str, String)> = match &e.kind {
        FieldErrorKind::MonthsPaidExceedPeriod { max } => vec![("max", max.to_string())],
        FieldErrorKind::Conflicts { other } | FieldErrorKind::MissingEither { other } => {
            vec![("other", (*other).to_owned())]
        }
        _ => Vec::new(),
    };
    let problem = if has(&problem_id) {
        tr_args(&problem_id, &args)
    } else {
        e.to_string()
    };
    Failure::new("error-field")
        .arg("field", &e.field)
        .arg("problem", problem)
}

/// Parse and validate issuance input.
pub fn document_from_json(
    doc_type: giayto_model::DocType,
    value: &serde_json::Value,
) -> Result<Document, Failure> {
    Document::from_json(doc_type, value).map_err(|e| field_failure(&e))
}

/// Write the `--out`, `--png` and `--svg` files of `text`, all or none: everything is
/// rendered first, then each file is written under a temporary name beside its target, then
/// all are renamed into place; on any failure the temporary files and the files already
/// renamed are removed.
fn write_outputs(
    a: &IssueArgs,
    text: &str,
    sd: Option<Vec<u8>>,
    claim169: Option<&str>,
) -> Result<(), Failure> {
    let render = RenderOptions {
        ecc: EccLevel::Q,
        ..RenderOptions::default()
    };
    // The Claim 169 twins (docs/format.md §16.3) sit beside the VN1: files they copy.
    let twins: Vec<(PathBuf, PathBuf)> = [&a.out, &a.png, &a.svg]
        .into_iter()
        .flatten()
        .map(|p| (p.clone(), claim169_beside(p)))
        .collect();
    let mut files: Vec<(&Path, Vec<u8>)> = Vec::new();
    if let Some(p) = &a.out {
        files.push((p, format!("{text}\n").into_bytes()));
    }
    let mut codes: Vec<(&str, Option<&Path>, Option<&Path>)> =
        vec![(text, a.png.as_deref(), a.svg.as_deref())];
    let twin = |p: &Option<PathBuf>| {
        p.as_ref()
            .and_then(|p| twins.iter().find(|(of, _)| of == p))
            .map(|(_, t)| t.as_path())
    };
    if let Some(c) = claim169 {
        if let Some(t) = twin(&a.out) {
            files.push((t, format!("{c}\n").into_bytes()));
        }
        codes.push((c, twin(&a.png), twin(&a.svg)));
    }
    for (code, png_path, svg_path) in codes {
        if let Some(p) = png_path {
            let png = giayto_qr::render_png(code, &render)
                .map_err(|e| Failure::new("error-qr-render").arg("detail", e))?;
            files.push((p, png));
        }
        if let Some(p) = svg_path {
            let svg = giayto_qr::render_svg(code, &render)
                .map_err(|e| Failure::new("error-qr-render").arg("detail", e))?;
            files.push((p, svg.into_bytes()));
        }
    }
    // The selective-disclosure copy holds every value and salt: owner-only, like a key.
    let private = a.sd_out.as_deref();
    if let (Some(p), Some(bytes)) = (private, sd) {
        files.push((p, bytes));
    }
    let mut staged: Vec<PathBuf> = Vec::new();
    let mut placed: Vec<&Path> = Vec::new();
    let result = (|| {
        for (path, bytes) in &files {
            let tmp = temp_beside(path);
            staged.push(tmp.clone());
            let file = if Some(*path) == private {
                giayto_trust::keys::create_private_file(&tmp).map_err(|e| key_failure(&e))?
            } else {
                std::fs::File::create(&tmp).map_err(|e| io_failure(path, &e))?
            };
            let mut file = file;
            file.write_all(bytes)
                .and_then(|_| file.sync_all())
                .map_err(|e| io_failure(path, &e))?;
        }
        for ((path, _), tmp) in files.iter().zip(&staged) {
            std::fs::rename(tmp, path).map_err(|e| io_failure(path, &e))?;
            placed.push(path);
        }
        Ok(())
    })();
    if result.is_err() {
        for p in staged.iter().map(PathBuf::as_path).chain(placed) {
            let _ = std::fs::remove_file(p);
        }
    }
    result
}

/// The one-time copy options, checked before anything is unlocked: `--copies N` needs
/// `--sd-out` and `--holder-pubs` with N keys; `--copies-for` makes copies only.
fn one_time_keys(a: &IssueArgs, holder: Option<&[u8; 32]>) -> Result<Vec<[u8; 32]>, Failure> {
    let Some(copies) = a.copies else {
        if a.holder_pubs.is_some() || a.copies_for.is_some() {
            return Err(Failure::new("issue-error-keys-need-copies"));
        }
        return Ok(Vec::new());
    };
    let copies = super::copies::check_count(copies)?;
    if a.sd_out.is_none() {
        return Err(Failure::new("issue-error-copies-need-sd-out"));
    }
    let path = a
        .holder_pubs
        .as_ref()
        .ok_or_else(|| Failure::new("issue-error-copies-need-keys"))?;
    if a.copies_for.is_some()
        && (a.holder_pub.is_some()
            || a.out.is_some()
            || a.png.is_some()
            || a.svg.is_some()
            || !a.also.is_empty())
    {
        return Err(Failure::new("issue-error-copies-for-only-copies"));
    }
    super::copies::read_holder_pubs(path, copies, holder)
}

pub fn run(a: IssueArgs, out: Out) -> CmdResult {
    // Everything that can be wrong with the input is checked before the key is unlocked or
    // the registry touched.
    let doc_type = doc_type(&a.doc_type)?;
    let want_claim169 = check_also(&a.also, doc_type)?;
    let meta = giayto_issuer::read_meta(&a.dir).map_err(|e| issuer_failure(&e))?;
    let data = read_json(&a.data)?;
    let document = document_from_json(doc_type, &data)?;
    if a.format == IssueFormat::Mdoc {
        return super::mdoc::issue(&a, &document, out);
    }
    if a.device_pub.is_some() || a.portrait.is_some() {
        return Err(Failure::new("error-mdoc-only-options"));
    }
    // A book's summary may not be dated after today (docs/format.md §4.6); the issuer
    // library checks it too, but only after the key is unlocked.
    if let Some(day) = giayto_model::date::vietnam_date(now()) {
        document
            .check_signed_on(day)
            .map_err(|e| field_failure(&e))?;
    }
    let holder_key = match &a.holder_pub {
        Some(p) => Some(
            keys::read_public_key(p)
                .map_err(|e| key_failure(&e))?
                .to_bytes(),
        ),
        None => None,
    };
    let copy_keys = one_time_keys(&a, holder_key.as_ref())?;
    let copies_for = a
        .copies_for
        .as_deref()
        .map(super::status::parse_serial)
        .transpose()?;
    if a.sd_out.is_some() && holder_key.is_none() && copies_for.is_none() {
        return Err(Failure::new("issue-error-sd-needs-holder"));
    }
    for p in [&a.out, &a.png, &a.svg, &a.sd_out].into_iter().flatten() {
        check_parent(p)?;
    }
    if want_claim169 {
        // A twin may not overwrite another output of this run.
        let named: Vec<&PathBuf> = [&a.out, &a.png, &a.svg, &a.sd_out]
            .into_iter()
            .flatten()
            .collect();
        for p in [&a.out, &a.png, &a.svg].into_iter().flatten() {
            let twin = claim169_beside(p);
            if named.iter().any(|n| **n == twin) {
                return Err(Failure::new("error-claim169-clash").arg("path", twin.display()));
            }
        }
    }
    let pass = secrets::existing_key(&meta.id, &a.dir.join(giayto_issuer::dir::KEY_FILE))?;
    let mut issuer = Issuer::open(&a.dir, &pass).map_err(|e| issuer_failure(&e))?;
    if let Some(of) = copies_for {
        return new_copies(&a, &mut issuer, &document, &of, &copy_keys, out);
    }
    let options = IssueOptions {
        valid_days: a.valid_days.max(1),
        holder_key,
        assurance_level: a.level,
        one_time_keys: copy_keys,
    };
    let issued = issuer
        .issue(&document, &options, now())
        .map_err(|e| issuer_failure(&e))?;
    // The credential is recorded; it counts as issued only once its files are written. If
    // any output cannot be made or written, none is left behind and the registry row is
    // taken back (with its one-time copies' rows), so the registry never holds a credential
    // nobody received.
    // The selective-disclosure form shares the full credential's serial and status entry
    // (docs/decisions.md D98): one registry row, revoked or suspended together. One-time
    // copies have rows of their own, linked to the document's (D110, D111).
    let sd = match &a.sd_out {
        Some(_) if !issued.copies.is_empty() => Ok(Some(giayto_cose::copies::encode_one_time(
            &issued
                .copies
                .iter()
                .map(|c| c.copy.clone())
                .collect::<Vec<_>>(),
        ))),
        Some(_) => issuer
            .sign_sd(&document, &issued)
            .map(|copy| Some(copy.to_bytes()))
            .map_err(|e| issuer_failure(&e)),
        None => Ok(None),
    };
    // The Claim 169 code of the same person (docs/format.md §16), signed by the same key.
    let claim169 = if want_claim169 {
        issuer
            .sign_claim169(&document, &issued)
            .map(Some)
            .map_err(|e| Failure::new("error-claim169-sign").arg("detail", e))
    } else {
        Ok(None)
    };
    let written = sd.and_then(|sd| {
        let claim169 = claim169?;
        write_outputs(&a, &issued.text, sd, claim169.as_deref()).map(|()| claim169)
    });
    let claim169 = match written {
        Ok(c) => c,
        Err(failure) => {
            if let Err(e) = issuer.withdraw(&issued.serial) {
                crate::errln!("{}: {}", tr("error-prefix"), issuer_failure(&e).message());
            }
            return Err(failure);
        }
    };
    let serial = giayto_verify::hex_lower(&issued.serial);
    if out.json {
        print_json(&json!({
            "serial": serial,
            "doc_type": doc_type.as_str(),
            "issuer": meta.id,
            "expires_at": rfc3339(issued.expires_at),
            "text": issued.text,
            "qr_version": giayto_qr::qr_version(&issued.text, EccLevel::Q).ok(),
            "sd_out": a.sd_out.as_ref().map(|p| p.display().to_string()),
            "copies": issued.copies.len(),
            "claim169": claim169.as_ref().map(|c| json!({
                "text": c,
                "chars": c.len(),
                "qr_version": giayto_qr::qr_version(c, EccLevel::Q).ok(),
            })),
        }));
    } else {
        crate::outln!("{}", issued.text);
        if let Some(c) = &claim169 {
            crate::outln!("{c}");
        }
        crate::errln!(
            "{}",
            tr_args(
                "issue-done",
                &[
                    ("doctype", tr(&format!("doc-{}", doc_type.as_str()))),
                    ("serial", serial),
                    ("chars", issued.text.len().to_string()),
                ]
            )
        );
        if let Some(c) = &claim169 {
            crate::errln!(
                "{}",
                tr_args("issue-claim169-done", &[("chars", c.len().to_string())])
            );
        }
        match &a.sd_out {
            Some(p) if !issued.copies.is_empty() => copies_done(p, issued.copies.len()),
            Some(p) => crate::errln!(
                "{}",
                tr_args("issue-sd-done", &[("path", p.display().to_string())])
            ),
            None => {}
        }
    }
    Ok(EXIT_OK)
}

fn copies_done(path: &Path, count: usize) {
    crate::errln!(
        "{}",
        tr_args(
            "issue-copies-done",
            &[
                ("path", path.display().to_string()),
                ("count", count.to_string())
            ]
        )
    );
}

/// `--copies-for SERIAL`: new one-time copies of a recorded document, written to `--sd-out`;
/// if the file cannot be written, the copies' rows are taken back.
fn new_copies(
    a: &IssueArgs,
    issuer: &mut Issuer,
    document: &Document,
    of: &[u8],
    keys: &[[u8; 32]],
    out: Out,
) -> CmdResult {
    let copies = issuer
        .issue_copies(document, of, keys, now())
        .map_err(|e| issuer_failure(&e))?;
    let bytes = giayto_cose::copies::encode_one_time(
        &copies.iter().map(|c| c.copy.clone()).collect::<Vec<_>>(),
    );
    if let Err(failure) = write_outputs(a, "", Some(bytes), None) {
        for c in &copies {
            if let Err(e) = issuer.withdraw(&c.serial) {
                crate::errln!("{}: {}", tr("error-prefix"), issuer_failure(&e).message());
            }
        }
        return Err(failure);
    }
    let path = a.sd_out.clone().unwrap_or_default();
    if out.json {
        print_json(&json!({
            "copies_for": giayto_verify::hex_lower(of),
            "copies": copies.len(),
            "sd_out": path.display().to_string(),
        }));
    } else {
        copies_done(&path, copies.len());
    }
    Ok(EXIT_OK)
}
