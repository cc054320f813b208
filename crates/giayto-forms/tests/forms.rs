//! The shipped forms (forms/*.json) filled from the test vectors' credentials: valid ones fill,
//! a selective presentation fills only what it disclosed, credentials of two people are
//! refused, malformed form files are refused with named errors.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

use std::path::PathBuf;

use giayto_forms::{fill, FillError, FilledForm, Form, FormError, Unfilled};
use giayto_verify::{Verdict, VerifiedCredential, Verifier, VerifyingKey};
use serde_json::{json, Value};

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

fn read_json(path: &str) -> Value {
    serde_json::from_slice(&std::fs::read(repo(path)).unwrap()).unwrap()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn verifier() -> Verifier {
    let creds = read_json("test-vectors/credentials.json");
    let root: [u8; 32] = unhex(creds["root_public_key"].as_str().unwrap())
        .try_into()
        .unwrap();
    let trust = std::fs::read(repo("test-vectors/trust.cwt")).unwrap();
    Verifier::new(VerifyingKey::from_bytes(&root).unwrap(), &trust).unwrap()
}

/// A vector of `file` by name: its text and time.
fn vector(file: &str, name: &str) -> (String, i64) {
    let all = read_json(&format!("test-vectors/{file}"));
    let v = all["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no vector {name}"))
        .clone();
    (
        v["text"].as_str().unwrap().to_owned(),
        v["at"].as_i64().unwrap(),
    )
}

fn verified(file: &str, name: &str) -> (VerifiedCredential, i64) {
    let (text, at) = vector(file, name);
    let report = verifier().check(&text, at);
    assert_eq!(report.verdict(), Verdict::Valid, "{name}");
    (report.into_result().unwrap(), at)
}

fn form(name: &str) -> Form {
    Form::from_slice(&std::fs::read(repo(&format!("forms/{name}.json"))).unwrap()).unwrap()
}

fn value<'f>(f: &'f FilledForm, id: &str) -> Option<&'f str> {
    f.fields
        .iter()
        .find(|x| x.id == id)
        .unwrap_or_else(|| panic!("no field {id}"))
        .value
        .as_deref()
}

fn unfilled(f: &FilledForm, id: &str) -> Option<Unfilled> {
    f.fields.iter().find(|x| x.id == id).unwrap().unfilled
}

#[test]
fn every_shipped_form_loads() {
    let mut n = 0;
    for entry in std::fs::read_dir(repo("forms")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let f = Form::from_slice(&std::fs::read(&path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(
                path.file_stem().unwrap().to_str().unwrap(),
                f.id,
                "file name = form id"
            );
            n += 1;
        }
    }
    assert!(n >= 3);
}

#[test]
fn hotel_stay_from_the_cccd() {
    let (cccd, at) = verified("credentials.json", "valid_cccd");
    let f = fill(&form("hotel-guest-stay"), &[&cccd], at).unwrap();
    assert_eq!(value(&f, "full_name"), Some("TRẦN THỊ MẪU"));
    assert_eq!(value(&f, "date_of_birth"), Some("17/05/1996"));
    assert_eq!(value(&f, "sex"), Some("Nữ"));
    assert_eq!(value(&f, "id_number"), Some("001196012345"));
    assert_eq!(value(&f, "nationality"), Some("Việt Nam"));
    assert_eq!(
        value(&f, "residence"),
        Some("Số 12 ngõ 34 phố Mẫu, phường Điện Biên, quận Ba Đình, Hà Nội")
    );
    assert_eq!(value(&f, "document"), Some("001196012345"));
    for id in ["phone", "stay_from", "stay_to", "room", "reason"] {
        assert_eq!(unfilled(&f, id), Some(Unfilled::Manual), "{id}");
    }
    assert!(!f.is_complete());
    let j = f.to_json();
    assert_eq!(j["form"], "hotel-guest-stay");
    assert_eq!(j["complete"], false);
    assert_eq!(j["fields"][0]["source"], "cccd.full_name");
    assert_eq!(
        j["unfilled"],
        json!(["phone", "stay_from", "stay_to", "room", "reason"])
    );
}

#[test]
fn hotel_stay_from_a_licence_or_a_health_card() {
    let (gplx, at) = verified("credentials.json", "valid_gplx");
    let f = fill(&form("hotel-guest-stay"), &[&gplx], at).unwrap();
    assert_eq!(value(&f, "full_name"), Some("TRẦN THỊ MẪU"));
    assert_eq!(f.fields[0].source.as_deref(), Some("gplx.full_name"));
    assert_eq!(value(&f, "document"), Some("010123456789"));
    // The licence has no sex and no health card was shown.
    assert_eq!(unfilled(&f, "sex"), Some(Unfilled::NoCredential));
    let (bhyt, _) = verified("credentials.json", "valid_bhyt");
    let f = fill(&form("hotel-guest-stay"), &[&gplx, &bhyt], at).unwrap();
    assert_eq!(value(&f, "sex"), Some("Nữ"));
    // Without a licence or CCCD the document number stays unfilled.
    let f = fill(&form("hotel-guest-stay"), &[&bhyt], at).unwrap();
    assert_eq!(unfilled(&f, "document"), Some(Unfilled::NoCredential));
    assert_eq!(
        value(&f, "residence").map(|r| r.ends_with("Hà Nội")),
        Some(true)
    );
}

#[test]
fn ct01_splits_the_date_and_the_address() {
    let (cccd, at) = verified("credentials.json", "valid_cccd");
    let f = fill(&form("ct01-residence-change"), &[&cccd], at).unwrap();
    assert_eq!(value(&f, "full_name"), Some("TRẦN THỊ MẪU"));
    assert_eq!(value(&f, "birth_day"), Some("17"));
    assert_eq!(value(&f, "birth_month"), Some("05"));
    assert_eq!(value(&f, "birth_year"), Some("1996"));
    assert_eq!(value(&f, "sex"), Some("Nữ"));
    assert_eq!(value(&f, "residence_street"), Some("Số 12 ngõ 34 phố Mẫu"));
    assert_eq!(value(&f, "residence_ward"), Some("phường Điện Biên"));
    assert_eq!(value(&f, "residence_district"), Some("quận Ba Đình"));
    assert_eq!(value(&f, "residence_province"), Some("Hà Nội"));
    assert_eq!(unfilled(&f, "recipient"), Some(Unfilled::Manual));
    // A licence cannot fill CT01: it names only the CCCD.
    let (gplx, _) = verified("credentials.json", "valid_gplx");
    let f = fill(&form("ct01-residence-change"), &[&gplx], at).unwrap();
    assert!(f.fields.iter().all(|x| x.value.is_none()));
    assert_eq!(unfilled(&f, "full_name"), Some(Unfilled::NoCredential));
}

#[test]
fn bank_identity_block_with_issuer_and_age() {
    let (cccd, at) = verified("credentials.json", "valid_cccd");
    let f = fill(&form("bank-account-identity"), &[&cccd], at).unwrap();
    assert_eq!(value(&f, "id_issue_date"), Some("10/04/2021"));
    assert_eq!(value(&f, "id_expiry"), Some("17/05/2036"));
    assert_eq!(
        value(&f, "id_issued_by"),
        Some(cccd.issuer().name_vi.as_str())
    );
    assert_eq!(value(&f, "adult"), Some("Có"));
    assert_eq!(value(&f, "nationality"), Some("Việt Nam"));
    // Age is counted on the day of the check (Vietnam time): 18 on 17/05/2014.
    let birthday_18 = 1_400_259_600; // 2014-05-17T00:00:00+07:00
    let f = fill(&form("bank-account-identity"), &[&cccd], birthday_18).unwrap();
    assert_eq!(value(&f, "adult"), Some("Có"));
    let f = fill(&form("bank-account-identity"), &[&cccd], birthday_18 - 1).unwrap();
    assert_eq!(value(&f, "adult"), Some("Không"));
}

#[test]
fn a_selective_presentation_fills_only_what_it_disclosed() {
    let (sd, at) = verified("disclosures.json", "sd_full_name_and_id_number");
    assert!(sd.disclosed().is_some());
    let f = fill(&form("hotel-guest-stay"), &[&sd], at).unwrap();
    assert_eq!(value(&f, "full_name"), Some("TRẦN THỊ MẪU"));
    assert_eq!(value(&f, "id_number"), Some("001196012345"));
    for id in ["date_of_birth", "sex", "residence", "nationality"] {
        assert_eq!(unfilled(&f, id), Some(Unfilled::NotDisclosed), "{id}");
    }
    // Only an age predicate: the bank learns the holder is an adult, nothing else.
    let (age, at) = verified("disclosures.json", "sd_age_over_18");
    let f = fill(&form("bank-account-identity"), &[&age], at).unwrap();
    assert_eq!(value(&f, "adult"), Some("Có"));
    let filled: Vec<&str> = f
        .fields
        .iter()
        .filter(|x| x.value.is_some())
        .map(|x| x.id.as_str())
        .collect();
    assert_eq!(filled, ["adult", "id_issued_by"]);
    assert_eq!(unfilled(&f, "full_name"), Some(Unfilled::NotDisclosed));
}

#[test]
fn an_invalid_credential_gives_nothing_to_fill_with() {
    let (text, at) = vector("status.json", "status_revoked");
    let report = verifier().check(&text, at);
    assert_ne!(report.verdict(), Verdict::Valid);
    assert!(report.verified().is_none());
    let (text, at) = vector("credentials.json", "bad_signature");
    assert!(verifier().check(&text, at).verified().is_none());
    // With no verified credential every sourced field says so.
    let f = fill(&form("hotel-guest-stay"), &[], at).unwrap();
    assert!(f.fields.iter().all(|x| x.value.is_none()));
    assert_eq!(unfilled(&f, "full_name"), Some(Unfilled::NoCredential));
    assert_eq!(unfilled(&f, "room"), Some(Unfilled::Manual));
}

/// A CCCD of someone else, signed with the vectors' police key.
fn other_persons_cccd(at: i64) -> VerifiedCredential {
    let mut input = giayto_model::sample_input(giayto_model::DocType::Cccd);
    input["full_name"] = json!("Lê Văn Khác");
    input["id_number"] = json!("079090001234");
    input["date_of_birth"] = json!("1990-01-01");
    input["sex"] = json!("male");
    signed_cccd(&input, at)
}

/// A CCCD from issuance input, signed with the vectors' police key and verified at `at`.
fn signed_cccd(input: &Value, at: i64) -> VerifiedCredential {
    use giayto_cose::claims::{CredentialClaims, DocumentClaim};
    use giayto_model::{DocType, Document};
    let doc = Document::from_json(DocType::Cccd, input).unwrap();
    let key = ed25519_dalek::SigningKey::from_bytes(&[0x22; 32]);
    let claims = CredentialClaims {
        issuer: "VN.BCA.C06".into(),
        issued_at: at - 86_400,
        not_before: None,
        expires_at: at + 86_400,
        serial: vec![0x77; 10],
        holder_key: None,
        status: None,
        document: DocumentClaim {
            doc_type: 1,
            schema_version: 1,
            assurance_level: 2,
            fields: doc.to_cbor(),
        },
        unknown: vec![],
    };
    let cose =
        giayto_cose::sign1::sign(&key, giayto_cose::CREDENTIAL_TYP, claims.to_bytes()).unwrap();
    let text = giayto_cose::text::encode(giayto_cose::text::Kind::Credential, &cose, None);
    verifier().verify(&text, at).unwrap()
}

/// The 2024 card (thẻ căn cước): place of birth registration instead of place of origin, no old
/// ID number; its address in the two-level form of 2025.
#[test]
fn a_2024_card_fills_the_forms() {
    let mut input = giayto_model::sample_input(giayto_model::DocType::Cccd);
    let card = input.as_object_mut().unwrap();
    card.remove("place_of_origin");
    card.remove("old_id_number");
    card.insert("card_generation".into(), json!("can_cuoc_2024"));
    card.insert(
        "place_of_birth_registration".into(),
        json!("Xã Mẫu Sơn, Lạng Sơn"),
    );
    card.insert(
        "place_of_residence".into(),
        json!("Số 12 ngõ 34 phố Mẫu, Phường Ba Đình, Thành phố Hà Nội"),
    );
    card.insert("issue_date".into(), json!("2025-07-01"));
    let at = 1_795_392_000;
    let c = signed_cccd(&input, at);
    let f = fill(&form("ct01-residence-change"), &[&c], at).unwrap();
    assert_eq!(value(&f, "full_name"), Some("TRẦN THỊ MẪU"));
    assert_eq!(value(&f, "residence_street"), Some("Số 12 ngõ 34 phố Mẫu"));
    assert_eq!(value(&f, "residence_ward"), Some("Phường Ba Đình"));
    assert_eq!(unfilled(&f, "residence_district"), Some(Unfilled::NotSplit));
    assert_eq!(value(&f, "residence_province"), Some("Thành phố Hà Nội"));
    let f = fill(&form("bank-account-identity"), &[&c], at).unwrap();
    assert_eq!(value(&f, "id_issue_date"), Some("01/07/2025"));
    // A field of the other generation is absent, not an error.
    let origin = Form::from_value(&with_field(json!({"id": "origin",
        "label": {"vi": "Quê quán", "en": "Place of origin"},
        "source": ["cccd.place_of_origin"]})))
    .unwrap();
    let f = fill(&origin, &[&c], at).unwrap();
    assert_eq!(f.fields[0].unfilled, Some(Unfilled::Absent));
    let both = Form::from_value(&with_field(json!({"id": "origin",
        "label": {"vi": "Quê quán / nơi đăng ký khai sinh", "en": "Origin"},
        "source": ["cccd.place_of_origin", "cccd.place_of_birth_registration"]})))
    .unwrap();
    let f = fill(&both, &[&c], at).unwrap();
    assert_eq!(f.fields[0].value.as_deref(), Some("Xã Mẫu Sơn, Lạng Sơn"));
}

#[test]
fn credentials_of_two_people_fill_nothing() {
    let (gplx, at) = verified("credentials.json", "valid_gplx");
    let other = other_persons_cccd(at);
    let err = fill(&form("hotel-guest-stay"), &[&gplx, &other], at).unwrap_err();
    assert_eq!(
        err,
        FillError::DifferentHolders {
            first: 0,
            second: 1,
            what: "id_number"
        }
    );
    assert!(err.to_string().contains("different people"));
    // The same person's papers together are fine.
    let (cccd, _) = verified("credentials.json", "valid_cccd");
    assert!(fill(&form("hotel-guest-stay"), &[&cccd, &gplx], at).is_ok());
}

fn bad(v: Value) -> FormError {
    Form::from_value(&v).unwrap_err()
}

fn with_field(field: Value) -> Value {
    json!({"giayto_form": 1, "id": "t", "title": {"vi": "T", "en": "T"}, "fields": [field]})
}

#[test]
fn malformed_form_files_are_refused_with_named_errors() {
    let label = json!({"vi": "Tên", "en": "Name"});
    let cases: Vec<(FormError, &str, &str)> = vec![
        (
            Form::from_slice(b"{ not json").unwrap_err(),
            "json",
            "line 1",
        ),
        (
            Form::from_slice(&vec![b' '; giayto_forms::MAX_FORM_BYTES + 1]).unwrap_err(),
            "too_large",
            "larger than",
        ),
        (bad(json!([])), "wrong_type", "expected an object"),
        (
            bad(
                json!({"giayto_form": 2, "id": "t", "title": {"vi": "T", "en": "T"}, "fields": []}),
            ),
            "version",
            "giayto_form 2",
        ),
        (
            bad(json!({"id": "t", "title": {"vi": "T", "en": "T"}, "fields": []})),
            "missing",
            "giayto_form is missing",
        ),
        (
            bad(
                json!({"giayto_form": 1, "id": "t", "title": {"vi": "T", "en": "T"}, "fields": [], "extra": 1}),
            ),
            "unknown_key",
            "extra",
        ),
        (
            bad(
                json!({"giayto_form": 1, "id": "Bad Id", "title": {"vi": "T", "en": "T"}, "fields": []}),
            ),
            "bad_id",
            "id:",
        ),
        (
            bad(json!({"giayto_form": 1, "id": "t", "title": {"vi": "T"}, "fields": []})),
            "missing",
            "title.en is missing",
        ),
        (
            bad(json!({"giayto_form": 1, "id": "t", "title": {"vi": "", "en": "T"}, "fields": []})),
            "bad_text",
            "title.vi",
        ),
        (
            bad(
                json!({"giayto_form": 1, "id": "t", "title": {"vi": "T", "en": "T"}, "fields": []}),
            ),
            "no_fields",
            "no fields",
        ),
        (
            bad(
                json!({"giayto_form": 1, "id": "t", "title": {"vi": "T", "en": "T"},
                       "fields": [{"id": "a", "label": label}, {"id": "a", "label": label}]}),
            ),
            "duplicate_id",
            "the id a",
        ),
        (
            bad(with_field(
                json!({"id": "a", "label": label, "source": "cccd.fullname"}),
            )),
            "unknown_source",
            "fields[0].source: unknown source cccd.fullname",
        ),
        (
            bad(with_field(
                json!({"id": "a", "label": label, "source": ["cccd.full_name", "passport.number"]}),
            )),
            "unknown_source",
            "fields[0].source[1]",
        ),
        (
            bad(with_field(
                json!({"id": "a", "label": label, "source": "age_over_0"}),
            )),
            "unknown_source",
            "age_over_0",
        ),
        (
            bad(with_field(
                json!({"id": "a", "label": label, "source": "cccd.portrait"}),
            )),
            "unsupported_source",
            "cannot fill a form",
        ),
        (
            bad(with_field(
                json!({"id": "a", "label": label, "source": "cccd.full_name", "format": "dd-mm"}),
            )),
            "unknown_format",
            "unknown format dd-mm",
        ),
        (
            bad(with_field(
                json!({"id": "a", "label": label, "source": "cccd.full_name", "format": "year"}),
            )),
            "format_not_for_source",
            "format year does not fit cccd.full_name",
        ),
        (
            bad(with_field(
                json!({"id": "a", "label": label, "source": ["cccd.sex", "cccd.full_name"], "format": "sex"}),
            )),
            "format_not_for_source",
            "does not fit cccd.full_name",
        ),
        (
            bad(with_field(
                json!({"id": "a", "label": label, "format": "upper"}),
            )),
            "format_not_for_source",
            "fields[0].format",
        ),
        (
            bad(with_field(json!({"id": "a", "label": label, "source": []}))),
            "missing",
            "fields[0].source[0]",
        ),
        (
            bad(with_field(
                json!({"id": "a", "label": label, "source": vec!["cccd.full_name"; 9]}),
            )),
            "too_many",
            "more than 8",
        ),
        (
            bad(with_field(
                json!({"id": "a", "label": {"vi": "A\nB", "en": "A"}}),
            )),
            "bad_text",
            "fields[0].label.vi",
        ),
        (
            bad(with_field(
                json!({"id": "a", "label": label, "sources": "cccd.full_name"}),
            )),
            "unknown_key",
            "fields[0].sources",
        ),
        (
            bad(with_field(json!({"id": "a", "label": label, "source": 5}))),
            "wrong_type",
            "fields[0].source: expected",
        ),
    ];
    for (err, code, text) in cases {
        assert_eq!(err.code(), code, "{err}");
        assert!(err.to_string().contains(text), "{err} lacks {text:?}");
    }
    // Defaults: a date is dd/mm/yyyy, sex Nam/Nữ, a predicate Có/Không.
    let f = Form::from_value(&with_field(
        json!({"id": "a", "label": label, "source": "gplx.date_of_birth"}),
    ))
    .unwrap();
    assert_eq!(f.fields[0].format, giayto_forms::Format::DayMonthYear);
}
