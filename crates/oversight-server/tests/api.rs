//! The server over real HTTP: the whole story between organisation,
//! supplier, reviewer, approver and auditor (SQLite and PostgreSQL), the
//! authorisation matrix generated from the router, cross-tenant probes and
//! bad input.

mod common;

use common::{Backend, Harness, agent, read_json, tar_gz};
use oversight_access::{Role, Scope};
use serde_json::json;

/// A delivery with one waivable finding (a cloud credential in code).
fn bad_delivery() -> Vec<u8> {
    tar_gz(&[
        ("README.md", "# Portal\n\nThe customer portal.\n"),
        (
            "src/settings.py",
            "import os\n\nAWS_ACCESS_KEY_ID = \"AKIAQX4BRTWN5XG7K2PD\"\nREGION = os.environ.get(\"REGION\", \"eu-west-1\")\n",
        ),
    ])
}

fn wait_done(h: &Harness, token: &str, delivery: &str) -> serde_json::Value {
    for _ in 0..600 {
        let r = agent()
            .get(&format!("{}/api/v1/deliveries/{delivery}", h.base))
            .header("Authorization", &format!("Bearer {token}"))
            .call()
            .expect("poll");
        assert_eq!(r.status(), 200);
        let job = read_json(r);
        if job["status"] == "done" || job["status"] == "failed" {
            return job;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    panic!("delivery {delivery} was not reviewed in 120 s");
}

fn submit(
    h: &Harness,
    token: &str,
    engagement: &str,
    body: &[u8],
) -> ureq::http::Response<ureq::Body> {
    agent()
        .post(&format!(
            "{}/api/v1/engagements/{engagement}/deliveries",
            h.base
        ))
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "application/gzip")
        .send(body)
        .expect("submit")
}

/// The whole story of issue 17, over HTTP.
fn story(backend: Backend) {
    let h = Harness::start(backend);
    h.account("admin", &[(Role::Admin, Scope::Organisation)]);
    h.account("rita", &[(Role::Reviewer, Scope::Organisation)]);
    h.account("arno", &[(Role::Approver, Scope::Organisation)]);
    h.account("aud", &[(Role::Auditor, Scope::Organisation)]);
    let origin = h.base.clone();

    // 1. The admin logs in and invites a supplier's member.
    let admin_agent = agent();
    let r = admin_agent
        .post(&format!("{}/api/v1/login", h.base))
        .send_json(json!({"name": "admin", "password": "password-of-admin"}))
        .unwrap();
    assert_eq!(r.status(), 200);
    let cookie = r
        .headers()
        .get("set-cookie")
        .expect("a session cookie")
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    // A cookie-authenticated change from another origin is refused.
    let r = agent()
        .post(&format!("{}/api/v1/users", h.base))
        .header("Cookie", &cookie)
        .header("Origin", "https://evil.example")
        .send_json(json!({"name": "sam"}))
        .unwrap();
    assert_eq!(r.status(), 403, "CSRF from another origin");
    let r = agent()
        .post(&format!("{}/api/v1/users", h.base))
        .header("Cookie", &cookie)
        .header("Origin", &origin)
        .send_json(json!({"name": "sam"}))
        .unwrap();
    assert_eq!(r.status(), 201);
    let invited = read_json(r);
    let link = invited["setup_link"].as_str().unwrap().to_owned();
    let sam_id = invited["user"]["id"].as_str().unwrap().to_owned();
    let r = agent()
        .post(&format!("{}/api/v1/users/{sam_id}/grants", h.base))
        .header("Cookie", &cookie)
        .header("Origin", &origin)
        .send_json(json!({"role": "supplier", "scope": {"kind": "supplier", "id": "acme-dev"}}))
        .unwrap();
    assert_eq!(r.status(), 204);
    // The supplier sets its password with the link, once.
    let setup = json!({"link": link, "password": "a long supplier password"});
    let r = agent()
        .post(&format!("{}/api/v1/setup", h.base))
        .send_json(&setup)
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = agent()
        .post(&format!("{}/api/v1/setup", h.base))
        .send_json(&setup)
        .unwrap();
    assert_eq!(r.status(), 401, "a setup link works once");

    // 2. The supplier reads its terms and acknowledges them.
    let r = agent()
        .post(&format!("{}/api/v1/login", h.base))
        .send_json(json!({"name": "sam", "password": "a long supplier password"}))
        .unwrap();
    assert_eq!(r.status(), 200);
    let sam_cookie = r
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let r = agent()
        .get(&format!("{}/api/v1/engagements", h.base))
        .header("Cookie", &sam_cookie)
        .call()
        .unwrap();
    let list = read_json(r);
    let ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["acme-portal"],
        "a supplier sees its own engagements only"
    );
    assert!(
        list["items"][0].get("owner").is_none(),
        "internal notes are not shown to a supplier"
    );
    let r = agent()
        .get(&format!("{}/api/v1/engagements/acme-portal/policy", h.base))
        .header("Cookie", &sam_cookie)
        .call()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.into_body()
            .read_to_string()
            .unwrap()
            .contains("server-test")
    );
    let r = agent()
        .post(&format!(
            "{}/api/v1/engagements/acme-portal/acknowledgements",
            h.base
        ))
        .header("Cookie", &sam_cookie)
        .header("Origin", &origin)
        .send_json(json!({"note": "read and agreed"}))
        .unwrap();
    assert_eq!(r.status(), 201);
    // The supplier creates a CI token for its own supplier.
    let expires = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24)).to_string();
    let r = agent()
        .post(&format!("{}/api/v1/tokens", h.base))
        .header("Cookie", &sam_cookie)
        .header("Origin", &origin)
        .send_json(
            json!({"name": "ci", "scope": {"kind": "supplier", "id": "acme-dev"},
            "actions": ["submit-delivery", "read-deliveries"], "expires": expires}),
        )
        .unwrap();
    assert_eq!(r.status(), 201);
    let ci = read_json(r)["secret"].as_str().unwrap().to_owned();
    // A supplier cannot mint a token beyond its grants.
    let r = agent()
        .post(&format!("{}/api/v1/tokens", h.base))
        .header("Cookie", &sam_cookie)
        .header("Origin", &origin)
        .send_json(json!({"name": "greedy", "scope": {"kind": "organisation"},
            "actions": ["read-status"], "expires": expires}))
        .unwrap();
    assert_eq!(r.status(), 400);

    // 3. Supplier CI submits a delivery; it is rejected.
    let r = submit(&h, &ci, "acme-portal", &bad_delivery());
    assert_eq!(r.status(), 202);
    let delivery = read_json(r)["id"].as_str().unwrap().to_owned();
    let job = wait_done(&h, &ci, &delivery);
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(job["outcome"], "rejected", "{job}");
    let r = agent()
        .get(&format!("{}/api/v1/deliveries/{delivery}/findings", h.base))
        .header("Authorization", &format!("Bearer {ci}"))
        .call()
        .unwrap();
    let findings = read_json(r);
    let blocking: Vec<&serde_json::Value> = findings["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["disposition"] == "blocking")
        .collect();
    assert!(!blocking.is_empty(), "{findings}");
    assert!(
        blocking
            .iter()
            .any(|f| f["path"] == "delivery.tar.gz!/src/settings.py"),
        "{findings}"
    );

    // 4. The reviewer asks for waivers; the reviewer cannot approve them;
    //    a different account, the approver, does.
    let rita = h.token(
        &h.runtime.block_on(async {
            h.state
                .access()
                .authenticate("rita", "password-of-rita")
                .await
                .unwrap()
        }),
        Scope::Organisation,
        jiff::SignedDuration::from_hours(1),
    );
    let arno = h.token(
        &h.runtime.block_on(async {
            h.state
                .access()
                .authenticate("arno", "password-of-arno")
                .await
                .unwrap()
        }),
        Scope::Organisation,
        jiff::SignedDuration::from_hours(1),
    );
    let until = jiff::Zoned::now()
        .date()
        .checked_add(jiff::Span::new().days(30))
        .unwrap()
        .to_string();
    // A request the agreed policy could never grant (90 days at most) is
    // refused when it is asked, naming the rule; nothing waits for an
    // approver.
    let too_long = jiff::Zoned::now()
        .date()
        .checked_add(jiff::Span::new().days(200))
        .unwrap()
        .to_string();
    let r = agent()
        .post(&format!("{}/api/v1/engagements/acme-portal/waiver-requests", h.base))
        .header("Authorization", &format!("Bearer {rita}"))
        .send_json(json!({"fingerprint": blocking[0]["fingerprint"], "reason": "a long one", "expires": too_long}))
        .unwrap();
    assert_eq!(r.status(), 422);
    let refused = r.into_body().read_to_string().unwrap();
    assert!(refused.contains("waivers.max_days"), "{refused}");
    let r = agent()
        .post(&format!(
            "{}/api/v1/engagements/acme-portal/waiver-requests",
            h.base
        ))
        .header("Authorization", &format!("Bearer {rita}"))
        .send_json(
            json!({"fingerprint": "0".repeat(64), "reason": "no such finding", "expires": until}),
        )
        .unwrap();
    assert_eq!(r.status(), 422, "a finding never recorded");
    let pending = read_json(
        agent()
            .get(&format!(
                "{}/api/v1/engagements/acme-portal/waiver-requests",
                h.base
            ))
            .header("Authorization", &format!("Bearer {rita}"))
            .call()
            .unwrap(),
    );
    assert_eq!(pending, json!([]), "refused requests are not kept");
    for f in &blocking {
        let r = agent()
            .post(&format!("{}/api/v1/engagements/acme-portal/waiver-requests", h.base))
            .header("Authorization", &format!("Bearer {rita}"))
            .send_json(json!({"fingerprint": f["fingerprint"], "reason": "a documented test credential, rotated", "expires": until}))
            .unwrap();
        assert_eq!(r.status(), 201);
        let request = read_json(r)["id"].as_str().unwrap().to_owned();
        let r = agent()
            .post(&format!(
                "{}/api/v1/waiver-requests/{request}/approve",
                h.base
            ))
            .header("Authorization", &format!("Bearer {rita}"))
            .send_json(json!({}))
            .unwrap();
        assert_eq!(r.status(), 403, "a reviewer cannot approve");
        let r = agent()
            .post(&format!(
                "{}/api/v1/waiver-requests/{request}/approve",
                h.base
            ))
            .header("Authorization", &format!("Bearer {arno}"))
            .send_json(json!({}))
            .unwrap();
        assert_eq!(r.status(), 200);
        let granted = read_json(r);
        assert_eq!(granted["requester"], "rita");
        assert_eq!(granted["approver"], "arno");
    }

    // 5. The resubmission is accepted.
    let r = submit(&h, &ci, "acme-portal", &bad_delivery());
    let again = read_json(r)["id"].as_str().unwrap().to_owned();
    let job = wait_done(&h, &ci, &again);
    assert_eq!(job["outcome"], "accepted-with-waivers", "{job}");
    let diff_of = |delivery: &str| {
        let r = agent()
            .get(&format!("{}/api/v1/deliveries/{delivery}/diff", h.base))
            .header("Authorization", &format!("Bearer {ci}"))
            .call()
            .unwrap();
        assert_eq!(r.status(), 200);
        read_json(r)
    };
    // Nothing accepted before it: nothing to compare with.
    assert_eq!(diff_of(&again), serde_json::Value::Null);
    // Its SBOM, as the review kept it.
    let r = agent()
        .get(&format!("{}/api/v1/deliveries/{again}/sbom", h.base))
        .header("Authorization", &format!("Bearer {ci}"))
        .call()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "application/vnd.cyclonedx+json"
    );
    let sbom: serde_json::Value = serde_json::from_reader(r.into_body().into_reader()).unwrap();
    assert_eq!(sbom["bomFormat"], "CycloneDX", "{sbom}");
    // Its review as server-sent events: the state, then the end with the
    // delivery; the stream ends there.
    let r = agent()
        .get(&format!("{}/api/v1/deliveries/{again}/events", h.base))
        .header("Authorization", &format!("Bearer {ci}"))
        .call()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let events = r.into_body().read_to_string().unwrap();
    assert!(events.contains("event: status\ndata: done"), "{events}");
    let done = events
        .split("event: done\ndata: ")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .unwrap_or_else(|| panic!("no `done` event: {events}"));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(done).unwrap()["outcome"],
        "accepted-with-waivers"
    );

    // The next delivery adds an install hook: the supplier and the
    // reviewer see what changed since the accepted one, the hook first.
    let r = submit(
        &h,
        &ci,
        "acme-portal",
        &tar_gz(&[
            ("README.md", "# Portal\n\nThe customer portal.\n"),
            (
                "src/settings.py",
                "import os\n\nAWS_ACCESS_KEY_ID = \"AKIAQX4BRTWN5XG7K2PD\"\nREGION = os.environ.get(\"REGION\", \"eu-west-1\")\n",
            ),
            (
                "package.json",
                "{\"name\": \"portal\", \"version\": \"1.0.1\", \"scripts\": {\"postinstall\": \"node setup.js\"}}\n",
            ),
            ("setup.js", "console.log('configured');\n"),
        ]),
    );
    let third = read_json(r)["id"].as_str().unwrap().to_owned();
    wait_done(&h, &ci, &third);
    let diff = diff_of(&third);
    let accepted_review = job["review"].as_str().unwrap();
    assert_eq!(diff["accepted"], accepted_review, "{diff}");
    let added: Vec<&str> = diff["diff"]["files"]["added"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f.as_str())
        .collect();
    assert!(
        added.iter().any(|f| f.ends_with("package.json"))
            && added.iter().any(|f| f.ends_with("setup.js")),
        "{diff}"
    );
    let sensitive = diff["sensitive"].as_array().unwrap();
    assert!(
        sensitive
            .iter()
            .any(|c| c["path"].as_str().unwrap().ends_with("package.json")
                && c["what"].as_str().unwrap().contains("install hook")),
        "{diff}"
    );
    // The delivery page shows the same, the sensitive change first.
    let page = agent()
        .get(&format!("{}/deliveries/{third}", h.base))
        .header("Authorization", &format!("Bearer {ci}"))
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    let changes = page
        .find("Changes since the last accepted delivery")
        .unwrap_or_else(|| panic!("no diff on the page: {page}"));
    let hook = page[changes..]
        .find("install hook")
        .expect("the sensitive change on the page");
    let files = page[changes..]
        .find(">Files<")
        .expect("the files that changed");
    assert!(hook < files, "the sensitive change comes first");

    // 6. The auditor verifies the ledger and reads the access log.
    let aud = h.token(
        &h.runtime.block_on(async {
            h.state
                .access()
                .authenticate("aud", "password-of-aud")
                .await
                .unwrap()
        }),
        Scope::Organisation,
        jiff::SignedDuration::from_hours(1),
    );
    let r = agent()
        .get(&format!("{}/api/v1/ledger/verify", h.base))
        .header("Authorization", &format!("Bearer {aud}"))
        .call()
        .unwrap();
    assert_eq!(r.status(), 200);
    let verified = read_json(r);
    assert_eq!(verified["intact"], true);
    assert!(verified["events"].as_u64().unwrap() >= 8, "{verified}");
    // The auditor downloads the evidence pack as a zip and verifies it with
    // the public key alone; the pack holds the three reviews and the waiver.
    let r = agent()
        .get(&format!("{}/api/v1/engagements/acme-portal/export", h.base))
        .header("Authorization", &format!("Bearer {aud}"))
        .call()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    assert_eq!(r.headers()["x-oversight-verified"], "true");
    let zip = h.dir.path().join("pack.zip");
    std::fs::write(&zip, r.into_body().read_to_vec().unwrap()).unwrap();
    let files = oversight_app::pack::read_zip(&zip).unwrap();
    let reviews = files.keys().filter(|k| k.ends_with("/review.json")).count();
    assert_eq!(reviews, 3, "{:?}", files.keys().collect::<Vec<_>>());
    let waivers: Vec<oversight_app::pack::PackWaiver> =
        serde_json::from_slice(&files["waivers.json"]).unwrap();
    assert_eq!(waivers.len(), 1);
    assert_eq!(waivers[0].approver, "arno");
    let mut altered = files.clone();
    let key =
        oversight_ledger::PublicKey::from_hex(verified["public_key"].as_str().unwrap()).unwrap();
    let report = oversight_app::pack::verify(files, &key);
    assert!(report.verified(), "{:?}", report.problems);
    assert_eq!(report.reviews, 3);
    altered.insert("waivers.json".into(), b"[]".to_vec());
    let report = oversight_app::pack::verify(altered, &key);
    assert_eq!(
        report.problems,
        ["waivers.json does not match SHA256SUMS (altered)"]
    );
    // The waiver over the API: the auditor reads it with its rationale, the
    // supplier cannot, and the approver revokes it with a reason.
    let list = |token: &str| {
        agent()
            .get(&format!(
                "{}/api/v1/engagements/acme-portal/waivers",
                h.base
            ))
            .header("Authorization", &format!("Bearer {token}"))
            .call()
            .unwrap()
    };
    let r = list(&ci);
    assert!(matches!(r.status().as_u16(), 403 | 404), "{}", r.status());
    let listed = read_json(list(&aud));
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "{listed}");
    let waiver = &listed["items"][0];
    assert_eq!(waiver["reason"], "a documented test credential, rotated");
    assert!(
        waiver.get("revoked").is_none_or(|v| v.is_null()),
        "{waiver}"
    );
    let revoke = format!(
        "{}/api/v1/engagements/acme-portal/waivers/{}/revoke",
        h.base,
        waiver["id"].as_str().unwrap()
    );
    let r = agent()
        .post(&revoke)
        .header("Authorization", &format!("Bearer {aud}"))
        .send_json(json!({"reason": "auditors do not revoke"}))
        .unwrap();
    assert_eq!(r.status(), 403, "an auditor cannot revoke");
    let r = agent()
        .post(&revoke)
        .header("Authorization", &format!("Bearer {arno}"))
        .send_json(json!({"reason": "the credential was found in use"}))
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(read_json(r)["by"], "arno");
    let listed = read_json(list(&aud));
    assert_eq!(
        listed["items"][0]["revoked"]["reason"],
        "the credential was found in use"
    );
    let r = agent()
        .get(&format!("{}/api/v1/access-log?per_page=200", h.base))
        .header("Authorization", &format!("Bearer {aud}"))
        .call()
        .unwrap();
    let log = read_json(r);
    let kinds: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for kind in ["login", "denied", "change", "token-use"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    let text = log.to_string();
    assert!(
        !text.contains(&ci) && !text.contains(&link),
        "no secret in the access log"
    );
    // The ledger names the authenticated accounts.
    let events = h.runtime.block_on(async {
        let r = oversight_register::store::open(
            &oversight_store::DatabaseUrl::parse(
                &match &h.db {
                    Some(db) => db.url(),
                    None => format!("sqlite://{}", h.dir.path().join("o.db").display()),
                },
                "test",
            )
            .unwrap(),
        )
        .await
        .unwrap();
        r.events().await.unwrap()
    });
    let acted: Vec<(String, String)> = events
        .iter()
        .map(|e| (e.event.kind.clone(), e.event.actor.clone()))
        .collect();
    assert!(
        acted.contains(&("terms.acknowledged".to_owned(), "sam".to_owned())),
        "{acted:?}"
    );
    assert!(
        acted.contains(&("delivery.reviewed".to_owned(), "sam".to_owned())),
        "{acted:?}"
    );
    assert!(
        acted.contains(&("waiver.granted".to_owned(), "arno".to_owned())),
        "{acted:?}"
    );
}

#[test]
fn the_story_over_http_on_sqlite() {
    story(Backend::Sqlite);
}

#[test]
fn the_story_over_http_on_postgres() {
    story(Backend::Postgres);
}

/// Who calls, in the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Caller {
    Anonymous,
    ExpiredToken,
    RevokedToken,
    /// A reviewer's token for the other supplier's engagement.
    OtherEngagementToken,
    /// A member of the other supplier.
    OtherSupplier,
    Admin,
    Manager,
    Reviewer,
    Approver,
    Auditor,
    Supplier,
}

const CALLERS: [Caller; 11] = [
    Caller::Anonymous,
    Caller::ExpiredToken,
    Caller::RevokedToken,
    Caller::OtherEngagementToken,
    Caller::OtherSupplier,
    Caller::Admin,
    Caller::Manager,
    Caller::Reviewer,
    Caller::Approver,
    Caller::Auditor,
    Caller::Supplier,
];

/// What a route must answer each caller: written here by hand, not derived
/// from the server's role table, so a change of either shows.
enum Expect {
    /// Public: this status for everyone.
    Public(u16),
    /// Any valid credentials; the status for them.
    Authenticated(u16),
    /// Only these callers get past the access check.
    Only(&'static [Caller]),
}

fn matrix(method: &str, path: &str) -> Option<Expect> {
    use Caller::*;
    const READERS: &[Caller] = &[Manager, Reviewer, Approver, Auditor, Supplier];
    const INTERNAL_READERS: &[Caller] = &[Manager, Reviewer, Approver, Auditor];
    Some(match (method, path) {
        ("GET", "/healthz" | "/readyz" | "/api/v1/openapi.json") => Expect::Public(200),
        ("POST", "/api/v1/login") => Expect::Public(200),
        ("POST", "/api/v1/logout") => Expect::Public(204),
        // Single sign-on is not configured here (its own test has it).
        ("GET", "/api/v1/oidc/login" | "/api/v1/oidc/callback") => Expect::Public(404),
        ("POST", "/api/v1/setup") => Expect::Public(401),
        ("GET", "/api/v1/me" | "/api/v1/tokens" | "/api/v1/engagements") => {
            Expect::Authenticated(200)
        }
        // Tokens cannot mint tokens: every token caller is refused.
        ("POST", "/api/v1/tokens") => Expect::Authenticated(403),
        ("DELETE", "/api/v1/tokens/{id}") => Expect::Authenticated(204),
        ("GET", "/api/v1/users")
        | ("POST", "/api/v1/users")
        | ("POST", "/api/v1/users/{id}/grants") => Expect::Only(&[Admin]),
        ("GET", "/api/v1/access-log") => Expect::Only(&[Admin, Auditor]),
        ("GET", "/metrics") => Expect::Only(&[Admin]),
        ("GET", "/api/v1/suppliers") | ("POST", "/api/v1/suppliers") => Expect::Only(&[Manager]),
        ("PUT", "/api/v1/engagements/{id}") => Expect::Only(&[Manager]),
        ("GET", "/api/v1/engagements/{id}" | "/api/v1/engagements/{id}/policy") => {
            Expect::Only(READERS)
        }
        ("POST", "/api/v1/engagements/{id}/acknowledgements") => Expect::Only(&[Supplier]),
        ("POST", "/api/v1/engagements/{id}/deliveries") => Expect::Only(&[Reviewer, Supplier]),
        // The matrix's delivery is reviewed already: 409 past the check.
        ("POST", "/api/v1/deliveries/{id}/cancel") => Expect::Only(&[Reviewer, Supplier]),
        // The organisation orders its queue; a supplier cannot jump it.
        ("PUT", "/api/v1/deliveries/{id}/priority") => Expect::Only(&[Manager, Reviewer]),
        (
            "GET",
            "/api/v1/engagements/{id}/deliveries"
            | "/api/v1/deliveries/{id}"
            | "/api/v1/deliveries/{id}/diff"
            | "/api/v1/deliveries/{id}/events"
            | "/api/v1/deliveries/{id}/sbom"
            | "/api/v1/deliveries/{id}/findings",
        ) => Expect::Only(READERS),
        (
            "GET",
            "/api/v1/engagements/{id}/waiver-requests" | "/api/v1/engagements/{id}/waivers",
        ) => Expect::Only(INTERNAL_READERS),
        ("POST", "/api/v1/engagements/{id}/waivers/{waiver}/revoke") => Expect::Only(&[Approver]),
        ("GET", "/api/v1/engagements/{id}/export") => Expect::Only(&[Auditor]),
        ("POST", "/api/v1/engagements/{id}/waiver-requests") => Expect::Only(&[Reviewer]),
        ("POST", "/api/v1/waiver-requests/{id}/approve" | "/api/v1/waiver-requests/{id}/deny") => {
            Expect::Only(&[Approver])
        }
        ("GET", "/api/v1/engagements/{id}/evidence") => Expect::Only(&[Manager, Reviewer, Auditor]),
        ("POST", "/api/v1/engagements/{id}/evidence") => Expect::Only(&[Reviewer, Supplier]),
        ("GET", "/api/v1/status") => Expect::Only(INTERNAL_READERS),
        ("GET", "/api/v1/ledger/verify") => Expect::Only(&[Auditor]),
        // The web pages: a caller with no credentials gets the login form
        // with 401 (the form posts back to where it was).
        ("GET", "/static/{file}" | "/login" | "/setup") => Expect::Public(200),
        // The matrix posts JSON: the form is refused as such, to everyone.
        ("POST", "/setup") => Expect::Public(415),
        // 303 to the page, which the agent follows.
        ("POST", "/login" | "/logout") => Expect::Public(200),
        ("GET", "/" | "/engagements" | "/tokens") => Expect::Authenticated(200),
        // Tokens cannot mint tokens; the matrix's token id is nobody's.
        ("POST", "/tokens") => Expect::Authenticated(403),
        ("GET", "/users") | ("POST", "/users" | "/users/{id}/grants") => Expect::Only(&[Admin]),
        ("GET" | "POST", "/engagements/{id}/terms") => Expect::Only(&[Manager]),
        ("POST", "/engagements/{id}/evidence") => Expect::Only(&[Reviewer, Supplier]),
        ("POST", "/tokens/{id}/revoke") => Expect::Authenticated(404),
        ("GET", "/engagements/{id}" | "/deliveries/{id}") => Expect::Only(READERS),
        ("POST", "/engagements/{id}/acknowledge") => Expect::Only(&[Supplier]),
        ("POST", "/engagements/{id}/deliveries") => Expect::Only(&[Reviewer, Supplier]),
        ("POST", "/deliveries/{id}/waiver-requests") => Expect::Only(&[Reviewer]),
        ("GET", "/engagements/{id}/export" | "/ledger") => Expect::Only(&[Auditor]),
        // The queue of the engagements in the caller's scope: a token for
        // another engagement sees that engagement's (none of acme's).
        ("GET", "/waivers") => {
            Expect::Only(&[Manager, Reviewer, Approver, Auditor, OtherEngagementToken])
        }
        ("POST", "/waiver-requests/{id}/approve" | "/waiver-requests/{id}/deny") => {
            Expect::Only(&[Approver])
        }
        _ => return None,
    })
}

#[test]
fn every_route_is_in_the_authorisation_matrix_and_behaves_as_it_says() {
    let h = Harness::start(Backend::Sqlite);
    let hours = jiff::SignedDuration::from_hours;
    let mut tokens = std::collections::HashMap::new();
    let mut principals = std::collections::HashMap::new();
    for (caller, name, grants) in [
        (
            Caller::Admin,
            "admin",
            vec![(Role::Admin, Scope::Organisation)],
        ),
        (
            Caller::Manager,
            "manager",
            vec![(Role::Manager, Scope::Organisation)],
        ),
        (
            Caller::Reviewer,
            "reviewer",
            vec![(Role::Reviewer, Scope::Organisation)],
        ),
        (
            Caller::Approver,
            "approver",
            vec![(Role::Approver, Scope::Organisation)],
        ),
        (
            Caller::Auditor,
            "auditor",
            vec![(Role::Auditor, Scope::Organisation)],
        ),
        (
            Caller::Supplier,
            "acme-member",
            vec![(Role::Supplier, Scope::Supplier("acme-dev".into()))],
        ),
        (
            Caller::OtherSupplier,
            "globex-member",
            vec![(Role::Supplier, Scope::Supplier("globex".into()))],
        ),
    ] {
        let p = h.account(name, &grants);
        let scope = grants[0].1.clone();
        tokens.insert(caller, h.token(&p, scope, hours(1)));
        principals.insert(caller, p);
    }
    let reviewer = principals[&Caller::Reviewer].clone();
    tokens.insert(
        Caller::OtherEngagementToken,
        h.token(&reviewer, Scope::Engagement("globex-app".into()), hours(1)),
    );
    let revoked = h.token(&reviewer, Scope::Organisation, hours(1));
    let revoked_id = revoked.split('_').nth(1).unwrap().to_owned();
    h.runtime.block_on(async {
        h.state
            .access()
            .revoke_token(&reviewer.user_id, &revoked_id)
            .await
            .unwrap()
    });
    tokens.insert(Caller::RevokedToken, revoked);
    tokens.insert(
        Caller::ExpiredToken,
        h.token(
            &reviewer,
            Scope::Organisation,
            jiff::SignedDuration::from_secs(1),
        ),
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));

    // Something to look at: a reviewed delivery and two pending requests.
    let r = submit(
        &h,
        &tokens[&Caller::Supplier],
        "acme-portal",
        &bad_delivery(),
    );
    let delivery = read_json(r)["id"].as_str().unwrap().to_owned();
    let job = wait_done(&h, &tokens[&Caller::Supplier], &delivery);
    let findings = read_json(
        agent()
            .get(&format!("{}/api/v1/deliveries/{delivery}/findings", h.base))
            .header(
                "Authorization",
                &format!("Bearer {}", tokens[&Caller::Reviewer]),
            )
            .call()
            .unwrap(),
    );
    let fingerprint = findings["items"][0]["fingerprint"]
        .as_str()
        .unwrap_or_else(|| panic!("{job} {findings}"))
        .to_owned();
    let until = jiff::Zoned::now()
        .date()
        .checked_add(jiff::Span::new().days(30))
        .unwrap()
        .to_string();
    let mut requests = Vec::new();
    for _ in 0..3 {
        let r = agent()
            .post(&format!(
                "{}/api/v1/engagements/acme-portal/waiver-requests",
                h.base
            ))
            .header(
                "Authorization",
                &format!("Bearer {}", tokens[&Caller::Reviewer]),
            )
            .send_json(json!({"fingerprint": fingerprint, "reason": "matrix", "expires": until}))
            .unwrap();
        requests.push(read_json(r)["id"].as_str().unwrap().to_owned());
    }
    // A granted waiver, for the revocation route.
    let waiver = read_json(
        agent()
            .post(&format!(
                "{}/api/v1/waiver-requests/{}/approve",
                h.base, requests[2]
            ))
            .header(
                "Authorization",
                &format!("Bearer {}", tokens[&Caller::Approver]),
            )
            .send_json(json!({}))
            .unwrap(),
    )["waiver"]
        .as_str()
        .unwrap()
        .to_owned();
    // The engagement as the register holds it, policy inline.
    let engagement_toml = read_json(
        agent()
            .get(&format!("{}/api/v1/engagements/acme-portal", h.base))
            .header(
                "Authorization",
                &format!("Bearer {}", tokens[&Caller::Manager]),
            )
            .call()
            .unwrap(),
    )["terms_toml"]
        .as_str()
        .unwrap()
        .to_owned();

    let routes = oversight_server::routes::routes();
    let mut missing = Vec::new();
    let mut failures = Vec::new();
    for (n, route) in routes.iter().enumerate() {
        let Some(expect) = matrix(route.method.as_str(), route.path) else {
            missing.push(format!("{} {}", route.method, route.path));
            continue;
        };
        for caller in CALLERS {
            // Each caller revokes a token of its own.
            let owner = match caller {
                Caller::OtherEngagementToken => principals.get(&Caller::Reviewer),
                other => principals.get(&other),
            };
            let own_token = match owner {
                Some(p) if route.path == "/api/v1/tokens/{id}" => {
                    let t = h.token(p, p.grants[0].scope.clone(), hours(1));
                    t.split('_').nth(1).unwrap().to_owned()
                }
                _ => "tok000000000000".to_owned(),
            };
            let path = route
                .path
                .replace("/engagements/{id}", "/engagements/acme-portal")
                .replace("/deliveries/{id}", &format!("/deliveries/{delivery}"))
                .replace(
                    "/users/{id}",
                    &format!("/users/{}", principals[&Caller::Auditor].user_id),
                )
                .replace("/tokens/{id}", &format!("/tokens/{own_token}"))
                .replace("{waiver}", &waiver)
                .replace("{file}", "app.css")
                .replace(
                    "/waiver-requests/{id}",
                    &format!(
                        "/waiver-requests/{}",
                        if route.path.ends_with("approve") {
                            &requests[0]
                        } else {
                            &requests[1]
                        }
                    ),
                );
            let url = if route.path.ends_with("/evidence") && route.method == "POST" {
                format!("{}{path}?kind=pentest-report&name=report.pdf", h.base)
            } else {
                format!("{}{path}", h.base)
            };
            let mut request = ureq::http::Request::builder()
                .method(route.method.as_str())
                .uri(&url);
            if let Some(token) = tokens.get(&caller) {
                request = request.header("Authorization", format!("Bearer {token}"));
            }
            let (content_type, body): (&str, Vec<u8>) = match (route.method.as_str(), route.path) {
                ("POST", "/api/v1/engagements/{id}/deliveries") => ("application/gzip", bad_delivery()),
                ("POST", "/api/v1/engagements/{id}/evidence") => ("application/pdf", b"%PDF-1.4 a report".to_vec()),
                ("PUT", "/api/v1/deliveries/{id}/priority") => ("application/json", json!({"priority": 5}).to_string().into_bytes()),
                ("PUT", _) => ("application/toml", engagement_toml.clone().into_bytes()),
                ("POST", "/api/v1/suppliers") => (
                    "application/toml",
                    common::SUPPLIER.replace("acme-dev", &format!("s{n}-{caller:?}").to_lowercase()).into_bytes(),
                ),
                ("POST", "/api/v1/login") => ("application/json", json!({"name": "admin", "password": "password-of-admin"}).to_string().into_bytes()),
                ("POST", "/login") => ("application/x-www-form-urlencoded", b"name=admin&password=password-of-admin".to_vec()),
                ("POST", "/api/v1/setup") => ("application/json", json!({"link": "0000", "password": "whatever whatever"}).to_string().into_bytes()),
                ("POST", "/api/v1/users") => ("application/json", json!({"name": format!("u{n}{caller:?}").to_lowercase()}).to_string().into_bytes()),
                ("POST", "/api/v1/users/{id}/grants") => ("application/json", json!({"role": "auditor", "scope": {"kind": "engagement", "id": format!("x{caller:?}").to_lowercase()}}).to_string().into_bytes()),
                ("POST", "/api/v1/tokens") => ("application/json", json!({"name": "t", "scope": {"kind": "organisation"}, "actions": ["read-terms"], "expires": (jiff::Timestamp::now() + hours(1)).to_string()}).to_string().into_bytes()),
                ("POST", "/api/v1/engagements/{id}/waivers/{waiver}/revoke") => ("application/json", json!({"reason": "matrix"}).to_string().into_bytes()),
                ("POST", "/api/v1/engagements/{id}/waiver-requests") => ("application/json", json!({"fingerprint": fingerprint, "reason": "matrix", "expires": until}).to_string().into_bytes()),
                ("POST", _) => ("application/json", b"{}".to_vec()),
                _ => ("application/json", Vec::new()),
            };
            let request = request
                .header("Content-Type", content_type)
                .body(body)
                .unwrap();
            let status = agent().run(request).expect("a response").status().as_u16();
            let tokenless = matches!(
                caller,
                Caller::Anonymous | Caller::ExpiredToken | Caller::RevokedToken
            );
            let ok = match &expect {
                Expect::Public(s) => status == *s,
                Expect::Authenticated(s) => {
                    if tokenless {
                        status == 401
                    } else {
                        status == *s
                    }
                }
                Expect::Only(allowed) => {
                    if tokenless {
                        status == 401
                    } else if allowed.contains(&caller) {
                        !matches!(status, 401 | 403 | 404)
                    } else {
                        matches!(status, 403 | 404)
                    }
                }
            };
            if !ok {
                failures.push(format!(
                    "{} {} as {caller:?}: {status}",
                    route.method, route.path
                ));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "routes with no entry in the authorisation matrix: {missing:?}"
    );
    assert!(
        failures.is_empty(),
        "the matrix does not hold:\n{}",
        failures.join("\n")
    );
}

#[test]
fn a_supplier_guessing_other_ids_gets_404_never_data() {
    let h = Harness::start(Backend::Sqlite);
    let acme = h.account(
        "acme-member",
        &[(Role::Supplier, Scope::Supplier("acme-dev".into()))],
    );
    let globex = h.account(
        "globex-member",
        &[(Role::Supplier, Scope::Supplier("globex".into()))],
    );
    let acme_token = h.token(
        &acme,
        Scope::Supplier("acme-dev".into()),
        jiff::SignedDuration::from_hours(1),
    );
    let globex_token = h.token(
        &globex,
        Scope::Supplier("globex".into()),
        jiff::SignedDuration::from_hours(1),
    );
    let r = submit(&h, &acme_token, "acme-portal", &bad_delivery());
    let delivery = read_json(r)["id"].as_str().unwrap().to_owned();
    wait_done(&h, &acme_token, &delivery);
    for path in [
        format!("/api/v1/deliveries/{delivery}"),
        format!("/api/v1/deliveries/{delivery}/findings"),
        format!("/api/v1/deliveries/{delivery}/diff"),
        format!("/api/v1/deliveries/{delivery}/events"),
        format!("/api/v1/deliveries/{delivery}/sbom"),
        format!("/deliveries/{delivery}"),
        "/engagements/acme-portal".to_owned(),
        "/engagements/acme-portal/terms".to_owned(),
        "/api/v1/engagements/acme-portal".to_owned(),
        "/api/v1/engagements/acme-portal/policy".to_owned(),
        "/api/v1/engagements/acme-portal/deliveries".to_owned(),
        "/api/v1/deliveries/dly000000000000".to_owned(),
        "/api/v1/engagements/no-such-engagement".to_owned(),
    ] {
        let r = agent()
            .get(&format!("{}{path}", h.base))
            .header("Authorization", &format!("Bearer {globex_token}"))
            .call()
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
        let body = r.into_body().read_to_string().unwrap();
        assert!(
            !body.contains("settings.py") && !body.contains("acme-dev"),
            "{path}: {body}"
        );
    }
    // Nor can it change another tenant's delivery.
    let r = agent()
        .post(&format!("{}/api/v1/deliveries/{delivery}/cancel", h.base))
        .header("Authorization", &format!("Bearer {globex_token}"))
        .send_empty()
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = agent()
        .put(&format!("{}/api/v1/deliveries/{delivery}/priority", h.base))
        .header("Authorization", &format!("Bearer {globex_token}"))
        .send_json(json!({"priority": 1000}))
        .unwrap();
    assert_eq!(r.status(), 404);
    // A guessed id and a real one of another tenant answer alike.
    let real = agent()
        .get(&format!("{}/api/v1/deliveries/{delivery}", h.base))
        .header("Authorization", &format!("Bearer {globex_token}"))
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    let guessed = agent()
        .get(&format!("{}/api/v1/deliveries/dly000000000000", h.base))
        .header("Authorization", &format!("Bearer {globex_token}"))
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    assert_eq!(
        real.replace(&delivery, "X"),
        guessed.replace("dly000000000000", "X")
    );
}

#[test]
fn bad_input_gets_a_problem_and_changes_nothing() {
    let h = Harness::start(Backend::Sqlite);
    let acme = h.account(
        "acme-member",
        &[(Role::Supplier, Scope::Supplier("acme-dev".into()))],
    );
    let token = h.token(
        &acme,
        Scope::Supplier("acme-dev".into()),
        jiff::SignedDuration::from_hours(1),
    );
    let auth = format!("Bearer {token}");
    let url = format!("{}/api/v1/engagements/acme-portal/deliveries", h.base);
    // Wrong content type.
    let r = agent()
        .post(&url)
        .header("Authorization", &auth)
        .header("Content-Type", "text/plain")
        .send("hello")
        .unwrap();
    assert_eq!(r.status(), 415);
    assert_eq!(
        r.headers().get("content-type").unwrap(),
        "application/problem+json"
    );
    let problem = read_json(r);
    assert_eq!(problem["status"], 415);
    assert!(problem["detail"].as_str().unwrap().contains("text/plain"));
    // Empty.
    let r = agent()
        .post(&url)
        .header("Authorization", &auth)
        .header("Content-Type", "application/zip")
        .send(&[][..])
        .unwrap();
    assert_eq!(r.status(), 400);
    // A truncated archive is accepted for review and fails closed there.
    let mut truncated = bad_delivery();
    truncated.truncate(truncated.len() / 2);
    let r = agent()
        .post(&url)
        .header("Authorization", &auth)
        .header("Content-Type", "application/gzip")
        .send(&truncated)
        .unwrap();
    assert_eq!(r.status(), 202);
    let id = read_json(r)["id"].as_str().unwrap().to_owned();
    let job = wait_done(&h, &token, &id);
    assert!(
        job["outcome"] == "rejected" || job["status"] == "failed",
        "{job}"
    );
    // Malformed tokens.
    for bad in [
        "Bearer ",
        "Bearer ovs_x",
        "Basic YTpi",
        "Bearer ovs_tok000000000000_00",
    ] {
        let r = agent()
            .get(&format!("{}/api/v1/me", h.base))
            .header("Authorization", bad)
            .call()
            .unwrap();
        assert_eq!(r.status(), 401, "{bad}");
    }
    // Unknown fields and wrong types in JSON.
    let r = agent()
        .post(&format!("{}/api/v1/login", h.base))
        .send_json(json!({"name": "x", "password": "y", "admin": true}))
        .unwrap();
    assert_eq!(r.status(), 422);
    // Huge pagination values.
    for q in [
        "per_page=100000",
        "page=0",
        "page=99999999999",
        "per_page=-1",
    ] {
        let r = agent()
            .get(&format!("{}/api/v1/engagements?{q}", h.base))
            .header("Authorization", &auth)
            .call()
            .unwrap();
        assert_eq!(r.status(), 400, "{q}");
    }
    // A tampered session cookie is nobody.
    let r = agent()
        .get(&format!("{}/api/v1/me", h.base))
        .header("Cookie", "id=AAAAAAAAAAAAAAAAAAAAAA")
        .call()
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[test]
fn the_login_rate_limit_refuses_guesses_without_hashing_and_lets_others_in() {
    // Behind a reverse proxy that sets X-Forwarded-For.
    let h = Harness::start_with(Backend::Sqlite, |_, config| {
        config.trust_forwarded_for = true;
    });
    h.account("victim", &[(Role::Reviewer, Scope::Organisation)]);
    h.account("bystander", &[(Role::Reviewer, Scope::Organisation)]);
    let login = |name: &str, password: &str, client: &str| {
        agent()
            .post(&format!("{}/api/v1/login", h.base))
            .header("X-Forwarded-For", client)
            .send_json(json!({"name": name, "password": password}))
            .unwrap()
            .status()
            .as_u16()
    };
    for _ in 0..10 {
        assert_eq!(login("victim", "wrong guess", "10.0.0.1"), 401);
    }
    let started = std::time::Instant::now();
    for _ in 0..50 {
        assert_eq!(login("victim", "wrong guess", "10.0.0.1"), 429);
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "refusals cost no password hash"
    );
    // Even the right password waits out the window.
    assert_eq!(login("victim", "password-of-victim", "10.0.0.2"), 429);
    assert_eq!(login("bystander", "password-of-bystander", "10.0.0.3"), 200);
    // A refused flood is one line of the access log per key, not one per
    // request.
    let log = h
        .runtime
        .block_on(async { h.state.access().access_log(0, 200).await.unwrap() });
    let limited = log.iter().filter(|e| e.kind == "login-limited").count();
    assert_eq!(limited, 1, "{log:?}");
}

#[test]
fn a_forged_forwarded_for_does_not_escape_the_client_limit() {
    // No proxy is trusted: the client is the peer, whatever the header says.
    let h = Harness::start_with(Backend::Sqlite, |_, config| {
        config.login_attempts_per_minute = 2;
    });
    let login = |n: usize| {
        agent()
            .post(&format!("{}/api/v1/login", h.base))
            .header("X-Forwarded-For", &format!("10.1.0.{n}"))
            .send_json(json!({"name": format!("guess{n}"), "password": "wrong guess"}))
            .unwrap()
            .status()
            .as_u16()
    };
    // Each name fails only once, but the peer's limit is ten times the
    // account's: 20 failures, then refusals.
    for n in 0..20 {
        assert_eq!(login(n), 401, "attempt {n}");
    }
    assert_eq!(login(20), 429);
}

/// The `oidc-provider` package scripts/test installs, or a failure that
/// says how to get it (never a silent pass).
fn oidc_provider_module() -> std::path::PathBuf {
    let dir = std::env::var_os("OVERSIGHT_OIDC_PROVIDER")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            let cache = std::env::var_os("XDG_CACHE_HOME")
                .map(std::path::PathBuf::from)
                .unwrap_or_else(|| {
                    std::path::PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache")
                });
            cache.join("oversight/oidc-provider")
        });
    let module = dir.join("node_modules/oidc-provider/lib/index.js");
    assert!(
        module.is_file(),
        "the OpenID provider for the SSO test is missing ({}): run scripts/test, which installs the npm package oidc-provider there, or set OVERSIGHT_OIDC_PROVIDER",
        module.display()
    );
    module
}

/// A child process killed when dropped.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The `action` of the first form of an HTML page.
fn form_action(html: &str) -> String {
    let start = html.find("action=\"").expect("a form") + "action=\"".len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end]
        .replace("&#x2F;", "/")
        .replace("&amp;", "&")
}

fn absolute(origin: &str, action: &str) -> String {
    if action.starts_with("http") {
        action.to_owned()
    } else {
        format!("{origin}{action}")
    }
}

#[test]
fn single_sign_on_with_a_real_openid_provider_binds_invited_accounts_only() {
    let module = oidc_provider_module();
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let secret_file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(secret_file.path(), "client-secret-of-the-sso-test\n").unwrap();
    let mut provider = None;
    let h = Harness::start_with(Backend::Sqlite, |base, config| {
        let redirect = format!("{base}/api/v1/oidc/callback");
        let child = std::process::Command::new("node")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/oidc/provider.mjs"
            ))
            .env("OIDC_PROVIDER_MODULE", &module)
            .env("PORT", port.to_string())
            .env("CLIENT_SECRET", "client-secret-of-the-sso-test")
            .env("REDIRECT_URI", &redirect)
            .env(
                "ACCOUNTS",
                json!({
                    "alice": {"email": "alice@example.com"},
                    "mallory": {"email": "alice@example.com"},
                    "stranger": {"email": "stranger@example.com"},
                })
                .to_string(),
            )
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("node runs the OpenID provider");
        provider = Some(Child(child));
        config.oidc = Some(oversight_server::oidc::OidcConfig {
            issuer: issuer.clone(),
            client_id: "oversight".into(),
            client_secret_env: None,
            client_secret_file: Some(secret_file.path().to_owned()),
            redirect_url: redirect,
            username_claim: "email".into(),
        });
    });
    let _provider = provider;
    // The provider answers discovery.
    let discovery = format!("{issuer}/.well-known/openid-configuration");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while agent()
        .get(&discovery)
        .call()
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
        != 200
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the provider did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    h.account(
        "alice@example.com",
        &[(Role::Reviewer, Scope::Supplier("acme-dev".into()))],
    );

    // A browser: cookies kept, redirects followed, the provider's login and
    // consent pages answered.
    let sso = |login: &str| {
        let browser: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let page = browser
            .get(&format!("{}/api/v1/oidc/login", h.base))
            .call()
            .unwrap();
        assert_eq!(page.status(), 200);
        let html = page.into_body().read_to_string().unwrap();
        let consent = browser
            .post(&absolute(&issuer, &form_action(&html)))
            .send_form([("prompt", "login"), ("login", login), ("password", "any")])
            .unwrap();
        let html = consent.into_body().read_to_string().unwrap();
        let done = browser
            .post(&absolute(&issuer, &form_action(&html)))
            .send_form([("prompt", "consent")])
            .unwrap();
        let status = done.status().as_u16();
        let body = done.into_body().read_to_string().unwrap();
        (status, body, browser)
    };

    // The invited account logs in; its session works like a password's.
    let (status, body, browser) = sso("alice");
    assert_eq!(status, 200, "{body}");
    let me: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(me["name"], "alice@example.com");
    let r = browser
        .get(&format!("{}/api/v1/engagements/acme-portal", h.base))
        .call()
        .unwrap();
    assert_eq!(r.status(), 200);
    // Another identity claiming the same address is refused: the account
    // is bound to the first.
    let (status, body, _) = sso("mallory");
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("bound to another identity"), "{body}");
    // An identity with no invited account gets nothing.
    let (status, body, _) = sso("stranger");
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("an admin must invite it"), "{body}");
    // A callback no login of this session is waiting for is refused.
    let r = agent()
        .get(&format!(
            "{}/api/v1/oidc/callback?code=stolen&state=guessed",
            h.base
        ))
        .call()
        .unwrap();
    assert_eq!(r.status(), 401);
    let log = h
        .runtime
        .block_on(async { h.state.access().access_log(0, 200).await.unwrap() });
    let kinds: Vec<(&str, &str)> = log
        .iter()
        .map(|e| (e.kind.as_str(), e.detail.as_str()))
        .collect();
    assert!(kinds.contains(&("login", "sso")), "{kinds:?}");
    assert!(
        log.iter()
            .any(|e| e.kind == "login-failed" && e.detail.contains("bound to another identity")),
        "{kinds:?}"
    );
}

#[test]
fn tls_and_webhooks_signed_with_the_configured_secret() {
    // A hook receiver: a real HTTP server that keeps what it is sent.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (sent, received) = std::sync::mpsc::channel::<(String, Vec<u8>)>();
    let hook = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(
                move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                    let sent = sent.clone();
                    async move {
                        let signature = headers
                            .get("x-oversight-signature-256")
                            .map(|v| v.to_str().unwrap().to_owned())
                            .unwrap_or_default();
                        sent.send((signature, body.to_vec())).unwrap();
                        "ok"
                    }
                },
            ),
        );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}/hook")
    });
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, secret) = (
        dir.path().join("cert.pem"),
        dir.path().join("key.pem"),
        dir.path().join("hook.secret"),
    );
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    std::fs::write(&secret, "hook-secret\n").unwrap();
    let h = Harness::start_with(Backend::Sqlite, |_, config| {
        config.tls_cert = Some(cert.clone());
        config.tls_key = Some(key.clone());
        config.webhooks = vec![oversight_server::config::WebhookConfig {
            url: hook.clone(),
            secret_env: None,
            secret_file: Some(secret.clone()),
            engagements: vec!["acme-portal".into()],
        }];
    });
    let base = h.base.replace("http://127.0.0.1", "https://localhost");
    // Plain HTTP is not spoken; HTTPS with the certificate is.
    assert!(
        agent()
            .get(&format!("{}/healthz", h.base))
            .call()
            .map(|r| r.status() != 200)
            .unwrap_or(true)
    );
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::new_with_certs(&[
            ureq::tls::Certificate::from_der(certified.cert.der()).to_owned(),
        ]))
        .build();
    let https: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .tls_config(tls)
        .build()
        .into();
    let r = https.get(&format!("{base}/healthz")).call().unwrap();
    assert_eq!(r.status(), 200);

    // A submission ends in a signed hook call naming the decision.
    let supplier = h.account(
        "acme-ci",
        &[(Role::Supplier, Scope::Supplier("acme-dev".into()))],
    );
    let token = h.token(
        &supplier,
        Scope::Supplier("acme-dev".into()),
        jiff::SignedDuration::from_hours(1),
    );
    let r = https
        .post(&format!("{base}/api/v1/engagements/acme-portal/deliveries"))
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "application/gzip")
        .send(&bad_delivery()[..])
        .unwrap();
    assert_eq!(r.status(), 202);
    let delivery = read_json(r)["id"].as_str().unwrap().to_owned();
    let (signature, body) = received
        .recv_timeout(std::time::Duration::from_secs(120))
        .expect("the hook is called");
    let event: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(event["delivery"], delivery.as_str());
    assert_eq!(event["event"], "delivery.reviewed");
    assert_eq!(event["outcome"], "rejected");
    assert_eq!(
        signature,
        oversight_server::webhooks::signature(b"hook-secret", &body)
    );
    assert_ne!(
        signature,
        oversight_server::webhooks::signature(b"another secret", &body)
    );
}

#[test]
fn a_delivery_waiting_for_a_worker_can_be_cancelled_and_no_other() {
    // No worker in this server: deliveries wait in the queue.
    let h = Harness::start_with(Backend::Postgres, |_, config| config.workers = 0);
    let acme = h.account(
        "acme-member",
        &[(Role::Supplier, Scope::Supplier("acme-dev".into()))],
    );
    let globex = h.account(
        "globex-member",
        &[(Role::Supplier, Scope::Supplier("globex".into()))],
    );
    let hour = jiff::SignedDuration::from_hours(1);
    let token = h.token(&acme, Scope::Supplier("acme-dev".into()), hour);
    let other = h.token(&globex, Scope::Supplier("globex".into()), hour);
    let r = submit(&h, &token, "acme-portal", &bad_delivery());
    let delivery = read_json(r)["id"].as_str().unwrap().to_owned();
    // No worker on this replica: the upload went straight on to the
    // evidence store, and no copy stays on the replica's disk.
    let staging = h.state.staging().clone();
    assert!(
        !staging.join(&delivery).exists(),
        "a copy stayed in staging"
    );
    let cancel = |token: &str| {
        agent()
            .post(&format!("{}/api/v1/deliveries/{delivery}/cancel", h.base))
            .header("Authorization", &format!("Bearer {token}"))
            .send_empty()
            .unwrap()
    };
    // Another supplier does not see it.
    assert_eq!(cancel(&other).status(), 404);
    let r = cancel(&token);
    assert_eq!(r.status(), 200);
    assert_eq!(read_json(r)["status"], "cancelled");
    let r = agent()
        .get(&format!("{}/api/v1/deliveries/{delivery}", h.base))
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(read_json(r)["status"], "cancelled");
    // Once cancelled (or started, or ended), it stays as it is.
    let r = cancel(&token);
    assert_eq!(r.status(), 409);
    let problem = read_json(r);
    assert!(
        problem["detail"].as_str().unwrap().contains("is cancelled"),
        "{problem}"
    );

    // The sweep removes staged copies of ended jobs (a worker elsewhere
    // reviewed them) and, after the grace period, uploads of no job (cut
    // off before their job was recorded); an upload in flight stays.
    for dir in [delivery.as_str(), "dlyinflight0001"] {
        std::fs::create_dir_all(staging.join(dir)).unwrap();
        std::fs::write(staging.join(dir).join("delivery.tar.gz"), b"x").unwrap();
    }
    let jobs = h.state.jobs();
    let hour = std::time::Duration::from_secs(3600);
    let removed = h
        .runtime
        .block_on(jobs.sweep_staging(&staging, hour))
        .unwrap();
    assert_eq!(removed, 1);
    assert!(!staging.join(&delivery).exists(), "the ended job's copy");
    assert!(
        staging.join("dlyinflight0001").exists(),
        "the upload in flight"
    );
    let removed = h
        .runtime
        .block_on(jobs.sweep_staging(&staging, std::time::Duration::ZERO))
        .unwrap();
    assert_eq!(removed, 1, "abandoned past the grace period");
    assert!(!staging.join("dlyinflight0001").exists());
}

#[test]
fn the_organisation_orders_the_queue_and_a_supplier_cannot() {
    // No worker in this server: deliveries wait in the queue.
    let h = Harness::start_with(Backend::Postgres, |_, config| config.workers = 0);
    let acme = h.account(
        "acme-member",
        &[(Role::Supplier, Scope::Supplier("acme-dev".into()))],
    );
    let reviewer = h.account("rita", &[(Role::Reviewer, Scope::Organisation)]);
    let hour = jiff::SignedDuration::from_hours(1);
    let supplier = h.token(&acme, Scope::Supplier("acme-dev".into()), hour);
    let reviewer = h.token(&reviewer, Scope::Organisation, hour);
    let r = submit(&h, &supplier, "acme-portal", &bad_delivery());
    let job = read_json(r);
    assert_eq!(job["priority"], 0, "{job}");
    let delivery = job["id"].as_str().unwrap().to_owned();
    let prioritise = |token: &str, body: serde_json::Value| {
        agent()
            .put(&format!("{}/api/v1/deliveries/{delivery}/priority", h.base))
            .header("Authorization", &format!("Bearer {token}"))
            .send_json(body)
            .unwrap()
    };
    // The supplier sees its delivery but cannot move it up.
    assert_eq!(
        prioritise(&supplier, json!({"priority": 100})).status(),
        403
    );
    // Out of range, or not a priority: refused, nothing changed.
    assert_eq!(
        prioritise(&reviewer, json!({"priority": 5000})).status(),
        400
    );
    assert!(
        prioritise(&reviewer, json!({"priority": 1, "urgent": true}))
            .status()
            .is_client_error()
    );
    let r = prioritise(&reviewer, json!({"priority": 10}));
    assert_eq!(r.status(), 200);
    assert_eq!(read_json(r)["priority"], 10);
    let r = agent()
        .get(&format!("{}/api/v1/deliveries/{delivery}", h.base))
        .header("Authorization", &format!("Bearer {supplier}"))
        .call()
        .unwrap();
    assert_eq!(read_json(r)["priority"], 10);
    // Once the review started or the delivery ended, its place is history.
    let r = agent()
        .post(&format!("{}/api/v1/deliveries/{delivery}/cancel", h.base))
        .header("Authorization", &format!("Bearer {supplier}"))
        .send_empty()
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = prioritise(&reviewer, json!({"priority": 20}));
    assert_eq!(r.status(), 409);
    let problem = read_json(r);
    assert!(
        problem["detail"].as_str().unwrap().contains("is cancelled"),
        "{problem}"
    );
}
