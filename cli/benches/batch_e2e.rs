//! `giayto issue-batch` end to end, as a user runs it: the release binary on a JSON-lines file
//! of varied synthetic people (`giayto_bench::people`), into a fresh issuer's SQLite registry
//! (WAL, `synchronous=FULL`), writing the QR texts and the index. Reported: credentials per
//! second of wall time over the first and the last tenth of the rows (read from the output
//! file as it grows), CPU µs per credential and peak RSS of the process (from /proc), bytes it
//! wrote per credential (`write_bytes` of /proc/PID/io) in all and in the registry alone (all
//! minus the output files), and a bare Ed25519 signature of a credential-sized message timed in
//! this process just before and just after the batch, for the ratio.
//!
//! After the batches, on the registries they made: `revoke --holder` of one person (the holder
//! lookup, D166) and `publish` (reading every list's not-valid rows), each as a whole process,
//! in 11 rounds alternating between the baseline's registry and this build's (another person
//! each round); medians and fastest rounds are reported.
//!
//! With `GIAYTO_BATCH_BASELINE=PATH`, a `giayto` binary built from an older commit (e.g. the one
//! before schema 5 and the pipeline) runs the same input the same way first, in the same run,
//! as the baseline; its figures are printed the same way.
//!
//! With `GIAYTO_BATCH_POSTGRES=CONNINFO` (a key=value connection string whose user may create
//! databases) the registry is PostgreSQL instead: each run gets a database of its own on that
//! server, and the bytes written to the registry are the server's own counters around the batch
//! (the WAL position's advance plus the data pages `pg_stat_bgwriter` counts as written, with a
//! checkpoint before and after, read once the checkpointer has reported it); "registry files" is then `pg_database_size`.
//! After that, a `VACUUM` of the run's database is measured the same way and reported apart
//! (what autovacuum would write for the inserted rows later; done there, it cannot fall into the
//! next run's window). Start a server
//! that syncs like a real one with `PG_FSYNC=on .ci/pg.sh start DIR` (the tests' server does not).
//!
//! Run: `cargo bench -p giayto-cli --bench batch_e2e` (100,000 rows, a few seconds);
//! `GIAYTO_BATCH_ROWS=1000000` for the goal's size (issue 18), `GIAYTO_BATCH_CHUNK=N` for the
//! chunk size (default: the CLI's, 4,000; passed to both binaries, so that a baseline with
//! another default runs the same chunks). Needs about 1.2 GB of free disk in the temporary
//! folder for a million rows (two registries with a baseline). Linux only (reads /proc).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark stops at the first failure

use std::io::{BufWriter, Read, Seek, SeekFrom};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ed25519_dalek::{Signer, SigningKey};

const PASS: &str = "bench-pass-1234";

fn giayto_at(bin: &Path, dir: &Path) -> Command {
    let mut c = Command::new(bin);
    c.current_dir(dir)
        .env("GIAYTO_PASSPHRASE", PASS)
        .env("GIAYTO_KDF_LOG_N", "10")
        .env("GIAYTO_NO_PROGRESS", "1")
        .env("NO_COLOR", "1");
    // The registry: PostgreSQL when the run's folder names a database (see `Pg`), else the
    // issuer folder's SQLite file.
    match std::fs::read_to_string(dir.join(PG_URL_FILE)) {
        Ok(url) => c.env("GIAYTO_REGISTRY_URL", url.trim()),
        Err(_) => c.env_remove("GIAYTO_REGISTRY_URL"),
    };
    c
}

/// In a run's folder: the PostgreSQL connection string of its registry database.
const PG_URL_FILE: &str = "registry-url";

/// With `GIAYTO_BATCH_POSTGRES` (a connection string whose user may create databases): each run
/// gets a database of its own on that server, and what the server writes for it is read from
/// the server's own counters — WAL bytes (the WAL position's advance, full-page images
/// included) plus the data pages its checkpoints, background writer and backends wrote
/// (`pg_stat_bgwriter`, 8 KiB each, read once the checkpointer has reported its last checkpoint) — around the batch, with a `CHECKPOINT` before and after so that every page the batch
/// dirtied is counted.
struct Pg {
    admin: postgres::Client,
    base: String,
}

impl Pg {
    fn connect(url: &str) -> Pg {
        Pg {
            admin: postgres::Client::connect(url, postgres::NoTls).expect("GIAYTO_BATCH_POSTGRES"),
            base: url.to_owned(),
        }
    }

    /// A fresh database for the run in `dir`, named in the folder for `giayto_at`.
    fn database_for(&mut self, dir: &Path, label: &str) {
        let name = format!("giayto_bench_{label}_{}", std::process::id());
        // Two statements: neither may run inside the transaction a multi-statement string is.
        for sql in [
            format!("DROP DATABASE IF EXISTS {name}"),
            format!("CREATE DATABASE {name}"),
        ] {
            self.admin.batch_execute(&sql).unwrap();
        }
        let url = format!("{} dbname={name}", self.base);
        std::fs::write(dir.join(PG_URL_FILE), url).unwrap();
    }

    /// Bytes the server has written so far, after a checkpoint: WAL, data pages written by
    /// the checkpointer and the background writer, and pages written by the backends (in
    /// PostgreSQL 15 and older these include the pages a table or index grows by, written as
    /// zeros when it is extended), 8 KiB a page.
    fn written(&mut self) -> [u64; 3] {
        let checkpoints = |admin: &mut postgres::Client| -> i64 {
            admin
                .query_one(
                    "SELECT pg_stat_clear_snapshot() IS NULL, \
                     (SELECT checkpoints_req + checkpoints_timed FROM pg_stat_bgwriter)::bigint",
                    &[],
                )
                .unwrap()
                .get(1)
        };
        let before = checkpoints(&mut self.admin);
        self.admin.batch_execute("CHECKPOINT").unwrap();
        // The checkpointer reports its counters (pages written, the backends' writes it
        // absorbed) just after CHECKPOINT returns: wait for that report, or a run would miss
        // its last checkpoint's pages (it did: 0 B in some runs).
        for _ in 0..1000 {
            if checkpoints(&mut self.admin) > before {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        // WAL by position rather than `pg_stat_wal`, which a backend reports up to a second
        // late (or when it exits).
        let row = self
            .admin
            .query_one(
                "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint, \
                 (SELECT buffers_checkpoint + buffers_clean FROM pg_stat_bgwriter)::bigint, \
                 (SELECT buffers_backend FROM pg_stat_bgwriter)::bigint",
                &[],
            )
            .unwrap();
        let (wal, pages, backend): (i64, i64, i64) = (row.get(0), row.get(1), row.get(2));
        [wal as u64, pages as u64 * 8192, backend as u64 * 8192]
    }

    /// `VACUUM` of the run's database, once its batch is measured: what autovacuum would do
    /// to the rows the batch inserted (set their pages all-visible and their hint bits, dirtying
    /// them again), measured on its own with [`Pg::written`]. Done here, it no longer starts in
    /// the next run's window: autovacuum of the baseline's table had dirtied 11,789 of its pages
    /// during this build's 1,000,000-row batch, and they were counted as this build's writes.
    fn vacuum(&mut self, dir: &Path) -> [u64; 3] {
        let url = std::fs::read_to_string(dir.join(PG_URL_FILE)).unwrap();
        let before = self.written();
        let mut db = postgres::Client::connect(url.trim(), postgres::NoTls).unwrap();
        db.batch_execute("VACUUM").unwrap();
        drop(db);
        let after = self.written();
        std::array::from_fn(|i| after[i].saturating_sub(before[i]))
    }

    /// Size on disk of the run's database.
    fn size(&mut self, dir: &Path) -> u64 {
        let url = std::fs::read_to_string(dir.join(PG_URL_FILE)).unwrap();
        let name = url.rsplit("dbname=").next().unwrap().trim().to_owned();
        let row = self
            .admin
            .query_one("SELECT pg_database_size($1)::bigint", &[&name])
            .unwrap();
        row.get::<_, i64>(0) as u64
    }
}

/// Bare signatures per second on one core, over `secs` seconds.
fn bare_sign_us(len: usize, secs: f64) -> f64 {
    let key = SigningKey::from_bytes(&[5; 32]);
    let mut msg = vec![0xA5u8; len];
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed().as_secs_f64() < secs {
        for _ in 0..100 {
            msg[0] = msg[0].wrapping_add(1);
            std::hint::black_box(key.sign(&msg));
        }
        n += 100;
    }
    start.elapsed().as_secs_f64() * 1e6 / n as f64
}

fn field(text: &str, name: &str) -> Option<u64> {
    text.lines().find_map(|l| {
        l.strip_prefix(name)?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    })
}

/// (state, user+system CPU seconds) of a process from /proc/PID/stat.
fn stat(pid: u32) -> Option<(char, f64)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let ticks = 100.0; // USER_HZ on Linux
    let cpu = (f[11].parse::<f64>().ok()? + f[12].parse::<f64>().ok()?) / ticks;
    Some((f[0].chars().next()?, cpu))
}

/// What one binary's batch measured.
struct Run {
    rows: u64,
    wall: f64,
    first: f64,
    last: f64,
    cpu: f64,
    peak_kib: u64,
    written: u64,
    outputs: u64,
    registry_files: u64,
    /// PostgreSQL: what the server wrote for the batch ([`Pg::written`]'s three parts).
    server: Option<[u64; 3]>,
    /// PostgreSQL: what a `VACUUM` of the run's database wrote afterwards ([`Pg::vacuum`]).
    vacuum: Option<[u64; 3]>,
    per_second: serde_json::Value,
}

/// Run `giayto` at `bin` in `dir`, returning the wall seconds; stops the bench on a failure.
fn timed(bin: &Path, dir: &Path, args: &[&str]) -> f64 {
    let t = Instant::now();
    let out = giayto_at(bin, dir).args(args).output().unwrap();
    let s = t.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    s
}

/// `issuer init`, then `issue-batch` of `input` by the binary at `bin` in a fresh folder under
/// `dir`, watched from /proc; with `pg`, into a database of its own on that server.
fn batch(
    bin: &Path,
    dir: &Path,
    input: &Path,
    rows: u64,
    chunk: &str,
    mut pg: Option<&mut Pg>,
) -> Run {
    std::fs::create_dir_all(dir).unwrap();
    if let Some(pg) = pg.as_deref_mut() {
        let label = if dir.ends_with("new") {
            "new"
        } else {
            "baseline"
        };
        pg.database_for(dir, label);
    }
    timed(
        bin,
        dir,
        &[
            "issuer",
            "init",
            "--dir",
            "iss",
            "--id",
            "VN.BCA.C06",
            "--name",
            "Cục C06 (bench)",
        ],
    );
    let server_before = pg.as_deref_mut().map(Pg::written);
    let started = Instant::now();
    let child = giayto_at(bin, dir)
        .args([
            "--json",
            "issue-batch",
            "--dir",
            "iss",
            "--type",
            "cccd",
            "--input",
        ])
        .arg(input)
        .args(["--out-dir", "out", "--chunk", chunk])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let partial = dir.join("out/.credentials.txt.partial");
    // (seconds, lines written) as the output grows.
    let mut samples: Vec<(f64, u64)> = vec![(0.0, 0)];
    let (mut lines, mut offset) = (0u64, 0u64);
    let (mut peak_kib, mut cpu, mut written) = (0u64, 0.0f64, 0u64);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        std::thread::sleep(Duration::from_millis(250));
        if let Ok(mut f) = std::fs::File::open(&partial) {
            f.seek(SeekFrom::Start(offset)).unwrap();
            loop {
                let n = f.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
                offset += n as u64;
            }
            samples.push((started.elapsed().as_secs_f64(), lines));
        }
        if let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            peak_kib = peak_kib.max(field(&s, "VmHWM:").unwrap_or(0));
        }
        if let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/io")) {
            written = written.max(field(&s, "write_bytes:").unwrap_or(0));
        }
        match stat(pid) {
            Some((state, c)) => {
                cpu = c;
                // Exited but not yet reaped: its CPU times are final.
                if state == 'Z' {
                    break;
                }
            }
            None => break,
        }
    }
    let out = child.wait_with_output().unwrap();
    let wall = started.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["issued"], rows, "{summary}");
    let outputs = ["out/credentials.txt", "out/index.csv"]
        .iter()
        .map(|f| std::fs::metadata(dir.join(f)).unwrap().len())
        .sum();
    // What the database server wrote for the batch counts as the process's own writes.
    let server = match (pg.as_deref_mut(), server_before) {
        (Some(pg), Some(before)) => {
            let after = pg.written();
            let delta: [u64; 3] = std::array::from_fn(|i| after[i].saturating_sub(before[i]));
            written += delta.iter().sum::<u64>();
            Some(delta)
        }
        _ => None,
    };
    let vacuum = pg.as_deref_mut().map(|pg| pg.vacuum(dir));
    let registry_files: u64 = match pg {
        Some(pg) => pg.size(dir),
        None => ["registry.sqlite", "registry.sqlite-wal"]
            .iter()
            .filter_map(|f| std::fs::metadata(dir.join("iss").join(f)).ok())
            .map(|m| m.len())
            .sum(),
    };
    // Rate over the first and the last tenth of the rows, from the samples.
    let rate_between = |from: u64, to: u64| {
        let a = samples
            .iter()
            .find(|s| s.1 >= from)
            .copied()
            .unwrap_or((0.0, 0));
        let b = samples
            .iter()
            .find(|s| s.1 >= to)
            .copied()
            .unwrap_or(*samples.last().unwrap());
        (b.1 - a.1) as f64 / (b.0 - a.0).max(1e-3)
    };
    let tenth = rows / 10;
    let first = rate_between(0, tenth);
    let last = rate_between(rows - tenth, rows);
    Run {
        rows,
        wall,
        first,
        last,
        cpu,
        peak_kib,
        written,
        outputs,
        registry_files,
        server,
        vacuum,
        per_second: summary["per_second"].clone(),
    }
}

/// Rounds of `revoke --holder` and `status publish` after the batches.
const ADMIN_ROUNDS: usize = 11;

/// Whole-process seconds of `revoke --holder` (one person each) and `status publish`.
#[derive(Default)]
struct Admin {
    revoke: Vec<f64>,
    publish: Vec<f64>,
}

impl Admin {
    fn round(&mut self, bin: &Path, dir: &Path, holder: &str) {
        self.revoke.push(timed(
            bin,
            dir,
            &[
                "revoke", "--dir", "iss", "--holder", holder, "--reason", "bench",
            ],
        ));
        self.publish.push(timed(
            bin,
            dir,
            &["status", "publish", "--dir", "iss", "--out", "lists"],
        ));
    }

    fn report(&self) {
        let fastest = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
        println!(
            "  revoke --holder (one person, whole process, {} rounds): median {:.1} ms, \
             fastest {:.1} ms; publish: median {:.1} ms, fastest {:.1} ms",
            self.revoke.len(),
            median(&self.revoke) * 1e3,
            fastest(&self.revoke) * 1e3,
            median(&self.publish) * 1e3,
            fastest(&self.publish) * 1e3
        );
    }
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn report(name: &str, r: &Run, bare: f64, cores: usize) {
    let n = r.rows as f64;
    let cpu_us = r.cpu * 1e6 / n;
    println!("{name}:");
    println!(
        "  wall: {:.1} s = {:.0} credentials/s (binary's own figure: {} /s)",
        r.wall,
        n / r.wall,
        r.per_second
    );
    println!(
        "  first tenth: {:.0} /s; last tenth: {:.0} /s",
        r.first, r.last
    );
    println!(
        "  CPU: {:.1} s = {cpu_us:.1} µs per credential = {:.0} credentials per CPU-second",
        r.cpu,
        n / r.cpu
    );
    println!("  peak RSS: {:.1} MiB", r.peak_kib as f64 / 1024.0);
    println!(
        "  written: {:.0} bytes per credential in all; output files {:.0}; registry {:.0} \
         (registry files now {:.0} bytes per credential)",
        r.written as f64 / n,
        r.outputs as f64 / n,
        r.written.saturating_sub(r.outputs) as f64 / n,
        r.registry_files as f64 / n
    );
    if let Some([wal, pages, backend]) = r.server {
        println!(
            "  PostgreSQL server, per credential: WAL {:.0} B, pages written by checkpoints and \
             the background writer {:.0} B, by the backends (relation extension) {:.0} B",
            wal as f64 / n,
            pages as f64 / n,
            backend as f64 / n
        );
    }
    if let Some([wal, pages, backend]) = r.vacuum {
        println!(
            "  then VACUUM of its database (not in the figures above), per credential: WAL {:.0} B, \
             pages by checkpoints and the background writer {:.0} B, by the backends {:.0} B",
            wal as f64 / n,
            pages as f64 / n,
            backend as f64 / n
        );
    }
    println!(
        "  CPU per credential / bare sign = {:.2}x; wall per credential × cores / bare sign = \
         {:.2}x",
        cpu_us / bare,
        r.wall * 1e6 / n * cores as f64 / bare
    );
}

fn main() {
    let rows: u64 = std::env::var("GIAYTO_BATCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    // The CLI's default chunk (D205) unless set.
    let chunk = std::env::var("GIAYTO_BATCH_CHUNK").unwrap_or_else(|_| "4000".into());
    let baseline = std::env::var_os("GIAYTO_BATCH_BASELINE").map(std::path::PathBuf::from);
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let input = dir.join("people.jsonl");
    let t = Instant::now();
    {
        let mut w = BufWriter::new(std::fs::File::create(&input).unwrap());
        giayto_bench::people::People::new(2026)
            .cccd_jsonl(rows, &mut w)
            .unwrap();
    }
    let input_len = std::fs::metadata(&input).unwrap().len();
    eprintln!(
        "{rows} varied CCCD rows generated in {:.1} s ({:.0} bytes a row)",
        t.elapsed().as_secs_f64(),
        input_len as f64 / rows as f64
    );
    // The people revoked by holder after the batches: ADMIN_ROUNDS rows spread over the input.
    let holders: Vec<String> = {
        let text = std::fs::read_to_string(&input).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        (1..=ADMIN_ROUNDS)
            .map(|k| {
                let line = lines[(rows as usize * k / (ADMIN_ROUNDS + 1)).min(lines.len() - 1)];
                let row: serde_json::Value = serde_json::from_str(line).unwrap();
                row["id_number"].as_str().unwrap().to_owned()
            })
            .collect()
    };
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    println!(
        "issue-batch, {rows} varied CCCD rows (JSON lines), chunk {chunk}, {cores} cores; \
         load average before: {}",
        load.trim()
    );

    let mut pg = std::env::var("GIAYTO_BATCH_POSTGRES")
        .ok()
        .map(|url| Pg::connect(&url));
    println!(
        "registry: {}",
        if pg.is_some() {
            "PostgreSQL (GIAYTO_BATCH_POSTGRES), one database per run"
        } else {
            "SQLite in the issuer folder"
        }
    );
    let bare_before = bare_sign_us(330, 2.0);
    let old = baseline.as_ref().map(|bin| {
        batch(
            bin,
            &dir.join("baseline"),
            &input,
            rows,
            &chunk,
            pg.as_mut(),
        )
    });
    let new = batch(
        Path::new(env!("CARGO_BIN_EXE_giayto")),
        &dir.join("new"),
        &input,
        rows,
        &chunk,
        pg.as_mut(),
    );
    let bare_after = bare_sign_us(330, 2.0);
    // Revocation by holder and publishing, whole processes on the registries just made,
    // alternately on the baseline's and this build's, one person per round.
    let mut new_admin = Admin::default();
    let mut old_admin = Admin::default();
    for holder in &holders {
        if let Some(bin) = &baseline {
            old_admin.round(bin, &dir.join("baseline"), holder);
        }
        new_admin.round(
            Path::new(env!("CARGO_BIN_EXE_giayto")),
            &dir.join("new"),
            holder,
        );
    }
    let bare = (bare_before + bare_after) / 2.0;
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average after: {}", load.trim());
    println!(
        "bare Ed25519 sign of 330 bytes, one core: {bare:.1} µs ({bare_before:.1} before, \
         {bare_after:.1} after)"
    );
    if let (Some(old), Some(bin)) = (&old, &baseline) {
        report(&format!("baseline ({})", bin.display()), old, bare, cores);
        old_admin.report();
    }
    report("this build", &new, bare, cores);
    new_admin.report();
    if let Some(old) = &old {
        println!(
            "this build / baseline: {:.2}x credentials/s; {:.2}x registry bytes per credential; \
             {:.2}x revoke --holder time; {:.2}x publish time (medians)",
            old.wall / new.wall,
            new.written.saturating_sub(new.outputs) as f64
                / old.written.saturating_sub(old.outputs).max(1) as f64,
            median(&new_admin.revoke) / median(&old_admin.revoke),
            median(&new_admin.publish) / median(&old_admin.publish)
        );
    }
}
