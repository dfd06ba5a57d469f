//! The detectors every scan runs.

use std::path::Path;
use std::sync::OnceLock;

use oversight_detect::Detector;
use oversight_malicious::{Behaviour, RuleError};

/// The behaviour rules of this process: the built-in ones plus the
/// reviewer's directory given to [`use_rule_dir`] (`--rules DIR`).
static BEHAVIOUR: OnceLock<Behaviour> = OnceLock::new();

/// Adds a reviewer's directory of behaviour rules (the built-in rules'
/// format) to every scan this process runs from now on. All or nothing: a
/// file that cannot be read or holds an invalid rule is an error naming the
/// file, the rule and the line, and the built-in set stays as it was. A
/// process takes one directory: a second call keeps the first.
///
/// # Errors
/// The first problem found in the directory's rule files.
pub fn use_rule_dir(dir: &Path) -> Result<&'static Behaviour, RuleError> {
    let loaded = Behaviour::with_user_dir(dir)?;
    Ok(BEHAVIOUR.get_or_init(|| loaded))
}

/// The behaviour detector every scan of this process runs.
pub fn behaviour() -> &'static Behaviour {
    BEHAVIOUR.get_or_init(|| {
        Behaviour::builtin()
            .expect("the built-in behaviour rules load (their tests check every file)")
    })
}

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
    let mut detectors = oversight_malicious::detectors_with(behaviour().clone());
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
