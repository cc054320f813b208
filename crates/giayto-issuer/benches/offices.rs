//! Many offices, one PostgreSQL registry: issuance throughput of 1 and 4 issuing processes at
//! once (each its own `Issuer`, as real offices are), one credential per call and batches of
//! 100, with the registry checked afterwards (every credential one row, no serial or status
//! slot twice). Needs a server: `eval "$(.ci/pg.sh start DIR)"`, then
//! `cargo bench -p giayto-issuer --features postgres --bench offices`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark stops at the first failure

#[path = "../tests/common/offices.rs"]
mod offices;

use offices::{check_exactly_once, fresh_schema, run_role, Offices};

fn main() {
    if run_role() {
        return;
    }
    let Some(url) = std::env::var("GIAYTO_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        println!("GIAYTO_TEST_POSTGRES not set: start a server with .ci/pg.sh; nothing measured");
        return;
    };
    println!("| offices | credentials per call | credentials | seconds | credentials/s |");
    println!("|---:|---:|---:|---:|---:|");
    for (offices, batch, per_office) in [
        (1, 1, 2_000),
        (4, 1, 1_000),
        (1, 100, 10_000),
        (4, 100, 5_000),
    ] {
        let o = Offices::new(&url, &fresh_schema("bench"));
        // Warm up: the first list is created, every office's connection and key are ready.
        let (warm, _) = o.issue(offices, 10, 10);
        let (results, took) = o.issue(offices, per_office, batch);
        let all: Vec<_> = warm.into_iter().chain(results).collect();
        let n = check_exactly_once(&o, &all) - 10 * offices;
        println!(
            "| {offices} | {batch} | {n} | {:.2} | {:.0} |",
            took.as_secs_f64(),
            n as f64 / took.as_secs_f64()
        );
        o.drop_schema();
    }
}
