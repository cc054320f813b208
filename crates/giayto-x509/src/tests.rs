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
        &crate::ca::CaUrls::under(crate::ca::DEFAULT_CA_URL).unwrap(),
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

fn ext<'a>(cert: &'a Certificate, oid: &str) -> Option<&'a x509_cert::ext::Extension> {
    let oid = ObjectIdentifier::new(oid).unwrap();
    cert.tbs_certificate
        .extensions
        .as_ref()
        .unwrap()
        .iter()
        .find(|e| e.extn_id == oid)
}

fn ski(cert: &Certificate) -> Vec<u8> {
    let e = ext(cert, OID_SUBJECT_KEY_ID).expect("subject key identifier");
    x509_cert::ext::pkix::SubjectKeyIdentifier::from_der(e.extn_value.as_bytes())
        .unwrap()
        .0
        .as_bytes()
        .to_vec()
}

fn aki(cert: &Certificate) -> Vec<u8> {
    let e = ext(cert, "2.5.29.35").expect("authority key identifier");
    x509_cert::ext::pkix::AuthorityKeyIdentifier::from_der(e.extn_value.as_bytes())
        .unwrap()
        .key_identifier
        .unwrap()
        .as_bytes()
        .to_vec()
}

fn sha1_of_key(cert: &Certificate) -> Vec<u8> {
    crate::ca::key_identifier(
        cert.tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes(),
    )
}

#[test]
fn ca_and_mdoc_signer_follow_the_iso_18013_5_annex_b_profile() {
    use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
    let ca = ca();
    let root = Certificate::from_der(ca.cert_der()).unwrap();
    // The IACA: cA with path length 0, keyCertSign + cRLSign, SHA-1 key identifier, issuer
    // alternative name and CRL distribution point.
    let bc = ext(&root, "2.5.29.19").unwrap();
    assert!(bc.critical);
    let bc = x509_cert::ext::pkix::BasicConstraints::from_der(bc.extn_value.as_bytes()).unwrap();
    assert!(bc.ca);
    assert_eq!(bc.path_len_constraint, Some(0));
    let ku = x509_cert::ext::pkix::KeyUsage::from_der(
        ext(&root, "2.5.29.15").unwrap().extn_value.as_bytes(),
    )
    .unwrap();
    assert!(ku.key_cert_sign() && ku.crl_sign() && !ku.digital_signature());
    assert_eq!(ski(&root), sha1_of_key(&root));
    let ian = x509_cert::ext::pkix::IssuerAltName::from_der(
        ext(&root, OID_ISSUER_ALT_NAME)
            .unwrap()
            .extn_value
            .as_bytes(),
    )
    .unwrap();
    assert!(
        matches!(&ian.0[..], [GeneralName::UniformResourceIdentifier(u)] if u.as_str() == crate::ca::DEFAULT_CA_URL)
    );
    let crl = x509_cert::ext::pkix::CrlDistributionPoints::from_der(
        ext(&root, OID_CRL_DISTRIBUTION_POINTS)
            .unwrap()
            .extn_value
            .as_bytes(),
    )
    .unwrap();
    assert!(matches!(
        &crl.0[0].distribution_point,
        Some(DistributionPointName::FullName(n))
            if matches!(&n[..], [GeneralName::UniformResourceIdentifier(u)] if u.as_str() == "https://ca.giayto.example/ca.crl")
    ));

    // A document signer, certified by the CA reloaded from its files as the CLI does.
    let reloaded = Ca::from_parts(ca.cert_der(), &ca.key_pkcs8()).unwrap();
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let ds = certify(
        &reloaded,
        &subject(),
        &key.public_key_der(),
        Usage::MdocSigner,
        &[2],
        year(),
    )
    .unwrap();
    let ds = Certificate::from_der(&ds).unwrap();
    assert!(
        ext(&ds, "2.5.29.19").is_none(),
        "no basic constraints in a DS"
    );
    assert_eq!(ski(&ds), sha1_of_key(&ds));
    assert_eq!(aki(&ds), ski(&root));
    for oid in [OID_ISSUER_ALT_NAME, OID_CRL_DISTRIBUTION_POINTS] {
        assert_eq!(
            ext(&ds, oid).unwrap().extn_value,
            ext(&root, oid).unwrap().extn_value
        );
    }
    let eku = x509_cert::ext::pkix::ExtendedKeyUsage::from_der(
        ext(&ds, "2.5.29.37").unwrap().extn_value.as_bytes(),
    )
    .unwrap();
    assert_eq!(
        eku.0,
        vec![ObjectIdentifier::new(OID_EKU_MDOC_SIGNER).unwrap()]
    );
    // The only critical extension is key usage (readers refuse critical ones they do not know).
    let critical: Vec<String> = ds
        .tbs_certificate
        .extensions
        .as_ref()
        .unwrap()
        .iter()
        .filter(|e| e.critical)
        .map(|e| e.extn_id.to_string())
        .collect();
    assert_eq!(critical, ["2.5.29.15"]);

    // A credential key keeps cA=FALSE.
    let (_, spki) = issuer_spki();
    let leaf = certify(&ca, &subject(), &spki, Usage::Credential, &[1], year()).unwrap();
    let leaf = Certificate::from_der(&leaf).unwrap();
    assert!(ext(&leaf, "2.5.29.19").is_some());
    assert_eq!(ski(&leaf), sha1_of_key(&leaf));
}

#[test]
fn a_ca_of_the_earlier_profile_still_certifies_with_its_own_key_identifier() {
    // The CA profile before ISO 18013-5 Annex B: no path length, rcgen's SHA-256 identifier,
    // no URLs. Reloaded, it signs leaves whose authority key identifier is its own.
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut p = rcgen::CertificateParams::default();
    p.distinguished_name = rcgen::DistinguishedName::new();
    p.distinguished_name.push(rcgen::DnType::CountryName, "VN");
    p.distinguished_name
        .push(rcgen::DnType::CommonName, "Old National CA");
    p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    p.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    let old = p.self_signed(&key).unwrap();
    let old_cert = Certificate::from_der(old.der()).unwrap();
    assert_ne!(ski(&old_cert), sha1_of_key(&old_cert));
    let ca = Ca::from_parts(old.der(), &key.serialize_der()).unwrap();
    let (_, spki) = issuer_spki();
    let leaf = certify(&ca, &subject(), &spki, Usage::Credential, &[1], year()).unwrap();
    assert_eq!(aki(&Certificate::from_der(&leaf).unwrap()), ski(&old_cert));
    let roots = vec![CaRoot::from_der(old.der()).unwrap()];
    IssuerCertificate::from_ders(vec![leaf])
        .unwrap()
        .validate(&roots, Usage::Credential, now_of(&old_cert))
        .unwrap();
}

fn now_of(cert: &Certificate) -> i64 {
    let (from, until) = crate::validity(cert);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(from <= t && t <= until);
    t
}

#[test]
fn ca_urls_are_checked() {
    use crate::ca::CaUrls;
    assert_eq!(
        CaUrls::under("https://ca.example.gov.vn").unwrap().crl,
        "https://ca.example.gov.vn/ca.crl"
    );
    for bad in [
        "",
        "ftp://ca.example/",
        "https://",
        "https:///x",
        "https://ca example/",
        "https://cả.example/",
        &format!("https://{}/", "a".repeat(250)),
    ] {
        assert_eq!(
            CaUrls::under(bad).unwrap_err(),
            X509Error::BadUrl(bad.to_owned())
        );
    }
}
