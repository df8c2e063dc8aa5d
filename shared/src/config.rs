//! Configuration from the environment, read once per process.

pub use crate::evaluate::sources::BreachMode;
use crate::pepper::Pepper;
use crate::plan::{self, Plan};
use std::fmt;
use std::time::Duration;

/// The longest `BREACH_SYNC_BUDGET_SECONDS`: 13 minutes, before the sync's deadline (14) and
/// the function's timeout (15).
pub const MAX_SYNC_BUDGET: Duration = Duration::from_secs(780);

/// Everything the functions read from their environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The `anonymous` plan's seed: callers without a key, metered per source IP.
    pub anonymous: Plan,
    /// The `free` plan's seed: every new key.
    pub free: Plan,
    /// The `team` plan's seed.
    pub team: Plan,
    /// How long a function uses the plans it read before reading them again
    /// (`PLANS_REFRESH_SECONDS`): how soon an operator's change to a plan reaches warm functions.
    pub plans_refresh: Duration,
    /// Added to the system clock (`CLOCK_OFFSET_MS`): for tests that cross a day or a month
    /// without waiting for it; never set in a deployment (template.yaml has no such variable).
    pub clock_offset_ms: i64,
    /// Registrations per source IP per UTC day.
    pub register_daily_limit_per_ip: u32,
    /// Base URL of the HaveIBeenPwned range API.
    pub hibp_api_url: String,
    /// Where breach checks read ranges (`BREACH_SOURCE`).
    pub breach_source: BreachMode,
    /// The mirror's bucket (`MIRROR_BUCKET`): needed by a source that reads the mirror, and by
    /// the sync.
    pub mirror_bucket: Option<String>,
    /// The mirror's S3 endpoint (`MIRROR_ENDPOINT`), for a local S3-compatible server; S3 in
    /// `AWS_REGION` when not set.
    pub mirror_endpoint: Option<String>,
    /// The region (`AWS_REGION`, set by Lambda) the mirror's requests are signed for.
    pub region: String,
    /// How long one run of the breach sync starts new chunks (`BREACH_SYNC_BUDGET_SECONDS`, at
    /// most [`MAX_SYNC_BUDGET`]).
    pub sync_budget: Duration,
    /// DynamoDB table (`TABLE_NAME`).
    pub table_name: Option<String>,
    /// DynamoDB endpoint override (`DYNAMODB_ENDPOINT`), for a local DynamoDB.
    pub dynamodb_endpoint: Option<String>,
    /// Key of the email and IP hashes (`EMAIL_PEPPER`, at least 32 bytes), for local runs.
    pub pepper: Option<Pepper>,
    /// The Secrets Manager secret holding the pepper (`EMAIL_PEPPER_SECRET_ARN`), as deployed:
    /// read at start-up when `EMAIL_PEPPER` is not set.
    pub pepper_secret_arn: Option<String>,
    /// Secrets Manager endpoint override (`SECRETS_MANAGER_ENDPOINT`), for a local one.
    pub secrets_manager_endpoint: Option<String>,
    /// Web origins allowed to call the API from a browser (`ALLOWED_ORIGINS`, comma-separated, as
    /// the API's CORS setting names them; `*` for any): the MCP endpoint refuses a request whose
    /// `Origin` is not one of them. Lower-cased, without a trailing `/`.
    pub allowed_origins: Vec<String>,
    /// Serve the MCP conformance suite's test tools beside the password tools
    /// (`MCP_CONFORMANCE_TOOLS=1`): for the conformance test only, never in a deployment.
    pub mcp_conformance_tools: bool,
}

/// An environment variable that is missing or has a value that is not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The variable.
    pub name: &'static str,
    /// Its value (or, for secrets, a description of it).
    pub value: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "environment variable {} is not valid: {:?}",
            self.name, self.value
        )
    }
}

impl std::error::Error for ConfigError {}

impl ConfigError {
    /// A required variable that is not set.
    pub fn missing(name: &'static str) -> ConfigError {
        ConfigError {
            name,
            value: "(not set)".to_owned(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            anonymous: seed(plan::ANONYMOUS, 50, 10),
            free: seed(plan::FREE, 100, 10),
            team: seed(plan::TEAM, 5000, 500),
            plans_refresh: Duration::from_secs(30),
            clock_offset_ms: 0,
            register_daily_limit_per_ip: 5,
            hibp_api_url: "https://api.pwnedpasswords.com".to_string(),
            breach_source: BreachMode::Auto,
            mirror_bucket: None,
            mirror_endpoint: None,
            region: "us-east-1".to_owned(),
            sync_budget: crate::evaluate::sync::Settings::LAMBDA.budget,
            table_name: None,
            dynamodb_endpoint: None,
            pepper: None,
            pepper_secret_arn: None,
            secrets_manager_endpoint: None,
            allowed_origins: Vec::new(),
            mcp_conformance_tools: false,
        }
    }
}

fn seed(name: &str, daily: u32, max_count: u32) -> Plan {
    Plan {
        name: name.to_owned(),
        daily,
        monthly: None,
        max_count,
    }
}

impl Config {
    /// The plans this configuration seeds (`anonymous`, `free`, `team`), before the operator's.
    pub fn seeds(&self) -> [Plan; 3] {
        [self.anonymous.clone(), self.free.clone(), self.team.clone()]
    }

    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads variables through `lookup`; unset variables keep their defaults.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        let number = |name: &'static str, target: &mut u32| -> Result<(), ConfigError> {
            if let Some(value) = lookup(name) {
                *target = value
                    .trim()
                    .parse()
                    .map_err(|_| ConfigError { name, value })?;
            }
            Ok(())
        };
        let optional = |name: &'static str, target: &mut Option<u32>| -> Result<(), ConfigError> {
            match lookup(name).as_deref().map(str::trim) {
                None | Some("") | Some("none") => {}
                Some(value) => {
                    *target = Some(value.parse().map_err(|_| ConfigError {
                        name,
                        value: value.to_owned(),
                    })?);
                }
            }
            Ok(())
        };
        number("ANONYMOUS_DAILY_LIMIT", &mut config.anonymous.daily)?;
        optional("ANONYMOUS_MONTHLY_LIMIT", &mut config.anonymous.monthly)?;
        number("ANONYMOUS_MAX_COUNT", &mut config.anonymous.max_count)?;
        number("FREE_DAILY_LIMIT", &mut config.free.daily)?;
        optional("FREE_MONTHLY_LIMIT", &mut config.free.monthly)?;
        number("FREE_MAX_COUNT", &mut config.free.max_count)?;
        number("TEAM_DAILY_LIMIT", &mut config.team.daily)?;
        optional("TEAM_MONTHLY_LIMIT", &mut config.team.monthly)?;
        number("TEAM_MAX_COUNT", &mut config.team.max_count)?;
        let mut refresh = config.plans_refresh.as_secs() as u32;
        number("PLANS_REFRESH_SECONDS", &mut refresh)?;
        config.plans_refresh = Duration::from_secs(refresh.into());
        if let Some(value) = lookup("CLOCK_OFFSET_MS") {
            config.clock_offset_ms = value.trim().parse().map_err(|_| ConfigError {
                name: "CLOCK_OFFSET_MS",
                value,
            })?;
        }
        number(
            "REGISTER_DAILY_LIMIT_PER_IP",
            &mut config.register_daily_limit_per_ip,
        )?;
        if let Some(value) = lookup("HIBP_API_URL") {
            let url = value.trim().trim_end_matches('/');
            if !crate::evaluate::hibp::allowed_base_url(url) || url.contains(char::is_whitespace) {
                return Err(ConfigError {
                    name: "HIBP_API_URL",
                    value,
                });
            }
            config.hibp_api_url = url.to_string();
        }
        let text = |name| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        if let Some(value) = text("BREACH_SOURCE") {
            config.breach_source = BreachMode::ALL
                .iter()
                .find(|(name, _)| *name == value)
                .map(|(_, mode)| *mode)
                .ok_or(ConfigError {
                    name: "BREACH_SOURCE",
                    value,
                })?;
        }
        config.mirror_bucket = text("MIRROR_BUCKET");
        if let Some(url) = text("MIRROR_ENDPOINT") {
            let url = url.trim_end_matches('/');
            if !crate::evaluate::hibp::allowed_base_url(url) {
                return Err(ConfigError {
                    name: "MIRROR_ENDPOINT",
                    value: url.to_owned(),
                });
            }
            config.mirror_endpoint = Some(url.to_owned());
        }
        if let Some(region) = text("AWS_REGION") {
            config.region = region;
        }
        let mut budget = config.sync_budget.as_secs() as u32;
        number("BREACH_SYNC_BUDGET_SECONDS", &mut budget)?;
        if u64::from(budget) > MAX_SYNC_BUDGET.as_secs() {
            return Err(ConfigError {
                name: "BREACH_SYNC_BUDGET_SECONDS",
                value: budget.to_string(),
            });
        }
        config.sync_budget = Duration::from_secs(budget.into());
        if config.breach_source.reads_mirror() && config.mirror_bucket.is_none() {
            return Err(ConfigError::missing("MIRROR_BUCKET"));
        }
        config.table_name = text("TABLE_NAME");
        config.dynamodb_endpoint = text("DYNAMODB_ENDPOINT");
        config.pepper_secret_arn = text("EMAIL_PEPPER_SECRET_ARN");
        config.secrets_manager_endpoint = text("SECRETS_MANAGER_ENDPOINT");
        if let Some(origins) = lookup("ALLOWED_ORIGINS") {
            config.allowed_origins = parse_origins(&origins);
        }
        config.mcp_conformance_tools = lookup("MCP_CONFORMANCE_TOOLS").as_deref() == Some("1");
        if let Some(pepper) = lookup("EMAIL_PEPPER") {
            config.pepper = Some(Pepper::new(pepper.as_bytes()).ok_or(ConfigError {
                name: "EMAIL_PEPPER",
                // Never echo a secret, even a bad one.
                value: format!(
                    "({} bytes; at least {} needed)",
                    pepper.len(),
                    Pepper::MIN_BYTES
                ),
            })?);
        }
        Ok(config)
    }
}

/// `ALLOWED_ORIGINS`: comma-separated origins, trimmed, without a trailing slash, lower-cased.
pub fn parse_origins(list: &str) -> Vec<String> {
    list.split(',')
        .map(|o| o.trim().trim_end_matches('/').to_ascii_lowercase())
        .filter(|o| !o.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_contract_and_variables_override_them() {
        let config = Config::from_lookup(|_| None).unwrap();
        assert_eq!(config, Config::default());
        assert_eq!(
            (config.anonymous.daily, config.anonymous.max_count),
            (50, 10)
        );
        assert_eq!((config.team.daily, config.team.max_count), (5000, 500));
        assert!(config.seeds().iter().all(|p| p.monthly.is_none()));
        assert_eq!(config.plans_refresh, Duration::from_secs(30));

        let config = Config::from_lookup(|name| match name {
            "ANONYMOUS_MAX_COUNT" => Some("3".into()),
            "FREE_MONTHLY_LIMIT" => Some("2000".into()),
            "TEAM_MONTHLY_LIMIT" => Some("none".into()),
            "HIBP_API_URL" => Some("http://127.0.0.1:9999/".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(config.anonymous.max_count, 3);
        assert_eq!(config.free.monthly, Some(2000));
        assert_eq!(config.team.monthly, None);
        assert_eq!(config.hibp_api_url, "http://127.0.0.1:9999");
    }

    #[test]
    fn allowed_origins_are_a_trimmed_lower_case_list() {
        let config = Config::from_lookup(|name| {
            (name == "ALLOWED_ORIGINS")
                .then(|| " https://App.example.com/ ,, http://localhost:9000".into())
        })
        .unwrap();
        assert_eq!(
            config.allowed_origins,
            ["https://app.example.com", "http://localhost:9000"]
        );
        assert!(Config::default().allowed_origins.is_empty());
    }

    #[test]
    fn a_malformed_number_is_an_error_naming_the_variable() {
        let err = Config::from_lookup(|name| (name == "TEAM_DAILY_LIMIT").then(|| "lots".into()))
            .unwrap_err();
        assert_eq!(err.name, "TEAM_DAILY_LIMIT");
    }

    #[test]
    fn storage_settings_and_a_long_enough_pepper() {
        let config = Config::from_lookup(|name| match name {
            "TABLE_NAME" => Some("passwordapi".into()),
            "DYNAMODB_ENDPOINT" => Some("http://127.0.0.1:8000".into()),
            "EMAIL_PEPPER" => Some("p".repeat(32)),
            _ => None,
        })
        .unwrap();
        assert_eq!(config.table_name.as_deref(), Some("passwordapi"));
        assert_eq!(
            config.dynamodb_endpoint.as_deref(),
            Some("http://127.0.0.1:8000")
        );
        assert!(config.pepper.is_some());
        let err =
            Config::from_lookup(|name| (name == "EMAIL_PEPPER").then(|| "short-secret".into()))
                .unwrap_err();
        assert_eq!(err.name, "EMAIL_PEPPER");
        assert!(!err.to_string().contains("short-secret"));
    }

    #[test]
    fn a_breach_source_reading_the_mirror_needs_its_bucket() {
        let read = |source: &str, bucket: Option<&str>| {
            let (source, bucket) = (source.to_owned(), bucket.map(str::to_owned));
            Config::from_lookup(move |name| match name {
                "BREACH_SOURCE" => Some(source.clone()),
                "MIRROR_BUCKET" => bucket.clone(),
                _ => None,
            })
        };
        for (name, mode) in BreachMode::ALL {
            let config = read(name, Some("team-mirror")).unwrap();
            assert_eq!((config.breach_source, mode.name()), (mode, name));
            let unset = read(name, None);
            match mode.reads_mirror() {
                false => assert_eq!(unset.unwrap().breach_source, mode),
                true => assert_eq!(unset.unwrap_err(), ConfigError::missing("MIRROR_BUCKET")),
            }
        }
        assert_eq!(read("Mirror", Some("b")).unwrap_err().name, "BREACH_SOURCE");
        assert_eq!(Config::default().breach_source, BreachMode::Auto);
        assert_eq!(BreachMode::Auto.resolved(false), BreachMode::Upstream);
        assert_eq!(
            BreachMode::Auto.resolved(true),
            BreachMode::MirrorThenUpstream
        );
        assert_eq!(BreachMode::Mirror.resolved(false), BreachMode::Mirror);
        let err = Config::from_lookup(|name| {
            (name == "MIRROR_ENDPOINT").then(|| "http://s3.example.com".into())
        })
        .unwrap_err();
        assert_eq!(err.name, "MIRROR_ENDPOINT");
        // A run's budget leaves two minutes of the function's 15 for its last chunk.
        let budget = |seconds: &str| {
            let seconds = seconds.to_owned();
            Config::from_lookup(move |name| {
                (name == "BREACH_SYNC_BUDGET_SECONDS").then(|| seconds.clone())
            })
        };
        assert_eq!(budget("780").unwrap().sync_budget, Duration::from_secs(780));
        assert_eq!(
            budget("781").unwrap_err().name,
            "BREACH_SYNC_BUDGET_SECONDS"
        );
    }

    #[test]
    fn the_breach_source_must_be_an_https_url_or_loopback_http() {
        for bad in [
            "api.pwnedpasswords.com",
            "ftp://x",
            "http://a b",
            "http://api.pwnedpasswords.com",
        ] {
            let err = Config::from_lookup(|name| (name == "HIBP_API_URL").then(|| bad.into()))
                .unwrap_err();
            assert_eq!(err.name, "HIBP_API_URL");
        }
    }
}
