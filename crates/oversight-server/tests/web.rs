//! The web pages in a real browser: Debian's Chromium driven through
//! chromedriver (both started here, on a free port), one browser session
//! for every journey of this file, against a real server.
//!
//! Journeys: the supplier logs in, acknowledges the terms and uploads a
//! delivery that is rejected, and does not see another supplier's
//! engagement nor the organisation's waiver rationale; the manager reads
//! the dashboard and the same delivery, rationale included. Screenshots of
//! the main pages go to the test's temporary directory (and, when
//! `OVERSIGHT_SCREENSHOTS` names a directory, there too). The browser's
//! console must hold no error: no script error, no CSP violation.

mod common;

use std::time::Duration;

use common::{Backend, Harness, agent, read_json, tar_gz};
use fantoccini::{Client, ClientBuilder, Locator};
use oversight_access::{Role, Scope};
use serde_json::json;

const RATIONALE: &str = "Rotated test-only key, accepted by the ISMS lead";
const WAIVER_REASON: &str = "Staging-only deploy script, key revoked at the provider";

/// Two cloud credentials in two files: one waived, one blocking.
fn delivery() -> Vec<u8> {
    tar_gz(&[
        ("README.md", "# Portal\n\nThe customer portal.\n"),
        (
            "src/settings.py",
            "import os\n\nAWS_ACCESS_KEY_ID = \"AKIAQX4BRTWN5XG7K2PD\"\nREGION = os.environ.get(\"REGION\", \"eu-west-1\")\n",
        ),
        (
            "deploy/prod.py",
            "import os\n\nAWS_ACCESS_KEY_ID = \"AKIAQX4BRTWN5XG7K2PD\"\n",
        ),
    ])
}

/// The same, deploy/prod.py fixed: the key comes from the environment.
fn fixed_delivery() -> Vec<u8> {
    tar_gz(&[
        ("README.md", "# Portal\n\nThe customer portal.\n"),
        (
            "src/settings.py",
            "import os\n\nAWS_ACCESS_KEY_ID = \"AKIAQX4BRTWN5XG7K2PD\"\nREGION = os.environ.get(\"REGION\", \"eu-west-1\")\n",
        ),
        (
            "deploy/prod.py",
            "import os\n\nAWS_ACCESS_KEY_ID = os.environ[\"AWS_ACCESS_KEY_ID\"]\n",
        ),
    ])
}

/// The first regular file under `dir`, by name.
fn first_file(dir: &std::path::Path) -> std::path::PathBuf {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("an entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_file() {
            return path;
        }
        if path.is_dir() {
            return first_file(&path);
        }
    }
    panic!("no file under {}", dir.display());
}

/// chromedriver, stopped when dropped.
struct Driver(std::process::Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("an address")
        .port()
}

/// The browser's console log since the last call (chromedriver's log
/// endpoint; W3C WebDriver has none).
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({"type": "browser"}).to_string()),
        )
    }
}

/// Console entries that are errors of the page: script errors and CSP
/// violations. A page answered with a 4xx status on purpose is not one.
async fn console_errors(client: &Client) -> (Vec<String>, usize) {
    let log = client.issue_cmd(BrowserLog).await.expect("the browser log");
    let entries = log
        .as_array()
        .unwrap_or_else(|| panic!("chromedriver's log is not a list: {log}"));
    let errors = entries
        .iter()
        .filter(|e| matches!(e["level"].as_str(), Some("SEVERE" | "WARNING")))
        .filter_map(|e| e["message"].as_str().map(str::to_owned))
        // Pages answered with a client error on purpose (401, a refusal,
        // a request the policy does not allow) are not errors of the page;
        // a missing asset is.
        .filter(|m| {
            !m.contains("the server responded with a status of 4") || m.contains("/static/")
        })
        .collect();
    (errors, entries.len())
}

struct Browser {
    client: Client,
    base: String,
    shots: Vec<std::path::PathBuf>,
    /// axe-core's axe.min.js.
    axe: String,
    /// Serious and critical accessibility violations, by page.
    violations: Vec<String>,
    /// Pages checked.
    checked: usize,
}

/// Runs axe-core (injected first) on the page and hands back its serious
/// and critical violations, each with the elements concerned.
const AXE_RUN: &str = r#"const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
  .then(r => done(r.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.impact + ' ' + v.id + ' (' + v.help + '): ' + v.nodes.map(n => n.target.join(' ') + ' — ' + n.failureSummary).join(' | '))))
  .catch(e => done(['axe-core failed: ' + e]));"#;

impl Browser {
    /// Runs axe-core on the page shown, named `page`; its serious and
    /// critical violations are kept for the end of the test.
    async fn check_accessibility(&mut self, page: &str) {
        let found = self.axe_violations(page).await;
        self.checked += 1;
        self.violations
            .extend(found.into_iter().map(|v| format!("{page}: {v}")));
    }

    /// axe-core's serious and critical violations on the page shown.
    async fn axe_violations(&self, page: &str) -> Vec<String> {
        self.client
            .execute(&self.axe, vec![])
            .await
            .unwrap_or_else(|e| panic!("inject axe-core into {page}: {e}"));
        let found = self
            .client
            .execute_async(AXE_RUN, vec![])
            .await
            .unwrap_or_else(|e| panic!("run axe-core on {page}: {e}"));
        found
            .as_array()
            .unwrap_or_else(|| panic!("axe-core's answer on {page} is not a list: {found}"))
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect()
    }

    async fn go(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    /// The text of `css`. A click that submits a form or follows a link
    /// may still be loading the next page: an element not there yet, or
    /// gone stale under the read, is looked for again (up to 60 s).
    async fn text(&self, css: &str) -> String {
        let mut last = String::new();
        for _ in 0..240 {
            match self.client.find(Locator::Css(css)).await {
                Ok(e) => match e.text().await {
                    Ok(t) => return t,
                    Err(e) => last = e.to_string(),
                },
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        panic!("find `{css}`: {last}");
    }

    async fn body(&self) -> String {
        self.text("body").await
    }

    async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("find `{css}`: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("click `{css}`: {e}"));
    }

    /// Sets the value of the element with id `id` at once (a long text
    /// would take a while to type).
    async fn set_value(&self, id: &str, text: &str) {
        self.client
            .execute(
                "document.getElementById(arguments[0]).value = arguments[1];",
                vec![json!(id), json!(text)],
            )
            .await
            .expect("set a value");
    }

    async fn fill(&self, css: &str, text: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("find `{css}`: {e}"))
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into `{css}`: {e}"));
    }

    async fn login(&self, name: &str) {
        self.go("/login").await;
        self.fill("#name", name).await;
        self.fill("#password", &format!("password-of-{name}")).await;
        self.click("form button[type=submit]").await;
        // The next page may still be loading: wait for it.
        self.wait_text("body", &format!("Signed in as {name}"))
            .await;
    }

    async fn logout(&self) {
        self.click("header form.account button").await;
        self.wait_text("body", "Account name").await;
    }

    /// Waits until `css` holds `text` (htmx or a reload may bring it).
    async fn wait_text(&self, css: &str, text: &str) -> String {
        for _ in 0..240 {
            if let Ok(e) = self.client.find(Locator::Css(css)).await
                && let Ok(t) = e.text().await
                && t.contains(text)
            {
                return t;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        panic!("`{css}` never held `{text}`: {}", self.body().await);
    }

    async fn screenshot(&mut self, dir: &std::path::Path, name: &str) {
        let png = self.client.screenshot().await.expect("a screenshot");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write the screenshot");
        self.shots.push(path);
    }

    /// Asserts no console error since the last call; returns how many
    /// entries the log held (the 401 of a page opened without a session is
    /// one, which shows the log is read at all).
    async fn assert_clean_console(&self, journey: &str) -> usize {
        let (errors, entries) = console_errors(&self.client).await;
        assert!(
            errors.is_empty(),
            "the browser's console holds errors during {journey}: {errors:#?}"
        );
        entries
    }
}

fn wait_done(h: &Harness, token: &str, delivery: &str) -> serde_json::Value {
    for _ in 0..600 {
        let job = read_json(
            agent()
                .get(&format!("{}/api/v1/deliveries/{delivery}", h.base))
                .header("Authorization", &format!("Bearer {token}"))
                .call()
                .expect("poll"),
        );
        if job["status"] == "done" || job["status"] == "failed" {
            return job;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("delivery {delivery} was not reviewed in 120 s");
}

#[test]
fn supplier_and_manager_journeys_in_chromium() {
    let chromedriver = std::path::Path::new("/usr/bin/chromedriver");
    assert!(
        chromedriver.exists() && std::path::Path::new("/usr/bin/chromium").exists(),
        "the browser tests need Debian's chromium and chromium-driver (scripts/test installs them)"
    );
    let h = Harness::start(Backend::Sqlite);
    let hours = jiff::SignedDuration::from_hours;
    let supplier = h.account(
        "acme-member",
        &[(Role::Supplier, Scope::Supplier("acme-dev".into()))],
    );
    h.account("manager", &[(Role::Manager, Scope::Organisation)]);
    h.account("root", &[(Role::Admin, Scope::Organisation)]);
    // The lead both asks for waivers and approves others' requests.
    h.account(
        "lead",
        &[
            (Role::Reviewer, Scope::Organisation),
            (Role::Approver, Scope::Organisation),
        ],
    );
    let reviewer = h.account("reviewer", &[(Role::Reviewer, Scope::Organisation)]);
    let approver = h.account("approver", &[(Role::Approver, Scope::Organisation)]);
    let supplier_token = h.token(&supplier, Scope::Supplier("acme-dev".into()), hours(1));
    let reviewer_token = h.token(&reviewer, Scope::Organisation, hours(1));
    let approver_token = h.token(&approver, Scope::Organisation, hours(1));
    let auditor = h.account("auditor", &[(Role::Auditor, Scope::Organisation)]);
    let auditor_token = h.token(&auditor, Scope::Organisation, hours(1));

    // Before the browser: an earlier delivery over the API, and a waiver of
    // its settings.py finding, asked by the reviewer, granted by the approver.
    let first = read_json(
        agent()
            .post(&format!(
                "{}/api/v1/engagements/acme-portal/deliveries",
                h.base
            ))
            .header("Authorization", &format!("Bearer {supplier_token}"))
            .header("Content-Type", "application/gzip")
            .send(&delivery()[..])
            .expect("submit"),
    )["id"]
        .as_str()
        .expect("a delivery id")
        .to_owned();
    wait_done(&h, &supplier_token, &first);
    let findings = read_json(
        agent()
            .get(&format!("{}/api/v1/deliveries/{first}/findings", h.base))
            .header("Authorization", &format!("Bearer {reviewer_token}"))
            .call()
            .expect("findings"),
    );
    let items = findings["items"].as_array().expect("findings");
    assert_eq!(items.len(), 2, "{findings}");
    let categories: std::collections::BTreeSet<String> = items
        .iter()
        .map(|f| f["category"].as_str().expect("a category").to_owned())
        .collect();
    let fingerprint = items
        .iter()
        .find(|f| {
            f["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("settings.py"))
        })
        .expect("the settings.py finding")["fingerprint"]
        .as_str()
        .expect("a fingerprint")
        .to_owned();
    let until = jiff::Zoned::now()
        .date()
        .checked_add(jiff::Span::new().days(30))
        .expect("a date")
        .to_string();
    let request = read_json(
        agent()
            .post(&format!(
                "{}/api/v1/engagements/acme-portal/waiver-requests",
                h.base
            ))
            .header("Authorization", &format!("Bearer {reviewer_token}"))
            .send_json(json!({"fingerprint": fingerprint, "reason": RATIONALE, "expires": until}))
            .expect("a waiver request"),
    )["id"]
        .as_str()
        .expect("a request id")
        .to_owned();
    let approved = agent()
        .post(&format!(
            "{}/api/v1/waiver-requests/{request}/approve",
            h.base
        ))
        .header("Authorization", &format!("Bearer {approver_token}"))
        .send_json(json!({}))
        .expect("approve");
    assert_eq!(approved.status(), 200);

    let upload = h.dir.path().join("portal-2.tar.gz");
    std::fs::write(&upload, delivery()).expect("the upload");
    let report = h.dir.path().join("pentest-2026.pdf");
    std::fs::write(
        &report,
        b"%PDF-1.4\n% the supplier's penetration test report\n",
    )
    .expect("the report");
    let fixed_upload = h.dir.path().join("portal-3.tar.gz");
    std::fs::write(&fixed_upload, fixed_delivery()).expect("the fixed upload");
    let pack_path = h.dir.path().join("pack.zip");
    let evidence_dir = h.dir.path().join("evidence");
    let shots = h.dir.path().join("screenshots");
    std::fs::create_dir_all(&shots).expect("a screenshot directory");

    let port = free_port();
    let _driver = Driver(
        std::process::Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    // axe-core (scripts/test installs it): without it the test fails.
    let axe_path = std::env::var("OVERSIGHT_AXE").unwrap_or_else(|_| {
        panic!("OVERSIGHT_AXE must name axe-core's axe.min.js (scripts/test installs the npm package axe-core)")
    });
    let axe = std::fs::read_to_string(&axe_path)
        .unwrap_or_else(|e| panic!("axe-core at OVERSIGHT_AXE={axe_path}: {e}"));
    let base = h.base.clone();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let shots_taken = runtime.block_on(async {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=en"],
            }),
        );
        capabilities.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let mut client = None;
        for _ in 0..100 {
            match ClientBuilder::new(connector.clone())
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(c) => {
                    client = Some(c);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        let client = client.expect("a browser session through chromedriver");
        let mut b = Browser {
            client,
            base,
            shots: Vec::new(),
            axe,
            violations: Vec::new(),
            checked: 0,
        };

        // Journey 1, its first step: the administrator invites a reviewer
        // and grants the role in the browser; the reviewer opens the
        // setup link, whose code follows `#` (it never reaches the server):
        // the page's script fills it in and drops it from the address bar.
        b.login("root").await;
        b.click("header a[href='/users']").await;
        b.fill("#invite-name", "rosa").await;
        b.click("#invite-account").await;
        let link = b.wait_text("#setup-link", "/setup#").await.trim().to_owned();
        let (_, setup_link) = link.split_once("/setup#").expect("a setup link");
        let setup_link = setup_link.to_owned();
        assert!(link.starts_with(&b.base), "{link}");
        let users = b.text("#users").await;
        assert!(users.contains("rosa") && users.contains("awaiting its setup link"), "{users}");
        b.check_accessibility("accounts").await;
        let rosa_row = b
            .client
            .find(Locator::XPath("//table[@id='users']//tr[th[contains(., 'rosa')]]//form"))
            .await
            .expect("rosa's grant form");
        rosa_row
            .find(Locator::Css("select"))
            .await
            .expect("the role")
            .select_by_value("reviewer")
            .await
            .expect("select");
        rosa_row
            .find(Locator::Css("input[name=scope]"))
            .await
            .expect("the scope")
            .send_keys("organisation")
            .await
            .expect("type");
        rosa_row
            .find(Locator::Css("button"))
            .await
            .expect("grant")
            .click()
            .await
            .expect("click");
        let granted = b.wait_text("#users", "reviewer on the organisation").await;
        assert!(granted.contains("reviewer on the organisation"), "{granted}");
        b.logout().await;
        b.go(&format!("/setup#{setup_link}")).await;
        let code = b
            .client
            .find(Locator::Css("#link"))
            .await
            .expect("the code field")
            .prop("value")
            .await
            .expect("its value")
            .unwrap_or_default();
        assert_eq!(code, setup_link, "the script fills in the code");
        let url = b.client.current_url().await.expect("a URL");
        assert!(url.fragment().is_none(), "the code stays in the address bar: {url}");
        b.check_accessibility("setup").await;
        b.fill("#password", "password-of-rosa").await;
        b.fill("#confirm", "password-of-rosa").await;
        b.click("#set-password").await;
        let done = b.wait_text("#setup-done", "rosa").await;
        assert!(done.contains("is set"), "{done}");
        b.login("rosa").await;
        b.logout().await;
        // Used once: the same link again is refused.
        b.go(&format!("/setup#{setup_link}")).await;
        b.fill("#password", "another password").await;
        b.fill("#confirm", "another password").await;
        b.click("#set-password").await;
        b.wait_text("main", "unknown, used or expired").await;

        // Journey 2: the supplier. Not signed in, a page is the login form.
        b.go("/engagements/acme-portal").await;
        assert!(b.body().await.contains("Account name"));
        b.check_accessibility("login").await;
        // The check finds what it should: an input without a label, added
        // to the page here, is a critical violation.
        b.client
            .execute(
                "const i = document.createElement('input'); i.id = 'unlabelled'; document.querySelector('main').appendChild(i);",
                vec![],
            )
            .await
            .expect("add an input");
        let found = b.axe_violations("login with an unlabelled input").await;
        assert!(
            found.iter().any(|v| v.contains("label") && v.contains("#unlabelled")),
            "axe-core did not report an input without a label: {found:?}"
        );
        b.login("acme-member").await;
        let portal = b.text("#engagements").await;
        assert!(portal.contains("acme-portal"), "{portal}");
        assert!(!portal.contains("globex"), "another supplier's engagement: {portal}");
        b.screenshot(&shots, "portal").await;
        b.check_accessibility("portal").await;
        // Another supplier's engagement does not exist for it.
        b.go("/engagements/globex-app").await;
        let hidden = b.body().await;
        assert!(hidden.contains("Engagement `globex-app` not found"), "{hidden}");
        assert!(!hidden.contains("Globex"), "{hidden}");

        b.go("/engagements").await;
        b.click("#engagements a[href='/engagements/acme-portal']").await;
        assert!(b.text("#acknowledgement").await.contains("has not acknowledged"));
        assert!(b.text("#requirement-table").await.contains("OSD-"));
        b.fill("#note", "Read with the team").await;
        b.click("#acknowledge").await;
        let acknowledged = b.wait_text("#acknowledgement", "Acknowledged by").await;
        assert!(
            acknowledged.contains("Acknowledged by acme-member") && acknowledged.contains("(these terms)"),
            "{acknowledged}"
        );
        // The supplier hands over its penetration test report; it cannot
        // list the organisation's evidence.
        b.fill("#evidence-kind", "pentest-report").await;
        b.fill("#evidence-document", report.to_str().expect("a UTF-8 path")).await;
        b.click("#add-evidence-button").await;
        b.wait_text("main", "The evidence document is kept").await;
        assert!(
            b.client.find(Locator::Css("table#evidence")).await.is_err(),
            "the supplier lists the evidence"
        );
        // The engagement's trends, without its waivers for the supplier.
        let counts = b.text("#engagement-findings-data").await;
        assert_eq!(counts.matches("2 findings, rejected").count(), 1, "{counts}");
        for category in &categories {
            assert!(counts.contains(category.as_str()), "no `{category}` in {counts}");
        }
        assert!(
            b.client.find(Locator::Css("#engagement-waivers")).await.is_err(),
            "the supplier sees the waivers chart"
        );
        b.screenshot(&shots, "engagement").await;
        b.check_accessibility("engagement (supplier)").await;

        b.fill("#delivery", upload.to_str().expect("a UTF-8 path")).await;
        b.click("#submit-delivery").await;
        // The page polls the review with htmx until the decision is in.
        let decision = b.wait_text("#decision", "rejected").await;
        assert!(decision.contains("rejected"));
        let url = b.client.current_url().await.expect("a URL");
        assert!(url.path().starts_with("/deliveries/dly"), "{url}");
        let page = b.body().await;
        assert!(page.contains("Blocks acceptance"), "{page}");
        assert!(page.contains("2 of 2 findings match"), "{page}");
        assert!(page.contains("Download the SBOM"), "{page}");
        assert!(page.contains("waived") && page.contains("blocking"), "{page}");
        assert!(!page.contains(RATIONALE), "the supplier sees the waiver rationale: {page}");
        assert!(!page.contains("waiver wvr"), "the supplier sees the waiver: {page}");
        b.screenshot(&shots, "delivery-supplier").await;
        b.check_accessibility("delivery (supplier)").await;
        // Filtered on the server: through htmx here, a plain GET without it.
        b.client
            .find(Locator::Css("#disposition"))
            .await
            .expect("the disposition filter")
            .select_by_value("blocking")
            .await
            .expect("select");
        b.wait_text("#findings", "1 of 2 findings match").await;
        assert!(b.client.current_url().await.expect("a URL").query().unwrap_or("").contains("disposition=blocking"));
        let entries = b.assert_clean_console("the supplier's journey").await;
        assert!(
            entries > 0,
            "chromedriver's browser log held nothing, not even the 401"
        );
        let delivery_path = url.path().to_owned();

        // The supplier makes its CI's token in the browser: within its own
        // grants, the secret shown once, usable at once, revoked here.
        b.go("/tokens").await;
        let before = b.text("#tokens").await;
        assert!(!before.contains("acme-portal CI"), "{before}");
        let scopes = b.text("#scope").await;
        assert!(scopes.contains("supplier:acme-dev") && !scopes.contains("organisation"), "{scopes}");
        b.check_accessibility("tokens").await;
        b.fill("#name", "acme-portal CI").await;
        b.click("#make-token").await;
        let secret = b.wait_text("#token-secret", "ovs_").await.trim().to_owned();
        let me_url = format!("{}/api/v1/me", b.base);
        let me = |token: &str| {
            agent()
                .get(&me_url)
                .header("Authorization", &format!("Bearer {token}"))
                .call()
                .expect("the API answers")
                .status()
                .as_u16()
        };
        assert_eq!(me(&secret), 200, "the new token works");
        let listed = b.text("#tokens").await;
        assert!(listed.contains("acme-portal CI") && listed.contains("submit-delivery"), "{listed}");
        assert!(!listed.contains(&secret), "the secret is listed");
        b.screenshot(&shots, "tokens").await;
        let id = secret.split('_').nth(1).expect("ovs_<id>_<secret>");
        b.click(&format!("#revoke-{id}")).await;
        let revoked = b.wait_text("#tokens", "revoked").await;
        assert!(revoked.contains("The token is revoked") || revoked.contains("revoked 20"), "{revoked}");
        assert_eq!(me(&secret), 401, "the revoked token is refused");
        b.logout().await;

        // The manager: the dashboard, then the same delivery.
        b.login("manager").await;
        let matrix = b.text("#status-matrix").await;
        assert!(matrix.contains("acme-portal") && matrix.contains("globex-app"), "{matrix}");
        for word in ["Engagements × A.8.30 factors", "rejected"] {
            assert!(matrix.contains(word), "no `{word}` in {matrix}");
        }
        assert!(
            ["ok", "attention", "failing", "not agreed"].iter().any(|s| matrix.contains(s)),
            "{matrix}"
        );
        let recent = b.text("#main").await;
        assert!(recent.contains("Recent decisions") && recent.contains("acme-member"), "{recent}");
        // Trends, drawn on the server: an SVG with its title and
        // description, and the same numbers as a table. Both deliveries of
        // acme-portal so far have the two findings of `first`, by category.
        let source = b.client.source().await.expect("the page's source");
        assert!(
            source.contains("<title id=\"org-findings-title\">Findings by category")
                && source.contains("<desc id=\"org-findings-desc\">"),
            "no findings chart: {source}"
        );
        let counts = b.text("#org-findings-data").await;
        for category in &categories {
            assert!(counts.contains(category.as_str()), "no `{category}` in {counts}");
        }
        assert_eq!(
            counts.matches("2 findings, rejected").count(),
            2,
            "two rejected deliveries of 2 findings: {counts}"
        );
        let acceptance = b.text("#org-acceptance-data").await;
        assert!(acceptance.contains("acme-portal") && acceptance.contains("not accepted"), "{acceptance}");
        let expiring = b.text("#org-waivers-data").await;
        assert!(expiring.contains(&format!("30 days left, until {until}")), "{expiring}");
        b.screenshot(&shots, "dashboard").await;
        b.client
            .execute("document.getElementById('trends').scrollIntoView();", vec![])
            .await
            .expect("scroll to the trends");
        b.screenshot(&shots, "trends").await;
        b.check_accessibility("dashboard").await;
        b.go(&delivery_path).await;
        let page = b.body().await;
        assert!(page.contains(RATIONALE), "the manager does not see the rationale: {page}");
        // Nor does the API show the supplier the rationale in the reasons.
        let over_api = agent()
            .get(&format!("{}/api/v1{}", b.base, delivery_path))
            .header("Authorization", &format!("Bearer {supplier_token}"))
            .call()
            .expect("the delivery over the API")
            .into_body()
            .read_to_string()
            .expect("a body");
        assert!(over_api.contains("waived by the organisation"), "{over_api}");
        assert!(!over_api.contains(RATIONALE), "{over_api}");
        b.screenshot(&shots, "delivery").await;
        b.check_accessibility("delivery (manager)").await;

        // The manager changes the agreed terms in the browser: a broken
        // document comes back with its problem beside it and changes
        // nothing; the fixed one is applied, and the supplier's
        // acknowledgement is now of earlier terms.
        b.go("/engagements/acme-portal").await;
        let evidence = b.text("#evidence").await;
        assert!(
            evidence.contains("pentest-2026.pdf") && evidence.contains("pentest-report"),
            "{evidence}"
        );
        b.click("#edit-terms").await;
        let area = b.client.find(Locator::Css("#terms")).await.expect("the terms");
        let toml = area.prop("value").await.expect("its text").unwrap_or_default();
        assert!(toml.contains("owner = \"jane.doe@example.org\""), "{toml}");
        b.check_accessibility("terms").await;
        b.set_value("terms", &toml.replace("status = \"active\"", "status = \"paused\"")).await;
        b.click("#save-terms").await;
        let errors = b.wait_text("#terms-errors", "not changed").await;
        assert!(errors.contains("status"), "the problem names its key: {errors}");
        let kept = b
            .client
            .find(Locator::Css("#terms"))
            .await
            .expect("the terms")
            .prop("value")
            .await
            .expect("its text")
            .unwrap_or_default();
        assert!(kept.contains("paused"), "what was sent is kept for fixing");
        b.set_value("terms", &toml.replace("jane.doe@example.org", "john.roe@example.org")).await;
        b.click("#save-terms").await;
        b.wait_text("main", "The terms are changed").await;
        assert!(b.text("main").await.contains("john.roe@example.org"));
        let acknowledged = b.text("#acknowledgement").await;
        assert!(acknowledged.contains("earlier terms"), "{acknowledged}");
        b.assert_clean_console("the manager's journey").await;

        // Journey 3: the lead asks to waive the blocking finding of that
        // delivery; a different approver approves it from the queue.
        b.logout().await;
        b.login("lead").await;
        b.go(&delivery_path).await;
        let blocking = "tr:has(details.waive)";
        let row = b.text(blocking).await;
        assert!(row.contains("deploy/prod.py") && row.contains("blocking"), "{row}");
        // Past the policy's limit (the browser's own check taken away): the
        // register refuses, naming the rule.
        b.click("details.waive summary").await;
        let limits = b.text("details.waive small[id^=limits-]").await;
        assert!(limits.contains("at most 90 days"), "{limits}");
        b.check_accessibility("delivery with the waiver form").await;
        b.fill("details.waive textarea", WAIVER_REASON).await;
        b.client
            .execute(
                "const i = document.querySelector('details.waive input[type=date]'); i.removeAttribute('max'); i.value = '2099-12-31';",
                vec![],
            )
            .await
            .expect("set the expiry");
        b.click("details.waive button[type=submit]").await;
        // Refused on the delivery page, at the finding, with what was typed.
        let refused = b.wait_text("#waiver-error", "waivers.max_days").await;
        assert!(refused.contains("allows at most 90"), "{refused}");
        let typed = b
            .client
            .find(Locator::Css("details.waive[open] textarea"))
            .await
            .expect("the form, open")
            .prop("value")
            .await
            .expect("its value");
        assert_eq!(typed.as_deref(), Some(WAIVER_REASON));
        b.check_accessibility("delivery with a refused waiver request").await;
        // Within the limit.
        b.client
            .execute(
                "document.querySelector('details.waive[open] input[type=date]').value = arguments[0];",
                vec![json!(jiff::Zoned::now().date().checked_add(jiff::Span::new().days(30)).expect("a date").to_string())],
            )
            .await
            .expect("set the expiry");
        b.click("details.waive[open] button[type=submit]").await;
        b.wait_text("main", "Your waiver request is recorded").await;
        let row = b.text("tr:has(.requested)").await;
        assert!(row.contains("deploy/prod.py") && row.contains("awaiting an approver"), "{row}");
        b.go("/waivers").await;
        let queue = b.wait_text("#pending", WAIVER_REASON).await;
        assert!(queue.contains("lead"), "{queue}");
        b.screenshot(&shots, "waivers").await;
        b.check_accessibility("waiver queue (lead)").await;
        // The lead may approve, but not its own request: refused, saying why.
        b.click("#pending button[id^=approve-]").await;
        let refused = b.wait_text("main", "yourself").await;
        assert!(refused.contains("another account with the approver role"), "{refused}");
        let request_id = queue
            .split_whitespace()
            .find(|w| w.starts_with("wrq"))
            .expect("the request's id")
            .to_owned();
        b.assert_clean_console("the lead's waiver request").await;
        b.logout().await;

        // The reviewer reads the queue but has no approve button, and the
        // POST is refused.
        b.login("reviewer").await;
        b.go("/waivers").await;
        b.wait_text("#pending", &request_id).await;
        assert!(
            b.client.find_all(Locator::Css("#pending button")).await.expect("buttons").is_empty(),
            "the reviewer sees a decision button"
        );
        for action in ["approve", "deny"] {
            let status = agent()
                .post(&format!("{}/waiver-requests/{request_id}/{action}", b.base))
                .header("Authorization", &format!("Bearer {reviewer_token}"))
                .send_form([("csrf", "")])
                .expect("a response")
                .status();
            assert_eq!(status, 403, "the reviewer's {action}");
        }
        b.logout().await;

        // The approver approves; the delivery shows the finding waived.
        b.login("approver").await;
        b.go("/waivers").await;
        b.wait_text("#pending", &request_id).await;
        b.click(&format!("#approve-{request_id}")).await;
        b.wait_text("main", "The waiver is granted").await;
        let pending = b.text("#pending").await;
        assert!(!pending.contains(&request_id), "{pending}");
        let expiring = b.text("#expiring").await;
        assert!(expiring.contains(WAIVER_REASON) && expiring.contains("lead / approver"), "{expiring}");
        b.go(&delivery_path).await;
        let row = b.wait_text("tr:has(.waived-since)", "Waived").await;
        assert!(row.contains("deploy/prod.py") && row.contains("approved by approver"), "{row}");
        b.screenshot(&shots, "delivery-waived").await;
        b.check_accessibility("delivery with a waiver granted").await;
        b.assert_clean_console("the approver's journey").await;
        b.logout().await;

        // The supplier sees neither the queue nor the new waiver's rationale.
        b.login("acme-member").await;
        b.go("/waivers").await;
        let queue = b.body().await;
        assert!(queue.contains("may not read-waivers"), "{queue}");
        b.check_accessibility("error page").await;
        assert!(!queue.contains(WAIVER_REASON), "{queue}");
        b.go(&delivery_path).await;
        let page = b.wait_text("#decision", "rejected").await;
        let page = format!("{page}{}", b.body().await);
        for secret in [WAIVER_REASON, RATIONALE, "Waived since", "approved by"] {
            assert!(!page.contains(secret), "the supplier sees `{secret}`: {page}");
        }

        // Journey 2, resubmission: the supplier fixes deploy/prod.py (the
        // key comes from the environment) and the delivery is accepted
        // (settings.py stays waived).
        b.go("/engagements/acme-portal").await;
        b.fill("#delivery", fixed_upload.to_str().expect("a UTF-8 path")).await;
        b.click("#submit-delivery").await;
        let decision = b.wait_text("#decision", "accepted").await;
        assert!(!decision.contains("rejected"), "{decision}");
        let page = b.body().await;
        assert!(!page.contains("Blocks acceptance"), "{page}");
        assert!(!page.contains(RATIONALE) && !page.contains(WAIVER_REASON), "{page}");
        b.screenshot(&shots, "delivery-accepted").await;
        b.check_accessibility("delivery accepted").await;
        b.assert_clean_console("the supplier's resubmission").await;
        b.logout().await;

        // Journey 4: the auditor reads everything in scope, changes nothing,
        // verifies the ledger and downloads the evidence pack.
        b.login("auditor").await;
        for path in ["/", "/engagements/acme-portal", delivery_path.as_str(), "/waivers", "/ledger"] {
            b.go(path).await;
            b.wait_text("footer", "Oversight").await;
            let forms = b
                .client
                .execute(
                    "return Array.from(document.querySelectorAll('form')).filter(f => f.method === 'post' && !f.classList.contains('account')).map(f => f.getAttribute('action'));",
                    vec![],
                )
                .await
                .expect("the page's forms");
            assert_eq!(forms, json!([]), "the auditor is offered a change on {path}");
            let inputs = b
                .client
                .find_all(Locator::Css("textarea, input[type=file]"))
                .await
                .expect("inputs");
            assert!(inputs.is_empty(), "the auditor is offered an input on {path}");
            b.check_accessibility(&format!("{path} (auditor)")).await;
        }
        b.go("/waivers").await;
        let expiring = b.text("#expiring").await;
        assert!(expiring.contains(WAIVER_REASON), "the auditor reads waivers: {expiring}");
        b.go("/ledger").await;
        let events = b.wait_text("#events", "events match").await;
        for word in ["waiver.granted", "terms.acknowledged", "delivery.reviewed", "approver", "acme-member"] {
            assert!(events.contains(word), "no `{word}` in the ledger: {events}");
        }
        b.client
            .find(Locator::Css("#kind"))
            .await
            .expect("the kind filter")
            .select_by_value("waiver.granted")
            .await
            .expect("select");
        b.click("#events-title ~ form button[type=submit]").await;
        // "2 of N events match" (not "12 of 12", which holds "2 of" too).
        let mut filtered = String::new();
        for _ in 0..240 {
            filtered = b.text("#events").await;
            if filtered.trim_start().starts_with("2 of ") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        assert!(filtered.trim_start().starts_with("2 of "), "{filtered}");
        assert!(!filtered.contains("delivery.reviewed"), "{filtered}");
        assert!(b.client.current_url().await.expect("a URL").query().unwrap_or("").contains("kind=waiver.granted"));
        b.click("#verify-now").await;
        let verified = b.wait_text("#verification", "Verified: intact").await;
        assert!(verified.contains("Ledger: intact") && verified.contains("no problem"), "{verified}");
        b.screenshot(&shots, "ledger").await;
        b.check_accessibility("ledger, verified").await;
        b.go("/engagements/acme-portal").await;
        let href = b
            .client
            .find(Locator::Css("a#export"))
            .await
            .expect("the export link")
            .attr("href")
            .await
            .expect("its address")
            .expect("an href");
        let cookies = b.client.get_all_cookies().await.expect("the cookies");
        let cookie = cookies
            .iter()
            .map(|c| format!("{}={}", c.name(), c.value()))
            .collect::<Vec<_>>()
            .join("; ");
        let r = agent()
            .get(&format!("{}{href}", b.base))
            .header("Cookie", &cookie)
            .call()
            .expect("the pack");
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/zip");
        assert_eq!(r.headers()["x-oversight-verified"], "true");
        let zip = pack_path.clone();
        std::fs::write(&zip, r.into_body().read_to_vec().expect("the zip")).expect("write the pack");
        // A blob of the evidence store altered on disk: "verify now" says
        // so, naming it.
        let altered = first_file(&evidence_dir.join("sha256"));
        std::fs::write(&altered, b"altered on disk").expect("alter a blob");
        b.go("/ledger").await;
        b.click("#verify-now").await;
        let failed = b.wait_text("#verification", "Verification FAILED").await;
        assert!(failed.contains("Ledger: intact") && failed.contains("1 problem:"), "{failed}");
        b.assert_clean_console("the auditor's journey").await;
        b.logout().await;

        // A form from another site is refused, whatever the browser holds.
        let status = agent()
            .post(&format!("{}/engagements/acme-portal/acknowledge", b.base))
            .header("Origin", "https://evil.example")
            .send_form([("note", "forged")])
            .expect("a response")
            .status();
        assert_eq!(status, 401, "no cookie, no session");

        assert!(
            b.violations.is_empty(),
            "axe-core found serious or critical accessibility violations on {} of {} pages:\n{}",
            b.violations.len(),
            b.checked,
            b.violations.join("\n")
        );
        assert!(b.checked >= 18, "axe-core ran on {} pages only", b.checked);
        eprintln!(
            "axe-core: {} pages checked, no serious or critical violation",
            b.checked
        );
        let shots = b.shots.clone();
        b.client.close().await.expect("close the browser");
        shots
    });
    // The pack the auditor downloaded verifies with the instance's public
    // key alone (as `oversight pack verify` does).
    let public_key = read_json(
        agent()
            .get(&format!("{}/api/v1/ledger/verify", h.base))
            .header("Authorization", &format!("Bearer {auditor_token}"))
            .call()
            .expect("the public key"),
    )["public_key"]
        .as_str()
        .expect("a public key")
        .to_owned();
    let files = oversight_app::pack::read_zip(&pack_path).expect("the pack is a zip");
    assert_eq!(
        files.keys().filter(|k| k.ends_with("/review.json")).count(),
        3,
        "{:?}",
        files.keys().collect::<Vec<_>>()
    );
    let key = oversight_ledger::PublicKey::from_hex(&public_key).expect("a key");
    let report = oversight_app::pack::verify(files, &key);
    assert!(report.verified(), "{:?}", report.problems);
    if let Ok(dir) = std::env::var("OVERSIGHT_SCREENSHOTS") {
        std::fs::create_dir_all(&dir).expect("the screenshot directory");
        for shot in &shots_taken {
            std::fs::copy(
                shot,
                std::path::Path::new(&dir).join(shot.file_name().unwrap()),
            )
            .expect("copy a screenshot");
        }
    }
}
