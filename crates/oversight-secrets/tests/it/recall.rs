//! Recall of the built-in rules on planted credentials (issue 22, part 5).
//!
//! Two sets, both written for this test (not taken from, nor tuned on, the
//! benign trees the precision benchmark reads):
//!
//! * **real-format**: the true-positive sample of every provider-specific
//!   rule, planted in four places (a `.env` file, a Python module, a test
//!   fixture and a Markdown document). Each must be reported under its own
//!   rule at its own severity wherever it is: a test or documentation path
//!   never lowers a real-format key. Target: 100 %.
//! * **generic**: credentials without a recognisable format (passwords,
//!   random API keys, session secrets, bearer tokens) assigned the way real
//!   projects assign them, in the files they put them in (`.env`, YAML,
//!   properties, Python, JavaScript, TypeScript, Go, Java, C#, Ruby, PHP,
//!   Terraform, shell, Docker Compose, Kubernetes, INI, TOML, JSON), with
//!   values of the shapes people use: word-and-digit passwords, password
//!   manager output, hex and base64 keys. Each must be reported at high or
//!   above (outside test paths). Target: at least 90 %.
//!
//! Values are generated when the test runs, so that no realistic credential
//! sits in this file. `cargo test -p oversight-secrets --test it recall --
//! --nocapture` prints the figures that `bench/secrets-precision.sh` reports.

use oversight_detect::Detector as _;
use oversight_model::Severity;
use oversight_secrets::SecretsDetector;

use crate::samples::SAMPLES;
use crate::util::scan;

/// A deterministic generator (xorshift), seeded per template.
struct Gen(u64);

impl Gen {
    fn new(seed: u64) -> Gen {
        Gen(0x2545_F491_4F6C_DD1D ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }

    fn take(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize] as char)
            .collect()
    }
}

/// Words of the human-chosen passwords (`{P}`).
const WORDS: &[&str] = &[
    "Falcon", "Harbor", "Maple", "Sunset", "Granite", "Orchid", "Velvet", "Thunder", "Copper",
    "Meadow", "Rocket", "Winter", "Summer", "Dragon", "Marlin", "Cobalt", "Juniper", "Lantern",
];

/// Expands `{cN}` (N characters of class `c`) and `{P}` (a password of one
/// of the shapes people use) in `template`.
///
/// Classes: `a` letters and digits, `u` URL-safe base64, `b` base64, `h`
/// lower-case hex, `H` upper-case hex, `s` password-manager output (letters,
/// digits and `!@#%^&*-_+=?.`), `d` Django's secret-key alphabet.
fn expand(template: &str, seed: u64) -> String {
    let mut g = Gen::new(seed);
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let spec = &rest[open + 1..open + close];
        let class = spec.chars().next().unwrap_or(' ');
        let n: usize = spec[class.len_utf8()..].parse().unwrap_or(0);
        let alphabet: Option<&[u8]> = match class {
            'a' => Some(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
            'u' => Some(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"),
            'b' => Some(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
            'h' => Some(b"0123456789abcdef"),
            'H' => Some(b"0123456789ABCDEF"),
            's' => Some(b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!@#%^&*-_+=?."),
            'd' => Some(b"abcdefghijklmnopqrstuvwxyz0123456789!@#%^&*(-_=+)"),
            _ => None,
        };
        out.push_str(&rest[..open]);
        match (spec, alphabet) {
            ("P", _) => out.push_str(&password(&mut g)),
            (_, Some(alphabet)) if n > 0 => out.push_str(&g.take(alphabet, n)),
            _ => out.push_str(&rest[open..=open + close]),
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// A password of one of the shapes people choose: a word, digits and a
/// symbol; two words and digits; or password-manager output.
fn password(g: &mut Gen) -> String {
    match g.next() % 4 {
        0 => format!(
            "{}{}{}",
            g.pick(WORDS),
            g.take(b"0123456789", 4),
            g.pick(&["!", "#", "@", "?", "*", "%"])
        ),
        1 => format!(
            "{}{}{}",
            g.pick(WORDS),
            g.pick(WORDS).to_lowercase(),
            g.take(b"0123456789", 3)
        ),
        2 => format!(
            "{}-{}-{}",
            g.pick(WORDS).to_lowercase(),
            g.take(b"0123456789", 2),
            g.pick(WORDS)
        ),
        _ => g.take(
            b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!@#%^&*-_+=?.",
            16,
        ),
    }
}

/// `(path, file text)`: generic credentials in realistic files. Every line
/// holding a `{…}` is one planted credential.
const GENERIC: &[(&str, &str)] = &[
    (
        ".env",
        "NODE_ENV=production\nDB_HOST=db.internal\nDB_PASSWORD={P}\nPOSTGRES_PASSWORD={P}\n\
         REDIS_PASSWORD={a24}\nSMTP_PASSWORD={P}\nJWT_SECRET={a48}\nSESSION_SECRET={h64}\n\
         API_KEY={a32}\nPAYMENT_API_KEY={h40}\nAUTH_TOKEN={a40}\nINTERNAL_API_TOKEN={h32}\n",
    ),
    (
        "deploy/production.env",
        "export APP_SECRET=\"{h32}\"\nexport ACCESS_TOKEN='{u43}'\nexport ADMIN_PASSWORD={P}\n",
    ),
    (
        "config/application.yml",
        "spring:\n  datasource:\n    url: jdbc:postgresql://db:5432/app\n    username: app\n    \
         password: {P}\n  mail:\n    password: \"{P}\"\nsecurity:\n  oauth2:\n    client-secret: {u40}\n\
         partner:\n  api-key: {h32}\n  token: {a40}\n",
    ),
    (
        "src/main/resources/application.properties",
        "spring.datasource.password={P}\nspring.mail.password={P}\napp.jwt.secret={a64}\n\
         partner.api.key={h32}\nservice.auth-token={a36}\n",
    ),
    (
        "app/settings.py",
        "import os\n\nDEBUG = False\nSECRET_KEY = \"{d50}\"\nDATABASES = {\n    \"default\": {\n        \
         \"ENGINE\": \"django.db.backends.postgresql\",\n        \"PASSWORD\": \"{P}\",\n    }\n}\n\
         STRIPE_WEBHOOK_SECRET = \"{a32}\"\nMAILGUN_API_KEY = '{h32}'\n",
    ),
    (
        "app/clients.py",
        "from partner import Client\n\nclient = Client(api_key=\"{a32}\")\n\
         def connect():\n    return db.connect(host=\"db\", user=\"svc\", password=\"{P}\")\n",
    ),
    (
        "src/config.js",
        "module.exports = {\n  port: 8080,\n  password: \"{P}\",\n  apiKey: \"{a32}\",\n  \
         sessionSecret: '{a40}',\n};\nconst API_TOKEN = \"{a40}\";\n",
    ),
    (
        "src/services/payments.ts",
        "export const PAYMENT_API_KEY = \"{h40}\";\nconst authToken: string = \"{u43}\";\n\
         const clientSecret = `{a48}`;\n",
    ),
    (
        "internal/db/db.go",
        "package db\n\nconst dbPassword = \"{P}\"\n\nfunc Open() {\n\tapiToken := \"{h40}\"\n\t\
         cfg := Config{\n\t\tPassword: \"{P}\",\n\t\tToken:    \"{a40}\",\n\t}\n\t_ = cfg\n}\n",
    ),
    (
        "src/main/java/com/acme/Config.java",
        "package com.acme;\n\npublic class Config {\n    private static final String PASSWORD = \"{P}\";\n    \
         private static final String API_KEY = \"{a32}\";\n    String secretKey = \"{b40}\";\n}\n",
    ),
    (
        "Acme.Web/appsettings.json",
        "{\n  \"Partner\": {\n    \"ApiKey\": \"{a32}\",\n    \"ClientSecret\": \"{u40}\"\n  },\n  \
         \"Smtp\": { \"Password\": \"{P}\" }\n}\n",
    ),
    (
        "Acme.Web/Services/Mailer.cs",
        "public class Mailer {\n    private const string SmtpPassword = \"{P}\";\n    \
         private readonly string apiKey = \"{a32}\";\n}\n",
    ),
    (
        "config/initializers/partner.rb",
        "Partner.configure do |config|\n  config.api_key = \"{a32}\"\n  config.secret = '{h40}'\nend\n",
    ),
    (
        "config/database.php",
        "<?php\nreturn [\n    'host' => 'db',\n    'password' => '{P}',\n    'api_key' => '{h32}',\n];\n",
    ),
    (
        "infra/main.tf",
        "resource \"aws_db_instance\" \"app\" {\n  engine   = \"postgres\"\n  username = \"app\"\n  \
         password = \"{P}\"\n}\n\nvariable \"api_token\" {\n  default = \"{a40}\"\n}\n\
         locals {\n  api_token = \"{a40}\"\n}\n",
    ),
    (
        "scripts/deploy.sh",
        "#!/bin/sh\nset -e\nexport API_TOKEN={a40}\nmysql -u root --password={P} app < dump.sql\n\
         curl -H \"X-Api-Key: {h32}\" https://api.partner.invalid/v1/deploy\n",
    ),
    (
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: {P}\n      \
         - MYSQL_ROOT_PASSWORD={P}\n  app:\n    environment:\n      SECRET_KEY_BASE: {h64}\n",
    ),
    (
        "k8s/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\nstringData:\n  password: {P}\n  \
         api-key: {a32}\n  token: \"{u40}\"\n",
    ),
    (
        "conf/app.ini",
        "[database]\nhost = db\npassword = {P}\n\n[partner]\napi_key = {h32}\nsecret = {a32}\n",
    ),
    (
        "config/app.toml",
        "[database]\npassword = \"{P}\"\n\n[auth]\nsigning_key = \"{b44}\"\ntoken = \"{a40}\"\n",
    ),
    (
        "src/client.rs",
        "pub const API_TOKEN: &str = \"{a40}\";\nstatic PASSWORD: &str = \"{P}\";\n",
    ),
    (
        "app/src/main/kotlin/Api.kt",
        "object Api {\n    val apiKey: String = \"{a32}\"\n    private const val CLIENT_SECRET = \"{u40}\"\n}\n",
    ),
    (
        "Sources/App/Config.swift",
        "struct Config {\n    static let password: String = \"{P}\"\n    static let apiToken = \"{h40}\"\n}\n",
    ),
    (
        ".github/workflows/deploy.yml",
        "jobs:\n  deploy:\n    env:\n      DEPLOY_TOKEN: {a40}\n      REGISTRY_PASSWORD: \"{P}\"\n",
    ),
    (
        "charts/app/values.yaml",
        "auth:\n  password: {P}\n  secret: {h32}\nredis:\n  password: \"{P}\"\n",
    ),
    (
        "ansible/group_vars/all.yml",
        "ansible_become_password: {P}\nvault_api_key: {h40}\n",
    ),
    (
        "gradle.properties",
        "signing.password={P}\nnexusPassword={P}\n",
    ),
    (
        "Jenkinsfile",
        "pipeline {\n  environment {\n    API_KEY = '{h32}'\n    DB_PASSWORD = \"{P}\"\n  }\n}\n",
    ),
    (
        "wordpress/wp-config.php",
        "<?php\ndefine('DB_PASSWORD', '{P}');\ndefine('AUTH_KEY', '{d64}');\n",
    ),
    (
        "ci/pipeline.json",
        "{\"stage\": \"deploy\", \"password\": \"{P}\", \"access_token\": \"{u43}\"}\n",
    ),
];

fn detector() -> SecretsDetector {
    oversight_secrets::builtin().expect("the built-in rules load")
}

/// A planted file: its path, its text and `(line, value)` of each planted
/// credential.
type Planted = (String, String, Vec<(u32, String)>);

/// The planted generic credentials.
fn generic_files() -> Vec<Planted> {
    let mut files = Vec::new();
    for (n, (path, template)) in GENERIC.iter().enumerate() {
        let mut text = String::new();
        let mut planted = Vec::new();
        for (i, line) in template.lines().enumerate() {
            let seed = (n as u64) << 16 | i as u64;
            let expanded = expand(line, seed);
            if expanded != line {
                let value = value_of(line, &expanded);
                planted.push((i as u32 + 1, value));
            }
            text.push_str(&expanded);
            text.push('\n');
        }
        files.push(((*path).to_owned(), text, planted));
    }
    files
}

/// The generated part of `expanded`, given its template.
fn value_of(template: &str, expanded: &str) -> String {
    let open = template.find('{').expect("a placeholder");
    let close = template.find('}').expect("a placeholder");
    let tail = template.len() - close - 1;
    expanded[open..expanded.len() - tail].to_owned()
}

/// Runs the recall sets and returns `(found, planted)` for the real-format
/// and the generic set, with a line per miss.
fn recall() -> ((usize, usize), (usize, usize), Vec<String>) {
    let d = detector();
    let mut misses = Vec::new();
    let generic_rules = [
        "generic-password",
        "generic-secret",
        "generic-token",
        "generic-api-key",
    ];

    let mut real = (0, 0);
    for (n, (id, tp, _)) in SAMPLES.iter().enumerate() {
        if generic_rules.contains(id) {
            continue;
        }
        let rule_id = format!("secret.{id}");
        let severity = d
            .rules()
            .iter()
            .find(|r| r.id == rule_id)
            .map(|r| r.default_severity)
            .expect("the sample's rule exists");
        let line = expand_sample(tp, n as u64);
        for (path, text) in [
            ("config/service.env", format!("# service\n{line}\n")),
            ("app/settings.py", format!("import os\n\n{line}\n")),
            ("tests/fixtures/service.yaml", format!("fixture:\n{line}\n")),
            ("docs/setup.md", format!("# Setup\n\n```\n{line}\n```\n")),
        ] {
            real.1 += 1;
            let found = scan(&d, path, text.as_bytes());
            if found
                .iter()
                .any(|e| e.rule.id == rule_id && e.rule.default_severity == severity)
            {
                real.0 += 1;
            } else {
                misses.push(format!("real-format {rule_id} in {path}: missed"));
            }
        }
    }

    let mut generic = (0, 0);
    for (path, text, planted) in generic_files() {
        let found = scan(&d, &path, text.as_bytes());
        for (line, value) in planted {
            generic.1 += 1;
            let hit = found.iter().any(|e| {
                e.line_col.map(|(l, _)| l) == Some(line)
                    && e.rule.default_severity >= Severity::High
            });
            if hit {
                generic.0 += 1;
            } else {
                let shape: String = value
                    .chars()
                    .map(|c| match c {
                        'a'..='z' => 'a',
                        'A'..='Z' => 'A',
                        '0'..='9' => '9',
                        other => other,
                    })
                    .collect();
                let context = text.lines().nth(line as usize - 1).unwrap_or("");
                let context = context.replace(&value, &format!("<{shape}>"));
                misses.push(format!(
                    "generic {path}:{line}: missed `{}`",
                    context.trim()
                ));
            }
        }
    }
    (real, generic, misses)
}

/// The sample expander of the rule samples (same classes as `builtin.rs`).
fn expand_sample(template: &str, seed: u64) -> String {
    crate::builtin::expand(template, seed)
}

fn percent((found, planted): (usize, usize)) -> f64 {
    100.0 * found as f64 / planted.max(1) as f64
}

#[test]
fn recall_on_planted_credentials() {
    let (real, generic, misses) = recall();
    println!(
        "recall real-format: {}/{} ({:.1} %)",
        real.0,
        real.1,
        percent(real)
    );
    println!(
        "recall generic: {}/{} ({:.1} %)",
        generic.0,
        generic.1,
        percent(generic)
    );
    for miss in &misses {
        println!("  {miss}");
    }
    assert!(
        real.1 >= 150 * 4,
        "every specific rule is planted: {real:?}"
    );
    assert!(generic.1 >= 80, "the generic set is planted: {generic:?}");
    assert_eq!(
        real.0,
        real.1,
        "every real-format key is found:\n{}",
        misses.join("\n")
    );
    assert!(
        percent(generic) >= 90.0,
        "generic recall {:.1} % < 90 %:\n{}",
        percent(generic),
        misses.join("\n")
    );
}

/// The same generic credentials in a test path are still reported, at low,
/// as `secret.test-fixture-credential`: never dropped.
#[test]
fn planted_generic_credentials_in_tests_are_lowered_not_dropped() {
    let d = detector();
    let mut planted_total = 0;
    let mut reported = 0;
    for (path, text, planted) in generic_files() {
        let path = format!("tests/fixtures/{path}");
        let found = scan(&d, &path, text.as_bytes());
        for (line, _) in &planted {
            planted_total += 1;
            let at_line: Vec<_> = found
                .iter()
                .filter(|e| e.line_col.map(|(l, _)| l) == Some(*line))
                .collect();
            if !at_line.is_empty() {
                reported += 1;
            }
            for e in at_line {
                assert_eq!(e.rule.id, "secret.test-fixture-credential", "{path}:{line}");
                assert_eq!(e.rule.default_severity, Severity::Low);
            }
        }
    }
    assert!(
        percent((reported, planted_total)) >= 90.0,
        "{reported}/{planted_total}"
    );
}
