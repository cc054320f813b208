use super::*;

fn sample() -> Request {
    Request {
        nonce: vec![0x5A; 16],
        issued_at: 1_795_392_000,
        expires_at: 1_795_392_600,
        verifier: "Khách sạn Hoa Sen".into(),
        purpose: "Đăng ký lưu trú".into(),
        required: vec!["full_name".into(), "age_over_18".into()],
        optional: vec!["id_number".into()],
        doc_type: Some(1),
    }
}

/// The map of `sample()` with `key` replaced by `value` (or removed), as bytes.
fn with(key: i64, value: Option<Value>) -> Vec<u8> {
    let Value::Map(mut entries) = cbor::decode(&sample().to_bytes().unwrap()).unwrap() else {
        unreachable!()
    };
    entries.retain(|(k, _)| cbor::as_i64(k) != Some(key));
    if let Some(v) = value {
        entries.push((key.into(), v));
    }
    cbor::encode(&cbor::map(entries))
}

#[test]
fn round_trips_as_bytes_and_text_with_one_hash() {
    let r = sample();
    let bytes = r.to_bytes().unwrap();
    assert_eq!(Request::from_bytes(&bytes).unwrap(), r);
    let text = r.to_text().unwrap();
    assert!(text.starts_with("VR1:"));
    assert!(text[4..]
        .bytes()
        .all(|b| b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".contains(&b)));
    assert_eq!(Request::from_text(&format!("  {text}\n")).unwrap(), r);
    assert_eq!(r.hash().unwrap(), hash_bytes(&bytes));
    // Another nonce, name or purpose is another request.
    for change in [
        |r: &mut Request| r.nonce[0] ^= 1,
        |r: &mut Request| r.verifier.push('!'),
        |r: &mut Request| r.purpose.push('!'),
        |r: &mut Request| r.optional.clear(),
    ] {
        let mut other = sample();
        change(&mut other);
        assert_ne!(other.hash().unwrap(), r.hash().unwrap());
    }
    // Optional parts absent.
    let minimal = Request {
        optional: vec![],
        doc_type: None,
        ..sample()
    };
    assert_eq!(
        Request::from_text(&minimal.to_text().unwrap()).unwrap(),
        minimal
    );
}

#[test]
fn a_zlib_body_is_read_too() {
    let bytes = sample().to_bytes().unwrap();
    let z = text::deflate_best(&bytes).unwrap();
    let t = format!("{PREFIX}{}", base45::encode(&z));
    assert_eq!(Request::from_text(&t).unwrap(), sample());
    // A bomb inflating beyond the cap is refused before it is read.
    let big = text::deflate_best(&vec![0u8; MAX_REQUEST_BYTES + 1]).unwrap();
    assert_eq!(
        Request::from_text(&format!("{PREFIX}{}", base45::encode(&big))),
        Err(RequestError::Text(TextError::TooLarge))
    );
}

#[test]
fn malformed_texts_are_refused() {
    let text = sample().to_text().unwrap();
    assert_eq!(Request::from_text("VP1:ABC"), Err(RequestError::NoPrefix));
    assert_eq!(
        Request::from_text("VR1:abc"),
        Err(RequestError::Text(TextError::Base45))
    );
    // A body that is neither a map nor zlib (an array, 0x81 0x01).
    assert_eq!(
        Request::from_text(&format!("VR1:{}", base45::encode([0x81, 0x01]))),
        Err(RequestError::Text(TextError::UnknownForm {
            first: Some(0x81)
        }))
    );
    assert_eq!(
        Request::from_text("VR1:"),
        Err(RequestError::Text(TextError::UnknownForm { first: None }))
    );
    let long = format!("{text}{}", "0".repeat(MAX_TEXT_LEN));
    assert!(matches!(
        Request::from_text(&long),
        Err(RequestError::TooLong { .. })
    ));
    // Cut short.
    let cut = &text[..text.len() - 3];
    assert!(Request::from_text(cut).is_err());
}

#[test]
fn every_member_is_bounded() {
    let invalid = |member| Err(RequestError::Invalid { member });
    let check = |key, v: Option<Value>| Request::from_bytes(&with(key, v));
    assert_eq!(check(1, Some(Value::Bytes(vec![1; 15]))), invalid("nonce"));
    assert_eq!(check(1, Some(Value::Bytes(vec![1; 65]))), invalid("nonce"));
    assert!(check(1, Some(Value::Bytes(vec![1; 64]))).is_ok());
    assert_eq!(check(1, None), invalid("nonce"));
    assert_eq!(check(2, Some((-1).into())), invalid("iat"));
    assert_eq!(check(3, Some(Value::Text("x".into()))), invalid("exp"));
    assert_eq!(
        check(3, Some(1_795_392_000.into())),
        Err(RequestError::Lifetime)
    );
    assert_eq!(
        check(3, Some((1_795_392_000 + MAX_LIFETIME + 1).into())),
        Err(RequestError::Lifetime)
    );
    assert!(check(3, Some((1_795_392_000 + MAX_LIFETIME).into())).is_ok());
    assert_eq!(
        check(4, Some(Value::Text(String::new()))),
        invalid("verifier")
    );
    assert_eq!(
        check(4, Some(Value::Text("a".repeat(MAX_VERIFIER_CHARS + 1)))),
        invalid("verifier")
    );
    assert!(check(4, Some(Value::Text("ạ".repeat(MAX_VERIFIER_CHARS)))).is_ok());
    // A bidirectional override would show "Ngân hàng" reversed; a line break could hide text.
    assert_eq!(
        check(4, Some(Value::Text("Ngân\u{202E}hàng".into()))),
        invalid("verifier")
    );
    assert_eq!(
        check(5, Some(Value::Text("a\nb".into()))),
        invalid("purpose")
    );
    assert_eq!(
        check(5, Some(Value::Text(" leading".into()))),
        invalid("purpose")
    );
    assert_eq!(check(6, Some(Value::Array(vec![]))), invalid("required"));
    assert_eq!(
        check(7, Some(Value::Array(vec![1.into()]))),
        invalid("optional")
    );
    assert_eq!(check(8, Some(0.into())), invalid("doc_type"));
    assert_eq!(
        check(8, Some(Value::Text("cccd".into()))),
        invalid("doc_type")
    );
    assert_eq!(check(9, Some(1.into())), Err(RequestError::UnknownKey));
    // Nothing asked at all.
    let nothing = {
        let Value::Map(mut e) = cbor::decode(&with(6, None)).unwrap() else {
            unreachable!()
        };
        e.retain(|(k, _)| cbor::as_i64(k) != Some(7));
        cbor::encode(&cbor::map(e))
    };
    assert_eq!(Request::from_bytes(&nothing), invalid("items"));
    assert_eq!(Request::from_bytes(&[0x01]), invalid("map"));
    // Not deterministic: a map with its keys out of order.
    let mut bytes = sample().to_bytes().unwrap();
    bytes.push(0);
    assert!(matches!(
        Request::from_bytes(&bytes),
        Err(RequestError::Cbor(CborError::TrailingBytes { .. }))
    ));
    assert!(matches!(
        Request::from_bytes(&vec![0xA0; MAX_REQUEST_BYTES + 1]),
        Err(RequestError::Cbor(CborError::TooLarge { .. }))
    ));
}

#[test]
fn items_are_names_without_repeats() {
    let items = |names: &[&str]| {
        let list = Value::Array(names.iter().map(|n| Value::Text((*n).into())).collect());
        Request::from_bytes(&with(6, Some(list)))
    };
    assert!(items(&["place_of_residence", "age_over_65"]).is_ok());
    for bad in [
        "Full_name",
        "full name",
        "",
        "_x",
        "age_over_0",
        "age_over_018",
        "age_over_151",
        "age_over_",
        &"a".repeat(33),
    ] {
        assert!(
            matches!(items(&[bad]), Err(RequestError::BadItem { .. })),
            "{bad:?}"
        );
    }
    // Twice in one list, or in both lists (id_number is optional in the sample).
    assert_eq!(
        items(&["full_name", "full_name"]),
        Err(RequestError::DuplicateItem {
            name: "full_name".into()
        })
    );
    assert_eq!(
        items(&["id_number"]),
        Err(RequestError::DuplicateItem {
            name: "id_number".into()
        })
    );
    let many: Vec<String> = (0..MAX_ITEMS).map(|i| format!("f{i}")).collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    // 32 required plus the sample's optional one: 33.
    assert_eq!(items(&refs), Err(RequestError::Invalid { member: "items" }));
    assert_eq!(age_item("age_over_18"), Some(18));
    assert_eq!(age_item("age_over_150"), Some(150));
    assert_eq!(age_item("full_name"), None);
}

#[test]
fn open_from_iat_less_skew_until_before_exp() {
    let r = sample();
    assert!(r.is_open(r.issued_at - 300, 300));
    assert!(!r.is_open(r.issued_at - 301, 300));
    assert!(r.is_open(r.expires_at - 1, 300));
    assert!(!r.is_open(r.expires_at, 300));
}

#[test]
fn building_refuses_what_reading_refuses() {
    let mut r = sample();
    r.nonce = vec![1; 8];
    assert_eq!(r.to_text(), Err(RequestError::Invalid { member: "nonce" }));
    let mut r = sample();
    r.required.push("optional_then_required".into());
    r.required.push("optional_then_required".into());
    assert!(matches!(
        r.to_bytes(),
        Err(RequestError::DuplicateItem { .. })
    ));
}
