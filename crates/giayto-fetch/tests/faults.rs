//! Fetching against a list server on 127.0.0.1 that misbehaves: down, slow, garbage, too
//! large, another issuer's list, an older list, a redirect out of the prefix, a private address
//! without the flag. Each refused item leaves the cache and the device state as they were.
//! Bounded: a handful of requests per test, timeouts under two seconds.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Route, Running, World, DAY, NOW};
use giayto_fetch::{Change, FetchError, Fetcher, Held, Item, Wanted};
use giayto_verify::{Reason, Rollback, SeenState, StatusLoadError, Verdict};

const POLICE: &str = "VN.BCA.C06";

/// A fetcher whose trust list has been fetched at `NOW`.
async fn with_trust(world: &World, running: &Running, cache: &Path) -> (Fetcher, Held, SeenState) {
    running.route("/trust.cwt", Route::Bytes(world.trust(1, NOW - DAY)));
    let fetcher = world.fetcher(cache);
    let mut state = SeenState::default();
    let mut held = fetcher.open(None, &state).unwrap();
    let done = fetcher
        .refresh(&mut held, &[], false, &mut state, NOW)
        .await;
    assert_eq!(done.events.len(), 1);
    assert_eq!(done.events[0].outcome, Ok(Change::Updated));
    (fetcher, held, state)
}

fn police_list(world: &World) -> Wanted {
    Wanted {
        issuer: POLICE.into(),
        uri: world.uri(POLICE, 1),
    }
}

/// The one event of a refresh of one list.
async fn fetch_one(
    fetcher: &Fetcher,
    held: &mut Held,
    wanted: &Wanted,
    state: &mut SeenState,
    now: i64,
) -> Result<Change, FetchError> {
    let done = fetcher
        .refresh(held, std::slice::from_ref(wanted), false, state, now)
        .await;
    let events: Vec<_> = done
        .events
        .into_iter()
        .filter(|e| matches!(e.item, Item::StatusList { .. }))
        .collect();
    assert_eq!(events.len(), 1);
    events.into_iter().next().unwrap().outcome
}

/// The files of the cache's status folder with their bytes.
fn cached_lists(cache: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(dir) = std::fs::read_dir(cache.join("status")) else {
        return Vec::new();
    };
    let mut out: Vec<_> = dir
        .map(|e| e.unwrap())
        .map(|e| {
            (
                e.file_name().into_string().unwrap(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_is_down_leaves_the_cache_in_use_until_exp_then_stale_status() {
    let running = Running::start().await;
    let world = World::new(running.port);
    let cache = tempfile::tempdir().unwrap();
    let (fetcher, mut held, mut state) = with_trust(&world, &running, cache.path()).await;
    let wanted = police_list(&world);
    running.route(
        "/st/VN.BCA.C06/1",
        Route::Bytes(world.list(&world.police, &wanted.uri, NOW, &[])),
    );
    let code = world.credential(&wanted.uri, 5);
    assert_eq!(
        fetch_one(&fetcher, &mut held, &wanted, &mut state, NOW).await,
        Ok(Change::Updated)
    );
    running.stop().await;

    // Two hours on the list is due (ttl one hour) and the server is gone: a failure that may
    // pass, and the cached list still answers.
    let later = NOW + 2 * 3600;
    assert_eq!(held.due(fetcher.config(), later), vec![wanted.clone()]);
    let failed = fetch_one(&fetcher, &mut held, &wanted, &mut state, later).await;
    assert!(
        failed.as_ref().is_err_and(FetchError::may_pass),
        "{failed:?}"
    );
    let (verifier, skipped) = held.verifier(world.root.verifying_key()).unwrap();
    assert!(skipped.is_empty());
    assert_eq!(verifier.check(&code, later).verdict(), Verdict::Valid);

    // A process started now reads the same from the cache alone.
    let reopened = fetcher.open(None, &state).unwrap();
    let (verifier, _) = reopened.verifier(world.root.verifying_key()).unwrap();
    assert_eq!(verifier.check(&code, later).verdict(), Verdict::Valid);

    // Past the list's exp (a week): stale_status, as for any expired list.
    let after_exp = NOW + 8 * DAY;
    let report = verifier.check(&code, after_exp);
    assert_eq!(report.verdict(), Verdict::StaleStatus);
    assert!(matches!(
        report.reason(),
        Some(Reason::StatusListExpired { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_server_times_out_and_nothing_is_cached() {
    let running = Running::start().await;
    let world = World::new(running.port);
    let cache = tempfile::tempdir().unwrap();
    let (_, mut held, mut state) = with_trust(&world, &running, cache.path()).await;
    let mut config = world.config(cache.path());
    config.timeout = Duration::from_millis(300);
    config.retries = 0;
    let fetcher = Fetcher::new(world.root.verifying_key(), config).unwrap();
    let wanted = police_list(&world);
    let list = world.list(&world.police, &wanted.uri, NOW, &[]);
    running.route(
        "/st/VN.BCA.C06/1",
        Route::Slow(Duration::from_secs(5), list),
    );
    let before = state.clone();
    assert_eq!(
        fetch_one(&fetcher, &mut held, &wanted, &mut state, NOW).await,
        Err(FetchError::Timeout)
    );
    assert!(cached_lists(cache.path()).is_empty());
    assert_eq!(state, before);
    assert_eq!(held.status_uris().count(), 0);
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_and_oversized_answers_are_refused() {
    let running = Running::start().await;
    let world = World::new(running.port);
    let cache = tempfile::tempdir().unwrap();
    let (fetcher, mut held, mut state) = with_trust(&world, &running, cache.path()).await;
    let wanted = police_list(&world);
    let path = "/st/VN.BCA.C06/1";

    running.route(
        path,
        Route::Bytes(b"<html>not a status list</html>".to_vec()),
    );
    let garbage = fetch_one(&fetcher, &mut held, &wanted, &mut state, NOW).await;
    assert!(
        matches!(
            garbage,
            Err(FetchError::Invalid(StatusLoadError::Invalid(_)))
        ),
        "{garbage:?}"
    );

    // 1 MiB against a 64 KiB cap: refused from the announced length, and when sent chunked
    // without one, as soon as the count passes the cap.
    for announced in [true, false] {
        running.route(path, Route::Huge(1 << 20, announced));
        assert_eq!(
            fetch_one(&fetcher, &mut held, &wanted, &mut state, NOW).await,
            Err(FetchError::TooLarge { limit: 64 * 1024 }),
            "announced: {announced}"
        );
    }

    running.route(path, Route::Status(404));
    assert_eq!(
        fetch_one(&fetcher, &mut held, &wanted, &mut state, NOW).await,
        Err(FetchError::Http { status: 404 })
    );
    assert_eq!(running.hits(path), 4, "a 404 is not retried");
    running.route(path, Route::Status(503));
    assert_eq!(
        fetch_one(&fetcher, &mut held, &wanted, &mut state, NOW).await,
        Err(FetchError::Http { status: 503 })
    );
    assert_eq!(running.hits(path), 6, "a 503 is retried once");
    assert!(cached_lists(cache.path()).is_empty());
    assert_eq!(held.status_uris().count(), 0);
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_issuers_list_at_the_uri_is_refused() {
    let running = Running::start().await;
    let world = World::new(running.port);
    let cache = tempfile::tempdir().unwrap();
    let (fetcher, mut held, mut state) = with_trust(&world, &running, cache.path()).await;
    let wanted = police_list(&world);
    let path = "/st/VN.BCA.C06/1";
    let before = state.clone();

    // Signed by the health insurer, claiming the police uri: outside its signer's prefix.
    running.route(
        path,
        Route::Bytes(world.list(&world.health, &wanted.uri, NOW, &[])),
    );
    let claimed = fetch_one(&fetcher, &mut held, &wanted, &mut state, NOW).await;
    assert!(
        matches!(
            claimed,
            Err(FetchError::Invalid(
                StatusLoadError::UriOutsidePrefix { .. }
            ))
        ),
        "{claimed:?}"
    );

    // The health insurer's own list, served at the police uri.
    let health_uri = world.uri("VN.BHXH", 1);
    running.route(
        path,
        Route::Bytes(world.list(&world.health, &health_uri, NOW, &[])),
    );
    assert_eq!(
        fetch_one(&fetcher, &mut held, &wanted, &mut state, NOW).await,
        Err(FetchError::WrongIssuer {
            expected: POLICE.into(),
            found: "VN.BHXH".into()
        })
    );

    // A police list, but another one (list 2) at the uri of list 1.
    let other = world.uri(POLICE, 2);
    running.route(
        path,
        Route::Bytes(world.list(&world.police, &other, NOW, &[])),
    );
    assert_eq!(
        fetch_one(&fetcher, &mut held, &wanted, &mut state, NOW).await,
        Err(FetchError::WrongList {
            uri: wanted.uri.clone(),
            found: other
        })
    );

    // A key the trust list does not name.
    let stranger = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    running.route(
        path,
        Route::Bytes(world.list(&stranger, &wanted.uri, NOW, &[])),
    );
    let unknown = fetch_one(&fetcher, &mut held, &wanted, &mut state, NOW).await;
    assert!(
        matches!(
            unknown,
            Err(FetchError::Invalid(StatusLoadError::UnknownSigner { .. }))
        ),
        "{unknown:?}"
    );
    assert!(cached_lists(cache.path()).is_empty());
    assert_eq!(state, before);
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_list_is_refused_as_a_rollback_and_the_cache_is_unchanged() {
    let running = Running::start().await;
    let world = World::new(running.port);
    let cache = tempfile::tempdir().unwrap();
    let (fetcher, mut held, mut state) = with_trust(&world, &running, cache.path()).await;
    let wanted = police_list(&world);
    let path = "/st/VN.BCA.C06/1";
    // Today's list revokes entry 5; yesterday's did not.
    running.route(
        path,
        Route::Bytes(world.list(&world.police, &wanted.uri, NOW, &[5])),
    );
    assert_eq!(
        fetch_one(&fetcher, &mut held, &wanted, &mut state, NOW).await,
        Ok(Change::Updated)
    );
    let cached = cached_lists(cache.path());
    let state_before = state.clone();

    running.route(
        path,
        Route::Bytes(world.list(&world.police, &wanted.uri, NOW - DAY, &[])),
    );
    let later = NOW + 2 * 3600;
    assert_eq!(
        fetch_one(&fetcher, &mut held, &wanted, &mut state, later).await,
        Err(FetchError::Rollback(Rollback::StatusList {
            uri: wanted.uri.clone(),
            seen: NOW,
            offered: NOW - DAY
        }))
    );
    assert_eq!(cached_lists(cache.path()), cached);
    assert_eq!(state, state_before);
    let (verifier, _) = held.verifier(world.root.verifying_key()).unwrap();
    let code = world.credential(&wanted.uri, 5);
    assert_eq!(verifier.check(&code, later).verdict(), Verdict::Revoked);

    // A device whose cache was wiped still remembers the newer list (its state): the old one
    // is refused by the rollback protection itself.
    let empty = tempfile::tempdir().unwrap();
    let (fresh, mut fresh_held, _) = with_trust(&world, &running, empty.path()).await;
    let mut remembered = state.clone();
    let refused = fetch_one(&fresh, &mut fresh_held, &wanted, &mut remembered, later).await;
    assert!(
        matches!(
            refused,
            Err(FetchError::Rollback(Rollback::StatusList { .. }))
        ),
        "{refused:?}"
    );
    assert!(cached_lists(empty.path()).is_empty());
    assert_eq!(remembered, state);

    // An older trust list (sequence 1 after 2) is refused too.
    running.route("/trust.cwt", Route::Bytes(world.trust(2, NOW)));
    let done = fetcher
        .refresh(&mut held, &[], true, &mut state, later)
        .await;
    assert_eq!(done.events[0].outcome, Ok(Change::Updated));
    running.route("/trust.cwt", Route::Bytes(world.trust(1, NOW)));
    let done = fetcher
        .refresh(&mut held, &[], true, &mut state, later)
        .await;
    assert_eq!(
        done.events[0].outcome,
        Err(FetchError::Rollback(Rollback::TrustList {
            seen: 2,
            offered: 1
        }))
    );
    assert_eq!(state.trust_sequence, 2);
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_must_stay_inside_the_prefix() {
    let running = Running::start().await;
    let world = World::new(running.port);
    let cache = tempfile::tempdir().unwrap();
    let (fetcher, mut held, mut state) = with_trust(&world, &running, cache.path()).await;
    let wanted = police_list(&world);
    let path = "/st/VN.BCA.C06/1";
    let list = world.list(&world.police, &wanted.uri, NOW, &[]);
    running.route("/elsewhere/1", Route::Bytes(list.clone()));
    for to in [
        "/elsewhere/1".to_owned(),
        "/st/VN.BHXH/1".to_owned(),
        format!("http://127.0.0.2:{}/st/VN.BCA.C06/1", running.port),
        "https://giayto.example/st/VN.BCA.C06/1".to_owned(),
    ] {
        running.route(path, Route::Redirect(to.clone()));
        let refused = fetch_one(&fetcher, &mut held, &wanted, &mut state, NOW).await;
        assert!(
            matches!(refused, Err(FetchError::Redirect { .. })),
            "{to}: {refused:?}"
        );
    }
    assert_eq!(running.hits("/elsewhere/1"), 0);
    assert!(cached_lists(cache.path()).is_empty());

    // A redirect that stays inside is followed.
    running.route(path, Route::Redirect("/st/VN.BCA.C06/1.cwt".into()));
    running.route("/st/VN.BCA.C06/1.cwt", Route::Bytes(list));
    assert_eq!(
        fetch_one(&fetcher, &mut held, &wanted, &mut state, NOW).await,
        Ok(Change::Updated)
    );
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_addresses_and_plain_http_need_their_flags() {
    let running = Running::start().await;
    let world = World::new(running.port);
    running.route("/trust.cwt", Route::Bytes(world.trust(1, NOW)));
    let cache = tempfile::tempdir().unwrap();

    // 127.0.0.1 as an address, and as a name that resolves to it.
    for host in ["127.0.0.1", "localhost"] {
        let mut config = world.config(cache.path());
        config.allow_private_addresses = false;
        config.trust_url = Some(format!("http://{host}:{}/trust.cwt", running.port));
        let fetcher = Fetcher::new(world.root.verifying_key(), config).unwrap();
        let mut state = SeenState::default();
        let mut held = fetcher.open(None, &state).unwrap();
        let done = fetcher
            .refresh(&mut held, &[], false, &mut state, NOW)
            .await;
        assert!(
            matches!(
                done.events[0].outcome,
                Err(FetchError::PrivateAddress { .. })
            ),
            "{host}: {:?}",
            done.events[0].outcome
        );
        assert!(!held.has_trust_list());
    }
    assert_eq!(running.hits("/trust.cwt"), 0, "no connection was made");

    // http is refused unless allowed.
    let mut config = world.config(cache.path());
    config.allow_http = false;
    assert!(matches!(
        Fetcher::new(world.root.verifying_key(), config),
        Err(FetchError::NotAllowed { .. })
    ));
    assert!(std::fs::read_dir(cache.path()).unwrap().next().is_none());
    running.stop().await;
}

/// The positive path against the real publisher (`giayto serve --publish`): the trust list and
/// a status list fetched, a 304 on the second fetch, then the cache alone, offline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_then_not_modified_then_offline_from_the_cache() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let world = World::new(listener.local_addr().unwrap().port());
    let published = tempfile::tempdir().unwrap();
    let uri = world.uri(POLICE, 1);
    std::fs::write(published.path().join("trust.cwt"), world.trust(1, NOW)).unwrap();
    std::fs::write(
        published.path().join("VN.BCA.C06-1.statuslist.cwt"),
        world.list(&world.police, &uri, NOW, &[9]),
    )
    .unwrap();
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(giayto_serve::serve(
        listener,
        giayto_serve::publish_router(published.path().to_owned()),
        async {
            let _ = rx.await;
        },
    ));

    let cache = tempfile::tempdir().unwrap();
    let fetcher = world.fetcher(cache.path());
    let mut state = SeenState::default();
    let mut held = fetcher.open(None, &state).unwrap();
    assert!(!held.has_trust_list());
    let done = fetcher
        .refresh(&mut held, &[], false, &mut state, NOW)
        .await;
    assert_eq!(done.events[0].outcome, Ok(Change::Updated));
    assert_eq!(state.trust_sequence, 1);

    // The credential names a list not held: stale_status, then fetched, then valid.
    let (good, revoked) = (world.credential(&uri, 5), world.credential(&uri, 9));
    let (verifier, _) = held.verifier(world.root.verifying_key()).unwrap();
    let report = verifier.check(&good, NOW);
    assert_eq!(report.verdict(), Verdict::StaleStatus);
    let wanted = Wanted::from_reports([&report]);
    assert_eq!(wanted, vec![police_list(&world)]);
    let needed = held.needs(&wanted, fetcher.config(), NOW);
    assert_eq!(needed, wanted);
    let done = fetcher
        .refresh(&mut held, &needed, false, &mut state, NOW)
        .await;
    assert!(done.changed());
    let (verifier, _) = held.verifier(world.root.verifying_key()).unwrap();
    assert_eq!(verifier.check(&good, NOW).verdict(), Verdict::Valid);
    assert_eq!(verifier.check(&revoked, NOW).verdict(), Verdict::Revoked);
    assert_eq!(
        state
            .status_issued_at
            .get(&(POLICE.to_owned(), uri.clone())),
        Some(&NOW)
    );
    assert_eq!(
        cached_lists(cache.path()).len(),
        2,
        "the list and its metadata"
    );

    // Past its ttl the list is asked for again: 304, nothing rewritten but the check time.
    let later = NOW + 2 * 3600;
    assert_eq!(held.due(fetcher.config(), NOW + 600), vec![]);
    let due = held.due(fetcher.config(), later);
    assert_eq!(due, wanted);
    let done = fetcher
        .refresh(&mut held, &due, false, &mut state, later)
        .await;
    assert_eq!(done.events.len(), 1, "the trust list is not due yet");
    assert_eq!(done.events[0].outcome, Ok(Change::NotModified));
    assert!(!done.changed());
    assert_eq!(held.next_due(fetcher.config()), Some(later + 3600));

    // Offline: the server is gone; a new process works from the cache with no request.
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let reopened = fetcher.open(None, &state).unwrap();
    let soon = later + 600;
    assert!(reopened.due(fetcher.config(), soon).is_empty());
    assert!(reopened.needs(&wanted, fetcher.config(), soon).is_empty());
    let mut reopened = reopened;
    let done = fetcher
        .refresh(&mut reopened, &[], false, &mut state, soon)
        .await;
    assert!(done.events.is_empty(), "nothing was due: {:?}", done.events);
    let (verifier, _) = reopened.verifier(world.root.verifying_key()).unwrap();
    assert_eq!(verifier.check(&good, soon).verdict(), Verdict::Valid);
    assert_eq!(verifier.check(&revoked, soon).verdict(), Verdict::Revoked);
}
