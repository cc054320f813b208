//! Unit tests of one-time copies.
use super::super::tests::{document, issuer_dir, NOW};
use super::*;
use crate::registry::{Action, Target};
use giayto_cose::claims::CredentialClaims;
use giayto_cose::sign1::Sign1;
use giayto_cose::CREDENTIAL_TYP;

fn claims(cose: &[u8]) -> (CredentialClaims, giayto_cose::sd::Hash) {
    let signed = Sign1::parse(cose, CREDENTIAL_TYP).unwrap();
    giayto_cose::sd::parse_sd_claims(signed.payload()).unwrap()
}

fn keys(first: u8, n: u8) -> Vec<[u8; 32]> {
    (first..first + n).map(|i| [i; 32]).collect()
}

fn options(n: u8) -> IssueOptions {
    IssueOptions {
        holder_key: Some([7; 32]),
        one_time_keys: keys(0x40, n),
        ..IssueOptions::default()
    }
}

#[test]
fn each_copy_has_its_own_serial_key_salts_root_and_status_entry() {
    let (_tmp, dir, pass) = issuer_dir();
    let mut issuer = Issuer::open(&dir, &pass).unwrap();
    let doc = document();
    let issued = issuer.issue(&doc, &options(5), NOW).unwrap();
    assert_eq!(issued.copies.len(), 5);
    let full = Sign1::parse(&issued.cose, CREDENTIAL_TYP).unwrap();
    let full = CredentialClaims::from_bytes(full.payload()).unwrap();
    let mut seen_serials = vec![full.serial.clone()];
    let mut seen_idx = vec![full.status.clone().unwrap().idx];
    let mut seen_roots = Vec::new();
    let mut seen_iat = Vec::new();
    for (c, key) in issued.copies.iter().zip(keys(0x40, 5)) {
        let (cl, root) = claims(&c.copy.credential);
        assert_eq!(root, c.copy.root());
        assert_eq!(cl.serial, c.serial);
        assert_eq!(cl.holder_key, Some(key));
        assert_eq!(cl.status.as_ref().unwrap().idx, c.slot.index);
        // Its own iat, a little after the document's; exp at the midnight before the
        // document's; the same card behind every copy.
        assert!((full.issued_at..=full.issued_at + COPY_IAT_SPREAD).contains(&cl.issued_at));
        assert!(!seen_iat.contains(&cl.issued_at));
        seen_iat.push(cl.issued_at);
        assert!(full.expires_at - cl.expires_at < 86_400);
        assert_eq!((cl.expires_at + VIETNAM_UTC_OFFSET) % 86_400, 0);
        assert_eq!(cl.document.doc_type, full.document.doc_type);
        assert_eq!(
            c.copy.entry(3).unwrap().value,
            issued.copies[0].copy.entry(3).unwrap().value
        );
        assert!(!seen_serials.contains(&cl.serial));
        assert!(!seen_idx.contains(&c.slot.index));
        assert!(!seen_roots.contains(&root));
        seen_serials.push(cl.serial);
        seen_idx.push(c.slot.index);
        seen_roots.push(root);
        let record = issuer.registry().get(&c.serial).unwrap().unwrap();
        assert_eq!(record.copy_of.as_deref(), Some(issued.serial.as_slice()));
    }
    // Salts differ between copies.
    assert_ne!(
        issued.copies[0].copy.entry(3).unwrap().salt,
        issued.copies[1].copy.entry(3).unwrap().salt
    );
    // Revoking the document sets the bit of every copy in the published list.
    issuer
        .change_status(
            &Target::Serial(issued.serial.clone()),
            Action::Revoke,
            "mất",
            NOW,
        )
        .unwrap();
    let published = issuer.publish(NOW, 86_400, None).unwrap();
    assert_eq!(published[0].revoked, 6);
}

#[test]
fn keys_must_be_distinct_bound_and_few_enough_and_nothing_is_recorded_otherwise() {
    let (_tmp, dir, pass) = issuer_dir();
    let mut issuer = Issuer::open(&dir, &pass).unwrap();
    let doc = document();
    let mut repeated = options(3);
    repeated.one_time_keys.push([0x41; 32]);
    let mut holder_again = options(2);
    holder_again.one_time_keys.push([7; 32]);
    let unbound = IssueOptions {
        holder_key: None,
        ..options(2)
    };
    let too_many = IssueOptions {
        one_time_keys: (0..=giayto_cose::copies::MAX_COPIES)
            .map(|i| {
                [
                    (i % 250) as u8,
                    (i / 250) as u8,
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                    1,
                ]
            })
            .collect(),
        ..options(0)
    };
    assert!(matches!(
        issuer.issue(&doc, &repeated, NOW),
        Err(IssuerError::RepeatedHolderKey)
    ));
    assert!(matches!(
        issuer.issue(&doc, &holder_again, NOW),
        Err(IssuerError::RepeatedHolderKey)
    ));
    assert!(matches!(
        issuer.issue(&doc, &unbound, NOW),
        Err(IssuerError::NotHolderBound)
    ));
    assert!(matches!(
        issuer.issue(&doc, &too_many, NOW),
        Err(IssuerError::TooManyCopies { asked: 101 })
    ));
    assert_eq!(issuer.registry().count().unwrap(), 0);
}

#[test]
fn new_copies_join_a_recorded_document_and_a_batch_re_signs_its_copies() {
    let (_tmp, dir, pass) = issuer_dir();
    let mut issuer = Issuer::open(&dir, &pass).unwrap();
    let doc = document();
    let issued = issuer.issue(&doc, &options(2), NOW).unwrap();
    let later = NOW + 86_400;
    let fresh = issuer
        .issue_copies(&doc, &issued.serial, &keys(0x60, 3), later)
        .unwrap();
    assert_eq!(fresh.len(), 3);
    let (cl, _) = claims(&fresh[0].copy.credential);
    assert!((later..=later + COPY_IAT_SPREAD).contains(&cl.issued_at));
    assert!(
        cl.expires_at <= issued.expires_at,
        "copies expire with the document"
    );
    assert!(issued.expires_at - cl.expires_at < 86_400);
    assert_eq!(issuer.registry().copies(&issued.serial).unwrap().len(), 5);
    // A key already used by this document, another card's data, a copy's serial, an unknown
    // serial: refused, nothing recorded.
    let count = issuer.registry().count().unwrap();
    assert!(matches!(
        issuer.issue_copies(&doc, &issued.serial, &keys(0x41, 1), later),
        Err(IssuerError::RepeatedHolderKey)
    ));
    assert!(matches!(
        issuer.issue_copies(&doc, &issued.serial, &[[7; 32]], later),
        Err(IssuerError::RepeatedHolderKey)
    ));
    let other_type = giayto_model::DocType::Gplx;
    let other = Document::from_json(other_type, &giayto_model::sample_input(other_type)).unwrap();
    assert!(matches!(
        issuer.issue_copies(&other, &issued.serial, &keys(0x70, 1), later),
        Err(IssuerError::DocumentMismatch)
    ));
    assert!(matches!(
        issuer.issue_copies(&doc, &fresh[0].serial, &keys(0x70, 1), later),
        Err(IssuerError::Registry(RegistryError::NotADocument(_)))
    ));
    assert!(matches!(
        issuer.issue_copies(&doc, &[0x55; 10], &keys(0x70, 1), later),
        Err(IssuerError::Registry(RegistryError::NotADocument(_)))
    ));
    assert!(matches!(
        issuer.issue_copies(&doc, &issued.serial, &keys(0x70, 1), issued.expires_at),
        Err(IssuerError::DocumentExpired)
    ));
    assert_eq!(issuer.registry().count().unwrap(), count);
    // Recovery signs the recorded copies again: same serials and entries, new salts.
    let record = issuer.registry().get(&issued.serial).unwrap().unwrap();
    let again = issuer.sign_copies(&doc, &record).unwrap();
    assert_eq!(again.len(), 5);
    let original = &issued.copies[0];
    let same = again.iter().find(|c| c.serial == original.serial).unwrap();
    assert_eq!(same.slot, original.slot);
    assert_ne!(same.copy.root(), original.copy.root());
    // Suspended: no new copies.
    issuer
        .change_status(
            &Target::Serial(issued.serial.clone()),
            Action::Suspend,
            "x",
            later,
        )
        .unwrap();
    assert!(matches!(
        issuer.issue_copies(&doc, &issued.serial, &keys(0x70, 1), later),
        Err(IssuerError::Registry(
            RegistryError::DocumentNotValid { .. }
        ))
    ));
}

#[test]
fn copy_times_are_distinct_seconds_after_now_and_expire_at_midnight() {
    let exp = NOW + 400 * 86_400 + 12_345;
    let times = copy_times(NOW, exp, 241).unwrap();
    let mut iats: Vec<i64> = times.iter().map(|t| t.0).collect();
    iats.sort_unstable();
    iats.dedup();
    assert_eq!(iats.len(), 241);
    assert_eq!((iats[0], iats[240]), (NOW, NOW + COPY_IAT_SPREAD));
    for (_, e) in &times {
        assert_eq!((e + VIETNAM_UTC_OFFSET) % 86_400, 0);
        assert!(exp - e < 86_400 && *e <= exp);
    }
    assert!(matches!(
        copy_times(NOW, exp, 242),
        Err(IssuerError::TooManyCopies { asked: 242 })
    ));
    // A credential that ends before the next midnight keeps its exp.
    let soon = NOW + 3600;
    let short = copy_times(NOW, soon, 3).unwrap();
    assert!(short.iter().all(|(i, e)| *e == soon || *e > *i));
}
