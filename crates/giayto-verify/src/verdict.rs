//! Verdicts and the reasons behind them.

use giayto_cose::claims::ClaimsError;
use giayto_cose::presentation::PayloadError;
use giayto_cose::sign1::CoseError;
use giayto_cose::text::TextError;
use giayto_model::FieldError;

/// The outcome class of a verification, as shown to the officer and printed by
/// `giayto verify --json` (`verdict`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Every check passed.
    Valid,
    /// Past the credential's `exp`.
    Expired,
    /// Before the credential's `nbf` (or issued in the future).
    NotYetValid,
    /// Its status list entry says revoked.
    Revoked,
    /// Its status list entry says suspended (the holder's temporary lock).
    Suspended,
    /// The signing key is not in the trust list, or the text names no known issuer.
    UnknownIssuer,
    /// The key is trusted, but not for this issuer id, this document type or at this time.
    IssuerNotAuthorized,
    /// The signature does not verify: the code was altered or forged.
    BadSignature,
    /// A giayto code, but not well-formed.
    Malformed,
    /// The status list needed is missing or out of date.
    StaleStatus,
    /// The trust list is past its next-update date beyond the grace period.
    StaleTrust,
    /// A presentation outside the freshness window.
    StalePresentation,
    /// Valid, but the account's assurance level is below what the policy requires.
    InsufficientLevel,
    /// Not a giayto code at all (a web link, another kind of QR code, plain text).
    NotACredential,
    /// A document type or schema version newer than this verifier knows.
    UnsupportedDocument,
}

impl Verdict {
    /// Every verdict.
    pub const ALL: [Verdict; 15] = [
        Verdict::Valid,
        Verdict::Expired,
        Verdict::NotYetValid,
        Verdict::Revoked,
        Verdict::Suspended,
        Verdict::UnknownIssuer,
        Verdict::IssuerNotAuthorized,
        Verdict::BadSignature,
        Verdict::Malformed,
        Verdict::StaleStatus,
        Verdict::StaleTrust,
        Verdict::StalePresentation,
        Verdict::InsufficientLevel,
        Verdict::NotACredential,
        Verdict::UnsupportedDocument,
    ];

    /// The stable snake_case name used in JSON output and test vectors.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Expired => "expired",
            Verdict::NotYetValid => "not_yet_valid",
            Verdict::Revoked => "revoked",
            Verdict::Suspended => "suspended",
            Verdict::UnknownIssuer => "unknown_issuer",
            Verdict::IssuerNotAuthorized => "issuer_not_authorized",
            Verdict::BadSignature => "bad_signature",
            Verdict::Malformed => "malformed",
            Verdict::StaleStatus => "stale_status",
            Verdict::StaleTrust => "stale_trust",
            Verdict::StalePresentation => "stale_presentation",
            Verdict::InsufficientLevel => "insufficient_level",
            Verdict::NotACredential => "not_a_credential",
            Verdict::UnsupportedDocument => "unsupported_document",
        }
    }

    /// Parse a snake_case name.
    pub fn from_name(name: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.as_str() == name)
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a scanned text that is not a giayto code looks like, so the verifier can say what it is.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForeignCode {
    /// A web address.
    WebLink,
    /// An EU Digital COVID Certificate (`HC1:`).
    EuDcc,
    /// A VietQR payment code: an EMVCo merchant-presented QR whose merchant account template
    /// (tag 38) carries the NAPAS application id `A000000727`.
    VietQr,
    /// Another EMVCo merchant-presented payment code (same structure, no NAPAS id).
    EmvcoPayment,
    /// The printed QR of a chip citizen ID card (unsigned; `giayto cccd parse` reads it).
    CccdCardQr,
    /// Empty input.
    Empty,
    /// Anything else.
    Unknown,
}

impl ForeignCode {
    /// Classify a text that lacks a giayto prefix.
    pub fn classify(text: &str) -> ForeignCode {
        let t = text.trim();
        let lower = t.get(..8).unwrap_or(t).to_ascii_lowercase();
        if t.is_empty() {
            ForeignCode::Empty
        } else if lower.starts_with("http://") || lower.starts_with("https://") {
            ForeignCode::WebLink
        } else if t.starts_with("HC1:") {
            ForeignCode::EuDcc
        } else if let Some(payment) = classify_emvco(t) {
            payment
        } else if is_card_qr(t) {
            ForeignCode::CccdCardQr
        } else {
            ForeignCode::Unknown
        }
    }

    /// A stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ForeignCode::WebLink => "web_link",
            ForeignCode::EuDcc => "eu_dcc",
            ForeignCode::VietQr => "vietqr",
            ForeignCode::EmvcoPayment => "emvco_payment",
            ForeignCode::CccdCardQr => "cccd_card_qr",
            ForeignCode::Empty => "empty",
            ForeignCode::Unknown => "unknown",
        }
    }
}

/// Longest text read as an EMVCo payload (a version 40 QR code holds 2,953 bytes).
const MAX_EMVCO_LEN: usize = 4096;
/// The NAPAS application id (RID) that marks a VietQR merchant account.
const NAPAS_GUID: &str = "A000000727";

/// One EMVCo data object: two-digit id, two-digit length (in characters), value.
fn emvco_objects(mut rest: &str) -> Option<Vec<(u8, &str)>> {
    let mut out = Vec::new();
    while !rest.is_empty() {
        let head = rest.get(..4)?;
        if !head.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let id = head[..2].parse::<u8>().ok()?;
        let len = head[2..].parse::<usize>().ok()?;
        let body = &rest[4..];
        // The length counts characters; find the byte offset after `len` of them.
        let end = match body.char_indices().nth(len) {
            Some((i, _)) => i,
            None if body.chars().count() == len => body.len(),
            None => return None,
        };
        out.push((id, &body[..end]));
        rest = &body[end..];
    }
    Some(out)
}

/// An EMVCo merchant-presented payment code (EMV QRCPS): a sequence of data objects starting
/// with the payload format indicator `000201`. VietQR is one when its merchant account
/// information (id 38) names NAPAS.
fn classify_emvco(t: &str) -> Option<ForeignCode> {
    if !t.starts_with("000201") || t.len() > MAX_EMVCO_LEN {
        return None;
    }
    let objects = emvco_objects(t)?;
    // A payment code has at least the format indicator, a merchant account, a currency or
    // country, and the CRC (id 63).
    if objects.len() < 3 || !objects.iter().any(|(id, _)| *id == 63) {
        return None;
    }
    let napas = objects.iter().any(|(id, value)| {
        *id == 38
            && emvco_objects(value)
                .is_some_and(|inner| inner.iter().any(|(sub, v)| *sub == 0 && *v == NAPAS_GUID))
    });
    Some(if napas {
        ForeignCode::VietQr
    } else {
        ForeignCode::EmvcoPayment
    })
}

fn is_card_qr(t: &str) -> bool {
    let parts: Vec<&str> = t.split('|').collect();
    parts.len() == 7 && parts[0].len() == 12 && parts[0].bytes().all(|b| b.is_ascii_digit())
}

/// Why a credential was not accepted, in detail. The [`Verdict`] is the summary.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// The text has no giayto prefix; it looks like this.
    NotGiayto(ForeignCode),
    /// The QR text could not be decoded.
    Text(TextError),
    /// The COSE structure is not acceptable.
    Cose(CoseError),
    /// The claims are not acceptable.
    Claims(ClaimsError),
    /// The document fields are not acceptable.
    Fields(FieldError),
    /// A presentation (`VP1:`) was given where this verifier reads credentials only.
    PresentationNotSupported,
    /// No trusted key has this kid.
    UnknownKid {
        /// The kid.
        kid: [u8; 8],
    },
    /// The signature does not verify.
    Signature,
    /// The key belongs to another issuer than the credential's `iss` names.
    IssuerMismatch {
        /// The credential's `iss`.
        claimed: String,
        /// The id the trust list gives the key.
        key_owner: String,
    },
    /// The issuer may not issue this document type.
    DocTypeNotAllowed {
        /// The document type code.
        doc_type: u64,
    },
    /// The credential was signed outside the key's validity.
    KeyNotValidAt {
        /// The credential's `iat`.
        issued_at: i64,
        /// Key validity start.
        not_before: i64,
        /// Key validity end.
        not_after: i64,
    },
    /// The trust list is past its next-update date plus grace.
    TrustListExpired {
        /// Its `exp`.
        expired_at: i64,
    },
    /// Unknown document type code.
    UnsupportedDocType {
        /// The code.
        doc_type: u64,
    },
    /// Schema version newer than this verifier knows.
    UnsupportedSchema {
        /// The version found.
        version: u64,
        /// The newest known.
        known: u64,
    },
    /// Past `exp`.
    Expired {
        /// The credential's `exp`.
        expires_at: i64,
    },
    /// Before `nbf`, or `iat` in the future beyond the allowed clock skew.
    NotYetValid {
        /// When it becomes valid.
        valid_from: i64,
    },
    /// The credential names a status list this verifier does not have.
    StatusUnavailable {
        /// The list's uri.
        uri: String,
    },
    /// The status list marks the credential revoked, suspended or otherwise not valid.
    Status {
        /// The list's uri.
        uri: String,
        /// The credential's index.
        index: u64,
        /// The status found.
        status: giayto_status::Status,
    },
    /// The credential's index is past the end of its status list.
    StatusIndexOutOfRange {
        /// The list's uri.
        uri: String,
        /// The index.
        index: u64,
        /// The list's length.
        len: u64,
    },
    /// The status list is past its `exp` plus grace.
    StatusListExpired {
        /// The list's uri.
        uri: String,
        /// Its `exp`.
        expired_at: i64,
    },
    /// The policy requires a higher assurance level.
    Level {
        /// Level required.
        required: u8,
        /// Level found.
        found: u8,
    },
    /// The presentation's payload is not acceptable.
    Presentation(PayloadError),
    /// A presentation carries a credential bound to no holder key (`cnf`), so nothing ties it
    /// to the person showing it.
    NoHolderKey,
    /// The presentation is not signed by the holder key in the credential's `cnf`.
    HolderSignature,
    /// The verifier expected a nonce and the presentation carries another one, or none.
    NonceMismatch {
        /// Whether the presentation carried a nonce at all.
        present: bool,
    },
    /// The presentation was signed outside the freshness window.
    PresentationTime {
        /// Its `iat`.
        issued_at: i64,
        /// The window, seconds either way.
        window: i64,
    },
}

impl Reason {
    /// A stable snake_case code for this reason, as printed by `giayto verify --json`
    /// (`reason`) and by the WASM verifier; a foreign code gives `foreign_<kind>`.
    pub fn code(&self) -> std::borrow::Cow<'static, str> {
        use giayto_cose::cbor::CborError;
        fn cbor_code(e: &CborError) -> &'static str {
            match e {
                CborError::Truncated => "truncated",
                CborError::TrailingBytes { .. } => "trailing_bytes",
                CborError::DuplicateMapKey => "duplicate_map_key",
                CborError::MapKeysOutOfOrder | CborError::NotDeterministic => "not_deterministic",
                CborError::TooDeep => "too_deep",
                _ => "bad_cbor",
            }
        }
        let s = match self {
            Reason::NotGiayto(kind) => return format!("foreign_{}", kind.as_str()).into(),
            Reason::Text(TextError::Base45) => "bad_base45",
            Reason::Text(TextError::TooLarge) => "inflate_limit",
            Reason::Text(TextError::TooLong { .. }) => "text_too_long",
            Reason::Text(TextError::UnknownDictionary { .. }) => "unknown_dictionary",
            Reason::Text(_) => "bad_compression",
            Reason::Cose(CoseError::WrongAlgorithm) => "wrong_algorithm",
            Reason::Cose(CoseError::MissingKid) => "missing_kid",
            Reason::Cose(CoseError::WrongType { .. }) => "wrong_typ",
            Reason::Cose(CoseError::Cbor(e) | CoseError::ProtectedHeaderCbor(e))
            | Reason::Claims(ClaimsError::Cbor(e)) => cbor_code(e),
            Reason::Cose(_) => "bad_structure",
            Reason::Claims(_) => "bad_claims",
            Reason::Fields(_) => "bad_fields",
            Reason::PresentationNotSupported => "presentation_not_supported",
            Reason::UnknownKid { .. } => "unknown_kid",
            Reason::Signature => "signature",
            Reason::IssuerMismatch { .. } => "issuer_mismatch",
            Reason::DocTypeNotAllowed { .. } => "doc_type_not_allowed",
            Reason::KeyNotValidAt { .. } => "key_not_valid",
            Reason::TrustListExpired { .. } => "trust_list_expired",
            Reason::UnsupportedDocType { .. } => "unsupported_doc_type",
            Reason::UnsupportedSchema { .. } => "unsupported_schema",
            Reason::Expired { .. } => "expired",
            Reason::NotYetValid { .. } => "not_yet_valid",
            Reason::StatusUnavailable { .. } => "status_unavailable",
            Reason::Status { status, .. } => match status {
                giayto_status::Status::Revoked => "revoked",
                giayto_status::Status::Suspended => "suspended",
                _ => "status_other",
            },
            Reason::StatusIndexOutOfRange { .. } => "status_index",
            Reason::StatusListExpired { .. } => "status_list_expired",
            Reason::Level { .. } => "level",
            Reason::Presentation(_) => "bad_presentation",
            Reason::NoHolderKey => "presentation_unbound",
            Reason::HolderSignature => "holder_signature",
            Reason::NonceMismatch { present: true } => "nonce_mismatch",
            Reason::NonceMismatch { present: false } => "nonce_missing",
            Reason::PresentationTime { .. } => "presentation_time",
            #[allow(unreachable_patterns)]
            _ => "other",
        };
        s.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CRC-16/CCITT-FALSE, as EMVCo computes it over the payload up to and including `6304`.
    fn crc16(data: &[u8]) -> u16 {
        let mut crc = 0xFFFFu16;
        for &b in data {
            crc ^= u16::from(b) << 8;
            for _ in 0..8 {
                crc = if crc & 0x8000 != 0 {
                    (crc << 1) ^ 0x1021
                } else {
                    crc << 1
                };
            }
        }
        crc
    }

    fn tlv(id: u8, value: &str) -> String {
        format!("{id:02}{:02}{value}", value.chars().count())
    }

    /// A synthetic payment code; `guid` goes into the merchant account template (id 38).
    fn payment_code(guid: &str) -> String {
        let account = [
            tlv(0, guid),
            tlv(1, &[tlv(0, "970999"), tlv(1, "0123456789")].concat()),
            tlv(2, "QRIBFTTA"),
        ]
        .concat();
        let mut s = [
            tlv(0, "01"),
            tlv(1, "12"),
            tlv(38, &account),
            tlv(53, "704"),
            tlv(54, "150000"),
            tlv(58, "VN"),
            tlv(59, "CUA HANG MAU"),
            tlv(60, "HA NOI"),
            tlv(62, &tlv(8, "Thanh toán đơn 42")),
        ]
        .concat();
        s.push_str("6304");
        let crc = crc16(s.as_bytes());
        s.push_str(&format!("{crc:04X}"));
        s
    }

    #[test]
    fn vietqr_needs_the_napas_guid_in_tag_38() {
        let vietqr = payment_code(NAPAS_GUID);
        assert!(vietqr.starts_with("000201010212"));
        assert_eq!(ForeignCode::classify(&vietqr), ForeignCode::VietQr);
        assert_eq!(
            ForeignCode::classify(&format!(" {vietqr}\n")),
            ForeignCode::VietQr
        );
        let other = payment_code("A000000999");
        assert_eq!(ForeignCode::classify(&other), ForeignCode::EmvcoPayment);
    }

    #[test]
    fn broken_tlv_is_unknown_text() {
        let vietqr = payment_code(NAPAS_GUID);
        // Cut inside a value: the lengths no longer add up.
        let cut = &vietqr[..vietqr.len() - 2];
        assert_eq!(ForeignCode::classify(cut), ForeignCode::Unknown);
        // The right start but not a TLV sequence at all.
        assert_eq!(
            ForeignCode::classify("000201 hello world, not a payment"),
            ForeignCode::Unknown
        );
        assert_eq!(ForeignCode::classify("000201"), ForeignCode::Unknown);
        // A length running past the end, and non-digits where a head belongs.
        assert_eq!(ForeignCode::classify("0002010199x"), ForeignCode::Unknown);
        assert_eq!(
            ForeignCode::classify("000201AB02xx6304ABCD"),
            ForeignCode::Unknown
        );
        // No CRC object.
        let no_crc = [tlv(0, "01"), tlv(1, "11"), tlv(58, "VN")].concat();
        assert_eq!(ForeignCode::classify(&no_crc), ForeignCode::Unknown);
    }

    #[test]
    fn other_foreign_kinds() {
        let cases = [
            ("https://example.invalid/x", ForeignCode::WebLink),
            ("HTTP://EXAMPLE.INVALID", ForeignCode::WebLink),
            ("HC1:6BFOXN%TS3DH0YOJ58S", ForeignCode::EuDcc),
            (
                "001196012345|012345678|Trần Thị Mẫu|17051996|Nữ|Hà Nội|10042021",
                ForeignCode::CccdCardQr,
            ),
            ("   ", ForeignCode::Empty),
            ("hello", ForeignCode::Unknown),
            ("VN2:ABC", ForeignCode::Unknown),
        ];
        for (text, kind) in cases {
            assert_eq!(ForeignCode::classify(text), kind, "{text}");
        }
        for kind in [
            ForeignCode::VietQr,
            ForeignCode::EmvcoPayment,
            ForeignCode::EuDcc,
        ] {
            assert!(kind
                .as_str()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_'));
        }
    }

    #[test]
    fn classify_never_panics_on_multibyte_or_huge_input() {
        for text in [
            "000201ẫẫẫẫ",
            "0002010104ẫẫẫẫ6304ABCD",
            "00020101",
            "0002016304",
        ] {
            let _ = ForeignCode::classify(text);
        }
        let huge = format!("000201{}", "0".repeat(1 << 20));
        assert_eq!(ForeignCode::classify(&huge), ForeignCode::Unknown);
    }
}
