//! The `secret` detector of Oversight: credentials in a delivery, found with
//! rules in the gitleaks format and reported only in redacted form.
//!
//! * [`builtin`]: the detector with Oversight's own rule set
//!   (`rules/builtin.toml`, written for this project, not copied).
//! * [`from_gitleaks_toml`] and [`load`]: the detector with a reviewer's
//!   gitleaks config (for example gitleaks' own `gitleaks.toml`).
//! * [`SecretsDetector`] implements `oversight_detect::Detector`; its module
//!   [`secret`] documents what it detects and the semantics.
//! * [`Secret`]: a matched value whose `Debug` and `Display` never show it.
//!
//! ```
//! use oversight_detect::reference::run_detector;
//!
//! let detector = oversight_secrets::builtin().expect("the built-in rules load");
//! // Built at run time, so that no realistic token sits in the source.
//! let token = format!("ghp_{}", "Zq3xK9vB2mN7wR4tY8uP1sD6fG0hJ5kL3cV9");
//! let found = run_detector(&detector, "ci.yml", format!("token: {token}\n").as_bytes());
//! assert_eq!(found[0].rule.id, "secret.github-pat");
//! assert!(!found[0].message.contains(&token));
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod config;
mod decode;
mod redact;
pub mod secret;
mod value;

use std::path::Path;
use std::sync::OnceLock;

pub use config::ConfigError;
pub use redact::Secret;
pub use secret::{DOCUMENTATION_EXAMPLE, SecretsDetector, TEST_FIXTURE_CREDENTIAL, is_test_path};

/// The built-in rule set, in gitleaks format.
pub const BUILTIN_RULES: &str = include_str!("../rules/builtin.toml");

/// The detector with Oversight's built-in rules. Compiled once per process.
pub fn builtin() -> Result<SecretsDetector, ConfigError> {
    static BUILTIN: OnceLock<Result<SecretsDetector, String>> = OnceLock::new();
    BUILTIN
        .get_or_init(|| from_gitleaks_toml(BUILTIN_RULES, "builtin").map_err(|e| e.to_string()))
        .clone()
        .map_err(|message| ConfigError::Invalid {
            origin: "builtin".into(),
            rule: None,
            line: None,
            message,
        })
}

/// The detector with the rules of a gitleaks config given as text; `origin`
/// names it in errors and help texts.
pub fn from_gitleaks_toml(text: &str, origin: &str) -> Result<SecretsDetector, ConfigError> {
    let set = config::parse(text, origin)?;
    Ok(SecretsDetector::new(set, origin))
}

/// The detector with the rules of a gitleaks config file.
pub fn load(path: &Path) -> Result<SecretsDetector, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.display().to_string(),
        source,
    })?;
    from_gitleaks_toml(&text, &path.display().to_string())
}
