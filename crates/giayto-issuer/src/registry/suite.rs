//! The registry test suite, run against every backend (SQLite always; PostgreSQL when
//! `GIAYTO_TEST_POSTGRES` names a server, as in CI).
//!
//! Over 600 lines on purpose: one suite shared by both backends, so that each contract check
//! (statuses, holds, one-time copies, lists) runs against SQLite and PostgreSQL alike.

use super::*;

pub(crate) fn new_row(serial: u8, holder: Option<&str>) -> NewCredential {
    NewCredential {
        serial: vec![serial; 10],
        doc_type: "cccd".into(),
        holder_id: holder.map(str::to_owned),
        issued_at: 1_790_000_000 + i64::from(serial),
        expires_at: 1_800_000_000,
        holder_key: Some([4; 32]),
        assurance_level: 2,
        batch: None,
        copy_of: None,
    }
}

/// A one-time copy of the document with serial `[of; 10]`: its own serial and key.
pub(crate) fn copy_row(serial: u8, of: u8) -> NewCredential {
    NewCredential {
        holder_key: Some([serial; 32]),
        copy_of: Some(vec![of; 10]),
        ..new_row(serial, None)
    }
}

fn serial_n(n: u32) -> Vec<u8> {
    let mut s = vec![0xEE; 10];
    s[..4].copy_from_slice(&n.to_be_bytes());
    s
}

/// Every check, in order, on a fresh empty registry.
pub(crate) fn run(reg: &mut dyn RegistryBackend) {
    record_get_count_and_duplicates(reg);
    status_changes_and_audit(reg);
    holder_changes(reg);
    batches(reg);
    lists_fill_and_roll_over(reg);
    holders_across_partitions(reg);
    withdrawals(reg);
    holds_and_releases(reg);
    holds_reach_every_copy(reg);
    copies_follow_their_document(reg);
}

fn record_get_count_and_duplicates(reg: &mut dyn RegistryBackend) {
    assert_eq!(reg.count().unwrap(), 0);
    assert!(reg.lists().unwrap().is_empty());
    let size = giayto_status::MIN_ENTRIES;
    let slots = reg
        .record(&[new_row(1, Some("001099012345")), new_row(2, None)], size)
        .unwrap();
    assert_eq!(slots.len(), 2);
    assert_ne!(slots[0], slots[1]);
    assert!(slots.iter().all(|s| s.list == 1 && s.index < size));
    let got = reg.get(&[1; 10]).unwrap().unwrap();
    assert_eq!(got.slot, slots[0]);
    assert_eq!(got.status, Status::Valid);
    assert_eq!(got.holder_id.as_deref(), Some("001099012345"));
    assert_eq!(got.holder_key, Some([4; 32]));
    assert_eq!(got.assurance_level, 2);
    assert_eq!(got.issued_at, 1_790_000_001);
    assert_eq!(reg.get(&[9; 10]).unwrap(), None);
    // A batch with one duplicate serial records nothing at all and uses no slot.
    let err = reg
        .record(&[new_row(3, None), new_row(1, None)], size)
        .unwrap_err();
    assert!(matches!(err, RegistryError::DuplicateSerial), "{err}");
    assert_eq!(reg.count().unwrap(), 2);
    assert_eq!(reg.get(&[3; 10]).unwrap(), None);
    assert_eq!(
        reg.lists().unwrap(),
        vec![ListInfo {
            list: 1,
            size,
            used: 2
        }]
    );
    // A bad list size is refused before anything is written.
    assert!(matches!(
        reg.record(&[new_row(3, None)], 1000),
        Err(RegistryError::ListSize { size: 1000 })
    ));
    assert_eq!(reg.count().unwrap(), 2);
}

fn status_changes_and_audit(reg: &mut dyn RegistryBackend) {
    let s1 = Target::Serial(vec![1; 10]);
    let at = 1_795_000_000;
    // A reason is required.
    assert!(matches!(
        reg.change_status(&s1, Action::Suspend, "  ", at),
        Err(RegistryError::MissingReason)
    ));
    // Unknown serial.
    assert!(matches!(
        reg.change_status(&Target::Serial(vec![7; 10]), Action::Revoke, "lost", at),
        Err(RegistryError::UnknownSerial(_))
    ));
    // Reinstating a valid credential is not a transition.
    assert!(matches!(
        reg.change_status(&s1, Action::Reinstate, "why", at),
        Err(RegistryError::Transition {
            from: Status::Valid,
            action: Action::Reinstate,
            ..
        })
    ));
    let r = reg
        .change_status(&s1, Action::Suspend, "điện thoại bị mất", at)
        .unwrap();
    assert_eq!(
        r.changed,
        vec![Change {
            serial: vec![1; 10],
            from: Status::Valid,
            to: Status::Suspended,
            after_release: None,
        }]
    );
    assert_eq!(
        reg.get(&[1; 10]).unwrap().unwrap().status,
        Status::Suspended
    );
    assert!(matches!(
        reg.change_status(&s1, Action::Suspend, "again", at + 1),
        Err(RegistryError::Transition { .. })
    ));
    reg.change_status(&s1, Action::Reinstate, "phone found", at + 2)
        .unwrap();
    assert_eq!(reg.get(&[1; 10]).unwrap().unwrap().status, Status::Valid);
    reg.change_status(&s1, Action::Revoke, "licence withdrawn", at + 3)
        .unwrap();
    // Nothing leaves revoked.
    for action in [Action::Reinstate, Action::Suspend, Action::Revoke] {
        assert!(matches!(
            reg.change_status(&s1, action, "try", at + 4),
            Err(RegistryError::Transition {
                from: Status::Revoked,
                ..
            })
        ));
    }
    let slot = reg.get(&[1; 10]).unwrap().unwrap().slot;
    assert_eq!(
        reg.not_valid(slot.list).unwrap(),
        vec![(slot.index, Status::Revoked)]
    );
    let trail = reg.audit(&[1; 10]).unwrap();
    let summary: Vec<(Action, Status, Status, &str, i64)> = trail
        .iter()
        .map(|e| (e.action, e.from, e.to, e.reason.as_str(), e.at))
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                Action::Suspend,
                Status::Valid,
                Status::Suspended,
                "điện thoại bị mất",
                at
            ),
            (
                Action::Reinstate,
                Status::Suspended,
                Status::Valid,
                "phone found",
                at + 2
            ),
            (
                Action::Revoke,
                Status::Valid,
                Status::Revoked,
                "licence withdrawn",
                at + 3
            ),
        ]
    );
    assert!(reg.audit(&[2; 10]).unwrap().is_empty());
    // The trail of one list, newest first, as (index, status before): what undoing gives.
    assert_eq!(
        reg.changes_after(slot.list, at - 1).unwrap(),
        vec![
            (slot.index, Status::Valid),
            (slot.index, Status::Suspended),
            (slot.index, Status::Valid)
        ]
    );
    assert_eq!(
        reg.changes_after(slot.list, at + 2).unwrap(),
        vec![(slot.index, Status::Valid)]
    );
    assert!(reg.changes_after(slot.list, at + 3).unwrap().is_empty());
    assert!(reg.changes_after(slot.list + 1, at - 1).unwrap().is_empty());
}

fn holder_changes(reg: &mut dyn RegistryBackend) {
    let size = giayto_status::MIN_ENTRIES;
    let holder = "079188000111";
    reg.record(
        &[
            new_row(10, Some(holder)),
            new_row(11, Some(holder)),
            new_row(12, Some(holder)),
        ],
        size,
    )
    .unwrap();
    reg.change_status(&Target::Serial(vec![12; 10]), Action::Revoke, "replaced", 1)
        .unwrap();
    let target = Target::Holder(holder.into());
    let r = reg
        .change_status(&target, Action::Suspend, "lost phone", 2)
        .unwrap();
    assert_eq!(r.changed.len(), 2);
    assert_eq!(r.skipped, vec![(vec![12; 10], Status::Revoked)]);
    let statuses: Vec<Status> = reg
        .by_holder(holder)
        .unwrap()
        .iter()
        .map(|c| c.status)
        .collect();
    assert_eq!(
        statuses,
        [Status::Suspended, Status::Suspended, Status::Revoked]
    );
    // Suspending again applies to none: refused, nothing changes, no audit line.
    let audit_before = reg.audit(&[10; 10]).unwrap().len();
    assert!(matches!(
        reg.change_status(&target, Action::Suspend, "again", 3),
        Err(RegistryError::Transition { .. })
    ));
    assert_eq!(reg.audit(&[10; 10]).unwrap().len(), audit_before);
    let r = reg
        .change_status(&target, Action::Reinstate, "found", 4)
        .unwrap();
    assert_eq!(r.changed.len(), 2);
    assert!(matches!(
        reg.change_status(
            &Target::Holder("000000000000".into()),
            Action::Revoke,
            "x",
            5
        ),
        Err(RegistryError::UnknownHolder(_))
    ));
}

fn batches(reg: &mut dyn RegistryBackend) {
    let size = giayto_status::MIN_ENTRIES;
    let rows: Vec<NewCredential> = (0..5u8)
        .map(|i| NewCredential {
            batch: Some(BatchLine {
                batch_id: "b1".into(),
                line: u64::from(i) * 2 + 2,
            }),
            ..new_row(20 + i, None)
        })
        .collect();
    reg.record(&rows, size).unwrap();
    let lines: Vec<(u64, Vec<u8>)> = reg
        .batch_lines("b1")
        .unwrap()
        .into_iter()
        .map(|(l, r)| (l, r.serial))
        .collect();
    assert_eq!(
        lines,
        (0..5u8)
            .map(|i| (u64::from(i) * 2 + 2, vec![20 + i; 10]))
            .collect::<Vec<_>>()
    );
    assert!(reg.batch_lines("other").unwrap().is_empty());
    // A line given twice in one call: refused, and nothing of the call is recorded.
    let count = reg.count().unwrap();
    let twice: Vec<NewCredential> = [0x60u8, 0x61]
        .iter()
        .map(|&i| NewCredential {
            batch: Some(BatchLine {
                batch_id: "b1".into(),
                line: 50,
            }),
            ..new_row(i, None)
        })
        .collect();
    assert!(matches!(
        reg.record(&twice, size),
        Err(RegistryError::DuplicateBatchLine { line: 50, .. })
    ));
    assert_eq!(reg.count().unwrap(), count);
    // A later call (a resumed run) records lines between and after the first call's, out of
    // order and with another batch's line among them: each batch's lines come back in order.
    let more: Vec<NewCredential> = [(0x62u8, "b1", 13), (0x63, "b1", 1), (0x64, "b9", 1)]
        .iter()
        .map(|&(i, batch, line)| NewCredential {
            batch: Some(BatchLine {
                batch_id: batch.into(),
                line,
            }),
            ..new_row(i, None)
        })
        .collect();
    reg.record(&more, size).unwrap();
    let lines: Vec<(u64, u8)> = reg
        .batch_lines("b1")
        .unwrap()
        .into_iter()
        .map(|(l, r)| (l, r.serial[0]))
        .collect();
    assert_eq!(
        lines,
        vec![
            (1, 0x63),
            (2, 20),
            (4, 21),
            (6, 22),
            (8, 23),
            (10, 24),
            (13, 0x62)
        ]
    );
    let b9 = reg.batch_lines("b9").unwrap();
    assert_eq!((b9.len(), b9[0].0, b9[0].1.serial[0]), (1, 1, 0x64));
    // Each record is the credential's own, as `get` reads it.
    let (_, first) = &reg.batch_lines("b1").unwrap()[0];
    assert_eq!(Some(first.clone()), reg.get(&[0x63; 10]).unwrap());
}

fn lists_fill_and_roll_over(reg: &mut dyn RegistryBackend) {
    let size = giayto_status::MIN_ENTRIES;
    let used = reg.lists().unwrap()[0].used;
    // Fill list 1 to exactly one short of full, then cross into list 2 in one call.
    // Every 10,000th row has the holder of [`holders_across_partitions`]: rows in every
    // partition of the holder index (D166) of list 1.
    let fill: Vec<NewCredential> = (0..(size - used - 1) as u32)
        .map(|n| NewCredential {
            serial: serial_n(n),
            holder_id: (n % 10_000 == 0).then(|| SPREAD_HOLDER.to_owned()),
            ..new_row(0, None)
        })
        .collect();
    let mut slots = reg.record(&fill, size).unwrap();
    let cross: Vec<NewCredential> = (0..3u32)
        .map(|n| NewCredential {
            serial: serial_n(1_000_000 + n),
            ..new_row(0, None)
        })
        .collect();
    let crossing = reg.record(&cross, size).unwrap();
    assert_eq!(crossing[0].list, 1);
    assert_eq!(crossing[1].list, 2);
    assert_eq!(crossing[2].list, 2);
    slots.extend(crossing);
    let lists = reg.lists().unwrap();
    assert_eq!(
        lists,
        vec![
            ListInfo {
                list: 1,
                size,
                used: size
            },
            ListInfo {
                list: 2,
                size,
                used: 2
            },
        ]
    );
    // Every slot of list 1 was handed out exactly once, and not in order.
    let mut seen = vec![false; size as usize];
    for r in (1..=2u8).chain(10..13).chain(20..25).chain(0x62..0x65) {
        let slot = reg.get(&[r; 10]).unwrap().unwrap().slot;
        seen[slot.index as usize] = true;
    }
    let mut ascending = 0;
    for w in slots.windows(2) {
        if w[1].list == 1 && w[0].list == 1 && w[1].index > w[0].index {
            ascending += 1;
        }
    }
    for s in slots.iter().filter(|s| s.list == 1) {
        assert!(!seen[s.index as usize], "index {} given twice", s.index);
        seen[s.index as usize] = true;
    }
    assert!(seen.iter().all(|b| *b));
    let steps = slots.iter().filter(|s| s.list == 1).count() as f64;
    let share = f64::from(ascending) / steps;
    assert!((0.4..0.6).contains(&share), "{share} of steps ascend");
}

/// The holder whose credentials [`lists_fill_and_roll_over`] spreads over list 1.
const SPREAD_HOLDER: &str = "001099077777";

/// A holder's credentials in every partition of the holder index and in two lists are all
/// found, and a revocation by holder reaches all of them (and no one else's).
fn holders_across_partitions(reg: &mut dyn RegistryBackend) {
    let size = giayto_status::MIN_ENTRIES;
    let in_list_2 = NewCredential {
        serial: serial_n(2_000_000),
        holder_id: Some(SPREAD_HOLDER.to_owned()),
        ..new_row(0, None)
    };
    let slot = reg.record(&[in_list_2], size).unwrap()[0];
    assert_eq!(slot.list, 2);
    let spread = (size as u32 - 3).div_ceil(10_000) as usize; // rows of list 1 (fill size)
    let found = reg.by_holder(SPREAD_HOLDER).unwrap();
    assert_eq!(found.len(), spread + 1);
    let lists: std::collections::HashSet<u32> = found.iter().map(|r| r.slot.list).collect();
    assert_eq!(lists.len(), 2);
    let report = reg
        .change_status(
            &Target::Holder(SPREAD_HOLDER.to_owned()),
            Action::Revoke,
            "cả hai danh sách",
            50,
        )
        .unwrap();
    assert_eq!(report.changed.len(), spread + 1);
    let revoked_1 = reg.not_valid(1).unwrap();
    assert!(revoked_1.len() >= spread, "{revoked_1:?}");
    assert!(reg
        .not_valid(2)
        .unwrap()
        .contains(&(slot.index, Status::Revoked)));
    // Someone else's credential stays as it was.
    assert_eq!(
        reg.get(&serial_n(1)).unwrap().unwrap().status,
        Status::Valid
    );
}

/// A credential whose output could not be written is taken back; its slot stays used; one
/// that was ever revoked or suspended cannot be withdrawn.
fn withdrawals(reg: &mut dyn RegistryBackend) {
    let before = reg.count().unwrap();
    let lists_before = reg.lists().unwrap();
    let mut row = new_row(0xD1, Some("079300000999"));
    row.batch = Some(BatchLine {
        batch_id: "withdraw-batch".into(),
        line: 1,
    });
    reg.record(
        &[row, new_row(0xD2, Some("079300000999"))],
        giayto_status::MIN_ENTRIES,
    )
    .unwrap();
    assert_eq!(reg.count().unwrap(), before + 2);
    assert!(reg.withdraw(&[0xD1; 10]).unwrap());
    assert_eq!(reg.count().unwrap(), before + 1);
    assert!(reg.get(&[0xD1; 10]).unwrap().is_none());
    assert!(reg.batch_lines("withdraw-batch").unwrap().is_empty());
    // The withdrawn credential's slot is not handed out again.
    let used_before: u64 = lists_before.iter().map(|l| l.used).sum();
    let used_after: u64 = reg.lists().unwrap().iter().map(|l| l.used).sum();
    assert_eq!(used_after, used_before + 2);
    // The withdrawn line can be recorded again (a resumed run issues it anew).
    let mut again = new_row(0xD3, Some("079300000999"));
    again.batch = Some(BatchLine {
        batch_id: "withdraw-batch".into(),
        line: 1,
    });
    reg.record(&[again], giayto_status::MIN_ENTRIES).unwrap();
    let lines = reg.batch_lines("withdraw-batch").unwrap();
    assert_eq!((lines.len(), lines[0].0), (1, 1));
    assert_eq!(lines[0].1.serial, vec![0xD3; 10]);
    assert!(reg.withdraw(&[0xD3; 10]).unwrap());
    // Twice, unknown, or once its status changed: nothing removed.
    assert!(!reg.withdraw(&[0xD1; 10]).unwrap());
    assert!(!reg.withdraw(&[0x77; 10]).unwrap());
    reg.change_status(&Target::Serial(vec![0xD2; 10]), Action::Suspend, "check", 9)
        .unwrap();
    reg.change_status(&Target::Serial(vec![0xD2; 10]), Action::Reinstate, "ok", 10)
        .unwrap();
    assert!(!reg.withdraw(&[0xD2; 10]).unwrap());
    assert_eq!(reg.count().unwrap(), before + 1);
}

/// One-time copies (docs/decisions.md D111): rows of their own, linked to their document; a
/// status change of the document or of any copy changes all of them, each with an audit line;
/// copies are made only of a valid document; withdrawing a document withdraws its copies.
fn copies_follow_their_document(reg: &mut dyn RegistryBackend) {
    let size = giayto_status::MIN_ENTRIES;
    let holder = "079200000123";
    let before = reg.count().unwrap();
    let slots = reg
        .record(
            &[
                new_row(0xC0, Some(holder)),
                copy_row(0xC1, 0xC0),
                copy_row(0xC2, 0xC0),
                copy_row(0xC3, 0xC0),
            ],
            size,
        )
        .unwrap();
    let mut distinct = slots.clone();
    distinct.sort_by_key(|s| (s.list, s.index));
    distinct.dedup();
    assert_eq!(distinct.len(), 4, "every copy has its own status entry");
    assert_eq!(reg.count().unwrap(), before + 4);
    let copy = reg.get(&[0xC2; 10]).unwrap().unwrap();
    assert_eq!(copy.copy_of, Some(vec![0xC0; 10]));
    assert_eq!(copy.holder_key, Some([0xC2; 32]));
    assert_eq!(copy.slot, slots[2]);
    assert_eq!(reg.get(&[0xC0; 10]).unwrap().unwrap().copy_of, None);
    let serials = |v: Vec<CredentialRecord>| v.into_iter().map(|r| r.serial).collect::<Vec<_>>();
    let mut copies = serials(reg.copies(&[0xC0; 10]).unwrap());
    copies.sort();
    assert_eq!(copies, [vec![0xC1; 10], vec![0xC2; 10], vec![0xC3; 10]]);
    assert!(reg.copies(&[0xC1; 10]).unwrap().is_empty());
    assert_eq!(serials(reg.by_holder(holder).unwrap()), [vec![0xC0; 10]]);

    // Copies of an unknown serial or of a copy: refused, nothing recorded, no slot used.
    let used: u64 = reg.lists().unwrap().iter().map(|l| l.used).sum();
    for (row, bad) in [(copy_row(0xC4, 0x99), 0x99), (copy_row(0xC4, 0xC1), 0xC1)] {
        let err = reg.record(&[row], size).unwrap_err();
        assert!(
            matches!(&err, RegistryError::NotADocument(s) if s == &vec![bad; 10]),
            "{err:?}"
        );
    }
    assert_eq!(reg.get(&[0xC4; 10]).unwrap(), None);
    assert_eq!(
        reg.lists().unwrap().iter().map(|l| l.used).sum::<u64>(),
        used
    );

    // Suspending by one copy's serial suspends the document and every copy.
    let r = reg
        .change_status(
            &Target::Serial(vec![0xC3; 10]),
            Action::Suspend,
            "điện thoại bị mất",
            100,
        )
        .unwrap();
    assert_eq!(r.changed.len(), 1);
    assert_eq!(r.changed[0].serial, vec![0xC0; 10]);
    assert_eq!(r.copies.len(), 3);
    assert!(r.copies.iter().all(|c| c.to == Status::Suspended));
    for s in 0xC0..=0xC3u8 {
        assert_eq!(
            reg.get(&[s; 10]).unwrap().unwrap().status,
            Status::Suspended
        );
        let trail = reg.audit(&[s; 10]).unwrap();
        assert_eq!(trail.len(), 1, "{s:x}");
        assert_eq!(trail[0].reason, "điện thoại bị mất");
    }
    // Every copy's entry is set in its list.
    for slot in &slots {
        assert!(reg
            .not_valid(slot.list)
            .unwrap()
            .contains(&(slot.index, Status::Suspended)));
    }
    // No new copies of a suspended document.
    assert!(matches!(
        reg.record(&[copy_row(0xC4, 0xC0)], size),
        Err(RegistryError::DocumentNotValid {
            status: Status::Suspended,
            ..
        })
    ));
    reg.change_status(
        &Target::Serial(vec![0xC0; 10]),
        Action::Reinstate,
        "found",
        101,
    )
    .unwrap();
    assert_eq!(reg.get(&[0xC1; 10]).unwrap().unwrap().status, Status::Valid);

    // Copies made later (a refresh) join the document; a holder-wide revocation reaches them.
    reg.record(&[copy_row(0xC4, 0xC0), copy_row(0xC5, 0xC0)], size)
        .unwrap();
    let r = reg
        .change_status(&Target::Holder(holder.into()), Action::Revoke, "chết", 102)
        .unwrap();
    assert_eq!(r.changed.len(), 1);
    assert_eq!(r.copies.len(), 5);
    for s in 0xC0..=0xC5u8 {
        assert_eq!(reg.get(&[s; 10]).unwrap().unwrap().status, Status::Revoked);
    }
    // Nothing leaves revoked, whichever serial is named.
    assert!(matches!(
        reg.change_status(&Target::Serial(vec![0xC5; 10]), Action::Reinstate, "x", 103),
        Err(RegistryError::Transition {
            from: Status::Revoked,
            ..
        })
    ));
    assert!(matches!(
        reg.record(&[copy_row(0xC6, 0xC0)], size),
        Err(RegistryError::DocumentNotValid { .. })
    ));

    // Withdrawing a document just issued takes its copies with it; one copy alone can go too.
    let before = reg.count().unwrap();
    reg.record(
        &[
            new_row(0xCA, None),
            copy_row(0xCB, 0xCA),
            copy_row(0xCC, 0xCA),
        ],
        size,
    )
    .unwrap();
    reg.record(&[copy_row(0xCD, 0xCA)], size).unwrap();
    assert!(reg.withdraw(&[0xCD; 10]).unwrap());
    assert_eq!(reg.count().unwrap(), before + 3);
    assert!(reg.withdraw(&[0xCA; 10]).unwrap());
    assert_eq!(reg.count().unwrap(), before);
    assert!(reg.get(&[0xCB; 10]).unwrap().is_none());
}

#[test]
fn sqlite_backend_passes_the_suite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.sqlite");
    let mut reg = SqliteRegistry::create(&path).unwrap();
    run(&mut reg);
    drop(reg);
    // Reopening keeps the rows, the statuses and the lists.
    let mut reg = SqliteRegistry::open(&path).unwrap();
    assert_eq!(reg.get(&[1; 10]).unwrap().unwrap().status, Status::Revoked);
    assert_eq!(reg.lists().unwrap().len(), 2);
}

/// The electronic hold (docs/format.md §9.3, docs/decisions.md D140): a hold keeps what it
/// covers, a release returns it, `until` ends it at the next `release_due`, revocation ends it.
fn holds_and_releases(reg: &mut dyn RegistryBackend) {
    let holder = "079200000456";
    reg.record(
        &[
            new_row(0xB1, Some(holder)),
            new_row(0xB2, Some(holder)),
            new_row(0xB3, None),
        ],
        giayto_status::MIN_ENTRIES,
    )
    .unwrap();
    let (b1, b2, b3) = (
        Target::Serial(vec![0xB1; 10]),
        Target::Serial(vec![0xB2; 10]),
        Target::Serial(vec![0xB3; 10]),
    );
    let t = 1_796_000_000;
    let status = |reg: &mut dyn RegistryBackend, b: u8| reg.get(&[b; 10]).unwrap().unwrap().status;
    // Releasing what is not held, or holding with an end in the past, changes nothing.
    assert!(matches!(
        reg.change_status(&b1, Action::Release, "x", t),
        Err(RegistryError::Transition {
            from: Status::Valid,
            action: Action::Release,
            ..
        })
    ));
    assert!(matches!(
        reg.hold(&b1, "x", t, Some(t)),
        Err(RegistryError::HoldEndsInPast { .. })
    ));
    assert!(matches!(
        reg.hold(&b1, " ", t, Some(t + 100)),
        Err(RegistryError::MissingReason)
    ));
    assert_eq!(status(reg, 0xB1), Status::Valid);
    assert!(reg.holds().unwrap().is_empty());
    assert!(reg.audit(&[0xB1; 10]).unwrap().is_empty());
    // A hold with an end.
    let r = reg
        .hold(&b1, "vi phạm nồng độ cồn, biên bản 0012", t, Some(t + 100))
        .unwrap();
    assert_eq!(
        r.changed,
        vec![Change {
            serial: vec![0xB1; 10],
            from: Status::Valid,
            to: Status::Held,
            after_release: Some(Status::Valid),
        }]
    );
    assert_eq!(status(reg, 0xB1), Status::Held);
    assert_eq!(
        reg.holds().unwrap(),
        vec![HoldRecord {
            serial: vec![0xB1; 10],
            held_at: t,
            until: Some(t + 100),
            after_release: Status::Valid,
        }]
    );
    let slot = reg.get(&[0xB1; 10]).unwrap().unwrap().slot;
    assert!(reg
        .not_valid(slot.list)
        .unwrap()
        .contains(&(slot.index, Status::Held)));
    // Holding twice is refused.
    assert!(matches!(
        reg.hold(&b1, "again", t + 1, None),
        Err(RegistryError::Transition {
            from: Status::Held,
            action: Action::Hold,
            ..
        })
    ));
    // Suspending or reinstating a held credential changes only what a release returns to.
    let r = reg
        .change_status(&b1, Action::Suspend, "khóa tài khoản", t + 2)
        .unwrap();
    assert_eq!(r.changed[0].to, Status::Held);
    assert_eq!(r.changed[0].after_release, Some(Status::Suspended));
    assert_eq!(reg.holds().unwrap()[0].after_release, Status::Suspended);
    assert!(matches!(
        reg.change_status(&b1, Action::Suspend, "again", t + 3),
        Err(RegistryError::Transition { .. })
    ));
    reg.change_status(&b1, Action::Reinstate, "mở khóa", t + 4)
        .unwrap();
    assert_eq!(reg.holds().unwrap()[0].after_release, Status::Valid);
    assert_eq!(status(reg, 0xB1), Status::Held);
    // A suspended credential can be held; without an end it is not released by time.
    reg.change_status(&b2, Action::Suspend, "lost phone", t)
        .unwrap();
    reg.change_status(&b2, Action::Hold, "giữ giấy tờ", t + 5)
        .unwrap();
    assert_eq!(status(reg, 0xB2), Status::Held);
    // Nothing is due before the end.
    assert_eq!(reg.release_due(t + 99).unwrap(), ChangeReport::default());
    assert_eq!(status(reg, 0xB1), Status::Held);
    let r = reg.release_due(t + 100).unwrap();
    assert_eq!(
        r.changed,
        vec![Change {
            serial: vec![0xB1; 10],
            from: Status::Held,
            to: Status::Valid,
            after_release: None,
        }]
    );
    assert_eq!(status(reg, 0xB1), Status::Valid);
    assert_eq!(status(reg, 0xB2), Status::Held);
    assert_eq!(reg.release_due(t + 10_000).unwrap().changed.len(), 0);
    // A release returns the suspended credential to suspended.
    reg.change_status(&b2, Action::Release, "đã nộp phạt", t + 200)
        .unwrap();
    assert_eq!(status(reg, 0xB2), Status::Suspended);
    assert!(reg.holds().unwrap().is_empty());
    // A citizen's lock of every paper while one is held: the held one stays held and returns
    // to suspended when released.
    reg.change_status(&b2, Action::Reinstate, "found", t + 201)
        .unwrap();
    reg.hold(&b1, "giữ lần hai", t + 300, None).unwrap();
    let r = reg
        .change_status(
            &Target::Holder(holder.into()),
            Action::Suspend,
            "khóa",
            t + 301,
        )
        .unwrap();
    assert_eq!(r.changed.len(), 2);
    assert_eq!(status(reg, 0xB1), Status::Held);
    assert_eq!(status(reg, 0xB2), Status::Suspended);
    reg.change_status(&b1, Action::Release, "trả", t + 302)
        .unwrap();
    assert_eq!(status(reg, 0xB1), Status::Suspended);
    // Revoking a held credential ends the hold; revoked stays final.
    reg.hold(&b3, "tạm giữ", t, Some(t + 50)).unwrap();
    reg.change_status(&b3, Action::Revoke, "tước giấy phép", t + 10)
        .unwrap();
    assert_eq!(status(reg, 0xB3), Status::Revoked);
    assert!(reg.holds().unwrap().is_empty());
    assert_eq!(reg.release_due(t + 60).unwrap().changed.len(), 0);
    assert!(matches!(
        reg.hold(&b3, "x", t + 11, None),
        Err(RegistryError::Transition {
            from: Status::Revoked,
            ..
        })
    ));
    // The audit trail has every step, with the automatic release's reason.
    let trail: Vec<(Action, Status, Status, i64)> = reg
        .audit(&[0xB1; 10])
        .unwrap()
        .iter()
        .map(|e| (e.action, e.from, e.to, e.at))
        .collect();
    assert_eq!(
        trail,
        vec![
            (Action::Hold, Status::Valid, Status::Held, t),
            (Action::Suspend, Status::Held, Status::Held, t + 2),
            (Action::Reinstate, Status::Held, Status::Held, t + 4),
            (Action::Release, Status::Held, Status::Valid, t + 100),
            (Action::Hold, Status::Valid, Status::Held, t + 300),
            (Action::Suspend, Status::Held, Status::Held, t + 301),
            (Action::Release, Status::Held, Status::Suspended, t + 302),
        ]
    );
    assert_eq!(reg.audit(&[0xB1; 10]).unwrap()[3].reason, HOLD_ENDED_REASON);
}

/// A hold, its release (by hand or when `until` passes), and a revocation of a held document
/// reach every one-time copy in the same transaction, each copy with its own hold row and audit
/// line (docs/decisions.md D111, D140); a release returns each copy to its previous status.
fn holds_reach_every_copy(reg: &mut dyn RegistryBackend) {
    let size = giayto_status::MIN_ENTRIES;
    reg.record(
        &[
            new_row(0xF0, Some("079200000777")),
            copy_row(0xF1, 0xF0),
            copy_row(0xF2, 0xF0),
        ],
        size,
    )
    .unwrap();
    let all = [0xF0u8, 0xF1, 0xF2];
    let statuses = |reg: &mut dyn RegistryBackend| {
        all.iter()
            .map(|b| reg.get(&[*b; 10]).unwrap().unwrap().status)
            .collect::<Vec<_>>()
    };
    let t = 1_797_000_000;
    // Held by the document's serial: every copy held, each with its own hold row.
    let r = reg
        .hold(&Target::Serial(vec![0xF0; 10]), "tạm giữ", t, None)
        .unwrap();
    assert_eq!(r.changed.len(), 1);
    assert_eq!(r.copies.len(), 2);
    assert!(r
        .copies
        .iter()
        .all(|c| c.to == Status::Held && c.after_release == Some(Status::Valid)));
    assert_eq!(statuses(reg), [Status::Held; 3]);
    let held: Vec<Vec<u8>> = reg.holds().unwrap().into_iter().map(|h| h.serial).collect();
    for b in all {
        assert!(held.contains(&vec![b; 10]), "{b:x} has no hold row");
        let slot = reg.get(&[b; 10]).unwrap().unwrap().slot;
        assert!(reg
            .not_valid(slot.list)
            .unwrap()
            .contains(&(slot.index, Status::Held)));
    }
    // No new copies of a held document.
    assert!(matches!(
        reg.record(&[copy_row(0xF3, 0xF0)], size),
        Err(RegistryError::DocumentNotValid {
            status: Status::Held,
            ..
        })
    ));
    // Released by a copy's serial: every copy returns to valid, its hold row gone.
    let r = reg
        .change_status(
            &Target::Serial(vec![0xF2; 10]),
            Action::Release,
            "trả",
            t + 1,
        )
        .unwrap();
    assert_eq!((r.changed.len(), r.copies.len()), (1, 2));
    assert_eq!(statuses(reg), [Status::Valid; 3]);
    assert!(reg
        .holds()
        .unwrap()
        .iter()
        .all(|h| h.serial[0] != 0xF0 && h.serial[0] != 0xF1 && h.serial[0] != 0xF2));
    // Suspended, then held with an end: a suspension while held changes what every copy's
    // release returns it to; the automatic release at the end returns each to suspended.
    reg.change_status(
        &Target::Serial(vec![0xF0; 10]),
        Action::Suspend,
        "khóa",
        t + 2,
    )
    .unwrap();
    reg.hold(&Target::Serial(vec![0xF1; 10]), "giữ", t + 3, Some(t + 50))
        .unwrap();
    assert_eq!(statuses(reg), [Status::Held; 3]);
    let r = reg.release_due(t + 50).unwrap();
    assert_eq!((r.changed.len(), r.copies.len()), (1, 2));
    assert!(r
        .copies
        .iter()
        .all(|c| c.from == Status::Held && c.to == Status::Suspended));
    assert_eq!(statuses(reg), [Status::Suspended; 3]);
    for b in all {
        let trail = reg.audit(&[b; 10]).unwrap();
        let last = trail.last().unwrap();
        assert_eq!(
            (last.action, last.from, last.to, last.at),
            (Action::Release, Status::Held, Status::Suspended, t + 50),
            "{b:x}"
        );
        assert_eq!(last.reason, HOLD_ENDED_REASON);
        assert_eq!(
            trail.len(),
            5,
            "{b:x}: hold, release, suspend, hold, release"
        );
    }
    // Revoking a held document ends every copy's hold.
    reg.hold(&Target::Serial(vec![0xF0; 10]), "giữ", t + 60, Some(t + 90))
        .unwrap();
    let r = reg
        .change_status(
            &Target::Serial(vec![0xF0; 10]),
            Action::Revoke,
            "tước",
            t + 61,
        )
        .unwrap();
    assert_eq!(r.copies.len(), 2);
    assert_eq!(statuses(reg), [Status::Revoked; 3]);
    assert!(reg.holds().unwrap().iter().all(|h| h.serial[0] < 0xF0));
    assert_eq!(reg.release_due(t + 100).unwrap(), ChangeReport::default());
}
