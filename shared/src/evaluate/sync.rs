//! The breach mirror's sync: passes over all 16^5 prefixes, each run a bounded slice of one.
//!
//! A pass walks the prefixes in order, [`Settings::chunk`] at a time ([`Settings::concurrency`] in
//! flight), syncing each with [`sync_prefix`](super::mirror::sync_prefix) (the held `ETag`, a check
//! before a write, retries). Its place is kept in the [`Ledger`] (one item of the table): a run
//! first claims the ledger's lease, then commits each chunk on condition that it still holds the
//! lease and the cursor is where it found it, so a run killed at any point is resumed from its last
//! committed chunk by the next, and two runs that overlap never both move the cursor (the second
//! finds the lease held and stops; one whose lease ran out stops at its next commit). A prefix that
//! still fails after its retries is kept in the pass's retry list and tried again once the walk has
//! reached the end; the pass completes when that list is empty. A chunk in which most prefixes fail
//! (the upstream is down) is not committed: the run stops, and the next run begins again at that
//! chunk; so is one still running at the run's [`Settings::deadline`].

use super::hibp::HibpClient;
use super::mirror::{Mirror, prefixes, sync_slice};
use async_trait::async_trait;
use std::time::{Duration, Instant};

/// Every prefix: 16^5.
pub const PREFIXES: u32 = 1 << 20;
/// Most prefixes a pass keeps to retry: more failures than this and the run stops instead.
pub const MAX_RETRY: usize = 1_000;

/// How a run works.
#[derive(Clone, Debug)]
pub struct Settings {
    /// No chunk starts after this much time (the function's timeout is 15 minutes).
    pub budget: Duration,
    /// No chunk runs past this much time: one still running then (a stalled upstream or
    /// bucket) is cut off uncommitted and the run ends, so that it ends before the function's
    /// timeout and gives its lease up.
    pub deadline: Duration,
    /// How long a claimed lease lasts (renewed by every commit): longer than a run can live, so
    /// that only a run that died leaves it to expire.
    pub lease: Duration,
    /// Prefixes per committed chunk.
    pub chunk: u32,
    /// Prefixes synced at once.
    pub concurrency: usize,
    /// Where a pass's walk ends: [`PREFIXES`] (every prefix); lower only in tests.
    pub end: u32,
}

impl Settings {
    /// The deployed function's: a 12-minute budget, a 14-minute deadline, a 16-minute lease
    /// (past the 15-minute timeout), chunks of 512, 32 at once.
    pub const LAMBDA: Settings = Settings {
        budget: Duration::from_secs(12 * 60),
        deadline: Duration::from_secs(14 * 60),
        lease: Duration::from_secs(16 * 60),
        chunk: 512,
        concurrency: 32,
        end: PREFIXES,
    };
}

/// The pass in progress.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    /// When it began (Unix milliseconds).
    pub started_ms: i64,
    /// The next prefix of the walk ([`PREFIXES`] when the walk is done).
    pub next: u32,
    /// Prefixes that failed, to try again (sorted).
    pub retry: Vec<String>,
    /// Prefixes written in this pass.
    pub written: u64,
    /// Prefixes found current in this pass.
    pub unchanged: u64,
}

/// The last pass that completed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Completed {
    /// When it began: every range was current at that time or later.
    pub started_ms: i64,
    /// When it completed.
    pub completed_ms: i64,
}

/// Who holds the ledger, until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    /// The run that claimed it.
    pub owner: String,
    /// Until when (Unix milliseconds).
    pub until_ms: i64,
}

/// The sync's state, as the ledger holds it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct State {
    /// The pass in progress, if any.
    pub pass: Option<Pass>,
    /// The last pass that completed, if any.
    pub completed: Option<Completed>,
    /// The lease, if one was ever claimed.
    pub lease: Option<Lease>,
}

impl State {
    /// The share of the pass in progress walked, 0–1 (1 when no pass is in progress).
    pub fn progress(&self) -> f64 {
        self.pass
            .as_ref()
            .map_or(1.0, |p| f64::from(p.next) / f64::from(PREFIXES))
    }

    /// How old the oldest range can be at `now_ms`: since the last completed pass began (`None`
    /// before a pass has completed).
    pub fn oldest_age(&self, now_ms: i64) -> Option<Duration> {
        self.completed
            .map(|c| Duration::from_millis(now_ms.saturating_sub(c.started_ms).max(0) as u64))
    }
}

/// One chunk's outcome, committed to the ledger.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Step {
    /// The cursor the chunk began at (the commit's condition).
    pub from: u32,
    /// The cursor after it (equal to `from` for retries).
    pub to: u32,
    /// Prefixes written.
    pub written: u64,
    /// Prefixes found current.
    pub unchanged: u64,
    /// Prefixes of the walk that failed: added to the retry list.
    pub failed: Vec<String>,
    /// Prefixes of the retry list that succeeded: removed from it.
    pub recovered: Vec<String>,
}

/// The ledger could not be read or written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the sync's ledger: {0}")]
pub struct LedgerError(pub String);

/// Where the sync keeps its place. Every write is conditional on the caller holding the lease.
#[async_trait]
pub trait Ledger: Send + Sync {
    /// The state (strongly consistent).
    async fn state(&self) -> Result<State, LedgerError>;
    /// Claims the lease for `owner` until `until_ms` if nobody holds it at `now_ms`: the state
    /// then, or `None` when another run holds it.
    async fn claim(
        &self,
        owner: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<Option<State>, LedgerError>;
    /// Begins a pass at `now_ms` (the cursor at 0, no counts, no retries) unless one is in
    /// progress; `false` when `owner` no longer holds the lease or a pass is in progress.
    async fn begin(&self, owner: &str, now_ms: i64) -> Result<bool, LedgerError>;
    /// Commits a chunk and extends the lease to `until_ms`; `false` (nothing written) when
    /// `owner` no longer holds the lease or the cursor is not at `step.from`.
    async fn commit(&self, owner: &str, step: &Step, until_ms: i64) -> Result<bool, LedgerError>;
    /// Completes the pass at `now_ms` (its walk done at `end` and its retry list empty); `false`
    /// when `owner` no longer holds the lease or the pass is not done.
    async fn complete(&self, owner: &str, now_ms: i64, end: u32) -> Result<bool, LedgerError>;
    /// Gives the lease up, if `owner` holds it.
    async fn release(&self, owner: &str) -> Result<(), LedgerError>;
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Another run holds the lease: nothing done.
    Busy,
    /// No pass in progress and none asked for: nothing done.
    Idle,
    /// Its budget ran out with the pass still in progress.
    Paused,
    /// The pass completed.
    Completed,
    /// The walk is done and the prefixes left to retry failed again.
    RetriesLeft,
    /// Most prefixes of a chunk failed (the upstream is failing): the chunk was not committed.
    UpstreamFailing,
    /// The lease was lost (the run outlived it): it stopped without committing.
    LeaseLost,
    /// A chunk was still running at the run's deadline: it was cut off uncommitted, and the
    /// next run starts there again.
    CutShort,
}

impl Outcome {
    /// Its name in logs and the admin tool.
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Busy => "busy",
            Outcome::Idle => "idle",
            Outcome::Paused => "paused",
            Outcome::Completed => "completed",
            Outcome::RetriesLeft => "retries_left",
            Outcome::UpstreamFailing => "upstream_failing",
            Outcome::LeaseLost => "lease_lost",
            Outcome::CutShort => "cut_short",
        }
    }
}

/// What a run did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// How it ended.
    pub outcome: Outcome,
    /// Prefixes synced and committed.
    pub synced: u64,
    /// Of them, written.
    pub written: u64,
    /// Of them, that failed (kept to retry).
    pub failed: u64,
    /// The state it left (as it last read or wrote it).
    pub state: State,
}

/// Unix milliseconds now, as the ledger records times.
pub type Clock = dyn Fn() -> i64 + Send + Sync;

/// What a run works with.
pub struct Syncer<'a> {
    /// Where it keeps its place.
    pub ledger: &'a dyn Ledger,
    /// The range API.
    pub upstream: &'a HibpClient,
    /// The mirror.
    pub mirror: &'a Mirror,
    /// How it works.
    pub settings: &'a Settings,
    /// The time, as the ledger records it.
    pub clock: &'a Clock,
}

impl Syncer<'_> {
    /// One run: claims the lease, begins a pass when none is in progress and `start` asks for
    /// one, then syncs and commits chunks until the pass completes or the budget is spent, and
    /// gives the lease up. `progress` is told after every committed chunk.
    pub async fn run(
        &self,
        owner: &str,
        start: bool,
        progress: &(dyn Fn(&Run) + Send + Sync),
    ) -> Result<Run, LedgerError> {
        let (ledger, clock) = (self.ledger, self.clock);
        let began = Instant::now();
        let lease_ms = self.settings.lease.as_millis() as i64;
        let now = clock();
        let Some(state) = ledger.claim(owner, now, now + lease_ms).await? else {
            return Ok(Run {
                outcome: Outcome::Busy,
                synced: 0,
                written: 0,
                failed: 0,
                state: ledger.state().await?,
            });
        };
        let mut run = Run {
            outcome: Outcome::Paused,
            synced: 0,
            written: 0,
            failed: 0,
            state,
        };
        if run.state.pass.is_none() {
            if !start {
                ledger.release(owner).await?;
                run.outcome = Outcome::Idle;
                return Ok(run);
            }
            if !ledger.begin(owner, now).await? {
                run.outcome = Outcome::LeaseLost;
                return Ok(run);
            }
            run.state.pass = Some(Pass {
                started_ms: now,
                ..Pass::default()
            });
        }
        run.outcome = self.walk(owner, began, &mut run, progress).await?;
        if run.outcome != Outcome::LeaseLost {
            ledger.release(owner).await?;
        }
        Ok(run)
    }

    /// The chunks of one run (see [`Syncer::run`]).
    async fn walk(
        &self,
        owner: &str,
        began: Instant,
        run: &mut Run,
        progress: &(dyn Fn(&Run) + Send + Sync),
    ) -> Result<Outcome, LedgerError> {
        let (ledger, clock, settings) = (self.ledger, self.clock, self.settings);
        let (upstream, mirror) = (self.upstream, self.mirror);
        let lease_ms = settings.lease.as_millis() as i64;
        // The retry list as this run found it at the end of the walk: tried once per run.
        let mut retries: Option<std::vec::IntoIter<String>> = None;
        loop {
            let pass = run.state.pass.clone().unwrap_or_default();
            let retrying = pass.next >= settings.end;
            if retrying && pass.retry.is_empty() {
                let now = clock();
                if !ledger.complete(owner, now, settings.end).await? {
                    return Ok(Outcome::LeaseLost);
                }
                run.state.completed = Some(Completed {
                    started_ms: pass.started_ms,
                    completed_ms: now,
                });
                run.state.pass = None;
                return Ok(Outcome::Completed);
            }
            if began.elapsed() >= settings.budget {
                return Ok(Outcome::Paused);
            }
            let batch: Vec<String> = match retrying {
                false => prefixes(
                    pass.next,
                    (pass.next + settings.chunk).min(settings.end) - 1,
                )
                .collect(),
                true => retries
                    .get_or_insert_with(|| pass.retry.clone().into_iter())
                    .by_ref()
                    .take(settings.chunk as usize)
                    .collect(),
            };
            if batch.is_empty() {
                return Ok(Outcome::RetriesLeft);
            }
            let left = settings.deadline.saturating_sub(began.elapsed());
            let chunk = sync_slice(
                upstream,
                mirror,
                batch.iter().cloned(),
                settings.concurrency,
            );
            // Dropping the chunk abandons its requests: a range is replaced by one PUT, whole
            // or not at all.
            let Ok(report) = tokio::time::timeout(left, chunk).await else {
                tracing::warn!(
                    of = batch.len(),
                    "breach sync: a chunk was still running at the run's deadline; it is left \
                     for the next run"
                );
                return Ok(Outcome::CutShort);
            };
            for (prefix, why) in &report.failed {
                tracing::warn!(prefix, why, "breach sync: a prefix failed");
            }
            // In prefix order, as the report gives them (and the batch is).
            let failed: Vec<String> = report.failed.into_iter().map(|(p, _)| p).collect();
            let mut step = Step {
                from: pass.next,
                to: pass.next,
                written: report.written as u64,
                unchanged: report.unchanged as u64,
                ..Step::default()
            };
            match retrying {
                false => {
                    step.to += batch.len() as u32;
                    step.failed = failed;
                }
                // Those that failed again stay on the list: nothing to add.
                true => {
                    step.recovered = batch
                        .iter()
                        .filter(|p| failed.binary_search(p).is_err())
                        .cloned()
                        .collect()
                }
            }
            if !retrying
                && (step.failed.len() * 2 > batch.len()
                    || pass.retry.len() + step.failed.len() > MAX_RETRY)
            {
                tracing::warn!(
                    failed = step.failed.len(),
                    of = batch.len(),
                    "breach sync: the upstream is failing; the chunk is left for the next run"
                );
                return Ok(Outcome::UpstreamFailing);
            }
            if !ledger.commit(owner, &step, clock() + lease_ms).await? {
                return Ok(Outcome::LeaseLost);
            }
            run.synced += batch.len() as u64;
            run.written += step.written;
            run.failed += step.failed.len() as u64;
            if let Some(pass) = run.state.pass.as_mut() {
                pass.next = step.to;
                pass.written += step.written;
                pass.unchanged += step.unchanged;
                pass.retry.extend(step.failed.iter().cloned());
                pass.retry
                    .retain(|p| step.recovered.binary_search(p).is_err());
                pass.retry.sort();
            }
            progress(run);
        }
    }
}
