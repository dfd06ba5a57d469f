//! The detectors of category `malicious`: content that attacks the reader,
//! the build or the user of a delivery.
//!
//! Each public module is one detector and documents itself in the same
//! template (what it detects, why it matters, an example, how to resolve or
//! accept, references):
//!
//! * [`bidi`]: bidirectional control characters (Trojan Source).
//! * [`invisible`]: zero-width characters, Hangul fillers, tag characters and
//!   variation-selector runs in code.
//! * [`homoglyph`]: identifiers mixing Latin with look-alike Cyrillic or Greek.
//! * [`executables`]: compiled artifacts, recognised by content.
//! * [`install_hooks`]: npm lifecycle scripts, `setup.py` execution, Cargo
//!   build scripts, downloads that are executed.
//! * [`obfuscation`]: encoded payloads that are decoded and executed.
//! * `behaviour` (the `oversight-behaviour` crate): behaviour rules over
//!   parsed code (execution of decoded or downloaded data, exfiltration,
//!   suspicious endpoints, persistence, reverse shells, miners, CI
//!   workflow attacks). The line-based detectors above stay as the
//!   fallback for what has no syntax and for files too large to parse.
//!
//! The engine runs them all in one pass; [`detectors`] hands them over and
//! [`rules`] lists every rule they can raise. [`changes`] compares two
//! deliveries: a new or changed install hook, build script, CI workflow,
//! network endpoint or exec site is a `malicious.sensitive-change`.
//!
//! ```
//! use oversight_detect::reference::run_detector;
//!
//! let bidi = oversight_malicious::detectors()
//!     .into_iter()
//!     .find(|d| d.name() == "bidi")
//!     .expect("the bidi detector");
//! let found = run_detector(bidi.as_ref(), "auth.c", "/*\u{202E} } \u{2066}if (isAdmin)\u{2069} \u{2066} */\n".as_bytes());
//! assert_eq!(found[0].rule.id, "malicious.bidi-control");
//! assert_eq!(found[0].line_col, Some((1, 3)));
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bidi;
pub mod changes;
pub mod executables;
pub mod homoglyph;
pub mod install_hooks;
pub mod invisible;
pub mod obfuscation;
mod text;

use oversight_detect::Detector;
use oversight_model::Rule;

pub use oversight_behaviour::{
    Behaviour, BehaviourRule, HookSite, InstallHooks, RuleError, RuleSet, SampleFailure,
};

/// Every detector of this crate, ready for the engine.
pub fn detectors() -> Vec<Box<dyn Detector>> {
    detectors_with(
        Behaviour::builtin()
            .expect("the built-in behaviour rules load (their tests check every file)"),
    )
}

/// Every detector of this crate, with `behaviour` as the behaviour
/// detector: [`Behaviour::with_user_dir`] adds a reviewer's rule directory
/// (`oversight scan --rules DIR`) to the built-in rules.
pub fn detectors_with(behaviour: Behaviour) -> Vec<Box<dyn Detector>> {
    vec![
        Box::new(bidi::Bidi),
        Box::new(invisible::Invisible),
        Box::new(homoglyph::Homoglyph),
        Box::new(executables::Executables),
        Box::new(install_hooks::InstallHooks),
        Box::new(obfuscation::Obfuscation),
        Box::new(behaviour),
    ]
}

/// Every rule the detectors of this crate can raise, in detector order.
pub fn rules() -> Vec<&'static Rule> {
    detectors()
        .iter()
        .flat_map(|d| d.rules().iter().copied())
        .collect()
}
