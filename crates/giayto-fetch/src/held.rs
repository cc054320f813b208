//! The data a verifier is built from ([`Held`]): the trust list and status lists as signed
//! bytes with their cache metadata, and when each is due for a check (docs/format.md §9.7).

use std::collections::BTreeMap;
use std::time::Duration;

use giayto_verify::{StatusLoadError, Verifier, VerifyingKey};

use crate::{Config, FetchError, Meta, Wanted};

/// A held status list: its bytes, its metadata and what its claims say.
#[derive(Debug, Clone)]
pub(crate) struct HeldList {
    pub(crate) bytes: Vec<u8>,
    pub(crate) meta: Meta,
    pub(crate) issuer: String,
    pub(crate) issued_at: i64,
    pub(crate) expires_at: i64,
    pub(crate) ttl: Option<u64>,
}

/// The held trust list.
#[derive(Debug, Clone)]
pub(crate) struct HeldTrust {
    pub(crate) bytes: Vec<u8>,
    pub(crate) meta: Meta,
    pub(crate) sequence: u64,
    pub(crate) expires_at: i64,
}

/// The data a verifier is built from: a trust list and status lists by uri, as signed bytes
/// with their cache metadata. Every part has been checked when it was taken.
#[derive(Debug, Clone, Default)]
pub struct Held {
    pub(crate) trust: Option<HeldTrust>,
    pub(crate) lists: BTreeMap<String, HeldList>,
}

/// Why a held status list was left out of a verifier built from [`Held`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The list's uri.
    pub uri: String,
    /// Why (typically: the new trust list no longer names its signer).
    pub error: StatusLoadError,
}

impl Held {
    /// Whether a trust list is held.
    pub fn has_trust_list(&self) -> bool {
        self.trust.is_some()
    }

    /// The uris of the status lists held.
    pub fn status_uris(&self) -> impl Iterator<Item = &str> {
        self.lists.keys().map(String::as_str)
    }

    /// A verifier from the held data: the trust list under `root`, then every status list
    /// (those the trust list no longer vouches for are left out and returned).
    pub fn verifier(&self, root: VerifyingKey) -> Result<(Verifier, Vec<Skipped>), FetchError> {
        let trust = self.trust.as_ref().ok_or(FetchError::NoTrustList)?;
        let mut verifier = Verifier::new(root, &trust.bytes).map_err(FetchError::Trust)?;
        let mut skipped = Vec::new();
        for (uri, list) in &self.lists {
            if let Err(error) = verifier.add_status_list(&list.bytes) {
                skipped.push(Skipped {
                    uri: uri.clone(),
                    error,
                });
            }
        }
        Ok((verifier, skipped))
    }

    /// When a held status list is next due: its `ttl` (or `default_ttl`) after the server last
    /// confirmed it, at the latest its `exp`.
    pub(crate) fn list_due(list: &HeldList, config: &Config) -> i64 {
        let ttl = list
            .ttl
            .and_then(|t| i64::try_from(t).ok())
            .unwrap_or_else(|| secs(config.default_ttl));
        list.meta
            .checked_at
            .saturating_add(ttl)
            .min(list.expires_at)
    }

    pub(crate) fn trust_due(trust: &HeldTrust, config: &Config) -> i64 {
        trust
            .meta
            .checked_at
            .saturating_add(secs(config.trust_recheck))
            .min(trust.expires_at)
    }

    /// The held status lists that are due at `now`.
    pub fn due(&self, config: &Config, now: i64) -> Vec<Wanted> {
        self.lists
            .iter()
            .filter(|(_, l)| Held::list_due(l, config) <= now)
            .map(|(uri, l)| Wanted {
                issuer: l.issuer.clone(),
                uri: uri.clone(),
            })
            .collect()
    }

    /// Of the lists `wanted`, those missing or due at `now`.
    pub fn needs(&self, wanted: &[Wanted], config: &Config, now: i64) -> Vec<Wanted> {
        wanted
            .iter()
            .filter(|w| match self.lists.get(&w.uri) {
                None => true,
                Some(l) => l.issuer != w.issuer || Held::list_due(l, config) <= now,
            })
            .cloned()
            .collect()
    }

    /// The earliest time something held is due (the trust list only when it has a url), or
    /// `None` when nothing is held.
    pub fn next_due(&self, config: &Config) -> Option<i64> {
        let lists = self.lists.values().map(|l| Held::list_due(l, config));
        let trust = self
            .trust
            .as_ref()
            .filter(|_| config.trust_url.is_some())
            .map(|t| Held::trust_due(t, config));
        lists.chain(trust).min()
    }
}

pub(crate) fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

/// A status list token as held, when a verifier holding only the trust list accepts it (its
/// uri comes from its `sub`); with that verifier holding it too, for the rollback check.
pub(crate) fn take_list(
    trust_only: &Verifier,
    bytes: Vec<u8>,
    meta: Option<Meta>,
) -> Result<(Verifier, HeldList), StatusLoadError> {
    let mut probe = trust_only.clone();
    probe.add_status_list(&bytes)?;
    let Some(loaded) = probe.status_lists().next() else {
        return Err(StatusLoadError::Invalid(
            giayto_status::StatusError::BadSignature,
        ));
    };
    let mut meta = meta.unwrap_or_default();
    if meta.url != loaded.token.uri {
        // Metadata of another uri (or none): nothing it says applies.
        meta = Meta {
            url: loaded.token.uri.clone(),
            ..Meta::default()
        };
    }
    let list = HeldList {
        issuer: loaded.issuer_id.clone(),
        issued_at: loaded.token.issued_at,
        expires_at: loaded.token.expires_at,
        ttl: loaded.token.ttl,
        bytes,
        meta,
    };
    Ok((probe, list))
}
