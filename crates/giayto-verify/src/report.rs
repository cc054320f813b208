//! The one outcome of a verification, for every front end (docs/format.md §7).
//!
//! [`Verifier::check`](crate::Verifier::check) returns a [`Report`]: what kind of code was
//! scanned, the verdict and its typed reason, what the credential says once its issuer
//! signature verified, the status list that confirmed it, the warnings, and the holder's
//! presentation when there was one. The CLI, the WASM build and every binding only translate
//! and lay it out; the JSON contract of `giayto verify --json` is built from it by one function,
//! [`json::report_json`](crate::json) (feature `json`).

use crate::{
    CredentialInfo, ForeignCode, Reason, Rejection, StatusChecked, TrustList, Verdict,
    VerifiedCredential, Warning,
};

/// What was scanned, judged by its prefix (docs/format.md §5.1, §11.1).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    /// A `VN1:` credential shown as it was issued.
    Credential,
    /// A `VP1:` presentation: a credential signed again by its holder.
    Presentation,
    /// Not a giayto code; what it looks like.
    Foreign(ForeignCode),
    /// A MOSIP ID Claim 169 code (docs/format.md §16), checked against the trust list: another
    /// format's identity data, never a giayto credential ([`Report::claim169`]).
    Claim169,
}

/// The holder's part of an accepted presentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentationInfo {
    /// When the holder signed (`iat` of the presentation).
    pub issued_at: i64,
    /// The verifier's challenge the holder signed, if any.
    pub nonce: Option<Vec<u8>>,
}

/// The trust list a verification used: its sequence and dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustSummary {
    /// The list's sequence number.
    pub sequence: u64,
    /// When the root signed it.
    pub issued_at: i64,
    /// When the next list is due.
    pub expires_at: i64,
}

impl TrustSummary {
    pub(crate) fn of(list: &TrustList) -> TrustSummary {
        TrustSummary {
            sequence: list.sequence,
            issued_at: list.issued_at,
            expires_at: list.expires_at,
        }
    }
}

/// Everything one verification found. Built only by this crate.
#[derive(Debug, Clone)]
pub struct Report {
    pub(crate) checked_at: i64,
    pub(crate) kind: CodeKind,
    pub(crate) trust: TrustSummary,
    pub(crate) outcome: Result<VerifiedCredential, Rejection>,
    pub(crate) presentation: Option<PresentationInfo>,
    /// For a Claim 169 code: its own outcome (then `outcome` is the rejection `verify` gives).
    pub(crate) claim169: Option<crate::Claim169Outcome>,
}

impl Report {
    /// The time the verification was made for (seconds).
    pub fn checked_at(&self) -> i64 {
        self.checked_at
    }
    /// What kind of code was scanned.
    pub fn kind(&self) -> CodeKind {
        self.kind
    }
    /// Whether the code was a holder-signed `VP1:` presentation.
    pub fn is_presentation(&self) -> bool {
        self.kind == CodeKind::Presentation
    }
    /// The trust list used.
    pub fn trust(&self) -> TrustSummary {
        self.trust
    }
    /// The verdict.
    pub fn verdict(&self) -> Verdict {
        if let Some(c) = &self.claim169 {
            return c.verdict;
        }
        match &self.outcome {
            Ok(_) => Verdict::Valid,
            Err(r) => r.verdict,
        }
    }
    /// Whether every check passed.
    pub fn is_valid(&self) -> bool {
        self.verdict() == Verdict::Valid
    }
    /// Why the code was not accepted (`None` when valid).
    pub fn reason(&self) -> Option<&Reason> {
        if let Some(c) = &self.claim169 {
            return c.reason.as_ref();
        }
        self.outcome.as_ref().err().map(|r| &r.reason)
    }
    /// For a Claim 169 code (docs/format.md §16) whose signature verified, valid or not: what it
    /// says, as its issuer's identity data.
    pub fn claim169(&self) -> Option<&crate::Claim169Identity> {
        self.claim169.as_ref().and_then(|c| c.identity.as_deref())
    }
    /// The credential, fully verified (`None` when rejected).
    pub fn verified(&self) -> Option<&VerifiedCredential> {
        self.outcome.as_ref().ok()
    }
    /// What the credential says — issuer entry, claims and, when its fields parsed, the
    /// document — present whenever the issuer's signature verified, valid or not.
    pub fn credential(&self) -> Option<CredentialView<'_>> {
        match &self.outcome {
            Ok(v) => Some(CredentialView {
                issuer: v.issuer(),
                claims: v.claims(),
                document: v.document(),
                disclosed: v.disclosed(),
                trust_path: v.trust_path(),
            }),
            Err(r) => r
                .credential
                .as_deref()
                .map(|c: &CredentialInfo| CredentialView {
                    issuer: &c.issuer,
                    claims: &c.claims,
                    document: c.document.as_ref(),
                    disclosed: c.disclosed.as_ref(),
                    trust_path: &c.trust_path,
                }),
        }
    }
    /// The status list that confirmed the credential is in force (valid credentials only).
    pub fn status(&self) -> Option<&StatusChecked> {
        self.verified().and_then(VerifiedCredential::status)
    }
    /// Warnings for the relying party (valid credentials only: a rejection's reason says all).
    pub fn warnings(&self) -> &[Warning] {
        if let Some(c) = &self.claim169 {
            return &c.warnings;
        }
        self.verified().map(|v| v.warnings()).unwrap_or(&[])
    }
    /// The holder's part, for an accepted presentation.
    pub fn presentation(&self) -> Option<&PresentationInfo> {
        self.presentation.as_ref()
    }
    /// The outcome as a `Result`, for code that wants the typed proof of a valid credential. A
    /// Claim 169 code is no giayto credential: a valid one gives `not_a_credential`
    /// (`foreign_claim169`), a refused one its rejection.
    pub fn result(&self) -> Result<&VerifiedCredential, &Rejection> {
        self.outcome.as_ref()
    }
    /// The outcome by value.
    pub fn into_result(self) -> Result<VerifiedCredential, Rejection> {
        self.outcome
    }
}

/// What a credential says, borrowed from either outcome.
#[derive(Debug, Clone, Copy)]
pub struct CredentialView<'a> {
    /// The trust list entry of the signing key.
    pub issuer: &'a crate::IssuerEntry,
    /// The claims.
    pub claims: &'a crate::CredentialClaims,
    /// The document, when its fields parsed (never for a selective-disclosure presentation).
    pub document: Option<&'a crate::Document>,
    /// What the holder disclosed, for a selective-disclosure presentation whose disclosures
    /// matched the issuer's commitment (docs/format.md §14).
    pub disclosed: Option<&'a crate::Disclosed>,
    /// How the issuer's key is trusted (docs/format.md §18).
    pub trust_path: &'a crate::TrustPath,
}

/// A typed argument of a reason's or a warning's message. Front ends format each kind their
/// own way (a time as RFC 3339 in JSON, as `dd/mm/yyyy HH:MM` for people).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// A time, seconds since the epoch.
    Time(i64),
    /// Text shown as it is (a uri, an issuer id, a field name, hex).
    Text(String),
    /// A count or a number.
    Number(u64),
    /// A document type code (shown by its name when known).
    DocType(u64),
}

impl Reason {
    /// The named arguments of this reason's message (`time`, `uri`, `field`, ...). The names
    /// are those of the Fluent messages `reason-*` and of `reason_args` in the JSON contract.
    pub fn args(&self) -> Vec<(&'static str, Arg)> {
        use Arg::*;
        match self {
            Reason::Expired { expires_at } => vec![("time", Time(*expires_at))],
            Reason::NotYetValid { valid_from } => vec![("time", Time(*valid_from))],
            Reason::TrustListExpired { expired_at } => vec![("time", Time(*expired_at))],
            Reason::StatusUnavailable { uri } => vec![("uri", Text(uri.clone()))],
            Reason::StatusListExpired { uri, expired_at } => {
                vec![("uri", Text(uri.clone())), ("time", Time(*expired_at))]
            }
            Reason::Status { uri, index, .. } => {
                vec![("uri", Text(uri.clone())), ("index", Number(*index))]
            }
            Reason::StatusIndexOutOfRange { uri, index, len } => vec![
                ("uri", Text(uri.clone())),
                ("index", Number(*index)),
                ("len", Number(*len)),
            ],
            Reason::Level { required, found } => vec![
                ("required", Number(u64::from(*required))),
                ("found", Number(u64::from(*found))),
            ],
            Reason::IssuerMismatch { claimed, key_owner } => vec![
                ("claimed", Text(claimed.clone())),
                ("owner", Text(key_owner.clone())),
            ],
            Reason::KeyNotValidAt {
                issued_at,
                not_before,
                not_after,
            } => vec![
                ("time", Time(*issued_at)),
                ("from", Time(*not_before)),
                ("until", Time(*not_after)),
            ],
            Reason::DocTypeNotAllowed { doc_type } => vec![("doctype", DocType(*doc_type))],
            Reason::CertificateOverruled { issuer } | Reason::IssuerWithdrawn { issuer } => {
                vec![("issuer", Text(issuer.clone()))]
            }
            Reason::CertificateNotValid {
                not_before,
                not_after,
            } => vec![("from", Time(*not_before)), ("until", Time(*not_after))],
            Reason::UnsupportedDocType { doc_type } => vec![("doctype", Number(*doc_type))],
            Reason::UnsupportedSchema { version, known } => {
                vec![("version", Number(*version)), ("known", Number(*known))]
            }
            Reason::Fields(e) => vec![
                ("field", Text(e.field.clone())),
                ("detail", Text(e.to_string())),
            ],
            Reason::UnknownKid { kid } => vec![("kid", Text(crate::hex_lower(kid)))],
            Reason::DisclosureNotCovered { index } => vec![("index", Number(*index))],
            Reason::DisclosureGroup { node } => vec![("node", Number(*node))],
            Reason::PresentationTime { issued_at, window } => vec![
                ("time", Time(*issued_at)),
                ("window", Number(window.unsigned_abs())),
            ],
            Reason::RequestExpired { expires_at } => vec![("time", Time(*expires_at))],
            Reason::FieldsMissing { fields } => vec![("fields", Text(fields.join(", ")))],
            Reason::RequestDocType { doc_type } => vec![("doctype", DocType(*doc_type))],
            Reason::Claim169(crate::Claim169Error::Attribute { key }) => {
                vec![("key", Number(u64::from(*key)))]
            }
            Reason::Claim169(crate::Claim169Error::UnknownIssuer { iss }) => {
                vec![("iss", Text(iss.clone().unwrap_or_else(|| "-".to_owned())))]
            }
            Reason::Claim169(crate::Claim169Error::Envelope(
                giayto_cose::claim169::EnvelopeError::Claims(detail),
            )) => vec![("detail", Text((*detail).to_owned()))],
            _ => vec![],
        }
    }
}

impl Warning {
    /// Every code [`Warning::code`] can return.
    pub const CODES: [&'static str; 6] = [
        "status_not_checked",
        "status_list_aging",
        "status_list_in_grace",
        "trust_list_aging",
        "possession_not_proven",
        "no_status_reference",
    ];

    /// A stable snake_case code, as in the JSON contract (`warnings[].code`).
    pub fn code(&self) -> &'static str {
        match self {
            Warning::StatusNotChecked { .. } => "status_not_checked",
            Warning::StatusListAging { .. } => "status_list_aging",
            Warning::StatusListInGrace { .. } => "status_list_in_grace",
            Warning::TrustListAging { .. } => "trust_list_aging",
            Warning::PossessionNotProven => "possession_not_proven",
            Warning::NoStatusReference => "no_status_reference",
        }
    }

    /// The named arguments of the warning's message (`uri`, `expires_at`).
    pub fn args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            Warning::StatusNotChecked { uri } => vec![("uri", Arg::Text(uri.clone()))],
            Warning::StatusListAging { uri, expires_at }
            | Warning::StatusListInGrace { uri, expires_at } => vec![
                ("uri", Arg::Text(uri.clone())),
                ("expires_at", Arg::Time(*expires_at)),
            ],
            Warning::TrustListAging { expires_at } => {
                vec![("expires_at", Arg::Time(*expires_at))]
            }
            Warning::PossessionNotProven | Warning::NoStatusReference => vec![],
        }
    }
}
