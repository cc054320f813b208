//! Many offices, one PostgreSQL registry: four issuing processes, each with its own `Issuer`,
//! issue at once into one registry; every credential is one row, no serial or status slot is
//! handed out twice, and each list's count of used slots is its rows. Run when
//! `GIAYTO_TEST_POSTGRES` names a server (`.ci/pg.sh start DIR` prints it); skipped otherwise.
#![cfg(feature = "postgres")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use common::offices::{check_exactly_once, fresh_schema, run_role, Offices};

fn server() -> Option<String> {
    std::env::var("GIAYTO_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())
}

/// The entry point of the office processes this test starts (does nothing in a normal run).
#[test]
fn office_role() {
    run_role();
}

#[test]
fn four_offices_issue_at_once_and_every_credential_is_recorded_exactly_once() {
    let Some(url) = server() else {
        eprintln!("GIAYTO_TEST_POSTGRES not set: PostgreSQL offices test not run");
        return;
    };
    let offices = Offices::new(&url, &fresh_schema("offices"));
    // One credential per call (every call a transaction that takes a slot), then batches of
    // 50; lists of 131,072 entries, so the first list is shared by all.
    let (singles, _) = offices.issue(4, 150, 1);
    let (batches, _) = offices.issue(4, 250, 50);
    let all: Vec<_> = singles.into_iter().chain(batches).collect();
    assert_eq!(check_exactly_once(&offices, &all), 4 * 400);
    offices.drop_schema();
}

/// Regression: slots were read in the server's default isolation. A server whose default is
/// serializable (or repeatable read) took the transaction's snapshot before the allocation
/// lock was granted, so two offices saw the same `used` count and one failed with a
/// serialization error. The recording transaction is now read committed whatever the default.
#[test]
fn offices_are_not_refused_when_the_server_defaults_to_serializable() {
    let Some(url) = server() else {
        eprintln!("GIAYTO_TEST_POSTGRES not set: PostgreSQL offices test not run");
        return;
    };
    let strict = format!("{url} options='-c default_transaction_isolation=serializable'");
    let offices = Offices::new(&strict, &fresh_schema("serial"));
    let (results, _) = offices.issue(4, 120, 1);
    assert_eq!(check_exactly_once(&offices, &results), 4 * 120);
    offices.drop_schema();
}
