//! Bidirectional control characters in code (Trojan Source).
//!
//! # What it detects
//!
//! The Unicode bidirectional controls U+202A–U+202E (embeddings, overrides and
//! their terminator), U+2066–U+2069 (isolates and their terminator) and the
//! marks U+200E, U+200F and U+061C, in any text file that is not prose
//! (Markdown, plain text, translation catalogues). One finding per line names
//! every control on it; a line that opens an embedding, override or isolate
//! and does not close it before its end is called out as the strong signal.
//!
//! # Why it matters
//!
//! Editors and code review tools apply the Unicode bidirectional algorithm,
//! compilers do not. A right-to-left override inside a comment or string can
//! make `/* } if (isAdmin) { */` display as a harmless comment while the
//! compiler sees an `if` (CVE-2021-42574, "Trojan Source"). Legitimate code
//! almost never needs a raw control character: string literals use escapes
//! such as `\u202E`.
//!
//! # Example
//!
//! ```text
//! /*<U+202E> } <U+2066>if (isAdmin)<U+2069> <U+2066> begin admins only */
//! ```
//!
//! # How to resolve or accept
//!
//! Ask the supplier to replace the raw characters by escapes, or to remove
//! them. Accept only for right-to-left text in string literals whose
//! controls are all closed on the same line, after viewing the file with a
//! tool that shows control characters.
//!
//! # References
//!
//! CVE-2021-42574; CWE-451 (User Interface Misrepresentation of Critical
//! Information); Unicode Technical Standard #39 and Annex #9.

use oversight_detect::{Detector, Emit, FileInfo, Hit, Pattern, Scope, Sink, TextKind, Window};
use oversight_model::{Category, Rule, Severity};

use crate::text::{Capped, quote};

/// A bidirectional control character in code.
pub static BIDI_CONTROL: Rule = Rule {
    id: "malicious.bidi-control",
    category: Category::Malicious,
    default_severity: Severity::High,
    summary: "Bidirectional control character in code (Trojan Source)",
    help: "Bidirectional controls make code display in a different order than the compiler \
           reads it (CVE-2021-42574). Replace them by escape sequences or remove them; accept \
           only right-to-left text in string literals whose controls are closed on the same line.",
};

static RULES: [&Rule; 1] = [&BIDI_CONTROL];

/// How far from a hit the line is examined, on each side.
const LINE_REACH: usize = 4096;

/// The detector of [`BIDI_CONTROL`].
#[derive(Debug, Default, Clone, Copy)]
pub struct Bidi;

/// What a control does to the bidirectional state of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    /// Opens an embedding or override, closed by U+202C.
    OpensEmbedding,
    /// Opens an isolate, closed by U+2069.
    OpensIsolate,
    /// U+202C.
    ClosesEmbedding,
    /// U+2069.
    ClosesIsolate,
    /// A mark: affects neighbouring text only.
    Mark,
}

/// Every control this detector knows: code point, Unicode name, effect.
const CONTROLS: [(char, &str, Effect); 12] = [
    (
        '\u{202A}',
        "LEFT-TO-RIGHT EMBEDDING",
        Effect::OpensEmbedding,
    ),
    (
        '\u{202B}',
        "RIGHT-TO-LEFT EMBEDDING",
        Effect::OpensEmbedding,
    ),
    (
        '\u{202C}',
        "POP DIRECTIONAL FORMATTING",
        Effect::ClosesEmbedding,
    ),
    ('\u{202D}', "LEFT-TO-RIGHT OVERRIDE", Effect::OpensEmbedding),
    ('\u{202E}', "RIGHT-TO-LEFT OVERRIDE", Effect::OpensEmbedding),
    ('\u{2066}', "LEFT-TO-RIGHT ISOLATE", Effect::OpensIsolate),
    ('\u{2067}', "RIGHT-TO-LEFT ISOLATE", Effect::OpensIsolate),
    ('\u{2068}', "FIRST STRONG ISOLATE", Effect::OpensIsolate),
    ('\u{2069}', "POP DIRECTIONAL ISOLATE", Effect::ClosesIsolate),
    ('\u{200E}', "LEFT-TO-RIGHT MARK", Effect::Mark),
    ('\u{200F}', "RIGHT-TO-LEFT MARK", Effect::Mark),
    ('\u{061C}', "ARABIC LETTER MARK", Effect::Mark),
];

fn control(c: char) -> Option<(usize, &'static str, Effect)> {
    CONTROLS
        .iter()
        .position(|(k, _, _)| *k == c)
        .map(|i| (i, CONTROLS[i].1, CONTROLS[i].2))
}

impl Detector for Bidi {
    fn name(&self) -> &'static str {
        "bidi"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        &RULES
    }

    fn patterns(&self) -> Vec<Pattern> {
        CONTROLS
            .iter()
            .map(|(c, _, _)| Pattern::char(*c, Scope::Text))
            .collect()
    }

    fn on_hits(&self, file: &FileInfo<'_>, window: &Window<'_>, hits: &[Hit], sink: &mut dyn Sink) {
        if file.text_kind() == TextKind::Prose {
            return;
        }
        let mut sink = Capped::new(sink);
        let mut covered_until = 0u64;
        for hit in hits {
            if hit.start < covered_until {
                continue;
            }
            let (line_start, line) = window.line_around(hit.start, LINE_REACH);
            let line_end = line_start + line.len() as u64;
            // Only the part of the line not examined for an earlier hit counts.
            let from = (window.index(covered_until.max(line_start)) - window.index(line_start))
                .min(line.len());
            covered_until = line_end.max(hit.end);
            let Some(report) = examine_line(&line[from..]) else {
                continue;
            };
            if report.marks_only() && has_right_to_left_letters(line) {
                // Marks beside Hebrew or Arabic text are how that text is written.
                continue;
            }
            let first = line_start + (from + report.first_offset) as u64;
            let emit = Emit::at(
                &BIDI_CONTROL,
                window.line_col(first),
                report.message(),
                line.to_vec(),
            )
            .with_snippet(quote(line));
            sink.emit(emit);
        }
        sink.finish(&BIDI_CONTROL);
    }
}

/// What one line holds.
struct LineReport {
    /// Byte offset of the first control in the examined text.
    first_offset: usize,
    /// How often each entry of [`CONTROLS`] occurs.
    counts: [usize; CONTROLS.len()],
    /// Names of the controls still open at the end of the line, in order.
    unterminated: Vec<&'static str>,
}

impl LineReport {
    /// Whether the line holds directional marks and no other control.
    fn marks_only(&self) -> bool {
        CONTROLS
            .iter()
            .zip(self.counts)
            .all(|((_, _, effect), n)| n == 0 || *effect == Effect::Mark)
    }

    fn message(&self) -> String {
        let listed: Vec<String> = CONTROLS
            .iter()
            .zip(self.counts)
            .filter(|(_, n)| *n > 0)
            .map(|((c, name, _), n)| {
                let times = if n > 1 {
                    format!(" ×{n}")
                } else {
                    String::new()
                };
                format!("{name} (U+{:04X}){times}", *c as u32)
            })
            .collect();
        let mut message = format!(
            "Bidirectional control characters in code: {}",
            listed.join(", ")
        );
        if !self.unterminated.is_empty() {
            message.push_str(&format!(
                "; {} not closed before the end of the line ({}), so the rest of the line \
                 displays reordered: a Trojan Source attack",
                self.unterminated.len(),
                self.unterminated.join(", ")
            ));
        } else if self.marks_only() {
            message.push_str(
                "; directional marks only, which reorder neighbouring text but open no override",
            );
        }
        message
    }
}

/// Whether `line` holds Hebrew, Arabic, Syriac, Thaana or N'Ko letters.
fn has_right_to_left_letters(line: &[u8]) -> bool {
    String::from_utf8_lossy(line)
        .chars()
        .any(|c| matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFC))
}

/// Finds the controls in `line` and replays their effect on the directional
/// state, as UAX #9 does: a pop of an isolate also closes the embeddings
/// opened inside it, a pop of an embedding does not cross an isolate.
fn examine_line(line: &[u8]) -> Option<LineReport> {
    let mut counts = [0usize; CONTROLS.len()];
    let mut first_offset = None;
    let mut open: Vec<(Effect, &'static str)> = Vec::new();
    let mut at = 0;
    while let Some(found) = memchr::memchr2(0xE2, 0xD8, &line[at..]) {
        let start = at + found;
        at = start + 1;
        let Some((c, len)) = crate::text::char_at(line, start) else {
            break;
        };
        let Some((index, name, effect)) = control(c) else {
            continue;
        };
        at = start + len;
        counts[index] += 1;
        first_offset.get_or_insert(start);
        match effect {
            Effect::OpensEmbedding | Effect::OpensIsolate => open.push((effect, name)),
            Effect::ClosesEmbedding => {
                if open
                    .last()
                    .is_some_and(|(e, _)| *e == Effect::OpensEmbedding)
                {
                    open.pop();
                }
            }
            Effect::ClosesIsolate => {
                if let Some(isolate) = open.iter().rposition(|(e, _)| *e == Effect::OpensIsolate) {
                    open.truncate(isolate);
                }
            }
            Effect::Mark => {}
        }
    }
    Some(LineReport {
        first_offset: first_offset?,
        counts,
        unterminated: open.into_iter().map(|(_, name)| name).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The controls this detector flags are the ones the report escapes.
    #[test]
    fn the_controls_are_the_shared_set() {
        for (c, _, _) in CONTROLS {
            assert!(
                oversight_model::unicode::is_bidi_control(c),
                "{:04X}",
                u32::from(c)
            );
        }
        let shared = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|c| oversight_model::unicode::is_bidi_control(*c))
            .count();
        assert_eq!(shared, CONTROLS.len());
    }
    use oversight_detect::reference::run_detector;

    #[test]
    fn closed_isolates_are_not_unterminated() {
        let line = "x = \"\u{2067}abc\u{2069}\";".as_bytes();
        let report = examine_line(line).expect("one control");
        assert!(report.unterminated.is_empty());
        assert_eq!(report.first_offset, 5);
    }

    #[test]
    fn an_isolate_pop_closes_embeddings_inside_it() {
        let report = examine_line("\u{2066}\u{202E}x\u{2069}".as_bytes()).expect("controls");
        assert!(report.unterminated.is_empty());
        let report = examine_line("\u{2066}\u{202C}\u{202E}".as_bytes()).expect("controls");
        assert_eq!(
            report.unterminated,
            ["LEFT-TO-RIGHT ISOLATE", "RIGHT-TO-LEFT OVERRIDE"]
        );
    }

    #[test]
    fn one_finding_per_line() {
        let text = "a\u{202E}b\u{202E}c\u{202C}\nplain\n\u{200F}\n";
        let found = run_detector(&Bidi, "x.c", text.as_bytes());
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[0].line_col, Some((1, 2)));
        assert!(
            found[0]
                .message
                .contains("RIGHT-TO-LEFT OVERRIDE (U+202E) ×2")
        );
        assert!(
            found[0].message.contains("1 not closed"),
            "{}",
            found[0].message
        );
        assert_eq!(found[1].line_col, Some((3, 1)));
        assert!(found[1].message.contains("marks only"));
    }

    #[test]
    fn positions_continue_from_the_window_start() {
        // A later window of a large file: it starts at offset 100, on line 5,
        // with 3 characters of that line before it.
        let bytes = "ab\u{202E}c\nx\u{2066}\n".as_bytes();
        let window = Window::new(bytes, 100, 5, 3, false);
        let path = oversight_model::DeliveryPath::root("big.js");
        let file = FileInfo {
            path: &path,
            class: oversight_model::FileClass::Text,
            size: None,
        };
        let hits = [
            Hit {
                pattern: 4,
                start: 102,
                end: 105,
            },
            Hit {
                pattern: 5,
                start: 108,
                end: 111,
            },
        ];
        let mut found: Vec<Emit> = Vec::new();
        Bidi.on_hits(&file, &window, &hits, &mut found);
        let positions: Vec<_> = found.iter().map(|e| e.line_col).collect();
        assert_eq!(positions, [Some((5, 6)), Some((6, 2))]);
    }

    #[test]
    fn marks_in_right_to_left_text_are_not_reported() {
        let text = "s = \"\u{05E9}\u{05DC}\u{05D5}\u{05DD}\u{200F} \u{200E}abc\";\n";
        assert!(run_detector(&Bidi, "x.js", text.as_bytes()).is_empty());
        let text = "s = \"\u{05E9}\u{202E}abc\";\n";
        assert_eq!(run_detector(&Bidi, "x.js", text.as_bytes()).len(), 1);
    }

    #[test]
    fn floods_are_summarised() {
        let text = "\u{202E}x\n".repeat(1000);
        let found = run_detector(&Bidi, "x.c", text.as_bytes());
        assert_eq!(found.len(), crate::text::MAX_FINDINGS_PER_WINDOW + 1);
        assert!(
            found
                .last()
                .expect("summary")
                .message
                .starts_with("800 further")
        );
    }
}
