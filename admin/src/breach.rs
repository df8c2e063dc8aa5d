//! `breach status` and `breach sync`: the breach mirror's sync, as the scheduled function runs it
//! (`passwordapi::evaluate::sync`), seen and run from the operator's machine.

use super::{Failure, Line, render, usage};
use passwordapi::Config;
use passwordapi::evaluate::bucket::Bucket;
use passwordapi::evaluate::hibp::HibpClient;
use passwordapi::evaluate::mirror::{self, Mirror, SliceReport};
use passwordapi::evaluate::sync::{Ledger, PREFIXES};
use passwordapi::operator::format_time;
use passwordapi::store::dynamodb::DynamoStore;
use serde_json::json;
use std::time::Duration;

/// The bucket `make dev` creates on its local S3-compatible server.
pub const LOCAL_BUCKET: &str = "passwordapi-mirror";
/// Where `make dev`'s local S3-compatible server listens (`MIRROR_PORT`, default 8333).
fn local_endpoint() -> String {
    let port = std::env::var("MIRROR_PORT").unwrap_or_else(|_| "8333".to_owned());
    format!("http://127.0.0.1:{port}")
}

/// Prefixes synced at once, and how many between progress lines.
const CONCURRENCY: usize = 32;
const CHUNK: usize = 4_096;

/// A breach command, checked.
pub enum Breach {
    Status,
    Sync { from: u32, to: u32 },
}

/// The breach command of `words`, if they name one.
pub fn command(line: &Line, words: &[&str]) -> Result<Option<Breach>, Failure> {
    Ok(Some(match words {
        ["breach", "status", ..] => {
            line.only(&[])?;
            line.args(2, &[])?;
            Breach::Status
        }
        ["breach", "sync", ..] => {
            line.only(&["--prefixes", "--bucket"])?;
            line.args(2, &[])?;
            let text = line
                .flag("--prefixes")
                .ok_or_else(|| usage("breach sync needs --prefixes FROM-TO (e.g. 00000-000FF)"))?;
            let (from, to) = prefixes(text)?;
            if !line.target.local && line.flag("--bucket").is_none() {
                return Err(usage(
                    "breach sync on a deployment needs --bucket NAME (the stack's MirrorBucketName output)",
                ));
            }
            Breach::Sync { from, to }
        }
        ["breach", ..] => {
            return Err(usage(
                "unknown command (breach status, breach sync --prefixes FROM-TO)",
            ));
        }
        _ => return Ok(None),
    }))
}

/// `FROM-TO` or one prefix: five hex characters each, `FROM` ≤ `TO`.
fn prefixes(text: &str) -> Result<(u32, u32), Failure> {
    let one = |p: &str| {
        (p.len() == 5)
            .then(|| u32::from_str_radix(p, 16).ok())
            .flatten()
            .ok_or_else(|| {
                usage(format!(
                    "--prefixes takes five hex characters or FROM-TO (e.g. 00000-000FF), not {text:?}"
                ))
            })
    };
    let (from, to) = match text.split_once('-') {
        Some((from, to)) => (one(from)?, one(to)?),
        None => (one(text)?, one(text)?),
    };
    if from > to {
        return Err(usage(format!("--prefixes {text}: FROM is after TO")));
    }
    Ok((from, to))
}

impl Breach {
    pub async fn run(
        self,
        line: &Line,
        config: &Config,
        store: &DynamoStore,
    ) -> Result<String, Failure> {
        match self {
            Breach::Status => status(line, store).await,
            Breach::Sync { from, to } => sync(line, config, from, to).await,
        }
    }
}

async fn status(line: &Line, store: &DynamoStore) -> Result<String, Failure> {
    let state = store
        .state()
        .await
        .map_err(|e| Failure::Store(e.to_string()))?;
    let now = passwordapi::quota::now_ms();
    // A lease that has run out is held by nobody.
    let lease = state.lease.as_ref().filter(|l| l.until_ms > now);
    let mut value = passwordapi::schedule::state_report(&state, now);
    value["lease"] = json!(lease.map(|l| json!({
        "owner": l.owner,
        "until": format_time(l.until_ms),
    })));
    Ok(render(line.json, &value, |_| {
        let mut out = String::new();
        match &state.pass {
            Some(p) => out.push_str(&format!(
                "pass            in progress since {}: {} of {} prefixes ({:.1}%), {} written, {} unchanged, {} to retry{}\n",
                format_time(p.started_ms),
                p.next,
                PREFIXES,
                state.progress() * 100.0,
                p.written,
                p.unchanged,
                p.retry.len(),
                match p.retry.len() {
                    0 => String::new(),
                    n if n <= 10 => format!(" ({})", p.retry.join(", ")),
                    _ => format!(" ({}, …)", p.retry[..10].join(", ")),
                }
            )),
            None => out.push_str("pass            none in progress\n"),
        }
        match state.completed {
            Some(c) => {
                out.push_str(&format!(
                    "last complete   began {}, completed {}\n",
                    format_time(c.started_ms),
                    format_time(c.completed_ms)
                ));
                let age = state.oldest_age(now).unwrap_or_default().as_secs();
                out.push_str(&format!(
                    "oldest range    {} (every range was fetched or found unchanged since the last complete pass began)\n",
                    age_text(age)
                ));
            }
            None => out.push_str(
                "last complete   none yet (with BreachSource=auto, breach checks ask the range API until one completes)\n",
            ),
        }
        match lease {
            Some(l) => out.push_str(&format!(
                "lease           held by run {} until {}\n",
                l.owner,
                format_time(l.until_ms)
            )),
            None => out.push_str("lease           free (no run in progress)\n"),
        }
        out
    }))
}

fn age_text(seconds: u64) -> String {
    match seconds {
        s if s < 3_600 => format!("{} minutes", s / 60),
        s if s < 2 * 86_400 => format!("{} hours", s / 3_600),
        s => format!("{} days", s / 86_400),
    }
}

/// The mirror the target names: `make dev`'s local one (its placeholder credentials), or the
/// deployment's `--bucket` with the environment's credentials and region.
async fn mirror(line: &Line, config: &Config) -> Mirror {
    const TIMEOUT: Duration = passwordapi::schedule::BUCKET_TIMEOUT;
    if line.target.local {
        let endpoint = config
            .mirror_endpoint
            .clone()
            .unwrap_or_else(local_endpoint);
        let name = config.mirror_bucket.as_deref().unwrap_or(LOCAL_BUCKET);
        let credentials = Bucket::static_credentials("local", "local");
        return Mirror::new(Bucket::new(
            &endpoint,
            name,
            "us-east-1",
            credentials,
            TIMEOUT,
        ));
    }
    let mut config = config.clone();
    config.mirror_bucket = line.flag("--bucket").map(str::to_owned);
    if let Some(region) = &line.target.region {
        config.region = region.clone();
    }
    let bucket = passwordapi::aws::mirror_bucket(&config, None, TIMEOUT)
        .await
        .expect("--bucket was checked");
    Mirror::new(bucket)
}

/// Syncs `from..=to` from `HIBP_API_URL` into the target's mirror, as the function does (the
/// held ETag, a check before each write, retries), printing a progress line to stderr every
/// 4,096 prefixes. The scheduled pass's cursor is not touched.
async fn sync(line: &Line, config: &Config, from: u32, to: u32) -> Result<String, Failure> {
    let mirror = mirror(line, config).await;
    let upstream = HibpClient::new(&config.hibp_api_url);
    let total = (to - from + 1) as usize;
    let mut report = SliceReport::default();
    let started = std::time::Instant::now();
    let all: Vec<String> = mirror::prefixes(from, to).collect();
    // Chunk by chunk, in prefix order: the failures stay in prefix order.
    for chunk in all.chunks(CHUNK) {
        let part = mirror::sync_slice(&upstream, &mirror, chunk.iter().cloned(), CONCURRENCY).await;
        report.written += part.written;
        report.unchanged += part.unchanged;
        report.failed.extend(part.failed);
        eprintln!(
            "breach sync: {} of {total} prefixes, {} written, {} unchanged, {} failed ({:.0} s)",
            report.written + report.unchanged + report.failed.len(),
            report.written,
            report.unchanged,
            report.failed.len(),
            started.elapsed().as_secs_f64()
        );
    }
    let SliceReport {
        written,
        unchanged,
        failed,
    } = report;
    let value = json!({
        "prefixes": format!("{from:05X}-{to:05X}"),
        "written": written,
        "unchanged": unchanged,
        "failed": failed.iter().map(|(p, why)| json!({"prefix": p, "why": why})).collect::<Vec<_>>(),
    });
    let out = render(line.json, &value, |_| {
        let mut out = format!(
            "{from:05X}-{to:05X}: {written} written, {unchanged} unchanged, {} failed\n",
            failed.len()
        );
        for (prefix, why) in &failed {
            out.push_str(&format!("  {prefix}: {why}\n"));
        }
        out
    });
    match failed.is_empty() {
        true => Ok(out),
        false => {
            print!("{out}");
            Err(Failure::Store(format!(
                "{} prefixes failed; run the same command again to retry them",
                failed.len()
            )))
        }
    }
}
