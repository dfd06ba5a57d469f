//! One or more tests per format on real files, asserting components read
//! from the files by hand (counts cross-checked with grep).

use oversight_deps::{Format, Problem, parse, parse_as};
use oversight_model::{DeliveryPath, DependencyScope as Scope, Directness};

use crate::common::{corpora, find, find_version, run_real};

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(corpora().join("lockfile-fixtures").join(rel)).expect("fixture")
}

fn parse_fixture(rel: &str, format: Format) -> oversight_deps::Parsed {
    parse_as(format, &DeliveryPath::root(rel), &fixture(rel))
}

fn keys(c: &oversight_model::Component) -> Vec<&str> {
    c.depends_on.iter().map(String::as_str).collect()
}

#[test]
fn cargo_lock_v4_ruff() {
    let out = run_real("astral-sh__ruff/Cargo.lock");
    // `grep -c '^source = ' Cargo.lock`: 505 packages from a registry or
    // git; the 51 without a source are ruff's own workspace crates.
    assert_eq!(out.components.len(), 505);
    assert!(out.emits.is_empty());
    assert!(out.components.iter().all(|c| !c.name.starts_with("ruff_")));
    let aho = find(&out.components, "aho-corasick");
    assert_eq!(aho.version, "1.1.5");
    assert_eq!(aho.purl, "pkg:cargo/aho-corasick@1.1.5");
    // ruff_linter (a workspace member) depends on it.
    assert_eq!(aho.directness, Directness::Direct);
    assert_eq!(aho.scope, Scope::Unknown);
    assert_eq!(aho.line, Some(11));
    assert_eq!(keys(aho), ["memchr@2.8.3"]);
    assert_eq!(aho.hashes[0].algorithm, "SHA-256");
    assert_eq!(
        aho.hashes[0].hex,
        "c982642fa9e8606056828ee9a8505737230110bb1099153c79efe865c59d12ba"
    );
    // Only miniz_oxide needs adler2.
    let adler = find(&out.components, "adler2");
    assert_eq!(adler.directness, Directness::Transitive);
    assert_eq!(adler.line, Some(5));
    let miniz = find(&out.components, "miniz_oxide");
    assert_eq!(miniz.line, Some(2170));
    assert_eq!(keys(miniz), ["adler2@2.0.1"]);
}

#[test]
fn cargo_lock_v1_metadata_checksums() {
    let lock = "[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"serde 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)\",\n]\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[metadata]\n\"checksum serde 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)\" = \"00000000000000000000000000000000000000000000000000000000000000ff\"\n";
    let parsed = parse(&DeliveryPath::root("Cargo.lock"), lock.as_bytes()).unwrap();
    assert_eq!(parsed.components.len(), 1);
    let serde = &parsed.components[0];
    assert_eq!(serde.directness, Directness::Direct);
    assert_eq!(serde.line, Some(8));
    assert_eq!(serde.hashes[0].hex, format!("{}ff", "0".repeat(62)));
    assert!(parsed.problems.is_empty());
}

#[test]
fn cargo_lock_unknown_version_is_read_best_effort() {
    let lock = "version = 9\n\n[[package]]\nname = \"x\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
    let parsed = parse(&DeliveryPath::root("Cargo.lock"), lock.as_bytes()).unwrap();
    assert_eq!(parsed.components.len(), 1);
    assert!(
        matches!(&parsed.problems[..], [Problem::UnknownVersion { version, .. }] if version == "9")
    );
}

#[test]
fn package_lock_v3_playground_with_workspaces() {
    let out = run_real("astral-sh__ruff/playground/package-lock.json");
    // 546 installed entries under node_modules (links excluded); aliases
    // and nested copies of the same name@version make 542 components.
    assert_eq!(out.components.len(), 542);
    assert!(out.emits.is_empty());
    // Workspace members (`ruff`, `shared`, `ty`) are the project.
    assert!(
        !out.components
            .iter()
            .any(|c| c.name == "shared" || c.name == "ty")
    );
    let react = find(&out.components, "react");
    assert_eq!(react.version, "19.1.1");
    // Declared by the `ruff`, `ty` and `shared` workspaces.
    assert_eq!(react.directness, Directness::Direct);
    assert_eq!(react.scope, Scope::Runtime);
    assert_eq!(react.line, Some(6982));
    assert_eq!(react.license.as_deref(), Some("MIT"));
    assert_eq!(react.hashes[0].algorithm, "SHA-512");
    assert_eq!(
        react.hashes[0].hex,
        "c3c9ea1889a8e397663087e58e3330386b5b982fe693808c62158889c7527e51fdd49f53c82c9ccdc3c55c9ceb67f65772019115e3fa054d011094f0ead65d7d"
    );
    // `@typescript/native` is an alias of typescript 7.0.2, a root devDependency.
    let ts = find_version(&out.components, "typescript", "7.0.2");
    assert_eq!(ts.directness, Directness::Direct);
    assert_eq!(ts.scope, Scope::Development);
    assert_eq!(ts.license.as_deref(), Some("Apache-2.0"));
    let dom = find(&out.components, "react-dom");
    assert!(dom.depends_on.iter().any(|d| d.starts_with("scheduler@")));
    assert!(keys(dom).contains(&"react@19.1.1"));
}

#[test]
fn package_lock_v2_trojan_source() {
    let out = run_real("nickboucher__trojan-source/website/package-lock.json");
    assert_eq!(out.components.len(), 1734);
    let express = find(&out.components, "express");
    assert_eq!(express.version, "4.17.1");
    assert_eq!(express.purl, "pkg:npm/express@4.17.1");
    assert_eq!(express.directness, Directness::Transitive);
    assert_eq!(express.scope, Scope::Runtime);
    assert_eq!(express.line, Some(9368));
    assert_eq!(express.depends_on.len(), 30);
    assert!(keys(express).contains(&"accepts@1.3.7"));
    let react = find(&out.components, "react");
    assert_eq!(
        (react.version.as_str(), react.directness),
        ("17.0.2", Directness::Direct)
    );
}

#[test]
fn package_lock_v1_nested_and_dev() {
    let p = parse_fixture(
        "osv-scanner/pkg/lockfile/fixtures/npm/one-package-dev.v1.json",
        Format::NpmLock,
    );
    let c = &p.components[0];
    assert_eq!((c.name.as_str(), c.version.as_str()), ("wrappy", "1.0.2"));
    assert_eq!(c.scope, Scope::Development);
    assert_eq!(c.directness, Directness::Unknown);
    assert_eq!(c.hashes[0].algorithm, "SHA-1");

    // Nested `dependencies` shadow the top level for their parent.
    let nested = parse_fixture(
        "osv-scanner/pkg/lockfile/fixtures/npm/nested-dependencies.v1.json",
        Format::NpmLock,
    );
    let calc = find(&nested.components, "postcss-calc");
    assert!(keys(calc).contains(&"postcss@7.0.16"));
    let inner = find_version(&nested.components, "postcss", "7.0.16");
    assert!(keys(inner).contains(&"supports-color@6.1.0"));
    let outer = find_version(&nested.components, "postcss", "6.0.23");
    assert!(keys(outer).contains(&"supports-color@5.5.0"));
}

#[test]
fn pnpm_v9_vite() {
    let out = run_real("vitejs__vite/pnpm-lock.yaml");
    // Keys of `packages:` without peer suffixes, less 109 local ones.
    assert_eq!(out.components.len(), 1296);
    assert!(out.emits.is_empty());
    let postcss = find(&out.components, "postcss");
    assert_eq!(postcss.version, "8.5.26");
    // packages/vite `dependencies`.
    assert_eq!(postcss.directness, Directness::Direct);
    assert_eq!(postcss.scope, Scope::Runtime);
    assert_eq!(postcss.line, Some(7000));
    assert_eq!(
        keys(postcss),
        ["nanoid@3.3.18", "picocolors@1.1.1", "source-map-js@1.2.1"]
    );
    assert_eq!(
        postcss.hashes[0].hex,
        "bbcd8def82c5cc6f1c6be743f29b8f9e99535e8187e1f4cfa551ae21bb77e86deabcd964bdf0f49440194b16a5cb7297f134bf2f503582c0849af2a605c55b91"
    );
    let old = find_version(&out.components, "nanoid", "3.3.18");
    assert_eq!(old.directness, Directness::Transitive);
    assert_eq!(old.scope, Scope::Runtime);
    let new = find_version(&out.components, "nanoid", "5.1.16");
    assert_eq!(new.directness, Directness::Direct);
    let babel = find_version(&out.components, "@babel/core", "7.29.7");
    assert_eq!(babel.purl, "pkg:npm/%40babel/core@7.29.7");
    assert_eq!(babel.line, Some(1913));
}

#[test]
fn pnpm_v5_and_v6_key_syntaxes() {
    // v5.3: `/name/1.0.0_peer…` keys.
    let v5 = parse_fixture(
        "osv-scanner/pkg/lockfile/fixtures/pnpm/peer-dependencies-advanced.yaml",
        Format::PnpmLock,
    );
    let plugin = find(&v5.components, "@typescript-eslint/eslint-plugin");
    assert_eq!(plugin.version, "5.13.0");
    assert_eq!(plugin.directness, Directness::Direct);
    assert!(keys(plugin).contains(&"@typescript-eslint/parser@5.13.0"));
    // v6: `/name@1.0.0(peer)` keys.
    let v6 = parse_fixture(
        "osv-scalibr/extractor/filesystem/language/javascript/pnpmlock/testdata/one-package-v6-lockfile.yaml",
        Format::PnpmLock,
    );
    assert_eq!(v6.components.len(), 1);
    assert_eq!(v6.components[0].name, "acorn");
    assert_eq!(v6.components[0].version, "8.7.0");
    assert_eq!(v6.components[0].scope, Scope::Runtime);
    // v9 dev dependency: reached from importer devDependencies only.
    let v9 = parse_fixture(
        "osv-scanner/pkg/lockfile/fixtures/pnpm/one-package-dev.v9.yaml",
        Format::PnpmLock,
    );
    assert_eq!(v9.components[0].scope, Scope::Development);
    assert_eq!(v9.components[0].directness, Directness::Direct);
}

#[test]
fn yarn_berry_babel() {
    let out = run_real("babel__babel/yarn.lock");
    // 1,740 resolutions less 167 workspace/link entries.
    assert_eq!(out.components.len(), 1573);
    assert!(out.emits.is_empty());
    assert!(!out.components.iter().any(|c| c.name == "$repo-utils"));
    let gh = find(&out.components, "@actions/github");
    assert_eq!(gh.version, "9.1.1");
    assert_eq!(gh.purl, "pkg:npm/%40actions/github@9.1.1");
    assert_eq!(gh.line, Some(20));
    assert_eq!(gh.directness, Directness::Unknown);
    assert!(keys(gh).contains(&"@actions/http-client@3.0.2"));
    assert!(keys(gh).contains(&"undici@6.27.0"));
    assert_eq!(gh.depends_on.len(), 7);
}

#[test]
fn yarn_v1_rails() {
    let out = run_real("rails__rails/yarn.lock");
    // 762 entries; the three `*-cjs@npm:…` aliases are the packages they alias.
    assert_eq!(out.components.len(), 759);
    assert!(!out.components.iter().any(|c| c.name.ends_with("-cjs")));
    let cf = find(&out.components, "@babel/code-frame");
    assert_eq!(cf.version, "7.22.5");
    assert_eq!(cf.line, Some(5));
    assert_eq!(keys(cf), ["@babel/highlight@7.22.5"]);
    assert_eq!(
        cf.hashes[0].hex,
        "5e6c27dbaeaf69dfba0c0a8407603a57f09c655a7ad816f056670e25cd913eec22875930d364e342f5955a570a19b04f77ef3fd15e4312439c8b344662cb2961"
    );
    let hl = find(&out.components, "@babel/highlight");
    assert!(keys(hl).contains(&"chalk@2.4.2"));
}

#[test]
fn gemfile_lock_rails() {
    let out = run_real("rails__rails/Gemfile.lock");
    // Distinct name (version) specs of the GEM section; PATH gems are rails itself.
    assert_eq!(out.components.len(), 218);
    assert!(
        !out.components
            .iter()
            .any(|c| c.name == "actioncable" || c.name == "releaser")
    );
    let nokogiri = find(&out.components, "nokogiri");
    assert_eq!(nokogiri.version, "1.19.1");
    assert_eq!(nokogiri.purl, "pkg:gem/nokogiri@1.19.1");
    assert_eq!(nokogiri.directness, Directness::Direct);
    assert_eq!(nokogiri.line, Some(381));
    // One checksum per platform build (CHECKSUMS lines 898-902).
    assert_eq!(nokogiri.hashes.len(), 5);
    assert!(
        keys(nokogiri)
            .iter()
            .any(|k| k.starts_with("mini_portile2@"))
    );
    assert!(keys(nokogiri).iter().any(|k| k.starts_with("racc@")));
    let rack = find(&out.components, "rack");
    assert_eq!(rack.version, "3.2.1");
    assert_eq!(
        rack.hashes[0].hex,
        "30af3f7e5ec21b0d14d822cf24446048dba5f651b617c7e97405b604f20a9e33"
    );
    let cache = find(&out.components, "rack-cache");
    assert_eq!(keys(cache), ["rack@3.2.1"]);
}

#[test]
fn gemfile_lock_git_and_path_gems() {
    let p = parse_fixture(
        "osv-scanner/pkg/lockfile/fixtures/bundler/has-git-gem.lock",
        Format::GemfileLock,
    );
    let utils = find(&p.components, "hanami-utils");
    assert_eq!(utils.version, "2.0.0.alpha1");
    assert_eq!(utils.directness, Directness::Direct);
    assert!(utils.purl.contains("vcs_url="));
    assert_eq!(
        find(&p.components, "rack").directness,
        Directness::Transitive
    );
    let local = parse_fixture(
        "osv-scanner/pkg/lockfile/fixtures/bundler/has-local-gem.lock",
        Format::GemfileLock,
    );
    assert!(
        !local
            .components
            .iter()
            .any(|c| c.name == "backbone-on-rails")
    );
}

#[test]
fn go_mod_prometheus() {
    let out = run_real("prometheus__prometheus/go.mod");
    assert_eq!(out.components.len(), 250);
    let transitive = out
        .components
        .iter()
        .filter(|c| c.directness == Directness::Transitive)
        .count();
    // `grep -c '// indirect' go.mod`
    assert_eq!(transitive, 141);
    let common = find(&out.components, "github.com/prometheus/common");
    assert_eq!(common.version, "v0.70.1");
    assert_eq!(
        common.purl,
        "pkg:golang/github.com/prometheus/common@v0.70.1"
    );
    assert_eq!(common.directness, Directness::Direct);
    assert_eq!(common.line, Some(69));
    let net = find(&out.components, "golang.org/x/net");
    assert_eq!((net.version.as_str(), net.line), ("v0.57.0", Some(252)));
    assert_eq!(net.directness, Directness::Transitive);
}

#[test]
fn go_mod_replace_directives() {
    let p = parse_fixture(
        "osv-scanner/pkg/lockfile/fixtures/go/replace-mixed.mod",
        Format::GoMod,
    );
    // v1.2.3 is replaced by a fork, v0.5.6 is not.
    assert!(
        p.components
            .iter()
            .any(|c| c.name == "example.com/fork/net" && c.version == "v1.4.5")
    );
    assert!(
        p.components
            .iter()
            .any(|c| c.name == "golang.org/x/net" && c.version == "v0.5.6")
    );
    let local = parse_fixture(
        "osv-scanner/pkg/lockfile/fixtures/go/replace-local.mod",
        Format::GoMod,
    );
    assert!(local.components.iter().all(|c| !c.name.starts_with("./")));
}

#[test]
fn go_sum_prometheus() {
    let out = run_real("prometheus__prometheus/go.sum");
    // Distinct `module version` pairs with a content hash (not `/go.mod`).
    assert_eq!(out.components.len(), 299);
    assert!(
        out.components
            .iter()
            .any(|c| c.name == "github.com/prometheus/common" && c.version == "v0.70.1")
    );
    // v0.4.1 appears only as a go.mod hash: its code was never downloaded.
    assert!(
        !out.components
            .iter()
            .any(|c| c.name == "github.com/prometheus/common" && c.version == "v0.4.1")
    );
    assert!(
        out.components
            .iter()
            .all(|c| c.directness == Directness::Unknown)
    );
}

#[test]
fn poetry_lock_2_1() {
    let out = run_real("python-poetry__poetry/poetry.lock");
    assert_eq!(out.components.len(), 78);
    let cc = find(&out.components, "cachecontrol");
    assert_eq!(cc.version, "0.14.4");
    assert_eq!(cc.purl, "pkg:pypi/cachecontrol@0.14.4");
    assert_eq!(cc.scope, Scope::Runtime);
    assert_eq!(cc.directness, Directness::Unknown);
    assert_eq!(cc.line, Some(64));
    assert_eq!(
        keys(cc),
        ["filelock@3.29.0", "msgpack@1.1.2", "requests@2.33.1"]
    );
    assert_eq!(cc.hashes.len(), 2);
    assert_eq!(
        cc.hashes[0].hex,
        "b7ac014ff72ee199b5f8af1de29d60239954f223e948196fa3d84adaffc71d2b"
    );
    assert_eq!(find(&out.components, "cfgv").scope, Scope::Development);
}

#[test]
fn uv_lock_ruff() {
    let out = run_real("astral-sh__ruff/uv.lock");
    // 89 packages less ruff itself (`source = { editable = "." }`).
    assert_eq!(out.components.len(), 88);
    assert!(!out.components.iter().any(|c| c.name == "ruff"));
    let black = find(&out.components, "black");
    assert_eq!(black.version, "26.5.2.dev21+ge34bb1bef");
    // A dev-dependency group of ruff (typeshed-formatting).
    assert_eq!(black.directness, Directness::Direct);
    assert_eq!(black.scope, Scope::Development);
    assert_eq!(black.line, Some(123));
    assert!(black.purl.starts_with("pkg:pypi/black@26.5.2.dev21"));
    assert!(black.purl.contains("vcs_url="));
    assert!(keys(black).contains(&"click@8.4.2"));
    assert!(keys(black).contains(&"packaging@26.2"));
    let annotated = find(&out.components, "annotated-doc");
    assert_eq!(annotated.hashes.len(), 2);
}

#[test]
fn pipfile_pdm_requirements() {
    let pipfile = parse_fixture(
        "osv-scanner/pkg/lockfile/fixtures/pipenv/one-package-dev.json",
        Format::PipfileLock,
    );
    assert_eq!(pipfile.components.len(), 1);
    assert_eq!(pipfile.components[0].scope, Scope::Development);
    assert!(!pipfile.components[0].version.is_empty());

    let pdm = parse_fixture(
        "osv-scalibr/extractor/filesystem/language/python/pdmlock/testdata/dev-dependency.toml",
        Format::PdmLock,
    );
    let pyroute = find(&pdm.components, "pyroute2");
    assert_eq!(
        (pyroute.version.as_str(), pyroute.scope),
        ("0.7.11", Scope::Development)
    );
    assert_eq!(keys(pyroute), ["win-inet-pton@1.1.0"]);
    assert_eq!(find(&pdm.components, "toml").scope, Scope::Runtime);

    let reqs = parse_fixture(
        "osv-scalibr/extractor/filesystem/language/python/requirements/testdata/per_req_options.txt",
        Format::Requirements,
    );
    let foo8 = find(&reqs.components, "foo8");
    assert_eq!(foo8.version, "1.0");
    // `sha256:123` is not a digest: no hash recorded.
    assert!(foo8.hashes.is_empty());
    let foo16 = find(&reqs.components, "foo16-Client");
    assert_eq!(foo16.purl, "pkg:pypi/foo16-client@1.0");
    // `foo10==` has no version: a skipped entry, never a component.
    assert!(!reqs.components.iter().any(|c| c.name == "foo10"));
    assert!(
        reqs.problems
            .iter()
            .any(|p| matches!(p, Problem::BadEntry { entry, .. } if entry.starts_with("foo10")))
    );
}

#[test]
fn requirements_pins_ranges_and_includes() {
    let text = b"# comment\nDjango==4.2.1 \\\n    --hash=sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nrequests>=2.0\n-r base.txt\nurllib3 @ https://example.org/urllib3.zip\n";
    let p = parse(&DeliveryPath::root("app/requirements-dev.txt"), text).unwrap();
    let django = find(&p.components, "Django");
    assert_eq!(django.version, "4.2.1");
    assert_eq!(django.line, Some(2));
    assert_eq!(django.purl, "pkg:pypi/django@4.2.1");
    assert_eq!(django.scope, Scope::Development);
    assert_eq!(django.hashes.len(), 1);
    let requests = find(&p.components, "requests");
    assert_eq!(
        (requests.version.as_str(), requests.directness),
        ("", Directness::Direct)
    );
    assert!(p.problems.iter().any(
        |p| matches!(p, Problem::Include { target, line: Some(5), .. } if target == "base.txt")
    ));
    assert!(
        p.problems
            .iter()
            .any(|p| matches!(p, Problem::Unversioned { name, .. } if name == "urllib3"))
    );
    assert_eq!(
        p.problems
            .iter()
            .filter(|p| matches!(p, Problem::Unversioned { .. }))
            .count(),
        2
    );
}

#[test]
fn requirements_pip_compile_annotations() {
    let text = b"certifi==2024.2.2\n    # via requests\nrequests==2.31.0\n    # via\n    #   -r requirements.in\n    #   other\n";
    let p = parse(&DeliveryPath::root("requirements.txt"), text).unwrap();
    assert_eq!(
        find(&p.components, "certifi").directness,
        Directness::Transitive
    );
    assert_eq!(
        find(&p.components, "requests").directness,
        Directness::Direct
    );
}

#[test]
fn composer_lock() {
    let out = run_real("composer__composer/composer.lock");
    // 30 packages and 6 packages-dev.
    assert_eq!(out.components.len(), 36);
    let ca = find(&out.components, "composer/ca-bundle");
    assert_eq!(ca.version, "1.5.12");
    assert_eq!(ca.purl, "pkg:composer/composer/ca-bundle@1.5.12");
    assert_eq!(ca.scope, Scope::Runtime);
    assert_eq!(ca.line, Some(10));
    assert_eq!(ca.license.as_deref(), Some("MIT"));
    // `shasum` is empty; `php` and `ext-*` are platform requirements.
    assert!(ca.hashes.is_empty() && ca.depends_on.is_empty());
    let cmg = find(&out.components, "composer/class-map-generator");
    assert_eq!(keys(cmg), ["composer/pcre@2.3.2", "symfony/finder@v5.4.45"]);
    assert_eq!(cmg.line, Some(82));
    let dev = find(&out.components, "phpstan/phpstan-deprecation-rules");
    assert_eq!(dev.scope, Scope::Development);
    assert_eq!(keys(dev), ["phpstan/phpstan@1.12.33"]);
}

#[test]
fn pom_xml_properties_and_management() {
    let p = parse_fixture(
        "osv-scanner/pkg/lockfile/fixtures/maven/interpolation.xml",
        Format::PomXml,
    );
    let mine = find(&p.components, "org.mine:mypackage");
    assert_eq!(mine.version, "1.0.0");
    assert_eq!(mine.purl, "pkg:maven/org.mine/mypackage@1.0.0");
    assert_eq!(mine.directness, Directness::Direct);
    assert_eq!(mine.line, Some(18));
    assert_eq!(find(&p.components, "org.mine:my.package").version, "2.3.4");
    // A version range is no exact version.
    let ranged = find(&p.components, "org.mine:ranged-package");
    assert_eq!(ranged.version, "");
    assert!(p.problems.iter().any(
        |x| matches!(x, Problem::Unversioned { name, .. } if name == "org.mine:ranged-package")
    ));

    let m = parse_fixture(
        "osv-scanner/pkg/lockfile/fixtures/maven/with-dependency-management.xml",
        Format::PomXml,
    );
    // The declared 4.1.9 and the managed 4.1.42.Final are both recorded.
    assert_eq!(
        find_version(&m.components, "io.netty:netty-all", "4.1.9").directness,
        Directness::Direct
    );
    assert_eq!(
        find_version(&m.components, "io.netty:netty-all", "4.1.42.Final").directness,
        Directness::Unknown
    );
    assert_eq!(
        find(&m.components, "com.google.code.findbugs:jsr305").version,
        "3.0.2"
    );

    let parent = parse_fixture(
        "osv-scalibr/extractor/filesystem/language/java/pomxml/testdata/with-parent.xml",
        Format::PomXml,
    );
    assert_eq!(find(&parent.components, "org.bob:bob").version, "2.0.0");
    // chuck takes its version from dependencyManagement.
    let chuck = find(&parent.components, "org.chuck:chuck");
    assert_eq!(
        (chuck.version.as_str(), chuck.directness),
        ("3.0.0", Directness::Direct)
    );
    // frank's version lives in the parent pom, which is not read.
    assert_eq!(find(&parent.components, "org.frank:frank").version, "");
    let import = find(&parent.components, "org.import:import");
    assert!(import.purl.ends_with("?type=pom"));
}

#[test]
fn pom_xml_unresolved_property() {
    let pom = b"<project><dependencies><dependency><groupId>g</groupId><artifactId>a</artifactId><version>${missing.version}</version></dependency></dependencies></project>";
    let p = parse(&DeliveryPath::root("svc/pom.xml"), pom).unwrap();
    assert_eq!(p.components[0].version, "");
    assert!(
        matches!(&p.problems[..], [Problem::UnresolvedProperty { property, name, .. }] if property == "missing.version" && name == "g:a")
    );
    assert_eq!(p.problems[0].rule().id, "coverage.unresolved-property");
}

#[test]
fn gradle_lockfile() {
    let p = parse_fixture(
        "osv-scalibr/extractor/filesystem/language/java/gradlelockfile/testdata/with-bad-pkg",
        Format::GradleLockfile,
    );
    let auto = find(
        &p.components,
        "org.springframework.boot:spring-boot-autoconfigure",
    );
    assert_eq!(auto.version, "2.7.4");
    assert_eq!(auto.scope, Scope::Runtime);
    assert_eq!(auto.line, Some(7));
    assert_eq!(
        auto.purl,
        "pkg:maven/org.springframework.boot/spring-boot-autoconfigure@2.7.4"
    );
    // `>>>`, `////`, `a`, `b` are not lock lines.
    assert_eq!(
        p.problems
            .iter()
            .filter(|x| matches!(x, Problem::BadEntry { .. }))
            .count(),
        4
    );
    let t = parse(
        &DeliveryPath::root("gradle.lockfile"),
        b"junit:junit:4.13.2=testCompileClasspath,testRuntimeClasspath\nempty=\n",
    )
    .unwrap();
    assert_eq!(t.components[0].scope, Scope::Development);
}

#[test]
fn nuget_packages_lock() {
    let p = parse_fixture(
        "osv-scalibr/extractor/filesystem/language/dotnet/packageslockjson/testdata/valid/packages.lock.json",
        Format::NugetLock,
    );
    let core = find(&p.components, "Core.Dep");
    assert_eq!(core.version, "1.24.0");
    assert_eq!(core.purl, "pkg:nuget/Core.Dep@1.24.0");
    assert_eq!(core.directness, Directness::Direct);
    assert_eq!(core.line, Some(5));
    assert!(keys(core).contains(&"Some.Dep.One@1.1.1"));
    assert_eq!(
        core.hashes[0].hex,
        "fbfa88d63da85354b8fe7bf16f693fc03b28974d2219fd40c895f98377a957b78ea5010fff6c5c821fdcc6028c785827dd4d9f9a04a206741976457e979cb453"
    );
    assert_eq!(
        find(&p.components, "Some.Dep.One").directness,
        Directness::Transitive
    );
}

#[test]
fn pubspec_lock() {
    let p = parse_fixture(
        "osv-scalibr/extractor/filesystem/language/dart/pubspec/testdata/mixed-packages.lock",
        Format::PubspecLock,
    );
    assert_eq!(p.components.len(), 4);
    let back = find(&p.components, "back_button_interceptor");
    assert_eq!(
        (back.version.as_str(), back.directness, back.scope),
        ("6.0.1", Directness::Direct, Scope::Runtime)
    );
    assert_eq!(back.line, Some(4));
    assert_eq!(back.purl, "pkg:pub/back_button_interceptor@6.0.1");
    assert_eq!(
        find(&p.components, "build_runner").scope,
        Scope::Development
    );
    assert_eq!(
        find(&p.components, "shelf").directness,
        Directness::Transitive
    );
    let git = parse_fixture(
        "osv-scanner/pkg/lockfile/fixtures/pub/source-git.lock",
        Format::PubspecLock,
    );
    assert!(
        find(&git.components, "flutter_rust_bridge")
            .purl
            .contains("vcs_url=")
    );
}

#[test]
fn mix_lock() {
    let p = parse_fixture(
        "osv-scalibr/extractor/filesystem/language/elixir/mixlock/testdata/valid",
        Format::MixLock,
    );
    let certifi = find(&p.components, "certifi");
    assert_eq!(certifi.version, "2.12.0");
    assert_eq!(certifi.purl, "pkg:hex/certifi@2.12.0");
    assert_eq!(certifi.line, Some(3));
    assert_eq!(
        certifi.hashes[0].hex,
        "ee68d85df22e554040cdb4be100f33873ac6051387baf6a8f6ce82272340ff1c"
    );
    let many = parse_fixture(
        "osv-scanner/pkg/lockfile/fixtures/mix/many.lock",
        Format::MixLock,
    );
    assert!(keys(find(&many.components, "dialyxir")).contains(&"erlex@0.2.6"));
    let git = parse_fixture(
        "osv-scanner/pkg/lockfile/fixtures/mix/git.lock",
        Format::MixLock,
    );
    assert_eq!(find(&git.components, "foo").version, "");
    assert_eq!(git.problems.len(), 3);
}

#[test]
fn conan_lock_v04_and_v05() {
    let v4 = parse_fixture(
        "osv-scalibr/extractor/filesystem/language/cpp/conanlock/testdata/nested-dependencies.v1.json",
        Format::ConanLock,
    );
    // Node 0 is the consumer (conanfile.py).
    assert_eq!(v4.components.len(), 5);
    assert!(!v4.components.iter().any(|c| c.name == "test"));
    let freetype = find(&v4.components, "freetype");
    assert_eq!(
        (freetype.version.as_str(), freetype.directness),
        ("2.12.1", Directness::Direct)
    );
    assert_eq!(freetype.purl, "pkg:conan/freetype@2.12.1");
    assert_eq!(freetype.depends_on.len(), 4);
    assert_eq!(
        find(&v4.components, "zlib").directness,
        Directness::Transitive
    );

    let v5 = parse_fixture(
        "osv-scanner/pkg/lockfile/fixtures/conan/one-package.v2.json",
        Format::ConanLock,
    );
    let zlib = &v5.components[0];
    assert_eq!(
        (zlib.name.as_str(), zlib.version.as_str()),
        ("zlib", "1.2.11")
    );
    assert_eq!(
        zlib.purl,
        "pkg:conan/zlib@1.2.11?rrev=ffa77daf83a57094149707928bdce823"
    );

    let dev = parse_fixture(
        "osv-scanner/pkg/lockfile/fixtures/conan/one-package-dev.v1.json",
        Format::ConanLock,
    );
    assert_eq!(dev.components[0].scope, Scope::Development);
}

#[test]
fn vendored_package_metadata() {
    let pkg = parse(
        &DeliveryPath::root("web/node_modules/accepts/package.json"),
        &fixture("osv-scalibr/extractor/filesystem/language/javascript/packagejson/testdata/deps/accepts/package.json"),
    )
    .unwrap();
    let accepts = &pkg.components[0];
    assert_eq!(
        (accepts.name.as_str(), accepts.version.as_str()),
        ("accepts", "1.3.8")
    );
    assert_eq!(accepts.license.as_deref(), Some("MIT"));
    // This one's `name` is empty: no component, a finding instead.
    let nameless = parse(
        &DeliveryPath::root("web/node_modules/acorn/package.json"),
        &fixture("osv-scalibr/extractor/filesystem/language/javascript/packagejson/testdata/deps/acorn/package.json"),
    )
    .unwrap();
    assert!(nameless.components.is_empty());
    assert!(
        nameless
            .problems
            .iter()
            .any(|p| p.rule().id == "coverage.lockfile-malformed")
    );

    let meta = parse(
        &DeliveryPath::root("lib/site-packages/pip-22.2.2.dist-info/METADATA"),
        &fixture(
            "osv-scalibr/extractor/filesystem/language/python/wheelegg/testdata/distinfo_meta",
        ),
    )
    .unwrap();
    let pip = &meta.components[0];
    assert_eq!((pip.name.as_str(), pip.version.as_str()), ("pip", "22.2.2"));
    assert_eq!(pip.license.as_deref(), Some("MIT"));
    assert_eq!(pip.purl, "pkg:pypi/pip@22.2.2");

    let crate_toml =
        b"[package]\nname = \"left-pad\"\nversion = \"1.0.1\"\nlicense = \"MIT OR Apache-2.0\"\n";
    let vendored = parse(
        &DeliveryPath::root("vendor/left-pad/Cargo.toml"),
        crate_toml,
    )
    .unwrap();
    assert_eq!(vendored.components[0].purl, "pkg:cargo/left-pad@1.0.1");
    assert_eq!(
        vendored.components[0].license.as_deref(),
        Some("MIT OR Apache-2.0")
    );
    // The project's own manifest is not a component.
    assert!(parse(&DeliveryPath::root("Cargo.toml"), crate_toml).is_none());
    assert!(parse(&DeliveryPath::root("package.json"), b"{}").is_none());
}

#[test]
fn detector_emits_findings_with_lines_and_messages() {
    use oversight_deps::DependencyDetector;
    use oversight_detect::reference::run_detector;

    let broken = b"{\n  \"packages\": [\n    {\"name\": \"a/b\",, }\n  ]\n}\n";
    let out = crate::common::run("app/composer.lock", broken).unwrap();
    assert!(out.components.is_empty());
    let emit = &out.emits[0];
    assert_eq!(emit.rule.id, "coverage.lockfile-malformed");
    assert_eq!(emit.line_col, Some((3, 1)));
    assert!(
        emit.message
            .starts_with("Cannot parse app/composer.lock as composer.lock (line 3): ")
    );
    assert!(!emit.message.ends_with('.'));

    // The reference runner (findings only) sees the same finding.
    let emits = run_detector(&DependencyDetector::new(), "app/composer.lock", broken);
    assert_eq!(emits.len(), 1);
    assert_eq!(emits[0].key, out.emits[0].key);

    // Files it does not parse are not asked for.
    let readme = crate::common::run("README.md", b"# hello");
    assert!(readme.is_none());
    assert!(oversight_deps::recognises(
        "yarn.lock",
        &DeliveryPath::root("a.zip").join("web/yarn.lock")
    ));
    assert!(!oversight_deps::recognises(
        "notes.txt",
        &DeliveryPath::root("notes.txt")
    ));
}

/// Every format that declares licences carries them into `Component.license`,
/// normalised to SPDX where the name is unambiguous (issue 5).
#[test]
fn declared_licences_of_every_declaring_format() {
    let license = |path: DeliveryPath, bytes: &[u8]| -> Vec<(String, Option<String>)> {
        let parsed = parse(&path, bytes).expect("recognised");
        assert!(parsed.problems.is_empty(), "{path}: {:?}", parsed.problems);
        parsed
            .components
            .into_iter()
            .map(|c| (c.key(), c.license))
            .collect()
    };
    let one = |v: Vec<(String, Option<String>)>| v.into_iter().next().expect("one component");
    let scalibr = "osv-scalibr/extractor/filesystem/language";

    // Legacy npm `licenses: [{type, url}]` (window-size 0.1.4 as published).
    let (key, lic) = one(license(
        DeliveryPath::root("node_modules/window-size/package.json"),
        br#"{"name": "window-size", "version": "0.1.4", "licenses": [{"type": "MIT", "url": "https://github.com/jonschlinkert/window-size/blob/master/LICENSE-MIT"}]}"#,
    ));
    assert_eq!(
        (key.as_str(), lic.as_deref()),
        ("window-size@0.1.4", Some("MIT"))
    );
    let (_, lic) = one(license(
        DeliveryPath::root("node_modules/dual/package.json"),
        br#"{"name": "dual", "version": "1.0.0", "licenses": [{"type": "MIT"}, {"type": "Apache License 2.0"}]}"#,
    ));
    assert_eq!(lic.as_deref(), Some("MIT OR Apache-2.0"));

    // Python: `License: UNKNOWN` falls back to the classifier.
    let (key, lic) = one(license(
        DeliveryPath::root("lib/site-packages/setuptools-57.4.0.egg-info/PKG-INFO"),
        &fixture(&format!(
            "{scalibr}/python/wheelegg/testdata/egginfo_pkginfo"
        )),
    ));
    assert_eq!(
        (key.as_str(), lic.as_deref()),
        ("setuptools@57.4.0", Some("MIT"))
    );
    let metadata = |extra: &str| {
        format!("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n{extra}\nbody\n").into_bytes()
    };
    let py = |extra: &str| {
        one(license(
            DeliveryPath::root("site-packages/demo-1.0.dist-info/METADATA"),
            &metadata(extra),
        ))
        .1
    };
    assert_eq!(
        py("License-Expression: MIT OR Apache-2.0\nLicense: BSD\n").as_deref(),
        Some("MIT OR Apache-2.0")
    );
    assert_eq!(py("License: Apache 2.0\n").as_deref(), Some("Apache-2.0"));
    assert_eq!(
        py("Classifier: License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)\n")
            .as_deref(),
        Some("GPL-2.0-or-later")
    );
    // "BSD License" fits several licences: kept as written, reported unknown.
    assert_eq!(
        py("Classifier: License :: OSI Approved :: BSD License\n").as_deref(),
        Some("BSD License")
    );

    // Bundler's generated gemspecs, read textually.
    let gemspecs = format!("{scalibr}/ruby/gemspec/testdata");
    let (key, lic) = one(license(
        DeliveryPath::root("vendor/bundle/ruby/3.3.0/specifications/rss-0.2.9.gemspec"),
        &fixture(&format!("{gemspecs}/rss-0.2.9.gemspec")),
    ));
    assert_eq!(
        (key.as_str(), lic.as_deref()),
        ("rss@0.2.9", Some("BSD-2-Clause"))
    );
    let yaml = parse(
        &DeliveryPath::root("vendor/bundle/ruby/3.3.0/specifications/yaml-0.2.1.gemspec"),
        &fixture(&format!("{gemspecs}/yaml-0.2.1.gemspec")),
    )
    .expect("recognised");
    assert_eq!(yaml.components[0].purl, "pkg:gem/yaml@0.2.1");
    assert_eq!(yaml.components[0].line, Some(5));
    assert_eq!(
        yaml.components[0].license.as_deref(),
        Some("Ruby OR BSD-2-Clause")
    );
    // A project's own gemspec is the project, not a component.
    assert!(
        parse(
            &DeliveryPath::root("rss.gemspec"),
            &fixture(&format!("{gemspecs}/rss-0.2.9.gemspec"))
        )
        .is_none()
    );

    // The pom embedded in a jar describes the jar (cdi-api 1.2's licences).
    let pom = br#"<?xml version="1.0"?>
<project>
  <modelVersion>4.0.0</modelVersion>
  <groupId>javax.enterprise</groupId>
  <artifactId>cdi-api</artifactId>
  <version>1.2</version>
  <licenses>
    <license>
      <name>Apache License, Version 2.0</name>
      <url>http://www.apache.org/licenses/LICENSE-2.0.html</url>
    </license>
  </licenses>
</project>
"#;
    let (key, lic) = one(license(
        DeliveryPath::root("lib/cdi-api-1.2.jar")
            .join("META-INF/maven/javax.enterprise/cdi-api/pom.xml"),
        pom,
    ));
    assert_eq!(
        (key.as_str(), lic.as_deref()),
        ("javax.enterprise:cdi-api@1.2", Some("Apache-2.0"))
    );
    // The same pom as a project's own build file names no component.
    assert!(license(DeliveryPath::root("pom.xml"), pom).is_empty());

    // NuGet: expression, file, and the deprecated licence URL.
    let nuspec = |license: &str| {
        format!(
            "<?xml version=\"1.0\"?>\n<package xmlns=\"http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd\">\n  <metadata>\n    <id>Newtonsoft.Json</id>\n    <version>13.0.3</version>\n    {license}\n  </metadata>\n</package>\n"
        )
        .into_bytes()
    };
    let nupkg =
        || DeliveryPath::root("pkgs/newtonsoft.json.13.0.3.nupkg").join("Newtonsoft.Json.nuspec");
    for (declared, expected) in [
        ("<license type=\"expression\">MIT</license>", "MIT"),
        (
            "<license type=\"file\">LICENSE.md</license>",
            "license-file: LICENSE.md",
        ),
        (
            "<licenseUrl>https://licenses.nuget.org/MIT</licenseUrl>",
            "https://licenses.nuget.org/MIT",
        ),
        (
            "<licenseUrl>http://www.apache.org/licenses/LICENSE-2.0</licenseUrl>",
            "Apache-2.0",
        ),
    ] {
        let (key, lic) = one(license(nupkg(), &nuspec(declared)));
        assert_eq!(key, "Newtonsoft.Json@13.0.3");
        assert_eq!(lic.as_deref(), Some(expected), "{declared}");
    }

    // Composer 2's installed.json.
    let installed = br#"{
    "packages": [
        {
            "name": "monolog/monolog",
            "version": "3.5.0",
            "license": ["MIT"],
            "require": {"php": ">=8.1", "psr/log": "^2.0 || ^3.0"}
        },
        {
            "name": "phpunit/phpunit",
            "version": "10.5.0",
            "license": ["BSD-3-Clause"]
        }
    ],
    "dev": true,
    "dev-package-names": ["phpunit/phpunit"]
}
"#;
    let parsed = parse(
        &DeliveryPath::root("vendor/composer/installed.json"),
        installed,
    )
    .expect("recognised");
    assert_eq!(parsed.components.len(), 2);
    assert_eq!(parsed.components[0].license.as_deref(), Some("MIT"));
    assert_eq!(parsed.components[0].line, Some(4));
    assert_eq!(parsed.components[1].scope, Scope::Development);

    // Cargo: names mapped, `license-file` recorded as such.
    let cargo = |fields: &str| {
        one(license(
            DeliveryPath::root("third_party/demo/Cargo.toml"),
            format!("[package]\nname = \"demo\"\nversion = \"0.1.0\"\n{fields}\n").as_bytes(),
        ))
        .1
    };
    assert_eq!(
        cargo("license = \"MIT/Apache-2.0\"").as_deref(),
        Some("MIT OR Apache-2.0")
    );
    assert_eq!(
        cargo("license-file = \"LICENSE-COMMERCIAL\"").as_deref(),
        Some("license-file: LICENSE-COMMERCIAL")
    );
}
