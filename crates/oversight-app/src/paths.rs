//! Where Oversight keeps its data when nobody says otherwise: the one
//! answer the command line and the server share.

use std::path::{Path, PathBuf};

use crate::error::{AppError, Result};

/// `$XDG_DATA_HOME/oversight` (or `~/.local/share/oversight`).
pub fn data_dir() -> Result<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .ok_or_else(|| {
            AppError::Refused(
                "Set HOME, XDG_DATA_HOME or --database to say where the register lives".to_owned(),
            )
        })?;
    Ok(base.join("oversight"))
}

/// The embedded register's URL: the SQLite file in the data directory.
pub fn default_database() -> Result<String> {
    Ok(format!(
        "sqlite://{}",
        data_dir()?.join("oversight.db").display()
    ))
}

/// The evidence store: `flag`, else the data directory's `evidence`.
pub fn evidence_location(flag: Option<&str>) -> Result<String> {
    match flag {
        Some(location) => Ok(location.to_owned()),
        None => Ok(data_dir()?.join("evidence").display().to_string()),
    }
}

/// The advisory index: `flag`, else the data directory's `advisories`.
pub fn advisories_dir(flag: Option<&Path>) -> Result<PathBuf> {
    match flag {
        Some(dir) => Ok(dir.to_path_buf()),
        None => Ok(data_dir()?.join("advisories")),
    }
}

/// The signing key: `flag`, else `instance.key` in the configuration
/// directory, kept apart from the database on purpose.
pub fn key_path(flag: Option<&Path>) -> Result<PathBuf> {
    match flag {
        Some(path) => Ok(path.to_path_buf()),
        None => Ok(oversight_scan::config::default_path()
            .ok_or_else(|| {
                AppError::Refused(
                    "Set HOME, XDG_CONFIG_HOME or --key to say where the signing key lives"
                        .to_owned(),
                )
            })?
            .with_file_name("instance.key")),
    }
}
