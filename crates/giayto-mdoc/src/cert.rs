//! X.509 certificates of the mdoc trust path (docs/format.md §17.5): the document-signer
//! certificate in `x5chain`, any intermediates, and the IACA root the verifier trusts.
//!
//! The check is the part of ISO 18013-5 Annex B a verifier cannot do without: each certificate
//! is signed by the next (ECDSA P-256 with SHA-256), the last by a trusted root, every one of
//! them (the root too) is within its validity at the time checked, and the first carries the
//! document-signer extended key usage. Revocation (CRLs) is not checked.

use der::{Decode, Encode};
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::DecodePublicKey;
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_cert::Certificate;

use crate::error::Reason;
use crate::MAX_CHAIN;

/// ecdsa-with-SHA256.
const ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
/// id-ce-extKeyUsage.
const EXT_KEY_USAGE: &str = "2.5.29.37";
/// Largest certificate read, in bytes.
pub const MAX_CERT_BYTES: usize = 8 * 1024;

/// A parsed certificate and its DER.
#[derive(Clone, Debug)]
pub struct Cert {
    der: Vec<u8>,
    cert: Certificate,
}

impl Cert {
    /// Parse a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Cert, Reason> {
        if der.len() > MAX_CERT_BYTES {
            return Err(Reason::BadCertificate);
        }
        let cert = Certificate::from_der(der).map_err(|_| Reason::BadCertificate)?;
        Ok(Cert {
            der: der.to_vec(),
            cert,
        })
    }

    /// The DER bytes.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The subject, as an RFC 4514 string.
    pub fn subject(&self) -> String {
        self.cert.tbs_certificate.subject.to_string()
    }

    /// `notBefore` and `notAfter`, unix seconds.
    pub fn validity(&self) -> (i64, i64) {
        let v = &self.cert.tbs_certificate.validity;
        let secs = |t: x509_cert::time::Time| {
            i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
        };
        (secs(v.not_before), secs(v.not_after))
    }

    /// The subject's ECDSA P-256 key.
    pub fn public_key(&self) -> Result<VerifyingKey, Reason> {
        let spki = self
            .cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|_| Reason::BadCertificate)?;
        VerifyingKey::from_public_key_der(&spki).map_err(|_| Reason::BadCertificate)
    }

    /// Whether `issuer`'s key signed this certificate and `issuer`'s subject is its issuer.
    pub fn signed_by(&self, issuer: &Cert) -> Result<bool, Reason> {
        if self.cert.tbs_certificate.issuer != issuer.cert.tbs_certificate.subject {
            return Ok(false);
        }
        if self.cert.signature_algorithm.oid.to_string() != ECDSA_SHA256 {
            return Err(Reason::UnsupportedAlgorithm);
        }
        let key = issuer.public_key()?;
        let tbs = self
            .cert
            .tbs_certificate
            .to_der()
            .map_err(|_| Reason::BadCertificate)?;
        let Some(sig) = self.cert.signature.as_bytes() else {
            return Ok(false);
        };
        let Ok(sig) = Signature::from_der(sig) else {
            return Ok(false);
        };
        Ok(key.verify(&tbs, &sig).is_ok())
    }

    /// Whether the certificate lists the mdoc document-signer extended key usage.
    pub fn is_document_signer(&self) -> bool {
        self.cert
            .tbs_certificate
            .extensions
            .iter()
            .flatten()
            .filter(|e| e.extn_id.to_string() == EXT_KEY_USAGE)
            .filter_map(|e| ExtendedKeyUsage::from_der(e.extn_value.as_bytes()).ok())
            .any(|eku| {
                eku.0
                    .iter()
                    .any(|o| o.to_string() == crate::EKU_DOCUMENT_SIGNER)
            })
    }

    /// Within validity at `at`.
    fn check_time(&self, at: i64) -> Result<(), Reason> {
        let (nb, na) = self.validity();
        if at < nb {
            return Err(Reason::CertificateNotYetValid {
                subject: self.subject(),
            });
        }
        if at > na {
            return Err(Reason::CertificateExpired {
                subject: self.subject(),
            });
        }
        Ok(())
    }
}

/// Read a PEM file of certificates (`CERTIFICATE` blocks, in order), at most [`MAX_CHAIN`].
pub fn parse_pem_chain(pem: &str) -> Result<Vec<Cert>, String> {
    let mut out = Vec::new();
    let mut rest = pem;
    let begin = "-----BEGIN CERTIFICATE-----";
    let end = "-----END CERTIFICATE-----";
    while let Some(start) = rest.find(begin) {
        let after = &rest[start..];
        let Some(stop) = after.find(end) else {
            return Err("a certificate block has no END line".into());
        };
        let block = &after[..stop + end.len()];
        if out.len() == MAX_CHAIN {
            return Err(format!("more than {MAX_CHAIN} certificates"));
        }
        let (label, der) = der::pem::decode_vec(block.as_bytes())
            .map_err(|e| format!("certificate {}: {e}", out.len() + 1))?;
        if label != "CERTIFICATE" {
            return Err(format!("certificate {}: not a certificate", out.len() + 1));
        }
        let cert =
            Cert::from_der(&der).map_err(|e| format!("certificate {}: {e}", out.len() + 1))?;
        out.push(cert);
        rest = &after[stop + end.len()..];
    }
    if out.is_empty() {
        return Err("no certificate".into());
    }
    Ok(out)
}

/// Check `chain` (document signer first, then intermediates; the root may be included) up to
/// one of `roots` at time `at`; returns the document signer's key.
pub fn check_chain(chain: &[Cert], roots: &[Cert], at: i64) -> Result<VerifyingKey, Reason> {
    let ds = chain.first().ok_or(Reason::NoChain)?;
    if chain.len() > MAX_CHAIN {
        return Err(Reason::Malformed("x5chain is too long"));
    }
    for pair in chain.windows(2) {
        if let [child, parent] = pair {
            if !child.signed_by(parent)? {
                return Err(Reason::UnknownRoot);
            }
        }
    }
    let last = chain.last().ok_or(Reason::NoChain)?;
    let mut root = None;
    for r in roots {
        if r.der() == last.der() || last.signed_by(r)? {
            root = Some(r);
            break;
        }
    }
    let root = root.ok_or(Reason::UnknownRoot)?;
    for c in chain.iter().chain(std::iter::once(root)) {
        c.check_time(at)?;
    }
    if !ds.is_document_signer() {
        return Err(Reason::NotDocumentSigner);
    }
    ds.public_key()
}
