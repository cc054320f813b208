//! Text canonicalisation shared by every field: NFC, trimming, length and character rules.
//!
//! Each `canon_*` function maps raw input to the stored canonical form or says what is wrong.
//! JSON input is replaced by its canonical form; a decoded credential must already be canonical.

use unicode_normalization::UnicodeNormalization;

use crate::error::FieldErrorKind;

/// Upper bound on the raw byte length accepted before normalising, as a multiple of the
/// character limit (NFC can compose several code points into one, each up to 4 bytes).
const RAW_BYTES_PER_CHAR: usize = 16;

/// NFC-normalises and trims `raw`, refusing empty, over-long and control-character text.
pub(crate) fn canon_free(raw: &str, max: usize) -> Result<String, FieldErrorKind> {
    if raw.len() > max.saturating_mul(RAW_BYTES_PER_CHAR) {
        return Err(FieldErrorKind::TooLong { max });
    }
    // Most text is already NFC (every decoded credential must be): the quick check says so
    // without building a normalised copy.
    let nfc: std::borrow::Cow<'_, str> = match unicode_normalization::is_nfc_quick(raw.chars()) {
        unicode_normalization::IsNormalized::Yes => raw.into(),
        _ => raw.nfc().collect::<String>().into(),
    };
    let trimmed = nfc.trim();
    if trimmed.is_empty() {
        return Err(FieldErrorKind::Empty);
    }
    if trimmed.chars().any(char::is_control) {
        return Err(FieldErrorKind::ControlCharacter);
    }
    if trimmed.chars().count() > max {
        return Err(FieldErrorKind::TooLong { max });
    }
    Ok(trimmed.to_owned())
}

/// Exactly `len` ASCII digits after trimming.
pub(crate) fn digits_exact(
    raw: &str,
    lens: &[usize],
    err: FieldErrorKind,
) -> Result<String, FieldErrorKind> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(FieldErrorKind::Empty);
    }
    if lens.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_owned())
    } else {
        Err(err)
    }
}

/// A code made of ASCII letters, digits and the given separators, upper-cased, `min..=max`
/// characters, not starting or ending with a separator and with no two separators in a row.
pub(crate) fn canon_code(
    raw: &str,
    min: usize,
    max: usize,
    separators: &[char],
) -> Result<String, FieldErrorKind> {
    let s = canon_free(raw, max)?.to_ascii_uppercase();
    let mut prev_sep = true;
    for ch in s.chars() {
        let is_sep = separators.contains(&ch);
        if !(ch.is_ascii_alphanumeric() || is_sep) || (is_sep && prev_sep) {
            return Err(FieldErrorKind::InvalidCharacter { ch });
        }
        prev_sep = is_sep;
    }
    if let Some(last) = s.chars().last() {
        if separators.contains(&last) {
            return Err(FieldErrorKind::InvalidCharacter { ch: last });
        }
    }
    let n = s.chars().count();
    if n < min {
        return Err(FieldErrorKind::TooShort { min });
    }
    Ok(s)
}

/// Three letters A–Z (ISO 3166-1 alpha-3), upper-cased.
pub(crate) fn canon_nationality(raw: &str) -> Result<String, FieldErrorKind> {
    let s = raw.trim().to_ascii_uppercase();
    if s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(s)
    } else if s.is_empty() {
        Err(FieldErrorKind::Empty)
    } else {
        Err(FieldErrorKind::InvalidNationality)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_is_nfc_trimmed() {
        let decomposed = "  Nguye\u{302}\u{303}n  ";
        assert_eq!(canon_free(decomposed, 100).unwrap(), "Nguyễn");
    }

    #[test]
    fn free_text_rules() {
        assert_eq!(canon_free("   ", 10), Err(FieldErrorKind::Empty));
        assert_eq!(
            canon_free("a\nb", 10),
            Err(FieldErrorKind::ControlCharacter)
        );
        assert_eq!(
            canon_free("ắắắ", 2),
            Err(FieldErrorKind::TooLong { max: 2 })
        );
        assert_eq!(canon_free("ắắ", 2).unwrap(), "ắắ");
        assert_eq!(
            canon_free(&"a".repeat(1000), 2),
            Err(FieldErrorKind::TooLong { max: 2 })
        );
    }

    #[test]
    fn code_rules() {
        assert_eq!(canon_code("ab-12", 2, 10, &['-']).unwrap(), "AB-12");
        assert_eq!(
            canon_code("ab--12", 2, 10, &['-']),
            Err(FieldErrorKind::InvalidCharacter { ch: '-' })
        );
        assert_eq!(
            canon_code("-ab", 2, 10, &['-']),
            Err(FieldErrorKind::InvalidCharacter { ch: '-' })
        );
        assert_eq!(
            canon_code("ab-", 2, 10, &['-']),
            Err(FieldErrorKind::InvalidCharacter { ch: '-' })
        );
        assert_eq!(
            canon_code("a_b", 2, 10, &['-']),
            Err(FieldErrorKind::InvalidCharacter { ch: '_' })
        );
        assert_eq!(
            canon_code("a", 2, 10, &['-']),
            Err(FieldErrorKind::TooShort { min: 2 })
        );
    }

    #[test]
    fn nationality_rules() {
        assert_eq!(canon_nationality("vnm").unwrap(), "VNM");
        assert_eq!(
            canon_nationality("VN"),
            Err(FieldErrorKind::InvalidNationality)
        );
        assert_eq!(
            canon_nationality("V1M"),
            Err(FieldErrorKind::InvalidNationality)
        );
        assert_eq!(canon_nationality(""), Err(FieldErrorKind::Empty));
    }
}
