//! The [`Fetcher`]: refreshing held data over HTTP under the rules of docs/format.md §9.7, each
//! item checked as in a bundle and through the device's rollback protection before it is
//! cached or used.

use giayto_verify::{Rollback, SeenState, TrustList, Verifier, VerifyingKey};

use crate::held::{take_list, HeldTrust};
use crate::http::{self, Got, Validators};
use crate::rules::Scope;
use crate::{Cache, Config, FetchError, Held, Meta, Rule, Wanted};

/// What a refresh did with one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A newer copy was fetched, checked and cached.
    Updated,
    /// The server said the held copy is current (304).
    NotModified,
    /// The server sent the copy already held (same sequence or `iat`).
    Same,
}

/// Which item an [`Event`] is about.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// The trust list, at its url.
    TrustList {
        /// The url.
        url: String,
    },
    /// A status list, at its uri.
    StatusList {
        /// The uri.
        uri: String,
    },
}

/// The outcome of one fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// What was fetched.
    pub item: Item,
    /// What came of it.
    pub outcome: Result<Change, FetchError>,
}

/// What a refresh did.
#[derive(Debug, Clone, Default)]
pub struct Refreshed {
    /// One event per item fetched, in order.
    pub events: Vec<Event>,
}

impl Refreshed {
    /// Whether any item was replaced (a verifier built before is out of date).
    pub fn changed(&self) -> bool {
        self.events.iter().any(|e| e.outcome == Ok(Change::Updated))
    }

    /// The failures and refusals.
    pub fn failures(&self) -> impl Iterator<Item = (&Item, &FetchError)> {
        self.events
            .iter()
            .filter_map(|e| e.outcome.as_ref().err().map(|err| (&e.item, err)))
    }
}

/// Fetches lists under the rules of docs/format.md §9.7 into a cache.
#[derive(Debug, Clone)]
pub struct Fetcher {
    root: VerifyingKey,
    config: Config,
    client: reqwest::Client,
    cache: Cache,
    trust_scope: Option<(Scope, reqwest::Url)>,
}

impl Fetcher {
    /// A fetcher for data under this root. Fails when the trust list url breaks the rules
    /// (not `https`, say) or the client cannot be built.
    pub fn new(root: VerifyingKey, config: Config) -> Result<Fetcher, FetchError> {
        let trust_scope = config
            .trust_url
            .as_deref()
            .map(|u| Scope::trust(u, config.allow_http))
            .transpose()?;
        Ok(Fetcher {
            root,
            client: http::client(&config)?,
            cache: Cache::new(config.cache_dir.clone()),
            config,
            trust_scope,
        })
    }

    /// The rules in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The cache.
    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    /// The held data from the cache. `local_trust` is a trust list given by the operator (used
    /// instead of a fetched one, and never written to the cache). Cached items that do not
    /// verify, or that `state` says are older than what the device has used, are left out
    /// (they will be fetched again); a local trust list is checked when the verifier is used.
    pub fn open(&self, local_trust: Option<&[u8]>, state: &SeenState) -> Result<Held, FetchError> {
        let mut held = Held::default();
        match local_trust {
            Some(bytes) => {
                let list = TrustList::verify(bytes, &self.root).map_err(FetchError::Trust)?;
                held.trust = Some(HeldTrust {
                    bytes: bytes.to_vec(),
                    meta: Meta::default(),
                    sequence: list.sequence,
                    expires_at: list.expires_at,
                });
            }
            None => {
                if let Some(cached) = self.cache.read_trust()? {
                    let url = self.config.trust_url.clone().unwrap_or_default();
                    if let Ok(list) = TrustList::verify(&cached.bytes, &self.root) {
                        if list.sequence >= state.trust_sequence {
                            // Validators from another url are not sent to this one.
                            let meta = cached.meta.filter(|m| m.url == url).unwrap_or(Meta {
                                url,
                                ..Meta::default()
                            });
                            held.trust = Some(HeldTrust {
                                bytes: cached.bytes,
                                meta,
                                sequence: list.sequence,
                                expires_at: list.expires_at,
                            });
                        }
                    }
                }
            }
        }
        let Some(trust) = &held.trust else {
            return Ok(held);
        };
        let Ok(probe) = Verifier::new(self.root, &trust.bytes) else {
            return Ok(held);
        };
        for cached in self.cache.read_lists(giayto_verify::MAX_BUNDLE_LISTS)? {
            if let Ok((_, list)) = take_list(&probe, cached.bytes, cached.meta) {
                let seen = state
                    .status_issued_at
                    .get(&(list.issuer.clone(), list.meta.url.clone()));
                if seen.is_some_and(|&seen| list.issued_at < seen) {
                    continue;
                }
                let newer = held
                    .lists
                    .get(&list.meta.url)
                    .is_none_or(|h| h.issued_at < list.issued_at);
                if newer {
                    held.lists.insert(list.meta.url.clone(), list);
                }
            }
        }
        Ok(held)
    }

    /// Refresh the trust list (when it has a url and is missing or due, or `force`), then the
    /// status lists in `lists` (at most [`Config::max_fetches`]). Every item taken has passed
    /// the checks of a bundle, the uri rules and `state`'s rollback protection, and is in the
    /// cache; `state` records it. A refused or failed item changes nothing.
    pub async fn refresh(
        &self,
        held: &mut Held,
        lists: &[Wanted],
        force: bool,
        state: &mut SeenState,
        now: i64,
    ) -> Refreshed {
        let mut out = Refreshed::default();
        if let Some((scope, url)) = &self.trust_scope {
            let due = held
                .trust
                .as_ref()
                .is_none_or(|t| force || Held::trust_due(t, &self.config) <= now);
            if due {
                let outcome = self.refresh_trust(held, scope, url, state, now).await;
                out.events.push(Event {
                    item: Item::TrustList {
                        url: url.to_string(),
                    },
                    outcome,
                });
            }
        }
        for wanted in lists.iter().take(self.config.max_fetches) {
            let outcome = self.refresh_list(held, wanted, state, now).await;
            out.events.push(Event {
                item: Item::StatusList {
                    uri: wanted.uri.clone(),
                },
                outcome,
            });
        }
        out
    }

    async fn refresh_trust(
        &self,
        held: &mut Held,
        scope: &Scope,
        url: &reqwest::Url,
        state: &mut SeenState,
        now: i64,
    ) -> Result<Change, FetchError> {
        let validators = held.trust.as_ref().map(|t| validators_of(&t.meta));
        let got = http::get(
            &self.client,
            &self.config,
            scope,
            url.clone(),
            validators.as_ref(),
            self.config.max_trust_bytes,
        )
        .await?;
        let (bytes, validators) = match got {
            Got::NotModified => {
                return self.confirm_trust(held, None, now);
            }
            Got::Body { bytes, validators } => (bytes, validators),
        };
        let verifier = Verifier::new(self.root, &bytes).map_err(FetchError::Trust)?;
        let list = verifier.trust_list();
        if let Some(old) = &held.trust {
            if list.sequence < old.sequence {
                return Err(FetchError::Rollback(Rollback::TrustList {
                    seen: old.sequence,
                    offered: list.sequence,
                }));
            }
            if list.sequence == old.sequence {
                return self.confirm_trust(held, Some(validators), now);
            }
        }
        let mut tentative = state.clone();
        tentative
            .accept(&verifier, now)
            .map_err(FetchError::Rollback)?;
        let meta = Meta {
            url: url.to_string(),
            etag: validators.etag,
            last_modified: validators.last_modified,
            checked_at: now,
        };
        self.cache.write_trust(Some(&bytes), &meta)?;
        held.trust = Some(HeldTrust {
            sequence: list.sequence,
            expires_at: list.expires_at,
            bytes,
            meta,
        });
        *state = tentative;
        Ok(Change::Updated)
    }

    /// The server confirmed the held trust list: record when (and its new validators).
    fn confirm_trust(
        &self,
        held: &mut Held,
        validators: Option<Validators>,
        now: i64,
    ) -> Result<Change, FetchError> {
        let Some(trust) = held.trust.as_mut() else {
            return Err(FetchError::NoTrustList);
        };
        let mut meta = trust.meta.clone();
        meta.checked_at = now;
        let change = match validators {
            Some(v) => {
                meta.etag = v.etag;
                meta.last_modified = v.last_modified;
                Change::Same
            }
            None => Change::NotModified,
        };
        self.cache.write_trust(None, &meta)?;
        trust.meta = meta;
        Ok(change)
    }

    async fn refresh_list(
        &self,
        held: &mut Held,
        wanted: &Wanted,
        state: &mut SeenState,
        now: i64,
    ) -> Result<Change, FetchError> {
        let trust = held.trust.as_ref().ok_or(FetchError::NoTrustList)?;
        let probe = Verifier::new(self.root, &trust.bytes).map_err(FetchError::Trust)?;
        let prefix = probe
            .trust_list()
            .issuers
            .iter()
            .filter(|e| e.id == wanted.issuer)
            .find_map(|e| e.status_uri_prefix.clone())
            .ok_or_else(|| FetchError::NotAllowed {
                uri: wanted.uri.clone(),
                rule: Rule::NoPrefix,
            })?;
        let scope = Scope::prefix(&prefix, self.config.allow_http)?;
        let url = scope.check(&wanted.uri)?;
        if !wanted.uri.starts_with(&prefix) {
            return Err(FetchError::NotAllowed {
                uri: wanted.uri.clone(),
                rule: Rule::Path,
            });
        }
        let (validators, old_issued_at) = match held
            .lists
            .get(&wanted.uri)
            .filter(|l| l.issuer == wanted.issuer)
        {
            Some(l) => (Some(validators_of(&l.meta)), Some(l.issued_at)),
            None => (None, None),
        };
        let got = http::get(
            &self.client,
            &self.config,
            &scope,
            url,
            validators.as_ref(),
            self.config.max_status_bytes,
        )
        .await?;
        let (bytes, validators) = match got {
            Got::NotModified => return self.confirm_list(held, &wanted.uri, None, now),
            Got::Body { bytes, validators } => (bytes, validators),
        };
        let meta = Meta {
            url: wanted.uri.clone(),
            etag: validators.etag.clone(),
            last_modified: validators.last_modified.clone(),
            checked_at: now,
        };
        let (probe, list) = take_list(&probe, bytes, Some(meta)).map_err(FetchError::Invalid)?;
        if list.issuer != wanted.issuer {
            return Err(FetchError::WrongIssuer {
                expected: wanted.issuer.clone(),
                found: list.issuer,
            });
        }
        if list.meta.url != wanted.uri {
            return Err(FetchError::WrongList {
                uri: wanted.uri.clone(),
                found: list.meta.url,
            });
        }
        if let Some(old_issued_at) = old_issued_at {
            if list.issued_at < old_issued_at {
                return Err(FetchError::Rollback(Rollback::StatusList {
                    uri: wanted.uri.clone(),
                    seen: old_issued_at,
                    offered: list.issued_at,
                }));
            }
            if list.issued_at == old_issued_at {
                return self.confirm_list(held, &wanted.uri, Some(validators), now);
            }
        }
        let mut tentative = state.clone();
        tentative
            .accept(&probe, now)
            .map_err(FetchError::Rollback)?;
        self.cache
            .write_list(&wanted.uri, Some(&list.bytes), &list.meta)?;
        held.lists.insert(wanted.uri.clone(), list);
        *state = tentative;
        Ok(Change::Updated)
    }

    /// The server confirmed a held status list: record when (and its new validators).
    fn confirm_list(
        &self,
        held: &mut Held,
        uri: &str,
        validators: Option<Validators>,
        now: i64,
    ) -> Result<Change, FetchError> {
        let Some(list) = held.lists.get_mut(uri) else {
            return Err(FetchError::Http { status: 304 });
        };
        let mut meta = list.meta.clone();
        meta.checked_at = now;
        let change = match validators {
            Some(v) => {
                meta.etag = v.etag;
                meta.last_modified = v.last_modified;
                Change::Same
            }
            None => Change::NotModified,
        };
        self.cache.write_list(uri, None, &meta)?;
        list.meta = meta;
        Ok(change)
    }

    /// [`Fetcher::refresh`] on a runtime of its own, for callers without one (the CLI).
    pub fn refresh_blocking(
        &self,
        held: &mut Held,
        lists: &[Wanted],
        force: bool,
        state: &mut SeenState,
        now: i64,
    ) -> Result<Refreshed, FetchError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| FetchError::Network {
                detail: e.to_string(),
            })?;
        Ok(runtime.block_on(self.refresh(held, lists, force, state, now)))
    }
}

fn validators_of(meta: &Meta) -> Validators {
    Validators {
        etag: meta.etag.clone(),
        last_modified: meta.last_modified.clone(),
    }
}
