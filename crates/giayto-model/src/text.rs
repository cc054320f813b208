//! Text canonicalisation shared by every field: NFC, trimming, length and character rules.
//!
//! Each `canon_*` function maps raw input to the stored canonical form or says what is wrong.
//! JSON input is replaced by its canonical form; a decoded credential must already be canonical.

use unicode_normalization::char::{canonical_combining_class, compose, decompose_canonical};

use crate::error::FieldErrorKind;

/// NFC (Unicode Standard Annex #15) from `unicode-normalization`'s canonical primitives:
/// canonical decomposition, canonical ordering, canonical composition. The same result as the
/// crate's `nfc()` (a test compares them), which also links the compatibility decomposition
/// tables (about 70 KB of the web page's WASM) because one iterator serves NFC and NFKC alike
/// (docs/decisions.md D179).
#[cfg_attr(all(feature = "browser-nfc", target_arch = "wasm32"), allow(dead_code))]
pub(crate) fn nfc(raw: &str) -> String {
    // Full canonical decomposition (Hangul syllables included, by the crate's arithmetic).
    let mut chars: Vec<(char, u8)> = Vec::with_capacity(raw.len());
    for c in raw.chars() {
        decompose_canonical(c, |d| chars.push((d, canonical_combining_class(d))));
    }
    // Canonical ordering: each run of non-starters sorted by combining class, stably.
    let mut i = 0;
    while i < chars.len() {
        if chars[i].1 == 0 {
            i += 1;
            continue;
        }
        let end = chars[i..]
            .iter()
            .position(|&(_, ccc)| ccc == 0)
            .map_or(chars.len(), |n| i + n);
        chars[i..end].sort_by_key(|&(_, ccc)| ccc);
        i = end;
    }
    // Canonical composition: each character joins the last starter unless blocked by a
    // character between them of the same or a higher class (or a starter, which would itself
    // be the last starter then).
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    let mut starter: Option<usize> = None;
    let mut last_class: Option<u8> = None;
    for (c, ccc) in chars {
        if let Some(at) = starter {
            let blocked = last_class.is_some_and(|last| last >= ccc);
            if !blocked {
                if let Some(joined) = out.get(at).and_then(|&s| compose(s, c)) {
                    out[at] = joined;
                    continue;
                }
            }
        }
        if ccc == 0 {
            starter = Some(out.len());
            last_class = None;
        } else {
            last_class = Some(ccc);
        }
        out.push(c);
    }
    out.into_iter().collect()
}

/// `raw` in NFC. Most text is already NFC (every decoded credential must be): the quick check
/// says so without building a normalised copy.
#[cfg(not(all(feature = "browser-nfc", target_arch = "wasm32")))]
fn to_nfc(raw: &str) -> std::borrow::Cow<'_, str> {
    match unicode_normalization::is_nfc_quick(raw.chars()) {
        unicode_normalization::IsNormalized::Yes => raw.into(),
        _ => nfc(raw).into(),
    }
}

/// `raw` in NFC by the browser's `String.prototype.normalize` (feature `browser-nfc`, the web
/// page's first-load module: docs/decisions.md D181). ASCII text is NFC as it is. The browser
/// and this crate's tables can differ only on code points one of their Unicode versions has not
/// assigned (Unicode's normalization stability policy).
#[cfg(all(feature = "browser-nfc", target_arch = "wasm32"))]
fn to_nfc(raw: &str) -> std::borrow::Cow<'_, str> {
    if raw.is_ascii() {
        return raw.into();
    }
    let normalized = String::from(js_sys::JsString::from(raw).normalize("NFC"));
    if normalized == raw {
        raw.into()
    } else {
        normalized.into()
    }
}

/// Upper bound on the raw byte length accepted before normalising, as a multiple of the
/// character limit (NFC can compose several code points into one, each up to 4 bytes).
const RAW_BYTES_PER_CHAR: usize = 16;

/// NFC-normalises and trims `raw`, refusing empty, over-long and control-character text.
pub(crate) fn canon_free(raw: &str, max: usize) -> Result<String, FieldErrorKind> {
    if raw.len() > max.saturating_mul(RAW_BYTES_PER_CHAR) {
        return Err(FieldErrorKind::TooLong { max });
    }
    let nfc = to_nfc(raw);
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

    /// The hand-written NFC against the crate's own `nfc()`: every character alone and after
    /// a base letter, Vietnamese letters built from every order of their marks, Hangul jamo
    /// sequences, and random mixes of starters and combining marks.
    #[test]
    fn nfc_is_the_crates_nfc() {
        use unicode_normalization::UnicodeNormalization;
        let crate_nfc = |s: &str| s.nfc().collect::<String>();
        for cp in 0..=0x10FFFFu32 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            for s in [c.to_string(), format!("a{c}"), format!("{c}\u{301}\u{323}")] {
                assert_eq!(nfc(&s), crate_nfc(&s), "U+{cp:04X} in {s:?}");
            }
        }
        let marks = [
            '\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}', '\u{302}', '\u{306}', '\u{31B}',
        ];
        for base in ['a', 'e', 'o', 'u', 'A', 'O', 'ơ', 'ư', 'ạ'] {
            for m1 in marks {
                for m2 in marks {
                    for m3 in marks {
                        let s: String = [base, m1, m2, m3].iter().collect();
                        assert_eq!(nfc(&s), crate_nfc(&s), "{s:?}");
                    }
                }
            }
        }
        for s in [
            "\u{1100}\u{1161}",
            "\u{1100}\u{1161}\u{11A8}",
            "\u{AC00}\u{11A8}",
            "\u{1100}\u{1161}\u{301}\u{11A8}",
        ] {
            assert_eq!(nfc(s), crate_nfc(s), "{s:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn nfc_matches_the_crate_on_random_text(s in "[a-zA-Zđơư\u{300}-\u{36F}\u{1AB0}-\u{1AFF}\u{1DC0}-\u{1DFF}\u{0590}-\u{05FF}\u{0900}-\u{0DFF}\u{1100}-\u{11FF}\u{AC00}-\u{AC20}\u{1E00}-\u{1FFF}\u{FB1D}-\u{FB4F}\u{1D15E}-\u{1D1C0}]{0,24}") {
            use unicode_normalization::UnicodeNormalization;
            proptest::prop_assert_eq!(nfc(&s), s.nfc().collect::<String>());
        }
    }

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
