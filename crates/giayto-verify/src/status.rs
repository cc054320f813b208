//! Status lists held by a verifier, the offline bundle, and the device's memory of the newest
//! data it has used (no rollback).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use ciborium::value::Value;
use giayto_cose::cbor::{self, as_i64, as_u64, get_int};
use giayto_status::{SignedStatusList, StatusError, StatusListToken};

use crate::{Reason, Status, StatusChecked, Verdict, Warning, STALE_WARNING};

/// A status list the verifier has checked: whose it is and what it says.
#[derive(Debug, Clone)]
pub struct LoadedStatusList {
    /// The id of the issuer that signed it.
    pub issuer_id: String,
    /// The token.
    pub token: StatusListToken,
}

/// Why a status list was not taken.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusLoadError {
    /// The token is not a valid signed status list.
    Invalid(StatusError),
    /// No issuer in the trust list has the signing key.
    UnknownSigner {
        /// The kid.
        kid: [u8; 8],
    },
    /// The list's uri is outside the prefix the trust list gives its issuer.
    UriOutsidePrefix {
        /// The uri.
        uri: String,
        /// The issuer.
        issuer: String,
    },
}

impl std::fmt::Display for StatusLoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatusLoadError::Invalid(e) => e.fmt(f),
            StatusLoadError::UnknownSigner { kid } => write!(
                f,
                "status list signed by key {} that the trust list does not name",
                crate::hex_lower(kid)
            ),
            StatusLoadError::UriOutsidePrefix { uri, issuer } => {
                write!(
                    f,
                    "status list {uri} is outside the uris of issuer {issuer}"
                )
            }
        }
    }
}

impl std::error::Error for StatusLoadError {}

/// Status lists by issuer id, then uri. A list only ever gives way to a newer one.
#[derive(Debug, Clone, Default)]
pub(crate) struct StatusStore {
    /// Boxed: a `Held` is several hundred bytes, and a national bundle's lists come from
    /// hundreds of issuers, each a map of its own whose first node has room for eleven
    /// (unboxed, 8 KiB per issuer, most of a bundle's memory; docs/decisions.md D199).
    lists: BTreeMap<String, BTreeMap<String, Box<Held>>>,
}

/// One list held: checked when added, or filed under its unverified uri and `iat` with its
/// check deferred to the first credential that needs it ([`crate::Verifier::add_status_list_deferred`]).
#[derive(Debug, Clone)]
struct Held {
    issuer_id: String,
    uri: String,
    issued_at: i64,
    /// The signed list and its signer's public key bytes, while the check is deferred (the key
    /// is decompressed then too: a national bundle's lists come from hundreds of issuers).
    pending: Option<(SignedStatusList, [u8; 32])>,
    /// The checked list once known; `None` inside when a deferred check failed.
    checked: OnceLock<Option<LoadedStatusList>>,
}

impl Held {
    /// The checked list, running a deferred check the first time.
    fn checked(&self) -> Option<&LoadedStatusList> {
        self.checked
            .get_or_init(|| {
                let (signed, key) = self.pending.as_ref()?;
                let key = ed25519_dalek::VerifyingKey::from_bytes(key).ok()?;
                let token = signed.verify(&key).ok()?;
                // The claims read before the check must be the ones signed.
                (token.uri == self.uri && token.issued_at == self.issued_at).then(|| {
                    LoadedStatusList {
                        issuer_id: self.issuer_id.clone(),
                        token,
                    }
                })
            })
            .as_ref()
    }

    /// The checked list if its check has run (a list whose deferred check has not run yet, or
    /// failed, is not).
    fn checked_so_far(&self) -> Option<&LoadedStatusList> {
        self.checked.get().and_then(Option::as_ref)
    }
}

/// A trust list key, decompressed when first needed (`None` inside: no curve point). Boxed: a
/// decompressed key is about 200 bytes, and a national trust list has a thousand cells of which
/// a check uses one or two (docs/decisions.md D199).
pub(crate) type KeyCell = OnceLock<Option<Box<ed25519_dalek::VerifyingKey>>>;

/// What the device's rollback protection looks at for one held list, checked or not.
pub(crate) struct HeldDates<'a> {
    pub(crate) issuer_id: &'a str,
    pub(crate) uri: &'a str,
    pub(crate) issued_at: i64,
}

/// What adding a status list did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// The first list for its uri.
    New,
    /// It replaced an older list for the same uri.
    Replaced,
    /// A list at least as new was already held; this one was ignored.
    OlderIgnored,
}

impl StatusStore {
    /// File a signed list under its issuer and uri. `signer` finds the trust list entry and key
    /// for a kid. With `defer`, the signature check and the inflating of the statuses wait for
    /// the first credential that needs the list, and the uri and `iat` it is filed under are
    /// read unverified (checked against the signed ones then).
    pub(crate) fn add<'t>(
        &mut self,
        signer: impl FnOnce(&[u8; 8]) -> Option<(&'t giayto_trust::IssuerEntry, &'t KeyCell)>,
        bytes: &[u8],
        defer: bool,
    ) -> Result<Added, StatusLoadError> {
        let signed = SignedStatusList::parse(bytes).map_err(StatusLoadError::Invalid)?;
        let kid = signed.kid();
        let (entry, key) = signer(&kid).ok_or(StatusLoadError::UnknownSigner { kid })?;
        let (uri, issued_at, pending, checked) = if defer {
            let header = signed
                .unverified_header()
                .map_err(StatusLoadError::Invalid)?;
            (
                header.uri,
                header.issued_at,
                Some((signed, entry.public_key)),
                OnceLock::new(),
            )
        } else {
            let key = key
                .get_or_init(|| {
                    ed25519_dalek::VerifyingKey::from_bytes(&entry.public_key)
                        .ok()
                        .map(Box::new)
                })
                .as_deref()
                .ok_or(StatusLoadError::Invalid(StatusError::BadSignature))?;
            let token = signed.verify(key).map_err(StatusLoadError::Invalid)?;
            let uri = token.uri.clone();
            let issued_at = token.issued_at;
            let loaded = LoadedStatusList {
                issuer_id: entry.id.clone(),
                token,
            };
            (uri, issued_at, None, OnceLock::from(Some(loaded)))
        };
        if let Some(prefix) = &entry.status_uri_prefix {
            if !uri.starts_with(prefix.as_str()) {
                return Err(StatusLoadError::UriOutsidePrefix {
                    uri,
                    issuer: entry.id.clone(),
                });
            }
        }
        let by_uri = self.lists.entry(entry.id.clone()).or_default();
        let outcome = match by_uri.get(&uri) {
            Some(held) if held.issued_at >= issued_at => return Ok(Added::OlderIgnored),
            Some(_) => Added::Replaced,
            None => Added::New,
        };
        by_uri.insert(
            uri.clone(),
            Box::new(Held {
                issuer_id: entry.id.clone(),
                uri,
                issued_at,
                pending,
                checked,
            }),
        );
        Ok(outcome)
    }

    /// Hold `list` for its issuer and uri, checked, in place of any list held there (the
    /// caller has checked that it is newer: a status delta's result, docs/format.md §9.8).
    pub(crate) fn put(&mut self, list: LoadedStatusList) {
        let (issuer_id, uri, issued_at) = (
            list.issuer_id.clone(),
            list.token.uri.clone(),
            list.token.issued_at,
        );
        self.lists.entry(issuer_id.clone()).or_default().insert(
            uri.clone(),
            Box::new(Held {
                issuer_id,
                uri,
                issued_at,
                pending: None,
                checked: OnceLock::from(Some(list)),
            }),
        );
    }

    /// The checked list for an issuer's uri; a deferred check runs here, and a list that fails
    /// it counts as not held.
    pub(crate) fn get(&self, issuer_id: &str, uri: &str) -> Option<&LoadedStatusList> {
        self.lists
            .get(issuer_id)
            .and_then(|m| m.get(uri))
            .and_then(|h| h.checked())
    }

    /// Every checked list, running the deferred checks.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &LoadedStatusList> {
        self.lists
            .values()
            .flat_map(BTreeMap::values)
            .filter_map(|h| h.checked())
    }

    /// The lists whose check has run and succeeded, without running any deferred one.
    pub(crate) fn iter_checked(&self) -> impl Iterator<Item = &LoadedStatusList> {
        self.lists
            .values()
            .flat_map(BTreeMap::values)
            .filter_map(|h| h.checked_so_far())
    }

    /// Issuer, uri and `iat` of every list held, checked or not.
    pub(crate) fn dates(&self) -> impl Iterator<Item = HeldDates<'_>> {
        self.lists
            .values()
            .flat_map(BTreeMap::values)
            .map(|h| HeldDates {
                issuer_id: &h.issuer_id,
                uri: &h.uri,
                issued_at: h.issued_at,
            })
    }

    /// How many lists are held, checked or not.
    pub(crate) fn len(&self) -> usize {
        self.lists.values().map(BTreeMap::len).sum()
    }
}

impl crate::Verifier {
    /// The credential's status (docs/format.md §9.5): nothing to check without a status
    /// claim; a list not held is `stale_status` (or a warning when told to accept it);
    /// revoked is final whatever the list's age; then the list's `exp`, with the clock skew and
    /// any grace the operator asked for; then suspended or held.
    pub(crate) fn check_status(
        &self,
        entry: &giayto_trust::IssuerEntry,
        claims: &giayto_cose::claims::CredentialClaims,
        now: i64,
        warnings: &mut Vec<Warning>,
    ) -> Result<Option<StatusChecked>, (Verdict, Reason)> {
        let Some(status) = &claims.status else {
            return Ok(None);
        };
        let uri = status.uri.clone();
        let Some(held) = self.status.get(&entry.id, &status.uri) else {
            if self.accept_missing_status {
                warnings.push(Warning::StatusNotChecked { uri });
                return Ok(None);
            }
            return Err((Verdict::StaleStatus, Reason::StatusUnavailable { uri }));
        };
        let token = &held.token;
        let index = status.idx;
        let Some(found) = token.list.get(index) else {
            return Err((
                Verdict::Malformed,
                Reason::StatusIndexOutOfRange {
                    uri,
                    index,
                    len: token.list.len(),
                },
            ));
        };
        // Revocation is final: an old list that says revoked is still right.
        if found == Status::Revoked {
            return Err((
                Verdict::Revoked,
                Reason::Status {
                    uri,
                    index,
                    status: found,
                },
            ));
        }
        let expires_at = token.expires_at;
        let past_exp = now > expires_at.saturating_add(self.clock_skew);
        if past_exp
            && now
                > expires_at
                    .saturating_add(self.clock_skew)
                    .saturating_add(self.status_grace)
        {
            return Err((
                Verdict::StaleStatus,
                Reason::StatusListExpired {
                    uri,
                    expired_at: expires_at,
                },
            ));
        }
        if found != Status::Valid {
            return Err((
                if found == Status::Held {
                    Verdict::Held
                } else {
                    Verdict::Suspended
                },
                Reason::Status {
                    uri,
                    index,
                    status: found,
                },
            ));
        }
        if past_exp {
            warnings.push(Warning::StatusListInGrace {
                uri: uri.clone(),
                expires_at,
            });
        } else if now > expires_at.saturating_sub(STALE_WARNING) {
            warnings.push(Warning::StatusListAging {
                uri: uri.clone(),
                expires_at,
            });
        }
        Ok(Some(StatusChecked {
            uri,
            index,
            list_issued_at: token.issued_at,
            list_expires_at: expires_at,
        }))
    }
}

/// Largest bundle accepted, in bytes.
pub const MAX_BUNDLE_BYTES: usize = 256 * 1024 * 1024;
/// Most status lists one bundle may carry.
pub const MAX_BUNDLE_LISTS: usize = 4096;
/// Most status deltas one bundle may carry (docs/format.md §10); past that a device needs
/// full lists again.
pub const MAX_BUNDLE_DELTAS: usize = 1024;
/// The format version of a bundle without status deltas.
const BUNDLE_VERSION: u64 = 1;
/// The format version of a bundle with status deltas: a reader of version 1 would ignore the
/// deltas and use the older lists, so such a bundle says it is another format.
const BUNDLE_VERSION_DELTAS: u64 = 2;

/// The offline bundle a checkpoint device syncs: the trust list and the status lists it
/// refers to, each still signed by its own authority (docs/format.md §10).
///
/// Encoding: a deterministic CBOR map `{1: version (1), 2: created_at, 3: trust list (bstr),
/// 4: [status list token (bstr), …]}`, and with status deltas version 2 and
/// `5: [status delta (bstr), …]` in the order they apply. The bundle itself is not signed:
/// every part inside is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    /// When the bundle was assembled, seconds.
    pub created_at: i64,
    /// The signed trust list.
    pub trust_list: Vec<u8>,
    /// Signed status list tokens.
    pub status_lists: Vec<Vec<u8>>,
    /// Signed status deltas taken since the bundle was made, in the order they apply
    /// (docs/format.md §9.8); each applies to the list held after the ones before it.
    pub status_deltas: Vec<Vec<u8>>,
}

/// Why a bundle cannot be read.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BundleError {
    /// Not a bundle, or a damaged one; `what` names the part.
    Format {
        /// The part.
        what: &'static str,
    },
    /// A version of the format this verifier does not know.
    Version {
        /// The version found.
        found: u64,
    },
    /// Larger than [`MAX_BUNDLE_BYTES`], or holding more than [`MAX_BUNDLE_LISTS`] lists or
    /// [`MAX_BUNDLE_DELTAS`] deltas.
    TooLarge,
    /// The trust list inside is not valid under the pinned root.
    Trust(giayto_trust::TrustError),
    /// A status list inside is not valid; `index` counts from 0.
    StatusList {
        /// Its position.
        index: usize,
        /// What is wrong.
        error: StatusLoadError,
    },
    /// A status delta inside is not valid or does not apply; `index` counts from 0.
    StatusDelta {
        /// Its position.
        index: usize,
        /// What is wrong.
        error: crate::DeltaLoadError,
    },
}

impl std::fmt::Display for BundleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BundleError::Format { what } => write!(f, "not a valid bundle: {what}"),
            BundleError::Version { found } => write!(f, "bundle format version {found} is unknown"),
            BundleError::TooLarge => write!(f, "bundle too large"),
            BundleError::Trust(e) => write!(f, "bundle trust list: {e}"),
            BundleError::StatusList { index, error } => {
                write!(f, "bundle status list {}: {error}", index + 1)
            }
            BundleError::StatusDelta { index, error } => {
                write!(f, "bundle status delta {}: {error}", index + 1)
            }
        }
    }
}

impl std::error::Error for BundleError {}

impl Bundle {
    /// Encode.
    pub fn to_bytes(&self) -> Vec<u8> {
        let array =
            |parts: &[Vec<u8>]| Value::Array(parts.iter().cloned().map(Value::Bytes).collect());
        let version = if self.status_deltas.is_empty() {
            BUNDLE_VERSION
        } else {
            BUNDLE_VERSION_DELTAS
        };
        let mut entries = vec![
            (1.into(), version.into()),
            (2.into(), self.created_at.into()),
            (3.into(), Value::Bytes(self.trust_list.clone())),
            (4.into(), array(&self.status_lists)),
        ];
        if !self.status_deltas.is_empty() {
            entries.push((5.into(), array(&self.status_deltas)));
        }
        cbor::encode(&cbor::map(entries))
    }

    /// Decode (the parts' signatures are checked when a verifier is built from it). The parts'
    /// bytes are taken out of the decoded value, not copied again: a national bundle is
    /// hundreds of kilobytes (docs/decisions.md D199).
    pub fn from_bytes(bytes: &[u8]) -> Result<Bundle, BundleError> {
        if bytes.len() > MAX_BUNDLE_BYTES {
            return Err(BundleError::TooLarge);
        }
        let value = cbor::decode_bounded(bytes, MAX_BUNDLE_BYTES)
            .map_err(|_| BundleError::Format { what: "encoding" })?;
        let Value::Map(mut map) = value else {
            return Err(BundleError::Format { what: "map" });
        };
        let version = get_int(&map, 1)
            .and_then(as_u64)
            .ok_or(BundleError::Format { what: "version" })?;
        if version != BUNDLE_VERSION && version != BUNDLE_VERSION_DELTAS {
            return Err(BundleError::Version { found: version });
        }
        let created_at = get_int(&map, 2)
            .and_then(cbor::as_time)
            .ok_or(BundleError::Format { what: "created_at" })?;
        let trust_list = match get_int_mut(&mut map, 3) {
            Some(Value::Bytes(b)) => std::mem::take(b),
            _ => return Err(BundleError::Format { what: "trust list" }),
        };
        let Some(Value::Array(lists)) = get_int_mut(&mut map, 4) else {
            return Err(BundleError::Format {
                what: "status lists",
            });
        };
        if lists.len() > MAX_BUNDLE_LISTS {
            return Err(BundleError::TooLarge);
        }
        let status_lists = take_byte_strings(lists).ok_or(BundleError::Format {
            what: "status lists",
        })?;
        // Version 1 has no deltas; version 2 has at least one.
        let status_deltas = match (version, get_int_mut(&mut map, 5)) {
            (BUNDLE_VERSION, None) => Vec::new(),
            (BUNDLE_VERSION_DELTAS, Some(Value::Array(deltas))) if !deltas.is_empty() => {
                if deltas.len() > MAX_BUNDLE_DELTAS {
                    return Err(BundleError::TooLarge);
                }
                take_byte_strings(deltas).ok_or(BundleError::Format {
                    what: "status deltas",
                })?
            }
            _ => {
                return Err(BundleError::Format {
                    what: "status deltas",
                })
            }
        };
        Ok(Bundle {
            created_at,
            trust_list,
            status_lists,
            status_deltas,
        })
    }
}

/// The value under an integer key of a decoded map, to take from.
fn get_int_mut(map: &mut [(Value, Value)], key: i64) -> Option<&mut Value> {
    map.iter_mut()
        .find(|(k, _)| k.as_integer().and_then(|i| i64::try_from(i).ok()) == Some(key))
        .map(|(_, v)| v)
}

/// The byte strings of an array, taken out of it; `None` if an item is anything else.
fn take_byte_strings(items: &mut [Value]) -> Option<Vec<Vec<u8>>> {
    items
        .iter_mut()
        .map(|v| match v {
            Value::Bytes(b) => Some(std::mem::take(b)),
            _ => None,
        })
        .collect()
}

/// What a device remembers of the data it has used, so that older data is never accepted
/// after newer (a replayed old trust list or status list would hide a revocation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeenState {
    /// Highest trust list sequence used.
    pub trust_sequence: u64,
    /// Newest `iat` used, per status list (issuer id, uri).
    pub status_issued_at: BTreeMap<(String, String), i64>,
}

/// Data a device must not use: older than what it has already used, or dated so far ahead of
/// its clock that recording it would make every genuine later list look old.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rollback {
    /// The trust list's sequence is lower than one already used.
    TrustList {
        /// The sequence already used.
        seen: u64,
        /// The sequence offered.
        offered: u64,
    },
    /// A status list is older than one already used for its uri.
    StatusList {
        /// Its uri.
        uri: String,
        /// The `iat` already used.
        seen: i64,
        /// The `iat` offered.
        offered: i64,
    },
    /// A trust list or status list signed more than [`MAX_DATA_AHEAD`] after the device's
    /// clock; `uri` is `None` for the trust list.
    FromFuture {
        /// The status list's uri, or `None` for the trust list.
        uri: Option<String>,
        /// Its `iat`.
        issued_at: i64,
        /// The device's clock.
        now: i64,
    },
}

impl std::fmt::Display for Rollback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rollback::TrustList { seen, offered } => write!(
                f,
                "trust list sequence {offered} is older than sequence {seen} already used"
            ),
            Rollback::StatusList { uri, seen, offered } => write!(
                f,
                "status list {uri} issued at {offered} is older than one issued at {seen} already used"
            ),
            Rollback::FromFuture { uri, issued_at, now } => write!(
                f,
                "{} is dated {issued_at}, more than {MAX_DATA_AHEAD} s after this device's clock ({now})",
                uri.as_deref().unwrap_or("the trust list")
            ),
        }
    }
}

impl std::error::Error for Rollback {}

const MAX_SEEN_LISTS: usize = 1 << 16;

/// How far after the device's clock a trust list or status list may be dated and still be used
/// (and remembered): one hour. A list dated years ahead would otherwise be recorded as the
/// newest seen and make every genuine list after it look like a rollback.
pub const MAX_DATA_AHEAD: i64 = 3600;

impl SeenState {
    /// Refuse a verifier whose data is older than what this device has used.
    pub fn check(&self, verifier: &crate::Verifier) -> Result<(), Rollback> {
        let offered = verifier.trust_list().sequence;
        if offered < self.trust_sequence {
            return Err(Rollback::TrustList {
                seen: self.trust_sequence,
                offered,
            });
        }
        // Every list held, checked or not: an older list is refused even before its signature
        // is looked at (a forged old list is refused either way).
        for l in verifier.status.dates() {
            if let Some(&seen) = self
                .status_issued_at
                .get(&(l.issuer_id.to_owned(), l.uri.to_owned()))
            {
                if l.issued_at < seen {
                    return Err(Rollback::StatusList {
                        uri: l.uri.to_owned(),
                        seen,
                        offered: l.issued_at,
                    });
                }
            }
        }
        Ok(())
    }

    /// The one operation a device runs on a verifier's data before it shows a result: refuse it
    /// when it is older than what the device has used ([`SeenState::check`]) or dated more than
    /// [`MAX_DATA_AHEAD`] after the device's clock `now`; otherwise record it as used
    /// ([`SeenState::update`]). Returns whether the state changed (and so must be saved). On
    /// refusal the state is unchanged. With deferred status lists, run it after the checks and
    /// before showing their results, so the lists they used are remembered.
    pub fn accept(&mut self, verifier: &crate::Verifier, now: i64) -> Result<bool, Rollback> {
        let limit = now.saturating_add(MAX_DATA_AHEAD);
        let trust = verifier.trust_list();
        if trust.issued_at > limit {
            return Err(Rollback::FromFuture {
                uri: None,
                issued_at: trust.issued_at,
                now,
            });
        }
        if let Some(l) = verifier.status.dates().find(|l| l.issued_at > limit) {
            return Err(Rollback::FromFuture {
                uri: Some(l.uri.to_owned()),
                issued_at: l.issued_at,
                now,
            });
        }
        self.check(verifier)?;
        let before = self.clone();
        self.update(verifier);
        Ok(*self != before)
    }

    /// Remember the verifier's data as used: the trust list and every status list whose
    /// signature has been checked. A list added with
    /// [`crate::Verifier::add_status_list_deferred`] counts once a credential has needed it;
    /// one never used, or whose deferred check failed, is not remembered (nothing it says was
    /// used), so a device calls [`SeenState::accept`] after its checks.
    pub fn update(&mut self, verifier: &crate::Verifier) {
        self.trust_sequence = self.trust_sequence.max(verifier.trust_list().sequence);
        for l in verifier.status.iter_checked() {
            let e = self
                .status_issued_at
                .entry((l.issuer_id.clone(), l.token.uri.clone()))
                .or_insert(l.token.issued_at);
            *e = (*e).max(l.token.issued_at);
        }
    }

    /// Encode: `{1: trust sequence, 2: [[issuer id, uri, iat], …]}`.
    pub fn to_bytes(&self) -> Vec<u8> {
        cbor::encode(&cbor::map(vec![
            (1.into(), self.trust_sequence.into()),
            (
                2.into(),
                Value::Array(
                    self.status_issued_at
                        .iter()
                        .map(|((id, uri), iat)| {
                            Value::Array(vec![
                                Value::Text(id.clone()),
                                Value::Text(uri.clone()),
                                (*iat).into(),
                            ])
                        })
                        .collect(),
                ),
            ),
        ]))
    }

    /// Decode.
    pub fn from_bytes(bytes: &[u8]) -> Option<SeenState> {
        let value = cbor::decode_bounded(bytes, 64 * 1024 * 1024).ok()?;
        let map = value.as_map()?;
        let trust_sequence = as_u64(get_int(map, 1)?)?;
        let entries = get_int(map, 2)?.as_array()?;
        if entries.len() > MAX_SEEN_LISTS {
            return None;
        }
        let mut status_issued_at = BTreeMap::new();
        for e in entries {
            match e.as_array()?.as_slice() {
                [Value::Text(id), Value::Text(uri), iat] => {
                    status_issued_at.insert((id.clone(), uri.clone()), as_i64(iat)?);
                }
                _ => return None,
            }
        }
        Some(SeenState {
            trust_sequence,
            status_issued_at,
        })
    }
}
