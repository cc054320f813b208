//! `giayto wallet`: the holder's encrypted wallet, dependents, and holder-bound presentations.
//!
//! Over 600 lines: fourteen subcommands that share the secret prompts, the wallet-error
//! messages and the presentation loop (full and selective, docs/format.md §11, §14).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use giayto_cose::copies::CopyFile;
use giayto_cose::text::{self, Kind};
use giayto_model::{DocType, Document};
use giayto_qr::{EccLevel, RenderOptions};
use giayto_verify::Verdict;
use giayto_wallet::{KdfParams, Unlock, Wallet, WalletError};
use serde_json::json;
use zeroize::Zeroizing;

use super::{check_parent, doc_type, print_json, write_atomic};
use crate::failure::{io_failure, CmdResult, Failure, EXIT_OK};
use crate::i18n::{tr, tr_args};
use crate::input::{codes_from_input, human_time, now, parse_time, read_file, rfc3339};
use crate::load::{parse_nonce, VerifierSource};
use crate::Out;

/// The environment variable with the 6-digit passcode (else a prompt).
pub const PASSCODE_ENV: &str = "GIAYTO_PASSCODE";
/// The environment variable with the new password for `change-password` (else a prompt).
pub const NEW_PASSWORD_ENV: &str = "GIAYTO_NEW_PASSPHRASE";
/// Test knob: Argon2id memory in KiB with one pass, for fast tests. Never for real wallets.
pub const WALLET_KDF_ENV: &str = "GIAYTO_WALLET_KDF_KIB";
/// Seconds between refreshes of `present --watch`.
pub const WATCH_SECONDS: u64 = 30;
/// Test knob: milliseconds between refreshes of `present --watch` (1 to 30 000), so a test can
/// see several codes and the reaction to `wallet lock` without waiting 30 s.
pub const WATCH_MS_ENV: &str = "GIAYTO_WALLET_WATCH_MS";
/// The longest pause between two checks of the lock state while a code is on screen.
const LOCK_CHECK: std::time::Duration = std::time::Duration::from_secs(1);

#[derive(Subcommand, Debug)]
pub enum WalletCommand {
    /// Create a wallet: password, passcode, and the holder's key.
    Init(InitArgs),
    /// Verify a credential (QR text, @file or image) and store it under its holder.
    Add(AddArgs),
    /// List the documents, grouped by person.
    List(ReadArgs),
    /// Show one document.
    Show(PickArgs),
    /// Remove one document (needs the password).
    Remove(PickArgs),
    /// Write an encrypted backup (needs the password).
    Export(ExportArgs),
    /// Restore a backup into a new wallet (new passcode).
    Import(ImportArgs),
    /// Change the password.
    ChangePassword(WalletPath),
    /// Lock the wallet (lost phone): nothing is shown until `unlock` with the password.
    Lock(WalletPath),
    /// Unlock a locked wallet with the password.
    Unlock(WalletPath),
    /// Show a document as a holder-bound QR code (VP1:), valid for about two minutes.
    Present(PresentArgs),
    /// Print (or write) a person's public key, for `giayto issue --holder-pub`.
    Pubkey(PubkeyArgs),
    /// Make one-time keys for one-time copies and write their public keys, for `giayto issue
    /// --holder-pubs` (the secret keys stay in the wallet).
    Keys(KeysArgs),
    /// Dependents (children, elderly parents) whose papers the holder keeps.
    #[command(subcommand)]
    Dependent(DependentCommand),
}

#[derive(Subcommand, Debug)]
pub enum DependentCommand {
    /// Add a dependent with their own key.
    Add(DependentAddArgs),
}

#[derive(Args, Debug)]
pub struct WalletPath {
    /// The wallet file.
    #[arg(long, env = "GIAYTO_WALLET", default_value = "wallet.giayto")]
    pub wallet: PathBuf,
}

#[derive(Args, Debug)]
pub struct ReadArgs {
    #[command(flatten)]
    pub path: WalletPath,
    /// Open with the 6-digit passcode (GIAYTO_PASSCODE or a prompt) instead of the password.
    #[arg(long)]
    pub passcode: bool,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    #[command(flatten)]
    pub path: WalletPath,
    /// The holder's name.
    #[arg(long)]
    pub name: String,
}

#[derive(Args, Debug)]
pub struct AddArgs {
    #[command(flatten)]
    pub read: ReadArgs,
    #[command(flatten)]
    pub source: VerifierSource,
    /// Check as of this time (RFC 3339) instead of now.
    #[arg(long)]
    pub at: Option<String>,
    /// QR text (VN1:), @file, an image of the code, or - for stdin.
    pub input: String,
    /// The credential's selective-disclosure copy (the --sd-out file of `giayto issue`),
    /// stored with it.
    #[arg(long, value_name = "FILE")]
    pub sd: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct PickArgs {
    #[command(flatten)]
    pub read: ReadArgs,
    /// Document type: cccd, gplx, vehicle, bhyt or bhxh.
    #[arg(long = "doc", value_name = "TYPE")]
    pub doc: Option<String>,
    /// Whose document (a dependent's name; default the holder's).
    #[arg(long)]
    pub person: Option<String>,
    /// The serial (hex, or its beginning), when several documents match.
    #[arg(long)]
    pub serial: Option<String>,
}

#[derive(Args, Debug)]
pub struct PresentArgs {
    #[command(flatten)]
    pub pick: PickArgs,
    /// The verifier's challenge (hex), when its app shows one.
    #[arg(long)]
    pub nonce: Option<String>,
    /// Also write the QR code as PNG.
    #[arg(long)]
    pub png: Option<PathBuf>,
    /// Also write the QR text to this file.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Refresh every 30 seconds until interrupted; stops (exit 2) when the wallet is locked.
    #[arg(long)]
    pub watch: bool,
    /// Share only these fields (JSON names, comma-separated, e.g. full_name,id_number);
    /// needs the selective-disclosure copy.
    #[arg(long, value_name = "FIELDS", value_delimiter = ',')]
    pub disclose: Option<Vec<String>>,
    /// Prove age NN with the nearest true attestation at or above NN the credential carries
    /// (never with the birth date).
    #[arg(long, value_name = "NN")]
    pub age_over: Option<u8>,
    /// Only show exactly what would be shared (field names and values): nothing signed, no
    /// file written.
    #[arg(long)]
    pub dry_run: bool,
    /// Answer a verifier's request (VR1:): its text, @file, an image of its code, or - for
    /// stdin. Shows who asks for what and why, and asks for consent.
    #[arg(long, value_name = "REQUEST")]
    pub request: Option<String>,
    /// With --request: consent without asking (for scripts; the screen is still printed).
    #[arg(long, requires = "request")]
    pub yes: bool,
    /// With --request: also share the optional items the credential can answer.
    #[arg(long, requires = "request")]
    pub share_optional: bool,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub path: WalletPath,
    /// The backup file to write (never overwritten).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    #[command(flatten)]
    pub path: WalletPath,
    /// The backup file.
    #[arg(long)]
    pub from: PathBuf,
}

#[derive(Args, Debug)]
pub struct PubkeyArgs {
    #[command(flatten)]
    pub read: ReadArgs,
    /// Whose key (a dependent's name; default the holder's).
    #[arg(long)]
    pub person: Option<String>,
    /// Write the PEM to this file (never overwritten) instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct KeysArgs {
    #[command(flatten)]
    pub read: ReadArgs,
    /// How many keys (one per copy): 1 to 100.
    #[arg(long, value_name = "N")]
    pub count: u32,
    /// Whose keys (a dependent's name; default the holder's).
    #[arg(long)]
    pub person: Option<String>,
    /// Write the public keys (PEM, one after another) to this file (never overwritten)
    /// instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct DependentAddArgs {
    #[command(flatten)]
    pub path: WalletPath,
    /// The dependent's name.
    #[arg(long)]
    pub name: String,
    /// Relationship to the holder (con, mẹ, bố, ...).
    #[arg(long)]
    pub relationship: String,
}

/// A test knob: unset is `None`; set, it must be a whole number in `min..=max` (a mistyped
/// knob is an error, not silently the default).
fn test_setting(name: &'static str, min: u64, max: u64) -> Result<Option<u64>, Failure> {
    let Some(raw) = std::env::var_os(name) else {
        return Ok(None);
    };
    let value = raw.to_string_lossy();
    value
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|v| (min..=max).contains(v))
        .map(Some)
        .ok_or_else(|| {
            Failure::new("wallet-error-bad-test-setting")
                .arg("name", name)
                .arg("value", &value)
                .arg("min", min)
                .arg("max", max)
        })
}

/// The Argon2id cost for new key slots.
fn kdf() -> Result<KdfParams, Failure> {
    Ok(
        test_setting(WALLET_KDF_ENV, 8, u64::from(KdfParams::MAX.m_kib))?
            .and_then(|k| u32::try_from(k).ok())
            .map_or(KdfParams::DEFAULT, KdfParams::for_tests),
    )
}

/// Time between two codes of `present --watch`.
fn watch_interval() -> Result<std::time::Duration, Failure> {
    Ok(match test_setting(WATCH_MS_ENV, 1, WATCH_SECONDS * 1000)? {
        Some(ms) => std::time::Duration::from_millis(ms),
        None => std::time::Duration::from_secs(WATCH_SECONDS),
    })
}

/// Which secret is asked for: its prompt, its environment variable, and the message when
/// neither a terminal nor the variable is there.
struct Secret {
    prompt_id: &'static str,
    env: &'static str,
    missing_id: &'static str,
}

const PASSWORD: Secret = Secret {
    prompt_id: "wallet-prompt-password",
    env: crate::secrets::PASSPHRASE_ENV,
    missing_id: "wallet-error-no-password",
};
const NEW_PASSWORD: Secret = Secret {
    prompt_id: "wallet-prompt-new-password",
    env: crate::secrets::PASSPHRASE_ENV,
    missing_id: "wallet-error-no-password",
};
const CHANGED_PASSWORD: Secret = Secret {
    prompt_id: "wallet-prompt-new-password",
    env: NEW_PASSWORD_ENV,
    missing_id: "wallet-error-no-new-password",
};
const PASSCODE: Secret = Secret {
    prompt_id: "wallet-prompt-passcode",
    env: PASSCODE_ENV,
    missing_id: "wallet-error-no-passcode",
};
const NEW_PASSCODE: Secret = Secret {
    prompt_id: "wallet-prompt-new-passcode",
    env: PASSCODE_ENV,
    missing_id: "wallet-error-no-passcode",
};

fn prompt(secret: &Secret, prompt_id: &str) -> Result<Zeroizing<String>, Failure> {
    rpassword::prompt_password(format!("{}: ", tr(prompt_id)))
        .map(Zeroizing::new)
        .map_err(|_| Failure::new(secret.missing_id).arg("env", secret.env))
}

fn secret_from(secret: &Secret) -> Result<Zeroizing<String>, Failure> {
    match std::env::var(secret.env) {
        Ok(v) => Ok(Zeroizing::new(v)),
        Err(_) => prompt(secret, secret.prompt_id),
    }
}

fn new_secret_from(secret: &Secret) -> Result<Zeroizing<String>, Failure> {
    if let Ok(v) = std::env::var(secret.env) {
        return Ok(Zeroizing::new(v));
    }
    let first = prompt(secret, secret.prompt_id)?;
    let second = prompt(secret, "wallet-prompt-repeat")?;
    if *first != *second {
        return Err(Failure::new("error-passphrase-mismatch"));
    }
    Ok(first)
}

fn password() -> Result<Zeroizing<String>, Failure> {
    secret_from(&PASSWORD)
}

fn passcode() -> Result<Zeroizing<String>, Failure> {
    secret_from(&PASSCODE)
}

/// A wallet error as the user sees it.
pub fn wallet_failure(e: &WalletError, path: &Path) -> Failure {
    let f = |id| Failure::new(id).arg("path", path.display());
    match e {
        WalletError::Io { path, source } => io_failure(path, source),
        WalletError::Exists { path } => {
            Failure::new("wallet-error-exists").arg("path", path.display())
        }
        WalletError::Format { .. } => f("wallet-error-format"),
        WalletError::WrongPassword => f("wallet-error-wrong-password"),
        WalletError::WrongPasscode { remaining } => {
            f("wallet-error-wrong-passcode").arg("remaining", remaining)
        }
        WalletError::PasscodeWait { seconds } => {
            f("wallet-error-passcode-wait").arg("seconds", seconds)
        }
        WalletError::PasscodeUnavailable => f("wallet-error-passcode-unavailable"),
        WalletError::Locked => f("wallet-error-locked"),
        WalletError::PasswordRequired => f("wallet-error-password-required"),
        WalletError::WeakPassword(problems) => {
            let list: Vec<String> = problems
                .iter()
                .map(|p| tr(&format!("wallet-password-{}", p.code())))
                .collect();
            Failure::new("wallet-error-weak-password").arg("problems", list.join("; "))
        }
        WalletError::BadPasscodeFormat => Failure::new("wallet-error-passcode-format"),
        WalletError::BadName => Failure::new("wallet-error-bad-name"),
        WalletError::PersonExists => Failure::new("wallet-error-person-exists"),
        WalletError::NoSuchPerson(name) => {
            Failure::new("wallet-error-no-such-person").arg("name", name)
        }
        WalletError::Full => f("wallet-error-full"),
        WalletError::Credential => Failure::new("wallet-error-not-credential"),
        WalletError::NotBound => Failure::new("wallet-error-not-bound"),
        WalletError::OtherHolder => Failure::new("wallet-error-other-holder"),
        WalletError::Duplicate => Failure::new("wallet-error-duplicate"),
        WalletError::NoSuchCredential => Failure::new("wallet-error-no-such-document"),
        WalletError::Ambiguous => Failure::new("wallet-error-ambiguous"),
        WalletError::BadNonce => Failure::new("error-bad-nonce"),
        WalletError::Sign => Failure::new("error-sign"),
        WalletError::Seal | WalletError::Encode { .. } => f("wallet-error-encode"),
        WalletError::SdMismatch => Failure::new("wallet-error-sd-mismatch"),
        WalletError::NoSdCopy => Failure::new("wallet-error-no-sd-copy"),
        WalletError::UnknownField(n) => Failure::new("wallet-error-unknown-field")
            .arg("field", n)
            .arg("doctype", "")
            .arg("known", ""),
        WalletError::FieldAbsent(n) => Failure::new("wallet-error-field-absent").arg("field", n),
        WalletError::NoAgePredicate(nn) => {
            Failure::new("wallet-error-no-age-predicate").arg("age", nn)
        }
        WalletError::AgeNotReached(nn) => {
            Failure::new("wallet-error-age-not-reached").arg("age", nn)
        }
        WalletError::NothingToDisclose => Failure::new("wallet-error-nothing-to-disclose"),
        WalletError::NoCopiesLeft => Failure::new("wallet-error-no-copies-left"),
        WalletError::CopyKeyUnknown => Failure::new("wallet-error-copy-key-unknown"),
        WalletError::CopyCount { max } => Failure::new("wallet-error-copy-count").arg("max", max),
        WalletError::Request(e) => super::request::request_failure(e),
        WalletError::RequestClosed => Failure::new("request-error-closed"),
        WalletError::RequestUnanswerable(items) => {
            Failure::new("wallet-error-request-unanswerable").arg("items", items.join(", "))
        }
        _ => Failure::new("error-random"),
    }
}

pub(super) fn open(read: &ReadArgs) -> Result<Wallet, Failure> {
    let path = &read.path.wallet;
    if !path.exists() {
        return Err(Failure::new("wallet-error-missing").arg("path", path.display()));
    }
    let kdf = kdf()?;
    let result = if read.passcode {
        let code = passcode()?;
        Wallet::open_with_kdf(path, Unlock::Passcode(&code), now(), kdf)
    } else {
        let pass = password()?;
        Wallet::open_with_kdf(path, Unlock::Password(&pass), now(), kdf)
    };
    result.map_err(|e| match e {
        // Refused before any try: not counted, nothing written (docs/wallet.md).
        WalletError::BadPasscodeFormat => {
            Failure::new("wallet-error-passcode-malformed").arg("env", PASSCODE_ENV)
        }
        e => wallet_failure(&e, path),
    })
}

fn open_password(path: &WalletPath) -> Result<Wallet, Failure> {
    open(&ReadArgs {
        path: WalletPath {
            wallet: path.wallet.clone(),
        },
        passcode: false,
    })
}

/// Person `index` of an open wallet (an index the wallet itself gave).
pub(super) fn person_at<'w>(
    wallet: &'w Wallet,
    index: usize,
    path: &Path,
) -> Result<&'w giayto_wallet::Person, Failure> {
    wallet
        .persons()
        .map_err(|e| wallet_failure(&e, path))?
        .get(index)
        .ok_or_else(|| wallet_failure(&WalletError::Format { what: "body" }, path))
}

fn person_label(p: &giayto_wallet::Person) -> String {
    match &p.relationship {
        None => tr_args("wallet-person-holder", &[("name", p.name.clone())]),
        Some(r) => tr_args(
            "wallet-person-dependent",
            &[("name", p.name.clone()), ("relationship", r.clone())],
        ),
    }
}

pub(super) fn doc_name(code: u64) -> String {
    DocType::from_code(code)
        .map(|t| t.as_str().to_owned())
        .unwrap_or_else(|| code.to_string())
}

pub fn run(cmd: WalletCommand, out: Out) -> CmdResult {
    match cmd {
        WalletCommand::Init(a) => init(a, out),
        WalletCommand::Add(a) => add(a, out),
        WalletCommand::List(a) => list(a, out),
        WalletCommand::Show(a) => show(a, out),
        WalletCommand::Remove(a) => remove(a, out),
        WalletCommand::Export(a) => export(a, out),
        WalletCommand::Import(a) => import(a, out),
        WalletCommand::ChangePassword(a) => change_password(a, out),
        WalletCommand::Lock(a) => lock(a, out),
        WalletCommand::Unlock(a) => unlock(a, out),
        WalletCommand::Present(a) => present(a, out),
        WalletCommand::Pubkey(a) => pubkey(a, out),
        WalletCommand::Keys(a) => keys(a, out),
        WalletCommand::Dependent(DependentCommand::Add(a)) => dependent_add(a, out),
    }
}

fn done(out: Out, id: &str, args: &[(&str, String)], v: serde_json::Value) -> CmdResult {
    if out.json {
        print_json(&v);
    } else {
        crate::outln!("{}", tr_args(id, args));
    }
    Ok(EXIT_OK)
}

fn init(a: InitArgs, out: Out) -> CmdResult {
    let path = &a.path.wallet;
    if path.exists() {
        return Err(Failure::new("wallet-error-exists").arg("path", path.display()));
    }
    check_parent(path)?;
    let kdf = kdf()?;
    let pass = new_secret_from(&NEW_PASSWORD)?;
    let problems = giayto_wallet::check_password(&pass);
    if !problems.is_empty() {
        return Err(wallet_failure(&WalletError::WeakPassword(problems), path));
    }
    let code = new_secret_from(&NEW_PASSCODE)?;
    let wallet =
        Wallet::create(path, &a.name, &pass, &code, kdf).map_err(|e| wallet_failure(&e, path))?;
    let holder = person_at(&wallet, 0, path)?;
    done(
        out,
        "wallet-created",
        &[
            ("path", path.display().to_string()),
            ("name", holder.name.clone()),
        ],
        json!({"wallet": path.display().to_string(), "holder": holder.name,
               "public_key": hex::encode(holder.public_key())}),
    )
}

fn add(a: AddArgs, out: Out) -> CmdResult {
    let path = a.read.path.wallet.clone();
    let at = match &a.at {
        Some(s) => parse_time(s)?,
        None => now(),
    };
    // The selective-disclosure file (one copy, or one-time copies) is read before anything
    // else is done with the wallet.
    let sd = match &a.sd {
        Some(p) => {
            let bytes = read_file(p, giayto_wallet::MAX_WALLET_BYTES)?;
            Some(
                giayto_cose::copies::decode(&bytes)
                    .map_err(|_| Failure::new("wallet-error-sd-file").arg("path", p.display()))?,
            )
        }
        None => None,
    };
    let verifier = a.source.load()?.verifier;
    let codes = codes_from_input(&a.input)?;
    let code = codes
        .first()
        .ok_or_else(|| Failure::new("wallet-error-not-credential"))?;
    let cose = match text::decode(code, &[]) {
        Ok((Kind::Credential, cose)) => cose,
        _ => return Err(Failure::new("wallet-error-not-credential")),
    };
    // Stored when valid. A credential whose only problem is that its revocation status could
    // not be checked here (no status list at hand) is stored with a note: revocation is the
    // verifier's check, made with fresh lists when the credential is shown.
    let mut status_unchecked = false;
    let issuer_key = match verifier.verify_cose(&cose, at) {
        Ok(c) => Some(c.issuer().public_key),
        Err(r) if r.verdict == Verdict::StaleStatus && r.credential.is_some() => {
            status_unchecked = true;
            r.credential.as_ref().map(|c| c.issuer.public_key)
        }
        Err(r) => {
            return Err(Failure::new("wallet-error-not-valid")
                .arg(
                    "verdict",
                    tr(&format!("verdict-{}", r.verdict.as_str().replace('_', "-"))),
                )
                .arg("code", r.verdict.as_str()));
        }
    };
    let mut wallet = open(&a.read)?;
    // With a selective-disclosure copy, a credential already in the wallet gets its copy.
    let (person, index) = match wallet.add_credential(&cose, now()) {
        Ok(person) => {
            let n = wallet
                .credentials()
                .map_err(|e| wallet_failure(&e, &path))?
                .len();
            (person, n.saturating_sub(1))
        }
        Err(WalletError::Duplicate) if sd.is_some() => {
            let serial = giayto_cose::sign1::Sign1::parse(&cose, giayto_cose::CREDENTIAL_TYP)
                .ok()
                .and_then(|s| giayto_cose::claims::CredentialClaims::from_bytes(s.payload()).ok())
                .map(|c| hex::encode(c.serial))
                .ok_or_else(|| Failure::new("wallet-error-not-credential"))?;
            let index = wallet
                .find(None, None, Some(&serial))
                .map_err(|e| wallet_failure(&e, &path))?;
            let person = wallet
                .credentials()
                .map_err(|e| wallet_failure(&e, &path))?[index]
                .person;
            (person, index)
        }
        Err(e) => return Err(wallet_failure(&e, &path)),
    };
    let mut one_time = 0;
    if let Some(file) = sd.clone() {
        let key = issuer_key.ok_or_else(|| Failure::new("wallet-error-sd-mismatch"))?;
        match file {
            CopyFile::Shared(copy) => wallet.attach_sd(index, *copy, &key),
            CopyFile::OneTime(copies) => wallet
                .attach_copies(index, copies, &key)
                .map(|n| one_time = n),
        }
        .map_err(|e| wallet_failure(&e, &path))?;
    }
    wallet.save().map_err(|e| wallet_failure(&e, &path))?;
    let persons = wallet.persons().map_err(|e| wallet_failure(&e, &path))?;
    let name = persons
        .get(person)
        .map(|p| p.name.clone())
        .ok_or_else(|| wallet_failure(&WalletError::Format { what: "body" }, &path))?;
    let stored = wallet
        .credentials()
        .map_err(|e| wallet_failure(&e, &path))?
        .get(index)
        .map(|c| c.claims.clone())
        .ok_or_else(|| Failure::new("wallet-error-no-such-document"))?;
    let doc = doc_name(stored.document.doc_type);
    if status_unchecked {
        crate::errln!("{}", tr("wallet-warn-status-unchecked"));
    }
    if one_time > 0 && !out.json {
        crate::errln!(
            "{}",
            tr_args("wallet-added-copies", &[("count", one_time.to_string())])
        );
    } else if sd.is_some() && !out.json {
        crate::errln!("{}", tr("wallet-added-sd"));
    }
    done(
        out,
        "wallet-added",
        &[
            ("doctype", tr(&format!("doc-{doc}"))),
            ("person", name.clone()),
        ],
        json!({"doc_type": doc, "serial": hex::encode(&stored.serial),
               "person": name, "status_checked": !status_unchecked,
               "selective_disclosure": sd.is_some(), "one_time_copies": one_time}),
    )
}

fn list(a: ReadArgs, out: Out) -> CmdResult {
    let path = a.path.wallet.clone();
    let wallet = open(&a)?;
    let fail = |e: WalletError| wallet_failure(&e, &path);
    let persons = wallet.persons().map_err(fail)?;
    let credentials = wallet.credentials().map_err(fail)?;
    if out.json {
        let people: Vec<serde_json::Value> = persons
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let docs: Vec<serde_json::Value> = credentials
                    .iter()
                    .filter(|c| c.person == i)
                    .map(|c| {
                        json!({
                            "doc_type": doc_name(c.claims.document.doc_type),
                            "serial": hex::encode(&c.claims.serial),
                            "issuer": c.claims.issuer,
                            "expires_at": rfc3339(c.claims.expires_at),
                            "expired": c.claims.expires_at <= now(),
                            "selective_disclosure": c.sd.is_some() || c.copies_left(now()) > 0,
                            "one_time_copies": c.copies_left(now()),
                        })
                    })
                    .collect();
                json!({
                    "name": p.name,
                    "relationship": p.relationship,
                    "holder": p.is_holder(),
                    "public_key": hex::encode(p.public_key()),
                    "documents": docs,
                })
            })
            .collect();
        print_json(&json!({ "persons": people }));
        return Ok(EXIT_OK);
    }
    for (i, p) in persons.iter().enumerate() {
        crate::outln!("{}", person_label(p));
        let mine: Vec<_> = credentials.iter().filter(|c| c.person == i).collect();
        if mine.is_empty() {
            crate::outln!("  {}", tr("wallet-no-documents"));
        }
        for c in mine {
            let doc = doc_name(c.claims.document.doc_type);
            crate::outln!(
                "  {:<8} {}  {}  {}",
                doc,
                tr(&format!("doc-{doc}")),
                hex::encode(&c.claims.serial),
                tr_args(
                    "wallet-expires",
                    &[("time", human_time(c.claims.expires_at))]
                )
            );
        }
    }
    Ok(EXIT_OK)
}

pub(super) fn pick(wallet: &Wallet, a: &PickArgs) -> Result<usize, Failure> {
    let path = &a.read.path.wallet;
    let doc = a.doc.as_deref().map(doc_type).transpose()?;
    let person = match &a.person {
        Some(name) => Some(
            wallet
                .person_index(Some(name))
                .map_err(|e| wallet_failure(&e, path))?,
        ),
        None if a.serial.is_some() => None,
        None => Some(0),
    };
    wallet
        .find(person, doc.map(DocType::code), a.serial.as_deref())
        .map_err(|e| wallet_failure(&e, path))
}

fn show(a: PickArgs, out: Out) -> CmdResult {
    let path = a.read.path.wallet.clone();
    let wallet = open(&a.read)?;
    let index = pick(&wallet, &a)?;
    let fail = |e: WalletError| wallet_failure(&e, &path);
    let c = wallet
        .credentials()
        .map_err(fail)?
        .get(index)
        .ok_or_else(|| fail(WalletError::NoSuchCredential))?;
    let person = person_at(&wallet, c.person, &path)?;
    let document = DocType::from_code(c.claims.document.doc_type)
        .and_then(|t| Document::from_cbor(t, &c.claims.document.fields).ok());
    if out.json {
        print_json(&json!({
            "person": person.name,
            "doc_type": doc_name(c.claims.document.doc_type),
            "issuer": c.claims.issuer,
            "serial": hex::encode(&c.claims.serial),
            "issued_at": rfc3339(c.claims.issued_at),
            "expires_at": rfc3339(c.claims.expires_at),
            "fields": document.as_ref().map(Document::to_json),
            "text": c.text(),
            "selective_disclosure": c.sd.is_some() || c.copies_left(now()) > 0,
            "one_time_copies": c.uses_one_time_copies().then(|| json!({
                "left": c.copies_left(now()), "used": c.copies_used(),
            })),
        }));
    } else {
        crate::outln!("{}", person_label(person));
        if let Some(d) = &document {
            crate::out!("{}", crate::render::card(d, &c.claims, None));
        }
        crate::outln!("{}", c.text());
        if c.uses_one_time_copies() {
            crate::outln!(
                "{}",
                tr_args(
                    "wallet-copies-left",
                    &[
                        ("left", c.copies_left(now()).to_string()),
                        ("used", c.copies_used().to_string())
                    ]
                )
            );
        }
    }
    Ok(EXIT_OK)
}

fn remove(a: PickArgs, out: Out) -> CmdResult {
    let path = a.read.path.wallet.clone();
    if a.read.passcode {
        return Err(wallet_failure(&WalletError::PasswordRequired, &path));
    }
    let mut wallet = open(&a.read)?;
    let index = pick(&wallet, &a)?;
    let removed = wallet
        .remove_credential(index)
        .map_err(|e| wallet_failure(&e, &path))?;
    wallet.save().map_err(|e| wallet_failure(&e, &path))?;
    let doc = doc_name(removed.claims.document.doc_type);
    done(
        out,
        "wallet-removed",
        &[
            ("doctype", tr(&format!("doc-{doc}"))),
            ("serial", hex::encode(&removed.claims.serial)),
        ],
        json!({"removed": {"doc_type": doc, "serial": hex::encode(&removed.claims.serial)}}),
    )
}

fn write_private_new(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    use std::io::Write;
    check_parent(path)?;
    let mut file = giayto_trust::keys::create_private_file(path)
        .map_err(|e| crate::secrets::key_failure(&e))?;
    if let Err(e) = file.write_all(bytes).and_then(|_| file.sync_all()) {
        let _ = std::fs::remove_file(path);
        return Err(io_failure(path, &e));
    }
    Ok(())
}

fn export(a: ExportArgs, out: Out) -> CmdResult {
    let path = a.path.wallet.clone();
    if a.out.exists() {
        return Err(Failure::new("wallet-error-exists").arg("path", a.out.display()));
    }
    let kdf = kdf()?;
    let pass = password()?;
    let wallet = Wallet::open_with_kdf(&path, Unlock::Password(&pass), now(), kdf)
        .map_err(|e| wallet_failure(&e, &path))?;
    let backup = wallet
        .export(&pass)
        .map_err(|e| wallet_failure(&e, &path))?;
    write_private_new(&a.out, &backup)?;
    done(
        out,
        "wallet-exported",
        &[("path", a.out.display().to_string())],
        json!({"backup": a.out.display().to_string()}),
    )
}

fn import(a: ImportArgs, out: Out) -> CmdResult {
    let path = a.path.wallet.clone();
    if path.exists() {
        return Err(Failure::new("wallet-error-exists").arg("path", path.display()));
    }
    let backup = read_file(&a.from, giayto_wallet::MAX_WALLET_BYTES)?;
    let kdf = kdf()?;
    let pass = password()?;
    let code = new_secret_from(&NEW_PASSCODE)?;
    let wallet = Wallet::import(&path, &backup, &pass, &code, kdf).map_err(|e| match e {
        WalletError::Format { .. } | WalletError::WrongPassword => wallet_failure(&e, &a.from),
        e => wallet_failure(&e, &path),
    })?;
    let n = wallet
        .credentials()
        .map_err(|e| wallet_failure(&e, &path))?
        .len();
    done(
        out,
        "wallet-imported",
        &[
            ("path", path.display().to_string()),
            ("count", n.to_string()),
        ],
        json!({"wallet": path.display().to_string(), "documents": n}),
    )
}

fn change_password(a: WalletPath, out: Out) -> CmdResult {
    let path = a.wallet.clone();
    let mut wallet = open_password(&a)?;
    let new = new_secret_from(&CHANGED_PASSWORD)?;
    wallet
        .change_password(&new)
        .map_err(|e| wallet_failure(&e, &path))?;
    done(
        out,
        "wallet-password-changed",
        &[],
        json!({"changed": true}),
    )
}

fn lock(a: WalletPath, out: Out) -> CmdResult {
    let path = a.wallet.clone();
    if !path.exists() {
        return Err(Failure::new("wallet-error-missing").arg("path", path.display()));
    }
    Wallet::lock(&path).map_err(|e| wallet_failure(&e, &path))?;
    done(out, "wallet-locked", &[], json!({"locked": true}))
}

fn unlock(a: WalletPath, out: Out) -> CmdResult {
    let path = a.wallet.clone();
    let mut wallet = open_password(&a)?;
    wallet.unlock().map_err(|e| wallet_failure(&e, &path))?;
    done(out, "wallet-unlocked", &[], json!({"locked": false}))
}

fn dependent_add(a: DependentAddArgs, out: Out) -> CmdResult {
    let path = a.path.wallet.clone();
    let mut wallet = open_password(&a.path)?;
    let index = wallet
        .add_dependent(&a.name, &a.relationship)
        .map_err(|e| wallet_failure(&e, &path))?;
    wallet.save().map_err(|e| wallet_failure(&e, &path))?;
    let p = person_at(&wallet, index, &path)?;
    done(
        out,
        "wallet-dependent-added",
        &[("name", p.name.clone())],
        json!({"name": p.name, "relationship": p.relationship,
               "public_key": hex::encode(p.public_key())}),
    )
}

fn pubkey(a: PubkeyArgs, out: Out) -> CmdResult {
    let path = a.read.path.wallet.clone();
    let wallet = open(&a.read)?;
    let index = wallet
        .person_index(a.person.as_deref())
        .map_err(|e| wallet_failure(&e, &path))?;
    let p = person_at(&wallet, index, &path)?;
    let key = ed25519_dalek::VerifyingKey::from_bytes(&p.public_key())
        .map_err(|_| wallet_failure(&WalletError::Format { what: "body" }, &path))?;
    let pem = p.public_key_pem().map_err(|e| wallet_failure(&e, &path))?;
    if let Some(file) = &a.out {
        check_parent(file)?;
        giayto_trust::keys::write_public_key(file, &key)
            .map_err(|e| crate::secrets::key_failure(&e))?;
    }
    if out.json {
        print_json(
            &json!({"name": p.name, "public_key": hex::encode(p.public_key()),
                           "pem": pem}),
        );
    } else if a.out.is_none() {
        crate::out!("{pem}");
    }
    Ok(EXIT_OK)
}

/// `wallet keys`: one-time keys made and kept in the wallet (waiting for their copies), their
/// public keys written out for the issuer (docs/decisions.md D112). The wallet is written
/// first: a key file is never handed out for keys the wallet does not hold.
fn keys(a: KeysArgs, out: Out) -> CmdResult {
    let path = a.read.path.wallet.clone();
    let max = giayto_cose::copies::MAX_COPIES;
    if !(1..=max as u32).contains(&a.count) {
        return Err(wallet_failure(&WalletError::CopyCount { max }, &path));
    }
    if let Some(file) = &a.out {
        check_parent(file)?;
        if file.exists() {
            return Err(Failure::new("wallet-error-exists").arg("path", file.display()));
        }
    }
    let mut wallet = open(&a.read)?;
    let person = wallet
        .person_index(a.person.as_deref())
        .map_err(|e| wallet_failure(&e, &path))?;
    let made = wallet
        .make_one_time_keys(person, a.count as usize)
        .map_err(|e| wallet_failure(&e, &path))?;
    let pem = super::copies::keys_pem(&made)
        .ok_or_else(|| wallet_failure(&WalletError::Encode { what: "public key" }, &path))?;
    wallet.save().map_err(|e| wallet_failure(&e, &path))?;
    let name = person_at(&wallet, person, &path)?.name.clone();
    let waiting = wallet
        .pending_keys(person)
        .map_err(|e| wallet_failure(&e, &path))?;
    if let Some(file) = &a.out {
        write_new(file, pem.as_bytes())?;
    }
    if out.json {
        print_json(
            &json!({"person": name, "count": made.len(), "waiting": waiting,
                           "out": a.out.as_ref().map(|p| p.display().to_string()),
                           "public_keys": made.iter().map(hex::encode).collect::<Vec<_>>(),
                           "pem": a.out.is_none().then_some(&pem)}),
        );
    } else {
        match &a.out {
            Some(file) => crate::outln!(
                "{}",
                tr_args(
                    "wallet-keys-made",
                    &[
                        ("count", made.len().to_string()),
                        ("person", name),
                        ("path", file.display().to_string()),
                    ]
                )
            ),
            None => crate::out!("{pem}"),
        }
    }
    Ok(EXIT_OK)
}

/// Write a new file (never over an existing one).
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| io_failure(path, &e))?;
    if let Err(e) = file.write_all(bytes).and_then(|_| file.sync_all()) {
        let _ = std::fs::remove_file(path);
        return Err(io_failure(path, &e));
    }
    Ok(())
}

fn present(a: PresentArgs, out: Out) -> CmdResult {
    if let Some(src) = a.request.clone() {
        return super::answer::present_answer(a, &src, out);
    }
    let path = a.pick.read.path.wallet.clone();
    let nonce = a.nonce.as_deref().map(parse_nonce).transpose()?;
    for p in [&a.png, &a.out].into_iter().flatten() {
        check_parent(p)?;
    }
    let interval = watch_interval()?;
    let selective = a.disclose.is_some() || a.age_over.is_some();
    if a.dry_run && !selective {
        return Err(Failure::new("wallet-error-nothing-to-disclose"));
    }
    let mut wallet = open(&a.pick.read)?;
    let index = pick(&wallet, &a.pick)?;
    // One-time copies (docs/decisions.md D112): the copy is written away before its
    // presentation is signed, so no copy is ever shown twice; a dry run only looks.
    let one_time = if selective {
        one_time_copy(&mut wallet, index, &a, &path)?
    } else {
        None
    };
    let (presenter, one_time, copies_left) = match one_time {
        Some((p, chosen, left)) => (p, Some(chosen), Some(left)),
        None => (
            wallet
                .presenter(index)
                .map_err(|e| wallet_failure(&e, &path))?,
            None,
            None,
        ),
    };
    let person = person_at(&wallet, presenter.person(), &path)?.name.clone();
    // What a selective presentation shares (docs/format.md §14), chosen before anything is
    // signed or written; refused requests change nothing.
    let selection = if let Some(chosen) = &one_time {
        let stored = wallet
            .credentials()
            .map_err(|e| wallet_failure(&e, &path))?
            .get(index)
            .cloned()
            .ok_or_else(|| wallet_failure(&WalletError::NoSuchCredential, &path))?;
        Some(shared_values(chosen, &stored, presenter.doc_type()))
    } else if selective {
        let fields = a.disclose.clone().unwrap_or_default();
        let chosen = presenter
            .select(&fields, a.age_over)
            .map_err(|e| selection_failure(&e, presenter.doc_type(), &path))?;
        let stored = wallet
            .credentials()
            .map_err(|e| wallet_failure(&e, &path))?
            .get(index)
            .cloned()
            .ok_or_else(|| wallet_failure(&WalletError::NoSuchCredential, &path))?;
        Some(shared_values(&chosen, &stored, presenter.doc_type()))
    } else {
        None
    };
    // The lock is released while the code is on screen.
    drop(wallet);
    if let Some((chosen, shown, withheld)) = &selection {
        if a.dry_run {
            let doc = doc_name(presenter.doc_type());
            if out.json {
                print_json(&json!({"dry_run": true, "doc_type": doc, "person": person,
                                   "disclosed": shown, "withheld": withheld,
                                   "fields": chosen.iter().map(|c| &c.name).collect::<Vec<_>>(),
                                   "copies_left": copies_left}));
            } else {
                crate::outln!(
                    "{}",
                    tr_args(
                        "wallet-dry-run",
                        &[
                            ("doctype", tr(&format!("doc-{doc}"))),
                            ("person", person.clone())
                        ]
                    )
                );
                for item in shown {
                    let value = match &item["value"] {
                        serde_json::Value::String(t) => t.clone(),
                        v => v.to_string(),
                    };
                    crate::outln!("  {}: {}", item["name"].as_str().unwrap_or_default(), value);
                }
                crate::outln!(
                    "{}",
                    tr_args(
                        "wallet-dry-run-withheld",
                        &[("withheld", withheld.to_string())]
                    )
                );
            }
            return Ok(EXIT_OK);
        }
    }
    let terminal = super::qr::terminal_style();
    let clear_screen = a.watch && !out.json && std::io::IsTerminal::is_terminal(&std::io::stdout());
    let mut first = true;
    let mut first_code = true;
    loop {
        // Before each new code, the wallet's lock state is read again: a `wallet lock` from
        // another process stops the presentation (exit 2), and the screen is cleared.
        let still_unlocked = if first {
            Ok(())
        } else {
            wait_while_unlocked(&path, interval)
        };
        first = false;
        if clear_screen {
            crate::out!("\x1b[2J\x1b[H");
        }
        still_unlocked?;
        let at = now();
        let cose = match &selection {
            Some((chosen, _, _)) => presenter.sign_selected(chosen, at, nonce.as_deref()),
            None => presenter.sign(at, nonce.as_deref()),
        }
        .map_err(|e| wallet_failure(&e, &path))?;
        let qr_text = text::encode(Kind::Presentation, &cose, Some(&text::DICTIONARY_V1));
        if let Some(p) = &a.out {
            write_atomic(p, format!("{qr_text}\n").as_bytes())?;
        }
        if let Some(p) = &a.png {
            let render = RenderOptions {
                ecc: EccLevel::Q,
                ..RenderOptions::default()
            };
            let png = giayto_qr::render_png(&qr_text, &render)
                .map_err(|e| Failure::new("error-qr-render").arg("detail", e))?;
            write_atomic(p, &png)?;
        }
        let doc = doc_name(presenter.doc_type());
        if out.json {
            let mut v = json!({"text": qr_text, "issued_at": rfc3339(at), "doc_type": doc,
                               "person": person, "nonce": nonce.as_ref().map(hex::encode)});
            if let (Some((_, shown, withheld)), Some(o)) = (&selection, v.as_object_mut()) {
                o.insert("disclosed".into(), json!(shown));
                o.insert("withheld".into(), json!(withheld));
            }
            if let (Some(left), Some(o)) = (copies_left, v.as_object_mut()) {
                o.insert("copies_left".into(), json!(left));
            }
            crate::outln!("{v}");
        } else {
            let qr = giayto_qr::render_terminal(&qr_text, EccLevel::Q, terminal)
                .map_err(|e| Failure::new("error-qr-render").arg("detail", e))?;
            crate::out!("{qr}");
            crate::outln!("{qr_text}");
            crate::errln!(
                "{}",
                tr_args(
                    "wallet-presented",
                    &[
                        ("doctype", tr(&format!("doc-{doc}"))),
                        ("person", person.clone()),
                        ("time", human_time(at)),
                    ]
                )
            );
            if let Some((chosen, _, withheld)) = &selection {
                let names: Vec<&str> = chosen.iter().map(|c| c.name.as_str()).collect();
                crate::errln!(
                    "{}",
                    tr_args(
                        "wallet-presented-selective",
                        &[
                            ("fields", names.join(", ")),
                            ("withheld", withheld.to_string())
                        ]
                    )
                );
            }
        }
        if first_code && !out.json {
            copies_note(copies_left);
            first_code = false;
        }
        // Nobody reads a closed pipe: stop instead of signing codes forever.
        if !a.watch || crate::output::stdout_closed() {
            return Ok(EXIT_OK);
        }
    }
}

/// The next one-time copy of credential `index` for this request, when the credential uses
/// them: looked at for a dry run, taken (written away before its presentation exists)
/// otherwise; its presenter, the leaves chosen and the copies left after it.
fn one_time_copy(
    wallet: &mut Wallet,
    index: usize,
    a: &PresentArgs,
    path: &Path,
) -> Result<
    Option<(
        giayto_wallet::Presenter,
        Vec<giayto_wallet::Selected>,
        usize,
    )>,
    Failure,
> {
    let c = wallet
        .credentials()
        .map_err(|e| wallet_failure(&e, path))?
        .get(index)
        .ok_or_else(|| wallet_failure(&WalletError::NoSuchCredential, path))?;
    if !c.uses_one_time_copies() {
        return Ok(None);
    }
    let doc_type = c.claims.document.doc_type;
    let serial = hex::encode(&c.claims.serial);
    let fields = a.disclose.clone().unwrap_or_default();
    let taken = if a.dry_run {
        wallet.peek_copy(index, &fields, a.age_over, now())
    } else {
        wallet.take_copy(index, &fields, a.age_over, now())
    };
    taken.map(Some).map_err(|e| match e {
        WalletError::NoCopiesLeft => {
            Failure::new("wallet-error-no-copies-left").arg("serial", serial)
        }
        e => selection_failure(&e, doc_type, path),
    })
}

/// Say, in the user's language, when a presentation leaves few one-time copies or none.
pub(super) fn copies_note(left: Option<usize>) {
    match left {
        Some(0) => crate::errln!("{}", tr("wallet-copies-last")),
        Some(n) if n <= giayto_wallet::COPIES_LOW => crate::errln!(
            "{}",
            tr_args("wallet-copies-low", &[("count", n.to_string())])
        ),
        _ => {}
    }
}

/// A refused selection as the user sees it; an unknown field name lists the type's fields.
fn selection_failure(e: &WalletError, doc_type: u64, path: &Path) -> Failure {
    match (e, DocType::from_code(doc_type)) {
        (WalletError::UnknownField(n), Some(t)) => {
            let known: Vec<&str> = t.field_keys().into_iter().map(|(_, n)| n).collect();
            Failure::new("wallet-error-unknown-field")
                .arg("field", n)
                .arg("doctype", tr(&format!("doc-{}", t.as_str())))
                .arg("known", known.join(", "))
        }
        _ => wallet_failure(e, path),
    }
}

/// The leaves chosen, what they show (`[{name, value}]`: the card's JSON value of each field,
/// `true` for a predicate) and how many of the type's leaves stay withheld (as the verifier
/// counts them, docs/format.md §14.4).
pub(super) fn shared_values(
    chosen: &[giayto_wallet::Selected],
    stored: &giayto_wallet::StoredCredential,
    doc_type: u64,
) -> (Vec<giayto_wallet::Selected>, Vec<serde_json::Value>, usize) {
    let card = DocType::from_code(doc_type)
        .and_then(|t| Document::from_cbor(t, &stored.claims.document.fields).ok())
        .map(|d| d.to_json());
    let shown = chosen
        .iter()
        .map(|c| {
            let value = match &c.value {
                giayto_cose::ciborium::Value::Bool(b) => json!(b),
                _ => card
                    .as_ref()
                    .and_then(|j| j.get(&c.name))
                    .cloned()
                    .unwrap_or(serde_json::Value::Null),
            };
            json!({"name": c.name, "value": value})
        })
        .collect();
    let defined = DocType::from_code(doc_type).map_or(0, |t| {
        t.field_keys().len()
            + if t == DocType::Vehicle {
                0
            } else {
                giayto_cose::sd::AGE_THRESHOLDS.len()
            }
    });
    (chosen.to_vec(), shown, defined.saturating_sub(chosen.len()))
}

/// Wait `interval`, reading the wallet's lock state at least every [`LOCK_CHECK`] and at the
/// end; a locked wallet (or one that can no longer be read) ends the wait with the failure.
fn wait_while_unlocked(path: &Path, interval: std::time::Duration) -> Result<(), Failure> {
    let mut left = interval;
    loop {
        let step = left.min(LOCK_CHECK);
        std::thread::sleep(step);
        left = left.saturating_sub(step);
        let status = giayto_wallet::status(path).map_err(|e| wallet_failure(&e, path))?;
        if status.locked {
            return Err(
                Failure::new("wallet-error-locked-while-presenting").arg("path", path.display())
            );
        }
        if left.is_zero() {
            return Ok(());
        }
    }
}
