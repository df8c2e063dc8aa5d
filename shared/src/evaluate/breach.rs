//! Breach checks by k-anonymity: the password's SHA-1 is computed here, only its first five hex
//! characters leave the process, and the returned range of suffixes is searched locally.
//!
//! [`BreachSource`] is the outside world (the HaveIBeenPwned range API, `hibp`, which depends on
//! this module and not the other way; a test
//! server in tests); [`RangeCache`] keeps ranges across warm invocations.

use crate::cache::TtlCache;
use sha1::{Digest, Sha1};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Hex characters of the SHA-1 prefix that is sent.
pub const PREFIX_LEN: usize = 5;
/// Hex characters of the suffix that stays here.
pub const SUFFIX_LEN: usize = 35;

/// Why a range could not be had. Says nothing about the password.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BreachError {
    /// No answer in time, or no connection.
    #[error("the breach source did not answer: {0}")]
    Unreachable(String),
    /// An answer that is not a range.
    #[error("the breach source answered badly: {0}")]
    BadResponse(String),
    /// The mirror holds no copy of the range (yet).
    #[error("the mirror has no copy of this range")]
    NotMirrored,
}

/// The suffixes known for one prefix, with their breach counts: parsed from the range API's
/// answer (padding rows, count 0, dropped), or as the mirror stores it, looked up in place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Range {
    entries: Entries,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Entries {
    /// Upper-case suffixes, sorted, with counts > 0.
    Parsed(Vec<([u8; SUFFIX_LEN], u64)>),
    /// A stored body: lines `SUFFIX:COUNT`, upper-case, suffixes strictly increasing (checked
    /// when it was written), searched by bisection over its bytes.
    Sorted(String),
}

impl Default for Range {
    fn default() -> Range {
        Range {
            entries: Entries::Parsed(Vec::new()),
        }
    }
}

/// Most lines in a range (a padded range has 800–1,000).
pub const MAX_RANGE_LINES: usize = 2_000;

/// `line` (without its line break; a trailing `\r` is dropped) as `SUFFIX:COUNT`, the suffix 35
/// upper-case hex characters, the count a `u64`: a line as the mirror stores it.
pub(super) fn stored_line(line: &[u8]) -> Option<(&[u8], u64)> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let (suffix, count) = (line.get(..SUFFIX_LEN)?, line.get(SUFFIX_LEN..)?);
    let count = count.strip_prefix(b":")?;
    let hex = suffix
        .iter()
        .all(|b| matches!(b, b'0'..=b'9' | b'A'..=b'F'));
    let digits = !count.is_empty() && count.len() <= 20 && count.iter().all(u8::is_ascii_digit);
    if !(hex && digits) {
        return None;
    }
    Some((suffix, std::str::from_utf8(count).ok()?.parse().ok()?))
}

impl Range {
    /// Parses a range body: lines `SUFFIX:COUNT` (CRLF or LF), suffix 35 hex characters.
    pub fn parse(body: &str) -> Result<Range, BreachError> {
        let mut entries = Vec::new();
        for (i, line) in body
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            if i == MAX_RANGE_LINES {
                return Err(BreachError::BadResponse(
                    "range has too many lines".to_owned(),
                ));
            }
            let bad = || BreachError::BadResponse("a line is not SUFFIX:COUNT".to_owned());
            let (suffix, count) = line.split_once(':').ok_or_else(bad)?;
            let suffix: [u8; SUFFIX_LEN] = suffix.as_bytes().try_into().map_err(|_| bad())?;
            if !suffix.iter().all(u8::is_ascii_hexdigit) {
                return Err(bad());
            }
            let count: u64 = count.parse().map_err(|_| bad())?;
            if count > 0 {
                entries.push((suffix.map(|b| b.to_ascii_uppercase()), count));
            }
        }
        entries.sort_unstable();
        entries.dedup_by(|a, b| a.0 == b.0);
        Ok(Range {
            entries: Entries::Parsed(entries),
        })
    }

    /// A range as the mirror stores it (checked on its way in: lines `SUFFIX:COUNT`, upper-case,
    /// suffixes strictly increasing), kept as it is and searched by bisection: a lookup reads a
    /// dozen lines, not all of them. Refused unless its first and last lines are such lines (an
    /// object that is not a range is no answer, rather than a wrong one).
    pub fn stored(body: String) -> Result<Range, BreachError> {
        let bad = || BreachError::BadResponse("the stored copy is not a range".to_owned());
        let trimmed = body.trim_end_matches(['\r', '\n']).as_bytes();
        if !trimmed.is_empty() {
            let first = trimmed.split(|b| *b == b'\n').next().unwrap_or_default();
            let last = trimmed.rsplit(|b| *b == b'\n').next().unwrap_or_default();
            stored_line(first).ok_or_else(bad)?;
            stored_line(last).ok_or_else(bad)?;
        }
        Ok(Range {
            entries: Entries::Sorted(body),
        })
    }

    /// The breach count of `suffix` (upper-case hex), 0 when absent.
    pub fn count(&self, suffix: &[u8; SUFFIX_LEN]) -> u64 {
        match &self.entries {
            Entries::Parsed(entries) => entries
                .binary_search_by(|(s, _)| s.cmp(suffix))
                .map_or(0, |i| entries[i].1),
            Entries::Sorted(body) => bisect(body.as_bytes(), suffix),
        }
    }

    /// Suffixes with a count.
    pub fn len(&self) -> usize {
        match &self.entries {
            Entries::Parsed(entries) => entries.len(),
            Entries::Sorted(body) => body
                .as_bytes()
                .split(|b| *b == b'\n')
                .filter_map(stored_line)
                .filter(|(_, count)| *count > 0)
                .count(),
        }
    }

    /// Whether no suffix has a count.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `suffix`'s count in a sorted body, by bisection over its bytes: each step reads the line
/// around the middle of what is left (`lo` is always a line's start).
fn bisect(body: &[u8], suffix: &[u8; SUFFIX_LEN]) -> u64 {
    let (mut lo, mut hi) = (0, body.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = body[lo..mid]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(lo, |i| lo + i + 1);
        let end = body[start..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(body.len(), |i| start + i);
        let line = &body[start..end];
        let key = &line[..line.len().min(SUFFIX_LEN)];
        match key.cmp(suffix.as_slice()) {
            std::cmp::Ordering::Equal => return stored_line(line).map_or(0, |(_, c)| c),
            std::cmp::Ordering::Less => lo = end + 1,
            std::cmp::Ordering::Greater => hi = start,
        }
    }
    0
}

/// Where a range came from: the range API itself, or the team's mirror of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The range API (`HIBP_API_URL`).
    Upstream,
    /// The mirror in the team's bucket.
    Mirror,
}

impl Origin {
    /// The name answers give it (`breach_source`).
    pub fn name(self) -> &'static str {
        match self {
            Origin::Upstream => "upstream",
            Origin::Mirror => "mirror",
        }
    }
}

/// Where and when a range was had.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Provenance {
    /// Where from.
    pub origin: Origin,
    /// When it was fetched from the range API: now (or when cached) for the upstream, when the
    /// stored copy was fetched for the mirror (`None` for a copy stored without the time).
    pub fetched_at: Option<SystemTime>,
}

/// A range and its provenance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sourced {
    /// The range.
    pub range: Range,
    /// Where and when it was had.
    pub provenance: Provenance,
}

/// Where ranges come from.
pub trait BreachSource: Send + Sync {
    /// The range of `prefix` (five upper-case hex characters), with where and when it was had.
    fn range(&self, prefix: &str) -> impl Future<Output = Result<Sourced, BreachError>> + Send;
}

/// The outcome of a breach check, as the API reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreachCheck {
    /// Checked: the number of breaches the password appears in (0: none known).
    Checked(u64),
    /// The source could not be reached in time.
    Unavailable,
    /// The caller asked not to check.
    Skipped,
}

/// SHA-1 of the password as 40 upper-case hex characters, split into prefix and suffix.
fn hashed(password: &str) -> ([u8; PREFIX_LEN], [u8; SUFFIX_LEN]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let digest = Sha1::digest(password.as_bytes());
    let mut hex = [0u8; PREFIX_LEN + SUFFIX_LEN];
    for (i, byte) in digest.iter().enumerate() {
        hex[2 * i] = HEX[usize::from(byte >> 4)];
        hex[2 * i + 1] = HEX[usize::from(byte & 0xf)];
    }
    let mut prefix = [0u8; PREFIX_LEN];
    let mut suffix = [0u8; SUFFIX_LEN];
    prefix.copy_from_slice(&hex[..PREFIX_LEN]);
    suffix.copy_from_slice(&hex[PREFIX_LEN..]);
    (prefix, suffix)
}

/// A breach check's outcome and, when it was checked, where the range came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checked {
    /// The outcome.
    pub check: BreachCheck,
    /// Where and when the range was had (`None` unless checked).
    pub provenance: Option<Provenance>,
}

impl Checked {
    /// The caller asked not to check.
    pub const SKIPPED: Checked = Checked {
        check: BreachCheck::Skipped,
        provenance: None,
    };
}

/// Checks `password` against `source`, sending only its hash prefix.
pub async fn check(source: &impl BreachSource, password: &str) -> Checked {
    let (prefix, suffix) = hashed(password);
    // The prefix is five ASCII hex characters by construction.
    let prefix = std::str::from_utf8(&prefix).unwrap_or_default();
    match source.range(prefix).await {
        Ok(sourced) => Checked {
            check: BreachCheck::Checked(sourced.range.count(&suffix)),
            provenance: Some(sourced.provenance),
        },
        Err(e) => {
            tracing::warn!(error = %e, "breach check unavailable");
            Checked {
                check: BreachCheck::Unavailable,
                provenance: None,
            }
        }
    }
}

/// A bounded, expiring in-memory cache of ranges in front of a source. Ranges are public data (the
/// same for every caller), so caching them reveals nothing; failures are not cached.
pub struct RangeCache<S> {
    source: S,
    ranges: TtlCache<String, Arc<Sourced>>,
}

impl<S> RangeCache<S> {
    /// Ranges kept by default (a padded range is ~1,000 entries, ~45 KB: ~11 MB in all).
    pub const DEFAULT_CAPACITY: usize = 256;
    /// How long a range is reused by default.
    pub const DEFAULT_TTL: Duration = Duration::from_secs(3600);

    /// A cache with the default capacity and time to live.
    pub fn new(source: S) -> RangeCache<S> {
        RangeCache::with_limits(source, Self::DEFAULT_CAPACITY, Self::DEFAULT_TTL)
    }

    /// The source behind the cache.
    pub fn source(&self) -> &S {
        &self.source
    }

    /// A cache of `capacity` ranges, each kept for `ttl`.
    pub fn with_limits(source: S, capacity: usize, ttl: Duration) -> RangeCache<S> {
        RangeCache {
            source,
            ranges: TtlCache::new(capacity, ttl),
        }
    }

    /// Ranges held now.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }
}

impl<S: BreachSource> BreachSource for RangeCache<S> {
    async fn range(&self, prefix: &str) -> Result<Sourced, BreachError> {
        if let Some(sourced) = self.ranges.get(&prefix.to_owned()) {
            return Ok(Sourced::clone(&sourced));
        }
        let sourced = Arc::new(self.source.range(prefix).await?);
        self.ranges.put(prefix.to_owned(), Arc::clone(&sourced));
        Ok(Sourced::clone(&sourced))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// "password": 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8.
    const PASSWORD_SUFFIX: &str = "1E4C9B93F3F0682250B6CF8331B7EE68FD8";

    struct Counting {
        calls: AtomicUsize,
        body: String,
        prefixes: Mutex<Vec<String>>,
    }

    impl BreachSource for Counting {
        async fn range(&self, prefix: &str) -> Result<Sourced, BreachError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            self.prefixes.lock().unwrap().push(prefix.to_owned());
            if self.body.is_empty() {
                return Err(BreachError::Unreachable("down".into()));
            }
            Ok(Sourced {
                range: Range::parse(&self.body)?,
                provenance: Provenance {
                    origin: Origin::Upstream,
                    fetched_at: Some(SystemTime::now()),
                },
            })
        }
    }

    fn counting(body: &str) -> Counting {
        Counting {
            calls: AtomicUsize::new(0),
            body: body.to_owned(),
            prefixes: Mutex::new(Vec::new()),
        }
    }

    fn run<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn hash_split_matches_sha1() {
        let (prefix, suffix) = hashed("password");
        assert_eq!(&prefix, b"5BAA6");
        assert_eq!(&suffix, PASSWORD_SUFFIX.as_bytes());
    }

    #[test]
    fn parse_drops_padding_and_accepts_lowercase_and_crlf() {
        let body = format!(
            "{}:42\r\n{}:0\r\n0000000000000000000000000000000000A:7\n",
            PASSWORD_SUFFIX.to_lowercase(),
            "F".repeat(35)
        );
        let range = Range::parse(&body).unwrap();
        assert_eq!(range.len(), 2);
        let suffix: [u8; 35] = PASSWORD_SUFFIX.as_bytes().try_into().unwrap();
        assert_eq!(range.count(&suffix), 42);
        let padded: [u8; 35] = "F".repeat(35).as_bytes().try_into().unwrap();
        assert_eq!(range.count(&padded), 0);
    }

    #[test]
    fn parse_rejects_what_is_not_a_range() {
        for body in [
            "<html>",
            "ABC:1",
            &format!("{}:x", "A".repeat(35)),
            &format!("{}:1", "G".repeat(35)),
        ] {
            assert!(Range::parse(body).is_err(), "{body}");
        }
        assert!(Range::parse("").unwrap().is_empty());
    }

    /// A stored body is looked up in place, by bisection: every suffix of it found with its
    /// count, every other one (below, between, above) at 0, as the parsed range says; a body whose
    /// first or last line is not a range is refused.
    #[test]
    fn a_stored_range_answers_as_the_parsed_one() {
        for (n, crlf, trailing) in [
            (0, false, false),
            (1, true, true),
            (2, false, true),
            (977, true, false),
        ] {
            let suffixes: Vec<String> = (0..n)
                .map(|i: u64| format!("{:035X}", 7 + i * 1_000_003))
                .collect();
            let newline = if crlf { "\r\n" } else { "\n" };
            let mut body = suffixes
                .iter()
                .enumerate()
                .map(|(i, s)| format!("{s}:{}", i * 3))
                .collect::<Vec<_>>()
                .join(newline);
            if trailing {
                body.push_str(newline);
            }
            let parsed = Range::parse(&body).unwrap();
            let stored = Range::stored(body.clone()).unwrap();
            assert_eq!(stored.len(), parsed.len());
            let mut probes: Vec<String> = suffixes.clone();
            for i in 0..=n {
                probes.push(format!("{:035X}", 6 + i * 1_000_003));
                probes.push(format!("{:035X}", 8 + i * 1_000_003));
            }
            probes.push("F".repeat(35));
            for probe in probes {
                let key: [u8; 35] = probe.as_bytes().try_into().unwrap();
                assert_eq!(stored.count(&key), parsed.count(&key), "{n} {probe}");
            }
        }
        for bad in [
            "<html>",
            "x\n0000000000000000000000000000000000A:1",
            "0000000000000000000000000000000000A:1\n<html>",
        ] {
            assert!(Range::stored(bad.to_owned()).is_err(), "{bad}");
        }
    }

    #[test]
    fn check_sends_only_the_prefix() {
        let source = counting(&format!("{PASSWORD_SUFFIX}:9545824\n"));
        let found = run(check(&source, "password"));
        assert_eq!(found.check, BreachCheck::Checked(9_545_824));
        assert_eq!(found.provenance.unwrap().origin, Origin::Upstream);
        assert_eq!(
            run(check(&source, "correct horse")).check,
            BreachCheck::Checked(0)
        );
        let prefixes = source.prefixes.lock().unwrap().clone();
        assert_eq!(prefixes[0], "5BAA6");
        assert!(prefixes.iter().all(|p| p.len() == PREFIX_LEN));
    }

    #[test]
    fn unreachable_source_is_unavailable() {
        assert_eq!(
            run(check(&counting(""), "password")),
            Checked {
                check: BreachCheck::Unavailable,
                provenance: None
            }
        );
    }

    #[test]
    fn cache_reuses_ranges_expires_them_and_stays_bounded() {
        let body = format!("{}:1", "A".repeat(35));
        let cache = RangeCache::with_limits(counting(&body), 2, Duration::from_secs(60));
        let first = run(cache.range("AAAAA")).unwrap();
        std::thread::sleep(Duration::from_millis(5));
        let again = run(cache.range("AAAAA")).unwrap();
        assert_eq!(cache.source.calls.load(Ordering::SeqCst), 1);
        // A cached range says when it was fetched, not when it was reused.
        assert_eq!(again.provenance, first.provenance);
        run(cache.range("BBBBB")).unwrap();
        run(cache.range("CCCCC")).unwrap();
        assert_eq!(cache.len(), 2, "bounded");
        run(cache.range("AAAAA")).unwrap();
        assert_eq!(
            cache.source.calls.load(Ordering::SeqCst),
            4,
            "the oldest was evicted"
        );

        let expiring = RangeCache::with_limits(counting(&body), 8, Duration::ZERO);
        run(expiring.range("AAAAA")).unwrap();
        run(expiring.range("AAAAA")).unwrap();
        assert_eq!(expiring.source.calls.load(Ordering::SeqCst), 2, "expired");

        let failing = RangeCache::with_limits(counting(""), 8, Duration::from_secs(60));
        assert!(run(failing.range("AAAAA")).is_err());
        assert!(run(failing.range("AAAAA")).is_err());
        assert_eq!(failing.source.calls.load(Ordering::SeqCst), 2);
        assert!(failing.is_empty(), "failures are not cached");
    }
}
