//! The breach corpus mirrored into the team's own bucket: one object per range,
//! `ranges/<PREFIX>`, its body the range as the upstream served it (checked before it is stored:
//! lines `SUFFIX:COUNT`, 35 upper-case hex characters, suffixes strictly increasing, at most
//! [`MAX_RANGE_LINES`] lines and [`MAX_BODY_BYTES`] bytes), its metadata the upstream's `ETag`
//! and when it was fetched. An object is replaced whole by each write, so a reader sees the old
//! range or the new one, never a mix.

use super::breach::{
    BreachError, BreachSource, MAX_RANGE_LINES, Origin, PREFIX_LEN, Provenance, Range, Sourced,
    stored_line,
};
use super::bucket::{Bucket, BucketError};
use super::hibp::MAX_BODY_BYTES;
use std::time::SystemTime;

/// A range as the mirror holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    /// The range.
    pub range: Range,
    /// The upstream's `ETag` for it, when it sent one.
    pub etag: Option<String>,
    /// When it was fetched from the upstream.
    pub fetched_at: Option<SystemTime>,
}

/// Why a range was not stored.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The body is not a range the upstream serves; the stored copy is left as it was.
    #[error("not a range: {0}")]
    Invalid(String),
    /// The bucket did not take it.
    #[error("the bucket: {0}")]
    Bucket(#[from] BucketError),
}

/// Why a stored range could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The bucket did not answer with it.
    #[error("the bucket: {0}")]
    Bucket(#[from] BucketError),
    /// The stored object is not a range (it was checked on its way in, so something else wrote
    /// it): no answer rather than a wrong one.
    #[error("the stored copy is not a range")]
    NotARange,
}

/// The mirror in `bucket`.
#[derive(Clone, Debug)]
pub struct Mirror {
    bucket: Bucket,
}

/// The object key of `prefix`'s range.
pub fn key(prefix: &str) -> String {
    format!("ranges/{prefix}")
}

/// Checks `body` as a range of `prefix` the upstream serves (see the module's notes).
pub fn validate(prefix: &str, body: &str) -> Result<(), String> {
    if prefix.len() != PREFIX_LEN
        || !prefix
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'A'..=b'F'))
    {
        return Err("the prefix is not five upper-case hex characters".to_owned());
    }
    if body.len() > MAX_BODY_BYTES {
        return Err(format!("longer than {MAX_BODY_BYTES} bytes"));
    }
    let mut previous: Option<&[u8]> = None;
    for (i, line) in body.lines().enumerate() {
        if i == MAX_RANGE_LINES {
            return Err(format!("more than {MAX_RANGE_LINES} lines"));
        }
        // The line as reads of the stored copy take it (`Range::stored`).
        let (suffix, _) = stored_line(line.as_bytes())
            .ok_or_else(|| format!("line {} is not SUFFIX:COUNT", i + 1))?;
        if previous.is_some_and(|p| p >= suffix) {
            return Err(format!("line {}: suffixes out of order", i + 1));
        }
        previous = Some(suffix);
    }
    Ok(())
}

impl Mirror {
    /// The mirror kept in `bucket`.
    pub fn new(bucket: Bucket) -> Mirror {
        Mirror { bucket }
    }

    /// The stored copy of `prefix`'s range, if any.
    pub async fn stored(&self, prefix: &str) -> Result<Option<Stored>, ReadError> {
        let Some(object) = self.bucket.get(&key(prefix)).await? else {
            return Ok(None);
        };
        let etag = object.meta("upstream-etag").map(str::to_owned);
        let fetched_at = object
            .meta("fetched-at")
            .and_then(|t| humantime::parse_rfc3339(t).ok());
        // What is stored was checked on its way in (and only the sync may write it): it is
        // searched in place; a copy whose ends do not read as a range is no answer.
        let range = String::from_utf8(object.body)
            .ok()
            .and_then(|body| Range::stored(body).ok())
            .ok_or(ReadError::NotARange)?;
        Ok(Some(Stored {
            range,
            etag,
            fetched_at,
        }))
    }

    /// The upstream's `ETag` of `prefix`'s stored range (read without its body), if one is held.
    pub async fn etag(&self, prefix: &str) -> Result<Option<String>, BucketError> {
        let metadata = self.bucket.metadata(&key(prefix)).await?;
        Ok(metadata.and_then(|m| {
            m.into_iter()
                .find(|(name, _)| name == "upstream-etag")
                .map(|(_, value)| value)
        }))
    }

    /// Replaces `prefix`'s stored range with `body` (checked first: an invalid body leaves the
    /// stored copy as it was), fetched at `fetched_at` with the upstream's `etag`.
    pub async fn store(
        &self,
        prefix: &str,
        body: &str,
        etag: Option<&str>,
        fetched_at: SystemTime,
    ) -> Result<(), StoreError> {
        validate(prefix, body).map_err(StoreError::Invalid)?;
        let fetched = humantime::format_rfc3339_seconds(fetched_at).to_string();
        let mut metadata = vec![("fetched-at", fetched.as_str())];
        if let Some(etag) = etag {
            metadata.push(("upstream-etag", etag));
        }
        self.bucket
            .put(&key(prefix), body.as_bytes().to_vec(), &metadata)
            .await?;
        Ok(())
    }
}

impl BreachSource for Mirror {
    async fn range(&self, prefix: &str) -> Result<Sourced, BreachError> {
        match self.stored(prefix).await {
            Ok(Some(stored)) => Ok(Sourced {
                range: stored.range,
                provenance: Provenance {
                    origin: Origin::Mirror,
                    fetched_at: stored.fetched_at,
                },
            }),
            Ok(None) => Err(BreachError::NotMirrored),
            Err(ReadError::Bucket(BucketError::Transport(e))) => Err(BreachError::Unreachable(e)),
            Err(e) => Err(BreachError::BadResponse(e.to_string())),
        }
    }
}

/// How one prefix's sync ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Synced {
    /// The upstream answered 304 to the held copy's `ETag`: nothing written.
    Unchanged,
    /// A new or changed range, checked and stored.
    Written,
    /// Not synced after every attempt; the stored copy (if any) is as it was.
    Failed(String),
}

/// What a slice of prefixes came to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SliceReport {
    /// Prefixes whose copy was current.
    pub unchanged: usize,
    /// Prefixes written.
    pub written: usize,
    /// Prefixes that failed, with why (no password is involved: prefixes are public).
    pub failed: Vec<(String, String)>,
}

/// Attempts per prefix, and the pause before the second (doubling after it).
pub const ATTEMPTS: u32 = 3;
/// See [`ATTEMPTS`].
pub const FIRST_BACKOFF: std::time::Duration = std::time::Duration::from_millis(200);

/// Syncs one prefix from `upstream` into `mirror`: asks with the held copy's `ETag`, checks a
/// new body and stores it; a transient failure (no answer, a 5xx, a body that is not a range) is
/// retried [`ATTEMPTS`] times with a doubling pause.
pub async fn sync_prefix(
    upstream: &super::hibp::HibpClient,
    mirror: &Mirror,
    prefix: &str,
) -> Synced {
    let mut pause = FIRST_BACKOFF;
    let mut why = String::new();
    // The held copy's ETag, read once (without the body) and again only if that failed.
    let mut held: Option<Option<String>> = None;
    for attempt in 1..=ATTEMPTS {
        if attempt > 1 {
            tokio::time::sleep(pause).await;
            pause *= 2;
        }
        if held.is_none() {
            match mirror.etag(prefix).await {
                Ok(etag) => held = Some(etag),
                Err(e) => {
                    why = format!("reading the stored copy: {e}");
                    continue;
                }
            }
        }
        let etag = held.as_ref().and_then(Option::as_deref);
        match upstream.fetch_for_mirror(prefix, etag).await {
            Ok(super::hibp::Fetched::NotModified) => return Synced::Unchanged,
            Ok(super::hibp::Fetched::Range { body, etag }) => {
                match mirror
                    .store(prefix, &body, etag.as_deref(), SystemTime::now())
                    .await
                {
                    Ok(()) => return Synced::Written,
                    Err(e) => why = e.to_string(),
                }
            }
            Err(e) => why = e.to_string(),
        }
    }
    Synced::Failed(why)
}

/// Syncs every prefix of `prefixes`, `concurrency` at a time, each as [`sync_prefix`] does:
/// how each ended, in no particular order (a failed prefix does not stop the rest).
pub async fn sync_each(
    upstream: &super::hibp::HibpClient,
    mirror: &Mirror,
    prefixes: impl IntoIterator<Item = String>,
    concurrency: usize,
) -> Vec<(String, Synced)> {
    use futures_util::StreamExt;
    futures_util::stream::iter(prefixes)
        .map(|prefix| async move {
            let synced = sync_prefix(upstream, mirror, &prefix).await;
            (prefix, synced)
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await
}

/// Syncs every prefix of `prefixes` ([`sync_each`], `concurrency` at a time) and reports the
/// slice, its failures in prefix order.
pub async fn sync_slice(
    upstream: &super::hibp::HibpClient,
    mirror: &Mirror,
    prefixes: impl IntoIterator<Item = String>,
    concurrency: usize,
) -> SliceReport {
    let mut report = SliceReport::default();
    for (prefix, synced) in sync_each(upstream, mirror, prefixes, concurrency).await {
        match synced {
            Synced::Unchanged => report.unchanged += 1,
            Synced::Written => report.written += 1,
            Synced::Failed(why) => report.failed.push((prefix, why)),
        }
    }
    report.failed.sort();
    report
}

/// The prefixes `from..=to` (each 0 to `0xFFFFF`) as five upper-case hex characters.
pub fn prefixes(from: u32, to: u32) -> impl Iterator<Item = String> {
    (from..=to.min(0xF_FFFF)).map(|p| format!("{p:05X}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "0018A45C4D1DEF81644B54AB7F969B88D65";
    const B: &str = "00D4F6E8FA6EECAD2A3AA415EEC418D38EC";

    #[test]
    fn only_ranges_as_the_upstream_serves_them_are_valid() {
        assert_eq!(validate("ABCDE", &format!("{A}:1\r\n{B}:20")), Ok(()));
        assert_eq!(validate("ABCDE", ""), Ok(()));
        for (prefix, body) in [
            ("ABCDE", format!("{B}:1\r\n{A}:2")),
            ("ABCDE", format!("{A}:1\r\n{A}:2")),
            ("ABCDE", format!("{}:1", A.to_lowercase())),
            ("ABCDE", format!("{}:1", &A[1..])),
            ("ABCDE", format!("{A}:")),
            ("ABCDE", format!("{A}:-1")),
            // A count no reader could take (past u64).
            ("ABCDE", format!("{A}:99999999999999999999")),
            ("ABCDE", format!("{A} 1")),
            ("abcde", format!("{A}:1")),
            ("ABCD", format!("{A}:1")),
        ] {
            assert!(validate(prefix, &body).is_err(), "{prefix} {body:.80}");
        }
        // The caps: lines, then bytes (each body otherwise valid).
        let lines = |n: usize, count: &str| -> String {
            (0..n).map(|i| format!("{i:035X}:{count}\n")).collect()
        };
        assert_eq!(validate("ABCDE", &lines(MAX_RANGE_LINES, "1")), Ok(()));
        let too_many = validate("ABCDE", &lines(MAX_RANGE_LINES + 1, "1"));
        assert!(too_many.unwrap_err().contains("lines"));
        let too_long = validate("ABCDE", &lines(1_800, "12345678901234567890"));
        assert!(too_long.unwrap_err().contains("bytes"));
    }
}
