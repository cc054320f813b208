//! Lists the page fetched itself (`web/fetch.js`, docs/format.md §9.7.1): a status list or a
//! trust list taken into the page's offline bundle with the checks of a bundle — signer in the
//! trust list, signature, the issuer and uri asked for, the issuer's status prefix — then the
//! held list (never an older one), then the device's rollback memory ([`SeenState::accept`], the
//! CLI's). A refused list changes nothing: the caller keeps the bundle and state it had.
//!
//! The bundle stays a bundle (docs/format.md §9.5): a fetched list replaces the bundle's copy of
//! its (issuer, uri), and the status deltas that no longer apply to what is held (those of a
//! replaced list) are dropped; a fetched trust list replaces the bundle's, and the lists it no
//! longer vouches for are dropped with it.

use giayto_verify::{Bundle, Rollback, SeenState, Verifier};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

#[cfg(feature = "full")]
use crate::{js_err, seconds, to_js};
use crate::{parse_root, rfc3339, rollback_json, seen_state};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** A fetched list taken into the bundle, or found to be the one held. */
export interface FetchedList {
  kind: "status_list" | "trust_list"; uri?: string; issuer?: string; sequence?: number;
  issued_at: string; expires_at: string; issued_at_seconds: number; expires_at_seconds: number;
}
/** A fetched list refused (nothing changed). */
export type FetchRefusal =
  | { kind: "invalid"; message: string }
  | { kind: "outside_prefix"; uri: string; issuer: string; message: string }
  | { kind: "wrong_issuer"; expected: string; found: string; message: string }
  | { kind: "wrong_list"; uri: string; found: string; message: string }
  | { kind: "rollback"; rollback: Rollback; message: string };
"#;

/// What taking a fetched list came to (Rust API).
#[derive(Debug)]
pub enum Taken {
    /// Newer than what was held: the new bundle and device state to keep (together), and the
    /// list as a `FetchedList`.
    Updated {
        /// The new bundle's bytes.
        bundle: Vec<u8>,
        /// The new device state's bytes.
        state: Vec<u8>,
        /// The list taken.
        list: Value,
    },
    /// The list held already (same `iat`, or same trust list sequence): nothing to store.
    Same(Value),
    /// Refused, nothing changed: a `FetchRefusal`.
    Refused(Value),
}

fn refused(kind: &str, message: impl Into<String>) -> Taken {
    Taken::Refused(json!({"kind": kind, "message": message.into()}))
}

fn rollback(r: &Rollback) -> Taken {
    Taken::Refused(json!({
        "kind": "rollback", "rollback": rollback_json(r), "message": r.to_string(),
    }))
}

fn status_info(issuer: &str, token: &giayto_verify::StatusListToken) -> Value {
    json!({
        "kind": "status_list", "issuer": issuer, "uri": token.uri,
        "issued_at": rfc3339(token.issued_at), "expires_at": rfc3339(token.expires_at),
        "issued_at_seconds": token.issued_at, "expires_at_seconds": token.expires_at,
    })
}

/// The bundle's status lists and deltas that still load, in order, on a verifier holding only
/// `trust_list`; `replace` (issuer, uri) drops every copy of that list first, and `extra` is
/// added after the bundle's lists. Returns the new bundle.
fn rebuild(
    root: giayto_verify::VerifyingKey,
    old: &Bundle,
    trust_list: &[u8],
    replace: Option<(&str, &str)>,
    extra: Option<&[u8]>,
) -> Result<Bundle, String> {
    let trust_only = Verifier::new(root, trust_list).map_err(|e| format!("trust list: {e}"))?;
    let mut probe = trust_only.clone();
    let mut lists = Vec::new();
    for bytes in &old.status_lists {
        // Each list alone on the trust list: which (issuer, uri) it is, if still vouched for.
        let mut one = trust_only.clone();
        if one.add_status_list(bytes).is_err() {
            continue; // no longer vouched for by this trust list
        }
        let replaced = one.status_lists().next().is_some_and(|l| {
            replace.is_some_and(|(issuer, uri)| l.issuer_id == issuer && l.token.uri == uri)
        });
        if !replaced && probe.add_status_list(bytes).is_ok() {
            lists.push(bytes.clone());
        }
    }
    if let Some(bytes) = extra {
        probe
            .add_status_list(bytes)
            .map_err(|e| format!("status list: {e}"))?;
        lists.push(bytes.to_vec());
    }
    // Deltas apply in order to what is held; one made for a replaced list no longer does.
    let mut deltas = Vec::new();
    for delta in &old.status_deltas {
        if probe.apply_status_delta(delta).is_ok() {
            deltas.push(delta.clone());
        }
    }
    Ok(Bundle {
        created_at: old.created_at,
        trust_list: trust_list.to_vec(),
        status_lists: lists,
        status_deltas: deltas,
    })
}

/// Keep `bundle` only when the device's rollback memory accepts it.
fn accept(
    root: giayto_verify::VerifyingKey,
    bundle: Bundle,
    mut seen: SeenState,
    now: i64,
    list: Value,
) -> Result<Taken, String> {
    let verifier = Verifier::from_bundle(root, &bundle).map_err(|e| format!("bundle: {e}"))?;
    if let Err(r) = seen.accept(&verifier, now) {
        return Ok(rollback(&r));
    }
    Ok(Taken::Updated {
        bundle: bundle.to_bytes(),
        state: seen.to_bytes(),
        list,
    })
}

/// Take a status list fetched from `uri` for `issuer` into `bundle` (Rust API). `Err` only
/// for a root key, bundle or state that cannot be read at all.
pub fn take_status_list(
    root: &[u8],
    bundle: &[u8],
    issuer: &str,
    uri: &str,
    token: &[u8],
    state: Option<&[u8]>,
    now: i64,
) -> Result<Taken, String> {
    let root = parse_root(root)?;
    let old = Bundle::from_bytes(bundle).map_err(|e| format!("bundle: {e}"))?;
    let held = Verifier::from_bundle(root, &old).map_err(|e| format!("bundle: {e}"))?;
    let seen = seen_state(state)?;
    // Only a uri under the issuer's status prefix in the trust list is fetched (§9.7).
    let prefix = held
        .trust_list()
        .issuers
        .iter()
        .filter(|e| e.id == issuer)
        .find_map(|e| e.status_uri_prefix.clone());
    if !prefix.is_some_and(|p| uri.starts_with(&p)) {
        return Ok(Taken::Refused(json!({
            "kind": "outside_prefix", "uri": uri, "issuer": issuer,
            "message": format!("{uri} is not under a status prefix of {issuer} in the trust list"),
        })));
    }
    let mut probe = Verifier::new(root, &old.trust_list).map_err(|e| format!("bundle: {e}"))?;
    if let Err(e) = probe.add_status_list(token) {
        return Ok(refused("invalid", format!("status list: {e}")));
    }
    let Some(offered) = probe.status_lists().next() else {
        return Ok(refused("invalid", "status list: not taken"));
    };
    if offered.issuer_id != issuer {
        return Ok(Taken::Refused(json!({
            "kind": "wrong_issuer", "expected": issuer, "found": offered.issuer_id,
            "message": format!("the list at {uri} is signed by {}, not {issuer}", offered.issuer_id),
        })));
    }
    if offered.token.uri != uri {
        return Ok(Taken::Refused(json!({
            "kind": "wrong_list", "uri": uri, "found": offered.token.uri,
            "message": format!("the list fetched from {uri} is the list {}", offered.token.uri),
        })));
    }
    let info = status_info(issuer, &offered.token);
    let held_at = held
        .status_lists()
        .find(|l| l.issuer_id == issuer && l.token.uri == uri)
        .map(|l| l.token.issued_at);
    if let Some(held_at) = held_at {
        if offered.token.issued_at < held_at {
            return Ok(rollback(&Rollback::StatusList {
                uri: uri.to_owned(),
                seen: held_at,
                offered: offered.token.issued_at,
            }));
        }
        if offered.token.issued_at == held_at {
            return Ok(Taken::Same(info));
        }
    }
    let new = rebuild(
        root,
        &old,
        &old.trust_list,
        Some((issuer, uri)),
        Some(token),
    )?;
    accept(root, new, seen, now, info)
}

/// Take a trust list fetched by the page into `bundle` (Rust API): it must verify under the
/// pinned root and not be older than the bundle's.
pub fn take_trust_list(
    root: &[u8],
    bundle: &[u8],
    trust_list: &[u8],
    state: Option<&[u8]>,
    now: i64,
) -> Result<Taken, String> {
    let root = parse_root(root)?;
    let old = Bundle::from_bytes(bundle).map_err(|e| format!("bundle: {e}"))?;
    let held = Verifier::from_bundle(root, &old).map_err(|e| format!("bundle: {e}"))?;
    let seen = seen_state(state)?;
    let offered = match Verifier::new(root, trust_list) {
        Ok(v) => v,
        Err(e) => return Ok(refused("invalid", format!("trust list: {e}"))),
    };
    let (o, h) = (offered.trust_list(), held.trust_list());
    let info = json!({
        "kind": "trust_list", "sequence": o.sequence,
        "issued_at": rfc3339(o.issued_at), "expires_at": rfc3339(o.expires_at),
        "issued_at_seconds": o.issued_at, "expires_at_seconds": o.expires_at,
    });
    if o.sequence < h.sequence {
        return Ok(rollback(&Rollback::TrustList {
            seen: h.sequence,
            offered: o.sequence,
        }));
    }
    if o.sequence == h.sequence {
        return Ok(Taken::Same(info));
    }
    let new = rebuild(root, &old, trust_list, None, None)?;
    accept(root, new, seen, now, info)
}

#[cfg(feature = "full")]
fn taken_js(taken: Taken) -> Result<JsValue, JsError> {
    let obj = js_sys::Object::new();
    let set = |key: &str, value: &JsValue| {
        js_sys::Reflect::set(&obj, &key.into(), value).map_err(|_| JsError::new(key))
    };
    match taken {
        Taken::Updated {
            bundle,
            state,
            list,
        } => {
            set(
                "bundle",
                &js_sys::Uint8Array::from(bundle.as_slice()).into(),
            )?;
            set("state", &js_sys::Uint8Array::from(state.as_slice()).into())?;
            set("taken", &to_js(&list)?)?;
        }
        Taken::Same(list) => {
            set("same", &to_js(&list)?)?;
        }
        Taken::Refused(r) => {
            set("refused", &to_js(&r)?)?;
        }
    }
    Ok(obj.into())
}

/// Take a status list the page fetched from `uri` (for `issuer`, whose credential named it)
/// into its offline bundle: checked as in a bundle (signer in the trust list, signature, uri
/// under the issuer's status prefix), it must be that issuer's list at that uri, not older than
/// the list held, and accepted by the device's rollback memory (`state`, as for
/// `acceptSeenState`) at `nowSeconds`. Returns `{ bundle, state, taken }` — keep the new bundle
/// and state together — `{ same }` when it is the list held, or `{ refused }` with nothing
/// changed. Throws only for a root key, bundle or state that cannot be read.
#[cfg(feature = "full")]
#[wasm_bindgen(js_name = takeFetchedStatusList, unchecked_return_type = "{ bundle: Uint8Array; state: Uint8Array; taken: FetchedList } | { same: FetchedList } | { refused: FetchRefusal }")]
pub fn take_fetched_status_list(
    root: &[u8],
    bundle: &[u8],
    issuer: &str,
    uri: &str,
    token: &[u8],
    state: Option<Vec<u8>>,
    #[wasm_bindgen(js_name = nowSeconds)] now: f64,
) -> Result<JsValue, JsError> {
    let taken = take_status_list(
        root,
        bundle,
        issuer,
        uri,
        token,
        state.as_deref(),
        seconds(now)?,
    )
    .map_err(js_err)?;
    taken_js(taken)
}

/// Take a trust list the page fetched into its offline bundle: it must verify under the pinned
/// root, not be older than the bundle's (by sequence) and pass the device's rollback memory;
/// the bundle's status lists it no longer vouches for are dropped. Returns as
/// `takeFetchedStatusList`.
#[cfg(feature = "full")]
#[wasm_bindgen(js_name = takeFetchedTrustList, unchecked_return_type = "{ bundle: Uint8Array; state: Uint8Array; taken: FetchedList } | { same: FetchedList } | { refused: FetchRefusal }")]
pub fn take_fetched_trust_list(
    root: &[u8],
    bundle: &[u8],
    trust_list: &[u8],
    state: Option<Vec<u8>>,
    #[wasm_bindgen(js_name = nowSeconds)] now: f64,
) -> Result<JsValue, JsError> {
    let taken = take_trust_list(root, bundle, trust_list, state.as_deref(), seconds(now)?)
        .map_err(js_err)?;
    taken_js(taken)
}

#[cfg(test)]
#[path = "fetched_tests.rs"]
mod tests;
