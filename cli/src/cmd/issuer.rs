//! `giayto issuer …`: an issuing authority's directory.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use giayto_issuer::registry::RegistryError;
use giayto_issuer::{IssuerError, IssuerMeta};
use giayto_trust::keys;
use serde_json::json;

use super::print_json;
use super::root::check_id;
use crate::failure::{io_failure, CmdResult, Failure, EXIT_OK};
use crate::i18n::tr_args;
use crate::input::{now, rfc3339};
use crate::secrets::{self, key_failure};
use crate::Out;

#[derive(Subcommand, Debug)]
pub enum IssuerCommand {
    /// Create an issuer: ISS/issuer.key (encrypted), ISS/issuer.pub, ISS/registry.sqlite.
    Init(InitArgs),
    /// Make a new key pair for a key rotation: the old ISS/issuer.key and ISS/issuer.pub are
    /// kept under dated names, the new ones take their place (no key file is overwritten).
    RotateKey(RotateKeyArgs),
    /// Make the P-256 document-signer key for ISO 18013-5 mobile driving licences:
    /// ISS/mdoc-signer.key (sealed with the issuer's passphrase) and ISS/mdoc-signer.pub.pem,
    /// for the root authority to certify into ISS/mdoc-signer-cert.pem.
    MdocKey(super::mdoc::MdocKeyArgs),
}

#[derive(Args, Debug)]
pub struct RotateKeyArgs {
    /// The issuer's folder.
    #[arg(long)]
    pub dir: PathBuf,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// Folder for the issuer's files.
    #[arg(long)]
    pub dir: PathBuf,
    /// Issuer id, e.g. VN.BCA.C06.
    #[arg(long)]
    pub id: String,
    /// Name in Vietnamese.
    #[arg(long)]
    pub name: String,
    /// Name in English.
    #[arg(long)]
    pub name_en: Option<String>,
    /// Start of this issuer's status list uris (default `https://giayto.example/st/ID/`).
    #[arg(long)]
    pub status_uri_prefix: Option<String>,
    /// Entries per status list (default 1048576; at least 131072, a multiple of 4).
    #[arg(long)]
    pub list_size: Option<u64>,
    /// Keep the registry in PostgreSQL at this connection string instead of
    /// ISS/registry.sqlite (GIAYTO_REGISTRY_URL overrides it, to keep passwords out of files).
    #[arg(long)]
    pub registry_url: Option<String>,
}

/// An issuer error as the user sees it.
pub fn issuer_failure(e: &IssuerError) -> Failure {
    match e {
        IssuerError::Key(k) => key_failure(k),
        IssuerError::Io { path, source } => io_failure(path, source),
        IssuerError::AlreadyInitialised { dir } => {
            Failure::new("error-already-initialised").arg("path", dir.display())
        }
        IssuerError::NotAnIssuer { dir } => {
            Failure::new("error-not-issuer").arg("path", dir.display())
        }
        IssuerError::BadId { id } => Failure::new("error-bad-id").arg("value", id),
        IssuerError::DocumentExpired => Failure::new("error-document-expired"),
        IssuerError::Field { error, .. } => super::issue::field_failure(error),
        IssuerError::Registry(r) => registry_failure(r),
        IssuerError::PostgresNotBuilt => Failure::new("error-postgres-not-built"),
        IssuerError::NotHolderBound => Failure::new("issue-error-sd-needs-holder"),
        IssuerError::RepeatedHolderKey => Failure::new("error-repeated-holder-key"),
        IssuerError::TooManyCopies { asked } => Failure::new("issue-error-copies-range")
            .arg("value", asked)
            .arg("max", giayto_cose::copies::MAX_COPIES),
        IssuerError::DocumentMismatch => Failure::new("error-document-mismatch"),
        _ => Failure::new("error-sign"),
    }
}

/// A registry error as the user sees it.
pub fn registry_failure(e: &RegistryError) -> Failure {
    let hex = giayto_verify::hex_lower;
    match e {
        RegistryError::UnknownSerial(s) => {
            Failure::new("error-unknown-serial").arg("serial", hex(s))
        }
        RegistryError::UnknownHolder(h) => Failure::new("error-unknown-holder").arg("id", h),
        RegistryError::NoStatusEntry(s) => {
            Failure::new("error-no-status-entry").arg("serial", hex(s))
        }
        RegistryError::Transition {
            serial,
            from,
            action,
        } => Failure::new("error-status-transition")
            .arg("serial", hex(serial))
            .arg(
                "status",
                crate::i18n::tr(&format!("status-{}", from.as_str())),
            )
            .arg(
                "action",
                crate::i18n::tr(&format!("action-{}", action.as_str())),
            ),
        RegistryError::MissingReason => Failure::new("error-reason-missing"),
        RegistryError::HoldEndsInPast { until, .. } => {
            Failure::new("error-hold-until-past").arg("until", crate::input::human_time(*until))
        }
        RegistryError::ListSize { size } => Failure::new("error-list-size").arg("size", size),
        RegistryError::Missing { location } => {
            Failure::new("error-registry-missing").arg("path", location)
        }
        RegistryError::Empty { location } => {
            Failure::new("error-registry-empty").arg("path", location)
        }
        RegistryError::NotADocument(s) => {
            Failure::new("error-not-a-document").arg("serial", hex(s))
        }
        RegistryError::DocumentNotValid { serial, status } => {
            Failure::new("error-document-not-valid")
                .arg("serial", hex(serial))
                .arg(
                    "status",
                    crate::i18n::tr(&format!("status-{}", status.as_str())),
                )
        }
        r => Failure::new("error-registry").arg("detail", r),
    }
}

pub fn run(cmd: IssuerCommand, out: Out) -> CmdResult {
    match cmd {
        IssuerCommand::Init(a) => init(&a, out),
        IssuerCommand::RotateKey(a) => rotate_key(&a, out),
        IssuerCommand::MdocKey(a) => super::mdoc::mdoc_key(&a, out),
    }
}

/// `issuer-retired-YYYY-MM-DD-KID.key` and `.pub`: where a rotation keeps the old key pair.
fn retired_names(dir: &std::path::Path, date: &str, kid: &str) -> (PathBuf, PathBuf) {
    let stem = format!("issuer-retired-{date}-{kid}");
    (
        dir.join(format!("{stem}.key")),
        dir.join(format!("{stem}.pub")),
    )
}

fn rotate_key(a: &RotateKeyArgs, out: Out) -> CmdResult {
    let meta = giayto_issuer::read_meta(&a.dir).map_err(|e| issuer_failure(&e))?;
    let key_path = a.dir.join(giayto_issuer::dir::KEY_FILE);
    let pub_path = a.dir.join(giayto_issuer::dir::PUB_FILE);
    let old_pub = keys::read_public_key(&pub_path).map_err(|e| key_failure(&e))?;
    let old_kid = giayto_verify::hex_lower(&giayto_cose::kid_for(old_pub.as_bytes()));
    let stamp = rfc3339(now());
    let date = stamp.get(..10).unwrap_or("undated");
    let (retired_key, retired_pub) = retired_names(&a.dir, date, &old_kid);
    // The new key is sealed with the issuer's present passphrase, which must open the old one.
    let pass = secrets::existing_key("issuer", &key_path)?;
    let (_, new) = keys::rotate_key_pair(
        &key_path,
        &pub_path,
        &retired_key,
        &retired_pub,
        &pass,
        secrets::kdf_cost(),
    )
    .map_err(|e| key_failure(&e))?;
    let kid = giayto_verify::hex_lower(&giayto_cose::kid_for(new.verifying_key().as_bytes()));
    if out.json {
        print_json(&json!({
            "id": meta.id,
            "kid": kid,
            "old_kid": old_kid,
            "public_key_file": pub_path,
            "retired_key_file": retired_key,
            "retired_public_key_file": retired_pub,
        }));
    } else {
        crate::outln!(
            "{}",
            tr_args(
                "issuer-key-rotated",
                &[
                    ("path", a.dir.display().to_string()),
                    ("kid", kid),
                    ("old_key", retired_key.display().to_string()),
                    ("old_pub", retired_pub.display().to_string()),
                    ("id", meta.id.clone()),
                    ("pub", pub_path.display().to_string()),
                ]
            )
        );
    }
    Ok(EXIT_OK)
}

fn init(a: &InitArgs, out: Out) -> CmdResult {
    check_id(&a.id)?;
    let name = a.name.trim();
    if name.is_empty() {
        return Err(Failure::new("error-issuer-name-missing").arg("id", &a.id));
    }
    if a.dir.join(giayto_issuer::dir::META_FILE).exists()
        || a.dir.join(giayto_issuer::dir::KEY_FILE).exists()
    {
        return Err(Failure::new("error-already-initialised").arg("path", a.dir.display()));
    }
    let meta = IssuerMeta {
        id: a.id.clone(),
        name_vi: name.to_owned(),
        name_en: a.name_en.as_ref().map(|n| n.trim().to_owned()),
        status_uri_prefix: a.status_uri_prefix.clone(),
        list_size: a.list_size,
        registry_url: a.registry_url.clone(),
    };
    let pass = secrets::new("issuer")?;
    giayto_issuer::init(&a.dir, &meta, &pass, secrets::kdf_cost())
        .map_err(|e| issuer_failure(&e))?;
    let pub_path = a.dir.join(giayto_issuer::dir::PUB_FILE);
    if out.json {
        print_json(&json!({
            "id": meta.id,
            "public_key_file": pub_path,
            "registry": a.dir.join(giayto_issuer::dir::REGISTRY_FILE),
        }));
    } else {
        crate::outln!(
            "{}",
            tr_args(
                "issuer-created",
                &[
                    ("id", meta.id.clone()),
                    ("path", a.dir.display().to_string()),
                    ("pub", pub_path.display().to_string()),
                ]
            )
        );
    }
    Ok(EXIT_OK)
}
