//! The use cases the CLI (and later the server) call: one [`Register`] over a
//! store and the instance's signing key.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use oversight_ledger::{Event, InstanceKey, KeyFileError, PublicKey, SealedEvent, VerifyReport};
use oversight_store::{
    Change, DatabaseUrl, EngagementRecord, Entry, Store, StoreError, SupplierRecord,
};

use crate::catalogue::Catalogue;
use crate::engagement::Engagement;
use crate::format::{self, FieldChange, FormatError};
use crate::id::{EngagementId, SupplierId};
use crate::supplier::Supplier;

/// Why a use case failed. Nothing was changed when an error is returned.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// The store failed or refused the change.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file is not valid.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// The signing key file is missing, unreadable or too open.
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    /// A file could not be read.
    #[error("Cannot read {path}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// An engagement names a supplier that is not in the register.
    #[error(
        "Engagement `{engagement}` names supplier `{supplier}`, which is not in the register; add it first with `oversight supplier add`"
    )]
    UnknownSupplier {
        /// The engagement.
        engagement: String,
        /// The missing supplier.
        supplier: String,
    },
    /// The database has no instance key: it was not created by `oversight init`.
    #[error("Database {database} has no instance key; it was not created by `oversight init`")]
    NoInstanceKey {
        /// The database.
        database: String,
    },
    /// The signing key given is not the one this database was initialised with.
    #[error(
        "The signing key (public key {given}) is not this instance's key ({expected}) recorded in {database}; use the key file created by `oversight init`"
    )]
    WrongKey {
        /// The database.
        database: String,
        /// Fingerprint of the recorded key.
        expected: String,
        /// Fingerprint of the key given.
        given: String,
    },
    /// A stored record no longer parses: the database was edited outside
    /// Oversight.
    #[error("Stored {what} `{id}` is corrupt (edited outside Oversight?): {reason}")]
    Corrupt {
        /// The kind of record.
        what: &'static str,
        /// Its id.
        id: String,
        /// Why it does not parse.
        reason: String,
    },
    /// The acceptance policy an engagement names is not a valid policy.
    #[error("Engagement `{engagement}`: {reason}")]
    InvalidPolicy {
        /// The engagement.
        engagement: String,
        /// What is wrong with the policy, with its line.
        reason: String,
    },
    /// No engagement has this id.
    #[error("Engagement `{engagement}` is not in the register; see `oversight engagement list`")]
    UnknownEngagement {
        /// The id given.
        engagement: String,
    },
    /// A waiver's approver is missing or is the requester.
    #[error(
        "A waiver needs an approver other than its requester (requester `{requester}`, approver `{approver}`): four eyes"
    )]
    FourEyes {
        /// Who asked.
        requester: String,
        /// Who was named as approver.
        approver: String,
    },
    /// A request is invalid (a date in the past, an empty reason, …).
    #[error("{0}")]
    Invalid(String),
    /// A threat model was refused (the file and every problem named).
    #[error(transparent)]
    ThreatModel(#[from] oversight_threats::ThreatModelError),
    /// A stored row does not match the ledger event that recorded it.
    #[error(
        "Ledger event #{seq} ({kind}) recorded {what} `{id}` with digest {recorded}, but the stored row now hashes to {actual}: the database was edited outside Oversight"
    )]
    RowTampered {
        /// The event's sequence number.
        seq: u64,
        /// The event's kind.
        kind: String,
        /// The kind of record.
        what: &'static str,
        /// Its id.
        id: String,
        /// The digest in the event.
        recorded: String,
        /// The digest of the stored row.
        actual: String,
    },
    /// The ledger fails verification.
    #[error(transparent)]
    Ledger(#[from] oversight_ledger::Failure),
    /// Events were removed from the end of the ledger.
    #[error(
        "The ledger ends at event #{last} but its head records event #{head}: events were deleted from the end"
    )]
    Truncated {
        /// The last stored event.
        last: u64,
        /// The head recorded by the last append.
        head: u64,
    },
    /// The register was opened with the public key alone.
    #[error("The register was opened for an audit with the public key alone; it cannot be written")]
    ReadOnly,
    /// The events were recorded but the checkpoint could not be written.
    #[error(
        "The events were recorded, but the checkpoint log {path} could not be written: {reason}"
    )]
    Checkpoint {
        /// The log.
        path: String,
        /// Why.
        reason: String,
    },
    /// The chain does not match a checkpoint.
    #[error(transparent)]
    CheckpointMismatch(#[from] oversight_ledger::CheckpointError),
    /// The database itself is damaged.
    #[error("The database {database} is damaged: {reason}")]
    Damaged {
        /// The database.
        database: String,
        /// What the database's own check reported.
        reason: String,
    },
}

/// The checkpoint log kept beside the signing key at `key_path`.
pub fn default_checkpoint_log(key_path: &Path) -> PathBuf {
    key_path.with_file_name("checkpoints.log")
}

/// Where the acceptance policy an engagement file names is read from when
/// the file is applied.
#[derive(Debug, Clone, Copy)]
pub enum PolicyFiles<'a> {
    /// Files relative to this directory: the engagement file's own.
    Dir(&'a Path),
    /// Files given by name and text (the examples built into the binary).
    Given(&'a [(&'a str, &'a str)]),
    /// Nowhere: the engagement must carry its policy inline
    /// (`acceptance.policy_text`, as `engagement show` writes it).
    Inline,
}

impl PolicyFiles<'_> {
    /// The text of the policy `name` for the engagement file `origin`.
    fn read(&self, name: &str, origin: &str) -> Result<String, RegisterError> {
        match self {
            PolicyFiles::Dir(dir) => {
                let path = dir.join(name);
                fs_err::read_to_string(&path).map_err(|source| RegisterError::Read {
                    path: format!(
                        "{} (the acceptance policy {origin} names, relative to its directory)",
                        path.display()
                    ),
                    source,
                })
            }
            PolicyFiles::Given(files) => files
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, text)| (*text).to_owned())
                .ok_or_else(|| RegisterError::Read {
                    path: format!("{name} (the acceptance policy {origin} names)"),
                    source: std::io::Error::from(std::io::ErrorKind::NotFound),
                }),
            PolicyFiles::Inline => Err(RegisterError::Read {
                path: format!(
                    "{name} (the acceptance policy {origin} names; give it inline as acceptance.policy_text)"
                ),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            }),
        }
    }
}

/// What `engagement_apply` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyOutcome {
    /// The engagement was new; one `engagement.created` event.
    Created(EngagementId),
    /// The engagement changed; one `engagement.updated` event listing the changes.
    Updated(EngagementId, Vec<FieldChange>),
    /// The file matches the register; no event.
    Unchanged(EngagementId),
}

/// One row of `engagement list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngagementSummary {
    /// The engagement id.
    pub id: String,
    /// The supplier id.
    pub supplier: String,
    /// The system being built.
    pub system: String,
    /// The owner.
    pub owner: String,
    /// The status.
    pub status: String,
    /// How many times it was changed since it was created, plus one.
    pub revision: i64,
}

/// The register over a store, acting for one actor with the instance key.
#[derive(Clone)]
pub struct Register {
    store: Arc<dyn Store>,
    /// `None` when opened for an audit with the public key alone. Shared
    /// by the registers [`Register::acting_as`] derives.
    key: Option<Arc<InstanceKey>>,
    public_key: PublicKey,
    actor: String,
    catalogue: Catalogue,
    /// Where a signed checkpoint of the chain head is appended after every
    /// write (outside the database; see `oversight_ledger::checkpoint`).
    checkpoint_log: Option<PathBuf>,
    /// Engagements parsed by revision, shared with derived registers (and
    /// started afresh when the catalogue they were parsed with changes).
    parsed: Arc<crate::parsed::ParsedEngagements>,
    /// The engagement list at the last ledger head it was read at.
    listed: Arc<crate::parsed::ListAtHead>,
    /// Pages of recorded findings (they never change once recorded).
    finding_pages: Arc<crate::parsed::FindingPages>,
    decisions: Arc<crate::parsed::Decisions>,
}

impl std::fmt::Debug for Register {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Register")
            .field("store", &self.store.describe())
            .field("public_key", &self.public_key)
            .field("checkpoint_log", &self.checkpoint_log)
            .field("actor", &self.actor)
            .finish_non_exhaustive()
    }
}

pub(crate) fn now() -> String {
    jiff::Timestamp::now().to_string()
}

impl Register {
    /// `oversight init`: creates the database at `url` and a new signing key
    /// at `key_path` (which must not exist, and should be outside the
    /// database's directory), and records the public key as the first ledger
    /// event.
    pub async fn init(
        url: &DatabaseUrl,
        key_path: &Path,
        actor: &str,
    ) -> Result<Register, RegisterError> {
        if key_path.exists() {
            return Err(KeyFileError::Exists {
                path: key_path.to_owned(),
            }
            .into());
        }
        let store = crate::store::create(url).await?;
        let key = oversight_ledger::keyfile::generate(key_path)?;
        let public_key = key.public_key().to_string();
        let event = Event::new(
            "instance.initialised",
            "instance",
            actor,
            now(),
            &serde_json::json!({ "public_key": public_key }),
        );
        let register = Register {
            store,
            public_key: key.public_key(),
            key: Some(Arc::new(key)),
            actor: actor.to_owned(),
            catalogue: Catalogue::builtin(),
            checkpoint_log: Some(default_checkpoint_log(key_path)),
            parsed: Arc::default(),
            listed: Arc::default(),
            finding_pages: Arc::default(),
            decisions: Arc::default(),
        };
        register
            .append(vec![Entry {
                change: Some(Change::SetInstanceKey { public_key }),
                event,
            }])
            .await?;
        Ok(register)
    }

    /// Opens the register in `store` with `key`, which must be the key the
    /// database was initialised with.
    pub async fn open(
        store: Arc<dyn Store>,
        key: InstanceKey,
        actor: &str,
    ) -> Result<Register, RegisterError> {
        let public_key = key.public_key();
        Register::opened(store, Some(key), public_key, actor).await
    }

    /// Opens the register in `store` for an audit, with the instance's
    /// public key alone (printed by `init`, recorded in the first ledger
    /// event): everything can be read and verified, nothing written.
    pub async fn open_audit(
        store: Arc<dyn Store>,
        public_key: PublicKey,
        actor: &str,
    ) -> Result<Register, RegisterError> {
        Register::opened(store, None, public_key, actor).await
    }

    /// The register in `store`, once `public_key` is found to be the one
    /// the database was initialised with.
    async fn opened(
        store: Arc<dyn Store>,
        key: Option<InstanceKey>,
        public_key: PublicKey,
        actor: &str,
    ) -> Result<Register, RegisterError> {
        let recorded = store
            .instance_key()
            .await?
            .ok_or_else(|| RegisterError::NoInstanceKey {
                database: store.describe(),
            })?;
        if PublicKey::from_hex(&recorded) != Some(public_key) {
            return Err(RegisterError::WrongKey {
                database: store.describe(),
                expected: PublicKey::from_hex(&recorded)
                    .map_or_else(|| format!("unreadable `{recorded}`"), |k| k.fingerprint()),
                given: public_key.fingerprint(),
            });
        }
        Ok(Register {
            store,
            key: key.map(Arc::new),
            public_key,
            actor: actor.to_owned(),
            catalogue: Catalogue::builtin(),
            checkpoint_log: None,
            parsed: Arc::default(),
            listed: Arc::default(),
            finding_pages: Arc::default(),
            decisions: Arc::default(),
        })
    }

    /// Appends a signed checkpoint of the chain head to `path` after every
    /// write, and checks the chain against the checkpoints there when
    /// verifying.
    pub fn with_checkpoint_log(mut self, path: PathBuf) -> Register {
        self.checkpoint_log = Some(path);
        self
    }

    /// The checkpoint log, if any.
    pub fn checkpoint_log(&self) -> Option<&Path> {
        self.checkpoint_log.as_deref()
    }

    /// The instance's public key.
    pub fn public_key(&self) -> PublicKey {
        self.public_key
    }

    /// A checkpoint of `head`, signed now with the instance key (carried in
    /// every export for the head of the ledger it holds).
    pub fn sign_checkpoint(
        &self,
        head: &oversight_ledger::ChainHead,
    ) -> Result<oversight_ledger::Checkpoint, RegisterError> {
        Ok(oversight_ledger::Checkpoint::sign(
            self.key()?,
            head,
            &now(),
        ))
    }

    /// The instance key's detached signature of `bytes` for `domain`.
    pub fn sign_document(&self, domain: &str, bytes: &[u8]) -> Result<[u8; 64], RegisterError> {
        Ok(oversight_ledger::document::sign(self.key()?, domain, bytes))
    }

    /// The instance key's OpenSSH signature (`namespace`) of a message
    /// whose SHA-512 is `sha512` ([`oversight_ledger::document::sign_sshsig`]).
    pub fn sign_sshsig(
        &self,
        namespace: &str,
        sha512: &[u8; 64],
    ) -> Result<[u8; 64], RegisterError> {
        Ok(oversight_ledger::document::sign_sshsig(
            self.key()?,
            namespace,
            sha512,
        ))
    }

    /// Records `entries` in one transaction, then appends a signed
    /// checkpoint of the new head to the checkpoint log. The only way the
    /// register writes.
    pub(crate) async fn append(
        &self,
        entries: Vec<Entry>,
    ) -> Result<Vec<SealedEvent>, RegisterError> {
        let key = self.key()?;
        let sealed = self.store.record(entries, key).await?;
        if let (Some(path), Some(last)) = (&self.checkpoint_log, sealed.last()) {
            let checkpoint = oversight_ledger::Checkpoint::sign(key, &last.head(), &now());
            oversight_ledger::checkpoint::append(path, &checkpoint).map_err(|e| {
                RegisterError::Checkpoint {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                }
            })?;
        }
        Ok(sealed)
    }

    /// Replaces the requirement catalogue (the built-in one by default).
    pub fn with_catalogue(mut self, catalogue: Catalogue) -> Register {
        self.catalogue = catalogue;
        self.parsed = Arc::default();
        self
    }

    /// The requirement catalogue in use.
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// Who acts: recorded as the actor of every event.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// The same register, with `actor` acting: a server opens the register
    /// once and derives one per authenticated request, so the ledger
    /// records who acted, never the server's account.
    pub fn acting_as(&self, actor: &str) -> Register {
        Register {
            store: Arc::clone(&self.store),
            key: self.key.clone(),
            public_key: self.public_key,
            actor: actor.to_owned(),
            catalogue: self.catalogue.clone(),
            checkpoint_log: self.checkpoint_log.clone(),
            parsed: Arc::clone(&self.parsed),
            listed: Arc::clone(&self.listed),
            finding_pages: Arc::clone(&self.finding_pages),
            decisions: Arc::clone(&self.decisions),
        }
    }

    pub(crate) fn finding_pages(&self) -> &crate::parsed::FindingPages {
        &self.finding_pages
    }

    pub(crate) fn decisions(&self) -> &crate::parsed::Decisions {
        &self.decisions
    }

    pub(crate) fn key(&self) -> Result<&InstanceKey, RegisterError> {
        self.key.as_deref().ok_or(RegisterError::ReadOnly)
    }

    /// The store, for callers that need lower-level access.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Adds a new supplier; one `supplier.created` event.
    pub async fn supplier_add(&self, supplier: &Supplier) -> Result<SealedEvent, RegisterError> {
        let document = format::render_supplier(supplier);
        let event = Event::new(
            "supplier.created",
            supplier.id.as_str(),
            &self.actor,
            now(),
            &serde_json::json!({ "supplier": format::toml_to_json(&document) }),
        );
        let change = Change::PutSupplier {
            record: SupplierRecord {
                id: supplier.id.to_string(),
                name: supplier.name.clone(),
                document,
                revision: 1,
            },
            expected_revision: None,
        };
        let mut sealed = self
            .append(vec![Entry {
                change: Some(change),
                event,
            }])
            .await?;
        Ok(sealed.pop().expect("one entry gives one event"))
    }

    /// Every supplier, ordered by id.
    pub async fn supplier_list(&self) -> Result<Vec<Supplier>, RegisterError> {
        self.store
            .suppliers()
            .await?
            .iter()
            .map(supplier_from_record)
            .collect()
    }

    /// The supplier `id`.
    pub async fn supplier_show(&self, id: &SupplierId) -> Result<Supplier, RegisterError> {
        supplier_from_record(&self.store.supplier(id.as_str()).await?)
    }

    /// Applies the engagement file at `path`; the acceptance policy it names
    /// is read relative to the file's directory, never the working directory.
    pub async fn engagement_apply(&self, path: &Path) -> Result<ApplyOutcome, RegisterError> {
        let text = fs_err::read_to_string(path).map_err(|source| RegisterError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let dir = path.parent().unwrap_or(Path::new(""));
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        self.engagement_apply_str(&text, &path.display().to_string(), &PolicyFiles::Dir(dir))
            .await
    }

    /// Applies engagement TOML `text` (`origin` names it in errors): creates
    /// the engagement or updates it, recording one event, or does nothing if
    /// the register already holds exactly this engagement.
    ///
    /// The acceptance policy the engagement names is agreed by content: its
    /// text (inline in `text` as `engagement show` writes it, else read from
    /// `policies`) must parse as a policy, and is stored with its digest, so
    /// a review uses exactly it wherever it runs, and a change of policy is
    /// an `engagement.updated` event naming the old and new digest.
    pub async fn engagement_apply_str(
        &self,
        text: &str,
        origin: &str,
        policies: &PolicyFiles<'_>,
    ) -> Result<ApplyOutcome, RegisterError> {
        let mut engagement = format::parse_engagement(text, origin, &self.catalogue)?;
        if let Some(acceptance) = &mut engagement.terms.acceptance {
            let agreed = match acceptance.agreed.take() {
                Some(agreed) => agreed,
                None => crate::AgreedPolicy::new(policies.read(&acceptance.policy, origin)?),
            };
            if let Err(e) = oversight_policy::Policy::parse(
                &agreed.text,
                &format!("the acceptance policy `{}` of {origin}", acceptance.policy),
            ) {
                return Err(RegisterError::InvalidPolicy {
                    engagement: engagement.id.to_string(),
                    reason: e.to_string(),
                });
            }
            acceptance.agreed = Some(agreed);
        }
        match self.store.supplier(engagement.supplier.as_str()).await {
            Ok(_) => {}
            Err(StoreError::NotFound { .. }) => {
                return Err(RegisterError::UnknownSupplier {
                    engagement: engagement.id.to_string(),
                    supplier: engagement.supplier.to_string(),
                });
            }
            Err(e) => return Err(e.into()),
        }
        let document = format::render_engagement(&engagement);
        let current = match self.store.engagement(engagement.id.as_str()).await {
            Ok(record) => Some(record),
            Err(StoreError::NotFound { .. }) => None,
            Err(e) => return Err(e.into()),
        };
        let id = engagement.id.clone();
        let (kind, payload, expected_revision, revision, changes) = match &current {
            Some(current) if current.document == document => {
                return Ok(ApplyOutcome::Unchanged(id));
            }
            Some(current) => {
                let changes = format::diff(&current.document, &document);
                let listed: Vec<_> = changes
                    .iter()
                    .map(|c| {
                        serde_json::json!({ "field": c.field, "before": c.before, "after": c.after })
                    })
                    .collect();
                let payload = serde_json::json!({
                    "revision": current.revision + 1,
                    "changes": listed,
                    "engagement": format::toml_to_json(&document),
                });
                (
                    "engagement.updated",
                    payload,
                    Some(current.revision),
                    current.revision + 1,
                    Some(changes),
                )
            }
            None => (
                "engagement.created",
                serde_json::json!({ "revision": 1, "engagement": format::toml_to_json(&document) }),
                None,
                1,
                None,
            ),
        };
        let record = EngagementRecord {
            id: engagement.id.to_string(),
            supplier_id: engagement.supplier.to_string(),
            system: engagement.system.clone(),
            owner: engagement.owner.clone(),
            status: engagement.status.to_string(),
            start_date: engagement.start.map(|d| d.to_string()),
            end_date: engagement.end.map(|d| d.to_string()),
            document,
            revision,
        };
        let event = Event::new(kind, engagement.id.as_str(), &self.actor, now(), &payload);
        self.append(vec![Entry {
            change: Some(Change::PutEngagement {
                record,
                expected_revision,
            }),
            event,
        }])
        .await?;
        Ok(match changes {
            Some(changes) => ApplyOutcome::Updated(id, changes),
            None => ApplyOutcome::Created(id),
        })
    }

    /// The engagement `id`.
    pub async fn engagement(&self, id: &EngagementId) -> Result<Engagement, RegisterError> {
        Ok(Engagement::clone(&*self.engagement_shared(id).await?))
    }

    /// The engagement `id`, shared: parsed once per revision (see
    /// [`crate::parsed`]), so repeated reads cost one row read.
    pub async fn engagement_shared(
        &self,
        id: &EngagementId,
    ) -> Result<Arc<Engagement>, RegisterError> {
        let record = self.store.engagement(id.as_str()).await?;
        if let Some(parsed) = self.parsed.get(&record.id, record.revision) {
            return Ok(parsed);
        }
        let _turn = self.parsed.parse_turn();
        if let Some(parsed) = self.parsed.get(&record.id, record.revision) {
            return Ok(parsed);
        }
        self.parse_stored(&record.document, id, record.revision)
    }

    /// The engagement a list row names: with no read at all when it was
    /// parsed at the row's revision.
    pub async fn engagement_of(
        &self,
        summary: &EngagementSummary,
    ) -> Result<Arc<Engagement>, RegisterError> {
        if let Some(parsed) = self.parsed.get(&summary.id, summary.revision) {
            return Ok(parsed);
        }
        let id: EngagementId = summary.id.parse().map_err(|_| RegisterError::Corrupt {
            what: "engagement",
            id: summary.id.clone(),
            reason: "its stored id is not a valid id".into(),
        })?;
        self.engagement_shared(&id).await
    }

    fn parse_stored(
        &self,
        document: &str,
        id: &EngagementId,
        revision: i64,
    ) -> Result<Arc<Engagement>, RegisterError> {
        let parsed = format::parse_engagement(
            document,
            &format!("stored engagement `{id}`"),
            &self.catalogue,
        )
        .map_err(|e| RegisterError::Corrupt {
            what: "engagement",
            id: id.to_string(),
            reason: e.to_string(),
        })?;
        let parsed = Arc::new(parsed);
        self.parsed.keep(revision, Arc::clone(&parsed));
        Ok(parsed)
    }

    /// The engagement `id` as the TOML file that `engagement_apply` accepts;
    /// applying it unchanged records nothing.
    pub async fn engagement_show(&self, id: &EngagementId) -> Result<String, RegisterError> {
        Ok(self.store.engagement(id.as_str()).await?.document)
    }

    /// Every engagement, ordered by id.
    pub async fn engagement_list(&self) -> Result<Vec<EngagementSummary>, RegisterError> {
        Ok(Vec::clone(&*self.engagement_list_shared().await?))
    }

    /// Every engagement, ordered by id, shared: while the ledger head is
    /// the one it was read at, the list costs one read of the head.
    pub async fn engagement_list_shared(
        &self,
    ) -> Result<Arc<Vec<EngagementSummary>>, RegisterError> {
        // The head first: a list read after it is at least as new.
        let head = self.store.head().await?;
        if let Some(list) = self.listed.get(&head) {
            return Ok(list);
        }
        let list: Arc<Vec<_>> = Arc::new(
            self.store
                .engagement_heads()
                .await?
                .into_iter()
                .map(|r| EngagementSummary {
                    id: r.id,
                    supplier: r.supplier_id,
                    system: r.system,
                    owner: r.owner,
                    status: r.status,
                    revision: r.revision,
                })
                .collect(),
        );
        self.listed.keep(head, Arc::clone(&list));
        Ok(list)
    }

    /// Appends an event that records no register change (e.g. a note, or an
    /// event of a feature whose tables do not exist yet).
    pub async fn ledger_append(
        &self,
        kind: &str,
        subject: &str,
        payload: &serde_json::Value,
    ) -> Result<SealedEvent, RegisterError> {
        let event = Event::new(kind, subject, &self.actor, now(), payload);
        let mut sealed = self
            .append(vec![Entry {
                change: None,
                event,
            }])
            .await?;
        Ok(sealed.pop().expect("one entry gives one event"))
    }

    /// Verifies the whole ledger against the instance's public key and the
    /// recorded chain head; names the first event that fails.
    pub async fn ledger_verify(&self) -> Result<VerifyReport, RegisterError> {
        self.ledger_verify_with(&[]).await
    }

    /// [`Register::ledger_verify`], also against the checkpoints in each of
    /// `checkpoint_logs` (a copy kept by an auditor, a witness directory, an
    /// exported pack's): the chain may be neither shorter than nor diverge
    /// from any checkpoint seen. The database's own integrity check runs
    /// first.
    pub async fn ledger_verify_with(
        &self,
        checkpoint_logs: &[PathBuf],
    ) -> Result<VerifyReport, RegisterError> {
        if let Err(reason) = self.store.integrity_check().await? {
            return Err(RegisterError::Damaged {
                database: self.store.describe(),
                reason,
            });
        }
        let events = self.store.events().await?;
        let report = oversight_ledger::verify(&events, &self.public_key)?;
        let head = self.store.head().await?;
        if head != report.head {
            return Err(RegisterError::Truncated {
                last: report.head.seq,
                head: head.seq,
            });
        }
        let mut logs: Vec<&Path> = self.checkpoint_log.iter().map(PathBuf::as_path).collect();
        logs.extend(checkpoint_logs.iter().map(PathBuf::as_path));
        for log in logs {
            let checkpoints = oversight_ledger::checkpoint::read_log(log, &self.public_key)?;
            oversight_ledger::checkpoint::check(&events, &checkpoints)?;
        }
        self.verify_rows(&events).await?;
        Ok(report)
    }
}

fn supplier_from_record(record: &SupplierRecord) -> Result<Supplier, RegisterError> {
    format::parse_supplier(
        &record.document,
        &format!("stored supplier `{}`", record.id),
    )
    .map_err(|e| RegisterError::Corrupt {
        what: "supplier",
        id: record.id.clone(),
        reason: e.to_string(),
    })
}
