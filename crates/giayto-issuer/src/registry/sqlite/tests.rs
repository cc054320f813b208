//! Tests of the SQLite backend alone: its schema versions and migrations (1, 2, 3, 4, 5 and 6 → 7),
//! and what it refuses to open. The suite both backends pass is `registry/suite.rs`.

use super::super::suite::{copy_row, new_row};
use super::super::*;

#[test]
fn sqlite_refuses_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.sqlite");
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 9)
        .unwrap();
    assert!(matches!(
        SqliteRegistry::open(&path),
        Err(RegistryError::SchemaVersion { found: 9 })
    ));
}

/// A registry as the first release wrote it (schema 1, before status lists), with two
/// credentials of one holder.
fn schema_1_registry(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "BEGIN;
         CREATE TABLE IF NOT EXISTS credentials (
             serial      BLOB PRIMARY KEY,
             doc_type    TEXT NOT NULL,
             holder_id   TEXT,
             issued_at   INTEGER NOT NULL,
             expires_at  INTEGER NOT NULL,
             holder_key  BLOB
         ) WITHOUT ROWID;
         CREATE INDEX IF NOT EXISTS credentials_holder ON credentials(holder_id);
         PRAGMA user_version = 1;
         COMMIT;",
    )
    .unwrap();
    for serial in [[0xA1u8; 10], [0xA2; 10]] {
        conn.execute(
            "INSERT INTO credentials VALUES (?1, 'gplx', '001196012345', 1700000000, 2000000000, NULL)",
            [serial.to_vec()],
        )
        .unwrap();
    }
}

#[test]
fn sqlite_migrates_a_schema_1_registry_and_says_its_credentials_have_no_status_entry() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.sqlite");
    schema_1_registry(&path);
    let mut reg = SqliteRegistry::open(&path).unwrap();
    // The old rows are kept aside; the registry works as a new one.
    assert_eq!(reg.count().unwrap(), 0);
    let legacy: i64 = reg
        .conn
        .query_row("SELECT COUNT(*) FROM legacy_credentials", [], |r| r.get(0))
        .unwrap();
    assert_eq!(legacy, 2);
    let version: i64 = reg
        .conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, super::SCHEMA_VERSION);

    // An old credential cannot be revoked through a status list: a clear error, nothing
    // written.
    let err = reg
        .change_status(&Target::Serial(vec![0xA1; 10]), Action::Revoke, "lost", 5)
        .unwrap_err();
    assert!(
        matches!(&err, RegistryError::NoStatusEntry(s) if s == &vec![0xA1; 10]),
        "{err:?}"
    );
    assert!(err.to_string().contains("before status lists"), "{err}");
    assert!(reg.audit(&[0xA1; 10]).unwrap().is_empty());
    // A holder with only old credentials: the same error.
    assert!(matches!(
        reg.change_status(
            &Target::Holder("001196012345".into()),
            Action::Suspend,
            "lost phone",
            5
        ),
        Err(RegistryError::NoStatusEntry(_))
    ));

    // New credentials of the same holder get slots; a holder-wide change applies to them and
    // names the old ones it could not reach.
    let mut row = new_row(7, Some("001196012345"));
    row.doc_type = "cccd".into();
    reg.record(&[row], DEFAULT_LIST_SIZE).unwrap();
    let report = reg
        .change_status(
            &Target::Holder("001196012345".into()),
            Action::Suspend,
            "lost phone",
            6,
        )
        .unwrap();
    assert_eq!(report.changed.len(), 1);
    assert_eq!(report.no_status_entry, vec![vec![0xA1; 10], vec![0xA2; 10]]);
    drop(reg);

    // Opening again neither migrates twice nor loses anything.
    let mut reg = SqliteRegistry::open(&path).unwrap();
    assert_eq!(reg.count().unwrap(), 1);
    assert!(matches!(
        reg.change_status(&Target::Serial(vec![0xA2; 10]), Action::Revoke, "x", 7),
        Err(RegistryError::NoStatusEntry(_))
    ));
}

/// A registry as the release before one-time copies wrote it (schema 2): a valid document, a
/// revoked one with its audit line, one status list.
fn schema_2_registry(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(&format!("BEGIN; {} COMMIT;", super::SCHEMA_2))
        .unwrap();
    for (serial, status, idx) in [(0xB1u8, Status::Valid, 5i64), (0xB2, Status::Revoked, 9)] {
        conn.execute(
            "INSERT INTO credentials VALUES (?1, 'cccd', '001099012345', 1790000000, 1900000000,
                                             ?2, 2, 1, ?3, ?4)",
            rusqlite::params![vec![serial; 10], vec![serial; 32], idx, status.code()],
        )
        .unwrap();
    }
    conn.execute(
        "INSERT INTO status_lists VALUES (1, ?1, 2, ?2)",
        rusqlite::params![giayto_status::MIN_ENTRIES as i64, vec![7u8; 32]],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO audit (serial, at, action, from_status, to_status, reason)
         VALUES (?1, 1795000000, 'revoke', 0, 1, 'mất thẻ')",
        [vec![0xB2u8; 10]],
    )
    .unwrap();
}

fn user_version(path: &std::path::Path) -> i64 {
    rusqlite::Connection::open(path)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

#[test]
fn sqlite_migrates_a_schema_2_registry_to_one_time_copies_keeping_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.sqlite");
    schema_2_registry(&path);
    let mut reg = SqliteRegistry::open(&path).unwrap();
    assert_eq!(user_version(&path), super::SCHEMA_VERSION);
    assert_eq!(reg.count().unwrap(), 2);
    let a = reg.get(&[0xB1; 10]).unwrap().unwrap();
    assert_eq!(
        (a.status, a.copy_of, a.slot.index),
        (Status::Valid, None, 5)
    );
    assert_eq!(
        reg.get(&[0xB2; 10]).unwrap().unwrap().status,
        Status::Revoked
    );
    assert_eq!(reg.audit(&[0xB2; 10]).unwrap()[0].reason, "mất thẻ");
    // The old documents take copies; the revoked one does not.
    let size = giayto_status::MIN_ENTRIES;
    reg.record(&[copy_row(0xB3, 0xB1), copy_row(0xB4, 0xB1)], size)
        .unwrap();
    assert!(matches!(
        reg.record(&[copy_row(0xB5, 0xB2)], size),
        Err(RegistryError::DocumentNotValid { .. })
    ));
    // The list goes on where schema 2 left it.
    assert_eq!(reg.lists().unwrap()[0].used, 4);
    let r = reg
        .change_status(&Target::Serial(vec![0xB4; 10]), Action::Revoke, "x", 5)
        .unwrap();
    assert_eq!((r.changed.len(), r.copies.len()), (1, 2));
    drop(reg);
    // Opening again neither migrates twice nor loses anything.
    let mut reg = SqliteRegistry::open(&path).unwrap();
    assert_eq!(user_version(&path), super::SCHEMA_VERSION);
    assert_eq!(reg.copies(&[0xB1; 10]).unwrap().len(), 2);
    assert_eq!(
        reg.get(&[0xB3; 10]).unwrap().unwrap().status,
        Status::Revoked
    );
}

/// The migration is one transaction: when a step fails, the registry stays at schema 2,
/// untouched, and opens once the obstacle is gone.
#[test]
fn a_failed_migration_to_schema_3_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.sqlite");
    schema_2_registry(&path);
    // A table with the new index's name makes the migration's last step fail.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE credentials_copy_of (x INTEGER)")
        .unwrap();
    assert!(matches!(
        SqliteRegistry::open(&path),
        Err(RegistryError::Database(_))
    ));
    assert_eq!(user_version(&path), 2);
    let columns: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT COUNT(*) FROM pragma_table_info('credentials') WHERE name = 'copy_of'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        columns, 0,
        "the column added before the failure was rolled back"
    );
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("DROP TABLE credentials_copy_of")
        .unwrap();
    let mut reg = SqliteRegistry::open(&path).unwrap();
    assert_eq!(reg.count().unwrap(), 2);
    assert_eq!(user_version(&path), super::SCHEMA_VERSION);
}

/// A registry of schema 3 (one-time copies, before holds) becomes schema 4 on opening: its
/// documents, copies, statuses and audit kept, the holds table added; a hold of a document
/// then reaches its copies, and the automatic release returns them.
#[test]
fn sqlite_migrates_a_schema_3_registry_to_holds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.sqlite");
    schema_2_registry(&path);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(&format!("BEGIN; {} COMMIT;", super::TO_SCHEMA_3))
            .unwrap();
        conn.execute(
            "INSERT INTO credentials VALUES (?1, 'cccd', NULL, 1790000001, 1900000000,
                                             ?2, 2, 1, 11, 0, ?3)",
            rusqlite::params![vec![0xB3u8; 10], vec![0xB3u8; 32], vec![0xB1u8; 10]],
        )
        .unwrap();
        conn.execute("UPDATE status_lists SET used = 3 WHERE list = 1", [])
            .unwrap();
    }
    assert_eq!(user_version(&path), 3);
    let mut reg = SqliteRegistry::open(&path).unwrap();
    assert_eq!(user_version(&path), super::SCHEMA_VERSION);
    assert_eq!(reg.count().unwrap(), 3);
    assert_eq!(
        reg.get(&[0xB3; 10]).unwrap().unwrap().copy_of,
        Some(vec![0xB1; 10])
    );
    assert_eq!(reg.audit(&[0xB2; 10]).unwrap()[0].reason, "mất thẻ");
    assert!(reg.holds().unwrap().is_empty());
    let r = reg
        .hold(&Target::Serial(vec![0xB1; 10]), "giữ", 10, Some(20))
        .unwrap();
    assert_eq!((r.changed.len(), r.copies.len()), (1, 1));
    assert_eq!(reg.holds().unwrap().len(), 2);
    assert_eq!(reg.get(&[0xB3; 10]).unwrap().unwrap().status, Status::Held);
    drop(reg);
    // Opening again neither migrates twice nor loses the holds.
    let mut reg = SqliteRegistry::open(&path).unwrap();
    assert_eq!(user_version(&path), super::SCHEMA_VERSION);
    let r = reg.release_due(20).unwrap();
    assert_eq!((r.changed.len(), r.copies.len()), (1, 1));
    assert_eq!(reg.get(&[0xB3; 10]).unwrap().unwrap().status, Status::Valid);
}

/// 2 → 4 is one transaction too: when the holds step fails, the copies step before it is
/// rolled back and the registry stays at schema 2.
#[test]
fn a_failed_migration_to_schema_4_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.sqlite");
    schema_2_registry(&path);
    // An index with the holds table's name makes the last step fail.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE INDEX holds ON audit(at)")
        .unwrap();
    assert!(matches!(
        SqliteRegistry::open(&path),
        Err(RegistryError::Database(_))
    ));
    assert_eq!(user_version(&path), 2);
    let columns: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT COUNT(*) FROM pragma_table_info('credentials') WHERE name = 'copy_of'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(columns, 0, "the copies step was rolled back");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("DROP INDEX holds")
        .unwrap();
    let mut reg = SqliteRegistry::open(&path).unwrap();
    assert_eq!(reg.count().unwrap(), 2);
    assert_eq!(user_version(&path), super::SCHEMA_VERSION);
}

#[test]
fn a_new_registry_has_no_legacy_table() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = SqliteRegistry::create(&dir.path().join("registry.sqlite")).unwrap();
    assert!(!reg.has_legacy);
    assert!(matches!(
        reg.change_status(&Target::Serial(vec![0xA1; 10]), Action::Revoke, "x", 7),
        Err(RegistryError::UnknownSerial(_))
    ));
}

#[test]
fn sqlite_open_never_creates_a_registry() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.sqlite");
    // Missing: refused, and no file (nor -wal, -shm) appears.
    let err = SqliteRegistry::open(&path).unwrap_err();
    assert!(
        matches!(&err, RegistryError::Missing { location } if location.contains("registry.sqlite")),
        "{err:?}"
    );
    assert!(err.to_string().contains("backup"), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    // Empty (0 bytes, as a truncation leaves it): refused, and still 0 bytes.
    std::fs::write(&path, b"").unwrap();
    assert!(matches!(
        SqliteRegistry::open(&path),
        Err(RegistryError::Empty { .. })
    ));
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    // Not a database at all.
    std::fs::write(&path, vec![b'x'; 8192]).unwrap();
    assert!(matches!(
        SqliteRegistry::open(&path),
        Err(RegistryError::Empty { .. })
    ));

    // An SQLite database without the giayto schema: refused, and left without it.
    std::fs::remove_file(&path).unwrap();
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("CREATE TABLE notes (t TEXT)").unwrap();
    drop(other);
    assert!(matches!(
        SqliteRegistry::open(&path),
        Err(RegistryError::Empty { .. })
    ));
    let tables: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 1);

    // `create` makes one (what issuer init does), and `open` then accepts it.
    let fresh = dir.path().join("new.sqlite");
    drop(SqliteRegistry::create(&fresh).unwrap());
    let mut reg = SqliteRegistry::open(&fresh).unwrap();
    assert_eq!(reg.count().unwrap(), 0);
}

/// Regression: a damaged row used to be read with its holder key dropped (a credential
/// re-signed from it in batch recovery would lose its holder binding) or its index clamped.
#[test]
fn sqlite_reads_a_damaged_row_as_an_error_not_a_default() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = SqliteRegistry::create(&dir.path().join("registry.sqlite")).unwrap();
    reg.record(&[new_row(1, None), new_row(2, None)], DEFAULT_LIST_SIZE)
        .unwrap();
    assert_eq!(
        reg.get(&[1; 10]).unwrap().unwrap().holder_key,
        Some([4; 32])
    );
    reg.conn
        .execute(
            "UPDATE credentials SET holder_key = ?1 WHERE serial = ?2",
            rusqlite::params![vec![4u8; 31], vec![1u8; 10]],
        )
        .unwrap();
    assert!(reg.get(&[1; 10]).is_err());
    reg.conn
        .execute(
            "UPDATE credentials SET idx = -1 WHERE serial = ?1",
            [vec![2u8; 10]],
        )
        .unwrap();
    assert!(reg.get(&[2; 10]).is_err());
}

/// Schema 5 (D166): a slot's ordinal is unique in its list, so a slot is never handed out
/// twice, and the holder-index partitions a lookup reads are exactly those rows are put in.
#[test]
fn a_slot_ordinal_is_unique_and_lookups_read_every_partition_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = SqliteRegistry::create(&dir.path().join("registry.sqlite")).unwrap();
    let size = giayto_status::MIN_ENTRIES;
    reg.record(&[new_row(1, Some("001099012345"))], size)
        .unwrap();
    let taken = reg.conn.execute(
        "INSERT INTO credentials (serial, doc_type, issued_at, expires_at, level, list, idx,
                                  seq, part)
         VALUES (?1, 'cccd', 1, 2, 2, 1, 77, 0, ?2)",
        rusqlite::params![vec![9u8; 10], super::part_of(1, 0)],
    );
    assert!(taken.is_err(), "a second row took ordinal 0 of list 1");
    reg.conn
        .execute("UPDATE status_lists SET used = 20000 WHERE list = 1", [])
        .unwrap();
    reg.conn
        .execute(
            "INSERT INTO status_lists VALUES (2, ?1, 1, ?2)",
            rusqlite::params![size as i64, vec![3u8; 32]],
        )
        .unwrap();
    let mut stmt = reg
        .conn
        .prepare(&format!("SELECT * FROM {} ORDER BY 1", super::HOLDER_PARTS))
        .unwrap();
    let parts: Vec<i64> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut want: Vec<i64> = (0..20_000u64).map(|q| super::part_of(1, q)).collect();
    want.push(super::part_of(2, 0));
    want.dedup();
    assert_eq!(parts, want);
    assert_eq!(parts.len(), 4);
}

/// A registry as the release before schema 5 wrote it (schema 4): list 1 full, list 2 with
/// three slots used and a row at a hand-written index its permutation has not given (as
/// [`schema_2_registry`] has); a valid document of one holder with a one-time copy, a revoked one with
/// its audit line, a suspended and held one, all from a batch; the slots from each list's
/// permutation, as the issuer allocated them.
fn schema_4_registry(path: &std::path::Path) {
    let size = giayto_status::MIN_ENTRIES;
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(&format!(
        "BEGIN; {}{}{} COMMIT;",
        super::SCHEMA_2,
        super::TO_SCHEMA_3,
        super::TO_SCHEMA_4
    ))
    .unwrap();
    for (list, used, key) in [(1u32, size, [7u8; 32]), (2, 3, [8u8; 32])] {
        conn.execute(
            "INSERT INTO status_lists VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![list, size as i64, used as i64, key.to_vec()],
        )
        .unwrap();
    }
    let perm2 = giayto_status::IndexPermutation::new([8u8; 32], size).unwrap();
    let perm1 = giayto_status::IndexPermutation::new([7u8; 32], size).unwrap();
    // (serial, holder, list, index, status, copy_of)
    type Row<'a> = (u8, Option<&'a str>, u32, u64, Status, Option<u8>);
    let rows: [Row<'_>; 5] = [
        (
            0xC1,
            Some("001099055555"),
            2,
            perm2.index(0).unwrap(),
            Status::Valid,
            None,
        ),
        (
            0xC2,
            None,
            2,
            perm2.index(1).unwrap(),
            Status::Valid,
            Some(0xC1),
        ),
        (
            0xC3,
            Some("001099055555"),
            2,
            perm2.index(2).unwrap(),
            Status::Revoked,
            None,
        ),
        (
            0xC4,
            Some("079188000111"),
            1,
            perm1.index(5).unwrap(),
            Status::Suspended,
            None,
        ),
        (0xC5, Some("079188000111"), 2, 17, Status::Valid, None),
    ];
    for (n, (serial, holder, list, idx, status, copy_of)) in rows.into_iter().enumerate() {
        conn.execute(
            "INSERT INTO credentials VALUES (?1, 'cccd', ?2, ?3, 1900000000, ?4, 2, ?5, ?6, ?7, ?8)",
            rusqlite::params![
                vec![serial; 10],
                holder,
                1_790_000_000 + n as i64,
                vec![serial; 32],
                list,
                idx as i64,
                status.code(),
                copy_of.map(|c| vec![c; 10])
            ],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO batch_lines VALUES ('b1', ?1, ?2)",
            rusqlite::params![n as i64 + 1, vec![serial; 10]],
        )
        .unwrap();
    }
    conn.execute_batch(
        "INSERT INTO audit (serial, at, action, from_status, to_status, reason)
             VALUES (X'C3C3C3C3C3C3C3C3C3C3', 1795000000, 'revoke', 0, 1, 'mất thẻ'),
                    (X'C4C4C4C4C4C4C4C4C4C4', 1795000001, 'hold', 0, 2, 'đang xác minh');
         INSERT INTO holds VALUES (X'C4C4C4C4C4C4C4C4C4C4', 1795000001, 1799000000, 0);",
    )
    .unwrap();
}

/// Every table's content as text, the credentials by their schema 4 columns, for comparing a
/// registry before and after a migration.
fn dump(path: &std::path::Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut out = Vec::new();
    for query in [
        "SELECT serial, doc_type, holder_id, issued_at, expires_at, holder_key, level, list, idx,
                status, copy_of FROM credentials ORDER BY serial",
        "SELECT * FROM status_lists ORDER BY list",
        "SELECT * FROM audit ORDER BY id",
        "SELECT * FROM holds ORDER BY serial",
    ] {
        let mut stmt = conn.prepare(query).unwrap();
        let columns = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                (0..columns)
                    .map(|i| {
                        r.get::<_, rusqlite::types::Value>(i)
                            .map(|v| format!("{v:?}"))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .unwrap();
        for row in rows {
            out.push(row.unwrap().join("|"));
        }
        out.push(String::new());
    }
    // The batch lines, from the rows of schema 5 and older or from the chunks of schema 6.
    for (batch, line, serial) in batch_rows(&conn) {
        out.push(format!("{batch}|{line}|{}", super::super::hex(&serial)));
    }
    out
}

/// Every batch line as `(batch_id, line, serial)`, sorted, whichever table holds them.
fn batch_rows(conn: &rusqlite::Connection) -> Vec<(String, u64, Vec<u8>)> {
    let old: bool = conn
        .query_row(
            "SELECT COUNT(*) > 0 FROM sqlite_master WHERE name = 'batch_lines'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut out = Vec::new();
    if old {
        let mut stmt = conn
            .prepare("SELECT batch_id, line, serial FROM batch_lines")
            .unwrap();
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap();
        out = rows.collect::<Result<_, _>>().unwrap();
    } else {
        let mut stmt = conn
            .prepare("SELECT batch_id, first_line, lines, serials FROM batch_chunks")
            .unwrap();
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                ))
            })
            .unwrap();
        for row in rows {
            let (batch, first, lines, serials) = row.unwrap();
            for (line, serial) in chunks::unpack(first, &lines, &serials).unwrap() {
                out.push((batch.clone(), line, serial));
            }
        }
    }
    out.sort();
    out
}

/// A registry of schema 4 becomes schema 5 on opening and keeps every row, revocation, hold,
/// audit line, batch line and status slot: each row gets its ordinal from its list's
/// permutation, new rows continue after them without a clash (in list 2, list 1 being full),
/// and lookups by serial, by holder and by list find the old rows.
#[test]
fn sqlite_migrates_a_schema_4_registry_keeping_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.sqlite");
    schema_4_registry(&path);
    assert_eq!(user_version(&path), 4);
    let before = dump(&path);
    let size = giayto_status::MIN_ENTRIES;
    let perm2 = giayto_status::IndexPermutation::new([8u8; 32], size).unwrap();
    assert!((0..4).all(|q| perm2.index(q).unwrap() != 17));
    let mut reg = SqliteRegistry::open(&path).unwrap();
    assert_eq!(user_version(&path), super::SCHEMA_VERSION);
    drop(reg);
    assert_eq!(dump(&path), before, "the migration changed a value");
    reg = SqliteRegistry::open(&path).unwrap();
    let seqs: Vec<(Vec<u8>, i64, i64)> = {
        let mut stmt = reg
            .conn
            .prepare("SELECT serial, seq, part FROM credentials ORDER BY serial")
            .unwrap();
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    };
    let p1 = super::part_of(1, 0);
    let p2 = super::part_of(2, 0);
    assert_eq!(
        seqs,
        vec![
            (vec![0xC1; 10], 0, p2),
            (vec![0xC2; 10], 1, p2),
            (vec![0xC3; 10], 2, p2),
            (vec![0xC4; 10], 5, p1),
            // Not from the permutation: size + index, in the list's first partition.
            (vec![0xC5; 10], size as i64 + 17, p2),
        ]
    );
    let mine: Vec<Vec<u8>> = reg
        .by_holder("001099055555")
        .unwrap()
        .into_iter()
        .map(|r| r.serial)
        .collect();
    assert_eq!(mine, vec![vec![0xC1; 10], vec![0xC3; 10]]);
    assert_eq!(reg.by_holder("079188000111").unwrap().len(), 2);
    assert_eq!(reg.copies(&[0xC1; 10]).unwrap().len(), 1);
    assert_eq!(
        reg.not_valid(2).unwrap(),
        vec![(perm2.index(2).unwrap(), Status::Revoked)]
    );
    assert_eq!(reg.holds().unwrap().len(), 1);
    assert_eq!(reg.audit(&[0xC3; 10]).unwrap().len(), 1);
    assert_eq!(reg.batch_lines("b1").unwrap().len(), 5);
    // New rows continue list 2's permutation after its three old ones.
    let slots = reg
        .record(&[new_row(1, Some("001099055555"))], size)
        .unwrap();
    assert_eq!(slots[0].list, 2);
    assert_eq!(slots[0].index, perm2.index(3).unwrap());
    assert_eq!(reg.by_holder("001099055555").unwrap().len(), 3);
    // A revocation by holder reaches the old document, its copy and the new one.
    let report = reg
        .change_status(
            &Target::Holder("001099055555".into()),
            Action::Revoke,
            "thu hồi",
            1_796_000_000,
        )
        .unwrap();
    assert_eq!((report.changed.len(), report.copies.len()), (2, 1));
    // The suspended, held row in list 1 and the hand-written one in list 2's first partition.
    let report = reg
        .change_status(
            &Target::Holder("079188000111".into()),
            Action::Revoke,
            "thu hồi",
            1_796_000_001,
        )
        .unwrap();
    assert_eq!(report.changed.len(), 2);
}

/// 4 → 5 is one transaction: when it fails, at its first step (a row of a list that does not
/// exist) or at its last (an index name taken), the registry stays at schema 4 with every value
/// as it was, and opens once the cause is gone.
#[test]
fn a_failed_migration_to_schema_5_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.sqlite");
    schema_4_registry(&path);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE credentials SET list = 9 WHERE serial = X'C5C5C5C5C5C5C5C5C5C5'",
        [],
    )
    .unwrap();
    let before = dump(&path);
    assert!(matches!(
        SqliteRegistry::open(&path),
        Err(RegistryError::Corrupt { .. })
    ));
    assert_eq!(user_version(&path), 4);
    assert_eq!(dump(&path), before);
    conn.execute(
        "UPDATE credentials SET list = 1 WHERE serial = X'C5C5C5C5C5C5C5C5C5C5'",
        [],
    )
    .unwrap();
    // An index with the new serial index's name makes the last step fail.
    conn.execute_batch("CREATE INDEX credentials_serial ON audit(at)")
        .unwrap();
    let before = dump(&path);
    assert!(matches!(
        SqliteRegistry::open(&path),
        Err(RegistryError::Database(_))
    ));
    assert_eq!(user_version(&path), 4);
    assert_eq!(dump(&path), before);
    let leftover: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'credentials_5'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(leftover, 0);
    conn.execute_batch("DROP INDEX credentials_serial").unwrap();
    drop(conn);
    let mut reg = SqliteRegistry::open(&path).unwrap();
    assert_eq!(user_version(&path), super::SCHEMA_VERSION);
    assert_eq!(reg.count().unwrap(), 5);
}

/// A slot handed out twice (a damaged registry: a list's `used` behind its rows) is refused as
/// a damaged registry, not taken for a serial collision to draw again.
#[test]
fn a_slot_handed_out_twice_is_a_damaged_registry() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = SqliteRegistry::create(&dir.path().join("registry.sqlite")).unwrap();
    let size = giayto_status::MIN_ENTRIES;
    reg.record(&[new_row(1, None)], size).unwrap();
    reg.conn
        .execute("UPDATE status_lists SET used = 0 WHERE list = 1", [])
        .unwrap();
    assert!(matches!(
        reg.record(&[new_row(2, None)], size),
        Err(RegistryError::Corrupt { .. })
    ));
    assert_eq!(reg.count().unwrap(), 1);
}

/// A registry of schema 5 (a schema 4 one migrated by the release before chunks), with batch
/// lines of two batches, gaps (rejected rows) and a line whose credential was withdrawn: it
/// becomes schema 6 on opening, in one transaction with the version, and `batch_lines` gives
/// the same records, in line order, as the old table joined to the credentials did.
#[test]
fn sqlite_migrates_a_schema_5_registry_to_batch_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.sqlite");
    schema_4_registry(&path);
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        let tx = conn.transaction().unwrap();
        super::to_schema_5(&tx).unwrap();
        tx.commit().unwrap();
        // Two more lines of b1 after a gap, one of another batch, and a line whose credential
        // is gone (kept by hand: withdraw removed both before).
        conn.execute_batch(
            "INSERT INTO batch_lines VALUES ('b1', 9, X'C1C1C1C1C1C1C1C1C1C1'),
                                            ('b2', 3, X'C3C3C3C3C3C3C3C3C3C3'),
                                            ('b2', 4, X'EEEEEEEEEEEEEEEEEEEE');
             DELETE FROM batch_lines WHERE batch_id = 'b1' AND line = 1;",
        )
        .unwrap();
    }
    assert_eq!(user_version(&path), 5);
    let before = dump(&path);
    let expected = |conn: &rusqlite::Connection, batch: &str| -> Vec<(u64, Vec<u8>)> {
        let mut stmt = conn
            .prepare(
                "SELECT b.line, c.serial FROM batch_lines b JOIN credentials c
                 ON c.serial = b.serial WHERE b.batch_id = ?1 ORDER BY b.line",
            )
            .unwrap();
        let rows = stmt
            .query_map([batch], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    };
    let conn = rusqlite::Connection::open(&path).unwrap();
    let (b1, b2) = (expected(&conn, "b1"), expected(&conn, "b2"));
    drop(conn);
    assert_eq!(
        b1.iter().map(|l| l.0).collect::<Vec<_>>(),
        vec![2, 3, 4, 5, 9]
    );
    assert_eq!(b2.len(), 1);

    let mut reg = SqliteRegistry::open(&path).unwrap();
    assert_eq!(user_version(&path), super::SCHEMA_VERSION);
    assert_eq!(
        dump(&path),
        before,
        "the migration changed a value or a line"
    );
    for (batch, want) in [("b1", b1), ("b2", b2)] {
        let got: Vec<(u64, Vec<u8>)> = reg
            .batch_lines(batch)
            .unwrap()
            .into_iter()
            .map(|(l, r)| (l, r.serial))
            .collect();
        assert_eq!(got, want, "{batch}");
    }
    let old_table: i64 = reg
        .conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'batch_lines'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(old_table, 0);
    // Withdrawing a migrated line's credential takes its line out of its chunk.
    assert!(reg.withdraw(&[0xC5; 10]).unwrap());
    let lines: Vec<u64> = reg.batch_lines("b1").unwrap().iter().map(|l| l.0).collect();
    assert_eq!(lines, vec![2, 3, 4, 9]);
    let rows = batch_rows(&reg.conn);
    assert!(!rows.iter().any(|r| r.2 == vec![0xC5; 10]), "{rows:?}");
}

/// A chunk row that does not read back (damaged by hand) makes `batch_lines` fail with
/// [`RegistryError::Corrupt`], never a panic or a silently shorter list; so does a withdrawal
/// whose serial's bytes are in that row.
#[test]
fn a_damaged_batch_chunk_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = SqliteRegistry::create(&dir.path().join("registry.sqlite")).unwrap();
    let rows: Vec<NewCredential> = (1..=3u8)
        .map(|i| NewCredential {
            batch: Some(BatchLine {
                batch_id: "b".into(),
                line: u64::from(i),
            }),
            ..new_row(i, None)
        })
        .collect();
    reg.record(&rows, giayto_status::MIN_ENTRIES).unwrap();
    assert_eq!(reg.batch_lines("b").unwrap().len(), 3);
    for (lines, serials) in [
        ("X'0004'", "serials"),
        ("X'00'", "serials"),
        ("lines", "substr(serials, 1, 20)"),
        ("lines", "X'FFFFFFFFFFFFFFFFFFFF01'"),
    ] {
        let copy = reg
            .conn
            .query_row("SELECT lines, serials FROM batch_chunks", [], |r| {
                Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?))
            })
            .unwrap();
        reg.conn
            .execute_batch(&format!(
                "UPDATE batch_chunks SET lines = {lines}, serials = {serials}"
            ))
            .unwrap();
        assert!(
            matches!(reg.batch_lines("b"), Err(RegistryError::Corrupt { .. })),
            "{lines} {serials}"
        );
        reg.conn
            .execute(
                "UPDATE batch_chunks SET lines = ?1, serials = ?2",
                rusqlite::params![copy.0, copy.1],
            )
            .unwrap();
    }
    reg.conn
        .execute_batch("UPDATE batch_chunks SET lines = X'0004'")
        .unwrap();
    assert!(matches!(
        reg.withdraw(&[1; 10]),
        Err(RegistryError::Corrupt { .. })
    ));
    // Nothing was withdrawn: the transaction rolled back.
    assert!(reg.get(&[1; 10]).unwrap().is_some());
}

/// Schema 7 changes PostgreSQL's column order only (D197): a registry of schema 6 opens as 7
/// with its tables, indexes and every value as they were, and goes on recording.
#[test]
fn sqlite_schema_6_becomes_7_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.sqlite");
    schema_4_registry(&path);
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        let tx = conn.transaction().unwrap();
        super::to_schema_5(&tx).unwrap();
        super::to_schema_6(&tx).unwrap();
        tx.commit().unwrap();
    }
    assert_eq!(user_version(&path), 6);
    let layout = |path: &std::path::Path| -> Vec<String> {
        let conn = rusqlite::Connection::open(path).unwrap();
        let mut stmt = conn
            .prepare("SELECT type || ' ' || name || ' ' || COALESCE(sql, '') FROM sqlite_master ORDER BY name")
            .unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    };
    let (before, tables) = (dump(&path), layout(&path));
    let mut reg = SqliteRegistry::open(&path).unwrap();
    assert_eq!(user_version(&path), 7);
    assert_eq!(dump(&path), before);
    assert_eq!(layout(&path), tables);
    reg.record(&[new_row(0xD1, None)], giayto_status::MIN_ENTRIES)
        .unwrap();
    assert_eq!(reg.count().unwrap(), 6);
}
