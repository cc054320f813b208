//! Status deltas from the registry (docs/format.md §9.8): the entries of one list that changed
//! since a list the issuer published, signed, ready for a `VD1:` QR code.

use giayto_status::{DeltaError, SignedStatusList, StatusDelta, StatusListToken};

use super::{Issuer, IssuerError};

/// The list a status delta starts from.
#[derive(Debug, Clone, Copy)]
pub enum DeltaSince<'a> {
    /// A list this issuer published: its signed token, checked under the issuer's own key.
    /// Exact: the delta names those very entries.
    List(&'a [u8]),
    /// List number `list` as published at `issued_at`, rebuilt from the registry's audit trail
    /// (every change recorded after `issued_at` undone). Exact unless a change was recorded in
    /// the same second as that publication but after it, or with a clock behind the
    /// publisher's; a device then refuses the delta as not for its list (the base hash
    /// differs), never takes a wrong one.
    IssuedAt {
        /// The list's number.
        list: u32,
        /// The published list's `iat`.
        issued_at: i64,
    },
}

/// A signed status delta.
#[derive(Debug, Clone)]
pub struct IssuedDelta {
    /// The list's number.
    pub list: u32,
    /// Entries in the list.
    pub size: u64,
    /// What it says.
    pub delta: StatusDelta,
    /// The signed COSE_Sign1.
    pub token: Vec<u8>,
    /// The `VD1:` text.
    pub text: String,
    /// Made from a time ([`DeltaSince::IssuedAt`]) at which changes of the list were recorded
    /// in the very second of that time: whether the list published then had them cannot be
    /// told, so the delta may not fit a device's list (it then refuses it). The list's file
    /// is exact.
    pub same_second_changes: bool,
}

impl Issuer {
    /// The status delta from `since` to the list as [`Issuer::publish`] would sign it at
    /// `now` with these `valid_for` and `ttl`: applied to its base it gives that list entry for
    /// entry, with its `iat`, `exp` and `ttl`. Holds whose end has come are released first, as
    /// publishing does (audited), so the delta leads to the list publishing would sign.
    pub fn status_delta(
        &mut self,
        since: DeltaSince<'_>,
        now: i64,
        valid_for: i64,
        ttl: Option<u64>,
    ) -> Result<IssuedDelta, IssuerError> {
        self.registry.release_due(now)?;
        let lists = self.registry.lists()?;
        let find = |number: Option<u32>, uri: &str| {
            lists
                .iter()
                .find(|i| number.map_or(self.meta.status_uri(i.list) == uri, |n| i.list == n))
                .cloned()
                .ok_or_else(|| IssuerError::UnknownList {
                    uri: uri.to_owned(),
                })
        };
        let mut same_second_changes = false;
        let (info, base): (_, StatusListToken) = match since {
            DeltaSince::List(bytes) => {
                let token = SignedStatusList::parse(bytes)
                    .and_then(|s| s.verify(&self.key.verifying_key()))
                    .map_err(IssuerError::DeltaBase)?;
                (find(None, &token.uri)?, token)
            }
            DeltaSince::IssuedAt { list, issued_at } => {
                let info = find(Some(list), &self.meta.status_uri(list))?;
                let (mut token, ..) = self.list_token(&info, issued_at, 1, None)?;
                let undo = self.registry.changes_after(list, issued_at)?;
                same_second_changes = self
                    .registry
                    .changes_after(list, issued_at.saturating_sub(1))?
                    .len()
                    > undo.len();
                for (index, from) in undo {
                    token.list.set(index, from).map_err(|_| {
                        crate::registry::RegistryError::Corrupt {
                            what: "status index",
                        }
                    })?;
                }
                (info, token)
            }
        };
        let (target, ..) = self.list_token(&info, now, valid_for, ttl)?;
        let delta = StatusDelta::between(&base, &target).map_err(IssuerError::Delta)?;
        let token = delta.sign(&self.key).map_err(|e| match e {
            DeltaError::Sign => IssuerError::Sign,
            e => IssuerError::Delta(e),
        })?;
        Ok(IssuedDelta {
            list: info.list,
            size: info.size,
            text: giayto_status::delta_to_text(&token),
            delta,
            token,
            same_second_changes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{document, issuer_dir, NOW};
    use super::*;
    use crate::registry::{Action, Target};
    use crate::IssueOptions;
    use giayto_status::{SignedStatusDelta, Status};

    const DAY: i64 = 86_400;

    fn signed_list(token: &[u8], issuer: &Issuer) -> StatusListToken {
        SignedStatusList::parse(token)
            .unwrap()
            .verify(&issuer.key.verifying_key())
            .unwrap()
    }

    /// The delta applied to its base equals, entry for entry and in its times, the list
    /// published at the same moment; from the published file and from its iat alike.
    #[test]
    fn a_delta_leads_to_exactly_the_list_published_now() {
        let (_tmp, dir, pass) = issuer_dir();
        let mut issuer = Issuer::open(&dir, &pass).unwrap();
        let serials: Vec<Vec<u8>> = (0..6)
            .map(|_| {
                issuer
                    .issue(&document(), &IssueOptions::default(), NOW)
                    .unwrap()
                    .serial
            })
            .collect();
        let change = |issuer: &mut Issuer, i: usize, action, at| {
            issuer
                .change_status(&Target::Serial(serials[i].clone()), action, "test", at)
                .unwrap();
        };
        change(&mut issuer, 0, Action::Revoke, NOW + 10);
        change(&mut issuer, 1, Action::Suspend, NOW + 10);
        let t0 = NOW + 100;
        let base_bytes = issuer.publish(t0, 7 * DAY, Some(DAY as u64)).unwrap()[0]
            .token
            .clone();
        let base = signed_list(&base_bytes, &issuer);
        change(&mut issuer, 1, Action::Reinstate, t0 + 5);
        change(&mut issuer, 2, Action::Revoke, t0 + 6);
        change(&mut issuer, 3, Action::Suspend, t0 + 7);
        change(&mut issuer, 3, Action::Revoke, t0 + 8);
        let t1 = t0 + DAY;
        let published = signed_list(
            &issuer.publish(t1, 7 * DAY, Some(DAY as u64)).unwrap()[0].token,
            &issuer,
        );
        for since in [
            DeltaSince::List(&base_bytes),
            DeltaSince::IssuedAt {
                list: 1,
                issued_at: t0,
            },
        ] {
            let issued = issuer
                .status_delta(since, t1, 7 * DAY, Some(DAY as u64))
                .unwrap();
            assert_eq!(issued.list, 1);
            assert_eq!(issued.delta.changes.len(), 3, "{since:?}");
            let read = SignedStatusDelta::from_text(&issued.text)
                .unwrap()
                .verify(&issuer.key.verifying_key())
                .unwrap();
            assert_eq!(read, issued.delta);
            let applied = read.apply(&base).unwrap();
            assert_eq!(applied, published, "{since:?}");
            assert_eq!(applied.list.as_bytes(), published.list.as_bytes());
            assert_eq!(
                (applied.issued_at, applied.expires_at, applied.ttl),
                (t1, t1 + 7 * DAY, Some(DAY as u64))
            );
        }
        // Changes recorded in the very second of the time given are flagged.
        let flagged = |issuer: &mut Issuer, at| {
            issuer
                .status_delta(
                    DeltaSince::IssuedAt {
                        list: 1,
                        issued_at: at,
                    },
                    t1,
                    DAY,
                    None,
                )
                .unwrap()
                .same_second_changes
        };
        assert!(!flagged(&mut issuer, t0));
        assert!(flagged(&mut issuer, t0 + 6));
        // A delta from the first status of list 1 (before any change): the undo reaches it.
        let from_start = issuer
            .status_delta(
                DeltaSince::IssuedAt {
                    list: 1,
                    issued_at: NOW,
                },
                t1,
                7 * DAY,
                None,
            )
            .unwrap();
        // 0, 2 and 3 revoked; 1 suspended and reinstated since, so unchanged.
        assert_eq!(from_start.delta.changes.len(), 3);
        assert!(from_start
            .delta
            .changes
            .iter()
            .all(|c| c.1 == Status::Revoked));
    }

    #[test]
    fn a_delta_needs_a_base_of_this_issuer_older_than_now() {
        let (_tmp, dir, pass) = issuer_dir();
        let mut issuer = Issuer::open(&dir, &pass).unwrap();
        issuer
            .issue(&document(), &IssueOptions::default(), NOW)
            .unwrap();
        let base = issuer.publish(NOW + 10, DAY, None).unwrap()[0]
            .token
            .clone();
        let list = |since| issuer_delta(&dir, &pass, since);
        // Another issuer's list (another key) is not a base.
        let (_tmp2, dir2, pass2) = issuer_dir();
        let mut other = Issuer::open(&dir2, &pass2).unwrap();
        other
            .issue(&document(), &IssueOptions::default(), NOW)
            .unwrap();
        let foreign = other.publish(NOW + 10, DAY, None).unwrap()[0].token.clone();
        assert!(matches!(
            list(DeltaSince::List(&foreign)),
            Err(IssuerError::DeltaBase(
                giayto_status::StatusError::BadSignature
            ))
        ));
        assert!(matches!(
            list(DeltaSince::List(b"junk")),
            Err(IssuerError::DeltaBase(_))
        ));
        assert!(matches!(
            list(DeltaSince::IssuedAt {
                list: 2,
                issued_at: NOW
            }),
            Err(IssuerError::UnknownList { uri }) if uri.ends_with("/2")
        ));
        // A base not older than the new list.
        assert!(matches!(
            issuer.status_delta(DeltaSince::List(&base), NOW + 10, DAY, None),
            Err(IssuerError::Delta(giayto_status::DeltaError::Older { .. }))
        ));
        let fine = issuer
            .status_delta(DeltaSince::List(&base), NOW + 20, DAY, None)
            .unwrap();
        assert!(fine.delta.changes.is_empty());
    }

    fn issuer_delta(
        dir: &std::path::Path,
        pass: &giayto_trust::SecretString,
        since: DeltaSince<'_>,
    ) -> Result<IssuedDelta, IssuerError> {
        Issuer::open(dir, pass)
            .unwrap()
            .status_delta(since, NOW + 1000, DAY, None)
    }
}
