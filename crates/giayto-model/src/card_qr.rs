//! The QR code printed on the chip identity card.

use std::fmt;

use serde_json::{json, Map, Value as Json};
use time::macros::date;
use time::Date;

use crate::cccd::{cccd_expiry, DEFAULT_NATIONALITY};
use crate::common::{CardGeneration, Sex, MAX_ADDRESS, MAX_NAME};
use crate::date::{format_iso, parse_ddmmyyyy};
use crate::error::FieldErrorKind;
use crate::personal_id::check_personal_id;
use crate::text::{canon_free, digits_exact};

/// Longest card QR text accepted, in bytes.
pub const MAX_CARD_QR_LEN: usize = 1024;

/// Date from which cards are issued as thẻ căn cước (Identity Law 2023 in force).
pub const CAN_CUOC_FROM: Date = date!(2024 - 07 - 01);

/// A part of the card QR text `id|old id|name|ddmmyyyy|sex|address|ddmmyyyy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CardQrPart {
    /// 1st: the 12-digit ID number.
    IdNumber,
    /// 2nd: the old 9- or 12-digit ID number, or empty.
    OldIdNumber,
    /// 3rd: full name.
    FullName,
    /// 4th: date of birth, `ddmmyyyy`.
    DateOfBirth,
    /// 5th: sex, `Nam` or `Nữ`.
    Sex,
    /// 6th: place of residence.
    Address,
    /// 7th: card issue date, `ddmmyyyy`.
    IssueDate,
}

impl CardQrPart {
    /// Position in the text, 1-based.
    pub fn position(self) -> usize {
        match self {
            CardQrPart::IdNumber => 1,
            CardQrPart::OldIdNumber => 2,
            CardQrPart::FullName => 3,
            CardQrPart::DateOfBirth => 4,
            CardQrPart::Sex => 5,
            CardQrPart::Address => 6,
            CardQrPart::IssueDate => 7,
        }
    }

    /// The cccd issuance JSON name the part fills.
    pub fn field_name(self) -> &'static str {
        match self {
            CardQrPart::IdNumber => "id_number",
            CardQrPart::OldIdNumber => "old_id_number",
            CardQrPart::FullName => "full_name",
            CardQrPart::DateOfBirth => "date_of_birth",
            CardQrPart::Sex => "sex",
            CardQrPart::Address => "place_of_residence",
            CardQrPart::IssueDate => "issue_date",
        }
    }
}

/// Why a card QR text was refused.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CardQrError {
    /// The text is empty.
    Empty,
    /// The text is longer than `max` bytes.
    TooLong {
        /// Maximum length in bytes.
        max: usize,
    },
    /// Not 7 `|`-separated parts.
    PartCount {
        /// Number of parts found.
        found: usize,
    },
    /// One part is invalid; `kind` says how (same kinds as issuance validation, e.g.
    /// `IdNumberFormat`, `InvalidDate`, `InvalidSex`, `IdNumberSexMismatch`).
    InvalidPart {
        /// The part.
        part: CardQrPart,
        /// What is wrong.
        kind: FieldErrorKind,
    },
}

impl CardQrError {
    /// Stable kebab-case identifier: `empty`, `too-long`, `part-count`, `invalid-part`.
    pub fn code(&self) -> &'static str {
        match self {
            CardQrError::Empty => "empty",
            CardQrError::TooLong { .. } => "too-long",
            CardQrError::PartCount { .. } => "part-count",
            CardQrError::InvalidPart { .. } => "invalid-part",
        }
    }
}

impl fmt::Display for CardQrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CardQrError::Empty => f.write_str("card QR text is empty"),
            CardQrError::TooLong { max } => write!(f, "card QR text is longer than {max} bytes"),
            CardQrError::PartCount { found } => {
                write!(
                    f,
                    "card QR text has {found} parts separated by '|', expected 7"
                )
            }
            CardQrError::InvalidPart { part, kind } => write!(
                f,
                "card QR part {} ({}) {kind}",
                part.position(),
                part.field_name()
            ),
        }
    }
}

impl std::error::Error for CardQrError {}

fn bad(part: CardQrPart) -> impl FnOnce(FieldErrorKind) -> CardQrError {
    move |kind| CardQrError::InvalidPart { part, kind }
}

fn parse_sex(s: &str) -> Option<Sex> {
    let t: String = canon_free(s, 10).ok()?.to_lowercase();
    match t.as_str() {
        "nam" => Some(Sex::Male),
        "nữ" | "nu" => Some(Sex::Female),
        _ => None,
    }
}

/// Parses the QR printed on the chip identity card,
/// `id|old id|name|ddmmyyyy|sex|address|ddmmyyyy` (the last date is the card's issue date),
/// into cccd issuance JSON prefilled with what the QR holds.
///
/// The result has `card_generation` (`can_cuoc_2024` if issued from 1 July 2024, else
/// `cccd_2021`), `id_number`, `old_id_number` (only if present), `full_name`,
/// `date_of_birth`, `sex`, `nationality` (`"VNM"`), `place_of_residence`, `issue_date` and
/// `expiry_date` by the law's renewal ages ([`cccd_expiry`]); `expiry_date` is JSON `null`
/// when the card does not expire. The QR does not hold the place of origin / place of birth
/// registration nor the portrait: an issuer adds them before issuing.
///
/// ```
/// let j = giayto_model::parse_card_qr(
///     "001196012345|123456789|Trần Thị Mẫu|17051996|Nữ|Số 1 phố Mẫu, Hà Nội|10042021",
/// ).unwrap();
/// assert_eq!(j["sex"], "female");
/// assert_eq!(j["expiry_date"], "2036-05-17");
/// ```
pub fn parse_card_qr(text: &str) -> Result<Json, CardQrError> {
    if text.len() > MAX_CARD_QR_LEN {
        return Err(CardQrError::TooLong {
            max: MAX_CARD_QR_LEN,
        });
    }
    let text = text.trim();
    if text.is_empty() {
        return Err(CardQrError::Empty);
    }
    let parts: Vec<&str> = text.split('|').collect();
    let [id, old, name, dob, sex, address, issue] = parts.as_slice() else {
        return Err(CardQrError::PartCount { found: parts.len() });
    };
    let id = id.trim();
    crate::personal_id::parse_personal_id(id).map_err(bad(CardQrPart::IdNumber))?;
    let old = old.trim();
    if !old.is_empty() {
        digits_exact(old, &[9, 12], FieldErrorKind::OldIdNumberFormat)
            .map_err(bad(CardQrPart::OldIdNumber))?;
    }
    let full_name = canon_free(name, MAX_NAME).map_err(bad(CardQrPart::FullName))?;
    let date_of_birth = parse_ddmmyyyy(dob.trim()).map_err(bad(CardQrPart::DateOfBirth))?;
    let sex = parse_sex(sex).ok_or(CardQrError::InvalidPart {
        part: CardQrPart::Sex,
        kind: FieldErrorKind::InvalidSex,
    })?;
    check_personal_id(id, Some(date_of_birth.year()), Some(sex))
        .map_err(bad(CardQrPart::IdNumber))?;
    let place_of_residence = canon_free(address, MAX_ADDRESS).map_err(bad(CardQrPart::Address))?;
    let issue_date = parse_ddmmyyyy(issue.trim()).map_err(bad(CardQrPart::IssueDate))?;
    if issue_date < date_of_birth {
        return Err(CardQrError::InvalidPart {
            part: CardQrPart::IssueDate,
            kind: FieldErrorKind::DateOrder {
                other: "date_of_birth",
                strict: false,
            },
        });
    }
    let generation = if issue_date >= CAN_CUOC_FROM {
        CardGeneration::CanCuoc2024
    } else {
        CardGeneration::Cccd2021
    };
    let expiry = cccd_expiry(generation, date_of_birth, issue_date).date();
    let mut o = Map::new();
    o.insert("card_generation".into(), json!(generation.as_str()));
    o.insert("id_number".into(), json!(id));
    if !old.is_empty() {
        o.insert("old_id_number".into(), json!(old));
    }
    o.insert("full_name".into(), json!(full_name));
    o.insert("date_of_birth".into(), json!(format_iso(date_of_birth)));
    o.insert("sex".into(), json!(sex.as_str()));
    o.insert("nationality".into(), json!(DEFAULT_NATIONALITY));
    o.insert("place_of_residence".into(), json!(place_of_residence));
    o.insert("issue_date".into(), json!(format_iso(issue_date)));
    o.insert(
        "expiry_date".into(),
        expiry.map_or(Json::Null, |d| json!(format_iso(d))),
    );
    Ok(Json::Object(o))
}
