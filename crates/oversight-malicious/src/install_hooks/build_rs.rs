//! Cargo build scripts: present at all, and whether they start processes or
//! use the network.

use std::sync::LazyLock;

use oversight_detect::{Emit, Sink, Window};
use regex::bytes::Regex;

use super::BUILD_SCRIPT;
use crate::text::quote;

/// `Command::new(…)`, with what it starts.
static COMMAND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\bCommand\s*::\s*new\s*\(\s*(?:"[^"\n]{0,80}"|[\w:.&]{1,80})"#)
        .expect("valid regex")
});

/// Network access: HTTP clients, sockets, URLs.
static NETWORK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:reqwest|ureq|attohttpc|minreq|isahc|curl::|hyper::|TcpStream|UdpSocket|https?://[^\s\x22]{1,80})")
        .expect("valid regex")
});

/// `fn main`, which every build script has.
static MAIN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bfn\s+main\s*\(").expect("valid regex"));

/// Reads a `build.rs`.
pub(super) fn check(content: &[u8], sink: &mut dyn Sink) {
    if !MAIN.is_match(content) {
        return;
    }
    let commands: Vec<_> = COMMAND.find_iter(content).take(5).collect();
    let network: Vec<_> = NETWORK.find_iter(content).take(5).collect();
    let mut message = "Cargo build script runs code on every build".to_owned();
    let describe = |found: &[regex::bytes::Match<'_>]| {
        let mut listed: Vec<String> = Vec::new();
        for m in found {
            let text = format!("`{}`", quote(m.as_bytes()));
            if !listed.contains(&text) {
                listed.push(text);
            }
        }
        listed.join(", ")
    };
    if !commands.is_empty() {
        message.push_str(&format!("; it starts processes ({})", describe(&commands)));
    }
    if !network.is_empty() {
        message.push_str(&format!("; it uses the network ({})", describe(&network)));
    }
    // The whole script is the key: any change to it deserves a new look.
    let key = content.to_vec();
    let first_notable = commands
        .iter()
        .chain(network.iter())
        .map(|m| m.start())
        .min();
    let emit = match first_notable {
        Some(at) => {
            let window = Window::whole(content);
            let (_, line) = window.line_around(at as u64, 256);
            Emit::at(&BUILD_SCRIPT, window.line_col(at as u64), message, key)
                .with_snippet(quote(line))
        }
        None => Emit::file(&BUILD_SCRIPT, message, key),
    };
    sink.emit(emit);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_text(text: &str) -> Vec<Emit> {
        let mut found = Vec::new();
        check(text.as_bytes(), &mut found);
        found
    }

    #[test]
    fn plain_build_scripts_are_reported_without_position() {
        let found =
            check_text("fn main() {\n    println!(\"cargo:rerun-if-changed=build.rs\");\n}\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line_col, None);
        assert_eq!(
            found[0].message,
            "Cargo build script runs code on every build"
        );
    }

    #[test]
    fn processes_and_network_are_named() {
        let text = "use std::process::Command;\nfn main() {\n    let body = reqwest::blocking::get(\"https://x.example/p\");\n    Command::new(\"sh\").arg(\"-c\");\n}\n";
        let found = check_text(text);
        assert_eq!(found[0].line_col, Some((3, 16)));
        assert!(
            found[0]
                .message
                .contains("starts processes (`Command::new(\"sh\"`)"),
            "{}",
            found[0].message
        );
        assert!(
            found[0]
                .message
                .contains("`reqwest`, `https://x.example/p`"),
            "{}",
            found[0].message
        );
        assert!(check_text("// not a build script\n").is_empty());
    }
}
