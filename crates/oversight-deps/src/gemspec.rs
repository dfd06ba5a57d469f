//! A vendored gem's `*.gemspec`, read as text and never evaluated.
//!
//! Bundler's `specifications/<name>-<version>.gemspec` files are generated
//! with literal values (`s.name = "rss".freeze`, `s.licenses =
//! ["BSD-2-Clause".freeze]`); a gem's own source gemspec may compute its
//! version (`Rack::RELEASE`), in which case the version comes from the
//! directory name (`gems/rack-3.0.8/`) or the component is unversioned.
//! Several licences in `licenses` are alternatives (`Ruby OR BSD-2-Clause`,
//! RubyGems' dual licensing).

use crate::collect::{Entry, Out};

/// The string literals of a Ruby value: `"MIT".freeze`, `'MIT'`, `["A", "B"]`,
/// `%w[A B]`. `None` when the value is not made of literals.
fn literals(value: &str) -> Option<Vec<String>> {
    let value = value.trim().trim_end_matches(';').trim();
    if let Some(words) = value
        .strip_prefix("%w[")
        .and_then(|v| v.strip_suffix(']'))
        .or_else(|| value.strip_prefix("%w(").and_then(|v| v.strip_suffix(')')))
    {
        return Some(words.split_whitespace().map(str::to_owned).collect());
    }
    let inner = match value.strip_prefix('[') {
        Some(rest) => rest.strip_suffix(']')?,
        None => value,
    };
    let mut out = Vec::new();
    for item in inner.split(',') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let item = item.strip_suffix(".freeze").unwrap_or(item).trim();
        let quote = item.chars().next()?;
        if quote != '"' && quote != '\'' {
            return None;
        }
        let body = item.strip_prefix(quote)?.strip_suffix(quote)?;
        if body.contains(quote) || body.contains("#{") {
            return None;
        }
        out.push(body.to_owned());
    }
    Some(out)
}

/// `s.name = …` / `spec.licenses = …`: the value assigned to `field` on a
/// line of its own, with its 1-based line.
fn assignment<'t>(text: &'t str, field: &str) -> Option<(&'t str, u32)> {
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        let Some((receiver, rest)) = t.split_once('.') else {
            continue;
        };
        if receiver.is_empty()
            || !receiver
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            continue;
        }
        let Some(rest) = rest.strip_prefix(field) else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(value) = rest.strip_prefix('=') else {
            continue;
        };
        if value.starts_with('=') {
            continue;
        }
        // `if s.respond_to? …` suffixes of generated specs.
        let value = value.split(" if ").next().unwrap_or(value);
        return Some((value.trim(), i as u32 + 1));
    }
    None
}

pub(crate) fn parse(text: &str, out: &mut Out) {
    let name = assignment(text, "name").and_then(|(v, line)| {
        literals(v)
            .and_then(|l| l.into_iter().next())
            .map(|n| (n, line))
    });
    let Some((name, line)) = name else {
        out.malformed(None, "No literal `name` assignment in the gemspec");
        return;
    };
    let literal_version = assignment(text, "version")
        .and_then(|(v, _)| literals(v))
        .and_then(|l| l.into_iter().next());
    // `gems/<name>-<version>/<name>.gemspec` or `specifications/<name>-<version>.gemspec`.
    let from_path = || {
        let inner = out.source.innermost();
        inner
            .rsplit('/')
            .map(|seg| seg.trim_end_matches(".gemspec"))
            .find_map(|seg| {
                let v = seg.strip_prefix(name.as_str())?.strip_prefix('-')?;
                v.starts_with(|c: char| c.is_ascii_digit())
                    .then(|| v.to_owned())
            })
    };
    let version = match literal_version.or_else(from_path) {
        Some(v) => v,
        None => {
            out.unversioned(Some(line), &name, "the gemspec computes its version");
            String::new()
        }
    };
    let license = assignment(text, "licenses")
        .or_else(|| assignment(text, "license"))
        .and_then(|(v, _)| literals(v))
        .filter(|l| !l.is_empty())
        .map(|l| {
            l.iter()
                .map(|s| {
                    if s.contains(' ') {
                        format!("({s})")
                    } else {
                        s.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(" OR ")
        });
    out.add(Entry::new(name, version).line(Some(line)).license(license));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ruby_literals() {
        assert_eq!(literals("\"rss\".freeze"), Some(vec!["rss".to_owned()]));
        assert_eq!(
            literals("[\"Ruby\".freeze, \"BSD-2-Clause\".freeze]"),
            Some(vec!["Ruby".to_owned(), "BSD-2-Clause".to_owned()])
        );
        assert_eq!(literals("'MIT'"), Some(vec!["MIT".to_owned()]));
        assert_eq!(
            literals("%w[MIT Apache-2.0]"),
            Some(vec!["MIT".to_owned(), "Apache-2.0".to_owned()])
        );
        assert_eq!(literals("Rack::RELEASE"), None);
        assert_eq!(literals("\"#{x}\""), None);
    }
}
