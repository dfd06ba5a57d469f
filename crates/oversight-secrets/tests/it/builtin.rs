//! The built-in rule set: samples for every rule, placeholders, redaction,
//! decoding, binary files and bounds.

use std::time::{Duration, Instant};

use oversight_secrets::SecretsDetector;

use crate::samples::SAMPLES;
use crate::util::scan;

fn detector() -> SecretsDetector {
    oversight_secrets::builtin().expect("the built-in rules load")
}

/// A deterministic generator, so that no realistic secret sits in the source:
/// samples are built when the test runs.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn take(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize] as char)
            .collect()
    }
}

/// Expands `{cN}` in a sample: N characters of class `c`: `a` alphanumeric,
/// `u` URL-safe base64, `b` standard base64, `h` lower-case hex, `U`
/// upper-case letters and digits, `d` digits, `l` lower-case letters and
/// digits, `B` base32, `g` the bech32 alphabet of age keys.
pub(crate) fn expand(template: &str, seed: u64) -> String {
    let mut g = Gen(0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0x2545_F491_4F6C_DD1D) | 1);
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let class = after.chars().next();
        let digits: String = after
            .chars()
            .skip(1)
            .take_while(char::is_ascii_digit)
            .collect();
        let closes = after[1 + digits.len()..].starts_with('}');
        let alphabet: Option<&[u8]> = match class {
            Some('a') => Some(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
            Some('u') => Some(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"),
            Some('b') => Some(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
            Some('h') => Some(b"0123456789abcdef"),
            Some('U') => Some(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
            Some('B') => Some(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
            Some('d') => Some(b"0123456789"),
            Some('l') => Some(b"abcdefghijklmnopqrstuvwxyz0123456789"),
            Some('g') => Some(b"QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"),
            _ => None,
        };
        match alphabet {
            Some(alphabet) if !digits.is_empty() && closes => {
                out.push_str(&rest[..open]);
                out.push_str(&g.take(alphabet, digits.parse().expect("digits")));
                rest = &after[1 + digits.len() + 1..];
            }
            _ => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn rule_ids(d: &SecretsDetector, path: &str, text: &str) -> Vec<String> {
    scan(d, path, text.as_bytes())
        .into_iter()
        .map(|e| e.rule.id.to_owned())
        .collect()
}

#[test]
fn every_builtin_rule_has_a_true_and_a_false_positive_sample() {
    let d = detector();
    assert_eq!(SAMPLES.len(), d.rule_count(), "one sample row per rule");
    let mut failures = Vec::new();
    for (n, (id, tp, fp)) in SAMPLES.iter().enumerate() {
        let rule = format!("secret.{id}");
        let tp = expand(tp, n as u64);
        let found = rule_ids(&d, "config/sample.env", &format!("{tp}\n"));
        if !found.contains(&rule) {
            failures.push(format!(
                "{rule}: missed true positive {tp:?} (found {found:?})"
            ));
        }
        let fp = expand(fp, n as u64);
        let found = rule_ids(&d, "config/sample.env", &format!("{fp}\n"));
        if found.contains(&rule) {
            failures.push(format!("{rule}: false positive {fp:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn builtin_has_at_least_100_rules() {
    assert!(detector().rule_count() >= 100);
}

/// Snapshot of every built-in rule id: unique, `secret.` prefix, kebab-case.
#[test]
fn builtin_rule_ids_are_unique_and_kebab_case() {
    use oversight_detect::Detector;
    let d = detector();
    let ids: Vec<&str> = d.rules().iter().map(|r| r.id).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), ids.len(), "duplicate rule ids");
    for id in &ids {
        let name = id.strip_prefix("secret.").expect("secret. prefix");
        assert!(
            !name.is_empty()
                && !name.starts_with('-')
                && !name.ends_with('-')
                && !name.contains("--")
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{id}"
        );
    }
    let expected: Vec<String> = SAMPLES
        .iter()
        .map(|(id, _, _)| format!("secret.{id}"))
        .chain([
            "secret.more-secrets-in-file".to_owned(),
            "secret.test-fixture-credential".to_owned(),
            "secret.documentation-example".to_owned(),
        ])
        .collect();
    assert_eq!(ids, expected);
}

#[test]
fn placeholders_are_not_secrets() {
    let d = detector();
    let placeholders = [
        "api_key = \"<YOUR_API_KEY>\"",
        "password: ${DB_PASSWORD}",
        "password = \"${DB_PASSWORD}\"",
        "client_secret: \"{{ client_secret }}\"",
        "password = \"%(db_password)s\"",
        "token = \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"",
        "password = \"********\"",
        "password = \"changeme\"",
        "AUTH_TOKEN=your-token-here-please",
        "secret = \"example-secret-value-123456\"",
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "password = \"aaaaaaaaaaaa\"",
        "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "DATABASE_URL=postgres://user:password@localhost/db",
        "DATABASE_URL=postgres://user:${PGPASSWORD}@localhost/db",
        "api_key = os.environ[\"API_KEY\"]",
        "password = config.database.password",
        "password = PASSWORD_FROM_ENV",
        "token = \"0123456789abcdef0123456789abcdef\"",
        "secret = \"$SECRET_VALUE\"",
    ];
    for p in placeholders {
        let found = rule_ids(&d, "app/settings.py", &format!("{p}\n"));
        assert!(found.is_empty(), "{p}: {found:?}");
    }
}

#[test]
fn no_output_contains_the_secret() {
    let d = detector();
    let token = expand("ghp_{a36}", 7);
    let aws = expand("AKIA{B16}", 8);
    let pw = expand("{a20}", 9);
    let text = format!(
        "token={token} key={aws}\nDATABASE_URL=postgres://svc:{pw}@db:5432/x\nagain: {token}\n"
    );
    let found = scan(&d, "deploy/.env", text.as_bytes());
    assert!(found.len() >= 4, "{found:?}");
    for e in &found {
        let everything = format!(
            "{} {:?} {:?} {}",
            e.message,
            e.evidence,
            e,
            String::from_utf8_lossy(&e.key)
        );
        for secret in [&token, &aws, &pw] {
            assert!(!everything.contains(secret.as_str()), "{everything}");
            assert!(!everything.contains(&secret[4..]), "{everything}");
        }
        let evidence = e.evidence.as_ref().expect("evidence");
        assert!(evidence.redacted);
        assert!(
            evidence.snippet.contains("…[sha256:"),
            "{}",
            evidence.snippet
        );
        assert_eq!(e.key.len(), 32);
    }
    let first = &found[0];
    assert_eq!(first.rule.id, "secret.github-pat");
    assert!(first.message.contains("ghp_…[sha256:"), "{}", first.message);
    let snippet = &first.evidence.as_ref().unwrap().snippet;
    assert!(
        snippet.starts_with("token=ghp_…[sha256:") && snippet.contains(" key=AKIA…[sha256:"),
        "{snippet}"
    );
    // The same secret twice has the same key (its hash).
    let keys: Vec<_> = found
        .iter()
        .filter(|e| e.rule.id == "secret.github-pat")
        .map(|e| e.key.clone())
        .collect();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1]);
    // The Secret type never shows its value.
    let s = oversight_secrets::Secret::new(token.clone().into_bytes(), 4);
    assert!(!format!("{s:?} {s}").contains(&token[4..]));
}

#[test]
fn base64_encoded_secret_is_found() {
    use base64::Engine as _;
    let d = detector();
    let inner = format!("aws_access_key_id={}\n", expand("AKIA{B16}", 11));
    let encoded = base64::engine::general_purpose::STANDARD.encode(inner.as_bytes());
    let text = format!("apiVersion: v1\nkind: ConfigMap\ndata:\n  blob: {encoded}\n");
    let found = scan(&d, "k8s/cm.yaml", text.as_bytes());
    let hit = found
        .iter()
        .find(|e| e.rule.id == "secret.aws-access-key-id")
        .unwrap_or_else(|| panic!("{found:?}"));
    assert_eq!(hit.line_col.map(|l| l.0), Some(4));
    assert!(
        hit.message.contains("in base64-decoded data at line 1"),
        "{}",
        hit.message
    );
    assert!(!hit.evidence.as_ref().unwrap().snippet.contains(&encoded));
}

#[test]
fn percent_encoded_secret_is_found() {
    let d = detector();
    let secret = expand("{b40}", 12).replace('/', "%2F").replace('+', "%2B");
    let text = format!("callback=https://x.test/cb?aws_secret_access_key%3D{secret}\n");
    let found = rule_ids(&d, "logs/access.log", &text);
    assert!(
        found.contains(&"secret.aws-secret-access-key".to_owned()),
        "{found:?}"
    );
}

#[test]
fn pem_block_in_a_binary_file_is_found_once() {
    let d = detector();
    let mut content = vec![0u8, 1, 2, 3, 0x7f, b'E', b'L', b'F', 0];
    content.extend_from_slice(
        expand(
            "-----BEGIN RSA PRIVATE KEY-----\n{b64}\n{b64}\n{b64}\n-----END RSA PRIVATE KEY-----\n",
            13,
        )
        .as_bytes(),
    );
    content.extend_from_slice(&[0u8; 64]);
    // A generic assignment in a binary is not searched.
    content.extend_from_slice(format!("password=\"{}\"\0", expand("{a16}", 14)).as_bytes());
    let found = rule_ids(&d, "bin/app", &String::from_utf8_lossy(&content));
    let found_bytes: Vec<String> = scan(&d, "bin/app", &content)
        .into_iter()
        .map(|e| e.rule.id.to_owned())
        .collect();
    assert_eq!(
        found_bytes,
        vec!["secret.rsa-private-key".to_owned()],
        "{found:?}"
    );
}

#[test]
fn a_key_dump_is_capped() {
    let d = detector();
    let text: String = (0..150)
        .map(|n| format!("{}\n", expand("ghp_{a36}", 100 + n)))
        .collect();
    let found = rule_ids(&d, "dump.txt", &text);
    assert_eq!(found.len(), 101);
    assert_eq!(
        found.last().map(String::as_str),
        Some("secret.more-secrets-in-file")
    );
}

/// Generous in unoptimised builds, where the `regex` crate is some 100 times
/// slower (about 1 s in release for both inputs together).
fn time_bound() -> Duration {
    Duration::from_secs(if cfg!(debug_assertions) { 240 } else { 20 })
}

#[test]
fn huge_line_and_random_bytes_finish_quickly() {
    let d = detector();
    let mut line = String::with_capacity(5 << 20);
    let chunk = "token=a password: key-value api_key secret=\"x\" https://a:b@c eyJ AKIA sk_live_ ";
    while line.len() < 5 << 20 {
        line.push_str(chunk);
    }
    let start = Instant::now();
    let _ = scan(&d, "min.js", line.as_bytes());
    assert!(start.elapsed() < time_bound(), "{:?}", start.elapsed());

    let mut g = Gen(42);
    let random: Vec<u8> = (0..(2 << 20)).map(|_| g.next() as u8).collect();
    let start = Instant::now();
    let _ = scan(&d, "blob.bin", &random);
    assert!(start.elapsed() < time_bound(), "{:?}", start.elapsed());
}

#[test]
fn redaction_shows_at_most_the_documented_prefix() {
    let d = detector();
    let pw = expand("{a20}", 21);
    let found = scan(&d, "a.env", format!("DB_PASSWORD=\"{pw}\"\n").as_bytes());
    assert_eq!(found.len(), 1, "{found:?}");
    // A password has no public prefix: nothing of it is shown.
    assert!(
        found[0]
            .message
            .ends_with(&format!(": …[sha256:{}]", &hex(&found[0].key)[..12])),
        "{}",
        found[0].message
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Tokens of test.pypi.org have their own prefix (the macaroon's location
/// `test.pypi.org`, base64) and are found like those of pypi.org.
#[test]
fn test_pypi_upload_tokens_are_found() {
    let d = detector();
    let token = expand("pypi-AgENdGVzdC5weXBpLm9yZw{u70}", 11);
    assert_eq!(
        rule_ids(&d, ".pypirc", &format!("[testpypi]\npassword = {token}\n")),
        ["secret.pypi-upload-token"]
    );
}

/// A generic credential-looking value in a test file or fixture is reported
/// at low with that reason, never dropped; a real-format key next to it
/// keeps its own rule and severity.
#[test]
fn generic_values_in_test_fixtures_are_lowered_but_real_formats_are_not() {
    let d = detector();
    let password = expand("password = \"{a24}\"", 5);
    let pat = expand("GITHUB_TOKEN=ghp_{a36}", 5);
    let text = format!("{password}\n{pat}\n");
    let in_fixture = rule_ids(&d, "tests/fixtures/settings.py", &text);
    assert!(
        in_fixture.contains(&"secret.test-fixture-credential".to_owned()),
        "{in_fixture:?}"
    );
    assert!(
        in_fixture.contains(&"secret.github-pat".to_owned()),
        "{in_fixture:?}"
    );
    assert!(
        !in_fixture.contains(&"secret.generic-password".to_owned()),
        "{in_fixture:?}"
    );
    let in_source = rule_ids(&d, "src/settings.py", &text);
    assert!(
        in_source.contains(&"secret.generic-password".to_owned()),
        "{in_source:?}"
    );
    for (path, test) in [
        ("pkg/server_test.go", true),
        ("tests/test_api.py", true),
        ("src/__tests__/app.test.js", true),
        ("testdata/creds.json", true),
        ("release.zip!/spec/models/user_spec.rb", true),
        ("src/main.rs", false),
        ("src/contest.py", false),
        ("docs/testimonials.md", false),
    ] {
        assert_eq!(oversight_secrets::is_test_path(path), test, "{path}");
    }
}
