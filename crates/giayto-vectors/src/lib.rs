//! The normative test vectors of giayto: generated here from fixed test-only keys, written to
//! `test-vectors/` by `cargo run -p giayto-vectors`, and checked by this crate's tests (the
//! files on disk must equal a fresh generation, and every vector must get its verdict).
//!
//! Everything is deterministic: Ed25519 signatures are, the keys are fixed seeds, the clock is
//! a constant, and zlib output is fixed for the pinned zlib-rs version.
//!
//! Over 600 lines on purpose: every credential and presentation vector is listed here, in the
//! order of the files it writes, so that a reader sees each case beside its expected verdict.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bridge_size;
pub mod claim169;
pub mod delta_size;
pub mod deltas;
pub mod dictionary;
pub mod disclosures;
pub mod later;
pub mod mdoc;
pub mod requests;
pub mod sd_largest;
pub mod sd_size;
pub mod size;
pub mod status;
pub mod x509;

use ciborium::value::Value;
use ed25519_dalek::pkcs8::EncodePublicKey;
use ed25519_dalek::SigningKey;
use giayto_cose::claims::CredentialClaims;
use giayto_cose::{cbor, kid_for, text, Signer, CREDENTIAL_TYP};
use giayto_issuer::credential::{credential_expiry, sign_credential, CredentialRequest};
use giayto_model::{DocType, Document};
use giayto_trust::{IssuerEntry, TrustList};
use serde_json::{json, Value as Json};

/// The verification time of every vector unless it says otherwise: 2026-11-23T00:00:00Z.
pub const AT: i64 = 1_795_392_000;
const DAY: i64 = 86_400;

/// Test-only key seeds. Never use them for anything real.
pub mod seeds {
    /// The root authority.
    pub const ROOT: [u8; 32] = [0x11; 32];
    /// `VN.BCA.C06`, allowed cccd, gplx, vehicle.
    pub const POLICE: [u8; 32] = [0x22; 32];
    /// `VN.BHXH`, allowed bhyt only (and bhxh in [`later::trust_list_2`](crate::later::trust_list_2)).
    pub const INSURANCE: [u8; 32] = [0x33; 32];
    /// A key in no trust list.
    pub const ROGUE: [u8; 32] = [0x44; 32];
    /// A holder's key.
    pub const HOLDER: [u8; 32] = [0x55; 32];
    /// Another holder's key (someone presenting a copy of the holder's credential).
    pub const OTHER_HOLDER: [u8; 32] = [0x66; 32];
}

/// One generated file: its name under `test-vectors/` and its bytes.
pub struct File {
    /// File name.
    pub name: &'static str,
    /// Contents.
    pub bytes: Vec<u8>,
}

fn key(seed: [u8; 32]) -> SigningKey {
    SigningKey::from_bytes(&seed)
}

/// The trust list the vectors are checked against.
pub fn trust_list() -> TrustList {
    let entry = |seed, id: &str, vi: &str, en: &str, types: Vec<u64>| IssuerEntry {
        id: id.into(),
        name_vi: vi.into(),
        name_en: Some(en.into()),
        public_key: key(seed).verifying_key().to_bytes(),
        doc_types: types,
        not_before: AT - 365 * DAY,
        not_after: AT + 5 * 365 * DAY,
        status_uri_prefix: Some(format!("https://giayto.example/st/{id}/")),
    };
    TrustList {
        root_id: "VN.ROOT.TEST".into(),
        sequence: 1,
        issued_at: AT - 10 * DAY,
        expires_at: AT + 20 * DAY,
        issuers: vec![
            entry(
                seeds::POLICE,
                "VN.BCA.C06",
                "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
                "Police Department for Administrative Management of Social Order",
                // 9 is no document type yet: it lets a vector show an unknown type.
                vec![1, 2, 3, 9],
            ),
            entry(
                seeds::INSURANCE,
                "VN.BHXH",
                "Bảo hiểm xã hội Việt Nam",
                "Vietnam Social Security",
                vec![4],
            ),
        ],
        withdrawn: Default::default(),
    }
}

fn document(t: DocType) -> Document {
    Document::from_json(t, &giayto_model::sample_input(t)).expect("sample input validates")
}

fn serial(n: u8) -> Vec<u8> {
    (0..10)
        .map(|i| n.wrapping_mul(31).wrapping_add(i))
        .collect()
}

/// The claims of the standard valid credential of a document type.
fn request(doc: &Document, n: u8) -> CredentialRequest<'_> {
    let issued_at = AT - DAY;
    CredentialRequest {
        document: doc,
        serial: serial(n),
        issued_at,
        not_before: None,
        expires_at: credential_expiry(doc, issued_at, 1825).expect("sample not expired"),
        holder_key: Some(key(seeds::HOLDER).verifying_key().to_bytes()),
        assurance_level: 2,
        status: None,
    }
}

fn issuer_for(t: DocType) -> (SigningKey, &'static str) {
    match t {
        DocType::Bhyt | DocType::Bhxh => (key(seeds::INSURANCE), "VN.BHXH"),
        _ => (key(seeds::POLICE), "VN.BCA.C06"),
    }
}

/// Sign a COSE_Sign1 with an arbitrary protected header map and unprotected header: for the
/// negative vectors that the library's own signer would never produce.
fn raw_sign1(
    signer: &SigningKey,
    protected: Value,
    unprotected: Value,
    payload: Vec<u8>,
) -> Vec<u8> {
    let protected_bytes = cbor::encode(&protected);
    let tbs = cbor::encode(&Value::Array(vec![
        Value::Text("Signature1".into()),
        Value::Bytes(protected_bytes.clone()),
        Value::Bytes(vec![]),
        Value::Bytes(payload.clone()),
    ]));
    let signature = Signer::sign(signer, &tbs).expect("in-memory key signs");
    cbor::encode(&Value::Tag(
        18,
        Box::new(Value::Array(vec![
            Value::Bytes(protected_bytes),
            unprotected,
            Value::Bytes(payload),
            Value::Bytes(signature.to_vec()),
        ])),
    ))
}

fn header(alg: i64, kid: Option<[u8; 8]>, typ: &str) -> Value {
    let mut entries = vec![(1.into(), alg.into()), (16.into(), Value::Text(typ.into()))];
    if let Some(k) = kid {
        entries.push((4.into(), Value::Bytes(k.to_vec())));
    }
    cbor::map(entries)
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).expect("writing to a Vec");
    e.finish().expect("writing to a Vec")
}

struct Vector {
    name: &'static str,
    description: &'static str,
    text: String,
    verdict: &'static str,
    at: i64,
    policy: &'static str,
    doc_type: Option<DocType>,
    /// The fields of a valid vector, when they are not the sample of `doc_type`.
    fields: Option<Json>,
}

fn vector(
    name: &'static str,
    description: &'static str,
    text: String,
    verdict: &'static str,
) -> Vector {
    Vector {
        name,
        description,
        text,
        verdict,
        at: AT,
        policy: "third-party",
        doc_type: None,
        fields: None,
    }
}

/// A synthetic VietQR payment code with a valid EMVCo CRC.
fn vietqr_text() -> String {
    fn tlv(id: u8, value: &str) -> String {
        format!("{id:02}{:02}{value}", value.chars().count())
    }
    let account = [
        tlv(0, "A000000727"),
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
        tlv(62, &tlv(8, "DON HANG MAU")),
    ]
    .concat();
    s.push_str("6304");
    // CRC-16/CCITT-FALSE over everything up to and including "6304".
    let mut crc = 0xFFFFu16;
    for &b in s.as_bytes() {
        crc ^= u16::from(b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    s.push_str(&format!("{crc:04X}"));
    s
}

/// The issuer's text: the shortest of raw, zlib and zlib with the preset dictionary.
fn qr(cose: &[u8]) -> String {
    giayto_issuer::credential::credential_text(cose)
}

/// A zlib stream with a preset dictionary, made with the dictionary `bytes` but naming `id`.
fn deflate_with_dictionary(bytes: &[u8], dictionary: &[u8]) -> Vec<u8> {
    let mut c = flate2::Compress::new(flate2::Compression::best(), true);
    c.set_dictionary(dictionary)
        .expect("zlib-rs takes a dictionary");
    let mut out = Vec::with_capacity(bytes.len() + 64);
    let status = c
        .compress_vec(bytes, &mut out, flate2::FlushCompress::Finish)
        .expect("deflates");
    assert_eq!(
        status,
        flate2::Status::StreamEnd,
        "output buffer large enough"
    );
    out
}

/// What most credential vectors start from: a valid CCCD of the police issuer (serial 10).
struct Base<'a> {
    police: SigningKey,
    good: CredentialRequest<'a>,
    good_cose: Vec<u8>,
    claims: CredentialClaims,
    payload: Vec<u8>,
    kid: [u8; 8],
}

fn base(cccd: &Document) -> Base<'_> {
    let police = key(seeds::POLICE);
    let good = request(cccd, 10);
    let good_cose = sign_credential(&police, "VN.BCA.C06", &good).expect("signs");
    let claims = good.claims("VN.BCA.C06");
    let payload = claims.to_bytes();
    let kid = kid_for(&police.verifying_key().to_bytes());
    Base {
        police,
        good,
        good_cose,
        claims,
        payload,
        kid,
    }
}

/// Every credential vector, in the order of `credentials.json`.
fn vectors() -> Vec<Vector> {
    let mut out = Vec::new();
    valid_per_type(&mut out);
    forms(&mut out);
    signature_and_header(&mut out);
    issuer_time_and_level(&mut out);
    schema_and_cbor(&mut out);
    foreign_and_limits(&mut out);
    // Added after the first release, at the end so that the earlier vectors keep their places.
    later::first_list(&mut out);
    out
}

/// One valid credential of each document type of the first release, bound to a holder key
/// (the social insurance book, which that release's trust list does not authorise, is in
/// `later-documents.json`).
fn valid_per_type(out: &mut Vec<Vector>) {
    for (i, t) in dictionary::V1_DOC_TYPES.into_iter().enumerate() {
        let doc = document(t);
        let (k, iss) = issuer_for(t);
        let cose = sign_credential(&k, iss, &request(&doc, i as u8)).expect("signs");
        let name = match t {
            DocType::Cccd => "valid_cccd",
            DocType::Gplx => "valid_gplx",
            DocType::Vehicle => "valid_vehicle",
            DocType::Bhyt => "valid_bhyt",
            DocType::Bhxh => "valid_bhxh",
        };
        let mut v = vector(
            name,
            "A valid credential of this document type, bound to a holder key.",
            qr(&cose),
            "valid",
        );
        v.doc_type = Some(t);
        out.push(v);
    }
}

/// The three forms of the text (raw, zlib, zlib with dictionary v1) and broken dictionaries.
fn forms(out: &mut Vec<Vector>) {
    let cccd = document(DocType::Cccd);
    let Base { good_cose, .. } = base(&cccd);
    let mut raw = vector(
        "valid_raw_form",
        "A valid credential in the raw (uncompressed) form: base45 of the COSE bytes, first byte 0xD2.",
        format!("VN1:{}", base45::encode(&good_cose)),
        "valid",
    );
    raw.doc_type = Some(DocType::Cccd);
    out.push(raw);
    let mut plain = vector(
        "valid_zlib_form",
        "A valid credential as a zlib stream without preset dictionary (first byte 0x78, FDICT clear).",
        format!("VN1:{}", base45::encode(deflate(&good_cose))),
        "valid",
    );
    plain.doc_type = Some(DocType::Cccd);
    out.push(plain);
    let with_dictionary = deflate_with_dictionary(&good_cose, text::DICTIONARY_V1_BYTES);
    let mut dict = vector(
        "valid_dictionary_form",
        "A valid credential as a zlib stream with preset dictionary v1 (FDICT set, DICTID = Adler-32 of zlib-dictionary-v1.bin = e9384a1d).",
        format!("VN1:{}", base45::encode(&with_dictionary)),
        "valid",
    );
    dict.doc_type = Some(DocType::Cccd);
    out.push(dict);
    let unknown_dictionary = {
        // The same deflate body behind a header naming another dictionary (FCHECK fixed up).
        let (cmf, mut flg) = (0x78u8, 0xE0u8);
        flg += (31 - ((u16::from(cmf) << 8 | u16::from(flg)) % 31) as u8) % 31;
        let mut z = vec![cmf, flg];
        z.extend(0x0BAD_D1C7u32.to_be_bytes());
        z.extend(&with_dictionary[6..]);
        z
    };
    out.push(vector(
        "unknown_dictionary",
        "A zlib stream naming preset dictionary 0badd1c7, which the format does not define.",
        format!("VN1:{}", base45::encode(&unknown_dictionary)),
        "malformed",
    ));
    let corrupted_dictionary_stream = {
        let mut z = with_dictionary.clone();
        let mid = z.len() / 2;
        z[mid] ^= 0x10;
        z
    };
    out.push(vector(
        "corrupted_dictionary_stream",
        "A zlib stream with preset dictionary v1 with one bit flipped in the middle of its deflate data.",
        format!("VN1:{}", base45::encode(&corrupted_dictionary_stream)),
        "malformed",
    ));
}

/// Unknown claims, altered signatures and payloads, and every header defect.
fn signature_and_header(out: &mut Vec<Vector>) {
    let cccd = document(DocType::Cccd);
    let Base {
        police,
        good_cose,
        claims,
        payload,
        kid,
        ..
    } = base(&cccd);
    let mut unknown = claims.clone();
    unknown.unknown = vec![(Value::from(-70099), Value::Text("carried".into()))];
    let mut v = vector(
        "valid_unknown_claim",
        "An unknown private claim (-70099) is carried and shown, not rejected.",
        qr(&giayto_cose::sign1::sign(&police, CREDENTIAL_TYP, unknown.to_bytes()).expect("signs")),
        "valid",
    );
    v.doc_type = Some(DocType::Cccd);
    out.push(v);

    let mut flipped = good_cose.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x01;
    out.push(vector(
        "bad_signature",
        "The last byte of the signature is flipped.",
        qr(&flipped),
        "bad_signature",
    ));

    let mut altered = claims.clone();
    altered.expires_at += 10 * 365 * DAY;
    // Same signature, payload with a later expiry: the classic tamper.
    let tampered = {
        let Value::Tag(18, inner) = cbor::decode(&good_cose).expect("strict") else {
            unreachable!()
        };
        let Value::Array(mut parts) = *inner else {
            unreachable!()
        };
        parts[2] = Value::Bytes(altered.to_bytes());
        cbor::encode(&Value::Tag(18, Box::new(Value::Array(parts))))
    };
    out.push(vector(
        "altered_payload",
        "The expiry in the payload was moved ten years later; the signature is the original one.",
        qr(&tampered),
        "bad_signature",
    ));

    out.push(vector(
        "wrong_kid",
        "Signed by the right key, but the protected kid names no key in the trust list.",
        qr(&raw_sign1(
            &police,
            header(-8, Some([0xAB; 8]), CREDENTIAL_TYP),
            cbor::map(vec![]),
            payload.clone(),
        )),
        "unknown_issuer",
    ));
    out.push(vector(
        "wrong_alg",
        "The protected header says ES256 (-7); only EdDSA (-8) is allowed.",
        qr(&raw_sign1(
            &police,
            header(-7, Some(kid), CREDENTIAL_TYP),
            cbor::map(vec![]),
            payload.clone(),
        )),
        "malformed",
    ));
    out.push(vector(
        "kid_unprotected_only",
        "The kid is only in the unprotected header, which is ignored: no kid.",
        qr(&raw_sign1(
            &police,
            header(-8, None, CREDENTIAL_TYP),
            cbor::map(vec![(4.into(), Value::Bytes(kid.to_vec()))]),
            payload.clone(),
        )),
        "malformed",
    ));
    out.push(vector(
        "wrong_typ",
        "The typ is the trust list's, not a credential's.",
        qr(&raw_sign1(
            &police,
            header(-8, Some(kid), giayto_cose::TRUST_LIST_TYP),
            cbor::map(vec![]),
            payload.clone(),
        )),
        "malformed",
    ));
    let untagged = {
        let Value::Tag(18, inner) = cbor::decode(&good_cose).expect("strict") else {
            unreachable!()
        };
        cbor::encode(&inner)
    };
    out.push(vector(
        "untagged",
        "The COSE_Sign1 array without CBOR tag 18 (base45 of raw bytes).",
        format!("VN1:{}", base45::encode(&untagged)),
        "malformed",
    ));
}

/// Trust (unknown or unauthorised issuer, key validity), validity period and assurance level.
fn issuer_time_and_level(out: &mut Vec<Vector>) {
    let cccd = document(DocType::Cccd);
    let Base {
        police,
        good,
        good_cose,
        ..
    } = base(&cccd);
    let rogue = key(seeds::ROGUE);
    out.push(vector(
        "unknown_issuer",
        "Signed by a key that is in no trust list, claiming to be VN.BCA.C06.",
        qr(&sign_credential(&rogue, "VN.BCA.C06", &good).expect("signs")),
        "unknown_issuer",
    ));
    let insurance = key(seeds::INSURANCE);
    out.push(vector(
        "issuer_not_authorized",
        "VN.BHXH (allowed health insurance cards only) signs a CCCD.",
        qr(&sign_credential(&insurance, "VN.BHXH", &good).expect("signs")),
        "issuer_not_authorized",
    ));
    out.push(vector(
        "issuer_mismatch",
        "VN.BHXH's key signs a credential whose iss says VN.BCA.C06.",
        qr(&sign_credential(&insurance, "VN.BCA.C06", &good).expect("signs")),
        "issuer_not_authorized",
    ));
    let mut old = request(&cccd, 11);
    old.issued_at = AT - 400 * DAY;
    old.expires_at = AT + 100 * DAY;
    out.push(vector(
        "signed_before_key_validity",
        "Signed (iat) before the issuer key's validity in the trust list began.",
        qr(&sign_credential(&police, "VN.BCA.C06", &old).expect("signs")),
        "issuer_not_authorized",
    ));
    let mut expired = request(&cccd, 12);
    expired.issued_at = AT - 30 * DAY;
    expired.expires_at = AT - DAY;
    out.push(vector(
        "expired",
        "exp is one day before the check.",
        qr(&sign_credential(&police, "VN.BCA.C06", &expired).expect("signs")),
        "expired",
    ));
    let mut later = request(&cccd, 13);
    later.not_before = Some(AT + 10 * DAY);
    out.push(vector(
        "not_yet_valid",
        "nbf is ten days after the check.",
        qr(&sign_credential(&police, "VN.BCA.C06", &later).expect("signs")),
        "not_yet_valid",
    ));
    let mut level1 = request(&cccd, 14);
    level1.assurance_level = 1;
    let level1_text = qr(&sign_credential(&police, "VN.BCA.C06", &level1).expect("signs"));
    let mut v = vector(
        "level1_third_party",
        "An assurance level 1 credential is enough for a third party.",
        level1_text.clone(),
        "valid",
    );
    v.doc_type = Some(DocType::Cccd);
    out.push(v);
    let mut v = vector(
        "level1_checkpoint",
        "An assurance level 1 credential at a traffic checkpoint, which requires level 2.",
        level1_text,
        "insufficient_level",
    );
    v.policy = "checkpoint";
    out.push(v);
    let mut v = vector(
        "stale_trust",
        "Checked 40 days after the trust list was due for update (grace is 7 days).",
        qr(&good_cose),
        "stale_trust",
    );
    v.at = AT + 40 * DAY;
    out.push(v);
}

/// Document type and schema support, and strict CBOR (truncation, trailing bytes, duplicate keys, non-deterministic encoding).
fn schema_and_cbor(out: &mut Vec<Vector>) {
    let cccd = document(DocType::Cccd);
    let Base {
        police,
        good,
        good_cose,
        claims,
        payload,
        ..
    } = base(&cccd);
    let resign = |c: &CredentialClaims| {
        qr(&giayto_cose::sign1::sign(&police, CREDENTIAL_TYP, c.to_bytes()).expect("signs"))
    };
    let mut future_type = claims.clone();
    future_type.document.doc_type = 9;
    out.push(vector(
        "unknown_doc_type",
        "doc_type 9, which the trust list allows but this verifier does not know.",
        resign(&future_type),
        "unsupported_document",
    ));
    let mut newer = claims.clone();
    newer.document.schema_version = 2;
    out.push(vector(
        "newer_schema",
        "schema_version 2, newer than this verifier knows.",
        resign(&newer),
        "unsupported_document",
    ));

    out.push(vector(
        "truncated",
        "The COSE bytes cut 20 bytes short.",
        qr(&good_cose[..good_cose.len() - 20]),
        "malformed",
    ));
    let mut trailing = good_cose.clone();
    trailing.push(0x00);
    out.push(vector(
        "trailing_bytes",
        "One byte after the COSE_Sign1.",
        qr(&trailing),
        "malformed",
    ));

    // Duplicate map key inside the signed claims: {1: iss, 1: iss, ...}.
    let Value::Map(mut entries) = claims.to_value() else {
        unreachable!()
    };
    let first = entries[0].clone();
    entries.insert(1, first);
    let dup_payload = cbor::encode(&Value::Map(entries));
    out.push(vector(
        "duplicate_map_key",
        "The signed claims map repeats key 1 (iss).",
        qr(&giayto_cose::sign1::sign(&police, CREDENTIAL_TYP, dup_payload).expect("signs")),
        "malformed",
    ));
    // Non-deterministic: iat written with a 9-byte head (0x1B) where 5 bytes suffice.
    let nd_payload = {
        let mut bytes = payload.clone();
        let iat = good.issued_at as u32;
        let mut short = vec![0x06, 0x1A];
        short.extend_from_slice(&iat.to_be_bytes());
        let pos = bytes
            .windows(short.len())
            .position(|w| w == short.as_slice())
            .expect("iat present");
        let mut long = vec![0x06, 0x1B];
        long.extend_from_slice(&u64::from(iat).to_be_bytes());
        bytes.splice(pos..pos + short.len(), long);
        bytes
    };
    out.push(vector(
        "non_deterministic",
        "The signed claims write iat as a 64-bit integer where 32 bits suffice.",
        qr(&giayto_cose::sign1::sign(&police, CREDENTIAL_TYP, nd_payload).expect("signs")),
        "malformed",
    ));
}

/// Texts that are not giayto codes, and the text and inflate limits.
fn foreign_and_limits(out: &mut Vec<Vector>) {
    let cccd = document(DocType::Cccd);
    let Base { good_cose, .. } = base(&cccd);
    out.push(vector(
        "wrong_prefix",
        "A credential behind the prefix VN2:.",
        qr(&good_cose).replacen("VN1:", "VN2:", 1),
        "not_a_credential",
    ));
    out.push(vector("eu_dcc", "An EU DCC prefix.", "HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N IOP-IA%NFQGRJPC%OQHIZC4.OI1RM8ZA.A5:S9MKN4NN3F85QNCY0O%0VZ001HOC9JU0D0HT0HB2PL/IB*09B9LW4T*8+DCMH0LDK2%K:XFE70*LP$V25$0Q:J:4MO1P0%0L0HD+9E/HY+4J6TH48S%4K.GJ2PT3QY:GQ3TE2I+-CPHN6D7LLK*2HG%89UV-0LZ 2ZJJ524-LH/CJTK96L6SR9MU9DHGZ%P WUQRENS431T1XCNCF+47AY0-IFO0500TGPN8F5G.41Q2E4T8ALW.INSV$ 07UV5SR+BNQHNML7 /KD3TU 4V*CAT3ZGLQMI/XI%ZJNSBBXK2:UG%UJMI:TU+MMPZ5$/PMX19UE:-PSR3/$NU44CBE6DQ3D7B0FBOFX0DV2DGMB$YPF62I$60/F$Z2I6IFX21XNI-LM%3/DF/U6Z9FEOJVRLVW6K$UG+BKK57:1+D10%4K83F+1VWD1NE".into(), "not_a_credential"));
    out.push(vector(
        "vietqr",
        "A VietQR payment code (EMVCo merchant-presented QR with the NAPAS id A000000727 in tag 38; synthetic account).",
        vietqr_text(),
        "not_a_credential",
    ));
    out.push(vector(
        "web_link",
        "A web address.",
        "https://example.invalid/giay-to".into(),
        "not_a_credential",
    ));
    out.push(vector(
        "bad_base45",
        "Lower-case letters are not base45.",
        format!("VN1:{}", qr(&good_cose)[4..].to_ascii_lowercase()),
        "malformed",
    ));
    let bomb = deflate(&vec![0u8; 4 * 1024 * 1024]);
    out.push(vector(
        "zlib_bomb",
        "A zlib stream that inflates to 4 MiB; the cap is 64 KiB.",
        format!("VN1:{}", base45::encode(&bomb)),
        "malformed",
    ));
}

struct PresentationVector {
    name: &'static str,
    description: &'static str,
    text: String,
    at: i64,
    nonce: Option<Vec<u8>>,
    verdict: &'static str,
    doc_type: Option<DocType>,
}

fn presentation_vectors() -> Vec<PresentationVector> {
    use giayto_cose::presentation::PresentationPayload;
    use giayto_cose::PRESENTATION_TYP;
    let gplx = document(DocType::Gplx);
    let police = key(seeds::POLICE);
    let holder = key(seeds::HOLDER);
    let bound = sign_credential(&police, "VN.BCA.C06", &request(&gplx, 40)).expect("signs");
    let mut unbound_request = request(&gplx, 41);
    unbound_request.holder_key = None;
    let unbound = sign_credential(&police, "VN.BCA.C06", &unbound_request).expect("signs");
    let mut expired_request = request(&gplx, 42);
    expired_request.issued_at = AT - 30 * DAY;
    expired_request.expires_at = AT - DAY;
    let expired = sign_credential(&police, "VN.BCA.C06", &expired_request).expect("signs");
    let mut tampered = bound.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 0x01;

    let payload = |credential: &[u8], iat: i64, nonce: Option<&[u8]>| PresentationPayload {
        credential: credential.to_vec(),
        issued_at: iat,
        nonce: nonce.map(<[u8]>::to_vec),
        disclosures: None,
        request: None,
    };
    let sign = |k: &SigningKey, typ: &str, p: Vec<u8>| {
        giayto_cose::sign1::sign(k, typ, p).expect("in-memory key signs")
    };
    let vp = |cose: &[u8]| text::encode(text::Kind::Presentation, cose, None);
    let present =
        |k: &SigningKey, p: PresentationPayload| vp(&sign(k, PRESENTATION_TYP, p.to_bytes()));
    let challenge: Vec<u8> = (0..16u8).map(|i| i.wrapping_mul(17)).collect();
    let fresh = present(&holder, payload(&bound, AT - 30, None));
    let pv = |name, description, text: String, verdict| PresentationVector {
        name,
        description,
        text,
        at: AT,
        nonce: None,
        verdict,
        doc_type: None,
    };
    let mut out = Vec::new();
    let mut v = pv(
        "presentation_fresh",
        "A driving licence bound to the holder key (seed 0x55), presented 30 s before the check.",
        fresh.clone(),
        "valid",
    );
    v.doc_type = Some(DocType::Gplx);
    out.push(v);
    let mut v = pv(
        "presentation_raw_form",
        "The same kind of presentation in the raw form: base45 of the COSE bytes.",
        format!(
            "VP1:{}",
            base45::encode(sign(
                &holder,
                PRESENTATION_TYP,
                payload(&bound, AT - 10, None).to_bytes()
            ))
        ),
        "valid",
    );
    v.doc_type = Some(DocType::Gplx);
    out.push(v);
    let mut v = pv(
        "presentation_with_nonce",
        "The verifier showed a challenge first; the presentation carries it.",
        present(&holder, payload(&bound, AT, Some(&challenge))),
        "valid",
    );
    v.nonce = Some(challenge.clone());
    v.doc_type = Some(DocType::Gplx);
    out.push(v);
    let mut v = pv(
        "presentation_replayed",
        "The fresh presentation shown again an hour later (a screenshot): outside the ±120 s window.",
        fresh,
        "stale_presentation",
    );
    v.at = AT + 3600;
    out.push(v);
    out.push(pv(
        "presentation_stale",
        "Signed 121 s before the check, one second outside the window.",
        present(&holder, payload(&bound, AT - 121, None)),
        "stale_presentation",
    ));
    out.push(pv(
        "presentation_future",
        "Signed 121 s after the check.",
        present(&holder, payload(&bound, AT + 121, None)),
        "stale_presentation",
    ));
    out.push(pv(
        "presentation_wrong_holder_key",
        "The holder's credential presented by someone else, signed with their key (seed 0x66).",
        present(&key(seeds::OTHER_HOLDER), payload(&bound, AT, None)),
        "bad_signature",
    ));
    let mut v = pv(
        "presentation_nonce_mismatch",
        "The presentation answers another challenge than the one the verifier showed.",
        present(&holder, payload(&bound, AT, Some(&[0xEE; 16]))),
        "stale_presentation",
    );
    v.nonce = Some(challenge.clone());
    out.push(v);
    let mut v = pv(
        "presentation_nonce_missing",
        "The verifier showed a challenge; the presentation carries none.",
        present(&holder, payload(&bound, AT, None)),
        "stale_presentation",
    );
    v.nonce = Some(challenge.clone());
    out.push(v);
    let mut v = pv(
        "static_credential_when_nonce_expected",
        "The verifier showed a challenge but is given the static VN1: credential: no answer.",
        text::encode(text::Kind::Credential, &bound, None),
        "stale_presentation",
    );
    v.nonce = Some(challenge);
    out.push(v);
    out.push(pv(
        "presentation_credential_without_cnf",
        "The embedded credential names no holder key: nothing binds it to the presenter.",
        present(&holder, payload(&unbound, AT, None)),
        "malformed",
    ));
    out.push(pv(
        "presentation_tampered_credential",
        "The embedded credential's issuer signature has its last byte flipped.",
        present(&holder, payload(&tampered, AT, None)),
        "bad_signature",
    ));
    out.push(pv(
        "presentation_expired_credential",
        "A fresh presentation of a credential that expired a day before the check.",
        present(&holder, payload(&expired, AT, None)),
        "expired",
    ));
    let with_disclosures = cbor::encode(&cbor::map(vec![
        (1.into(), Value::Bytes(bound.clone())),
        (2.into(), AT.into()),
        (4.into(), Value::Array(vec![])),
    ]));
    out.push(pv(
        "presentation_disclosures_reserved",
        "The payload carries key 4 (disclosures) with nothing disclosed and no proof: refused.",
        vp(&sign(&holder, PRESENTATION_TYP, with_disclosures)),
        "malformed",
    ));
    out.push(pv(
        "presentation_wrong_typ",
        "Signed by the holder with a credential's typ instead of the presentation's.",
        vp(&sign(
            &holder,
            CREDENTIAL_TYP,
            payload(&bound, AT, None).to_bytes(),
        )),
        "malformed",
    ));
    out
}

/// Every file under `test-vectors/`.
pub fn generate() -> Vec<File> {
    let root = key(seeds::ROOT);
    let trust = trust_list().sign(&root).expect("signs");
    let root_pem = root
        .verifying_key()
        .to_public_key_pem(Default::default())
        .expect("PEM encodes");
    let list: Vec<Json> = vectors()
        .into_iter()
        .map(|v| {
            let mut j = json!({
                "name": v.name,
                "description": v.description,
                "text": v.text,
                "at": v.at,
                "policy": v.policy,
                "verdict": v.verdict,
            });
            if let Some(t) = v.doc_type {
                j["doc_type"] = json!(t.as_str());
                j["fields"] = v.fields.unwrap_or_else(|| document(t).to_json());
            }
            j
        })
        .collect();
    let keys = json!({
        "warning": "TEST-ONLY keys. They are public; never trust anything they sign.",
        "root": { "seed": hex::encode(seeds::ROOT), "public_key": hex::encode(root.verifying_key().to_bytes()) },
        "issuers": trust_list().issuers.iter().map(|e| json!({
            "id": e.id, "kid": hex::encode(e.kid()), "public_key": hex::encode(e.public_key),
        })).collect::<Vec<_>>(),
        "seeds": {
            "VN.BCA.C06": hex::encode(seeds::POLICE),
            "VN.BHXH": hex::encode(seeds::INSURANCE),
            "rogue": hex::encode(seeds::ROGUE),
            "holder": hex::encode(seeds::HOLDER),
            "other_holder": hex::encode(seeds::OTHER_HOLDER),
        },
    });
    let credentials = json!({
        "description": "giayto credential vectors. Verify each `text` at time `at` (seconds) with `policy`, against root.pub and trust.cwt; the verdict must be `verdict`.",
        "root_public_key": hex::encode(root.verifying_key().to_bytes()),
        "trust_list": hex::encode(&trust),
        "vectors": list,
    });
    let presentations = json!({
        "description": "giayto presentation (VP1:) vectors. Verify each `text` at time `at` (seconds), third-party policy, default window of ±120 s, against root.pub and trust.cwt; when `nonce` (hex) is given the verifier expects that nonce. The verdict must be `verdict`.",
        "root_public_key": hex::encode(root.verifying_key().to_bytes()),
        "trust_list": hex::encode(&trust),
        "holder_public_key": hex::encode(key(seeds::HOLDER).verifying_key().to_bytes()),
        "window": giayto_verify::DEFAULT_PRESENTATION_WINDOW,
        "vectors": presentation_vectors().into_iter().map(|v| {
            let mut j = json!({
                "name": v.name,
                "description": v.description,
                "text": v.text,
                "at": v.at,
                "verdict": v.verdict,
            });
            if let Some(n) = &v.nonce {
                j["nonce"] = json!(hex::encode(n));
            }
            if let Some(t) = v.doc_type {
                j["doc_type"] = json!(t.as_str());
                j["fields"] = document(t).to_json();
            }
            j
        }).collect::<Vec<_>>(),
    });
    let pretty = |v: &Json| {
        let mut s = serde_json::to_string_pretty(v).expect("serialises");
        s.push('\n');
        s.into_bytes()
    };
    let mut files = vec![
        File {
            name: claim169::FILE_NAME,
            bytes: pretty(&claim169::file(&root.verifying_key().to_bytes(), &trust)),
        },
        File {
            name: "credentials.json",
            bytes: pretty(&credentials),
        },
        File {
            name: "disclosures.json",
            bytes: pretty(&disclosures::file(&root.verifying_key().to_bytes(), &trust)),
        },
        File {
            name: "keys.json",
            bytes: pretty(&keys),
        },
        File {
            name: later::FILE_NAME,
            bytes: pretty(&later::file(
                &root.verifying_key().to_bytes(),
                &later::trust_list_2().sign(&root).expect("signs"),
            )),
        },
        File {
            name: "presentations.json",
            bytes: pretty(&presentations),
        },
        File {
            name: "requests.json",
            bytes: pretty(&requests::file(&root.verifying_key().to_bytes(), &trust)),
        },
        File {
            name: "root.pub",
            bytes: root_pem.into_bytes(),
        },
    ];
    files.extend(status::files(&trust));
    files.push(File {
        name: deltas::FILE_NAME,
        bytes: pretty(&deltas::file()),
    });
    files.push(File {
        name: "trust.cwt",
        bytes: trust,
    });
    files.push(File {
        name: dictionary::FILE_NAME,
        bytes: dictionary::build_v1(),
    });
    files.extend(mdoc::files());
    files.push(File {
        name: x509::FILE_NAME,
        bytes: pretty(&x509::file()),
    });
    files
}
