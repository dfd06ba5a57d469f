//! What every request shares: the register (opened once, acting as each
//! principal in turn), the access store, the job queue and the limits.

use std::path::PathBuf;
use std::sync::Arc;

use oversight_access::AccessStore;
use oversight_register::Register;

use crate::config::ServerConfig;
use crate::jobs::Jobs;
use crate::limiter::LoginLimiter;
use crate::requests::Requests;

/// The server's shared state (cheap to clone).
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    register: Register,
    access: AccessStore,
    config: ServerConfig,
    evidence: String,
    staging: PathBuf,
    jobs: Jobs,
    requests: Requests,
    limiter: LoginLimiter,
    oidc: Option<Arc<crate::oidc::Oidc>>,
    metrics: crate::metrics::Metrics,
}

/// What a server's state is made of.
pub struct Parts {
    /// The register, acting as the server.
    pub register: Register,
    /// The access tables.
    pub access: AccessStore,
    /// The configuration.
    pub config: ServerConfig,
    /// The evidence store's location.
    pub evidence: String,
    /// Where uploads are staged.
    pub staging: PathBuf,
    /// The review jobs.
    pub jobs: Jobs,
    /// The waiver requests.
    pub requests: Requests,
    /// The OpenID provider, when configured.
    pub oidc: Option<crate::oidc::Oidc>,
    /// The metrics.
    pub metrics: crate::metrics::Metrics,
}

impl AppState {
    /// The state of a server.
    pub fn new(parts: Parts) -> AppState {
        let limiter = LoginLimiter::new(
            parts.config.login_attempts_per_minute,
            Some(parts.access.pool().clone()),
        );
        AppState(Arc::new(Inner {
            register: parts.register,
            access: parts.access,
            config: parts.config,
            evidence: parts.evidence,
            staging: parts.staging,
            jobs: parts.jobs,
            requests: parts.requests,
            limiter,
            oidc: parts.oidc.map(Arc::new),
            metrics: parts.metrics,
        }))
    }

    /// The register, acting as the server itself: only [`crate::scoped`]
    /// and the job worker derive registers from it.
    pub(crate) fn register(&self) -> &Register {
        &self.0.register
    }

    /// Accounts, grants, tokens, the access log.
    pub fn access(&self) -> &AccessStore {
        &self.0.access
    }

    /// The configuration.
    pub fn config(&self) -> &ServerConfig {
        &self.0.config
    }

    /// The evidence store's location.
    pub fn evidence(&self) -> &str {
        &self.0.evidence
    }

    /// Where uploads are staged.
    pub fn staging(&self) -> &PathBuf {
        &self.0.staging
    }

    /// The review jobs.
    pub fn jobs(&self) -> &Jobs {
        &self.0.jobs
    }

    /// The waiver requests.
    pub fn requests(&self) -> &Requests {
        &self.0.requests
    }

    /// The OpenID provider, when single sign-on is configured.
    pub fn oidc(&self) -> Option<&crate::oidc::Oidc> {
        self.0.oidc.as_deref()
    }

    /// The metrics.
    pub fn metrics(&self) -> &crate::metrics::Metrics {
        &self.0.metrics
    }

    /// The login rate limit.
    pub fn limiter(&self) -> &LoginLimiter {
        &self.0.limiter
    }
}
