//! Issuer certificates for giayto (docs/format.md §18): an X.509 chain from a national CA root
//! to an issuer's signing key, as a second trust path beside the signed trust list.
//!
//! The leaf certifies the issuer's key (Ed25519 for giayto credentials, P-256 for an ISO
//! 18013-5 document signer), names the issuer id in its subject common name, carries key usage
//! `digitalSignature`, an extended key usage for what the key signs, and the giayto
//! document-types extension ([`OID_DOC_TYPES`]) listing the document types it may sign.
//! [`IssuerCertificate::validate`] checks the chain with `rustls-webpki` (signatures up to a
//! configured root, validity at the given time, the extended key usage) and then the parts
//! webpki leaves to the application: the root's own validity and the key usage bit.
//!
//! With the `ca` feature, [`ca`] makes a test or national CA and certifies keys (rcgen).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "ca")]
pub mod ca;

use der::asn1::{ObjectIdentifier, PrintableStringRef, Utf8StringRef};
use der::{Decode, Encode};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, TrustAnchor, UnixTime};
use x509_cert::Certificate;

/// The private OID arc of giayto's certificate extensions: under IANA's example enterprise
/// number 32473 (RFC 5612), which is reserved for documentation and tests. A national CA that
/// adopts this profile replaces it by an arc of its own (docs/format.md §18.2).
pub const ARC: &str = "1.3.6.1.4.1.32473.9426";
/// The giayto document-types extension: `SEQUENCE OF INTEGER`, the document type codes of
/// docs/format.md §4 this key may sign. Non-critical (a generic validator may skip it), but a
/// giayto verifier requires it on the leaf.
pub const OID_DOC_TYPES: &str = "1.3.6.1.4.1.32473.9426.1";
/// Extended key usage of a key that signs giayto credentials (and their status lists).
pub const OID_EKU_CREDENTIAL: &str = "1.3.6.1.4.1.32473.9426.2";
/// Extended key usage of an ISO/IEC 18013-5 document signer (mdoc MSO signing).
pub const OID_EKU_MDOC_SIGNER: &str = "1.0.18013.5.1.2";

/// DER content octets of [`OID_EKU_CREDENTIAL`] (what webpki compares).
const EKU_CREDENTIAL_DER: &[u8] = &[
    0x2b, 0x06, 0x01, 0x04, 0x01, 0x81, 0xfd, 0x59, 0xc9, 0x52, 0x02,
];
/// DER content octets of [`OID_EKU_MDOC_SIGNER`].
const EKU_MDOC_SIGNER_DER: &[u8] = &[0x28, 0x81, 0x8c, 0x5d, 0x05, 0x01, 0x02];

/// Issuer alternative name (RFC 5280 §4.2.1.7).
pub const OID_ISSUER_ALT_NAME: &str = "2.5.29.18";
/// CRL distribution points (RFC 5280 §4.2.1.13).
pub const OID_CRL_DISTRIBUTION_POINTS: &str = "2.5.29.31";
/// Subject key identifier (RFC 5280 §4.2.1.2).
pub const OID_SUBJECT_KEY_ID: &str = "2.5.29.14";

const OID_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
const OID_CN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const OID_O: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

/// Largest certificate accepted, bytes (DER).
pub const MAX_CERT_BYTES: usize = 8 * 1024;
/// Most certificates in a chain (leaf and intermediates; the root is configured, not sent).
pub const MAX_CHAIN: usize = 4;
/// Most document types one certificate lists (as a trust list entry, docs/format.md §6.3).
pub const MAX_DOC_TYPES: usize = 64;
/// Largest PEM text read.
pub const MAX_PEM_BYTES: usize = 64 * 1024;

/// What a certified key signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Usage {
    /// giayto credentials and status lists: an Ed25519 key, [`OID_EKU_CREDENTIAL`].
    Credential,
    /// ISO/IEC 18013-5 mobile security objects: a P-256 key, [`OID_EKU_MDOC_SIGNER`].
    MdocSigner,
}

impl Usage {
    fn eku_der(self) -> &'static [u8] {
        match self {
            Usage::Credential => EKU_CREDENTIAL_DER,
            Usage::MdocSigner => EKU_MDOC_SIGNER_DER,
        }
    }
}

/// The kind of key a certificate certifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// Ed25519: the raw 32 bytes.
    Ed25519,
    /// ECDSA on P-256: the SEC1 point.
    P256,
    /// Anything else.
    Other,
}

/// Why a certificate or chain was refused.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum X509Error {
    /// No certificate in the PEM text, text that is not PEM, or a PEM text over
    /// [`MAX_PEM_BYTES`].
    Pem,
    /// A certificate over [`MAX_CERT_BYTES`], or a chain over [`MAX_CHAIN`].
    TooLarge,
    /// Not a DER X.509 certificate, or a field of it is unreadable.
    Parse(String),
    /// The leaf has no subject common name (the issuer id).
    NoIssuerId,
    /// The leaf has no giayto document-types extension, or it is unreadable or too long.
    NoDocTypes,
    /// The leaf's key usage does not include `digitalSignature`.
    KeyUsage,
    /// The leaf certifies a key of another kind than its use needs.
    KeyKind,
    /// The certificate is a CA certificate where a root is needed, or not one.
    NotACa,
    /// A root or leaf is outside its validity at the time given.
    NotValidAt {
        /// Its validity start.
        not_before: i64,
        /// Its validity end.
        not_after: i64,
    },
    /// The chain does not lead to a configured root, a signature in it does not verify, or
    /// the leaf lacks the extended key usage (webpki's finding, in English).
    Untrusted(String),
    /// Making a key or certificate failed.
    Make(String),
    /// A CA URL that is not an `http(s)://` URL of visible ASCII, or is too long.
    BadUrl(String),
}

impl std::fmt::Display for X509Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            X509Error::Pem => f.write_str("no PEM certificate"),
            X509Error::TooLarge => f.write_str("certificate or chain too large"),
            X509Error::Parse(e) => write!(f, "not an X.509 certificate: {e}"),
            X509Error::NoIssuerId => f.write_str("the certificate names no issuer id (CN)"),
            X509Error::NoDocTypes => f.write_str("the certificate lists no document types"),
            X509Error::KeyUsage => f.write_str("key usage lacks digitalSignature"),
            X509Error::KeyKind => f.write_str("the certified key is of the wrong kind"),
            X509Error::NotACa => f.write_str("not a CA certificate"),
            X509Error::NotValidAt {
                not_before,
                not_after,
            } => write!(f, "certificate valid only from {not_before} to {not_after}"),
            X509Error::Untrusted(e) => write!(f, "chain not trusted: {e}"),
            X509Error::Make(e) => write!(f, "making the certificate failed: {e}"),
            X509Error::BadUrl(url) => write!(
                f,
                "not an http:// or https:// URL of at most 256 visible ASCII characters: {url:?}"
            ),
        }
    }
}

impl std::error::Error for X509Error {}

fn parse_error(e: impl std::fmt::Display) -> X509Error {
    X509Error::Parse(e.to_string())
}

/// The DER certificates of a PEM text, in order (leaf first for a chain). Other PEM sections
/// are skipped; none at all is [`X509Error::Pem`].
pub fn pem_to_ders(pem: &[u8]) -> Result<Vec<Vec<u8>>, X509Error> {
    if pem.len() > MAX_PEM_BYTES {
        return Err(X509Error::Pem);
    }
    let mut out = Vec::new();
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|_| X509Error::Pem)?;
        if cert.len() > MAX_CERT_BYTES {
            return Err(X509Error::TooLarge);
        }
        out.push(cert.to_vec());
    }
    if out.is_empty() {
        return Err(X509Error::Pem);
    }
    Ok(out)
}

/// The DER SubjectPublicKeyInfo of a PEM `PUBLIC KEY` text (e.g. an mdoc signer's
/// `mdoc-signer.pub.pem`).
pub fn spki_pem_to_der(pem: &[u8]) -> Result<Vec<u8>, X509Error> {
    if pem.len() > MAX_PEM_BYTES {
        return Err(X509Error::Pem);
    }
    rustls_pki_types::SubjectPublicKeyInfoDer::from_pem_slice(pem)
        .map(|k| k.to_vec())
        .map_err(|_| X509Error::Pem)
}

/// PEM text of DER certificates, one `CERTIFICATE` section each, in order.
pub fn ders_to_pem(ders: &[Vec<u8>]) -> Result<String, X509Error> {
    let mut out = String::new();
    for der in ders {
        let pem = der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, der)
            .map_err(|e| X509Error::Make(e.to_string()))?;
        out.push_str(&pem);
    }
    Ok(out)
}

fn parse_cert(der: &[u8]) -> Result<Certificate, X509Error> {
    if der.len() > MAX_CERT_BYTES {
        return Err(X509Error::TooLarge);
    }
    Certificate::from_der(der).map_err(parse_error)
}

fn unix(t: &x509_cert::time::Time) -> i64 {
    i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
}

fn validity(cert: &Certificate) -> (i64, i64) {
    let v = &cert.tbs_certificate.validity;
    (unix(&v.not_before), unix(&v.not_after))
}

fn check_time(cert: &Certificate, now: i64) -> Result<(), X509Error> {
    let (not_before, not_after) = validity(cert);
    if now < not_before || now > not_after {
        return Err(X509Error::NotValidAt {
            not_before,
            not_after,
        });
    }
    Ok(())
}

/// The first attribute of this type in a name, as text.
fn name_text(name: &x509_cert::name::Name, oid: ObjectIdentifier) -> Option<String> {
    name.0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find(|atv| atv.oid == oid)
        .and_then(|atv| {
            Utf8StringRef::try_from(&atv.value)
                .map(|s| s.as_str().to_owned())
                .or_else(|_| PrintableStringRef::try_from(&atv.value).map(|s| s.to_string()))
                .ok()
        })
}

fn extension(cert: &Certificate, oid: ObjectIdentifier) -> Option<&[u8]> {
    cert.tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .find(|e| e.extn_id == oid)
        .map(|e| e.extn_value.as_bytes())
}

fn oid(s: &str) -> Result<ObjectIdentifier, X509Error> {
    ObjectIdentifier::new(s).map_err(parse_error)
}

/// The DER value of the document-types extension: `SEQUENCE OF INTEGER`.
pub fn encode_doc_types(doc_types: &[u64]) -> Result<Vec<u8>, X509Error> {
    if doc_types.is_empty() || doc_types.len() > MAX_DOC_TYPES {
        return Err(X509Error::NoDocTypes);
    }
    doc_types
        .to_vec()
        .to_der()
        .map_err(|e| X509Error::Make(e.to_string()))
}

fn decode_doc_types(value: &[u8]) -> Result<Vec<u64>, X509Error> {
    // Bounded before decoding: an INTEGER takes at least 3 bytes.
    if value.len() > 4 + 11 * MAX_DOC_TYPES {
        return Err(X509Error::NoDocTypes);
    }
    let types = Vec::<u64>::from_der(value).map_err(|_| X509Error::NoDocTypes)?;
    if types.is_empty() || types.len() > MAX_DOC_TYPES {
        return Err(X509Error::NoDocTypes);
    }
    Ok(types)
}

/// A configured CA root (a self-signed CA certificate the verifier trusts).
#[derive(Debug, Clone)]
pub struct CaRoot {
    der: Vec<u8>,
    not_before: i64,
    not_after: i64,
    name: String,
}

impl CaRoot {
    /// Read a root from DER: an X.509 v3 CA certificate webpki accepts as a trust anchor.
    pub fn from_der(der: &[u8]) -> Result<CaRoot, X509Error> {
        let cert = parse_cert(der)?;
        let is_ca = cert
            .tbs_certificate
            .extensions
            .as_ref()
            .and_then(|exts| {
                exts.iter()
                    .find(|e| e.extn_id == ObjectIdentifier::new_unwrap("2.5.29.19"))
            })
            .and_then(|e| {
                x509_cert::ext::pkix::BasicConstraints::from_der(e.extn_value.as_bytes()).ok()
            })
            .is_some_and(|bc| bc.ca);
        if !is_ca {
            return Err(X509Error::NotACa);
        }
        let cert_der = CertificateDer::from(der);
        webpki::anchor_from_trusted_cert(&cert_der).map_err(parse_error)?;
        let (not_before, not_after) = validity(&cert);
        let name = name_text(&cert.tbs_certificate.subject, OID_CN).unwrap_or_default();
        Ok(CaRoot {
            der: der.to_vec(),
            not_before,
            not_after,
            name,
        })
    }

    /// The roots of a PEM text.
    pub fn from_pem(pem: &[u8]) -> Result<Vec<CaRoot>, X509Error> {
        pem_to_ders(pem)?
            .iter()
            .map(|d| CaRoot::from_der(d))
            .collect()
    }

    /// The root's DER bytes.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// Its subject common name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its validity, seconds since the epoch.
    pub fn validity(&self) -> (i64, i64) {
        (self.not_before, self.not_after)
    }
}

/// An issuer certificate chain, read and checked for form (not yet for trust): the leaf's
/// issuer id, certified key and document types.
#[derive(Debug, Clone)]
pub struct IssuerCertificate {
    chain: Vec<Vec<u8>>,
    issuer_id: String,
    name: Option<String>,
    key_kind: KeyKind,
    public_key: Vec<u8>,
    doc_types: Vec<u64>,
    not_before: i64,
    not_after: i64,
}

impl IssuerCertificate {
    /// Read a chain, leaf first, root excluded (as in a COSE `x5chain`).
    pub fn from_ders(chain: Vec<Vec<u8>>) -> Result<IssuerCertificate, X509Error> {
        if chain.is_empty() {
            return Err(X509Error::Pem);
        }
        if chain.len() > MAX_CHAIN {
            return Err(X509Error::TooLarge);
        }
        for der in &chain[1..] {
            parse_cert(der)?;
        }
        let leaf = parse_cert(&chain[0])?;
        let tbs = &leaf.tbs_certificate;
        let issuer_id = name_text(&tbs.subject, OID_CN)
            .filter(|s| !s.is_empty())
            .ok_or(X509Error::NoIssuerId)?;
        let name = name_text(&tbs.subject, OID_O).filter(|s| !s.is_empty());
        let spki = &tbs.subject_public_key_info;
        let key_kind = if spki.algorithm.oid == OID_ED25519 {
            KeyKind::Ed25519
        } else if spki.algorithm.oid == OID_EC_PUBLIC_KEY {
            let p256 = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
            if curve == Some(p256) {
                KeyKind::P256
            } else {
                KeyKind::Other
            }
        } else {
            KeyKind::Other
        };
        let public_key = spki.subject_public_key.raw_bytes().to_vec();
        let doc_types = extension(&leaf, oid(OID_DOC_TYPES)?)
            .ok_or(X509Error::NoDocTypes)
            .and_then(decode_doc_types)?;
        let usage = extension(&leaf, OID_KEY_USAGE)
            .and_then(|v| x509_cert::ext::pkix::KeyUsage::from_der(v).ok())
            .ok_or(X509Error::KeyUsage)?;
        if !usage.digital_signature() {
            return Err(X509Error::KeyUsage);
        }
        let (not_before, not_after) = validity(&leaf);
        Ok(IssuerCertificate {
            chain,
            issuer_id,
            name,
            key_kind,
            public_key,
            doc_types,
            not_before,
            not_after,
        })
    }

    /// Read a PEM chain, leaf first.
    pub fn from_pem(pem: &[u8]) -> Result<IssuerCertificate, X509Error> {
        IssuerCertificate::from_ders(pem_to_ders(pem)?)
    }

    /// The chain, leaf first.
    pub fn chain(&self) -> &[Vec<u8>] {
        &self.chain
    }
    /// The issuer id: the leaf's subject common name.
    pub fn issuer_id(&self) -> &str {
        &self.issuer_id
    }
    /// The issuer's name: the leaf's subject organisation, if any.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
    /// The kind of the certified key.
    pub fn key_kind(&self) -> KeyKind {
        self.key_kind
    }
    /// The certified key's bytes (raw Ed25519 key, or SEC1 point).
    pub fn public_key(&self) -> &[u8] {
        &self.public_key
    }
    /// The certified Ed25519 key, if it is one.
    pub fn ed25519_key(&self) -> Option<[u8; 32]> {
        (self.key_kind == KeyKind::Ed25519)
            .then(|| <[u8; 32]>::try_from(self.public_key.as_slice()).ok())
            .flatten()
    }
    /// The document type codes the leaf lists.
    pub fn doc_types(&self) -> &[u64] {
        &self.doc_types
    }
    /// Whether the leaf lists this document type.
    pub fn allows(&self, doc_type: u64) -> bool {
        self.doc_types.contains(&doc_type)
    }
    /// The leaf's validity, seconds since the epoch.
    pub fn validity(&self) -> (i64, i64) {
        (self.not_before, self.not_after)
    }

    /// Check the chain for `usage` at time `now` against `roots`: a path of valid signatures to
    /// one of them, every certificate on it within its validity (the root's own too), the
    /// extended key usage, and the certified key's kind. Returns the root reached.
    pub fn validate<'r>(
        &self,
        roots: &'r [CaRoot],
        usage: Usage,
        now: i64,
    ) -> Result<&'r CaRoot, X509Error> {
        let wanted = match usage {
            Usage::Credential => KeyKind::Ed25519,
            Usage::MdocSigner => KeyKind::P256,
        };
        if self.key_kind != wanted {
            return Err(X509Error::KeyKind);
        }
        // Provenance first: the path is built at a time inside the leaf's validity, so a
        // certificate from another root is untrusted whether or not it is also out of date;
        // the leaf's validity at `now` is checked once the path holds.
        let at = now.clamp(self.not_before, self.not_after.max(self.not_before));
        let not_valid = X509Error::NotValidAt {
            not_before: self.not_before,
            not_after: self.not_after,
        };
        let secs = u64::try_from(at).map_err(|_| not_valid.clone())?;
        let time = UnixTime::since_unix_epoch(std::time::Duration::from_secs(secs));
        let root_ders: Vec<CertificateDer<'_>> = roots
            .iter()
            .map(|r| CertificateDer::from(r.der.as_slice()))
            .collect();
        // Each root was checked to be an anchor when it was read ([`CaRoot::from_der`]); one
        // that is not is left out, with its position kept beside each anchor.
        let (positions, anchors): (Vec<usize>, Vec<TrustAnchor<'_>>) = root_ders
            .iter()
            .enumerate()
            .filter_map(|(i, d)| webpki::anchor_from_trusted_cert(d).ok().map(|a| (i, a)))
            .unzip();
        let leaf = CertificateDer::from(self.chain[0].as_slice());
        let intermediates: Vec<CertificateDer<'_>> = self.chain[1..]
            .iter()
            .map(|d| CertificateDer::from(d.as_slice()))
            .collect();
        let ee = webpki::EndEntityCert::try_from(&leaf).map_err(parse_error)?;
        let path = ee
            .verify_for_usage(
                webpki::ALL_VERIFICATION_ALGS,
                &anchors,
                &intermediates,
                time,
                webpki::KeyUsage::required(usage.eku_der()),
                None,
                None,
            )
            .map_err(|e| match e {
                webpki::Error::CertExpired { .. } | webpki::Error::CertNotValidYet { .. } => {
                    // An intermediate out of its validity while the leaf is in its own.
                    X509Error::NotValidAt {
                        not_before: self.not_before,
                        not_after: self.not_after,
                    }
                }
                e => X509Error::Untrusted(format!("{e:?}")),
            })?;
        let anchor = path.anchor();
        let root = positions
            .iter()
            .zip(anchors.iter())
            .find(|(_, a)| {
                a.subject == anchor.subject
                    && a.subject_public_key_info == anchor.subject_public_key_info
            })
            .and_then(|(i, _)| roots.get(*i))
            .ok_or_else(|| X509Error::Untrusted("no root".into()))?;
        if now < self.not_before || now > self.not_after {
            return Err(not_valid);
        }
        // webpki does not check a trust anchor's own validity; a giayto verifier does.
        if now < root.not_before || now > root.not_after {
            return Err(X509Error::NotValidAt {
                not_before: root.not_before,
                not_after: root.not_after,
            });
        }
        Ok(root)
    }
}

/// Check that `der` parses as a certificate and is within its validity at `now`.
pub fn check_validity(der: &[u8], now: i64) -> Result<(), X509Error> {
    check_time(&parse_cert(der)?, now)
}

#[cfg(all(test, feature = "ca"))]
mod tests;
