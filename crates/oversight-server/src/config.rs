//! The server's configuration: a TOML file, then `OVERSIGHT_*` environment
//! variables, then the command line, each overriding the one before.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Everything `oversight serve` needs to know.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Where to listen; loopback unless said otherwise.
    pub listen: SocketAddr,
    /// The register's database URL; the embedded SQLite file by default.
    pub database: Option<String>,
    /// The instance signing key.
    pub key: Option<PathBuf>,
    /// The evidence store's location.
    pub evidence: Option<String>,
    /// The advisory index.
    pub advisories: Option<PathBuf>,
    /// Where uploads are staged before review.
    pub staging: Option<PathBuf>,
    /// The largest delivery one request may upload, in bytes.
    pub max_upload_bytes: u64,
    /// The bytes one supplier may upload in 24 hours.
    pub supplier_quota_bytes: u64,
    /// Reviews this server runs at once (0: only `oversight worker`
    /// processes review).
    pub workers: usize,
    /// How review jobs are leased and retried (`[jobs]`).
    pub jobs: JobsConfig,
    /// Log lines as JSON.
    pub json_logs: bool,
    /// The origin browsers use (`https://oversight.example.com`); a
    /// cookie-authenticated change from any other origin is refused.
    pub public_origin: Option<String>,
    /// Session cookies only over HTTPS (set when behind TLS).
    pub secure_cookies: bool,
    /// Failed logins allowed per account and per client address per minute.
    pub login_attempts_per_minute: u32,
    /// Take the client's address from `X-Forwarded-For` (set only behind a
    /// reverse proxy that overwrites it); otherwise the peer's address.
    pub trust_forwarded_for: bool,
    /// The TLS certificate chain (PEM): with `tls_key`, the server speaks
    /// HTTPS itself (rustls) and its cookies are `Secure`.
    pub tls_cert: Option<PathBuf>,
    /// The TLS private key (PEM).
    pub tls_key: Option<PathBuf>,
    /// Hooks told of every review's end.
    pub webhooks: Vec<WebhookConfig>,
    /// Single sign-on with an OpenID provider.
    pub oidc: Option<crate::oidc::OidcConfig>,
}

/// How review jobs are leased and retried (`[jobs]`).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JobsConfig {
    /// Seconds a worker's claim lasts without a heartbeat; a worker that
    /// died is replaced after this.
    pub lease_seconds: u64,
    /// Attempts before a job is dead.
    pub max_attempts: i64,
    /// Seconds before the second attempt; doubled for each after.
    pub backoff_seconds: u64,
}

impl Default for JobsConfig {
    fn default() -> JobsConfig {
        let d = oversight_jobs::QueueSettings::default();
        JobsConfig {
            lease_seconds: d.lease.as_secs(),
            max_attempts: d.max_attempts,
            backoff_seconds: d.backoff.as_secs(),
        }
    }
}

impl JobsConfig {
    /// The queue's settings.
    #[must_use]
    pub fn settings(&self) -> oversight_jobs::QueueSettings {
        oversight_jobs::QueueSettings {
            lease: std::time::Duration::from_secs(self.lease_seconds.max(1)),
            max_attempts: self.max_attempts.max(1),
            backoff: std::time::Duration::from_secs(self.backoff_seconds),
            ..oversight_jobs::QueueSettings::default()
        }
    }
}

/// One webhook (`[[webhooks]]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// Where to POST.
    pub url: String,
    /// The environment variable that holds the HMAC secret.
    #[serde(default)]
    pub secret_env: Option<String>,
    /// Or a file that holds it (a mounted secret).
    #[serde(default)]
    pub secret_file: Option<PathBuf>,
    /// Only these engagements (all when empty).
    #[serde(default)]
    pub engagements: Vec<String>,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database: None,
            key: None,
            evidence: None,
            advisories: None,
            staging: None,
            max_upload_bytes: 1 << 30,
            supplier_quota_bytes: 10 << 30,
            workers: 1,
            jobs: JobsConfig::default(),
            json_logs: false,
            public_origin: None,
            secure_cookies: false,
            login_attempts_per_minute: 10,
            trust_forwarded_for: false,
            tls_cert: None,
            tls_key: None,
            webhooks: Vec::new(),
            oidc: None,
        }
    }
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("Cannot read the server configuration `{path}`: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid.
    #[error("The server configuration `{path}` is invalid: {reason}")]
    Invalid {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
}

impl ServerConfig {
    /// Reads `path`, then applies the environment.
    pub fn load(path: Option<&Path>) -> Result<ServerConfig, ConfigError> {
        let mut config = match path {
            Some(path) => {
                let text = fs_err::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                })?;
                toml::from_str(&text).map_err(|e| ConfigError::Invalid {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?
            }
            None => ServerConfig::default(),
        };
        config.apply_env(|name| std::env::var(name).ok())?;
        Ok(config)
    }

    /// Applies `OVERSIGHT_LISTEN`, `OVERSIGHT_DATABASE`, `OVERSIGHT_KEY`,
    /// `OVERSIGHT_EVIDENCE`, `OVERSIGHT_ADVISORIES`,
    /// `OVERSIGHT_PUBLIC_ORIGIN`, `OVERSIGHT_WORKERS`, `OVERSIGHT_TLS_CERT`,
    /// `OVERSIGHT_TLS_KEY`.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let invalid = |name: &str, reason: String| ConfigError::Invalid {
            path: format!("environment variable {name}"),
            reason,
        };
        if let Some(v) = var("OVERSIGHT_LISTEN") {
            self.listen = v
                .parse()
                .map_err(|e| invalid("OVERSIGHT_LISTEN", format!("`{v}`: {e}")))?;
        }
        if let Some(v) = var("OVERSIGHT_DATABASE") {
            self.database = Some(v);
        }
        if let Some(v) = var("OVERSIGHT_KEY") {
            self.key = Some(v.into());
        }
        if let Some(v) = var("OVERSIGHT_EVIDENCE") {
            self.evidence = Some(v);
        }
        if let Some(v) = var("OVERSIGHT_ADVISORIES") {
            self.advisories = Some(v.into());
        }
        if let Some(v) = var("OVERSIGHT_PUBLIC_ORIGIN") {
            self.public_origin = Some(v);
        }
        if let Some(v) = var("OVERSIGHT_WORKERS") {
            self.workers = v
                .parse()
                .map_err(|e| invalid("OVERSIGHT_WORKERS", format!("`{v}`: {e}")))?;
        }
        for (name, field) in [
            ("OVERSIGHT_JOBS_LEASE_SECONDS", &mut self.jobs.lease_seconds),
            (
                "OVERSIGHT_JOBS_BACKOFF_SECONDS",
                &mut self.jobs.backoff_seconds,
            ),
        ] {
            if let Some(v) = var(name) {
                *field = v
                    .parse()
                    .map_err(|e| invalid(name, format!("`{v}`: {e}")))?;
            }
        }
        if let Some(v) = var("OVERSIGHT_JOBS_MAX_ATTEMPTS") {
            self.jobs.max_attempts = v
                .parse()
                .map_err(|e| invalid("OVERSIGHT_JOBS_MAX_ATTEMPTS", format!("`{v}`: {e}")))?;
        }
        if let Some(v) = var("OVERSIGHT_TLS_CERT") {
            self.tls_cert = Some(v.into());
        }
        if let Some(v) = var("OVERSIGHT_TLS_KEY") {
            self.tls_key = Some(v.into());
        }
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            return Err(ConfigError::Invalid {
                path: "the TLS settings".into(),
                reason: "a TLS certificate needs its key and a key its certificate (tls_cert and tls_key)".into(),
            });
        }
        if self.tls_cert.is_some() {
            self.secure_cookies = true;
        }
        Ok(())
    }
}
