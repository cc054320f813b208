//! The giayto verification service: third-party back ends (a bank, a hotel, a clinic) send a
//! scanned QR text or an image of the code and get back the JSON contract of a verification
//! (docs/format.md §7.5, `docs/verify-result.schema.json`), built by the one function every front
//! end uses, [`giayto_verify::json::report_json`]. Endpoints, limits and the logging promise are
//! in `docs/service.md`; the design choices in `docs/decisions.md` D103–D106.
//!
//! The verifier's data (trust list, status lists) is loaded once by the caller — the CLI's
//! `giayto serve --verify`, through the same code as `giayto verify`, with the device's rollback
//! protection (docs/format.md §9.6) — and handed to [`VerifyService::new`]. [`router`] gives the
//! axum router (for tests that start the service in-process), [`serve`] runs it on a listener
//! until a shutdown signal, and [`run_blocking`] does all of it on its own runtime.
//!
//! Over 600 lines on purpose: the request parsing, the limits, the metrics and the shutdown of one
//! small service read best as one router; its tests are in `tests.rs`.

mod metrics;
mod publish;
mod refresh;

use std::collections::BTreeSet;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use giayto_cose::request::{Request as VerifierRequest, RequestError};
use giayto_verify::json::{report_json, JsonContext};
use giayto_verify::{Policy, Report, Verifier};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

pub use axum::Router;
pub use metrics::Metrics;
pub use publish::{publish_router, MEDIA_TYPE, TRUST_FILE, TRUST_MEDIA_TYPE};
pub use refresh::{
    refresh_in_background, refresh_on_sighup, RefreshOutcome, RefreshRequest, Refresher,
    MAX_REFRESH_WAIT, MAX_WANTED, MIN_REFRESH_GAP,
};

/// Limits of the service. [`Limits::default`] is what `giayto serve` uses.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest request body, bytes (413 above it). Images come base64, so 4 MiB by default.
    pub max_body: usize,
    /// Verifications running at once; more wait for [`Limits::queue_wait`], then get 503.
    pub max_concurrent: usize,
    /// How long a request waits for a free verification slot before a 503.
    pub queue_wait: Duration,
    /// Longest time for one request, from its head read to its answer (503 `timeout` past it).
    pub request_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_body: 4 * 1024 * 1024,
            max_concurrent: 64,
            queue_wait: Duration::from_millis(250),
            request_timeout: Duration::from_secs(10),
        }
    }
}

/// The language of the `message` field, from `Accept-Language`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Tiếng Việt.
    Vi,
    /// English.
    En,
}

/// The reason's message in a language, for the `message` field (the CLI gives its Fluent
/// messages); without one the field is absent and clients translate `reason` themselves.
pub type MessageFn = Arc<dyn Fn(&Report, Lang) -> Option<String> + Send + Sync>;

/// Where the service's log lines go (one line per call, no newline). Lines never contain
/// personal data: see [`VerifyService`].
pub type LogSink = Arc<dyn Fn(&str) + Send + Sync>;

/// The verification service's state, shared by every request.
///
/// Logging promise (docs/service.md): one line per verification with the verdict and the first
/// 8 hex digits of the SHA-256 of the credential's serial — never a name, an ID number, a field
/// of the document or the scanned text.
pub struct VerifyService {
    /// The data in use, replaced whole by [`VerifyService::replace_data`] (a reload).
    data: RwLock<Arc<Data>>,
    limits: Limits,
    permits: Semaphore,
    metrics: Metrics,
    message: Option<MessageFn>,
    log: LogSink,
    /// Whether a background refresh runs (then missing or expired lists are wanted).
    refreshing: AtomicBool,
    /// Status lists verifications found missing or expired, for the next refresh.
    wanted: Mutex<BTreeSet<(String, String)>>,
    /// A refresh of everything was asked for (SIGHUP).
    force: AtomicBool,
    /// Wakes the background refresh.
    wake: tokio::sync::Notify,
}

/// One set of verifier data: the verifier under each policy, and the bundle's creation time.
struct Data {
    /// The verifier with the third-party policy (the default).
    third_party: Verifier,
    /// The same data with the checkpoint policy.
    checkpoint: Verifier,
    bundle_created_at: Option<i64>,
}

impl Data {
    fn new(verifier: Verifier, bundle_created_at: Option<i64>) -> Arc<Data> {
        let checkpoint = verifier.clone().with_policy(Policy::Checkpoint);
        let third_party = verifier.with_policy(Policy::ThirdParty);
        Arc::new(Data {
            third_party,
            checkpoint,
            bundle_created_at,
        })
    }
}

/// Loads the verifier's data again (the CLI: the same code as at start, rollback protection
/// included), for a reload on SIGHUP; an error is a message for the log.
pub type Reloader = Arc<dyn Fn() -> Result<(Verifier, Option<i64>), String> + Send + Sync>;

impl VerifyService {
    /// A service over a loaded verifier (its policy is replaced per request) and, when it came
    /// from an offline bundle, the bundle's creation time.
    pub fn new(verifier: Verifier, bundle_created_at: Option<i64>, limits: Limits) -> Self {
        VerifyService {
            data: RwLock::new(Data::new(verifier, bundle_created_at)),
            permits: Semaphore::new(limits.max_concurrent.max(1)),
            limits,
            metrics: Metrics::default(),
            message: None,
            log: Arc::new(|_| {}),
            refreshing: AtomicBool::new(false),
            wanted: Mutex::new(BTreeSet::new()),
            force: AtomicBool::new(false),
            wake: tokio::sync::Notify::new(),
        }
    }

    /// Fill `message` in the request's language.
    pub fn with_messages(mut self, message: MessageFn) -> Self {
        self.message = Some(message);
        self
    }

    /// Send log lines here (the default drops them).
    pub fn with_log(mut self, log: LogSink) -> Self {
        self.log = log;
        self
    }

    /// The counters and histogram shown at `/metrics`.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The data in use (a request keeps the set it started with through a reload).
    fn data(&self) -> Arc<Data> {
        self.data
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The trust list sequence in use.
    pub fn trust_list_sequence(&self) -> u64 {
        self.data().third_party.trust_list().sequence
    }

    /// Use new data from now on; requests in flight finish with the old.
    pub fn replace_data(&self, verifier: Verifier, bundle_created_at: Option<i64>) {
        let data = Data::new(verifier, bundle_created_at);
        *self
            .data
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = data;
    }

    /// Load the data again with `reload` and use it; on failure keep the data in use. Logs
    /// either outcome; returns whether the data was replaced.
    pub fn reload(&self, reload: &Reloader) -> bool {
        match reload() {
            Ok((verifier, made)) => {
                let sequence = verifier.trust_list().sequence;
                let lists = verifier.status_lists().count();
                self.replace_data(verifier, made);
                (self.log)(&format!(
                    "reloaded trust_list_sequence={sequence} status_lists={lists}"
                ));
                true
            }
            Err(message) => {
                (self.log)(&format!("reload refused, data in use kept: {message}"));
                false
            }
        }
    }
}

/// The body of `POST /v1/verify`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyRequest {
    /// The scanned QR text.
    text: Option<String>,
    /// A PNG or JPEG image of the code, base64 (standard alphabet, padding optional).
    image: Option<String>,
    /// The challenge this verifier showed the holder (hex, 1 to 64 bytes).
    nonce: Option<String>,
    /// The request (`VR1:` text, docs/format.md §15) this verifier showed the holder: the code
    /// must be the holder's answer to it ([`Verifier::check_answer`], as `giayto verify
    /// --request`). Not with `nonce` (the request carries its own).
    request: Option<String>,
    /// `third-party` (default) or `checkpoint`.
    policy: Option<String>,
    /// Check as of this time (RFC 3339) instead of now.
    at: Option<String>,
}

/// A refused request: its status, a stable code and an English message.
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
    fn bad(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message}});
        (self.status, axum::Json(body)).into_response()
    }
}

/// The service's routes: `POST /v1/verify`, `GET /healthz`, `GET /metrics`, with the body cap,
/// the concurrency limit and the request timeout.
pub fn router(service: Arc<VerifyService>) -> Router {
    let limits = service.limits;
    Router::new()
        .route("/v1/verify", post(verify))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .layer(DefaultBodyLimit::max(limits.max_body))
        .layer(axum::middleware::from_fn_with_state(
            service.clone(),
            timeout,
        ))
        .with_state(service)
}

/// Ends a request that takes longer than [`Limits::request_timeout`] (a slow client sending its
/// body, or a slow image) with a 503.
async fn timeout(State(service): State<Arc<VerifyService>>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(service.limits.request_timeout, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            service.metrics.refused("timeout");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "timeout",
                "the request took too long",
            )
            .into_response()
        }
    }
}

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The language asked for by `Accept-Language`: the first of vi or en listed (weights are not
/// weighed), else none.
fn accept_language(headers: &HeaderMap) -> Option<Lang> {
    let value = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    value.split(',').find_map(|part| {
        let tag = part
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if tag.starts_with("vi") {
            Some(Lang::Vi)
        } else if tag.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    })
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
}

/// What a parsed request asks for.
struct Job {
    input: Input,
    nonce: Option<Vec<u8>>,
    request: Option<VerifierRequest>,
    policy: Policy,
    at: Option<i64>,
}

enum Input {
    Text(String),
    Image(Vec<u8>),
}

fn parse_request(body: &[u8]) -> Result<Job, ApiError> {
    let req: VerifyRequest = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad("bad_json", format!("the body is not a valid request: {e}")))?;
    let input = match (req.text, req.image) {
        (Some(t), None) => Input::Text(t),
        (None, Some(i)) => {
            let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(i.trim().trim_end_matches('='))
                .map_err(|e| ApiError::bad("bad_base64", format!("image is not base64: {e}")))?;
            Input::Image(bytes)
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::bad(
                "text_and_image",
                "give either text or image, not both",
            ))
        }
        (None, None) => return Err(ApiError::bad("no_input", "give text or image")),
    };
    let nonce = match req.nonce {
        None => None,
        Some(n) => Some(
            hex::decode(n.trim())
                .ok()
                .filter(|b| (1..=64).contains(&b.len()))
                .ok_or_else(|| ApiError::bad("bad_nonce", "nonce must be 1 to 64 bytes in hex"))?,
        ),
    };
    if nonce.is_some() && req.request.is_some() {
        return Err(ApiError::bad(
            "nonce_and_request",
            "give either nonce or request, not both: a request carries its own nonce",
        ));
    }
    let request = req
        .request
        .map(|text| VerifierRequest::from_text(text.trim()).map_err(|e| request_error(&e)))
        .transpose()?;
    let policy = match req.policy.as_deref() {
        None | Some("third-party") => Policy::ThirdParty,
        Some("checkpoint") => Policy::Checkpoint,
        Some(other) => {
            return Err(ApiError::bad(
                "bad_policy",
                format!("unknown policy {other:?}: third-party or checkpoint"),
            ))
        }
    };
    let at = match req.at {
        None => None,
        Some(s) => Some(
            time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339)
                .map(|t| t.unix_timestamp())
                .map_err(|_| {
                    ApiError::bad("bad_time", format!("at is not an RFC 3339 time: {s:?}"))
                })?,
        ),
    };
    Ok(Job {
        input,
        nonce,
        request,
        policy,
        at,
    })
}

/// A verifier's request that cannot be used: 400 `bad_verifier_request`, naming the request
/// error's stable code (docs/format.md §15, as `test-vectors/requests.json` has them).
fn request_error(e: &RequestError) -> ApiError {
    ApiError::bad(
        "bad_verifier_request",
        format!(
            "request is not a usable verifier request ({}): {e}",
            e.code()
        ),
    )
}

/// The first 8 hex digits of the SHA-256 of the credential's serial, for the log; `-` when the
/// signature did not verify (nothing the issuer vouched for is known).
fn serial_tag(report: &Report) -> String {
    match report.credential() {
        Some(c) => hex::encode(&Sha256::digest(&c.claims.serial)[..4]),
        None => "-".to_owned(),
    }
}

async fn verify(
    State(service): State<Arc<VerifyService>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let started = Instant::now();
    match verify_inner(&service, &headers, body, started).await {
        Ok(response) => response,
        Err(e) => {
            service.metrics.refused(e.code);
            (service.log)(&format!(
                "refused code={} status={}",
                e.code,
                e.status.as_u16()
            ));
            e.into_response()
        }
    }
}

async fn verify_inner(
    service: &Arc<VerifyService>,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    started: Instant,
) -> Result<Response, ApiError> {
    if !is_json(headers) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "the body must be application/json",
        ));
    }
    let body = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("the body is larger than {} bytes", service.limits.max_body),
            )
        } else {
            ApiError::bad("bad_body", "the body could not be read")
        }
    })?;
    let job = parse_request(&body)?;
    let _permit = tokio::time::timeout(service.limits.queue_wait, service.permits.acquire())
        .await
        .ok()
        .and_then(Result::ok)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "too many verifications at once: retry shortly",
            )
        })?;
    let text = match job.input {
        Input::Text(t) => t,
        Input::Image(bytes) => {
            // Image decoding is slow work: off the async workers.
            let codes = tokio::task::spawn_blocking(move || giayto_qr::decode_image_bytes(&bytes))
                .await
                .map_err(|_| {
                    ApiError::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "internal",
                        "image decoding failed",
                    )
                })?
                .map_err(|e| {
                    ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "bad_image",
                        format!("the image could not be read: {e}"),
                    )
                })?;
            codes.into_iter().next().ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "no_code",
                    "no QR code was found in the image",
                )
            })?
        }
    };
    let data = service.data();
    let base = match job.policy {
        Policy::Checkpoint => &data.checkpoint,
        _ => &data.third_party,
    };
    let at = job.at.unwrap_or_else(now);
    // A challenge is per request; the shared verifier takes it as an argument (D104). A
    // verifier's request is checked exactly as `giayto verify --request` checks it.
    let report = match &job.request {
        Some(request) => base
            .check_answer(&text, request, at)
            .map_err(|e| request_error(&e))?,
        None => base.check_with_nonce(&text, at, job.nonce.as_deref()),
    };
    drop(text);
    let lang = accept_language(headers);
    let message = match (lang, &service.message) {
        (Some(lang), Some(f)) if report.reason().is_some() => f(&report, lang),
        _ => None,
    };
    let body = report_json(
        &report,
        &JsonContext {
            bundle_created_at: data.bundle_created_at,
            message,
        },
    );
    service.want_list_of(&report);
    let verdict = report.verdict().as_str();
    let elapsed = started.elapsed();
    service.metrics.verified(verdict, elapsed);
    (service.log)(&format!(
        "verify serial={} verdict={} us={}",
        serial_tag(&report),
        verdict,
        elapsed.as_micros()
    ));
    let mut response = axum::Json(body).into_response();
    if let Some(lang) = lang {
        let tag = match lang {
            Lang::Vi => "vi",
            Lang::En => "en",
        };
        response
            .headers_mut()
            .insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(tag));
    }
    Ok(response)
}

/// The ages of the data in use, for `/healthz` and `/metrics`.
fn ages(service: &VerifyService, at: i64) -> Value {
    let data = service.data();
    let trust = data.third_party.trust_list();
    let lists: Vec<Value> = data
        .third_party
        .status_lists()
        .map(|l| {
            json!({
                "uri": l.token.uri,
                "issuer": l.issuer_id,
                "issued_at": l.token.issued_at,
                "expires_at": l.token.expires_at,
                "age_seconds": (at - l.token.issued_at).max(0),
            })
        })
        .collect();
    let mut out = json!({
        "status": "ok",
        "trust_list": {
            "sequence": trust.sequence,
            "issued_at": trust.issued_at,
            "expires_at": trust.expires_at,
            "age_seconds": (at - trust.issued_at).max(0),
        },
        "status_lists": lists,
    });
    if let (Some(made), Some(obj)) = (data.bundle_created_at, out.as_object_mut()) {
        obj.insert("bundle_created_at".into(), json!(made));
        obj.insert("bundle_age_seconds".into(), json!((at - made).max(0)));
    }
    out
}

async fn healthz(State(service): State<Arc<VerifyService>>) -> Response {
    axum::Json(ages(&service, now())).into_response()
}

async fn metrics_text(State(service): State<Arc<VerifyService>>) -> Response {
    let at = now();
    let data = service.data();
    let trust = data.third_party.trust_list();
    let lists: Vec<(String, i64)> = data
        .third_party
        .status_lists()
        .map(|l| (l.token.uri.clone(), (at - l.token.issued_at).max(0)))
        .collect();
    let text = service
        .metrics
        .render((at - trust.issued_at).max(0), trust.sequence, &lists);
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        text,
    )
        .into_response()
}

/// Why the service could not run.
#[non_exhaustive]
#[derive(Debug)]
pub enum ServeError {
    /// The runtime could not be started.
    Runtime(std::io::Error),
    /// The address could not be listened on.
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// Serving failed.
    Io(std::io::Error),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::Runtime(e) => write!(f, "cannot start the runtime: {e}"),
            ServeError::Bind { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
            ServeError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ServeError {}

/// Serve a router ([`router`] or [`publish_router`]) on a bound listener until `shutdown`
/// completes; requests in flight then finish (graceful shutdown), new connections are refused.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(ServeError::Io)
}

/// Completes at SIGTERM or Ctrl-C (SIGINT).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// Run a router on `addr` on its own multi-threaded runtime until SIGTERM or Ctrl-C; `ready`
/// is called with the bound address (the port when 0 was asked for).
pub fn run_blocking(
    addr: SocketAddr,
    app: Router,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    run_with(addr, app, ready, || {})
}

/// The runtime, the listener and the shutdown of [`run_blocking`]; `start` runs inside the
/// runtime once the address is bound (to spawn background tasks).
fn run_with(
    addr: SocketAddr,
    app: Router,
    ready: impl FnOnce(SocketAddr),
    start: impl FnOnce(),
) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind { addr, source })?;
        let bound = listener.local_addr().map_err(ServeError::Io)?;
        start();
        ready(bound);
        serve(listener, app, shutdown_signal()).await
    })
}

/// Reload the service's data with `reload` at each SIGHUP, until the process ends (unix only;
/// elsewhere it waits forever).
pub async fn reload_on_sighup(service: Arc<VerifyService>, reload: Reloader) {
    #[cfg(unix)]
    {
        let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        else {
            return;
        };
        while hup.recv().await.is_some() {
            let (service, reload) = (service.clone(), reload.clone());
            // Loading reads files and checks signatures: off the async workers.
            let _ = tokio::task::spawn_blocking(move || service.reload(&reload)).await;
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (service, reload);
        std::future::pending::<()>().await;
    }
}

/// How the verification service gets newer data.
pub enum Updates {
    /// Only at SIGHUP, loading it again with the reloader.
    Reload(Reloader),
    /// In the background (lists fetched before they are due, and when a verification finds
    /// one missing or expired), the first refresh after the given wait; SIGHUP asks for a
    /// refresh of everything at once.
    Refresh(Refresher, Duration),
    /// Never.
    None,
}

/// [`run_blocking`] for the verification service, with its data kept up to date by `updates`.
pub fn run_verify_blocking(
    addr: SocketAddr,
    service: VerifyService,
    updates: Updates,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let service = Arc::new(service);
    let app = router(service.clone());
    run_with(addr, app, ready, move || match updates {
        Updates::Reload(reload) => {
            tokio::spawn(reload_on_sighup(service, reload));
        }
        Updates::Refresh(refresher, first_in) => {
            tokio::spawn(refresh_on_sighup(service.clone()));
            tokio::spawn(refresh_in_background(service, refresher, first_in));
        }
        Updates::None => {}
    })
}

#[cfg(test)]
mod tests;
