//! The Claim 169 code of an identity card (docs/format.md §16): the same person as the `VN1:`
//! credential, in MOSIP's ID Claim 169 format, signed by the same issuer key.
//!
//! Only the identity card (`cccd`) maps: Claim 169 is identity data, and the other documents
//! (driving licence, vehicle registration, health and social insurance) are not identity
//! documents — their holder data would read as an ID card that does not exist (§16.2).

use giayto_cose::ciborium::Value;
use giayto_cose::claim169::{self, key, CLAIM_169};
use giayto_cose::Signer;
use giayto_model::{Cccd, Document, ImageFormat, Sex};

/// Why no Claim 169 code was made.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim169Error {
    /// The document is not an identity card: only `cccd` maps to Claim 169.
    NotIdentityDocument,
    /// Signing or compressing failed.
    Sign,
}

impl std::fmt::Display for Claim169Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Claim169Error::NotIdentityDocument => {
                write!(f, "only an identity card (cccd) has a Claim 169 code")
            }
            Claim169Error::Sign => write!(f, "the Claim 169 code could not be signed"),
        }
    }
}

impl std::error::Error for Claim169Error {}

/// The language of the attributes: Vietnamese (ISO 639-3).
pub const LANGUAGE: &str = "vie";
/// The country of issuance (ISO 3166-1 alpha-2, as in the specification's example).
pub const COUNTRY_OF_ISSUANCE: &str = "VN";

/// Claim 169's photo format of a portrait (§16.2): 1 JPEG, 4 WebP, the two a giayto portrait
/// may be (docs/format.md §4.2).
fn photo_format(portrait: &[u8]) -> Option<i64> {
    match ImageFormat::detect(portrait)? {
        ImageFormat::Jpeg => Some(1),
        ImageFormat::Webp => Some(4),
    }
}

/// The claim 169 map of an identity card (docs/format.md §16.2), keys in ascending order.
fn cccd_attributes(card: &Cccd) -> Vec<(Value, Value)> {
    let mut map: Vec<(i64, Value)> = vec![
        (key::ID, Value::from(card.id_number.as_str())),
        (key::LANGUAGE, Value::from(LANGUAGE)),
        (key::FULL_NAME, Value::from(card.full_name.as_str())),
        (
            key::DATE_OF_BIRTH,
            Value::from(format!(
                "{:04}{:02}{:02}",
                card.date_of_birth.year(),
                u8::from(card.date_of_birth.month()),
                card.date_of_birth.day()
            )),
        ),
        (
            key::GENDER,
            Value::from(match card.sex {
                Sex::Male => 1,
                Sex::Female => 2,
            }),
        ),
        (key::ADDRESS, Value::from(card.place_of_residence.as_str())),
        (key::NATIONALITY, Value::from(card.nationality.as_str())),
    ];
    if let Some(portrait) = &card.portrait {
        map.push((key::PHOTO, Value::Bytes(portrait.clone())));
        if let Some(format) = photo_format(portrait) {
            map.push((key::PHOTO_FORMAT, Value::from(format)));
        }
    }
    map.push((key::COUNTRY_OF_ISSUANCE, Value::from(COUNTRY_OF_ISSUANCE)));
    map.into_iter().map(|(k, v)| (Value::from(k), v)).collect()
}

/// The claim 169 attributes of a document, or [`Claim169Error::NotIdentityDocument`].
pub fn attributes(document: &Document) -> Result<Vec<(Value, Value)>, Claim169Error> {
    match document {
        Document::Cccd(card) => Ok(cccd_attributes(card)),
        _ => Err(Claim169Error::NotIdentityDocument),
    }
}

/// The Claim 169 QR text of `document`: a CWT `{1: iss, 4: exp, 6: iat, 169: attributes}`
/// signed as COSE_Sign1 with EdDSA by `signer` (kid in the protected header), zlib, base45
/// (docs/format.md §16.3). `iss` is the issuer's trust list id; `iat` and `exp` are those of
/// the `VN1:` credential issued with it.
pub fn claim169_text(
    signer: &dyn Signer,
    issuer_id: &str,
    document: &Document,
    issued_at: i64,
    expires_at: i64,
) -> Result<String, Claim169Error> {
    let attributes = attributes(document)?;
    let cwt = Value::Map(vec![
        (Value::from(1), Value::from(issuer_id)),
        (Value::from(4), Value::from(expires_at)),
        (Value::from(6), Value::from(issued_at)),
        (Value::from(CLAIM_169), Value::Map(attributes)),
    ]);
    let cose =
        claim169::sign(signer, giayto_cose::cbor::encode(&cwt)).map_err(|_| Claim169Error::Sign)?;
    claim169::to_text(&cose).ok_or(Claim169Error::Sign)
}

#[cfg(test)]
mod tests {
    use super::*;
    use giayto_model::DocType;

    #[test]
    fn only_identity_cards_map() {
        for t in DocType::ALL {
            let doc = Document::from_json(t, &giayto_model::sample_input(t)).unwrap();
            assert_eq!(
                attributes(&doc).is_ok(),
                t == DocType::Cccd,
                "{}",
                t.as_str()
            );
        }
    }

    #[test]
    fn photo_formats() {
        assert_eq!(photo_format(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(1));
        assert_eq!(photo_format(b"RIFF\0\0\0\0WEBPVP8 "), Some(4));
        assert_eq!(photo_format(b"GIF89a"), None);
    }
}
