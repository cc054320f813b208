//! An issuer folder can only be created under an id the root authority would list.
#![cfg(feature = "registry")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

use giayto_issuer::{IssuerError, IssuerMeta};
use giayto_trust::authority::{AuthorityError, RootState};
use giayto_trust::keys::KdfCost;
use giayto_trust::SecretString;

fn meta(id: &str) -> IssuerMeta {
    IssuerMeta {
        id: id.into(),
        name_vi: "Cục Cảnh sát giao thông".into(),
        name_en: None,
        status_uri_prefix: None,
        list_size: None,
        registry_url: None,
    }
}

#[test]
fn issuer_init_refuses_an_id_the_root_refuses_and_creates_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let pass = SecretString::from("mật khẩu thử 1234".to_owned());
    for bad in ["", "VN BCA", "VN/BCA", "Công.An", &"A".repeat(65)] {
        // The root refuses it …
        let mut root = RootState::new("VN.ROOT").unwrap();
        assert!(matches!(
            giayto_trust::authority::check_id(bad),
            Err(AuthorityError::BadId { .. })
        ));
        assert!(root.remove_issuer(bad, None).is_err());
        // … and so does the issuer, before touching the disk.
        let dir = tmp.path().join("iss-bad");
        match giayto_issuer::init(&dir, &meta(bad), &pass, KdfCost::new(10)) {
            Err(IssuerError::BadId { id }) => assert_eq!(id, bad),
            other => panic!("{bad:?}: {other:?}"),
        }
        assert!(!dir.exists(), "{bad:?} created the folder");
    }
    // An id the root accepts is accepted.
    let dir = tmp.path().join("iss");
    giayto_issuer::init(&dir, &meta("VN.BCA.CSGT"), &pass, KdfCost::new(10)).unwrap();
    assert!(dir.join(giayto_issuer::dir::PUB_FILE).is_file());
}
