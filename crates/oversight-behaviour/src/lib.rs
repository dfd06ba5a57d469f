//! Behaviour rules over parsed code: what a delivery's code *does*.
//!
//! # What it detects
//!
//! Python, JavaScript/TypeScript (minified too), Ruby, Go, shell and
//! PowerShell files are parsed with tree-sitter and walked by an evaluator ([`eval`]) that
//! follows what a reader follows: imports and aliases
//! (`from base64 import b64decode as d`, `const cp = require('child_process')`,
//! `__import__('os')`, `getattr(__builtins__, 'ex'+'ec')`), strings built
//! at run time (concatenation, `chr()`/`String.fromCharCode` joins,
//! `bytes.fromhex`, reversed and joined lists, base64 and hex literals
//! decoded for inspection) and short data flow within a file (a value
//! decoded, downloaded or read from a credential store that reaches an
//! executor, a file write or the network; callbacks and blocks receive the
//! taint of the call that runs them). CI workflows, build files and any
//! file too large to parse are read by line rules.
//!
//! What the code does is then matched against the rule set ([`RuleSet`]):
//! rule files in `rules/` (one documented TOML format, `rules/README.md`),
//! each rule with an id, a behaviour class, a severity, a message, the
//! public attack or technique it describes, and positive and negative
//! samples the tests run. Reviewers add their own rules in the same format.
//!
//! # Why it matters
//!
//! Real supply-chain attacks (event-stream, ua-parser-js, ctx, torchtriton,
//! W4SP, Shai-Hulud) hide in a few lines of ordinary-looking code: a
//! download that is executed, an environment sent to a webhook. Matching
//! lines finds the obvious cases; following names and values finds the
//! ones written to get past line matching.
//!
//! # Example
//!
//! ```
//! use oversight_detect::reference::run_detector;
//!
//! let detector = oversight_behaviour::Behaviour::builtin().expect("the built-in rules load");
//! let code = b"import base64 as b\nd = b.b64decode('cHJpbnQoMSk=')\nexec(d)\n";
//! let found = run_detector(&detector, "pkg/__init__.py", code);
//! assert!(found.iter().any(|f| f.rule.id == "malicious.decode-then-exec" && f.line_col == Some((3, 1))));
//! ```
//!
//! # How to resolve or accept
//!
//! Read the code at the reported lines; the message says which call
//! received which kind of data from which line. Accept a finding with a
//! waiver naming why the behaviour is legitimate (an installer that
//! downloads its own signed binary), or lower a rule's severity in the
//! reviewer's configuration.
//!
//! # References
//!
//! Each rule names its own; the families follow MITRE ATT&CK (T1059,
//! T1140, T1105, T1041, T1027, T1546, T1053, T1497) and the OpenSSF
//! malicious-packages reports.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod eval;
pub mod hooks;
pub mod lang;
mod matcher;
pub mod rules;

use std::path::Path;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use oversight_detect::{Detector, Emit, FileInfo, Sink};
use oversight_model::{Category, FileClass, Rule, Severity};

pub use hooks::{HookSite, InstallHooks};
pub use lang::Lang;
pub use rules::{BehaviourRule, RuleError, RuleSet, Sample};

/// A file that could not be analysed completely: too deep, too slow, or
/// with grammar errors. The line rules still ran on it.
pub static PARSE_LIMIT: Rule = Rule {
    id: "coverage.behaviour-analysis-incomplete",
    category: Category::Coverage,
    default_severity: Severity::Low,
    summary: "The behaviour analysis of a file was cut short or met grammar errors",
    help: "Part of the file was not analysed for behaviour (execution, downloads, exfiltration); \
           only the line rules covered it. Read the region the message names.",
};

/// A behaviour finding of medium severity or above in a file that an
/// install hook runs (`"postinstall": "node scripts/x.js"`, a `setup.py`
/// command class from a module of the package, a gemspec's `extensions`):
/// the behaviour runs on every install, so it is raised to high.
pub static INSTALL_HOOK_BEHAVIOUR: Rule = Rule {
    id: "malicious.install-hook-behaviour",
    category: Category::Malicious,
    default_severity: Severity::High,
    summary: "Behaviour of a file that an install hook runs: it runs on every install",
    help: "An install hook (npm lifecycle script, setup.py cmdclass, gemspec extensions) runs this \
           file when the package is installed; the behaviour named runs on the installing machine \
           without anyone importing the package (coa, rc and ua-parser-js, 2021). Read the file \
           and the hook the message names.",
};

/// Files larger than this are not parsed; the engine reports them as a
/// coverage finding and the line-based detectors still read them.
pub const MAX_PARSE_BYTES: u64 = 2 * 1024 * 1024;

/// How long one file's parse and analysis may take.
const FILE_BUDGET: Duration = Duration::from_secs(3);

/// The built-in rule files, compiled into the binary.
const BUILTIN: &[(&str, &str)] = &[
    ("apis.toml", include_str!("../rules/apis.toml")),
    ("exec.toml", include_str!("../rules/exec.toml")),
    (
        "exfiltration.toml",
        include_str!("../rules/exfiltration.toml"),
    ),
    ("endpoints.toml", include_str!("../rules/endpoints.toml")),
    (
        "obfuscation.toml",
        include_str!("../rules/obfuscation.toml"),
    ),
    ("host.toml", include_str!("../rules/host.toml")),
    ("install.toml", include_str!("../rules/install.toml")),
    ("ci.toml", include_str!("../rules/ci.toml")),
];

static BUILTIN_SET: LazyLock<Result<Arc<RuleSet>, String>> = LazyLock::new(|| {
    let texts: Vec<rules::RuleText<'_>> = BUILTIN
        .iter()
        .map(|(name, text)| rules::RuleText {
            path: Path::new("crates/oversight-behaviour/rules").join(name),
            text: std::borrow::Cow::Borrowed(*text),
        })
        .collect();
    rules::build(&texts)
        .map(Arc::new)
        .map_err(|e| e.to_string())
});

impl RuleSet {
    /// The built-in rule set.
    ///
    /// # Errors
    /// When a built-in file is invalid (a bug the crate's tests catch).
    pub fn builtin() -> Result<Arc<RuleSet>, RuleError> {
        BUILTIN_SET.clone().map_err(|reason| RuleError::Syntax {
            path: "crates/oversight-behaviour/rules".into(),
            line: 1,
            reason,
        })
    }

    /// The built-in rules plus every `*.toml` file of `dir` (a reviewer's
    /// rules; an `apis.toml` there adds capabilities and taints). All or
    /// nothing: any problem is an error and no set is returned.
    ///
    /// # Errors
    /// A file that cannot be read, is not valid TOML, or holds an invalid rule.
    pub fn with_user_dir(dir: &Path) -> Result<RuleSet, RuleError> {
        let mut texts: Vec<rules::RuleText<'_>> = BUILTIN
            .iter()
            .map(|(name, text)| rules::RuleText {
                path: Path::new("crates/oversight-behaviour/rules").join(name),
                text: std::borrow::Cow::Borrowed(*text),
            })
            .collect();
        let read_err = |source| RuleError::Read {
            path: dir.to_path_buf(),
            source,
        };
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .map_err(read_err)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(|source| RuleError::Read {
                path: dir.to_path_buf(),
                source,
            })?;
        paths.retain(|p| p.extension().is_some_and(|e| e == "toml"));
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(|source| RuleError::Read {
                path: path.clone(),
                source,
            })?;
            texts.push(rules::RuleText {
                path,
                text: std::borrow::Cow::Owned(text),
            });
        }
        rules::build(&texts)
    }
}

/// The behaviour detector: one rule set, shared by every worker.
#[derive(Debug, Clone)]
pub struct Behaviour {
    set: Arc<RuleSet>,
    matcher: Arc<matcher::Matcher>,
    hooks: Option<Arc<InstallHooks>>,
}

impl Behaviour {
    /// The detector with the built-in rules.
    ///
    /// # Errors
    /// When the built-in rules are invalid.
    pub fn builtin() -> Result<Behaviour, RuleError> {
        Ok(Behaviour::new(RuleSet::builtin()?))
    }

    /// The detector with the built-in rules and a reviewer's rule directory.
    ///
    /// # Errors
    /// See [`RuleSet::with_user_dir`].
    pub fn with_user_dir(dir: &Path) -> Result<Behaviour, RuleError> {
        Ok(Behaviour::new(Arc::new(RuleSet::with_user_dir(dir)?)))
    }

    /// The detector over a loaded rule set.
    pub fn new(set: Arc<RuleSet>) -> Behaviour {
        let matcher = Arc::new(matcher::Matcher::new(&set));
        Behaviour {
            set,
            matcher,
            hooks: None,
        }
    }

    /// The same detector, told which files install hooks run (the
    /// cross-file pass: the caller reads the manifests first, see
    /// [`InstallHooks`]). Those files are analysed as install-time code
    /// and their findings name the hook.
    #[must_use]
    pub fn with_install_hooks(&self, hooks: Arc<InstallHooks>) -> Behaviour {
        Behaviour {
            hooks: (!hooks.is_empty()).then_some(hooks),
            ..self.clone()
        }
    }

    /// The rule set.
    pub fn rule_set(&self) -> &RuleSet {
        &self.set
    }

    /// Runs the samples of every rule loaded from a file under `under` (all
    /// rules when `None`) and returns where a rule disagrees with its own
    /// samples: no finding on a positive sample, a finding on a negative
    /// one, or a rule without one sample of each kind.
    pub fn check_samples(&self, under: Option<&Path>) -> Vec<SampleFailure> {
        let mut failures = Vec::new();
        for rule in self.set.rules() {
            if under.is_some_and(|dir| !rule.file.starts_with(dir)) {
                continue;
            }
            let positives = rule.samples.iter().filter(|s| s.positive).count();
            if positives == 0 || positives == rule.samples.len() {
                failures.push(SampleFailure {
                    rule: rule.rule.id.to_owned(),
                    file: rule.file.clone(),
                    line: rule.line,
                    sample: None,
                    expected_finding: positives == 0,
                });
            }
            for sample in &rule.samples {
                let fired = analyse(self, &sample.path, sample.code.as_bytes())
                    .iter()
                    .any(|e| e.rule.id == rule.rule.id);
                if fired != sample.positive {
                    failures.push(SampleFailure {
                        rule: rule.rule.id.to_owned(),
                        file: rule.file.clone(),
                        line: rule.line,
                        sample: Some(sample.path.clone()),
                        expected_finding: sample.positive,
                    });
                }
            }
        }
        failures
    }
}

/// A rule that disagrees with one of its samples (see
/// [`Behaviour::check_samples`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleFailure {
    /// The rule id.
    pub rule: String,
    /// The rule file.
    pub file: std::path::PathBuf,
    /// The line where the rule starts.
    pub line: usize,
    /// The sample's path; `None` when the rule lacks a positive or a
    /// negative sample.
    pub sample: Option<String>,
    /// Whether a finding was expected (a positive sample, or a missing one).
    pub expected_finding: bool,
}

impl std::fmt::Display for SampleFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.sample {
            Some(sample) => write!(
                f,
                "Rule file {}, line {}, rule `{}`: sample `{sample}` {}",
                self.file.display(),
                self.line,
                self.rule,
                if self.expected_finding {
                    "is positive but the rule does not fire on it"
                } else {
                    "is negative but the rule fires on it"
                }
            ),
            None => write!(
                f,
                "Rule file {}, line {}, rule `{}`: needs at least one positive and one negative sample (no {} sample)",
                self.file.display(),
                self.line,
                self.rule,
                if self.expected_finding {
                    "positive"
                } else {
                    "negative"
                }
            ),
        }
    }
}

/// What the detector reads whole: files of a known language by name,
/// files without an extension (shebang scripts), CI workflows and
/// `package.json`.
fn wanted(path: &str, file_name: &str) -> bool {
    if Lang::detect(file_name, b"").is_some() {
        return true;
    }
    let lower = file_name.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "package.json" | ".gitlab-ci.yml" | "makefile" | "cmakelists.txt" | "build.rs"
    ) || lower.ends_with(".bat")
        || lower.ends_with(".cmd")
        || lower.ends_with(".cmake")
    {
        return true;
    }
    if (lower.ends_with(".yml") || lower.ends_with(".yaml"))
        && (path.contains(".github/workflows/")
            || path.contains(".github/actions/")
            || lower.starts_with("action."))
    {
        return true;
    }
    !lower.contains('.')
        && !matches!(
            lower.as_str(),
            "license"
                | "copying"
                | "readme"
                | "authors"
                | "notice"
                | "changelog"
                | "record"
                | "metadata"
                | "wheel"
                | "installer"
                | "requested"
        )
}

impl Detector for Behaviour {
    fn name(&self) -> &'static str {
        "behaviour"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        self.set.model
    }

    fn whole_file_limit(&self, file: &FileInfo<'_>) -> Option<u64> {
        (file.class == FileClass::Text && wanted(&file.path.to_string(), file.file_name()))
            .then_some(MAX_PARSE_BYTES)
    }

    fn check_whole(&self, file: &FileInfo<'_>, content: &[u8], sink: &mut dyn Sink) {
        let path = file.path.to_string();
        let lang = Lang::detect(file.file_name(), content);
        let deadline = Instant::now() + FILE_BUDGET;
        let hook = self.hooks.as_deref().and_then(|h| h.target(&path));
        for emit in self.matcher.check(
            &self.set,
            &path,
            file.file_name(),
            lang,
            content,
            deadline,
            hook,
        ) {
            sink.emit(emit);
        }
    }
}

/// Runs the analysis on one in-memory file and returns the findings, as
/// the detector would emit them (for tools and tests).
pub fn analyse(detector: &Behaviour, path: &str, content: &[u8]) -> Vec<Emit> {
    let file_name = path.rsplit('/').next().unwrap_or(path);
    if !wanted(path, file_name) || content.len() as u64 > MAX_PARSE_BYTES {
        return Vec::new();
    }
    let lang = Lang::detect(file_name, content);
    let hook = detector.hooks.as_deref().and_then(|h| h.target(path));
    detector.matcher.check(
        &detector.set,
        path,
        file_name,
        lang,
        content,
        Instant::now() + FILE_BUDGET,
        hook,
    )
}
