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
/// violations. A page answered with 401 or 404 on purpose is not one.
async fn console_errors(client: &Client) -> (Vec<String>, usize) {
    let log = client.issue_cmd(BrowserLog).await.expect("the browser log");
    let entries = log
        .as_array()
        .unwrap_or_else(|| panic!("chromedriver's log is not a list: {log}"));
    let errors = entries
        .iter()
        .filter(|e| matches!(e["level"].as_str(), Some("SEVERE" | "WARNING")))
        .filter_map(|e| e["message"].as_str().map(str::to_owned))
        .filter(|m| {
            !(m.contains("the server responded with a status of 401")
                || m.contains("the server responded with a status of 404")
                    && !m.contains("/static/"))
        })
        .collect();
    (errors, entries.len())
}

struct Browser {
    client: Client,
    base: String,
    shots: Vec<std::path::PathBuf>,
}

impl Browser {
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
    let reviewer = h.account("reviewer", &[(Role::Reviewer, Scope::Organisation)]);
    let approver = h.account("approver", &[(Role::Approver, Scope::Organisation)]);
    let supplier_token = h.token(&supplier, Scope::Supplier("acme-dev".into()), hours(1));
    let reviewer_token = h.token(&reviewer, Scope::Organisation, hours(1));
    let approver_token = h.token(&approver, Scope::Organisation, hours(1));

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
        };

        // Journey 2: the supplier. Not signed in, a page is the login form.
        b.go("/engagements/acme-portal").await;
        assert!(b.body().await.contains("Account name"));
        b.login("acme-member").await;
        let portal = b.text("#engagements").await;
        assert!(portal.contains("acme-portal"), "{portal}");
        assert!(!portal.contains("globex"), "another supplier's engagement: {portal}");
        b.screenshot(&shots, "portal").await;
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
        b.screenshot(&shots, "engagement").await;

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
        assert!(page.contains("waived") && page.contains("blocking"), "{page}");
        assert!(!page.contains(RATIONALE), "the supplier sees the waiver rationale: {page}");
        assert!(!page.contains("waiver wvr"), "the supplier sees the waiver: {page}");
        b.screenshot(&shots, "delivery-supplier").await;
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
        b.screenshot(&shots, "dashboard").await;
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
        b.assert_clean_console("the manager's journey").await;

        // A form from another site is refused, whatever the browser holds.
        let status = agent()
            .post(&format!("{}/engagements/acme-portal/acknowledge", b.base))
            .header("Origin", "https://evil.example")
            .send_form([("note", "forged")])
            .expect("a response")
            .status();
        assert_eq!(status, 401, "no cookie, no session");

        let shots = b.shots.clone();
        b.client.close().await.expect("close the browser");
        shots
    });
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
