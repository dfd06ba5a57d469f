//! The rules the dependency detector raises. All are of category
//! `coverage`: each says that part of the component inventory is missing or
//! inexact, so advisories and licence checks cannot see it. Severities are
//! defaults; the reviewer's configuration overrides them per rule.
//!
//! Identifiers follow the house scheme `<category>.<name>`.

use oversight_model::{Category, Rule, Severity};

/// A lockfile or manifest that could not be parsed.
pub static LOCKFILE_MALFORMED: Rule = Rule {
    id: "coverage.lockfile-malformed",
    category: Category::Coverage,
    default_severity: Severity::High,
    summary: "A lockfile or manifest could not be parsed: the components it lists are unknown",
    help: "What: the file has the name of a lockfile or package manifest but its content is not \
           valid for that format (the message names the parser's error and line). Why: every \
           component it lists is missing from the inventory, so no advisory or licence check \
           covers them. Resolve: ask the supplier for the file their package manager wrote, or \
           regenerate it (`cargo generate-lockfile`, `npm install --package-lock-only`, …); \
           accept by fingerprint only if the file is not part of the build.",
};

/// A lockfile version the parser does not know.
pub static LOCKFILE_VERSION_UNKNOWN: Rule = Rule {
    id: "coverage.lockfile-version-unknown",
    category: Category::Coverage,
    default_severity: Severity::Medium,
    summary: "A lockfile of a version this scanner does not know was read best-effort",
    help: "What: the file declares a format version (`lockfileVersion`, `version`, \
           `lock-version`) newer or older than the ones the parser knows. Why: it was read with \
           the closest known version's rules; entries written differently may be missing or \
           wrong. Resolve: check the listed components against the file, or have the supplier \
           write the lockfile with a released version of their package manager.",
};

/// One entry of a readable lockfile could not be read.
pub static LOCKFILE_ENTRY_SKIPPED: Rule = Rule {
    id: "coverage.lockfile-entry-skipped",
    category: Category::Coverage,
    default_severity: Severity::Medium,
    summary: "An entry of a lockfile could not be read and is missing from the inventory",
    help: "What: the file parsed, but one entry has no recognisable name or version (a key \
           that is not `name@version`, a spec line that does not parse). Why: that component is \
           not in the inventory. Resolve: look at the entry; regenerate the lockfile, or accept \
           by fingerprint when the entry is not a third-party component.",
};

/// A dependency recorded without an exact version.
pub static DEPENDENCY_UNVERSIONED: Rule = Rule {
    id: "coverage.dependency-unversioned",
    category: Category::Coverage,
    default_severity: Severity::Low,
    summary: "A dependency is recorded without an exact version",
    help: "What: a manifest names a dependency with a range (`>=2.0`), a URL, a git commit or \
           no version at all (managed by a parent pom), so the component is listed with an \
           empty version. Why: the version that was built cannot be known from the delivery, \
           so advisories cannot be matched exactly and builds are not reproducible. Resolve: \
           ask the supplier for a lockfile or for exact pins (`==`, `=`), or accept by \
           fingerprint. Low by default: it is common in manifests and is a gap, not a defect.",
};

/// A pom.xml property the file does not define.
pub static UNRESOLVED_PROPERTY: Rule = Rule {
    id: "coverage.unresolved-property",
    category: Category::Coverage,
    default_severity: Severity::Low,
    summary: "A pom.xml version uses a property the file does not define",
    help: "What: a dependency's version is `${property}` and neither the pom's `<properties>` \
           nor the built-in project properties define it (it may come from a parent pom, a \
           profile or the command line). Why: the component is listed with an empty version and \
           advisories cannot be matched. Resolve: include the parent pom in the delivery, or \
           have the supplier pin the version; accept by fingerprint otherwise.",
};

/// A requirements file that includes another one.
pub static REQUIREMENTS_INCLUDE: Rule = Rule {
    id: "coverage.requirements-include",
    category: Category::Coverage,
    default_severity: Severity::Info,
    summary: "A requirements file includes another requirements or constraints file",
    help: "What: a `-r`/`-c` line pulls in another file. Why: files are read one at a time, so \
           the included file's components are listed where that file itself is scanned; if it \
           is not part of the delivery (or lies outside it), they are missing. Resolve: check \
           that the named file is in the delivery; nothing to do if it is.",
};

/// A lockfile lists more components than are inventoried from one file.
pub static TOO_MANY_COMPONENTS: Rule = Rule {
    id: "coverage.lockfile-too-many-components",
    category: Category::Coverage,
    default_severity: Severity::High,
    summary: "A lockfile lists more components than Oversight inventories from one file",
    help: "What: the file lists more than 100,000 components (the largest real lockfiles hold a \
           few thousand); only the first 100,000 are in the inventory and matched against \
           advisories. Why: the rest could not be checked. Resolve: look at the file; a \
           generated or padded lockfile is not a real dependency list.",
};

/// Every rule of this crate.
pub static ALL: [&Rule; 7] = [
    &LOCKFILE_MALFORMED,
    &LOCKFILE_VERSION_UNKNOWN,
    &LOCKFILE_ENTRY_SKIPPED,
    &DEPENDENCY_UNVERSIONED,
    &UNRESOLVED_PROPERTY,
    &REQUIREMENTS_INCLUDE,
    &TOO_MANY_COMPONENTS,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_prefixed_by_category() {
        let mut ids: Vec<&str> = ALL.iter().map(|r| r.id).collect();
        for r in ALL {
            assert!(
                r.id.starts_with(&format!("{}.", r.category.as_str())),
                "{}",
                r.id
            );
            assert!(r.summary.chars().next().is_some_and(char::is_uppercase));
            assert!(!r.summary.ends_with('.'));
        }
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), ALL.len());
    }
}
