//! The GPLX's fields as mDL data elements, and the Vietnamese licence classes as ISO 18013-5
//! vehicle categories (docs/format.md §17.2 and §17.3; the same tables are in docs/interop.md).

use ciborium::Value;
use giayto_model::{ClassEntry, Gplx, LicenceClass};
use time::Date;

use crate::cbor::full_date;

/// ISO 3166-1 alpha-2 code of the issuing country.
pub const ISSUING_COUNTRY: &str = "VN";
/// The distinguishing sign of Viet Nam under the 1968 Vienna Convention on Road Traffic.
pub const UN_DISTINGUISHING_SIGN: &str = "VN";
/// The `age_over_NN` elements written: the ages the 2024 law sets for its classes (16 for
/// mopeds below 50 cm3, 18 for A1–C1, 21 for C, 24 for D1/D2, 27 for D) that readers ask for
/// most, 18 and 21, and 16 and 24.
pub const AGE_OVER: [i32; 4] = [16, 18, 21, 24];

/// Where a Vietnamese class goes among the ISO 18013-5 vehicle categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CategoryMapping {
    /// The class.
    pub class: LicenceClass,
    /// Whether the class is the one of the 2008 law (a 2008-only class, or A1, B1, C, D
    /// granted before 2025), whose meaning differs.
    pub legacy: bool,
    /// The ISO 18013-5 / 18013-1 `vehicle_category_code`, or `None` if no category holds it.
    pub category: Option<&'static str>,
    /// The national code written in `codes` when the category is wider than the class (the
    /// reader learns the exact Vietnamese class from it).
    pub code: Option<&'static str>,
}

/// The mapping of a class (docs/format.md §17.3).
pub fn category(class: LicenceClass, legacy: bool) -> CategoryMapping {
    use LicenceClass as C;
    let (category, code) = if !legacy {
        match class {
            C::A1 => (Some("A1"), None),
            C::A => (Some("A"), None),
            C::B1 => (Some("B1"), None),
            C::B => (Some("B"), None),
            C::C1 => (Some("C1"), None),
            C::C => (Some("C"), None),
            C::D1 => (Some("D1"), None),
            // 16 to 29 passenger seats: inside ISO D, narrower than it.
            C::D2 => (Some("D"), Some("VN-D2")),
            C::D => (Some("D"), None),
            C::BE => (Some("BE"), None),
            C::C1E => (Some("C1E"), None),
            C::CE => (Some("CE"), None),
            C::D1E => (Some("D1E"), None),
            C::D2E => (Some("DE"), Some("VN-D2E")),
            C::DE => (Some("DE"), None),
            // 2008-only names are always legacy; kept total for safety.
            other => legacy_category(other),
        }
    } else {
        legacy_category(class)
    };
    CategoryMapping {
        class,
        legacy,
        category,
        code,
    }
}

/// Classes of the 2008 law: the category that holds the vehicles the class allows, with the
/// class under its 2008 name as a national code.
fn legacy_category(class: LicenceClass) -> (Option<&'static str>, Option<&'static str>) {
    use LicenceClass as C;
    match class {
        // Motorcycles 50 to below 175 cm3: more than ISO A1 allows.
        C::A1 => (Some("A"), Some("VN2008-A1")),
        C::A2 => (Some("A"), Some("VN2008-A2")),
        // Three-wheeled motorcycles.
        C::A3 => (Some("B1"), Some("VN2008-A3")),
        // Tractors up to 1,000 kg: no ISO 18013-5 category holds them.
        C::A4 => (None, None),
        C::B1 => (Some("B"), Some("VN2008-B1")),
        C::B2 => (Some("B"), Some("VN2008-B2")),
        C::C => (Some("C"), Some("VN2008-C")),
        C::D => (Some("D"), Some("VN2008-D")),
        C::E => (Some("D"), Some("VN2008-E")),
        C::FB2 => (Some("BE"), Some("VN2008-FB2")),
        C::FC => (Some("CE"), Some("VN2008-FC")),
        C::FD => (Some("DE"), Some("VN2008-FD")),
        C::FE => (Some("DE"), Some("VN2008-FE")),
        // A 2024-only name cannot be legacy (ClassEntry::legacy); map it as the 2024 class.
        other => {
            let m = category(other, false);
            (m.category, m.code)
        }
    }
}

/// One `driving_privileges` entry, or `None` for a class no category holds (A4).
pub fn privilege(entry: &ClassEntry) -> Option<Value> {
    let m = category(entry.class, entry.legacy());
    let cat = m.category?;
    let mut map = vec![
        (
            Value::Text("vehicle_category_code".into()),
            Value::Text(cat.into()),
        ),
        (
            Value::Text("issue_date".into()),
            full_date(entry.issue_date),
        ),
    ];
    if let Some(exp) = entry.expiry_date {
        map.push((Value::Text("expiry_date".into()), full_date(exp)));
    }
    if let Some(code) = m.code {
        map.push((
            Value::Text("codes".into()),
            Value::Array(vec![Value::Map(vec![(
                Value::Text("code".into()),
                Value::Text(code.into()),
            )])]),
        ));
    }
    Some(Value::Map(map))
}

/// Split a Vietnamese full name, family name first: the first word is the `family_name`, the
/// rest (middle and given names) the `given_name`. A one-word name is the family name and an
/// empty given name.
pub fn split_name(full_name: &str) -> (String, String) {
    let mut words = full_name.split_whitespace();
    let family = words.next().unwrap_or_default().to_owned();
    let given = words.collect::<Vec<_>>().join(" ");
    (family, given)
}

/// Age in whole years on `on`.
fn age_on(birth: Date, on: Date) -> i32 {
    giayto_model::date::age_on(birth, on)
}

/// The data elements of namespace `org.iso.18013.5.1`, in the order written: every element of
/// docs/format.md §17.2. `expiry_date` is the mdoc's own last day (see there); `signed_on` is
/// the day the `age_over_NN` values are computed for.
pub fn elements(
    gplx: &Gplx,
    expiry_date: Date,
    signed_on: Date,
    portrait: Option<&[u8]>,
) -> Vec<(&'static str, Value)> {
    let (family, given) = split_name(&gplx.full_name);
    let mut out: Vec<(&'static str, Value)> = vec![
        ("family_name", Value::Text(family)),
        ("given_name", Value::Text(given)),
        ("birth_date", full_date(gplx.date_of_birth)),
        ("issue_date", full_date(gplx.issue_date)),
        ("expiry_date", full_date(expiry_date)),
        ("issuing_country", Value::Text(ISSUING_COUNTRY.into())),
        (
            "issuing_authority",
            Value::Text(gplx.issuing_authority.clone()),
        ),
        ("document_number", Value::Text(gplx.licence_number.clone())),
    ];
    if let Some(p) = portrait {
        out.push(("portrait", Value::Bytes(p.to_vec())));
    }
    out.push((
        "driving_privileges",
        Value::Array(gplx.classes.iter().filter_map(privilege).collect()),
    ));
    out.push((
        "un_distinguishing_sign",
        Value::Text(UN_DISTINGUISHING_SIGN.into()),
    ));
    let age = age_on(gplx.date_of_birth, signed_on);
    for nn in AGE_OVER {
        let name = match nn {
            16 => "age_over_16",
            18 => "age_over_18",
            21 => "age_over_21",
            _ => "age_over_24",
        };
        out.push((name, Value::Bool(age >= nn)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_2024_class_has_a_category_and_only_d2_and_d2e_a_code() {
        for c in LicenceClass::ALL.into_iter().filter(|c| c.in_2024_law()) {
            let m = category(c, false);
            assert!(m.category.is_some(), "{c}");
            let narrower = matches!(c, LicenceClass::D2 | LicenceClass::D2E);
            assert_eq!(m.code.is_some(), narrower, "{c}");
            if !narrower {
                assert_eq!(m.category, Some(c.as_str()), "{c} maps to itself");
            }
        }
    }

    #[test]
    fn legacy_classes_carry_their_2008_name_except_a4() {
        for c in LicenceClass::ALL.into_iter().filter(|c| c.in_2008_law()) {
            let m = category(c, true);
            if c == LicenceClass::A4 {
                assert_eq!(m.category, None);
            } else {
                assert_eq!(m.code, Some(format!("VN2008-{c}")).as_deref(), "{c}");
            }
        }
    }

    #[test]
    fn names_split_family_first() {
        assert_eq!(
            split_name("Nguyễn Văn  An"),
            ("Nguyễn".to_owned(), "Văn An".to_owned())
        );
        assert_eq!(split_name("Lê"), ("Lê".to_owned(), String::new()));
    }
}
