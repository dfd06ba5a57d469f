//! A best-effort ordering for ecosystems without a specified one
//! (ConanCenter): tokens split at punctuation and at digit/letter
//! transitions; numbers compare numerically and above words
//! (`1.0-beta < 1.0`), words compare case-insensitively, a missing token is
//! a zero (`1.0 == 1.0.0`).

use std::cmp::Ordering;

/// A version split into tokens.
#[derive(Debug, Clone)]
pub struct GenericVersion {
    tokens: Vec<Token>,
}

#[derive(Debug, Clone)]
enum Token {
    Num(String),
    Word(String),
}

impl GenericVersion {
    /// Parses a version; it must start with a digit.
    pub fn parse(text: &str) -> Result<GenericVersion, String> {
        let text = text.strip_prefix(['v', 'V']).unwrap_or(text);
        if !text.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(format!("not a version: `{text}`"));
        }
        let mut tokens = Vec::new();
        let mut current = String::new();
        let mut digits = false;
        let flush = |current: &mut String, digits: bool, tokens: &mut Vec<Token>| {
            if !current.is_empty() {
                tokens.push(if digits {
                    Token::Num(current.trim_start_matches('0').to_owned())
                } else {
                    Token::Word(current.to_ascii_lowercase())
                });
                current.clear();
            }
        };
        for c in text.chars() {
            if c.is_ascii_alphanumeric() {
                let d = c.is_ascii_digit();
                if !current.is_empty() && d != digits {
                    flush(&mut current, digits, &mut tokens);
                }
                digits = d;
                current.push(c);
            } else {
                flush(&mut current, digits, &mut tokens);
            }
        }
        flush(&mut current, digits, &mut tokens);
        while matches!(tokens.last(), Some(Token::Num(d)) if d.is_empty()) {
            tokens.pop();
        }
        Ok(GenericVersion { tokens })
    }
}

impl Ord for GenericVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let zero = Token::Num(String::new());
        for i in 0..self.tokens.len().max(other.tokens.len()) {
            let a = self.tokens.get(i).unwrap_or(&zero);
            let b = other.tokens.get(i).unwrap_or(&zero);
            let ord = match (a, b) {
                (Token::Num(x), Token::Num(y)) => x.len().cmp(&y.len()).then_with(|| x.cmp(y)),
                (Token::Num(_), Token::Word(_)) => Ordering::Greater,
                (Token::Word(_), Token::Num(_)) => Ordering::Less,
                (Token::Word(x), Token::Word(y)) => x.cmp(y),
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    }
}
impl PartialOrd for GenericVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for GenericVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for GenericVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> GenericVersion {
        GenericVersion::parse(s).unwrap()
    }

    #[test]
    fn dotted_numbers_and_words() {
        let chain = ["1.0-beta", "1.0", "1.0.1", "1.2", "1.10a", "1.10", "2"];
        for pair in chain.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(v("1.0"), v("1.0.0"));
        assert_eq!(v("1.2.11"), v("v1.2.11"));
        assert!(GenericVersion::parse("cci.20200101").is_err());
    }
}
