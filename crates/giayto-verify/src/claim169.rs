//! MOSIP ID Claim 169 codes signed by an issuer of the trust list (docs/format.md §16).
//!
//! A Claim 169 code is another format's identity QR: the verifier checks its signature
//! against the trust list and shows its attributes as *that issuer's identity data*, never as
//! a giayto credential ([`CodeKind::Claim169`](crate::CodeKind::Claim169),
//! [`Report::claim169`](crate::Report::claim169)). It has no document type, serial, status
//! reference or holder binding, so none of those checks run; `verify` (the typed proof of a
//! giayto credential) answers `not_a_credential` for it.
//!
//! Checks, in order (§16.4): the text (base45, bounded inflate), the COSE_Sign1 envelope and
//! its CWT (EdDSA, 64-byte signature, claim 169 a map), the signer (its kid in the trust list,
//! else an issuer whose id is the CWT's `iss`), the Ed25519 signature, `iss` naming the key's
//! owner, the attribute types, then — with the attributes shown — the issuer's authority for
//! identity cards (doc type 1) at `iat`, the validity period, the policy (a Claim 169 code
//! counts as assurance level 1) and the freshness of the trust list.

use ciborium::Value;
use giayto_cose::claim169::{AttributeType, Envelope, EnvelopeError, ATTRIBUTES};

use crate::{IssuerEntry, Reason, Verdict, Verifier, VerifyingKey, Warning, STALE_WARNING};

/// The document type an issuer must be allowed to sign for its Claim 169 codes to be accepted:
/// the identity card (`cccd`, 1), the one giayto document a Claim 169 code is made from.
pub const IDENTITY_DOC_TYPE: u64 = 1;

/// The assurance level a Claim 169 code counts as: it carries none (docs/format.md §16.4).
pub const CLAIM169_LEVEL: u8 = 1;

/// One attribute value, in the CBOR type the specification gives it.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeValue {
    /// A text.
    Text(String),
    /// An integer (gender, marital status, photo format).
    Int(i64),
    /// Bytes (the photograph).
    Bytes(Vec<u8>),
    /// Integers (best quality fingers).
    Ints(Vec<i64>),
}

/// One demographic attribute of claim 169.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Its key (1–23).
    pub key: u8,
    /// Its name, as `claim169-core` names it in JSON (`fullName`, `dateOfBirth`, ...).
    pub name: &'static str,
    /// Its value.
    pub value: AttributeValue,
}

/// What a Claim 169 code says, once its signature verified.
#[derive(Debug, Clone)]
pub struct Claim169Identity {
    /// The trust list entry of the signer.
    pub issuer: IssuerEntry,
    /// The CWT's `iss`, if any.
    pub iss: Option<String>,
    /// The CWT's `sub`, if any.
    pub subject: Option<String>,
    /// `iat`, if any.
    pub issued_at: Option<i64>,
    /// `nbf`, if any.
    pub not_before: Option<i64>,
    /// `exp`, if any.
    pub expires_at: Option<i64>,
    /// The demographic attributes (keys 1–23), in key order.
    pub attributes: Vec<Attribute>,
    /// The other keys of claim 169 (biometrics 50–65, unassigned keys): present, not shown.
    pub other_keys: Vec<i64>,
}

impl Claim169Identity {
    /// The attribute of this name, if present.
    pub fn get(&self, name: &str) -> Option<&AttributeValue> {
        self.attributes
            .iter()
            .find(|a| a.name == name)
            .map(|a| &a.value)
    }
}

/// Why a Claim 169 code was refused, beyond the reasons it shares with `VN1:` codes.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim169Error {
    /// The COSE envelope or its CWT.
    Envelope(EnvelopeError),
    /// An attribute of the specification with another type than it gives.
    Attribute {
        /// Its key.
        key: u8,
    },
    /// Neither its kid nor its `iss` names an issuer of the trust list.
    UnknownIssuer {
        /// The CWT's `iss`, if any.
        iss: Option<String>,
    },
}

impl std::fmt::Display for Claim169Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Claim169Error::Envelope(e) => e.fmt(f),
            Claim169Error::Attribute { key } => {
                write!(f, "claim 169 attribute {key} has a wrong type")
            }
            Claim169Error::UnknownIssuer { iss } => {
                write!(f, "no trusted issuer for Claim 169 code (iss {iss:?})")
            }
        }
    }
}

/// The outcome of checking a Claim 169 code.
#[derive(Debug, Clone)]
pub struct Claim169Outcome {
    /// The verdict.
    pub verdict: Verdict,
    /// Why, when not valid.
    pub reason: Option<Reason>,
    /// What the code says, whenever its signature verified (valid or not).
    pub identity: Option<Box<Claim169Identity>>,
    /// Warnings, when valid.
    pub warnings: Vec<Warning>,
}

impl Claim169Outcome {
    fn reject(verdict: Verdict, reason: Reason) -> Claim169Outcome {
        Claim169Outcome {
            verdict,
            reason: Some(reason),
            identity: None,
            warnings: Vec::new(),
        }
    }
}

/// Read the attributes of claim 169: known keys with the type the specification gives them,
/// every other integer key kept by number. A key that is not an integer, or repeated, is an
/// error (key 0 stands for it).
fn attributes(map: &[(Value, Value)]) -> Result<(Vec<Attribute>, Vec<i64>), Claim169Error> {
    let mut out = Vec::new();
    let mut other = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (k, v) in map {
        let key = k
            .as_integer()
            .and_then(|i| i64::try_from(i).ok())
            .ok_or(Claim169Error::Attribute { key: 0 })?;
        if !seen.insert(key) {
            return Err(Claim169Error::Attribute {
                key: u8::try_from(key).unwrap_or(0),
            });
        }
        let Some((k8, name, ty)) = ATTRIBUTES.iter().find(|(k8, ..)| i64::from(*k8) == key) else {
            other.push(key);
            continue;
        };
        let int = |v: &Value| v.as_integer().and_then(|i| i64::try_from(i).ok());
        let value = match (ty, v) {
            (AttributeType::Text, Value::Text(t)) => Some(AttributeValue::Text(t.clone())),
            (AttributeType::Int, v) => int(v).map(AttributeValue::Int),
            (AttributeType::Bytes, Value::Bytes(b)) => Some(AttributeValue::Bytes(b.clone())),
            (AttributeType::Bytes, Value::Text(t)) => hex_bytes(t).map(AttributeValue::Bytes),
            (AttributeType::IntList, Value::Array(items)) => items
                .iter()
                .map(int)
                .collect::<Option<Vec<i64>>>()
                .map(AttributeValue::Ints),
            _ => None,
        };
        let value = value.ok_or(Claim169Error::Attribute { key: *k8 })?;
        out.push(Attribute {
            key: *k8,
            name,
            value,
        });
    }
    out.sort_by_key(|a| a.key);
    other.sort_unstable();
    Ok((out, other))
}

/// Hex digits to bytes (a photograph written as text, as some encoders do).
fn hex_bytes(t: &str) -> Option<Vec<u8>> {
    if t.len() % 2 != 0 {
        return None;
    }
    (0..t.len())
        .step_by(2)
        .map(|i| t.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect()
}

impl Verifier {
    /// The signer of a Claim 169 code: its kid (8 bytes) in the trust list, else the issuer
    /// whose id is its `iss`; with the key's cell.
    fn claim169_signer(&self, envelope: &Envelope) -> Option<(&IssuerEntry, VerifyingKey)> {
        let by_kid = envelope
            .kid
            .as_deref()
            .and_then(|k| <[u8; 8]>::try_from(k).ok())
            .and_then(|kid| self.kids.get(&kid).copied());
        let by_iss = || {
            let iss = envelope.issuer.as_deref()?;
            self.trust.issuers.iter().position(|e| e.id == iss)
        };
        let index = by_kid.or_else(by_iss)?;
        let entry = self.trust.issuers.get(index)?;
        let key = self.keys.get(index)?.get_or_init(|| {
            VerifyingKey::from_bytes(&entry.public_key)
                .ok()
                .map(Box::new)
        });
        Some((entry, key.as_deref().copied()?))
    }

    /// Check a scanned text that [`giayto_cose::claim169::looks_like`] a Claim 169 code.
    pub(crate) fn check_claim169(&self, scanned: &str, now: i64) -> Claim169Outcome {
        let malformed = |reason| Claim169Outcome::reject(Verdict::Malformed, reason);
        let cose = match giayto_cose::claim169::from_text(scanned) {
            Ok(c) => c,
            Err(e) => return malformed(Reason::Text(e)),
        };
        let envelope = match Envelope::parse(&cose) {
            Ok(e) => e,
            Err(e) => return malformed(Reason::Claim169(Claim169Error::Envelope(e))),
        };
        let Some((entry, key)) = self.claim169_signer(&envelope) else {
            // A kid of the trust list's form that no issuer has is reported as such.
            let reason = match envelope.kid.as_deref().map(<[u8; 8]>::try_from) {
                Some(Ok(kid)) if envelope.issuer.is_none() => Reason::UnknownKid { kid },
                _ => Reason::Claim169(Claim169Error::UnknownIssuer {
                    iss: envelope.issuer.clone(),
                }),
            };
            return Claim169Outcome::reject(Verdict::UnknownIssuer, reason);
        };
        if envelope.verify(&key).is_err() {
            return Claim169Outcome::reject(Verdict::BadSignature, Reason::Signature);
        }
        // From here on the issuer's signature holds.
        if let Some(iss) = &envelope.issuer {
            if *iss != entry.id {
                return Claim169Outcome::reject(
                    Verdict::IssuerNotAuthorized,
                    Reason::IssuerMismatch {
                        claimed: iss.clone(),
                        key_owner: entry.id.clone(),
                    },
                );
            }
        }
        let (attributes, other_keys) = match attributes(&envelope.claim169) {
            Ok(a) => a,
            Err(e) => return malformed(Reason::Claim169(e)),
        };
        let identity = Box::new(Claim169Identity {
            issuer: entry.clone(),
            iss: envelope.issuer.clone(),
            subject: envelope.subject.clone(),
            issued_at: envelope.issued_at,
            not_before: envelope.not_before,
            expires_at: envelope.expires_at,
            attributes,
            other_keys,
        });
        let mut warnings = Vec::new();
        match self.claim169_checks(&identity, now, &mut warnings) {
            Ok(()) => Claim169Outcome {
                verdict: Verdict::Valid,
                reason: None,
                identity: Some(identity),
                warnings,
            },
            Err((verdict, reason)) => Claim169Outcome {
                verdict,
                reason: Some(reason),
                identity: Some(identity),
                warnings: Vec::new(),
            },
        }
    }

    /// The checks after the signature (docs/format.md §16.4, steps 7–10).
    fn claim169_checks(
        &self,
        identity: &Claim169Identity,
        now: i64,
        warnings: &mut Vec<Warning>,
    ) -> Result<(), (Verdict, Reason)> {
        let entry = &identity.issuer;
        let signed_at = identity.issued_at.unwrap_or(now);
        if signed_at < entry.not_before || signed_at > entry.not_after {
            return Err((
                Verdict::IssuerNotAuthorized,
                Reason::KeyNotValidAt {
                    issued_at: signed_at,
                    not_before: entry.not_before,
                    not_after: entry.not_after,
                },
            ));
        }
        if !entry.allows(IDENTITY_DOC_TYPE) {
            return Err((
                Verdict::IssuerNotAuthorized,
                Reason::DocTypeNotAllowed {
                    doc_type: IDENTITY_DOC_TYPE,
                },
            ));
        }
        let valid_from = match (identity.not_before, identity.issued_at) {
            (Some(n), Some(i)) => Some(n.max(i)),
            (n, i) => n.or(i),
        };
        if let Some(valid_from) = valid_from {
            if now.saturating_add(self.clock_skew) < valid_from {
                return Err((Verdict::NotYetValid, Reason::NotYetValid { valid_from }));
            }
        }
        if let Some(expires_at) = identity.expires_at {
            if now >= expires_at {
                return Err((Verdict::Expired, Reason::Expired { expires_at }));
            }
        }
        let required = self.policy.required_level();
        if CLAIM169_LEVEL < required {
            return Err((
                Verdict::InsufficientLevel,
                Reason::Level {
                    required,
                    found: CLAIM169_LEVEL,
                },
            ));
        }
        if now > self.trust.expires_at.saturating_add(self.trust_grace) {
            return Err((
                Verdict::StaleTrust,
                Reason::TrustListExpired {
                    expired_at: self.trust.expires_at,
                },
            ));
        }
        // Nothing in a Claim 169 code says where its revocation would be published.
        warnings.push(Warning::NoStatusReference);
        if now > self.trust.expires_at.saturating_sub(STALE_WARNING) {
            warnings.push(Warning::TrustListAging {
                expires_at: self.trust.expires_at,
            });
        }
        Ok(())
    }
}
