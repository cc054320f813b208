//! The identity card: 2021 chip CCCD and 2024 thẻ căn cước (doc_type 1).

use std::collections::BTreeMap;

use base64::Engine as _;
use ciborium::Value as Cbor;
use serde_json::Value as Json;
use time::Date;

use crate::common::{
    check_portrait, CardGeneration, Sex, MAX_ADDRESS, MAX_NAME, MAX_PORTRAIT_BYTES,
};
use crate::date::{age_on, anniversary, format_display};
use crate::error::{FieldError, FieldErrorKind};
use crate::personal_id::canon_id;
use crate::source::{
    check_order, f, opt_text, req, req_date, req_sex, req_text, Field, JsonBuilder, MapBuilder,
    Source,
};
use crate::text::{canon_free, canon_nationality, digits_exact};

/// The identity card (CCCD 2021 or căn cước 2024).
#[derive(Clone, Debug, PartialEq)]
pub struct Cccd {
    /// Which card. JSON default `cccd_2021`.
    pub card_generation: CardGeneration,
    /// 12-digit personal ID number (số định danh cá nhân).
    pub id_number: String,
    /// Full name (họ, chữ đệm và tên).
    pub full_name: String,
    /// Date of birth.
    pub date_of_birth: Date,
    /// Sex.
    pub sex: Sex,
    /// ISO 3166-1 alpha-3 nationality, `VNM` by default.
    pub nationality: String,
    /// Place of origin (quê quán) on a 2021 card; place of birth registration (nơi đăng ký khai
    /// sinh) on a 2024 card. JSON name `place_of_origin` or `place_of_birth_registration`
    /// according to `card_generation`.
    pub origin: String,
    /// Place of (permanent) residence.
    pub place_of_residence: String,
    /// Valid until; `None` means the card does not expire (issued at age 58 or later).
    pub expiry_date: Option<Date>,
    /// Date of issue.
    pub issue_date: Date,
    /// Old ID number (9-digit or 12-digit CMND), if any.
    pub old_id_number: Option<String>,
    /// Portrait, JPEG or WebP, at most 1500 bytes.
    pub portrait: Option<Vec<u8>>,
    /// Fields of a newer schema, carried as decoded (CBOR key → value).
    pub unknown_fields: BTreeMap<u64, Cbor>,
}

pub(crate) const CARD_GENERATION: Field = f("card_generation", 1);
pub(crate) const ID_NUMBER: Field = f("id_number", 2);
pub(crate) const FULL_NAME: Field = f("full_name", 3);
pub(crate) const DATE_OF_BIRTH: Field = f("date_of_birth", 4);
pub(crate) const SEX: Field = f("sex", 5);
pub(crate) const NATIONALITY: Field = f("nationality", 6);
pub(crate) const PLACE_OF_ORIGIN: Field = f("place_of_origin", 7);
pub(crate) const PLACE_OF_BIRTH_REGISTRATION: Field = f("place_of_birth_registration", 8);
pub(crate) const PLACE_OF_RESIDENCE: Field = f("place_of_residence", 9);
pub(crate) const EXPIRY_DATE: Field = f("expiry_date", 10);
pub(crate) const ISSUE_DATE: Field = f("issue_date", 11);
pub(crate) const OLD_ID_NUMBER: Field = f("old_id_number", 12);
pub(crate) const PORTRAIT: Field = f("portrait", 13);

pub(crate) const FIELDS: &[Field] = &[
    CARD_GENERATION,
    ID_NUMBER,
    FULL_NAME,
    DATE_OF_BIRTH,
    SEX,
    NATIONALITY,
    PLACE_OF_ORIGIN,
    PLACE_OF_BIRTH_REGISTRATION,
    PLACE_OF_RESIDENCE,
    EXPIRY_DATE,
    ISSUE_DATE,
    OLD_ID_NUMBER,
    PORTRAIT,
];

/// Default nationality, omitted from the CBOR map.
pub(crate) const DEFAULT_NATIONALITY: &str = "VNM";

/// Age from which a card is issued without expiry.
pub const NO_EXPIRY_FROM_AGE: i32 = 58;

/// Validity of an identity card by law.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardExpiry {
    /// Valid until this date (the holder's birthday at the next renewal age).
    Until(Date),
    /// Valid for life (không thời hạn): issued at age 58 or later.
    NoExpiry,
}

impl CardExpiry {
    /// The date, or `None` for no expiry.
    pub fn date(self) -> Option<Date> {
        match self {
            CardExpiry::Until(d) => Some(d),
            CardExpiry::NoExpiry => None,
        }
    }
}

/// The expiry an identity card gets by law: renewal at the ages of
/// [`CardGeneration::renewal_ages`]; a card issued within 2 years before one of those ages is
/// valid until the next one; a card issued at 58 or later does not expire. The expiry is the
/// holder's birthday at that age (29 February → 28 February in a common year).
///
/// ```
/// use giayto_model::{cccd_expiry, CardExpiry, CardGeneration};
/// use time::macros::date;
/// let dob = date!(1996 - 05 - 17);
/// // Issued at 24, within two years before 25: valid until 40.
/// assert_eq!(
///     cccd_expiry(CardGeneration::Cccd2021, dob, date!(2021 - 04 - 10)),
///     CardExpiry::Until(date!(2036 - 05 - 17))
/// );
/// ```
pub fn cccd_expiry(
    generation: CardGeneration,
    date_of_birth: Date,
    issue_date: Date,
) -> CardExpiry {
    for &age in generation.renewal_ages() {
        let (Some(two_before), Some(at_age)) = (
            anniversary(date_of_birth, age - 2),
            anniversary(date_of_birth, age),
        ) else {
            return CardExpiry::NoExpiry;
        };
        if issue_date < two_before {
            return CardExpiry::Until(at_age);
        }
    }
    CardExpiry::NoExpiry
}

impl Cccd {
    pub(crate) fn parse<S: Source>(src: &S) -> Result<Cccd, FieldError> {
        let generation = src.raw_token(
            CARD_GENERATION,
            &CardGeneration::TABLE,
            FieldErrorKind::InvalidCardGeneration,
        )?;
        let card_generation = match generation {
            Some(code) => CardGeneration::from_code(code).unwrap_or_default(),
            None if src.strict() => {
                return Err(FieldError::new(
                    CARD_GENERATION.name,
                    FieldErrorKind::Missing,
                ))
            }
            None => CardGeneration::default(),
        };
        let full_name = req_text(src, FULL_NAME, |s| canon_free(s, MAX_NAME))?;
        let date_of_birth = req_date(src, DATE_OF_BIRTH)?;
        let sex = req_sex(src, SEX)?;
        let id_number = req_text(src, ID_NUMBER, |s| {
            canon_id(s, Some(date_of_birth), Some(sex))
        })?;
        let nationality = opt_text(src, NATIONALITY, canon_nationality)?
            .unwrap_or_else(|| DEFAULT_NATIONALITY.to_owned());
        let place_of_origin = opt_text(src, PLACE_OF_ORIGIN, |s| canon_free(s, MAX_ADDRESS))?;
        let place_of_birth_reg = opt_text(src, PLACE_OF_BIRTH_REGISTRATION, |s| {
            canon_free(s, MAX_ADDRESS)
        })?;
        let (wanted, other, unwanted) = match card_generation {
            CardGeneration::Cccd2021 => (
                PLACE_OF_ORIGIN,
                place_of_origin,
                (PLACE_OF_BIRTH_REGISTRATION, place_of_birth_reg),
            ),
            CardGeneration::CanCuoc2024 => (
                PLACE_OF_BIRTH_REGISTRATION,
                place_of_birth_reg,
                (PLACE_OF_ORIGIN, place_of_origin),
            ),
        };
        if unwanted.1.is_some() {
            return Err(FieldError::new(
                unwanted.0.name,
                FieldErrorKind::NotForCardGeneration,
            ));
        }
        let origin = req(wanted, other)?;
        let place_of_residence = req_text(src, PLACE_OF_RESIDENCE, |s| canon_free(s, MAX_ADDRESS))?;
        let issue_date = req_date(src, ISSUE_DATE)?;
        check_order(
            ISSUE_DATE.name,
            issue_date,
            DATE_OF_BIRTH.name,
            date_of_birth,
            false,
        )?;
        let expiry_date = src.raw_date(EXPIRY_DATE)?;
        match expiry_date {
            Some(exp) => check_order(EXPIRY_DATE.name, exp, ISSUE_DATE.name, issue_date, true)?,
            None if age_on(date_of_birth, issue_date) < NO_EXPIRY_FROM_AGE => {
                return Err(FieldError::new(
                    EXPIRY_DATE.name,
                    FieldErrorKind::ExpiryRequired,
                ))
            }
            None => {}
        }
        let old_id_number = opt_text(src, OLD_ID_NUMBER, |s| {
            digits_exact(s, &[9, 12], FieldErrorKind::OldIdNumberFormat)
        })?;
        let portrait = src.raw_bytes(PORTRAIT, MAX_PORTRAIT_BYTES)?;
        if let Some(p) = &portrait {
            check_portrait(p).map_err(|k| FieldError::new(PORTRAIT.name, k))?;
        }
        Ok(Cccd {
            card_generation,
            id_number,
            full_name,
            date_of_birth,
            sex,
            nationality,
            origin,
            place_of_residence,
            expiry_date,
            issue_date,
            old_id_number,
            portrait,
            unknown_fields: BTreeMap::new(),
        })
    }

    fn origin_field(&self) -> Field {
        match self.card_generation {
            CardGeneration::Cccd2021 => PLACE_OF_ORIGIN,
            CardGeneration::CanCuoc2024 => PLACE_OF_BIRTH_REGISTRATION,
        }
    }

    pub(crate) fn to_cbor(&self) -> Cbor {
        let mut m = MapBuilder::new();
        m.uint(CARD_GENERATION, self.card_generation.code());
        m.text(ID_NUMBER, &self.id_number);
        m.text(FULL_NAME, &self.full_name);
        m.date(DATE_OF_BIRTH, self.date_of_birth);
        m.uint(SEX, self.sex.code());
        if self.nationality != DEFAULT_NATIONALITY {
            m.text(NATIONALITY, &self.nationality);
        }
        m.text(self.origin_field(), &self.origin);
        m.text(PLACE_OF_RESIDENCE, &self.place_of_residence);
        m.opt_date(EXPIRY_DATE, self.expiry_date);
        m.date(ISSUE_DATE, self.issue_date);
        m.opt_text(OLD_ID_NUMBER, self.old_id_number.as_deref());
        if let Some(p) = &self.portrait {
            m.put(PORTRAIT, Cbor::Bytes(p.clone()));
        }
        m.finish(&self.unknown_fields)
    }

    pub(crate) fn to_json(&self) -> Json {
        let mut j = JsonBuilder::new();
        j.text(CARD_GENERATION, self.card_generation.as_str());
        j.text(ID_NUMBER, &self.id_number);
        j.text(FULL_NAME, &self.full_name);
        j.date(DATE_OF_BIRTH, self.date_of_birth);
        j.text(SEX, self.sex.as_str());
        j.text(NATIONALITY, &self.nationality);
        j.text(self.origin_field(), &self.origin);
        j.text(PLACE_OF_RESIDENCE, &self.place_of_residence);
        match self.expiry_date {
            Some(d) => j.date(EXPIRY_DATE, d),
            // Explicit: null means "no expiry" (không thời hạn).
            None => j.put(EXPIRY_DATE, Json::Null),
        }
        j.date(ISSUE_DATE, self.issue_date);
        j.opt_text(OLD_ID_NUMBER, self.old_id_number.as_deref());
        if let Some(p) = &self.portrait {
            j.text(
                PORTRAIT,
                &base64::engine::general_purpose::STANDARD.encode(p),
            );
        }
        j.finish(&self.unknown_fields)
    }

    pub(crate) fn display(&self) -> Vec<(String, String)> {
        let mut v = vec![
            (
                CARD_GENERATION.name.to_owned(),
                self.card_generation.as_str().to_owned(),
            ),
            (ID_NUMBER.name.to_owned(), self.id_number.clone()),
            (FULL_NAME.name.to_owned(), self.full_name.clone()),
            (
                DATE_OF_BIRTH.name.to_owned(),
                format_display(self.date_of_birth),
            ),
            (SEX.name.to_owned(), self.sex.as_str().to_owned()),
            (NATIONALITY.name.to_owned(), self.nationality.clone()),
            (self.origin_field().name.to_owned(), self.origin.clone()),
            (
                PLACE_OF_RESIDENCE.name.to_owned(),
                self.place_of_residence.clone(),
            ),
            (
                EXPIRY_DATE.name.to_owned(),
                self.expiry_date
                    .map_or_else(|| crate::NO_EXPIRY.to_owned(), format_display),
            ),
            (ISSUE_DATE.name.to_owned(), format_display(self.issue_date)),
        ];
        if let Some(old) = &self.old_id_number {
            v.push((OLD_ID_NUMBER.name.to_owned(), old.clone()));
        }
        if let Some(p) = &self.portrait {
            let mime = crate::common::ImageFormat::detect(p).map_or("image", |f| f.mime());
            v.push((
                PORTRAIT.name.to_owned(),
                format!("{mime}, {} bytes", p.len()),
            ));
        }
        v
    }
}
