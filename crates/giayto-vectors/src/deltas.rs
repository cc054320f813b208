//! Status delta vectors (docs/format.md §9.8), `status-deltas.json`: `VD1:` updates of the
//! police list in `bundle.cbor` that a device must take (with the entries and times they lead
//! to, and the verdicts that change), and updates it must refuse: a forged signature, another
//! base, an older update (a rollback), another issuer's list, an unknown signer, a list the
//! bundle does not carry.

use ed25519_dalek::SigningKey;
use giayto_model::DocType;
use giayto_status::{Status, StatusDelta, StatusListToken};
use serde_json::{json, Value};

use super::status::{
    cred, police_token, token, HELD_IDX, POLICE_URI, REVOKED_IDX, SUSPENDED_IDX, VALID_IDX,
};
use super::{key, seeds, AT, DAY};

/// The file name.
pub const FILE_NAME: &str = "status-deltas.json";

fn signed(base: &StatusListToken, target: &StatusListToken, k: &SigningKey) -> String {
    let delta = StatusDelta::between(base, target).expect("a newer list of the same uri");
    giayto_status::delta_to_text(&delta.sign(k).expect("in-memory key signs"))
}

fn entries(t: &StatusListToken, indices: &[u64]) -> Value {
    indices
        .iter()
        .map(|i| {
            let s = t.list.get(*i).expect("index in range");
            (i.to_string(), json!(s.as_str()))
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

fn list_json(t: &StatusListToken, indices: &[u64]) -> Value {
    json!({"uri": t.uri, "issued_at": t.issued_at, "expires_at": t.expires_at, "ttl": t.ttl,
           "entries": entries(t, indices)})
}

/// `status-deltas.json`.
pub fn file() -> Value {
    let police = key(seeds::POLICE);
    let insurance = key(seeds::INSURANCE);
    let rogue = key(seeds::ROGUE);
    let base = police_token();
    // Half a day later: the valid CCCD is revoked, the suspension lifted.
    let first = token(
        POLICE_URI,
        AT - DAY / 2,
        &[
            (REVOKED_IDX, Status::Revoked),
            (VALID_IDX, Status::Revoked),
            // The held entry of the bundle's list stays held.
            (HELD_IDX, Status::Held),
        ],
    );
    // Then only the times move (nothing changed, the list stays fresh).
    let refresh = token(
        POLICE_URI,
        AT - DAY / 4,
        &[
            (REVOKED_IDX, Status::Revoked),
            (VALID_IDX, Status::Revoked),
            // The held entry of the bundle's list stays held.
            (HELD_IDX, Status::Held),
        ],
    );
    let watched = [REVOKED_IDX, VALID_IDX, SUSPENDED_IDX];
    let valid_cccd = cred(40, DocType::Cccd, POLICE_URI, VALID_IDX);
    let suspended_vehicle = cred(43, DocType::Vehicle, POLICE_URI, SUSPENDED_IDX);
    let first_text = signed(&base, &first, &police);
    let forged = {
        let mut t = first_text.clone().into_bytes();
        // The last base45 triple holds the signature's last bytes.
        let i = t.len() - 1;
        t[i] = if t[i] == b'0' { b'1' } else { b'0' };
        String::from_utf8(t).expect("ASCII")
    };
    let older_list = token(
        POLICE_URI,
        AT - 3 * DAY,
        &[(SUSPENDED_IDX, Status::Suspended)],
    );
    let insurance_list = token(super::status::INSURANCE_URI, AT - DAY, &[]);
    let v = |name: &str, description: &str, after: &[&str], text: &str, result: &str| {
        json!({"name": name, "description": description, "after": after, "text": text,
               "result": result})
    };
    let mut taken = v(
        "delta_revokes",
        "From the police list of the bundle: entry 73214 revoked, the suspension of 120001 lifted; the device then holds the list below.",
        &[],
        &first_text,
        "applied",
    );
    taken["list"] = list_json(&first, &watched);
    taken["checks"] = json!([
        {"text": valid_cccd, "at": AT, "verdict": "revoked"},
        {"text": suspended_vehicle, "at": AT, "verdict": "valid"},
    ]);
    let mut refreshed = v(
        "delta_refresh",
        "After delta_revokes: no change, only the list's iat, exp and ttl move on (a device's list stays fresh).",
        &["delta_revokes"],
        &signed(&first, &refresh, &police),
        "applied",
    );
    refreshed["list"] = list_json(&refresh, &watched);
    refreshed["checks"] = json!([
        {"text": valid_cccd, "at": AT + 6 * DAY + 3 * 3600, "verdict": "revoked"},
        {"text": suspended_vehicle, "at": AT + 6 * DAY + 3 * 3600, "verdict": "valid"},
    ]);
    let mut cumulative = v(
        "delta_cumulative",
        "After delta_revokes, an update made from the bundle's own police list straight to the refreshed list: a bundle takes it in place of delta_revokes (a verifier that only holds the current list refuses it as wrong_base).",
        &["delta_revokes"],
        &signed(&base, &refresh, &police),
        "applied_to_bundle",
    );
    cumulative["list"] = list_json(&refresh, &watched);
    let insurance_after = token(
        super::status::INSURANCE_URI,
        AT - DAY / 2,
        &[(5, Status::Suspended)],
    );
    let mut insurance_own = v(
        "insurance_own_list",
        "VN.BHXH's update of its own list, entry 5 suspended: taken beside the police list.",
        &[],
        &signed(&insurance_list, &insurance_after, &insurance),
        "applied",
    );
    insurance_own["list"] = list_json(&insurance_after, &[4, 5]);
    let deltas = vec![
        taken,
        refreshed,
        cumulative,
        v(
            "forged_signature",
            "delta_revokes with its last base45 character changed (inside the signature).",
            &[],
            &forged,
            "invalid",
        ),
        v(
            "wrong_base",
            "Made from an older police list (iat three days before `at`) than the one in the bundle.",
            &[],
            &signed(&older_list, &first, &police),
            "wrong_base",
        ),
        v(
            "older_update",
            "After delta_refresh, an update from the bundle's list to a list older than the one held: a rollback.",
            &["delta_revokes", "delta_refresh"],
            &signed(&base, &token(POLICE_URI, AT - DAY / 3, &[]), &police),
            "older",
        ),
        v(
            "same_update_again",
            "delta_revokes a second time: no newer than the list it already gave.",
            &["delta_revokes"],
            &first_text,
            "older",
        ),
        v(
            "another_issuers_list",
            "Signed by VN.BHXH for the police list's uri: outside the uris the trust list gives VN.BHXH.",
            &[],
            &signed(&base, &first, &insurance),
            "uri_outside_prefix",
        ),
        v(
            "unknown_signer",
            "delta_revokes signed by a key in no trust list.",
            &[],
            &signed(&base, &first, &rogue),
            "unknown_signer",
        ),
        v(
            "no_base",
            "An update of police list 2, which the bundle does not carry: a full list is needed.",
            &[],
            &signed(
                &token("https://giayto.example/st/VN.BCA.C06/2", AT - DAY, &[]),
                &token("https://giayto.example/st/VN.BCA.C06/2", AT - DAY / 2, &[]),
                &police,
            ),
            "no_base",
        ),
        insurance_own,
    ];
    json!({
        "description": "giayto status delta (VD1:) vectors. Build a verifier from bundle.cbor under root.pub, apply the deltas named in `after` in order (each applies), then this `text`. `result` is `applied` (the list held for its uri then has the `list` fields; each of `checks` gets its verdict), `applied_to_bundle` (taken by a bundle, whose full list is its base; the bundle then holds only this delta for the list), or the refusal: `invalid`, `wrong_base`, `older`, `uri_outside_prefix`, `unknown_signer`, `no_base`. A refusal changes nothing.",
        "base_list": super::status::POLICE_FILE,
        "deltas": deltas,
    })
}
