//! Keyboard patterns: runs of adjacent keys (`qwerty`, `zxcvbn`, `7896`), with their turns and
//! shifted keys.

use super::data::Graph;
use super::{Match, Pattern};

/// Every run of three or more adjacent keys of `password` on each graph (zxcvbn's matcher).
pub fn matches(password: &[char], graphs: &[&'static Graph], out: &mut Vec<Match>) {
    for &graph in graphs {
        let n = password.len();
        let mut i = 0;
        while i + 1 < n {
            let mut j = i + 1;
            let mut last_direction = None;
            let mut turns = 0;
            let mut shifted = usize::from(graph.is_shifted(password[i]));
            loop {
                let mut found = false;
                if j < n {
                    let current = password[j];
                    for (direction, adjacent) in
                        graph.neighbours(password[j - 1]).iter().enumerate()
                    {
                        let Some(position) =
                            adjacent.and_then(|a| a.chars().position(|k| k == current))
                        else {
                            continue;
                        };
                        found = true;
                        if position == 1 {
                            shifted += 1;
                        }
                        if last_direction != Some(direction) {
                            turns += 1;
                            last_direction = Some(direction);
                        }
                        break;
                    }
                }
                if found {
                    j += 1;
                } else {
                    if j - i > 2 {
                        out.push(Match::new(
                            i,
                            j - 1,
                            Pattern::Spatial {
                                graph,
                                turns,
                                shifted,
                            },
                        ));
                    }
                    i = j;
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::data::{GRAPHS, KEYPAD, QWERTY, QWERTZ};
    use super::*;

    fn found(password: &str) -> Vec<(usize, usize, &'static str, usize, usize)> {
        let chars: Vec<char> = password.chars().collect();
        let mut out = Vec::new();
        matches(&chars, &GRAPHS, &mut out);
        out.into_iter()
            .map(|m| match m.pattern {
                Pattern::Spatial {
                    graph,
                    turns,
                    shifted,
                } => (m.i, m.j, graph.name, turns, shifted),
                _ => unreachable!(),
            })
            .collect()
    }

    #[test]
    fn rows_turns_shifts_and_keyboards() {
        // A straight row: one turn.
        assert!(found("qwerty").contains(&(0, 5, QWERTY.name, 1, 0)));
        // Down a column, along and back up: `qazxsw` turns twice or more.
        assert!(
            found("qazxsw")
                .iter()
                .any(|&(i, j, g, t, _)| (i, j, g) == (0, 5, QWERTY.name) && t > 2)
        );
        // Shifted keys are counted.
        assert!(found("!QAZ").contains(&(0, 3, QWERTY.name, 1, 4)));
        // The same keys mean a row on qwertz only: `qwertz`.
        assert!(found("qwertz").contains(&(0, 5, QWERTZ.name, 1, 0)));
        // The keypad.
        assert!(
            found("7896321")
                .iter()
                .any(|&(i, j, g, _, _)| (i, j, g) == (0, 6, KEYPAD.name))
        );
        // Two keys are no pattern; neither are unrelated keys.
        assert!(found("qw").is_empty());
        assert!(found("qpz").is_empty());
    }
}
