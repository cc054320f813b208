//! Device responses for an ISO 18013-5 mobile driving licence (docs/format.md §17.7).
//!
//! The issuer gives the holder an issued mdoc (`giayto issue --format mdoc`, the `.mdoc` file)
//! bound to a P-256 device key the holder's device made ([`new_device_key`]). For each reader
//! session, [`device_response`] builds the `DeviceResponse` of ISO 18013-5 §8.3.2.1.2.2: the
//! issuer-signed items the holder agrees to show (each still matching the MSO's digests), and
//! a device signature (COSE_Sign1, ES256, detached payload) over `DeviceAuthenticationBytes`
//! for the session's `SessionTranscript`, which binds the response to that session.
//!
//! Device engagement, session encryption and the BLE/NFC transports are not here: the caller
//! brings the session transcript and carries the response.

use ciborium::Value;
use coset::{iana, AsCborValue, CoseSign1Builder, HeaderBuilder};
use giayto_mdoc::cbor::{as_map, decode, encode, get, tag24, untag24};
use giayto_mdoc::verify::{device_authentication_bytes, device_key_of};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use zeroize::Zeroizing;

use crate::WalletError;

fn err(what: impl Into<String>) -> WalletError {
    WalletError::Mdoc(what.into())
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

/// A new P-256 device key from the operating system's generator.
pub fn new_device_key() -> Result<SigningKey, WalletError> {
    loop {
        let mut seed = Zeroizing::new([0u8; 32]);
        getrandom::getrandom(seed.as_mut()).map_err(|_| WalletError::Random)?;
        if let Ok(k) = SigningKey::from_bytes(&(*seed).into()) {
            return Ok(k);
        }
    }
}

/// The device key an issued mdoc is bound to (its MSO's `deviceKeyInfo`), read without
/// checking the issuer's signature.
fn bound_key(issuer_auth: &Value) -> Result<p256::ecdsa::VerifyingKey, WalletError> {
    let sign1 = coset::CoseSign1::from_cbor_value(issuer_auth.clone())
        .map_err(|_| err("issuerAuth is not a COSE_Sign1"))?;
    let payload = sign1
        .payload
        .ok_or_else(|| err("issuerAuth has no payload"))?;
    let mso = decode(&payload).map_err(|e| err(e.to_string()))?;
    let mso = decode(untag24(&mso, "MSO").map_err(|e| err(e.to_string()))?)
        .map_err(|e| err(e.to_string()))?;
    let mso = as_map(&mso, "MSO").map_err(|e| err(e.to_string()))?;
    let info = get(mso, "deviceKeyInfo").ok_or_else(|| err("no deviceKeyInfo"))?;
    let info = as_map(info, "deviceKeyInfo").map_err(|e| err(e.to_string()))?;
    let key = get(info, "deviceKey").ok_or_else(|| err("no deviceKey"))?;
    device_key_of(key).map_err(|e| err(e.to_string()))
}

/// Build a device response from the issued mdoc `issued` (the `.mdoc` file's bytes), signed
/// with the device key it is bound to, for the session whose encoded `SessionTranscript` is
/// `session_transcript`. `elements` names the data elements of namespace `org.iso.18013.5.1`
/// to show (those the holder agreed to); `None` shows every one. An element not in the mdoc
/// is an error, so that a typing mistake is not silently an omission.
pub fn device_response(
    issued: &[u8],
    device_key: &SigningKey,
    session_transcript: &[u8],
    elements: Option<&[&str]>,
) -> Result<Vec<u8>, WalletError> {
    let doc = decode(issued).map_err(|e| err(e.to_string()))?;
    let dm = as_map(&doc, "Document").map_err(|_| err("not an issued mdoc"))?;
    let doc_type = match get(dm, "docType") {
        Some(Value::Text(t)) if t == giayto_mdoc::DOC_TYPE => t.clone(),
        _ => return Err(err("not an mDL")),
    };
    let issuer_signed = get(dm, "issuerSigned").ok_or_else(|| err("no issuerSigned"))?;
    let is = as_map(issuer_signed, "issuerSigned").map_err(|e| err(e.to_string()))?;
    let issuer_auth = get(is, "issuerAuth").ok_or_else(|| err("no issuerAuth"))?;
    if bound_key(issuer_auth)? != *device_key.verifying_key() {
        return Err(err("the mdoc is bound to another device key"));
    }
    let namespaces = get(is, "nameSpaces").ok_or_else(|| err("no nameSpaces"))?;
    let namespaces = as_map(namespaces, "nameSpaces").map_err(|e| err(e.to_string()))?;
    let mut shown_ns: Vec<(Value, Value)> = Vec::new();
    let mut found: Vec<String> = Vec::new();
    for (ns, items) in namespaces {
        let Value::Array(items) = items else {
            return Err(err("IssuerNameSpaces"));
        };
        let mut kept = Vec::new();
        for item in items {
            let bytes = untag24(item, "item").map_err(|e| err(e.to_string()))?;
            let v = decode(bytes).map_err(|e| err(e.to_string()))?;
            let m = as_map(&v, "item").map_err(|e| err(e.to_string()))?;
            let name = match get(m, "elementIdentifier") {
                Some(Value::Text(t)) => t.clone(),
                _ => return Err(err("elementIdentifier")),
            };
            let in_core = matches!(ns, Value::Text(t) if t == giayto_mdoc::NAMESPACE);
            let wanted = match elements {
                None => true,
                Some(list) => in_core && list.contains(&name.as_str()),
            };
            if wanted {
                // The item's bytes are kept as the issuer encoded them: its digest is over them.
                kept.push(item.clone());
                found.push(name);
            }
        }
        if !kept.is_empty() {
            shown_ns.push((ns.clone(), Value::Array(kept)));
        }
    }
    if let Some(list) = elements {
        if let Some(missing) = list.iter().find(|e| !found.iter().any(|f| f == *e)) {
            return Err(err(format!("the mdoc has no element {missing}")));
        }
    }
    if shown_ns.is_empty() {
        return Err(WalletError::NothingToDisclose);
    }
    let transcript =
        decode(session_transcript).map_err(|e| err(format!("session transcript: {e}")))?;
    let device_ns = tag24(&Value::Map(Vec::new()));
    let detached = device_authentication_bytes(&transcript, &doc_type, &device_ns);
    let device_sig = CoseSign1Builder::new()
        .protected(
            HeaderBuilder::new()
                .algorithm(iana::Algorithm::ES256)
                .build(),
        )
        .create_detached_signature(&detached, b"", |data| {
            let sig: Signature = device_key.sign(data);
            sig.to_bytes().to_vec()
        })
        .build()
        .to_cbor_value()
        .map_err(|_| WalletError::Sign)?;
    let document = Value::Map(vec![
        (text("docType"), Value::Text(doc_type)),
        (
            text("issuerSigned"),
            Value::Map(vec![
                (text("nameSpaces"), Value::Map(shown_ns)),
                (text("issuerAuth"), issuer_auth.clone()),
            ]),
        ),
        (
            text("deviceSigned"),
            Value::Map(vec![
                (text("nameSpaces"), device_ns),
                (
                    text("deviceAuth"),
                    Value::Map(vec![(text("deviceSignature"), device_sig)]),
                ),
            ]),
        ),
    ]);
    let response = Value::Map(vec![
        (text("version"), text("1.0")),
        (text("documents"), Value::Array(vec![document])),
        (text("status"), Value::Integer(0.into())),
    ]);
    let bytes = encode(&response);
    if bytes.is_empty() {
        return Err(WalletError::Encode {
            what: "device response",
        });
    }
    Ok(bytes)
}
