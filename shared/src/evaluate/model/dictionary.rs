//! Ranked dictionaries where they lie in the binary, and the dictionary matcher: plain, reversed,
//! and l33t-substituted words.
//!
//! A dictionary is a pack of ranked lists, the text of `shared/data/strength/<pack>.tsv`: one
//! line per word, sorted by the word's bytes: the word, a tab, then the lowest rank of the word in
//! any of the pack's lists and that list (see [`entry`]: one character for the rank on a
//! logarithmic scale in the shipped packs; decimal where the rank must be exact). A walk narrows
//! a range of lines one character at a time, by binary search over the text's bytes (a probe
//! steps back to its line's start) comparing only the bytes after the prefix the range shares;
//! nothing is built at start-up and a request reads only the lines it probes. One walk answers
//! for every list of a pack.

use super::{Match, Pattern};

/// What a list holds, which is what feedback says about a match in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Common passwords.
    Passwords,
    /// Words of a language (Wikipedia, subtitles, film and television).
    Words,
    /// First names and surnames.
    Names,
    /// The caller's `user_inputs`.
    UserInputs,
}

/// A pack of ranked lists.
#[derive(Clone, Copy, Debug)]
pub struct Dict<'a> {
    /// Its name.
    pub name: &'static str,
    /// Its lists, by index: name and kind.
    pub lists: &'static [(&'static str, Kind)],
    text: &'a str,
    /// Runs of lines sharing their first two bytes: the two bytes, then the run's start as a
    /// little-endian u32, six bytes a run (`<pack>.idx`; empty: search the text instead).
    index: &'a [u8],
}

/// A range of lines (byte offsets of the first line and past the last).
type Lines = (usize, usize);

impl<'a> Dict<'a> {
    /// A pack over `text` (sorted `word<TAB>rank<TAB>list` lines), without an index.
    pub const fn new(
        name: &'static str,
        lists: &'static [(&'static str, Kind)],
        text: &'a str,
    ) -> Dict<'a> {
        Dict {
            name,
            lists,
            text,
            index: &[],
        }
    }

    /// A pack over `text` with its `index` of two-byte runs.
    pub const fn indexed(
        name: &'static str,
        lists: &'static [(&'static str, Kind)],
        text: &'a str,
        index: &'a [u8],
    ) -> Dict<'a> {
        Dict {
            name,
            lists,
            text,
            index,
        }
    }

    /// Run `k` of the index: its two bytes and where it starts (past the last: the text's end).
    fn run(&self, k: usize) -> (u16, usize) {
        match self.index.get(k * 6..k * 6 + 6) {
            Some(r) => (
                u16::from_be_bytes([r[0], r[1]]),
                u32::from_le_bytes([r[2], r[3], r[4], r[5]]) as usize,
            ),
            None => (u16::MAX, self.text.len()),
        }
    }

    /// The first run whose two bytes are not below `key`.
    fn first_run(&self, key: u16) -> usize {
        let (mut lo, mut hi) = (0, self.index.len() / 6);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.run(mid).0 < key {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The lines starting with `key` (one or two bytes), from the index, and whether the first
    /// is exactly `key`.
    fn indexed_prefix(&self, key: &[u8]) -> Option<(Lines, bool)> {
        let (from, to, exact) = match *key {
            [b] => {
                let b = u16::from(b) << 8;
                let (from, to) = (self.first_run(b), self.first_run(b + 0x100));
                let exact = self.run(from).0 == b | u16::from(b'\t');
                (from, to, exact)
            }
            [b0, b1] => {
                let k = u16::from_be_bytes([b0, b1]);
                let from = self.first_run(k);
                let to = if self.run(from).0 == k {
                    from + 1
                } else {
                    from
                };
                let exact = to > from && self.word_at(self.run(from).1).0.len() == 2;
                (from, to, exact)
            }
            _ => return None,
        };
        (from < to).then(|| ((self.run(from).1, self.run(to).1), exact))
    }

    /// The lines whose words start with `key` followed by `next` (`lines`: those starting with
    /// `key`), and whether the first is exactly that.
    fn extend(&self, lines: Lines, key: &[u8], next: &[u8]) -> Option<(Lines, bool)> {
        if key.len() >= 2 || self.index.is_empty() {
            return self.narrow(lines, key.len(), next);
        }
        let full: Vec<u8> = [key, next].concat();
        let (lines, exact) = self.indexed_prefix(&full[..full.len().min(2)])?;
        if full.len() <= 2 {
            Some((lines, exact))
        } else {
            self.narrow(lines, 2, &full[2..])
        }
    }

    /// The word of the line starting at byte `at`, and where the next line starts.
    fn word_at(&self, at: usize) -> (&'a [u8], usize) {
        let bytes = self.text.as_bytes();
        let tab = bytes[at..]
            .iter()
            .position(|&b| b == b'\t')
            .map_or(bytes.len(), |p| at + p);
        let end = bytes[tab..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |p| tab + p + 1);
        (&bytes[at..tab], end)
    }

    /// The rank and the list on the line starting at byte `at`.
    fn entry_at(&self, at: usize) -> (u32, usize) {
        let (word, end) = self.word_at(at);
        entry(&self.text[at + word.len() + 1..end])
    }

    /// The first line in `[lo, hi)` (line starts) whose word fails `below`, given that `below`
    /// holds for a leading run of the lines and fails for the rest.
    fn search(&self, mut lo: usize, mut hi: usize, below: impl Fn(&[u8]) -> bool) -> usize {
        let bytes = self.text.as_bytes();
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let start = bytes[lo..mid]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(lo, |p| lo + p + 1);
            let (word, next) = self.word_at(start);
            if below(word) {
                lo = next;
            } else {
                hi = start;
            }
        }
        lo
    }

    /// All the lines.
    fn all(&self) -> Lines {
        (0, self.text.len())
    }

    /// Of `lines`, whose words all start with the same `shared` bytes, the lines whose words go on
    /// with `next`, and whether the first of them is exactly the prefix and `next`; `None` when
    /// there are none.
    fn narrow(&self, (lo, hi): Lines, shared: usize, next: &[u8]) -> Option<(Lines, bool)> {
        fn tail(w: &[u8], shared: usize) -> &[u8] {
            &w[shared.min(w.len())..]
        }
        let start = self.search(lo, hi, |w| tail(w, shared) < next);
        let end = self.search(start, hi, |w| {
            let t = tail(w, shared);
            t < next || t.starts_with(next)
        });
        (start < end).then(|| {
            let exact = self.word_at(start).0.len() == shared + next.len();
            ((start, end), exact)
        })
    }

    /// The rank and list of `word` (lowercase), if it is in the pack.
    pub fn find(&self, word: &str) -> Option<(u32, usize)> {
        let mut lines = self.all();
        let mut exact = false;
        let mut shared = 0;
        for c in word.chars() {
            let mut buf = [0; 4];
            let next = c.encode_utf8(&mut buf).as_bytes();
            (lines, exact) = self.extend(lines, &word.as_bytes()[..shared], next)?;
            shared += next.len();
        }
        exact.then(|| self.entry_at(lines.0))
    }

    /// Reads one byte of every memory page of the pack's text and index, so that the first
    /// request to walk it does not pay the page faults (its data lie in the binary, mapped
    /// lazily). Returns a sum that the caller keeps, so the reads are not optimised away.
    pub fn touch(&self) -> usize {
        const PAGE: usize = 4096;
        let text = self.text.as_bytes().iter().step_by(PAGE);
        let index = self.index.iter().step_by(PAGE);
        text.chain(index).map(|&b| usize::from(b)).sum()
    }

    /// Lines of this pack (for tests and the data checks).
    pub fn len(&self) -> usize {
        self.text.lines().count()
    }

    /// Whether it holds no word.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// The ratio of one logarithmic rank step to the next: ranks stored as one character are
/// `round(RANK_STEP^k)`, within 7.5 % of the list's own (a difference no guess count shows).
pub const RANK_STEP: f64 = 1.15;

/// The first character of the logarithmic ranks (`!`: step 0, rank 1; `~`, step 93, the last).
const RANK_BASE: u8 = b'!';

/// The rank and list of a line's fields (after the word's tab): `rank<TAB>list` (the exact rank,
/// in decimal), or two characters, the rank's logarithmic step (`RANK_BASE` + k, for rank
/// `round(RANK_STEP^k)`) then the list's index.
fn entry(fields: &str) -> (u32, usize) {
    let fields = fields.trim_end();
    let list = |l: &str| l.parse().unwrap_or(0);
    match (fields.split_once('\t'), fields.as_bytes()) {
        (Some((rank, l)), _) => (rank.parse().unwrap_or(u32::MAX), list(l)),
        (None, [step, _]) => {
            let k = i32::from(step.saturating_sub(RANK_BASE));
            (RANK_STEP.powi(k).round() as u32, list(&fields[1..]))
        }
        _ => (u32::MAX, 0),
    }
}

/// The one list of the `user_inputs` pack.
static USER_INPUTS: [(&str, Kind); 1] = [("user_inputs", Kind::UserInputs)];

/// The `user_inputs` pack over `text` (from [`user_input_text`]).
pub fn user_inputs(text: &str) -> Dict<'_> {
    Dict::new("user_inputs", &USER_INPUTS, text)
}

/// The `user_inputs` as a dictionary: lowercased, ranked by position (a repeated input keeps its
/// last rank, as zxcvbn does), sorted like the shipped ones.
pub fn user_input_text(inputs: &[&str]) -> String {
    let mut ranked: Vec<(String, usize)> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let word = lowercase(input).replace(['\t', '\n'], " ");
        if word.is_empty() {
            continue;
        }
        match ranked.iter_mut().find(|(w, _)| *w == word) {
            Some(entry) => entry.1 = i + 1,
            None => ranked.push((word, i + 1)),
        }
    }
    ranked.sort();
    ranked
        .iter()
        .map(|(w, r)| format!("{w}\t{r}\t0\n"))
        .collect()
}

/// Lowercase, one character for one (a character whose lowercase is longer keeps its first).
pub fn lowercase(s: &str) -> String {
    s.chars().map(lower).collect()
}

/// One character's lowercase, one for one.
pub fn lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// zxcvbn's l33t table: the characters read as each letter.
pub const L33T: [(char, &str); 12] = [
    ('a', "4@"),
    ('b', "8"),
    ('c', "({[<"),
    ('e', "3"),
    ('g', "69"),
    ('i', "1!|"),
    ('l', "1|7"),
    ('o', "0"),
    ('s', "$5"),
    ('t', "+7"),
    ('x', "%"),
    ('z', "2"),
];

/// Most steps one walk from a start position may take in one dictionary: a bound on the l33t
/// search by construction (real words prune it long before; `make bench` runs the worst found).
pub const WALK_BUDGET: usize = 256;

/// Every dictionary match of `lower` (the password lowercased): words as they are and with l33t
/// substitutions (each l33t character read as one letter throughout a word, several letters per
/// word). With `reversed`, `lower` is the password reversed and no l33t is tried; the matches are
/// mapped back to the password's positions.
pub fn matches(lower: &[char], dicts: &[Dict], reversed: bool, l33t: bool, out: &mut Vec<Match>) {
    let n = lower.len();
    for dict in dicts {
        for i in 0..n {
            let mut walk = Walk {
                lower,
                dict,
                start: i,
                key: String::new(),
                subs: Vec::new(),
                budget: WALK_BUDGET,
                l33t: l33t && !reversed,
                found: Vec::new(),
            };
            walk.step(i, dict.all());
            for (j, (rank, list), word, subs) in walk.found {
                let (i, j) = if reversed {
                    (n - 1 - j, n - 1 - i)
                } else {
                    (i, j)
                };
                out.push(Match::new(
                    i,
                    j,
                    Pattern::Dictionary {
                        kind: dict.lists.get(list).map_or(Kind::Words, |l| l.1),
                        rank,
                        word: if reversed {
                            word.chars().rev().collect()
                        } else {
                            word
                        },
                        reversed,
                        subs,
                    },
                ));
            }
        }
    }
}

/// A found word: its end, (rank, list), the word, its substitutions.
type Found = (usize, (u32, usize), String, Vec<(char, char)>);

/// A depth-first walk through one pack from one start position.
struct Walk<'w, 'd> {
    lower: &'w [char],
    dict: &'w Dict<'d>,
    start: usize,
    key: String,
    subs: Vec<(char, char)>,
    budget: usize,
    l33t: bool,
    found: Vec<Found>,
}

impl Walk<'_, '_> {
    fn step(&mut self, j: usize, lines: Lines) {
        let Some(&c) = self.lower.get(j) else {
            return;
        };
        // The character as it is, then each letter it may stand for (the one it already stands
        // for in this word, if any). The flag says whether the option adds a substitution.
        let mut options = vec![(c, false)];
        if self.l33t {
            match self.subs.iter().find(|&&(l, _)| l == c) {
                Some(&(_, letter)) => options = vec![(letter, false)],
                None => options.extend(
                    L33T.iter()
                        .filter(|(_, chars)| chars.contains(c))
                        .map(|&(letter, _)| (letter, true)),
                ),
            }
        }
        for (ch, substituted) in options {
            if self.budget == 0 {
                return;
            }
            self.budget -= 1;
            let mut buf = [0; 4];
            let next = ch.encode_utf8(&mut buf).as_bytes();
            let Some((lines, exact)) = self.dict.extend(lines, self.key.as_bytes(), next) else {
                continue;
            };
            self.key.push(ch);
            if substituted {
                self.subs.push((c, ch));
            }
            // zxcvbn reports a l33t word only when it has a substitution and two characters.
            if exact && (self.subs.is_empty() || j > self.start) {
                let entry = self.dict.entry_at(lines.0);
                self.found
                    .push((j, entry, self.key.clone(), self.subs.clone()));
            }
            self.step(j + 1, lines);
            if substituted {
                self.subs.pop();
            }
            self.key.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "a\t3\t0\nab\t7\t0\nabc\t1\t1\nb\t2\t0\nbd\t9\t0\n";
    static LISTS: [(&str, Kind); 2] = [("w", Kind::Words), ("p", Kind::Passwords)];

    #[test]
    fn lookups_find_words_ranks_and_lists() {
        let d = Dict::new("t", &LISTS, TEXT);
        assert_eq!(d.find("abc"), Some((1, 1)));
        assert_eq!(d.find("a"), Some((3, 0)));
        assert_eq!(d.find("bd"), Some((9, 0)));
        assert_eq!(d.find("ab"), Some((7, 0)));
        assert_eq!(d.find("ac"), None);
        assert_eq!(d.find("c"), None);
        assert_eq!(d.find(""), None);
        assert_eq!(d.find("abcd"), None);
        assert_eq!(d.narrow(d.all(), 0, b"a"), Some(((0, 21), true)));
        // The same through an index of its two-byte runs.
        let index: Vec<u8> = [(b"a\t", 0u32), (b"ab", 6), (b"b\t", 21), (b"bd", 27)]
            .iter()
            .flat_map(|(k, at)| [k[0], k[1]].into_iter().chain(at.to_le_bytes()))
            .collect();
        let i = Dict::indexed("t", &LISTS, TEXT, &index);
        for word in ["abc", "a", "bd", "ab", "ac", "c", "", "abcd", "b"] {
            assert_eq!(i.find(word), d.find(word), "{word}");
        }
        assert_eq!(i.indexed_prefix(b"a"), Some(((0, 21), true)));
        assert_eq!(i.indexed_prefix(b"ab"), Some(((6, 21), true)));
        assert_eq!(i.indexed_prefix(b"c"), None);
        assert_eq!(d.len(), 5);
    }

    #[test]
    fn every_shipped_word_is_found_with_its_rank_and_list() {
        let zxcvbn = [super::super::data::ZXCVBN];
        for d in super::super::data::PACKS.iter().chain(&zxcvbn) {
            for (i, line) in d.text.lines().enumerate().step_by(89) {
                let (word, fields) = line.split_once('\t').unwrap();
                let entry = entry(fields);
                assert_eq!(d.find(word), Some(entry), "{} line {i}", d.name);
                assert!(entry.0 >= 1 && entry.0 < 500_000, "{} line {i}", d.name);
                assert!(entry.1 < d.lists.len());
            }
        }
    }

    #[test]
    fn each_pack_names_its_lists_as_the_data_does() {
        let zxcvbn = [super::super::data::ZXCVBN];
        for d in super::super::data::PACKS.iter().chain(&zxcvbn) {
            let names: Vec<&str> = d.lists.iter().map(|l| l.0).collect();
            let shipped = super::super::data::list_names(d.name);
            assert_eq!(names, shipped.lines().collect::<Vec<_>>(), "{}", d.name);
        }
    }

    fn found(password: &str, l33t: bool) -> Vec<(usize, usize, String, u32)> {
        let d = Dict::new("t", &LISTS, TEXT);
        let lower: Vec<char> = lowercase(password).chars().collect();
        let mut out = Vec::new();
        matches(&lower, &[d], false, l33t, &mut out);
        out.iter()
            .map(|m| match &m.pattern {
                Pattern::Dictionary { word, rank, .. } => (m.i, m.j, word.clone(), *rank),
                _ => unreachable!(),
            })
            .collect()
    }

    #[test]
    fn plain_and_l33t_matches() {
        let s = |v: &str| v.to_owned();
        assert_eq!(
            found("xAbC", false),
            [
                (1, 1, s("a"), 3),
                (1, 2, s("ab"), 7),
                (1, 3, s("abc"), 1),
                (2, 2, s("b"), 2)
            ]
        );
        // `8` reads as `b`; a single substituted character is not a l33t match.
        let l = found("48(", true);
        assert!(l.contains(&(0, 1, s("ab"), 7)), "{l:?}");
        assert!(l.contains(&(0, 2, s("abc"), 1)), "{l:?}");
        assert!(!l.iter().any(|m| m.0 == m.1), "{l:?}");
        assert!(found("48(", false).is_empty());
    }

    #[test]
    fn ranks_read_exact_or_on_the_logarithmic_scale() {
        assert_eq!(entry("55830\t3\n"), (55830, 3));
        assert_eq!(entry("!0\n"), (1, 0));
        assert_eq!(entry("&2"), (2, 2));
        assert_eq!(entry("'1"), (2, 1));
        // Step 79: 1.15^79 = 62,392, the nearest step to the largest shipped rank (64,709).
        assert_eq!(entry("p3"), (62392, 3));
        assert_eq!(entry("~0").0, 441_468);
        // Each step is within RANK_STEP of the last, and every rank within half a step of one.
        for rank in [1u32, 2, 3, 10, 99, 1000, 4321, 65_000] {
            let k = (f64::from(rank).ln() / RANK_STEP.ln()).round() as u8;
            let read = entry(&format!("{}0", char::from(RANK_BASE + k))).0;
            let ratio = f64::from(read.max(rank)) / f64::from(read.min(rank));
            assert!(
                ratio <= RANK_STEP.sqrt() + 0.01 || rank - read.min(rank) <= 1,
                "{rank}: {read}"
            );
        }
    }

    #[test]
    fn user_inputs_are_ranked_by_position() {
        let text = user_input_text(&["Alice", "bob", "alice", ""]);
        assert_eq!(text, "alice\t3\t0\nbob\t2\t0\n");
    }
}
