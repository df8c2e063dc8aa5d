//! Drawing a string the rules allow, uniformly: forward, block by block, each choice weighted by
//! the exact number of strings that can follow it (read as floats; a draw within
//! [`super::CLOSE_CALL`] of a boundary is settled with the exact integers). Either every string
//! that keeps the run limit is proposed and those that miss a set rejected, or the walk chooses
//! each block's atom, length and character from the [`SetsTable`].

use super::alphabet::Alphabet;
use super::choice::choose;
use super::counts::{RunLimited, run_limited, valid_counts};
use super::limbs::{ByLength, Count, log2_limbs, to_big, width_for};
use super::sequences::{RunTracker, Runs, valid_counts as sequence_valid_counts};
use super::table::SetsTable;
use super::{CLOSE_CALL, MIN_ACCEPTANCE};
use crate::generate::random::below;
use num_bigint::BigUint;
use rand::Rng;

/// Strings of one length that a site's rules allow, counted and sampled.
#[derive(Clone, Debug)]
pub struct SiteSpace {
    /// The rules as the caller sent them (or as the list has them for `site`).
    pub text: String,
    /// The known site whose rules these are, when the caller named one.
    pub site: Option<&'static str>,
    /// The characters, atom after atom.
    chars: Vec<char>,
    /// Atom of each character.
    atom_of: Vec<usize>,
    /// Where each atom's characters start in `chars` (and the end).
    starts: Vec<usize>,
    /// Each atom's required sets.
    pub(super) sets: Vec<usize>,
    /// Every required set.
    full: usize,
    run: usize,
    length: usize,
    alphabet: Alphabet,
    /// The valid strings of every length counted.
    valid: ByLength,
    /// The run-limit counts over every character: with every set met, the ways to finish
    /// (`after_run`), and the strings a proposal draws from (`from_run_start`).
    run_limited: RunLimited,
    /// The counts by sets met, for the walk (built when it is the method, up to the length).
    table: Option<SetsTable>,
    /// With every set met and `r` characters left, the shares of the block lengths
    /// `1..=min(run, r)` at `block_shares[block_starts[r]..block_starts[r + 1]]`: the sampler's
    /// usual step, read without touching the big counts.
    block_shares: Vec<f64>,
    block_starts: Vec<usize>,
    /// Draw strings that only keep the runs short and reject those that miss a required set:
    /// cheaper than the walk when most of them meet every set.
    pub(super) propose: bool,
    pub(super) close_call: f64,
    /// A limit on sequences (`abc`, `321`), when one binds.
    pub(super) sequences: Option<Sequences>,
}

/// The counts and the proposals under a limit on sequences as well: either strings that keep
/// both run limits are proposed and those that miss a set rejected, or strings that meet the
/// sets and the repeat limit (the block walk above) and those with a longer sequence rejected,
/// whichever accepts more at the length.
#[derive(Clone, Debug)]
pub(super) struct Sequences {
    /// Both run limits over every character, without the sets.
    pub(super) runs: Runs,
    /// Each sorted character's sets.
    sets_of: Vec<usize>,
    /// The valid strings of every length, sequence limit included.
    valid: ByLength,
    limit: usize,
    /// Propose from `runs` (else from the block walk).
    pub(super) propose_runs: bool,
}

/// The sequences of a string as it is drawn: `None` from [`Guard::push`] once one is longer than
/// the limit.
struct Guard {
    limit: usize,
    runs: RunTracker,
}

impl Guard {
    fn new(limit: usize) -> Guard {
        Guard {
            limit,
            runs: RunTracker::default(),
        }
    }

    /// `c` appended.
    fn push(&mut self, c: char) -> Option<()> {
        if self.limit == usize::MAX {
            return Some(());
        }
        (self.runs.push(c).1 <= self.limit).then_some(())
    }
}

/// How a block begins: its character and atom.
struct Opening {
    char: usize,
    atom: usize,
}

impl SiteSpace {
    /// Counts every length up to `max_length` for `alphabet` with runs of at most `run` identical
    /// characters (at least 1). [`SiteSpace::with_length`] then chooses the length and the way
    /// to sample it, before any sample.
    /// `sequence` limits runs stepping by ±1 (where it is below `max_length`: else it cannot bind).
    pub(super) fn new(
        alphabet: &Alphabet,
        max_length: usize,
        run: usize,
        sequence: Option<usize>,
    ) -> SiteSpace {
        let run = run.clamp(1, max_length.max(1));
        let mut chars = Vec::new();
        let mut atom_of = Vec::new();
        let mut starts = vec![0];
        for (b, (members, _)) in alphabet.atoms.iter().enumerate() {
            chars.extend(members);
            atom_of.extend(std::iter::repeat_n(b, members.len()));
            starts.push(chars.len());
        }
        let width = width_for(chars.len(), max_length);
        let counts = run_limited(chars.len(), run, max_length, width);
        let (block_shares, block_starts) = block_shares(&counts, run, max_length);
        let sequences = sequence
            .filter(|&s| s < max_length)
            .map(|limit| Sequences::new(alphabet, max_length, run, limit.max(1), width));
        SiteSpace {
            sequences,
            text: String::new(),
            site: None,
            chars,
            atom_of,
            starts,
            sets: alphabet.atoms.iter().map(|(_, s)| *s as usize).collect(),
            full: (1 << alphabet.sets) - 1,
            run,
            length: max_length,
            alphabet: alphabet.clone(),
            valid: valid_counts(alphabet, run, max_length, width),
            run_limited: counts,
            table: None,
            block_shares,
            block_starts,
            propose: false,
            close_call: CLOSE_CALL,
        }
    }

    /// `log2` of the number of valid strings of `length` characters (`length` up to the table's).
    pub fn log2_count_at(&self, length: usize) -> f64 {
        log2_limbs(self.valid_at(length))
    }

    /// The valid strings of `length`, every limit counted.
    fn valid_at(&self, length: usize) -> &[u64] {
        match &self.sequences {
            Some(q) => q.valid.get(length),
            None => self.valid.get(length),
        }
    }

    /// Samples `length` characters from now on (at most the table's length).
    pub fn with_length(mut self, length: usize) -> SiteSpace {
        assert!(length < self.valid.len(), "length beyond the counts");
        self.length = length;
        // Strings of `length` that keep the run limit: N characters open the first run, then
        // the ways to go on after it.
        let log_proposed = (self.chars.len() as f64).log2()
            + log2_limbs(self.run_limited.from_run_start.get(length));
        let log_valid = log2_limbs(self.valid.get(length));
        let acceptance = (log_valid - log_proposed).exp2();
        self.propose = self.full != 0 && length > 0 && acceptance >= MIN_ACCEPTANCE;
        self.table = None;
        if let Some(q) = &mut self.sequences {
            let log_valid_here = log2_limbs(q.valid.get(length));
            // Each proposal's share of valid strings: the better one is the method.
            let of_runs = log_valid_here - log2_limbs(&q.runs.totals[length]);
            let of_blocks = log_valid_here - log_valid;
            q.propose_runs = of_runs >= of_blocks;
            if q.propose_runs {
                return self;
            }
        }
        if self.full != 0 && !self.propose {
            self.walk_by_table();
        }
        self
    }

    /// Counts by sets met for the walk, up to the length.
    pub(super) fn walk_by_table(&mut self) {
        self.propose = false;
        if self
            .table
            .as_ref()
            .is_none_or(|t| t.lengths() <= self.length)
        {
            self.table = Some(SetsTable::new(&self.alphabet, self.length, self.run));
        }
    }

    /// Characters per string.
    pub fn length(&self) -> usize {
        self.length
    }

    /// Distinct characters.
    pub fn size(&self) -> usize {
        self.chars.len()
    }

    /// The exact number of valid strings of `length` characters.
    #[cfg(test)]
    pub(super) fn count_at(&self, length: usize) -> BigUint {
        to_big(self.valid_at(length))
    }

    /// The exact number of strings of [`SiteSpace::length`].
    pub fn count(&self) -> BigUint {
        to_big(self.valid_at(self.length))
    }

    /// A uniform string of [`SiteSpace::length`] characters.
    ///
    /// # Panics
    /// If there is none ([`SiteSpace::count`] is zero): callers refuse such rules first.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> String {
        assert!(
            self.log2_count_at(self.length) >= 0.0,
            "no string to sample"
        );
        match &self.sequences {
            None => self
                .sample_blocks(rng, usize::MAX)
                .expect("no sequence limit"),
            Some(q) if q.propose_runs => {
                // Uniform over the strings that keep both run limits; those that meet every
                // set are then uniform over the valid ones.
                let mut drawn = Vec::with_capacity(self.length);
                loop {
                    q.runs.sample(rng, self.length, &mut drawn);
                    if drawn.iter().fold(0, |met, &c| met | q.sets_of[c]) == self.full {
                        return drawn.iter().map(|&c| q.runs.chars()[c]).collect();
                    }
                }
            }
            Some(q) => loop {
                // Uniform over the strings that meet the sets and the repeat limit; those
                // without a longer sequence are then uniform over the valid ones (a proposal
                // is given up at its first sequence too long: the same outcome, sooner).
                if let Some(proposal) = self.sample_blocks(rng, q.limit) {
                    return proposal;
                }
            },
        }
    }

    /// A uniform string of the length under the sets and the repeat limit alone, or `None` if
    /// it has a sequence longer than `sequence`.
    fn sample_blocks<R: Rng + ?Sized>(&self, rng: &mut R, sequence: usize) -> Option<String> {
        if !self.propose {
            return self.walk(rng, 0, sequence).map(|(p, _)| p);
        }
        loop {
            // Uniform over the strings that keep the run limit; those that meet every set are
            // then uniform over the valid ones.
            let (proposal, met) = self.walk(rng, self.full, sequence)?;
            if met == self.full {
                return Some(proposal);
            }
        }
    }

    /// A string drawn block by block from `met` sets met (every set: only the run limit counts),
    /// and the sets its characters meet; `None` as soon as it has a sequence longer than
    /// `sequence`.
    fn walk<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        mut met: usize,
        sequence: usize,
    ) -> Option<(String, usize)> {
        let mut guard = Guard::new(sequence);
        let mut out = String::with_capacity(self.length);
        let mut left = self.length;
        let mut seen = 0usize;
        let mut last: Option<usize> = None;
        while left > 0 {
            let opening = if met == self.full {
                // Every set is met: any character unlike the last one opens the next block.
                let c = self.other_than(rng, last, 0, self.chars.len());
                if self.run >= left {
                    // No run can grow too long: the rest is free.
                    self.finish_freely(rng, c, left, &mut out, &mut seen, &mut guard)?;
                    return Some((out, seen));
                }
                Opening {
                    char: c,
                    atom: self.atom_of[c],
                }
            } else {
                self.open_block(rng, met, left, last)
            };
            met |= self.sets[opening.atom];
            let block = self.block_length(rng, met, left, opening.atom);
            let c = self.chars[opening.char];
            for _ in 0..block {
                out.push(c);
                guard.push(c)?;
            }
            left -= block;
            last = Some(opening.char);
            seen |= self.sets[opening.atom];
        }
        Some((out, seen))
    }

    /// `left` characters from `first`, each free (no run can grow too long any more).
    fn finish_freely<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        first: usize,
        left: usize,
        out: &mut String,
        seen: &mut usize,
        guard: &mut Guard,
    ) -> Option<()> {
        out.push(self.chars[first]);
        *seen |= self.sets[self.atom_of[first]];
        guard.push(self.chars[first])?;
        for _ in 1..left {
            let c = below(rng, self.chars.len() as u32) as usize;
            out.push(self.chars[c]);
            *seen |= self.sets[self.atom_of[c]];
            guard.push(self.chars[c])?;
        }
        Some(())
    }

    /// The next block's atom (weighted by the ways on after it) and character, with `met` sets
    /// met and `left` characters left after the block of `last`.
    fn open_block<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        met: usize,
        left: usize,
        last: Option<usize>,
    ) -> Opening {
        let table = self.table.as_ref().expect("the walk's counts");
        let previous = last.map(|c| self.atom_of[c]);
        let log_total = match previous {
            Some(a) => table.log_closed(left, met, a),
            None => table.log_total(left),
        };
        let ways = |b: usize| {
            let size = self.starts[b + 1] - self.starts[b];
            size - usize::from(previous == Some(b))
        };
        let atoms = 0..self.sets.len();
        let atom = choose(
            rng,
            self.close_call,
            atoms.clone().map(|b| {
                let log = (ways(b) as f64).log2() + table.log_opened(left, met | self.sets[b], b);
                (log - log_total).exp2()
            }),
            || {
                atoms
                    .clone()
                    .map(|b| to_big(table.opened(left, met | self.sets[b], b)) * ways(b))
                    .collect()
            },
        );
        Opening {
            char: self.other_than(rng, last, self.starts[atom], self.starts[atom + 1]),
            atom,
        }
    }

    /// The length of a block of `atom` opened with `left` characters left (`met` including its
    /// sets), weighted by the ways to finish after it.
    fn block_length<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        met: usize,
        left: usize,
        atom: usize,
    ) -> usize {
        let longest = self.run.min(left);
        1 + if met == self.full {
            let exact = || {
                (1..=longest)
                    .map(|l| to_big(self.run_limited.after_run.get(left - l)))
                    .collect()
            };
            match &self.block_shares[self.block_starts[left]..self.block_starts[left + 1]] {
                // Runs of one: nothing to choose.
                [_] => 0,
                shares => choose(rng, self.close_call, shares.iter().copied(), exact),
            }
        } else {
            let table = self.table.as_ref().expect("the walk's counts");
            let exact = || {
                (1..=longest)
                    .map(|l| to_big(table.closed(left - l, met, atom, &mut Count::default())))
                    .collect()
            };
            let log_total = table.log_opened(left, met, atom);
            let shares =
                (1..=longest).map(|l| (table.log_closed(left - l, met, atom) - log_total).exp2());
            choose(rng, self.close_call, shares, exact)
        }
    }

    /// A uniform index in `from..to` other than `last`.
    fn other_than<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        last: Option<usize>,
        from: usize,
        to: usize,
    ) -> usize {
        let skip = last.filter(|l| (from..to).contains(l));
        let i = from + below(rng, (to - from - usize::from(skip.is_some())) as u32) as usize;
        match skip {
            Some(l) if i >= l => i + 1,
            _ => i,
        }
    }
}

impl Sequences {
    fn new(
        alphabet: &Alphabet,
        max_length: usize,
        run: usize,
        limit: usize,
        width: usize,
    ) -> Sequences {
        let mut chars: Vec<(char, usize)> = alphabet
            .atoms
            .iter()
            .flat_map(|(members, sets)| members.iter().map(|&c| (c, *sets as usize)))
            .collect();
        chars.sort_unstable();
        let sorted: Vec<char> = chars.iter().map(|&(c, _)| c).collect();
        let runs = Runs::new(&sorted, run, limit, max_length, width, true);
        let mut valid = ByLength::new(width, max_length + 1);
        for count in sequence_valid_counts(alphabet, &runs) {
            valid.push(&count[..]);
        }
        Sequences {
            runs,
            sets_of: chars.iter().map(|&(_, s)| s).collect(),
            valid,
            limit,
            propose_runs: true,
        }
    }
}

/// With every set met and `r` characters left, the shares of the block lengths `1..=run` (where
/// `r > run`; shorter remainders are finished freely), each `G(r − L) / V(r)`, and where each
/// length's shares start.
fn block_shares(counts: &RunLimited, run: usize, max_length: usize) -> (Vec<f64>, Vec<usize>) {
    let mut shares = Vec::new();
    let mut starts = Vec::with_capacity(max_length + 2);
    for r in 0..=max_length {
        starts.push(shares.len());
        if r > run {
            let log_total = log2_limbs(counts.from_run_start.get(r));
            shares.extend(
                (1..=run).map(|l| (log2_limbs(counts.after_run.get(r - l)) - log_total).exp2()),
            );
        }
    }
    starts.push(shares.len());
    (shares, starts)
}
