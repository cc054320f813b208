//! Issuing the mDL and checking it with giayto's own mdoc check.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-up: a failure is the test failing

mod common;

use ciborium::Value;
use common::*;
use giayto_mdoc::cbor::{decode, encode};
use giayto_mdoc::testca::{key_from_seed, TestCa};
use giayto_mdoc::{issue, verify, MdocError, Reason, Verdict};

fn text(v: Option<&Value>) -> &str {
    match v {
        Some(Value::Text(t)) => t,
        other => panic!("not text: {other:?}"),
    }
}

fn date(v: Option<&Value>) -> &str {
    match v {
        Some(Value::Tag(1004, inner)) => match inner.as_ref() {
            Value::Text(t) => t,
            other => panic!("full-date holds {other:?}"),
        },
        other => panic!("not a full-date: {other:?}"),
    }
}

#[test]
fn a_valid_mdoc_carries_the_mapped_licence() {
    let f = fixture();
    let m = issued(&f);
    let v = verify(&m.bytes, &[f.ca.cert()], now() + DAY).unwrap();
    assert_eq!(text(v.get("family_name")), "Trần");
    assert_eq!(text(v.get("given_name")), "Thị Mẫu");
    assert_eq!(date(v.get("birth_date")), "1996-05-17");
    assert_eq!(date(v.get("issue_date")), "2025-12-22");
    assert_eq!(text(v.get("issuing_country")), "VN");
    assert_eq!(text(v.get("un_distinguishing_sign")), "VN");
    assert_eq!(text(v.get("issuing_authority")), "Sở Xây dựng Hà Nội");
    assert_eq!(text(v.get("document_number")), "010123456789");
    assert_eq!(v.get("age_over_18"), Some(&Value::Bool(true)));
    assert_eq!(v.get("age_over_24"), Some(&Value::Bool(true)));
    assert!(v.get("portrait").is_none(), "the GPLX has no portrait");
    // The sample has an A1 without a term: the licence has no expiry, so the mdoc's own
    // expiry is its validity: 365 days after 2026-03-01, in Vietnam time.
    assert_eq!(date(v.get("expiry_date")), "2027-03-01");
    assert_eq!(v.valid_until, now() + 365 * DAY);
    let Some(Value::Array(privileges)) = v.get("driving_privileges") else {
        panic!("no driving_privileges");
    };
    assert_eq!(privileges.len(), 2);
    // A1 of 2015 is the 2008 law's A1 (up to 175 cm3): ISO A, with its national code.
    let first = encode(&privileges[0]);
    let first = String::from_utf8_lossy(&first);
    assert!(
        first.contains("vehicle_category_code") && first.contains("aA"),
        "{first}"
    );
    assert!(first.contains("VN2008-A1"), "{first}");
    let second = encode(&privileges[1]);
    let second = String::from_utf8_lossy(&second);
    assert!(
        second.contains("2035-12-22") && !second.contains("codes"),
        "{second}"
    );
    assert_eq!(v.signer, "CN=Test DS CSGT,C=VN");
    assert_eq!(v.root, "CN=Test IACA VN,C=VN");
}

#[test]
fn issuing_is_deterministic_with_a_salt_seed_and_random_without() {
    let f = fixture();
    assert_eq!(issued(&f).bytes, issued(&f).bytes);
    let mut o = options(&f);
    o.salt_seed = None;
    let a = issue(&f.gplx, &f.signer, &f.chain, &o).unwrap();
    let b = issue(&f.gplx, &f.signer, &f.chain, &o).unwrap();
    assert_ne!(a.bytes, b.bytes);
    verify(&a.bytes, &[f.ca.cert()], now()).unwrap();
}

/// Replace the first occurrence of `from` in `bytes` by `to` (same length).
fn patch(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let i = bytes
        .windows(from.len())
        .position(|w| w == from)
        .expect("pattern present");
    let mut out = bytes.to_vec();
    out[i..i + to.len()].copy_from_slice(to);
    out
}

#[test]
fn an_altered_value_is_a_bad_signature_naming_the_element() {
    let f = fixture();
    let m = issued(&f);
    let altered = patch(&m.bytes, b"010123456789", b"010123456780");
    let e = verify(&altered, &[f.ca.cert()], now()).unwrap_err();
    assert_eq!(
        e,
        Reason::DigestMismatch {
            element: "document_number".into()
        }
    );
    assert_eq!(e.verdict(), Verdict::BadSignature);
}

#[test]
fn a_changed_signature_is_a_bad_signature() {
    let f = fixture();
    let m = issued(&f);
    // The signature is the last 64 bytes of the file (issuerAuth is the last entry).
    let mut bad = m.bytes.clone();
    let n = bad.len();
    bad[n - 1] ^= 1;
    assert_eq!(
        verify(&bad, &[f.ca.cert()], now()).unwrap_err(),
        Reason::BadSignature
    );
}

#[test]
fn another_root_is_an_unknown_issuer() {
    let f = fixture();
    let m = issued(&f);
    let other = TestCa::new(
        b"other iaca",
        "Test IACA VN",
        now() - DAY,
        now() + 365 * DAY,
    );
    let e = verify(&m.bytes, &[other.cert()], now()).unwrap_err();
    assert_eq!(e, Reason::UnknownRoot);
    assert_eq!(e.verdict(), Verdict::UnknownIssuer);
    // With both roots trusted, the right one is found.
    verify(&m.bytes, &[other.cert(), f.ca.cert()], now()).unwrap();
}

#[test]
fn an_expired_document_signer_certificate_is_not_authorized() {
    let f = fixture();
    let m = issued(&f);
    let after_cert = now() + 3 * 365 * DAY + DAY;
    let mut o = options(&f);
    o.valid_days = 5 * 365;
    let long = issue(&f.gplx, &f.signer, &f.chain, &o).unwrap();
    let e = verify(&long.bytes, &[f.ca.cert()], after_cert).unwrap_err();
    assert!(matches!(e, Reason::CertificateExpired { ref subject } if subject.contains("DS")));
    assert_eq!(e.verdict(), Verdict::IssuerNotAuthorized);
    // Past the MSO's validUntil (and within the certificate): expired.
    let e = verify(&m.bytes, &[f.ca.cert()], now() + 366 * DAY).unwrap_err();
    assert_eq!(e.verdict(), Verdict::Expired);
    let e = verify(&m.bytes, &[f.ca.cert()], now() - 60).unwrap_err();
    assert_eq!(e.verdict(), Verdict::NotYetValid);
}

#[test]
fn a_certificate_without_the_document_signer_usage_is_refused_at_issue_and_check() {
    let f = fixture();
    let other_key = key_from_seed(b"someone else");
    assert!(matches!(
        issue(&f.gplx, &other_key, &f.chain, &options(&f)),
        Err(MdocError::KeyMismatch)
    ));
    // The IACA root itself as the signer: its certificate is not a document signer.
    let root_chain = vec![f.ca.cert()];
    let m = issue(&f.gplx, f.ca.key(), &root_chain, &options(&f)).unwrap();
    assert_eq!(
        verify(&m.bytes, &[f.ca.cert()], now()).unwrap_err(),
        Reason::NotDocumentSigner
    );
}

#[test]
fn validity_never_passes_the_licence_or_the_certificate() {
    let mut f = fixture();
    // Only the B class, which expires 2035-12-22, and a certificate for 20 years: a 20-year
    // request stops at the licence's last day (Vietnam time).
    f.gplx.classes.remove(0);
    f.chain = vec![f.ca.document_signer(
        &f.signer,
        "Test DS CSGT",
        now() - DAY,
        now() + 20 * 365 * DAY,
    )];
    let mut o = options(&f);
    o.valid_days = 20 * 365;
    let m = issue(&f.gplx, &f.signer, &f.chain, &o).unwrap();
    let v = verify(&m.bytes, &[f.ca.cert()], now()).unwrap();
    assert_eq!(date(v.get("expiry_date")), "2035-12-22");
    assert_eq!(
        giayto_mdoc::cbor::rfc3339(v.valid_until),
        "2035-12-22T16:59:59Z"
    );
    // The usual certificate ends 3 × 365 days after now: the mdoc ends with it.
    let f = fixture();
    let m = issue(&f.gplx, &f.signer, &f.chain, &o).unwrap();
    let v = verify(&m.bytes, &[f.ca.cert()], now()).unwrap();
    assert_eq!(v.valid_until, now() + 3 * 365 * DAY);
    assert_eq!(date(v.get("expiry_date")), "2029-02-28");
    // A certificate not valid at the signing time is refused.
    let late = vec![f
        .ca
        .document_signer(&f.signer, "Test DS CSGT", now() + DAY, now() + 9 * DAY)];
    assert!(matches!(
        issue(&f.gplx, &f.signer, &late, &options(&f)),
        Err(MdocError::Certificate(_))
    ));
}

#[test]
fn a_jpeg_portrait_is_written_and_anything_else_refused() {
    let f = fixture();
    let mut o = options(&f);
    let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4];
    o.portrait = Some(jpeg.to_vec());
    let m = issue(&f.gplx, &f.signer, &f.chain, &o).unwrap();
    let v = verify(&m.bytes, &[f.ca.cert()], now()).unwrap();
    assert_eq!(v.get("portrait"), Some(&Value::Bytes(jpeg.to_vec())));
    o.portrait = Some(b"GIF89a".to_vec());
    assert!(matches!(
        issue(&f.gplx, &f.signer, &f.chain, &o),
        Err(MdocError::Input(_))
    ));
}

#[test]
fn foreign_and_hostile_input_gets_a_verdict_not_a_panic() {
    let roots = [fixture().ca.cert()];
    let cases: Vec<(Vec<u8>, Verdict)> = vec![
        (Vec::new(), Verdict::NotACredential),
        (b"VN1:NOTANMDOC".to_vec(), Verdict::NotACredential),
        (encode(&Value::Integer(5.into())), Verdict::NotACredential),
        (
            encode(&Value::Map(vec![(Value::Text("a".into()), Value::Null)])),
            Verdict::NotACredential,
        ),
        (
            encode(&Value::Map(vec![
                (
                    Value::Text("docType".into()),
                    Value::Text("org.iso.23220.photoid.1".into()),
                ),
                (Value::Text("issuerSigned".into()), Value::Map(vec![])),
            ])),
            Verdict::UnsupportedDocument,
        ),
        (
            encode(&Value::Map(vec![
                (
                    Value::Text("docType".into()),
                    Value::Text(giayto_mdoc::DOC_TYPE.into()),
                ),
                (Value::Text("issuerSigned".into()), Value::Integer(1.into())),
            ])),
            Verdict::Malformed,
        ),
        (
            vec![0u8; giayto_mdoc::MAX_MDOC_BYTES + 1],
            Verdict::Malformed,
        ),
        // 10,000 nested arrays.
        (
            [vec![0x81u8; 10_000], vec![0x00]].concat(),
            Verdict::NotACredential,
        ),
        // 20 nested tags, inside the decoder's array limit but past the depth limit.
        (
            [vec![0xC6u8; 20], vec![0x00]].concat(),
            Verdict::NotACredential,
        ),
        // A byte string claiming 4 GiB.
        (
            vec![0x5A, 0xFF, 0xFF, 0xFF, 0xFF, 0x00],
            Verdict::NotACredential,
        ),
    ];
    for (bytes, verdict) in cases {
        let e = verify(&bytes, &roots, now()).unwrap_err();
        assert_eq!(e.verdict(), verdict, "{e:?}");
    }
    // Every truncation of a valid mdoc is refused, none panics.
    let f = fixture();
    let m = issued(&f);
    for n in (0..m.bytes.len()).step_by(7) {
        assert!(verify(&m.bytes[..n], &roots, now()).is_err());
    }
    // Every single-bit change is refused.
    for i in (0..m.bytes.len()).step_by(5) {
        let mut b = m.bytes.clone();
        b[i] ^= 0x10;
        assert!(verify(&b, &[f.ca.cert()], now()).is_err(), "bit at {i}");
    }
}

#[test]
fn the_file_is_one_document_with_tag24_items_and_an_untagged_sign1() {
    let f = fixture();
    let m = issued(&f);
    let Value::Map(doc) = decode(&m.bytes).unwrap() else {
        panic!()
    };
    assert_eq!(doc.len(), 2);
    let is = giayto_mdoc::cbor::get(&doc, "issuerSigned").unwrap();
    let Value::Map(is) = is else { panic!() };
    let Some(Value::Array(auth)) = giayto_mdoc::cbor::get(is, "issuerAuth") else {
        panic!("issuerAuth is an untagged COSE_Sign1 array")
    };
    assert_eq!(auth.len(), 4);
    let Some(Value::Map(ns)) = giayto_mdoc::cbor::get(is, "nameSpaces") else {
        panic!()
    };
    let Value::Array(items) = &ns[0].1 else {
        panic!()
    };
    assert_eq!(items.len(), m.elements.len());
    assert!(items.iter().all(|i| matches!(i, Value::Tag(24, _))));
}
