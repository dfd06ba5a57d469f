//! Deciding whether a directory is a repository, and opening it.
//!
//! A delivery is reviewed as delivered: the directory given is either a work
//! tree root (it holds `.git`) or a git directory itself, and nothing else. In
//! particular no parent directory is searched, so that a delivery unpacked
//! inside the reviewer's own checkout is never mistaken for that checkout.
//!
//! The repository is opened isolated from the reviewer's environment and
//! global configuration (`GIT_DIR`, `GIT_OBJECT_DIRECTORY`, `~/.gitconfig`),
//! and with replacement objects (`refs/replace/`) switched off: the review
//! reads the objects that were delivered, not the ones a replace ref would
//! show in their place.

use crate::{Error, Repo, RepoKind, error};
use std::path::Path;

impl Repo {
    /// Opens `path` if it *is* a repository: a work tree root containing a
    /// `.git` directory or file, or a git directory (a bare repository).
    ///
    /// Returns `Ok(None)` when `path` is not a repository, including a
    /// subdirectory of a work tree: parent directories are never searched.
    /// Returns an error when `path` cannot be inspected or when it looks like a
    /// repository that `gix` cannot open.
    pub fn open(path: &Path) -> Result<Option<Repo>, Error> {
        let io_error = |source| Error::Io {
            path: path.to_owned(),
            source,
        };
        let metadata = std::fs::metadata(path).map_err(io_error)?;
        if !metadata.is_dir() {
            return Ok(None);
        }
        let dot_git = path.join(".git");
        let (options, kind) = match std::fs::symlink_metadata(&dot_git) {
            Ok(_) => (
                options().open_path_as_is(false),
                RepoKind::WorkTree {
                    workdir: path.to_owned(),
                },
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if gix::discover::is_git(path).is_err() {
                    return Ok(None);
                }
                (options().open_path_as_is(true), RepoKind::Bare)
            }
            Err(source) => {
                return Err(Error::Io {
                    path: dot_git,
                    source,
                });
            }
        };
        let inner = options.open(path).map_err(|e| Error::Open {
            path: path.to_owned(),
            reason: error::reason(&e),
        })?;
        Ok(Some(Repo {
            inner,
            kind,
            path: path.to_owned(),
        }))
    }
}

/// Options shared by both ways of opening.
fn options() -> gix::open::Options {
    gix::open::Options::isolated()
        .config_overrides(["core.useReplaceRefs=false"])
        // A delivery's configuration is not the reviewer's problem: a value
        // `gix` does not understand must not stop the review.
        .strict_config(false)
}
