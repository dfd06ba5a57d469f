//! Rules the engine itself raises while acquiring and reading a delivery.

use oversight_model::{Category, Rule, Severity};

macro_rules! rule {
    ($name:ident, $id:literal, $cat:ident, $sev:ident, $summary:literal, $help:literal) => {
        #[doc = $summary]
        pub static $name: Rule = Rule {
            id: $id,
            category: Category::$cat,
            default_severity: Severity::$sev,
            summary: $summary,
            help: $help,
        };
    };
}

rule!(
    UNREADABLE,
    "coverage.unreadable",
    Coverage,
    High,
    "A file or directory could not be read",
    "The content was not scanned, so nothing can be said about it. Fix permissions or ask the supplier for a readable delivery; waive only when the item is known to be irrelevant."
);
rule!(
    READ_ERROR,
    "coverage.read-error",
    Coverage,
    High,
    "Reading a file failed part of the way through",
    "Only the part before the error was scanned. Re-run on a sound copy of the delivery."
);
rule!(
    FILE_TOO_LARGE,
    "coverage.file-too-large",
    Coverage,
    High,
    "A file is larger than the configured `max_file_bytes` and was not read",
    "Raise `limits.max_file_bytes` in the reviewer's configuration if the file must be scanned, or waive with a reason."
);
rule!(
    DEPTH_LIMIT,
    "coverage.limit-depth",
    Coverage,
    High,
    "An archive is nested deeper than `max_depth` and was not opened",
    "Deep nesting is a classic way to hide content from scanners. Ask the supplier for a flat delivery or raise `limits.max_depth`."
);
rule!(
    TOO_LARGE_FOR_ANALYSIS,
    "coverage.too-large-for-analysis",
    Coverage,
    High,
    "A file a detector must parse whole (such as package.json) exceeds that detector's size bound",
    "The pattern pass still read the file, but the structural check (for example of install scripts) did not run. Inspect the file by hand."
);
rule!(
    UNSUPPORTED_ARCHIVE,
    "coverage.archive-format-unsupported",
    Coverage,
    High,
    "An archive or container format that Oversight cannot open (7z, RAR, CAB, ISO, RPM, MSI, …)",
    "Its members were not scanned. Ask the supplier to deliver it as zip or tar, or unpack it under the reviewer's control and scan the result."
);
rule!(
    SYMLINK_UNRESOLVABLE,
    "coverage.symlink-unresolvable",
    Coverage,
    High,
    "A symbolic link cannot be resolved (a loop or too many levels)",
    "Whatever the link was meant to deliver was not scanned. Links that loop are a known way to trap scanners."
);
rule!(
    NESTED_REPOSITORY,
    "coverage.nested-git-repository",
    Coverage,
    High,
    "A directory inside the delivery is itself a git repository whose objects are compressed and were not read through git",
    "Its history and objects were not scanned. Scan that repository separately as its own target, then waive this finding."
);
rule!(
    SYMLINK_OUTSIDE,
    "integrity.symlink-outside",
    Integrity,
    High,
    "A symbolic link points outside the delivery",
    "A link to /etc/passwd or to the reviewer's home directory makes tools that follow links read or overwrite files outside the delivery. Oversight does not follow it; ask the supplier to remove it."
);
rule!(
    SPECIAL_FILE,
    "integrity.special-file",
    Integrity,
    Medium,
    "A device, FIFO or socket inside the delivery",
    "Special files have no place in a source delivery; a FIFO can hang tools that open it. Oversight does not open them."
);
rule!(
    WORKTREE_DIFFERS,
    "integrity.worktree-differs-from-head",
    Integrity,
    Low,
    "A file committed at HEAD is missing from the work tree or differs from it",
    "Both versions were scanned. Ask which one is the delivery; scan with --rev to review exactly one revision."
);

rule!(
    TIME_BUDGET,
    "coverage.time-budget",
    Coverage,
    High,
    "The detectors spent longer than `max_file_seconds` on a file; the rest of it was not analysed",
    "A file that takes this long is unusual (a generated blob, a pathological line). Inspect it by hand, or raise `limits.max_file_seconds` in the reviewer's configuration and scan again."
);

/// Every rule raised by the engine.
pub static RULES: &[&Rule] = &[
    &UNREADABLE,
    &READ_ERROR,
    &FILE_TOO_LARGE,
    &DEPTH_LIMIT,
    &TOO_LARGE_FOR_ANALYSIS,
    &TIME_BUDGET,
    &UNSUPPORTED_ARCHIVE,
    &SYMLINK_UNRESOLVABLE,
    &NESTED_REPOSITORY,
    &SYMLINK_OUTSIDE,
    &SPECIAL_FILE,
    &WORKTREE_DIFFERS,
];
