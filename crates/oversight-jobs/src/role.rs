//! A review worker's own PostgreSQL role, with the least privilege a
//! review needs: it reads the register, appends to the ledger and the
//! review tables, and claims and ends jobs. It cannot read or change
//! accounts, sessions, tokens, the access log or waiver requests, cannot
//! create, alter or drop anything, and cannot update or delete a ledger
//! event, a delivery, a decision or a finding: the database itself keeps
//! the record append-only for it.

/// Why a worker role could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum RoleError {
    /// Worker roles are PostgreSQL roles.
    #[error(
        "Worker roles are PostgreSQL roles; the embedded SQLite register is one file that the worker on its machine opens with the file's permissions"
    )]
    NotPostgres,
    /// The name cannot be a role name.
    #[error(
        "`{0}` cannot name a worker role: use 1 to 63 lowercase letters, digits and underscores, starting with a letter"
    )]
    BadName(String),
    /// No random salt could be drawn for the password.
    #[error("No random salt for the worker role's password: {0}")]
    Random(String),
    /// The database refused a statement.
    #[error("Setting up worker role `{role}`: {doing}: {source}")]
    Database {
        /// The role.
        role: String,
        /// The statement's purpose.
        doing: String,
        /// The database's error.
        #[source]
        source: sqlx::Error,
    },
}

/// Each table a review touches, with what a worker may do to it. Anything
/// not listed (accounts, grants, tokens, setup links, sessions, the access
/// log, login failures, waiver requests) it may not even read.
pub const WORKER_PRIVILEGES: &[(&str, &str)] = &[
    ("_sqlx_migrations", "SELECT"),
    ("meta", "SELECT"),
    ("suppliers", "SELECT"),
    ("engagements", "SELECT"),
    ("waivers", "SELECT"),
    ("waiver_revocations", "SELECT"),
    ("approvers", "SELECT"),
    ("evidence", "SELECT"),
    ("threat_models", "SELECT"),
    ("threat_model_events", "SELECT"),
    // Appended to, never changed.
    ("ledger_events", "SELECT, INSERT"),
    ("deliveries", "SELECT, INSERT"),
    ("decisions", "SELECT, INSERT"),
    ("findings", "SELECT, INSERT"),
    // The chain's head: locked (`FOR UPDATE`) and moved by each append.
    ("ledger_head", "SELECT, UPDATE"),
    // Claims, heartbeats and ends; never a new job, never a removal.
    ("server_jobs", "SELECT, UPDATE"),
];

/// Creates login role `role` (or, when it exists, resets its privileges)
/// on the PostgreSQL database at `url` with [`WORKER_PRIVILEGES`] and
/// nothing else; with `password` when given (otherwise the role logs in as
/// `pg_hba.conf` allows, by certificate say). Run it as the database's
/// owner, after the server has created the job table.
///
/// # Errors
///
/// [`RoleError`] if `url` is not PostgreSQL's, the name is not a plain role
/// name, or a statement is refused.
pub async fn grant_worker_role(
    url: &str,
    role: &str,
    password: Option<&str>,
) -> Result<(), RoleError> {
    if !url.starts_with("postgres") {
        return Err(RoleError::NotPostgres);
    }
    let plain = (1..=63).contains(&role.len())
        && role.starts_with(|c: char| c.is_ascii_lowercase())
        && role
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !plain {
        return Err(RoleError::BadName(role.to_owned()));
    }
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .map_err(|source| RoleError::Database {
            role: role.to_owned(),
            doing: "connecting to the register's database".into(),
            source,
        })?;
    let pool = &pool;
    let run = |sql: String, doing: String| async move {
        sqlx::query(&sql)
            .execute(pool)
            .await
            .map(drop)
            .map_err(|source| RoleError::Database {
                role: role.to_owned(),
                doing,
                source,
            })
    };
    let exists = sqlx::query("SELECT 1 FROM pg_roles WHERE rolname = $1")
        .bind(role)
        .fetch_optional(pool)
        .await
        .map_err(|source| RoleError::Database {
            role: role.to_owned(),
            doing: "looking it up".into(),
            source,
        })?
        .is_some();
    if !exists {
        run(
            format!("CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT"),
            "creating it".into(),
        )
        .await?;
    }
    if let Some(password) = password {
        // Only the SCRAM verifier is sent: the password itself never
        // reaches the server, its statement log or its catalogue.
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| RoleError::Random(e.to_string()))?;
        let verifier = scram_sha256_verifier(password, &salt, SCRAM_ITERATIONS);
        run(
            format!("ALTER ROLE {role} PASSWORD '{verifier}'"),
            "setting its password".into(),
        )
        .await?;
    }
    let schema: String = sqlx::query_scalar("SELECT CAST(current_schema() AS TEXT)")
        .fetch_one(pool)
        .await
        .map_err(|source| RoleError::Database {
            role: role.to_owned(),
            doing: "reading the schema".into(),
            source,
        })?;
    run(
        format!("REVOKE ALL ON ALL TABLES IN SCHEMA \"{schema}\" FROM {role}"),
        "revoking what it had".into(),
    )
    .await?;
    run(
        format!("GRANT USAGE ON SCHEMA \"{schema}\" TO {role}"),
        format!("granting it the schema `{schema}`"),
    )
    .await?;
    for (table, privileges) in WORKER_PRIVILEGES {
        run(
            format!("GRANT {privileges} ON \"{schema}\".{table} TO {role}"),
            format!("granting {privileges} on `{table}`"),
        )
        .await?;
    }
    Ok(())
}

/// PBKDF2 rounds of a password verifier (PostgreSQL's own default).
const SCRAM_ITERATIONS: u32 = 4096;

/// The SCRAM-SHA-256 verifier of `password` (RFC 5802, RFC 7677), as
/// PostgreSQL stores it and accepts it in `ALTER ROLE … PASSWORD`:
/// `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, base64.
/// `password` is used as given (no SASLprep: ASCII passwords are unchanged
/// by it).
#[must_use]
pub fn scram_sha256_verifier(password: &str, salt: &[u8], iterations: u32) -> String {
    use base64::Engine as _;
    use hmac::Mac as _;
    use sha2::Digest as _;
    type Hmac = hmac::Hmac<sha2::Sha256>;
    let hmac = |key: &[u8], data: &[u8]| -> [u8; 32] {
        let mut mac = Hmac::new_from_slice(key).expect("HMAC takes keys of any length");
        mac.update(data);
        mac.finalize().into_bytes().into()
    };
    // PBKDF2-HMAC-SHA-256, one block (32 bytes).
    let mut block = salt.to_vec();
    block.extend_from_slice(&1u32.to_be_bytes());
    let mut u = hmac(password.as_bytes(), &block);
    let mut salted = u;
    for _ in 1..iterations {
        u = hmac(password.as_bytes(), &u);
        for (s, x) in salted.iter_mut().zip(u) {
            *s ^= x;
        }
    }
    let client_key = hmac(&salted, b"Client Key");
    let stored_key = sha2::Sha256::digest(client_key);
    let server_key = hmac(&salted, b"Server Key");
    let b64 = base64::engine::general_purpose::STANDARD;
    format!(
        "SCRAM-SHA-256${iterations}:{}${}:{}",
        b64.encode(salt),
        b64.encode(stored_key),
        b64.encode(server_key)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7677's example exchange: user password `pencil`, salt
    /// `W22ZaJ0SNY7soEsUEjb6gQ==`, 4096 rounds; its ServerSignature checks
    /// the ServerKey we derive, and its client proof the StoredKey.
    #[test]
    fn the_verifier_matches_rfc_7677s_exchange() {
        use base64::Engine as _;
        use hmac::Mac as _;
        use sha2::Digest as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        let salt = b64.decode("W22ZaJ0SNY7soEsUEjb6gQ==").unwrap();
        let verifier = scram_sha256_verifier("pencil", &salt, 4096);
        let (_, keys) = verifier.rsplit_once('$').unwrap();
        let (stored, server) = keys.split_once(':').unwrap();
        let (stored, server) = (b64.decode(stored).unwrap(), b64.decode(server).unwrap());
        let auth_message = "n=user,r=rOprNGfwEbeRWgbNEkqO,\
            r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,\
            c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        let sign = |key: &[u8]| {
            let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
            mac.update(auth_message.as_bytes());
            mac.finalize().into_bytes().to_vec()
        };
        assert_eq!(
            b64.encode(sign(&server)),
            "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
        );
        // ClientProof = ClientKey XOR ClientSignature, so the proof of the
        // exchange gives ClientKey back, and its hash must be StoredKey.
        let proof = b64
            .decode("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
            .unwrap();
        let client_key: Vec<u8> = proof
            .iter()
            .zip(sign(&stored))
            .map(|(p, s)| p ^ s)
            .collect();
        assert_eq!(sha2::Sha256::digest(&client_key).to_vec(), stored);
    }
}
