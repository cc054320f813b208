//! Throughput and latency of the verification service on loopback (`cargo bench -p
//! giayto-serve`): C concurrent clients send R requests in all (a valid CCCD, fixed `at`), over
//! kept-alive HTTP/1.1 connections; printed beside the in-process `Verifier::check` figure.
//! Clients and server share this machine's cores. Bounded: GIAYTO_BENCH_CLIENTS (default 32)
//! and GIAYTO_BENCH_REQUESTS (default 20000).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use giayto_serve::{Limits, VerifyService};
use giayto_verify::{Bundle, Verifier};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors");
    let root = giayto_trust::keys::read_public_key(&dir.join("root.pub")).unwrap();
    let bundle = Bundle::from_bytes(&std::fs::read(dir.join("bundle.cbor")).unwrap()).unwrap();
    let verifier = Verifier::from_bundle(root, &bundle).unwrap();
    let doc: Value =
        serde_json::from_slice(&std::fs::read(dir.join("credentials.json")).unwrap()).unwrap();
    let vector = doc["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "valid_cccd")
        .unwrap()
        .clone();
    let text = vector["text"].as_str().unwrap().to_owned();
    let at = vector["at"].as_i64().unwrap();
    let at_text = time::OffsetDateTime::from_unix_timestamp(at)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();

    // In-process figure: Verifier::check alone, one thread.
    for _ in 0..200 {
        assert!(verifier.check(&text, at).is_valid());
    }
    let n = 5_000;
    let start = Instant::now();
    for _ in 0..n {
        std::hint::black_box(verifier.check(std::hint::black_box(&text), at));
    }
    let per = start.elapsed() / n;
    println!(
        "in-process Verifier::check: {:.1} µs each, {:.0} verifications/s on one core",
        per.as_secs_f64() * 1e6,
        1.0 / per.as_secs_f64()
    );

    let clients = env_or("GIAYTO_BENCH_CLIENTS", 32).max(1);
    let requests = env_or("GIAYTO_BENCH_REQUESTS", 20_000).max(clients);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let service = Arc::new(VerifyService::new(
            verifier,
            Some(bundle.created_at),
            Limits {
                max_concurrent: 256,
                ..Limits::default()
            },
        ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/v1/verify", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(giayto_serve::serve(
            listener,
            giayto_serve::router(service.clone()),
            async {
                let _ = stopped.await;
            },
        ));
        let body = Bytes::from(
            serde_json::to_vec(&serde_json::json!({"text": text, "at": at_text})).unwrap(),
        );
        let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(clients)
            .build_http();
        let send = |client: Client<_, Full<Bytes>>, url: String, body: Bytes| async move {
            let req = hyper::Request::post(url)
                .header("content-type", "application/json")
                .body(Full::new(body))
                .unwrap();
            let t = Instant::now();
            let resp = client.request(req).await.unwrap();
            assert_eq!(resp.status(), 200);
            let bytes = resp.into_body().collect().await.unwrap().to_bytes();
            let took = t.elapsed();
            assert!(bytes.windows(17).any(|w| w == b"\"verdict\":\"valid\""));
            took
        };
        // Warm-up: open the connections.
        let warm: Vec<_> = (0..clients)
            .map(|_| tokio::spawn(send(client.clone(), url.clone(), body.clone())))
            .collect();
        for w in warm {
            w.await.unwrap();
        }
        let per_client = requests / clients;
        let start = Instant::now();
        let tasks: Vec<_> = (0..clients)
            .map(|_| {
                let (client, url, body) = (client.clone(), url.clone(), body.clone());
                tokio::spawn(async move {
                    let mut times = Vec::with_capacity(per_client);
                    for _ in 0..per_client {
                        times.push(send(client.clone(), url.clone(), body.clone()).await);
                    }
                    times
                })
            })
            .collect();
        let mut all = Vec::with_capacity(requests);
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        let wall = start.elapsed();
        all.sort();
        println!(
            "service on loopback: {} clients, {} requests in {:.2} s: {:.0} verifications/s, \
             p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} cores, clients on the same cores)",
            clients,
            all.len(),
            wall.as_secs_f64(),
            all.len() as f64 / wall.as_secs_f64(),
            percentile(&all, 0.50).as_secs_f64() * 1e3,
            percentile(&all, 0.99).as_secs_f64() * 1e3,
            all.last().unwrap().as_secs_f64() * 1e3,
            std::thread::available_parallelism().map_or(1, |n| n.get()),
        );
        assert_eq!(
            service.metrics().verdict_count("valid"),
            (all.len() + clients) as u64
        );
        let _ = stop.send(());
        server.await.unwrap().unwrap();
    });
}
