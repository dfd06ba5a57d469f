//! The rules this crate raises, with their stable identifiers and default
//! severities. Severity is only a default: the reviewer's configuration
//! overrides it per rule.

use oversight_model::{Category, Rule, Severity};

/// A licence was found (text, SPDX tag or notice) and no policy objects to it.
pub static DETECTED: Rule = Rule {
    id: "license.detected",
    category: Category::License,
    default_severity: Severity::Info,
    summary: "A licence was identified in the file",
    help: "Recorded for the licence inventory of the delivery. Nothing to do unless the licence \
           is not what the contract allows; set a licence policy to have such licences flagged.",
};

/// A licence file whose text matches no licence of the SPDX list well enough.
pub static UNKNOWN_TEXT: Rule = Rule {
    id: "license.unknown-text",
    category: Category::License,
    default_severity: Severity::Medium,
    summary: "A licence file holds a text that matches no known licence",
    help: "The text of this LICENSE/COPYING file is not close enough (confidence below 0.8) to \
           any licence of the SPDX list: it may be a custom or proprietary licence, or a heavily \
           edited one. Read it and have the supplier name the licence, or accept it by fingerprint.",
};

/// An SPDX tag or a licence notice that cannot be mapped to SPDX identifiers.
pub static UNKNOWN: Rule = Rule {
    id: "license.unknown",
    category: Category::License,
    default_severity: Severity::Medium,
    summary: "A licence declaration cannot be mapped to SPDX identifiers",
    help: "An SPDX-License-Identifier tag that is not a valid SPDX expression, or a licence notice \
           without a recognisable licence or version. Ask the supplier for a valid SPDX expression.",
};

/// A licence the reviewer's policy does not allow.
pub static DENIED: Rule = Rule {
    id: "license.denied",
    category: Category::License,
    default_severity: Severity::High,
    summary: "A licence that the licence policy does not allow",
    help: "The licence expression is not satisfiable with the licences the policy allows (an OR \
           needs one allowed side, an AND needs both). Remove or replace the component, obtain \
           another licence from the rights holder, or change the policy if the use is acceptable.",
};

/// A copyright statement.
pub static COPYRIGHT: Rule = Rule {
    id: "license.copyright",
    category: Category::License,
    default_severity: Severity::Info,
    summary: "A copyright statement naming a holder",
    help: "Recorded for the list of copyright holders of the delivery and for attribution notices.",
};

/// A copyright holder outside the expected holders.
pub static FOREIGN_COPYRIGHT: Rule = Rule {
    id: "license.foreign-copyright",
    category: Category::License,
    default_severity: Severity::Medium,
    summary: "A copyright holder that is not one of the expected holders",
    help: "Code we pay to own should carry only our and the supplier's copyright. Another holder \
           means copied or third-party code, or code written for another client. Check that the \
           component is declared and its licence allows the use, or have the supplier replace it.",
};

/// Every rule of this crate.
pub static ALL: [&Rule; 6] = [
    &DETECTED,
    &UNKNOWN_TEXT,
    &UNKNOWN,
    &DENIED,
    &COPYRIGHT,
    &FOREIGN_COPYRIGHT,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_kebab_case_and_in_the_license_category() {
        let mut ids: Vec<&str> = ALL.iter().map(|r| r.id).collect();
        assert_eq!(
            ids,
            [
                "license.detected",
                "license.unknown-text",
                "license.unknown",
                "license.denied",
                "license.copyright",
                "license.foreign-copyright"
            ]
        );
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), ALL.len());
        for rule in ALL {
            assert_eq!(rule.category, Category::License);
            let name = rule.id.strip_prefix("license.").expect("prefixed");
            assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
        }
    }
}
