//! A test IACA root, a document signer, a device key and the sample licence.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-up: a failure is the test failing
#![allow(dead_code)]

use giayto_mdoc::cert::Cert;
use giayto_mdoc::testca::{key_from_seed, TestCa};
use giayto_mdoc::{issue, IssueOptions, IssuedMdoc};
use giayto_model::Gplx;
use giayto_model::{sample_input, DocType, Document};
use p256::ecdsa::SigningKey;
use time::macros::datetime;

pub const DAY: i64 = 86_400;

/// 2026-03-01T00:00:00Z: the signing time of the tests.
pub fn now() -> i64 {
    datetime!(2026-03-01 0:00 UTC).unix_timestamp()
}

pub struct Fixture {
    pub ca: TestCa,
    pub signer: SigningKey,
    pub chain: Vec<Cert>,
    pub device: SigningKey,
    pub gplx: Gplx,
}

pub fn gplx() -> Gplx {
    match Document::from_json(DocType::Gplx, &sample_input(DocType::Gplx)).unwrap() {
        Document::Gplx(g) => g,
        _ => unreachable!(),
    }
}

pub fn fixture() -> Fixture {
    let t = now();
    let ca = TestCa::new(
        b"test iaca",
        "Test IACA VN",
        t - 365 * DAY,
        t + 10 * 365 * DAY,
    );
    let signer = key_from_seed(b"test document signer");
    let ds = ca.document_signer(&signer, "Test DS CSGT", t - DAY, t + 3 * 365 * DAY);
    Fixture {
        ca,
        signer,
        chain: vec![ds],
        device: key_from_seed(b"test device"),
        gplx: gplx(),
    }
}

pub fn options(f: &Fixture) -> IssueOptions {
    IssueOptions {
        device_key: *f.device.verifying_key(),
        now: now(),
        valid_days: 365,
        portrait: None,
        salt_seed: Some([7; 32]),
    }
}

pub fn issued(f: &Fixture) -> IssuedMdoc {
    issue(&f.gplx, &f.signer, &f.chain, &options(f)).unwrap()
}
