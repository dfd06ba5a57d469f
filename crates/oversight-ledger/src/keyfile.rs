//! The signing key file: generated once by `oversight init`, kept outside the
//! database, readable by its owner only.
//!
//! The file holds one line, `oversight-ed25519-v1 <64 hex digits>`, the
//! secret seed. A key file readable by group or others is refused, as
//! OpenSSH refuses such private keys.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::chain::InstanceKey;

const PREFIX: &str = "oversight-ed25519-v1 ";

/// Why a key file could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// The file already exists; `init` never overwrites a key.
    #[error("Signing key file {} already exists; refusing to overwrite it", path.display())]
    Exists {
        /// The key file.
        path: PathBuf,
    },
    /// The file does not exist.
    #[error("Signing key file {} does not exist (it is created by `oversight init`)", path.display())]
    Missing {
        /// The key file.
        path: PathBuf,
    },
    /// Reading, writing or creating the file failed.
    #[error("Cannot access signing key file {}", path.display())]
    Io {
        /// The key file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Group or others may read the file.
    #[error("Signing key file {} has permissions {mode:o}; it must be readable by its owner only (chmod 600)", path.display())]
    Permissions {
        /// The key file.
        path: PathBuf,
        /// The file's permission bits.
        mode: u32,
    },
    /// The content is not a key written by Oversight.
    #[error("Signing key file {} is not an Oversight key (expected one line `oversight-ed25519-v1 <64 hex digits>`)", path.display())]
    Malformed {
        /// The key file.
        path: PathBuf,
    },
    /// The operating system gave no randomness.
    #[error("Cannot generate a signing key: no randomness from the operating system")]
    Random(#[source] getrandom::Error),
}

/// Generates a new key and writes it to `path`, which must not exist, with
/// permissions `0600`. Parent directories are created.
pub fn generate(path: &Path) -> Result<InstanceKey, KeyFileError> {
    let io = |source| KeyFileError::Io {
        path: path.to_owned(),
        source,
    };
    if path.exists() {
        return Err(KeyFileError::Exists {
            path: path.to_owned(),
        });
    }
    let key = InstanceKey::generate().map_err(KeyFileError::Random)?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs_err::create_dir_all(parent).map_err(io)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::AlreadyExists => KeyFileError::Exists {
            path: path.to_owned(),
        },
        _ => io(source),
    })?;
    writeln!(file, "{PREFIX}{}", hex::encode(key.seed())).map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok(key)
}

/// Reads the key at `path`, refusing a file that others may read.
pub fn load(path: &Path) -> Result<InstanceKey, KeyFileError> {
    let metadata = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(KeyFileError::Missing {
                path: path.to_owned(),
            });
        }
        Err(source) => {
            return Err(KeyFileError::Io {
                path: path.to_owned(),
                source,
            });
        }
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(KeyFileError::Permissions {
                path: path.to_owned(),
                mode,
            });
        }
    }
    #[cfg(not(unix))]
    let _ = metadata;
    let text = fs_err::read_to_string(path).map_err(|source| KeyFileError::Io {
        path: path.to_owned(),
        source,
    })?;
    let malformed = || KeyFileError::Malformed {
        path: path.to_owned(),
    };
    let digits = text.trim_end().strip_prefix(PREFIX).ok_or_else(malformed)?;
    let mut seed = [0u8; 32];
    hex::decode_to_slice(digits, &mut seed).map_err(|_| malformed())?;
    Ok(InstanceKey::from_seed(seed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generate_then_load_round_trips_with_owner_only_permissions() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("keys/instance.key");
        let key = generate(&path).expect("generate");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .expect("exists")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(load(&path).expect("load").public_key(), key.public_key());
        assert!(matches!(generate(&path), Err(KeyFileError::Exists { .. })));
    }

    #[cfg(unix)]
    #[test]
    fn readable_by_others_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("k");
        generate(&path).expect("generate");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let err = load(&path).expect_err("too open");
        assert!(err.to_string().contains("644"), "{err}");
    }

    #[test]
    fn missing_and_malformed_are_named() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("absent");
        assert!(matches!(load(&path), Err(KeyFileError::Missing { .. })));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(&path).expect("create");
        writeln!(f, "hello").expect("write");
        let err = load(&path).expect_err("malformed");
        assert!(err.to_string().contains("absent"), "{err}");
    }
}
