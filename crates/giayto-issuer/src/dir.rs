//! The issuer's directory: `issuer.key` (encrypted), `issuer.pub`, `issuer.json` and
//! `registry.sqlite`.
//!
//! Over 600 lines on purpose: opening the folder, checking its registry and the issuing and
//! withdrawing steps that must run in order (write the outputs, then record, or take the row
//! back) stay side by side. Its tests are in `dir/tests.rs`; one-time copies (docs/decisions.md
//! D110) are signed in `dir/copies.rs`.

use std::fs;
use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use giayto_model::Document;
use giayto_trust::keys::{self, KdfCost, KeyError};
use giayto_trust::SecretString;
use serde::{Deserialize, Serialize};

use crate::credential::{credential_expiry, credential_text, sign_credential, CredentialRequest};
use crate::registry::{
    Action, BatchLine, ChangeReport, CredentialRecord, NewCredential, RegistryBackend,
    RegistryError, SqliteRegistry, StatusSlot, Target, DEFAULT_LIST_SIZE,
};
use giayto_cose::claims::StatusRef;
use giayto_status::{StatusList, StatusListToken};

/// Secret key file name.
pub const KEY_FILE: &str = "issuer.key";
/// Public key file name.
pub const PUB_FILE: &str = "issuer.pub";
/// Metadata file name.
pub const META_FILE: &str = "issuer.json";
/// Registry file name.
pub const REGISTRY_FILE: &str = "registry.sqlite";
/// Serial length in bytes: the credential's `iat` in 4 bytes (big-endian seconds, so the
/// registry's serial index grows at its end instead of at a random page, docs/decisions.md
/// D165), then 48 random bits; unique per issuer (checked by the registry, redrawn on a
/// collision).
pub const SERIAL_BYTES: usize = 10;
/// The time prefix of a serial: its first 4 bytes.
const SERIAL_TIME_BYTES: usize = 4;

/// The issuer's public metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuerMeta {
    /// Issuer id (`iss`).
    pub id: String,
    /// Name in Vietnamese.
    pub name_vi: String,
    /// Name in English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    /// The start of every status list uri of this issuer; list `n` is this followed by `n`.
    /// Defaults to [`default_status_uri_prefix`] of the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_uri_prefix: Option<String>,
    /// Entries per status list (default [`DEFAULT_LIST_SIZE`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_size: Option<u64>,
    /// A PostgreSQL connection string for the registry instead of the SQLite file in the
    /// folder. The environment variable `GIAYTO_REGISTRY_URL`, when set, takes precedence
    /// (so a password need not be written into this file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_url: Option<String>,
}

/// The status list uri prefix an issuer gets when none is configured.
pub fn default_status_uri_prefix(issuer_id: &str) -> String {
    format!("https://giayto.example/st/{issuer_id}/")
}

impl IssuerMeta {
    /// The configured or default status list uri prefix.
    pub fn status_prefix(&self) -> String {
        self.status_uri_prefix
            .clone()
            .unwrap_or_else(|| default_status_uri_prefix(&self.id))
    }

    /// The uri of status list number `list`.
    pub fn status_uri(&self, list: u32) -> String {
        format!("{}{list}", self.status_prefix())
    }

    /// Entries per status list.
    pub fn list_size(&self) -> u64 {
        self.list_size.unwrap_or(DEFAULT_LIST_SIZE)
    }
}

/// Why an issuer operation failed.
#[non_exhaustive]
#[derive(Debug)]
pub enum IssuerError {
    /// A key file problem (including a wrong passphrase).
    Key(KeyError),
    /// The registry failed.
    Registry(RegistryError),
    /// A file in the directory could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The directory already holds an issuer.
    AlreadyInitialised {
        /// The directory.
        dir: PathBuf,
    },
    /// The issuer id breaks the id rule the root authority applies
    /// ([`giayto_trust::is_valid_id`]): the root would refuse to list this issuer.
    BadId {
        /// The id.
        id: String,
    },
    /// The directory is not an issuer directory (or its metadata is damaged).
    NotAnIssuer {
        /// The directory.
        dir: PathBuf,
    },
    /// The document has already expired, so no credential can be valid.
    DocumentExpired,
    /// A field breaks a rule that needs the signing day (docs/format.md §4.6: a social
    /// insurance book's summary dated after it), in the batch item at `line` (0 for a
    /// single credential). Nothing was recorded or signed.
    Field {
        /// The item's input line.
        line: u64,
        /// The field and what is wrong with it.
        error: giayto_model::FieldError,
    },
    /// The signing key failed.
    Sign,
    /// The system random number generator failed.
    Random,
    /// The registry is in PostgreSQL but this program was built without it.
    PostgresNotBuilt,
    /// A status list could not be built (its compression failed).
    StatusList(giayto_status::StatusError),
    /// The selective-disclosure form was asked for a credential without a holder key
    /// (docs/format.md §14.2: it MUST have `cnf`).
    NotHolderBound,
    /// The base given for a status delta is not a status list signed by this issuer's key.
    DeltaBase(giayto_status::StatusError),
    /// This issuer has no status list with this uri (none opened yet with that number, or
    /// another issuer's list).
    UnknownList {
        /// The uri.
        uri: String,
    },
    /// A status delta cannot be made from that base (e.g. the base is not older than now).
    Delta(giayto_status::DeltaError),
    /// One-time copies were asked with a holder key twice (two copies, or a copy and the full
    /// credential): each copy needs a key of its own, or presentations could be linked.
    RepeatedHolderKey,
    /// More one-time copies than one issuance makes ([`giayto_cose::copies::MAX_COPIES`]).
    TooManyCopies {
        /// The number asked for.
        asked: usize,
    },
    /// New one-time copies were asked of a recorded document with other data: another
    /// document type or another holder ID number.
    DocumentMismatch,
}

impl std::fmt::Display for IssuerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IssuerError::Key(e) => e.fmt(f),
            IssuerError::Registry(e) => e.fmt(f),
            IssuerError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            IssuerError::AlreadyInitialised { dir } => {
                write!(f, "{} already holds an issuer", dir.display())
            }
            IssuerError::BadId { id } => write!(f, "invalid issuer id {id:?}"),
            IssuerError::NotAnIssuer { dir } => {
                write!(f, "{} is not an issuer directory", dir.display())
            }
            IssuerError::DocumentExpired => write!(f, "the document has already expired"),
            IssuerError::Field { line: 0, error } => error.fmt(f),
            IssuerError::Field { line, error } => write!(f, "line {line}: {error}"),
            IssuerError::Sign => write!(f, "signing failed"),
            IssuerError::Random => write!(f, "the system random number generator failed"),
            IssuerError::PostgresNotBuilt => {
                write!(f, "this program was built without PostgreSQL support")
            }
            IssuerError::StatusList(e) => e.fmt(f),
            IssuerError::NotHolderBound => {
                write!(f, "selective disclosure needs a holder-bound credential")
            }
            IssuerError::DeltaBase(e) => {
                write!(f, "the base is not a status list of this issuer: {e}")
            }
            IssuerError::UnknownList { uri } => write!(f, "this issuer has no status list {uri}"),
            IssuerError::Delta(e) => e.fmt(f),
            IssuerError::RepeatedHolderKey => {
                write!(f, "every one-time copy needs a holder key of its own")
            }
            IssuerError::TooManyCopies { asked } => write!(
                f,
                "{asked} one-time copies asked; at most {}",
                giayto_cose::copies::MAX_COPIES
            ),
            IssuerError::DocumentMismatch => {
                write!(f, "the data is not that of the recorded document")
            }
        }
    }
}

impl std::error::Error for IssuerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            IssuerError::Key(e) => Some(e),
            IssuerError::Registry(e) => Some(e),
            IssuerError::Io { source, .. } => Some(source),
            IssuerError::StatusList(e) | IssuerError::DeltaBase(e) => Some(e),
            IssuerError::Delta(e) => Some(e),
            _ => None,
        }
    }
}

impl From<KeyError> for IssuerError {
    fn from(e: KeyError) -> Self {
        IssuerError::Key(e)
    }
}

impl From<RegistryError> for IssuerError {
    fn from(e: RegistryError) -> Self {
        IssuerError::Registry(e)
    }
}

/// Options of one issuance.
#[derive(Debug, Clone)]
pub struct IssueOptions {
    /// Days of validity from now (capped by the document's own expiry). Default 1825.
    pub valid_days: u32,
    /// Holder key for `cnf`.
    pub holder_key: Option<[u8; 32]>,
    /// Assurance level of the holder's account (default 2).
    pub assurance_level: u8,
    /// Holder keys of one-time selective-disclosure copies (docs/decisions.md D110): one copy
    /// per key, each with its own serial and status entry, recorded with the document. Empty
    /// for none. Needs `holder_key`; every key must differ from it and from each other.
    pub one_time_keys: Vec<[u8; 32]>,
}

impl Default for IssueOptions {
    fn default() -> Self {
        IssueOptions {
            valid_days: 1825,
            holder_key: None,
            assurance_level: 2,
            one_time_keys: Vec::new(),
        }
    }
}

/// One issued credential.
#[derive(Debug, Clone)]
pub struct Issued {
    /// Its serial.
    pub serial: Vec<u8>,
    /// COSE_Sign1 bytes.
    pub cose: Vec<u8>,
    /// The `VN1:` QR text.
    pub text: String,
    /// `exp`.
    pub expires_at: i64,
    /// Its status list entry.
    pub slot: StatusSlot,
    /// Its one-time selective-disclosure copies, when [`IssueOptions::one_time_keys`] asked
    /// for them.
    pub copies: Vec<OneTimeCopy>,
}

/// One one-time selective-disclosure copy of a document (docs/decisions.md D110).
#[derive(Debug, Clone)]
pub struct OneTimeCopy {
    /// Its own serial.
    pub serial: Vec<u8>,
    /// Its own status list entry.
    pub slot: StatusSlot,
    /// What the holder receives: the signed copy, its values and salts.
    pub copy: giayto_cose::sd::HolderCopy,
}

/// One document of a batch: its options and the input line it came from.
#[derive(Debug, Clone)]
pub struct BatchItem<'a> {
    /// The document.
    pub document: &'a Document,
    /// Its options.
    pub options: IssueOptions,
    /// Its 1-based input line.
    pub line: u64,
}

/// An issuer directory with its key unlocked and its registry open.
pub struct Issuer {
    dir: PathBuf,
    meta: IssuerMeta,
    key: SigningKey,
    registry: Box<dyn RegistryBackend>,
    signing_threads: usize,
}

impl std::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer")
            .field("dir", &self.dir)
            .field("meta", &self.meta)
            .finish_non_exhaustive()
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> IssuerError + '_ {
    move |source| IssuerError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Create a new issuer in `dir`: a fresh key (encrypted under `passphrase`), its public key,
/// the metadata and an empty registry. Refuses a directory that already holds an issuer, and
/// an id the root authority would refuse ([`giayto_trust::is_valid_id`]).
pub fn init(
    dir: &Path,
    meta: &IssuerMeta,
    passphrase: &SecretString,
    cost: KdfCost,
) -> Result<(), IssuerError> {
    if !giayto_trust::is_valid_id(&meta.id) {
        return Err(IssuerError::BadId {
            id: meta.id.clone(),
        });
    }
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    if [KEY_FILE, PUB_FILE, META_FILE, REGISTRY_FILE]
        .iter()
        .any(|f| dir.join(f).exists())
    {
        return Err(IssuerError::AlreadyInitialised {
            dir: dir.to_owned(),
        });
    }
    let result = (|| {
        let key = keys::generate()?;
        keys::write_secret_key(&dir.join(KEY_FILE), &key, passphrase, cost)?;
        keys::write_public_key(&dir.join(PUB_FILE), &key.verifying_key())?;
        let json = serde_json::to_vec_pretty(meta).map_err(|_| IssuerError::NotAnIssuer {
            dir: dir.to_owned(),
        })?;
        let meta_path = dir.join(META_FILE);
        fs::write(&meta_path, json).map_err(io_err(&meta_path))?;
        // The registry names holders: owner-only like the key (SQLite gives its -wal and -shm
        // files the mode of the database).
        if registry_url(meta).is_none() {
            drop(keys::create_private_file(&dir.join(REGISTRY_FILE))?);
        }
        create_registry(dir, meta)?;
        Ok(())
    })();
    if result.is_err() {
        for f in [KEY_FILE, PUB_FILE, META_FILE, REGISTRY_FILE] {
            let _ = fs::remove_file(dir.join(f));
        }
    }
    result
}

/// Read an issuer directory's metadata without unlocking its key.
pub fn read_meta(dir: &Path) -> Result<IssuerMeta, IssuerError> {
    let path = dir.join(META_FILE);
    let bytes = fs::read(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => IssuerError::NotAnIssuer {
            dir: dir.to_owned(),
        },
        _ => io_err(&path)(e),
    })?;
    serde_json::from_slice(&bytes).map_err(|_| IssuerError::NotAnIssuer {
        dir: dir.to_owned(),
    })
}

/// Open the registry an issuer's metadata names: PostgreSQL when `GIAYTO_REGISTRY_URL` or
/// the metadata give a connection string, else the SQLite file in the folder. The registry
/// must exist: a missing or empty one is [`RegistryError::Missing`] or
/// [`RegistryError::Empty`], and nothing is created (only [`init`] creates a registry).
pub fn open_registry(
    dir: &Path,
    meta: &IssuerMeta,
) -> Result<Box<dyn RegistryBackend>, IssuerError> {
    match registry_url(meta) {
        None => Ok(Box::new(SqliteRegistry::open(&dir.join(REGISTRY_FILE))?)),
        #[cfg(feature = "postgres")]
        Some(url) => Ok(Box::new(crate::registry::PostgresRegistry::connect(
            &url,
            &registry_schema(),
        )?)),
        #[cfg(not(feature = "postgres"))]
        Some(_) => Err(IssuerError::PostgresNotBuilt),
    }
}

/// Create the registry of a new issuer (or, in PostgreSQL, open one that already has the
/// tables). Only [`init`] calls this.
fn create_registry(dir: &Path, meta: &IssuerMeta) -> Result<(), IssuerError> {
    match registry_url(meta) {
        None => drop(SqliteRegistry::create(&dir.join(REGISTRY_FILE))?),
        #[cfg(feature = "postgres")]
        Some(url) => drop(crate::registry::PostgresRegistry::create(
            &url,
            &registry_schema(),
        )?),
        #[cfg(not(feature = "postgres"))]
        Some(_) => return Err(IssuerError::PostgresNotBuilt),
    }
    Ok(())
}

/// The PostgreSQL schema of the registry: `GIAYTO_REGISTRY_SCHEMA`, else `giayto`.
#[cfg(feature = "postgres")]
fn registry_schema() -> String {
    std::env::var("GIAYTO_REGISTRY_SCHEMA").unwrap_or_else(|_| "giayto".into())
}

/// The PostgreSQL connection string in use, if any: `GIAYTO_REGISTRY_URL`, else the metadata's.
fn registry_url(meta: &IssuerMeta) -> Option<String> {
    std::env::var("GIAYTO_REGISTRY_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .or_else(|| meta.registry_url.clone())
}

/// Fresh serials for rows issued at `issued_at`: each the time in 4 bytes (seconds, saturated to
/// the u32 range), then random bytes (D165). The time adds nothing a verifier does not already
/// read in `iat`, and serials made in one second differ only by their random part.
fn serials(issued_at: impl ExactSizeIterator<Item = i64>) -> Result<Vec<Vec<u8>>, IssuerError> {
    let n = issued_at.len();
    let mut bytes = vec![0u8; n * SERIAL_BYTES];
    getrandom::getrandom(&mut bytes).map_err(|_| IssuerError::Random)?;
    Ok(bytes
        .chunks_mut(SERIAL_BYTES)
        .zip(issued_at)
        .map(|(serial, at)| {
            let secs = u32::try_from(at.max(0)).unwrap_or(u32::MAX);
            serial[..SERIAL_TIME_BYTES].copy_from_slice(&secs.to_be_bytes());
            serial.to_vec()
        })
        .collect())
}

fn sign_record_with(
    key: &SigningKey,
    meta: &IssuerMeta,
    document: &Document,
    record: &CredentialRecord,
) -> Result<Issued, IssuerError> {
    let request = record_request(meta, document, record);
    let cose = sign_credential(key, &meta.id, &request).map_err(|_| IssuerError::Sign)?;
    Ok(Issued {
        text: credential_text(&cose),
        serial: record.serial.clone(),
        cose,
        expires_at: record.expires_at,
        slot: record.slot,
        copies: Vec::new(),
    })
}

/// [`Issuer::sign_sd`] with a key and metadata.
fn sign_sd_with(
    key: &SigningKey,
    meta: &IssuerMeta,
    document: &Document,
    issued: &Issued,
) -> Result<giayto_cose::sd::HolderCopy, IssuerError> {
    let signed = giayto_cose::sign1::Sign1::parse(&issued.cose, giayto_cose::CREDENTIAL_TYP)
        .map_err(|_| IssuerError::Sign)?;
    let claims = giayto_cose::claims::CredentialClaims::from_bytes(signed.payload())
        .map_err(|_| IssuerError::Sign)?;
    let request = CredentialRequest {
        document,
        serial: claims.serial,
        issued_at: claims.issued_at,
        not_before: claims.not_before,
        expires_at: claims.expires_at,
        holder_key: claims.holder_key,
        assurance_level: claims.document.assurance_level,
        status: claims.status,
    };
    crate::sd::sign_sd_credential(key, &meta.id, &request, &mut crate::sd::os_random)
        .map_err(sd_error)
}

/// The request that signs `document` as the credential `record` holds: its serial, times,
/// holder key, level and status slot.
fn record_request<'a>(
    meta: &IssuerMeta,
    document: &'a Document,
    record: &CredentialRecord,
) -> CredentialRequest<'a> {
    CredentialRequest {
        document,
        serial: record.serial.clone(),
        issued_at: record.issued_at,
        not_before: None,
        expires_at: record.expires_at,
        holder_key: record.holder_key,
        assurance_level: record.assurance_level,
        status: Some(StatusRef {
            idx: record.slot.index,
            uri: meta.status_uri(record.slot.list),
        }),
    }
}

/// A selective-disclosure signing failure as an issuing error.
fn sd_error(e: crate::sd::SdError) -> IssuerError {
    match e {
        crate::sd::SdError::NotHolderBound => IssuerError::NotHolderBound,
        crate::sd::SdError::Random => IssuerError::Random,
        _ => IssuerError::Sign,
    }
}

/// [`Issuer::sign_claim169`] with a given key and metadata (the issuer's or a [`Signer`]'s).
fn sign_claim169_with(
    key: &SigningKey,
    meta: &IssuerMeta,
    document: &Document,
    issued: &Issued,
) -> Result<String, crate::claim169::Claim169Error> {
    let signed = giayto_cose::sign1::Sign1::parse(&issued.cose, giayto_cose::CREDENTIAL_TYP)
        .map_err(|_| crate::claim169::Claim169Error::Sign)?;
    let claims = giayto_cose::claims::CredentialClaims::from_bytes(signed.payload())
        .map_err(|_| crate::claim169::Claim169Error::Sign)?;
    crate::claim169::claim169_text(key, &meta.id, document, claims.issued_at, claims.expires_at)
}

/// A record made by [`Issuer::record_items`]: the document's, then its one-time copies'.
#[derive(Debug, Clone)]
pub struct RecordedItem {
    /// The document's record.
    pub record: CredentialRecord,
    /// Its one-time copies' records, in key order.
    pub copies: Vec<CredentialRecord>,
}

/// An issuer's signing key and metadata without its registry ([`Issuer::signer`]): cheap to
/// clone, `Send + Sync`, so a batch signs on every core while the registry records the next
/// chunk. It signs only what the registry has recorded.
#[derive(Clone)]
pub struct Signer {
    key: SigningKey,
    meta: IssuerMeta,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("issuer", &self.meta.id)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// [`Issuer::sign_record`].
    pub fn sign_record(
        &self,
        document: &Document,
        record: &CredentialRecord,
    ) -> Result<Issued, IssuerError> {
        sign_record_with(&self.key, &self.meta, document, record)
    }

    /// Sign a document's one-time copies from their records (fresh salts).
    pub fn sign_copy_records(
        &self,
        document: &Document,
        records: &[CredentialRecord],
    ) -> Result<Vec<OneTimeCopy>, IssuerError> {
        copies::sign_copies_with(&self.key, &self.meta, document, records)
    }

    /// [`Issuer::sign_sd`].
    pub fn sign_sd(
        &self,
        document: &Document,
        issued: &Issued,
    ) -> Result<giayto_cose::sd::HolderCopy, IssuerError> {
        sign_sd_with(&self.key, &self.meta, document, issued)
    }

    /// [`Issuer::sign_claim169`].
    pub fn sign_claim169(
        &self,
        document: &Document,
        issued: &Issued,
    ) -> Result<String, crate::claim169::Claim169Error> {
        sign_claim169_with(&self.key, &self.meta, document, issued)
    }
}

/// A signed status list, ready to publish.
#[derive(Debug, Clone)]
pub struct PublishedList {
    /// The list's number.
    pub list: u32,
    /// Its uri.
    pub uri: String,
    /// Entries.
    pub size: u64,
    /// Entries revoked.
    pub revoked: u64,
    /// Entries suspended.
    pub suspended: u64,
    /// Entries held (docs/format.md §9.3).
    pub held: u64,
    /// The signed token.
    pub token: Vec<u8>,
}

impl Issuer {
    /// Open an issuer directory, unlocking its key with `passphrase`. The registry must
    /// exist (see [`open_registry`]); it is opened first, so a missing one is reported
    /// before the slow key unlock.
    pub fn open(dir: &Path, passphrase: &SecretString) -> Result<Issuer, IssuerError> {
        let meta = read_meta(dir)?;
        let registry = open_registry(dir, &meta)?;
        let key = keys::read_secret_key(&dir.join(KEY_FILE), passphrase)?;
        Ok(Issuer {
            dir: dir.to_owned(),
            meta,
            key,
            registry,
            signing_threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        })
    }

    /// The metadata.
    pub fn meta(&self) -> &IssuerMeta {
        &self.meta
    }

    /// The registry.
    pub fn registry(&mut self) -> &mut dyn RegistryBackend {
        self.registry.as_mut()
    }

    /// Issue a credential for `document` at time `now`: record it, then sign it. The
    /// credential exists only once its registry row is committed.
    pub fn issue(
        &mut self,
        document: &Document,
        options: &IssueOptions,
        now: i64,
    ) -> Result<Issued, IssuerError> {
        let item = BatchItem {
            document,
            options: options.clone(),
            line: 0,
        };
        let mut issued = self.issue_items(&[item], None, now)?;
        issued.pop().ok_or(IssuerError::Sign)
    }

    /// Issue a batch in one registry transaction: every credential is recorded, or none.
    /// With a `batch_id`, each row also records its input line, so that a batch run again
    /// after a crash finds what was already issued ([`Issuer::batch_lines`]).
    pub fn issue_items(
        &mut self,
        items: &[BatchItem<'_>],
        batch_id: Option<&str>,
        now: i64,
    ) -> Result<Vec<Issued>, IssuerError> {
        let recorded = self.record_items(items, batch_id, now)?;
        let work: Vec<(&Document, CredentialRecord)> = items
            .iter()
            .zip(&recorded)
            .map(|(item, r)| (item.document, r.record.clone()))
            .collect();
        let mut issued = self.sign_records(&work)?;
        for ((done, item), r) in issued.iter_mut().zip(items).zip(&recorded) {
            done.copies = self.sign_copy_records(item.document, &r.copies)?;
        }
        Ok(issued)
    }

    /// The first half of [`Issuer::issue_items`]: record the items in one registry
    /// transaction (all or none) and return their records, in order, without signing. The
    /// credentials exist once this returns; sign them with a [`Signer`] (on any thread), each
    /// exactly as [`Issuer::issue_items`] would have.
    pub fn record_items(
        &mut self,
        items: &[BatchItem<'_>],
        batch_id: Option<&str>,
        now: i64,
    ) -> Result<Vec<RecordedItem>, IssuerError> {
        let mut rows = Vec::with_capacity(items.len());
        let today = giayto_model::date::vietnam_date(now);
        for item in items {
            copies::check_keys(&item.options)?;
            if let Some(day) = today {
                item.document
                    .check_signed_on(day)
                    .map_err(|error| IssuerError::Field {
                        line: item.line,
                        error,
                    })?;
            }
        }
        for item in items {
            let expires_at = credential_expiry(item.document, now, item.options.valid_days)
                .ok_or(IssuerError::DocumentExpired)?;
            rows.push(NewCredential {
                serial: Vec::new(),
                doc_type: item.document.doc_type().as_str().to_owned(),
                holder_id: item.document.holder_id_number().map(str::to_owned),
                issued_at: now,
                expires_at,
                holder_key: item.options.holder_key,
                assurance_level: item.options.assurance_level,
                batch: batch_id.map(|b| BatchLine {
                    batch_id: b.to_owned(),
                    line: item.line,
                }),
                copy_of: None,
            });
            // Its one-time copies: rows of their own, linked to the document's (D111), with the
            // document's level and their own times (copies::copy_times); no holder ID number
            // (the document's row has it).
            let keys = &item.options.one_time_keys;
            for (key, (issued_at, expires_at)) in
                keys.iter()
                    .zip(copies::copy_times(now, expires_at, keys.len())?)
            {
                rows.push(NewCredential {
                    serial: Vec::new(),
                    doc_type: item.document.doc_type().as_str().to_owned(),
                    holder_id: None,
                    issued_at,
                    expires_at,
                    holder_key: Some(*key),
                    assurance_level: item.options.assurance_level,
                    batch: None,
                    copy_of: Some(Vec::new()),
                });
            }
        }
        let records = self.record_rows(rows)?;
        // Documents in order, each followed by its copies.
        let mut records = records.into_iter();
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let record = records.next().ok_or(IssuerError::Sign)?;
            let copies: Vec<CredentialRecord> = records
                .by_ref()
                .take(item.options.one_time_keys.len())
                .collect();
            out.push(RecordedItem { record, copies });
        }
        Ok(out)
    }

    /// The key and metadata alone, to sign on other threads while this issuer records the
    /// next rows.
    pub fn signer(&self) -> Signer {
        Signer {
            key: self.key.clone(),
            meta: self.meta.clone(),
        }
    }

    /// Record rows, drawing fresh serials; the records made, in order. A copy whose `copy_of`
    /// is empty is a copy of the document row before it (its serial is filled in here); one
    /// with a serial is a copy of that recorded document.
    fn record_rows(
        &mut self,
        template: Vec<NewCredential>,
    ) -> Result<Vec<CredentialRecord>, IssuerError> {
        let list_size = self.meta.list_size();
        let mut attempts = 0;
        let (rows, slots) = loop {
            let mut rows = template.clone();
            let mut document: Vec<u8> = Vec::new();
            let fresh = serials(rows.iter().map(|r| r.issued_at))?;
            for (row, serial) in rows.iter_mut().zip(fresh) {
                match &mut row.copy_of {
                    None => document.clone_from(&serial),
                    Some(of) if of.is_empty() => of.clone_from(&document),
                    Some(_) => {}
                }
                row.serial = serial;
            }
            match self.registry.record(&rows, list_size) {
                Ok(slots) => break (rows, slots),
                // 80 random bits: a collision is a freak; draw again, at most a few times.
                Err(RegistryError::DuplicateSerial) if attempts < 3 => attempts += 1,
                Err(e) => return Err(e.into()),
            }
        };
        Ok(rows
            .into_iter()
            .zip(slots)
            .map(|(row, slot)| CredentialRecord {
                serial: row.serial,
                doc_type: row.doc_type,
                holder_id: row.holder_id,
                issued_at: row.issued_at,
                expires_at: row.expires_at,
                holder_key: row.holder_key,
                assurance_level: row.assurance_level,
                slot,
                status: giayto_status::Status::Valid,
                copy_of: row.copy_of,
            })
            .collect())
    }

    /// Sign many records, spread over [`Issuer::set_signing_threads`] threads; results in
    /// order.
    pub fn sign_records(
        &self,
        work: &[(&Document, CredentialRecord)],
    ) -> Result<Vec<Issued>, IssuerError> {
        let (key, meta) = (&self.key, &self.meta);
        let sign_all = |part: &[(&Document, CredentialRecord)]| {
            part.iter()
                .map(|(doc, record)| sign_record_with(key, meta, doc, record))
                .collect::<Result<Vec<_>, _>>()
        };
        // Below a few dozen credentials a thread costs more than it saves.
        let threads = self.signing_threads.min(work.len() / 32).max(1);
        if threads == 1 {
            return sign_all(work);
        }
        let per_thread = work.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = work
                .chunks(per_thread)
                .map(|part| scope.spawn(move || sign_all(part)))
                .collect();
            let mut out = Vec::with_capacity(work.len());
            for h in handles {
                out.extend(h.join().map_err(|_| IssuerError::Sign)??);
            }
            Ok(out)
        })
    }

    /// Sign on this many threads at once (default: every core). The registry is written by
    /// one thread either way.
    pub fn set_signing_threads(&mut self, threads: usize) {
        self.signing_threads = threads.max(1);
    }

    /// Sign the credential a registry record describes. Ed25519 signatures are
    /// deterministic, so for the same document this gives back byte for byte the credential
    /// issued when the record was made: how an interrupted batch recovers its output.
    pub fn sign_record(
        &self,
        document: &Document,
        record: &CredentialRecord,
    ) -> Result<Issued, IssuerError> {
        sign_record_with(&self.key, &self.meta, document, record)
    }

    /// The selective-disclosure form (docs/format.md §14) of a credential just issued or
    /// re-signed: the same claims as `issued` (serial, times, holder key, status entry),
    /// with the commitment claim in place of the document, fresh salts from the OS random
    /// generator. It shares the full credential's registry row and status entry, so revoking
    /// or suspending the document changes both (docs/decisions.md D98).
    pub fn sign_sd(
        &self,
        document: &Document,
        issued: &Issued,
    ) -> Result<giayto_cose::sd::HolderCopy, IssuerError> {
        sign_sd_with(&self.key, &self.meta, document, issued)
    }

    /// The Claim 169 code (docs/format.md §16) of a credential just issued or re-signed: the
    /// same person, `iat` and `exp` as `issued`, signed by this issuer's key. Only an identity
    /// card has one. Not recorded: it shares the credential's registry row (revoking the
    /// credential cannot reach it, as Claim 169 carries no status reference; §16.6).
    pub fn sign_claim169(
        &self,
        document: &Document,
        issued: &Issued,
    ) -> Result<String, crate::claim169::Claim169Error> {
        sign_claim169_with(&self.key, &self.meta, document, issued)
    }

    /// Take back a credential just issued whose output could not be written, so the
    /// registry does not count a credential nobody received (see
    /// [`RegistryBackend::withdraw`]). Returns whether it was removed.
    pub fn withdraw(&mut self, serial: &[u8]) -> Result<bool, IssuerError> {
        Ok(self.registry.withdraw(serial)?)
    }

    /// The records already made for a batch, by input line.
    pub fn batch_lines(
        &mut self,
        batch_id: &str,
    ) -> Result<Vec<(u64, CredentialRecord)>, IssuerError> {
        Ok(self.registry.batch_lines(batch_id)?)
    }

    /// Hold a credential (docs/format.md §9.3), with a reason, until `until` when given;
    /// recorded in the audit trail.
    pub fn hold(
        &mut self,
        target: &Target,
        reason: &str,
        now: i64,
        until: Option<i64>,
    ) -> Result<ChangeReport, IssuerError> {
        Ok(self.registry.hold(target, reason, now, until)?)
    }

    /// Release every hold whose end has come by `now` (audited); [`Issuer::publish`] does
    /// this first, so a published list never shows a hold past its end.
    pub fn release_due(&mut self, now: i64) -> Result<ChangeReport, IssuerError> {
        Ok(self.registry.release_due(now)?)
    }

    /// Revoke, suspend, reinstate, hold (without an end) or release, with a reason, recorded
    /// in the audit trail.
    pub fn change_status(
        &mut self,
        target: &Target,
        action: Action,
        reason: &str,
        now: i64,
    ) -> Result<ChangeReport, IssuerError> {
        Ok(self.registry.change_status(target, action, reason, now)?)
    }

    /// Build and sign every status list as it stands now, valid for `valid_for` seconds,
    /// with `ttl` as the caching hint. Holds whose end has come are released first
    /// ([`Issuer::release_due`], audited).
    pub fn publish(
        &mut self,
        now: i64,
        valid_for: i64,
        ttl: Option<u64>,
    ) -> Result<Vec<PublishedList>, IssuerError> {
        self.registry.release_due(now)?;
        let lists = self.registry.lists()?;
        let mut out = Vec::with_capacity(lists.len());
        for info in lists {
            let (token, (revoked, suspended, held)) =
                self.list_token(&info, now, valid_for, ttl)?;
            let uri = token.uri.clone();
            let token = token.sign(&self.key).map_err(|e| match e {
                giayto_status::StatusError::Sign => IssuerError::Sign,
                e => IssuerError::StatusList(e),
            })?;
            out.push(PublishedList {
                list: info.list,
                uri,
                size: info.size,
                revoked,
                suspended,
                held,
                token,
            });
        }
        Ok(out)
    }

    /// List `info` as it stands in the registry, as a token (not yet signed) published at
    /// `now`, with how many entries are revoked, suspended and held: what [`Issuer::publish`] signs
    /// and what a status delta leads to (docs/format.md §9.8).
    pub(crate) fn list_token(
        &mut self,
        info: &crate::registry::ListInfo,
        now: i64,
        valid_for: i64,
        ttl: Option<u64>,
    ) -> Result<(StatusListToken, (u64, u64, u64)), IssuerError> {
        let mut list =
            StatusList::new(info.size).map_err(|_| RegistryError::Corrupt { what: "list size" })?;
        let (mut revoked, mut suspended, mut held) = (0, 0, 0);
        for (index, status) in self.registry.not_valid(info.list)? {
            match status {
                giayto_status::Status::Revoked => revoked += 1,
                giayto_status::Status::Suspended => suspended += 1,
                giayto_status::Status::Held => held += 1,
                giayto_status::Status::Valid => {}
            }
            list.set(index, status)
                .map_err(|_| RegistryError::Corrupt {
                    what: "status index",
                })?;
        }
        let token = StatusListToken {
            uri: self.meta.status_uri(info.list),
            issued_at: now,
            expires_at: now.saturating_add(valid_for.max(1)),
            ttl,
            list,
        };
        Ok((token, (revoked, suspended, held)))
    }
}

mod delta;
pub use delta::{DeltaSince, IssuedDelta};

mod copies;
#[cfg(test)]
mod tests;
