//! The breach sync function (`functions/breach-sync`), run by its schedules: the weekly one
//! (`{"start": true}`) begins a pass when none is in progress; the frequent one (`{}`) carries a
//! pass in progress on, a slice per run ([`Syncer::run`]). Each run logs its progress after every
//! chunk and ends with one line of CloudWatch metrics (the embedded metric format, so no API call
//! and no permission): the pass's progress, the oldest range's age, what it wrote and what failed.

use crate::config::{Config, ConfigError};
use crate::evaluate::hibp::HibpClient;
use crate::evaluate::mirror::Mirror;
use crate::evaluate::sync::{self, LedgerError, Run, Settings, State, Syncer};
use crate::quota::now_ms;
use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
use serde_json::{Value, json};
use std::time::Duration;

/// How long one S3 request of the sync may take.
pub const BUCKET_TIMEOUT: Duration = Duration::from_secs(10);

/// The metric namespace.
pub const NAMESPACE: &str = "passwordapi";
/// The function (its binary and its metrics' `Function` dimension).
pub const FUNCTION: &str = "breach-sync";

/// The function's work: one run per scheduled event.
pub struct Handler<'a>(pub Syncer<'a>);

impl Handler<'_> {
    /// One run for `event` (`{"start": true}` may begin a pass), as run `owner` (the invocation's
    /// request id): its report, as the function returns it.
    pub async fn handle(&self, owner: &str, event: &Value) -> Result<Value, LedgerError> {
        let start = event.get("start").and_then(Value::as_bool) == Some(true);
        let progress = |run: &Run| {
            let pass = run.state.pass.as_ref();
            tracing::info!(
                next = pass.map_or(0, |p| p.next),
                of = sync::PREFIXES,
                synced = run.synced,
                written = run.written,
                failed = run.failed,
                "breach sync: progress"
            );
        };
        let run = self.0.run(owner, start, &progress).await?;
        let now = now_ms();
        println!("{}", metrics(&run, now));
        let report = report(&run, now);
        tracing::info!(
            outcome = run.outcome.name(),
            synced = run.synced,
            written = run.written,
            failed = run.failed,
            "breach sync: run ended"
        );
        Ok(report)
    }
}

/// Where the sync stands: the pass in progress (its prefixes to retry with their count), the
/// last complete one, the oldest range's age (the function's report and `breach status`).
pub fn state_report(state: &State, now_ms: i64) -> Value {
    json!({
        "pass": state.pass.as_ref().map(|p| json!({
            "started_at": crate::operator::format_time(p.started_ms),
            "next": format!("{:05X}", p.next.min(sync::PREFIXES - 1)),
            "walked": p.next,
            "of": sync::PREFIXES,
            "written": p.written,
            "unchanged": p.unchanged,
            "to_retry": p.retry.len(),
            "retry": p.retry,
        })),
        "last_completed": state.completed.map(|c| json!({
            "started_at": crate::operator::format_time(c.started_ms),
            "completed_at": crate::operator::format_time(c.completed_ms),
        })),
        "oldest_range_age_seconds": state.oldest_age(now_ms).map(|a| a.as_secs()),
    })
}

/// A run's report: how it ended, what it did, and where the sync stands ([`state_report`]).
pub fn report(run: &Run, now_ms: i64) -> Value {
    let mut report = state_report(&run.state, now_ms);
    report["outcome"] = json!(run.outcome.name());
    report["synced"] = json!(run.synced);
    report["written"] = json!(run.written);
    report["failed"] = json!(run.failed);
    report
}

/// The run's metrics as one embedded-metric-format log line.
pub fn metrics(run: &Run, now_ms: i64) -> Value {
    let pass = run.state.pass.as_ref();
    let mut values = vec![
        (
            "BreachSyncProgress",
            "Percent",
            json!(run.state.progress() * 100.0),
        ),
        ("BreachSyncWritten", "Count", json!(run.written)),
        ("BreachSyncFailed", "Count", json!(run.failed)),
        (
            "BreachSyncToRetry",
            "Count",
            json!(pass.map_or(0, |p| p.retry.len())),
        ),
    ];
    if let Some(age) = run.state.oldest_age(now_ms) {
        values.push((
            "BreachMirrorOldestRangeAge",
            "Seconds",
            json!(age.as_secs()),
        ));
    }
    let mut line = json!({
        "_aws": {
            "Timestamp": now_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [["Function"]],
                "Metrics": values
                    .iter()
                    .map(|(name, unit, _)| json!({"Name": name, "Unit": unit}))
                    .collect::<Vec<_>>(),
            }],
        },
        "Function": FUNCTION,
        "outcome": run.outcome.name(),
    });
    for (name, _, value) in values {
        line[name] = value;
    }
    line
}

/// The function's entry point: the table, the mirror and the range API from the environment
/// (`TABLE_NAME`, `MIRROR_BUCKET`, `HIBP_API_URL`), then every scheduled event a run.
pub async fn main() -> Result<(), lambda_runtime::Error> {
    crate::http::init_process();
    let config = Config::from_env()?;
    let (store, credentials) = crate::http::table(&config).await?;
    let bucket = crate::aws::mirror_bucket(&config, credentials, BUCKET_TIMEOUT)
        .await
        .ok_or_else(|| ConfigError::missing("MIRROR_BUCKET"))?;
    let mirror = Mirror::new(bucket);
    let upstream = HibpClient::new(&config.hibp_api_url);
    let settings = Settings {
        budget: config.sync_budget,
        ..Settings::LAMBDA
    };
    let handler = Handler(Syncer {
        ledger: &store,
        upstream: &upstream,
        mirror: &mirror,
        settings: &settings,
        clock: &now_ms,
    });
    let handler = &handler;
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| async move {
        handler
            .handle(&event.context.request_id, &event.payload)
            .await
            .map_err(lambda_runtime::Error::from)
    }))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::sync::{Completed, Outcome, Pass, State};

    fn run(completed: Option<Completed>) -> Run {
        Run {
            outcome: Outcome::Paused,
            synced: 512,
            written: 500,
            failed: 2,
            state: State {
                pass: Some(Pass {
                    started_ms: 1_000,
                    next: 1 << 18,
                    retry: vec!["00001".into(), "00002".into()],
                    written: 250_000,
                    unchanged: 12,
                }),
                completed,
                lease: None,
            },
        }
    }

    /// The metrics line is CloudWatch's embedded metric format: every metric it declares has its
    /// value at the top level; the oldest range's age only once a pass has completed.
    #[test]
    fn the_metrics_line_declares_each_value_it_carries() {
        let now = 8 * 86_400_000;
        for completed in [
            None,
            Some(Completed {
                started_ms: 86_400_000,
                completed_ms: 2 * 86_400_000,
            }),
        ] {
            let line = metrics(&run(completed), now);
            let declared = &line["_aws"]["CloudWatchMetrics"][0];
            assert_eq!(declared["Namespace"], NAMESPACE);
            assert_eq!(declared["Dimensions"], json!([["Function"]]));
            assert_eq!(line["Function"], FUNCTION);
            let names: Vec<&str> = declared["Metrics"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["Name"].as_str().unwrap())
                .collect();
            for name in &names {
                assert!(line[name].is_number(), "{name}");
            }
            assert_eq!(line["BreachSyncProgress"], json!(25.0));
            assert_eq!(line["BreachSyncToRetry"], json!(2));
            let age = line.get("BreachMirrorOldestRangeAge");
            match completed {
                None => assert!(age.is_none() && !names.contains(&"BreachMirrorOldestRangeAge")),
                Some(_) => assert_eq!(age, Some(&json!(7 * 86_400))),
            }
        }
        let report = report(&run(None), now);
        assert_eq!(report["pass"]["next"], "40000");
        assert_eq!(report["pass"]["to_retry"], 2);
        assert_eq!(report["oldest_range_age_seconds"], Value::Null);
    }
}
