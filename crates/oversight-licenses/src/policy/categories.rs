//! Licence categories and the table that assigns SPDX identifiers to them.
//!
//! The table is our own judgement of the common identifiers, in the usual
//! families of licence-compliance tools. Identifiers not in the table fall back
//! to prefix rules (`CC-BY-NC-*` is non-commercial, `LGPL-*` weak copyleft…);
//! anything else has no category and only matches policy entries by identifier.

use std::fmt;
use std::str::FromStr;

/// A family of licences with similar obligations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LicenseCategory {
    /// Attribution and disclaimer only (MIT, BSD, Apache-2.0).
    Permissive,
    /// Copyleft limited to the licensed files or library (LGPL, MPL, EPL).
    WeakCopyleft,
    /// Copyleft extending to the whole derived work (GPL).
    StrongCopyleft,
    /// Copyleft triggered by offering the software over a network (AGPL).
    NetworkCopyleft,
    /// Commercial use is forbidden (CC-BY-NC, PolyForm Noncommercial).
    NonCommercial,
    /// Source-available or otherwise restrictive terms (BUSL, Elastic).
    Proprietary,
    /// Dedications to the public domain (CC0, Unlicense).
    PublicDomain,
}

impl LicenseCategory {
    /// Every category.
    pub const ALL: [LicenseCategory; 7] = [
        LicenseCategory::Permissive,
        LicenseCategory::WeakCopyleft,
        LicenseCategory::StrongCopyleft,
        LicenseCategory::NetworkCopyleft,
        LicenseCategory::NonCommercial,
        LicenseCategory::Proprietary,
        LicenseCategory::PublicDomain,
    ];

    /// The kebab-case name used in policy files and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            LicenseCategory::Permissive => "permissive",
            LicenseCategory::WeakCopyleft => "weak-copyleft",
            LicenseCategory::StrongCopyleft => "strong-copyleft",
            LicenseCategory::NetworkCopyleft => "network-copyleft",
            LicenseCategory::NonCommercial => "non-commercial",
            LicenseCategory::Proprietary => "proprietary",
            LicenseCategory::PublicDomain => "public-domain",
        }
    }

    /// The category of an SPDX licence identifier (canonical, without `+`).
    pub fn of(id: &str) -> Option<LicenseCategory> {
        if let Some((_, category)) = TABLE.iter().find(|(name, _)| *name == id) {
            return Some(*category);
        }
        PREFIXES
            .iter()
            .find(|(prefix, _)| id.starts_with(prefix))
            .map(|(_, category)| *category)
    }
}

impl fmt::Display for LicenseCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LicenseCategory {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LicenseCategory::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = LicenseCategory::ALL.iter().map(|c| c.as_str()).collect();
                format!(
                    "unknown licence category `{s}`, expected one of: {}",
                    names.join(", ")
                )
            })
    }
}

use LicenseCategory::{
    NetworkCopyleft as Net, NonCommercial as Nc, Permissive as Perm, Proprietary as Prop,
    PublicDomain as Pd, StrongCopyleft as Strong, WeakCopyleft as Weak,
};

/// Common SPDX identifiers and their categories.
pub(crate) const TABLE: &[(&str, LicenseCategory)] = &[
    // Permissive.
    ("0BSD", Perm),
    ("AFL-2.1", Perm),
    ("AFL-3.0", Perm),
    ("Apache-1.0", Perm),
    ("Apache-1.1", Perm),
    ("Apache-2.0", Perm),
    ("Artistic-2.0", Perm),
    ("Beerware", Perm),
    ("BlueOak-1.0.0", Perm),
    ("BSD-1-Clause", Perm),
    ("BSD-2-Clause", Perm),
    ("BSD-2-Clause-Patent", Perm),
    ("BSD-3-Clause", Perm),
    ("BSD-3-Clause-Clear", Perm),
    ("BSD-4-Clause", Perm),
    ("BSL-1.0", Perm),
    ("bzip2-1.0.6", Perm),
    ("CC-BY-3.0", Perm),
    ("CC-BY-4.0", Perm),
    ("curl", Perm),
    ("ECL-2.0", Perm),
    ("FTL", Perm),
    ("HPND", Perm),
    ("ICU", Perm),
    ("IJG", Perm),
    ("ISC", Perm),
    ("libpng-2.0", Perm),
    ("Libpng", Perm),
    ("MIT", Perm),
    ("MIT-0", Perm),
    ("MIT-CMU", Perm),
    ("NCSA", Perm),
    ("NTP", Perm),
    ("OpenSSL", Perm),
    ("PHP-3.01", Perm),
    ("PostgreSQL", Perm),
    ("PSF-2.0", Perm),
    ("Python-2.0", Perm),
    ("Unicode-3.0", Perm),
    ("Unicode-DFS-2016", Perm),
    ("UPL-1.0", Perm),
    ("W3C", Perm),
    ("WTFPL", Perm),
    ("X11", Perm),
    ("Zlib", Perm),
    ("zlib-acknowledgement", Perm),
    ("ZPL-2.1", Perm),
    // Public domain.
    ("CC0-1.0", Pd),
    ("CC-PDDC", Pd),
    ("PDDL-1.0", Pd),
    ("Unlicense", Pd),
    ("blessing", Pd),
    ("NIST-PD", Pd),
    ("SAX-PD", Pd),
    // Weak copyleft.
    ("APSL-2.0", Weak),
    ("CDDL-1.0", Weak),
    ("CDDL-1.1", Weak),
    ("CECILL-C", Weak),
    ("CPL-1.0", Weak),
    ("EPL-1.0", Weak),
    ("EPL-2.0", Weak),
    ("ErlPL-1.1", Weak),
    ("IPL-1.0", Weak),
    ("LGPL-2.0-only", Weak),
    ("LGPL-2.0-or-later", Weak),
    ("LGPL-2.1-only", Weak),
    ("LGPL-2.1-or-later", Weak),
    ("LGPL-3.0-only", Weak),
    ("LGPL-3.0-or-later", Weak),
    ("MPL-1.0", Weak),
    ("MPL-1.1", Weak),
    ("MPL-2.0", Weak),
    ("MPL-2.0-no-copyleft-exception", Weak),
    ("MS-PL", Weak),
    ("MS-RL", Weak),
    ("NPL-1.1", Weak),
    ("OFL-1.0", Weak),
    ("OFL-1.1", Weak),
    ("SPL-1.0", Weak),
    // Strong copyleft.
    ("CC-BY-SA-3.0", Strong),
    ("CC-BY-SA-4.0", Strong),
    ("CECILL-2.1", Strong),
    ("EUPL-1.1", Strong),
    ("EUPL-1.2", Strong),
    ("GFDL-1.3-only", Strong),
    ("GFDL-1.3-or-later", Strong),
    ("GPL-1.0-only", Strong),
    ("GPL-1.0-or-later", Strong),
    ("GPL-2.0-only", Strong),
    ("GPL-2.0-or-later", Strong),
    ("GPL-3.0-only", Strong),
    ("GPL-3.0-or-later", Strong),
    ("QPL-1.0", Strong),
    ("RPSL-1.0", Strong),
    ("Sleepycat", Strong),
    // Network copyleft.
    ("AGPL-1.0-only", Net),
    ("AGPL-1.0-or-later", Net),
    ("AGPL-3.0-only", Net),
    ("AGPL-3.0-or-later", Net),
    ("CPAL-1.0", Net),
    ("OSL-3.0", Net),
    ("RPL-1.5", Net),
    ("SSPL-1.0", Net),
    // Non-commercial.
    ("CC-BY-NC-4.0", Nc),
    ("CC-BY-NC-SA-4.0", Nc),
    ("CC-BY-NC-ND-4.0", Nc),
    ("PolyForm-Noncommercial-1.0.0", Nc),
    ("PolyForm-Small-Business-1.0.0", Nc),
    // Proprietary and source-available.
    ("BUSL-1.1", Prop),
    ("Elastic-2.0", Prop),
    ("CC-BY-ND-4.0", Prop),
];

/// Fallbacks for identifiers not in [`TABLE`], tried in order.
const PREFIXES: &[(&str, LicenseCategory)] = &[
    ("CC-BY-NC", Nc),
    ("CC-BY-SA", Strong),
    ("CC-BY-ND", Prop),
    ("CC-BY-", Perm),
    ("CC0", Pd),
    ("AGPL-", Net),
    ("LGPL-", Weak),
    ("GPL-", Strong),
    ("GFDL-", Strong),
    ("EUPL-", Strong),
    ("MPL-", Weak),
    ("EPL-", Weak),
    ("BSD-", Perm),
    ("MIT-", Perm),
    ("HPND", Perm),
    ("Apache-", Perm),
    ("PolyForm-", Prop),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_large_valid_and_unambiguous() {
        assert!(TABLE.len() >= 60, "{}", TABLE.len());
        let mut ids: Vec<&str> = TABLE.iter().map(|(id, _)| *id).collect();
        for id in &ids {
            assert!(
                spdx::license_id(id).is_some(),
                "{id} is not an SPDX identifier"
            );
        }
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len(), "duplicate identifiers in the table");
    }

    #[test]
    fn categories_by_table_and_by_prefix() {
        assert_eq!(LicenseCategory::of("MIT"), Some(Perm));
        assert_eq!(LicenseCategory::of("AGPL-3.0-only"), Some(Net));
        assert_eq!(LicenseCategory::of("CC-BY-NC-SA-2.0"), Some(Nc));
        assert_eq!(LicenseCategory::of("LGPL-2.1-only"), Some(Weak));
        assert_eq!(LicenseCategory::of("Frameworx-1.0"), None);
        assert_eq!("network-copyleft".parse(), Ok(Net));
        assert!("copyleft".parse::<LicenseCategory>().is_err());
    }
}
