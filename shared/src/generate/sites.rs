//! The sites whose password rules are known: Apple's password-manager-resources quirks
//! (`shared/data/sites/`: the rules ~430 sites enforce, in the `passwordrules` format, and the
//! groups of domains that share credentials). A request names a domain; its rules are those of
//! the domain, of its nearest listed parent (`www.apple.com` → `apple.com`), or of a domain it
//! shares credentials with.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The rules by domain, as shipped.
const RULES_JSON: &str = include_str!("../../data/sites/password-rules.json");
/// The groups of domains that share credentials, as shipped.
const SHARED_JSON: &str = include_str!("../../data/sites/shared-credentials.json");
/// Longest `site` read (a domain name's limit).
pub const MAX_SITE_CHARS: usize = 253;

#[derive(Deserialize)]
struct Quirk {
    #[serde(rename = "password-rules")]
    password_rules: String,
}

/// One entry of the shared credentials: domains that share every credential (`shared`), or
/// domains (`from`) whose credentials are another's (`to`).
#[derive(Deserialize)]
struct SharedEntry {
    #[serde(default)]
    shared: Vec<String>,
    #[serde(default)]
    from: Vec<String>,
    #[serde(default)]
    to: Vec<String>,
}

/// The shipped lists, read once per process on first use (~0.3 ms).
struct Sites {
    rules: BTreeMap<String, String>,
    /// For each grouping, the domains whose rules stand for a member's, in order.
    groups: Vec<(Vec<String>, Vec<String>)>,
}

fn sites() -> &'static Sites {
    static SITES: OnceLock<Sites> = OnceLock::new();
    SITES.get_or_init(|| {
        let quirks: BTreeMap<String, Quirk> =
            serde_json::from_str(RULES_JSON).expect("the shipped password-rules.json");
        let shared: Vec<SharedEntry> =
            serde_json::from_str(SHARED_JSON).expect("the shipped shared-credentials.json");
        let mut groups = Vec::new();
        for entry in shared {
            if entry.shared.is_empty() {
                // `from` signs in with `to`'s credentials, and the other way round.
                groups.push((entry.from.clone(), entry.to.clone()));
                groups.push((entry.to, entry.from));
            } else {
                groups.push((entry.shared.clone(), entry.shared));
            }
        }
        Sites {
            rules: quirks
                .into_iter()
                .map(|(domain, q)| (domain, q.password_rules))
                .collect(),
            groups,
        }
    })
}

/// A known site's rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// The domain whose rules these are (the requested one, a parent, or one it shares
    /// credentials with).
    pub domain: &'static str,
    /// Its rules in the `passwordrules` format.
    pub rules: &'static str,
}

/// Why a `site` names no known rules.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SiteError {
    /// Not a domain name.
    #[error("site must be a domain name such as apple.com")]
    NotADomain,
    /// A domain the list has no rules for.
    #[error(
        "no password rules are known for {0} (the list is Apple's password-manager-resources: {1} sites); send its passwordrules instead"
    )]
    Unknown(String, usize),
}

/// `site` as a domain name: trimmed, lower-cased, without a trailing dot; at least two labels of
/// letters, digits and hyphens.
fn normalise(site: &str) -> Result<String, SiteError> {
    let domain = site.trim().trim_end_matches('.').to_ascii_lowercase();
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let labels: Vec<&str> = domain.split('.').collect();
    if domain.len() > MAX_SITE_CHARS || labels.len() < 2 || !labels.iter().all(|l| label_ok(l)) {
        return Err(SiteError::NotADomain);
    }
    Ok(domain)
}

/// The rules for `site`: the domain's own, else its nearest listed parent's, else those of a
/// domain it shares credentials with (checked for the domain, then each parent).
pub fn lookup(site: &str) -> Result<Site, SiteError> {
    let requested = normalise(site)?;
    let sites = sites();
    let found = |domain: &str| {
        sites
            .rules
            .get_key_value(domain)
            .map(|(d, r)| (d.as_str(), r.as_str()))
    };
    let mut candidate = requested.as_str();
    loop {
        let hit = found(candidate).or_else(|| {
            sites
                .groups
                .iter()
                .filter(|(members, _)| members.iter().any(|m| m == candidate))
                .flat_map(|(_, others)| others)
                .find_map(|other| found(other))
        });
        if let Some((domain, rules)) = hit {
            return Ok(Site { domain, rules });
        }
        match candidate.split_once('.') {
            Some((_, parent)) if parent.contains('.') => candidate = parent,
            _ => return Err(SiteError::Unknown(requested.clone(), sites.rules.len())),
        }
    }
}

/// Whose rules a password follows, as the generate audit and the verdict's source say it: a
/// known site's (from the list) or the rules the caller sent.
pub fn describe_rules(site: Option<&str>, text: &str) -> String {
    match site {
        Some(site) => {
            format!("{site}'s passwordrules (Apple's password-manager-resources): {text}")
        }
        None => format!("the site's passwordrules: {text}"),
    }
}

/// Every domain with rules of its own, sorted (the console's picker; the tests).
pub fn domains() -> impl Iterator<Item = &'static str> {
    sites().rules.keys().map(String::as_str)
}

/// Every domain that names some rules through the shared credentials (not one of its own).
pub fn shared_domains() -> Vec<&'static str> {
    let sites = sites();
    let mut out: Vec<&'static str> = sites
        .groups
        .iter()
        .flat_map(|(members, _)| members.iter().map(String::as_str))
        .filter(|d| !sites.rules.contains_key(*d) && lookup(d).is_ok())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_domain_its_subdomains_and_its_sharers_find_its_rules() {
        let apple = lookup("apple.com").unwrap();
        assert_eq!(apple.domain, "apple.com");
        assert!(apple.rules.contains("minlength"), "{}", apple.rules);
        for spelled in [
            "Apple.com",
            " apple.com. ",
            "www.apple.com",
            "id.www.apple.com",
        ] {
            assert_eq!(lookup(spelled).unwrap().rules, apple.rules, "{spelled}");
        }
        // adobelogin.com signs in with adobe.com's credentials (a `from`/`to` entry).
        if let Ok(adobe) = lookup("adobe.com") {
            assert_eq!(lookup("adobelogin.com").unwrap().rules, adobe.rules);
        }
        assert!(domains().count() >= 400);
        assert!(!shared_domains().is_empty());
        for d in shared_domains() {
            assert!(lookup(d).is_ok(), "{d}");
        }
    }

    #[test]
    fn unknown_sites_and_non_domains_are_refused() {
        assert!(matches!(
            lookup("example.org"),
            Err(SiteError::Unknown(d, n)) if d == "example.org" && n == domains().count()
        ));
        for bad in [
            "",
            "apple",
            "https://apple.com",
            "apple.com/login",
            "ap ple.com",
            "-a.com",
            "a..com",
            &"a".repeat(300),
        ] {
            assert_eq!(lookup(bad), Err(SiteError::NotADomain), "{bad}");
        }
    }
}
