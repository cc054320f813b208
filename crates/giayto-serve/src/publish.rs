//! Serving a published status list folder (`giayto serve --publish DIR`, docs/service.md):
//! the files `giayto status publish` writes (docs/format.md §9.4), each at its file name and at
//! the path of its `sub` uri, with `application/statuslist+cwt`, a strong `ETag`,
//! `Last-Modified` (the list's `iat`) and `Cache-Control: max-age` no longer than the list's
//! `ttl` nor its remaining validity. A trust list placed in the folder as `trust.cwt` is served
//! at `/trust.cwt` the same way, with `application/vn-trust+cwt` (the url a verifier's
//! `--trust-url` names, docs/format.md §9.7). The tokens are served as written: verifiers check
//! them. Every answer carries CORS headers, and `OPTIONS` preflights are answered, so the web
//! verifier on another origin can fetch the lists (docs/format.md §9.7.1).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use giayto_status::StatusListToken;
use sha2::{Digest, Sha256};

/// The media type of a status list token.
pub const MEDIA_TYPE: &str = "application/statuslist+cwt";
/// The media type of a trust list (its COSE `typ`, docs/format.md §6.1).
pub const TRUST_MEDIA_TYPE: &str = giayto_cose::TRUST_LIST_TYP;
/// The trust list's file name in the folder, and its path.
pub const TRUST_FILE: &str = "trust.cwt";
/// File names of status lists end with this.
const EXT: &str = ".statuslist.cwt";
/// `max-age` when a list has no `ttl`: one hour.
const DEFAULT_MAX_AGE: i64 = 3600;

struct Folder {
    dir: PathBuf,
    /// uri path → file name, with the folder's modification time it was built at.
    index: Mutex<Option<(SystemTime, HashMap<String, String>)>>,
}

/// A list's claims, read without its signature checked (this is the issuer's own folder).
fn claims(bytes: &[u8]) -> Option<StatusListToken> {
    let signed = giayto_cose::sign1::Sign1::parse_bounded(
        bytes,
        giayto_cose::STATUS_LIST_TYP,
        giayto_status::MAX_TOKEN_BYTES,
    )
    .ok()?;
    StatusListToken::from_payload(signed.payload()).ok()
}

/// The path part of a uri: `https://host/st/X/1` → `/st/X/1`.
fn uri_path(uri: &str) -> Option<String> {
    let rest = uri.split_once("://").map_or(uri, |(_, r)| r);
    rest.find('/').map(|i| rest[i..].to_owned())
}

/// What the headers of a served token come from.
struct Served {
    media_type: &'static str,
    issued_at: i64,
    expires_at: i64,
    ttl: Option<u64>,
}

impl Served {
    fn status_list(token: &StatusListToken) -> Served {
        Served {
            media_type: MEDIA_TYPE,
            issued_at: token.issued_at,
            expires_at: token.expires_at,
            ttl: token.ttl,
        }
    }

    /// A trust list's `iat` and `exp`, read without its signature checked (docs/format.md §6.2).
    fn trust_list(bytes: &[u8]) -> Option<Served> {
        use giayto_cose::cbor;
        let signed = giayto_cose::sign1::Sign1::parse_bounded(
            bytes,
            giayto_cose::TRUST_LIST_TYP,
            MAX_TRUST_BYTES,
        )
        .ok()?;
        let payload = cbor::decode_bounded(signed.payload(), MAX_TRUST_BYTES).ok()?;
        let map = payload.as_map()?;
        Some(Served {
            media_type: TRUST_MEDIA_TYPE,
            issued_at: cbor::get_int(map, 6).and_then(cbor::as_time)?,
            expires_at: cbor::get_int(map, 4).and_then(cbor::as_time)?,
            ttl: None,
        })
    }
}

/// A signed trust list and its payload are at most 1 MiB (docs/format.md §13).
const MAX_TRUST_BYTES: usize = 1024 * 1024;

fn read_index(dir: &Path) -> HashMap<String, String> {
    let mut index = HashMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return index;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(EXT) {
            continue;
        }
        let Ok(bytes) = std::fs::read(entry.path()) else {
            continue;
        };
        if let Some(path) = claims(&bytes).and_then(|t| uri_path(&t.uri)) {
            index.insert(path, name);
        }
    }
    index
}

impl Folder {
    /// The file name for a request path: a list's own file name, or the path of its uri
    /// (the index is rebuilt when the folder changed: `status publish` renames files in).
    fn file_for(&self, path: &str) -> Option<String> {
        let name = path.trim_start_matches('/');
        if name.ends_with(EXT)
            && !name.contains('/')
            && !name.contains('\\')
            && !name.starts_with('.')
        {
            return Some(name.to_owned());
        }
        let modified = std::fs::metadata(&self.dir)
            .and_then(|m| m.modified())
            .ok()?;
        let mut guard = self
            .index
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let fresh = matches!(&*guard, Some((at, _)) if *at == modified);
        if !fresh {
            *guard = Some((modified, read_index(&self.dir)));
        }
        guard
            .as_ref()
            .and_then(|(_, index)| index.get(path).cloned())
    }
}

fn http_date(ts: i64) -> Option<String> {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()?
        .format(&format)
        .ok()
}

fn parse_http_date(s: &str) -> Option<i64> {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::PrimitiveDateTime::parse(s.trim(), &format)
        .ok()
        .map(|t| t.assume_utc().unix_timestamp())
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "no such status list\n").into_response()
}

async fn get_list(State(folder): State<Arc<Folder>>, req: Request) -> Response {
    let path = req.uri().path().to_owned();
    let headers = req.headers().clone();
    let folder2 = folder.clone();
    // File reads off the async workers.
    let found = tokio::task::spawn_blocking(move || {
        if path == format!("/{TRUST_FILE}") {
            let bytes = std::fs::read(folder2.dir.join(TRUST_FILE)).ok()?;
            let served = Served::trust_list(&bytes)?;
            return Some((bytes, served));
        }
        let name = folder2.file_for(&path)?;
        let bytes = std::fs::read(folder2.dir.join(name)).ok()?;
        let served = Served::status_list(&claims(&bytes)?);
        Some((bytes, served))
    })
    .await
    .ok()
    .flatten();
    let Some((bytes, served)) = found else {
        return not_found();
    };
    respond(&headers, bytes, &served, super::now())
}

fn respond(headers: &HeaderMap, bytes: Vec<u8>, token: &Served, now: i64) -> Response {
    let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&bytes)[..16]));
    let ttl = token
        .ttl
        .and_then(|t| i64::try_from(t).ok())
        .unwrap_or(DEFAULT_MAX_AGE);
    // Never cached past the list's own expiry.
    let max_age = ttl.min(token.expires_at - now).max(0);
    let mut out = HeaderMap::new();
    let mut set = |name: header::HeaderName, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            out.insert(name, v);
        }
    };
    set(header::ETAG, etag.clone());
    set(header::CACHE_CONTROL, format!("public, max-age={max_age}"));
    if let Some(date) = http_date(token.issued_at) {
        set(header::LAST_MODIFIED, date);
    }
    set(header::CONTENT_TYPE, token.media_type.to_owned());
    let if_none_match = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok());
    let not_modified = match if_none_match {
        Some(tags) => tags
            .split(',')
            .any(|t| t.trim() == etag || t.trim() == "*" || t.trim() == format!("W/{etag}")),
        None => headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_http_date)
            .is_some_and(|since| token.issued_at <= since),
    };
    if not_modified {
        out.remove(header::CONTENT_TYPE);
        return (StatusCode::NOT_MODIFIED, out).into_response();
    }
    (StatusCode::OK, out, Body::from(bytes)).into_response()
}

/// The router of a published status folder: `GET` (and `HEAD`) of every list.
pub fn publish_router(dir: PathBuf) -> Router {
    let folder = Arc::new(Folder {
        dir,
        index: Mutex::new(None),
    });
    Router::new()
        .fallback(axum::routing::get(get_list))
        .with_state(folder)
        .layer(cors())
}

/// CORS for the published lists (docs/service.md, D145): a verifier page on any origin may
/// read them — they are public, signed data, fetched without credentials. The page's
/// conditional requests send `If-None-Match` / `If-Modified-Since`, which are not CORS-safelisted
/// headers, so the browser asks first with an `OPTIONS` preflight; the layer answers it. The
/// validators and `Cache-Control` are exposed so the page can send them back.
fn cors() -> tower_http::cors::CorsLayer {
    use axum::http::Method;
    tower_http::cors::CorsLayer::new()
        .allow_origin(tower_http::cors::Any)
        .allow_methods([Method::GET, Method::HEAD])
        .allow_headers([header::IF_NONE_MATCH, header::IF_MODIFIED_SINCE])
        .expose_headers([header::ETAG, header::LAST_MODIFIED, header::CACHE_CONTROL])
        .max_age(std::time::Duration::from_secs(24 * 3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_paths_and_http_dates() {
        assert_eq!(
            uri_path("https://giayto.example/st/VN.BCA.C06/1").as_deref(),
            Some("/st/VN.BCA.C06/1")
        );
        assert_eq!(uri_path("https://host").as_deref(), None);
        let d = http_date(1795392000).unwrap();
        assert_eq!(d, "Mon, 23 Nov 2026 00:00:00 GMT");
        assert_eq!(parse_http_date(&d), Some(1795392000));
        assert_eq!(parse_http_date("yesterday"), None);
    }
}
