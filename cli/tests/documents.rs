//! The documents added after the first release, issued and verified as a user would: the
//! social insurance book (VN.BHXH), a company's car, and the 2024 identity card — their card
//! layout in both languages, and bad fields refused with exit 2, named, nothing recorded.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use common::{add_issuer_args, command_with, issuer_init_args, ok, sample, stderr, World, CHECKED};
use serde_json::{json, Value};

/// A root; C06 (`iss`) for identity cards and vehicles; VN.BHXH (`bhxh`) for health insurance
/// cards and social insurance books; `trust.cwt`; an empty `st/`.
fn setup() -> World {
    let w = World::empty(command_with);
    ok(&w.run(&["root", "init", "--dir", "root"]));
    ok(&w.run(&issuer_init_args(
        "iss",
        "VN.BCA.C06",
        "Cục Cảnh sát QLHC về TTXH",
    )));
    ok(&w.run(&add_issuer_args(
        "iss/issuer.pub",
        "VN.BCA.C06",
        "cccd,vehicle",
    )));
    ok(&w.run(&issuer_init_args(
        "bhxh",
        "VN.BHXH",
        "Bảo hiểm xã hội Việt Nam",
    )));
    ok(&w.run(&add_issuer_args("bhxh/issuer.pub", "VN.BHXH", "bhyt,bhxh")));
    w.sign_trust_list("trust.cwt");
    std::fs::create_dir(w.path().join("st")).unwrap();
    w
}

/// Issue `data` as `t` from issuer folder `dir`; publish its lists; the text.
fn issue(w: &World, dir: &str, t: &str, data: &Value) -> String {
    let file = w.write_json(&format!("{t}-{dir}.json"), data);
    let text = ok(&w.run(&["issue", "--dir", dir, "--type", t, "--data", &file]));
    ok(&w.run(&["status", "publish", "--dir", dir, "--out", "st"]));
    text.trim().to_owned()
}

/// The human verification output in `lang`.
fn human(w: &World, lang: &str, text: &str) -> String {
    ok(&w.run_verify(&["--lang", lang], CHECKED, text))
}

fn registry_rows(w: &World, dir: &str) -> u64 {
    use giayto_issuer::registry::{RegistryBackend, SqliteRegistry};
    let mut r = SqliteRegistry::open(&w.path().join(dir).join("registry.sqlite")).unwrap();
    r.count().unwrap()
}

#[test]
fn a_social_insurance_book_is_issued_by_vn_bhxh_and_shown_as_a_book() {
    let w = setup();
    let text = issue(&w, "bhxh", "bhxh", &sample("bhxh"));
    let (c, v) = w.verify(CHECKED, &text);
    assert_eq!(c, Some(0), "{v}");
    assert_eq!(v["doc_type"], "bhxh");
    assert_eq!(v["issuer"], "VN.BHXH");
    assert_eq!(v["fields"]["social_insurance_number"], "0123456789");
    assert_eq!(v["fields"]["months_paid"], 88);
    assert_eq!(v["fields"]["participation_status"], "contributing");
    let vi = human(&w, "vi", &text);
    for want in [
        "Sổ bảo hiểm xã hội",
        "SỔ BẢO HIỂM XÃ HỘI",
        "Mã số BHXH",
        "0123456789",
        "Cơ quan BHXH cấp sổ",
        "Bắt đầu tham gia từ",
        "01/07/2018",
        "Số tháng đã đóng",
        "Tình trạng tham gia",
        "Đang đóng",
        "Số liệu tính đến ngày",
        "31/12/2025",
    ] {
        assert!(vi.contains(want), "{want}\n{vi}");
    }
    let en = human(&w, "en", &text);
    for want in [
        "SOCIAL INSURANCE BOOK",
        "Social insurance number",
        "Months paid",
        "Participation status",
        "Contributing",
        "Summary as of",
    ] {
        assert!(en.contains(want), "{want}\n{en}");
    }
    // C06, not authorised for the book, signs one: refused.
    let text = issue(&w, "iss", "bhxh", &sample("bhxh"));
    let (c, v) = w.verify(CHECKED, &text);
    assert_eq!(c, Some(1));
    assert_eq!(v["verdict"], "issuer_not_authorized");
}

#[test]
fn a_book_with_a_bad_field_is_refused_naming_it_in_both_languages() {
    let w = setup();
    let tomorrow = (time::OffsetDateTime::now_utc() + time::Duration::days(2)).date();
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "months_paid",
            json!(91),
            "nhiều hơn 90 tháng",
            "more months paid than the 90 months",
        ),
        (
            "summary_date",
            json!(format!("{tomorrow}")),
            "muộn hơn hôm nay",
            "later than today",
        ),
        (
            "social_insurance_number",
            json!("12345"),
            "mã số BHXH phải gồm đúng 10 chữ số",
            "exactly 10 digits",
        ),
        (
            "office_code",
            json!("00-001"),
            "mã cơ quan BHXH",
            "social insurance office code",
        ),
        (
            "participation_status",
            json!("retired"),
            "tình trạng tham gia",
            "participation status",
        ),
    ];
    for (field, value, vi, en) in cases {
        let mut data = sample("bhxh");
        data[field] = value;
        let file = w.write_json(&format!("bad-{field}.json"), &data);
        for (lang, want) in [("vi", vi), ("en", en)] {
            let out = w.run(&[
                "--lang", lang, "issue", "--dir", "bhxh", "--type", "bhxh", "--data", &file,
            ]);
            assert_eq!(out.status.code(), Some(2), "{field}");
            let err = stderr(&out);
            assert!(err.contains(field), "{field}: {err}");
            assert!(err.contains(want), "{field} {lang}: {err}");
        }
    }
    assert_eq!(registry_rows(&w, "bhxh"), 0, "nothing was recorded");
}

#[test]
fn a_company_car_is_issued_and_shown_with_its_enterprise_code() {
    let w = setup();
    let company = giayto_model::sample_organisation_vehicle();
    let text = issue(&w, "iss", "vehicle", &company);
    let (c, v) = w.verify(CHECKED, &text);
    assert_eq!(c, Some(0), "{v}");
    assert_eq!(v["fields"]["owner_enterprise_code"], "0123456787");
    assert_eq!(v["fields"]["owner_name"], "Công ty TNHH Vận tải Mẫu");
    assert!(v["fields"].get("owner_id_number").is_none());
    let vi = human(&w, "vi", &text);
    assert!(vi.contains("Mã số doanh nghiệp chủ xe"), "{vi}");
    let en = human(&w, "en", &text);
    assert!(
        en.contains("Owner's enterprise code") && en.contains("0123456787"),
        "{en}"
    );
    // A person's car is unchanged.
    let text = issue(&w, "iss", "vehicle", &sample("vehicle"));
    let (_, v) = w.verify(CHECKED, &text);
    assert_eq!(v["fields"]["owner_id_number"], "001196012345");

    // Both owners, or a bad code: refused, named, nothing recorded.
    let before = registry_rows(&w, "iss");
    let mut both = company.clone();
    both["owner_id_number"] = json!("001196012345");
    let mut bad = company.clone();
    bad["owner_enterprise_code"] = json!("0123456788");
    let mut neither = company;
    neither
        .as_object_mut()
        .unwrap()
        .remove("owner_enterprise_code");
    for (name, data, en) in [
        (
            "both",
            both,
            "cannot be given together with owner_id_number",
        ),
        ("bad", bad, "valid check digit"),
        (
            "neither",
            neither,
            "or else owner_enterprise_code, is required",
        ),
    ] {
        let file = w.write_json(&format!("car-{name}.json"), &data);
        let out = w.run(&[
            "--lang", "en", "issue", "--dir", "iss", "--type", "vehicle", "--data", &file,
        ]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(stderr(&out).contains(en), "{name}: {}", stderr(&out));
    }
    assert_eq!(registry_rows(&w, "iss"), before);
}

#[test]
fn a_2024_identity_card_is_issued_and_laid_out_as_one() {
    let w = setup();
    let text = issue(&w, "iss", "cccd", &giayto_model::sample_can_cuoc_2024());
    let (c, v) = w.verify(CHECKED, &text);
    assert_eq!(c, Some(0), "{v}");
    assert_eq!(v["fields"]["card_generation"], "can_cuoc_2024");
    let vi = human(&w, "vi", &text);
    assert!(vi.contains("\n  CĂN CƯỚC\n"), "{vi}");
    assert!(vi.contains("Thẻ căn cước (2024)"), "{vi}");
    assert!(vi.contains("Nơi đăng ký khai sinh"), "{vi}");
    assert!(!vi.contains("Quê quán"), "{vi}");
    assert!(!vi.contains("Số CMND cũ"), "{vi}");
    let en = human(&w, "en", &text);
    assert!(en.contains("\n  IDENTITY CARD\n"), "{en}");
    assert!(en.contains("Place of birth registration"), "{en}");
    // The 2021 card keeps its own title and place of origin.
    let text = issue(&w, "iss", "cccd", &sample("cccd"));
    let vi = human(&w, "vi", &text);
    assert!(vi.contains("\n  CĂN CƯỚC CÔNG DÂN\n"), "{vi}");
    assert!(vi.contains("Quê quán"), "{vi}");
    // A place of origin on a 2024 card is refused, named.
    let mut wrong = giayto_model::sample_can_cuoc_2024();
    wrong["place_of_origin"] = json!("Lạng Sơn");
    let file = w.write_json("wrong-2024.json", &wrong);
    let out = w.run(&[
        "--lang", "en", "issue", "--dir", "iss", "--type", "cccd", "--data", &file,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("place_of_origin"), "{}", stderr(&out));
}
