//! The detectors every scan runs.

use std::path::Path;

use oversight_detect::Detector;

/// Which secret rules to run.
#[derive(Debug, Clone, Copy)]
pub enum Secrets<'a> {
    /// The project's own built-in rule set.
    Builtin,
    /// A gitleaks-format rule file supplied by the reviewer.
    Gitleaks(&'a Path),
    /// No secret detection.
    Off,
}

/// Every detector, in a fixed order.
pub fn all(
    secrets: Secrets<'_>,
    licenses: Option<oversight_licenses::LicenseOptions>,
    dependencies: bool,
) -> crate::Result<Vec<Box<dyn Detector>>> {
    let mut detectors = oversight_malicious::detectors();
    detectors.extend(oversight_integrity::detectors());
    if dependencies {
        detectors.push(Box::new(oversight_deps::DependencyDetector::new()));
    }
    if let Some(options) = licenses {
        detectors.push(Box::new(oversight_licenses::detector(options)?));
    }
    match secrets {
        Secrets::Builtin => detectors.push(Box::new(oversight_secrets::builtin()?)),
        Secrets::Gitleaks(path) => detectors.push(Box::new(oversight_secrets::load(path)?)),
        Secrets::Off => {}
    }
    Ok(detectors)
}
