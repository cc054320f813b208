//! `giayto root …`: the root authority, a thin layer over [`giayto_trust::authority`], which
//! holds every rule (ids, issuers, rotation, sequence numbers) and reads and writes the folder.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use giayto_trust::authority::{self, AuthorisedKey, AuthorityError, NewIssuer, RootState};
use giayto_trust::{keys, TrustList};
use serde_json::json;

use super::{doc_type, print_json, write_atomic};
use crate::failure::{io_failure, CmdResult, Failure, EXIT_OK};
use crate::i18n::tr_args;
use crate::input::{now, rfc3339};
use crate::secrets::{self, key_failure};
use crate::Out;

pub use giayto_trust::authority::{KEY_FILE, PUB_FILE, STATE_FILE};

#[derive(Subcommand, Debug)]
pub enum RootCommand {
    /// Create a root authority: ROOT/root.key (encrypted) and ROOT/root.pub.
    Init(InitArgs),
    /// Add (or update) an issuer key in the root's list.
    AddIssuer(AddIssuerArgs),
    /// Remove an issuer's keys (all of them, or one by kid) from the root's list: after the
    /// next signed trust list, verifiers reject everything those keys signed (a stolen key).
    RemoveIssuer(RemoveIssuerArgs),
    /// Rotate an issuer to a new key with an overlap: the new key is trusted at once, the old
    /// one only for credentials signed until --old-until.
    RotateIssuer(RotateIssuerArgs),
    /// Sign the trust list of all added issuers.
    SignTrustList(SignArgs),
    /// Certify an issuer's key with the root's CA (from `root init --x509`): writes
    /// ISSUER/issuer-cert.pem, or with --mdoc-signer ISSUER/mdoc-signer-cert.pem
    /// (docs/format.md §18).
    CertifyIssuer(super::x509::CertifyIssuerArgs),
}

#[derive(Args, Debug)]
pub struct RotateIssuerArgs {
    /// The root folder.
    #[arg(long)]
    pub dir: PathBuf,
    /// The issuer id.
    #[arg(long)]
    pub id: String,
    /// The issuer's new public key file (from `giayto issuer rotate-key`).
    #[arg(long)]
    pub issuer_pub: PathBuf,
    /// Until when the old key may still sign: YYYY-MM-DD (its first moment, Vietnam time) or
    /// RFC 3339. In the future, and no later than the old key's own end.
    #[arg(long)]
    pub old_until: String,
    /// Days the new key stays valid for signing.
    #[arg(long, default_value_t = 1825)]
    pub valid_days: u32,
}

#[derive(Args, Debug)]
pub struct RemoveIssuerArgs {
    /// The root folder.
    #[arg(long)]
    pub dir: PathBuf,
    /// The issuer id.
    #[arg(long)]
    pub id: String,
    /// Only the key with this kid (16 hex digits), e.g. after a key rotation.
    #[arg(long)]
    pub kid: Option<String>,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// Folder for the root's files.
    #[arg(long)]
    pub dir: PathBuf,
    /// The root's id, written into trust lists.
    #[arg(long, default_value = "VN.ROOT")]
    pub id: String,
    /// Also make a national CA (test) beside the root: ROOT/ca.key (encrypted with the same
    /// passphrase) and its self-signed certificate ROOT/ca.pem, for `root certify-issuer`
    /// (docs/format.md §18). On an existing root folder, adds the CA only.
    #[arg(long)]
    pub x509: bool,
    /// The CA's name (certificate common name), with --x509.
    #[arg(long, requires = "x509", default_value = super::x509::DEFAULT_CA_NAME)]
    pub ca_name: String,
    /// Days the CA certificate stays valid, with --x509.
    #[arg(long, requires = "x509", default_value_t = 3650,
          value_parser = clap::value_parser!(u32).range(1..=10950))]
    pub ca_days: u32,
    /// The CA's URL, written in its certificates as the issuer alternative name (ISO 18013-5
    /// Annex B asks for one), with --x509. The default names nothing real: a test CA.
    #[arg(long, requires = "x509", default_value = giayto_x509::ca::DEFAULT_CA_URL)]
    pub ca_url: String,
    /// Where the CA publishes its certificate revocation list, written in its certificates
    /// (CRL distribution point), with --x509; default: the CA's URL + `ca.crl`. giayto does
    /// not make CRLs.
    #[arg(long, requires = "x509")]
    pub crl_url: Option<String>,
}

#[derive(Args, Debug)]
pub struct AddIssuerArgs {
    /// The root folder.
    #[arg(long)]
    pub dir: PathBuf,
    /// The issuer's public key file (ISS/issuer.pub).
    #[arg(long)]
    pub issuer_pub: PathBuf,
    /// The issuer id (must match the issuer's credentials).
    #[arg(long)]
    pub id: String,
    /// Document types it may issue: cccd,gplx,vehicle,bhyt,bhxh.
    #[arg(long, value_delimiter = ',', required = true)]
    pub doc_types: Vec<String>,
    /// Days the key stays valid for signing.
    #[arg(long, default_value_t = 1825)]
    pub valid_days: u32,
    /// Vietnamese name (default: from issuer.json beside the key).
    #[arg(long)]
    pub name: Option<String>,
    /// English name (default: from issuer.json beside the key).
    #[arg(long)]
    pub name_en: Option<String>,
    /// Status list uris of this issuer must start with this (default: from issuer.json beside
    /// the key, else `https://giayto.example/st/ID/`).
    #[arg(long)]
    pub status_uri_prefix: Option<String>,
}

#[derive(Args, Debug)]
pub struct SignArgs {
    /// The root folder.
    #[arg(long)]
    pub dir: PathBuf,
    /// Where to write the signed trust list.
    #[arg(long)]
    pub out: PathBuf,
    /// Days until the next update is due.
    #[arg(long, default_value_t = 30)]
    pub valid_days: u32,
}

/// A root authority error as the user sees it.
pub fn authority_failure(e: &AuthorityError) -> Failure {
    let hex = |k: &[u8; 8]| giayto_verify::hex_lower(k);
    match e {
        AuthorityError::NotARoot { dir } => {
            Failure::new("error-not-root").arg("path", dir.display())
        }
        AuthorityError::AlreadyInitialised { dir } => {
            Failure::new("error-already-initialised").arg("path", dir.display())
        }
        AuthorityError::Corrupt { path, what } => Failure::new("error-root-state-corrupt")
            .arg("path", path.display())
            .arg("detail", what),
        AuthorityError::Io { path, source } => io_failure(path, source),
        AuthorityError::Key(k) => key_failure(k),
        AuthorityError::BadId { id } => Failure::new("error-bad-id").arg("value", id),
        AuthorityError::BadName { id } => Failure::new("error-issuer-name-invalid").arg("id", id),
        AuthorityError::BadStatusPrefix { id } => {
            Failure::new("error-status-prefix-invalid").arg("id", id)
        }
        AuthorityError::NoDocTypes { id } => Failure::new("error-no-doc-types").arg("id", id),
        AuthorityError::KeyPresent { kid, id } => Failure::new("error-key-already-trusted")
            .arg("kid", hex(kid))
            .arg("id", id),
        AuthorityError::UnknownIssuer { id, kid: None } => {
            Failure::new("error-issuer-unknown-to-root").arg("id", id)
        }
        AuthorityError::UnknownIssuer { id, kid: Some(k) } => {
            Failure::new("error-issuer-not-in-root")
                .arg("id", id)
                .arg("kid", hex(k))
        }
        AuthorityError::NoCurrentKey { id } => Failure::new("error-no-current-key").arg("id", id),
        AuthorityError::OverlapInPast { until, .. } => {
            Failure::new("error-overlap-in-past").arg("until", rfc3339(*until))
        }
        AuthorityError::OverlapBeyondKey {
            until,
            kid,
            not_after,
        } => Failure::new("error-overlap-beyond-key")
            .arg("until", rfc3339(*until))
            .arg("kid", hex(kid))
            .arg("not_after", rfc3339(*not_after)),
        AuthorityError::NewKeyEndsFirst { not_after, until } => {
            Failure::new("error-new-key-ends-first")
                .arg("not_after", rfc3339(*not_after))
                .arg("until", rfc3339(*until))
        }
        AuthorityError::TooManyIssuers => Failure::new("error-too-many-issuers"),
        AuthorityError::TooManyWithdrawn => Failure::new("error-too-many-withdrawn"),
        AuthorityError::SequenceExhausted => Failure::new("error-sequence-exhausted"),
        _ => Failure::new("error-sign"),
    }
}

/// Check an issuer or root id against the rule of [`giayto_trust::is_valid_id`].
pub fn check_id(id: &str) -> Result<(), Failure> {
    authority::check_id(id).map_err(|e| authority_failure(&e))
}

/// Parse a date for `--old-until`: `YYYY-MM-DD` (00:00 that day, Vietnam time) or RFC 3339.
pub fn parse_date(s: &str) -> Result<i64, Failure> {
    let s = s.trim();
    let bad = || Failure::new("error-bad-date").arg("value", s);
    if let Ok(t) = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
        return Ok(t.unix_timestamp());
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(s, &format).map_err(|_| bad())?;
    let offset = time::UtcOffset::from_whole_seconds(7 * 3600).map_err(|_| bad())?;
    Ok(date
        .with_time(time::Time::MIDNIGHT)
        .assume_offset(offset)
        .unix_timestamp())
}

fn kid_hex(k: &AuthorisedKey) -> String {
    giayto_verify::hex_lower(&k.kid())
}

fn type_names(k: &AuthorisedKey) -> Vec<&'static str> {
    k.doc_types.iter().map(|t| t.as_str()).collect()
}

pub fn run(cmd: RootCommand, out: Out) -> CmdResult {
    match cmd {
        RootCommand::Init(a) => init(&a, out),
        RootCommand::AddIssuer(a) => add_issuer(&a, out),
        RootCommand::RemoveIssuer(a) => remove_issuer(&a, out),
        RootCommand::RotateIssuer(a) => rotate_issuer(&a, out),
        RootCommand::SignTrustList(a) => sign(&a, out),
        RootCommand::CertifyIssuer(a) => super::x509::certify_issuer(&a, out),
    }
}

fn remove_issuer(a: &RemoveIssuerArgs, out: Out) -> CmdResult {
    check_id(&a.id)?;
    let kid = match a.kid.as_deref() {
        None => None,
        Some(k) => Some(
            hex::decode(k.trim())
                .ok()
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .ok_or_else(|| {
                    Failure::new("error-issuer-not-in-root")
                        .arg("id", &a.id)
                        .arg("kid", k)
                })?,
        ),
    };
    let removed = authority::update(&a.dir, |s| s.remove_issuer(&a.id, kid))
        .map_err(|e| authority_failure(&e))?;
    let removed: Vec<String> = removed
        .iter()
        .map(|k| giayto_verify::hex_lower(k))
        .collect();
    if out.json {
        print_json(&json!({"id": a.id, "removed_kids": removed}));
    } else {
        crate::outln!(
            "{}",
            tr_args(
                "root-issuer-removed",
                &[("id", a.id.clone()), ("kids", removed.join(", "))]
            )
        );
        crate::outln!("{}", tr_args("root-sign-reminder", &[]));
    }
    Ok(EXIT_OK)
}

/// Create the root's files with the given passphrase.
pub fn create(
    dir: &Path,
    id: &str,
    passphrase: &giayto_trust::SecretString,
    cost: keys::KdfCost,
) -> Result<ed25519_dalek::SigningKey, Failure> {
    authority::init(dir, id, passphrase, cost).map_err(|e| authority_failure(&e))
}

fn init(a: &InitArgs, out: Out) -> CmdResult {
    check_id(&a.id)?;
    let urls = super::x509::ca_urls(a)?;
    if a.x509 && a.dir.join(STATE_FILE).exists() {
        return add_ca(a, &urls, out);
    }
    if [KEY_FILE, PUB_FILE, STATE_FILE]
        .iter()
        .any(|f| a.dir.join(f).exists())
    {
        return Err(Failure::new("error-already-initialised").arg("path", a.dir.display()));
    }
    let pass = secrets::new("root")?;
    let key = create(&a.dir, &a.id, &pass, secrets::kdf_cost())?;
    let kid = giayto_verify::hex_lower(&giayto_cose::kid_for(&key.verifying_key().to_bytes()));
    let ca = if a.x509 {
        let ca = super::x509::create_ca(
            &a.dir,
            &a.ca_name,
            a.ca_days,
            &urls,
            &pass,
            secrets::kdf_cost(),
            now(),
        )?;
        Some(ca)
    } else {
        None
    };
    if out.json {
        let mut v = json!({
            "root_id": a.id,
            "kid": kid,
            "public_key_file": a.dir.join(PUB_FILE),
            "secret_key_file": a.dir.join(KEY_FILE),
        });
        if let (Some(ca), Some(obj)) = (&ca, v.as_object_mut()) {
            obj.insert("ca".into(), super::x509::report_ca(&a.dir, ca, out)?);
        }
        print_json(&v);
    } else {
        crate::outln!(
            "{}",
            tr_args(
                "root-created",
                &[
                    ("path", a.dir.display().to_string()),
                    ("kid", kid),
                    ("pub", a.dir.join(PUB_FILE).display().to_string()),
                ]
            )
        );
        if let Some(ca) = &ca {
            super::x509::report_ca(&a.dir, ca, out)?;
        }
    }
    Ok(EXIT_OK)
}

/// `root init --x509` on an existing root folder: the CA only, under the root's passphrase
/// (checked by opening the root key first).
fn add_ca(a: &InitArgs, urls: &giayto_x509::ca::CaUrls, out: Out) -> CmdResult {
    let state = RootState::load(&a.dir).map_err(|e| authority_failure(&e))?;
    let pass = secrets::existing_key("root", &a.dir.join(KEY_FILE))?;
    authority::open_key(&a.dir, &pass).map_err(|e| authority_failure(&e))?;
    let ca = super::x509::create_ca(
        &a.dir,
        &a.ca_name,
        a.ca_days,
        urls,
        &pass,
        secrets::kdf_cost(),
        now(),
    )?;
    let report = super::x509::report_ca(&a.dir, &ca, out)?;
    if out.json {
        print_json(&json!({"root_id": state.id(), "ca": report}));
    }
    Ok(EXIT_OK)
}

/// Add or update an issuer in the root's state; the entry and whether it was an update.
#[allow(clippy::too_many_arguments)]
pub fn add(
    dir: &Path,
    issuer_pub: &Path,
    id: &str,
    doc_types: &[String],
    valid_days: u32,
    name: Option<&str>,
    name_en: Option<&str>,
    status_uri_prefix: Option<&str>,
    now: i64,
) -> Result<(AuthorisedKey, bool), Failure> {
    check_id(id)?;
    RootState::load(dir).map_err(|e| authority_failure(&e))?;
    let key = keys::read_public_key(issuer_pub).map_err(|e| key_failure(&e))?;
    let doc_types = doc_types
        .iter()
        .map(|t| doc_type(t))
        .collect::<Result<Vec<_>, _>>()?;
    // Names and the status prefix default to the issuer's own issuer.json beside the key.
    let meta = issuer_pub
        .parent()
        .and_then(|p| giayto_issuer::read_meta(p).ok())
        .filter(|m| m.id == id);
    let name_vi = name
        .map(str::to_owned)
        .or_else(|| meta.as_ref().map(|m| m.name_vi.clone()))
        .ok_or_else(|| Failure::new("error-issuer-name-missing").arg("id", id))?;
    let new = NewIssuer {
        id: id.to_owned(),
        name_vi,
        name_en: name_en
            .map(str::to_owned)
            .or_else(|| meta.as_ref().and_then(|m| m.name_en.clone())),
        public_key: key.to_bytes(),
        doc_types,
        valid_days,
        status_uri_prefix: Some(
            status_uri_prefix
                .map(str::to_owned)
                .or_else(|| meta.as_ref().map(|m| m.status_prefix()))
                .unwrap_or_else(|| giayto_issuer::default_status_uri_prefix(id)),
        ),
    };
    let added =
        authority::update(dir, |s| s.add_issuer(new, now)).map_err(|e| authority_failure(&e))?;
    Ok((added.key, added.updated))
}

fn add_issuer(a: &AddIssuerArgs, out: Out) -> CmdResult {
    let (entry, updated) = add(
        &a.dir,
        &a.issuer_pub,
        &a.id,
        &a.doc_types,
        a.valid_days,
        a.name.as_deref(),
        a.name_en.as_deref(),
        a.status_uri_prefix.as_deref(),
        now(),
    )?;
    let kid = kid_hex(&entry);
    if out.json {
        print_json(&json!({
            "id": entry.id,
            "kid": kid,
            "doc_types": type_names(&entry),
            "not_after": rfc3339(entry.not_after),
            "updated": updated,
        }));
    } else {
        crate::outln!(
            "{}",
            tr_args(
                if updated {
                    "root-issuer-updated"
                } else {
                    "root-issuer-added"
                },
                &[
                    ("id", entry.id.clone()),
                    ("kid", kid),
                    ("types", type_names(&entry).join(", ")),
                ]
            )
        );
        crate::outln!("{}", tr_args("root-sign-reminder", &[]));
    }
    Ok(EXIT_OK)
}

fn rotate_issuer(a: &RotateIssuerArgs, out: Out) -> CmdResult {
    check_id(&a.id)?;
    let until = parse_date(&a.old_until)?;
    RootState::load(&a.dir).map_err(|e| authority_failure(&e))?;
    let key = keys::read_public_key(&a.issuer_pub).map_err(|e| key_failure(&e))?;
    let t = now();
    let rotation = authority::update(&a.dir, |s| {
        s.rotate_issuer(&a.id, key.to_bytes(), until, a.valid_days, t)
    })
    .map_err(|e| authority_failure(&e))?;
    let new = &rotation.new_key;
    let old: Vec<String> = rotation
        .shortened
        .iter()
        .map(|(k, _)| giayto_verify::hex_lower(k))
        .collect();
    if out.json {
        print_json(&json!({
            "id": new.id,
            "kid": kid_hex(new),
            "doc_types": type_names(new),
            "not_before": rfc3339(new.not_before),
            "not_after": rfc3339(new.not_after),
            "old_kids": old,
            "old_until": rfc3339(until),
        }));
    } else {
        crate::outln!(
            "{}",
            tr_args(
                "root-issuer-rotated",
                &[
                    ("id", new.id.clone()),
                    ("kid", kid_hex(new)),
                    ("types", type_names(new).join(", ")),
                    ("old", old.join(", ")),
                    ("until", crate::input::human_time(until)),
                ]
            )
        );
        crate::outln!("{}", tr_args("root-sign-reminder", &[]));
    }
    Ok(EXIT_OK)
}

/// Build and sign the next trust list; returns its bytes and the list.
pub fn sign_list(
    dir: &Path,
    root: &ed25519_dalek::SigningKey,
    valid_days: u32,
    now: i64,
) -> Result<(Vec<u8>, TrustList), Failure> {
    authority::sign_trust_list(dir, root, valid_days, now).map_err(|e| authority_failure(&e))
}

fn sign(a: &SignArgs, out: Out) -> CmdResult {
    RootState::load(&a.dir).map_err(|e| authority_failure(&e))?;
    super::check_parent(&a.out)?;
    let pass = secrets::existing_key("root", &a.dir.join(KEY_FILE))?;
    let key = authority::open_key(&a.dir, &pass).map_err(|e| authority_failure(&e))?;
    let (bytes, list) = sign_list(&a.dir, &key, a.valid_days, now())?;
    write_atomic(&a.out, &bytes)?;
    if out.json {
        print_json(&json!({
            "out": a.out,
            "sequence": list.sequence,
            "issuers": list.issuers.len(),
            "issued_at": rfc3339(list.issued_at),
            "expires_at": rfc3339(list.expires_at),
        }));
    } else {
        crate::outln!(
            "{}",
            tr_args(
                "root-trust-list-signed",
                &[
                    ("path", a.out.display().to_string()),
                    ("sequence", list.sequence.to_string()),
                    ("count", list.issuers.len().to_string()),
                    ("expires", crate::input::human_time(list.expires_at)),
                ]
            )
        );
    }
    Ok(EXIT_OK)
}
