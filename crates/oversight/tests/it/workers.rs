//! Review workers under the faults an operator is paged for, with the real
//! binaries on loopback and a real PostgreSQL: a worker on its own
//! least-privilege role, the database going away in the middle of a
//! review, and a full disk under a worker's staging area.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::chaos::{deployment_env_on, run_in, submit, worker_command, worker_with};
use crate::serve::{agent, free_port, json_of, serve_with, supplier_token};

/// `psql URL -c SQL`: whether it succeeded, and what it printed.
fn psql_as(url: &str, sql: &str) -> (bool, String) {
    let out = Command::new("psql")
        .arg(url)
        .args(["-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .expect("psql (the PostgreSQL client) runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// `url` with its user replaced by `role`.
fn as_role(url: &str, role: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{role}@{host}")
}

/// A login role dropped when this value is (after the databases it has
/// privileges in, which are declared after it and so dropped before it).
struct TempRole(String);

impl Drop for TempRole {
    fn drop(&mut self) {
        let _ = psql_as(
            &oversight_test_support::postgres::admin_url(),
            &format!("DROP ROLE IF EXISTS {}", self.0),
        );
    }
}

/// The job `id` as the server shows it to `token`.
fn job(base: &str, token: &str, id: &str) -> serde_json::Value {
    json_of(
        agent()
            .get(&format!("{base}/api/v1/deliveries/{id}"))
            .header("Authorization", &format!("Bearer {token}"))
            .call()
            .expect("the server answers"),
    )
}

/// Waits until `done` holds of job `id`, or fails after `limit`.
fn wait_for(
    base: &str,
    token: &str,
    id: &str,
    limit: Duration,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + limit;
    loop {
        let job = job(base, token, id);
        if done(&job) {
            return job;
        }
        assert!(Instant::now() < deadline, "gave up waiting: {job}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// How many reviews `oversight review list` shows.
fn reviews(home: &Path, env: &[(String, String)]) -> usize {
    let (code, listed) = run_in(
        home,
        env,
        &["review", "list", "--engagement", "acme-portal"],
    );
    assert_eq!(code, Some(0), "{listed}");
    listed
        .split_whitespace()
        .filter(|w| w.starts_with("rev-"))
        .count()
}

fn verify_all(home: &Path, env: &[(String, String)]) {
    for what in ["ledger", "evidence"] {
        let (code, out) = run_in(home, env, &[what, "verify"]);
        assert_eq!(code, Some(0), "{what} verify: {out}");
    }
}

#[test]
fn a_worker_on_its_own_least_privilege_role_reviews_and_can_do_nothing_else() {
    let role = format!("ovw_{}_{}", std::process::id(), free_port());
    let _role = TempRole(role.clone());
    let pg = oversight_test_support::postgres::TempDatabase::new("workerrole");
    let home = tempfile::tempdir().expect("a temporary directory");
    let evidence = home.path().join("evidence").display().to_string();
    let env = deployment_env_on(home.path(), &pg.url(), &evidence);
    let served = serve_with(home.path(), free_port(), &env);
    let token = supplier_token(&served.base, served.link.as_deref().expect("a setup link"));

    // The owner gives the worker its role, with a password of which only
    // the SCRAM verifier reaches the database.
    let password = "a worker's long password";
    let (code, out) = run_in(
        home.path(),
        &[env.clone(), vec![("WORKER_PW".into(), password.into())]].concat(),
        &["worker-role", &role, "--password-env", "WORKER_PW"],
    );
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains(&role) && !out.contains(password), "{out}");
    let (ok, stored) = psql_as(
        &pg.url(),
        &format!("SELECT rolpassword FROM pg_authid WHERE rolname = '{role}'"),
    );
    assert!(ok, "{stored}");
    let stored = stored.trim();
    let salt = {
        use base64::Engine as _;
        let salt = stored
            .split_once(':')
            .and_then(|(_, rest)| rest.split_once('$'))
            .map(|(salt, _)| salt)
            .unwrap_or_else(|| panic!("a SCRAM verifier: {stored}"));
        base64::engine::general_purpose::STANDARD
            .decode(salt)
            .expect("base64")
    };
    assert_eq!(
        stored,
        oversight_jobs::role::scram_sha256_verifier(password, &salt, 4096),
        "the database keeps the verifier sent, not a password it hashed itself"
    );
    // Refused before anything is changed: a name that is not a plain role
    // name, and the embedded register.
    let (code, out) = run_in(home.path(), &env, &["worker-role", "w; DROP TABLE x"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("cannot name a worker role"), "{out}");

    // The worker runs on that role alone and reviews a delivery.
    let worker_url = as_role(&pg.url(), &role);
    let mut worker_env = env.clone();
    worker_env.retain(|(k, _)| k != "OVERSIGHT_DATABASE");
    worker_env.push(("OVERSIGHT_DATABASE".into(), worker_url.clone()));
    let mut worker = worker_with(home.path(), &worker_env, "w-least", &[]);
    let bases = [served.base.clone(), served.base.clone()];
    let id = submit(
        &bases,
        0,
        &token,
        &crate::chaos::delivery(0),
        home.path(),
        "least-1",
    );
    let done = wait_for(&served.base, &token, &id, Duration::from_secs(120), |j| {
        j["status"] != "queued" && j["status"] != "running"
    });
    let log = fs_err::read_to_string(home.path().join("worker-w-least.log")).unwrap_or_default();
    assert_eq!(done["status"], "done", "{done}\n{log}");
    assert_eq!(done["outcome"], "rejected", "{done}");
    assert_eq!(reviews(home.path(), &env), 1);
    verify_all(home.path(), &env);
    let _ = worker.kill();
    let _ = worker.wait();

    // What the role may not do, the database refuses.
    for sql in [
        "SELECT * FROM access_users",
        "SELECT * FROM access_tokens",
        "SELECT * FROM access_sessions",
        "SELECT * FROM access_log",
        "SELECT * FROM server_waiver_requests",
        "UPDATE ledger_events SET payload = payload",
        "DELETE FROM ledger_events",
        "UPDATE findings SET rule = rule",
        "DELETE FROM decisions",
        "DELETE FROM server_jobs",
        "INSERT INTO suppliers SELECT * FROM suppliers",
        "CREATE TABLE mine (x INTEGER)",
        "DROP TABLE findings",
    ] {
        let (ok, out) = psql_as(&worker_url, sql);
        assert!(
            !ok && (out.contains("permission denied") || out.contains("must be owner")),
            "the worker's role may not `{sql}`: {out}"
        );
    }
}

/// A TCP path to a server that can be cut and restored: while cut, every
/// open connection is shut and new ones are closed at once, as when the
/// database's machine goes away.
struct Cuttable {
    port: u16,
    up: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    live: Arc<Mutex<Vec<TcpStream>>>,
}

impl Cuttable {
    fn to(target: SocketAddr) -> Cuttable {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
        let port = listener.local_addr().expect("an address").port();
        let up = Arc::new(AtomicBool::new(true));
        let stop = Arc::new(AtomicBool::new(false));
        let live: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (up2, stop2, live2) = (Arc::clone(&up), Arc::clone(&stop), Arc::clone(&live));
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                if !up2.load(Ordering::SeqCst) {
                    continue; // dropped: closed at once
                }
                let Ok(server) = TcpStream::connect(target) else {
                    continue;
                };
                {
                    let mut live = live2.lock().expect("no panic holds the lock");
                    live.extend(client.try_clone().ok());
                    live.extend(server.try_clone().ok());
                }
                for (mut from, mut to) in [
                    (client.try_clone(), server.try_clone()),
                    (server.try_clone(), client.try_clone()),
                ]
                .into_iter()
                .filter_map(|(a, b)| Some((a.ok()?, b.ok()?)))
                {
                    std::thread::spawn(move || {
                        let mut buffer = [0u8; 16384];
                        while let Ok(n) = from.read(&mut buffer) {
                            if n == 0 || to.write_all(&buffer[..n]).is_err() {
                                break;
                            }
                        }
                        let _ = to.shutdown(std::net::Shutdown::Both);
                        let _ = from.shutdown(std::net::Shutdown::Both);
                    });
                }
            }
        });
        Cuttable {
            port,
            up,
            stop,
            live,
        }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for stream in self.live.lock().expect("no panic holds the lock").drain(..) {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

impl Drop for Cuttable {
    fn drop(&mut self) {
        self.cut();
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// A delivery whose review takes a while: `files` JavaScript modules
/// (the behaviour rules parse each).
fn slow_delivery(files: usize) -> Vec<u8> {
    let mut tgz = Vec::new();
    {
        let encoder = flate2::write::GzEncoder::new(&mut tgz, flate2::Compression::fast());
        let mut tar = tar::Builder::new(encoder);
        for i in 0..files {
            let text: String = (0..400)
                .map(|j| {
                    format!(
                        "export function f{i}_{j}(a, b) {{ const c = [a, b, {j}].map((x) => x * 2); return c.join('-') + String(b); }}\n"
                    )
                })
                .collect();
            let mut header = tar::Header::new_gnu();
            header.set_size(text.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            tar.append_data(&mut header, format!("src/m{i}.js"), text.as_bytes())
                .expect("append");
        }
        tar.into_inner().expect("tar").finish().expect("gzip");
    }
    tgz
}

/// The database goes away while a worker reviews: the attempt cannot be
/// recorded and nothing of it is, the worker's log names the database, and
/// once the database is back the job is retried and done, recorded once.
#[test]
fn the_database_going_away_mid_review_is_retried_and_leaves_nothing_half_written() {
    let pg = oversight_test_support::postgres::TempDatabase::new("dboutage");
    let home = tempfile::tempdir().expect("a temporary directory");
    let evidence = home.path().join("evidence").display().to_string();
    let env = deployment_env_on(home.path(), &pg.url(), &evidence);
    let served = serve_with(home.path(), free_port(), &env);
    let token = supplier_token(&served.base, served.link.as_deref().expect("a setup link"));
    let bases = [served.base.clone(), served.base.clone()];
    let id = submit(
        &bases,
        0,
        &token,
        &slow_delivery(60),
        home.path(),
        "dbout-1",
    );

    // The worker reaches the database through a path the test can cut.
    let url = pg.url();
    let target: SocketAddr = url
        .split_once('@')
        .and_then(|(_, rest)| rest.split_once('/'))
        .map(|(host, _)| host.parse().expect("host:port"))
        .expect("a URL with a host");
    let path = Cuttable::to(target);
    let worker_url = url.replace(&target.to_string(), &format!("127.0.0.1:{}", path.port));
    let mut worker_env = env.clone();
    worker_env.retain(|(k, _)| k != "OVERSIGHT_DATABASE");
    worker_env.push(("OVERSIGHT_DATABASE".into(), worker_url));
    let mut worker = worker_with(home.path(), &worker_env, "w-dbout", &[]);
    let log = || fs_err::read_to_string(home.path().join("worker-w-dbout.log")).unwrap_or_default();

    // The review has started: the database goes away.
    let running = wait_for(&served.base, &token, &id, Duration::from_secs(120), |j| {
        j["status"] != "queued"
    });
    assert_eq!(running["status"], "running", "{running}\n{}", log());
    path.cut();
    let deadline = Instant::now() + Duration::from_secs(180);
    while !log().contains("cannot claim a job") {
        assert!(
            Instant::now() < deadline,
            "the worker never noticed the outage:\n{}",
            log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let during = job(&served.base, &token, &id);
    assert_eq!(during["status"], "running", "{during}");
    assert_eq!(
        reviews(home.path(), &env),
        0,
        "nothing recorded during the outage"
    );
    let noticed = log();
    assert!(
        noticed.contains("the review failed, and the failure cannot be recorded")
            && noticed.contains("error communicating with database"),
        "the worker's log says the review failed and names the database:\n{noticed}"
    );

    // The database is back: the job's lease runs out, the job is retried
    // and done, recorded once, and everything verifies.
    path.restore();
    let done = wait_for(&served.base, &token, &id, Duration::from_secs(240), |j| {
        j["status"] == "done" || j["status"] == "dead" || j["status"] == "failed"
    });
    assert_eq!(done["status"], "done", "{done}\n{}", log());
    assert!(done["attempts"].as_i64().unwrap_or(0) >= 2, "{done}");
    assert_eq!(reviews(home.path(), &env), 1);
    verify_all(home.path(), &env);
    let _ = worker.kill();
    let _ = worker.wait();
}

/// A worker's staging area fills up while it fetches a delivery from the
/// evidence store: the job ends dead with the reason naming the disk, the
/// store and the record are untouched, and the worker goes on working.
/// The worker runs in a mount namespace of its own where its data
/// directory is a 16 KiB tmpfs (which also hides the server's staging
/// area, as on another machine).
#[test]
fn a_full_disk_under_a_workers_staging_area_is_a_clear_job_failure() {
    let pg = oversight_test_support::postgres::TempDatabase::new("fulldisk");
    let home = tempfile::tempdir().expect("a temporary directory");
    let evidence = home.path().join("evidence").display().to_string();
    let mut env = deployment_env_on(home.path(), &pg.url(), &evidence);
    env.retain(|(k, _)| k != "OVERSIGHT_JOBS_MAX_ATTEMPTS");
    env.push(("OVERSIGHT_JOBS_MAX_ATTEMPTS".into(), "2".into()));
    let served = serve_with(home.path(), free_port(), &env);
    let token = supplier_token(&served.base, served.link.as_deref().expect("a setup link"));
    let bases = [served.base.clone(), served.base.clone()];
    // 256 KiB that do not compress: more than the disk holds.
    let mut noise = vec![0u8; 256 * 1024];
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    for byte in &mut noise {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        *byte = (state >> 24) as u8;
    }
    let mut tgz = Vec::new();
    {
        let encoder = flate2::write::GzEncoder::new(&mut tgz, flate2::Compression::fast());
        let mut tar = tar::Builder::new(encoder);
        let mut header = tar::Header::new_gnu();
        header.set_size(noise.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, "assets/blob.bin", &noise[..])
            .expect("append");
        tar.into_inner().expect("tar").finish().expect("gzip");
    }
    let id = submit(&bases, 0, &token, &tgz, home.path(), "full-1");

    let data = home.path().join("data");
    let inner = worker_command(home.path(), &env, "w-full", &[]);
    let mut wrapped = Command::new("unshare");
    let user_namespace = !nix_is_root();
    if user_namespace {
        wrapped.args(["--user", "--map-root-user"]);
    }
    wrapped
        .args(["--mount", "--propagation", "private", "sh", "-c"])
        .arg("mount -t tmpfs -o size=16k tmpfs \"$1\" && shift && exec \"$@\"")
        .arg("sh")
        .arg(&data)
        .arg(inner.get_program())
        .args(inner.get_args())
        .envs(
            inner
                .get_envs()
                .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned()))),
        )
        .stdout(std::process::Stdio::null())
        .stderr(
            fs_err::File::create(home.path().join("worker-w-full.log"))
                .map(std::fs::File::from)
                .expect("a log file"),
        );
    let mut worker = wrapped.spawn().expect("unshare (util-linux) runs");
    let log = || fs_err::read_to_string(home.path().join("worker-w-full.log")).unwrap_or_default();

    let ended = wait_for(&served.base, &token, &id, Duration::from_secs(180), |j| {
        j["status"] != "queued" && j["status"] != "running"
    });
    assert_eq!(ended["status"], "dead", "{ended}\n{}", log());
    assert_eq!(ended["attempts"], 2, "{ended}");
    let error = ended["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("No space left on device") && error.contains(&id),
        "the reason names the full disk and the delivery: {ended}"
    );
    assert!(
        worker.try_wait().expect("the worker's state").is_none(),
        "the worker goes on after a job it could not stage:\n{}",
        log()
    );
    assert_eq!(reviews(home.path(), &env), 0);
    verify_all(home.path(), &env);
    let _ = worker.kill();
    let _ = worker.wait();
}

fn nix_is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}
