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
