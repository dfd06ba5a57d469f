//! The access tables, on the register's database (SQLite or PostgreSQL)
//! through one SQL layer: every query here is written once, with `$n`
//! placeholders both backends accept.

use jiff::Timestamp;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Row as _};

use crate::error::{AccessError, db};
use crate::model::{Action, Grant, Principal, Scope, TokenLimit};
use crate::secret;

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS access_users (
        id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, password_hash TEXT,
        oidc_subject TEXT UNIQUE, created_at TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS access_grants (
        user_id TEXT NOT NULL REFERENCES access_users(id), role TEXT NOT NULL,
        scope_kind TEXT NOT NULL, scope_id TEXT NOT NULL, granted_by TEXT NOT NULL,
        granted_at TEXT NOT NULL, PRIMARY KEY (user_id, role, scope_kind, scope_id))",
    "CREATE TABLE IF NOT EXISTS access_tokens (
        id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES access_users(id), name TEXT NOT NULL,
        secret_sha256 TEXT NOT NULL, scope_kind TEXT NOT NULL, scope_id TEXT NOT NULL,
        actions TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, revoked_at TEXT)",
    "CREATE TABLE IF NOT EXISTS access_setup_links (
        secret_sha256 TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES access_users(id),
        expires_at TEXT NOT NULL, used_at TEXT)",
    "CREATE TABLE IF NOT EXISTS access_log (
        id TEXT PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, kind TEXT NOT NULL,
        method TEXT NOT NULL, path TEXT NOT NULL, status INTEGER NOT NULL, token_id TEXT,
        detail TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS access_log_at ON access_log (at)",
];

/// An account.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct User {
    /// Its id.
    pub id: String,
    /// Its name: the ledger's actor.
    pub name: String,
    /// Whether it has a password (else it awaits its setup link, or uses SSO).
    pub has_password: bool,
    /// Created at (RFC 3339).
    pub created_at: String,
}

/// An API token, as listed (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenInfo {
    /// Its id.
    pub id: String,
    /// Its owner's account id.
    pub user_id: String,
    /// Its name.
    pub name: String,
    /// Where it applies.
    pub scope: Scope,
    /// What it may do.
    pub actions: Vec<Action>,
    /// Created at.
    pub created_at: String,
    /// Expires at.
    pub expires_at: String,
    /// Revoked at, if revoked.
    pub revoked_at: Option<String>,
}

/// One line of the access log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AccessEvent {
    /// When (RFC 3339).
    pub at: String,
    /// Who (account name, or `anonymous`).
    pub actor: String,
    /// `login`, `login-failed`, `token-use`, `denied`, `change`, `request`.
    pub kind: String,
    /// HTTP method.
    pub method: String,
    /// Path (never a query string: tokens never travel in URLs, and a
    /// query is not logged in case one does).
    pub path: String,
    /// HTTP status.
    pub status: i64,
    /// The token used, by id.
    pub token_id: Option<String>,
    /// What else is worth knowing (never a secret).
    pub detail: String,
}

/// The access tables.
#[derive(Debug, Clone)]
pub struct AccessStore {
    pool: AnyPool,
    log: crate::log::LogWriter,
}

fn now() -> String {
    Timestamp::now().to_string()
}

fn scope_of(kind: &str, id: &str) -> Result<Scope, AccessError> {
    Scope::from_parts(kind, id)
}

impl AccessStore {
    /// Connects to `url` (`sqlite://FILE` or `postgres://…`) and creates the
    /// access tables when missing.
    pub async fn open(url: &str) -> Result<AccessStore, AccessError> {
        install_default_drivers();
        let url = match url.strip_prefix("sqlite://") {
            Some(path) if !path.contains('?') => format!("sqlite://{path}?mode=rwc"),
            _ => url.to_owned(),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .connect(&url)
            .await
            .map_err(db("connecting"))?;
        let store = AccessStore {
            log: crate::log::LogWriter::start(pool.clone()),
            pool,
        };
        for statement in SCHEMA {
            sqlx::query(statement)
                .execute(&store.pool)
                .await
                .map_err(db("creating the access tables"))?;
        }
        Ok(store)
    }

    /// The pool, for the server's own tables (jobs, waiver requests).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// Creates account `name`, with no password yet.
    pub async fn create_user(&self, name: &str) -> Result<User, AccessError> {
        let name = name.trim();
        if name.is_empty()
            || name.len() > 64
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._@-".contains(c))
        {
            return Err(AccessError::Invalid(format!(
                "`{name}` is not an account name (1 to 64 of A-Z a-z 0-9 . _ @ -)"
            )));
        }
        if self.user_by_name(name).await.is_ok() {
            return Err(AccessError::Conflict(format!("Account `{name}`")));
        }
        let user = User {
            id: secret::id("usr"),
            name: name.to_owned(),
            has_password: false,
            created_at: now(),
        };
        sqlx::query("INSERT INTO access_users (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(&user.id)
            .bind(&user.name)
            .bind(&user.created_at)
            .execute(&self.pool)
            .await
            .map_err(db("creating an account"))?;
        Ok(user)
    }

    /// The account single sign-on identity (`issuer`, `subject`) logs in
    /// as. An identity already bound to an account is that account. Else
    /// the account named `name` (the configured claim), which an admin must
    /// have created, is bound to it at this first login; an account already
    /// bound to another identity is refused, so a renamed identity at the
    /// provider cannot take it over.
    pub async fn sso_user(
        &self,
        issuer: &str,
        subject: &str,
        name: &str,
    ) -> Result<User, AccessError> {
        let bound = format!("{issuer} {subject}");
        if let Some(row) =
            sqlx::query("SELECT * FROM access_users WHERE oidc_subject = $1 AND disabled = 0")
                .bind(&bound)
                .fetch_optional(&self.pool)
                .await
                .map_err(db("reading an account"))?
        {
            return Ok(Self::user_of(&row));
        }
        let row = sqlx::query("SELECT * FROM access_users WHERE name = $1 AND disabled = 0")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(db("reading an account"))?
            .ok_or_else(|| AccessError::NotFound(format!("Account `{name}`")))?;
        let current: Option<String> = row.get("oidc_subject");
        if current.is_some() {
            return Err(AccessError::BadCredentials);
        }
        let user = Self::user_of(&row);
        let changed = sqlx::query(
            "UPDATE access_users SET oidc_subject = $1 WHERE id = $2 AND oidc_subject IS NULL",
        )
        .bind(&bound)
        .bind(&user.id)
        .execute(&self.pool)
        .await
        .map_err(db("binding a single sign-on identity"))?;
        if changed.rows_affected() != 1 {
            return Err(AccessError::BadCredentials);
        }
        Ok(user)
    }

    fn user_of(row: &sqlx::any::AnyRow) -> User {
        let hash: Option<String> = row.get("password_hash");
        User {
            id: row.get("id"),
            name: row.get("name"),
            has_password: hash.is_some(),
            created_at: row.get("created_at"),
        }
    }

    /// The account named `name`.
    pub async fn user_by_name(&self, name: &str) -> Result<User, AccessError> {
        let row = sqlx::query("SELECT * FROM access_users WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(db("reading an account"))?
            .ok_or_else(|| AccessError::NotFound(format!("Account `{name}`")))?;
        Ok(Self::user_of(&row))
    }

    /// The account `id`.
    pub async fn user(&self, id: &str) -> Result<User, AccessError> {
        let row = sqlx::query("SELECT * FROM access_users WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db("reading an account"))?
            .ok_or_else(|| AccessError::NotFound(format!("Account {id}")))?;
        Ok(Self::user_of(&row))
    }

    /// Every account.
    pub async fn users(&self) -> Result<Vec<User>, AccessError> {
        let rows = sqlx::query("SELECT * FROM access_users ORDER BY name")
            .fetch_all(&self.pool)
            .await
            .map_err(db("listing accounts"))?;
        Ok(rows.iter().map(Self::user_of).collect())
    }

    /// Disables (or enables again) the account `user_id`. A disabled
    /// account cannot log in, and its sessions and tokens stop working with
    /// the next request.
    pub async fn set_disabled(&self, user_id: &str, disabled: bool) -> Result<(), AccessError> {
        let done = sqlx::query("UPDATE access_users SET disabled = $1 WHERE id = $2")
            .bind(i64::from(disabled))
            .bind(user_id)
            .execute(&self.pool)
            .await
            .map_err(db("disabling an account"))?;
        if done.rows_affected() == 0 {
            return Err(AccessError::NotFound(format!("Account {user_id}")));
        }
        Ok(())
    }

    /// How many accounts exist.
    pub async fn user_count(&self) -> Result<i64, AccessError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM access_users")
            .fetch_one(&self.pool)
            .await
            .map_err(db("counting accounts"))?;
        Ok(row.get("n"))
    }

    /// Sets `user_id`'s password (argon2id, OWASP parameters).
    pub async fn set_password(&self, user_id: &str, password: &str) -> Result<(), AccessError> {
        if password.chars().count() < 12 {
            return Err(AccessError::Invalid(
                "A password needs at least 12 characters".to_owned(),
            ));
        }
        let given = password.to_owned();
        let hash = tokio::task::spawn_blocking(move || password_auth::generate_hash(given))
            .await
            .map_err(|e| AccessError::Invalid(format!("hashing the password failed: {e}")))?;
        sqlx::query("UPDATE access_users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(&self.pool)
            .await
            .map_err(db("setting a password"))?;
        Ok(())
    }

    /// The account `name` if `password` is its password. The hash is
    /// checked even for an unknown name, so timing does not tell which
    /// names exist.
    pub async fn authenticate(&self, name: &str, password: &str) -> Result<Principal, AccessError> {
        const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Z3Vlc3Nlc2d1ZXNzZXNndWVzc2VzZ3Vlc3Nlcw";
        let row =
            sqlx::query("SELECT id, password_hash, disabled FROM access_users WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await
                .map_err(db("authenticating"))?;
        let (id, hash, disabled) = match &row {
            Some(row) => (
                Some(row.get::<String, _>("id")),
                row.get::<Option<String>, _>("password_hash"),
                row.get::<i64, _>("disabled") != 0,
            ),
            None => (None, None, false),
        };
        // Argon2id takes tens of milliseconds of CPU: off the async
        // workers, so requests that hash nothing are not held up.
        let (given, stored) = (
            password.to_owned(),
            hash.clone().unwrap_or_else(|| DUMMY.to_owned()),
        );
        let ok = tokio::task::spawn_blocking(move || {
            password_auth::verify_password(given, &stored).is_ok()
        })
        .await
        .unwrap_or(false);
        match id {
            Some(id) if ok && hash.is_some() && !disabled => self.principal(&id, None).await,
            _ => Err(AccessError::BadCredentials),
        }
    }

    /// The principal of account `user_id`, limited by `token`.
    pub async fn principal(
        &self,
        user_id: &str,
        token: Option<TokenLimit>,
    ) -> Result<Principal, AccessError> {
        // The account and its grants in one query: every authenticated
        // request pays for it.
        let rows = sqlx::query(
            "SELECT u.name AS user_name, u.disabled, g.role AS grant_role,
                    g.scope_kind AS grant_kind, g.scope_id AS grant_id
             FROM access_users u LEFT JOIN access_grants g ON g.user_id = u.id
             WHERE u.id = $1 ORDER BY g.role, g.scope_kind, g.scope_id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading an account"))?;
        Self::principal_of(user_id, &rows, token)
    }

    /// The principal from rows of an account joined with its grants
    /// (`user_name`, `disabled`, `grant_role`, `grant_kind`, `grant_id`).
    fn principal_of(
        user_id: &str,
        rows: &[sqlx::any::AnyRow],
        token: Option<TokenLimit>,
    ) -> Result<Principal, AccessError> {
        let Some(first) = rows.first() else {
            return Err(AccessError::NotFound(format!("Account {user_id}")));
        };
        // A disabled account's sessions and tokens stop working at once.
        if first.get::<i64, _>("disabled") != 0 {
            return Err(AccessError::NotFound(format!("Account {user_id}")));
        }
        let mut grants = Vec::new();
        for row in rows {
            let Some(role) = row.get::<Option<String>, _>("grant_role") else {
                continue;
            };
            grants.push(Grant {
                role: role.parse()?,
                scope: scope_of(
                    &row.get::<String, _>("grant_kind"),
                    &row.get::<String, _>("grant_id"),
                )?,
            });
        }
        Ok(Principal {
            user_id: user_id.to_owned(),
            name: first.get("user_name"),
            grants,
            token,
        })
    }

    /// Grants `grant` to `user_id`.
    pub async fn grant(&self, user_id: &str, grant: &Grant, by: &str) -> Result<(), AccessError> {
        if !grant.role.grantable_on(&grant.scope) {
            return Err(AccessError::Invalid(format!(
                "The role {} cannot be granted on the {}",
                grant.role, grant.scope
            )));
        }
        self.user(user_id).await?;
        sqlx::query(
            "INSERT INTO access_grants (user_id, role, scope_kind, scope_id, granted_by, granted_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(user_id)
        .bind(grant.role.as_str())
        .bind(grant.scope.kind())
        .bind(grant.scope.id())
        .bind(by)
        .bind(now())
        .execute(&self.pool)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                AccessError::Conflict(format!("The grant of {} on the {}", grant.role, grant.scope))
            }
            _ => db("granting a role")(e),
        })?;
        Ok(())
    }

    /// The grants of `user_id`.
    pub async fn grants(&self, user_id: &str) -> Result<Vec<Grant>, AccessError> {
        let rows = sqlx::query(
            "SELECT role, scope_kind, scope_id FROM access_grants WHERE user_id = $1 ORDER BY role, scope_kind, scope_id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading grants"))?;
        rows.iter()
            .map(|row| {
                Ok(Grant {
                    role: row.get::<String, _>("role").parse()?,
                    scope: scope_of(
                        &row.get::<String, _>("scope_kind"),
                        &row.get::<String, _>("scope_id"),
                    )?,
                })
            })
            .collect()
    }

    /// A one-time link secret that lets `user_id` set its password until
    /// `ttl` has passed. Only its hash is stored.
    pub async fn create_setup_link(
        &self,
        user_id: &str,
        ttl: jiff::SignedDuration,
    ) -> Result<String, AccessError> {
        let secret = secret::token();
        let expires = Timestamp::now()
            .checked_add(ttl)
            .map_err(|e| AccessError::Invalid(format!("The setup link's lifetime: {e}")))?;
        sqlx::query(
            "INSERT INTO access_setup_links (secret_sha256, user_id, expires_at) VALUES ($1, $2, $3)",
        )
        .bind(secret::sha256(&secret))
        .bind(user_id)
        .bind(expires.to_string())
        .execute(&self.pool)
        .await
        .map_err(db("creating a setup link"))?;
        Ok(secret)
    }

    /// Sets the password of the link's account and uses the link up.
    pub async fn redeem_setup_link(
        &self,
        secret: &str,
        password: &str,
    ) -> Result<User, AccessError> {
        let row = sqlx::query(
            "SELECT user_id, expires_at, used_at FROM access_setup_links WHERE secret_sha256 = $1",
        )
        .bind(secret::sha256(secret))
        .fetch_optional(&self.pool)
        .await
        .map_err(db("reading a setup link"))?
        .ok_or(AccessError::BadCredentials)?;
        let used: Option<String> = row.get("used_at");
        let expires: String = row.get("expires_at");
        let expired = expires
            .parse::<Timestamp>()
            .map_or(true, |t| t < Timestamp::now());
        if used.is_some() || expired {
            return Err(AccessError::BadCredentials);
        }
        let user_id: String = row.get("user_id");
        self.set_password(&user_id, password).await?;
        let done = sqlx::query(
            "UPDATE access_setup_links SET used_at = $1 WHERE secret_sha256 = $2 AND used_at IS NULL",
        )
        .bind(now())
        .bind(secret::sha256(secret))
        .execute(&self.pool)
        .await
        .map_err(db("using a setup link"))?;
        if done.rows_affected() != 1 {
            return Err(AccessError::BadCredentials);
        }
        self.user(&user_id).await
    }

    /// Creates an API token for `owner` limited to `scope` and `actions`,
    /// expiring at `expires`. Returns it and its secret, shown once.
    pub async fn create_token(
        &self,
        owner: &Principal,
        name: &str,
        scope: Scope,
        actions: Vec<Action>,
        expires: Timestamp,
    ) -> Result<(TokenInfo, String), AccessError> {
        if name.trim().is_empty() {
            return Err(AccessError::Invalid("A token needs a name".to_owned()));
        }
        if actions.is_empty() {
            return Err(AccessError::Invalid(
                "A token needs at least one action".to_owned(),
            ));
        }
        let now_ts = Timestamp::now();
        if expires <= now_ts {
            return Err(AccessError::Invalid(format!(
                "The token's expiry {expires} is not in the future"
            )));
        }
        if expires > now_ts + jiff::SignedDuration::from_hours(24 * 366) {
            return Err(AccessError::Invalid(
                "A token expires within a year".to_owned(),
            ));
        }
        // A token never allows more than its owner may do.
        for action in &actions {
            if !owner
                .grants
                .iter()
                .any(|g| g.role.permits(*action) && scope_within(&scope, &g.scope))
            {
                return Err(AccessError::Invalid(format!(
                    "Your grants do not allow `{}` on the {scope}, so no token of yours can",
                    action.as_str()
                )));
            }
        }
        let id = secret::id("tok");
        let secret_part = secret::token();
        let secret = format!("ovs_{id}_{secret_part}");
        let info = TokenInfo {
            id: id.clone(),
            user_id: owner.user_id.clone(),
            name: name.trim().to_owned(),
            scope,
            actions,
            created_at: now_ts.to_string(),
            expires_at: expires.to_string(),
            revoked_at: None,
        };
        sqlx::query(
            "INSERT INTO access_tokens (id, user_id, name, secret_sha256, scope_kind, scope_id, actions, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&info.id)
        .bind(&info.user_id)
        .bind(&info.name)
        .bind(secret::sha256(&secret))
        .bind(info.scope.kind())
        .bind(info.scope.id())
        .bind(info.actions.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(","))
        .bind(&info.created_at)
        .bind(&info.expires_at)
        .execute(&self.pool)
        .await
        .map_err(db("creating a token"))?;
        Ok((info, secret))
    }

    fn token_of(row: &sqlx::any::AnyRow) -> Result<TokenInfo, AccessError> {
        let actions: String = row.get("actions");
        Ok(TokenInfo {
            id: row.get("id"),
            user_id: row.get("user_id"),
            name: row.get("name"),
            scope: scope_of(
                &row.get::<String, _>("scope_kind"),
                &row.get::<String, _>("scope_id"),
            )?,
            actions: actions
                .split(',')
                .filter(|a| !a.is_empty())
                .map(str::parse)
                .collect::<Result<_, _>>()?,
            created_at: row.get("created_at"),
            expires_at: row.get("expires_at"),
            revoked_at: row.get("revoked_at"),
        })
    }

    /// The principal a token secret stands for, if it is well formed,
    /// known, unexpired and not revoked.
    pub async fn authenticate_token(&self, secret: &str) -> Result<Principal, AccessError> {
        let id = secret
            .strip_prefix("ovs_")
            .and_then(|rest| rest.rsplit_once('_'))
            .map(|(id, _)| id)
            .ok_or(AccessError::BadCredentials)?;
        // The token, its account and the account's grants in one query.
        let rows = sqlx::query(
            "SELECT t.id, t.user_id, t.name, t.secret_sha256, t.scope_kind, t.scope_id,
                    t.actions, t.created_at, t.expires_at, t.revoked_at,
                    u.name AS user_name, u.disabled, g.role AS grant_role,
                    g.scope_kind AS grant_kind, g.scope_id AS grant_id
             FROM access_tokens t JOIN access_users u ON u.id = t.user_id
             LEFT JOIN access_grants g ON g.user_id = t.user_id
             WHERE t.id = $1 ORDER BY g.role, g.scope_kind, g.scope_id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading a token"))?;
        let row = rows.first().ok_or(AccessError::BadCredentials)?;
        let stored: String = row.get("secret_sha256");
        if !secret::equal(&stored, &secret::sha256(secret)) {
            return Err(AccessError::BadCredentials);
        }
        let info = Self::token_of(row)?;
        let expired = info
            .expires_at
            .parse::<Timestamp>()
            .map_or(true, |t| t <= Timestamp::now());
        if expired || info.revoked_at.is_some() {
            return Err(AccessError::BadCredentials);
        }
        // The token of a deleted or disabled account authenticates nobody.
        Self::principal_of(
            &info.user_id,
            &rows,
            Some(TokenLimit {
                id: info.id,
                scope: info.scope,
                actions: info.actions,
            }),
        )
        .map_err(|e| match e {
            AccessError::NotFound(_) => AccessError::BadCredentials,
            other => other,
        })
    }

    /// The tokens `user_id` owns.
    pub async fn tokens(&self, user_id: &str) -> Result<Vec<TokenInfo>, AccessError> {
        let rows =
            sqlx::query("SELECT * FROM access_tokens WHERE user_id = $1 ORDER BY created_at")
                .bind(user_id)
                .fetch_all(&self.pool)
                .await
                .map_err(db("listing tokens"))?;
        rows.iter().map(Self::token_of).collect()
    }

    /// Revokes token `id` of `user_id`, at once.
    pub async fn revoke_token(&self, user_id: &str, id: &str) -> Result<(), AccessError> {
        let done = sqlx::query(
            "UPDATE access_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(id)
        .bind(user_id)
        .execute(&self.pool)
        .await
        .map_err(db("revoking a token"))?;
        if done.rows_affected() == 0 {
            return Err(AccessError::NotFound(format!("Token {id}")));
        }
        Ok(())
    }

    /// Appends `event` to the access log; returns once it is committed
    /// (events arriving together share one commit: see [`crate::log`]).
    pub async fn log(&self, event: &AccessEvent) -> Result<(), AccessError> {
        self.log.append(event.clone()).await
    }

    /// The access log, oldest first, a page at a time.
    pub async fn access_log(
        &self,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<AccessEvent>, AccessError> {
        let rows = sqlx::query("SELECT * FROM access_log ORDER BY at, id LIMIT $1 OFFSET $2")
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await
            .map_err(db("reading the access log"))?;
        Ok(rows
            .iter()
            .map(|row| AccessEvent {
                at: row.get("at"),
                actor: row.get("actor"),
                kind: row.get("kind"),
                method: row.get("method"),
                path: row.get("path"),
                status: row.get("status"),
                token_id: row.get("token_id"),
                detail: row.get("detail"),
            })
            .collect())
    }
}

/// Whether `inner` lies within `outer` (a token's scope within a grant's).
fn scope_within(inner: &Scope, outer: &Scope) -> bool {
    match (outer, inner) {
        (Scope::Organisation, _) => true,
        (Scope::Supplier(s), Scope::Supplier(i)) => s == i,
        (Scope::Engagement(e), Scope::Engagement(i)) => e == i,
        // An engagement of a supplier is within the supplier's scope, but
        // which supplier an engagement belongs to is the register's to say:
        // the caller checks that case with the resource.
        (Scope::Supplier(_), Scope::Engagement(_)) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Role;

    async fn store(dir: &tempfile::TempDir) -> AccessStore {
        AccessStore::open(&format!("sqlite://{}", dir.path().join("a.db").display()))
            .await
            .expect("the access store opens")
    }

    #[tokio::test]
    async fn passwords_setup_links_and_tokens_hold_their_rules() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(&dir).await;
        let user = s.create_user("rita").await.unwrap();
        assert!(matches!(
            s.create_user("rita").await,
            Err(AccessError::Conflict(_))
        ));
        assert!(matches!(
            s.create_user("no spaces").await,
            Err(AccessError::Invalid(_))
        ));
        // No password yet: nobody gets in, not even with an empty one.
        assert!(matches!(
            s.authenticate("rita", "").await,
            Err(AccessError::BadCredentials)
        ));
        let link = s
            .create_setup_link(&user.id, jiff::SignedDuration::from_hours(1))
            .await
            .unwrap();
        assert!(matches!(
            s.redeem_setup_link(&link, "short").await,
            Err(AccessError::Invalid(_))
        ));
        s.redeem_setup_link(&link, "a long enough password")
            .await
            .unwrap();
        assert!(matches!(
            s.redeem_setup_link(&link, "another long password").await,
            Err(AccessError::BadCredentials)
        ));
        assert!(matches!(
            s.authenticate("rita", "wrong password!").await,
            Err(AccessError::BadCredentials)
        ));
        assert!(matches!(
            s.authenticate("nobody", "a long enough password").await,
            Err(AccessError::BadCredentials)
        ));
        s.grant(
            &user.id,
            &Grant {
                role: Role::Reviewer,
                scope: Scope::Supplier("acme".into()),
            },
            "test",
        )
        .await
        .unwrap();
        let rita = s
            .authenticate("rita", "a long enough password")
            .await
            .unwrap();
        assert_eq!(rita.grants.len(), 1);
        let soon = Timestamp::now() + jiff::SignedDuration::from_hours(1);
        // Beyond the grants, in the past, too far ahead, no actions: refused.
        for (scope, actions, expires) in [
            (Scope::Organisation, vec![Action::ReadDeliveries], soon),
            (
                Scope::Supplier("acme".into()),
                vec![Action::ApproveWaiver],
                soon,
            ),
            (
                Scope::Supplier("acme".into()),
                vec![Action::ReadDeliveries],
                Timestamp::now() - jiff::SignedDuration::from_secs(1),
            ),
            (
                Scope::Supplier("acme".into()),
                vec![Action::ReadDeliveries],
                Timestamp::now() + jiff::SignedDuration::from_hours(24 * 400),
            ),
            (Scope::Supplier("acme".into()), vec![], soon),
        ] {
            assert!(matches!(
                s.create_token(&rita, "ci", scope, actions, expires).await,
                Err(AccessError::Invalid(_))
            ));
        }
        let (info, secret) = s
            .create_token(
                &rita,
                "ci",
                Scope::Supplier("acme".into()),
                vec![Action::ReadDeliveries],
                soon,
            )
            .await
            .unwrap();
        assert!(secret.starts_with(&format!("ovs_{}_", info.id)));
        let by_token = s.authenticate_token(&secret).await.unwrap();
        assert_eq!(
            by_token.token.as_ref().unwrap().actions,
            vec![Action::ReadDeliveries]
        );
        // The secret is not stored, only its digest.
        let stored: String = sqlx::query("SELECT secret_sha256 FROM access_tokens")
            .fetch_one(s.pool())
            .await
            .unwrap()
            .get("secret_sha256");
        assert_eq!(stored, secret::sha256(&secret));
        let mut tampered = secret.clone();
        tampered.pop();
        tampered.push('x');
        assert!(s.authenticate_token(&tampered).await.is_err());
        // A disabled account's token and session authenticate nobody, at
        // once; enabled again, they do.
        s.set_disabled(&user.id, true).await.unwrap();
        assert!(matches!(
            s.authenticate_token(&secret).await,
            Err(AccessError::BadCredentials)
        ));
        assert!(matches!(
            s.principal(&user.id, None).await,
            Err(AccessError::NotFound(_))
        ));
        assert!(matches!(
            s.authenticate("rita", "a long enough password").await,
            Err(AccessError::BadCredentials)
        ));
        s.set_disabled(&user.id, false).await.unwrap();
        assert_eq!(s.authenticate_token(&secret).await.unwrap().grants.len(), 1);
        s.revoke_token(&user.id, &info.id).await.unwrap();
        assert!(s.authenticate_token(&secret).await.is_err());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_log_events_are_all_committed_before_their_callers_return() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(&dir).await;
        let event = |n: usize| AccessEvent {
            at: format!("2026-12-07T00:00:{:02}.{n:06}Z", n % 60),
            actor: format!("user-{n}"),
            kind: "token-use".into(),
            method: "GET".into(),
            path: format!("/api/v1/deliveries/{n}"),
            status: 200,
            token_id: Some(format!("tok{n}")),
            detail: String::new(),
        };
        let calls: Vec<_> = (0..500)
            .map(|n| {
                let s = s.clone();
                let e = event(n);
                tokio::spawn(async move { s.log(&e).await })
            })
            .collect();
        for call in calls {
            call.await.unwrap().unwrap();
        }
        // Every caller returned after its commit: all 500 are there, each
        // as it was given.
        let logged = s.access_log(0, 1000).await.unwrap();
        assert_eq!(logged.len(), 500);
        let mut actors: Vec<_> = logged.iter().map(|e| e.actor.clone()).collect();
        actors.sort();
        actors.dedup();
        assert_eq!(actors.len(), 500);
        assert!(logged.contains(&event(123)));
        // Another store on the same database sees them: they are committed,
        // not held in memory.
        let other = store(&dir).await;
        assert_eq!(other.access_log(0, 1000).await.unwrap().len(), 500);
    }
}
