//! npm `package.json`: lifecycle scripts, and downloads executed by any script.

use std::sync::LazyLock;

use oversight_detect::{Emit, Sink, Window};
use regex::Regex;
use serde_json::{Map, Value};

use super::{DOWNLOAD_AND_EXECUTE, INSTALL_SCRIPT, download};
use crate::text::{find_ci, quote};

/// Scripts npm runs on the machine that installs or removes the package.
const CONSUMER_HOOKS: [&str; 6] = [
    "preinstall",
    "install",
    "postinstall",
    "preuninstall",
    "uninstall",
    "postuninstall",
];

/// Scripts npm runs on `npm install` in the package's own checkout and when
/// the package is installed from git, but not from the registry.
const CHECKOUT_HOOKS: [&str; 2] = ["prepare", "prepublish"];

/// What makes a `prepare` or `prepublish` script worth reporting: network
/// access, inline code, encoded data. Building the package is its purpose.
const RISKY_WORDS: [&str; 20] = [
    "curl",
    "wget",
    "http://",
    "https://",
    "node -e",
    "node --eval",
    "node -p",
    "eval",
    "base64",
    "powershell",
    "pwsh",
    "iwr",
    "invoke-",
    "certutil",
    "bitsadmin",
    "/dev/tcp",
    "python -c",
    "sh -c",
    "| sh",
    "| bash",
];

/// `npm run x`, `yarn x`, `pnpm run x`: a script that runs another one.
static RUNS_SCRIPT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:npm\s+run(?:-script)?|yarn(?:\s+run)?|pnpm(?:\s+run)?|bun\s+run)\s+([\w:.\-]+)\s*$")
        .expect("valid regex")
});

/// Reads the scripts of a `package.json`.
pub(super) fn check(content: &[u8], sink: &mut dyn Sink) {
    let json = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
    let Ok(Value::Object(root)) = serde_json::from_slice::<Value>(json) else {
        return;
    };
    let Some(Value::Object(scripts)) = root.get("scripts") else {
        return;
    };
    let window = Window::whole(content);
    let scripts_at = find_ci(content, b"\"scripts\"").unwrap_or(0);
    for (name, value) in scripts {
        let Some(command) = value.as_str() else {
            continue;
        };
        let line_col = window.line_col(key_position(content, scripts_at, name) as u64);
        let chain = resolve(scripts, name, command);
        let described = chain
            .iter()
            .map(|(n, c)| format!("`{n}`: `{}`", quote(c.as_bytes())))
            .collect::<Vec<_>>()
            .join(" → ");
        let key = format!("{name}: {command}").into_bytes();
        let when = if CONSUMER_HOOKS.contains(&name.as_str()) {
            Some(if name.contains("uninstall") {
                "uninstalled"
            } else {
                "installed"
            })
        } else if CHECKOUT_HOOKS.contains(&name.as_str()) && looks_risky(&chain) {
            Some("installed from git or in its own checkout")
        } else {
            None
        };
        if let Some(when) = when {
            let message =
                format!("npm `{name}` script runs when the package is {when}: {described}");
            sink.emit(
                Emit::at(&INSTALL_SCRIPT, line_col, message, key.clone())
                    .with_snippet(quote(command.as_bytes())),
            );
        }
        for (script, command) in &chain {
            if let Some((_, found)) = download::analyse_command(command.as_bytes()) {
                let message = format!(
                    "npm script `{script}` downloads code and {}: `{}`",
                    found.how,
                    quote(command.as_bytes())
                );
                sink.emit(
                    Emit::at(&DOWNLOAD_AND_EXECUTE, line_col, message, key.clone())
                        .with_snippet(quote(command.as_bytes())),
                );
                break;
            }
        }
    }
}

/// The script and the scripts it runs through `npm run`, at most four deep.
fn resolve<'a>(
    scripts: &'a Map<String, Value>,
    name: &'a str,
    command: &'a str,
) -> Vec<(&'a str, &'a str)> {
    let mut chain = vec![(name, command)];
    let mut index = 0;
    while index < chain.len() && chain.len() < 8 {
        let (_, current) = chain[index];
        index += 1;
        for part in current.split("&&").flat_map(|p| p.split(';')) {
            let Some(target) = RUNS_SCRIPT.captures(part).and_then(|c| c.get(1)) else {
                continue;
            };
            let target = target.as_str();
            if chain.iter().any(|(n, _)| *n == target) {
                continue;
            }
            if let Some((key, Value::String(next))) = scripts.get_key_value(target) {
                chain.push((key.as_str(), next.as_str()));
            }
        }
    }
    chain
}

/// Whether any command in `chain` reaches the network or evaluates code.
fn looks_risky(chain: &[(&str, &str)]) -> bool {
    chain.iter().any(|(_, command)| {
        let command = command.to_ascii_lowercase();
        RISKY_WORDS.iter().any(|w| command.contains(w))
    })
}

/// Where the key `"name"` of the scripts object is written, or where the
/// object starts when it cannot be found.
fn key_position(content: &[u8], scripts_at: usize, name: &str) -> usize {
    let quoted = format!("\"{name}\"").to_ascii_lowercase();
    let mut from = scripts_at;
    while let Some(found) = find_ci(&content[from..], quoted.as_bytes()) {
        let at = from + found;
        let after = content[at + quoted.len()..].trim_ascii_start();
        if after.starts_with(b":") {
            return at;
        }
        from = at + 1;
    }
    scripts_at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_json(json: &str) -> Vec<Emit> {
        let mut found = Vec::new();
        check(json.as_bytes(), &mut found);
        found
    }

    #[test]
    fn hooks_are_followed_through_npm_run() {
        let found = check_json(
            r#"{"scripts": {"postinstall": "npm run setup", "setup": "node lib/fetch.js", "test": "jest"}}"#,
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(
            found[0].message,
            "npm `postinstall` script runs when the package is installed: `postinstall`: `npm run setup` → `setup`: `node lib/fetch.js`"
        );
    }

    #[test]
    fn prepare_is_reported_only_when_risky() {
        let quiet = [
            r#"{"scripts": {"prepare": "husky install", "build": "tsc -p ."}}"#,
            r#"{"scripts": {"prepare": "npm run build", "build": "tshy && bash scripts/build.sh"}}"#,
        ];
        for json in quiet {
            assert!(check_json(json).is_empty(), "{json}");
        }
        let risky =
            r#"{"scripts": {"prepare": "npm run x", "x": "node -e \"require('https').get(u)\""}}"#;
        assert_eq!(check_json(risky).len(), 1);
    }

    #[test]
    fn broken_json_and_odd_shapes_are_ignored() {
        assert!(check_json("{\"scripts\": ").is_empty());
        assert!(check_json(r#"{"scripts": ["postinstall"]}"#).is_empty());
        assert!(check_json(r#"{"scripts": {"postinstall": 1}}"#).is_empty());
        assert!(check_json("[]").is_empty());
    }
}
