//! `issue-batch`: CSV and JSON lines in, one QR text per line out, bad rows reported by line
//! and field, and a batch killed with SIGKILL at any point resumes without losing or
//! duplicating a credential.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use std::collections::HashSet;

use common::{code, command, json, ok, sample, stderr, stdout, World};
use giayto_issuer::registry::{RegistryBackend, SqliteRegistry};

/// `n` CCCD rows as JSON lines, each with its own (valid, synthetic) name.
fn jsonl(n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        let mut row = sample("cccd");
        row["full_name"] = format!("Nguyễn Văn Thử Số {}", i + 1).into();
        out.push_str(&serde_json::to_string(&row).unwrap());
        out.push('\n');
    }
    out
}

fn csv_from(rows: &[serde_json::Value]) -> String {
    let headers: Vec<String> = rows[0].as_object().unwrap().keys().cloned().collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&headers).unwrap();
    for r in rows {
        let cells: Vec<String> = headers
            .iter()
            .map(|h| match &r[h] {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            })
            .collect();
        w.write_record(&cells).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// `{global} issue-batch --dir iss --type {t} --input {input} --out-dir {out_dir} {extra}`.
fn batch_args<'a>(
    global: &[&'a str],
    t: &'a str,
    input: &'a str,
    out_dir: &'a str,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let batch = [
        "issue-batch",
        "--dir",
        "iss",
        "--type",
        t,
        "--input",
        input,
        "--out-dir",
        out_dir,
    ];
    [global, &batch, extra].concat()
}

fn lines(w: &World, dir: &str) -> Vec<String> {
    std::fs::read_to_string(w.path().join(dir).join("credentials.txt"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn numeric_csv_cells_of_every_type_are_numbers_and_a_future_summary_is_a_bad_row() {
    let w = World::new();
    // A health insurance card's benefit level and a book's months paid are numbers in JSON;
    // in a CSV cell they are digits (regression: the benefit level was read as text).
    w.write("bhyt.csv", csv_from(&[sample("bhyt")]).as_bytes());
    ok(&w.run(&batch_args(&[], "bhyt", "bhyt.csv", "out-bhyt", &[])));
    let book = sample("bhxh");
    let mut future = book.clone();
    future["summary_date"] = "2199-12-31".into();
    let mut too_many = book.clone();
    too_many["months_paid"] = 91.into();
    w.write(
        "bhxh.csv",
        csv_from(&[book.clone(), future, too_many, book]).as_bytes(),
    );
    let out = w.run(&batch_args(
        &["--json"],
        "bhxh",
        "bhxh.csv",
        "out-bhxh",
        &[],
    ));
    assert_eq!(code(&out), Some(2), "{}", stderr(&out));
    let summary = json(&out);
    assert_eq!(summary["issued"], 2);
    assert_eq!(summary["bad_rows"], 2);
    assert_eq!(summary["errors"][0]["line"], 3);
    assert_eq!(summary["errors"][0]["field"], "summary_date");
    assert_eq!(summary["errors"][0]["problem"], "after-issuance");
    assert_eq!(summary["errors"][1]["field"], "months_paid");
    assert_eq!(summary["errors"][1]["problem"], "months-paid-exceed-period");
    assert_eq!(lines(&w, "out-bhxh").len(), 2);
}

#[test]
fn csv_and_jsonl_with_bad_rows_reported_by_line_and_field() {
    let w = World::new();
    // GPLX as CSV: the licence classes are JSON in their cell.
    let good = sample("gplx");
    let mut bad_class = good.clone();
    bad_class["classes"] = serde_json::json!([{"class": "Z9", "issue_date": "2020-01-01"}]);
    let mut bad_date = good.clone();
    bad_date["date_of_birth"] = "1990-02-30".into();
    let rows = vec![
        good.clone(),
        bad_class,
        good.clone(),
        bad_date,
        good.clone(),
    ];
    w.write("gplx.csv", csv_from(&rows).as_bytes());
    let out = w.run(&batch_args(
        &["--json"],
        "gplx",
        "gplx.csv",
        "out-gplx",
        &["--png"],
    ));
    // Bad rows do not stop the batch, but the exit code says some rows were refused.
    assert_eq!(code(&out), Some(2), "{}", stderr(&out));
    let summary = json(&out);
    assert_eq!(summary["issued"], 3);
    assert_eq!(summary["bad_rows"], 2);
    // CSV line 1 is the header: the second data row is line 3.
    assert_eq!(summary["errors"][0]["line"], 3);
    assert_eq!(summary["errors"][0]["field"], "classes[0].class");
    assert_eq!(summary["errors"][1]["line"], 5);
    assert_eq!(summary["errors"][1]["field"], "date_of_birth");
    let texts = lines(&w, "out-gplx");
    assert_eq!(texts.len(), 3);
    assert!(texts.iter().all(|t| t.starts_with("VN1:")));
    assert_eq!(w.registry_count(), 3);
    // One PNG per issued line, named by line and serial, that scans back to its text.
    let mut pngs: Vec<_> = std::fs::read_dir(w.path().join("out-gplx/png"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    pngs.sort();
    assert_eq!(pngs.len(), 3);
    let first = std::fs::read(&pngs[0]).unwrap();
    assert!(pngs[0]
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("2-"));
    assert_eq!(
        giayto_qr::decode_image_bytes(&first).unwrap(),
        [texts[0].clone()]
    );
    // The human summary names the line and the field, in Vietnamese by default.
    std::fs::remove_dir_all(w.path().join("out-gplx")).unwrap();
    let out = w.run(&batch_args(&[], "gplx", "gplx.csv", "out-gplx", &[]));
    assert!(stderr(&out).contains("dòng 3"), "{}", stderr(&out));
    assert!(stderr(&out).contains("classes[0].class"));

    // JSON lines; every issued text verifies once the lists are published.
    w.write("cccd.jsonl", jsonl(5).as_bytes());
    let before = w.registry_count();
    ok(&w.run(&batch_args(&[], "cccd", "cccd.jsonl", "out-cccd", &[])));
    assert_eq!(w.registry_count(), before + 5);
    w.publish("st");
    // The whole file at once: one verdict per line, in order.
    let file = format!("@{}", w.path().join("out-cccd/credentials.txt").display());
    let out = w.run_verify(
        &["--json"],
        &["--trust", "trust.cwt", "--status", "st"],
        &file,
    );
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let verdicts: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(verdicts.len(), 5);
    assert!(verdicts.iter().all(|v| v["verdict"] == "valid"));
    assert_eq!(verdicts[4]["fields"]["full_name"], "Nguyễn Văn Thử Số 5");
    for (i, text) in lines(&w, "out-cccd").iter().enumerate() {
        let (c, v) = w.verify(&["--trust", "trust.cwt", "--status", "st"], text);
        assert_eq!(c, Some(0));
        assert_eq!(
            v["fields"]["full_name"],
            format!("Nguyễn Văn Thử Số {}", i + 1)
        );
    }
}

#[test]
fn strict_mode_issues_nothing_when_any_row_is_bad() {
    let w = World::new();
    let mut input = jsonl(4);
    input.push_str("{\"full_name\": \"Thiếu Trường\"}\n");
    w.write("in.jsonl", input.as_bytes());
    let out = w.run(&batch_args(
        &["--lang", "en"],
        "cccd",
        "in.jsonl",
        "out",
        &["--strict"],
    ));
    assert_eq!(code(&out), Some(2));
    assert!(
        stderr(&out).contains("Nothing was issued"),
        "{}",
        stderr(&out)
    );
    assert_eq!(w.registry_count(), 0);
    // An output folder of another batch is refused rather than mixed.
    w.write("other.jsonl", jsonl(2).as_bytes());
    ok(&w.run(&batch_args(&[], "cccd", "other.jsonl", "out2", &[])));
    let out = w.run(&batch_args(&[], "cccd", "in.jsonl", "out2", &[]));
    assert_eq!(code(&out), Some(2));
    assert_eq!(w.registry_count(), 2);
}

#[test]
fn killed_with_sigkill_at_several_points_then_resumed_loses_and_duplicates_nothing() {
    const N: usize = 6000;
    let w = World::new();
    w.write("big.jsonl", jsonl(N).as_bytes());
    let args = batch_args(&[], "cccd", "big.jsonl", "out", &["--chunk", "50"]);
    let partial = w.path().join("out/.credentials.txt.partial");
    let mut kills = 0;
    let mut partial_texts: Vec<Vec<String>> = Vec::new();
    for threshold in [200u64, 2000, 4500] {
        let mut child = command(w.path(), &args).spawn().unwrap();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("batch finished ({status}) before reaching {threshold} credentials");
            }
            let count = SqliteRegistry::open(&w.path().join("iss/registry.sqlite"))
                .and_then(|mut r| r.count())
                .unwrap_or(0);
            if count >= threshold {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        kills += 1;
        // Whole lines the killed run had written (the last may be cut).
        let text = std::fs::read_to_string(&partial).unwrap_or_default();
        let mut got: Vec<String> = text.lines().map(str::to_owned).collect();
        if !text.ends_with('\n') {
            got.pop();
        }
        partial_texts.push(got);
        let count = w.registry_count();
        assert!(count >= threshold && count < N as u64, "count {count}");
    }
    assert_eq!(kills, 3);
    let out = ok(&command(w.path(), &args).output().unwrap());
    assert!(out.contains("khôi phục"), "{out}");
    let texts = lines(&w, "out");
    assert_eq!(texts.len(), N);
    assert_eq!(
        w.registry_count(),
        N as u64,
        "a credential was issued twice"
    );
    let unique: HashSet<&String> = texts.iter().collect();
    assert_eq!(unique.len(), N);
    // What a killed run had already handed out is exactly what the finished run gives.
    for got in &partial_texts {
        assert_eq!(&texts[..got.len()], got.as_slice());
    }
    // Every line is the credential of its own input row.
    w.publish("st");
    for i in [0, 1, 199, 200, 2001, 4499, 4500, N - 1] {
        let (c, v) = w.verify(&["--trust", "trust.cwt", "--status", "st"], &texts[i]);
        assert_eq!(c, Some(0));
        assert_eq!(
            v["fields"]["full_name"],
            format!("Nguyễn Văn Thử Số {}", i + 1)
        );
    }
    let index = std::fs::read_to_string(w.path().join("out/index.csv")).unwrap();
    let recovered = index.lines().filter(|l| l.ends_with(",recovered")).count();
    assert!(recovered >= 4500, "{recovered} recovered");
}

/// The pipelined batch (D167) on varied synthetic people, with bad rows among them, in chunks
/// smaller than the signing threads' share: the output is in input order, every line is the
/// credential of its row, and the registry holds exactly the output's credentials, each with a
/// serial starting with its `iat` (D165), none sharing a serial or a status slot.
#[test]
fn a_pipelined_batch_of_varied_people_agrees_with_the_registry() {
    const N: u64 = 3000;
    let w = World::new();
    let mut people = giayto_bench::people::People::new(11);
    let mut input = String::new();
    for n in 0..N {
        let mut row = people.cccd(n);
        if n % 997 == 500 {
            row["date_of_birth"] = "not a date".into();
        }
        input.push_str(&serde_json::to_string(&row).unwrap());
        input.push('\n');
    }
    w.write("people.jsonl", input.as_bytes());
    let out = command(
        w.path(),
        &batch_args(&[], "cccd", "people.jsonl", "out", &["--chunk", "7"]),
    )
    .output()
    .unwrap();
    assert_eq!(code(&out), Some(2), "{}", stderr(&out)); // bad rows: exit 2, as before
    let bad: Vec<u64> = (0..N).filter(|n| n % 997 == 500).map(|n| n + 1).collect();
    let texts = lines(&w, "out");
    assert_eq!(texts.len() as u64, N - bad.len() as u64);
    let index = std::fs::read_to_string(w.path().join("out/index.csv")).unwrap();
    let rows: Vec<Vec<&str>> = index
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len() as u64, N);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r[0], (i + 1).to_string(), "index out of input order");
        assert_eq!(bad.contains(&(i as u64 + 1)), r[2].starts_with("error:"));
    }
    let mut reg =
        giayto_issuer::registry::SqliteRegistry::open(&w.path().join("iss/registry.sqlite"))
            .unwrap();
    assert_eq!(reg.count().unwrap(), texts.len() as u64);
    let mut slots = HashSet::new();
    let issued: Vec<&Vec<&str>> = rows.iter().filter(|r| r[2] == "issued").collect();
    for r in &issued {
        let serial = hex::decode(r[1]).unwrap();
        let rec = reg
            .get(&serial)
            .unwrap()
            .expect("every output serial is recorded");
        assert_eq!(serial[..4], (rec.issued_at as u32).to_be_bytes());
        assert!(slots.insert(rec.slot), "slot {:?} given twice", rec.slot);
    }
    let serials: HashSet<&str> = issued.iter().map(|r| r[1]).collect();
    assert_eq!(serials.len(), issued.len());
    // Line k of the output is row k's credential (spot checks across chunk and part borders).
    w.publish("st");
    let mut people = giayto_bench::people::People::new(11);
    let names: Vec<String> = (0..N)
        .map(|n| people.cccd(n)["full_name"].as_str().unwrap().to_owned())
        .collect();
    let good: Vec<usize> = (0..N as usize)
        .filter(|n| !bad.contains(&(*n as u64 + 1)))
        .collect();
    for k in [0, 6, 7, 13, 501, 1500, texts.len() - 1] {
        let (c, v) = w.verify(&["--trust", "trust.cwt", "--status", "st"], &texts[k]);
        assert_eq!(c, Some(0));
        assert_eq!(v["fields"]["full_name"], names[good[k]]);
    }
}
