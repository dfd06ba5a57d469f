//! Single sign-on with OpenID Connect (authorisation code flow with PKCE,
//! a nonce and a CSRF state kept in the session).
//!
//! SSO proves who someone is; it grants nothing. The provider's account is
//! matched to an Oversight account an admin invited, by the configured
//! claim (`email` by default), and the first login binds the provider's
//! subject to that account: a later login that presents the same name with
//! another subject is refused, so renaming oneself at the provider does not
//! take over an account. Roles still come only from grants.

use std::time::Duration;

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    OAuth2TokenResponse as _, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse as _,
};
use serde::Deserialize;
use tokio::sync::OnceCell;

/// `[oidc]` in the server's configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    /// The provider's issuer URL (discovery is at
    /// `<issuer>/.well-known/openid-configuration`).
    pub issuer: String,
    /// This server's client id at the provider.
    pub client_id: String,
    /// The environment variable that holds the client secret (never the
    /// file); none for a public client.
    #[serde(default)]
    pub client_secret_env: Option<String>,
    /// Or a file that holds it (a mounted secret).
    #[serde(default)]
    pub client_secret_file: Option<std::path::PathBuf>,
    /// The callback registered at the provider:
    /// `<public origin>/api/v1/oidc/callback`.
    pub redirect_url: String,
    /// The claim that names the Oversight account: `email` (default),
    /// `preferred_username` or `sub`.
    #[serde(default = "default_claim")]
    pub username_claim: String,
}

fn default_claim() -> String {
    "email".to_owned()
}

/// Why SSO failed.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The configuration cannot be used.
    #[error("OpenID Connect configuration: {0}")]
    Config(String),
    /// The provider could not be reached or answered wrongly.
    #[error("The OpenID provider `{issuer}`: {reason}")]
    Provider {
        /// Its issuer.
        issuer: String,
        /// Why.
        reason: String,
    },
    /// The login itself is not valid (state, nonce, signature, claims).
    #[error("The single sign-on response is not valid: {0}")]
    Invalid(String),
}

/// What the session keeps between the redirect and the callback.
#[derive(Debug, serde::Serialize, Deserialize)]
pub struct Pending {
    csrf: String,
    nonce: String,
    verifier: String,
}

/// Who the provider says logged in.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The issuer.
    pub issuer: String,
    /// The provider's subject.
    pub subject: String,
    /// The account name the configured claim gives.
    pub name: String,
}

/// The configured provider.
pub struct Oidc {
    config: OidcConfig,
    secret: Option<String>,
    http: reqwest::Client,
    metadata: OnceCell<CoreProviderMetadata>,
}

/// An HTTP error of the provider client.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(String);

async fn send(
    client: reqwest::Client,
    request: openidconnect::HttpRequest,
) -> Result<openidconnect::HttpResponse, HttpError> {
    let (parts, body) = request.into_parts();
    let response = client
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await
        .map_err(|e| HttpError(e.to_string()))?;
    let mut builder = openidconnect::http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        builder = builder.header(name, value);
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|e| HttpError(e.to_string()))?;
    if bytes.len() > 1 << 20 {
        return Err(HttpError("the response is over 1 MiB".into()));
    }
    builder
        .body(bytes.to_vec())
        .map_err(|e| HttpError(e.to_string()))
}

impl Oidc {
    /// The provider of `config`, its secret read through `var`. Nothing is
    /// fetched until the first login.
    pub fn new(
        config: &OidcConfig,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Oidc, OidcError> {
        IssuerUrl::new(config.issuer.clone())
            .map_err(|e| OidcError::Config(format!("issuer `{}`: {e}", config.issuer)))?;
        RedirectUrl::new(config.redirect_url.clone()).map_err(|e| {
            OidcError::Config(format!("redirect_url `{}`: {e}", config.redirect_url))
        })?;
        if !matches!(
            config.username_claim.as_str(),
            "email" | "preferred_username" | "sub"
        ) {
            return Err(OidcError::Config(format!(
                "username_claim `{}` is not one of email, preferred_username, sub",
                config.username_claim
            )));
        }
        let secret = match (&config.client_secret_env, &config.client_secret_file) {
            (Some(variable), None) => Some(var(variable).ok_or_else(|| {
                OidcError::Config(format!(
                    "the environment variable `{variable}` that holds the client secret is not set"
                ))
            })?),
            (None, Some(file)) => Some(
                fs_err::read_to_string(file)
                    .map_err(|e| OidcError::Config(format!("client_secret_file: {e}")))?
                    .trim()
                    .to_owned(),
            ),
            (None, None) => None,
            (Some(_), Some(_)) => {
                return Err(OidcError::Config(
                    "give the client secret once: client_secret_env or client_secret_file".into(),
                ));
            }
        };
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            // Following redirects would open the client to SSRF.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| OidcError::Config(e.to_string()))?;
        Ok(Oidc {
            config: config.clone(),
            secret,
            http,
            metadata: OnceCell::new(),
        })
    }

    fn provider(&self, reason: impl std::fmt::Display) -> OidcError {
        OidcError::Provider {
            issuer: self.config.issuer.clone(),
            reason: reason.to_string(),
        }
    }

    async fn metadata(&self) -> Result<&CoreProviderMetadata, OidcError> {
        self.metadata
            .get_or_try_init(|| async {
                let issuer = IssuerUrl::new(self.config.issuer.clone())
                    .map_err(|e| OidcError::Config(e.to_string()))?;
                let http = |request| send(self.http.clone(), request);
                CoreProviderMetadata::discover_async(issuer, &http)
                    .await
                    .map_err(|e| self.provider(format!("discovery failed: {e}")))
            })
            .await
    }

    async fn client(
        &self,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        OidcError,
    > {
        let metadata = self.metadata().await?.clone();
        let redirect = RedirectUrl::new(self.config.redirect_url.clone())
            .map_err(|e| OidcError::Config(e.to_string()))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            self.secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }

    /// Where to send the browser, and what the session must keep until the
    /// callback.
    pub async fn begin(&self) -> Result<(String, Pending), OidcError> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in ["email", "profile"] {
            request = request.add_scope(Scope::new(scope.to_owned()));
        }
        let (url, csrf, nonce) = request.url();
        Ok((
            url.to_string(),
            Pending {
                csrf: csrf.secret().clone(),
                nonce: nonce.secret().clone(),
                verifier: verifier.secret().clone(),
            },
        ))
    }

    /// Checks the callback's `state` against `pending`, redeems `code` and
    /// verifies the ID token (signature, issuer, audience, expiry, nonce).
    pub async fn finish(
        &self,
        pending: Pending,
        code: &str,
        state: &str,
    ) -> Result<Identity, OidcError> {
        use subtle::ConstantTimeEq as _;
        if !bool::from(pending.csrf.as_bytes().ct_eq(state.as_bytes())) {
            return Err(OidcError::Invalid(
                "the state does not match this session's login".into(),
            ));
        }
        let client = self.client().await?;
        let http = |request| send(self.http.clone(), request);
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| self.provider(e))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
            .request_async(&http)
            .await
            .map_err(|e| self.provider(format!("the code exchange failed: {e}")))?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| OidcError::Invalid("the provider returned no ID token".into()))?;
        let claims = id_token
            .claims(&client.id_token_verifier(), &Nonce::new(pending.nonce))
            .map_err(|e| OidcError::Invalid(e.to_string()))?;
        let subject = claims.subject().as_str().to_owned();
        let from_token = match self.config.username_claim.as_str() {
            "email" => {
                if claims.email_verified() == Some(false) {
                    return Err(OidcError::Invalid(
                        "the provider says the email address is not verified".into(),
                    ));
                }
                claims.email().map(|e| e.as_str().to_owned())
            }
            "preferred_username" => claims.preferred_username().map(|u| u.as_str().to_owned()),
            _ => Some(subject.clone()),
        };
        // Providers that keep profile claims out of the ID token serve them
        // at the UserInfo endpoint, for the same subject.
        let name = match from_token {
            Some(name) => Some(name),
            None => {
                let info: openidconnect::core::CoreUserInfoClaims = client
                    .user_info(
                        tokens.access_token().clone(),
                        Some(claims.subject().clone()),
                    )
                    .map_err(|e| self.provider(format!("no UserInfo endpoint: {e}")))?
                    .request_async(&http)
                    .await
                    .map_err(|e| self.provider(format!("UserInfo failed: {e}")))?;
                match self.config.username_claim.as_str() {
                    "email" => {
                        if info.email_verified() == Some(false) {
                            return Err(OidcError::Invalid(
                                "the provider says the email address is not verified".into(),
                            ));
                        }
                        info.email().map(|e| e.as_str().to_owned())
                    }
                    _ => info.preferred_username().map(|u| u.as_str().to_owned()),
                }
            }
        }
        .ok_or_else(|| {
            OidcError::Invalid(format!(
                "neither the ID token nor UserInfo has a `{}` claim",
                self.config.username_claim
            ))
        })?;
        Ok(Identity {
            issuer: self.config.issuer.clone(),
            subject,
            name,
        })
    }
}
