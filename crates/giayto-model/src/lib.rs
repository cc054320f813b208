//! The five Vietnamese documents of giayto — the chip identity card (CCCD / thẻ căn cước),
//! the driving licence (GPLX), the vehicle registration certificate, the health insurance
//! card (BHYT) and the social insurance book (sổ BHXH) — with their fields, their validation
//! and their two encodings:
//!
//! - issuance JSON with the names of docs/format.md §4 ([`Document::from_json`], [`Document::to_json`]);
//! - the `fields` map of a credential (docs/format.md §3): small unsigned integer keys in ascending
//!   order, dates as RFC 8943 tag 100, texts NFC ([`Document::to_cbor`], [`Document::from_cbor`]).
//!
//! Both directions run the same checks: the structure of the 12-digit personal ID number
//! against date of birth and sex ([`check_personal_id`]), licence classes of the 2024 and 2008
//! laws ([`LicenceClass`]), plate numbers ([`Plate`]), insurance card numbers
//! ([`BhytCardNumber`]), enterprise codes ([`canon_enterprise_code`]), real calendar dates and
//! date order. A type's `fields` map is versioned ([`DocType::latest_schema`],
//! [`Document::schema_version`]). A decoded credential must also be
//! in canonical form; unknown integer keys of a newer schema are kept and shown, not refused.
//! [`parse_card_qr`] reads the QR printed on the chip card.
//!
//! ```
//! use giayto_model::{sample_input, DocType, Document};
//!
//! let input = serde_json::json!({
//!     "id_number": "001196012345",
//!     "full_name": "Tra\u{0302}\u{0300}n Thị Mẫu",   // decomposed: stored as NFC
//!     "date_of_birth": "1996-05-17",
//!     "sex": "female",
//!     "place_of_origin": "Lạng Sơn",
//!     "place_of_residence": "Hà Nội",
//!     "issue_date": "2021-04-10",
//!     "expiry_date": "2036-05-17"
//! });
//! let doc = Document::from_json(DocType::Cccd, &input)?;
//! assert_eq!(doc.holder_name(), "Trần Thị Mẫu");
//!
//! // The credential's `fields` map and back.
//! let fields = doc.to_cbor();
//! assert_eq!(Document::from_cbor(DocType::Cccd, &fields)?, doc);
//!
//! // A wrong field is named, with a stable code.
//! let mut bad = input.clone();
//! bad["sex"] = "male".into();
//! let err = Document::from_json(DocType::Cccd, &bad).unwrap_err();
//! assert_eq!((err.field.as_str(), err.kind.code()), ("id_number", "id-number-sex-mismatch"));
//! # let _ = sample_input(DocType::Bhyt);
//! # Ok::<(), giayto_model::FieldError>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::collections::BTreeMap;
use std::fmt;

pub use time::Date;

mod bhxh;
mod bhyt;
mod card_qr;
mod cccd;
mod common;
pub mod date;
mod error;
mod gplx;
pub mod personal_id;
mod sample;
mod source;
mod text;
mod vehicle;

pub use bhxh::{Bhxh, ParticipationStatus, MAX_MONTHS_PAID};
pub use bhyt::{canon_facility_code, Bhyt, BhytCardNumber};
pub use card_qr::{parse_card_qr, CardQrError, CardQrPart, CAN_CUOC_FROM, MAX_CARD_QR_LEN};
pub use cccd::{cccd_expiry, CardExpiry, Cccd, NO_EXPIRY_FROM_AGE};
pub use common::{
    CardGeneration, ImageFormat, Sex, MAX_ADDRESS, MAX_AUTHORITY, MAX_NAME, MAX_PORTRAIT_BYTES,
    MAX_SHORT,
};
pub use error::{FieldError, FieldErrorKind};
pub use gplx::{ClassEntry, Gplx, LicenceClass, LAW_2024_FROM};
pub use personal_id::{
    check_personal_id, parse_personal_id, province_name, PersonalIdInfo, PROVINCES,
};
pub use sample::{
    sample_can_cuoc_2024, sample_input, sample_organisation_vehicle, SAMPLE_DATE_OF_BIRTH,
    SAMPLE_ENTERPRISE_CODE, SAMPLE_ID_NUMBER, SAMPLE_NAME,
};
pub use vehicle::{
    canon_enterprise_code, Plate, PlateKind, Vehicle, VehicleOwner, ORGANISATION_OWNER_SCHEMA,
};

use source::{CborSource, Field, JsonSource};

/// Display token for "does not expire" in [`Document::display_fields`] (the UI translates it).
pub const NO_EXPIRY: &str = "no_expiry";

/// Schema version 1: the first version of every type's `fields` map, and the one an issuer
/// writes unless the document needs a later one ([`Document::schema_version`]; the latest a
/// type has is [`DocType::latest_schema`]).
pub const SCHEMA_VERSION: u64 = 1;

/// The document types (docs/format.md §3 `doc_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocType {
    /// Identity card (căn cước công dân / thẻ căn cước), code 1.
    Cccd,
    /// Driving licence (giấy phép lái xe), code 2.
    Gplx,
    /// Vehicle registration certificate (giấy đăng ký xe), code 3.
    Vehicle,
    /// Health insurance card (thẻ bảo hiểm y tế), code 4.
    Bhyt,
    /// Social insurance book (sổ bảo hiểm xã hội), code 5. Verifiers of the first release
    /// know codes 1–4 only and answer `unsupported_document` (docs/format.md §3.7).
    Bhxh,
}

impl DocType {
    /// All types in code order.
    pub const ALL: [DocType; 5] = [
        DocType::Cccd,
        DocType::Gplx,
        DocType::Vehicle,
        DocType::Bhyt,
        DocType::Bhxh,
    ];

    /// The `doc_type` code: 1, 2, 3, 4, 5.
    pub fn code(self) -> u64 {
        match self {
            DocType::Cccd => 1,
            DocType::Gplx => 2,
            DocType::Vehicle => 3,
            DocType::Bhyt => 4,
            DocType::Bhxh => 5,
        }
    }

    /// The latest schema version of this type's `fields` map that this library reads: 2 for
    /// the vehicle registration (an organisation may own the vehicle), 1 for the others.
    /// Versions 1 up to it are read; a verifier answers `unsupported_document` for a higher
    /// one (docs/format.md §3.7).
    pub fn latest_schema(self) -> u64 {
        match self {
            DocType::Vehicle => vehicle::ORGANISATION_OWNER_SCHEMA,
            _ => SCHEMA_VERSION,
        }
    }

    /// The type of a `doc_type` code.
    pub fn from_code(code: u64) -> Option<DocType> {
        DocType::ALL.into_iter().find(|t| t.code() == code)
    }

    /// `"cccd"`, `"gplx"`, `"vehicle"`, `"bhyt"`, `"bhxh"`.
    pub fn as_str(self) -> &'static str {
        match self {
            DocType::Cccd => "cccd",
            DocType::Gplx => "gplx",
            DocType::Vehicle => "vehicle",
            DocType::Bhyt => "bhyt",
            DocType::Bhxh => "bhxh",
        }
    }

    /// The type named by [`as_str`](Self::as_str), case-insensitively.
    pub fn from_name(s: &str) -> Option<DocType> {
        DocType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
    }

    fn fields(self) -> &'static [Field] {
        match self {
            DocType::Cccd => cccd::FIELDS,
            DocType::Gplx => gplx::FIELDS,
            DocType::Vehicle => vehicle::FIELDS,
            DocType::Bhyt => bhyt::FIELDS,
            DocType::Bhxh => bhxh::FIELDS,
        }
    }

    /// The member names issuance JSON accepts: the fields, and for a vehicle also
    /// `owner_enterprise_code` (key 4 when an organisation owns it).
    fn json_fields(self) -> &'static [Field] {
        match self {
            DocType::Vehicle => vehicle::JSON_FIELDS,
            other => other.fields(),
        }
    }

    /// The `fields` map of this type: `(key, JSON name)` in key order. Key 4 of a vehicle is
    /// named `owner_id_number` here; it is `owner_enterprise_code` when it holds an enterprise
    /// code ([`field_name_of`](Self::field_name_of)).
    pub fn field_keys(self) -> Vec<(u64, &'static str)> {
        self.fields().iter().map(|f| (f.key, f.name)).collect()
    }

    /// The JSON name of the field at `key` holding `value`: as [`field_keys`](Self::field_keys),
    /// except that a vehicle's key 4 holding anything but a 12-digit text is the organisation
    /// owner's `owner_enterprise_code`. For a value seen alone, e.g. one field a holder
    /// disclosed (docs/format.md §14).
    pub fn field_name_of(self, key: u64, value: &ciborium::Value) -> Option<&'static str> {
        let name = self.fields().iter().find(|f| f.key == key)?.name;
        if self == DocType::Vehicle && key == vehicle::OWNER_ID_NUMBER.key {
            let personal = value
                .as_text()
                .is_some_and(|t| t.len() == 12 && t.bytes().all(|b| b.is_ascii_digit()));
            if !personal {
                return Some(vehicle::OWNER_ENTERPRISE_CODE.name);
            }
        }
        Some(name)
    }
}

impl fmt::Display for DocType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A validated document of one of the five types.
#[derive(Clone, Debug, PartialEq)]
pub enum Document {
    /// Identity card.
    Cccd(Cccd),
    /// Driving licence.
    Gplx(Gplx),
    /// Vehicle registration certificate.
    Vehicle(Vehicle),
    /// Health insurance card.
    Bhyt(Bhyt),
    /// Social insurance book.
    Bhxh(Bhxh),
}

impl Document {
    /// Parses and validates issuance input JSON (docs/format.md §4 names). Unknown member names are
    /// refused (typo guard, also `unknown_fields`), JSON `null` counts as absent, texts are
    /// NFC-normalised and trimmed, codes get their canonical spelling, dates are `YYYY-MM-DD`.
    pub fn from_json(doc_type: DocType, input: &serde_json::Value) -> Result<Document, FieldError> {
        let src = JsonSource::new(input, doc_type.json_fields())?;
        Ok(match doc_type {
            DocType::Cccd => Document::Cccd(Cccd::parse(&src)?),
            DocType::Gplx => Document::Gplx(Gplx::parse(&src)?),
            DocType::Vehicle => Document::Vehicle(Vehicle::parse(&src, doc_type.latest_schema())?),
            DocType::Bhyt => Document::Bhyt(Bhyt::parse(&src)?),
            DocType::Bhxh => Document::Bhxh(Bhxh::parse(&src)?),
        })
    }

    /// Decodes a `fields` map under the type's latest schema
    /// ([`DocType::latest_schema`]); see [`from_cbor_schema`](Self::from_cbor_schema).
    pub fn from_cbor(doc_type: DocType, fields: &ciborium::Value) -> Result<Document, FieldError> {
        Document::from_cbor_schema(doc_type, doc_type.latest_schema(), fields)
    }

    /// Decodes a `fields` map of schema version `schema` from a verified credential, with the
    /// same validation as [`from_json`](Self::from_json), and requires canonical text. Integer
    /// keys that the type does not define are kept in `unknown_fields`; keys that are not
    /// unsigned integers, repeated keys, wrong value types and missing required fields are
    /// errors. A version above [`DocType::latest_schema`] is read as the latest (a verifier
    /// refuses it before: docs/format.md §7.2 check 20); under version 1 a vehicle's owner
    /// must be a person, as verifiers of the first release require.
    pub fn from_cbor_schema(
        doc_type: DocType,
        schema: u64,
        fields: &ciborium::Value,
    ) -> Result<Document, FieldError> {
        let src = CborSource::new(fields, doc_type.fields())?;
        let unknown = src.unknown();
        Ok(match doc_type {
            DocType::Cccd => Document::Cccd(Cccd {
                unknown_fields: unknown,
                ..Cccd::parse(&src)?
            }),
            DocType::Gplx => Document::Gplx(Gplx {
                unknown_fields: unknown,
                ..Gplx::parse(&src)?
            }),
            DocType::Vehicle => Document::Vehicle(Vehicle {
                unknown_fields: unknown,
                ..Vehicle::parse(&src, schema)?
            }),
            DocType::Bhyt => Document::Bhyt(Bhyt {
                unknown_fields: unknown,
                ..Bhyt::parse(&src)?
            }),
            DocType::Bhxh => Document::Bhxh(Bhxh {
                unknown_fields: unknown,
                ..Bhxh::parse(&src)?
            }),
        })
    }

    /// The schema version a credential of this document carries: the lowest that can hold
    /// it, so that verifiers of an earlier release read every document they can (2 for a
    /// vehicle owned by an organisation, else 1).
    pub fn schema_version(&self) -> u64 {
        match self {
            Document::Vehicle(d) => d.schema_version(),
            _ => SCHEMA_VERSION,
        }
    }

    /// The rules that need the day the credential is signed (`day`: the date of `iat` in
    /// Vietnam, [`date::vietnam_date`]): a social insurance book's `summary_date` is no later
    /// than that day. Issuers check it before signing; verifiers with the other field rules
    /// (docs/format.md §7.2 check 21).
    pub fn check_signed_on(&self, day: Date) -> Result<(), FieldError> {
        match self {
            Document::Bhxh(d) => d.check_signed_on(day),
            _ => Ok(()),
        }
    }

    /// Re-checks a document built or changed in code: it must encode to a `fields` map that
    /// decodes to the same document.
    pub fn validate(&self) -> Result<(), FieldError> {
        let back = Document::from_cbor(self.doc_type(), &self.to_cbor())?;
        if &back == self {
            Ok(())
        } else {
            Err(FieldError::new("fields", FieldErrorKind::NotCanonical))
        }
    }

    /// The document's type.
    pub fn doc_type(&self) -> DocType {
        match self {
            Document::Cccd(_) => DocType::Cccd,
            Document::Gplx(_) => DocType::Gplx,
            Document::Vehicle(_) => DocType::Vehicle,
            Document::Bhyt(_) => DocType::Bhyt,
            Document::Bhxh(_) => DocType::Bhxh,
        }
    }

    /// JSON with the input names; dates `YYYY-MM-DD`; absent optional fields omitted, except
    /// cccd `expiry_date`, which is `null` for "no expiry"; unknown CBOR fields under
    /// `"unknown_fields": {"<key>": value}` (text, numbers, booleans, arrays and maps as JSON,
    /// other values in CBOR diagnostic notation).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Document::Cccd(d) => d.to_json(),
            Document::Gplx(d) => d.to_json(),
            Document::Vehicle(d) => d.to_json(),
            Document::Bhyt(d) => d.to_json(),
            Document::Bhxh(d) => d.to_json(),
        }
    }

    /// The §3.1 `fields` map: unsigned integer keys in ascending order (CBOR core
    /// deterministic order), dates as tag 100, absent optionals omitted (and `nationality`
    /// omitted when `VNM`), portrait as a byte string, carried unknown fields re-emitted.
    pub fn to_cbor(&self) -> ciborium::Value {
        match self {
            Document::Cccd(d) => d.to_cbor(),
            Document::Gplx(d) => d.to_cbor(),
            Document::Vehicle(d) => d.to_cbor(),
            Document::Bhyt(d) => d.to_cbor(),
            Document::Bhxh(d) => d.to_cbor(),
        }
    }

    /// The holder's name (`full_name`, or `owner_name` for a vehicle: a person's or an
    /// organisation's).
    pub fn holder_name(&self) -> &str {
        match self {
            Document::Cccd(d) => &d.full_name,
            Document::Gplx(d) => &d.full_name,
            Document::Vehicle(d) => &d.owner_name,
            Document::Bhyt(d) => &d.full_name,
            Document::Bhxh(d) => &d.full_name,
        }
    }

    /// The holder's 12-digit personal ID number: every type has one, except a vehicle owned
    /// by an organisation.
    pub fn holder_id_number(&self) -> Option<&str> {
        match self {
            Document::Cccd(d) => Some(&d.id_number),
            Document::Gplx(d) => Some(&d.id_number),
            Document::Vehicle(d) => d.owner.id_number(),
            Document::Bhyt(d) => Some(&d.id_number),
            Document::Bhxh(d) => Some(&d.id_number),
        }
    }

    /// The holder's date of birth, where the document has it.
    pub fn holder_date_of_birth(&self) -> Option<Date> {
        match self {
            Document::Cccd(d) => Some(d.date_of_birth),
            Document::Gplx(d) => Some(d.date_of_birth),
            Document::Vehicle(_) => None,
            Document::Bhyt(d) => Some(d.date_of_birth),
            Document::Bhxh(d) => Some(d.date_of_birth),
        }
    }

    /// The document's own expiry: cccd `expiry_date` (`None` = no expiry), for gplx the latest
    /// class expiry (`None` if any class has no term), vehicle `expiry_date`, bhyt `valid_to`;
    /// a social insurance book does not expire (`None`).
    pub fn expiry_date(&self) -> Option<Date> {
        match self {
            Document::Cccd(d) => d.expiry_date,
            Document::Gplx(d) => d.expiry_date(),
            Document::Vehicle(d) => d.expiry_date,
            Document::Bhyt(d) => Some(d.valid_to),
            Document::Bhxh(_) => None,
        }
    }

    /// Fields carried from a newer schema.
    pub fn unknown_fields(&self) -> &BTreeMap<u64, ciborium::Value> {
        match self {
            Document::Cccd(d) => &d.unknown_fields,
            Document::Gplx(d) => &d.unknown_fields,
            Document::Vehicle(d) => &d.unknown_fields,
            Document::Bhyt(d) => &d.unknown_fields,
            Document::Bhxh(d) => &d.unknown_fields,
        }
    }

    /// Fields in card order for human display: `(JSON name, rendered value)`. Dates
    /// `dd/mm/yyyy`; tokens the UI translates: `male`, `female`, [`NO_EXPIRY`], `cccd_2021`,
    /// `can_cuoc_2024`, `contributing`, `paused`, `receiving_pension`, and `legacy` inside a
    /// class; one `("classes", "B (02/01/2025 →
    /// 02/01/2035)")` entry per licence class; portrait as `"image/jpeg, N bytes"`; unknown
    /// fields last as `("unknown_<key>", CBOR diagnostic notation)`.
    pub fn display_fields(&self) -> Vec<(String, String)> {
        let mut v = match self {
            Document::Cccd(d) => d.display(),
            Document::Gplx(d) => d.display(),
            Document::Vehicle(d) => d.display(),
            Document::Bhyt(d) => d.display(),
            Document::Bhxh(d) => d.display(),
        };
        for (k, val) in self.unknown_fields() {
            v.push((format!("unknown_{k}"), source::diag(val)));
        }
        v
    }
}

impl From<Cccd> for Document {
    fn from(d: Cccd) -> Document {
        Document::Cccd(d)
    }
}

impl From<Gplx> for Document {
    fn from(d: Gplx) -> Document {
        Document::Gplx(d)
    }
}

impl From<Vehicle> for Document {
    fn from(d: Vehicle) -> Document {
        Document::Vehicle(d)
    }
}

impl From<Bhyt> for Document {
    fn from(d: Bhyt) -> Document {
        Document::Bhyt(d)
    }
}

impl From<Bhxh> for Document {
    fn from(d: Bhxh) -> Document {
        Document::Bhxh(d)
    }
}
