//! The contract between the scan engine and every detector.
//!
//! A delivery is read once. To make that possible with many detectors, a
//! detector does not read files: it *declares* what it is interested in and the
//! engine hands it exactly that.
//!
//! * [`Detector::patterns`]: byte strings that can start a finding (a bidi
//!   control character, `postinstall`, `eval`). The engine compiles the patterns
//!   of all detectors into one multi-pattern automaton and runs it once over each
//!   file, window by window; [`Detector::on_hits`] runs only where a pattern
//!   occurred, with a [`Window`] of surrounding bytes.
//! * [`Detector::check_head`]: the first bytes of every file, for magic numbers.
//! * [`Detector::whole_file_limit`]: a detector that must parse a file (a
//!   `package.json`, a `setup.py`) asks for its whole content, up to a bound.
//!   The engine reads it once and shares the buffer; a file over the bound
//!   becomes a `coverage` finding instead of being skipped silently.
//!
//! Detectors raise findings through a [`Sink`]; they never see storage,
//! policy or output formats. This crate holds the trait and no detector, as
//! `grep-matcher` holds `Matcher` and no regex engine.
//!
//! ```
//! use oversight_detect::{Detector, Emit, FileInfo, Hit, Pattern, Scope, Sink, Window};
//! use oversight_model::{Category, Rule, Severity};
//!
//! static TODO: Rule = Rule {
//!     id: "integrity.example-todo",
//!     category: Category::Integrity,
//!     default_severity: Severity::Info,
//!     summary: "A TODO marker",
//!     help: "Example only.",
//! };
//!
//! static RULES: [&Rule; 1] = [&TODO];
//!
//! struct Todo;
//! impl Detector for Todo {
//!     fn name(&self) -> &'static str { "todo" }
//!     fn rules(&self) -> &'static [&'static Rule] { &RULES }
//!     fn patterns(&self) -> Vec<Pattern> { vec![Pattern::new("TODO", Scope::Text)] }
//!     fn on_hits(&self, _file: &FileInfo<'_>, window: &Window<'_>, hits: &[Hit], sink: &mut dyn Sink) {
//!         for hit in hits {
//!             sink.emit(Emit::at(&TODO, window.line_col(hit.start), "TODO found", b"TODO".to_vec()));
//!         }
//!     }
//! }
//! # let _ = Todo;
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod file;
pub mod reference;
mod window;

pub use file::{FileInfo, TextKind};
pub use window::Window;

use oversight_model::{Evidence, LicenceMatch, Rule};
use std::borrow::Cow;

/// Which files a pattern is searched in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Only files classified as text.
    Text,
    /// Only files classified as binary.
    Binary,
    /// Every file.
    Any,
}

impl Scope {
    /// Whether a pattern of this scope is searched in a file of `class`.
    pub fn covers(self, class: oversight_model::FileClass) -> bool {
        use oversight_model::FileClass;
        matches!(
            (self, class),
            (Scope::Any, _) | (Scope::Text, FileClass::Text) | (Scope::Binary, FileClass::Binary)
        )
    }
}

/// A byte string that can start a finding.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pattern {
    /// The bytes to find. Matching of ASCII letters is case-insensitive: a
    /// detector that cares about case checks the window itself.
    pub bytes: Cow<'static, [u8]>,
    /// Which files to search.
    pub scope: Scope,
}

impl Pattern {
    /// A pattern from a string or byte literal.
    pub fn new(bytes: impl AsRef<[u8]>, scope: Scope) -> Self {
        Pattern {
            bytes: Cow::Owned(bytes.as_ref().to_vec()),
            scope,
        }
    }

    /// The UTF-8 encoding of one character.
    pub fn char(c: char, scope: Scope) -> Self {
        let mut buf = [0u8; 4];
        Pattern::new(c.encode_utf8(&mut buf).as_bytes(), scope)
    }
}

/// One occurrence of a detector's pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Index into the detector's own [`Detector::patterns`] list.
    pub pattern: usize,
    /// Offset of the first byte in the file.
    pub start: u64,
    /// Offset one past the last byte in the file.
    pub end: u64,
}

/// A finding as a detector raises it; the engine adds the path, the severity
/// and the fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emit {
    /// The rule, one of the detector's [`Detector::rules`].
    pub rule: &'static Rule,
    /// 1-based line and column, when the finding is about a place in text.
    pub line_col: Option<(u32, u32)>,
    /// A sentence naming what was found.
    pub message: String,
    /// An excerpt, already redacted where needed.
    pub evidence: Option<Evidence>,
    /// The offending content the fingerprint binds to (not the line number,
    /// so that edits elsewhere in the file keep the fingerprint).
    pub key: Vec<u8>,
    /// For licence findings: the licence as data.
    pub licence: Option<LicenceMatch>,
}

impl Emit {
    /// A finding about a place in a text file.
    pub fn at(
        rule: &'static Rule,
        line_col: (u32, u32),
        message: impl Into<String>,
        key: Vec<u8>,
    ) -> Self {
        Emit {
            rule,
            line_col: Some(line_col),
            message: message.into(),
            evidence: None,
            key,
            licence: None,
        }
    }

    /// A finding about a whole file.
    pub fn file(rule: &'static Rule, message: impl Into<String>, key: Vec<u8>) -> Self {
        Emit {
            rule,
            line_col: None,
            message: message.into(),
            evidence: None,
            key,
            licence: None,
        }
    }

    /// Adds the licence a licence finding found, as data.
    pub fn with_licence(mut self, licence: LicenceMatch) -> Self {
        self.licence = Some(licence);
        self
    }

    /// Adds an excerpt that is safe to show in full.
    pub fn with_snippet(mut self, snippet: impl Into<String>) -> Self {
        self.evidence = Some(Evidence {
            snippet: snippet.into(),
            redacted: false,
        });
        self
    }
}

/// Where detectors put what they find.
pub trait Sink {
    /// Records one finding.
    fn emit(&mut self, emit: Emit);

    /// Records a third-party component the file declares (a lockfile entry,
    /// vendored package metadata). Sinks that only want findings ignore it.
    fn component(&mut self, component: oversight_model::Component) {
        let _ = component;
    }
}

impl Sink for Vec<Emit> {
    fn emit(&mut self, emit: Emit) {
        self.push(emit);
    }
}

/// A family of checks that plugs into the single pass over a delivery.
///
/// Implementations are immutable and shared by all worker threads; per-file
/// state lives on the stack of the callbacks. Every callback must tolerate
/// arbitrary bytes (invalid UTF-8, NUL bytes, a 500 MB line) without panicking
/// and in time linear in what it is given.
pub trait Detector: Send + Sync {
    /// A short, stable name (`bidi`, `executables`).
    fn name(&self) -> &'static str;

    /// Every rule this detector can raise, for documentation and SARIF.
    fn rules(&self) -> &'static [&'static Rule];

    /// Byte strings that can start a finding. Called once when the engine is built.
    fn patterns(&self) -> Vec<Pattern> {
        Vec::new()
    }

    /// Called for the windows of a file in which at least one of this
    /// detector's patterns occurred. `hits` are sorted by `start` and all start
    /// inside the window; each is reported once even where windows overlap.
    fn on_hits(&self, file: &FileInfo<'_>, window: &Window<'_>, hits: &[Hit], sink: &mut dyn Sink) {
        let _ = (file, window, hits, sink);
    }

    /// Called once per file with its first bytes (up to [`HEAD_LEN`]).
    fn check_head(&self, file: &FileInfo<'_>, head: &[u8], sink: &mut dyn Sink) {
        let _ = (file, head, sink);
    }

    /// The largest file this detector needs to see whole, or `None` when it
    /// does not want `file` whole. Decided from the path and class alone.
    fn whole_file_limit(&self, file: &FileInfo<'_>) -> Option<u64> {
        let _ = file;
        None
    }

    /// Called with the complete content of a file for which
    /// [`Detector::whole_file_limit`] returned a bound the file fits in.
    fn check_whole(&self, file: &FileInfo<'_>, content: &[u8], sink: &mut dyn Sink) {
        let _ = (file, content, sink);
    }
}

/// How many leading bytes [`Detector::check_head`] receives at most.
pub const HEAD_LEN: usize = 64 * 1024;

/// Makes invisible and control characters visible and bounds the length, so
/// that an excerpt can be printed on any terminal without being an attack
/// itself.
pub fn visible_snippet(bytes: &[u8], max_chars: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for (n, c) in text.chars().enumerate() {
        if n >= max_chars {
            out.push('…');
            break;
        }
        match c {
            '\t' => out.push(' '),
            c if c.is_control() || is_format_char(c) => {
                out.push_str(&format!("<U+{:04X}>", c as u32));
            }
            c => out.push(c),
        }
    }
    out.trim().to_owned()
}

/// Characters of Unicode category Cf and similar that render as nothing.
fn is_format_char(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x061C | 0x115F | 0x1160 | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E
        | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F | 0xFEFF | 0xFFA0 | 0xE0000..=0xE007F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_show_invisible_characters() {
        let s = visible_snippet("a\u{202E}b\u{200B}c\x1b[31m".as_bytes(), 100);
        assert_eq!(s, "a<U+202E>b<U+200B>c<U+001B>[31m");
        assert_eq!(visible_snippet(b"abcdef", 3), "abc…");
        assert_eq!(visible_snippet(b"\xff\xfe", 10), "\u{FFFD}\u{FFFD}");
    }
}
