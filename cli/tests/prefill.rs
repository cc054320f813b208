//! `giayto prefill`: the shipped forms filled from the test vectors' credentials, as a clerk
//! and a script see it; an invalid credential fills nothing and exits 1; a bad form file exits 2
//! with a message naming what is wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use std::path::PathBuf;

use common::{code, json, stderr, stdout};
use serde_json::Value;

/// The time of the vectors (`at` = 1795392000).
const AT: &str = "2026-11-23T07:00:00+07:00";

fn repo(path: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
        .display()
        .to_string()
}

fn vector(file: &str, name: &str) -> String {
    let all: Value =
        serde_json::from_slice(&std::fs::read(repo(&format!("test-vectors/{file}"))).unwrap())
            .unwrap();
    all["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap()["text"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// `giayto {global} prefill --form forms/{form}.json` against the vectors' bundle at their time.
fn prefill(
    dir: &std::path::Path,
    global: &[&str],
    form: &str,
    extra: &[&str],
    codes: &[&str],
) -> std::process::Output {
    let form = repo(&format!("forms/{form}.json"));
    let (root, bundle) = (
        repo("test-vectors/root.pub"),
        repo("test-vectors/bundle.cbor"),
    );
    let mut args: Vec<&str> = global.to_vec();
    args.extend([
        "prefill",
        "--form",
        &form,
        "--root",
        &root,
        "--bundle",
        &bundle,
        "--at",
        AT,
        "--no-state",
    ]);
    args.extend(extra);
    args.extend(codes);
    common::bare(&args).current_dir(dir).output().unwrap()
}

fn field<'v>(v: &'v Value, id: &str) -> &'v Value {
    v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap()
}

#[test]
fn the_hotel_form_from_a_valid_id_card_as_json_and_pdf() {
    let tmp = tempfile::tempdir().unwrap();
    let cccd = vector("status.json", "status_valid");
    let out = prefill(
        tmp.path(),
        &["--json"],
        "hotel-guest-stay",
        &["--pdf", "stay.pdf"],
        &[&cccd],
    );
    let v = json(&out);
    assert_eq!(code(&out), Some(0), "{v}");
    assert_eq!(v["form"], "hotel-guest-stay");
    assert_eq!(v["credentials"][0]["verdict"], "valid");
    assert_eq!(v["credentials"][0]["doc_type"], "cccd");
    assert_eq!(field(&v, "full_name")["value"], "TRẦN THỊ MẪU");
    assert_eq!(field(&v, "full_name")["source"], "cccd.full_name");
    assert_eq!(field(&v, "date_of_birth")["value"], "17/05/1996");
    assert_eq!(field(&v, "sex")["value"], "Nữ");
    assert_eq!(field(&v, "room")["value"], Value::Null);
    assert_eq!(field(&v, "room")["unfilled"], "manual");
    assert_eq!(v["complete"], false);
    assert_eq!(v["checked_at"], AT);
    let pdf = std::fs::read(tmp.path().join("stay.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(v["pdf"], "stay.pdf");
}

#[test]
fn people_read_the_filled_form_in_their_language() {
    let tmp = tempfile::tempdir().unwrap();
    let cccd = vector("status.json", "status_valid");
    let out = prefill(
        tmp.path(),
        &["--lang", "vi"],
        "ct01-residence-change",
        &[],
        &[&cccd],
    );
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let s = stdout(&out);
    assert!(s.contains("Tờ khai thay đổi thông tin cư trú"), "{s}");
    assert!(s.contains("hợp lệ, dùng để điền tờ khai"), "{s}");
    assert!(s.contains("2. Ngày sinh — tháng"), "{s}");
    assert!(s.contains("phường Điện Biên"), "{s}");
    assert!(s.contains("— (điền tay)"), "{s}");
    assert!(s.contains("Đã điền 10/17 ô"), "{s}");
    let out = prefill(
        tmp.path(),
        &["--lang", "en"],
        "ct01-residence-change",
        &[],
        &[&cccd],
    );
    let s = stdout(&out);
    assert!(
        s.contains("Residence information change declaration"),
        "{s}"
    );
    assert!(s.contains("— (to fill in by hand)"), "{s}");
    assert!(s.contains("10 of 17 fields filled"), "{s}");
}

#[test]
fn an_id_card_and_a_health_card_of_one_person_fill_one_form() {
    let tmp = tempfile::tempdir().unwrap();
    let gplx = vector("credentials.json", "valid_gplx");
    let bhyt = vector("status.json", "status_valid_bhyt");
    let out = prefill(
        tmp.path(),
        &["--json"],
        "hotel-guest-stay",
        &[],
        &[&gplx, &bhyt],
    );
    let v = json(&out);
    assert_eq!(code(&out), Some(0), "{v}");
    assert_eq!(field(&v, "full_name")["source"], "gplx.full_name");
    assert_eq!(field(&v, "sex")["source"], "bhyt.sex");
    assert_eq!(field(&v, "document")["value"], "010123456789");
}

#[test]
fn an_invalid_credential_fills_nothing_and_exits_1_with_its_verdict() {
    let tmp = tempfile::tempdir().unwrap();
    for (file, name, verdict) in [
        ("status.json", "status_revoked", "revoked"),
        ("status.json", "status_held", "held"),
        ("credentials.json", "bad_signature", "bad_signature"),
    ] {
        let text = vector(file, name);
        let out = prefill(
            tmp.path(),
            &["--json"],
            "hotel-guest-stay",
            &["--pdf", "x.pdf"],
            &[&text],
        );
        let v = json(&out);
        assert_eq!(code(&out), Some(1), "{name}: {v}");
        assert_eq!(v["credentials"][0]["verdict"], verdict, "{name}");
        assert!(v["credentials"][0]["message"].as_str().is_some());
        assert!(
            v["fields"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["value"].is_null()),
            "{name}"
        );
        assert_eq!(field(&v, "full_name")["unfilled"], "no_credential");
        assert_eq!(v["pdf"], Value::Null);
        assert!(
            !tmp.path().join("x.pdf").exists(),
            "{name}: a PDF was written"
        );
    }
    // In words: the verdict and why, and nothing filled.
    let held = vector("status.json", "status_held");
    let out = prefill(
        tmp.path(),
        &["--lang", "en"],
        "hotel-guest-stay",
        &[],
        &[&held],
    );
    assert_eq!(code(&out), Some(1));
    let s = stdout(&out);
    assert!(s.contains("NOT VALID: HELD"), "{s}");
    assert!(s.contains("fills nothing"), "{s}");
    assert!(s.contains("0 of 12 fields filled"), "{s}");
}

#[test]
fn a_selective_presentation_fills_only_what_it_disclosed() {
    let tmp = tempfile::tempdir().unwrap();
    let sd = vector("disclosures.json", "sd_full_name_and_id_number");
    let out = prefill(tmp.path(), &["--json"], "hotel-guest-stay", &[], &[&sd]);
    let v = json(&out);
    assert_eq!(code(&out), Some(0), "{v}");
    assert_eq!(v["credentials"][0]["disclosed"], true);
    assert_eq!(field(&v, "full_name")["value"], "TRẦN THỊ MẪU");
    assert_eq!(field(&v, "id_number")["value"], "001196012345");
    assert_eq!(field(&v, "date_of_birth")["unfilled"], "not_disclosed");
    assert_eq!(field(&v, "residence")["unfilled"], "not_disclosed");
}

#[test]
fn a_bad_form_file_exits_2_naming_what_is_wrong() {
    let tmp = tempfile::tempdir().unwrap();
    let form = tmp.path().join("bad.json");
    std::fs::write(
        &form,
        r#"{"giayto_form": 1, "id": "bad", "title": {"vi": "X", "en": "X"},
            "fields": [{"id": "a", "label": {"vi": "A", "en": "A"}, "source": "cccd.ho_ten"}]}"#,
    )
    .unwrap();
    let cccd = vector("status.json", "status_valid");
    let form = form.display().to_string();
    let (root, bundle) = (
        repo("test-vectors/root.pub"),
        repo("test-vectors/bundle.cbor"),
    );
    for (lang, text) in [
        (
            "en",
            "fields[0].source: “cccd.ho_ten” is not a document field",
        ),
        ("vi", "fields[0].source: “cccd.ho_ten” không phải trường"),
    ] {
        let out = common::bare(&[
            "--lang",
            lang,
            "prefill",
            "--form",
            &form,
            "--root",
            &root,
            "--bundle",
            &bundle,
            "--no-state",
            &cccd,
        ])
        .output()
        .unwrap();
        assert_eq!(code(&out), Some(2));
        assert!(stderr(&out).contains(text), "{}", stderr(&out));
        assert!(stdout(&out).is_empty());
    }
}
