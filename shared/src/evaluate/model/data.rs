//! The shipped dictionaries and keyboard graphs (`shared/data/strength/`: sources, licences and
//! the script that refreshes them are there).

use super::dictionary::{Dict, Kind};

/// A keyboard: each key's neighbours, in a fixed order of directions (`None` at an edge); a
/// neighbour is the key's characters unshifted then shifted (`"2@"`).
#[derive(Debug)]
pub struct Graph {
    /// Its name.
    pub name: &'static str,
    /// Keys sorted by character.
    pub keys: &'static [(char, &'static [Option<&'static str>])],
    /// The characters typed with shift.
    pub shifted: &'static str,
    /// How many keys a pattern may start on.
    pub starting_positions: f64,
    /// The average number of neighbours of a key.
    pub average_degree: f64,
}

impl Graph {
    /// The neighbours of key `c` (none if it is not on this keyboard).
    pub fn neighbours(&self, c: char) -> &'static [Option<&'static str>] {
        self.keys
            .binary_search_by(|(k, _)| k.cmp(&c))
            .map_or(&[], |at| self.keys[at].1)
    }

    /// Whether `c` is typed with shift.
    pub fn is_shifted(&self, c: char) -> bool {
        self.shifted.contains(c)
    }

    /// Whether it is a numeric keypad (no shift, its own degree).
    pub fn is_keypad(&self) -> bool {
        self.shifted.is_empty()
    }
}

include!("../../../data/strength/graphs.rs");

use Kind::{Names, Passwords, Words};

macro_rules! packs {
    ($($name:literal => [$(($list:literal, $kind:ident)),* $(,)?]),* $(,)?) => {
        /// Every shipped pack of lists.
        pub static PACKS: &[Dict<'static>] = &[
            $(Dict::new(
                $name,
                &[$(($list, $kind)),*],
                include_str!(concat!("../../../data/strength/", $name, ".tsv")),
            ),)*
        ];

        /// The list names the data gives for pack `name` (`<pack>.lists`), for the tests.
        #[cfg(test)]
        pub fn list_names(name: &str) -> &'static str {
            match name {
                $($name => include_str!(concat!("../../../data/strength/", $name, ".lists")),)*
                _ => "",
            }
        }
    };
}

packs! {
    "zxcvbn" => [
        ("passwords", Passwords),
        ("english_wikipedia", Words),
        ("female_names", Names),
        ("surnames", Names),
        ("us_tv_and_film", Words),
        ("male_names", Names),
    ],
    "common" => [("diceware", Words), ("passwords", Passwords)],
    "en" => [
        ("commonWords", Words),
        ("firstnames", Names),
        ("lastnames", Names),
        ("wikipedia", Words),
    ],
}

/// The shipped pack called `name`.
pub fn pack(name: &str) -> Option<Dict<'static>> {
    PACKS.iter().find(|d| d.name == name).copied()
}

/// zxcvbn 4.4.2's keyboards.
pub static ZXCVBN_GRAPHS: [&Graph; 4] = [&QWERTY, &DVORAK, &KEYPAD, &KEYPAD_MAC];
