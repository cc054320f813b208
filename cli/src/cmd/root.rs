//! `giayto root …`: the root authority.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use giayto_trust::{keys, IssuerEntry, TrustList};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{doc_type, print_json, write_atomic};
use crate::failure::{io_failure, CmdResult, Failure, EXIT_OK};
use crate::i18n::tr_args;
use crate::input::{now, rfc3339};
use crate::secrets::{self, key_failure};
use crate::Out;

/// Root secret key file.
pub const KEY_FILE: &str = "root.key";
/// Root public key file.
pub const PUB_FILE: &str = "root.pub";
/// Root state: issuers added and the last sequence number.
pub const STATE_FILE: &str = "root.json";

#[derive(Subcommand, Debug)]
pub enum RootCommand {
    /// Create a root authority: ROOT/root.key (encrypted) and ROOT/root.pub.
    Init(InitArgs),
    /// Add (or update) an issuer key in the root's list.
    AddIssuer(AddIssuerArgs),
    /// Remove an issuer's keys (all of them, or one by kid) from the root's list: after the
    /// next signed trust list, verifiers reject everything those keys signed (a stolen key).
    RemoveIssuer(RemoveIssuerArgs),
    /// Sign the trust list of all added issuers.
    SignTrustList(SignArgs),
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
    /// Document types it may issue: cccd,gplx,vehicle,bhyt.
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

/// One issuer as the root's state file keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StateIssuer {
    id: String,
    name_vi: String,
    #[serde(default)]
    name_en: Option<String>,
    public_key: String,
    doc_types: Vec<String>,
    not_before: i64,
    not_after: i64,
    #[serde(default)]
    status_uri_prefix: Option<String>,
}

impl StateIssuer {
    /// The raw public key, if the hex in the state file is well-formed.
    fn public_key(&self) -> Option<[u8; 32]> {
        hex::decode(&self.public_key)
            .ok()
            .and_then(|k| k.try_into().ok())
    }
}

/// The root's state file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RootState {
    id: String,
    sequence: u64,
    issuers: Vec<StateIssuer>,
}

fn read_state(dir: &Path) -> Result<RootState, Failure> {
    let path = dir.join(STATE_FILE);
    if !path.exists() {
        return Err(Failure::new("error-not-root").arg("path", dir.display()));
    }
    let bytes = crate::input::read_file(&path, crate::input::MAX_JSON)?;
    serde_json::from_slice(&bytes)
        .map_err(|_| Failure::new("error-not-root").arg("path", dir.display()))
}

fn write_state(dir: &Path, state: &RootState) -> Result<(), Failure> {
    let bytes = serde_json::to_vec_pretty(state).unwrap_or_default();
    write_atomic(&dir.join(STATE_FILE), &bytes)
}

/// Check an issuer or root id: 1–64 characters of A–Z a–z 0–9 . _ -
pub fn check_id(id: &str) -> Result<(), Failure> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Failure::new("error-bad-id").arg("value", id))
    }
}

pub fn run(cmd: RootCommand, out: Out) -> CmdResult {
    match cmd {
        RootCommand::Init(a) => init(&a, out),
        RootCommand::AddIssuer(a) => add_issuer(&a, out),
        RootCommand::RemoveIssuer(a) => remove_issuer(&a, out),
        RootCommand::SignTrustList(a) => sign(&a, out),
    }
}

fn remove_issuer(a: &RemoveIssuerArgs, out: Out) -> CmdResult {
    let mut state = read_state(&a.dir)?;
    let kid_of = |e: &StateIssuer| {
        e.public_key()
            .map(|k| giayto_verify::hex_lower(&giayto_cose::kid_for(&k)))
            .unwrap_or_default()
    };
    let wanted_kid = a.kid.as_deref().map(|k| k.trim().to_ascii_lowercase());
    let before = state.issuers.len();
    let mut removed = Vec::new();
    state.issuers.retain(|e| {
        let hit = e.id == a.id && wanted_kid.as_deref().is_none_or(|k| kid_of(e) == k);
        if hit {
            removed.push(kid_of(e));
        }
        !hit
    });
    if state.issuers.len() == before {
        return Err(Failure::new("error-issuer-not-in-root")
            .arg("id", &a.id)
            .arg("kid", a.kid.clone().unwrap_or_default()));
    }
    write_state(&a.dir, &state)?;
    if out.json {
        print_json(&json!({"id": a.id, "removed_kids": removed}));
    } else {
        println!(
            "{}",
            tr_args(
                "root-issuer-removed",
                &[("id", a.id.clone()), ("kids", removed.join(", "))]
            )
        );
        println!("{}", tr_args("root-sign-reminder", &[]));
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
    check_id(id)?;
    std::fs::create_dir_all(dir).map_err(|e| io_failure(dir, &e))?;
    if dir.join(KEY_FILE).exists() || dir.join(STATE_FILE).exists() {
        return Err(Failure::new("error-already-initialised").arg("path", dir.display()));
    }
    let key = keys::generate().map_err(|e| key_failure(&e))?;
    let written = keys::write_secret_key(&dir.join(KEY_FILE), &key, passphrase, cost)
        .and_then(|_| keys::write_public_key(&dir.join(PUB_FILE), &key.verifying_key()))
        .map_err(|e| key_failure(&e))
        .and_then(|_| {
            write_state(
                dir,
                &RootState {
                    id: id.to_owned(),
                    sequence: 0,
                    issuers: vec![],
                },
            )
        });
    if let Err(f) = written {
        for name in [KEY_FILE, PUB_FILE, STATE_FILE] {
            let _ = std::fs::remove_file(dir.join(name));
        }
        return Err(f);
    }
    Ok(key)
}

fn init(a: &InitArgs, out: Out) -> CmdResult {
    check_id(&a.id)?;
    if a.dir.join(KEY_FILE).exists() {
        return Err(Failure::new("error-already-initialised").arg("path", a.dir.display()));
    }
    let pass = secrets::new("root")?;
    let key = create(&a.dir, &a.id, &pass, secrets::kdf_cost())?;
    let kid = giayto_verify::hex_lower(&giayto_cose::kid_for(&key.verifying_key().to_bytes()));
    if out.json {
        print_json(&json!({
            "root_id": a.id,
            "kid": kid,
            "public_key_file": a.dir.join(PUB_FILE),
            "secret_key_file": a.dir.join(KEY_FILE),
        }));
    } else {
        println!(
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
    }
    Ok(EXIT_OK)
}

/// Add or update an issuer in the root's state.
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
) -> Result<(StateIssuer, bool), Failure> {
    check_id(id)?;
    let mut state = read_state(dir)?;
    let key = keys::read_public_key(issuer_pub).map_err(|e| key_failure(&e))?;
    let mut types = Vec::new();
    for t in doc_types {
        let t = doc_type(t)?;
        if !types.contains(&t) {
            types.push(t);
        }
    }
    let meta = issuer_pub
        .parent()
        .and_then(|p| giayto_issuer::read_meta(p).ok());
    let name_vi = name
        .map(str::to_owned)
        .or_else(|| {
            meta.as_ref()
                .filter(|m| m.id == id)
                .map(|m| m.name_vi.clone())
        })
        .ok_or_else(|| Failure::new("error-issuer-name-missing").arg("id", id))?;
    let name_en = name_en.map(str::to_owned).or_else(|| {
        meta.as_ref()
            .filter(|m| m.id == id)
            .and_then(|m| m.name_en.clone())
    });
    let entry = StateIssuer {
        id: id.to_owned(),
        name_vi,
        name_en,
        public_key: hex::encode(key.to_bytes()),
        doc_types: types.iter().map(|t| t.as_str().to_owned()).collect(),
        not_before: now,
        not_after: now.saturating_add(i64::from(valid_days) * 86_400),
        status_uri_prefix: Some(
            status_uri_prefix
                .map(str::to_owned)
                .or_else(|| {
                    meta.as_ref()
                        .filter(|m| m.id == id)
                        .map(|m| m.status_prefix())
                })
                .unwrap_or_else(|| giayto_issuer::default_status_uri_prefix(id)),
        ),
    };
    let existing = state
        .issuers
        .iter_mut()
        .find(|e| e.public_key == entry.public_key);
    let updated = existing.is_some();
    match existing {
        Some(e) => {
            let not_before = e.not_before;
            *e = entry.clone();
            e.not_before = not_before;
        }
        None => state.issuers.push(entry.clone()),
    }
    write_state(dir, &state)?;
    Ok((entry, updated))
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
    let public_key = entry.public_key().unwrap_or([0; 32]);
    let kid = giayto_verify::hex_lower(&giayto_cose::kid_for(&public_key));
    if out.json {
        print_json(&json!({
            "id": entry.id,
            "kid": kid,
            "doc_types": entry.doc_types,
            "not_after": rfc3339(entry.not_after),
            "updated": updated,
        }));
    } else {
        println!(
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
                    ("types", entry.doc_types.join(", ")),
                ]
            )
        );
        println!("{}", tr_args("root-sign-reminder", &[]));
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
    let mut state = read_state(dir)?;
    let mut issuers = Vec::new();
    for e in &state.issuers {
        let public_key = e
            .public_key()
            .ok_or_else(|| Failure::new("error-not-root").arg("path", dir.display()))?;
        let doc_types = e
            .doc_types
            .iter()
            .map(|t| doc_type(t).map(|t| t.code()))
            .collect::<Result<Vec<_>, _>>()?;
        issuers.push(IssuerEntry {
            id: e.id.clone(),
            name_vi: e.name_vi.clone(),
            name_en: e.name_en.clone(),
            public_key,
            doc_types,
            not_before: e.not_before,
            not_after: e.not_after,
            status_uri_prefix: e.status_uri_prefix.clone(),
        });
    }
    state.sequence += 1;
    let list = TrustList {
        root_id: state.id.clone(),
        sequence: state.sequence,
        issued_at: now,
        expires_at: now.saturating_add(i64::from(valid_days.max(1)) * 86_400),
        issuers,
    };
    let bytes = list.sign(root).map_err(|_| Failure::new("error-sign"))?;
    write_state(dir, &state)?;
    Ok((bytes, list))
}

fn sign(a: &SignArgs, out: Out) -> CmdResult {
    read_state(&a.dir)?;
    super::check_parent(&a.out)?;
    let pass = secrets::existing_key("root", &a.dir.join(KEY_FILE))?;
    let key = keys::read_secret_key(&a.dir.join(KEY_FILE), &pass).map_err(|e| key_failure(&e))?;
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
        println!(
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
