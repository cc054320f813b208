//! What a selective-disclosure presentation shows (docs/format.md §14.4): the disclosed fields
//! and predicates, checked against the issuer's commitment, and how many were withheld.

use ciborium::Value;
use giayto_cose::sd::{self, Disclosures, Hash, AGE_THRESHOLDS, PREDICATE_BASE};
use giayto_model::{date, DocType, FieldError, FieldErrorKind};

use crate::{Reason, Verdict};

/// One disclosed field or predicate.
#[derive(Debug, Clone, PartialEq)]
pub struct DisclosedField {
    /// Leaf index: the field key (docs/format.md §4), or `16 + i` for a predicate.
    pub index: u64,
    /// The field's JSON name (docs/format.md §4), or `age_over_NN`.
    pub name: String,
    /// The value as signed (CBOR).
    pub value: Value,
    /// The value for people: one row per value (one per licence class), dates `dd/mm/yyyy`,
    /// the tokens `male`, `female`, `cccd_2021`, `can_cuoc_2024`, `contributing`, `paused`,
    /// `receiving_pension`, `true`, `false`.
    pub display: Vec<String>,
}

/// The part of a credential a holder disclosed.
#[derive(Debug, Clone, PartialEq)]
pub struct Disclosed {
    /// The disclosed fields and predicates, in leaf order (card order, then predicates).
    pub fields: Vec<DisclosedField>,
    /// How many of the fields and predicates the document type defines were not disclosed
    /// (some may be absent from the card: the verifier cannot tell).
    pub withheld: usize,
}

fn field_name(doc_type: DocType, index: u64, value: &Value) -> Option<String> {
    if index < PREDICATE_BASE {
        // A vehicle's key 4 is named by what it holds: a person's ID number or an
        // organisation's enterprise code (docs/format.md §4.4).
        return doc_type.field_name_of(index, value).map(str::to_owned);
    }
    // Predicates exist for the types with a date of birth.
    if doc_type == DocType::Vehicle {
        return None;
    }
    sd::leaf_age(index).map(|nn| format!("age_over_{nn}"))
}

/// The number of leaves a document type defines: its fields, and its predicates.
fn defined(doc_type: DocType) -> usize {
    doc_type.field_keys().len()
        + if doc_type == DocType::Vehicle {
            0
        } else {
            AGE_THRESHOLDS.len()
        }
}

fn wrong(name: &str, expected: &'static str) -> FieldError {
    FieldError::new(name, FieldErrorKind::WrongType { expected })
}

fn text(name: &str, v: &Value) -> Result<String, FieldError> {
    let t = v.as_text().ok_or_else(|| wrong(name, "text"))?;
    if t.is_empty() {
        return Err(FieldError::new(name, FieldErrorKind::Empty));
    }
    if t.chars().count() > 200 {
        return Err(FieldError::new(name, FieldErrorKind::TooLong { max: 200 }));
    }
    if t.chars().any(char::is_control) {
        return Err(FieldError::new(name, FieldErrorKind::ControlCharacter));
    }
    Ok(t.to_owned())
}

fn day(name: &str, v: &Value) -> Result<String, FieldError> {
    date::from_cbor(v)
        .map(date::format_display)
        .map_err(|kind| FieldError::new(name, kind))
}

fn render(name: &str, v: &Value) -> Result<Vec<String>, FieldError> {
    let uint = |v: &Value| {
        v.as_integer()
            .and_then(|i| u64::try_from(i).ok())
            .ok_or_else(|| wrong(name, "unsigned integer"))
    };
    Ok(match name {
        n if n.starts_with("age_over_") => match v {
            Value::Bool(b) => vec![b.to_string()],
            _ => return Err(wrong(name, "bool")),
        },
        "sex" => vec![match uint(v)? {
            1 => "male".to_owned(),
            2 => "female".to_owned(),
            _ => return Err(FieldError::new(name, FieldErrorKind::InvalidSex)),
        }],
        "card_generation" => vec![match uint(v)? {
            1 => "cccd_2021".to_owned(),
            2 => "can_cuoc_2024".to_owned(),
            _ => return Err(FieldError::new(name, FieldErrorKind::InvalidCardGeneration)),
        }],
        "participation_status" => {
            let status = giayto_model::ParticipationStatus::from_code(uint(v)?)
                .ok_or_else(|| FieldError::new(name, FieldErrorKind::InvalidParticipationStatus))?;
            vec![status.as_str().to_owned()]
        }
        "seats" | "engine_capacity_cc" | "benefit_level" | "months_paid" => {
            vec![uint(v)?.to_string()]
        }
        "portrait" => {
            let b = v.as_bytes().ok_or_else(|| wrong(name, "bytes"))?;
            let mime = giayto_model::ImageFormat::detect(b)
                .ok_or_else(|| FieldError::new(name, FieldErrorKind::UnsupportedImageFormat))?
                .mime();
            vec![format!("{mime}, {} bytes", b.len())]
        }
        "classes" => {
            let entries = v.as_array().ok_or_else(|| wrong(name, "array"))?;
            let mut rows = Vec::new();
            for e in entries {
                let parts = e.as_array().ok_or_else(|| wrong(name, "class entry"))?;
                match parts.as_slice() {
                    [c, from] => rows.push(format!("{} ({} →)", text(name, c)?, day(name, from)?)),
                    [c, from, to] => rows.push(format!(
                        "{} ({} → {})",
                        text(name, c)?,
                        day(name, from)?,
                        day(name, to)?
                    )),
                    _ => return Err(wrong(name, "class entry")),
                }
            }
            rows
        }
        n if n.contains("date") || n.starts_with("valid_") || n == "five_year_from" => {
            vec![day(name, v)?]
        }
        _ => vec![text(name, v)?],
    })
}

/// Check disclosures against a commitment's root, for a document type: every disclosure
/// names a leaf the type defines (`disclosure_not_covered`), the disclosures and proof lead
/// to the signed root (`disclosure_mismatch`: a wrong salt or value, a proof of another
/// credential), each value has its field's form (`bad_fields`).
pub(crate) fn check(
    doc_type: DocType,
    root: &Hash,
    disclosures: &Disclosures,
) -> Result<Disclosed, (Verdict, Reason)> {
    let mut names = Vec::with_capacity(disclosures.items.len());
    for d in &disclosures.items {
        let name = field_name(doc_type, d.index, &d.value).ok_or((
            Verdict::Malformed,
            Reason::DisclosureNotCovered { index: d.index },
        ))?;
        names.push(name);
    }
    if disclosures.root().as_ref() != Some(root) {
        return Err((Verdict::Malformed, Reason::DisclosureMismatch));
    }
    let mut fields = Vec::with_capacity(names.len());
    for (d, name) in disclosures.items.iter().zip(names) {
        let display =
            render(&name, &d.value).map_err(|e| (Verdict::Malformed, Reason::Fields(e)))?;
        fields.push(DisclosedField {
            index: d.index,
            name,
            value: d.value.clone(),
            display,
        });
    }
    Ok(Disclosed {
        withheld: defined(doc_type).saturating_sub(fields.len()),
        fields,
    })
}
