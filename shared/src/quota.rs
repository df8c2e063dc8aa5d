//! Tiers and what each may do.

use crate::config::{Config, TierLimits};

/// Who is calling, as far as limits are concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    /// No key: metered per source IP.
    Anonymous,
    /// A registered key.
    Free,
    /// A key an operator promoted.
    Team,
}

impl Tier {
    /// The API name.
    pub fn name(self) -> &'static str {
        match self {
            Tier::Anonymous => "anonymous",
            Tier::Free => "free",
            Tier::Team => "team",
        }
    }

    /// This tier's limits under `config`.
    pub fn limits(self, config: &Config) -> TierLimits {
        match self {
            Tier::Anonymous => config.anonymous,
            Tier::Free => config.free,
            Tier::Team => config.team,
        }
    }
}
