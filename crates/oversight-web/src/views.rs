//! One view model per page, each rendered by its template in
//! `templates/`. The fields are what the page shows, already decided by
//! the scope check: a field the viewer may not see is empty, never filled
//! and hidden.

use askama::Template;

use crate::charts::Chart;

/// Trend charts, each with its table of numbers.
#[derive(Debug, Clone, Default)]
pub struct Trends {
    /// The charts, in order.
    pub charts: Vec<Chart>,
}

/// What every page shows around its content.
#[derive(Debug, Clone, Default)]
pub struct Chrome {
    /// The signed-in account, if any.
    pub user: Option<String>,
    /// The session's form token, sent back by every form.
    pub csrf: String,
    /// Whether the viewer sees the organisation's dashboard.
    pub dashboard: bool,
    /// Whether the viewer sees the waiver queue.
    pub waivers: bool,
    /// Whether the viewer sees the ledger.
    pub ledger: bool,
    /// Whether the viewer manages accounts.
    pub users: bool,
    /// The page's title.
    pub title: String,
}

/// The login page.
#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    /// Around.
    pub chrome: Chrome,
    /// Where to go once signed in (a local path).
    pub next: String,
    /// The name typed, kept after a failure.
    pub name: String,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// Whether single sign-on is configured.
    pub sso: bool,
}

/// An error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// Around.
    pub chrome: Chrome,
    /// The HTTP status.
    pub status: u16,
    /// What happened, naming the item and the reason.
    pub detail: String,
}

/// One cell of the status matrix: a factor's state, in words.
#[derive(Debug, Clone)]
pub struct Cell {
    /// `ok`, `attention`, `failing` or `not agreed`.
    pub state: String,
    /// Why.
    pub note: String,
}

impl Cell {
    /// The CSS class of the state (a hint only: the state is written out).
    pub fn class(&self) -> &'static str {
        match self.state.as_str() {
            "ok" => "state-ok",
            "attention" => "state-attention",
            "failing" => "state-failing",
            _ => "state-none",
        }
    }

    /// A symbol that carries the state without colour.
    pub fn symbol(&self) -> &'static str {
        match self.state.as_str() {
            "ok" => "✔",
            "attention" => "!",
            "failing" => "✖",
            _ => "–",
        }
    }
}

/// One engagement's row of the status matrix.
#[derive(Debug, Clone)]
pub struct StatusRow {
    /// The engagement.
    pub id: String,
    /// Its supplier.
    pub supplier: String,
    /// Its lifecycle status.
    pub status: String,
    /// The last review's outcome.
    pub last_outcome: Option<String>,
    /// One cell per factor, in the header's order.
    pub cells: Vec<Cell>,
}

/// Something due.
#[derive(Debug, Clone)]
pub struct DueRow {
    /// The engagement.
    pub engagement: String,
    /// What.
    pub what: String,
    /// When.
    pub date: Option<String>,
    /// Whether it is overdue.
    pub overdue: bool,
}

/// A delivery in a list.
#[derive(Debug, Clone)]
pub struct DeliveryRow {
    /// The delivery.
    pub id: String,
    /// Its engagement.
    pub engagement: String,
    /// The file uploaded.
    pub file_name: String,
    /// Who submitted it.
    pub submitter: String,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    /// The decision, when reviewed.
    pub outcome: Option<String>,
    /// Last change.
    pub at: String,
}

/// The organisation's dashboard.
#[derive(Template)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    /// Around.
    pub chrome: Chrome,
    /// The day the status describes.
    pub today: String,
    /// The A.8.30 factors, the matrix's columns.
    pub factors: Vec<String>,
    /// One row per engagement.
    pub rows: Vec<StatusRow>,
    /// What is due or overdue.
    pub due: Vec<DueRow>,
    /// The latest decisions.
    pub recent: Vec<DeliveryRow>,
    /// The organisation's trends.
    pub trends: Trends,
}

/// An engagement in a list.
#[derive(Debug, Clone)]
pub struct EngagementRow {
    /// The engagement.
    pub id: String,
    /// The system built.
    pub system: String,
    /// The supplier.
    pub supplier: String,
    /// Its lifecycle status.
    pub status: String,
}

/// The engagements in the viewer's scope (for a supplier, the portal).
#[derive(Template)]
#[template(path = "engagements.html")]
pub struct EngagementsPage {
    /// Around.
    pub chrome: Chrome,
    /// The page of engagements.
    pub engagements: Vec<EngagementRow>,
    /// How many there are in all.
    pub total: usize,
    /// The page shown (1-based) and the number of pages.
    pub pager: Pager,
}

/// A requirement agreed for an engagement.
#[derive(Debug, Clone)]
pub struct RequirementRow {
    /// Its catalogue id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The A.8.30 factor it serves.
    pub factor: String,
    /// How it is verified for this engagement.
    pub verification: String,
    /// What the supplier must do.
    pub text: String,
}

/// A recorded acknowledgement of the terms.
#[derive(Debug, Clone)]
pub struct Acknowledgement {
    /// Who.
    pub actor: String,
    /// When.
    pub at: String,
    /// The digest of the terms acknowledged.
    pub terms_sha256: String,
    /// Whether those are the current terms.
    pub current: bool,
}

/// An engagement: its agreed terms and requirements, deliveries, and what
/// the viewer may do.
#[derive(Template)]
#[template(path = "engagement.html")]
pub struct EngagementPage {
    /// Around.
    pub chrome: Chrome,
    /// The engagement.
    pub engagement: EngagementRow,
    /// Who owns it in the organisation (internal readers only).
    pub owner: Option<String>,
    /// First and last day.
    pub start: Option<String>,
    /// Last day.
    pub end: Option<String>,
    /// The agreed acceptance policy's digest.
    pub policy_sha256: Option<String>,
    /// The requirements agreed.
    pub requirements: Vec<RequirementRow>,
    /// The terms as TOML.
    pub terms_toml: String,
    /// The digest of the terms.
    pub terms_sha256: String,
    /// The acknowledgements recorded, latest first.
    pub acknowledgements: Vec<Acknowledgement>,
    /// Whether the viewer may acknowledge the terms.
    pub may_acknowledge: bool,
    /// Whether the viewer may submit a delivery, or why it cannot.
    pub may_submit: bool,
    /// Why the engagement accepts no delivery now.
    pub refuses: Option<String>,
    /// The latest deliveries.
    pub recent: Vec<DeliveryRow>,
    /// A message after an action (`acknowledged`).
    pub notice: Option<String>,
    /// Whether the viewer may export the engagement's evidence pack.
    pub may_export: bool,
    /// Whether the viewer may change the agreed terms.
    pub may_edit: bool,
    /// Whether the viewer may add evidence documents.
    pub may_add_evidence: bool,
    /// The evidence documents kept, when the viewer may read them.
    pub evidence: Option<Vec<EvidenceRow>>,
    /// The engagement's trends (none shown when empty).
    pub trends: Trends,
}

/// A reason of a decision.
#[derive(Debug, Clone)]
pub struct ReasonRow {
    /// Whether it blocks acceptance.
    pub blocks: bool,
    /// Its kind.
    pub kind: String,
    /// What it says.
    pub message: String,
}

/// A finding on the delivery page.
#[derive(Debug, Clone)]
pub struct FindingRow {
    /// Its rule.
    pub rule: String,
    /// Its severity.
    pub severity: String,
    /// The file, empty for delivery-wide findings.
    pub path: String,
    /// The line, when known.
    pub line: Option<i64>,
    /// The (redacted) message.
    pub message: String,
    /// `blocking`, `waived` or `noted`.
    pub disposition: String,
    /// The waiver applied (internal readers only).
    pub waiver: Option<String>,
    /// The waiver's rationale (internal readers only).
    pub rationale: Option<String>,
    /// The fingerprint, short.
    pub fingerprint: String,
    /// The whole fingerprint, for a waiver request (requesters only).
    pub fingerprint_full: String,
    /// A waiver granted since this review, in force now (internal readers
    /// only): the next review applies it.
    pub waived_since: Option<WaiverNote>,
    /// A pending request to waive it (internal readers only).
    pub requested: Option<String>,
    /// Whether the viewer may ask to waive it here.
    pub may_request: bool,
    /// Why no waiver can lift it (the agreed policy marks its category not
    /// waivable).
    pub not_waivable: Option<String>,
    /// A request to waive it just refused, with what was typed.
    pub refused: Option<WaiverFormError>,
}

/// A waiver in force, as a finding shows it.
#[derive(Debug, Clone)]
pub struct WaiverNote {
    /// The waiver.
    pub id: String,
    /// Its last day.
    pub expires: String,
    /// Who approved it.
    pub approver: String,
}

/// A waiver request refused for what it says, shown at its finding with
/// what was typed.
#[derive(Debug, Clone)]
pub struct WaiverFormError {
    /// Why it was refused.
    pub message: String,
    /// The reason typed.
    pub reason: String,
    /// The last day typed.
    pub expires: String,
}

/// The limits the agreed policy puts on a waiver, shown with the request
/// form.
#[derive(Debug, Clone, Default)]
pub struct WaiverLimits {
    /// Today, the earliest expiry.
    pub today: String,
    /// The expiry the form proposes.
    pub proposed: String,
    /// The latest expiry the policy allows (`waivers.max_days`).
    pub latest: Option<String>,
    /// The policy's `max_days`.
    pub max_days: Option<u32>,
}

/// The findings of one category on the page shown.
#[derive(Debug, Clone)]
pub struct CategoryGroup {
    /// The category.
    pub category: String,
    /// Its findings on this page.
    pub findings: Vec<FindingRow>,
}

/// A choice of a filter.
#[derive(Debug, Clone)]
pub struct FilterOption {
    /// The value.
    pub value: String,
    /// How many findings have it (over the whole delivery).
    pub count: usize,
    /// Whether it is selected.
    pub selected: bool,
}

/// Where a paginated list is.
#[derive(Debug, Clone, Default)]
pub struct Pager {
    /// The page shown, 1-based.
    pub page: usize,
    /// How many pages.
    pub pages: usize,
    /// The link to the previous page.
    pub previous: Option<String>,
    /// The link to the next page.
    pub next: Option<String>,
}

/// A delivery: its review's status, the decision and its reasons, and the
/// findings, grouped by category, filtered and paginated on the server.
#[derive(Template)]
#[template(path = "delivery.html")]
pub struct DeliveryPage {
    /// Around.
    pub chrome: Chrome,
    /// The delivery.
    pub delivery: DeliveryRow,
    /// The submitted size in bytes.
    pub bytes: i64,
    /// Why the review failed.
    pub error: Option<String>,
    /// Whether the review is still to come (the page refreshes itself).
    pub pending: bool,
    /// The decision's reasons.
    pub reasons: Vec<ReasonRow>,
    /// The categories to filter on.
    pub categories: Vec<FilterOption>,
    /// The severities to filter on.
    pub severities: Vec<FilterOption>,
    /// The dispositions to filter on.
    pub dispositions: Vec<FilterOption>,
    /// Findings matching the filter, over all pages.
    pub matching: usize,
    /// All findings.
    pub total: usize,
    /// The page shown, by category.
    pub groups: Vec<CategoryGroup>,
    /// Where the page is.
    pub pager: Pager,
    /// The policy's waiver limits, when the viewer may ask for a waiver.
    pub waiver_limits: Option<WaiverLimits>,
    /// A message after an action (`requested`).
    pub notice: Option<String>,
    /// What changed since the engagement's last accepted delivery.
    pub since_accepted: Option<DiffView>,
}

/// A delivery compared with the engagement's last accepted one.
#[derive(Debug, Clone)]
pub struct DiffView {
    /// The accepted review compared with.
    pub accepted: String,
    /// When it was recorded.
    pub accepted_at: String,
    /// The kinds of facts that changed (files, components, …).
    pub kinds: Vec<DiffKind>,
    /// Changes to code that runs at install or build time, CI, or new
    /// network or exec sites: `path (what)`.
    pub sensitive: Vec<String>,
}

/// What changed of one kind of fact; each list is cut at a limit.
#[derive(Debug, Clone)]
pub struct DiffKind {
    /// The kind (`Files`, `Components`, …).
    pub name: String,
    /// Present now, not before.
    pub added: Vec<String>,
    /// Present before, not now.
    pub removed: Vec<String>,
    /// Present in both, different (files' content, components' versions).
    pub changed: Vec<String>,
    /// Entries not listed for the limit.
    pub more: usize,
}

/// A pending waiver request in the queue.
#[derive(Debug, Clone)]
pub struct RequestRow {
    /// The request.
    pub id: String,
    /// Its engagement.
    pub engagement: String,
    /// The finding's fingerprint, short.
    pub fingerprint: String,
    /// Why it is acceptable.
    pub reason: String,
    /// The last day asked for.
    pub expires: String,
    /// Who asked.
    pub requester: String,
    /// When.
    pub at: String,
    /// Whether the viewer may approve or deny it.
    pub may_decide: bool,
    /// Why the viewer may not, although an approver (they asked for it).
    pub own: bool,
}

/// A waiver granted, in the list of those expiring.
#[derive(Debug, Clone)]
pub struct WaiverRow {
    /// The waiver.
    pub id: String,
    /// Its engagement.
    pub engagement: String,
    /// The finding's fingerprint, short.
    pub fingerprint: String,
    /// Its rationale.
    pub reason: String,
    /// Who asked and who approved.
    pub requester: String,
    /// Who approved.
    pub approver: String,
    /// Its last day.
    pub expires: String,
    /// Days left (negative: expired).
    pub days_left: i64,
}

/// The waiver queue: pending requests, and waivers expiring soon.
#[derive(Template)]
#[template(path = "waivers.html")]
pub struct WaiversPage {
    /// Around.
    pub chrome: Chrome,
    /// The pending requests in scope.
    pub pending: Vec<RequestRow>,
    /// Waivers in force expiring within [`WaiversPage::horizon`] days, or
    /// expired and not revoked.
    pub expiring: Vec<WaiverRow>,
    /// How far ahead expiring waivers are listed, in days.
    pub horizon: i64,
    /// A message after an action.
    pub notice: Option<String>,
}

/// An event of the ledger.
#[derive(Debug, Clone)]
pub struct LedgerRow {
    /// Its position in the chain.
    pub seq: u64,
    /// Its kind.
    pub kind: String,
    /// What it is about.
    pub subject: String,
    /// Who caused it.
    pub actor: String,
    /// When.
    pub at: String,
    /// Its hash, short.
    pub hash: String,
}

/// What "verify now" found.
#[derive(Debug, Clone)]
pub struct VerificationView {
    /// Whether everything verified.
    pub intact: bool,
    /// Whether the ledger verified.
    pub ledger_intact: bool,
    /// Events verified.
    pub events: u64,
    /// The chain head.
    pub head: String,
    /// The signing key's fingerprint.
    pub key_fingerprint: String,
    /// Why the ledger failed.
    pub ledger_failure: Option<String>,
    /// Evidence blobs read and hashed.
    pub blobs: u64,
    /// Their bytes.
    pub bytes: u64,
    /// The evidence store's problems.
    pub evidence_problems: Vec<String>,
    /// When it ran.
    pub at: String,
}

/// The signed ledger: events with actor and time, filtered and paginated
/// on the server, a verification on demand, and the evidence packs to
/// export.
#[derive(Template)]
#[template(path = "ledger.html")]
pub struct LedgerPage {
    /// Around.
    pub chrome: Chrome,
    /// The page of events, newest first.
    pub events: Vec<LedgerRow>,
    /// The subjects to filter on.
    pub subjects: Vec<FilterOption>,
    /// The kinds to filter on.
    pub kinds: Vec<FilterOption>,
    /// Events matching the filter.
    pub matching: usize,
    /// All events.
    pub total: usize,
    /// Where the page is.
    pub pager: Pager,
    /// The result of "verify now", when asked.
    pub verification: Option<VerificationView>,
    /// The engagements whose evidence pack the viewer may export.
    pub exports: Vec<String>,
}

/// A finding as the evidence pack lists it under its review.
#[derive(Debug, Clone)]
pub struct PackFindingRow {
    /// Its rule.
    pub rule: String,
    /// Its category.
    pub category: String,
    /// Its severity.
    pub severity: String,
    /// The file and line, empty for delivery-wide findings.
    pub place: String,
    /// The (redacted) message.
    pub message: String,
    /// `blocking`, `waived` or `noted`.
    pub disposition: String,
    /// The waiver applied.
    pub waiver: Option<String>,
}

/// A review in the evidence pack.
#[derive(Debug, Clone)]
pub struct PackReviewView {
    /// The review.
    pub id: String,
    /// Where its files are in the pack.
    pub dir: String,
    /// When it was recorded.
    pub recorded_at: String,
    /// The decision.
    pub outcome: String,
    /// Who reviewed (the account the review acted as).
    pub reviewer: String,
    /// When it was decided.
    pub decided_at: String,
    /// Files in the delivery.
    pub files: i64,
    /// Its content digest.
    pub content_digest: String,
    /// The decision's reasons.
    pub reasons: Vec<ReasonRow>,
    /// Every finding.
    pub findings: Vec<PackFindingRow>,
    /// How many block.
    pub blocking: usize,
    /// How many were waived.
    pub waived: usize,
}

/// A waiver in the evidence pack.
#[derive(Debug, Clone)]
pub struct PackWaiverView {
    /// The waiver.
    pub id: String,
    /// The finding's fingerprint.
    pub fingerprint: String,
    /// Why.
    pub reason: String,
    /// Who asked.
    pub requester: String,
    /// Who approved.
    pub approver: String,
    /// Its last day.
    pub expires: String,
    /// Its revocation, in words.
    pub revoked: Option<String>,
}

/// An assurance or evidence document in the pack.
#[derive(Debug, Clone)]
pub struct PackDocumentView {
    /// The document.
    pub id: String,
    /// Its kind.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Its last valid day.
    pub expires: Option<String>,
    /// `valid`, `expired` or `no expiry`, on the export day.
    pub validity: String,
    /// Who added it, and when.
    pub added: String,
}

/// The evidence pack's offline `index.html`: the same partials as the
/// pages, the stylesheet inlined, no script.
#[derive(Template)]
#[template(path = "pack.html")]
pub struct PackIndex {
    /// The engagement.
    pub engagement: EngagementRow,
    /// Who owns it in the organisation.
    pub owner: String,
    /// When it was exported.
    pub exported_at: String,
    /// The tool's version.
    pub version: String,
    /// The stylesheet, inlined (a pack has no server).
    pub css: &'static str,
    /// The A.8.30 factors and their state.
    pub factors: Vec<(String, Cell)>,
    /// Whether the ledger verified, and what was found.
    pub ledger_verified: bool,
    /// The ledger check in words.
    pub ledger: String,
    /// Evidence that could not be verified.
    pub problems: Vec<String>,
    /// Every review, oldest first.
    pub reviews: Vec<PackReviewView>,
    /// Every waiver.
    pub waivers: Vec<PackWaiverView>,
    /// The assurance and evidence documents.
    pub documents: Vec<PackDocumentView>,
    /// The trends.
    pub trends: Trends,
}

/// The signed-in account's API tokens, and the form that makes one.
#[derive(Template)]
#[template(path = "tokens.html")]
pub struct TokensPage {
    /// Around.
    pub chrome: Chrome,
    /// The account's tokens, newest first.
    pub tokens: Vec<TokenRow>,
    /// The scopes a token may have: the account's grants.
    pub scopes: Vec<FilterOption>,
    /// The actions a token may be given: those the account's roles allow.
    pub actions: Vec<FilterOption>,
    /// The expiry proposed (a date).
    pub expires: String,
    /// The latest expiry allowed (a date).
    pub expires_max: String,
    /// A token just made: its name and its secret, shown this once.
    pub created: Option<(String, String)>,
    /// Whether the account signed in with a token (tokens cannot make
    /// tokens): the form is not offered.
    pub by_token: bool,
    /// A message after an action (`revoked`).
    pub notice: Option<String>,
}

/// An API token as listed (never its secret).
#[derive(Debug, Clone)]
pub struct TokenRow {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Where it applies.
    pub scope: String,
    /// What it may do.
    pub actions: String,
    /// Made at.
    pub created_at: String,
    /// Expires at.
    pub expires_at: String,
    /// Revoked at, if revoked.
    pub revoked_at: Option<String>,
}

/// The page a one-time setup link opens: the account sets its password.
#[derive(Template)]
#[template(path = "setup.html")]
pub struct SetupPage {
    /// Around.
    pub chrome: Chrome,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// The account whose password was just set.
    pub done: Option<String>,
}

/// The accounts, for an administrator: who they are, what each may do
/// where, and the forms that invite one and grant a role.
#[derive(Template)]
#[template(path = "users.html")]
pub struct UsersPage {
    /// Around.
    pub chrome: Chrome,
    /// Every account, by name.
    pub users: Vec<UserRow>,
    /// The roles that may be granted.
    pub roles: Vec<String>,
    /// An account just invited: its name and its one-time setup link,
    /// shown this once.
    pub invited: Option<(String, String)>,
    /// A message after an action (`granted`).
    pub notice: Option<String>,
}

/// An account as listed.
#[derive(Debug, Clone)]
pub struct UserRow {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Whether it has set its password.
    pub has_password: bool,
    /// Its grants, `role on scope`.
    pub grants: Vec<String>,
    /// Made at.
    pub created_at: String,
}

/// The agreed terms of an engagement as TOML, to edit or to replace with
/// an uploaded file; a refused change comes back with its errors.
#[derive(Template)]
#[template(path = "terms.html")]
pub struct TermsPage {
    /// Around.
    pub chrome: Chrome,
    /// The engagement.
    pub engagement: String,
    /// The terms shown (as recorded, or as sent when refused).
    pub terms: String,
    /// Why the change was refused: each problem with its key and line.
    pub errors: Vec<String>,
}

/// An evidence document as listed.
#[derive(Debug, Clone)]
pub struct EvidenceRow {
    /// Its kind (`pentest-report`).
    pub kind: String,
    /// Its file name.
    pub name: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Its size in bytes.
    pub size: i64,
    /// Its last day of validity, if it has one.
    pub expires: Option<String>,
    /// Kept at.
    pub added_at: String,
}
