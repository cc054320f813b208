//! The mDL end to end under giayto's own national CA (docs/format.md §17.1, §18.2), with the
//! library calls the CLI makes: the CA of `giayto root init --x509` (`Ca::generate` with the
//! default URLs), reopened from its files as `giayto root certify-issuer --mdoc-signer` does
//! (`Ca::from_parts`) to certify the issuer's P-256 document-signer key (`ca::certify`,
//! `Usage::MdocSigner`, checked as the CLI checks it before writing it), the licence issued
//! with that chain as `giayto issue --format mdoc` does (`giayto_mdoc::issue`), and a device
//! response from the wallet. The published `isomdl` checks it all: ISO 18013-5 Annex B rules
//! for the CA and the document signer, the issuer signature, and the device signature over the
//! session transcript; giayto's own check (`verify-mdoc`'s) agrees. A document signer
//! certified by another CA is refused by both.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-up: a failure is the test failing

use ciborium::Value;
use giayto_mdoc::cbor::{encode, tag24};
use giayto_mdoc::cert::Cert;
use giayto_mdoc::verify::{verify, verify_device_response};
use giayto_mdoc::{issue, IssueOptions, Reason};
use giayto_model::{sample_input, DocType, Document};
use giayto_wallet::mdoc::{device_response, new_device_key};
use giayto_x509::ca::{self, Ca, CaUrls, Subject, Validity};
use giayto_x509::{CaRoot, IssuerCertificate, Usage};
use isomdl::definitions::session::SessionTranscript;
use isomdl::definitions::x509::trust_anchor::{PemTrustAnchor, TrustAnchorRegistry, TrustPurpose};
use isomdl::definitions::x509::validation::ValidationRuleset;
use isomdl::definitions::x509::X5Chain;
use isomdl::definitions::{DeviceResponse, IssuerSigned};
use isomdl::presentation::authentication::mdoc::issuer_authentication;
use isomdl::presentation::authentication::AuthenticationStatus;
use p256::pkcs8::EncodePublicKey;
use serde::{Deserialize, Serialize};

const DAY: i64 = 86_400;

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Transcript(Value);
impl SessionTranscript for Transcript {}

#[derive(Deserialize)]
struct IssuedDoc {
    #[serde(rename = "issuerSigned")]
    issuer_signed: IssuerSigned,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

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

/// `root init --x509`: the CA as the CLI makes it (name, validity and URLs by default), kept
/// as its two files (certificate DER, PKCS#8 key).
fn root_init_x509(t: i64) -> (Vec<u8>, Vec<u8>) {
    let ca = Ca::generate(
        "giayto Test National CA",
        Validity {
            not_before: t - 60,
            not_after: t + 3650 * DAY,
        },
        &CaUrls::under(ca::DEFAULT_CA_URL).unwrap(),
    )
    .unwrap();
    (ca.cert_der().to_vec(), ca.key_pkcs8().to_vec())
}

/// `root certify-issuer --mdoc-signer`: the CA reopened from its files certifies the issuer's
/// P-256 key for gplx, and the certificate is checked as a verifier will before it is kept.
fn certify_issuer_mdoc_signer(
    ca_files: &(Vec<u8>, Vec<u8>),
    signer: &p256::ecdsa::SigningKey,
    t: i64,
) -> Vec<u8> {
    let ca = Ca::from_parts(&ca_files.0, &ca_files.1).unwrap();
    let spki = signer.verifying_key().to_public_key_der().unwrap();
    let leaf = ca::certify(
        &ca,
        &Subject {
            issuer_id: "VN.BCA.CSGT".into(),
            name: Some("Cục Cảnh sát giao thông".into()),
        },
        spki.as_bytes(),
        Usage::MdocSigner,
        &[DocType::Gplx.code()],
        Validity {
            not_before: t - 60,
            not_after: t + 365 * DAY,
        },
    )
    .unwrap();
    let root = CaRoot::from_der(ca.cert_der()).unwrap();
    IssuerCertificate::from_ders(vec![leaf.clone()])
        .unwrap()
        .validate(&[root], Usage::MdocSigner, t)
        .unwrap();
    leaf
}

/// `issue --type gplx --format mdoc --device-pub ...` with the certified signer.
fn issue_mdoc(
    signer: &p256::ecdsa::SigningKey,
    ds: &[u8],
    device: &p256::ecdsa::SigningKey,
    t: i64,
) -> Vec<u8> {
    let Document::Gplx(gplx) =
        Document::from_json(DocType::Gplx, &sample_input(DocType::Gplx)).unwrap()
    else {
        unreachable!()
    };
    let opts = IssueOptions {
        device_key: *device.verifying_key(),
        now: t,
        valid_days: 30,
        portrait: None,
        salt_seed: None,
    };
    issue(&gplx, signer, &[Cert::from_der(ds).unwrap()], &opts)
        .unwrap()
        .bytes
}

fn registry(ca_der: &[u8]) -> TrustAnchorRegistry {
    TrustAnchorRegistry::from_pem_certificates(vec![PemTrustAnchor {
        certificate_pem: giayto_x509::ders_to_pem(&[ca_der.to_vec()]).unwrap(),
        purpose: TrustPurpose::Iaca,
    }])
    .expect("isomdl reads the CA of root init --x509")
}

fn chain_of(mdoc: &[u8]) -> (IssuedDoc, X5Chain) {
    let doc: IssuedDoc = isomdl::cbor::from_slice(mdoc).expect("isomdl parses the mdoc");
    let value = doc
        .issuer_signed
        .issuer_auth
        .unprotected
        .rest
        .iter()
        .find(|(l, _)| *l == coset03::Label::Int(33))
        .map(|(_, v)| v.clone())
        .expect("x5chain");
    (
        doc,
        X5Chain::from_cbor(value).expect("isomdl reads the x5chain"),
    )
}

#[test]
fn isomdl_accepts_the_chain_of_giaytos_own_ca_and_the_wallets_device_response() {
    let t = now();
    let ca_files = root_init_x509(t);
    let signer = new_device_key().unwrap(); // a fresh P-256 key, as `issuer mdoc-key` makes
    let ds = certify_issuer_mdoc_signer(&ca_files, &signer, t);
    let device = new_device_key().unwrap();
    let mdoc = issue_mdoc(&signer, &ds, &device, t);

    // isomdl: Annex B rules for the IACA (the CA) and the document signer, then the MSO
    // signature.
    let (doc, chain) = chain_of(&mdoc);
    let outcome = ValidationRuleset::Mdl.validate(&chain, &registry(&ca_files.0));
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    issuer_authentication(chain, &doc.issuer_signed).expect("isomdl verifies the MSO signature");

    // giayto's own check (`verify-mdoc --iaca ROOT/ca.pem`).
    let root = Cert::from_der(&ca_files.0).unwrap();
    let v = verify(&mdoc, std::slice::from_ref(&root), t).unwrap();
    assert!(v.elements.iter().any(|(_, e, _)| e == "document_number"));

    // The wallet's device response for a session, authenticated by isomdl's reader.
    let st = transcript(9);
    let resp = device_response(
        &mdoc,
        &device,
        &encode(&st),
        Some(&["family_name", "driving_privileges", "age_over_18"]),
    )
    .unwrap();
    let parsed: DeviceResponse = isomdl::cbor::from_slice(&resp).expect("isomdl parses it");
    let (document, x5chain, namespaces) =
        isomdl::presentation::reader::parse(&parsed).expect("isomdl finds the mDL");
    let document = document.clone();
    let outcome = isomdl::presentation::reader_utils::validate_response(
        Transcript(st.clone()),
        registry(&ca_files.0),
        x5chain.clone(),
        document.clone(),
        namespaces.clone(),
    );
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    assert_eq!(outcome.issuer_authentication, AuthenticationStatus::Valid);
    assert_eq!(outcome.device_authentication, AuthenticationStatus::Valid);
    let shown = serde_json::to_string(&outcome.response).unwrap();
    assert!(shown.contains("Trần"), "{shown}");
    let v = verify_device_response(&resp, &st, std::slice::from_ref(&root), t).unwrap();
    assert_eq!(v.elements.len(), 3);

    // Under another CA's root, neither accepts it.
    let other = root_init_x509(t);
    let (_, chain) = chain_of(&mdoc);
    let outcome = ValidationRuleset::Mdl.validate(&chain, &registry(&other.0));
    assert!(!outcome.errors.is_empty());
    let outcome = isomdl::presentation::reader_utils::validate_response(
        Transcript(st),
        registry(&other.0),
        x5chain,
        document,
        namespaces,
    );
    assert!(!outcome.errors.is_empty());
    let other_root = Cert::from_der(&other.0).unwrap();
    assert_eq!(
        verify(&mdoc, &[other_root], t).unwrap_err(),
        Reason::UnknownRoot
    );
}

#[test]
fn a_document_signer_of_another_ca_is_refused_by_both() {
    let t = now();
    let ca_files = root_init_x509(t);
    let stranger = root_init_x509(t); // same name, another key
    let signer = new_device_key().unwrap();
    let ds = certify_issuer_mdoc_signer(&stranger, &signer, t);
    let device = new_device_key().unwrap();
    let mdoc = issue_mdoc(&signer, &ds, &device, t);
    let (_, chain) = chain_of(&mdoc);
    let outcome = ValidationRuleset::Mdl.validate(&chain, &registry(&ca_files.0));
    assert!(
        outcome
            .errors
            .iter()
            .any(|e| e.contains("no valid trust anchor")),
        "{:?}",
        outcome.errors
    );
    let root = Cert::from_der(&ca_files.0).unwrap();
    let e = verify(&mdoc, &[root], t).unwrap_err();
    assert_eq!(e, Reason::UnknownRoot);
    assert_eq!(e.verdict().as_str(), "unknown_issuer");
}
