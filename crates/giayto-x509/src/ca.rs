//! Making a CA and certifying issuer keys (rcgen): `giayto root init --x509` and
//! `giayto root certify-issuer` (docs/format.md §18.2).
//!
//! The CA key is ECDSA P-256 (what ISO 18013-5 readers expect of an IACA, and what webpki
//! checks); the certified keys are the issuers' own: Ed25519 for giayto credentials, P-256 for
//! an mdoc document signer.
//!
//! ```
//! use giayto_x509::ca::{certify, Ca, Subject, Validity};
//! use giayto_x509::{CaRoot, IssuerCertificate, Usage};
//! use ed25519_dalek::pkcs8::EncodePublicKey;
//!
//! let now = 1_790_000_000;
//! let ca = Ca::generate("VN Test National CA", Validity { not_before: now - 60, not_after: now + 86_400 * 3650 },
//!     &giayto_x509::ca::CaUrls::under("https://ca.giayto.example/")?)?;
//! let issuer = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
//! let spki = issuer.verifying_key().to_public_key_der().unwrap();
//! let subject = Subject { issuer_id: "VN.BCA.C06".into(), name: Some("Cục C06".into()) };
//! let leaf = certify(&ca, &subject, spki.as_bytes(), Usage::Credential, &[1],
//!     Validity { not_before: now - 60, not_after: now + 86_400 * 365 })?;
//! let cert = IssuerCertificate::from_ders(vec![leaf])?;
//! let roots = vec![CaRoot::from_der(ca.cert_der())?];
//! cert.validate(&roots, Usage::Credential, now)?;
//! assert_eq!(cert.ed25519_key(), Some(issuer.verifying_key().to_bytes()));
//! # Ok::<(), giayto_x509::X509Error>(())
//! ```

use der::asn1::{Ia5String, ObjectIdentifier};
use der::{Decode, Encode};
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyIdMethod, KeyPair, KeyUsagePurpose, PublicKeyData,
    SignatureAlgorithm,
};
use sha1::{Digest, Sha1};
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{CrlDistributionPoints, IssuerAltName};
use zeroize::Zeroizing;

use crate::{
    encode_doc_types, extension, name_text, parse_cert, parse_error, Usage, X509Error,
    OID_CRL_DISTRIBUTION_POINTS, OID_ISSUER_ALT_NAME, OID_SUBJECT_KEY_ID,
};

/// The CA's address as ISO/IEC 18013-5 Annex B wants it in every certificate of an IACA
/// (docs/format.md §18.2): the issuer alternative name (a URI naming the CA) and the CRL
/// distribution point. giayto publishes no CRL: the URI says where the CA would publish one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaUrls {
    /// The CA's own URI (issuer alternative name).
    pub issuer: String,
    /// Where the CA's CRL is published (CRL distribution point).
    pub crl: String,
}

/// Longest URL a CA certificate carries.
pub const MAX_URL_LEN: usize = 256;

/// The CA URL of a test CA made without one: under `giayto.example` (RFC 2606), which names
/// nothing real.
pub const DEFAULT_CA_URL: &str = "https://ca.giayto.example/";

impl CaUrls {
    /// The CA at `base`, its CRL at `base` + `/ca.crl`.
    pub fn under(base: &str) -> Result<CaUrls, X509Error> {
        let urls = CaUrls {
            issuer: base.to_owned(),
            crl: format!("{}/ca.crl", base.trim_end_matches('/')),
        };
        urls.check()?;
        Ok(urls)
    }

    /// Both URLs are `http://` or `https://` URLs of 1 to [`MAX_URL_LEN`] visible ASCII
    /// characters (an IA5String, no spaces).
    pub fn check(&self) -> Result<(), X509Error> {
        for url in [&self.issuer, &self.crl] {
            let scheme = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"));
            let ok = url.len() <= MAX_URL_LEN
                && scheme.is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
                && url.bytes().all(|b| b.is_ascii_graphic());
            if !ok {
                return Err(X509Error::BadUrl(url.clone()));
            }
        }
        Ok(())
    }
}

fn uri(url: &str) -> Result<GeneralName, X509Error> {
    Ia5String::new(url)
        .map(GeneralName::UniformResourceIdentifier)
        .map_err(|_| X509Error::BadUrl(url.to_owned()))
}

/// The DER values of the issuer alternative name and CRL distribution point extensions.
fn url_extensions(urls: &CaUrls) -> Result<(Vec<u8>, Vec<u8>), X509Error> {
    urls.check()?;
    let ian = IssuerAltName(vec![uri(&urls.issuer)?])
        .to_der()
        .map_err(|e| X509Error::Make(e.to_string()))?;
    let crl = CrlDistributionPoints(vec![DistributionPoint {
        distribution_point: Some(DistributionPointName::FullName(vec![uri(&urls.crl)?])),
        reasons: None,
        crl_issuer: None,
    }])
    .to_der()
    .map_err(|e| X509Error::Make(e.to_string()))?;
    Ok((ian, crl))
}

/// The subject key identifier of a key (RFC 5280 §4.2.1.2, method 1): SHA-1 of the
/// subjectPublicKey bits, as ISO 18013-5 readers recompute it.
pub fn key_identifier(public_key_bits: &[u8]) -> Vec<u8> {
    Sha1::digest(public_key_bits).to_vec()
}

/// A certificate's validity, seconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    /// Its start.
    pub not_before: i64,
    /// Its end.
    pub not_after: i64,
}

/// Who a certificate is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// The issuer id (subject common name), matched against a credential's `iss`.
    pub issuer_id: String,
    /// The issuer's name (subject organisation).
    pub name: Option<String>,
}

/// A CA: its self-signed certificate and its P-256 key.
pub struct Ca {
    cert_der: Vec<u8>,
    key: KeyPair,
    /// The certificate rcgen signs with: the CA's name and key identifier.
    issuer: rcgen::Certificate,
    /// The CA's issuer alternative name and CRL distribution point extension values, copied
    /// into every certificate it signs (absent from a CA made before they were written).
    ian: Option<Vec<u8>>,
    crl: Option<Vec<u8>>,
}

impl std::fmt::Debug for Ca {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ca").finish_non_exhaustive()
    }
}

fn make(e: rcgen::Error) -> X509Error {
    X509Error::Make(e.to_string())
}

fn time(t: i64) -> Result<time::OffsetDateTime, X509Error> {
    time::OffsetDateTime::from_unix_timestamp(t).map_err(|e| X509Error::Make(e.to_string()))
}

fn random_serial() -> Result<[u8; 16], X509Error> {
    let mut serial = [0u8; 16];
    getrandom::getrandom(&mut serial).map_err(|e| X509Error::Make(e.to_string()))?;
    // Positive and of full length.
    serial[0] = (serial[0] & 0x7f) | 0x40;
    Ok(serial)
}

/// The CA's certificate: ISO 18013-5 Annex B's IACA profile (basic constraints `cA`, path
/// length 0; key usage `keyCertSign, cRLSign`; a SHA-1 subject key identifier; the issuer
/// alternative name and CRL distribution point of `urls`).
fn ca_params(
    common_name: &str,
    validity: Validity,
    key: &KeyPair,
    urls: &CaUrls,
) -> Result<CertificateParams, X509Error> {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "VN");
    dn.push(DnType::CommonName, common_name);
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.key_identifier_method = KeyIdMethod::PreSpecified(key_identifier(key.public_key_raw()));
    let (ian, crl) = url_extensions(urls)?;
    params.custom_extensions = vec![
        CustomExtension::from_oid_content(&oid_arcs(OID_ISSUER_ALT_NAME)?, ian),
        CustomExtension::from_oid_content(&oid_arcs(OID_CRL_DISTRIBUTION_POINTS)?, crl),
    ];
    params.not_before = time(validity.not_before)?;
    params.not_after = time(validity.not_after)?;
    Ok(params)
}

fn ca_from(cert_der: Vec<u8>, key: KeyPair, issuer: rcgen::Certificate) -> Result<Ca, X509Error> {
    let cert = parse_cert(&cert_der)?;
    let ian = extension(&cert, OID_ISSUER_ALT_NAME_ID).map(<[u8]>::to_vec);
    let crl = extension(&cert, OID_CRL_DISTRIBUTION_POINTS_ID).map(<[u8]>::to_vec);
    Ok(Ca {
        cert_der,
        key,
        issuer,
        ian,
        crl,
    })
}

const OID_ISSUER_ALT_NAME_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap(OID_ISSUER_ALT_NAME);
const OID_CRL_DISTRIBUTION_POINTS_ID: ObjectIdentifier =
    ObjectIdentifier::new_unwrap(OID_CRL_DISTRIBUTION_POINTS);
const OID_SUBJECT_KEY_ID_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap(OID_SUBJECT_KEY_ID);

impl Ca {
    /// A new CA with a fresh P-256 key and a self-signed certificate naming `urls`.
    pub fn generate(common_name: &str, validity: Validity, urls: &CaUrls) -> Result<Ca, X509Error> {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(make)?;
        let mut params = ca_params(common_name, validity, &key, urls)?;
        params.serial_number = Some(rcgen::SerialNumber::from_slice(&random_serial()?));
        let issuer = params.self_signed(&key).map_err(make)?;
        ca_from(issuer.der().to_vec(), key, issuer)
    }

    /// A CA with a given key (PKCS#8 DER: P-256, or Ed25519 whose signatures are
    /// deterministic) and serial number: for reproducible test vectors. [`Ca::generate`] is
    /// for real use.
    pub fn with_key(
        common_name: &str,
        validity: Validity,
        urls: &CaUrls,
        key_pkcs8: &[u8],
        serial: &[u8],
    ) -> Result<Ca, X509Error> {
        let key = KeyPair::try_from(key_pkcs8).map_err(make)?;
        let mut params = ca_params(common_name, validity, &key, urls)?;
        params.serial_number = Some(rcgen::SerialNumber::from_slice(serial));
        let issuer = params.self_signed(&key).map_err(make)?;
        ca_from(issuer.der().to_vec(), key, issuer)
    }

    /// A CA from its certificate (DER) and its key (PKCS#8 DER), as [`Ca::generate`] made them:
    /// the key must be the certificate's.
    pub fn from_parts(cert_der: &[u8], key_pkcs8: &[u8]) -> Result<Ca, X509Error> {
        let cert = parse_cert(cert_der)?;
        let key = KeyPair::try_from(key_pkcs8).map_err(make)?;
        let spki = &cert.tbs_certificate.subject_public_key_info;
        if spki.subject_public_key.raw_bytes() != key.der_bytes() {
            return Err(X509Error::KeyKind);
        }
        let common_name =
            name_text(&cert.tbs_certificate.subject, crate::OID_CN).ok_or(X509Error::NoIssuerId)?;
        let (not_before, not_after) = crate::validity(&cert);
        // rcgen signs with a certificate's name and key identifier: rebuild them from the
        // stored certificate (the name is the CA's; the identifier is the one the stored
        // certificate carries, so that leaves' authority key identifiers match it, whichever
        // way an older release derived it).
        let mut params = ca_params(
            &common_name,
            Validity {
                not_before,
                not_after,
            },
            &key,
            &CaUrls::under(DEFAULT_CA_URL)?,
        )?;
        if let Some(ski) = extension(&cert, OID_SUBJECT_KEY_ID_ID)
            .and_then(|v| x509_cert::ext::pkix::SubjectKeyIdentifier::from_der(v).ok())
        {
            params.key_identifier_method = KeyIdMethod::PreSpecified(ski.0.as_bytes().to_vec());
        }
        let issuer = params.self_signed(&key).map_err(make)?;
        let rebuilt = parse_cert(issuer.der())?;
        if rebuilt.tbs_certificate.subject != cert.tbs_certificate.subject {
            return Err(X509Error::Parse("CA name not of this profile".into()));
        }
        ca_from(cert_der.to_vec(), key, issuer)
    }

    /// The CA's certificate (DER): what verifiers configure as the root.
    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// The CA's key as PKCS#8 DER, to be stored encrypted.
    pub fn key_pkcs8(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.key.serialize_der())
    }
}

/// A public key to certify, read from its SubjectPublicKeyInfo.
struct SpkiKey {
    raw: Vec<u8>,
    alg: &'static SignatureAlgorithm,
}

impl PublicKeyData for SpkiKey {
    fn der_bytes(&self) -> &[u8] {
        &self.raw
    }
    fn algorithm(&self) -> &SignatureAlgorithm {
        self.alg
    }
}

fn spki_key(spki_der: &[u8], usage: Usage) -> Result<SpkiKey, X509Error> {
    let spki = spki::SubjectPublicKeyInfoRef::from_der(spki_der).map_err(parse_error)?;
    let ed25519 = ObjectIdentifier::new_unwrap("1.3.101.112");
    let ec = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
    let p256 = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
    let alg = match usage {
        Usage::Credential if spki.algorithm.oid == ed25519 => &rcgen::PKCS_ED25519,
        Usage::MdocSigner
            if spki.algorithm.oid == ec
                && spki
                    .algorithm
                    .parameters
                    .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                    == Some(p256) =>
        {
            &rcgen::PKCS_ECDSA_P256_SHA256
        }
        _ => return Err(X509Error::KeyKind),
    };
    Ok(SpkiKey {
        raw: spki.subject_public_key.raw_bytes().to_vec(),
        alg,
    })
}

fn oid_arcs(s: &str) -> Result<Vec<u64>, X509Error> {
    s.split('.')
        .map(|a| a.parse::<u64>().map_err(parse_error))
        .collect()
}

/// Certify the key `spki_der` (a DER SubjectPublicKeyInfo) for `usage`: a leaf signed by
/// `ca` naming `subject`, with key usage `digitalSignature`, the extended key usage of
/// `usage`, the giayto document-types extension listing `doc_types` (codes of
/// docs/format.md §4), and `validity`; a SHA-1 subject key identifier, the CA's key
/// identifier, and the CA's issuer alternative name and CRL distribution point. An mdoc
/// signer's certificate has no basic constraints (ISO 18013-5 Annex B's document-signer
/// profile names none, and readers refuse a critical extension it does not name); a
/// credential key's says `cA=FALSE`. Returns the certificate's DER.
pub fn certify(
    ca: &Ca,
    subject: &Subject,
    spki_der: &[u8],
    usage: Usage,
    doc_types: &[u64],
    validity: Validity,
) -> Result<Vec<u8>, X509Error> {
    certify_with_serial(
        ca,
        subject,
        spki_der,
        usage,
        doc_types,
        validity,
        &random_serial()?,
    )
}

/// [`certify`] with a given serial number (at most 20 bytes, positive): for reproducible test
/// vectors.
pub fn certify_with_serial(
    ca: &Ca,
    subject: &Subject,
    spki_der: &[u8],
    usage: Usage,
    doc_types: &[u64],
    validity: Validity,
    serial: &[u8],
) -> Result<Vec<u8>, X509Error> {
    if subject.issuer_id.is_empty() {
        return Err(X509Error::NoIssuerId);
    }
    if validity.not_after <= validity.not_before {
        return Err(X509Error::NotValidAt {
            not_before: validity.not_before,
            not_after: validity.not_after,
        });
    }
    let key = spki_key(spki_der, usage)?;
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "VN");
    if let Some(name) = &subject.name {
        dn.push(DnType::OrganizationName, name.as_str());
    }
    dn.push(DnType::CommonName, subject.issuer_id.as_str());
    params.distinguished_name = dn;
    params.is_ca = match usage {
        Usage::Credential => IsCa::ExplicitNoCa,
        Usage::MdocSigner => IsCa::NoCa,
    };
    let key_id = key_identifier(&key.raw);
    params.key_identifier_method = KeyIdMethod::PreSpecified(key_id.clone());
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let eku = match usage {
        Usage::Credential => crate::OID_EKU_CREDENTIAL,
        Usage::MdocSigner => crate::OID_EKU_MDOC_SIGNER,
    };
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::Other(oid_arcs(eku)?)];
    params.custom_extensions = vec![CustomExtension::from_oid_content(
        &oid_arcs(crate::OID_DOC_TYPES)?,
        encode_doc_types(doc_types)?,
    )];
    if usage == Usage::MdocSigner {
        // rcgen writes the subject key identifier only with basic constraints.
        let ski = der::asn1::OctetString::new(key_id)
            .and_then(|o| o.to_der())
            .map_err(|e| X509Error::Make(e.to_string()))?;
        params
            .custom_extensions
            .push(CustomExtension::from_oid_content(
                &oid_arcs(OID_SUBJECT_KEY_ID)?,
                ski,
            ));
    }
    if let Some(ian) = &ca.ian {
        params
            .custom_extensions
            .push(CustomExtension::from_oid_content(
                &oid_arcs(OID_ISSUER_ALT_NAME)?,
                ian.clone(),
            ));
    }
    if let Some(crl) = &ca.crl {
        params
            .custom_extensions
            .push(CustomExtension::from_oid_content(
                &oid_arcs(OID_CRL_DISTRIBUTION_POINTS)?,
                crl.clone(),
            ));
    }
    params.use_authority_key_identifier_extension = true;
    params.serial_number = Some(rcgen::SerialNumber::from_slice(serial));
    params.not_before = time(validity.not_before)?;
    params.not_after = time(validity.not_after)?;
    let cert = params.signed_by(&key, &ca.issuer, &ca.key).map_err(make)?;
    Ok(cert.der().to_vec())
}
