//! A test IACA root and document-signer certificates (feature `testca`), for the tests and the
//! test vectors, made with rcgen and shaped as ISO 18013-5 Annex B asks (the extensions
//! `isomdl` checks): a root with basic constraints `CA, pathlen 0`, key usage `keyCertSign,
//! cRLSign`, a subject key identifier, an issuer alternative name and a CRL distribution point;
//! a document signer with key usage `digitalSignature`, extended key usage 1.0.18013.5.1.2,
//! subject and authority key identifiers, the same issuer alternative name and CRL point.
//!
//! Keys come from seeds and signatures are deterministic ECDSA (RFC 6979), so the same inputs
//! give the same certificates byte for byte. Not for production: `giayto root certify-issuer`
//! makes the real ones.

use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use rcgen::{
    BasicConstraints, CertificateParams, CrlDistributionPoint, CustomExtension, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyIdMethod, KeyPair, KeyUsagePurpose, PublicKeyData,
    RemoteKeyPair, SerialNumber,
};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::cert::Cert;

/// A P-256 key from a seed (SHA-256 of the seed, re-hashed until it is a valid scalar).
pub fn key_from_seed(seed: &[u8]) -> SigningKey {
    let mut h: [u8; 32] = Sha256::digest(seed).into();
    loop {
        if let Ok(k) = SigningKey::from_bytes(&h.into()) {
            return k;
        }
        h = Sha256::digest(h).into();
    }
}

struct Remote {
    key: SigningKey,
    public: Vec<u8>,
}

impl RemoteKeyPair for Remote {
    fn public_key(&self) -> &[u8] {
        &self.public
    }
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        let sig: Signature = self.key.sign(msg);
        Ok(sig.to_der().as_bytes().to_vec())
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_ECDSA_P256_SHA256
    }
}

fn key_pair(key: &SigningKey) -> Result<KeyPair, rcgen::Error> {
    KeyPair::from_remote(Box::new(Remote {
        key: key.clone(),
        public: key
            .verifying_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec(),
    }))
}

fn time(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Key identifier: the first 20 bytes of SHA-256 of the uncompressed public key.
/// The subject key identifier ISO 18013-5 readers check (RFC 5280 §4.2.1.2 method 1): SHA-1
/// of the subject public key's bits.
fn key_id(key: &VerifyingKey) -> Vec<u8> {
    sha1::Sha1::digest(key.to_encoded_point(false).as_bytes()).to_vec()
}

/// The subject key identifier extension (2.5.29.14), which rcgen writes only for CAs.
fn subject_key_identifier(id: &[u8]) -> CustomExtension {
    let mut content = vec![0x04, id.len() as u8];
    content.extend_from_slice(id);
    CustomExtension::from_oid_content(&[2, 5, 29, 14], content)
}

/// A subject's P-256 public key, for certifying a key whose secret is elsewhere.
struct SubjectKey(Vec<u8>);

impl PublicKeyData for SubjectKey {
    fn der_bytes(&self) -> &[u8] {
        &self.0
    }
    fn algorithm(&self) -> &rcgen::SignatureAlgorithm {
        &rcgen::PKCS_ECDSA_P256_SHA256
    }
}

/// IssuerAltName (2.5.29.18): GeneralNames with one uniformResourceIdentifier.
fn issuer_alt_name(uri: &str) -> CustomExtension {
    let mut gn = vec![0x86, u8::try_from(uri.len()).unwrap_or(0)];
    gn.extend_from_slice(uri.as_bytes());
    let mut seq = vec![0x30, u8::try_from(gn.len()).unwrap_or(0)];
    seq.extend(gn);
    CustomExtension::from_oid_content(&[2, 5, 29, 18], seq)
}

const ISSUER_URI: &str = "https://giayto.example/iaca";
const CRL_URI: &str = "https://giayto.example/iaca.crl";

/// A test IACA root.
pub struct TestCa {
    key: SigningKey,
    key_pair: KeyPair,
    cert: rcgen::Certificate,
}

impl TestCa {
    /// A root for `common_name`, country VN, key from `seed`, valid between the two times.
    pub fn new(seed: &[u8], common_name: &str, not_before: i64, not_after: i64) -> TestCa {
        let key = key_from_seed(seed);
        let key_pair = key_pair(&key).unwrap_or_else(|e| panic!("test CA key: {e}"));
        let mut p = CertificateParams::default();
        p.distinguished_name = rcgen::DistinguishedName::new();
        p.distinguished_name.push(DnType::CountryName, "VN");
        p.distinguished_name.push(DnType::CommonName, common_name);
        p.not_before = time(not_before);
        p.not_after = time(not_after);
        p.serial_number = Some(SerialNumber::from(
            key_id(key.verifying_key())[..8].to_vec(),
        ));
        p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        p.key_identifier_method = KeyIdMethod::PreSpecified(key_id(key.verifying_key()));
        p.crl_distribution_points = vec![CrlDistributionPoint {
            uris: vec![CRL_URI.into()],
        }];
        p.custom_extensions = vec![issuer_alt_name(ISSUER_URI)];
        let cert = p
            .self_signed(&key_pair)
            .unwrap_or_else(|e| panic!("test CA: {e}"));
        TestCa {
            key,
            key_pair,
            cert,
        }
    }

    /// The root's key.
    pub fn key(&self) -> &SigningKey {
        &self.key
    }

    /// The root certificate.
    pub fn cert(&self) -> Cert {
        Cert::from_der(self.cert.der()).unwrap_or_else(|e| panic!("test CA: {e}"))
    }

    /// The root certificate as PEM.
    pub fn pem(&self) -> String {
        pem(self.cert.der())
    }

    /// A document-signer certificate for `key`, valid between the two times.
    pub fn document_signer(
        &self,
        key: &SigningKey,
        common_name: &str,
        not_before: i64,
        not_after: i64,
    ) -> Cert {
        self.document_signer_for(key.verifying_key(), common_name, not_before, not_after)
    }

    /// A document-signer certificate for the public key `key` (its secret kept elsewhere, as
    /// in an issuer folder), valid between the two times.
    pub fn document_signer_for(
        &self,
        key: &VerifyingKey,
        common_name: &str,
        not_before: i64,
        not_after: i64,
    ) -> Cert {
        let mut p = CertificateParams::default();
        p.distinguished_name = rcgen::DistinguishedName::new();
        p.distinguished_name.push(DnType::CountryName, "VN");
        p.distinguished_name.push(DnType::CommonName, common_name);
        p.not_before = time(not_before);
        p.not_after = time(not_after);
        p.serial_number = Some(SerialNumber::from(key_id(key)[..8].to_vec()));
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::Other(vec![1, 0, 18013, 5, 1, 2])];
        p.use_authority_key_identifier_extension = true;
        p.key_identifier_method = KeyIdMethod::PreSpecified(key_id(key));
        p.crl_distribution_points = vec![CrlDistributionPoint {
            uris: vec![CRL_URI.into()],
        }];
        p.custom_extensions = vec![
            issuer_alt_name(ISSUER_URI),
            subject_key_identifier(&key_id(key)),
        ];
        let subject = SubjectKey(key.to_encoded_point(false).as_bytes().to_vec());
        let cert = p
            .signed_by(&subject, &self.cert, &self.key_pair)
            .unwrap_or_else(|e| panic!("document signer: {e}"));
        Cert::from_der(cert.der()).unwrap_or_else(|e| panic!("document signer: {e}"))
    }
}

/// A DER certificate as PEM.
pub fn pem(der: &[u8]) -> String {
    der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, der)
        .unwrap_or_else(|e| panic!("pem: {e}"))
}
