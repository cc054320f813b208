//! Validation errors: [`FieldError`] names the field, [`FieldErrorKind`] says what is wrong.

use std::fmt;

/// A field of a document failed validation.
///
/// `field` is a JSON path in the issuance-input names of docs/format.md §4, e.g. `"id_number"` or
/// `"classes[1].class"`. Errors about the CBOR `fields` map as a whole (a key that is not an
/// unsigned integer, a duplicate key, not a map at all) use the path `"fields"`.
///
/// The [`Display`](fmt::Display) text is an English one-liner for logs; user interfaces
/// localise from [`FieldErrorKind::code`], `field` and the variant's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// JSON path of the offending field.
    pub field: String,
    /// What is wrong with it.
    pub kind: FieldErrorKind,
}

impl FieldError {
    /// Creates an error for `field`.
    pub fn new(field: impl Into<String>, kind: FieldErrorKind) -> FieldError {
        FieldError {
            field: field.into(),
            kind,
        }
    }
}

/// What is wrong with a field. Every variant has a stable kebab-case [`code`](Self::code).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldErrorKind {
    /// A required field is absent (or JSON `null`).
    Missing,
    /// The value has the wrong type (JSON or CBOR), e.g. a number where text is expected.
    WrongType {
        /// What was expected: `"text"`, `"date"`, `"unsigned integer"`, `"bytes"`, `"array"`,
        /// `"object"`, `"map"`, `"class entry"`.
        expected: &'static str,
    },
    /// Text (or a list) that is empty after trimming.
    Empty,
    /// Text longer than `max` characters.
    TooLong {
        /// Maximum number of characters (Unicode scalar values, after NFC).
        max: usize,
    },
    /// Text shorter than `min` characters.
    TooShort {
        /// Minimum number of characters.
        min: usize,
    },
    /// A list with more than `max` entries.
    TooMany {
        /// Maximum number of entries.
        max: usize,
    },
    /// Text contains a control character (U+0000–U+001F, U+007F–U+009F), e.g. a newline.
    ControlCharacter,
    /// A character not allowed in this code-like field (plate, chassis number, …).
    InvalidCharacter {
        /// The first offending character.
        ch: char,
    },
    /// In a decoded credential: a text that is not in its canonical form (not NFC, leading or
    /// trailing white space, lower case where upper case is canonical, non-canonical
    /// separators). Issuers always emit canonical text, so this means a foreign or broken encoder.
    NotCanonical,
    /// Not a real calendar date or not written `YYYY-MM-DD` (e.g. `2023-02-29`).
    InvalidDate,
    /// A date whose year is outside `min_year..=max_year`.
    DateOutOfRange {
        /// Earliest year accepted.
        min_year: i32,
        /// Latest year accepted.
        max_year: i32,
    },
    /// This date must come after (`strict`) or not before (`!strict`) the date in field `other`,
    /// e.g. `expiry_date` after `issue_date`, `issue_date` not before `date_of_birth`.
    DateOrder {
        /// JSON name of the other date field (relative to the same object).
        other: &'static str,
        /// `true`: must be strictly later; `false`: may be the same day.
        strict: bool,
    },
    /// A JSON member name that the document type does not have (typo guard).
    UnknownField,
    /// A personal ID number that is not exactly 12 ASCII digits.
    IdNumberFormat,
    /// The first three digits of a personal ID number are not one of the 63 province codes.
    UnknownProvinceCode {
        /// The code found (0–999).
        code: u16,
    },
    /// The 4th digit of the ID number (century and sex) gives the other sex than `sex`.
    IdNumberSexMismatch {
        /// The 4th digit found.
        digit: u8,
    },
    /// The 4th digit of the ID number gives another century than the date of birth.
    IdNumberCenturyMismatch {
        /// The 4th digit found.
        digit: u8,
        /// Year of birth from `date_of_birth`.
        birth_year: i32,
    },
    /// Digits 5–6 of the ID number are not the last two digits of the year of birth.
    IdNumberYearMismatch {
        /// Digits 5–6 found.
        digits: u8,
        /// Year of birth from `date_of_birth`.
        birth_year: i32,
    },
    /// An old ID number (CMND) that is not 9 or 12 ASCII digits.
    OldIdNumberFormat,
    /// A driving licence number that is not 12 ASCII digits.
    LicenceNumberFormat,
    /// A driving licence class that neither the 2024 Road Traffic Order and Safety Law nor the
    /// 2008 Road Traffic Law defines.
    UnknownLicenceClass,
    /// The same licence class twice in `classes`.
    DuplicateLicenceClass,
    /// A plate number that matches no Vietnamese plate layout, or whose province code is not
    /// in 11..=99.
    InvalidPlate,
    /// A health insurance card number that is neither 10 digits nor the legacy 15-character
    /// form (2 letters, benefit level 1–5, 2-digit province, 10 digits).
    BhytCardNumberFormat,
    /// `benefit_level` differs from the level carried in a legacy card number.
    BenefitLevelMismatch {
        /// Level in the card number.
        card_level: u8,
        /// Level in `benefit_level`.
        benefit_level: u8,
    },
    /// A health facility code that is not `NN-NNN` / `NNNNN` with a known 2-digit province.
    FacilityCodeFormat,
    /// A social insurance number (mã số BHXH) that is not exactly 10 ASCII digits.
    SocialInsuranceNumberFormat,
    /// A social insurance office code that is not `NN-NNN` / `NNNNN` with a known 2-digit
    /// province.
    OfficeCodeFormat,
    /// `participation_status` is not `contributing`, `paused` or `receiving_pension` (CBOR: 1,
    /// 2 or 3).
    InvalidParticipationStatus,
    /// `months_paid` is more than the calendar months from `first_insured_date` to
    /// `summary_date`, both months counted.
    MonthsPaidExceedPeriod {
        /// The months in that period: the most that can have been paid.
        max: u64,
    },
    /// A date later than the day the credential is signed (in Vietnam), e.g. a participation
    /// summary dated in the future.
    AfterIssuance,
    /// An enterprise code (mã số doanh nghiệp, the enterprise's tax code) that is not 10
    /// digits with a valid check digit, optionally followed by `-` and a 3-digit branch
    /// number 001–999.
    EnterpriseCodeFormat,
    /// The field is given together with `other`, but only one of the two may be (a vehicle's
    /// owner is a person or an organisation).
    Conflicts {
        /// JSON name of the other field.
        other: &'static str,
    },
    /// Neither this field nor `other` is given, but one of them is required.
    MissingEither {
        /// JSON name of the other field.
        other: &'static str,
    },
    /// A number outside `min..=max`.
    OutOfRange {
        /// Smallest value accepted.
        min: u64,
        /// Largest value accepted.
        max: u64,
    },
    /// `sex` is not `male` or `female` (CBOR: 1 or 2).
    InvalidSex,
    /// `nationality` is not three letters A–Z (ISO 3166-1 alpha-3).
    InvalidNationality,
    /// `card_generation` is not `cccd_2021` or `can_cuoc_2024` (CBOR: 1 or 2).
    InvalidCardGeneration,
    /// The field does not exist on this card generation (`place_of_origin` on a 2024 card,
    /// `place_of_birth_registration` on a 2021 card).
    NotForCardGeneration,
    /// `expiry_date` is absent ("no expiry"), but the card was issued before the holder's
    /// 58th birthday, so by law it must expire.
    ExpiryRequired,
    /// `portrait` is not valid base64.
    NotBase64,
    /// The decoded image is larger than `max` bytes.
    ImageTooLarge {
        /// Maximum size in bytes.
        max: usize,
        /// Actual size in bytes (for base64 input: an estimate from the text length).
        size: usize,
    },
    /// The image is neither JPEG nor WebP (by magic bytes).
    UnsupportedImageFormat,
    /// A key of the CBOR `fields` map that is not an unsigned integer.
    InvalidKey,
    /// The same key twice in a CBOR map.
    DuplicateKey {
        /// The repeated key.
        key: u64,
    },
}

impl FieldErrorKind {
    /// Stable kebab-case identifier of the variant, for localisation and `--json` output.
    pub fn code(&self) -> &'static str {
        match self {
            FieldErrorKind::Missing => "missing",
            FieldErrorKind::WrongType { .. } => "wrong-type",
            FieldErrorKind::Empty => "empty",
            FieldErrorKind::TooLong { .. } => "too-long",
            FieldErrorKind::TooShort { .. } => "too-short",
            FieldErrorKind::TooMany { .. } => "too-many",
            FieldErrorKind::ControlCharacter => "control-character",
            FieldErrorKind::InvalidCharacter { .. } => "invalid-character",
            FieldErrorKind::NotCanonical => "not-canonical",
            FieldErrorKind::InvalidDate => "invalid-date",
            FieldErrorKind::DateOutOfRange { .. } => "date-out-of-range",
            FieldErrorKind::DateOrder { .. } => "date-order",
            FieldErrorKind::UnknownField => "unknown-field",
            FieldErrorKind::IdNumberFormat => "id-number-format",
            FieldErrorKind::UnknownProvinceCode { .. } => "unknown-province-code",
            FieldErrorKind::IdNumberSexMismatch { .. } => "id-number-sex-mismatch",
            FieldErrorKind::IdNumberCenturyMismatch { .. } => "id-number-century-mismatch",
            FieldErrorKind::IdNumberYearMismatch { .. } => "id-number-year-mismatch",
            FieldErrorKind::OldIdNumberFormat => "old-id-number-format",
            FieldErrorKind::LicenceNumberFormat => "licence-number-format",
            FieldErrorKind::UnknownLicenceClass => "unknown-licence-class",
            FieldErrorKind::DuplicateLicenceClass => "duplicate-licence-class",
            FieldErrorKind::InvalidPlate => "invalid-plate",
            FieldErrorKind::BhytCardNumberFormat => "bhyt-card-number-format",
            FieldErrorKind::BenefitLevelMismatch { .. } => "benefit-level-mismatch",
            FieldErrorKind::FacilityCodeFormat => "facility-code-format",
            FieldErrorKind::SocialInsuranceNumberFormat => "social-insurance-number-format",
            FieldErrorKind::OfficeCodeFormat => "office-code-format",
            FieldErrorKind::InvalidParticipationStatus => "invalid-participation-status",
            FieldErrorKind::MonthsPaidExceedPeriod { .. } => "months-paid-exceed-period",
            FieldErrorKind::AfterIssuance => "after-issuance",
            FieldErrorKind::EnterpriseCodeFormat => "enterprise-code-format",
            FieldErrorKind::Conflicts { .. } => "conflicts",
            FieldErrorKind::MissingEither { .. } => "missing-either",
            FieldErrorKind::OutOfRange { .. } => "out-of-range",
            FieldErrorKind::InvalidSex => "invalid-sex",
            FieldErrorKind::InvalidNationality => "invalid-nationality",
            FieldErrorKind::InvalidCardGeneration => "invalid-card-generation",
            FieldErrorKind::NotForCardGeneration => "not-for-card-generation",
            FieldErrorKind::ExpiryRequired => "expiry-required",
            FieldErrorKind::NotBase64 => "not-base64",
            FieldErrorKind::ImageTooLarge { .. } => "image-too-large",
            FieldErrorKind::UnsupportedImageFormat => "unsupported-image-format",
            FieldErrorKind::InvalidKey => "invalid-key",
            FieldErrorKind::DuplicateKey { .. } => "duplicate-key",
        }
    }
}

impl fmt::Display for FieldErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldErrorKind::Missing => f.write_str("is required but missing"),
            FieldErrorKind::WrongType { expected } => {
                write!(f, "has the wrong type (expected {expected})")
            }
            FieldErrorKind::Empty => f.write_str("is empty"),
            FieldErrorKind::TooLong { max } => write!(f, "is longer than {max} characters"),
            FieldErrorKind::TooShort { min } => write!(f, "is shorter than {min} characters"),
            FieldErrorKind::TooMany { max } => write!(f, "has more than {max} entries"),
            FieldErrorKind::ControlCharacter => f.write_str("contains a control character"),
            FieldErrorKind::InvalidCharacter { ch } => write!(
                f,
                "contains the character {ch:?}, which is not allowed here"
            ),
            FieldErrorKind::NotCanonical => {
                f.write_str("is not in canonical form (NFC, trimmed, canonical spelling)")
            }
            FieldErrorKind::InvalidDate => {
                f.write_str("is not a valid calendar date in the form YYYY-MM-DD")
            }
            FieldErrorKind::DateOutOfRange { min_year, max_year } => {
                write!(f, "has a year outside {min_year}..={max_year}")
            }
            FieldErrorKind::DateOrder {
                other,
                strict: true,
            } => write!(f, "must be later than {other}"),
            FieldErrorKind::DateOrder {
                other,
                strict: false,
            } => write!(f, "must not be earlier than {other}"),
            FieldErrorKind::UnknownField => f.write_str("is not a field of this document type"),
            FieldErrorKind::IdNumberFormat => f.write_str("must be exactly 12 digits"),
            FieldErrorKind::UnknownProvinceCode { code } => {
                write!(f, "starts with {code:03}, which is not a province code")
            }
            FieldErrorKind::IdNumberSexMismatch { digit } => {
                write!(f, "has 4th digit {digit}, which gives the other sex")
            }
            FieldErrorKind::IdNumberCenturyMismatch { digit, birth_year } => {
                write!(
                    f,
                    "has 4th digit {digit}, which does not match birth year {birth_year}"
                )
            }
            FieldErrorKind::IdNumberYearMismatch { digits, birth_year } => {
                write!(
                    f,
                    "has digits 5-6 {digits:02}, which do not match birth year {birth_year}"
                )
            }
            FieldErrorKind::OldIdNumberFormat => f.write_str("must be 9 or 12 digits"),
            FieldErrorKind::LicenceNumberFormat => f.write_str("must be exactly 12 digits"),
            FieldErrorKind::UnknownLicenceClass => {
                f.write_str("is not a known driving licence class")
            }
            FieldErrorKind::DuplicateLicenceClass => f.write_str("repeats a licence class"),
            FieldErrorKind::InvalidPlate => f.write_str("is not a valid Vietnamese plate number"),
            FieldErrorKind::BhytCardNumberFormat => f.write_str(
                "must be 10 digits or 2 letters + level 1-5 + 2-digit province + 10 digits",
            ),
            FieldErrorKind::BenefitLevelMismatch {
                card_level,
                benefit_level,
            } => write!(
                f,
                "is {benefit_level} but the card number carries level {card_level}"
            ),
            FieldErrorKind::FacilityCodeFormat => {
                f.write_str("must be NN-NNN with a known province code")
            }
            FieldErrorKind::SocialInsuranceNumberFormat => f.write_str("must be exactly 10 digits"),
            FieldErrorKind::OfficeCodeFormat => {
                f.write_str("must be NN-NNN with a known province code")
            }
            FieldErrorKind::InvalidParticipationStatus => {
                f.write_str("must be \"contributing\", \"paused\" or \"receiving_pension\"")
            }
            FieldErrorKind::MonthsPaidExceedPeriod { max } => write!(
                f,
                "is more than the {max} months from first_insured_date to summary_date"
            ),
            FieldErrorKind::AfterIssuance => {
                f.write_str("is later than the day the credential is signed")
            }
            FieldErrorKind::EnterpriseCodeFormat => f.write_str(
                "must be 10 digits with a valid check digit, or that and -NNN for a branch",
            ),
            FieldErrorKind::Conflicts { other } => {
                write!(f, "cannot be given together with {other}")
            }
            FieldErrorKind::MissingEither { other } => {
                write!(f, "is required (or else {other})")
            }
            FieldErrorKind::OutOfRange { min, max } => write!(f, "must be between {min} and {max}"),
            FieldErrorKind::InvalidSex => f.write_str("must be \"male\" or \"female\""),
            FieldErrorKind::InvalidNationality => {
                f.write_str("must be a 3-letter country code such as VNM")
            }
            FieldErrorKind::InvalidCardGeneration => {
                f.write_str("must be \"cccd_2021\" or \"can_cuoc_2024\"")
            }
            FieldErrorKind::NotForCardGeneration => {
                f.write_str("does not exist on this card generation")
            }
            FieldErrorKind::ExpiryRequired => {
                f.write_str("is required: only cards issued at age 58 or later have no expiry")
            }
            FieldErrorKind::NotBase64 => f.write_str("is not valid base64"),
            FieldErrorKind::ImageTooLarge { max, size } => {
                write!(f, "is {size} bytes, more than the maximum of {max}")
            }
            FieldErrorKind::UnsupportedImageFormat => {
                f.write_str("is neither a JPEG nor a WebP image")
            }
            FieldErrorKind::InvalidKey => f.write_str("has a key that is not an unsigned integer"),
            FieldErrorKind::DuplicateKey { key } => write!(f, "has the key {key} twice"),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "field `{}` {}", self.field, self.kind)
    }
}

impl std::error::Error for FieldError {}
