//! `mix.lock` (Elixir, Erlang via Mix): an Elixir map literal, read by a
//! small term reader (never evaluated).
//!
//! `"key": {:hex, :package, "version", "inner_sha256", [tools], [deps],
//! "repo", "outer_sha256"}` gives a Hex package; the outer checksum is the
//! SHA-256 of the package tarball. `{:git, url, commit, opts}` entries have
//! no version and are reported as such.

use std::collections::HashMap;

use crate::collect::{Entry, Out, dep_key, hex_hash};

#[derive(Debug)]
enum Term {
    Atom(String),
    Str(String),
    List(Vec<Term>),
    Tuple(Vec<Term>),
    /// `key: value` inside a keyword list or map.
    Pair(String, Box<Term>),
    Other,
}

struct Reader<'a> {
    s: &'a [u8],
    i: usize,
}

const MAX_DEPTH: usize = 64;

impl<'a> Reader<'a> {
    fn skip_ws(&mut self) {
        while self.i < self.s.len() {
            match self.s[self.i] {
                b' ' | b'\t' | b'\r' | b'\n' => self.i += 1,
                b'#' => {
                    while self.i < self.s.len() && self.s[self.i] != b'\n' {
                        self.i += 1;
                    }
                }
                _ => break,
            }
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        self.skip_ws();
        if self.s.get(self.i) == Some(&b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn string(&mut self) -> Option<String> {
        // At the opening quote.
        self.i += 1;
        let mut out = Vec::new();
        while let Some(&c) = self.s.get(self.i) {
            self.i += 1;
            match c {
                b'"' => return Some(String::from_utf8_lossy(&out).into_owned()),
                b'\\' => {
                    if let Some(&e) = self.s.get(self.i) {
                        out.push(e);
                        self.i += 1;
                    }
                }
                _ => out.push(c),
            }
        }
        None
    }

    fn word(&mut self) -> String {
        let start = self.i;
        while let Some(&c) = self.s.get(self.i) {
            if c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'?' | b'!' | b'@' | b'-') {
                self.i += 1;
            } else {
                break;
            }
        }
        String::from_utf8_lossy(&self.s[start..self.i]).into_owned()
    }

    /// Items up to `close`, separated by commas.
    fn items(&mut self, close: u8, depth: usize) -> Option<Vec<Term>> {
        let mut items = Vec::new();
        loop {
            if self.eat(close) {
                return Some(items);
            }
            items.push(self.term(depth + 1)?);
            if !self.eat(b',') {
                return self.eat(close).then_some(items);
            }
        }
    }

    fn term(&mut self, depth: usize) -> Option<Term> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_ws();
        let c = *self.s.get(self.i)?;
        let term = match c {
            b'"' => {
                let s = self.string()?;
                // `"key": value` in a map.
                if self.s.get(self.i) == Some(&b':') {
                    self.i += 1;
                    Term::Pair(s, Box::new(self.term(depth + 1)?))
                } else {
                    Term::Str(s)
                }
            }
            b':' => {
                self.i += 1;
                if self.s.get(self.i) == Some(&b'"') {
                    Term::Atom(self.string()?)
                } else {
                    Term::Atom(self.word())
                }
            }
            b'[' => {
                self.i += 1;
                Term::List(self.items(b']', depth)?)
            }
            b'{' => {
                self.i += 1;
                Term::Tuple(self.items(b'}', depth)?)
            }
            b'%' => {
                self.i += 1;
                if !self.eat(b'{') {
                    return None;
                }
                Term::List(self.items(b'}', depth)?)
            }
            _ => {
                let w = self.word();
                if w.is_empty() {
                    return None;
                }
                // `key: value` in a keyword list.
                if self.s.get(self.i) == Some(&b':') {
                    self.i += 1;
                    Term::Pair(w, Box::new(self.term(depth + 1)?))
                } else {
                    Term::Other
                }
            }
        };
        Some(term)
    }
}

/// The line of each `"key":` that starts a line.
fn key_lines(text: &str) -> HashMap<&str, u32> {
    let mut m = HashMap::new();
    for (i, l) in text.lines().enumerate() {
        if let Some(rest) = l.trim_start().strip_prefix('"')
            && let Some((key, _)) = rest.split_once("\":")
        {
            m.entry(key).or_insert(i as u32 + 1);
        }
    }
    m
}

pub(crate) fn parse(text: &str, out: &mut Out) {
    let mut reader = Reader {
        s: text.as_bytes(),
        i: 0,
    };
    let Some(Term::List(entries)) = reader.term(0) else {
        let line = crate::lines::line_at(text.as_bytes(), reader.i);
        out.malformed(Some(line), "Not an Elixir map of `\"name\": {…}` entries");
        return;
    };
    reader.skip_ws();
    if reader.i < text.len() {
        let line = crate::lines::line_at(text.as_bytes(), reader.i);
        out.malformed(Some(line), "Unexpected text after the map");
    }
    // Hex package name → version, for dependency edges.
    let mut versions: HashMap<&str, &str> = HashMap::new();
    for e in &entries {
        if let Term::Pair(_, v) = e
            && let Term::Tuple(t) = v.as_ref()
            && let [Term::Atom(kind), Term::Atom(pkg), Term::Str(version), ..] = t.as_slice()
            && kind == "hex"
        {
            versions.insert(pkg, version);
        }
    }
    let lines = key_lines(text);
    for e in &entries {
        let Term::Pair(key, value) = e else {
            out.bad_entry(None, format!("{e:?}"), "not a `\"name\": {…}` entry");
            continue;
        };
        let line = lines.get(key.as_str()).copied();
        let Term::Tuple(t) = value.as_ref() else {
            out.bad_entry(line, key.clone(), "the value is not a tuple");
            continue;
        };
        match t.as_slice() {
            [
                Term::Atom(kind),
                Term::Atom(pkg),
                Term::Str(version),
                rest @ ..,
            ] if kind == "hex" => {
                let deps = match rest.get(2) {
                    Some(Term::List(deps)) => deps
                        .iter()
                        .filter_map(|d| match d {
                            Term::Tuple(d) => match d.first() {
                                Some(Term::Atom(n)) => Some(match versions.get(n.as_str()) {
                                    Some(v) => dep_key(n, v),
                                    None => n.clone(),
                                }),
                                _ => None,
                            },
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                let outer = match rest.get(4) {
                    Some(Term::Str(h)) => Some(h.as_str()),
                    _ => None,
                };
                out.add(
                    Entry::new(pkg.as_str(), version.as_str())
                        .line(line)
                        .hash(outer.and_then(|h| hex_hash("sha256", h)))
                        .depends_on(deps),
                );
            }
            [Term::Atom(kind), Term::Str(url), rest @ ..] if kind == "git" => {
                let commit = match rest.first() {
                    Some(Term::Str(c)) => format!(" at `{c}`"),
                    _ => String::new(),
                };
                out.unversioned(line, key, format!("git `{url}`{commit}"));
                let mut entry = Entry::new(key.as_str(), "").line(line);
                entry.qualifiers.push(("vcs_url", format!("git+{url}")));
                out.add(entry);
            }
            [Term::Atom(kind), ..] => {
                out.bad_entry(line, key.clone(), format!("unknown source `:{kind}`"));
            }
            _ => out.bad_entry(line, key.clone(), "not a `{:hex, …}` or `{:git, …}` tuple"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_terms() {
        let mut r = Reader {
            s: br#"%{"a": {:hex, :a, "1.0.0", "x", [:mix], [{:b, "~> 1.0", [hex: :b, optional: false]}], "hexpm", "y"},}"#,
            i: 0,
        };
        let Some(Term::List(items)) = r.term(0) else {
            panic!("not a map")
        };
        assert_eq!(items.len(), 1);
        let mut deep = Reader {
            s: &[b'['; 500],
            i: 0,
        };
        assert!(deep.term(0).is_none());
    }
}
