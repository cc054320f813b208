//! The trust list's caps, at the limit and just over: number of issuers, doc types per issuer,
//! text lengths, and the size of the signed list.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

use ed25519_dalek::SigningKey;
use giayto_trust::{IssuerEntry, TrustError, TrustList, MAX_ISSUERS, MAX_TRUST_LIST_BYTES};

fn entry(i: usize) -> IssuerEntry {
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
    IssuerEntry {
        id: format!("VN.CA.{i:04}"),
        name_vi: format!("Công an tỉnh số {i}"),
        name_en: Some(format!("Provincial Police {i}")),
        public_key: SigningKey::from_bytes(&seed).verifying_key().to_bytes(),
        doc_types: vec![1, 2, 3],
        not_before: 1_700_000_000,
        not_after: 2_000_000_000,
        status_uri_prefix: Some(format!("https://status.example.invalid/ca{i:04}/")),
    }
}

fn list(issuers: Vec<IssuerEntry>) -> TrustList {
    TrustList {
        root_id: "VN.ROOT".into(),
        sequence: 9,
        issued_at: 1_790_000_000,
        expires_at: 1_792_592_000,
        issuers,
        withdrawn: Default::default(),
    }
}

fn root() -> SigningKey {
    SigningKey::from_bytes(&[1; 32])
}

#[test]
fn issuer_count_at_and_over() {
    let at = list((0..MAX_ISSUERS).map(entry).collect());
    let signed = at.sign(&root()).unwrap();
    assert!(
        signed.len() > 64 * 1024,
        "a full list is larger than a credential may be"
    );
    assert!(signed.len() <= MAX_TRUST_LIST_BYTES);
    let back = TrustList::verify(&signed, &root().verifying_key()).unwrap();
    assert_eq!(back.issuers.len(), MAX_ISSUERS);
    assert!(back.find(&entry(MAX_ISSUERS - 1).kid()).is_some());

    let over = list((0..=MAX_ISSUERS).map(entry).collect());
    assert_eq!(
        TrustList::verify(&over.sign(&root()).unwrap(), &root().verifying_key()),
        Err(TrustError::Payload { what: "issuers" })
    );
}

#[test]
fn doc_types_at_and_over() {
    let mut e = entry(1);
    e.doc_types = (0..64).collect();
    let ok = list(vec![e.clone()]).sign(&root()).unwrap();
    assert!(TrustList::verify(&ok, &root().verifying_key()).is_ok());
    e.doc_types.push(64);
    let over = list(vec![e]).sign(&root()).unwrap();
    assert_eq!(
        TrustList::verify(&over, &root().verifying_key()),
        Err(TrustError::Payload {
            what: "issuer doc types"
        })
    );
}

#[test]
fn text_lengths_at_and_over() {
    type Set = fn(&mut IssuerEntry, String);
    let cases: [(Set, &str); 4] = [
        (|e, t| e.id = t, "issuer id"),
        (|e, t| e.name_vi = t, "issuer name"),
        (|e, t| e.name_en = Some(t), "issuer English name"),
        (|e, t| e.status_uri_prefix = Some(t), "status uri prefix"),
    ];
    for (set, what) in cases {
        let mut e = entry(2);
        // 128 two-byte characters: 256 bytes.
        set(&mut e, "ư".repeat(128));
        let ok = list(vec![e.clone()]).sign(&root()).unwrap();
        assert!(
            TrustList::verify(&ok, &root().verifying_key()).is_ok(),
            "{what}"
        );
        set(&mut e, format!("{}a", "ư".repeat(128)));
        let over = list(vec![e.clone()]).sign(&root()).unwrap();
        assert_eq!(
            TrustList::verify(&over, &root().verifying_key()),
            Err(TrustError::Payload { what }),
            "{what}"
        );
        set(&mut e, String::new());
        let empty = list(vec![e]).sign(&root()).unwrap();
        assert_eq!(
            TrustList::verify(&empty, &root().verifying_key()),
            Err(TrustError::Payload { what }),
            "{what} empty"
        );
    }
}

#[test]
fn signed_list_size_cap() {
    // Bytes past the cap are refused before any parsing, whatever they hold.
    let big = vec![0xD2; MAX_TRUST_LIST_BYTES + 1];
    assert!(matches!(
        TrustList::verify(&big, &root().verifying_key()),
        Err(TrustError::Cose(giayto_cose::sign1::CoseError::Cbor(
            giayto_cose::cbor::CborError::TooLarge { .. }
        )))
    ));
}
