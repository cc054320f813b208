//! Fetching giayto status lists and trust lists over HTTPS (docs/format.md §9.7), for verifiers
//! with signal: `giayto verify --fetch` and the background refresh of `giayto serve --verify`.
//!
//! A [`Fetcher`] holds the pinned root key, the rules ([`Config`]) and an HTTP client (reqwest on
//! rustls). The data it works on is a [`Held`] set — the trust list and the status lists, as
//! signed bytes with what the server said of them — read from an on-disk [`Cache`] by
//! [`Fetcher::open`] and refreshed by [`Fetcher::refresh`]:
//!
//! - the trust list, from the operator's trust list url, when it is missing or due (its `exp`,
//!   or [`Config::trust_recheck`] after the server last confirmed it);
//! - a status list, at its own uri, when a credential names it and it is missing, or when it is
//!   due (its `ttl` after the server last confirmed it, at the latest its `exp`).
//!
//! Every request is conditional when a copy is held (`If-None-Match`, `If-Modified-Since`), has
//! a timeout, a response size cap enforced before the body is held, and bounded retries with a
//! doubling wait. Only uris under the issuer's `status_uri_prefix` are fetched (same scheme,
//! host and port; `https` unless [`Config::allow_http`]), redirects must stay there, and no
//! connection goes to a private, loopback or link-local address unless
//! [`Config::allow_private_addresses`] (checked on the address connected to, not the name).
//!
//! Everything fetched is checked as if it came in a bundle (the trust list under the pinned
//! root; a status list's signature, signer, prefix and `sub`), must be signed by the issuer the
//! uri belongs to and be at that very uri, and passes the device's rollback protection
//! ([`SeenState::accept`], docs/format.md §9.6) before it is written to the cache or used. A
//! refused item changes nothing: not the cache, not the state, not the data in use. When the
//! network fails the cached copy is used until its `exp`; after that the verifier gives
//! `stale_status`, as with any list past its `exp`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod cache;
mod http;
mod rules;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use giayto_verify::{
    Report, Rollback, SeenState, StatusLoadError, TrustError, TrustList, Verifier, VerifyingKey,
};

pub use cache::{Cache, Meta, STATUS_EXT};
pub use http::MAX_REDIRECTS;
pub use rules::address_allowed;

use crate::http::{Got, Validators};
use crate::rules::Scope;

/// How a fetcher behaves. [`Config::new`] gives the defaults `giayto verify --fetch` uses.
#[derive(Debug, Clone)]
pub struct Config {
    /// The cache folder.
    pub cache_dir: PathBuf,
    /// Where the root publishes its trust list; `None` when the trust list is given locally.
    pub trust_url: Option<String>,
    /// Also fetch `http` uris (tests; a prefix must then say `http` itself).
    pub allow_http: bool,
    /// Also connect to private, loopback and link-local addresses (tests, an intranet mirror).
    pub allow_private_addresses: bool,
    /// Longest time for one request, redirects and body included (default 10 s).
    pub timeout: Duration,
    /// Longest time to open a connection (default 5 s).
    pub connect_timeout: Duration,
    /// Further attempts after a failure that may pass (a timeout, a network error, a 5xx or
    /// 429): default 2.
    pub retries: u32,
    /// Wait before the first retry, doubled before each next one (default 500 ms).
    pub backoff: Duration,
    /// Largest status list accepted, bytes (default the format's cap, 40 MiB).
    pub max_status_bytes: usize,
    /// Largest trust list accepted, bytes (default the format's cap, 1 MiB).
    pub max_trust_bytes: usize,
    /// How long after the server last confirmed the trust list it is asked again (default 6 h;
    /// its `exp` comes first when sooner): a removed issuer key reaches devices within it.
    pub trust_recheck: Duration,
    /// How long a status list without `ttl` is used before it is asked for again (default
    /// 1 h; its `exp` comes first when sooner).
    pub default_ttl: Duration,
    /// Most status lists fetched by one refresh (default 64).
    pub max_fetches: usize,
}

impl Config {
    /// The defaults, with this cache folder and no trust list url.
    pub fn new(cache_dir: impl Into<PathBuf>) -> Config {
        Config {
            cache_dir: cache_dir.into(),
            trust_url: None,
            allow_http: false,
            allow_private_addresses: false,
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            retries: 2,
            backoff: Duration::from_millis(500),
            max_status_bytes: giayto_status::MAX_TOKEN_BYTES,
            max_trust_bytes: giayto_trust::MAX_TRUST_LIST_BYTES,
            trust_recheck: Duration::from_secs(6 * 3600),
            default_ttl: Duration::from_secs(3600),
            max_fetches: 64,
        }
    }
}

/// The rule of docs/format.md §9.7 a uri breaks.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Not an absolute url with a host.
    NotAUrl,
    /// Not `https` (or `http` when allowed), or another scheme than the scope's.
    Scheme,
    /// Another host or port than the issuer's prefix (or the trust list's url).
    Host,
    /// A path outside the issuer's prefix (or the trust list's folder).
    Path,
    /// A user name or password in the url.
    UserInfo,
    /// The trust list gives the issuer no status uri prefix: nothing of it may be fetched.
    NoPrefix,
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Rule::NotAUrl => "not an absolute url with a host",
            Rule::Scheme => "only https may be fetched, and only with the prefix's scheme",
            Rule::Host => "another host or port than the issuer's prefix",
            Rule::Path => "a path outside the issuer's prefix",
            Rule::UserInfo => "a user name or password in the url",
            Rule::NoPrefix => "the trust list gives its issuer no status uri prefix",
        })
    }
}

/// Why a fetch was refused or failed. A refused item changes neither the cache nor the
/// device state.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// The uri may not be fetched: not `https`, no host, outside the issuer's prefix, or the
    /// issuer has no prefix in the trust list (docs/format.md §9.7).
    NotAllowed {
        /// The uri.
        uri: String,
        /// Which rule refused it.
        rule: Rule,
    },
    /// The host is, or resolves only to, a private, loopback or link-local address.
    PrivateAddress {
        /// The host.
        host: String,
    },
    /// A redirect that leaves the scope, or too many redirects.
    Redirect {
        /// Where it pointed (or what was wrong).
        to: String,
    },
    /// No answer in time.
    Timeout,
    /// The connection failed.
    Network {
        /// The client's message.
        detail: String,
    },
    /// The server answered with an HTTP status other than 200 or 304.
    Http {
        /// The status.
        status: u16,
    },
    /// The body is larger than the cap.
    TooLarge {
        /// The cap, bytes.
        limit: usize,
    },
    /// The trust list is not valid under the pinned root.
    Trust(TrustError),
    /// The status list is not valid: not a status list, a bad signature, a signer the trust
    /// list does not name, or a uri outside its signer's prefix.
    Invalid(StatusLoadError),
    /// The list is valid but signed by another issuer than the one whose uri it was fetched at.
    WrongIssuer {
        /// The issuer the uri belongs to.
        expected: String,
        /// The signer.
        found: String,
    },
    /// The list is valid but is another list (its `sub` is not the uri fetched).
    WrongList {
        /// The uri fetched.
        uri: String,
        /// The list's `sub`.
        found: String,
    },
    /// Older than the data held or used, or dated too far ahead (docs/format.md §9.6).
    Rollback(Rollback),
    /// No trust list: none cached and none could be fetched.
    NoTrustList,
    /// The cache could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// The system's message.
        detail: String,
    },
}

impl FetchError {
    fn io(path: &Path, e: &std::io::Error) -> FetchError {
        FetchError::Io {
            path: path.to_owned(),
            detail: e.to_string(),
        }
    }

    /// Whether trying again later may succeed (a timeout, a network failure, a 5xx or 429).
    pub fn may_pass(&self) -> bool {
        match self {
            FetchError::Timeout | FetchError::Network { .. } => true,
            FetchError::Http { status } => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::NotAllowed { uri, rule } => write!(f, "{uri} may not be fetched: {rule}"),
            FetchError::PrivateAddress { host } => {
                write!(f, "{host} is a private, loopback or link-local address")
            }
            FetchError::Redirect { to } => write!(f, "redirect refused: {to}"),
            FetchError::Timeout => write!(f, "no answer in time"),
            FetchError::Network { detail } => write!(f, "network error: {detail}"),
            FetchError::Http { status } => write!(f, "the server answered HTTP {status}"),
            FetchError::TooLarge { limit } => write!(f, "the answer is larger than {limit} bytes"),
            FetchError::Trust(e) => write!(f, "trust list not valid: {e}"),
            FetchError::Invalid(e) => write!(f, "status list not valid: {e}"),
            FetchError::WrongIssuer { expected, found } => {
                write!(f, "status list signed by {found}, not by {expected}")
            }
            FetchError::WrongList { uri, found } => {
                write!(f, "the list at {uri} is the list {found}")
            }
            FetchError::Rollback(r) => write!(f, "{r}"),
            FetchError::NoTrustList => write!(f, "no trust list cached or fetched"),
            FetchError::Io { path, detail } => write!(f, "{}: {detail}", path.display()),
        }
    }
}

impl std::error::Error for FetchError {}

/// A status list a credential names: its issuer's id and its uri.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Wanted {
    /// The issuer id (of the trust list entry that signed the credential).
    pub issuer: String,
    /// The list's uri.
    pub uri: String,
}

impl Wanted {
    /// The status lists the credentials of these reports name — only those whose issuer
    /// signature verified, so a forged code cannot make the verifier fetch anything.
    pub fn from_reports<'a>(reports: impl IntoIterator<Item = &'a Report>) -> Vec<Wanted> {
        let mut out: Vec<Wanted> = reports
            .into_iter()
            .filter_map(|r| {
                let c = r.credential()?;
                let status = c.claims.status.as_ref()?;
                Some(Wanted {
                    issuer: c.issuer.id.clone(),
                    uri: status.uri.clone(),
                })
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// A held status list: its bytes, its metadata and what its claims say.
#[derive(Debug, Clone)]
struct HeldList {
    bytes: Vec<u8>,
    meta: Meta,
    issuer: String,
    issued_at: i64,
    expires_at: i64,
    ttl: Option<u64>,
}

/// The held trust list.
#[derive(Debug, Clone)]
struct HeldTrust {
    bytes: Vec<u8>,
    meta: Meta,
    sequence: u64,
    expires_at: i64,
}

/// The data a verifier is built from: a trust list and status lists by uri, as signed bytes
/// with their cache metadata. Every part has been checked when it was taken.
#[derive(Debug, Clone, Default)]
pub struct Held {
    trust: Option<HeldTrust>,
    lists: BTreeMap<String, HeldList>,
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
    fn list_due(list: &HeldList, config: &Config) -> i64 {
        let ttl = list
            .ttl
            .and_then(|t| i64::try_from(t).ok())
            .unwrap_or_else(|| secs(config.default_ttl));
        list.meta
            .checked_at
            .saturating_add(ttl)
            .min(list.expires_at)
    }

    fn trust_due(trust: &HeldTrust, config: &Config) -> i64 {
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

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

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

/// A status list token as held, when a verifier holding only the trust list accepts it (its
/// uri comes from its `sub`); with that verifier holding it too, for the rollback check.
fn take_list(
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
