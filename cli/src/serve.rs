//! `giayto serve --verify`: the verification service for third-party back ends
//! (crates/giayto-serve, docs/service.md). The verifier's data is loaded once here, through the
//! same code as `giayto verify` (with the device's rollback protection, docs/format.md §9.6).
//! `giayto serve --publish DIR`: a published status list folder over HTTP.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use giayto_serve::{Lang as ServeLang, Limits, Updates, VerifyService};

use crate::failure::{CmdResult, Failure, EXIT_OK};
use crate::fetch::{FetchArgs, FetchSession};
use crate::i18n::{tr_args, Lang};
use crate::load::VerifierSource;
use crate::Out;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Run the verification service: POST /v1/verify, GET /healthz, GET /metrics.
    #[arg(long, required_unless_present = "publish", conflicts_with = "publish")]
    pub verify: bool,
    /// Serve this folder of published status lists (*.statuslist.cwt) with caching headers.
    #[arg(long, value_name = "DIR")]
    pub publish: Option<PathBuf>,
    /// The pinned root public key.
    #[arg(long, required_unless_present = "publish", conflicts_with = "publish")]
    pub root: Option<PathBuf>,
    /// The signed trust list.
    #[arg(long, conflicts_with_all = ["bundle", "publish"])]
    pub trust: Option<PathBuf>,
    /// Folders of signed status lists (*.statuslist.cwt) to check revocation against.
    #[arg(long, conflicts_with_all = ["bundle", "publish"])]
    pub status: Vec<PathBuf>,
    /// An offline bundle (trust list and status lists), as written by `giayto bundle`.
    #[arg(long, conflicts_with = "publish")]
    pub bundle: Option<PathBuf>,
    /// Do not record or check the newest data this device has used (rollback protection,
    /// kept in GIAYTO_STATE_DIR, else XDG_STATE_HOME/giayto, else ~/.local/state/giayto).
    #[arg(long)]
    pub no_state: bool,
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Verifications running at once; more wait briefly, then get 503.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub max_concurrent: u32,
    /// Accept a credential whose status list is missing, with a warning, instead of the
    /// default verdict stale_status.
    #[arg(long)]
    pub allow_missing_status: bool,
    #[command(flatten)]
    pub fetch: FetchArgs,
}

pub fn run(a: ServeArgs, _out: Out) -> CmdResult {
    if let Some(dir) = &a.publish {
        if !dir.is_dir() {
            return Err(crate::failure::io_failure(
                dir,
                &std::io::Error::from(std::io::ErrorKind::NotFound),
            ));
        }
        return listen(a.listen, giayto_serve::publish_router(dir.clone()));
    }
    let Some(root) = a.root else {
        return Err(Failure::new("error-trust-missing"));
    };
    if a.trust.is_none() && a.bundle.is_none() && a.fetch.trust_url.is_none() {
        return Err(Failure::new("error-trust-missing"));
    }
    let source = VerifierSource {
        root,
        trust: a.trust,
        status: a.status,
        bundle: a.bundle,
        ca_root: Vec::new(),
        issuer_cert: Vec::new(),
        no_state: a.no_state,
    };
    let allow_missing = a.allow_missing_status;
    let (verifier, bundle_created_at, updates) = if a.fetch.fetch {
        // The lists held are refreshed in the background before they are due (docs/service.md).
        let mut session = FetchSession::open(&source, &a.fetch)?;
        session.refresh(&[], false)?;
        let due = session
            .held()
            .due(session.fetcher().config(), crate::load::device_clock());
        if !due.is_empty() {
            session.refresh(&due, false)?;
        }
        let verifier = session.verifier()?.accept_missing_status(allow_missing);
        let first_in = crate::fetch::next_in(&session);
        let refresher = crate::fetch::refresher(session, allow_missing);
        (verifier, None, Updates::Refresh(refresher, first_in))
    } else {
        let loaded = source.load()?;
        // SIGHUP loads the data again through the same code, rollback protection included:
        // an older bundle is refused and the data in use kept.
        let reload: giayto_serve::Reloader = Arc::new(move || {
            source
                .load()
                .map(|l| {
                    (
                        l.verifier.accept_missing_status(allow_missing),
                        l.bundle_created_at,
                    )
                })
                .map_err(|f| f.message())
        });
        (
            loaded.verifier.accept_missing_status(allow_missing),
            loaded.bundle_created_at,
            Updates::Reload(reload),
        )
    };
    let limits = Limits {
        max_concurrent: usize::try_from(a.max_concurrent).unwrap_or(64),
        ..Limits::default()
    };
    let service = VerifyService::new(verifier, bundle_created_at, limits)
        .with_messages(Arc::new(|report, lang| {
            let lang = match lang {
                ServeLang::En => Lang::En,
                _ => Lang::Vi,
            };
            report
                .reason()
                .map(|r| crate::render::reason_message_in(lang, r))
        }))
        // Each line holds a verdict and a hash of the serial, never personal data.
        .with_log(Arc::new(|line| crate::errln!("{line}")));
    giayto_serve::run_verify_blocking(a.listen, service, updates, listening)
        .map_err(|e| Failure::new("error-serve").arg("detail", e))?;
    crate::errln!("{}", crate::i18n::tr("serve-stopped"));
    Ok(EXIT_OK)
}

fn listening(addr: SocketAddr) {
    crate::errln!(
        "{}",
        tr_args("serve-listening", &[("addr", addr.to_string())])
    );
}

/// Run a router until SIGTERM or Ctrl-C.
fn listen(addr: SocketAddr, app: giayto_serve::Router) -> CmdResult {
    giayto_serve::run_blocking(addr, app, listening)
        .map_err(|e| Failure::new("error-serve").arg("detail", e))?;
    crate::errln!("{}", crate::i18n::tr("serve-stopped"));
    Ok(EXIT_OK)
}
