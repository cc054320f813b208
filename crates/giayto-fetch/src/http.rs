//! One bounded GET: conditional headers, redirects followed by hand inside the scope, a
//! response size cap enforced before the body is held, a timeout for the whole exchange, and
//! retries with a doubling wait for failures that may pass (docs/format.md §9.7).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{HeaderMap, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, LOCATION};
use reqwest::{StatusCode, Url};

use crate::rules::{address_allowed, check_literal_host, Scope};
use crate::{Config, FetchError};

/// Redirects followed for one request, at most.
pub const MAX_REDIRECTS: usize = 3;
/// Longest validator (`ETag`, `Last-Modified`) kept from a response.
const MAX_VALIDATOR: usize = 256;
/// The most a response body is given room for before its bytes arrive.
const MAX_PREALLOCATE: usize = 1 << 20;

/// A name resolver that drops the addresses a fetch may not go to (docs/format.md §9.7): the
/// address checked is the one connected to, so a name that resolves to 127.0.0.1 or to a
/// cloud metadata address is refused like the literal address would be.
pub(crate) struct Resolver {
    pub(crate) allow_private: bool,
}

/// The resolver's refusal, found again in the client's error chain.
#[derive(Debug)]
struct OnlyPrivate {
    host: String,
}

impl std::fmt::Display for OnlyPrivate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} resolves only to private addresses", self.host)
    }
}

impl std::error::Error for OnlyPrivate {}

impl Resolve for Resolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| address_allowed(a.ip(), allow_private))
                .collect();
            if allowed.is_empty() {
                return Err(Box::new(OnlyPrivate { host }) as Box<_>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// The HTTP client: rustls, no proxy from the environment, no automatic redirects, no idle
/// connections kept (a fetch is rare; a kept connection would outlive a one-shot runtime).
pub(crate) fn client(config: &Config) -> Result<reqwest::Client, FetchError> {
    reqwest::Client::builder()
        .use_rustls_tls()
        .https_only(!config.allow_http)
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(config.connect_timeout)
        .timeout(config.timeout)
        .pool_max_idle_per_host(0)
        .user_agent(concat!("giayto/", env!("CARGO_PKG_VERSION")))
        .dns_resolver(Arc::new(Resolver {
            allow_private: config.allow_private_addresses,
        }))
        .build()
        .map_err(|e| FetchError::Network {
            detail: error_chain(&e),
        })
}

/// The validators of a copy already held: sent as `If-None-Match` / `If-Modified-Since`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Validators {
    pub(crate) etag: Option<String>,
    pub(crate) last_modified: Option<String>,
}

/// What the server answered.
#[derive(Debug)]
pub(crate) enum Got {
    /// 304: the held copy is current.
    NotModified,
    /// 200 with a body within the cap, and its validators.
    Body {
        bytes: Vec<u8>,
        validators: Validators,
    },
}

/// GET `url` (already checked against `scope`), retrying failures that may pass.
pub(crate) async fn get(
    client: &reqwest::Client,
    config: &Config,
    scope: &Scope,
    url: Url,
    held: Option<&Validators>,
    max_bytes: usize,
) -> Result<Got, FetchError> {
    let mut wait = config.backoff;
    let mut attempt = 0;
    loop {
        let once = tokio::time::timeout(
            config.timeout,
            get_once(client, config, scope, url.clone(), held, max_bytes),
        )
        .await
        .unwrap_or(Err(FetchError::Timeout));
        match once {
            Err(e) if e.may_pass() && attempt < config.retries => {
                attempt += 1;
                tokio::time::sleep(wait).await;
                wait = wait.saturating_mul(2).min(Duration::from_secs(60));
            }
            other => return other,
        }
    }
}

async fn get_once(
    client: &reqwest::Client,
    config: &Config,
    scope: &Scope,
    mut url: Url,
    held: Option<&Validators>,
    max_bytes: usize,
) -> Result<Got, FetchError> {
    for _ in 0..=MAX_REDIRECTS {
        check_literal_host(&url, config.allow_private_addresses)?;
        let mut request = client.get(url.clone());
        if let Some(v) = held {
            if let Some(etag) = &v.etag {
                request = request.header(IF_NONE_MATCH, etag);
            }
            if let Some(date) = &v.last_modified {
                request = request.header(IF_MODIFIED_SINCE, date);
            }
        }
        let mut response = request.send().await.map_err(classify)?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            // Only an answer to a conditional request.
            return match held {
                Some(_) => Ok(Got::NotModified),
                None => Err(FetchError::Http { status: 304 }),
            };
        }
        if status.is_redirection() {
            let to = response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or(FetchError::Http {
                    status: status.as_u16(),
                })?;
            let next = url.join(to).map_err(|_| FetchError::Redirect {
                to: to.chars().take(256).collect(),
            })?;
            scope.check_url(&next).map_err(|_| FetchError::Redirect {
                to: next.as_str().chars().take(256).collect(),
            })?;
            url = next;
            continue;
        }
        if status != StatusCode::OK {
            return Err(FetchError::Http {
                status: status.as_u16(),
            });
        }
        if response
            .content_length()
            .is_some_and(|n| n > max_bytes as u64)
        {
            return Err(FetchError::TooLarge { limit: max_bytes });
        }
        let validators = validators(response.headers());
        let room = response
            .content_length()
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(0)
            .min(max_bytes)
            .min(MAX_PREALLOCATE);
        let mut bytes = Vec::with_capacity(room);
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if bytes.len().saturating_add(chunk.len()) > max_bytes {
                return Err(FetchError::TooLarge { limit: max_bytes });
            }
            bytes.extend_from_slice(&chunk);
        }
        return Ok(Got::Body { bytes, validators });
    }
    Err(FetchError::Redirect {
        to: format!("more than {MAX_REDIRECTS} redirects"),
    })
}

fn validators(headers: &HeaderMap) -> Validators {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.len() <= MAX_VALIDATOR)
            .map(str::to_owned)
    };
    Validators {
        etag: text(ETAG),
        last_modified: text(LAST_MODIFIED),
    }
}

/// The client's error as one of ours: the resolver's refusal, a timeout, or a network failure.
fn classify(e: reqwest::Error) -> FetchError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(s) = source {
        if let Some(refused) = s.downcast_ref::<OnlyPrivate>() {
            return FetchError::PrivateAddress {
                host: refused.host.clone(),
            };
        }
        source = s.source();
    }
    if e.is_timeout() {
        return FetchError::Timeout;
    }
    FetchError::Network {
        detail: error_chain(&e),
    }
}

/// An error and its causes, without the url (the caller names it).
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = Vec::new();
    let mut source = e.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    if parts.is_empty() {
        parts.push(e.to_string());
    }
    parts.join(": ")
}
