//! Detectors of category `integrity`: a delivery that tries to shape its own
//! review.
//!
//! In an acceptance gate the party being checked must not configure the check.
//! Security scanners obey allowlists and inline markers that live in the
//! scanned tree (`.gitleaksignore`, `# nosec`, `// gitleaks:allow`). Oversight
//! never obeys them, since its configuration belongs to the reviewer, but their
//! presence is worth a reviewer's glance: it shows where the supplier told its
//! own tools to look away.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod suppressions;

use oversight_detect::Detector;

/// Every detector of this crate.
pub fn detectors() -> Vec<Box<dyn Detector>> {
    vec![Box::new(suppressions::Suppressions)]
}
