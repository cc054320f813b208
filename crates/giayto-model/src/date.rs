//! Calendar dates: `YYYY-MM-DD` in JSON, RFC 8943 tag 100 (days since 1970-01-01) in CBOR.

use ciborium::Value;
use time::{Date, Month};

use crate::error::FieldErrorKind;

/// Earliest year accepted in any date field.
pub const MIN_YEAR: i32 = 1900;
/// Latest year accepted in any date field.
pub const MAX_YEAR: i32 = 2199;

/// CBOR tag for a date as days since 1970-01-01 (RFC 8943).
pub const TAG_DAYS: u64 = 100;

/// Julian day number of 1970-01-01.
const UNIX_EPOCH_JULIAN_DAY: i32 = 2_440_588;

fn check_year(d: Date) -> Result<Date, FieldErrorKind> {
    if (MIN_YEAR..=MAX_YEAR).contains(&d.year()) {
        Ok(d)
    } else {
        Err(FieldErrorKind::DateOutOfRange {
            min_year: MIN_YEAR,
            max_year: MAX_YEAR,
        })
    }
}

fn num(bytes: &[u8]) -> Option<u32> {
    let mut n: u32 = 0;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(b - b'0');
    }
    Some(n)
}

/// Builds a date from year, month and day, refusing impossible dates and years out of range.
pub fn ymd(year: i32, month: u8, day: u8) -> Result<Date, FieldErrorKind> {
    let month = Month::try_from(month).map_err(|_| FieldErrorKind::InvalidDate)?;
    let d = Date::from_calendar_date(year, month, day).map_err(|_| FieldErrorKind::InvalidDate)?;
    check_year(d)
}

/// Parses `YYYY-MM-DD` (exactly, after trimming white space).
pub fn parse_iso(s: &str) -> Result<Date, FieldErrorKind> {
    let b = s.trim().as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return Err(FieldErrorKind::InvalidDate);
    }
    let (Some(y), Some(m), Some(d)) = (
        b.get(0..4).and_then(num),
        b.get(5..7).and_then(num),
        b.get(8..10).and_then(num),
    ) else {
        return Err(FieldErrorKind::InvalidDate);
    };
    // y < 10000, m and d < 100: the conversions cannot fail.
    ymd(y as i32, m as u8, d as u8)
}

/// Parses `ddmmyyyy` (8 digits, as in the chip card's QR).
pub fn parse_ddmmyyyy(s: &str) -> Result<Date, FieldErrorKind> {
    let b = s.as_bytes();
    if b.len() != 8 {
        return Err(FieldErrorKind::InvalidDate);
    }
    let (Some(d), Some(m), Some(y)) = (
        b.get(0..2).and_then(num),
        b.get(2..4).and_then(num),
        b.get(4..8).and_then(num),
    ) else {
        return Err(FieldErrorKind::InvalidDate);
    };
    ymd(y as i32, m as u8, d as u8)
}

/// Formats as `YYYY-MM-DD`.
pub fn format_iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Formats as `dd/mm/yyyy`, the way Vietnamese cards print dates.
pub fn format_display(d: Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year())
}

/// Days since 1970-01-01 (negative before).
pub fn days_since_epoch(d: Date) -> i64 {
    i64::from(d.to_julian_day()) - i64::from(UNIX_EPOCH_JULIAN_DAY)
}

/// The date `days` days after 1970-01-01, if its year is in range.
pub fn from_days_since_epoch(days: i128) -> Result<Date, FieldErrorKind> {
    // Years 1900..=2199 lie well within ±200,000 days of the epoch.
    if !(-200_000..=200_000).contains(&days) {
        return Err(FieldErrorKind::DateOutOfRange {
            min_year: MIN_YEAR,
            max_year: MAX_YEAR,
        });
    }
    let jd = UNIX_EPOCH_JULIAN_DAY + days as i32;
    let d = Date::from_julian_day(jd).map_err(|_| FieldErrorKind::InvalidDate)?;
    check_year(d)
}

/// `Tag(100, days)`.
pub fn to_cbor(d: Date) -> Value {
    Value::Tag(
        TAG_DAYS,
        Box::new(Value::Integer(days_since_epoch(d).into())),
    )
}

/// Decodes `Tag(100, days)`; anything else is a wrong type.
pub fn from_cbor(v: &Value) -> Result<Date, FieldErrorKind> {
    match v {
        Value::Tag(TAG_DAYS, inner) => match inner.as_ref() {
            Value::Integer(i) => from_days_since_epoch(i128::from(*i)),
            _ => Err(FieldErrorKind::WrongType { expected: "date" }),
        },
        _ => Err(FieldErrorKind::WrongType { expected: "date" }),
    }
}

/// The anniversary of `d` after `years` years; 29 February becomes 28 February in a common year.
pub fn anniversary(d: Date, years: i32) -> Option<Date> {
    let y = d.year().checked_add(years)?;
    Date::from_calendar_date(y, d.month(), d.day())
        .or_else(|_| Date::from_calendar_date(y, d.month(), 28))
        .ok()
}

/// Age in completed years on `on` of someone born on `birth` (0 if `on` is before `birth`).
pub fn age_on(birth: Date, on: Date) -> i32 {
    let mut age = on.year() - birth.year();
    if (u8::from(on.month()), on.day()) < (u8::from(birth.month()), birth.day()) {
        age -= 1;
    }
    age.max(0)
}

/// Seconds east of UTC of Vietnam's time (UTC+7, no daylight saving).
pub const VIETNAM_UTC_OFFSET: i64 = 7 * 3600;

/// The calendar date in Vietnam at `at` (seconds since the epoch), e.g. the day a credential
/// was signed (its `iat`); `None` outside the years 1900..=2199.
pub fn vietnam_date(at: i64) -> Option<Date> {
    let days = at.checked_add(VIETNAM_UTC_OFFSET)?.div_euclid(86_400);
    from_days_since_epoch(i128::from(days)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn vietnam_date_turns_at_17_00_utc() {
        // 2026-11-22T16:59:59Z is 23:59:59 in Vietnam; one second later it is the 23rd.
        assert_eq!(vietnam_date(1_795_366_799), Some(date!(2026 - 11 - 22)));
        assert_eq!(vietnam_date(1_795_366_800), Some(date!(2026 - 11 - 23)));
        assert_eq!(
            vietnam_date(-VIETNAM_UTC_OFFSET),
            Some(date!(1970 - 01 - 01))
        );
        assert_eq!(
            vietnam_date(-VIETNAM_UTC_OFFSET - 1),
            Some(date!(1969 - 12 - 31))
        );
        assert_eq!(vietnam_date(i64::MAX), None);
    }

    #[test]
    fn iso_parse_and_format() {
        assert_eq!(parse_iso("2024-02-29"), Ok(date!(2024 - 02 - 29)));
        assert_eq!(parse_iso("2023-02-29"), Err(FieldErrorKind::InvalidDate));
        assert_eq!(parse_iso("2023-13-01"), Err(FieldErrorKind::InvalidDate));
        assert_eq!(parse_iso("2023-1-01"), Err(FieldErrorKind::InvalidDate));
        assert_eq!(parse_iso("01/02/2023"), Err(FieldErrorKind::InvalidDate));
        assert_eq!(parse_iso("+023-01-01"), Err(FieldErrorKind::InvalidDate));
        assert_eq!(
            parse_iso("1899-12-31"),
            Err(FieldErrorKind::DateOutOfRange {
                min_year: 1900,
                max_year: 2199
            })
        );
        assert_eq!(
            parse_iso("2200-01-01"),
            Err(FieldErrorKind::DateOutOfRange {
                min_year: 1900,
                max_year: 2199
            })
        );
        assert_eq!(parse_iso("1900-01-01"), Ok(date!(1900 - 01 - 01)));
        assert_eq!(parse_iso("2199-12-31"), Ok(date!(2199 - 12 - 31)));
        assert_eq!(format_iso(date!(1905 - 03 - 04)), "1905-03-04");
        assert_eq!(format_display(date!(1905 - 03 - 04)), "04/03/1905");
        assert_eq!(parse_ddmmyyyy("17051996"), Ok(date!(1996 - 05 - 17)));
        assert_eq!(parse_ddmmyyyy("31021996"), Err(FieldErrorKind::InvalidDate));
        assert_eq!(parse_ddmmyyyy("1705199"), Err(FieldErrorKind::InvalidDate));
    }

    #[test]
    fn days_round_trip() {
        assert_eq!(days_since_epoch(date!(1970 - 01 - 01)), 0);
        assert_eq!(days_since_epoch(date!(1969 - 12 - 31)), -1);
        assert_eq!(days_since_epoch(date!(2000 - 01 - 01)), 10957);
        for d in [
            date!(1900 - 01 - 01),
            date!(2024 - 02 - 29),
            date!(2199 - 12 - 31),
        ] {
            assert_eq!(from_cbor(&to_cbor(d)), Ok(d));
        }
        assert!(from_days_since_epoch(i128::MAX).is_err());
        assert!(from_days_since_epoch(-25568).is_err()); // 1899-12-31
    }

    #[test]
    fn anniversaries_and_ages() {
        assert_eq!(
            anniversary(date!(2000 - 02 - 29), 25),
            Some(date!(2025 - 02 - 28))
        );
        assert_eq!(
            anniversary(date!(2000 - 02 - 29), 24),
            Some(date!(2024 - 02 - 29))
        );
        assert_eq!(age_on(date!(2000 - 05 - 17), date!(2025 - 05 - 16)), 24);
        assert_eq!(age_on(date!(2000 - 05 - 17), date!(2025 - 05 - 17)), 25);
        assert_eq!(age_on(date!(2000 - 05 - 17), date!(1999 - 05 - 17)), 0);
    }
}
