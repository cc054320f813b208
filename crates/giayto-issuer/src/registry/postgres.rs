//! The PostgreSQL backend, for a national deployment where many issuing offices write at once.
//!
//! Same tables as the SQLite backend, in a schema of their own. Slot allocation takes a
//! transaction-scoped advisory lock inside the recording transaction, then reads the open
//! list, so concurrent offices never hand out the same index, and a failed transaction hands
//! out none. The transactions that read and then write (recording, status changes) are read
//! committed whatever the server's default, so that the read after the lock sees every
//! allocation committed before it (docs/decisions.md D127). Rows go in with one binary
//! `COPY … FROM STDIN` per call (D193): one round trip for a whole batch; the call's batch lines
//! as one packed chunk row (D192).
//!
//! Over 600 lines on purpose: the same layout as the SQLite backend (schema, migrations, every
//! transaction of the contract), plus its own concurrency test, read best side by side.

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::Type;
use postgres::{Client, IsolationLevel, NoTls, Transaction};

use super::chunks::{self, PackedChunk};
use super::{
    action_from_str, allocate, check_document, check_list_size, check_reason, check_until,
    ordinals, part_of, plan_change, Action, AuditEntry, ChangeReport, CredentialRecord, HoldRecord,
    ListInfo, NewCredential, RegistryBackend, RegistryError, Status, StatusSlot, Target,
    CHANGES_AFTER, HOLDER_PARTS, HOLD_ENDED_REASON, WITHDRAWABLE,
};

pub(super) const SCHEMA_VERSION: i64 = 7;

/// From schema 2 to 3: one-time copies (docs/decisions.md D111) are rows linked to their
/// document's row by `copy_of`; every row of schema 2 is a document.
const TO_SCHEMA_3: &str = "
         ALTER TABLE credentials ADD COLUMN copy_of BYTEA;
         CREATE INDEX credentials_copy_of ON credentials(copy_of) WHERE copy_of IS NOT NULL;
         UPDATE giayto_meta SET value = 3 WHERE key = 'schema_version';";

/// From schema 3 to 4: the holds in force (docs/format.md §9.3), one row per held credential
/// (a held document's one-time copies each have theirs).
const TO_SCHEMA_4: &str = "CREATE TABLE IF NOT EXISTS holds (
             serial        BYTEA PRIMARY KEY,
             held_at       BIGINT NOT NULL,
             until         BIGINT,
             after_release SMALLINT NOT NULL
         );
         UPDATE giayto_meta SET value = 4 WHERE key = 'schema_version';";

/// From schema 4 to 5 (docs/decisions.md D166), inside the caller's transaction: each row's
/// ordinal in its list (`seq`, unique per list: a status slot is never handed out twice) and its
/// holder-index partition (`part`), computed from its list's permutation; the holder index
/// becomes `(part, holder_id)`, so that a batch writes into its newest partition only. (The
/// table is a heap already, appended to; the serial's time prefix, D165, makes its primary key
/// grow at its end.)
fn to_schema_5(tx: &mut Transaction<'_>) -> Result<(), RegistryError> {
    let lists = tx
        .query("SELECT list, size, used, perm_key FROM status_lists", &[])?
        .iter()
        .map(|r| {
            let key: Vec<u8> = r.try_get(3)?;
            let corrupt = |_| RegistryError::Corrupt {
                what: "status list row",
            };
            Ok((
                u32::try_from(r.try_get::<_, i32>(0)?).map_err(corrupt)?,
                u64::try_from(r.try_get::<_, i64>(1)?).map_err(corrupt)?,
                u64::try_from(r.try_get::<_, i64>(2)?).map_err(corrupt)?,
                key.try_into()
                    .map_err(|_| RegistryError::Corrupt { what: "list key" })?,
            ))
        })
        .collect::<Result<Vec<_>, RegistryError>>()?;
    let seq_of = ordinals(&lists)?;
    tx.batch_execute("ALTER TABLE credentials ADD COLUMN seq BIGINT, ADD COLUMN part BIGINT")?;
    let (mut l, mut i, mut q, mut p) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (&(list, idx), &seq) in &seq_of {
        l.push(list as i32);
        i.push(idx as i64);
        q.push(seq as i64);
        p.push(part_of(list, seq));
    }
    tx.execute(
        "UPDATE credentials c SET seq = u.seq, part = u.part
         FROM UNNEST($1::integer[], $2::bigint[], $3::bigint[], $4::bigint[])
             AS u(list, idx, seq, part)
         WHERE c.list = u.list AND c.idx = u.idx",
        &[&l, &i, &q, &p],
    )?;
    // A row whose index its list's permutation never handed out: as `migrated_slot` (mod.rs).
    tx.execute(
        "UPDATE credentials c SET seq = s.size + c.idx, part = CAST(c.list AS BIGINT) * 16384
         FROM status_lists s WHERE c.seq IS NULL AND s.list = c.list",
        &[],
    )?;
    if tx
        .query_opt("SELECT 1 FROM credentials WHERE seq IS NULL LIMIT 1", &[])?
        .is_some()
    {
        return Err(RegistryError::Corrupt {
            what: "status slot (a list that does not exist)",
        });
    }
    tx.batch_execute(
        "ALTER TABLE credentials ALTER COLUMN seq SET NOT NULL, ALTER COLUMN part SET NOT NULL;
         CREATE UNIQUE INDEX credentials_slot ON credentials(list, seq);
         DROP INDEX credentials_holder;
         CREATE INDEX credentials_holder ON credentials(part, holder_id)
             WHERE holder_id IS NOT NULL;
         UPDATE giayto_meta SET value = 5 WHERE key = 'schema_version';",
    )?;
    Ok(())
}

/// Schema 6's table of batch chunks (docs/decisions.md D192).
const BATCH_CHUNKS: &str = "CREATE TABLE batch_chunks (
             batch_id   TEXT NOT NULL,
             first_line BIGINT NOT NULL,
             lines      BYTEA NOT NULL,
             serials    BYTEA NOT NULL,
             PRIMARY KEY (batch_id, first_line)
         );";

/// From schema 5 to 6 (docs/decisions.md D192), inside the caller's transaction: the batch's
/// line → serial map becomes one row per chunk (`batch_chunks`, packed as `chunks` describes);
/// every row of `batch_lines` goes into a chunk of its batch, and that table is dropped.
fn to_schema_6(tx: &mut Transaction<'_>) -> Result<(), RegistryError> {
    tx.batch_execute(BATCH_CHUNKS)?;
    let rows = tx
        .query(
            "SELECT batch_id, line, serial FROM batch_lines ORDER BY batch_id, line",
            &[],
        )?
        .iter()
        .map(|r| {
            Ok((
                r.try_get::<_, String>(0)?,
                non_negative(r.try_get::<_, i64>(1)?, "batch line")?,
                r.try_get::<_, Vec<u8>>(2)?,
            ))
        })
        .collect::<Result<Vec<_>, RegistryError>>()?;
    for chunk in chunks::pack_rows(&rows)? {
        insert_chunk(tx, &chunk)?;
    }
    tx.batch_execute(
        "DROP TABLE batch_lines;
         UPDATE giayto_meta SET value = 6 WHERE key = 'schema_version';",
    )?;
    Ok(())
}

/// Schema 7's `credentials` (docs/decisions.md D197): the same columns and constraints as
/// schema 6, ordered by alignment — the 8-byte integers first, then the 4- and 2-byte ones, then
/// the variable-length ones — so that a row carries no padding between them (schema 6 had the
/// integers after the serial and the text columns, and `seq`, `part` at the end, added by
/// schema 5: 8 bytes of padding per row); and a slot's index and ordinal as 4-byte integers
/// (a list has at most 2^27 entries, `giayto_status::MAX_ENTRIES`, and an ordinal is below twice
/// its list's size, D166), which makes the row and the slot guard's entries 8 bytes shorter
/// each. `{table}` is the table's name.
fn credentials_7(table: &str) -> String {
    format!(
        "CREATE TABLE {table} (
             issued_at   BIGINT NOT NULL,
             expires_at  BIGINT NOT NULL,
             part        BIGINT NOT NULL,
             list        INTEGER NOT NULL,
             idx         INTEGER NOT NULL,
             seq         INTEGER NOT NULL,
             level       SMALLINT NOT NULL,
             status      SMALLINT NOT NULL DEFAULT 0,
             serial      BYTEA NOT NULL,
             doc_type    TEXT NOT NULL,
             holder_id   TEXT,
             holder_key  BYTEA,
             copy_of     BYTEA
         );"
    )
}

/// Schema 7's indexes of `credentials`, with the names and definitions of schema 6. The slot
/// guard only grows at its right end (a list's ordinals, D166), so its pages are filled to the
/// last byte (`fillfactor = 100`, D198) instead of PostgreSQL's 90 % for B-trees: the split of
/// the rightmost page leaves the full page behind, and nothing is inserted into it later. The
/// serial key (whose keys within one second arrive in random order, D165) and the holder index
/// keep the default.
const CREDENTIALS_7_INDEXES: &str = "
         ALTER TABLE credentials ADD CONSTRAINT credentials_pkey PRIMARY KEY (serial);
         CREATE UNIQUE INDEX credentials_slot ON credentials(list, seq) WITH (fillfactor = 100);
         CREATE INDEX credentials_holder ON credentials(part, holder_id)
             WHERE holder_id IS NOT NULL;
         CREATE INDEX credentials_not_valid ON credentials(list, idx) WHERE status <> 0;
         CREATE INDEX credentials_copy_of ON credentials(copy_of) WHERE copy_of IS NOT NULL;";

/// Every column of `credentials`, in schema 7's order: what the migration copies.
const CREDENTIALS_7_COLUMNS: &str = "issued_at, expires_at, part, list, idx, seq, level, status, \
                                     serial, doc_type, holder_id, holder_key, copy_of";

/// From schema 6 to 7 (docs/decisions.md D197, D198), inside the caller's transaction: the table
/// is rewritten in the new column order, its rows copied in their physical order (the order they
/// were appended in, issue order), the old table dropped, and the indexes made again with the
/// same names and definitions. An index or ordinal out of the 4-byte range (none can be) fails
/// the cast, and with it the migration, which then changes nothing.
fn to_schema_7(tx: &mut Transaction<'_>) -> Result<(), RegistryError> {
    tx.batch_execute(&format!(
        "{create}
         INSERT INTO credentials_7 ({CREDENTIALS_7_COLUMNS})
             SELECT {CREDENTIALS_7_COLUMNS} FROM credentials ORDER BY ctid;
         DROP TABLE credentials;
         ALTER TABLE credentials_7 RENAME TO credentials;
         {CREDENTIALS_7_INDEXES}
         UPDATE giayto_meta SET value = 7 WHERE key = 'schema_version';",
        create = credentials_7("credentials_7")
    ))?;
    Ok(())
}

/// A new registry, made directly in schema 7's layout: the tables schema 2 made and the
/// migrations to 6 added, with `credentials` as [`credentials_7`] has it. (A test holds the
/// tables and indexes made here to those of a registry migrated from schema 2.)
fn create_schema_7(tx: &mut Transaction<'_>) -> Result<(), RegistryError> {
    tx.batch_execute(&format!(
        "{credentials}
         {CREDENTIALS_7_INDEXES}
         CREATE TABLE status_lists (
             list      INTEGER PRIMARY KEY,
             size      BIGINT NOT NULL,
             used      BIGINT NOT NULL,
             perm_key  BYTEA NOT NULL
         );
         CREATE TABLE audit (
             id          BIGSERIAL PRIMARY KEY,
             serial      BYTEA NOT NULL,
             at          BIGINT NOT NULL,
             action      TEXT NOT NULL,
             from_status SMALLINT NOT NULL,
             to_status   SMALLINT NOT NULL,
             reason      TEXT NOT NULL
         );
         CREATE INDEX audit_serial ON audit(serial);
         CREATE TABLE holds (
             serial        BYTEA PRIMARY KEY,
             held_at       BIGINT NOT NULL,
             until         BIGINT,
             after_release SMALLINT NOT NULL
         );
         {BATCH_CHUNKS}
         INSERT INTO giayto_meta (key, value) VALUES ('schema_version', 7);",
        credentials = credentials_7("credentials")
    ))?;
    Ok(())
}

/// Write one chunk row; its key taken already is [`RegistryError::DuplicateBatchLine`].
fn insert_chunk(tx: &mut Transaction<'_>, c: &PackedChunk) -> Result<(), RegistryError> {
    let r = tx.execute(
        "INSERT INTO batch_chunks (batch_id, first_line, lines, serials) VALUES ($1, $2, $3, $4)",
        &[&c.batch_id, &c.first_line, &c.lines, &c.serials],
    );
    match r {
        Err(e) if e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION) => {
            Err(RegistryError::DuplicateBatchLine {
                batch_id: c.batch_id.clone(),
                line: c.first_line as u64,
            })
        }
        r => Ok(r.map(drop)?),
    }
}

impl From<postgres::Error> for RegistryError {
    fn from(e: postgres::Error) -> Self {
        if e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION) {
            // The slot guard of schema 5 (D166): a damaged registry, not a serial to redraw.
            if e.as_db_error().and_then(|d| d.constraint()) == Some("credentials_slot") {
                return RegistryError::Corrupt {
                    what: "status list (a slot already handed out)",
                };
            }
            return RegistryError::DuplicateSerial;
        }
        // The server's own words and SQLSTATE, not the driver's bare "db error".
        RegistryError::Database(match e.as_db_error() {
            Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
            None => e.to_string(),
        })
    }
}

/// A transaction that reads and then writes: read committed, whatever the server's or the
/// role's default. Under repeatable read or serializable the snapshot would be taken at the
/// first statement, before the allocation lock is granted, and an office would then read a
/// list's `used` count without the allocations committed while it waited (regression test:
/// `tests/pg_offices.rs`).
fn write_transaction(client: &mut Client) -> Result<Transaction<'_>, RegistryError> {
    Ok(client
        .build_transaction()
        .isolation_level(IsolationLevel::ReadCommitted)
        .start()?)
}

/// The registry in a PostgreSQL database.
pub struct PostgresRegistry {
    client: Client,
}

impl std::fmt::Debug for PostgresRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresRegistry").finish_non_exhaustive()
    }
}

const COLUMNS: &str = "serial, doc_type, holder_id, issued_at, expires_at, holder_key, level, \
                       list, idx, status, copy_of";

/// The documents a status change of a target reaches (a copy's serial stands for its document),
/// and with them their one-time copies. `$1` is the serial or the holder's ID number.
///
/// The targets are one `serial IN (… UNION ALL …)`, not `… OR copy_of IN (…)`: PostgreSQL plans
/// that OR as a scan of the whole table (226 ms at a million rows, against 0.25 ms by the
/// indexes), where SQLite takes each side of it by its own index (its backend keeps the OR).
/// A test holds the plans to the indexes.
const SERIAL_DOCUMENTS: &str =
    "serial IN (SELECT COALESCE(copy_of, serial) FROM credentials WHERE serial = $1)";
const SERIAL_TARGET: &str = "serial IN (
         SELECT COALESCE(copy_of, serial) FROM credentials WHERE serial = $1
         UNION ALL
         SELECT serial FROM credentials
          WHERE copy_of IN (SELECT COALESCE(copy_of, serial) FROM credentials WHERE serial = $1))";
fn holder_documents() -> String {
    format!("holder_id = $1 AND part IN {HOLDER_PARTS} AND copy_of IS NULL")
}
fn holder_target() -> String {
    format!(
        "serial IN (
             SELECT serial FROM credentials WHERE holder_id = $1 AND part IN {HOLDER_PARTS}
             UNION ALL
             SELECT serial FROM credentials
              WHERE copy_of IN (SELECT serial FROM credentials
                                 WHERE holder_id = $1 AND part IN {HOLDER_PARTS}))"
    )
}

/// A row as a record; a value out of its range is [`RegistryError::Corrupt`], never clamped or
/// dropped (as in the SQLite backend).
fn row_to_record(r: &postgres::Row) -> Result<CredentialRecord, RegistryError> {
    let key: Option<Vec<u8>> = r.try_get(5)?;
    let level: i16 = r.try_get(6)?;
    let list: i32 = r.try_get(7)?;
    let index: i32 = r.try_get(8)?;
    let status: i16 = r.try_get(9)?;
    Ok(CredentialRecord {
        serial: r.try_get(0)?,
        doc_type: r.try_get(1)?,
        holder_id: r.try_get(2)?,
        issued_at: r.try_get(3)?,
        expires_at: r.try_get(4)?,
        holder_key: key
            .map(<[u8; 32]>::try_from)
            .transpose()
            .map_err(|_| RegistryError::Corrupt { what: "holder key" })?,
        assurance_level: non_negative(level, "assurance level")?,
        slot: StatusSlot {
            list: non_negative(list, "list number")?,
            index: non_negative(index, "status index")?,
        },
        status: Status::from_code(non_negative::<u8>(status, "status")?.min(3)),
        copy_of: r.try_get(10)?,
    })
}

/// A stored integer as the unsigned type it stands for; out of range is
/// [`RegistryError::Corrupt`].
fn non_negative<T: TryFrom<i64>>(
    v: impl Into<i64>,
    what: &'static str,
) -> Result<T, RegistryError> {
    T::try_from(v.into()).map_err(|_| RegistryError::Corrupt { what })
}

fn valid_schema_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit()
}

impl PostgresRegistry {
    /// Connect to `url` (a libpq-style `postgres://` or `host=… user=…` string) and use the
    /// registry tables in `schema` (lower-case letters, digits and `_`). Never creates them:
    /// a schema without giayto's tables is [`RegistryError::Missing`], one whose version row
    /// is gone [`RegistryError::Empty`]. Only issuer initialisation creates the tables
    /// ([`PostgresRegistry::create`]).
    pub fn connect(url: &str, schema: &str) -> Result<PostgresRegistry, RegistryError> {
        Self::connect_with(url, schema, false)
    }

    /// Connect as [`PostgresRegistry::connect`] does, creating the schema and its tables if
    /// they do not exist yet: what `giayto issuer init` does, and nothing else.
    pub fn create(url: &str, schema: &str) -> Result<PostgresRegistry, RegistryError> {
        Self::connect_with(url, schema, true)
    }

    fn connect_with(
        url: &str,
        schema: &str,
        create: bool,
    ) -> Result<PostgresRegistry, RegistryError> {
        if !valid_schema_name(schema) {
            return Err(RegistryError::Database(format!(
                "invalid schema name {schema:?}"
            )));
        }
        let location = || format!("PostgreSQL schema {schema}");
        let mut client = Client::connect(url, NoTls)?;
        if create {
            client.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))?;
        } else {
            let table = format!("{schema}.giayto_meta");
            let exists: bool = client
                .query_one("SELECT to_regclass($1::text) IS NOT NULL", &[&table])?
                .try_get(0)?;
            if !exists {
                return Err(RegistryError::Missing {
                    location: location(),
                });
            }
        }
        client.batch_execute(&format!("SET search_path TO {schema}"))?;
        let mut tx = client.transaction()?;
        if create {
            tx.batch_execute(
                "CREATE TABLE IF NOT EXISTS giayto_meta \
                 (key TEXT PRIMARY KEY, value BIGINT NOT NULL)",
            )?;
        }
        tx.execute("SELECT pg_advisory_xact_lock(7004410)", &[])?;
        let version: Option<i64> = tx
            .query_opt(
                "SELECT value FROM giayto_meta WHERE key = 'schema_version'",
                &[],
            )?
            .map(|r| r.try_get(0))
            .transpose()?;
        match version {
            Some(v) if v > SCHEMA_VERSION => return Err(RegistryError::SchemaVersion { found: v }),
            // Schema 2 (before one-time copies and holds): every row is a document; the holds
            // table is added. Migrated in this transaction, under the lock: another office
            // opening it at once waits, then finds 4.
            Some(2) => {
                tx.batch_execute(&format!("{TO_SCHEMA_3}{TO_SCHEMA_4}"))?;
                to_schema_5(&mut tx)?;
                to_schema_6(&mut tx)?;
                to_schema_7(&mut tx)?;
            }
            // Schema 3 (before holds): the holds table is added.
            Some(3) => {
                tx.batch_execute(TO_SCHEMA_4)?;
                to_schema_5(&mut tx)?;
                to_schema_6(&mut tx)?;
                to_schema_7(&mut tx)?;
            }
            // Schema 4: each row's ordinal and partition (D166).
            Some(4) => {
                to_schema_5(&mut tx)?;
                to_schema_6(&mut tx)?;
                to_schema_7(&mut tx)?;
            }
            // Schema 5: the batch chunks (D192).
            Some(5) => {
                to_schema_6(&mut tx)?;
                to_schema_7(&mut tx)?;
            }
            // Schema 6: the table in its new column order (D197).
            Some(6) => to_schema_7(&mut tx)?,
            Some(v) if v < SCHEMA_VERSION => {
                return Err(RegistryError::Corrupt {
                    what: "schema version (a development version older than this program)",
                })
            }
            Some(_) => {}
            None if create => create_schema_7(&mut tx)?,
            None => {
                return Err(RegistryError::Empty {
                    location: location(),
                })
            }
        }
        tx.commit()?;
        Ok(PostgresRegistry { client })
    }

    fn select(
        &mut self,
        filter: &str,
        param: &(dyn postgres::types::ToSql + Sync),
    ) -> Result<Vec<CredentialRecord>, RegistryError> {
        let rows = self.client.query(
            &format!("SELECT {COLUMNS} FROM credentials WHERE {filter}"),
            &[param],
        )?;
        rows.iter().map(row_to_record).collect()
    }
}

/// The tables of schema 2, as the releases before one-time copies made them: what the
/// migration tests start from. [`TO_SCHEMA_3`] and [`TO_SCHEMA_4`] follow.
#[cfg(test)]
fn create_schema(tx: &mut Transaction<'_>) -> Result<(), RegistryError> {
    tx.batch_execute(
        "CREATE TABLE credentials (
             serial      BYTEA PRIMARY KEY,
             doc_type    TEXT NOT NULL,
             holder_id   TEXT,
             issued_at   BIGINT NOT NULL,
             expires_at  BIGINT NOT NULL,
             holder_key  BYTEA,
             level       SMALLINT NOT NULL,
             list        INTEGER NOT NULL,
             idx         BIGINT NOT NULL,
             status      SMALLINT NOT NULL DEFAULT 0
         );
         CREATE INDEX credentials_holder ON credentials(holder_id);
         CREATE INDEX credentials_not_valid ON credentials(list, idx) WHERE status <> 0;
         CREATE TABLE status_lists (
             list      INTEGER PRIMARY KEY,
             size      BIGINT NOT NULL,
             used      BIGINT NOT NULL,
             perm_key  BYTEA NOT NULL
         );
         CREATE TABLE audit (
             id          BIGSERIAL PRIMARY KEY,
             serial      BYTEA NOT NULL,
             at          BIGINT NOT NULL,
             action      TEXT NOT NULL,
             from_status SMALLINT NOT NULL,
             to_status   SMALLINT NOT NULL,
             reason      TEXT NOT NULL
         );
         CREATE INDEX audit_serial ON audit(serial);
         CREATE TABLE batch_lines (
             batch_id TEXT NOT NULL,
             line     BIGINT NOT NULL,
             serial   BYTEA NOT NULL,
             PRIMARY KEY (batch_id, line)
         );
         INSERT INTO giayto_meta (key, value) VALUES ('schema_version', 2);",
    )?;
    Ok(())
}

/// The status a stored hold returns its credential to: valid or suspended, nothing else.
fn after_release_status(code: i16) -> Result<Status, RegistryError> {
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
    tx: &mut Transaction<'_>,
    records: &[CredentialRecord],
) -> Result<Vec<(Vec<u8>, Status)>, RegistryError> {
    let held: Vec<&[u8]> = records
        .iter()
        .filter(|r| r.status == Status::Held)
        .map(|r| r.serial.as_slice())
        .collect();
    if held.is_empty() {
        return Ok(Vec::new());
    }
    let rows = tx.query(
        "SELECT serial, after_release FROM holds WHERE serial = ANY($1) FOR UPDATE",
        &[&held],
    )?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, after_release_status(r.try_get(1)?)?)))
        .collect()
}

/// Write a planned change: each credential's status, its hold row (made by a hold, updated
/// while held, removed when the hold ends) and its audit line.
fn write_changes(
    tx: &mut Transaction<'_>,
    report: &ChangeReport,
    action: Action,
    reason: &str,
    at: i64,
    until: Option<i64>,
) -> Result<(), RegistryError> {
    let update = tx.prepare("UPDATE credentials SET status = $2 WHERE serial = $1")?;
    let audit = tx.prepare(
        "INSERT INTO audit (serial, at, action, from_status, to_status, reason)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )?;
    // One-time copies change with their documents (D111), each with its own hold row.
    for c in report.changed.iter().chain(&report.copies) {
        let to = i16::from(c.to.code());
        let from = i16::from(c.from.code());
        tx.execute(&update, &[&c.serial, &to])?;
        match (c.from, c.after_release) {
            (Status::Held, Some(under)) => {
                tx.execute(
                    "UPDATE holds SET after_release = $2 WHERE serial = $1",
                    &[&c.serial, &i16::from(under.code())],
                )?;
            }
            (_, Some(under)) => {
                tx.execute(
                    "INSERT INTO holds (serial, held_at, until, after_release)
                     VALUES ($1, $2, $3, $4)",
                    &[&c.serial, &at, &until, &i16::from(under.code())],
                )?;
            }
            (Status::Held, None) => {
                tx.execute("DELETE FROM holds WHERE serial = $1", &[&c.serial])?;
            }
            _ => {}
        }
        tx.execute(
            &audit,
            &[&c.serial, &at, &action.as_str(), &from, &to, &reason],
        )?;
    }
    Ok(())
}

impl PostgresRegistry {
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
        // Read committed (write_transaction): the statement after the lock sees what was
        // committed while it waited (docs/decisions.md D127).
        let mut tx = write_transaction(&mut self.client)?;
        let (documents, all, param): (String, String, &(dyn postgres::types::ToSql + Sync)) =
            match target {
                Target::Serial(s) => (SERIAL_DOCUMENTS.to_owned(), SERIAL_TARGET.to_owned(), s),
                Target::Holder(h) => (holder_documents(), holder_target(), h),
            };
        // The documents' rows first: an office recording copies of one of them holds it (FOR
        // SHARE) until it commits, so this waits; the next statement, with a fresh snapshot,
        // then sees those copies too.
        tx.execute(
            &format!("SELECT 1 FROM credentials WHERE {documents} FOR UPDATE"),
            &[param],
        )?;
        let rows = tx.query(
            &format!(
                "SELECT {COLUMNS} FROM credentials WHERE {all}
                 ORDER BY copy_of IS NOT NULL, issued_at, serial FOR UPDATE"
            ),
            &[param],
        )?;
        let records: Vec<CredentialRecord> =
            rows.iter().map(row_to_record).collect::<Result<_, _>>()?;
        let holds = holds_of(&mut tx, &records)?;
        let report = plan_change(target, records, Vec::new(), &holds, action)?;
        write_changes(&mut tx, &report, action, reason, at, until)?;
        tx.commit()?;
        Ok(report)
    }
}

impl RegistryBackend for PostgresRegistry {
    fn record(
        &mut self,
        rows: &[NewCredential],
        list_size: u64,
    ) -> Result<Vec<StatusSlot>, RegistryError> {
        check_list_size(list_size)?;
        let mut tx = write_transaction(&mut self.client)?;
        // One allocator at a time: the lock is held until this transaction ends.
        tx.execute("SELECT pg_advisory_xact_lock(7004411)", &[])?;
        let open = tx
            .query_opt(
                "SELECT list, size, used, perm_key FROM status_lists ORDER BY list DESC LIMIT 1",
                &[],
            )?
            .map(|r| {
                let key: Vec<u8> = r.get(3);
                let key: [u8; 32] = key
                    .try_into()
                    .map_err(|_| RegistryError::Corrupt { what: "list key" })?;
                // A damaged row (a negative number) is an error, never clamped.
                let corrupt = |_| RegistryError::Corrupt {
                    what: "status list row",
                };
                Ok::<_, RegistryError>((
                    u32::try_from(r.get::<_, i32>(0)).map_err(corrupt)?,
                    u64::try_from(r.get::<_, i64>(1)).map_err(corrupt)?,
                    u64::try_from(r.get::<_, i64>(2)).map_err(corrupt)?,
                    key,
                ))
            })
            .transpose()?;
        // A copy's document: recorded before as a valid document (its row held until this
        // transaction ends, so a revocation waits for these copies and then reaches them), or
        // earlier in this call.
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
                .query_opt(
                    "SELECT copy_of, status FROM credentials WHERE serial = $1 FOR SHARE",
                    &[document],
                )?
                .map(|r| {
                    let status: i16 = r.try_get(1)?;
                    Ok::<_, RegistryError>((
                        r.try_get::<_, Option<Vec<u8>>>(0)?,
                        Status::from_code(non_negative::<u8>(status, "status")?.min(3)),
                    ))
                })
                .transpose()?;
            check_document(document, found)?;
        }
        let allocation = allocate(open, rows.len(), list_size)?;
        for (list, size, used, key, is_new) in &allocation.lists {
            let list = *list as i32;
            if *is_new {
                tx.execute(
                    "INSERT INTO status_lists (list, size, used, perm_key) VALUES ($1, $2, $3, $4)",
                    &[&list, &(*size as i64), &(*used as i64), &key.to_vec()],
                )?;
            } else {
                tx.execute(
                    "UPDATE status_lists SET used = $2 WHERE list = $1",
                    &[&list, &(*used as i64)],
                )?;
            }
        }
        // COPY in binary: PostgreSQL fills a heap page with several rows per WAL record
        // (D193). A duplicate serial or a slot handed out twice fails the COPY as the INSERT
        // did, with the same constraint names.
        let sink = tx.copy_in(
            "COPY credentials (serial, doc_type, holder_id, issued_at, expires_at, holder_key,
                               level, list, idx, copy_of, seq, part)
             FROM STDIN (FORMAT binary)",
        )?;
        let mut writer = BinaryCopyInWriter::new(
            sink,
            &[
                Type::BYTEA,
                Type::TEXT,
                Type::TEXT,
                Type::INT8,
                Type::INT8,
                Type::BYTEA,
                Type::INT2,
                Type::INT4,
                Type::INT4,
                Type::BYTEA,
                Type::INT4,
                Type::INT8,
            ],
        );
        // A slot's index and ordinal are 4-byte integers in schema 7 (D197): a list has at most
        // 2^27 entries, so they always fit; a value that did not would be refused, not cut.
        let int4 = |v: u64, what: &'static str| {
            i32::try_from(v).map_err(|_| RegistryError::Corrupt { what })
        };
        for ((r, slot), &seq) in rows.iter().zip(&allocation.slots).zip(&allocation.seqs) {
            let key = r.holder_key.as_ref().map(<[u8; 32]>::as_slice);
            writer.write(&[
                &r.serial,
                &r.doc_type,
                &r.holder_id,
                &r.issued_at,
                &r.expires_at,
                &key,
                &i16::from(r.assurance_level),
                &(slot.list as i32),
                &int4(slot.index, "status index (past 2^31)")?,
                &r.copy_of,
                &int4(seq, "status ordinal (past 2^31)")?,
                &part_of(slot.list, seq),
            ])?;
        }
        writer.finish()?;
        for chunk in chunks::pack_record(rows)? {
            insert_chunk(&mut tx, &chunk)?;
        }
        tx.commit()?;
        Ok(allocation.slots)
    }

    fn get(&mut self, serial: &[u8]) -> Result<Option<CredentialRecord>, RegistryError> {
        Ok(self.select("serial = $1", &serial)?.pop())
    }

    fn count(&mut self) -> Result<u64, RegistryError> {
        let n: i64 = self
            .client
            .query_one("SELECT COUNT(*) FROM credentials", &[])?
            .get(0);
        Ok(n.max(0) as u64)
    }

    fn copies(&mut self, document: &[u8]) -> Result<Vec<CredentialRecord>, RegistryError> {
        self.select("copy_of = $1 ORDER BY issued_at, serial", &document)
    }

    fn by_holder(&mut self, holder_id: &str) -> Result<Vec<CredentialRecord>, RegistryError> {
        self.select(
            &format!("{} ORDER BY issued_at, serial", holder_documents()),
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
        // Read committed (write_transaction), as every change of status.
        let mut tx = write_transaction(&mut self.client)?;
        let rows = tx.query(
            &format!(
                "SELECT {COLUMNS} FROM credentials WHERE serial IN
                 (SELECT serial FROM holds WHERE until IS NOT NULL AND until <= $1)
                 ORDER BY serial FOR UPDATE"
            ),
            &[&now],
        )?;
        let records: Vec<CredentialRecord> =
            rows.iter().map(row_to_record).collect::<Result<_, _>>()?;
        if records.is_empty() {
            return Ok(ChangeReport::default());
        }
        let holds = holds_of(&mut tx, &records)?;
        let target = Target::Serial(Vec::new());
        let report = plan_change(&target, records, Vec::new(), &holds, Action::Release)?;
        write_changes(
            &mut tx,
            &report,
            Action::Release,
            HOLD_ENDED_REASON,
            now,
            None,
        )?;
        tx.commit()?;
        Ok(report)
    }

    fn holds(&mut self) -> Result<Vec<HoldRecord>, RegistryError> {
        let rows = self.client.query(
            "SELECT serial, held_at, until, after_release FROM holds ORDER BY held_at, serial",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                Ok(HoldRecord {
                    serial: r.try_get(0)?,
                    held_at: r.try_get(1)?,
                    until: r.try_get(2)?,
                    after_release: after_release_status(r.try_get(3)?)?,
                })
            })
            .collect()
    }

    fn lists(&mut self) -> Result<Vec<ListInfo>, RegistryError> {
        let rows = self.client.query(
            "SELECT list, size, used FROM status_lists ORDER BY list",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                Ok(ListInfo {
                    list: non_negative(r.try_get::<_, i32>(0)?, "list number")?,
                    size: non_negative(r.try_get::<_, i64>(1)?, "list size")?,
                    used: non_negative(r.try_get::<_, i64>(2)?, "list use")?,
                })
            })
            .collect()
    }

    fn not_valid(&mut self, list: u32) -> Result<Vec<(u64, Status)>, RegistryError> {
        let rows = self.client.query(
            "SELECT idx, status FROM credentials WHERE list = $1 AND status <> 0 ORDER BY idx",
            &[&(list as i32)],
        )?;
        rows.iter()
            .map(|r| {
                let status: u8 = non_negative(r.try_get::<_, i16>(1)?, "status")?;
                Ok((
                    non_negative(r.try_get::<_, i32>(0)?, "status index")?,
                    Status::from_code(status.min(3)),
                ))
            })
            .collect()
    }

    fn audit(&mut self, serial: &[u8]) -> Result<Vec<AuditEntry>, RegistryError> {
        let rows = self.client.query(
            "SELECT serial, at, action, from_status, to_status, reason FROM audit
             WHERE serial = $1 ORDER BY id",
            &[&serial],
        )?;
        rows.iter()
            .map(|r| {
                let action: String = r.get(2);
                Ok(AuditEntry {
                    serial: r.get(0),
                    at: r.get(1),
                    action: action_from_str(&action).ok_or(RegistryError::Corrupt {
                        what: "audit action",
                    })?,
                    from: Status::from_code(r.get::<_, i16>(3).clamp(0, 3) as u8),
                    to: Status::from_code(r.get::<_, i16>(4).clamp(0, 3) as u8),
                    reason: r.get(5),
                })
            })
            .collect()
    }

    fn batch_lines(
        &mut self,
        batch_id: &str,
    ) -> Result<Vec<(u64, CredentialRecord)>, RegistryError> {
        let stored = self.client.query(
            "SELECT first_line, lines, serials FROM batch_chunks WHERE batch_id = $1",
            &[&batch_id],
        )?;
        let get = self.client.prepare(&format!(
            "SELECT {COLUMNS} FROM credentials WHERE serial = ANY($1)"
        ))?;
        let mut out = Vec::new();
        for chunk in &stored {
            let pairs = chunks::unpack(
                chunk.try_get(0)?,
                chunk.try_get::<_, &[u8]>(1)?,
                chunk.try_get::<_, &[u8]>(2)?,
            )?;
            let serials: Vec<&[u8]> = pairs.iter().map(|p| p.1.as_slice()).collect();
            let mut records: std::collections::HashMap<Vec<u8>, CredentialRecord> = self
                .client
                .query(&get, &[&serials])?
                .iter()
                .map(|r| row_to_record(r).map(|c| (c.serial.clone(), c)))
                .collect::<Result<_, _>>()?;
            // A withdrawn credential's row is gone: its line is not recorded.
            out.extend(
                pairs
                    .into_iter()
                    .filter_map(|(line, serial)| records.remove(&serial).map(|c| (line, c))),
            );
        }
        out.sort_by_key(|(line, _)| *line);
        Ok(out)
    }

    fn withdraw(&mut self, serial: &[u8]) -> Result<bool, RegistryError> {
        let mut tx = self.client.transaction()?;
        let removed = tx.execute(
            &format!("DELETE FROM credentials WHERE serial = $1 AND {WITHDRAWABLE}"),
            &[&serial],
        )?;
        if removed > 0 {
            // Its batch line goes too (D192): the chunks that may hold its serial, found by
            // their bytes, then read exactly.
            let candidates = tx.query(
                "SELECT batch_id, first_line, lines, serials FROM batch_chunks
                 WHERE position($1::bytea IN serials) > 0",
                &[&serial],
            )?;
            for c in &candidates {
                let (batch_id, first_line): (String, i64) = (c.try_get(0)?, c.try_get(1)?);
                let Some(rest) = chunks::without_serial(
                    &batch_id,
                    first_line,
                    c.try_get(2)?,
                    c.try_get(3)?,
                    serial,
                )?
                else {
                    continue;
                };
                tx.execute(
                    "DELETE FROM batch_chunks WHERE batch_id = $1 AND first_line = $2",
                    &[&batch_id, &first_line],
                )?;
                if let Some(rest) = rest {
                    insert_chunk(&mut tx, &rest)?;
                }
                break;
            }
            tx.execute(
                &format!("DELETE FROM credentials WHERE copy_of = $1 AND {WITHDRAWABLE}"),
                &[&serial],
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
        let list = i32::try_from(list).map_err(|_| RegistryError::Corrupt {
            what: "list number",
        })?;
        let rows = self.client.query(CHANGES_AFTER, &[&list, &after])?;
        rows.iter()
            .map(|r| {
                let from: u8 = non_negative(r.try_get::<_, i16>(1)?, "status")?;
                Ok((
                    non_negative(r.try_get::<_, i32>(0)?, "status index")?,
                    Status::from_code(from.min(3)),
                ))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
