//! ISO 18013-5 mDL vectors (docs/format.md §17.8), in `test-vectors/mdoc/`: a folder of their
//! own because the bindings' conformance harness reads every `test-vectors/*.json` with a
//! `vectors` list as giayto `VN1:` codes, which these are not.
//!
//! Every key is derived from a fixed seed and every signature is deterministic ECDSA, so the
//! files regenerate byte for byte.

use giayto_mdoc::testca::{key_from_seed, pem, TestCa};
use giayto_mdoc::{issue, IssueOptions};
use giayto_model::{sample_input, DocType, Document};
use serde_json::json;

use crate::File;

/// 2026-03-01T00:00:00Z: when the vectors are checked.
pub const AT: i64 = 1_772_323_200;
const DAY: i64 = 86_400;

fn gplx() -> giayto_model::Gplx {
    match Document::from_json(DocType::Gplx, &sample_input(DocType::Gplx)).expect("sample") {
        Document::Gplx(g) => g,
        _ => unreachable!("a gplx sample"),
    }
}

fn options(now: i64) -> IssueOptions {
    IssueOptions {
        device_key: *key_from_seed(b"giayto mdoc vector device").verifying_key(),
        now,
        valid_days: 365,
        portrait: None,
        salt_seed: Some([0x5a; 32]),
    }
}

/// The IACA root the vectors trust, and another one.
pub fn roots() -> (TestCa, TestCa) {
    (
        TestCa::new(
            b"giayto mdoc vector iaca",
            "giayto test IACA VN",
            AT - 400 * DAY,
            AT + 3650 * DAY,
        ),
        TestCa::new(
            b"giayto mdoc vector other iaca",
            "giayto test IACA VN",
            AT - 400 * DAY,
            AT + 3650 * DAY,
        ),
    )
}

/// The files of `test-vectors/mdoc/`.
pub fn files() -> Vec<File> {
    let (iaca, other) = roots();
    let gplx = gplx();
    let signer = key_from_seed(b"giayto mdoc vector document signer");
    let ds = iaca.document_signer(
        &signer,
        "giayto test DS CSGT",
        AT - 30 * DAY,
        AT + 1000 * DAY,
    );
    let valid = issue(
        &gplx,
        &signer,
        std::slice::from_ref(&ds),
        &options(AT - DAY),
    )
    .expect("issues")
    .bytes;
    // The licence number altered after signing (same length): its digest no longer matches.
    let mut wrong_digest = valid.clone();
    let at = wrong_digest
        .windows(12)
        .position(|w| w == b"010123456789")
        .expect("the licence number is in the file");
    wrong_digest[at + 11] = b'0';
    // A document signer whose certificate ended before the time of the check.
    let old_ds = iaca.document_signer(
        &signer,
        "giayto test DS CSGT 2025",
        AT - 400 * DAY,
        AT - 30 * DAY,
    );
    let expired_ds = issue(&gplx, &signer, &[old_ds], &options(AT - 200 * DAY))
        .expect("issues")
        .bytes;
    // Certified by another IACA root (same name, other key).
    let foreign_ds = other.document_signer(
        &signer,
        "giayto test DS CSGT",
        AT - 30 * DAY,
        AT + 1000 * DAY,
    );
    let other_root = issue(&gplx, &signer, &[foreign_ds], &options(AT - DAY))
        .expect("issues")
        .bytes;
    let manifest = json!({
        "description": "ISO 18013-5 mDL vectors (docs/format.md §17.8). Verify each `file` (an issued mdoc: {docType, issuerSigned}) at time `at` (seconds) against the IACA root iaca.pem: `giayto verify-mdoc --iaca iaca.pem --at TIME FILE`. The verdict must be `verdict` and the reason `reason`. other-iaca.pem is the root other-root.mdoc chains to. Test-only keys: never trust them.",
        "iaca": "iaca.pem",
        "at": AT,
        "vectors": [
            {"name": "valid", "file": "valid.mdoc", "verdict": "valid", "reason": null},
            {"name": "wrong_digest", "file": "wrong-digest.mdoc", "verdict": "bad_signature", "reason": "digest_mismatch"},
            {"name": "expired_document_signer", "file": "expired-ds.mdoc", "verdict": "issuer_not_authorized", "reason": "certificate_expired"},
            {"name": "other_root", "file": "other-root.mdoc", "verdict": "unknown_issuer", "reason": "unknown_root"},
        ],
    });
    let mut manifest = serde_json::to_string_pretty(&manifest).expect("serialises");
    manifest.push('\n');
    vec![
        File {
            name: "mdoc/iaca.pem",
            bytes: iaca.pem().into_bytes(),
        },
        File {
            name: "mdoc/other-iaca.pem",
            bytes: other.pem().into_bytes(),
        },
        File {
            name: "mdoc/document-signer.pem",
            bytes: pem(ds.der()).into_bytes(),
        },
        File {
            name: "mdoc/valid.mdoc",
            bytes: valid,
        },
        File {
            name: "mdoc/wrong-digest.mdoc",
            bytes: wrong_digest,
        },
        File {
            name: "mdoc/expired-ds.mdoc",
            bytes: expired_ds,
        },
        File {
            name: "mdoc/other-root.mdoc",
            bytes: other_root,
        },
        File {
            name: "mdoc/vectors.json",
            bytes: manifest.into_bytes(),
        },
    ]
}
