//! Loading what a verifier checks against — the pinned root key, a trust list with status list
//! folders or an offline bundle — and the device's rollback protection (docs/format.md §9.6).
//! Shared by `verify`, `wallet add`, `wallet present`, `bundle` and `bundle apply`, so the
//! command modules do not import each other.

use std::path::{Path, PathBuf};

use clap::Args;
use giayto_trust::keys;
use giayto_verify::{Bundle, Rollback, SeenState, StatusLoadError, Verifier, VerifyingKey};

use crate::failure::{io_failure, Failure};
use crate::i18n::tr_args;
use crate::input::{human_time, now, read_file, MAX_INPUT};
use crate::secrets::key_failure;

/// Status list files end with this.
pub const STATUS_EXT: &str = ".statuslist.cwt";
/// Largest status list or bundle file read.
pub const MAX_LIST_FILE: u64 = giayto_verify::MAX_BUNDLE_BYTES as u64;

/// What a credential is checked against: the pinned root key with a trust list and status
/// list folders, or with an offline bundle.
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
    /// National CA root certificates (PEM) trusted for issuer certificates: a second trust
    /// path beside the trust list, which stays authoritative (docs/format.md §18).
    #[arg(long, value_name = "PEM")]
    pub ca_root: Vec<PathBuf>,
    /// Issuer certificate chains (PEM, leaf first; an issuer's issuer-cert.pem), checked
    /// against --ca-root when the trust list does not know the signing key.
    #[arg(long, value_name = "PEM", requires = "ca_root")]
    pub issuer_cert: Vec<PathBuf>,
    /// Do not record or check the newest data this device has used (rollback protection,
    /// kept in GIAYTO_STATE_DIR, else XDG_STATE_HOME/giayto, else ~/.local/state/giayto).
    #[arg(long)]
    pub no_state: bool,
}

/// A verifier ready to use, and when its bundle was made if it came from one.
pub struct Loaded {
    /// The verifier.
    pub verifier: Verifier,
    /// The bundle's creation time.
    pub bundle_created_at: Option<i64>,
    /// The device's rollback protection for this verifier's data.
    pub state: DeviceState,
}

/// The device's rollback protection (docs/format.md §9.6) for one pinned root.
pub struct DeviceState {
    /// The pinned root, for the device state's file name.
    root: VerifyingKey,
    /// Whether it is skipped (`--no-state`).
    no_state: bool,
}

impl DeviceState {
    /// The rollback protection of data it has already accepted and remembered (`verify
    /// --fetch`: [`crate::fetch::FetchSession::verifier`] runs [`SeenState::accept`] on the
    /// verifier it builds): [`DeviceState::accept`] then does nothing, so the device state is
    /// read and accepted once per run, not twice.
    pub fn accepted(root: VerifyingKey) -> DeviceState {
        DeviceState {
            root,
            no_state: true,
        }
    }

    /// Refuse the verifier's data when older than what this device has used, else remember
    /// it. For a verifier from [`VerifierSource::load_deferred`], run it after the checks and
    /// before showing them, so the lists they used are remembered.
    pub fn accept(&self, verifier: &Verifier) -> Result<(), Failure> {
        if self.no_state {
            return Ok(());
        }
        accept_state(&self.root, verifier)
    }
}

impl VerifierSource {
    /// The verifier, after the device's rollback protection accepted its data.
    pub fn load(&self) -> Result<Loaded, Failure> {
        let loaded = self.build(false)?;
        loaded.state.accept(&loaded.verifier)?;
        Ok(loaded)
    }

    /// The verifier with a bundle's status lists checked only when a credential needs them
    /// (`Verifier::from_bundle_deferred`: start-up does not grow with the lists a national
    /// bundle carries). The device's rollback protection has not run yet: the caller runs
    /// [`DeviceState::accept`] after its checks, before showing their results.
    pub fn load_deferred(&self) -> Result<Loaded, Failure> {
        self.build(true)
    }

    /// The verifier with the configured CA roots and issuer certificates (docs/format.md §18).
    fn with_certificates(&self, verifier: Verifier) -> Result<Verifier, Failure> {
        if self.ca_root.is_empty() {
            return Ok(verifier);
        }
        let roots = crate::cmd::x509::read_ca_roots(&self.ca_root)?;
        let mut verifier = verifier.with_ca_roots(roots);
        for path in &self.issuer_cert {
            let cert = crate::cmd::x509::read_issuer_cert(path)?;
            verifier.add_issuer_certificate(cert).map_err(|e| {
                Failure::new("error-certificate")
                    .arg("path", path.display())
                    .arg("detail", e)
            })?;
        }
        Ok(verifier)
    }

    fn build(&self, defer: bool) -> Result<Loaded, Failure> {
        let root = read_root(&self.root)?;
        let (verifier, bundle_created_at) = match (&self.bundle, &self.trust) {
            (Some(b), _) => {
                let (v, bundle) = read_bundle(root, b, defer)?;
                (self.with_certificates(v)?, Some(bundle.created_at))
            }
            (None, Some(t)) => {
                let mut v = self.with_certificates(trust_verifier(root, t)?)?;
                load_status_dirs(&mut v, &self.status)?;
                (v, None)
            }
            (None, None) => return Err(Failure::new("error-trust-missing")),
        };
        Ok(Loaded {
            verifier,
            bundle_created_at,
            state: DeviceState {
                root,
                no_state: self.no_state,
            },
        })
    }
}

/// The pinned root key from its file.
pub fn read_root(path: &Path) -> Result<VerifyingKey, Failure> {
    keys::read_public_key(path).map_err(|e| key_failure(&e))
}

/// A verifier from the root key and a trust list file.
pub fn trust_verifier(root: VerifyingKey, trust: &Path) -> Result<Verifier, Failure> {
    let list = read_file(trust, MAX_INPUT)?;
    Verifier::new(root, &list).map_err(|e| {
        Failure::new("error-trust-list")
            .arg("path", trust.display())
            .arg("detail", e)
    })
}

/// A verifier from a root key file and a trust list file.
pub fn load_verifier(root: &Path, trust: &Path) -> Result<Verifier, Failure> {
    trust_verifier(read_root(root)?, trust)
}

/// Read a bundle file and build a verifier from it, its status lists checked now or, with
/// `defer`, when first needed.
pub fn read_bundle(
    root: VerifyingKey,
    path: &Path,
    defer: bool,
) -> Result<(Verifier, Bundle), Failure> {
    let bytes = read_file(path, MAX_LIST_FILE)?;
    let bad = |e: &dyn std::fmt::Display| {
        Failure::new("error-bundle")
            .arg("path", path.display())
            .arg("detail", e)
    };
    let bundle = Bundle::from_bytes(&bytes).map_err(|e| bad(&e))?;
    let verifier = if defer {
        Verifier::from_bundle_deferred(root, &bundle)
    } else {
        Verifier::from_bundle(root, &bundle)
    }
    .map_err(|e| bad(&e))?;
    Ok((verifier, bundle))
}

/// The status list files in a folder, sorted by name.
pub fn status_files(dir: &Path) -> Result<Vec<PathBuf>, Failure> {
    let entries = std::fs::read_dir(dir).map_err(|e| io_failure(dir, &e))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(STATUS_EXT))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Add every status list in the folders to a verifier; returns the tokens read.
pub fn load_status_dirs(
    verifier: &mut Verifier,
    dirs: &[PathBuf],
) -> Result<Vec<Vec<u8>>, Failure> {
    let mut tokens = Vec::new();
    for dir in dirs {
        for path in status_files(dir)? {
            let bytes = read_file(&path, MAX_LIST_FILE)?;
            match verifier.add_status_list(&bytes) {
                Ok(_) => tokens.push(bytes),
                // A list of an issuer the trust list no longer names (a removed key) is left
                // out, not fatal: the credentials it covers are rejected anyway.
                Err(StatusLoadError::UnknownSigner { .. }) => crate::errln!(
                    "{}",
                    tr_args(
                        "warning-status-list-skipped",
                        &[("path", path.display().to_string())]
                    )
                ),
                Err(e) => {
                    return Err(Failure::new("error-status-list")
                        .arg("path", path.display())
                        .arg("detail", e))
                }
            }
        }
    }
    Ok(tokens)
}

/// A verifier's challenge: hex, 1 to 64 bytes.
pub fn parse_nonce(hex_text: &str) -> Result<Vec<u8>, Failure> {
    hex::decode(hex_text.trim())
        .ok()
        .filter(|n| (1..=giayto_cose::presentation::MAX_NONCE).contains(&n.len()))
        .ok_or_else(|| Failure::new("error-bad-nonce").arg("value", hex_text))
}

/// The folder where this device remembers the newest data it has used.
pub fn state_dir() -> Option<PathBuf> {
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

/// The device's clock for rollback protection. `GIAYTO_TEST_NOW` (seconds) stands in for it in
/// tests of a device with a wrong clock; `--at` never does (it sets the time a credential is
/// checked for, not the device's own time).
pub fn device_clock() -> i64 {
    std::env::var("GIAYTO_TEST_NOW")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(now)
}

/// The root key's kid in hex: names this root's state file and fetch cache.
pub fn root_kid_hex(root: &VerifyingKey) -> String {
    giayto_verify::hex_lower(&giayto_cose::kid_for(root.as_bytes()))
}

/// The device state of one root key, as read from its file (docs/format.md §9.6).
pub struct StateFile {
    path: PathBuf,
    /// What the device remembers.
    pub state: SeenState,
    saved: SeenState,
}

impl StateFile {
    /// The state file of this root, or `None` when the device has no state folder (said on
    /// stderr: rollback protection is off for this run).
    pub fn open(root: &VerifyingKey) -> Result<Option<StateFile>, Failure> {
        let Some(dir) = state_dir() else {
            // Said, not silent: this run cannot tell an old bundle from a new one.
            crate::errln!("{}", crate::i18n::tr("warning-no-state-dir"));
            return Ok(None);
        };
        let path = dir.join(format!("seen-{}.cbor", root_kid_hex(root)));
        let state = match std::fs::read(&path) {
            Ok(bytes) => SeenState::from_bytes(&bytes)
                .ok_or_else(|| Failure::new("error-state-file").arg("path", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => SeenState::default(),
            Err(e) => return Err(io_failure(&path, &e)),
        };
        Ok(Some(StateFile {
            path,
            saved: state.clone(),
            state,
        }))
    }

    /// Refuse a verifier's data older than what this device has used (or dated far ahead of
    /// its clock), else remember it: [`SeenState::accept`].
    pub fn accept(&mut self, verifier: &Verifier) -> Result<(), Failure> {
        self.state
            .accept(verifier, device_clock())
            .map(|_| ())
            .map_err(|r| rollback_failure(r, &self.path))
    }

    /// Write the state when it changed (atomically).
    pub fn save(&mut self) -> Result<(), Failure> {
        if self.state == self.saved {
            return Ok(());
        }
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io_failure(dir, &e))?;
        }
        crate::cmd::write_atomic(&self.path, &self.state.to_bytes())?;
        self.saved = self.state.clone();
        Ok(())
    }
}

/// The failure for data the rollback protection refused.
pub fn rollback_failure(r: Rollback, path: &Path) -> Failure {
    match r {
        Rollback::TrustList { seen, offered } => Failure::new("error-rollback-trust")
            .arg("seen", seen)
            .arg("offered", offered),
        Rollback::StatusList { uri, seen, offered } => Failure::new("error-rollback-status")
            .arg("uri", uri)
            .arg("seen", human_time(seen))
            .arg("offered", human_time(offered)),
        Rollback::FromFuture { uri, issued_at, .. } => Failure::new("error-rollback-future")
            .arg(
                "what",
                uri.unwrap_or_else(|| crate::i18n::tr("trust-list-noun")),
            )
            .arg("time", human_time(issued_at)),
        _ => Failure::new("error-state-file").arg("path", path.display()),
    }
}

/// Rollback protection: refuse data older than what this device has used with the same root
/// (or dated far ahead of its clock), then remember it. One operation, [`SeenState::accept`].
fn accept_state(root: &VerifyingKey, verifier: &Verifier) -> Result<(), Failure> {
    let Some(mut file) = StateFile::open(root)? else {
        return Ok(());
    };
    file.accept(verifier)?;
    file.save()
}

/// The device's memory after accepting a verifier's data, not yet written: `bundle apply`
/// writes the bundle first, then this, so that a failure in between never leaves the device
/// remembering data its bundle does not hold.
pub struct PendingState(StateFile);

impl PendingState {
    /// Write the state file (atomically) if it changed.
    pub fn save(mut self) -> Result<(), Failure> {
        self.0.save()
    }
}

/// [`SeenState::accept`] on the device's remembered state, without writing it: the refusal,
/// or the state to save. `None` when the device has no state folder (said on stderr).
pub fn check_state(
    root: &VerifyingKey,
    verifier: &Verifier,
) -> Result<Option<PendingState>, Failure> {
    let Some(mut file) = StateFile::open(root)? else {
        return Ok(None);
    };
    file.accept(verifier)?;
    Ok(Some(PendingState(file)))
}
