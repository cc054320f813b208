//! The issuer's registry: every credential it has issued, the status of each (valid, revoked,
//! suspended, held), the holds in force, the status lists they point into, and an audit trail of
//! every status change.
//!
//! The registry is a trait, [`RegistryBackend`], with two backends: [`SqliteRegistry`], an
//! embedded database in the issuer's folder (the default), and, with the `postgres` feature,
//! `PostgresRegistry`, for a national deployment where many issuing offices write at once.
//! Both run the same test suite.
//!
//! Over 600 lines on purpose: the types of the registry contract, the transition rules and the
//! planning shared by both backends stay in one place (the backends only read and write rows).
//!
//! Every write is one transaction: a batch of credentials lands whole or not at all, and a
//! status change on many credentials (all of one person's, say) changes all or none.
//!
//! A document issued with one-time selective-disclosure copies (docs/decisions.md D110) has one
//! row for its full credential and one row per copy, each with its own serial and status slot,
//! linked to the document's row (`copy_of`, schema 3). A status change of the document, or of
//! any of its copies, changes the document and every copy in the same transaction (D111).

mod chunks;
#[cfg(feature = "postgres")]
mod postgres;
mod sqlite;
#[cfg(test)]
pub(crate) mod suite;

pub use giayto_status::Status;
#[cfg(feature = "postgres")]
pub use postgres::PostgresRegistry;
pub use sqlite::SqliteRegistry;

/// Default number of entries per status list: 2^20 (1,048,576). Far above the 131,072 that
/// herd privacy asks for, and still only 256 KiB unpacked.
pub const DEFAULT_LIST_SIZE: u64 = 1 << 20;

/// A credential about to be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCredential {
    /// `cti`.
    pub serial: Vec<u8>,
    /// Document type name (`cccd`, `gplx`, `vehicle`, `bhyt`, `bhxh`).
    pub doc_type: String,
    /// The holder's personal ID number, when the document has one.
    pub holder_id: Option<String>,
    /// `iat`.
    pub issued_at: i64,
    /// `exp`.
    pub expires_at: i64,
    /// The holder key bound in `cnf`, if any.
    pub holder_key: Option<[u8; 32]>,
    /// Assurance level, 1 or 2.
    pub assurance_level: u8,
    /// The batch and input line it comes from, for resumable batch issuance.
    pub batch: Option<BatchLine>,
    /// For a one-time selective-disclosure copy: the serial of the document's full credential
    /// (recorded before, or earlier in the same call), which must be valid. `None` for a
    /// document.
    pub copy_of: Option<Vec<u8>>,
}

/// A line of a batch input.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BatchLine {
    /// The batch id (derived from the input file's content and the options).
    pub batch_id: String,
    /// 1-based line number in the input.
    pub line: u64,
}

/// Where in which status list a credential's status lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusSlot {
    /// The list's number (its uri is the issuer's prefix followed by this number).
    pub list: u32,
    /// The index within the list.
    pub index: u64,
}

/// One issued credential as the registry knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialRecord {
    /// `cti`.
    pub serial: Vec<u8>,
    /// Document type name.
    pub doc_type: String,
    /// The holder's personal ID number, when the document has one.
    pub holder_id: Option<String>,
    /// `iat`.
    pub issued_at: i64,
    /// `exp`.
    pub expires_at: i64,
    /// The holder key bound in `cnf`, if any.
    pub holder_key: Option<[u8; 32]>,
    /// Assurance level.
    pub assurance_level: u8,
    /// Its status list entry.
    pub slot: StatusSlot,
    /// Its current status.
    pub status: Status,
    /// For a one-time copy, the serial of its document; `None` for a document.
    pub copy_of: Option<Vec<u8>>,
}

/// A status list the registry has opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListInfo {
    /// The list's number.
    pub list: u32,
    /// Entries.
    pub size: u64,
    /// Entries handed out.
    pub used: u64,
}

/// A change of status asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Revoke for good.
    Revoke,
    /// Suspend (temporary lock).
    Suspend,
    /// Lift a suspension.
    Reinstate,
    /// Hold (tạm giữ, docs/format.md §9.3): the document may not be used until released.
    Hold,
    /// End a hold: the credential returns to the status it had under the hold.
    Release,
}

/// What an action does to one credential: its new published status, and while it is held,
/// the status a release returns it to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Transition {
    /// The status published after the action.
    pub to: Status,
    /// While held ([`Status::Held`]): the status a release returns it to, `Valid` or
    /// `Suspended`. `None` when not held.
    pub after_release: Option<Status>,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 5] = [
        Action::Revoke,
        Action::Suspend,
        Action::Reinstate,
        Action::Hold,
        Action::Release,
    ];

    /// `revoke`, `suspend`, `reinstate`, `hold` or `release`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Revoke => "revoke",
            Action::Suspend => "suspend",
            Action::Reinstate => "reinstate",
            Action::Hold => "hold",
            Action::Release => "release",
        }
    }

    /// What this action does to a credential whose published status is `from` and, when it
    /// is held, whose release would return it to `after_release` (docs/decisions.md D29,
    /// D140); `None` if the transition is impossible. Nothing leaves `revoked`; suspending
    /// twice, revoking twice, holding twice or releasing what is not held is refused rather
    /// than silently repeated. A hold keeps what it covers: a suspended credential can be held
    /// and a release returns it to suspended; suspending or reinstating a held credential
    /// changes only what the release returns it to (the published status stays held); revoking
    /// a held credential ends the hold.
    pub fn apply(self, from: Status, after_release: Option<Status>) -> Option<Transition> {
        let plain = |to| {
            Some(Transition {
                to,
                after_release: None,
            })
        };
        let held = |under| {
            Some(Transition {
                to: Status::Held,
                after_release: Some(under),
            })
        };
        match (self, from, after_release) {
            (Action::Revoke, Status::Valid | Status::Suspended | Status::Held, _) => {
                plain(Status::Revoked)
            }
            (Action::Suspend, Status::Valid, _) => plain(Status::Suspended),
            (Action::Reinstate, Status::Suspended, _) => plain(Status::Valid),
            (Action::Hold, Status::Valid | Status::Suspended, _) => held(from),
            (Action::Suspend, Status::Held, Some(Status::Valid)) => held(Status::Suspended),
            (Action::Reinstate, Status::Held, Some(Status::Suspended)) => held(Status::Valid),
            (Action::Release, Status::Held, Some(under @ (Status::Valid | Status::Suspended))) => {
                plain(under)
            }
            _ => None,
        }
    }
}

/// Which credentials a status change is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// One credential, by serial.
    Serial(Vec<u8>),
    /// Every credential of one holder, by personal ID number. Those the action cannot apply
    /// to (already revoked, say) are skipped and reported; if it applies to none, nothing
    /// changes and the call fails.
    Holder(String),
}

/// One status change that was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The credential.
    pub serial: Vec<u8>,
    /// Status before.
    pub from: Status,
    /// Status after.
    pub to: Status,
    /// When the credential is held after the change: the status a release returns it to.
    pub after_release: Option<Status>,
}

/// A hold in force (docs/format.md §9.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldRecord {
    /// The credential.
    pub serial: Vec<u8>,
    /// When it was held, seconds.
    pub held_at: i64,
    /// When the hold ends by itself, seconds: the issuer's first status publish at or after
    /// this time releases it ([`RegistryBackend::release_due`]). `None`: until released.
    pub until: Option<i64>,
    /// The status a release returns it to (`Valid` or `Suspended`).
    pub after_release: Status,
}

/// The reason the audit trail gives for a hold released because its `until` passed.
pub const HOLD_ENDED_REASON: &str = "hold ended: its --until time passed (automatic release)";

/// The outcome of a status change on a target.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChangeReport {
    /// Credentials changed.
    pub changed: Vec<Change>,
    /// Credentials of the holder the action could not apply to, with their status.
    pub skipped: Vec<(Vec<u8>, Status)>,
    /// Credentials of the holder issued before status lists existed (kept from a schema 1
    /// registry): they carry no status reference, so no change can reach a verifier, and none
    /// was made.
    pub no_status_entry: Vec<Vec<u8>>,
    /// The one-time copies changed with their documents (D111); `changed` and `skipped` name
    /// documents only.
    pub copies: Vec<Change>,
}

/// One line of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// The credential.
    pub serial: Vec<u8>,
    /// When, seconds.
    pub at: i64,
    /// The action.
    pub action: Action,
    /// Status before.
    pub from: Status,
    /// Status after.
    pub to: Status,
    /// The reason given.
    pub reason: String,
}

/// Why the registry failed.
#[non_exhaustive]
#[derive(Debug)]
pub enum RegistryError {
    /// The database refused an operation.
    Database(String),
    /// There is no registry where the issuer's metadata says: the SQLite file does not
    /// exist, or the PostgreSQL schema has no giayto tables. Only `giayto issuer init`
    /// creates a registry ([`SqliteRegistry::create`]); a registry that went missing is
    /// restored from a backup, never silently started afresh (a fresh one would undo every
    /// revocation at the next status list and hand out status indices already in use).
    Missing {
        /// The file, or the PostgreSQL schema.
        location: String,
    },
    /// The registry exists but is empty (a 0-byte file) or holds no giayto registry (another
    /// SQLite database, not a database at all, or a PostgreSQL schema without its version
    /// row). Refused for the same reason as [`RegistryError::Missing`].
    Empty {
        /// The file, or the PostgreSQL schema.
        location: String,
    },
    /// A serial is already in the registry.
    DuplicateSerial,
    /// A line of a batch is recorded twice (in one call, or as the first line of a chunk
    /// already recorded): the caller records only lines the registry does not have yet.
    DuplicateBatchLine {
        /// The batch.
        batch_id: String,
        /// The line.
        line: u64,
    },
    /// The database was written by a newer giayto.
    SchemaVersion {
        /// The version found.
        found: i64,
    },
    /// No credential has this serial.
    UnknownSerial(Vec<u8>),
    /// No credential has this holder ID number.
    UnknownHolder(String),
    /// The action cannot apply to a credential in this status.
    Transition {
        /// The credential (the first one, for a holder target).
        serial: Vec<u8>,
        /// Its status.
        from: Status,
        /// The action refused.
        action: Action,
    },
    /// A status change needs a reason.
    MissingReason,
    /// The database holds a value this program cannot read; `what` names it.
    Corrupt {
        /// The column or value.
        what: &'static str,
    },
    /// The status list size is outside what status lists allow.
    ListSize {
        /// The size asked for.
        size: u64,
    },
    /// The credential was issued before status lists existed (a schema 1 registry): it has no
    /// status list entry, so a change of its status could never reach a verifier.
    NoStatusEntry(Vec<u8>),
    /// A hold's end (`until`) is not after the time of the hold.
    HoldEndsInPast {
        /// The end asked for, seconds.
        until: i64,
        /// The time of the hold, seconds.
        at: i64,
    },
    /// One-time copies were asked of a serial that is no recorded document (unknown, or itself
    /// a copy).
    NotADocument(Vec<u8>),
    /// One-time copies were asked of a document that is not valid (revoked or suspended):
    /// new copies would show a valid credential for it.
    DocumentNotValid {
        /// The document.
        serial: Vec<u8>,
        /// Its status.
        status: Status,
    },
}

impl std::fmt::Display for RegistryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RegistryError::Database(e) => write!(f, "registry database: {e}"),
            RegistryError::Missing { location } => write!(
                f,
                "the registry {location} does not exist (restore it from a backup; only \
                 `giayto issuer init` creates a registry)"
            ),
            RegistryError::Empty { location } => write!(
                f,
                "the registry {location} is empty or is not a giayto registry (restore it \
                 from a backup; only `giayto issuer init` creates a registry)"
            ),
            RegistryError::DuplicateSerial => write!(f, "serial already issued"),
            RegistryError::DuplicateBatchLine { batch_id, line } => {
                write!(f, "line {line} of batch {batch_id} is already recorded")
            }
            RegistryError::SchemaVersion { found } => {
                write!(
                    f,
                    "registry schema version {found} is newer than this program"
                )
            }
            RegistryError::UnknownSerial(s) => write!(f, "no credential with serial {}", hex(s)),
            RegistryError::UnknownHolder(h) => write!(f, "no credential for holder {h}"),
            RegistryError::Transition {
                serial,
                from,
                action,
            } => write!(
                f,
                "cannot {} credential {}: it is {}",
                action.as_str(),
                hex(serial),
                from.as_str()
            ),
            RegistryError::MissingReason => write!(f, "a status change needs a reason"),
            RegistryError::Corrupt { what } => write!(f, "registry holds an unreadable {what}"),
            RegistryError::NoStatusEntry(s) => write!(
                f,
                "credential {} was issued before status lists and has no status list entry",
                hex(s)
            ),
            RegistryError::NotADocument(s) => {
                write!(f, "{} is not the serial of a recorded document", hex(s))
            }
            RegistryError::DocumentNotValid { serial, status } => write!(
                f,
                "document {} is {}: no new copies can be made of it",
                hex(serial),
                status.as_str()
            ),
            RegistryError::ListSize { size } => write!(
                f,
                "status list size {size} is outside {}..={} or not a multiple of 4",
                giayto_status::MIN_ENTRIES,
                giayto_status::MAX_ENTRIES
            ),
            RegistryError::HoldEndsInPast { until, at } => write!(
                f,
                "a hold must end after it starts (until {until} is not after {at})"
            ),
        }
    }
}

impl std::error::Error for RegistryError {}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Check a status list size.
pub fn check_list_size(size: u64) -> Result<u64, RegistryError> {
    if (giayto_status::MIN_ENTRIES..=giayto_status::MAX_ENTRIES).contains(&size) && size % 4 == 0 {
        Ok(size)
    } else {
        Err(RegistryError::ListSize { size })
    }
}

/// The issuer's registry. Every method that writes is one transaction.
pub trait RegistryBackend: Send {
    /// Record credentials and give each a status slot, at random within the open list,
    /// opening new lists of `list_size` entries as lists fill. All rows land, or none (a
    /// duplicate serial fails the whole call with [`RegistryError::DuplicateSerial`]).
    fn record(
        &mut self,
        rows: &[NewCredential],
        list_size: u64,
    ) -> Result<Vec<StatusSlot>, RegistryError>;

    /// The record of a serial, if issued.
    fn get(&mut self, serial: &[u8]) -> Result<Option<CredentialRecord>, RegistryError>;

    /// How many credentials are recorded.
    fn count(&mut self) -> Result<u64, RegistryError>;

    /// The one-time copies of a document, oldest first (empty for a copy or an unknown serial).
    fn copies(&mut self, document: &[u8]) -> Result<Vec<CredentialRecord>, RegistryError>;

    /// Every document of a holder, oldest first (their one-time copies are not listed: see
    /// [`RegistryBackend::copies`]).
    fn by_holder(&mut self, holder_id: &str) -> Result<Vec<CredentialRecord>, RegistryError>;

    /// Apply a status change with a reason at time `at`, recording each change in the audit
    /// trail. All or nothing. A target reaches documents; each document's one-time copies change
    /// with it (a copy's serial reaches its document, hence all its siblings), each with its own
    /// audit line.
    fn change_status(
        &mut self,
        target: &Target,
        action: Action,
        reason: &str,
        at: i64,
    ) -> Result<ChangeReport, RegistryError>;

    /// Hold one credential or all of a holder's (docs/format.md §9.3) with a reason at time
    /// `at`, until `until` when given (after `at`, else [`RegistryError::HoldEndsInPast`]):
    /// [`Action::Hold`] with an end. `change_status` with [`Action::Hold`] is a hold without
    /// one. All or nothing, audited.
    fn hold(
        &mut self,
        target: &Target,
        reason: &str,
        at: i64,
        until: Option<i64>,
    ) -> Result<ChangeReport, RegistryError>;

    /// Release every hold whose `until` is at or before `now`, each audited as a release at
    /// `now` with [`HOLD_ENDED_REASON`]. Nothing due: an empty report. All or nothing.
    fn release_due(&mut self, now: i64) -> Result<ChangeReport, RegistryError>;

    /// The holds in force, oldest first.
    fn holds(&mut self) -> Result<Vec<HoldRecord>, RegistryError>;

    /// The status lists opened so far.
    fn lists(&mut self) -> Result<Vec<ListInfo>, RegistryError>;

    /// Every entry of a list that is not valid, by index.
    fn not_valid(&mut self, list: u32) -> Result<Vec<(u64, Status)>, RegistryError>;

    /// The audit trail of a credential, oldest first.
    fn audit(&mut self, serial: &[u8]) -> Result<Vec<AuditEntry>, RegistryError>;

    /// The credentials already recorded for a batch, by input line.
    fn batch_lines(
        &mut self,
        batch_id: &str,
    ) -> Result<Vec<(u64, CredentialRecord)>, RegistryError>;

    /// Take back a credential that was recorded but never handed out, because writing it
    /// out failed: its row (and batch line) goes, so the registry counts only credentials
    /// somebody received. Its status list entry stays used, so no later credential gets that
    /// index. Only a credential still valid and without any status change can be withdrawn
    /// (removing a revoked one would undo its revocation); returns whether one was removed.
    /// Withdrawing a document withdraws its one-time copies too.
    fn withdraw(&mut self, serial: &[u8]) -> Result<bool, RegistryError>;

    /// The status changes of list `list` recorded in the audit trail at a time after `after`,
    /// newest first, as (index, status before the change): undone in this order from the
    /// current statuses, they give the list as it stood at `after` (what a status delta since
    /// a list published then starts from, docs/format.md §9.8).
    fn changes_after(&mut self, list: u32, after: i64)
        -> Result<Vec<(u64, Status)>, RegistryError>;
}

/// The query behind [`RegistryBackend::changes_after`], the same in both backends (`$1` the
/// list, `$2` the time; SQLite reads `$n` as a numbered parameter too).
pub(crate) const CHANGES_AFTER: &str = "SELECT c.idx, a.from_status FROM audit a
     JOIN credentials c ON c.serial = a.serial
     WHERE c.list = $1 AND a.at > $2 ORDER BY a.id DESC";

/// The condition under which [`RegistryBackend::withdraw`] removes a row of `credentials`:
/// still valid, and never changed.
pub(crate) const WITHDRAWABLE: &str =
    "status = 0 AND NOT EXISTS (SELECT 1 FROM audit a WHERE a.serial = credentials.serial)";

/// Rows per partition of the holder index (schema 5, docs/decisions.md D166): a credential's
/// `part` is its list's number times [`PARTS_PER_LIST`] plus its ordinal in the list (`seq`)
/// divided by this. New rows go into the newest partition only, so a chunk of a batch dirties a
/// few dozen pages of the holder index instead of one random page per row.
pub(crate) const PART_ROWS: u64 = 8192;
/// Partitions a list can have: [`giayto_status::MAX_ENTRIES`] / [`PART_ROWS`].
pub(crate) const PARTS_PER_LIST: u64 = giayto_status::MAX_ENTRIES / PART_ROWS;

/// The holder-index partition of the credential at ordinal `seq` of list `list`.
pub(crate) fn part_of(list: u32, seq: u64) -> i64 {
    (u64::from(list) * PARTS_PER_LIST + seq / PART_ROWS) as i64
}

/// Every holder-index partition in use, as a subquery (the same text in both backends): for
/// each list, the partitions of its ordinals handed out so far, and always its first one (where
/// [`migrated_slot`] puts a migrated row whose index the list's permutation never handed out).
/// A lookup by holder ID number seeks the index `(part, holder_id)` once per partition (about
/// 128 seeks at a million rows in lists of 131,072). The numbers are [`PARTS_PER_LIST`] and
/// [`PART_ROWS`] (checked below).
pub(crate) const HOLDER_PARTS: &str = "(WITH RECURSIVE parts(p, last) AS (
         SELECT CAST(list AS BIGINT) * 16384,
                CAST(list AS BIGINT) * 16384
                    + CASE WHEN used > 0 THEN (used - 1) / 8192 ELSE 0 END
             FROM status_lists
         UNION ALL SELECT p + 1, last FROM parts WHERE p < last)
     SELECT p FROM parts)";
const _: () = assert!(PARTS_PER_LIST == 16384 && PART_ROWS == 8192);

/// The ordinal and partition a row of schema 4 or older gets in schema 5 (`seq_of` from
/// [`ordinals`], `sizes` each list's size). A row whose index its list's permutation never handed
/// out (written by hand, or by a development version that allocated otherwise) gets `size +
/// index`, an ordinal no allocation reaches, unique as long as the old rows' slots were, in its
/// list's first partition, which every holder lookup reads; a row of a list that does not exist
/// is [`RegistryError::Corrupt`].
pub(crate) fn migrated_slot(
    seq_of: &std::collections::HashMap<(u32, u64), u64>,
    sizes: &std::collections::HashMap<u32, u64>,
    list: u32,
    index: u64,
) -> Result<(i64, i64), RegistryError> {
    match (seq_of.get(&(list, index)), sizes.get(&list)) {
        (Some(&seq), _) => Ok((seq as i64, part_of(list, seq))),
        (None, Some(&size)) => Ok(((size + index) as i64, part_of(list, 0))),
        (None, None) => Err(RegistryError::Corrupt {
            what: "status slot (a list that does not exist)",
        }),
    }
}

/// The ordinal (`seq`) of each slot handed out so far, for migrating a registry of schema 4 or
/// older, whose rows have only the index: `lists` are `(list, size, used, key)`; the result maps
/// `(list, index)` to the ordinal whose permuted index it is.
pub(crate) fn ordinals(
    lists: &[(u32, u64, u64, [u8; 32])],
) -> Result<std::collections::HashMap<(u32, u64), u64>, RegistryError> {
    let mut out = std::collections::HashMap::new();
    for &(list, size, used, key) in lists {
        let perm = giayto_status::IndexPermutation::new(key, size)
            .ok_or(RegistryError::Corrupt { what: "list size" })?;
        for seq in 0..used.min(size) {
            let index = perm
                .index(seq)
                .ok_or(RegistryError::Corrupt { what: "list size" })?;
            out.insert((list, index), seq);
        }
    }
    Ok(out)
}

/// Check a change request before touching the database.
pub(crate) fn check_reason(reason: &str) -> Result<(), RegistryError> {
    if reason.trim().is_empty() {
        Err(RegistryError::MissingReason)
    } else {
        Ok(())
    }
}

/// Check a hold's end before touching the database.
pub(crate) fn check_until(until: Option<i64>, at: i64) -> Result<(), RegistryError> {
    match until {
        Some(until) if until <= at => Err(RegistryError::HoldEndsInPast { until, at }),
        _ => Ok(()),
    }
}

/// Decide what a change does to the records it targets: the changes, the skipped ones, or the
/// error that leaves everything as it is. `legacy` are the target's serials that have no status
/// list entry (see [`RegistryError::NoStatusEntry`]); `holds` the holds in force among the
/// records (serial, status a release returns it to): a held record without one is
/// [`RegistryError::Corrupt`].
pub(crate) fn plan_change(
    target: &Target,
    records: Vec<CredentialRecord>,
    legacy: Vec<Vec<u8>>,
    holds: &[(Vec<u8>, Status)],
    action: Action,
) -> Result<ChangeReport, RegistryError> {
    if records.is_empty() {
        if let Some(first) = legacy.into_iter().next() {
            return Err(RegistryError::NoStatusEntry(first));
        }
        return Err(match target {
            Target::Serial(s) => RegistryError::UnknownSerial(s.clone()),
            Target::Holder(h) => RegistryError::UnknownHolder(h.clone()),
        });
    }
    let mut report = ChangeReport {
        no_status_entry: legacy,
        ..ChangeReport::default()
    };
    let mut first_refused = None;
    for r in records {
        let after_release = holds
            .iter()
            .find(|(s, _)| *s == r.serial)
            .map(|(_, under)| *under);
        if r.status == Status::Held && after_release.is_none() {
            return Err(RegistryError::Corrupt {
                what: "hold (a held credential without its hold row)",
            });
        }
        match (action.apply(r.status, after_release), r.copy_of.is_some()) {
            (Some(t), false) => report.changed.push(Change {
                serial: r.serial,
                from: r.status,
                to: t.to,
                after_release: t.after_release,
            }),
            (Some(t), true) => report.copies.push(Change {
                serial: r.serial,
                from: r.status,
                to: t.to,
                after_release: t.after_release,
            }),
            // A copy already where the action leads (its document is skipped too) is left.
            (None, true) => {}
            (None, false) => {
                first_refused.get_or_insert((r.serial.clone(), r.status));
                report.skipped.push((r.serial, r.status));
            }
        }
    }
    if report.changed.is_empty() && report.copies.is_empty() {
        // Not empty, so at least one record was refused.
        let (serial, from) = first_refused.unwrap_or((Vec::new(), Status::Held));
        return Err(RegistryError::Transition {
            serial,
            from,
            action,
        });
    }
    Ok(report)
}

/// Check the document a one-time copy is recorded for: `found` is its row's `copy_of` and
/// status, `None` when no row has that serial. Only a valid document (not a copy) can get copies.
pub(crate) fn check_document(
    serial: &[u8],
    found: Option<(Option<Vec<u8>>, Status)>,
) -> Result<(), RegistryError> {
    match found {
        None | Some((Some(_), _)) => Err(RegistryError::NotADocument(serial.to_vec())),
        Some((None, Status::Valid)) => Ok(()),
        Some((None, status)) => Err(RegistryError::DocumentNotValid {
            serial: serial.to_vec(),
            status,
        }),
    }
}

/// The action of a stored name.
pub(crate) fn action_from_str(s: &str) -> Option<Action> {
    Action::ALL.into_iter().find(|a| a.as_str() == s)
}

/// A fresh random key for a new list's index permutation.
pub(crate) fn new_list_key() -> Result<[u8; 32], RegistryError> {
    let mut key = [0u8; 32];
    getrandom::getrandom(&mut key).map_err(|e| RegistryError::Database(e.to_string()))?;
    Ok(key)
}

/// Hand out `n` slots from the lists' state: `(list, size, used, key)` of the open list, if
/// any. Returns the slots and the lists' new `used` values (including any list opened here,
/// whose key is made by `new_key`).
pub(crate) struct Allocation {
    pub slots: Vec<StatusSlot>,
    /// Each slot's ordinal in its list (its index is the list's permutation of it).
    pub seqs: Vec<u64>,
    /// `(list, size, used_after, key, is_new)`.
    pub lists: Vec<(u32, u64, u64, [u8; 32], bool)>,
}

pub(crate) fn allocate(
    open: Option<(u32, u64, u64, [u8; 32])>,
    n: usize,
    list_size: u64,
) -> Result<Allocation, RegistryError> {
    let mut slots = Vec::with_capacity(n);
    let mut seqs = Vec::with_capacity(n);
    let mut lists = Vec::new();
    let (mut list, mut size, mut used, mut key, mut is_new) = match open {
        Some((l, s, u, k)) => (l, s, u, k, false),
        None => (1, list_size, 0, new_list_key()?, true),
    };
    while slots.len() < n {
        if used >= size {
            lists.push((list, size, used, key, is_new));
            list = list.checked_add(1).ok_or(RegistryError::Corrupt {
                what: "list number",
            })?;
            size = list_size;
            used = 0;
            key = new_list_key()?;
            is_new = true;
        }
        let perm = giayto_status::IndexPermutation::new(key, size)
            .ok_or(RegistryError::Corrupt { what: "list size" })?;
        let take = ((size - used) as usize).min(n - slots.len());
        for k in 0..take as u64 {
            let index = perm
                .index(used + k)
                .ok_or(RegistryError::Corrupt { what: "list size" })?;
            slots.push(StatusSlot { list, index });
            seqs.push(used + k);
        }
        used += take as u64;
    }
    lists.push((list, size, used, key, is_new));
    Ok(Allocation { slots, seqs, lists })
}
