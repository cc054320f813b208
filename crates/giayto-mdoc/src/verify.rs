//! giayto's own check of an mdoc (docs/format.md §17.6): issuer data against the MSO, the MSO
//! against the document signer, the document signer against a trusted IACA root, and, for a
//! device response, the device signature over the session transcript.

use ciborium::Value;
use coset::{iana, AsCborValue, CoseSign1, RegisteredLabelWithPrivate};
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::cbor::{as_map, as_text, decode, encode, get, read_tdate, req, tag24, untag24};
use crate::cert::{check_chain, Cert};
use crate::error::Reason;
use crate::{DOC_TYPE, MAX_CHAIN, MAX_ITEMS, X5CHAIN};

/// Most namespaces in one document.
const MAX_NAMESPACES: usize = 4;

/// The outcome class of an mdoc check; the names are those of giayto's verdicts
/// (`giayto verify --json`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every check passed.
    Valid,
    /// Past the MSO's `validUntil`.
    Expired,
    /// Before the MSO's `validFrom`.
    NotYetValid,
    /// The chain does not lead to a trusted IACA root, or there is none.
    UnknownIssuer,
    /// The chain leads to a trusted root, but a certificate is outside its validity or the
    /// signer is not a document signer.
    IssuerNotAuthorized,
    /// A signature or a digest does not verify: altered or forged.
    BadSignature,
    /// An mdoc, but not well-formed.
    Malformed,
    /// Not an mdoc at all.
    NotACredential,
    /// An mdoc of another document type.
    UnsupportedDocument,
}

impl Verdict {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Expired => "expired",
            Verdict::NotYetValid => "not_yet_valid",
            Verdict::UnknownIssuer => "unknown_issuer",
            Verdict::IssuerNotAuthorized => "issuer_not_authorized",
            Verdict::BadSignature => "bad_signature",
            Verdict::Malformed => "malformed",
            Verdict::NotACredential => "not_a_credential",
            Verdict::UnsupportedDocument => "unsupported_document",
        }
    }
}

/// What a valid mdoc says.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The data elements of each namespace, as signed, in the document's order.
    pub elements: Vec<(String, String, Value)>,
    /// The document signer's subject.
    pub signer: String,
    /// The IACA root's subject.
    pub root: String,
    /// `validityInfo`: signed, validFrom, validUntil (unix seconds).
    pub signed: i64,
    /// `validFrom`.
    pub valid_from: i64,
    /// `validUntil`.
    pub valid_until: i64,
    /// The holder's device key from the MSO.
    pub device_key: VerifyingKey,
}

impl Verified {
    /// The value of `element` in namespace `org.iso.18013.5.1`.
    pub fn get(&self, element: &str) -> Option<&Value> {
        self.elements
            .iter()
            .find(|(ns, e, _)| ns == crate::NAMESPACE && e == element)
            .map(|(_, _, v)| v)
    }
}

/// Check an issued mdoc (`{"docType", "issuerSigned"}`, the `.mdoc` file) against the trusted
/// IACA `roots` at time `at`. A device response is accepted too: its first document's
/// issuer-signed part is checked (not its device signature; see [`verify_device_response`]).
pub fn verify(bytes: &[u8], roots: &[Cert], at: i64) -> Result<Verified, Reason> {
    let v = decode(bytes)?;
    let doc = document_of(&v)?;
    verify_document(doc, roots, at)
}

/// The document of an issued mdoc, or the first of a device response.
fn document_of(v: &Value) -> Result<&Value, Reason> {
    let m = match v {
        Value::Map(m) => m,
        _ => return Err(Reason::NotAnMdoc),
    };
    if get(m, "issuerSigned").is_some() {
        return Ok(v);
    }
    match get(m, "documents") {
        Some(Value::Array(docs)) => docs.first().ok_or(Reason::Malformed("no document")),
        Some(_) => Err(Reason::Malformed("documents")),
        None => Err(Reason::NotAnMdoc),
    }
}

/// The device key of a COSE_Key (EC2, P-256).
pub fn device_key_of(v: &Value) -> Result<VerifyingKey, Reason> {
    let what = "deviceKey";
    let m = as_map(v, what)?;
    let int = |k: i64| {
        m.iter()
            .find(|(key, _)| matches!(key, Value::Integer(i) if i128::from(*i) == i128::from(k)))
            .map(|(_, v)| v)
    };
    let is_int = |v: Option<&Value>, n: i64| matches!(v, Some(Value::Integer(i)) if i128::from(*i) == i128::from(n));
    if !is_int(int(1), 2) || !is_int(int(-1), 1) {
        return Err(Reason::Malformed(what));
    }
    let (Some(Value::Bytes(x)), Some(Value::Bytes(y))) = (int(-2), int(-3)) else {
        return Err(Reason::Malformed(what));
    };
    if x.len() != 32 || y.len() != 32 {
        return Err(Reason::Malformed(what));
    }
    let point = p256::EncodedPoint::from_affine_coordinates(
        p256::FieldBytes::from_slice(x),
        p256::FieldBytes::from_slice(y),
        false,
    );
    VerifyingKey::from_encoded_point(&point).map_err(|_| Reason::Malformed(what))
}

/// The certificates of an `x5chain` header value.
fn chain_of(v: &Value) -> Result<Vec<Cert>, Reason> {
    match v {
        Value::Bytes(b) => Ok(vec![Cert::from_der(b)?]),
        Value::Array(a) if !a.is_empty() && a.len() <= MAX_CHAIN => a
            .iter()
            .map(|c| match c {
                Value::Bytes(b) => Cert::from_der(b),
                _ => Err(Reason::Malformed("x5chain")),
            })
            .collect(),
        _ => Err(Reason::Malformed("x5chain")),
    }
}

/// The ES256 signature check of a COSE_Sign1 over `payload` (its own, or a detached one).
fn check_es256(sign1: &CoseSign1, payload: &[u8], key: &VerifyingKey) -> Result<bool, Reason> {
    if sign1.protected.header.alg
        != Some(RegisteredLabelWithPrivate::Assigned(iana::Algorithm::ES256))
    {
        return Err(Reason::UnsupportedAlgorithm);
    }
    let Ok(sig) = Signature::from_slice(&sign1.signature) else {
        return Ok(false);
    };
    let data = coset::sig_structure_data(
        coset::SignatureContext::CoseSign1,
        sign1.protected.clone(),
        None,
        b"",
        payload,
    );
    Ok(key.verify(&data, &sig).is_ok())
}

/// Check one document (a map with `docType` and `issuerSigned`).
pub fn verify_document(doc: &Value, roots: &[Cert], at: i64) -> Result<Verified, Reason> {
    let m = match doc {
        Value::Map(m) => m,
        _ => return Err(Reason::NotAnMdoc),
    };
    let doc_type = match get(m, "docType") {
        Some(Value::Text(t)) => t.as_str(),
        _ => return Err(Reason::NotAnMdoc),
    };
    if doc_type != DOC_TYPE {
        return Err(Reason::WrongDocType(doc_type.chars().take(64).collect()));
    }
    let issuer_signed = as_map(req(m, "issuerSigned", "issuerSigned")?, "issuerSigned")?;
    let auth = req(issuer_signed, "issuerAuth", "issuerAuth")?;
    // A tagged COSE_Sign1 (18) is accepted as well as the untagged form ISO 18013-5 uses.
    let auth = match auth {
        Value::Tag(18, inner) => inner.as_ref().clone(),
        other => other.clone(),
    };
    let sign1 = CoseSign1::from_cbor_value(auth).map_err(|_| Reason::Malformed("issuerAuth"))?;
    let x5 = sign1
        .unprotected
        .rest
        .iter()
        .chain(sign1.protected.header.rest.iter())
        .find(|(l, _)| *l == coset::Label::Int(X5CHAIN))
        .map(|(_, v)| v)
        .ok_or(Reason::NoChain)?;
    let chain = chain_of(x5)?;
    let ds_key = check_chain(&chain, roots, at)?;
    let payload = sign1
        .payload
        .as_deref()
        .ok_or(Reason::Malformed("issuerAuth has no payload"))?;
    if !check_es256(&sign1, payload, &ds_key)? {
        return Err(Reason::BadSignature);
    }
    // The MSO: #6.24(bstr .cbor MobileSecurityObject).
    let mso_bytes = untag24(&decode(payload)?, "MobileSecurityObjectBytes")?.to_vec();
    let mso_v = decode(&mso_bytes)?;
    let mso = as_map(&mso_v, "MobileSecurityObject")?;
    if as_text(req(mso, "version", "MSO version")?, "MSO version")? != "1.0" {
        return Err(Reason::Malformed("MSO version"));
    }
    if as_text(
        req(mso, "digestAlgorithm", "digestAlgorithm")?,
        "digestAlgorithm",
    )? != "SHA-256"
    {
        return Err(Reason::UnsupportedAlgorithm);
    }
    if as_text(req(mso, "docType", "MSO docType")?, "MSO docType")? != doc_type {
        return Err(Reason::Malformed(
            "the MSO's docType differs from the document's",
        ));
    }
    let device_key = device_key_of(req(
        as_map(req(mso, "deviceKeyInfo", "deviceKeyInfo")?, "deviceKeyInfo")?,
        "deviceKey",
        "deviceKey",
    )?)?;
    let validity = as_map(req(mso, "validityInfo", "validityInfo")?, "validityInfo")?;
    let signed = read_tdate(req(validity, "signed", "signed")?, "signed")?;
    let valid_from = read_tdate(req(validity, "validFrom", "validFrom")?, "validFrom")?;
    let valid_until = read_tdate(req(validity, "validUntil", "validUntil")?, "validUntil")?;
    let value_digests = as_map(req(mso, "valueDigests", "valueDigests")?, "valueDigests")?;

    let namespaces = as_map(
        req(issuer_signed, "nameSpaces", "nameSpaces")?,
        "nameSpaces",
    )?;
    if namespaces.is_empty() || namespaces.len() > MAX_NAMESPACES {
        return Err(Reason::Malformed("nameSpaces"));
    }
    let mut elements: Vec<(String, String, Value)> = Vec::new();
    for (ns, items) in namespaces {
        let ns = as_text(ns, "namespace")?;
        let Value::Array(items) = items else {
            return Err(Reason::Malformed("IssuerNameSpaces"));
        };
        if items.len() > MAX_ITEMS {
            return Err(Reason::Malformed("too many data elements"));
        }
        let digests = match get(value_digests, ns) {
            Some(d) => as_map(d, "DigestIDs")?,
            None => &[],
        };
        for item in items {
            let item_bytes = untag24(item, "IssuerSignedItemBytes")?;
            let item_v = decode(item_bytes)?;
            let im = as_map(&item_v, "IssuerSignedItem")?;
            let id = match req(im, "digestID", "digestID")? {
                Value::Integer(i) => i128::from(*i),
                _ => return Err(Reason::Malformed("digestID")),
            };
            let name = as_text(
                req(im, "elementIdentifier", "elementIdentifier")?,
                "elementIdentifier",
            )?;
            match req(im, "random", "random")? {
                Value::Bytes(r) if r.len() >= 16 => {}
                _ => return Err(Reason::Malformed("random")),
            }
            let value = req(im, "elementValue", "elementValue")?.clone();
            if elements.iter().any(|(n, e, _)| n == ns && e == name) {
                return Err(Reason::Malformed("an element appears twice"));
            }
            let signed_digest = digests
                .iter()
                .find(|(k, _)| matches!(k, Value::Integer(i) if i128::from(*i) == id))
                .map(|(_, v)| v)
                .ok_or_else(|| Reason::MissingDigest {
                    element: name.to_owned(),
                })?;
            let digest = Sha256::digest(encode(item));
            if !matches!(signed_digest, Value::Bytes(d) if d.as_slice() == digest.as_slice()) {
                return Err(Reason::DigestMismatch {
                    element: name.to_owned(),
                });
            }
            elements.push((ns.to_owned(), name.to_owned(), value));
        }
    }
    if at < valid_from {
        return Err(Reason::NotYetValid {
            valid_from: crate::cbor::rfc3339(valid_from),
        });
    }
    if at > valid_until {
        return Err(Reason::Expired {
            valid_until: crate::cbor::rfc3339(valid_until),
        });
    }
    let signer = chain.first().map(Cert::subject).unwrap_or_default();
    let root = roots
        .iter()
        .find(|r| {
            chain
                .last()
                .is_some_and(|l| r.der() == l.der() || l.signed_by(r).unwrap_or(false))
        })
        .map(Cert::subject)
        .unwrap_or_default();
    Ok(Verified {
        elements,
        signer,
        root,
        signed,
        valid_from,
        valid_until,
        device_key,
    })
}

/// `DeviceAuthenticationBytes` (ISO 18013-5 §9.1.3.4):
/// `#6.24(bstr .cbor ["DeviceAuthentication", SessionTranscript, DocType, DeviceNameSpacesBytes])`,
/// encoded: the detached payload of the device signature.
pub fn device_authentication_bytes(
    session_transcript: &Value,
    doc_type: &str,
    device_namespaces_bytes: &Value,
) -> Vec<u8> {
    encode(&tag24(&Value::Array(vec![
        Value::Text("DeviceAuthentication".into()),
        session_transcript.clone(),
        Value::Text(doc_type.into()),
        device_namespaces_bytes.clone(),
    ])))
}

/// Check a device response (ISO 18013-5 §8.3.2.1.2.2) for the session whose
/// `SessionTranscript` is `session_transcript`: its first document's issuer-signed part as
/// [`verify`] does, then its device signature with the MSO's device key. Only the elements
/// the device response carries are returned (selective disclosure).
pub fn verify_device_response(
    bytes: &[u8],
    session_transcript: &Value,
    roots: &[Cert],
    at: i64,
) -> Result<Verified, Reason> {
    let v = decode(bytes)?;
    let m = match &v {
        Value::Map(m) => m,
        _ => return Err(Reason::NotAnMdoc),
    };
    if get(m, "documents").is_none() {
        return Err(Reason::NotAnMdoc);
    }
    let doc = document_of(&v)?;
    let verified = verify_document(doc, roots, at)?;
    let dm = as_map(doc, "Document")?;
    let doc_type = as_text(req(dm, "docType", "docType")?, "docType")?;
    let device_signed = as_map(req(dm, "deviceSigned", "deviceSigned")?, "deviceSigned")?;
    let ns_bytes = req(device_signed, "nameSpaces", "deviceSigned nameSpaces")?;
    untag24(ns_bytes, "DeviceNameSpacesBytes")?;
    let auth = as_map(
        req(device_signed, "deviceAuth", "deviceAuth")?,
        "deviceAuth",
    )?;
    let sig = req(
        auth,
        "deviceSignature",
        "deviceSignature (deviceMac is not supported)",
    )?;
    let sig = match sig {
        Value::Tag(18, inner) => inner.as_ref().clone(),
        other => other.clone(),
    };
    let sign1 =
        CoseSign1::from_cbor_value(sig).map_err(|_| Reason::Malformed("deviceSignature"))?;
    let payload = device_authentication_bytes(session_transcript, doc_type, ns_bytes);
    if !check_es256(&sign1, &payload, &verified.device_key)? {
        return Err(Reason::BadDeviceSignature);
    }
    Ok(verified)
}
