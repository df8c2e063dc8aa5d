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

/// A pack's lists, in the order of its `.lists` file: zxcvbn-ts's language packs.
const LANGUAGE: [(&str, Kind); 4] = [
    ("commonWords", Words),
    ("firstnames", Names),
    ("lastnames", Names),
    ("wikipedia", Words),
];

macro_rules! pack {
    ($name:literal, $lists:expr) => {
        Dict::indexed(
            $name,
            $lists,
            include_str!(concat!("../../../data/strength/", $name, ".tsv")),
            include_bytes!(concat!("../../../data/strength/", $name, ".idx")),
        )
    };
}

/// Every pack shipped for requests: the common lists, English, and the languages.
pub static PACKS: &[Dict<'static>] = &[
    pack!("common", &[("diceware", Words), ("passwords", Passwords)]),
    pack!(
        "en",
        &[
            ("commonWords", Words),
            ("firstnames", Names),
            ("wikipedia", Words)
        ]
    ),
    pack!("de", &LANGUAGE),
    pack!("fr", &LANGUAGE),
    pack!("es", &LANGUAGE),
    pack!("it", &LANGUAGE),
    pack!(
        "nl",
        &[
            ("boysFirstnames", Names),
            ("commonWords", Words),
            ("girlsFirstnames", Names),
            ("lastnames", Names),
            ("wikipedia", Words),
        ]
    ),
    pack!("pt", &LANGUAGE),
];

/// The packs every estimate uses.
pub const DEFAULT_PACKS: [&str; 2] = ["common", "en"];

/// The languages a request may name (`dictionaries`), by pack name: English (always on) and
/// those it may add.
pub const LANGUAGES: [&str; 7] = ["en", "de", "fr", "es", "it", "nl", "pt"];

/// zxcvbn 4.4.2's six lists, for the tests that hold the model to it.
#[cfg(test)]
pub static ZXCVBN: Dict<'static> = pack!(
    "zxcvbn",
    &[
        ("passwords", Passwords),
        ("english_wikipedia", Words),
        ("female_names", Names),
        ("surnames", Names),
        ("us_tv_and_film", Words),
        ("male_names", Names),
    ]
);

/// The list names the data gives for pack `name` (`<pack>.lists`), for the tests.
#[cfg(test)]
pub fn list_names(name: &str) -> &'static str {
    match name {
        "zxcvbn" => include_str!("../../../data/strength/zxcvbn.lists"),
        "common" => include_str!("../../../data/strength/common.lists"),
        "en" => include_str!("../../../data/strength/en.lists"),
        "de" => include_str!("../../../data/strength/de.lists"),
        "fr" => include_str!("../../../data/strength/fr.lists"),
        "es" => include_str!("../../../data/strength/es.lists"),
        "it" => include_str!("../../../data/strength/it.lists"),
        "nl" => include_str!("../../../data/strength/nl.lists"),
        "pt" => include_str!("../../../data/strength/pt.lists"),
        _ => "",
    }
}

/// The shipped pack called `name`.
pub fn pack(name: &str) -> Option<Dict<'static>> {
    PACKS.iter().find(|d| d.name == name).copied()
}

/// Every keyboard.
pub static GRAPHS: [&Graph; 6] = [&QWERTY, &QWERTZ, &AZERTY, &DVORAK, &KEYPAD, &KEYPAD_MAC];

/// zxcvbn 4.4.2's keyboards.
pub static ZXCVBN_GRAPHS: [&Graph; 4] = [&QWERTY, &DVORAK, &KEYPAD, &KEYPAD_MAC];
