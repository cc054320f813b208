//! The one verification outcome (`Verifier::check` → `Report`) and its JSON contract, over
//! every normative test vector, checked against `docs/verify-result.schema.json`; and the
//! defects fixed with it (dates near year 9999, a status list's `exp`, lists dated in the
//! future, possession of a holder-bound credential).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

use std::path::PathBuf;

use ed25519_dalek::SigningKey;
use giayto_status::{StatusList, StatusListToken};
use giayto_verify::json::{report_json, rfc3339, JsonContext};
use giayto_verify::{
    Bundle, CodeKind, Reason, Rollback, SeenState, Verdict, Verifier, VerifyingKey, Warning,
    MAX_DATA_AHEAD,
};
use serde_json::Value;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap()
}

fn json(name: &str) -> Value {
    serde_json::from_slice(&read(name)).unwrap()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn root() -> VerifyingKey {
    let hex = json("credentials.json")["root_public_key"]
        .as_str()
        .unwrap()
        .to_owned();
    VerifyingKey::from_bytes(&unhex(&hex).try_into().unwrap()).unwrap()
}

fn bundle() -> Bundle {
    Bundle::from_bytes(&read("bundle.cbor")).unwrap()
}

fn schema() -> jsonschema::Validator {
    let text = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/verify-result.schema.json"),
    )
    .unwrap();
    jsonschema::validator_for(&serde_json::from_slice(&text).unwrap()).unwrap()
}

fn assert_schema(validator: &jsonschema::Validator, value: &Value, name: &str) {
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:?}\n{value:#}");
}

/// The verifier a vector file asks for; with `deferred`, a bundle's lists are checked when
/// first needed.
fn verifier_for(file: &str, v: &Value, deferred: bool) -> Verifier {
    let verifier = if file == "status.json" && deferred {
        Verifier::from_bundle_deferred(root(), &bundle()).unwrap()
    } else if file == "status.json" {
        Verifier::from_bundle(root(), &bundle()).unwrap()
    } else {
        Verifier::new(root(), &read("trust.cwt")).unwrap()
    };
    let nonce = v["nonce"].as_str().map(unhex);
    verifier
        .with_policy(match v["policy"].as_str() {
            Some("checkpoint") => giayto_verify::Policy::Checkpoint,
            _ => giayto_verify::Policy::ThirdParty,
        })
        .accept_missing_status(v["accept_missing_status"].as_bool().unwrap_or(false))
        .with_expected_nonce(nonce)
}

#[test]
fn every_vector_reports_its_verdict_and_the_json_follows_the_schema() {
    let validator = schema();
    let mut seen = 0;
    let mut verdicts = std::collections::BTreeSet::new();
    // Reports check_static gave, and presentations it left to check().
    let mut statics = (0, 0);
    for file in ["credentials.json", "status.json", "presentations.json"] {
        for v in json(file)["vectors"].as_array().unwrap() {
            let name = v["name"].as_str().unwrap();
            let text = v["text"].as_str().unwrap();
            let at = v["at"].as_i64().unwrap();
            let expected = v["verdict"].as_str().unwrap();
            let verifier = verifier_for(file, v, false);
            let report = verifier.check(text, at);
            assert_eq!(report.verdict().as_str(), expected, "{name}");
            // Lists checked when first needed give the same report as lists checked at load.
            let deferred = verifier_for(file, v, true).check(text, at);
            assert_eq!(format!("{deferred:?}"), format!("{report:?}"), "{name}");
            // The nonce as an argument of one check gives what the configured nonce gives.
            let nonce = v["nonce"].as_str().map(unhex);
            let mut shared = v.clone();
            shared["nonce"] = Value::Null;
            let per_call =
                verifier_for(file, &shared, false).check_with_nonce(text, at, nonce.as_deref());
            assert_eq!(format!("{per_call:?}"), format!("{report:?}"), "{name}");
            // check_static (the page's first-load module, D189): the same report, except for a
            // presentation whose text decodes, which it leaves to check().
            let decodes = !matches!(report.reason(), Some(Reason::Text(_)));
            match verifier.check_static(text, at) {
                Some(r) => {
                    assert!(!(report.is_presentation() && decodes), "{name}");
                    assert_eq!(format!("{r:?}"), format!("{report:?}"), "{name}");
                    statics.0 += 1;
                }
                None => {
                    assert!(report.is_presentation() && decodes, "{name}");
                    statics.1 += 1;
                }
            }
            assert_eq!(report.is_valid(), expected == "valid", "{name}");
            // verify() is check() as a Result: the same verdict.
            let verdict = match verifier.verify(text, at) {
                Ok(_) => Verdict::Valid,
                Err(r) => r.verdict,
            };
            assert_eq!(verdict, report.verdict(), "{name}");
            assert_eq!(report.is_presentation(), text.starts_with("VP1:"), "{name}");
            assert_eq!(
                matches!(report.kind(), CodeKind::Foreign(_)),
                expected == "not_a_credential",
                "{name}"
            );

            let context = JsonContext {
                bundle_created_at: (file == "status.json").then(|| bundle().created_at),
                message: report.reason().map(|r| format!("message for {}", r.code())),
            };
            let out = report_json(&report, &context);
            assert_schema(&validator, &out, name);
            assert_eq!(out["verdict"], expected, "{name}");
            assert_eq!(out["presentation"], text.starts_with("VP1:"), "{name}");
            assert_eq!(out["checked_at"], rfc3339(at), "{name}");
            assert_eq!(
                out.get("bundle_created_at").is_some(),
                file == "status.json"
            );
            if expected == "valid" {
                assert!(
                    out.get("reason").is_none() && out.get("message").is_none(),
                    "{name}"
                );
                if let Some(fields) = v.get("fields") {
                    assert_eq!(&out["fields"], fields, "{name}");
                }
            } else {
                assert_eq!(out["reason"], report.reason().unwrap().code().as_ref());
                assert!(out["message"].as_str().unwrap().starts_with("message for"));
                assert_eq!(out["warnings"], serde_json::json!([]), "{name}");
            }
            seen += 1;
            verdicts.insert(expected.to_owned());
        }
    }
    assert!(seen >= 60, "only {seen} vectors");
    assert!(verdicts.len() >= 12, "{verdicts:?}");
    assert!(statics.0 >= 40 && statics.1 >= 5, "{statics:?}");
}

/// Answers checked against their verifier's request (test-vectors/requests.json,
/// docs/format.md §15): the verdicts of their own are in the contract, and a rejection that
/// shows what was disclosed still follows the schema.
#[test]
fn every_answer_to_a_request_follows_the_schema() {
    let validator = schema();
    let verifier = Verifier::new(root(), &read("trust.cwt")).unwrap();
    let mut verdicts = std::collections::BTreeSet::new();
    for v in json("requests.json")["answers"].as_array().unwrap() {
        let name = v["name"].as_str().unwrap();
        let request = giayto_verify::Request::from_text(v["request"].as_str().unwrap()).unwrap();
        let report = verifier
            .check_answer(
                v["text"].as_str().unwrap(),
                &request,
                v["at"].as_i64().unwrap(),
            )
            .unwrap();
        let out = report_json(&report, &JsonContext::default());
        assert_schema(&validator, &out, name);
        assert_eq!(out["verdict"], v["verdict"], "{name}");
        verdicts.insert(report.verdict().as_str());
    }
    for want in [
        Verdict::WrongRequest,
        Verdict::RequestExpired,
        Verdict::IncompleteAnswer,
        Verdict::Valid,
    ] {
        assert!(verdicts.contains(want.as_str()), "{want}");
    }
}

#[test]
fn the_schema_refuses_what_the_contract_never_emits() {
    let validator = schema();
    let verifier = Verifier::new(root(), &read("trust.cwt")).unwrap();
    let c = json("credentials.json");
    let valid = &c["vectors"][0];
    let report = verifier.check(
        valid["text"].as_str().unwrap(),
        valid["at"].as_i64().unwrap(),
    );
    let good = report_json(&report, &JsonContext::default());
    assert!(validator.is_valid(&good));
    let mut unknown_member = good.clone();
    unknown_member["extra"] = Value::Bool(true);
    assert!(!validator.is_valid(&unknown_member));
    let mut valid_with_reason = good.clone();
    valid_with_reason["reason"] = "expired".into();
    assert!(!validator.is_valid(&valid_with_reason));
    let mut bad_verdict = good.clone();
    bad_verdict["verdict"] = "fine".into();
    assert!(!validator.is_valid(&bad_verdict));
    let mut utc_time = good;
    utc_time["checked_at"] = "2026-11-23T00:00:00Z".into();
    assert!(!validator.is_valid(&utc_time));
}

#[test]
fn a_holder_bound_code_shown_as_issued_says_possession_is_not_proven() {
    let verifier = Verifier::new(root(), &read("trust.cwt")).unwrap();
    let c = json("credentials.json");
    let bound = c["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "valid_cccd")
        .unwrap();
    let report = verifier.check(
        bound["text"].as_str().unwrap(),
        bound["at"].as_i64().unwrap(),
    );
    assert!(report.is_valid());
    assert!(report.verified().unwrap().claims().holder_key.is_some());
    assert!(report.warnings().contains(&Warning::PossessionNotProven));
    let out = report_json(&report, &JsonContext::default());
    assert!(out["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["code"] == "possession_not_proven"));

    // Across every valid credential vector: the warning exactly when the credential is bound.
    let mut bound = 0;
    for v in c["vectors"].as_array().unwrap() {
        let report = verifier.check(v["text"].as_str().unwrap(), v["at"].as_i64().unwrap());
        if let Some(credential) = report.verified() {
            let has_key = credential.claims().holder_key.is_some();
            bound += usize::from(has_key);
            assert_eq!(
                report.warnings().contains(&Warning::PossessionNotProven),
                has_key,
                "{}",
                v["name"]
            );
        }
    }
    assert!(bound >= 4);
    // A presentation proves possession.
    let p = json("presentations.json");
    let fresh = &p["vectors"][0];
    assert_eq!(fresh["name"], "presentation_fresh");
    let report = verifier.check(
        fresh["text"].as_str().unwrap(),
        fresh["at"].as_i64().unwrap(),
    );
    assert!(report.is_valid());
    assert!(report.presentation().is_some());
    assert!(!report.warnings().contains(&Warning::PossessionNotProven));
    assert!(report_json(&report, &JsonContext::default())["presented_at"].is_string());
}

#[test]
fn times_near_year_9999_are_shown_or_refused_never_a_panic() {
    for ts in [
        giayto_cose::cbor::MAX_TIME,
        giayto_cose::cbor::MAX_TIME - 3600,
        i64::MAX,
        i64::MIN,
        -1,
    ] {
        let s = rfc3339(ts);
        assert!(!s.is_empty());
    }
    assert_eq!(rfc3339(i64::MAX), i64::MAX.to_string());
    assert_eq!(rfc3339(0), "1970-01-01T07:00:00+07:00");
    assert_eq!(
        rfc3339(giayto_cose::cbor::MAX_TIME - 7 * 3600),
        "9999-12-31T23:59:59+07:00"
    );
    // A bundle made "in year 10000" is not a bundle.
    let mut b = bundle();
    b.created_at = giayto_cose::cbor::MAX_TIME + 1;
    assert!(Bundle::from_bytes(&b.to_bytes()).is_err());
    b.created_at = giayto_cose::cbor::MAX_TIME;
    assert!(Bundle::from_bytes(&b.to_bytes()).is_ok());
}

/// A police status list signed with the test vectors' issuer key.
fn police_list(uri: &str, issued_at: i64, expires_at: i64) -> Vec<u8> {
    let key = SigningKey::from_bytes(&[0x22; 32]);
    StatusListToken {
        uri: uri.to_owned(),
        issued_at,
        expires_at,
        ttl: None,
        list: StatusList::new(giayto_status::MIN_ENTRIES).unwrap(),
    }
    .sign(&key)
    .unwrap()
}

/// The `status_valid` vector and the uri of its list.
fn status_valid() -> (String, i64, String) {
    let s = json("status.json");
    let v = s["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "status_valid")
        .unwrap()
        .clone();
    let text = v["text"].as_str().unwrap().to_owned();
    let at = v["at"].as_i64().unwrap();
    let verifier = Verifier::from_bundle(root(), &bundle()).unwrap();
    let uri = verifier.check(&text, at).status().unwrap().uri.clone();
    (text, at, uri)
}

#[test]
fn a_status_list_is_not_used_past_its_exp_unless_grace_is_asked_for() {
    let (text, at, uri) = status_valid();
    let exp = at - 3600;
    let list = police_list(&uri, at - 7 * 86_400, exp);
    let mut verifier = Verifier::new(root(), &read("trust.cwt")).unwrap();
    verifier.add_status_list(&list).unwrap();

    // One hour past exp: stale, whatever the old one-day grace would have said.
    let report = verifier.check(&text, at);
    assert_eq!(report.verdict(), Verdict::StaleStatus);
    assert_eq!(report.reason().unwrap().code(), "status_list_expired");
    // Within the clock skew of exp: still in force, no warning about grace.
    let report = verifier.check(&text, exp + 200);
    assert!(report.is_valid(), "{:?}", report.reason());
    assert!(!report
        .warnings()
        .iter()
        .any(|w| matches!(w, Warning::StatusListInGrace { .. })));
    // An operator's explicit grace accepts it, and says so.
    let lenient = verifier.clone().with_status_grace(2 * 3600);
    let report = lenient.check(&text, at);
    assert!(report.is_valid(), "{:?}", report.reason());
    assert!(report.warnings().contains(&Warning::StatusListInGrace {
        uri: uri.clone(),
        expires_at: exp
    }));
    // ... but not beyond it.
    assert_eq!(
        lenient.check(&text, exp + 3 * 3600).verdict(),
        Verdict::StaleStatus
    );
}

#[test]
fn seen_state_accepts_or_refuses_in_one_step_and_refuses_lists_from_the_future() {
    let (_, at, uri) = status_valid();
    let trusted = || Verifier::new(root(), &read("trust.cwt")).unwrap();
    let with_list = |iat: i64| {
        let mut v = trusted();
        v.add_status_list(&police_list(&uri, iat, iat + 7 * 86_400))
            .unwrap();
        v
    };
    let now = at;
    let mut state = SeenState::default();
    assert_eq!(state.accept(&with_list(now - 60), now), Ok(true));
    assert_eq!(state.accept(&with_list(now - 60), now), Ok(false));
    let recorded = state.clone();

    // Older: refused, state unchanged.
    assert!(matches!(
        state.accept(&with_list(now - 3600), now),
        Err(Rollback::StatusList { .. })
    ));
    assert_eq!(state, recorded);

    // Dated years ahead: refused and not remembered, so genuine lists still work after it.
    let poison = now + 5 * 365 * 86_400;
    assert_eq!(
        state.accept(&with_list(poison), now),
        Err(Rollback::FromFuture {
            uri: Some(uri.clone()),
            issued_at: poison,
            now
        })
    );
    assert_eq!(state, recorded);
    assert_eq!(state.accept(&with_list(now), now), Ok(true));

    // Within the allowance ahead of the clock: accepted.
    assert_eq!(
        state.accept(&with_list(now + MAX_DATA_AHEAD - 1), now),
        Ok(true)
    );
}

/// A police status list with one entry revoked, signed by `key`.
fn list_signed_by(key: &SigningKey, uri: &str, issued_at: i64, revoked: u64) -> Vec<u8> {
    let mut list = StatusList::new(giayto_status::MIN_ENTRIES).unwrap();
    list.set(revoked, giayto_status::Status::Revoked).unwrap();
    StatusListToken {
        uri: uri.to_owned(),
        issued_at,
        expires_at: issued_at + 7 * 86_400,
        ttl: None,
        list,
    }
    .sign(key)
    .unwrap()
}

#[test]
fn a_deferred_list_is_checked_when_first_needed_and_a_forged_one_is_not_held() {
    let (text, at, uri) = status_valid();
    let police = SigningKey::from_bytes(&[0x22; 32]);
    let genuine = list_signed_by(&police, &uri, at - 60, 7);

    // A list whose signature does not hold is filed (its structure and signer are fine) but
    // never used: the credential is stale_status, as with no list at all.
    let mut forged = genuine.clone();
    let last = forged.len() - 1;
    forged[last] ^= 1;
    let mut verifier = Verifier::new(root(), &read("trust.cwt")).unwrap();
    verifier.add_status_list_deferred(&forged).unwrap();
    assert_eq!(verifier.status_list_count(), 1);
    let report = verifier.check(&text, at);
    assert_eq!(report.verdict(), Verdict::StaleStatus);
    assert_eq!(report.reason().unwrap().code(), "status_unavailable");
    assert_eq!(verifier.status_lists().count(), 0);
    // Checked at load, the same bytes are refused outright.
    let mut eager = Verifier::new(root(), &read("trust.cwt")).unwrap();
    assert!(eager.add_status_list(&forged).is_err());

    // What is checked before the signature still is: the signer and the uri prefix.
    let stranger = SigningKey::from_bytes(&[0x77; 32]);
    assert!(matches!(
        verifier.add_status_list_deferred(&list_signed_by(&stranger, &uri, at, 7)),
        Err(giayto_verify::StatusLoadError::UnknownSigner { .. })
    ));
    assert!(verifier
        .add_status_list_deferred(b"not a status list")
        .is_err());

    // The genuine list, deferred: valid, and the same report as checked at load.
    let mut deferred = Verifier::new(root(), &read("trust.cwt")).unwrap();
    deferred.add_status_list_deferred(&genuine).unwrap();
    let mut checked = Verifier::new(root(), &read("trust.cwt")).unwrap();
    checked.add_status_list(&genuine).unwrap();
    let report = deferred.check(&text, at);
    assert!(report.is_valid(), "{:?}", report.reason());
    assert_eq!(
        format!("{report:?}"),
        format!("{:?}", checked.check(&text, at))
    );
}

/// A bundle of the test vectors' trust list and `lists`, as `giayto bundle` writes it.
fn bundle_of(lists: Vec<Vec<u8>>) -> Bundle {
    Bundle::from_bytes(
        &Bundle {
            created_at: 1,
            trust_list: read("trust.cwt"),
            status_lists: lists,
            status_deltas: Vec::new(),
        }
        .to_bytes(),
    )
    .unwrap()
}

#[test]
fn an_unused_forged_list_in_a_bundle_changes_nothing_and_a_broken_one_refuses_the_bundle() {
    let (text, at, uri) = status_valid();
    let police = SigningKey::from_bytes(&[0x22; 32]);
    let genuine = list_signed_by(&police, &uri, at - 60, 7);
    // Lists the code does not need, at other uris of the same issuer: one whose signature
    // does not hold, and one that revokes index 7 under a uri no credential names.
    let mut forged = list_signed_by(&police, &format!("{uri}0"), at - 60, 7);
    let last = forged.len() - 1;
    forged[last] ^= 1;
    let other = list_signed_by(&police, &format!("{uri}1"), at - 60, 7);
    let bundle = bundle_of(vec![forged.clone(), genuine.clone(), other]);

    let deferred = Verifier::from_bundle_deferred(root(), &bundle).unwrap();
    assert_eq!(deferred.status_list_count(), 3);
    let report = deferred.check(&text, at);
    assert!(report.is_valid(), "{:?}", report.reason());
    // The same report as a verifier holding the genuine list alone, checked at load.
    let mut alone = Verifier::new(root(), &read("trust.cwt")).unwrap();
    alone.add_status_list(&genuine).unwrap();
    assert_eq!(
        format!("{report:?}"),
        format!("{:?}", alone.check(&text, at))
    );
    // Only the list the code needed was checked; the forged one is left out once every
    // deferred check runs.
    assert_eq!(deferred.status_lists().count(), 2);
    // Checked at load, the forged list refuses the bundle, naming its place.
    assert!(matches!(
        Verifier::from_bundle(root(), &bundle),
        Err(giayto_verify::BundleError::StatusList { index: 0, .. })
    ));

    // A list whose structure is broken refuses the bundle either way, needed or not
    // (docs/decisions.md D199): what files a list (its signer, uri and iat) is read at load.
    let broken = bundle_of(vec![genuine, b"not a status list".to_vec()]);
    for result in [
        Verifier::from_bundle_deferred(root(), &broken),
        Verifier::from_bundle(root(), &broken),
    ] {
        assert!(matches!(
            result,
            Err(giayto_verify::BundleError::StatusList { index: 1, .. })
        ));
    }
}

#[test]
fn seen_state_remembers_only_checked_lists_but_refuses_any_older_one() {
    let (text, at, uri) = status_valid();
    let police = SigningKey::from_bytes(&[0x22; 32]);
    let deferred_with = |iat: i64| {
        let mut v = Verifier::new(root(), &read("trust.cwt")).unwrap();
        v.add_status_list_deferred(&list_signed_by(&police, &uri, iat, 7))
            .unwrap();
        v
    };
    let now = at;

    // Not yet needed by any credential: nothing of the list is remembered.
    let mut state = SeenState::default();
    let unused = deferred_with(now - 60);
    state.accept(&unused, now).unwrap();
    let mut fresh = SeenState::default();
    fresh
        .accept(&Verifier::new(root(), &read("trust.cwt")).unwrap(), now)
        .unwrap();
    assert_eq!(state, fresh, "an unchecked list is not recorded");

    // Once a credential needed it, it is.
    let used = deferred_with(now - 60);
    assert!(used.check(&text, at).is_valid());
    assert_eq!(state.accept(&used, now), Ok(true));

    // An older list is refused before anything checks it, and the state does not change.
    let recorded = state.clone();
    assert!(matches!(
        state.accept(&deferred_with(now - 3600), now),
        Err(Rollback::StatusList { .. })
    ));
    assert_eq!(state, recorded);
    // So is one dated far ahead of the device's clock.
    assert!(matches!(
        state.accept(&deferred_with(now + 10 * MAX_DATA_AHEAD), now),
        Err(Rollback::FromFuture { .. })
    ));
    assert_eq!(state, recorded);
}
