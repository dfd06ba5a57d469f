//! A slow, obviously correct runner of one detector over one in-memory file.
//!
//! Detector tests use it so that they do not depend on the engine, and the
//! engine's tests compare against it: whatever the engine's automata, windows
//! and parallelism do, the findings must be the same as here.

use oversight_model::{DeliveryPath, FileClass};

use crate::{Detector, Emit, FileInfo, HEAD_LEN, Hit, Window};

/// Classifies content the way the engine does: binary when a NUL byte occurs
/// in the first 8 KiB.
pub fn classify(content: &[u8]) -> FileClass {
    let head = &content[..content.len().min(8192)];
    if memchr::memchr(0, head).is_some() {
        FileClass::Binary
    } else {
        FileClass::Text
    }
}

/// Runs every callback of `detector` over `content` as if it were the file
/// `path`, searching patterns naively (ASCII case-insensitively), and returns
/// what it emitted.
pub fn run_detector(detector: &dyn Detector, path: &str, content: &[u8]) -> Vec<Emit> {
    let path = DeliveryPath::root(path);
    let file = FileInfo {
        path: &path,
        class: classify(content),
        size: Some(content.len() as u64),
    };
    let mut out = Vec::new();
    detector.check_head(&file, &content[..content.len().min(HEAD_LEN)], &mut out);
    if let Some(limit) = detector.whole_file_limit(&file)
        && content.len() as u64 <= limit
    {
        detector.check_whole(&file, content, &mut out);
    }
    let lowered = content.to_ascii_lowercase();
    let mut hits = Vec::new();
    for (index, pattern) in detector.patterns().iter().enumerate() {
        if !pattern.scope.covers(file.class) || pattern.bytes.is_empty() {
            continue;
        }
        let needle = pattern.bytes.to_ascii_lowercase();
        for start in memchr::memmem::find_iter(&lowered, &needle) {
            hits.push(Hit {
                pattern: index,
                start: start as u64,
                end: (start + needle.len()) as u64,
            });
        }
    }
    hits.sort_by_key(|h| (h.start, h.pattern));
    if !hits.is_empty() {
        detector.on_hits(&file, &Window::whole(content), &hits, &mut out);
    }
    out
}
