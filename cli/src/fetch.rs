//! `--fetch` for `giayto verify` and `giayto serve --verify`: the trust list (from
//! `--trust-url`) and the status lists the credentials name, fetched over HTTPS into a cache by
//! `giayto-fetch` under the rules of docs/format.md §9.7, through the device's rollback
//! protection (docs/format.md §9.6). Without signal the cache is used until each list's `exp`.

use std::path::PathBuf;

use clap::Args;
use giayto_fetch::{Config, FetchError, Fetcher, Held, Item, Refreshed, Rule, Wanted};
use giayto_verify::{Rollback, SeenState, Verifier, VerifyingKey};

use crate::failure::Failure;
use crate::i18n::{tr, tr_args};
use crate::input::{human_time, read_file, MAX_INPUT};
use crate::load::{
    device_clock, read_root, root_kid_hex, state_dir, Loaded, StateFile, VerifierSource,
};

/// The fetch options, shared by `verify` and `serve`.
#[derive(Args, Debug, Clone, Default)]
pub struct FetchArgs {
    /// Fetch missing or expired status lists (and the trust list, with --trust-url) over HTTPS
    /// into a cache; without a network the cache is used until each list's expiry.
    #[arg(long, conflicts_with_all = ["bundle", "status"])]
    pub fetch: bool,
    /// Where the root publishes its trust list (https), fetched with --fetch instead of --trust.
    #[arg(long, value_name = "URL", requires = "fetch", conflicts_with_all = ["trust", "bundle"])]
    pub trust_url: Option<String>,
    /// The fetch cache folder (default: fetch-ROOTKID beside the device state).
    #[arg(long, value_name = "DIR", requires = "fetch")]
    pub cache: Option<PathBuf>,
    /// Also connect to private, loopback and link-local addresses (an intranet mirror, tests).
    #[arg(long, requires = "fetch")]
    pub allow_private_addresses: bool,
    /// Also fetch plain http uris, for tests only: anyone on the path could then withhold lists.
    #[arg(long, requires = "fetch")]
    pub allow_http: bool,
}

/// The localised name of what was fetched.
pub fn what(item: &Item) -> String {
    match item {
        Item::TrustList { url } => tr_args("fetch-what-trust", &[("url", url.clone())]),
        Item::StatusList { uri } => tr_args("fetch-what-status", &[("uri", uri.clone())]),
        _ => String::new(),
    }
}

/// Why a fetch failed or was refused, localised.
pub fn reason(e: &FetchError) -> String {
    let one = |id: &str, name: &str, value: String| tr_args(id, &[(name, value)]);
    match e {
        FetchError::NotAllowed { uri, rule } => {
            let id = match rule {
                Rule::Scheme => "fetch-rule-scheme",
                Rule::Host => "fetch-rule-host",
                Rule::Path => "fetch-rule-path",
                Rule::UserInfo => "fetch-rule-userinfo",
                Rule::NoPrefix => "fetch-rule-no-prefix",
                _ => "fetch-rule-not-url",
            };
            one(id, "uri", uri.clone())
        }
        FetchError::PrivateAddress { host } => one("fetch-reason-private", "host", host.clone()),
        FetchError::Redirect { to } => one("fetch-reason-redirect", "to", to.clone()),
        FetchError::Timeout => tr("fetch-reason-timeout"),
        FetchError::Network { detail } => one("fetch-reason-network", "detail", detail.clone()),
        FetchError::Http { status } => one("fetch-reason-http", "status", status.to_string()),
        FetchError::TooLarge { limit } => one("fetch-reason-too-large", "limit", limit.to_string()),
        FetchError::Trust(e) => one("fetch-reason-trust", "detail", e.to_string()),
        FetchError::Invalid(e) => one("fetch-reason-invalid", "detail", e.to_string()),
        FetchError::WrongIssuer { expected, found } => tr_args(
            "fetch-reason-wrong-issuer",
            &[("expected", expected.clone()), ("found", found.clone())],
        ),
        FetchError::WrongList { found, .. } => {
            one("fetch-reason-wrong-list", "found", found.clone())
        }
        FetchError::Rollback(r) => rollback_reason(r),
        FetchError::NoTrustList => tr("fetch-reason-no-trust"),
        FetchError::Io { path, detail } => tr_args(
            "fetch-reason-io",
            &[
                ("path", path.display().to_string()),
                ("detail", detail.clone()),
            ],
        ),
        _ => e.to_string(),
    }
}

fn rollback_reason(r: &Rollback) -> String {
    match r {
        Rollback::TrustList { seen, offered } => tr_args(
            "error-rollback-trust",
            &[("seen", seen.to_string()), ("offered", offered.to_string())],
        ),
        Rollback::StatusList { uri, seen, offered } => tr_args(
            "error-rollback-status",
            &[
                ("uri", uri.clone()),
                ("seen", human_time(*seen)),
                ("offered", human_time(*offered)),
            ],
        ),
        Rollback::FromFuture { uri, issued_at, .. } => tr_args(
            "error-rollback-future",
            &[
                ("what", uri.clone().unwrap_or_else(|| tr("trust-list-noun"))),
                ("time", human_time(*issued_at)),
            ],
        ),
        _ => r.to_string(),
    }
}

/// A fetcher with the data it holds and the device state it answers to.
pub struct FetchSession {
    root: VerifyingKey,
    fetcher: Fetcher,
    held: Held,
    /// The state file; `None` with `--no-state` or without a state folder (then `memory`).
    file: Option<StateFile>,
    memory: SeenState,
    last_trust_error: Option<FetchError>,
}

impl FetchSession {
    /// Open the cache (and a local `--trust` list) for `source`'s root.
    pub fn open(source: &VerifierSource, args: &FetchArgs) -> Result<FetchSession, Failure> {
        let root = read_root(&source.root)?;
        let local_trust = source
            .trust
            .as_ref()
            .map(|t| read_file(t, MAX_INPUT))
            .transpose()?;
        if local_trust.is_none() && args.trust_url.is_none() {
            return Err(Failure::new("error-fetch-trust-missing"));
        }
        let file = if source.no_state {
            None
        } else {
            StateFile::open(&root)?
        };
        let cache = match &args.cache {
            Some(dir) => dir.clone(),
            None => state_dir()
                .map(|d| d.join(format!("fetch-{}", root_kid_hex(&root))))
                .ok_or_else(|| Failure::new("error-fetch-no-cache"))?,
        };
        let mut config = Config::new(cache);
        config.trust_url = args.trust_url.clone();
        config.allow_http = args.allow_http;
        config.allow_private_addresses = args.allow_private_addresses;
        let fetcher = Fetcher::new(root, config)
            .map_err(|e| Failure::new("error-fetch-setup").arg("reason", reason(&e)))?;
        let memory = SeenState::default();
        let state = file.as_ref().map_or(&memory, |f| &f.state);
        let held =
            fetcher
                .open(local_trust.as_deref(), state)
                .map_err(|e| match (&e, &source.trust) {
                    (FetchError::Trust(detail), Some(path)) => Failure::new("error-trust-list")
                        .arg("path", path.display())
                        .arg("detail", detail),
                    _ => Failure::new("error-fetch-setup").arg("reason", reason(&e)),
                })?;
        Ok(FetchSession {
            root,
            fetcher,
            held,
            file,
            memory,
            last_trust_error: None,
        })
    }

    /// The fetcher.
    pub fn fetcher(&self) -> &Fetcher {
        &self.fetcher
    }

    /// The held data.
    pub fn held(&self) -> &Held {
        &self.held
    }

    /// The held data, the device state and the fetcher, for a refresh on the caller's runtime.
    pub fn parts(&mut self) -> (&Fetcher, &mut Held, &mut SeenState) {
        let state = match &mut self.file {
            Some(f) => &mut f.state,
            None => &mut self.memory,
        };
        (&self.fetcher, &mut self.held, state)
    }

    /// Remember what a refresh did: its trust list failure (for the error when none is held)
    /// and the device state (saved when it changed).
    pub fn note(&mut self, done: &Refreshed) -> Result<(), Failure> {
        for (item, error) in done.failures() {
            if matches!(item, Item::TrustList { .. }) {
                self.last_trust_error = Some(error.clone());
            }
        }
        match &mut self.file {
            Some(f) => f.save(),
            None => Ok(()),
        }
    }

    /// Refresh on a runtime of its own (the CLI): the trust list when missing or due, then
    /// `lists`; each failure is a warning on stderr, the cached copy stays in use.
    pub fn refresh(&mut self, lists: &[Wanted], force: bool) -> Result<Refreshed, Failure> {
        let now = device_clock();
        let (fetcher, held, state) = self.parts();
        let done = fetcher
            .refresh_blocking(held, lists, force, state, now)
            .map_err(|e| Failure::new("error-fetch-setup").arg("reason", reason(&e)))?;
        for (item, error) in done.failures() {
            crate::errln!(
                "{}",
                tr_args(
                    "warning-fetch-failed",
                    &[("what", what(item)), ("reason", reason(error))]
                )
            );
        }
        self.note(&done)?;
        Ok(done)
    }

    /// A verifier from the held data, without the final rollback check.
    fn build(&self) -> Result<Verifier, Failure> {
        let (verifier, skipped) = self.held.verifier(self.root).map_err(|e| match e {
            FetchError::NoTrustList => Failure::new("error-fetch-no-trust")
                .arg("cache", self.fetcher.cache().dir().display())
                .arg(
                    "reason",
                    self.last_trust_error
                        .as_ref()
                        .map_or_else(|| tr("fetch-reason-no-trust"), reason),
                ),
            e => Failure::new("error-fetch-setup").arg("reason", reason(&e)),
        })?;
        for s in skipped {
            crate::errln!(
                "{}",
                tr_args(
                    "warning-fetch-skipped",
                    &[("uri", s.uri), ("detail", s.error.to_string())]
                )
            );
        }
        Ok(verifier)
    }

    /// The verifier of the held data, after the device's rollback protection accepted it
    /// (and remembered it).
    pub fn verifier(&mut self) -> Result<Verifier, Failure> {
        let verifier = self.build()?;
        if let Some(file) = &mut self.file {
            file.accept(&verifier)?;
            file.save()?;
        }
        Ok(verifier)
    }
}

/// `verify --fetch`: the trust list when missing or due, then the status lists the codes name
/// when missing or due, then the verifier.
pub fn load_for_codes(
    source: &VerifierSource,
    args: &FetchArgs,
    codes: &[String],
) -> Result<Loaded, Failure> {
    let mut session = FetchSession::open(source, args)?;
    session.refresh(&[], false)?;
    let first = session.build()?;
    let now = device_clock();
    let reports: Vec<_> = codes.iter().map(|c| first.check(c, now)).collect();
    let wanted = Wanted::from_reports(&reports);
    let needed = session
        .held()
        .needs(&wanted, session.fetcher().config(), now);
    if !needed.is_empty() {
        session.refresh(&needed, false)?;
    }
    // `session.verifier()` runs the device's rollback protection on the data it returns (and
    // saves the state): the caller's `DeviceState::accept` must not run it a second time.
    Ok(Loaded {
        verifier: session.verifier()?,
        bundle_created_at: None,
        state: crate::load::DeviceState::accepted(session.root),
    })
}

/// How long until the first of the held data is due (at least a minute, at most an hour).
pub fn next_in(session: &FetchSession) -> std::time::Duration {
    let now = device_clock();
    let seconds = session
        .held()
        .next_due(session.fetcher().config())
        .map_or(3600, |due| due.saturating_sub(now))
        .clamp(60, 3600);
    std::time::Duration::from_secs(u64::try_from(seconds).unwrap_or(3600))
}

/// The service's background refresh (`serve --verify --fetch`): the held lists that are due (all
/// of them at SIGHUP) and the lists verifications found missing or expired, fetched through the
/// same checks and rollback protection as `verify --fetch`; new data comes back as a verifier.
/// Log lines are English and hold uris and reasons only.
pub fn refresher(session: FetchSession, allow_missing: bool) -> giayto_serve::Refresher {
    let session = std::sync::Arc::new(tokio::sync::Mutex::new(session));
    std::sync::Arc::new(move |request: giayto_serve::RefreshRequest| {
        let session = session.clone();
        Box::pin(async move {
            let mut session = session.lock().await;
            let now = device_clock();
            let config = session.fetcher().config().clone();
            let wanted: Vec<Wanted> = request
                .wanted
                .into_iter()
                .map(|(issuer, uri)| Wanted { issuer, uri })
                .collect();
            let mut lists = if request.force {
                session.held().due(&config, i64::MAX)
            } else {
                session.held().due(&config, now)
            };
            lists.extend(session.held().needs(&wanted, &config, now));
            lists.sort();
            lists.dedup();
            let (fetcher, held, state) = session.parts();
            let done = fetcher
                .refresh(held, &lists, request.force, state, now)
                .await;
            let mut log: Vec<String> = done
                .events
                .iter()
                .map(|e| match &e.outcome {
                    Ok(change) => format!("fetched {} {change:?}", item_name(&e.item)),
                    Err(error) => format!("fetch failed {}: {error}", item_name(&e.item)),
                })
                .collect();
            if let Err(f) = session.note(&done) {
                log.push(format!("device state not saved: {}", f.message()));
            }
            let verifier = if done.changed() {
                match session.verifier() {
                    Ok(v) => Some(v.accept_missing_status(allow_missing)),
                    Err(f) => {
                        log.push(format!(
                            "refresh refused, data in use kept: {}",
                            f.message()
                        ));
                        None
                    }
                }
            } else {
                None
            };
            let mut next_in = next_in(&session);
            if done.failures().next().is_some() {
                // Try again soon, not at once.
                next_in = next_in.min(std::time::Duration::from_secs(60));
            }
            giayto_serve::RefreshOutcome {
                verifier,
                next_in,
                log,
            }
        })
    })
}

fn item_name(item: &Item) -> String {
    match item {
        Item::TrustList { url } => format!("trust_list={url}"),
        Item::StatusList { uri } => format!("status_list={uri}"),
        _ => "item".to_owned(),
    }
}
