//! The root authority: its folder, the issuer keys it vouches for, key rotation, and the
//! signing of trust lists (docs/format.md §6).
//!
//! A root folder holds `root.key` (encrypted), `root.pub` (pinned by verifiers) and `root.json`,
//! the state: the root's id, the sequence number of the last trust list signed, and every issuer
//! key with its id, names, document types and signing validity. The state is plain data
//! ([`RootState`]) whose changes check every rule ([`RootState::add_issuer`],
//! [`RootState::remove_issuer`], [`RootState::rotate_issuer`], [`RootState::sign_next`]); the
//! functions that read and write the folder ([`RootState::load`], [`RootState::save`], [`init`],
//! [`sign_trust_list`]) never start afresh over a damaged state file: a missing, empty or corrupt
//! `root.json` is an error naming the file.
//!
//! ```
//! use giayto_model::DocType;
//! use giayto_trust::authority::{NewIssuer, RootState};
//! use ed25519_dalek::SigningKey;
//!
//! let root = SigningKey::from_bytes(&[1; 32]);
//! let (old, new) = (SigningKey::from_bytes(&[2; 32]), SigningKey::from_bytes(&[3; 32]));
//! let now = 1_790_000_000;
//! let mut state = RootState::new("VN.ROOT")?;
//! state.add_issuer(NewIssuer {
//!     id: "VN.BHXH".into(),
//!     name_vi: "Bảo hiểm xã hội Việt Nam".into(),
//!     name_en: None,
//!     public_key: old.verifying_key().to_bytes(),
//!     doc_types: vec![DocType::Bhyt],
//!     valid_days: 1825,
//!     status_uri_prefix: None,
//! }, now)?;
//! // A new key, trusted alongside the old one; the old one signs for ten more days.
//! state.rotate_issuer("VN.BHXH", new.verifying_key().to_bytes(), now + 10 * 86_400, 1825, now)?;
//! let (_signed, list) = state.sign_next(&root, 30, now)?;
//! assert_eq!(list.sequence, 1);
//! assert_eq!(list.issuers.len(), 2);
//! assert_eq!(list.issuers[0].not_after, now + 10 * 86_400);
//! # Ok::<(), giayto_trust::authority::AuthorityError>(())
//! ```
//!
//! Over 600 lines on purpose: the state's rules and the folder operations that apply them are
//! one unit (each folder function is a load, one rule, a save), and splitting them would put the
//! rule a save must never skip in another file from the save. Its tests are in `authority/tests.rs`.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use ed25519_dalek::{SigningKey, VerifyingKey};
use giayto_cose::{kid_for, Signer};
use giayto_model::DocType;
use serde::{Deserialize, Serialize};

use crate::keys::{self, KdfCost, KeyError};
use crate::list::{is_valid_id, IssuerEntry, TrustList, Withdrawn, MAX_ISSUERS};
use crate::SecretString;

/// The root's secret key file.
pub const KEY_FILE: &str = "root.key";
/// The root's public key file.
pub const PUB_FILE: &str = "root.pub";
/// The root's state file.
pub const STATE_FILE: &str = "root.json";
/// Largest state file read: [`MAX_ISSUERS`] entries with long names fit with room to spare.
pub const MAX_STATE_BYTES: u64 = 4 * 1024 * 1024;
/// Longest name or status uri prefix, in bytes: what a trust list entry may carry
/// (docs/format.md §6.3).
pub const MAX_TEXT_BYTES: usize = 256;

const DAY: i64 = 86_400;

/// Why a root authority operation failed. Every variant leaves the state as it was.
#[non_exhaustive]
#[derive(Debug)]
pub enum AuthorityError {
    /// The folder has no state file: it is not a root authority folder.
    NotARoot {
        /// The folder.
        dir: PathBuf,
    },
    /// The folder already holds a root key or state.
    AlreadyInitialised {
        /// The folder.
        dir: PathBuf,
    },
    /// The state file is empty, not JSON of the expected shape, or breaks a rule.
    Corrupt {
        /// The state file.
        path: PathBuf,
        /// What is wrong, in English.
        what: String,
    },
    /// A file could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A key file problem (including a wrong passphrase).
    Key(KeyError),
    /// The id breaks the id rule ([`crate::is_valid_id`]).
    BadId {
        /// The id.
        id: String,
    },
    /// The Vietnamese name is empty, or a name is longer than [`MAX_TEXT_BYTES`].
    BadName {
        /// The issuer.
        id: String,
    },
    /// The status uri prefix is empty or longer than [`MAX_TEXT_BYTES`].
    BadStatusPrefix {
        /// The issuer.
        id: String,
    },
    /// No document types were given.
    NoDocTypes {
        /// The issuer.
        id: String,
    },
    /// The key is already in the state (under `id`); a key belongs to one issuer entry.
    KeyPresent {
        /// The key's kid.
        kid: [u8; 8],
        /// The issuer it is listed under.
        id: String,
    },
    /// No key of this issuer (with this kid, if one was given) is in the state.
    UnknownIssuer {
        /// The issuer.
        id: String,
        /// The kid asked for.
        kid: Option<[u8; 8]>,
    },
    /// A rotation needs a key of the issuer valid now, to be replaced.
    NoCurrentKey {
        /// The issuer.
        id: String,
    },
    /// The overlap would end now or in the past.
    OverlapInPast {
        /// The end asked for.
        until: i64,
        /// Now.
        now: i64,
    },
    /// The overlap would end after the old key's own validity: a rotation never extends it.
    OverlapBeyondKey {
        /// The end asked for.
        until: i64,
        /// The old key's kid.
        kid: [u8; 8],
        /// The old key's `not_after`.
        not_after: i64,
    },
    /// The new key's validity would end before the overlap does.
    NewKeyEndsFirst {
        /// When the new key would stop being valid.
        not_after: i64,
        /// The end of the overlap.
        until: i64,
    },
    /// The trust list would name more than [`MAX_ISSUERS`] keys.
    TooManyIssuers,
    /// The trust list would withdraw more than [`crate::MAX_WITHDRAWN`] issuer ids or kids.
    TooManyWithdrawn,
    /// The sequence number cannot grow any more.
    SequenceExhausted,
    /// Signing the trust list failed.
    Sign,
}

impl std::fmt::Display for AuthorityError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hex = |k: &[u8; 8]| hex::encode(k);
        match self {
            AuthorityError::NotARoot { dir } => {
                write!(f, "{} is not a root authority folder", dir.display())
            }
            AuthorityError::AlreadyInitialised { dir } => {
                write!(f, "{} already holds a root authority", dir.display())
            }
            AuthorityError::Corrupt { path, what } => {
                write!(f, "{} is damaged: {what}", path.display())
            }
            AuthorityError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            AuthorityError::Key(e) => e.fmt(f),
            AuthorityError::BadId { id } => write!(f, "invalid id {id:?}"),
            AuthorityError::BadName { id } => write!(f, "invalid name for issuer {id}"),
            AuthorityError::BadStatusPrefix { id } => {
                write!(f, "invalid status uri prefix for issuer {id}")
            }
            AuthorityError::NoDocTypes { id } => write!(f, "no document types for issuer {id}"),
            AuthorityError::KeyPresent { kid, id } => {
                write!(f, "key {} is already listed for issuer {id}", hex(kid))
            }
            AuthorityError::UnknownIssuer { id, kid: None } => write!(f, "no issuer {id}"),
            AuthorityError::UnknownIssuer { id, kid: Some(k) } => {
                write!(f, "no key {} of issuer {id}", hex(k))
            }
            AuthorityError::NoCurrentKey { id } => {
                write!(f, "issuer {id} has no key valid now to rotate")
            }
            AuthorityError::OverlapInPast { until, now } => {
                write!(f, "overlap end {until} is not after now ({now})")
            }
            AuthorityError::OverlapBeyondKey {
                until,
                kid,
                not_after,
            } => write!(
                f,
                "overlap end {until} is after the end of key {} ({not_after})",
                hex(kid)
            ),
            AuthorityError::NewKeyEndsFirst { not_after, until } => write!(
                f,
                "the new key would end ({not_after}) before the overlap does ({until})"
            ),
            AuthorityError::TooManyIssuers => {
                write!(f, "a trust list names at most {MAX_ISSUERS} keys")
            }
            AuthorityError::TooManyWithdrawn => write!(
                f,
                "a trust list withdraws at most {} issuers and {} keys",
                crate::MAX_WITHDRAWN,
                crate::MAX_WITHDRAWN
            ),
            AuthorityError::SequenceExhausted => write!(f, "the sequence number is exhausted"),
            AuthorityError::Sign => write!(f, "signing the trust list failed"),
        }
    }
}

impl std::error::Error for AuthorityError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AuthorityError::Io { source, .. } => Some(source),
            AuthorityError::Key(e) => Some(e),
            _ => None,
        }
    }
}

impl From<KeyError> for AuthorityError {
    fn from(e: KeyError) -> Self {
        AuthorityError::Key(e)
    }
}

/// One issuer key the root vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorisedKey {
    /// Issuer id (a credential's `iss`).
    pub id: String,
    /// Name in Vietnamese.
    pub name_vi: String,
    /// Name in English.
    pub name_en: Option<String>,
    /// The Ed25519 public key.
    pub public_key: [u8; 32],
    /// Document types it may sign.
    pub doc_types: Vec<DocType>,
    /// Start of its signing validity, seconds.
    pub not_before: i64,
    /// End of its signing validity, seconds.
    pub not_after: i64,
    /// Status list uris of this issuer start with this, if set.
    pub status_uri_prefix: Option<String>,
}

impl AuthorisedKey {
    /// The key's kid.
    pub fn kid(&self) -> [u8; 8] {
        kid_for(&self.public_key)
    }

    /// The trust list entry for this key.
    pub fn entry(&self) -> IssuerEntry {
        IssuerEntry {
            id: self.id.clone(),
            name_vi: self.name_vi.clone(),
            name_en: self.name_en.clone(),
            public_key: self.public_key,
            doc_types: self.doc_types.iter().map(|t| t.code()).collect(),
            not_before: self.not_before,
            not_after: self.not_after,
            status_uri_prefix: self.status_uri_prefix.clone(),
        }
    }
}

/// An issuer key to add (or, for a key already listed under the same id, to update).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIssuer {
    /// Issuer id; must pass [`crate::is_valid_id`].
    pub id: String,
    /// Name in Vietnamese (trimmed; 1 to [`MAX_TEXT_BYTES`] bytes).
    pub name_vi: String,
    /// Name in English (trimmed; at most [`MAX_TEXT_BYTES`] bytes; empty means none).
    pub name_en: Option<String>,
    /// The public key.
    pub public_key: [u8; 32],
    /// Document types it may sign; at least one (duplicates are dropped).
    pub doc_types: Vec<DocType>,
    /// Days from now the key stays valid for signing.
    pub valid_days: u32,
    /// Status list uri prefix (1 to [`MAX_TEXT_BYTES`] bytes), if any.
    pub status_uri_prefix: Option<String>,
}

/// What [`RootState::add_issuer`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    /// The entry as it now stands.
    pub key: AuthorisedKey,
    /// The key was already listed under the id, and was updated (its `not_before` kept).
    pub updated: bool,
}

/// What [`RootState::rotate_issuer`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// The new key's entry.
    pub new_key: AuthorisedKey,
    /// The issuer's older keys whose validity now ends at the overlap end: kid and former
    /// `not_after`.
    pub shortened: Vec<([u8; 8], i64)>,
}

/// The root's state: its id, the last trust list sequence number, the issuer keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootState {
    id: String,
    sequence: u64,
    issuers: Vec<AuthorisedKey>,
    /// Issuer ids removed entirely, and kids removed, that every later list withdraws
    /// (docs/format.md §6.4), until the root adds them again.
    withdrawn: Withdrawn,
}

/// The state file as JSON: keys in hex, document types by name (docs/format.md §4).
#[derive(Serialize, Deserialize)]
struct StateFile {
    id: String,
    sequence: u64,
    issuers: Vec<StateFileIssuer>,
    /// Absent in the files of earlier releases: nothing withdrawn.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    withdrawn_issuers: Vec<String>,
    /// Hex kids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    withdrawn_kids: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct StateFileIssuer {
    id: String,
    name_vi: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name_en: Option<String>,
    public_key: String,
    doc_types: Vec<String>,
    not_before: i64,
    not_after: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status_uri_prefix: Option<String>,
}

fn days(n: u32) -> i64 {
    i64::from(n).saturating_mul(DAY)
}

fn text_ok(t: &str) -> bool {
    !t.is_empty() && t.len() <= MAX_TEXT_BYTES
}

/// The id rule ([`crate::is_valid_id`]) with a typed error.
pub fn check_id(id: &str) -> Result<(), AuthorityError> {
    if is_valid_id(id) {
        Ok(())
    } else {
        Err(AuthorityError::BadId { id: id.to_owned() })
    }
}

impl RootState {
    /// A new state with no issuers and no trust list signed yet.
    pub fn new(id: &str) -> Result<RootState, AuthorityError> {
        check_id(id)?;
        Ok(RootState {
            id: id.to_owned(),
            sequence: 0,
            issuers: Vec::new(),
            withdrawn: Withdrawn::default(),
        })
    }

    /// The root's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The sequence number of the last trust list signed (0: none yet).
    pub fn sequence(&self) -> u64 {
        self.sequence
    }

    /// Every issuer key, in the order they were added.
    pub fn issuers(&self) -> &[AuthorisedKey] {
        &self.issuers
    }

    /// What the next trust list withdraws.
    pub fn withdrawn(&self) -> &Withdrawn {
        &self.withdrawn
    }

    /// A key listed again under `id` is no longer withdrawn, nor is its issuer.
    fn relist(&mut self, id: &str, kid: &[u8; 8]) {
        self.withdrawn.issuers.retain(|i| i != id);
        self.withdrawn.kids.retain(|k| k != kid);
    }

    fn holder_of(&self, public_key: &[u8; 32]) -> Option<&AuthorisedKey> {
        self.issuers.iter().find(|k| &k.public_key == public_key)
    }

    /// Add an issuer key valid from `now` for `valid_days`. A key already listed under the
    /// same id is updated instead (names, document types, prefix; `not_after` from now, its
    /// `not_before` kept); a key listed under another id is refused.
    pub fn add_issuer(&mut self, new: NewIssuer, now: i64) -> Result<Added, AuthorityError> {
        check_id(&new.id)?;
        let name_vi = new.name_vi.trim().to_owned();
        let name_en = new
            .name_en
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        if !text_ok(&name_vi) || name_en.as_deref().is_some_and(|n| !text_ok(n)) {
            return Err(AuthorityError::BadName { id: new.id });
        }
        if new
            .status_uri_prefix
            .as_deref()
            .is_some_and(|p| !text_ok(p))
        {
            return Err(AuthorityError::BadStatusPrefix { id: new.id });
        }
        let mut doc_types = Vec::new();
        for t in new.doc_types {
            if !doc_types.contains(&t) {
                doc_types.push(t);
            }
        }
        if doc_types.is_empty() {
            return Err(AuthorityError::NoDocTypes { id: new.id });
        }
        let mut key = AuthorisedKey {
            id: new.id,
            name_vi,
            name_en,
            public_key: new.public_key,
            doc_types,
            not_before: now,
            not_after: now.saturating_add(days(new.valid_days)),
            status_uri_prefix: new.status_uri_prefix,
        };
        match self.holder_of(&key.public_key) {
            Some(other) if other.id != key.id => Err(AuthorityError::KeyPresent {
                kid: key.kid(),
                id: other.id.clone(),
            }),
            Some(_) => {
                let existing = self
                    .issuers
                    .iter_mut()
                    .find(|k| k.public_key == key.public_key)
                    .ok_or(AuthorityError::UnknownIssuer {
                        id: key.id.clone(),
                        kid: None,
                    })?;
                key.not_before = existing.not_before;
                *existing = key.clone();
                Ok(Added { key, updated: true })
            }
            None => {
                if self.issuers.len() >= MAX_ISSUERS {
                    return Err(AuthorityError::TooManyIssuers);
                }
                self.issuers.push(key.clone());
                self.relist(&key.id, &key.kid());
                Ok(Added {
                    key,
                    updated: false,
                })
            }
        }
    }

    /// Remove every key of issuer `id`, or only the one with `kid`. After the next trust list
    /// the credentials those keys signed are `unknown_issuer` (docs/format.md §6.3). Every list
    /// signed after withdraws the removed kids and, once no key of `id` is left, the issuer id
    /// (§6.4), so that no X.509 certificate vouches for them either (§18.4). Returns the kids
    /// removed.
    pub fn remove_issuer(
        &mut self,
        id: &str,
        kid: Option<[u8; 8]>,
    ) -> Result<Vec<[u8; 8]>, AuthorityError> {
        let hit = |k: &AuthorisedKey| k.id == id && kid.is_none_or(|want| k.kid() == want);
        let removed: Vec<[u8; 8]> = self
            .issuers
            .iter()
            .filter(|k| hit(k))
            .map(AuthorisedKey::kid)
            .collect();
        if removed.is_empty() {
            return Err(AuthorityError::UnknownIssuer {
                id: id.to_owned(),
                kid,
            });
        }
        let gone = !self.issuers.iter().any(|k| k.id == id && !hit(k));
        let mut withdrawn = self.withdrawn.clone();
        for k in &removed {
            if !withdrawn.kid(k) {
                withdrawn.kids.push(*k);
            }
        }
        if gone && !withdrawn.issuer(id) {
            withdrawn.issuers.push(id.to_owned());
        }
        if withdrawn.kids.len() > crate::MAX_WITHDRAWN
            || withdrawn.issuers.len() > crate::MAX_WITHDRAWN
        {
            return Err(AuthorityError::TooManyWithdrawn);
        }
        self.issuers.retain(|k| !hit(k));
        self.withdrawn = withdrawn;
        Ok(removed)
    }

    /// Rotate issuer `id` to `new_key` with an overlap: the new key is valid from `now` for
    /// `valid_days`, with the document types, names and status prefix of the issuer's current
    /// key (its key valid now that was added last); every older key of the issuer still valid
    /// after `old_until` now ends there. During the overlap both keys verify; a credential the
    /// old key signs after `old_until` is `issuer_not_authorized`, while what it signed before
    /// stays valid to its own `exp` (docs/format.md §6.3).
    ///
    /// Refused: an unknown issuer, no key of it valid now, a new key already listed (under any
    /// id), `old_until` not after `now` or after the current key's own `not_after`, and a new
    /// key that would end before the overlap.
    pub fn rotate_issuer(
        &mut self,
        id: &str,
        new_key: [u8; 32],
        old_until: i64,
        valid_days: u32,
        now: i64,
    ) -> Result<Rotation, AuthorityError> {
        if !self.issuers.iter().any(|k| k.id == id) {
            return Err(AuthorityError::UnknownIssuer {
                id: id.to_owned(),
                kid: None,
            });
        }
        if let Some(other) = self.holder_of(&new_key) {
            return Err(AuthorityError::KeyPresent {
                kid: kid_for(&new_key),
                id: other.id.clone(),
            });
        }
        let current = self
            .issuers
            .iter()
            .filter(|k| k.id == id && k.not_before <= now && now <= k.not_after)
            .max_by_key(|k| (k.not_before, k.not_after))
            .ok_or_else(|| AuthorityError::NoCurrentKey { id: id.to_owned() })?
            .clone();
        if old_until <= now {
            return Err(AuthorityError::OverlapInPast {
                until: old_until,
                now,
            });
        }
        if old_until > current.not_after {
            return Err(AuthorityError::OverlapBeyondKey {
                until: old_until,
                kid: current.kid(),
                not_after: current.not_after,
            });
        }
        let not_after = now.saturating_add(days(valid_days));
        if not_after <= old_until {
            return Err(AuthorityError::NewKeyEndsFirst {
                not_after,
                until: old_until,
            });
        }
        if self.issuers.len() >= MAX_ISSUERS {
            return Err(AuthorityError::TooManyIssuers);
        }
        let mut shortened = Vec::new();
        for k in self.issuers.iter_mut().filter(|k| k.id == id) {
            if k.not_after > old_until {
                shortened.push((k.kid(), k.not_after));
                k.not_after = old_until;
            }
        }
        let new_key = AuthorisedKey {
            public_key: new_key,
            not_before: now,
            not_after,
            ..current
        };
        self.issuers.push(new_key.clone());
        self.relist(id, &new_key.kid());
        Ok(Rotation { new_key, shortened })
    }

    /// The next trust list, valid for `valid_days` (at least one) from `now`, signed by
    /// `root`: its sequence number is one more than the last, and the state records it only
    /// once the signature is made.
    pub fn sign_next(
        &mut self,
        root: &dyn Signer,
        valid_days: u32,
        now: i64,
    ) -> Result<(Vec<u8>, TrustList), AuthorityError> {
        let sequence = self
            .sequence
            .checked_add(1)
            .ok_or(AuthorityError::SequenceExhausted)?;
        let list = TrustList {
            root_id: self.id.clone(),
            sequence,
            issued_at: now,
            expires_at: now.saturating_add(days(valid_days.max(1))),
            issuers: self.issuers.iter().map(AuthorisedKey::entry).collect(),
            withdrawn: self.withdrawn.clone(),
        };
        let bytes = list.sign(root).map_err(|_| AuthorityError::Sign)?;
        self.sequence = sequence;
        Ok((bytes, list))
    }

    /// Read `dir/root.json`. A missing file means `dir` is no root folder; an empty, damaged
    /// or rule-breaking one is [`AuthorityError::Corrupt`], never a fresh start.
    pub fn load(dir: &Path) -> Result<RootState, AuthorityError> {
        let path = dir.join(STATE_FILE);
        let file = fs::File::open(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => AuthorityError::NotARoot {
                dir: dir.to_owned(),
            },
            _ => io_error(&path, e),
        })?;
        let mut bytes = Vec::new();
        file.take(MAX_STATE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| io_error(&path, e))?;
        Self::from_json(&bytes).map_err(|what| AuthorityError::Corrupt { path, what })
    }

    fn from_json(bytes: &[u8]) -> Result<RootState, String> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err("the file is empty".into());
        }
        if bytes.len() as u64 > MAX_STATE_BYTES {
            return Err(format!("larger than {MAX_STATE_BYTES} bytes"));
        }
        let file: StateFile = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if !is_valid_id(&file.id) {
            return Err(format!("invalid root id {:?}", file.id));
        }
        if file.issuers.len() > MAX_ISSUERS {
            return Err(format!("more than {MAX_ISSUERS} issuer keys"));
        }
        if file.withdrawn_issuers.len() > crate::MAX_WITHDRAWN
            || file.withdrawn_kids.len() > crate::MAX_WITHDRAWN
        {
            return Err(format!("more than {} withdrawn", crate::MAX_WITHDRAWN));
        }
        let mut withdrawn = Withdrawn::default();
        for id in file.withdrawn_issuers {
            if !is_valid_id(&id) {
                return Err(format!("invalid withdrawn issuer id {id:?}"));
            }
            withdrawn.issuers.push(id);
        }
        for kid in file.withdrawn_kids {
            let k: [u8; 8] = hex::decode(&kid)
                .ok()
                .and_then(|k| k.try_into().ok())
                .ok_or_else(|| format!("invalid withdrawn kid {kid:?}"))?;
            withdrawn.kids.push(k);
        }
        let mut state = RootState {
            id: file.id,
            sequence: file.sequence,
            issuers: Vec::with_capacity(file.issuers.len()),
            withdrawn,
        };
        for (n, i) in file.issuers.into_iter().enumerate() {
            let at = |what: &str| format!("issuer {} ({}): {what}", n + 1, i.id);
            let public_key: [u8; 32] = hex::decode(&i.public_key)
                .ok()
                .and_then(|k| k.try_into().ok())
                .filter(|k| VerifyingKey::from_bytes(k).is_ok())
                .ok_or_else(|| at("invalid public key"))?;
            let doc_types = i
                .doc_types
                .iter()
                .map(|t| DocType::from_name(t).ok_or_else(|| at("unknown document type")))
                .collect::<Result<Vec<_>, _>>()?;
            let ok = is_valid_id(&i.id)
                && text_ok(&i.name_vi)
                && i.name_en.as_deref().is_none_or(text_ok)
                && i.status_uri_prefix.as_deref().is_none_or(text_ok)
                && !doc_types.is_empty()
                && i.not_before <= i.not_after;
            if !ok {
                return Err(at("invalid entry"));
            }
            if state.holder_of(&public_key).is_some() {
                return Err(at("key listed twice"));
            }
            state.issuers.push(AuthorisedKey {
                id: i.id,
                name_vi: i.name_vi,
                name_en: i.name_en,
                public_key,
                doc_types,
                not_before: i.not_before,
                not_after: i.not_after,
                status_uri_prefix: i.status_uri_prefix,
            });
        }
        if state
            .issuers
            .iter()
            .any(|k| state.withdrawn.issuer(&k.id) || state.withdrawn.kid(&k.kid()))
        {
            return Err("an issuer or key both listed and withdrawn".into());
        }
        Ok(state)
    }

    fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        let file = StateFile {
            id: self.id.clone(),
            sequence: self.sequence,
            issuers: self
                .issuers
                .iter()
                .map(|k| StateFileIssuer {
                    id: k.id.clone(),
                    name_vi: k.name_vi.clone(),
                    name_en: k.name_en.clone(),
                    public_key: hex::encode(k.public_key),
                    doc_types: k.doc_types.iter().map(|t| t.as_str().to_owned()).collect(),
                    not_before: k.not_before,
                    not_after: k.not_after,
                    status_uri_prefix: k.status_uri_prefix.clone(),
                })
                .collect(),
            withdrawn_issuers: self.withdrawn.issuers.clone(),
            withdrawn_kids: self.withdrawn.kids.iter().map(hex::encode).collect(),
        };
        let mut bytes = serde_json::to_vec_pretty(&file)?;
        bytes.push(b'\n');
        Ok(bytes)
    }

    /// Write `dir/root.json` atomically: a new file beside it, synced, renamed over the old
    /// one. A failure leaves the old file as it was.
    pub fn save(&self, dir: &Path) -> Result<(), AuthorityError> {
        let path = dir.join(STATE_FILE);
        let bytes = self.to_json().map_err(|e| io_error(&path, e.into()))?;
        write_atomic(&path, &bytes)
    }
}

fn io_error(path: &Path, source: std::io::Error) -> AuthorityError {
    AuthorityError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Write `path` through a new temporary file beside it, synced, then renamed over.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), AuthorityError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    let result = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|_| f.sync_all()))
        .and_then(|_| fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(io_error(path, e));
    }
    // Make the rename itself durable where the platform allows it.
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if let Ok(d) = fs::File::open(parent) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// Create a root authority in `dir`: a new key encrypted under `passphrase` (`root.key`), its
/// public key (`root.pub`) and an empty state (`root.json`). Refuses a folder that already
/// holds any of them; on failure removes what it wrote.
pub fn init(
    dir: &Path,
    id: &str,
    passphrase: &SecretString,
    cost: KdfCost,
) -> Result<SigningKey, AuthorityError> {
    let state = RootState::new(id)?;
    fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    if [KEY_FILE, PUB_FILE, STATE_FILE]
        .iter()
        .any(|f| dir.join(f).exists())
    {
        return Err(AuthorityError::AlreadyInitialised {
            dir: dir.to_owned(),
        });
    }
    let key = keys::generate()?;
    let mut created = Vec::new();
    let result = (|| {
        keys::write_secret_key(&dir.join(KEY_FILE), &key, passphrase, cost)?;
        created.push(KEY_FILE);
        keys::write_public_key(&dir.join(PUB_FILE), &key.verifying_key())?;
        created.push(PUB_FILE);
        created.push(STATE_FILE);
        state.save(dir)
    })();
    if let Err(e) = result {
        for name in created {
            let _ = fs::remove_file(dir.join(name));
        }
        return Err(e);
    }
    Ok(key)
}

/// Unlock the root key of `dir`.
pub fn open_key(dir: &Path, passphrase: &SecretString) -> Result<SigningKey, AuthorityError> {
    Ok(keys::read_secret_key(&dir.join(KEY_FILE), passphrase)?)
}

/// Load the state of `dir`, sign the next trust list with `root` and record its sequence
/// number. The state is saved before the list is returned, so a list that is published never
/// has a sequence number the state has not recorded: the next list always has a higher one.
pub fn sign_trust_list(
    dir: &Path,
    root: &SigningKey,
    valid_days: u32,
    now: i64,
) -> Result<(Vec<u8>, TrustList), AuthorityError> {
    let mut state = RootState::load(dir)?;
    let signed = state.sign_next(root, valid_days, now)?;
    state.save(dir)?;
    Ok(signed)
}

/// Load the state of `dir`, apply `change`, and save it only if the change succeeded.
pub fn update<T>(
    dir: &Path,
    change: impl FnOnce(&mut RootState) -> Result<T, AuthorityError>,
) -> Result<T, AuthorityError> {
    let mut state = RootState::load(dir)?;
    let out = change(&mut state)?;
    state.save(dir)?;
    Ok(out)
}

#[cfg(test)]
mod tests;
