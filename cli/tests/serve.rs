//! `giayto serve`: the binary runs the verification service on loopback (port 0), answers,
//! logs without personal data and stops cleanly on SIGTERM; bad arguments exit 2.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{command, fails};

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors")
}

#[test]
fn serve_verifies_logs_no_personal_data_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let root = vectors().join("root.pub");
    let bundle = vectors().join("bundle.cbor");
    let mut child = command(
        dir.path(),
        &[
            "--lang",
            "en",
            "serve",
            "--verify",
            "--root",
            root.to_str().unwrap(),
            "--bundle",
            bundle.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ],
    )
    .stderr(Stdio::piped())
    .stdout(Stdio::null())
    .spawn()
    .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    stderr.read_line(&mut first).unwrap();
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .map(|a| a.trim_end_matches('.').to_owned())
        .unwrap_or_else(|| panic!("no address in {first:?}"));

    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(vectors().join("credentials.json")).unwrap())
            .unwrap();
    let v = doc["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "valid_cccd")
        .unwrap();
    let at = time::OffsetDateTime::from_unix_timestamp(v["at"].as_i64().unwrap())
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let body = serde_json::json!({"text": v["text"], "at": at}).to_string();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "POST /v1/verify HTTP/1.1\r\nhost: test\r\nconnection: close\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"verdict\":\"valid\""), "{response}");

    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let start = Instant::now();
    let code = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "still running");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(code.code(), Some(0));
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert!(rest.contains("verify serial="), "{rest}");
    assert!(rest.contains("verdict=valid"), "{rest}");
    let name = v["fields"]["full_name"].as_str().unwrap();
    let id = v["fields"]["id_number"].as_str().unwrap();
    assert!(!rest.contains(name) && !rest.contains(id), "{rest}");
    assert!(rest.contains("Service stopped"), "{rest}");
}

#[test]
fn serve_refuses_missing_data_and_folders() {
    let dir = tempfile::tempdir().unwrap();
    let root = vectors().join("root.pub");
    let out = command(
        dir.path(),
        &[
            "--lang",
            "en",
            "serve",
            "--verify",
            "--root",
            root.to_str().unwrap(),
        ],
    )
    .output()
    .unwrap();
    let err = fails(&out, 2);
    assert!(err.contains("trust"), "{err}");
    let missing = dir.path().join("nothing");
    let out = command(
        dir.path(),
        &["serve", "--publish", missing.to_str().unwrap()],
    )
    .output()
    .unwrap();
    fails(&out, 2);
    let out = command(dir.path(), &["serve", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    fails(&out, 2);
}
