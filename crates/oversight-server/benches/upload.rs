//! Memory of a large upload: `BENCH_UPLOAD_MB` (1,024) of incompressible
//! bytes streamed to `POST /api/v1/engagements/{id}/deliveries`, while the
//! process's resident memory is sampled every 10 ms. Prints the growth over
//! the idle server's (target: < 100 MB) and the throughput.
//!
//! `cargo bench -p oversight-server --bench upload`.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use oversight_access::{Action, Grant, Role, Scope};
use oversight_register::{PolicyFiles, Register};
use oversight_server::{Server, ServerConfig};
use oversight_store::DatabaseUrl;

const SUPPLIER: &str = include_str!("../../../examples/supplier.toml");
const ENGAGEMENT: &str = include_str!("../../../examples/engagement.toml");
const POLICY: &str = include_str!("../../../examples/policy.toml");

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// `left` bytes of xorshift noise, 64 KiB at a time.
struct Noise {
    left: u64,
    state: u64,
}

impl Read for Noise {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf
            .len()
            .min(65_536)
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        for chunk in buf[..n].chunks_mut(8) {
            self.state ^= self.state << 13;
            self.state ^= self.state >> 7;
            self.state ^= self.state << 17;
            let bytes = self.state.to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        self.left -= n as u64;
        Ok(n)
    }
}

fn main() {
    let megabytes: u64 = std::env::var("BENCH_UPLOAD_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let bytes = megabytes << 20;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("o.db").display());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (base, token) = runtime.block_on(async {
        let register = Register::init(
            &DatabaseUrl::parse(&url, "bench").unwrap(),
            &dir.path().join("k"),
            "bench",
        )
        .await
        .unwrap();
        register
            .supplier_add(&oversight_register::format::parse_supplier(SUPPLIER, "bench").unwrap())
            .await
            .unwrap();
        register
            .engagement_apply_str(
                ENGAGEMENT,
                "bench",
                &PolicyFiles::Given(&[("policy.toml", POLICY)]),
            )
            .await
            .unwrap();
        let config = ServerConfig {
            max_upload_bytes: bytes + 1,
            supplier_quota_bytes: bytes * 2,
            // The review starts once the upload is answered, after the
            // measurement.
            workers: 1,
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
        let user = access.create_user("ci").await.unwrap();
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
                vec![Action::SubmitDelivery],
                jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1),
            )
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(server.serve(listener, std::future::pending()));
        (base, token)
    });
    std::thread::sleep(Duration::from_millis(300));
    let idle = rss_kb();
    let peak = Arc::new(AtomicU64::new(idle));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (Arc::clone(&peak), Arc::clone(&done));
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kb(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(10));
            }
        })
    };
    let started = Instant::now();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let response = agent
        .post(&format!("{base}/api/v1/engagements/acme-portal/deliveries"))
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "application/gzip")
        .header("Content-Length", &bytes.to_string())
        .send(ureq::SendBody::from_reader(&mut Noise {
            left: bytes,
            state: 0x9E37_79B9_7F4A_7C15,
        }))
        .unwrap();
    let elapsed = started.elapsed();
    done.store(true, Ordering::Relaxed);
    sampler.join().unwrap();
    assert_eq!(response.status(), 202, "the upload was refused");
    let growth = (peak.load(Ordering::Relaxed).saturating_sub(idle)) as f64 / 1024.0;
    println!("| upload | MB | seconds | MB/s | RSS idle MB | RSS growth MB (target < 100) |");
    println!("|---|---|---|---|---|---|");
    println!(
        "| streamed to staging | {megabytes} | {:.1} | {:.0} | {:.0} | {growth:.1} ({}) |",
        elapsed.as_secs_f64(),
        megabytes as f64 / elapsed.as_secs_f64(),
        idle as f64 / 1024.0,
        if growth < 100.0 { "met" } else { "NOT met" }
    );
    // The review of the uploaded noise has started on a blocking thread;
    // dropping the runtime under it would shut its I/O down mid-review.
    // The measurement is done: leave without waiting for it.
    std::process::exit(0);
}
