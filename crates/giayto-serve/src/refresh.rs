//! The background refresh of the service's lists (docs/service.md): a tokio task that asks a
//! [`Refresher`] (the CLI's: `giayto-fetch` with the device's rollback protection) for newer
//! data before the lists held are due, when a verification found a status list missing or
//! expired, and at SIGHUP; new data replaces the old at once for the requests that follow.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use giayto_verify::{Report, Verdict, Verifier};

use crate::VerifyService;

/// Shortest wait between two refreshes, whatever wakes the task.
pub const MIN_REFRESH_GAP: Duration = Duration::from_secs(5);
/// Longest wait between two refreshes.
pub const MAX_REFRESH_WAIT: Duration = Duration::from_secs(3600);
/// Most status lists remembered as wanted between two refreshes.
pub const MAX_WANTED: usize = 64;

/// What a refresh is asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefreshRequest {
    /// Status lists that verifications found missing or expired: (issuer id, uri). Only lists
    /// of credentials whose issuer signature verified are ever asked for.
    pub wanted: Vec<(String, String)>,
    /// Ask the server again for everything held, due or not (SIGHUP).
    pub force: bool,
}

/// What a refresh did.
#[derive(Debug, Default)]
pub struct RefreshOutcome {
    /// New data to use from now on, when anything changed (already through the device's
    /// rollback protection).
    pub verifier: Option<Verifier>,
    /// When to refresh next (clamped to [`MIN_REFRESH_GAP`]..[`MAX_REFRESH_WAIT`]).
    pub next_in: Duration,
    /// Lines for the service's log (no personal data: uris and reasons).
    pub log: Vec<String>,
}

/// Fetches newer data on request; see [`RefreshRequest`] and [`RefreshOutcome`].
pub type Refresher = Arc<
    dyn Fn(RefreshRequest) -> Pin<Box<dyn Future<Output = RefreshOutcome> + Send>> + Send + Sync,
>;

impl VerifyService {
    /// Remember the status list of a verification that found it missing or expired, for the
    /// next background refresh (only with a refresher running; at most [`MAX_WANTED`]).
    pub(crate) fn want_list_of(&self, report: &Report) {
        if !self.refreshing.load(Ordering::Relaxed) || report.verdict() != Verdict::StaleStatus {
            return;
        }
        let Some(credential) = report.credential() else {
            return;
        };
        let Some(status) = &credential.claims.status else {
            return;
        };
        let mut wanted = self
            .wanted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if wanted.len() < MAX_WANTED
            && wanted.insert((credential.issuer.id.clone(), status.uri.clone()))
        {
            self.wake.notify_one();
        }
    }

    /// Ask for a refresh of everything now (SIGHUP with a refresher).
    pub fn refresh_now(&self) {
        self.force.store(true, Ordering::Relaxed);
        self.wake.notify_one();
    }

    fn take_request(&self) -> RefreshRequest {
        let wanted: BTreeSet<(String, String)> = std::mem::take(
            &mut *self
                .wanted
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        RefreshRequest {
            wanted: wanted.into_iter().collect(),
            force: self.force.swap(false, Ordering::Relaxed),
        }
    }
}

/// Refresh the service's data with `refresher` until the process ends: first after `first_in`,
/// then when the refresher says, or sooner when a verification wants a list or at
/// [`VerifyService::refresh_now`] — never twice within [`MIN_REFRESH_GAP`].
pub async fn refresh_in_background(
    service: Arc<VerifyService>,
    refresher: Refresher,
    first_in: Duration,
) {
    service.refreshing.store(true, Ordering::Relaxed);
    let mut wait = first_in;
    let mut last: Option<Instant> = None;
    loop {
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = service.wake.notified() => {}
        }
        if let Some(last) = last {
            let since = last.elapsed();
            if since < MIN_REFRESH_GAP {
                tokio::time::sleep(MIN_REFRESH_GAP - since).await;
            }
        }
        let outcome = refresher(service.take_request()).await;
        last = Some(Instant::now());
        for line in &outcome.log {
            (service.log)(line);
        }
        if let Some(verifier) = outcome.verifier {
            let sequence = verifier.trust_list().sequence;
            let lists = verifier.status_lists().count();
            service.replace_data(verifier, None);
            (service.log)(&format!(
                "refreshed trust_list_sequence={sequence} status_lists={lists}"
            ));
        }
        wait = outcome.next_in.clamp(MIN_REFRESH_GAP, MAX_REFRESH_WAIT);
    }
}

/// At each SIGHUP, a refresh of everything now (unix only; elsewhere it waits forever).
pub async fn refresh_on_sighup(service: Arc<VerifyService>) {
    #[cfg(unix)]
    {
        let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        else {
            return;
        };
        while hup.recv().await.is_some() {
            service.refresh_now();
        }
    }
    #[cfg(not(unix))]
    {
        let _ = service;
        std::future::pending::<()>().await;
    }
}
