//! The vehicle registration certificate (giấy chứng nhận đăng ký xe, doc_type 3), plates, and
//! the owner: a person or, from schema version 2, an organisation (docs/format.md §4.4).

use std::collections::BTreeMap;
use std::fmt;

use ciborium::Value as Cbor;
use serde_json::Value as Json;
use time::Date;

use crate::common::{MAX_ADDRESS, MAX_NAME, MAX_SHORT};
use crate::date::format_display;
use crate::error::{FieldError, FieldErrorKind};
use crate::personal_id::canon_id;
use crate::source::{
    canon_at, check_order, f, opt_uint_in, req, req_date, req_text, Field, JsonBuilder, MapBuilder,
    Source,
};
use crate::text::{canon_code, canon_free};

/// Car-style or motorbike-style plate layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PlateKind {
    /// `30A-123.45`, `51LD-123.45`, `30A-1234`.
    Car,
    /// `29-X1 234.56`, `29-B1 1234`, `29-AA 123.45`.
    Motorbike,
}

/// A plate number in canonical spelling.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Plate {
    canonical: String,
    kind: PlateKind,
    province: u8,
}

/// `s` upper-cased as far as a plate can tell: the same plate (or the same refusal) as
/// `str::to_uppercase`, without the full Unicode case table in the web page's module
/// (docs/decisions.md D182). Only characters whose upper case is made of characters a plate may
/// hold (A–Z, Đ, digits, `-`, ` `, `.`) are mapped; any other character is refused by the parser
/// whatever its case, so it is kept as it is. A test checks every character against
/// `to_uppercase`.
fn plate_upper(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            'a'..='z' => out.push(c.to_ascii_uppercase()),
            'đ' => out.push('Đ'),
            // Dotless i and long s: upper case I and S.
            'ı' => out.push('I'),
            'ſ' => out.push('S'),
            'ß' => out.push_str("SS"),
            // The Latin ligatures ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ.
            '\u{FB00}' => out.push_str("FF"),
            '\u{FB01}' => out.push_str("FI"),
            '\u{FB02}' => out.push_str("FL"),
            '\u{FB03}' => out.push_str("FFI"),
            '\u{FB04}' => out.push_str("FFL"),
            '\u{FB05}' | '\u{FB06}' => out.push_str("ST"),
            _ => out.push(c),
        }
    }
    out
}

impl Plate {
    /// Parses a plate number written with or without the usual separators and in any case,
    /// e.g. `"30a12345"`, `"59X1-234.56"`, `"29-B1 12345"`.
    ///
    /// Layout: 2-digit province code (11..=99), series, 4- or 5-digit serial.
    /// Car series: 1–2 letters, written `30A-123.45` / `30A-1234` / `51LD-123.45`.
    /// Motorbike series: a letter and a digit (or 2 letters), written `29-X1 234.56` / `29-X1 2345`.
    /// A separator right after the province code marks a motorbike plate; without separators,
    /// `30A12345` is read as a car (`30A-123.45`) and `29X123456` as a motorbike (`29-X1 234.56`).
    /// Letters are A–Z and Đ.
    pub fn parse(raw: &str) -> Result<Plate, FieldErrorKind> {
        Plate::parse_upper(raw, plate_upper)
    }

    /// [`Plate::parse`] with the upper-casing given (the tests compare `plate_upper` with
    /// `str::to_uppercase` through it).
    fn parse_upper(raw: &str, upper: impl Fn(&str) -> String) -> Result<Plate, FieldErrorKind> {
        let s = upper(&canon_free(raw, 20)?);
        let chars: Vec<char> = s.chars().collect();
        let is_sep = |c: char| c == '-' || c == ' ';
        let is_letter = |c: char| c.is_ascii_uppercase() || c == 'Đ';
        let mut i = 0;
        let digit_at = |i: usize| chars.get(i).and_then(|c| c.to_digit(10));
        let (Some(p1), Some(p2)) = (digit_at(0), digit_at(1)) else {
            return Err(FieldErrorKind::InvalidPlate);
        };
        let province = (p1 * 10 + p2) as u8;
        if !(11..=99).contains(&province) {
            return Err(FieldErrorKind::InvalidPlate);
        }
        i += 2;
        let sep_after_province = chars.get(i).is_some_and(|&c| is_sep(c));
        if sep_after_province {
            i += 1;
        }
        let mut series = String::new();
        while let Some(&c) = chars.get(i) {
            if is_letter(c) && series.chars().count() < 2 {
                series.push(c);
                i += 1;
            } else {
                break;
            }
        }
        if series.is_empty() {
            return Err(FieldErrorKind::InvalidPlate);
        }
        // Rest: serial digits, possibly preceded by a series digit and a separator.
        let rest: Vec<char> = chars.get(i..).unwrap_or_default().to_vec();
        let mut serial_part: &[char] = &rest;
        let mut series_digit: Option<char> = None;
        match rest.as_slice() {
            [d, sep, tail @ ..] if d.is_ascii_digit() && is_sep(*sep) => {
                series_digit = Some(*d);
                serial_part = tail;
            }
            [sep, tail @ ..] if is_sep(*sep) => serial_part = tail,
            _ => {
                let digits = rest.iter().filter(|c| c.is_ascii_digit()).count();
                let one_letter_bike = sep_after_province && series.chars().count() == 1;
                if digits == 6 || (one_letter_bike && (digits == 5 || digits == 4)) {
                    if let Some((d, tail)) = rest.split_first() {
                        if d.is_ascii_digit() {
                            series_digit = Some(*d);
                            serial_part = tail;
                        }
                    }
                }
            }
        }
        let serial: String = match serial_part {
            [a, b, c, '.', d, e] => [a, b, c, d, e].into_iter().collect(),
            other => other.iter().collect(),
        };
        if !(serial.len() == 4 || serial.len() == 5) || !serial.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(FieldErrorKind::InvalidPlate);
        }
        if let Some(d) = series_digit {
            series.push(d);
        }
        let kind = if series_digit.is_some() || sep_after_province {
            PlateKind::Motorbike
        } else {
            PlateKind::Car
        };
        if kind == PlateKind::Motorbike && series_digit.is_none() && series.chars().count() != 2 {
            return Err(FieldErrorKind::InvalidPlate);
        }
        let serial_txt = match serial.as_bytes() {
            [a, b, c, d, e] => format!(
                "{}{}{}.{}{}",
                *a as char, *b as char, *c as char, *d as char, *e as char
            ),
            _ => serial,
        };
        let canonical = match kind {
            PlateKind::Car => format!("{province:02}{series}-{serial_txt}"),
            PlateKind::Motorbike => format!("{province:02}-{series} {serial_txt}"),
        };
        Ok(Plate {
            canonical,
            kind,
            province,
        })
    }

    /// Canonical spelling, e.g. `"30A-123.45"`, `"29-X1 234.56"`.
    pub fn as_str(&self) -> &str {
        &self.canonical
    }

    /// Car or motorbike layout.
    pub fn kind(&self) -> PlateKind {
        self.kind
    }

    /// Province code (11..=99).
    pub fn province(&self) -> u8 {
        self.province
    }
}

impl fmt::Display for Plate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical)
    }
}

/// Weights of the first nine digits of an enterprise code for its check digit.
const ENTERPRISE_CODE_WEIGHTS: [u32; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];

/// Canonical enterprise code (mã số doanh nghiệp, which is also the enterprise's tax code):
/// `NNNNNNNNNN` for an enterprise, `NNNNNNNNNN-NNN` for a branch or dependent unit (the
/// enterprise's ten digits, then 001–999). The tenth digit is a check digit: 10 minus the sum
/// of the first nine digits weighted 31, 29, 23, 19, 17, 13, 7, 5, 3, modulo 11 (a sum whose
/// remainder is 0 gives no valid code). Input may write the branch number without the hyphen
/// (13 digits) and may surround the code with white space.
///
/// ```
/// use giayto_model::canon_enterprise_code;
/// assert_eq!(canon_enterprise_code("0123456787").as_deref(), Ok("0123456787"));
/// assert_eq!(canon_enterprise_code(" 0123456787001 ").as_deref(), Ok("0123456787-001"));
/// assert!(canon_enterprise_code("0123456788").is_err()); // wrong check digit
/// assert!(canon_enterprise_code("0123456787-000").is_err()); // branch 000
/// ```
pub fn canon_enterprise_code(raw: &str) -> Result<String, FieldErrorKind> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(FieldErrorKind::Empty);
    }
    let b = s.as_bytes();
    let (main, branch) = match b.len() {
        10 => (b, None),
        13 => (b.get(..10).unwrap_or_default(), b.get(10..)),
        14 if b.get(10) == Some(&b'-') => (b.get(..10).unwrap_or_default(), b.get(11..)),
        _ => return Err(FieldErrorKind::EnterpriseCodeFormat),
    };
    let digits = |x: &[u8]| x.iter().all(u8::is_ascii_digit);
    if !digits(main) || !branch.is_none_or(digits) || branch == Some(b"000".as_slice()) {
        return Err(FieldErrorKind::EnterpriseCodeFormat);
    }
    let sum: u32 = main
        .iter()
        .zip(ENTERPRISE_CODE_WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    let check = 10 - sum % 11;
    if main.get(9).map(|d| u32::from(d - b'0')) != Some(check) {
        return Err(FieldErrorKind::EnterpriseCodeFormat);
    }
    let main = String::from_utf8_lossy(main);
    Ok(match branch {
        None => main.into_owned(),
        Some(x) => format!("{main}-{}", String::from_utf8_lossy(x)),
    })
}

/// Who owns the vehicle.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum VehicleOwner {
    /// A person: their 12-digit personal ID number (JSON `owner_id_number`).
    Person {
        /// The personal ID number.
        id_number: String,
    },
    /// An organisation (an enterprise, a branch, a public body with a tax code): its
    /// enterprise code, see [`canon_enterprise_code`] (JSON `owner_enterprise_code`). Needs
    /// schema version 2.
    Organisation {
        /// The enterprise code, `0123456787` or `0123456787-001`.
        enterprise_code: String,
    },
}

impl VehicleOwner {
    /// The personal ID number or the enterprise code: the value at CBOR key 4.
    pub fn identifier(&self) -> &str {
        match self {
            VehicleOwner::Person { id_number } => id_number,
            VehicleOwner::Organisation { enterprise_code } => enterprise_code,
        }
    }

    /// The owner's personal ID number, if the owner is a person.
    pub fn id_number(&self) -> Option<&str> {
        match self {
            VehicleOwner::Person { id_number } => Some(id_number),
            VehicleOwner::Organisation { .. } => None,
        }
    }

    /// The JSON name of [`identifier`](Self::identifier): `owner_id_number` or
    /// `owner_enterprise_code`.
    pub fn field_name(&self) -> &'static str {
        self.field().name
    }

    fn field(&self) -> Field {
        match self {
            VehicleOwner::Person { .. } => OWNER_ID_NUMBER,
            VehicleOwner::Organisation { .. } => OWNER_ENTERPRISE_CODE,
        }
    }
}

/// The vehicle registration certificate.
#[derive(Clone, Debug, PartialEq)]
pub struct Vehicle {
    /// Certificate number (letters, digits, ` -./`, upper case, ≤ 20).
    pub registration_number: String,
    /// Plate number, canonical spelling (see [`Plate::parse`]).
    pub plate: String,
    /// Owner's full name, or the organisation's name.
    pub owner_name: String,
    /// The owner: a person's ID number or an organisation's enterprise code.
    pub owner: VehicleOwner,
    /// Owner's address.
    pub owner_address: String,
    /// Vehicle type, e.g. "Ô tô con", "Xe máy".
    pub vehicle_type: String,
    /// Brand (nhãn hiệu).
    pub brand: String,
    /// Model (số loại).
    pub model: String,
    /// Colour (màu sơn).
    pub colour: String,
    /// Chassis number / VIN: 6–17 letters and digits, upper case.
    pub chassis_number: String,
    /// Engine number: letters, digits and hyphens, upper case, ≤ 25.
    pub engine_number: String,
    /// Date of (first) registration.
    pub registration_date: Date,
    /// Seats including the driver, 1..=100.
    pub seats: Option<u32>,
    /// Engine capacity in cm³, 1..=30000 (absent for electric vehicles).
    pub engine_capacity_cc: Option<u32>,
    /// Registration valid until (e.g. for a temporary registration).
    pub expiry_date: Option<Date>,
    /// Fields of a newer schema, carried as decoded.
    pub unknown_fields: BTreeMap<u64, Cbor>,
}

pub(crate) const REGISTRATION_NUMBER: Field = f("registration_number", 1);
pub(crate) const PLATE: Field = f("plate", 2);
pub(crate) const OWNER_NAME: Field = f("owner_name", 3);
pub(crate) const OWNER_ID_NUMBER: Field = f("owner_id_number", 4);
/// The JSON name of key 4 when the owner is an organisation (schema version 2).
pub(crate) const OWNER_ENTERPRISE_CODE: Field = f("owner_enterprise_code", 4);
pub(crate) const OWNER_ADDRESS: Field = f("owner_address", 5);
pub(crate) const VEHICLE_TYPE: Field = f("vehicle_type", 6);
pub(crate) const BRAND: Field = f("brand", 7);
pub(crate) const MODEL: Field = f("model", 8);
pub(crate) const COLOUR: Field = f("colour", 9);
pub(crate) const CHASSIS_NUMBER: Field = f("chassis_number", 10);
pub(crate) const ENGINE_NUMBER: Field = f("engine_number", 11);
pub(crate) const REGISTRATION_DATE: Field = f("registration_date", 12);
pub(crate) const SEATS: Field = f("seats", 13);
pub(crate) const ENGINE_CAPACITY_CC: Field = f("engine_capacity_cc", 14);
pub(crate) const EXPIRY_DATE: Field = f("expiry_date", 15);

pub(crate) const FIELDS: &[Field] = &[
    REGISTRATION_NUMBER,
    PLATE,
    OWNER_NAME,
    OWNER_ID_NUMBER,
    OWNER_ADDRESS,
    VEHICLE_TYPE,
    BRAND,
    MODEL,
    COLOUR,
    CHASSIS_NUMBER,
    ENGINE_NUMBER,
    REGISTRATION_DATE,
    SEATS,
    ENGINE_CAPACITY_CC,
    EXPIRY_DATE,
];

/// The names issuance JSON accepts: [`FIELDS`] and `owner_enterprise_code`.
pub(crate) const JSON_FIELDS: &[Field] = &[
    REGISTRATION_NUMBER,
    PLATE,
    OWNER_NAME,
    OWNER_ID_NUMBER,
    OWNER_ENTERPRISE_CODE,
    OWNER_ADDRESS,
    VEHICLE_TYPE,
    BRAND,
    MODEL,
    COLOUR,
    CHASSIS_NUMBER,
    ENGINE_NUMBER,
    REGISTRATION_DATE,
    SEATS,
    ENGINE_CAPACITY_CC,
    EXPIRY_DATE,
];

/// The schema version that can carry an organisation owner.
pub const ORGANISATION_OWNER_SCHEMA: u64 = 2;

/// Seats accepted.
pub const SEATS_RANGE: (u64, u64) = (1, 100);
/// Engine capacity accepted, cm³.
pub const ENGINE_CC_RANGE: (u64, u64) = (1, 30_000);

impl Vehicle {
    /// The owner. Issuance JSON names a person by `owner_id_number` or an organisation by
    /// `owner_enterprise_code`, exactly one of them. In CBOR both are key 4, told apart by
    /// their form (12 digits, or 10 digits with an optional branch number); schema 1 knows
    /// persons only, so there key 4 must be a personal ID number, as it always was.
    fn parse_owner<S: Source>(src: &S, schema: u64) -> Result<VehicleOwner, FieldError> {
        let person = |raw: &str| {
            canon_at(src, OWNER_ID_NUMBER.name, raw, |s| canon_id(s, None, None))
                .map(|id_number| VehicleOwner::Person { id_number })
        };
        let organisation = |raw: &str| {
            canon_at(src, OWNER_ENTERPRISE_CODE.name, raw, canon_enterprise_code)
                .map(|enterprise_code| VehicleOwner::Organisation { enterprise_code })
        };
        if src.strict() {
            // CBOR: OWNER_ID_NUMBER and OWNER_ENTERPRISE_CODE both read key 4.
            let raw = req(OWNER_ID_NUMBER, src.raw_text(OWNER_ID_NUMBER)?)?;
            let personal_form = raw.len() == 12 && raw.bytes().all(|b| b.is_ascii_digit());
            return if schema < ORGANISATION_OWNER_SCHEMA || personal_form {
                person(raw)
            } else {
                organisation(raw)
            };
        }
        match (
            src.raw_text(OWNER_ID_NUMBER)?,
            src.raw_text(OWNER_ENTERPRISE_CODE)?,
        ) {
            (Some(raw), None) => person(raw),
            (None, Some(raw)) => organisation(raw),
            (Some(_), Some(_)) => Err(FieldError::new(
                OWNER_ENTERPRISE_CODE.name,
                FieldErrorKind::Conflicts {
                    other: OWNER_ID_NUMBER.name,
                },
            )),
            (None, None) => Err(FieldError::new(
                OWNER_ID_NUMBER.name,
                FieldErrorKind::MissingEither {
                    other: OWNER_ENTERPRISE_CODE.name,
                },
            )),
        }
    }

    /// The lowest schema version that can carry this certificate: 2 for an organisation
    /// owner, else 1 (what verifiers of the first release read).
    pub fn schema_version(&self) -> u64 {
        match self.owner {
            VehicleOwner::Person { .. } => 1,
            VehicleOwner::Organisation { .. } => ORGANISATION_OWNER_SCHEMA,
        }
    }

    pub(crate) fn parse<S: Source>(src: &S, schema: u64) -> Result<Vehicle, FieldError> {
        let registration_number = req_text(src, REGISTRATION_NUMBER, |s| {
            canon_code(s, 1, 20, &[' ', '-', '.', '/'])
        })?;
        let plate = req_text(src, PLATE, |s| Plate::parse(s).map(|p| p.canonical))?;
        let owner_name = req_text(src, OWNER_NAME, |s| canon_free(s, MAX_NAME))?;
        let owner = Self::parse_owner(src, schema)?;
        let owner_address = req_text(src, OWNER_ADDRESS, |s| canon_free(s, MAX_ADDRESS))?;
        let vehicle_type = req_text(src, VEHICLE_TYPE, |s| canon_free(s, MAX_SHORT))?;
        let brand = req_text(src, BRAND, |s| canon_free(s, MAX_SHORT))?;
        let model = req_text(src, MODEL, |s| canon_free(s, MAX_SHORT))?;
        let colour = req_text(src, COLOUR, |s| canon_free(s, MAX_SHORT))?;
        let chassis_number = req_text(src, CHASSIS_NUMBER, |s| canon_code(s, 6, 17, &[]))?;
        let engine_number = req_text(src, ENGINE_NUMBER, |s| canon_code(s, 1, 25, &['-']))?;
        let registration_date = req_date(src, REGISTRATION_DATE)?;
        let seats = opt_uint_in(src, SEATS, SEATS_RANGE.0, SEATS_RANGE.1)?.map(|n| n as u32);
        let engine_capacity_cc = opt_uint_in(
            src,
            ENGINE_CAPACITY_CC,
            ENGINE_CC_RANGE.0,
            ENGINE_CC_RANGE.1,
        )?
        .map(|n| n as u32);
        let expiry_date = src.raw_date(EXPIRY_DATE)?;
        if let Some(exp) = expiry_date {
            check_order(
                EXPIRY_DATE.name,
                exp,
                REGISTRATION_DATE.name,
                registration_date,
                true,
            )?;
        }
        Ok(Vehicle {
            registration_number,
            plate,
            owner_name,
            owner,
            owner_address,
            vehicle_type,
            brand,
            model,
            colour,
            chassis_number,
            engine_number,
            registration_date,
            seats,
            engine_capacity_cc,
            expiry_date,
            unknown_fields: BTreeMap::new(),
        })
    }

    fn texts(&self) -> [(Field, &str); 11] {
        [
            (REGISTRATION_NUMBER, &self.registration_number),
            (PLATE, &self.plate),
            (OWNER_NAME, &self.owner_name),
            (self.owner.field(), self.owner.identifier()),
            (OWNER_ADDRESS, &self.owner_address),
            (VEHICLE_TYPE, &self.vehicle_type),
            (BRAND, &self.brand),
            (MODEL, &self.model),
            (COLOUR, &self.colour),
            (CHASSIS_NUMBER, &self.chassis_number),
            (ENGINE_NUMBER, &self.engine_number),
        ]
    }

    pub(crate) fn to_cbor(&self) -> Cbor {
        let mut m = MapBuilder::new();
        for (f, t) in self.texts() {
            m.text(f, t);
        }
        m.date(REGISTRATION_DATE, self.registration_date);
        if let Some(n) = self.seats {
            m.uint(SEATS, n.into());
        }
        if let Some(n) = self.engine_capacity_cc {
            m.uint(ENGINE_CAPACITY_CC, n.into());
        }
        m.opt_date(EXPIRY_DATE, self.expiry_date);
        m.finish(&self.unknown_fields)
    }

    pub(crate) fn to_json(&self) -> Json {
        let mut j = JsonBuilder::new();
        for (f, t) in self.texts() {
            j.text(f, t);
        }
        j.date(REGISTRATION_DATE, self.registration_date);
        if let Some(n) = self.seats {
            j.uint(SEATS, n.into());
        }
        if let Some(n) = self.engine_capacity_cc {
            j.uint(ENGINE_CAPACITY_CC, n.into());
        }
        j.opt_date(EXPIRY_DATE, self.expiry_date);
        j.finish(&self.unknown_fields)
    }

    pub(crate) fn display(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = self
            .texts()
            .iter()
            .map(|(f, t)| (f.name.to_owned(), (*t).to_owned()))
            .collect();
        v.push((
            REGISTRATION_DATE.name.to_owned(),
            format_display(self.registration_date),
        ));
        if let Some(n) = self.seats {
            v.push((SEATS.name.to_owned(), n.to_string()));
        }
        if let Some(n) = self.engine_capacity_cc {
            v.push((ENGINE_CAPACITY_CC.name.to_owned(), n.to_string()));
        }
        if let Some(d) = self.expiry_date {
            v.push((EXPIRY_DATE.name.to_owned(), format_display(d)));
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `plate_upper` parses every plate as `to_uppercase` did (D182): each character whose
    /// upper case differs from it, or that `plate_upper` maps, at each place of plates of both
    /// kinds and alone, gives the same plate or the same refusal.
    #[test]
    fn plate_upper_parses_as_to_uppercase() {
        let to_upper = |s: &str| s.to_uppercase();
        let mut cased = 0;
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let one = c.to_string();
            if c.to_uppercase().to_string() == one && plate_upper(&one) == one {
                continue;
            }
            cased += 1;
            for plate in ["30A-123.45", "29-X1 234.56", "51LD12345", "30a1234"] {
                for at in 0..=plate.len() {
                    let mut s = plate.to_owned();
                    s.insert(at, c);
                    assert_eq!(
                        Plate::parse(&s),
                        Plate::parse_upper(&s, to_upper),
                        "U+{:04X} in {s:?}",
                        c as u32
                    );
                }
                let replaced: String = plate.replacen('a', &one, 1).replacen('A', &one, 1);
                assert_eq!(
                    Plate::parse(&replaced),
                    Plate::parse_upper(&replaced, to_upper),
                    "{replaced:?}"
                );
            }
            assert_eq!(Plate::parse(&one), Plate::parse_upper(&one, to_upper));
        }
        assert!(cased > 1000, "{cased} cased characters");
        // The mapped ones read as letters of a plate.
        for (raw, plate) in [
            ("30ß-123.45", "30SS-123.45"),
            ("30ı-123.45", "30I-123.45"),
            ("30đ-123.45", "30Đ-123.45"),
        ] {
            assert!(canon(plate).is_ok(), "{plate}");
            assert_eq!(canon(raw), canon(plate), "{raw}");
        }
    }

    fn canon(s: &str) -> Result<String, FieldErrorKind> {
        Plate::parse(s).map(|p| p.as_str().to_owned())
    }

    #[test]
    fn plates_accepted_and_normalised() {
        for (input, want, kind) in [
            ("30A-123.45", "30A-123.45", PlateKind::Car),
            ("30a12345", "30A-123.45", PlateKind::Car),
            ("30A 123.45", "30A-123.45", PlateKind::Car),
            ("30A-1234", "30A-1234", PlateKind::Car),
            ("51F-678.90", "51F-678.90", PlateKind::Car),
            ("80LD-123.45", "80LD-123.45", PlateKind::Car),
            ("51LD-12345", "51LD-123.45", PlateKind::Car),
            ("29-X1 234.56", "29-X1 234.56", PlateKind::Motorbike),
            ("59X1-234.56", "59-X1 234.56", PlateKind::Motorbike),
            ("29-B1 12345", "29-B1 123.45", PlateKind::Motorbike),
            ("29-b1 1234", "29-B1 1234", PlateKind::Motorbike),
            ("29X123456", "29-X1 234.56", PlateKind::Motorbike),
            ("29-X12345", "29-X1 2345", PlateKind::Motorbike),
            ("29-AA 123.45", "29-AA 123.45", PlateKind::Motorbike),
            ("29-MĐ1 234.56", "29-MĐ1 234.56", PlateKind::Motorbike),
            ("99A-000.01", "99A-000.01", PlateKind::Car),
            ("11A-1234", "11A-1234", PlateKind::Car),
        ] {
            let p = Plate::parse(input).unwrap_or_else(|e| panic!("{input}: {e:?}"));
            assert_eq!(p.as_str(), want, "{input}");
            assert_eq!(p.kind(), kind, "{input}");
            // Canonical spelling is a fixed point.
            assert_eq!(canon(want).as_deref(), Ok(want));
        }
    }

    #[test]
    fn plates_refused() {
        for input in [
            "10A-123.45",
            "00A-123.45",
            "3A-123.45",
            "30A-123",
            "30A-123456",
            "30-1234",
            "30ABC-12345",
            "30A-123.456",
            "30A-12.345",
            "30A_123.45",
            "29-X 234.56",
            "29-X1 234.5",
            "A30-123.45",
            "30A--123.45",
        ] {
            assert_eq!(canon(input), Err(FieldErrorKind::InvalidPlate), "{input}");
        }
        assert_eq!(canon(""), Err(FieldErrorKind::Empty));
    }
}
