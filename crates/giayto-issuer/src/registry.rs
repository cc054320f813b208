//! The issuer's registry of issued credentials, in an embedded SQLite database (WAL mode).
//!
//! It records every credential the issuer signs: serial, document type, holder id number,
//! dates, holder key. A credential is only handed out after its row is committed.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};

/// One issued credential as the registry knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialRecord {
    /// `cti`.
    pub serial: Vec<u8>,
    /// Document type name (`cccd`, `gplx`, `vehicle`, `bhyt`).
    pub doc_type: String,
    /// The holder's personal ID number, when the document has one.
    pub holder_id: Option<String>,
    /// `iat`.
    pub issued_at: i64,
    /// `exp`.
    pub expires_at: i64,
    /// The holder key bound in `cnf`, if any.
    pub holder_key: Option<[u8; 32]>,
}

/// Why the registry failed.
#[non_exhaustive]
#[derive(Debug)]
pub enum RegistryError {
    /// The database refused an operation.
    Database(rusqlite::Error),
    /// A serial is already in the registry.
    DuplicateSerial,
    /// The database was written by a newer giayto.
    SchemaVersion {
        /// The version found.
        found: i64,
    },
}

impl std::fmt::Display for RegistryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RegistryError::Database(e) => write!(f, "registry database: {e}"),
            RegistryError::DuplicateSerial => write!(f, "serial already issued"),
            RegistryError::SchemaVersion { found } => {
                write!(
                    f,
                    "registry schema version {found} is newer than this program"
                )
            }
        }
    }
}

impl std::error::Error for RegistryError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RegistryError::Database(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for RegistryError {
    fn from(e: rusqlite::Error) -> Self {
        RegistryError::Database(e)
    }
}

const SCHEMA_VERSION: i64 = 1;

/// An open registry.
#[derive(Debug)]
pub struct Registry {
    conn: Connection,
}

impl Registry {
    /// Open (creating if needed) the registry database at `path`.
    pub fn open(path: &Path) -> Result<Registry, RegistryError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL: a credential is handed out only after its row is durable, even across a
        // power cut.
        conn.pragma_update(None, "synchronous", "FULL")?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(RegistryError::SchemaVersion { found: version });
        }
        if version < SCHEMA_VERSION {
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
            )?;
        }
        Ok(Registry { conn })
    }

    /// Record an issued credential. Fails with [`RegistryError::DuplicateSerial`] if the serial
    /// is taken, leaving the registry unchanged.
    pub fn record(&self, record: &CredentialRecord) -> Result<(), RegistryError> {
        let result = self.conn.execute(
            "INSERT INTO credentials (serial, doc_type, holder_id, issued_at, expires_at, holder_key)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                record.serial,
                record.doc_type,
                record.holder_id,
                record.issued_at,
                record.expires_at,
                record.holder_key.map(|k| k.to_vec()),
            ],
        );
        match result {
            Ok(_) => Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Err(RegistryError::DuplicateSerial)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// How many credentials are recorded.
    pub fn count(&self) -> Result<u64, RegistryError> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM credentials", [], |r| {
                r.get::<_, i64>(0)
            })?
            .max(0) as u64)
    }

    /// The record of a serial, if issued.
    pub fn get(&self, serial: &[u8]) -> Result<Option<CredentialRecord>, RegistryError> {
        Ok(self
            .conn
            .query_row(
                "SELECT serial, doc_type, holder_id, issued_at, expires_at, holder_key
                 FROM credentials WHERE serial = ?1",
                [serial],
                |r| {
                    let key: Option<Vec<u8>> = r.get(5)?;
                    Ok(CredentialRecord {
                        serial: r.get(0)?,
                        doc_type: r.get(1)?,
                        holder_id: r.get(2)?,
                        issued_at: r.get(3)?,
                        expires_at: r.get(4)?,
                        holder_key: key.and_then(|k| k.try_into().ok()),
                    })
                },
            )
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(serial: u8) -> CredentialRecord {
        CredentialRecord {
            serial: vec![serial; 10],
            doc_type: "cccd".into(),
            holder_id: Some("001099012345".into()),
            issued_at: 1_790_000_000,
            expires_at: 1_800_000_000,
            holder_key: Some([4; 32]),
        }
    }

    #[test]
    fn record_get_count_and_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.sqlite");
        let reg = Registry::open(&path).unwrap();
        assert_eq!(reg.count().unwrap(), 0);
        reg.record(&record(1)).unwrap();
        reg.record(&record(2)).unwrap();
        assert!(matches!(
            reg.record(&record(1)),
            Err(RegistryError::DuplicateSerial)
        ));
        assert_eq!(reg.count().unwrap(), 2);
        assert_eq!(reg.get(&[1; 10]).unwrap(), Some(record(1)));
        assert_eq!(reg.get(&[3; 10]).unwrap(), None);
        drop(reg);
        // Reopening keeps the rows and does not recreate the schema.
        let reg = Registry::open(&path).unwrap();
        assert_eq!(reg.count().unwrap(), 2);
    }

    #[test]
    fn refuses_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.sqlite");
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 9)
            .unwrap();
        assert!(matches!(
            Registry::open(&path),
            Err(RegistryError::SchemaVersion { found: 9 })
        ));
    }
}
