//! The detectors every scan runs.

use oversight_detect::Detector;

/// Every detector, in a fixed order.
pub(crate) fn all() -> Vec<Box<dyn Detector>> {
    let mut detectors = oversight_malicious::detectors();
    detectors.extend(oversight_integrity::detectors());
    detectors
}
