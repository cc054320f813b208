//! CBOR helpers for ISO 18013-5 structures: bounded decoding, tag 24 (embedded CBOR), dates.

use ciborium::Value;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use crate::error::Reason;
use crate::{MAX_DEPTH, MAX_MDOC_BYTES};

/// Tag 24: a byte string holding encoded CBOR.
pub const TAG_ENCODED_CBOR: u64 = 24;
/// Tag 0: a date-time text (`tdate`).
pub const TAG_TDATE: u64 = 0;
/// Tag 1004: a full-date text (RFC 8943).
pub const TAG_FULL_DATE: u64 = 1004;

/// Encode a value.
pub fn encode(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail; a value that cannot be encoded (none of ours) gives an
    // empty buffer, which no check accepts.
    if ciborium::ser::into_writer(v, &mut out).is_err() {
        out.clear();
    }
    out
}

/// Decode exactly one CBOR item, at most [`MAX_MDOC_BYTES`] long and [`MAX_DEPTH`] deep.
pub fn decode(bytes: &[u8]) -> Result<Value, Reason> {
    if bytes.len() > MAX_MDOC_BYTES {
        return Err(Reason::TooLarge { size: bytes.len() });
    }
    let mut rest = bytes;
    let v: Value = ciborium::de::from_reader_with_recursion_limit(&mut rest, MAX_DEPTH)
        .map_err(|_| Reason::NotCbor)?;
    if !rest.is_empty() {
        return Err(Reason::NotCbor);
    }
    check_depth(&v, 0)?;
    Ok(v)
}

/// Tags count towards the depth too (the decoder's limit counts arrays and maps only).
fn check_depth(v: &Value, depth: usize) -> Result<(), Reason> {
    if depth > MAX_DEPTH {
        return Err(Reason::NotCbor);
    }
    match v {
        Value::Array(a) => a.iter().try_for_each(|x| check_depth(x, depth + 1)),
        Value::Map(m) => m.iter().try_for_each(|(k, x)| {
            check_depth(k, depth + 1)?;
            check_depth(x, depth + 1)
        }),
        Value::Tag(_, x) => check_depth(x, depth + 1),
        _ => Ok(()),
    }
}

/// `#6.24(bstr .cbor v)`.
pub fn tag24(v: &Value) -> Value {
    Value::Tag(TAG_ENCODED_CBOR, Box::new(Value::Bytes(encode(v))))
}

/// The bytes inside a `#6.24(bstr)`.
pub fn untag24<'a>(v: &'a Value, what: &'static str) -> Result<&'a [u8], Reason> {
    match v {
        Value::Tag(TAG_ENCODED_CBOR, inner) => match inner.as_ref() {
            Value::Bytes(b) => Ok(b),
            _ => Err(Reason::Malformed(what)),
        },
        _ => Err(Reason::Malformed(what)),
    }
}

/// The value under text key `key` of a map.
pub fn get<'a>(map: &'a [(Value, Value)], key: &str) -> Option<&'a Value> {
    map.iter()
        .find(|(k, _)| matches!(k, Value::Text(t) if t == key))
        .map(|(_, v)| v)
}

/// The value under text key `key`, which must be present.
pub fn req<'a>(
    map: &'a [(Value, Value)],
    key: &str,
    what: &'static str,
) -> Result<&'a Value, Reason> {
    get(map, key).ok_or(Reason::Malformed(what))
}

/// A map's entries.
pub fn as_map<'a>(v: &'a Value, what: &'static str) -> Result<&'a [(Value, Value)], Reason> {
    match v {
        Value::Map(m) => Ok(m),
        _ => Err(Reason::Malformed(what)),
    }
}

/// A text's contents.
pub fn as_text<'a>(v: &'a Value, what: &'static str) -> Result<&'a str, Reason> {
    match v {
        Value::Text(t) => Ok(t),
        _ => Err(Reason::Malformed(what)),
    }
}

/// `full-date`: `#6.1004("YYYY-MM-DD")`.
pub fn full_date(d: Date) -> Value {
    Value::Tag(
        TAG_FULL_DATE,
        Box::new(Value::Text(giayto_model::date::format_iso(d))),
    )
}

/// `tdate`: `#6.0("YYYY-MM-DDTHH:MM:SSZ")`, whole seconds, UTC.
pub fn tdate(unix: i64) -> Value {
    Value::Tag(TAG_TDATE, Box::new(Value::Text(rfc3339(unix))))
}

/// RFC 3339 UTC, whole seconds (`1970-01-01T00:00:00Z` for a time out of range).
pub fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.replace_nanosecond(0).ok())
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

/// Read a `tdate` (tag 0 text, RFC 3339) as unix seconds.
pub fn read_tdate(v: &Value, what: &'static str) -> Result<i64, Reason> {
    match v {
        Value::Tag(TAG_TDATE, inner) => {
            let text = as_text(inner, what)?;
            OffsetDateTime::parse(text, &Rfc3339)
                .map(|t| t.unix_timestamp())
                .map_err(|_| Reason::Malformed(what))
        }
        _ => Err(Reason::Malformed(what)),
    }
}
