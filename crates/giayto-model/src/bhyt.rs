//! The health insurance card (thẻ bảo hiểm y tế, doc_type 4).

use std::collections::BTreeMap;

use ciborium::Value as Cbor;
use serde_json::Value as Json;
use time::Date;

use crate::common::{Sex, MAX_ADDRESS, MAX_AUTHORITY, MAX_NAME};
use crate::date::format_display;
use crate::error::{FieldError, FieldErrorKind};
use crate::personal_id::{canon_id, province_name};
use crate::source::{
    check_order, f, opt_uint_in, req_date, req_sex, req_text, Field, JsonBuilder, MapBuilder,
    Source,
};
use crate::text::canon_free;

/// A health insurance card number.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum BhytCardNumber {
    /// Current cards (from 1 April 2021): the 10-digit social insurance number.
    SocialInsurance {
        /// The 10 digits.
        number: String,
    },
    /// Legacy 15-character number: object code, benefit level, province, social insurance number.
    Legacy {
        /// Two-letter beneficiary group, e.g. `DN` (employees of enterprises), `HS` (pupils).
        object_code: String,
        /// Benefit level 1..=5.
        benefit_level: u8,
        /// Two-digit province code (same codes as the personal ID number, e.g. 79).
        province: u8,
        /// The 10-digit social insurance number.
        social_insurance_number: String,
    },
}

impl BhytCardNumber {
    /// Parses a card number; white space is ignored, letters are upper-cased.
    pub fn parse(raw: &str) -> Result<BhytCardNumber, FieldErrorKind> {
        if raw.len() > 64 {
            return Err(FieldErrorKind::BhytCardNumberFormat);
        }
        let s: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if s.is_empty() {
            return Err(FieldErrorKind::Empty);
        }
        let b = s.as_bytes();
        let all_digits = |x: &[u8]| x.iter().all(u8::is_ascii_digit);
        match b {
            [..] if b.len() == 10 && all_digits(b) => {
                Ok(BhytCardNumber::SocialInsurance { number: s })
            }
            [o1, o2, level, p1, p2, rest @ ..]
                if rest.len() == 10
                    && o1.is_ascii_uppercase()
                    && o2.is_ascii_uppercase()
                    && (b'1'..=b'5').contains(level)
                    && p1.is_ascii_digit()
                    && p2.is_ascii_digit()
                    && all_digits(rest) =>
            {
                let province = (p1 - b'0') * 10 + (p2 - b'0');
                if province_name(u16::from(province)).is_none() {
                    return Err(FieldErrorKind::BhytCardNumberFormat);
                }
                Ok(BhytCardNumber::Legacy {
                    object_code: String::from_utf8_lossy(&[*o1, *o2]).into_owned(),
                    benefit_level: level - b'0',
                    province,
                    social_insurance_number: String::from_utf8_lossy(rest).into_owned(),
                })
            }
            _ => Err(FieldErrorKind::BhytCardNumberFormat),
        }
    }

    /// Canonical spelling: 10 digits, or the 15 characters without spaces.
    pub fn canonical(&self) -> String {
        match self {
            BhytCardNumber::SocialInsurance { number } => number.clone(),
            BhytCardNumber::Legacy {
                object_code,
                benefit_level,
                province,
                social_insurance_number,
            } => format!("{object_code}{benefit_level}{province:02}{social_insurance_number}"),
        }
    }

    /// The 10-digit social insurance number in either form.
    pub fn social_insurance_number(&self) -> &str {
        match self {
            BhytCardNumber::SocialInsurance { number } => number,
            BhytCardNumber::Legacy {
                social_insurance_number,
                ..
            } => social_insurance_number,
        }
    }

    /// The benefit level carried by a legacy number.
    pub fn benefit_level(&self) -> Option<u8> {
        match self {
            BhytCardNumber::SocialInsurance { .. } => None,
            BhytCardNumber::Legacy { benefit_level, .. } => Some(*benefit_level),
        }
    }
}

/// Canonical facility code `NN-NNN` from `NN-NNN` or `NNNNN`, with a known 2-digit province.
pub fn canon_facility_code(raw: &str) -> Result<String, FieldErrorKind> {
    canon_province_code(raw, FieldErrorKind::FacilityCodeFormat)
}

/// `NN-NNN` from `NN-NNN` or `NNNNN` (white space around it trimmed), `NN` one of the
/// 2-digit province codes; `bad` otherwise. Health facilities and social insurance offices
/// are numbered this way.
pub(crate) fn canon_province_code(
    raw: &str,
    bad: FieldErrorKind,
) -> Result<String, FieldErrorKind> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(FieldErrorKind::Empty);
    }
    let digits: String = match s.as_bytes() {
        [a, b, b'-', c, d, e] => [*a, *b, *c, *d, *e].iter().map(|&x| x as char).collect(),
        [_, _, _, _, _] => s.to_owned(),
        _ => return Err(bad),
    };
    let d = digits.as_bytes();
    if !d.iter().all(u8::is_ascii_digit) {
        return Err(bad);
    }
    let province = digits
        .get(0..2)
        .and_then(|p| p.parse::<u16>().ok())
        .unwrap_or(0);
    if province_name(province).is_none() {
        return Err(bad);
    }
    Ok(format!(
        "{}-{}",
        digits.get(0..2).unwrap_or(""),
        digits.get(2..5).unwrap_or("")
    ))
}

/// The health insurance card.
#[derive(Clone, Debug, PartialEq)]
pub struct Bhyt {
    /// Card number, canonical (see [`BhytCardNumber`]).
    pub card_number: String,
    /// Full name.
    pub full_name: String,
    /// Date of birth.
    pub date_of_birth: Date,
    /// Sex.
    pub sex: Sex,
    /// Holder's 12-digit personal ID number.
    pub id_number: String,
    /// Address.
    pub address: String,
    /// Initial registration facility code (nơi đăng ký KCB ban đầu), `NN-NNN`.
    pub facility_code: String,
    /// Initial registration facility name.
    pub facility_name: String,
    /// Valid from.
    pub valid_from: Date,
    /// Valid to.
    pub valid_to: Date,
    /// Date from which the holder has five consecutive years of coverage.
    pub five_year_from: Option<Date>,
    /// Benefit level 1..=5 (must agree with a legacy card number).
    pub benefit_level: Option<u8>,
    /// Fields of a newer schema, carried as decoded.
    pub unknown_fields: BTreeMap<u64, Cbor>,
}

pub(crate) const CARD_NUMBER: Field = f("card_number", 1);
pub(crate) const FULL_NAME: Field = f("full_name", 2);
pub(crate) const DATE_OF_BIRTH: Field = f("date_of_birth", 3);
pub(crate) const SEX: Field = f("sex", 4);
pub(crate) const ID_NUMBER: Field = f("id_number", 5);
pub(crate) const ADDRESS: Field = f("address", 6);
pub(crate) const FACILITY_CODE: Field = f("facility_code", 7);
pub(crate) const FACILITY_NAME: Field = f("facility_name", 8);
pub(crate) const VALID_FROM: Field = f("valid_from", 9);
pub(crate) const VALID_TO: Field = f("valid_to", 10);
pub(crate) const FIVE_YEAR_FROM: Field = f("five_year_from", 11);
pub(crate) const BENEFIT_LEVEL: Field = f("benefit_level", 12);

pub(crate) const FIELDS: &[Field] = &[
    CARD_NUMBER,
    FULL_NAME,
    DATE_OF_BIRTH,
    SEX,
    ID_NUMBER,
    ADDRESS,
    FACILITY_CODE,
    FACILITY_NAME,
    VALID_FROM,
    VALID_TO,
    FIVE_YEAR_FROM,
    BENEFIT_LEVEL,
];

impl Bhyt {
    pub(crate) fn parse<S: Source>(src: &S) -> Result<Bhyt, FieldError> {
        let mut card_level = None;
        let card_number = req_text(src, CARD_NUMBER, |s| {
            let n = BhytCardNumber::parse(s)?;
            card_level = n.benefit_level();
            Ok(n.canonical())
        })?;
        let full_name = req_text(src, FULL_NAME, |s| canon_free(s, MAX_NAME))?;
        let date_of_birth = req_date(src, DATE_OF_BIRTH)?;
        let sex = req_sex(src, SEX)?;
        let id_number = req_text(src, ID_NUMBER, |s| {
            canon_id(s, Some(date_of_birth), Some(sex))
        })?;
        let address = req_text(src, ADDRESS, |s| canon_free(s, MAX_ADDRESS))?;
        let facility_code = req_text(src, FACILITY_CODE, canon_facility_code)?;
        let facility_name = req_text(src, FACILITY_NAME, |s| canon_free(s, MAX_AUTHORITY))?;
        let valid_from = req_date(src, VALID_FROM)?;
        check_order(
            VALID_FROM.name,
            valid_from,
            DATE_OF_BIRTH.name,
            date_of_birth,
            false,
        )?;
        let valid_to = req_date(src, VALID_TO)?;
        check_order(VALID_TO.name, valid_to, VALID_FROM.name, valid_from, true)?;
        let five_year_from = src.raw_date(FIVE_YEAR_FROM)?;
        if let Some(d) = five_year_from {
            check_order(
                FIVE_YEAR_FROM.name,
                d,
                DATE_OF_BIRTH.name,
                date_of_birth,
                false,
            )?;
        }
        let benefit_level = opt_uint_in(src, BENEFIT_LEVEL, 1, 5)?.map(|n| n as u8);
        if let (Some(card_level), Some(benefit_level)) = (card_level, benefit_level) {
            if card_level != benefit_level {
                return Err(FieldError::new(
                    BENEFIT_LEVEL.name,
                    FieldErrorKind::BenefitLevelMismatch {
                        card_level,
                        benefit_level,
                    },
                ));
            }
        }
        Ok(Bhyt {
            card_number,
            full_name,
            date_of_birth,
            sex,
            id_number,
            address,
            facility_code,
            facility_name,
            valid_from,
            valid_to,
            five_year_from,
            benefit_level,
            unknown_fields: BTreeMap::new(),
        })
    }

    /// `benefit_level`, or else the level a legacy card number carries.
    pub fn effective_benefit_level(&self) -> Option<u8> {
        self.benefit_level.or_else(|| {
            BhytCardNumber::parse(&self.card_number)
                .ok()
                .and_then(|n| n.benefit_level())
        })
    }

    pub(crate) fn to_cbor(&self) -> Cbor {
        let mut m = MapBuilder::new();
        m.text(CARD_NUMBER, &self.card_number);
        m.text(FULL_NAME, &self.full_name);
        m.date(DATE_OF_BIRTH, self.date_of_birth);
        m.uint(SEX, self.sex.code());
        m.text(ID_NUMBER, &self.id_number);
        m.text(ADDRESS, &self.address);
        m.text(FACILITY_CODE, &self.facility_code);
        m.text(FACILITY_NAME, &self.facility_name);
        m.date(VALID_FROM, self.valid_from);
        m.date(VALID_TO, self.valid_to);
        m.opt_date(FIVE_YEAR_FROM, self.five_year_from);
        if let Some(l) = self.benefit_level {
            m.uint(BENEFIT_LEVEL, l.into());
        }
        m.finish(&self.unknown_fields)
    }

    pub(crate) fn to_json(&self) -> Json {
        let mut j = JsonBuilder::new();
        j.text(CARD_NUMBER, &self.card_number);
        j.text(FULL_NAME, &self.full_name);
        j.date(DATE_OF_BIRTH, self.date_of_birth);
        j.text(SEX, self.sex.as_str());
        j.text(ID_NUMBER, &self.id_number);
        j.text(ADDRESS, &self.address);
        j.text(FACILITY_CODE, &self.facility_code);
        j.text(FACILITY_NAME, &self.facility_name);
        j.date(VALID_FROM, self.valid_from);
        j.date(VALID_TO, self.valid_to);
        j.opt_date(FIVE_YEAR_FROM, self.five_year_from);
        if let Some(l) = self.benefit_level {
            j.uint(BENEFIT_LEVEL, l.into());
        }
        j.finish(&self.unknown_fields)
    }

    pub(crate) fn display(&self) -> Vec<(String, String)> {
        let mut v = vec![
            (CARD_NUMBER.name.to_owned(), self.card_number.clone()),
            (FULL_NAME.name.to_owned(), self.full_name.clone()),
            (
                DATE_OF_BIRTH.name.to_owned(),
                format_display(self.date_of_birth),
            ),
            (SEX.name.to_owned(), self.sex.as_str().to_owned()),
            (ID_NUMBER.name.to_owned(), self.id_number.clone()),
            (ADDRESS.name.to_owned(), self.address.clone()),
            (FACILITY_CODE.name.to_owned(), self.facility_code.clone()),
            (FACILITY_NAME.name.to_owned(), self.facility_name.clone()),
            (VALID_FROM.name.to_owned(), format_display(self.valid_from)),
            (VALID_TO.name.to_owned(), format_display(self.valid_to)),
        ];
        if let Some(d) = self.five_year_from {
            v.push((FIVE_YEAR_FROM.name.to_owned(), format_display(d)));
        }
        if let Some(l) = self.benefit_level {
            v.push((BENEFIT_LEVEL.name.to_owned(), l.to_string()));
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_numbers() {
        assert_eq!(
            BhytCardNumber::parse("0123456789"),
            Ok(BhytCardNumber::SocialInsurance {
                number: "0123456789".into()
            })
        );
        let legacy = BhytCardNumber::parse("dn 4 79 0123456789").unwrap();
        assert_eq!(legacy.canonical(), "DN4790123456789");
        assert_eq!(legacy.benefit_level(), Some(4));
        assert_eq!(legacy.social_insurance_number(), "0123456789");
        for bad in [
            "012345678",
            "01234567890",
            "012345678a",
            "DN6790123456789",
            "DN0790123456789",
            "DN4030123456789",
            "D14790123456789",
            "DN479012345678",
            "DN47901234567890",
        ] {
            assert_eq!(
                BhytCardNumber::parse(bad),
                Err(FieldErrorKind::BhytCardNumberFormat),
                "{bad}"
            );
        }
        assert_eq!(BhytCardNumber::parse("  "), Err(FieldErrorKind::Empty));
    }

    #[test]
    fn facility_codes() {
        assert_eq!(canon_facility_code("01-001").as_deref(), Ok("01-001"));
        assert_eq!(canon_facility_code("79024").as_deref(), Ok("79-024"));
        for bad in [
            "03-001", "01001x", "1-001", "01-0011", "0100", "ab-cde", "01_001",
        ] {
            assert_eq!(
                canon_facility_code(bad),
                Err(FieldErrorKind::FacilityCodeFormat),
                "{bad}"
            );
        }
    }
}
