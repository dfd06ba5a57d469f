//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use oversight_model::Severity;
use oversight_report::Format;

/// Direct, monitor and review outsourced development (ISO/IEC 27001 A.8.30).
#[derive(Debug, Parser)]
#[command(name = "oversight", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Scan a delivery: a directory, a file, an archive or a git repository.
    ///
    /// Exit codes: 0 no finding at or above --fail-on, 1 such findings,
    /// 2 usage error or unreadable target.
    Scan(ScanArgs),
    /// List every rule: id, default severity, behaviour class (or
    /// category) and the public attack or technique it describes.
    Rules(RulesArgs),
    /// The reviewer's configuration file.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Create the register (embedded SQLite by default) and the instance's
    /// signing key.
    Init(InitArgs),
    /// Suppliers in the register.
    Supplier {
        #[command(subcommand)]
        command: SupplierCommand,
    },
    /// Engagements and their agreed A.8.30 terms, written as code.
    Engagement {
        #[command(subcommand)]
        command: EngagementCommand,
    },
    /// The tamper-evident ledger of every change to the register.
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// The acceptance gate: scan a delivery for an engagement, evaluate its
    /// acceptance policy, record delivery, findings and decision in the
    /// register and the delivered files in the evidence store.
    ///
    /// Exit codes: 0 accepted (with or without waivers), 1 rejected (or, with
    /// --replay, a different result), 2 usage error or unreadable target.
    Review(ReviewArgs),
    /// Write an engagement's evidence pack for an auditor: register entries,
    /// reviews with findings and decisions, their evidence blobs, waivers,
    /// the ledger and its verification, an HTML summary and SHA256SUMS.
    /// Exit 1 when the ledger or a blob fails verification.
    Export(ExportArgs),
    /// Source-code escrow: deposit an accepted review (a deterministic,
    /// signed tar.zst) and verify a deposit from the file alone.
    Escrow {
        #[command(subcommand)]
        command: EscrowCommand,
    },
    /// Exported evidence packs, checked with nothing but the pack and the
    /// instance's public key.
    Pack {
        #[command(subcommand)]
        command: PackCommand,
    },
    /// Assurance documents kept for an engagement (pentest reports,
    /// certificates, attestations).
    Evidence {
        #[command(subcommand)]
        command: EvidenceCommand,
    },
    /// The engagement's threat model (Threat Dragon v2, OTM, Threagile):
    /// import versions, hand it over, record the supplier's acknowledgement,
    /// export it with what a review verified.
    Threats {
        #[command(subcommand)]
        command: ThreatsCommand,
    },
    /// Waive one finding for an engagement: bound to its fingerprint and to
    /// the content of the file it is in, until a date; the approver must not
    /// be the requester.
    Waive(WaiveArgs),
    /// Who may approve waivers, with the SSH keys their approvals are
    /// signed with.
    Approver {
        #[command(subcommand)]
        command: ApproverCommand,
    },
    /// The waivers held: list them, revoke one.
    Waiver {
        #[command(subcommand)]
        command: WaiverCommand,
    },
    /// Every engagement against every A.8.30 factor, and what is due or
    /// overdue.
    Status(StatusArgs),
    /// The local, offline advisory database that scans match components against.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// A software bill of materials of a delivery (CycloneDX 1.6 or SPDX 2.3
    /// JSON), or `sbom diff SUPPLIED TARGET` to check a supplier's SBOM.
    #[command(args_conflicts_with_subcommands = true)]
    Sbom(SbomArgs),
    /// An attribution listing (third-party notices) of a delivery: every
    /// licence found, with its components, files and copyright holders, then
    /// the licence texts.
    Notice(NoticeArgs),
    /// Serve the register and the gate over HTTP to the organisation, its
    /// suppliers, auditors and CI (loopback by default).
    Serve(ServeArgs),
    /// Review the deliveries submitted to the server(s) of this register:
    /// claims jobs from its database, reviews them and records each once,
    /// until interrupted (SIGINT or SIGTERM: reviews in progress finish or
    /// go back to the queue).
    Worker(WorkerArgs),
    /// Give a review worker its own PostgreSQL login role with least
    /// privilege (reads the register, appends reviews and ledger events,
    /// claims and ends jobs; no accounts, sessions, tokens or access log,
    /// no updates or deletes of the record). Run as the database's owner;
    /// run it again to reset the role's privileges.
    WorkerRole(WorkerRoleArgs),
    /// Submit a delivery to an Oversight server with an API token
    /// (`OVERSIGHT_TOKEN`), wait for its review and exit like `review`:
    /// 0 accepted, 1 rejected, 2 error.
    Submit(SubmitArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// The server's configuration file (TOML); `OVERSIGHT_*` variables and
    /// these flags override it.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Where to listen [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR:PORT")]
    pub(crate) listen: Option<std::net::SocketAddr>,
    /// Create this administrator account if it does not exist and print its
    /// one-time setup link (never a password).
    #[arg(long, value_name = "NAME")]
    pub(crate) init_admin: Option<String>,
    /// Initialise the register with the example supplier and engagement
    /// when it does not exist yet, and an administrator `admin`.
    #[arg(long)]
    pub(crate) example: bool,
    /// The evidence store [default: ~/.local/share/oversight/evidence].
    #[arg(long, env = "OVERSIGHT_EVIDENCE", value_name = "LOCATION")]
    pub(crate) evidence: Option<String>,
    /// Speak HTTPS with this certificate chain (PEM); needs --tls-key.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub(crate) tls_cert: Option<PathBuf>,
    /// The TLS private key (PEM); needs --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub(crate) tls_key: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) register: RegisterArgs,
}

#[derive(Debug, clap::Args)]
pub(crate) struct SubmitArgs {
    /// The delivery: a directory (sent as a tar.gz), or a .zip, .tar,
    /// .tar.gz or .tgz file (sent as it is).
    pub(crate) target: PathBuf,
    /// The server's base URL.
    #[arg(long, env = "OVERSIGHT_SERVER", value_name = "URL")]
    pub(crate) server: String,
    /// The engagement.
    #[arg(long, value_name = "ID")]
    pub(crate) engagement: String,
    /// Seconds to wait for the review.
    #[arg(long, default_value_t = 600, value_name = "SECONDS")]
    pub(crate) timeout: u64,
    /// A key naming this submission (the CI run's id, say): submitting
    /// again with the same key answers with the first delivery instead of
    /// making a second one.
    #[arg(long, env = "OVERSIGHT_IDEMPOTENCY_KEY", value_name = "KEY")]
    pub(crate) idempotency_key: Option<String>,
    /// Output format of the decision.
    #[arg(long, short = 'f', default_value = "human", value_parser = ["human", "json"])]
    pub(crate) format: String,
}

#[derive(Debug, clap::Args)]
pub(crate) struct NoticeArgs {
    /// The delivery: a directory, a file, an archive or a git repository.
    pub(crate) target: PathBuf,
    /// Write the listing to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DbCommand {
    /// Import advisories: an OSV directory or osv.dev `all.zip`, a RustSec
    /// advisory-db checkout, or the PyPA advisory-database. Re-importing a
    /// source replaces its earlier snapshot. Exit 1 when some files failed.
    Import {
        /// The directory or zip file to import.
        path: PathBuf,
        #[arg(long, env = "OVERSIGHT_ADVISORIES", value_name = "DIR")]
        /// The advisory index [default: ~/.local/share/oversight/advisories].
        advisories: Option<PathBuf>,
    },
    /// Download osv.dev's per-ecosystem `all.zip` files and import them (the
    /// only command that uses the network). Each zip is kept in the index
    /// directory, so the snapshot's digest names exactly what was used.
    Update {
        /// Ecosystems to fetch, by OSV name [default: every ecosystem
        /// Oversight reads lockfiles of].
        #[arg(long = "ecosystem", value_name = "NAME")]
        ecosystems: Vec<String>,
        /// The advisory index [default: ~/.local/share/oversight/advisories].
        #[arg(long, env = "OVERSIGHT_ADVISORIES", value_name = "DIR")]
        advisories: Option<PathBuf>,
        /// Where to download from.
        #[arg(
            long,
            value_name = "URL",
            default_value = "https://osv-vulnerabilities.storage.googleapis.com"
        )]
        mirror: String,
    },
    /// List the imported snapshots with their content digests.
    Status {
        /// The advisory index [default: ~/.local/share/oversight/advisories].
        #[arg(long, env = "OVERSIGHT_ADVISORIES", value_name = "DIR")]
        advisories: Option<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
pub(crate) struct SbomArgs {
    /// The delivery: a directory, a file, an archive or a git repository.
    pub(crate) target: Option<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "cyclonedx")]
    pub(crate) format: SbomFormat,
    /// Write to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    #[command(subcommand)]
    pub(crate) command: Option<SbomCommand>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SbomCommand {
    /// Compare the SBOM a supplier delivered (CycloneDX or SPDX JSON) with
    /// the components Oversight finds in the delivery. Exit 1 on any difference.
    Diff {
        /// The supplier's SBOM.
        supplied: PathBuf,
        /// The delivery.
        target: PathBuf,
        /// Write to FILE instead of standard output.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// SBOM formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SbomFormat {
    /// CycloneDX 1.6 JSON.
    Cyclonedx,
    /// SPDX 2.3 JSON.
    Spdx,
}

/// Output formats of `scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ScanFormat {
    /// A table for a person at a terminal.
    Human,
    /// The findings model as JSON (FINDINGS.md).
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// OpenVEX 0.2.0: one statement per known vulnerability, for the
    /// reviewer to decide and pass back with --vex.
    Openvex,
}

impl ScanFormat {
    /// The report format, or `None` for OpenVEX.
    pub(crate) fn report(self) -> Option<Format> {
        match self {
            ScanFormat::Human => Some(Format::Human),
            ScanFormat::Json => Some(Format::Json),
            ScanFormat::Sarif => Some(Format::Sarif),
            ScanFormat::Openvex => None,
        }
    }
}

/// Where the register lives and who acts on it.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct RegisterArgs {
    /// Database URL: `sqlite://PATH` or `postgres://…`
    /// [default: ~/.local/share/oversight/oversight.db].
    #[arg(long, env = "OVERSIGHT_DATABASE", value_name = "URL", global = true)]
    pub(crate) database: Option<String>,
    /// The instance's Ed25519 signing key, kept outside the database
    /// [default: ~/.config/oversight/instance.key].
    #[arg(long, env = "OVERSIGHT_KEY", value_name = "FILE", global = true)]
    pub(crate) key: Option<PathBuf>,
    /// Who is acting, recorded in the ledger [default: $USER].
    #[arg(long, env = "OVERSIGHT_ACTOR", value_name = "NAME", global = true)]
    pub(crate) actor: Option<String>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct InitArgs {
    /// Also load the example supplier and engagement (examples/*.toml).
    #[arg(long)]
    pub(crate) example: bool,
    #[command(flatten)]
    pub(crate) register: RegisterArgs,
}

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(crate) struct ReviewArgs {
    /// Past reviews instead of a new one.
    #[command(subcommand)]
    pub(crate) command: Option<ReviewCommand>,
    /// The delivery: a directory, a file, an archive or a git repository.
    #[arg(required_unless_present_any = ["replay", "diff"])]
    pub(crate) target: Option<PathBuf>,
    /// The engagement the delivery is made under.
    #[arg(long, value_name = "ID", required_unless_present = "replay")]
    pub(crate) engagement: Option<String>,
    /// Acceptance policy file [default: the engagement's `[acceptance]
    /// policy`, else the built-in default policy].
    #[arg(long, value_name = "FILE")]
    pub(crate) policy: Option<PathBuf>,
    /// Output format of the decision.
    #[arg(long, short = 'f', default_value = "human", value_parser = ["human", "json"])]
    pub(crate) format: String,
    /// Also show what changed since the engagement's last accepted delivery
    /// (without TARGET: between its latest review and the accepted one before).
    #[arg(long)]
    pub(crate) diff: bool,
    /// Re-run a recorded review from its recorded inputs and say whether
    /// the result is identical.
    #[arg(long, value_name = "REVIEW", conflicts_with_all = ["target", "diff", "policy"])]
    pub(crate) replay: Option<String>,
    /// The evidence store: a directory, file://, s3://bucket/prefix
    /// [default: ~/.local/share/oversight/evidence].
    #[arg(long, env = "OVERSIGHT_EVIDENCE", value_name = "LOCATION")]
    pub(crate) evidence: Option<String>,
    #[command(flatten)]
    pub(crate) read: ReadArgs,
    #[command(flatten)]
    pub(crate) register: RegisterArgs,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ExportArgs {
    /// The engagement to export.
    #[arg(long, value_name = "ID")]
    pub(crate) engagement: String,
    /// The pack's directory (new or empty).
    #[arg(long, short = 'o', value_name = "DIR")]
    pub(crate) output: PathBuf,
    /// Write the assessment as OSCAL 1.0.6 JSON instead of the evidence
    /// pack: assessment-plan.json, assessment-results.json (one result per
    /// review), poam.json (open findings, waivers with expiry) and
    /// catalog.json (the requirement catalogue), with stable UUIDs.
    #[arg(long)]
    pub(crate) oscal: bool,
    /// The evidence store [default: ~/.local/share/oversight/evidence].
    #[arg(long, env = "OVERSIGHT_EVIDENCE", value_name = "LOCATION")]
    pub(crate) evidence: Option<String>,
    #[command(flatten)]
    pub(crate) register: RegisterArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ReviewCommand {
    /// The reviews of an engagement, oldest first: id, time, decision,
    /// blocking findings, reviewer, files.
    List {
        /// The engagement.
        #[arg(long, value_name = "ID")]
        engagement: String,
    },
    /// One review: its decision, the policy it used, its reasons, every
    /// finding with what the decision made of it, and the waivers applied.
    Show {
        /// The review's id (`rev-…`).
        id: String,
        /// Output format.
        #[arg(long, short = 'f', default_value = "human", value_parser = ["human", "json"])]
        format: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum WaiverCommand {
    /// The waivers of an engagement: fingerprint, binding, expiry, who
    /// asked and approved, and whether revoked.
    List {
        /// The engagement.
        #[arg(long, value_name = "ID")]
        engagement: String,
        #[command(flatten)]
        register: RegisterArgs,
    },
    /// Revoke a waiver before it expires (one `waiver.revoked` ledger
    /// event); the next review no longer applies it.
    Revoke {
        /// The waiver's id (`wvr-…`).
        id: String,
        /// The engagement it is held under.
        #[arg(long, value_name = "ID")]
        engagement: String,
        /// Why it is revoked.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        register: RegisterArgs,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum EscrowCommand {
    /// Build `DIR/<review>.tar.zst` from an accepted review: the delivered
    /// source from the evidence store, its SBOM, a licence notice, the
    /// build instructions and a manifest of every file's SHA-256; signed
    /// by the instance key (`.sig`) and as an OpenSSH signature
    /// (`.sshsig`, with an `allowed_signers` file), and recorded in the
    /// ledger (`escrow.deposited`).
    Deposit {
        /// The engagement.
        #[arg(long, value_name = "ID")]
        engagement: String,
        /// The accepted review (`rev-…`).
        #[arg(long, value_name = "REVIEW")]
        review: String,
        /// The directory to write the deposit to.
        #[arg(long, short = 'o', value_name = "DIR")]
        output: PathBuf,
        /// The evidence store [default: ~/.local/share/oversight/evidence].
        #[arg(long, env = "OVERSIGHT_EVIDENCE", value_name = "LOCATION")]
        evidence: Option<String>,
        #[command(flatten)]
        register: RegisterArgs,
    },
    /// Verify a deposit from the file (and its `.sig` and `.sshsig`) alone:
    /// level 1 (inventory and signatures) and level 2 (completeness).
    /// Exit 0 when both pass, 1 when either fails.
    Verify {
        /// The deposit (`<review>.tar.zst`).
        deposit: PathBuf,
        /// The instance's public key: 64 hex digits, a file holding them,
        /// or an `ssh-ed25519` line (an allowed_signers file you trust).
        #[arg(long, value_name = "KEY")]
        public_key: Option<String>,
        /// Also check the deposit against the register (the review is
        /// recorded, accepted, of this delivery); the register's key is then
        /// trusted.
        #[arg(long)]
        with_register: bool,
        /// Output format.
        #[arg(long, short = 'f', default_value = "human", value_parser = ["human", "json"])]
        format: String,
        #[command(flatten)]
        register: RegisterArgs,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum PackCommand {
    /// Verify a pack: the signature of SHA256SUMS, every file's digest (and
    /// no file it does not list), the ledger's chain and signatures, the
    /// signed checkpoint of its head, and every review's evidence files
    /// against the digests its record names. Exit 1 when anything fails.
    Verify {
        /// The pack: its directory, or the zip `GET
        /// /api/v1/engagements/{id}/export` serves.
        dir: PathBuf,
        /// The instance's public key (64 hex digits, printed by `init`).
        #[arg(long, value_name = "HEX")]
        public_key: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum ThreatsCommand {
    /// Import a threat model as the engagement's next version (one ledger
    /// event; the same file again records nothing). Its mitigations become
    /// requirements of the engagement. A refused model names the file and
    /// every problem, and records nothing.
    Import {
        /// The model: Threat Dragon v2 JSON, OTM JSON or YAML, Threagile YAML.
        file: PathBuf,
        /// The engagement.
        #[arg(long, value_name = "ID")]
        engagement: String,
        #[command(flatten)]
        register: RegisterArgs,
    },
    /// The engagement's current model: threats, mitigations as
    /// requirements, versions, hand-overs and acknowledgements.
    List {
        /// The engagement.
        #[arg(long, value_name = "ID")]
        engagement: String,
        #[command(flatten)]
        register: RegisterArgs,
    },
    /// Record that the current version was handed to the supplier.
    Handover {
        /// The engagement.
        #[arg(long, value_name = "ID")]
        engagement: String,
        #[command(flatten)]
        register: RegisterArgs,
    },
    /// Record the supplier's acknowledgement of the version handed over,
    /// run with the supplier's identity (`--actor`); an attested file must
    /// name the version's SHA-256 and is kept in the evidence store.
    Acknowledge {
        /// The engagement.
        #[arg(long, value_name = "ID")]
        engagement: String,
        /// The supplier's signed or sent acknowledgement.
        #[arg(long, value_name = "FILE")]
        attestation: Option<PathBuf>,
        /// The evidence store [default: ~/.local/share/oversight/evidence].
        #[arg(long, env = "OVERSIGHT_EVIDENCE", value_name = "LOCATION")]
        evidence: Option<String>,
        #[command(flatten)]
        register: RegisterArgs,
    },
    /// Write the model back for the modelling tool, with each threat's
    /// verification state in review `--review` (the version it traced).
    Export {
        /// The engagement.
        #[arg(long, value_name = "ID")]
        engagement: String,
        /// The format to write.
        #[arg(long, value_parser = ["threat-dragon", "otm"])]
        format: String,
        /// The review whose verification state to write (`rev-…`).
        #[arg(long, value_name = "REVIEW")]
        review: Option<String>,
        /// The file to write.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: PathBuf,
        #[command(flatten)]
        register: RegisterArgs,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum EvidenceCommand {
    /// Keep a document in the evidence store and record it (one ledger event).
    Add {
        /// The document.
        file: PathBuf,
        /// The engagement it is evidence for.
        #[arg(long, value_name = "ID")]
        engagement: String,
        /// Its kind, as the engagement's assurance terms name it
        /// (`pentest-report`, `iso27001-certificate`, …).
        #[arg(long)]
        kind: String,
        /// Last day it is valid (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        expires: Option<String>,
        /// The evidence store [default: ~/.local/share/oversight/evidence].
        #[arg(long, env = "OVERSIGHT_EVIDENCE", value_name = "LOCATION")]
        evidence: Option<String>,
        #[command(flatten)]
        register: RegisterArgs,
    },
    /// Check the evidence store for an audit: read and hash every blob,
    /// check every pack against its index, and check that every blob the
    /// register refers to (delivered files, manifests, reports, SBOMs,
    /// policies, documents) is there. Exit 1 on any problem, each named.
    Verify {
        /// The evidence store [default: ~/.local/share/oversight/evidence].
        #[arg(long, env = "OVERSIGHT_EVIDENCE", value_name = "LOCATION")]
        evidence: Option<String>,
        #[command(flatten)]
        register: RegisterArgs,
    },
    /// Remove the blobs of the evidence store that no review or document
    /// of the register refers to, once older than the grace period (the
    /// blobs of a review still running are younger). A pack goes only when
    /// none of its blobs is referenced. Recorded in the ledger
    /// (`evidence.collected`).
    Gc {
        /// Nothing written less than this long ago is removed (`24h`,
        /// `7d`, `90m`).
        #[arg(long, default_value = "24h", value_name = "DURATION")]
        grace: String,
        /// Only say what would be removed.
        #[arg(long)]
        dry_run: bool,
        /// The evidence store [default: ~/.local/share/oversight/evidence].
        #[arg(long, env = "OVERSIGHT_EVIDENCE", value_name = "LOCATION")]
        evidence: Option<String>,
        #[command(flatten)]
        register: RegisterArgs,
    },
    /// List the documents kept for an engagement.
    List {
        /// The engagement.
        #[arg(long, value_name = "ID")]
        engagement: String,
        #[command(flatten)]
        register: RegisterArgs,
    },
}

#[derive(Debug, clap::Args)]
pub(crate) struct WaiveArgs {
    /// The finding's fingerprint, as the review report shows it.
    pub(crate) fingerprint: String,
    /// The engagement the waiver is held under.
    #[arg(long, value_name = "ID")]
    pub(crate) engagement: String,
    /// Why the finding is acceptable.
    #[arg(long)]
    pub(crate) reason: String,
    /// Last day the waiver applies (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub(crate) expires: String,
    /// Who approves it: a registered approver (`oversight approver add`),
    /// not --actor, nor a name that looks like it (four eyes).
    #[arg(long, value_name = "NAME")]
    pub(crate) approver: String,
    /// Print the text the approver signs, and how, and record nothing.
    #[arg(long, conflicts_with = "approval")]
    pub(crate) print_approval: bool,
    /// The approver's signature of that text: the `.sig` file written by
    /// `ssh-keygen -Y sign -n oversight-waiver -f THEIR_KEY FILE`.
    #[arg(long, value_name = "FILE.sig")]
    pub(crate) approval: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) register: RegisterArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ApproverCommand {
    /// Register someone who may approve waivers, with the SSH public key
    /// their approvals are signed with (one ledger event).
    Add {
        /// The name approvals give (`--approver NAME`).
        name: String,
        /// Their SSH public key file (`id_ed25519.pub`; Ed25519 or ECDSA P-256).
        #[arg(long, value_name = "FILE.pub")]
        ssh_key: PathBuf,
        #[command(flatten)]
        register: RegisterArgs,
    },
    /// The registered approvers and their key fingerprints.
    List {
        #[command(flatten)]
        register: RegisterArgs,
    },
}

#[derive(Debug, clap::Args)]
pub(crate) struct StatusArgs {
    /// Output format.
    #[arg(long, short = 'f', default_value = "human", value_parser = ["human", "json"])]
    pub(crate) format: String,
    /// Evaluate as of this day (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE")]
    pub(crate) date: Option<String>,
    #[command(flatten)]
    pub(crate) register: RegisterArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SupplierCommand {
    /// Add a supplier from a TOML file (see examples/supplier.toml).
    Add {
        file: PathBuf,
        #[command(flatten)]
        register: RegisterArgs,
    },
    /// List suppliers.
    List {
        #[command(flatten)]
        register: RegisterArgs,
    },
    /// Show a supplier as TOML.
    Show {
        id: String,
        #[command(flatten)]
        register: RegisterArgs,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum EngagementCommand {
    /// Create or update an engagement from a TOML file (idempotent; each
    /// change is one ledger event).
    Apply {
        file: PathBuf,
        #[command(flatten)]
        register: RegisterArgs,
    },
    /// List engagements.
    List {
        #[command(flatten)]
        register: RegisterArgs,
    },
    /// Write an engagement back as TOML (applying it again changes nothing).
    Show {
        id: String,
        /// Output format (only `toml`).
        #[arg(long, default_value = "toml", value_parser = ["toml"])]
        format: String,
        #[command(flatten)]
        register: RegisterArgs,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum LedgerCommand {
    /// Recompute the hash chain and signatures; name the first event that
    /// fails; check the chain against the signed checkpoints kept beside the
    /// signing key and in every --checkpoint log (a chain shorter than, or
    /// diverging from, any checkpoint fails). Exit 1 when verification
    /// fails.
    Verify {
        /// Another checkpoint log to check against (an auditor's copy, an
        /// exported pack's `checkpoints.log`); repeatable.
        #[arg(long, value_name = "FILE")]
        checkpoint: Vec<PathBuf>,
        /// Verify with the instance's public key alone (64 hex digits,
        /// printed by `init`), without the private signing key.
        #[arg(long, value_name = "HEX")]
        public_key: Option<String>,
        #[command(flatten)]
        register: RegisterArgs,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Print a commented configuration file with every default.
    Template,
    /// Print where the configuration file is looked for.
    Path,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ScanArgs {
    /// The delivery to scan.
    pub(crate) target: PathBuf,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "human")]
    pub(crate) format: ScanFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Fail (exit 1) on findings at or above this severity [default: high].
    #[arg(long, value_name = "SEVERITY")]
    pub(crate) fail_on: Option<Severity>,
    #[command(flatten)]
    pub(crate) read: ReadArgs,
    /// Secret rules in gitleaks format (e.g. gitleaks' own gitleaks.toml)
    /// instead of the built-in rule set.
    #[arg(long, value_name = "FILE", conflicts_with = "no_secrets")]
    pub(crate) secrets_config: Option<PathBuf>,
    /// Do not look for secrets.
    #[arg(long)]
    pub(crate) no_secrets: bool,
    /// Do not detect licences and copyright statements.
    #[arg(long, conflicts_with_all = ["license_policy", "expected_holders"])]
    pub(crate) no_licenses: bool,
    /// Report only findings that are not in this earlier JSON report
    /// (matched by fingerprint). Supplied by the reviewer, never read from the
    /// delivery.
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,
    /// List info findings (detected licences, copyright statements) in the
    /// human output too; JSON and SARIF always hold every finding.
    #[arg(long, short = 'v')]
    pub(crate) verbose: bool,
    /// Licence policy (TOML: allow/deny lists of SPDX ids and categories).
    #[arg(long, value_name = "FILE")]
    pub(crate) license_policy: Option<PathBuf>,
    /// Copyright holders the contract expects, comma-separated; any other
    /// holder is a `license.foreign-copyright` finding.
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub(crate) expected_holders: Vec<String>,
    /// Do not read lockfiles and manifests (no component inventory, no
    /// vulnerability matching).
    #[arg(long, conflicts_with = "vex")]
    pub(crate) no_deps: bool,
    /// Also evaluate this acceptance policy, exactly as `oversight review`
    /// will (thresholds, deliverables by content, licences, advisory
    /// freshness; the organisation's waivers aside): the decision is
    /// printed after the report (to standard error for JSON, SARIF and
    /// OpenVEX) and sets the exit code: 0 accepted, 1 rejected.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["license_policy", "fail_on", "baseline"])]
    pub(crate) policy: Option<PathBuf>,
}

/// `oversight rules`.
#[derive(Debug, clap::Args)]
pub(crate) struct RulesArgs {
    /// Also list the behaviour rules of this directory (as `scan --rules`),
    /// and check them against their own samples (exit 1 when a rule does
    /// not fire on a positive sample or fires on a negative one).
    #[arg(long, value_name = "DIR")]
    pub(crate) rules: Option<PathBuf>,
}

/// What `scan` and `review` share: how the delivery is read, and the
/// reviewer's own inputs to the detectors (never read from the delivery).
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct ReadArgs {
    /// A directory of behaviour rules (`*.toml`, the format of
    /// crates/oversight-behaviour/rules/README.md) added to the built-in
    /// ones. Any invalid file stops the command before anything is scanned,
    /// naming the file, the rule and the line.
    #[arg(long, value_name = "DIR")]
    pub(crate) rules: Option<PathBuf>,
    /// Reviewer configuration file (TOML) [default: ~/.config/oversight/config.toml].
    #[arg(long, short = 'c', value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Git revision to scan instead of HEAD and the work tree.
    #[arg(long, value_name = "REV")]
    pub(crate) rev: Option<String>,
    /// Also scan every blob in the git history that is not in the scanned
    /// tree: deleted files, old versions, other branches and tags.
    #[arg(long)]
    pub(crate) history: bool,
    /// Worker threads [default: all cores].
    #[arg(long, short = 'j', value_name = "N")]
    pub(crate) threads: Option<usize>,
    /// Never show a progress bar.
    #[arg(long)]
    pub(crate) no_progress: bool,
    /// The advisory index built by `oversight db import`
    /// [default: ~/.local/share/oversight/advisories].
    #[arg(long, env = "OVERSIGHT_ADVISORIES", value_name = "DIR")]
    pub(crate) advisories: Option<PathBuf>,
    /// VEX documents (OpenVEX 0.2.0 or CycloneDX VEX) from the reviewer:
    /// `not_affected` and `fixed` statements turn matching vulnerabilities
    /// into info findings that quote the justification.
    #[arg(long, value_name = "FILE")]
    pub(crate) vex: Vec<PathBuf>,
}

impl ReadArgs {
    /// How the application layer reads the delivery.
    pub(crate) fn options(&self) -> oversight_app::scan::ReadOptions {
        oversight_app::scan::ReadOptions {
            config: self.config.clone(),
            rev: self.rev.clone(),
            history: self.history,
            threads: self.threads,
            advisories: self.advisories.clone(),
            vex: self.vex.clone(),
        }
    }
}

#[derive(Debug, clap::Args)]
pub(crate) struct WorkerRoleArgs {
    /// The role's name (lowercase letters, digits and underscores).
    pub(crate) role: String,
    /// The environment variable holding the role's password (only its
    /// SCRAM verifier is sent to the database). Without it the role has no
    /// password and logs in as `pg_hba.conf` allows (a client certificate).
    #[arg(long, value_name = "VAR")]
    pub(crate) password_env: Option<String>,
    #[command(flatten)]
    pub(crate) register: RegisterArgs,
}

#[derive(Debug, clap::Args)]
pub(crate) struct WorkerArgs {
    /// The server's configuration file (TOML): its `[jobs]`, evidence
    /// store, advisories and `[[webhooks]]` apply to the worker too.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Reviews run at once [default: one per core, and no more than the
    /// available memory holds at 1 GiB each (the cgroup's limit counts)].
    #[arg(long, short = 'j', value_name = "N")]
    pub(crate) jobs: Option<usize>,
    /// The worker's name in the job table [default: host-pid].
    #[arg(long, value_name = "NAME")]
    pub(crate) name: Option<String>,
    /// Seconds a stopping worker waits for its reviews before it gives
    /// them back to the queue.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub(crate) grace: u64,
    /// The evidence store [default: ~/.local/share/oversight/evidence].
    #[arg(long, env = "OVERSIGHT_EVIDENCE", value_name = "LOCATION")]
    pub(crate) evidence: Option<String>,
    /// Serve this worker's Prometheus metrics at `http://ADDR/metrics`
    /// (counts only; bind where only the scraper reaches).
    #[arg(long, value_name = "ADDR:PORT")]
    pub(crate) metrics_listen: Option<std::net::SocketAddr>,
    #[command(flatten)]
    pub(crate) register: RegisterArgs,
}
