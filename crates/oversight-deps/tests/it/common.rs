//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use oversight_deps::DependencyDetector;
use oversight_detect::{Detector, Emit, FileInfo, Sink, reference};
use oversight_model::{Component, DeliveryPath};

/// The shared corpora, relative to this crate.
pub fn corpora() -> PathBuf {
    oversight_test_support::corpora()
}

pub fn real(rel: &str) -> PathBuf {
    corpora().join("real-lockfiles").join(rel)
}

/// A sink that keeps both findings and components.
#[derive(Default)]
pub struct Collect {
    pub emits: Vec<Emit>,
    pub components: Vec<Component>,
}

impl Sink for Collect {
    fn emit(&mut self, emit: Emit) {
        self.emits.push(emit);
    }
    fn component(&mut self, component: Component) {
        self.components.push(component);
    }
}

/// Runs the detector through its `Detector` interface as the engine does:
/// asks whether it wants the file whole, then hands it over.
pub fn run(path: &str, content: &[u8]) -> Option<Collect> {
    let detector = DependencyDetector::new();
    let delivery_path = DeliveryPath::root(path);
    let file = FileInfo {
        path: &delivery_path,
        class: reference::classify(content),
        size: Some(content.len() as u64),
    };
    let limit = detector.whole_file_limit(&file)?;
    assert!(content.len() as u64 <= limit);
    let mut sink = Collect::default();
    detector.check_whole(&file, content, &mut sink);
    Some(sink)
}

/// Runs the detector on a real corpus file, naming it by its path under
/// the corpus (so that the file name is the lockfile's own).
pub fn run_real(rel: &str) -> Collect {
    let content = std::fs::read(real(rel)).expect("corpus file");
    run(rel, &content).expect("recognised")
}

pub fn find<'a>(components: &'a [Component], name: &str) -> &'a Component {
    components
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no component {name}"))
}

pub fn find_version<'a>(components: &'a [Component], name: &str, version: &str) -> &'a Component {
    components
        .iter()
        .find(|c| c.name == name && c.version == version)
        .unwrap_or_else(|| panic!("no component {name}@{version}"))
}
