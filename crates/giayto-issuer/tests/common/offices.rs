//! Issuing offices as separate processes on one PostgreSQL registry, shared by the test
//! (`tests/pg_offices.rs`) and the benchmark (`benches/offices.rs`).
//!
//! The program re-runs itself: with `GIAYTO_OFFICE_ROLE` set it is an office, not the parent.
//! `init` creates the issuer folder (its registry in the schema `GIAYTO_REGISTRY_SCHEMA` of
//! `GIAYTO_REGISTRY_URL`); `issue` opens it with its own `Issuer` handle, waits for the parent's
//! go file, issues `GIAYTO_OFFICE_COUNT` credentials in calls of `GIAYTO_OFFICE_BATCH`, and
//! writes one line per credential, `serial list index`, to `GIAYTO_OFFICE_OUT`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // test code stops at the first failure

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use giayto_issuer::{BatchItem, IssueOptions, Issuer, IssuerMeta};
use giayto_model::{DocType, Document};
use giayto_trust::keys::KdfCost;
use giayto_trust::SecretString;

pub const ROLE: &str = "GIAYTO_OFFICE_ROLE";
const PASS: &str = "office-test-pass";
const NOW: i64 = 1_795_392_000;

fn pass() -> SecretString {
    SecretString::from(PASS.to_owned())
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} not set"))
}

/// Run the office role of this process, if it has one; `true` when it did (the caller then
/// returns at once).
pub fn run_role() -> bool {
    let Ok(role) = std::env::var(ROLE) else {
        return false;
    };
    let dir = PathBuf::from(env("GIAYTO_OFFICE_DIR"));
    match role.as_str() {
        "init" => {
            let meta = IssuerMeta {
                id: "VN.BCA.C06".into(),
                name_vi: "Cục C06".into(),
                name_en: None,
                status_uri_prefix: None,
                list_size: Some(giayto_status::MIN_ENTRIES),
                registry_url: None,
            };
            giayto_issuer::init(&dir, &meta, &pass(), KdfCost::new(10)).expect("init");
        }
        "issue" => issue(&dir),
        other => panic!("unknown role {other}"),
    }
    true
}

fn issue(dir: &Path) {
    let count: usize = env("GIAYTO_OFFICE_COUNT").parse().unwrap();
    let batch: usize = env("GIAYTO_OFFICE_BATCH").parse().unwrap();
    let go = PathBuf::from(env("GIAYTO_OFFICE_GO"));
    let out = PathBuf::from(env("GIAYTO_OFFICE_OUT"));
    let mut issuer = Issuer::open(dir, &pass()).expect("open");
    let document = Document::from_json(DocType::Cccd, &giayto_model::sample_input(DocType::Cccd))
        .expect("sample");
    let options = IssueOptions {
        holder_key: Some([9; 32]),
        ..IssueOptions::default()
    };
    // Everyone starts together (bounded: a parent that never says go ends the office).
    let started = Instant::now();
    while !go.exists() {
        assert!(started.elapsed() < Duration::from_secs(120), "no go");
        std::thread::sleep(Duration::from_millis(1));
    }
    let mut lines = String::new();
    let mut left = count;
    while left > 0 {
        let n = left.min(batch);
        let items: Vec<BatchItem<'_>> = (0..n)
            .map(|i| BatchItem {
                document: &document,
                options: options.clone(),
                line: i as u64,
            })
            .collect();
        for c in issuer.issue_items(&items, None, NOW).expect("issues") {
            lines.push_str(&format!(
                "{} {} {}\n",
                hex::encode(&c.serial),
                c.slot.list,
                c.slot.index
            ));
        }
        left -= n;
    }
    std::fs::write(out, lines).unwrap();
}

/// A fresh schema name.
pub fn fresh_schema(tag: &str) -> String {
    let mut nonce = [0u8; 6];
    getrandom::getrandom(&mut nonce).unwrap();
    format!("{tag}_{}", hex::encode(nonce))
}

/// The parent's side: a folder with the issuer, on `url` in `schema`.
pub struct Offices {
    pub tmp: tempfile::TempDir,
    pub url: String,
    pub schema: String,
}

/// One office's result: (serial, list, index) per credential.
pub type Issued = Vec<(String, u32, u64)>;

impl Offices {
    /// Create the issuer (in a child process, so that the schema comes from its environment).
    pub fn new(url: &str, schema: &str) -> Offices {
        let o = Offices {
            tmp: tempfile::tempdir().unwrap(),
            url: url.to_owned(),
            schema: schema.to_owned(),
        };
        let status = o.command("init").stdout(Stdio::null()).status().unwrap();
        assert!(status.success(), "init failed");
        o
    }

    fn dir(&self) -> PathBuf {
        self.tmp.path().join("iss")
    }

    fn command(&self, role: &str) -> Command {
        let mut c = Command::new(std::env::current_exe().unwrap());
        // As a test binary: run only the office entry point; as a benchmark: no arguments.
        if std::env::args().any(|a| a == "--bench") {
            c.arg("--bench");
        } else {
            c.args(["--exact", "office_role", "--nocapture", "--test-threads=1"]);
        }
        c.env(ROLE, role)
            .env("GIAYTO_OFFICE_DIR", self.dir())
            .env("GIAYTO_REGISTRY_URL", &self.url)
            .env("GIAYTO_REGISTRY_SCHEMA", &self.schema);
        c
    }

    /// `offices` processes at once, each issuing `count` credentials in calls of `batch`;
    /// their results and the wall time from the go signal to the last exit.
    pub fn issue(&self, offices: usize, count: usize, batch: usize) -> (Vec<Issued>, Duration) {
        let run = self.tmp.path().join(fresh_schema("run"));
        std::fs::create_dir(&run).unwrap();
        let go = run.join("go");
        let children: Vec<(Child, PathBuf)> = (0..offices)
            .map(|k| {
                let out = run.join(format!("office-{k}.txt"));
                let child = self
                    .command("issue")
                    .env("GIAYTO_OFFICE_COUNT", count.to_string())
                    .env("GIAYTO_OFFICE_BATCH", batch.to_string())
                    .env("GIAYTO_OFFICE_GO", &go)
                    .env("GIAYTO_OFFICE_OUT", &out)
                    // The test harness's own lines; a failing office still speaks on stderr.
                    .stdout(Stdio::null())
                    .spawn()
                    .unwrap();
                (child, out)
            })
            .collect();
        // Let every office open its registry and unlock its key before the clock starts.
        std::thread::sleep(Duration::from_millis(1500));
        std::fs::write(&go, b"").unwrap();
        let start = Instant::now();
        let mut results = Vec::new();
        for (mut child, out) in children {
            let status = child.wait().unwrap();
            assert!(status.success(), "an office failed");
            let text = std::fs::read_to_string(out).unwrap();
            results.push(
                text.lines()
                    .map(|l| {
                        let mut p = l.split(' ');
                        let serial = p.next().unwrap().to_owned();
                        let list = p.next().unwrap().parse().unwrap();
                        let index = p.next().unwrap().parse().unwrap();
                        (serial, list, index)
                    })
                    .collect(),
            );
        }
        (results, start.elapsed())
    }

    /// Every row of the registry: serial → (list, index); and each list's `used`.
    pub fn rows(&self) -> (BTreeMap<String, (u32, u64)>, BTreeMap<u32, u64>) {
        let mut client = postgres::Client::connect(&self.url, postgres::NoTls).unwrap();
        let rows = client
            .query(
                &format!(
                    "SELECT serial, list, idx::bigint FROM {}.credentials",
                    self.schema
                ),
                &[],
            )
            .unwrap();
        let mut by_serial = BTreeMap::new();
        for r in rows {
            let serial: Vec<u8> = r.get(0);
            let list: i32 = r.get(1);
            let idx: i64 = r.get(2);
            let old = by_serial.insert(hex::encode(serial), (list as u32, idx as u64));
            assert!(old.is_none(), "a serial twice");
        }
        let used = client
            .query(
                &format!("SELECT list, used FROM {}.status_lists", self.schema),
                &[],
            )
            .unwrap()
            .into_iter()
            .map(|r| (r.get::<_, i32>(0) as u32, r.get::<_, i64>(1) as u64))
            .collect();
        (by_serial, used)
    }

    /// Drop the schema.
    pub fn drop_schema(&self) {
        let mut client = postgres::Client::connect(&self.url, postgres::NoTls).unwrap();
        client
            .batch_execute(&format!("DROP SCHEMA {} CASCADE", self.schema))
            .unwrap();
    }
}

/// Check that what the offices say they issued is the registry, exactly: every credential one
/// row, no serial twice, no status slot twice, each list's `used` its rows.
pub fn check_exactly_once(offices: &Offices, results: &[Issued]) -> usize {
    let (rows, used) = offices.rows();
    let issued: Vec<&(String, u32, u64)> = results.iter().flatten().collect();
    assert_eq!(
        rows.len(),
        issued.len(),
        "rows and credentials differ in number"
    );
    let serials: BTreeSet<&String> = issued.iter().map(|c| &c.0).collect();
    assert_eq!(serials.len(), issued.len(), "a serial handed out twice");
    let slots: BTreeSet<(u32, u64)> = issued.iter().map(|c| (c.1, c.2)).collect();
    assert_eq!(slots.len(), issued.len(), "a status slot handed out twice");
    for (serial, list, index) in &issued {
        assert_eq!(rows.get(serial), Some(&(*list, *index)), "{serial}");
    }
    let mut per_list: BTreeMap<u32, u64> = BTreeMap::new();
    for (list, _) in rows.values() {
        *per_list.entry(*list).or_default() += 1;
    }
    assert_eq!(per_list, used, "a list's used count is not its rows");
    issued.len()
}
