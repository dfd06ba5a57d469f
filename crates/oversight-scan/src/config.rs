//! The reviewer's configuration file.
//!
//! Configuration belongs to the reviewer: it comes from `--config FILE` or
//! from the reviewer's own configuration directory, never from inside the
//! delivery. The file is TOML; unknown keys are rejected with their line so a
//! typo never silently weakens a limit.
//!
//! ```toml
//! fail_on = "high"
//!
//! [limits]
//! max_total_bytes = 17179869184
//! max_entry_bytes = 1073741824
//! max_entries = 100000
//! max_ratio = 100
//! max_depth = 5
//! max_file_bytes = 8589934592
//! max_git_blob_bytes = 268435456
//! max_file_seconds = 60
//!
//! [severity]
//! "malicious.build-script" = "low"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use oversight_model::Severity;
use serde::Deserialize;

use crate::ScanOptions;

/// The name of the configuration file in the reviewer's configuration directory.
pub const FILE_NAME: &str = "config.toml";

/// A commented template of the configuration file, with every default.
pub const TEMPLATE: &str = include_str!("config/template.toml");

/// Why a configuration file was rejected.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("Cannot read configuration file `{path}`")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown keys or wrong values.
    #[error("Invalid configuration file `{path}`: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column.
        message: String,
    },
}

/// The file as written, before validation.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    fail_on: Option<String>,
    #[serde(default)]
    limits: RawLimits,
    #[serde(default)]
    severity: BTreeMap<String, toml::Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    max_total_bytes: Option<u64>,
    max_entry_bytes: Option<u64>,
    max_entries: Option<u64>,
    max_ratio: Option<u64>,
    max_depth: Option<u32>,
    max_file_bytes: Option<u64>,
    max_git_blob_bytes: Option<u64>,
    max_file_seconds: Option<u64>,
}

/// Where the reviewer's configuration lives when `--config` is not given:
/// `$XDG_CONFIG_HOME/oversight/config.toml`, else `~/.config/oversight/config.toml`.
pub fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("oversight").join(FILE_NAME))
}

/// Reads and validates a configuration file into options.
pub fn load(path: &Path) -> Result<ScanOptions, ConfigError> {
    let text = fs_err::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text).map_err(|message| ConfigError::Invalid {
        path: path.to_path_buf(),
        message,
    })
}

/// Parses configuration text; the error names the key and line.
pub fn parse(text: &str) -> Result<ScanOptions, String> {
    let raw: RawConfig = toml::from_str(text).map_err(|e| flatten(&e.to_string()))?;
    let mut options = ScanOptions::default();
    if let Some(fail_on) = raw.fail_on {
        options.fail_on = fail_on
            .parse::<Severity>()
            .map_err(|e| format!("key `fail_on`: {e}"))?;
    }
    let l = raw.limits;
    let a = &mut options.archive;
    set(&mut a.max_total_bytes, l.max_total_bytes);
    set(&mut a.max_entry_bytes, l.max_entry_bytes);
    set(&mut a.max_entries, l.max_entries);
    set(&mut a.max_ratio, l.max_ratio);
    set(&mut options.max_depth, l.max_depth);
    set(&mut options.max_file_bytes, l.max_file_bytes);
    set(&mut options.max_git_blob_bytes, l.max_git_blob_bytes);
    if let Some(seconds) = l.max_file_seconds {
        options.max_file_time = std::time::Duration::from_secs(seconds);
    }
    for (rule, value) in raw.severity {
        let severity = value.get_ref().parse::<Severity>().map_err(|e| {
            format!(
                "key `severity.\"{rule}\"` at line {}: {e}",
                line_of(text, value.span().start)
            )
        })?;
        options.severity.insert(rule, severity);
    }
    Ok(options)
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    bytecount::count(&text.as_bytes()[..offset.min(text.len())], b'\n') + 1
}

/// The TOML error's first line already names line and column; the rest is a
/// source excerpt that we keep on one line.
fn flatten(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.chars().all(|c| c == '|' || c == '^' || c.is_whitespace()))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_is_valid_and_matches_defaults() {
        let options = parse(TEMPLATE).unwrap();
        assert_eq!(options, ScanOptions::default());
    }

    #[test]
    fn values_override_defaults() {
        let o = parse("fail_on = \"critical\"\n[limits]\nmax_depth = 2\n[severity]\n\"malicious.build-script\" = \"low\"\n").unwrap();
        assert_eq!(o.fail_on, Severity::Critical);
        assert_eq!(o.max_depth, 2);
        assert_eq!(o.severity["malicious.build-script"], Severity::Low);
    }

    #[test]
    fn unknown_keys_are_rejected_with_their_line() {
        let err = parse("fail_on = \"high\"\n[limits]\nmax_dept = 3\n").unwrap_err();
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("max_dept"), "{err}");
        let err = parse("[severity]\n\"a.b\" = \"severe\"\n").unwrap_err();
        assert!(err.contains("line 2") && err.contains("severe"), "{err}");
    }
}
