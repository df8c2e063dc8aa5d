//! The breach corpus mirrored into the team's own bucket: one object per range,
//! `ranges/<PREFIX>`, its body the range as the upstream served it (checked before it is stored:
//! lines `SUFFIX:COUNT`, 35 upper-case hex characters, suffixes strictly increasing, at most
//! [`MAX_RANGE_LINES`] lines and [`MAX_BODY_BYTES`] bytes), its metadata the upstream's `ETag`
//! and when it was fetched. An object is replaced whole by each write, so a reader sees the old
//! range or the new one, never a mix.

use super::breach::{BreachError, BreachSource, MAX_RANGE_LINES, PREFIX_LEN, Range, SUFFIX_LEN};
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
    let mut previous: Option<&str> = None;
    for (i, line) in body.lines().enumerate() {
        if i == MAX_RANGE_LINES {
            return Err(format!("more than {MAX_RANGE_LINES} lines"));
        }
        let line = line.strip_suffix('\r').unwrap_or(line);
        let (suffix, count) = line
            .split_once(':')
            .ok_or_else(|| format!("line {} is not SUFFIX:COUNT", i + 1))?;
        let hex = suffix.len() == SUFFIX_LEN
            && suffix
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'A'..=b'F'));
        if !hex || count.is_empty() || !count.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("line {} is not SUFFIX:COUNT", i + 1));
        }
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
    pub async fn stored(&self, prefix: &str) -> Result<Option<Stored>, BucketError> {
        let Some(object) = self.bucket.get(&key(prefix)).await? else {
            return Ok(None);
        };
        // What is stored was checked on its way in; a copy that no longer reads is no answer.
        let range = std::str::from_utf8(&object.body)
            .ok()
            .and_then(|body| Range::parse(body).ok())
            .ok_or_else(|| BucketError::Status {
                status: 200,
                code: "NotARange".to_owned(),
            })?;
        Ok(Some(Stored {
            range,
            etag: object.meta("upstream-etag").map(str::to_owned),
            fetched_at: object
                .meta("fetched-at")
                .and_then(|t| humantime::parse_rfc3339(t).ok()),
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
    async fn range(&self, prefix: &str) -> Result<Range, BreachError> {
        match self.stored(prefix).await {
            Ok(Some(stored)) => Ok(stored.range),
            Ok(None) => Err(BreachError::NotMirrored),
            Err(BucketError::Transport(e)) => Err(BreachError::Unreachable(e)),
            Err(e) => Err(BreachError::BadResponse(e.to_string())),
        }
    }
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
