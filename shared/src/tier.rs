//! Who a caller is as far as limits go: the tiers, and the limits of one tier. It depends on
//! nothing: the configuration holds each tier's limits ([`crate::config::Config::limits`]), keys
//! and accounts carry a tier, metering reads it.

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

    /// Parses an account's stored tier (`free`, `team`; an account is never anonymous).
    pub fn parse(name: &str) -> Option<Tier> {
        match name {
            "free" => Some(Tier::Free),
            "team" => Some(Tier::Team),
            _ => None,
        }
    }
}

/// Daily request limit and `count` maximum of one tier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TierLimits {
    /// Admitted requests per UTC day.
    pub daily_limit: u32,
    /// Largest `count` one generate request may ask for.
    pub max_count: u32,
}
