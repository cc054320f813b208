//! Status deltas (docs/format.md §9.7): `status delta`, with which an issuing office makes a
//! `VD1:` code of the revocations since a list a device holds, and `bundle apply`, with which a
//! checkpoint device takes such a code into its offline bundle.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use giayto_issuer::{DeltaSince, Issuer, IssuerError};
use giayto_qr::{EccLevel, RenderOptions};
use giayto_status::{DeltaError, MAX_DELTA_TEXT};
use giayto_verify::DeltaLoadError;
use serde_json::json;

use super::issuer::issuer_failure;
use super::status::BundleArgs;
use super::{check_parent, print_json, write_atomic};
use crate::failure::{CmdResult, Failure, EXIT_OK};
use crate::i18n::tr_args;
use crate::input::{codes_from_input, human_time, now, parse_time, read_file, rfc3339};
use crate::load::{check_state, read_bundle, read_root, MAX_LIST_FILE};
use crate::{secrets, Out};

#[derive(Args, Debug)]
pub struct DeltaArgs {
    /// The issuer folder.
    #[arg(long)]
    pub dir: PathBuf,
    /// The list the device holds: its file as written by `status publish` (exact), or the time
    /// it was published (seconds, or RFC 3339), rebuilt from the audit trail.
    #[arg(long)]
    pub since: String,
    /// With --since TIME: the list's number.
    #[arg(long, default_value_t = 1)]
    pub list: u32,
    /// Output file: .png (the QR code) or .txt (the VD1: text).
    #[arg(long)]
    pub out: PathBuf,
    /// Hours the updated list stays valid (its exp), as for `status publish`.
    #[arg(long, default_value_t = 168)]
    pub valid_hours: u32,
    /// Hours a verifier may keep the updated list before fetching a newer one (ttl).
    #[arg(long, default_value_t = 24)]
    pub ttl_hours: u32,
    /// Error correction of the QR code: M, Q or H (L also accepted).
    #[arg(long, default_value = "Q")]
    pub ecc: String,
}

/// `giayto bundle`: write a bundle, or (`bundle apply`) update one.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct BundleCmd {
    #[command(subcommand)]
    pub command: Option<BundleCommand>,
    #[command(flatten)]
    pub make: BundleArgs,
}

#[derive(Subcommand, Debug)]
pub enum BundleCommand {
    /// Update a bundle from a status update code (VD1:) scanned at a checkpoint.
    Apply(ApplyArgs),
}

#[derive(Args, Debug)]
pub struct ApplyArgs {
    /// The status update: VD1: text, @file, an image of the code, or - for stdin.
    pub input: String,
    /// The pinned root public key.
    #[arg(long)]
    pub root: PathBuf,
    /// The offline bundle to update (rewritten in place, atomically; unchanged on any error).
    #[arg(long)]
    pub bundle: PathBuf,
    /// Do not record or check the newest data this device has used (rollback protection,
    /// kept in GIAYTO_STATE_DIR, else XDG_STATE_HOME/giayto, else ~/.local/state/giayto).
    #[arg(long)]
    pub no_state: bool,
}

pub fn bundle(cmd: BundleCmd, out: Out) -> CmdResult {
    match cmd.command {
        Some(BundleCommand::Apply(a)) => apply(&a, out),
        None => super::status::bundle(&cmd.make, out),
    }
}

/// What `--out` asks for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Output {
    Png,
    Text,
}

/// `--since`: an existing file is a published list; otherwise a time.
fn since_time(value: &str) -> Result<i64, Failure> {
    let v = value.trim();
    v.parse::<i64>()
        .ok()
        .filter(|t| (0..=giayto_cose::cbor::MAX_TIME).contains(t))
        .map_or_else(|| parse_time(v), Ok)
        .map_err(|_| Failure::new("error-delta-since").arg("value", value))
}

pub fn status_delta(a: &DeltaArgs, out: Out) -> CmdResult {
    let ecc: EccLevel = a
        .ecc
        .parse()
        .map_err(|_| Failure::new("error-bad-ecc").arg("value", &a.ecc))?;
    let name = a.out.to_string_lossy().to_ascii_lowercase();
    let output = if name.ends_with(".png") {
        Output::Png
    } else if name.ends_with(".txt") {
        Output::Text
    } else {
        return Err(Failure::new("error-delta-out-ext").arg("path", a.out.display()));
    };
    check_parent(&a.out)?;
    let since_file = Path::new(&a.since)
        .is_file()
        .then(|| PathBuf::from(&a.since));
    let base = match &since_file {
        Some(path) => Some(read_file(path, MAX_LIST_FILE)?),
        None => None,
    };
    let since = match &base {
        Some(bytes) => DeltaSince::List(bytes),
        None => DeltaSince::IssuedAt {
            list: a.list,
            issued_at: since_time(&a.since)?,
        },
    };
    let meta = giayto_issuer::read_meta(&a.dir).map_err(|e| issuer_failure(&e))?;
    let pass = secrets::existing_key(&meta.id, &a.dir.join(giayto_issuer::dir::KEY_FILE))?;
    let mut issuer = Issuer::open(&a.dir, &pass).map_err(|e| issuer_failure(&e))?;
    let t = now();
    let issued = issuer
        .status_delta(
            since,
            t,
            i64::from(a.valid_hours.max(1)) * 3600,
            Some(u64::from(a.ttl_hours) * 3600),
        )
        .map_err(|e| match e {
            IssuerError::DeltaBase(d) => Failure::new("error-delta-base")
                .arg("path", &a.since)
                .arg("detail", d),
            IssuerError::UnknownList { uri } => {
                Failure::new("error-delta-unknown-list").arg("uri", uri)
            }
            IssuerError::Delta(DeltaError::Older { held, .. }) => {
                Failure::new("error-delta-not-newer").arg("time", human_time(held))
            }
            e => issuer_failure(&e),
        })?;
    if issued.same_second_changes {
        crate::errln!(
            "{}",
            tr_args(
                "warning-delta-same-second",
                &[("time", rfc3339(issued.delta.base.issued_at))]
            )
        );
    }
    let delta = &issued.delta;
    let chars = issued.text.len();
    let version = giayto_qr::qr_version(&issued.text, ecc).ok();
    let too_large = || {
        Failure::new("error-delta-too-large")
            .arg("changes", delta.changes.len())
            .arg("chars", chars)
    };
    if chars > MAX_DELTA_TEXT || (output == Output::Png && version.is_none()) {
        return Err(too_large());
    }
    let bytes = match output {
        Output::Png => {
            let opts = RenderOptions {
                ecc,
                ..RenderOptions::default()
            };
            giayto_qr::render_png(&issued.text, &opts)
                .map_err(|e| Failure::new("error-qr-render").arg("detail", e))?
        }
        Output::Text => format!("{}\n", issued.text).into_bytes(),
    };
    write_atomic(&a.out, &bytes)?;
    if out.json {
        print_json(&json!({
            "out": a.out, "list": issued.list, "uri": delta.uri, "changes": delta.changes.len(),
            "base_issued_at": rfc3339(delta.base.issued_at), "issued_at": rfc3339(delta.issued_at),
            "expires_at": rfc3339(delta.expires_at), "chars": chars,
            "qr_version": version, "ecc": ecc.as_str(),
        }));
    } else {
        crate::outln!(
            "{}",
            tr_args(
                "status-delta-written",
                &[
                    ("path", a.out.display().to_string()),
                    ("uri", delta.uri.clone()),
                    ("changes", delta.changes.len().to_string()),
                    ("since", human_time(delta.base.issued_at)),
                    ("expires", human_time(delta.expires_at)),
                ]
            )
        );
        let size = match version {
            Some(v) => tr_args(
                "status-delta-size",
                &[
                    ("chars", chars.to_string()),
                    ("version", v.to_string()),
                    ("ecc", ecc.as_str().to_owned()),
                ],
            ),
            None => tr_args("status-delta-size-no-qr", &[("chars", chars.to_string())]),
        };
        crate::outln!("{size}");
    }
    Ok(EXIT_OK)
}

/// A delta the device does not take, as the user sees it.
fn delta_failure(e: DeltaLoadError) -> Failure {
    match e {
        DeltaLoadError::WrongBase { uri, held, base } => Failure::new("error-delta-wrong-base")
            .arg("uri", uri)
            .arg("held", human_time(held))
            .arg("base", human_time(base)),
        DeltaLoadError::Older { uri, held, offered } => Failure::new("error-delta-older")
            .arg("uri", uri)
            .arg("held", human_time(held))
            .arg("offered", human_time(offered)),
        DeltaLoadError::NoBase { issuer, uri } => Failure::new("error-delta-no-base")
            .arg("uri", uri)
            .arg("issuer", issuer),
        DeltaLoadError::UnknownSigner { kid } => {
            Failure::new("error-delta-unknown-signer").arg("kid", giayto_verify::hex_lower(&kid))
        }
        DeltaLoadError::UriOutsidePrefix { uri, issuer } => {
            Failure::new("error-delta-outside-prefix")
                .arg("uri", uri)
                .arg("issuer", issuer)
        }
        DeltaLoadError::ChainFull => {
            Failure::new("error-delta-chain-full").arg("max", giayto_verify::MAX_BUNDLE_DELTAS)
        }
        e => Failure::new("error-delta-invalid").arg("detail", e),
    }
}

fn apply(a: &ApplyArgs, out: Out) -> CmdResult {
    let codes = codes_from_input(&a.input)?;
    let root = read_root(&a.root)?;
    let (mut verifier, mut bundle) = read_bundle(root, &a.bundle, false)?;
    let mut applied = Vec::with_capacity(codes.len());
    // Every code first, in memory: one refused, nothing is written.
    for code in &codes {
        let bytes = giayto_status::delta_from_text(code)
            .map_err(|e| Failure::new("error-delta-invalid").arg("detail", e))?;
        applied.push(
            bundle
                .apply_delta(&mut verifier, &bytes)
                .map_err(delta_failure)?,
        );
    }
    // The same rollback checks as for a full list, before anything is written; the bundle,
    // then the device's memory.
    let pending = if a.no_state {
        None
    } else {
        check_state(&root, &verifier)?
    };
    let bytes = bundle.to_bytes();
    write_atomic(&a.bundle, &bytes)?;
    if let Some(pending) = pending {
        pending.save()?;
    }
    if out.json {
        print_json(&json!({
            "bundle": a.bundle, "bytes": bytes.len(), "status_deltas": bundle.status_deltas.len(),
            "applied": applied.iter().map(|d| json!({
                "issuer": d.issuer_id, "uri": d.uri, "changes": d.changes,
                "from_issued_at": rfc3339(d.from_issued_at), "issued_at": rfc3339(d.issued_at),
                "expires_at": rfc3339(d.expires_at), "replaced": d.replaced,
            })).collect::<Vec<_>>(),
        }));
        return Ok(EXIT_OK);
    }
    for d in &applied {
        crate::outln!(
            "{}",
            tr_args(
                "bundle-delta-applied",
                &[
                    ("path", a.bundle.display().to_string()),
                    ("uri", d.uri.clone()),
                    ("changes", d.changes.to_string()),
                    ("from", human_time(d.from_issued_at)),
                    ("to", human_time(d.issued_at)),
                    ("expires", human_time(d.expires_at)),
                ]
            )
        );
        if d.replaced > 0 {
            crate::outln!(
                "{}",
                tr_args(
                    "bundle-delta-replaced",
                    &[("count", d.replaced.to_string())]
                )
            );
        }
    }
    crate::outln!(
        "{}",
        tr_args(
            "bundle-delta-count",
            &[("count", bundle.status_deltas.len().to_string())]
        )
    );
    Ok(EXIT_OK)
}
