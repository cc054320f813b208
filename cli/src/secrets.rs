//! Passphrases: from GIAYTO_PASSPHRASE or a prompt on the terminal, never from argv.

use giayto_trust::keys::{KdfCost, KeyError};
use giayto_trust::{ExposeSecret, SecretString};

use crate::failure::{io_failure, Failure};
use crate::i18n::tr;

/// The environment variable that supplies the passphrase non-interactively.
pub const PASSPHRASE_ENV: &str = "GIAYTO_PASSPHRASE";
/// Test and demo knob: scrypt log2 N for new key files (10..=22, default 18).
pub const KDF_ENV: &str = "GIAYTO_KDF_LOG_N";

/// The passphrase to unlock an existing key.
pub fn existing(what: &str) -> Result<SecretString, Failure> {
    if let Ok(p) = std::env::var(PASSPHRASE_ENV) {
        return Ok(SecretString::from(p));
    }
    let prompt = format!("{} ({what}): ", tr("prompt-passphrase"));
    rpassword::prompt_password(prompt)
        .map(SecretString::from)
        .map_err(|_| Failure::new("error-no-passphrase"))
}

/// A passphrase for a new key: from the environment, or typed twice. Every copy is held in a
/// `SecretString`, so each is zeroized when dropped, the refused ones too.
pub fn new(what: &str) -> Result<SecretString, Failure> {
    if let Ok(p) = std::env::var(PASSPHRASE_ENV) {
        let p = SecretString::from(p);
        if p.expose_secret().chars().count() < 8 {
            return Err(Failure::new("error-passphrase-short"));
        }
        return Ok(p);
    }
    let first = rpassword::prompt_password(format!("{} ({what}): ", tr("prompt-new-passphrase")))
        .map(SecretString::from)
        .map_err(|_| Failure::new("error-no-passphrase"))?;
    if first.expose_secret().chars().count() < 8 {
        return Err(Failure::new("error-passphrase-short"));
    }
    let second = rpassword::prompt_password(format!("{}: ", tr("prompt-repeat-passphrase")))
        .map(SecretString::from)
        .map_err(|_| Failure::new("error-no-passphrase"))?;
    if first.expose_secret() != second.expose_secret() {
        return Err(Failure::new("error-passphrase-mismatch"));
    }
    Ok(first)
}

/// scrypt cost for new key files.
pub fn kdf_cost() -> KdfCost {
    std::env::var(KDF_ENV)
        .ok()
        .and_then(|v| v.parse::<u8>().ok())
        .map(KdfCost::new)
        .unwrap_or_default()
}

/// A key file error as the user sees it.
pub fn key_failure(e: &KeyError) -> Failure {
    match e {
        KeyError::Io { path, source } => io_failure(path, source),
        KeyError::Exists { path } => Failure::new("error-file-exists").arg("path", path.display()),
        KeyError::WrongPassphrase { path } => {
            Failure::new("error-wrong-passphrase").arg("path", path.display())
        }
        KeyError::Format { path } => Failure::new("error-key-format").arg("path", path.display()),
        _ => Failure::new("error-random"),
    }
}
