//! The PostgreSQL backend against a real server (`GIAYTO_TEST_POSTGRES`): the shared suite,
//! concurrent offices, and the migrations from schemas 2, 3, 4, 5 and 6.
use super::*;

/// A fresh schema on the server of `GIAYTO_TEST_POSTGRES` (CI starts a throw-away one and sets
/// it), dropped with everything in it when this goes, even after a failed assertion.
struct Scratch {
    url: String,
    schema: String,
    admin: Client,
}

impl Scratch {
    /// A schema name starting with `prefix`; `None`, after saying `what` was not run, without
    /// a server.
    fn new(what: &str, prefix: &str) -> Option<Scratch> {
        let Some(url) = std::env::var("GIAYTO_TEST_POSTGRES")
            .ok()
            .filter(|u| !u.is_empty())
        else {
            eprintln!("GIAYTO_TEST_POSTGRES not set: {what} not run");
            return None;
        };
        let mut nonce = [0u8; 6];
        getrandom::getrandom(&mut nonce).unwrap();
        let admin = Client::connect(&url, NoTls).unwrap();
        Some(Scratch {
            url,
            schema: format!("{prefix}_{}", super::super::hex(&nonce)),
            admin,
        })
    }

    /// The connection string, the schema's name, and a connection of its own.
    fn parts(&self) -> (String, String, Client) {
        let admin = Client::connect(&self.url, NoTls).unwrap();
        (self.url.clone(), self.schema.clone(), admin)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let drop = format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema);
        if let Err(e) = self.admin.batch_execute(&drop) {
            eprintln!("{drop}: {e}");
        }
    }
}

/// Runs when `GIAYTO_TEST_POSTGRES` holds a connection string (CI starts a throw-away
/// server and sets it); each run uses a fresh schema.
#[test]
fn postgres_backend_passes_the_suite() {
    let Some(scratch) = Scratch::new("PostgreSQL suite", "t") else {
        return;
    };
    let (url, schema, mut admin) = scratch.parts();
    // A schema without the tables is refused, and nothing is created in it.
    assert!(matches!(
        PostgresRegistry::connect(&url, &schema),
        Err(RegistryError::Missing { .. })
    ));
    let created: bool = admin
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
            &[&schema],
        )
        .unwrap()
        .get(0);
    assert!(!created, "connect created the schema");
    let mut reg = PostgresRegistry::create(&url, &schema).unwrap();
    super::super::suite::run(&mut reg);
    drop(reg);
    let mut reg = PostgresRegistry::connect(&url, &schema).unwrap();
    assert_eq!(reg.get(&[1; 10]).unwrap().unwrap().status, Status::Revoked);
    assert_eq!(reg.lists().unwrap().len(), 2);
    // Two offices recording at once never share a slot.
    let handles: Vec<_> = (0..2u8)
        .map(|office| {
            let url = url.clone();
            let schema = schema.clone();
            std::thread::spawn(move || {
                let mut reg = PostgresRegistry::connect(&url, &schema).unwrap();
                let mut slots = Vec::new();
                for chunk in 0..20u8 {
                    let rows: Vec<NewCredential> = (0..50u8)
                        .map(|i| NewCredential {
                            serial: vec![0xA0 + office, chunk, i, 1, 2, 3, 4, 5],
                            ..super::super::suite::new_row(0, None)
                        })
                        .collect();
                    slots.extend(reg.record(&rows, giayto_status::MIN_ENTRIES).unwrap());
                }
                slots
            })
        })
        .collect();
    let mut all: Vec<StatusSlot> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let n = all.len();
    all.sort_by_key(|s| (s.list, s.index));
    all.dedup();
    assert_eq!(all.len(), n, "two offices got the same slot");
    // Without its version row the schema is not a registry: refused, not re-created.
    admin
        .batch_execute(&format!(
            "DELETE FROM {schema}.giayto_meta WHERE key = 'schema_version'"
        ))
        .unwrap();
    assert!(matches!(
        PostgresRegistry::connect(&url, &schema),
        Err(RegistryError::Empty { .. })
    ));
}

/// A registry as the release before one-time copies wrote it (schema 2), in a fresh
/// schema: a valid document and a revoked one with its audit line.
fn schema_2_registry(admin: &mut Client, schema: &str) {
    admin
        .batch_execute(&format!(
            "CREATE SCHEMA {schema}; SET search_path TO {schema};
             CREATE TABLE giayto_meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);"
        ))
        .unwrap();
    let mut tx = admin.transaction().unwrap();
    create_schema(&mut tx).unwrap();
    tx.commit().unwrap();
    admin
        .batch_execute(&format!(
            "INSERT INTO {schema}.credentials VALUES
               ('\\xb1b1b1b1b1b1b1b1b1b1', 'cccd', '001099012345', 1790000000, 1900000000,
                NULL, 2, 1, 5, 0),
               ('\\xb2b2b2b2b2b2b2b2b2b2', 'cccd', '001099012345', 1790000000, 1900000000,
                NULL, 2, 1, 9, 1);
             INSERT INTO {schema}.status_lists VALUES (1, {}, 2, '\\x{}');
             INSERT INTO {schema}.audit (serial, at, action, from_status, to_status, reason)
               VALUES ('\\xb2b2b2b2b2b2b2b2b2b2', 1795000000, 'revoke', 0, 1, 'mất thẻ');",
            giayto_status::MIN_ENTRIES,
            "07".repeat(32)
        ))
        .unwrap();
}

fn version(admin: &mut Client, schema: &str) -> i64 {
    admin
        .query_one(
            &format!("SELECT value FROM {schema}.giayto_meta WHERE key = 'schema_version'"),
            &[],
        )
        .unwrap()
        .get(0)
}

/// Schema 2 becomes 4 on connect, in one transaction: kept rows, copies of the old
/// documents, a status change reaching them; a failed step leaves schema 2 untouched.
#[test]
fn postgres_migrates_a_schema_2_registry_to_one_time_copies() {
    let Some(scratch) = Scratch::new("PostgreSQL migration test", "m") else {
        return;
    };
    let (url, schema, mut admin) = scratch.parts();
    schema_2_registry(&mut admin, &schema);
    assert_eq!(version(&mut admin, &schema), 2);

    // A table with the new index's name makes the migration's last step fail.
    admin
        .batch_execute(&format!(
            "CREATE TABLE {schema}.credentials_copy_of (x INT)"
        ))
        .unwrap();
    assert!(matches!(
        PostgresRegistry::connect(&url, &schema),
        Err(RegistryError::Database(_))
    ));
    assert_eq!(version(&mut admin, &schema), 2);
    let column: bool = admin
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM information_schema.columns
             WHERE table_schema = $1 AND table_name = 'credentials' AND column_name = 'copy_of')",
            &[&schema],
        )
        .unwrap()
        .get(0);
    assert!(
        !column,
        "the column added before the failure was rolled back"
    );
    admin
        .batch_execute(&format!("DROP TABLE {schema}.credentials_copy_of"))
        .unwrap();

    let mut reg = PostgresRegistry::connect(&url, &schema).unwrap();
    assert_eq!(version(&mut admin, &schema), SCHEMA_VERSION);
    assert_eq!(reg.count().unwrap(), 2);
    let a = reg.get(&[0xB1; 10]).unwrap().unwrap();
    assert_eq!(
        (a.status, a.copy_of, a.slot.index),
        (Status::Valid, None, 5)
    );
    assert_eq!(reg.audit(&[0xB2; 10]).unwrap()[0].reason, "mất thẻ");
    let size = giayto_status::MIN_ENTRIES;
    reg.record(
        &[
            super::super::suite::copy_row(0xB3, 0xB1),
            super::super::suite::copy_row(0xB4, 0xB1),
        ],
        size,
    )
    .unwrap();
    assert!(matches!(
        reg.record(&[super::super::suite::copy_row(0xB5, 0xB2)], size),
        Err(RegistryError::DocumentNotValid { .. })
    ));
    assert_eq!(reg.lists().unwrap()[0].used, 4);
    let r = reg
        .change_status(&Target::Serial(vec![0xB4; 10]), Action::Revoke, "x", 5)
        .unwrap();
    assert_eq!((r.changed.len(), r.copies.len()), (1, 2));
    drop(reg);
    let mut reg = PostgresRegistry::connect(&url, &schema).unwrap();
    assert_eq!(version(&mut admin, &schema), SCHEMA_VERSION);
    assert_eq!(
        reg.get(&[0xB3; 10]).unwrap().unwrap().status,
        Status::Revoked
    );
    drop(reg);
}

/// Schema 3 (one-time copies, before holds) becomes 4 on connect: documents, copies and audit
/// kept, the holds table added; a hold of a document reaches its copy, and the automatic
/// release returns it.
#[test]
fn postgres_migrates_a_schema_3_registry_to_holds() {
    let Some(scratch) = Scratch::new("PostgreSQL migration test", "h") else {
        return;
    };
    let (url, schema, mut admin) = scratch.parts();
    schema_2_registry(&mut admin, &schema);
    admin
        .batch_execute(&format!(
            "SET search_path TO {schema};
             {TO_SCHEMA_3}
             INSERT INTO {schema}.credentials VALUES
               ('\\xb3b3b3b3b3b3b3b3b3b3', 'cccd', NULL, 1790000001, 1900000000,
                NULL, 2, 1, 11, 0, '\\xb1b1b1b1b1b1b1b1b1b1');
             UPDATE {schema}.status_lists SET used = 3 WHERE list = 1;"
        ))
        .unwrap();
    assert_eq!(version(&mut admin, &schema), 3);
    let holds_table = |admin: &mut Client| -> bool {
        admin
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM information_schema.tables
                 WHERE table_schema = $1 AND table_name = 'holds')",
                &[&schema],
            )
            .unwrap()
            .get(0)
    };
    assert!(!holds_table(&mut admin));

    let mut reg = PostgresRegistry::connect(&url, &schema).unwrap();
    assert_eq!(version(&mut admin, &schema), SCHEMA_VERSION);
    assert!(holds_table(&mut admin));
    assert_eq!(reg.count().unwrap(), 3);
    assert_eq!(
        reg.get(&[0xB3; 10]).unwrap().unwrap().copy_of,
        Some(vec![0xB1; 10])
    );
    assert_eq!(reg.audit(&[0xB2; 10]).unwrap()[0].reason, "mất thẻ");
    let r = reg
        .hold(&Target::Serial(vec![0xB1; 10]), "giữ", 10, Some(20))
        .unwrap();
    assert_eq!((r.changed.len(), r.copies.len()), (1, 1));
    assert_eq!(reg.holds().unwrap().len(), 2);
    drop(reg);
    // Connecting again neither migrates twice nor loses the holds.
    let mut reg = PostgresRegistry::connect(&url, &schema).unwrap();
    assert_eq!(version(&mut admin, &schema), SCHEMA_VERSION);
    let r = reg.release_due(20).unwrap();
    assert_eq!((r.changed.len(), r.copies.len()), (1, 1));
    assert_eq!(reg.get(&[0xB3; 10]).unwrap().unwrap().status, Status::Valid);
    drop(reg);
}

/// Schema 4 becomes 5 on connect, in one transaction: each row gets its ordinal from its
/// list's permutation (or `size + index` for an index the permutation has not given), every
/// row, revocation, hold and audit line is kept, new slots continue the permutation, and
/// lookups by holder find the old rows. A failed migration (a row of a list that does not
/// exist) leaves schema 4 as it was.
#[test]
fn postgres_migrates_a_schema_4_registry_to_ordinals() {
    let Some(scratch) = Scratch::new("PostgreSQL migration test", "o") else {
        return;
    };
    let (url, schema, mut admin) = scratch.parts();
    schema_2_registry(&mut admin, &schema);
    let size = giayto_status::MIN_ENTRIES;
    let perm = giayto_status::IndexPermutation::new([7u8; 32], size).unwrap();
    let (i0, i1) = (perm.index(0).unwrap(), perm.index(1).unwrap());
    assert!(![5, 9].contains(&i0) && ![5, 9].contains(&i1));
    admin
        .batch_execute(&format!(
            "SET search_path TO {schema};
             {TO_SCHEMA_3}{TO_SCHEMA_4}
             INSERT INTO {schema}.credentials VALUES
               ('\\xc1c1c1c1c1c1c1c1c1c1', 'cccd', '079188000111', 1790000001, 1900000000,
                NULL, 2, 1, {i0}, 2, NULL),
               ('\\xc2c2c2c2c2c2c2c2c2c2', 'cccd', NULL, 1790000002, 1900000000,
                NULL, 2, 1, {i1}, 2, '\\xc1c1c1c1c1c1c1c1c1c1'),
               ('\\xc9c9c9c9c9c9c9c9c9c9', 'cccd', NULL, 1790000003, 1900000000,
                NULL, 2, 9, 3, 0, NULL);
             INSERT INTO {schema}.holds VALUES
               ('\\xc1c1c1c1c1c1c1c1c1c1', 1790000005, 1799000000, 0),
               ('\\xc2c2c2c2c2c2c2c2c2c2', 1790000005, 1799000000, 0);
             UPDATE {schema}.status_lists SET used = 2 WHERE list = 1;"
        ))
        .unwrap();
    assert_eq!(version(&mut admin, &schema), 4);
    let dump = |admin: &mut Client| -> Vec<String> {
        admin
            .query(
                &format!(
                    "SELECT concat_ws('|', encode(serial, 'hex'), holder_id, issued_at, list,
                                      idx, status, encode(copy_of, 'hex'))
                     FROM {schema}.credentials ORDER BY serial"
                ),
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    };
    let before = dump(&mut admin);
    // The row of list 9 (no such list) makes the migration fail: nothing changes.
    assert!(matches!(
        PostgresRegistry::connect(&url, &schema),
        Err(RegistryError::Corrupt { .. })
    ));
    assert_eq!(version(&mut admin, &schema), 4);
    assert_eq!(dump(&mut admin), before);
    let seq_column: bool = admin
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM information_schema.columns
             WHERE table_schema = $1 AND table_name = 'credentials' AND column_name = 'seq')",
            &[&schema],
        )
        .unwrap()
        .get(0);
    assert!(
        !seq_column,
        "the column added before the failure was rolled back"
    );
    admin
        .batch_execute(&format!(
            "DELETE FROM {schema}.credentials WHERE serial = '\\xc9c9c9c9c9c9c9c9c9c9'"
        ))
        .unwrap();
    let before = dump(&mut admin);

    let mut reg = PostgresRegistry::connect(&url, &schema).unwrap();
    assert_eq!(version(&mut admin, &schema), SCHEMA_VERSION);
    assert_eq!(dump(&mut admin), before, "the migration changed a value");
    let seqs: Vec<(Vec<u8>, i64, i64)> = admin
        .query(
            &format!("SELECT serial, seq::bigint, part FROM {schema}.credentials ORDER BY serial"),
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let p1 = super::super::part_of(1, 0);
    assert_eq!(
        seqs,
        vec![
            (vec![0xB1; 10], size as i64 + 5, p1),
            (vec![0xB2; 10], size as i64 + 9, p1),
            (vec![0xC1; 10], 0, p1),
            (vec![0xC2; 10], 1, p1),
        ]
    );
    assert_eq!(reg.by_holder("001099012345").unwrap().len(), 2);
    assert_eq!(reg.holds().unwrap().len(), 2);
    assert_eq!(reg.audit(&[0xB2; 10]).unwrap()[0].reason, "mất thẻ");
    let slot = reg
        .record(
            &[super::super::suite::new_row(0xD1, Some("079188000111"))],
            size,
        )
        .unwrap()[0];
    assert_eq!(slot.index, perm.index(2).unwrap());
    let r = reg
        .change_status(
            &Target::Holder("079188000111".into()),
            Action::Revoke,
            "thu hồi",
            1_796_000_000,
        )
        .unwrap();
    assert_eq!((r.changed.len(), r.copies.len()), (2, 1));
    drop(reg);
}

/// A status change by serial or by holder reads its rows through the indexes, whatever the
/// table's size: with sequential scans priced out (`enable_seqscan = off`), no plan of the
/// targets scans `credentials` whole. The `… OR copy_of IN (…)` form these replaced has no
/// index path in PostgreSQL, so its plan scanned a million-row table on every revocation.
#[test]
fn postgres_status_targets_are_read_through_indexes() {
    let Some(scratch) = Scratch::new("PostgreSQL plan test", "p") else {
        return;
    };
    let (url, schema, _admin) = scratch.parts();
    let mut reg = PostgresRegistry::create(&url, &schema).unwrap();
    let rows: Vec<NewCredential> = (1..=40u8)
        .map(|i| super::super::suite::new_row(i, Some(&format!("0010{i:08}"))))
        .chain([super::super::suite::copy_row(200, 1)])
        .collect();
    reg.record(&rows, giayto_status::MIN_ENTRIES).unwrap();
    reg.client
        .batch_execute("ANALYZE credentials; SET enable_seqscan = off")
        .unwrap();
    let serial = vec![1u8; 10];
    let holder = "001000000001".to_owned();
    let plans: [(String, &(dyn postgres::types::ToSql + Sync)); 4] = [
        (SERIAL_DOCUMENTS.to_owned(), &serial),
        (SERIAL_TARGET.to_owned(), &serial),
        (holder_documents(), &holder),
        (holder_target(), &holder),
    ];
    for (filter, param) in plans {
        let plan: Vec<String> = reg
            .client
            .query(
                &format!("EXPLAIN SELECT {COLUMNS} FROM credentials WHERE {filter}"),
                &[param],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        let plan = plan.join("\n");
        assert!(
            !plan.contains("Seq Scan on credentials"),
            "{filter}\n{plan}"
        );
    }
    // And the targets still reach the document and its copy.
    let report = reg
        .change_status(
            &Target::Serial(vec![200; 10]),
            Action::Revoke,
            "plan test",
            1_790_000_100,
        )
        .unwrap();
    // A copy's serial stands for its document: the document changes, with its copy.
    assert_eq!(report.changed.len(), 1, "{report:?}");
    assert_eq!(report.changed[0].serial, vec![1u8; 10], "{report:?}");
    assert_eq!(report.copies.len(), 1, "{report:?}");
}

/// A registry of schema 5 (the release before chunks) with batch lines of two batches, gaps
/// (rejected rows) and a line whose credential is gone: it becomes schema 6 on connect, in one
/// transaction with the version, and `batch_lines` gives the same records, in line order, as
/// the old table joined to the credentials did; withdrawing a credential takes its line out of
/// its chunk. A chunk that does not read back is [`RegistryError::Corrupt`].
#[test]
fn postgres_migrates_a_schema_5_registry_to_batch_chunks() {
    let Some(scratch) = Scratch::new("PostgreSQL migration test", "c") else {
        return;
    };
    let (url, schema, mut admin) = scratch.parts();
    schema_2_registry(&mut admin, &schema);
    let size = giayto_status::MIN_ENTRIES;
    let perm = giayto_status::IndexPermutation::new([7u8; 32], size).unwrap();
    let mut values = Vec::new();
    for (n, serial) in (0xD0..0xD8u8).enumerate() {
        values.push(format!(
            "('\\x{}', 'cccd', NULL, 1790000001, 1900000000, NULL, 2, 1, {}, 0, NULL)",
            format!("{serial:02x}").repeat(10),
            perm.index(n as u64).unwrap()
        ));
    }
    let mut tx = admin.transaction().unwrap();
    tx.batch_execute(&format!(
        "SET LOCAL search_path TO {schema};
         {TO_SCHEMA_3}{TO_SCHEMA_4}
         DELETE FROM credentials;
         INSERT INTO credentials VALUES {};
         UPDATE status_lists SET used = 8 WHERE list = 1;",
        values.join(",")
    ))
    .unwrap();
    to_schema_5(&mut tx).unwrap();
    // b1: lines 1-3, 5 (4 rejected), 9; b2: line 2, and line 3 whose credential is gone.
    tx.batch_execute(
        "INSERT INTO batch_lines VALUES
           ('b1', 1, '\\xd0d0d0d0d0d0d0d0d0d0'), ('b1', 2, '\\xd1d1d1d1d1d1d1d1d1d1'),
           ('b1', 3, '\\xd2d2d2d2d2d2d2d2d2d2'), ('b1', 5, '\\xd3d3d3d3d3d3d3d3d3d3'),
           ('b1', 9, '\\xd4d4d4d4d4d4d4d4d4d4'), ('b2', 2, '\\xd5d5d5d5d5d5d5d5d5d5'),
           ('b2', 3, '\\xeeeeeeeeeeeeeeeeeeee');",
    )
    .unwrap();
    tx.commit().unwrap();
    assert_eq!(version(&mut admin, &schema), 5);
    let expected = |admin: &mut Client, batch: &str| -> Vec<(u64, Vec<u8>)> {
        admin
            .query(
                &format!(
                    "SELECT b.line, c.serial FROM {schema}.batch_lines b
                     JOIN {schema}.credentials c ON c.serial = b.serial
                     WHERE b.batch_id = $1 ORDER BY b.line"
                ),
                &[&batch],
            )
            .unwrap()
            .iter()
            .map(|r| (r.get::<_, i64>(0) as u64, r.get(1)))
            .collect()
    };
    let (b1, b2) = (expected(&mut admin, "b1"), expected(&mut admin, "b2"));
    assert_eq!(
        b1.iter().map(|l| l.0).collect::<Vec<_>>(),
        vec![1, 2, 3, 5, 9]
    );
    assert_eq!(b2.len(), 1);

    let mut reg = PostgresRegistry::connect(&url, &schema).unwrap();
    assert_eq!(version(&mut admin, &schema), SCHEMA_VERSION);
    let lines_of = |reg: &mut PostgresRegistry, batch: &str| -> Vec<(u64, Vec<u8>)> {
        reg.batch_lines(batch)
            .unwrap()
            .into_iter()
            .map(|(l, r)| (l, r.serial))
            .collect()
    };
    assert_eq!(lines_of(&mut reg, "b1"), b1);
    assert_eq!(lines_of(&mut reg, "b2"), b2);
    let old_table: bool = admin
        .query_one(
            "SELECT to_regclass($1::text) IS NOT NULL",
            &[&format!("{schema}.batch_lines")],
        )
        .unwrap()
        .get(0);
    assert!(!old_table, "batch_lines was not dropped");
    // The old rows became two chunks: b1 and b2.
    let chunks: i64 = admin
        .query_one(&format!("SELECT COUNT(*) FROM {schema}.batch_chunks"), &[])
        .unwrap()
        .get(0);
    assert_eq!(chunks, 2);

    // Withdrawing the first line's credential repacks the chunk from line 2.
    assert!(reg.withdraw(&[0xD0; 10]).unwrap());
    assert_eq!(lines_of(&mut reg, "b1"), b1[1..].to_vec());
    let first: i64 = admin
        .query_one(
            &format!("SELECT first_line FROM {schema}.batch_chunks WHERE batch_id = 'b1'"),
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(first, 2);
    // A new run records line 1 again, as a chunk of its own.
    let row = NewCredential {
        batch: Some(super::super::BatchLine {
            batch_id: "b1".into(),
            line: 1,
        }),
        ..super::super::suite::new_row(0xD9, None)
    };
    reg.record(&[row], size).unwrap();
    assert_eq!(lines_of(&mut reg, "b1")[0], (1, vec![0xD9; 10]));

    // A damaged chunk: an error, not a panic nor a shorter list; the withdrawal that reads it
    // fails and changes nothing.
    admin
        .batch_execute(&format!(
            "UPDATE {schema}.batch_chunks SET lines = '\\x0009' WHERE batch_id = 'b2'"
        ))
        .unwrap();
    assert!(matches!(
        reg.batch_lines("b2"),
        Err(RegistryError::Corrupt { .. })
    ));
    assert!(matches!(
        reg.withdraw(&[0xD5; 10]),
        Err(RegistryError::Corrupt { .. })
    ));
    assert!(reg.get(&[0xD5; 10]).unwrap().is_some());
}

/// Rows go in by binary COPY (D193): a slot handed out twice (a list's `used` behind its rows)
/// is still a damaged registry, not a serial collision to draw again, and a duplicate serial
/// still `DuplicateSerial`; nothing of the failed call is recorded.
#[test]
fn postgres_copy_keeps_the_slot_guard_and_duplicate_serial_errors() {
    let Some(scratch) = Scratch::new("PostgreSQL slot guard test", "g") else {
        return;
    };
    let (url, schema, _) = scratch.parts();
    let mut reg = PostgresRegistry::create(&url, &schema).unwrap();
    let size = giayto_status::MIN_ENTRIES;
    reg.record(&[super::super::suite::new_row(1, None)], size)
        .unwrap();
    assert!(matches!(
        reg.record(&[super::super::suite::new_row(1, None)], size),
        Err(RegistryError::DuplicateSerial)
    ));
    reg.client
        .execute("UPDATE status_lists SET used = 0 WHERE list = 1", &[])
        .unwrap();
    assert!(matches!(
        reg.record(
            &[
                super::super::suite::new_row(2, None),
                super::super::suite::new_row(3, None)
            ],
            size
        ),
        Err(RegistryError::Corrupt { .. })
    ));
    assert_eq!(reg.count().unwrap(), 1);
}

/// The tables, columns (in their order, with type, `NOT NULL` and default), constraints and
/// indexes (with their storage parameters) of a registry schema, its name taken out.
fn catalog(admin: &mut Client, schema: &str) -> Vec<String> {
    let queries = [
        "SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
                || COALESCE(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY c.relname, a.attnum",
        "SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(c.oid)
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
         WHERE n.nspname = $1 ORDER BY conname",
        "SELECT indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname",
    ];
    let mut out = Vec::new();
    for q in queries {
        for r in admin.query(q, &[&schema]).unwrap() {
            out.push(r.get::<_, String>(0).replace(&format!("{schema}."), ""));
        }
    }
    out
}

/// Everything a registry answers about its credentials, as text: each row by serial, its
/// copies and audit lines, the rows by holder, the lists, their not-valid entries and changes,
/// the holds and the batches' lines.
fn answers(reg: &mut PostgresRegistry, serials: &[Vec<u8>], holders: &[&str]) -> Vec<String> {
    let mut out = vec![format!("{}", reg.count().unwrap())];
    for s in serials {
        out.push(format!("{:?}", reg.get(s).unwrap()));
        out.push(format!("{:?}", reg.copies(s).unwrap()));
        out.push(format!("{:?}", reg.audit(s).unwrap()));
    }
    for h in holders {
        out.push(format!("{:?}", reg.by_holder(h).unwrap()));
    }
    for l in reg.lists().unwrap() {
        out.push(format!("{l:?}"));
        out.push(format!("{:?}", reg.not_valid(l.list).unwrap()));
        out.push(format!("{:?}", reg.changes_after(l.list, 0).unwrap()));
    }
    out.push(format!("{:?}", reg.holds().unwrap()));
    for b in ["b1", "b2"] {
        out.push(format!("{:?}", reg.batch_lines(b).unwrap()));
    }
    out
}

/// A registry of schema 6, as the release before it made one (schema 2's tables migrated up),
/// holding what this release records — credentials of two holders and of none, a one-time copy,
/// two batches, a revocation by holder, a suspension and a hold with their audit lines — copied
/// over from a registry of this release: on connect it becomes schema 7 in one transaction (a
/// failure leaves schema 6 as it was), every lookup answers as the registry it was copied from,
/// the table has its new column order, and its tables, constraints and indexes are exactly
/// those of a registry made new by this release.
#[test]
fn postgres_migrates_a_schema_6_registry_to_the_new_column_order() {
    let Some(scratch) = Scratch::new("PostgreSQL migration test", "s") else {
        return;
    };
    let (url, schema, mut admin) = scratch.parts();
    let fresh = Scratch::new("PostgreSQL migration test", "f").unwrap();
    let (_, fresh_schema, _) = fresh.parts();
    let mut new = PostgresRegistry::create(&url, &fresh_schema).unwrap();
    let size = giayto_status::MIN_ENTRIES;
    let line = |batch: &str, line: u64| {
        Some(super::super::BatchLine {
            batch_id: batch.into(),
            line,
        })
    };
    let (h1, h2) = ("001099011111", "079188022222");
    let mut rows = Vec::new();
    for n in 1..=6u8 {
        let holder = [None, Some(h1), Some(h2)][usize::from(n % 3)];
        rows.push(NewCredential {
            batch: line("b1", u64::from(n) + u64::from(n > 3)),
            holder_key: (n % 2 == 0).then_some([n; 32]),
            ..super::super::suite::new_row(n, holder)
        });
    }
    new.record(&rows, size).unwrap();
    new.record(
        &[
            NewCredential {
                batch: line("b2", 1),
                ..super::super::suite::new_row(7, Some(h1))
            },
            super::super::suite::copy_row(8, 1),
        ],
        size,
    )
    .unwrap();
    new.change_status(
        &Target::Holder(h2.into()),
        Action::Revoke,
        "thu hồi",
        1_790_000_100,
    )
    .unwrap();
    new.change_status(
        &Target::Serial(vec![3; 10]),
        Action::Suspend,
        "tạm",
        1_790_000_200,
    )
    .unwrap();
    new.hold(
        &Target::Serial(vec![1; 10]),
        "giữ",
        1_790_000_300,
        Some(1_799_000_000),
    )
    .unwrap();

    // The same data in schema 6's layout, made by the statements of the release before.
    let mut client = Client::connect(&url, NoTls).unwrap();
    client
        .batch_execute(&format!(
            "CREATE SCHEMA {schema}; SET search_path TO {schema};
             CREATE TABLE giayto_meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);"
        ))
        .unwrap();
    let mut tx = client.transaction().unwrap();
    create_schema(&mut tx).unwrap();
    tx.batch_execute(&format!("{TO_SCHEMA_3}{TO_SCHEMA_4}"))
        .unwrap();
    to_schema_5(&mut tx).unwrap();
    to_schema_6(&mut tx).unwrap();
    tx.batch_execute(&format!(
        "INSERT INTO credentials ({CREDENTIALS_7_COLUMNS})
             SELECT {CREDENTIALS_7_COLUMNS} FROM {fresh_schema}.credentials ORDER BY ctid;
         INSERT INTO status_lists SELECT * FROM {fresh_schema}.status_lists;
         INSERT INTO audit SELECT * FROM {fresh_schema}.audit;
         SELECT setval('audit_id_seq', (SELECT max(id) FROM audit));
         INSERT INTO holds SELECT * FROM {fresh_schema}.holds;
         INSERT INTO batch_chunks SELECT * FROM {fresh_schema}.batch_chunks;"
    ))
    .unwrap();
    tx.commit().unwrap();
    drop(client);
    assert_eq!(version(&mut admin, &schema), 6);
    let serials: Vec<Vec<u8>> = (1..=9u8).map(|n| vec![n; 10]).collect();
    let holders = [h1, h2, "001000000000"];
    let before = answers(&mut new, &serials, &holders);
    assert!(before.iter().any(|a| a.contains("Revoked")), "{before:?}");
    assert!(before.iter().any(|a| a.contains("Held")), "{before:?}");
    drop(new);

    // A table in the way of the new one: the migration fails and leaves schema 6 as it was.
    admin
        .batch_execute(&format!("CREATE TABLE {schema}.credentials_7 (x INT)"))
        .unwrap();
    let old_catalog = catalog(&mut admin, &schema);
    assert!(matches!(
        PostgresRegistry::connect(&url, &schema),
        Err(RegistryError::Database(_))
    ));
    assert_eq!(version(&mut admin, &schema), 6);
    assert_eq!(catalog(&mut admin, &schema), old_catalog);
    admin
        .batch_execute(&format!("DROP TABLE {schema}.credentials_7"))
        .unwrap();

    let mut reg = PostgresRegistry::connect(&url, &schema).unwrap();
    assert_eq!(version(&mut admin, &schema), SCHEMA_VERSION);
    assert_eq!(answers(&mut reg, &serials, &holders), before);
    let columns: Vec<String> = admin
        .query(
            "SELECT column_name::text FROM information_schema.columns
             WHERE table_schema = $1 AND table_name = 'credentials' ORDER BY ordinal_position",
            &[&schema],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(columns.join(", "), CREDENTIALS_7_COLUMNS);
    // The same tables and indexes as a new registry's, fill factors included.
    let migrated = catalog(&mut admin, &schema);
    assert_eq!(migrated, catalog(&mut admin, &fresh_schema));
    assert!(
        migrated.iter().any(
            |d| d.contains("INDEX credentials_slot ") && d.ends_with("WITH (fillfactor='100')")
        ),
        "{migrated:#?}"
    );
    for index in ["credentials_pkey", "credentials_holder"] {
        assert!(
            migrated
                .iter()
                .any(|d| d.contains(&format!("INDEX {index} ")) && !d.contains("fillfactor")),
            "{index}: {migrated:#?}"
        );
    }

    // The migrated registry goes on: new slots after the old ones, the guard and the holder
    // lookup as before.
    let slot = reg
        .record(&[super::super::suite::new_row(10, Some(h1))], size)
        .unwrap()[0];
    let perm = giayto_status::IndexPermutation::new(
        admin
            .query_one(
                &format!("SELECT perm_key FROM {schema}.status_lists WHERE list = 1"),
                &[],
            )
            .unwrap()
            .get::<_, Vec<u8>>(0)
            .try_into()
            .unwrap(),
        size,
    )
    .unwrap();
    assert_eq!(slot.index, perm.index(8).unwrap());
    assert!(matches!(
        reg.record(&[super::super::suite::new_row(10, None)], size),
        Err(RegistryError::DuplicateSerial)
    ));
    let report = reg
        .change_status(
            &Target::Holder(h1.into()),
            Action::Revoke,
            "hết",
            1_790_000_400,
        )
        .unwrap();
    // h1's documents 4, 7 and the new 10 are revoked (1 is held: as the hold allows).
    for n in [4u8, 7, 10] {
        assert!(
            report.changed.iter().any(|c| c.serial == vec![n; 10]),
            "{n}: {report:?}"
        );
    }
    assert_eq!(reg.get(&[10; 10]).unwrap().unwrap().status, Status::Revoked);
}
