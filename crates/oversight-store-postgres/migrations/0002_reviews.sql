-- The acceptance gate: reviewed deliveries, their findings and decisions,
-- waivers and evidence documents. The same file name exists for every
-- backend. Rows are only ever inserted: the evidence of a review never changes.

CREATE TABLE deliveries (
    id             TEXT PRIMARY KEY NOT NULL,
    engagement_id  TEXT NOT NULL REFERENCES engagements (id),
    recorded_at    TEXT NOT NULL,
    content_digest TEXT NOT NULL,
    file_count     BIGINT NOT NULL,
    total_bytes    BIGINT NOT NULL,
    document       TEXT NOT NULL
);
CREATE INDEX deliveries_engagement ON deliveries (engagement_id, recorded_at);

-- One decision per delivery, written in the same transaction.
CREATE TABLE decisions (
    delivery_id TEXT PRIMARY KEY NOT NULL REFERENCES deliveries (id),
    outcome     TEXT NOT NULL,
    reviewer    TEXT NOT NULL,
    decided_at  TEXT NOT NULL,
    document    TEXT NOT NULL,
    -- Derived from the findings at insert: blocking findings per category,
    -- `category=count;…`, so status views never scan the findings table.
    blocking    TEXT NOT NULL
);

CREATE TABLE findings (
    delivery_id    TEXT NOT NULL REFERENCES deliveries (id),
    ordinal        BIGINT NOT NULL,
    fingerprint    TEXT NOT NULL,
    rule           TEXT NOT NULL,
    category       TEXT NOT NULL,
    severity       TEXT NOT NULL,
    path           TEXT NOT NULL,
    line           BIGINT,
    message        TEXT NOT NULL,
    content_sha256 TEXT,
    disposition    TEXT NOT NULL,
    waiver_id      TEXT,
    PRIMARY KEY (delivery_id, ordinal)
);
CREATE INDEX findings_fingerprint ON findings (fingerprint);

CREATE TABLE waivers (
    id             TEXT PRIMARY KEY NOT NULL,
    engagement_id  TEXT NOT NULL REFERENCES engagements (id),
    fingerprint    TEXT NOT NULL,
    content_sha256 TEXT,
    reason         TEXT NOT NULL,
    requester      TEXT NOT NULL,
    approver       TEXT NOT NULL,
    expires        TEXT NOT NULL,
    granted_at     TEXT NOT NULL
);
CREATE INDEX waivers_engagement ON waivers (engagement_id);

CREATE TABLE evidence (
    id            TEXT PRIMARY KEY NOT NULL,
    engagement_id TEXT NOT NULL REFERENCES engagements (id),
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    size          BIGINT NOT NULL,
    expires       TEXT,
    added_by      TEXT NOT NULL,
    added_at      TEXT NOT NULL
);
CREATE INDEX evidence_engagement ON evidence (engagement_id);
