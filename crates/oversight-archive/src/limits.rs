//! The bounds that keep a hostile archive from exhausting the scan: per
//! member, per archive, per compressed byte, and for the whole scan.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// One mebibyte.
const MIB: u64 = 1024 * 1024;

/// One gibibyte.
const GIB: u64 = 1024 * MIB;

/// A member or stream is held to [`Limits::max_ratio`] only once it has
/// produced more than this many bytes: small, very regular files (a file of
/// spaces, an empty-ish JSON) legitimately compress a thousandfold.
pub const RATIO_GRACE_BYTES: u64 = MIB;

/// Bounds for one archive (the [`Budget`] bounds the whole scan).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Decompressed bytes the whole scan may read from archives; the value
    /// the engine gives [`Budget::new`].
    pub max_total_bytes: u64,
    /// Decompressed bytes one member (or one compressed single file) may
    /// have. Also bounds a zip read from a stream, which must be spooled.
    pub max_entry_bytes: u64,
    /// Entries (members, directories, links) one archive may have; the
    /// visit of an archive stops after this many.
    pub max_entries: u64,
    /// How many times larger than its compressed form a member or stream
    /// may become, once it has produced more than [`RATIO_GRACE_BYTES`].
    pub max_ratio: u64,
}

impl Default for Limits {
    /// 16 GiB in total, 1 GiB per member, 100,000 entries per archive, and
    /// a ratio of 100.
    fn default() -> Self {
        Limits {
            max_total_bytes: 16 * GIB,
            max_entry_bytes: GIB,
            max_entries: 100_000,
            max_ratio: 100,
        }
    }
}

/// Decompressed bytes read across the whole scan: every archive, every
/// thread. Clones share the same count.
///
/// Each archive layer counts the bytes it produces, so content nested in
/// several archives counts once per layer: the budget measures the work done,
/// which is what a nested bomb inflates.
#[derive(Debug, Clone)]
pub struct Budget {
    used: Arc<AtomicU64>,
    max: u64,
}

impl Budget {
    /// A budget of `max_total_bytes` decompressed bytes, none used yet.
    pub fn new(max_total_bytes: u64) -> Self {
        Budget {
            used: Arc::new(AtomicU64::new(0)),
            max: max_total_bytes,
        }
    }

    /// Bytes read so far (this may exceed [`Budget::max`] by the last read
    /// that breached it).
    pub fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    /// The budget given to [`Budget::new`].
    pub fn max(&self) -> u64 {
        self.max
    }

    /// Whether no byte is left.
    pub fn is_exhausted(&self) -> bool {
        self.used() >= self.max
    }

    /// Counts `bytes` more; false when that goes over the budget.
    pub(crate) fn charge(&self, bytes: u64) -> bool {
        let before = self.used.fetch_add(bytes, Ordering::Relaxed);
        before.saturating_add(bytes) <= self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_ones() {
        let limits = Limits::default();
        assert_eq!(limits.max_total_bytes, 16 << 30);
        assert_eq!(limits.max_entry_bytes, 1 << 30);
        assert_eq!(limits.max_entries, 100_000);
        assert_eq!(limits.max_ratio, 100);
    }

    #[test]
    fn budget_is_shared_between_clones_and_threads() {
        let budget = Budget::new(1000);
        let clone = budget.clone();
        std::thread::scope(|scope| {
            for _ in 0..4 {
                let b = clone.clone();
                scope.spawn(move || {
                    for _ in 0..100 {
                        b.charge(2);
                    }
                });
            }
        });
        assert_eq!(budget.used(), 800);
        assert!(!budget.is_exhausted());
        assert!(budget.charge(200));
        assert!(budget.is_exhausted());
        assert!(!budget.charge(1));
        assert_eq!(budget.used(), 1001);
    }
}
