-- Waivers revoked before they expire. A revocation is its own row (rows are
-- only ever inserted) and its own ledger event; a waiver is revoked once.

CREATE TABLE waiver_revocations (
    waiver_id     TEXT PRIMARY KEY NOT NULL REFERENCES waivers (id),
    engagement_id TEXT NOT NULL REFERENCES engagements (id),
    reason        TEXT NOT NULL,
    revoked_by    TEXT NOT NULL,
    revoked_at    TEXT NOT NULL
);
CREATE INDEX waiver_revocations_engagement ON waiver_revocations (engagement_id);
