//! The driving licence (giấy phép lái xe, doc_type 2) and its classes.

use std::collections::BTreeMap;
use std::fmt;

use ciborium::Value as Cbor;
use serde_json::{Map, Value as Json};
use time::macros::date;
use time::Date;

use crate::common::{MAX_ADDRESS, MAX_AUTHORITY, MAX_NAME};
use crate::date::{format_display, format_iso};
use crate::error::{FieldError, FieldErrorKind};
use crate::personal_id::canon_id;
use crate::source::{
    canon_at, check_order, f, opt_text, req, req_date, req_text, Field, JsonBuilder, MapBuilder,
    Source,
};
use crate::text::{canon_free, canon_nationality, digits_exact};

/// A driving licence class.
///
/// The 2024 Road Traffic Order and Safety Law (in force 1 January 2025, art. 57) defines
/// A1, A, B1, B, C1, C, D1, D2, D, BE, C1E, CE, D1E, D2E, DE. Licences issued under the 2008
/// Road Traffic Law stay valid: A1, A2, A3, A4, B1, B2, C, D, E, FB2, FC, FD, FE. The names
/// A1, B1, C and D exist in both laws with different meanings; which law applies follows from
/// the class's issue date (see [`ClassEntry::legacy`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum LicenceClass {
    A1,
    A,
    B1,
    B,
    C1,
    C,
    D1,
    D2,
    D,
    BE,
    C1E,
    CE,
    D1E,
    D2E,
    DE,
    A2,
    A3,
    A4,
    B2,
    E,
    FB2,
    FC,
    FD,
    FE,
}

impl LicenceClass {
    /// Every class, 2024-law classes first, then the 2008-only ones.
    pub const ALL: [LicenceClass; 24] = [
        LicenceClass::A1,
        LicenceClass::A,
        LicenceClass::B1,
        LicenceClass::B,
        LicenceClass::C1,
        LicenceClass::C,
        LicenceClass::D1,
        LicenceClass::D2,
        LicenceClass::D,
        LicenceClass::BE,
        LicenceClass::C1E,
        LicenceClass::CE,
        LicenceClass::D1E,
        LicenceClass::D2E,
        LicenceClass::DE,
        LicenceClass::A2,
        LicenceClass::A3,
        LicenceClass::A4,
        LicenceClass::B2,
        LicenceClass::E,
        LicenceClass::FB2,
        LicenceClass::FC,
        LicenceClass::FD,
        LicenceClass::FE,
    ];

    /// The class's name as printed, e.g. `"C1E"`.
    pub fn as_str(self) -> &'static str {
        match self {
            LicenceClass::A1 => "A1",
            LicenceClass::A => "A",
            LicenceClass::B1 => "B1",
            LicenceClass::B => "B",
            LicenceClass::C1 => "C1",
            LicenceClass::C => "C",
            LicenceClass::D1 => "D1",
            LicenceClass::D2 => "D2",
            LicenceClass::D => "D",
            LicenceClass::BE => "BE",
            LicenceClass::C1E => "C1E",
            LicenceClass::CE => "CE",
            LicenceClass::D1E => "D1E",
            LicenceClass::D2E => "D2E",
            LicenceClass::DE => "DE",
            LicenceClass::A2 => "A2",
            LicenceClass::A3 => "A3",
            LicenceClass::A4 => "A4",
            LicenceClass::B2 => "B2",
            LicenceClass::E => "E",
            LicenceClass::FB2 => "FB2",
            LicenceClass::FC => "FC",
            LicenceClass::FD => "FD",
            LicenceClass::FE => "FE",
        }
    }

    /// Looks a class up by name, case-insensitively, ignoring surrounding white space.
    pub fn from_name(s: &str) -> Option<LicenceClass> {
        let s = s.trim();
        LicenceClass::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s))
    }

    /// Defined by the 2024 law.
    pub fn in_2024_law(self) -> bool {
        matches!(
            self,
            LicenceClass::A1
                | LicenceClass::A
                | LicenceClass::B1
                | LicenceClass::B
                | LicenceClass::C1
                | LicenceClass::C
                | LicenceClass::D1
                | LicenceClass::D2
                | LicenceClass::D
                | LicenceClass::BE
                | LicenceClass::C1E
                | LicenceClass::CE
                | LicenceClass::D1E
                | LicenceClass::D2E
                | LicenceClass::DE
        )
    }

    /// Defined by the 2008 law.
    pub fn in_2008_law(self) -> bool {
        matches!(
            self,
            LicenceClass::A1
                | LicenceClass::A2
                | LicenceClass::A3
                | LicenceClass::A4
                | LicenceClass::B1
                | LicenceClass::B2
                | LicenceClass::C
                | LicenceClass::D
                | LicenceClass::E
                | LicenceClass::FB2
                | LicenceClass::FC
                | LicenceClass::FD
                | LicenceClass::FE
        )
    }

    /// Exists only under the 2008 law (A2, A3, A4, B2, E, FB2, FC, FD, FE).
    pub fn is_legacy_only(self) -> bool {
        !self.in_2024_law()
    }
}

impl fmt::Display for LicenceClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Date from which classes are issued under the 2024 law.
pub const LAW_2024_FROM: Date = date!(2025 - 01 - 01);

/// One class on a licence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClassEntry {
    /// The class.
    pub class: LicenceClass,
    /// Date the class was granted.
    pub issue_date: Date,
    /// Valid until; `None` for classes without a term (e.g. motorcycle classes).
    pub expiry_date: Option<Date>,
}

impl ClassEntry {
    /// A class under the 2008 law: a 2008-only class, or a shared name (A1, B1, C, D) granted
    /// before 1 January 2025.
    pub fn legacy(&self) -> bool {
        self.class.is_legacy_only() || (self.class.in_2008_law() && self.issue_date < LAW_2024_FROM)
    }

    /// `"B (02/01/2025 → 02/01/2035)"`, `"A1 (02/01/2015 → no_expiry, legacy)"`.
    pub fn display(&self) -> String {
        let exp = self
            .expiry_date
            .map_or_else(|| crate::NO_EXPIRY.to_owned(), format_display);
        let legacy = if self.legacy() { ", legacy" } else { "" };
        format!(
            "{} ({} → {exp}{legacy})",
            self.class,
            format_display(self.issue_date)
        )
    }
}

/// The driving licence.
#[derive(Clone, Debug, PartialEq)]
pub struct Gplx {
    /// 12-digit licence number.
    pub licence_number: String,
    /// Full name.
    pub full_name: String,
    /// Date of birth.
    pub date_of_birth: Date,
    /// Holder's 12-digit personal ID number.
    pub id_number: String,
    /// ISO 3166-1 alpha-3 nationality, `VNM` by default.
    pub nationality: String,
    /// Place of residence.
    pub residence: String,
    /// Classes, in the order given, at least one, no class twice.
    pub classes: Vec<ClassEntry>,
    /// Issuing authority, e.g. "Sở Giao thông vận tải Hà Nội".
    pub issuing_authority: String,
    /// Date the licence card was issued.
    pub issue_date: Date,
    /// Fields of a newer schema, carried as decoded.
    pub unknown_fields: BTreeMap<u64, Cbor>,
}

pub(crate) const LICENCE_NUMBER: Field = f("licence_number", 1);
pub(crate) const FULL_NAME: Field = f("full_name", 2);
pub(crate) const DATE_OF_BIRTH: Field = f("date_of_birth", 3);
pub(crate) const ID_NUMBER: Field = f("id_number", 4);
pub(crate) const NATIONALITY: Field = f("nationality", 5);
pub(crate) const RESIDENCE: Field = f("residence", 6);
pub(crate) const CLASSES: Field = f("classes", 7);
pub(crate) const ISSUING_AUTHORITY: Field = f("issuing_authority", 8);
pub(crate) const ISSUE_DATE: Field = f("issue_date", 9);

pub(crate) const FIELDS: &[Field] = &[
    LICENCE_NUMBER,
    FULL_NAME,
    DATE_OF_BIRTH,
    ID_NUMBER,
    NATIONALITY,
    RESIDENCE,
    CLASSES,
    ISSUING_AUTHORITY,
    ISSUE_DATE,
];

impl Gplx {
    pub(crate) fn parse<S: Source>(src: &S) -> Result<Gplx, FieldError> {
        let licence_number = req_text(src, LICENCE_NUMBER, |s| {
            digits_exact(s, &[12], FieldErrorKind::LicenceNumberFormat)
        })?;
        let full_name = req_text(src, FULL_NAME, |s| canon_free(s, MAX_NAME))?;
        let date_of_birth = req_date(src, DATE_OF_BIRTH)?;
        let id_number = req_text(src, ID_NUMBER, |s| canon_id(s, Some(date_of_birth), None))?;
        let nationality = opt_text(src, NATIONALITY, canon_nationality)?
            .unwrap_or_else(|| crate::cccd::DEFAULT_NATIONALITY.to_owned());
        let residence = req_text(src, RESIDENCE, |s| canon_free(s, MAX_ADDRESS))?;
        let raw_classes = req(CLASSES, src.raw_classes(CLASSES)?)?;
        if raw_classes.is_empty() {
            return Err(FieldError::new(CLASSES.name, FieldErrorKind::Empty));
        }
        let mut classes: Vec<ClassEntry> = Vec::with_capacity(raw_classes.len());
        for (i, raw) in raw_classes.iter().enumerate() {
            let base = format!("{}[{i}]", CLASSES.name);
            let class_path = format!("{base}.class");
            let name = canon_at(src, &class_path, &raw.class, |s| {
                LicenceClass::from_name(s)
                    .map(|c| c.as_str().to_owned())
                    .ok_or(FieldErrorKind::UnknownLicenceClass)
            })?;
            let class = LicenceClass::from_name(&name)
                .ok_or_else(|| FieldError::new(&class_path, FieldErrorKind::UnknownLicenceClass))?;
            if classes.iter().any(|c| c.class == class) {
                return Err(FieldError::new(
                    class_path,
                    FieldErrorKind::DuplicateLicenceClass,
                ));
            }
            check_order(
                &format!("{base}.issue_date"),
                raw.issue_date,
                DATE_OF_BIRTH.name,
                date_of_birth,
                false,
            )?;
            if let Some(exp) = raw.expiry_date {
                check_order(
                    &format!("{base}.expiry_date"),
                    exp,
                    "issue_date",
                    raw.issue_date,
                    true,
                )?;
            }
            classes.push(ClassEntry {
                class,
                issue_date: raw.issue_date,
                expiry_date: raw.expiry_date,
            });
        }
        let issuing_authority = req_text(src, ISSUING_AUTHORITY, |s| canon_free(s, MAX_AUTHORITY))?;
        let issue_date = req_date(src, ISSUE_DATE)?;
        check_order(
            ISSUE_DATE.name,
            issue_date,
            DATE_OF_BIRTH.name,
            date_of_birth,
            false,
        )?;
        Ok(Gplx {
            licence_number,
            full_name,
            date_of_birth,
            id_number,
            nationality,
            residence,
            classes,
            issuing_authority,
            issue_date,
            unknown_fields: BTreeMap::new(),
        })
    }

    /// The licence's expiry: `None` if any class has no term, else the latest class expiry.
    pub fn expiry_date(&self) -> Option<Date> {
        let mut latest: Option<Date> = None;
        for c in &self.classes {
            let exp = c.expiry_date?;
            latest = Some(latest.map_or(exp, |l| l.max(exp)));
        }
        latest
    }

    pub(crate) fn to_cbor(&self) -> Cbor {
        let mut m = MapBuilder::new();
        m.text(LICENCE_NUMBER, &self.licence_number);
        m.text(FULL_NAME, &self.full_name);
        m.date(DATE_OF_BIRTH, self.date_of_birth);
        m.text(ID_NUMBER, &self.id_number);
        if self.nationality != crate::cccd::DEFAULT_NATIONALITY {
            m.text(NATIONALITY, &self.nationality);
        }
        m.text(RESIDENCE, &self.residence);
        let classes = self
            .classes
            .iter()
            .map(|c| {
                let mut e = vec![
                    Cbor::Text(c.class.as_str().to_owned()),
                    crate::date::to_cbor(c.issue_date),
                ];
                if let Some(x) = c.expiry_date {
                    e.push(crate::date::to_cbor(x));
                }
                Cbor::Array(e)
            })
            .collect();
        m.put(CLASSES, Cbor::Array(classes));
        m.text(ISSUING_AUTHORITY, &self.issuing_authority);
        m.date(ISSUE_DATE, self.issue_date);
        m.finish(&self.unknown_fields)
    }

    pub(crate) fn to_json(&self) -> Json {
        let mut j = JsonBuilder::new();
        j.text(LICENCE_NUMBER, &self.licence_number);
        j.text(FULL_NAME, &self.full_name);
        j.date(DATE_OF_BIRTH, self.date_of_birth);
        j.text(ID_NUMBER, &self.id_number);
        j.text(NATIONALITY, &self.nationality);
        j.text(RESIDENCE, &self.residence);
        let classes = self
            .classes
            .iter()
            .map(|c| {
                let mut o = Map::new();
                o.insert("class".into(), Json::String(c.class.as_str().to_owned()));
                o.insert("issue_date".into(), Json::String(format_iso(c.issue_date)));
                if let Some(x) = c.expiry_date {
                    o.insert("expiry_date".into(), Json::String(format_iso(x)));
                }
                Json::Object(o)
            })
            .collect();
        j.put(CLASSES, Json::Array(classes));
        j.text(ISSUING_AUTHORITY, &self.issuing_authority);
        j.date(ISSUE_DATE, self.issue_date);
        j.finish(&self.unknown_fields)
    }

    pub(crate) fn display(&self) -> Vec<(String, String)> {
        let mut v = vec![
            (LICENCE_NUMBER.name.to_owned(), self.licence_number.clone()),
            (FULL_NAME.name.to_owned(), self.full_name.clone()),
            (
                DATE_OF_BIRTH.name.to_owned(),
                format_display(self.date_of_birth),
            ),
            (ID_NUMBER.name.to_owned(), self.id_number.clone()),
            (NATIONALITY.name.to_owned(), self.nationality.clone()),
            (RESIDENCE.name.to_owned(), self.residence.clone()),
        ];
        for c in &self.classes {
            v.push((CLASSES.name.to_owned(), c.display()));
        }
        v.push((
            ISSUING_AUTHORITY.name.to_owned(),
            self.issuing_authority.clone(),
        ));
        v.push((ISSUE_DATE.name.to_owned(), format_display(self.issue_date)));
        v
    }
}
