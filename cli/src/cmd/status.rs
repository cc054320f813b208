//! Revocation: `revoke`, `suspend`, `reinstate`, `hold`, `release`, `status publish`, and
//! `bundle` (status deltas, `status delta` and `bundle apply`, are in `delta.rs`).

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

/// `hold`: one credential, by serial (docs/format.md §9.3).
#[derive(Args, Debug)]
pub struct HoldArgs {
    /// The issuer folder.
    #[arg(long)]
    pub dir: PathBuf,
    /// The credential's serial (hex), as printed by `issue` and `verify`.
    pub serial: String,
    /// Why (kept in the audit trail).
    #[arg(long)]
    pub reason: String,
    /// When the hold ends by itself: YYYY-MM-DD (held through that day, Vietnam time) or RFC
    /// 3339; the first `status publish` from then on releases it.
    #[arg(long)]
    pub until: Option<String>,
}

/// `release`: one credential, by serial.
#[derive(Args, Debug)]
pub struct ReleaseArgs {
    /// The issuer folder.
    #[arg(long)]
    pub dir: PathBuf,
    /// The credential's serial (hex), as printed by `issue` and `verify`.
    pub serial: String,
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
    let mut issuer = open_issuer(&a.dir)?;
    let report = issuer
        .change_status(&target, action, a.reason.trim(), now())
        .map_err(|e| issuer_failure(&e))?;
    print_report(&report, action, a.reason.trim(), None, out);
    Ok(EXIT_OK)
}

fn open_issuer(dir: &std::path::Path) -> Result<Issuer, Failure> {
    let meta = giayto_issuer::read_meta(dir).map_err(|e| issuer_failure(&e))?;
    let pass = secrets::existing_key(&meta.id, &dir.join(giayto_issuer::dir::KEY_FILE))?;
    Issuer::open(dir, &pass).map_err(|e| issuer_failure(&e))
}

/// The end of a hold given as `--until`: a date means held through that day in Vietnam time
/// (the hold ends at the first moment of the next day, as a document's expiry day does,
/// docs/decisions.md D19); an RFC 3339 time means exactly then.
fn parse_until(s: &str) -> Result<i64, Failure> {
    let t = s.trim();
    let instant =
        super::root::parse_date(t).map_err(|_| Failure::new("error-bad-until").arg("value", t))?;
    Ok(if t.len() == 10 {
        instant + 86_400
    } else {
        instant
    })
}

/// `giayto hold`: hold one credential (docs/format.md §9.3), optionally until a time.
pub fn hold(a: HoldArgs, out: Out) -> CmdResult {
    let target = Target::Serial(parse_serial(&a.serial)?);
    if a.reason.trim().is_empty() {
        return Err(Failure::new("error-reason-missing"));
    }
    let at = now();
    let until = a.until.as_deref().map(parse_until).transpose()?;
    if let Some(u) = until.filter(|u| *u <= at) {
        return Err(Failure::new("error-hold-until-past").arg("until", human_time(u)));
    }
    let mut issuer = open_issuer(&a.dir)?;
    let report = issuer
        .hold(&target, a.reason.trim(), at, until)
        .map_err(|e| issuer_failure(&e))?;
    print_report(&report, Action::Hold, a.reason.trim(), until, out);
    Ok(EXIT_OK)
}

/// `giayto release`: end a hold; the credential returns to its status before it.
pub fn release(a: ReleaseArgs, out: Out) -> CmdResult {
    change(
        ChangeArgs {
            dir: a.dir,
            serial: Some(a.serial),
            holder: None,
            reason: a.reason,
        },
        Action::Release,
        out,
    )
}

fn status_name(s: giayto_verify::Status) -> String {
    tr(&format!("status-{}", s.as_str()))
}

fn change_json(c: &giayto_issuer::registry::Change) -> serde_json::Value {
    let mut v = json!({
        "serial": hex_lower(&c.serial),
        "from": c.from.as_str(),
        "to": c.to.as_str(),
    });
    if let Some(after) = c.after_release {
        v["after_release"] = json!(after.as_str());
    }
    v
}

fn change_line(c: &giayto_issuer::registry::Change) -> String {
    let mut args = vec![
        ("serial", hex_lower(&c.serial)),
        ("from", status_name(c.from)),
        ("to", status_name(c.to)),
    ];
    match c.after_release {
        Some(after) => {
            args.push(("after", status_name(after)));
            tr_args("status-changed-held", &args)
        }
        None => tr_args("status-changed", &args),
    }
}

/// One-time copies change with their documents (docs/decisions.md D111): one line for all the
/// copies that reached one status (a holder-wide change may leave a held document's copies
/// held while the others' are suspended).
fn copies_lines(copies: &[giayto_issuer::registry::Change]) {
    let mut seen: Vec<giayto_status::Status> = Vec::new();
    for c in copies {
        if seen.contains(&c.to) {
            continue;
        }
        seen.push(c.to);
        let count = copies.iter().filter(|d| d.to == c.to).count();
        crate::outln!(
            "{}",
            tr_args(
                "status-copies-changed",
                &[("count", count.to_string()), ("to", status_name(c.to))]
            )
        );
    }
}

fn print_report(report: &ChangeReport, action: Action, reason: &str, until: Option<i64>, out: Out) {
    if out.json {
        let mut v = json!({
            "action": action.as_str(),
            "reason": reason,
            "changed": report.changed.iter().map(change_json).collect::<Vec<_>>(),
            "skipped": report.skipped.iter().map(|(s, st)| json!({
                "serial": hex_lower(s),
                "status": st.as_str(),
            })).collect::<Vec<_>>(),
            "no_status_entry": report.no_status_entry.iter().map(|s| hex_lower(s))
                .collect::<Vec<_>>(),
            "copies": report.copies.iter().map(change_json).collect::<Vec<_>>(),
        });
        if let Some(u) = until {
            v["until"] = json!(rfc3339(u));
        }
        print_json(&v);
        return;
    }
    for c in &report.changed {
        crate::outln!("{}", change_line(c));
    }
    if let Some(u) = until {
        crate::outln!(
            "{}",
            tr_args("status-hold-until", &[("until", human_time(u))])
        );
    }
    copies_lines(&report.copies);
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
    // Holds whose end has come are released first, audited, and said here (docs/format.md
    // §9.3); `publish` would release them too, silently.
    let holds = issuer
        .registry()
        .holds()
        .map_err(|e| super::issuer::registry_failure(&e))?;
    let released = issuer.release_due(t).map_err(|e| issuer_failure(&e))?;
    let ended_at = |serial: &[u8]| {
        holds
            .iter()
            .find(|h| h.serial == serial)
            .and_then(|h| h.until)
            .unwrap_or(t)
    };
    if !out.json {
        for c in &released.changed {
            crate::outln!(
                "{}",
                tr_args(
                    "status-hold-ended",
                    &[
                        ("serial", hex_lower(&c.serial)),
                        ("until", human_time(ended_at(&c.serial))),
                        ("from", status_name(c.from)),
                        ("to", status_name(c.to)),
                    ]
                )
            );
        }
        copies_lines(&released.copies);
    }
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
                "revoked": l.revoked, "suspended": l.suspended, "held": l.held,
                "bytes": l.token.len(),
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
                        ("held", l.held.to_string()),
                        ("bytes", l.token.len().to_string()),
                        ("expires", human_time(expires)),
                    ]
                )
            );
        }
    }
    if out.json {
        let report_copies = &released.copies;
        let released: Vec<_> = released
            .changed
            .iter()
            .map(|c| {
                let mut v = change_json(c);
                v["until"] = json!(rfc3339(ended_at(&c.serial)));
                v
            })
            .collect();
        let copies: Vec<_> = report_copies
            .iter()
            .map(|c| {
                let mut v = change_json(c);
                v["until"] = json!(rfc3339(ended_at(&c.serial)));
                v
            })
            .collect();
        print_json(&json!({ "lists": rows, "released": released, "released_copies": copies }));
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
