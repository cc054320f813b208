//! Filling a form from verified credentials (docs/forms.md §6).

use std::collections::BTreeMap;

use ciborium::Value as Cbor;
use giayto_model::{date, Date, DocType};
use giayto_verify::VerifiedCredential;
use serde_json::{json, Value};

use crate::address::split_address;
use crate::spec::{Bilingual, Form, Format, Source};

/// Why a form field has no value (docs/forms.md §6).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unfilled {
    /// The field has no source: it is filled by hand.
    Manual,
    /// No verified credential of a document type its sources name was given.
    NoCredential,
    /// The credential was a selective-disclosure presentation that withheld the field.
    NotDisclosed,
    /// The credential does not have the field (an optional field, or one of the other card
    /// generation).
    Absent,
    /// The address could not be split into this part with certainty.
    NotSplit,
    /// An age predicate no credential could answer (no date of birth, no true predicate at or
    /// above the age).
    UnknownAge,
}

impl Unfilled {
    /// `manual`, `no_credential`, `not_disclosed`, `absent`, `not_split`, `unknown_age`.
    pub fn as_str(self) -> &'static str {
        match self {
            Unfilled::Manual => "manual",
            Unfilled::NoCredential => "no_credential",
            Unfilled::NotDisclosed => "not_disclosed",
            Unfilled::Absent => "absent",
            Unfilled::NotSplit => "not_split",
            Unfilled::UnknownAge => "unknown_age",
        }
    }
}

/// Why a form could not be filled at all.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FillError {
    /// Two credentials belong to different people: their `what` (`id_number`, `full_name` or
    /// `date_of_birth`) differ. Nothing is filled from a mix.
    DifferentHolders {
        /// Position of the first credential in the list given.
        first: usize,
        /// Position of the second.
        second: usize,
        /// What differs.
        what: &'static str,
    },
}

impl std::fmt::Display for FillError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FillError::DifferentHolders {
                first,
                second,
                what,
            } => write!(
                f,
                "credentials {} and {} belong to different people ({what} differs)",
                first + 1,
                second + 1
            ),
        }
    }
}

impl std::error::Error for FillError {}

/// One field of a filled form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilledField {
    /// The field's id.
    pub id: String,
    /// Its label.
    pub label: Bilingual,
    /// The value, written in the field's format; `None` when unfilled.
    pub value: Option<String>,
    /// The source that gave the value (`cccd.full_name`).
    pub source: Option<String>,
    /// Why it has no value.
    pub unfilled: Option<Unfilled>,
}

/// A form filled from verified credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilledForm {
    /// The form's id.
    pub form: String,
    /// The form's title.
    pub title: Bilingual,
    /// The fields, in the form's order.
    pub fields: Vec<FilledField>,
}

impl FilledForm {
    /// Whether every field has a value.
    pub fn is_complete(&self) -> bool {
        self.fields.iter().all(|f| f.value.is_some())
    }

    /// The fields without a value.
    pub fn unfilled(&self) -> impl Iterator<Item = &FilledField> {
        self.fields.iter().filter(|f| f.value.is_none())
    }

    /// The filled form as JSON (docs/forms.md §7): `form`, `title`, `complete`, `fields`
    /// (`id`, `label`, `value`, and `source` or `unfilled`), `unfilled` (ids).
    pub fn to_json(&self) -> Value {
        let fields: Vec<Value> = self
            .fields
            .iter()
            .map(|f| {
                let mut v = json!({
                    "id": f.id,
                    "label": {"vi": f.label.vi, "en": f.label.en},
                    "value": f.value,
                });
                if let Some(s) = &f.source {
                    v["source"] = json!(s);
                }
                if let Some(u) = f.unfilled {
                    v["unfilled"] = json!(u.as_str());
                }
                v
            })
            .collect();
        json!({
            "form": self.form,
            "title": {"vi": self.title.vi, "en": self.title.en},
            "complete": self.is_complete(),
            "fields": fields,
            "unfilled": self.unfilled().map(|f| f.id.as_str()).collect::<Vec<_>>(),
        })
    }
}

/// A value read from a credential.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Text(String),
    Date(Date),
    Female(bool),
    Number(u64),
    List(Vec<String>),
    Bool(bool),
}

/// What one verified credential offers a form.
struct Offered<'a> {
    doc_type: DocType,
    disclosed: bool,
    fields: BTreeMap<&'static str, Val>,
    issuer_name: &'a str,
    /// Thresholds of the disclosed `age_over_NN` predicates that are true.
    ages_true: Vec<u8>,
}

fn name_of(doc_type: DocType, key: u64) -> Option<&'static str> {
    doc_type
        .field_keys()
        .into_iter()
        .find(|(k, _)| *k == key)
        .map(|(_, n)| n)
}

fn static_name(doc_type: DocType, name: &str) -> Option<&'static str> {
    doc_type
        .field_keys()
        .into_iter()
        .map(|(_, n)| n)
        .find(|n| *n == name)
}

/// A CBOR field value as the form reads it (docs/format.md §4 types).
fn val(name: &str, v: &Cbor) -> Option<Val> {
    match v {
        Cbor::Text(t) => Some(Val::Text(t.clone())),
        Cbor::Tag(..) => date::from_cbor(v).ok().map(Val::Date),
        Cbor::Bool(b) => Some(Val::Bool(*b)),
        Cbor::Integer(i) => {
            let n = u64::try_from(*i).ok()?;
            match name {
                "sex" => Some(Val::Female(n == 2)),
                "card_generation" => Some(Val::Text(
                    match n {
                        1 => "cccd_2021",
                        2 => "can_cuoc_2024",
                        _ => return None,
                    }
                    .to_owned(),
                )),
                _ => Some(Val::Number(n)),
            }
        }
        Cbor::Array(entries) if name == "classes" => Some(Val::List(
            entries
                .iter()
                .filter_map(|e| e.as_array()?.first()?.as_text().map(str::to_owned))
                .collect(),
        )),
        _ => None,
    }
}

fn offered(c: &VerifiedCredential) -> Offered<'_> {
    let doc_type = c.doc_type();
    let mut fields = BTreeMap::new();
    let mut ages_true = Vec::new();
    if let Some(doc) = c.document() {
        if let Cbor::Map(entries) = doc.to_cbor() {
            for (k, v) in &entries {
                let Some(name) = k
                    .as_integer()
                    .and_then(|i| u64::try_from(i).ok())
                    .and_then(|key| name_of(doc_type, key))
                else {
                    continue;
                };
                if let Some(v) = val(name, v) {
                    fields.insert(name, v);
                }
            }
        }
        // Nationality is left out of the credential when it is VNM (docs/format.md §4.1).
        if let Some(n) = static_name(doc_type, "nationality") {
            fields
                .entry(n)
                .or_insert_with(|| Val::Text("VNM".to_owned()));
        }
    }
    if let Some(d) = c.disclosed() {
        for f in &d.fields {
            if let Some(age) = f.name.strip_prefix("age_over_") {
                if f.value == Cbor::Bool(true) {
                    ages_true.extend(age.parse::<u8>().ok());
                }
                continue;
            }
            if let (Some(name), Some(v)) = (static_name(doc_type, &f.name), val(&f.name, &f.value))
            {
                fields.insert(name, v);
            }
        }
    }
    Offered {
        doc_type,
        disclosed: c.disclosed().is_some(),
        fields,
        issuer_name: &c.issuer().name_vi,
        ages_true,
    }
}

/// The holder's ID number, name and date of birth as a credential shows them.
fn identity(o: &Offered<'_>) -> [(&'static str, Option<Val>); 3] {
    let pick = |names: &[&str]| names.iter().find_map(|n| o.fields.get(n).cloned());
    [
        ("id_number", pick(&["id_number", "owner_id_number"])),
        ("full_name", pick(&["full_name", "owner_name"])),
        ("date_of_birth", pick(&["date_of_birth"])),
    ]
}

fn same_holder(all: &[Offered<'_>]) -> Result<(), FillError> {
    let ids: Vec<_> = all.iter().map(identity).collect();
    for (i, a) in ids.iter().enumerate() {
        for (j, b) in ids.iter().enumerate().skip(i + 1) {
            // The ID number decides when both show it; otherwise name and date of birth.
            let (ida, idb) = (&a[0].1, &b[0].1);
            let checks: &[usize] = match (ida, idb) {
                (Some(_), Some(_)) => &[0],
                _ => &[1, 2],
            };
            for &k in checks {
                if let (Some(x), Some(y)) = (&a[k].1, &b[k].1) {
                    if x != y {
                        return Err(FillError::DifferentHolders {
                            first: i,
                            second: j,
                            what: a[k].0,
                        });
                    }
                }
            }
        }
    }
    Ok(())
}

/// The day in Vietnam (UTC+7) of a time.
fn vietnam_day(at: i64) -> Option<Date> {
    let days = at.saturating_add(7 * 3600).div_euclid(86_400);
    date::from_days_since_epoch(i128::from(days)).ok()
}

fn resolve(all: &[Offered<'_>], source: &Source, at: i64) -> Result<Val, Unfilled> {
    match source {
        Source::Field { doc_type, name } => {
            let o = all
                .iter()
                .find(|o| o.doc_type == *doc_type)
                .ok_or(Unfilled::NoCredential)?;
            match o.fields.get(name) {
                Some(v) => Ok(v.clone()),
                None if o.disclosed => Err(Unfilled::NotDisclosed),
                None => Err(Unfilled::Absent),
            }
        }
        Source::IssuerName { doc_type } => all
            .iter()
            .find(|o| o.doc_type == *doc_type)
            .map(|o| Val::Text(o.issuer_name.to_owned()))
            .ok_or(Unfilled::NoCredential),
        Source::AgeOver(n) => {
            if all.is_empty() {
                return Err(Unfilled::NoCredential);
            }
            let today = vietnam_day(at).ok_or(Unfilled::UnknownAge)?;
            for o in all {
                if let Some(Val::Date(birth)) = o.fields.get("date_of_birth") {
                    return Ok(Val::Bool(date::age_on(*birth, today) >= i32::from(*n)));
                }
                // A predicate is as of issuance (docs/decisions.md D93): true stays true, false
                // may have become true since, so only a true one answers.
                if o.ages_true.iter().any(|m| m >= n) {
                    return Ok(Val::Bool(true));
                }
            }
            Err(Unfilled::UnknownAge)
        }
    }
}

fn two(n: u8) -> String {
    format!("{n:02}")
}

fn write(v: &Val, format: Format) -> Result<String, Unfilled> {
    Ok(match (format, v) {
        (Format::Text, Val::Text(s)) => s.clone(),
        (Format::Text, Val::Number(n)) => n.to_string(),
        (Format::Text, Val::List(l)) => l.join(", "),
        (Format::Upper, Val::Text(s)) => s.to_uppercase(),
        (Format::DayMonthYear, Val::Date(d)) => date::format_display(*d),
        (Format::Iso, Val::Date(d)) => date::format_iso(*d),
        (Format::Day, Val::Date(d)) => two(d.day()),
        (Format::Month, Val::Date(d)) => two(u8::from(d.month())),
        (Format::Year, Val::Date(d)) => format!("{:04}", d.year()),
        (Format::Sex, Val::Female(f)) => if *f { "Nữ" } else { "Nam" }.to_owned(),
        (Format::SexEn, Val::Female(f)) => if *f { "Female" } else { "Male" }.to_owned(),
        (Format::Nationality, Val::Text(s)) if s == "VNM" => "Việt Nam".to_owned(),
        (Format::Nationality, Val::Text(s)) => s.clone(),
        (Format::Address(part), Val::Text(s)) => split_address(s)
            .part(part)
            .map(str::to_owned)
            .ok_or(Unfilled::NotSplit)?,
        (Format::YesNo, Val::Bool(b)) => if *b { "Có" } else { "Không" }.to_owned(),
        // A value of another type than its field's (a newer schema): not written.
        _ => return Err(Unfilled::Absent),
    })
}

/// Fill `form` from credentials that verified valid, as of `at` (the time of the check, for
/// age predicates). Only [`VerifiedCredential`]s can be given, so an invalid credential fills
/// nothing; a selective-disclosure presentation fills only what it disclosed. For each field
/// the sources are tried in order, each from the first credential of its document type; the
/// first value wins. Credentials of different people are refused
/// ([`FillError::DifferentHolders`]).
pub fn fill(
    form: &Form,
    credentials: &[&VerifiedCredential],
    at: i64,
) -> Result<FilledForm, FillError> {
    let all: Vec<Offered<'_>> = credentials.iter().map(|c| offered(c)).collect();
    same_holder(&all)?;
    let fields = form
        .fields
        .iter()
        .map(|f| {
            let mut first_reason = None;
            for s in &f.sources {
                match resolve(&all, s, at).and_then(|v| write(&v, f.format)) {
                    Ok(value) => {
                        return FilledField {
                            id: f.id.clone(),
                            label: f.label.clone(),
                            value: Some(value),
                            source: Some(s.name()),
                            unfilled: None,
                        }
                    }
                    // The reason of the first source whose credential was there says most.
                    Err(Unfilled::NoCredential) => {}
                    Err(r) => {
                        first_reason.get_or_insert(r);
                    }
                }
            }
            FilledField {
                id: f.id.clone(),
                label: f.label.clone(),
                value: None,
                source: None,
                unfilled: Some(if f.sources.is_empty() {
                    Unfilled::Manual
                } else {
                    first_reason.unwrap_or(Unfilled::NoCredential)
                }),
            }
        })
        .collect();
    Ok(FilledForm {
        form: form.id.clone(),
        title: form.title.clone(),
        fields,
    })
}
