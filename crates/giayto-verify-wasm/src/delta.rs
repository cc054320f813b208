//! Status updates (`VD1:`, docs/format.md §9.8) for the page: a scanned update taken into the
//! offline bundle it keeps, with the checks of a full list and the device's rollback memory —
//! the same Rust as `giayto bundle apply` ([`giayto_verify::Bundle::apply_delta`] and
//! [`giayto_verify::SeenState::accept`]).

use giayto_verify::{Bundle, DeltaApplied, DeltaLoadError, Verifier};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

use crate::{js_err, parse_root, rfc3339, rollback_json, seconds, seen_state, to_js};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** A status update taken: the list it brought up to date. */
export interface DeltaApplied {
  issuer: string; uri: string; changes: number; replaced: number;
  from_issued_at: string; issued_at: string; expires_at: string;
}
/**
 * A status update refused (nothing changed). `held`, `base` and `offered` are RFC 3339 times
 * of the list held, the update's base and the list it would give.
 */
export type DeltaRefusal =
  | { kind: "wrong_base"; uri: string; held: string; base: string; message: string }
  | { kind: "older"; uri: string; held: string; offered: string; message: string }
  | { kind: "no_base"; uri: string; issuer: string; message: string }
  | { kind: "unknown_signer"; kid: string; message: string }
  | { kind: "uri_outside_prefix"; uri: string; issuer: string; message: string }
  | { kind: "chain_full"; max: number; message: string }
  | { kind: "invalid"; message: string }
  | { kind: "rollback"; rollback: Rollback; message: string };
"#;

/// What taking an update came to (Rust API).
#[derive(Debug)]
pub enum DeltaOutcome {
    /// Taken: the bundle and the device state to keep, and what changed.
    Applied {
        /// The new bundle's bytes.
        bundle: Vec<u8>,
        /// The new device state's bytes.
        state: Vec<u8>,
        /// [`DeltaApplied`] as JSON.
        applied: Value,
    },
    /// Refused, nothing changed: a `DeltaRefusal` as JSON.
    Refused(Value),
}

fn applied_json(a: &DeltaApplied) -> Value {
    json!({
        "issuer": a.issuer_id, "uri": a.uri, "changes": a.changes, "replaced": a.replaced,
        "from_issued_at": rfc3339(a.from_issued_at), "issued_at": rfc3339(a.issued_at),
        "expires_at": rfc3339(a.expires_at),
    })
}

fn refusal_json(e: &DeltaLoadError) -> Value {
    let message = e.to_string();
    match e {
        DeltaLoadError::WrongBase { uri, held, base } => json!({
            "kind": "wrong_base", "uri": uri, "held": rfc3339(*held), "base": rfc3339(*base),
            "message": message,
        }),
        DeltaLoadError::Older { uri, held, offered } => json!({
            "kind": "older", "uri": uri, "held": rfc3339(*held), "offered": rfc3339(*offered),
            "message": message,
        }),
        DeltaLoadError::NoBase { issuer, uri } => {
            json!({"kind": "no_base", "uri": uri, "issuer": issuer, "message": message})
        }
        DeltaLoadError::UnknownSigner { kid } => json!({
            "kind": "unknown_signer", "kid": giayto_verify::hex_lower(kid), "message": message,
        }),
        DeltaLoadError::UriOutsidePrefix { uri, issuer } => {
            json!({"kind": "uri_outside_prefix", "uri": uri, "issuer": issuer, "message": message})
        }
        DeltaLoadError::ChainFull => json!({
            "kind": "chain_full", "max": giayto_verify::MAX_BUNDLE_DELTAS, "message": message,
        }),
        _ => json!({"kind": "invalid", "message": message}),
    }
}

/// Take the update `text` into `bundle` (Rust API): every check of a full list, the update's
/// base, then the device's rollback memory `state` at the device's clock `now`. `Err` only
/// for a root key, bundle or state that cannot be read at all.
pub fn apply_delta(
    root: &[u8],
    bundle: &[u8],
    text: &str,
    state: Option<&[u8]>,
    now: i64,
) -> Result<DeltaOutcome, String> {
    let root = parse_root(root)?;
    let mut bundle = Bundle::from_bytes(bundle).map_err(|e| format!("bundle: {e}"))?;
    let mut verifier = Verifier::from_bundle(root, &bundle).map_err(|e| format!("bundle: {e}"))?;
    let mut seen = seen_state(state)?;
    let delta = match giayto_verify::delta_from_text(text) {
        Ok(bytes) => bytes,
        Err(e) => {
            return Ok(DeltaOutcome::Refused(
                json!({"kind": "invalid", "message": e.to_string()}),
            ))
        }
    };
    let applied = match bundle.apply_delta(&mut verifier, &delta) {
        Ok(a) => a,
        Err(e) => return Ok(DeltaOutcome::Refused(refusal_json(&e))),
    };
    if let Err(r) = seen.accept(&verifier, now) {
        return Ok(DeltaOutcome::Refused(json!({
            "kind": "rollback", "rollback": rollback_json(&r), "message": r.to_string(),
        })));
    }
    Ok(DeltaOutcome::Applied {
        bundle: bundle.to_bytes(),
        state: seen.to_bytes(),
        applied: applied_json(&applied),
    })
}

/// Take a scanned status update (`VD1:` text) into the page's offline bundle: checked as a
/// full list is (signer in the trust list, signature, uri), applied only to the list it names
/// as its base, then the device's rollback memory (`state`, as for `acceptSeenState`) at
/// `nowSeconds`. Returns `{ bundle, state, applied }` — keep the new bundle and state together —
/// or `{ refused }` with nothing changed. Throws only for a root key, bundle or state that
/// cannot be read.
#[wasm_bindgen(js_name = applyStatusDelta, unchecked_return_type = "{ bundle: Uint8Array; state: Uint8Array; applied: DeltaApplied } | { refused: DeltaRefusal }")]
pub fn apply_status_delta(
    root: &[u8],
    bundle: &[u8],
    text: &str,
    state: Option<Vec<u8>>,
    #[wasm_bindgen(js_name = nowSeconds)] now: f64,
) -> Result<JsValue, JsError> {
    let obj = js_sys::Object::new();
    let set = |key: &str, value: &JsValue| {
        js_sys::Reflect::set(&obj, &key.into(), value).map_err(|_| JsError::new(key))
    };
    match apply_delta(root, bundle, text, state.as_deref(), seconds(now)?).map_err(js_err)? {
        DeltaOutcome::Applied {
            bundle,
            state,
            applied,
        } => {
            set(
                "bundle",
                &js_sys::Uint8Array::from(bundle.as_slice()).into(),
            )?;
            set("state", &js_sys::Uint8Array::from(state.as_slice()).into())?;
            set("applied", &to_js(&applied)?)?;
        }
        DeltaOutcome::Refused(refusal) => {
            set("refused", &to_js(&refusal)?)?;
        }
    }
    Ok(obj.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/");

    fn read(name: &str) -> Vec<u8> {
        std::fs::read(format!("{DIR}{name}")).unwrap()
    }

    fn delta(name: &str) -> String {
        let all: Value = serde_json::from_slice(&read("status-deltas.json")).unwrap();
        all["deltas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == name)
            .unwrap()["text"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn kind(outcome: &DeltaOutcome) -> &str {
        match outcome {
            DeltaOutcome::Applied { .. } => "applied",
            DeltaOutcome::Refused(r) => r["kind"].as_str().unwrap(),
        }
    }

    #[test]
    fn an_update_is_taken_into_the_pages_bundle_and_state_or_refused() {
        let (root, bundle) = (read("root.pub"), read("bundle.cbor"));
        let now = giayto_vectors_at();
        let first = apply_delta(&root, &bundle, &delta("delta_revokes"), None, now).unwrap();
        let DeltaOutcome::Applied {
            bundle: updated,
            state,
            applied,
        } = first
        else {
            panic!("refused: {first:?}");
        };
        assert_eq!(applied["changes"], 2);
        // The new bundle verifies the revocation the update carried.
        let all: Value = serde_json::from_slice(&read("status-deltas.json")).unwrap();
        let check = &all["deltas"][0]["checks"][0];
        let v = crate::WebVerifier::with_bundle(&root, &updated).unwrap();
        let r = v
            .verify_value(
                check["text"].as_str().unwrap(),
                check["at"].as_i64().unwrap(),
            )
            .unwrap();
        assert_eq!(r["verdict"], "revoked");
        // Refusals: the same update again, another base, not an update, and the device's
        // memory against the bundle as it was before.
        let again = apply_delta(&root, &updated, &delta("delta_revokes"), Some(&state), now);
        assert_eq!(kind(&again.unwrap()), "older");
        let wrong = apply_delta(&root, &bundle, &delta("wrong_base"), None, now).unwrap();
        assert_eq!(kind(&wrong), "wrong_base");
        let DeltaOutcome::Refused(w) = &wrong else {
            unreachable!()
        };
        assert!(w["held"].as_str().unwrap().ends_with("+07:00"));
        let text = apply_delta(&root, &bundle, "VN1:ABC", None, now).unwrap();
        assert_eq!(kind(&text), "invalid");
        let refreshed = apply_delta(&root, &updated, &delta("delta_refresh"), Some(&state), now);
        let DeltaOutcome::Applied { state: newer, .. } = refreshed.unwrap() else {
            panic!("refresh refused");
        };
        // The original bundle takes older_update (its base), but this device has used a newer
        // list: a rollback.
        let older = apply_delta(&root, &bundle, &delta("older_update"), Some(&newer), now);
        assert_eq!(kind(&older.unwrap()), "rollback");
        let fresh = apply_delta(&root, &bundle, &delta("older_update"), None, now);
        assert_eq!(kind(&fresh.unwrap()), "applied");
        // Unreadable inputs are errors, not refusals.
        assert!(apply_delta(&root, &bundle[..10], "VD1:", None, now).is_err());
        assert!(apply_delta(b"", &bundle, "VD1:", None, now).is_err());
        assert!(apply_delta(&root, &bundle, "VD1:", Some(b"junk"), now).is_err());
    }

    /// The vectors' verification time (test-vectors/credentials.json, `at` of every vector).
    fn giayto_vectors_at() -> i64 {
        1_795_392_000
    }
}
