//! `oversight init`, `supplier`, `engagement` and `ledger`: the register
//! commands, a thin layer over `oversight-register`.

use crate::term::out;
use std::path::PathBuf;

use anyhow::Context;
use oversight_register::{ApplyOutcome, EngagementId, PolicyFiles, Register, SupplierId};
use oversight_store::DatabaseUrl;

use crate::args::{EngagementCommand, InitArgs, LedgerCommand, RegisterArgs, SupplierCommand};

/// The example files `oversight init --example` loads.
const EXAMPLE_SUPPLIER: &str = include_str!("../../../examples/supplier.toml");
const EXAMPLE_ENGAGEMENT: &str = include_str!("../../../examples/engagement.toml");
const EXAMPLE_POLICY: &str = include_str!("../../../examples/policy.toml");

/// Runs an async use case on a private runtime: the CLI is synchronous.
pub(crate) fn block_on<F: std::future::Future>(future: F) -> anyhow::Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("Cannot start the async runtime")?;
    Ok(runtime.block_on(future))
}

/// `$XDG_DATA_HOME/oversight` (or `~/.local/share/oversight`).
pub(crate) fn data_dir() -> anyhow::Result<PathBuf> {
    Ok(oversight_app::paths::data_dir()?)
}

/// The database URL: `--database`, else `OVERSIGHT_DATABASE` (clap), else the
/// embedded SQLite file in the data directory.
pub(crate) fn database(args: &RegisterArgs) -> anyhow::Result<DatabaseUrl> {
    let (value, source) = match &args.database {
        Some(url) => (url.clone(), "--database / OVERSIGHT_DATABASE"),
        None => (
            oversight_app::paths::default_database()?,
            "the default database",
        ),
    };
    Ok(DatabaseUrl::parse(&value, source)?)
}

/// The signing key: `--key`, else `OVERSIGHT_KEY`, else the configuration
/// directory, kept apart from the database on purpose.
pub(crate) fn key_path(args: &RegisterArgs) -> anyhow::Result<PathBuf> {
    Ok(oversight_app::paths::key_path(args.key.as_deref())?)
}

/// Who acts: `--actor`, `OVERSIGHT_ACTOR`, `$USER`, `$LOGNAME`, else the
/// operating-system account running Oversight. An actor none of these
/// names is refused: the ledger never records "unknown".
fn actor(args: &RegisterArgs) -> anyhow::Result<String> {
    let named = |a: String| {
        let a = a.trim().to_owned();
        (!a.is_empty()).then_some(a)
    };
    args.actor
        .clone()
        .and_then(named)
        .or_else(|| std::env::var("USER").ok().and_then(named))
        .or_else(|| std::env::var("LOGNAME").ok().and_then(named))
        .or_else(|| whoami::fallible::username().ok().and_then(named))
        .context("Who is acting is unknown: set --actor, OVERSIGHT_ACTOR or USER")
}

pub(crate) async fn open(args: &RegisterArgs) -> anyhow::Result<Register> {
    let url = database(args)?;
    let store = oversight_register::store::open(&url).await?;
    let key_path = key_path(args)?;
    let key = oversight_ledger::keyfile::load(&key_path)?;
    Ok(Register::open(store, key, &actor(args)?)
        .await?
        .with_checkpoint_log(oversight_register::default_checkpoint_log(&key_path)))
}

/// Opens the register for an audit with the public key alone.
async fn open_audit(args: &RegisterArgs, public_key: &str) -> anyhow::Result<Register> {
    let url = database(args)?;
    let store = oversight_register::store::open(&url).await?;
    let key = oversight_ledger::PublicKey::from_hex(public_key).with_context(|| {
        format!("--public-key `{public_key}` is not an Ed25519 public key (64 hex digits)")
    })?;
    let actor = actor(args).unwrap_or_else(|_| "auditor".to_owned());
    Ok(Register::open_audit(store, key, &actor).await?)
}

pub(crate) fn init(args: InitArgs) -> anyhow::Result<u8> {
    block_on(init_register(args))?
}

/// Creates the register (and, with `--example`, loads the examples).
pub(crate) async fn init_register(args: InitArgs) -> anyhow::Result<u8> {
    {
        let url = database(&args.register)?;
        if let DatabaseUrl::Sqlite(path) = &url
            && let Some(parent) = path.parent()
        {
            fs_err::create_dir_all(parent)?;
        }
        let key = key_path(&args.register)?;
        if let Some(parent) = key.parent() {
            fs_err::create_dir_all(parent)?;
        }
        let register = Register::init(&url, &key, &actor(&args.register)?).await?;
        out!("Initialised the register in {}", register.describe());
        out!(
            "Signing key: {} (keep it outside the database and back it up)",
            key.display()
        );
        out!(
            "Public key: {} (give it to auditors: `oversight ledger verify --public-key` and `oversight pack verify` need nothing else)",
            register.public_key()
        );
        if let Some(log) = register.checkpoint_log() {
            out!(
                "Checkpoints: {} (a signed checkpoint of the ledger head after every write; copy it off this machine to detect truncation)",
                log.display()
            );
        }
        if args.example {
            let supplier = oversight_register::format::parse_supplier(
                EXAMPLE_SUPPLIER,
                "examples/supplier.toml",
            )?;
            register.supplier_add(&supplier).await?;
            let outcome = register
                .engagement_apply_str(
                    EXAMPLE_ENGAGEMENT,
                    "examples/engagement.toml",
                    &PolicyFiles::Given(&[("policy.toml", EXAMPLE_POLICY)]),
                )
                .await?;
            out!(
                "Loaded the example supplier `acme-dev` and {}",
                describe(&outcome)
            );
        }
        Ok(0)
    }
}

pub(crate) fn supplier(command: SupplierCommand) -> anyhow::Result<u8> {
    block_on(async {
        match command {
            SupplierCommand::Add { file, register } => {
                let r = open(&register).await?;
                let text = fs_err::read_to_string(&file)?;
                let supplier =
                    oversight_register::format::parse_supplier(&text, &file.display().to_string())?;
                r.supplier_add(&supplier).await?;
                out!("Added supplier `{}`", supplier.id.as_str());
            }
            SupplierCommand::List { register } => {
                let r = open(&register).await?;
                for s in r.supplier_list().await? {
                    out!("{:<24} {}", s.id.as_str(), s.name);
                }
            }
            SupplierCommand::Show { id, register } => {
                let r = open(&register).await?;
                let id: SupplierId = id.parse()?;
                print!(
                    "{}",
                    oversight_register::format::render_supplier(&r.supplier_show(&id).await?)
                );
            }
        }
        Ok(0)
    })?
}

pub(crate) fn engagement(command: EngagementCommand) -> anyhow::Result<u8> {
    block_on(async {
        match command {
            EngagementCommand::Apply { file, register } => {
                let r = open(&register).await?;
                let outcome = r.engagement_apply(&file).await?;
                out!("{}", describe(&outcome));
            }
            EngagementCommand::List { register } => {
                let r = open(&register).await?;
                out!(
                    "{:<24} {:<20} {:<10} {:>4}  SYSTEM",
                    "ENGAGEMENT",
                    "SUPPLIER",
                    "STATUS",
                    "REV"
                );
                for e in r.engagement_list().await? {
                    out!(
                        "{:<24} {:<20} {:<10} {:>4}  {}",
                        e.id,
                        e.supplier,
                        e.status,
                        e.revision,
                        e.system
                    );
                }
            }
            EngagementCommand::Show { id, register, .. } => {
                let r = open(&register).await?;
                let id: EngagementId = id.parse()?;
                print!("{}", r.engagement_show(&id).await?);
            }
        }
        Ok(0)
    })?
}

pub(crate) fn ledger(command: LedgerCommand) -> anyhow::Result<u8> {
    block_on(async {
        match command {
            LedgerCommand::Verify {
                checkpoint,
                public_key,
                register,
            } => {
                let r = match &public_key {
                    Some(hex) => open_audit(&register, hex).await?,
                    None => open(&register).await?,
                };
                match r.ledger_verify_with(&checkpoint).await {
                    Ok(report) => {
                        out!(
                            "Ledger verified: {} events, chain head #{} {}",
                            report.events,
                            report.head.seq,
                            report.head.hash
                        );
                        Ok(0)
                    }
                    Err(err) => {
                        out!("Ledger verification FAILED: {err}");
                        Ok(1)
                    }
                }
            }
        }
    })?
}

fn describe(outcome: &ApplyOutcome) -> String {
    match outcome {
        ApplyOutcome::Created(id) => format!("created engagement `{}`", id.as_str()),
        ApplyOutcome::Updated(id, changes) => {
            let fields: Vec<String> = changes.iter().map(|c| c.field.clone()).collect();
            format!(
                "updated engagement `{}`: {}",
                id.as_str(),
                fields.join(", ")
            )
        }
        ApplyOutcome::Unchanged(id) => format!(
            "engagement `{}` is unchanged; nothing recorded",
            id.as_str()
        ),
    }
}
