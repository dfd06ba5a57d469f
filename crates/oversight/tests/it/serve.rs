//! `oversight serve` and `oversight submit`, the real binaries: the
//! administrator's setup link, a supplier's CI token, a submission that
//! exits like `review`, and a server killed during a review that finishes
//! the review after its restart.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::util::oversight;

pub(crate) struct Served {
    pub(crate) child: Child,
    pub(crate) base: String,
    pub(crate) link: Option<String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `oversight serve --example` with its data in `home`. A review
/// job's lease is 3 s: a killed server's review is taken up again soon
/// after its restart.
fn serve(home: &std::path::Path, port: u16) -> Served {
    serve_with(
        home,
        port,
        &[("OVERSIGHT_JOBS_LEASE_SECONDS".into(), "3".into())],
    )
}

/// [`serve`] with more environment.
pub(crate) fn serve_with(home: &std::path::Path, port: u16, env: &[(String, String)]) -> Served {
    let mut child = oversight()
        .args([
            "serve",
            "--example",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("OVERSIGHT_ADVISORIES", home.join("advisories"))
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::piped())
        .stderr(
            // The server's log, kept in `home` for a failing test to show.
            fs_err::File::create(home.join(format!("serve-{port}.log")))
                .map(std::fs::File::from)
                .map_or_else(|_| Stdio::null(), Stdio::from),
        )
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let base = format!("http://127.0.0.1:{port}");
    let mut link = None;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the server prints where it listens and the admin's state");
        assert!(
            !line.contains("password\":\""),
            "no password is ever printed: {line}"
        );
        if let Some((_, secret)) = line.split_once("/setup#") {
            link = Some(secret.split_whitespace().next().unwrap().to_owned());
            break;
        }
        if line.contains("Administrator `admin` exists") {
            break;
        }
    }
    Served { child, base, link }
}

pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

pub(crate) fn json_of(r: ureq::http::Response<ureq::Body>) -> serde_json::Value {
    serde_json::from_reader(r.into_body().into_reader()).unwrap()
}

fn post(
    base: &str,
    path: &str,
    cookie: Option<&str>,
    body: serde_json::Value,
) -> ureq::http::Response<ureq::Body> {
    let mut request = agent()
        .post(&format!("{base}{path}"))
        .header("Origin", base)
        .header("Content-Type", "application/json");
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    request.send(body.to_string().as_bytes()).unwrap()
}

fn login(base: &str, name: &str, password: &str) -> String {
    let r = post(
        base,
        "/api/v1/login",
        None,
        json!({"name": name, "password": password}),
    );
    assert_eq!(r.status(), 200, "login of {name}");
    r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// A supplier account with a CI token for `acme-dev`.
pub(crate) fn supplier_token(base: &str, admin_link: &str) -> String {
    let r = post(
        base,
        "/api/v1/setup",
        None,
        json!({"link": admin_link, "password": "the admin's long password"}),
    );
    assert_eq!(r.status(), 200);
    let admin = login(base, "admin", "the admin's long password");
    let invited = json_of(post(
        base,
        "/api/v1/users",
        Some(&admin),
        json!({"name": "acme-ci"}),
    ));
    let id = invited["user"]["id"].as_str().unwrap();
    let r = post(
        base,
        &format!("/api/v1/users/{id}/grants"),
        Some(&admin),
        json!({"role": "supplier", "scope": {"kind": "supplier", "id": "acme-dev"}}),
    );
    assert_eq!(r.status(), 204);
    let link = invited["setup_link"].as_str().unwrap();
    let r = post(
        base,
        "/api/v1/setup",
        None,
        json!({"link": link, "password": "the supplier's long password"}),
    );
    assert_eq!(r.status(), 200);
    let supplier = login(base, "acme-ci", "the supplier's long password");
    let expires = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(2)).to_string();
    let r = post(
        base,
        "/api/v1/tokens",
        Some(&supplier),
        json!({"name": "ci", "scope": {"kind": "supplier", "id": "acme-dev"},
               "actions": ["submit-delivery", "read-deliveries"], "expires": expires}),
    );
    assert_eq!(r.status(), 201);
    json_of(r)["secret"].as_str().unwrap().to_owned()
}

#[test]
fn supplier_ci_submits_and_exits_like_review_and_a_killed_server_finishes_the_review() {
    let home = tempfile::tempdir().unwrap();
    let port = free_port();
    let served = serve(home.path(), port);
    let token = supplier_token(
        &served.base,
        served.link.as_deref().expect("a setup link at first start"),
    );
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/sample-delivery"
    );

    let out = oversight()
        .args([
            "submit",
            sample,
            "--server",
            &served.base,
            "--engagement",
            "acme-portal",
        ])
        .env("OVERSIGHT_TOKEN", &token)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Decision: REJECTED"), "{stdout}");
    assert!(stdout.contains("BLOCKS"), "{stdout}");
    assert!(!stdout.contains(&token), "the token is never printed");

    // Without a token: exit 2 and a message, nothing sent.
    let out = oversight()
        .args([
            "submit",
            sample,
            "--server",
            &served.base,
            "--engagement",
            "acme-portal",
        ])
        .env_remove("OVERSIGHT_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("OVERSIGHT_TOKEN"));
    // Another supplier's engagement: 404, exit 2.
    let out = oversight()
        .args([
            "submit",
            sample,
            "--server",
            &served.base,
            "--engagement",
            "no-such-engagement",
        ])
        .env("OVERSIGHT_TOKEN", &token)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("404"));

    // A delivery accepted for review, then the server is killed at once.
    let mut tgz = Vec::new();
    {
        let encoder = flate2::write::GzEncoder::new(&mut tgz, flate2::Compression::fast());
        let mut tar = tar::Builder::new(encoder);
        tar.append_dir_all(".", sample).unwrap();
        tar.into_inner().unwrap().finish().unwrap();
    }
    let r = agent()
        .post(&format!(
            "{}/api/v1/engagements/acme-portal/deliveries",
            served.base
        ))
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "application/gzip")
        .send(&tgz[..])
        .unwrap();
    assert_eq!(r.status(), 202);
    let delivery = json_of(r)["id"].as_str().unwrap().to_owned();
    // Sent again with the key of a first submission: the same delivery, not
    // a second one; a key that is not a header value is refused.
    let keyed_with = |key: &str, body: &[u8]| {
        agent()
            .post(&format!(
                "{}/api/v1/engagements/acme-portal/deliveries",
                served.base
            ))
            .header("Authorization", &format!("Bearer {token}"))
            .header("Content-Type", "application/gzip")
            .header("Idempotency-Key", key)
            .send(body)
            .unwrap()
    };
    let keyed = |key: &str| keyed_with(key, &tgz);
    let first = json_of(keyed("ci-run-17"));
    let sha256 = {
        use sha2::Digest as _;
        hex::encode(sha2::Sha256::digest(&tgz))
    };
    assert_eq!(first["sha256"], sha256.as_str(), "the digest as received");
    let first = first["id"].as_str().unwrap().to_owned();
    let again = keyed("ci-run-17");
    assert_eq!(again.status(), 202);
    assert_eq!(json_of(again)["id"], first.as_str());
    assert_ne!(first, delivery);
    assert_eq!(keyed("ci run 17").status(), 400);
    // The same key with another file is the client's mistake: 422 naming
    // the delivery the key belongs to, never that delivery's decision.
    let mut other = tgz.clone();
    other.extend_from_slice(b"\0");
    let r = keyed_with("ci-run-17", &other);
    assert_eq!(r.status(), 422);
    let problem = json_of(r);
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains(&first) && detail.contains("different file"),
        "{problem}"
    );
    drop(served); // SIGKILL
    let served = serve(home.path(), port);
    assert!(
        served.link.is_none(),
        "the administrator exists after a restart"
    );
    let deadline = Instant::now() + Duration::from_secs(120);
    let job = loop {
        let r = agent()
            .get(&format!("{}/api/v1/deliveries/{delivery}", served.base))
            .header("Authorization", &format!("Bearer {token}"))
            .call()
            .unwrap();
        assert_eq!(r.status(), 200);
        let job = json_of(r);
        if job["status"] == "done" || job["status"] == "failed" {
            break job;
        }
        assert!(
            Instant::now() < deadline,
            "the interrupted review was not resumed: {job}"
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(job["outcome"], "rejected", "{job}");
}
