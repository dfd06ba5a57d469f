//! The deposit's licence notice, from what the review recorded: the
//! licences found and declared, the copyright holders, the components, and
//! the text of every licence of the SPDX list used.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use oversight_gate::DeliveryFacts;

/// What the notice is written from.
pub struct NoticeInput<'a> {
    /// The review.
    pub review: &'a str,
    /// The delivery's facts as the review recorded them.
    pub facts: &'a DeliveryFacts,
}

const RULE: &str =
    "================================================================================";

/// The notice text. Deterministic: a function of the recorded facts only.
pub fn notice_text(input: &NoticeInput<'_>) -> String {
    let facts = input.facts;
    let mut out = String::new();
    let _ = writeln!(out, "LICENCE AND COPYRIGHT NOTICE");
    let _ = writeln!(out, "for the delivery of review {}", input.review);
    let _ = writeln!(
        out,
        "\nWritten by oversight from what the review found and recorded: {} licence \
         expression(s), {} copyright holder(s), {} component(s). The review's SBOM \
         (sbom.cdx.json) has each component's declared licence.",
        facts.licences.len(),
        facts.holders.len(),
        facts.components.len()
    );
    let _ = writeln!(out, "\n{RULE}\nLicences found or declared\n{RULE}");
    if facts.licences.is_empty() {
        let _ = writeln!(out, "(none)");
    }
    for licence in &facts.licences {
        let _ = writeln!(out, "  {}", clean(licence));
    }
    let _ = writeln!(out, "\n{RULE}\nCopyright holders\n{RULE}");
    if facts.holders.is_empty() {
        let _ = writeln!(out, "(none)");
    }
    for holder in &facts.holders {
        let _ = writeln!(out, "  {}", clean(holder));
    }
    let _ = writeln!(out, "\n{RULE}\nComponents\n{RULE}");
    if facts.components.is_empty() {
        let _ = writeln!(out, "(none)");
    }
    let components: BTreeMap<&String, &Vec<String>> = facts.components.iter().collect();
    for (name, versions) in components {
        let versions: Vec<&str> = versions
            .iter()
            .map(|v| if v.is_empty() { "(no version)" } else { v })
            .collect();
        let _ = writeln!(out, "  {} {}", clean(name), clean(&versions.join(", ")));
    }
    let mut texts: Vec<String> = Vec::new();
    for licence in &facts.licences {
        for id in oversight_licenses::expression_ids(licence.trim_start_matches("unknown: ")) {
            if !texts.contains(&id) {
                texts.push(id);
            }
        }
    }
    texts.sort();
    if !texts.is_empty() {
        let _ = writeln!(out, "\n{RULE}\nLicence texts\n{RULE}");
    }
    for id in &texts {
        let _ = writeln!(out, "\n--- {id} ---");
        match oversight_licenses::licence_text(id) {
            Some(text) => {
                out.push_str(text.trim_end());
                out.push('\n');
            }
            None => {
                let _ = writeln!(
                    out,
                    "(no text in the SPDX list: a licence defined by the delivery; its files give the text)"
                );
            }
        }
    }
    out
}

fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}
