//! Answering a verifier's request (docs/format.md §15) from the wallet: what each item gets,
//! what is signed (only what the holder confirmed), and what the verifier makes of it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;
use common::{issuer, DAY, NOW};

use giayto_cose::text::{self, Kind};
use giayto_issuer::credential::{sign_credential, CredentialRequest};
use giayto_model::{DocType, Document};
use giayto_verify::{Request, Verdict, Verifier};
use giayto_wallet::{ItemAnswer, KdfParams, Unlock, Wallet, WalletError};

fn verifier() -> Verifier {
    common::verifier().accept_missing_status(true)
}

/// A wallet holding a CCCD (born 1996) with its selective-disclosure copy, and the folder.
fn wallet() -> (tempfile::TempDir, Wallet) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.giayto");
    let kdf = KdfParams::for_tests(64);
    Wallet::create(&path, "Nguyễn Văn An", "Ví-giấy-tờ-2026", "246810", kdf).unwrap();
    let mut w =
        Wallet::open_with_kdf(&path, Unlock::Password("Ví-giấy-tờ-2026"), NOW, kdf).unwrap();
    let holder = w.persons().unwrap()[0].public_key();
    let doc =
        Document::from_json(DocType::Cccd, &giayto_model::sample_input(DocType::Cccd)).unwrap();
    let request = CredentialRequest {
        document: &doc,
        serial: vec![7; 10],
        issued_at: NOW - DAY,
        not_before: None,
        expires_at: NOW + 365 * DAY,
        holder_key: Some(holder),
        assurance_level: 2,
        status: None,
    };
    let full = sign_credential(&issuer(), "VN.BCA.C06", &request).unwrap();
    let copy = giayto_issuer::sd::sign_sd_credential(
        &issuer(),
        "VN.BCA.C06",
        &request,
        &mut |b: &mut [u8]| getrandom::getrandom(b).is_ok(),
    )
    .unwrap();
    w.add_credential(&full, NOW).unwrap();
    w.attach_sd(0, copy, &issuer().verifying_key().to_bytes())
        .unwrap();
    (dir, w)
}

fn request(required: &[&str], optional: &[&str]) -> Request {
    Request {
        nonce: vec![0x42; 16],
        issued_at: NOW - 30,
        expires_at: NOW + 600,
        verifier: "Khách sạn Hoa Sen".into(),
        purpose: "Đăng ký lưu trú".into(),
        required: required.iter().map(|s| (*s).to_owned()).collect(),
        optional: optional.iter().map(|s| (*s).to_owned()).collect(),
        doc_type: Some(1),
    }
}

fn text_of(cose: &[u8]) -> String {
    text::encode(Kind::Presentation, cose, None)
}

#[test]
fn each_item_is_answered_truthfully_or_said_to_be_unanswerable() {
    let (_dir, w) = wallet();
    let p = w.presenter(0).unwrap();
    let r = request(
        &["full_name", "age_over_19"],
        &["id_number", "plate", "age_over_60", "age_over_70"],
    );
    let plan = p.plan(&r).unwrap();
    let shown: Vec<(&str, bool, String)> = plan
        .items
        .iter()
        .map(|i| {
            let a = match &i.answer {
                ItemAnswer::Shared(s) => format!("shared {}", s.name),
                other => format!("{other:?}"),
            };
            (i.name.as_str(), i.required, a)
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("full_name", true, "shared full_name".into()),
            // The nearest committed threshold above 19, never the birth date.
            ("age_over_19", true, "shared age_over_21".into()),
            ("id_number", false, "shared id_number".into()),
            ("plate", false, "NotInDocument".into()),
            // Born 1996: age_over_60 is false and is never disclosed.
            ("age_over_60", false, "AgeNotReached".into()),
            ("age_over_70", false, "NoAgePredicate".into()),
        ]
    );
    assert!(plan.unanswerable_required().is_empty());
    assert!(plan.has_optional());
    let names = |with| {
        plan.selection(with)
            .into_iter()
            .map(|s| s.name)
            .collect::<Vec<_>>()
    };
    assert_eq!(names(false), ["full_name", "age_over_21"]);
    assert_eq!(names(true), ["id_number", "full_name", "age_over_21"]);
    let hard = p
        .plan(&request(&["full_name", "age_over_60"], &[]))
        .unwrap();
    assert_eq!(hard.unanswerable_required(), ["age_over_60"]);
}

#[test]
fn the_answer_discloses_only_what_was_confirmed_and_is_bound_to_its_request() {
    let (_dir, w) = wallet();
    let p = w.presenter(0).unwrap();
    let r = request(&["full_name", "age_over_18"], &["id_number"]);
    let plan = p.plan(&r).unwrap();
    // The holder declined the optional item.
    let cose = p.sign_answer(&plan.selection(false), &r, NOW).unwrap();
    let report = verifier().check_answer(&text_of(&cose), &r, NOW).unwrap();
    assert_eq!(report.verdict(), Verdict::Valid, "{:?}", report.reason());
    let d = report.credential().unwrap().disclosed.unwrap();
    let names: Vec<&str> = d.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["full_name", "age_over_18"]);
    // The same answer is no answer to another verifier's request.
    let other = Request {
        nonce: vec![0x43; 16],
        ..request(&["full_name", "age_over_18"], &["id_number"])
    };
    let report = verifier()
        .check_answer(&text_of(&cose), &other, NOW)
        .unwrap();
    assert_eq!(report.verdict(), Verdict::WrongRequest);
    assert_eq!(report.reason().unwrap().code(), "request_mismatch");
}

#[test]
fn closed_invalid_or_empty_requests_sign_nothing() {
    let (_dir, w) = wallet();
    let p = w.presenter(0).unwrap();
    let r = request(&["full_name"], &[]);
    let chosen = p.plan(&r).unwrap().selection(true);
    assert!(matches!(
        p.sign_answer(&chosen, &r, r.expires_at),
        Err(WalletError::RequestClosed)
    ));
    assert!(matches!(
        p.sign_answer(&chosen, &r, r.issued_at - giayto_wallet::REQUEST_SKEW - 1),
        Err(WalletError::RequestClosed)
    ));
    assert!(p
        .sign_answer(&chosen, &r, r.issued_at - giayto_wallet::REQUEST_SKEW)
        .is_ok());
    assert!(matches!(
        p.sign_answer(&[], &r, NOW),
        Err(WalletError::NothingToDisclose)
    ));
    let mut bad = r.clone();
    bad.verifier = String::new();
    assert!(matches!(
        p.sign_answer(&chosen, &bad, NOW),
        Err(WalletError::Request(_))
    ));
}
