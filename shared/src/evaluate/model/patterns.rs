//! The matchers that need no dictionary: repeats, sequences, recent years and dates.

use super::{Match, Model, Pattern};

/// Repeats (`aaa`, `abcabc`), zxcvbn's way: from left to right, the leftmost repeat, taken as its
/// greedy (longest base) or lazy (shortest base) reading, whichever covers more; the base is
/// scored by the model on its own.
pub fn repeats(password: &[char], model: &Model, out: &mut Vec<Match>) {
    let n = password.len();
    let mut from = 0;
    while from < n {
        // The leftmost position where some base repeats right after itself.
        let Some((start, greedy, lazy)) = (from..n).find_map(|p| {
            let mut bases = (1..=(n - p) / 2)
                .filter(|&len| password[p..p + len] == password[p + len..p + 2 * len]);
            let lazy = bases.next()?;
            Some((p, bases.next_back().unwrap_or(lazy), lazy))
        }) else {
            break;
        };
        let covered = |len: usize| {
            let mut count = 1;
            while start + (count + 1) * len <= n
                && password[start..start + len]
                    == password[start + count * len..start + (count + 1) * len]
            {
                count += 1;
            }
            count * len
        };
        let (greedy_len, lazy_len) = (covered(greedy), covered(lazy));
        let (len, base) = if greedy_len > lazy_len {
            // The greedy match, its base the shortest one that tiles it exactly.
            let text = &password[start..start + greedy_len];
            let base = (1..=greedy_len / 2)
                .find(|&b| greedy_len % b == 0 && text.chunks(b).all(|c| c == &text[..b]))
                .unwrap_or(greedy);
            (greedy_len, base)
        } else {
            (lazy_len, lazy)
        };
        let analysis = super::analyse(&password[start..start + base], model);
        out.push(Match::new(
            start,
            start + len - 1,
            Pattern::Repeat {
                base_len: base,
                base_guesses: analysis.guesses,
                count: len as f64 / base as f64,
            },
        ));
        from = start + len;
    }
}

/// Sequences (`abc`, `9753`, `ZYX`): runs whose characters step by the same amount (1 to 5 either
/// way; runs of two only when the step is 1).
pub fn sequences(password: &[char], out: &mut Vec<Match>) {
    let n = password.len();
    if n < 2 {
        return;
    }
    let code = |k: usize| i64::from(u32::from(password[k]));
    let mut push = |i: usize, j: usize, delta: i64| {
        if (j - i > 1 || delta.abs() == 1) && (1..=5).contains(&delta.abs()) {
            out.push(Match::new(
                i,
                j,
                Pattern::Sequence {
                    ascending: delta > 0,
                },
            ));
        }
    };
    let mut i = 0;
    let mut last_delta = None;
    for k in 1..n {
        let delta = code(k) - code(k - 1);
        let last = *last_delta.get_or_insert(delta);
        if delta == last {
            continue;
        }
        push(i, k - 1, last);
        i = k - 1;
        last_delta = Some(delta);
    }
    push(i, n - 1, last_delta.unwrap_or(0));
}

/// Recent years: `19dd` and `20dd` up to the model's last decade, leftmost first, not overlapping.
pub fn years(password: &[char], model: &Model, out: &mut Vec<Match>) {
    let mut p = 0;
    while p + 4 <= password.len() {
        if let Some(year) = digits(&password[p..p + 4])
            && (1900..=model.last_recent_year).contains(&year)
        {
            out.push(Match::new(p, p + 3, Pattern::Year(year)));
            p += 4;
        } else {
            p += 1;
        }
    }
}

/// The number `chars` spell in ASCII digits.
fn digits(chars: &[char]) -> Option<i32> {
    chars.iter().try_fold(0i32, |n, c| {
        c.to_digit(10)
            .filter(|_| c.is_ascii_digit())
            .map(|d| n * 10 + d as i32)
    })
}

const DATE_MIN_YEAR: i32 = 1000;
const DATE_MAX_YEAR: i32 = 2050;

/// Dates with or without separators (`13051987`, `1.5.91`, `2015-06-04`), zxcvbn's rules: of the
/// readings of one digit string, the year nearest the reference year; dates inside longer dates
/// dropped.
pub fn dates(password: &[char], model: &Model, out: &mut Vec<Match>) {
    let n = password.len();
    let mut found: Vec<Match> = Vec::new();
    let push = |found: &mut Vec<Match>, i: usize, j: usize, year: i32, separator: bool| {
        found.push(Match::new(i, j, Pattern::Date { year, separator }));
    };
    // Without separators: 4 to 8 digits.
    for i in 0..n.saturating_sub(3) {
        for j in i + 3..(i + 8).min(n) {
            let token = &password[i..=j];
            if digits(token).is_none() {
                continue;
            }
            let splits: &[(usize, usize)] = match token.len() {
                4 => &[(1, 2), (2, 3)],
                5 => &[(1, 3), (2, 3)],
                6 => &[(1, 2), (2, 4), (4, 5)],
                7 => &[(1, 3), (2, 3), (4, 5), (4, 6)],
                _ => &[(2, 4), (4, 6)],
            };
            let best = splits
                .iter()
                .filter_map(|&(k, l)| {
                    dmy([
                        digits(&token[..k])?,
                        digits(&token[k..l])?,
                        digits(&token[l..])?,
                    ])
                })
                .fold(None::<i32>, |best, year| match best {
                    Some(b)
                        if (b - model.reference_year).abs()
                            <= (year - model.reference_year).abs() =>
                    {
                        Some(b)
                    }
                    _ => Some(year),
                });
            if let Some(year) = best {
                push(&mut found, i, j, year, false);
            }
        }
    }
    // With a separator repeated: 1–4 digits, separator, 1–2 digits, the same separator, 1–4 digits.
    for i in 0..n.saturating_sub(5) {
        for j in i + 5..(i + 10).min(n) {
            let token = &password[i..=j];
            let Some(first_sep) = token.iter().position(|c| !c.is_ascii_digit()) else {
                continue;
            };
            let sep = token[first_sep];
            if !(sep.is_whitespace() || "/\\_.-".contains(sep)) {
                continue;
            }
            let parts: Vec<&[char]> = token.split(|&c| c == sep).collect();
            let [a, b, c] = parts[..] else {
                continue;
            };
            if !(1..=4).contains(&a.len())
                || !(1..=2).contains(&b.len())
                || !(1..=4).contains(&c.len())
            {
                continue;
            }
            let (Some(a), Some(b), Some(c)) = (digits(a), digits(b), digits(c)) else {
                continue;
            };
            if let Some(year) = dmy([a, b, c]) {
                push(&mut found, i, j, year, true);
            }
        }
    }
    // Drop dates inside other dates.
    for (k, m) in found.iter().enumerate() {
        let inside = found
            .iter()
            .enumerate()
            .any(|(o, other)| o != k && other.i <= m.i && other.j >= m.j);
        if !inside {
            out.push(m.clone());
        }
    }
}

/// The year of a day-month-year reading of three integers, zxcvbn's `map_ints_to_dmy`.
fn dmy(ints: [i32; 3]) -> Option<i32> {
    if ints[1] > 31 || ints[1] <= 0 {
        return None;
    }
    let (mut over_12, mut over_31, mut under_1) = (0, 0, 0);
    for int in ints {
        if (99 < int && int < DATE_MIN_YEAR) || int > DATE_MAX_YEAR {
            return None;
        }
        over_31 += i32::from(int > 31);
        over_12 += i32::from(int > 12);
        under_1 += i32::from(int <= 0);
    }
    if over_31 >= 2 || over_12 == 3 || under_1 >= 2 {
        return None;
    }
    let splits = [(ints[2], [ints[0], ints[1]]), (ints[0], [ints[1], ints[2]])];
    for (year, rest) in splits {
        if (DATE_MIN_YEAR..=DATE_MAX_YEAR).contains(&year) {
            // A four-digit year whose rest is no day and month: not a date.
            return day_month(rest).then_some(year);
        }
    }
    for (year, rest) in splits {
        if day_month(rest) {
            return Some(match year {
                y if y > 99 => y,
                y if y > 50 => y + 1900,
                y => y + 2000,
            });
        }
    }
    None
}

fn day_month([a, b]: [i32; 2]) -> bool {
    let ok = |d: i32, m: i32| (1..=31).contains(&d) && (1..=12).contains(&m);
    ok(a, b) || ok(b, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: impl Fn(&[char], &mut Vec<Match>), password: &str) -> Vec<(usize, usize, Pattern)> {
        let chars: Vec<char> = password.chars().collect();
        let mut out = Vec::new();
        f(&chars, &mut out);
        out.into_iter().map(|m| (m.i, m.j, m.pattern)).collect()
    }

    #[test]
    fn sequences_step_by_up_to_five() {
        let found = run(sequences, "abcx9753");
        assert_eq!(
            found,
            [
                (0, 2, Pattern::Sequence { ascending: true }),
                (4, 7, Pattern::Sequence { ascending: false }),
            ]
        );
        assert!(run(sequences, "a").is_empty());
        assert!(run(sequences, "ac").is_empty());
    }

    #[test]
    fn years_and_dates() {
        let model = Model::zxcvbn("");
        let found = run(|p, o| years(p, &model, o), "x1987y2019z2023");
        assert_eq!(
            found,
            [(1, 4, Pattern::Year(1987)), (6, 9, Pattern::Year(2019))]
        );
        let found = run(|p, o| dates(p, &model, o), "13051987");
        assert_eq!(
            found,
            [(
                0,
                7,
                Pattern::Date {
                    year: 1987,
                    separator: false
                }
            )]
        );
        let found = run(|p, o| dates(p, &model, o), "1.5.91");
        assert_eq!(
            found,
            [(
                0,
                5,
                Pattern::Date {
                    year: 1991,
                    separator: true
                }
            )]
        );
        let found = run(|p, o| dates(p, &model, o), "2015_06_04");
        assert_eq!(
            found,
            [(
                0,
                9,
                Pattern::Date {
                    year: 2015,
                    separator: true
                }
            )]
        );
        assert!(run(|p, o| dates(p, &model, o), "1.5-91").is_empty());
        assert!(run(|p, o| dates(p, &model, o), "0000").is_empty());
    }

    #[test]
    fn repeats_take_the_reading_that_covers_more() {
        let model = Model::zxcvbn("");
        let found = run(|p, o| repeats(p, &model, o), "aabaab");
        assert!(
            matches!(found[..], [(0, 5, Pattern::Repeat { base_len: 3, .. })]),
            "{found:?}"
        );
        let found = run(|p, o| repeats(p, &model, o), "xaaaay");
        assert!(
            matches!(found[..], [(1, 4, Pattern::Repeat { base_len: 1, .. })]),
            "{found:?}"
        );
        let found = run(|p, o| repeats(p, &model, o), "abababab");
        assert!(
            matches!(found[..], [(0, 7, Pattern::Repeat { base_len: 2, .. })]),
            "{found:?}"
        );
    }
}
