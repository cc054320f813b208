//! `giayto verify --fetch` against `giayto serve --publish`'s router on 127.0.0.1: the trust
//! list and the credential's status list fetched into a cache, a revocation learnt when the list
//! is due, the cache used offline until the list's exp, then stale_status; a private address
//! without the flag is refused with exit 2 in both languages. Bounded: one server, a dozen runs.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use common::{code, command_with, fails, json, ok, stderr, World};

const HOUR: i64 = 3600;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn rfc3339(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[test]
fn verify_fetch_uses_the_network_then_the_cache() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let prefix = format!("{base}/st/VN.BCA.C06/");
    let w = World::empty(command_with).set_up(
        "Cục Cảnh sát QLHC về TTXH",
        &["--status-uri-prefix", &prefix],
    );
    let (text, serial) = w.issue("cccd", &common::sample("cccd"));
    w.publish("published");
    std::fs::copy(
        w.path().join("trust.cwt"),
        w.path().join("published/trust.cwt"),
    )
    .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = runtime.spawn(giayto_serve::serve(
        listener,
        giayto_serve::publish_router(w.path().join("published")),
        async {
            let _ = stopped.await;
        },
    ));

    let trust_url = format!("{base}/trust.cwt");
    let fetch: Vec<&str> = vec![
        "--fetch",
        "--trust-url",
        &trust_url,
        "--cache",
        "cache",
        "--allow-http",
        "--allow-private-addresses",
    ];
    let verify = |extra: &[&str], env: &[(&str, &str)]| {
        let args = [
            &[
                "--lang",
                "en",
                "--json",
                "verify",
                "--root",
                "root/root.pub",
            ][..],
            &fetch,
            extra,
            &[&text],
        ]
        .concat();
        w.run_with(&args, env)
    };

    // Without the flag 127.0.0.1 is refused before any connection: no trust list, exit 2.
    for (lang, words) in [("en", "private"), ("vi", "địa chỉ riêng")] {
        let out = w.run(&[
            "--lang",
            lang,
            "verify",
            "--root",
            "root/root.pub",
            "--fetch",
            "--trust-url",
            &trust_url,
            "--cache",
            "cache",
            "--allow-http",
            &text,
        ]);
        let err = fails(&out, 2);
        assert!(err.contains(words), "{lang}: {err}");
    }
    assert!(!w.path().join("cache/trust.cwt").exists());

    // Online: the trust list and the status list are fetched, the credential is valid.
    let v = json(&ok_out(verify(&[], &[])));
    assert_eq!(v["verdict"], "valid", "{v}");
    assert!(w.path().join("cache/trust.cwt").exists());
    let cached: Vec<_> = std::fs::read_dir(w.path().join("cache/status"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(cached.len(), 2, "the list and its metadata: {cached:?}");

    // Revoked and published again: the cached list is not due yet (ttl 24 h), so it is used.
    ok(&w.run(&["revoke", "--dir", "iss", &serial, "--reason", "Thử nghiệm"]));
    // A list only replaces one with an earlier `iat` (seconds): publish in a later second.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    w.publish("published");
    let v = json(&ok_out(verify(&[], &[])));
    assert_eq!(v["verdict"], "valid");
    // A day on, the list is due: the new one is fetched and the revocation is learnt.
    let day_on = (now() + 25 * HOUR).to_string();
    let out = verify(
        &["--at", &rfc3339(now() + 25 * HOUR)],
        &[("GIAYTO_TEST_NOW", &day_on)],
    );
    assert_eq!(code(&out), Some(1), "{}", stderr(&out));
    assert_eq!(json(&out)["verdict"], "revoked");

    // The server is gone. A credential whose list is cached still gets its verdict offline.
    stop.send(()).unwrap();
    runtime.block_on(server).unwrap().unwrap();
    let (other, _) = w.issue("gplx", &common::sample("gplx"));
    let other_args = |at: i64| {
        let at_text = rfc3339(at);
        let clock = at.to_string();
        let args = [
            &[
                "--lang",
                "en",
                "--json",
                "verify",
                "--root",
                "root/root.pub",
            ][..],
            &fetch,
            &["--at", &at_text],
            &[&other],
        ]
        .concat();
        w.run_with(&args, &[("GIAYTO_TEST_NOW", &clock)])
    };
    // Two days on the list is due again and cannot be fetched: a warning, the cached list is
    // used (it is valid for a week).
    let out = other_args(now() + 50 * HOUR);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["verdict"], "valid");
    assert!(
        stderr(&out).contains("could not be fetched"),
        "{}",
        stderr(&out)
    );
    // Past the list's exp (a week): stale_status.
    let out = other_args(now() + 8 * 24 * HOUR);
    assert_eq!(code(&out), Some(1), "{}", stderr(&out));
    assert_eq!(json(&out)["verdict"], "stale_status");
}

/// The output, after checking the exit code is 0.
fn ok_out(out: std::process::Output) -> std::process::Output {
    ok(&out);
    out
}
