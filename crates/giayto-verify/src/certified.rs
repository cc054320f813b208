//! The second trust path (docs/format.md §18.4): issuers whose key a configured national CA
//! root certifies with an X.509 chain, beside the trust list. The trust list stays
//! authoritative: a kid it lists is judged by it alone, an issuer id it names is never judged
//! by a certificate (a key removed from an issuer's entries is not rescued by one), and an
//! issuer id or kid it withdraws (docs/format.md §6.4) is refused on this path too.

use std::collections::HashMap;

use giayto_cose::claims::CredentialClaims;
use giayto_trust::{is_valid_id, IssuerEntry, TrustList};
use giayto_x509::{CaRoot, IssuerCertificate, Usage, X509Error};

use crate::status::KeyCell;
use crate::{Reason, Verdict};

/// The configured roots and the issuer certificates held, by kid.
#[derive(Debug, Clone, Default)]
pub(crate) struct Certified {
    pub(crate) roots: Vec<CaRoot>,
    certs: Vec<IssuerCertificate>,
    /// What each certificate says, as a trust list entry would (validity: the leaf's).
    pub(crate) entries: Vec<IssuerEntry>,
    pub(crate) keys: Vec<KeyCell>,
    kids: HashMap<[u8; 8], usize>,
}

/// Why an issuer certificate was not taken.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateLoadError {
    /// The certificate itself (its form, its key kind).
    Certificate(X509Error),
    /// Its subject common name is no valid issuer id (docs/format.md §6.3).
    BadIssuerId(String),
    /// A certificate for this key is already held.
    Duplicate {
        /// The key's kid.
        kid: [u8; 8],
    },
}

impl std::fmt::Display for CertificateLoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CertificateLoadError::Certificate(e) => e.fmt(f),
            CertificateLoadError::BadIssuerId(id) => write!(f, "invalid issuer id {id:?}"),
            CertificateLoadError::Duplicate { kid } => {
                write!(
                    f,
                    "a certificate for key {} is already held",
                    crate::hex_lower(kid)
                )
            }
        }
    }
}

impl std::error::Error for CertificateLoadError {}

impl Certified {
    pub(crate) fn add(&mut self, cert: IssuerCertificate) -> Result<[u8; 8], CertificateLoadError> {
        let key = cert
            .ed25519_key()
            .ok_or(CertificateLoadError::Certificate(X509Error::KeyKind))?;
        if !is_valid_id(cert.issuer_id()) {
            return Err(CertificateLoadError::BadIssuerId(
                cert.issuer_id().to_owned(),
            ));
        }
        let kid = giayto_cose::kid_for(&key);
        if self.kids.contains_key(&kid) {
            return Err(CertificateLoadError::Duplicate { kid });
        }
        let (not_before, not_after) = cert.validity();
        let entry = IssuerEntry {
            id: cert.issuer_id().to_owned(),
            name_vi: cert.name().unwrap_or(cert.issuer_id()).to_owned(),
            name_en: None,
            public_key: key,
            doc_types: cert.doc_types().to_vec(),
            not_before,
            not_after,
            status_uri_prefix: None,
        };
        self.kids.insert(kid, self.certs.len());
        self.certs.push(cert);
        self.entries.push(entry);
        self.keys.push(KeyCell::new());
        Ok(kid)
    }

    /// The certified key with this kid (the caller looks in the trust list first).
    pub(crate) fn signer(&self, kid: &[u8; 8]) -> Option<(usize, &IssuerEntry, &KeyCell)> {
        let index = *self.kids.get(kid)?;
        Some((index, self.entries.get(index)?, self.keys.get(index)?))
    }

    /// The certified signer of a status list, unless the trust list names its issuer (then
    /// only the trust list's keys sign for it) or withdraws the issuer or the key. Its chain is
    /// checked with each credential.
    pub(crate) fn status_signer(
        &self,
        trust: &TrustList,
        kid: &[u8; 8],
    ) -> Option<(&IssuerEntry, &KeyCell)> {
        let (_, entry, key) = self.signer(kid)?;
        let barred = trust.issuers.iter().any(|e| e.id == entry.id)
            || trust.withdrawn.issuer(&entry.id)
            || trust.withdrawn.kid(kid);
        (!barred).then_some((entry, key))
    }

    /// After the signature: the trust list's authority over the claimed issuer, then the
    /// chain at `now`. Returns the root's name, or the verdict, its reason and whether the
    /// rejection may show the credential (only when the chain holds).
    pub(crate) fn check(
        &self,
        trust: &TrustList,
        index: usize,
        claims: &CredentialClaims,
        now: i64,
    ) -> Result<String, (Verdict, Reason, bool)> {
        let certified_id = self.entries.get(index).map(|e| e.id.as_str());
        if trust
            .issuers
            .iter()
            .any(|e| e.id == claims.issuer || Some(e.id.as_str()) == certified_id)
        {
            // The trust list names this issuer: only its keys count (docs/format.md §18.4).
            return Err((
                Verdict::UnknownIssuer,
                Reason::CertificateOverruled {
                    issuer: claims.issuer.clone(),
                },
                false,
            ));
        }
        let withdrawn_kid = self
            .entries
            .get(index)
            .is_some_and(|e| trust.withdrawn.kid(&e.kid()));
        if withdrawn_kid
            || trust.withdrawn.issuer(&claims.issuer)
            || certified_id.is_some_and(|id| trust.withdrawn.issuer(id))
        {
            // The root has withdrawn this issuer or key (docs/format.md §6.4, §18.4).
            return Err((
                Verdict::UnknownIssuer,
                Reason::IssuerWithdrawn {
                    issuer: claims.issuer.clone(),
                },
                false,
            ));
        }
        let Some(cert) = self.certs.get(index) else {
            return Err((Verdict::UnknownIssuer, Reason::CertificateUntrusted, false));
        };
        match cert.validate(&self.roots, Usage::Credential, now) {
            Ok(root) => Ok(root.name().to_owned()),
            Err(X509Error::NotValidAt {
                not_before,
                not_after,
            }) => Err((
                Verdict::IssuerNotAuthorized,
                Reason::CertificateNotValid {
                    not_before,
                    not_after,
                },
                true,
            )),
            Err(_) => Err((Verdict::UnknownIssuer, Reason::CertificateUntrusted, false)),
        }
    }
}
