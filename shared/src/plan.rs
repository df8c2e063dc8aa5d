//! Plans: what a caller may do. A plan has a name, a daily limit, an optional monthly limit
//! (calendar month, UTC) and the largest `count` one generate request may ask for. `anonymous`
//! (callers without a key), `free` (every new key) and `team` exist from the start, seeded by the
//! configuration; an operator adds plans or changes any of them in the table, and may override
//! any limit for one account. It depends on nothing: the configuration holds the seeds, the store
//! the operator's plans, admission resolves a caller's limits.

use std::collections::BTreeMap;

/// The plan of callers without a key.
pub const ANONYMOUS: &str = "anonymous";
/// The plan of every new key.
pub const FREE: &str = "free";
/// The plan the three seeds give the most.
pub const TEAM: &str = "team";
/// The longest plan name.
pub const NAME_MAX: usize = 32;

/// One plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Its name: 1–32 of `a-z`, `0-9`, `-`, `_`, starting with a letter or digit.
    pub name: String,
    /// Admitted requests per UTC day.
    pub daily: u32,
    /// Admitted requests per calendar month (UTC); `None`: no monthly limit.
    pub monthly: Option<u32>,
    /// Largest `count` one generate request may ask for.
    pub max_count: u32,
}

/// One account's overrides of its plan's limits (`None`: the plan's).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    /// Requests per day.
    pub daily: Option<u32>,
    /// Requests per month.
    pub monthly: Option<u32>,
    /// `count` maximum.
    pub max_count: Option<u32>,
}

impl Overrides {
    /// Whether nothing is overridden.
    pub fn is_empty(&self) -> bool {
        *self == Overrides::default()
    }
}

/// A caller's limits in force: its plan's, with its account's overrides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Requests per UTC day.
    pub daily: u32,
    /// Requests per calendar month; `None`: unlimited.
    pub monthly: Option<u32>,
    /// Largest `count` of one generate request.
    pub max_count: u32,
}

impl Plan {
    /// Its limits as JSON (`daily`, `monthly`, `max_count`), as audit events and the admin tool
    /// show them.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "daily": self.daily,
            "monthly": self.monthly,
            "max_count": self.max_count,
        })
    }

    /// This plan's limits with `overrides` applied.
    pub fn limits(&self, overrides: &Overrides) -> Limits {
        Limits {
            daily: overrides.daily.unwrap_or(self.daily),
            monthly: overrides.monthly.or(self.monthly),
            max_count: overrides.max_count.unwrap_or(self.max_count),
        }
    }
}

/// Whether `name` may name a plan.
pub fn valid_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    let first_ok = bytes
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    first_ok
        && name.len() <= NAME_MAX
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// The plans in force: the operator's stored plans over the configuration's seeds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plans {
    plans: BTreeMap<String, Plan>,
}

impl Plans {
    /// The seeds, overlaid by `stored` (a stored plan of a seed's name replaces the seed).
    pub fn new(seeds: &[Plan], stored: impl IntoIterator<Item = Plan>) -> Plans {
        let mut plans: BTreeMap<String, Plan> =
            seeds.iter().map(|p| (p.name.clone(), p.clone())).collect();
        plans.extend(stored.into_iter().map(|p| (p.name.clone(), p)));
        Plans { plans }
    }

    /// The plan called `name`.
    pub fn get(&self, name: &str) -> Option<&Plan> {
        self.plans.get(name)
    }

    /// Every plan, by name.
    pub fn all(&self) -> impl Iterator<Item = &Plan> {
        self.plans.values()
    }

    /// The limits of a caller on plan `name` with `overrides`; `None` for a plan not (yet) known
    /// here.
    pub fn limits(&self, name: &str, overrides: &Overrides) -> Option<Limits> {
        self.get(name).map(|p| p.limits(overrides))
    }

    /// [`Plans::limits`], with the `free` plan's for a plan not known here (an account is never
    /// left without limits); `None` only when there is no `free` plan either.
    pub fn limits_or_free(&self, name: &str, overrides: &Overrides) -> Option<Limits> {
        self.limits(name, overrides)
            .or_else(|| self.limits(FREE, overrides))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(name: &str, daily: u32, monthly: Option<u32>, max_count: u32) -> Plan {
        Plan {
            name: name.into(),
            daily,
            monthly,
            max_count,
        }
    }

    #[test]
    fn stored_plans_replace_seeds_and_add_to_them() {
        let seeds = [plan(FREE, 100, None, 10), plan(TEAM, 5000, None, 500)];
        let plans = Plans::new(
            &seeds,
            [plan(FREE, 200, Some(3000), 20), plan("pro", 1, None, 1)],
        );
        assert_eq!(plans.get(FREE), Some(&plan(FREE, 200, Some(3000), 20)));
        assert_eq!(plans.get(TEAM).unwrap().daily, 5000);
        assert_eq!(plans.all().count(), 3);
        assert!(plans.limits("gold", &Overrides::default()).is_none());
        assert_eq!(
            plans
                .limits_or_free("gold", &Overrides::default())
                .unwrap()
                .daily,
            200
        );
        assert!(
            Plans::new(&[], [])
                .limits_or_free("gold", &Overrides::default())
                .is_none()
        );
    }

    #[test]
    fn overrides_replace_the_plans_limits_one_by_one() {
        let team = plan(TEAM, 5000, Some(100_000), 500);
        let overrides = Overrides {
            monthly: Some(7),
            ..Overrides::default()
        };
        assert_eq!(
            team.limits(&overrides),
            Limits {
                daily: 5000,
                monthly: Some(7),
                max_count: 500
            }
        );
        assert!(Overrides::default().is_empty() && !overrides.is_empty());
    }

    #[test]
    fn plan_names_are_short_lower_case_words() {
        for good in ["free", "team-2", "a", "pro_plus", "9"] {
            assert!(valid_name(good), "{good}");
        }
        for bad in ["", "Team", "-x", "a b", "x/y", &"a".repeat(33), "ümlaut"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
