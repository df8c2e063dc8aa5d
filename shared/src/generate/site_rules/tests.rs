//! The counts against brute force and two other counts, the samplers against chi-square, the
//! refusals of a request with rules.

use super::choice::choose_exactly;
use super::limbs::{MAX_LIMBS, to_big, width_for};
use super::table::SetsTable;
use super::*;
use crate::evaluate::breach::BreachCheck;
use crate::evaluate::policy::{PasswordPolicy, verdict};
use crate::generate::stats::{chi_square, chi_square_critical};
use num_bigint::BigUint;
use num_traits::Zero;
use num_traits::{One, ToPrimitive};
use password_rules_parser::CharacterClass;
use rand::Rng;
use std::collections::HashMap;

fn rules(text: &str) -> Rules {
    parse(text).unwrap()
}

fn alphabet(text: &str) -> Alphabet {
    Alphabet::of(&rules(text), |_| true).unwrap()
}

fn space(text: &str, length: usize) -> SiteSpace {
    let parsed = rules(text);
    let run = parsed.repeat_limit().map_or(length, |k| k as usize);
    let sequence = parsed.sequence_limit().map(|k| k as usize);
    SiteSpace::new(&alphabet(text), length, run, sequence).with_length(length)
}

/// Whether the verdict (the evaluate side's reading of the rules) finds `password` compliant.
fn compliant(text: &str, password: &str) -> bool {
    let policy = PasswordPolicy::rules(text).unwrap();
    let strength = crate::evaluate::Strength {
        score: 0,
        guesses_log10: 0.0,
        exact_guesses: None,
        warning: None,
        suggestions: vec![],
        patterns: None,
        locale: None,
    };
    verdict(&policy, password, &[], &strength, BreachCheck::Skipped).compliant == Some(true)
}

/// Every string of `length` over the alphabet, kept when the verdict finds it compliant.
fn brute_force(text: &str, length: usize) -> Vec<String> {
    let chars: Vec<char> = alphabet(text)
        .atoms
        .iter()
        .flat_map(|(c, _)| c.clone())
        .collect();
    let n = chars.len();
    let mut found = Vec::new();
    let mut digits = vec![0usize; length];
    loop {
        let password: String = digits.iter().map(|&d| chars[d]).collect();
        if compliant(text, &password) {
            found.push(password);
        }
        let mut i = 0;
        while i < length {
            digits[i] += 1;
            if digits[i] < n {
                break;
            }
            digits[i] = 0;
            i += 1;
        }
        if i == length {
            return found;
        }
    }
}

/// A second count, from the front: prefixes ending at a block boundary by (length, sets met,
/// atom of the last character), with a sliding sum over the block lengths.
fn count_from_the_front(alphabet: &Alphabet, length: usize, run: usize) -> BigUint {
    let k = run.clamp(1, length.max(1));
    let masks = 1usize << alphabet.sets;
    let atoms = alphabet.atoms.len();
    let width = masks * (atoms + 1);
    let mut f = vec![vec![BigUint::zero(); width]; length + 1];
    f[0][atoms] = BigUint::one();
    let mut window = vec![BigUint::zero(); width];
    for p in 1..=length {
        for (w, prev) in window.iter_mut().zip(&f[p - 1]) {
            *w += prev;
        }
        if p > k {
            for (w, old) in window.iter_mut().zip(&f[p - k - 1]) {
                *w -= old;
            }
        }
        for mask in 0..masks {
            let row = &window[mask * (atoms + 1)..(mask + 1) * (atoms + 1)];
            let total: BigUint = row.iter().sum();
            for (a, (members, sets)) in alphabet.atoms.iter().enumerate() {
                let ways = &total * BigUint::from(members.len()) - &row[a];
                f[p][(mask | *sets as usize) * (atoms + 1) + a] += ways;
            }
        }
    }
    let full = masks - 1;
    f[length][full * (atoms + 1)..(full + 1) * (atoms + 1)]
        .iter()
        .sum()
}

const SMALL_RULES: &[&str] = &[
    "allowed: [abc]",
    "allowed: [abc]; max-consecutive: 1",
    "allowed: [abcd]; max-consecutive: 2",
    "required: [ab]; required: [c]; allowed: [d]; max-consecutive: 2",
    "required: [ab], [c]; allowed: [d]; max-consecutive: 3",
    "required: [ab]; required: [bc]; max-consecutive: 1",
    "required: [a]; required: [b]; required: [c]; allowed: [xy]; max-consecutive: 2",
    "required: [a]; allowed: [b]; max-consecutive: 1",
];

#[test]
fn counts_agree_with_brute_force_and_with_counting_from_the_front() {
    for text in SMALL_RULES {
        // max-consecutive limits sequences too: its count against brute force alone.
        let space_of_both = space(text, 6);
        for length in 1..=6 {
            let expected = BigUint::from(brute_force(text, length).len());
            assert_eq!(
                space_of_both.count_at(length),
                expected,
                "{text} at {length}"
            );
        }
        // The repeat limit alone: three counts.
        let text = &text.replace("max-consecutive", "max-repeating");
        let run = rules(text)
            .repeat_limit()
            .map_or(usize::MAX, |k| k as usize);
        let space = space(text, 6);
        let table = SetsTable::new(&alphabet(text), 6, run.min(6));
        for length in 1..=6 {
            let expected = BigUint::from(brute_force(text, length).len());
            // Three counts: inclusion–exclusion, the walk's table, and from the front.
            assert_eq!(space.count_at(length), expected, "{text} at {length}");
            assert_eq!(
                table.total(length),
                expected,
                "{text} at {length}, the table"
            );
            let front = count_from_the_front(&alphabet(text), length, run.min(length));
            assert_eq!(front, expected, "{text} at {length}, from the front");
        }
    }
}

#[test]
fn long_counts_agree_with_counting_from_the_front_and_closed_forms() {
    for (text, length) in [
        (
            "required: upper; required: lower; required: digit; required: special; max-repeating: 2",
            64,
        ),
        (
            "required: upper, [ab]; required: lower, [cd]; required: digit, [ef]; allowed: special; max-repeating: 3",
            40,
        ),
        (
            "required: [a]; required: [b]; allowed: ascii-printable; max-repeating: 1",
            50,
        ),
    ] {
        let run = rules(text).repeat_limit().unwrap() as usize;
        assert_eq!(
            SetsTable::new(&alphabet(text), length, run).total(length),
            space(text, length).count_at(length),
            "{text}"
        );
        assert_eq!(
            space(text, length).count_at(length),
            count_from_the_front(&alphabet(text), length, run),
            "{text}"
        );
    }
    let all = space("allowed: ascii-printable", 20);
    assert_eq!(all.count_at(20), BigUint::from(95u32).pow(20));
    // max-repeating 1: the first character free, each next one unlike it.
    let unlike = space("allowed: ascii-printable; max-repeating: 1", 20);
    assert_eq!(
        unlike.count_at(20),
        BigUint::from(95u32) * BigUint::from(94u32).pow(19)
    );
    assert!((unlike.count_at(20).to_f64().unwrap().log2() - unlike.log2_count_at(20)).abs() < 1e-9);
}

/// Draws `draws_per_string` per valid string and tests the frequencies (chi-square, z = 5).
fn assert_uniform(text: &str, length: usize, close_call: f64, propose: bool) {
    let mut space = space(text, length);
    space.close_call = close_call;
    if propose {
        space.propose = true;
    } else {
        space.walk_by_table();
    }
    assert_uniform_space(text, &brute_force(text, length), space, propose);
}

fn assert_uniform_space(text: &str, valid: &[String], space: SiteSpace, propose: bool) {
    assert_eq!(space.count(), BigUint::from(valid.len()), "{text}");
    let draws_per_string = 200;
    let mut rng = rand::rng();
    let mut seen: HashMap<String, u64> = valid.iter().map(|p| (p.clone(), 0)).collect();
    for _ in 0..valid.len() * draws_per_string {
        let p = space.sample(&mut rng);
        *seen
            .get_mut(&p)
            .unwrap_or_else(|| panic!("{p:?} breaks {text}")) += 1;
    }
    let observed: Vec<u64> = valid.iter().map(|p| seen[p]).collect();
    let expected = vec![draws_per_string as f64; valid.len()];
    let stat = chi_square(&observed, &expected);
    let df = (valid.len() - 1) as f64;
    assert!(
        stat < chi_square_critical(df, 5.0),
        "{text} (propose {propose}): chi-square {stat}, df {df}"
    );
}

#[test]
fn samples_are_uniform_over_the_valid_strings() {
    for (text, length) in [
        (
            "required: [ab]; required: [c]; allowed: [d]; max-repeating: 2",
            5,
        ),
        ("required: [ab]; required: [bc]; max-repeating: 1", 6),
        ("allowed: [abcd]; max-repeating: 2", 5),
        (
            "required: [a]; required: [b]; required: [c]; allowed: [xy]; max-repeating: 2",
            4,
        ),
        ("required: [a]; allowed: [bc]", 5),
    ] {
        // Both ways: walking through the unmet sets, and proposing and rejecting.
        assert_uniform(text, length, CLOSE_CALL, false);
        assert_uniform(text, length, CLOSE_CALL, true);
    }
}

/// Under a limit on sequences, both proposals (strings under both run limits; strings under the
/// sets and the repeat limit, by either block method), with float choices and with exact ones
/// alone, are uniform over the valid strings.
#[test]
fn samples_under_sequence_limits_are_uniform_every_way() {
    for (text, length) in [
        ("allowed: [abcd]; max-sequential: 2", 5),
        ("allowed: [abc12]; max-consecutive: 1", 4),
        (
            "required: [ab]; required: [c]; allowed: [d]; max-consecutive: 2",
            4,
        ),
        (
            "required: [a]; required: [b]; allowed: [cd0]; max-sequential: 1; max-repeating: 2",
            4,
        ),
        (
            "required: [abc]; required: [xyz]; max-sequential: 2; max-repeating: 1",
            4,
        ),
        ("required: [0]; allowed: [123]; max-sequential: 1", 5),
    ] {
        let base = space(text, length);
        assert!(base.sequences.is_some(), "{text}");
        let valid = brute_force(text, length);
        for close_call in [CLOSE_CALL, 2.0] {
            for (runs, blocks) in [(true, true), (false, true), (false, false)] {
                if close_call > 1.0 && !runs {
                    // The block walk's exact choices alone: `exact_choices_alone_are_uniform_too`.
                    continue;
                }
                let mut space = base.clone();
                space.close_call = close_call;
                if blocks {
                    space.propose = true;
                } else {
                    space.walk_by_table();
                }
                let q = space.sequences.as_mut().unwrap();
                q.propose_runs = runs;
                q.runs.close_call = close_call;
                assert_uniform_space(text, &valid, space, runs);
            }
        }
    }
}

#[test]
fn exact_choices_alone_are_uniform_too() {
    // Every choice settled by the exact integers (a close call always).
    for (text, length) in [
        (
            "required: [ab]; required: [c]; allowed: [d]; max-repeating: 2",
            5,
        ),
        ("required: [a]; allowed: [bc]; max-repeating: 1", 6),
    ] {
        assert_uniform(text, length, 2.0, false);
        assert_uniform(text, length, 2.0, true);
    }
}

/// The largest alphabet at the longest length fits the fixed width, with the limb the
/// widths' rounding needs to spare.
#[test]
fn the_largest_count_fits_the_fixed_width() {
    let largest = BigUint::from(MAX_ALPHABET).pow(*LENGTH_RANGE.end());
    assert!(
        largest.bits() <= 64 * (MAX_LIMBS as u64 - 1),
        "{}",
        largest.bits()
    );
    for length in [1, 100, 255, 256] {
        assert!(
            width_for(MAX_ALPHABET, length) * 64
                >= BigUint::from(MAX_ALPHABET).pow(length as u32).bits() as usize + 64
        );
    }
}

/// At the largest alphabet and length the counts are exact, by closed forms: all of
/// printable ASCII, alone, with no two alike in a row, and with four required sets
/// (inclusion–exclusion over the sets a string misses), in the totals and the walk's table.
#[test]
fn counts_at_the_largest_alphabet_and_length_are_exact() {
    let n = BigUint::from(95u32);
    let length = 256;
    let all = space("allowed: ascii-printable", length);
    assert_eq!(all.size(), MAX_ALPHABET);
    assert_eq!(all.count(), n.pow(256));
    let no_repeat = space("allowed: ascii-printable; max-repeating: 1", length);
    assert_eq!(no_repeat.count(), &n * BigUint::from(94u32).pow(255));
    // Four single-letter sets in 95 characters: Σ_k (−1)^k C(4, k) (95 − k)^256.
    let text =
        "required: [a]; required: [b]; required: [c]; required: [d]; allowed: ascii-printable";
    let four = space(text, length);
    let binomial = [1u32, 4, 6, 4, 1];
    let (mut plus, mut minus) = (BigUint::zero(), BigUint::zero());
    for (k, c) in binomial.iter().enumerate() {
        let term = BigUint::from(*c) * BigUint::from(95 - k as u32).pow(256);
        if k % 2 == 0 {
            plus += term
        } else {
            minus += term
        }
    }
    assert_eq!(four.count(), plus - minus);
    let table = SetsTable::new(&alphabet(text), length, length);
    assert_eq!(to_big(table.strings(length, 0)), four.count());
}

#[test]
fn an_alphabet_beyond_the_fixed_width_is_refused() {
    let parsed = rules("allowed: ascii-printable");
    let mut wider = parsed.clone();
    wider
        .parsed
        .allowed
        .push(CharacterClass::Custom(vec!['\u{e9}']));
    assert_eq!(Alphabet::of(&parsed, |_| true).map(|a| a.size()), Ok(95));
    assert_eq!(
        Alphabet::of(&wider, |_| true),
        Err(AlphabetError::TooLarge(96))
    );
}

#[test]
fn long_strings_propose_and_reject_short_ones_walk() {
    let text =
        "required: [a]; required: [b]; required: [c]; required: [d]; allowed: ascii-printable";
    // At 256 characters ~75% of the strings hold all four letters; at 8, ~2e-7 do.
    assert!(space(text, 256).propose);
    assert!(!space(text, 8).propose);
    assert!(
        !space("allowed: ascii-printable", 64).propose,
        "no set to miss"
    );
}

#[test]
fn exact_choice_follows_the_weights() {
    let weights: Vec<BigUint> = [1u32, 0, 3, 4].map(BigUint::from).to_vec();
    let mut rng = rand::rng();
    let mut observed = [0u64; 4];
    let draws = 80_000;
    for _ in 0..draws {
        let x = rng.next_u32();
        observed[choose_exactly(&mut rng, BigUint::from(x), 32, &weights)] += 1;
    }
    assert_eq!(observed[1], 0);
    let expected: Vec<f64> = [1.0, 3.0, 4.0]
        .iter()
        .map(|w| w / 8.0 * draws as f64)
        .collect();
    let stat = chi_square(&[observed[0], observed[2], observed[3]], &expected);
    assert!(stat < chi_square_critical(2.0, 5.0), "chi-square {stat}");
}

#[test]
fn long_samples_meet_the_rules_as_the_parser_reads_them() {
    let mut rng = rand::rng();
    for (text, length) in [
        (
            "minlength: 12; required: upper; required: digit; max-consecutive: 2",
            12,
        ),
        (
            "required: upper; required: lower; required: digit; required: [-().&@?'#,/\"+]; max-repeating: 1",
            256,
        ),
        (
            "required: upper; required: lower; required: digit; required: [-().&@?'#,/\"+]; max-consecutive: 1",
            MAX_SEQUENCE_LENGTH,
        ),
        ("max-sequential: 1; max-repeating: 2", MAX_SEQUENCE_LENGTH),
        ("allowed: digit; max-sequential: 2", MAX_SEQUENCE_LENGTH),
        (
            "required: [a]; required: [b]; allowed: lower; max-sequential: 1",
            8,
        ),
        (
            "required: [a]; required: [b]; required: [c]; required: [d]; allowed: ascii-printable",
            4,
        ),
        ("allowed: lower, digit; max-repeating: 3", 100),
        (
            "allowed: lower, digit; max-consecutive: 3",
            MAX_SEQUENCE_LENGTH,
        ),
        ("required: digit; max-consecutive: 1", 64),
    ] {
        let space = space(text, length);
        for _ in 0..200 {
            let p = space.sample(&mut rng);
            assert_eq!(p.chars().count(), length);
            assert!(compliant(text, &p), "{p:?} breaks {text}");
        }
    }
}

fn request(rules: &str) -> GenerateRequest {
    GenerateRequest {
        passwordrules: Some(rules.into()),
        ..GenerateRequest::default()
    }
}

fn refused(request: GenerateRequest) -> &'static str {
    crate::generate::GenerationPlan::new(&request, 10)
        .expect_err("refused")
        .param
}

#[test]
fn requests_with_rules_are_refused_naming_the_parameter() {
    let too_long = format!("minlength: 8; {}", "required: upper; ".repeat(70));
    for (request, param) in [
        (request("required: upper; bogus: 3"), "passwordrules"),
        (request(""), "passwordrules"),
        (request(&too_long), "passwordrules"),
        (
            request(
                "required: upper; required: lower; required: digit; required: special; required: [ab]; required: [cd]",
            ),
            "passwordrules",
        ),
        (request("minlength: 300"), "passwordrules"),
        (request("maxlength: 3"), "passwordrules"),
        (request("minlength: 20; maxlength: 10"), "passwordrules"),
        (request("max-consecutive: 0"), "passwordrules"),
        // Only "aaaa…" is made of [a], and max-consecutive forbids it.
        (request("allowed: [a]; max-consecutive: 1"), "passwordrules"),
        (
            GenerateRequest {
                length: Some(6),
                ..request("allowed: [a]; max-consecutive: 1")
            },
            "length",
        ),
        (
            GenerateRequest {
                length: Some(10),
                ..request("minlength: 12")
            },
            "length",
        ),
        (
            GenerateRequest {
                length: Some(300),
                ..request("minlength: 12")
            },
            "length",
        ),
        (
            GenerateRequest {
                uppercase: Some(true),
                ..request("required: upper")
            },
            "uppercase",
        ),
        (
            GenerateRequest {
                compliance: Some(crate::generate::Preset::Pci),
                ..request("required: upper")
            },
            "compliance",
        ),
        (
            GenerateRequest {
                exclude: Some("0123456789".into()),
                ..request("required: digit; allowed: upper")
            },
            "exclude",
        ),
        (
            GenerateRequest {
                avoid_ambiguous: Some(true),
                ..request("allowed: [Il1]")
            },
            "avoid_ambiguous",
        ),
        (
            GenerateRequest {
                mode: Some(crate::generate::Mode::Passphrase),
                ..request("required: upper")
            },
            "passwordrules",
        ),
        (
            GenerateRequest {
                min_entropy: Some(100.0),
                ..request("allowed: digit; maxlength: 8")
            },
            "min_entropy",
        ),
    ] {
        assert_eq!(refused(request.clone()), param, "{request:?}");
    }
}

#[test]
fn rules_set_the_length_and_the_exact_entropy() {
    let policy = |request| crate::generate::GenerationPlan::new(&request, 10).unwrap();
    let default = policy(request(
        "required: upper; required: digit; max-repeating: 2",
    ));
    assert_eq!(default.length(), Some(18));
    // With no `allowed`, the required sets are the alphabet.
    assert_eq!(default.charset_size(), 36);
    let text = "required: upper; required: digit; max-repeating: 2";
    let expected = count_from_the_front(&alphabet(text), 18, 2);
    assert_eq!(default.output_count(), expected);
    assert_eq!(default.passwordrules(), Some(text));
    assert_eq!(policy(request("minlength: 20")).length(), Some(20));
    assert_eq!(policy(request("maxlength: 12")).length(), Some(12));
    // 10^16 ≥ 2^50 > 10^15: sixteen digits are the fewest that carry 50 bits.
    let raised = policy(GenerateRequest {
        length: Some(4),
        min_entropy: Some(50.0),
        ..request("allowed: digit")
    });
    assert_eq!(raised.length(), Some(16));
    assert_eq!(raised.output_count(), BigUint::from(10u32).pow(16));
    // exclude and avoid_ambiguous take characters out of the rules' classes.
    let fewer = policy(GenerateRequest {
        exclude: Some("ab".into()),
        avoid_ambiguous: Some(true),
        ..request("allowed: lower")
    });
    assert_eq!(fewer.charset_size(), 26 - 2 - 2); // a, b; l, o
    let p = &fewer.generate(&mut rand::rng())[0];
    assert!(!p.contains(['a', 'b', 'l', 'o']), "{p}");
}

#[test]
fn the_largest_alphabet_counts_and_more_sets_are_refused() {
    let text = "required: upper; required: lower, [ab]; required: digit, [cd]; \
                required: special, [ef]; max-consecutive: 2";
    let start = std::time::Instant::now();
    let space = space(text, 256);
    assert!(!space.count().is_zero());
    eprintln!(
        "256 characters, 4 sets, {} atoms: {:?}",
        space.sets.len(),
        start.elapsed()
    );
    let six = rules(
        "required: upper; required: lower; required: digit; required: special; required: [ab]; required: [cd]",
    );
    assert_eq!(
        Alphabet::of(&six, |_| true),
        Err(AlphabetError::TooManySets(6))
    );
    assert_eq!(
        Alphabet::of(&rules("required: digit; allowed: upper"), |c| !c
            .is_ascii_digit()),
        Err(AlphabetError::EmptySet(1))
    );
    assert_eq!(
        Alphabet::of(&rules("allowed: [ab]"), |_| false),
        Err(AlphabetError::Empty)
    );
}

/// A text the parser cannot read is refused with where it stopped and what it expected there,
/// never the text itself.
#[test]
fn unreadable_rules_say_where_and_what_was_expected() {
    let message = |text: &str| parse(text).unwrap_err().to_string();
    let m = message("minlength: 8; maxlength: 32; allow");
    assert!(
        m.starts_with("passwordrules is not valid: at character 30 expected one of "),
        "{m}"
    );
    for keyword in [
        "\"required\"",
        "\"allowed\"",
        "\"max-consecutive\"",
        "\"max-repeating\"",
        "\"max-sequential\"",
        "\"minlength\"",
    ] {
        assert!(m.contains(keyword), "{m}");
    }
    assert!(m.ends_with(" or the end"), "{m}");
    assert!(!m.contains("allow;") && !m.contains('\n'), "{m}");
    let m = message("minlength: eight");
    assert_eq!(
        m,
        "passwordrules is not valid: at character 12 expected one of a number, ';' or the end"
    );
    let m = message("required: [abc");
    assert!(
        m.starts_with("passwordrules is not valid: at character "),
        "{m}"
    );
    assert!(m.ends_with("at character 15 expected ']'"), "{m}");
    // The properties read beside the parser say where too, and leave the parser's places right.
    assert_eq!(
        message("minlength: 8; max-repeating 2"),
        "passwordrules is not valid: at character 29 expected \":\""
    );
    assert_eq!(
        message("max-sequential: two; minlength: 8"),
        format!(
            "passwordrules is not valid: at character 17 expected a number from 0 to {} or the end of the rule",
            u32::MAX
        )
    );
    assert_eq!(
        message("max-sequential: 99999999999"),
        format!(
            "passwordrules is not valid: at character 17 expected a number from 0 to {} or the end of the rule",
            u32::MAX
        )
    );
    let m = message("max-repeating: 2; minlength: eight");
    assert!(
        m.ends_with("at character 30 expected one of a number, ';' or the end"),
        "{m}"
    );
    let m = message("max-sequential: 3;\nrequired: [abc");
    assert!(m.ends_with("at line 2, character 15 expected ']'"), "{m}");
}

/// `max-repeating` and `max-sequential` read beside the parser: any case, any spacing, a `;`
/// inside a class left alone, the lowest of a repeated one, `max-consecutive` as both, and the
/// rest of the text read by the parser as before.
#[test]
fn the_new_properties_are_read_beside_the_parser() {
    let r =
        rules("minlength: 8; MAX-Repeating :3 ; allowed: [;:]; max-sequential:2;max-repeating: 5");
    assert_eq!((r.max_repeating, r.max_sequential), (Some(3), Some(2)));
    assert_eq!(r.min_length, Some(8));
    assert_eq!(r.allowed, rules("allowed: [;:]").allowed);
    assert_eq!((r.repeat_limit(), r.sequence_limit()), (Some(3), Some(2)));
    let both = rules("max-consecutive: 4; max-sequential: 6");
    assert_eq!(
        (both.repeat_limit(), both.sequence_limit()),
        (Some(4), Some(4))
    );
    let empty = rules("max-repeating: ; max-sequential:");
    assert_eq!((empty.max_repeating, empty.max_sequential), (None, None));
    // Wide spaces (three bytes blanked to one) move no rule still to be read.
    let wide = rules("max-repeating:\u{3000}3;\u{3000}max-sequential: 2; minlength: 9");
    assert_eq!(
        (wide.max_repeating, wide.max_sequential),
        (Some(3), Some(2))
    );
    assert_eq!(wide.min_length, Some(9));
    // A name that only begins like one is the parser's to refuse.
    assert!(parse("max-repeatingly: 2").is_err());
    // Refusals at generation.
    assert_eq!(refused(request("max-sequential: 0")), "passwordrules");
    assert_eq!(refused(request("max-repeating: 0")), "passwordrules");
    assert_eq!(
        refused(GenerateRequest {
            length: Some(MAX_SEQUENCE_LENGTH as u32 + 1),
            ..request("max-sequential: 3")
        }),
        "length"
    );
    assert_eq!(
        refused(request("minlength: 40; max-consecutive: 3")),
        "passwordrules"
    );
    // Without a sequence limit, or one no length reaches, the longest lengths stay.
    for text in ["max-repeating: 2", "maxlength: 40; max-sequential: 40"] {
        let plan = crate::generate::GenerationPlan::new(
            &GenerateRequest {
                length: Some(40),
                ..request(text)
            },
            1,
        )
        .unwrap();
        assert_eq!(plan.length(), Some(40), "{text}");
    }
}

/// Every site of the shipped list, and every domain that reaches one through the shared
/// credentials, generates at its default length, and every password meets that site's rules as
/// the parser reads them.
#[test]
fn every_known_site_generates_passwords_its_rules_accept() {
    use crate::generate::sites;
    let mut rng = rand::rng();
    let all: Vec<&str> = sites::domains().chain(sites::shared_domains()).collect();
    assert!(all.len() > 430, "{}", all.len());
    for domain in all {
        let known = sites::lookup(domain).unwrap();
        let request = GenerateRequest {
            site: Some(domain.to_owned()),
            count: Some(3),
            ..GenerateRequest::default()
        };
        let plan = crate::generate::GenerationPlan::new(&request, 10)
            .unwrap_or_else(|e| panic!("{domain} ({}): {e}", known.rules));
        assert_eq!(plan.site(), Some(known.domain));
        assert_eq!(plan.passwordrules(), Some(known.rules));
        for p in plan.generate(&mut rng) {
            assert!(
                compliant(known.rules, &p),
                "{domain}: {p:?} breaks {}",
                known.rules
            );
        }
    }
}

#[test]
fn a_site_is_refused_when_unknown_or_beside_passwordrules() {
    let site = |s: &str| GenerateRequest {
        site: Some(s.into()),
        ..GenerateRequest::default()
    };
    assert_eq!(refused(site("example.org")), "site");
    assert_eq!(refused(site("not a domain")), "site");
    assert_eq!(
        refused(GenerateRequest {
            passwordrules: Some("minlength: 8".into()),
            ..site("apple.com")
        }),
        "site"
    );
    assert_eq!(
        refused(GenerateRequest {
            uppercase: Some(false),
            ..site("apple.com")
        }),
        "uppercase"
    );
    assert_eq!(
        refused(GenerateRequest {
            mode: Some(crate::generate::Mode::Passphrase),
            ..site("apple.com")
        }),
        "site"
    );
}

/// A set required twice is one requirement: the same count as required once (benjerry.com's
/// rules name upper, digit and special twice each).
#[test]
fn a_set_required_twice_is_required_once() {
    let twice = space(
        "required: upper; required: upper; required: digit; allowed: lower",
        6,
    );
    let once = space("required: upper; required: digit; allowed: lower", 6);
    assert_eq!(twice.count(), once.count());
    assert_eq!(
        alphabet("required: upper; required: [ABC], upper; required: digit").sets,
        2
    );
}
