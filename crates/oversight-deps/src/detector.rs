//! The scan-engine side: ask for recognised files whole, parse them, hand
//! components and problems to the sink.

use oversight_detect::{Detector, Emit, FileInfo, Sink};
use oversight_model::Rule;

use crate::{format_of, parse_as, rules};

/// The largest lockfile read whole. Real lockfiles of large monorepos reach
/// a few tens of MiB; a larger file becomes the engine's coverage finding.
pub const WHOLE_FILE_LIMIT: u64 = 64 * 1024 * 1024;

/// The most components inventoried from one file; more is a coverage
/// finding (the largest real lockfiles list a few thousand).
pub const MAX_COMPONENTS_PER_FILE: usize = 100_000;

/// The component inventory detector: recognises lockfiles, manifests and
/// vendored package metadata by name, records their components and raises
/// coverage findings for what it could not read.
#[derive(Debug, Clone, Copy, Default)]
pub struct DependencyDetector;

impl DependencyDetector {
    /// The detector; it holds no configuration.
    pub fn new() -> Self {
        DependencyDetector
    }
}

impl Detector for DependencyDetector {
    fn name(&self) -> &'static str {
        "dependencies"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        &rules::ALL
    }

    fn whole_file_limit(&self, file: &FileInfo<'_>) -> Option<u64> {
        format_of(file.path).map(|_| WHOLE_FILE_LIMIT)
    }

    fn check_whole(&self, file: &FileInfo<'_>, content: &[u8], sink: &mut dyn Sink) {
        let Some(format) = format_of(file.path) else {
            return;
        };
        let parsed = parse_as(format, file.path, content);
        let listed = parsed.components.len();
        for component in parsed.components.into_iter().take(MAX_COMPONENTS_PER_FILE) {
            sink.component(component);
        }
        if listed > MAX_COMPONENTS_PER_FILE {
            sink.emit(Emit::file(
                &rules::TOO_MANY_COMPONENTS,
                format!(
                    "`{}` lists {listed} components; only the first {MAX_COMPONENTS_PER_FILE} were inventoried and checked",
                    file.path
                ),
                b"too-many-components".to_vec(),
            ));
        }
        for problem in parsed.problems {
            let message = problem.to_string();
            let key = problem.key().into_bytes();
            let emit = match problem.line() {
                Some(line) => Emit::at(problem.rule(), (line, 1), message, key),
                None => Emit::file(problem.rule(), message, key),
            };
            sink.emit(emit);
        }
    }
}
