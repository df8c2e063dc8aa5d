//! Password mode: the request's classes, minimums, exclusions and preset validated, step by step,
//! into character groups and a length, then the sampler: a [`Charset`], or a [`Themed`] password
//! with a profession. The counting every length needs is done once ([`Counts`]).

use super::charset::{self, AMBIGUOUS, Charset, Group, LOWERCASE, NUMBERS, SYMBOLS, UPPERCASE};
use super::count::{self, Counts};
use super::themed::{Themed, WordsByLength};
use super::{
    Composition, DEFAULT_LENGTH, GenerateError, GenerateRequest, LENGTH_RANGE, Mode, Preset, Space,
    invalid, is_invisible, profession, raise, reject_params,
};
use std::sync::Arc;

/// One of the four classes as the request asks for it.
struct ClassRequest<'a> {
    name: &'static str,
    toggle: &'static str,
    min_param: &'static str,
    chars: &'a str,
    enabled: Option<bool>,
    min: Option<u32>,
}

/// The password space of `r`, with its length raised to reach `target` bits if one is asked.
pub(super) fn space(
    r: &GenerateRequest,
    target: Option<(f64, &'static str)>,
) -> Result<Space, GenerateError> {
    reject_params(
        &[
            ("words", r.words.is_some()),
            ("separator", r.separator.is_some()),
            ("capitalize", r.capitalize.is_some()),
            ("include_number", r.include_number.is_some()),
            ("username_digits", r.username_digits.is_some()),
            ("language", r.language.is_some()),
        ],
        Mode::Password,
    )?;
    let length = requested_length(r)?;
    if let Some(site) = &r.site {
        if r.passwordrules.is_some() {
            return invalid(
                "site",
                "site and passwordrules cannot be combined: the site's rules are the list's",
            );
        }
        let known = super::sites::lookup(site).map_err(|e| GenerateError {
            param: "site",
            message: e.to_string(),
        })?;
        let space = super::site_rules::space(r, known.rules, Some(known.domain), target)?;
        return Ok(Space::Rules(space));
    }
    if let Some(text) = &r.passwordrules {
        return Ok(Space::Rules(super::site_rules::space(
            r, text, None, target,
        )?));
    }
    let symbol_set = symbol_set(r)?;
    let classes = class_requests(r, symbol_set);
    let resolved = resolve_classes(r, &classes, symbol_set)?;
    let resolved = merge_letters(r, resolved)?;
    let groups = enabled_groups(resolved, &classes)?;
    let length = fitted_length(r, &groups, length)?;
    sampler(r, groups, length, target)
}

/// `length`, within [`LENGTH_RANGE`].
fn requested_length(r: &GenerateRequest) -> Result<u32, GenerateError> {
    super::within("length", r.length.unwrap_or(DEFAULT_LENGTH), &LENGTH_RANGE)
}

/// `symbol_set` (default: the printable ASCII punctuation), visible symbols only.
fn symbol_set(r: &GenerateRequest) -> Result<&str, GenerateError> {
    let symbol_set = r.symbol_set.as_deref().unwrap_or(SYMBOLS);
    if let Some(bad) = symbol_set
        .chars()
        .find(|&c| c.is_alphanumeric() || is_invisible(c))
    {
        return invalid(
            "symbol_set",
            format!(
                "symbol_set may contain only visible symbols: no letters, digits, spaces, combining marks, control or invisible characters (found U+{:04X})",
                u32::from(bad)
            ),
        );
    }
    Ok(symbol_set)
}

fn class_requests<'a>(r: &GenerateRequest, symbol_set: &'a str) -> [ClassRequest<'a>; 4] {
    [
        ClassRequest {
            name: "lower",
            toggle: "lowercase",
            min_param: "min_lowercase",
            chars: LOWERCASE,
            enabled: r.lowercase,
            min: r.min_lowercase,
        },
        ClassRequest {
            name: "upper",
            toggle: "uppercase",
            min_param: "min_uppercase",
            chars: UPPERCASE,
            enabled: r.uppercase,
            min: r.min_uppercase,
        },
        ClassRequest {
            name: "numbers",
            toggle: "numbers",
            min_param: "min_numbers",
            chars: NUMBERS,
            enabled: r.numbers,
            min: r.min_numbers,
        },
        ClassRequest {
            name: "symbols",
            toggle: "symbols",
            min_param: "min_symbols",
            chars: symbol_set,
            enabled: r.symbols,
            min: r.min_symbols,
        },
    ]
}

fn composition(r: &GenerateRequest) -> Composition {
    r.compliance
        .map_or(Composition::AllFour, Preset::composition)
}

/// Each class as a group (its characters after `exclude` and `avoid_ambiguous`, its minimum) and
/// whether it is enabled, in pool order; the minimums and the preset's required classes checked.
fn resolve_classes(
    r: &GenerateRequest,
    classes: &[ClassRequest<'_>],
    symbol_set: &str,
) -> Result<Vec<(Group, bool)>, GenerateError> {
    let composition = composition(r);
    let default_min = u32::from(composition != Composition::None);
    let exclude = r.exclude.as_deref().unwrap_or("");
    let avoid = r.avoid_ambiguous.unwrap_or(false);
    let preset_name = r.compliance.map_or("", Preset::name);
    let mut resolved: Vec<(Group, bool)> = Vec::with_capacity(4);
    for class in classes {
        let enabled = class.enabled.unwrap_or(true);
        if let Some(min) = class.min {
            if min > *LENGTH_RANGE.end() {
                return invalid(
                    class.min_param,
                    format!("{} must be at most {}", class.min_param, LENGTH_RANGE.end()),
                );
            }
            if !enabled && min > 0 {
                return invalid(
                    class.min_param,
                    format!("{} is {min} but {} is false", class.min_param, class.toggle),
                );
            }
        }
        // Classes the preset itself requires (none without a preset).
        let required = r.compliance.is_some()
            && match composition {
                Composition::AllFour => true,
                Composition::LetterAndDigit => class.name == "numbers",
                Composition::None => false,
            };
        if required && !enabled {
            return invalid(
                class.toggle,
                format!("compliance={preset_name} requires {}", class.toggle),
            );
        }
        let mut chars: Vec<char> = Vec::new();
        for c in class.chars.chars() {
            let removed = exclude.contains(c) || (avoid && AMBIGUOUS.contains(c));
            if !removed && !chars.contains(&c) {
                chars.push(c);
            }
        }
        let mut min = if enabled {
            class.min.unwrap_or(default_min)
        } else {
            0
        };
        if required {
            min = min.max(1);
        }
        if enabled && chars.is_empty() && min > 0 {
            let param = if class.name == "symbols" && symbol_set.is_empty() {
                "symbol_set"
            } else {
                "exclude"
            };
            return invalid(
                param,
                format!(
                    "every {} character is excluded but {} needs at least {min}",
                    class.toggle, class.min_param
                ),
            );
        }
        resolved.push((
            Group {
                name: class.name,
                chars,
                min,
            },
            enabled,
        ));
    }
    Ok(resolved)
}

/// A letter-and-digit preset: "at least one letter" is one constraint over both cases, so without
/// minimums of their own the two cases count as one group.
fn merge_letters(
    r: &GenerateRequest,
    mut resolved: Vec<(Group, bool)>,
) -> Result<Vec<(Group, bool)>, GenerateError> {
    if composition(r) != Composition::LetterAndDigit {
        return Ok(resolved);
    }
    let preset_name = r.compliance.map_or("", Preset::name);
    let (lower, upper) = (&resolved[0], &resolved[1]);
    let lower_ok = lower.1 && !lower.0.chars.is_empty();
    let upper_ok = upper.1 && !upper.0.chars.is_empty();
    if !lower_ok && !upper_ok {
        return invalid(
            "lowercase",
            format!("compliance={preset_name} requires letters"),
        );
    }
    if lower.0.min == 0 && upper.0.min == 0 {
        let (upper, _) = resolved.remove(1);
        let lower = &mut resolved[0].0;
        let mut chars = if lower_ok {
            lower.chars.clone()
        } else {
            Vec::new()
        };
        if upper_ok {
            chars.extend(upper.chars);
        }
        *lower = Group {
            name: "letters",
            chars,
            min: 1,
        };
        resolved[0].1 = true;
    }
    Ok(resolved)
}

/// The enabled, non-empty groups; at least one.
fn enabled_groups(
    resolved: Vec<(Group, bool)>,
    classes: &[ClassRequest<'_>],
) -> Result<Vec<Group>, GenerateError> {
    let groups: Vec<Group> = resolved
        .into_iter()
        .filter(|(g, enabled)| *enabled && !g.chars.is_empty())
        .map(|(g, _)| g)
        .collect();
    if groups.is_empty() {
        let all_off = classes.iter().all(|c| c.enabled == Some(false));
        return if all_off {
            invalid(
                "lowercase",
                "at least one of lowercase, uppercase, numbers and symbols must be true",
            )
        } else {
            invalid("exclude", "exclude removes every character from the pool")
        };
    }
    Ok(groups)
}

/// `length`, at least the preset's, and room for the minimums.
fn fitted_length(r: &GenerateRequest, groups: &[Group], length: u32) -> Result<u32, GenerateError> {
    let length = r
        .compliance
        .map_or(length, |preset| length.max(preset.min_length()));
    let required: u32 = groups.iter().map(|g| g.min).sum();
    if required > length {
        return invalid(
            "length",
            format!(
                "length {length} is shorter than the class minimums, which add up to {required}"
            ),
        );
    }
    Ok(length)
}

/// The sampler: a [`Charset`] of `length` (remembered across requests when nothing needs
/// counting), or, with a target or a profession, the length raised to the target from one set of
/// counts and a plain or themed sampler reading them.
fn sampler(
    r: &GenerateRequest,
    groups: Vec<Group>,
    length: u32,
    target: Option<(f64, &'static str)>,
) -> Result<Space, GenerateError> {
    let sizes = charset::sizes(&groups);
    if r.profession.is_none() && target.is_none() {
        return Ok(Space::Chars(Charset::shared(groups, length)));
    }
    // Every length this request may need, counted once: up to the longest that a target could
    // ask for (a lower bound on the count gives it), and a themed word's length beyond that.
    let word_room = if r.profession.is_some() {
        profession::MAX_WORD_CHARS
    } else {
        0
    };
    let longest = target.map_or(length, |(goal, _)| {
        length.max(reaching_length(&sizes, goal).saturating_add(word_room))
    });
    let counts = Arc::new(Counts::new(&sizes, longest.min(*LENGTH_RANGE.end())));
    let top = counts.max_length();
    let goal = target.map_or(0.0, |(goal, _)| goal);
    let Some(profession) = r.profession else {
        let length = raise(length, top, target, "characters", |l| {
            counts.log2_total_against(l, goal)
        })?;
        let set = Charset::with_counts(groups, length, &counts);
        return Ok(Space::Chars(Arc::new(set)));
    };
    let pool: Vec<char> = groups
        .iter()
        .flat_map(|g| g.chars.iter().copied())
        .collect();
    let words = WordsByLength::new(
        profession
            .words()
            .filter(|w| w.chars().all(|c| pool.contains(&c))),
    );
    let required: u32 = groups.iter().map(|g| g.min).sum();
    if !words.fits(length, required) {
        return invalid(
            "profession",
            format!(
                "no {} word fits in {length} characters with this pool and these minimums",
                profession.name()
            ),
        );
    }
    let length = raise(length, top, target, "characters", |l| {
        words.log2_total_against(&counts, l, goal)
    })?;
    Ok(Space::Themed(Themed::new(
        profession, &words, groups, length, &counts,
    )))
}
/// The shortest length whose count surely reaches `goal` bits, from the lower bound
/// `N(l) ≥ Π s_i^{m_i} · pool^{l − Σ m_i}` (the minimums in fixed places, anything elsewhere),
/// plus one character against rounding. The search for the exact shortest stays below it.
fn reaching_length(sizes: &[count::GroupSize], goal: f64) -> u32 {
    let pool: u32 = sizes.iter().map(|g| g.size).sum();
    let required: u32 = sizes.iter().map(|g| g.min).sum();
    let fixed: f64 = sizes
        .iter()
        .map(|g| f64::from(g.min) * f64::from(g.size).log2())
        .sum();
    let per_char = f64::from(pool).log2();
    if per_char <= 0.0 {
        return u32::MAX;
    }
    let rest = ((goal - fixed) / per_char).ceil().max(0.0);
    if rest >= f64::from(u32::MAX) {
        return u32::MAX;
    }
    required.saturating_add(rest as u32).saturating_add(1)
}
