//! Revocation: `revoke`, `suspend`, `reinstate`, `status publish`, and `bundle` (status deltas,
//! `status delta` and `bundle apply`, are in `delta.rs`).

use std::path::PathBuf;

use clap::{Args, Subcommand};
use giayto_issuer::registry::{Action, ChangeReport, Target};
use giayto_issuer::Issuer;
use giayto_verify::{hex_lower, Bundle};
use serde_json::json;

use super::issuer::issuer_failure;
use super::{check_parent, print_json, write_atomic};
use crate::failure::{io_failure, CmdResult, Failure, EXIT_OK};
use crate::i18n::{tr, tr_args};
use crate::input::{human_time, now, read_file, rfc3339};
use crate::secrets;
use crate::Out;

#[derive(Args, Debug)]
pub struct ChangeArgs {
    /// The issuer folder.
    #[arg(long)]
    pub dir: PathBuf,
    /// The credential's serial (hex), as printed by `issue` and `verify`.
    #[arg(required_unless_present = "holder", conflicts_with = "holder")]
    pub serial: Option<String>,
    /// Instead of one serial: every credential of the holder with this personal ID number.
    #[arg(long)]
    pub holder: Option<String>,
    /// Why (kept in the audit trail).
    #[arg(long)]
    pub reason: String,
}

#[derive(Subcommand, Debug)]
pub enum StatusCommand {
    /// Sign every status list of the issuer and write them to a folder.
    Publish(PublishArgs),
    /// Make a status update code (VD1:): the changes of one list since a list a device holds.
    Delta(super::delta::DeltaArgs),
}

#[derive(Args, Debug)]
pub struct PublishArgs {
    /// The issuer folder.
    #[arg(long)]
    pub dir: PathBuf,
    /// Folder for the signed lists (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Hours the lists stay valid (their exp); verifiers report stale status after that.
    #[arg(long, default_value_t = 168)]
    pub valid_hours: u32,
    /// Hours a verifier may cache a list before fetching a newer one (ttl).
    #[arg(long, default_value_t = 24)]
    pub ttl_hours: u32,
}

/// `giayto bundle` without a subcommand. The required options are `Option`s only because
/// `bundle apply` does without them (clap then leaves them unset).
#[derive(Args, Debug)]
pub struct BundleArgs {
    /// The pinned root public key.
    #[arg(long, required = true)]
    pub root: Option<PathBuf>,
    /// The signed trust list.
    #[arg(long, required = true)]
    pub trust: Option<PathBuf>,
    /// Folders of status lists (*.statuslist.cwt), as written by `status publish`.
    #[arg(long)]
    pub status: Vec<PathBuf>,
    /// The bundle file to write.
    #[arg(long, required = true)]
    pub out: Option<PathBuf>,
}

pub(crate) fn parse_serial(s: &str) -> Result<Vec<u8>, Failure> {
    let t = s.trim();
    hex::decode(t)
        .ok()
        .filter(|b| giayto_cose::claims::SERIAL_LEN.contains(&b.len()))
        .ok_or_else(|| Failure::new("error-bad-serial").arg("value", t))
}

pub fn change(a: ChangeArgs, action: Action, out: Out) -> CmdResult {
    let target = match (&a.serial, &a.holder) {
        (Some(s), None) => Target::Serial(parse_serial(s)?),
        (None, Some(h)) => Target::Holder(h.trim().to_owned()),
        _ => return Err(Failure::new("error-target-missing")),
    };
    if a.reason.trim().is_empty() {
        return Err(Failure::new("error-reason-missing"));
    }
    let meta = giayto_issuer::read_meta(&a.dir).map_err(|e| issuer_failure(&e))?;
    let pass = secrets::existing_key(&meta.id, &a.dir.join(giayto_issuer::dir::KEY_FILE))?;
    let mut issuer = Issuer::open(&a.dir, &pass).map_err(|e| issuer_failure(&e))?;
    let report = issuer
        .change_status(&target, action, a.reason.trim(), now())
        .map_err(|e| issuer_failure(&e))?;
    print_report(&report, action, a.reason.trim(), out);
    Ok(EXIT_OK)
}

fn status_name(s: giayto_verify::Status) -> String {
    tr(&format!("status-{}", s.as_str()))
}

fn print_report(report: &ChangeReport, action: Action, reason: &str, out: Out) {
    if out.json {
        print_json(&json!({
            "action": action.as_str(),
            "reason": reason,
            "changed": report.changed.iter().map(|c| json!({
                "serial": hex_lower(&c.serial),
                "from": c.from.as_str(),
                "to": c.to.as_str(),
            })).collect::<Vec<_>>(),
            "skipped": report.skipped.iter().map(|(s, st)| json!({
                "serial": hex_lower(s),
                "status": st.as_str(),
            })).collect::<Vec<_>>(),
            "no_status_entry": report.no_status_entry.iter().map(|s| hex_lower(s))
                .collect::<Vec<_>>(),
            "copies": report.copies.iter().map(|c| json!({
                "serial": hex_lower(&c.serial),
                "from": c.from.as_str(),
                "to": c.to.as_str(),
            })).collect::<Vec<_>>(),
        }));
        return;
    }
    for c in &report.changed {
        crate::outln!(
            "{}",
            tr_args(
                "status-changed",
                &[
                    ("serial", hex_lower(&c.serial)),
                    ("from", status_name(c.from)),
                    ("to", status_name(c.to)),
                ]
            )
        );
    }
    // One-time copies change with their documents (docs/decisions.md D111): one line for all.
    if let Some(first) = report.copies.first() {
        crate::outln!(
            "{}",
            tr_args(
                "status-copies-changed",
                &[
                    ("count", report.copies.len().to_string()),
                    ("to", status_name(first.to)),
                ]
            )
        );
    }
    for (s, st) in &report.skipped {
        crate::outln!(
            "{}",
            tr_args(
                "status-skipped",
                &[("serial", hex_lower(s)), ("status", status_name(*st))]
            )
        );
    }
    for s in &report.no_status_entry {
        crate::outln!(
            "{}",
            tr_args("status-no-entry", &[("serial", hex_lower(s))])
        );
    }
    crate::outln!("{}", tr("status-publish-reminder"));
}

pub fn run(cmd: StatusCommand, out: Out) -> CmdResult {
    match cmd {
        StatusCommand::Publish(a) => publish(&a, out),
        StatusCommand::Delta(a) => super::delta::status_delta(&a, out),
    }
}

/// File name of a published list.
pub fn list_file_name(issuer_id: &str, list: u32) -> String {
    format!("{issuer_id}-{list}{}", crate::load::STATUS_EXT)
}

fn publish(a: &PublishArgs, out: Out) -> CmdResult {
    let meta = giayto_issuer::read_meta(&a.dir).map_err(|e| issuer_failure(&e))?;
    let pass = secrets::existing_key(&meta.id, &a.dir.join(giayto_issuer::dir::KEY_FILE))?;
    let mut issuer = Issuer::open(&a.dir, &pass).map_err(|e| issuer_failure(&e))?;
    std::fs::create_dir_all(&a.out).map_err(|e| io_failure(&a.out, &e))?;
    let t = now();
    let lists = issuer
        .publish(
            t,
            i64::from(a.valid_hours.max(1)) * 3600,
            Some(u64::from(a.ttl_hours) * 3600),
        )
        .map_err(|e| issuer_failure(&e))?;
    let mut rows = Vec::new();
    for l in &lists {
        let path = a.out.join(list_file_name(&meta.id, l.list));
        write_atomic(&path, &l.token)?;
        let expires = t + i64::from(a.valid_hours.max(1)) * 3600;
        if out.json {
            rows.push(json!({
                "file": path, "list": l.list, "uri": l.uri, "size": l.size,
                "revoked": l.revoked, "suspended": l.suspended, "bytes": l.token.len(),
                "issued_at": rfc3339(t), "expires_at": rfc3339(expires),
            }));
        } else {
            crate::outln!(
                "{}",
                tr_args(
                    "status-published",
                    &[
                        ("path", path.display().to_string()),
                        ("uri", l.uri.clone()),
                        ("size", l.size.to_string()),
                        ("revoked", l.revoked.to_string()),
                        ("suspended", l.suspended.to_string()),
                        ("bytes", l.token.len().to_string()),
                        ("expires", human_time(expires)),
                    ]
                )
            );
        }
    }
    if out.json {
        print_json(&json!({ "lists": rows }));
    } else if lists.is_empty() {
        crate::outln!("{}", tr("status-nothing-to-publish"));
    }
    Ok(EXIT_OK)
}

pub fn bundle(a: &BundleArgs, out: Out) -> CmdResult {
    let (Some(root), Some(trust), Some(path)) = (&a.root, &a.trust, &a.out) else {
        // clap requires all three without a subcommand.
        return Err(Failure::new("error-trust-missing"));
    };
    let mut verifier = crate::load::load_verifier(root, trust)?;
    check_parent(path)?;
    let status_lists = crate::load::load_status_dirs(&mut verifier, &a.status)?;
    let bundle = Bundle {
        created_at: now(),
        trust_list: read_file(trust, crate::input::MAX_INPUT)?,
        status_lists,
        status_deltas: Vec::new(),
    };
    let bytes = bundle.to_bytes();
    write_atomic(path, &bytes)?;
    let trust = verifier.trust_list();
    if out.json {
        print_json(&json!({
            "out": path, "bytes": bytes.len(), "created_at": rfc3339(bundle.created_at),
            "trust_sequence": trust.sequence, "status_lists": bundle.status_lists.len(),
        }));
    } else {
        crate::outln!(
            "{}",
            tr_args(
                "bundle-written",
                &[
                    ("path", path.display().to_string()),
                    ("sequence", trust.sequence.to_string()),
                    ("lists", bundle.status_lists.len().to_string()),
                    ("bytes", bytes.len().to_string()),
                ]
            )
        );
    }
    Ok(EXIT_OK)
}
