//! Device responses built by the wallet from an issued mDL, checked by giayto's own mdoc check
//! and by the published `isomdl` reader (device authentication over the session transcript,
//! ISO 18013-5 Annex B certificate rules, issuer authentication).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-up: a failure is the test failing

use ciborium::Value;
use giayto_mdoc::cbor::{encode, tag24};
use giayto_mdoc::testca::{key_from_seed, TestCa};
use giayto_mdoc::verify::verify_device_response;
use giayto_mdoc::{issue, IssueOptions, Reason};
use giayto_model::{sample_input, DocType, Document};
use giayto_wallet::mdoc::{device_response, new_device_key};
use giayto_wallet::WalletError;
use isomdl::definitions::session::SessionTranscript;
use isomdl::definitions::x509::trust_anchor::{PemTrustAnchor, TrustAnchorRegistry, TrustPurpose};
use isomdl::definitions::DeviceResponse;
use isomdl::presentation::authentication::AuthenticationStatus;
use serde::{Deserialize, Serialize};

/// A session transcript as isomdl's generic reader functions take it: any CBOR value.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Transcript(Value);
impl SessionTranscript for Transcript {}

const DAY: i64 = 86_400;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A QR-engagement style transcript: [DeviceEngagementBytes, EReaderKeyBytes, null].
fn transcript(seed: u8) -> Value {
    Value::Array(vec![
        tag24(&Value::Map(vec![(
            Value::Integer(0.into()),
            Value::Text("1.0".into()),
        )])),
        tag24(&Value::Bytes(vec![seed; 32])),
        Value::Null,
    ])
}

struct Setup {
    ca: TestCa,
    device: p256::ecdsa::SigningKey,
    mdoc: Vec<u8>,
}

fn setup() -> Setup {
    let t = now();
    let ca = TestCa::new(b"wallet iaca", "Test IACA VN", t - 30 * DAY, t + 3650 * DAY);
    let signer = key_from_seed(b"wallet ds");
    let chain = vec![ca.document_signer(&signer, "Test DS CSGT", t - DAY, t + 900 * DAY)];
    let device = new_device_key().unwrap();
    let Document::Gplx(gplx) =
        Document::from_json(DocType::Gplx, &sample_input(DocType::Gplx)).unwrap()
    else {
        unreachable!()
    };
    let opts = IssueOptions {
        device_key: *device.verifying_key(),
        now: t,
        valid_days: 365,
        portrait: None,
        salt_seed: None,
    };
    let mdoc = issue(&gplx, &signer, &chain, &opts).unwrap().bytes;
    Setup { ca, device, mdoc }
}

#[test]
fn a_device_response_verifies_for_its_session_only() {
    let s = setup();
    let st = transcript(1);
    let resp = device_response(&s.mdoc, &s.device, &encode(&st), None).unwrap();
    let v = verify_device_response(&resp, &st, &[s.ca.cert()], now()).unwrap();
    // Every element the issuer signed is shown (no selection asked for).
    let issued = giayto_mdoc::verify::verify(&s.mdoc, &[s.ca.cert()], now()).unwrap();
    assert!(v.elements.len() >= 10);
    assert_eq!(v.elements.len(), issued.elements.len());
    // Another session's transcript: the device signature does not verify.
    let e = verify_device_response(&resp, &transcript(2), &[s.ca.cert()], now()).unwrap_err();
    assert_eq!(e, Reason::BadDeviceSignature);
    assert_eq!(e.verdict().as_str(), "bad_signature");
}

#[test]
fn only_the_chosen_elements_are_shown_and_they_still_verify() {
    let s = setup();
    let st = transcript(3);
    let resp = device_response(
        &s.mdoc,
        &s.device,
        &encode(&st),
        Some(&["family_name", "age_over_18"]),
    )
    .unwrap();
    let v = verify_device_response(&resp, &st, &[s.ca.cert()], now()).unwrap();
    let names: Vec<&str> = v.elements.iter().map(|(_, e, _)| e.as_str()).collect();
    assert_eq!(names, ["family_name", "age_over_18"]);
    assert!(!String::from_utf8_lossy(&resp).contains("010123456789"));
}

#[test]
fn wrong_key_unknown_element_or_bad_transcript_is_refused() {
    let s = setup();
    let st = encode(&transcript(4));
    let other = new_device_key().unwrap();
    assert!(matches!(
        device_response(&s.mdoc, &other, &st, None),
        Err(WalletError::Mdoc(_))
    ));
    assert!(matches!(
        device_response(&s.mdoc, &s.device, &st, Some(&["family_nam"])),
        Err(WalletError::Mdoc(m)) if m.contains("family_nam")
    ));
    assert!(matches!(
        device_response(&s.mdoc, &s.device, &st, Some(&[])),
        Err(WalletError::NothingToDisclose)
    ));
    assert!(device_response(&s.mdoc, &s.device, b"\xff\x00", None).is_err());
    assert!(device_response(b"not an mdoc", &s.device, &st, None).is_err());
}

#[test]
fn isomdl_authenticates_device_and_issuer() {
    let s = setup();
    let st = transcript(5);
    let resp = device_response(
        &s.mdoc,
        &s.device,
        &encode(&st),
        Some(&[
            "family_name",
            "given_name",
            "driving_privileges",
            "age_over_21",
        ]),
    )
    .unwrap();
    let parsed: DeviceResponse = isomdl::cbor::from_slice(&resp).expect("isomdl parses it");
    let (document, x5chain, namespaces) =
        isomdl::presentation::reader::parse(&parsed).expect("isomdl finds the mDL");
    let registry = TrustAnchorRegistry::from_pem_certificates(vec![PemTrustAnchor {
        certificate_pem: s.ca.pem(),
        purpose: TrustPurpose::Iaca,
    }])
    .unwrap();
    let outcome = isomdl::presentation::reader_utils::validate_response(
        Transcript(st.clone()),
        registry.clone(),
        x5chain.clone(),
        document.clone(),
        namespaces.clone(),
    );
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    assert_eq!(outcome.issuer_authentication, AuthenticationStatus::Valid);
    assert_eq!(outcome.device_authentication, AuthenticationStatus::Valid);
    let shown = serde_json::to_string(&outcome.response).unwrap();
    assert!(
        shown.contains("Trần") && shown.contains("Thị Mẫu"),
        "{shown}"
    );
    assert!(!shown.contains("document_number"), "{shown}");
    // isomdl, too, refuses the response for another session.
    let outcome = isomdl::presentation::reader_utils::validate_response(
        Transcript(transcript(6)),
        registry,
        x5chain,
        document.clone(),
        namespaces,
    );
    assert_eq!(outcome.device_authentication, AuthenticationStatus::Invalid);
}
