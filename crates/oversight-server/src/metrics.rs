//! Prometheus metrics, served at `GET /metrics` in the Prometheus text
//! format (0.0.4) to a caller granted `read-metrics` (the admin role; a
//! scraper uses an API token limited to that action).
//!
//! * `oversight_jobs_queue_depth{state}`: jobs queued, running and dead,
//!   read from the job table at scrape time (the same on every replica).
//! * `oversight_job_wait_seconds`: from submission to a worker's first
//!   claim.
//! * `oversight_review_duration_seconds`: an attempt's review, to its
//!   decision.
//! * `oversight_reviewed_bytes_total`: the size of the deliveries reviewed.
//! * `oversight_jobs_total{result}`: `done`, `failed`, `dead` (ends) and
//!   `retried` (attempts that failed and will be tried again).
//! * `oversight_http_request_duration_seconds{method, route, status}`: by
//!   the matched route template (`/api/v1/deliveries/{id}`, never the raw
//!   path; `unmatched` for no route), so the label set stays bounded.
//!
//! The job metrics count what this process's workers did; the worker pool
//! reports through [`oversight_jobs::JobEvents`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use oversight_jobs::{Depth, Job, JobEvents, JobStatus};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The `Content-Type` of `/metrics`.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabel {
    result: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    method: String,
    route: String,
    status: &'static str,
}

fn http_histogram() -> Histogram {
    // 1 ms to about 33 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

/// The server's metrics (cheap to clone).
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

struct Inner {
    registry: Registry,
    depth: Family<StateLabel, Gauge>,
    wait: Histogram,
    review: Histogram,
    bytes: Counter,
    jobs: Family<ResultLabel, Counter>,
    http: Family<HttpLabels, Histogram, fn() -> Histogram>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    /// Every metric at zero.
    #[must_use]
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("oversight");
        let depth = Family::<StateLabel, Gauge>::default();
        registry.register(
            "jobs_queue_depth",
            "Review jobs by state (queued, running, dead), read from the job table",
            depth.clone(),
        );
        // 10 ms to about 23 minutes.
        let wait = Histogram::new(exponential_buckets(0.01, 2.0, 18));
        registry.register(
            "job_wait_seconds",
            "Time from a delivery's submission to a worker's first claim of its job",
            wait.clone(),
        );
        // 50 ms to about 1.8 hours.
        let review = Histogram::new(exponential_buckets(0.05, 2.0, 18));
        registry.register(
            "review_duration_seconds",
            "Time an attempt took to review a delivery, to its decision",
            review.clone(),
        );
        let bytes = Counter::default();
        registry.register(
            "reviewed_bytes",
            "Bytes of the deliveries reviewed to a decision",
            bytes.clone(),
        );
        let jobs = Family::<ResultLabel, Counter>::default();
        registry.register(
            "jobs",
            "Review jobs ended (done, failed, dead) and attempts to be tried again (retried)",
            jobs.clone(),
        );
        let http = Family::new_with_constructor(http_histogram as fn() -> Histogram);
        registry.register(
            "http_request_duration_seconds",
            "HTTP requests by method, route template and status class",
            http.clone(),
        );
        // Every series present from the start, at zero.
        for state in ["queued", "running", "dead"] {
            let _ = depth.get_or_create(&StateLabel { state });
        }
        for result in ["done", "failed", "dead", "retried"] {
            let _ = jobs.get_or_create(&ResultLabel { result });
        }
        Metrics(Arc::new(Inner {
            registry,
            depth,
            wait,
            review,
            bytes,
            jobs,
            http,
        }))
    }

    /// The metrics in the Prometheus text format, with `depth` as the
    /// queue's depth now.
    #[must_use]
    pub fn render(&self, depth: &Depth) -> String {
        for (state, n) in [
            ("queued", depth.queued),
            ("running", depth.running),
            ("dead", depth.dead),
        ] {
            self.0.depth.get_or_create(&StateLabel { state }).set(n);
        }
        let mut text = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut text, &self.0.registry)
            .expect("writing to a String does not fail");
        text
    }

    /// A request to `route` (a template) ended with `status` after `took`.
    pub fn http(&self, method: &str, route: &str, status: u16, took: Duration) {
        let status = match status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        self.0
            .http
            .get_or_create(&HttpLabels {
                method: method.to_owned(),
                route: route.to_owned(),
                status,
            })
            .observe(took.as_secs_f64());
    }
}

impl JobEvents for Metrics {
    fn ended(&self, job: &Job) {
        let result = match job.status {
            JobStatus::Done => "done",
            JobStatus::Dead => "dead",
            _ => "failed",
        };
        self.0.jobs.get_or_create(&ResultLabel { result }).inc();
    }

    fn started(&self, job: &Job, attempt: i64) {
        if attempt != 1 {
            return;
        }
        if let Ok(created) = job.created_at.parse::<jiff::Timestamp>() {
            let waited = jiff::Timestamp::now().duration_since(created);
            self.0.wait.observe(waited.as_secs_f64().max(0.0));
        }
    }

    fn reviewed(&self, job: &Job, took: Duration) {
        self.0.review.observe(took.as_secs_f64());
        self.0.bytes.inc_by(u64::try_from(job.bytes).unwrap_or(0));
    }

    fn retried(&self, _job: &Job) {
        self.0
            .jobs
            .get_or_create(&ResultLabel { result: "retried" })
            .inc();
    }
}

/// Several listeners told of the same job events (webhooks and metrics).
pub struct Fanout(pub Vec<Arc<dyn JobEvents>>);

impl JobEvents for Fanout {
    fn ended(&self, job: &Job) {
        self.0.iter().for_each(|e| e.ended(job));
    }
    fn started(&self, job: &Job, attempt: i64) {
        self.0.iter().for_each(|e| e.started(job, attempt));
    }
    fn reviewed(&self, job: &Job, took: Duration) {
        self.0.iter().for_each(|e| e.reviewed(job, took));
    }
    fn retried(&self, job: &Job) {
        self.0.iter().for_each(|e| e.retried(job));
    }
}

/// The middleware timing every request by its route template.
pub async fn track(
    axum::extract::State(metrics): axum::extract::State<Metrics>,
    request: Request,
    next: Next,
) -> Response {
    let began = Instant::now();
    // A method no route knows is `other`: a client cannot add series.
    let method = match request.method().as_str() {
        m @ ("GET" | "HEAD" | "POST" | "PUT" | "DELETE" | "PATCH" | "OPTIONS") => m,
        _ => "other",
    }
    .to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    metrics.http(&method, &route, response.status().as_u16(), began.elapsed());
    response
}

/// Serves `metrics` at `GET /metrics` on `listener` for a worker process
/// (`oversight worker --metrics-listen`), with the depth of `queue` read at
/// each scrape. Counts only, no tenant data: bind it where only the
/// scraper reaches (loopback or the pod's network).
pub async fn serve_for_worker(
    listener: tokio::net::TcpListener,
    metrics: Metrics,
    queue: oversight_jobs::Queue,
) -> std::io::Result<()> {
    async fn scrape(
        axum::extract::State((metrics, queue)): axum::extract::State<(
            Metrics,
            oversight_jobs::Queue,
        )>,
    ) -> Response {
        use axum::response::IntoResponse as _;
        match queue.depth().await {
            Ok(depth) => (
                [(
                    axum::http::header::CONTENT_TYPE,
                    "text/plain; version=0.0.4; charset=utf-8",
                )],
                metrics.render(&depth),
            )
                .into_response(),
            Err(e) => (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                format!("The job table cannot be read: {e}"),
            )
                .into_response(),
        }
    }
    let app = axum::Router::new()
        .route("/metrics", axum::routing::get(scrape))
        .with_state((metrics, queue));
    axum::serve(listener, app).await
}
