//! Identifiers that mix Latin letters with Cyrillic or Greek look-alikes.
//!
//! # What it detects
//!
//! An identifier (a run of Unicode identifier characters, `$` included) in a
//! file that is not prose, one of whose `_`-separated parts contains Latin
//! letters together with Cyrillic or Greek letters, where every non-Latin
//! letter of that part looks like a Latin one (`а`, `е`, `о`, `Н`, `ο`…). The
//! search starts from the look-alike letters only, so text without them costs
//! nothing.
//!
//! A part such as `getДанные`, whose Cyrillic is visibly Cyrillic, is not
//! reported, nor are words written wholly in Cyrillic or Greek, nor Greek
//! letters standing alone in a part of their own (`x_α`).
//!
//! # Why it matters
//!
//! `sayHello` and `sayНello` (with a Cyrillic capital En) are different
//! identifiers that look identical: a reviewer who reads a call of the
//! harmless one may be reading a call of the malicious one (CVE-2021-42694,
//! the homoglyph variant of Trojan Source). The same trick names malicious
//! packages and functions after legitimate ones.
//!
//! # Example
//!
//! ```text
//! void sayНello() { system("…"); }   // U+041D, not Latin H
//! ```
//!
//! # How to resolve or accept
//!
//! Rename the identifier with Latin letters only. Accept only where the
//! identifier is deliberately bilingual and the non-Latin letters carry
//! meaning, which the supplier should explain.
//!
//! # References
//!
//! CVE-2021-42694; CWE-1007 (Insufficient Visual Distinction of Homoglyphs
//! Presented to User); Unicode Technical Standard #39 (mixed-script
//! confusables).

use oversight_detect::{Detector, Emit, FileInfo, Hit, Pattern, Scope, Sink, TextKind, Window};
use oversight_model::{Category, Rule, Severity};

use crate::text::{Capped, char_at, char_before, quote};

/// An identifier that mixes Latin with confusable Cyrillic or Greek letters.
pub static MIXED_SCRIPT_IDENTIFIER: Rule = Rule {
    id: "malicious.mixed-script-identifier",
    category: Category::Malicious,
    default_severity: Severity::High,
    summary: "Identifier mixing Latin with look-alike Cyrillic or Greek letters",
    help: "A Cyrillic or Greek letter that looks Latin makes a different identifier look like a \
           familiar one (CVE-2021-42694). Rename it with Latin letters only; accept only \
           deliberately bilingual identifiers.",
};

static RULES: [&Rule; 1] = [&MIXED_SCRIPT_IDENTIFIER];

/// How far from a hit an identifier is followed, on each side, in bytes.
const IDENT_REACH: usize = 256;

/// How far from a hit the quoted line reaches, on each side.
const LINE_REACH: usize = 512;

/// The detector of [`MIXED_SCRIPT_IDENTIFIER`].
#[derive(Debug, Default, Clone, Copy)]
pub struct Homoglyph;

/// Cyrillic and Greek letters that look like a Latin letter in common fonts:
/// the character, its Unicode name and the Latin letter it imitates.
const CONFUSABLES: [(char, &str, char); 58] = [
    ('\u{0430}', "CYRILLIC SMALL LETTER A", 'a'),
    ('\u{0435}', "CYRILLIC SMALL LETTER IE", 'e'),
    ('\u{043E}', "CYRILLIC SMALL LETTER O", 'o'),
    ('\u{0440}', "CYRILLIC SMALL LETTER ER", 'p'),
    ('\u{0441}', "CYRILLIC SMALL LETTER ES", 'c'),
    ('\u{0443}', "CYRILLIC SMALL LETTER U", 'y'),
    ('\u{0445}', "CYRILLIC SMALL LETTER HA", 'x'),
    (
        '\u{0456}',
        "CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I",
        'i',
    ),
    ('\u{0458}', "CYRILLIC SMALL LETTER JE", 'j'),
    ('\u{0455}', "CYRILLIC SMALL LETTER DZE", 's'),
    ('\u{0501}', "CYRILLIC SMALL LETTER KOMI DE", 'd'),
    ('\u{04BB}', "CYRILLIC SMALL LETTER SHHA", 'h'),
    ('\u{051B}', "CYRILLIC SMALL LETTER QA", 'q'),
    ('\u{051D}', "CYRILLIC SMALL LETTER WE", 'w'),
    ('\u{04CF}', "CYRILLIC SMALL LETTER PALOCHKA", 'l'),
    ('\u{0475}', "CYRILLIC SMALL LETTER IZHITSA", 'v'),
    ('\u{04AF}', "CYRILLIC SMALL LETTER STRAIGHT U", 'y'),
    ('\u{0410}', "CYRILLIC CAPITAL LETTER A", 'A'),
    ('\u{0412}', "CYRILLIC CAPITAL LETTER VE", 'B'),
    ('\u{0415}', "CYRILLIC CAPITAL LETTER IE", 'E'),
    ('\u{041A}', "CYRILLIC CAPITAL LETTER KA", 'K'),
    ('\u{041C}', "CYRILLIC CAPITAL LETTER EM", 'M'),
    ('\u{041D}', "CYRILLIC CAPITAL LETTER EN", 'H'),
    ('\u{041E}', "CYRILLIC CAPITAL LETTER O", 'O'),
    ('\u{0420}', "CYRILLIC CAPITAL LETTER ER", 'P'),
    ('\u{0421}', "CYRILLIC CAPITAL LETTER ES", 'C'),
    ('\u{0422}', "CYRILLIC CAPITAL LETTER TE", 'T'),
    ('\u{0425}', "CYRILLIC CAPITAL LETTER HA", 'X'),
    (
        '\u{0406}',
        "CYRILLIC CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I",
        'I',
    ),
    ('\u{0408}', "CYRILLIC CAPITAL LETTER JE", 'J'),
    ('\u{0405}', "CYRILLIC CAPITAL LETTER DZE", 'S'),
    ('\u{04AE}', "CYRILLIC CAPITAL LETTER STRAIGHT U", 'Y'),
    ('\u{051A}', "CYRILLIC CAPITAL LETTER QA", 'Q'),
    ('\u{051C}', "CYRILLIC CAPITAL LETTER WE", 'W'),
    ('\u{04C0}', "CYRILLIC LETTER PALOCHKA", 'I'),
    ('\u{0474}', "CYRILLIC CAPITAL LETTER IZHITSA", 'V'),
    ('\u{03BF}', "GREEK SMALL LETTER OMICRON", 'o'),
    ('\u{03B1}', "GREEK SMALL LETTER ALPHA", 'a'),
    ('\u{03BD}', "GREEK SMALL LETTER NU", 'v'),
    ('\u{03C1}', "GREEK SMALL LETTER RHO", 'p'),
    ('\u{03B9}', "GREEK SMALL LETTER IOTA", 'i'),
    ('\u{03BA}', "GREEK SMALL LETTER KAPPA", 'k'),
    ('\u{03C5}', "GREEK SMALL LETTER UPSILON", 'u'),
    ('\u{0391}', "GREEK CAPITAL LETTER ALPHA", 'A'),
    ('\u{0392}', "GREEK CAPITAL LETTER BETA", 'B'),
    ('\u{0395}', "GREEK CAPITAL LETTER EPSILON", 'E'),
    ('\u{0396}', "GREEK CAPITAL LETTER ZETA", 'Z'),
    ('\u{0397}', "GREEK CAPITAL LETTER ETA", 'H'),
    ('\u{0399}', "GREEK CAPITAL LETTER IOTA", 'I'),
    ('\u{039A}', "GREEK CAPITAL LETTER KAPPA", 'K'),
    ('\u{039C}', "GREEK CAPITAL LETTER MU", 'M'),
    ('\u{039D}', "GREEK CAPITAL LETTER NU", 'N'),
    ('\u{039F}', "GREEK CAPITAL LETTER OMICRON", 'O'),
    ('\u{03A1}', "GREEK CAPITAL LETTER RHO", 'P'),
    ('\u{03A4}', "GREEK CAPITAL LETTER TAU", 'T'),
    ('\u{03A5}', "GREEK CAPITAL LETTER UPSILON", 'Y'),
    ('\u{03A7}', "GREEK CAPITAL LETTER CHI", 'X'),
    ('\u{0417}', "CYRILLIC CAPITAL LETTER ZE", '3'),
];

/// The script of a letter, as far as this detector cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Cyrillic,
    Greek,
    Other,
}

fn script(c: char) -> Script {
    match c as u32 {
        0x41..=0x5A | 0x61..=0x7A | 0xC0..=0x24F | 0x1E00..=0x1EFF => Script::Latin,
        0x400..=0x52F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => Script::Cyrillic,
        0x370..=0x3FF | 0x1F00..=0x1FFF => Script::Greek,
        _ => Script::Other,
    }
}

fn confusable(c: char) -> Option<(&'static str, char)> {
    CONFUSABLES
        .iter()
        .find(|(k, _, _)| *k == c)
        .map(|(_, name, latin)| (*name, *latin))
}

fn is_ident_char(c: char) -> bool {
    c == '$' || unicode_ident::is_xid_continue(c)
}

impl Detector for Homoglyph {
    fn name(&self) -> &'static str {
        "homoglyph"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        &RULES
    }

    fn patterns(&self) -> Vec<Pattern> {
        CONFUSABLES
            .iter()
            .filter(|(_, _, latin)| latin.is_ascii_alphabetic())
            .map(|(c, _, _)| Pattern::char(*c, Scope::Text))
            .collect()
    }

    fn on_hits(&self, file: &FileInfo<'_>, window: &Window<'_>, hits: &[Hit], sink: &mut dyn Sink) {
        if file.text_kind() == TextKind::Prose {
            return;
        }
        let bytes = window.bytes();
        let mut sink = Capped::new(sink);
        let mut covered_until = 0u64;
        for hit in hits {
            if hit.start < covered_until {
                continue;
            }
            let at = window.index(hit.start);
            let (start, end) = identifier_around(bytes, at);
            covered_until = (window.offset() + end as u64).max(hit.end);
            let identifier = &bytes[start..end];
            let Some(lookalikes) = deceptive_letters(identifier) else {
                continue;
            };
            let ident_offset = window.offset() + start as u64;
            let (_, line) = window.line_around(ident_offset, LINE_REACH);
            let scripts = if lookalikes.iter().any(|l| l.contains("CYRILLIC")) {
                "Cyrillic"
            } else {
                "Greek"
            };
            let message = format!(
                "Identifier `{}` mixes Latin with {scripts}: {}",
                quote(identifier),
                lookalikes.join(", ")
            );
            let emit = Emit::at(
                &MIXED_SCRIPT_IDENTIFIER,
                window.line_col(ident_offset),
                message,
                line.to_vec(),
            )
            .with_snippet(quote(line));
            sink.emit(emit);
        }
        sink.finish(&MIXED_SCRIPT_IDENTIFIER);
    }
}

/// The bounds of the identifier around byte `at`.
fn identifier_around(bytes: &[u8], at: usize) -> (usize, usize) {
    let mut start = at;
    while at - start < IDENT_REACH {
        match char_before(bytes, start) {
            Some((c, before)) if is_ident_char(c) => start = before,
            _ => break,
        }
    }
    let mut end = at;
    while end - at < IDENT_REACH {
        match char_at(bytes, end) {
            Some((c, len)) if is_ident_char(c) => end += len,
            _ => break,
        }
    }
    // `\u0345ι` is an escape sequence followed by a letter, not an identifier
    // `u0345ι`: skip the escape.
    if start > 0 && bytes[start - 1] == b'\\' && start < at {
        let hex_digits = match bytes[start] {
            b'u' => 4,
            b'U' => 8,
            b'x' => 2,
            _ => 0,
        };
        let skipped = 1 + bytes[start + 1..at]
            .iter()
            .take(hex_digits)
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        start = (start + skipped).min(at);
    }
    (start, end.max((at + 1).min(bytes.len())))
}

/// Describes the look-alike letters of `identifier` when one of its
/// `_`-separated parts mixes Latin letters with Cyrillic or Greek letters that
/// all imitate Latin ones.
fn deceptive_letters(identifier: &[u8]) -> Option<Vec<String>> {
    let text = String::from_utf8_lossy(identifier);
    let mut found: Vec<String> = Vec::new();
    for part in text.split('_') {
        let mut latin = false;
        let mut foreign = false;
        let mut all_lookalikes = true;
        for c in part.chars() {
            match script(c) {
                Script::Latin => latin = true,
                Script::Cyrillic | Script::Greek => {
                    foreign = true;
                    all_lookalikes &= confusable(c).is_some();
                }
                Script::Other => {}
            }
        }
        if !(latin && foreign && all_lookalikes) {
            continue;
        }
        for c in part.chars() {
            if let Some((name, lookalike)) = confusable(c) {
                let described =
                    format!("{name} (U+{:04X}) looks like Latin `{lookalike}`", c as u32);
                if !found.contains(&described) {
                    found.push(described);
                }
            }
        }
    }
    (!found.is_empty()).then_some(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oversight_detect::reference::run_detector;

    fn messages(path: &str, text: &str) -> Vec<String> {
        run_detector(&Homoglyph, path, text.as_bytes())
            .into_iter()
            .map(|e| e.message)
            .collect()
    }

    #[test]
    fn mixed_identifiers_are_reported_once_each() {
        let found = messages("a.c", "void sayНello() {}\nint main() { sayНello(); }\n");
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].contains("`sayНello` mixes Latin with Cyrillic"),
            "{found:?}"
        );
        assert!(found[0].contains("CYRILLIC CAPITAL LETTER EN (U+041D) looks like Latin `H`"));
        let found = messages("a.rs", "fn say_һello() {}\n");
        assert_eq!(found.len(), 1, "{found:?}");
        let found = messages("a.py", "pοst = 1\n");
        assert!(found[0].contains("Greek"), "{found:?}");
    }

    #[test]
    fn natural_language_and_science_are_not_reported() {
        assert!(messages("a.py", "# Привет, это обычный комментарий о сервере\n").is_empty());
        assert!(messages("a.py", "getДанные = 1\nx_α = 2\nα = 3\n").is_empty());
        assert!(messages("a.js", "msg = \"Выбеpите файл\";\n").is_empty());
        assert!(messages("notes.md", "sayНello\n").is_empty());
    }

    #[test]
    fn identifier_expansion_is_bounded_and_safe() {
        let long = format!("{}а{}", "x".repeat(10_000), "\u{FFFD}".repeat(3));
        assert_eq!(messages("a.js", &long).len(), 1);
        let found = run_detector(&Homoglyph, "a.js", b"\xd0\xb0\xff\xfe\xd0");
        assert!(found.is_empty());
        assert!(messages("a.py", "s = '\\u0345ι\\nесо'\n").is_empty());
    }
}
