//! `giayto verify`: check a credential offline.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use giayto_trust::keys;
use giayto_verify::{Policy, Verdict, Verifier};

use crate::failure::{CmdResult, Failure, EXIT_INVALID, EXIT_OK};
use crate::i18n::tr_args;
use crate::input::{codes_from_input, human_time, now, parse_time, read_file, MAX_INPUT};
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

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The pinned root public key.
    #[arg(long)]
    pub root: PathBuf,
    /// The signed trust list.
    #[arg(long)]
    pub trust: PathBuf,
    /// Check as of this time (RFC 3339) instead of now.
    #[arg(long)]
    pub at: Option<String>,
    /// Who is checking.
    #[arg(long, value_enum, default_value = "third-party")]
    pub policy: PolicyArg,
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
    let verifier = load_verifier(&a.root, &a.trust)?.with_policy(match a.policy {
        PolicyArg::ThirdParty => Policy::ThirdParty,
        PolicyArg::Checkpoint => Policy::Checkpoint,
    });
    let codes = codes_from_input(&a.input)?;
    let trust = verifier.trust_list();
    let mut all_valid = true;
    for (i, code) in codes.iter().enumerate() {
        let result = verifier.verify(code, at);
        let view = View::of(&result);
        all_valid &= view.verdict == Verdict::Valid;
        if out.json {
            println!("{}", to_json(&view, at, trust));
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
    }
    Ok(if all_valid { EXIT_OK } else { EXIT_INVALID })
}
