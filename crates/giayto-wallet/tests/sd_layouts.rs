//! Both selective-disclosure layouts in the wallet (docs/format.md §14.1, §14.5): copies issued
//! before layout 2 still present and verify; layout-2 copies present the ID number and name
//! with one seed on every type; a copy whose layout disagrees with its commitment is refused.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;
use common::{issuer, DAY, NOW};

use std::path::PathBuf;

use giayto_cose::sd::{self, Disclosures, HolderCopy, Layout};
use giayto_issuer::credential::{sign_credential, CredentialRequest};
use giayto_issuer::sd::{sign_sd_credential, sign_sd_credential_salted};
use giayto_model::{DocType, Document};
use giayto_verify::Verifier;
use giayto_wallet::{KdfParams, Unlock, Wallet, WalletError};

const PASSWORD: &str = "Ví-giấy-tờ-2026";
const PASSCODE: &str = "246810";

fn verifier() -> Verifier {
    common::verifier().accept_missing_status(true)
}

struct Fixture {
    _dir: tempfile::TempDir,
    wallet: Wallet,
    holder: [u8; 32],
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("w.giayto");
    let kdf = KdfParams::for_tests(64);
    Wallet::create(&path, "Nguyễn Văn An", PASSWORD, PASSCODE, kdf).unwrap();
    let wallet = Wallet::open_with_kdf(&path, Unlock::Password(PASSWORD), NOW, kdf).unwrap();
    let holder = wallet.persons().unwrap()[0].public_key();
    Fixture {
        _dir: dir,
        wallet,
        holder,
    }
}

/// The full credential of the sample `t` and its copy in `layout`.
fn pair(t: DocType, holder: [u8; 32], n: u8, layout: Layout) -> (Vec<u8>, HolderCopy) {
    let doc = Document::from_json(t, &giayto_model::sample_input(t)).unwrap();
    let request = CredentialRequest {
        document: &doc,
        serial: vec![n; 10],
        issued_at: NOW - DAY,
        not_before: None,
        expires_at: NOW + 365 * DAY,
        holder_key: Some(holder),
        assurance_level: 2,
        status: None,
    };
    let full = sign_credential(&issuer(), "VN.BCA.C06", &request).unwrap();
    let sign = match layout {
        Layout::Salted => sign_sd_credential_salted,
        _ => sign_sd_credential,
    };
    let copy = sign(&issuer(), "VN.BCA.C06", &request, &mut |b: &mut [u8]| {
        getrandom::getrandom(b).is_ok()
    })
    .unwrap();
    assert_eq!(copy.layout(), layout);
    (full, copy)
}

/// Store the copy, present `fields` (and an age), verify, and return the disclosed names and
/// the presentation's disclosures.
fn present(
    f: &mut Fixture,
    t: DocType,
    n: u8,
    layout: Layout,
    fields: &[&str],
    age: Option<u8>,
) -> (Vec<String>, Disclosures) {
    let (full, copy) = pair(t, f.holder, n, layout);
    let index = f.wallet.credentials().unwrap().len();
    f.wallet.add_credential(&full, NOW).unwrap();
    let issuer_key = issuer().verifying_key().to_bytes();
    f.wallet.attach_sd(index, copy, &issuer_key).unwrap();
    let p = f.wallet.presenter(index).unwrap();
    let fields: Vec<String> = fields.iter().map(|s| (*s).to_owned()).collect();
    let chosen = p.select(&fields, age).unwrap();
    let cose = p.sign_selected(&chosen, NOW, None).unwrap();
    let shown = verifier().verify_presentation_cose(&cose, NOW).unwrap();
    let names = shown
        .credential()
        .disclosed()
        .unwrap()
        .fields
        .iter()
        .map(|f| f.name.clone())
        .collect();
    let signed = giayto_cose::sign1::Sign1::parse(&cose, giayto_cose::PRESENTATION_TYP).unwrap();
    let payload =
        giayto_cose::presentation::PresentationPayload::from_bytes(signed.payload()).unwrap();
    (names, payload.disclosures.unwrap())
}

#[test]
fn a_layout_1_copy_still_presents_and_verifies() {
    let mut f = fixture();
    let (names, d) = present(
        &mut f,
        DocType::Cccd,
        1,
        Layout::Salted,
        &["full_name", "id_number"],
        Some(18),
    );
    assert_eq!(names, ["id_number", "full_name", "age_over_18"]);
    assert_eq!(d.layout(), Layout::Salted);
}

#[test]
fn layout_2_opens_id_number_and_name_with_one_seed_on_every_type() {
    let mut f = fixture();
    for (n, t, name, id) in [
        (10, DocType::Cccd, "full_name", "id_number"),
        (11, DocType::Gplx, "full_name", "id_number"),
        (12, DocType::Vehicle, "owner_name", "owner_id_number"),
        (13, DocType::Bhyt, "full_name", "id_number"),
    ] {
        let (names, d) = present(&mut f, t, n, Layout::Seeded, &[name, id], None);
        let Disclosures::Seeded(d) = d else {
            panic!("{t:?}: layout 2 expected")
        };
        assert_eq!(d.groups.len(), 1, "{t:?}");
        assert_eq!(d.groups[0].values.len(), 2, "{t:?}");
        // Card order in the verifier's result, whatever the leaves.
        let key = |n: &str| t.field_keys().into_iter().find(|(_, k)| *k == n).unwrap().0;
        let mut want = vec![name, id];
        want.sort_by_key(|n| key(n));
        assert_eq!(names, want, "{t:?}");
    }
    // The moved fields themselves: a GPLX's date of birth (leaf 4 in layout 2) with its ID
    // number's neighbour, the name.
    let (names, _) = present(
        &mut f,
        DocType::Gplx,
        14,
        Layout::Seeded,
        &["date_of_birth", "full_name"],
        Some(21),
    );
    assert_eq!(names, ["full_name", "date_of_birth", "age_over_21"]);
}

#[test]
fn a_copy_whose_layout_disagrees_with_its_commitment_is_refused() {
    let mut f = fixture();
    let issuer_key = issuer().verifying_key().to_bytes();
    let (full, copy) = pair(DocType::Cccd, f.holder, 20, Layout::Seeded);
    f.wallet.add_credential(&full, NOW).unwrap();
    // A layout-2 copy stripped of its seed reads as layout 1: refused, nothing stored.
    let mut stripped = copy.clone();
    stripped.seed = None;
    assert!(matches!(
        f.wallet.attach_sd(0, stripped, &issuer_key),
        Err(WalletError::SdMismatch)
    ));
    // Its empty positions must be the type's: a copy signed by the issuer over a tree that
    // also uses position 0 would give presentations no verifier accepts.
    let doc =
        Document::from_json(DocType::Cccd, &giayto_model::sample_input(DocType::Cccd)).unwrap();
    let request = CredentialRequest {
        document: &doc,
        serial: vec![20; 10],
        issued_at: NOW - DAY,
        not_before: None,
        expires_at: NOW + 365 * DAY,
        holder_key: Some(f.holder),
        assurance_level: 2,
        status: None,
    };
    let seed = [0x42; 16];
    let defined = sd::positions(DocType::Cccd.field_keys().into_iter().map(|(k, _)| k), true);
    let (leaves, entries) = sd::seeded::build(
        &seed,
        defined | 1,
        &giayto_issuer::sd::leaf_values(&request),
    );
    let claims = sd::sd_claims_bytes(
        &request.claims("VN.BCA.C06"),
        &sd::root(&leaves),
        Layout::Seeded,
    );
    let wrong = HolderCopy {
        credential: giayto_cose::sign1::sign(&issuer(), giayto_cose::CREDENTIAL_TYP, claims)
            .unwrap(),
        entries,
        leaves,
        seed: Some(seed),
    };
    assert!(matches!(
        f.wallet.attach_sd(0, wrong, &issuer_key),
        Err(WalletError::SdMismatch)
    ));
    assert!(f.wallet.credentials().unwrap()[0].sd.is_none());
    f.wallet.attach_sd(0, copy, &issuer_key).unwrap();
}
