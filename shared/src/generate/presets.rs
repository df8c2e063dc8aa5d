//! Compliance presets: the minimum length and composition each standard (or common audit practice)
//! asks for, and the clause it comes from.

/// Character classes a preset requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Composition {
    /// No composition rules: class minimums default to zero.
    None,
    /// At least one letter (either case) and one digit.
    LetterAndDigit,
    /// At least one uppercase, lowercase, digit and symbol.
    AllFour,
}

/// A compliance preset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// HIPAA (common audit practice).
    Hipaa,
    /// PCI DSS v4.0.1.
    Pci,
    /// SOC 2 (judged against NIST).
    Soc2,
    /// ISO/IEC 27001:2022 (common practice).
    Iso,
    /// NIST SP 800-63B-4.
    Nist,
    /// DoD (DISA SRG).
    Dod,
}

impl Preset {
    /// Every preset.
    pub const ALL: [Preset; 6] = [
        Preset::Hipaa,
        Preset::Pci,
        Preset::Soc2,
        Preset::Iso,
        Preset::Nist,
        Preset::Dod,
    ];

    /// The API name.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Hipaa => "hipaa",
            Preset::Pci => "pci",
            Preset::Soc2 => "soc2",
            Preset::Iso => "iso",
            Preset::Nist => "nist",
            Preset::Dod => "dod",
        }
    }

    /// Parses an API name.
    pub fn parse(name: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Minimum length in characters.
    pub fn min_length(self) -> u32 {
        match self {
            Preset::Nist | Preset::Soc2 | Preset::Dod => 15,
            Preset::Pci | Preset::Hipaa | Preset::Iso => 12,
        }
    }

    /// Required character classes.
    pub fn composition(self) -> Composition {
        match self {
            Preset::Nist | Preset::Soc2 => Composition::None,
            Preset::Pci => Composition::LetterAndDigit,
            Preset::Dod | Preset::Hipaa | Preset::Iso => Composition::AllFour,
        }
    }

    /// The standard and clause, reported as `audit.policy`.
    pub fn clause(self) -> &'static str {
        match self {
            Preset::Nist => {
                "NIST SP 800-63B-4 §3.1.1.2 (single-factor passwords): at least 15 characters, no composition rules"
            }
            Preset::Pci => {
                "PCI DSS v4.0.1 requirement 8.3.6: at least 12 characters, containing letters and digits"
            }
            Preset::Dod => {
                "DISA SRG-OS-000078 (at least 15 characters) with SRG-OS-000069/-000070/-000071/-000266 \
                 (uppercase, lowercase, digit and special character)"
            }
            Preset::Hipaa => {
                "HIPAA 45 CFR 164.308(a)(5)(ii)(D) sets no length or composition; common audit practice: \
                 at least 12 characters with uppercase, lowercase, digit and symbol"
            }
            Preset::Soc2 => {
                "SOC 2 CC6.1 sets no password rule; auditors judge against NIST SP 800-63B: \
                 at least 15 characters, no composition rules"
            }
            Preset::Iso => {
                "ISO/IEC 27001:2022 Annex A 5.17 sets no password rule; common practice: \
                 at least 12 characters with uppercase, lowercase, digit and symbol"
            }
        }
    }
}
