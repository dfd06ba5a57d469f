//! The characters that hide or reorder text on display: one set, which the
//! malicious-content detectors flag and every human output escapes, so the
//! report never shows raw what a detector calls hidden.

/// Zero-width characters, with their Unicode names.
pub const ZERO_WIDTH: [(char, &str); 9] = [
    ('\u{200B}', "ZERO WIDTH SPACE"),
    ('\u{200C}', "ZERO WIDTH NON-JOINER"),
    ('\u{200D}', "ZERO WIDTH JOINER"),
    ('\u{2060}', "WORD JOINER"),
    ('\u{2061}', "FUNCTION APPLICATION"),
    ('\u{2062}', "INVISIBLE TIMES"),
    ('\u{2063}', "INVISIBLE SEPARATOR"),
    ('\u{2064}', "INVISIBLE PLUS"),
    ('\u{FEFF}', "ZERO WIDTH NO-BREAK SPACE"),
];

/// Hangul fillers: letters that render as nothing.
pub const FILLERS: [(char, &str); 4] = [
    ('\u{115F}', "HANGUL CHOSEONG FILLER"),
    ('\u{1160}', "HANGUL JUNGSEONG FILLER"),
    ('\u{3164}', "HANGUL FILLER"),
    ('\u{FFA0}', "HALFWIDTH HANGUL FILLER"),
];

/// Tag characters (U+E0000–U+E007F): invisible ASCII look-alikes.
pub fn is_tag(c: char) -> bool {
    ('\u{E0000}'..='\u{E007F}').contains(&c)
}

/// Variation selectors (U+FE00–U+FE0F, U+E0100–U+E01EF).
pub fn is_selector(c: char) -> bool {
    ('\u{FE00}'..='\u{FE0F}').contains(&c) || ('\u{E0100}'..='\u{E01EF}').contains(&c)
}

/// The bidirectional controls of Unicode's Trojan Source class: embeddings,
/// overrides, isolates, their terminators and the directional marks.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

/// Zero-width characters, fillers, tags and variation selectors.
pub fn is_invisible(c: char) -> bool {
    is_tag(c)
        || is_selector(c)
        || ZERO_WIDTH.iter().any(|(k, _)| *k == c)
        || FILLERS.iter().any(|(k, _)| *k == c)
}

/// Every character that hides or reorders text: bidirectional controls and
/// invisible characters.
pub fn is_hidden(c: char) -> bool {
    is_bidi_control(c) || is_invisible(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_set_holds_the_trojan_source_and_invisible_characters() {
        for c in [
            '\u{202E}',
            '\u{2066}',
            '\u{200B}',
            '\u{FEFF}',
            '\u{E0041}',
            '\u{FE0F}',
            '\u{3164}',
        ] {
            assert!(is_hidden(c), "{:04X}", u32::from(c));
        }
        for c in ['a', ' ', '\u{00E9}', '\u{4E2D}'] {
            assert!(!is_hidden(c), "{:04X}", u32::from(c));
        }
    }
}
