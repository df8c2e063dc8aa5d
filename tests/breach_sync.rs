//! The breach sync against real parts: DynamoDB Local holds its ledger, SeaweedFS (S3, SigV4
//! checked) the mirror, and the range API stand-in the upstream, with faults injected per prefix.
//! A pass is shortened to the first `END` prefixes (`Settings::end`); everything else is the
//! deployed code path.

use integration_tests::aws_calls::as_function;
use integration_tests::dynamo::fresh_table;
use integration_tests::range_server::{Behaviour, Fault, RangeServer, sha1_hex};
use integration_tests::s3::LocalS3;
use passwordapi::evaluate::breach::{BreachCheck, Origin, check};
use passwordapi::evaluate::bucket::Bucket;
use passwordapi::evaluate::hibp::{Fetched, HibpClient};
use passwordapi::evaluate::mirror::{self, Mirror};
use passwordapi::evaluate::sync::{Ledger, Outcome, Run, Settings, Syncer};
use passwordapi::quota::now_ms;
use passwordapi::schedule::FUNCTION;
use passwordapi::store::dynamodb::DynamoStore;
use std::time::Duration;

/// Passwords whose SHA-1 prefix falls below `end`, with a breach count each, and one more there
/// that is not in the corpus.
fn corpus(end: u32, n: usize) -> (Vec<(String, u64)>, String) {
    let below = |p: &String| u32::from_str_radix(&sha1_hex(p)[..5], 16).unwrap() < end;
    let mut found = (0..).map(|i| format!("pw-{i}")).filter(below);
    let breached = (&mut found)
        .take(n)
        .enumerate()
        .map(|(i, p)| (p, 10 + i as u64))
        .collect();
    (breached, found.next().unwrap())
}

struct Rig {
    upstream: RangeServer,
    client: HibpClient,
    s3: LocalS3,
    mirror: Mirror,
    ledger: DynamoStore,
}

impl Rig {
    async fn start(breached: &[(String, u64)], behaviour: Behaviour) -> Rig {
        let pairs: Vec<(&str, u64)> = breached.iter().map(|(p, c)| (p.as_str(), *c)).collect();
        let upstream = RangeServer::start(&pairs, &[], behaviour);
        let s3 = LocalS3::start().await;
        let bucket = s3.bucket("mirror");
        bucket.create().await.unwrap();
        let (client, table) = fresh_table("sync").await;
        Rig {
            client: HibpClient::new(&upstream.url()),
            upstream,
            mirror: Mirror::new(bucket),
            s3,
            ledger: DynamoStore::new(client, table),
        }
    }

    fn bucket(&self) -> Bucket {
        self.s3.bucket("mirror")
    }

    async fn run(&self, owner: &str, start: bool, settings: &Settings) -> Run {
        let syncer = Syncer {
            ledger: &self.ledger,
            upstream: &self.client,
            mirror: &self.mirror,
            settings,
            clock: &now_ms,
        };
        // Its DynamoDB calls are recorded as the function's (tests/permissions.rs).
        as_function(FUNCTION, syncer.run(owner, start, &|_| {}))
            .await
            .unwrap()
    }

    /// Every range below `end` is stored whole: exactly the body the upstream serves now.
    async fn assert_every_range_whole(&self, end: u32) {
        use futures_util::StreamExt;
        let bucket = self.bucket();
        let (bucket, client) = (&bucket, &self.client);
        let mut checks = futures_util::stream::iter(mirror::prefixes(0, end - 1))
            .map(|prefix| async move {
                let stored = bucket.get(&mirror::key(&prefix)).await.unwrap();
                let stored = stored.unwrap_or_else(|| panic!("{prefix} is not stored"));
                let Fetched::Range { body, .. } =
                    client.fetch_for_mirror(&prefix, None).await.unwrap()
                else {
                    panic!("asked without an ETag")
                };
                assert_eq!(stored.body, body.as_bytes(), "{prefix}");
            })
            .buffer_unordered(32);
        while checks.next().await.is_some() {}
    }
}

fn settings(end: u32, chunk: u32, lease: Duration) -> Settings {
    Settings {
        budget: Duration::from_secs(120),
        deadline: Duration::from_secs(240),
        lease,
        chunk,
        concurrency: 16,
        end,
    }
}

/// A pass over a corpus in which four prefixes fail every way the upstream can (5xx, no answer
/// in time, a truncated body, a body that is not a range): the run finishes every other prefix,
/// keeps the four to retry (one kept its earlier copy, the others stay absent) and does not
/// complete; once the upstream heals, the next run completes the pass, and every hash is found
/// with its count. A pass after it finds every range unchanged and rewrites none.
#[tokio::test(flavor = "current_thread")]
async fn a_pass_survives_failing_prefixes_and_a_rerun_completes_it() {
    const END: u32 = 0x400;
    let (breached, clean) = corpus(END, 6);
    let rig = Rig::start(&breached, Behaviour::Normal).await;
    let faults = [
        ("00010", Fault::ServerError),
        ("00123", Fault::Timeout),
        ("00200", Fault::Truncated),
        ("003FF", Fault::Malformed),
    ];
    for (prefix, fault) in faults {
        rig.upstream.fault(prefix, fault);
    }
    let earlier = format!("{}:7\r\n", "A".repeat(35));
    let long_ago = std::time::UNIX_EPOCH + Duration::from_secs(1_790_000_000);
    rig.mirror
        .store("00200", &earlier, Some("\"old\""), long_ago)
        .await
        .unwrap();
    let settings = settings(END, 128, Duration::from_secs(60));

    let first = rig.run("first", true, &settings).await;
    assert_eq!(first.outcome, Outcome::RetriesLeft, "{first:?}");
    let pass = first.state.pass.clone().unwrap();
    let failing: Vec<&str> = faults.iter().map(|(p, _)| *p).collect();
    assert_eq!(
        (pass.next, pass.retry.clone()),
        (END, failing.iter().map(|p| p.to_string()).collect())
    );
    assert_eq!(pass.written, u64::from(END) - 4);
    assert_eq!(rig.ledger.state().await.unwrap().pass, Some(pass));
    for prefix in ["00010", "00123", "003FF"] {
        assert!(
            rig.mirror.stored(prefix).await.unwrap().is_none(),
            "{prefix}"
        );
    }
    let kept = rig.mirror.stored("00200").await.unwrap().unwrap();
    assert_eq!(
        (kept.etag.as_deref(), kept.fetched_at),
        (Some("\"old\""), Some(long_ago))
    );

    rig.upstream.heal();
    let second = rig.run("second", false, &settings).await;
    assert_eq!(second.outcome, Outcome::Completed, "{second:?}");
    assert_eq!(second.synced, 4, "only the four were asked again");
    let state = rig.ledger.state().await.unwrap();
    assert_eq!(state.pass, None);
    let completed = state.completed.unwrap();
    assert!(completed.completed_ms >= completed.started_ms);
    assert!(state.oldest_age(now_ms()).unwrap() < Duration::from_secs(120));
    rig.assert_every_range_whole(END).await;
    for (password, count) in &breached {
        let found = check(&rig.mirror, password).await;
        assert_eq!(found.check, BreachCheck::Checked(*count), "{password}");
        assert_eq!(found.provenance.unwrap().origin, Origin::Mirror);
    }
    assert_eq!(
        check(&rig.mirror, &clean).await.check,
        BreachCheck::Checked(0)
    );

    // A new pass: every range answered 304 to its ETag, none rewritten.
    let before = rig
        .mirror
        .stored("00200")
        .await
        .unwrap()
        .unwrap()
        .fetched_at;
    let third = rig.run("third", true, &settings).await;
    assert_eq!(
        (third.outcome.clone(), third.written),
        (Outcome::Completed, 0),
        "{third:?}"
    );
    assert_eq!(third.synced, u64::from(END));
    assert_eq!(
        rig.mirror
            .stored("00200")
            .await
            .unwrap()
            .unwrap()
            .fetched_at,
        before
    );
}

/// A run killed midway (its future dropped after some chunks were committed) holds the lease
/// until it expires: a run meanwhile does nothing; the next resumes at the cursor, asking for no
/// prefix of a committed chunk again, and completes the pass.
#[tokio::test(flavor = "current_thread")]
async fn a_killed_run_is_resumed_from_its_cursor() {
    const END: u32 = 0x300;
    let (breached, _) = corpus(END, 3);
    let rig = Rig::start(&breached, Behaviour::Slow(Duration::from_millis(10))).await;
    let settings = settings(END, 64, Duration::from_secs(3));
    let killed = tokio::select! {
        run = rig.run("killed", true, &settings) => panic!("the run ended first: {run:?}"),
        next = async {
            loop {
                tokio::time::sleep(Duration::from_millis(20)).await;
                let state = rig.ledger.state().await.unwrap();
                if let Some(pass) = state.pass.filter(|p| p.next >= 128) {
                    return pass.next;
                }
            }
        } => next,
    };
    let cursor = rig.ledger.state().await.unwrap().pass.unwrap().next;
    assert!(cursor >= killed && cursor < END);
    let busy = rig.run("meanwhile", false, &settings).await;
    assert_eq!(busy.outcome, Outcome::Busy);
    tokio::time::sleep(settings.lease + Duration::from_millis(200)).await;
    let asked = rig.upstream.prefixes_asked().len();
    let resumed = rig.run("resumed", false, &settings).await;
    assert_eq!(resumed.outcome, Outcome::Completed, "{resumed:?}");
    assert_eq!(resumed.synced, u64::from(END - cursor));
    let again = &rig.upstream.prefixes_asked()[asked..];
    let first = again.iter().min().unwrap();
    assert_eq!(first, &format!("{cursor:05X}"), "resumed at the cursor");
    rig.assert_every_range_whole(END).await;
}

/// Two runs at once: one works, the other finds the lease held and does nothing. A run that
/// outlives its lease (a slow upstream) loses it to the next run, stops at its next commit
/// without writing to the ledger, and the other completes the pass; every range is whole.
#[tokio::test(flavor = "current_thread")]
async fn overlapping_runs_never_both_move_the_cursor() {
    const END: u32 = 0x100;
    let (breached, _) = corpus(END, 2);
    let rig = Rig::start(&breached, Behaviour::Normal).await;
    let normal = settings(END, 64, Duration::from_secs(60));
    let (a, b) = tokio::join!(rig.run("a", true, &normal), rig.run("b", true, &normal));
    let mut outcomes = [a.outcome.name(), b.outcome.name()];
    outcomes.sort();
    assert_eq!(outcomes, ["busy", "completed"]);
    rig.assert_every_range_whole(END).await;

    let slow = Rig::start(&breached, Behaviour::Slow(Duration::from_millis(150))).await;
    let short = settings(END, 64, Duration::from_millis(200));
    let (first, second) = tokio::join!(slow.run("first", true, &short), async {
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let run = slow.run("second", false, &short).await;
            if run.outcome != Outcome::Busy {
                return run;
            }
        }
    });
    assert_eq!(first.outcome, Outcome::LeaseLost, "{first:?}");
    assert_eq!(first.synced, 0, "it committed nothing");
    assert_eq!(second.outcome, Outcome::Completed, "{second:?}");
    assert_eq!(second.synced, u64::from(END));
    slow.assert_every_range_whole(END).await;
}

/// A chunk that a stalled upstream keeps past the run's deadline is cut off there: the run ends
/// at its deadline (not at the function's timeout), commits nothing of that chunk and gives its
/// lease up, so the next run starts at once where it stood and completes the pass.
#[tokio::test(flavor = "current_thread")]
async fn a_chunk_still_running_at_the_deadline_is_cut_off_and_redone() {
    const END: u32 = 0x40;
    let (breached, _) = corpus(END, 2);
    // Four prefixes at once, half a second each: the chunk of 64 takes 8 s or more.
    let stalled = Rig::start(&breached, Behaviour::Slow(Duration::from_millis(500))).await;
    let deadline = Duration::from_millis(400);
    let cut = Settings {
        deadline,
        concurrency: 4,
        ..settings(END, 64, Duration::from_secs(60))
    };
    let started = std::time::Instant::now();
    let run = stalled.run("cut", true, &cut).await;
    let took = started.elapsed();
    assert_eq!(run.outcome, Outcome::CutShort, "{run:?}");
    assert!(took < deadline + Duration::from_secs(3), "{took:?}");
    assert_eq!(run.synced, 0);
    let state = stalled.ledger.state().await.unwrap();
    assert_eq!(state.pass.as_ref().map(|p| p.next), Some(0), "{state:?}");
    assert!(
        state.lease.unwrap().until_ms <= now_ms(),
        "the lease was given up"
    );
    // The next run, at once: not busy, and it starts at the cursor.
    let next = stalled
        .run("next", false, &settings(END, 64, Duration::from_secs(60)))
        .await;
    assert_eq!(next.outcome, Outcome::Completed, "{next:?}");
    assert_eq!(next.synced, u64::from(END));
    stalled.assert_every_range_whole(END).await;
}

/// An upstream that fails every prefix: the run stops at its first chunk without committing it
/// (nothing to retry is recorded, the cursor stays), and the stored ranges are as they were.
#[tokio::test(flavor = "current_thread")]
async fn a_failing_upstream_moves_nothing() {
    let rig = Rig::start(&[], Behaviour::Failing).await;
    let run = rig
        .run("run", true, &settings(0x100, 32, Duration::from_secs(60)))
        .await;
    assert_eq!(run.outcome, Outcome::UpstreamFailing, "{run:?}");
    let state = rig.ledger.state().await.unwrap();
    let pass = state.pass.unwrap();
    assert_eq!((pass.next, pass.retry.len(), pass.written), (0, 0, 0));
    assert!(
        state.lease.unwrap().until_ms <= now_ms(),
        "the lease was given up"
    );
    assert!(rig.mirror.stored("00000").await.unwrap().is_none());
}
