//! Issuing the issuer-signed part of an mDL (docs/format.md §17.4).

use ciborium::Value;
use coset::{iana, AsCborValue, CoseSign1Builder, HeaderBuilder};
use giayto_model::Gplx;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use time::macros::{offset, time};
use time::{Date, PrimitiveDateTime};

use crate::cbor::{encode, tag24, tdate};
use crate::cert::Cert;
use crate::error::MdocError;
use crate::mapping;
use crate::{DOC_TYPE, NAMESPACE, SALT_BYTES, X5CHAIN};

/// How an mdoc is issued.
#[derive(Debug, Clone)]
pub struct IssueOptions {
    /// The holder's device key (P-256), which signs each device response; it goes into the
    /// MSO's `deviceKeyInfo`.
    pub device_key: VerifyingKey,
    /// The signing time, unix seconds (`validityInfo.signed` and `validFrom`).
    pub now: i64,
    /// Days of validity; never beyond the licence's own expiry.
    pub valid_days: u32,
    /// The holder's portrait (JPEG), if the issuer has one; the GPLX credential has none.
    pub portrait: Option<Vec<u8>>,
    /// Derive the salts from this seed instead of the system's random generator: for test
    /// vectors only, which must regenerate byte for byte.
    pub salt_seed: Option<[u8; 32]>,
}

/// An issued mdoc: the `.mdoc` file's bytes and what was signed.
#[derive(Debug, Clone)]
pub struct IssuedMdoc {
    /// `{"docType": "org.iso.18013.5.1.mDL", "issuerSigned": IssuerSigned}`.
    pub bytes: Vec<u8>,
    /// `validityInfo.validUntil`, unix seconds.
    pub valid_until: i64,
    /// The data elements written, in order.
    pub elements: Vec<&'static str>,
}

/// The last second (Vietnam time, UTC+7) of `day`.
fn end_of_day(day: Date) -> i64 {
    PrimitiveDateTime::new(day, time!(23:59:59))
        .assume_offset(offset!(+7))
        .unix_timestamp()
}

/// The device key as a COSE_Key (EC2, P-256).
pub fn cose_key(key: &VerifyingKey) -> Value {
    let point = key.to_encoded_point(false);
    let coord =
        |c: Option<&p256::FieldBytes>| Value::Bytes(c.map(|b| b.to_vec()).unwrap_or_default());
    Value::Map(vec![
        (Value::Integer(1.into()), Value::Integer(2.into())),
        (Value::Integer((-1).into()), Value::Integer(1.into())),
        (Value::Integer((-2).into()), coord(point.x())),
        (Value::Integer((-3).into()), coord(point.y())),
    ])
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn salt(seed: Option<&[u8; 32]>, id: u32) -> Result<Vec<u8>, MdocError> {
    match seed {
        Some(seed) => {
            let mut h = Sha256::new();
            h.update(b"giayto mdoc salt");
            h.update(seed);
            h.update(id.to_be_bytes());
            Ok(h.finalize()[..SALT_BYTES].to_vec())
        }
        None => {
            let mut s = vec![0u8; SALT_BYTES];
            getrandom::getrandom(&mut s).map_err(|_| MdocError::Random)?;
            Ok(s)
        }
    }
}

/// The `x5chain` header value: one certificate as a byte string, several as an array.
fn x5chain(chain: &[Cert]) -> Value {
    match chain {
        [one] => Value::Bytes(one.der().to_vec()),
        many => Value::Array(
            many.iter()
                .map(|c| Value::Bytes(c.der().to_vec()))
                .collect(),
        ),
    }
}

/// Issue the mdoc of `gplx`, signed by the document-signer key `signer` whose certificate
/// chain is `chain` (document-signer certificate first, root excluded).
pub fn issue(
    gplx: &Gplx,
    signer: &SigningKey,
    chain: &[Cert],
    opts: &IssueOptions,
) -> Result<IssuedMdoc, MdocError> {
    let ds = chain
        .first()
        .ok_or_else(|| MdocError::Certificate("no certificate".into()))?;
    if chain.len() > crate::MAX_CHAIN {
        return Err(MdocError::Certificate(format!(
            "more than {} certificates",
            crate::MAX_CHAIN
        )));
    }
    let ds_key = ds
        .public_key()
        .map_err(|e| MdocError::Certificate(e.to_string()))?;
    if ds_key != *signer.verifying_key() {
        return Err(MdocError::KeyMismatch);
    }
    let mut valid_until = opts
        .now
        .saturating_add(i64::from(opts.valid_days.max(1)).saturating_mul(86_400));
    if let Some(exp) = gplx.expiry_date() {
        valid_until = valid_until.min(end_of_day(exp));
    }
    // Readers refuse an mdoc whose document-signer certificate has expired: never sign past it.
    let (not_before, not_after) = ds.validity();
    if opts.now < not_before || opts.now > not_after {
        return Err(MdocError::Certificate(format!(
            "not valid at the signing time (valid {} to {})",
            crate::cbor::rfc3339(not_before),
            crate::cbor::rfc3339(not_after)
        )));
    }
    valid_until = valid_until.min(not_after);
    if valid_until <= opts.now {
        return Err(MdocError::Input("the licence has expired".into()));
    }
    let (signed_on, last_day) = match (
        giayto_model::date::vietnam_date(opts.now),
        giayto_model::date::vietnam_date(valid_until),
    ) {
        (Some(a), Some(b)) => (a, b),
        _ => return Err(MdocError::Input("signing time out of range".into())),
    };
    if let Some(p) = &opts.portrait {
        if p.len() > giayto_model::MAX_PORTRAIT_BYTES {
            return Err(MdocError::Input(format!(
                "portrait: {} bytes, more than {}",
                p.len(),
                giayto_model::MAX_PORTRAIT_BYTES
            )));
        }
        // ISO 18013-5 portraits are JPEG (or JPEG 2000, which giayto does not make).
        if giayto_model::ImageFormat::detect(p) != Some(giayto_model::ImageFormat::Jpeg) {
            return Err(MdocError::Input("portrait: not a JPEG image".into()));
        }
    }
    let elements = mapping::elements(gplx, last_day, signed_on, opts.portrait.as_deref());

    let mut items = Vec::with_capacity(elements.len());
    let mut digests = Vec::with_capacity(elements.len());
    let mut names = Vec::with_capacity(elements.len());
    for (id, (name, value)) in (0u32..).zip(elements) {
        let item = Value::Map(vec![
            (text("digestID"), Value::Integer(id.into())),
            (
                text("random"),
                Value::Bytes(salt(opts.salt_seed.as_ref(), id)?),
            ),
            (text("elementIdentifier"), text(name)),
            (text("elementValue"), value),
        ]);
        let bytes = tag24(&item);
        let digest = Sha256::digest(encode(&bytes)).to_vec();
        digests.push((Value::Integer(id.into()), Value::Bytes(digest)));
        items.push(bytes);
        names.push(name);
    }

    let mso = Value::Map(vec![
        (text("version"), text("1.0")),
        (text("digestAlgorithm"), text("SHA-256")),
        (
            text("valueDigests"),
            Value::Map(vec![(text(NAMESPACE), Value::Map(digests))]),
        ),
        (
            text("deviceKeyInfo"),
            Value::Map(vec![(text("deviceKey"), cose_key(&opts.device_key))]),
        ),
        (text("docType"), text(DOC_TYPE)),
        (
            text("validityInfo"),
            Value::Map(vec![
                (text("signed"), tdate(opts.now)),
                (text("validFrom"), tdate(opts.now)),
                (text("validUntil"), tdate(valid_until)),
            ]),
        ),
    ]);
    let payload = encode(&tag24(&mso));
    let sign1 = CoseSign1Builder::new()
        .protected(
            HeaderBuilder::new()
                .algorithm(iana::Algorithm::ES256)
                .build(),
        )
        .unprotected(HeaderBuilder::new().value(X5CHAIN, x5chain(chain)).build())
        .payload(payload)
        .create_signature(b"", |data| {
            let sig: Signature = signer.sign(data);
            sig.to_bytes().to_vec()
        })
        .build();
    let issuer_auth = sign1
        .to_cbor_value()
        .map_err(|e| MdocError::Encode(e.to_string()))?;
    let doc = Value::Map(vec![
        (text("docType"), text(DOC_TYPE)),
        (
            text("issuerSigned"),
            Value::Map(vec![
                (
                    text("nameSpaces"),
                    Value::Map(vec![(text(NAMESPACE), Value::Array(items))]),
                ),
                (text("issuerAuth"), issuer_auth),
            ]),
        ),
    ]);
    let bytes = encode(&doc);
    if bytes.is_empty() || bytes.len() > crate::MAX_MDOC_BYTES {
        return Err(MdocError::Encode(format!(
            "{} bytes, more than {}",
            bytes.len(),
            crate::MAX_MDOC_BYTES
        )));
    }
    Ok(IssuedMdoc {
        bytes,
        valid_until,
        elements: names,
    })
}
