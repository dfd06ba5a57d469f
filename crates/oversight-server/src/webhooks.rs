//! Webhooks: when a review job ends, each configured hook for its
//! engagement receives one JSON [`DeliveryEvent`], signed with HMAC-SHA256
//! over the exact body (`X-Oversight-Signature-256: sha256=<hex>`), so a
//! supplier's CI can wait for the decision instead of polling.
//!
//! Only the operator configures hooks (`[[webhooks]]` in the server's
//! configuration): a supplier cannot make the server call an address of
//! its choosing. The signing secret comes from an environment variable the
//! configuration names, never from the file. A delivery that fails is
//! retried with backoff, then logged and given up: the decision itself is
//! recorded whatever the hook does.

use std::time::Duration;

use hmac::{Hmac, Mac as _};
use serde::Serialize;

use crate::config::WebhookConfig;

/// What a hook receives.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryEvent {
    /// `delivery.reviewed` or `delivery.failed`.
    pub event: &'static str,
    /// The delivery (the job's id).
    pub delivery: String,
    /// The engagement.
    pub engagement: String,
    /// `done` or `failed`.
    pub status: String,
    /// The recorded review, when done.
    pub review: Option<String>,
    /// `accepted`, `accepted-with-waivers` or `rejected`, when done.
    pub outcome: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// When the job ended.
    pub at: String,
}

/// One configured hook, its secret resolved.
#[derive(Clone)]
struct Hook {
    url: reqwest::Url,
    secret: Option<Vec<u8>>,
    engagements: Vec<String>,
}

/// Every configured hook.
#[derive(Clone, Default)]
pub struct Webhooks {
    hooks: Vec<Hook>,
    client: Option<reqwest::Client>,
    attempts: u32,
    backoff: Duration,
}

/// A hook that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// Its URL is not an http(s) URL.
    #[error("webhook `{url}`: not an http or https URL")]
    Url {
        /// The URL as configured.
        url: String,
    },
    /// Its secret's variable is not set.
    #[error(
        "webhook `{url}`: the environment variable `{variable}` that holds its secret is not set"
    )]
    Secret {
        /// The URL as configured.
        url: String,
        /// The variable.
        variable: String,
    },
    /// Its secret's file cannot be read.
    #[error("webhook `{url}`: {reason}")]
    SecretFile {
        /// The URL as configured.
        url: String,
        /// Why.
        reason: String,
    },
    /// The HTTP client cannot be built.
    #[error("webhooks: cannot build the HTTP client: {0}")]
    Client(String),
}

impl Webhooks {
    /// The hooks of `config`, secrets read through `var`.
    pub fn new(
        config: &[WebhookConfig],
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Webhooks, WebhookError> {
        let mut hooks = Vec::new();
        for c in config {
            let url = reqwest::Url::parse(&c.url)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .ok_or_else(|| WebhookError::Url { url: c.url.clone() })?;
            let secret = match (&c.secret_env, &c.secret_file) {
                (Some(variable), _) => Some(
                    var(variable)
                        .ok_or_else(|| WebhookError::Secret {
                            url: c.url.clone(),
                            variable: variable.clone(),
                        })?
                        .into_bytes(),
                ),
                (None, Some(file)) => Some(
                    fs_err::read_to_string(file)
                        .map_err(|e| WebhookError::SecretFile {
                            url: c.url.clone(),
                            reason: e.to_string(),
                        })?
                        .trim()
                        .as_bytes()
                        .to_vec(),
                ),
                (None, None) => None,
            };
            hooks.push(Hook {
                url,
                secret,
                engagements: c.engagements.clone(),
            });
        }
        let client = if hooks.is_empty() {
            None
        } else {
            Some(
                reqwest::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .map_err(|e| WebhookError::Client(e.to_string()))?,
            )
        };
        Ok(Webhooks {
            hooks,
            client,
            attempts: 4,
            backoff: Duration::from_secs(1),
        })
    }

    /// The same hooks, retried `attempts` times `backoff` apart (doubling).
    pub fn with_retries(mut self, attempts: u32, backoff: Duration) -> Webhooks {
        self.attempts = attempts.max(1);
        self.backoff = backoff;
        self
    }

    /// Sends `event` to every hook of its engagement, in the background.
    pub fn notify(&self, event: &DeliveryEvent) {
        let Some(client) = &self.client else { return };
        let body = match serde_json::to_vec(event) {
            Ok(body) => body,
            Err(e) => {
                tracing::error!(error = %e, "cannot serialise a webhook event");
                return;
            }
        };
        for hook in &self.hooks {
            if !hook.engagements.is_empty() && !hook.engagements.contains(&event.engagement) {
                continue;
            }
            let mut request = client
                .post(hook.url.clone())
                .header("content-type", "application/json")
                .header("x-oversight-event", event.event)
                .header("x-oversight-delivery", &event.delivery);
            if let Some(secret) = &hook.secret {
                request = request.header("x-oversight-signature-256", signature(secret, &body));
            }
            let request = request.body(body.clone());
            let (attempts, mut backoff) = (self.attempts, self.backoff);
            let url = hook.url.to_string();
            let delivery = event.delivery.clone();
            tokio::spawn(async move {
                for attempt in 1..=attempts {
                    let Some(this) = request.try_clone() else {
                        return;
                    };
                    match this.send().await {
                        Ok(r) if r.status().is_success() => {
                            tracing::info!(%url, %delivery, attempt, "webhook delivered");
                            return;
                        }
                        Ok(r) => {
                            tracing::warn!(%url, %delivery, attempt, status = r.status().as_u16(), "webhook refused");
                        }
                        Err(e) => {
                            tracing::warn!(%url, %delivery, attempt, error = %e, "webhook failed");
                        }
                    }
                    if attempt < attempts {
                        tokio::time::sleep(backoff).await;
                        backoff *= 2;
                    }
                }
                tracing::error!(%url, %delivery, attempts, "webhook given up");
            });
        }
    }
}

/// `sha256=<hex>`: the HMAC-SHA256 of `body` under `secret`.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}
