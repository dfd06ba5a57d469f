//! Integration tests of `oversight-threats` on the real public models in
//! the corpora (`threat-models/`): every sample of the three formats is
//! imported, exported to both formats and imported again, and broken
//! variants of them are refused with the file and the reason.

mod bad_input;
mod round_trip;

use std::path::PathBuf;

use oversight_threats::{Imported, import};

pub(crate) const TD_V2: &[&str] = &[
    "OWASP__threat-dragon/td.vue/src/service/demo/v2-threat-model.json",
    "OWASP__threat-dragon/td.vue/src/service/demo/v2-new-model.json",
    "OWASP__threat-dragon/td.vue/src/service/demo/generic-cms.json",
    "OWASP__threat-dragon/td.vue/src/service/demo/three-tier-web-app.json",
    "OWASP__threat-dragon/td.vue/src/service/demo/payment-online.json",
];
pub(crate) const OTM: &[&str] = &[
    "iriusrisk__OpenThreatModel/EXAMPLE.json",
    "iriusrisk__OpenThreatModel/EXAMPLE.yaml",
];
pub(crate) const THREAGILE: &[&str] = &[
    "Threagile__threagile/demo/example/threagile.yaml",
    "Threagile__threagile/demo/stub/threagile.yaml",
];

pub(crate) fn path(rel: &str) -> PathBuf {
    oversight_test_support::corpus(&format!("threat-models/{rel}"))
}

pub(crate) fn read(rel: &str) -> Vec<u8> {
    std::fs::read(path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

pub(crate) fn load(rel: &str) -> Imported {
    import(&read(rel), rel).unwrap_or_else(|e| panic!("{e}"))
}
