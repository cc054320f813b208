//! Every cap of the giayto-cose decoders, tested right at the limit and just over it; and
//! lengths declared far beyond the input, which must fail without allocating for them.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

use ciborium::value::Value;
use giayto_cose::cbor::{self, CborError, MAX_DEPTH, MAX_ITEM_BYTES};
use giayto_cose::claims::{ClaimsError, CredentialClaims, DocumentClaim, StatusRef};
use giayto_cose::text::{self, Kind, TextError, MAX_INFLATED, MAX_TEXT_LEN};

/// `n` nested one-element containers around a 0: arrays, or maps `{0: ...}`.
fn nested(n: usize, map: bool) -> Vec<u8> {
    let mut bytes = Vec::new();
    for _ in 0..n {
        if map {
            bytes.extend_from_slice(&[0xa1, 0x00]);
        } else {
            bytes.push(0x81);
        }
    }
    bytes.push(0x00);
    bytes
}

#[test]
fn depth_cap_at_and_over() {
    for map in [false, true] {
        assert!(cbor::decode(&nested(MAX_DEPTH, map)).is_ok(), "map: {map}");
        assert_eq!(
            cbor::decode(&nested(MAX_DEPTH + 1, map)),
            Err(CborError::TooDeep),
            "map: {map}"
        );
    }
    // Far deeper than any stack would take if the decoder recursed without a limit.
    assert_eq!(
        cbor::decode(&nested(20_000, false)),
        Err(CborError::TooDeep)
    );
    let tags: Vec<u8> = std::iter::repeat_n([0xd8, 0x64], 20_000)
        .flatten()
        .chain([0])
        .collect();
    assert!(cbor::decode(&tags).is_err());
}

/// A byte string item whose whole encoding is exactly `total` bytes, with the shortest head
/// (3 bytes up to a 65,535-byte string, 5 above).
fn bstr_of_total(total: usize) -> Vec<u8> {
    let mut bytes = if total - 3 <= 0xffff {
        let mut b = vec![0x59];
        b.extend_from_slice(&((total - 3) as u16).to_be_bytes());
        b
    } else {
        let mut b = vec![0x5a];
        b.extend_from_slice(&((total - 5) as u32).to_be_bytes());
        b
    };
    bytes.resize(total, 0xAB);
    bytes
}

#[test]
fn item_size_cap_at_and_over() {
    // MAX_ITEM_BYTES is 65,536: a byte string of 65,533 bytes with its 3-byte head.
    let at = bstr_of_total(MAX_ITEM_BYTES);
    assert_eq!(at.len(), MAX_ITEM_BYTES);
    let r = cbor::decode(&at);
    assert!(
        matches!(&r, Ok(Value::Bytes(b)) if b.len() == MAX_ITEM_BYTES - 3),
        "{:?}",
        r.map(|_| ())
    );
    let over = bstr_of_total(MAX_ITEM_BYTES + 1);
    assert_eq!(
        cbor::decode(&over),
        Err(CborError::TooLarge {
            len: MAX_ITEM_BYTES + 1
        })
    );
    // The same item under a larger cap.
    assert!(cbor::decode_bounded(&over, MAX_ITEM_BYTES + 1).is_ok());
    assert!(cbor::decode_bounded(&at, MAX_ITEM_BYTES - 1).is_err());
}

#[test]
fn item_count_cap_at_and_over() {
    let max = cbor::max_items(MAX_ITEM_BYTES);
    assert_eq!(max, 4096);
    // Array of n nulls: n + 1 items.
    let array = |n: usize| cbor::encode(&Value::Array(vec![Value::Null; n]));
    assert!(matches!(cbor::decode(&array(max - 1)), Ok(Value::Array(a)) if a.len() == max - 1));
    assert_eq!(
        cbor::decode(&array(max)),
        Err(CborError::TooManyItems { max })
    );
    // Map of n entries: 2n + 1 items.
    let map = |n: usize| {
        cbor::encode(&cbor::map(
            (0..n as u64).map(|k| (k.into(), Value::Null)).collect(),
        ))
    };
    assert!(
        matches!(cbor::decode(&map((max - 1) / 2)), Ok(Value::Map(m)) if m.len() == (max - 1) / 2)
    );
    assert_eq!(
        cbor::decode(&map((max - 1) / 2 + 1)),
        Err(CborError::TooManyItems { max })
    );
    // Nested: items inside tags and arrays count too.
    let tagged = cbor::encode(&Value::Array(vec![
        Value::Tag(100, Box::new(Value::Null));
        (max - 1) / 2
    ]));
    assert!(cbor::decode(&tagged).is_ok());
    let tagged = cbor::encode(&Value::Array(vec![
        Value::Tag(100, Box::new(Value::Null));
        (max - 1) / 2 + 1
    ]));
    assert_eq!(cbor::decode(&tagged), Err(CborError::TooManyItems { max }));
    // A larger size cap allows proportionally more.
    assert!(cbor::decode_bounded(&array(max), 2 * MAX_ITEM_BYTES).is_ok());
    // The largest array the size cap alone would allow (65,533 nulls) is refused by count
    // while scanning, before any tree is built.
    let mut huge = vec![0x99, 0xff, 0xfd];
    huge.resize(MAX_ITEM_BYTES, 0xf6);
    assert_eq!(cbor::decode(&huge), Err(CborError::TooManyItems { max }));
}

#[test]
fn lengths_declared_beyond_the_input_fail_without_allocating_for_them() {
    // Arrays, maps, byte and text strings claiming 2^32 - 1 or 2^64 - 1 items or bytes. Any
    // allocation of the declared size would abort the test process.
    for head in [0x9a, 0xba, 0x5a, 0x7a] {
        let mut b = vec![head, 0xff, 0xff, 0xff, 0xff];
        b.push(0x00);
        assert!(cbor::decode(&b).is_err(), "{head:02x}");
    }
    for head in [0x9b, 0xbb, 0x5b, 0x7b] {
        let mut b = vec![head];
        b.extend_from_slice(&[0xff; 8]);
        assert!(cbor::decode(&b).is_err(), "{head:02x}");
    }
}

#[test]
fn text_length_cap_at_and_over() {
    // At the cap the length check passes (this body is not valid base45: 8,188 characters).
    let at = format!("VN1:{}", "0".repeat(MAX_TEXT_LEN - 4));
    assert_eq!(at.len(), MAX_TEXT_LEN);
    assert_eq!(text::decode(&at, &[]), Err(TextError::Base45));
    let over = format!("VN1:{}", "0".repeat(MAX_TEXT_LEN - 3));
    assert_eq!(
        text::decode(&over, &[]),
        Err(TextError::TooLong {
            len: MAX_TEXT_LEN + 1
        })
    );
    // Surrounding whitespace does not count.
    assert_eq!(
        text::decode(&format!("  {at}\n"), &[]),
        Err(TextError::Base45)
    );
    // A valid raw COSE body right under the cap decodes.
    let body_bytes = (MAX_TEXT_LEN - 4) / 3 * 2;
    let mut cose = vec![0xD2];
    cose.resize(body_bytes, 0x01);
    let near = format!("VN1:{}", base45_raw(&cose));
    assert!(near.len() <= MAX_TEXT_LEN && near.len() > MAX_TEXT_LEN - 4);
    assert_eq!(text::decode(&near, &[]), Ok((Kind::Credential, cose)));
}

fn base45_raw(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let mut out = String::new();
    for chunk in bytes.chunks(2) {
        let mut n = chunk.iter().fold(0u32, |a, b| a * 256 + u32::from(*b));
        for _ in 0..chunk.len() + 1 {
            out.push(char::from(ALPHABET[(n % 45) as usize]));
            n /= 45;
        }
    }
    out
}

fn zlib(data: &[u8]) -> Vec<u8> {
    use flate2::{write::ZlibEncoder, Compression};
    use std::io::Write;
    let mut e = ZlibEncoder::new(Vec::new(), Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn inflated_size_cap_at_and_over_through_the_text() {
    let mut at = vec![0xD2];
    at.resize(MAX_INFLATED, 0);
    let text_at = format!("VN1:{}", base45_raw(&zlib(&at)));
    assert!(
        text_at.len() < 4096,
        "a bomb at the cap fits a QR code: {}",
        text_at.len()
    );
    assert_eq!(
        text::decode(&text_at, &[]),
        Ok((Kind::Credential, at.clone()))
    );
    at.push(0);
    let text_over = format!("VN1:{}", base45_raw(&zlib(&at)));
    assert_eq!(text::decode(&text_over, &[]), Err(TextError::TooLarge));
}

fn claims() -> CredentialClaims {
    CredentialClaims {
        issuer: "VN.BCA.C06".into(),
        issued_at: 1_790_000_000,
        not_before: None,
        expires_at: 1_900_000_000,
        serial: vec![7; 10],
        holder_key: None,
        status: None,
        document: DocumentClaim {
            doc_type: 1,
            schema_version: 1,
            assurance_level: 2,
            fields: cbor::map(vec![]),
        },
        unknown: vec![],
    }
}

#[test]
fn claim_length_caps_at_and_over() {
    let mut c = claims();
    c.issuer = "V".repeat(64);
    assert!(CredentialClaims::from_bytes(&c.to_bytes()).is_ok());
    c.issuer.push('V');
    assert_eq!(
        CredentialClaims::from_bytes(&c.to_bytes()),
        Err(ClaimsError::Invalid { claim: "iss" })
    );

    let mut c = claims();
    c.status = Some(StatusRef {
        idx: u64::MAX,
        uri: "u".repeat(256),
    });
    assert!(CredentialClaims::from_bytes(&c.to_bytes()).is_ok());
    c.status = Some(StatusRef {
        idx: 0,
        uri: "u".repeat(257),
    });
    assert_eq!(
        CredentialClaims::from_bytes(&c.to_bytes()),
        Err(ClaimsError::Invalid { claim: "status" })
    );

    for (len, ok) in [(7, false), (8, true), (16, true), (17, false)] {
        let mut c = claims();
        c.serial = vec![1; len];
        assert_eq!(
            CredentialClaims::from_bytes(&c.to_bytes()).is_ok(),
            ok,
            "serial {len}"
        );
    }
}

/// Found by the cbor_strict fuzz target (a failure of the harness, which compared NaN with
/// `==`): a NaN float with a payload only an f64 can hold is its own shortest form and is
/// accepted; the same NaN value written wider than needed is not.
#[test]
fn nan_floats_only_in_their_shortest_form() {
    let payload_nan = [0xfb, 0xff, 0xff, 0xff, 0xf8, 0x00, 0x40, 0x02, 0x75];
    let v = cbor::decode(&payload_nan).unwrap();
    assert!(matches!(v, Value::Float(x) if x.is_nan()));
    assert_eq!(cbor::encode(&v), payload_nan);
    // The quiet NaN is f16 0x7e00; as f32 or f64 it is not shortest.
    assert!(cbor::decode(&[0xf9, 0x7e, 0x00]).is_ok());
    assert_eq!(
        cbor::decode(&[0xfa, 0x7f, 0xc0, 0x00, 0x00]),
        Err(CborError::NotDeterministic)
    );
    assert_eq!(
        cbor::decode(&[0xfb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0]),
        Err(CborError::NotDeterministic)
    );
}

#[test]
fn protected_header_size_cap_at_and_over() {
    use ed25519_dalek::SigningKey;
    use giayto_cose::sign1::{CoseError, Sign1, MAX_PROTECTED_HEADER_BYTES};
    use giayto_cose::CREDENTIAL_TYP;
    let key = SigningKey::from_bytes(&[3; 32]);
    let kid = giayto_cose::kid_for(&key.verifying_key().to_bytes());
    // {1: -8, 4: kid, 16: typ, 100: bstr of n bytes}
    let protected = |n: usize| {
        cbor::encode(&cbor::map(vec![
            (1.into(), (-8).into()),
            (4.into(), Value::Bytes(kid.to_vec())),
            (16.into(), Value::Text(CREDENTIAL_TYP.into())),
            (100.into(), Value::Bytes(vec![0; n])),
        ]))
    };
    let base = protected(0).len();
    // Its length grows by one per byte here (one-byte bstr head up to 23, two up to 255...).
    let mut n = MAX_PROTECTED_HEADER_BYTES - base;
    while protected(n).len() > MAX_PROTECTED_HEADER_BYTES {
        n -= 1;
    }
    assert_eq!(protected(n).len(), MAX_PROTECTED_HEADER_BYTES);
    let cose = |p: Vec<u8>| {
        cbor::encode(&Value::Tag(
            18,
            Box::new(Value::Array(vec![
                Value::Bytes(p),
                Value::Map(vec![]),
                Value::Bytes(vec![0xa0]),
                Value::Bytes(vec![0; 64]),
            ])),
        ))
    };
    assert!(Sign1::parse(&cose(protected(n)), CREDENTIAL_TYP).is_ok());
    assert_eq!(
        Sign1::parse(&cose(protected(n + 1)), CREDENTIAL_TYP).unwrap_err(),
        CoseError::ProtectedHeaderCbor(CborError::TooLarge {
            len: MAX_PROTECTED_HEADER_BYTES + 1
        })
    );
}
