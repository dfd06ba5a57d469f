//! Whether a value that a generic rule matched looks like a credential.
//!
//! The generic rules (`generic-password`, `generic-secret`, `generic-token`,
//! `generic-api-key`: tag `generic`) match any assignment to a name that
//! sounds like a credential. On real code most such assignments are not
//! credentials: issue 22 found 485 false high findings in three large
//! projects, and on the crate sources of a Rust build about 107 per 10,000
//! files. What fires is plumbing (`nextToken: params.NextToken`,
//! `o.TokenProvider = tokenProvider`), names (`secretName: app-tls`), URLs
//! (`token_url = "https://…/token"`) and documented examples. [`judge`]
//! keeps a value only when it looks like a secret, by these tests, in order:
//!
//! 1. **Expressions.** An unquoted value in source code (`.go`, `.rs`,
//!    `.js`, `.py`, …) is an expression, never a literal: a reference,
//!    a call, a constant's name. A value followed by `(` or `[` is a call or
//!    an index anywhere. A dotted or scoped name (`self.token`,
//!    `params.NextToken`, `Config::TOKEN`) is a reference.
//! 2. **Placeholders.** Template variables, format directives, runs of
//!    `x` or `*`, and the words people put where a value will go
//!    (`your-token`, `changeme`, `replace-me`).
//! 3. **URLs and file paths.** `token_url = "https://…"`, `password_file =
//!    "/run/secrets/db"`: where a credential is, not the credential
//!    (credentials *inside* URLs have their own rules).
//! 4. **Names that are not credentials.** The assigned name says what the
//!    value is: `token_type`, `secret_name`, `password_field`,
//!    `next_token` (a pagination cursor), `max_tokens`, `csrf_token`.
//! 5. **Identifiers and prose.** A value made of words (`EarlyTokenExpiry`,
//!    `current-password`, `bcrypt_password_encoder`), without digits or
//!    symbols, is a name; a value of one character class (only digits, only
//!    lower-case letters) is not a generated credential.
//! 6. **Documented examples.** In documentation (Markdown, reStructuredText,
//!    AsciiDoc, `docs/`, OpenAPI and Swagger files) or on a line that marks
//!    the value as an example (`example:`, `"example":`, `e.g.`), the
//!    value is a [`Judgement::Example`]: still reported, at low, as
//!    `secret.documentation-example`, never dropped.
//!
//! Provider-specific rules (a GitHub token, an AWS key) never come here:
//! their format is the evidence.

/// What a generic rule's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Judgement {
    /// It looks like a credential: reported under its rule.
    Credential,
    /// A documented example: reported at low as
    /// `secret.documentation-example`.
    Example,
    /// Not a credential (the reason, for tests).
    NotCredential(&'static str),
}

/// What [`judge`] looks at.
pub(crate) struct Context<'a> {
    /// The matched value.
    pub value: &'a [u8],
    /// The whole regex match (the name, the operator and the value).
    pub matched: &'a [u8],
    /// The byte before the value, when there is one.
    pub before: Option<u8>,
    /// The byte before the whole match (before the assigned name).
    pub before_name: Option<u8>,
    /// The byte after the value, when there is one.
    pub after: Option<u8>,
    /// The line(s) of the match.
    pub line: &'a [u8],
    /// The file's innermost path.
    pub path: &'a str,
}

/// Judges a value a generic rule matched; see the module documentation.
pub(crate) fn judge(cx: &Context<'_>) -> Judgement {
    let Ok(value) = std::str::from_utf8(cx.value) else {
        return Judgement::Credential;
    };
    let quoted = matches!(cx.before, Some(b'"' | b'\'' | b'`'));
    let file = FileKind::of(cx.path);

    // 1. Expressions.
    if !quoted && file == FileKind::Code {
        return Judgement::NotCredential("an expression in source code, not a literal");
    }
    if !quoted && matches!(cx.after, Some(b'(' | b'[')) {
        return Judgement::NotCredential("a call or an index");
    }
    if is_reference(value) {
        return Judgement::NotCredential("a reference to a field or variable");
    }
    if matches!(cx.before_name, Some(b':' | b'/' | b'\\')) {
        return Judgement::NotCredential("the name is part of a path or type, not assigned to");
    }
    // 2. Placeholders.
    if is_placeholder(value) {
        return Judgement::NotCredential("a placeholder");
    }
    // 3. URLs and paths.
    if is_url_or_path(value) {
        return Judgement::NotCredential("a URL or a file path");
    }
    // 4. Names that say what the value is.
    if let Some(reason) = name_is_not_a_credential(name_of(cx.matched)) {
        return Judgement::NotCredential(reason);
    }
    // 5. Identifiers, prose, one character class.
    if is_identifier(value) {
        return Judgement::NotCredential("an identifier made of words");
    }
    if classes(value) < 2 {
        return Judgement::NotCredential("one character class only");
    }
    // 6. Documented examples.
    if file == FileKind::Documentation || marks_example(cx.line) {
        return Judgement::Example;
    }
    Judgement::Credential
}

/// What kind of file a path names, for the questions [`judge`] asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    /// Program source, where a literal is quoted.
    Code,
    /// Documentation and API descriptions.
    Documentation,
    /// Anything else: configuration, scripts, data.
    Other,
}

impl FileKind {
    fn of(path: &str) -> FileKind {
        let lower = path.to_ascii_lowercase();
        let name = lower.rsplit('/').next().unwrap_or(&lower);
        let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
        let dirs = lower.split('/').rev().skip(1);
        if matches!(
            ext,
            "md" | "markdown"
                | "mdx"
                | "rst"
                | "adoc"
                | "asciidoc"
                | "txt"
                | "ipynb"
                | "html"
                | "htm"
        ) && (ext != "txt" && ext != "html" && ext != "htm" || lower.contains("doc"))
            || name.contains("openapi")
            || name.contains("example")
            || name.contains("swagger")
            || dirs
                .clone()
                .any(|d| matches!(d, "doc" | "docs" | "documentation" | "examples" | "example"))
        {
            return FileKind::Documentation;
        }
        if matches!(
            ext,
            "rs" | "go"
                | "js"
                | "mjs"
                | "cjs"
                | "jsx"
                | "ts"
                | "mts"
                | "cts"
                | "tsx"
                | "py"
                | "pyi"
                | "java"
                | "kt"
                | "kts"
                | "scala"
                | "groovy"
                | "c"
                | "h"
                | "cc"
                | "cpp"
                | "cxx"
                | "hpp"
                | "hh"
                | "cs"
                | "fs"
                | "vb"
                | "rb"
                | "php"
                | "swift"
                | "m"
                | "mm"
                | "dart"
                | "lua"
                | "pl"
                | "pm"
                | "r"
                | "jl"
                | "ex"
                | "exs"
                | "erl"
                | "hs"
                | "ml"
                | "clj"
                | "vue"
                | "svelte"
                | "zig"
                | "nim"
                | "json"
                | "map"
        ) {
            return FileKind::Code;
        }
        FileKind::Other
    }
}

/// The assigned name at the start of a match (`db_password` of
/// `db_password = "…"`).
fn name_of(matched: &[u8]) -> &[u8] {
    let start = matched
        .iter()
        .position(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .unwrap_or(matched.len());
    let rest = &matched[start..];
    let end = rest
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')))
        .unwrap_or(rest.len());
    &rest[..end]
}

/// `self.token`, `params.NextToken`, `os.environ.get`, `Config::TOKEN`,
/// `this->token`, `$config.token`, `a?.b`: a path of names.
fn is_reference(value: &str) -> bool {
    let v = value.trim_start_matches(['$', '@', '&', '*', '!']);
    let v = v.strip_suffix("()").unwrap_or(v);
    let v = v.replace("?.", ".").replace("::", ".").replace("->", ".");
    let mut parts = 0;
    for part in v.split('.') {
        let mut chars = part.chars();
        let Some(first) = chars.next() else {
            // `a..b` is no path.
            return false;
        };
        if !(first.is_ascii_alphabetic() || first == '_' || first == '$')
            || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        {
            return false;
        }
        parts += 1;
    }
    parts >= 2
}

/// Template variables, format directives, masks and filler words.
fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    const MARKERS: &[&str] = &["${", "$(", "{{", "}}", "<%", "%>", "xxxx", "****", "...."];
    const WORDS: &[&str] = &[
        "your",
        "example",
        "sample",
        "placeholder",
        "changeme",
        "change-me",
        "change_me",
        "replace",
        "insert",
        "dummy",
        "fake",
        "redacted",
        "todo",
        "fixme",
        "notreal",
        "not-real",
        "not_real",
        "goes-here",
        "goes_here",
        "secret-value",
        "token-value",
        "password-value",
        "my-secret",
        "my_secret",
        "mysecret",
        "my-token",
        "my_token",
        "mytoken",
        "my-password",
        "my_password",
        "mypassword",
        "my-api-key",
        "my_api_key",
        "myapikey",
        // A value that names what it is, or a sequence typed by hand.
        "password",
        "passwd",
        "secret",
        "token",
        "apikey",
        "api_key",
        "api-key",
        "12345",
        "abcdef",
        "1a2b3c",
        "a1b2c3",
    ];
    MARKERS.iter().any(|m| lower.contains(m))
        || WORDS.iter().any(|w| lower.contains(w))
        || has_named_directive(value)
        || value.starts_with('$')
            && value[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        || value.starts_with('%') && value.ends_with('%')
        || value.starts_with(':')
            && value[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `%(name)s`: Python's named format directive.
fn has_named_directive(value: &str) -> bool {
    value.match_indices("%(").any(|(at, _)| {
        let rest = &value[at + 2..];
        rest.find(')').is_some_and(|close| {
            close > 0
                && rest[..close]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && matches!(rest.as_bytes().get(close + 1), Some(b's' | b'd' | b'r'))
        })
    })
}

/// `https://…`, `/run/secrets/db`, `./certs/key.pem`, `C:\keys\a.pfx`.
fn is_url_or_path(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if lower.contains("://") || lower.starts_with("//") || lower.starts_with("arn:") {
        return true;
    }
    if lower.starts_with('/')
        || lower.starts_with("./")
        || lower.starts_with("../")
        || lower.starts_with("~/")
    {
        return true;
    }
    const FILES: &[&str] = &[
        ".json",
        ".yaml",
        ".yml",
        ".toml",
        ".txt",
        ".pem",
        ".key",
        ".crt",
        ".cer",
        ".p12",
        ".pfx",
        ".jks",
        ".keystore",
        ".env",
        ".ini",
        ".conf",
        ".cfg",
        ".xml",
        ".html",
        ".js",
        ".py",
        ".rs",
        ".go",
        ".sh",
        ".md",
        ".png",
        ".svg",
        ".gpg",
        ".asc",
    ];
    FILES.iter().any(|e| lower.ends_with(e)) && value.chars().any(|c| c == '/' || c == '.')
}

/// The words of an assigned name that say it holds something other than a
/// credential.
fn name_is_not_a_credential(name: &[u8]) -> Option<&'static str> {
    let words = words(name);
    let has = |w: &str| words.iter().any(|x| x == w);
    const NOT_VALUES: &[&str] = &[
        "url",
        "uri",
        "urls",
        "endpoint",
        "host",
        "path",
        "file",
        "filename",
        "dir",
        "type",
        "types",
        "name",
        "names",
        "field",
        "fields",
        "header",
        "param",
        "prefix",
        "suffix",
        "len",
        "length",
        "size",
        "count",
        "format",
        "pattern",
        "regex",
        "re",
        "policy",
        "expiry",
        "expires",
        "expiration",
        "expire",
        "ttl",
        "timeout",
        "lifetime",
        "label",
        "hint",
        "placeholder",
        "description",
        "desc",
        "message",
        "msg",
        "error",
        "env",
        "var",
        "id",
        "ids",
        "kind",
        "mode",
        "location",
        "ref",
        "arn",
        "provider",
        "class",
        "method",
        "version",
        "store",
        "storage",
        "cache",
        "source",
        "mount",
        "selector",
        "annotation",
        "tokenizer",
        "tokenizers",
        "id_token_hint",
    ];
    const CURSORS: &[&str] = &[
        "next",
        "page",
        "continuation",
        "pagination",
        "cursor",
        "sync",
        "resume",
        "marker",
        "csrf",
        "xsrf",
        "max",
        "min",
        "num",
        "total",
        "input",
        "output",
        "completion",
        "prompt",
    ];
    if let Some(w) = words.last()
        && NOT_VALUES.contains(&w.as_str())
    {
        return Some("the name says the value is not a credential");
    }
    if CURSORS.iter().any(|w| has(w)) {
        return Some("the name says the value is a cursor, a count or a form token");
    }
    None
}

/// The lower-cased words of a name: split at `_`, `-`, `.`, at lower-case
/// to upper-case changes (`nextToken` → `next`, `token`), before the last
/// capital of an acronym (`HTTPServer` → `http`, `server`) and between
/// letters and digits.
fn words(name: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, &b) in name.iter().enumerate() {
        if matches!(b, b'_' | b'-' | b'.') {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|j| name[j]);
        let next = name.get(i + 1).copied();
        let boundary = match prev {
            Some(p) if !current.is_empty() => {
                (b.is_ascii_uppercase() && (p.is_ascii_lowercase() || p.is_ascii_digit()))
                    || (b.is_ascii_uppercase()
                        && p.is_ascii_uppercase()
                        && next.is_some_and(|n| n.is_ascii_lowercase()))
                    || (b.is_ascii_digit() != p.is_ascii_digit())
            }
            _ => false,
        };
        if boundary {
            out.push(std::mem::take(&mut current));
        }
        current.push(b.to_ascii_lowercase() as char);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A name made of words: letters (and `_`, `-`, `.`) only, words of four
/// letters on average, none of one letter, each with a vowel. The words of
/// a random string of letters are short: its case changes at random.
fn is_identifier(value: &str) -> bool {
    // `?NoLineTerminatorHere`, `#private_field`, `:symbol_name`.
    let value = value.trim_start_matches(['?', '#', '@', ':']);
    if !value
        .bytes()
        .all(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'-' | b'.'))
    {
        return false;
    }
    let words = words(value.as_bytes());
    let letters: usize = words.iter().map(String::len).sum();
    !words.is_empty()
        && letters >= 4 * words.len()
        && words.iter().all(|w| {
            let vowels = w.bytes().filter(|b| b"aeiouy".contains(b)).count();
            (w.len() >= 2 || w == "a" || w == "i") && vowels >= 1 && vowels * 6 >= w.len()
        })
}

/// How many of the classes lower-case, upper-case, digit and other the
/// value draws from.
fn classes(value: &str) -> usize {
    let b = value.as_bytes();
    [
        b.iter().any(u8::is_ascii_lowercase),
        b.iter().any(u8::is_ascii_uppercase),
        b.iter().any(u8::is_ascii_digit),
        b.iter().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|x| **x)
    .count()
}

/// Whether the line marks its value as an example.
fn marks_example(line: &[u8]) -> bool {
    let lower = String::from_utf8_lossy(line).to_ascii_lowercase();
    lower.contains("example") || lower.contains("e.g.") || lower.contains("for instance")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Judges `value` in `template` (its `{}`): the lines are put together
    /// when the test runs, so that no credential-looking assignment sits in
    /// this file.
    fn judge_line(path: &str, template: &str, value: &str) -> Judgement {
        let line = template.replacen("{}", value, 1);
        let line = line.as_str();
        let at = line.find(value).expect("value in line");
        let bytes = line.as_bytes();
        judge(&Context {
            value: value.as_bytes(),
            matched: &bytes[..at + value.len()],
            before: at.checked_sub(1).map(|i| bytes[i]),
            before_name: None,
            after: bytes.get(at + value.len()).copied(),
            line: bytes,
            path,
        })
    }

    #[test]
    fn plumbing_is_not_a_credential() {
        for (path, line, value) in [
            ("api/client.go", "nextToken: {},", "params.NextToken"),
            (
                "api/client.go",
                "o.TokenProvider = {}",
                "tokenProviderFromEnv",
            ),
            ("a/b.py", "self.token = {}", "token_from_settings"),
            ("x/y.rs", "let token = {}(id);", "generate_token_for_user"),
            ("x/y.yaml", "password: {}(id)", "dbPasswordFromVault"),
            ("x/y.js", "const apiKey = {};", "process.env.PARTNER_KEY"),
            ("x/y.yaml", "secretName: \"{}\"", "ingress-controller-tls"),
            (
                "x/y.yaml",
                "token_url: \"{}\"",
                "https://oauth2.example.invalid/token",
            ),
            ("x/y.conf", "password_file = {}", "/run/secrets/db_password"),
            ("x/y.yaml", "{}: \"EarlyTokenExpiry\"", "EarlyTokenExpiry"),
            ("x/y.yaml", "tokenType: \"{}\"", "urn:ietf:params:oauth"),
            ("x/y.yaml", "nextToken: \"{}\"", "eyJsYXN0IjoxMjM0NX0K"),
            ("x/y.env", "API_TOKEN={}", "<your-api-token-here>"),
            ("x/y.env", "SECRET={}", "%(secret_value)s12345"),
            ("x/y.env", "SECRET={}", "1234567890123456789"),
        ] {
            let j = judge_line(path, line, value);
            assert!(matches!(j, Judgement::NotCredential(_)), "{line}: {j:?}");
        }
    }

    #[test]
    fn credentials_stay_credentials() {
        for (path, line, value) in [
            ("app/settings.py", "PASSWORD = \"{}\"", "Harbor7731!"),
            (
                "app/config.go",
                "apiToken := \"{}\"",
                "4f1c9a0b7e3d2c5a8b6f0e1d3c2b4a59",
            ),
            ("deploy/.env", "API_KEY={}", "Zq3xK9vB2mN7wR4tY8uP1sD6"),
            ("conf/app.ini", "password = {}", "falcon-42-Maple"),
            ("k8s/s.yaml", "  token: {}", "qWeRtYuIoPaSdFgHjKlZ"),
        ] {
            assert_eq!(
                judge_line(path, line, value),
                Judgement::Credential,
                "{line}"
            );
        }
    }

    #[test]
    fn documented_examples_are_examples() {
        assert_eq!(
            judge_line("docs/api.md", "password: \"{}\"", "Harbor7731!"),
            Judgement::Example
        );
        assert_eq!(
            judge_line(
                "api/openapi.yaml",
                "  example: (password: \"{}\")",
                "Harbor7731!"
            ),
            Judgement::Example
        );
        assert_eq!(
            judge_line(
                "src/x.env",
                "API_KEY={} # example",
                "Zq3xK9vB2mN7wR4tY8uP1sD6"
            ),
            Judgement::Example
        );
    }
}
