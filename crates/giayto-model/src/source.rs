//! One validation path for two inputs: issuance JSON (lenient spelling, canonicalised) and a
//! decoded CBOR `fields` map (must already be canonical). Also the CBOR map writer and the
//! rendering of unknown CBOR fields.
//!
//! Over 600 lines on purpose: the JSON and the CBOR readers are the two halves of one trait and
//! must accept exactly the same values; keeping them in one file keeps them in step. Its tests
//! are in `source/tests.rs`.

use std::collections::BTreeMap;

use base64::Engine as _;
use ciborium::Value as Cbor;
use serde_json::{Map, Value as Json};
use time::Date;

use crate::date;
use crate::error::{FieldError, FieldErrorKind};

/// A field: its JSON name and its integer key in the CBOR `fields` map.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Field {
    pub name: &'static str,
    pub key: u64,
}

/// A field with this JSON name and CBOR key (short, for the per-document key tables).
pub(crate) const fn f(name: &'static str, key: u64) -> Field {
    Field { name, key }
}

/// A licence class entry as read, before the class name is checked.
pub(crate) struct RawClass {
    pub class: String,
    pub issue_date: Date,
    pub expiry_date: Option<Date>,
}

/// Maximum number of entries in `classes`.
pub(crate) const MAX_CLASSES: usize = 32;

/// Reads raw values by field; `None` means absent.
pub(crate) trait Source {
    /// Decoded credentials must already be canonical.
    fn strict(&self) -> bool;
    fn raw_text(&self, f: Field) -> Result<Option<&str>, FieldError>;
    fn raw_date(&self, f: Field) -> Result<Option<Date>, FieldError>;
    fn raw_uint(&self, f: Field) -> Result<Option<u64>, FieldError>;
    /// A JSON token (case-insensitive) or its CBOR code, from `table`.
    fn raw_token(
        &self,
        f: Field,
        table: &[(&'static str, u64)],
        bad: FieldErrorKind,
    ) -> Result<Option<u64>, FieldError>;
    /// Base64 text in JSON, a byte string in CBOR; at most `max` bytes.
    fn raw_bytes(&self, f: Field, max: usize) -> Result<Option<Vec<u8>>, FieldError>;
    fn raw_classes(&self, f: Field) -> Result<Option<Vec<RawClass>>, FieldError>;
}

/// Canonicalises a text at `path`; in strict mode the input must equal its canonical form.
pub(crate) fn canon_at<S: Source + ?Sized>(
    src: &S,
    path: &str,
    raw: &str,
    canon: impl FnOnce(&str) -> Result<String, FieldErrorKind>,
) -> Result<String, FieldError> {
    let c = canon(raw).map_err(|k| FieldError::new(path, k))?;
    if src.strict() && c != raw {
        return Err(FieldError::new(path, FieldErrorKind::NotCanonical));
    }
    Ok(c)
}

/// Optional text field through `canon`.
pub(crate) fn opt_text<S: Source + ?Sized>(
    src: &S,
    f: Field,
    canon: impl FnOnce(&str) -> Result<String, FieldErrorKind>,
) -> Result<Option<String>, FieldError> {
    match src.raw_text(f)? {
        None => Ok(None),
        Some(raw) => canon_at(src, f.name, raw, canon).map(Some),
    }
}

/// Required text field through `canon`.
pub(crate) fn req_text<S: Source + ?Sized>(
    src: &S,
    f: Field,
    canon: impl FnOnce(&str) -> Result<String, FieldErrorKind>,
) -> Result<String, FieldError> {
    req(f, opt_text(src, f, canon)?)
}

/// Required date field.
pub(crate) fn req_date<S: Source + ?Sized>(src: &S, f: Field) -> Result<Date, FieldError> {
    req(f, src.raw_date(f)?)
}

/// Required sex field: a code of [`crate::common::Sex::TABLE`] (1 male, 2 female).
pub(crate) fn req_sex<S: Source + ?Sized>(
    src: &S,
    f: Field,
) -> Result<crate::common::Sex, FieldError> {
    use crate::common::Sex;
    let code = req(
        f,
        src.raw_token(f, &Sex::TABLE, FieldErrorKind::InvalidSex)?,
    )?;
    Sex::from_code(code).ok_or_else(|| FieldError::new(f.name, FieldErrorKind::InvalidSex))
}

/// Turns an absent required value into [`FieldErrorKind::Missing`].
pub(crate) fn req<T>(f: Field, v: Option<T>) -> Result<T, FieldError> {
    v.ok_or_else(|| FieldError::new(f.name, FieldErrorKind::Missing))
}

/// Optional unsigned integer in `min..=max`.
pub(crate) fn opt_uint_in<S: Source + ?Sized>(
    src: &S,
    f: Field,
    min: u64,
    max: u64,
) -> Result<Option<u64>, FieldError> {
    match src.raw_uint(f)? {
        Some(n) if !(min..=max).contains(&n) => Err(FieldError::new(
            f.name,
            FieldErrorKind::OutOfRange { min, max },
        )),
        other => Ok(other),
    }
}

/// `later` must be after (`strict`) or not before `earlier`.
pub(crate) fn check_order(
    later_path: &str,
    later: Date,
    earlier_name: &'static str,
    earlier: Date,
    strict: bool,
) -> Result<(), FieldError> {
    let ok = if strict {
        later > earlier
    } else {
        later >= earlier
    };
    if ok {
        Ok(())
    } else {
        Err(FieldError::new(
            later_path,
            FieldErrorKind::DateOrder {
                other: earlier_name,
                strict,
            },
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// JSON

/// Issuance input: a JSON object whose member names are checked against the document's fields.
pub(crate) struct JsonSource<'a> {
    obj: &'a Map<String, Json>,
}

fn json_object<'a>(
    v: &'a Json,
    path: &str,
    allowed: &[&str],
) -> Result<&'a Map<String, Json>, FieldError> {
    let obj = v
        .as_object()
        .ok_or_else(|| FieldError::new(path, FieldErrorKind::WrongType { expected: "object" }))?;
    if let Some(name) = obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        let p = if path.is_empty() {
            name.clone()
        } else {
            format!("{path}.{name}")
        };
        return Err(FieldError::new(p, FieldErrorKind::UnknownField));
    }
    Ok(obj)
}

fn json_text<'a>(v: &'a Json, path: &str) -> Result<&'a str, FieldError> {
    v.as_str()
        .ok_or_else(|| FieldError::new(path, FieldErrorKind::WrongType { expected: "text" }))
}

fn json_date(v: &Json, path: &str) -> Result<Date, FieldError> {
    date::parse_iso(json_text(v, path)?).map_err(|k| FieldError::new(path, k))
}

/// A JSON value that is neither absent nor null.
fn present(v: Option<&Json>) -> Option<&Json> {
    v.filter(|v| !v.is_null())
}

impl<'a> JsonSource<'a> {
    /// Checks that `v` is an object with no member outside `fields`.
    pub(crate) fn new(v: &'a Json, fields: &[Field]) -> Result<JsonSource<'a>, FieldError> {
        let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
        let obj = json_object(v, "", &names)?;
        Ok(JsonSource { obj })
    }

    fn get(&self, f: Field) -> Option<&'a Json> {
        present(self.obj.get(f.name))
    }
}

impl Source for JsonSource<'_> {
    fn strict(&self) -> bool {
        false
    }

    fn raw_text(&self, f: Field) -> Result<Option<&str>, FieldError> {
        self.get(f).map(|v| json_text(v, f.name)).transpose()
    }

    fn raw_date(&self, f: Field) -> Result<Option<Date>, FieldError> {
        self.get(f).map(|v| json_date(v, f.name)).transpose()
    }

    fn raw_uint(&self, f: Field) -> Result<Option<u64>, FieldError> {
        self.get(f)
            .map(|v| {
                v.as_u64().ok_or_else(|| {
                    FieldError::new(
                        f.name,
                        FieldErrorKind::WrongType {
                            expected: "unsigned integer",
                        },
                    )
                })
            })
            .transpose()
    }

    fn raw_token(
        &self,
        f: Field,
        table: &[(&'static str, u64)],
        bad: FieldErrorKind,
    ) -> Result<Option<u64>, FieldError> {
        let Some(raw) = self.raw_text(f)? else {
            return Ok(None);
        };
        let t = raw.trim();
        table
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(t))
            .map(|&(_, code)| Some(code))
            .ok_or_else(|| FieldError::new(f.name, bad))
    }

    fn raw_bytes(&self, f: Field, max: usize) -> Result<Option<Vec<u8>>, FieldError> {
        let Some(raw) = self.raw_text(f)? else {
            return Ok(None);
        };
        let compact: String = raw.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let estimate = compact.len() / 4 * 3;
        if estimate > max.saturating_add(3) {
            return Err(FieldError::new(
                f.name,
                FieldErrorKind::ImageTooLarge {
                    max,
                    size: estimate,
                },
            ));
        }
        let engine = base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
        );
        let bytes = engine
            .decode(compact.as_bytes())
            .map_err(|_| FieldError::new(f.name, FieldErrorKind::NotBase64))?;
        if bytes.len() > max {
            return Err(FieldError::new(
                f.name,
                FieldErrorKind::ImageTooLarge {
                    max,
                    size: bytes.len(),
                },
            ));
        }
        Ok(Some(bytes))
    }

    fn raw_classes(&self, f: Field) -> Result<Option<Vec<RawClass>>, FieldError> {
        let Some(v) = self.get(f) else {
            return Ok(None);
        };
        let arr = v.as_array().ok_or_else(|| {
            FieldError::new(f.name, FieldErrorKind::WrongType { expected: "array" })
        })?;
        if arr.len() > MAX_CLASSES {
            return Err(FieldError::new(
                f.name,
                FieldErrorKind::TooMany { max: MAX_CLASSES },
            ));
        }
        let mut out = Vec::with_capacity(arr.len());
        for (i, item) in arr.iter().enumerate() {
            let base = format!("{}[{i}]", f.name);
            let obj = json_object(item, &base, &["class", "issue_date", "expiry_date"])?;
            let class_path = format!("{base}.class");
            let class = present(obj.get("class"))
                .ok_or_else(|| FieldError::new(&class_path, FieldErrorKind::Missing))
                .and_then(|v| json_text(v, &class_path))?;
            let issue_path = format!("{base}.issue_date");
            let issue_date = present(obj.get("issue_date"))
                .ok_or_else(|| FieldError::new(&issue_path, FieldErrorKind::Missing))
                .and_then(|v| json_date(v, &issue_path))?;
            let expiry_date = present(obj.get("expiry_date"))
                .map(|v| json_date(v, &format!("{base}.expiry_date")))
                .transpose()?;
            out.push(RawClass {
                class: class.to_owned(),
                issue_date,
                expiry_date,
            });
        }
        Ok(Some(out))
    }
}

// ---------------------------------------------------------------------------------------------
// CBOR

/// A decoded `fields` map: unsigned integer keys, each once.
pub(crate) struct CborSource<'a> {
    map: BTreeMap<u64, &'a Cbor>,
    /// JSON names by key, for error paths.
    fields: &'a [Field],
}

fn cbor_uint(v: &Cbor) -> Option<u64> {
    match v {
        Cbor::Integer(i) => u64::try_from(*i).ok(),
        _ => None,
    }
}

fn wrong(path: &str, expected: &'static str) -> FieldError {
    FieldError::new(path, FieldErrorKind::WrongType { expected })
}

fn cbor_text<'v>(v: &'v Cbor, path: &str) -> Result<&'v str, FieldError> {
    match v {
        Cbor::Text(s) => Ok(s),
        _ => Err(wrong(path, "text")),
    }
}

fn cbor_date(v: &Cbor, path: &str) -> Result<Date, FieldError> {
    date::from_cbor(v).map_err(|k| FieldError::new(path, k))
}

impl<'a> CborSource<'a> {
    /// Checks that `v` is a map with unsigned integer keys, none repeated.
    pub(crate) fn new(v: &'a Cbor, fields: &'a [Field]) -> Result<CborSource<'a>, FieldError> {
        let Cbor::Map(entries) = v else {
            return Err(wrong("fields", "map"));
        };
        let mut map = BTreeMap::new();
        for (k, val) in entries {
            let key = cbor_uint(k)
                .ok_or_else(|| FieldError::new("fields", FieldErrorKind::InvalidKey))?;
            if map.insert(key, val).is_some() {
                return Err(FieldError::new(
                    "fields",
                    FieldErrorKind::DuplicateKey { key },
                ));
            }
        }
        Ok(CborSource { map, fields })
    }

    /// Entries whose keys are not fields of the document type.
    pub(crate) fn unknown(&self) -> BTreeMap<u64, Cbor> {
        // Inserted one by one: `collect()` into a map links a sort of its own (D182).
        let mut unknown = BTreeMap::new();
        for (k, v) in &self.map {
            if !self.fields.iter().any(|f| f.key == *k) {
                unknown.insert(*k, (*v).clone());
            }
        }
        unknown
    }

    fn get(&self, f: Field) -> Option<&'a Cbor> {
        self.map.get(&f.key).copied()
    }
}

impl Source for CborSource<'_> {
    fn strict(&self) -> bool {
        true
    }

    fn raw_text(&self, f: Field) -> Result<Option<&str>, FieldError> {
        self.get(f).map(|v| cbor_text(v, f.name)).transpose()
    }

    fn raw_date(&self, f: Field) -> Result<Option<Date>, FieldError> {
        self.get(f).map(|v| cbor_date(v, f.name)).transpose()
    }

    fn raw_uint(&self, f: Field) -> Result<Option<u64>, FieldError> {
        self.get(f)
            .map(|v| cbor_uint(v).ok_or_else(|| wrong(f.name, "unsigned integer")))
            .transpose()
    }

    fn raw_token(
        &self,
        f: Field,
        table: &[(&'static str, u64)],
        bad: FieldErrorKind,
    ) -> Result<Option<u64>, FieldError> {
        let Some(code) = self.raw_uint(f)? else {
            return Ok(None);
        };
        if table.iter().any(|&(_, c)| c == code) {
            Ok(Some(code))
        } else {
            Err(FieldError::new(f.name, bad))
        }
    }

    fn raw_bytes(&self, f: Field, max: usize) -> Result<Option<Vec<u8>>, FieldError> {
        match self.get(f) {
            None => Ok(None),
            Some(Cbor::Bytes(b)) if b.len() > max => Err(FieldError::new(
                f.name,
                FieldErrorKind::ImageTooLarge { max, size: b.len() },
            )),
            Some(Cbor::Bytes(b)) => Ok(Some(b.clone())),
            Some(_) => Err(wrong(f.name, "bytes")),
        }
    }

    fn raw_classes(&self, f: Field) -> Result<Option<Vec<RawClass>>, FieldError> {
        let Some(v) = self.get(f) else {
            return Ok(None);
        };
        let Cbor::Array(arr) = v else {
            return Err(wrong(f.name, "array"));
        };
        if arr.len() > MAX_CLASSES {
            return Err(FieldError::new(
                f.name,
                FieldErrorKind::TooMany { max: MAX_CLASSES },
            ));
        }
        let mut out = Vec::with_capacity(arr.len());
        for (i, item) in arr.iter().enumerate() {
            let base = format!("{}[{i}]", f.name);
            let (class, issue, expiry) = match item {
                Cbor::Array(e) => match e.as_slice() {
                    [c, i] => (c, i, None),
                    [c, i, x] => (c, i, Some(x)),
                    _ => return Err(wrong(&base, "class entry")),
                },
                _ => return Err(wrong(&base, "class entry")),
            };
            let class = cbor_text(class, &format!("{base}.class"))?;
            let issue_date = cbor_date(issue, &format!("{base}.issue_date"))?;
            let expiry_date = expiry
                .map(|x| cbor_date(x, &format!("{base}.expiry_date")))
                .transpose()?;
            out.push(RawClass {
                class: class.to_owned(),
                issue_date,
                expiry_date,
            });
        }
        Ok(Some(out))
    }
}

/// Collects `(key, value)` pairs and emits a map in ascending key order, with the carried
/// unknown fields merged in (an unknown entry whose key is a known field is dropped).
pub(crate) struct MapBuilder {
    entries: Vec<(u64, Cbor)>,
}

impl MapBuilder {
    pub(crate) fn new() -> MapBuilder {
        MapBuilder {
            entries: Vec::new(),
        }
    }

    pub(crate) fn put(&mut self, f: Field, v: Cbor) {
        self.entries.push((f.key, v));
    }

    pub(crate) fn text(&mut self, f: Field, s: &str) {
        self.put(f, Cbor::Text(s.to_owned()));
    }

    pub(crate) fn opt_text(&mut self, f: Field, s: Option<&str>) {
        if let Some(s) = s {
            self.text(f, s);
        }
    }

    pub(crate) fn date(&mut self, f: Field, d: Date) {
        self.put(f, date::to_cbor(d));
    }

    pub(crate) fn opt_date(&mut self, f: Field, d: Option<Date>) {
        if let Some(d) = d {
            self.date(f, d);
        }
    }

    pub(crate) fn uint(&mut self, f: Field, n: u64) {
        self.put(f, Cbor::Integer(n.into()));
    }

    pub(crate) fn finish(mut self, unknown: &BTreeMap<u64, Cbor>) -> Cbor {
        for (k, v) in unknown {
            if !self.entries.iter().any(|(key, _)| key == k) {
                self.entries.push((*k, v.clone()));
            }
        }
        self.entries.sort_by_key(|(k, _)| *k);
        Cbor::Map(
            self.entries
                .into_iter()
                .map(|(k, v)| (Cbor::Integer(k.into()), v))
                .collect(),
        )
    }
}

/// JSON object builder in field order.
pub(crate) struct JsonBuilder {
    obj: Map<String, Json>,
}

impl JsonBuilder {
    pub(crate) fn new() -> JsonBuilder {
        JsonBuilder { obj: Map::new() }
    }

    pub(crate) fn put(&mut self, f: Field, v: Json) {
        self.obj.insert(f.name.to_owned(), v);
    }

    pub(crate) fn text(&mut self, f: Field, s: &str) {
        self.put(f, Json::String(s.to_owned()));
    }

    pub(crate) fn opt_text(&mut self, f: Field, s: Option<&str>) {
        if let Some(s) = s {
            self.text(f, s);
        }
    }

    pub(crate) fn date(&mut self, f: Field, d: Date) {
        self.put(f, Json::String(date::format_iso(d)));
    }

    pub(crate) fn opt_date(&mut self, f: Field, d: Option<Date>) {
        if let Some(d) = d {
            self.date(f, d);
        }
    }

    pub(crate) fn uint(&mut self, f: Field, n: u64) {
        self.put(f, Json::from(n));
    }

    pub(crate) fn finish(mut self, unknown: &BTreeMap<u64, Cbor>) -> Json {
        if !unknown.is_empty() {
            let u = object(
                unknown
                    .iter()
                    .map(|(k, v)| (k.to_string(), unknown_to_json(v, 0))),
            );
            self.obj
                .insert("unknown_fields".to_owned(), Json::Object(u));
        }
        Json::Object(self.obj)
    }
}

// ---------------------------------------------------------------------------------------------
// Unknown values

/// Nesting depth beyond which unknown values are summarised.
const MAX_RENDER_DEPTH: usize = 16;
/// Length beyond which the display text of an unknown value is cut.
const MAX_DIAG_CHARS: usize = 200;

/// JSON for an unknown CBOR value: text, integers, booleans, null, arrays and maps as JSON;
/// anything else (bytes, tags, floats that JSON cannot hold, huge integers) as its CBOR
/// diagnostic notation text.
pub(crate) fn unknown_to_json(v: &Cbor, depth: usize) -> Json {
    if depth > MAX_RENDER_DEPTH {
        return Json::String("…".to_owned());
    }
    match v {
        Cbor::Text(s) => Json::String(s.clone()),
        Cbor::Bool(b) => Json::Bool(*b),
        Cbor::Null => Json::Null,
        Cbor::Integer(i) => {
            let n = i128::from(*i);
            if let Ok(u) = u64::try_from(n) {
                Json::from(u)
            } else if let Ok(s) = i64::try_from(n) {
                Json::from(s)
            } else {
                Json::String(n.to_string())
            }
        }
        Cbor::Float(f) => {
            serde_json::Number::from_f64(*f).map_or_else(|| Json::String(diag(v)), Json::Number)
        }
        Cbor::Array(a) => Json::Array(a.iter().map(|x| unknown_to_json(x, depth + 1)).collect()),
        Cbor::Map(m) => Json::Object(object(m.iter().map(|(k, x)| {
            let key = match k {
                Cbor::Text(s) => s.clone(),
                other => diag(other),
            };
            (key, unknown_to_json(x, depth + 1))
        }))),
        _ => Json::String(diag(v)),
    }
}

/// A JSON object from its members, a later member replacing an earlier one of the same name,
/// as `collect()` does; inserted one by one, since `collect()` into a map sorts first and each
/// such call links a sort of its own into the web page's module (docs/decisions.md D182).
fn object(members: impl Iterator<Item = (String, Json)>) -> Map<String, Json> {
    let mut map = Map::new();
    for (k, v) in members {
        map.insert(k, v);
    }
    map
}

/// CBOR diagnostic notation (RFC 8949 §8), cut to a readable length.
pub(crate) fn diag(v: &Cbor) -> String {
    let mut out = String::new();
    diag_into(v, &mut out, 0);
    if out.chars().count() > MAX_DIAG_CHARS {
        let mut cut: String = out.chars().take(MAX_DIAG_CHARS).collect();
        cut.push('…');
        cut
    } else {
        out
    }
}

fn diag_into(v: &Cbor, out: &mut String, depth: usize) {
    use std::fmt::Write as _;
    if depth > MAX_RENDER_DEPTH || out.len() > MAX_DIAG_CHARS * 4 {
        out.push('…');
        return;
    }
    match v {
        Cbor::Integer(i) => {
            let _ = write!(out, "{}", i128::from(*i));
        }
        Cbor::Bytes(b) => {
            out.push_str("h'");
            for byte in b.iter().take(MAX_DIAG_CHARS) {
                let _ = write!(out, "{byte:02x}");
            }
            out.push('\'');
        }
        Cbor::Float(f) => {
            let _ = write!(out, "{f:?}");
        }
        Cbor::Text(s) => {
            let _ = write!(out, "{s:?}");
        }
        Cbor::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Cbor::Null => out.push_str("null"),
        Cbor::Tag(t, inner) => {
            let _ = write!(out, "{t}(");
            diag_into(inner, out, depth + 1);
            out.push(')');
        }
        Cbor::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                diag_into(x, out, depth + 1);
                if out.len() > MAX_DIAG_CHARS * 4 {
                    break;
                }
            }
            out.push(']');
        }
        Cbor::Map(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                diag_into(k, out, depth + 1);
                out.push_str(": ");
                diag_into(x, out, depth + 1);
                if out.len() > MAX_DIAG_CHARS * 4 {
                    break;
                }
            }
            out.push('}');
        }
        _ => out.push_str("<unsupported>"),
    }
}

#[cfg(test)]
mod tests;
