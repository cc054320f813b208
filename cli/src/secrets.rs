//! Passphrases: from GIAYTO_PASSPHRASE or a prompt on the terminal, never from argv.

use std::path::Path;

use giayto_trust::keys::{KdfCost, KeyError};
use giayto_trust::{ExposeSecret, SecretString};

use crate::failure::{io_failure, Failure};
use crate::i18n::{tr, tr_args};

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

/// The passphrase to unlock the secret key file at `key_file`, after a warning on stderr if
/// the file can be read by group or others ([`exposed_mode`]).
pub fn existing_key(what: &str, key_file: &Path) -> Result<SecretString, Failure> {
    warn_if_exposed(key_file);
    existing(what)
}

/// The permission bits of `key_file` when they let group or others at it (any of `0o077`),
/// else `None` (also when the file cannot be read: opening it reports that). Unix only;
/// elsewhere always `None`.
pub fn exposed_mode(key_file: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(key_file).ok()?.permissions().mode() & 0o7777;
        (mode & 0o077 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = key_file;
        None
    }
}

/// Warn on stderr, without refusing, when a secret key file is readable by group or others:
/// it is still encrypted, but only its passphrase then stands between it and every other
/// user of the machine. The warning says how to fix it (`chmod 600`).
pub fn warn_if_exposed(key_file: &Path) {
    if let Some(mode) = exposed_mode(key_file) {
        crate::errln!(
            "{}",
            tr_args(
                "warning-key-mode",
                &[
                    ("path", key_file.display().to_string()),
                    ("mode", format!("{mode:03o}")),
                ]
            )
        );
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: an `issuer.key` readable by group or others was used without a word.
    #[cfg(unix)]
    #[test]
    fn a_key_file_open_to_group_or_others_is_flagged() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("issuer.key");
        std::fs::write(&key, b"age-encrypted").unwrap();
        let set = |mode: u32| {
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(mode)).unwrap()
        };
        for (mode, exposed) in [
            (0o600, false),
            (0o400, false),
            (0o700, false),
            (0o640, true),
            (0o604, true),
            (0o644, true),
            (0o660, true),
            (0o666, true),
        ] {
            set(mode);
            assert_eq!(exposed_mode(&key), exposed.then_some(mode), "mode {mode:o}");
        }
        assert_eq!(exposed_mode(&dir.path().join("missing.key")), None);
    }
}
