//! Tiers, their limits, UTC day windows and the rate-limit headers.

pub use crate::tier::Tier;

/// A UTC day, the quota window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day {
    /// Days since 1970-01-01.
    pub number: i64,
}

const MS_PER_DAY: i64 = 86_400_000;

impl Day {
    /// The day containing `ms` (Unix milliseconds).
    pub fn from_unix_ms(ms: i64) -> Day {
        Day {
            number: ms.div_euclid(MS_PER_DAY),
        }
    }

    /// Today, UTC.
    pub fn today() -> Day {
        Day::from_unix_ms(now_ms())
    }

    /// The day after.
    pub fn next(self) -> Day {
        Day {
            number: self.number + 1,
        }
    }

    /// The day `n` days earlier.
    pub fn minus(self, n: i64) -> Day {
        Day {
            number: self.number - n,
        }
    }

    /// Unix milliseconds of the next midnight UTC: when this day's counters reset.
    pub fn reset_at_ms(self) -> i64 {
        (self.number + 1) * MS_PER_DAY
    }

    /// `YYYY-MM-DD`.
    pub fn iso(self) -> String {
        // Civil-from-days (Howard Hinnant's algorithm), valid for the whole proleptic calendar.
        let z = self.number + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        format!("{y:04}-{m:02}-{d:02}")
    }
}

/// The time the API reads: the system clock, plus an offset that only tests set (to cross
/// midnight without waiting for it).
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: std::sync::atomic::AtomicI64,
}

impl Clock {
    /// Unix milliseconds now, by this clock.
    pub fn now_ms(&self) -> i64 {
        now_ms() + self.offset_ms.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Today (UTC), by this clock.
    pub fn today(&self) -> Day {
        Day::from_unix_ms(self.now_ms())
    }

    /// Moves this clock by `ms` (negative: back).
    pub fn shift(&self, ms: i64) {
        self.offset_ms
            .fetch_add(ms, std::sync::atomic::Ordering::SeqCst);
    }
}

/// The address an anonymous caller is counted by: an IPv4 address as it is (an IPv4-mapped IPv6
/// address as its IPv4 address), an IPv6 address by its /64 — the block one subscriber or host
/// gets, which would otherwise give each caller 2^64 counters. `unknown` without an address.
pub fn client_bucket(ip: Option<std::net::IpAddr>) -> String {
    use std::net::IpAddr;
    match ip {
        None => "unknown".to_owned(),
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The effective limit: the tier's, or the hard limit when lower.
pub fn effective_limit(limit: u32, hard_limit: Option<u32>) -> u32 {
    hard_limit.map_or(limit, |h| h.min(limit))
}

/// The state of a caller's daily window, for the `X-RateLimit-*` headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Effective daily limit.
    pub limit: u32,
    /// Requests admitted today.
    pub used: u32,
    /// Unix milliseconds of the reset (next midnight UTC).
    pub reset_at_ms: i64,
}

impl RateLimit {
    /// `day`'s window: `used` requests against the tier's `limit`, or the hard limit when lower.
    pub fn for_day(day: Day, limit: u32, hard_limit: Option<u32>, used: u32) -> RateLimit {
        RateLimit {
            limit: effective_limit(limit, hard_limit),
            used,
            reset_at_ms: day.reset_at_ms(),
        }
    }

    /// Requests left today.
    pub fn remaining(&self) -> u32 {
        self.limit.saturating_sub(self.used)
    }

    /// Whole seconds from `now_ms` until the reset, at least 1 (for `Retry-After`).
    pub fn retry_after_s(&self, now_ms: i64) -> i64 {
        ((self.reset_at_ms - now_ms + 999) / 1000).max(1)
    }

    /// The response headers.
    pub fn headers(&self) -> [(&'static str, String); 3] {
        [
            ("x-ratelimit-limit", self.limit.to_string()),
            ("x-ratelimit-remaining", self.remaining().to_string()),
            ("x-ratelimit-reset", self.reset_at_ms.to_string()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_tiers_are_accounts_tiers() {
        assert_eq!(Tier::parse("free"), Some(Tier::Free));
        assert_eq!(Tier::parse("team"), Some(Tier::Team));
        assert_eq!(Tier::parse("anonymous"), None);
        assert_eq!(Tier::parse("Team"), None);
    }

    #[test]
    fn ipv6_callers_are_counted_by_their_64_and_mapped_ipv4_as_ipv4() {
        let bucket = |ip: &str| client_bucket(Some(ip.parse().unwrap()));
        assert_eq!(bucket("203.0.113.7"), "203.0.113.7");
        assert_eq!(bucket("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(bucket("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
        assert_eq!(bucket("2001:db8:1:2::ffff"), bucket("2001:db8:1:2:aaaa::1"));
        assert_ne!(bucket("2001:db8:1:2::1"), bucket("2001:db8:1:3::1"));
        assert_eq!(bucket("::1"), "0:0:0:0::/64");
        assert_eq!(client_bucket(None), "unknown");
    }

    #[test]
    fn days_are_utc_and_reset_at_midnight() {
        // 2026-11-23T12:00:00Z
        let day = Day::from_unix_ms(1_795_435_200_000);
        assert_eq!(day.iso(), "2026-11-23");
        assert_eq!(day.reset_at_ms(), 1_795_478_400_000);
        assert_eq!(Day::from_unix_ms(day.reset_at_ms()).iso(), "2026-11-24");
        assert_eq!(Day::from_unix_ms(day.reset_at_ms() - 1), day);
        assert_eq!(Day::from_unix_ms(0).iso(), "1970-01-01");
        assert_eq!(Day::from_unix_ms(951_782_400_000).iso(), "2000-02-29");
        assert_eq!(day.minus(23).iso(), "2026-10-31");
    }

    #[test]
    fn headers_and_retry_after() {
        let limit = RateLimit {
            limit: 100,
            used: 100,
            reset_at_ms: 10_000,
        };
        assert_eq!(limit.remaining(), 0);
        assert_eq!(limit.retry_after_s(8_500), 2);
        assert_eq!(limit.retry_after_s(10_000), 1);
        assert_eq!(
            limit.headers()[1],
            ("x-ratelimit-remaining", "0".to_owned())
        );
    }
}
