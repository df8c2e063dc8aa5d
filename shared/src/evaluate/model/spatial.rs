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
