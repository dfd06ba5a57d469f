//! A real server on 127.0.0.1:0 over a real register (SQLite in a
//! temporary directory, or a private PostgreSQL database), with one account
//! per role, driven over HTTP.

#![allow(dead_code, missing_docs)]

use oversight_access::{Action, Grant, Principal, Role, Scope};
use oversight_register::{PolicyFiles, Register};
use oversight_server::{Server, ServerConfig};
use oversight_store::DatabaseUrl;

/// The test policy: every finding category blocks from `low`, waivers
/// allowed for up to 90 days, no deliverables.
pub const POLICY: &str = r#"
schema = 1
name = "server-test"
version = "1"

[thresholds]
default = "low"

[waivers]
max_days = 90
"#;

pub const SUPPLIER: &str = include_str!("../../../../examples/supplier.toml");
pub const ENGAGEMENT: &str = include_str!("../../../../examples/engagement.toml");

/// Which database.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct Harness {
    pub base: String,
    pub runtime: tokio::runtime::Runtime,
    pub state: oversight_server::state::AppState,
    pub dir: tempfile::TempDir,
    pub db: Option<oversight_test_support::postgres::TempDatabase>,
}

pub fn other_supplier() -> String {
    SUPPLIER
        .replace("acme-dev", "globex")
        .replace("Acme Development GmbH", "Globex Corporation")
}

pub fn other_engagement() -> String {
    ENGAGEMENT
        .replace("acme-portal", "globex-app")
        .replace("acme-dev", "globex")
}

impl Harness {
    pub fn start(backend: Backend) -> Harness {
        Harness::start_with(backend, |_, _| {})
    }

    /// A server whose configuration `configure` adjusts, given the base URL
    /// it will serve at.
    pub fn start_with(
        backend: Backend,
        configure: impl FnOnce(&str, &mut ServerConfig),
    ) -> Harness {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let (url, db) = match backend {
            Backend::Sqlite => (
                format!("sqlite://{}", dir.path().join("o.db").display()),
                None,
            ),
            Backend::Postgres => {
                let db = oversight_test_support::postgres::TempDatabase::new("server");
                (db.url(), Some(db))
            }
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let key = dir.path().join("instance.key");
        let (state, base) = runtime.block_on(async {
            let parsed = DatabaseUrl::parse(&url, "test").expect("a database URL");
            let register = Register::init(&parsed, &key, "setup").await.expect("init");
            for text in [SUPPLIER.to_owned(), other_supplier()] {
                let supplier =
                    oversight_register::format::parse_supplier(&text, "test").expect("supplier");
                register
                    .supplier_add(&supplier)
                    .await
                    .expect("supplier add");
            }
            for text in [ENGAGEMENT.to_owned(), other_engagement()] {
                register
                    .engagement_apply_str(
                        &text,
                        "test",
                        &PolicyFiles::Given(&[("policy.toml", POLICY)]),
                    )
                    .await
                    .expect("engagement apply");
            }
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let base = format!("http://{}", listener.local_addr().expect("an address"));
            let mut config = ServerConfig {
                workers: 1,
                advisories: Some(dir.path().join("advisories")),
                ..ServerConfig::default()
            };
            configure(&base, &mut config);
            let server = Server::open(
                register,
                &url,
                config,
                dir.path().join("evidence").display().to_string(),
                dir.path().join("staging"),
            )
            .await
            .expect("the server opens");
            let state = server.state().clone();
            tokio::spawn(async move {
                server
                    .serve(listener, std::future::pending())
                    .await
                    .expect("serves");
            });
            (state, base)
        });
        Harness {
            base,
            runtime,
            state,
            dir,
            db,
        }
    }

    /// Creates account `name` with password `password-of-NAME` and `grants`.
    pub fn account(&self, name: &str, grants: &[(Role, Scope)]) -> Principal {
        self.runtime.block_on(async {
            let access = self.state.access();
            let user = access.create_user(name).await.expect("create user");
            access
                .set_password(&user.id, &format!("password-of-{name}"))
                .await
                .expect("password");
            for (role, scope) in grants {
                access
                    .grant(
                        &user.id,
                        &Grant {
                            role: *role,
                            scope: scope.clone(),
                        },
                        "test",
                    )
                    .await
                    .expect("grant");
            }
            access.principal(&user.id, None).await.expect("principal")
        })
    }

    /// A token of `principal` for `scope` with every action its grants allow there.
    pub fn token(
        &self,
        principal: &Principal,
        scope: Scope,
        expires_in: jiff::SignedDuration,
    ) -> String {
        let actions: Vec<Action> = Action::ALL
            .into_iter()
            .filter(|a| principal.grants.iter().any(|g| g.role.permits(*a)))
            .collect();
        self.runtime.block_on(async {
            self.state
                .access()
                .create_token(
                    principal,
                    "test",
                    scope,
                    actions,
                    jiff::Timestamp::now() + expires_in,
                )
                .await
                .expect("a token")
                .1
        })
    }
}

/// An HTTP client that returns every status.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// A tar.gz of `files` (path, content).
pub fn tar_gz(files: &[(&str, &str)]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    {
        let mut tar = tar::Builder::new(&mut encoder);
        for (path, content) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(content.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            tar.append_data(&mut header, path, content.as_bytes())
                .expect("append");
        }
        tar.finish().expect("finish");
    }
    encoder.finish().expect("gzip")
}

pub fn read_json(response: ureq::http::Response<ureq::Body>) -> serde_json::Value {
    response.into_body().read_json().expect("a JSON body")
}
