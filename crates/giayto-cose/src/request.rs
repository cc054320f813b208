//! A verifier's request (`VR1:`, docs/format.md §15): what a relying party asks a holder to
//! share — fields and `age_over_NN` predicates, required or optional — with a fresh nonce, its
//! stated name, the purpose and an expiry. The holder's wallet shows it, asks for consent and
//! answers with a `VP1:` presentation bound to it (payload key 3 = the request's nonce, key 5 =
//! [`Request::hash`]); the verifier checks the answer against the request it showed.
//!
//! A request is not signed (docs/decisions.md D114): its verifier name is what the requester
//! states, and a wallet says so. Nothing in a request can make a wallet disclose more than its
//! holder confirmed.
//!
//! The text is `VR1:` + base45 of the request's CBOR map, raw or as a zlib stream (the shorter;
//! raw wins ties), like the other giayto texts (docs/format.md §5). Every length is bounded
//! before it is used; the map is strict deterministic CBOR (§2), so each request has exactly one
//! encoding and one hash.

use ciborium::value::Value;
use sha2::{Digest, Sha256};

use crate::cbor::{self, as_time, as_u64, get_int, CborError};
use crate::text::{self, TextError};

/// The text prefix of a request.
pub const PREFIX: &str = "VR1:";
/// Fewest nonce bytes (128 bits, fresh from a random generator for every request).
pub const MIN_NONCE: usize = 16;
/// Most nonce bytes (the presentation's nonce limit, docs/format.md §11.4).
pub const MAX_NONCE: usize = crate::presentation::MAX_NONCE;
/// Longest verifier name, in characters.
pub const MAX_VERIFIER_CHARS: usize = 100;
/// Longest purpose, in characters.
pub const MAX_PURPOSE_CHARS: usize = 200;
/// Most items (fields and predicates, required and optional together) one request asks for.
pub const MAX_ITEMS: usize = 32;
/// Longest item name, in bytes.
pub const MAX_ITEM_LEN: usize = 32;
/// Longest time a request stays open (`exp − iat`), in seconds: one day.
pub const MAX_LIFETIME: i64 = 86_400;
/// Largest request CBOR, in bytes (raw, or inflated from zlib).
pub const MAX_REQUEST_BYTES: usize = 4096;
/// Longest request text, prefix included, after trimming white space (as every giayto text).
pub const MAX_TEXT_LEN: usize = text::MAX_TEXT_LEN;
/// Bytes of a request's hash ([`Request::hash`]), carried in an answer's payload key 5.
pub const HASH_LEN: usize = 16;
/// Highest `NN` of an `age_over_NN` item.
pub const MAX_AGE: u8 = 150;

/// Map labels of a request.
pub mod label {
    /// The verifier's fresh nonce.
    pub const NONCE: i64 = 1;
    /// When the request was made.
    pub const IAT: i64 = 2;
    /// When it closes.
    pub const EXP: i64 = 3;
    /// The verifier's name, as it states it.
    pub const VERIFIER: i64 = 4;
    /// Why it asks.
    pub const PURPOSE: i64 = 5;
    /// Items the answer must disclose.
    pub const REQUIRED: i64 = 6;
    /// Items the holder may add.
    pub const OPTIONAL: i64 = 7;
    /// The document type asked for (docs/format.md §3.7); absent: any type.
    pub const DOC_TYPE: i64 = 8;
}

/// A request's hash: the first [`HASH_LEN`] bytes of SHA-256 of its CBOR bytes.
pub type RequestHash = [u8; HASH_LEN];

/// A verifier's request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The fresh nonce, [`MIN_NONCE`] to [`MAX_NONCE`] bytes.
    pub nonce: Vec<u8>,
    /// When the request was made, seconds since the epoch.
    pub issued_at: i64,
    /// When it closes: `issued_at < expires_at ≤ issued_at + MAX_LIFETIME`.
    pub expires_at: i64,
    /// The verifier's name as it states it (not verified), 1 to [`MAX_VERIFIER_CHARS`].
    pub verifier: String,
    /// Why it asks, 1 to [`MAX_PURPOSE_CHARS`].
    pub purpose: String,
    /// Items the answer must disclose: field names of docs/format.md §4 or `age_over_NN`.
    pub required: Vec<String>,
    /// Items the holder may choose to add.
    pub optional: Vec<String>,
    /// The document type code asked for; `None` for any type that has the items.
    pub doc_type: Option<u64>,
}

/// Why a request is not acceptable.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    /// The text does not start with `VR1:`.
    NoPrefix,
    /// The text is longer than [`MAX_TEXT_LEN`].
    TooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// The body is not valid base45, or not a CBOR map nor a zlib stream, or the zlib stream is
    /// broken or inflates beyond [`MAX_REQUEST_BYTES`].
    Text(TextError),
    /// Not strict deterministic CBOR, or larger than [`MAX_REQUEST_BYTES`].
    Cbor(CborError),
    /// A member is missing, of the wrong type, or out of its bounds.
    Invalid {
        /// Which member: `map`, `nonce`, `iat`, `exp`, `verifier`, `purpose`, `required`,
        /// `optional`, `doc_type`, `items`.
        member: &'static str,
    },
    /// A key this version does not know.
    UnknownKey,
    /// `exp` is not after `iat`, or more than [`MAX_LIFETIME`] after it.
    Lifetime,
    /// An item name that is not a field name nor `age_over_NN` (1 ≤ NN ≤ [`MAX_AGE`]) in form.
    BadItem {
        /// The name, cut to [`MAX_ITEM_LEN`] bytes.
        name: String,
    },
    /// The same item twice (in one list or in both).
    DuplicateItem {
        /// The name.
        name: String,
    },
}

impl std::fmt::Display for RequestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RequestError::NoPrefix => write!(f, "not a request (no {PREFIX} prefix)"),
            RequestError::TooLong { len } => {
                write!(f, "request text of {len} bytes exceeds {MAX_TEXT_LEN}")
            }
            RequestError::Text(e) => write!(f, "request: {e}"),
            RequestError::Cbor(e) => write!(f, "request: {e}"),
            RequestError::Invalid { member } => write!(f, "request: invalid {member}"),
            RequestError::UnknownKey => write!(f, "request: unknown key"),
            RequestError::Lifetime => write!(
                f,
                "request: expiry not after its time, or more than {MAX_LIFETIME} s after it"
            ),
            RequestError::BadItem { name } => write!(f, "request: item {name:?} is not a name"),
            RequestError::DuplicateItem { name } => write!(f, "request: item {name:?} twice"),
        }
    }
}

impl std::error::Error for RequestError {}

impl RequestError {
    /// A stable snake_case code: `not_a_request`, `text_too_long`, the text codes of
    /// docs/format.md §5 (`bad_base45`, `inflate_limit`, `bad_compression`), the CBOR codes of
    /// §2 (`truncated`, `trailing_bytes`, `duplicate_map_key`, `not_deterministic`, `too_deep`,
    /// `bad_cbor`), `bad_member`, `unknown_key`, `lifetime`, `bad_item`, `duplicate_item`.
    pub fn code(&self) -> &'static str {
        match self {
            RequestError::NoPrefix => "not_a_request",
            RequestError::TooLong { .. } => "text_too_long",
            RequestError::Text(TextError::Base45) => "bad_base45",
            RequestError::Text(TextError::TooLarge) => "inflate_limit",
            RequestError::Text(_) => "bad_compression",
            RequestError::Cbor(e) => match e {
                CborError::Truncated => "truncated",
                CborError::TrailingBytes { .. } => "trailing_bytes",
                CborError::DuplicateMapKey => "duplicate_map_key",
                CborError::MapKeysOutOfOrder | CborError::NotDeterministic => "not_deterministic",
                CborError::TooDeep => "too_deep",
                _ => "bad_cbor",
            },
            RequestError::Invalid { .. } => "bad_member",
            RequestError::UnknownKey => "unknown_key",
            RequestError::Lifetime => "lifetime",
            RequestError::BadItem { .. } => "bad_item",
            RequestError::DuplicateItem { .. } => "duplicate_item",
        }
    }
}

/// The `NN` of an item `age_over_NN` (decimal, no leading zero, 1 to [`MAX_AGE`]); `None` for
/// any other name.
pub fn age_item(name: &str) -> Option<u8> {
    let digits = name.strip_prefix("age_over_")?;
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits
        .parse::<u8>()
        .ok()
        .filter(|n| (1..=MAX_AGE).contains(n))
}

/// Whether `name` has the form of an item: lower-case ASCII letters, digits and `_`, starting
/// with a letter, 1 to [`MAX_ITEM_LEN`] bytes; a name starting `age_over_` must be a valid
/// [`age_item`].
pub fn item_name_ok(name: &str) -> bool {
    let b = name.as_bytes();
    let shape = !b.is_empty()
        && b.len() <= MAX_ITEM_LEN
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_');
    shape && (!name.starts_with("age_over_") || age_item(name).is_some())
}

/// Characters a shown text may not hold: control characters, and the invisible marks that
/// reorder text (bidirectional controls), which could make a name read as another.
fn shown_text_ok(t: &str, max_chars: usize) -> bool {
    let count = t.chars().count();
    (1..=max_chars).contains(&count)
        && t.trim() == t
        && !t.chars().any(|c| {
            c.is_control()
                || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}')
                || ('\u{202A}'..='\u{202E}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
        })
}

fn texts(list: &[String]) -> Value {
    Value::Array(list.iter().map(|s| Value::Text(s.clone())).collect())
}

fn read_items(v: &Value, member: &'static str) -> Result<Vec<String>, RequestError> {
    let arr = v.as_array().ok_or(RequestError::Invalid { member })?;
    if arr.is_empty() || arr.len() > MAX_ITEMS {
        return Err(RequestError::Invalid { member });
    }
    arr.iter()
        .map(|i| {
            i.as_text()
                .map(str::to_owned)
                .ok_or(RequestError::Invalid { member })
        })
        .collect()
}

impl Request {
    /// Check every bound of docs/format.md §15.2.
    pub fn validate(&self) -> Result<(), RequestError> {
        if !(MIN_NONCE..=MAX_NONCE).contains(&self.nonce.len()) {
            return Err(RequestError::Invalid { member: "nonce" });
        }
        if !(0..=cbor::MAX_TIME).contains(&self.issued_at) {
            return Err(RequestError::Invalid { member: "iat" });
        }
        if !(0..=cbor::MAX_TIME).contains(&self.expires_at) {
            return Err(RequestError::Invalid { member: "exp" });
        }
        if self.expires_at <= self.issued_at || self.expires_at - self.issued_at > MAX_LIFETIME {
            return Err(RequestError::Lifetime);
        }
        if !shown_text_ok(&self.verifier, MAX_VERIFIER_CHARS) {
            return Err(RequestError::Invalid { member: "verifier" });
        }
        if !shown_text_ok(&self.purpose, MAX_PURPOSE_CHARS) {
            return Err(RequestError::Invalid { member: "purpose" });
        }
        let all = self.items();
        if all.is_empty() || all.len() > MAX_ITEMS {
            return Err(RequestError::Invalid { member: "items" });
        }
        for (i, name) in all.iter().enumerate() {
            if !item_name_ok(name) {
                return Err(RequestError::BadItem {
                    name: name.chars().take(MAX_ITEM_LEN).collect(),
                });
            }
            if all[..i].contains(name) {
                return Err(RequestError::DuplicateItem {
                    name: (*name).clone(),
                });
            }
        }
        if self.doc_type.is_some_and(|t| t == 0 || t > 0xFFFF) {
            return Err(RequestError::Invalid { member: "doc_type" });
        }
        Ok(())
    }

    /// Every item, required first, in the request's order.
    pub fn items(&self) -> Vec<&String> {
        self.required.iter().chain(&self.optional).collect()
    }

    /// The request as its deterministic CBOR map, once its bounds are checked.
    pub fn to_bytes(&self) -> Result<Vec<u8>, RequestError> {
        self.validate()?;
        let mut entries = vec![
            (label::NONCE.into(), Value::Bytes(self.nonce.clone())),
            (label::IAT.into(), self.issued_at.into()),
            (label::EXP.into(), self.expires_at.into()),
            (label::VERIFIER.into(), Value::Text(self.verifier.clone())),
            (label::PURPOSE.into(), Value::Text(self.purpose.clone())),
        ];
        if !self.required.is_empty() {
            entries.push((label::REQUIRED.into(), texts(&self.required)));
        }
        if !self.optional.is_empty() {
            entries.push((label::OPTIONAL.into(), texts(&self.optional)));
        }
        if let Some(t) = self.doc_type {
            entries.push((label::DOC_TYPE.into(), t.into()));
        }
        let bytes = cbor::encode(&cbor::map(entries));
        if bytes.len() > MAX_REQUEST_BYTES {
            return Err(RequestError::Cbor(CborError::TooLarge { len: bytes.len() }));
        }
        Ok(bytes)
    }

    /// Read a request from its CBOR bytes: strict deterministic CBOR of at most
    /// [`MAX_REQUEST_BYTES`], known keys only, every bound of docs/format.md §15.2.
    pub fn from_bytes(bytes: &[u8]) -> Result<Request, RequestError> {
        let value = cbor::decode_bounded(bytes, MAX_REQUEST_BYTES).map_err(RequestError::Cbor)?;
        let map = value
            .as_map()
            .ok_or(RequestError::Invalid { member: "map" })?;
        if map.iter().any(|(k, _)| {
            !cbor::as_i64(k).is_some_and(|k| (label::NONCE..=label::DOC_TYPE).contains(&k))
        }) {
            return Err(RequestError::UnknownKey);
        }
        let text = |key, member| {
            get_int(map, key)
                .and_then(Value::as_text)
                .map(str::to_owned)
                .ok_or(RequestError::Invalid { member })
        };
        let request = Request {
            nonce: get_int(map, label::NONCE)
                .and_then(Value::as_bytes)
                .cloned()
                .ok_or(RequestError::Invalid { member: "nonce" })?,
            issued_at: get_int(map, label::IAT)
                .and_then(as_time)
                .ok_or(RequestError::Invalid { member: "iat" })?,
            expires_at: get_int(map, label::EXP)
                .and_then(as_time)
                .ok_or(RequestError::Invalid { member: "exp" })?,
            verifier: text(label::VERIFIER, "verifier")?,
            purpose: text(label::PURPOSE, "purpose")?,
            required: get_int(map, label::REQUIRED)
                .map(|v| read_items(v, "required"))
                .transpose()?
                .unwrap_or_default(),
            optional: get_int(map, label::OPTIONAL)
                .map(|v| read_items(v, "optional"))
                .transpose()?
                .unwrap_or_default(),
            doc_type: get_int(map, label::DOC_TYPE)
                .map(|v| as_u64(v).ok_or(RequestError::Invalid { member: "doc_type" }))
                .transpose()?,
        };
        // One encoding per request, so one hash: the bytes read are the bytes it writes.
        if request.to_bytes()? != bytes {
            return Err(RequestError::Cbor(CborError::NotDeterministic));
        }
        Ok(request)
    }

    /// The request as QR text: `VR1:` + base45 of the shorter of its CBOR bytes and their zlib
    /// stream (raw wins ties).
    pub fn to_text(&self) -> Result<String, RequestError> {
        let bytes = self.to_bytes()?;
        let body = match text::deflate_best(&bytes) {
            Some(z) if z.len() < bytes.len() => z,
            _ => bytes,
        };
        Ok(format!("{PREFIX}{}", base45::encode(&body)))
    }

    /// Read a request from its QR text (white space around it ignored).
    pub fn from_text(scanned: &str) -> Result<Request, RequestError> {
        Request::from_bytes(&text_bytes(scanned)?)
    }

    /// The request's hash: SHA-256 of its CBOR bytes, the first [`HASH_LEN`] bytes. An answer
    /// carries it (presentation payload key 5), so an answer made for another request — another
    /// verifier's, or this one's with its name or purpose changed — is told apart.
    pub fn hash(&self) -> Result<RequestHash, RequestError> {
        Ok(hash_bytes(&self.to_bytes()?))
    }

    /// Whether the request is open at `now`: from `iat − skew` to before `exp`.
    pub fn is_open(&self, now: i64, skew: i64) -> bool {
        self.issued_at.saturating_sub(skew) <= now && now < self.expires_at
    }
}

/// SHA-256 of `bytes`, cut to [`HASH_LEN`].
pub fn hash_bytes(bytes: &[u8]) -> RequestHash {
    let digest = Sha256::digest(bytes);
    let mut out = [0u8; HASH_LEN];
    out.copy_from_slice(&digest[..HASH_LEN]);
    out
}

/// The CBOR bytes of a request text: prefix, length, base45, then raw (a CBOR map, first byte
/// `0xA0`–`0xBB`) or zlib (`0x78`, inflated to at most [`MAX_REQUEST_BYTES`]).
pub fn text_bytes(scanned: &str) -> Result<Vec<u8>, RequestError> {
    let t = scanned.trim_matches(|c: char| c.is_ascii_whitespace());
    let body = t.strip_prefix(PREFIX).ok_or(RequestError::NoPrefix)?;
    if t.len() > MAX_TEXT_LEN {
        return Err(RequestError::TooLong { len: t.len() });
    }
    let bytes = base45::decode(body).map_err(|_| RequestError::Text(TextError::Base45))?;
    match bytes.first() {
        Some(0xA0..=0xBB) => Ok(bytes),
        Some(0x78) => text::inflate_bounded(&bytes, text::KNOWN_DICTIONARIES, MAX_REQUEST_BYTES)
            .map_err(RequestError::Text),
        first => Err(RequestError::Text(TextError::UnknownForm {
            first: first.copied(),
        })),
    }
}

#[cfg(test)]
mod tests;
