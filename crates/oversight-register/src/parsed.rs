//! Engagements kept parsed by revision. Parsing an engagement (its TOML
//! terms and agreed policy) costs far more than reading its row, and a
//! server reads the same engagements for every request. A parse is reused
//! only for the revision it was made at: every change increments the
//! revision, so a stale parse is never returned.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use oversight_ledger::ChainHead;

use crate::{Engagement, EngagementSummary};

/// Parsed engagements kept at most; past that the cache starts again.
const MAX: usize = 10_000;

/// Shared by a register and every register derived from it.
#[derive(Default)]
pub(crate) struct ParsedEngagements {
    by_id: Mutex<HashMap<String, (i64, Arc<Engagement>)>>,
    /// Held while an engagement is parsed: requests that miss together
    /// (a server's first requests) wait for one parse instead of each
    /// making its own.
    parsing: Mutex<()>,
}

impl ParsedEngagements {
    /// Engagement `id` as parsed at `revision`, if it was.
    pub(crate) fn get(&self, id: &str, revision: i64) -> Option<Arc<Engagement>> {
        let by_id = self.by_id.lock().expect("no panic holds the lock");
        by_id
            .get(id)
            .filter(|(r, _)| *r == revision)
            .map(|(_, e)| Arc::clone(e))
    }

    /// Waits for any parse in progress; the caller looks again, then
    /// parses while holding the guard (never across an `.await`: parsing
    /// is synchronous).
    pub(crate) fn parse_turn(&self) -> std::sync::MutexGuard<'_, ()> {
        self.parsing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Keeps `engagement` as parsed at `revision`.
    pub(crate) fn keep(&self, revision: i64, engagement: Arc<Engagement>) {
        let mut by_id = self.by_id.lock().expect("no panic holds the lock");
        if by_id.len() >= MAX && !by_id.contains_key(engagement.id.as_str()) {
            by_id.clear();
        }
        let newer = by_id
            .get(engagement.id.as_str())
            .is_some_and(|(r, _)| *r > revision);
        if !newer {
            by_id.insert(engagement.id.as_str().to_owned(), (revision, engagement));
        }
    }
}

/// The engagement list as read at a ledger head. Every write of the
/// register appends to the ledger in the same transaction, so while the
/// head is the same the list is too; a list read after the head it is
/// kept under is only ever newer, never staler.
#[derive(Default)]
pub(crate) struct ListAtHead {
    kept: Mutex<Option<(ChainHead, Arc<Vec<EngagementSummary>>)>>,
}

impl ListAtHead {
    /// The list kept at `head`, if it was.
    pub(crate) fn get(&self, head: &ChainHead) -> Option<Arc<Vec<EngagementSummary>>> {
        let kept = self.kept.lock().expect("no panic holds the lock");
        kept.as_ref()
            .filter(|(at, _)| at == head)
            .map(|(_, list)| Arc::clone(list))
    }

    /// Keeps `list`, read after `head` was.
    pub(crate) fn keep(&self, head: ChainHead, list: Arc<Vec<EngagementSummary>>) {
        *self.kept.lock().expect("no panic holds the lock") = Some((head, list));
    }
}

/// Pages of recorded findings. A recorded review's findings never change
/// (the ledger event that recorded them holds their digest), so a page
/// read once is the page for good.
#[derive(Default)]
pub(crate) struct FindingPages {
    pages: Mutex<HashMap<(String, i64, i64), FindingPage>>,
}

/// A page of findings and the review's count of findings.
pub(crate) type FindingPage = Arc<(Vec<oversight_store::FindingRecord>, i64)>;

/// Pages kept at most; past that the cache starts again.
const PAGES_MAX: usize = 4_096;

impl FindingPages {
    pub(crate) fn get(&self, review: &str, offset: i64, limit: i64) -> Option<FindingPage> {
        let pages = self.pages.lock().expect("no panic holds the lock");
        pages.get(&(review.to_owned(), offset, limit)).cloned()
    }

    pub(crate) fn keep(&self, review: &str, offset: i64, limit: i64, page: FindingPage) {
        let mut pages = self.pages.lock().expect("no panic holds the lock");
        if pages.len() >= PAGES_MAX {
            pages.clear();
        }
        pages.insert((review.to_owned(), offset, limit), page);
    }
}

/// Recorded decisions (with their delivery, without findings) by review.
/// A recorded review never changes, so one read once is good for good;
/// a review not recorded yet is not kept.
#[derive(Default)]
pub(crate) struct Decisions {
    kept: Mutex<HashMap<String, Decided>>,
}

/// A review's delivery and decision.
pub(crate) type Decided = Arc<(
    oversight_store::DeliveryRecord,
    oversight_store::DecisionRecord,
)>;

impl Decisions {
    pub(crate) fn get(&self, review: &str) -> Option<Decided> {
        self.kept
            .lock()
            .expect("no panic holds the lock")
            .get(review)
            .cloned()
    }

    pub(crate) fn keep(&self, review: &str, decided: Decided) {
        let mut kept = self.kept.lock().expect("no panic holds the lock");
        if kept.len() >= PAGES_MAX {
            kept.clear();
        }
        kept.insert(review.to_owned(), decided);
    }
}
