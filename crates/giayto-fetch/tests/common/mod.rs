//! A root, two issuers, their lists and a list server on 127.0.0.1 for the fetch tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // test helpers

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ed25519_dalek::SigningKey;
use giayto_cose::claims::{CredentialClaims, DocumentClaim, StatusRef};
use giayto_cose::{sign1, text, CREDENTIAL_TYP};
use giayto_fetch::{Config, Fetcher};
use giayto_model::{DocType, Document};
use giayto_status::{Status, StatusList, StatusListToken, MIN_ENTRIES};
use giayto_trust::{IssuerEntry, TrustList};
use giayto_verify::{SeenState, Verifier};
use sha2::{Digest, Sha256};

/// The time the tests run at (2026-09-21), seconds.
pub const NOW: i64 = 1_790_000_000;
pub const DAY: i64 = 86_400;

pub struct World {
    pub root: SigningKey,
    pub police: SigningKey,
    pub health: SigningKey,
    pub base: String,
}

impl World {
    /// Keys, and list uris on this port.
    pub fn new(port: u16) -> World {
        World {
            root: SigningKey::from_bytes(&[1; 32]),
            police: SigningKey::from_bytes(&[2; 32]),
            health: SigningKey::from_bytes(&[3; 32]),
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    pub fn uri(&self, issuer: &str, n: u32) -> String {
        format!("{}/st/{issuer}/{n}", self.base)
    }

    fn entry(&self, id: &str, key: &SigningKey) -> IssuerEntry {
        IssuerEntry {
            id: id.into(),
            name_vi: id.into(),
            name_en: None,
            public_key: key.verifying_key().to_bytes(),
            doc_types: vec![1, 2, 3, 4],
            not_before: 0,
            not_after: NOW + 3650 * DAY,
            status_uri_prefix: Some(format!("{}/st/{id}/", self.base)),
        }
    }

    /// A trust list of both issuers, with this sequence, signed at `iat`.
    pub fn trust(&self, sequence: u64, iat: i64) -> Vec<u8> {
        TrustList {
            root_id: "VN.ROOT".into(),
            sequence,
            issued_at: iat,
            expires_at: iat + 30 * DAY,
            issuers: vec![
                self.entry("VN.BCA.C06", &self.police),
                self.entry("VN.BHXH", &self.health),
            ],
            withdrawn: Default::default(),
        }
        .sign(&self.root)
        .unwrap()
    }

    /// A status list at `uri` signed by `key`, issued at `iat`, for a week, ttl one hour,
    /// with `revoked` entries revoked.
    pub fn list(&self, key: &SigningKey, uri: &str, iat: i64, revoked: &[u64]) -> Vec<u8> {
        let mut list = StatusList::new(MIN_ENTRIES).unwrap();
        for &i in revoked {
            list.set(i, Status::Revoked).unwrap();
        }
        StatusListToken {
            uri: uri.into(),
            issued_at: iat,
            expires_at: iat + 7 * DAY,
            ttl: Some(3600),
            list,
        }
        .sign(key)
        .unwrap()
    }

    /// A police CCCD credential pointing at entry `idx` of list `uri`.
    pub fn credential(&self, uri: &str, idx: u64) -> String {
        let document =
            Document::from_json(DocType::Cccd, &giayto_model::sample_input(DocType::Cccd)).unwrap();
        let claims = CredentialClaims {
            issuer: "VN.BCA.C06".into(),
            issued_at: NOW - DAY,
            not_before: None,
            expires_at: NOW + 365 * DAY,
            serial: vec![7; 10],
            holder_key: None,
            status: Some(StatusRef {
                idx,
                uri: uri.into(),
            }),
            document: DocumentClaim {
                doc_type: 1,
                schema_version: 1,
                assurance_level: 2,
                fields: document.to_cbor(),
            },
            unknown: vec![],
        };
        let cose = sign1::sign(&self.police, CREDENTIAL_TYP, claims.to_bytes()).unwrap();
        text::encode(text::Kind::Credential, &cose, None)
    }

    pub fn config(&self, cache: &std::path::Path) -> Config {
        let mut config = Config::new(cache);
        config.trust_url = Some(format!("{}/trust.cwt", self.base));
        config.allow_http = true;
        config.allow_private_addresses = true;
        config.timeout = Duration::from_millis(1500);
        config.connect_timeout = Duration::from_millis(500);
        config.retries = 1;
        config.backoff = Duration::from_millis(10);
        config.max_status_bytes = 64 * 1024;
        config
    }

    pub fn fetcher(&self, cache: &std::path::Path) -> Fetcher {
        Fetcher::new(self.root.verifying_key(), self.config(cache)).unwrap()
    }

    pub fn verifier(&self, trust: &[u8]) -> Verifier {
        Verifier::new(self.root.verifying_key(), trust).unwrap()
    }
}

/// What the test server does at a path.
#[derive(Clone)]
pub enum Route {
    /// Serve these bytes with an ETag, and 304 for a matching If-None-Match.
    Bytes(Vec<u8>),
    /// Wait this long, then serve the bytes.
    Slow(Duration, Vec<u8>),
    /// A body of this many bytes, with its length announced (`true`) or sent chunked.
    Huge(usize, bool),
    /// 302 to this location.
    Redirect(String),
    /// This status, no body.
    Status(u16),
}

#[derive(Default)]
pub struct Server {
    pub routes: HashMap<String, Route>,
    pub hits: HashMap<String, usize>,
}

pub type Shared = Arc<Mutex<Server>>;

async fn handle(State(server): State<Shared>, req: Request) -> Response {
    let path = req.uri().path().to_owned();
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    drop(req);
    let route = {
        let mut s = server.lock().unwrap();
        *s.hits.entry(path.clone()).or_default() += 1;
        s.routes.get(&path).cloned()
    };
    let serve = |bytes: Vec<u8>| {
        let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&bytes)[..8]));
        let matches = if_none_match.as_deref() == Some(etag.as_str());
        let etag = HeaderValue::from_str(&etag).unwrap();
        if matches {
            return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
        }
        (StatusCode::OK, [(header::ETAG, etag)], bytes).into_response()
    };
    match route {
        None => StatusCode::NOT_FOUND.into_response(),
        Some(Route::Bytes(b)) => serve(b),
        Some(Route::Slow(wait, b)) => {
            tokio::time::sleep(wait).await;
            serve(b)
        }
        Some(Route::Huge(len, announced)) => {
            if announced {
                (StatusCode::OK, vec![0u8; len]).into_response()
            } else {
                // Sent in chunks, no length announced: the client must count.
                let (mut tx, body) = http_body_util::Channel::<axum::body::Bytes>::new(2);
                tokio::spawn(async move {
                    for _ in 0..len.div_ceil(8192) {
                        let chunk = axum::body::Bytes::from(vec![0u8; 8192]);
                        if tx.send_data(chunk).await.is_err() {
                            break;
                        }
                    }
                });
                (StatusCode::OK, Body::new(body)).into_response()
            }
        }
        Some(Route::Redirect(to)) => (StatusCode::FOUND, [(header::LOCATION, to)]).into_response(),
        Some(Route::Status(code)) => StatusCode::from_u16(code).unwrap().into_response(),
    }
}

/// A list server on 127.0.0.1:0 and a way to stop it.
pub struct Running {
    pub port: u16,
    pub server: Shared,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
    pub async fn start() -> Running {
        let server: Shared = Arc::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(server.clone());
        let (stop, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Running {
            port,
            server,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn route(&self, path: &str, route: Route) {
        self.server
            .lock()
            .unwrap()
            .routes
            .insert(path.to_owned(), route);
    }

    pub fn hits(&self, path: &str) -> usize {
        self.server
            .lock()
            .unwrap()
            .hits
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }
}

pub fn fresh_state() -> SeenState {
    SeenState::default()
}
