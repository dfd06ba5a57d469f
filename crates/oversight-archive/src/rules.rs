//! The rules this crate raises: gaps in coverage (an archive or member that
//! could not be read in full) and integrity problems of the archive itself.
//!
//! The ids are stable forever: waivers and baselines bind to them.

use oversight_model::{Category, Rule, Severity};

/// A corrupt or truncated archive or member.
pub static ARCHIVE_CORRUPT: Rule = Rule {
    id: "coverage.archive-corrupt",
    category: Category::Coverage,
    default_severity: Severity::High,
    summary: "An archive or one of its members is corrupt or truncated, so part of it was not scanned",
    help: "Whatever follows the damage was not read, so the review cannot vouch for it; a damaged \
           archive can also be deliberate, to hide content from scanners that give up while \
           extraction tools recover it. Ask the supplier to deliver the archive again and compare \
           its checksum with the one they publish; accept only once a complete copy scans clean.",
};

/// An encrypted zip member (ZipCrypto or AES).
pub static ARCHIVE_ENCRYPTED: Rule = Rule {
    id: "coverage.archive-encrypted",
    category: Category::Coverage,
    default_severity: Severity::High,
    summary: "An archive member is encrypted, so its content was not scanned",
    help: "Encrypted content cannot be reviewed, and encryption is a classic way to carry malware \
           or secrets past scanners. Ask the supplier for an unencrypted delivery (protected in \
           transit by other means), or for the password through a separate channel and scan the \
           decrypted content before accepting.",
};

/// A member larger than the per-entry limit.
pub static LIMIT_ENTRY_SIZE: Rule = Rule {
    id: "coverage.limit-entry-size",
    category: Category::Coverage,
    default_severity: Severity::High,
    summary: "An archive member is larger than the per-member limit, so it was not scanned in full",
    help: "The limit protects the review from decompression bombs; content beyond it was not read. \
           If the member is legitimately that large, raise the per-member limit for this delivery \
           and scan again; otherwise ask the supplier why the delivery contains it.",
};

/// An archive with more members than the limit.
pub static LIMIT_ENTRIES: Rule = Rule {
    id: "coverage.limit-entries",
    category: Category::Coverage,
    default_severity: Severity::High,
    summary: "An archive has more members than the per-archive limit, so the rest were not scanned",
    help: "Millions of tiny entries are a way to exhaust a scanner; the members after the limit were \
           not read. If the archive is legitimately that large, raise the per-archive member limit \
           for this delivery and scan again; otherwise ask the supplier to explain it.",
};

/// A member or stream that expands more than the ratio limit.
pub static LIMIT_RATIO: Rule = Rule {
    id: "coverage.limit-ratio",
    category: Category::Coverage,
    default_severity: Severity::High,
    summary: "An archive member or compressed stream expands more than the compression-ratio limit, \
              so it was not scanned in full",
    help: "Extreme compression ratios are the signature of decompression bombs (42.zip and its \
           kin), which can exhaust disk or memory wherever the delivery is unpacked, including \
           build servers. Real content rarely compresses more than a hundredfold. Ask the supplier \
           what the member is; if it is legitimate (a sparse image, a file of zeros), raise the \
           ratio limit for this delivery and scan again.",
};

/// The scan's total budget of decompressed bytes is exhausted.
pub static LIMIT_TOTAL_BYTES: Rule = Rule {
    id: "coverage.limit-total-bytes",
    category: Category::Coverage,
    default_severity: Severity::High,
    summary: "The scan's budget of decompressed bytes ran out, so archive content was left unscanned",
    help: "The budget bounds the whole scan against nested decompression bombs; archives and \
           members met after it ran out were not read. If the delivery is legitimately that large, \
           raise the total limit and scan again; otherwise look for the archive that expands \
           unreasonably.",
};

/// An unsupported compression method or archive feature.
pub static ARCHIVE_UNSUPPORTED: Rule = Rule {
    id: "coverage.archive-unsupported",
    category: Category::Coverage,
    default_severity: Severity::High,
    summary: "An archive member uses a compression method or feature that cannot be read, so it was \
              not scanned",
    help: "Content that cannot be decompressed cannot be reviewed. Ask the supplier to deliver the \
           archive with a common method (deflate for zip, gzip or xz for tar), or unpack it with a \
           tool that supports the method and scan the result before accepting.",
};

/// A member name with a `..` component that escapes the archive root.
pub static PATH_TRAVERSAL: Rule = Rule {
    id: "integrity.archive-path-traversal",
    category: Category::Integrity,
    default_severity: Severity::High,
    summary: "An archive member's name climbs out of the extraction directory with `..` (zip-slip)",
    help: "Unpacking such an archive with a naive tool writes outside the target directory, \
           overwriting configuration, scripts or binaries of whoever unpacks it (zip-slip, \
           CWE-22). No legitimate delivery needs it. Reject the delivery and ask the supplier for \
           an archive with relative names inside its root; the member's content was still scanned.",
};

/// A member name that is absolute.
pub static ABSOLUTE_PATH: Rule = Rule {
    id: "integrity.archive-absolute-path",
    category: Category::Integrity,
    default_severity: Severity::High,
    summary: "An archive member's name is absolute (leading `/`, `\\` or a drive letter)",
    help: "Some tools honour absolute names and write the member anywhere on the machine that \
           unpacks the archive (CWE-22, CWE-36). No legitimate delivery needs it. Reject the \
           delivery and ask the supplier for an archive with relative names; the member's content \
           was still scanned.",
};

/// A symbolic or hard link whose target is absolute or escapes the archive root.
pub static LINK_OUTSIDE: Rule = Rule {
    id: "integrity.archive-link-outside",
    category: Category::Integrity,
    default_severity: Severity::High,
    summary: "An archive holds a symbolic or hard link that points outside the archive",
    help: "A link to `/etc/passwd` or `../../x` lets a later member, or a build step that follows \
           the link, read or overwrite files outside the extraction directory (CWE-59). Reject the \
           delivery unless the supplier explains the link and it is harmless where the archive is \
           unpacked; ask for the linked content to be delivered as a file instead.",
};

/// A device node, fifo or socket.
pub static SPECIAL_FILE: Rule = Rule {
    id: "integrity.archive-special-file",
    category: Category::Integrity,
    default_severity: Severity::Medium,
    summary: "An archive holds a device node, fifo or socket",
    help: "Software deliveries have no reason to carry device files; unpacked as root they can \
           expose raw disks or memory, and fifos can hang tools that read them. Ask the supplier \
           to remove them, or accept with a note when the delivery is a root-filesystem image \
           where they are expected.",
};

/// Two members with the same normalised name.
pub static DUPLICATE_ENTRY: Rule = Rule {
    id: "integrity.archive-duplicate-entry",
    category: Category::Integrity,
    default_severity: Severity::Medium,
    summary: "An archive holds two members with the same name",
    help: "Different tools keep different copies of a duplicated name (the first, the last, or the \
           one the central directory lists), so what gets reviewed may not be what gets installed: \
           a known way to smuggle content past checks (for instance in APK and JAR signing). Both \
           copies were scanned. Ask the supplier for an archive without duplicates.",
};

/// Every rule this crate raises.
pub static RULES: &[&Rule] = &[
    &ARCHIVE_CORRUPT,
    &ARCHIVE_ENCRYPTED,
    &LIMIT_ENTRY_SIZE,
    &LIMIT_ENTRIES,
    &LIMIT_RATIO,
    &LIMIT_TOTAL_BYTES,
    &ARCHIVE_UNSUPPORTED,
    &PATH_TRAVERSAL,
    &ABSOLUTE_PATH,
    &LINK_OUTSIDE,
    &SPECIAL_FILE,
    &DUPLICATE_ENTRY,
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_prefixed_by_category_and_documented() {
        let mut seen = HashSet::new();
        for rule in RULES {
            assert!(seen.insert(rule.id), "duplicate id {}", rule.id);
            let (category, name) = rule.id.split_once('.').expect("dotted id");
            assert_eq!(category, rule.category.as_str());
            assert!(name.starts_with("archive-") || name.starts_with("limit-"));
            assert!(!rule.summary.ends_with('.'));
            assert!(rule.help.len() > 100, "{} needs a real help text", rule.id);
        }
        let ids: Vec<_> = RULES.iter().map(|r| r.id).collect();
        assert_eq!(
            ids,
            [
                "coverage.archive-corrupt",
                "coverage.archive-encrypted",
                "coverage.limit-entry-size",
                "coverage.limit-entries",
                "coverage.limit-ratio",
                "coverage.limit-total-bytes",
                "coverage.archive-unsupported",
                "integrity.archive-path-traversal",
                "integrity.archive-absolute-path",
                "integrity.archive-link-outside",
                "integrity.archive-special-file",
                "integrity.archive-duplicate-entry",
            ]
        );
    }
}
