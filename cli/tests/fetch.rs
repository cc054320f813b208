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

    // The device's rollback protection runs once on what `verify --fetch` fetched: without a
    // state folder its warning is said once, not once more by `verify` after the checks.
    let no_state_dir = [
        ("GIAYTO_STATE_DIR", ""),
        ("XDG_STATE_HOME", ""),
        ("HOME", ""),
    ];
    let out = verify(&[], &no_state_dir);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let said = stderr(&out).matches("rollback protection is off").count();
    assert_eq!(said, 1, "{}", stderr(&out));

    // With a local trust list only the status list is fetched, and the trust list is not cached.
    let out = w.run(&[
        "--json",
        "verify",
        "--root",
        "root/root.pub",
        "--trust",
        "trust.cwt",
        "--fetch",
        "--cache",
        "cache-local",
        "--allow-http",
        "--allow-private-addresses",
        "--no-state",
        &text,
    ]);
    assert_eq!(json(&ok_out(out))["verdict"], "valid");
    assert!(!w.path().join("cache-local/trust.cwt").exists());
    assert!(w.path().join("cache-local/status").is_dir());

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

/// One HTTP/1.1 exchange with the service on `addr`; the whole response.
fn exchange(addr: &str, request: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

fn post_verify(addr: &str, text: &str) -> String {
    let body = serde_json::json!({ "text": text }).to_string();
    let response = exchange(
        addr,
        &format!(
            "POST /v1/verify HTTP/1.1\r\nhost: test\r\nconnection: close\r\n\
             content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        ),
    );
    let json: serde_json::Value =
        serde_json::from_str(response.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    json["verdict"].as_str().unwrap().to_owned()
}

/// `serve --verify --fetch`: the lists are fetched at start, a revocation published later is
/// learnt at SIGHUP (a refresh of everything) and swapped in, and /healthz shows the new list.
#[test]
fn serve_fetches_its_lists_and_refreshes_them() {
    use std::io::BufRead;
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
    // A first `verify --fetch` fills the cache the service then starts from.
    let first = w.run(&[
        "verify",
        "--root",
        "root/root.pub",
        "--fetch",
        "--trust-url",
        &format!("{base}/trust.cwt"),
        "--cache",
        "cache",
        "--allow-http",
        "--allow-private-addresses",
        &text,
    ]);
    ok(&first);

    let mut child = w
        .command_with(
            &[
                "--lang",
                "en",
                "serve",
                "--verify",
                "--root",
                "root/root.pub",
                "--fetch",
                "--trust-url",
                &format!("{base}/trust.cwt"),
                "--cache",
                "cache",
                "--allow-http",
                "--allow-private-addresses",
                "--listen",
                "127.0.0.1:0",
            ],
            &[],
        )
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
    let reader = std::io::BufReader::new(child.stderr.take().unwrap());
    std::thread::spawn(move || {
        for line in reader.lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let next_line = |what: &str| {
        lines
            .recv_timeout(std::time::Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("no log line ({what})"))
    };
    let first_line = next_line("listening");
    let addr = first_line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .map(|a| a.trim_end_matches('.').to_owned())
        .unwrap_or_else(|| panic!("no address in {first_line:?}"));
    assert_eq!(post_verify(&addr, &text), "valid");

    ok(&w.run(&["revoke", "--dir", "iss", &serial, "--reason", "Thử nghiệm"]));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    w.publish("published");
    let status = std::process::Command::new("kill")
        .args(["-HUP", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    loop {
        let line = next_line("refreshed");
        assert!(!line.contains("fetch failed"), "{line}");
        if line.starts_with("refreshed ") {
            break;
        }
    }
    assert_eq!(post_verify(&addr, &text), "revoked");
    let health = exchange(
        &addr,
        "GET /healthz HTTP/1.1\r\nhost: test\r\nconnection: close\r\n\r\n",
    );
    assert!(health.contains(&prefix), "{health}");

    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let start = std::time::Instant::now();
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "still running"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(exit.code(), Some(0));
    stop.send(()).unwrap();
    runtime.block_on(server).unwrap().unwrap();
}
