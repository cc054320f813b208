//! Answers to a verifier's request (`VR1:`, docs/format.md §15): the relying party shows a
//! request, the holder's wallet answers with a `VP1:` presentation bound to it, and
//! [`Verifier::check_answer`] checks that answer against the request the verifier made.
//!
//! Order (docs/format.md §15.4), first failure wins:
//! 1. the request has closed (`now ≥ exp + window`): `request_expired`, whatever the answer;
//! 2. the text checks of §7.2 (1–4): a foreign code is `not_a_credential`, a broken one
//!    `malformed`; a static `VN1:` code answers no request: `wrong_request` (`request_missing`);
//! 3. the presentation checks of §11.3, with P6 replaced by the request: the answer's request
//!    hash (key 5) and nonce (key 3) are this request's, else `wrong_request`; after P7 the
//!    answer's `iat` is before the request's `exp`, else `request_expired`;
//! 4. a valid answer discloses every required item (`age_over_NN` by a true `age_over_MM`,
//!    MM ≥ NN) of the document type asked for, else `incomplete_answer`.

use giayto_cose::request::{age_item, RequestError};
use giayto_cose::text::{self, Dictionary, Kind};
use giayto_model::DocType;

pub use giayto_cose::request::Request;

use crate::presentation::Expect;
use crate::{
    CodeKind, CredentialInfo, ForeignCode, PresentationInfo, Reason, Rejection, Report,
    TrustSummary, Verdict, VerifiedCredential, Verifier,
};

/// Whether a request item names something a giayto document can answer: a field of one of the
/// four document types (docs/format.md §4), or `age_over_NN`.
pub fn item_known(name: &str) -> bool {
    age_item(name).is_some() || DocType::ALL.into_iter().any(|t| item_defined_for(t, name))
}

/// Whether document type `doc_type` defines the item: one of its fields, or `age_over_NN` for a
/// type with a date of birth (not a vehicle registration, docs/format.md §14.1).
pub fn item_defined_for(doc_type: DocType, name: &str) -> bool {
    if age_item(name).is_some() {
        return doc_type != DocType::Vehicle;
    }
    doc_type.field_keys().into_iter().any(|(_, n)| n == name)
}

/// Whether an accepted credential shows `item`: a disclosed field or a field of a whole
/// document; `age_over_NN` only as a disclosed `age_over_MM: true` with `MM ≥ NN` (never
/// worked out from a birth date).
fn shows(credential: &VerifiedCredential, item: &str) -> bool {
    if let Some(nn) = age_item(item) {
        return credential.disclosed().is_some_and(|d| {
            d.fields.iter().any(|f| {
                f.value == ciborium::Value::Bool(true)
                    && f.name
                        .strip_prefix("age_over_")
                        .and_then(|m| m.parse::<u8>().ok())
                        .is_some_and(|mm| mm >= nn)
            })
        });
    }
    if let Some(d) = credential.disclosed() {
        return d.fields.iter().any(|f| f.name == item);
    }
    credential
        .document()
        .is_some_and(|doc| doc.to_json().get(item).is_some())
}

/// What a valid answer leaves out of the request: another document type, or required items.
fn unmet(request: &Request, credential: &VerifiedCredential) -> Option<Reason> {
    if let Some(t) = request.doc_type {
        if credential.doc_type().code() != t {
            return Some(Reason::RequestDocType { doc_type: t });
        }
    }
    let missing: Vec<String> = request
        .required
        .iter()
        .filter(|item| !shows(credential, item))
        .cloned()
        .collect();
    (!missing.is_empty()).then_some(Reason::FieldsMissing { fields: missing })
}

fn info(c: &VerifiedCredential) -> CredentialInfo {
    CredentialInfo {
        issuer: c.issuer().clone(),
        claims: c.claims().clone(),
        document: c.document().cloned(),
        disclosed: c.disclosed().cloned(),
        trust_path: c.trust_path().clone(),
    }
}

/// The kind of code a text is, by its prefix alone.
fn kind_of(scanned: &str) -> CodeKind {
    let t = scanned.trim_start();
    if t.starts_with(Kind::Presentation.prefix()) {
        CodeKind::Presentation
    } else if t.starts_with(Kind::Credential.prefix()) {
        CodeKind::Credential
    } else {
        CodeKind::Foreign(ForeignCode::classify(scanned))
    }
}

impl Verifier {
    /// Check `scanned`, a holder's answer, against `request`, the request this verifier showed,
    /// at time `now` (docs/format.md §15.4): the one outcome every front end shows, as
    /// [`Verifier::check`]. The verifier's own expected nonce, if any, is not used: the
    /// request's takes its place.
    ///
    /// Errors only when `request` itself breaks the bounds of docs/format.md §15.2 (a request
    /// read with [`Request::from_text`] never does).
    pub fn check_answer(
        &self,
        scanned: &str,
        request: &Request,
        now: i64,
    ) -> Result<Report, RequestError> {
        let hash = request.hash()?;
        let report = |kind, outcome, presentation| Report {
            checked_at: now,
            kind,
            trust: TrustSummary::of(&self.trust),
            outcome,
            presentation,
            claim169: None,
        };
        let refuse = |verdict, reason| Err(Rejection::new(verdict, reason));
        if now >= request.expires_at.saturating_add(self.presentation_window) {
            let reason = Reason::RequestExpired {
                expires_at: request.expires_at,
            };
            return Ok(report(
                kind_of(scanned),
                refuse(Verdict::RequestExpired, reason),
                None,
            ));
        }
        let dictionaries: Vec<Dictionary<'_>> = self
            .dictionaries
            .iter()
            .map(|d| Dictionary::new(d))
            .collect();
        let cose = match text::decode(scanned, &dictionaries) {
            Ok((Kind::Presentation, cose)) => cose,
            Ok(_) => {
                // A static code answers nothing.
                let outcome = refuse(Verdict::WrongRequest, Reason::RequestMissing);
                return Ok(report(CodeKind::Credential, outcome, None));
            }
            // Not a giayto code, or a broken one: the verdict of any check.
            Err(_) => return Ok(self.clone().with_expected_nonce(None).check(scanned, now)),
        };
        let answer = self.verify_presentation_expecting(&cose, now, Expect::Request(request, hash));
        Ok(match answer {
            Err(r) => report(CodeKind::Presentation, Err(r), None),
            Ok(p) => match unmet(request, p.credential()) {
                // Valid, but not what was asked: shown, not accepted.
                Some(reason) => {
                    let rejection = Rejection {
                        verdict: Verdict::IncompleteAnswer,
                        reason,
                        credential: Some(Box::new(info(p.credential()))),
                    };
                    report(CodeKind::Presentation, Err(rejection), None)
                }
                None => {
                    let info = PresentationInfo {
                        issued_at: p.issued_at(),
                        nonce: p.nonce().map(<[u8]>::to_vec),
                    };
                    report(CodeKind::Presentation, Ok(p.into_credential()), Some(info))
                }
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_the_fields_of_some_type_or_an_age() {
        for name in [
            "full_name",
            "id_number",
            "plate",
            "card_number",
            "age_over_19",
        ] {
            assert!(item_known(name), "{name}");
        }
        for name in ["shoe_size", "age_over_0", "Full_name", ""] {
            assert!(!item_known(name), "{name}");
        }
        assert!(item_defined_for(DocType::Cccd, "age_over_18"));
        assert!(!item_defined_for(DocType::Vehicle, "age_over_18"));
        assert!(!item_defined_for(DocType::Cccd, "plate"));
    }
}
