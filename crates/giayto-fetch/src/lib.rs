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
//! ([`giayto_verify::SeenState::accept`], docs/format.md §9.6) before it is written to the cache or used. A
//! refused item changes nothing: not the cache, not the state, not the data in use. When the
//! network fails the cached copy is used until its `exp`; after that the verifier gives
//! `stale_status`, as with any list past its `exp`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod cache;
mod fetcher;
mod held;
mod http;
mod rules;

use std::path::{Path, PathBuf};
use std::time::Duration;

use giayto_verify::{Report, Rollback, StatusLoadError, TrustError};

pub use cache::{Cache, Meta, STATUS_EXT};
pub use fetcher::{Change, Event, Fetcher, Item, Refreshed};
pub use held::{Held, Skipped};
pub use http::MAX_REDIRECTS;
pub use rules::address_allowed;

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
