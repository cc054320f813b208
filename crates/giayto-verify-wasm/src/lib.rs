//! The giayto verifier for web pages and Node, through wasm-bindgen.
//!
//! [`WebVerifier`] wraps [`giayto_verify::Verifier`]; `verify` returns a plain JS object with
//! the field names of `giayto verify --json` (see [`result_json`]). The QR scanner (rqrr, rxing
//! and the image decoders) is not in this module: it is the second module `giayto-scan-wasm`,
//! which a page loads only when a photo or the camera is used (docs/decisions.md D175).
//! Without the default feature `full` the build is the page's first-load module
//! (`giayto_verify_lite`, D177): the verifier of static credentials and the seen state,
//! without forms, making, drawing or answering requests, status updates, presentations and
//! Claim 169 codes (D189), or the setters the page never calls, which the page loads with the
//! complete module when it first needs them. A verifier's request (`VR1:`, docs/format.md §15) is
//! made, drawn and checked against by the functions of `request.rs` (`makeRequest`,
//! `renderQrSvg`, `readRequest`, `WebVerifier.checkAnswer`). [`apply_status_delta`] takes a
//! scanned status update (`VD1:`) into the page's offline bundle; [`take_status_list`] and
//! [`take_trust_list`] take lists the page fetched itself (`web/fetch.js`).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use ed25519_dalek::VerifyingKey;
use giayto_verify::json::{report_json, JsonContext};
#[cfg(feature = "full")]
use giayto_verify::Policy;
use giayto_verify::{hex_lower, Added, Bundle, Report, Rollback, SeenState, Verifier};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

mod request;
pub use request::request_items_for;
#[cfg(feature = "full")]
pub use request::{make_request_value, read_request_value, request_json, RequestInput};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** One verification, with the field names of `giayto verify --json`. */
export interface VerifyResult {
  valid: boolean;
  verdict: "valid" | "expired" | "not_yet_valid" | "revoked" | "suspended" | "held" | "unknown_issuer"
    | "issuer_not_authorized" | "bad_signature" | "malformed" | "stale_status" | "stale_trust"
    | "stale_presentation" | "insufficient_level" | "not_a_credential" | "unsupported_document"
    | "wrong_request" | "request_expired" | "incomplete_answer";
  checked_at: string;
  trust_list: { sequence: number; issued_at: string; expires_at: string };
  /** Present when rejected: a stable snake_case code. */
  reason?: string;
  /** Arguments of the reason's message (times, uris, levels), when it has any. */
  reason_args?: Record<string, string>;
  doc_type?: "cccd" | "gplx" | "vehicle" | "bhyt" | "bhxh" | string;
  issuer?: string;
  issuer_name?: { vi: string; en: string | null };
  serial?: string;
  issued_at?: string;
  expires_at?: string;
  not_before?: string;
  assurance_level?: number;
  holder_key?: string;
  status?: { idx: number; uri: string };
  unknown_claims?: (number | string | null)[];
  /** The document's fields (dates YYYY-MM-DD); present whenever the signature verified. */
  fields?: Record<string, unknown>;
  /** The fields as the card shows them: [name, value] in card order. */
  display_fields?: [string, string][];
  /** A selective-disclosure presentation: `fields` holds only what the holder disclosed. */
  disclosed?: true;
  /** With `disclosed`: how many of the type's fields and age_over_NN predicates were withheld. */
  withheld?: number;
  status_list?: { uri: string; idx: number; issued_at: string; expires_at: string };
  /** Always present; empty unless valid. */
  warnings: { code: "status_not_checked" | "status_list_aging" | "status_list_in_grace"
    | "trust_list_aging" | "possession_not_proven" | string; uri?: string; expires_at?: string }[];
  bundle_created_at?: string;
  /** Whether the code was a holder-signed VP1: presentation. */
  presentation: boolean;
  /** For an accepted presentation: when the holder signed, and the challenge it answered. */
  presented_at?: string;
  nonce?: string;
  /** For a code that is not a giayto credential: what it looks like (web_link, vietqr, ...). */
  foreign?: string;
  /** The reason's message in the caller's language (the CLI only). */
  message?: string;
}
/** A form filled from scanned codes (`prefill`, docs/forms.md §7). */
export interface PrefillResult {
  /** The filled form; null when the codes are papers of different people. */
  form: {
    form: string; title: { vi: string; en: string }; complete: boolean;
    fields: { id: string; label: { vi: string; en: string }; value: string | null;
      source?: string; unfilled?: "manual" | "no_credential" | "not_disclosed" | "absent"
        | "not_split" | "unknown_age" | string }[];
    unfilled: string[];
  } | null;
  /** Each code's verification, in order; only valid ones fill the form. */
  results: VerifyResult[];
  /** When two codes are papers of different people: which (0-based) and what differs. */
  different_holders?: { first: number; second: number; field: string };
}
/** A verifier's request (VR1:) as `readRequest` and `makeRequest` give it. */
export interface RequestInfo {
  verifier: string; purpose: string; required: string[]; optional: string[];
  doc_type: "cccd" | "gplx" | "vehicle" | "bhyt" | string | null; nonce: string;
  issued_at: string; expires_at: string; expires_at_seconds: number;
}
/** Why a request was refused: `code` as in test-vectors/requests.json, and what it names. */
export interface RequestError { code: string; message?: string; item?: string; member?: string }
/** A signed list held by the verifier. */
export interface StatusListInfo {
  issuer: string; uri: string; issued_at: string; expires_at: string;
  issued_at_seconds: number; expires_at_seconds: number; ttl: number | null;
}
/**
 * Data older than what the device has already used (`checkSeenState`): a trust list with a
 * lower sequence, or a status list published before one already used for its uri. `seen` and
 * `offered` are sequence numbers for a trust list, RFC 3339 times for a status list.
 */
export type Rollback =
  | { kind: "trust_list"; seen: number; offered: number; message: string }
  | { kind: "status_list"; uri: string; seen: string; offered: string;
      seen_seconds: number; offered_seconds: number; message: string }
  | { kind: "from_future"; uri: string | null; issued_at: string; issued_at_seconds: number;
      now_seconds: number; message: string };
"#;

/// RFC 3339 in Vietnam's time (+07:00), as the CLI prints.
pub fn rfc3339(ts: i64) -> String {
    giayto_verify::json::rfc3339(ts)
}

/// The pinned root key from a PEM (SPKI, label `PUBLIC KEY`) text, 64 hex digits, or the raw
/// 32 bytes.
pub fn parse_root(bytes: &[u8]) -> Result<VerifyingKey, String> {
    let bad = || "root key: not an Ed25519 public key (PEM, hex or 32 bytes)".to_owned();
    if let Ok(raw) = <[u8; 32]>::try_from(bytes) {
        return VerifyingKey::from_bytes(&raw).map_err(|_| bad());
    }
    if bytes.len() > 4096 {
        return Err(bad());
    }
    let text = std::str::from_utf8(bytes).map_err(|_| bad())?.trim();
    if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        let mut raw = [0u8; 32];
        for (i, out) in raw.iter_mut().enumerate() {
            *out = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
        }
        return VerifyingKey::from_bytes(&raw).map_err(|_| bad());
    }
    let (label, der) = pem_rfc7468::decode_vec(text.as_bytes()).map_err(|_| bad())?;
    if label != "PUBLIC KEY" {
        return Err(bad());
    }
    let raw = der
        .strip_prefix(ED25519_SPKI_PREFIX.as_slice())
        .and_then(|key| <[u8; 32]>::try_from(key).ok())
        .ok_or_else(bad)?;
    VerifyingKey::from_bytes(&raw).map_err(|_| bad())
}

/// The DER of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4) before its 32 key bytes:
/// `SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (0 unused bits) }`. DER allows no other
/// encoding of it, so comparing bytes accepts exactly what `DecodePublicKey::from_public_key_pem`
/// accepts, without linking a DER reader into the web page's module (docs/decisions.md D182).
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// Hex nonce to bytes (at most 64 bytes).
#[cfg(feature = "full")]
fn parse_hex(text: &str) -> Option<Vec<u8>> {
    let t = text.trim();
    if t.len() % 2 != 0 || t.len() > 128 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..t.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&t[i..i + 2], 16).ok())
        .collect()
}

/// The result of one verification as JSON: exactly the contract of `giayto verify --json`,
/// built by the one function that builds it for every front end
/// ([`giayto_verify::json::report_json`]); a page translates `reason` and `reason_args` with
/// its own Fluent messages.
pub fn result_json(report: &Report, bundle_created_at: Option<i64>) -> Value {
    report_json(
        report,
        &JsonContext {
            bundle_created_at,
            message: None,
        },
    )
}

/// Longest QR text accepted (a version 40 symbol holds 4,296 alphanumeric characters).
const MAX_TEXT: usize = 8192;

/// The verifier a page or a Node program holds: pinned root, trust list, status lists, policy.
#[wasm_bindgen]
pub struct WebVerifier {
    // Always `Some` between calls; taken only to apply the by-value builder methods.
    inner: Option<Verifier>,
    bundle_created_at: Option<i64>,
    root: [u8; 32],
}

impl WebVerifier {
    fn verifier(&self) -> Result<&Verifier, String> {
        self.inner
            .as_ref()
            .ok_or_else(|| "verifier unavailable".to_owned())
    }

    #[cfg(feature = "full")]
    fn update(&mut self, f: impl FnOnce(Verifier) -> Verifier) {
        if let Some(v) = self.inner.take() {
            self.inner = Some(f(v));
        }
    }

    /// Build from a root key and a signed trust list (Rust API).
    pub fn with_trust_list(root: &[u8], trust_list: &[u8]) -> Result<WebVerifier, String> {
        let root = parse_root(root)?;
        let verifier = Verifier::new(root, trust_list).map_err(|e| format!("trust list: {e}"))?;
        Ok(WebVerifier {
            inner: Some(verifier),
            bundle_created_at: None,
            root: root.to_bytes(),
        })
    }

    /// Build from a root key and an offline bundle (Rust API), as `giayto verify --bundle`
    /// does ([`Verifier::from_bundle_deferred`]): the trust list is checked now, each status
    /// list's signature and inflate when a credential first needs it, so loading a national
    /// bundle does not grow with its lists. A list whose deferred check fails counts as not
    /// held (its credentials are `stale_status`, docs/format.md §9.5).
    pub fn with_bundle(root: &[u8], bundle: &[u8]) -> Result<WebVerifier, String> {
        let root = parse_root(root)?;
        let bundle = Bundle::from_bytes(bundle).map_err(|e| format!("bundle: {e}"))?;
        let verifier =
            Verifier::from_bundle_deferred(root, &bundle).map_err(|e| format!("bundle: {e}"))?;
        Ok(WebVerifier {
            inner: Some(verifier),
            bundle_created_at: Some(bundle.created_at),
            root: root.to_bytes(),
        })
    }

    /// Add a signed status list (Rust API): `"added"`, `"replaced"` or `"kept_newer"`.
    pub fn add_list(&mut self, token: &[u8]) -> Result<&'static str, String> {
        let verifier = self
            .inner
            .as_mut()
            .ok_or_else(|| "verifier unavailable".to_owned())?;
        match verifier.add_status_list(token) {
            Ok(Added::New) => Ok("added"),
            Ok(Added::Replaced) => Ok("replaced"),
            Ok(Added::OlderIgnored) => Ok("kept_newer"),
            Err(e) => Err(format!("status list: {e}")),
        }
    }

    /// Whether this verifier's data is older than a device's seen state (the bytes of
    /// [`SeenState::to_bytes`]; `None` for a device that has used nothing yet): `Ok(None)` when
    /// it may be used, `Ok(Some(rollback))` when it must be refused (Rust API). The check is
    /// [`SeenState::check`], the CLI's own.
    pub fn check_seen(&self, state: Option<&[u8]>) -> Result<Option<Value>, String> {
        let state = seen_state(state)?;
        Ok(state
            .check(self.verifier()?)
            .err()
            .map(|r| rollback_json(&r)))
    }

    /// The device's seen state with this verifier's data recorded ([`SeenState::update`]);
    /// refuses data older than the state, so nothing older is ever recorded (Rust API).
    pub fn record_seen(&self, state: Option<&[u8]>) -> Result<Vec<u8>, String> {
        let mut state = seen_state(state)?;
        let verifier = self.verifier()?;
        state.check(verifier).map_err(|r| r.to_string())?;
        state.update(verifier);
        Ok(state.to_bytes())
    }

    /// Rollback protection in one step, as the CLI runs it ([`SeenState::accept`]): refuse
    /// data older than the device's state or dated more than an hour after the device's clock
    /// `now`, else record it. `Ok(Ok(new state bytes))` when accepted, `Ok(Err(rollback))`
    /// when refused (Rust API).
    pub fn accept_seen(
        &self,
        state: Option<&[u8]>,
        now: i64,
    ) -> Result<Result<Vec<u8>, Value>, String> {
        let mut state = seen_state(state)?;
        Ok(match state.accept(self.verifier()?, now) {
            Ok(_) => Ok(state.to_bytes()),
            Err(r) => Err(rollback_json(&r)),
        })
    }

    #[cfg(feature = "full")]
    /// Fill a form (docs/forms.md) from scanned texts at `now` (Rust API): each text verified
    /// as [`WebVerifier::verify_value`] does, the valid ones fill the form. `form` is the form
    /// description's JSON; an invalid one is an error naming what is wrong.
    pub fn prefill_value(&self, form: &str, texts: &[String], now: i64) -> Result<Value, String> {
        let form = giayto_forms::Form::from_slice(form.as_bytes())
            .map_err(|e| format!("form: {e} ({})", e.code()))?;
        let verifier = self.verifier()?;
        let reports: Vec<Report> = texts
            .iter()
            .map(|t| verifier.check(t.get(..MAX_TEXT + 1).unwrap_or(t), now))
            .collect();
        let valid: Vec<&giayto_verify::VerifiedCredential> =
            reports.iter().filter_map(Report::verified).collect();
        let results: Vec<Value> = reports
            .iter()
            .map(|r| result_json(r, self.bundle_created_at))
            .collect();
        Ok(match giayto_forms::fill(&form, &valid, now) {
            Ok(filled) => serde_json::json!({ "form": filled.to_json(), "results": results }),
            Err(giayto_forms::FillError::DifferentHolders {
                first,
                second,
                what,
            }) => serde_json::json!({
                "form": Value::Null,
                "results": results,
                "different_holders": { "first": first, "second": second, "field": what },
            }),
            Err(e) => return Err(e.to_string()),
        })
    }

    /// Verify a text at `now` (seconds) and shape the result as JSON (Rust API). Without the
    /// feature `full` (the page's first-load module), a `VP1:` presentation or a Claim 169 code
    /// gets `{"needs_complete_module": true}` instead, and the page checks it with the
    /// complete module (docs/decisions.md D189).
    pub fn verify_value(&self, text: &str, now: i64) -> Result<Value, String> {
        let verifier = self.verifier()?;
        let text = if text.len() > MAX_TEXT {
            // Still a verdict, never an error: the text decoder refuses the length itself.
            text.get(..MAX_TEXT + 1).unwrap_or(text)
        } else {
            text
        };
        #[cfg(feature = "full")]
        let report = verifier.check(text, now);
        // The first-load module checks no presentation and no Claim 169 code: it says so, and
        // the page checks the code with the complete module (docs/decisions.md D189).
        #[cfg(not(feature = "full"))]
        let Some(report) = verifier.check_static(text, now) else {
            return Ok(json!({ "needs_complete_module": true }));
        };
        Ok(result_json(&report, self.bundle_created_at))
    }
}

/// A device's seen state from its bytes; none yet is the empty state.
fn seen_state(bytes: Option<&[u8]>) -> Result<SeenState, String> {
    match bytes {
        None => Ok(SeenState::default()),
        Some(b) => SeenState::from_bytes(b)
            .ok_or_else(|| "seen state: not a giayto device state".to_owned()),
    }
}

/// A [`Rollback`] as the page shows it (the CLI's `error-rollback-*` messages take these).
fn rollback_json(r: &Rollback) -> Value {
    match r {
        Rollback::TrustList { seen, offered } => json!({
            "kind": "trust_list",
            "seen": seen,
            "offered": offered,
            "message": r.to_string(),
        }),
        Rollback::StatusList { uri, seen, offered } => json!({
            "kind": "status_list",
            "uri": uri,
            "seen": rfc3339(*seen),
            "offered": rfc3339(*offered),
            "seen_seconds": seen,
            "offered_seconds": offered,
            "message": r.to_string(),
        }),
        Rollback::FromFuture {
            uri,
            issued_at,
            now,
        } => json!({
            "kind": "from_future",
            "uri": uri,
            "issued_at": rfc3339(*issued_at),
            "issued_at_seconds": issued_at,
            "now_seconds": now,
            "message": r.to_string(),
        }),
        _ => json!({ "kind": "other", "message": r.to_string() }),
    }
}

fn js_err(e: String) -> JsError {
    JsError::new(&e)
}

fn to_js(value: &Value) -> Result<JsValue, JsError> {
    js_sys::JSON::parse(&value.to_string()).map_err(|_| JsError::new("JSON"))
}

/// Seconds (a JS number) to i64, refusing NaN and values out of range.
fn seconds(now: f64) -> Result<i64, JsError> {
    if now.is_finite() && now.abs() < 1e15 {
        Ok(now.floor() as i64)
    } else {
        Err(JsError::new("nowSeconds: not a time in seconds"))
    }
}

#[wasm_bindgen]
impl WebVerifier {
    /// A verifier from the pinned root key (PEM text bytes, 64 hex digits or the raw 32 bytes)
    /// and a signed trust list (`trust.cwt`).
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = fromTrustList)]
    pub fn from_trust_list(root: &[u8], trust_list: &[u8]) -> Result<WebVerifier, JsError> {
        WebVerifier::with_trust_list(root, trust_list).map_err(js_err)
    }

    /// A verifier from the pinned root key and an offline bundle (trust list and status lists).
    #[wasm_bindgen(js_name = fromBundle)]
    pub fn from_bundle(root: &[u8], bundle: &[u8]) -> Result<WebVerifier, JsError> {
        WebVerifier::with_bundle(root, bundle).map_err(js_err)
    }

    /// Add a signed status list; returns `"added"`, `"replaced"` or `"kept_newer"`.
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = addStatusList)]
    pub fn add_status_list(&mut self, token: &[u8]) -> Result<String, JsError> {
        self.add_list(token).map(str::to_owned).map_err(js_err)
    }

    /// `"third-party"` (default, assurance level 1) or `"checkpoint"` (level 2 required).
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = setPolicy)]
    pub fn set_policy(&mut self, policy: &str) -> Result<(), JsError> {
        let policy = match policy {
            "third-party" | "third_party" => Policy::ThirdParty,
            "checkpoint" => Policy::Checkpoint,
            _ => return Err(JsError::new("policy: third-party or checkpoint")),
        };
        self.update(|v| v.with_policy(policy));
        Ok(())
    }

    /// Accept a credential whose status list is not held, with a warning (default: refuse
    /// with `stale_status`).
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = setAcceptMissingStatus)]
    pub fn set_accept_missing_status(&mut self, accept: bool) {
        self.update(|v| v.accept_missing_status(accept));
    }

    /// Expect this challenge (hex) in presentations; `undefined` clears it.
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = setExpectedNonce)]
    pub fn set_expected_nonce(&mut self, nonce_hex: Option<String>) -> Result<(), JsError> {
        let nonce = match nonce_hex {
            Some(h) => Some(parse_hex(&h).ok_or_else(|| JsError::new("nonce: hex"))?),
            None => None,
        };
        self.update(|v| v.with_expected_nonce(nonce));
        Ok(())
    }

    /// Verify a scanned text at `nowSeconds` (seconds since the epoch; the verifier reads no
    /// clock). Never throws for any text: every outcome is a verdict (in the page's first-load
    /// module, `{ needs_complete_module: true }` for a presentation or a Claim 169 code).
    #[wasm_bindgen(unchecked_return_type = "VerifyResult")]
    pub fn verify(
        &self,
        text: &str,
        #[wasm_bindgen(js_name = nowSeconds)] now: f64,
    ) -> Result<JsValue, JsError> {
        let value = self.verify_value(text, seconds(now)?).map_err(js_err)?;
        to_js(&value)
    }

    #[cfg(feature = "full")]
    /// Fill a form (docs/forms.md) from scanned texts at `nowSeconds`: every text is verified as
    /// `verify` does and only valid ones fill it (a selective presentation only what it
    /// disclosed). Throws only for a form description that is not valid.
    #[wasm_bindgen(unchecked_return_type = "PrefillResult")]
    pub fn prefill(
        &self,
        form: &str,
        texts: Vec<String>,
        #[wasm_bindgen(js_name = nowSeconds)] now: f64,
    ) -> Result<JsValue, JsError> {
        let value = self
            .prefill_value(form, &texts, seconds(now)?)
            .map_err(js_err)?;
        to_js(&value)
    }

    /// When the bundle was made (seconds), if the verifier came from one.
    #[wasm_bindgen(getter, js_name = bundleCreatedAt)]
    pub fn bundle_created_at(&self) -> Option<f64> {
        self.bundle_created_at.map(|t| t as f64)
    }

    /// Age of the bundle at `nowSeconds`, in seconds (never negative).
    #[wasm_bindgen(js_name = bundleAgeSeconds)]
    pub fn bundle_age_seconds(
        &self,
        #[wasm_bindgen(js_name = nowSeconds)] now: f64,
    ) -> Result<Option<f64>, JsError> {
        let now = seconds(now)?;
        Ok(self
            .bundle_created_at
            .map(|made| now.saturating_sub(made).max(0) as f64))
    }

    /// The pinned root key, 64 hex digits (a device keeps one seen state per root, as the CLI).
    #[wasm_bindgen(getter, js_name = rootKey)]
    pub fn root_key(&self) -> String {
        hex_lower(&self.root)
    }

    /// Rollback protection, as `giayto verify` has it: whether this verifier's trust list or
    /// status lists are older than what the device has used (`state`: bytes from
    /// `recordSeenState`, `undefined` on a device that has used nothing). `undefined` when the
    /// data may be used; else what is older. Throws only for state bytes it cannot read.
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = checkSeenState, unchecked_return_type = "Rollback | undefined")]
    pub fn check_seen_state(&self, state: Option<Vec<u8>>) -> Result<JsValue, JsError> {
        match self.check_seen(state.as_deref()).map_err(js_err)? {
            Some(r) => to_js(&r),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// The device state to keep after using this verifier's data: `state` (or none) with this
    /// trust list's sequence and each status list's publication time recorded. Throws if the
    /// data is older than `state` (see `checkSeenState`).
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = recordSeenState)]
    pub fn record_seen_state(&self, state: Option<Vec<u8>>) -> Result<Vec<u8>, JsError> {
        self.record_seen(state.as_deref()).map_err(js_err)
    }

    /// Rollback protection in one step, as `giayto verify` runs it: refuse data older than
    /// `state` (bytes from an earlier call, `undefined` on a device that has used nothing) or
    /// dated more than an hour after `nowSeconds` (the device's clock); otherwise record it.
    /// Returns `{ state: Uint8Array }` when accepted (keep the new state) or
    /// `{ rollback: Rollback }` when refused (keep using the data held before). Throws only for
    /// state bytes it cannot read.
    #[wasm_bindgen(js_name = acceptSeenState, unchecked_return_type = "{ state: Uint8Array } | { rollback: Rollback }")]
    pub fn accept_seen_state(
        &self,
        state: Option<Vec<u8>>,
        #[wasm_bindgen(js_name = nowSeconds)] now: f64,
    ) -> Result<JsValue, JsError> {
        let obj = js_sys::Object::new();
        match self
            .accept_seen(state.as_deref(), seconds(now)?)
            .map_err(js_err)?
        {
            Ok(bytes) => {
                let array = js_sys::Uint8Array::from(bytes.as_slice());
                js_sys::Reflect::set(&obj, &"state".into(), &array)
                    .map_err(|_| JsError::new("state"))?;
            }
            Err(rollback) => {
                js_sys::Reflect::set(&obj, &"rollback".into(), &to_js(&rollback)?)
                    .map_err(|_| JsError::new("rollback"))?;
            }
        }
        Ok(obj.into())
    }

    /// The trust list: `{sequence, issued_at, expires_at, issued_at_seconds, expires_at_seconds}`.
    #[wasm_bindgen(js_name = trustList, unchecked_return_type = "{ sequence: number; issued_at: string; expires_at: string; issued_at_seconds: number; expires_at_seconds: number }")]
    pub fn trust_list(&self) -> Result<JsValue, JsError> {
        let t = self.verifier().map_err(js_err)?.trust_list();
        to_js(&json!({
            "sequence": t.sequence,
            "issued_at": rfc3339(t.issued_at),
            "expires_at": rfc3339(t.expires_at),
            "issued_at_seconds": t.issued_at,
            "expires_at_seconds": t.expires_at,
        }))
    }

    /// How many status lists are held, including those whose deferred check has not run yet
    /// (cheap: unlike `statusLists`, checks none).
    #[wasm_bindgen(js_name = statusListCount)]
    pub fn status_list_count(&self) -> Result<u32, JsError> {
        let n = self.verifier().map_err(js_err)?.status_list_count();
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// The status lists held and checked (a deferred check runs here for every list not yet
    /// checked; one whose check fails is left out).
    #[wasm_bindgen(js_name = statusLists, unchecked_return_type = "StatusListInfo[]")]
    pub fn status_lists(&self) -> Result<JsValue, JsError> {
        let lists: Vec<Value> = self
            .verifier()
            .map_err(js_err)?
            .status_lists()
            .map(|l| {
                json!({
                    "issuer": l.issuer_id,
                    "uri": l.token.uri,
                    "issued_at": rfc3339(l.token.issued_at),
                    "expires_at": rfc3339(l.token.expires_at),
                    "issued_at_seconds": l.token.issued_at,
                    "expires_at_seconds": l.token.expires_at,
                    "ttl": l.token.ttl,
                })
            })
            .collect();
        to_js(&Value::Array(lists))
    }
}

impl WebVerifier {
    /// Each issuer of the trust list with the prefix its status lists are published under
    /// (docs/format.md §6.3), for the page's fetching (Rust API).
    pub fn prefixes(&self) -> Result<Value, String> {
        Ok(Value::Array(
            self.verifier()?
                .trust_list()
                .issuers
                .iter()
                .filter_map(|e| {
                    e.status_uri_prefix
                        .as_ref()
                        .map(|p| json!({"issuer": e.id, "prefix": p}))
                })
                .collect(),
        ))
    }
}

#[wasm_bindgen]
impl WebVerifier {
    /// The status prefix of each issuer that has one: the only uris the page fetches a list of
    /// that issuer from (docs/format.md §9.7).
    #[wasm_bindgen(js_name = statusPrefixes, unchecked_return_type = "{ issuer: string; prefix: string }[]")]
    pub fn status_prefixes(&self) -> Result<JsValue, JsError> {
        to_js(&self.prefixes().map_err(js_err)?)
    }
}

#[cfg(feature = "full")]
mod delta;
#[cfg(feature = "full")]
pub use delta::{apply_delta, apply_status_delta, DeltaOutcome};
mod fetched;
pub use fetched::{take_status_list, take_trust_list, Taken};
// The page takes fetched lists through the complete module (web/fetch.js, D183).
#[cfg(feature = "full")]
pub use fetched::{take_fetched_status_list, take_fetched_trust_list};

#[cfg(test)]
mod tests;
