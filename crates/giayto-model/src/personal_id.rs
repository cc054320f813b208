//! The 12-digit personal ID number (số định danh cá nhân, printed as the CCCD number).
//!
//! Structure (Decree 137/2015/NĐ-CP, Circular 07/2016/TT-BCA): digits 1–3 the province of
//! birth registration, digit 4 century and sex, digits 5–6 the last two digits of the year of
//! birth, digits 7–12 a random serial.
//!
//! | 4th digit | born      | sex    |
//! |-----------|-----------|--------|
//! | 0 / 1     | 1900–1999 | male / female |
//! | 2 / 3     | 2000–2099 | male / female |
//! | 4 / 5     | 2100–2199 | male / female |
//! | 6 / 7     | 2200–2299 | male / female |
//! | 8 / 9     | 2300–2399 | male / female |

use time::Date;

use crate::error::FieldErrorKind;
use crate::Sex;

/// The 63 province codes in use before the 2025 merger of provinces, with their names.
/// Personal ID numbers keep these codes.
pub const PROVINCES: [(u16, &str); 63] = [
    (1, "Hà Nội"),
    (2, "Hà Giang"),
    (4, "Cao Bằng"),
    (6, "Bắc Kạn"),
    (8, "Tuyên Quang"),
    (10, "Lào Cai"),
    (11, "Điện Biên"),
    (12, "Lai Châu"),
    (14, "Sơn La"),
    (15, "Yên Bái"),
    (17, "Hoà Bình"),
    (19, "Thái Nguyên"),
    (20, "Lạng Sơn"),
    (22, "Quảng Ninh"),
    (24, "Bắc Giang"),
    (25, "Phú Thọ"),
    (26, "Vĩnh Phúc"),
    (27, "Bắc Ninh"),
    (30, "Hải Dương"),
    (31, "Hải Phòng"),
    (33, "Hưng Yên"),
    (34, "Thái Bình"),
    (35, "Hà Nam"),
    (36, "Nam Định"),
    (37, "Ninh Bình"),
    (38, "Thanh Hoá"),
    (40, "Nghệ An"),
    (42, "Hà Tĩnh"),
    (44, "Quảng Bình"),
    (45, "Quảng Trị"),
    (46, "Thừa Thiên Huế"),
    (48, "Đà Nẵng"),
    (49, "Quảng Nam"),
    (51, "Quảng Ngãi"),
    (52, "Bình Định"),
    (54, "Phú Yên"),
    (56, "Khánh Hoà"),
    (58, "Ninh Thuận"),
    (60, "Bình Thuận"),
    (62, "Kon Tum"),
    (64, "Gia Lai"),
    (66, "Đắk Lắk"),
    (67, "Đắk Nông"),
    (68, "Lâm Đồng"),
    (70, "Bình Phước"),
    (72, "Tây Ninh"),
    (74, "Bình Dương"),
    (75, "Đồng Nai"),
    (77, "Bà Rịa - Vũng Tàu"),
    (79, "TP Hồ Chí Minh"),
    (80, "Long An"),
    (82, "Tiền Giang"),
    (83, "Bến Tre"),
    (84, "Trà Vinh"),
    (86, "Vĩnh Long"),
    (87, "Đồng Tháp"),
    (89, "An Giang"),
    (91, "Kiên Giang"),
    (92, "Cần Thơ"),
    (93, "Hậu Giang"),
    (94, "Sóc Trăng"),
    (95, "Bạc Liêu"),
    (96, "Cà Mau"),
];

/// Name of a province by its code (the number formed by the first three digits of an ID
/// number, e.g. `1` for "001" Hà Nội, `79` for "079" TP Hồ Chí Minh).
pub fn province_name(code: u16) -> Option<&'static str> {
    PROVINCES
        .binary_search_by_key(&code, |&(c, _)| c)
        .ok()
        .and_then(|i| PROVINCES.get(i))
        .map(|&(_, name)| name)
}

/// What the structure of a personal ID number says about its holder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PersonalIdInfo {
    /// Province code (digits 1–3).
    pub province: u16,
    /// The 4th digit.
    pub century_sex_digit: u8,
    /// Sex from the 4th digit.
    pub sex: Sex,
    /// Year of birth from digits 4–6.
    pub birth_year: i32,
}

/// Parses the structure of a 12-digit personal ID number (after trimming).
pub fn parse_personal_id(s: &str) -> Result<PersonalIdInfo, FieldErrorKind> {
    let b = s.trim().as_bytes();
    if b.len() != 12 || !b.iter().all(u8::is_ascii_digit) {
        return Err(FieldErrorKind::IdNumberFormat);
    }
    let d = |i: usize| b.get(i).map_or(0, |x| x - b'0');
    let province = u16::from(d(0)) * 100 + u16::from(d(1)) * 10 + u16::from(d(2));
    if province_name(province).is_none() {
        return Err(FieldErrorKind::UnknownProvinceCode { code: province });
    }
    let digit = d(3);
    let sex = if digit % 2 == 0 {
        Sex::Male
    } else {
        Sex::Female
    };
    let birth_year = 1900 + i32::from(digit / 2) * 100 + i32::from(d(4)) * 10 + i32::from(d(5));
    Ok(PersonalIdInfo {
        province,
        century_sex_digit: digit,
        sex,
        birth_year,
    })
}

/// Checks an ID number against what the document says of its holder: the year of birth
/// (century digit and digits 5–6) and, where known, the sex.
pub fn check_personal_id(
    s: &str,
    birth_year: Option<i32>,
    sex: Option<Sex>,
) -> Result<PersonalIdInfo, FieldErrorKind> {
    let info = parse_personal_id(s)?;
    if let Some(year) = birth_year {
        if info.birth_year.div_euclid(100) != year.div_euclid(100) {
            return Err(FieldErrorKind::IdNumberCenturyMismatch {
                digit: info.century_sex_digit,
                birth_year: year,
            });
        }
        if info.birth_year != year {
            return Err(FieldErrorKind::IdNumberYearMismatch {
                digits: (info.birth_year.rem_euclid(100)) as u8,
                birth_year: year,
            });
        }
    }
    if let Some(sex) = sex {
        if sex != info.sex {
            return Err(FieldErrorKind::IdNumberSexMismatch {
                digit: info.century_sex_digit,
            });
        }
    }
    Ok(info)
}

/// Canonical ID number text for a document with the given date of birth and sex.
pub(crate) fn canon_id(
    raw: &str,
    dob: Option<Date>,
    sex: Option<Sex>,
) -> Result<String, FieldErrorKind> {
    check_personal_id(raw, dob.map(|d| d.year()), sex)?;
    Ok(raw.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn province_table_is_sorted_and_complete() {
        assert!(PROVINCES.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(province_name(1), Some("Hà Nội"));
        assert_eq!(province_name(79), Some("TP Hồ Chí Minh"));
        assert_eq!(province_name(96), Some("Cà Mau"));
        assert_eq!(province_name(3), None);
        assert_eq!(province_name(97), None);
    }

    #[test]
    fn structure() {
        let i = parse_personal_id("001196012345").unwrap();
        assert_eq!(i.province, 1);
        assert_eq!(i.sex, Sex::Female);
        assert_eq!(i.birth_year, 1996);
        let i = parse_personal_id("079205000001").unwrap();
        assert_eq!((i.sex, i.birth_year), (Sex::Male, 2005));
        let i = parse_personal_id("096999000001").unwrap();
        assert_eq!((i.sex, i.birth_year), (Sex::Female, 2399));
        assert_eq!(
            parse_personal_id("00119601234"),
            Err(FieldErrorKind::IdNumberFormat)
        );
        assert_eq!(
            parse_personal_id("00119601234a"),
            Err(FieldErrorKind::IdNumberFormat)
        );
        assert_eq!(
            parse_personal_id("0011960123456"),
            Err(FieldErrorKind::IdNumberFormat)
        );
        assert_eq!(
            parse_personal_id("003196012345"),
            Err(FieldErrorKind::UnknownProvinceCode { code: 3 })
        );
    }

    #[test]
    fn consistency() {
        assert!(check_personal_id("001196012345", Some(1996), Some(Sex::Female)).is_ok());
        assert_eq!(
            check_personal_id("001196012345", Some(1996), Some(Sex::Male)),
            Err(FieldErrorKind::IdNumberSexMismatch { digit: 1 })
        );
        assert_eq!(
            check_personal_id("001196012345", Some(2096), None),
            Err(FieldErrorKind::IdNumberCenturyMismatch {
                digit: 1,
                birth_year: 2096
            })
        );
        assert_eq!(
            check_personal_id("001196012345", Some(1997), None),
            Err(FieldErrorKind::IdNumberYearMismatch {
                digits: 96,
                birth_year: 1997
            })
        );
        assert!(check_personal_id("001396012345", None, None).is_ok());
    }
}
