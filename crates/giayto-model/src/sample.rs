//! Synthetic sample inputs: one made-up person across all five documents, her 2024 identity
//! card, and a made-up company's car.

use serde_json::{json, Value as Json};

use crate::DocType;

/// The made-up holder's name (Mẫu means "sample").
pub const SAMPLE_NAME: &str = "Trần Thị Mẫu";
/// The made-up holder's date of birth.
pub const SAMPLE_DATE_OF_BIRTH: &str = "1996-05-17";
/// The made-up holder's ID number: 001 Hà Nội, 1 = female born 1900–1999, 96 = 1996.
pub const SAMPLE_ID_NUMBER: &str = "001196012345";

/// The made-up company's enterprise code (10 digits, valid check digit).
pub const SAMPLE_ENTERPRISE_CODE: &str = "0123456787";

const ADDRESS: &str = "Số 12 ngõ 34 phố Mẫu, phường Điện Biên, quận Ba Đình, Hà Nội";

/// Synthetic issuance input for one made-up person (same name, date of birth and ID number
/// on every document), valid at least from 2026-01-01 to 2035-12-31.
///
/// ```
/// use giayto_model::{sample_input, DocType, Document};
/// for t in DocType::ALL {
///     let doc = Document::from_json(t, &sample_input(t)).unwrap();
///     assert_eq!(doc.holder_name(), "Trần Thị Mẫu");
/// }
/// ```
pub fn sample_input(doc_type: DocType) -> Json {
    match doc_type {
        DocType::Cccd => json!({
            "card_generation": "cccd_2021",
            "id_number": SAMPLE_ID_NUMBER,
            "full_name": SAMPLE_NAME,
            "date_of_birth": SAMPLE_DATE_OF_BIRTH,
            "sex": "female",
            "nationality": "VNM",
            "place_of_origin": "Xã Mẫu Sơn, huyện Lộc Bình, Lạng Sơn",
            "place_of_residence": ADDRESS,
            "issue_date": "2021-04-10",
            "expiry_date": "2036-05-17",
            "old_id_number": "012345678"
        }),
        DocType::Gplx => json!({
            "licence_number": "010123456789",
            "full_name": SAMPLE_NAME,
            "date_of_birth": SAMPLE_DATE_OF_BIRTH,
            "id_number": SAMPLE_ID_NUMBER,
            "nationality": "VNM",
            "residence": ADDRESS,
            "classes": [
                {"class": "A1", "issue_date": "2015-08-05"},
                {"class": "B", "issue_date": "2025-12-22", "expiry_date": "2035-12-22"}
            ],
            "issuing_authority": "Sở Xây dựng Hà Nội",
            "issue_date": "2025-12-22"
        }),
        DocType::Vehicle => json!({
            "registration_number": "012345",
            "plate": "29A-123.45",
            "owner_name": SAMPLE_NAME,
            "owner_id_number": SAMPLE_ID_NUMBER,
            "owner_address": ADDRESS,
            "vehicle_type": "Ô tô con",
            "brand": "Mẫu Motor",
            "model": "M5",
            "colour": "Trắng",
            "chassis_number": "RLM5A1234567890XY",
            "engine_number": "M15A-123456",
            "registration_date": "2024-09-10",
            "seats": 5,
            "engine_capacity_cc": 1496
        }),
        DocType::Bhyt => json!({
            "card_number": "0123456789",
            "full_name": SAMPLE_NAME,
            "date_of_birth": SAMPLE_DATE_OF_BIRTH,
            "sex": "female",
            "id_number": SAMPLE_ID_NUMBER,
            "address": ADDRESS,
            "facility_code": "01-001",
            "facility_name": "Trạm y tế phường Mẫu",
            "valid_from": "2025-01-01",
            "valid_to": "2035-12-31",
            "five_year_from": "2020-01-01",
            "benefit_level": 4
        }),
        DocType::Bhxh => json!({
            "social_insurance_number": "0123456789",
            "full_name": SAMPLE_NAME,
            "date_of_birth": SAMPLE_DATE_OF_BIRTH,
            "sex": "female",
            "id_number": SAMPLE_ID_NUMBER,
            "office_code": "01-001",
            "office_name": "Bảo hiểm xã hội quận Ba Đình",
            "issue_date": "2018-08-20",
            "first_insured_date": "2018-07-01",
            "months_paid": 88,
            "participation_status": "contributing",
            "summary_date": "2025-12-31"
        }),
    }
}

/// The same person's 2024 identity card (thẻ căn cước, Identity Law 2023), which replaced her
/// 2021 card: place of birth registration instead of place of origin, and no old ID number.
///
/// ```
/// use giayto_model::{sample_can_cuoc_2024, CardGeneration, DocType, Document};
/// let Document::Cccd(card) = Document::from_json(DocType::Cccd, &sample_can_cuoc_2024()).unwrap()
/// else { unreachable!() };
/// assert_eq!(card.card_generation, CardGeneration::CanCuoc2024);
/// assert_eq!(card.old_id_number, None);
/// ```
pub fn sample_can_cuoc_2024() -> Json {
    json!({
        "card_generation": "can_cuoc_2024",
        "id_number": SAMPLE_ID_NUMBER,
        "full_name": SAMPLE_NAME,
        "date_of_birth": SAMPLE_DATE_OF_BIRTH,
        "sex": "female",
        "nationality": "VNM",
        "place_of_birth_registration": "Xã Mẫu Sơn, huyện Lộc Bình, Lạng Sơn",
        "place_of_residence": ADDRESS,
        "issue_date": "2025-03-10",
        "expiry_date": "2036-05-17"
    })
}

/// A car registered to a made-up company (schema version 2 of the vehicle registration):
/// `owner_enterprise_code` in place of `owner_id_number`.
///
/// ```
/// use giayto_model::{sample_organisation_vehicle, DocType, Document};
/// let doc = Document::from_json(DocType::Vehicle, &sample_organisation_vehicle()).unwrap();
/// assert_eq!(doc.schema_version(), 2);
/// assert_eq!(doc.holder_id_number(), None);
/// ```
pub fn sample_organisation_vehicle() -> Json {
    json!({
        "registration_number": "067890",
        "plate": "29C-456.78",
        "owner_name": "Công ty TNHH Vận tải Mẫu",
        "owner_enterprise_code": SAMPLE_ENTERPRISE_CODE,
        "owner_address": "Số 5 phố Mẫu, phường Phúc Xá, quận Ba Đình, Hà Nội",
        "vehicle_type": "Ô tô tải",
        "brand": "Mẫu Motor",
        "model": "T3",
        "colour": "Xanh",
        "chassis_number": "RLM3T9876543210AB",
        "engine_number": "T25D-654321",
        "registration_date": "2025-02-14",
        "seats": 3,
        "engine_capacity_cc": 2499
    })
}
