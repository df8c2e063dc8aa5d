//! The store suite: atomic metering under concurrency, key versions, registration, regeneration
//! races, hard limits and history, each run against the DynamoDB store on Amazon's DynamoDB Local
//! and against the in-memory store the HTTP tests use; and, for DynamoDB alone, an unreachable
//! database and a loopback-only emulator.

use integration_tests::dynamo::{LocalDynamo, fresh_table, patient};
use passwordapi::quota::{Day, Tier};
use passwordapi::store::dynamodb::DynamoStore;
use passwordapi::store::memory::MemoryStore;
use passwordapi::store::{
    Account, HardLimitError, Meter, Metered, Meterer, RegisterError, Rotation, Store,
};
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn store() -> Arc<DynamoStore> {
    let (client, table) = fresh_table("store").await;
    Arc::new(DynamoStore::new(client, table))
}

/// A store whose client waits as long as the emulator needs under 300 concurrent writes.
async fn patient_store() -> Arc<DynamoStore> {
    let (client, table) = fresh_table("load").await;
    Arc::new(DynamoStore::new(patient(&client), table))
}

fn day() -> Day {
    Day::from_unix_ms(1_795_435_200_000)
}

fn account(id: &str, email: &str) -> Account {
    Account {
        id: id.to_owned(),
        email_hash: format!("hash-of-{email}"),
        key_hash: "$argon2id$key".to_owned(),
        regen_hash: "$argon2id$regen".to_owned(),
        key_version: 1,
        tier: Tier::Free,
        hard_limit: None,
        rotation: None,
    }
}

fn rotation(n: u32) -> Rotation {
    Rotation {
        spent_regen_hash: format!("$argon2id$spent{n}"),
        at_ms: 1_795_435_200_000 + i64::from(n),
        nonce: format!("nonce{n}"),
    }
}

fn anonymous(limit: u32) -> Meter {
    Meter {
        who: Meterer::Ip("203.0.113.7-hash".to_owned()),
        day: day(),
        limit,
        key_version: None,
    }
}

/// Runs `n` meters at once (on a multi-threaded runtime) and counts the admitted ones.
async fn concurrent(store: Arc<dyn Store>, meter: Meter, n: usize) -> (usize, usize) {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let (store, meter) = (Arc::clone(&store), meter.clone());
        tasks.push(tokio::spawn(async move { store.meter(&meter).await }));
    }
    let (mut admitted, mut full) = (0, 0);
    for task in tasks {
        match task.await.unwrap().expect("no store error") {
            Metered::Admitted { .. } => admitted += 1,
            Metered::Full { .. } => full += 1,
            Metered::Unverified => panic!("unexpected"),
        }
    }
    (admitted, full)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn three_hundred_concurrent_anonymous_requests_admit_exactly_the_limit() {
    three_hundred_concurrent_anonymous_requests_admit_exactly_the_limit_on(patient_store().await)
        .await;
    // The in-memory store of the HTTP tests behaves the same.
    three_hundred_concurrent_anonymous_requests_admit_exactly_the_limit_on(Arc::new(
        MemoryStore::new(),
    ))
    .await;
}

async fn three_hundred_concurrent_anonymous_requests_admit_exactly_the_limit_on(
    store: Arc<dyn Store>,
) {
    let (admitted, full) = concurrent(Arc::clone(&store), anonymous(100), 300).await;
    assert_eq!((admitted, full), (100, 200));
    let usage = store
        .usage(&anonymous(100).who, day(), day())
        .await
        .unwrap();
    assert_eq!(usage, vec![(day(), 100)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn three_hundred_concurrent_key_requests_admit_exactly_the_limit() {
    three_hundred_concurrent_key_requests_admit_exactly_the_limit_on(patient_store().await).await;
    // The in-memory store of the HTTP tests behaves the same.
    three_hundred_concurrent_key_requests_admit_exactly_the_limit_on(Arc::new(MemoryStore::new()))
        .await;
}

async fn three_hundred_concurrent_key_requests_admit_exactly_the_limit_on(store: Arc<dyn Store>) {
    store
        .register(&account("acct00000001", "a@x.io"))
        .await
        .unwrap();
    assert!(
        store
            .open_day("acct00000001", day(), 1, None)
            .await
            .unwrap()
    );
    let meter = Meter {
        who: Meterer::Account("acct00000001".to_owned()),
        day: day(),
        limit: 100,
        key_version: Some(1),
    };
    assert_eq!(concurrent(store, meter, 300).await, (100, 200));
}

#[tokio::test]
async fn an_account_meters_only_on_a_day_opened_for_its_key_version() {
    an_account_meters_only_on_a_day_opened_for_its_key_version_on(store().await).await;
    // The in-memory store of the HTTP tests behaves the same.
    an_account_meters_only_on_a_day_opened_for_its_key_version_on(Arc::new(MemoryStore::new()))
        .await;
}

async fn an_account_meters_only_on_a_day_opened_for_its_key_version_on(store: Arc<dyn Store>) {
    let acct = account("acct00000002", "b@x.io");
    store.register(&acct).await.unwrap();
    let meter = |v| Meter {
        who: Meterer::Account(acct.id.clone()),
        day: day(),
        limit: 10,
        key_version: Some(v),
    };
    assert_eq!(
        store.meter(&meter(1)).await.unwrap(),
        Metered::Unverified,
        "day not open"
    );
    assert!(store.open_day(&acct.id, day(), 1, None).await.unwrap());
    assert!(
        store.open_day(&acct.id, day(), 1, None).await.unwrap(),
        "idempotent"
    );
    assert!(matches!(
        store.meter(&meter(1)).await.unwrap(),
        Metered::Admitted { used: 1, .. }
    ));

    // Regeneration moves the account and today's counter to version 2 in one transaction.
    assert!(
        store
            .rotate(
                &acct,
                "$argon2id$key2",
                "$argon2id$regen2",
                &rotation(1),
                day()
            )
            .await
            .unwrap()
    );
    assert!(
        !store
            .rotate(
                &acct,
                "$argon2id$key3",
                "$argon2id$regen3",
                &rotation(1),
                day()
            )
            .await
            .unwrap(),
        "stale version"
    );
    let stored = store.account(&acct.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.key_version, stored.key_hash.as_str()),
        (2, "$argon2id$key2")
    );
    assert_eq!(
        store.meter(&meter(1)).await.unwrap(),
        Metered::Unverified,
        "old key"
    );
    assert!(
        !store.open_day(&acct.id, day(), 1, None).await.unwrap(),
        "old key cannot reopen"
    );
    assert!(
        matches!(
            store.meter(&meter(2)).await.unwrap(),
            Metered::Admitted { used: 2, .. }
        ),
        "usage carries over"
    );

    // Regeneration also closed tomorrow to the old version (a request racing it across
    // midnight cannot open the next day for the old key); the new version opens it.
    let tomorrow = day().next();
    assert!(!store.open_day(&acct.id, tomorrow, 1, None).await.unwrap());
    assert!(store.open_day(&acct.id, tomorrow, 2, None).await.unwrap());
}

#[tokio::test]
async fn registration_claims_the_email_once_and_attempts_are_limited_per_ip() {
    registrations(&*store().await).await;
    registrations(&MemoryStore::new()).await;
}

async fn registrations(store: &dyn Store) {
    store
        .register(&account("acct00000003", "c@x.io"))
        .await
        .unwrap();
    assert!(store.email_claimed("hash-of-c@x.io").await.unwrap());
    assert!(!store.email_claimed("hash-of-d@x.io").await.unwrap());
    assert_eq!(
        store.register(&account("acct00000004", "c@x.io")).await,
        Err(RegisterError::EmailExists)
    );
    assert!(
        store.account("acct00000004").await.unwrap().is_none(),
        "nothing half-written"
    );
    let stored = store.account("acct00000003").await.unwrap().unwrap();
    assert_eq!(stored, account("acct00000003", "c@x.io"));

    // Attempts count per address and day, up to the limit; a limit of 0 admits none.
    for _ in 0..2 {
        assert!(store.count_registration("ip-1", day(), 2).await.unwrap());
    }
    assert!(!store.count_registration("ip-1", day(), 2).await.unwrap());
    assert!(store.count_registration("ip-2", day(), 2).await.unwrap());
    assert!(
        store
            .count_registration("ip-1", day().next(), 2)
            .await
            .unwrap()
    );
    assert!(!store.count_registration("ip-3", day(), 0).await.unwrap());
    assert!(!store.count_registration("ip-3", day(), 0).await.unwrap());
    assert!(store.count_registration("ip-3", day(), 1).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_regenerations_with_one_token_let_exactly_one_win() {
    concurrent_regenerations_with_one_token_let_exactly_one_win_on(store().await).await;
    // The in-memory store of the HTTP tests behaves the same.
    concurrent_regenerations_with_one_token_let_exactly_one_win_on(Arc::new(MemoryStore::new()))
        .await;
}

async fn concurrent_regenerations_with_one_token_let_exactly_one_win_on(store: Arc<dyn Store>) {
    let acct = account("acct00000007", "f@x.io");
    store.register(&acct).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..10 {
        let (store, acct) = (Arc::clone(&store), acct.clone());
        tasks.push(tokio::spawn(async move {
            store
                .rotate(
                    &acct,
                    &format!("key{i}"),
                    &format!("regen{i}"),
                    &rotation(1),
                    day(),
                )
                .await
                .unwrap()
        }));
    }
    let mut wins = 0;
    for task in tasks {
        wins += usize::from(task.await.unwrap());
    }
    assert_eq!(wins, 1);
    assert_eq!(
        store.account(&acct.id).await.unwrap().unwrap().key_version,
        2
    );
}

#[tokio::test]
async fn hard_limits_cap_the_day_and_cannot_go_below_usage() {
    hard_limits_cap_the_day_and_cannot_go_below_usage_on(store().await).await;
    // The in-memory store of the HTTP tests behaves the same.
    hard_limits_cap_the_day_and_cannot_go_below_usage_on(Arc::new(MemoryStore::new())).await;
}

async fn hard_limits_cap_the_day_and_cannot_go_below_usage_on(store: Arc<dyn Store>) {
    let acct = account("acct00000008", "g@x.io");
    store.register(&acct).await.unwrap();
    store.open_day(&acct.id, day(), 1, None).await.unwrap();
    let meter = Meter {
        who: Meterer::Account(acct.id.clone()),
        day: day(),
        limit: 100,
        key_version: Some(1),
    };
    for _ in 0..3 {
        store.meter(&meter).await.unwrap();
    }
    assert_eq!(
        store.set_hard_limit(&acct.id, 1, Some(2), day()).await,
        Err(HardLimitError::BelowUsage)
    );
    assert_eq!(
        store.set_hard_limit(&acct.id, 7, Some(5), day()).await,
        Err(HardLimitError::KeyChanged)
    );
    store
        .set_hard_limit(&acct.id, 1, Some(4), day())
        .await
        .unwrap();
    assert_eq!(
        store.account(&acct.id).await.unwrap().unwrap().hard_limit,
        Some(4)
    );
    assert!(matches!(
        store.meter(&meter).await.unwrap(),
        Metered::Admitted {
            used: 4,
            hard_limit: Some(4)
        }
    ));
    assert_eq!(
        store.meter(&meter).await.unwrap(),
        Metered::Full {
            used: 4,
            hard_limit: Some(4)
        }
    );
    store
        .set_hard_limit(&acct.id, 1, None, day())
        .await
        .unwrap();
    assert!(matches!(
        store.meter(&meter).await.unwrap(),
        Metered::Admitted {
            used: 5,
            hard_limit: None
        }
    ));
}

#[tokio::test]
async fn an_accounts_hard_limit_reaches_every_day_it_opens_but_never_overrides_a_days_own() {
    hard_limits_of_new_days(&*store().await).await;
    // The in-memory store of the unit tests behaves the same.
    hard_limits_of_new_days(&MemoryStore::new()).await;
}

async fn hard_limits_of_new_days(store: &dyn Store) {
    let acct = Account {
        hard_limit: Some(2),
        ..account("acct00000010", "i@x.io")
    };
    store.register(&acct).await.unwrap();
    let meter = |day, version| Meter {
        who: Meterer::Account(acct.id.clone()),
        day,
        limit: 100,
        key_version: Some(version),
    };
    assert!(store.open_day(&acct.id, day(), 1, Some(2)).await.unwrap());
    for used in 1..=2 {
        assert_eq!(
            store.meter(&meter(day(), 1)).await.unwrap(),
            Metered::Admitted {
                used,
                hard_limit: Some(2)
            }
        );
    }
    assert!(matches!(
        store.meter(&meter(day(), 1)).await.unwrap(),
        Metered::Full { .. }
    ));

    // Raised for today; a container still holding the old account reopens the day: no effect.
    store
        .set_hard_limit(&acct.id, 1, Some(3), day())
        .await
        .unwrap();
    assert!(store.open_day(&acct.id, day(), 1, Some(2)).await.unwrap());
    assert_eq!(
        store.meter(&meter(day(), 1)).await.unwrap(),
        Metered::Admitted {
            used: 3,
            hard_limit: Some(3)
        }
    );

    // Regeneration keeps today's own limit, and tomorrow's, which setting the limit wrote: a
    // regeneration reading another limit (5) does not override them.
    let acct = Account {
        hard_limit: Some(5),
        ..acct.clone()
    };
    let tomorrow = day().next();
    assert!(
        store
            .rotate(
                &acct,
                "$argon2id$key2",
                "$argon2id$regen2",
                &rotation(1),
                day()
            )
            .await
            .unwrap()
    );
    assert!(matches!(
        store.meter(&meter(day(), 2)).await.unwrap(),
        Metered::Full {
            used: 3,
            hard_limit: Some(3)
        }
    ));
    assert_eq!(
        store.meter(&meter(tomorrow, 2)).await.unwrap(),
        Metered::Admitted {
            used: 1,
            hard_limit: Some(3)
        }
    );
    // The regeneration is recorded with the account, for a retry of it.
    assert_eq!(
        store.account(&acct.id).await.unwrap().unwrap().rotation,
        Some(rotation(1))
    );
    // A day that neither opened gets the account's limit as the regeneration read it.
    assert!(
        store
            .rotate(
                &Account {
                    key_version: 2,
                    ..acct.clone()
                },
                "$argon2id$key3",
                "$argon2id$regen3",
                &rotation(3),
                tomorrow
            )
            .await
            .unwrap()
    );
    assert_eq!(
        store.meter(&meter(tomorrow.next(), 3)).await.unwrap(),
        Metered::Admitted {
            used: 1,
            hard_limit: Some(5)
        }
    );
}

#[tokio::test]
async fn a_hard_limit_set_or_cleared_after_a_regeneration_holds_the_next_day() {
    hard_limits_after_a_regeneration(&*store().await).await;
    hard_limits_after_a_regeneration(&MemoryStore::new()).await;
}

/// Metering tomorrow until refused: (admitted, the hard limit the refusal reports).
async fn admitted_tomorrow(store: &dyn Store, id: &str, version: u64) -> (u32, Option<u32>) {
    let meter = Meter {
        who: Meterer::Account(id.to_owned()),
        day: day().next(),
        limit: 40,
        key_version: Some(version),
    };
    loop {
        match store.meter(&meter).await.unwrap() {
            Metered::Admitted { .. } => {}
            Metered::Full { used, hard_limit } => return (used, hard_limit),
            Metered::Unverified => panic!("tomorrow was opened for version {version}"),
        }
    }
}

async fn hard_limits_after_a_regeneration(store: &dyn Store) {
    // A cap set after a regeneration opened tomorrow reaches tomorrow.
    let acct = account("acct00000020", "cap@x.io");
    store.register(&acct).await.unwrap();
    assert!(
        store
            .rotate(&acct, "$k2", "$r2", &rotation(1), day())
            .await
            .unwrap()
    );
    store
        .set_hard_limit(&acct.id, 2, Some(3), day())
        .await
        .unwrap();
    assert_eq!(admitted_tomorrow(store, &acct.id, 2).await, (3, Some(3)));

    // A cap cleared after a regeneration opened tomorrow with it is cleared there too, and a
    // container still holding the capped account cannot put it back.
    let acct = account("acct00000021", "uncap@x.io");
    store.register(&acct).await.unwrap();
    store
        .set_hard_limit(&acct.id, 1, Some(12), day())
        .await
        .unwrap();
    let capped = Account {
        hard_limit: Some(12),
        ..acct.clone()
    };
    assert!(
        store
            .rotate(&capped, "$k2", "$r2", &rotation(1), day())
            .await
            .unwrap()
    );
    store
        .set_hard_limit(&acct.id, 2, None, day())
        .await
        .unwrap();
    assert!(
        store
            .open_day(&acct.id, day().next(), 2, Some(12))
            .await
            .unwrap()
    );
    assert_eq!(admitted_tomorrow(store, &acct.id, 2).await, (40, None));
    assert_eq!(
        store
            .peek(&Meterer::Account(acct.id.clone()), day())
            .await
            .unwrap(),
        (0, None)
    );
}

#[tokio::test]
async fn usage_history_spans_days() {
    usage_history_spans_days_on(store().await).await;
    // The in-memory store of the HTTP tests behaves the same.
    usage_history_spans_days_on(Arc::new(MemoryStore::new())).await;
}

async fn usage_history_spans_days_on(store: Arc<dyn Store>) {
    let who = Meterer::Ip("history".to_owned());
    for (offset, requests) in [(0, 3), (1, 1), (5, 2), (40, 1)] {
        for _ in 0..requests {
            let meter = Meter {
                who: who.clone(),
                day: day().minus(offset),
                limit: 10,
                key_version: None,
            };
            store.meter(&meter).await.unwrap();
        }
    }
    let history = store.usage(&who, day().minus(29), day()).await.unwrap();
    assert_eq!(
        history,
        vec![(day().minus(5), 2), (day().minus(1), 1), (day(), 3)]
    );
}

#[tokio::test]
async fn an_unreachable_database_is_an_error_within_seconds() {
    let mut local = LocalDynamo::start().await;
    let client = local.client();
    integration_tests::dynamo::create_table(&client, "faults").await;
    let store = DynamoStore::new(client, "faults");
    assert!(matches!(
        store.meter(&anonymous(5)).await,
        Ok(Metered::Admitted { .. })
    ));
    local.stop();
    let started = Instant::now();
    assert!(store.meter(&anonymous(5)).await.is_err());
    assert!(store.account("acct00000009").await.is_err());
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
}

/// The listening sockets on `port` from /proc/net/tcp{,6}: their local addresses, as hex.
fn listeners(port: u16) -> Vec<String> {
    let mut found = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(state)) = (fields.get(1), fields.get(3)) else {
                continue;
            };
            let Some((address, hex_port)) = local.rsplit_once(':') else {
                continue;
            };
            // State 0A is LISTEN.
            if *state == "0A" && u16::from_str_radix(hex_port, 16) == Ok(port) {
                found.push(address.to_owned());
            }
        }
    }
    found
}

#[tokio::test]
async fn dynamodb_local_listens_on_loopback_only() {
    let local = integration_tests::dynamo::shared();
    let found = listeners(local.port());
    assert!(!found.is_empty(), "nothing listens on {}", local.port());
    for address in found {
        // 127.0.0.1 as /proc writes it: IPv4, or IPv4-mapped IPv6 (::ffff:127.0.0.1).
        assert!(
            address == "0100007F" || address == "0000000000000000FFFF00000100007F",
            "listening on {address}"
        );
    }
}
