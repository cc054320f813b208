//! Unit tests of `text`.
use super::*;
use proptest::prelude::*;

fn fake_cose(len: usize, seed: u8) -> Vec<u8> {
    let mut v = vec![0xD2];
    v.extend((0..len).map(|i| (i as u8).wrapping_mul(seed) % 13));
    v
}

#[test]
fn adler32_known_values() {
    assert_eq!(adler32(b""), 1);
    assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
    let big = vec![0xFFu8; 100_000];
    // Computed byte by byte with u64 arithmetic as a reference.
    let (mut a, mut b) = (1u64, 0u64);
    for &x in &big {
        a = (a + x as u64) % 65521;
        b = (b + a) % 65521;
    }
    assert_eq!(adler32(&big), ((b << 16) | a) as u32);
}

#[test]
fn picks_shortest_form() {
    let compressible = fake_cose(400, 1);
    let (text, form) = encode_with_form(Kind::Credential, &compressible, None);
    assert_eq!(form, Form::Zlib);
    assert_eq!(
        decode(&text, &[]).unwrap(),
        (Kind::Credential, compressible)
    );

    let random: Vec<u8> = std::iter::once(0xD2)
        .chain((0u32..60).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8))
        .collect();
    let (text, form) = encode_with_form(Kind::Presentation, &random, None);
    assert_eq!(form, Form::Raw);
    assert!(text.starts_with("VP1:"));
    assert_eq!(decode(&text, &[]).unwrap(), (Kind::Presentation, random));
}

/// The length of the shortest of every form, each deflate at level 9 (what the issuer
/// would keep if it always tried them all).
fn shortest_at_level_9(cose: &[u8], dictionary: &Dictionary<'_>) -> usize {
    let plain = deflate(cose, None, Effort::Best).unwrap().len();
    let with = deflate(cose, Some(dictionary), Effort::Best).unwrap().len();
    cose.len().min(plain).min(with)
}

#[test]
fn with_a_dictionary_plain_zlib_still_wins_where_the_dictionary_does_not_help() {
    // Repetitive, and nothing like the dictionary's Vietnamese words: plain zlib is
    // shorter than the dictionary form (which carries a 4-byte dictionary id), and the
    // quick plain attempt must not stop the issuer from finding the level-9 plain form.
    let mut cose = vec![0xD2];
    for _ in 0..6 {
        cose.extend((0..90u8).map(|i| i.wrapping_mul(37)));
    }
    let (text, form) = encode_with_form(Kind::Credential, &cose, Some(&DICTIONARY_V1));
    assert_eq!(form, Form::Zlib);
    let bytes = base45::decode(&text[4..]).unwrap();
    assert_eq!(bytes.len(), shortest_at_level_9(&cose, &DICTIONARY_V1));
    assert_eq!(decode(&text, &[]).unwrap().1, cose);
}

#[test]
fn with_a_dictionary_that_helps_one_level_9_deflate_finds_the_shortest() {
    // Credential-like text the dictionary knows: the dictionary form wins by far more than
    // a quarter, so the plain form is tried only quickly, and the result is the same
    // length as trying everything at level 9.
    let mut cose = vec![0xD2];
    for words in [
        "Nguyễn Thị Mẫu Phường Hàng Bạc Quận Hoàn Kiếm Thành phố Hà Nội ",
        "Xã Mẫu Sơn huyện Lộc Bình tỉnh Lạng Sơn Cộng hòa xã hội chủ nghĩa Việt Nam ",
        "https://giayto.example/st/VN.BCA.C06/1 cccd_2021 full_name date_of_birth ",
    ] {
        cose.extend_from_slice(words.as_bytes());
    }
    let (text, form) = encode_with_form(Kind::Credential, &cose, Some(&DICTIONARY_V1));
    assert_eq!(form, Form::ZlibDictionary(DICTIONARY_V1_ID));
    let bytes = base45::decode(&text[4..]).unwrap();
    assert_eq!(bytes.len(), shortest_at_level_9(&cose, &DICTIONARY_V1));
    let quick = deflate(&cose, None, Effort::Quick).unwrap().len();
    assert!(
        quick > bytes.len() + bytes.len() / 4,
        "{quick} vs {}",
        bytes.len()
    );
}

#[test]
fn preset_dictionary_round_trip_and_unknown_dictionary() {
    let dict_bytes = b"Nguyen Van Thanh pho Ha Noi Phuong Quan Huyen Tinh Xa".repeat(3);
    let dict = Dictionary::new(&dict_bytes);
    let mut cose = vec![0xD2];
    cose.extend_from_slice(b"Nguyen Van An, Phuong 3, Quan 5, Thanh pho Ha Noi, Huyen Xa");
    let (text, form) = encode_with_form(Kind::Credential, &cose, Some(&dict));
    assert_eq!(form, Form::ZlibDictionary(dict.id()));
    assert_eq!(decode(&text, &[dict]).unwrap().1, cose);
    assert_eq!(
        decode(&text, &[]),
        Err(TextError::UnknownDictionary { id: dict.id() })
    );
}

/// A zlib header naming dictionary `id`, with a valid FCHECK.
fn header_with_dictionary(id: u32) -> Vec<u8> {
    let cmf = 0x78u8;
    let mut flg = 0x20u8 | 0xC0; // FDICT, FLEVEL 3
    flg += (31 - ((u16::from(cmf) << 8 | u16::from(flg)) % 31) as u8) % 31;
    let mut h = vec![cmf, flg];
    h.extend(id.to_be_bytes());
    h
}

fn dictionary_text(cose: &[u8]) -> (String, Vec<u8>) {
    let (text, form) = encode_with_form(Kind::Credential, cose, Some(&DICTIONARY_V1));
    assert_eq!(form, Form::ZlibDictionary(DICTIONARY_V1_ID));
    let stream = base45::decode(&text[4..]).unwrap();
    (text, stream)
}

fn credential_like() -> Vec<u8> {
    // The typ, claim keys and Vietnamese words the dictionary was made for.
    let mut cose = vec![0xD2, 0x84, 0x58, 0x25, 0xA3, 0x01, 0x27, 0x04, 0x48];
    cose.extend([0x5A; 8]);
    cose.extend(b"\x10vapplication/vn-doc+cwt");
    cose.extend("status_list Nguyễn Văn An, phường Bến Nghé, quận 1, Hồ Chí Minh".as_bytes());
    cose
}

#[test]
fn known_dictionary_ids_are_their_adler32() {
    assert_eq!(adler32(DICTIONARY_V1_BYTES), DICTIONARY_V1_ID);
    for d in KNOWN_DICTIONARIES {
        assert_eq!(adler32(d.bytes()), d.id());
        assert!(
            d.bytes().len() <= 32 * 1024,
            "zlib only reaches back 32 KiB"
        );
    }
}

#[test]
fn known_dictionary_decodes_without_being_passed() {
    let cose = credential_like();
    let (text, stream) = dictionary_text(&cose);
    assert_eq!(stream[1] & 0x20, 0x20, "FDICT set");
    assert_eq!(stream[2..6], DICTIONARY_V1_ID.to_be_bytes());
    assert_eq!(
        decode(&text, &[]).unwrap(),
        (Kind::Credential, cose.clone())
    );
    // Any zlib library inflates it given the dictionary bytes.
    let mut d = flate2::Decompress::new(true);
    let mut out = Vec::with_capacity(4096);
    let e = d
        .decompress_vec(&stream, &mut out, FlushDecompress::Finish)
        .unwrap_err();
    assert_eq!(e.needs_dictionary(), Some(DICTIONARY_V1_ID));
    d.set_dictionary(DICTIONARY_V1_BYTES).unwrap();
    let rest = &stream[usize::try_from(d.total_in()).unwrap()..];
    d.decompress_vec(rest, &mut out, FlushDecompress::Finish)
        .unwrap();
    assert_eq!(out, cose);
}

#[test]
fn unknown_and_corrupted_dictionary_streams_are_rejected() {
    let cose = credential_like();
    let (_, stream) = dictionary_text(&cose);

    // Another dictionary id in an otherwise valid header.
    let mut other = header_with_dictionary(0x0BAD_D1C7);
    other.extend(&stream[6..]);
    let text = format!("VN1:{}", base45::encode(&other));
    assert_eq!(
        decode(&text, &[]),
        Err(TextError::UnknownDictionary { id: 0x0BAD_D1C7 })
    );
    assert!(decode(&text, &[])
        .unwrap_err()
        .to_string()
        .contains("0badd1c7"));

    // The right id, but bytes that are not the dictionary: the Adler-32 check fails.
    let impostor = Dictionary {
        bytes: b"not the dictionary",
        id: DICTIONARY_V1_ID,
    };
    assert_eq!(inflate(&stream, &[impostor]), Err(TextError::Zlib));

    // Header cut inside the dictionary id.
    assert_eq!(
        inflate(&stream[..4], KNOWN_DICTIONARIES),
        Err(TextError::ZlibHeader)
    );
    // No single-bit flip in the deflate body or the checksum yields other bytes: each is
    // caught, or (in the unused bits padding the last deflate byte) changes nothing.
    for i in 6..stream.len() {
        for bit in 0..8 {
            let mut bad = stream.clone();
            bad[i] ^= 1 << bit;
            match inflate(&bad, KNOWN_DICTIONARIES) {
                Err(_) => {}
                Ok(out) => assert_eq!(out, cose, "flip at {i}.{bit} went unnoticed"),
            }
        }
    }
    // Truncated anywhere.
    for cut in 6..stream.len() {
        assert!(
            inflate(&stream[..cut], KNOWN_DICTIONARIES).is_err(),
            "cut {cut}"
        );
    }
}

#[test]
fn rejects_wrong_prefix_bad_base45_unknown_form() {
    assert_eq!(decode("HC1:ABC", &[]), Err(TextError::NoPrefix));
    assert_eq!(
        decode("https://example.invalid", &[]),
        Err(TextError::NoPrefix)
    );
    assert_eq!(decode("VN1:abc", &[]), Err(TextError::Base45));
    assert_eq!(decode("VN1:GGW", &[]), Err(TextError::Base45)); // 3 chars over 65535
    let text = format!("VN1:{}", base45::encode([0x01, 0x02]));
    assert_eq!(
        decode(&text, &[]),
        Err(TextError::UnknownForm { first: Some(1) })
    );
    assert_eq!(
        decode("VN1:", &[]),
        Err(TextError::UnknownForm { first: None })
    );
    let long = format!("VN1:{}", "0".repeat(MAX_TEXT_LEN));
    assert!(matches!(decode(&long, &[]), Err(TextError::TooLong { .. })));
    // A long text that is not ours is still reported as not ours.
    let foreign = "x".repeat(MAX_TEXT_LEN * 2);
    assert_eq!(decode(&foreign, &[]), Err(TextError::NoPrefix));
}

#[test]
fn zlib_bomb_is_capped() {
    let bomb = deflate(&vec![0u8; 4 * 1024 * 1024], None, Effort::Best).unwrap();
    assert!(bomb.len() < 5_000, "{}", bomb.len());
    let text = format!("VN1:{}", base45::encode(&bomb));
    assert_eq!(decode(&text, &[]), Err(TextError::TooLarge));
    // Exactly at the cap is fine, one byte over is not.
    let at_cap = deflate(&vec![0xD2u8; MAX_INFLATED], None, Effort::Best).unwrap();
    assert_eq!(inflate(&at_cap, &[]).unwrap().len(), MAX_INFLATED);
    let over = deflate(&vec![0xD2u8; MAX_INFLATED + 1], None, Effort::Best).unwrap();
    assert_eq!(inflate(&over, &[]), Err(TextError::TooLarge));
}

#[test]
fn truncated_and_trailing_zlib_rejected() {
    let z = deflate(&fake_cose(300, 3), None, Effort::Best).unwrap();
    for cut in [2, 3, z.len() / 2, z.len() - 1] {
        assert!(inflate(&z[..cut], &[]).is_err(), "cut at {cut}");
    }
    let mut trailing = z.clone();
    trailing.push(0);
    assert_eq!(inflate(&trailing, &[]), Err(TextError::Zlib));
    let mut bad_check = z.clone();
    let last = bad_check.len() - 1;
    bad_check[last] ^= 1;
    assert_eq!(inflate(&bad_check, &[]), Err(TextError::Zlib));
    assert_eq!(inflate(&[0x78, 0x00], &[]), Err(TextError::ZlibHeader));
    assert_eq!(inflate(&[0x78], &[]), Err(TextError::ZlibHeader));
}

proptest! {
    #[test]
    fn encode_decode_round_trip(body in proptest::collection::vec(any::<u8>(), 0..1500), zlib_hint in 0u8..3) {
        let mut cose = vec![0xD2];
        // Make some inputs compressible so both forms are exercised.
        cose.extend(body.iter().map(|b| if zlib_hint == 0 { b % 4 } else { *b }));
        let kind = if zlib_hint == 2 { Kind::Presentation } else { Kind::Credential };
        let text = encode(kind, &cose, None);
        prop_assert_eq!(decode(&text, &[]).unwrap(), (kind, cose));
    }

    #[test]
    fn decode_never_panics(text in "\\PC{0,300}") {
        let _ = decode(&text, &[]);
        let _ = decode(&format!("VN1:{text}"), &[]);
    }

    #[test]
    fn inflate_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut b = bytes;
        if b.len() >= 2 { b[0] = 0x78; b[1] = 0x9C; }
        let _ = inflate(&b, &[]);
    }
}
