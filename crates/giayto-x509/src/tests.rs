//! Certificates made with [`crate::ca`] and checked with [`IssuerCertificate::validate`]: each
//! property the verifier relies on, one failure at a time.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-up: a failure is the test failing

use super::*;
use crate::ca::{certify, Ca, Subject, Validity};
use ed25519_dalek::pkcs8::EncodePublicKey;

const NOW: i64 = 1_790_000_000;
const DAY: i64 = 86_400;

fn ca() -> Ca {
    Ca::generate(
        "VN Test National CA",
        Validity {
            not_before: NOW - DAY,
            not_after: NOW + 3650 * DAY,
        },
    )
    .unwrap()
}

fn issuer_spki() -> (ed25519_dalek::SigningKey, Vec<u8>) {
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let spki = key.verifying_key().to_public_key_der().unwrap().to_vec();
    (key, spki)
}

fn subject() -> Subject {
    Subject {
        issuer_id: "VN.BCA.C06".into(),
        name: Some("Cục Cảnh sát QLHC về TTXH".into()),
    }
}

fn year() -> Validity {
    Validity {
        not_before: NOW - DAY,
        not_after: NOW + 365 * DAY,
    }
}

#[test]
fn oid_constants_match_their_der() {
    assert_eq!(
        ObjectIdentifier::new_unwrap(OID_EKU_CREDENTIAL).as_bytes(),
        EKU_CREDENTIAL_DER
    );
    assert_eq!(
        ObjectIdentifier::new_unwrap(OID_EKU_MDOC_SIGNER).as_bytes(),
        EKU_MDOC_SIGNER_DER
    );
    assert!(OID_DOC_TYPES.starts_with(ARC));
}

#[test]
fn certified_issuer_validates_and_reads_back() {
    let ca = ca();
    let (key, spki) = issuer_spki();
    let leaf = certify(&ca, &subject(), &spki, Usage::Credential, &[1, 2], year()).unwrap();
    let cert = IssuerCertificate::from_ders(vec![leaf]).unwrap();
    let roots = vec![CaRoot::from_der(ca.cert_der()).unwrap()];
    let root = cert.validate(&roots, Usage::Credential, NOW).unwrap();
    assert_eq!(root.name(), "VN Test National CA");
    assert_eq!(cert.issuer_id(), "VN.BCA.C06");
    assert_eq!(cert.name(), Some("Cục Cảnh sát QLHC về TTXH"));
    assert_eq!(cert.doc_types(), &[1, 2]);
    assert!(cert.allows(2) && !cert.allows(3));
    assert_eq!(cert.ed25519_key(), Some(key.verifying_key().to_bytes()));
    // Not for mdoc signing: wrong key kind and usage.
    assert_eq!(
        cert.validate(&roots, Usage::MdocSigner, NOW).unwrap_err(),
        X509Error::KeyKind
    );
}

#[test]
fn expired_and_not_yet_valid_certificates_fail() {
    let ca = ca();
    let (_, spki) = issuer_spki();
    let leaf = certify(&ca, &subject(), &spki, Usage::Credential, &[1], year()).unwrap();
    let cert = IssuerCertificate::from_ders(vec![leaf]).unwrap();
    let roots = vec![CaRoot::from_der(ca.cert_der()).unwrap()];
    for t in [NOW - 2 * DAY, NOW + 366 * DAY] {
        assert!(matches!(
            cert.validate(&roots, Usage::Credential, t),
            Err(X509Error::NotValidAt { .. })
        ));
    }
}

#[test]
fn another_root_is_untrusted() {
    let (ca, other) = (ca(), ca());
    let (_, spki) = issuer_spki();
    let leaf = certify(&other, &subject(), &spki, Usage::Credential, &[1], year()).unwrap();
    let cert = IssuerCertificate::from_ders(vec![leaf]).unwrap();
    let roots = vec![CaRoot::from_der(ca.cert_der()).unwrap()];
    assert!(matches!(
        cert.validate(&roots, Usage::Credential, NOW),
        Err(X509Error::Untrusted(_))
    ));
    // Out of date as well: still untrusted (provenance is checked first).
    assert!(matches!(
        cert.validate(&roots, Usage::Credential, NOW + 400 * DAY),
        Err(X509Error::Untrusted(_))
    ));
    // No roots at all: untrusted as well.
    assert!(matches!(
        cert.validate(&[], Usage::Credential, NOW),
        Err(X509Error::Untrusted(_))
    ));
}

#[test]
fn tampered_leaf_fails_its_signature() {
    let ca = ca();
    let (_, spki) = issuer_spki();
    let mut leaf = certify(&ca, &subject(), &spki, Usage::Credential, &[1], year()).unwrap();
    // Change one byte of the issuer id "VN.BCA.C06" → "VN.BCA.C07".
    let at = leaf.windows(10).position(|w| w == b"VN.BCA.C06").unwrap();
    leaf[at + 9] = b'7';
    let cert = IssuerCertificate::from_ders(vec![leaf]).unwrap();
    assert_eq!(cert.issuer_id(), "VN.BCA.C07");
    let roots = vec![CaRoot::from_der(ca.cert_der()).unwrap()];
    assert!(matches!(
        cert.validate(&roots, Usage::Credential, NOW),
        Err(X509Error::Untrusted(_))
    ));
}

#[test]
fn mdoc_signer_gets_its_usage() {
    let ca = ca();
    let signer = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let spki = signer.public_key_der();
    let leaf = certify(&ca, &subject(), &spki, Usage::MdocSigner, &[2], year()).unwrap();
    let cert = IssuerCertificate::from_ders(vec![leaf]).unwrap();
    let roots = vec![CaRoot::from_der(ca.cert_der()).unwrap()];
    cert.validate(&roots, Usage::MdocSigner, NOW).unwrap();
    assert_eq!(cert.key_kind(), KeyKind::P256);
    // A P-256 key is no credential signer; an Ed25519 key no mdoc signer.
    assert_eq!(
        cert.validate(&roots, Usage::Credential, NOW).unwrap_err(),
        X509Error::KeyKind
    );
    let (_, ed) = issuer_spki();
    assert_eq!(
        certify(&ca, &subject(), &ed, Usage::MdocSigner, &[2], year()).unwrap_err(),
        X509Error::KeyKind
    );
}

#[test]
fn ca_reloads_from_its_parts_and_keeps_certifying() {
    let ca = ca();
    let again = Ca::from_parts(ca.cert_der(), &ca.key_pkcs8()).unwrap();
    let (_, spki) = issuer_spki();
    let leaf = certify(&again, &subject(), &spki, Usage::Credential, &[1], year()).unwrap();
    let roots = vec![CaRoot::from_der(ca.cert_der()).unwrap()];
    IssuerCertificate::from_ders(vec![leaf])
        .unwrap()
        .validate(&roots, Usage::Credential, NOW)
        .unwrap();
    // Another CA's key does not fit this certificate.
    let other = self::ca();
    assert!(Ca::from_parts(ca.cert_der(), &other.key_pkcs8()).is_err());
}

#[test]
fn pem_round_trip_and_bad_input() {
    let ca = ca();
    let (_, spki) = issuer_spki();
    let leaf = certify(&ca, &subject(), &spki, Usage::Credential, &[1], year()).unwrap();
    let pem = ders_to_pem(std::slice::from_ref(&leaf)).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
    assert_eq!(pem_to_ders(pem.as_bytes()).unwrap(), vec![leaf.clone()]);
    assert_eq!(pem_to_ders(b"hello").unwrap_err(), X509Error::Pem);
    assert_eq!(
        pem_to_ders(&vec![b'a'; MAX_PEM_BYTES + 1]).unwrap_err(),
        X509Error::Pem
    );
    assert!(matches!(
        IssuerCertificate::from_ders(vec![leaf[..leaf.len() - 1].to_vec()]),
        Err(X509Error::Parse(_))
    ));
    assert_eq!(
        IssuerCertificate::from_ders(vec![leaf; MAX_CHAIN + 1]).unwrap_err(),
        X509Error::TooLarge
    );
    // A leaf is no CA root.
    let leaf = certify(&ca, &subject(), &spki, Usage::Credential, &[1], year()).unwrap();
    assert_eq!(CaRoot::from_der(&leaf).unwrap_err(), X509Error::NotACa);
}

#[test]
fn a_certificate_without_doc_types_is_refused() {
    // Made directly with rcgen: the profile's certify never leaves the extension out.
    let ca_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut ca_params = rcgen::CertificateParams::default();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let leaf_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
    let mut params = rcgen::CertificateParams::default();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "VN.BCA.C06");
    params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    let leaf = params.signed_by(&leaf_key, &ca_cert, &ca_key).unwrap();
    assert_eq!(
        IssuerCertificate::from_ders(vec![leaf.der().to_vec()]).unwrap_err(),
        X509Error::NoDocTypes
    );
    assert_eq!(encode_doc_types(&[]).unwrap_err(), X509Error::NoDocTypes);
}
