//! Claim 169 vectors, `test-vectors/claim169.json` (docs/format.md §16): MOSIP ID Claim 169
//! codes checked against the standard trust list ([`trust_list`](crate::trust_list)) with
//! their verdicts and reasons, and for the valid ones the identity data every reader must show
//! (`claim169`, as `giayto verify --json` prints it).
//!
//! The file is a suite of the conformance table (`bindings/conformance`): `root_public_key`,
//! `trust_list` and `vectors` of `{name, text, at, verdict}`, so every binding checks these
//! codes too; the valid ones carry no `fields` (a Claim 169 code has none).

use ciborium::value::Value;
use giayto_cose::claim169::{sign, to_text, CLAIM_169};
use giayto_cose::{cbor, Signer};
use giayto_issuer::claim169::claim169_text;
use giayto_model::{DocType, Document};
use serde_json::{json, Value as Json};

use crate::{key, seeds, AT};

/// The name of the file of [`file()`].
pub const FILE_NAME: &str = "claim169.json";

const DAY: i64 = 86_400;
/// `iat` of every vector code: a day before the check.
pub const ISSUED_AT: i64 = AT - DAY;
/// `exp` of every vector code that is in force.
pub const EXPIRES_AT: i64 = AT + 365 * DAY;

/// One Claim 169 vector.
pub struct Claim169Vector {
    /// Name.
    pub name: &'static str,
    /// What it shows.
    pub description: &'static str,
    /// The QR text.
    pub text: String,
    /// Expected verdict.
    pub verdict: &'static str,
    /// Expected reason code, when rejected.
    pub reason: Option<&'static str>,
    /// The identity card it was made from, for a code giayto issued.
    pub source: Option<Json>,
}

fn v(
    name: &'static str,
    description: &'static str,
    text: String,
    verdict: &'static str,
    reason: Option<&'static str>,
) -> Claim169Vector {
    Claim169Vector {
        name,
        description,
        text,
        verdict,
        reason,
        source: None,
    }
}

/// A synthetic portrait: a JPEG start-of-image and end-of-image around filler bytes (not a
/// picture of anyone).
pub fn synthetic_portrait() -> Vec<u8> {
    let mut p = vec![0xFF, 0xD8, 0xFF, 0xE0];
    p.extend((0..120u8).map(|i| i.wrapping_mul(37)));
    p.extend([0xFF, 0xD9]);
    p
}

/// The identity-card inputs giayto makes Claim 169 codes of in the vectors: the 2021 sample,
/// the 2024 sample, and the 2021 sample with a portrait.
pub fn sources() -> Vec<(&'static str, Json)> {
    use base64::Engine as _;
    let mut with_portrait = giayto_model::sample_input(DocType::Cccd);
    with_portrait["portrait"] =
        json!(base64::engine::general_purpose::STANDARD.encode(synthetic_portrait()));
    vec![
        ("cccd_2021", giayto_model::sample_input(DocType::Cccd)),
        ("cccd_2024", giayto_model::sample_can_cuoc_2024()),
        ("cccd_portrait", with_portrait),
    ]
}

/// A CWT with claim 169 `attributes`, issuer `iss`, the vector times unless `exp` is given.
fn cwt(iss: &str, exp: i64, attributes: Value) -> Vec<u8> {
    cbor::encode(&Value::Map(vec![
        (1.into(), iss.into()),
        (4.into(), exp.into()),
        (6.into(), ISSUED_AT.into()),
        (CLAIM_169.into(), attributes),
    ]))
}

fn minimal_attributes() -> Value {
    Value::Map(vec![
        (1.into(), "079306012345".into()),
        (4.into(), "Nguyễn Thị Mẫu".into()),
    ])
}

fn text_of(signer: &dyn Signer, cwt: Vec<u8>) -> String {
    to_text(&sign(signer, cwt).expect("signs")).expect("deflates")
}

/// base45 of a zlib stream of `bytes` (for unsigned or hand-made envelopes).
fn zlib_text(bytes: &[u8]) -> String {
    use std::io::Write as _;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(bytes).expect("writes to memory");
    base45::encode(z.finish().expect("finishes"))
}

/// Every Claim 169 vector, in file order.
pub fn vectors() -> Vec<Claim169Vector> {
    let police = key(seeds::POLICE);
    let mut out = Vec::new();
    for (name, input) in sources() {
        let doc = Document::from_json(DocType::Cccd, &input).expect("sample validates");
        let text = claim169_text(&police, "VN.BCA.C06", &doc, ISSUED_AT, EXPIRES_AT)
            .expect("an identity card maps");
        let (vname, description) = match name {
            "cccd_2021" => ("valid_cccd_2021", "The Claim 169 code giayto issues beside the VN1: credential of the 2021 sample identity card, signed by VN.BCA.C06."),
            "cccd_2024" => ("valid_cccd_2024", "The Claim 169 code of the 2024 sample identity card (thẻ căn cước)."),
            _ => ("valid_cccd_portrait", "The Claim 169 code of an identity card with a (synthetic) JPEG portrait: photo (16) and photo format 1 (17)."),
        };
        let mut vector = v(vname, description, text, "valid", None);
        vector.source = Some(input);
        out.push(vector);
    }
    out.push(v(
        "unknown_key",
        "Signed by a key in no trust list, naming an issuer in none either.",
        text_of(
            &key(seeds::ROGUE),
            cwt("VN.ROGUE", EXPIRES_AT, minimal_attributes()),
        ),
        "unknown_issuer",
        Some("claim169_unknown_issuer"),
    ));
    out.push(v(
        "forged_issuer",
        "Signed by a key in no trust list but naming VN.BCA.C06 as iss: checked with VN.BCA.C06's key, the signature fails.",
        text_of(&key(seeds::ROGUE), cwt("VN.BCA.C06", EXPIRES_AT, minimal_attributes())),
        "bad_signature",
        Some("signature"),
    ));
    // A valid code with one digit of its ID number changed after signing, compressed again.
    let signed = sign(&police, cwt("VN.BCA.C06", EXPIRES_AT, minimal_attributes())).expect("signs");
    let from = b"079306012345";
    let at = signed
        .windows(from.len())
        .position(|w| w == from)
        .expect("the ID number is in the payload");
    let mut tampered = signed.clone();
    tampered[at + 11] = b'6';
    out.push(v(
        "tampered",
        "A VN.BCA.C06 code whose ID number was changed (one digit) after signing.",
        zlib_text(&tampered),
        "bad_signature",
        Some("signature"),
    ));
    out.push(v(
        "garbage",
        "base45 of a zlib header followed by bytes that are no deflate stream.",
        base45::encode([0x78, 0xDA, 0xFF, 0xFF, 0x00, 0x13, 0x37]),
        "malformed",
        Some("bad_compression"),
    ));
    out.push(v(
        "not_cbor",
        "A valid zlib stream of bytes that are no CBOR item.",
        zlib_text(&[0xFF, 0xFE, 0xFD]),
        "malformed",
        Some("bad_cbor"),
    ));
    out.push(v(
        "too_deep",
        "A zlib stream of 40 nested arrays: refused at the nesting limit of docs/format.md §13 (16).",
        zlib_text(&[vec![0x81; 40], vec![0x00]].concat()),
        "malformed",
        Some("too_deep"),
    ));
    out.push(v(
        "encrypted",
        "A COSE_Encrypt0 (tag 16): encrypted identity data, readable only with its key.",
        zlib_text(&cbor::encode(&Value::Tag(
            16,
            Box::new(Value::Array(vec![
                Value::Bytes(vec![0xA1, 0x01, 0x03]),
                Value::Map(vec![]),
                Value::Bytes(vec![0; 32]),
            ])),
        ))),
        "malformed",
        Some("claim169_encrypted"),
    ));
    out.push(v(
        "no_claim169",
        "Signed by VN.BCA.C06, but the CWT has no claim 169.",
        text_of(
            &police,
            cbor::encode(&Value::Map(vec![
                (1.into(), "VN.BCA.C06".into()),
                (6.into(), ISSUED_AT.into()),
            ])),
        ),
        "malformed",
        Some("claim169_missing"),
    ));
    out.push(v(
        "wrong_attribute_type",
        "Signed by VN.BCA.C06, with gender (9) as a text instead of an integer.",
        text_of(
            &police,
            cwt(
                "VN.BCA.C06",
                EXPIRES_AT,
                Value::Map(vec![
                    (1.into(), "079306012345".into()),
                    (9.into(), "F".into()),
                ]),
            ),
        ),
        "malformed",
        Some("claim169_attribute"),
    ));
    out.push(v(
        "insurance_issuer",
        "Signed by VN.BHXH, which the trust list allows health insurance cards only: not identity data.",
        text_of(&key(seeds::INSURANCE), cwt("VN.BHXH", EXPIRES_AT, minimal_attributes())),
        "issuer_not_authorized",
        Some("doc_type_not_allowed"),
    ));
    out.push(v(
        "issuer_mismatch",
        "Signed by VN.BCA.C06's key (its kid) but naming VN.BHXH as iss.",
        text_of(&police, cwt("VN.BHXH", EXPIRES_AT, minimal_attributes())),
        "issuer_not_authorized",
        Some("issuer_mismatch"),
    ));
    out.push(v(
        "expired",
        "Signed by VN.BCA.C06, past its exp.",
        text_of(&police, cwt("VN.BCA.C06", AT - 60, minimal_attributes())),
        "expired",
        Some("expired"),
    ));
    out
}

/// `test-vectors/claim169.json`.
pub fn file(root_public_key: &[u8; 32], trust: &[u8]) -> Json {
    let vectors: Vec<Json> = vectors()
        .into_iter()
        .map(|v| {
            let mut j = json!({
                "name": v.name,
                "description": v.description,
                "text": v.text,
                "at": AT,
                "verdict": v.verdict,
            });
            if let Some(r) = v.reason {
                j["reason"] = json!(r);
            }
            if let Some(s) = v.source {
                j["source"] = s;
            }
            j
        })
        .collect();
    json!({
        "description": "MOSIP ID Claim 169 codes (docs/format.md §16). Verify each `text` at time `at` (seconds), third-party policy, against root_public_key and trust_list (hex); the verdict must be `verdict` and, when rejected, the reason `reason`. A valid code is shown as its issuer's identity data (`format` claim169), never as a giayto credential; `source` is the identity card giayto made it from (docs/format.md §16.2 maps it).",
        "root_public_key": hex::encode(root_public_key),
        "trust_list": hex::encode(trust),
        "vectors": vectors,
    })
}
