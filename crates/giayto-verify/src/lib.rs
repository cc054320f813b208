//! The one-call verifier for giayto credentials: scanned text in, verdict out, offline.
//!
//! A [`Verifier`] is built from the pinned root public key and a signed trust list. Each call
//! to [`Verifier::verify`] takes the scanned text and the current time (the verifier never
//! reads a clock) and returns either a [`VerifiedCredential`] — a type only this crate can
//! build, so holding one proves every check ran — or a [`Rejection`] with its [`Verdict`].
//!
//! Checks, in order: the text (prefix, base45, bounded inflate), strict COSE_Sign1, the kid
//! in the trust list, the Ed25519 signature (`verify_strict`), the claims, the issuer id and
//! its authority for this document type at signing time, document type and schema support,
//! the document fields, the validity period, status, the policy's assurance level, and last
//! the freshness of the trust list (a rejection never needs fresh data; acceptance does).
//! Fields are only ever exposed after the signature has verified.
//!
//! A `VP1:` presentation (the holder's signature over a credential, docs/format.md §11) goes through
//! the same call: the holder signature under the credential's `cnf`, the verifier's nonce, the
//! freshness window, then every check above on the credential inside (see [`VerifiedPresentation`]
//! and `Verifier::verify_presentation_with_nonce`).
//!
//! A relying party that showed a verifier's request (`VR1:`, docs/format.md §15) checks the
//! holder's answer against it with [`Verifier::check_answer`]: bound to that request, made
//! before it closed, and disclosing everything it requires.
//!
//! ```
//! # use giayto_cose::{claims::*, sign1, text, CREDENTIAL_TYP};
//! # use giayto_model::{DocType, Document};
//! # use giayto_trust::{IssuerEntry, TrustList};
//! # use ed25519_dalek::SigningKey;
//! # let (root, issuer) = (SigningKey::from_bytes(&[1; 32]), SigningKey::from_bytes(&[2; 32]));
//! # let now = 1_790_000_000;
//! # let trust_list = TrustList { root_id: "VN.ROOT".into(), sequence: 1, issued_at: now,
//! #     expires_at: now + 86_400 * 30, issuers: vec![IssuerEntry { id: "VN.BCA.C06".into(),
//! #     name_vi: "Cục C06".into(), name_en: None, public_key: issuer.verifying_key().to_bytes(),
//! #     doc_types: vec![1], not_before: 0, not_after: now + 86_400 * 3650,
//! #     status_uri_prefix: None }], withdrawn: Default::default() }.sign(&root).unwrap();
//! # let document = Document::from_json(DocType::Cccd, &giayto_model::sample_input(DocType::Cccd)).unwrap();
//! # let claims = CredentialClaims { issuer: "VN.BCA.C06".into(), issued_at: now, not_before: None,
//! #     expires_at: now + 86_400, serial: vec![9; 10], holder_key: None, status: None,
//! #     document: DocumentClaim { doc_type: 1, schema_version: 1, assurance_level: 2,
//! #     fields: document.to_cbor() }, unknown: vec![] };
//! # let qr_text = text::encode(text::Kind::Credential,
//! #     &sign1::sign(&issuer, CREDENTIAL_TYP, claims.to_bytes()).unwrap(), None);
//! # let root_public_key = root.verifying_key();
//! use giayto_verify::{Verdict, Verifier};
//!
//! let verifier = Verifier::new(root_public_key, &trust_list)?;
//! match verifier.verify(&qr_text, now) {
//!     Ok(credential) => println!("valid: {:?}", credential.document().map(|d| d.holder_name())),
//!     Err(rejection) => println!("rejected: {}", rejection.verdict),
//! }
//! # assert!(verifier.verify(&qr_text, now).is_ok());
//! # assert_eq!(verifier.verify("https://example.invalid", now).unwrap_err().verdict,
//! #     Verdict::NotACredential);
//! # Ok::<(), giayto_trust::TrustError>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "x509")]
mod certified;
mod checks;
mod claim169;
mod delta;
mod disclosure;
mod foreign;
#[cfg(feature = "json")]
pub mod json;
mod presentation;
mod report;
mod request;
mod status;
mod verdict;

pub use claim169::{
    Attribute, AttributeValue, Claim169Error, Claim169Identity, Claim169Outcome, CLAIM169_LEVEL,
    IDENTITY_DOC_TYPE,
};
pub use delta::{DeltaApplied, DeltaLoadError};
pub use giayto_status::{delta_from_text, DeltaError, DELTA_PREFIX};
pub use giayto_status::{Status, StatusListToken};
pub use status::{
    Added, Bundle, BundleError, LoadedStatusList, Rollback, SeenState, StatusLoadError,
    MAX_BUNDLE_BYTES, MAX_BUNDLE_DELTAS, MAX_BUNDLE_LISTS, MAX_DATA_AHEAD,
};

pub use disclosure::{sd_positions, Disclosed, DisclosedField};
/// The pinned root key's type (Ed25519), re-exported so an app needs no direct dependency.
pub use ed25519_dalek::VerifyingKey;
pub use foreign::ForeignCode;
pub use giayto_cose::claims::{CredentialClaims, StatusRef};
pub use giayto_cose::request::RequestError;
pub use giayto_model::{DocType, Document};
pub use giayto_trust::{IssuerEntry, TrustError, TrustList};
pub use presentation::{VerifiedPresentation, DEFAULT_PRESENTATION_WINDOW};
pub use report::{Arg, CodeKind, CredentialView, PresentationInfo, Report, TrustSummary};
pub use request::{item_defined_for, item_known, Request};
pub use verdict::{Reason, Verdict, REASON_CODES};

#[cfg(feature = "x509")]
pub use certified::CertificateLoadError;
/// Issuer certificates (docs/format.md §18), re-exported for front ends that read them.
#[cfg(feature = "x509")]
pub use giayto_x509;

/// How the verifier came to trust the issuer's key (docs/format.md §18.4).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TrustPath {
    /// The signed trust list lists the key.
    #[default]
    TrustList,
    /// An X.509 chain certifies the key up to a configured CA root (named by its common name).
    X509 {
        /// The root's subject common name.
        root: String,
    },
}

impl TrustPath {
    /// `trust_list` or `x509`, as in the JSON contract (`trust_path`).
    pub fn as_str(&self) -> &'static str {
        match self {
            TrustPath::TrustList => "trust_list",
            TrustPath::X509 { .. } => "x509",
        }
    }
}

use giayto_cose::claims::ClaimsError;
use giayto_cose::sign1::{CoseError, Sign1};
use giayto_cose::text::{self, Dictionary, Kind, TextError};
use giayto_cose::CREDENTIAL_TYP;

/// What a relying party requires beyond a valid signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Policy {
    /// A bank, a hotel, a clinic: assurance level 1 suffices.
    #[default]
    ThirdParty,
    /// A traffic checkpoint: assurance level 2 required (a level-2 account may show papers
    /// instead of the plastic cards).
    Checkpoint,
}

impl Policy {
    /// The lowest assurance level this policy accepts.
    pub fn required_level(self) -> u8 {
        match self {
            Policy::ThirdParty => 1,
            Policy::Checkpoint => 2,
        }
    }
}

/// Default grace after a trust list's next-update date before verdicts become `stale_trust`.
pub const DEFAULT_TRUST_GRACE: i64 = 7 * 24 * 3600;
/// Default allowed clock difference between issuer and verifier, seconds.
pub const DEFAULT_CLOCK_SKEW: i64 = 300;
/// Default grace after a status list's `exp` (beyond the clock skew) before verdicts become
/// `stale_status`: none. A list's `exp` is its issuer's word (docs/format.md §9.5); an operator
/// who wants grace asks for it ([`Verifier::with_status_grace`]) and every verdict that relies
/// on it carries [`Warning::StatusListInGrace`].
pub const DEFAULT_STATUS_GRACE: i64 = 0;
/// How long before trust or status data goes stale a verifier starts warning.
pub const STALE_WARNING: i64 = 24 * 3600;

/// Something the relying party should know about an accepted credential.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// The credential names a status list the verifier does not have, and the verifier was
    /// told to accept it anyway: revocation was not checked.
    StatusNotChecked {
        /// The list's uri.
        uri: String,
    },
    /// The status list used goes stale soon (or is within its grace period).
    StatusListAging {
        /// The list's uri.
        uri: String,
        /// Its `exp`.
        expires_at: i64,
    },
    /// The status list used is past its `exp` and was accepted only because the verifier was
    /// given a grace period ([`Verifier::with_status_grace`]).
    StatusListInGrace {
        /// The list's uri.
        uri: String,
        /// Its `exp`.
        expires_at: i64,
    },
    /// The trust list goes stale soon (or is within its grace period).
    TrustListAging {
        /// Its `exp`.
        expires_at: i64,
    },
    /// The credential is bound to a holder key but was shown as issued (`VN1:`), not as the
    /// holder's presentation (`VP1:`): nothing proves the person showing it holds it.
    PossessionNotProven,
    /// A Claim 169 code (docs/format.md §16) names no status list: whether its issuer revoked
    /// it cannot be checked.
    NoStatusReference,
}

/// The status check of an accepted credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChecked {
    /// The list's uri.
    pub uri: String,
    /// The credential's index in it.
    pub index: u64,
    /// When the list was published.
    pub list_issued_at: i64,
    /// When the list goes stale.
    pub list_expires_at: i64,
}

/// The content of a credential whose signature has verified.
#[derive(Debug, Clone)]
pub struct CredentialInfo {
    /// The trust list entry of the signing key.
    pub issuer: IssuerEntry,
    /// The claims.
    pub claims: CredentialClaims,
    /// The document, when its fields parsed (never for a selective-disclosure credential).
    pub document: Option<Document>,
    /// What the holder disclosed of a selective-disclosure credential, once checked against
    /// its commitment (docs/format.md §14).
    pub disclosed: Option<Disclosed>,
    /// How the issuer's key is trusted.
    pub trust_path: TrustPath,
}

/// A rejected credential.
#[derive(Debug, Clone)]
pub struct Rejection {
    /// The verdict.
    pub verdict: Verdict,
    /// The detail.
    pub reason: Reason,
    /// What the credential says, present only when its signature verified (an expired or
    /// revoked credential still shows whose it is; a forged one shows nothing).
    pub credential: Option<Box<CredentialInfo>>,
}

impl Rejection {
    fn new(verdict: Verdict, reason: Reason) -> Rejection {
        Rejection {
            verdict,
            reason,
            credential: None,
        }
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {:?}", self.verdict, self.reason)
    }
}

impl std::error::Error for Rejection {}

/// A credential that passed every check. Only this crate can build one.
#[derive(Debug, Clone)]
pub struct VerifiedCredential {
    issuer: IssuerEntry,
    claims: CredentialClaims,
    doc_type: DocType,
    document: Option<Document>,
    disclosed: Option<Disclosed>,
    status: Option<StatusChecked>,
    warnings: Vec<Warning>,
    trust_path: TrustPath,
}

impl VerifiedCredential {
    /// The issuer's trust list entry.
    pub fn issuer(&self) -> &IssuerEntry {
        &self.issuer
    }
    /// The claims.
    pub fn claims(&self) -> &CredentialClaims {
        &self.claims
    }
    /// The whole document; `None` for a selective-disclosure presentation, which shows only
    /// [`VerifiedCredential::disclosed`].
    pub fn document(&self) -> Option<&Document> {
        self.document.as_ref()
    }
    /// What the holder disclosed, for a selective-disclosure presentation (docs/format.md §14).
    pub fn disclosed(&self) -> Option<&Disclosed> {
        self.disclosed.as_ref()
    }
    /// The document type.
    pub fn doc_type(&self) -> DocType {
        self.doc_type
    }
    /// The serial as lower-case hex.
    pub fn serial_hex(&self) -> String {
        hex_lower(&self.claims.serial)
    }
    /// The status list that confirmed the credential is not revoked or suspended, if the
    /// credential has a status claim and the list was held.
    pub fn status(&self) -> Option<&StatusChecked> {
        self.status.as_ref()
    }
    /// Warnings the relying party should see.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
    /// How the issuer's key is trusted: the trust list, or an X.509 chain (docs/format.md §18).
    pub fn trust_path(&self) -> &TrustPath {
        &self.trust_path
    }
}

/// Lower-case hex of bytes.
pub fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The first trust list entry with this kid (as [`TrustList::find`]) and the cell of its key.
fn signer<'t>(
    trust: &'t TrustList,
    keys: &'t [status::KeyCell],
    kids: &std::collections::HashMap<[u8; 8], usize>,
    kid: &[u8; 8],
) -> Option<(&'t giayto_trust::IssuerEntry, &'t status::KeyCell)> {
    let index = *kids.get(kid)?;
    Some((trust.issuers.get(index)?, keys.get(index)?))
}

/// A held issuer certificate's position; none can be held without the `x509` feature.
#[cfg(feature = "x509")]
type CertIndex = usize;
#[cfg(not(feature = "x509"))]
type CertIndex = std::convert::Infallible;

/// The verifier: a pinned root, a checked trust list, and the policy.
#[derive(Debug, Clone)]
pub struct Verifier {
    trust: TrustList,
    /// The trust list's keys by position, decompressed at most once, when first needed
    /// (`None` inside for bytes that are no curve point).
    keys: Vec<status::KeyCell>,
    /// Kid → position of the first trust list entry with it (as [`TrustList::find`]), built
    /// once: finding a signer costs one look-up, not a hash of every issuer key.
    kids: std::collections::HashMap<[u8; 8], usize>,
    policy: Policy,
    trust_grace: i64,
    clock_skew: i64,
    dictionaries: Vec<&'static [u8]>,
    presentation_window: i64,
    expected_nonce: Option<Vec<u8>>,
    status: status::StatusStore,
    status_grace: i64,
    accept_missing_status: bool,
    /// Configured CA roots and issuer certificates (docs/format.md §18).
    #[cfg(feature = "x509")]
    certified: certified::Certified,
}

/// A code [`Verifier::check_static`] leaves to [`Verifier::check`].
enum Other {
    /// A Claim 169 code (docs/format.md §16).
    Claim169,
    /// A `VP1:` presentation: its COSE bytes.
    Presentation(Vec<u8>),
}

impl Verifier {
    /// Build a verifier from the pinned root key and a signed trust list. The list's signature
    /// is checked here; its freshness is checked at each [`Verifier::verify`] call against the
    /// time given there.
    pub fn new(root: VerifyingKey, trust_list: &[u8]) -> Result<Verifier, TrustError> {
        let trust = TrustList::verify(trust_list, &root)?;
        let keys = trust
            .issuers
            .iter()
            .map(|_| std::sync::OnceLock::new())
            .collect();
        let mut kids = std::collections::HashMap::with_capacity(trust.issuers.len());
        for (index, entry) in trust.issuers.iter().enumerate() {
            kids.entry(entry.kid()).or_insert(index);
        }
        Ok(Verifier {
            trust,
            keys,
            kids,
            policy: Policy::default(),
            trust_grace: DEFAULT_TRUST_GRACE,
            clock_skew: DEFAULT_CLOCK_SKEW,
            dictionaries: Vec::new(),
            presentation_window: DEFAULT_PRESENTATION_WINDOW,
            expected_nonce: None,
            status: status::StatusStore::default(),
            status_grace: DEFAULT_STATUS_GRACE,
            accept_missing_status: false,
            #[cfg(feature = "x509")]
            certified: certified::Certified::default(),
        })
    }

    /// Trust these national CA roots for issuer certificates (docs/format.md §18.4), in place
    /// of any set before.
    #[cfg(feature = "x509")]
    pub fn with_ca_roots(mut self, roots: Vec<giayto_x509::CaRoot>) -> Verifier {
        self.certified.roots = roots;
        self
    }

    /// Hold an issuer's certificate chain (leaf first, root excluded): credentials its key
    /// signs are then checked against the chain when the trust list does not know the key or
    /// the issuer. Checked here: the form and the key (Ed25519, a valid issuer id); the chain
    /// itself is checked at each verification, at its time. Returns the key's kid.
    #[cfg(feature = "x509")]
    pub fn add_issuer_certificate(
        &mut self,
        cert: giayto_x509::IssuerCertificate,
    ) -> Result<[u8; 8], CertificateLoadError> {
        self.certified.add(cert)
    }

    /// The signer of a status list: a trust list issuer, else a certified one the trust list
    /// does not name.
    fn status_signer<'t>(
        trust: &'t TrustList,
        keys: &'t [status::KeyCell],
        kids: &std::collections::HashMap<[u8; 8], usize>,
        #[cfg(feature = "x509")] certified: &'t certified::Certified,
        kid: &[u8; 8],
    ) -> Option<(&'t IssuerEntry, &'t status::KeyCell)> {
        let found = signer(trust, keys, kids, kid);
        #[cfg(feature = "x509")]
        let found = found.or_else(|| certified.status_signer(trust, kid));
        found
    }

    /// Build a verifier from an offline bundle: its trust list checked against the pinned
    /// root, then every status list in it checked against the trust list, then its status
    /// deltas applied in order, each checked as a list is and refused unless it applies to the
    /// list held at that point (docs/format.md §9.8, §10).
    pub fn from_bundle(root: VerifyingKey, bundle: &Bundle) -> Result<Verifier, BundleError> {
        let mut verifier = Verifier::new(root, &bundle.trust_list).map_err(BundleError::Trust)?;
        for (index, list) in bundle.status_lists.iter().enumerate() {
            verifier
                .add_status_list(list)
                .map_err(|error| BundleError::StatusList { index, error })?;
        }
        for (index, delta) in bundle.status_deltas.iter().enumerate() {
            verifier
                .apply_status_delta(delta)
                .map_err(|error| BundleError::StatusDelta { index, error })?;
        }
        Ok(verifier)
    }

    /// Build a verifier from an offline bundle as [`Verifier::from_bundle`] does, but with every
    /// status list added by [`Verifier::add_status_list_deferred`]: start-up costs one
    /// signature (the trust list's) and a parse per list, however many lists the bundle
    /// carries, and each list is checked when a credential first needs it. The bundle's
    /// status deltas are applied at once, as by [`Verifier::from_bundle`]: only the lists they
    /// change are checked then.
    pub fn from_bundle_deferred(
        root: VerifyingKey,
        bundle: &Bundle,
    ) -> Result<Verifier, BundleError> {
        let mut verifier = Verifier::new(root, &bundle.trust_list).map_err(BundleError::Trust)?;
        for (index, list) in bundle.status_lists.iter().enumerate() {
            verifier
                .add_status_list_deferred(list)
                .map_err(|error| BundleError::StatusList { index, error })?;
        }
        for (index, delta) in bundle.status_deltas.iter().enumerate() {
            verifier
                .apply_status_delta(delta)
                .map_err(|error| BundleError::StatusDelta { index, error })?;
        }
        Ok(verifier)
    }

    /// Add a signed status list. Its signer must be an issuer of the trust list, and its uri
    /// inside that issuer's prefix when the trust list sets one. A list never replaces a newer
    /// one for the same uri.
    pub fn add_status_list(&mut self, token: &[u8]) -> Result<Added, StatusLoadError> {
        self.add_list(token, false)
    }

    /// Add a signed status list whose signature check (and the inflating of its statuses) is
    /// deferred to the first credential that needs it. Checked now: the structure, the signer
    /// being an issuer of the trust list, and the uri prefix — on the uri and `iat` read before
    /// the signature is checked, which the deferred check then requires to be the signed ones.
    /// A list whose deferred check fails counts as not held: its credentials are
    /// `stale_status` (docs/format.md §9.5), and [`Verifier::status_lists`] leaves it out. A
    /// device's rollback protection ([`SeenState::accept`]) refuses older lists whether checked
    /// or not, and remembers only those checked, so it runs after the checks.
    pub fn add_status_list_deferred(&mut self, token: &[u8]) -> Result<Added, StatusLoadError> {
        self.add_list(token, true)
    }

    /// [`Verifier::add_status_list`] (checked now) or [`Verifier::add_status_list_deferred`].
    fn add_list(&mut self, token: &[u8], deferred: bool) -> Result<Added, StatusLoadError> {
        let (keys, kids, trust) = (&self.keys, &self.kids, &self.trust);
        #[cfg(feature = "x509")]
        let certified = &self.certified;
        self.status.add(
            |kid| {
                Verifier::status_signer(
                    trust,
                    keys,
                    kids,
                    #[cfg(feature = "x509")]
                    certified,
                    kid,
                )
            },
            token,
            deferred,
        )
    }

    /// How many status lists are held, including those whose deferred check has not run.
    pub fn status_list_count(&self) -> usize {
        self.status.len()
    }

    /// The status lists held, checked: a deferred check runs here for every list not yet
    /// checked.
    pub fn status_lists(&self) -> impl Iterator<Item = &LoadedStatusList> {
        self.status.iter()
    }

    /// Accept a status list this many seconds past its `exp` plus the clock skew (default
    /// none); a verdict that relies on it carries [`Warning::StatusListInGrace`].
    pub fn with_status_grace(mut self, seconds: i64) -> Verifier {
        self.status_grace = seconds.max(0);
        self
    }

    /// When a credential names a status list this verifier does not hold: accept it with a
    /// [`Warning::StatusNotChecked`] (`true`) instead of the default `stale_status` (`false`).
    pub fn accept_missing_status(mut self, accept: bool) -> Verifier {
        self.accept_missing_status = accept;
        self
    }

    /// Use this policy (default [`Policy::ThirdParty`]).
    pub fn with_policy(mut self, policy: Policy) -> Verifier {
        self.policy = policy;
        self
    }

    /// Accept a trust list this many seconds past its next-update date (default 7 days).
    pub fn with_trust_grace(mut self, seconds: i64) -> Verifier {
        self.trust_grace = seconds.max(0);
        self
    }

    /// Allow this much clock difference for `iat` and `nbf` (default 300 s).
    pub fn with_clock_skew(mut self, seconds: i64) -> Verifier {
        self.clock_skew = seconds.max(0);
        self
    }

    /// Also accept zlib streams that use this preset dictionary.
    pub fn with_dictionary(mut self, dictionary: &'static [u8]) -> Verifier {
        self.dictionaries.push(dictionary);
        self
    }

    /// The trust list in use.
    pub fn trust_list(&self) -> &TrustList {
        &self.trust
    }

    /// The policy in use.
    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// Check a scanned QR text at time `now` (seconds since the epoch): the one outcome every
    /// front end shows ([`Report`]). A `VP1:` presentation is checked with the nonce set by
    /// [`Verifier::with_expected_nonce`], if any.
    pub fn check(&self, scanned: &str, now: i64) -> Report {
        self.check_with_nonce(scanned, now, self.expected_nonce.as_deref())
    }

    /// [`Verifier::check`] with this call's own challenge in place of the one set by
    /// [`Verifier::with_expected_nonce`]: `Some(nonce)` requires a `VP1:` presentation bound to
    /// it (a static code is then `stale_presentation`), `None` requires none. For a service
    /// that shows each client its own challenge and shares one verifier between requests.
    pub fn check_with_nonce(&self, scanned: &str, now: i64, nonce: Option<&[u8]>) -> Report {
        let report = |kind, outcome, presentation| Report {
            checked_at: now,
            kind,
            trust: TrustSummary::of(&self.trust),
            outcome,
            presentation,
            claim169: None,
        };
        match self.check_common(scanned, now, nonce) {
            Ok(report) => report,
            Err(Other::Claim169) => {
                // Another format's identity code (docs/format.md §16): checked against the
                // same trust list, shown as that issuer's identity data. `verify` (the proof
                // of a giayto credential) gets `not_a_credential` when it is valid.
                let outcome = self.check_claim169(scanned, now);
                let rejection = match &outcome.reason {
                    Some(reason) => Rejection::new(outcome.verdict, reason.clone()),
                    None => Rejection::new(
                        Verdict::NotACredential,
                        Reason::NotGiayto(ForeignCode::Claim169),
                    ),
                };
                Report {
                    claim169: Some(outcome),
                    ..report(CodeKind::Claim169, Err(rejection), None)
                }
            }
            Err(Other::Presentation(cose)) => {
                match self.verify_presentation_with_nonce(&cose, now, nonce) {
                    Ok(p) => {
                        let info = PresentationInfo {
                            issued_at: p.issued_at(),
                            nonce: p.nonce().map(<[u8]>::to_vec),
                        };
                        report(CodeKind::Presentation, Ok(p.into_credential()), Some(info))
                    }
                    Err(r) => report(CodeKind::Presentation, Err(r), None),
                }
            }
        }
    }

    /// [`Verifier::check`] of every code but two kinds: `None` for a `VP1:` presentation whose
    /// text decodes (docs/format.md §11) and for a Claim 169 code (§16), which the caller
    /// checks with [`Verifier::check`]; every other text gets the report `check` gives it. A
    /// build that calls only this (the web page's first-load module, docs/decisions.md D189)
    /// links neither the presentation nor the Claim 169 checks.
    pub fn check_static(&self, scanned: &str, now: i64) -> Option<Report> {
        self.check_common(scanned, now, self.expected_nonce.as_deref())
            .ok()
    }

    /// What [`Verifier::check_with_nonce`] and [`Verifier::check_static`] share: the report of
    /// every code but a presentation or a Claim 169 code, which it hands back undone.
    fn check_common(&self, scanned: &str, now: i64, nonce: Option<&[u8]>) -> Result<Report, Other> {
        let trust = TrustSummary::of(&self.trust);
        let report = |kind, outcome| Report {
            checked_at: now,
            kind,
            trust,
            outcome,
            presentation: None,
            claim169: None,
        };
        let dictionaries: Vec<Dictionary<'_>> = self
            .dictionaries
            .iter()
            .map(|d| Dictionary::new(d))
            .collect();
        let (kind, cose) = match text::decode(scanned, &dictionaries) {
            Ok(decoded) => decoded,
            Err(TextError::NoPrefix) if giayto_cose::claim169::looks_like(scanned) => {
                return Err(Other::Claim169);
            }
            Err(TextError::NoPrefix) => {
                let foreign = ForeignCode::classify(scanned);
                let rejection = Rejection::new(Verdict::NotACredential, Reason::NotGiayto(foreign));
                return Ok(report(CodeKind::Foreign(foreign), Err(rejection)));
            }
            Err(e) => {
                // The prefix was read; the rest was not.
                let kind = if scanned.trim_start().starts_with("VP1:") {
                    CodeKind::Presentation
                } else {
                    CodeKind::Credential
                };
                let rejection = Rejection::new(Verdict::Malformed, Reason::Text(e));
                return Ok(report(kind, Err(rejection)));
            }
        };
        if kind == Kind::Presentation {
            return Err(Other::Presentation(cose));
        }
        if nonce.is_some() {
            // A verifier that showed a challenge wants the holder's answer; a static code is none.
            let rejection = Rejection::new(
                Verdict::StalePresentation,
                Reason::NonceMismatch { present: false },
            );
            return Ok(report(CodeKind::Credential, Err(rejection)));
        }
        let outcome = self.verify_cose(&cose, now).map(|mut credential| {
            // Shown as issued: a holder-bound credential proves nothing about who shows it.
            if credential.claims.holder_key.is_some() {
                credential.warnings.push(Warning::PossessionNotProven);
            }
            credential
        });
        Ok(report(CodeKind::Credential, outcome))
    }

    /// Verify a scanned QR text at time `now` (seconds since the epoch): [`Verifier::check`]
    /// as a `Result`, for code that wants the typed proof of a valid credential.
    pub fn verify(&self, scanned: &str, now: i64) -> Result<VerifiedCredential, Rejection> {
        self.check(scanned, now).into_result()
    }

    /// Verify the COSE bytes of a credential at time `now` (docs/format.md §7.2).
    pub fn verify_cose(&self, cose: &[u8], now: i64) -> Result<VerifiedCredential, Rejection> {
        self.verify_cose_with::<false>(cose, now, None)
    }

    /// Verify a credential; with `disclosures`, a selective-disclosure credential whose
    /// commitment they must match in place of the `fields` check (docs/format.md §14.4). `SD`
    /// is false only where `disclosures` is always `None` ([`Verifier::verify_cose`]): that
    /// instance links no selective-disclosure code (the web page's first-load module, D189).
    pub(crate) fn verify_cose_with<const SD: bool>(
        &self,
        cose: &[u8],
        now: i64,
        disclosures: Option<&giayto_cose::sd::Disclosures>,
    ) -> Result<VerifiedCredential, Rejection> {
        let signed = Sign1::parse(cose, CREDENTIAL_TYP)
            .map_err(|e| Rejection::new(Verdict::Malformed, Reason::Cose(e)))?;
        let kid = signed.kid();
        // The trust list first; a certified key only for a kid it does not list (§18.4).
        let found = signer(&self.trust, &self.keys, &self.kids, &kid)
            .map(|(e, k)| (e, k, None::<CertIndex>));
        #[cfg(feature = "x509")]
        let found = found.or_else(|| {
            self.certified
                .signer(&kid)
                .map(|(index, e, k)| (e, k, Some(index)))
        });
        let (entry, key, certified) = found
            .ok_or_else(|| Rejection::new(Verdict::UnknownIssuer, Reason::UnknownKid { kid }))?;
        let key = key
            .get_or_init(|| {
                VerifyingKey::from_bytes(&entry.public_key)
                    .ok()
                    .map(Box::new)
            })
            .as_deref()
            .ok_or_else(|| Rejection::new(Verdict::BadSignature, Reason::Signature))?;
        signed.verify(key).map_err(|e| match e {
            CoseError::BadSignature => Rejection::new(Verdict::BadSignature, Reason::Signature),
            e => Rejection::new(Verdict::Malformed, Reason::Cose(e)),
        })?;
        let claims_error = |e: ClaimsError| Rejection::new(Verdict::Malformed, Reason::Claims(e));
        let (claims, root) = match disclosures {
            Some(_) if SD => {
                let (claims, commitment) =
                    giayto_cose::sd::parse_sd_commitment(signed.payload()).map_err(claims_error)?;
                (claims, Some(commitment))
            }
            _ => (
                CredentialClaims::from_bytes(signed.payload()).map_err(claims_error)?,
                None,
            ),
        };

        // A certified key: the trust list's authority, then the chain at `now` (§18.4).
        let trust_path = match certified {
            None => TrustPath::TrustList,
            #[cfg(feature = "x509")]
            Some(index) => match self.certified.check(&self.trust, index, &claims, now) {
                Ok(root) => TrustPath::X509 { root },
                Err((verdict, reason, false)) => return Err(Rejection::new(verdict, reason)),
                Err((verdict, reason, true)) => {
                    let info = CredentialInfo {
                        issuer: entry.clone(),
                        claims,
                        document: None,
                        disclosed: None,
                        trust_path: TrustPath::X509 {
                            root: String::new(),
                        },
                    };
                    return Err(info.reject(verdict, reason));
                }
            },
            #[cfg(not(feature = "x509"))]
            Some(never) => match never {},
        };

        // From here on the issuer's signature holds: every rejection shows what it says.
        let mut info = CredentialInfo {
            issuer: entry.clone(),
            claims,
            document: None,
            disclosed: None,
            trust_path,
        };
        let doc_type = match self.check_issuer(entry, &info.claims) {
            Ok(doc_type) => doc_type,
            Err((verdict, reason)) => return Err(info.reject(verdict, reason)),
        };
        let checked = match (disclosures, root) {
            (Some(d), Some(commitment)) if SD => {
                disclosure::check(doc_type, &commitment, d).map(|d| {
                    info.disclosed = Some(d);
                })
            }
            _ => {
                let claim = &info.claims.document;
                // The signing day bounds a book's summary date (docs/format.md §4.6); a
                // credential signed outside the years dates can hold has no such day.
                let signed_on = giayto_model::date::vietnam_date(info.claims.issued_at);
                Document::from_cbor_schema(doc_type, claim.schema_version, &claim.fields)
                    .and_then(|document| {
                        if let Some(day) = signed_on {
                            document.check_signed_on(day)?;
                        }
                        Ok(document)
                    })
                    .map(|document| {
                        info.document = Some(document);
                    })
                    .map_err(|e| (Verdict::Malformed, Reason::Fields(e)))
            }
        };
        if let Err((verdict, reason)) = checked {
            return Err(info.reject(verdict, reason));
        }
        let mut warnings = Vec::new();
        let status = match self
            .check_time(&info.claims, now)
            .and_then(|()| self.check_status(entry, &info.claims, now, &mut warnings))
            .and_then(|status| {
                self.check_level_and_trust(&info.claims, now, &mut warnings)
                    .map(|()| status)
            }) {
            Ok(status) => status,
            Err((verdict, reason)) => return Err(info.reject(verdict, reason)),
        };
        Ok(VerifiedCredential {
            issuer: info.issuer,
            claims: info.claims,
            doc_type,
            document: info.document,
            disclosed: info.disclosed,
            status,
            warnings,
            trust_path: info.trust_path,
        })
    }
}
