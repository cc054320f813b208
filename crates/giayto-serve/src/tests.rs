//! Unit tests of `lib`.
use super::*;

#[test]
fn request_parsing_refuses_what_it_should() {
    let code = |body: &str| parse_request(body.as_bytes()).err().map(|e| e.code);
    assert_eq!(code(r#"{"text":"VN1:x"}"#), None);
    assert_eq!(code("{"), Some("bad_json"));
    assert_eq!(
        code(r#"{"text":"a","image":"AA=="}"#),
        Some("text_and_image")
    );
    assert_eq!(code("{}"), Some("no_input"));
    assert_eq!(code(r#"{"image":"@@@"}"#), Some("bad_base64"));
    assert_eq!(code(r#"{"text":"a","nonce":"zz"}"#), Some("bad_nonce"));
    assert_eq!(code(r#"{"text":"a","nonce":""}"#), Some("bad_nonce"));
    assert_eq!(code(r#"{"text":"a","policy":"bank"}"#), Some("bad_policy"));
    assert_eq!(code(r#"{"text":"a","at":"yesterday"}"#), Some("bad_time"));
    assert_eq!(code(r#"{"text":"a","nonse":"00"}"#), Some("bad_json"));
    assert_eq!(code(r#"{"image":"iVBORw0KGgo"}"#), None);
    assert_eq!(
        code(r#"{"text":"a","request":"VN1:x"}"#),
        Some("bad_verifier_request")
    );
    assert_eq!(
        code(r#"{"text":"a","request":"VR1:x","nonce":"00"}"#),
        Some("nonce_and_request")
    );
}

/// Every slot taken: a request waits `queue_wait`, then gets 503 `busy`; a freed slot
/// serves the next one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_service_answers_busy_then_recovers() {
    use http_body_util::{BodyExt, Full};
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors");
    let root = giayto_trust::keys::read_public_key(&dir.join("root.pub")).unwrap();
    let trust = std::fs::read(dir.join("trust.cwt")).unwrap();
    let verifier = Verifier::new(root, &trust).unwrap();
    let service = Arc::new(VerifyService::new(
        verifier,
        None,
        Limits {
            max_concurrent: 1,
            queue_wait: Duration::from_millis(50),
            ..Limits::default()
        },
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1/verify", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, router(service.clone()), async {
        let _ = rx.await;
    }));
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Full<Bytes>>();
    let post = || async {
        let req = axum::http::Request::post(&url)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from_static(br#"{"text":"HC1:x"}"#)))
            .unwrap();
        let resp = client.request(req).await.unwrap();
        let status = resp.status();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice::<Value>(&body).unwrap())
    };
    let held = service.permits.try_acquire().unwrap();
    let (status, body) = post().await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"]["code"], "busy");
    drop(held);
    let (status, body) = post().await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["verdict"], "not_a_credential");
    let text = service.metrics.render(0, 1, &[]);
    assert!(text.contains("giayto_requests_refused_total{code=\"busy\"} 1\n"));
    tx.send(()).unwrap();
    task.await.unwrap().unwrap();
}

/// A reload swaps the data (a verdict changes), a failed reload keeps it.
#[test]
fn reload_replaces_the_data_or_keeps_it() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors");
    let root = giayto_trust::keys::read_public_key(&dir.join("root.pub")).unwrap();
    let trust = std::fs::read(dir.join("trust.cwt")).unwrap();
    let bundle =
        giayto_verify::Bundle::from_bytes(&std::fs::read(dir.join("bundle.cbor")).unwrap())
            .unwrap();
    let doc: Value =
        serde_json::from_slice(&std::fs::read(dir.join("status.json")).unwrap()).unwrap();
    let v = doc["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "status_valid")
        .unwrap();
    let (text, at) = (v["text"].as_str().unwrap(), v["at"].as_i64().unwrap());
    let lines = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let sink = lines.clone();
    let service = VerifyService::new(
        Verifier::new(root, &trust).unwrap(),
        None,
        Limits::default(),
    )
    .with_log(Arc::new(move |l: &str| {
        sink.lock().unwrap().push(l.to_owned())
    }));
    // No status lists yet: the credential's list is missing.
    assert_eq!(
        service
            .data()
            .third_party
            .check(text, at)
            .verdict()
            .as_str(),
        "stale_status"
    );
    let failing: Reloader = Arc::new(|| Err("bundle.cbor: older than the one in use".into()));
    assert!(!service.reload(&failing));
    assert_eq!(
        service
            .data()
            .third_party
            .check(text, at)
            .verdict()
            .as_str(),
        "stale_status"
    );
    let made = bundle.created_at;
    let good: Reloader = Arc::new(move || {
        Ok((
            Verifier::from_bundle(root, &bundle).map_err(|e| e.to_string())?,
            Some(made),
        ))
    });
    assert!(service.reload(&good));
    assert!(service.data().third_party.check(text, at).is_valid());
    assert!(service.data().checkpoint.check(text, at).is_valid());
    assert_eq!(service.data().bundle_created_at, Some(made));
    let lines = lines.lock().unwrap().clone();
    assert!(lines[0].starts_with("reload refused"), "{lines:?}");
    assert!(
        lines[1].starts_with("reloaded trust_list_sequence=1 status_lists=2"),
        "{lines:?}"
    );
}

#[test]
fn accept_language_picks_vi_or_en() {
    let with = |v: &'static str| {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static(v));
        accept_language(&h)
    };
    assert_eq!(with("vi-VN,vi;q=0.9"), Some(Lang::Vi));
    assert_eq!(with("fr, en-US;q=0.5"), Some(Lang::En));
    assert_eq!(with("fr"), None);
    assert_eq!(accept_language(&HeaderMap::new()), None);
}

/// The background refresh: a verification that finds its status list missing asks for it; the
/// refresher's new data replaces the old for the next request, and `/metrics` shows the list's
/// age from then on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_list_is_wanted_and_the_refreshed_data_is_used() {
    use http_body_util::{BodyExt, Full};
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors");
    let root = giayto_trust::keys::read_public_key(&dir.join("root.pub")).unwrap();
    let trust = std::fs::read(dir.join("trust.cwt")).unwrap();
    let bundle =
        giayto_verify::Bundle::from_bytes(&std::fs::read(dir.join("bundle.cbor")).unwrap())
            .unwrap();
    let doc: Value =
        serde_json::from_slice(&std::fs::read(dir.join("status.json")).unwrap()).unwrap();
    let v = doc["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "status_valid")
        .unwrap();
    let at = time::OffsetDateTime::from_unix_timestamp(v["at"].as_i64().unwrap())
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let body = serde_json::json!({"text": v["text"], "at": at}).to_string();

    let lines = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let sink = lines.clone();
    let service = Arc::new(
        VerifyService::new(
            Verifier::new(root, &trust).unwrap(),
            None,
            Limits::default(),
        )
        .with_log(Arc::new(move |l: &str| {
            sink.lock().unwrap().push(l.to_owned())
        })),
    );
    let asked = Arc::new(std::sync::Mutex::new(Vec::<RefreshRequest>::new()));
    let seen = asked.clone();
    let refresher: Refresher = Arc::new(move |request: RefreshRequest| {
        seen.lock().unwrap().push(request.clone());
        let verifier =
            (!request.wanted.is_empty()).then(|| Verifier::from_bundle(root, &bundle).unwrap());
        Box::pin(async move {
            RefreshOutcome {
                verifier,
                next_in: Duration::from_secs(3600),
                log: vec!["fetched status_list=test".into()],
            }
        })
    });
    let background = tokio::spawn(refresh_in_background(
        service.clone(),
        refresher,
        Duration::from_secs(3600),
    ));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, router(service.clone()), async {
        let _ = rx.await;
    }));
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Full<Bytes>>();
    let verify = || async {
        let req = axum::http::Request::post(format!("{base}/v1/verify"))
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body.clone())))
            .unwrap();
        let resp = client.request(req).await.unwrap();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        serde_json::from_slice::<Value>(&bytes).unwrap()["verdict"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let metrics = || async {
        let req = axum::http::Request::get(format!("{base}/metrics"))
            .body(Full::new(Bytes::new()))
            .unwrap();
        let resp = client.request(req).await.unwrap();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(bytes.to_vec()).unwrap()
    };

    assert!(!metrics().await.contains("giayto_status_list_age_seconds{"));
    assert_eq!(verify().await, "stale_status");
    // The refresh runs at once (bounded wait: 100 × 50 ms).
    for _ in 0..100 {
        if service.data().third_party.status_lists().count() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(verify().await, "valid");
    let requests = asked.lock().unwrap().clone();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert!(!requests[0].force);
    assert_eq!(requests[0].wanted.len(), 1);
    assert_eq!(requests[0].wanted[0].0, "VN.BCA.C06");
    assert!(metrics().await.contains("giayto_status_list_age_seconds{"));
    let lines = lines.lock().unwrap().clone();
    assert!(
        lines.iter().any(|l| l == "fetched status_list=test"),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("refreshed trust_list_sequence=1 status_lists=2")),
        "{lines:?}"
    );
    // A credential's list that is held is not asked for again.
    assert_eq!(verify().await, "valid");
    assert!(service.wanted.lock().unwrap().is_empty());
    background.abort();
    tx.send(()).unwrap();
    task.await.unwrap().unwrap();
}
