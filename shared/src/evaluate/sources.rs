//! The breach source a function reads, chosen once at start-up by `BREACH_SOURCE`
//! ([`BreachMode`]): the range API behind the range cache, the mirror, or the mirror and the
//! range API for what it cannot answer.

use super::breach::{BreachError, BreachSource, RangeCache, Sourced};
use super::hibp::HibpClient;
use super::mirror::Mirror;

/// Where breach checks read ranges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreachMode {
    /// `upstream` until the breach sync has completed a pass over every range (as a function
    /// finds it when it starts), `mirror_then_upstream` from then on (the default).
    Auto,
    /// The range API, k-anonymously, through the range cache.
    Upstream,
    /// The mirror only: a range it lacks, or a mirror that does not answer, is `unavailable`.
    Mirror,
    /// The mirror, and the range API for a range it lacks or when it does not answer.
    MirrorThenUpstream,
}

impl BreachMode {
    /// Every mode, by its `BREACH_SOURCE` name.
    pub const ALL: [(&'static str, BreachMode); 4] = [
        ("auto", BreachMode::Auto),
        ("upstream", BreachMode::Upstream),
        ("mirror", BreachMode::Mirror),
        ("mirror_then_upstream", BreachMode::MirrorThenUpstream),
    ];

    /// Its `BREACH_SOURCE` name.
    pub fn name(self) -> &'static str {
        BreachMode::ALL
            .iter()
            .find(|(_, mode)| *mode == self)
            .map_or("auto", |(name, _)| name)
    }

    /// Whether it reads the mirror whatever the sync has done (and so needs its bucket).
    pub fn reads_mirror(self) -> bool {
        matches!(self, BreachMode::Mirror | BreachMode::MirrorThenUpstream)
    }

    /// The mode in force: `auto` as the sync has left the mirror (`completed`: it has completed a
    /// pass), every other as it is.
    pub fn resolved(self, completed: bool) -> BreachMode {
        match (self, completed) {
            (BreachMode::Auto, true) => BreachMode::MirrorThenUpstream,
            (BreachMode::Auto, false) => BreachMode::Upstream,
            (mode, _) => mode,
        }
    }
}

/// Where breach checks read ranges: one of these.
pub enum Breaches {
    /// The range API, k-anonymously, through the range cache.
    Upstream(RangeCache<HibpClient>),
    /// The mirror only.
    Mirror(Mirror),
    /// The mirror; the range API (through the range cache) for a range the mirror lacks or when
    /// it does not answer.
    MirrorThenUpstream(Mirror, RangeCache<HibpClient>),
}

impl Breaches {
    /// The source of `mode`: `mirror` is needed by the modes that read it (the configuration
    /// refuses those without a bucket; without one here they read the range API).
    pub fn new(mode: BreachMode, mirror: Option<Mirror>, hibp_api_url: &str) -> Breaches {
        let upstream = || RangeCache::new(HibpClient::new(hibp_api_url));
        match (mode, mirror) {
            (BreachMode::Mirror, Some(mirror)) => Breaches::Mirror(mirror),
            (BreachMode::MirrorThenUpstream, Some(mirror)) => {
                Breaches::MirrorThenUpstream(mirror, upstream())
            }
            _ => Breaches::Upstream(upstream()),
        }
    }
}

impl BreachSource for Breaches {
    async fn range(&self, prefix: &str) -> Result<Sourced, BreachError> {
        match self {
            Breaches::Upstream(upstream) => upstream.range(prefix).await,
            Breaches::Mirror(mirror) => mirror.range(prefix).await,
            Breaches::MirrorThenUpstream(mirror, upstream) => match mirror.range(prefix).await {
                Ok(sourced) => Ok(sourced),
                Err(e) => {
                    if e != BreachError::NotMirrored {
                        tracing::warn!(error = %e, "the mirror did not answer: asking upstream");
                    }
                    upstream.range(prefix).await
                }
            },
        }
    }
}
