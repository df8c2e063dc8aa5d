//! The store suite: atomic metering under concurrency, key versions, registration, regeneration
//! races, hard limits and history, each run against the DynamoDB store on Amazon's DynamoDB Local
//! and against the in-memory store the HTTP tests use; and, for DynamoDB alone, an unreachable
//! database and a loopback-only emulator.

use integration_tests::dynamo::{LocalDynamo, fresh_table, patient};
use passwordapi::plan::{self, Plan};
use passwordapi::quota::{Counts, Day, Month};
use passwordapi::store::dynamodb::DynamoStore;
use passwordapi::store::memory::MemoryStore;
use passwordapi::store::{
    Account, Event, EventKind, HardLimitError, Meter, Metered, Meterer, RegisterError, Rotation,
    Store,
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

/// 2026-11-23, a Monday in a 30-day month.
fn day() -> Day {
    Day::from_unix_ms(1_795_435_200_000)
}

const AT: i64 = 1_795_435_200_000;

fn account(id: &str, email: &str) -> Account {
    Account::new(
        id.to_owned(),
        format!("hash-of-{email}"),
        "$argon2id$key".to_owned(),
        "$argon2id$regen".to_owned(),
        plan::FREE,
        AT,
    )
}

fn event(kind: EventKind) -> Event {
    Event::new(kind, "self", AT)
}

fn registered() -> Event {
    event(EventKind::Registered).set("plan", plan::FREE)
}

fn rotation(n: u32) -> Rotation {
    Rotation {
        spent_regen_hash: format!("$argon2id$spent{n}"),
        at_ms: AT + i64::from(n),
        nonce: format!("nonce{n}"),
    }
}

/// `acct` regenerated: new hashes, the next key version, rotation `n` recorded.
fn regenerated(acct: &Account, n: u32) -> Account {
    Account {
        key_hash: format!("$argon2id$key{n}"),
        regen_hash: format!("$argon2id$regen{n}"),
        key_version: acct.key_version + 1,
        rotation: Some(rotation(n)),
        ..acct.clone()
    }
}

/// Regenerates `acct` as read (its revision), on `day`.
async fn regenerate(store: &dyn Store, acct: &Account, n: u32, day: Day) -> bool {
    let event = Event {
        at_ms: AT + i64::from(n),
        ..event(EventKind::Regenerated).change(
            "key_version",
            acct.key_version,
            acct.key_version + 1,
        )
    };
    store
        .update_account(acct, &regenerated(acct, n), day, &event)
        .await
        .unwrap()
}

fn anonymous(daily: u32) -> Meter {
    Meter {
        who: Meterer::Ip("203.0.113.7-hash".to_owned()),
        day: day(),
        daily,
        monthly: None,
        rev: None,
    }
}

fn keyed(id: &str, day: Day, daily: u32, monthly: Option<u32>, rev: u64) -> Meter {
    Meter {
        who: Meterer::Account(id.to_owned()),
        day,
        daily,
        monthly,
        rev: Some(rev),
    }
}

fn admitted(day: u32, month: u32, hard_limit: Option<u32>) -> Metered {
    Metered::Admitted {
        counts: Counts { day, month },
        hard_limit,
    }
}

fn full(day: u32, month: u32, hard_limit: Option<u32>) -> Metered {
    Metered::Full {
        counts: Counts { day, month },
        hard_limit,
    }
}

/// Runs the meters at once (on a multi-threaded runtime) and counts the admitted ones.
async fn concurrent(store: Arc<dyn Store>, meters: Vec<Meter>) -> (usize, usize) {
    let mut tasks = Vec::new();
    for meter in meters {
        let store = Arc::clone(&store);
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
    let (admitted, full) = concurrent(Arc::clone(&store), vec![anonymous(100); 300]).await;
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
    let acct = account("acct00000001", "a@x.io");
    store.register(&acct, &registered()).await.unwrap();
    assert!(
        store
            .open_month(&acct.id, day().month(), 1, None)
            .await
            .unwrap()
    );
    let meter = keyed(&acct.id, day(), 100, None, 1);
    assert_eq!(concurrent(store, vec![meter; 300]).await, (100, 200));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn a_monthly_limit_admits_exactly_its_count_across_days_under_concurrency() {
    a_monthly_limit_admits_exactly_its_count_on(patient_store().await).await;
    // The in-memory store of the HTTP tests behaves the same.
    a_monthly_limit_admits_exactly_its_count_on(Arc::new(MemoryStore::new())).await;
}

async fn a_monthly_limit_admits_exactly_its_count_on(store: Arc<dyn Store>) {
    // 300 at once, half on one day and half on the next (same month), 100 a month: exactly
    // 100, though each day's limit (1000) has room.
    let acct = account("acct00000011", "m@x.io");
    store.register(&acct, &registered()).await.unwrap();
    assert!(
        store
            .open_month(&acct.id, day().month(), 1, None)
            .await
            .unwrap()
    );
    let meters = (0..300)
        .map(|i| {
            keyed(
                &acct.id,
                if i % 2 == 0 { day() } else { day().next() },
                1000,
                Some(100),
                1,
            )
        })
        .collect();
    assert_eq!(concurrent(Arc::clone(&store), meters).await, (100, 200));
    let who = Meterer::Account(acct.id.clone());
    let days = store.usage(&who, day(), day().next()).await.unwrap();
    assert_eq!(days.iter().map(|(_, u)| u).sum::<u32>(), 100);
    assert_eq!(store.peek(&who, day()).await.unwrap().0.month, 100);
    // Full: the refusal reports the month's count.
    let Metered::Full { counts, .. } = store
        .meter(&keyed(&acct.id, day(), 1000, Some(100), 1))
        .await
        .unwrap()
    else {
        panic!("the month is full");
    };
    assert_eq!(counts.month, 100);
    // The next month starts again (opened for the account's revision first).
    let next = day().month().next().first_day();
    assert_eq!(
        store
            .meter(&keyed(&acct.id, next, 1000, Some(100), 1))
            .await
            .unwrap(),
        Metered::Unverified
    );
    assert!(
        store
            .open_month(&acct.id, next.month(), 1, None)
            .await
            .unwrap()
    );
    assert_eq!(
        store
            .meter(&keyed(&acct.id, next, 1000, Some(100), 1))
            .await
            .unwrap(),
        admitted(1, 1, None)
    );

    // An anonymous caller's month too.
    let ip = |day| Meter {
        monthly: Some(30),
        day,
        ..anonymous(1000)
    };
    let meters = (0..90).map(|i| ip(day().minus(i % 3))).collect();
    assert_eq!(concurrent(Arc::clone(&store), meters).await, (30, 60));
    assert_eq!(
        store
            .meter(&ip(day().month().next().first_day()))
            .await
            .unwrap(),
        admitted(1, 1, None)
    );
}

#[tokio::test]
async fn a_closed_window_admits_nothing_and_still_tells_a_stale_view() {
    closed_windows(&*store().await).await;
    closed_windows(&MemoryStore::new()).await;
}

async fn closed_windows(store: &dyn Store) {
    assert_eq!(store.meter(&anonymous(0)).await.unwrap(), full(0, 0, None));
    let no_month = Meter {
        monthly: Some(0),
        ..anonymous(10)
    };
    assert_eq!(store.meter(&no_month).await.unwrap(), full(0, 0, None));
    assert_eq!(
        store.usage(&anonymous(0).who, day(), day()).await.unwrap(),
        vec![]
    );
    let acct = account("acct00000012", "closed@x.io");
    store.register(&acct, &registered()).await.unwrap();
    assert!(
        store
            .open_month(&acct.id, day().month(), 1, None)
            .await
            .unwrap()
    );
    assert_eq!(
        store
            .meter(&keyed(&acct.id, day(), 0, None, 1))
            .await
            .unwrap(),
        full(0, 0, None)
    );
    assert_eq!(
        store
            .meter(&keyed(&acct.id, day(), 5, Some(0), 1))
            .await
            .unwrap(),
        full(0, 0, None)
    );
    assert_eq!(
        store
            .meter(&keyed(&acct.id, day(), 0, None, 9))
            .await
            .unwrap(),
        Metered::Unverified,
        "a stale view is told so even when the window is closed"
    );
}

#[tokio::test]
async fn an_account_meters_only_on_a_month_opened_for_its_revision() {
    an_account_meters_only_on_a_month_opened_for_its_revision_on(store().await).await;
    // The in-memory store of the HTTP tests behaves the same.
    an_account_meters_only_on_a_month_opened_for_its_revision_on(Arc::new(MemoryStore::new()))
        .await;
}

async fn an_account_meters_only_on_a_month_opened_for_its_revision_on(store: Arc<dyn Store>) {
    let acct = account("acct00000002", "b@x.io");
    store.register(&acct, &registered()).await.unwrap();
    let meter = |rev| keyed(&acct.id, day(), 10, None, rev);
    assert_eq!(
        store.meter(&meter(1)).await.unwrap(),
        Metered::Unverified,
        "month not open"
    );
    assert!(
        store
            .open_month(&acct.id, day().month(), 1, None)
            .await
            .unwrap()
    );
    assert!(
        store
            .open_month(&acct.id, day().month(), 1, None)
            .await
            .unwrap(),
        "idempotent"
    );
    assert_eq!(store.meter(&meter(1)).await.unwrap(), admitted(1, 1, None));

    // A regeneration moves the account and this month's counter to revision 2 in one
    // transaction; a second one from the same view fails.
    assert!(regenerate(&*store, &acct, 2, day()).await);
    assert!(
        !regenerate(&*store, &acct, 3, day()).await,
        "stale revision"
    );
    let stored = store.account(&acct.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.key_version, stored.rev, stored.key_hash.as_str()),
        (2, 2, "$argon2id$key2")
    );
    assert_eq!(stored.rotation, Some(rotation(2)));
    assert_eq!(
        store.meter(&meter(1)).await.unwrap(),
        Metered::Unverified,
        "old view"
    );
    assert!(
        !store
            .open_month(&acct.id, day().month(), 1, None)
            .await
            .unwrap(),
        "an old view cannot reopen"
    );
    assert_eq!(
        store.meter(&meter(2)).await.unwrap(),
        admitted(2, 2, None),
        "usage carries over"
    );

    // An operator's change (a plan) moves it again; a view of revision 2 is now stale.
    let team = Account {
        plan: plan::TEAM.to_owned(),
        ..stored.clone()
    };
    let change = event(EventKind::PlanChanged).change("plan", plan::FREE, plan::TEAM);
    assert!(
        store
            .update_account(&stored, &team, day(), &change)
            .await
            .unwrap()
    );
    let stored = store.account(&acct.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.plan.as_str(), stored.rev, stored.key_version),
        (plan::TEAM, 3, 2)
    );
    assert_eq!(store.meter(&meter(2)).await.unwrap(), Metered::Unverified);
    assert_eq!(store.meter(&meter(3)).await.unwrap(), admitted(3, 3, None));

    // The change also closed next month to the old revision (a request racing it across the
    // month's end cannot open the next month for the old view); the new revision opens it.
    let next = day().month().next();
    assert!(!store.open_month(&acct.id, next, 2, None).await.unwrap());
    assert!(store.open_month(&acct.id, next, 3, None).await.unwrap());
}

#[tokio::test]
async fn every_field_an_operator_changes_is_written_and_read_back() {
    operator_fields(&*store().await).await;
    operator_fields(&MemoryStore::new()).await;
}

async fn operator_fields(store: &dyn Store) {
    let acct = account("acct00000013", "ops@x.io");
    store.register(&acct, &registered()).await.unwrap();
    let changed = Account {
        plan: "pro".to_owned(),
        overrides: passwordapi::plan::Overrides {
            daily: Some(7),
            monthly: Some(70),
            max_count: Some(3),
        },
        revoked_at: Some(AT + 5),
        expires_at: Some(AT + 9),
        ..regenerated(&acct, 4)
    };
    let e = event(EventKind::Revoked);
    assert!(
        store
            .update_account(&acct, &changed, day(), &e)
            .await
            .unwrap()
    );
    let stored = store.account(&acct.id).await.unwrap().unwrap();
    assert_eq!(
        stored,
        Account {
            rev: 2,
            ..changed.clone()
        }
    );
    // And cleared again.
    let cleared = Account {
        overrides: Default::default(),
        revoked_at: None,
        expires_at: None,
        rotation: None,
        ..stored.clone()
    };
    assert!(
        store
            .update_account(&stored, &cleared, day(), &e)
            .await
            .unwrap()
    );
    assert_eq!(
        store.account(&acct.id).await.unwrap().unwrap(),
        Account { rev: 3, ..cleared }
    );
}

#[tokio::test]
async fn registration_claims_the_email_once_and_attempts_are_limited_per_ip() {
    registrations(&*store().await).await;
    registrations(&MemoryStore::new()).await;
}

async fn registrations(store: &dyn Store) {
    store
        .register(&account("acct00000003", "c@x.io"), &registered())
        .await
        .unwrap();
    assert!(store.email_claimed("hash-of-c@x.io").await.unwrap());
    assert!(!store.email_claimed("hash-of-d@x.io").await.unwrap());
    assert_eq!(
        store
            .register(&account("acct00000004", "c@x.io"), &registered())
            .await,
        Err(RegisterError::EmailExists)
    );
    assert!(
        store.account("acct00000004").await.unwrap().is_none(),
        "nothing half-written"
    );
    assert_eq!(store.events("acct00000004", 10).await.unwrap(), vec![]);
    let stored = store.account("acct00000003").await.unwrap().unwrap();
    assert_eq!(stored, account("acct00000003", "c@x.io"));
    assert_eq!(
        store.events("acct00000003", 10).await.unwrap(),
        vec![registered()]
    );

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
async fn concurrent_changes_from_one_view_let_exactly_one_win() {
    concurrent_changes_from_one_view_let_exactly_one_win_on(store().await).await;
    // The in-memory store of the HTTP tests behaves the same.
    concurrent_changes_from_one_view_let_exactly_one_win_on(Arc::new(MemoryStore::new())).await;
}

async fn concurrent_changes_from_one_view_let_exactly_one_win_on(store: Arc<dyn Store>) {
    let acct = account("acct00000007", "f@x.io");
    store.register(&acct, &registered()).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..10 {
        let (store, acct) = (Arc::clone(&store), acct.clone());
        tasks.push(tokio::spawn(async move {
            regenerate(&*store, &acct, i + 1, day()).await
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
    // One event per change that happened: the registration and the one regeneration.
    let events = store.events(&acct.id, 100).await.unwrap();
    let kinds: Vec<_> = events.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EventKind::Regenerated, EventKind::Registered]);
}

#[tokio::test]
async fn the_audit_trail_is_newest_first_bounded_and_holds_old_and_new_values() {
    audit_trail(&*store().await).await;
    audit_trail(&MemoryStore::new()).await;
}

async fn audit_trail(store: &dyn Store) {
    let acct = account("acct00000014", "audit@x.io");
    store.register(&acct, &registered()).await.unwrap();
    let mut current = acct.clone();
    for (i, limit) in [Some(5), None, Some(9)].into_iter().enumerate() {
        let e = Event {
            at_ms: AT + 1 + i as i64,
            ..event(EventKind::HardLimitSet).change("hard_limit", current.hard_limit, limit)
        };
        store
            .set_hard_limit(&current, limit, day(), &e)
            .await
            .unwrap();
        current.hard_limit = limit;
    }
    let events = store.events(&acct.id, 10).await.unwrap();
    assert_eq!(events.len(), 4);
    assert_eq!(events[0].new["hard_limit"], 9);
    assert_eq!(events[0].old["hard_limit"], serde_json::Value::Null);
    assert_eq!(events[1].old["hard_limit"], 5);
    assert_eq!(events[3].kind, EventKind::Registered);
    assert!(events.windows(2).all(|w| w[0].at_ms >= w[1].at_ms));
    assert_eq!(
        store.events(&acct.id, 2).await.unwrap(),
        events[..2].to_vec()
    );
    // A change that does not happen records nothing.
    let stale = Account {
        hard_limit: Some(1),
        ..current.clone()
    };
    let e = event(EventKind::HardLimitSet);
    assert_eq!(
        store.set_hard_limit(&stale, Some(3), day(), &e).await,
        Err(HardLimitError::Changed)
    );
    assert_eq!(store.events(&acct.id, 10).await.unwrap().len(), 4);
}

#[tokio::test]
async fn plans_and_seeds_are_stored_by_name_and_replaced() {
    plans(&*store().await).await;
    plans(&MemoryStore::new()).await;
}

async fn plans(store: &dyn Store) {
    assert_eq!(store.plans().await.unwrap(), Default::default());
    let pro = Plan {
        name: "pro".to_owned(),
        daily: 1000,
        monthly: Some(20_000),
        max_count: 100,
    };
    let e = event(EventKind::PlanSet);
    store.put_plan(&pro, &e).await.unwrap();
    store
        .put_plan(&integration_tests::plan(plan::FREE, 200, 20), &e)
        .await
        .unwrap();
    let unlimited = Plan {
        monthly: None,
        ..pro.clone()
    };
    store.put_plan(&unlimited, &e).await.unwrap();
    // The deployment's seeds, beside the operator's plans (one of them of a seed's name).
    store
        .record_seed(&integration_tests::plan(plan::FREE, 100, 10), &e)
        .await
        .unwrap();
    store
        .record_seed(&integration_tests::plan(plan::FREE, 150, 10), &e)
        .await
        .unwrap();
    let mut stored = store.plans().await.unwrap();
    stored.operator.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(
        stored.operator,
        vec![integration_tests::plan(plan::FREE, 200, 20), unlimited]
    );
    assert_eq!(
        stored.seeds,
        vec![integration_tests::plan(plan::FREE, 150, 10)]
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
    store.register(&acct, &registered()).await.unwrap();
    store
        .open_month(&acct.id, day().month(), 1, None)
        .await
        .unwrap();
    // Yesterday's requests count for the month, not for today's hard limit.
    store
        .meter(&keyed(&acct.id, day().minus(1), 100, None, 1))
        .await
        .unwrap();
    let meter = keyed(&acct.id, day(), 100, None, 1);
    for _ in 0..3 {
        store.meter(&meter).await.unwrap();
    }
    let e = event(EventKind::HardLimitSet);
    assert_eq!(
        store.set_hard_limit(&acct, Some(2), day(), &e).await,
        Err(HardLimitError::BelowUsage)
    );
    let stale = Account {
        rev: 7,
        ..acct.clone()
    };
    assert_eq!(
        store.set_hard_limit(&stale, Some(5), day(), &e).await,
        Err(HardLimitError::Changed)
    );
    store
        .set_hard_limit(&acct, Some(4), day(), &e)
        .await
        .unwrap();
    let acct = store.account(&acct.id).await.unwrap().unwrap();
    assert_eq!(acct.hard_limit, Some(4));
    assert_eq!(store.meter(&meter).await.unwrap(), admitted(4, 5, Some(4)));
    assert_eq!(store.meter(&meter).await.unwrap(), full(4, 5, Some(4)));
    store.set_hard_limit(&acct, None, day(), &e).await.unwrap();
    assert_eq!(store.meter(&meter).await.unwrap(), admitted(5, 6, None));
    // A hard limit of 0 closes the day.
    let acct = store.account(&acct.id).await.unwrap().unwrap();
    assert_eq!(
        store.set_hard_limit(&acct, Some(0), day(), &e).await,
        Err(HardLimitError::BelowUsage)
    );
    store
        .set_hard_limit(&acct, Some(0), day().next(), &e)
        .await
        .unwrap();
    assert_eq!(
        store
            .meter(&keyed(&acct.id, day().next(), 100, None, 1))
            .await
            .unwrap(),
        full(0, 6, Some(0))
    );
}

#[tokio::test]
async fn an_accounts_hard_limit_reaches_every_month_it_opens_but_never_overrides_a_months_own() {
    hard_limits_of_new_months(&*store().await).await;
    // The in-memory store of the unit tests behaves the same.
    hard_limits_of_new_months(&MemoryStore::new()).await;
}

async fn hard_limits_of_new_months(store: &dyn Store) {
    let acct = Account {
        hard_limit: Some(2),
        ..account("acct00000010", "i@x.io")
    };
    store.register(&acct, &registered()).await.unwrap();
    let meter = |day, rev| keyed(&acct.id, day, 100, None, rev);
    assert!(
        store
            .open_month(&acct.id, day().month(), 1, Some(2))
            .await
            .unwrap()
    );
    for used in 1..=2 {
        assert_eq!(
            store.meter(&meter(day(), 1)).await.unwrap(),
            admitted(used, used, Some(2))
        );
    }
    assert_eq!(
        store.meter(&meter(day(), 1)).await.unwrap(),
        full(2, 2, Some(2))
    );

    // Raised; a container still holding the old account reopens the month: no effect.
    let e = event(EventKind::HardLimitSet);
    store
        .set_hard_limit(&acct, Some(3), day(), &e)
        .await
        .unwrap();
    assert!(
        store
            .open_month(&acct.id, day().month(), 1, Some(2))
            .await
            .unwrap()
    );
    assert_eq!(
        store.meter(&meter(day(), 1)).await.unwrap(),
        admitted(3, 3, Some(3))
    );

    // A regeneration keeps this month's own limit, and next month's, which setting the limit
    // wrote: a regeneration reading another limit (5) does not override them.
    let stale = Account {
        hard_limit: Some(5),
        ..acct.clone()
    };
    let next = day().month().next().first_day();
    assert!(regenerate(store, &stale, 1, day()).await);
    assert_eq!(
        store.meter(&meter(day(), 2)).await.unwrap(),
        full(3, 3, Some(3))
    );
    assert_eq!(
        store.meter(&meter(next, 2)).await.unwrap(),
        admitted(1, 1, Some(3))
    );
    // A month that neither opened gets the account's limit as the regeneration read it.
    let stored = store.account(&acct.id).await.unwrap().unwrap();
    let stale = Account {
        hard_limit: Some(5),
        ..stored
    };
    assert!(regenerate(store, &stale, 2, next).await);
    let after = next.month().next().first_day();
    assert_eq!(
        store.meter(&meter(after, 3)).await.unwrap(),
        admitted(1, 1, Some(5))
    );
}

#[tokio::test]
async fn a_hard_limit_set_or_cleared_after_a_regeneration_holds_the_next_month() {
    hard_limits_after_a_regeneration(&*store().await).await;
    hard_limits_after_a_regeneration(&MemoryStore::new()).await;
}

/// Metering on the first of next month until refused: (admitted, the hard limit the refusal
/// reports).
async fn admitted_next_month(store: &dyn Store, id: &str, rev: u64) -> (u32, Option<u32>) {
    let meter = keyed(id, day().month().next().first_day(), 40, None, rev);
    loop {
        match store.meter(&meter).await.unwrap() {
            Metered::Admitted { .. } => {}
            Metered::Full { counts, hard_limit } => return (counts.day, hard_limit),
            Metered::Unverified => panic!("next month was opened for revision {rev}"),
        }
    }
}

async fn hard_limits_after_a_regeneration(store: &dyn Store) {
    let e = event(EventKind::HardLimitSet);
    // A cap set after a regeneration opened next month reaches next month.
    let acct = account("acct00000020", "cap@x.io");
    store.register(&acct, &registered()).await.unwrap();
    assert!(regenerate(store, &acct, 1, day()).await);
    let acct = store.account(&acct.id).await.unwrap().unwrap();
    store
        .set_hard_limit(&acct, Some(3), day(), &e)
        .await
        .unwrap();
    assert_eq!(admitted_next_month(store, &acct.id, 2).await, (3, Some(3)));

    // A cap cleared after a regeneration opened next month with it is cleared there too, and a
    // container still holding the capped account cannot put it back.
    let acct = account("acct00000021", "uncap@x.io");
    store.register(&acct, &registered()).await.unwrap();
    store
        .set_hard_limit(&acct, Some(12), day(), &e)
        .await
        .unwrap();
    let capped = store.account(&acct.id).await.unwrap().unwrap();
    assert!(regenerate(store, &capped, 1, day()).await);
    let capped = store.account(&acct.id).await.unwrap().unwrap();
    store
        .set_hard_limit(&capped, None, day(), &e)
        .await
        .unwrap();
    assert!(
        store
            .open_month(&acct.id, day().month().next(), 2, Some(12))
            .await
            .unwrap()
    );
    assert_eq!(admitted_next_month(store, &acct.id, 2).await, (40, None));
    assert_eq!(
        store
            .peek(&Meterer::Account(acct.id.clone()), day())
            .await
            .unwrap(),
        (Counts::default(), None)
    );
}

#[tokio::test]
async fn usage_history_spans_days_and_months() {
    usage_history_spans_days_on(store().await).await;
    // The in-memory store of the HTTP tests behaves the same.
    usage_history_spans_days_on(Arc::new(MemoryStore::new())).await;
}

async fn usage_history_spans_days_on(store: Arc<dyn Store>) {
    let who = Meterer::Ip("history".to_owned());
    // 2026-11-23 back to 2026-10-14: two months' counters.
    for (offset, requests) in [(0, 3), (1, 1), (5, 2), (23, 4), (29, 1), (40, 1)] {
        for _ in 0..requests {
            let meter = Meter {
                who: who.clone(),
                day: day().minus(offset),
                ..anonymous(10)
            };
            store.meter(&meter).await.unwrap();
        }
    }
    let history = store.usage(&who, day().minus(29), day()).await.unwrap();
    assert_eq!(
        history,
        vec![
            (day().minus(29), 1),
            (day().minus(23), 4),
            (day().minus(5), 2),
            (day().minus(1), 1),
            (day(), 3)
        ]
    );
    assert_eq!(day().minus(23).iso(), "2026-10-31");
    assert_eq!(
        store.peek(&who, day()).await.unwrap().0,
        Counts { day: 3, month: 6 }
    );
}

/// The worst case of the one metered write: an address's counter (the longest key) on the 31st
/// of a month with every day counted in the billions costs one write unit.
#[tokio::test]
async fn a_full_months_counter_costs_one_write_unit() {
    let (client, table) = fresh_table("wru").await;
    let store = DynamoStore::new(client.clone(), table.clone()).measuring_capacity();
    let last = Month::parse("2026-12").unwrap().last_day();
    let who = Meterer::Ip("f".repeat(64));
    let mut item = std::collections::HashMap::from([
        (
            "pk".to_owned(),
            aws_sdk_dynamodb::types::AttributeValue::S(format!("USAGE#IP#{}", "f".repeat(64))),
        ),
        (
            "sk".to_owned(),
            aws_sdk_dynamodb::types::AttributeValue::S("MONTH#2026-12".to_owned()),
        ),
        (
            "used".to_owned(),
            aws_sdk_dynamodb::types::AttributeValue::N("4000000000".to_owned()),
        ),
        (
            "expires_at".to_owned(),
            aws_sdk_dynamodb::types::AttributeValue::N("1800000000".to_owned()),
        ),
    ]);
    for d in last.month().days() {
        let attribute = format!("d{:02}", d.of_month());
        item.insert(
            attribute,
            aws_sdk_dynamodb::types::AttributeValue::N("999999999".to_owned()),
        );
    }
    client
        .put_item()
        .table_name(&table)
        .set_item(Some(item))
        .send()
        .await
        .unwrap();
    let meter = Meter {
        who,
        day: last,
        daily: u32::MAX,
        monthly: Some(u32::MAX),
        rev: None,
    };
    assert!(matches!(
        store.meter(&meter).await.unwrap(),
        Metered::Admitted { .. }
    ));
    assert_eq!(store.consumed_write_units(), 1.0);
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

/// README's upgrade note: an account item written before plans (a `tier`, no revision) reads as
/// its plan at revision 0, meters once its month is opened, and takes the first change to it.
#[tokio::test]
async fn an_account_written_before_plans_keeps_working() {
    use aws_sdk_dynamodb::types::AttributeValue::{N, S};
    let (client, table) = fresh_table("upgrade").await;
    let store = DynamoStore::new(client.clone(), table.clone());
    let item = std::collections::HashMap::from([
        ("pk".to_owned(), S("ACCOUNT#oldACCOUNT01".to_owned())),
        ("sk".to_owned(), S("ACCOUNT".to_owned())),
        ("email_hash".to_owned(), S("hash-of-old".to_owned())),
        ("key_hash".to_owned(), S("$argon2id$key".to_owned())),
        ("regen_hash".to_owned(), S("$argon2id$regen".to_owned())),
        ("key_version".to_owned(), N("3".to_owned())),
        ("tier".to_owned(), S("team".to_owned())),
        ("created_at".to_owned(), N(AT.to_string())),
    ]);
    client
        .put_item()
        .table_name(&table)
        .set_item(Some(item))
        .send()
        .await
        .unwrap();
    let old = store.account("oldACCOUNT01").await.unwrap().unwrap();
    assert_eq!(
        (old.plan.as_str(), old.rev, old.key_version),
        (plan::TEAM, 0, 3)
    );
    assert!(
        store
            .open_month(&old.id, day().month(), 0, None)
            .await
            .unwrap()
    );
    assert_eq!(
        store
            .meter(&keyed(&old.id, day(), 5, None, 0))
            .await
            .unwrap(),
        admitted(1, 1, None)
    );
    assert!(regenerate(&store, &old, 1, day()).await);
    let new = store.account(&old.id).await.unwrap().unwrap();
    assert_eq!(
        (new.plan.as_str(), new.rev, new.key_version),
        (plan::TEAM, 1, 4)
    );
    let raw = client
        .get_item()
        .table_name(&table)
        .key("pk", S("ACCOUNT#oldACCOUNT01".to_owned()))
        .key("sk", S("ACCOUNT".to_owned()))
        .send()
        .await
        .unwrap();
    let raw = raw.item().unwrap();
    assert!(raw.get("tier").is_none() && raw.get("plan").is_some());
    assert_eq!(
        store
            .meter(&keyed(&old.id, day(), 5, None, 1))
            .await
            .unwrap(),
        admitted(2, 2, None)
    );
}

/// A one-shot HTTP server on loopback that answers each connection as `answers` says, in turn:
/// `None` closes the connection after reading the request, without a word. Returns its endpoint
/// and the number of requests it read.
fn scripted_server(
    answers: Vec<Option<&'static str>>,
) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = Arc::clone(&seen);
    std::thread::spawn(move || {
        for answer in answers {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            let mut reader = BufReader::new(stream);
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut stream = reader.into_inner();
            if let Some(body) = answer {
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.0\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        }
    });
    (endpoint, seen)
}

/// The SDK's requests go over the functions' one HTTP stack (reqwest): a connection dropped
/// before the answer is a transport failure the SDK retries, and the answer after it is read
/// whole.
#[tokio::test]
async fn the_sdk_retries_a_dropped_connection_over_the_one_http_stack() {
    let (endpoint, seen) = scripted_server(vec![None, Some(r#"{"TableNames":["t"]}"#)]);
    let client = passwordapi::store::dynamodb::client(Some(&endpoint)).await;
    let tables = client.list_tables().send().await.expect("retried");
    assert_eq!(tables.table_names(), ["t"]);
    assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 2);
    // Two drops: the second attempt is the last (the functions' retry policy), an error.
    let (endpoint, seen) = scripted_server(vec![None, None, Some("{}")]);
    let client = passwordapi::store::dynamodb::client(Some(&endpoint)).await;
    assert!(client.list_tables().send().await.is_err());
    assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 2);
}
