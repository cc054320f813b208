//! The verification service started in-process on 127.0.0.1 (port 0), checked with every test
//! vector, malformed requests, /metrics, the logging promise and graceful shutdown.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use giayto_serve::{Limits, VerifyService};
use giayto_verify::json::{report_json, JsonContext};
use giayto_verify::{Bundle, Verifier};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors")
}

/// The verifier of the test vectors' bundle, and the bundle's creation time.
fn verifier() -> (Verifier, i64) {
    let dir = vectors_dir();
    let root = giayto_trust::keys::read_public_key(&dir.join("root.pub")).unwrap();
    let bundle = Bundle::from_bytes(&std::fs::read(dir.join("bundle.cbor")).unwrap()).unwrap();
    (
        Verifier::from_bundle(root, &bundle).unwrap(),
        bundle.created_at,
    )
}

struct Running {
    base: String,
    client: HttpClient,
    logs: Arc<Mutex<Vec<String>>>,
    service: Arc<VerifyService>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

async fn start(limits: Limits) -> Running {
    let (v, made) = verifier();
    start_with(v, Some(made), limits).await
}

async fn start_with(v: Verifier, made: Option<i64>, limits: Limits) -> Running {
    let logs = Arc::new(Mutex::new(Vec::new()));
    let sink = logs.clone();
    let service = Arc::new(
        VerifyService::new(v, made, limits)
            .with_log(Arc::new(move |line: &str| {
                sink.lock().unwrap().push(line.to_owned())
            }))
            .with_messages(Arc::new(|report, lang| {
                report.reason().map(|r| format!("{lang:?}:{}", r.code()))
            })),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let s = service.clone();
    let task = tokio::spawn(async move {
        giayto_serve::serve(listener, giayto_serve::router(s), async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    Running {
        base,
        client: Client::builder(TokioExecutor::new()).build_http(),
        logs,
        service,
        stop: Some(tx),
        task,
    }
}

impl Running {
    async fn request(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> (u16, Vec<u8>) {
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let response = self
            .client
            .request(req.body(Full::new(Bytes::from(body))).unwrap())
            .await
            .unwrap();
        let status = response.status().as_u16();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, bytes.to_vec())
    }

    async fn verify(&self, body: &Value) -> (u16, Value) {
        let (status, bytes) = self
            .request(
                "POST",
                "/v1/verify",
                Some("application/json"),
                &[],
                serde_json::to_vec(body).unwrap(),
            )
            .await;
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .unwrap()
            .unwrap();
    }
}

fn rfc3339(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// (name, text, at, policy, expected verdict) of every vector the service can reproduce: the
/// one vector checked with `accept_missing_status` is left out (a deployment setting, not a
/// request field).
fn vectors() -> Vec<(String, String, i64, String, String)> {
    let mut out = Vec::new();
    for file in ["credentials.json", "status.json"] {
        let doc: Value =
            serde_json::from_slice(&std::fs::read(vectors_dir().join(file)).unwrap()).unwrap();
        for v in doc["vectors"].as_array().unwrap() {
            if v["accept_missing_status"].as_bool() == Some(true) {
                continue;
            }
            out.push((
                v["name"].as_str().unwrap().to_owned(),
                v["text"].as_str().unwrap().to_owned(),
                v["at"].as_i64().unwrap(),
                v["policy"].as_str().unwrap_or("third-party").to_owned(),
                v["verdict"].as_str().unwrap().to_owned(),
            ));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_vector_gets_its_verdict_and_the_json_contract() {
    let run = start(Limits::default()).await;
    let (v, made) = verifier();
    let all = vectors();
    assert!(all.len() > 40, "{} vectors", all.len());
    let mut valid = 0;
    for (name, text, at, policy, expected) in &all {
        let (status, body) = run
            .verify(&json!({"text": text, "at": rfc3339(*at), "policy": policy}))
            .await;
        assert_eq!(status, 200, "{name}: {body}");
        assert_eq!(body["verdict"], json!(expected), "{name}: {body}");
        // The same contract as report_json for the same report (serde_json maps compare
        // without regard to field order).
        let local = v
            .clone()
            .with_policy(if policy == "checkpoint" {
                giayto_verify::Policy::Checkpoint
            } else {
                giayto_verify::Policy::ThirdParty
            })
            .check(text, *at);
        let want = report_json(
            &local,
            &JsonContext {
                bundle_created_at: Some(made),
                message: None,
            },
        );
        assert_eq!(body, want, "{name}");
        if expected == "valid" {
            valid += 1;
        }
    }
    assert!(valid >= 10);

    // /metrics counts exactly the verifications made, by verdict.
    let (status, text) = run.request("GET", "/metrics", None, &[], vec![]).await;
    assert_eq!(status, 200);
    let text = String::from_utf8(text).unwrap();
    let counted: u64 = text
        .lines()
        .filter(|l| l.starts_with("giayto_verifications_total{"))
        .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(counted, all.len() as u64);
    assert!(text.contains(&format!(
        "giayto_verifications_total{{verdict=\"valid\"}} {valid}\n"
    )));
    assert!(text.contains(&format!(
        "giayto_verify_duration_seconds_count {}\n",
        all.len()
    )));
    assert!(text.contains("giayto_trust_list_age_seconds "));
    assert!(text.contains("giayto_status_list_age_seconds{uri=\""));
    assert_eq!(run.service.metrics().verdict_count("valid"), valid);

    // /healthz: ok with the trust list's sequence and the ages.
    let (status, body) = run.request("GET", "/healthz", None, &[], vec![]).await;
    assert_eq!(status, 200);
    let health: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(
        health["trust_list"]["sequence"],
        json!(v.trust_list().sequence)
    );
    assert!(health["trust_list"]["age_seconds"].as_i64().unwrap() >= 0);
    assert!(!health["status_lists"].as_array().unwrap().is_empty());
    run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_message_and_nonce_follow_the_request() {
    let run = start(Limits::default()).await;
    let all = vectors();
    let (_, text, at, _, _) = all.iter().find(|v| v.0 == "level1_checkpoint").unwrap();
    let at = rfc3339(*at);
    let (_, third) = run.verify(&json!({"text": text, "at": at})).await;
    assert_eq!(third["verdict"], "valid");
    let (_, checkpoint) = run
        .verify(&json!({"text": text, "at": at, "policy": "checkpoint"}))
        .await;
    assert_eq!(checkpoint["verdict"], "insufficient_level");
    assert!(checkpoint.get("message").is_none());
    // A message in the language asked for, when the service has messages.
    let (status, bytes) = run
        .request(
            "POST",
            "/v1/verify",
            Some("application/json; charset=utf-8"),
            &[("accept-language", "en-US,en;q=0.8")],
            serde_json::to_vec(&json!({"text": text, "at": at, "policy": "checkpoint"})).unwrap(),
        )
        .await;
    assert_eq!(status, 200);
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["message"], "En:level");
    // A static code when a challenge was given: not the holder's answer.
    let (_, nonce) = run
        .verify(&json!({"text": text, "at": at, "nonce": "00ff"}))
        .await;
    assert_eq!(nonce["verdict"], "stale_presentation");
    run.stop().await;
}

/// A verifier's request (`VR1:`, docs/format.md §15) in the body: every answer of
/// test-vectors/requests.json gets its verdict and reason, and exactly the JSON of
/// `Verifier::check_answer` (what `giayto verify --request --json` prints); the same answer
/// without its request is checked as a plain presentation; a request that cannot be read, or one
/// given with a nonce, is refused with a code and verifies nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_are_checked_against_the_verifiers_request() {
    let dir = vectors_dir();
    let doc: Value =
        serde_json::from_slice(&std::fs::read(dir.join("requests.json")).unwrap()).unwrap();
    let root = giayto_trust::keys::read_public_key(&dir.join("root.pub")).unwrap();
    let v = Verifier::new(root, &std::fs::read(dir.join("trust.cwt")).unwrap()).unwrap();
    let run = start_with(v.clone(), None, Limits::default()).await;
    let answers = doc["answers"].as_array().unwrap();
    assert!(answers.len() >= 10);
    let mut differs_without = 0;
    for a in answers {
        let name = a["name"].as_str().unwrap();
        let (text, request) = (a["text"].as_str().unwrap(), a["request"].as_str().unwrap());
        let at = a["at"].as_i64().unwrap();
        let (status, body) = run
            .verify(&json!({"text": text, "request": request, "at": rfc3339(at)}))
            .await;
        assert_eq!(status, 200, "{name}: {body}");
        assert_eq!(body["verdict"], a["verdict"], "{name}: {body}");
        assert_eq!(body.get("reason"), a.get("reason"), "{name}: {body}");
        let parsed = giayto_cose::request::Request::from_text(request).unwrap();
        let want = report_json(
            &v.check_answer(text, &parsed, at).unwrap(),
            &JsonContext {
                bundle_created_at: None,
                message: None,
            },
        );
        assert_eq!(body, want, "{name}");
        let (_, plain) = run.verify(&json!({"text": text, "at": rfc3339(at)})).await;
        if plain["verdict"] != body["verdict"] {
            differs_without += 1;
        }
    }
    // The request is what decides: without it, many answers get another verdict.
    assert!(differs_without >= 5, "{differs_without}");

    let answer = answers[0]["text"].as_str().unwrap();
    for b in doc["bad_requests"].as_array().unwrap() {
        let (status, body) = run
            .verify(&json!({"text": answer, "request": b["text"]}))
            .await;
        assert_eq!(status, 400, "{}: {body}", b["name"]);
        assert_eq!(body["error"]["code"], "bad_verifier_request", "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("({})", b["error"].as_str().unwrap())),
            "{}: {message}",
            b["name"]
        );
    }
    let (status, body) = run
        .verify(&json!({"text": answer, "request": answers[0]["request"], "nonce": "00ff"}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "nonce_and_request");
    run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_are_refused_with_a_code() {
    let run = start(Limits {
        max_body: 64 * 1024,
        ..Limits::default()
    })
    .await;
    // (case, content type, body, status, error code)
    type Case<'a> = (&'a str, Option<&'a str>, Vec<u8>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (
            "bad json",
            Some("application/json"),
            b"{\"text\":".to_vec(),
            400,
            "bad_json",
        ),
        (
            "both",
            Some("application/json"),
            br#"{"text":"a","image":"AA=="}"#.to_vec(),
            400,
            "text_and_image",
        ),
        (
            "neither",
            Some("application/json"),
            b"{}".to_vec(),
            400,
            "no_input",
        ),
        (
            "base64",
            Some("application/json"),
            br#"{"image":"%%%"}"#.to_vec(),
            400,
            "bad_base64",
        ),
        (
            "nonce",
            Some("application/json"),
            br#"{"text":"a","nonce":"xyz"}"#.to_vec(),
            400,
            "bad_nonce",
        ),
        (
            "policy",
            Some("application/json"),
            br#"{"text":"a","policy":"bank"}"#.to_vec(),
            400,
            "bad_policy",
        ),
        (
            "time",
            Some("application/json"),
            br#"{"text":"a","at":"soon"}"#.to_vec(),
            400,
            "bad_time",
        ),
        (
            "no type",
            None,
            br#"{"text":"a"}"#.to_vec(),
            415,
            "unsupported_media_type",
        ),
        (
            "text type",
            Some("text/plain"),
            br#"{"text":"a"}"#.to_vec(),
            415,
            "unsupported_media_type",
        ),
        (
            "too large",
            Some("application/json"),
            {
                let mut b = br#"{"text":""#.to_vec();
                b.extend(std::iter::repeat_n(b'A', 100 * 1024));
                b.extend(br#""}"#);
                b
            },
            413,
            "too_large",
        ),
        (
            "not an image",
            Some("application/json"),
            br#"{"image":"aGVsbG8="}"#.to_vec(),
            422,
            "bad_image",
        ),
    ];
    for (name, ct, body, want_status, want_code) in cases {
        let (status, bytes) = run.request("POST", "/v1/verify", ct, &[], body).await;
        assert_eq!(
            status,
            want_status,
            "{name}: {}",
            String::from_utf8_lossy(&bytes)
        );
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["error"]["code"], want_code, "{name}");
        assert!(v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    // A blank image: read, but no code in it.
    let blank = giayto_qr::image::GrayImage::from_pixel(200, 200, giayto_qr::image::Luma([255]));
    let mut png = std::io::Cursor::new(Vec::new());
    blank
        .write_to(&mut png, giayto_qr::image::ImageFormat::Png)
        .unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(png.into_inner());
    let (status, body) = run.verify(&json!({"image": b64})).await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["code"], "no_code");
    // Nothing refused was counted as a verification.
    assert_eq!(
        run.service.metrics().verdict_count("valid")
            + run.service.metrics().verdict_count("malformed"),
        0
    );
    // Wrong method and path.
    let (status, _) = run.request("GET", "/v1/verify", None, &[], vec![]).await;
    assert_eq!(status, 405);
    let (status, _) = run.request("GET", "/nothing", None, &[], vec![]).await;
    assert_eq!(status, 404);
    run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_of_the_code_verifies_like_its_text() {
    let run = start(Limits::default()).await;
    let all = vectors();
    let (_, text, at, _, _) = all.iter().find(|v| v.0 == "valid_cccd").unwrap();
    let png = giayto_qr::render_png(text, &giayto_qr::RenderOptions::default()).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(png);
    let (status, by_image) = run.verify(&json!({"image": b64, "at": rfc3339(*at)})).await;
    assert_eq!(status, 200);
    let (_, by_text) = run.verify(&json!({"text": text, "at": rfc3339(*at)})).await;
    assert_eq!(by_image["verdict"], "valid");
    assert_eq!(by_image, by_text);
    run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_lines_hold_no_personal_data() {
    let run = start(Limits::default()).await;
    let doc: Value =
        serde_json::from_slice(&std::fs::read(vectors_dir().join("credentials.json")).unwrap())
            .unwrap();
    let v = doc["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "valid_cccd")
        .unwrap();
    let name = v["fields"]["full_name"].as_str().unwrap();
    let id = v["fields"]["id_number"].as_str().unwrap();
    let (status, body) = run
        .verify(&json!({"text": v["text"], "at": rfc3339(v["at"].as_i64().unwrap())}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["verdict"], "valid");
    // The response has them (the back end asked); the log must not.
    assert!(body.to_string().contains(id));
    let serial = body["serial"].as_str().unwrap().to_owned();
    let logs = run.logs.lock().unwrap().clone();
    assert_eq!(logs.len(), 1, "{logs:?}");
    let line = &logs[0];
    assert!(line.contains("verdict=valid"), "{line}");
    assert!(line.contains("serial="), "{line}");
    let family = name.split_whitespace().next().unwrap();
    for secret in [name, family, id, &id[3..], serial.as_str()] {
        assert!(!line.contains(secret), "{secret:?} in {line}");
    }
    let text = v["text"].as_str().unwrap();
    assert!(!line.contains(&text[..20]));
    run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_finishes_the_request_in_flight() {
    let run = start(Limits::default()).await;
    let all = vectors();
    let (_, text, at, _, _) = all.iter().find(|v| v.0 == "valid_gplx").unwrap();
    let body = serde_json::to_vec(&json!({"text": text, "at": rfc3339(*at)})).unwrap();
    // A client that sends its request in two halves, with the shutdown signal in between.
    let mut stream = tokio::net::TcpStream::connect(run.base.trim_start_matches("http://"))
        .await
        .unwrap();
    let head = format!(
        "POST /v1/verify HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let (first, second) = body.split_at(body.len() / 2);
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(first).await.unwrap();
    stream.flush().await.unwrap();
    // Let the server read the head, so the request is in flight.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let Running {
        stop, task, base, ..
    } = run;
    stop.unwrap().send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !task.is_finished(),
        "the server stopped with a request in flight"
    );
    stream.write_all(second).await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response))
        .await
        .unwrap()
        .unwrap();
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"verdict\":\"valid\""), "{response}");
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .unwrap()
        .unwrap();
    // And it no longer accepts connections.
    assert!(
        tokio::net::TcpStream::connect(base.trim_start_matches("http://"))
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_never_finishes_times_out() {
    let run = start(Limits {
        request_timeout: Duration::from_millis(300),
        ..Limits::default()
    })
    .await;
    let mut stream = tokio::net::TcpStream::connect(run.base.trim_start_matches("http://"))
        .await
        .unwrap();
    // A body announced and never sent (a slow client).
    stream
        .write_all(b"POST /v1/verify HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"te")
        .await
        .unwrap();
    let mut response = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut response))
        .await
        .unwrap()
        .unwrap();
    let response = String::from_utf8_lossy(&response[..n]);
    assert!(response.starts_with("HTTP/1.1 503"), "{response}");
    assert!(response.contains("\"timeout\""), "{response}");
    run.stop().await;
}
