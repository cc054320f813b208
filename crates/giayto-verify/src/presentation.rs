//! Holder-bound presentations (`VP1:`, docs/format.md §11): the holder's signature over the embedded
//! credential, the match with the credential's `cnf`, freshness, the verifier's nonce, then
//! everything about the credential itself.
//!
//! Order of checks, first failure wins:
//! 1. the presentation's COSE_Sign1 (typ `application/vn-vp+cwt`) and its payload: `malformed`;
//! 2. the embedded credential up to its issuer signature ([`Verifier::verify_cose`]); a
//!    credential whose signature did not verify gives its own verdict (nothing in it can be
//!    trusted, not even its `cnf`);
//! 3. a credential without `cnf` cannot be presented: `malformed`;
//! 4. the holder's signature under the `cnf` key: `bad_signature`;
//! 5. the nonce, when the verifier expects one: `stale_presentation` when absent or different;
//!    checked against a verifier's request instead (docs/format.md §15.4), the request's hash
//!    and nonce: `wrong_request`;
//! 6. `iat` within the window around now (default ±120 s): `stale_presentation`; against a
//!    request, `iat` before the request's `exp`: else `request_expired`;
//! 7. the credential's own verdict (valid, expired, revoked, ..., stale trust).

use ed25519_dalek::VerifyingKey;
use giayto_cose::presentation::PresentationPayload;
use giayto_cose::request::{Request, RequestHash};
use giayto_cose::sign1::{CoseError, Sign1};
use giayto_cose::PRESENTATION_TYP;

use crate::{Reason, Rejection, Verdict, VerifiedCredential, Verifier};

/// Default freshness window of a presentation: its `iat` may differ from the verifier's clock
/// by this many seconds either way.
pub const DEFAULT_PRESENTATION_WINDOW: i64 = 120;

/// What a presentation must answer (docs/format.md §11.3 P6, §15.4).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Expect<'a> {
    /// Nothing: any nonce, or none, and any request hash.
    Nothing,
    /// This nonce.
    Nonce(&'a [u8]),
    /// This request: its hash (payload key 5) and its nonce (key 3), and an `iat` before its
    /// `exp`.
    Request(&'a Request, RequestHash),
}

/// A presentation that passed every check, with the credential it carried.
#[derive(Debug, Clone)]
pub struct VerifiedPresentation {
    credential: VerifiedCredential,
    issued_at: i64,
    nonce: Option<Vec<u8>>,
}

impl VerifiedPresentation {
    /// The credential, fully verified.
    pub fn credential(&self) -> &VerifiedCredential {
        &self.credential
    }
    /// The credential, by value.
    pub fn into_credential(self) -> VerifiedCredential {
        self.credential
    }
    /// When the holder signed.
    pub fn issued_at(&self) -> i64 {
        self.issued_at
    }
    /// The nonce the holder signed, if any.
    pub fn nonce(&self) -> Option<&[u8]> {
        self.nonce.as_deref()
    }
}

impl Verifier {
    /// Accept presentations whose `iat` is within this many seconds of now, either way
    /// (default [`DEFAULT_PRESENTATION_WINDOW`]).
    pub fn with_presentation_window(mut self, seconds: i64) -> Verifier {
        self.presentation_window = seconds.max(0);
        self
    }

    /// Require presentations to carry this nonce (the challenge a verifier app showed first).
    pub fn with_expected_nonce(mut self, nonce: Option<Vec<u8>>) -> Verifier {
        self.expected_nonce = nonce;
        self
    }

    /// Verify the COSE bytes of a presentation at time `now`, with the nonce set by
    /// [`Verifier::with_expected_nonce`], if any.
    pub fn verify_presentation_cose(
        &self,
        cose: &[u8],
        now: i64,
    ) -> Result<VerifiedPresentation, Rejection> {
        self.verify_presentation_with_nonce(cose, now, self.expected_nonce.as_deref())
    }

    /// Verify the COSE bytes of a presentation at time `now`, requiring `nonce` when given.
    pub fn verify_presentation_with_nonce(
        &self,
        cose: &[u8],
        now: i64,
        nonce: Option<&[u8]>,
    ) -> Result<VerifiedPresentation, Rejection> {
        let expect = match nonce {
            Some(n) => Expect::Nonce(n),
            None => Expect::Nothing,
        };
        self.verify_presentation_expecting(cose, now, expect)
    }

    /// Verify the COSE bytes of a presentation at time `now`, as an answer to `expect`.
    pub(crate) fn verify_presentation_expecting(
        &self,
        cose: &[u8],
        now: i64,
        expect: Expect<'_>,
    ) -> Result<VerifiedPresentation, Rejection> {
        let malformed = |reason| Rejection::new(Verdict::Malformed, reason);
        let signed =
            Sign1::parse(cose, PRESENTATION_TYP).map_err(|e| malformed(Reason::Cose(e)))?;
        let payload = PresentationPayload::from_bytes(signed.payload())
            .map_err(|e| malformed(Reason::Presentation(e)))?;

        let credential =
            self.verify_cose_with::<true>(&payload.credential, now, payload.disclosures.as_ref());
        let claims = match &credential {
            Ok(c) => c.claims().clone(),
            Err(r) => match &r.credential {
                Some(info) => info.claims.clone(),
                None => return Err(r.clone()),
            },
        };
        let attach = |verdict, reason| Rejection {
            verdict,
            reason,
            credential: match &credential {
                Ok(c) => Some(Box::new(crate::CredentialInfo {
                    issuer: c.issuer().clone(),
                    claims: c.claims().clone(),
                    document: c.document().cloned(),
                    disclosed: c.disclosed().cloned(),
                    trust_path: c.trust_path().clone(),
                })),
                Err(r) => r.credential.clone(),
            },
        };
        let Some(holder) = claims.holder_key else {
            return Err(attach(Verdict::Malformed, Reason::NoHolderKey));
        };
        let key = VerifyingKey::from_bytes(&holder)
            .map_err(|_| attach(Verdict::BadSignature, Reason::HolderSignature))?;
        if signed.kid() != giayto_cose::kid_for(&holder) {
            return Err(attach(Verdict::BadSignature, Reason::HolderSignature));
        }
        signed.verify(&key).map_err(|e| match e {
            CoseError::BadSignature => attach(Verdict::BadSignature, Reason::HolderSignature),
            e => attach(Verdict::Malformed, Reason::Cose(e)),
        })?;
        match expect {
            Expect::Nothing => {}
            Expect::Nonce(expected) => {
                if payload.nonce.as_deref() != Some(expected) {
                    return Err(attach(
                        Verdict::StalePresentation,
                        Reason::NonceMismatch {
                            present: payload.nonce.is_some(),
                        },
                    ));
                }
            }
            Expect::Request(request, hash) => match payload.request {
                None => return Err(attach(Verdict::WrongRequest, Reason::RequestMissing)),
                Some(h) if h != hash || payload.nonce.as_deref() != Some(&request.nonce) => {
                    return Err(attach(Verdict::WrongRequest, Reason::RequestMismatch));
                }
                Some(_) => {}
            },
        }
        let window = self.presentation_window;
        if payload.issued_at < now.saturating_sub(window)
            || payload.issued_at > now.saturating_add(window)
        {
            return Err(attach(
                Verdict::StalePresentation,
                Reason::PresentationTime {
                    issued_at: payload.issued_at,
                    window,
                },
            ));
        }
        if let Expect::Request(request, _) = expect {
            // Made after the request closed (the wallet refuses to; docs/format.md §15.4).
            if payload.issued_at >= request.expires_at {
                return Err(attach(
                    Verdict::RequestExpired,
                    Reason::RequestExpired {
                        expires_at: request.expires_at,
                    },
                ));
            }
        }
        Ok(VerifiedPresentation {
            credential: credential?,
            issued_at: payload.issued_at,
            nonce: payload.nonce,
        })
    }
}
