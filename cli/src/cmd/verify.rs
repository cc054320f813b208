//! `giayto verify`: check a credential offline.

use clap::{Args, ValueEnum};
use giayto_cose::request::Request;
use giayto_verify::{Policy, Report, Verifier};

use super::request::{read_request, request_failure};
use crate::failure::{CmdResult, Failure, EXIT_INVALID, EXIT_OK};
use crate::fetch::FetchArgs;
use crate::i18n::tr_args;
use crate::input::{codes_from_input, human_time, now, parse_time};
use crate::load::{parse_nonce, VerifierSource};
use crate::render::{to_human, to_json};
use crate::Out;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PolicyArg {
    /// A bank, hotel or clinic: assurance level 1 is enough.
    ThirdParty,
    /// A traffic checkpoint: assurance level 2 required.
    Checkpoint,
}

/// How codes are checked: what against, and the verifier's settings. Shared by `verify` and
/// `prefill`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub source: VerifierSource,
    /// Accept a credential whose status list is missing, with a warning, instead of the
    /// default verdict stale_status.
    #[arg(long)]
    pub allow_missing_status: bool,
    /// Hours a status list is still used after its expiry (default none: a list's expiry is
    /// its issuer's word). Every verdict that relies on it carries a warning.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=720))]
    pub status_grace: u32,
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
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub check: CheckArgs,
    #[command(flatten)]
    pub fetch: FetchArgs,
    /// The request (VR1:) this verifier showed, as text, @file or its PNG: the code must be the
    /// holder's answer to it, disclosing everything it requires.
    #[arg(long, value_name = "REQUEST", conflicts_with = "nonce")]
    pub request: Option<String>,
    /// QR text, @file, an image file of the code, or - for stdin.
    pub input: String,
}

/// Codes checked: the codes, their reports, the verifier that checked them, the time they were
/// checked for, when the bundle was made if they were checked against one, and the request
/// they answered, if any.
pub struct Checked {
    pub codes: Vec<String>,
    pub reports: Vec<Report>,
    pub verifier: Verifier,
    pub at: i64,
    pub bundle_created_at: Option<i64>,
    pub request: Option<Request>,
}

/// Check the codes `read_codes` gives (read once) as `check` says. `verify` adds fetching the
/// lists the codes name (`fetch`, when `--fetch` is given) and the request (VR1:) they must
/// answer; `prefill` passes neither. The device's rollback protection runs after the checks
/// and before anything is shown.
pub fn check_codes(
    check: &CheckArgs,
    fetch: Option<&FetchArgs>,
    request: Option<&str>,
    read_codes: impl FnOnce() -> Result<Vec<String>, Failure>,
) -> Result<Checked, Failure> {
    let at = match &check.at {
        Some(s) => parse_time(s)?,
        None => now(),
    };
    let nonce = check.nonce.as_deref().map(parse_nonce).transpose()?;
    let request = request.map(read_request).transpose()?;
    let (loaded, codes) = match fetch.filter(|f| f.fetch) {
        Some(fetch) => {
            // The codes first: the status lists they name are the ones fetched.
            let codes = read_codes()?;
            let loaded = crate::fetch::load_for_codes(&check.source, fetch, &codes)?;
            (loaded, codes)
        }
        // A national bundle's lists are checked as codes need them.
        None => (check.source.load_deferred()?, read_codes()?),
    };
    let verifier = loaded
        .verifier
        .with_policy(match check.policy {
            PolicyArg::ThirdParty => Policy::ThirdParty,
            PolicyArg::Checkpoint => Policy::Checkpoint,
        })
        .accept_missing_status(check.allow_missing_status)
        .with_status_grace(i64::from(check.status_grace) * 3600)
        .with_expected_nonce(nonce)
        .with_presentation_window(i64::from(check.presentation_window));
    let reports = codes
        .iter()
        .map(|code| match &request {
            Some(r) => verifier
                .check_answer(code, r, at)
                .map_err(|e| request_failure(&e)),
            None => Ok(verifier.check(code, at)),
        })
        .collect::<Result<Vec<_>, _>>()?;
    loaded.state.accept(&verifier)?;
    Ok(Checked {
        codes,
        reports,
        verifier,
        at,
        bundle_created_at: loaded.bundle_created_at,
        request,
    })
}

pub fn run(a: VerifyArgs, out: Out) -> CmdResult {
    let Checked {
        codes,
        reports,
        verifier,
        at,
        bundle_created_at,
        request,
    } = check_codes(&a.check, Some(&a.fetch), a.request.as_deref(), || {
        codes_from_input(&a.input)
    })?;
    let mut all_valid = true;
    for (i, report) in reports.iter().enumerate() {
        all_valid &= report.is_valid();
        if out.json {
            crate::outln!("{}", to_json(report, bundle_created_at));
        } else {
            if codes.len() > 1 {
                crate::outln!(
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
            crate::out!("{}", to_human(report));
        }
    }
    if let (false, Some(r)) = (out.json, &request) {
        crate::outln!(
            "{}",
            tr_args(
                "verify-request-line",
                &[
                    ("verifier", r.verifier.clone()),
                    ("purpose", r.purpose.clone()),
                    ("time", human_time(r.expires_at)),
                ]
            )
        );
    }
    if !out.json {
        let trust = verifier.trust_list();
        let age_days = (at - trust.issued_at).max(0) / 86_400;
        crate::outln!(
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
        if let Some(made) = bundle_created_at {
            crate::outln!(
                "{}",
                tr_args(
                    "verify-bundle-age",
                    &[
                        ("made", human_time(made)),
                        ("hours", ((at - made).max(0) / 3600).to_string()),
                        ("lists", verifier.status_list_count().to_string()),
                    ]
                )
            );
        }
    }
    Ok(if all_valid { EXIT_OK } else { EXIT_INVALID })
}
