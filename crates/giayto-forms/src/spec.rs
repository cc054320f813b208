//! The form description (docs/forms.md): what a form asks for, where each answer comes from and
//! how it is written, read from JSON and validated when loaded.

use giayto_model::DocType;
use serde_json::{Map, Value};

/// The value of `giayto_form` this crate reads (docs/forms.md §2).
pub const FORM_VERSION: u64 = 1;
/// Largest form file read, in bytes.
pub const MAX_FORM_BYTES: usize = 256 * 1024;
/// Most fields a form may have.
pub const MAX_FIELDS: usize = 200;
/// Most sources one field may list.
pub const MAX_SOURCES: usize = 8;
/// Longest id, in characters.
pub const MAX_ID: usize = 64;
/// Longest title, label or description, in characters.
pub const MAX_TEXT: usize = 500;

/// A text in both languages of the forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bilingual {
    /// Vietnamese.
    pub vi: String,
    /// English.
    pub en: String,
}

/// Where a form field's value comes from (docs/forms.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// A field of a document type, by its JSON name (docs/format.md §4), e.g. `cccd.full_name`.
    Field {
        /// The document type.
        doc_type: DocType,
        /// The field's JSON name.
        name: &'static str,
    },
    /// `<type>.issuer_name`: the Vietnamese name of the credential's issuer, from the trust list
    /// (the "issued by" line of many forms).
    IssuerName {
        /// The document type.
        doc_type: DocType,
    },
    /// `age_over_NN`: whether the holder is at least NN years old on the day of the check.
    AgeOver(u8),
}

impl Source {
    /// The source as written in a form (`cccd.full_name`, `gplx.issuer_name`, `age_over_18`).
    pub fn name(&self) -> String {
        match self {
            Source::Field { doc_type, name } => format!("{doc_type}.{name}"),
            Source::IssuerName { doc_type } => format!("{doc_type}.issuer_name"),
            Source::AgeOver(n) => format!("age_over_{n}"),
        }
    }

    pub(crate) fn kind(&self) -> Kind {
        match self {
            Source::Field { name, .. } => kind_of(name).unwrap_or(Kind::Text),
            Source::IssuerName { .. } => Kind::Text,
            Source::AgeOver(_) => Kind::Bool,
        }
    }
}

/// What kind of value a source gives, which decides the formats that fit it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Address,
    Date,
    Sex,
    Nationality,
    Number,
    Classes,
    Bool,
}

/// The kind of a §4 field by its JSON name; `None` for one that is no form value (the
/// portrait).
fn kind_of(name: &str) -> Option<Kind> {
    Some(match name {
        "portrait" => return None,
        "sex" => Kind::Sex,
        "nationality" => Kind::Nationality,
        "classes" => Kind::Classes,
        "seats" | "engine_capacity_cc" | "benefit_level" => Kind::Number,
        "place_of_residence"
        | "place_of_origin"
        | "place_of_birth_registration"
        | "residence"
        | "owner_address"
        | "address" => Kind::Address,
        n if n.contains("date") || n.starts_with("valid_") || n == "five_year_from" => Kind::Date,
        _ => Kind::Text,
    })
}

/// A part of an address (docs/forms.md §5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressPart {
    /// House number and street: everything before the ward.
    Street,
    /// Ward, commune or township (phường, xã, thị trấn, đặc khu).
    Ward,
    /// District (quận, huyện, thị xã, thành phố thuộc tỉnh), when the address has one.
    District,
    /// Province or centrally governed city: the last part.
    Province,
}

/// How a value is written into the form (docs/forms.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// As issued.
    Text,
    /// In capitals (`TRẦN THỊ MẪU`).
    Upper,
    /// `dd/mm/yyyy`.
    DayMonthYear,
    /// `yyyy-mm-dd`.
    Iso,
    /// The day, two digits.
    Day,
    /// The month, two digits.
    Month,
    /// The year, four digits.
    Year,
    /// `Nam` / `Nữ`.
    Sex,
    /// `Male` / `Female`.
    SexEn,
    /// `Việt Nam` for `VNM`, else the three-letter code.
    Nationality,
    /// One part of an address.
    Address(AddressPart),
    /// `Có` / `Không`.
    YesNo,
}

impl Format {
    /// Every format, in the order of docs/forms.md §5.
    pub const ALL: [Format; 15] = [
        Format::Text,
        Format::Upper,
        Format::DayMonthYear,
        Format::Iso,
        Format::Day,
        Format::Month,
        Format::Year,
        Format::Sex,
        Format::SexEn,
        Format::Nationality,
        Format::Address(AddressPart::Street),
        Format::Address(AddressPart::Ward),
        Format::Address(AddressPart::District),
        Format::Address(AddressPart::Province),
        Format::YesNo,
    ];

    /// The name used in form files.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Upper => "upper",
            Format::DayMonthYear => "dd/mm/yyyy",
            Format::Iso => "yyyy-mm-dd",
            Format::Day => "day",
            Format::Month => "month",
            Format::Year => "year",
            Format::Sex => "sex",
            Format::SexEn => "sex_en",
            Format::Nationality => "nationality",
            Format::Address(AddressPart::Street) => "address_street",
            Format::Address(AddressPart::Ward) => "address_ward",
            Format::Address(AddressPart::District) => "address_district",
            Format::Address(AddressPart::Province) => "address_province",
            Format::YesNo => "yes_no",
        }
    }

    /// The format of a name.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == name)
    }

    pub(crate) fn fits(self, kind: Kind) -> bool {
        match self {
            Format::Text => kind != Kind::Bool && kind != Kind::Sex && kind != Kind::Date,
            Format::Upper => matches!(kind, Kind::Text | Kind::Address),
            Format::DayMonthYear | Format::Iso | Format::Day | Format::Month | Format::Year => {
                kind == Kind::Date
            }
            Format::Sex | Format::SexEn => kind == Kind::Sex,
            Format::Nationality => kind == Kind::Nationality,
            Format::Address(_) => kind == Kind::Address,
            Format::YesNo => kind == Kind::Bool,
        }
    }

    fn default_for(kind: Kind) -> Format {
        match kind {
            Kind::Date => Format::DayMonthYear,
            Kind::Sex => Format::Sex,
            Kind::Nationality => Format::Nationality,
            Kind::Bool => Format::YesNo,
            Kind::Text | Kind::Address | Kind::Number | Kind::Classes => Format::Text,
        }
    }
}

/// One field of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormField {
    /// Its id, unique in the form.
    pub id: String,
    /// Its label.
    pub label: Bilingual,
    /// Where its value comes from, tried in order; empty for a field filled by hand.
    pub sources: Vec<Source>,
    /// How the value is written.
    pub format: Format,
}

/// A form description, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: Bilingual,
    /// What it is for, if said.
    pub description: Option<Bilingual>,
    /// Its fields, in order.
    pub fields: Vec<FormField>,
}

/// Why a form description was refused. Every variant names where in the file (`path`, e.g.
/// `fields[2].source[1]`), and [`FormError::code`] gives a stable code.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormError {
    /// The file is larger than [`MAX_FORM_BYTES`].
    TooLarge {
        /// The limit.
        max: usize,
    },
    /// Not JSON (or not UTF-8).
    Json {
        /// Line of the first error, 1-based.
        line: usize,
        /// Column of the first error, 1-based.
        column: usize,
    },
    /// A member has the wrong JSON type.
    WrongType {
        /// Where.
        path: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A required member is missing.
    Missing {
        /// Where.
        path: String,
    },
    /// A member this version does not define (a typo guard).
    UnknownKey {
        /// Where.
        path: String,
    },
    /// `giayto_form` is not a version this crate reads.
    Version {
        /// The value found.
        found: String,
    },
    /// An id that is not 1 to 64 of `a-z`, `0-9`, `_`, `-`, starting with a letter.
    BadId {
        /// Where.
        path: String,
    },
    /// Two fields with the same id.
    DuplicateId {
        /// The id.
        id: String,
    },
    /// A title, label or description that is empty, longer than `MAX_TEXT` (500 characters) or holds a control
    /// character.
    BadText {
        /// Where.
        path: String,
    },
    /// A form without fields.
    NoFields,
    /// More fields or sources than allowed.
    TooMany {
        /// Where.
        path: String,
        /// The limit.
        max: usize,
    },
    /// A source that names no document type and field of docs/format.md §4, and no predicate.
    UnknownSource {
        /// Where.
        path: String,
        /// The source.
        value: String,
    },
    /// A field that exists but cannot fill a form (the portrait).
    UnsupportedSource {
        /// Where.
        path: String,
        /// The source.
        value: String,
    },
    /// A format name this version does not define.
    UnknownFormat {
        /// Where.
        path: String,
        /// The name.
        value: String,
    },
    /// A format that does not fit one of the field's sources (a date style for a name, …), or
    /// a format given to a field without sources.
    FormatNotForSource {
        /// Where.
        path: String,
        /// The format.
        format: String,
        /// The source it does not fit (empty for a field without sources).
        source: String,
    },
}

impl FormError {
    /// A stable code: `too_large`, `json`, `wrong_type`, `missing`, `unknown_key`, `version`,
    /// `bad_id`, `duplicate_id`, `bad_text`, `no_fields`, `too_many`, `unknown_source`,
    /// `unsupported_source`, `unknown_format`, `format_not_for_source`.
    pub fn code(&self) -> &'static str {
        match self {
            FormError::TooLarge { .. } => "too_large",
            FormError::Json { .. } => "json",
            FormError::WrongType { .. } => "wrong_type",
            FormError::Missing { .. } => "missing",
            FormError::UnknownKey { .. } => "unknown_key",
            FormError::Version { .. } => "version",
            FormError::BadId { .. } => "bad_id",
            FormError::DuplicateId { .. } => "duplicate_id",
            FormError::BadText { .. } => "bad_text",
            FormError::NoFields => "no_fields",
            FormError::TooMany { .. } => "too_many",
            FormError::UnknownSource { .. } => "unknown_source",
            FormError::UnsupportedSource { .. } => "unsupported_source",
            FormError::UnknownFormat { .. } => "unknown_format",
            FormError::FormatNotForSource { .. } => "format_not_for_source",
        }
    }
}

impl std::fmt::Display for FormError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FormError::TooLarge { max } => write!(f, "the form file is larger than {max} bytes"),
            FormError::Json { line, column } => {
                write!(f, "not JSON (line {line}, column {column})")
            }
            FormError::WrongType { path, expected } => write!(f, "{path}: expected {expected}"),
            FormError::Missing { path } => write!(f, "{path} is missing"),
            FormError::UnknownKey { path } => write!(f, "{path} is not a member of a form"),
            FormError::Version { found } => {
                write!(f, "giayto_form {found} is not version {FORM_VERSION}")
            }
            FormError::BadId { path } => write!(
                f,
                "{path}: an id is 1 to {MAX_ID} of a-z, 0-9, _ and -, starting with a letter"
            ),
            FormError::DuplicateId { id } => write!(f, "two fields have the id {id}"),
            FormError::BadText { path } => write!(
                f,
                "{path}: a text is 1 to {MAX_TEXT} characters without control characters"
            ),
            FormError::NoFields => write!(f, "the form has no fields"),
            FormError::TooMany { path, max } => write!(f, "{path}: more than {max}"),
            FormError::UnknownSource { path, value } => write!(f, "{path}: unknown source {value}"),
            FormError::UnsupportedSource { path, value } => {
                write!(f, "{path}: {value} cannot fill a form")
            }
            FormError::UnknownFormat { path, value } => write!(f, "{path}: unknown format {value}"),
            FormError::FormatNotForSource {
                path,
                format,
                source,
            } => write!(f, "{path}: format {format} does not fit {source}"),
        }
    }
}

impl std::error::Error for FormError {}

fn wrong(path: &str, expected: &'static str) -> FormError {
    FormError::WrongType {
        path: path.to_owned(),
        expected,
    }
}

fn object<'v>(v: &'v Value, path: &str) -> Result<&'v Map<String, Value>, FormError> {
    v.as_object().ok_or_else(|| wrong(path, "an object"))
}

/// Refuse members other than `allowed`.
fn only(map: &Map<String, Value>, path: &str, allowed: &[&str]) -> Result<(), FormError> {
    match map.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(FormError::UnknownKey {
            path: join(path, k),
        }),
        None => Ok(()),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn required<'v>(
    map: &'v Map<String, Value>,
    path: &str,
    key: &str,
) -> Result<&'v Value, FormError> {
    map.get(key).ok_or_else(|| FormError::Missing {
        path: join(path, key),
    })
}

fn id(v: &Value, path: &str) -> Result<String, FormError> {
    let s = v.as_str().ok_or_else(|| wrong(path, "a text"))?;
    let ok = (1..=MAX_ID).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(s.to_owned())
    } else {
        Err(FormError::BadId {
            path: path.to_owned(),
        })
    }
}

fn text(v: &Value, path: &str) -> Result<String, FormError> {
    let s = v.as_str().ok_or_else(|| wrong(path, "a text"))?;
    let t = s.trim();
    if t.is_empty() || t.chars().count() > MAX_TEXT || t.chars().any(char::is_control) {
        return Err(FormError::BadText {
            path: path.to_owned(),
        });
    }
    Ok(unicode_normalization::UnicodeNormalization::nfc(t).collect())
}

fn bilingual(v: &Value, path: &str) -> Result<Bilingual, FormError> {
    let map = object(v, path)?;
    only(map, path, &["vi", "en"])?;
    Ok(Bilingual {
        vi: text(required(map, path, "vi")?, &join(path, "vi"))?,
        en: text(required(map, path, "en")?, &join(path, "en"))?,
    })
}

/// A source as written in a form: `None` when it names nothing, `Err` for a field that cannot
/// fill a form.
pub(crate) fn parse_source(s: &str) -> Option<Result<Source, ()>> {
    if let Some(n) = s.strip_prefix("age_over_") {
        let ok = !n.is_empty() && n.len() <= 3 && n.bytes().all(|b| b.is_ascii_digit());
        return match n.parse::<u8>() {
            Ok(age) if ok && (1..=150).contains(&age) && !n.starts_with('0') => {
                Some(Ok(Source::AgeOver(age)))
            }
            _ => None,
        };
    }
    let (t, name) = s.split_once('.')?;
    let doc_type = DocType::ALL.into_iter().find(|d| d.as_str() == t)?;
    if name == "issuer_name" {
        return Some(Ok(Source::IssuerName { doc_type }));
    }
    let name = doc_type
        .field_keys()
        .into_iter()
        .map(|(_, n)| n)
        .find(|n| *n == name)?;
    Some(match kind_of(name) {
        Some(_) => Ok(Source::Field { doc_type, name }),
        None => Err(()),
    })
}

fn sources(v: &Value, path: &str) -> Result<Vec<Source>, FormError> {
    let list: Vec<(String, &Value)> = match v {
        Value::String(_) => vec![(path.to_owned(), v)],
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| (format!("{path}[{i}]"), item))
            .collect(),
        _ => return Err(wrong(path, "a source or a list of sources")),
    };
    if list.is_empty() {
        return Err(FormError::Missing {
            path: format!("{path}[0]"),
        });
    }
    if list.len() > MAX_SOURCES {
        return Err(FormError::TooMany {
            path: path.to_owned(),
            max: MAX_SOURCES,
        });
    }
    let mut out = Vec::with_capacity(list.len());
    for (p, item) in list {
        let s = item.as_str().ok_or_else(|| wrong(&p, "a text"))?;
        match parse_source(s) {
            Some(Ok(source)) => out.push(source),
            Some(Err(())) => {
                return Err(FormError::UnsupportedSource {
                    path: p,
                    value: s.to_owned(),
                })
            }
            None => {
                return Err(FormError::UnknownSource {
                    path: p,
                    value: s.to_owned(),
                })
            }
        }
    }
    Ok(out)
}

fn field(v: &Value, path: &str) -> Result<FormField, FormError> {
    let map = object(v, path)?;
    only(map, path, &["id", "label", "source", "format"])?;
    let id = id(required(map, path, "id")?, &join(path, "id"))?;
    let label = bilingual(required(map, path, "label")?, &join(path, "label"))?;
    let sources = match map.get("source") {
        Some(v) => sources(v, &join(path, "source"))?,
        None => Vec::new(),
    };
    let format_path = join(path, "format");
    let format = match map.get("format") {
        Some(v) => {
            let name = v.as_str().ok_or_else(|| wrong(&format_path, "a text"))?;
            let format = Format::from_name(name).ok_or_else(|| FormError::UnknownFormat {
                path: format_path.clone(),
                value: name.to_owned(),
            })?;
            if sources.is_empty() {
                return Err(FormError::FormatNotForSource {
                    path: format_path,
                    format: name.to_owned(),
                    source: String::new(),
                });
            }
            format
        }
        None => sources
            .first()
            .map_or(Format::Text, |s| Format::default_for(s.kind())),
    };
    if let Some(s) = sources.iter().find(|s| !format.fits(s.kind())) {
        return Err(FormError::FormatNotForSource {
            path: format_path,
            format: format.as_str().to_owned(),
            source: s.name(),
        });
    }
    Ok(FormField {
        id,
        label,
        sources,
        format,
    })
}

impl Form {
    /// Read and validate a form file (docs/forms.md).
    pub fn from_slice(bytes: &[u8]) -> Result<Form, FormError> {
        if bytes.len() > MAX_FORM_BYTES {
            return Err(FormError::TooLarge {
                max: MAX_FORM_BYTES,
            });
        }
        let value: Value = serde_json::from_slice(bytes).map_err(|e| FormError::Json {
            line: e.line(),
            column: e.column(),
        })?;
        Form::from_value(&value)
    }

    /// Validate a parsed form description.
    pub fn from_value(value: &Value) -> Result<Form, FormError> {
        let map = object(value, "")?;
        only(
            map,
            "",
            &["giayto_form", "id", "title", "description", "fields"],
        )?;
        let version = required(map, "", "giayto_form")?;
        if version.as_u64() != Some(FORM_VERSION) {
            return Err(FormError::Version {
                found: version.to_string(),
            });
        }
        let id = id(required(map, "", "id")?, "id")?;
        let title = bilingual(required(map, "", "title")?, "title")?;
        let description = map
            .get("description")
            .map(|d| bilingual(d, "description"))
            .transpose()?;
        let items = required(map, "", "fields")?
            .as_array()
            .ok_or_else(|| wrong("fields", "a list"))?;
        if items.is_empty() {
            return Err(FormError::NoFields);
        }
        if items.len() > MAX_FIELDS {
            return Err(FormError::TooMany {
                path: "fields".into(),
                max: MAX_FIELDS,
            });
        }
        let mut fields: Vec<FormField> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let f = field(item, &format!("fields[{i}]"))?;
            if fields.iter().any(|g| g.id == f.id) {
                return Err(FormError::DuplicateId { id: f.id });
            }
            fields.push(f);
        }
        Ok(Form {
            id,
            title,
            description,
            fields,
        })
    }

    /// The document types the form's sources name, in the order they first appear.
    pub fn doc_types(&self) -> Vec<DocType> {
        let mut out = Vec::new();
        for s in self.fields.iter().flat_map(|f| &f.sources) {
            let t = match s {
                Source::Field { doc_type, .. } | Source::IssuerName { doc_type } => *doc_type,
                Source::AgeOver(_) => continue,
            };
            if !out.contains(&t) {
                out.push(t);
            }
        }
        out
    }
}
