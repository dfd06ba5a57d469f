//! `oversight serve`: the register and the gate as an HTTP server for the
//! organisation, its suppliers, its auditors and their CI.
//!
//! A thin adapter: [`routes`] translates HTTP to the typed calls of
//! [`scoped::Scoped`], the one place that decides who may read or write
//! what (fail closed: a resource out of scope is a 404), and of the
//! application layer (`oversight-app`). Deliveries are staged to disk as
//! they stream in and reviewed by [`jobs`] in the background.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod auth;
pub mod config;
pub mod jobs;
mod limiter;
pub mod metrics;
pub mod oidc;
mod openapi;
pub mod pages;
pub mod problem;
pub mod requests;
pub mod routes;
pub mod scoped;
pub mod sessions;
pub mod state;
pub mod webhooks;

use std::path::PathBuf;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use oversight_access::AccessStore;
use oversight_register::Register;

pub use config::ServerConfig;
use state::AppState;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The access tables.
    #[error(transparent)]
    Access(#[from] oversight_access::AccessError),
    /// The server's own tables.
    #[error("The server's tables cannot be created: {0}")]
    Tables(#[from] sqlx::Error),
    /// The job table.
    #[error(transparent)]
    Jobs(#[from] jobs::JobError),
    /// The staging directory.
    #[error("Cannot use the staging directory `{path}`: {source}")]
    Staging {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Single sign-on is misconfigured.
    #[error(transparent)]
    Oidc(#[from] oidc::OidcError),
    /// A webhook is misconfigured.
    #[error(transparent)]
    Webhook(#[from] webhooks::WebhookError),
    /// The TLS certificate or key cannot be used.
    #[error("Cannot use the TLS certificate `{cert}` and key `{key}`: {source}")]
    Tls {
        /// The certificate.
        cert: PathBuf,
        /// The key.
        key: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The listening socket.
    #[error("Cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// How long a stopping server waits for the reviews in progress before it
/// gives them back to the queue.
const JOBS_GRACE: std::time::Duration = std::time::Duration::from_secs(30);

/// A server ready to serve: its state and its router.
pub struct Server {
    state: AppState,
}

impl Server {
    /// Opens everything the server needs over `register` (opened by the
    /// caller with the instance key) at `database_url`.
    pub async fn open(
        register: Register,
        database_url: &str,
        config: ServerConfig,
        evidence: String,
        staging: PathBuf,
    ) -> Result<Server, ServeError> {
        fs_err::create_dir_all(&staging).map_err(|source| ServeError::Staging {
            path: staging.clone(),
            source,
        })?;
        let access = AccessStore::open(database_url).await?;
        let metrics = metrics::Metrics::new();
        let jobs = jobs::Jobs::start(
            access.pool().clone(),
            database_url.starts_with("postgres"),
            config.jobs.settings(),
            config.workers,
            jobs::WorkerContext {
                register: register.acting_as("oversight-server"),
                evidence: evidence.clone(),
                advisories: config.advisories.clone(),
                webhooks: webhooks::Webhooks::new(&config.webhooks, |v| std::env::var(v).ok())?,
                scratch: staging.join(".fetched"),
                metrics: metrics.clone(),
            },
        )
        .await?;
        // Uploads of ended jobs are removed from staging at start and every
        // 10 minutes (a worker elsewhere reviewed them from the store).
        {
            let (jobs, staging) = (jobs.clone(), staging.clone());
            tokio::spawn(async move {
                let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
                loop {
                    every.tick().await;
                    match jobs
                        .sweep_staging(&staging, std::time::Duration::from_secs(86_400))
                        .await
                    {
                        Ok(0) => {}
                        Ok(n) => {
                            tracing::info!(removed = n, "staged uploads of ended jobs removed")
                        }
                        Err(e) => tracing::warn!(error = %e, "cannot sweep the staging directory"),
                    }
                }
            });
        }
        let requests = requests::Requests::new(access.pool().clone()).await?;
        let oidc = match &config.oidc {
            Some(c) => Some(oidc::Oidc::new(c, |v| std::env::var(v).ok())?),
            None => None,
        };
        Ok(Server {
            state: AppState::new(state::Parts {
                register,
                access,
                config,
                evidence,
                staging,
                jobs,
                requests,
                oidc,
                metrics,
            }),
        })
    }

    /// The shared state (accounts are created through it at setup).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The application: every route, sessions, the access log, limits.
    pub async fn app(&self) -> Result<axum::Router, ServeError> {
        let sessions = sessions::DbSessions::new(self.state.access().pool().clone()).await?;
        let layer = tower_sessions::SessionManagerLayer::new(sessions)
            .with_secure(self.state.config().secure_cookies)
            // Lax, not Strict: the OpenID provider's redirect back is a
            // cross-site navigation that must carry the session. Changes
            // made with the cookie are held to the same origin (`auth`).
            .with_same_site(tower_sessions::cookie::SameSite::Lax)
            .with_http_only(true)
            .with_expiry(tower_sessions::Expiry::OnInactivity(time::Duration::hours(
                8,
            )));
        Ok(routes::router()
            // Innermost, so that it sees the matched route's template.
            .layer(axum::middleware::from_fn_with_state(
                self.state.metrics().clone(),
                metrics::track,
            ))
            .layer(axum::middleware::from_fn_with_state(
                self.state.clone(),
                access_log,
            ))
            .layer(layer)
            .layer(axum::extract::DefaultBodyLimit::disable())
            .layer(tower_http::trace::TraceLayer::new_for_http())
            .with_state(self.state.clone()))
    }

    /// Serves on `listener` until `shutdown` completes, then lets the
    /// requests in flight finish.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let addr = listener.local_addr().map_err(|source| ServeError::Listen {
            addr: std::net::SocketAddr::from(([0, 0, 0, 0], 0)),
            source,
        })?;
        let app = self.app().await?;
        let config = self.state.config();
        if let (Some(cert), Some(key)) = (&config.tls_cert, &config.tls_key) {
            let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
                .await
                .map_err(|source| ServeError::Tls {
                    cert: cert.clone(),
                    key: key.clone(),
                    source,
                })?;
            let handle = axum_server::Handle::new();
            let stopper = handle.clone();
            tokio::spawn(async move {
                shutdown.await;
                stopper.graceful_shutdown(Some(std::time::Duration::from_secs(30)));
            });
            let listener = listener
                .into_std()
                .map_err(|source| ServeError::Listen { addr, source })?;
            let served = axum_server::from_tcp_rustls(listener, tls)
                .map_err(|source| ServeError::Listen { addr, source })?
                .handle(handle)
                .serve(app.into_make_service_with_connect_info::<std::net::SocketAddr>())
                .await
                .map_err(|source| ServeError::Listen { addr, source });
            self.state.jobs().stop(JOBS_GRACE).await;
            return served;
        }
        let served = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|source| ServeError::Listen { addr, source });
        self.state.jobs().stop(JOBS_GRACE).await;
        served
    }
}

/// Records denied requests, token use and every change in the access log.
async fn access_log(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let slot = auth::CallerSlot::default();
    request.extensions_mut().insert(slot.clone());
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let caller = slot.0.lock().expect("no panic holds the lock").clone();
    let changed = !matches!(method.as_str(), "GET" | "HEAD" | "OPTIONS");
    let kind = match (status, &caller) {
        (401 | 403 | 404, _) if path.starts_with("/api/") && path != "/api/v1/login" => "denied",
        (_, Some((_, Some(_)))) => "token-use",
        _ if changed && status < 400 && path != "/api/v1/login" => "change",
        _ => return response,
    };
    let (actor, token_id) = caller.unwrap_or_else(|| ("anonymous".to_owned(), None));
    let event = oversight_access::AccessEvent {
        at: jiff::Timestamp::now().to_string(),
        actor,
        kind: kind.to_owned(),
        method: method.to_string(),
        path,
        status: i64::from(status),
        token_id,
        detail: String::new(),
    };
    if let Err(e) = state.access().log(&event).await {
        tracing::error!(error = %e, "cannot write the access log");
    }
    response
}

/// Initialises logging: human lines, or JSON when `json` is set.
pub fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
