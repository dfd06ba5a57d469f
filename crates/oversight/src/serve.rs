//! `oversight serve`: opens the register, prepares the server, prints
//! where it listens (and, once, the administrator's setup link), and serves
//! until interrupted. Everything else is `oversight-server`.

use crate::term::out;

use anyhow::Context;
use oversight_access::{Grant, Role, Scope};
use oversight_server::{Server, ServerConfig};
use oversight_store::DatabaseUrl;

use crate::args::{InitArgs, ServeArgs};
use crate::register::{database, init_register, key_path, open};

/// The example's administrator account.
const EXAMPLE_ADMIN: &str = "admin";

pub(crate) fn serve(args: ServeArgs) -> anyhow::Result<u8> {
    let mut config = ServerConfig::load(args.config.as_deref())?;
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        config.tls_cert = Some(cert.clone());
        config.tls_key = Some(key.clone());
        config.secure_cookies = true;
    }
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if let Some(evidence) = &args.evidence {
        config.evidence = Some(evidence.clone());
    }
    if let Some(database) = &config.database
        && args.register.database.is_none()
    {
        // The configuration file names the database the flags did not.
        return serve_with(args_with_database(args, database.clone()), config);
    }
    serve_with(args, config)
}

fn args_with_database(mut args: ServeArgs, database: String) -> ServeArgs {
    args.register.database = Some(database);
    args
}

fn serve_with(args: ServeArgs, config: ServerConfig) -> anyhow::Result<u8> {
    oversight_server::init_logging(config.json_logs);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("Cannot start the async runtime")?;
    runtime.block_on(async move {
        let url = database(&args.register)?;
        let key = key_path(&args.register)?;
        if args.example && !key.exists() {
            init_register(InitArgs {
                example: true,
                register: args.register.clone(),
            })
            .await?;
        }
        let register = open(&args.register).await?;
        let url_text = match &url {
            DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
            DatabaseUrl::Postgres(url) => url.clone(),
        };
        let evidence = oversight_app::paths::evidence_location(config.evidence.as_deref())?;
        let staging = match &config.staging {
            Some(dir) => dir.clone(),
            None => oversight_app::paths::data_dir()?.join("staging"),
        };
        let listen = config.listen;
        let scheme = if config.tls_cert.is_some() {
            "https"
        } else {
            "http"
        };
        let server = Server::open(register, &url_text, config, evidence, staging).await?;
        let admin = args
            .init_admin
            .clone()
            .or_else(|| args.example.then(|| EXAMPLE_ADMIN.to_owned()));
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("Cannot listen on {listen}"))?;
        let local = listener.local_addr()?;
        out!("Oversight is serving the register in {} at {scheme}://{local}/", url.redacted());
        if let Some(name) = admin {
            let access = server.state().access();
            match access.user_by_name(&name).await {
                Ok(user) if user.has_password => {
                    out!("Administrator `{name}` exists; log in at {scheme}://{local}/api/v1/login");
                }
                found => {
                    let user = match found {
                        Ok(user) => user,
                        Err(_) => {
                            let user = access.create_user(&name).await?;
                            access
                                .grant(
                                    &user.id,
                                    &Grant {
                                        role: Role::Admin,
                                        scope: Scope::Organisation,
                                    },
                                    "oversight serve --init-admin",
                                )
                                .await?;
                            user
                        }
                    };
                    let link = access
                        .create_setup_link(&user.id, jiff::SignedDuration::from_hours(24))
                        .await?;
                    // Printed to the terminal only, never logged.
                    out!(
                        "One-time setup link for `{name}` (24 hours): {scheme}://{local}/setup#{link}\n  POST {{\"link\": \"{link}\", \"password\": \"…\"}} to {scheme}://{local}/api/v1/setup to set the password"
                    );
                }
            }
        }
        server
            .serve(listener, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        Ok(0)
    })
}
