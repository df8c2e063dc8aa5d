//! UTC days and months (the quota windows), the clock, address buckets and the rate-limit
//! headers.

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
        let (y, m, d) = self.civil();
        format!("{y:04}-{m:02}-{d:02}")
    }

    /// Year, month (1–12) and day of the month (1–31).
    pub fn civil(self) -> (i64, u32, u32) {
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
        (y, m as u32, d as u32)
    }

    /// The day `y-m-d` (proleptic Gregorian; `m` 1–12, `d` from 1, may run past the month's end).
    pub fn from_civil(y: i64, m: u32, d: u32) -> Day {
        // Days-from-civil (Howard Hinnant's algorithm).
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let m = i64::from(m);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Day {
            number: era * 146_097 + doe - 719_468,
        }
    }

    /// The calendar month (UTC) this day is in.
    pub fn month(self) -> Month {
        let (year, month, _) = self.civil();
        Month { year, month }
    }

    /// The day of the month, 1–31.
    pub fn of_month(self) -> u32 {
        self.civil().2
    }

    /// Unix milliseconds of this day's midnight UTC.
    pub fn start_ms(self) -> i64 {
        self.number * MS_PER_DAY
    }
}

/// A calendar month, UTC: the monthly quota window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    /// The year.
    pub year: i64,
    /// 1–12.
    pub month: u32,
}

impl Month {
    /// Parses `YYYY-MM`.
    pub fn parse(text: &str) -> Option<Month> {
        let (y, m) = text.split_once('-')?;
        if y.len() != 4 || m.len() != 2 || !(y.bytes().chain(m.bytes())).all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let month = m.parse().ok().filter(|m| (1..=12).contains(m))?;
        Some(Month {
            year: y.parse().ok()?,
            month,
        })
    }

    /// `YYYY-MM`.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// Its first day.
    pub fn first_day(self) -> Day {
        Day::from_civil(self.year, self.month, 1)
    }

    /// The month after.
    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// Its last day.
    pub fn last_day(self) -> Day {
        self.next().first_day().minus(1)
    }

    /// Its days, in order.
    pub fn days(self) -> impl Iterator<Item = Day> {
        (self.first_day().number..self.next().first_day().number).map(|number| Day { number })
    }

    /// Unix milliseconds of the first of the next month, midnight UTC: when this month's counters
    /// reset.
    pub fn reset_at_ms(self) -> i64 {
        self.next().first_day().start_ms()
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

/// The effective daily limit: the caller's, or the hard limit when lower.
pub fn effective_limit(limit: u32, hard_limit: Option<u32>) -> u32 {
    hard_limit.map_or(limit, |h| h.min(limit))
}

/// The state of a caller's daily window, for the `X-RateLimit-*` headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Effective limit of the window.
    pub limit: u32,
    /// Requests admitted in it.
    pub used: u32,
    /// Unix milliseconds of the reset (next midnight UTC, or the first of next month).
    pub reset_at_ms: i64,
}

/// A caller's counts: today's and this month's admitted requests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Today's.
    pub day: u32,
    /// This calendar month's (today's included).
    pub month: u32,
}

/// Which window a refusal or a header speaks of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    /// The UTC day (the plan's daily limit, or the holder's hard limit when lower).
    Day,
    /// The calendar month.
    Month,
}

/// A caller's windows: the day's, and the month's when its plan has a monthly limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Windows {
    /// Today.
    pub day: RateLimit,
    /// This month.
    pub month: Option<RateLimit>,
}

impl Windows {
    /// `day`'s windows for `counts` under a daily limit (lowered by `hard_limit`) and an optional
    /// monthly one.
    pub fn new(
        day: Day,
        daily: u32,
        monthly: Option<u32>,
        hard_limit: Option<u32>,
        counts: Counts,
    ) -> Windows {
        Windows {
            day: RateLimit::for_day(day, daily, hard_limit, counts.day),
            month: monthly.map(|m| RateLimit::for_month(day.month(), m, counts.month)),
        }
    }

    /// The window nearer to its limit (fewer requests left; the day on a tie): what the
    /// rate-limit headers report, and which limit refused a full caller.
    pub fn nearer(&self) -> (Window, RateLimit) {
        match self.month {
            Some(month) if month.remaining() < self.day.remaining() => (Window::Month, month),
            _ => (Window::Day, self.day),
        }
    }
}

impl RateLimit {
    /// `day`'s window: `used` requests against the caller's `limit`, or the hard limit when lower.
    pub fn for_day(day: Day, limit: u32, hard_limit: Option<u32>, used: u32) -> RateLimit {
        RateLimit {
            limit: effective_limit(limit, hard_limit),
            used,
            reset_at_ms: day.reset_at_ms(),
        }
    }

    /// `month`'s window: `used` requests against `limit`.
    pub fn for_month(month: Month, limit: u32, used: u32) -> RateLimit {
        RateLimit {
            limit,
            used,
            reset_at_ms: month.reset_at_ms(),
        }
    }

    /// Requests left in the window.
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
    fn months_run_from_the_first_to_the_last_day_utc() {
        let day = Day::from_unix_ms(1_795_435_200_000); // 2026-11-23
        let month = day.month();
        assert_eq!((month.iso(), day.of_month()), ("2026-11".to_owned(), 23));
        assert_eq!(month.first_day().iso(), "2026-11-01");
        assert_eq!(month.last_day().iso(), "2026-11-30");
        assert_eq!(month.days().count(), 30);
        assert_eq!(Day::from_unix_ms(month.reset_at_ms()).iso(), "2026-12-01");
        let december = Month::parse("2026-12").unwrap();
        assert_eq!(december.next().iso(), "2027-01");
        assert_eq!(december.last_day().iso(), "2026-12-31");
        assert_eq!(Month::parse("2028-02").unwrap().days().count(), 29);
        assert_eq!(Month::parse("2100-02").unwrap().days().count(), 28);
        for bad in [
            "2026-13",
            "2026-00",
            "2026-1",
            "26-01",
            "2026/01",
            "2026-01-01",
            "２０２６-01",
        ] {
            assert_eq!(Month::parse(bad), None, "{bad}");
        }
        for number in [-800_000, -1, 0, 59, 60, 20_000, 2_000_000] {
            let d = Day { number };
            let (y, m, dd) = d.civil();
            assert_eq!(Day::from_civil(y, m, dd), d);
        }
    }

    #[test]
    fn the_nearer_window_is_the_one_with_fewer_requests_left() {
        let day = Day::from_unix_ms(1_795_435_200_000);
        let counts = Counts { day: 10, month: 95 };
        let windows = Windows::new(day, 100, Some(100), None, counts);
        assert_eq!(windows.nearer().0, Window::Month);
        assert_eq!(windows.nearer().1.reset_at_ms, day.month().reset_at_ms());
        let windows = Windows::new(day, 100, Some(1000), Some(12), counts);
        assert_eq!(
            windows.nearer(),
            (Window::Day, RateLimit::for_day(day, 12, None, 10))
        );
        let tie = Windows::new(day, 100, Some(185), None, counts);
        assert_eq!(tie.nearer().0, Window::Day);
        assert_eq!(
            Windows::new(day, 100, None, None, counts).nearer().0,
            Window::Day
        );
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
