//! Unit tests of the Rust API the wasm-bindgen exports wrap.
use super::*;

/// A file of the repository's test vectors (test-vectors/).
fn vector(name: &str) -> Vec<u8> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/");
    std::fs::read(format!("{dir}{name}")).unwrap()
}

/// The vectors' root key and bundle, and a page verifier built from them.
fn bundled() -> (Vec<u8>, Vec<u8>, WebVerifier) {
    let (root, bundle) = (vector("root.pub"), vector("bundle.cbor"));
    let v = WebVerifier::with_bundle(&root, &bundle).unwrap();
    (root, bundle, v)
}

#[test]
fn root_key_forms() {
    let raw = [
        0xd0, 0x4a, 0xb2, 0x32, 0x74, 0x2b, 0xb4, 0xab, 0x3a, 0x13, 0x68, 0xbd, 0x46, 0x15, 0xe4,
        0xe6, 0xd0, 0x22, 0x4a, 0xb7, 0x1a, 0x01, 0x6b, 0xaf, 0x85, 0x20, 0xa3, 0x32, 0xc9, 0x77,
        0x87, 0x37,
    ];
    let pem = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../test-vectors/root.pub"
    ))
    .unwrap();
    let from_pem = parse_root(&pem).unwrap();
    assert_eq!(from_pem.to_bytes(), parse_root(&raw).unwrap().to_bytes());
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(parse_root(hex.as_bytes()).unwrap().to_bytes(), raw);
    assert!(parse_root(b"").is_err());
    assert!(parse_root(&[0u8; 31]).is_err());
    assert!(parse_root(&vec![b'A'; 5000]).is_err());
    assert!(parse_root(&pem[..pem.len() / 2]).is_err());
}

#[test]
fn verify_never_fails_on_odd_text() {
    let (root, bundle, v) = bundled();
    for text in [
        "",
        "VN1:",
        "VP1:%%",
        "https://example.invalid",
        &"9".repeat(20_000),
    ] {
        let r = v.verify_value(text, 1_795_392_000).unwrap();
        assert_eq!(r["valid"], Value::Bool(false), "{text:.20}");
        assert!(r["reason"].is_string());
    }
    assert!(WebVerifier::with_bundle(&root, &bundle[..bundle.len() - 1]).is_err());
}

#[test]
fn seen_state_refuses_older_data() {
    let (_, _, v) = bundled();
    assert_eq!(v.root_key().len(), 64);
    // The bundle's lists are checked when first needed; listing them runs every check, so the
    // state below records them all.
    assert!(v.verifier().unwrap().status_lists().count() > 0);
    // A fresh device accepts it and records it; the same data again is not older.
    assert_eq!(v.check_seen(None).unwrap(), None);
    let state = v.record_seen(None).unwrap();
    assert_eq!(v.check_seen(Some(&state)).unwrap(), None);
    assert_eq!(v.record_seen(Some(&state)).unwrap(), state);
    let recorded = SeenState::from_bytes(&state).unwrap();
    let sequence = v.verifier().unwrap().trust_list().sequence;
    assert_eq!(recorded.trust_sequence, sequence);
    assert!(!recorded.status_issued_at.is_empty());

    // A device that has used a later trust list refuses this one.
    let mut newer = recorded.clone();
    newer.trust_sequence = sequence + 1;
    let r = v.check_seen(Some(&newer.to_bytes())).unwrap().unwrap();
    assert_eq!(r["kind"], "trust_list");
    assert_eq!(r["seen"], json!(sequence + 1));
    assert_eq!(r["offered"], json!(sequence));
    assert!(v.record_seen(Some(&newer.to_bytes())).is_err());

    // ... and one that has used a later status list for a uri refuses this one's.
    let mut newer = recorded.clone();
    let ((_, uri), iat) = newer.status_issued_at.iter_mut().next().unwrap();
    let uri = uri.clone();
    let offered = *iat;
    *iat += 60;
    let r = v.check_seen(Some(&newer.to_bytes())).unwrap().unwrap();
    assert_eq!(r["kind"], "status_list");
    assert_eq!(r["uri"], json!(uri));
    assert_eq!(r["offered_seconds"], json!(offered));
    assert_eq!(r["seen_seconds"], json!(offered + 60));
    assert_eq!(r["seen"], json!(rfc3339(offered + 60)));
    assert!(v.record_seen(Some(&newer.to_bytes())).is_err());

    // Unreadable state is an error, not a silent fresh start.
    assert!(v.check_seen(Some(b"not cbor")).is_err());
    assert!(v.record_seen(Some(&[])).is_err());
}

#[test]
fn a_bundle_loads_its_lists_deferred_and_a_device_remembers_only_checked_ones() {
    let (_, _, v) = bundled();
    let held = v.verifier().unwrap().status_list_count();
    assert!(held > 0);
    // Nothing used yet: the state records the trust list and no status list.
    let state = SeenState::from_bytes(&v.record_seen(None).unwrap()).unwrap();
    assert!(state.status_issued_at.is_empty(), "{state:?}");
    // A valid code with a status entry checks its list; then that list is remembered.
    let status: Value = serde_json::from_slice(&vector("status.json")).unwrap();
    let valid = status["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["verdict"] == "valid" && x["accept_missing_status"] != true)
        .unwrap();
    let r = v
        .verify_value(
            valid["text"].as_str().unwrap(),
            valid["at"].as_i64().unwrap(),
        )
        .unwrap();
    assert_eq!(r["verdict"], "valid", "{r}");
    let uri = r["status_list"]["uri"].as_str().unwrap().to_owned();
    let state = SeenState::from_bytes(&v.record_seen(None).unwrap()).unwrap();
    assert_eq!(state.status_issued_at.len(), 1, "{state:?}");
    assert!(state.status_issued_at.keys().any(|(_, u)| *u == uri));
    // Listing them checks the rest: all remembered.
    assert_eq!(v.verifier().unwrap().status_lists().count(), held);
    let state = SeenState::from_bytes(&v.record_seen(None).unwrap()).unwrap();
    assert_eq!(state.status_issued_at.len(), held);
}

#[test]
fn accept_seen_refuses_older_data_and_data_from_the_future_in_one_step() {
    let (_, _, v) = bundled();
    let trust = v.verifier().unwrap().trust_list().clone();
    let now = 1_795_392_000; // the vectors' time: a day after the lists were published
    let state = v.accept_seen(None, now).unwrap().unwrap();
    assert_eq!(state, v.record_seen(None).unwrap());
    // Again with that state: accepted, same bytes.
    assert_eq!(v.accept_seen(Some(&state), now).unwrap().unwrap(), state);
    // A device clock years before the data was signed: refused as from the future.
    let refused = v
        .accept_seen(None, trust.issued_at - 10 * 365 * 86_400)
        .unwrap()
        .unwrap_err();
    assert_eq!(refused["kind"], "from_future");
    // A device that used a later trust list: refused as a rollback.
    let mut newer = SeenState::from_bytes(&state).unwrap();
    newer.trust_sequence += 1;
    let refused = v
        .accept_seen(Some(&newer.to_bytes()), now)
        .unwrap()
        .unwrap_err();
    assert_eq!(refused["kind"], "trust_list");
    assert!(v.accept_seen(Some(b"junk"), now).is_err());
}

#[cfg(feature = "full")]
#[test]
fn prefill_fills_from_valid_codes_only() {
    let (_, _, v) = bundled();
    let status: Value = serde_json::from_slice(&vector("status.json")).unwrap();
    let text = |name: &str| {
        status["vectors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == name)
            .unwrap()["text"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let form = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../forms/hotel-guest-stay.json"
    ))
    .unwrap();
    let at = 1_795_392_000;
    let out = v
        .prefill_value(&form, &[text("status_valid"), text("status_held")], at)
        .unwrap();
    assert_eq!(out["results"][0]["verdict"], "valid");
    assert_eq!(out["results"][1]["verdict"], "held");
    let fields = out["form"]["fields"].as_array().unwrap();
    assert_eq!(fields[0]["value"], "TRẦN THỊ MẪU");
    assert_eq!(fields[0]["source"], "cccd.full_name");
    // The held licence filled nothing: the document number comes from the CCCD.
    let doc = fields.iter().find(|f| f["id"] == "document").unwrap();
    assert_eq!(doc["source"], "cccd.id_number");
    // Only the held licence: nothing at all.
    let out = v.prefill_value(&form, &[text("status_held")], at).unwrap();
    assert!(out["form"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["value"].is_null()));
    // A form description that is not valid is an error naming what is wrong.
    let err = v.prefill_value("{}", &[], at).unwrap_err();
    assert!(err.contains("giayto_form is missing"), "{err}");
}

/// `parse_root` reads a PEM root key exactly as `DecodePublicKey::from_public_key_pem` (the
/// reader it replaced, D182) on the valid key and on PEM texts that differ from it in each
/// DER byte, in length, in algorithm, in label, in line breaks and in wrapping.
#[test]
fn root_pem_is_read_as_spki_reader_reads_it() {
    use ed25519_dalek::pkcs8::{DecodePublicKey, EncodePublicKey};
    use pem_rfc7468::LineEnding;
    let oracle = |text: &str| {
        VerifyingKey::from_public_key_pem(text.trim())
            .ok()
            .map(|k| k.to_bytes())
    };
    let ours = |text: &str| parse_root(text.as_bytes()).ok().map(|k| k.to_bytes());
    let key = parse_root(&[
        0xd0, 0x4a, 0xb2, 0x32, 0x74, 0x2b, 0xb4, 0xab, 0x3a, 0x13, 0x68, 0xbd, 0x46, 0x15, 0xe4,
        0xe6, 0xd0, 0x22, 0x4a, 0xb7, 0x1a, 0x01, 0x6b, 0xaf, 0x85, 0x20, 0xa3, 0x32, 0xc9, 0x77,
        0x87, 0x37,
    ])
    .unwrap();
    let pem = key.to_public_key_pem(LineEnding::LF).unwrap();
    let der = key.to_public_key_der().unwrap().as_bytes().to_vec();
    assert_eq!(der[..12], ED25519_SPKI_PREFIX);
    let mut texts: Vec<String> = vec![
        pem.clone(),
        pem.replace('\n', "\r\n"),
        pem.trim_end().to_owned(),
        format!("\n\n{pem}\n\n"),
        pem.replace("PUBLIC KEY", "PRIVATE KEY"),
        pem.replace("PUBLIC KEY", "public key"),
        pem.replace("-----\n", "-----\n\n"),
        pem.replace("-----\n", "-----\nProc-Type: 4,ENCRYPTED\n\n"),
        pem.replacen('\n', " \n", 2),
        pem.replace('\n', "\n "),
        format!("{pem}{pem}"),
        format!("text before\n{pem}"),
    ];
    // Every DER byte changed, the DER cut short or grown, and other algorithms and layouts.
    let mut ders: Vec<Vec<u8>> = Vec::new();
    for i in 0..der.len() {
        for x in [0x00, 0x01, 0x80, 0xff] {
            let mut d = der.clone();
            d[i] ^= x;
            ders.push(d);
        }
    }
    for n in 0..der.len() {
        ders.push(der[..n].to_vec());
    }
    ders.push([der.as_slice(), &[0]].concat());
    let mut x25519 = der.clone();
    x25519[8] = 0x6e; // OID 1.3.101.110
    ders.push(x25519);
    // AlgorithmIdentifier with NULL parameters; the BIT STRING with one unused bit.
    let mut with_null = vec![
        0x30, 0x2c, 0x30, 0x07, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x05, 0x00,
    ];
    with_null.extend_from_slice(&der[9..]);
    ders.push(with_null);
    let mut unused = der.clone();
    unused[11] = 1;
    ders.push(unused);
    // Long-form lengths (not DER).
    let mut long = vec![0x30, 0x81, 0x2a];
    long.extend_from_slice(&der[2..]);
    ders.push(long);
    for d in &ders {
        for label in ["PUBLIC KEY", "ED25519 PUBLIC KEY"] {
            texts.push(pem_rfc7468::encode_string(label, LineEnding::LF, d).unwrap());
        }
    }
    // The base64 wrapped at other widths.
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    for width in [4, 16, 60, 63, 76] {
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(width)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        texts.push(format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            lines.join("\n")
        ));
    }
    let mut accepted = 0;
    for text in &texts {
        let want = oracle(text);
        assert_eq!(ours(text), want, "{text:?}");
        accepted += usize::from(want.is_some());
    }
    // The valid key in its accepted layouts, and some of the changed ones, are accepted.
    assert!(accepted >= 5, "{accepted} accepted");
    assert_eq!(ours(&pem), Some(key.to_bytes()));
}

/// `verify` gives `check`'s result for every vector; the page's first-load build (without
/// `full`) gives `needs_complete_module` in its place for exactly the presentations and Claim 169
/// codes `check_static` leaves to `check` (D189). Run both ways: `cargo test -p
/// giayto-verify-wasm` and `cargo test -p giayto-verify-wasm --no-default-features`.
#[test]
fn verify_is_check_and_the_lite_build_leaves_presentations_to_the_complete_module() {
    let root = vector("root.pub");
    let trust = vector("trust.cwt");
    let v = WebVerifier::with_trust_list(&root, &trust).unwrap();
    let inner = v.verifier().unwrap();
    let (mut same, mut left) = (0, 0);
    for file in ["credentials.json", "presentations.json", "claim169.json"] {
        let json: Value = serde_json::from_slice(&vector(file)).unwrap();
        for vector in json["vectors"].as_array().unwrap() {
            let text = vector["text"].as_str().unwrap();
            let at = vector["at"].as_i64().unwrap();
            let got = v.verify_value(text, at).unwrap();
            let full = result_json(&inner.check(text, at), None);
            if cfg!(not(feature = "full")) && inner.check_static(text, at).is_none() {
                assert_eq!(got, json!({ "needs_complete_module": true }), "{text:.40}");
                left += 1;
            } else {
                assert_eq!(got, full, "{text:.40}");
                same += 1;
            }
        }
    }
    assert!(same >= 40, "{same}");
    if cfg!(feature = "full") {
        assert_eq!(left, 0);
    } else {
        assert!(left >= 5, "{left}");
    }
}
