//! Just enough lexing to find the argument of a call and the identifiers it
//! names, across JavaScript, Python, PHP, Ruby and PowerShell, on bounded
//! slices. It knows string literals (including Python's triple quotes and
//! JavaScript's template literals) and bracket nesting, nothing more.

/// The longest argument list followed, in bytes.
pub(crate) const MAX_ARGUMENT: usize = 256 * 1024;

/// The argument list of the call whose `(` is at `open`: the bytes between the
/// parentheses, or up to `max` bytes (or the end of `bytes`) when the closing
/// one is not found.
pub(crate) fn call_argument(bytes: &[u8], open: usize, max: usize) -> (usize, usize) {
    let start = (open + 1).min(bytes.len());
    let limit = (start + max).min(bytes.len());
    let mut depth = 1usize;
    let mut i = start;
    while i < limit {
        match bytes[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return (start, i);
                }
            }
            quote @ (b'"' | b'\'' | b'`') => {
                i = skip_string(bytes, i, quote, limit);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    (start, limit)
}

/// The offset just past the string literal opened at `at`.
fn skip_string(bytes: &[u8], at: usize, quote: u8, limit: usize) -> usize {
    let triple = quote != b'`' && bytes[at..limit].starts_with(&[quote, quote, quote]);
    let mut i = at + if triple { 3 } else { 1 };
    while i < limit {
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' if !triple && quote != b'`' => return i,
            b if b == quote => {
                if !triple {
                    return i + 1;
                }
                if bytes[i..limit].starts_with(&[quote, quote, quote]) {
                    return i + 3;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    limit
}

/// A copy of `bytes` with the contents of string literals blanked out, so
/// that code inside strings (a bundler's `eval("…")` of a whole module) is
/// not mistaken for code around them. Offsets are preserved.
pub(crate) fn mask_strings(bytes: &[u8]) -> Vec<u8> {
    let mut masked = bytes.to_vec();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if matches!(b, b'"' | b'\'' | b'`') {
            let end = skip_string(bytes, i, b, bytes.len()).max(i + 1);
            let closed = end - i >= 2 && bytes[end - 1] == b;
            let inner_end = if closed { end - 1 } else { end };
            for byte in &mut masked[i + 1..inner_end.max(i + 1)] {
                *byte = b' ';
            }
            i = end;
            continue;
        }
        i += 1;
    }
    masked
}

/// The identifiers named in `bytes` outside string literals, in order of
/// first appearance, at most `max`.
pub(crate) fn identifiers(bytes: &[u8], max: usize) -> Vec<&[u8]> {
    let mut found: Vec<&[u8]> = Vec::new();
    let mut i = 0;
    while i < bytes.len() && found.len() < max {
        let b = bytes[i];
        if matches!(b, b'"' | b'\'' | b'`') {
            i = skip_string(bytes, i, b, bytes.len());
            continue;
        }
        if b.is_ascii_alphabetic() || b == b'_' || b == b'$' {
            let start = i;
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'$')
            {
                i += 1;
            }
            let word = &bytes[start..i];
            // A member access (`x.y`) names `x`; `y` is not a variable.
            let member = start > 0 && bytes[start - 1] == b'.';
            // A string prefix (`b'…'`, `r"…"`, `f'…'`) is not a name either.
            let prefix = word.len() <= 2 && matches!(bytes.get(i), Some(b'"' | b'\''));
            if !member && !prefix && !found.contains(&word) {
                found.push(word);
            }
            continue;
        }
        i += 1;
    }
    found
}

/// Where the value assigned to `name` last before `before` starts, looking
/// back at most `reach` bytes: `name = value`, `name := value`, or the body
/// of `def name(` / `function name(`.
pub(crate) fn last_assignment(
    bytes: &[u8],
    before: usize,
    name: &[u8],
    reach: usize,
) -> Option<usize> {
    let from = before.saturating_sub(reach);
    let region = &bytes[from..before];
    let mut best = None;
    for found in memchr::memmem::find_iter(region, name) {
        let at = from + found;
        let end = at + name.len();
        let boundary_before = at == 0
            || !(bytes[at - 1].is_ascii_alphanumeric()
                || bytes[at - 1] == b'_'
                || bytes[at - 1] == b'$');
        let boundary_after = end >= bytes.len()
            || !(bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_' || bytes[end] == b'$');
        if !boundary_before || !boundary_after {
            continue;
        }
        let mut i = end;
        while i < before && matches!(bytes[i], b' ' | b'\t') {
            i += 1;
        }
        let rest = &bytes[i..before];
        let definition = bytes[at.saturating_sub(9)..at].ends_with(b"def ")
            || bytes[at.saturating_sub(9)..at].ends_with(b"function ");
        if definition && rest.starts_with(b"(") {
            best = Some(i);
        } else if rest.starts_with(b":=") {
            best = Some(i + 2);
        } else if rest.starts_with(b"=") && !rest.starts_with(b"==") && !rest.starts_with(b"=>") {
            best = Some(i + 1);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_skip_strings_and_nesting() {
        let text = b"exec(f(\"a)b\", '''x)\n)''', [1, (2)]) + 1) tail";
        let (start, end) = call_argument(text, 4, MAX_ARGUMENT);
        assert_eq!(
            &text[start..end],
            &b"f(\"a)b\", '''x)\n)''', [1, (2)]) + 1"[..]
        );
        let (_, end) = call_argument(b"eval((((", 4, MAX_ARGUMENT);
        assert_eq!(end, 8);
    }

    #[test]
    fn strings_are_masked() {
        assert_eq!(
            mask_strings(b"f('ab', \"c\\\"d\") + g"),
            b"f('  ', \"    \") + g"
        );
        assert_eq!(
            mask_strings(b"x = '''a\nb''' + 'open"),
            b"x = '       ' + '    "
        );
    }

    #[test]
    fn identifiers_outside_strings() {
        let found = identifiers(
            b"base64.b64decode(code + 'not_a_name') + b'x' + other.attr",
            10,
        );
        assert_eq!(found, [&b"base64"[..], b"code", b"other"]);
    }

    #[test]
    fn assignments_are_found_backwards() {
        let text = b"code = 'a'\ncode == 1\nx_code = 2\ncode = b64(z)\nexec(code)";
        let at = last_assignment(text, text.len() - 10, b"code", 1000).expect("assignment");
        assert_eq!(&text[at..at + 8], b" b64(z)\n");
        let text = b"_ = lambda x: zlib.decompress(x);exec((_)(b'AA'))";
        assert!(last_assignment(text, 34, b"_", 100).is_some());
    }
}
