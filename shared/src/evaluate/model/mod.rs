//! The strength model: zxcvbn's (Wheeler, "zxcvbn: Low-Budget Password Strength Estimation",
//! USENIX Security 2016; the JavaScript zxcvbn 4.4.2), owned here so its faults and its cost are
//! ours to fix.
//!
//! A password is explained as a sequence of matches (dictionary words as they are, reversed or
//! l33t-substituted; keyboard patterns; repeats; sequences; recent years; dates; bruteforce for
//! the rest), and its guesses are those of the sequence needing the fewest
//! ([`scoring::most_guessable`]). What differs from zxcvbn 4.4.2, and why:
//! - dictionaries lie in the binary as sorted text and are binary-searched ([`dictionary`]): no
//!   table is built at start-up;
//! - l33t is a walk through each dictionary that reads each l33t character as any letter it
//!   stands for, consistently within a word, so several substitutions per letter are found; the
//!   walk is bounded by construction (steps per start position);
//! - an all-capitals word with a digit (`RAIDERS1`) gets zxcvbn 4.4.2's two uppercase variations
//!   (the Rust crate's port gave 0);
//! - the sequence search never tries more matches than could beat bruteforce (exact, and bounded).

pub mod data;
pub mod dictionary;
pub mod feedback;
pub mod patterns;
pub mod scoring;
pub mod spatial;

use data::Graph;
pub use dictionary::{Dict, Kind};
pub use feedback::{Suggestion, Warning};
pub use scoring::Analysis;

/// One match: characters `i..=j` of the password, what explains them, and its guesses (set by
/// the search).
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    /// First character.
    pub i: usize,
    /// Last character.
    pub j: usize,
    /// What explains them.
    pub pattern: Pattern,
    /// The guesses for this match alone.
    pub guesses: f64,
}

impl Match {
    fn new(i: usize, j: usize, pattern: Pattern) -> Match {
        Match {
            i,
            j,
            pattern,
            guesses: 0.0,
        }
    }
}

/// What explains a match.
#[derive(Clone, Debug, PartialEq)]
pub enum Pattern {
    /// A dictionary word.
    Dictionary {
        /// The dictionary's kind.
        kind: Kind,
        /// Its rank there (1 = most common).
        rank: u32,
        /// The word as the dictionary has it.
        word: String,
        /// Typed backwards.
        reversed: bool,
        /// l33t substitutions: (the character typed, the letter it stands for).
        subs: Vec<(char, char)>,
    },
    /// Adjacent keys.
    Spatial {
        /// The keyboard.
        graph: &'static Graph,
        /// Changes of direction (the first key counts one).
        turns: usize,
        /// Keys typed with shift.
        shifted: usize,
    },
    /// A base repeated.
    Repeat {
        /// The base's length.
        base_len: usize,
        /// The base's guesses.
        base_guesses: f64,
        /// How many times it is typed.
        count: f64,
    },
    /// Characters stepping by the same amount.
    Sequence {
        /// Upwards.
        ascending: bool,
    },
    /// A recent year.
    Year(i32),
    /// A date.
    Date {
        /// Its year.
        year: i32,
        /// Written with a separator.
        separator: bool,
    },
    /// Anything else: 10 guesses per character, or its class's size
    /// ([`Model::class_bruteforce`]).
    Bruteforce,
}

impl PartialEq for Graph {
    fn eq(&self, other: &Graph) -> bool {
        self.name == other.name
    }
}

/// What the model knows: its dictionaries and keyboards, and the years it calls recent.
#[derive(Clone, Debug)]
pub struct Model<'a> {
    /// Ranked dictionaries, the user's inputs among them.
    pub dictionaries: Vec<Dict<'a>>,
    /// Keyboards.
    pub graphs: Vec<&'static Graph>,
    /// The year dates and years are measured from.
    pub reference_year: i32,
    /// The last year the year matcher takes (zxcvbn 4.4.2: 2019).
    pub last_recent_year: i32,
    /// Bruteforce guesses per character by its class (zxcvbn: 10 for every character).
    pub class_bruteforce: bool,
}

impl<'a> Model<'a> {
    /// The model: the common and English packs, the `languages` asked for (pack names of
    /// [`data::LANGUAGES`]), `user_inputs` (a text from [`dictionary::user_input_text`]), every
    /// keyboard, years up to this one, bruteforce by character class.
    pub fn new(user_inputs: &'a str, languages: &[&str]) -> Model<'a> {
        let year = this_year();
        let mut dictionaries: Vec<Dict<'a>> = data::DEFAULT_PACKS
            .iter()
            .chain(
                languages
                    .iter()
                    .filter(|l| !data::DEFAULT_PACKS.contains(l)),
            )
            .filter_map(|name| data::pack(name))
            .collect();
        dictionaries.push(dictionary::user_inputs(user_inputs));
        Model {
            dictionaries,
            graphs: data::GRAPHS.to_vec(),
            reference_year: year,
            last_recent_year: year,
            class_bruteforce: true,
        }
    }

    /// zxcvbn 4.4.2's model, with `user_inputs`.
    #[cfg(test)]
    pub fn zxcvbn(user_inputs: &'a str) -> Model<'a> {
        Model {
            dictionaries: vec![data::ZXCVBN, dictionary::user_inputs(user_inputs)],
            graphs: data::ZXCVBN_GRAPHS.to_vec(),
            reference_year: this_year(),
            last_recent_year: 2019,
            class_bruteforce: false,
        }
    }
}

/// This year (UTC): dates and years are measured from it.
fn this_year() -> i32 {
    crate::quota::Day::today().civil().0 as i32
}

/// Every match the model finds in `password`, sorted by start then end.
pub fn omnimatch(password: &[char], model: &Model) -> Vec<Match> {
    let lower: Vec<char> = password.iter().map(|&c| dictionary::lower(c)).collect();
    let mut out = Vec::new();
    dictionary::matches(&lower, &model.dictionaries, false, true, &mut out);
    let reversed: Vec<char> = lower.iter().rev().copied().collect();
    dictionary::matches(&reversed, &model.dictionaries, true, false, &mut out);
    spatial::matches(password, &model.graphs, &mut out);
    patterns::repeats(password, model, &mut out);
    patterns::sequences(password, &mut out);
    patterns::years(password, model, &mut out);
    patterns::dates(password, model, &mut out);
    out.sort_by_key(|m| (m.i, m.j));
    out
}

/// The sequence of matches explaining `password` with the fewest guesses.
pub fn analyse(password: &[char], model: &Model) -> Analysis {
    scoring::most_guessable(password, omnimatch(password, model), model)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether a l33t word explains part of the password (inside repeats too).
    fn has_l33t(sequence: &[Match], chars: &[char], model: &Model) -> bool {
        sequence.iter().any(|m| match &m.pattern {
            Pattern::Dictionary { subs, .. } => !subs.is_empty(),
            Pattern::Repeat { base_len, .. } => {
                let base = &chars[m.i..m.i + base_len];
                has_l33t(&analyse(base, model).sequence, base, model)
            }
            _ => false,
        })
    }

    /// zxcvbn 4.4.2's own guesses (`shared/data/strength/zxcvbn-4.4.2.tsv`, written by the
    /// JavaScript reference on synthetic passwords): the owned model gives the same, or fewer
    /// only where it finds a l33t word that zxcvbn's one-substitution-per-password search misses.
    #[test]
    fn zxcvbn_4_4_2s_model_gives_the_reference_implementations_guesses() {
        let text = include_str!("../../../data/strength/zxcvbn-4.4.2.tsv");
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        let year: i32 = header
            .split("reference year ")
            .nth(1)
            .and_then(|y| y.split(':').next())
            .and_then(|y| y.parse().ok())
            .unwrap();
        let model = Model {
            reference_year: year,
            ..Model::zxcvbn("")
        };
        let (mut same, mut l33t, mut total) = (0, 0, 0);
        let mut wrong = Vec::new();
        for line in lines {
            let (password, reference) = line.rsplit_once('\t').unwrap();
            let reference: f64 = reference.parse().unwrap();
            let chars: Vec<char> = password.chars().collect();
            let ours = analyse(&chars, &model);
            total += 1;
            let found_l33t = has_l33t(&ours.sequence, &chars, &model);
            if (ours.guesses - reference).abs() <= reference * 1e-12 {
                same += 1;
            } else if ours.guesses < reference && found_l33t {
                l33t += 1;
            } else {
                wrong.push(format!(
                    "{password}: {} (zxcvbn 4.4.2: {reference})",
                    ours.guesses
                ));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        assert!(
            total > 3000 && same * 100 > total * 95,
            "{same} of {total} the same, {l33t} l33t"
        );
    }
}
