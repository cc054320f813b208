//! Status deltas on a device (docs/format.md §9.8): checked like a full status list (signer in
//! the trust list, signature, uri inside the issuer's prefix), then applied to the list held
//! for the same issuer and uri, which they must name as their base. A bundle keeps the deltas
//! it has taken beside its full lists (§10), so that every entry it holds stays backed by a
//! signature.

use giayto_status::{DeltaError, SignedStatusDelta, SignedStatusList, StatusDelta};
use giayto_trust::TrustList;

use crate::status::{Bundle, LoadedStatusList, MAX_BUNDLE_DELTAS};
use crate::Verifier;

/// Why a status delta was not taken. Nothing the device holds changes then.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeltaLoadError {
    /// The delta is not a valid signed status delta (text, structure, signature, claims), or
    /// an index is past the end of the list held.
    Invalid(DeltaError),
    /// The delta gives a list no newer than the one held: a rollback, or a delta taken
    /// already.
    Older {
        /// The list's uri.
        uri: String,
        /// `iat` of the list held.
        held: i64,
        /// `iat` the delta would give.
        offered: i64,
    },
    /// The delta's base is not the list held (nor, in a bundle, the bundle's full list): the
    /// device needs the delta made from its own list, or a full list.
    WrongBase {
        /// The list's uri.
        uri: String,
        /// `iat` of the list held.
        held: i64,
        /// `iat` of the delta's base.
        base: i64,
    },
    /// No issuer in the trust list has the signing key.
    UnknownSigner {
        /// The kid.
        kid: [u8; 8],
    },
    /// The delta's uri is outside the prefix the trust list gives its issuer.
    UriOutsidePrefix {
        /// The uri.
        uri: String,
        /// The issuer.
        issuer: String,
    },
    /// The device holds no list of this issuer with this uri: a delta cannot stand in for a
    /// full list.
    NoBase {
        /// The signing issuer.
        issuer: String,
        /// The uri.
        uri: String,
    },
    /// The bundle already carries [`MAX_BUNDLE_DELTAS`] deltas: it needs full lists again.
    ChainFull,
}

impl std::fmt::Display for DeltaLoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeltaLoadError::Invalid(e) => e.fmt(f),
            DeltaLoadError::Older { uri, held, offered } => write!(
                f,
                "status delta for {uri} gives a list issued at {offered}, not newer than the one held (issued at {held})"
            ),
            DeltaLoadError::WrongBase { uri, held, base } => write!(
                f,
                "status delta for {uri} applies to the list issued at {base}, not to the one held (issued at {held})"
            ),
            DeltaLoadError::UnknownSigner { kid } => write!(
                f,
                "status delta signed by key {} that the trust list does not name",
                crate::hex_lower(kid)
            ),
            DeltaLoadError::UriOutsidePrefix { uri, issuer } => {
                write!(
                    f,
                    "status delta for {uri} is outside the uris of issuer {issuer}"
                )
            }
            DeltaLoadError::NoBase { issuer, uri } => write!(
                f,
                "no status list {uri} of issuer {issuer} is held: a full list is needed"
            ),
            DeltaLoadError::ChainFull => write!(
                f,
                "the bundle already carries {MAX_BUNDLE_DELTAS} status deltas: a full list is needed"
            ),
        }
    }
}

impl std::error::Error for DeltaLoadError {}

/// What taking a status delta did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeltaApplied {
    /// The issuer that signed it.
    pub issuer_id: String,
    /// The list's uri.
    pub uri: String,
    /// `iat` of the list held before.
    pub from_issued_at: i64,
    /// `iat` of the list held now.
    pub issued_at: i64,
    /// `exp` of the list held now.
    pub expires_at: i64,
    /// Entries changed.
    pub changes: usize,
    /// Deltas of the same list the bundle no longer needs (the new one was made from the
    /// bundle's full list and covers them); 0 outside a bundle.
    pub replaced: usize,
}

/// A refusal of [`StatusDelta::apply`] as the device reports it.
fn refusal(uri: &str, e: DeltaError) -> DeltaLoadError {
    match e {
        DeltaError::Older { held, offered } => DeltaLoadError::Older {
            uri: uri.to_owned(),
            held,
            offered,
        },
        DeltaError::WrongBase { held, base } => DeltaLoadError::WrongBase {
            uri: uri.to_owned(),
            held,
            base,
        },
        e => DeltaLoadError::Invalid(e),
    }
}

/// Check a signed delta as a full list is checked (docs/format.md §9.5, 1–3): its signer names
/// an issuer of the trust list, the signature verifies, its uri is inside the issuer's prefix.
fn check(trust: &TrustList, bytes: &[u8]) -> Result<(String, StatusDelta), DeltaLoadError> {
    let signed = SignedStatusDelta::parse(bytes).map_err(DeltaLoadError::Invalid)?;
    let kid = signed.kid();
    let entry = trust
        .find(&kid)
        .ok_or(DeltaLoadError::UnknownSigner { kid })?;
    let key = ed25519_dalek::VerifyingKey::from_bytes(&entry.public_key)
        .map_err(|_| DeltaLoadError::Invalid(DeltaError::BadSignature))?;
    let delta = signed.verify(&key).map_err(DeltaLoadError::Invalid)?;
    if let Some(prefix) = &entry.status_uri_prefix {
        if !delta.uri.starts_with(prefix.as_str()) {
            return Err(DeltaLoadError::UriOutsidePrefix {
                uri: delta.uri,
                issuer: entry.id.clone(),
            });
        }
    }
    Ok((entry.id.clone(), delta))
}

impl Verifier {
    /// Take a signed status delta: checked as a full list is, then applied to the list held
    /// for its issuer and uri, which must be its base (docs/format.md §9.8). On success the
    /// verifier holds the new list, with the delta's `iat`, `exp` and `ttl`; on any error it
    /// is unchanged. The device's rollback memory ([`crate::SeenState::accept`]) is the
    /// caller's next step, as after loading full lists.
    pub fn apply_status_delta(&mut self, delta: &[u8]) -> Result<DeltaApplied, DeltaLoadError> {
        let (issuer_id, delta) = check(&self.trust, delta)?;
        let held = self.held(&issuer_id, &delta.uri)?;
        let token = delta
            .apply(&held.token)
            .map_err(|e| refusal(&delta.uri, e))?;
        Ok(self.take(issuer_id, &delta, held.token.issued_at, token, 0))
    }

    fn held(&self, issuer_id: &str, uri: &str) -> Result<&LoadedStatusList, DeltaLoadError> {
        self.status
            .get(issuer_id, uri)
            .ok_or_else(|| DeltaLoadError::NoBase {
                issuer: issuer_id.to_owned(),
                uri: uri.to_owned(),
            })
    }

    fn take(
        &mut self,
        issuer_id: String,
        delta: &StatusDelta,
        from_issued_at: i64,
        token: giayto_status::StatusListToken,
        replaced: usize,
    ) -> DeltaApplied {
        let applied = DeltaApplied {
            issuer_id: issuer_id.clone(),
            uri: token.uri.clone(),
            from_issued_at,
            issued_at: token.issued_at,
            expires_at: token.expires_at,
            changes: delta.changes.len(),
            replaced,
        };
        self.status.put(LoadedStatusList { issuer_id, token });
        applied
    }
}

impl Bundle {
    /// Take a signed status delta into this bundle and `verifier`, which must have been built
    /// from it ([`Verifier::from_bundle`]). The delta applies either to the list held now
    /// (then it joins the bundle's deltas) or, when it was made from the bundle's own full
    /// list for that uri and is newer than what is held, to that full list (then it replaces
    /// the bundle's earlier deltas of the list). Any other base is refused. On error neither
    /// the bundle nor the verifier changes.
    pub fn apply_delta(
        &mut self,
        verifier: &mut Verifier,
        delta: &[u8],
    ) -> Result<DeltaApplied, DeltaLoadError> {
        let (issuer_id, checked) = check(&verifier.trust, delta)?;
        let held = verifier.held(&issuer_id, &checked.uri)?;
        let from = held.token.issued_at;
        let wrong_base = match checked.apply(&held.token) {
            Ok(token) => {
                if self.status_deltas.len() >= MAX_BUNDLE_DELTAS {
                    return Err(DeltaLoadError::ChainFull);
                }
                self.status_deltas.push(delta.to_vec());
                return Ok(verifier.take(issuer_id, &checked, from, token, 0));
            }
            Err(e @ DeltaError::WrongBase { .. }) => refusal(&checked.uri, e),
            Err(e) => return Err(refusal(&checked.uri, e)),
        };
        // Made from the bundle's full list (a cumulative delta)?
        let Some(full) = self.full_list(&verifier.trust, &issuer_id, &checked.uri) else {
            return Err(wrong_base);
        };
        let token = checked.apply(&full).map_err(|_| wrong_base)?;
        let trust = &verifier.trust;
        let before = self.status_deltas.len();
        self.status_deltas.retain(|d| {
            check(trust, d)
                .map(|(id, d)| id != issuer_id || d.uri != checked.uri)
                .unwrap_or(true)
        });
        let replaced = before - self.status_deltas.len();
        self.status_deltas.push(delta.to_vec());
        Ok(verifier.take(issuer_id, &checked, from, token, replaced))
    }

    /// The newest full list in the bundle for this issuer and uri, checked again under the
    /// trust list.
    fn full_list(
        &self,
        trust: &TrustList,
        issuer_id: &str,
        uri: &str,
    ) -> Option<giayto_status::StatusListToken> {
        self.status_lists
            .iter()
            .filter_map(|bytes| {
                let signed = SignedStatusList::parse(bytes).ok()?;
                let entry = trust.find(&signed.kid())?;
                let key = ed25519_dalek::VerifyingKey::from_bytes(&entry.public_key).ok()?;
                let token = signed.verify(&key).ok()?;
                (entry.id == issuer_id && token.uri == uri).then_some(token)
            })
            .max_by_key(|t| t.issued_at)
    }
}

#[cfg(test)]
#[path = "delta_tests.rs"]
mod tests;
