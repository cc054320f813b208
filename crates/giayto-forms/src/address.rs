//! Splitting a Vietnamese address into house and street, ward, district and province, where the
//! value allows it (docs/forms.md §5.4).
//!
//! An address is read as comma-separated parts, the largest unit last. The last part is the
//! province when it carries a province prefix (`Tỉnh`, `Thành phố`, `TP.`) or is the name of a
//! province; the part before it is the district when it carries a district prefix (`Quận`,
//! `Huyện`, `Thị xã`, `Thành phố`, `Q.`, `H.`, `TX.`, `TP.`); the part before that (or before the
//! province, for an address of the two-level administration from 2025) is the ward when it
//! carries a ward prefix (`Phường`, `Xã`, `Thị trấn`, `Đặc khu`, `P.`, `X.`, `TT.`); everything
//! before a recognised ward is the house number and street. A part that is not recognised is
//! not guessed: it stays unfilled, never written into the wrong box.

use unicode_normalization::UnicodeNormalization;

use crate::spec::AddressPart;

const WARD: &[&str] = &["phuong ", "xa ", "thi tran ", "dac khu ", "p.", "x.", "tt."];
const DISTRICT: &[&str] = &[
    "quan ",
    "huyen ",
    "thi xa ",
    "thanh pho ",
    "q.",
    "h.",
    "tx.",
    "tp.",
];
const PROVINCE: &[&str] = &["tinh ", "thanh pho ", "tp.", "tp "];

/// Lower case without diacritics, `đ` as `d`, single spaces: for comparing, never for output.
fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfd() {
        match c {
            'đ' | 'Đ' => out.push('d'),
            c if unicode_normalization::char::is_combining_mark(c) => {}
            c if c.is_whitespace() => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

fn has_prefix(part: &str, prefixes: &[&str]) -> bool {
    let f = fold(part);
    prefixes
        .iter()
        .any(|p| f.starts_with(p) && f.len() > p.len())
}

fn is_province(part: &str) -> bool {
    if has_prefix(part, PROVINCE) {
        return true;
    }
    let f = fold(part);
    giayto_model::PROVINCES
        .iter()
        .any(|(_, name)| fold(name) == f)
}

/// The parts of an address that could be recognised.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SplitAddress {
    /// House number and street: everything before a recognised ward.
    pub street: Option<String>,
    /// Ward, commune or township.
    pub ward: Option<String>,
    /// District, when the address has one.
    pub district: Option<String>,
    /// Province or centrally governed city.
    pub province: Option<String>,
}

impl SplitAddress {
    /// One part.
    pub fn part(&self, part: AddressPart) -> Option<&str> {
        match part {
            AddressPart::Street => self.street.as_deref(),
            AddressPart::Ward => self.ward.as_deref(),
            AddressPart::District => self.district.as_deref(),
            AddressPart::Province => self.province.as_deref(),
        }
    }
}

/// Split an address; each part is written as in the address (prefix and case kept).
pub fn split_address(address: &str) -> SplitAddress {
    let mut parts: Vec<&str> = address
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let mut out = SplitAddress::default();
    if parts.len() < 2 || !parts.last().is_some_and(|p| is_province(p)) {
        return out;
    }
    out.province = parts.pop().map(str::to_owned);
    if parts.len() >= 2 && parts.last().is_some_and(|p| has_prefix(p, DISTRICT)) {
        out.district = parts.pop().map(str::to_owned);
    }
    if parts.len() >= 2 && parts.last().is_some_and(|p| has_prefix(p, WARD)) {
        out.ward = parts.pop().map(str::to_owned);
        out.street = Some(parts.join(", "));
    } else if parts.len() == 1 && has_prefix(parts[0], WARD) && out.district.is_some() {
        // Only a ward before the district: no street given.
        out.ward = parts.pop().map(str::to_owned);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_address_splits_into_four_parts() {
        let a = split_address("Số 12 ngõ 34 phố Mẫu, phường Điện Biên, quận Ba Đình, Hà Nội");
        assert_eq!(a.street.as_deref(), Some("Số 12 ngõ 34 phố Mẫu"));
        assert_eq!(a.ward.as_deref(), Some("phường Điện Biên"));
        assert_eq!(a.district.as_deref(), Some("quận Ba Đình"));
        assert_eq!(a.province.as_deref(), Some("Hà Nội"));
    }

    #[test]
    fn two_level_addresses_have_no_district() {
        let a = split_address("Số 5, đường Lý Thường Kiệt, Phường Hoàn Kiếm, Thành phố Hà Nội");
        assert_eq!(a.street.as_deref(), Some("Số 5, đường Lý Thường Kiệt"));
        assert_eq!(a.ward.as_deref(), Some("Phường Hoàn Kiếm"));
        assert_eq!(a.district, None);
        assert_eq!(a.province.as_deref(), Some("Thành phố Hà Nội"));
    }

    #[test]
    fn abbreviations_and_spelling_variants() {
        let a = split_address("123 Lê Lợi, P. Bến Nghé, Q.1, TP. Hồ Chí Minh");
        assert_eq!(a.ward.as_deref(), Some("P. Bến Nghé"));
        assert_eq!(a.district.as_deref(), Some("Q.1"));
        assert_eq!(a.province.as_deref(), Some("TP. Hồ Chí Minh"));
        // The old and new tone placement of a province name.
        let b = split_address("Xóm 3, Xã Mẫu, Huyện Lạc Sơn, Hòa Bình");
        assert_eq!(b.province.as_deref(), Some("Hòa Bình"));
        assert_eq!(b.street.as_deref(), Some("Xóm 3"));
    }

    #[test]
    fn what_is_not_recognised_is_not_guessed() {
        // A ward without its prefix: neither ward nor street is filled.
        let a = split_address("12 Lê Lợi, Bến Nghé, Quận 1, TP Hồ Chí Minh");
        assert_eq!(a.ward, None);
        assert_eq!(a.street, None);
        assert_eq!(a.district.as_deref(), Some("Quận 1"));
        // No province at the end: nothing at all.
        assert_eq!(split_address("Phòng 402, nhà A"), SplitAddress::default());
        assert_eq!(split_address("Hà Nội"), SplitAddress::default());
        assert_eq!(split_address(""), SplitAddress::default());
        // A ward only, without a street.
        let b = split_address("Xã Mẫu Sơn, huyện Lộc Bình, Lạng Sơn");
        assert_eq!(b.ward.as_deref(), Some("Xã Mẫu Sơn"));
        assert_eq!(b.street, None);
        // A prefix alone is no name.
        assert_eq!(split_address("1 Đường A, Phường , Hà Nội").ward, None);
    }
}
