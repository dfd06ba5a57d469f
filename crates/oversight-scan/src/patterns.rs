//! All detectors' patterns compiled into a few multi-pattern automata.
//!
//! Patterns are split by the class of file they apply to (text or binary) and
//! by whether they are pure ASCII. The non-ASCII automaton of text files runs
//! only over windows that contain a non-ASCII byte, which SIMD finds at many
//! GB/s: most source code is ASCII, so bidi, invisible-character and homoglyph
//! patterns then cost nothing.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use oversight_detect::{Detector, Hit, Scope};
use oversight_model::FileClass;

/// Which detector and which of its patterns a compiled pattern stands for.
#[derive(Debug, Clone, Copy)]
struct Owner {
    detector: usize,
    local: usize,
}

/// One automaton and the owners of each of its patterns (a pattern declared by
/// several detectors is compiled once).
struct Automaton {
    ac: AhoCorasick,
    owners: Vec<Vec<Owner>>,
}

impl Automaton {
    fn build(patterns: Vec<(Vec<u8>, Owner)>) -> Result<Option<Self>, aho_corasick::BuildError> {
        if patterns.is_empty() {
            return Ok(None);
        }
        let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut unique: Vec<Vec<u8>> = Vec::new();
        let mut owners: Vec<Vec<Owner>> = Vec::new();
        for (bytes, owner) in patterns {
            let key = bytes.to_ascii_lowercase();
            let at = *index.entry(key).or_insert_with(|| {
                unique.push(bytes.clone());
                owners.push(Vec::new());
                unique.len() - 1
            });
            owners[at].push(owner);
        }
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&unique)?;
        Ok(Some(Automaton { ac, owners }))
    }

    /// Appends to `hits[detector]` every occurrence starting in `[from, to)`
    /// (file offsets) of `bytes`, which starts at file offset `offset`.
    fn search(&self, bytes: &[u8], offset: u64, from: u64, to: u64, hits: &mut [Vec<Hit>]) {
        for m in self.ac.find_overlapping_iter(bytes) {
            let start = offset + m.start() as u64;
            if start < from || start >= to {
                continue;
            }
            for owner in &self.owners[m.pattern().as_usize()] {
                hits[owner.detector].push(Hit {
                    pattern: owner.local,
                    start,
                    end: offset + m.end() as u64,
                });
            }
        }
    }
}

/// The compiled patterns of every detector.
pub(crate) struct PatternIndex {
    text_ascii: Option<Automaton>,
    text_unicode: Option<Automaton>,
    binary: Option<Automaton>,
}

impl PatternIndex {
    pub(crate) fn build(detectors: &[Box<dyn Detector>]) -> Result<Self, aho_corasick::BuildError> {
        let (mut text_ascii, mut text_unicode, mut binary) = (Vec::new(), Vec::new(), Vec::new());
        for (detector, d) in detectors.iter().enumerate() {
            for (local, p) in d.patterns().into_iter().enumerate() {
                if p.bytes.is_empty() {
                    continue;
                }
                let owner = Owner { detector, local };
                if p.scope.covers(FileClass::Text) {
                    if p.bytes.is_ascii() {
                        text_ascii.push((p.bytes.to_vec(), owner));
                    } else {
                        text_unicode.push((p.bytes.to_vec(), owner));
                    }
                }
                if matches!(p.scope, Scope::Binary | Scope::Any) {
                    binary.push((p.bytes.to_vec(), owner));
                }
            }
        }
        Ok(PatternIndex {
            text_ascii: Automaton::build(text_ascii)?,
            text_unicode: Automaton::build(text_unicode)?,
            binary: Automaton::build(binary)?,
        })
    }

    /// Finds all hits in a window, grouped by detector; each group sorted by start.
    pub(crate) fn search(
        &self,
        class: FileClass,
        bytes: &[u8],
        offset: u64,
        from: u64,
        to: u64,
        hits: &mut [Vec<Hit>],
    ) {
        match class {
            FileClass::Text => {
                if let Some(a) = &self.text_ascii {
                    a.search(bytes, offset, from, to, hits);
                }
                if let Some(a) = &self.text_unicode
                    && !bytes.is_ascii()
                {
                    a.search(bytes, offset, from, to, hits);
                }
            }
            FileClass::Binary => {
                if let Some(a) = &self.binary {
                    a.search(bytes, offset, from, to, hits);
                }
            }
        }
        for group in hits.iter_mut() {
            if group.len() > 1 {
                group.sort_by_key(|h| (h.start, h.pattern));
            }
        }
    }
}
