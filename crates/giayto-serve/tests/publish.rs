//! `giayto serve --publish`: a status list folder served in-process on 127.0.0.1 (port 0).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

use std::path::PathBuf;
use std::time::Duration;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn published_lists_have_their_media_type_and_caching_headers() {
    let dir = tempfile::tempdir().unwrap();
    let name = "VN.BCA.C06-1.statuslist.cwt";
    let bytes = std::fs::read(vectors_dir().join(name)).unwrap();
    std::fs::write(dir.path().join(name), &bytes).unwrap();
    std::fs::write(dir.path().join("notes.txt"), b"not a list").unwrap();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(giayto_serve::serve(
        listener,
        giayto_serve::publish_router(dir.path().to_owned()),
        async {
            let _ = rx.await;
        },
    ));
    let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let get = |path: &str, headers: Vec<(&'static str, String)>| {
        let mut req = hyper::Request::get(format!("{base}{path}"));
        for (k, v) in headers {
            req = req.header(k, v);
        }
        let req = req.body(Empty::new()).unwrap();
        let client = client.clone();
        async move {
            let resp = client.request(req).await.unwrap();
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let body = resp.into_body().collect().await.unwrap().to_bytes();
            (status, headers, body)
        }
    };

    // By file name and by the path of the list's uri: the same bytes and headers.
    let (status, headers, body) = get(&format!("/{name}"), vec![]).await;
    assert_eq!(status, 200);
    assert_eq!(body.as_ref(), bytes.as_slice());
    assert_eq!(headers["content-type"], giayto_serve::MEDIA_TYPE);
    let etag = headers["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && etag.len() == 34, "{etag}");
    let last_modified = headers["last-modified"].to_str().unwrap().to_owned();
    assert!(last_modified.ends_with(" GMT"), "{last_modified}");
    let cache = headers["cache-control"].to_str().unwrap();
    let max_age: u64 = cache.rsplit("max-age=").next().unwrap().parse().unwrap();
    assert!(max_age <= 24 * 3600, "{cache}");
    let (status, by_uri, body) = get("/st/VN.BCA.C06/1", vec![]).await;
    assert_eq!(status, 200);
    assert_eq!(body.as_ref(), bytes.as_slice());
    assert_eq!(by_uri["etag"].to_str().unwrap(), etag);

    // Conditional requests.
    let (status, headers, body) =
        get("/st/VN.BCA.C06/1", vec![("if-none-match", etag.clone())]).await;
    assert_eq!(status, 304);
    assert!(body.is_empty());
    assert_eq!(headers["etag"].to_str().unwrap(), etag);
    let (status, _, _) = get(
        &format!("/{name}"),
        vec![("if-none-match", "\"other\"".into())],
    )
    .await;
    assert_eq!(status, 200);
    let (status, _, _) = get(
        &format!("/{name}"),
        vec![("if-modified-since", last_modified)],
    )
    .await;
    assert_eq!(status, 304);
    let (status, _, _) = get(
        &format!("/{name}"),
        vec![("if-modified-since", "Thu, 01 Jan 1970 00:00:00 GMT".into())],
    )
    .await;
    assert_eq!(status, 200);

    // CORS: a page on another origin may read the lists and their validators, on 200 and on
    // 304 alike, and its conditional request's preflight is answered.
    let origin = ("origin", "http://127.0.0.1:8080".to_owned());
    let (status, headers, _) = get("/st/VN.BCA.C06/1", vec![origin.clone()]).await;
    assert_eq!(status, 200);
    assert_eq!(headers["access-control-allow-origin"], "*");
    let exposed = headers["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for h in ["etag", "last-modified", "cache-control"] {
        assert!(exposed.contains(h), "{exposed}");
    }
    let (status, headers, _) = get(
        "/st/VN.BCA.C06/1",
        vec![origin.clone(), ("if-none-match", etag.clone())],
    )
    .await;
    assert_eq!(status, 304);
    assert_eq!(headers["access-control-allow-origin"], "*");
    let (status, _, _) = get("/notes.txt", vec![]).await;
    assert_eq!(status, 404);
    let preflight = hyper::Request::builder()
        .method("OPTIONS")
        .uri(format!("{base}/st/VN.BCA.C06/1"))
        .header("origin", "http://127.0.0.1:8080")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "if-none-match")
        .body(Empty::new())
        .unwrap();
    let resp = client.request(preflight).await.unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    let h = resp.headers();
    assert_eq!(h["access-control-allow-origin"], "*");
    let allowed = h["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(allowed.contains("if-none-match"), "{allowed}");
    let methods = h["access-control-allow-methods"].to_str().unwrap();
    assert!(
        methods.contains("GET") && !methods.contains("POST"),
        "{methods}"
    );

    // Nothing else is served: other files, other paths, escapes from the folder.
    for path in [
        "/notes.txt",
        "/st/VN.BCA.C06/2",
        "/..%2Fbundle.cbor",
        "/../x.statuslist.cwt",
        "/",
    ] {
        let (status, _, _) = get(path, vec![]).await;
        assert_eq!(status, 404, "{path}");
    }

    // A trust list placed in the folder is served at /trust.cwt with its own media type.
    let (status, _, _) = get("/trust.cwt", vec![]).await;
    assert_eq!(status, 404, "no trust list yet");
    let trust = std::fs::read(vectors_dir().join("trust.cwt")).unwrap();
    std::fs::write(dir.path().join(giayto_serve::TRUST_FILE), &trust).unwrap();
    let (status, headers, body) = get("/trust.cwt", vec![]).await;
    assert_eq!(status, 200);
    assert_eq!(body.as_ref(), trust.as_slice());
    assert_eq!(headers["content-type"], giayto_serve::TRUST_MEDIA_TYPE);
    let trust_etag = headers["etag"].to_str().unwrap().to_owned();
    let (status, _, body) = get("/trust.cwt", vec![("if-none-match", trust_etag)]).await;
    assert_eq!(status, 304);
    assert!(body.is_empty());
    // A file that is not a trust list is not served as one.
    std::fs::write(dir.path().join(giayto_serve::TRUST_FILE), b"garbage").unwrap();
    let (status, _, _) = get("/trust.cwt", vec![]).await;
    assert_eq!(status, 404);

    // A list published later (renamed in, as `status publish` does) is found by its uri.
    let other = "VN.BHXH-1.statuslist.cwt";
    let tmp = dir.path().join(".tmp");
    std::fs::write(&tmp, std::fs::read(vectors_dir().join(other)).unwrap()).unwrap();
    std::fs::rename(&tmp, dir.path().join(other)).unwrap();
    let (status, _, _) = get("/st/VN.BHXH/1", vec![]).await;
    assert_eq!(status, 200);

    tx.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}
