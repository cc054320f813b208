//! The subcommands.

pub mod answer;
pub mod batch;
pub mod cccd;
pub mod copies;
pub mod delta;
pub mod demo;
pub mod issue;
pub mod issuer;
pub mod mdoc;
pub mod prefill;
pub mod qr;
pub mod request;
pub mod root;
pub mod status;
pub mod verify;
pub mod wallet;
pub mod x509;

use std::path::Path;

use giayto_model::DocType;

use crate::failure::{io_failure, Failure};

/// Parse a document type name.
/// Another format written beside a credential (`issue --also`, `issue-batch --also`).
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Also {
    /// A MOSIP ID Claim 169 QR code of the same person (identity cards only; docs/format.md
    /// §16).
    Claim169,
}

/// `--also claim169` is for identity cards only (docs/format.md §16.2): checked before any
/// key is unlocked.
pub fn check_also(also: &[Also], doc_type: DocType) -> Result<bool, Failure> {
    let claim169 = also.contains(&Also::Claim169);
    if claim169 && doc_type != DocType::Cccd {
        return Err(Failure::new("error-claim169-type").arg("doctype", doc_type.as_str()));
    }
    Ok(claim169)
}

/// The file beside `path` that holds its Claim 169 form: `cccd.png` → `cccd.claim169.png`,
/// `code` → `code.claim169`.
pub fn claim169_beside(path: &Path) -> std::path::PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let new = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}.claim169.{ext}"),
        _ => format!("{name}.claim169"),
    };
    path.with_file_name(new)
}

pub fn doc_type(name: &str) -> Result<DocType, Failure> {
    DocType::from_name(name.trim())
        .ok_or_else(|| Failure::new("error-bad-doc-type").arg("value", name))
}

/// A temporary name in the folder of `path`: `.NAME.tmpPID`.
pub fn temp_beside(path: &Path) -> std::path::PathBuf {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.join(format!(".{name}.tmp{}", std::process::id()))
}

/// Write a file atomically: a temporary file beside it, synced, then renamed over.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    use std::io::Write;
    let tmp = temp_beside(path);
    let result = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|_| f.sync_all()))
        .and_then(|_| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_failure(path, &e));
    }
    Ok(())
}

/// Fail early if a file cannot be created at `path` because its folder is missing.
pub fn check_parent(path: &Path) -> Result<(), Failure> {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() && !p.is_dir() => Err(io_failure(
            path,
            &std::io::Error::from(std::io::ErrorKind::NotFound),
        )),
        _ => Ok(()),
    }
}

/// Print a JSON value on stdout.
pub fn print_json(v: &serde_json::Value) {
    crate::outln!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}
