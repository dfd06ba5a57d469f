//! The rules this crate raises issues for.
//!
//! A git delivery can fall short in ways a tree of files cannot: part of its
//! content may live elsewhere (a submodule), be absent (a shallow or partial
//! clone, a corrupt pack) or point outside the delivery (a symlink). Each is a
//! gap in what the reviewer actually saw, so each is a finding rather than a
//! silent skip.

use oversight_model::{Category, Rule, Severity};

/// A submodule entry: the tree pins a commit of another repository.
pub static GIT_SUBMODULE: Rule = Rule {
    id: "coverage.git-submodule",
    category: Category::Coverage,
    default_severity: Severity::High,
    summary: "The tree contains a submodule whose content is not part of the delivery",
    help: "A submodule entry (gitlink) records only a commit id of another repository; \
           the files of that commit were not delivered and were not reviewed, yet a checkout \
           with `--recurse-submodules` fetches and builds them from wherever `.gitmodules` points. \
           Ask the supplier to deliver the submodule's content (or vendor it into the tree), \
           or review the pinned commit of the submodule's repository separately and accept \
           the finding with a reference to that review.",
};

/// An object the tree or history points to is not in the object database.
pub static GIT_OBJECT_MISSING: Rule = Rule {
    id: "coverage.git-object-missing",
    category: Category::Coverage,
    default_severity: Severity::High,
    summary: "An object the tree refers to is missing from the repository",
    help: "The tree names a blob that the object database does not contain, as happens in a \
           shallow or partial clone (`--filter=blob:none`) or a corrupt repository. \
           That file was not reviewed, and whatever a later fetch supplies for it was never seen. \
           Ask the supplier for a complete repository (a full clone or a bundle), \
           check it with `git fsck`, and scan again.",
};

/// A blob is larger than the scan reads.
pub static GIT_BLOB_TOO_LARGE: Rule = Rule {
    id: "coverage.git-blob-too-large",
    category: Category::Coverage,
    default_severity: Severity::High,
    summary: "A blob is larger than the scan reads, so its content was not reviewed",
    help: "The object header gives a size above the configured limit, so the blob was not \
           loaded and no check looked at its content. Large blobs can hide binaries, archives \
           or data dumps. Review the file by other means and accept the finding, or raise the \
           limit for this delivery and scan again.",
};

/// A symlink points to an absolute path or out of the repository.
pub static GIT_SYMLINK_OUTSIDE: Rule = Rule {
    id: "integrity.git-symlink-outside",
    category: Category::Integrity,
    default_severity: Severity::High,
    summary: "A symlink in the tree points to an absolute path or outside the repository",
    help: "A checkout creates this link, and tools that follow it (a build, a packager, \
           an archiver, a later scan) read or overwrite files outside the delivery, such as \
           `/etc/passwd` or a sibling of the checkout. Its target was not delivered and \
           not reviewed. Ask the supplier to remove the link or replace it by the file it \
           stands for; accept it only when the target is a documented system path.",
};

/// Every rule of this crate.
pub static RULES: &[&Rule] = &[
    &GIT_SUBMODULE,
    &GIT_OBJECT_MISSING,
    &GIT_BLOB_TOO_LARGE,
    &GIT_SYMLINK_OUTSIDE,
];
