//! Answering a verifier's request (`VR1:`, docs/format.md §15): what the credential's
//! selective-disclosure copy can show for each item asked ([`Presenter::plan`]), and the
//! answer itself, a selective presentation bound to the request by its nonce (payload key 3)
//! and its hash (key 5) ([`Presenter::sign_answer`]).
//!
//! A request only proposes: the front end shows the plan, the holder confirms, and only the
//! leaves the holder confirmed are signed (docs/decisions.md D116). An item the credential
//! cannot answer truthfully is never answered by something else: an `age_over_NN` only by the
//! nearest true threshold ≥ NN, never by the birth date nor a false threshold.

use giayto_cose::presentation::PresentationPayload;
use giayto_cose::request::{age_item, Request};
use giayto_cose::{sign1, PRESENTATION_TYP};
use giayto_model::DocType;

use crate::{Presenter, Selected, WalletError};

/// How far a request's `iat` may lie ahead of this device's clock (the verifier's clock may be
/// ahead of the holder's), seconds.
pub const REQUEST_SKEW: i64 = 300;

/// How the credential answers one item of a request.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub enum ItemAnswer {
    /// It can be shown: the leaf that answers it (for `age_over_NN`, the nearest true
    /// committed threshold at or above NN).
    Shared(Selected),
    /// The document type has no such field (or, a vehicle registration, no age at all).
    NotInDocument,
    /// The document type has the field; this card does not carry it.
    Absent,
    /// No committed age threshold at or above NN.
    NoAgePredicate,
    /// The threshold that would answer is false: the holder cannot prove this age.
    AgeNotReached,
}

/// One item of a request and how the credential answers it.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestItem {
    /// The item as the request names it.
    pub name: String,
    /// Whether the request requires it (else the holder may add it).
    pub required: bool,
    /// How it would be answered.
    pub answer: ItemAnswer,
}

/// What a credential can show of a request: every item, in the request's order, required
/// first.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerPlan {
    /// The items.
    pub items: Vec<RequestItem>,
}

impl AnswerPlan {
    /// The required items the credential cannot answer.
    pub fn unanswerable_required(&self) -> Vec<String> {
        self.items
            .iter()
            .filter(|i| i.required && !matches!(i.answer, ItemAnswer::Shared(_)))
            .map(|i| i.name.clone())
            .collect()
    }

    /// Whether some optional item can be shown.
    pub fn has_optional(&self) -> bool {
        self.items
            .iter()
            .any(|i| !i.required && matches!(i.answer, ItemAnswer::Shared(_)))
    }

    /// The leaves to sign: every answerable required item, and the answerable optional ones
    /// when `with_optional`; one leaf once, in leaf order.
    pub fn selection(&self, with_optional: bool) -> Vec<Selected> {
        let mut out: Vec<Selected> = Vec::new();
        for item in &self.items {
            if let ItemAnswer::Shared(s) = &item.answer {
                if (item.required || with_optional) && out.iter().all(|o| o.index != s.index) {
                    out.push(s.clone());
                }
            }
        }
        out.sort_by_key(|s| s.index);
        out
    }
}

impl Presenter {
    /// What this credential's selective-disclosure copy can show of `request`, item by item
    /// ([`WalletError::NoSdCopy`] without a copy). Nothing is signed.
    pub fn plan(&self, request: &Request) -> Result<AnswerPlan, WalletError> {
        let copy = self.sd.as_ref().ok_or(WalletError::NoSdCopy)?;
        let doc_type = DocType::from_code(self.doc_type).ok_or(WalletError::Credential)?;
        let item = |name: &String, required: bool| {
            let age = age_item(name);
            let chosen = match age {
                Some(_) if doc_type == DocType::Vehicle => {
                    Err(WalletError::UnknownField(name.clone()))
                }
                Some(nn) => crate::sd::select(copy, self.doc_type, &[], Some(nn)),
                None => crate::sd::select(copy, self.doc_type, std::slice::from_ref(name), None),
            };
            let answer = match chosen {
                Ok(mut s) if s.len() == 1 => ItemAnswer::Shared(s.remove(0)),
                Err(WalletError::FieldAbsent(_)) => ItemAnswer::Absent,
                Err(WalletError::NoAgePredicate(_)) => ItemAnswer::NoAgePredicate,
                Err(WalletError::AgeNotReached(_)) => ItemAnswer::AgeNotReached,
                _ => ItemAnswer::NotInDocument,
            };
            RequestItem {
                name: name.clone(),
                required,
                answer,
            }
        };
        let mut items: Vec<RequestItem> = request.required.iter().map(|n| item(n, true)).collect();
        items.extend(request.optional.iter().map(|n| item(n, false)));
        Ok(AnswerPlan { items })
    }

    /// Sign the answer to `request` at `now`: a selective presentation (docs/format.md §14.3)
    /// of `selected` (from [`AnswerPlan::selection`], as the holder confirmed it), carrying the
    /// request's nonce (key 3) and hash (key 5). Refused, nothing signed: a request out of the
    /// format's bounds ([`WalletError::Request`]), one not open at `now`
    /// ([`WalletError::RequestClosed`]), an empty selection
    /// ([`WalletError::NothingToDisclose`]), a credential without a copy.
    pub fn sign_answer(
        &self,
        selected: &[Selected],
        request: &Request,
        now: i64,
    ) -> Result<Vec<u8>, WalletError> {
        let hash = request.hash().map_err(WalletError::Request)?;
        if !request.is_open(now, REQUEST_SKEW) {
            return Err(WalletError::RequestClosed);
        }
        let copy = self.sd.as_ref().ok_or(WalletError::NoSdCopy)?;
        let indices: Vec<u64> = selected.iter().map(|s| s.index).collect();
        if indices.is_empty() {
            return Err(WalletError::NothingToDisclose);
        }
        let disclosures = copy
            .disclose(&indices)
            .ok_or(WalletError::NothingToDisclose)?;
        let payload = PresentationPayload {
            credential: copy.credential.clone(),
            issued_at: now,
            nonce: Some(request.nonce.clone()),
            disclosures: Some(disclosures),
            request: Some(hash),
        };
        sign1::sign(&self.key, PRESENTATION_TYP, payload.to_bytes()).map_err(|_| WalletError::Sign)
    }
}
