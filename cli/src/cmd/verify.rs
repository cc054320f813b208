//! `giayto verify`: check a credential offline.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use giayto_trust::keys;
use giayto_verify::{Policy, Rollback, SeenState, Verdict, Verifier, Warning};

use crate::failure::{CmdResult, Failure, EXIT_INVALID, EXIT_OK};
use crate::i18n::tr_args;
use crate::input::{codes_from_input, human_time, now, parse_time, read_file, rfc3339, MAX_INPUT};
use crate::render::{to_human, to_json, View};
use crate::secrets::key_failure;
use crate::Out;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PolicyArg {
    /// A bank, hotel or clinic: assurance level 1 is enough.
    ThirdParty,
    /// A traffic checkpoint: assurance level 2 required.
    Checkpoint,
}

// What a credential is checked against: the pinned root key with a trust list and status
// list folders, or with an offline bundle. Shared by `verify` and `wallet add`.
#[derive(Args, Debug)]
pub struct VerifierSource {
    /// The pinned root public key.
    #[arg(long)]
    pub root: PathBuf,
    /// The signed trust list.
    #[arg(long, required_unless_present = "bundle", conflicts_with = "bundle")]
    pub trust: Option<PathBuf>,
    /// Folders of signed status lists (*.statuslist.cwt) to check revocation against.
    #[arg(long, conflicts_with = "bundle")]
    pub status: Vec<PathBuf>,
    /// An offline bundle (trust list and status lists), as written by `giayto bundle`.
    #[arg(long)]
    pub bundle: Option<PathBuf>,
    /// Do not record or check the newest data this device has used (rollback protection,
    /// kept in GIAYTO_STATE_DIR, else ~/.local/state/giayto).
    #[arg(long)]
    pub no_state: bool,
}

impl VerifierSource {
    /// The verifier, and when its bundle was made if it came from one.
    pub fn load(&self) -> Result<(Verifier, Option<i64>), Failure> {
        let (verifier, made) = match (&self.bundle, &self.trust) {
            (Some(b), _) => {
                let (v, bundle) = super::status::load_bundle(&self.root, b)?;
                (v, Some(bundle.created_at))
            }
            (None, Some(t)) => {
                let mut v = load_verifier(&self.root, t)?;
                super::status::load_status_dirs(&mut v, &self.status)?;
                (v, None)
            }
            (None, None) => return Err(Failure::new("error-trust-missing")),
        };
        // Rollback protection: refuse data older than this device has used, then remember it.
        if !self.no_state {
            check_and_record_state(&self.root, &verifier)?;
        }
        Ok((verifier, made))
    }
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub source: VerifierSource,
    /// Accept a credential whose status list is missing, with a warning, instead of the
    /// default verdict stale_status.
    #[arg(long)]
    pub allow_missing_status: bool,
    /// Hours a status list is still used after its expiry.
    #[arg(long, default_value_t = 24)]
    pub status_grace_hours: u32,
    /// Check as of this time (RFC 3339) instead of now.
    #[arg(long)]
    pub at: Option<String>,
    /// Who is checking.
    #[arg(long, value_enum, default_value = "third-party")]
    pub policy: PolicyArg,
    /// The challenge (hex) this verifier showed: only a presentation (VP1:) carrying it is valid.
    #[arg(long)]
    pub nonce: Option<String>,
    /// Seconds a presentation (VP1:) stays fresh either side of this device's clock.
    #[arg(long, default_value_t = giayto_verify::DEFAULT_PRESENTATION_WINDOW as u32,
          value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub presentation_window: u32,
    /// QR text, @file, an image file of the code, or - for stdin.
    pub input: String,
}

/// Build a verifier from a root key file and trust list file.
pub fn load_verifier(root: &std::path::Path, trust: &std::path::Path) -> Result<Verifier, Failure> {
    let root_key = keys::read_public_key(root).map_err(|e| key_failure(&e))?;
    let list = read_file(trust, MAX_INPUT)?;
    Verifier::new(root_key, &list).map_err(|e| {
        Failure::new("error-trust-list")
            .arg("path", trust.display())
            .arg("detail", e)
    })
}

pub fn run(a: VerifyArgs, out: Out) -> CmdResult {
    let at = match &a.at {
        Some(s) => parse_time(s)?,
        None => now(),
    };
    let nonce = a
        .nonce
        .as_deref()
        .map(super::wallet::parse_nonce)
        .transpose()?;
    let (verifier, bundle_made) = a.source.load()?;
    let verifier = verifier
        .with_policy(match a.policy {
            PolicyArg::ThirdParty => Policy::ThirdParty,
            PolicyArg::Checkpoint => Policy::Checkpoint,
        })
        .accept_missing_status(a.allow_missing_status)
        .with_status_grace(i64::from(a.status_grace_hours) * 3600)
        .with_expected_nonce(nonce)
        .with_presentation_window(i64::from(a.presentation_window));
    let codes = codes_from_input(&a.input)?;
    let trust = verifier.trust_list();
    let mut all_valid = true;
    for (i, code) in codes.iter().enumerate() {
        let result = verifier.verify(code, at);
        let view = View::of(&result);
        all_valid &= view.verdict == Verdict::Valid;
        // `presentation`: whether the code was a holder-signed VP1: rather than a static VN1:.
        let presented = code.trim_start().starts_with("VP1:");
        if out.json {
            let mut v = to_json(&view, at, trust);
            if let Some(obj) = v.as_object_mut() {
                add_status_json(obj, &result, bundle_made);
                obj.insert("presentation".into(), serde_json::Value::Bool(presented));
            }
            println!("{v}");
        } else {
            if codes.len() > 1 {
                println!(
                    "{}",
                    tr_args(
                        "verify-code-n",
                        &[
                            ("n", (i + 1).to_string()),
                            ("total", codes.len().to_string())
                        ]
                    )
                );
            }
            print!("{}", to_human(&view));
            if let Ok(v) = &result {
                print!("{}", status_lines(v));
            }
            if presented && view.verdict == Verdict::Valid {
                println!("  {}", crate::i18n::tr("verify-presentation-ok"));
            }
        }
    }
    if !out.json {
        let age_days = (at - trust.issued_at).max(0) / 86_400;
        println!(
            "{}",
            tr_args(
                "verify-trust-age",
                &[
                    ("sequence", trust.sequence.to_string()),
                    ("signed", human_time(trust.issued_at)),
                    ("days", age_days.to_string()),
                    ("due", human_time(trust.expires_at)),
                ]
            )
        );
        if let Some(made) = bundle_made {
            println!(
                "{}",
                tr_args(
                    "verify-bundle-age",
                    &[
                        ("made", human_time(made)),
                        ("hours", ((at - made).max(0) / 3600).to_string()),
                        ("lists", verifier.status_lists().count().to_string()),
                    ]
                )
            );
        }
    }
    Ok(if all_valid { EXIT_OK } else { EXIT_INVALID })
}

fn add_status_json(
    obj: &mut serde_json::Map<String, serde_json::Value>,
    result: &Result<giayto_verify::VerifiedCredential, giayto_verify::Rejection>,
    bundle_made: Option<i64>,
) {
    use serde_json::json;
    if let Some(made) = bundle_made {
        obj.insert("bundle_created_at".into(), json!(rfc3339(made)));
    }
    if let Ok(v) = result {
        if let Some(s) = v.status() {
            obj.insert(
                "status_list".into(),
                json!({
                    "uri": s.uri,
                    "idx": s.index,
                    "issued_at": rfc3339(s.list_issued_at),
                    "expires_at": rfc3339(s.list_expires_at),
                }),
            );
        }
        let warnings: Vec<serde_json::Value> = v
            .warnings()
            .iter()
            .map(|w| match w {
                Warning::StatusNotChecked { uri } => {
                    json!({"code": "status_not_checked", "uri": uri})
                }
                Warning::StatusListAging { uri, expires_at } => {
                    json!({"code": "status_list_aging", "uri": uri, "expires_at": rfc3339(*expires_at)})
                }
                Warning::TrustListAging { expires_at } => {
                    json!({"code": "trust_list_aging", "expires_at": rfc3339(*expires_at)})
                }
                _ => json!({"code": "other"}),
            })
            .collect();
        obj.insert("warnings".into(), json!(warnings));
    }
}

/// The status and warning lines under an accepted credential.
fn status_lines(v: &giayto_verify::VerifiedCredential) -> String {
    let mut out = String::new();
    if let Some(s) = v.status() {
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
    for w in v.warnings() {
        let line = match w {
            Warning::StatusNotChecked { uri } => {
                tr_args("warning-status-not-checked", &[("uri", uri.clone())])
            }
            Warning::StatusListAging { uri, expires_at } => tr_args(
                "warning-status-aging",
                &[("uri", uri.clone()), ("time", human_time(*expires_at))],
            ),
            Warning::TrustListAging { expires_at } => {
                tr_args("warning-trust-aging", &[("time", human_time(*expires_at))])
            }
            _ => continue,
        };
        out.push_str(&format!("  ⚠ {line}\n"));
    }
    out
}

/// The folder where this device remembers the newest data it has used.
fn state_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("GIAYTO_STATE_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_STATE_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d).join("giayto"));
    }
    std::env::var_os("HOME")
        .filter(|d| !d.is_empty())
        .map(|h| PathBuf::from(h).join(".local/state/giayto"))
}

/// Refuse data older than what this device has used with the same root, then remember it.
fn check_and_record_state(root: &std::path::Path, verifier: &Verifier) -> Result<(), Failure> {
    let Some(dir) = state_dir() else {
        return Ok(());
    };
    let root_key = keys::read_public_key(root).map_err(|e| key_failure(&e))?;
    let kid = giayto_verify::hex_lower(&giayto_cose::kid_for(root_key.as_bytes()));
    let path = dir.join(format!("seen-{kid}.cbor"));
    let mut state = match std::fs::read(&path) {
        Ok(bytes) => SeenState::from_bytes(&bytes)
            .ok_or_else(|| Failure::new("error-state-file").arg("path", path.display()))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => SeenState::default(),
        Err(e) => return Err(crate::failure::io_failure(&path, &e)),
    };
    state.check(verifier).map_err(|r| match r {
        Rollback::TrustList { seen, offered } => Failure::new("error-rollback-trust")
            .arg("seen", seen)
            .arg("offered", offered),
        Rollback::StatusList { uri, seen, offered } => Failure::new("error-rollback-status")
            .arg("uri", uri)
            .arg("seen", human_time(seen))
            .arg("offered", human_time(offered)),
    })?;
    let before = state.clone();
    state.update(verifier);
    if state != before {
        std::fs::create_dir_all(&dir).map_err(|e| crate::failure::io_failure(&dir, &e))?;
        super::write_atomic(&path, &state.to_bytes())?;
    }
    Ok(())
}
