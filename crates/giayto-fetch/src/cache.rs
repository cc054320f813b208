//! The on-disk cache: the trust list and every status list fetched, each beside a small JSON
//! file with where it came from and what the server said of it (docs/format.md §9.7).
//!
//! Layout of the cache folder:
//!
//! ```text
//! trust.cwt                      the trust list, as fetched
//! trust.meta.json                {"url", "etag", "last_modified", "checked_at"}
//! status/H.statuslist.cwt        a status list; H = first 32 hex digits of SHA-256(uri)
//! status/H.meta.json             the same fields for it
//! ```
//!
//! Every file is written whole to a temporary file in the same folder, flushed, then renamed
//! over the old one: a reader sees the old file or the new, never half of one. The token is
//! written before its metadata, so a crash between the two leaves a new token with old
//! validators (the next conditional request gets the list again, nothing worse). The status
//! folder can be given to `giayto verify --status` as it is.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::FetchError;

/// Status list files end with this (as `giayto status publish` writes them).
pub const STATUS_EXT: &str = ".statuslist.cwt";
const META_EXT: &str = ".meta.json";
const TRUST_FILE: &str = "trust.cwt";
const TRUST_META: &str = "trust.meta.json";
/// Largest metadata file read.
const MAX_META_BYTES: u64 = 4096;

/// What is known of a cached item besides its bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// The url it was fetched from (the status list's uri, or the trust list's url).
    pub url: String,
    /// The server's `ETag`, sent back as `If-None-Match`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The server's `Last-Modified`, sent back as `If-Modified-Since`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// When the server last confirmed this copy (a 200 or a 304), seconds.
    pub checked_at: i64,
}

/// A cache folder.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

/// A file read back from the cache, with its metadata when that could be read.
pub(crate) struct Cached {
    pub(crate) bytes: Vec<u8>,
    pub(crate) meta: Option<Meta>,
}

impl Cache {
    /// The cache in this folder (created at the first write).
    pub fn new(dir: impl Into<PathBuf>) -> Cache {
        Cache { dir: dir.into() }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The folder of cached status lists.
    pub fn status_dir(&self) -> PathBuf {
        self.dir.join("status")
    }

    /// The file stem of a status list's uri.
    fn stem(uri: &str) -> String {
        hex::encode(&Sha256::digest(uri.as_bytes())[..16])
    }

    /// The cached trust list, if any.
    pub(crate) fn read_trust(&self) -> Result<Option<Cached>, FetchError> {
        let Some(bytes) = read_bounded(
            &self.dir.join(TRUST_FILE),
            giayto_trust::MAX_TRUST_LIST_BYTES as u64,
        )?
        else {
            return Ok(None);
        };
        Ok(Some(Cached {
            bytes,
            meta: read_meta(&self.dir.join(TRUST_META)),
        }))
    }

    /// Store the trust list (when `bytes` is given) and its metadata.
    pub(crate) fn write_trust(&self, bytes: Option<&[u8]>, meta: &Meta) -> Result<(), FetchError> {
        if let Some(bytes) = bytes {
            write_atomic(&self.dir.join(TRUST_FILE), bytes)?;
        }
        write_atomic(&self.dir.join(TRUST_META), &meta_bytes(meta))
    }

    /// Every cached status list (at most `max`, by file name).
    pub(crate) fn read_lists(&self, max: usize) -> Result<Vec<Cached>, FetchError> {
        let dir = self.status_dir();
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(FetchError::io(&dir, &e)),
        };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.ends_with(STATUS_EXT) && !n.starts_with('.'))
            .collect();
        names.sort();
        names.truncate(max);
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            let path = dir.join(&name);
            if let Some(bytes) = read_bounded(&path, giayto_status::MAX_TOKEN_BYTES as u64)? {
                let stem = name.trim_end_matches(STATUS_EXT);
                let meta = read_meta(&dir.join(format!("{stem}{META_EXT}")));
                out.push(Cached { bytes, meta });
            }
        }
        Ok(out)
    }

    /// Store a status list (when `bytes` is given) and its metadata, under its uri's name.
    pub(crate) fn write_list(
        &self,
        uri: &str,
        bytes: Option<&[u8]>,
        meta: &Meta,
    ) -> Result<(), FetchError> {
        let dir = self.status_dir();
        let stem = Cache::stem(uri);
        if let Some(bytes) = bytes {
            write_atomic(&dir.join(format!("{stem}{STATUS_EXT}")), bytes)?;
        }
        write_atomic(&dir.join(format!("{stem}{META_EXT}")), &meta_bytes(meta))
    }
}

fn meta_bytes(meta: &Meta) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(meta).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// Metadata, or `None` when missing or unreadable (the item is then simply due for a check).
fn read_meta(path: &Path) -> Option<Meta> {
    let bytes = read_bounded(path, MAX_META_BYTES).ok()??;
    serde_json::from_slice(&bytes).ok()
}

/// A file's bytes, `None` when it does not exist; an error when it cannot be read or is
/// larger than `max`.
fn read_bounded(path: &Path, max: u64) -> Result<Option<Vec<u8>>, FetchError> {
    use std::io::Read;
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(FetchError::io(path, &e)),
    };
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| FetchError::io(path, &e))?;
    if bytes.len() as u64 > max {
        return Err(FetchError::io(
            path,
            &std::io::Error::new(std::io::ErrorKind::InvalidData, "file too large"),
        ));
    }
    Ok(Some(bytes))
}

/// Write a file whole: a temporary file beside it, flushed to disk, renamed over it.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FetchError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| FetchError::io(dir, &e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(FetchError::io(path, &e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_replaced_whole_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().join("c"));
        assert!(cache.read_trust().unwrap().is_none());
        assert!(cache.read_lists(10).unwrap().is_empty());
        let meta = Meta {
            url: "https://giayto.example/st/X/1".into(),
            etag: Some("\"abc\"".into()),
            last_modified: None,
            checked_at: 5,
        };
        cache.write_list(&meta.url, Some(b"first"), &meta).unwrap();
        cache.write_list(&meta.url, Some(b"second"), &meta).unwrap();
        let lists = cache.read_lists(10).unwrap();
        assert_eq!(lists.len(), 1);
        assert_eq!(lists[0].bytes, b"second");
        assert_eq!(lists[0].meta.as_ref(), Some(&meta));
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(cache.status_dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
        // Damaged metadata is no metadata.
        let stem = Cache::stem(&meta.url);
        std::fs::write(cache.status_dir().join(format!("{stem}{META_EXT}")), b"{").unwrap();
        assert!(cache.read_lists(10).unwrap()[0].meta.is_none());
    }
}
