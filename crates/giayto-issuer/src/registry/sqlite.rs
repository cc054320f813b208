//! The embedded backend: one SQLite file in the issuer's folder, WAL mode, `synchronous=FULL`.
//!
//! Over 600 lines on purpose: the schema with its migrations, and every transaction of the
//! [`RegistryBackend`] contract (recording, status changes with their holds and audit lines),
//! read best side by side with the PostgreSQL backend, which has the same layout.

use std::path::Path;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};

use super::chunks::{self, PackedChunk};
use super::{
    action_from_str, allocate, check_document, check_list_size, check_reason, check_until,
    migrated_slot, ordinals, part_of, plan_change, Action, AuditEntry, ChangeReport,
    CredentialRecord, HoldRecord, ListInfo, NewCredential, RegistryBackend, RegistryError, Status,
    StatusSlot, Target, CHANGES_AFTER, HOLDER_PARTS, HOLD_ENDED_REASON, WITHDRAWABLE,
};

pub(super) const SCHEMA_VERSION: i64 = 7;

/// From schema 2 to 3: one-time copies (docs/decisions.md D111) are rows linked to their
/// document's row by `copy_of`; every row of schema 2 is a document.
const TO_SCHEMA_3: &str = "
                 ALTER TABLE credentials ADD COLUMN copy_of BLOB;
                 CREATE INDEX IF NOT EXISTS credentials_copy_of
                     ON credentials(copy_of) WHERE copy_of IS NOT NULL;
                 PRAGMA user_version = 3;
                 ";

/// From schema 3 to 4: the holds in force (docs/format.md §9.3), one row per held credential
/// (a held document's one-time copies each have theirs), removed when the hold ends.
const TO_SCHEMA_4: &str = "
                 CREATE TABLE IF NOT EXISTS holds (
                     serial        BLOB PRIMARY KEY,
                     held_at       INTEGER NOT NULL,
                     until         INTEGER,
                     after_release INTEGER NOT NULL
                 ) WITHOUT ROWID;
                 PRAGMA user_version = 4;
                 ";

/// Schema 5 (docs/decisions.md D166): `credentials` becomes a rowid table, appended to in issue
/// order, with a unique index on the serial (whose time prefix, D165, makes it grow at its end),
/// each row's ordinal in its list (`seq`, unique per list: a status slot is never handed out
/// twice) and its holder-index partition (`part`). The holder index is `(part, holder_id)`, so a
/// batch writes into its newest partition only. Rows are copied over by [`to_schema_5`], which
/// computes `seq` and `part` of each from its list's permutation.
const SCHEMA_5_TABLE: &str = "
                 CREATE TABLE credentials_5 (
                     id          INTEGER PRIMARY KEY,
                     serial      BLOB NOT NULL,
                     doc_type    TEXT NOT NULL,
                     holder_id   TEXT,
                     issued_at   INTEGER NOT NULL,
                     expires_at  INTEGER NOT NULL,
                     holder_key  BLOB,
                     level       INTEGER NOT NULL,
                     list        INTEGER NOT NULL,
                     idx         INTEGER NOT NULL,
                     seq         INTEGER NOT NULL,
                     part        INTEGER NOT NULL,
                     status      INTEGER NOT NULL DEFAULT 0,
                     copy_of     BLOB
                 );
                 ";
const SCHEMA_5_INDEXES: &str = "
                 DROP TABLE credentials;
                 ALTER TABLE credentials_5 RENAME TO credentials;
                 CREATE UNIQUE INDEX credentials_serial ON credentials(serial);
                 CREATE UNIQUE INDEX credentials_slot ON credentials(list, seq);
                 CREATE INDEX credentials_holder ON credentials(part, holder_id)
                     WHERE holder_id IS NOT NULL;
                 CREATE INDEX credentials_not_valid ON credentials(list, idx) WHERE status <> 0;
                 CREATE INDEX credentials_copy_of ON credentials(copy_of) WHERE copy_of IS NOT NULL;
                 PRAGMA user_version = 5;
                 ";

/// From schema 4 to 5, inside the caller's transaction: the new table, every row copied over
/// in issue order with its ordinal and partition, the old table dropped, the indexes made.
fn to_schema_5(tx: &rusqlite::Transaction<'_>) -> Result<(), RegistryError> {
    use rusqlite::types::ToSqlOutput;
    tx.execute_batch(SCHEMA_5_TABLE)?;
    let lists = {
        let mut stmt = tx.prepare("SELECT list, size, used, perm_key FROM status_lists")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, u32>(0)?,
                r.get::<_, u64>(1)?,
                r.get::<_, u64>(2)?,
                r.get::<_, Vec<u8>>(3)?,
            ))
        })?;
        rows.map(|row| {
            let (list, size, used, key) = row?;
            let key: [u8; 32] = key
                .try_into()
                .map_err(|_| RegistryError::Corrupt { what: "list key" })?;
            Ok((list, size, used, key))
        })
        .collect::<Result<Vec<_>, RegistryError>>()?
    };
    let seq_of = ordinals(&lists)?;
    let sizes = lists.iter().map(|l| (l.0, l.1)).collect();
    {
        let mut read = tx.prepare(
            "SELECT serial, doc_type, holder_id, issued_at, expires_at, holder_key, level, list,
                    idx, status, copy_of FROM credentials ORDER BY issued_at, serial",
        )?;
        let mut write = tx.prepare(
            "INSERT INTO credentials_5 (serial, doc_type, holder_id, issued_at, expires_at,
                 holder_key, level, list, idx, seq, part, status, copy_of)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?;
        let mut rows = read.query([])?;
        while let Some(r) = rows.next()? {
            let list: u32 = r.get(7)?;
            let idx: u64 = r.get(8)?;
            let (seq, part) = migrated_slot(&seq_of, &sizes, list, idx)?;
            write.execute(params![
                ToSqlOutput::Borrowed(r.get_ref(0)?),
                ToSqlOutput::Borrowed(r.get_ref(1)?),
                ToSqlOutput::Borrowed(r.get_ref(2)?),
                ToSqlOutput::Borrowed(r.get_ref(3)?),
                ToSqlOutput::Borrowed(r.get_ref(4)?),
                ToSqlOutput::Borrowed(r.get_ref(5)?),
                ToSqlOutput::Borrowed(r.get_ref(6)?),
                list,
                idx as i64,
                seq,
                part,
                ToSqlOutput::Borrowed(r.get_ref(9)?),
                ToSqlOutput::Borrowed(r.get_ref(10)?),
            ])?;
        }
    }
    tx.execute_batch(SCHEMA_5_INDEXES)?;
    Ok(())
}

/// From schema 5 to 6 (docs/decisions.md D192), inside the caller's transaction: the batch's
/// line → serial map becomes one row per chunk (`batch_chunks`, packed as `chunks` describes);
/// every row of `batch_lines` goes into a chunk of its batch, and that table is dropped.
fn to_schema_6(tx: &rusqlite::Transaction<'_>) -> Result<(), RegistryError> {
    tx.execute_batch(
        "CREATE TABLE batch_chunks (
             batch_id   TEXT NOT NULL,
             first_line INTEGER NOT NULL,
             lines      BLOB NOT NULL,
             serials    BLOB NOT NULL,
             PRIMARY KEY (batch_id, first_line)
         );",
    )?;
    let rows = {
        let mut stmt =
            tx.prepare("SELECT batch_id, line, serial FROM batch_lines ORDER BY batch_id, line")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Vec<u8>>(2)?,
            ))
        })?;
        rows.map(|row| {
            let (batch, line, serial) = row?;
            let line =
                u64::try_from(line).map_err(|_| RegistryError::Corrupt { what: "batch line" })?;
            Ok((batch, line, serial))
        })
        .collect::<Result<Vec<_>, RegistryError>>()?
    };
    for chunk in chunks::pack_rows(&rows)? {
        insert_chunk(tx, &chunk)?;
    }
    tx.execute_batch("DROP TABLE batch_lines; PRAGMA user_version = 6;")?;
    Ok(())
}

/// Write one chunk row; its key taken already is [`RegistryError::DuplicateBatchLine`].
fn insert_chunk(tx: &rusqlite::Transaction<'_>, c: &PackedChunk) -> Result<(), RegistryError> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO batch_chunks (batch_id, first_line, lines, serials) VALUES (?1, ?2, ?3, ?4)",
    )?;
    match stmt.execute(params![c.batch_id, c.first_line, c.lines, c.serials]) {
        Err(rusqlite::Error::SqliteFailure(f, _))
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            Err(RegistryError::DuplicateBatchLine {
                batch_id: c.batch_id.clone(),
                line: c.first_line as u64,
            })
        }
        r => Ok(r.map(drop)?),
    }
}

/// The tables of schema 2 (without the surrounding transaction).
pub(super) const SCHEMA_2: &str = "
                 CREATE TABLE IF NOT EXISTS credentials (
                     serial      BLOB PRIMARY KEY,
                     doc_type    TEXT NOT NULL,
                     holder_id   TEXT,
                     issued_at   INTEGER NOT NULL,
                     expires_at  INTEGER NOT NULL,
                     holder_key  BLOB,
                     level       INTEGER NOT NULL,
                     list        INTEGER NOT NULL,
                     idx         INTEGER NOT NULL,
                     status      INTEGER NOT NULL DEFAULT 0
                 ) WITHOUT ROWID;
                 CREATE INDEX IF NOT EXISTS credentials_holder ON credentials(holder_id);
                 CREATE INDEX IF NOT EXISTS credentials_not_valid
                     ON credentials(list, idx) WHERE status <> 0;
                 CREATE TABLE IF NOT EXISTS status_lists (
                     list      INTEGER PRIMARY KEY,
                     size      INTEGER NOT NULL,
                     used      INTEGER NOT NULL,
                     perm_key  BLOB NOT NULL
                 );
                 CREATE TABLE IF NOT EXISTS audit (
                     id          INTEGER PRIMARY KEY AUTOINCREMENT,
                     serial      BLOB NOT NULL,
                     at          INTEGER NOT NULL,
                     action      TEXT NOT NULL,
                     from_status INTEGER NOT NULL,
                     to_status   INTEGER NOT NULL,
                     reason      TEXT NOT NULL
                 );
                 CREATE INDEX IF NOT EXISTS audit_serial ON audit(serial);
                 CREATE TABLE IF NOT EXISTS batch_lines (
                     batch_id TEXT NOT NULL,
                     line     INTEGER NOT NULL,
                     serial   BLOB NOT NULL,
                     PRIMARY KEY (batch_id, line)
                 ) WITHOUT ROWID;
                 PRAGMA user_version = 2;
                 ";

/// An error opening or first reading `path`: a file that is not an SQLite database is
/// [`RegistryError::Empty`] (it holds no giayto registry), anything else a database error.
fn not_a_registry(e: rusqlite::Error, path: &Path) -> RegistryError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase => {
            RegistryError::Empty {
                location: path.display().to_string(),
            }
        }
        _ => e.into(),
    }
}

impl From<rusqlite::Error> for RegistryError {
    fn from(e: rusqlite::Error) -> Self {
        match &e {
            // The slot guard of schema 5 (D166): a status slot handed out twice is a damaged
            // registry (its lists' `used` counts behind its rows), not a serial to draw again.
            rusqlite::Error::SqliteFailure(f, Some(m))
                if f.code == rusqlite::ErrorCode::ConstraintViolation
                    && m.contains("credentials.seq") =>
            {
                RegistryError::Corrupt {
                    what: "status list (a slot already handed out)",
                }
            }
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                RegistryError::DuplicateSerial
            }
            _ => RegistryError::Database(e.to_string()),
        }
    }
}

/// The registry in an SQLite database file.
#[derive(Debug)]
pub struct SqliteRegistry {
    pub(super) conn: Connection,
    /// Whether the database was migrated from schema 1 and so has `legacy_credentials`.
    pub(super) has_legacy: bool,
}

const COLUMNS: &str = "serial, doc_type, holder_id, issued_at, expires_at, holder_key, level, \
                       list, idx, status, copy_of";

/// The rows a status change of a target reaches: its documents, then their one-time copies
/// (a copy's serial stands for its document). `?1` is the serial or the holder's ID number.
const SERIAL_TARGET: &str = "serial IN (SELECT COALESCE(copy_of, serial) FROM credentials
                                         WHERE serial = ?1)
     OR copy_of IN (SELECT COALESCE(copy_of, serial) FROM credentials WHERE serial = ?1)
     ORDER BY copy_of IS NOT NULL, issued_at, serial";
fn holder_target() -> String {
    format!(
        "(holder_id = ?1 AND part IN {HOLDER_PARTS})
         OR copy_of IN (SELECT serial FROM credentials
                        WHERE holder_id = ?1 AND part IN {HOLDER_PARTS})
         ORDER BY copy_of IS NOT NULL, issued_at, serial"
    )
}

/// A row as a record. A value out of its range (a holder key that is not 32 bytes, a negative
/// index, …) is an error, never clamped or dropped: a credential re-signed from a damaged row
/// (batch recovery) must not silently lose its holder binding or point at another slot.
fn row_to_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<CredentialRecord> {
    let status: u8 = r.get(9)?;
    Ok(CredentialRecord {
        serial: r.get(0)?,
        doc_type: r.get(1)?,
        holder_id: r.get(2)?,
        issued_at: r.get(3)?,
        expires_at: r.get(4)?,
        holder_key: r.get::<_, Option<[u8; 32]>>(5)?,
        assurance_level: r.get(6)?,
        slot: StatusSlot {
            list: r.get(7)?,
            index: r.get(8)?,
        },
        status: Status::from_code(status.min(3)),
        copy_of: r.get(10)?,
    })
}

impl SqliteRegistry {
    /// Open the existing registry database at `path`. Never creates one: a missing file is
    /// [`RegistryError::Missing`], and a file that is empty (0 bytes), not an SQLite database
    /// or a database without a giayto schema is [`RegistryError::Empty`]; nothing is written
    /// to it then. A registry of schema 1 (before status lists) is migrated.
    pub fn open(path: &Path) -> Result<SqliteRegistry, RegistryError> {
        let location = || path.display().to_string();
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(RegistryError::Missing {
                    location: location(),
                })
            }
            Err(e) => return Err(RegistryError::Database(format!("{}: {e}", location()))),
            Ok(m) if m.is_file() && m.len() == 0 => {
                return Err(RegistryError::Empty {
                    location: location(),
                })
            }
            Ok(_) => {}
        }
        // Without SQLITE_OPEN_CREATE: a file removed since the check above is not re-created.
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(|e| not_a_registry(e, path))?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        // Read before anything is written: an empty or foreign database stays as it is.
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| not_a_registry(e, path))?;
        if version == 0 {
            return Err(RegistryError::Empty {
                location: location(),
            });
        }
        Self::set_up(conn)
    }

    /// Create the registry database at `path` (a new file, or an empty one that
    /// `giayto issuer init` made owner-only), or open it if it already holds a giayto
    /// registry. Only issuer initialisation calls this; every other use goes through
    /// [`SqliteRegistry::open`], which never creates.
    pub fn create(path: &Path) -> Result<SqliteRegistry, RegistryError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        Self::set_up(conn)
    }

    fn set_up(mut conn: Connection) -> Result<SqliteRegistry, RegistryError> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL: a credential is handed out only after its row is durable, even across a
        // power cut.
        conn.pragma_update(None, "synchronous", "FULL")?;
        // 64 MiB of page cache instead of SQLite's 2 MiB: serials are random, so every insert
        // lands on a random page of the key and holder indexes; with a small cache a registry
        // of a million credentials reads most of those pages back from the file.
        conn.pragma_update(None, "cache_size", -65_536)?;
        // Checkpoint every 16 MiB of WAL instead of every 4 MiB: a page written by several
        // commits between two checkpoints goes to the database file once (D166).
        conn.pragma_update(None, "wal_autocheckpoint", 4096)?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(RegistryError::SchemaVersion { found: version });
        }
        if version < SCHEMA_VERSION {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Read again under the write lock: another process may have just done this.
            let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
            match version {
                0 => {
                    tx.execute_batch(&format!("{SCHEMA_2}{TO_SCHEMA_3}{TO_SCHEMA_4}"))?;
                    to_schema_5(&tx)?;
                }
                // Schema 1 (before status lists): its credentials carry no status reference,
                // so they move to `legacy_credentials`, kept for the record and for a clear
                // answer when someone tries to change their status; the current tables start
                // empty.
                1 => {
                    tx.execute_batch(&format!(
                        "ALTER TABLE credentials RENAME TO legacy_credentials;
                         DROP INDEX IF EXISTS credentials_holder;
                         CREATE INDEX legacy_credentials_holder ON legacy_credentials(holder_id);
                         {SCHEMA_2}{TO_SCHEMA_3}{TO_SCHEMA_4}"
                    ))?;
                    to_schema_5(&tx)?;
                }
                // Schema 2 (before one-time copies and holds): every row is a document; the
                // holds table is added.
                2 => {
                    tx.execute_batch(&format!("{TO_SCHEMA_3}{TO_SCHEMA_4}"))?;
                    to_schema_5(&tx)?;
                }
                // Schema 3 (before holds): the holds table is added.
                3 => {
                    tx.execute_batch(TO_SCHEMA_4)?;
                    to_schema_5(&tx)?;
                }
                // Schema 4: the credentials' new layout (D166).
                4 => to_schema_5(&tx)?,
                _ => {}
            }
            // Schema 5 (and every older one, now at 5): the batch chunks (D192).
            if version < 6 {
                to_schema_6(&tx)?;
            }
            // Schema 7 reorders PostgreSQL's columns (D197); SQLite's records have no
            // alignment padding to take out, so its tables stay as they are: only the number.
            tx.execute_batch("PRAGMA user_version = 7;")?;
            tx.commit()?;
        }
        let has_legacy = conn
            .query_row(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'legacy_credentials'",
                [],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        Ok(SqliteRegistry { conn, has_legacy })
    }

    fn select(
        &self,
        filter: &str,
        param: &dyn rusqlite::ToSql,
    ) -> Result<Vec<CredentialRecord>, RegistryError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM credentials WHERE {filter}"))?;
        let rows = stmt.query_map([param], row_to_record)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

/// The status a stored hold returns its credential to: valid or suspended, nothing else.
fn after_release_status(code: i64) -> Result<Status, RegistryError> {
    match code {
        0 => Ok(Status::Valid),
        2 => Ok(Status::Suspended),
        _ => Err(RegistryError::Corrupt {
            what: "hold (status after release)",
        }),
    }
}

/// The holds in force among `records`: (serial, status a release returns it to).
fn holds_of(
    tx: &rusqlite::Transaction<'_>,
    records: &[CredentialRecord],
) -> Result<Vec<(Vec<u8>, Status)>, RegistryError> {
    let mut stmt = tx.prepare_cached("SELECT after_release FROM holds WHERE serial = ?1")?;
    let mut out = Vec::new();
    for r in records.iter().filter(|r| r.status == Status::Held) {
        if let Some(code) = stmt
            .query_row([&r.serial], |row| row.get::<_, i64>(0))
            .optional()?
        {
            out.push((r.serial.clone(), after_release_status(code)?));
        }
    }
    Ok(out)
}

/// Write a planned change: each credential's status, its hold row (made by a hold, updated
/// while held, removed when the hold ends) and its audit line.
fn write_changes(
    tx: &rusqlite::Transaction<'_>,
    report: &ChangeReport,
    action: Action,
    reason: &str,
    at: i64,
    until: Option<i64>,
) -> Result<(), RegistryError> {
    let mut update = tx.prepare_cached("UPDATE credentials SET status = ?2 WHERE serial = ?1")?;
    let mut audit = tx.prepare_cached(
        "INSERT INTO audit (serial, at, action, from_status, to_status, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut new_hold = tx.prepare_cached(
        "INSERT INTO holds (serial, held_at, until, after_release) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut under_hold =
        tx.prepare_cached("UPDATE holds SET after_release = ?2 WHERE serial = ?1")?;
    let mut end_hold = tx.prepare_cached("DELETE FROM holds WHERE serial = ?1")?;
    // One-time copies change with their documents (D111), each with its own hold row.
    for c in report.changed.iter().chain(&report.copies) {
        update.execute(params![c.serial, c.to.code()])?;
        match (c.from, c.after_release) {
            (Status::Held, Some(under)) => {
                under_hold.execute(params![c.serial, under.code()])?;
            }
            (_, Some(under)) => {
                new_hold.execute(params![c.serial, at, until, under.code()])?;
            }
            (Status::Held, None) => {
                end_hold.execute([&c.serial])?;
            }
            _ => {}
        }
        audit.execute(params![
            c.serial,
            at,
            action.as_str(),
            c.from.code(),
            c.to.code(),
            reason
        ])?;
    }
    Ok(())
}

impl SqliteRegistry {
    /// A status change with, for a hold, its end: one transaction.
    fn change(
        &mut self,
        target: &Target,
        action: Action,
        reason: &str,
        at: i64,
        until: Option<i64>,
    ) -> Result<ChangeReport, RegistryError> {
        check_reason(reason)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let holder: String;
        let (filter, legacy_filter, param): (&str, &str, &dyn rusqlite::ToSql) = match target {
            Target::Serial(s) => (SERIAL_TARGET, "serial = ?1", s),
            Target::Holder(h) => (
                {
                    holder = holder_target();
                    &holder
                },
                "holder_id = ?1 ORDER BY issued_at, serial",
                h,
            ),
        };
        let records = {
            let mut stmt =
                tx.prepare_cached(&format!("SELECT {COLUMNS} FROM credentials WHERE {filter}"))?;
            let rows = stmt.query_map([param], row_to_record)?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        let legacy = if self.has_legacy {
            let mut stmt = tx.prepare_cached(&format!(
                "SELECT serial FROM legacy_credentials WHERE {legacy_filter}"
            ))?;
            let rows = stmt.query_map([param], |r| r.get::<_, Vec<u8>>(0))?;
            rows.collect::<Result<Vec<_>, _>>()?
        } else {
            Vec::new()
        };
        let holds = holds_of(&tx, &records)?;
        let report = plan_change(target, records, legacy, &holds, action)?;
        write_changes(&tx, &report, action, reason, at, until)?;
        tx.commit()?;
        Ok(report)
    }
}

impl RegistryBackend for SqliteRegistry {
    fn record(
        &mut self,
        rows: &[NewCredential],
        list_size: u64,
    ) -> Result<Vec<StatusSlot>, RegistryError> {
        check_list_size(list_size)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let open = tx
            .query_row(
                "SELECT list, size, used, perm_key FROM status_lists ORDER BY list DESC LIMIT 1",
                [],
                |r| {
                    let key: Vec<u8> = r.get(3)?;
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                        key,
                    ))
                },
            )
            .optional()?
            .map(|(l, s, u, k)| {
                let key: [u8; 32] = k
                    .try_into()
                    .map_err(|_| RegistryError::Corrupt { what: "list key" })?;
                // A damaged row (a negative or oversized number) is an error, never a wrapped value.
                let corrupt = |_| RegistryError::Corrupt {
                    what: "status list row",
                };
                Ok::<_, RegistryError>((
                    u32::try_from(l).map_err(corrupt)?,
                    u64::try_from(s).map_err(corrupt)?,
                    u64::try_from(u).map_err(corrupt)?,
                    key,
                ))
            })
            .transpose()?;
        // A copy's document: recorded before as a valid document, or earlier in this call.
        for (i, row) in rows.iter().enumerate() {
            let Some(document) = &row.copy_of else {
                continue;
            };
            if rows[..i]
                .iter()
                .any(|r| r.copy_of.is_none() && &r.serial == document)
            {
                continue;
            }
            let found = tx
                .query_row(
                    "SELECT copy_of, status FROM credentials WHERE serial = ?1",
                    [document],
                    |r| Ok((r.get::<_, Option<Vec<u8>>>(0)?, r.get::<_, u8>(1)?)),
                )
                .optional()?
                .map(|(c, st)| (c, Status::from_code(st.min(3))));
            check_document(document, found)?;
        }
        let allocation = allocate(open, rows.len(), list_size)?;
        for (list, size, used, key, is_new) in &allocation.lists {
            if *is_new {
                tx.execute(
                    "INSERT INTO status_lists (list, size, used, perm_key) VALUES (?1, ?2, ?3, ?4)",
                    params![list, *size as i64, *used as i64, key.to_vec()],
                )?;
            } else {
                tx.execute(
                    "UPDATE status_lists SET used = ?2 WHERE list = ?1",
                    params![list, *used as i64],
                )?;
            }
        }
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO credentials (serial, doc_type, holder_id, issued_at, expires_at,
                                          holder_key, level, list, idx, seq, part, copy_of)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?;
            for ((row, slot), seq) in rows.iter().zip(&allocation.slots).zip(&allocation.seqs) {
                insert.execute(params![
                    row.serial,
                    row.doc_type,
                    row.holder_id,
                    row.issued_at,
                    row.expires_at,
                    row.holder_key.map(|k| k.to_vec()),
                    row.assurance_level,
                    slot.list,
                    slot.index as i64,
                    *seq as i64,
                    part_of(slot.list, *seq),
                    row.copy_of,
                ])?;
            }
        }
        for chunk in chunks::pack_record(rows)? {
            insert_chunk(&tx, &chunk)?;
        }
        tx.commit()?;
        Ok(allocation.slots)
    }

    fn get(&mut self, serial: &[u8]) -> Result<Option<CredentialRecord>, RegistryError> {
        Ok(self.select("serial = ?1", &serial)?.pop())
    }

    fn count(&mut self) -> Result<u64, RegistryError> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM credentials", [], |r| {
                r.get::<_, i64>(0)
            })?
            .max(0) as u64)
    }

    fn copies(&mut self, document: &[u8]) -> Result<Vec<CredentialRecord>, RegistryError> {
        self.select("copy_of = ?1 ORDER BY issued_at, serial", &document)
    }

    fn by_holder(&mut self, holder_id: &str) -> Result<Vec<CredentialRecord>, RegistryError> {
        self.select(
            &format!(
                "holder_id = ?1 AND part IN {HOLDER_PARTS} AND copy_of IS NULL
                 ORDER BY issued_at, serial"
            ),
            &holder_id,
        )
    }

    fn change_status(
        &mut self,
        target: &Target,
        action: Action,
        reason: &str,
        at: i64,
    ) -> Result<ChangeReport, RegistryError> {
        self.change(target, action, reason, at, None)
    }

    fn hold(
        &mut self,
        target: &Target,
        reason: &str,
        at: i64,
        until: Option<i64>,
    ) -> Result<ChangeReport, RegistryError> {
        check_until(until, at)?;
        self.change(target, Action::Hold, reason, at, until)
    }

    fn release_due(&mut self, now: i64) -> Result<ChangeReport, RegistryError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let records = {
            let mut stmt = tx.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM credentials WHERE serial IN
                 (SELECT serial FROM holds WHERE until IS NOT NULL AND until <= ?1)
                 ORDER BY serial"
            ))?;
            let rows = stmt.query_map([now], row_to_record)?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        if records.is_empty() {
            return Ok(ChangeReport::default());
        }
        let holds = holds_of(&tx, &records)?;
        let target = Target::Serial(Vec::new());
        let report = plan_change(&target, records, Vec::new(), &holds, Action::Release)?;
        write_changes(&tx, &report, Action::Release, HOLD_ENDED_REASON, now, None)?;
        tx.commit()?;
        Ok(report)
    }

    fn holds(&mut self) -> Result<Vec<HoldRecord>, RegistryError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT serial, held_at, until, after_release FROM holds ORDER BY held_at, serial",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        rows.map(|row| {
            let (serial, held_at, until, under) = row?;
            Ok(HoldRecord {
                serial,
                held_at,
                until,
                after_release: after_release_status(under)?,
            })
        })
        .collect()
    }

    fn lists(&mut self) -> Result<Vec<ListInfo>, RegistryError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT list, size, used FROM status_lists ORDER BY list")?;
        let rows = stmt.query_map([], |r| {
            Ok(ListInfo {
                list: r.get(0)?,
                size: r.get(1)?,
                used: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn not_valid(&mut self, list: u32) -> Result<Vec<(u64, Status)>, RegistryError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT idx, status FROM credentials WHERE list = ?1 AND status <> 0 ORDER BY idx",
        )?;
        let rows = stmt.query_map([list], |r| {
            Ok((
                r.get::<_, u64>(0)?,
                Status::from_code(r.get::<_, u8>(1)?.min(3)),
            ))
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn audit(&mut self, serial: &[u8]) -> Result<Vec<AuditEntry>, RegistryError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT serial, at, action, from_status, to_status, reason FROM audit
             WHERE serial = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([serial], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        rows.map(|row| {
            let (serial, at, action, from, to, reason) = row?;
            Ok(AuditEntry {
                serial,
                at,
                action: action_from_str(&action).ok_or(RegistryError::Corrupt {
                    what: "audit action",
                })?,
                from: Status::from_code(from.clamp(0, 3) as u8),
                to: Status::from_code(to.clamp(0, 3) as u8),
                reason,
            })
        })
        .collect()
    }

    fn batch_lines(
        &mut self,
        batch_id: &str,
    ) -> Result<Vec<(u64, CredentialRecord)>, RegistryError> {
        let stored = {
            let mut stmt = self.conn.prepare_cached(
                "SELECT first_line, lines, serials FROM batch_chunks WHERE batch_id = ?1",
            )?;
            let rows = stmt.query_map([batch_id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                ))
            })?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        let mut get = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM credentials WHERE serial = ?1"
        ))?;
        let mut out = Vec::new();
        for (first_line, lines, serials) in stored {
            for (line, serial) in chunks::unpack(first_line, &lines, &serials)? {
                // A withdrawn credential's row is gone: its line is not recorded.
                if let Some(record) = get.query_row([&serial], row_to_record).optional()? {
                    out.push((line, record));
                }
            }
        }
        out.sort_by_key(|(line, _)| *line);
        Ok(out)
    }

    fn withdraw(&mut self, serial: &[u8]) -> Result<bool, RegistryError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let removed = tx.execute(
            &format!("DELETE FROM credentials WHERE serial = ?1 AND {WITHDRAWABLE}"),
            [serial],
        )?;
        if removed > 0 {
            // Its batch line goes too (D192): the chunks that may hold its serial, found by
            // their bytes, then read exactly.
            let candidates = {
                let mut stmt = tx.prepare_cached(
                    "SELECT batch_id, first_line, lines, serials FROM batch_chunks
                     WHERE instr(serials, ?1) > 0",
                )?;
                let rows = stmt.query_map([serial], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, Vec<u8>>(2)?,
                        r.get::<_, Vec<u8>>(3)?,
                    ))
                })?;
                rows.collect::<Result<Vec<_>, _>>()?
            };
            for (batch_id, first_line, lines, serials) in &candidates {
                let Some(rest) =
                    chunks::without_serial(batch_id, *first_line, lines, serials, serial)?
                else {
                    continue;
                };
                tx.execute(
                    "DELETE FROM batch_chunks WHERE batch_id = ?1 AND first_line = ?2",
                    params![batch_id, first_line],
                )?;
                if let Some(rest) = rest {
                    insert_chunk(&tx, &rest)?;
                }
                break;
            }
            tx.execute(
                &format!("DELETE FROM credentials WHERE copy_of = ?1 AND {WITHDRAWABLE}"),
                [serial],
            )?;
        }
        tx.commit()?;
        Ok(removed > 0)
    }

    fn changes_after(
        &mut self,
        list: u32,
        after: i64,
    ) -> Result<Vec<(u64, Status)>, RegistryError> {
        let mut stmt = self.conn.prepare_cached(CHANGES_AFTER)?;
        let rows = stmt.query_map(params![list, after], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        })?;
        rows.map(|row| {
            let (index, from) = row?;
            Ok((
                u64::try_from(index).map_err(|_| RegistryError::Corrupt {
                    what: "status index",
                })?,
                Status::from_code(from.clamp(0, 3) as u8),
            ))
        })
        .collect()
    }
}

#[cfg(test)]
mod tests;
