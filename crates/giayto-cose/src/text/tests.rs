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

/// A small deterministic generator for the comparisons below (splitmix64).
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Inputs of every shape the level-9 search treats differently: random bytes, few distinct
/// bytes (long chains), runs and periodic copies (long and maximal matches, lazy choices),
/// pieces of the dictionary with random bytes between (matches into the dictionary, chain
/// switches), and mutated credential-like bytes; from 1 byte to the 8 KiB limit.
fn oracle_inputs(seed: u64, count: usize) -> Vec<Vec<u8>> {
    let mut r = Mix(seed);
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let len = match i % 10 {
            0 => 1 + r.below(8),
            9 => 1 + r.below(deflate9::MAX_INPUT),
            _ => 1 + r.below(900),
        };
        let v: Vec<u8> = match i % 6 {
            0 => (0..len).map(|_| r.next() as u8).collect(),
            1 => {
                let k = 1 + r.below(6);
                (0..len).map(|_| b"aAbB0 "[r.below(k)]).collect()
            }
            2 => {
                let period = 1 + r.below(40);
                let unit: Vec<u8> = (0..period).map(|_| r.next() as u8).collect();
                (0..len)
                    .map(|j| {
                        if r.below(50) == 0 {
                            r.next() as u8
                        } else {
                            unit[j % period]
                        }
                    })
                    .collect()
            }
            3 | 4 => {
                let mut v = Vec::with_capacity(len);
                while v.len() < len {
                    if r.below(3) == 0 {
                        v.extend((0..1 + r.below(12)).map(|_| r.next() as u8));
                    } else {
                        let at = r.below(DICTIONARY_V1_BYTES.len());
                        let n = (1 + r.below(40)).min(DICTIONARY_V1_BYTES.len() - at);
                        v.extend_from_slice(&DICTIONARY_V1_BYTES[at..at + n]);
                    }
                }
                v.truncate(len);
                v
            }
            _ => {
                let mut v = credential_like();
                v.extend((0..r.below(64)).map(|_| r.next() as u8));
                for _ in 0..r.below(4) {
                    let at = r.below(v.len());
                    v[at] = r.next() as u8;
                }
                v.extend_from_within(..r.below(v.len()));
                v
            }
        };
        out.push(v);
    }
    out
}

#[test]
fn primed_level_9_gives_the_bytes_of_flate2() {
    let other_bytes: Vec<u8> = oracle_inputs(7, 12).concat();
    let other = Dictionary::new(&other_bytes[..other_bytes.len().min(9_000)]);
    let tiny = Dictionary::new(b"abc");
    let inputs = oracle_inputs(1, 1_500);
    let mut compared = 0;
    for (i, input) in inputs.iter().enumerate() {
        // Alternate the dictionaries so each primed state is restored and re-primed.
        let dictionary = match i % 4 {
            0 => None,
            1 | 2 => Some(&DICTIONARY_V1),
            _ if i % 8 == 3 => Some(&other),
            _ => Some(&tiny),
        };
        let ours = deflate_best_primed(input, dictionary).expect("within the limits");
        let reference = deflate_flate2(input, dictionary, Effort::Best).unwrap();
        assert_eq!(
            ours,
            reference,
            "input {i} ({} bytes), dictionary {:?}",
            input.len(),
            dictionary.map(|d| d.id())
        );
        compared += 1;
    }
    assert_eq!(compared, inputs.len());
    // Outside the limits the flate2 stream is used, and still inflates.
    let big = vec![7u8; deflate9::MAX_INPUT + 1];
    assert_eq!(deflate_best_primed(&big, None), None);
    assert_eq!(deflate_best_primed(&[], None), None);
    let stream = deflate(&big, None, Effort::Best).unwrap();
    assert_eq!(inflate(&stream, &[]).unwrap(), big);
}

#[test]
fn plain_bound_never_exceeds_a_plain_stream() {
    for (i, input) in oracle_inputs(2, 1_200).iter().enumerate() {
        let bound = plain_zlib_lower_bound(input).expect("within the limit");
        let quick = deflate_flate2(input, None, Effort::Quick).unwrap().len();
        let best = deflate_flate2(input, None, Effort::Best).unwrap().len();
        assert!(
            bound <= quick.min(best),
            "input {i}: bound {bound}, level 1 {quick}, level 9 {best}"
        );
    }
    // Random bytes: every byte is a literal, and the bound is within a few percent of the
    // stream (it is what lets a credential skip the plain attempts).
    let mut r = Mix(3);
    let random: Vec<u8> = (0..400).map(|_| r.next() as u8).collect();
    let bound = plain_zlib_lower_bound(&random).unwrap();
    let best = deflate_flate2(&random, None, Effort::Best).unwrap().len();
    assert!(bound * 100 >= best * 90, "{bound} vs {best}");
    // The same at the largest input the bound takes.
    let random: Vec<u8> = (0..deflate9::MAX_INPUT).map(|_| r.next() as u8).collect();
    let bound = plain_zlib_lower_bound(&random).unwrap();
    let best = deflate_flate2(&random, None, Effort::Best).unwrap().len();
    assert!(bound * 100 >= best * 90, "{bound} vs {best}");
    assert_eq!(
        plain_zlib_lower_bound(&vec![0; deflate9::MAX_INPUT + 1]),
        None
    );
}

/// The encoder as it was before the primed compressor and the bound: every deflate by
/// flate2, both plain attempts always considered.
fn encode_reference(cose: &[u8], dictionary: &Dictionary<'_>) -> (Vec<u8>, Form) {
    let mut best = (cose.to_vec(), Form::Raw);
    let mut consider = |bytes: Option<Vec<u8>>, form: Form| {
        if let Some(bytes) = bytes {
            if bytes.len() < best.0.len() {
                best = (bytes, form);
            }
        }
    };
    let with_dictionary = deflate_flate2(cose, Some(dictionary), Effort::Best);
    let quick = deflate_flate2(cose, None, Effort::Quick);
    let plain_may_win = match (&quick, &with_dictionary) {
        (Some(q), Some(w)) => q.len() <= w.len() + w.len() / 4,
        _ => true,
    };
    consider(quick, Form::Zlib);
    if plain_may_win {
        consider(deflate_flate2(cose, None, Effort::Best), Form::Zlib);
    }
    consider(with_dictionary, Form::ZlibDictionary(dictionary.id));
    best
}

#[test]
fn encode_gives_the_bytes_of_the_reference_encoder() {
    let mut forms = [0usize; 3];
    for (i, input) in oracle_inputs(4, 1_500).iter().enumerate() {
        let (text, form) = encode_with_form(Kind::Credential, input, Some(&DICTIONARY_V1));
        let (bytes, reference_form) = encode_reference(input, &DICTIONARY_V1);
        assert_eq!(form, reference_form, "input {i}");
        assert_eq!(text, format!("VN1:{}", base45::encode(&bytes)), "input {i}");
        forms[match form {
            Form::Raw => 0,
            Form::Zlib => 1,
            Form::ZlibDictionary(_) => 2,
        }] += 1;
    }
    assert!(
        forms.iter().all(|&n| n > 50),
        "every form chosen: {forms:?}"
    );
}

/// The plain-stream bound the primed compressor gives from its own hash insertions.
fn primed_bound(input: &[u8], dictionary: &[u8]) -> Option<usize> {
    let mut d = deflate9::Deflater::new(dictionary).unwrap();
    d.deflate(input)?;
    d.plain_bound(input)
}

#[test]
fn primed_plain_bound_is_a_lower_bound_and_no_stronger_than_the_exact_one() {
    for (i, input) in oracle_inputs(5, 600).iter().enumerate() {
        let exact = plain_zlib_lower_bound(input).unwrap();
        let primed = primed_bound(input, DICTIONARY_V1_BYTES).unwrap();
        let quick = deflate_flate2(input, None, Effort::Quick).unwrap().len();
        let best = deflate_flate2(input, None, Effort::Best).unwrap().len();
        assert!(primed <= exact, "input {i}: primed {primed}, exact {exact}");
        assert!(
            primed <= quick.min(best),
            "input {i}: {primed}, {quick}, {best}"
        );
    }
    // No dictionary: position 0 and "no earlier string" look alike in the hash heads.
    assert_eq!(primed_bound(b"abcabcabc", b""), None);
}

#[test]
fn primed_plain_bound_still_rules_out_the_plain_streams_of_a_credential() {
    // A credential's shape: Vietnamese text the dictionary knows, then a 32-byte key, a
    // 10-byte serial and a 64-byte signature of random bytes.
    let mut r = Mix(11);
    let mut cose = credential_like();
    cose.extend((0..106).map(|_| r.next() as u8));
    let stream = deflate_best_primed(&cose, Some(&DICTIONARY_V1)).unwrap();
    let primed = primed_bound(&cose, DICTIONARY_V1_BYTES).unwrap();
    let exact = plain_zlib_lower_bound(&cose).unwrap();
    assert!(
        primed > stream.len(),
        "bound {primed} vs dictionary stream {}",
        stream.len()
    );
    assert!(
        exact - primed <= exact / 20,
        "primed {primed} vs exact {exact}"
    );
}

#[test]
fn prefixed_base45_is_the_base45_crates_encoding() {
    // Every 2-byte group, then inputs of every length up to 700 (odd and even tails).
    let all_pairs: Vec<u8> = (0..=u16::MAX).flat_map(|v| v.to_be_bytes()).collect();
    let ours = prefixed_base45("VN1:", &all_pairs);
    assert_eq!(
        ours,
        format!("VN1:{}", base45::encode(&all_pairs)).into_bytes()
    );
    let mut state = 0x1234_5678_u32;
    for len in 0..700 {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                state as u8
            })
            .collect();
        for prefix in ["", "VP1:"] {
            assert_eq!(
                prefixed_base45(prefix, &bytes),
                format!("{prefix}{}", base45::encode(&bytes)).into_bytes(),
                "length {len}"
            );
        }
    }
}
