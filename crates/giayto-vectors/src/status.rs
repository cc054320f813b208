//! Status list vectors: signed status lists, an offline bundle, credentials that point into
//! the lists (valid, revoked, suspended, held, missing list, stale list, index out of range), and
//! status lists a verifier must refuse.

use ed25519_dalek::SigningKey;
use giayto_cose::claims::StatusRef;
use giayto_issuer::credential::sign_credential;
use giayto_model::DocType;
use giayto_status::{Status, StatusList, StatusListToken, MIN_ENTRIES};
use giayto_verify::Bundle;
use serde_json::json;

use super::{document, key, qr, request, seeds, File, AT, DAY};

/// Status list uri of the police list in the vectors.
pub const POLICE_URI: &str = "https://giayto.example/st/VN.BCA.C06/1";
/// Status list uri of the insurance list in the vectors.
pub const INSURANCE_URI: &str = "https://giayto.example/st/VN.BHXH/1";
/// File names of the two lists.
pub const POLICE_FILE: &str = "VN.BCA.C06-1.statuslist.cwt";
const INSURANCE_FILE: &str = "VN.BHXH-1.statuslist.cwt";

pub(crate) const VALID_IDX: u64 = 73_214;
pub(crate) const REVOKED_IDX: u64 = 1_337;
pub(crate) const SUSPENDED_IDX: u64 = 120_001;
pub(crate) const HELD_IDX: u64 = 98_305;
pub(crate) const BHYT_IDX: u64 = 5;

pub(crate) fn token(uri: &str, issued_at: i64, entries: &[(u64, Status)]) -> StatusListToken {
    let mut list = StatusList::new(MIN_ENTRIES).expect("minimum size");
    for (i, s) in entries {
        list.set(*i, *s).expect("index in range");
    }
    StatusListToken {
        uri: uri.into(),
        issued_at,
        expires_at: issued_at + 7 * DAY,
        ttl: Some(DAY as u64),
        list,
    }
}

pub(crate) fn police_token() -> StatusListToken {
    token(
        POLICE_URI,
        AT - DAY,
        &[
            (REVOKED_IDX, Status::Revoked),
            (SUSPENDED_IDX, Status::Suspended),
            (HELD_IDX, Status::Held),
        ],
    )
}

pub(crate) fn sign(t: &StatusListToken, k: &SigningKey) -> Vec<u8> {
    t.sign(k).expect("in-memory key signs")
}

pub(crate) fn cred(n: u8, doc_type: DocType, uri: &str, idx: u64) -> String {
    let doc = document(doc_type);
    let (k, iss) = super::issuer_for(doc_type);
    let mut r = request(&doc, n);
    r.status = Some(StatusRef {
        idx,
        uri: uri.into(),
    });
    qr(&sign_credential(&k, iss, &r).expect("signs"))
}

/// The files: `status.json`, the two signed lists, and `bundle.cbor`.
pub fn files(trust_list: &[u8]) -> Vec<File> {
    let police = key(seeds::POLICE);
    let insurance = key(seeds::INSURANCE);
    let police_list = sign(&police_token(), &police);
    let insurance_list = sign(&token(INSURANCE_URI, AT - DAY, &[]), &insurance);
    let bundle = Bundle {
        created_at: AT - DAY / 2,
        trust_list: trust_list.to_vec(),
        status_lists: vec![police_list.clone(), insurance_list.clone()],
        status_deltas: vec![],
    };

    let v = |name: &str, description: &str, text: String, verdict: &str, at: i64| {
        json!({"name": name, "description": description, "text": text, "at": at,
               "verdict": verdict, "accept_missing_status": false})
    };
    let mut vectors = vec![
        v(
            "status_valid",
            "A CCCD whose entry in the police list is 0 (valid).",
            cred(40, DocType::Cccd, POLICE_URI, VALID_IDX),
            "valid",
            AT,
        ),
        v(
            "status_valid_bhyt",
            "A health insurance card whose entry in the insurance list is 0 (valid).",
            cred(41, DocType::Bhyt, INSURANCE_URI, BHYT_IDX),
            "valid",
            AT,
        ),
        v(
            "status_revoked",
            "A driving licence whose entry is 1 (revoked).",
            cred(42, DocType::Gplx, POLICE_URI, REVOKED_IDX),
            "revoked",
            AT,
        ),
        v(
            "status_suspended",
            "A vehicle registration whose entry is 2 (suspended, the temporary lock).",
            cred(43, DocType::Vehicle, POLICE_URI, SUSPENDED_IDX),
            "suspended",
            AT,
        ),
        v(
            "status_held",
            "A driving licence whose entry is 3 (held, tạm giữ: the traffic police hold it electronically until they release it). A verifier from before the hold gives suspended, never valid (docs/format.md §9.5).",
            cred(50, DocType::Gplx, POLICE_URI, HELD_IDX),
            "held",
            AT,
        ),
        v(
            "status_held_stale_list",
            "A hold is not final like a revocation: on a list past its exp the verdict is stale_status (it may have been released since).",
            cred(51, DocType::Gplx, POLICE_URI, HELD_IDX),
            "stale_status",
            AT + 8 * DAY,
        ),
        v(
            "status_list_missing",
            "Points into list 2, which the bundle does not carry: fail closed.",
            cred(44, DocType::Cccd, "https://giayto.example/st/VN.BCA.C06/2", 9),
            "stale_status",
            AT,
        ),
        v(
            "status_list_stale",
            "Checked 9 days after the list was published, 2 days after its exp (7 days of validity).",
            cred(45, DocType::Cccd, POLICE_URI, VALID_IDX),
            "stale_status",
            AT + 8 * DAY,
        ),
        v(
            "status_list_just_expired",
            "Checked one hour after the list's exp: exp is the issuer's word, only the 300 s clock skew is allowed (docs/format.md §9.5).",
            cred(49, DocType::Cccd, POLICE_URI, VALID_IDX),
            "stale_status",
            AT + 6 * DAY + 3600,
        ),
        v(
            "status_revoked_stale_list",
            "A revocation stays a revocation, however old the list that says so.",
            cred(46, DocType::Gplx, POLICE_URI, REVOKED_IDX),
            "revoked",
            AT + 8 * DAY,
        ),
        v(
            "status_index_out_of_range",
            "The index is past the end of a list of 131072 entries.",
            cred(47, DocType::Cccd, POLICE_URI, MIN_ENTRIES + 3),
            "malformed",
            AT,
        ),
        v(
            "status_other_issuers_list",
            "A police credential whose uri names the insurance list: a list only speaks for the credentials of its own signer.",
            cred(48, DocType::Cccd, INSURANCE_URI, BHYT_IDX),
            "stale_status",
            AT,
        ),
    ];
    let mut allowed = v(
        "status_list_missing_allowed",
        "The missing-list case with the verifier told to accept a missing list (with a warning).",
        cred(
            44,
            DocType::Cccd,
            "https://giayto.example/st/VN.BCA.C06/2",
            9,
        ),
        "valid",
        AT,
    );
    allowed["accept_missing_status"] = json!(true);
    vectors.push(allowed);

    let mut outside = police_token();
    outside.uri = "https://other.example/st/1".into();
    let rogue = key(seeds::ROGUE);
    let bad_lists = vec![
        json!({"name": "outside_prefix",
               "description": "Signed by VN.BCA.C06 for a uri outside its prefix in the trust list.",
               "token": hex::encode(sign(&outside, &police)), "error": "uri_outside_prefix"}),
        json!({"name": "unknown_signer",
               "description": "Signed by a key that is in no trust list.",
               "token": hex::encode(sign(&police_token(), &rogue)), "error": "unknown_signer"}),
        json!({"name": "bad_signature",
               "description": "The police list with the last signature byte flipped.",
               "token": hex::encode({ let mut b = police_list.clone(); let n = b.len() - 1; b[n] ^= 1; b }),
               "error": "invalid"}),
    ];
    let older = sign(
        &token(
            POLICE_URI,
            AT - 3 * DAY,
            &[(SUSPENDED_IDX, Status::Suspended)],
        ),
        &police,
    );
    let status = json!({
        "description": "giayto status list vectors. Build a verifier from bundle.cbor (or trust.cwt plus the *.statuslist.cwt files) under root.pub; each vector's text at time `at` gets `verdict`. Each of bad_lists must be refused. older_list is an earlier police list: a device that has used the list in the bundle must refuse it (no rollback).",
        "status_lists": [
            {"file": POLICE_FILE, "uri": POLICE_URI, "issuer": "VN.BCA.C06",
             "entries": {REVOKED_IDX.to_string(): "revoked", SUSPENDED_IDX.to_string(): "suspended",
                         HELD_IDX.to_string(): "held"}},
            {"file": INSURANCE_FILE, "uri": INSURANCE_URI, "issuer": "VN.BHXH", "entries": {}},
        ],
        "vectors": vectors,
        "bad_lists": bad_lists,
        "older_list": hex::encode(older),
    });
    let mut s = serde_json::to_string_pretty(&status).expect("serialises");
    s.push('\n');
    vec![
        File {
            name: "status.json",
            bytes: s.into_bytes(),
        },
        File {
            name: POLICE_FILE,
            bytes: police_list,
        },
        File {
            name: INSURANCE_FILE,
            bytes: insurance_list,
        },
        File {
            name: "bundle.cbor",
            bytes: bundle.to_bytes(),
        },
    ]
}
