//! A login flood against the rate limit. A server with one real account
//! and one API-token user; then, for 10 s, `wrk` sends wrong-password
//! logins as fast as it can (each request a new account name, all from one
//! client address), while a second `wrk` reads `/api/v1/engagements` with a
//! token (the other users) and the real account logs in with its password
//! from another address once a second. Prints the flood's rate, how many
//! attempts reached password hashing, and the other users' p99 with and
//! without the flood: the target is at least 1,000 attempts a second held
//! off without slowing anyone else.
//!
//! `cargo bench -p oversight-server --bench login`. Needs `wrk`.

#[path = "common/wrk.rs"]
mod wrk_report;

use std::process::Command;
use std::time::{Duration, Instant};

use oversight_access::{Action, Grant, Role, Scope};
use oversight_register::{PolicyFiles, Register};
use oversight_server::{Server, ServerConfig};
use oversight_store::DatabaseUrl;
use wrk_report::{grab, to_ms};

const SUPPLIER: &str = include_str!("../../../examples/supplier.toml");
const ENGAGEMENT: &str = include_str!("../../../examples/engagement.toml");
const POLICY: &str = include_str!("../../../examples/policy.toml");

const FLOOD_LUA: &str = r#"
counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"name":"guess%d-%d","password":"wrong guess"}', math.random(1, 1000000000), counter)
  return wrk.format("POST", "/api/v1/login", {["Content-Type"] = "application/json", ["X-Forwarded-For"] = "203.0.113.7"}, body)
end
"#;

fn wrk(args: &[String]) -> String {
    let out = Command::new("wrk").args(args).output().expect("wrk runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn main() {
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("wrk is not installed (apt-get install wrk); nothing measured");
        std::process::exit(1);
    }
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("o.db").display());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (base, token, state) = runtime.block_on(async {
        let parsed = DatabaseUrl::parse(&url, "BENCH").unwrap();
        let register = Register::init(&parsed, &dir.path().join("instance.key"), "bench")
            .await
            .unwrap();
        let supplier = oversight_register::format::parse_supplier(SUPPLIER, "bench").unwrap();
        register.supplier_add(&supplier).await.unwrap();
        register
            .engagement_apply_str(
                ENGAGEMENT,
                "bench",
                &PolicyFiles::Given(&[("policy.toml", POLICY)]),
            )
            .await
            .unwrap();
        let config = ServerConfig {
            trust_forwarded_for: true,
            ..ServerConfig::default()
        };
        let server = Server::open(
            register,
            &url,
            config,
            dir.path().join("evidence").display().to_string(),
            dir.path().join("staging"),
        )
        .await
        .unwrap();
        let access = server.state().access();
        let user = access.create_user("real-user").await.unwrap();
        access
            .set_password(&user.id, "the real password")
            .await
            .unwrap();
        access
            .grant(
                &user.id,
                &Grant {
                    role: Role::Supplier,
                    scope: Scope::Supplier("acme-dev".into()),
                },
                "bench",
            )
            .await
            .unwrap();
        let principal = access.principal(&user.id, None).await.unwrap();
        let (_, token) = access
            .create_token(
                &principal,
                "bench",
                Scope::Supplier("acme-dev".into()),
                vec![Action::ReadTerms],
                jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1),
            )
            .await
            .unwrap();
        let state = server.state().clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(server.serve(listener, std::future::pending()));
        (base, token, state)
    });
    let readers = |seconds: u32| {
        wrk(&[
            "-t1".into(),
            "-c20".into(),
            format!("-d{seconds}s"),
            "--latency".into(),
            "-H".into(),
            format!("Authorization: Bearer {token}"),
            format!("{base}/api/v1/engagements"),
        ])
    };
    let quiet = readers(5);

    // The flood, the readers and a real login once a second, together.
    let script = dir.path().join("flood.lua");
    std::fs::write(&script, FLOOD_LUA).unwrap();
    let flood = {
        let (base, script) = (base.clone(), script.clone());
        std::thread::spawn(move || {
            wrk(&[
                "-t1".into(),
                "-c50".into(),
                "-d10s".into(),
                "-s".into(),
                script.display().to_string(),
                base,
            ])
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    let logins = {
        let base = base.clone();
        std::thread::spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into();
            let mut times = Vec::new();
            for _ in 0..8 {
                let started = Instant::now();
                let status = agent
                    .post(&format!("{base}/api/v1/login"))
                    .header("X-Forwarded-For", "198.51.100.20")
                    .send_json(
                        serde_json::json!({"name": "real-user", "password": "the real password"}),
                    )
                    .unwrap()
                    .status()
                    .as_u16();
                times.push((status, started.elapsed()));
                std::thread::sleep(Duration::from_secs(1));
            }
            times
        })
    };
    let loaded = readers(8);
    let flood = flood.join().unwrap();
    let logins = logins.join().unwrap();
    let log = runtime.block_on(async { state.access().access_log(0, 1_000_000).await.unwrap() });
    let hashed = log.iter().filter(|e| e.kind == "login-failed").count();

    println!(
        "| login flood (10 s, 50 connections, one client address, a new name each time) | value |"
    );
    println!("|---|---|");
    println!(
        "| attempts per second answered | {} |",
        grab(&flood, "Requests/sec:")
    );
    println!(
        "| attempts that reached password hashing | {hashed} (the client limit: {} a minute) |",
        ServerConfig::default().login_attempts_per_minute * 10
    );
    println!(
        "| other users' reads, p99 without / during the flood | {:.1} ms / {:.1} ms |",
        to_ms(&grab(&quiet, "99%")),
        to_ms(&grab(&loaded, "99%"))
    );
    println!(
        "| other users' reads per second without / during | {} / {} |",
        grab(&quiet, "Requests/sec:"),
        grab(&loaded, "Requests/sec:")
    );
    let ok = logins.iter().filter(|(s, _)| *s == 200).count();
    let slowest = logins.iter().map(|(_, t)| *t).max().unwrap_or_default();
    println!(
        "| the real user's logins during the flood | {ok} of {} succeeded, slowest {:.0} ms |",
        logins.len(),
        slowest.as_secs_f64() * 1000.0
    );
}
