//! The social insurance book (sổ bảo hiểm xã hội, doc_type 5): the cover of the book and a
//! dated summary of the holder's participation (docs/format.md §4.6).

use std::collections::BTreeMap;
use std::fmt;

use ciborium::Value as Cbor;
use serde_json::Value as Json;
use time::Date;

use crate::bhyt::canon_province_code;
use crate::common::{Sex, MAX_AUTHORITY, MAX_NAME};
use crate::date::format_display;
use crate::error::{FieldError, FieldErrorKind};
use crate::personal_id::canon_id;
use crate::source::{
    check_order, f, opt_uint_in, req, req_date, req_sex, req_text, Field, JsonBuilder, MapBuilder,
    Source,
};
use crate::text::{canon_free, digits_exact};

/// Where the holder stands on the summary date (tình trạng tham gia).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParticipationStatus {
    /// Contributing now (đang đóng).
    Contributing,
    /// Contributions paused or stopped, the months paid kept (tạm dừng / dừng đóng).
    Paused,
    /// Receiving a pension (đang hưởng lương hưu).
    ReceivingPension,
}

impl ParticipationStatus {
    /// `"contributing"`, `"paused"` or `"receiving_pension"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ParticipationStatus::Contributing => "contributing",
            ParticipationStatus::Paused => "paused",
            ParticipationStatus::ReceivingPension => "receiving_pension",
        }
    }

    /// CBOR code: 1 contributing, 2 paused, 3 receiving a pension.
    pub fn code(self) -> u64 {
        match self {
            ParticipationStatus::Contributing => 1,
            ParticipationStatus::Paused => 2,
            ParticipationStatus::ReceivingPension => 3,
        }
    }

    pub(crate) const TABLE: [(&'static str, u64); 3] =
        [("contributing", 1), ("paused", 2), ("receiving_pension", 3)];

    /// The status of a CBOR code.
    pub fn from_code(code: u64) -> Option<ParticipationStatus> {
        match code {
            1 => Some(ParticipationStatus::Contributing),
            2 => Some(ParticipationStatus::Paused),
            3 => Some(ParticipationStatus::ReceivingPension),
            _ => None,
        }
    }
}

impl fmt::Display for ParticipationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The most months a summary can count: a whole working life of 100 years.
pub const MAX_MONTHS_PAID: u64 = 1200;

/// The social insurance book.
#[derive(Clone, Debug, PartialEq)]
pub struct Bhxh {
    /// Social insurance number (mã số BHXH), 10 digits: the same number as the holder's
    /// health insurance card since 1 April 2021.
    pub social_insurance_number: String,
    /// Full name.
    pub full_name: String,
    /// Date of birth.
    pub date_of_birth: Date,
    /// Sex.
    pub sex: Sex,
    /// Holder's 12-digit personal ID number.
    pub id_number: String,
    /// The issuing social insurance office's code, `NN-NNN` (NN the province code).
    pub office_code: String,
    /// The issuing social insurance office's name.
    pub office_name: String,
    /// The day the book was issued (or last re-issued).
    pub issue_date: Date,
    /// The day the holder was first insured (the start of the first month paid).
    pub first_insured_date: Date,
    /// Months of contributions paid up to `summary_date`.
    pub months_paid: u32,
    /// Where the holder stands on `summary_date`.
    pub participation_status: ParticipationStatus,
    /// The day the summary (`months_paid`, `participation_status`) describes; no later than
    /// the day the credential is signed ([`Bhxh::check_signed_on`]).
    pub summary_date: Date,
    /// Fields of a newer schema, carried as decoded.
    pub unknown_fields: BTreeMap<u64, Cbor>,
}

pub(crate) const SOCIAL_INSURANCE_NUMBER: Field = f("social_insurance_number", 1);
pub(crate) const FULL_NAME: Field = f("full_name", 2);
pub(crate) const DATE_OF_BIRTH: Field = f("date_of_birth", 3);
pub(crate) const SEX: Field = f("sex", 4);
pub(crate) const ID_NUMBER: Field = f("id_number", 5);
pub(crate) const OFFICE_CODE: Field = f("office_code", 6);
pub(crate) const OFFICE_NAME: Field = f("office_name", 7);
pub(crate) const ISSUE_DATE: Field = f("issue_date", 8);
pub(crate) const FIRST_INSURED_DATE: Field = f("first_insured_date", 9);
pub(crate) const MONTHS_PAID: Field = f("months_paid", 10);
pub(crate) const PARTICIPATION_STATUS: Field = f("participation_status", 11);
pub(crate) const SUMMARY_DATE: Field = f("summary_date", 12);

pub(crate) const FIELDS: &[Field] = &[
    SOCIAL_INSURANCE_NUMBER,
    FULL_NAME,
    DATE_OF_BIRTH,
    SEX,
    ID_NUMBER,
    OFFICE_CODE,
    OFFICE_NAME,
    ISSUE_DATE,
    FIRST_INSURED_DATE,
    MONTHS_PAID,
    PARTICIPATION_STATUS,
    SUMMARY_DATE,
];

/// The calendar months from `from`'s month to `to`'s month, both counted (0 if `to` is
/// earlier).
fn months_spanned(from: Date, to: Date) -> u64 {
    let index = |d: Date| i64::from(d.year()) * 12 + i64::from(u8::from(d.month()));
    u64::try_from(index(to) - index(from) + 1).unwrap_or(0)
}

impl Bhxh {
    pub(crate) fn parse<S: Source>(src: &S) -> Result<Bhxh, FieldError> {
        let social_insurance_number = req_text(src, SOCIAL_INSURANCE_NUMBER, |s| {
            digits_exact(s, &[10], FieldErrorKind::SocialInsuranceNumberFormat)
        })?;
        let full_name = req_text(src, FULL_NAME, |s| canon_free(s, MAX_NAME))?;
        let date_of_birth = req_date(src, DATE_OF_BIRTH)?;
        let sex = req_sex(src, SEX)?;
        let id_number = req_text(src, ID_NUMBER, |s| {
            canon_id(s, Some(date_of_birth), Some(sex))
        })?;
        let office_code = req_text(src, OFFICE_CODE, |s| {
            canon_province_code(s, FieldErrorKind::OfficeCodeFormat)
        })?;
        let office_name = req_text(src, OFFICE_NAME, |s| canon_free(s, MAX_AUTHORITY))?;
        let issue_date = req_date(src, ISSUE_DATE)?;
        check_order(
            ISSUE_DATE.name,
            issue_date,
            DATE_OF_BIRTH.name,
            date_of_birth,
            false,
        )?;
        let first_insured_date = req_date(src, FIRST_INSURED_DATE)?;
        check_order(
            FIRST_INSURED_DATE.name,
            first_insured_date,
            DATE_OF_BIRTH.name,
            date_of_birth,
            true,
        )?;
        let months_paid = req(
            MONTHS_PAID,
            opt_uint_in(src, MONTHS_PAID, 0, MAX_MONTHS_PAID)?,
        )?;
        let status_code = req(
            PARTICIPATION_STATUS,
            src.raw_token(
                PARTICIPATION_STATUS,
                &ParticipationStatus::TABLE,
                FieldErrorKind::InvalidParticipationStatus,
            )?,
        )?;
        let participation_status =
            ParticipationStatus::from_code(status_code).ok_or_else(|| {
                FieldError::new(
                    PARTICIPATION_STATUS.name,
                    FieldErrorKind::InvalidParticipationStatus,
                )
            })?;
        let summary_date = req_date(src, SUMMARY_DATE)?;
        check_order(
            SUMMARY_DATE.name,
            summary_date,
            FIRST_INSURED_DATE.name,
            first_insured_date,
            false,
        )?;
        let max = months_spanned(first_insured_date, summary_date);
        if months_paid > max {
            return Err(FieldError::new(
                MONTHS_PAID.name,
                FieldErrorKind::MonthsPaidExceedPeriod { max },
            ));
        }
        Ok(Bhxh {
            social_insurance_number,
            full_name,
            date_of_birth,
            sex,
            id_number,
            office_code,
            office_name,
            issue_date,
            first_insured_date,
            // At most MAX_MONTHS_PAID, checked above.
            months_paid: u32::try_from(months_paid).unwrap_or(u32::MAX),
            participation_status,
            summary_date,
            unknown_fields: BTreeMap::new(),
        })
    }

    /// The rule that needs the signing day: the summary describes a day no later than the day
    /// the credential is signed (`day`, the date of `iat` in Vietnam).
    pub fn check_signed_on(&self, day: Date) -> Result<(), FieldError> {
        if self.summary_date > day {
            return Err(FieldError::new(
                SUMMARY_DATE.name,
                FieldErrorKind::AfterIssuance,
            ));
        }
        Ok(())
    }

    pub(crate) fn to_cbor(&self) -> Cbor {
        let mut m = MapBuilder::new();
        m.text(SOCIAL_INSURANCE_NUMBER, &self.social_insurance_number);
        m.text(FULL_NAME, &self.full_name);
        m.date(DATE_OF_BIRTH, self.date_of_birth);
        m.uint(SEX, self.sex.code());
        m.text(ID_NUMBER, &self.id_number);
        m.text(OFFICE_CODE, &self.office_code);
        m.text(OFFICE_NAME, &self.office_name);
        m.date(ISSUE_DATE, self.issue_date);
        m.date(FIRST_INSURED_DATE, self.first_insured_date);
        m.uint(MONTHS_PAID, self.months_paid.into());
        m.uint(PARTICIPATION_STATUS, self.participation_status.code());
        m.date(SUMMARY_DATE, self.summary_date);
        m.finish(&self.unknown_fields)
    }

    pub(crate) fn to_json(&self) -> Json {
        let mut j = JsonBuilder::new();
        j.text(SOCIAL_INSURANCE_NUMBER, &self.social_insurance_number);
        j.text(FULL_NAME, &self.full_name);
        j.date(DATE_OF_BIRTH, self.date_of_birth);
        j.text(SEX, self.sex.as_str());
        j.text(ID_NUMBER, &self.id_number);
        j.text(OFFICE_CODE, &self.office_code);
        j.text(OFFICE_NAME, &self.office_name);
        j.date(ISSUE_DATE, self.issue_date);
        j.date(FIRST_INSURED_DATE, self.first_insured_date);
        j.uint(MONTHS_PAID, self.months_paid.into());
        j.text(PARTICIPATION_STATUS, self.participation_status.as_str());
        j.date(SUMMARY_DATE, self.summary_date);
        j.finish(&self.unknown_fields)
    }

    pub(crate) fn display(&self) -> Vec<(String, String)> {
        let row = |f: Field, v: String| (f.name.to_owned(), v);
        vec![
            row(
                SOCIAL_INSURANCE_NUMBER,
                self.social_insurance_number.clone(),
            ),
            row(FULL_NAME, self.full_name.clone()),
            row(DATE_OF_BIRTH, format_display(self.date_of_birth)),
            row(SEX, self.sex.as_str().to_owned()),
            row(ID_NUMBER, self.id_number.clone()),
            row(OFFICE_CODE, self.office_code.clone()),
            row(OFFICE_NAME, self.office_name.clone()),
            row(ISSUE_DATE, format_display(self.issue_date)),
            row(FIRST_INSURED_DATE, format_display(self.first_insured_date)),
            row(MONTHS_PAID, self.months_paid.to_string()),
            row(
                PARTICIPATION_STATUS,
                self.participation_status.as_str().to_owned(),
            ),
            row(SUMMARY_DATE, format_display(self.summary_date)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn months_spanned_counts_both_ends() {
        assert_eq!(
            months_spanned(date!(2018 - 07 - 01), date!(2018 - 07 - 31)),
            1
        );
        assert_eq!(
            months_spanned(date!(2018 - 07 - 15), date!(2025 - 12 - 31)),
            90
        );
        assert_eq!(
            months_spanned(date!(2018 - 12 - 31), date!(2019 - 01 - 01)),
            2
        );
        assert_eq!(
            months_spanned(date!(2019 - 01 - 01), date!(2018 - 12 - 31)),
            0
        );
    }

    #[test]
    fn participation_status_codes() {
        for (name, code) in ParticipationStatus::TABLE {
            let s = ParticipationStatus::from_code(code).unwrap();
            assert_eq!((s.as_str(), s.code()), (name, code));
            assert_eq!(s.to_string(), name);
        }
        assert_eq!(ParticipationStatus::from_code(0), None);
        assert_eq!(ParticipationStatus::from_code(4), None);
    }
}
